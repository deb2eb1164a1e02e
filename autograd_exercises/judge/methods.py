"""What of the file's own classes and decorators a by-hand function can run: the parts :func:`static.read_reach`
may leave unread.

Reading a whole class the by-hand function uses costs an honest student the point when another method of it
(``autograd_grads`` beside ``manual_grads``) calls autograd; so does a decorator that checks the function against
autograd once, when the file is imported, and hands it back. Neither runs when the by-hand function is called:

* **Methods never named.** In a *plain* class of the file (:func:`plain_classes`: no decorator, metaclass or
  keyword, its bases plain classes of the file too, and no class of the file defines ``backward``), a method runs
  only when code looks it up by its name, or when Python or a library calls it by a name fixed in advance. So a
  method is read when its name starts with ``_`` (dunders; torch looks up private names such as ``_metadata``), is
  in :data:`CALLED_BY_NAME` (files, containers, generators, pickling, numbers), or appears anywhere in what is read
  (:func:`identifiers`: names, attributes, imports, class patterns' keywords, words inside strings, for
  ``getattr(o, "m")`` and ``"{0.m}".format(o)``); a method with a decorator other than ``staticmethod``,
  ``classmethod`` or ``property`` is always read (as is one named like a numpy function, once numpy is used). A
  computed ``getattr`` is a finding of its own. Other code may
  look names up that it computes: so, once what is read uses an import outside :data:`NAMING_SAFE` (``typing``
  evaluates strings, ``dataclasses`` reads the names its fields hold), a positional class pattern (by
  ``__match_args__``) or ``.format`` of a string built at run time, every method is read.
* **A debugging branch the grader never takes** (:func:`debug_branches`): ``if check:`` in the by-hand function,
  where ``check`` is a parameter the grader never passes (past the stub's), with a false literal default that
  nothing can change, and the function is only ever called by name at the top level.
* **Decorators that hand the function back** (:func:`identity_decorators`): ``@checked`` where every binding of
  ``checked`` is a plain ``def`` whose every ``return`` gives back its first parameter, which it only calls, reads
  ``__name__``-like attributes of, or returns. Their code runs at import (``saved.py`` reads the top level).
"""

from __future__ import annotations

import ast
import collections
import functools
import re
from typing import Iterator

CALLED_BY_NAME = frozenset({
    # files: print(file=…), json.dump, pickle, torch.save/load, io wrappers
    "read", "read1", "readinto", "readinto1", "readline", "readlines", "readall", "peek", "write", "writelines",
    "flush", "fileno", "close", "closed", "seek", "tell", "seekable", "readable", "writable", "truncate", "isatty",
    # containers ({**o}, dict(o), copy's and pickle's rebuilding, torch's state dicts), generators (yield from),
    # pickling (torch's pickle_module=), numbers
    "keys", "items", "values", "get", "copy", "update", "setdefault", "pop", "popitem", "append", "extend", "insert",
    "remove", "clear", "index", "count", "add", "discard", "sort", "reverse", "send", "throw", "Pickler", "Unpickler",
    "dump", "dumps", "load", "loads", "persistent_id", "persistent_load", "find_class", "reducer_override",
    "as_integer_ratio", "numerator", "denominator", "real", "imag", "conjugate",
})  # and every name that starts with "_": torch looks up private names of objects it is handed (``_metadata``)
NAMING_SAFE = frozenset({"torch", "numpy", "math", "functools", "itertools", "operator", "collections", "copy",
                         "__future__"})  # they call an object's methods by fixed names only (numpy's: numpy_names)
METHOD_DECORATORS = frozenset({"staticmethod", "classmethod", "property"})
NAME_ATTRIBUTES = frozenset({"__name__", "__qualname__", "__doc__", "__module__"})
WORD = re.compile(r"[^\W\d]\w*")


