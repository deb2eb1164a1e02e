"""The nbgrader course in ``assignments/``: config, releases, and the notebooks shipped to students.

``release_all`` runs the real ``nbgrader generate_assignment`` for every
exercise and copies each release notebook into the package
(``autograd_exercises/notebooks/``), which is what ``grade start`` hands out.
"""

from __future__ import annotations

from pathlib import Path

from autograd_exercises.build import nbgrader_course

COURSE = "assignments"
PACKAGE_NOTEBOOKS = "autograd_exercises/notebooks"


class BuildError(Exception):
    """nbgrader is missing or one of its commands failed (one line for ``Error:``)."""


def course_dir(root: Path) -> Path:
    return root / COURSE


def release_one(root: Path, slug: str) -> Path:
    """``generate_assignment`` for one exercise; returns the release notebook."""
    try:
        release = nbgrader_course.generate_assignment(course_dir(root), slug)
    except nbgrader_course.NbgraderError as exc:
        raise BuildError(str(exc).splitlines()[0]) from None
    return release / f"{slug}.ipynb"


def release_all(root: Path) -> list[str]:
    """Release every exercise and ship changed release notebooks; returns the paths written."""
    import graders

    try:
        import nbgrader  # noqa: F401
    except ImportError:
        raise BuildError("nbgrader is not installed: pip install 'autograd-exercises[instructor]'") from None
    if not (course_dir(root) / "nbgrader_config.py").is_file():
        nbgrader_course.write_config(course_dir(root))
    written = []
    for exercise in graders.EXERCISES:
        text = release_one(root, exercise.slug).read_text()
        shipped = root / PACKAGE_NOTEBOOKS / f"{exercise.slug}.ipynb"
        if not shipped.is_file() or shipped.read_text() != text:
            shipped.parent.mkdir(parents=True, exist_ok=True)
            shipped.write_text(text)
            written.append(str(shipped.relative_to(root)))
    return written
