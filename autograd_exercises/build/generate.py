"""Everything generated from the exercise sources, computed in memory, then written or compared.

``expected_files(root)`` maps each generated path (relative to the checkout)
to the text it must hold: the student stubs in ``autograd_exercises/``, the
nbgrader source notebooks in ``assignments/source/`` and the course's
``assignments/nbgrader_config.py``, and the exercise index
``autograd_exercises/exercises.json`` (slug, module, title, points: what
``grade list`` reads without importing torch), and the text files ``grade package``
generates for each platform, under ``platforms/`` (Gradescope's scripts, PrairieLearn's
image, each exercise's GitHub Classroom workflow and README, the course workflow).
``grade build`` writes them; the drift test compares them with what is committed. (The release notebooks shipped in
``autograd_exercises/notebooks/`` come out of nbgrader: see ``course.py``.)
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from autograd_exercises.build.stubs import make_stub
from autograd_exercises.catalog import INDEX, index_text

if TYPE_CHECKING:
    from autograd_exercises.spec import Exercise


INDEX_FILE = f"autograd_exercises/{INDEX}"


class SourceMissing(Exception):
    """The exercise sources (``solutions/``) are not here: build runs from a source checkout."""


def checkout_root() -> Path:
    """The checkout holding ``solutions/`` and ``assignments/`` (the package's parent folder)."""
    return Path(__file__).resolve().parents[2]


def require_sources(root: Path, cwd: Path) -> None:
    """:class:`SourceMissing` unless ``root`` (where the package runs from) holds the exercise sources.

    The usual cause: a regular (non-editable) install, whose package lives in
    site-packages, run from inside a checkout.
    """
    if (root / "solutions").is_dir():
        return
    for folder in (cwd, *cwd.parents):
        if (folder / "solutions").is_dir() and (folder / "pyproject.toml").is_file():
            raise SourceMissing(
                f"grade build needs an editable install: the autograd_exercises in use is installed in "
                f"{root}, not from this checkout ({folder}); run  pip install -e '.[instructor]'  in {folder}")
    raise SourceMissing("grade build needs a source checkout of autograd-exercises installed editable: "
                        "git clone the course repository, then  pip install -e '.[instructor]'  in it")


def solution_source(root: Path, exercise: "Exercise") -> str:
    path = root / "solutions" / exercise.stub
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SourceMissing(f"{path} not found: 'grade build' runs from a source checkout of autograd-exercises") from None


def stub_path(exercise: "Exercise") -> str:
    return f"autograd_exercises/{exercise.stub}"


def expected_files(root: Path) -> dict[str, str]:
    """Relative path → generated text, for every exercise in the registry."""
    import graders
    from autograd_exercises.build import course, notebooks

    if any(exercise.hidden_absent for exercise in graders.EXERCISES):
        raise SourceMissing("graders/hidden/ not found: 'grade build' runs from a source checkout, "
                            "where the hidden checks are")
    files: dict[str, str] = {course.CONFIG_FILE: course.config_text(), INDEX_FILE: index_text(graders.EXERCISES)}
    for exercise in graders.EXERCISES:
        source = solution_source(root, exercise)
        files[stub_path(exercise)] = make_stub(source, exercise_slug=exercise.slug,
                                               source_name=f"solutions/{exercise.stub}")
        files.update(notebooks.expected_notebooks(exercise, source))
    files.update(platform_files())
    return files


def platform_files() -> dict[str, str]:
    """``platforms/…``: the text ``grade package`` writes for each platform (the wheels and zips are not kept)."""
    import graders
    from autograd_exercises.platforms import actions, classroom, gradescope, prairielearn

    files = {"platforms/gradescope/setup.sh": gradescope.setup_sh(),
             "platforms/gradescope/run_autograder": gradescope.run_autograder(),
             "platforms/prairielearn/Dockerfile": prairielearn.dockerfile(),
             "platforms/prairielearn/run.sh": prairielearn.run_sh(),
             "platforms/prairielearn/README.md": prairielearn.readme(),
             "platforms/actions/grade-submissions.yml": actions.workflow()}
    for exercise in graders.EXERCISES:
        for name, text in classroom.text_files(exercise.slug).items():
            files[f"platforms/classroom/{exercise.slug}/{name}"] = text
    return files


def drift(root: Path, files: dict[str, str]) -> list[str]:
    """The generated paths whose committed text differs from ``files`` (or is missing)."""
    stale = []
    for relative, text in sorted(files.items()):
        path = root / relative
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            stale.append(relative)
    return stale


def write(root: Path, files: dict[str, str]) -> list[str]:
    """Write the files that changed; returns their paths (so a rerun writes nothing)."""
    changed = drift(root, files)
    for relative in changed:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(files[relative], encoding="utf-8")
    return changed