def plain_classes(bindings: dict[str, list[ast.AST]], layers: set[str],
                  imports: dict[str, list[tuple[str, int]]]) -> frozenset[str]:
    """The names bound only to plain classes of the file (see the module's docstring); none when ``layers``."""
    if layers:
        return frozenset()
    plain: set[str] = set()
    while True:
        found = {name for name, nodes in bindings.items() if nodes and all(
            isinstance(node, ast.ClassDef) and all(_dataclass(d, imports) for d in node.decorator_list)
            and not node.keywords and all(
                isinstance(base, ast.Name) and (base.id in plain or base.id == "object" and base.id not in bindings)
                for base in node.bases) for node in nodes)}
        if found == plain:
            return frozenset(plain)
        plain = found


def _dataclass(decorator: ast.AST, imports: dict[str, list[tuple[str, int]]]) -> bool:
    """``@dataclass``, ``@dataclasses.dataclass(frozen=True)``: it adds dunders only."""
    decorator = decorator.func if isinstance(decorator, ast.Call) else decorator
    if isinstance(decorator, ast.Name):
        return [target for target, _ in imports.get(decorator.id, [])] == ["dataclasses.dataclass"]
    return isinstance(decorator, ast.Attribute) and decorator.attr == "dataclass" \
        and isinstance(decorator.value, ast.Name) and [t for t, _ in imports.get(decorator.value.id, [])] == ["dataclasses"]


def unnamed_methods(node: ast.ClassDef, named: set[str]) -> list[ast.AST]:
    """The methods of a plain class that nothing ``named`` so far can call (read later, if ever named)."""
    return [item for item in node.body if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))
            and not item.name.startswith("_") and item.name not in named
            and all(isinstance(d, ast.Name) and d.id in METHOD_DECORATORS for d in item.decorator_list)]


def identity_decorators(bindings: dict[str, list[ast.AST]], imports: dict[str, list]
                        ) -> tuple[frozenset[str], frozenset[str]]:
    """The names bound only to ``def``s that hand back the function they decorate (:func:`returns_argument`: used
    as ``@checked``), and those bound only to ``def``s that return such a ``def`` of their own
    (:func:`returns_identity`: used as ``@checked_against(reference)``)."""
    printing = "print" not in bindings and "print" not in imports
    functions = {name: nodes for name, nodes in bindings.items() if nodes and name not in imports
                 and all(isinstance(node, ast.FunctionDef) for node in nodes)}
    return (frozenset(name for name, nodes in functions.items() if all(returns_argument(n, printing) for n in nodes)),
            frozenset(name for name, nodes in functions.items() if all(returns_identity(n, printing) for n in nodes)))


def returns_argument(function: ast.FunctionDef, printing: bool = False) -> bool:
    """``def checked(fn): …; return fn``: no decorator of its own, every ``return`` gives back the first parameter
    (or the decorator itself, as ``if fn is None: return checked`` does), which nothing binds again, and which is
    otherwise only called, compared by identity (``is None``), printed (``printing``: ``print`` is the builtin) or
    has its ``__name__``-like attributes read: it reaches no other code that could change it."""
    arguments = [*function.args.posonlyargs, *function.args.args]
    if function.decorator_list or not arguments:
        return False
    name, returns = arguments[0].arg, 0
    parents = {child: parent for parent in ast.walk(function) for child in ast.iter_child_nodes(parent)}
    for node in ast.walk(function):
        if isinstance(node, ast.Return):
            if not (isinstance(node.value, ast.Name) and node.value.id in (name, function.name)):
                return False
            returns += 1
        elif isinstance(node, ast.Name) and node.id == name:
            if not (isinstance(node.ctx, ast.Load) and _inert_use(node, parents[node], printing)):
                return False
        elif node is not arguments[0] and name in _binds(node):
            return False
    return returns > 0


def _inert_use(node: ast.Name, parent: ast.AST, printing: bool) -> bool:
    """A use of the decorated function that can only run it or read its name."""
    return isinstance(parent, ast.Return) or isinstance(parent, ast.Call) and (
        parent.func is node or printing and isinstance(parent.func, ast.Name) and parent.func.id == "print"
        and node in parent.args) \
        or isinstance(parent, ast.Compare) and all(isinstance(op, (ast.Is, ast.IsNot)) for op in parent.ops) \
        or isinstance(parent, ast.Attribute) and parent.attr in NAME_ATTRIBUTES and isinstance(parent.ctx, ast.Load)


