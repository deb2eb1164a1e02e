"""Tests for autograd_exercises.build.notebook and .nbgrader_course.

The ``nbgrader``-marked tests drive the real nbgrader 0.9.6 CLI on a toy
exercise: one ``generate_assignment`` and two ``autograde`` runs shared by
the whole module (each graded notebook starts its own kernel).
"""

from __future__ import annotations

import copy
import importlib.util
import json
import os
import sys
from pathlib import Path

import pytest

from autograd_exercises.build.nbgrader_course import (
    NbgraderError,
    autograde,
    generate_assignment,
    scores,
    write_config,
)
from autograd_exercises.build.notebook import (
    Code,
    Markdown,
    Solution,
    Test,
    code_cells,
    dump_notebook,
    make_notebook,
)

ASSIGNMENT = "toy"
SOLUTION = "def double(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION\n"
HIDDEN_TEST = (
    "assert double(2) == 4\n"
    "### BEGIN HIDDEN TESTS\n"
    "assert double(torch.tensor(3.0)).item() == 6.0\n"
    "### END HIDDEN TESTS\n"
)


def toy_cells():
    return [
        Markdown("Implement `double(x)` so that it returns `2 * x`.", cell_id="intro"),
        Code("import torch\n", cell_id="imports"),
        Solution(SOLUTION, cell_id="double"),
        Test("assert double(1) == 2\n", cell_id="test_visible", points=1),
        Test(HIDDEN_TEST, cell_id="test_hidden", points=2),
    ]


def probe_cells():
    """Test cells that need no student code: they record how nbgrader scores outputs."""
    return [
        Test(f"import os, sys\nassert os.path.realpath(sys.prefix) == {os.path.realpath(sys.prefix)!r}\n",
             cell_id="probe_kernel", points=1),
        Test("import sys\nprint('diagnostic', file=sys.stderr)\n", cell_id="probe_stderr", points=1),
        Test("import warnings\nwarnings.warn('a UserWarning')\n", cell_id="probe_warning", points=1),
        Test("0.25\n", cell_id="probe_partial", points=1),
        Test("1 - 1\n", cell_id="probe_zero_result", points=1),
        Test("True\n", cell_id="probe_true_result", points=1),
    ]


# --------------------------------------------------------------------------- pure notebook tests


def test_make_notebook_is_deterministic():
    first = dump_notebook(make_notebook(toy_cells(), title="Toy"))
    second = dump_notebook(make_notebook(toy_cells(), title="Toy"))
    assert first == second
    assert first.endswith("}\n") and '"nbformat_minor": 5' in first


def test_notebook_schema_and_metadata():
    nbformat = pytest.importorskip("nbformat")
    jsonschema = pytest.importorskip("jsonschema")
    spec = importlib.util.find_spec("nbgrader")  # read nbgrader's schema without importing nbgrader (slow)
    if spec is None:
        pytest.skip("nbgrader not installed")
    schema = json.loads((Path(spec.origin).parent / "nbgraderformat" / "v3.json").read_text(encoding="utf-8"))

    nb = make_notebook([Markdown("plain", locked=False), *toy_cells()], title="Toy")
    nbformat.validate(nbformat.from_dict(json.loads(dump_notebook(nb))))
    for cell in nb["cells"]:
        if "nbgrader" in cell["metadata"]:
            jsonschema.validate(cell["metadata"]["nbgrader"], schema)
    assert [c["id"] for c in nb["cells"]] == [
        "notebook-title", "md-1", "intro", "imports", "double", "test_visible", "test_hidden"]
    assert "nbgrader" not in nb["cells"][1]["metadata"]
    meta = {c["id"]: c["metadata"].get("nbgrader") for c in nb["cells"]}
    assert meta["test_hidden"] == {"grade": True, "grade_id": "test_hidden", "locked": True, "points": 2.0,
                                   "schema_version": 3, "solution": False, "task": False}
    assert meta["double"]["solution"] and not meta["double"]["locked"] and not meta["double"]["grade"]
    assert meta["intro"]["locked"] and meta["imports"]["locked"] and not meta["imports"]["grade"]
    assert nb["metadata"]["kernelspec"]["name"] == "python3"


