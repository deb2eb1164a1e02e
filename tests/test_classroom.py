"""``grade class``: a whole class graded for real — files written, resumed, killed, attacked, exit codes.

Most tests grade in this process (:class:`~autograd_exercises.classroom.executor.InProcess` with the
session's sandbox); the pool of worker processes is exercised where it matters (a hostile class, a
kill mid-batch, the command line).
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import signal
import shutil
import subprocess
import sys
import time
import warnings
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from autograd_exercises import session
from autograd_exercises.classroom import batch, cache, executor, layouts, outputs, task
from autograd_exercises.classroom.executor import IdleCores, InProcess, LocalPool
from autograd_exercises.classroom.progress import Progress
from autograd_exercises.sandbox import isolation
from autograd_exercises.cli import main
from tests import class_builder
from tests.conftest import ROOT

SLUG = "exercise-2"
CHECKS = ["forward_values", "forward_retains_y_grad", "gradients_x", "gradients_fills_x_grad", "gradients_y",
          "gradients_notebook_example", "gradient_manual_values", "gradient_manual_by_hand"]
MISTAKES = class_builder.mistakes()


@pytest.fixture(scope="module")
def inline(sandbox):
    return InProcess(sandbox)


def make_class(folder: Path, students: dict[str, tuple[str, str]]) -> Path:
    """``students``: name → (kind, ".py" or ".ipynb"), written as ``folder/<name><suffix>``."""
    for name, (kind, suffix) in students.items():
        class_builder.write(folder / name, kind, suffix)
    return folder


def run(folder: Path, out: Path, executor, exercise: str | None = SLUG, **options) -> batch.Summary:
    options.setdefault("timeout", 2.0)
    return batch.run(batch.Options(exercise, folder, out=out, **options), executor=executor,
                     stream=io.StringIO(), terminal=False)


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as stream:
        return list(csv.DictReader(stream))


def expected(kind: str) -> float:
    return 10 if kind == "right" else MISTAKES[kind.split(":", 1)[1]][1]


# -- the files ----------------------------------------------------------------------------------------


def test_csv_results_feedback_and_junit(tmp_path, inline):
    folder = make_class(tmp_path / "class", {"alice": ("right", ".py"), "bob": ("mistake:sum_instead_of_mean", ".ipynb"),
                                              "dave": ("syntax", ".py")})
    (folder / "carol.py").write_text("")
    (folder / "erin.ipynb").write_text("this is not JSON")
    summary = run(folder, tmp_path / "out", inline, seed=7)
    assert summary.exit_code == 1  # carol and erin could not be graded
    rows = read_csv(tmp_path / "out" / "grades.csv")
    assert list(rows[0]) == ["student", "exercise", "score", "max_score", *CHECKS, "mistakes", "status", "reason", "note",
                             "file", "seed", "class_seed", "sha256", "grader_version", "graded_at"]
    by = {row["student"]: row for row in rows}
    assert [row["student"] for row in rows] == ["alice", "bob", "carol", "dave", "erin"]
    assert by["alice"]["score"] == "10" and by["alice"]["max_score"] == "10" and by["alice"]["status"] == "graded"
    assert [by["alice"][name] for name in CHECKS] == ["2", "1", "1", "1", "1", "1", "2", "1"]
    assert by["bob"]["score"] == "4" and by["bob"]["file"] == "bob.ipynb"
    assert by["carol"]["status"] == "could-not-grade" and by["carol"]["reason"] == "carol.py is empty"
    assert by["carol"]["score"] == "0" and by["carol"]["forward_values"] == ""  # (no check ran: walkthrough 69)
    assert by["erin"]["status"] == "could-not-grade" and "is not a Jupyter notebook" in by["erin"]["reason"]
    assert by["dave"]["status"] == "graded" and by["dave"]["score"] == "0"
    assert by["dave"]["note"].startswith("dave.py does not compile: SyntaxError at line") and "\n" not in by["dave"]["note"]
    for name, row in by.items():
        assert row["class_seed"] == "7" and row["seed"] == str(batch.student_seed(7, name, SLUG, row["sha256"]))
        path = folder / row["file"]
        assert row["sha256"] == task.sha256(path.read_bytes())
        assert row["grader_version"] == cache.grader_version()
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", row["graded_at"])
    assert len({row["seed"] for row in rows}) == 5  # each student their own inputs

    alice = json.loads((tmp_path / "out" / "results" / "alice" / f"{SLUG}.json").read_text())
    assert alice["score"] == 10 and alice["extra_data"]["seed"] == int(by["alice"]["seed"])
    assert {t["visibility"] for t in alice["tests"]} == {"visible", "after_published"}
    feedback = (tmp_path / "out" / "feedback" / "bob" / f"{SLUG}.txt").read_text()
    assert "Score: 3/8" in feedback and "gradients_notebook_example" not in feedback  # hidden checks not shown
    assert "plus 2 hidden checks (2 points), graded but not shown here" in feedback
    assert "carol.py is empty" in (tmp_path / "out" / "feedback" / "carol" / f"{SLUG}.txt").read_text()
    assert not list((tmp_path / "out").rglob("*.tmp"))


def test_csv_opens_in_pandas(tmp_path, inline):
    import pandas  # in the test extras: this test must run, not skip
    folder = make_class(tmp_path / "class", {"alice": ("right", ".py"), "bob": ("syntax", ".py")})
    run(folder, tmp_path / "out", inline)
    frame = pandas.read_csv(tmp_path / "out" / "grades.csv")
    assert list(frame["student"]) == ["alice", "bob"] and list(frame["score"]) == [10, 0]


def test_results_json_is_what_the_single_file_command_writes(tmp_path, inline):
    from autograd_exercises.reports import gradescope

    folder = make_class(tmp_path / "class", {"alice": ("mistake:no_retain_grad", ".py")})
    run(folder, tmp_path / "out", inline, seed=3)
    seed = batch.student_seed(3, "alice", SLUG, task.sha256((folder / "alice.py").read_bytes()))
    alone = session.grade([session.target(SLUG, str(folder / "alice.py"))], seed=seed, remember_scores=False)

    def steady(document: dict) -> dict:
        document.pop("execution_time")
        for test in document["tests"]:
            test["extra_data"].pop("seconds")
        return document

    mine = json.loads((tmp_path / "out" / "results" / "alice" / f"{SLUG}.json").read_text())
    assert steady(mine) == steady(gradescope.as_dict(alone))


def test_junit_is_valid(tmp_path, inline):
    xmlschema = pytest.importorskip("xmlschema")
    folder = make_class(tmp_path / "class", {"alice": ("right", ".py"), "bob": ("mistake:no_retain_grad", ".ipynb")})
    (folder / "carol.py").write_text("")
    run(folder, tmp_path / "out", inline)
    document = tmp_path / "out" / "class.junit.xml"
    xmlschema.XMLSchema(str(ROOT / "tests" / "data" / "junit-10.xsd")).validate(str(document))
    text = document.read_text()
    assert 'name="alice exercise-2"' in text and 'name="carol exercise-2"' in text
    # walkthrough 69: a file that could not be graded is one failed case that says why, not a failure of every check
    carol = next(suite for suite in ET.fromstring(text) if suite.get("name") == "carol exercise-2")
    assert (carol.get("tests"), carol.get("failures")) == ("1", "1")
    assert [case.find("failure").get("message") for case in carol] == ["carol.py is empty"]
    feedback = (tmp_path / "out" / "feedback" / "carol" / "exercise-2.txt").read_text()
    assert "graded " not in feedback.splitlines()[1] and "carol.py is empty" in feedback


def test_every_exercise_found(tmp_path, inline):
    folder = tmp_path / "class"
    (folder / "alice").mkdir(parents=True)
    (folder / "alice" / "exercise_1.py").write_text((ROOT / "solutions" / "exercise_1.py").read_text())
    (folder / "alice" / "exercise_2.py").write_text(class_builder.SOLUTION)
    (folder / "bob").mkdir()
    (folder / "bob" / "exercise_2.py").write_text(class_builder.module_text("mistake:no_retain_grad"))
    summary = run(folder, tmp_path / "out", inline, exercise=None)
    assert summary.exit_code == 1  # (bob has no exercise 1: a row that says so, walkthrough 69)
    rows = read_csv(tmp_path / "out" / "grades.csv")
    assert [(row["student"], row["exercise"], row["score"], row["status"]) for row in rows] == [
        ("alice", "exercise-1", "10", "graded"), ("alice", "exercise-2", "10", "graded"),
        ("bob", "exercise-1", "0", "could-not-grade"), ("bob", "exercise-2", "8", "graded")]
    assert rows[2]["reason"] == "no file for exercise-1, which most students handed in"
    assert "exercise-2:forward_values" in rows[0] and rows[0]["exercise-2:forward_values"] == ""
    assert (tmp_path / "out" / "results" / "alice" / "exercise-1.json").is_file()


# -- resuming -----------------------------------------------------------------------------------------


def test_resume_grades_only_what_changed(tmp_path, inline):
    folder = make_class(tmp_path / "class", {"alice": ("right", ".py"), "bob": ("mistake:no_retain_grad", ".py"),
                                              "carol": ("right", ".ipynb")})
    first = run(folder, tmp_path / "out", inline)
    assert (first.graded_now, first.from_cache) == (3, 0)
    again = run(folder, tmp_path / "out", inline)  # no --seed: the recorded class seed
    assert (again.graded_now, again.from_cache) == (0, 3) and again.class_seed == first.class_seed
    assert read_csv(tmp_path / "out" / "grades.csv") == read_csv(tmp_path / "out" / "grades.csv")
    (folder / "bob.py").write_text(class_builder.SOLUTION)
    third = run(folder, tmp_path / "out", inline)
    assert (third.graded_now, third.from_cache) == (1, 2)
    assert {row["student"]: row["score"] for row in read_csv(tmp_path / "out" / "grades.csv")} == \
        {"alice": "10", "bob": "10", "carol": "10"}
    assert run(folder, tmp_path / "out", inline, regrade=True).graded_now == 3
    other = run(folder, tmp_path / "out", inline, seed=first.class_seed + 1)  # another seed: other inputs
    assert other.graded_now == 3
    longer = run(folder, tmp_path / "out", inline, seed=first.class_seed + 1, timeout=3.0)  # another time per check
    assert longer.graded_now == 3


def test_a_row_the_grader_itself_failed_is_graded_again_by_the_next_run(tmp_path, inline, monkeypatch):
    """Red team 227: a zero for the grader's own failure on a submission ("the grader failed on this submission") was
    kept by the cache, and the next run gave it back until --regrade. Such a row is written, and graded again next
    time; a submission's own failures stay cached."""
    from autograd_exercises import grading

    folder = make_class(tmp_path / "class", {"alice": ("right", ".py"), "bob": ("right", ".py"),
                                              "carol": ("syntax", ".py")})
    real = grading.grade

    def failing(exercise, submission, **options):
        if b"bob" in submission.source or "bob" in str(submission.name):
            raise OSError("a disk full for a moment")
        return real(exercise, submission, **options)

    monkeypatch.setattr(grading, "grade", failing)
    first = run(folder, tmp_path / "out", inline)
    rows = {row["student"]: row for row in read_csv(tmp_path / "out" / "grades.csv")}
    assert rows["bob"]["status"] == "could-not-grade" and "the grader failed on this submission" in rows["bob"]["reason"]
    assert (first.graded_now, first.from_cache) == (3, 0)
    monkeypatch.setattr(grading, "grade", real)
    again = run(folder, tmp_path / "out", inline)
    assert (again.graded_now, again.from_cache) == (1, 2)  # bob again; carol's syntax error stays cached
    assert {row["student"]: row["score"] for row in read_csv(tmp_path / "out" / "grades.csv")} == \
        {"alice": "10", "bob": "10", "carol": "0"}


