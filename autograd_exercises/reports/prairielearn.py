"""PrairieLearn's external-grader ``results.json``: ``gradable``, ``score`` in 0..1, ``message``, ``tests[]``.

Field names follow PrairieLearn's external grading documentation: each test has ``name``,
``description``, ``points``, ``max_points``, ``message`` and ``output``, which its
``<pl-external-grader-results>`` element renders. PrairieLearn shows every test to the student at
once (it has no "after published"), so a hidden check appears only as ``hidden check N`` with its
points and passed/failed, never its name or feedback. A graded submission is always ``gradable``
(a syntax error is graded zero with its line, as everywhere else); ``run.sh`` writes
``"gradable": false`` itself when there was nothing it could grade. Keys PrairieLearn does not know
(``seed``, ``exercises``) are kept beside the others, as its format allows.
"""

from __future__ import annotations

import json
from typing import Any, Sequence

from autograd_exercises.reports import size
from autograd_exercises.reports.gradescope import summary_lines
from autograd_exercises.results import CheckResult, ExerciseResult

HIDDEN_MESSAGE = "a hidden check: your course keeps its details to itself"


def _output(check: CheckResult) -> str:
    lines = [f"note: {note}" for note in check.notes]
    if check.output.strip():
        lines.append("your code printed:\n" + check.output.rstrip())
    return "\n".join(lines)


def test_entries(result: ExerciseResult) -> list[dict]:
    """One ``tests[]`` item per check, hidden checks numbered instead of named."""
    entries, hidden = [], 0
    for check in result.checks:
        if check.hidden:
            hidden += 1
            name, description = f"{result.exercise}: hidden check {hidden}", HIDDEN_MESSAGE
            message, output = ("passed" if check.passed else "failed"), ""
        else:
            name, description = f"{result.exercise}: {check.name}", check.description
            message, output = check.feedback or "ok", _output(check)
        entries.append({"name": name, "description": description, "points": check.points,
                        "max_points": check.max_points, "message": message, "output": output})
    return entries


def as_dict(results: Sequence[ExerciseResult], not_started: Sequence[Any] = ()) -> dict:
    """The whole ``results.json`` document; the graded file appears by name only."""
    total, best = sum(r.score for r in results), sum(r.max_score for r in results)
    lines = [line for result in results for line in summary_lines(result)]
    if not_started:
        lines.append("not started: " + ", ".join(exercise.slug for exercise in not_started))
    return size.fit({
        "gradable": True,
        "score": round(min(max(total / best, 0.0), 1.0), 6) if best else 0.0,
        "message": "\n".join(lines),
        "output": "",
        "tests": [entry for result in results for entry in test_entries(result)],
        "seed": results[0].seed if results else None,
        "exercises": [{"exercise": r.exercise, "submission": r.file_name, "score": r.score,
                       "max_score": r.max_score, "seed": r.seed, "isolation": r.isolation} for r in results],
    })


def render(results: Sequence[ExerciseResult], *, not_started: Sequence[Any] = (), **_: object) -> str:
    return json.dumps(as_dict(results, not_started), indent=2) + "\n"
