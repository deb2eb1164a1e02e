"""Synthetic classes of exercise-2 submissions, for ``tests/test_classroom*.py`` and ``bench/bench_class.py``.

A submission is a *kind* — ``right``, a named mistake of ``tests/test_exercise_2.py``
(``mistake:<name>``), ``syntax``, or a file of ``tests/hostile/`` (``hostile:<name>``) — written as a
``.py`` module or as the release notebook with its solution cells filled in (what nbgrader collects).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

from tests.conftest import ROOT, mutate, solution_text

SLUG, MODULE = "exercise-2", "exercise_2"
SOLUTION = solution_text(MODULE)
HOSTILE = ROOT / "tests" / "hostile"
SOURCE_NOTEBOOK = ROOT / "assignments" / "source" / SLUG / f"{SLUG}.ipynb"
RELEASE_NOTEBOOK = ROOT / "autograd_exercises" / "notebooks" / f"{SLUG}.ipynb"


def mistakes() -> dict:
    from tests.test_exercise_2 import MISTAKES

    return MISTAKES


def module_text(kind: str) -> str:
    """The ``.py`` submission of ``kind``."""
    if kind == "right":
        return SOLUTION
    if kind == "syntax":
        return SOLUTION.replace("out = z.mean()", "out = z.mean(")
    if kind.startswith("mistake:"):
        return mutate(SOLUTION, *mistakes()[kind.split(":", 1)[1]][0])
    if kind.startswith("hostile:"):
        return (HOSTILE / f"{kind.split(':', 1)[1]}.py").read_text(encoding="utf-8")
    raise ValueError(kind)


def _solution_cells(nb: dict) -> list[dict]:
    return [cell for cell in nb["cells"] if cell.get("metadata", {}).get("nbgrader", {}).get("solution")]


def notebook(kind: str, release: dict | None = None) -> dict:
    """The release notebook filled in as a student of ``kind`` would (solution cells only)."""
    release = release or json.loads(RELEASE_NOTEBOOK.read_text(encoding="utf-8"))
    source = json.loads(SOURCE_NOTEBOOK.read_text(encoding="utf-8"))
    answers = {cell["id"]: "".join(cell["source"]) for cell in source["cells"]}
    nb = copy.deepcopy(release)
    cells = _solution_cells(nb)
    if kind.startswith("hostile:"):
        cells[0]["source"] = module_text(kind)
        for cell in cells[1:]:
            cell["source"] = ""
        return nb
    changes = mistakes()[kind.split(":", 1)[1]][0] if kind.startswith("mistake:") else []
    if kind == "syntax":
        changes = [("out = z.mean()", "out = z.mean(")]
    for cell in cells:
        text = answers[cell["id"]]
        for old, new in changes:
            text = text.replace(old, new, 1)
        cell["source"] = text
    return nb


def notebook_text(kind: str, release: dict | None = None) -> str:
    return json.dumps(notebook(kind, release), indent=1)


def notebook_mistakes() -> list[str]:
    """The named mistakes that can be made by editing solution cells (each change within one cell)."""
    source = json.loads(SOURCE_NOTEBOOK.read_text(encoding="utf-8"))
    texts = ["".join(cell["source"]) for cell in source["cells"]]
    return [name for name, (changes, _, _) in mistakes().items()
            if all(any(old in text for text in texts) for old, _ in changes)]


def write(path: Path, kind: str, suffix: str) -> Path:
    """Write a submission of ``kind`` at ``path`` + ``suffix`` (".py" or ".ipynb")."""
    target = path.with_name(path.name + suffix)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(module_text(kind) if suffix == ".py" else notebook_text(kind), encoding="utf-8")
    return target