def test_a_cache_key_holds_the_time_per_check_and_per_notebook_cell():
    """A course whose config changes a notebook cell's time (``--gradebook``: ``Execute.timeout``) grades again."""
    from autograd_exercises.classroom import cache

    keys = {cache.key("sha", SLUG, "v", 1, times=times, mode="cells", filename="a.ipynb")
            for times in ((5.0, 60.0), (5.0, 30.0), (2.0, 60.0))}
    assert len(keys) == 3


def test_a_cached_row_cut_short_or_edited_is_graded_again(tmp_path, inline):
    """Red team 148: a cached row without its status (a hand edit, a row cut short) stopped the next run with a
    traceback; a row that lacks a field every row has, or holds one of another type, is graded again."""
    folder = make_class(tmp_path / "class", {"alice": ("right", ".py"), "bob": ("right", ".py"),
                                              "carol": ("right", ".py")})
    run(folder, tmp_path / "out", inline)
    cached = {json.loads(path.read_text())["student"]: path for path in (tmp_path / "out" / ".cache").glob("*/*.json")}
    for student, change in (("alice", lambda row: row.pop("status")), ("bob", lambda row: row.update(score="10"))):
        row = json.loads(cached[student].read_text())
        change(row)
        cached[student].write_text(json.dumps(row))
    again = run(folder, tmp_path / "out", inline)
    assert (again.graded_now, again.from_cache, again.exit_code) == (2, 1, 0)
    assert {row["student"]: row["score"] for row in read_csv(tmp_path / "out" / "grades.csv")} == \
        {"alice": "10", "bob": "10", "carol": "10"}


@pytest.mark.parametrize("change", [
    lambda row: row["checks"].update(forward_values=5),  # (red team 205: csv_text read checks[name][0])
    lambda row: row.update(result="x"),  # (and junit read the result)
    lambda row: row["mistakes"].update(forward_values=["x"]),
])
def test_a_cached_row_edited_inside_is_graded_again(tmp_path, inline, change):
    """Red team 205: a cached row whose check held a number, or whose result was text, passed the field types and
    stopped the next run with a traceback; the row is now read down to each check's points and its result's report."""
    folder = make_class(tmp_path / "class", {"alice": ("right", ".py"), "bob": ("right", ".py")})
    run(folder, tmp_path / "out", inline)
    cached = {json.loads(path.read_text())["student"]: path for path in (tmp_path / "out" / ".cache").glob("*/*.json")}
    row = json.loads(cached["alice"].read_text())
    change(row)
    cached["alice"].write_text(json.dumps(row))
    again = run(folder, tmp_path / "out", inline)
    assert (again.graded_now, again.from_cache, again.exit_code) == (1, 1, 0)
    assert {row["student"]: row["score"] for row in read_csv(tmp_path / "out" / "grades.csv")} == \
        {"alice": "10", "bob": "10"}


@pytest.mark.parametrize("student", ["../../escaped", "", "/tmp/elsewhere", "ann\x00x", ".."])
def test_a_ledger_id_that_is_no_folder_name_is_never_used(tmp_path, inline, student):
    """Red team 205: an id in the ledger of an earlier run (``.cache/rows.json``, edited by hand) was given back to its
    person as it was: ``../../x`` wrote their files outside the output folder, ``/abs`` and a NUL stopped the class."""
    folder = make_class(tmp_path / "class", {"alice": ("right", ".py"), "bob": ("right", ".py")})
    out = tmp_path / "out"
    run(folder, out, inline)
    ledger = json.loads((out / ".cache" / "rows.json").read_text())
    for labels in ledger[SLUG]:
        if labels["student"] == "alice":
            labels["student"] = student
    (out / ".cache" / "rows.json").write_text(json.dumps(ledger))
    again = run(folder, out, inline)
    assert again.exit_code == 0 and sorted(row["student"] for row in read_csv(out / "grades.csv")) == ["alice", "bob"]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["class", "out"]
    assert sorted(path.name for path in (out / "results").iterdir()) == ["alice", "bob"]


@pytest.mark.parametrize("part", ["..", "ann\x00x", "é" * 128])
def test_the_output_folder_makes_no_folder_that_cannot_be_one_name_below_it(tmp_path, part):
    """outputs.real_folder and the cache's ledger share one predicate (outputs.folder_name): a part that leaves the
    output folder, holds a NUL or is longer than a folder's name (256 bytes) is one OutputError, never an OSError."""
    with pytest.raises(outputs.OutputError, match="is no folder name below"):
        outputs.real_folder(tmp_path, tmp_path / "results" / part / "x")
    assert not outputs.folder_name(part) and not outputs.folder_name(".") and outputs.folder_name("é" * 127)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["results"]


def test_a_row_from_the_cache_rewrites_results_and_feedback_of_a_later_grading(tmp_path, inline):
    """alice goes back to a version graded before (a git revert): the row comes from the cache, and her results and
    feedback say what grades.csv says, not what the version in between got."""
    folder = make_class(tmp_path / "class", {"alice": ("mistake:no_retain_grad", ".py")})
    out = tmp_path / "out"
    files = [out / "results" / "alice" / "exercise-2.json", out / "feedback" / "alice" / "exercise-2.txt"]
    mistaken = (folder / "alice.py").read_text()
    run(folder, out, inline)
    first = [path.read_text() for path in files]
    (folder / "alice.py").write_text(class_builder.SOLUTION)
    assert run(folder, out, inline).graded_now == 1
    assert json.loads(files[0].read_text())["score"] == 10
    (folder / "alice.py").write_text(mistaken)
    reverted = run(folder, out, inline)
    assert (reverted.graded_now, reverted.from_cache) == (0, 1)
    assert [path.read_text() for path in files] == first
    assert json.loads(files[0].read_text())["score"] == float(read_csv(out / "grades.csv")[0]["score"]) < 10


