"""Read a submission (a ``.py`` module or a filled-in ``.ipynb``) into module source.

Notebooks are read as plain JSON (no nbformat import: it costs seconds). Their
code cells, without nbgrader's autograded test cells, become one module, in
document order; IPython syntax becomes Python (:mod:`autograd_exercises.magics`:
``%time`` keeps its effect, other magics and shell commands are skipped). A line
map keeps feedback pointing at "cell 4, line 2" rather than a line of the joined
module.

A notebook is graded as nbgrader runs it: its :attr:`Submission.program` lists the
code cells (each a range of the module's lines), which the sandboxed child runs
one at a time, in document order, each under its own time budget, an error ending
only that cell; :attr:`Submission.test_cells` says where the test cells sit, so
that each check judges the state at its test cell's position
(:func:`autograd_exercises.grading.check_positions`). Where the student's own
execution order (the cells' execution counts) would give a different result, a
note says so, naming the cells.

A file that cannot run at all (empty, a null byte, a syntax error in a ``.py``)
is still a submission: its ``problem`` says why, once, with the line and its
code, and the caller grades it zero without running it. A file that is not a
submission (unreadable, not notebook JSON, an nbformat 3 notebook) raises
:class:`SubmissionError`.
"""

from __future__ import annotations

import ast
import bisect
import builtins
import contextlib
import io
import json
import os
import re
import stat
import tokenize
import warnings
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, BinaryIO, Iterable, Iterator

from autograd_exercises import magics
from autograd_exercises.parsing import PARSE_ERRORS
from autograd_exercises.printable import printable

TEST_CELL_MARKER = "# autograd-exercises: test cell"
TEST_ID_PREFIX = "test-"  # every test cell's grade id (build.notebooks.check_cell_id)


class SubmissionError(Exception):
    """The file cannot be read as a submission (missing, unreadable, not a notebook, too large)."""


MAX_FILE = 20 * 2**20  # bytes of a submission's file (a notebook's outputs included)
MAX_CODE = 256 * 2**10  # bytes of its code: reading it (the notes, the by-hand checks) is the grader's own work
MAX_REWRITTEN = MAX_CODE + MAX_CODE // 4  # characters of Python its IPython commands may make it (each %timeit a
# function of its own: about 70 more; fairness 69, a 253 KiB file with 90 of them)
MAX_CELLS = 2000  # code cells of a notebook (each is read on its own)
MAX_BRACES = 10_000  # "{" in its code: Python 3.11 parses an f-string in time fields x length (red team 48: 79,000
# fields in 240 KB took 4 s a parse, and the grader parses a file five times); a student's file has hundreds
MAX_JSON_VALUES = 1_000_000  # values in a notebook's JSON (a value costs the grader tens of bytes or more)


def shown_name(path: str | Path) -> str:
    """A file's name as every message shows it: a student's own, so every character that could act on a terminal
    or a results page, or pass for another (a line break, a right-to-left override), is written as its escape
    (red team 223 named an empty file "x\\nexercise-2: 8/8.py" to print a score line of its own)."""
    return printable(Path(path).name)


# What a notebook too large to grade is told (fairness 68: a 21 MiB notebook was almost all one plot's output)
CLEAR_OUTPUTS = ("its outputs count: clear them (in Jupyter, Edit → Clear Outputs of All Cells), save it and "
                 "grade it again")


def check_size(name: str, size: int, code: int, cells: int = 0, braces: int = 0, *, notebook: bool = False) -> None:
    """:class:`SubmissionError` when a file of ``size`` bytes, ``code`` of them code in ``cells`` code cells with
    ``braces`` of ``{``, is too large to grade; a ``notebook`` is told how to shed its outputs."""
    if size > MAX_FILE:
        raise SubmissionError(f"{name} is {size / 2**20:.1f} MiB: a submission may be at most "
                              f"{MAX_FILE // 2**20} MiB" + (f"; {CLEAR_OUTPUTS}" if notebook else ""))
    if code > MAX_CODE:
        raise SubmissionError(f"{name} holds {code // 2**10} KiB of code: a submission may hold at most "
                              f"{MAX_CODE // 2**10} KiB")
    if cells > MAX_CELLS:
        raise SubmissionError(f"{name} has {cells} code cells: a notebook may have at most {MAX_CELLS}")
    if braces > MAX_BRACES:
        raise SubmissionError(f"{name} has {braces} braces ('{{') in its code: a submission may have at most "
                              f"{MAX_BRACES} (thousands of f-string fields take Python seconds to parse)")


@dataclass(frozen=True)
class CodeCell:
    """A code cell the child runs on its own: lines ``first``..``last`` of the module (1-based, inclusive)."""

    number: int  # the notebook's cell number (or the kernel's execution count)
    first: int
    last: int


@dataclass(frozen=True)
class TestCell:
    """A test cell of the notebook: where it sits, its nbgrader grade id, the check its source calls."""

    __test__ = False  # not a pytest test class

    number: int
    grade_id: str = ""
    call: tuple[str, str] | None = None  # (exercise slug, check name) from ``check('exercise-2', 'name')``


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
    program: tuple[CodeCell, ...] = ()  # notebooks: the code cells, run one at a time, in this order
    test_cells: tuple[TestCell, ...] = ()  # notebooks: the test cells, in document order
    grade_ids: tuple[tuple[str, int], ...] = ()  # notebooks: (nbgrader grade id, cell number) of other cells
    lines: tuple[int, ...] = ()  # a module whose magics were rewritten: per line of ``source``, the file's own line

    @property
    def name(self) -> str:
        """The file's name, without its folder, as reports show it (:func:`shown_name`)."""
        return shown_name(self.path)

    @property
    def shown_path(self) -> str:
        """The path with ``/`` between its folders on every system (what results record: on Linux a ``\\`` is part
        of a name, never a folder's end)."""
        return Path(self.path).as_posix()

    def locate(self, line: int) -> str:
        """``"line 7"`` for a module, ``"cell 4, line 2"`` for a notebook."""
        if self.lines and 1 <= line <= len(self.lines):  # (a module whose lines moved, or read as a notebook)
            return f"line {self.lines[line - 1]}"
        if self.cells and 1 <= line <= len(self.cells):
            cell, in_cell = self.cells[line - 1]
            return f"{self.cell_label.format(cell=cell)}, line {in_cell}"
        return f"line {line}"

    def label(self, cell: int) -> str:
        """``"cell 4"`` (or ``"In [4]"``) for a cell number."""
        return self.cell_label.format(cell=cell)


