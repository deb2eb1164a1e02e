"""``grade class --gradebook`` against the real ``nbgrader autograde``, on one small class.

A course built as ``grade build`` builds it (exercise-2 released by the real ``nbgrader
generate_assignment``) gets the same submissions twice over, in two copies: one is graded by
``nbgrader autograde`` (the course's config: out of the kernel), the other by ``grade class
--gradebook``. ``nbgrader export`` must then give the same CSV, and the gradebook the same points
per student per test cell. The class has right answers, mistakes, a student who edited one test
cell and deleted another (nbgrader puts them back), a hostile notebook, an untouched release and a
late submission (its ``timestamp.txt``).
"""

from __future__ import annotations

import io
import json
import re
import shutil
import sys
from pathlib import Path

import pytest

pytest.importorskip("nbgrader")

from autograd_exercises.build import nbgrader_course  # noqa: E402
from autograd_exercises.classroom import batch, course_seed  # noqa: E402
from autograd_exercises.classroom.executor import InProcess  # noqa: E402
from tests import class_builder  # noqa: E402
from tests.conftest import ROOT  # noqa: E402

pytestmark = pytest.mark.nbgrader
sys.path.insert(0, str(ROOT / "bench"))

SLUG = class_builder.SLUG
CLASS = {"alice": "right", "bob": "mistake:no_retain_grad", "carol": "mistake:sum_instead_of_mean",
         "dave": "right", "erin": "hostile:print_fake_score", "frank": "release"}


def _tampered(nb: dict) -> dict:
    """dave edited one test cell and deleted another."""
    tests = [cell for cell in nb["cells"] if cell["metadata"].get("nbgrader", {}).get("grade")
             and not cell["metadata"]["nbgrader"].get("solution")]
    tests[0]["source"] = "print('all tests pass')\n"
    nb["cells"].remove(tests[1])
    return nb


@pytest.fixture(scope="module")
def courses(tmp_path_factory):
    import bench_autograde

    scratch = tmp_path_factory.mktemp("class-nbgrader")
    template = bench_autograde.released_course(scratch / "template")
    release = json.loads((template / "release" / SLUG / f"{SLUG}.ipynb").read_text())
    for student, kind in CLASS.items():
        nb = release if kind == "release" else class_builder.notebook(kind, release)
        if student == "dave":
            nb = _tampered(nb)
        folder = template / "submitted" / student / SLUG
        folder.mkdir(parents=True)
        (folder / f"{SLUG}.ipynb").write_text(json.dumps(nb))
    (template / "submitted" / "carol" / SLUG / "timestamp.txt").write_text("2031-02-03 04:05:06.000000 UTC")
    course_seed.course_secret(template / "gradebook.db")  # one course: both copies grade with its one secret
    ours, theirs = scratch / "ours", scratch / "theirs"
    shutil.copytree(template, ours)
    shutil.copytree(template, theirs)
    (theirs / "autograde.log").write_text(nbgrader_course.run_nbgrader(theirs, "autograde", SLUG, "--student=*"))
    return ours, theirs


def export(course: Path) -> list[str]:
    nbgrader_course.run_nbgrader(course, "export", "--to=grades.csv")
    return sorted((course / "grades.csv").read_text().splitlines())


def test_gradebook_export_equals_nbgrader_autograde(courses, sandbox):
    ours, theirs = courses
    summary = batch.run(batch.Options(SLUG, ours, out=ours / "grades-class", gradebook=ours / "gradebook.db"),
                        executor=InProcess(sandbox), stream=io.StringIO(), terminal=False)
    assert summary.exit_code == 0, summary.lines()
    assert summary.notebook_seed is None and not summary.gradebook_failed
    seeds = {row["student"]: row["seed"] for row in summary.rows}  # each student's own, none the students' seed 0
    assert len(set(seeds.values())) == len(CLASS) and 0 not in seeds.values()
    logged = re.findall(rf"Graded (\w+)/{SLUG}/{SLUG}.ipynb out of the kernel: \S+ \(seed (\d+)\)",
                        (theirs / "autograde.log").read_text())
    assert {student: int(seed) for student, seed in logged} == seeds  # as nbgrader autograde seeded each
    assert any("seeds: one per student, from the course's secret in" in line for line in summary.lines())
    for student in CLASS:
        assert nbgrader_course.scores(ours, SLUG, student) == nbgrader_course.scores(theirs, SLUG, student), student
        graded = ours / "autograded" / student / SLUG / f"{SLUG}.ipynb"
        theirs_graded = theirs / "autograded" / student / SLUG / f"{SLUG}.ipynb"
        assert graded.is_file() and graded.stat().st_mode & 0o777 == theirs_graded.stat().st_mode & 0o777 == 0o444
    expected = export(theirs)
    assert export(ours) == expected
    totals = {row["student"]: row["score"] for row in summary.rows}
    assert totals == {"alice": 10, "bob": 8, "carol": 4, "dave": 10, "erin": 7, "frank": 0}

    again = batch.run(batch.Options(SLUG, ours, out=ours / "grades-class", gradebook=ours / "gradebook.db"),
                      executor=InProcess(sandbox), stream=io.StringIO(), terminal=False)
    assert again.from_cache == len(CLASS) and export(ours) == expected  # resumed: the gradebook is still written

    lms = ours / "lms"  # a .py (an LMS download) into the same gradebook: each check's points in its test cell
    class_builder.write(lms / "gina_exercise_2", "mistake:no_retain_grad", ".py")
    py = batch.run(batch.Options(SLUG, lms, out=ours / "grades-lms", gradebook=ours / "gradebook.db"),
                   executor=InProcess(sandbox), stream=io.StringIO(), terminal=False)
    assert py.exit_code == 0 and nbgrader_course.scores(ours, SLUG, "gina") == nbgrader_course.scores(ours, SLUG, "bob")