def test_results_and_feedback_keep_only_the_current_students(tmp_path, inline):
    folder = make_class(tmp_path / "class", {"dave": ("right", ".py"), "erin": ("right", ".py")})
    out = tmp_path / "out"
    run(folder, out, inline)
    for path in (out / "results" / "zed" / "exercise-3.json", out / "results" / "notes.txt",
                 out / "feedback" / "dave" / "mine.txt"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("not this run's")
    (folder / "dave.py").rename(folder / "dave2.py")
    summary = run(folder, out, inline)
    assert sorted(row["student"] for row in summary.rows) == ["dave2", "erin"]
    assert sorted(path.relative_to(out).as_posix() for folder in ("results", "feedback")
                  for path in (out / folder).rglob("*") if path.is_file()) == [
        "feedback/dave/mine.txt", "feedback/dave2/exercise-2.txt", "feedback/erin/exercise-2.txt",
        "results/dave2/exercise-2.json", "results/erin/exercise-2.json", "results/notes.txt",
        "results/zed/exercise-3.json"]  # dave's exercise-2 files gone; other exercises' and the user's own kept
    assert not (out / "results" / "dave").exists()


def test_one_exercise_at_a_time_into_one_folder_keeps_the_others_rows(tmp_path, inline):
    """Grading exercise 1, then exercise 2, into one --out left grades.csv, class.junit.xml and report.html with
    exercise 2 alone (results/ kept both). The class files now keep the other exercises' rows of the last complete
    run, said in the summary; ``grade class all`` writes its own exercises only."""
    week1 = tmp_path / "week1"
    week2 = make_class(tmp_path / "week2", {"amy_exercise_2": ("right", ".py"), "ben_exercise_2": ("right", ".py")})
    week1.mkdir()
    (week1 / "amy_exercise_1.py").write_text((ROOT / "solutions" / "exercise_1.py").read_text())
    out = tmp_path / "out"
    first = run(week1, out, inline, exercise="exercise-1")
    assert [row["exercise"] for row in first.rows] == ["exercise-1"] and not first.kept
    second = run(week2, out, inline)
    rows = read_csv(out / "grades.csv")
    assert sorted((row["student"], row["exercise"], row["score"]) for row in rows) == [
        ("amy", "exercise-1", "10"), ("amy", "exercise-2", "10"), ("ben", "exercise-2", "10")]
    assert [row["exercise"] for row in second.kept] == ["exercise-1"]
    assert "kept from earlier runs in grades.csv: exercise-1 (1 row;" in "\n".join(second.lines())
    assert sorted(suite.get("name") for suite in ET.parse(out / "class.junit.xml").iter("testsuite")) == [
        "amy exercise-1", "amy exercise-2", "ben exercise-2"]
    again = run(week2, out, inline)  # from the cache: still both
    assert again.from_cache == 2 and len(read_csv(out / "grades.csv")) == 3
    run(week2, out, inline, exercise=None)  # grade class all: this folder's exercises only
    assert {row["exercise"] for row in read_csv(out / "grades.csv")} == {"exercise-2"}


@pytest.mark.parametrize("folders", ["one folder", "a download per exercise"])
def test_exercises_graded_one_at_a_time_give_each_person_one_id(tmp_path, inline, folders):
    """Red team 81: ids were made unique among one run's files only, and the rows an earlier run kept for other
    exercises merged by id: two Canvas users ``smith`` (1001 for exercise 1, 1002 for exercise 2), graded one exercise
    at a time into one --out, were one student ``smith`` in grades.csv and results/. Ids are now made over every
    exercise's files found, and kept apart from the earlier rows' people (a download per exercise): two people, two
    ids, each the same in every run; one person's two exercises share theirs."""
    one = (ROOT / "solutions" / "exercise_1.py").read_text()
    week1 = tmp_path / "canvas" if folders == "one folder" else tmp_path / "week1"
    week2 = tmp_path / "canvas" if folders == "one folder" else tmp_path / "week2"
    week1.mkdir()
    week2.mkdir(exist_ok=True)
    (week1 / "smith_1001_5001_exercise_1.py").write_text(one)
    (week1 / "lee_7_70_exercise_1.py").write_text(one)
    class_builder.write(week2 / "smith_1002_5002_exercise_2", "right", ".py")
    class_builder.write(week2 / "lee_7_71_exercise_2", "right", ".py")
    out = tmp_path / "out"
    first = run(week1, out, inline, exercise="exercise-1")
    second = run(week2, out, inline)
    people = {(row["student"], row["exercise"]): row["file"] for row in read_csv(out / "grades.csv")}
    assert len({student for student, exercise in people if exercise == "exercise-1"} &
               {student for student, exercise in people if exercise == "exercise-2"}) == 1, people  # lee, only
    assert people[("lee", "exercise-1")] and people[("lee", "exercise-2")]
    smiths = sorted(student for student, _ in people if student.startswith("smith"))
    assert len(smiths) == 2 and len(set(smiths)) == 2, people
    again = run(week2, out, inline)  # the same ids on a rerun, every row from the cache
    assert again.from_cache == 2 and {(row["student"], row["exercise"]) for row in read_csv(out / "grades.csv")} \
        == set(people)
    assert {(row["student"], "exercise-1") for row in first.rows} <= set(people)  # the first run's ids stay


def test_a_gradescope_export_grades_each_submitter(tmp_path, inline):
    """Gradescope's Export Submissions, zipped as it downloads: each submitter of a group's submission gets a row,
    results and feedback of their own, under the id its metadata gives (the SID, else the email)."""
    export = tmp_path / "export" / "assignment_9_export"
    class_builder.write(export / "submission_1" / "exercise_2", "right", ".py")
    class_builder.write(export / "submission_2" / "exercise-2", "mistake:no_retain_grad", ".ipynb")
    (export / "submission_metadata.yml").write_text(
        "submission_1:\n  :submitters:\n  - :name: Ann Lee\n    :sid: '2001'\n    :email: ann@uni.edu\n"
        "  - :name: Bo Chen\n    :sid:\n    :email: bo@uni.edu\n"
        "submission_2:\n  :submitters:\n  - :name: Cy Diaz\n    :sid: '2003'\n    :email: cy@uni.edu\n")
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for path in sorted(export.rglob("*")):
            zipped.write(path, path.relative_to(export.parent).as_posix())
    out = tmp_path / "out"
    summary = run(archive, out, inline)
    rows = {row["student"]: row for row in read_csv(out / "grades.csv")}
    assert {student: float(row["score"]) for student, row in rows.items()} == {
        "2001": 10, "bo@uni.edu": 10, "2003": expected("mistake:no_retain_grad")}
    assert rows["2001"]["file"] == rows["bo@uni.edu"]["file"] == "submission_1/exercise_2.py"
    assert rows["2001"]["sha256"] == rows["bo@uni.edu"]["sha256"] and rows["2001"]["seed"] != rows["bo@uni.edu"]["seed"]
    for student in rows:
        assert (out / "results" / student / f"{SLUG}.json").is_file()
    assert "Gradescope export" in summary.plan.layout


def test_a_sid_the_roster_moves_follows_it_into_the_next_run(tmp_path, inline):
    """The ledger keeps which ids were a roster's SID (red team 209), so that a SID the roster moved from Ann to Bob
    goes to Bob in the next run into the folder, with a note, and Ann keeps a row of her own under her new SID."""
    def export(folder: Path, people: dict[str, str]) -> Path:
        lines = []
        for name, (sid, email) in people.items():
            class_builder.write(folder / f"submission_{name}" / "exercise_2", "right", ".py")
            lines += [f"submission_{name}:", "  :submitters:", f"  - :name: {name}", f"    :sid: '{sid}'",
                      f"    :email: {email}"]
        (folder / "submission_metadata.yml").write_text("\n".join(lines) + "\n")
        return folder
    out = tmp_path / "out"
    run(export(tmp_path / "one", {"1": ("2001", "ann@uni.edu")}), out, inline)
    assert cache.Cache(out).earlier()[1] == {"2001"}
    run(export(tmp_path / "two", {"1": ("2005", "ann@uni.edu"), "2": ("2001", "bob@uni.edu")}), out, inline)
    rows = {row["student"]: row for row in read_csv(out / "grades.csv")}
    assert rows["2001"]["file"] == "submission_2/exercise_2.py" and rows["2001"]["note"].startswith("this SID was")
    assert rows["2005"]["file"] == "submission_1/exercise_2.py" and rows["2005"]["note"].startswith("the rows an")


@pytest.mark.parametrize("exercise", [SLUG, None])
def test_a_namesake_joining_a_regrade_leaves_a_persons_id(tmp_path, inline, exercise):
    """Red team 112: the rows of the exercise being graded (and, for ``grade class all``, of every exercise) did not
    keep anyone's id, so a late Moodle participant named "ANN LEE" made Ann Lee ``Ann-Lee-9966ef`` on the regrade,
    and her ``results/Ann-Lee/`` went as stale. Every row the folder's ledger notes keeps its person's id."""
    folder, out = tmp_path / "moodle", tmp_path / "out"
    for name in ("Ann Lee_4242", "Bob Ray_4300"):
        class_builder.write(folder / f"{name}_assignsubmission_file_" / "exercise_2", "right", ".py")
    run(folder, out, inline, exercise=exercise)
    class_builder.write(folder / "ANN LEE_6666_assignsubmission_file_" / "exercise_2", "mistake:no_retain_grad", ".py")
    again = run(folder, out, inline, exercise=exercise)
    people = {row["student"]: row["file"] for row in read_csv(out / "grades.csv")}
    assert people["Ann-Lee"].startswith("Ann Lee_4242") and people["Bob-Ray"].startswith("Bob Ray_4300")
    assert [student for student in people if student.startswith("ANN-LEE-")], people
    assert (out / "results" / "Ann-Lee" / f"{SLUG}.json").is_file() and again.from_cache == 2


def test_a_killed_run_keeps_its_rows_and_the_next_one_goes_on(tmp_path, inline):
    kinds = ["right", "mistake:no_retain_grad", "mistake:sum_instead_of_mean", "mistake:backward_twice"] * 4
    students = {f"s{index:02d}": (kind, ".py") for index, kind in enumerate(kinds)}
    folder = make_class(tmp_path / "class", students)
    out = tmp_path / "out"
    command = [sys.executable, "-c", "from autograd_exercises.cli import run; run()", "class", SLUG, str(folder),
               "--out", str(out), "--workers", "1", "--seed", "5"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 120
    try:
        while len(list((out / ".cache").glob("*/*.json"))) < 4:
            assert process.poll() is None, "the batch ended before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.05)
    finally:
        os.kill(process.pid, signal.SIGKILL)  # the command only: its workers see their input close
        process.wait()
    cached = list((out / ".cache").glob("*/*.json"))
    assert 4 <= len(cached) < len(students)
    for path in cached + list((out / "results").rglob("*.json")):
        json.loads(path.read_text())  # every file there is whole
    assert all(path.read_text().startswith("exercise-2 —") for path in (out / "feedback").rglob("*.txt"))
    summary = run(folder, out, inline, seed=5, timeout=5.0)
    assert summary.from_cache >= len(cached) and summary.graded_now + summary.from_cache == len(students)
    rows = read_csv(out / "grades.csv")
    assert {row["student"]: float(row["score"]) for row in rows} == {s: expected(k) for s, (k, _) in students.items()}
    assert not list(out.rglob("*.tmp"))


def test_an_interrupted_run_writes_what_it_finished(tmp_path, inline):
    folder = make_class(tmp_path / "class", {f"s{i}": ("right", ".py") for i in range(4)})

    class Interrupting(InProcess):
        def run(self, tasks):
            for number, row in enumerate(super().run(tasks)):
                if number == 2:
                    raise KeyboardInterrupt
                yield row

    summary = run(folder, tmp_path / "out", Interrupting(inline.sandbox))
    assert summary.interrupted and summary.exit_code == 130 and len(summary.rows) == 2
    assert len(read_csv(tmp_path / "out" / "grades.csv")) == 2
    assert "run the same command again" in summary.lines()[-1]
    assert run(folder, tmp_path / "out", inline).graded_now == 2


# -- what could not be graded -------------------------------------------------------------------------


def test_duplicates_and_unreadable_files_are_listed(tmp_path, inline, monkeypatch):
    folder = make_class(tmp_path / "class", {"alice/exercise_2": ("right", ".py"), "alice/exercise-2": ("right", ".ipynb"),
                                              "bob/exercise_2": ("right", ".py"), "carol/exercise_2": ("right", ".py")})
    (folder / "exercise_2.py").write_text("x = 1")  # whose?
    discover = batch.layouts.discover

    def vanishing(*args, **kwargs):  # carol's file disappears between finding and reading
        plan = discover(*args, **kwargs)
        (folder / "carol" / "exercise_2.py").unlink()
        return plan

    monkeypatch.setattr(batch.layouts, "discover", vanishing)
    summary = run(folder, tmp_path / "out", inline)
    assert summary.exit_code == 1
    reasons = {row["student"]: row["reason"] for row in summary.not_graded}
    assert reasons == {"alice": "2 files for exercise-2 (alice/exercise-2.ipynb, alice/exercise_2.py): keep one and grade again",
                       "carol": "cannot read carol/exercise_2.py: No such file or directory"}
    text = "\n".join(summary.lines())
    assert "could not grade (2), scored zero:" in text and "skipped (1)" in text
    assert "exercise_2.py: no student id in the name" in text
    assert re.search(r"bob\s+exercise-2\s+10/10\s+bob/exercise_2.py", text)  # each file's student id
    rows = {row["student"]: row for row in read_csv(tmp_path / "out" / "grades.csv")}
    assert rows["alice"]["sha256"] == ""  # no file was graded: not the digest of no bytes
    assert rows["bob"]["sha256"] == task.sha256((folder / "bob" / "exercise_2.py").read_bytes())


def test_a_second_run_into_the_same_folder_waits_for_none(tmp_path, inline):
    """Two runs into one output folder at once mixed their rows, results and cache (grades.csv held one class,
    results/ the other's). While a run writes, it holds the folder's lock: a second one stops with one line, and
    touches nothing there."""
    import fcntl

    folder = make_class(tmp_path / "class", {"alice": ("right", ".py")})
    out = tmp_path / "out"
    run(folder, out, inline)
    before = sorted(path.relative_to(out) for path in out.rglob("*"))
    (out / ".grades.csv.abcd1234.tmp").write_text("a running grade class's temporary file")
    with open(out / batch.LOCK, "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(batch.BatchError, match=f"another grade class is writing into {re.escape(str(out))} now"):
            run(folder, out, inline, regrade=True)
    assert (out / ".grades.csv.abcd1234.tmp").exists()  # its temporary files are left alone
    (out / ".grades.csv.abcd1234.tmp").unlink()
    assert sorted(path.relative_to(out) for path in out.rglob("*")) == before
    assert run(folder, out, inline, regrade=True).exit_code == 0  # the lock goes with the run that held it


# -- isolation and parity -----------------------------------------------------------------------------


HOSTILE_CLASS = {"alice": ("right", ".py"), "bob": ("mistake:no_retain_grad", ".ipynb"),
                 "carol": ("mistake:sum_instead_of_mean", ".py"), "dave": ("right", ".ipynb"),
                 "mallory": ("hostile:fork_bomb", ".py"), "nico": ("hostile:flood_stdout", ".py"),
                 "oscar": ("hostile:kill_parent", ".py"), "peggy": ("hostile:sleep_forever", ".py"),
                 "trent": ("hostile:os_exit_at_import", ".ipynb")}


def points(rows) -> dict[str, dict[str, float]]:
    return {row["student"]: {name: pair[0] for name, pair in row["checks"].items()} for row in rows}


def test_a_hostile_submission_changes_nobody_elses_score(tmp_path, sandbox):
    import graders
    from autograd_exercises import grading

    folder = make_class(tmp_path / "class", HOSTILE_CLASS)
    with LocalPool(2) as pool:
        summary = run(folder, tmp_path / "out", pool, seed=11, timeout=1.0)
    assert summary.exit_code == 0 and len(summary.rows) == len(HOSTILE_CLASS)
    exercise = graders.find(SLUG)
    alone = {}
    for student, (kind, suffix) in HOSTILE_CLASS.items():
        sub = task.read_submission(f"{student}{suffix}", (folder / f"{student}{suffix}").read_bytes(), suffix[1:])
        seed = batch.student_seed(11, student, SLUG, task.sha256((folder / f"{student}{suffix}").read_bytes()))
        result = grading.grade(exercise, sub, sandbox=sandbox, seed=seed, timeout=1.0)
        alone[student] = {check.name: check.points for check in result.checks}
    assert points(summary.rows) == alone
    scores = {row["student"]: row["score"] for row in summary.rows}
    assert {s: scores[s] for s in ("alice", "bob", "carol", "dave")} == {"alice": 10, "bob": 8, "carol": 4, "dave": 10}


def test_a_worker_that_dies_costs_nothing(tmp_path):
    """A worker killed mid-task is replaced and its task graded again (a second death: could not grade)."""
    folder = make_class(tmp_path / "class", {f"s{i}": ("right", ".py") for i in range(3)})
    killed = []

    with LocalPool(1) as pool:
        def kill(row):
            if not killed:
                killed.append(pool.workers[0].pid)
                os.kill(killed[0], signal.SIGKILL)  # it holds the next task already

        summary = batch.run(batch.Options(SLUG, folder, out=tmp_path / "out", timeout=2.0), executor=pool,
                            stream=io.StringIO(), terminal=False, on_row=kill)
        assert pool.workers[0].pid != killed[0]
    assert summary.exit_code == 0 and [row["score"] for row in summary.rows] == [10, 10, 10]


def test_a_hanging_submission_does_not_hold_up_the_others(tmp_path, monkeypatch):
    """One worker, and first in the queue a submission whose two checks each sleep out a 10 s timeout: once it has
    stalled, a spare worker starts and grades the rest meanwhile, with the same points (10 s: the spare's sandbox
    imports torch first, which takes seconds on a machine busy with the suite's other worker)."""
    monkeypatch.setattr(LocalPool, "stall", 0.2)
    students = {"a_sleeper": ("hostile:sleep_forever", ".py")} | {f"s{i}": ("right", ".py") for i in range(4)}
    folder = make_class(tmp_path / "class", students)
    with LocalPool(1, spares=1) as pool:
        pool.idle_cores = Idle()  # whatever else this machine runs (test_idle_cores_are_measured_over_the_window)
        summary = batch.run(batch.Options(SLUG, folder, out=tmp_path / "out", timeout=10.0), executor=pool,
                            stream=io.StringIO(), terminal=False)
        assert len(pool.workers) == 2
        assert pool.workers[1].proc is None  # forked, by the stalled worker itself: it only waits meanwhile
    finished = [row["student"] for row in summary.rows]
    assert finished[-1] == "a_sleeper", finished  # the others came back while it slept
    scores = {row["student"]: row["score"] for row in summary.rows}
    assert scores == {"a_sleeper": 7, **{f"s{i}": 10 for i in range(4)}}


def _alive(pid: int) -> bool:
    """The process runs (a zombie waiting for init to reap it does not)."""
    found = isolation._parent_and_state(pid)
    return found is not None and found[1] not in "ZX"


def test_the_other_workers_are_forked_from_the_first(tmp_path, monkeypatch):
    """Only the first worker is a new interpreter; the second is forked from it (torch and the graders loaded
    already), detached in a session of its own, with a sandbox in its own slot; it grades like the first, and
    closing the pool ends it and its sandbox."""
    given: list[int | None] = []
    give = executor._Worker.give
    monkeypatch.setattr(executor._Worker, "give", lambda self, task, deadline: (given.append(self.pid),
                                                                               give(self, task, deadline)))
    students = {f"s{i}": ("right", ".py" if i % 2 else ".ipynb") for i in range(8)} | {"z": ("syntax", ".py")}
    folder = make_class(tmp_path / "class", students)
    with LocalPool(2) as pool:
        pool.start()  # returns once the first is ready: the second is still starting its sandbox
        assert pool.workers[1].ready is None
        pool.workers[1].wait_ready()
        summary = batch.run(batch.Options(SLUG, folder, out=tmp_path / "out", timeout=5.0), executor=pool,
                            stream=io.StringIO(), terminal=False)
        first, second = pool.workers
        assert first.proc is not None and second.proc is None
        assert second.ready["slot"] != first.ready["slot"]
        assert os.getsid(second.pid) == second.pid
        assert isolation._parent_and_state(second.pid)[0] != first.pid  # detached: not the first worker's child
        processes = [second.pid, second.ready["server_pid"]]
        assert all(_alive(pid) for pid in processes)
    assert second.pid in given and first.pid in given
    assert {row["student"]: row["score"] for row in summary.rows} == {**{f"s{i}": 10 for i in range(8)}, "z": 0}
    deadline = time.monotonic() + 5
    while any(_alive(pid) for pid in processes) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in processes)


def test_a_forked_worker_that_dies_costs_nothing(tmp_path):
    """Killing the forked worker mid-batch: its task is graded again by a fresh worker, every score as alone."""
    folder = make_class(tmp_path / "class", {f"s{i}": ("right", ".py") for i in range(6)})
    killed: list[int] = []
    with LocalPool(2) as pool:
        pool.start()
        pool.workers[1].wait_ready()

        def kill(row):
            forked = [worker for worker in pool.workers if worker.proc is None and worker.ready is not None]
            if forked and not killed:
                killed.append(forked[0].pid)
                os.kill(killed[0], signal.SIGKILL)

        summary = batch.run(batch.Options(SLUG, folder, out=tmp_path / "out", timeout=2.0), executor=pool,
                            stream=io.StringIO(), terminal=False, on_row=kill)
    assert killed and summary.exit_code == 0
    assert [row["score"] for row in summary.rows] == [10] * 6


NO_ZOMBIES = """
import io, os, sys
from pathlib import Path
from autograd_exercises.classroom import batch
folder, out = Path(sys.argv[1]), Path(sys.argv[2])
summary = batch.run(batch.Options("exercise-2", folder, out=out, timeout=2.0, workers=2, unsafe_root=True),
                    stream=io.StringIO(), terminal=False)
zombies = []
for entry in Path("/proc").iterdir():
    if entry.name.isdigit() and entry.name != str(os.getpid()):
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if stat[stat.rindex(")") + 2] == "Z":
            zombies.append(stat[:stat.rindex(")") + 1])
print(summary.exit_code, [row["score"] for row in summary.rows], zombies)
"""


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0 or not shutil.which("unshare"),
                    reason="a PID namespace of its own needs root here")
def test_a_class_run_leaves_no_zombie_under_a_pid_1_that_never_reaps(tmp_path):
    """Red team 229: under ``unshare --fork`` (or a container's shell) as pid 1, every two-worker class left six
    zombies (the forked worker and sandbox servers killed at the end, re-parented to an init that never reaps). The
    batch is a subreaper of what it starts, and reaps what exited before it returns."""
    folder = make_class(tmp_path / "class", {f"s{i}": ("right", ".py") for i in range(4)})
    proc = subprocess.run(["unshare", "--pid", "--fork", "--mount-proc", "--kill-child", sys.executable, "-c",
                           NO_ZOMBIES, str(folder), str(tmp_path / "out")], capture_output=True, timeout=300,
                          cwd=ROOT)
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    assert proc.stdout.decode().split("\n")[-2] == "0 [10, 10, 10, 10] []", proc.stdout.decode()


class Starting:
    """A stand-in worker whose start-up ends with ``layers`` (or fails, with ``layers`` None)."""

    def __init__(self, layers):
        self.layers, self.ready, self.stopped, self.task = layers, None, False, None

    def starting(self):
        if self.layers is None:
            raise executor.ExecutorError("a grading worker did not start: it exited while starting")
        self.ready = {"layers": self.layers}
        return True

    def wait_ready(self):
        self.starting()
        return self.ready

    def stop(self, wait=5.0):
        self.stopped = True


def test_a_worker_with_fewer_isolation_layers_than_the_first_is_dropped(monkeypatch):
    """The batch checked the first worker's layers; a later one (forked or spare) must have them all. One that
    has not, or cannot start, is dropped, and a new interpreter takes its place while the pool is short."""
    pool = LocalPool(2)
    spawned = []
    monkeypatch.setattr(pool, "_spawn", lambda mother=None: spawned.append(mother) or Starting(["seccomp"]))
    try:
        pool.layers = ["pid-namespace", "seccomp"]
        weak, strong = Starting(["seccomp"]), Starting(["seccomp", "pid-namespace", "uid-switch"])
        pool.workers = [weak, strong]
        pool._started(weak)
        assert weak.stopped and pool.workers[0] is strong and spawned == [None]  # a new interpreter, not a fork
        pool._started(strong)
        assert not strong.stopped
        for _ in range(3):  # one that keeps failing is started again ``workers`` times at most
            pool._started(pool.workers[-1])
        assert spawned == [None, None] and pool.workers == [strong]
    finally:
        pool.workers = []
        pool.close()


def test_a_replacement_worker_with_fewer_isolation_layers_stops_the_batch(monkeypatch):
    """A worker that died is replaced by a new interpreter; if that one lacks a layer the batch checked, grading
    stops (every row so far kept) rather than go on with less isolation."""
    pool = LocalPool(1)
    monkeypatch.setattr(pool, "_spawn", lambda mother=None: Starting(["seccomp"]))
    try:
        pool.layers = ["pid-namespace", "seccomp"]
        dead = Starting(["pid-namespace", "seccomp"])
        pool.workers = [dead]
        with pytest.raises(executor.ExecutorError, match=r"without isolation layers the first one had \(pid-namespace\)"):
            pool._replace(dead)
    finally:
        pool.workers = []
        pool.close()


class Busy(IdleCores):
    """Every core at work, whatever /proc/stat says."""

    def __call__(self) -> float:
        return 0.0


class Idle(IdleCores):
    """A core sits idle (the sleeping child's), on a machine busy with other work or not."""

    def __call__(self) -> float:
        return 1.0


def test_no_spare_starts_while_every_core_is_busy(tmp_path, monkeypatch):
    """A stalled task whose child spins keeps its core busy: a spare worker would only compete for the cores,
    so none starts; the others wait their turn and get the same points."""
    monkeypatch.setattr(LocalPool, "stall", 0.2)
    monkeypatch.setattr(LocalPool, "still_after", 0.5)  # (60 s: a submission graded that long is named)
    students = {"a_sleeper": ("hostile:sleep_forever", ".py")} | {f"s{i}": ("right", ".py") for i in range(2)}
    folder = make_class(tmp_path / "class", students)
    stream = io.StringIO()
    with LocalPool(1, spares=1) as pool:
        pool.idle_cores = Busy()
        summary = batch.run(batch.Options(SLUG, folder, out=tmp_path / "out", timeout=1.0), executor=pool,
                            stream=stream, terminal=False)
        assert len(pool.workers) == 1
    assert [row["student"] for row in summary.rows][0] == "a_sleeper"  # one worker: first in, first out
    assert re.search(r"still grading a_sleeper's exercise-2 \(\ds\): a notebook's cells or a check running out",
                     stream.getvalue()), stream.getvalue()  # (a class that seems stuck says on whom it waits)
    assert {row["student"]: row["score"] for row in summary.rows} == {"a_sleeper": 7, "s0": 10, "s1": 10}


def test_idle_cores_are_measured_over_the_window():
    meter = IdleCores(window=0.4)
    assert meter() == 0.0  # nothing seen yet
    time.sleep(0.3)  # this process sleeps: its cores idle unless something else runs
    idle = meter()
    assert idle is not None and 0.0 <= idle <= len(os.sched_getaffinity(0)) + 0.2
    busy_until = time.monotonic() + 0.5
    while time.monotonic() < busy_until:  # this process spins on one core for a whole window
        pass
    assert meter() <= len(os.sched_getaffinity(0)) - 0.5
    assert len(meter.samples) <= 3  # old samples go: the newest one at least a window old stays


def test_one_child_and_one_child_per_check_give_the_same_points(tmp_path, inline):
    students = {"alice": ("right", ".py"), "bob": ("right", ".ipynb"), "zed": ("syntax", ".ipynb"),
                "yan": ("hostile:os_exit_in_function", ".py"), "xia": ("hostile:print_fake_score", ".ipynb"),
                "wu": ("hostile:sleep_forever", ".py")}
    for number, name in enumerate(class_builder.notebook_mistakes()):
        students[f"m{number}"] = (f"mistake:{name}", ".ipynb" if number % 2 else ".py")
    folder = make_class(tmp_path / "class", students)
    together = run(folder, tmp_path / "one", inline, seed=2, timeout=1.0)
    apart = run(folder, tmp_path / "each", inline, seed=2, timeout=1.0, one_child=False)
    assert points(together.rows) == points(apart.rows)
    assert len(together.rows) == len(students)


def test_students_get_their_own_inputs():
    seed = batch.student_seed(1, "alice", SLUG, "ab" * 32)
    assert seed == batch.student_seed(1, "alice", SLUG, "ab" * 32)  # the same file graded again: the same inputs
    assert seed != batch.student_seed(1, "bob", SLUG, "ab" * 32)
    assert seed != batch.student_seed(2, "alice", SLUG, "ab" * 32)
    assert seed != batch.student_seed(1, "alice", "exercise-3", "ab" * 32)  # her seed of one exercise: not another's
    assert seed != batch.student_seed(1, "alice", SLUG, "cd" * 32)  # nor of her next file


def test_a_table_of_answers_for_known_inputs_gets_other_inputs(tmp_path, inline):
    """Red team round 12: a student's feedback prints their seed, and the class seed stays in the output folder, so
    a seed of (class seed, student) alone let a student compute their inputs of the next exercise (or of a
    regrade) with the public graders, and hand in a table of the answers: full marks for the by-hand checks,
    hidden ones too. The file's own fingerprint is in its seed: the table's file gets other inputs."""
    folder = make_class(tmp_path / "class", {"zed": ("right", ".py")})
    first = run(folder, tmp_path / "out", inline, seed=5).rows[0]
    (folder / "zed.py").write_text(class_builder.SOLUTION + "\n# the same answers, another file\n")
    second = run(folder, tmp_path / "out", inline, seed=5).rows[0]
    assert first["seed"] != second["seed"] and first["class_seed"] == second["class_seed"] == 5
    assert second["seed"] == batch.student_seed(5, "zed", SLUG, second["sha256"])


def test_as_root_a_partial_sandbox_is_refused(tmp_path, inline, monkeypatch):
    folder = make_class(tmp_path / "class", {"alice": ("right", ".py")})

    class Partial(InProcess):
        def start(self):
            return {"layers": ["rlimits"]}

    monkeypatch.setattr(session.os, "geteuid", lambda: 0)
    with pytest.raises(batch.BatchError, match="refusing to grade as root without the full sandbox"):
        run(folder, tmp_path / "out", Partial(inline.sandbox))
    assert run(folder, tmp_path / "out", Partial(inline.sandbox), unsafe_root=True).exit_code == 0


def test_a_cluster_whose_graders_run_as_root_with_a_partial_sandbox_is_refused(tmp_path, inline, monkeypatch):
    """The instructor's process is no root, a cluster's graders are (they say so): the refusal names the workers."""
    folder = make_class(tmp_path / "class", {"alice": ("right", ".py")})

    class RootWorkers(InProcess):
        def start(self):
            return {"layers": ["rlimits"], "root": True}

    monkeypatch.setattr(session.os, "geteuid", lambda: 1000)
    with pytest.raises(batch.BatchError) as refused:
        run(folder, tmp_path / "out", RootWorkers(inline.sandbox))
    said = str(refused.value)
    assert said.startswith("refusing to grade as root without the full sandbox (missing on some worker: pid-namespace")
    assert "; install bubblewrap and libseccomp on every worker (see the README's Safety section)" in said, said
    assert run(folder, tmp_path / "out", RootWorkers(inline.sandbox), unsafe_root=True).exit_code == 0


# -- the command ----------------------------------------------------------------------------------------


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_on_github_actions_no_student_text_becomes_a_workflow_command(tmp_path, monkeypatch):
    """Red team round 12: a file name printed in the summary (``x ##[error]…``, ``::error::…``) became a workflow
    command in the course's Actions job (annotations, ``add-mask``). There, grade class stops the runner's command
    processing first, with a token no student can know, and resumes it last."""
    folder = tmp_path / "class"
    class_builder.write(folder / "zed" / "x ##[error]Autograder crashed, every grade is void", "right", ".py")
    class_builder.write(folder / "::error title=grade class::Grading failed ex99", "right", ".py")
    class_builder.write(folder / "alice", "right", ".py")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    result = CliRunner().invoke(main, ["class", SLUG, str(folder), "--out", str(tmp_path / "out")],
                                catch_exceptions=False)
    lines = result.output.splitlines()
    first = re.fullmatch(r"::stop-commands::([0-9a-f]{32})", lines[0])
    assert first is not None and lines[-1] == f"::{first.group(1)}::", result.output
    assert "##[error]Autograder crashed" in result.output and "::error title=grade class::" in result.output
    monkeypatch.delenv("GITHUB_ACTIONS")
    again = CliRunner().invoke(main, ["class", SLUG, str(folder), "--out", str(tmp_path / "out")],
                               catch_exceptions=False)
    assert "stop-commands" not in again.output and "##[error]Autograder crashed" in again.output


def test_the_output_folder_is_never_where_a_students_folder_may_be(tmp_path):
    """Red team 31: run from inside the class folder, the default ./grades was a student's folder of that name: left
    out of the grading, and the grades written into it, through its links. Inside the folder whose entries are
    students, ``--out`` is refused; nbgrader's course folder holds its students in ``submitted/``, so an output folder
    beside that is fine, and so is any for a zip."""
    flat, course = tmp_path / "class", tmp_path / "course"
    (course / "submitted").mkdir(parents=True)
    (course / "gradebook.db").write_bytes(b"")  # what nbgrader keeps beside submitted/
    (flat / "submitted").mkdir(parents=True)  # red team 33: a student's folder of that name makes no course
    for out, submissions in ((flat / "grades", flat), (flat / "bob" / "grades", flat),
                             (course / "submitted" / "grades", course), (course / "submitted" / "x", course / "submitted")):
        with pytest.raises(batch.BatchError, match="inside the submissions folder"):
            batch._outside(out, submissions)
    batch._outside(course / "grades", course)
    batch._outside(course / "grades", course / "submitted")
    batch._outside(flat / "grades", tmp_path / "class.zip")
    with pytest.raises(batch.BatchError, match="is the submissions folder itself"):
        batch._outside(flat, flat)


def test_grades_are_never_written_or_removed_through_a_link(tmp_path, inline):
    """Red team 31: a link below the output folder (``results -> elsewhere``) took the rows' files elsewhere, and the
    stale files' clean-up removed a file there. Now the run stops with one line and leaves the elsewhere alone;
    a cache folder that is a link is never read, and a stale file past a link is never removed."""
    folder = make_class(tmp_path / "class", {"alice": ("right", ".py")})
    victim, out = tmp_path / "elsewhere", tmp_path / "out"
    (victim / "zed").mkdir(parents=True)
    (victim / "zed" / f"{SLUG}.json").write_text("precious")
    out.mkdir()
    (out / "results").symlink_to(victim)
    with pytest.raises(batch.BatchError, match="is a link or a file, not a folder"):
        run(folder, out, inline, seed=1)
    assert sorted(path.name for path in victim.rglob("*")) == ["exercise-2.json", "zed"]
    assert outputs.remove_stale(out, [], {SLUG}) == [] and (victim / "zed" / f"{SLUG}.json").exists()
    (out / "results").unlink()
    first = run(folder, out, inline, seed=1)
    forged = tmp_path / "forged-cache"
    (out / ".cache").rename(forged)
    for entry in forged.rglob("*.json"):
        if entry.name != "class.json":
            entry.write_text(entry.read_text().replace('"score": 10', '"score": 0'))
    (out / ".cache").symlink_to(forged)
    with pytest.raises(batch.BatchError, match="is a link or a file, not a folder"):
        run(folder, out, inline, seed=1)
    (out / ".cache").unlink()
    again = run(folder, out, inline, seed=1)
    assert first.rows[0]["score"] == again.rows[0]["score"] == 10 and again.graded_now == 1


def test_exit_codes(tmp_path, inline, monkeypatch):
    monkeypatch.setattr(batch, "LocalPool", lambda workers: inline)  # the command, with the grading in this process
    monkeypatch.chdir(tmp_path)  # the runs without --out write ./grades/ here, never into the checkout
    folder = make_class(tmp_path / "class", {"alice": ("right", ".py"), "bob": ("mistake:sum_instead_of_mean", ".py")})
    graded = invoke("class", SLUG, str(folder), "--out", str(tmp_path / "out"))
    assert graded.exit_code == 0, graded.output  # every submission graded, whatever the scores
    assert "full marks 1" in graded.output and "exercise-2: mean 7.00/10 over 2 students" in graded.output
    assert f"written: {tmp_path / 'out' / 'grades.csv'}" in graded.output
    for inside in (folder / "grades", folder / "alice" / "grades"):  # where a student's folder of that name may be
        refused = CliRunner().invoke(main, ["class", SLUG, str(folder), "--out", str(inside)])
        assert refused.exit_code == 3 and refused.stderr == f"Error: --out {inside} is inside the submissions folder " \
            f"{folder}: a student's folder of that name would be taken for the grades; write them outside it " \
            "(--out ../grades)\n"
        assert not inside.exists()
    (folder / "carol.py").write_text("")
    partial = invoke("class", "2", str(folder), "--out", str(tmp_path / "out"))
    assert partial.exit_code == 1 and "carol.py is empty" in partial.output
    assert "exercise-2: mean 7.00/10 over 2 students graded (1 not graded, left out)" in partial.output  # (walk 66)
    for missing in (tmp_path / "nowhere", tmp_path / "empty"):
        (tmp_path / "empty").mkdir(exist_ok=True)
        result = CliRunner().invoke(main, ["class", SLUG, str(missing)])
        assert result.exit_code == 3
        assert result.stderr.count("\n") == 1 and result.stderr.startswith("Error: ")
    assert invoke("class", "exercise-9", str(folder)).exit_code == 3
    usage = invoke("class", SLUG, str(folder), "--gradebook", "x.db", "--seed", "1")
    assert usage.exit_code == 2
    no_book = CliRunner().invoke(main, ["class", SLUG, str(folder), "--gradebook", str(tmp_path / "none.db")])
    assert no_book.exit_code == 3 and no_book.stderr == f"Error: no gradebook at {tmp_path / 'none.db'} " \
        "(nbgrader generate_assignment creates it)\n"
    (tmp_path / "notes.txt").write_text("my notes")
    (tmp_path / "empty.db").write_bytes(b"")
    for book, why in (("notes.txt", "not an SQLite database"), ("empty.db", "not an SQLite database: it is empty")):
        wrong = CliRunner().invoke(main, ["class", SLUG, str(folder), "--gradebook", str(tmp_path / book)])
        assert wrong.exit_code == 3 and wrong.stderr == f"Error: {tmp_path / book} is not an nbgrader gradebook ({why})\n"
    assert (tmp_path / "empty.db").read_bytes() == b"", "an empty file is not made into a gradebook"
    itself = CliRunner().invoke(main, ["class", SLUG, str(folder), "--out", str(folder)])
    assert itself.exit_code == 3 and itself.stderr.startswith(f"Error: --out {folder} is the submissions folder itself")
    (tmp_path / "afile.txt").write_text("x")
    on_file = CliRunner().invoke(main, ["class", SLUG, str(folder), "--out", str(tmp_path / "afile.txt")])
    assert on_file.exit_code == 3 and on_file.stderr == \
        f"Error: cannot make the output folder {tmp_path / 'afile.txt'}: a file of that name is there\n"
    (tmp_path / "loop").symlink_to(tmp_path / "loop")  # red team 50: a RuntimeError, then a PermissionError
    for out in (tmp_path / "loop", Path("/proc/self")):
        nowhere = CliRunner().invoke(main, ["class", SLUG, str(folder), "--out", str(out)])
        assert nowhere.exit_code == 3 and nowhere.stderr.startswith("Error: cannot ") and \
            len(nowhere.stderr.splitlines()) == 1, nowhere.stderr
    (tmp_path / "bad.zip").write_bytes(b"PK\x03\x04 cut short")
    damaged = CliRunner().invoke(main, ["class", SLUG, str(tmp_path / "bad.zip")])
    assert damaged.exit_code == 3 and damaged.stderr == \
        f"Error: {tmp_path / 'bad.zip'} is not a readable .zip (damaged, or not a zip at all)\n"
    os.mkfifo(tmp_path / "fifo")  # would block a reading: refused by its kind
    fifo = CliRunner().invoke(main, ["class", SLUG, str(tmp_path / "fifo")])
    assert fifo.exit_code == 3 and fifo.stderr == f"Error: {tmp_path / 'fifo'} is neither a folder nor a .zip\n"


def test_a_submission_left_out_of_the_zip_is_listed_and_exits_1(tmp_path, inline):
    archive = tmp_path / "class.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("alice.py", class_builder.SOLUTION)
        zipped.writestr("../mallory.py", class_builder.SOLUTION)
        zipped.writestr("../notes.txt", "x")
    summary = run(archive, tmp_path / "out", inline)
    assert [row["student"] for row in summary.rows] == ["alice"] and summary.exit_code == 1
    assert summary.left_out_submissions == ["../mallory.py (a link, or a path outside the zip's folder)"]
    assert "left out of the zip: 2 (../mallory.py (a link" in "\n".join(summary.lines())
    archive.unlink()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("alice.py", class_builder.SOLUTION)
        zipped.writestr("../notes.txt", "x")
    assert run(archive, tmp_path / "out", inline).exit_code == 0  # no submission was left out
    archive.unlink()  # red team 31: a corrupt member whose name holds " (" (a browser's second download)
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_STORED) as zipped:
        zipped.writestr("alice.py", class_builder.SOLUTION)
        zipped.writestr("bob_exercise_2 (1).py", class_builder.SOLUTION + "# bob's\n")
    data = archive.read_bytes()
    at = data.index(b"# bob's")
    archive.write_bytes(data[:at] + b"X" + data[at + 1:])  # its CRC no longer matches
    corrupt = run(archive, tmp_path / "out", inline)
    assert [entry.name for entry in corrupt.left_out_submissions] == ["bob_exercise_2 (1).py"]
    assert corrupt.exit_code == 1


