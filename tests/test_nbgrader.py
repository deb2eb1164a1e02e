"""The course under the real nbgrader, for every registered exercise.

In a temporary copy of the course (``nbgrader_config.py`` and the source
notebooks as ``grade build`` generates them, the committed shipped release
notebooks), one ``generate_assignment`` process releases every exercise
(``course.release_all``, what ``grade build`` runs) and must write nothing.
Then, per exercise and on first use, a few students submit and one ``nbgrader
autograde <exercise> --student=*`` grades them all:

* ``solution``: the release filled in with the solution: full points;
* ``release``: the release unchanged: zero;
* ``mistake-<name>``: the solution with a named common mistake from
  ``tests/test_exercise_N.py``'s ``MISTAKES`` (mutations applied to the
  solution cells): nbgrader's per-cell points equal ``grade``'s per-check
  points on the same ``.ipynb`` (and on the ``.py`` with the same code);
* ``tampered`` (:data:`FULL` only): the first mistake, plus an edited failing
  test cell and deleted test cells: graded with the original tests;
* ``cheat-<how>`` (:data:`FULL` only): no solution at all, and a first solution
  cell that disarms the in-kernel test cells (:data:`CHEATS`): zero, since
  ``nbgrader autograde`` grades out of the kernel (``GradeOutOfKernel``);
* ``hostile-<name>`` (:data:`FULL` only): a submission of ``tests/hostile/``
  in one solution cell: the same points as ``grade``.

No kernel runs in ``nbgrader autograde`` (the course's config replaces its
``Execute`` step); one test proves the cheats real by grading them the old way,
in kernels. Cost: each nbgrader process spends about 4 s importing nbgrader and
torch, then a fraction of a second per notebook; the kernel tests start a
kernel per notebook (about 5 s each). :data:`FULL` (exercise 2) gets two
mistakes and the tampered, cheating and hostile submissions, the other
exercises one mistake.
"""

from __future__ import annotations

import copy
import importlib
import json
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("nbgrader")

import graders  # noqa: E402
from autograd_exercises.build import course as course_mod  # noqa: E402
from autograd_exercises.build import generate, nbgrader_course, notebooks  # noqa: E402
from autograd_exercises.build.stubs import strip_solutions  # noqa: E402
from autograd_exercises.classroom import course_seed  # noqa: E402
from autograd_exercises.submission import TEST_CELL_MARKER  # noqa: E402

pytestmark = pytest.mark.nbgrader

ROOT = Path(__file__).resolve().parents[1]
SLUGS = [exercise.slug for exercise in graders.EXERCISES]
FULL = "exercise-2" if "exercise-2" in SLUGS else SLUGS[0]
MISSING_HEADER = "# This cell (id:{}) was missing from the submission."
EDITED_TEST = "print('all tests pass')  # the student replaced the test\n"
HOSTILE = ROOT / "tests" / "hostile"
GRADED_LOG = "Graded {}/{}/{}.ipynb out of the kernel"
# The test course's nbgrader_config_local.py: a kernel that nbgrader tried to start would not exist.
NO_KERNEL = 'c = get_config()  # noqa: F821\nc.Execute.kernel_name = "no-such-kernel"\n'

# Each replaces the first solution cell of the release; the other solution cells keep the stub. In a
# kernel, every one of them makes the test cells pass (test_cheats_get_full_marks_in_a_kernel).
CHEATS = {
    "check": "import autograd_exercises.notebook as _n\n_n.check = lambda *a, **k: None\n",
    "builtins": (
        "import builtins, types\n"
        "_real_import = builtins.__import__\n"
        "def _import(name, *args, **kwargs):\n"
        "    if name == 'autograd_exercises.notebook':\n"
        "        return types.SimpleNamespace(check=lambda *a, **k: None)\n"
        "    return _real_import(name, *args, **kwargs)\n"
        "builtins.__import__ = _import\n"),
    "importlib": (
        "import importlib.abc, importlib.machinery, sys\n"
        "class _Fake(importlib.abc.MetaPathFinder, importlib.abc.Loader):\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        return importlib.machinery.ModuleSpec(name, self) if name == 'autograd_exercises.notebook' else None\n"
        "    def create_module(self, spec):\n"
        "        return None\n"
        "    def exec_module(self, module):\n"
        "        module.check = lambda *a, **k: None\n"
        "sys.meta_path.insert(0, _Fake())\n"
        "sys.modules.pop('autograd_exercises.notebook', None)\n"),
    "module": (
        "import autograd_exercises.notebook as _n, types\n"
        "_n.run_check = lambda slug, name: types.SimpleNamespace(name=name, passed=True, notes=[], points=1, max_points=1)\n"),
    "sys-modules": (
        "import sys, types\n"
        "sys.modules['autograd_exercises.notebook'] = types.SimpleNamespace(check=lambda *a, **k: None)\n"),
    "global-check": (
        "def check(*args, **kwargs):\n"
        "    pass\n"
        "get_ipython().input_transformers_cleanup.append(\n"
        "    lambda lines: [line for line in lines if 'import check' not in line])\n"),
}
HOSTILE_SUBMISSIONS = ("print_fake_score", "os_exit_in_function")