def nbgrader_metadata(cell: Any) -> dict:
    """A cell's ``metadata.nbgrader``, or ``{}`` where the cell, its metadata or that entry is not a dict (a
    student's notebook is any JSON)."""
    meta = cell.get("metadata") if isinstance(cell, dict) else None
    meta = meta.get("nbgrader") if isinstance(meta, dict) else None
    return meta if isinstance(meta, dict) else {}


def _is_test_cell(cell: dict) -> bool:
    """A test cell: graded and not a solution, or holding a test cell's grade id (``test-…``: one whose flags were
    edited away, which nbgrader's ``OverwriteCells`` locks again, then refuses the notebook over its checksum), or our
    marker. Its source never runs."""
    meta = nbgrader_metadata(cell)
    return bool(meta.get("grade") and not meta.get("solution")) or _grade_id(cell).startswith(TEST_ID_PREFIX) \
        or TEST_CELL_MARKER in _cell_text(cell)


def deduplicated(cells: list[Any]) -> list[Any]:
    """The cells as nbgrader's ``DeduplicateIds`` leaves them: of the graded, solution or locked cells sharing a
    grade id, only the last keeps its nbgrader metadata (the others become plain cells), so a copy placed above or
    below the real one moves a check exactly where nbgrader moves it (red team 13). A copy of a test cell with its
    flags edited away counts as one too (red team 184: nbgrader refuses such a notebook; here the first cell of a
    grade id chose where its check judged, so a flagless copy above the real test cell judged the by-hand function
    before the cell that redefined it with autograd): the last cell of a test cell's grade id is its test cell."""
    seen: set[str] = set()
    kept = list(cells)
    for index in range(len(cells) - 1, -1, -1):
        meta = nbgrader_metadata(cells[index])
        grade_id = meta.get("grade_id")
        if not (meta.get("grade") or meta.get("solution") or meta.get("locked")
                or isinstance(grade_id, str) and grade_id.startswith(TEST_ID_PREFIX)):
            continue
        if isinstance(grade_id, str) and grade_id in seen:
            kept[index] = dict(cells[index], metadata={**cells[index]["metadata"], "nbgrader": {}})
        elif isinstance(grade_id, str):
            seen.add(grade_id)
    return kept


def _cell_text(cell: dict) -> str:
    source = cell.get("source", "")
    text = "".join(str(part) for part in source) if isinstance(source, list) else str(source)
    return text if text.isascii() else text.encode("utf-8", "replace").decode("utf-8")  # a lone surrogate: "?"


def _grade_id(cell: dict) -> str:
    grade_id = nbgrader_metadata(cell).get("grade_id")
    return grade_id if isinstance(grade_id, str) else ""


def check_call(source: str) -> tuple[str, str] | None:
    """``(exercise slug, check name)`` of a generated test cell; None when ``source`` is not one.

    A test cell starts its first line of ours with :data:`TEST_CELL_MARKER` and makes exactly one
    call ``check('<slug>', '<check>')`` with two string literals.
    """
    if TEST_CELL_MARKER not in source:
        return None
    try:
        tree = ast.parse(source)
    except PARSE_ERRORS:
        return None
    calls = [node for node in ast.walk(tree)
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "check"]
    if len(calls) != 1 or calls[0].keywords or len(calls[0].args) != 2:
        return None
    slug, name = calls[0].args
    if not all(isinstance(arg, ast.Constant) and isinstance(arg.value, str) for arg in (slug, name)):
        return None
    return slug.value, name.value


TEXT = 2000  # characters of a student-made text quoted in a reason, a note or the class report


def shortened(text: str, limit: int = TEXT) -> str:
    """``text`` cut to ``limit`` characters, saying how many more there were: a student decides how long a quoted
    line, a file list or a notebook's own field is, and each is read by the instructor's process (red team 81: one
    255 KB line cost the class report minutes, and grades.csv a cell no csv reader took)."""
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text) - limit:,} more characters)"


def utf16(raw: bytes) -> bool:
    """``raw`` is text saved as UTF-16 or UTF-32 (fairness 68: Notepad's "Unicode"): a byte-order mark of theirs, or
    null bytes in three of every four odd (or even) places of its start, as ASCII text in UTF-16 has."""
    start = raw[:64]
    return start.startswith((b"\xff\xfe", b"\xfe\xff", b"\0\0\xfe\xff")) or len(start) >= 8 and any(
        4 * half.count(0) >= 3 * len(half) for half in (start[1::2], start[0::2]))


def compile_error(source: str | bytes, filename: str = "<submission>") -> str | None:
    """Why ``source`` does not compile, with the line and its code; None when it compiles.

    ``"SyntaxError at line 3: '(' was never closed"``, then the line's code on a line of its own.
    """
    try:
        raw = source.encode() if isinstance(source, str) else source
    except UnicodeEncodeError as exc:  # (a lone surrogate: red team 143)
        return f"text that is not Unicode ({exc.reason}): save the file as plain UTF-8 text"
    if utf16(raw):
        return "the file is saved as UTF-16 (Notepad's \"Unicode\"): save it as UTF-8"
    if b"\0" in raw:
        line = raw[:raw.index(b"\0")].count(b"\n") + 1
        code = raw.splitlines()[line - 1].decode("utf-8", "replace").strip().replace("\0", "\\x00")
        return f"a null byte (\\x00) at line {line}: save the file as plain UTF-8 text\n    {shortened(code, 500)}"
    try:
        compile(raw, filename, "exec", dont_inherit=True)
    except PARSE_ERRORS as exc:
        kind = type(exc).__name__
        if not isinstance(exc, SyntaxError):
            return f"{kind}: {exc}"
        line = exc.lineno or 0
        code = (exc.text or "").strip()
        if not code and 1 <= line <= len(raw.splitlines()):
            code = raw.splitlines()[line - 1].decode("utf-8", "replace").strip()
        where = f" at line {line}" if line else ""
        return f"{kind}{where}: {shortened(str(exc.msg), 500)}" + (f"\n    {shortened(code, 500)}" if code else "")
    return None


_DEF = re.compile(r"^(?:async\s+)?def\s+([A-Za-z_]\w*)", re.MULTILINE)
MAX_ORDER_NOTES = 3
MAX_ORDER_FUNCTIONS, MAX_ORDER_CELLS = 300, 500  # past either, every read counts for the notes
ORDER_WORK = 300_000  # questions "does this cell need this name?" the notes may ask in all; past it, no more notes