def test_progress_lines_without_a_terminal():
    clock = iter(range(0, 1000, 4))
    stream = io.StringIO()
    with Progress(10, stream=stream, terminal=False, every=10, clock=lambda: next(clock)) as progress:
        for number in range(10):
            progress.advance({"status": "graded" if number else "could-not-grade", "score": 10, "max_score": 10})
    lines = stream.getvalue().splitlines()
    assert lines[0] == "grading 10 submissions"
    assert re.fullmatch(r"graded 3/10 \(30%\), full marks 2, could not grade 1, \d+\.\d/s, ETA \d+s", lines[1])
    assert lines[-1].startswith("graded 10/10 in ")


def test_progress_bar_on_a_terminal():
    stream = io.StringIO()
    with Progress(2, stream=stream, terminal=True) as progress:
        progress.advance({"status": "graded", "score": 1, "max_score": 1})
        progress.advance({"status": "graded", "score": 0, "max_score": 1})
    assert "2/2" in stream.getvalue() and "full marks 1" in stream.getvalue()


def test_progress_names_the_submissions_graded_for_long_above_the_bar():
    stream = io.StringIO()
    with Progress(2, stream=stream, terminal=True) as progress:
        progress.still([("ann", "exercise-2", 130.0), ("[bold]bo:cross_mark:", "exercise-1", 61.0)])
        progress.advance({"status": "graded", "score": 1, "max_score": 1})
    text = stream.getvalue()  # (an id is printed as it is: no markup or emoji code of rich's read in it, red team 217)
    assert "still grading ann's exercise-2 (2m10s), [bold]bo:cross_mark:'s exercise-1 (1m01s): a notebook's cells or" \
        in " ".join(text.split())


