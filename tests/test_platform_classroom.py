"""GitHub Classroom's template repository and the course-repository workflow.

The workflows are checked with actionlint (and their scripts with shellcheck); the template is
searched for solutions and hidden checks; its workflow's helpers run on real submissions; and a
template made from an install of the template's own wheel, without the source checkout, is the
same bytes and grades there.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

import graders
from autograd_exercises.cli import main
from autograd_exercises.platforms import actions, classroom, wheel
from tests.conftest import mutate, solution_text
from tests.platforms_support import (ROOT, actionlint, assert_no_solutions, every_text, remove, shellcheck,
                                     standin_python, unzip, where_installed, workflow_scripts)
from tests.test_student_install import hidden_only_names

SLUGS = [exercise.slug for exercise in graders.EXERCISES]
SOLUTION = solution_text("exercise_2")


@pytest.fixture(scope="module")
def template() -> dict[str, bytes]:
    return classroom.template_files("exercise-2")


def steps(text: str) -> list[dict]:
    (job,) = yaml.safe_load(text)["jobs"].values()
    return job["steps"]


def test_the_template_has_the_stub_the_notebook_a_readme_the_workflow_and_the_student_wheel(template):
    assert sorted(template) == sorted([".github/workflows/classroom.yml", ".gitignore", "README.md", "exercise-2.ipynb",
                                       "exercise_2.py", f"grader/{wheel.wheel_name()}"])
    assert template["exercise_2.py"] == (ROOT / "autograd_exercises" / "exercise_2.py").read_bytes()
    assert template["exercise-2.ipynb"] == (ROOT / "autograd_exercises" / "notebooks" / "exercise-2.ipynb").read_bytes()
    assert classroom.template_files("exercise-2") == template  # the same bytes every time


def test_the_template_holds_no_solution_and_no_hidden_check(template):
    texts = every_text(template)
    assert_no_solutions({name: text for name, text in texts.items() if "!" not in name})
    assert_no_solutions({name: text for name, text in texts.items() if "!" in name}, package_modules=True)
    inner = unzip(template[f"grader/{wheel.wheel_name()}"])
    assert [name for name in inner if name.startswith("graders/hidden")] == []
    found = {(name, word) for name, text in texts.items() for word in hidden_only_names() if word in text}
    assert sorted(found) == []


def test_the_workflow_is_what_classroom_wants_one_step_per_check_worth_its_points(template):
    text = template[".github/workflows/classroom.yml"].decode()
    document = yaml.safe_load(text)
    assert document["name"] == "Autograding Tests" and list(document["jobs"]) == ["run-autograding-tests"]
    graded = [step for step in steps(text) if step.get("uses", "").startswith(classroom.COMMAND_GRADER)]
    visible = [check for check in graders.find("exercise-2").checks if not check.hidden]
    assert [(step["id"], step["with"]["max-score"]) for step in graded] == [(c.name, c.points) for c in visible]
    assert all(step["with"]["command"] == f"{classroom.HELPER} check grade.json exercise-2 {step['id']}"
               for step in graded)
    (reporter,) = [step for step in steps(text) if step.get("uses", "").startswith(classroom.REPORTER)]
    assert reporter["with"]["runners"] == ",".join(check.name for check in visible)
    assert reporter["env"] == {f"{c.name.upper()}_RESULTS": f"${{{{ steps.{c.name}.outputs.result }}}}" for c in visible}
    (upload,) = [step for step in steps(text) if step.get("uses", "").startswith("actions/upload-artifact")]
    assert upload["if"] == "always()" and upload["with"]["path"] == "junit.xml"
    install = [step for step in steps(text) if "pip install" in step.get("run", "")][0]["run"]
    assert "--index-url https://download.pytorch.org/whl/cpu" in install and f"grader/{wheel.wheel_name()}" in install


def test_every_generated_workflow_passes_actionlint_and_shellcheck(tmp_path):
    folder = tmp_path / ".github" / "workflows"
    folder.mkdir(parents=True)
    texts = {f"classroom-{slug}.yml": classroom.workflow(slug) for slug in SLUGS}
    texts["grade-submissions.yml"] = actions.workflow()
    for name, text in texts.items():
        (folder / name).write_text(text)
    scripts = []
    for number, script in enumerate(script for text in texts.values() for script in workflow_scripts(text)):
        path = tmp_path / f"step-{number}.sh"
        path.write_text("#!/usr/bin/env bash\n" + script)
        scripts.append(path)
    shellcheck(scripts)
    actionlint(sorted(folder.iterdir()))


def test_the_committed_template_texts_are_what_grade_package_writes():
    for slug in SLUGS:
        for name, text in classroom.text_files(slug).items():
            assert (ROOT / "platforms" / "classroom" / slug / name).read_text() == text
    assert (ROOT / "platforms" / "actions" / "grade-submissions.yml").read_text() == actions.workflow()


def test_the_readme_says_how_to_run_grade_and_read_feedback(template):
    text = template["README.md"].decode()
    assert f"pip install grader/{wheel.wheel_name()}" in text and "\ngrade exercise-2\n" in text
    assert "The checks here are worth 8 of the exercise's 10 points. 2 hidden checks (2 points)" in text
    assert "**Autograding Tests**" in text and "junit-exercise-2" in text and "--seed N" in text


# -- the workflow's helpers on real submissions ------------------------------------------------------------------


def run_steps(folder: Path, python: Path | str = sys.executable) -> tuple[dict[str, int], str]:
    """The workflow's grading step, then each check step: {check: exit status}, and the job summary."""
    summary = folder / "summary.md"
    helper = [str(python), *shlex.split(classroom.HELPER)[1:]]  # the workflow's own command line
    grade = subprocess.run([*helper, "grade", "exercise-2", "--json", "grade.json", "--junit", "junit.xml",
                            "--summary", str(summary)], cwd=folder, capture_output=True, text=True, timeout=300)
    assert grade.returncode == 0, grade.stdout + grade.stderr
    statuses = {}
    for check in classroom.visible_checks("exercise-2"):
        proc = subprocess.run([*helper, "check", "grade.json", "exercise-2", check.name], cwd=folder,
                              capture_output=True, text=True, timeout=120)
        assert proc.stdout.startswith(("✓", "✗")), proc.stdout + proc.stderr
        statuses[check.name] = proc.returncode
    return statuses, summary.read_text()


