"""PrairieLearn: ``grade --format prairielearn`` and the image's ``run.sh`` against a folder standing in for /grade.

Every ``results.json`` is validated against a JSON Schema written from PrairieLearn's external grading
documentation (``tests/data/prairielearn-results.schema.json``).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from autograd_exercises.cli import main
from autograd_exercises.platforms import prairielearn, torch_requirement, wheel
from autograd_exercises.reports import prairielearn as report
from autograd_exercises.results import CheckResult, ExerciseResult
from tests.conftest import mutate, solution_text
from tests.platforms_support import ROOT, assert_no_solutions, every_text, remove, shellcheck, standin_python, validate

SOLUTION = solution_text("exercise_2")


def result(*checks: CheckResult) -> ExerciseResult:
    return ExerciseResult("exercise-2", "Back-propagation", "mine.py", 5, list(checks))


def test_the_renderer_scores_in_0_1_and_never_names_a_hidden_check():
    document = report.as_dict([result(
        CheckResult("forward_values", "forward", "forward is right", 2, 2, "passed"),
        CheckResult("gradients_x", "gradients", "x.grad is right", 2, 0, "failed", "x.grad is None", output="hi\n"),
        CheckResult("secret_check", "gradients", "the secret", 1, 0, "failed", "secret feedback", hidden=True))])
    validate(document, "prairielearn-results.schema.json")
    assert document["gradable"] is True and document["score"] == 0.4 and document["message"] == "exercise-2: 2/5"
    assert [test["name"] for test in document["tests"]] == [
        "exercise-2: forward_values", "exercise-2: gradients_x", "exercise-2: hidden check 1"]
    assert document["tests"][1] == {"name": "exercise-2: gradients_x", "description": "x.grad is right", "points": 0,
                                    "max_points": 2, "message": "x.grad is None", "output": "your code printed:\nhi"}
    assert "secret" not in json.dumps(document["tests"][2])


def test_grade_format_prairielearn(tmp_path):
    path = tmp_path / "mine.py"
    path.write_text(SOLUTION)
    out = CliRunner().invoke(main, ["exercise-2", str(path), "--format", "prairielearn", "--seed", "2", "--no-remember"])
    assert out.exit_code == 0, out.output
    document = json.loads(out.output)
    validate(document, "prairielearn-results.schema.json")
    assert document["score"] == 1.0 and document["seed"] == 2 and len(document["tests"]) == 8


# -- run.sh in a stand-in for the grading image ----------------------------------------------------------------


@pytest.fixture(scope="module")
def python():
    name, data = wheel.build(hidden=True)
    python, folder = standin_python(data, name)
    yield python
    remove(folder)


def run_sh(tmp_path: Path, python: Path | str, student: dict[str, str], exercise: str = "exercise-2") -> tuple[dict, str]:
    """``run.sh EXERCISE`` with ``tmp_path/grade`` standing in for /grade; the results, validated, and its output."""
    root = tmp_path / "grade"
    (root / "student").mkdir(parents=True)
    for name, text in student.items():
        (root / "student" / name).write_text(text)
    script = tmp_path / "run.sh"
    script.write_text(prairielearn.run_sh())
    script.chmod(0o755)
    env = {**os.environ, "GRADE_ROOT": str(root), "AUTOGRADER_PYTHON": str(python)}
    proc = subprocess.run([str(script), exercise], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    text = (root / "results" / "results.json").read_text()
    assert len(text.encode()) < 1_000_000  # PrairieLearn's limit
    document = json.loads(text)
    validate(document, "prairielearn-results.schema.json")
    return document, proc.stdout + proc.stderr


def test_run_sh_grades_a_correct_submission_whatever_its_name(tmp_path, python):
    document, output = run_sh(tmp_path, python, {"answer.py": SOLUTION})
    assert document["gradable"] is True and document["score"] == 1.0, document["message"]
    assert sum(test["max_points"] for test in document["tests"]) == 10
    assert [test["name"] for test in document["tests"]].count("exercise-2: hidden check 1") == 1
    assert "it is not named exercise_2.py or exercise-2.ipynb" in document["message"]
    assert f"seed {document['seed']}" in output


def test_run_sh_grades_a_wrong_submission(tmp_path, python):
    document, _ = run_sh(tmp_path, python, {"exercise_2.py": mutate(SOLUTION, ("out = z.mean()", "out = z.sum()"))})
    assert document["gradable"] is True and 0 < document["score"] < 1
    failed = {test["name"]: test["message"] for test in document["tests"] if test["points"] < test["max_points"]}
    assert "a sum where a mean belongs" in failed["exercise-2: forward_values"]


def test_run_sh_without_a_file_is_not_gradable_with_a_message(tmp_path, python):
    document, _ = run_sh(tmp_path, python, {"notes.txt": "nothing"})
    assert document["gradable"] is False
    assert document["format_errors"] == [
        "No exercise_2.py or exercise-2.ipynb in your submission (you uploaded: notes.txt). Upload the exercise_2.py "
        "you filled in or your exercise-2.ipynb notebook, then save and grade again."]  # (in PrairieLearn's words)


def test_run_sh_with_a_wrong_entrypoint_or_no_python_still_writes_results(tmp_path, python):
    document, output = run_sh(tmp_path / "a", python, {"exercise_2.py": SOLUTION}, exercise="")
    assert document["gradable"] is False and "set up wrongly" in document["format_errors"][0]
    assert "entrypoint must be" in output
    document, output = run_sh(tmp_path / "b", tmp_path / "no-python", {"exercise_2.py": SOLUTION})
    assert document["gradable"] is False and "wrote no results" in output


# -- the image -------------------------------------------------------------------------------------------------


def test_the_image_installs_cpu_torch_the_sandbox_and_the_wheel_beside_it():
    text = prairielearn.dockerfile()
    assert f"--index-url https://download.pytorch.org/whl/cpu '{torch_requirement()}'" in text
    assert "bubblewrap libseccomp2" in text and f"COPY {wheel.wheel_name()} run.sh /opt/autograd-exercises/" in text
    assert "--check" in text and "--unsafe-root" not in text + prairielearn.run_sh()


def test_run_sh_passes_shellcheck(tmp_path):
    (tmp_path / "run.sh").write_text(prairielearn.run_sh())
    shellcheck([tmp_path / "run.sh"])


def test_grade_package_prairielearn_updates_its_own_folder_and_no_other(tmp_path):
    """Red team 50: ``-o .`` in a course repository overwrote its README.md. A folder it wrote before is updated;
    a folder of other files is refused in one line."""
    assert CliRunner().invoke(main, ["package", "prairielearn", "-o", str(tmp_path / "image")]).exit_code == 0
    again = CliRunner().invoke(main, ["package", "prairielearn", "-o", str(tmp_path / "image")])
    assert again.exit_code == 0, again.output
    (tmp_path / "course").mkdir()
    (tmp_path / "course" / "README.md").write_text("# our course\n")
    refused = CliRunner().invoke(main, ["package", "prairielearn", "-o", str(tmp_path / "course")])
    assert refused.exit_code == 3 and "is neither an empty folder nor one grade package prairielearn wrote" in \
        refused.output
    assert (tmp_path / "course" / "README.md").read_text() == "# our course\n"


def test_grade_package_prairielearn_writes_the_build_folder_without_solutions(tmp_path):
    out = CliRunner().invoke(main, ["package", "prairielearn", "-o", str(tmp_path / "image")])
    assert out.exit_code == 0, out.output
    files = {path.name: path.read_bytes() for path in (tmp_path / "image").iterdir()}
    assert sorted(files) == sorted(["Dockerfile", "README.md", "run.sh", wheel.wheel_name()])
    assert os.access(tmp_path / "image" / "run.sh", os.X_OK)
    for name in ("Dockerfile", "run.sh", "README.md"):
        assert files[name] == (ROOT / "platforms" / "prairielearn" / name).read_bytes()
    texts = every_text(files)
    assert_no_solutions({name: text for name, text in texts.items() if "!" not in name})
    assert_no_solutions({name: text for name, text in texts.items() if "!" in name}, package_modules=True)
    assert json.loads(json.dumps(prairielearn.info_json("exercise-2")))["externalGradingOptions"]["entrypoint"] == \
        "/opt/autograd-exercises/run.sh exercise-2"


def test_as_root_without_the_full_sandbox_nothing_runs_and_the_log_names_no_missing_option(tmp_path, monkeypatch,
                                                                                          capsys):
    """Walkthrough 66: the staff's log said "or pass --unsafe-root", which run.sh does not take."""
    from autograd_exercises import session

    (tmp_path / "student").mkdir()
    (tmp_path / "student" / "exercise_2.py").write_text(solution_text("exercise_2"), encoding="utf-8")
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    monkeypatch.setattr(session, "FULL_SANDBOX", session.FULL_SANDBOX + ("a-layer-nobody-has",))
    results = prairielearn.results_for(tmp_path, "exercise-2")
    log = capsys.readouterr().out
    assert results["gradable"] is False and "could not grade safely" in results["message"]
    assert "run.sh: not graded: refusing to grade as root without the full sandbox (missing: a-layer-nobody-has)" in log
    assert "--unsafe-root" not in log + json.dumps(results)


def test_the_images_check_says_when_grading_there_would_refuse_every_submission(monkeypatch, capsys):
    """Walkthrough 66: as Gradescope's setup.sh (tests/test_platform_gradescope.py), for the image's last step."""
    from autograd_exercises import session

    monkeypatch.setattr(os, "geteuid", lambda: 0)
    monkeypatch.setattr(session, "FULL_SANDBOX", session.FULL_SANDBOX + ("a-layer-nobody-has",))
    assert prairielearn.check() == 0
    said = capsys.readouterr().out
    assert "hidden checks included" in said and "the image's check: warning: where submissions are graded as here" in said
