"""Gradescope ``results.json``: ``score``, ``max_score``, ``execution_time``, ``tests[]``.

Field names follow Gradescope's autograder specification; our own additions
(seed, tolerances, isolation layers, notes) sit beside them, and Gradescope
ignores keys it does not know.
"""

from __future__ import annotations

import json
from typing import Sequence

from autograd_exercises.results import CheckResult, ExerciseResult


def _output(check: CheckResult) -> str:
    lines = [check.description]
    if check.feedback:
        lines.append(check.feedback)
    lines += [f"note: {note}" for note in check.notes]
    if check.output.strip():
        lines.append("your code printed:\n" + check.output.rstrip())
    return "\n".join(lines)


def test_entry(exercise: ExerciseResult, check: CheckResult) -> dict:
    """One ``tests[]`` item."""
    return {
        "name": f"{exercise.exercise}: {check.name}",
        "name_format": "text",
        "score": check.points,
        "max_score": check.max_points,
        "status": "passed" if check.passed else "failed",
        "output": _output(check),
        "output_format": "text",
        "visibility": "after_published" if check.hidden else "visible",
        "tags": [exercise.exercise, check.function],
        "extra_data": {"tolerance": check.tolerance, "notes": check.notes, "seconds": check.wall},
    }


def as_dict(results: Sequence[ExerciseResult]) -> dict:
    """The whole ``results.json`` document for one or more exercises."""
    return {
        "score": round(sum(r.score for r in results), 6),
        "max_score": round(sum(r.max_score for r in results), 6),
        "execution_time": round(sum(r.execution_time for r in results), 3),
        "output": "\n".join([f"{r.exercise}: {r.score:g}/{r.max_score:g}" for r in results]
                            + [f"note: {note}" for r in results for note in r.notes]
                            + [f"{r.exercise}: {r.hidden_note}" for r in results if r.hidden_note]),
        "tests": [test_entry(r, check) for r in results for check in r.checks],
        "extra_data": {
            "seed": results[0].seed if results else None,
            "exercises": [
                {"exercise": r.exercise, "title": r.title, "submission": r.submission, "seed": r.seed,
                 "score": r.score, "max_score": r.max_score, "isolation": r.isolation,
                 "hidden_checks_not_run": r.hidden_not_run}
                for r in results
            ],
            "hidden_checks_not_run": {key: sum(r.hidden_not_run.get(key, 0) for r in results)
                                      for key in ("checks", "points")},
        },
    }


def render(results: Sequence[ExerciseResult], **_: object) -> str:
    return json.dumps(as_dict(results), indent=2) + "\n"