_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?', re.DOTALL)  # (a string never closed runs to the end:
# tried again from each of its quotes, it took the square of its length, red team 237: 64 KB of \" took 18 s)


def json_values(text: str) -> int:
    """At least the number of values in the JSON ``text``, less one: its commas, braces and brackets outside strings
    (fairness 68: a printed list of a million numbers is one string of a cell's output, not a million values)."""
    bare = _JSON_STRING.sub('""', text)
    return bare.count(",") + bare.count("{") + bare.count("[")


def notebook_json(path: str, text: str) -> Any:
    """A notebook's ``text`` parsed, within bounds: :class:`SubmissionError` for JSON that is invalid, nested too
    deeply, or holds more values than :data:`MAX_JSON_VALUES` (each costs the grader memory: 20 MiB of ``{}``
    would be half a gigabyte)."""
    text = text.removeprefix("\ufeff")  # (fairness 68: saved "UTF-8 with BOM", which VS Code opens)
    values = json_values(text)
    if values > MAX_JSON_VALUES:
        raise SubmissionError(f"{path} is not a notebook this grader reads: its JSON holds about {values:,} values "
                              f"(at most {MAX_JSON_VALUES:,})")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise SubmissionError(f"{path} is not a Jupyter notebook: its JSON is invalid at line {exc.lineno}, "
                              f"column {exc.colno} ({exc.msg})") from None
    except ValueError as exc:
        raise SubmissionError(f"{path} is not a Jupyter notebook: {exc}") from None
    except RecursionError:
        raise SubmissionError(f"{path} is not a Jupyter notebook: its JSON is nested too deeply") from None


def _notebook_cells(path: str, text: str) -> list[Any]:
    """A notebook's list of cells: :class:`SubmissionError` for an old nbformat (with how to convert it) or JSON
    that is not a notebook."""
    notebook = notebook_json(path, text)
    version = notebook.get("nbformat") if isinstance(notebook, dict) else None
    version = version if type(version) is int else None
    if isinstance(notebook, dict) and (notebook.get("worksheets") is not None or version is not None and version < 4):
        name = shown_name(path)
        convert = (f"convert it with 'jupyter nbconvert --to notebook --nbformat 4 {name}' "
                   f"(it writes {Path(name).stem}.nbconvert.ipynb), ")
        what = (f"is an nbformat {version if version is not None else 3} notebook, an old format: {convert}"
                if version is None or version < 4 else
                f"says it is nbformat {version} but keeps its cells under 'worksheets', as nbformat 3 did: set its "
                f'"nbformat" to 3 and {convert}')
        raise SubmissionError(
            f"{path} {what}"
            "or open and save it in Jupyter, then grade the new file")
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    if not isinstance(cells, list):
        raise SubmissionError(f"{path} is not a Jupyter notebook (it has no list of cells)")
    return cells


def _cell_python(source: str, budget: magics.Budget) -> tuple[magics.Plain, str | None]:
    """A code cell's Python (IPython syntax turned into Python) and why it does not compile (None if it does), the
    line number in the cell's own numbering. ``budget``: IPython's, shared by the notebook's cells."""
    try:
        plain = magics.to_python(source, budget=budget)
        error = compile_error(plain.code, "<cell>")
        if error is not None and (cut := _run_until_refused(plain)) is not None:
            plain, error = cut, None
    except (RecursionError, MemoryError):  # nesting the reading cannot follow (Python's parser refuses it too)
        return magics.Plain("", (1,)), "it nests too deep to be read"
    return plain, _at_origin(error, plain.origin) if error is not None else None


def _at_origin(error: str, origin: tuple[int, ...]) -> str:
    """A compile ``error`` of rewritten code ("… at line 7: …") with its line as the source numbers it
    (``origin``)."""
    line = re.search(r" at line (\d+)", error)
    if line and 1 <= int(line.group(1)) <= len(origin):
        error = error.replace(line.group(0), f" at line {origin[int(line.group(1)) - 1]}", 1)
    return error


def _unread(name: str, source: str) -> str:
    """Why the module a notebook's cells make cannot be read as one, or "": its cells run one by one, so the readings
    of its code (by hand, saved answers, doors), which read that module, must never find it unreadable and so empty
    (red team 117: one cut cell opened a string that swallowed the rest, and every reading found nothing)."""
    try:
        ast.parse(source)
    except PARSE_ERRORS as exc:
        return f"{name}: its code cells could not be read together as one module ({type(exc).__name__}), and the " \
               "grader grades only code it reads"
    return ""


def _run_until_refused(plain: magics.Plain) -> magics.Plain | None:
    """A cell that parses but that Python's compiler refuses (a stray top-level ``return``, ``yield``, ``break`` or
    ``nonlocal``), as IPython runs it: statement by statement, each compiled alone, so those above the refused one run
    and the cell stops there with its SyntaxError (red team 115: the grader left the whole cell out, and the
    definitions above it with it). None where the cell does not parse; the cell itself where no statement is refused
    alone (fairness round 24: ``from __future__ import annotations`` below ``%matplotlib inline``, which the child
    compiles one statement at a time, as IPython does)."""
    try:
        tree = ast.parse(plain.code)
    except PARSE_ERRORS:
        return None
    for index, node in enumerate(tree.body):
        try:
            compile(ast.Module([node], []), "<cell>", "exec", dont_inherit=True)
        except SyntaxError as exc:
            start = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", ()))])
            if index and (tree.body[index - 1].end_lineno or start) >= start:
                return None  # (``x = 1; return``: no line ends the statements above; red team 117 cut one in half)
            lines = plain.code.split("\n")
            stop = f"raise SyntaxError({shortened(str(exc.msg), 200)!r})"
            kept = "\n".join(lines[:start - 1] + [stop] + [""] * (len(lines) - start))
            return magics.Plain(kept, plain.origin, plain.skipped, plain.notes) if compile_error(kept) is None else None
    return plain  # each statement compiles alone (a ``from __future__`` import below a magic): IPython runs it


