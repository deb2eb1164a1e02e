"""The hidden checks: instructor-only, left out of the student wheel (``pyproject.toml``).

One module per exercise, each defining ``PLACED``: ``(the check it follows, hidden
check)`` pairs, in course order. :mod:`graders` places them among the visible checks
when this package is importable (a source checkout: ``grade build``, nbgrader,
autograder bundles); a student install grades the visible checks and says how many
hidden ones it could not run.
"""

from __future__ import annotations

from graders.hidden import exercise_1, exercise_2, exercise_3, exercise_4, exercise_5, exercise_6

PLACED = {
    "exercise-1": exercise_1.PLACED,
    "exercise-2": exercise_2.PLACED,
    "exercise-3": exercise_3.PLACED,
    "exercise-4": exercise_4.PLACED,
    "exercise-5": exercise_5.PLACED,
    "exercise-6": exercise_6.PLACED,
}
