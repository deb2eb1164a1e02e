"""Test cells inside a Jupyter notebook: ``check("exercise-2", "forward_values")``.

The code the student ran in this kernel becomes a module, which is graded by
the same sandbox, probes and judges as ``grade exercise-N``. The check prints
its feedback on stdout and, when it fails, raises :class:`CheckFailed`
(nbgrader scores a test cell that raises as zero).

**Live feedback, not the grade.** These checks run in the student's kernel, which
the student owns: a solution cell can replace ``check`` (or ``builtins``,
``importlib``, ``sys.modules``) before a test cell runs, and nothing in the
kernel can prevent it. They are for feedback while the student works. The
official grade (``nbgrader autograde``, ``grade exercise-N file.ipynb``) never
runs a kernel: see ``autograd_exercises/autograde.py``.

**Which code is graded.** The kernel's input history (IPython's ``In``), in
execution order, so a cell run twice or out of order is replayed the way the
kernel ran it, except:

* test cells (they carry :data:`TEST_CELL_MARKER`), any cell that called
  :func:`check`, and the cell running the check are left out: they grade,
  they are not the student's code;
* a cell that never ran because it does not compile (a ``SyntaxError``) is
  left out, as it changed nothing in the kernel;
* a cell that raised while running is replayed only up to the top-level
  statement that raised (what it defined before the error is kept, the failed
  statement and the rest are dropped), so an experiment that failed earlier in
  the session does not make every later check fail;
* IPython syntax is read as IPython wrote it (``In`` holds the transformed
  cell): ``%time``, ``%%time``, ``%timeit`` and ``%%capture`` keep their effect,
  other magics and shell escapes are skipped (:mod:`autograd_exercises.magics`).

Each replayed cell runs on its own in the sandbox, within its own time budget (as
nbgrader runs a notebook's cells), an error ending only that cell; the check then
judges the state after the last one. This is the kernel's order, which is what the
student sees; the official grade runs the saved notebook top to bottom. When the
two differ (a function used above the cell that defines it, or defined again,
differently, in a cell below that ran first), the check says so, naming the cells:
it reads the saved notebook (``__session__``, which Jupyter sets to its path) and
the cell ids the kernel recorded.

The last two need to know how each cell ended, which IPython reports to a
``post_run_cell`` hook. The notebook's locked setup cell installs it with
``%load_ext autograd_exercises.notebook`` before anything else runs (nbgrader
restores that cell if a student edits it); loading the extension also starts
the sandbox server, so its ``import torch`` overlaps the notebook's own.
Cells that ran before the hook was installed are replayed whole.

**Nothing on stderr.** nbgrader scores a test cell zero as soon as it writes
to stderr, whatever the verdict. During a check, Python warnings are ignored,
``sys.stderr`` is redirected, and file descriptor 2 (where C++ code such as
torch's and child processes write; ipykernel forwards it to the cell) points
at a scratch file. The sandbox server's own log goes to a temporary file.
"""

from __future__ import annotations

import ast
import atexit
import contextlib
import io
import os
import sys
import tempfile
import warnings
from dataclasses import dataclass, field
from typing import Any, Iterator

from autograd_exercises import magics
from autograd_exercises.parsing import PARSE_ERRORS
from autograd_exercises.submission import TEST_CELL_MARKER, CodeCell, Submission

NOTEBOOK_SEED = 0
_SANDBOX: list[Any] = []


class CheckFailed(AssertionError):
    """A failed check; IPython shows only its message, not our traceback."""

    def _render_traceback_(self) -> list[str]:
        return [f"CheckFailed: {self}"]


# -- how each cell ended -------------------------------------------------------------------------

@dataclass
class CellRecord:
    """How one history entry ended: ``ok``, or the line (in ``In[n]``) of the statement that raised."""

    failed_line: int | None = None  # None: ran to the end
    called_check: bool = False
    cell_id: str = ""  # the notebook cell it ran (Jupyter sends the id), "" when unknown


@dataclass
class _Recorder:
    """``post_run_cell`` hook: execution count → :class:`CellRecord`."""

    cells: dict[int, CellRecord] = field(default_factory=dict)
    running_check: bool = False  # set by check() while the current cell runs
    current: str = ""  # the id of the cell running now (Jupyter sends it), "" when unknown

    def pre_run_cell(self, info: Any) -> None:
        cell_id = getattr(info, "cell_id", None)
        self.current = cell_id if isinstance(cell_id, str) else ""

    def post_run_cell(self, result: Any) -> None:
        info = getattr(result, "info", None)
        count = getattr(result, "execution_count", None)
        called, self.running_check = self.running_check, False
        if info is None or not getattr(info, "store_history", False) or not isinstance(count, int):
            return  # silent or history-less runs are not in In
        cell_id = getattr(info, "cell_id", None)
        self.cells[count] = CellRecord(_failed_line(getattr(result, "error_in_exec", None)), called,
                                       cell_id if isinstance(cell_id, str) else "")