# -- building submissions ----------------------------------------------------------------------------

def _text(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def _grade_id(cell: dict) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def _solution_cells(exercise) -> dict[str, str]:
    """Solution cell id → its source in the source notebook (markers included)."""
    source = generate.solution_source(ROOT, exercise)
    return {cell.cell_id: cell.source for cell in notebooks.cells(exercise, source)
            if type(cell).__name__ == "Solution"}


def _without_markers(text: str) -> str:
    return "".join(line for line in text.splitlines(keepends=True)
                   if "### BEGIN SOLUTION" not in line and "### END SOLUTION" not in line)


def _mutated_cells(exercise, mutations) -> dict[str, str] | None:
    """The solution cells with each (old, new) applied once in the cell holding ``old``; None if one is not in any."""
    cells = _solution_cells(exercise)
    for old, new in mutations:
        holder = next((cell_id for cell_id, text in cells.items() if old in text), None)
        if holder is None:
            return None
        cells[holder] = cells[holder].replace(old, new, 1)
    return cells


def _filled(release: dict, cells: dict[str, str]) -> dict:
    """The release notebook with its solution cells replaced by ``cells`` (markers removed)."""
    nb = copy.deepcopy(release)
    for cell in nb["cells"]:
        if _grade_id(cell) in cells:
            cell["source"] = _without_markers(cells[_grade_id(cell)])
    return nb


def _with_first_solution(release: dict, source: str) -> dict:
    """The release with its first solution cell replaced by ``source`` (the others keep the stub)."""
    nb = copy.deepcopy(release)
    solutions = [cell for cell in nb["cells"] if cell.get("metadata", {}).get("nbgrader", {}).get("solution")]
    solutions[0]["source"] = source
    return nb


def _hostile(release: dict, exercise, name: str) -> dict:
    """The release with ``tests/hostile/<name>.py`` (a whole exercise-2 module) as its only solution code."""
    nb = _with_first_solution(release, (HOSTILE / f"{name}.py").read_text(encoding="utf-8"))
    for cell in [c for c in nb["cells"] if c.get("metadata", {}).get("nbgrader", {}).get("solution")][1:]:
        cell["source"] = ""
    return nb


def _mistakes(exercise) -> dict[str, tuple]:
    """The exercise's ``MISTAKES`` that can be made by editing solution cells only."""
    try:
        module = importlib.import_module(f"tests.test_{exercise.module}")
    except Exception:  # not written yet, or broken: its own tests say so
        return {}
    return {name: spec for name, spec in getattr(module, "MISTAKES", {}).items()
            if _mutated_cells(exercise, spec[0]) is not None}


def _chosen_mistakes(exercise) -> list[str]:
    return list(_mistakes(exercise))[: 2 if exercise.slug == FULL else 1]


MISTAKE_CASES = [pytest.param(e.slug, name, id=f"{e.slug}-{name}") for e in graders.EXERCISES
                 for name in _chosen_mistakes(e)]
MISTAKE_CASES += [pytest.param(e.slug, None, id=f"{e.slug}-no-mistakes",
                               marks=pytest.mark.skip(reason=f"no MISTAKES in tests/test_{e.module}.py apply to its solution cells"))
                  for e in graders.EXERCISES if not _chosen_mistakes(e)]


# -- the course ------------------------------------------------------------------------------------

@dataclass
class Course:
    root: Path  # a checkout: solutions/, assignments/, autograd_exercises/notebooks/
    built: list[str]  # what `grade build`'s release step wrote there
    build_seconds: float

    @property
    def dir(self) -> Path:
        return course_mod.course_dir(self.root)

    def release(self, slug: str) -> dict:
        return json.loads((self.dir / "release" / slug / f"{slug}.ipynb").read_text(encoding="utf-8"))


@dataclass
class Graded:
    """One exercise after one ``nbgrader autograde``: per student, nbgrader's and ``grade``'s points."""

    nbgrader: dict[str, dict[str, float]]  # student → grade_id → points (+ "__total__")
    needs_manual: dict[str, set[str]]
    autograded: dict[str, dict]  # student → the graded notebook
    grade: dict[str, dict[str, float]]  # student → check → points, ``grade`` on the submitted .ipynb
    grade_py: dict[str, dict[str, float]]  # student → check → points, ``grade`` on the same code as .py
    tampering: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    log: str = ""  # what nbgrader autograde printed


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Course:
    """A checkout with the committed shipped notebooks and the course as generated now, released.

    Its ``nbgrader_config_local.py`` (:data:`NO_KERNEL`) names a kernel that does not exist, so an
    autograde that started a kernel would fail.
    """
    root = tmp_path_factory.mktemp("checkout")
    shutil.copytree(ROOT / "solutions", root / "solutions")
    for relative, text in generate.expected_files(ROOT).items():
        if relative.startswith(course_mod.COURSE + "/"):
            (root / relative).parent.mkdir(parents=True, exist_ok=True)
            (root / relative).write_text(text, encoding="utf-8")
    (root / course_mod.COURSE / "nbgrader_config_local.py").write_text(NO_KERNEL, encoding="utf-8")
    shipped = ROOT / course_mod.PACKAGE_NOTEBOOKS
    if shipped.is_dir():
        shutil.copytree(shipped, root / course_mod.PACKAGE_NOTEBOOKS)
    start = time.perf_counter()
    built = course_mod.release_all(root)  # one generate_assignment process for every exercise
    return Course(root, built, time.perf_counter() - start)


def _tamper(nb: dict, exercise, passed: dict[str, bool]) -> tuple[dict, dict[str, Any]]:
    """Edit the first failing check's test cell; delete the other test cells of the last failing check's function.

    (For exercise 2's ``no_retain_grad``: edit ``forward_retains_y_grad``, delete the three
    consecutive test cells of ``gradients``, two of which pass.)
    """
    failing = [c for c in exercise.checks if not passed[c.name]]
    edited = [failing[0].name] if failing else []
    function = (failing[-1] if failing else exercise.checks[0]).function
    deleted = [c.name for c in exercise.checks if c.function == function and c.name not in edited]
    ids = {notebooks.check_cell_id(exercise.check(name)): name for name in edited + deleted}
    nb = copy.deepcopy(nb)
    for cell in nb["cells"]:
        if ids.get(_grade_id(cell)) in edited:
            cell["source"] = EDITED_TEST
    nb["cells"] = [cell for cell in nb["cells"] if ids.get(_grade_id(cell)) not in deleted]
    return nb, {"edited": edited, "deleted": deleted}


def _gradebook_flags(course_dir: Path, slug: str, students: list[str]) -> dict[str, set[str]]:
    from nbgrader.api import Gradebook

    flags: dict[str, set[str]] = {}
    with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}", nbgrader_course.COURSE_ID) as gb:
        for student in students:
            submission = gb.find_submission(slug, student)
            flags[student] = {g.name for nb in submission.notebooks for g in nb.grades if g.needs_manual_grade}
    return flags