def test_a_students_notebook_exports_to_a_module_the_grader_reads_as_its_notebook():
    """Fairness 68: with only the language's name in its metadata, ``nbconvert --to script`` wrote a .txt holding
    IPython's syntax as written; with a kernel's full language info it writes a .py whose magics are ``get_ipython()``
    calls and whose cells are marked, which the grader reads as the notebook it came from."""
    exporters = pytest.importorskip("nbconvert.exporters")
    nbformat = pytest.importorskip("nbformat")
    from autograd_exercises import submission

    student = Path(__file__).resolve().parents[1] / "autograd_exercises" / "notebooks" / "exercise-2.ipynb"
    script, resources = exporters.ScriptExporter().from_notebook_node(nbformat.read(student, as_version=4))
    assert resources["output_extension"] == ".py"
    assert "get_ipython().run_line_magic('load_ext', 'autograd_exercises.notebook')" in script
    read = submission.module_source("exercise-2.py", script.encode())
    assert read.problem == "" and read.kind == "ipynb", read


def test_code_cells_round_trip():
    nb = json.loads(dump_notebook(make_notebook(toy_cells())))
    sources = [(src, meta.get("grade_id")) for src, meta in code_cells(nb)]
    assert sources == [("import torch\n", "imports"), (SOLUTION, "double"),
                       ("assert double(1) == 2\n", "test_visible"), (HIDDEN_TEST, "test_hidden")]


@pytest.mark.parametrize("cells, message", [
    ([Code("x = 1", cell_id="a"), Code("y = 2", cell_id="a")], "duplicate"),
    ([Code("x = 1", cell_id="bad id")], "cell_id"),
    ([Solution("def f():\n    return 1\n", cell_id="f")], "no ### BEGIN SOLUTION"),
    ([Solution("### BEGIN SOLUTION\nx = 1\n", cell_id="f")], "never closed"),
    ([Code("### BEGIN SOLUTION\n### END SOLUTION\n", cell_id="c")], "only allowed in Solution"),
    ([Code("### BEGIN HIDDEN TESTS\n### END HIDDEN TESTS\n", cell_id="c")], "only allowed in Test"),
    ([Test("assert True", cell_id="t", points=-1)], "points"),
])
def test_make_notebook_rejects_what_nbgrader_would_reject(cells, message):
    with pytest.raises(ValueError, match=message):
        make_notebook(cells)


# --------------------------------------------------------------------------- real nbgrader


def _set_source(nb: dict, cell_id: str, source: str) -> None:
    (cell,) = [c for c in nb["cells"] if c["id"] == cell_id]
    cell["source"] = source


def _submit(course: Path, student: str, notebooks: dict[str, dict]) -> None:
    folder = course / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True, exist_ok=True)
    for name, nb in notebooks.items():
        (folder / f"{name}.ipynb").write_text(json.dumps(nb), encoding="utf-8")


