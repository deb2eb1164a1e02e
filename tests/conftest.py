"""Shared fixtures: one fork-server for the whole session, and helpers to grade source text."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pytest

# A secret in the grader's environment before any sandbox starts: tests/hostile/environ_secrets.py looks for it
# (and for "pytest") everywhere a sandboxed child can read; the fork-server's environment is built from scratch.
GRADER_SECRET = os.environ.setdefault("AUTOGRAD_GRADER_SECRET", "grader-secret-do-not-leak")

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions"


@pytest.fixture(scope="session")
def sandbox():
    from autograd_exercises.sandbox import Sandbox

    with Sandbox() as box:
        box.wait_ready()
        yield box


@pytest.fixture()
def shared_sandbox(sandbox, monkeypatch):
    """``grade`` commands run in this process (click's runner) reuse the session's fork-server."""
    import contextlib

    from autograd_exercises import session

    monkeypatch.setattr(session, "open_sandbox", lambda spawn=False: contextlib.nullcontext(sandbox))
    return sandbox


@pytest.fixture()
def torch_autograd_saves(monkeypatch):
    """The saved-answers reading's machinery read as where torch's autograd at the top level may leave answers, as a
    library that differentiates does (in grading, the sandbox's run of the top level with autograd off leaves none:
    ``tests/test_saved.py::test_torch_autograd_at_the_top_level_leaves_nothing_to_read_in_grading``)."""
    from autograd_exercises.judge import saved

    monkeypatch.setattr(saved, "TORCH_AUTOGRAD_SAVES", True)


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

    def run(slug: str, text: str, seed: int = 0, timeout: float = 5.0, cell_timeout: float = grading.DEFAULT_CELL_TIMEOUT,
            doors: bool = True):
        exercise = graders.find(slug)
        return grading.grade(exercise, Submission(f"<{slug} test>", text.encode()), sandbox=sandbox,
                             seed=seed, timeout=timeout, cell_timeout=cell_timeout, doors=doors)

    return run


def by_name(result) -> dict:
    return {check.name: check for check in result.checks}


# -- the three tests every exercise has (each test_exercise_N.py calls these) --------------------------

def assert_solution_full(grade_source, slug: str, solution: str, points: float):
    """The reference solution gets every one of the exercise's ``points``, with no feedback; returns the result."""
    result = grade_source(slug, solution)
    assert [c.feedback for c in result.checks if not c.passed] == []
    assert [c.mistake for c in result.checks if c.mistake] == []
    assert result.score == result.max_score == points
    return result


def assert_stub_zero(grade_source, slug: str, solution: str) -> None:
    """The generated stub scores zero, every check saying it is not implemented yet (no crash)."""
    from autograd_exercises.build.stubs import make_stub

    result = grade_source(slug, make_stub(solution, exercise_slug=slug, source_name="solution"))
    assert result.score == 0
    assert all("not implemented yet" in c.feedback for c in result.checks), [c.feedback for c in result.checks]


def assert_pasted_scores_under_half(slug: str, mistakes: dict) -> None:
    """A submission pasting the handout's printed numbers scores under half the points.

    Its exact score is graded and asserted by the mistake test (``mistakes["pasted_notebook_numbers"]``);
    here, that score is held against the exercise's maximum, without grading it a second time.
    """
    import graders

    expected_score = mistakes["pasted_notebook_numbers"][1]
    assert expected_score < graders.find(slug).max_score / 2


def assert_mistake(grade_source, slug: str, solution: str, mistake) -> None:
    """A named mistake gets exactly its expected score, with its diagnosis on the expected checks."""
    mutations, expected_score, diagnoses = mistake
    result = grade_source(slug, mutate(solution, *mutations))
    checks = by_name(result)
    for check, fragment in diagnoses.items():
        assert fragment in checks[check].feedback, (check, checks[check].feedback)
    assert result.score == expected_score, {c.name: (c.points, c.feedback) for c in result.checks}
    assert_declared_codes(slug, result)


def assert_declared_codes(slug: str, result) -> None:
    """Every failed check carries a mistake code its exercise declares (or a shared one); a passed check none."""
    import graders
    from autograd_exercises import mistakes

    known = set(mistakes.COMMON) | {code for code, _ in graders.find(slug).mistakes}
    assert {c.name: c.mistake for c in result.checks if not c.passed and c.mistake not in known} == {}
    assert [c.name for c in result.checks if c.passed and c.mistake] == []


# -- in-process helpers (no sandbox: for hypothesis tests of the graders' own logic) -----------------

def load_module(name: str, text: str):
    """``text`` as a module called ``name``, in this process (trusted test code only)."""
    import importlib.util

    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(name, loader=None))
    exec(compile(text, f"<{name}>", "exec"), module.__dict__)
    return module


def judge_every_check(slug: str, module, seed: int) -> None:
    """Every check's probe, then its judge, on ``module`` for the inputs of ``seed``; a failure raises Fail."""
    import graders
    from autograd_exercises import grading
    from autograd_exercises.sandbox import observe

    exercise = graders.find(slug)
    for check in exercise.checks:
        for case in grading.make_cases(exercise, check, seed):
            check.judge(case, observe.plain(check.probe(module, case)))


@contextlib.contextmanager
def counting_autograd():
    """Count backward calls in this process, as the sandbox child does, and undo it afterwards (the engine, forward
    mode's ``make_dual``, custom Functions' ``apply``, the thread starters and the saved-tensor hook pushers and
    poppers: left wrapped, each later use wrapped them again, and a thread's graph nodes counted once per wrapper)."""
    import torch
    from torch.autograd.variable import Variable

    from autograd_exercises.sandbox import observe

    forward_ad = torch.autograd.forward_ad
    real = Variable._execution_engine, forward_ad.make_dual, forward_ad.unpack_dual, torch.autograd.Function.__dict__["apply"]
    places = [*observe.thread_starters(), *observe.HOOK_PUSHERS, *observe.HOOK_POPPERS]
    kept = [getattr(owner, name) for owner, name in places]
    observe.install_autograd_counter()
    try:
        yield
    finally:
        Variable._execution_engine, forward_ad.make_dual, forward_ad.unpack_dual, torch.autograd.Function.apply = real
        for (owner, name), value in zip(places, kept):
            setattr(owner, name, value)
