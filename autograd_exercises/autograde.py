"""The official grade of a notebook, out of the kernel: what ``nbgrader autograde`` records.

The test cells of a notebook call :func:`autograd_exercises.notebook.check` in the
student's own kernel. That is right for live feedback while they work, and wrong
for a grade: the student owns that interpreter, so a solution cell can replace
``check`` (or ``builtins``, ``importlib``, ``sys.modules``) before any test cell
runs. :func:`grade_notebook` therefore starts no kernel. It reads the notebook's
code cells exactly as ``grade exercise-N file.ipynb`` does
(:func:`~autograd_exercises.submission.notebook_source`: test cells left out),
grades them with :func:`~autograd_exercises.grading.grade` (student code in the
sandbox, inputs and references in this process), then writes each test cell's
verdict into that cell the way nbgrader scores it (``nbgrader/utils.py:
determine_grade``): a passed check is a ``stdout`` stream (full points), a
failed one an ``error`` output carrying our feedback (zero).

**Which check a test cell stands for** is read from the cell's source, the call
``check('exercise-2', 'forward_values')`` under :data:`TEST_CELL_MARKER`. Run it
on the notebook as nbgrader has sanitised it (``OverwriteCells`` puts every
locked cell's source, points and metadata back from the gradebook and drops grade
ids the gradebook does not know; ``DeduplicateIds`` strips copies), so nothing a
student edits picks the check. A grade cell that is not one of ours scores zero
with a message: without a kernel it cannot run.

:class:`autograd_exercises.nbgrader_step.GradeOutOfKernel` is the nbgrader step
that calls this; ``grade class --gradebook`` calls it too, so both write the same
grades. Nothing here imports nbgrader; torch is imported on first use, after the
sandbox server has started (:func:`shared_sandbox`).
"""

from __future__ import annotations

import atexit
import json
from dataclasses import dataclass, replace
from typing import Any

from autograd_exercises.submission import (
    TEST_CELL_MARKER, SubmissionError, check_call, nbgrader_metadata, notebook_source, quietly,
)

__all__ = ["FAILED_NAME", "GradeCell", "check_call", "grade_cells", "grade_notebook", "shared_sandbox"]

FAILED_NAME = "CheckFailed"  # the exception the in-kernel check raises: same look in both paths
_SANDBOX: list[Any] = []


@dataclass(frozen=True)
class GradeCell:
    """A grade cell of the notebook, and the check it stands for (or why it cannot be graded)."""

    index: int  # position in ``nb.cells``
    slug: str = ""
    check: str = ""
    problem: str = ""  # non-empty: this cell scores zero with this message


def shared_sandbox() -> Any:
    """One sandbox for the whole process (one ``nbgrader autograde`` run), closed at exit."""
    if not _SANDBOX:
        from autograd_exercises.sandbox import Sandbox

        _SANDBOX.append(Sandbox())
        atexit.register(_SANDBOX[0].close)
    return _SANDBOX[0]


def _source(cell: Any) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _is_grade_cell(cell: Any) -> bool:
    """A code cell nbgrader scores from its outputs (``grade`` and not ``solution``)."""
    if not isinstance(cell, dict) or cell.get("cell_type") != "code":
        return False
    meta = nbgrader_metadata(cell)
    return bool(meta.get("grade")) and not meta.get("solution")


def _grade_cell(index: int, cell: Any) -> GradeCell:
    """What grade cell ``index`` asks for, checked against the registry."""
    import graders

    call = check_call(_source(cell))
    if call is None:
        return GradeCell(index, problem="this grade cell is not an autograd-exercises test cell "
                                       "(no check('exercise-N', 'name') call): it cannot be graded "
                                       "without a kernel; grade it by hand")
    slug, name = call
    try:
        exercise = graders.find(slug)
        exercise.check(name)
    except LookupError as exc:  # no such exercise (LookupError) or check (KeyError)
        return GradeCell(index, slug, name, problem=f"this test cell names no known check: {exc.args[0]}")
    return GradeCell(index, exercise.slug, name)


def grade_cells(nb: Any) -> list[GradeCell]:
    """Every grade cell of ``nb``, in order."""
    cells = nb.get("cells") if isinstance(nb, dict) else None
    return [_grade_cell(index, cell) for index, cell in enumerate(cells if isinstance(cells, list) else [])
            if _is_grade_cell(cell)]


# -- outputs as nbgrader reads them ----------------------------------------------------------------

def _node(value: dict) -> Any:
    """``value`` as an nbformat NotebookNode when nbformat is there (nbgrader reads attributes)."""
    try:
        from nbformat import from_dict
    except ImportError:
        return value
    return from_dict(value)