def test_progress_names_a_student_whose_id_keeps_a_byte_no_encoding_writes():
    """Red team 218: an nbgrader id keeps its folder's bytes (``bob\\xe9``, read as ``bob\\udce9``); the still-grading
    line wrote it raw to a strict UTF-8 output, and the ``UnicodeEncodeError`` ended the class's run, no grades.csv
    written. The line is written through ``printable``, as the summary is."""
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="utf-8", errors="strict", write_through=True)
    with Progress(2, stream=stream, terminal=False) as progress:
        progress.still([("bob\udce9", "exercise-2", 61.0)])
    assert "still grading bob\\udce9's exercise-2 (1m01s)" in raw.getvalue().decode("utf-8")


def test_the_instructors_process_reads_notebooks_without_nbformat_or_torch(tmp_path):
    """nbformat costs seconds to import (jsonschema); torch is the workers' business."""
    class_builder.write(tmp_path / "class" / "alice", "right", ".ipynb")
    script = ("import sys\n"
              "from pathlib import Path\n"
              "from autograd_exercises.classroom import batch, layouts, task\n"
              f"plan = layouts.discover(Path({str(tmp_path / 'class')!r}), 'exercise-2')\n"
              "task.read_submission('alice.ipynb', plan.found[0].path.read_bytes(), 'ipynb')\n"
              "print(sorted(name for name in ('nbformat', 'jsonschema', 'torch', 'nbgrader') if name in sys.modules))\n")
    found = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT)
    assert found.stdout.strip() == "[]"


