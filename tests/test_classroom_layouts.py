"""``grade class``: finding a class's submissions and student ids in every layout (no grading here)."""

from __future__ import annotations

import hashlib
import os
import re
import stat
import zipfile
from pathlib import Path

import pytest

from autograd_exercises import session
from autograd_exercises.classroom import layouts
from tests import class_builder

STUB = (Path(__file__).resolve().parents[1] / "autograd_exercises" / "exercise_2.py").read_text()
RIGHT = class_builder.SOLUTION


def files(root: Path, tree: dict[str, str]) -> Path:
    for name, text in tree.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def found(plan: layouts.Plan) -> dict[tuple[str, str], str]:
    """(student, exercise) → the file's shown path (or its problem)."""
    return {(f.student, f.exercise): f.problem or f.shown for f in plan.found}


def discover(root: Path, exercise: str | None = "exercise-2", missing: bool = False) -> layouts.Plan:
    """What ``grade class`` finds; without ``missing``, less the rows ``grade class all`` adds for an exercise a
    student has no file of (these tests are about the files found: ``test_a_student_without_a_file_of_an_exercise``)."""
    with layouts.opened(root) as (folder, _):
        plan = layouts.discover(folder, exercise)
    if not missing:
        plan.found = [f for f in plan.found if f.problem != layouts.NO_FILE.format(slug=f.exercise)]
    return plan


def test_a_student_without_a_file_of_an_exercise_others_handed_in_has_a_row_that_says_so(tmp_path):
    """Walkthrough 69: with ``grade class all``, a student's missing exercise had no row, no line in the summary, and
    the exercise's mean was over one student fewer with no word why. Each such (student, exercise) is a row that
    scores zero and says why, with the student's own id; an exercise nobody handed in has none."""
    files(tmp_path, {"alice/exercise_2.py": RIGHT, "alice/exercise_3.py": RIGHT, "bob/exercise_2.py": RIGHT,
                     "carol_1_2_exercise_3.py": RIGHT})
    plan = discover(tmp_path, None, missing=True)
    assert found(plan) == {("alice", "exercise-2"): "alice/exercise_2.py", ("alice", "exercise-3"): "alice/exercise_3.py",
                           ("bob", "exercise-2"): "bob/exercise_2.py",
                           ("bob", "exercise-3"): "no file for exercise-3, which most students handed in",
                           ("carol", "exercise-2"): "no file for exercise-2, which most students handed in",
                           ("carol", "exercise-3"): "carol_1_2_exercise_3.py"}
    carol = {f.exercise: f for f in plan.found if f.student == "carol"}
    assert carol["exercise-2"].lms == carol["exercise-3"].lms == "canvas:1" and carol["exercise-2"].path is None
    assert all(f.exercise in ("exercise-2", "exercise-3") for f in plan.found)
    assert len(discover(tmp_path, "exercise-2", missing=True).found) == 2  # one exercise: no roster to miss from


def test_a_browsers_second_download_and_a_decomposed_canvas_name_stay_their_students(tmp_path):
    """Fairness 65: ``carol_exercise_2 (1).py`` beside ``carol_exercise_2.py`` made a student ``carol_-1`` (who then had
    a "no file" row of every other exercise), and a Mac's decomposed ``zoe\u0308_1005_…`` read as no Canvas name."""
    files(tmp_path / "a", {"carol_exercise_2.py": RIGHT, "carol_exercise_2 (1).py": RIGHT, "dave_exercise_2.py": RIGHT})
    assert sorted((f.student, f.exercise) for f in discover(tmp_path / "a", None, missing=True).found) == [
        ("carol", "exercise-2"), ("dave", "exercise-2")]
    files(tmp_path / "b", {"zo\u00eb_1005_5010_exercise_2.py": RIGHT, "zoe\u0308_1005_5011_exercise_3.py": RIGHT,
                           "ann_1006_5012_exercise_2.py": RIGHT, "ann_1006_5013_exercise_3.py": RIGHT})
    found = discover(tmp_path / "b", None, missing=True).found
    assert sorted((f.student, f.exercise, f.lms) for f in found) == [
        ("ann", "exercise-2", "canvas:1006"), ("ann", "exercise-3", "canvas:1006"),
        ("zo\u00eb", "exercise-2", "canvas:1005"), ("zo\u00eb", "exercise-3", "canvas:1005")]


def test_one_students_stray_exercise_gives_no_classmate_a_no_file_row(tmp_path):
    """Red team 230: mallory's ``exercise_6.py`` (``x = 1``), or an empty ``exercise_5.zip``, gave every classmate a
    "no file" zero row of that exercise and the run exit status 1. Only an exercise that at least half the class
    handed in makes such rows; a look-alike id's note stays on its "no file" row (red team 230)."""
    files(tmp_path / "a", {"alice/exercise_2.py": RIGHT, "bob/exercise_2.py": RIGHT, "carol/exercise_2.py": RIGHT,
                           "mallory/exercise_2.py": RIGHT, "mallory/exercise_6.py": "x = 1\n"})
    assert sorted((f.student, f.exercise) for f in discover(tmp_path / "a", None, missing=True).found) == [
        ("alice", "exercise-2"), ("bob", "exercise-2"), ("carol", "exercise-2"), ("mallory", "exercise-2"),
        ("mallory", "exercise-6")]
    files(tmp_path / "b", {"alice/exercise_1.py": RIGHT, "alice/exercise_2.py": RIGHT, "Alice/exercise_1.py": RIGHT})
    rows = {(f.student.split("-")[0], f.exercise): f for f in discover(tmp_path / "b", None, missing=True).found}
    assert rows["Alice", "exercise-2"].problem == "no file for exercise-2, which most students handed in"
    assert rows["Alice", "exercise-2"].note.startswith("id Alice reads like alice: told apart as Alice-")


def test_a_folder_of_files_one_per_student(tmp_path):
    files(tmp_path, {"alice.py": RIGHT, "bob.ipynb": "{}", "carol_exercise_2.py": RIGHT, "exercise-2-dave.py": RIGHT,
                     "Erin Exercise 2.py": RIGHT, "README.md": "hello", ".DS_Store": ""})
    plan = discover(tmp_path)
    assert found(plan) == {("alice", "exercise-2"): "alice.py", ("bob", "exercise-2"): "bob.ipynb",
                           ("carol", "exercise-2"): "carol_exercise_2.py", ("dave", "exercise-2"): "exercise-2-dave.py",
                           ("Erin", "exercise-2"): "Erin Exercise 2.py"}
    assert [f.kind for f in plan.found if f.student == "bob"] == ["ipynb"]
    assert plan.layout == "files, one per student"
    assert plan.ignored == ["README.md"] and not plan.skipped


def test_files_for_other_exercises_are_counted_not_graded(tmp_path):
    files(tmp_path, {"alice_exercise_2.py": RIGHT, "alice_exercise_3.py": RIGHT, "bob_exercise_9.py": RIGHT})
    plan = discover(tmp_path)
    assert found(plan) == {("alice", "exercise-2"): "alice_exercise_2.py"}
    assert plan.other_exercise == ["alice_exercise_3.py"]
    assert plan.skipped == [layouts.Skipped("bob_exercise_9.py", "the name says exercise 9, which this course lacks")]


def test_all_exercises_need_the_exercise_in_a_flat_name(tmp_path):
    files(tmp_path, {"alice_exercise_2.py": RIGHT, "alice_exercise_3.py": RIGHT, "bob.py": RIGHT, "exercise_2.py": RIGHT})
    plan = discover(tmp_path, None)
    assert found(plan) == {("alice", "exercise-2"): "alice_exercise_2.py", ("alice", "exercise-3"): "alice_exercise_3.py"}
    reasons = {item.shown: item.reason for item in plan.skipped}
    assert "needs exercise_N in each file's name" in reasons["bob.py"]
    assert reasons["exercise_2.py"].startswith("no student id in the name")


def test_a_folder_per_student(tmp_path):
    files(tmp_path, {"alice/exercise_2.py": RIGHT, "bob/exercise-2.ipynb": "{}", "carol/work/Exercise 2.py": RIGHT,
                     "dave/mine.py": RIGHT, "erin/notes.txt": "", "frank/a.py": RIGHT, "frank/b.py": RIGHT})
    plan = discover(tmp_path)
    assert found(plan) == {
        ("alice", "exercise-2"): "alice/exercise_2.py", ("bob", "exercise-2"): "bob/exercise-2.ipynb",
        ("carol", "exercise-2"): "carol/work/Exercise 2.py", ("dave", "exercise-2"): "dave/mine.py",
        ("frank", "exercise-2"): "2 files, none named after exercise-2 in frank/"}
    assert plan.layout == "a folder per student"
    assert plan.skipped == [layouts.Skipped("erin/", "no .py or .ipynb file in this folder (nor in its folders, 4 deep)")]


def test_github_classroom_clones(tmp_path):
    files(tmp_path, {"exercise-2-alice-gh/exercise_2.py": RIGHT, "exercise-2-alice-gh/README.md": "",
                     "exercise-2-alice-gh/.github/classroom/autograding.json": "{}",
                     "exercise-2-bob/solution.py": RIGHT, "exercise-3-carol/exercise_3.py": RIGHT,
                     "exercise-2-dave/README.md": ""})
    plan = discover(tmp_path)
    assert found(plan) == {("alice-gh", "exercise-2"): "exercise-2-alice-gh/exercise_2.py",
                           ("bob", "exercise-2"): "exercise-2-bob/solution.py",
                           ("dave", "exercise-2"): "no exercise_2.py or exercise-2.ipynb in exercise-2-dave/"}
    assert plan.other_exercise == ["exercise-3-carol/exercise_3.py"]
    assert plan.layout == "GitHub Classroom clones"
    everything = discover(tmp_path, None)
    assert ("carol", "exercise-3") in found(everything)


def test_folders_of_students_are_read_as_their_students(tmp_path):
    """Fairness 34: GitHub Classroom's clones of an assignment (``gh classroom clone`` puts them in
    ``exercise-2-submissions/``) and the Actions workflow's ``submissions/exercise-N/<student>/`` were each read as one
    student, named "submissions" or "exercise-2", with one 0 for all their files."""
    files(tmp_path / "clones", {"exercise-2-submissions/exercise-2-alice/exercise_2.py": RIGHT,
                                "exercise-2-submissions/exercise-2-bob/solution.py": RIGHT,
                                "exercise-2-submissions/README.md": ""})
    expected = {("alice", "exercise-2"): "exercise-2-alice/exercise_2.py", ("bob", "exercise-2"): "exercise-2-bob/solution.py"}
    assert found(discover(tmp_path / "clones" / "exercise-2-submissions")) == expected
    assert found(discover(tmp_path / "clones")) == {key: f"exercise-2-submissions/{shown}" for key, shown in expected.items()}
    files(tmp_path / "submissions", {"exercise-2/carol/exercise_2.py": RIGHT, "exercise-2/dave/solution.py": RIGHT,
                                 "exercise-2/erin/exercise_3.py": RIGHT, "exercise-3/carol/exercise_3.py": RIGHT})
    plan = discover(tmp_path / "submissions", None)
    assert found(plan) == {("carol", "exercise-2"): "exercise-2/carol/exercise_2.py",
                           ("dave", "exercise-2"): "exercise-2/dave/solution.py",
                           ("erin", "exercise-2"): "no exercise_2.py or exercise-2.ipynb in exercise-2/erin/",
                           ("carol", "exercise-3"): "exercise-3/carol/exercise_3.py"}
    assert [(item.shown, item.reason) for item in plan.skipped] == [
        ("exercise-2/erin/exercise_3.py", "the name says exercise 3, but the folder is exercise-2's")]
    above = found(discover(tmp_path, None))  # (the repository's folder, which holds submissions/)
    assert above[("dave", "exercise-2")] == "submissions/exercise-2/dave/solution.py"
    assert above[("carol", "exercise-3")] == "submissions/exercise-3/carol/exercise_3.py"
    assert ("bob", "exercise-2") not in above  # (``clones/`` is no name of a folder of students: a student's folder)


def test_test_files_beside_a_submission_are_no_second_file(tmp_path):
    """Fairness 34: a clone's ``tests/test_exercise_2.py`` (the student's own, or the template's) was a second file for
    exercise 2, and the student got 0 with "keep one"."""
    files(tmp_path, {"exercise-2-alice/exercise_2.py": RIGHT, "exercise-2-alice/tests/test_exercise_2.py": "x = 1",
                     "exercise-2-alice/exercise_2_test.py": "x = 1", "exercise-2-alice/conftest.py": "",
                     "bob/exercise_2.py": RIGHT, "bob/test_exercise_2.ipynb": "{}"})
    plan = discover(tmp_path)
    assert found(plan) == {("alice", "exercise-2"): "exercise-2-alice/exercise_2.py",
                           ("bob", "exercise-2"): "bob/exercise_2.py"}
    assert {"exercise-2-alice/tests/test_exercise_2.py", "bob/test_exercise_2.ipynb"} <= set(plan.tests)
    assert not set(plan.tests) & set(plan.ignored)  # (walkthrough 61: listed as "not .py or .ipynb", which they are)


def test_the_very_same_file_twice_is_graded_once(tmp_path):
    """Fairness 34: ``Exercise_2.ipynb`` and its download twin ``Exercise_2 (1).ipynb``, byte for byte, made "2 files:
    keep one"; one is graded, and the note names the other."""
    files(tmp_path, {"alice/Exercise_2.py": RIGHT, "alice/Exercise_2 (1).py": RIGHT,
                     "bob/exercise_2.py": RIGHT, "bob/exercise_2 (1).py": RIGHT + "# changed"})
    plan = discover(tmp_path)
    alice, bob = sorted(plan.found, key=lambda f: f.student)
    assert alice.problem == "" and alice.note == "alice/Exercise_2 (1).py: the same file, graded once"
    assert bob.problem.startswith("2 files for exercise-2")


def test_canvas_names_in_any_script(tmp_path):
    """Fairness 34: Canvas keeps a name's letters of any script; such a name was no Canvas name, and the user and
    submission ids stayed in the student's id (one person, another id per exercise)."""
    files(tmp_path, {"müllerjörg_1001_5001_exercise_2.py": RIGHT, "müllerjörg_1001_6001_exercise_3.py": RIGHT,
                     "张伟_1002_5002_exercise_2.py": RIGHT, "o-brien_1003_5003_exercise_2.py": RIGHT})
    plan = discover(tmp_path, None)
    assert sorted((f.student, f.exercise) for f in plan.found) == [
        ("müllerjörg", "exercise-2"), ("müllerjörg", "exercise-3"), ("o-brien", "exercise-2"), ("张伟", "exercise-2")]


