"""The graders: one module per exercise, each defining ``EXERCISE``.

The registry is this explicit tuple, in course order; nothing is discovered.
"""

from __future__ import annotations

from autograd_exercises.spec import Exercise
from graders import exercise_1
from graders import exercise_2
from graders import exercise_3
from graders import exercise_4
from graders import exercise_5
from graders import exercise_6

EXERCISES: tuple[Exercise, ...] = (
    exercise_1.EXERCISE,
    exercise_2.EXERCISE,
    exercise_3.EXERCISE,
    exercise_4.EXERCISE,
    exercise_5.EXERCISE,
    exercise_6.EXERCISE,
)


def find(slug: str) -> Exercise:
    """The exercise called ``slug`` ("exercise-2"; "2" and "exercise_2" work too)."""
    wanted = slug.strip().lower().replace("_", "-")
    if wanted.isdigit():
        wanted = f"exercise-{wanted}"
    for exercise in EXERCISES:
        if exercise.slug == wanted:
            return exercise
    names = ", ".join(exercise.slug for exercise in EXERCISES)
    raise LookupError(f"no exercise named {slug!r} (choose from {names})")
