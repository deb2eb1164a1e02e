"""The exercise list without torch: slug, module, title and points of each exercise, in course order.

It is read from ``exercises.json``, a file ``grade build`` generates from the
graders' registry (``graders.EXERCISES``) and ``tests/test_generated.py``
checks for drift, so there is one hand-written list only. ``grade list``,
``grade start`` and the choice of files to grade use it: they need no torch.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Iterable

INDEX = "exercises.json"


class FileNames:
    """The student's file names of an exercise with a ``slug`` and a ``module``: the one rule for the stub, the
    notebook and what a submission is compiled as (:class:`Info`, :class:`autograd_exercises.spec.Exercise`)."""

    slug: str
    module: str

    @property
    def notebook(self) -> str:
        """The student's notebook file name, ``exercise-2.ipynb``."""
        return f"{self.slug}.ipynb"

    @property
    def stub(self) -> str:
        """The student's module file name, ``exercise_2.py``."""
        return f"{self.module}.py"


@dataclass(frozen=True)
class Info(FileNames):
    """What the command line needs to know about an exercise before grading it."""

    slug: str  # "exercise-2"
    module: str  # "exercise_2": the student's .py file is <module>.py
    title: str
    points: float
    calls: tuple[tuple[int, bool], ...] = ()  # each child's most calls, and whether it makes the by-hand one


def index_text(exercises: Iterable[Any]) -> str:
    """The text of ``exercises.json`` for registry entries (objects with slug, module, title, max_score, most_calls)."""
    rows = []
    for exercise in exercises:
        points = exercise.max_score
        rows.append({"slug": exercise.slug, "module": exercise.module, "title": exercise.title,
                     "points": int(points) if float(points).is_integer() else points,
                     "calls": [list(part) for part in exercise.most_calls()]})
    document = {"generated": "by `grade build` from graders.EXERCISES: do not edit", "exercises": rows}
    return json.dumps(document, indent=1, ensure_ascii=False) + "\n"


@lru_cache(maxsize=1)
def exercises() -> tuple[Info, ...]:
    """Every exercise, in course order, from the package's ``exercises.json``."""
    text = resources.files("autograd_exercises").joinpath(INDEX).read_text(encoding="utf-8")
    return tuple(Info(row["slug"], row["module"], row["title"], row["points"],
                      tuple((int(count), bool(by_hand)) for count, by_hand in row.get("calls", ())))
                 for row in json.loads(text)["exercises"])


_NAME = re.compile(r"^(exercise[-_]?)?(\d+)$", re.IGNORECASE)


def slug_of(name: str) -> str | None:
    """The slug every way of writing an exercise's name stands for: "exercise-2" for "exercise-2", "exercise_2",
    "Exercise2", "exercise_02" and "2"; None for a name of no exercise's form (whether that exercise exists is
    :func:`find`'s to say: "99" is "exercise-99"). Walkthrough 71: the command line, this index and the graders'
    registry each read names their own way, and "exercise_02" was found by only one."""
    match = _NAME.match(name.strip())
    return f"exercise-{int(match.group(2))}" if match else None


def find(slug: str) -> Info:
    """The exercise called ``slug`` (any way :func:`slug_of` reads); LookupError otherwise.

    The message matches ``graders.find``'s.
    """
    wanted = slug_of(slug)
    for info in exercises():
        if info.slug == wanted:
            return info
    names = ", ".join(info.slug for info in exercises())
    raise LookupError(f"no exercise named {slug!r} (choose from {names})")