def test_a_stopped_run_leaves_no_ungraded_submission_in_the_gradebook(courses, sandbox, tmp_path):
    """A run stopped after its first row (Ctrl-C, a worker lost) had registered every submission before grading any:
    each ungraded one was a 0 in ``nbgrader export`` and formgrader. A submission is now registered with its
    grades; a notebook nbgrader cannot read is registered as nbgrader registers it."""
    from nbgrader.api import Gradebook as NbGradebook

    course = tmp_path / "course"
    shutil.copytree(courses[0].parent / "template" / "assignments", course)  # the released course, before grading
    (course / "submitted" / "gina" / SLUG).mkdir(parents=True)
    (course / "submitted" / "gina" / SLUG / f"{SLUG}.ipynb").write_text("{not json")

    class FirstOnly(InProcess):
        def run(self, tasks):
            for row in super().run(tasks):
                yield row
                raise KeyboardInterrupt

    summary = batch.run(batch.Options(SLUG, course, out=course / "grades-class", gradebook=course / "gradebook.db"),
                        executor=FirstOnly(sandbox), stream=io.StringIO(), terminal=False)
    assert summary.interrupted and len(summary.rows) == 1
    with NbGradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        registered = sorted(submission.student.id for submission in gb.find_assignment(SLUG).submissions)
    assert registered == sorted([summary.rows[0]["student"], "gina"])


def test_timestamp_txt_is_read_only_as_a_small_plain_file(tmp_path):
    """Red team 46: a student's ``timestamp.txt`` that is a FIFO hung the class before any grading; one linked to
    ``/dev/zero`` was read until memory ran out. Either is now no time at all, as a missing one is."""
    import os

    from autograd_exercises.classroom.gradebook import MAX_TIMESTAMP, Gradebook

    folders = {name: tmp_path / name for name in ("plain", "fifo", "link", "large", "none", "year past any")}
    for folder in folders.values():
        folder.mkdir()
    (folders["plain"] / "timestamp.txt").write_text("2031-02-03 04:05:06.000000 UTC\n")
    os.mkfifo(folders["fifo"] / "timestamp.txt")
    (folders["link"] / "timestamp.txt").symlink_to("/dev/zero")
    (folders["large"] / "timestamp.txt").write_text("2031-02-03 04:05:06.000000 UTC" + " " * MAX_TIMESTAMP)
    (folders["year past any"] / "timestamp.txt").write_text("99999999999999999999999")  # (red team 81: OverflowError)
    times = {name: Gradebook.timestamp(folder) for name, folder in folders.items()}
    assert times["plain"].isoformat() == "2031-02-03T04:05:06"
    assert times == {**times, "fifo": None, "link": None, "large": None, "none": None, "year past any": None}


def test_grade_class_grades_by_the_times_the_courses_config_sets(courses, sandbox, tmp_path):
    """Walkthrough 62: the course's nbgrader config set ``GradeOutOfKernel.timeout`` (and ``Execute.timeout``);
    ``nbgrader autograde`` graded by them and ``grade class --gradebook`` by its own defaults, and wrote its other scores
    over nbgrader's in the gradebook. Now ``grade class --gradebook`` grades by the course's times, as nbgrader does,
    and says so; ``--timeout`` given on the command line is the check's time still."""
    course = tmp_path / "course"
    shutil.copytree(courses[0], course)  # (its submissions, its gradebook and its secret)
    (course / "nbgrader_config_local.py").write_text("c = get_config()\nc.GradeOutOfKernel.timeout = 0.5\n"
                                                     "c.Execute.timeout = 7\n")
    seen: list = []

    class Recording(InProcess):
        def run(self, tasks):
            tasks = list(tasks)
            seen.extend((task.timeout, task.cell_timeout) for task in tasks)
            yield from super().run(tasks[:1])

    for given, expected in ((None, (0.5, 7.0)), (2.0, (2.0, 7.0))):
        seen.clear()
        summary = batch.run(batch.Options(SLUG, course, out=tmp_path / f"out-{given}", gradebook=course / "gradebook.db",
                                          timeout=given), executor=Recording(sandbox), stream=io.StringIO(),
                            terminal=False)
        assert seen and set(seen) == {expected}, seen
        assert f"time: {expected[0]:g} s per check, 7 s per notebook cell, as nbgrader autograde grades with this " \
               "course's config" in summary.lines()


def test_the_course_configs_times_are_read_as_nbgrader_reads_them():
    from traitlets.config import Config

    from autograd_exercises.nbgrader_step import configured_times

    config = Config()
    assert configured_times(config) == (None, None)
    config.Execute.timeout = 30
    assert configured_times(config) == (None, 30.0)
    config.GradeOutOfKernel.timeout = 1.5
    config.GradeOutOfKernel.cell_timeout = 12
    assert configured_times(config) == (1.5, 12.0)
    config.GradeOutOfKernel.timeout = 0  # (nbgrader's "0: the grader's default")
    assert configured_times(config) == (None, 12.0)