def test_submissions_beside_a_folder_named_submitted_in_no_course_are_listed(tmp_path):
    """Red team 33: a student's folder named submitted made a class read as nbgrader's layout, and every other
    submission was left out without a word. Where nothing of nbgrader's sits beside it, they are listed (skipped)."""
    files(tmp_path, {"submitted/mallory/exercise-2/exercise-2.ipynb": "{}", "alice_exercise_2.py": RIGHT,
                     "bob/exercise_2.py": RIGHT, "notes.txt": "x"})
    plan = discover(tmp_path, "exercise-2")
    assert [(item.shown, item.reason) for item in plan.skipped] == [
        (shown, "beside a folder named submitted, read as nbgrader's: rename that folder, or grade the others apart")
        for shown in ("alice_exercise_2.py", "bob")]
    (tmp_path / "nbgrader_config.py").write_text("c = get_config()\n")  # a course: its other folders are its own
    assert discover(tmp_path, "exercise-2").skipped == []


@pytest.mark.parametrize("given", ["course", "submitted"])
def test_nbgrader_submitted(tmp_path, given):
    files(tmp_path, {"submitted/alice/exercise-2/exercise-2.ipynb": "{}", "submitted/alice/exercise-2/timestamp.txt": "x",
                     "submitted/bob/exercise-2/exercise-2.ipynb": "{}", "submitted/bob/exercise-2/copy.ipynb": "{}",
                     "submitted/bob/exercise-3/exercise-3.ipynb": "{}", "source/exercise-2/exercise-2.ipynb": "{}",
                     "gradebook.db": ""})
    plan = discover(tmp_path if given == "course" else tmp_path / "submitted")
    assert found(plan) == {("alice", "exercise-2"): "submitted/alice/exercise-2/exercise-2.ipynb"[0 if given == "course" else 10:],
                           ("bob", "exercise-2"): "submitted/bob/exercise-2/exercise-2.ipynb"[0 if given == "course" else 10:]}
    assert {f.nbgrader for f in plan.found} == {("exercise-2", "exercise-2")}
    assert [item.reason for item in plan.skipped] == ["not the assignment's notebook (exercise-2.ipynb is graded)"]
    assert plan.layout == "nbgrader submitted/" and not plan.ignored  # timestamp.txt is nbgrader's own


def test_an_nbgrader_assignment_named_otherwise_is_graded_by_its_notebooks_names(tmp_path):
    """An assignment whose name is no exercise (``week3/``) holds notebooks named as exercises (an instructor's own
    assignment names, several exercises in one): each is graded as the exercise its name gives, under its own
    nbgrader notebook id. An assignment that names an exercise the course lacks stays skipped."""
    files(tmp_path, {"submitted/alice/week3/exercise-2.ipynb": "{}", "submitted/alice/week3/exercise-3.ipynb": "{}",
                     "submitted/bob/week3/notes.ipynb": "{}", "submitted/carol/exercise-9/exercise-2.ipynb": "{}",
                     "gradebook.db": ""})
    plan = discover(tmp_path, None)
    assert found(plan) == {("alice", "exercise-2"): "submitted/alice/week3/exercise-2.ipynb",
                           ("alice", "exercise-3"): "submitted/alice/week3/exercise-3.ipynb"}
    assert sorted(f.nbgrader for f in plan.found) == [("week3", "exercise-2"), ("week3", "exercise-3")]
    assert [(item.shown, item.reason) for item in plan.skipped] == [
        ("submitted/bob/week3/notes.ipynb", "assignment 'week3' is no exercise of this course, nor is its notebook's name"),
        ("submitted/carol/exercise-9/exercise-2.ipynb", "assignment 'exercise-9' is no exercise of this course")]


def test_canvas_and_moodle_names(tmp_path):
    files(tmp_path, {"lastname_12345_67890_exercise_2.py": RIGHT, "smithjane_late_222_333_exercise_2-1.ipynb": "{}",
                     "lee_1_10_exercise_2.py": RIGHT, "lee_2_11_exercise_2.py": RIGHT,
                     "Ann Lee_4242_assignsubmission_file_exercise_2.py": RIGHT,
                     "Bo Chen_77_assignsubmission_file_/exercise-2.ipynb": "{}"})
    plan = discover(tmp_path)
    assert found(plan) == {("lastname", "exercise-2"): "lastname_12345_67890_exercise_2.py",
                           ("smithjane", "exercise-2"): "smithjane_late_222_333_exercise_2-1.ipynb",
                           ("lee_1", "exercise-2"): "lee_1_10_exercise_2.py",
                           ("lee_2", "exercise-2"): "lee_2_11_exercise_2.py",
                           ("Ann-Lee", "exercise-2"): "Ann Lee_4242_assignsubmission_file_exercise_2.py",
                           ("Bo-Chen", "exercise-2"): "Bo Chen_77_assignsubmission_file_/exercise-2.ipynb"}
    assert "Canvas" in plan.layout and "Moodle" in plan.layout


def test_canvas_names_of_the_notebook_grade_start_makes_say_their_exercise(tmp_path):
    """Canvas's resubmission suffix (``-1``) is not the ``-2`` of ``exercise-2.ipynb``: with ``grade class all``
    such a notebook was skipped ("the name says no exercise"), and a second file of the same student went unseen."""
    files(tmp_path, {"smith_1010_5010_exercise-2.ipynb": "{}", "jones_11_12_exercise-2-1.ipynb": "{}",
                     "evans_13_14_exercise-3.ipynb": "{}", "evans_13_15_exercise_3.py": RIGHT})
    plan = discover(tmp_path, None)
    graded = found(plan)
    assert set(graded) == {("smith", "exercise-2"), ("jones", "exercise-2"), ("evans", "exercise-3")}
    assert graded["smith", "exercise-2"] == "smith_1010_5010_exercise-2.ipynb"
    assert graded["jones", "exercise-2"] == "jones_11_12_exercise-2-1.ipynb"
    assert graded["evans", "exercise-3"].startswith("2 files for exercise-3")
    assert not plan.skipped, plan.skipped


def test_two_files_for_one_student(tmp_path):
    stub_notebook = (Path(__file__).resolve().parents[1] / "autograd_exercises" / "notebooks" / "exercise-2.ipynb")
    files(tmp_path, {"alice/exercise_2.py": RIGHT, "alice/exercise-2.ipynb": stub_notebook.read_text(),
                     "bob/exercise_2.py": RIGHT, "bob/exercise-2.ipynb": class_builder.notebook_text("right"),
                     "carol.py": RIGHT, "carol.ipynb": "{}"})
    plan = discover(tmp_path)
    by_student = {f.student: f for f in plan.found}
    assert by_student["alice"].shown == "alice/exercise_2.py" and not by_student["alice"].problem
    assert by_student["alice"].note == "alice/exercise-2.ipynb: untouched stub, not graded"
    assert by_student["bob"].problem == ("2 files for exercise-2 (bob/exercise-2.ipynb, bob/exercise_2.py): "
                                         "keep one and grade again")
    assert by_student["carol"].problem.startswith("2 files for exercise-2 (carol.ipynb, carol.py)")


def test_two_untouched_stubs_are_graded_as_one(tmp_path):
    """A GitHub Classroom clone nobody worked in holds the template's .py and notebook, both untouched: graded as
    ``grade exercise-2`` grades such a folder (the .py, zero), not "2 files, keep one"."""
    stub_notebook = (Path(__file__).resolve().parents[1] / "autograd_exercises" / "notebooks" / "exercise-2.ipynb")
    files(tmp_path, {"exercise-2-dave/exercise_2.py": STUB, "exercise-2-dave/exercise-2.ipynb": stub_notebook.read_text()})
    (dave,) = discover(tmp_path).found
    assert (dave.student, dave.shown, dave.problem) == ("dave", "exercise-2-dave/exercise_2.py", "")
    assert dave.note == "exercise-2-dave/exercise-2.ipynb: untouched stub, not graded"


def test_the_work_in_a_file_of_its_own_beside_the_templates_stubs_is_graded(tmp_path):
    """Walkthrough 73: a clone of the template keeps its untouched stubs, and the student wrote solution.py; the stub
    was graded zero and solution.py skipped as "no student or exercise could be told". Now solution.py is graded, the
    stubs named in its note (of the files at the top, those that define the exercise's functions: fairness 71's helper
    module beside solution.py made two files); two files of the student's own beside the stubs are two, listed."""
    stub_notebook = (Path(__file__).resolve().parents[1] / "autograd_exercises" / "notebooks" / "exercise-2.ipynb")
    files(tmp_path, {"exercise-2-kim/exercise_2.py": STUB, "exercise-2-kim/exercise-2.ipynb": stub_notebook.read_text(),
                     "exercise-2-kim/solution.py": RIGHT, "ann/exercise-2.ipynb": stub_notebook.read_text(),
                     "ann/mine.py": RIGHT, "lee/exercise_2.py": STUB, "lee/a.py": RIGHT, "lee/b.py": RIGHT + "# another try\n",
                     "bo/exercise_2.py": RIGHT, "bo/scratch.py": "x = 1\n", "cy/exercise_2.py": STUB,
                     "cy/solution.py": RIGHT, "cy/helpers.py": "def util():\n    return 1\n", "dee/exercise_2.py": STUB,
                     "dee/notes.py": '"""What I learnt: def forward(x) builds the graph."""\n'})
    plan = discover(tmp_path)
    by_student = {f.student: f for f in plan.found}
    assert (by_student["kim"].shown, by_student["kim"].problem) == ("exercise-2-kim/solution.py", "")
    assert by_student["kim"].note == \
        "exercise-2-kim/exercise-2.ipynb, exercise-2-kim/exercise_2.py: untouched stub, not graded"
    assert (by_student["ann"].shown, by_student["ann"].note) == ("ann/mine.py", "ann/exercise-2.ipynb: untouched stub, "
                                                                                "not graded")
    assert by_student["lee"].problem == "2 files for exercise-2 (lee/a.py, lee/b.py): keep one and grade again; " \
                                        "lee/exercise_2.py: untouched stub, not graded"
    assert layouts.files_named(by_student["lee"].problem) == ["lee/a.py", "lee/b.py", "lee/exercise_2.py"]
    assert (by_student["bo"].shown, by_student["bo"].problem) == ("bo/exercise_2.py", "")  # (edited: as before)
    assert (by_student["cy"].shown, by_student["cy"].problem) == ("cy/solution.py", "")  # (fairness 71: its helper)
    assert (by_student["dee"].shown, by_student["dee"].problem) == ("dee/exercise_2.py", "")  # (red team 241: a
    # docstring's "def forward(x)" is no definition)
    assert sorted(item.shown for item in plan.skipped) == ["bo/scratch.py", "cy/helpers.py", "dee/notes.py"]


def test_two_files_one_too_large_is_never_read_whole(tmp_path):
    """Red team 46: of two files for one exercise, telling the untouched stub read each whole first (a 300 MB file
    took 14 GB of the instructor's memory). One past the submission limit is no stub, and is not read."""
    from autograd_exercises import submission

    files(tmp_path, {"exercise-2-mallory/exercise-2.ipynb": class_builder.notebook_text("right")})
    with open(tmp_path / "exercise-2-mallory" / "exercise_2.py", "wb") as big:
        big.truncate(submission.MAX_FILE + 1)  # (sparse: nothing written, nothing to read but zeros)
    assert session._code_of(tmp_path / "exercise-2-mallory" / "exercise_2.py", "py") is None
    (mallory,) = discover(tmp_path).found
    assert mallory.problem == ("2 files for exercise-2 (exercise-2-mallory/exercise-2.ipynb, "
                               "exercise-2-mallory/exercise_2.py): keep one and grade again")


def test_no_submission_is_an_error(tmp_path):
    files(tmp_path, {"README.md": "", "data/x.csv": ""})
    with pytest.raises(layouts.LayoutError, match="no submission in"):
        discover(tmp_path)
    with pytest.raises(layouts.LayoutError, match="no such folder or zip"):
        discover(tmp_path / "missing")
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(layouts.LayoutError, match="neither a folder nor a .zip"):
        discover(tmp_path / "notes.txt")


def test_only_skipped_files_is_no_submission_and_says_why(tmp_path):
    """Files that look like submissions but fit no rule are not a submission: the one line names them and why."""
    files(tmp_path, {"submitted/alice/exercise-2/exercise_2.py": RIGHT})
    with pytest.raises(layouts.LayoutError) as raised:
        discover(tmp_path, "exercise-2")
    assert str(raised.value) == (
        f"no submission in {tmp_path}: no .py or .ipynb file that is a submission of exercise-2; skipped 1 file: "
        "submitted/alice/exercise-2/exercise_2.py (nbgrader's layout holds notebooks: a .py in submitted/ is "
        "not graded)")
    files(tmp_path / "other", {f"exercise_{n}.py": RIGHT for n in (2, 3, 4)})
    with pytest.raises(layouts.LayoutError, match=r"; skipped 3 files: exercise_2\.py \(no student id in the name"
                                                  r".*; and 1 more$"):
        discover(tmp_path / "other", "exercise-2")


def zip_of(path: Path, entries: dict[str, bytes | str], *, links: dict[str, str] = {}) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zipped:
        for name, data in entries.items():
            zipped.writestr(name, data)
        for name, target in links.items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zipped.writestr(info, target)
    return path


@pytest.mark.parametrize("layout", ["flat", "folders", "classroom", "nbgrader", "wrapped", "clones"])
def test_a_zip_of_each_layout(tmp_path, layout):
    entries = {"flat": {"alice.py": RIGHT, "bob_exercise_2.py": RIGHT},
               "folders": {"alice/exercise_2.py": RIGHT, "bob/exercise_2.py": RIGHT},
               "classroom": {"exercise-2-alice/exercise_2.py": RIGHT, "exercise-2-bob/exercise_2.py": RIGHT},
               "nbgrader": {"submitted/alice/exercise-2/exercise-2.ipynb": "{}",
                            "submitted/bob/exercise-2/exercise-2.ipynb": "{}"},
               "wrapped": {"download/alice.py": RIGHT, "download/bob.py": RIGHT},
               "clones": {"exercise-2-submissions/exercise-2-alice/exercise_2.py": RIGHT,
                          "exercise-2-submissions/exercise-2-bob/exercise_2.py": RIGHT}}[layout]
    archive = zip_of(tmp_path / "class.zip", entries)
    with layouts.opened(archive) as (folder, left_out):
        plan = layouts.discover(folder, "exercise-2")
        assert sorted(f.student for f in plan.found) == ["alice", "bob"]
        assert all(f.path.read_bytes() for f in plan.found) and not left_out
    assert not folder.exists()  # the temporary folder is gone