@dataclass
class _Joined:
    """The module a notebook's code cells make, built a cell at a time (:func:`notebook_source`)."""

    lines: list[str] = field(default_factory=list)
    where: list[tuple[int, int]] = field(default_factory=list)  # each line's (cell, line in the cell)
    skipped: list[str] = field(default_factory=list)
    broken: list[tuple[int, tuple[str, ...]]] = field(default_factory=list)
    program: list[CodeCell] = field(default_factory=list)
    tests: list[TestCell] = field(default_factory=list)
    grade_ids: list[tuple[str, int]] = field(default_factory=list)
    commands: dict[str, list[int]] = field(default_factory=dict)  # IPython commands left out, and their cells
    ran: list[tuple[int, str, object]] = field(default_factory=list)  # (cell, its Python, its execution count)
    # what IPython may tokenize, and the Python the cells may become, over all the cells
    budget: magics.Budget = field(default_factory=lambda: magics.Budget(code=MAX_REWRITTEN))

    def add(self, number: int, cell: dict[str, Any]) -> None:
        """Code cell ``number``: a test cell only marks its place; one that does not compile is left out, noted."""
        source = _cell_text(cell)
        if _is_test_cell(cell):
            self.tests.append(TestCell(number, _grade_id(cell), check_call(source)))
            self.ran.append((number, "", cell.get("execution_count")))  # no code of the student's: when it ran
            return
        if _grade_id(cell):
            self.grade_ids.append((_grade_id(cell), number))
        plain, error = _cell_python(source, self.budget)
        self.budget.code = (self.budget.code or 0) - len(plain.code)
        if self.budget.code < 0:  # (a cell that compiles as it is skips the rewrite's own bound: walkthrough 72)
            raise magics.TooLong(MAX_REWRITTEN - self.budget.code)
        if error is not None:
            self.skipped.append(f"cell {number} does not compile, so none of it ran: {error}")
            self.broken.append((number, tuple(_DEF.findall(source))))
            return
        for command in plain.skipped:
            self.commands.setdefault(command, []).append(number)
        self.skipped += [f"cell {number}: {note}" for note in plain.notes]
        code_lines = plain.code.split("\n")
        if plain.code.strip():
            self.program.append(CodeCell(number, len(self.lines) + 1, len(self.lines) + len(code_lines)))
            self.ran.append((number, plain.code, cell.get("execution_count")))
        self.lines += code_lines + [""]
        self.where += [(number, line) for line in plain.origin] + [(number, max(plain.origin, default=1))]

    def commands_note(self) -> list[str]:
        """The note that lists the IPython commands left out, with their cells (none if there were none)."""
        if not self.commands:
            return []
        listed = ", ".join(f"{command} (cell{'s' if len(set(at)) > 1 else ''} "
                           f"{', '.join(str(n) for n in dict.fromkeys(at))})" for command, at in self.commands.items())
        return [f"IPython commands that only a kernel runs were skipped: {listed}"]


def notebook_source(path: str, text: str, *, order: bool = True) -> Submission:
    """Join a notebook's code cells into a module, skipping autograded test cells.

    Each cell runs as in Jupyter or under ``nbgrader autograde``: a cell that
    raises stops there and the next cell still runs; a cell that does not compile
    is left out. Test cells are never taken from the submission: they only say
    where each check judges the notebook's state. ``order``: also note the cells run
    out of order (:func:`order_notes`; a reading that needs only the code skips it).
    """
    cells = deduplicated(_notebook_cells(path, text))
    code = [cell for cell in cells if isinstance(cell, dict) and cell.get("cell_type") == "code"]
    check_size(shown_name(path), len(text), sum(len(_cell_text(cell)) for cell in code), len(code),
               sum(_cell_text(cell).count("{") for cell in code), notebook=True)
    joined = _Joined()
    try:
        for number, cell in enumerate(cells, start=1):
            if isinstance(cell, dict) and cell.get("cell_type") == "code":
                joined.add(number, cell)
    except magics.TooLong:
        raise SubmissionError(rewritten_too_long(shown_name(path))) from None
    tests = frozenset(test.number for test in joined.tests)
    skipped = joined.skipped + joined.commands_note() + (order_notes(joined.ran, tests) if order else [])
    empty = "it has no code cell" if not code else "every code cell is empty"
    problem = "" if any(line.strip() for line in joined.lines) or skipped else f"{shown_name(path)} has no code: {empty}"
    source = "\n".join(joined.lines) + "\n"
    problem = problem or _unread(shown_name(path), source)
    return Submission(path, source.encode(), tuple(joined.where), skipped=tuple(skipped),
                      problem=problem, broken=tuple(joined.broken), kind="ipynb", program=tuple(joined.program),
                      test_cells=tuple(joined.tests), grade_ids=tuple(joined.grade_ids))


# -- the student's execution order against the document's ---------------------------------------------

def _after(places: list[int], index: int) -> int | None:
    """The first of the sorted ``places`` past ``index``, or None."""
    at = bisect.bisect_right(places, index)
    return places[at] if at < len(places) else None


_DEFINES = re.compile(r"^(?:async[ \t]+def|def|class)[ \t]+(\w+)", re.MULTILINE)  # a top-level definition's name


def top_level_definitions(code: str) -> list[str]:
    """The names of the functions and classes ``code`` defines at its top level, each time it does, read by a pattern
    before any parsing (what the notes and ``session._fixed_below`` look at first)."""
    return _DEFINES.findall(code)


def _defined_twice(cells: list[tuple[int, str, object]]) -> bool:
    """Whether two cells define a function or class of one name (read by a pattern, before any parsing: a
    notebook run top to bottom is otherwise not parsed for notes)."""
    seen: set[str] = set()
    for _, code, _ in cells:
        names = set(top_level_definitions(code))
        if names & seen:
            return True
        seen |= names
    return False


def _next_different(tops: list[tuple[dict[str, str], set[str]]],
                    defined_at: dict[str, list[int]]) -> dict[tuple[str, int], int]:
    """(name, cell index) → the next cell below that defines the name differently (one pass from the bottom: the
    next definition, unless it is the same, then whatever differs from that one)."""
    found: dict[tuple[str, int], int] = {}
    for name, places in defined_at.items():
        for below, index in zip(reversed(places[1:]), reversed(places[:-1])):
            if tops[below][0][name] != tops[index][0][name]:
                found[(name, index)] = below
            elif (name, below) in found:
                found[(name, index)] = found[(name, below)]
    return found


def _top_level(tree: ast.Module) -> tuple[dict[str, str], set[str]]:
    """({function or class defined at top level: its dump}, every name bound at top level)."""
    defined: dict[str, str] = {}
    bound: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            defined[node.name] = definition_shape(node)
            bound.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update(_import_names(node))
        else:
            bound.update(n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store))
    return defined, bound