def make_repository(tmp_path: Path, template: dict[str, bytes], files: dict[str, str] | None = None) -> Path:
    folder = tmp_path / "repo"
    for name, data in template.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    for name, text in (files or {}).items():
        (folder / name).write_text(text)
    return folder


def test_each_check_step_passes_exactly_when_its_check_passed(tmp_path, template):
    wrong = mutate(SOLUTION, ("out = z.mean()", "out = z.sum()"))
    folder = make_repository(tmp_path, template, {"exercise_2.py": wrong})
    statuses, summary = run_steps(folder)
    results = json.loads((folder / "grade.json").read_text())
    visible = [test for test in results["tests"] if test["name"].split(": ")[1] in statuses]  # (this install has hidden)
    passed = {test["name"].split(": ")[1] for test in visible if test["status"] == "passed"}
    assert {name for name, status in statuses.items() if status == 0} == passed
    assert statuses["forward_values"] == 1
    points = sum(check.points for check in classroom.visible_checks("exercise-2") if statuses[check.name] == 0)
    assert points == sum(test["score"] for test in visible) > 0
    assert "| ✗ | forward_values | 0/2 |" in summary and "a sum where a mean belongs" in summary
    assert (folder / "junit.xml").read_text().startswith("<?xml")


def test_no_file_of_the_checkout_stands_in_for_a_module_of_the_grader(tmp_path, template):
    """Red team 168: a top-level ``argparse.py`` in the student's repository (nothing under ``.github/`` or ``grader/``
    changed) ran inside the grade and check steps, ``python -m`` putting the checkout first on the import path, and
    printed a pass for every check of an untouched stub: 8/8."""
    forged = ("import sys\nprint('\u2713 forged: passed')\nsys.exit(0)\n")
    folder = make_repository(tmp_path, template, {"argparse.py": forged, "json.py": forged})
    (folder / "autograd_exercises").mkdir()
    (folder / "autograd_exercises" / "__init__.py").write_text(forged)
    statuses, summary = run_steps(folder)
    assert set(statuses.values()) == {1} and "forged" not in summary
    assert "python -I -m pip install" in classroom.workflow("exercise-2")  # (and pip's install steps too)


