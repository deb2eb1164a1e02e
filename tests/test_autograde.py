"""The out-of-kernel grade of a notebook (``autograd_exercises/autograde.py``), without nbgrader's CLI.

Notebooks here are the committed source notebooks (solutions and hidden tests in
place, as nbgrader's OverwriteCells leaves a submission's test cells) with their
solution cells replaced. Scores are read with nbgrader's own
``determine_grade``, as ``SaveAutoGrades`` reads them. ``tests/test_nbgrader.py``
runs the same step inside the real ``nbgrader autograde``.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

import graders
from autograd_exercises import autograde, grading
from autograd_exercises.build import notebooks
from autograd_exercises.notebook import NOTEBOOK_SEED, notebook_seed
from autograd_exercises.sandbox import SandboxError
from autograd_exercises.submission import notebook_source

nbformat = pytest.importorskip("nbformat")
nbgrader_utils = pytest.importorskip("nbgrader.utils")

ROOT = Path(__file__).resolve().parents[1]
SLUG = "exercise-2"
STUB = "def {name}(*args):\n    raise NotImplementedError()\n"


def source_notebook(slug: str = SLUG):
    return nbformat.read(str(ROOT / "assignments" / "source" / slug / f"{slug}.ipynb"), as_version=4)


def grade_id(cell) -> str | None:
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def with_solutions(nb, replace):
    """A copy of ``nb`` whose solution cells' sources are ``replace(grade id, source)``."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("solution"):
            cell.source = replace(grade_id(cell), cell.source)
    return nb


def points(nb) -> dict[str, float]:
    """grade id → the score nbgrader's SaveAutoGrades would record for each grade cell."""
    return {grade_id(cell): nbgrader_utils.determine_grade(cell)[0] for cell in nb.cells
            if cell.metadata.get("nbgrader", {}).get("grade")}


def by_cell(exercise, result) -> dict[str, float]:
    return {notebooks.check_cell_id(check): check.points for check in result.checks}


def stubbed(nb):
    return with_solutions(nb, lambda cell_id, _: STUB.format(name=cell_id.removeprefix("solution-")))


# -- which check a test cell stands for -------------------------------------------------------------

@pytest.mark.parametrize("slug", [exercise.slug for exercise in graders.EXERCISES])
def test_every_generated_test_cell_names_its_check(slug):
    exercise = graders.find(slug)
    for check in exercise.checks:
        source = notebooks.test_source(exercise, check)
        assert autograde.check_call(source) == (slug, check.name)
        reinserted = "# This cell (id:x) was missing from the submission. It was added back by nbgrader.\n\n" + source
        assert autograde.check_call("# " + reinserted) == (slug, check.name)


@pytest.mark.parametrize("source", [
    "check('exercise-2', 'forward_values')",  # no marker: not one of ours
    "# autograd-exercises: test cell: x\nassert True",
    "# autograd-exercises: test cell: x\ncheck('exercise-2', 'forward_values')\ncheck('exercise-2', 'gradients_x')",
    "# autograd-exercises: test cell: x\ncheck(SLUG, 'forward_values')",
    "# autograd-exercises: test cell: x\ncheck('exercise-2', name='forward_values')",
    "# autograd-exercises: test cell: x\ncheck('exercise-2'",
])
def test_anything_else_is_not_a_test_cell(source):
    assert autograde.check_call(source) is None


# -- grading a notebook -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def solved(sandbox):
    """The exercise-2 source notebook (the solution), graded out of the kernel."""
    nb = source_notebook()
    results = autograde.grade_notebook(nb, sandbox=sandbox, seed=NOTEBOOK_SEED, path="solution.ipynb")
    return nb, results


def test_solution_gets_every_point_with_the_verdict_in_each_test_cell(solved):
    nb, results = solved
    exercise = graders.find(SLUG)
    assert [result.score for result in results] == [exercise.max_score]
    assert points(nb) == {notebooks.check_cell_id(check): check.points for check in exercise.checks}
    by_id = {notebooks.check_cell_id(check): check for check in exercise.checks}
    for cell in nb.cells:
        if grade_id(cell) in by_id:
            check = by_id[grade_id(cell)]
            assert [(o.output_type, o.get("name")) for o in cell.outputs] == [("stream", "stdout")]
            assert cell.outputs[0].text.endswith(f"✓ {check.name}: {check.points:g}/{check.points:g} points\n")
        elif cell.cell_type == "code":
            assert cell.outputs == []  # student cells: nothing ran in a kernel


