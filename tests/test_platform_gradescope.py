"""Gradescope: the autograder zip, unpacked into a folder standing in for /autograder, grades real uploads.

``run_autograder`` runs with a Python that has only the zip's wheel (no source checkout), on correct,
wrong, missing and misnamed submissions; every ``results.json`` is validated against a JSON Schema
written from Gradescope's documented format (``tests/data/gradescope-results.schema.json``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import graders
from autograd_exercises.platforms import gradescope, torch_requirement, wheel
from tests.conftest import mutate, solution_text
from tests.platforms_support import (ROOT, assert_no_solutions, every_text, remove, shellcheck, standin_python,
                                     unzip, validate, where_installed)

SOLUTION = solution_text("exercise_2")
SOURCE_NOTEBOOK = ROOT / "assignments" / "source" / "exercise-2" / "exercise-2.ipynb"


@pytest.fixture(scope="module")
def bundle() -> bytes:
    return gradescope.build_zip("exercise-2")


@pytest.fixture(scope="module")
def python(bundle):
    """A Python with the zip's autograder wheel and nothing of the checkout (as setup.sh leaves the image)."""
    files = unzip(bundle)
    (name,) = [name for name in files if name.startswith("wheels/")]
    python, folder = standin_python(files[name], Path(name).name)
    yield python
    remove(folder)


def autograder_root(tmp_path: Path, bundle: bytes, submission: dict[str, str | bytes]) -> Path:
    """``tmp_path/autograder`` laid out as Gradescope does: source/ (the zip), run_autograder, submission/."""
    root = tmp_path / "autograder"
    (root / "source").mkdir(parents=True)
    with zipfile.ZipFile(__import__("io").BytesIO(bundle)) as archive:
        for info in archive.infolist():
            archive.extract(info, root / "source")
            (root / "source" / info.filename).chmod(info.external_attr >> 16 & 0o777)
    shutil.copy2(root / "source" / "run_autograder", root / "run_autograder")
    (root / "submission").mkdir()
    for name, content in submission.items():
        path = root / "submission" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)
    return root


