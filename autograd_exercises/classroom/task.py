"""Grading one submission: a pure function every executor runs, ``Task`` in, row out.

A :class:`Task` carries the submission's bytes and the exercise's name, never a path: a
worker on another machine can run it. :func:`grade_task` grades it in the worker's sandbox
and returns a *row*, a plain dict (JSON-serialisable) with everything the instructor's process
writes: the score per check, the status, the Gradescope ``results.json`` and the student's text
feedback, already rendered. It never raises: whatever goes wrong becomes the row's reason.

Rows: ``status`` is ``graded`` (the file was read and graded, perhaps zero: a syntax error is
graded) or ``could-not-grade`` (an empty or unreadable file, two files for one exercise, the
grader failing): then every check is zero and ``reason`` says why.
"""

from __future__ import annotations

import datetime
import hashlib
import time
from dataclasses import dataclass, replace
from typing import Any

from autograd_exercises.budget import DEFAULT_CELL_TIMEOUT
from autograd_exercises.printable import printable

GRADED, COULD_NOT_GRADE = "graded", "could-not-grade"
STILL = "still-grading"  # not a row: an executor's word on the tasks it has been grading long (:func:`still_row`)


@dataclass(frozen=True)
class Task:
    """One submission of one exercise to grade (plain data: picklable, JSON-able but for ``data``)."""

    student: str
    exercise: str  # slug
    filename: str  # the file's name, without folders ("exercise_2.py", "bob.ipynb")
    data: bytes
    seed: int
    timeout: float
    kind: str = "py"  # "py" or "ipynb"
    problem: str = ""  # decided before grading (two files, no file): zero, not run
    notebook_cells: bool = False  # grade like nbgrader's autograde (autograde.grade_notebook); cells come back
    one_child: bool = True  # all checks in one child first (grading.grade)
    key: str = ""  # the cache key, echoed in the row
    cell_timeout: float = DEFAULT_CELL_TIMEOUT  # seconds each notebook cell may run (or the course's config's)


AGAIN = "again"  # a row's flag: the grader itself failed on it (not the submission), so the cache does not keep it
# from the next run, which grades it again (red team 227: a zero for the grader's failure stayed until --regrade)
STUCK_AFTER = 120.0  # seconds a worker may take past its task's budgets (a sandbox server started again, judging)


def most_seconds(task: Task) -> float:
    """Seconds a worker may spend on ``task`` before an executor takes it for stuck: every budget the children that
    grade it have (:func:`~autograd_exercises.budget.most_time`, at its exercise's most calls and its cell budget), a
    tenth more, and :data:`STUCK_AFTER`. The budgets end first, so a submission
    gets the same grade in a class as alone (a notebook with 80 s of honest cells once took a class's 140 s)."""
    from autograd_exercises import budget, catalog

    calls = catalog.find(task.exercise).calls
    return STUCK_AFTER + 1.1 * budget.most_time(calls, notebook=task.kind == "ipynb", timeout=task.timeout,
                                                cell_timeout=task.cell_timeout)


def still_row(running: list[tuple[Task, float]]) -> dict[str, Any]:
    """What an executor yields, between rows, of the tasks it has graded for long: their students, exercises and
    seconds so far (a notebook's cells or a check running out their budgets; the batch prints it)."""
    return {"status": STILL, "running": [(task.student, task.exercise, seconds) for task, seconds in running]}


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def digest_of(task: Task) -> str:
    """The sha256 of the file a row grades; ``""`` where it grades none (two files for one exercise, no file: decided
    before grading), not the digest of no bytes."""
    return "" if task.problem and not task.data else sha256(task.data)


def now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def read_submission(filename: str, data: bytes, kind: str) -> Any:
    """``data`` as a :class:`~autograd_exercises.submission.Submission` (what ``submission.load`` does for a file).

    Raises ``SubmissionError`` for a file that is not a submission (a notebook that is not JSON, …).
    """
    from autograd_exercises import submission

    if not data.strip():
        raise submission.SubmissionError(f"{filename} is empty")
    submission.check_size(filename, len(data), len(data) if kind == "py" else 0,
                          braces=submission.module_braces(data) if kind == "py" else 0, notebook=kind == "ipynb")
    if kind == "ipynb":
        return submission.notebook_source(filename, data.decode("utf-8", "replace"))
    return submission.module_source(filename, data)


def _feedback(result: Any) -> str:
    """The text report a student sees: the visible checks, and how many hidden ones were graded."""
    from autograd_exercises.reports import text

    hidden = [check for check in result.checks if check.hidden]
    visible = replace(result, checks=[check for check in result.checks if not check.hidden], hidden_not_run={})
    report = text.render([visible], color=False, width=100)
    if hidden:
        points = sum(check.max_points for check in hidden)
        report += (f"plus {len(hidden)} hidden check{'s' if len(hidden) != 1 else ''} ({points:g} point"
                   f"{'s' if points != 1 else ''}), graded but not shown here\n")
    return printable(report, keep="\n")  # a quoted line of the student's may hold an escape sequence


