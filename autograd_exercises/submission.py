"""Read a submission (a ``.py`` module or a filled-in ``.ipynb``) into module source.

Notebooks are read as plain JSON (no nbformat import: it costs seconds). Their
code cells become one module, in order, without nbgrader's autograded test
cells; IPython magics and shell escapes are commented out. A line map keeps
feedback pointing at "cell 4, line 2" rather than a line of the joined module.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

TEST_CELL_MARKER = "# autograd-exercises: test cell"


class SubmissionError(Exception):
    """The file cannot be read as a submission (missing, unreadable, not a notebook)."""


@dataclass(frozen=True)
class Submission:
    """Module source of a submission, and where each line came from."""

    path: str
    source: bytes
    cells: tuple[tuple[int, int], ...] = field(default=())  # per module line: (cell number, line in cell)
    cell_label: str = "cell {cell}"
    skipped: tuple[str, ...] = ()  # why parts of the file were left out (a cell that does not compile)

    def locate(self, line: int) -> str:
        """``"line 7"`` for a module, ``"cell 4, line 2"`` for a notebook."""
        if self.cells and 1 <= line <= len(self.cells):
            cell, in_cell = self.cells[line - 1]
            return f"{self.cell_label.format(cell=cell)}, line {in_cell}"
        return f"line {line}"


def _is_test_cell(cell: dict) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    source = "".join(cell.get("source", []))
    return (meta.get("grade") and not meta.get("solution")) or TEST_CELL_MARKER in source


def _plain_python(line: str) -> str:
    stripped = line.lstrip()
    return f"# {line}" if stripped.startswith(("%", "!")) else line


def _cell_block(source: str) -> list[str] | str:
    """One cell as module lines that run like a notebook cell: an error ends the cell, not the notebook.

    A cell that does not compile gives the reason instead (Jupyter would only fail that cell too).
    """
    lines = [_plain_python(line) for line in source.splitlines()]
    body = "\n".join(lines)
    try:
        compile(body, "<cell>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as exc:
        return f"{type(exc).__name__} at line {getattr(exc, 'lineno', None) or '?'}: {getattr(exc, 'msg', exc)}"
    if not body.strip() or "from __future__" in body:
        return lines
    return ["try:", "    pass", *("    " + line for line in lines), "except Exception:", "    pass"]


def notebook_source(path: str, text: str) -> Submission:
    """Join a notebook's code cells into a module, skipping autograded test cells.

    Each cell runs as in Jupyter or under ``nbgrader autograde``: a cell that
    raises stops there and the next cell still runs; a cell that does not compile
    is left out. Test cells are never taken from the submission.
    """
    try:
        notebook = json.loads(text)
        cells = notebook["cells"]
    except (ValueError, KeyError, TypeError):
        raise SubmissionError(f"{path} is not a Jupyter notebook (could not read its cells)") from None
    lines: list[str] = []
    where: list[tuple[int, int]] = []
    skipped: list[str] = []
    for number, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code" or _is_test_cell(cell):
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        block = _cell_block(source)
        if isinstance(block, str):
            skipped.append(f"cell {number} was left out: {block}")
            continue
        wrapped = len(block) != len(source.splitlines())
        lines += block + [""]
        where += [(number, 1)] * (2 if wrapped else 0)
        where += [(number, in_cell) for in_cell in range(1, len(source.splitlines()) + 1)]
        where += [(number, len(source.splitlines()))] * ((2 if wrapped else 0) + 1)
    return Submission(path, ("\n".join(lines) + "\n").encode(), tuple(where), skipped=tuple(skipped))


def load(path: str | Path) -> Submission:
    """Read ``path``; :class:`SubmissionError` when it is missing or unreadable."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise SubmissionError(f"no such file: {path}") from None
    except (IsADirectoryError, PermissionError, OSError) as exc:
        raise SubmissionError(f"cannot read {path}: {exc.strerror or exc}") from None
    if path.suffix == ".ipynb":
        return notebook_source(str(path), raw.decode("utf-8", "replace"))
    return Submission(str(path), raw)