@pytest.fixture(scope="module")
def graded(course, grade_source, sandbox, tmp_path_factory):
    """``graded(slug)`` → :class:`Graded`, made on first use (one autograde per exercise).

    ``grade``'s points come from what ``grade exercise-N FILE --seed 0`` runs
    (``submission.load`` then ``grading.grade``), in the test session's sandbox.
    """
    from autograd_exercises import grading, submission

    cache: dict[str, Graded] = {}

    def make(slug: str) -> Graded:
        if slug in cache:
            return cache[slug]
        start = time.perf_counter()
        exercise = graders.find(slug)
        release = course.release(slug)
        mistakes = _mistakes(exercise)
        code = {"solution": _solution_cells(exercise)}
        code.update({f"mistake-{name}": _mutated_cells(exercise, mistakes[name][0]) for name in _chosen_mistakes(exercise)})
        submissions = {student: _filled(release, cells) for student, cells in code.items()}
        submissions["release"] = release
        tampering: dict[str, Any] = {}
        if slug == FULL:
            base = next((s for s in submissions if s.startswith("mistake-")), "solution")
            module_text = generate.solution_source(ROOT, exercise)
            if base != "solution":
                for old, new in mistakes[base.removeprefix("mistake-")][0]:
                    module_text = module_text.replace(old, new, 1)
            passed = {c.name: c.passed for c in grade_source(slug, module_text, seed=0).checks}
            submissions["tampered"], tampering = _tamper(submissions[base], exercise, passed)
            tampering["base"] = base
            submissions.update({f"cheat-{how}": _with_first_solution(release, code) for how, code in CHEATS.items()})
            submissions.update({f"hostile-{name}": _hostile(release, exercise, name) for name in HOSTILE_SUBMISSIONS})
        for student, nb in submissions.items():
            folder = course.dir / "submitted" / student / slug
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{slug}.ipynb").write_text(json.dumps(nb, indent=1), encoding="utf-8")
        log = nbgrader_course.run_nbgrader(course.dir, "autograde", slug, "--student=*", "--create", "--force")

        students = sorted(submissions)
        scratch = tmp_path_factory.mktemp(f"grade-{slug}")
        py_files = {}
        for student, cells in code.items():
            text = generate.solution_source(ROOT, exercise)
            for cell_id, cell_text in _solution_cells(exercise).items():
                text = text.replace(cell_text, cells[cell_id], 1)
            py_files[student] = scratch / f"{student}.py"
            py_files[student].write_text(text, encoding="utf-8")
        paths = [course.dir / "submitted" / s / slug / f"{slug}.ipynb" for s in students] + list(py_files.values())
        results = [grading.grade(exercise, submission.load(path), sandbox=sandbox, seed=0) for path in paths]
        points = [{c.name: c.points for c in result.checks} for result in results]
        autograded = {s: json.loads((course.dir / "autograded" / s / slug / f"{slug}.ipynb").read_text(encoding="utf-8"))
                      for s in students}
        cache[slug] = Graded(
            nbgrader={s: nbgrader_course.scores(course.dir, slug, s) for s in students},
            needs_manual=_gradebook_flags(course.dir, slug, students),
            autograded=autograded,
            grade=dict(zip(students, points[: len(students)])),
            grade_py=dict(zip(py_files, points[len(students):])),
            tampering=tampering,
            seconds=time.perf_counter() - start,
            log=log,
        )
        return cache[slug]

    return make