def _stdout(lines: list[str]) -> dict:
    return {"output_type": "stream", "name": "stdout", "text": "".join(f"{line}\n" for line in lines)}


def _error(message: str) -> dict:
    return {"output_type": "error", "ename": FAILED_NAME, "evalue": message,
            "traceback": [f"{FAILED_NAME}: {message}"]}


def passed_outputs(check: Any) -> list[dict]:
    """A passed check: its notes and ``✓ name: 2/2 points``, as the in-kernel check prints them."""
    return [_stdout([f"note: {note}" for note in check.notes]
                    + [f"✓ {check.name}: {check.points:g}/{check.max_points:g} points"])]


def failed_outputs(name: str, feedback: str, notes: list[str]) -> list[dict]:
    """A failed check (or a cell that cannot be graded): notes on stdout, then the error nbgrader scores 0."""
    outputs = [_stdout([f"note: {note}" for note in notes])] if notes else []
    return outputs + [_error(f"{name}: {feedback}" if name else feedback)]


def _fill(cell: Any, outputs: list[dict]) -> None:
    cell["outputs"] = [_node(output) for output in outputs]
    cell["execution_count"] = None  # no kernel ran it


# -- grading ---------------------------------------------------------------------------------------

def _grade_exercise(slug: str, names: list[str], source: Any, *, sandbox: Any, seed: int,
                    timeout: float | None, cell_timeout: float | None = None) -> Any:
    """``grading.grade`` of one exercise, only the checks named (in the exercise's order)."""
    import graders
    from autograd_exercises import grading

    exercise = graders.find(slug)
    checks = [check for check in exercise.checks if check.name in names]
    options = {} if timeout is None else {"timeout": timeout}
    if cell_timeout is not None:
        options["cell_timeout"] = cell_timeout
    return grading.grade(exercise, source, sandbox=sandbox, seed=seed, checks=checks, **options)


@quietly()  # (nbgrader's log shows no warning about the student's code, as a kernel's run would not)
def grade_notebook(nb: Any, *, sandbox: Any, seed: int, path: str = "notebook.ipynb",
                   timeout: float | None = None, cell_timeout: float | None = None,
                   only: str | None = None) -> list[Any]:
    """Grade ``nb`` out of the kernel and write every grade cell's verdict into it; returns the results.

    ``nb`` is a notebook node (or its plain dict), ideally after nbgrader's sanitising steps.
    Every grade cell gets outputs: the verdict of its check, or a zero with the reason (not
    one of our test cells, an unknown check, a notebook that cannot be read or graded). Other
    cells are left as they are. Returns one ``ExerciseResult`` per exercise its test cells name
    (normally one). Never raises for a bad notebook; ``path`` only names it in messages. The cells run in
    document order, each within ``cell_timeout`` seconds (default: nbgrader's cell timeout), and each check
    judges the notebook as it stands at its test cell, as a kernel would. With ``only`` (an exercise's slug: ``grade
    class``'s assignment), a test cell of another exercise is not graded, and says so: a notebook holding every
    exercise's test cells would have its grading take as long as six.
    """
    cells = [replace(cell, problem=f"this test cell is of {cell.slug}, and this notebook is graded as {only}: not "
                                   "graded") if not cell.problem and only is not None and cell.slug != only else cell
             for cell in grade_cells(nb)]
    for cell in cells:
        if cell.problem:
            _fill(nb["cells"][cell.index], failed_outputs("", cell.problem, []))
    wanted = [cell for cell in cells if not cell.problem]
    if not wanted:
        return []
    try:
        submission = notebook_source(path, json.dumps(nb))
    except (SubmissionError, TypeError, ValueError) as exc:
        for cell in wanted:
            _fill(nb["cells"][cell.index], failed_outputs(cell.check, f"could not read the notebook: {exc}", []))
        return []
    results = []
    for slug in dict.fromkeys(cell.slug for cell in wanted):
        mine = [cell for cell in wanted if cell.slug == slug]
        try:
            result = _grade_exercise(slug, [cell.check for cell in mine], submission,
                                     sandbox=sandbox, seed=seed, timeout=timeout, cell_timeout=cell_timeout)
        except Exception as exc:  # the sandbox could not run at all: zero, say why, the run goes on
            for cell in mine:
                _fill(nb["cells"][cell.index],
                      failed_outputs(cell.check, f"could not grade this notebook ({type(exc).__name__}: {exc})", []))
            continue
        outcome = {check.name: check for check in result.checks}
        for cell in mine:
            check = outcome[cell.check]
            _fill(nb["cells"][cell.index], passed_outputs(check) if check.passed else
                  failed_outputs(check.name, check.feedback, check.notes + result.notes))
        results.append(result)
    return results
