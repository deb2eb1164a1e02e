"""A by-hand function that answers from what the module's top level saved while it ran autograd.

A by-hand call runs before any other call of its child (``grading._parts``), so nothing the grader's own calls of
the autograd functions leave behind reaches it. The module's top level is another matter: a demo loop or a
notebook cell may run the autograd function on a grid of inputs and keep the answers (in a list, a global, a file,
the random seed) for the by-hand function to fit a curve to, without ever deriving the formula. The trusted grader
reads the source, never running it, and asks two questions:

1. Does the top level run autograd (:func:`top_level_autograd`)? Its statements, decorators and defaults, and every
   module-level name they reach, read as :func:`static.autograd_use` reads a by-hand function.
2. Does the by-hand function's return value come from state that can carry such answers (:class:`Flow`)? Its code
   is followed statement by statement, through data and control flow: a read of a module-level name that is not a
   constant (every binding a literal, nothing ever changes it), of an attribute the file sets somewhere, of the
   world (files, the environment, random state, a library's ``get…``), a default argument built from those, or a
   call of a helper that reads any of them. Or does the file give one of the process's settings a computed value
   (:meth:`State.settings_kept`), which the function could read back in ways no list of readers follows?

Both yes: the by-hand check fails, naming the line. A function that only writes such state (a debug log, a call
counter, the last result kept for printing) passes: what it returns does not come from it.

The reading's parts, each a module of this package: :mod:`.rules` (what the file's syntax says: the names of the
world, of mutators and of doors, and the small predicates on nodes the others share), :mod:`.state` (:class:`State`:
what in the file can carry a value from its top level into a function), :mod:`.objects` (:class:`Objects`: the
file's plain classes and the objects made of them) and :mod:`.flow` (:class:`Flow`: where a function's return value
may come from, statement by statement). This module asks the two questions.
"""

from __future__ import annotations

import ast
from typing import Iterator, Sequence

from autograd_exercises.judge import methods, scopes, static
from autograd_exercises.judge.syntax import children, walk
from autograd_exercises.judge.saved.rules import (COMPOUND, CONTEXT, MAX_NODES, MAX_OBJECT_NODES, TOP_LEVEL, _closure,
                                                  _reverse_edges, may_call)
from autograd_exercises.judge.saved.state import State

__all__ = ["saved_answers", "top_level_autograd", "MAX_NODES", "MAX_OBJECT_NODES"]


# (fairness 44: the chain rule's advice told students who had written it out, with a class of their own and a demo that
# compared it with autograd at the top level, to do what they had done)
SAVED_ADVICE = ("keep what it reads inside the function (numbers written out, objects it makes there), or, in a .py "
                "file, put the code that runs autograd at the top level under `if __name__ == \"__main__\":`, which "
                "grading does not run")


def saved_answers(tree: ast.Module, module: static.Module, function: str, cells: Sequence[int] = (),
                  ran: static.CellRuns | None = None) -> list[static.Finding]:
    """A finding when the top level runs autograd and ``function``'s return value comes from state it can fill.
    (A module's ``if __name__ == "__main__":`` block does not run when it is graded; a notebook's does: ``cells``, the
    first line of each of its cells; ``ran``, what the children said of them.)"""
    try:
        where = top_level_autograd(tree, module, bool(cells))
        if where is None:
            return []
        state = State(tree, module, function, tuple(cells), where.lineno, ran)
        for node in module.bindings.get(function, ()):
            if sum(1 for _ in zip(walk(node), range(MAX_NODES + 1))) > MAX_NODES:
                return [static.Finding(f"is too long to be read for saved answers (over {MAX_NODES} parts; a "
                                       "by-hand derivative takes a few lines)", getattr(node, "lineno", 1), function,
                                       static.DYNAMIC)]
            source = state.answer_source(node)
            if source is not None:
                return [static.Finding(f"computes its answer from {state.describe(source)}",
                                       getattr(source, "lineno", None) or getattr(node, "lineno", 1), function,
                                       context=(CONTEXT, where.lineno), advice=SAVED_ADVICE)]
        kept = state.settings_kept(where)  # (no reader of the settings need be named: red team 135)
        if kept is not None:
            return [static.Finding(f"may answer from {_setting(state, kept)} ({state.describe(kept)})", kept.lineno,
                                   function, context=(CONTEXT, where.lineno))]
    except RecursionError:  # code nested past what can be read: it cannot be told apart, so it fails closed
        line = min((getattr(node, "lineno", 1) for node in module.bindings.get(function, ())), default=1)
        return [static.Finding("is nested too deeply to be read", line, function, static.DYNAMIC)]
    return []