def _by_check(exercise, scores: dict[str, float]) -> dict[str, float]:
    """nbgrader's per-grade-id scores keyed by check name (every check must have its cell)."""
    return {check.name: scores[notebooks.check_cell_id(check)] for check in exercise.checks}


# -- build and release ---------------------------------------------------------------------------------

def test_build_is_idempotent_and_shipped_notebooks_are_current(course):
    """Releasing the committed course again writes nothing: the shipped notebooks are what nbgrader makes now.

    The committed notebooks came out of an earlier ``grade build``, so this also shows nbgrader's
    release is byte-stable from one run to the next.
    """
    assert course.built == [], f"run `grade build`: {course.built} were out of date"


def test_build_check_finds_an_edited_shipped_notebook_and_writes_nothing(course):
    """``grade build --check`` (course.release_drift) releases in a temporary copy: an edited shipped notebook is
    out of date, and neither it nor the course is written."""
    shipped = course.root / course_mod.shipped_path(SLUGS[1])
    kept = shipped.read_text(encoding="utf-8")
    before = sorted(str(path) for path in (course.root / course_mod.COURSE).rglob("*"))
    try:
        shipped.write_text(kept.replace('"cells": [', '"cells": [ ', 1) + "\n", encoding="utf-8")
        assert course_mod.release_drift(course.root) == [course_mod.shipped_path(SLUGS[1])]
        assert shipped.read_text(encoding="utf-8") != kept
    finally:
        shipped.write_text(kept, encoding="utf-8")
    assert course_mod.release_drift(course.root) == []
    assert sorted(str(path) for path in (course.root / course_mod.COURSE).rglob("*")) == before


@pytest.mark.parametrize("slug", SLUGS)
def test_release_has_no_solutions_or_hidden_tests(course, slug):
    exercise = graders.find(slug)
    release = course.release(slug)
    text = json.dumps(release)
    assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text
    cells = {_grade_id(cell): cell for cell in release["cells"]}
    for cell_id, source in _solution_cells(exercise).items():
        assert _text(cells[cell_id]).rstrip() == strip_solutions(source).rstrip(), cell_id  # the stub, not the solution
    for check in exercise.checks:
        cell = cells[notebooks.check_cell_id(check)]
        meta = cell["metadata"]
        assert meta["nbgrader"]["points"] == check.points and meta["editable"] is False and meta["deletable"] is False
        assert TEST_CELL_MARKER in _text(cell)
        assert ("check(" in _text(cell)) is not check.hidden, check.name  # hidden checks are removed
    assert sum(c["metadata"]["nbgrader"].get("points", 0) for c in release["cells"]) == exercise.max_score


# -- autograde ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("slug", SLUGS)
def test_solution_gets_full_points(graded, slug):
    exercise = graders.find(slug)
    result = graded(slug)
    assert _by_check(exercise, result.nbgrader["solution"]) == {c.name: c.points for c in exercise.checks}
    assert result.nbgrader["solution"]["__total__"] == exercise.max_score
    assert result.grade["solution"] == result.grade_py["solution"] == {c.name: c.points for c in exercise.checks}


@pytest.mark.parametrize("slug", SLUGS)
def test_unchanged_release_gets_zero(graded, slug):
    result = graded(slug)
    assert set(result.nbgrader["release"].values()) == {0.0}
    assert set(result.grade["release"].values()) == {0.0}
    assert result.needs_manual["release"] == set()  # every test ran: zero because it failed


@pytest.mark.parametrize("slug, mistake", MISTAKE_CASES)
def test_mistake_gets_the_same_points_as_grade(graded, slug, mistake):
    exercise = graders.find(slug)
    result = graded(slug)
    student = f"mistake-{mistake}"
    expected = _mistakes(exercise)[mistake][1]
    nbgrader_points = _by_check(exercise, result.nbgrader[student])
    assert nbgrader_points == result.grade[student] == result.grade_py[student]
    assert result.nbgrader[student]["__total__"] == expected


@pytest.mark.parametrize("slug", SLUGS)
def test_test_cells_never_write_to_stderr(graded, slug):
    """nbgrader zeroes a test cell with any stderr output: ours print on stdout, or raise."""
    result = graded(slug)
    for student, nb in result.autograded.items():
        for cell in nb["cells"]:
            if cell["cell_type"] == "code" and cell["metadata"].get("nbgrader", {}).get("grade"):
                streams = [o for o in cell["outputs"] if o["output_type"] == "stream" and o["name"] == "stderr"]
                assert streams == [], (student, _grade_id(cell), streams)


