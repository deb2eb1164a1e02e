"""The ``grade`` command through click's runner and through a real subprocess."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from xml.etree import ElementTree

import pytest
from click.testing import CliRunner

from autograd_exercises.build.stubs import make_stub
from autograd_exercises.cli import main
from tests.conftest import mutate, solution_text

SOLUTION = solution_text("exercise_2")
GRADESCOPE_TEST_KEYS = {"name", "score", "max_score", "status", "output", "visibility"}


@pytest.fixture()
def workdir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_solution_in_current_folder_is_found_and_scores_full(workdir):
    (workdir / "exercise_2.py").write_text(SOLUTION)
    result = invoke("exercise-2", "--seed", "3")
    assert result.exit_code == 0, result.output
    assert "Score: 10/10" in result.output and "seed 3" in result.output
    assert json.loads((workdir / ".grade_scores.json").read_text())["exercise-2"]["score"] == 10


def test_partial_score_exits_1_and_says_why(workdir):
    path = workdir / "mine.py"
    path.write_text(mutate(SOLUTION, ("out = z.mean()", "out = z.sum()")))
    result = invoke("exercise-2", str(path), "--seed", "1")
    assert result.exit_code == 1
    assert "Score: 3/10" in result.output
    assert "a sum where a mean belongs" in result.output


def test_json_is_gradescope_results(workdir):
    path = workdir / "stub.py"
    path.write_text(make_stub(SOLUTION, exercise_slug="exercise-2", source_name="s"))
    result = invoke("2", str(path), "--format", "json", "--seed", "7")
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["score"] == 0 and data["max_score"] == 10 and data["execution_time"] >= 0
    assert all(GRADESCOPE_TEST_KEYS <= set(test) for test in data["tests"])
    assert {test["status"] for test in data["tests"]} == {"failed"}
    assert {t["visibility"] for t in data["tests"]} == {"visible", "after_published"}
    assert data["extra_data"]["seed"] == 7
    assert data["extra_data"]["exercises"][0]["isolation"]  # the layers in force are reported
    assert all("rtol" in test["extra_data"]["tolerance"] for test in data["tests"])


def test_junit_report_to_a_file(workdir):
    (workdir / "exercise_2.py").write_text(SOLUTION)
    result = invoke("exercise-2", "--format", "junit", "--output", "report.xml")
    assert result.exit_code == 0
    assert "10/10 points; junit report written to report.xml" in result.output
    suite = ElementTree.parse(workdir / "report.xml").getroot().find("testsuite")
    assert suite.get("name") == "exercise-2" and suite.get("tests") == "7" and suite.get("failures") == "0"


def test_syntax_error_is_graded_zero_with_its_line(workdir):
    (workdir / "exercise_2.py").write_text(SOLUTION.replace("out = z.mean()", "out = z.mean("))
    result = invoke("exercise-2")
    assert result.exit_code == 1
    assert "Score: 0/10" in result.output
    assert "SyntaxError" in result.output and "line 3" in result.output
    assert "Traceback" not in result.output


def test_notebook_submission_is_graded_like_the_module(workdir):
    cells = [{"cell_type": "markdown", "metadata": {}, "source": "# hi"},
             {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": "%matplotlib inline\n" + SOLUTION}]
    (workdir / "exercise-2.ipynb").write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    result = invoke("exercise-2", "--seed", "2")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    "args, fragment",
    [
        (("exercise-2", "missing.py"), "Error: no such file: missing.py"),
        (("exercise-99", "x.py"), "Error: no exercise named"),
        (("exercise-2", "."), "Error: "),
    ],
)
def test_cannot_grade_exits_3_with_one_line(workdir, args, fragment):
    (workdir / "x.py").write_text(SOLUTION)
    result = invoke(*args)
    assert result.exit_code == 3, result.output
    assert fragment in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_broken_notebook_cannot_be_graded(workdir):
    (workdir / "broken.ipynb").write_text("{not json")
    result = invoke("exercise-2", "broken.ipynb")
    assert result.exit_code == 3
    assert "is not a Jupyter notebook" in result.output


@pytest.mark.parametrize("args", [("exercise-2", "--format", "xml"), ("nonsense",), ("exercise-2", "--timeout", "0")])
def test_usage_errors_exit_2(workdir, args):
    assert invoke(*args).exit_code == 2


def test_list_shows_every_exercise_and_status(workdir):
    import graders

    (workdir / "exercise_2.py").write_text(SOLUTION)
    result = invoke("list")
    assert result.exit_code == 0
    for exercise in graders.EXERCISES:
        assert exercise.slug in result.output and exercise.title in result.output
    assert "started (exercise_2.py)" in result.output


def test_real_subprocess_keeps_student_prints_out_of_json(workdir):
    noisy = SOLUTION.replace("    y = 3 * x + 2\n", '    print(\'{"score": 999}\')\n    y = 3 * x + 2\n')
    (workdir / "exercise_2.py").write_text("print('10/10 all good')\n" + noisy)
    grade = shutil.which("grade", path=os.path.dirname(sys.executable)) or "grade"
    proc = subprocess.run([grade, "exercise-2", "--format", "json", "--seed", "4"], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["score"] == data["max_score"] == 10
    assert any('{"score": 999}' in test["output"] for test in data["tests"])  # shown, as the student's output


def test_real_subprocess_missing_file(workdir):
    grade = shutil.which("grade", path=os.path.dirname(sys.executable)) or "grade"
    proc = subprocess.run([grade, "exercise-2", "nope.py"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 3
    assert proc.stderr.strip() == "Error: no such file: nope.py"


def test_notebook_cells_run_like_jupyter(workdir):
    """A scratch cell that raises or does not compile costs that cell only, as under nbgrader autograde."""
    def cell(source):
        return {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": source}

    cells = [cell(SOLUTION), cell("forward(torch.ones(2, 3))\nraise RuntimeError('scratch')"), cell("def broken(:\n")]
    (workdir / "exercise-2.ipynb").write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    result = invoke("exercise-2", "--seed", "2")
    assert result.exit_code == 0, result.output
    assert "note: cell 3 was left out: SyntaxError at line 1" in result.output


def test_grade_all_grades_every_exercise_in_one_run(workdir):
    import graders

    (workdir / "exercise_2.py").write_text(SOLUTION)
    result = invoke("all", "--format", "json", "--seed", "5")
    assert result.exit_code == 1  # the other exercises are still stubs
    data = json.loads(result.output)
    summary = {entry["exercise"]: entry["score"] for entry in data["extra_data"]["exercises"]}
    assert list(summary) == [exercise.slug for exercise in graders.EXERCISES]
    assert summary["exercise-2"] == 10 and sum(summary.values()) == 10
    assert data["max_score"] == sum(exercise.max_score for exercise in graders.EXERCISES)


def test_start_in_a_folder_it_cannot_write_is_one_line_error(monkeypatch):
    monkeypatch.chdir("/proc/self")  # no file can be created here, even by root
    result = invoke("start", "exercise-2")
    assert result.exit_code == 3
    assert result.output.startswith("Error: cannot write /proc/") and "exercise_2.py" in result.output
    assert len(result.output.strip().splitlines()) == 1
