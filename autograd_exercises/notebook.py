"""Test cells inside a Jupyter notebook: ``check("exercise-2", "forward_values")``.

The code the student ran in this kernel (every executed cell but the test
cells) becomes a module, which is graded by the same sandbox, probes and
judges as ``grade exercise-N``. The check prints its feedback on stdout and, when
it fails, raises :class:`CheckFailed` (nbgrader scores a test cell that
raises as zero). Nothing is written to stderr and torch warnings are kept out
of the cell: nbgrader would zero a passing cell that writes to stderr.
"""

from __future__ import annotations

import atexit
import contextlib
import io
import os
import sys
import warnings
from typing import Any

from autograd_exercises.submission import TEST_CELL_MARKER, Submission

NOTEBOOK_SEED = 0
_SANDBOX: list[Any] = []


class CheckFailed(AssertionError):
    """A failed check; IPython shows only its message, not our traceback."""

    def _render_traceback_(self) -> list[str]:
        return [f"CheckFailed: {self}"]


def kernel_submission() -> Submission:
    """The cells executed in this IPython kernel, in order, minus the test cells."""
    from IPython import get_ipython

    shell = get_ipython()
    if shell is None:
        raise RuntimeError("check() runs inside a Jupyter notebook; from a terminal use: grade exercise-N FILE")
    lines: list[str] = []
    where: list[tuple[int, int]] = []
    for number, cell in enumerate(shell.user_ns.get("In", [])):
        if not cell or TEST_CELL_MARKER in cell:
            continue
        for in_cell, line in enumerate(cell.splitlines(), start=1):
            lines.append(f"# {line}" if "get_ipython()" in line else line)  # magics, transformed
            where.append((number, in_cell))
    return Submission("this notebook", ("\n".join(lines) + "\n").encode(), tuple(where), cell_label="In [{cell}]")


def _sandbox() -> Any:
    if not _SANDBOX:
        from autograd_exercises.sandbox import Sandbox

        _SANDBOX.append(Sandbox())
        atexit.register(_SANDBOX[0].close)
    return _SANDBOX[0]


def run_check(exercise_slug: str, check_name: str) -> Any:
    """Grade one check of the kernel's code; returns the CheckResult."""
    import graders
    from autograd_exercises import grading

    exercise = graders.find(exercise_slug)
    check_spec = exercise.check(check_name)
    seed = int(os.environ.get("AUTOGRAD_SEED", NOTEBOOK_SEED))
    result = grading.grade(exercise, kernel_submission(), sandbox=_sandbox(), seed=seed, checks=[check_spec])
    return result.checks[0]


def check(exercise_slug: str, check_name: str) -> None:
    """Run one check; print the verdict, raise :class:`CheckFailed` if it failed."""
    quiet = io.StringIO()
    with warnings.catch_warnings(), contextlib.redirect_stderr(quiet):
        warnings.simplefilter("ignore")
        outcome = run_check(exercise_slug, check_name)
    for note in outcome.notes:
        print(f"note: {note}")
    if not outcome.passed:
        raise CheckFailed(f"{check_name}: {outcome.feedback}")
    print(f"✓ {check_name}: {outcome.points:g}/{outcome.max_points:g} points")
    sys.stdout.flush()