def _failed_line(error: BaseException | None) -> int | None:
    """The line of the cell's top-level statement that raised ``error`` (0 when unknown)."""
    if error is None:
        return None
    tb = error.__traceback__
    while tb is not None:  # IPython's own frames first, then the cell's "<module>" frame
        if tb.tb_frame.f_code.co_name == "<module>":
            return tb.tb_lineno
        tb = tb.tb_next
    return 0


_RECORDER = _Recorder()
_INSTALLED: list[Any] = []


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext autograd_exercises.notebook``: record how cells end, start the sandbox early."""
    if not _INSTALLED:
        _RECORDER.running_check = False  # (a check() run before the hook: its cell was never recorded, fairness 60)
        ipython.events.register("pre_run_cell", _RECORDER.pre_run_cell)
        ipython.events.register("post_run_cell", _RECORDER.post_run_cell)
        _INSTALLED.append(ipython)
    with _quiet():
        _sandbox()


def unload_ipython_extension(ipython: Any) -> None:
    if _INSTALLED:
        with contextlib.suppress(ValueError):
            ipython.events.unregister("pre_run_cell", _RECORDER.pre_run_cell)
        with contextlib.suppress(ValueError):
            ipython.events.unregister("post_run_cell", _RECORDER.post_run_cell)
        _INSTALLED.clear()


# -- the kernel's code as a module ---------------------------------------------------------------

def _statements_before(cell: str, line: int) -> str:
    """``cell`` cut before the top-level statement that spans ``line`` (all of it if none does)."""
    try:
        body = ast.parse(cell).body
    except PARSE_ERRORS:
        return ""
    for node in body:
        first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        if first <= line <= (node.end_lineno or node.lineno):
            return "\n".join(cell.splitlines()[: first - 1])
    return cell if line > 0 else ""


def replayed_cells(history: list[str], records: dict[int, CellRecord]) -> Iterator[tuple[int, str]]:
    """``(execution count, code)`` of each history entry that becomes part of the graded module."""
    for number, cell in enumerate(history):
        if not cell or not cell.strip() or TEST_CELL_MARKER in cell:
            continue
        record = records.get(number)
        if record is None and number == len(history) - 1:
            continue  # the cell running this check (a cell is recorded when it ends)
        if record is not None and record.called_check:
            continue
        try:
            ast.parse(cell)
        except PARSE_ERRORS:
            continue  # never ran
        if record is not None and record.failed_line is not None:
            cell = _statements_before(cell, record.failed_line)
        if cell.strip():
            yield number, cell


def kernel_submission() -> Submission:
    """The code this IPython kernel ran (see the module docstring): one program cell per history entry."""
    from IPython import get_ipython

    shell = get_ipython()
    if shell is None:
        raise RuntimeError("check() runs inside a Jupyter notebook; from a terminal use: grade exercise-N FILE")
    lines: list[str] = []
    where: list[tuple[int, int]] = []
    program: list[CodeCell] = []
    ran: dict[str, tuple[int, str]] = {}  # cell id → (execution count, the code it last ran)
    for number, cell in replayed_cells(list(shell.user_ns.get("In", [])), _RECORDER.cells):
        plain = magics.rewrite(cell)
        code = plain.code.split("\n")
        program.append(CodeCell(number, len(lines) + 1, len(lines) + len(code)))
        lines += code + [""]
        where += [(number, line) for line in plain.origin] + [(number, max(plain.origin, default=1))]
        record = _RECORDER.cells.get(number)
        if record is not None and record.cell_id:
            ran[record.cell_id] = (number, plain.code)
    checked = {record.cell_id: number for number, record in _RECORDER.cells.items()
               if record.called_check and record.cell_id}  # the test cells' runs, and this one's, now
    if _RECORDER.current and isinstance(getattr(shell, "execution_count", None), int):
        checked[_RECORDER.current] = shell.execution_count
    notes = tuple(_order_notes(shell, ran, checked))
    return Submission("this notebook", ("\n".join(lines) + "\n").encode(), tuple(where), cell_label="In [{cell}]",
                      program=tuple(program), skipped=notes)


def _order_notes(shell: Any, ran: dict[str, tuple[int, str]], checked: dict[str, int] | None = None) -> list[str]:
    """Where the saved notebook, run top to bottom, would differ from what this kernel ran (see the module
    docstring); nothing when the notebook's file or the cells' ids are unknown. ``checked``: the execution count of
    each test cell's last run (a test run again below a fix written after it: walkthrough 67)."""
    import json

    from autograd_exercises.submission import _cell_text, _is_test_cell, order_notes

    path = shell.user_ns.get("__session__") or os.environ.get("JPY_SESSION_NAME")
    if not ran or not isinstance(path, str) or not path.endswith(".ipynb"):
        return []
    try:
        with open(path, encoding="utf-8") as handle:
            cells = json.load(handle)["cells"]
        document, tests = [], set()
        for number, cell in enumerate(cells, start=1):
            if not isinstance(cell, dict) or cell.get("cell_type") != "code":
                continue
            count, code = ran.get(cell.get("id") or "", (None, None))
            if _is_test_cell(cell):
                tests.add(number)
                code = ""  # (what it runs is the grader's: it may call any function of the notebook)
                count = (checked or {}).get(cell.get("id") or "", count)
            elif code is None:  # a cell this kernel has not run: its saved source
                code = magics.to_python(_cell_text(cell)).code
            document.append((number, code, count))
        return order_notes(document, frozenset(tests))
    except Exception:  # an unreadable or unusual file: no warning rather than a broken check
        return []