def _setting(state: State, kept: ast.AST) -> str:
    """What :meth:`State.settings_kept` found, in words."""
    if isinstance(kept, (ast.Name, ast.Attribute)) and state.a_module(kept):
        return "a module whose settings the file may change under any name"
    if state.stopped_above(kept):
        return ("a setting changed in a cell that stopped above it, or may (whether the setter runs can then carry an "
                "answer: give it a cell of its own, above the code that runs autograd)")
    return "a setting the file gives a computed value"


def top_level_autograd(tree: ast.Module, module: static.Module, notebook: bool = False) -> ast.AST | None:
    """The first top-level statement (or decorator, default) that differentiates, or looks names up dynamically,
    itself or in what it reaches: the code that runs when the module is imported or its cells are run. Whether any
    does is read as a by-hand function's reach is (:func:`static.read_reach`, all statements at once: a method of
    the file's plain class that nothing names cannot run); which one, over the names each reaches with every binding
    read whole, once (both linear in the file)."""
    statements = list(_top_level_roots(tree.body, notebook or not _name_fixed(tree), module.literals, module))
    replaced = _replaced_and_run(tree, module)
    roots = statements + replaced
    if not any(_telling_finding(f) for f in static.read_reach(module, [], [(TOP_LEVEL, root) for root in roots])):
        return None  # (read as a by-hand function's reach is: a class's methods that nothing names cannot run)
    readers: dict[int, static.Reader] = {}

    def read(owner: str, node: ast.AST) -> static.Reader:
        if id(node) not in readers:
            readers[id(node)] = static.Reader(module, owner, node)
        return readers[id(node)]

    telling = {name for name, values in module.bindings.items() if any(_telling(read(name, v)) for v in values)}
    telling = _closure(telling, _reverse_edges(module, read))
    def reaches(root: ast.AST) -> bool:  # (read more widely than above: every method)
        reader = static.Reader(module, TOP_LEVEL, root)
        return _telling(reader) or any(name in telling for name in reader.reached)

    # where: the first statement that reaches autograd, or a replaced ``def`` above it, whose body ran where it was
    # called, above its replacement (red team 162: ``_fill(_pts)`` ran autograd above setters the reading took as
    # set up before a demo at the bottom)
    first = next(filter(reaches, statements), None)
    earlier = [root for root in replaced if reaches(root)]
    return min(filter(None, [first, *earlier]), key=lambda root: getattr(root, "lineno", 0), default=roots[0])


def _replaced_and_run(tree: ast.Module, module: static.Module) -> list[ast.AST]:
    """The ``def``s a later statement surely replaces (:attr:`static.Module.replaced`: the module's bindings leave them
    out) whose name the top level reads before it is replaced: their bodies may have run at import (red team 105 called
    ``_fill()``, which ran autograd, then defined ``_fill`` again as ``pass``, or bound it to ``None``)."""
    found = []
    for index, statement in enumerate(tree.body):
        for inner in static.module_statements([statement]):
            if isinstance(inner, (ast.FunctionDef, ast.AsyncFunctionDef)) and not module.live(inner.name, index) and any(
                    isinstance(node, ast.Name) and node.id == inner.name and isinstance(node.ctx, ast.Load)
                    for later in tree.body[index:module.replaced[inner.name] + 1] for node in walk(later)):
                found.append(inner)
    return found


def _telling(reader: static.Reader) -> bool:
    return any(_telling_finding(finding) for finding in reader.findings)


# Whether torch's own autograd at the top level may leave answers for the by-hand function: not where the by-hand call
# runs in a process whose top level ran with autograd switched off (``sandbox.observe.TopLevelOff``, which counts
# whatever still differentiates there), as every grading's does (fairness 44 and 45: honest files whose demo compared
# the by-hand function with autograd lost the point for constants and objects of their own). The tests of this
# reading's machinery set it, to read it as it reads a library that differentiates.
TORCH_AUTOGRAD_SAVES = False