def test_zip_path_traversal_and_links_stay_inside(tmp_path):
    outside = tmp_path / "outside.py"
    archive = zip_of(tmp_path / "evil.zip", {"../outside.py": "x = 1", "/abs.py": "x = 1", "alice.py": RIGHT},
                     links={"bob.py": "/etc/passwd"})
    with layouts.opened(archive) as (folder, left_out):
        plan = layouts.discover(folder, "exercise-2")
        assert [f.student for f in plan.found] == ["alice"]
        assert sorted(left_out) == ["../outside.py (a link, or a path outside the zip's folder)",
                                    "/abs.py (a link, or a path outside the zip's folder)",
                                    "bob.py (a link, or a path outside the zip's folder)"]
        assert not any(path.is_symlink() for path in folder.rglob("*"))
    assert not outside.exists() and not Path("/abs.py").exists()


def test_a_members_zip_bomb_is_left_out_and_the_others_are_graded(tmp_path):
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("alice.py", RIGHT)
        zipped.writestr("mallory.py", b"#" * (50 * 2**20))  # 50 MB of one byte: compresses ~1000x
    with layouts.opened(archive) as (folder, left_out):
        assert [f.student for f in layouts.discover(folder, "exercise-2").found] == ["alice"]
        assert len(left_out) == 1 and re.fullmatch(r"mallory\.py \(expands \d+ times: a zip bomb\?\)", left_out[0])
        assert not (folder / "mallory.py").exists()


def test_members_past_the_zips_limit_in_all_are_left_out_and_the_others_graded(tmp_path, monkeypatch):
    """Red team (instructor): 1,025 members of 1 MiB each stopped the whole class at 1 GiB; now only the members
    past the limit are left out, each listed."""
    monkeypatch.setattr(layouts, "ZIP_MAX_TOTAL", 12_000)
    archive = zip_of(tmp_path / "many.zip", {"alice.py": RIGHT, **{f"m{i}.py": os.urandom(3000).hex() for i in range(3)}})
    with layouts.opened(archive) as (folder, left_out):
        assert [f.student for f in layouts.discover(folder, "exercise-2").found if f.student == "alice"] == ["alice"]
        assert left_out and all(entry.endswith("(the zip's files before it already take nearly 0 MB in all, or "
                                               "this student's 100 MB (a zip bomb?))") for entry in left_out), left_out
        assert len(left_out) + len(list(folder.glob("m*.py"))) == 3


def test_a_repository_with_node_modules_costs_nothing(tmp_path, monkeypatch):
    """Red team (instructor): a Classroom clone with 20,001 files in node_modules put the zip past its entries, and
    nobody was graded. Hidden and tool folders are never searched, so they are not extracted either; a large file
    that is no submission keeps its name only (it is listed as ignored)."""
    monkeypatch.setattr(layouts, "ZIP_MAX_MEMBERS", 5)
    members = {"exercise-2-alice/exercise_2.py": RIGHT, "exercise-2-bob/exercise_2.py": RIGHT,
               "exercise-2-bob/data.bin": b"\0" * (layouts.ZIP_KEPT_OTHER + 1),
               **{f"exercise-2-mallory/node_modules/m{i}.js": "x" for i in range(20)},
               **{f"exercise-2-mallory/.git/objects/o{i}": "x" for i in range(20)}}
    archive = zip_of(tmp_path / "class.zip", members)
    with layouts.opened(archive) as (folder, left_out):
        plan = layouts.discover(folder, "exercise-2")
        assert sorted(f.student for f in plan.found) == ["alice", "bob"] and left_out == []
        assert not (folder / "exercise-2-mallory").exists()
        assert (folder / "exercise-2-bob" / "data.bin").stat().st_size == 0 and "exercise-2-bob/data.bin" in plan.ignored


def test_files_past_the_zips_count_are_left_out_in_one_line(tmp_path, monkeypatch):
    monkeypatch.setattr(layouts, "ZIP_MAX_MEMBERS", 3)
    archive = zip_of(tmp_path / "many.zip", {f"s{i}.py": "x" for i in range(5)})
    with layouts.opened(archive) as (folder, left_out):
        assert sorted(path.name for path in folder.iterdir()) == ["s0.py", "s1.py", "s2.py"]
        assert left_out == ["2 more files (past the first 3 files of many.zip: not extracted)"]


def test_folder_entries_past_the_zips_folders_or_depth_are_left_out_in_one_line(tmp_path, monkeypatch):
    """Red team 75: 600 folder entries 900 deep (a 2 MB zip) made half a million folders, and one 1,500 deep stopped
    the whole class (pathlib recursed past Python's limit); folders now count, and so does depth."""
    monkeypatch.setattr(layouts, "ZIP_MAX_FOLDERS", 50)
    archive = tmp_path / "folders.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("alice.py", RIGHT)
        zipped.writestr("bob/exercise_2.py", RIGHT)
        zipped.writestr("x/" + "a/" * 1500, "")  # (a folder entry)
        for index in range(30):
            zipped.writestr(f"m/{index}/" + "a/" * 5, "")
    with layouts.opened(archive) as (folder, left_out):
        assert sorted(f.student for f in layouts.discover(folder, "exercise-2").found) == ["alice", "bob"]
        made = [path for path in folder.rglob("*") if path.is_dir()]
        assert len(made) <= 50 and not (folder / "x").exists()
        assert len(left_out) == 1 and re.fullmatch(r"\d+ entries \(past 50 folders in all, or more than 64 deep, in "
                                                    r"folders\.zip: not extracted\)", left_out[0]), left_out


def test_an_unreadable_student_folder_in_submitted_is_named_and_the_others_graded(tmp_path, monkeypatch):
    """Red team 75: a student's folder of mode 000 in nbgrader's submitted/ stopped the class ("cannot write the
    output"); it is skipped as a folder that cannot be read (made unreadable here by hand: root reads every folder)."""
    files(tmp_path, {"submitted/alice/exercise-2/exercise-2.ipynb": "{}", "submitted/evil/exercise-2/exercise-2.ipynb": "{}"})
    real = Path.iterdir

    def iterdir(self: Path):
        if self.name == "evil":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "iterdir", iterdir)
    plan = discover(tmp_path)
    assert found(plan) == {("alice", "exercise-2"): "submitted/alice/exercise-2/exercise-2.ipynb"}
    assert ("submitted/evil/", "a folder that cannot be read") in [(item.shown, item.reason) for item in plan.skipped]


def test_a_zip_whose_directory_lists_too_many_entries_is_not_read(tmp_path, monkeypatch):
    monkeypatch.setattr(layouts, "ZIP_MAX_ENTRIES", 3)
    archive = zip_of(tmp_path / "many.zip", {f"s{i}.py": "x" for i in range(5)})
    with pytest.raises(layouts.LayoutError, match=r"^many\.zip has 5 entries \(at most 3\): not read; extract it "
                                                  r"yourself, leave out what is no student's code, and grade the folder$"):
        with layouts.opened(archive):
            pass


def test_members_lying_about_their_size_or_corrupt_are_left_out(tmp_path):
    archive = zip_of(tmp_path / "liar.zip", {"alice.py": RIGHT, "bob.py": "x" * 5000})
    with zipfile.ZipFile(archive, "a", zipfile.ZIP_STORED) as zipped:
        zipped.writestr("carol.py", "y = 2\n" * 50)  # stored: its bytes are in the zip as they are
    data = archive.read_bytes().replace((5000).to_bytes(4, "little"), (10).to_bytes(4, "little"))  # bob says 10 bytes
    archive.write_bytes(data.replace(b"y = 2", b"y = 3", 1))  # carol's CRC no longer matches
    with layouts.opened(archive) as (folder, left_out):
        assert [f.student for f in layouts.discover(folder, "exercise-2").found] == ["alice"]
        assert sorted(entry.split(" (")[0] for entry in left_out) == ["bob.py", "carol.py"]
        assert all("(cannot be extracted: " in entry for entry in left_out), left_out
        assert not (folder / "bob.py").exists() and not (folder / "carol.py").exists()


def test_a_member_whose_name_the_file_system_refuses_is_left_out(tmp_path):
    """An LMS puts the student's own file name in the member's: one over 255 bytes costs that member only."""
    long = "mallory_" + "a" * 300 + "_exercise_2.py"
    archive = zip_of(tmp_path / "class.zip", {"alice.py": RIGHT, long: RIGHT, "deep/" + "b" * 300 + "/bob.py": RIGHT})
    with layouts.opened(archive) as (folder, left_out):
        assert [f.student for f in layouts.discover(folder, "exercise-2").found] == ["alice"]
        assert sorted(entry.split(" (")[0] for entry in left_out) == sorted([long, "deep/" + "b" * 300 + "/bob.py"])
        assert all(entry.endswith("(cannot be extracted: File name too long)") for entry in left_out), left_out


def test_a_zip_whose_directory_cannot_be_decoded_is_one_error(tmp_path):
    """A member flagged UTF-8 whose name is not: Python cannot read the zip's directory at all."""
    archive = zip_of(tmp_path / "class.zip", {"alice.py": RIGHT, "bob_xy.py": RIGHT})
    with zipfile.ZipFile(archive) as zipped:
        offsets = [info.header_offset for info in zipped.infolist()]
    data = bytearray(archive.read_bytes().replace(b"bob_xy.py", b"bob_\xff\xfe.py"))
    central = data.index(b"PK\x01\x02", offsets[-1])  # each central directory entry: flag bit 11 (UTF-8) on
    while central >= 0:
        data[central + 9] |= 0x08  # the flags are bytes 8-9, little-endian: bit 11 is bit 3 of byte 9
        central = data.find(b"PK\x01\x02", central + 4)
    archive.write_bytes(bytes(data))
    with pytest.raises(layouts.LayoutError, match=r"^cannot read class\.zip as a zip: 'utf-8' codec can't decode"):
        with layouts.opened(archive):
            pass


def test_not_a_zip(tmp_path):
    (tmp_path / "class.zip").write_bytes(b"PK\x03\x04 broken")
    with pytest.raises(layouts.LayoutError):
        with layouts.opened(tmp_path / "class.zip"):
            pass


def test_symbolic_links_are_listed_never_followed(tmp_path):
    files(tmp_path, {"alice.py": RIGHT, "elsewhere/secret.py": RIGHT})
    (tmp_path / "bob.py").symlink_to(tmp_path / "elsewhere" / "secret.py")
    (tmp_path / "carol").mkdir()
    (tmp_path / "carol" / "exercise_2.py").symlink_to("/etc/passwd")
    plan = discover(tmp_path)
    assert ("alice", "exercise-2") in found(plan) and ("bob", "exercise-2") not in found(plan)
    assert {item.shown: item.reason for item in plan.skipped if "link" in item.reason} == {
        "bob.py": "a symbolic link (never followed)", "carol/exercise_2.py": "a symbolic link (never followed)"}


def test_links_the_file_system_cannot_follow_are_listed_not_a_crash(tmp_path):
    """Red team 49: a link whose target is too long for a file name (ENAMETOOLONG) or a loop, as a student's file,
    beside one in a student's folder, or as a student's folder, made ``Path.is_file``/``is_dir`` raise, and the
    whole class was lost to a traceback. Each is listed; the others are graded."""
    files(tmp_path, {"alice.py": RIGHT, "bob/exercise_2.py": RIGHT})
    (tmp_path / "dave.py").symlink_to("y" * 300)
    (tmp_path / "bob" / "helper.py").symlink_to("z" * 300)
    (tmp_path / "erin").symlink_to("w" * 300)
    (tmp_path / "frank.py").symlink_to(tmp_path / "frank.py")
    plan = discover(tmp_path)
    assert {("alice", "exercise-2"), ("bob", "exercise-2")} <= set(found(plan))
    reasons = {item.shown: item.reason for item in plan.skipped}
    assert reasons["dave.py"] == reasons["bob/helper.py"] == reasons["frank.py"] == "a symbolic link (never followed)"
    assert "erin" in plan.ignored


def test_a_fifo_named_as_a_submission_is_listed_never_opened(tmp_path):
    """Red team 13b: a FIFO ``alice_exercise_2.py`` (or one inside a student's folder) was dropped without a word."""
    import os

    files(tmp_path, {"bob.py": RIGHT})
    os.mkfifo(tmp_path / "alice_exercise_2.py")
    (tmp_path / "carol").mkdir()
    os.mkfifo(tmp_path / "carol" / "exercise_2.py")
    os.mkfifo(tmp_path / "pipe")
    plan = discover(tmp_path)
    assert set(found(plan)) == {("bob", "exercise-2")}
    why = "not a plain file (a FIFO, socket or device)"
    assert {item.shown: item.reason for item in plan.skipped if "plain" in item.reason} == {
        "alice_exercise_2.py": why, "carol/exercise_2.py": why}
    assert "pipe" in plan.ignored


def test_symbolic_links_in_nbgrader_submitted_are_listed_never_followed(tmp_path):
    """A student's or an assignment's folder in submitted/ that is a link (a tar can hold one) is another's work,
    or the instructor's: never graded as this student's."""
    notebook = class_builder.notebook_text("right")
    files(tmp_path, {"submitted/alice/exercise-2/exercise-2.ipynb": notebook,
                     "source/exercise-2/exercise-2.ipynb": notebook})
    (tmp_path / "submitted" / "mallory").mkdir()
    (tmp_path / "submitted" / "mallory" / "exercise-2").symlink_to(tmp_path / "submitted" / "alice" / "exercise-2")
    (tmp_path / "submitted" / "oscar").symlink_to(tmp_path / "source")
    plan = discover(tmp_path, "exercise-2")
    assert found(plan) == {("alice", "exercise-2"): "submitted/alice/exercise-2/exercise-2.ipynb"}
    assert {item.shown: item.reason for item in plan.skipped} == {
        "submitted/mallory/exercise-2": "a symbolic link (never followed)",
        "submitted/oscar": "a symbolic link (never followed)"}


def test_student_ids_are_safe_folder_names():
    assert layouts.safe_id("../../etc") == "etc"
    assert layouts.safe_id("Ann Lee") == "Ann-Lee"
    assert layouts.safe_id(".hidden") == "hidden"
    assert os.sep not in layouts.safe_id("a/b\\c")