# -- grading ---------------------------------------------------------------------------------------

def _sandbox() -> Any:
    if not _SANDBOX:
        from autograd_exercises.sandbox import Sandbox

        _SANDBOX.append(Sandbox())
        atexit.register(_SANDBOX[0].close)
    return _SANDBOX[0]


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """No warnings, nothing on ``sys.stderr``, and file descriptor 2 sent to a scratch file."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    saved = scratch = None
    try:
        saved = os.dup(2)
        scratch = tempfile.TemporaryFile()
        os.dup2(scratch.fileno(), 2)
    except OSError:
        saved = None
    try:
        with warnings.catch_warnings(), contextlib.redirect_stderr(io.StringIO()):
            warnings.simplefilter("ignore")
            yield
    finally:
        if saved is not None:
            os.dup2(saved, 2)
            os.close(saved)
        if scratch is not None:
            scratch.close()


def notebook_seed() -> int:
    """The seed notebook grading uses: ``AUTOGRAD_SEED`` if set, else :data:`NOTEBOOK_SEED`.

    The in-kernel test cells and ``nbgrader autograde`` (``autograd_exercises/autograde.py``)
    both read it here, so they grade the same inputs.
    """
    value = os.environ.get("AUTOGRAD_SEED", "").strip()
    if not value:
        return NOTEBOOK_SEED
    try:
        seed = int(value)
    except ValueError:
        seed = -1
    if seed < 0:  # (as --seed: a whole number, 0 or more)
        raise ValueError(f"AUTOGRAD_SEED must be a whole number, 0 or more, got {value!r}")
    return seed


def run_check(exercise_slug: str, check_name: str) -> Any:
    """Grade one check of the kernel's code; returns the CheckResult, with what the whole run noted
    (the order warnings, a cell past its budget) in ``notes`` after the check's own. The visible checks of the
    functions it calls are graded beside it, unshown: a failure they cause is named (:func:`grading.helper_checks`)."""
    import graders
    from autograd_exercises import grading

    exercise = graders.find(exercise_slug)
    check_spec = exercise.check(check_name)
    seed = notebook_seed()
    submission = kernel_submission()
    checks = [check_spec, *grading.helper_checks(exercise, check_spec, submission)]  # (to name a failing helper)
    result = grading.grade(exercise, submission, sandbox=_sandbox(), seed=seed, checks=checks)
    outcome = next(graded for graded in result.checks if graded.name == check_name)
    outcome.notes = [*outcome.notes, *result.notes]
    return outcome


def check(exercise_slug: str, check_name: str) -> None:
    """Run one check; print the verdict, raise :class:`CheckFailed` if it failed."""
    _RECORDER.running_check = bool(_INSTALLED)  # (the hook that records this cell as a check's, once loaded)
    with _quiet():
        outcome = run_check(exercise_slug, check_name)
    for note in outcome.notes:
        print(f"note: {note}")
    if not outcome.passed:
        raise CheckFailed(f"{check_name}: {outcome.feedback}")
    print(f"✓ {check_name}: {outcome.points:g}/{outcome.max_points:g} points")
    sys.stdout.flush()