def _import_names(node: ast.Import | ast.ImportFrom) -> list[str]:
    """The names an import statement binds (``import a.b`` binds ``a``)."""
    return [(alias.asname or alias.name).split(".")[0] for alias in node.names]


def _imported(tree: ast.Module) -> set[str]:
    """The names a cell's top-level imports bind."""
    return {name for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))
            for name in _import_names(node)}


def definition_shape(node: ast.AST) -> str:
    """What ``node`` is, node by node, to tell two definitions apart: ``ast.dump`` without its recursion (red team
    81: a function of a 1,500-term sum, which Python compiles, raised RecursionError there), and integers in hex
    (red team 228: a 4,000-digit hex literal passed the 4,300 digits ``repr`` writes in decimal, a ValueError)."""
    def plain(value: object) -> object:
        return hex(value) if type(value) is int else value

    return repr([(type(n).__name__, [(name, plain(value)) for name, value in ast.iter_fields(n)
                                     if not isinstance(value, (ast.AST, list)) or
                                     isinstance(value, list) and not any(isinstance(v, ast.AST) for v in value)])
                 for n in ast.walk(node)])


def _used(tree: ast.Module) -> list[str]:
    """Names a cell reads, in order, that it does not bind anywhere itself (in a function or at top level)."""
    bound: set[str] = set()
    loads: list[str] = []
    for n in ast.walk(tree):
        if isinstance(n, ast.Name):
            if isinstance(n.ctx, ast.Load):
                loads.append(n.id)
            else:  # Store, Del
                bound.add(n.id)
        elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            bound.update(a.arg for a in n.args.args + n.args.kwonlyargs + n.args.posonlyargs)
            bound.update(a.arg for a in (n.args.vararg, n.args.kwarg) if a is not None)
        elif isinstance(n, (ast.Import, ast.ImportFrom)):
            bound.update((alias.asname or alias.name).split(".")[0] for alias in n.names)
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(n.name)
    return [name for name in dict.fromkeys(loads) if name not in bound and not hasattr(builtins, name)]


def _reads_now(tree: ast.Module) -> set[str]:
    """Names a cell reads while it runs: everywhere but in the bodies of the functions it defines, which run only
    when called (their decorators and default values run at once, as class bodies do; a lambda may be called at
    once, by ``map`` or as a ``key``, so its body counts)."""
    names: set[str] = set()
    stack: list[ast.AST] = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            stack += [*node.decorator_list, *node.args.defaults,
                      *(default for default in node.args.kw_defaults if default is not None)]
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            names.add(node.id)
        stack.extend(ast.iter_child_nodes(node))
    return names


def _bodies(trees: list[ast.Module]) -> dict[str, set[str]]:
    """Each function or class the cells define, at any depth (in an ``if``, a ``try``, another function): the names
    its own body reads, a definition nested in it counted as one more name it reads (calling it may call that one:
    :class:`_Needs` follows such names), over all its definitions (whichever is live). One walk of each cell: a walk
    of each definition's whole body cost depth times size (red team 224: 98 nested defs around 55,000 names)."""
    bodies: dict[str, set[str]] = {}
    for tree in trees:
        stack: list[tuple[ast.AST, str | None]] = [(child, None) for child in ast.iter_child_nodes(tree)]
        while stack:
            node, owner = stack.pop()
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                bodies.setdefault(node.name, set())
                if owner is not None:
                    bodies[owner].add(node.name)
                owner = node.name
            elif owner is not None and isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                bodies[owner].add(node.id)
            stack.extend((child, owner) for child in ast.iter_child_nodes(node))
    return bodies


class _Needs:
    """What each cell needs when run top to bottom: the names it reads (:func:`_reads_now`), and those the
    notebook's functions it calls read, through others too; a test cell, whatever any function reads (it may call
    any). A use in a def's body alone is no use: the function may be called only below the cell that defines the
    name (fairness 20). Sets of functions are bitmasks, and no cell's needs are ever listed name by name (red team
    224: a union per cell of every name its functions read cost cells times names)."""

    def __init__(self, bodies: dict[str, set[str]], trees: list[ast.Module], tests: list[bool]) -> None:
        bit = {name: 1 << index for index, name in enumerate(bodies)}
        self.readers: dict[str, int] = {}
        for name, reads in bodies.items():
            for read in reads:
                self.readers[read] = self.readers.get(read, 0) | bit[name]
        reach = {name: bit[name] | _mask(reads, bit) for name, reads in bodies.items()}
        for middle in bodies:  # (the transitive closure, Warshall's, on bitmasks)
            for name in bodies:
                if reach[name] & bit[middle]:
                    reach[name] |= reach[middle]
        everything = (1 << len(bodies)) - 1
        self.now = [set(bodies) if test else _reads_now(tree) for tree, test in zip(trees, tests)]
        self.reached = [everything if test else _mask(now, reach) for now, test in zip(self.now, tests)]

    def __call__(self, index: int, name: str) -> bool:
        """Whether cell ``index`` (into the trees) needs ``name``."""
        return name in self.now[index] or bool(self.readers.get(name, 0) & self.reached[index])


def _needs(trees: list[ast.Module], tests: list[bool]) -> _Needs | None:
    """:class:`_Needs` of the cells, or None past :data:`MAX_ORDER_FUNCTIONS` functions or :data:`MAX_ORDER_CELLS`
    cells (every read then counts, as before: the closure costs functions squared)."""
    if len(trees) > MAX_ORDER_CELLS:
        return None
    bodies = _bodies(trees)
    return _Needs(bodies, trees, tests) if len(bodies) <= MAX_ORDER_FUNCTIONS else None


def _mask(names: set[str], masks: dict[str, int]) -> int:
    """The union of ``masks`` of the names that have one."""
    total = 0
    for name in names:
        total |= masks.get(name, 0)
    return total


def _test_between(parsed: list[tuple[int, ast.Module, int | None]], tests: frozenset[int], upper: int,
                  lower: int) -> int | None:
    """The number of the first test cell between ``upper`` and ``lower`` (indices): a fix written below it is not
    what it grades (fairness 59); None if there is none."""
    return next((number for number, _, _ in parsed[upper + 1:lower] if number in tests), None)


def _ran_after(parsed: list[tuple[int, ast.Module, int | None]], upper: int, lower: int) -> int | None:
    """The number of the first cell between ``upper`` and ``lower`` (indices) that the kernel ran after ``lower``
    (a fix written below the tests, run before them: fairness 17); None if none did."""
    lower_count = parsed[lower][2]
    return next((number for number, _, count in parsed[upper + 1:lower]
                 if count is not None and lower_count is not None and count > lower_count), None)


