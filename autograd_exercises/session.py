"""What the ``grade`` command does, without click: find files, grade, remember scores.

The CLI calls these functions with keyword arguments and prints what they
return. Start-up order matters for speed: the sandbox server is started first,
so its ``import torch`` runs while this process imports torch and the graders.
"""

from __future__ import annotations

import json
import random
import re
import shutil
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

if TYPE_CHECKING:
    from autograd_exercises.results import ExerciseResult
    from autograd_exercises.spec import Exercise

DEFAULT_TIMEOUT = 5.0
CACHE = ".grade_scores.json"
_SLUG = re.compile(r"^(exercise[-_]?)?(\d+)$", re.IGNORECASE)


class GradingError(Exception):
    """The run cannot grade: a missing file, an unknown exercise (one line, for ``Error:``)."""


def looks_like_exercise(name: str) -> bool:
    return bool(_SLUG.match(name.strip()))


def slug_number(name: str) -> int:
    match = _SLUG.match(name.strip())
    if not match:
        raise GradingError(f"{name!r} is not an exercise name (try 'grade list')")
    return int(match.group(2))


def find(name: str) -> "Exercise":
    """The registered exercise for ``exercise-2`` / ``exercise_2`` / ``2``."""
    import graders

    try:
        return graders.find(f"exercise-{slug_number(name)}")
    except LookupError as exc:
        raise GradingError(str(exc)) from None


def package_file(relative: str) -> Path | None:
    """A file shipped inside the package (stub or release notebook), if present."""
    path = Path(str(resources.files("autograd_exercises").joinpath(relative)))
    return path if path.is_file() else None


def default_path(number: int, folder: Path) -> Path:
    """``./exercise_N.py``, else ``./exercise-N.ipynb``, else the package's own stub."""
    for candidate in (folder / f"exercise_{number}.py", folder / f"exercise-{number}.ipynb"):
        if candidate.is_file():
            return candidate
    stub = package_file(f"exercise_{number}.py")
    if stub is None:
        raise GradingError(f"no exercise_{number}.py here and no stub in the package: run 'grade start exercise-{number}'")
    return stub


def resolve_targets(targets: Sequence[tuple[str, str | None]], folder: Path) -> list[tuple[int, Path]]:
    """(exercise number, path) for each requested (name, path); checks files exist before any work."""
    resolved = []
    for name, path in targets:
        number = slug_number(name)
        chosen = Path(path) if path else default_path(number, folder)
        if not chosen.exists():
            raise GradingError(f"no such file: {chosen}")
        if not chosen.is_file():
            raise GradingError(f"not a file: {chosen}")
        resolved.append((number, chosen))
    return resolved


def grade_exercises(targets: Sequence[tuple[str, str | None]], *, seed: int | None = None,
                    timeout: float = DEFAULT_TIMEOUT, folder: Path | None = None,
                    spawn: bool = False) -> list["ExerciseResult"]:
    """Grade each (exercise name, path or None) in one sandbox; remembers scores in ``folder``."""
    folder = folder or Path.cwd()
    resolved = resolve_targets(targets, folder)
    from autograd_exercises.sandbox import Sandbox  # light: starts the server before torch loads here

    seed = seed if seed is not None else random.randrange(1, 1_000_000)
    with Sandbox(spawn=spawn) as sandbox:
        from autograd_exercises import grading, submission

        jobs = []
        for number, path in resolved:
            try:
                jobs.append((find(str(number)), submission.load(path)))
            except submission.SubmissionError as exc:
                raise GradingError(str(exc)) from None
        import autograd_exercises.reports  # noqa: F401  (rich loads while the server finishes its own start)

        results = [grading.grade(exercise, sub, sandbox=sandbox, seed=seed, timeout=timeout) for exercise, sub in jobs]
    remember(folder, results)
    return results


def all_targets() -> list[tuple[str, str | None]]:
    """Every registered exercise, graded from its default file (see :func:`default_path`)."""
    import graders

    return [(exercise.slug, None) for exercise in graders.EXERCISES]


def remember(folder: Path, results: Sequence["ExerciseResult"]) -> None:
    """Keep the latest score of each exercise in ``folder/.grade_scores.json`` (best effort)."""
    path = folder / CACHE
    try:
        scores = json.loads(path.read_text()) if path.is_file() else {}
        for result in results:
            scores[result.exercise] = {"score": result.score, "max_score": result.max_score,
                                       "submission": result.submission}
        path.write_text(json.dumps(scores, indent=1, sort_keys=True) + "\n")
    except (OSError, ValueError):
        pass  # a read-only folder or a broken cache never stops grading


def overview(folder: Path) -> list[dict[str, Any]]:
    """One row per exercise: slug, title, points, and the student's status in ``folder``."""
    import graders

    try:
        scores = json.loads((folder / CACHE).read_text())
    except (OSError, ValueError):
        scores = {}
    rows = []
    for number, exercise in enumerate(graders.EXERCISES, start=1):
        local = [p for p in (folder / f"{exercise.module}.py", folder / f"{exercise.slug}.ipynb") if p.is_file()]
        status = "not started" if not local else f"started ({local[0].name})"
        if exercise.slug in scores:
            last = scores[exercise.slug]
            status = f"last graded {last['score']:g}/{last['max_score']:g}" + (" ✓" if last["score"] >= last["max_score"] else "")
        rows.append({"slug": exercise.slug, "title": exercise.title, "points": exercise.course_points, "status": status})
    return rows


def start(name: str, folder: Path) -> tuple[list[Path], list[Path]]:
    """Copy the exercise's stub and notebook into ``folder``; returns (copied, kept existing)."""
    exercise = find(name)
    copied, kept = [], []
    for relative, target in ((f"{exercise.module}.py", f"{exercise.module}.py"),
                             (f"notebooks/{exercise.slug}.ipynb", f"{exercise.slug}.ipynb")):
        source = package_file(relative)
        if source is None:
            continue
        destination = folder / target
        if destination.exists():
            kept.append(destination)
            continue
        try:
            shutil.copyfile(source, destination)
        except OSError as exc:
            raise GradingError(f"cannot write {destination}: {exc.strerror or exc}") from None
        copied.append(destination)
    if not copied and not kept:
        raise GradingError(f"the package has no files for {exercise.slug}")
    return copied, kept
