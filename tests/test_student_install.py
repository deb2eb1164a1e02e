"""What students install holds no hidden checks, and grades the visible ones saying so.

The hidden checks live in ``graders/hidden/`` (package ``graders.hidden``), which the wheel
leaves out. A source checkout has them; a student install knows only how many there are
and what they are worth, from each visible grader's ``HIDDEN``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

import graders
from autograd_exercises.spec import HiddenCount

ROOT = Path(__file__).resolve().parents[1]
SOLUTION = ROOT / "solutions" / "exercise_2.py"
WITHOUT_HIDDEN = ("import sys\nsys.modules['graders.hidden'] = None  # as in the student wheel\n"
                  "sys.argv[0] = 'grade'\nfrom autograd_exercises.cli import run\nrun()\n")


def hidden_only_names() -> set[str]:
    """Names only hidden checks have: the checks, and the judges and inputs no visible check shares."""
    names = set()
    for exercise in graders.EXERCISES:
        visible = [check for check in exercise.checks if not check.hidden]
        shared = {part for check in visible for part in (check.judge, check.inputs)}
        for check in exercise.checks:
            if check.hidden:
                names |= {check.name} | {part.__name__ for part in (check.judge, check.inputs) if part not in shared}
    return names


def test_a_checkout_has_every_hidden_check_in_course_order():
    exercise = graders.find("exercise-2")
    assert exercise.hidden_absent is None and exercise.max_score == exercise.course_points == 10
    assert [check.name for check in exercise.checks] == [
        "forward_values", "forward_retains_y_grad", "gradients_x", "gradients_fills_x_grad", "gradients_y",
        "gradients_notebook_example", "gradient_manual_values", "gradient_manual_by_hand"]
    assert sum(check.hidden for e in graders.EXERCISES for check in e.checks) == 19


@pytest.mark.parametrize("module", [graders.exercise_1, graders.exercise_2, graders.exercise_3, graders.exercise_4,
                                    graders.exercise_5, graders.exercise_6], ids=lambda m: m.__name__)
def test_each_grader_declares_its_hidden_checks_and_points(module):
    exercise = graders.find(module.VISIBLE.slug)
    hidden = [check for check in exercise.checks if check.hidden]
    assert module.HIDDEN == HiddenCount(len(hidden), sum(check.points for check in hidden))
    assert not any(check.hidden for check in module.VISIBLE.checks)


def test_without_hidden_checks_an_exercise_keeps_its_visible_ones_and_the_count():
    module = graders.exercise_2
    exercise = graders.assemble(module.VISIBLE, module.HIDDEN, None)
    assert exercise.checks == module.VISIBLE.checks and exercise.hidden_absent == HiddenCount(2, 2)
    assert (exercise.max_score, exercise.course_points) == (8, 10)


def test_a_wrong_declaration_is_refused():
    from graders.hidden import exercise_2 as hidden

    with pytest.raises(ValueError, match="declares 1 hidden checks worth 1 points, but graders.hidden has 2 worth 2"):
        graders.assemble(graders.exercise_2.VISIBLE, HiddenCount(1, 1), hidden.PLACED)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The student wheel, built offline from a clean copy of the checkout (no stale build/ folder)."""
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    skip = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for name in ("autograd_exercises", "graders"):
        shutil.copytree(ROOT / name, source / name, ignore=skip)
    out = tmp_path_factory.mktemp("wheel")
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "--no-build-isolation",
                           "--no-index", "-q", "-w", str(out)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    (built,) = out.glob("*.whl")
    return built


def test_the_student_wheel_holds_no_hidden_check(wheel):
    names = hidden_only_names()
    assert {"gradient_manual_by_hand", "judge_manual_by_hand", "notebook_frozen"} <= names
    with zipfile.ZipFile(wheel) as archive:
        files = archive.namelist()
        assert "graders/exercise_2.py" in files and "autograd_exercises/probes/exercise_2.py" in files
        assert [name for name in files if name.startswith("graders/hidden")] == []
        found = {(file, name) for file in files for name in names
                 if name in archive.read(file).decode("utf-8", "replace")}
    assert sorted(found) == []


def student_grade(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    """``grade ARGS`` in a fresh interpreter where ``graders.hidden`` cannot be imported."""
    return subprocess.run([sys.executable, "-c", WITHOUT_HIDDEN, *args], capture_output=True, text=True,
                          timeout=120, cwd=tmp_path)


def test_without_hidden_checks_grade_gives_the_visible_points_and_says_so(tmp_path):
    proc = student_grade(tmp_path, "exercise-2", str(SOLUTION), "--seed", "1")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.rstrip().splitlines()
    assert "Score: 8/8   seed 1 (rerun with --seed 1)" in lines
    assert lines[-1] == "2 hidden checks (2 points) are graded by your course, not here"
    assert "(hidden)" not in proc.stdout

    proc = student_grade(tmp_path, "exercise-2", str(SOLUTION), "--seed", "1", "--format", "json")
    report = json.loads(proc.stdout)
    assert (report["score"], report["max_score"]) == (8, 8)
    assert report["extra_data"]["hidden_checks_not_run"] == {"checks": 2, "points": 2}
    assert report["extra_data"]["exercises"][0]["hidden_checks_not_run"] == {"checks": 2, "points": 2}
    assert all(test["visibility"] == "visible" for test in report["tests"])


def test_one_hidden_check_is_named_in_the_singular():
    from autograd_exercises.results import ExerciseResult

    result = ExerciseResult("exercise-9", "t", "f.py", 1, [], hidden_not_run={"checks": 1, "points": 2})
    assert result.hidden_note == "1 hidden check (2 points) is graded by your course, not here"
    assert replace(result, hidden_not_run={}).hidden_note == ""