def _execution_count(count: object) -> int | None:
    """A cell's execution count, where the notebook holds a real one (never a bool)."""
    return count if isinstance(count, int) and not isinstance(count, bool) else None


def order_notes(cells: list[tuple[int, str, object]], tests: frozenset[int] = frozenset()) -> list[str]:
    """Where running the cells top to bottom (as nbgrader does) differs from the order the student ran them.

    ``cells`` are (cell number, its Python, its execution count) in document order; ``tests``, the numbers of
    the test cells among them (each may call any function of the notebook). Two cases, named only when the
    execution counts show the student ran the lower cell first and a cell between needs the name: a name (a
    function, an import, a variable) used above the cell that binds it, and a function defined again,
    differently, in a cell below (or never run there: a stub left below the solution, fairness 61). A third,
    whatever the order the cells ran in: a function defined again between test cells, so that those above grade
    the first definition (a fix written in a new cell: fairness 59; not a trial at the end that nothing below
    runs, fairness 61).
    """
    counts = [count for _, _, count in cells if _execution_count(count) is not None]
    if all(earlier <= later for earlier, later in zip(counts, counts[1:])) and not (tests and _defined_twice(cells)):
        return []  # run top to bottom (or not at all), no fix below a test: nothing graded otherwise than it ran
    parsed = []
    for number, code, count in cells:
        try:
            tree = ast.parse(code)
        except PARSE_ERRORS:
            continue
        parsed.append((number, tree, _execution_count(count)))
    tops = [_top_level(tree) for _, tree, _ in parsed]
    needs = _needs([tree for _, tree, _ in parsed], [number in tests for number, _, _ in parsed])

    work = [ORDER_WORK]  # cells still to ask "does it need this name?" (red team 224: 55,000 names bound below)
    imports: dict[int, set[str]] = {}

    def imported(index: int) -> set[str]:  # the names cell index imports, read once (red team 225)
        if index not in imports:
            imports[index] = _imported(parsed[index][1])
        return imports[index]

    def spent(cells: int) -> bool:
        work[0] -= max(cells, 0)
        return work[0] < 0

    def needed(name: str, first: int, stop: int) -> bool:  # does a cell in first..stop need it, top to bottom?
        return needs is None or not spent(stop - first) and any(needs(index, name) for index in range(first, stop))

    def ran_after(name: str, first: int, binding: int) -> int | None:  # the cell in first..binding that needs it
        bound = parsed[binding][2]  # and ran after the binding cell (a test run again below a new helper: fairness 60)
        if needs is None or bound is None or spent(binding - first):
            return None
        return next((parsed[index][0] for index in range(first, binding) if needs(index, name)
                     and parsed[index][2] is not None and parsed[index][2] > bound), None)
    defined_at: dict[str, list[int]] = {}  # name → the cells (indices into parsed) that define it, in order
    bound_at: dict[str, list[int]] = {}  # ... that bind it at top level (an import, an assignment: fairness 59)
    for index, (defined, bound) in enumerate(tops):
        for name in defined:
            defined_at.setdefault(name, []).append(index)
        for name in bound:
            bound_at.setdefault(name, []).append(index)
    notes: list[str] = []
    above: set[str] = set()
    for index, (number, tree, count) in enumerate(parsed):
        above |= tops[index][1]
        for name in _used(tree):
            later = None if name in above else _after(bound_at.get(name, []), index)
            if later is None:
                continue
            first = (count is not None and parsed[later][2] is not None and parsed[later][2] < count
                     and needed(name, index, later))
            again = None if first else ran_after(name, index, later)
            if (first or again is not None) and len(notes) >= MAX_ORDER_NOTES:
                notes.append("")  # (counted, never written: red team 225 had 16,000 of them)
            elif first or again is not None:
                how = "imported" if name in imported(later) else "defined"
                notes.append(f"cell {number} uses {name}, which is {how} below it, in cell {parsed[later][0]}: the "
                             f"notebook is graded top to bottom, as nbgrader runs it, so {name} does not exist yet "
                             f"for cell {number} and the tests below it, up to cell {parsed[later][0]} (your kernel "
                             f"ran cell {parsed[later][0]} " + ("first)" if first else f"before cell {again})"))
    differs = _next_different(tops, defined_at)
    for index, (number, tree, count) in enumerate(parsed):
        for name in tops[index][0]:
            later = differs.get((name, index))
            if later is None or spent(len(parsed) - index):  # (the scans below: up to three over the cells)
                continue
            other, _, other_count = parsed[later]
            if count is not None and (other_count is None or other_count < count):
                if not needed(name, later + 1, len(parsed)):
                    continue  # nothing below the second definition runs it: the tests grade the first
                ran = "never ran" if other_count is None else "ran first"  # (never: a stub left below, fairness 61)
                notes.append(f"{name} is defined in cell {number} and again, differently, below it in cell "
                             f"{other}, which your kernel {ran}: the notebook is graded top to bottom, "
                             f"so the tests after cell {other} grade cell {other}'s {name}")
            elif (count is not None and other_count is not None and (middle := _ran_after(parsed, index, later))
                  and needed(name, index + 1, later)):
                notes.append(f"{name} is defined in cell {number} and again, differently, below it in cell {other}, "
                             f"which your kernel ran before cell {middle} above it: the notebook is graded top to "
                             f"bottom, so cell {middle} and the tests between grade cell {number}'s {name}")
            elif (test := _test_between(parsed, tests, index, later)) is not None \
                    and needed(name, later + 1, len(parsed)):  # (a trial at the end that nothing below runs: no note)
                below = _test_between(parsed, tests, later, len(parsed))
                notes.append(f"{name} is defined in cell {number} and again, differently, in cell {other}, below "
                             f"test cell {test}: the notebook is graded top to bottom, as nbgrader runs it, so "
                             f"the tests above cell {other} grade cell {number}'s {name}"
                             + (f", and those below it cell {other}'s" if below is not None else ""))
    if len(notes) > MAX_ORDER_NOTES:
        notes = notes[:MAX_ORDER_NOTES] + [f"(and {len(notes) - MAX_ORDER_NOTES} more like these)"]
    return notes


