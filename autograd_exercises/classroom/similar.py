"""Submissions that are the same program: a digest of the code after normalising what does not change it.

:func:`fingerprint` parses a submission (a module, or a notebook's code cells as ``grade`` runs them: test
cells left out) with :mod:`ast` and digests it after dropping what two copies of one program may differ in:

* comments and whitespace (:mod:`ast` keeps neither) and docstrings;
* the names of local variables and arguments: in each function they become ``_0``, ``_1``, … in the order
  the function's tree binds them (names declared ``global`` or ``nonlocal``, and imported names, are kept);
* the order of the top-level functions and classes (sorted by name; other statements keep their order).

A file that does not parse is digested as its text without blank lines, comments and indentation.
:func:`groups` gathers the submissions of each exercise that share a digest. A group is a hint for
the instructor to look at, never a verdict: short exercises have few ways to be right. Submissions
identical to the untouched stub or to the reference solution (:func:`references`) are counted, not
grouped: they are the same program for a reason that is not copying.

Pure standard library (no torch): the instructor's process and the workers both use it.
"""

from __future__ import annotations

import ast
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

from autograd_exercises.parsing import PARSE_ERRORS

_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef)
_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_COMMENT = re.compile(r"#.*$")


def _drop_docstring(body: list[ast.stmt]) -> list[ast.stmt]:
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        body = body[1:]
    return body or [ast.Pass()]


class _Rename(ast.NodeTransformer):
    """Rename the names in ``names`` (a mapping) wherever they occur as a variable, an argument or an exception."""

    def __init__(self, names: dict[str, str]) -> None:
        self.names = names

    def visit_Name(self, node: ast.Name) -> ast.Name:
        node.id = self.names.get(node.id, node.id)
        return node

    def visit_arg(self, node: ast.arg) -> ast.arg:
        node.arg = self.names.get(node.arg, node.arg)
        self.generic_visit(node)
        return node

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> ast.ExceptHandler:
        if node.name:
            node.name = self.names.get(node.name, node.name)
        self.generic_visit(node)
        return node


def _locals(function: ast.AST) -> dict[str, str]:
    """Canonical names of what ``function`` (and the functions nested in it) binds, in the tree's order."""
    kept: set[str] = set()
    order: dict[str, None] = {}  # (a dict, not a list: 63,000 names in one line took 17 s to look up, red team 78)
    for node in ast.walk(function):
        if isinstance(node, (ast.Global, ast.Nonlocal)):
            kept.update(node.names)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            kept.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
    for node in ast.walk(function):
        if isinstance(node, ast.arg):
            name = node.arg
        elif isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            name = node.id
        elif isinstance(node, ast.ExceptHandler) and node.name:
            name = node.name
        else:
            continue
        if name not in kept:
            order.setdefault(name)
    return {name: f"_{number}" for number, name in enumerate(order)}


def _normalise_function(function: ast.AST) -> None:
    function.body = _drop_docstring(function.body)
    for node in ast.walk(function):
        if isinstance(node, _DEFINITIONS) and node is not function:
            node.body = _drop_docstring(node.body)
    _Rename(_locals(function)).visit(function)


def normalised(source: str | bytes) -> str:
    """The program's tree with comments, docstrings, local names and the order of definitions normalised,
    as :func:`ast.dump` text; raises ``SyntaxError`` (or ``ValueError``) when it does not parse."""
    tree = ast.parse(source)
    body = _drop_docstring(tree.body)
    for statement in body:
        if isinstance(statement, _SCOPES):
            _normalise_function(statement)
        elif isinstance(statement, ast.ClassDef):
            statement.body = _drop_docstring(statement.body)
            for member in statement.body:
                if isinstance(member, _SCOPES):
                    _normalise_function(member)
    others = [statement for statement in body if not isinstance(statement, _DEFINITIONS)]
    definitions = sorted((statement for statement in body if isinstance(statement, _DEFINITIONS)),
                         key=lambda statement: statement.name)
    tree.body = [statement for statement in others if not isinstance(statement, ast.Pass)] + definitions
    return ast.dump(tree, annotate_fields=False)


def _plain_text(source: str) -> str:
    """A file that does not parse: its lines without comments, indentation and blank lines."""
    lines = (_COMMENT.sub("", line).strip() for line in source.splitlines())
    return "\n".join(line for line in lines if line)