def test_student_cells_are_graded_as_the_grade_command_reads_the_notebook(solved, sandbox):
    """Same code (``notebook_source``), same seed: the same points as ``grade exercise-2 file.ipynb --seed 0``."""
    nb, results = solved
    exercise = graders.find(SLUG)
    mistaken = with_solutions(source_notebook(), lambda _, text: text.replace("y.retain_grad()", "pass"))
    expected = grading.grade(exercise, notebook_source("m.ipynb", json.dumps(mistaken)), sandbox=sandbox, seed=0)
    assert 0 < expected.score < exercise.max_score
    [result] = autograde.grade_notebook(mistaken, sandbox=sandbox, seed=0, path="m.ipynb")
    assert by_cell(exercise, result) == by_cell(exercise, expected) == points(mistaken)
    failed = {c.name: c.feedback for c in expected.checks if not c.passed}
    names = {notebooks.check_cell_id(check): check.name for check in exercise.checks}
    for cell in mistaken.cells:
        name = names.get(grade_id(cell) or "", "")
        if name in failed:  # the error nbgrader scores 0, with our feedback, as the in-kernel check raises it
            error = cell.outputs[-1]
            assert (error.output_type, error.ename, error.evalue) == ("error", "CheckFailed", f"{name}: {failed[name]}")
            assert error.traceback == [f"CheckFailed: {name}: {failed[name]}"]


def test_stub_scores_zero_and_syntax_errors_are_explained(sandbox):
    nb = stubbed(source_notebook())
    nb.cells[[grade_id(c) for c in nb.cells].index("solution-forward")].source = "def forward(x):\n    return (\n"
    autograde.grade_notebook(nb, sandbox=sandbox, seed=0)
    assert set(points(nb).values()) == {0}
    forward = next(cell for cell in nb.cells if grade_id(cell) == "test-forward_values")
    notes = "".join(o.text for o in forward.outputs if o.output_type == "stream")
    assert "note: cell" in notes and "does not compile, so none of it ran: SyntaxError" in notes
    assert forward.outputs[-1].output_type == "error"


def test_the_kernel_is_never_consulted(sandbox):
    """Patching ``check`` in a solution cell changes nothing: the cells never run in this process."""
    patch = "import autograd_exercises.notebook as _n\n_n.check = lambda *a, **k: None\n"
    nb = stubbed(source_notebook())
    first = next(cell for cell in nb.cells if cell.metadata.get("nbgrader", {}).get("solution"))
    first.source = patch
    autograde.grade_notebook(nb, sandbox=sandbox, seed=0)
    assert set(points(nb).values()) == {0}
    from autograd_exercises import notebook

    assert notebook.check.__module__ == "autograd_exercises.notebook"


def test_a_grade_cell_that_is_not_ours_or_names_no_check_scores_zero(solved, sandbox):
    nb = copy.deepcopy(solved[0])
    cells = {grade_id(cell): cell for cell in nb.cells}
    cells["test-forward_values"].source = "assert True  # an instructor's own test"
    cells["test-gradients_x"].source = cells["test-gradients_x"].source.replace("'gradients_x'", "'no_such_check'")
    cells["test-gradients_y"].source = cells["test-gradients_y"].source.replace("'exercise-2'", "'exercise-99'")
    autograde.grade_notebook(nb, sandbox=sandbox, seed=0)
    scores = points(nb)
    assert scores["test-forward_values"] == scores["test-gradients_x"] == scores["test-gradients_y"] == 0
    assert "not an autograd-exercises test cell" in cells["test-forward_values"].outputs[-1].evalue
    assert "no check named 'no_such_check'" in cells["test-gradients_x"].outputs[-1].evalue
    assert "no exercise named 'exercise-99'" in cells["test-gradients_y"].outputs[-1].evalue
    assert scores["test-forward_retains_y_grad"] == 1  # the rest is graded as usual


class BrokenSandbox:
    layers: list[str] = []

    def run(self, **_):
        raise SandboxError("the fork-server could not start")


