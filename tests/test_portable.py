"""Platforms without fork or resource (Windows), simulated on Linux by taking them away.

The student CLI must still grade there: one fresh interpreter per job instead of
a fork-server, no rlimits, and the report says which layers were in force (none).
"""

from __future__ import annotations

import os

import pytest

from autograd_exercises.sandbox import isolation
from tests.conftest import solution_text


def test_without_resource_no_limit_is_set_and_nothing_breaks(monkeypatch):
    monkeypatch.setattr(isolation, "resource", None)
    assert isolation.apply_rlimits(isolation.Limits()) == []


def test_without_fork_no_layer_is_claimed(monkeypatch):
    monkeypatch.delattr(os, "fork")
    assert isolation.detect_layers(0) == []


@pytest.mark.skipif(not hasattr(os, "fork"), reason="simulates a platform without fork from one that has it")
def test_without_fork_the_portable_runner_grades_like_the_fork_server(monkeypatch):
    import graders
    from autograd_exercises import grading
    from autograd_exercises.sandbox import Sandbox
    from autograd_exercises.submission import Submission

    monkeypatch.delattr(os, "fork")
    monkeypatch.setattr(isolation, "resource", None)
    exercise = graders.find("exercise-2")
    with Sandbox() as box:
        assert box.portable and box.layers == [] and box.server_pid is None
        right = grading.grade(exercise, Submission("ok.py", solution_text("exercise_2").encode()), sandbox=box,
                              seed=0, checks=exercise.checks[:2])
        hang = solution_text("exercise_2").replace("    y = 3 * x + 2\n", "    while True:\n        pass\n", 1)
        slow = grading.grade(exercise, Submission("hang.py", hang.encode()), sandbox=box, seed=0, timeout=0.5,
                             checks=exercise.checks[:1])
    assert [check.points for check in right.checks] == [check.points for check in exercise.checks[:2]]
    assert right.isolation == []
    assert not slow.checks[0].passed


def test_text_report_says_when_there_was_no_sandbox():
    from autograd_exercises.reports import text
    from autograd_exercises.results import ExerciseResult

    bare = ExerciseResult("exercise-2", "t", "exercise_2.py", 1, [], 0.1, isolation=[])
    assert "isolation: none: this platform has no sandbox" in text.render([bare])
    boxed = ExerciseResult("exercise-2", "t", "exercise_2.py", 1, [], 0.1, isolation=["seccomp"])
    assert "isolation" not in text.render([boxed])