def functions_defined(text: str, functions: Iterable[str]) -> int:
    """How many of ``functions`` ``text`` defines at its top level: ``def name(`` where a line starts, in a ``.py`` or
    in a notebook's JSON (where a line starts a string, or follows the escape ``\\n``: one string per cell). A
    docstring's or comment's mention inside a line is none (red team 241: notes.py was taken for the student's)."""
    return sum(1 for name in functions
               if re.search(rf'(?:^|"|\\n)def\s+{re.escape(name)}\s*\(', text, re.MULTILINE))


def entry_kind(path: Path) -> str:
    """What ``path`` itself is, never following a link: ``file``, ``folder``, ``link``, ``other`` (a FIFO, socket
    or device) or ``missing`` (a name the file system refuses, too long, counts as missing). ``Path.is_file``
    follows a link and raises where it cannot reach its target (ENAMETOOLONG, EACCES): a student's upload or class
    folder may hold such a link (red team 49)."""
    try:
        mode = os.lstat(path).st_mode
    except (OSError, ValueError):
        return "missing"
    if stat.S_ISLNK(mode):
        return "link"
    return "file" if stat.S_ISREG(mode) else "folder" if stat.S_ISDIR(mode) else "other"


def open_plain_file(path: Path) -> BinaryIO:
    """``path`` opened for reading, never through a symbolic link (an upload's link to ``/proc/self/environ`` or a
    root-only file would be read with the grader's rights and quoted back in a compile error) and only if it is a
    plain file (a FIFO would block). :class:`SubmissionError` otherwise."""
    if path.is_symlink():
        raise SubmissionError(f"{shown_name(path)} is a symbolic link: submit the file itself")
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise SubmissionError(f"no such file: {path}") from None
    except OSError as exc:  # ELOOP: it became a link meanwhile; EACCES, …
        raise SubmissionError(f"cannot read {path}: {exc.strerror or exc}") from None
    handle = os.fdopen(fd, "rb")
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        handle.close()
        raise SubmissionError(f"cannot read {path}: {'Is a directory' if stat.S_ISDIR(mode) else 'not a plain file'}")
    return handle


def read_plain_file(path: Path, limit: int) -> tuple[bytes, int]:
    """The bytes of ``path`` (:func:`open_plain_file`) and its size; no bytes where it holds more than ``limit``
    (never read into memory), its size then over ``limit`` even if it grew since it was measured."""
    with open_plain_file(path) as handle:
        size = os.fstat(handle.fileno()).st_size
        try:
            raw = handle.read(limit + 1) if size <= limit else b""
        except OSError as exc:  # a file of /proc that refuses reading (/proc/self/mem: EIO), a failing disk
            raise SubmissionError(f"cannot read {path}: {exc.strerror or exc}") from None
    return (b"", len(raw)) if len(raw) > limit else (raw, size)


