"""The nbgrader source notebook of an exercise, derived from its solution source and its checks.

Layout, in order: the handout (the solution module's docstring) and a short
how-to, both read-only; the setup cell (``%load_ext autograd_exercises.notebook``,
see :data:`SETUP_HEADER`, then the module's imports), read-only; then for each
student function a heading, its solution cell (signature, docstring,
``### BEGIN SOLUTION`` body) and one autograded test cell per check of that
function, worth the check's points. Test cells call
:func:`autograd_exercises.notebook.check`, so nbgrader and ``grade exercise-N``
run the same checks; hidden checks sit inside ``### BEGIN HIDDEN TESTS``.

Every test cell follows its solution cell or another test cell: nbgrader's
``add_missing_cells`` (on in our config) re-inserts a deleted test cell after
the nbgrader cell that preceded it, and crashes when that cell is anything else.
"""

from __future__ import annotations

import ast
import hashlib
from typing import TYPE_CHECKING

from autograd_exercises.build.notebook import Cell, Code, Markdown, Solution, Test, dump_notebook, make_notebook
from autograd_exercises.submission import TEST_CELL_MARKER

if TYPE_CHECKING:
    from autograd_exercises.spec import Check, Exercise

HOW_TO = """**How this notebook works.** Run the setup cell below first. Write your code in the cells marked
`# YOUR CODE HERE` (delete the `raise NotImplementedError()` line). Each function is followed by test cells,
worth the points they show: run them while you work to see what is right and what is not. They are feedback,
not your grade: your saved notebook is graded on its own, outside this kernel, exactly as
`grade {slug} {slug}.ipynb` grades it from a terminal, and hidden checks run only then."""

# The first lines of the locked setup cell. The extension records how each cell ended (so a cell that
# failed earlier in the session does not break later checks) and starts the grading sandbox while torch
# imports; see autograd_exercises/notebook.py. Both module builders comment the magic out.
SETUP_HEADER = """# Run this cell first: the test cells grade your code with the autograd_exercises package.
%load_ext autograd_exercises.notebook
"""


def source_notebook_path(exercise: "Exercise") -> str:
    return f"assignments/source/{exercise.slug}/{exercise.notebook}"


def split_source(source: str) -> tuple[str, str, dict[str, str]]:
    """(handout markdown, setup code, {function name: its full source}) of a solution module."""
    tree = ast.parse(source)
    lines = source.splitlines()
    handout = ast.get_docstring(tree, clean=True) or ""
    starts = [node.lineno - 1 - len(getattr(node, "decorator_list", [])) for node in tree.body] + [len(lines)]
    setup, functions = [], {}
    for node, start, end in zip(tree.body, starts, starts[1:]):
        # up to the next statement: trailing comments such as ### END SOLUTION belong to this one
        text = "\n".join(lines[start:end]).rstrip()
        if isinstance(node, ast.FunctionDef):
            functions[node.name] = text
        elif not (isinstance(node, ast.Expr) and isinstance(getattr(node, "value", None), ast.Constant)):
            setup.append(text)
    return handout, "\n".join(setup), functions


def check_cell_id(check: "Check") -> str:
    """The cell id, and nbgrader ``grade_id``, of a check's test cell.

    A hidden check's id names its function and a digest of its name, never the name:
    the release notebook keeps every id and ships in the student wheel, which holds no
    hidden check (``tests/test_wheel.py``).
    """
    if check.hidden:
        return f"test-{check.function}-hidden-{hashlib.sha256(check.name.encode()).hexdigest()[:8]}"
    return f"test-{check.name}"


def solution_cell_id(function: str) -> str:
    return f"solution-{function}"


def test_source(exercise: "Exercise", check: "Check") -> str:
    """A test cell: one check, run through the same grader as ``grade``."""
    points = f"{check.points:g} point{'s' if check.points != 1 else ''}"
    call = f"from autograd_exercises.notebook import check\ncheck({exercise.slug!r}, {check.name!r})"
    if check.hidden:
        return (f"{TEST_CELL_MARKER}: a hidden check of {check.function} ({points}, runs when your notebook is "
                f"graded)\n### BEGIN HIDDEN TESTS\n{call}\n### END HIDDEN TESTS")
    return f"{TEST_CELL_MARKER}: {check.name} ({points})\n# {check.description}\n{call}"


def first_line(function_source: str) -> str:
    node = ast.parse(function_source).body[0]
    doc = ast.get_docstring(node) or ""
    return doc.strip().splitlines()[0] if doc.strip() else ""


def cells(exercise: "Exercise", source: str) -> list[Cell]:
    """Every cell of the exercise's source notebook."""
    handout, setup, functions = split_source(source)
    given = [text for name, text in functions.items() if name not in exercise.functions]  # helpers students use
    setup = "\n\n\n".join([setup, *given]) if given else setup
    out: list[Cell] = [Markdown(handout, cell_id="handout"), Markdown(HOW_TO.format(slug=exercise.slug), cell_id="how-to"),
                       Code(SETUP_HEADER + setup, cell_id="setup")]
    for name in exercise.functions:
        out.append(Markdown(f"### `{name}`\n\n{first_line(functions[name])}", cell_id=f"about-{name}"))
        out.append(Solution(functions[name], cell_id=solution_cell_id(name)))
        out += [Test(test_source(exercise, check), cell_id=check_cell_id(check), points=check.points)
                for check in exercise.checks if check.function == name]
    return out


def expected_notebooks(exercise: "Exercise", source: str) -> dict[str, str]:
    """Relative path → text of the exercise's nbgrader source notebook."""
    return {source_notebook_path(exercise): dump_notebook(make_notebook(cells(exercise, source)))}