def test_a_notebook_that_cannot_be_graded_scores_zero_with_the_reason():
    nb = source_notebook()
    assert autograde.grade_notebook(nb, sandbox=BrokenSandbox(), seed=0) == []
    assert set(points(nb).values()) == {0}
    for cell in nb.cells:
        if (grade_id(cell) or "").startswith("test-"):
            assert "could not grade this notebook (SandboxError: the fork-server could not start)" in cell.outputs[-1].evalue


@pytest.mark.parametrize("nb", [{}, {"cells": "not a list"}, {"cells": [None, 3, {"cell_type": "code"}]}, []])
def test_malformed_notebooks_do_not_raise(nb):
    assert autograde.grade_notebook(nb, sandbox=BrokenSandbox(), seed=0) == []


# -- the seed and nbgrader's pipeline -----------------------------------------------------------------

def test_seed_follows_the_in_kernel_default(monkeypatch):
    monkeypatch.delenv("AUTOGRAD_SEED", raising=False)
    assert notebook_seed() == NOTEBOOK_SEED == 0
    monkeypatch.setenv("AUTOGRAD_SEED", " 7 ")
    assert notebook_seed() == 7
    for value in ("seven", "-5", "0x5"):  # (red team 50: -5 was taken, though --seed refuses it)
        monkeypatch.setenv("AUTOGRAD_SEED", value)
        with pytest.raises(ValueError, match=f"AUTOGRAD_SEED must be a whole number, 0 or more, got '{value}'"):
            notebook_seed()


def test_our_autograde_steps_are_nbgraders_with_execute_replaced():
    """If nbgrader changes its default pipeline, the generated config must follow."""
    from nbgrader.converters.autograde import Autograde
    from nbgrader.preprocessors import CheckCellMetadata, Execute
    from traitlets.utils.importstring import import_item

    from autograd_exercises.build import course, nbgrader_course
    from autograd_exercises.nbgrader_step import CurrentMetadataSchema, GradeOutOfKernel

    default = Autograde.class_traits()["autograde_preprocessors"].default()
    ours = [import_item(name) for name in nbgrader_course.AUTOGRADE_PREPROCESSORS]
    assert ours == [GradeOutOfKernel if step is Execute else step for step in default]
    assert Execute not in ours
    for name in nbgrader_course.AUTOGRADE_PREPROCESSORS + nbgrader_course.SANITIZE_PREPROCESSORS:
        assert repr(name) in course.config_text()
    sanitize = [import_item(name) for name in nbgrader_course.SANITIZE_PREPROCESSORS]
    default = Autograde.class_traits()["sanitize_preprocessors"].default()
    assert sanitize == [CurrentMetadataSchema] + default[:-1] + [CurrentMetadataSchema] + default[-1:]
    assert default[-1] is CheckCellMetadata


def test_a_submitted_folder_nbgrader_must_not_copy_is_named_with_what_to_remove(tmp_path):
    """Red team 214: what nbgrader would copy into autograded/ (following links) or read without end, or too much."""
    import os

    from autograd_exercises import nbgrader_submitted
    from autograd_exercises.nbgrader_submitted import unsafe_entry

    folder = tmp_path / "submitted" / "bea" / SLUG
    (folder / "data").mkdir(parents=True)
    (folder / f"{SLUG}.ipynb").write_text("{}", encoding="utf-8")
    (folder / "data" / "points.csv").write_text("1,2\n", encoding="utf-8")
    assert unsafe_entry(str(folder)) is None
    os.symlink("../../../gradebook.db.seed", folder / "data" / "notes.txt")
    assert unsafe_entry(str(folder)) == f"{folder / 'data' / 'notes.txt'} is a link, which nbgrader would copy or read: " \
                                        "remove it"
    (folder / "data" / "notes.txt").unlink()
    os.mkfifo(folder / "pipe.ipynb")
    assert unsafe_entry(str(folder)).endswith("pipe.ipynb is a pipe, a device or a socket, which nbgrader would copy or "
                                              "read: remove it")
    (folder / "pipe.ipynb").unlink()
    with open(folder / "big.bin", "wb") as handle:
        handle.truncate(nbgrader_submitted.MAX_BYTES + 1)  # (sparse: no disk)
    assert unsafe_entry(str(folder)) == f"{folder} holds more than 100 MB of files"
    (folder / "big.bin").unlink()
    (folder / "timestamp.txt").write_text("2026-12-04 11:22:31.123456 UTC\n", encoding="utf-8")
    assert unsafe_entry(str(folder)) is None
    (folder / "timestamp.txt").write_text("2026-12-04 " * 30, encoding="utf-8")
    assert unsafe_entry(str(folder)) == f"{folder / 'timestamp.txt'} is longer than one time (256 bytes at most), " \
                                        "which nbgrader would read whole: remove it"
    (folder / "timestamp.txt").unlink()
    (folder / "timestamp.txt").mkdir()  # (red team 216: nbgrader's IsADirectoryError, a traceback for the student)
    assert unsafe_entry(str(folder)) == f"{folder / 'timestamp.txt'} is no file, which nbgrader would read as one: " \
                                        "remove it"
    (folder / "timestamp.txt").rmdir()
    for index in range(nbgrader_submitted.MAX_ENTRIES):
        (folder / "data" / f"{index}.txt").touch()
    assert unsafe_entry(str(folder)) == f"{folder} holds more than 1,000 files and folders"
    elsewhere = tmp_path / "submitted" / "cal"
    os.symlink(folder.parent, elsewhere)
    assert unsafe_entry(str(elsewhere / SLUG)) == f"{elsewhere} is a link: remove it and submit the folder itself"