def run_autograder(root: Path, python: Path | str) -> tuple[dict, str]:
    """Run ``run_autograder`` as Gradescope does (from /autograder); the results, validated, and its output."""
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "AUTOGRADER_PYTHON": str(python)}
    proc = subprocess.run([str(root / "run_autograder")], cwd=root, env=env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    validate(results, "gradescope-results.schema.json")
    return results, proc.stdout + proc.stderr


def by_check(results: dict) -> dict[str, dict]:
    return {test["name"].split(": ", 1)[1]: test for test in results["tests"]}


# -- the zip -------------------------------------------------------------------------------------------------


def test_the_zip_is_the_same_bytes_every_time_with_sorted_entries_fixed_times_and_modes(bundle):
    assert gradescope.build_zip("2") == bundle
    with zipfile.ZipFile(__import__("io").BytesIO(bundle)) as archive:
        infos = archive.infolist()
    names = [info.filename for info in infos]
    assert names == sorted(names) == ["autograder.json", "run_autograder", "setup.sh", f"wheels/{wheel.wheel_name()}"]
    assert {info.date_time for info in infos} == {(1980, 1, 1, 0, 0, 0)}
    modes = {info.filename: info.external_attr >> 16 & 0o777 for info in infos}
    assert modes == {"autograder.json": 0o644, "run_autograder": 0o755, "setup.sh": 0o755,
                     f"wheels/{wheel.wheel_name()}": 0o644}


def test_the_zip_carries_the_hidden_checks_and_no_solution(bundle):
    files = unzip(bundle)
    inner = unzip(files[f"wheels/{wheel.wheel_name()}"])
    assert "graders/hidden/exercise_2.py" in inner and "graders/exercise_2.py" in inner
    assert json.loads(files["autograder.json"])["exercises"] == ["exercise-2"]
    texts = every_text(files)
    assert_no_solutions({name: text for name, text in texts.items() if "!" not in name})
    assert_no_solutions({name: text for name, text in texts.items() if "!" in name}, package_modules=True)


def test_setup_installs_cpu_torch_as_pyproject_pins_it_and_this_exact_wheel_from_the_zip():
    tomllib = pytest.importorskip("tomllib")
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    (pinned,) = [dep for dep in pyproject["project"]["dependencies"] if dep.startswith("torch")]
    text = gradescope.setup_sh()
    assert torch_requirement().replace(" ", "") in text
    assert sorted(pinned.replace(" ", "").removeprefix("torch").split(",")) == \
        sorted(torch_requirement().removeprefix("torch").split(","))
    assert "--index-url https://download.pytorch.org/whl/cpu" in text
    assert f'"$src/wheels/{wheel.wheel_name()}"' in text and "bubblewrap libseccomp2" in text
    installs = [line for line in text.splitlines() if '/pip" install' in line]
    assert len(installs) == 3 and all("autograd" not in line or '"$src/wheels/' in line for line in installs)
    assert "--unsafe-root" not in text + gradescope.run_autograder()


def test_the_scripts_pass_shellcheck(tmp_path):
    for name, text in (("setup.sh", gradescope.setup_sh()), ("run_autograder", gradescope.run_autograder())):
        (tmp_path / name).write_text(text)
    shellcheck([tmp_path / "setup.sh", tmp_path / "run_autograder"])


def test_the_committed_scripts_are_what_the_zip_holds(bundle):
    files = unzip(bundle)
    for name in gradescope.SCRIPTS:
        assert (ROOT / "platforms" / "gradescope" / name).read_bytes() == files[name]


# -- run_autograder on uploads ---------------------------------------------------------------------------------


def test_a_correct_submission_gets_full_marks_with_hidden_checks_after_published(tmp_path, bundle, python):
    assert where_installed(python, "graders.hidden").startswith(str(python.parents[1]))
    assert where_installed(python, "autograd_exercises").startswith(str(python.parents[1]))
    results, output = run_autograder(autograder_root(tmp_path, bundle, {"exercise_2.py": SOLUTION}), python)
    assert results["score"] == results["max_score"] == 10
    hidden = [test for test in results["tests"] if test["visibility"] == "after_published"]
    assert len(hidden) == 2 and all(test["status"] == "passed" for test in results["tests"])
    seed = results["extra_data"]["seed"]
    assert isinstance(seed, int) and f"seed {seed}" in output and f"--seed {seed}" in results["output"]
    assert "uid-switch" in results["extra_data"]["exercises"][0]["isolation"]
    assert str(tmp_path) not in json.dumps(results)  # no path of the grading machine


def test_a_wrong_submission_is_graded_with_feedback(tmp_path, bundle, python):
    wrong = mutate(SOLUTION, ("out = z.mean()", "out = z.sum()"))
    results, _ = run_autograder(autograder_root(tmp_path, bundle, {"exercise_2.py": wrong}), python)
    assert 0 < results["score"] < 10
    assert "a sum where a mean belongs" in by_check(results)["forward_values"]["output"]
    assert by_check(results)["forward_values"]["status"] == "failed"
    visible = [test for test in results["tests"] if test["visibility"] == "visible"]
    score, top = sum(test["score"] for test in visible), sum(test["max_score"] for test in visible)
    assert score < results["score"]  # (a hidden check passed: red team 168 read its point off the top line)
    assert results["output"].startswith(f"exercise-2: {score:g}/{top:g}\n"), results["output"]
    assert "that is the visible checks' score; 2 hidden checks (2 points) show once grades are published" in \
        results["output"]


def test_a_missing_file_is_a_zero_with_a_message_the_student_can_act_on(tmp_path, bundle, python):
    results, _ = run_autograder(autograder_root(tmp_path, bundle, {"notes.txt": "my answers are in my head"}), python)
    assert results["score"] == 0 and results["max_score"] == 10
    assert ("No exercise_2.py or exercise-2.ipynb in your submission (you uploaded: notes.txt). Submit the "
            "exercise_2.py you filled in (from 'grade start exercise-2') or your exercise-2.ipynb notebook, then "
            "submit again.") in results["output"]
    assert all(test["score"] == 0 for test in results["tests"]) and len(results["tests"]) == 8


def test_an_empty_submission_is_a_zero_with_a_message(tmp_path, bundle, python):
    results, _ = run_autograder(autograder_root(tmp_path, bundle, {}), python)
    assert results["score"] == 0 and "your submission is empty" in results["output"]


@pytest.mark.parametrize("name, content, read_as", [
    ("Exercise 2 (final).py", SOLUTION, ""),
    ("homework/Untitled.ipynb", SOURCE_NOTEBOOK.read_text(), ""),
    ("exercise_2.py.txt", SOLUTION, ", read as Python"),
], ids=["py", "notebook-in-a-folder", "txt"])
def test_a_misnamed_submission_is_graded_and_the_report_says_which_file(tmp_path, bundle, python, name, content,
                                                                        read_as):
    results, _ = run_autograder(autograder_root(tmp_path, bundle, {name: content, "README.md": "# mine\n"}), python)
    assert results["score"] == 10, results["output"]
    shown = name.rsplit("/", 1)[-1]
    assert (f"(graded {shown}: it is not named exercise_2.py or exercise-2.ipynb; graded as exercise-2 all the "
            f"same{read_as}") in results["output"]
    assert results["extra_data"]["exercises"][0]["submission"] == shown


def test_an_unreadable_notebook_is_a_zero_with_a_message(tmp_path, bundle, python):
    results, _ = run_autograder(autograder_root(tmp_path, bundle, {"exercise-2.ipynb": "{not json"}), python)
    assert results["score"] == 0
    assert "exercise-2.ipynb could not be read" in results["output"] and "submit again" in results["output"]


def test_without_python_run_autograder_still_writes_results(tmp_path, bundle):
    results, output = run_autograder(autograder_root(tmp_path, bundle, {"exercise_2.py": SOLUTION}),
                                     tmp_path / "no-python-here")
    assert results["score"] == 0 and "please tell your course staff" in results["output"]
    assert "wrote no results" in output


def test_the_all_zip_grades_every_exercise_not_started_as_zero(tmp_path, python):
    bundle = gradescope.build_zip("all")
    results, _ = run_autograder(autograder_root(tmp_path, bundle, {"exercise_2.py": SOLUTION}), python)
    assert results["score"] == 10 and results["max_score"] == 70
    assert {entry["exercise"] for entry in results["extra_data"]["exercises"]} == {exercise.slug for exercise in graders.EXERCISES}
    assert "(grade exercise-2 YOUR_FILE --seed " in results["output"]  # (walkthrough 66: it named exercise-1)


def test_the_zip_built_from_an_install_of_its_own_wheel_is_the_same_zip(tmp_path, bundle, python):
    """Built without the source checkout (from the installed autograder wheel): the same bytes."""
    out = tmp_path / "again.zip"
    proc = subprocess.run([str(python), "-m", "autograd_exercises.cli", "package", "gradescope", "exercise-2", "-o",
                           str(out)], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert out.read_bytes() == bundle


def test_a_student_install_refuses_to_build_an_autograder(tmp_path):
    """The student wheel has no hidden checks: an autograder built from it would silently drop them."""
    name, data = wheel.build(hidden=False)
    python, folder = standin_python(data, name)
    try:
        proc = subprocess.run([str(python), "-m", "autograd_exercises.cli", "package", "gradescope", "exercise-2",
                               "-o", str(tmp_path / "a.zip")], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    finally:
        remove(folder)
    assert proc.returncode == 3 and "Error: the hidden checks (graders.hidden) are not installed here" in proc.stderr
    assert not (tmp_path / "a.zip").exists()


def test_grade_package_gradescope_writes_the_zip(tmp_path, bundle, monkeypatch):
    from click.testing import CliRunner

    from autograd_exercises.cli import main

    result = CliRunner().invoke(main, ["package", "gradescope", "exercise-2", "-o", str(tmp_path / "ag.zip")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "ag.zip").read_bytes() == bundle
    assert CliRunner().invoke(main, ["package", "gradescope", "exercise-9"]).exit_code == 3
    monkeypatch.chdir(tmp_path)  # a zip never goes to standard output, nor to a file "-"
    dash = CliRunner().invoke(main, ["package", "gradescope", "exercise-2", "-o", "-"])
    assert dash.exit_code == 2 and "give a file name, not standard output" in dash.output, dash.output
    assert not (tmp_path / "-").exists()


if sys.platform != "linux":  # pragma: no cover
    pytestmark = pytest.mark.skip("the autograder runs on Linux")


def test_a_symbolic_link_in_the_upload_is_never_read(tmp_path, bundle, python):
    """Red team 13: ``exercise_2.py -> /proc/self/environ`` (or a root-only file) beside the untouched notebook
    was read with the grader's rights and its first line quoted in a compile error."""
    secret = tmp_path / "secret_shadow.txt"
    secret.write_text("root:$6$SECRETHASH:19000:0:99999:7:::\n")
    secret.chmod(0o600)
    stub = ROOT / "autograd_exercises" / "notebooks" / "exercise-2.ipynb"  # untouched: a link would win over it
    root = autograder_root(tmp_path, bundle, {"exercise-2.ipynb": stub.read_text()})
    (root / "submission" / "exercise_2.py").symlink_to(secret)
    (root / "submission" / "exercise_2_env.py").symlink_to("/proc/self/environ")
    results, output = run_autograder(root, python)
    text = json.dumps(results) + output
    assert "SECRETHASH" not in text and "AUTOGRADER_ROOT=" not in text
    assert results["score"] == 0 and results["extra_data"]["exercises"][0]["submission"] == "exercise-2.ipynb"


def test_a_file_name_with_escapes_and_undecodable_bytes_reaches_no_report_raw(tmp_path, bundle, python):
    """Red team 13: ``ex\\xff2 \\x1b[31mred.py`` was graded (fine) and its name went raw into results.json (a lone
    surrogate, an escape sequence) and the autograder's log."""
    name = "ex\udcff2 \x1b[31mred.py"  # the byte 0xff, as Python names it on Linux
    results, output = run_autograder(autograder_root(tmp_path, bundle, {name: SOLUTION}), python)
    assert results["score"] == 10, results["output"]
    shown = results["extra_data"]["exercises"][0]["submission"]
    assert shown == "ex\\udcff2 \\x1b[31mred.py"
    assert "\x1b" not in json.dumps(results, ensure_ascii=False) + output
    assert "\udcff" not in json.dumps(results, ensure_ascii=False)


def test_a_deeply_nested_data_file_beside_the_submission_is_neither_kind(tmp_path, bundle, python):
    """Red team 49: ``deep.json`` of 200,000 ``[`` beside a right ``exercise_2.py`` raised RecursionError while the
    upload's files were told apart, and the student got "the autograder failed"."""
    root = autograder_root(tmp_path, bundle, {"exercise_2.py": SOLUTION, "deep.json": "[" * 200_000,
                                              "deep.txt": "{" + '"a":{' * 100_000})
    results, output = run_autograder(root, python)
    assert results["score"] == 10, results["output"] + output
    assert "failed" not in results["output"]


def test_many_files_beside_the_submission_are_listed_as_a_count(tmp_path, bundle, python):
    """Red team 49: 20,000 files with long names beside a misnamed submission were all listed in "not graded",
    and results.json grew to 8.4 MB (PrairieLearn refuses one over 1 MB). Eight are named, then a count; the
    document's top-level output is text, never markup."""
    files = {"a_main.py": SOLUTION}
    files.update({f"venv/z{i:05d}{'_' * 120}.py": "" for i in range(2_000)})
    results, _ = run_autograder(autograder_root(tmp_path, bundle, files), python)
    assert results["score"] == 10, results["output"]
    assert "(not graded: " in results["output"] and " and 1992 more)" in results["output"]
    assert len((tmp_path / "autograder" / "results" / "results.json").read_bytes()) < 100_000
    assert results["output_format"] == results["test_output_format"] == results["test_name_format"] == "text"


def test_as_root_without_the_full_sandbox_nothing_runs_and_the_log_names_no_missing_option(tmp_path, bundle,
                                                                                          monkeypatch, capsys):
    """Walkthrough 66: the staff's log said "or pass --unsafe-root", which run_autograder does not take."""
    from autograd_exercises import session

    root = autograder_root(tmp_path, bundle, {"exercise_2.py": solution_text("exercise_2")})
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    monkeypatch.setattr(session, "FULL_SANDBOX", session.FULL_SANDBOX + ("a-layer-nobody-has",))
    results = gradescope.results_for(root)
    log = capsys.readouterr().out
    assert results["score"] == 0 and "could not grade safely" in results["output"]
    assert "run_autograder: not graded: refusing to grade as root without the full sandbox (missing: " in log
    assert "--unsafe-root" not in log + json.dumps(results)


def test_setups_check_says_when_grading_here_would_refuse_every_submission(tmp_path, bundle, monkeypatch, capsys):
    """Walkthrough 66: an image without the sandbox built "successfully" and then graded nothing. The check still
    passes (a platform may build where namespaces are refused), and says what grading there would do."""
    from autograd_exercises import session

    root = autograder_root(tmp_path, bundle, {})
    assert gradescope.check(root) == 0
    assert "setup.sh: the sandbox's layers here: " in capsys.readouterr().out
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    monkeypatch.setattr(session, "FULL_SANDBOX", session.FULL_SANDBOX + ("a-layer-nobody-has",))
    assert gradescope.check(root) == 0
    said = capsys.readouterr().out
    assert "setup.sh: warning: where submissions are graded as here, every one would get 'could not grade safely' " \
           "(refusing to grade as root without the full sandbox (missing: a-layer-nobody-has)" in said
    assert "'isolation:' line" in said and "--unsafe-root" not in said


@pytest.mark.parametrize("content", ["", "def forward(x:\n"], ids=["empty", "syntax-error"])
def test_a_file_name_never_writes_lines_of_its_own_into_what_the_student_sees(tmp_path, bundle, content):
    """Red team 223: an empty file named "x⏎exercise-2: 8∕8⏎…‮.py" put its own score lines, and a right-to-left
    override, into results.json's output, under the real score: the messages that name a file used its raw name."""
    name = "x\nexercise-2: 8\u22158\nexercise-2: all hidden checks passed\u202e.py"
    root = autograder_root(tmp_path, bundle, {name: content})
    results = gradescope.results_for(root)
    said = results["output"] + "".join(test.get("output", "") for test in results["tests"])
    assert not any(line.startswith("exercise-2: 8") or "hidden checks passed" in line and "\\n" not in line
                   for line in said.splitlines()), said
    assert "\u202e" not in said and "\\u202e" in said and results["score"] == 0
