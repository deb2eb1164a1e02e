"""Derive a student stub from a solution source, the way nbgrader's ClearSolutions does.

Every ``### BEGIN SOLUTION`` … ``### END SOLUTION`` region is replaced by
``# YOUR CODE HERE`` and ``raise NotImplementedError()`` at the marker's
indentation. Everything else (the handout docstring, signatures, docstrings)
is kept as written.
"""

from __future__ import annotations

import re

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
STUB_BODY = ("# YOUR CODE HERE", "raise NotImplementedError()")


class MarkerError(ValueError):
    """Unbalanced or nested solution markers."""


def strip_solutions(source: str, *, where: str = "source") -> str:
    """The source with each solution region replaced by the stub body."""
    out: list[str] = []
    inside_from: int | None = None
    for number, line in enumerate(source.splitlines(keepends=True), start=1):
        marker = line.strip()
        if marker not in (BEGIN, END) and (BEGIN[4:] in line or END[4:] in line):
            raise MarkerError(f"{where}:{number}: a solution marker must stand on a line of its own ({marker!r}: "
                              "nbgrader would open or close a region there, and the stub would keep the line)")
        if marker == BEGIN:
            if inside_from is not None:
                raise MarkerError(f"{where}:{number}: nested {BEGIN} (the one at line {inside_from} is still open)")
            inside_from = number
            indent = re.match(r"\s*", line).group(0)
            out.extend(f"{indent}{text}\n" for text in STUB_BODY)
        elif marker == END:
            if inside_from is None:
                raise MarkerError(f"{where}:{number}: {END} without {BEGIN}")
            inside_from = None
        elif inside_from is None:
            out.append(line)
    if inside_from is not None:
        raise MarkerError(f"{where}:{inside_from}: {BEGIN} is never closed")
    return "".join(out)


def solution_regions(source: str) -> int:
    """How many solution regions ``source`` has (a source without any is a mistake)."""
    return sum(1 for line in source.splitlines() if line.strip() == BEGIN)


def stub_header(exercise_slug: str, source_name: str) -> str:
    """The comment that opens a generated stub."""
    return (f"# Student stub for {exercise_slug}, generated from {source_name} by `grade build`.\n"
            f"# Fill in each function, then check your work with:  grade {exercise_slug}\n")


def make_stub(source: str, *, exercise_slug: str, source_name: str) -> str:
    """The full stub file text for one exercise."""
    body = strip_solutions(source, where=source_name)
    if not solution_regions(source):
        raise MarkerError(f"{source_name}: no {BEGIN} region")
    return stub_header(exercise_slug, source_name) + body