def test_nbgraders_copy_of_an_unsafe_folder_fails_its_student_with_one_escaped_line(tmp_path, caplog):
    """The guard the course's config installs: before nbgrader's own ``init_assignment`` copies anything, an unsafe
    folder raises (nbgrader fails that student alone) after one log line, whose names are escaped (a student names
    the files: a terminal escape reached the instructor's terminal raw)."""
    import logging
    import os

    from nbgrader.converters.autograde import Autograde

    from autograd_exercises.nbgrader_submitted import UnsafeSubmission, guard_submitted_folders

    folder = tmp_path / "submitted" / "bea" / SLUG
    folder.mkdir(parents=True)
    os.symlink("/dev/zero", folder / "\x1b[2Jdata.bin")

    class Converter:
        log = logging.getLogger("tests.nbgrader_submitted")

        def _format_source(self, assignment_id, student_id):
            return str(tmp_path / "submitted" / student_id / assignment_id)

    guard_submitted_folders()
    guard_submitted_folders()  # (once is enough: the course's config may be read again)
    with caplog.at_level(logging.ERROR, logger="tests.nbgrader_submitted"), pytest.raises(UnsafeSubmission):
        Autograde.init_assignment(Converter(), SLUG, "bea")
    assert [record.getMessage() for record in caplog.records] == [
        f"Not graded: bea's {SLUG}: {folder}/\\x1b[2Jdata.bin is a link, which nbgrader would copy or read: remove it"]
    assert list(folder.iterdir()) == [folder / "\x1b[2Jdata.bin"]  # (nothing copied, nothing removed)


def test_every_cells_metadata_format_version_is_made_the_current_one_before_nbgrader_reads_it():
    """Red team 213: a student's own cell claiming nbgrader's metadata format version 1 (or 99) ended the whole
    ``nbgrader autograde`` run, every student after them ungraded (SchemaTooOldError is the course's fault to nbgrader).
    ``CurrentMetadataSchema`` sets every cell's version to the current one; a cell with no nbgrader metadata, or
    metadata of the wrong shape, is left as it is (nbgrader fails that notebook alone)."""
    from nbgrader.nbgraderformat import MetadataValidator

    from autograd_exercises.nbgrader_step import CurrentMetadataSchema

    nb = source_notebook()
    graded = [cell for cell in nb.cells if "nbgrader" in cell.metadata]
    graded[0].metadata.nbgrader.schema_version, graded[-1].metadata.nbgrader.schema_version = 1, 99
    del graded[1].metadata.nbgrader["schema_version"]
    nb.cells.append(nbformat.v4.new_code_cell("x = 1", metadata={"nbgrader": "not a dict"}))
    out, _ = CurrentMetadataSchema().preprocess(nb, {})
    current = MetadataValidator().schema_version
    assert all(cell.metadata.nbgrader["schema_version"] == current for cell in graded)
    assert out.cells.pop().metadata == {"nbgrader": "not a dict"}
    MetadataValidator().validate_nb(out)  # (raised SchemaTooOldError before)