def test_tampered_test_cells_are_graded_with_the_original_tests(graded):
    """An edited test cell is restored from the gradebook; a deleted one is re-inserted and run.

    This is nbgrader's OverwriteCells (checksums of locked cells) with
    ``add_missing_cells = True`` in our nbgrader_config.py.
    """
    exercise = graders.find(FULL)
    result = graded(FULL)
    tampering, base = result.tampering, result.tampering["base"]
    assert tampering["edited"] and tampering["deleted"], tampering
    # Same points as the untampered submission, from nbgrader and from `grade`.
    assert _by_check(exercise, result.nbgrader["tampered"]) == result.grade["tampered"] == result.grade[base]
    assert result.nbgrader["tampered"]["__total__"] == result.nbgrader[base]["__total__"]
    assert result.needs_manual["tampered"] == set()
    cells = result.autograded["tampered"]["cells"]
    position = {_grade_id(cell): index for index, cell in enumerate(cells)}
    original = {notebooks.check_cell_id(c): notebooks.test_source(exercise, c) for c in exercise.checks}
    for name in tampering["edited"]:  # restored: the edit would have passed
        cell_id = notebooks.check_cell_id(exercise.check(name))
        assert _text(cells[position[cell_id]]) == original[cell_id]
        assert result.nbgrader["tampered"][cell_id] == 0.0
    for name in tampering["deleted"]:  # re-inserted after its solution cell, and graded
        check = exercise.check(name)
        cell = cells[position[notebooks.check_cell_id(check)]]
        assert _text(cell).startswith(MISSING_HEADER.format(notebooks.check_cell_id(check)))
        assert _text(cell).endswith(original[notebooks.check_cell_id(check)])
        verdict = cell["outputs"][-1]  # graded like any test cell: its check's verdict
        if result.grade["tampered"][name] > 0:
            assert verdict["output_type"] == "stream" and f"✓ {name}: " in "".join(verdict["text"])
        else:
            assert verdict["output_type"] == "error" and verdict["evalue"].startswith(f"{name}: ")
        assert position[notebooks.check_cell_id(check)] > position[notebooks.solution_cell_id(check.function)]
    # A deleted test that passes gets its points: it was re-inserted and graded, not scored 0 as missing.
    assert any(result.nbgrader["tampered"][notebooks.check_cell_id(exercise.check(n))] > 0 for n in tampering["deleted"])


# -- out of the kernel: cheating, hostile code, feedback ----------------------------------------------

def test_autograde_starts_no_kernel(graded):
    """Every notebook is graded by our step, in nbgrader's own process, in a course where no kernel can start."""
    result = graded(FULL)
    assert "No such kernel" not in result.log and "ERROR" not in result.log
    for student in result.nbgrader:
        assert GRADED_LOG.format(student, FULL, FULL) in result.log, student


@pytest.mark.parametrize("how", list(CHEATS))
def test_cheating_in_the_kernel_gets_zero(graded, how):
    """A solution cell that disarms the test cells in the kernel gains nothing: no kernel grades it."""
    result = graded(FULL)
    student = f"cheat-{how}"
    assert set(result.nbgrader[student].values()) == {0.0}, result.nbgrader[student]
    assert set(result.grade[student].values()) == {0.0}
    assert result.needs_manual[student] == set()


@pytest.mark.parametrize("student", [f"cheat-{how}" for how in CHEATS] + [f"hostile-{n}" for n in HOSTILE_SUBMISSIONS])
def test_hostile_notebooks_get_the_same_points_as_grade(graded, student):
    exercise = graders.find(FULL)
    result = graded(FULL)
    assert _by_check(exercise, result.nbgrader[student]) == result.grade[student]
    assert result.nbgrader[student]["__total__"] == sum(result.grade[student].values())
    if student.startswith("hostile-"):  # the attacks fail some checks, and only those
        assert 0 < result.nbgrader[student]["__total__"] < exercise.max_score


def test_cheats_get_full_marks_in_a_kernel(course, graded, tmp_path):
    """The cheats are real: with nbgrader's own Execute step (a kernel per notebook) each gets full marks.

    A copy of the course, whose nbgrader_config_local.py puts nbgrader's default pipeline back (and
    the real kernel).
    """
    result = graded(FULL)
    copy_dir = tmp_path / "assignments"
    shutil.copytree(course.dir, copy_dir, ignore=shutil.ignore_patterns("autograded", "feedback"))
    (copy_dir / "nbgrader_config_local.py").write_text(
        "from nbgrader.converters.autograde import Autograde\n"
        "c = get_config()  # noqa: F821\n"
        "c.Autograde.autograde_preprocessors = Autograde.class_traits()['autograde_preprocessors'].default()\n",
        encoding="utf-8")
    log = nbgrader_course.run_nbgrader(copy_dir, "autograde", FULL, "--student=cheat-*", "--force")
    assert "out of the kernel" not in log
    exercise = graders.find(FULL)
    for how in CHEATS:
        in_kernel = nbgrader_course.scores(copy_dir, FULL, f"cheat-{how}")
        assert in_kernel["__total__"] == exercise.max_score, (how, in_kernel)
        assert result.nbgrader[f"cheat-{how}"]["__total__"] == 0