def test_student_ids_keep_letters_of_every_script():
    import unicodedata

    assert layouts.safe_id("Zoë") != layouts.safe_id("Zoé")
    assert layouts.safe_id(unicodedata.normalize("NFD", "Zoé")) == layouts.safe_id("Zoé") == "Zoé"  # a Mac's name
    assert [layouts.safe_id(name) for name in ("张三", "नमस्ते", "Nguyễn Thị", "José García", "a\u202eb")] == \
        ["张三", "नमस्ते", "Nguyễn-Thị", "José-García", "a-b"]  # marks kept, a right-to-left override not
    assert len(layouts.safe_id("张" * 150).encode()) <= layouts.MAX_ID_BYTES


def test_a_name_that_passes_for_another_with_invisible_characters_is_that_student(tmp_path):
    """Red team round 12: ``bob`` + U+034F (a combining grapheme joiner, which renders as nothing) made a second row
    that showed as ``bob``, beside the real one. Invisible characters (Unicode's default-ignorable ones) are no part
    of an id: it is bob's second file, listed, and the name shown escapes them."""
    files(tmp_path, {"bob.py": RIGHT, "bob\u034f_exercise_2.py": RIGHT + "\n# mallory's", "carol\u3164.py": RIGHT,
                     "dave.py": RIGHT})
    plan = discover(tmp_path)
    by_student = {f.student: f for f in plan.found}
    assert sorted(by_student) == ["bob", "carol", "dave"]
    assert by_student["bob"].problem == ("2 files for exercise-2 (bob.py, bob\\u034f_exercise_2.py): "
                                         "keep one and grade again")
    assert layouts.printable("carol\u3164.py") == "carol\\u3164.py" and layouts.printable("Zoë.py") == "Zoë.py"


def test_students_with_non_ascii_names_are_told_apart(tmp_path):
    import unicodedata

    files(tmp_path, {"Zoë.py": RIGHT, unicodedata.normalize("NFD", "Zoé") + "_exercise_2.py": RIGHT,
                     "张三.py": RIGHT, "Zoë Li_4243_assignsubmission_file_exercise_2.py": RIGHT,
                     "Zoé Li_4244_assignsubmission_file_exercise_2.py": RIGHT})
    plan = discover(tmp_path)
    assert sorted(f.student for f in plan.found) == ["Zoé", "Zoé-Li", "Zoë", "Zoë-Li", "张三"]
    assert not any(f.problem for f in plan.found) and not plan.skipped


def test_different_names_that_make_one_id_are_different_students(tmp_path):
    """``mary ann`` and ``mary-ann`` are both ``mary-ann`` as ids: they were one student's "2 files, keep one" (an
    instructor told to delete a student's work). Each gets a short hash of its name (red team 113: none keeps the bare
    id, which the name an attacker picks would win); a name that differs only by what renders as nothing is still that
    student's second file."""
    files(tmp_path, {"mary ann.py": RIGHT, "mary-ann.py": RIGHT, "o'brien.py": RIGHT, "o brien_exercise_2.py": RIGHT,
                     "x y/exercise_2.py": RIGHT, "x-y/exercise_2.py": RIGHT, "bob.py": RIGHT, "bob\u034f.py": RIGHT + "#"})
    plan = discover(tmp_path)
    by_shown = {f.shown: f.student for f in plan.found if not f.problem}
    assert all(re.fullmatch(r"mary-ann-[0-9a-f]{6}", by_shown[name]) for name in ("mary-ann.py", "mary ann.py"))
    assert all(re.fullmatch(r"x-y-[0-9a-f]{6}", by_shown[name]) for name in ("x-y/exercise_2.py", "x y/exercise_2.py"))
    assert len(set(by_shown.values())) == len(by_shown)
    assert len({by_shown["o'brien.py"], by_shown["o brien_exercise_2.py"]}) == 2
    assert all(by_shown[name].startswith("o-brien-") for name in ("o'brien.py", "o brien_exercise_2.py"))
    assert [f.problem for f in plan.found if f.student == "bob"] == [
        "2 files for exercise-2 (bob.py, bob\\u034f.py): keep one and grade again"]
    again = {f.shown: f.student for f in discover(tmp_path).found if not f.problem}
    assert again == by_shown  # the same ids every run


def test_a_told_apart_id_never_takes_another_students_id(tmp_path):
    """Red team 75: ``mary-ann-343b97.py`` (the short hash of "mary ann") beside ``mary ann.py`` and ``mary-ann.py``:
    three students, three ids."""
    files(tmp_path, {"mary ann.py": RIGHT, "mary-ann.py": RIGHT, "mary-ann-343b97.py": RIGHT})
    plan = discover(tmp_path)
    ids = {f.shown: f.student for f in plan.found}
    assert not [f.problem for f in plan.found if f.problem] and len(set(ids.values())) == 3, ids
    assert ids["mary-ann-343b97.py"] == "mary-ann-343b97" and ids["mary ann.py"].startswith("mary-ann-343b97")


def test_a_plain_name_and_an_lms_users_id_are_two_people(tmp_path):
    """Red team 113: ``smith.py`` beside Canvas's ``smith_1001_5001_exercise_2.py`` made one id, ``smith``: two files,
    the Canvas user graded zero, and the ledger noted ``smith`` as the plain name's, so the next run moved the Canvas
    user. Two people, two ids, neither the bare one."""
    files(tmp_path, {"smith.py": RIGHT, "smith_1001_5001_exercise_2.py": RIGHT})
    plan = discover(tmp_path)
    ids = {f.shown: f.student for f in plan.found}
    assert not [f.problem for f in plan.found if f.problem] and len(set(ids.values())) == 2, ids
    assert all(re.fullmatch(r"smith-[0-9a-f]{6}", student) for student in ids.values()), ids


def test_who_a_student_is_stays_their_name_when_their_id_is_hashed(tmp_path):
    """Red team 116: a GitHub Classroom login (or an nbgrader id) had no name behind its id, so once told apart
    (``smith-662783``, beside a file ``smith!.py``) the hashed id was who they were to the ledger; in the next run a file
    named ``smith-662783.py`` was that person and took the id, and the login was ``smith`` again."""
    files(tmp_path / "one", {"exercise-1-smith/exercise_1.py": RIGHT, "smith!_exercise_1.py": RIGHT})
    first = {f.shown: f for f in discover(tmp_path / "one", "exercise-1").found}
    login = first["exercise-1-smith/exercise_1.py"]
    assert re.fullmatch(r"smith-[0-9a-f]{6}", login.student) and layouts.identity(login) == "smith"
    earlier = {f.student: layouts.identity(f) for f in first.values()}
    files(tmp_path / "two", {"exercise-2-smith/exercise_2.py": RIGHT, f"{login.student}_exercise_2.py": RIGHT})
    with layouts.opened(tmp_path / "two") as (folder, _):
        second = {f.shown: f.student for f in layouts.discover(folder, "exercise-2", earlier=earlier).found}
    assert second["exercise-2-smith/exercise_2.py"] == login.student
    assert second[f"{login.student}_exercise_2.py"].startswith(f"{login.student}-"), second


def test_an_nbgrader_id_an_earlier_run_gave_another_person_is_not_graded(tmp_path):
    """Red team 116: an nbgrader course graded into an output folder whose earlier rows gave ``smith`` to Canvas user
    1001 made nbgrader's smith ``smith-662783``, and the gradebook got a new student of that name. nbgrader's ids stay
    its gradebook's; that one is not graded, with the reason."""
    files(tmp_path, {f"submitted/{name}/exercise-2/exercise-2.ipynb": class_builder.notebook_text("right")
                     for name in ("smith", "bob")} | {"gradebook.db": ""})
    with layouts.opened(tmp_path) as (folder, _):
        found = {f.student: f.problem for f in layouts.discover(folder, "exercise-2", earlier={"smith": "canvas:1001"},
                                                                ).found}
    assert found["bob"] == "" and found["smith"].startswith("nbgrader's id of this student is another person's")
    assert "(canvas:1001): grade this course into an output folder of its own" in found["smith"]


def test_every_hash_of_a_name_taken_still_leaves_it_an_id_of_its_own(tmp_path):
    """Red team 113: ``Alice.py`` beside ``alice.py``, and files named with all three hashes ``alice`` is told apart by
    (6, 12 and 64 hex digits): ``alice`` took the last, the attacker's own id, and the two were one student, zero."""
    digest = hashlib.sha256(b"alice").hexdigest()
    forged = {f"alice-{digest[:size]}.py": RIGHT for size in (6, 12, 64)}
    files(tmp_path, {"alice.py": RIGHT, "Alice.py": RIGHT, **forged})
    plan = discover(tmp_path)
    ids = {f.shown: f.student for f in plan.found}
    assert not [f.problem for f in plan.found if f.problem] and len(set(ids.values())) == 5, ids
    assert ids["alice.py"] == f"alice-{digest}-2", ids


@pytest.mark.skipif(os.name != "posix", reason="file names in bytes")
def test_names_in_bytes_that_are_not_utf8_read_as_latin_1(tmp_path):
    """A file system's name that is not UTF-8 (``j\\xf6rg`` from an old Latin-1 archive) was ``j-rg``, and so was
    ``j\\xfcrg``: one student, two files. Each such byte is read as Latin-1."""
    for name in (b"j\xf6rg.py", b"j\xfcrg.py"):
        (tmp_path / os.fsdecode(name)).write_text(RIGHT)
    assert sorted(f.student for f in discover(tmp_path).found) == ["jörg", "jürg"]


def test_a_zip_whose_utf8_names_lack_the_flag_gives_the_folders_ids(tmp_path):
    """Info-ZIP's ``zip`` on Linux stores UTF-8 names without the zip's UTF-8 flag; read as code page 437, ``Zoë``
    was ``Zo-½``: the same class gave other ids from its zip than from its folder."""
    placeholders = {"Zoxx.py": "Zoë.py".encode(), "zzzzzzzzzzzz.py": "张三李四.py".encode()}
    path = zip_of(tmp_path / "class.zip", {name: RIGHT for name in placeholders})
    data = path.read_bytes()
    for placeholder, name in placeholders.items():
        assert len(placeholder.encode()) == len(name)
        data = data.replace(placeholder.encode(), name)  # the local header's and the central directory's
    path.write_bytes(data)
    with zipfile.ZipFile(path) as zipped:
        assert all(not info.flag_bits & 0x800 for info in zipped.infolist())
    assert sorted(f.student for f in discover(path).found) == ["Zoë", "张三李四"]


def test_moodle_participants_who_share_a_name_are_told_apart(tmp_path):
    files(tmp_path, {"Ann Lee_4242_assignsubmission_file_exercise_2.py": RIGHT,
                     "Ann Lee_5555_assignsubmission_file_exercise_2.py": RIGHT,
                     "Bo Chen_4300_assignsubmission_file_/exercise_2.py": RIGHT,
                     "Bo Chen_4301_assignsubmission_file_/exercise_2.py": RIGHT,
                     "Cy Ng_7_assignsubmission_file_exercise_2.py": RIGHT})
    plan = discover(tmp_path)
    assert sorted(found(plan)) == [("Ann-Lee_4242", "exercise-2"), ("Ann-Lee_5555", "exercise-2"),
                                   ("Bo-Chen_4300", "exercise-2"), ("Bo-Chen_4301", "exercise-2"),
                                   ("Cy-Ng", "exercise-2")]  # a name only one participant has stays as it is


def test_zip_entries_that_clash_are_left_out_and_listed(tmp_path):
    """Of two entries of one path, the one kept does not hang on their order (red team 148: an entry ``erin\\``, a
    folder as Windows tools write it, or a file ``bob``, before ``bob/exercise_2.py`` left bob ungraded): a folder
    with files in it wins over a file, a file over an empty folder's entry, the first file over a second."""
    archive = zip_of(tmp_path / "clash.zip", {"alice/exercise_2.py": RIGHT, "alice\\exercise_2.py": "wrong = 1",
                                              "bob": "a file", "bob/exercise_2.py": RIGHT, "carol.py": RIGHT,
                                              "dave.py/": "", "dave.py": RIGHT, "erin\\": "",
                                              "erin/exercise_2.py": RIGHT})
    with layouts.opened(archive) as (folder, left_out):
        plan = layouts.discover(folder, "exercise-2")
        assert (folder / "alice" / "exercise_2.py").read_text() == RIGHT  # the first entry, not overwritten
        assert sorted(found(plan)) == [("alice", "exercise-2"), ("bob", "exercise-2"), ("carol", "exercise-2"),
                                       ("dave", "exercise-2"), ("erin", "exercise-2")]
    assert left_out == ["alice\\exercise_2.py (an earlier entry has the same path, and it is the one graded)",
                        "bob (a folder of the zip has the same path, with files in it)",
                        "dave.py/ (a file of the zip has the same path)"]


def test_a_py_file_in_nbgraders_layout_is_skipped_with_its_reason(tmp_path):
    files(tmp_path, {"submitted/alice/exercise-2/exercise-2.ipynb": "{}",
                     "submitted/dave/exercise-2/exercise-2.py": RIGHT})
    plan = discover(tmp_path)
    assert list(found(plan)) == [("alice", "exercise-2")] and not plan.ignored
    assert [(item.shown, item.reason) for item in plan.skipped] == [
        ("submitted/dave/exercise-2/exercise-2.py", "nbgrader's layout holds notebooks: a .py in submitted/ is not graded")]


def test_a_notebook_anywhere_else_in_nbgraders_submitted_is_skipped_with_its_reason(tmp_path):
    """Red team (instructor): notebooks below the assignment folder, in a student's folder with no assignment folder,
    or directly in submitted/ were silently left out, and the run said nothing (exit 0)."""
    files(tmp_path, {"submitted/alice/exercise-2/exercise-2.ipynb": "{}",
                     "submitted/carol/homework/exercise-2/exercise-2.ipynb": "{}",
                     "submitted/dave/exercise-2.ipynb": "{}", "submitted/erin_exercise-2.ipynb": "{}",
                     "submitted/frank/exercise-2/old/exercise-2.ipynb": "{}", "source/exercise-2/exercise-2.ipynb": "{}"})
    (tmp_path / "submitted/alice/exercise-2/linked.ipynb").symlink_to(tmp_path / "source/exercise-2/exercise-2.ipynb")
    plan = discover(tmp_path)
    assert list(found(plan)) == [("alice", "exercise-2"), ("frank", "exercise-2")]  # frank's: no notebook, a zero
    linked = [item for item in plan.skipped if item.shown.endswith("linked.ipynb")]
    assert [item.reason for item in linked] == ["a symbolic link (never followed)"]  # once, though two walks meet there
    plan.skipped = [item for item in plan.skipped if item not in linked]
    assert sorted((item.shown, item.reason) for item in plan.skipped) == [
        ("submitted/carol/homework/exercise-2/exercise-2.ipynb", "in a folder below the assignment's: nbgrader grades "
                                                                 "the assignment folder's own notebooks"),
        ("submitted/dave/exercise-2.ipynb", "in no assignment folder: nbgrader keeps submitted/<student>/<assignment>/"),
        ("submitted/erin_exercise-2.ipynb", "directly in submitted/: nbgrader keeps submitted/<student>/<assignment>/"),
        ("submitted/frank/exercise-2/old/exercise-2.ipynb", "in a folder below the assignment's: nbgrader grades the "
                                                            "assignment folder's own notebooks")]