def test_the_nbgrader_step_grades_the_notebook_and_takes_its_timeout_from_config(monkeypatch, sandbox, tmp_path):
    """``GradeOutOfKernel`` as nbgrader calls it: config, ``preprocess(nb, resources)``, the session's sandbox."""
    from traitlets.config import Config

    from autograd_exercises.nbgrader_step import GradeOutOfKernel

    monkeypatch.setattr(autograde, "_SANDBOX", [sandbox])
    monkeypatch.delenv("AUTOGRAD_SEED", raising=False)
    step = GradeOutOfKernel(config=Config({"GradeOutOfKernel": {"timeout": 3.5}}))
    assert step.timeout == 3.5
    nb = source_notebook()
    resources = {"nbgrader": {"student": "alice", "assignment": SLUG, "notebook": SLUG,
                              "db_url": f"sqlite:///{tmp_path / 'gradebook.db'}"}}
    out, same = step.preprocess(nb, resources)
    assert out is nb and same is resources
    assert sum(points(nb).values()) == graders.find(SLUG).max_score
    assert (tmp_path / "gradebook.db.seed").is_file()  # the course's secret, made at its first grading


def test_the_nbgrader_step_says_why_a_notebook_had_no_check_to_run(monkeypatch, sandbox, tmp_path, caplog):
    """Red team 215: an 84 MB notebook (over the grader's 20 MiB) was logged as graded "0/0"; its reason stood only in
    its test cells. The log now says no check could be run, and where the reason is."""
    import logging

    from autograd_exercises.nbgrader_step import GradeOutOfKernel

    monkeypatch.setattr(autograde, "_SANDBOX", [sandbox])
    monkeypatch.setenv("AUTOGRAD_SEED", "7")
    step = GradeOutOfKernel()
    step.log = logging.getLogger("tests.nbgrader_step")
    nb = source_notebook()
    nb.cells = [cell for cell in nb.cells if not grade_id(cell) or not grade_id(cell).startswith("test-")]
    resources = {"nbgrader": {"student": "alice", "assignment": SLUG, "notebook": SLUG,
                              "db_url": f"sqlite:///{tmp_path / 'gradebook.db'}"}}
    with caplog.at_level(logging.INFO, logger="tests.nbgrader_step"):
        step.preprocess(nb, resources)
    assert [record.getMessage() for record in caplog.records] == [
        f"Graded alice/{SLUG}/{SLUG}.ipynb out of the kernel: no check could be run (a notebook too large or "
        "unreadable, or none of the course's test cells): each test cell's output says why"]


def test_each_submitted_notebook_is_graded_with_its_students_own_seed_from_the_courses_secret(tmp_path, monkeypatch):
    """Red team 167: with seed 0 public, a table of the answers for seed 0's inputs scored 10/10 under nbgrader."""
    from autograd_exercises.classroom import course_seed

    monkeypatch.delenv("AUTOGRAD_SEED", raising=False)
    book = tmp_path / "gradebook.db"
    secret = course_seed.course_secret(book)
    assert course_seed.course_secret(book) == secret and (tmp_path / "gradebook.db.seed").stat().st_mode & 0o777 == 0o600
    cells = source_notebook().cells
    alice = course_seed.notebook_seed(book, "alice", cells)
    assert alice == course_seed.notebook_seed(book, "alice", copy.deepcopy(cells))  # the same notebook: the same seed
    assert len({alice, course_seed.notebook_seed(book, "bob", cells), NOTEBOOK_SEED,
                course_seed.notebook_seed(book, "alice", with_solutions(source_notebook(), lambda _, s: s + "\n").cells)}) == 4
    monkeypatch.setenv("AUTOGRAD_SEED", "7")
    assert course_seed.notebook_seed(book, "alice", cells) == course_seed.notebook_seed(None, "bob", []) == 7
    monkeypatch.delenv("AUTOGRAD_SEED")
    with pytest.raises(ValueError, match="not an SQLite file, so it has no secret seed beside it: set AUTOGRAD_SEED"):
        course_seed.notebook_seed(None, "alice", cells)
    (tmp_path / "gradebook.db.seed").write_text("not a number\n")
    with pytest.raises(ValueError, match="must hold one whole number, the course's secret seed: put back your copy of it .* or delete it and the "
                       "next grading makes a new one, which gives every student new inputs"):
        course_seed.notebook_seed(book, "alice", cells)
    assert course_seed.db_file(f"sqlite:///{book}") == book and course_seed.db_file("postgresql://host/db") is None
    with pytest.raises(ValueError, match="cannot make or read the course's secret seed .*: No such file or directory"):
        course_seed.course_secret(tmp_path / "gone" / "gradebook.db")
    (tmp_path / "real").mkdir()  # red team 172: a linked gradebook, two secrets (one beside the link, one beside it)
    (tmp_path / "linked.db").symlink_to(tmp_path / "real" / "gradebook.db")
    assert course_seed.course_secret(tmp_path / "linked.db") == course_seed.course_secret(tmp_path / "real" /
                                                                                          "gradebook.db")
    assert not (tmp_path / "linked.db.seed").exists() and (tmp_path / "real" / "gradebook.db.seed").is_file()