@pytest.mark.parametrize("fault", ["secret", "AUTOGRAD_SEED"])
def test_a_bad_course_seed_stops_autograde_with_one_line(course, graded, tmp_path, fault):
    """A course's seed that cannot be read fails every notebook alike: the run stops at the first with one line
    (no traceback of ours, each student in turn), exit 1, and leaves no half-made ``autograded/`` folder, so the
    run after the fix grades that student."""
    graded(FULL)
    copy_dir = tmp_path / "assignments"
    shutil.copytree(course.dir, copy_dir, ignore=shutil.ignore_patterns("autograded", "feedback"))
    env = nbgrader_course._child_env()
    if fault == "secret":
        course_seed.secret_path(copy_dir / "gradebook.db").write_text("not a number\n", encoding="utf-8")
    else:
        env["AUTOGRAD_SEED"] = "-3"
    proc = subprocess.run([sys.executable, "-m", "nbgrader", "autograde", FULL, "--student=solution", "--force"],
                          cwd=copy_dir, env=env, capture_output=True, text=True, timeout=600, check=False)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 1, log
    errors = [line for line in log.splitlines() if "ERROR" in line]
    assert len(errors) == 1 and "Cannot grade out of the kernel: " in errors[0], log
    assert ("must hold one whole number" if fault == "secret" else "AUTOGRAD_SEED must be a whole number") in errors[0]
    assert "Traceback" not in log
    assert not (copy_dir / "autograded" / "solution" / FULL).exists()


def test_a_cell_claiming_another_metadata_format_fails_no_one_else(course, tmp_path):
    """Red team 213: nbgrader ends the whole autograde run on a cell whose metadata claims another version of its
    format (SchemaTooOldError), and OverwriteCells does not put that field back: one student's solution cell at
    version 1 (or a test cell at 99) left every student after them ungraded, on every run. The course's config sets
    the version first (``nbgrader_step.CurrentMetadataSchema``): every student is graded, those two too."""
    exercise = graders.find(FULL)
    copy_dir = tmp_path / "assignments"
    shutil.copytree(course.dir, copy_dir, ignore=shutil.ignore_patterns("autograded", "feedback", "submitted"))
    honest = _filled(course.release(FULL), _solution_cells(exercise))
    old, new = copy.deepcopy(honest), copy.deepcopy(honest)
    next(cell for cell in old["cells"] if cell["metadata"].get("nbgrader", {}).get("solution"))[
        "metadata"]["nbgrader"]["schema_version"] = 1
    next(cell for cell in new["cells"] if cell["metadata"].get("nbgrader", {}).get("grade"))[
        "metadata"]["nbgrader"]["schema_version"] = 99
    for student, nb in {"amy": honest, "bea": old, "cal": new, "dan": honest}.items():
        folder = copy_dir / "submitted" / student / FULL
        folder.mkdir(parents=True)
        (folder / f"{FULL}.ipynb").write_text(json.dumps(nb, indent=1), encoding="utf-8")
    log = nbgrader_course.run_nbgrader(copy_dir, "autograde", FULL, "--student=*", "--create", "--force")
    top = sum(check.points for check in exercise.checks)
    assert {student: nbgrader_course.scores(copy_dir, FULL, student)["__total__"] for student in "amy bea cal dan".split()} \
        == dict.fromkeys("amy bea cal dan".split(), top), log


def test_a_submitted_folder_with_a_link_or_a_pipe_fails_its_student_alone(course, tmp_path):
    """Red team 214: nbgrader copies every file of a student's submitted folder into autograded/ (and feedback/),
    following links, and reads the notebook whatever it is: a link to the course's secret seed handed it to the student,
    a link to /dev/zero filled the disk and a pipe named like the notebook held the run for good, every student after
    ungraded. The course's config checks the folder first (``nbgrader_submitted.guard_submitted_folders``): such a
    student is not graded, with one line that names the entry; the others are."""
    import os

    exercise = graders.find(FULL)
    copy_dir = tmp_path / "assignments"
    shutil.copytree(course.dir, copy_dir, ignore=shutil.ignore_patterns("autograded", "feedback", "submitted"))
    course_seed.secret_path(copy_dir / "gradebook.db").write_text("123456789\n", encoding="utf-8")
    honest = json.dumps(_filled(course.release(FULL), _solution_cells(exercise)))
    for student in ("amy", "bea", "cal", "dan"):
        (copy_dir / "submitted" / student / FULL).mkdir(parents=True)
        if student != "cal":
            (copy_dir / "submitted" / student / FULL / f"{FULL}.ipynb").write_text(honest, encoding="utf-8")
    os.symlink("../../../gradebook.db.seed", copy_dir / "submitted" / "bea" / FULL / "notes.txt")
    os.symlink("/dev/zero", copy_dir / "submitted" / "bea" / FULL / "data.bin")
    os.mkfifo(copy_dir / "submitted" / "cal" / FULL / f"{FULL}.ipynb")
    proc = subprocess.run([sys.executable, "-m", "nbgrader", "autograde", FULL, "--student=*", "--create", "--force"],
                          cwd=copy_dir, env=nbgrader_course._child_env(), capture_output=True, text=True, timeout=300,
                          check=False)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 1, log
    top = sum(check.points for check in exercise.checks)
    assert [nbgrader_course.scores(copy_dir, FULL, student)["__total__"] for student in ("amy", "dan")] == [top, top]
    refused = [line for line in log.splitlines() if "Not graded: " in line]
    assert len(refused) == 2 and "bea's exercise-2: " in refused[0] and "is a link, which nbgrader would copy" in \
        refused[0] and "cal's exercise-2: " in refused[1] and "is a pipe, a device or a socket" in refused[1], log
    assert not (copy_dir / "autograded" / "bea").exists() and not (copy_dir / "autograded" / "cal").exists()


