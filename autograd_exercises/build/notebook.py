"""Build nbgrader *source* notebooks from a neutral description of an exercise.

An exercise is a sequence of cells (:class:`Markdown`, :class:`Code`,
:class:`Solution`, :class:`Test`).  :func:`make_notebook` turns it into an
nbformat v4.5 notebook (a plain JSON-compatible ``dict``) carrying nbgrader
schema-v3 cell metadata, ready to be saved as
``<course>/source/<assignment>/<name>.ipynb`` and fed to
``nbgrader generate_assignment``.

The output is deterministic: no timestamps, no random ids, nbformat cell ids
equal to the given ``cell_id`` (or ``md-<k>`` for the k-th anonymous markdown
cell), so regenerating a notebook from the same description yields a
byte-identical :func:`dump_notebook` text.

nbgrader metadata written (schema_version 3), per cell kind:

* ``Markdown(locked=True)``: ``grade=False, solution=False, locked=True``
  (read-only; restored from the gradebook if a student edits it).
* ``Markdown(locked=False)``: no ``nbgrader`` metadata (an ordinary cell).
* ``Code(locked=True)``: ``grade=False, solution=False, locked=True``.
* ``Code(locked=False)``: no ``nbgrader`` metadata.
* ``Solution``: ``grade=False, solution=True, locked=False``.
* ``Test``: ``grade=True, solution=False, locked=True, points=<float>``.

Every nbgrader cell also has ``task=False`` and ``grade_id=<cell id>``.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any, Sequence, Union

__all__ = [
    "Cell",
    "Code",
    "Markdown",
    "Solution",
    "Test",
    "code_cells",
    "dump_notebook",
    "make_notebook",
]

SCHEMA_VERSION = 3
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
# What a kernel writes on save, less its version: ``nbconvert --to script`` then writes a .py (``get_ipython()`` calls,
# ``# In[ ]:`` marks) where the name alone gave a .txt with IPython's syntax as written (fairness 68)
LANGUAGE_INFO = {"codemirror_mode": {"name": "ipython", "version": 3}, "file_extension": ".py",
                 "mimetype": "text/x-python", "name": "python", "nbconvert_exporter": "python",
                 "pygments_lexer": "ipython3"}
TITLE_CELL_ID = "notebook-title"

# nbformat 4.5 cell ids: ^[a-zA-Z0-9-_]+$, 1..64 chars; nbgrader grade_id: ^[a-zA-Z0-9_\-]*$
_CELL_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")

# nbgrader matches these as *substrings of a line* (ClearSolutions / ClearHiddenTests).
BEGIN_SOLUTION, END_SOLUTION = "BEGIN SOLUTION", "END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"


@dataclass(frozen=True)
class Markdown:
    """A markdown cell; read-only for students unless ``locked=False``."""

    source: str
    locked: bool = True
    cell_id: str | None = None


@dataclass(frozen=True)
class Code:
    """Read-only (``locked=True``) setup code, e.g. imports."""

    source: str
    cell_id: str
    locked: bool = True


@dataclass(frozen=True)
class Solution:
    """Student answer cell; must contain ``### BEGIN SOLUTION`` / ``### END SOLUTION``."""

    source: str
    cell_id: str


@dataclass(frozen=True)
class Test:
    """Autograded test cell worth ``points``; may contain hidden-test regions."""

    __test__ = False  # not a pytest test class

    source: str
    cell_id: str
    points: float


Cell = Union[Markdown, Code, Solution, Test]


def _marker_regions(source: str, begin: str, end: str) -> int:
    """Count ``begin``/``end`` regions the way nbgrader scans lines.

    Raises ``ValueError`` for nested, unterminated or unopened regions.
    """
    count, inside = 0, False
    for line in source.split("\n"):
        if begin in line:
            if inside:
                raise ValueError(f"nested {begin!r} region")
            inside, count = True, count + 1
        elif end in line:
            if not inside:
                raise ValueError(f"{end!r} without {begin!r}")
            inside = False
    if inside:
        raise ValueError(f"{begin!r} region is never closed by {end!r}")
    return count


def _check_markers(cell: Cell, where: str) -> None:
    """Reject marker usage that nbgrader would reject (or silently mangle)."""
    solutions = _marker_regions(cell.source, BEGIN_SOLUTION, END_SOLUTION)
    hidden = _marker_regions(cell.source, BEGIN_HIDDEN, END_HIDDEN)
    if isinstance(cell, Solution) and solutions == 0:
        raise ValueError(f"{where}: Solution cell has no ### BEGIN SOLUTION / ### END SOLUTION region")
    if not isinstance(cell, Solution) and solutions:
        raise ValueError(f"{where}: solution markers are only allowed in Solution cells")
    if not isinstance(cell, Test) and hidden:
        raise ValueError(f"{where}: hidden-test markers are only allowed in Test cells")