def test_nbgrader_student_folders_that_would_read_as_another_id_are_skipped(tmp_path):
    """Red team (instructor): ``alice ``, ``alice\t`` and `` alice`` were each graded, and each read ``alice`` in
    grades.csv (one row 10/10, another 0/10); nbgrader's ids are the folders' names as they are."""
    files(tmp_path, {f"submitted/{name}/exercise-2/exercise-2.ipynb": "{}"
                     for name in ("alice", "alice ", " alice", "alice\t", "a\x01b", "bo\u200bb")})
    plan = discover(tmp_path)
    assert list(found(plan)) == [("alice", "exercise-2")]
    assert sorted(item.shown for item in plan.skipped) == sorted(
        ["submitted/ alice/", "submitted/alice /", "submitted/alice\\t/", "submitted/a\\x01b/", "submitted/bo\\u200bb/"])
    assert all(item.reason.startswith("no nbgrader student id: ") for item in plan.skipped)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every folder")
def test_a_folder_that_cannot_be_read_is_named(tmp_path):
    files(tmp_path, {"alice/exercise_2.py": RIGHT, "bob/work/exercise_2.py": RIGHT})
    (tmp_path / "bob" / "work").chmod(0)
    try:
        plan = discover(tmp_path, "exercise-2")
    finally:
        (tmp_path / "bob" / "work").chmod(0o755)
    assert ("bob/work/", "a folder that cannot be read") in [(item.shown, item.reason) for item in plan.skipped]


def test_an_empty_zip_is_named_in_the_error(tmp_path):
    archive = zip_of(tmp_path / "download.zip", {"README.md": "nothing"})
    with layouts.opened(archive) as (folder, _):
        with pytest.raises(layouts.LayoutError, match=f"^no submission in {archive}: "):
            layouts.discover(folder, "exercise-2", shown=archive)