def test_generate_feedback_shows_our_feedback_in_the_failed_cells(course, graded):
    """``nbgrader generate_feedback`` renders the graded notebook: each failed check's feedback, each pass's verdict."""
    import html

    exercise = graders.find(FULL)
    result = graded(FULL)
    student = next(s for s in result.nbgrader if s.startswith("mistake-"))
    nbgrader_course.run_nbgrader(course.dir, "generate_feedback", FULL, f"--student={student}", "--force")
    page = html.unescape((course.dir / "feedback" / student / FULL / f"{FULL}.html").read_text(encoding="utf-8"))
    graded_cells = {_grade_id(cell): cell for cell in result.autograded[student]["cells"]}
    failed = [c for c in exercise.checks if result.nbgrader[student][notebooks.check_cell_id(c)] == 0]
    assert failed
    for check in exercise.checks:
        outputs = graded_cells[notebooks.check_cell_id(check)]["outputs"]
        if check in failed:
            error = outputs[-1]
            assert error["output_type"] == "error" and error["evalue"].startswith(f"{check.name}: ")
            assert len(error["evalue"]) > len(check.name) + 20  # real feedback, not just a name
            assert error["evalue"] in page, check.name
        else:
            assert f"✓ {check.name}: {check.points:g}/{check.points:g} points" in page