def _telling_finding(finding: static.Finding) -> bool:
    """``finding``, at the top level, may have left answers for the by-hand function: a library that differentiates,
    numpy's derivative of a polynomial, a dynamic lookup; torch's own autograd only where
    :data:`TORCH_AUTOGRAD_SAVES`."""
    return finding.rank == static.DYNAMIC or finding.rank == static.DIFFERENTIATES and (
        TORCH_AUTOGRAD_SAVES or not static.torch_autograd(finding))


def _top_level_roots(body: list[ast.stmt], notebook: bool = True, names: dict[str, set[str]] | None = None,
                     module: static.Module | None = None) -> Iterator[ast.AST]:
    """What runs at import: simple statements, the heads of compound ones (``except`` types, ``case`` patterns and
    guards too; their bodies in turn), a ``def``'s
    decorators and defaults, a class's bases and its body's own top level. A function's body only where a decorator
    may call it as it is defined (:func:`.rules.may_call`), and a class's methods where one may make an object of it;
    never, in a module (imported under its own name), an
    ``if __name__ == "__main__":`` block."""
    for statement in body:
        if not notebook and isinstance(statement, ast.If) and _main_guard(statement.test):
            yield from _top_level_roots(statement.orelse, notebook, names, module)
            continue
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield from scopes.outer(statement)  # (its annotations too, evaluated as the def runs: red team 91)
            if module is not None and may_call(statement, module):
                yield statement
        elif isinstance(statement, ast.ClassDef):
            yield from [*statement.decorator_list, *statement.bases, *(k.value for k in statement.keywords)]
            yield from _top_level_roots(statement.body, notebook, names, module)
            if module is not None and may_call(statement, module):  # (one made as it is defined: its methods run)
                yield from (node for node in walk(statement) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)))
        elif isinstance(statement, COMPOUND):
            yield from (child for child in children(statement) if isinstance(child, ast.expr))
            yield from (part for child in children(statement) if isinstance(child, ast.withitem)  # (as expressions,
                        for part in (child.context_expr, child.optional_vars) if part is not None)  # with a line: red team 178)
            yield from (handler.type for handler in getattr(statement, "handlers", ()) if handler.type is not None)
            for case in getattr(statement, "cases", ()):  # a pattern reads attributes, a guard runs
                yield from [case.pattern, *filter(None, [case.guard])]
            for inner in _bodies(statement):
                yield from _top_level_roots(inner, notebook, names, module)
        elif not isinstance(statement, (ast.Import, ast.ImportFrom)):
            yield statement
        for inner in static.timeit_trees(ast.Module(body=[statement], type_ignores=[]), names) \
                if isinstance(statement, ast.Expr) else ():
            yield from _top_level_roots(inner.body, notebook, names, module)  # %timeit's code, at the top level too


def _name_fixed(tree: ast.Module) -> bool:
    """Nothing in the file can rebind the module's ``__name__`` (so an ``if __name__ == "__main__":`` block surely does
    not run at import): no binding of that name anywhere, and nothing that reaches the module's namespace by name
    (``globals()``, ``vars()``, ``setattr``, ``sys.modules``…: red team 91 set ``__name__ = "__main__"`` first)."""
    for node in walk(tree):
        if isinstance(node, ast.Name) and (node.id == "__name__" and not isinstance(node.ctx, ast.Load)
                                           or node.id in methods.NAMESPACE_NAMES) \
                or isinstance(node, ast.Attribute) and (node.attr in methods.NAMESPACE_NAMES or node.attr == "__name__")\
                or "__name__" in methods.binds(node):
            return False
    return True


def _main_guard(test: ast.expr) -> bool:
    """``__name__ == "__main__"`` (either way round)."""
    return isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq) and {
        ast.unparse(test.left), ast.unparse(test.comparators[0])} == {"__name__", "'__main__'"}


def _bodies(statement: ast.stmt) -> Iterator[list[ast.stmt]]:
    """The statement lists of a compound statement: body, else, finally, each handler's and each case's."""
    for name in ("body", "orelse", "finalbody"):
        yield getattr(statement, name, None) or []
    for part in [*getattr(statement, "handlers", ()), *getattr(statement, "cases", ())]:
        yield part.body
