"""The graders: one module per exercise, each defining ``VISIBLE`` and ``HIDDEN``.

``VISIBLE`` is the exercise with its visible checks; ``HIDDEN`` says how many hidden
checks it has and their points (numbers only). The hidden checks themselves live in
:mod:`graders.hidden`, which only a source checkout has: the student wheel leaves it
out. Each exercise is assembled here from both, hidden checks placed where the
course lists them; without :mod:`graders.hidden`, from the visible checks alone.

The registry is this explicit tuple, in course order; nothing is discovered.
"""

from __future__ import annotations

import importlib

from dataclasses import replace
from typing import Sequence

from autograd_exercises import catalog, mistakes
from autograd_exercises.spec import Check, Exercise, HiddenCount
from graders import exercise_1
from graders import exercise_2
from graders import exercise_3
from graders import exercise_4
from graders import exercise_5
from graders import exercise_6

Placed = tuple[str, Check]  # (the check it follows, a hidden check)


def hidden_checks() -> dict[str, Sequence[Placed]] | None:
    """Every exercise's hidden checks by slug, or ``None`` where this install has none (a student's)."""
    try:
        hidden = importlib.import_module("graders.hidden")  # `from graders import hidden` raises ImportError
    except ModuleNotFoundError as exc:
        if exc.name != "graders.hidden":
            raise  # a broken hidden module must not pass for a student install
        return None
    return hidden.PLACED


def assemble(visible: Exercise, declared: HiddenCount, placed: Sequence[Placed] | None) -> Exercise:
    """``visible`` with each hidden check inserted after the check it follows; without any, the count only."""
    if placed is None:
        return replace(visible, hidden_absent=declared)
    checks = list(visible.checks)
    for after, check in placed:
        names = [known.name for known in checks]
        checks.insert(names.index(after) + 1, check)
    hidden = [check for check in checks if check.hidden]
    if (len(hidden), sum(check.points for check in hidden)) != (declared.checks, declared.points):
        raise ValueError(f"{visible.slug} declares {declared.checks} hidden checks worth {declared.points:g} points, "
                         f"but graders.hidden has {len(hidden)} worth {sum(c.points for c in hidden):g}")
    return replace(visible, checks=tuple(checks))


def declared_mistakes(module, hidden: bool) -> tuple[tuple[str, str], ...]:
    """(code, description) of the mistakes an exercise's grader module (and its hidden module) declares,
    besides the shared ones (``mistakes.COMMON``): its ``MISTAKES`` table and its :class:`Mistake` texts."""
    found = mistakes.declared(module)
    if hidden:
        for code, text in mistakes.declared(importlib.import_module(f"graders.hidden.{module.VISIBLE.module}")).items():
            found.setdefault(code, text)
    return tuple(sorted(found.items()))


def registered(exercise: Exercise, placed: dict[str, Sequence[Placed]] | None) -> Sequence[Placed] | None:
    """``exercise``'s hidden checks; a one-line error where one of its three registrations is missing (walkthrough
    64: a bare ``KeyError`` from ``grade build``, and a reference solution graded 0 by a sandbox without its probes)."""
    from autograd_exercises import probes

    if placed is not None and exercise.slug not in placed:
        raise LookupError(f"{exercise.slug} has no entry in graders/hidden/__init__.py's PLACED: add "
                          f"graders/hidden/{exercise.module}.py (PLACED = () where it has no hidden checks)")
    hidden = None if placed is None else placed[exercise.slug]
    loaded = {module.__name__ for module in probes.MODULES}  # what the sandbox's server imports before any lock-down
    for check in [*exercise.checks, *(check for _, check in hidden or ())]:
        if check.probe.__module__ not in loaded:
            raise LookupError(f"{exercise.slug}: the probe of check {check.name} ({check.probe.__module__}) is not in "
                              "autograd_exercises/probes/__init__.py's MODULES: the sandbox could not call it")
    return hidden


def _registry(modules: Sequence) -> tuple[Exercise, ...]:
    placed = hidden_checks()
    return tuple(replace(assemble(module.VISIBLE, module.HIDDEN, registered(module.VISIBLE, placed)),
                         mistakes=declared_mistakes(module, placed is not None))
                 for module in modules)


EXERCISES: tuple[Exercise, ...] = _registry((exercise_1, exercise_2, exercise_3, exercise_4, exercise_5, exercise_6))


def find(slug: str) -> Exercise:
    """The exercise called ``slug`` (any way ``catalog.slug_of`` reads: "exercise-2", "exercise_2", "2", ...)."""
    wanted = catalog.slug_of(slug)
    for exercise in EXERCISES:
        if exercise.slug == wanted:
            return exercise
    names = ", ".join(exercise.slug for exercise in EXERCISES)
    raise LookupError(f"no exercise named {slug!r} (choose from {names})")
