"""Generated files: committed copies match the exercise sources; shipped notebooks; ``grade start``.

Fast: no nbgrader, no kernel. ``tests/test_nbgrader.py`` checks the shipped
release notebooks against a fresh ``nbgrader generate_assignment``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import graders
from autograd_exercises.build import course, generate, notebooks
from autograd_exercises.build.stubs import strip_solutions

ROOT = Path(__file__).resolve().parents[1]
SLUGS = [exercise.slug for exercise in graders.EXERCISES]


def _text(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def _meta(cell: dict) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def test_committed_generated_files_match_the_exercise_sources():
    """Stubs, nbgrader source notebooks and nbgrader_config.py: `grade build` would change nothing."""
    stale = generate.drift(ROOT, generate.expected_files(ROOT))
    assert stale == [], f"out of date, run `grade build`: {stale}"


def test_the_generated_files_come_from_the_registry_not_from_the_index_they_replace(monkeypatch):
    """Walkthrough 64: a check added to exercise 1 (11 points) gave a Classroom README saying "of the exercise's 10
    points", read from the ``exercises.json`` the same build was replacing, and a new exercise failed to build at all;
    a second build put it right. Whatever the committed index says, one build gives what the registry says."""
    from dataclasses import replace

    from autograd_exercises import catalog

    stale = tuple(replace(info, points=info.points + 7, title="an old title") for info in catalog.exercises())
    monkeypatch.setattr(catalog, "exercises", lambda: stale[:-1])  # (the last exercise not in the index yet)
    assert generate.drift(ROOT, generate.expected_files(ROOT)) == []


def test_writing_generated_files_twice_writes_nothing_the_second_time(tmp_path):
    files = generate.expected_files(ROOT)
    assert sorted(generate.write(tmp_path, files)) == sorted(files)
    assert generate.write(tmp_path, files) == []


@pytest.mark.parametrize("slug", SLUGS)
def test_shipped_release_notebook_has_no_solutions_or_hidden_tests(slug):
    exercise = graders.find(slug)
    path = ROOT / course.shipped_path(slug)
    assert path.is_file(), f"{path} missing: run `grade build`"
    text = path.read_text(encoding="utf-8")
    assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text
    assert "BEGIN HIDDEN TESTS" not in text and "END HIDDEN TESTS" not in text
    assert course.normalise(text) == text
    cells = {_meta(cell).get("grade_id"): cell for cell in json.loads(text)["cells"]}
    source = generate.solution_source(ROOT, exercise)
    for cell in notebooks.cells(exercise, source):
        if type(cell).__name__ == "Solution":
            assert _text(cells[cell.cell_id]).rstrip() == strip_solutions(cell.source).rstrip()
    hidden = [check for check in exercise.checks if check.hidden]
    for check in hidden:
        assert "check(" not in _text(cells[notebooks.check_cell_id(check)])


@pytest.mark.parametrize("slug", SLUGS)
def test_every_test_cell_follows_a_solution_or_test_cell(slug):
    """Keeps nbgrader 0.9.6's add_missing_cells from crashing (KeyError) when a student deletes a test cell.

    OverwriteCells re-inserts a deleted grade cell after the nbgrader cell that precedes it
    in the source notebook, looked up among the submission's solution and grade cells only.
    """
    path = ROOT / "assignments" / "source" / slug / f"{slug}.ipynb"
    cells = [cell for cell in json.loads(path.read_text(encoding="utf-8"))["cells"] if _meta(cell)]
    for previous, cell in zip(cells, cells[1:]):
        if _meta(cell)["grade"]:
            assert _meta(previous)["solution"] or _meta(previous)["grade"], (_meta(previous)["grade_id"], _meta(cell)["grade_id"])
    assert not _meta(cells[0])["grade"]


def test_package_data_ships_the_release_notebooks():
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "notebooks/*.ipynb" in pyproject["tool"]["setuptools"]["package-data"]["autograd_exercises"]
    assert "nbgrader" not in " ".join(pyproject["project"]["dependencies"])
    assert any(dep.startswith("nbgrader") for dep in pyproject["project"]["optional-dependencies"]["instructor"])


def _start(folder: Path, exercise: str = "exercise-2") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograd_exercises.cli", "start", exercise], cwd=folder,
                          capture_output=True, text=True, timeout=60)


def test_grade_start_copies_the_stub_and_the_notebook_and_never_overwrites(tmp_path):
    first = _start(tmp_path)
    assert first.returncode == 0, first.stderr
    stub, notebook = tmp_path / "exercise_2.py", tmp_path / "exercise-2.ipynb"
    assert first.stdout.splitlines()[:2] == [f"created {stub}", f"created {notebook}"]
    assert stub.read_text() == (ROOT / "autograd_exercises" / "exercise_2.py").read_text()
    assert notebook.read_text() == (ROOT / course.shipped_path("exercise-2")).read_text()

    stub.write_text("# my work\n")
    notebook.write_text('{"my": "work"}')
    again = _start(tmp_path)
    assert again.returncode == 0, again.stderr
    assert f"kept your existing {stub} (not overwritten)" in again.stdout
    assert f"kept your existing {notebook} (not overwritten)" in again.stdout
    assert stub.read_text() == "# my work\n" and notebook.read_text() == '{"my": "work"}'


def test_given_helpers_stay_in_the_notebook_as_read_only_setup():
    """A top-level function that students do not write (a given helper) must not vanish from the notebook."""
    from dataclasses import replace

    import graders
    from autograd_exercises.build.notebook import Code
    from autograd_exercises.build.notebooks import cells

    exercise = replace(graders.find("exercise-2"), checks=())
    source = '"""# T"""\nimport torch\n\n\ndef helper(x):\n    return x + 1\n\n\n' \
             'def forward(x):\n    ### BEGIN SOLUTION\n    return helper(x)\n    ### END SOLUTION\n'
    exercise = replace(exercise, functions=("forward",))
    setup = [cell for cell in cells(exercise, source) if isinstance(cell, Code)]
    assert len(setup) == 1 and "def helper(x):" in setup[0].source and "import torch" in setup[0].source