def test_a_table_of_the_answers_for_seed_0_earns_nothing_under_nbgrader(tmp_path, monkeypatch, sandbox):
    """Red team 167: ``gradient_manual`` looked its answers up in a table built for seed 0's inputs (the seed of the
    students' own test cells, and until then of ``nbgrader autograde``): 10/10."""
    from traitlets.config import Config

    from autograd_exercises.nbgrader_step import GradeOutOfKernel

    exercise = graders.find(SLUG)
    table = {}
    for case in grading.make_cases(exercise, exercise.check("gradient_manual_values"), NOTEBOOK_SEED):
        x = case["x"].detach().double()
        table[tuple(round(v, 5) for v in x.flatten().tolist())] = (12 * (3 * x + 2) / x.numel()).flatten().tolist()
    looked_up = ("def gradient_manual(x):\n    table = " + repr(table) + "\n"
                 "    key = tuple(round(float(v), 5) for v in x.detach().double().flatten().tolist())\n"
                 "    if key in table:\n        return torch.tensor(table[key], dtype=x.dtype).reshape(x.shape)\n"
                 "    return torch.zeros_like(x)\n")
    monkeypatch.setattr(autograde, "_SANDBOX", [sandbox])
    resources = {"nbgrader": {"student": "mallory", "assignment": SLUG, "notebook": SLUG,
                              "db_url": f"sqlite:///{tmp_path / 'gradebook.db'}"}}
    scores = {}
    for seed in ("0", ""):  # AUTOGRAD_SEED=0 (the table's own inputs), then the course's default
        monkeypatch.setenv("AUTOGRAD_SEED", seed)
        nb = with_solutions(source_notebook(), lambda cell, source: looked_up if cell == "solution-gradient_manual"
                            else source)
        GradeOutOfKernel(config=Config()).preprocess(nb, resources)
        scores[seed] = points(nb)["test-gradient_manual_values"]
    assert scores == {"0": 2, "": 0}


def test_a_class_grades_a_notebook_only_as_its_assignments_exercise(sandbox):
    """``grade class`` grades an nbgrader notebook as its assignment's exercise (``only``): a test cell of another
    exercise scores zero and says why, rather than have the notebook's grading take as long as that exercise's too
    (every exercise's test cells in one notebook: six gradings, past the deadline its class sets by one)."""
    nb = source_notebook()
    other = next(cell for cell in source_notebook("exercise-1").cells if grade_id(cell) and
                 cell.metadata["nbgrader"].get("grade") and not cell.metadata["nbgrader"].get("solution"))
    other = copy.deepcopy(other)
    other.metadata["nbgrader"]["grade_id"] = "test-of-exercise-1"
    nb.cells.append(other)
    results = autograde.grade_notebook(nb, sandbox=sandbox, seed=0, path="ann.ipynb", only=SLUG)
    assert [result.exercise for result in results] == [SLUG] and results[0].score == graders.find(SLUG).max_score
    assert points(nb)["test-of-exercise-1"] == 0
    assert nb.cells[-1].outputs[-1].evalue == ("this test cell is of exercise-1, and this notebook is graded as "
                                               "exercise-2: not graded")
