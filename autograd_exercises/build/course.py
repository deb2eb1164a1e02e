"""The nbgrader course in ``assignments/``: config, releases, and the notebooks shipped to students.

``config_text()`` is the course's ``nbgrader_config.py`` (a generated file,
written by ``grade build`` like the source notebooks). ``release_all`` runs the
real ``nbgrader generate_assignment`` for every exercise and copies each
release notebook into the package (``autograd_exercises/notebooks/``), which is
what ``grade start`` hands out.

Idempotency: nbgrader's release notebooks are a pure function of the source
notebooks (checksums are MD5s of cell source and metadata; no time stamps, and
the cell ids are ours), and a shipped notebook is only written when its text
changes. Before comparing, the release is re-serialised with
:func:`~autograd_exercises.build.notebook.dump_notebook` (sorted keys, one-space
indent, UTF-8, final newline: nbformat's own layout today), so the shipped file
does not depend on how a given nbformat version lays out JSON.
"""

from __future__ import annotations

import json
from pathlib import Path

from autograd_exercises.budget import DEFAULT_CELL_TIMEOUT
from autograd_exercises.build import nbgrader_course
from autograd_exercises.build.notebook import dump_notebook

COURSE = "assignments"
CONFIG_FILE = f"{COURSE}/nbgrader_config.py"
PACKAGE_NOTEBOOKS = "autograd_exercises/notebooks"

# Re-insert deleted test cells (OverwriteCells.add_missing_cells) so they are graded by the
# original test. Safe from nbgrader 0.9.6's KeyError because every generated test cell follows
# its solution cell or another test cell (tests/test_generated.py checks this).
# out_of_kernel: `nbgrader autograde` grades without a kernel (autograd_exercises/nbgrader_step.py).
CONFIG = {"timeout": int(DEFAULT_CELL_TIMEOUT), "add_missing_cells": True, "out_of_kernel": True}


class BuildError(Exception):
    """nbgrader is missing or one of its commands failed (the message ends with nbgrader's log tail)."""


def course_dir(root: Path) -> Path:
    return root / COURSE


def slugs() -> list[str]:
    """The registered exercises, in course order: one nbgrader assignment each."""
    import graders

    return [exercise.slug for exercise in graders.EXERCISES]


def config_text() -> str:
    """The course's ``nbgrader_config.py``."""
    return nbgrader_course.config_text(**CONFIG)


def shipped_path(slug: str) -> str:
    """Where the release notebook of ``slug`` is shipped in the package (relative to the checkout)."""
    return f"{PACKAGE_NOTEBOOKS}/{slug}.ipynb"


def normalise(text: str) -> str:
    """A notebook's JSON text in our canonical layout (see the module docstring)."""
    return dump_notebook(json.loads(text))


def release_all(root: Path) -> list[str]:
    """Release every exercise and ship changed release notebooks; returns the paths written."""
    _require_nbgrader()
    written = [CONFIG_FILE] if nbgrader_course.write_config(course_dir(root), **CONFIG) else []
    releases = _releases(course_dir(root))
    for slug in _stale(root, releases):
        shipped = root / shipped_path(slug)
        shipped.parent.mkdir(parents=True, exist_ok=True)
        shipped.write_text(releases[slug], encoding="utf-8")
        written.append(shipped_path(slug))
    return written


def release_drift(root: Path) -> list[str]:
    """The shipped release notebooks that a fresh ``nbgrader generate_assignment`` would change (``grade build
    --check``): the course is released in a temporary copy, so nothing of the checkout is written."""
    import shutil
    import tempfile

    _require_nbgrader()
    with tempfile.TemporaryDirectory(prefix="grade-build-check-") as scratch:
        copy = Path(scratch) / COURSE
        shutil.copytree(course_dir(root), copy, ignore=shutil.ignore_patterns("release", "gradebook.db"))
        nbgrader_course.write_config(copy, **CONFIG)
        releases = _releases(copy)
    return [shipped_path(slug) for slug in _stale(root, releases)]


def _require_nbgrader() -> None:
    try:
        import nbgrader  # noqa: F401
    except ImportError:
        raise BuildError("nbgrader is not installed: pip install 'autograd-exercises[instructor]'") from None


def _releases(folder: Path) -> dict[str, str]:
    """{slug: its release notebook's text, normalised}, from ``nbgrader generate_assignment`` run in ``folder``."""
    try:
        releases = nbgrader_course.generate_assignments(folder, slugs())
    except nbgrader_course.NbgraderError as exc:
        raise BuildError(str(exc)) from None
    return {slug: normalise((releases[slug] / f"{slug}.ipynb").read_text(encoding="utf-8")) for slug in releases}


def _stale(root: Path, releases: dict[str, str]) -> list[str]:
    """The slugs whose shipped release notebook is missing or differs from ``releases``'."""
    return [slug for slug, text in releases.items() if not (root / shipped_path(slug)).is_file()
            or (root / shipped_path(slug)).read_text(encoding="utf-8") != text]