def test_an_f_string_of_thousands_of_fields_is_a_reason_not_a_parse(sandbox):
    """Red team 48: a class's worker refuses it before any parse, as the single command does (``test_cli``)."""
    data = (class_builder.SOLUTION + "t = 0\nz = f'" + "{t}" * 20_000 + "'\n").encode()
    escaped = ("# coding: unicode_escape\n" + class_builder.SOLUTION + "t = 0\nz = f'" + "\\x7bt}" * 20_000
               + "'\n").encode()  # red team 145: `\x7b` is a brace to Python
    for source in (data, escaped):
        row = task.grade_task(task.Task("mallory", SLUG, "mallory.py", source, 4, 2.0), sandbox)
        assert row["status"] == task.COULD_NOT_GRADE and "braces ('{') in its code" in row["reason"], row["reason"]


def test_the_graders_readings_print_no_warning_about_the_students_code(tmp_path, sandbox):
    """``"\\d+"`` in a student's file (a SyntaxWarning from Python 3.12 on, a DeprecationWarning before) was printed
    by each of the grader's readings, three times over the report, and over a class's progress bar for each student."""
    source = class_builder.SOLUTION + 'PATTERN = "\\d+"\nCHECK = PATTERN is "x"\n'
    (tmp_path / "exercise_2.py").write_text(source)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        row = task.grade_task(task.Task("ann", SLUG, "ann.py", source.encode(), 4, 2.0), sandbox)
        [result] = session.grade([session.target(SLUG, str(tmp_path / "exercise_2.py"))], seed=4, remember_scores=False)
    assert row["score"] == 10 and result.score == 10
    assert [str(warning.message) for warning in caught if issubclass(warning.category, (SyntaxWarning,
                                                                                          DeprecationWarning))] == []
    with warnings.catch_warnings(record=True) as caught:  # (and the grader's own warnings still show)
        warnings.simplefilter("always")
        compile(source, "ann.py", "exec")
    assert any("escape sequence" in str(warning.message) for warning in caught)