def test_an_unreadable_folder_or_zip_is_an_error(tmp_path, monkeypatch):
    """Red team 50: an unreadable SUBMISSIONS folder was click's usage error (exit 2), and without that check
    'cannot write the output'. It is one LayoutError naming it (``grade class``: exit 3). Permissions do not bind
    root, who runs CI, so the refusal is made by the opener itself."""
    files(tmp_path / "class", {"alice.py": RIGHT})
    (tmp_path / "class.zip").write_bytes(b"PK\x05\x06" + bytes(18))

    def refused(*_args, **_kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(layouts.os, "scandir", refused)
    with pytest.raises(layouts.LayoutError, match=r"^cannot read .*class: Permission denied$"):
        discover(tmp_path / "class")
    monkeypatch.undo()
    monkeypatch.setattr(layouts, "open", refused, raising=False)
    with pytest.raises(layouts.LayoutError, match=r"^cannot read .*class\.zip: Permission denied$"):
        discover(tmp_path / "class.zip")


def test_an_earlier_runs_id_of_another_person_is_not_taken(tmp_path):
    """Red team 81: "mary ann" and "mary-ann" were told apart in exercise 1's run (``mary-ann-343b97`` and
    ``mary-ann``); exercise 2's run, with "mary ann" alone, gave her ``mary-ann``, the other person's id, and the two
    runs' rows merged in grades.csv. An id an earlier run's kept rows give someone else is not taken; one they give
    this person is."""
    files(tmp_path, {"mary ann_exercise_2.py": RIGHT, "lee_7_71_exercise_2.py": RIGHT})
    with layouts.opened(tmp_path) as (folder, _):
        alone = {f.shown: f.student for f in layouts.discover(folder, "exercise-2").found}
        kept = {"mary-ann": "mary-ann", "mary-ann-343b97": "mary ann", "lee": "canvas:7"}
        apart = {f.shown: f.student for f in layouts.discover(folder, "exercise-2", earlier=kept).found}
        other = {f.shown: f.student for f in layouts.discover(folder, "exercise-2", earlier={"lee": "canvas:8"}).found}
    assert alone == {"mary ann_exercise_2.py": "mary-ann", "lee_7_71_exercise_2.py": "lee"}
    assert apart == {"mary ann_exercise_2.py": "mary-ann-343b97", "lee_7_71_exercise_2.py": "lee"}
    assert other["lee_7_71_exercise_2.py"].startswith("lee-") and other["mary ann_exercise_2.py"] == "mary-ann"


def test_a_namesake_in_a_later_run_leaves_a_persons_id_as_it_was(tmp_path):
    """Red team 109: Moodle's Ann Lee (participant 4242) was ``Ann-Lee`` in exercise 1's run; in exercise 2's, a
    classmate who had set their Moodle name to "Ann Lee" too made both ``Ann-Lee_<id>``, and Ann had two ids in
    grades.csv. Who an earlier run's rows name keeps the id they give; the newcomer gets the told-apart one."""
    suffix = "_assignsubmission_file_"
    files(tmp_path, {f"Ann Lee_4242{suffix}/exercise_2.py": RIGHT, f"Ann Lee_5555{suffix}/exercise_2.py": RIGHT})
    with layouts.opened(tmp_path) as (folder, _):
        alone = {f.lms: f.student for f in layouts.discover(folder, "exercise-2").found}
        kept = {f.lms: f.student for f in layouts.discover(folder, "exercise-2", earlier={"Ann-Lee": "moodle:4242"}).found}
        later = {f.lms: f.student for f in layouts.discover(folder, "exercise-2", earlier={"Ann-Lee": "moodle:5555"}).found}
    assert alone == {"moodle:4242": "Ann-Lee_4242", "moodle:5555": "Ann-Lee_5555"}
    assert kept == {"moodle:4242": "Ann-Lee", "moodle:5555": "Ann-Lee_5555"}
    assert later == {"moodle:4242": "Ann-Lee_4242", "moodle:5555": "Ann-Lee"}


@pytest.mark.parametrize("names", [("Ann Lee", "\u0410nn Lee"), ("alice", "Alice"), ("bill", "bi11"),
                                   ("bob", "\uff42\uff4f\uff42"), ("Ann Lee", "ANN LEE"), ("Ann Lee", "ann lee")])
def test_ids_that_read_alike_are_told_apart(tmp_path, names):
    """Red team 109: a Moodle name with a Cyrillic А gave the row ``Аnn-Lee`` beside Ann Lee's ``Ann-Lee``, a row
    that passes for hers. Ids that read alike (Unicode's confusables, case folded, as a Mac's file system keeps
    ``Alice/`` and ``alice/`` in one folder of results/) are told apart: each gets a hash of its name (red team 112:
    a rule of which one is plainest gave the plain id to ``ANN LEE``), unless an earlier run's rows give one the id."""
    plain, other = names
    files(tmp_path, {f"{plain}_11_assignsubmission_file_/exercise_2.py": RIGHT,
                     f"{other}_22_assignsubmission_file_/exercise_2.py": RIGHT})
    with layouts.opened(tmp_path) as (folder, _):
        found = layouts.discover(folder, "exercise-2").found
        ids = {f.lms: f.student for f in found}
        notes = {f.lms: f.note for f in found}
        earlier = {layouts.safe_id(plain.replace(" ", "-")): "moodle:11"}
        kept = {f.lms: f.student for f in layouts.discover(folder, "exercise-2", earlier=earlier).found}
    first, second = layouts.safe_id(plain.replace(" ", "-")), layouts.safe_id(other.replace(" ", "-"))
    assert layouts.lookalike(first) == layouts.lookalike(second) and first != second
    assert re.fullmatch(re.escape(first) + "-[0-9a-f]{6}", ids["moodle:11"])
    assert re.fullmatch(re.escape(second) + "-[0-9a-f]{6}", ids["moodle:22"])
    assert kept["moodle:11"] == first and re.fullmatch(re.escape(second) + "-[0-9a-f]{6}", kept["moodle:22"])
    # red team 227: the note (grades.csv's) keeps the id each was made from, and what it reads like
    assert notes["moodle:11"] == f"id {first} reads like {layouts.printable(second)}: told apart as {ids['moodle:11']}"
    assert all(len({layouts.lookalike(student) for student in run.values()}) == 2 for run in (ids, kept))


def test_a_name_never_passes_for_an_lms_user(tmp_path):
    """Red team 112: a plain file named ``canvas:1001_exercise_2.py`` was who Canvas user 1001 is to the earlier
    run's rows, and took that user's id (``smithann``) and their row; a name reads as ``name:…`` where it looks like
    an LMS's user id."""
    files(tmp_path, {"canvas:1001_exercise_2.py": RIGHT, "moodle:7_exercise_2.py": RIGHT})
    with layouts.opened(tmp_path) as (folder, _):
        found = layouts.discover(folder, "exercise-2", earlier={"smithann": "canvas:1001", "lee": "moodle:7"}).found
    assert sorted(f.student for f in found) == ["canvas-1001", "moodle-7"]
    assert sorted(layouts.identity(f) for f in found) == ["name:canvas:1001", "name:moodle:7"]


def test_an_id_fits_a_folder_name_after_the_suffixes_that_told_it_apart(tmp_path):
    """Red team 112: two Moodle namesakes whose names were 100 bytes that are not UTF-8 (read as Latin-1: 200 bytes)
    and whose participant ids were 130 digits long made ids of 331 bytes, and the class stopped at its first write
    ("File name too long"). An id is cut to 255 bytes, with a hash of the whole."""
    name, suffix = "\udce9" * 100, "_assignsubmission_file_"
    files(tmp_path, {f"{name}_{'1' * 129}{digit}{suffix}/exercise_2.py": RIGHT for digit in "12"} | {"bob.py": RIGHT})
    ids = sorted(f.student for f in discover(tmp_path).found)
    assert ids[0] == "bob" and all(len(student.encode()) <= 255 for student in ids) and len(set(ids)) == 3
    assert all(re.fullmatch("\u00e9{100}_1{41}-[0-9a-f]{12}", student) for student in ids[1:]), ids


def test_nbgraders_ids_stay_nbgraders(tmp_path):
    """nbgrader's student ids are its gradebook's: ``alice`` and ``Alice`` in ``submitted/`` stay as they are (a hash
    would write the points to a student nbgrader does not have); a file elsewhere that reads like one of them is told
    apart."""
    files(tmp_path, {f"submitted/{name}/exercise-2/exercise-2.ipynb": class_builder.notebook_text("right")
                     for name in ("alice", "Alice")} | {"gradebook.db": ""})
    assert sorted(f.student for f in discover(tmp_path).found) == ["Alice", "alice"]


def test_lookalike_reads_confusables_case_and_compatibility_forms():
    """What :func:`layouts.lookalike` folds, and what it keeps apart (other letters, other scripts' own names)."""
    same = [("Ann-Lee", "\u0410nn-Lee"), ("alice", "\u0430lice"), ("l", "I"), ("l", "1"), ("O", "0"),
            ("bob", "\uff42\uff4f\uff42"), ("Zo\u00eb", "zo\u00eb"), ("carol", "\u03f2arol"), ("Carl", "\u03f9arl"),
            ("carmen", "carrnen"), ("fam", "\u017fam"), ("ALICE", "alice"), ("ERIN", "erin")]  # (fairness 65)
    apart = [("ann", "anna"), ("zoe", "zo\u00eb"), ("\u5f20\u4e09", "\u674e\u56db"), ("mary-ann", "mary_ann")]
    assert all(layouts.lookalike(a) == layouts.lookalike(b) for a, b in same)
    assert all(layouts.lookalike(a) != layouts.lookalike(b) for a, b in apart)


def test_a_reason_names_at_most_twenty_of_a_students_files(tmp_path):
    """Red team 81: 5,000 files for one exercise in one repository made a 675 KB reason, on the terminal, in
    grades.csv and in class.junit.xml."""
    files(tmp_path, {f"exercise-2-mallory/sub/exercise_2_{index:03d}.py": RIGHT + f"# {index}" for index in range(30)})
    (problem,) = [f.problem for f in discover(tmp_path).found]
    assert problem.startswith("30 files for exercise-2 (") and problem.count(".py") == 20
    assert problem.endswith(", and 10 more): keep one and grade again")


def test_a_students_zipped_upload_gets_a_row_that_says_so(tmp_path):
    """Fairness 34: a student who uploaded a .zip had no row (Canvas: "ignored"; Moodle: "no .py or .ipynb file in this
    folder" beside their exercise_2.zip). Each gets a could-not-grade row that says what to do."""
    files(tmp_path, {"patelraj_1009_5010_exercise_2.zip": "PK", "Ana Silva_77_assignsubmission_file_/exercise_2.zip": "PK",
                     "lee_1_10_exercise_2.py": RIGHT, "Bo Chen_78_assignsubmission_file_/exercise_2.py": RIGHT,
                     "Bo Chen_78_assignsubmission_file_/data.zip": "PK",
                     "Bo Chen_78_assignsubmission_onlinetext_/onlinetext.html": "<p>done</p>"})
    plan = discover(tmp_path)
    rows = found(plan)
    assert rows[("patelraj", "exercise-2")].startswith("patelraj_1009_5010_exercise_2.zip is a .zip: grade class reads")
    assert rows[("Ana-Silva", "exercise-2")].startswith("Ana Silva_77_assignsubmission_file_/exercise_2.zip, a .zip")
    assert rows[("Bo-Chen", "exercise-2")] == "Bo Chen_78_assignsubmission_file_/exercise_2.py"
    assert "Bo Chen_78_assignsubmission_file_/data.zip" in plan.ignored and not plan.skipped
    assert "Bo Chen_78_assignsubmission_onlinetext_/ (Moodle's online text)" in plan.ignored  # (no code, no problem)


def test_blackboard_attempts_are_one_student_whose_latest_attempt_counts(tmp_path):
    """Fairness 34: Blackboard's ``<assignment>_<user>_attempt_<time>_<file>`` made a student per attempt, with the
    time in the id. The user is the id, the latest attempt is graded, the receipts are no submissions."""
    files(tmp_path, {"Exercise 2_asmith_attempt_2024-10-01-09-00-00_exercise_2.py": RIGHT + "# first",
                     "Exercise 2_asmith_attempt_2024-10-02-10-30-00_exercise_2.py": RIGHT,
                     "Exercise 2_asmith_attempt_2024-10-01-09-00-00.txt": "receipt",
                     "Homework_jdoe_attempt_2024-10-01-08-00-00_ex-2.py": RIGHT})
    plan = discover(tmp_path)
    by_student = {f.student: f for f in plan.found}
    assert sorted(by_student) == ["asmith", "jdoe"] and "Blackboard" in plan.layout
    assert by_student["asmith"].shown == "Exercise 2_asmith_attempt_2024-10-02-10-30-00_exercise_2.py"
    assert by_student["asmith"].note == ("Exercise 2_asmith_attempt_2024-10-01-09-00-00_exercise_2.py: an earlier "
                                         "attempt, not graded")
    assert not by_student["jdoe"].problem and not plan.skipped


def test_a_canvas_file_named_ex_2_keeps_its_exercise(tmp_path):
    """Fairness 34: Canvas's resubmission counter (``exercise_2-1.py``) was stripped from ``ex-2.py`` too, and ``grade
    class all`` skipped the file as naming no exercise."""
    files(tmp_path, {"adamsbeth_2001_20011_ex-1.py": RIGHT, "adamsbeth_2001_20012_ex-2.py": RIGHT,
                     "lee_1_10_exercise_2-1.py": RIGHT})
    plan = discover(tmp_path, None)
    assert sorted((f.student, f.exercise) for f in plan.found) == [
        ("adamsbeth", "exercise-1"), ("adamsbeth", "exercise-2"), ("lee", "exercise-2")]


def test_what_a_students_folder_holds_never_makes_it_a_folder_of_students(tmp_path):
    """Our own attack on fairness 34's folders of students: mallory's clone (or folder) holding ``exercise-2-bob/`` or
    ``exercise-2/bob/`` would have made bob a row, or two files for bob and a zero. Only the names ``gh classroom
    clone`` and the Actions workflow give a folder of students make one; a student's folder is the student's."""
    files(tmp_path, {"exercise-2-bob/exercise_2.py": RIGHT, "exercise-2-mallory/exercise-2-bob/exercise_2.py": RIGHT + "#",
                     "carol/exercise-2/bob/exercise_2.py": RIGHT + "# carol's",
                     "dave/submissions/exercise-2/bob/exercise_2.py": RIGHT + "# dave's"})
    plan = discover(tmp_path)
    rows = found(plan)
    assert rows[("bob", "exercise-2")] == "exercise-2-bob/exercise_2.py"
    assert rows[("mallory", "exercise-2")] == "exercise-2-mallory/exercise-2-bob/exercise_2.py"
    assert rows[("carol", "exercise-2")] == "carol/exercise-2/bob/exercise_2.py"
    assert rows[("dave", "exercise-2")] == "dave/submissions/exercise-2/bob/exercise_2.py"
    assert sorted(student for student, _ in rows) == ["bob", "carol", "dave", "mallory"]


@pytest.mark.parametrize("limit", ["OWNER_MAX_MEMBERS", "OWNER_MAX_BYTES"])
def test_one_students_upload_past_the_limits_costs_only_their_own_files(tmp_path, monkeypatch, limit):
    """Red team 144: the zip's limits on files and bytes were the whole class's, so one upload of 20,000 small files
    (or of nearly 1 GiB) used them up, and the classmates after it had no row. Each student's files now share limits
    of their own: past them, only that student's further files are left out (one line, named)."""
    monkeypatch.setattr(layouts, limit, 40 if limit == "OWNER_MAX_MEMBERS" else 40 * 3000)
    entries = {"aaron_1_10_exercise_2.py": RIGHT,
               **{f"mallory_2_20_notes{i:03d}.txt": os.urandom(1500).hex() for i in range(60)},
               "alice_3_30_exercise_2.py": RIGHT, "bob_4_40_exercise_2.py": RIGHT}
    archive = zip_of(tmp_path / "canvas.zip", entries)
    with layouts.opened(archive) as (folder, left_out):
        assert sorted(f.student for f in layouts.discover(folder, "exercise-2").found) == ["aaron", "alice", "bob"]
        assert left_out == [f"20 more entries of canvas:2 (past {layouts.OWNER_MAX_MEMBERS} files, "
                            f"{layouts.OWNER_MAX_FOLDERS} folders or {layouts.OWNER_MAX_BYTES // 2**20} MB of one "
                            "student's in canvas.zip: not extracted)"]


def test_a_committed_virtual_environment_is_never_searched(tmp_path, monkeypatch):
    """Red team 144's honest clone: ``env/`` (a virtual environment committed to the repository) took the zip's files."""
    monkeypatch.setattr(layouts, "OWNER_MAX_MEMBERS", 5)
    entries = {"exercise-2-submissions/exercise-2-tina/exercise_2.py": RIGHT,
               **{f"exercise-2-submissions/exercise-2-tina/env/lib/python3.11/site-packages/m{i}.py": "x = 1"
                  for i in range(10)}}
    with layouts.opened(zip_of(tmp_path / "clones.zip", entries)) as (folder, left_out):
        assert [f.student for f in layouts.discover(folder, "exercise-2").found] == ["tina"] and left_out == []


def test_a_blackboard_download_is_read_as_blackboard_s_whatever_its_assignment_is_called(tmp_path):
    """Red team 144: an assignment named ``Lab_2_2024`` made every Blackboard name read as Canvas user 2's (the class
    one student, could not grade), and an upload named ``.py`` (``…_attempt_<time>_.py``) fell to the plain-name rule
    (a second row for its owner). Blackboard's receipts beside every attempt make the download Blackboard's; a
    Canvas student's upload shaped like Blackboard's (with a receipt of its own) makes nothing of the kind."""
    files(tmp_path / "bb", {"Lab_2_2024_asmith_attempt_2024-10-01-09-00-00_exercise_2.py": RIGHT + "#",
                            "Lab_2_2024_asmith_attempt_2024-10-01-09-00-00.txt": "receipt",
                            "Lab_2_2024_asmith_attempt_2024-10-02-09-00-00_.py": RIGHT,
                            "Lab_2_2024_asmith_attempt_2024-10-02-09-00-00.txt": "receipt",
                            "Lab_2_2024_jdoe_attempt_2024-10-01-08-00-00_solution.py": RIGHT + "# jdoe",
                            "Lab_2_2024_jdoe_attempt_2024-10-01-08-00-00.txt": "receipt"})
    plan = discover(tmp_path / "bb")
    assert found(plan) == {("asmith", "exercise-2"): "Lab_2_2024_asmith_attempt_2024-10-02-09-00-00_.py",
                           ("jdoe", "exercise-2"): "Lab_2_2024_jdoe_attempt_2024-10-01-08-00-00_solution.py"}
    files(tmp_path / "canvas", {"alice_3_30_exercise_2.py": RIGHT, "bob_4_40_exercise_2.py": RIGHT + "# bob",
                                "mallory_5_50_x_bob_attempt_2024-10-01-09-00-00_exercise_2.py": RIGHT + "# m",
                                "mallory_5_51_x_bob_attempt_2024-10-01-09-00-00.txt": "receipt"})
    assert sorted(student for student, _ in found(discover(tmp_path / "canvas"))) == ["alice", "bob", "mallory"]


GRADESCOPE_METADATA = """\
submission_101:
  :submitters:
  - :name: Ann Lee
    :sid: '2001'
    :email: ann@uni.edu
  :created_at: 2026-11-30 10:00:00.000000000 -08:00
  :score: 0.0
submission_102:
  :submitters:
  - :name: Bo Chen
    :sid:
    :email: bo@uni.edu
  - :name: Cy Diaz
    :sid: 2003
    :email: cy@uni.edu
submission_103:
  :submitters:
  - :name: Dee Evans
    :sid: ''
    :email: ''
submission_104:
  :submitters:
  - :name: Eve Fox
    :sid: '2005'
    :email: eve@uni.edu
"""


@pytest.mark.parametrize("zipped", [False, True])
def test_a_gradescope_export(tmp_path, zipped):
    """Gradescope's Export Submissions: ``submission_metadata.yml`` says who submitted each ``submission_<id>/``; the
    id is the SID, else the email, else the name; a group's submission is a row for each of its people; a folder
    the metadata does not list keeps its own name; one whose submitter has neither SID nor email is named by the name
    and the folder; the export's wrapper folder is read from inside when zipped."""
    tree = {"submission_metadata.yml": GRADESCOPE_METADATA, "submission_101/exercise_2.py": RIGHT,
            "submission_102/mine.py": RIGHT, "submission_102/README.md": "", "submission_103/exercise-2.ipynb": "{}",
            "submission_104/notes.txt": "", "submission_105/exercise_2.py": RIGHT}
    if zipped:
        archive = zip_of(tmp_path / "export.zip", {f"assignment_77_export/{name}": text for name, text in tree.items()})
        with layouts.opened(archive) as (folder, _):
            plan = layouts.discover(folder, "exercise-2")
    else:
        plan = discover(files(tmp_path, tree))
    assert found(plan) == {("2001", "exercise-2"): "submission_101/exercise_2.py",
                           ("bo@uni.edu", "exercise-2"): "submission_102/mine.py",
                           ("2003", "exercise-2"): "submission_102/mine.py",
                           ("Dee-Evans_submission_103", "exercise-2"): "submission_103/exercise-2.ipynb",
                           ("2005", "exercise-2"): "no exercise_2.py or exercise-2.ipynb in submission_104/",
                           ("submission_105", "exercise-2"): "submission_105/exercise_2.py"}
    assert {f.student: f.lms for f in plan.found if f.lms} == {
        "2001": "gradescope:ann@uni.edu", "bo@uni.edu": "gradescope:bo@uni.edu", "2003": "gradescope:cy@uni.edu",
        "Dee-Evans_submission_103": "gradescope:submission_103", "2005": "gradescope:eve@uni.edu"}
    assert plan.layout == "Gradescope export, a folder per student"
    assert plan.ignored == ["submission_102/README.md", "submission_104/notes.txt"] and not plan.skipped


@pytest.mark.parametrize("metadata, why", [
    ("submission_1: [unclosed", "cannot read submission_metadata.yml, the Gradescope export's list"),
    ("- a list\n- of things\n", "submission_metadata.yml is not the Gradescope export's list"),
    ("submission_1:\n  :submitters: []\n", "submission_metadata.yml: submission_1 lists no submitters"),
    ("submission_1:\n  :submitters: alice\n", "submission_metadata.yml: submission_1 lists no submitters"),
    ("submission_1: !!python/object/apply:os.system ['touch /tmp/pwned']\n", "submission_1 lists no submitters"),
    ("submission_1:\n  :submitters:\n  - :sid: '1'\nsubmission_1:\n  :submitters:\n  - :sid: '2'\n",
     "'submission_1' is given twice"),  # (red team 198: the loader kept the last, the first's people were lost)
    ("[" * 5000, "cannot read submission_metadata.yml"),
])
def test_a_gradescope_metadata_file_that_cannot_be_read_is_one_line(tmp_path, metadata, why):
    files(tmp_path, {"submission_metadata.yml": metadata, "submission_1/exercise_2.py": RIGHT})
    with pytest.raises(layouts.LayoutError) as raised:
        discover(tmp_path)
    assert why in str(raised.value) and "\n" not in str(raised.value)


def test_gradescope_ids_are_safe_and_namesakes_told_apart(tmp_path):
    """Two people Gradescope gives one SID (an error of its roster) stay two rows, told apart by their emails; a
    name or id that tries to leave ``results/`` is a plain id."""
    metadata = ("submission_1:\n  :submitters:\n  - :name: A\n    :sid: '7'\n    :email: a@u.edu\n"
                "submission_2:\n  :submitters:\n  - :name: B\n    :sid: '7'\n    :email: b@u.edu\n"
                "submission_3:\n  :submitters:\n  - :name: ../../etc\n    :sid: ../x\n    :email: '../y'\n")
    files(tmp_path, {"submission_metadata.yml": metadata, "submission_1/exercise_2.py": RIGHT,
                     "submission_2/exercise_2.py": RIGHT, "submission_3/exercise_2.py": RIGHT})
    students = sorted(f.student for f in discover(tmp_path).found)
    assert students == ["7_a@u.edu", "7_b@u.edu", "x"]


def _export(root: Path, people: dict[str, str]) -> Path:
    """A Gradescope export: folder name → its one submitter's name, sid and email as YAML's values (``"Ann Lee",
    '2001', ''``); each folder holds the solution."""
    lines = []
    for folder, fields in people.items():
        name, sid, email = fields.split(", ")
        lines += [f"{folder}:", "  :submitters:", f"  - :name: {name}", f"    :sid: {sid}", f"    :email: {email}"]
        files(root, {f"{folder}/exercise_2.py": RIGHT})
    (root / "submission_metadata.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


@pytest.mark.parametrize("victim, attacker, victims_id", [
    ("Ann Lee, '', ''", "Ann  Lee, '', ''", "Ann-Lee_submission_1"),
    ("Ann Lee, '', ''", "Ann/Lee, '', ''", "Ann-Lee_submission_1"),
    ("Ann Lee, '', ''", "\"Ann Lee\\u200b\", '', ''", "Ann-Lee_submission_1"),
    ("Ann Lee, '', ann@uni.edu", "ann@uni.edu, '', ''", "ann@uni.edu"),
    ("Ann Lee, '2001', ''", "'2001', '', ''", "2001"),
    ("Ann Lee, '2001', ann@uni.edu", "'2001', '', ''", "2001"),
])
def test_a_name_a_student_chose_never_takes_or_shares_a_classmates_id(tmp_path, victim, attacker, victims_id):
    """Red team 198: a submitter the metadata names by their name alone (no SID, no email) took the id of a classmate
    whose SID, email or name made the same id, and the two were one person with two files: the classmate's row could
    not be graded. Such a submitter's id is now the name and the folder; the classmate keeps theirs, both graded."""
    plan = discover(_export(tmp_path, {"submission_1": victim, "submission_3": attacker}))
    ids = {f.shown: f.student for f in plan.found if not f.problem}
    assert ids["submission_1/exercise_2.py"] == victims_id and len(ids) == 2, found(plan)
    assert ids["submission_3/exercise_2.py"].endswith("_submission_3")


def test_a_name_that_makes_no_id_is_graded_under_its_folder(tmp_path):
    """Red team 198: one submitter whose name was an emoji (no letter or digit) stopped the whole class."""
    plan = discover(_export(tmp_path, {"submission_1": "Ann Lee, '2001', a@u.edu",
                                       "submission_2": "\"\\U0001F600\", '', ''"}))
    assert found(plan) == {("2001", "exercise-2"): "submission_1/exercise_2.py",
                           ("submission_2", "exercise-2"): "submission_2/exercise_2.py"}


def test_a_regrade_where_a_late_name_reads_as_a_classmates_id_keeps_both(tmp_path):
    """Red team 198: an earlier run graded Ann as 2001 (by her email); a later export with a name-only submitter named
    ``ann@uni.edu`` moved that submitter onto Ann's id, and her row could not be graded."""
    root = _export(tmp_path, {"submission_1": "Ann Lee, '2001', ann@uni.edu",
                              "submission_3": "ann@uni.edu, '', ''"})
    with layouts.opened(root) as (folder, _):
        plan = layouts.discover(folder, "exercise-2", earlier={"2001": "gradescope:ann@uni.edu"})
    assert found(plan) == {("2001", "exercise-2"): "submission_1/exercise_2.py",
                           ("ann@uni.edu_submission_3", "exercise-2"): "submission_3/exercise_2.py"}


def test_the_metadata_is_read_as_text(tmp_path):
    """Red team 198: YAML 1.1 read ``0x`` and 5,000 hexadecimal digits as a number too long to print (a traceback),
    a base-60 number of 400,000 digits in minutes of CPU, and ``012345`` as the octal 5349. Every value is text."""
    plan = discover(_export(tmp_path, {"submission_1": "A, 012345, a@u.edu",
                                       "submission_2": "B, 0x" + "f" * 5000 + ", b@u.edu",
                                       "submission_3": "C, 2003-01-02, c@u.edu",
                                       "submission_4": "D, 1" + ":59" * 200_000 + ", d@u.edu"}))
    ids = {f.shown.split("/")[0]: f.student for f in plan.found}
    assert ids["submission_1"] == "012345" and ids["submission_3"] == "2003-01-02"
    assert ids["submission_2"] == "0x" + "f" * 98 and ids["submission_4"].startswith("1-59-59")


def test_one_students_folders_leave_the_zips_folders_to_the_others(tmp_path, monkeypatch):
    """Red team 199: the zip's limit on folders was the whole class's, so one upload of 20,000 nested folders (placed
    before its classmates in the zip) took it, and every later classmate's folder was left out. Each student's folders
    now share a limit of their own: past it, only that student's further entries are left out (one line, named)."""
    monkeypatch.setattr(layouts, "ZIP_MAX_FOLDERS", 60)
    monkeypatch.setattr(layouts, "OWNER_MAX_FOLDERS", 20)
    entries = {"export/mallory/exercise_2.py": RIGHT,
               **{f"export/mallory/data/d{i}/e{i}/x.txt": "x" for i in range(40)},
               "export/alice/exercise_2.py": RIGHT, "export/bob/exercise_2.py": RIGHT}
    with layouts.opened(zip_of(tmp_path / "class.zip", entries)) as (folder, left_out):
        assert sorted(f.student for f in layouts.discover(folder, "exercise-2").found) == ["alice", "bob", "mallory"]
        assert len(left_out) == 1 and left_out[0].startswith("32 more entries of mallory (past ")


def test_a_submission_the_metadata_lists_but_the_export_lacks_is_a_row_that_says_so(tmp_path):
    """Red team 199: a submission the zip's limits left out (or one with no file) had no folder, and its submitters no
    row: nobody was told. Each now gets a row (could not grade) that says so, or a line of the skipped with every
    exercise graded."""
    root = _export(tmp_path, {"submission_1": "Ann Lee, '2001', a@u.edu", "submission_2": "Bo, '2002', b@u.edu"})
    (root / "submission_2" / "exercise_2.py").unlink()
    (root / "submission_2").rmdir()
    assert found(discover(root)) == {
        ("2001", "exercise-2"): "submission_1/exercise_2.py",
        ("2002", "exercise-2"): "submission_2/ is not in the export, though submission_metadata.yml lists it: no file "
                                "to grade"}
    skipped = discover(root, None).skipped
    assert skipped == [layouts.Skipped("submission_2/", "submission_2/ is not in the export, though "
                                       "submission_metadata.yml lists it: no file to grade (of 2002)")]


def test_a_long_field_aliased_everywhere_is_read_once_and_cut(tmp_path):
    """Red team 199: one 15 MB text, anchored once and aliased as every name, SID and email of 100 submitters in each
    folder, took minutes; the whole metadata may list at most GRADESCOPE_MAX_PEOPLE submitters."""
    long = "a" * 2_000_000
    people = "\n".join(["  - &p", "    :name: *n", "    :sid: *n", "    :email: *n"] + ["  - *p"] * 99)
    metadata = f"x: &n {long}\nsubmission_1:\n  :submitters: &s\n{people}\n" + "".join(
        f"submission_{i}:\n  :submitters: *s\n" for i in range(2, 40))
    files(tmp_path, {"submission_metadata.yml": metadata, "submission_1/exercise_2.py": RIGHT})
    plan = discover(tmp_path)  # (one person, listed 3,900 times: one row, from the one folder there is)
    assert found(plan) == {("a" * 100, "exercise-2"): "submission_1/exercise_2.py"}
    many = "".join(f"submission_{i}:\n  :submitters: *s\n" for i in range(2, 1100))
    files(tmp_path, {"submission_metadata.yml": metadata + many.replace("submission_", "submission_9")})
    with pytest.raises(layouts.LayoutError, match="lists more than 100000 submitters"):
        discover(tmp_path)


@pytest.mark.parametrize("how", ["folder entries", "a link", "a path that leaves", "macOS's __MACOSX"])
def test_the_wrapping_folder_is_found_beside_its_own_entry_and_members_never_extracted(tmp_path, monkeypatch, how):
    """Red teams 200 and 201: the wrapping folder's own entry (``zip -r`` writes ``assignment_77_export/``), one
    student's link or ``..`` path in it, or macOS's ``__MACOSX/`` beside it made the zip unwrapped, so the whole class was one owner sharing one student's limits:
    a student within their own share left classmates out (an honest export of 600 with folder entries lost 101)."""
    monkeypatch.setattr(layouts, "OWNER_MAX_MEMBERS", 20)
    entries = {"export/mallory/exercise_2.py": RIGHT, **{f"export/mallory/n{i}.txt": "x" for i in range(18)},
               "export/alice/exercise_2.py": RIGHT, "export/bob/exercise_2.py": RIGHT}
    links = {}
    if how == "folder entries":
        entries = {"export/": "", "export/mallory/": "", **entries}
    elif how == "a link":
        links = {"export/mallory/link": "/etc/passwd"}
    elif how == "a path that leaves":
        entries["export/mallory/../../x.txt"] = "x"
    else:  # (as Finder's Compress writes it, red team 201; a .DS_Store at the top too)
        entries.update({"__MACOSX/export/alice/._exercise_2.py": "x", ".DS_Store": "x"})
    archive = zip_of(tmp_path / "class.zip", entries, links=links)
    with layouts.opened(archive) as (folder, left_out):
        assert sorted(f.student for f in layouts.discover(folder, "exercise-2").found) == ["alice", "bob", "mallory"]
        assert not [entry for entry in left_out if "of one student's" in entry]


def test_a_gradescope_metadata_file_is_extracted_whole(tmp_path):
    """Red team 200: a file that is no submission keeps only its name past 64 KiB, and so did the metadata of an
    export of 300 (75 kB): no class was graded from the zip that graded from its folder."""
    folders = {f"submission_{i}": f"Student Number {i}, '{100000 + i}', student.{i}@university.edu"
               for i in range(1, 700)}
    root = _export(tmp_path / "export", folders)
    assert (root / "submission_metadata.yml").stat().st_size > layouts.ZIP_KEPT_OTHER
    entries = {f"assignment_7_export/{path.relative_to(root).as_posix()}": path.read_text()
               for path in root.rglob("*") if path.is_file()}
    with layouts.opened(zip_of(tmp_path / "export.zip", entries)) as (folder, left_out):
        plan = layouts.discover(folder, "exercise-2")
        assert len(plan.found) == 699 and not any(f.problem for f in plan.found) and not left_out


def test_a_blackboard_attempts_every_file_is_its_students(tmp_path, monkeypatch):
    """Red team 201: only an attempt's files of code were read as its student's, so each of 20,000 attachments of one
    attempt was an owner of its own, past every student's share, and took the zip's files in all."""
    monkeypatch.setattr(layouts, "OWNER_MAX_MEMBERS", 5)
    attempt = "Exercise 2_{}_attempt_2024-10-01-09-00-00"
    entries = {f"{attempt.format('mallory')}_exercise_2.py": RIGHT, f"{attempt.format('mallory')}.txt": "receipt",
               **{f"{attempt.format('mallory')}_notes{i}.txt": "x" for i in range(10)}}
    for name in ("alice", "bob"):
        entries.update({f"{attempt.format(name)}_exercise_2.py": RIGHT, f"{attempt.format(name)}.txt": "receipt"})
    with layouts.opened(zip_of(tmp_path / "bb.zip", entries)) as (folder, left_out):
        assert sorted(f.student for f in layouts.discover(folder, "exercise-2").found) == ["alice", "bob", "mallory"]
        assert len(left_out) == 1 and left_out[0].startswith("7 more entries of blackboard:mallory (past 5 files")


def test_every_students_code_comes_before_the_zips_limits_in_all(tmp_path, monkeypatch):
    """Red team 201: the limits the whole zip shares (its files, bytes and folders in all) went to the members in the
    zip's order, so students whose shares together passed them left every later classmate out. Members now come in
    turns: every student's code first, then each one's first other file, each one's second, and so on."""
    monkeypatch.setattr(layouts, "ZIP_MAX_MEMBERS", 12)
    entries = {**{f"mallory{m}/notes{i}.txt": "x" for m in range(3) for i in range(10)},
               **{f"mallory{m}/exercise_2.py": RIGHT for m in range(3)},
               "alice/exercise_2.py": RIGHT, "alice/README.md": "hi", "bob/exercise_2.py": RIGHT}
    with layouts.opened(zip_of(tmp_path / "class.zip", entries)) as (folder, left_out):
        plan = layouts.discover(folder, "exercise-2")
        assert sorted(f.student for f in plan.found if f.path) == ["alice", "bob", "mallory0", "mallory1", "mallory2"]
        assert (folder / "alice" / "README.md").is_file()  # (a turn of its own, before mallory's second notes)
        assert left_out == ["24 more files (past the first 12 files of class.zip: not extracted)"]


def test_a_zipped_blackboard_download_whose_names_read_as_canvas_is_blackboard_s_in_the_zip_too(tmp_path, monkeypatch):
    """Red team 202: the zip's owners were read without the search's Blackboard rule, so an attempt named
    ``Exercise_2_20240001_attempt_…`` (numeric user names) was Canvas user 2's: the whole class one owner, one
    student's 1,999 attachments used its share, the receipts were left out, and the class was read as Canvas."""
    monkeypatch.setattr(layouts, "OWNER_MAX_MEMBERS", 8)
    attempt = "Exercise_2_{}_attempt_2024-10-01-09-00-00"
    entries = {}
    for user in ("20240001", "20240002", "20240666"):
        entries.update({f"{attempt.format(user)}_exercise_2.py": RIGHT, f"{attempt.format(user)}.txt": "receipt"})
    entries.update({f"{attempt.format('20240666')}_n{i}.py": RIGHT for i in range(10)})
    with layouts.opened(zip_of(tmp_path / "bb.zip", entries)) as (folder, left_out):
        plan = layouts.discover(folder, "exercise-2")
        assert "Blackboard" in plan.layout
        assert [f.student for f in plan.found if not f.problem] == ["20240001", "20240002", "20240666"]
        assert len(left_out) == 1 and left_out[0].startswith("4 more entries of blackboard:20240666 (past 8 files")


def test_two_emails_that_make_one_id_are_two_people(tmp_path):
    """Red team 202: an email was folded into an id (``o'brien@`` and ``o-brien@`` are both ``o-brien@``) before it
    told people apart, so two students without SIDs were one person with two files (one row, zero), and a new
    student's SID row took the id an earlier run gave the other's email. Who a submitter is, is now the email as
    Gradescope spells it."""
    root = _export(tmp_path, {"submission_1": "A, '', \"o'brien@uni.edu\"", "submission_2": "B, '', o-brien@uni.edu"})
    ids = {f.shown.split("/")[0]: f.student for f in discover(root).found if not f.problem}
    assert len(ids) == 2 and len(set(ids.values())) == 2, ids
    root = _export(tmp_path / "later", {"submission_1": "A, '2001', \"o'brien@uni.edu\"",
                                        "submission_2": "B, '2002', o-brien@uni.edu"})
    with layouts.opened(root) as (folder, _):
        plan = layouts.discover(folder, "exercise-2", earlier={"2002": "gradescope:o-brien@uni.edu"})
    assert found(plan) == {("2001", "exercise-2"): "submission_1/exercise_2.py",
                           ("2002", "exercise-2"): "submission_2/exercise_2.py"}


@pytest.mark.parametrize("zipped", [False, True])
def test_a_line_break_in_a_students_file_name_changes_nobody_elses_reading(tmp_path, zipped):
    """Red team 203: the LMSs' rules read a name up to its first line break, so one Blackboard attachment named
    ``x<LF>y.py`` was no attempt, the download no longer Blackboard's, and every attempt read as Canvas user 2's: the
    whole class one student with eight files, zero. The part a student names may now hold any character."""
    attempt = "Exercise_2_{}_attempt_2024-10-01-09-00-00"
    tree = {}
    for user in ("20240001", "20240002", "20240666"):
        tree.update({f"{attempt.format(user)}_exercise_2.py": RIGHT, f"{attempt.format(user)}.txt": "receipt"})
    tree[f"{attempt.format('20240666')}_x\ny.py"] = RIGHT + "# mine"
    if zipped:
        with layouts.opened(zip_of(tmp_path / "bb.zip", tree)) as (folder, _):
            plan = layouts.discover(folder, "exercise-2")
    else:
        plan = discover(files(tmp_path / "bb", tree))
    assert "Blackboard" in plan.layout
    assert sorted(f.student for f in plan.found if not f.problem) == ["20240001", "20240002"]
    assert [f.student for f in plan.found if f.problem] == ["20240666"]  # (her own two files of one attempt)


def test_an_email_in_another_case_is_the_same_person(tmp_path):
    """Gradescope's emails are one account whatever their case: the id an earlier run gave ``ann@uni.edu`` stays
    ``Ann@Uni.edu``'s (without a SID, the email is the id, as spelt then)."""
    root = _export(tmp_path, {"submission_1": "Ann Lee, '', Ann@Uni.edu"})
    with layouts.opened(root) as (folder, _):
        plan = layouts.discover(folder, "exercise-2", earlier={"ann@uni.edu": "gradescope:ann@uni.edu"})
    assert found(plan) == {("ann@uni.edu", "exercise-2"): "submission_1/exercise_2.py"}


@pytest.mark.parametrize("tree", [
    {"ann_11_501_exercise_2.py": RIGHT, "mallory_12_502_a.zip": "zip", "mallory_12_502_b.zip": "zip"},
    {"ann_11_501_exercise_2.py": RIGHT, "Mal Lory_12_assignsubmission_file_code.zip": "zip",
     "Mal Lory_12_assignsubmission_file_data.zip": "zip"},
])
def test_two_zipped_uploads_of_one_student_are_one_row_that_says_so(tmp_path, tree):
    """Red team 204: two zipped uploads and no code of one student's were a group without a file, and choosing one
    of them raised (``Error: list index out of range``, exit 3: nobody graded)."""
    plan = discover(files(tmp_path, tree))
    rows = found(plan)
    assert rows[("ann", "exercise-2")] == "ann_11_501_exercise_2.py"
    (theirs,) = [problem for (student, _), problem in rows.items() if student != "ann"]
    assert theirs.count(layouts.ZIPPED) == 2


def test_emails_that_read_alike_only_beyond_ascii_are_two_people(tmp_path):
    """Red team 204: ``str.casefold`` makes ``straße@`` and ``strasse@`` one address; only ASCII letters are folded."""
    root = _export(tmp_path, {"submission_1": "A, '', straße@uni.edu", "submission_2": "B, '', STRASSE@uni.edu"})
    assert {f.lms for f in discover(root).found} == {"gradescope:straße@uni.edu", "gradescope:strasse@uni.edu"}


def test_one_account_in_two_submissions_is_one_person_whatever_the_emails_case(tmp_path):
    """Red team 205: the id kept an email's case while who the person is did not, so ``bo@uni.edu`` and ``Bo@Uni.edu``
    (one account in two submissions of a mangled export) were two ids that read alike, each hashed: one person, two
    rows. The email is the id in lower case now: one person, one row with both files."""
    root = _export(tmp_path, {"submission_1": "Bo, '', bo@uni.edu", "submission_3": "Bo, '', Bo@Uni.edu"})
    (root / "submission_3" / "exercise_2.py").write_text(RIGHT + "# again")
    rows = found(discover(root))
    assert list(rows) == [("bo@uni.edu", "exercise-2")] and rows[("bo@uni.edu", "exercise-2")].startswith("2 files")


def test_a_second_submission_with_no_file_is_named_in_the_row(tmp_path):
    """Red team 205: a person's second submission (of a mangled export) holding only a zip was in no row and no list."""
    root = _export(tmp_path, {"submission_1": "Ann, '2001', ann@uni.edu", "submission_2": "Ann, '2001', ann@uni.edu"})
    (root / "submission_2" / "exercise_2.py").unlink()
    (root / "submission_2" / "up.zip").write_bytes(b"PK")
    (only,) = discover(root).found
    assert only.path is not None and not only.problem and only.note.startswith("also: submission_2/up.zip, a .zip")


@pytest.mark.parametrize("before", ["mallory typed it", "ann mistyped hers"])
def test_a_sid_is_the_rosters_as_it_is_now_whatever_an_earlier_run_gave(tmp_path, before):
    """Red team 206: an earlier run into the output folder gave SID 2001 to the account that had it then (a classmate
    who typed Ann's SID; or Ann herself, under a mistyped 2010 that is Dee's); after the roster's correction, that
    account kept the old id and the SID's owner got a hashed one (Dee's row, 2010, carried Ann's score). Each id now
    follows the roster; a row whose SID those rows gave to someone else says so."""
    if before == "mallory typed it":
        export = {"submission_1": "Mallory, '2009', mal@evil.edu", "submission_2": "Ann, '2001', ann@uni.edu"}
        earlier, expected, noted = {"2001": "gradescope:mal@evil.edu"}, {"2009": "submission_1", "2001": "submission_2"}, \
            "2001"
    else:
        export = {"submission_1": "Ann, '2001', ann@uni.edu", "submission_3": "Dee, '2010', dee@uni.edu"}
        earlier, expected, noted = {"2010": "gradescope:ann@uni.edu"}, {"2001": "submission_1", "2010": "submission_3"}, \
            "2010"
    with layouts.opened(_export(tmp_path, export)) as (folder, _):
        plan = layouts.discover(folder, "exercise-2", earlier=earlier, earlier_sids=set(earlier))
    assert {f.student: f.shown.split("/")[0] for f in plan.found} == expected
    assert [f.student for f in plan.found if f.note.startswith("this SID was another account's")] == [noted]


ANN, MAL = "gradescope:ann@uni.edu", "gradescope:mal@evil.edu"


@pytest.mark.parametrize("export, earlier, expected", [
    # a classmate types Ann's SID: Ann keeps the id the earlier rows give her account, the typist a name of their own
    ({"submission_1": "Ann, '2001', ann@uni.edu", "submission_2": "Mal, '2001', mal@evil.edu"}, {"2001": ANN},
     {"submission_1": ("2001", ""), "submission_2": ("2001_mal@evil.edu", "this SID was")}),
    # ... and Ann is not in this run: the typist never takes her id (nor her results/ folder)
    ({"submission_1": "Mal, '2001', mal@evil.edu"}, {"2001": ANN},
     {"submission_1": ("2001-44e14f", "this SID was")}),
    # Ann's SID is cleared and now Bob's: Ann no longer takes it, and her row says her id changed
    ({"submission_1": "Ann, '', ann@uni.edu", "submission_2": "Bob, '2001', bob@uni.edu"}, {"2001": ANN},
     {"submission_1": ("ann@uni.edu", "the rows an earlier run"), "submission_2": ("2001", "this SID was")}),
    # Ann's mistyped 2010 is corrected to 2001: her id follows, and her row says so
    ({"submission_1": "Ann, '2001', ann@uni.edu"}, {"2010": ANN},
     {"submission_1": ("2001", "the rows an earlier run")}),
    # an honest class graded again: nothing moves, nothing noted
    ({"submission_1": "Ann, '2001', ann@uni.edu", "submission_2": "Mal, '2009', mal@evil.edu"},
     {"2001": ANN, "2009": MAL}, {"submission_1": ("2001", ""), "submission_2": ("2009", "")}),
])
def test_sids_across_runs_into_one_folder(tmp_path, export, earlier, expected):
    """Red team 207, on red team 206's rule: a SID typed by two accounts, or by one whose owner is absent, a SID
    cleared, and a SID corrected, against the rows an earlier run kept. Each person keeps an id of their own, the SID
    follows the roster, no typist takes an absent classmate's id, and a person whose id changed is told."""
    with layouts.opened(_export(tmp_path, export)) as (folder, _):
        plan = layouts.discover(folder, "exercise-2", earlier=earlier, earlier_sids=set(earlier))
    got = {f.shown.split("/")[0]: (f.student, f.note) for f in plan.found}
    assert {key: student for key, (student, _) in got.items()} == {key: want[0] for key, want in expected.items()}
    for key, (_, note) in expected.items():
        assert got[key][1].startswith(note) if note else not got[key][1], got


@pytest.mark.parametrize("typed", ["bob@uni.edu", "Bob_submission_2", "Bob_submission_2-1"])
def test_a_typed_sid_that_reads_as_another_id_is_no_sid(tmp_path, typed):
    """Red team 208: a SID is free text where students enrol with a course's code; typed as a classmate's email-id
    (``bob@uni.edu``, Bob having no SID), it took Bob's id and his results/ and feedback/ folders, in one run or
    across runs. A SID with an ``@``, or ending as a name's id does, is no SID: the typist's id is their email."""
    export = {"submission_1": "Mal, '" + typed + "', mal@evil.edu", "submission_2": "Bob, '', bob@uni.edu"}
    if "submission" in typed:
        export["submission_2"] = "Bob, '', ''"
    with layouts.opened(_export(tmp_path, export)) as (folder, _):
        for earlier in (None, {"bob@uni.edu": "gradescope:bob@uni.edu", "Bob_submission_2": "gradescope:submission_2"}):
            plan = layouts.discover(folder, "exercise-2", earlier=earlier)
            ids = {f.shown.split("/")[0]: f.student for f in plan.found}
            assert ids["submission_1"] == "mal@evil.edu" and ids["submission_2"] in ("bob@uni.edu", "Bob_submission_2")


def test_a_typed_sid_equal_to_a_classmates_earlier_id_that_was_no_sid_is_not_handed_on(tmp_path):
    """Red team 209: Ann's id was hashed in an earlier run (``2001-b767c2``, a classmate's look-alike ``2OO1`` beside
    hers); a SID typed as that id was taken for a SID the roster had moved from Ann to the typist, who got Ann's row
    of the earlier exercise, her results/ and feedback/. Only an id that was a SID then is handed on."""
    export = {"submission_1": "Ann, '2001', ann@uni.edu", "submission_2": "Mal, '2001-b767c2', mal@evil.edu"}
    earlier = {"2001-b767c2": ANN, "2OO1-44e14f": MAL}
    with layouts.opened(_export(tmp_path, export)) as (folder, _):
        plan = layouts.discover(folder, "exercise-2", earlier=earlier, earlier_sids=set())
    ids = {f.shown.split("/")[0]: f.student for f in plan.found}
    assert ids["submission_1"] == "2001" and ids["submission_2"] not in earlier and ids["submission_2"] != "2001"


def test_fullwidth_digits_read_as_the_ascii_ones():
    """Red team 209: ``２００１`` (fullwidth) read as ``2OOl`` and ``2001`` as ``2ool``: two ids side by side that read
    alike, neither hashed. Case is folded after the second reading too."""
    assert layouts.lookalike("２００１") == layouts.lookalike("2001") == layouts.lookalike("2OO1")


def test_a_students_test_file_in_an_lms_download_is_no_second_submission(tmp_path):
    """Red team 218: in a flat Canvas (or Moodle, Blackboard) download, a student's own pytest file made "2 files for
    exercise-2: keep one", and their real submission scored zero; in a folder of their own it was set aside. The name
    the student gave the file, after the LMS's prefix, is read as a folder's file is."""
    files(tmp_path, {"alice_1001_2001_exercise_2.py": RIGHT, "alice_1001_2002_test_exercise_2.py": "def test(): pass",
                     "bob_1002_2003_exercise_2.py": RIGHT, "bob_1002_2004_conftest.py": ""})
    plan = discover(tmp_path)
    assert found(plan) == {("alice", "exercise-2"): "alice_1001_2001_exercise_2.py",
                           ("bob", "exercise-2"): "bob_1002_2003_exercise_2.py"}
    assert not [item for item in plan.found if item.problem]
    assert sorted(plan.tests) == ["alice_1001_2002_test_exercise_2.py", "bob_1002_2004_conftest.py"]
    flat = files(tmp_path / "flat", {"alice.py": RIGHT, "test_exercise_2.py": "", "conftest.py": ""})
    plan = discover(flat)  # (no student "test" nor "conftest" in a folder of files, one per student)
    assert found(plan) == {("alice", "exercise-2"): "alice.py"} and sorted(plan.tests) == ["conftest.py",
                                                                                          "test_exercise_2.py"]


def test_a_folder_of_test_files_only_is_skipped_saying_so(tmp_path):
    """Red team 218: a folder whose only code was test files was skipped as "no .py or .ipynb file in this folder",
    while the next line listed those very files."""
    files(tmp_path, {"alice/exercise_2.py": RIGHT, "carol/tests/exercise_2.py": RIGHT, "dave/test_exercise_2.py": RIGHT})
    plan = discover(tmp_path)
    assert found(plan) == {("alice", "exercise-2"): "alice/exercise_2.py"}
    reasons = {item.shown: item.reason for item in plan.skipped}
    assert reasons["carol/"].startswith("only test files (carol/tests/exercise_2.py), never the submission")
    assert reasons["dave/"].startswith("only test files (dave/test_exercise_2.py), never the submission")


def test_a_backslash_after_an_lms_prefix_keeps_the_file_its_students(tmp_path):
    """Red team 226: a Canvas upload whose own name began with a backslash (``zed_1016_5016_\\exercise_2.py``) was
    extracted into a folder ``zed_1016_5016_``, read as a student of its own: zed had two graded rows, and a namesake
    classmate (Canvas user 1020, also smith) lost the user id that told the two smiths apart. Such a folder is its
    Canvas user's, and in a Blackboard download its attempt's."""
    archive = zip_of(tmp_path / "canvas.zip", {"zed_1016_5016_exercise_2.py": "wrong = 1",
                                               "zed_1016_5016_\\exercise_2.py": RIGHT,
                                               "smith_1020_5020_exercise_2.py": RIGHT,
                                               "smith_1021_5021_\\exercise_2.py": RIGHT})
    with layouts.opened(archive) as (folder, left_out):
        plan = layouts.discover(folder, "exercise-2")
        rows = {f.student: f for f in plan.found}
        assert sorted(rows) == ["smith_1020", "smith_1021", "zed"] and not left_out
        assert rows["zed"].problem.startswith("2 files for exercise-2") and not rows["smith_1021"].problem
        assert "Canvas" in plan.layout and "folder per student" not in plan.layout
    attempt = "Exercise_2_{}_attempt_2024-10-0{}-09-00-00"
    entries = {f"{attempt.format(user, day)}.txt": "receipt" for user in ("ann", "bob") for day in (1, 2)}
    entries.update({f"{attempt.format('ann', 2)}_exercise_2.py": "wrong = 1",
                    f"{attempt.format('ann', 1)}_\\exercise_2.py": RIGHT,
                    f"{attempt.format('bob', 1)}_exercise_2.py": RIGHT})
    with layouts.opened(zip_of(tmp_path / "bb.zip", entries)) as (folder, left_out):
        plan = layouts.discover(folder, "exercise-2")
        rows = {f.student: f for f in plan.found}
        assert sorted(rows) == ["ann", "bob"] and "Blackboard" in plan.layout
        assert rows["ann"].problem.startswith("2 files for exercise-2") and not rows["bob"].problem