@contextlib.contextmanager
def quietly() -> Iterator[None]:
    """Read and grade a submission without Python's warnings about its code (``"\\d"``, an invalid escape, is
    a ``SyntaxWarning`` from Python 3.12 on; ``x is 1``) on the grader's stderr: each of the grader's readings would
    print it again, over the report or a class's progress bar. The child, which runs the code, still writes them
    into the student's own output, as Python would."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=SyntaxWarning)
        warnings.filterwarnings("ignore", message="invalid .*escape sequence", category=DeprecationWarning)
        yield


def load(path: str | Path, kind: str | None = None, *, order: bool = True) -> Submission:
    """Read ``path`` as ``kind`` ("py" or "ipynb"; default: from its suffix); ``order``: as :func:`notebook_source`.

    :class:`SubmissionError` when it is missing, unreadable or not a notebook; a file
    that cannot run (empty, a null byte, a syntax error) comes back with its ``problem``.
    """
    path = Path(path)
    kind = kind or ("ipynb" if path.suffix == ".ipynb" else "py")
    raw, size = read_plain_file(path, MAX_CODE if kind == "py" else MAX_FILE)  # a .py file is all code
    check_size(shown_name(path), size, size if kind == "py" else 0, braces=module_braces(raw) if kind == "py" else 0,
               notebook=kind == "ipynb")
    if not raw.strip():
        return Submission(str(path), b"", problem=f"{shown_name(path)} is empty", kind=kind)
    if kind == "ipynb":
        return notebook_source(str(path), raw.decode("utf-8", "replace"), order=order)
    return module_source(str(path), raw)


def module_source(path: str, raw: bytes) -> Submission:
    """A ``.py`` submission's module: one exported from a notebook with its cells marked read as that notebook
    (:func:`exported_notebook`), its magics otherwise run as in a notebook (:func:`exported_magics`); a module that
    does not compile comes back with its ``problem``."""
    exported = exported_notebook(path, raw)
    if exported is not None:
        return exported
    error = compile_error(raw, shown_name(path))
    if error:
        rewritten = _rewritten(raw, ipython=True, name=shown_name(path)) if ipython_line(raw) else None
        read = _read_module(*rewritten) if rewritten is not None else None
        if not isinstance(read, tuple):  # (read as IPython, its own error at the file's line: red team 237 was told
            # of the !pip at line 1, the error being at line 74)
            return Submission(path, raw, problem=f"{shown_name(path)} does not compile: {read or error}", kind="py")
        code, lines, skipped = read
        return Submission(path, code, kind="py", skipped=skipped, lines=lines)
    raw, lines, skipped = exported_magics(raw, name=shown_name(path))
    return Submission(path, raw, kind="py", skipped=skipped, lines=lines)


def rewritten_too_long(name: str) -> str:
    """Why a file whose IPython commands, read as Python, make more code than a submission may hold is not graded."""
    return (f"{name} holds more than {MAX_REWRITTEN // 2**10} KiB of code once its IPython commands are read as Python "
            f"(a %timeit runs in a function of its own, a cell magic's body is indented): a submission may hold at "
            f"most {MAX_CODE // 2**10} KiB, {MAX_REWRITTEN // 2**10} KiB once so read")


def ipython_line(raw: bytes) -> bool:
    """The line a module of bytes ``raw`` first fails to compile at is an IPython command (``%load_ext …``,
    ``!pip …``, ``files = !ls``, ``x?``: :func:`magics.ipython_command`): fairness 68, a notebook exported by
    ``nbconvert --to script`` without the notebook's full language info (Colab's) keeps them as written, with no cell
    marks. The file is read as Python reads it (fairness 69: a byte-order mark before a first-line ``!pip`` hid
    it)."""
    try:
        text, _ = _decoded(raw)
    except (SyntaxError, LookupError, UnicodeDecodeError):  # (a coding header Python refuses)
        return False
    try:
        compile(text, "<module>", "exec", dont_inherit=True)
    except SyntaxError as exc:
        lines = text.split("\n")
        return bool(exc.lineno) and exc.lineno <= len(lines) and magics.ipython_command(lines[exc.lineno - 1])
    except (ValueError, RecursionError, MemoryError):
        return False
    return False


def module_braces(raw: bytes) -> int:
    """The ``{`` Python parses in a module of bytes ``raw``: counted in the text its coding header decodes to as well
    as in its bytes (red team 145: under ``# coding: unicode_escape`` each ``\\x7b`` is one, and 42,000 of them took
    11 s to grade)."""
    try:
        text = _decoded(raw)[0]
    except Exception:  # noqa: BLE001 (a header's codec may raise anything; Python's compile then refuses it too)
        text = ""
    return max(raw.count(b"{"), text.count("{"))


def _decoded(raw: bytes) -> tuple[str, str]:
    """``raw`` as the text Python reads, and its encoding: decoded as its coding header says, its BOM gone, its lines
    ended only where Python ends them (``\\r\\n`` and ``\\r`` become ``\\n``; never where ``str.splitlines`` would, at
    U+2028 or ``\\f`` in a comment: fairness 35)."""
    encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
    return re.sub(r"\r\n?", "\n", raw.decode(encoding)).removeprefix("\ufeff"), encoding


_CELL_MARK = re.compile(r"^# (?:In\[[ \d]*\]:|%%)(?P<rest>.*)$")  # nbconvert's ``# In[3]:``; VS Code's, jupytext's ``# %%``


def exported_notebook(path: str, raw: bytes) -> Submission | None:
    """A module exported from a notebook with its cells marked (nbconvert's and Jupyter's "Download as Python"
    ``# In[ ]:``, VS Code's and jupytext's ``# %%``), read as that notebook: each cell runs on its own, an error
    ending only its cell (a demo of an error, which exercise 5 invites), with the names a kernel gives (``display``),
    and the test cells judge where they stand (fairness 35: such a module scored zero where its notebook scored full).
    Each line is named as the file numbers it. None: no such module (fewer than two marks, or not text)."""
    try:
        text, _ = _decoded(raw)
    except Exception:  # noqa: BLE001 (any codec a header names may raise anything: red team 145's ``# coding:
        return None  # undefined`` raised a bare UnicodeError; the module's own compile says why)
    lines = text.split("\n")
    marks = [number for number, line in enumerate(lines) if _CELL_MARK.match(line)]
    if len(marks) < 2:
        return None
    cells, starts = [], []
    for start, end in zip([-1, *marks], [*marks, len(lines)]):
        kind = "markdown" if start >= 0 and "[markdown]" in _CELL_MARK.match(lines[start])["rest"] else "code"
        cells.append({"cell_type": kind, "metadata": {}, "source": "\n".join(lines[start + 1:end]),
                      **({"execution_count": None, "outputs": []} if kind == "code" else {})})
        starts.append(start + 2)  # (the file's line of the cell's first line)
    notebook = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    try:
        read = notebook_source(path, json.dumps(notebook), order=False)
    except SubmissionError:  # (past a notebook's limits, 2,000 cells: read as the module it is)
        return None
    where = tuple(starts[cell - 1] + line - 1 for cell, line in read.cells)
    note = (f"{shown_name(path)} was read as the notebook it was exported from: {len(cells)} cells between its "
            "'# In[ ]:' or '# %%' lines, each run on its own")
    return replace(read, lines=where, skipped=(note, *read.skipped))


def exported_magics(raw: bytes, *, name: str = "the file") -> tuple[bytes, tuple[int, ...], tuple[str, ...]]:
    """A module exported from a notebook (Jupyter's "Download as Python", ``nbconvert --to script``) spells its
    magics as ``get_ipython().run_line_magic(…)`` calls, which plain Python cannot run (``NameError``): each becomes
    what it does in a notebook (:func:`magics.rewrite`: ``%time`` runs its statement, ``%%time`` its cell, the setup
    cell's ``%load_ext`` and ``%matplotlib`` nothing). Returns :func:`_read_module`'s module, lines and notes.
    Fairness 33: the export of a filled notebook scored zero. A file the rewrite cannot read, or whose rewrite does
    not compile, is left as written."""
    rewritten = _rewritten(raw, ipython=False, name=name) if b"get_ipython()" in raw else None
    read = _read_module(*rewritten) if rewritten is not None else None
    return read if isinstance(read, tuple) else (raw, (), ())


def _rewritten(raw: bytes, *, ipython: bool, name: str) -> tuple[magics.Plain, bytes] | None:
    """A module's magics as Python (:func:`magics.rewrite`), or with ``ipython`` its IPython syntax as written too
    (``%load_ext …``, ``!pip …``: :func:`magics.module_to_python`, IPython's own transformer), and that Python in the
    file's encoding; None where the rewrite cannot read it (red team 143: a lone ``\\r`` ends a line for Python, a
    surrogate in a cell's text); :class:`SubmissionError` where the Python is longer than :data:`MAX_REWRITTEN`
    (``name``: the file, as messages show it)."""
    try:
        text, encoding = _decoded(raw)
        budget = magics.Budget(code=MAX_REWRITTEN)
        plain = magics.module_to_python(text, budget) if ipython else magics.rewrite(text, budget=budget)
        return plain, plain.code.encode(encoding)
    except magics.TooLong:
        raise SubmissionError(rewritten_too_long(name)) from None
    except Exception:  # noqa: BLE001 (whatever the rewrite meets in a hostile file, the file is read as written)
        return None


def _read_module(plain: magics.Plain, code: bytes) -> tuple[bytes, tuple[int, ...], tuple[str, ...]] | str | None:
    """A rewritten module (:func:`_rewritten`): its code, the file's own line of each of its lines (``()``:
    unchanged) and the notes naming what was skipped; or why it does not compile, at the file's line; None where its
    lines cannot be mapped back."""
    if len(plain.origin) != plain.code.count("\n") + 1:
        return None
    error = compile_error(code, "<module>")
    if error is not None:
        return _at_origin(error, plain.origin)
    commands = list(dict.fromkeys(plain.skipped))
    notes = [f"IPython commands that only a kernel runs were skipped: {', '.join(commands)}"] if commands else []
    moved = plain.origin != tuple(range(1, len(plain.origin) + 1))
    return code, plain.origin if moved else (), (*notes, *plain.notes)