def test_the_note_column_holds_the_notes_on_the_whole_submission(sandbox):
    """Walkthrough 65: a notebook's notes (a cell stopped at its budget, commands only a kernel runs) were in its
    feedback only; ``grades.csv``'s note column, which an instructor scans, said nothing."""
    cells = [{"cell_type": "code", "id": name, "metadata": {}, "outputs": [], "execution_count": count, "source": code}
             for count, (name, code) in enumerate([("a", class_builder.SOLUTION), ("b", "!echo hi\n%load_ext x\n")], 1)]
    notebook = json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}).encode()
    row = task.grade_task(task.Task("ann", SLUG, "ann.ipynb", notebook, 4, 2.0, kind="ipynb"), sandbox)
    assert row["score"] == 10 and row["note"] == ("IPython commands that only a kernel runs were skipped: !echo (cell 2), "
                                                  "%load_ext (cell 2)")


def test_the_task_is_pure_data(sandbox):
    """What a distributed worker gets: bytes and an exercise name, no path; the row is JSON."""
    row = task.grade_task(task.Task("alice", SLUG, "alice.py", class_builder.SOLUTION.encode(), 4, 2.0), sandbox)
    assert row["score"] == 10 and row["status"] == "graded" and row["seed"] == 4
    assert json.loads(json.dumps(row)) == row
    broken = task.grade_task(task.Task("bob", SLUG, "bob.ipynb", b"\x00\x01", 4, 2.0, kind="ipynb"), sandbox)
    assert broken["status"] == "could-not-grade" and "not a Jupyter notebook" in broken["reason"]


def test_outputs_are_written_atomically(tmp_path, monkeypatch):
    target = tmp_path / "grades.csv"
    outputs.atomic_write(target, "old")

    def broken(*args):
        raise OSError("disk full")

    monkeypatch.setattr(outputs.os, "replace", broken)
    with pytest.raises(OSError):
        outputs.atomic_write(target, "new")
    assert target.read_text() == "old" and list(tmp_path.iterdir()) == [target]


def test_outputs_get_the_mode_any_new_file_gets(tmp_path):
    before = os.umask(0o027)
    try:
        outputs.atomic_write(tmp_path / "grades.csv", "a")
        outputs.atomic_write(tmp_path / "results" / "ann" / "exercise-2.json", "{}", durable=True)
        outputs.atomic_write(tmp_path / "autograded.ipynb", "{}", mode=0o444)
        os.umask(0o022)
        outputs.atomic_write(tmp_path / "grades.csv", "b")  # over the old one
    finally:
        os.umask(before)
    modes = {path.name: path.stat().st_mode & 0o777 for path in tmp_path.rglob("*") if path.is_file()}
    assert modes == {"grades.csv": 0o644, "exercise-2.json": 0o640, "autograded.ipynb": 0o444}
    outputs.atomic_write(tmp_path / "autograded.ipynb", "{}")  # a read-only file is replaced all the same
    assert (tmp_path / "autograded.ipynb").read_text() == "{}"


def test_the_summary_lines_up_wide_characters(tmp_path):
    rows = [{"student": name, "exercise": SLUG, "status": "graded", "score": 10, "max_score": 10, "file": f"{name}.py"}
            for name in ("张三", "Zoë")]
    lines = batch.Summary(layouts.Plan(tmp_path, "files"), tmp_path, rows=rows).lines()
    assert lines[1:3] == ["  Zoë      exercise-2       10/10  Zoë.py",
                          "  张三     exercise-2       10/10  张三.py"]  # columns, not characters


def test_a_files_name_never_puts_control_characters_on_the_terminal_the_csv_or_the_feedback(tmp_path, inline):
    """A name can hold an escape sequence (a window title, a cursor move) or a carriage return that draws a fake
    score over the real line: every place that shows it writes those as escapes."""
    folder = tmp_path / "class"
    folder.mkdir()
    name = "mallory\r  mallory  exercise-2  10∕10\x1b[K\x1b]0;owned\x07\u202e.py"
    (folder / name).write_text(class_builder.SOLUTION.replace("y.retain_grad()", "pass"))
    summary = run(folder, tmp_path / "out", inline)
    shown = "mallory\\r  mallory  exercise-2  10∕10\\x1b[K\\x1b]0;owned\\x07\\u202e.py"
    assert any(shown in line for line in summary.lines())
    assert not any(re.search(r"[\x00-\x1f\x7f-\x9f\u202e]", line) for line in summary.lines())
    row = read_csv(tmp_path / "out" / "grades.csv")[0]
    assert row["file"] == shown and float(row["score"]) < 10
    feedback = next((tmp_path / "out" / "feedback").rglob("*.txt")).read_text()
    assert f"graded {shown}" in feedback and "\x1b" not in feedback and "\r" not in feedback


def test_a_backslash_in_a_files_name_is_part_of_the_name_in_every_report(tmp_path, inline):
    """Red team 165: on Linux ``mallory\\bob.py`` is one file's name, not ``bob.py`` in a folder ``mallory``; the
    JUnit file and results.json named both students' files ``bob.py`` (and ``evil\\r\\nbob.py`` ``nbob.py``)."""
    folder = make_class(tmp_path / "class", {"bob": ("right", ".py")})
    (folder / "mallory\\bob.py").write_text(class_builder.SOLUTION)
    (folder / "evil\r\nbob.py").write_text(class_builder.SOLUTION)
    run(folder, tmp_path / "out", inline)
    names = {"mallory\\bob.py", "evil\\r\\nbob.py", "bob.py"}
    junit = ET.parse(tmp_path / "out" / "class.junit.xml")
    assert {suite.get("file") for suite in junit.iter("testsuite")} == names
    shown = {json.loads(path.read_text())["extra_data"]["exercises"][0]["submission"]
             for path in (tmp_path / "out" / "results").rglob("*.json")}
    assert shown == names


def test_text_from_a_notebook_never_crashes_the_class_nor_reaches_the_files_raw(tmp_path, inline):
    """A lone surrogate or an escape sequence in a notebook's fields or code: every row is written, and grades.csv
    and the feedback hold their escapes, never the characters."""
    folder = make_class(tmp_path / "class", {"alice": ("right", ".py")})
    (folder / "trudy.ipynb").write_text('{"worksheets": [], "nbformat": "\\ud800", "cells": []}')
    (folder / "mallory.ipynb").write_text(json.dumps({"worksheets": [], "nbformat": "\x1b[2J\x1b[31mALL 10/10\r"}))
    nb = json.loads(class_builder.notebook_text("right"))
    nb["cells"].append({"cell_type": "code", "metadata": {}, "outputs": [], "source": "# \ud800 \x1b]0;owned\x07"})
    (folder / "oscar.ipynb").write_text(json.dumps(nb))
    summary = run(folder, tmp_path / "out", inline)
    assert sorted(row["student"] for row in summary.rows) == ["alice", "mallory", "oscar", "trudy"]
    assert {row["student"]: row["score"] for row in summary.rows}["oscar"] == 10
    texts = [(tmp_path / "out" / "grades.csv").read_text(encoding="utf-8")]
    texts += [path.read_text(encoding="utf-8") for path in (tmp_path / "out" / "feedback").rglob("*.txt")]
    assert not any(re.search(r"[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]", text) for text in texts)
    assert "is an nbformat 3 notebook" in texts[0]


