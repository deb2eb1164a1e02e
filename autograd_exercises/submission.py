"""Read a submission (a ``.py`` module or a filled-in ``.ipynb``) into module source.

Notebooks are read as plain JSON (no nbformat import: it costs seconds). Their
code cells become one module, in order, without nbgrader's autograded test
cells; IPython magics and shell escapes are commented out. A line map keeps
feedback pointing at "cell 4, line 2" rather than a line of the joined module.

A file that cannot run at all (empty, a null byte, a syntax error in a ``.py``)
is still a submission: its ``problem`` says why, once, with the line and its
code, and the caller grades it zero without running it. A file that is not a
submission (unreadable, not notebook JSON, an nbformat 3 notebook) raises
:class:`SubmissionError`.
"""

from __future__ import annotations

import json
import re
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
    problem: str = ""  # why the file cannot run at all (empty, null byte, syntax error): graded zero, not run
    broken: tuple[tuple[int, tuple[str, ...]], ...] = ()  # (cell, functions it defines) for cells left out
    kind: str = "py"  # "py" or "ipynb": how the file was read

    @property
    def name(self) -> str:
        """The file's name, without its folder."""
        return Path(self.path).name

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


def compile_error(source: str | bytes, filename: str = "<submission>") -> str | None:
    """Why ``source`` does not compile, with the line and its code; None when it compiles.

    ``"SyntaxError at line 3: '(' was never closed"``, then the line's code on a line of its own.
    """
    raw = source.encode() if isinstance(source, str) else source
    if b"\0" in raw:
        line = raw[:raw.index(b"\0")].count(b"\n") + 1
        code = raw.splitlines()[line - 1].decode("utf-8", "replace").strip().replace("\0", "\\x00")
        return f"a null byte (\\x00) at line {line}: save the file as plain UTF-8 text\n    {code}"
    try:
        compile(raw, filename, "exec", dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        kind = type(exc).__name__
        if not isinstance(exc, SyntaxError):
            return f"{kind}: {exc}"
        line = exc.lineno or 0
        code = (exc.text or "").strip()
        if not code and 1 <= line <= len(raw.splitlines()):
            code = raw.splitlines()[line - 1].decode("utf-8", "replace").strip()
        where = f" at line {line}" if line else ""
        return f"{kind}{where}: {exc.msg}" + (f"\n    {code}" if code else "")
    return None


_DEF = re.compile(r"^(?:async\s+)?def\s+([A-Za-z_]\w*)", re.MULTILINE)


def _cell_block(source: str) -> list[str] | str:
    """One cell as module lines that run like a notebook cell: an error ends the cell, not the notebook.

    A cell that does not compile gives the reason instead (Jupyter would only fail that cell too).
    """
    lines = [_plain_python(line) for line in source.splitlines()]
    body = "\n".join(lines)
    error = compile_error(body, "<cell>")
    if error is not None:
        return error
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
    except json.JSONDecodeError as exc:
        raise SubmissionError(f"{path} is not a Jupyter notebook: its JSON is invalid at line {exc.lineno}, "
                              f"column {exc.colno} ({exc.msg})") from None
    except ValueError as exc:
        raise SubmissionError(f"{path} is not a Jupyter notebook: {exc}") from None
    if isinstance(notebook, dict) and (notebook.get("worksheets") is not None
                                       or isinstance(notebook.get("nbformat"), int) and notebook["nbformat"] < 4):
        name = Path(path).name
        raise SubmissionError(
            f"{path} is an nbformat {notebook.get('nbformat', 3)} notebook, an old format: convert it with "
            f"'jupyter nbconvert --to notebook --nbformat 4 {name}' (it writes {Path(name).stem}.nbconvert.ipynb), "
            "or open and save it in Jupyter, then grade the new file")
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    if not isinstance(cells, list):
        raise SubmissionError(f"{path} is not a Jupyter notebook (it has no list of cells)")
    lines: list[str] = []
    where: list[tuple[int, int]] = []
    skipped: list[str] = []
    broken: list[tuple[int, tuple[str, ...]]] = []
    for number, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code" or _is_test_cell(cell):
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        block = _cell_block(source)
        if isinstance(block, str):
            skipped.append(f"cell {number} does not compile, so none of it ran: {block}")
            broken.append((number, tuple(_DEF.findall(source))))
            continue
        wrapped = len(block) != len(source.splitlines())
        lines += block + [""]
        where += [(number, 1)] * (2 if wrapped else 0)
        where += [(number, in_cell) for in_cell in range(1, len(source.splitlines()) + 1)]
        where += [(number, len(source.splitlines()))] * ((2 if wrapped else 0) + 1)
    problem = "" if any(line.strip() for line in lines) or skipped else \
        f"{Path(path).name} has no code: every code cell is empty"
    return Submission(path, ("\n".join(lines) + "\n").encode(), tuple(where), skipped=tuple(skipped),
                      problem=problem, broken=tuple(broken), kind="ipynb")


def load(path: str | Path, kind: str | None = None) -> Submission:
    """Read ``path`` as ``kind`` ("py" or "ipynb"; default: from its suffix).

    :class:`SubmissionError` when it is missing, unreadable or not a notebook; a file
    that cannot run (empty, a null byte, a syntax error) comes back with its ``problem``.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise SubmissionError(f"no such file: {path}") from None
    except (IsADirectoryError, PermissionError, OSError) as exc:
        raise SubmissionError(f"cannot read {path}: {exc.strerror or exc}") from None
    kind = kind or ("ipynb" if path.suffix == ".ipynb" else "py")
    if not raw.strip():
        return Submission(str(path), b"", problem=f"{path.name} is empty", kind=kind)
    if kind == "ipynb":
        return notebook_source(str(path), raw.decode("utf-8", "replace"))
    error = compile_error(raw, path.name)
    problem = f"{path.name} does not compile: {error}" if error else ""
    return Submission(str(path), raw, problem=problem, kind="py")