def test_no_student_text_becomes_a_workflow_command_markup_or_a_write_elsewhere(tmp_path, template):
    """Red team 151: what a check step printed of the student's (printed text, an exception) became workflow commands
    on the run's log (``::error::``, ``##[add-mask]``); an exception's HTML showed a forged score in the job summary;
    a committed ``junit.xml`` link had the grade step write where it points. Each step stops the runner's commands
    around the student's text, the summary escapes it, and the reports replace what is at their paths."""
    forged = "<h2>exercise-2: 10/10</h2> ##[error]void ::error::x"
    hostile = mutate(SOLUTION, ("    y = 3 * x + 2\n", f"    print('::error::forged\\u2028::warning::w')\n"
                                                        f"    raise ValueError({forged!r})\n"))
    folder = make_repository(tmp_path, template, {"exercise_2.py": hostile})
    outside = tmp_path / "outside.txt"
    outside.write_text("kept")
    (folder / "junit.xml").symlink_to(outside)
    environment = {**os.environ, "GITHUB_ACTIONS": "true"}
    run = [sys.executable, "-m", "autograd_exercises.platforms.classroom"]
    grade = subprocess.run([*run, "grade", "exercise-2", "--summary", "summary.md"], cwd=folder, env=environment,
                           capture_output=True, text=True, timeout=300)
    assert grade.returncode == 0, grade.stdout + grade.stderr
    assert outside.read_text() == "kept" and not (folder / "junit.xml").is_symlink()
    summary = (folder / "summary.md").read_text()
    assert "<h2>" not in summary and "&lt;h2&gt;exercise-2: 10/10&lt;/h2&gt;" in summary, summary
    check = subprocess.run([*run, "check", "grade.json", "exercise-2", "forward_values"], cwd=folder,
                           env=environment, capture_output=True, text=True, timeout=120)
    for output in (grade.stdout, check.stdout):
        lines = output.split("\n")
        opened = [n for n, line in enumerate(lines) if line.startswith("::stop-commands::")]
        student = [n for n, line in enumerate(lines) if "##[error]" in line or "::error::" in line]
        assert opened and student, output
        for n in student:  # each between a stop and its token
            start = max(o for o in opened if o < n)
            token = lines[start].split("::")[2]
            assert f"::{token}::" in lines[start + 1:] and lines.index(f"::{token}::", start) > n, output
    assert "\u2028" in check.stdout  # (one line of the log, as the runner splits it)
    (folder / "junit.xml").unlink()
    (folder / "junit.xml").mkdir()
    refused = subprocess.run([*run, "grade", "exercise-2"], cwd=folder, capture_output=True, text=True, timeout=300)
    assert refused.returncode == 1 and refused.stderr.startswith("Error: cannot write") and \
        "Traceback" not in refused.stderr, refused.stderr


def test_the_untouched_template_scores_zero_on_every_step(tmp_path, template):
    statuses, summary = run_steps(make_repository(tmp_path, template))
    assert set(statuses.values()) == {1} and "### exercise-2: 0/" in summary


def test_a_student_install_imports_the_graders_without_the_hidden_checks(template):
    """The student wheel has no graders.hidden: importing graders must count the hidden checks, not fail."""
    python, venv = standin_python(template[f"grader/{wheel.wheel_name()}"], wheel.wheel_name())
    try:
        proc = subprocess.run([str(python), "-c", "import graders; print(graders.find('exercise-2').hidden_absent)"],
                              cwd=venv, capture_output=True, text=True, timeout=300)
    finally:
        remove(venv)
    assert proc.stdout.strip() == "HiddenCount(checks=2, points=2)", (
        "a student install cannot import graders (graders/__init__.py: `from graders import hidden` raises "
        "ImportError, not ModuleNotFoundError, when the module is absent):\n" + proc.stderr[-600:])