def _autograded_cell(course: Path, student: str, cell_id: str) -> dict:
    nb = json.loads((course / "autograded" / student / ASSIGNMENT / "toy.ipynb").read_text(encoding="utf-8"))
    (cell,) = [c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == cell_id]
    return cell


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A graded course: alice (correct), bob (unchanged release), carol (tampered).

    ``results`` holds scores after the first autograde (nbgrader defaults) and
    after re-grading carol with add_missing_cells=True + IgnorePattern(UserWarning).
    """
    pytest.importorskip("nbgrader")
    root = tmp_path_factory.mktemp("course")
    write_config(root)
    source = root / "source" / ASSIGNMENT
    source.mkdir(parents=True)
    (source / "toy.ipynb").write_text(dump_notebook(make_notebook(toy_cells(), title="Toy")), encoding="utf-8")
    (source / "probe.ipynb").write_text(dump_notebook(make_notebook(probe_cells())), encoding="utf-8")
    release = generate_assignment(root, ASSIGNMENT)

    toy = json.loads((release / "toy.ipynb").read_text(encoding="utf-8"))
    probe = json.loads((release / "probe.ipynb").read_text(encoding="utf-8"))
    alice = copy.deepcopy(toy)
    _set_source(alice, "double", "def double(x):\n    return 2 * x\n")
    carol = copy.deepcopy(toy)  # right for ints, wrong for tensors; deletes one test, edits another
    _set_source(carol, "double", "def double(x):\n    return x if torch.is_tensor(x) else 2 * x\n")
    carol["cells"] = [c for c in carol["cells"] if c["id"] != "test_visible"]
    _set_source(carol, "test_hidden", "pass  # tests? what tests?\n")
    _submit(root, "alice", {"toy": alice, "probe": probe})
    _submit(root, "bob", {"toy": toy})
    _submit(root, "carol", {"toy": carol, "probe": probe})

    autograde(root, ASSIGNMENT, "*")  # one nbgrader process for all three students
    results = {s: scores(root, ASSIGNMENT, s) for s in ("alice", "bob", "carol")}
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", "autograd-exercises") as gb:
        results["carol_needs_manual"] = gb.find_grade("test_visible", "toy", ASSIGNMENT, "carol").needs_manual_grade
    results["carol_test_hidden"] = "".join(_autograded_cell(root, "carol", "test_hidden")["source"])

    write_config(root, add_missing_cells=True, ignore_stderr_pattern="UserWarning")
    autograde(root, ASSIGNMENT, "carol")
    results["carol_again"] = scores(root, ASSIGNMENT, "carol")
    results["carol_readded"] = "".join(_autograded_cell(root, "carol", "test_visible")["source"])
    return root, release, results


@pytest.mark.nbgrader
def test_release_has_no_solutions_or_hidden_tests(course):
    _, release, _ = course
    text = (release / "toy.ipynb").read_text(encoding="utf-8")
    assert "return 2 * x" not in text and "BEGIN SOLUTION" not in text
    assert "# YOUR CODE HERE" in text and "raise NotImplementedError()" in text
    assert "BEGIN HIDDEN TESTS" not in text and "torch.tensor(3.0)" not in text
    nb = json.loads(text)
    assert [src for src, meta in code_cells(nb) if meta["grade_id"] == "test_hidden"] == ["assert double(2) == 4\n"]
    locked = {c["id"]: c["metadata"] for c in nb["cells"] if c["id"] in ("intro", "imports", "test_visible")}
    assert all(m["editable"] is False and m["deletable"] is False and len(m["nbgrader"]["checksum"]) == 32
               for m in locked.values())


@pytest.mark.nbgrader
def test_correct_solution_gets_full_points(course):
    _, _, results = course
    alice = results["alice"]
    assert (alice["test_visible"], alice["test_hidden"]) == (1.0, 2.0)
    assert alice["probe_kernel"] == 1.0  # the kernel ran this venv's Python
    assert alice["__total__"] == sum(v for k, v in alice.items() if k != "__total__")


@pytest.mark.nbgrader
def test_unchanged_release_gets_zero(course):
    _, _, results = course
    assert results["bob"] == {"test_visible": 0.0, "test_hidden": 0.0, "__total__": 0.0,
                              **{c.cell_id: 0.0 for c in probe_cells()}}  # probe.ipynb not submitted


@pytest.mark.nbgrader
def test_tampered_tests_are_restored(course):
    _, _, results = course
    # Edited test cell: OverwriteCells puts back the source from the gradebook,
    # hidden tests included, so carol's tensor bug is caught.
    assert results["carol"]["test_hidden"] == 0.0
    assert results["carol_test_hidden"] == HIDDEN_TEST
    # Deleted test cell, nbgrader default (add_missing_cells=False): not run,
    # auto_score stays None -> score 0 and flagged for manual grading.
    assert results["carol"]["test_visible"] == 0.0 and results["carol_needs_manual"] is True
    # add_missing_cells=True: re-inserted (with a comment header) and run.
    assert results["carol_again"]["test_visible"] == 1.0
    assert results["carol_readded"].startswith("# This cell (id:test_visible) was missing")
    assert results["carol_readded"].endswith("\nassert double(1) == 2\n")


@pytest.mark.nbgrader
def test_how_outputs_are_scored(course):
    _, _, results = course
    alice, carol = results["alice"], results["carol_again"]
    assert alice["probe_stderr"] == 0.0  # any stderr stream zeroes a passing test cell
    assert alice["probe_warning"] == 0.0  # ... including warnings.warn
    assert carol["probe_warning"] == 1.0 and carol["probe_stderr"] == 0.0  # IgnorePattern("UserWarning")
    assert alice["probe_partial"] == 0.25  # numeric execute_result = partial credit
    assert alice["probe_zero_result"] == 0.0  # ... so a trailing expression equal to 0 gives 0
    assert alice["probe_true_result"] == 1.0  # non-numeric result -> full credit


@pytest.mark.nbgrader
def test_errors_are_reported(course, tmp_path):
    root, _, _ = course
    with pytest.raises(NbgraderError, match="no notebooks"):
        generate_assignment(root, "missing")
    (tmp_path / "source" / ASSIGNMENT).mkdir(parents=True)
    (tmp_path / "source" / ASSIGNMENT / "toy.ipynb").write_text(dump_notebook(make_notebook(toy_cells())))
    with pytest.raises(NbgraderError, match="nbgrader_config.py"):
        generate_assignment(tmp_path, ASSIGNMENT)
    with pytest.raises(NbgraderError, match="dave"):
        autograde(root, ASSIGNMENT, "dave")


@pytest.mark.nbgrader
def test_a_release_nbgrader_refuses_keeps_the_one_before_and_says_why_in_one_line(course, tmp_path):
    """Walkthrough 62: once there were submissions, a source with a cell added made ``generate_assignment --force``
    fail; the error was the tail of nbgrader's log without its cause, and the release folder was gone (``--force``
    removes it first). Now the error names nbgrader's reason and the release is put back as it was."""
    import shutil

    root = tmp_path / "course"
    shutil.copytree(course[0], root)
    release = root / "release" / ASSIGNMENT
    before = {path.name: path.read_bytes() for path in release.iterdir()}
    cells = toy_cells() + [Test("assert double(2) == 4\n", cell_id="test_added", points=1)]
    (root / "source" / ASSIGNMENT / "toy.ipynb").write_text(dump_notebook(make_notebook(cells, title="Toy")))
    with pytest.raises(NbgraderError) as raised:
        generate_assignment(root, ASSIGNMENT)
    message = str(raised.value)
    assert "\n" not in message and "RuntimeError: Cannot add or remove cells for notebook 'toy'" in message, message
    assert {path.name: path.read_bytes() for path in release.iterdir()} == before


def test_a_stub_keeps_no_line_nbgrader_would_take_for_a_marker():
    """Walkthrough 71: the stub takes a marker only on a line of its own, nbgrader (and this build's notebook check)
    anywhere in a line: ``return 2 * x  ### BEGIN SOLUTION`` would open a region for nbgrader and stay, answer and
    all, in the student's stub. The stub's build refuses it."""
    from autograd_exercises.build.stubs import MarkerError, make_stub

    stub = make_stub("def f(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION\n",
                     exercise_slug="exercise-9", source_name="s.py")
    assert stub.endswith("def f(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()\n") and "2 * x" not in stub
    for inline in ("def f(x):\n    return 2 * x  ### BEGIN SOLUTION\n    ### END SOLUTION\n",
                   "def f(x):\n    ### BEGIN SOLUTION\n    return 2 * x  # END SOLUTION\n"):
        with pytest.raises(MarkerError, match=r"s\.py:[23]: a solution marker must stand on a line of its own"):
            make_stub(inline, exercise_slug="exercise-9", source_name="s.py")