def returns_identity(factory: ast.FunctionDef, printing: bool = False) -> bool:
    """``def checked_against(reference): def check(fn): …; return fn; return check``: a decorator factory whose every
    ``return`` gives back a ``def`` of its own body that :func:`returns_argument`, a name it binds nowhere else."""
    inner = {node.name: node for node in factory.body if isinstance(node, ast.FunctionDef)}
    stack, returned = list(factory.body), set()
    while stack:  # the factory's own statements, not its nested definitions'
        node = stack.pop()
        if isinstance(node, ast.Return):
            if not (isinstance(node.value, ast.Name) and node.value.id in inner):
                return False
            returned.add(node.value.id)
        elif not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            stack.extend(ast.iter_child_nodes(node))
    if factory.decorator_list or not returned:
        return False
    binds = collections.Counter(name for node in ast.walk(factory) for name in (
        [node.id] if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load) else _binds(node)))
    return all(binds[name] == 1 and returns_argument(inner[name], printing) for name in returned)


def _binds(node: ast.AST) -> list[str]:
    """The names ``node`` binds other than by a plain name (those are :class:`ast.Name` stores)."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    if isinstance(node, ast.alias):
        return [node.asname or node.name.split(".")[0]]
    if isinstance(node, ast.arg):
        return [node.arg]
    if isinstance(node, (ast.Global, ast.Nonlocal)):
        return list(node.names)
    if isinstance(node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)):
        return [node.name] if node.name else []
    if isinstance(node, ast.MatchMapping):
        return [node.rest] if node.rest else []
    return []


def identifiers(root: ast.AST, skip: frozenset[int] = frozenset()) -> Iterator[str]:
    """Every name ``root`` can look an attribute up by, outside ``skip``: its names, attributes, imports,
    arguments, keywords and definitions, and each word of its strings."""
    for node in walk(root, skip):
        if isinstance(node, ast.Name):
            yield node.id
        elif isinstance(node, ast.Attribute):
            yield node.attr
        elif isinstance(node, ast.alias):
            yield from node.name.split(".")
            if node.asname:
                yield node.asname
        elif isinstance(node, (ast.arg, ast.keyword)) and node.arg:
            yield node.arg
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            yield node.name
        elif isinstance(node, ast.MatchClass):
            yield from node.kwd_attrs  # case Box(slope=s) reads o.slope
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield from WORD.findall(node.value)


@functools.lru_cache(maxsize=1)
def numpy_names() -> frozenset[str] | None:
    """The names numpy calls methods of the objects it is handed by: its own functions' (``np.sqrt`` of an object
    array calls each item's ``sqrt``, ``np.sum(o)`` calls ``o.sum``, also from inside ``np.linalg.norm``); ``None``
    where numpy is not installed here (then nothing can tell)."""
    try:
        import numpy
    except ImportError:
        return None
    return frozenset(dir(numpy))


def looks_up_computed_names(root: ast.AST, skip: frozenset[int]) -> bool:
    """``root`` (outside ``skip``) looks attributes up by names no reading can see: a class pattern with positional
    parts (``case Box(s)``, by the class's ``__match_args__``), or ``.format``/``.format_map`` of a string that is not
    a literal (``("{0." + name + "}").format(o)``)."""
    for node in walk(root, skip):
        if isinstance(node, ast.MatchClass) and node.patterns:
            return True
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr in ("format", "format_map") \
                and not (isinstance(node.func.value, ast.Constant) and isinstance(node.func.value.value, str)):
            return True
    return False


def imports_used(root: ast.AST, imports: dict[str, list[tuple[str, int]]], skip: frozenset[int]) -> set[str]:
    """The top-level packages ``root`` imports or names through the file's imports (outside ``skip``)."""
    used: set[str] = set()
    for node in walk(root, skip):
        if isinstance(node, ast.Name) and node.id in imports:
            used |= {target.lstrip(".").split(".")[0] or "." for target, _ in imports[node.id]}
        elif isinstance(node, ast.Import):
            used |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            used.add((node.module or ".").split(".")[0] if not node.level else ".")
    return used


def walk(root: ast.AST, skip: frozenset[int] = frozenset()) -> Iterator[ast.AST]:
    """:func:`ast.walk` (in its order) without the subtrees whose ids are in ``skip``."""
    todo = collections.deque([root])
    while todo:
        node = todo.popleft()
        todo.extend(child for child in ast.iter_child_nodes(node) if id(child) not in skip)
        yield node


def debug_branches(tree: ast.Module, bindings: dict[str, list[ast.AST]], ordered: bool, function: str,
                   passed: int | None) -> frozenset[int]:
    """The statements of ``if flag:`` (or ``if flag and …:``) in ``function`` that cannot run when the grader calls
    it with ``passed`` positional arguments: ``flag`` is a later parameter (or keyword-only) whose default is a
    false literal, bound nowhere in the function; the function is one plain ``def``; nothing in the file names a
    function's defaults, and the function is named only in direct calls at the top level (no code it runs, nor any
    other, can hold it to call it with the flag); nothing can reorder statements (``ordered``)."""
    nodes = bindings.get(function, [])
    if passed is None or not ordered or len(nodes) != 1 or not isinstance(nodes[0], ast.FunctionDef) \
            or nodes[0].decorator_list or not _only_called_at_top_level(tree, function, nodes[0]):
        return frozenset()
    node = nodes[0]
    flags = _unpassed_flags(node, passed) - {name for statement in node.body for inner in ast.walk(statement)
                                              for name in ([inner.id] if isinstance(inner, ast.Name) and not isinstance(
                                                  inner.ctx, ast.Load) else _binds(inner))}
    if not flags:
        return frozenset()
    skip: set[int] = set()
    stack = list(node.body)
    while stack:  # the function's own statements: a nested scope's ``flag`` may be its own
        inner = stack.pop()
        if isinstance(inner, ast.If) and _only_when(inner.test, flags):
            skip.update(map(id, inner.body))
            stack.extend(inner.orelse)
        elif not isinstance(inner, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            stack.extend(ast.iter_child_nodes(inner))
    return frozenset(skip)


FALSE_LITERALS = (None, False, 0, "")


def _unpassed_flags(function: ast.FunctionDef, passed: int) -> set[str]:
    """The parameters past the first ``passed`` positional ones whose default is a false literal."""
    arguments = function.args
    positional = [*arguments.posonlyargs, *arguments.args]
    defaults = zip(positional[len(positional) - len(arguments.defaults):], arguments.defaults)
    pairs = [(arg, default) for arg, default in defaults if positional.index(arg) >= passed]
    pairs += [(arg, default) for arg, default in zip(arguments.kwonlyargs, arguments.kw_defaults) if default is not None]
    return {arg.arg for arg, default in pairs if isinstance(default, ast.Constant) and default.value in FALSE_LITERALS
            and type(default.value) in (type(None), bool, int, str)}


def _only_when(test: ast.AST, flags: set[str]) -> bool:
    """``test`` is true only when one of ``flags`` is: ``flag``, ``flag and …``."""
    if isinstance(test, ast.Name):
        return test.id in flags
    return isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And) and any(_only_when(v, flags) for v in test.values)


def _only_called_at_top_level(tree: ast.Module, function: str, definition: ast.FunctionDef) -> bool:
    """``function`` is named nowhere but in its ``def`` and in direct calls outside every function and class, and
    no code names a function's defaults (``__defaults__``, ``__kwdefaults__``, in a string too)."""
    parents = {child: parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ("__defaults__", "__kwdefaults__") \
                or isinstance(node, ast.Constant) and isinstance(node.value, str) and "defaults__" in node.value:
            return False
        if isinstance(node, ast.Name) and node.id == function:
            parent, above = parents.get(node), parents.get(node)
            if not (isinstance(parent, ast.Call) and parent.func is node and isinstance(node.ctx, ast.Load)):
                return False
            while above is not None:
                if isinstance(above, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
                    return False
                above = parents.get(above)
    return True