def test_a_student_folder_whose_name_is_not_utf8_is_graded_with_the_others(tmp_path, inline):
    """nbgrader's submitted/<student>/: a folder name of bytes that are not UTF-8 (Python holds them as lone
    surrogates) gets its seed from those bytes, its row and its files; the other students theirs."""
    course = tmp_path / "course"
    for student in ("bob", os.fsdecode(b"bad\xff\xfebytes")):
        class_builder.write(course / "submitted" / student / SLUG / SLUG, "right", ".ipynb")
    summary = run(course, tmp_path / "out", inline)
    assert sorted(row["score"] for row in summary.rows) == [10, 10] and len(summary.rows) == 2
    bad = [batch.student_seed(7, os.fsdecode(name), SLUG, "ab" * 32) for name in (b"bad\xff", b"bad\xff", b"bad\xfe")]
    assert bad[0] == bad[1] != bad[2]
    assert len(read_csv(tmp_path / "out" / "grades.csv")) == 2


def test_a_file_too_large_to_be_a_submission_is_not_graded_and_the_class_goes_on(tmp_path, inline):
    folder = make_class(tmp_path / "class", {"alice": ("right", ".py")})
    (folder / "mallory.py").write_text(class_builder.SOLUTION + "x = 1\n" * 50_000)
    with open(folder / "oscar.ipynb", "wb") as huge:
        huge.truncate(layouts.ZIP_MAX_FILE + 1)  # never read: its size says enough
    summary = run(folder, tmp_path / "out", inline)
    rows = {row["student"]: row for row in summary.rows}
    assert rows["alice"]["score"] == 10 and summary.exit_code == 1
    assert rows["mallory"]["reason"].startswith("mallory.py holds 29") and "at most 256 KiB" in rows["mallory"]["reason"]
    assert rows["oscar"]["reason"] == ("oscar.ipynb is over 20 MiB: a submission may be at most that; its outputs "
                                       "count: clear them (in Jupyter, Edit → Clear Outputs of All Cells), save it "
                                       "and grade it again")


def test_csv_cells_are_never_formulas():
    assert outputs._cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert outputs._cell("two\nlines") == "two | lines"
    assert outputs._cell(2.0) == "2" and outputs._cell(463256123) == "463256123"


def test_csv_cells_are_no_formulas_where_a_spreadsheet_splits_at_semicolons():
    """Red team (instructor): a file named ``exercise_2;=HYPERLINK(…);x.py`` gave a cell starting ``=`` to a
    spreadsheet that reads the CSV with ``;`` between cells."""
    import csv

    text = outputs._cell("exercise_2;=HYPERLINK(CHAR(104)&A1);x.py") + "," + outputs._cell("a;  -1; @SUM(A1)")
    cells = next(csv.reader([text], delimiter=";"))
    assert not any(cell.lstrip().startswith(outputs._FORMULA) for cell in cells), cells
    assert outputs._cell("x = a; b") == "x = a; b"


def test_the_gradebook_refuses_a_notebook_of_millions_of_values_before_nbgrader_reads_it():
    """Red team 13: 6.9 million ``{}`` in a 20 MB notebook's metadata took nbformat and nbgrader's sanitising 66 s
    and 8 GB before the grader's own bound refused it. The bound now comes first."""
    pytest.importorskip("nbgrader")
    from autograd_exercises.classroom.gradebook import Gradebook, SubmissionRefused

    book = Gradebook.__new__(Gradebook)  # no database: the bound must refuse before any gradebook step
    data = ('{"cells": [], "metadata": {"x": [' + "{}," * 1_500_000 + '{}]}, "nbformat": 4, "nbformat_minor": 5}')
    start = time.monotonic()
    with pytest.raises(SubmissionRefused, match=r"its JSON holds about [\d,]+ values \(at most 1,000,000\)"):
        book.prepare("mallory", "exercise-2", "exercise-2", data.encode())
    assert time.monotonic() - start < 5


def test_only_grade_class_s_own_leftovers_are_removed_from_the_output_folder(tmp_path):
    """Red team 50: every ``.*.tmp`` anywhere below ``--out`` was deleted (an instructor's ``proj/sub/.draft.tmp``),
    and the whole tree walked (``--out ..`` raised on a name too long; ``--out /`` on /proc). Only atomic_write's
    temporary names, only in the folders grade class writes."""
    out = tmp_path / "proj"
    mine = [out / "sub" / "deep" / ".draft.tmp", out / ".vimrc.tmp", out / "results" / "alice" / "notes.tmp"]
    ours = [out / ".grades.csv.ab12cd_9.tmp", out / "results" / "alice" / ".exercise-2.json.zz00aa11.tmp",
            out / "feedback" / "bob" / ".exercise-2.txt.qwertyui.tmp", out / cache.FOLDER / ".class.json.abcdefgh.tmp"]
    for path in mine + ours:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")
    (out / "results" / "link").symlink_to(out / "sub" / "deep")
    (out / "sub" / "deep" / ".grades.csv.ab12cd_9.tmp").write_text("not below a folder grade class writes")
    outputs.remove_leftovers(out)
    assert all(path.exists() for path in mine) and not any(path.exists() for path in ours)
    assert (out / "sub" / "deep" / ".grades.csv.ab12cd_9.tmp").exists()


def test_an_unreadable_submissions_folder_exits_3(tmp_path, monkeypatch):
    """Not click's usage error (exit 2): like a missing folder, one ``Error:`` line and exit 3."""
    from autograd_exercises.classroom import layouts

    folder = tmp_path / "class"
    class_builder.write(folder / "alice", "right", ".py")

    def refused(*_args, **_kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(layouts.os, "scandir", refused)
    result = CliRunner().invoke(main, ["class", SLUG, str(folder), "--out", str(tmp_path / "out")])
    assert result.exit_code == 3 and result.output == f"Error: cannot read {folder}: Permission denied\n", result.output


def test_a_long_list_of_skipped_files_is_cut_in_the_summary_and_kept_whole_in_not_graded_txt(tmp_path):
    """A folder of many files no rule fits printed a line each (red team 50: 2,000 lines). The summary shows
    the first 20 of each list and says where they all are: ``not-graded.txt``, which a later run without any
    removes (an instructor's own file of that name is left alone)."""
    folder, out = tmp_path / "class", tmp_path / "out"
    class_builder.write(folder / "alice", "right", ".py")
    for index in range(25):
        (folder / f"exercise_9_s{index:02d}.py").write_text("x = 1\n")
    result = invoke("class", SLUG, str(folder), "--out", str(out))
    listed = [line for line in result.output.splitlines() if line.startswith("  exercise_9_s")]
    assert result.exit_code == 1 and len(listed) == 20, result.output
    assert f"  … and 5 more: every one in {out / 'not-graded.txt'}" in result.output
    assert f"files skipped, ignored or left out, each and why: {out / 'not-graded.txt'} (a could-not-grade row says " \
        "why in grades.csv)" in result.output  # (walkthrough 65: "not graded" was the word for could-not-grade rows)
    kept = (out / "not-graded.txt").read_text(encoding="utf-8")
    assert kept.startswith("# grade class:") and "skipped (25), not graded:" in kept
    assert all(f"  exercise_9_s{index:02d}.py: the name says exercise 9, which this course lacks\n" in kept
               for index in range(25))
    for index in range(25):
        (folder / f"exercise_9_s{index:02d}.py").unlink()
    assert invoke("class", SLUG, str(folder), "--out", str(out)).exit_code == 0
    assert not (out / "not-graded.txt").exists()
    (out / "not-graded.txt").write_text("my own notes\n")
    assert invoke("class", SLUG, str(folder), "--out", str(out)).exit_code == 0
    assert (out / "not-graded.txt").read_text() == "my own notes\n"


def test_the_cache_keeps_an_ids_lone_surrogates_exactly(tmp_path):
    """Red team 75: nbgrader ids from undecodable folder names (``j\\xf6rg`` and ``j\\xfcrg``) both became ``j?rg`` in
    the rows a later run of another exercise kept from the cache; they are escaped there now, and come back apart."""
    from autograd_exercises.classroom.cache import Cache

    cache = Cache(tmp_path)
    blank = {"file": "f.py", "sha256": "0" * 64, "seed": 1, "status": "graded", "reason": "", "note": "",
             "max_score": 10, "checks": {}, "mistakes": {}, "results_json": "{}", "feedback": "", "graded_at": "now"}
    rows = [{**blank, "key": key, "exercise": "exercise-2", "student": student, "score": 1}
            for key, student in (("a" * 64, "j\udcf6rg"), ("b" * 64, "j\udcfcrg"))]
    for row in rows:
        cache.put(row)
    cache.record(rows, {"exercise-2"}, others=False)
    assert sorted(row["student"] for row in Cache(tmp_path).kept(set())) == ["j\udcf6rg", "j\udcfcrg"]


def test_a_run_stopped_by_an_error_before_any_row_writes_no_class_files(tmp_path, inline):
    """Walkthrough 62: a run that stopped with ``Error:`` (a scheduler not reached, a worker of another version)
    left a grades.csv of one header and a class.junit.xml of no test, which CI reads as a class all green. Now it
    writes no class file then; a run that graded some rows still writes them (the rows it has)."""
    from autograd_exercises.classroom.executor import Executor

    class Unreachable(Executor):
        def start(self):
            raise executor.ExecutorError("cannot reach the dask scheduler at tcp://127.0.0.1:9999: timed out")

        def run(self, tasks):
            self.start()
            yield from ()

    folder = make_class(tmp_path / "class", {"alice": ("right", ".py")})
    with pytest.raises(batch.BatchError, match="cannot reach the dask scheduler"):
        run(folder, tmp_path / "out", Unreachable())
    assert not (tmp_path / "out" / "grades.csv").exists() and not (tmp_path / "out" / "class.junit.xml").exists()
    assert run(folder, tmp_path / "out", inline).exit_code == 0  # then graded: the files are there
    assert (tmp_path / "out" / "class.junit.xml").is_file()