def program(data: bytes, kind: str) -> str | None:
    """The Python a submission runs: the module, or a notebook's code cells (no test cells); None for a
    notebook that cannot be read."""
    if kind == "ipynb":
        from autograd_exercises.submission import SubmissionError, notebook_source

        try:
            code = notebook_source("submission.ipynb", data.decode("utf-8", "replace"), order=False).source
            return code.decode("utf-8", "replace")
        except (SubmissionError, ValueError, TypeError, AttributeError, RecursionError):
            return None
    return data.decode("utf-8", "replace")


def fingerprint(data: bytes, kind: str = "py", source: str | None = None) -> str | None:
    """The digest of the submission's program once normalised (:func:`normalised`); None for an empty one.
    ``source``: the program, where the caller has already read it (:func:`program` of ``data``)."""
    source = program(data, kind) if source is None else source
    if source is None or not source.strip():
        return None
    try:
        text = "ast:" + normalised(source)
    except PARSE_ERRORS:
        text = "text:" + _plain_text(source)
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()[:20]


# -- the stub and the solution ------------------------------------------------------------------------------


def references(slug: str) -> dict[str, str]:
    """``{digest: what it is}`` of the files a submission may equal for a reason other than copying: the untouched
    stub and release notebook (``grade start``'s), and, in a source checkout, the reference solution and its
    notebook. Files absent from this install are left out."""
    import autograd_exercises
    from autograd_exercises import catalog

    try:
        info = catalog.find(slug)
    except LookupError:
        return {}
    package = Path(autograd_exercises.__file__).parent
    checkout = package.parent
    candidates = (
        (package / info.stub, "py", "the untouched stub"),
        (package / "notebooks" / info.notebook, "ipynb", "the untouched notebook"),
        (checkout / "solutions" / info.stub, "py", "the reference solution"),
        (checkout / "assignments" / "source" / slug / info.notebook, "ipynb", "the reference solution"),
    )
    found: dict[str, str] = {}
    for path, kind, label in candidates:
        try:
            digest = fingerprint(path.read_bytes(), kind)
        except OSError:
            continue
        if digest is not None:
            found.setdefault(digest, label)
    return found


# -- groups ---------------------------------------------------------------------------------------------------


@dataclass
class Group:
    """Submissions of one exercise with the same normalised program."""

    exercise: str
    fingerprint: str
    rows: list[dict[str, Any]] = field(default_factory=list)

    @property
    def students(self) -> list[str]:
        return sorted({row["student"] for row in self.rows})

    @property
    def byte_identical(self) -> bool:
        """Every file has the same bytes (not only the same program)."""
        return len({row.get("sha256") for row in self.rows}) == 1


@dataclass
class Similar:
    """What :func:`groups` found: the groups, and how many submissions equal a reference file, per exercise."""

    groups: list[Group]
    as_reference: dict[str, dict[str, int]]  # exercise → {"the reference solution": 12, …}
    without: dict[str, int]  # exercise → submissions without a fingerprint (older rows, unreadable files)


def groups(rows: Iterable[dict[str, Any]], refs: dict[str, dict[str, str]] | None = None) -> Similar:
    """Groups of two or more students whose submissions of one exercise share a fingerprint, largest first.

    ``refs``: ``{exercise: {digest: label}}`` (:func:`references`); a submission equal to one is counted under its
    label instead. Only graded submissions take part (a file that could not be graded has no program to compare).
    """
    refs = refs or {}
    by: dict[tuple[str, str], list[dict[str, Any]]] = {}
    as_reference: dict[str, dict[str, int]] = {}
    without: dict[str, int] = {}
    for row in rows:
        if row.get("status") != "graded":
            continue
        exercise, digest = row["exercise"], row.get("fingerprint")
        if not digest:
            without[exercise] = without.get(exercise, 0) + 1
            continue
        label = refs.get(exercise, {}).get(digest)
        if label is not None:
            counts = as_reference.setdefault(exercise, {})
            counts[label] = counts.get(label, 0) + 1
            continue
        by.setdefault((exercise, digest), []).append(row)
    found = [Group(exercise, digest, sorted(members, key=lambda row: row["student"]))
             for (exercise, digest), members in by.items() if len({row["student"] for row in members}) > 1]
    found.sort(key=lambda group: (-len(group.rows), group.exercise, group.students))
    return Similar(found, as_reference, without)


def reference_digests(exercises: Sequence[str]) -> dict[str, dict[str, str]]:
    """:func:`references` for each exercise."""
    return {slug: references(slug) for slug in exercises}