def test_grade_command_on_the_submitted_notebook_agrees_with_nbgrader(course, graded, tmp_path):
    """``grade exercise-N FILE.ipynb --seed 0`` (the real command) on a mistaken notebook nbgrader graded."""
    import subprocess
    import sys

    exercise = graders.find(FULL)
    result = graded(FULL)
    student = next((s for s in result.nbgrader if s.startswith("mistake-")), "solution")
    path = course.dir / "submitted" / student / FULL / f"{FULL}.ipynb"
    proc = subprocess.run([sys.executable, "-m", "autograd_exercises.cli", FULL, str(path), "--seed", "0",
                           "--format", "json"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode in (0, 1), proc.stderr
    report = json.loads(proc.stdout)
    points = {test["name"].split(": ", 1)[1]: test["score"] for test in report["tests"]}
    assert points == _by_check(exercise, result.nbgrader[student])
    assert report["score"] == result.nbgrader[student]["__total__"]


def test_timings_stay_small(course, graded):
    """Not a performance test: prints where the time goes (run with -s), fails only if absurd."""
    result = graded(FULL)
    print(f"\nrelease_all: {course.build_seconds:.1f}s; "
          f"{FULL}: {len(result.nbgrader)} notebooks graded in {result.seconds:.1f}s")
    assert result.seconds < 240


# -- the kernel's history, as a student uses it -----------------------------------------------------

def test_checks_follow_the_kernel_not_the_notebook_order(course):
    """Run cells out of order, twice, with failing experiments: the checks grade what the kernel holds."""
    from jupyter_client.manager import start_new_kernel

    exercise = graders.find(FULL)
    release = {_grade_id(cell): _text(cell) for cell in course.release(FULL)["cells"] if _grade_id(cell)}
    solutions = {cell_id: _without_markers(text) for cell_id, text in _solution_cells(exercise).items()}
    first = exercise.checks[0]
    test_cell = release[notebooks.check_cell_id(first)]
    solution_cell = notebooks.solution_cell_id(first.function)

    env_kernel = nbgrader_course._child_env()
    km, kc = start_new_kernel(kernel_name="python3", env=env_kernel)
    try:
        def run(code: str) -> list[tuple[str, str]]:
            reply_outputs: list[tuple[str, str]] = []

            def hook(msg: dict) -> None:
                kind, content = msg["msg_type"], msg["content"]
                if kind == "stream":
                    reply_outputs.append((content["name"], content["text"]))
                elif kind == "error":
                    reply_outputs.append(("error", f"{content['ename']}: {content['evalue']}"))

            kc.execute_interactive(code, timeout=120, output_hook=hook)
            return reply_outputs

        assert run(release["setup"]) == []
        run(release[solution_cell])  # the stub
        stub_verdict = run(test_cell)
        run(f"{first.function}(1.0)")  # an experiment that raises at top level (NotImplementedError)
        run("def helper():\n    return 1\nundefined_name + 1\n")  # raises after defining helper
        run("def broken(:\n    pass\n")  # does not compile
        run(solutions[solution_cell])
        run(solutions[solution_cell])  # twice
        for cell_id, text in solutions.items():  # every other solution, in reverse order
            if cell_id != solution_cell:
                run(text)
        verdicts = [run(release[notebooks.check_cell_id(c)]) for c in exercise.checks if not c.hidden]
        scratch = run(f"check({FULL!r}, {first.name!r})")  # a check called from a scratch cell
        helper = run("print(helper())")
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    assert stub_verdict and stub_verdict[-1][0] == "error" and "not implemented yet" in stub_verdict[-1][1]
    for verdict in verdicts + [scratch]:
        assert {kind for kind, _ in verdict} == {"stdout"}, verdict  # no error, nothing on stderr
        assert "✓ " in "".join(text for _, text in verdict), verdict
    # a kernel may send one print as more than one stream message ("1", then "\n"): compare the text
    assert {kind for kind, _ in helper} == {"stdout"} and "".join(text for _, text in helper) == "1\n", helper


# -- notebooks as students leave them: nbgrader's points, three ways -------------------------------------

KERNEL_CELL_TIMEOUT = 30.0  # nbgrader's kernels' cell budget here: a test cell there starts a sandbox and trains
# exercise 6 (the course's 20 s, notebook_cases.CELL_TIMEOUT, left the train checks at zero once in a full suite)
SHORT_CELL_TIMEOUT = 5.0  # the out-of-kernel ways' cell budget here: no kernel or sandbox starts inside a cell (all the
# cells together get three times it: the interrupted cell spends one, and 3 s a cell left too little under a full suite)

KERNEL_PIPELINE = (  # nbgrader's own autograde: a kernel per notebook, each test cell checking in it
    "from nbgrader.converters.autograde import Autograde\n"
    "c = get_config()  # noqa: F821\n"
    "c.Autograde.autograde_preprocessors = Autograde.class_traits()['autograde_preprocessors'].default()\n")


def test_notebooks_get_nbgraders_points_three_ways(course, sandbox, tmp_path):
    """``tests/notebook_cases.py``'s notebooks (out of order, a stale redefinition, an interrupted cell, magics,
    errors, plots): nbgrader's own kernel execution, our out-of-kernel autograde and ``grade`` give the same
    points, check by check, and the points the cases expect.

    In a copy of the course whose cell timeout (nbgrader's ``Execute.timeout``) is
    :data:`KERNEL_CELL_TIMEOUT` for the kernels (a test cell there starts a sandbox: it needs the time)
    and a short one for the out-of-kernel step, which reads it from the config (each way spins out the
    interrupted cell's budget, so a short one saves its difference twice).
    """
    from autograd_exercises import grading, submission
    from tests.notebook_cases import CASES, expected_points

    copy_dir = tmp_path / "assignments"
    shutil.copytree(course.dir, copy_dir, ignore=shutil.ignore_patterns("autograded", "feedback", "submitted"))
    paths = {}
    for case in CASES:
        folder = copy_dir / "submitted" / f"nb-{case.name}" / case.slug
        folder.mkdir(parents=True)
        paths[case.name] = folder / f"{case.slug}.ipynb"
        paths[case.name].write_text(json.dumps(case.make(), indent=1), encoding="utf-8")
    slugs = list(dict.fromkeys(case.slug for case in CASES))

    def autograde_all(config: str, cell_timeout: float) -> dict[str, dict[str, float]]:
        (copy_dir / "nbgrader_config_local.py").write_text(f"{config}c.Execute.timeout = {cell_timeout:g}\n",
                                                           encoding="utf-8")
        for slug in slugs:
            nbgrader_course.run_nbgrader(copy_dir, "autograde", slug, "--student=nb-*", "--create", "--force")
        return {case.name: _by_check(graders.find(case.slug),
                                     nbgrader_course.scores(copy_dir, case.slug, f"nb-{case.name}")) for case in CASES}

    out_of_kernel = autograde_all(NO_KERNEL, SHORT_CELL_TIMEOUT)
    in_kernels = autograde_all(KERNEL_PIPELINE, KERNEL_CELL_TIMEOUT)
    graded = {case.name: {c.name: c.points for c in grading.grade(
        graders.find(case.slug), submission.load(paths[case.name]), sandbox=sandbox, seed=0,
        cell_timeout=SHORT_CELL_TIMEOUT).checks} for case in CASES}
    for case in CASES:
        expected = expected_points(case, graders.find(case.slug))
        assert in_kernels[case.name] == expected, (case.name, "nbgrader in kernels", in_kernels[case.name])
        assert out_of_kernel[case.name] == expected, (case.name, "nbgrader out of the kernel", out_of_kernel[case.name])
        assert graded[case.name] == expected, (case.name, "grade", graded[case.name])
