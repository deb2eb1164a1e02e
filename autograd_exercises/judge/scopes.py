"""Python's scopes inside a piece of a submission: which names it reads are its own, and which the module's.

``def manual(x): [SEEN for SEEN in ()]; return fit(SEEN, x)`` reads the module's ``SEEN`` on its last line: the
comprehension's ``SEEN`` is the comprehension's alone (red team 36). A reading that took every name bound anywhere
inside a function for the function's own would call that read local. :func:`scopes` follows Python's rules instead:
a function's, lambda's or comprehension's bindings reach the scopes nested in it; a class body's reach none of its
methods; ``global`` and ``nonlocal`` names are not the scope's; a comprehension's first iterable, a function's
defaults, decorators and annotations, a class's bases are read in the scope around them; an assignment expression in
a comprehension binds in the function around it.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from autograd_exercises.judge.syntax import children

SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef, ast.ListComp, ast.SetComp, ast.DictComp,
          ast.GeneratorExp)
COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


@dataclass
class Scopes:
    """Every node's innermost scope within the root (None: the code around it), and each scope's own names."""

    scope_of: dict[int, ast.AST | None] = field(default_factory=dict)
    outer: dict[int, ast.AST | None] = field(default_factory=dict)  # a scope's enclosing scope
    bound: dict[int, set[str]] = field(default_factory=dict)
    declared: dict[int, set[str]] = field(default_factory=dict)  # ``global`` or ``nonlocal`` there
    globals: dict[int, set[str]] = field(default_factory=dict)
    loads: list[ast.Name] = field(default_factory=list)
    walrus: set[int] = field(default_factory=set)  # the targets of assignment expressions

    def local(self, name: ast.Name) -> bool:
        """``name`` (read) resolves to a binding of a scope inside the root."""
        return self.binder(name) is not None

    def binder(self, name: ast.Name) -> ast.AST | None:
        """The scope inside the root whose binding ``name`` (read) resolves to; None for the code around the root.
        Never a class body: it looks a name up as it runs, so a read there comes from around it until (and unless)
        its own binding has run (red team 94: ``class K: found = get_objects(); get_objects = None`` read the
        module's, which ``from gc import *`` had bound)."""
        scope = self.scope_of.get(id(name))
        if isinstance(scope, ast.ClassDef) and name.id in self.bound[id(scope)] \
                and name.id not in self.declared[id(scope)]:
            return None  # (a name its body binds is read there by name: the class's, then the module's, never an
            # enclosing function's, red team 129: ``def keep(): SEEN = None; class K: SEEN.update(…); SEEN = 0``)
        first = scope
        while scope is not None:
            if isinstance(scope, ast.ClassDef) and scope is not first:
                scope = self.outer[id(scope)]  # (a class around the read is no scope of it: neither its names nor its
                continue  # ``global``, red team 130's ``class K: global SEEN; def FILL(g): SEEN.update(…)``)
            if name.id in self.globals[id(scope)]:
                return None
            if name.id in self.bound[id(scope)] and name.id not in self.declared[id(scope)] and \
                    not isinstance(scope, ast.ClassDef):
                return scope
            scope = self.outer[id(scope)]
        return None

    def own(self, scope: ast.AST) -> frozenset[str]:
        """The names ``scope`` binds itself, less those it declares ``global`` or ``nonlocal``."""
        return frozenset(self.bound.get(id(scope), set()) - self.declared.get(id(scope), set()))


def scopes(root: ast.AST) -> Scopes:
    """The scopes of ``root`` (a function, class, lambda, or any other node: then its code is the module's)."""
    found = Scopes()
    _visit(root, None, found)
    return found


def module_reads(tree: ast.AST) -> frozenset[str]:
    """The names ``tree``'s code reads from around it (the module's namespace, or the builtins): in no function,
    lambda or comprehension that binds them (a class body's reads may be the module's)."""
    found = scopes(tree)
    return frozenset(node.id for node in found.loads if found.binder(node) is None)


def local_loads(root: ast.AST) -> frozenset[int]:
    """The ids of the names ``root`` reads that resolve to a binding inside it."""
    found = scopes(root)
    return frozenset(id(name) for name in found.loads if found.local(name))


def _visit(node: ast.AST, scope: ast.AST | None, found: Scopes) -> None:
    found.scope_of[id(node)] = scope
    if isinstance(node, SCOPES):
        for part in outer(node):
            _visit(part, scope, found)  # decorators, defaults, bases, the first iterable: the scope around
        found.outer[id(node)] = scope
        for kind in (found.bound, found.declared, found.globals):
            kind[id(node)] = set()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and scope is not None:
            found.bound[id(scope)].add(node.name)
        for part in _inner(node):
            _visit(part, node, found)
        return
    _bind(node, scope, found)
    for child in children(node):
        _visit(child, scope, found)


def outer(scope: ast.AST) -> list[ast.AST]:
    """The parts of ``scope`` that run in the scope around it: a ``def``'s (or lambda's) decorators, defaults and
    annotations, as it is defined; a class's decorators, bases and keywords; a comprehension's first iterable."""
    if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        arguments = scope.args
        every = [*arguments.posonlyargs, *arguments.args, *filter(None, [arguments.vararg]), *arguments.kwonlyargs,
                 *filter(None, [arguments.kwarg])]
        annotations = [arg.annotation for arg in every] + [getattr(scope, "returns", None)]
        return [*getattr(scope, "decorator_list", []), *arguments.defaults, *filter(None, arguments.kw_defaults),
                *filter(None, annotations)]
    if isinstance(scope, ast.ClassDef):
        return [*scope.decorator_list, *scope.bases, *scope.keywords]
    return [scope.generators[0].iter]


def _inner(scope: ast.AST) -> list[ast.AST]:
    """The parts of ``scope`` that run inside it."""
    if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        arguments = scope.args
        names = [*arguments.posonlyargs, *arguments.args, *filter(None, [arguments.vararg]), *arguments.kwonlyargs,
                 *filter(None, [arguments.kwarg])]
        inside = [ast.arg(arg=arg.arg) for arg in names]  # (its annotation is read outside)
        return inside + (list(scope.body) if isinstance(scope.body, list) else [scope.body])
    if isinstance(scope, ast.ClassDef):
        return list(scope.body)
    first, *rest = scope.generators
    parts = [first.target, *first.ifs, *rest]
    return parts + ([scope.key, scope.value] if isinstance(scope, ast.DictComp) else [scope.elt])


def _bind(node: ast.AST, scope: ast.AST | None, found: Scopes) -> None:
    """What ``node`` binds in ``scope`` (nothing is recorded for the code around the root)."""
    names: list[str] = []
    if isinstance(node, ast.Name):
        if isinstance(node.ctx, ast.Load):
            found.loads.append(node)
            return
        names = [node.id]
    elif isinstance(node, ast.arg):
        names = [node.arg]
    elif isinstance(node, (ast.Import, ast.ImportFrom)):
        names = [(alias.asname or alias.name).split(".")[0] for alias in node.names if alias.name != "*"]
    elif isinstance(node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)):
        names = [node.name] if node.name else []
    elif isinstance(node, ast.MatchMapping):
        names = [node.rest] if node.rest else []
    elif isinstance(node, (ast.Global, ast.Nonlocal)) and scope is not None:
        found.declared[id(scope)].update(node.names)
        if isinstance(node, ast.Global):
            found.globals[id(scope)].update(node.names)
        return
    if isinstance(node, ast.NamedExpr):
        found.walrus.add(id(node.target))
        return
    if not names:
        return
    if id(node) in found.walrus:
        while isinstance(scope, COMPREHENSIONS):  # ``[(y := f(v)) for v in xs]`` binds y around the comprehension
            scope = found.outer[id(scope)]
    if scope is not None:
        found.bound[id(scope)].update(names)
