"""Gradescope ``results.json``: ``score``, ``max_score``, ``execution_time``, ``tests[]``.

Field names follow Gradescope's autograder specification; our own additions
(seed, tolerances, isolation layers, notes) sit beside them, and Gradescope
ignores keys it does not know. What a student sees before grades are published says nothing of the hidden checks:
the top-level output's score and ``execution_time`` are the visible checks' (red teams 168 and 169 read a hidden
check's point off the whole score, and its secret inputs off the time its run took).
"""

from __future__ import annotations

import json
from typing import Any, Sequence

from autograd_exercises.reports import size
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
        "extra_data": {"tolerance": check.tolerance, "notes": check.notes, "seconds": check.wall,
                       "mistake": check.mistake or None},
    }


def summary_lines(result: ExerciseResult, *, hidden_shown: bool = True) -> list[str]:
    """The result's lines in the top-level ``output``: score (and which file, when there was a choice), then why.
    ``hidden_shown=False`` (Gradescope, which shows hidden checks once grades are published): the visible checks'
    score alone, where the submission ran (red team 168: the whole score told what the hidden checks earned)."""
    shown = [check for check in result.checks if hidden_shown or not check.hidden]  # (where nothing ran too: one scale
    # for every submission, walkthrough 62)
    score, top = (round(sum(getattr(check, key) for check in shown), 6) for key in ("points", "max_points"))
    head = f"{result.exercise}: {score:g}/{top:g}"
    if result.choice:
        head += f" (graded {result.file_name}: {result.choice})"
    hidden = [f"{result.exercise}: {result.hidden_note}"] if result.hidden_note else []
    if len(shown) < len(result.checks):
        count, points = len(result.checks) - len(shown), sum(c.max_points for c in result.checks if c.hidden)
        hidden.append(f"{result.exercise}: that is the visible checks' score; {count} hidden "
                      f"check{'s' if count != 1 else ''} ({points:g} point{'s' if points != 1 else ''}) "
                      f"{'show' if count != 1 else 'shows'} once grades are published")
    return [head] + ([result.problem] if result.problem else []) + [f"note: {note}" for note in result.notes] + hidden


def as_dict(results: Sequence[ExerciseResult], not_started: Sequence[Any] = ()) -> dict:
    """The whole ``results.json`` document for one or more exercises.

    The graded file appears by name only: a student's result never carries the grading machine's paths.
    """
    lines = [line for r in results for line in summary_lines(r, hidden_shown=False)]
    if not_started:
        lines.append("not started: " + ", ".join(exercise.slug for exercise in not_started))
    return size.fit({
        "score": round(sum(r.score for r in results), 6),
        "max_score": round(sum(r.max_score for r in results), 6),
        "execution_time": round(sum(check.wall for r in results for check in r.checks if not check.hidden), 3),
        "output": "\n".join(lines),
        "output_format": "text",  # student-written text (file names, what the code printed) is never markup
        "test_output_format": "text",
        "test_name_format": "text",
        "tests": [test_entry(r, check) for r in results for check in r.checks],
        "extra_data": {
            "seed": results[0].seed if results else None,
            "exercises": [
                {"exercise": r.exercise, "title": r.title, "submission": r.file_name, "choice": r.choice,
                 "problem": r.problem, "seed": r.seed, "score": r.score, "max_score": r.max_score,
                 "isolation": r.isolation, "hidden_checks_not_run": r.hidden_not_run}
                for r in results
            ],
            "not_started": [{"exercise": e.slug, "title": e.title, "max_score": e.points} for e in not_started],
            "hidden_checks_not_run": {key: sum(r.hidden_not_run.get(key, 0) for r in results)
                                      for key in ("checks", "points")},
        },
    })


def render(results: Sequence[ExerciseResult], *, not_started: Sequence[Any] = (), **_: object) -> str:
    return json.dumps(as_dict(results, not_started), indent=2) + "\n"
