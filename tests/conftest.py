"""Shared fixtures: one fork-server for the whole session, and helpers to grade source text."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions"


@pytest.fixture(scope="session")
def sandbox():
    from autograd_exercises.sandbox import Sandbox

    with Sandbox() as box:
        box.wait_ready()
        yield box


def solution_text(module: str) -> str:
    return (SOLUTIONS / f"{module}.py").read_text()


def mutate(source: str, *replacements: tuple[str, str]) -> str:
    """The source with each (old, new) replaced once; fails loudly if ``old`` is absent."""
    for old, new in replacements:
        assert source.count(old) >= 1, f"mutation target not found: {old!r}"
        source = source.replace(old, new, 1)
    return source


@pytest.fixture(scope="session")
def grade_source(sandbox):
    """``grade_source("exercise-2", text, seed=0)`` → ExerciseResult, graded in the real sandbox."""
    import graders
    from autograd_exercises import grading
    from autograd_exercises.submission import Submission

    def run(slug: str, text: str, seed: int = 0, timeout: float = 5.0):
        exercise = graders.find(slug)
        return grading.grade(exercise, Submission(f"<{slug} test>", text.encode()), sandbox=sandbox,
                             seed=seed, timeout=timeout)

    return run


def by_name(result) -> dict:
    return {check.name: check for check in result.checks}