def _nbgrader_meta(cell: Cell, grade_id: str) -> dict[str, Any] | None:
    """nbgrader schema-v3 metadata for ``cell`` (``None`` for plain cells)."""
    if isinstance(cell, (Markdown, Code)) and not cell.locked:
        return None
    meta: dict[str, Any] = {
        "grade": isinstance(cell, Test),
        "grade_id": grade_id,
        "locked": not isinstance(cell, Solution),
        "schema_version": SCHEMA_VERSION,
        "solution": isinstance(cell, Solution),
        "task": False,
    }
    if isinstance(cell, Test):
        points = float(cell.points)
        if not math.isfinite(points) or points < 0:
            raise ValueError(f"cell {grade_id!r}: points must be a finite number >= 0, got {cell.points!r}")
        meta["points"] = points
    return meta


def _split_source(source: str) -> list[str]:
    """Split source into lines (keeping line ends), as Jupyter stores it."""
    return source.splitlines(keepends=True)


def _cell_json(cell: Cell, cell_id: str) -> dict[str, Any]:
    """One nbformat v4.5 cell dict."""
    metadata: dict[str, Any] = {}
    nbgrader = _nbgrader_meta(cell, cell_id)
    if nbgrader is not None:
        metadata["nbgrader"] = nbgrader
    out: dict[str, Any] = {"id": cell_id, "metadata": metadata, "source": _split_source(cell.source)}
    if isinstance(cell, Markdown):
        out["cell_type"] = "markdown"
    else:
        out.update(cell_type="code", execution_count=None, outputs=[])
    return out


def _assign_ids(cells: Sequence[Cell]) -> list[str]:
    """Cell ids: the given ``cell_id``, or ``md-<k>`` for the k-th anonymous markdown cell."""
    ids, anonymous = [], 0
    for index, cell in enumerate(cells):
        cell_id = cell.cell_id
        if cell_id is None:
            anonymous += 1
            cell_id = f"md-{anonymous}"
        if not isinstance(cell_id, str) or not _CELL_ID_RE.match(cell_id):
            raise ValueError(f"cell #{index}: cell_id {cell_id!r} must match [A-Za-z0-9_-]{{1,64}}")
        if cell_id in ids:
            raise ValueError(f"cell #{index}: duplicate cell_id {cell_id!r}")
        ids.append(cell_id)
    return ids


def make_notebook(cells: Sequence[Cell], *, title: str | None = None) -> dict:
    """Build an nbgrader source notebook (nbformat 4.5 JSON dict) from ``cells``.

    ``title``, if given, becomes a leading locked markdown cell ``# <title>``
    (cell id ``notebook-title``) and the notebook's ``metadata.title``.
    Raises ``ValueError`` for bad/duplicate cell ids, bad points, or
    BEGIN/END markers that nbgrader would reject.  Pure: no I/O.
    """
    cells = list(cells)
    for index, cell in enumerate(cells):
        if not isinstance(cell, (Markdown, Code, Solution, Test)):
            raise TypeError(f"cell #{index}: expected Markdown, Code, Solution or Test, got {type(cell).__name__}")
        _check_markers(cell, f"cell #{index} ({cell.cell_id})")
    if title is not None:
        cells.insert(0, Markdown(f"# {title}", locked=True, cell_id=TITLE_CELL_ID))
    ids = _assign_ids(cells)
    metadata: dict[str, Any] = {"kernelspec": dict(KERNELSPEC), "language_info": json.loads(json.dumps(LANGUAGE_INFO))}
    if title is not None:
        metadata["title"] = title
    return {
        "cells": [_cell_json(cell, cell_id) for cell, cell_id in zip(cells, ids)],
        "metadata": metadata,
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def dump_notebook(nb: dict) -> str:
    """Serialise ``nb`` as stable JSON text (indent=1, sorted keys, UTF-8, trailing newline)."""
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def code_cells(nb: dict) -> list[tuple[str, dict]]:
    """``(source, nbgrader metadata)`` for each code cell of ``nb``, in order.

    Accepts sources stored as a string or as a list of lines; the metadata is
    a copy of ``cell.metadata.nbgrader`` (``{}`` for plain cells).
    """
    out = []
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if not isinstance(source, str):
            source = "".join(source)
        out.append((source, dict(cell.get("metadata", {}).get("nbgrader", {}))))
    return out