def _row(task: Task, result: Any, status: str, reason: str, *, cells: Any = None, started: float,
         program: str | None = None) -> dict[str, Any]:
    from autograd_exercises.classroom.similar import fingerprint as digest
    from autograd_exercises.mistakes import WRONG_VALUE
    from autograd_exercises.reports import gradescope

    fingerprint = digest(task.data, task.kind, program) if status == GRADED else None
    mistakes = {check.name: check.mistake or WRONG_VALUE for check in result.checks if not check.passed}

    return {
        "key": task.key, "student": task.student, "exercise": task.exercise, "file": task.filename,
        "sha256": digest_of(task), "seed": task.seed, "status": status, "reason": reason,
        "note": "; ".join(" ".join(part.split()) for part in (result.problem, *result.notes) if part)
                if status == GRADED else "",  # (walkthrough 65: a notebook cell stopped at its budget said so nowhere here)
        "score": result.score, "max_score": result.max_score,
        "checks": {check.name: [check.points, check.max_points] for check in result.checks},
        "mistakes": mistakes, "descriptions": _descriptions(task.exercise, set(mistakes.values())),
        "fingerprint": fingerprint,
        "result": result.as_dict(),
        "results_json": gradescope.render([result]),
        "feedback": _feedback(result),
        "cells": cells, "graded_at": now(), "seconds": round(time.perf_counter() - started, 4),
    }


def _descriptions(slug: str, codes: set[str]) -> dict[str, str]:
    """What each of ``codes`` means, as the exercise's grader declares it (or as every exercise shares it)."""
    import graders
    from autograd_exercises.mistakes import COMMON

    declared = {**COMMON, **dict(graders.find(slug).mistakes)}
    return {code: " ".join(declared[code].split()) for code in sorted(codes) if code in declared}


def _zero(task: Task, reason: str, started: float) -> dict[str, Any]:
    import graders
    from autograd_exercises import session

    result = session.zero(graders.find(task.exercise), task.seed, "not graded (see above)", reason, "not-graded")
    result.submission = ""  # (no file was graded: the report's "graded <file>" line would say one was, walkthrough 69)
    return _row(task, result, COULD_NOT_GRADE, reason, started=started)


def _cell_outputs(nb: dict) -> dict[str, list]:
    """Each grade cell's outputs, by cell index (as text keys: rows are JSON)."""
    from autograd_exercises import autograde

    return {str(cell.index): [dict(output) for output in nb["cells"][cell.index].get("outputs", [])]
            for cell in autograde.grade_cells(nb)}


def _grade_cells(task: Task, sandbox: Any, started: float) -> dict[str, Any]:
    """A notebook graded as ``nbgrader autograde`` grades it: ``grade_notebook`` fills the test cells."""
    import graders
    from autograd_exercises import autograde, session, submission

    try:
        nb = submission.notebook_json(task.filename, task.data.decode("utf-8", "replace"))
    except submission.SubmissionError as exc:
        return _zero(task, str(exc), started)
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        return _zero(task, f"{task.filename} is not a Jupyter notebook: it has no list of cells", started)
    exercise = graders.find(task.exercise)
    results = autograde.grade_notebook(nb, sandbox=sandbox, seed=task.seed, path=task.filename,
                                       timeout=task.timeout, cell_timeout=task.cell_timeout, only=exercise.slug)
    result = next((r for r in results if r.exercise == exercise.slug), None)
    if result is None:
        result = session.zero(exercise, task.seed, "no test cell of this check in the notebook",
                              f"{task.filename} has no test cell of {exercise.slug} that can be graded", "no-test-cell")
    graded = {check.name for check in result.checks}
    missing = [check for check in session.zero(exercise, task.seed, "no test cell of this check in the notebook",
                                               "", "no-test-cell").checks if check.name not in graded]
    if missing:
        order = [check.name for check in exercise.checks]
        result.checks = sorted(result.checks + missing, key=lambda check: order.index(check.name))
    result.submission = task.filename
    return _row(task, result, GRADED, "", cells=_cell_outputs(nb), started=started)


def grade_task(task: Task, sandbox: Any) -> dict[str, Any]:
    """Grade ``task`` in ``sandbox``; the row (never raises)."""
    from autograd_exercises.submission import quietly

    with quietly():
        return _graded(task, sandbox)


def _graded(task: Task, sandbox: Any) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        from autograd_exercises import grading, session
        from autograd_exercises.submission import SubmissionError

        if task.problem:
            return _zero(task, task.problem, started)
        if task.notebook_cells:
            return _grade_cells(task, sandbox, started)
        try:
            sub = read_submission(task.filename, task.data, task.kind)
        except SubmissionError as exc:
            return _zero(task, str(exc), started)
        import graders

        exercise = graders.find(task.exercise)
        if sub.problem:
            result = session.zero(exercise, task.seed, "not run (see above)", sub.problem,
                                  session.problem_code(sub.problem))
        else:
            result = session.explain(grading.grade(exercise, sub, sandbox=sandbox, seed=task.seed, timeout=task.timeout,
                                                   one_child=task.one_child, cell_timeout=task.cell_timeout), sub)
        result.submission = task.filename
        return _row(task, result, GRADED, "", started=started, program=sub.source.decode("utf-8", "replace"))
    except Exception as exc:  # the grader itself failed (not the student): this submission only
        reason = f"the grader failed on this submission ({type(exc).__name__}: {exc})"
        try:
            return {**_zero(task, reason, started), AGAIN: True}
        except Exception:
            return {"key": task.key, "student": task.student, "exercise": task.exercise, "file": task.filename,
                    "sha256": digest_of(task), "seed": task.seed, "status": COULD_NOT_GRADE, "reason": reason,
                    "note": "", "score": 0.0, "max_score": 0.0, "checks": {}, "mistakes": {}, "fingerprint": None,
                    "result": None, "results_json": "",
                    "feedback": "", "cells": None, "graded_at": now(), "seconds": 0.0, AGAIN: True}


def result_of(row: dict[str, Any]) -> Any:
    """The row's :class:`~autograd_exercises.results.ExerciseResult` (for the JUnit report)."""
    from autograd_exercises.results import CheckResult, ExerciseResult

    data = dict(row["result"])
    data.pop("score", None)
    data.pop("max_score", None)
    data["checks"] = [CheckResult(**check) for check in data["checks"]]
    return ExerciseResult(**data)

