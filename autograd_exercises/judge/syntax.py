"""Walking a submission's syntax tree, which the judge's readings walk many times over.

The by-hand and doors readings walk one tree about 1,500 times (a function, a value, an argument at a time), and
:func:`ast.iter_child_nodes` reads each node's fields again on every walk: a third of the by-hand reading's time.
:func:`children` lists a node's children once and keeps that list on the node; :func:`walk` is :func:`ast.walk`,
in its order, over those lists. Only for trees nothing changes after they are first walked: the judge's own
parses (no reading ever changes a tree).
"""

from __future__ import annotations

import ast
import collections
from typing import Iterator, Mapping

_KEPT = "_judge_children"  # the attribute that keeps a node's children (never one of ``ast``'s fields)


def children(node: ast.AST) -> list[ast.AST]:
    """``list(ast.iter_child_nodes(node))``, read once per node."""
    kept = node.__dict__.get(_KEPT)
    if kept is None:
        kept = node.__dict__[_KEPT] = list(ast.iter_child_nodes(node))
    return kept


def walk(root: ast.AST, skip: frozenset[int] = frozenset()) -> Iterator[ast.AST]:
    """:func:`ast.walk` (in its order: breadth first) without the subtrees whose ids are in ``skip``."""
    todo = collections.deque([root])
    while todo:
        node = todo.popleft()
        todo.extend([child for child in children(node) if id(child) not in skip] if skip else children(node))
        yield node


def called(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    """``node`` is what a call calls (``f`` in ``f(x)``, ``a.b`` in ``a.b()``), not an argument or a value."""
    parent = parents.get(node)
    return isinstance(parent, ast.Call) and parent.func is node


def chain(node: ast.AST) -> str:
    """``a.b.c`` as written (``?.b.c`` where the root is not a name: ``type(t).b.c``)."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.insert(0, node.attr)
        node = node.value
    return ".".join([node.id if isinstance(node, ast.Name) else "?"] + parts)


def imported_name(node: ast.AST, imports: dict[str, list[tuple[str, int]]]) -> str:
    """``node``'s dotted name with its root resolved through ``imports`` (``np.random.seed`` after ``import numpy as
    np``: ``numpy.random.seed``) where the file imports that root one way only; ``""`` otherwise."""
    parts = chain(node).split(".")
    targets = {target for target, _ in imports.get(parts[0], [])}
    return ".".join([*targets, *parts[1:]]) if len(targets) == 1 else ""


def single_values(tree: ast.Module, bindings: Mapping[str, int]) -> dict[str, ast.AST]:
    """The value of each name the file binds exactly once (``bindings``: per name, its places), by ``name = value``."""
    return {node.targets[0].id: node.value for node in walk(tree) if isinstance(node, ast.Assign)
            and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) and bindings[node.targets[0].id] == 1}


def bound_here(node: ast.AST) -> list[str]:
    """The names ``node`` itself binds (a store, a parameter, an import, an ``except … as``, a pattern, a ``def``)."""
    if isinstance(node, ast.Name):
        return [node.id] if isinstance(node.ctx, (ast.Store, ast.Del)) else []
    if isinstance(node, ast.arg):
        return [node.arg]
    if isinstance(node, ast.alias):
        return [(node.asname or node.name).split(".")[0]]
    if isinstance(node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)) and node.name:
        return [node.name]
    if isinstance(node, ast.MatchMapping) and node.rest:  # case {**rest}
        return [node.rest]
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    if isinstance(node, (ast.Global, ast.Nonlocal)):
        return list(node.names)  # (another scope may bind it any way)
    return []