def test_a_template_made_without_the_checkout_is_the_same_and_grades_there(tmp_path, template):
    """From an install of the template's own (student) wheel: same bytes; the template grades with it."""
    python, venv = standin_python(template[f"grader/{wheel.wheel_name()}"], wheel.wheel_name())
    try:
        assert "site-packages" in where_installed(python, "autograd_exercises")
        proc = subprocess.run([str(python), "-m", "autograd_exercises.cli", "package", "classroom", "exercise-2", "-o",
                               str(tmp_path / "again")], cwd=tmp_path, capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        again = {path.relative_to(tmp_path / "again").as_posix(): path.read_bytes()
                 for path in (tmp_path / "again").rglob("*") if path.is_file()}
        assert again == template
        folder = make_repository(tmp_path, template, {"exercise_2.py": SOLUTION})
        statuses, summary = run_steps(folder, python)
        assert set(statuses.values()) == {0}, summary
        assert "### exercise-2: 8/8" in summary and "2 hidden checks (2 points) are graded by your course" in summary
    finally:
        remove(venv)


# -- grade package classroom / actions ------------------------------------------------------------------------


def test_grade_package_classroom_writes_a_new_folder_and_never_overwrites(tmp_path, template):
    target = tmp_path / "t"
    out = CliRunner().invoke(main, ["package", "classroom", "2", "-o", str(target)])
    assert out.exit_code == 0, out.output
    assert {p.relative_to(target).as_posix(): p.read_bytes() for p in target.rglob("*") if p.is_file()} == template
    again = CliRunner().invoke(main, ["package", "classroom", "2", "-o", str(target)])
    assert again.exit_code == 3 and "exists and is not an empty folder" in again.output
    assert CliRunner().invoke(main, ["package", "classroom", "exercise-9"]).exit_code == 3


def test_the_course_workflow_grades_changed_folders_with_grade_class_and_publishes_reports(tmp_path):
    text = actions.workflow()
    document = yaml.safe_load(text)
    assert document[True]["push"]["paths"] == ["submissions/**"] and "workflow_dispatch" in document[True]
    grade = document["jobs"]["grade"]
    assert grade["needs"] == "plan" and grade["strategy"]["matrix"]["exercise"] == \
        "${{ fromJSON(needs.plan.outputs.exercises) }}"
    scripts = "\n".join(step.get("run", "") for step in grade["steps"])
    assert 'grade class "$EXERCISE" "submissions/$EXERCISE" --out "graded/$EXERCISE"' in scripts
    assert "python -m pip install --quiet -e '.[report]'" in scripts
    uploads = [step["with"]["path"] for step in grade["steps"] if step.get("uses", "").startswith("actions/upload")]
    assert uploads == ["graded/${{ matrix.exercise }}/class.junit.xml",
                       "graded/${{ matrix.exercise }}/grades.csv\ngraded/${{ matrix.exercise }}/results/\n"
                       "graded/${{ matrix.exercise }}/feedback/\ngraded/${{ matrix.exercise }}/report.html\n"]
    assert "handins/**" in actions.workflow("handins")
    assert actions.workflow("./handins/") == actions.workflow("handins")
    for wrong in ("../x; rm -rf /", "-o", "subs/-x", ".", "subs/./x"):  # (red team 50: -o broke find)
        with pytest.raises(ValueError):
            actions.workflow(wrong)
    out = CliRunner().invoke(main, ["package", "actions", "-o", str(tmp_path / "w.yml")])
    assert out.exit_code == 0 and (tmp_path / "w.yml").read_text() == text


@pytest.mark.parametrize("folder", ["submissions", "course/subs"])
def test_the_plan_step_lists_the_exercises_whose_folders_a_push_changed(tmp_path, folder):
    """The first job's script, run in a real git repository (bash, git and python3, as on GitHub's runners); a
    nested submissions folder too (red team 50: a push then graded nothing)."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    (plan,) = [step for step in yaml.safe_load(actions.workflow(folder))["jobs"]["plan"]["steps"] if "run" in step]

    def git(*args: str) -> str:
        return subprocess.run(["git", "-c", "user.email=t@t", "-c", "user.name=t", *args], cwd=tmp_path, check=True,
                              capture_output=True, text=True).stdout.strip()

    git("init", "-q")
    for path in (f"{folder}/exercise-1/alice/a.py", f"{folder}/exercise-2/bob/b.py", "README.md"):
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text("x = 1\n")
    git("add", "-A")
    git("commit", "-qm", "first")
    before = git("rev-parse", "HEAD")
    (tmp_path / folder / "exercise-2/carol").mkdir()
    (tmp_path / folder / "exercise-2/carol/c.ipynb").write_text("{}")
    git("add", "-A")
    git("commit", "-qm", "second")

    def plan_output(event: str, before: str) -> str:
        output = tmp_path / "out.txt"
        output.unlink(missing_ok=True)
        env = {**os.environ, "EVENT": event, "BEFORE": before, "GITHUB_SHA": git("rev-parse", "HEAD"),
               "GITHUB_OUTPUT": str(output)}
        subprocess.run(["bash", "-e", "-c", plan["run"]], cwd=tmp_path, env=env, check=True, capture_output=True)
        return output.read_text().strip()

    assert plan_output("push", before) == 'exercises=["exercise-2"]'
    assert plan_output("workflow_dispatch", "") == 'exercises=["exercise-1", "exercise-2"]'
    assert plan_output("push", "0" * 40) == 'exercises=["exercise-1", "exercise-2"]'


def test_a_repository_without_the_exercise_says_so_in_classrooms_words(tmp_path, template):
    """Walkthrough 66: a student who removed the exercise's files read "Submit … (from 'grade start …')", Gradescope's
    words; a Classroom student commits and pushes."""
    folder = make_repository(tmp_path, template)
    (folder / "exercise_2.py").unlink()
    (folder / "exercise-2.ipynb").unlink()
    statuses, summary = run_steps(folder)
    assert set(statuses.values()) == {1}
    said = json.loads((folder / "grade.json").read_text())["output"] + summary
    assert "No exercise_2.py or exercise-2.ipynb in your submission" in said
    assert "then commit and push again" in said and "grade start" not in said
