"""The strings a submission's names and expressions can hold, where the file builds them of literals only.

``for name in ("forward", "manual"): timeit.timeit(f"{name}(x)", globals=globals())`` runs one of two statements;
reading both is reading all it runs. A name counts where every binding of it in the file gives it a literal string
(:func:`literal_names`), an expression where it is built of such names and literals by ``+`` and f-string fields
(:func:`string_values`); anything else is a string the file builds as it runs, which no reading can see.
"""

from __future__ import annotations

import ast
import collections
import itertools
import math

from autograd_exercises.judge.syntax import children, single_values, walk

TIMERS = ("timeit", "repeat", "Timer")  # timeit's: they run a statement (a string) with the namespace they are given
NAMESPACES = ("globals", "locals", "vars")
MAX_VARIANTS = 32  # strings one expression may be, read each: more is a string built as the file runs
MAX_DEPTH = 20  # pieces nested deeper ("a" + "b" + … a thousand times) are read as built at run time
CONVERSIONS = {-1: str, ord("s"): str, ord("r"): repr, ord("a"): ascii}  # an f-string field's !s, !r, !a


def string_values(node: ast.AST, literals: dict[str, set[str]], depth: int = 0) -> list[str] | None:
    """Every string ``node`` may be: a literal, a name that only ever holds literals (``literals``:
    :func:`literal_names`), or ``+`` and f-strings of those (``f"{name}(x)"``, no format spec); None where a piece is
    anything else, or where there would be more than :data:`MAX_VARIANTS`."""
    if isinstance(node, ast.Constant):
        return [node.value] if isinstance(node.value, str) else None
    if isinstance(node, ast.Name):
        return sorted(literals[node.id]) if node.id in literals else None
    if depth > MAX_DEPTH:
        return None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        pieces = [string_values(node.left, literals, depth + 1), string_values(node.right, literals, depth + 1)]
    elif isinstance(node, ast.JoinedStr):
        pieces = [_field_values(value, literals, depth + 1) for value in node.values]
    else:
        return None
    if any(piece is None for piece in pieces) or math.prod(map(len, pieces)) > MAX_VARIANTS:
        return None
    return ["".join(combination) for combination in itertools.product(*pieces)]


def _field_values(node: ast.AST, literals: dict[str, set[str]], depth: int) -> list[str] | None:
    """The strings one piece of an f-string may be: its literal text, or a field with no format spec, converted."""
    if not isinstance(node, ast.FormattedValue):
        return string_values(node, literals, depth)
    convert = CONVERSIONS.get(node.conversion)
    texts = string_values(node.value, literals, depth) if node.format_spec is None and convert else None
    return None if texts is None else [convert(text) for text in texts]


def timer_namespaces(tree: ast.Module) -> bool:
    """Whether no name in the file can be bound unseen through a namespace: the file names ``globals``, ``locals`` and
    ``vars`` only as ``globals()`` handed to a timer (``timeit.timeit(stmt, globals=globals())``, which runs the
    statement inside a function of its own: it binds a module-level name only by ``global``), and no literal string in
    it says ``global`` or ``nonlocal`` (a statement may be such a string; one built of pieces is read whole)."""
    parents = {id(child): node for node in walk(tree) for child in children(node)}
    named = [node for node in walk(tree) if isinstance(node, ast.Name) and node.id in NAMESPACES]
    if not all(node.id == "globals" and _handed_to_timer(node, parents) for node in named):
        return False
    return not named or not any(isinstance(node, ast.Constant) and isinstance(node.value, str)
                                and ("global" in node.value or "nonlocal" in node.value) for node in walk(tree))


def _handed_to_timer(name: ast.Name, parents: dict[int, ast.AST]) -> bool:
    """``name`` is ``globals`` in ``….timeit(…, globals=globals())`` (or ``repeat``, ``Timer``)."""
    call, keyword = parents.get(id(name)), None
    if isinstance(call, ast.Call) and call.func is name and not call.args and not call.keywords:
        keyword = parents.get(id(call))
    timer = parents.get(id(keyword)) if isinstance(keyword, ast.keyword) and keyword.arg == "globals" else None
    func = getattr(timer, "func", None)
    return isinstance(func, ast.Attribute) and func.attr in TIMERS or isinstance(func, ast.Name) and func.id in TIMERS


def _parameter_values(tree: ast.Module, bindings: collections.Counter) -> dict[str, list[ast.AST]]:
    """Per parameter of a plain function (a ``def`` bound once, not a method, undecorated) that the file only ever
    calls by its name: its default and what each call passes it; a parameter no other binding shares.
    Left out: a function passed around, or called with ``*args``/``**kwargs``. (The grader calls an exercise's
    functions with its own inputs, never the strings a file chooses.)"""
    methods = {id(item) for node in walk(tree) if isinstance(node, ast.ClassDef) for item in node.body}
    functions = {node.name: node for node in walk(tree) if isinstance(node, ast.FunctionDef) and not node.decorator_list
                 and id(node) not in methods and bindings[node.name] == 1}
    calls = collections.defaultdict(list)
    for node in walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in functions:
            calls[node.func.id].append(node)
        elif isinstance(node, ast.Name) and node.id in functions and isinstance(node.ctx, ast.Load):
            calls[node.id].append(None)  # every load of the name, counted against the calls found
    found: dict[str, list[ast.AST]] = {}
    for name, function in functions.items():
        made = [call for call in calls[name] if call is not None]
        if 2 * len(made) != len(calls[name]) or any(isinstance(arg, ast.Starred) for call in made for arg in call.args) \
                or any(keyword.arg is None for call in made for keyword in call.keywords):
            continue  # passed around (a load that is not a call's function), or called with unpacked arguments
        arguments = function.args.posonlyargs + function.args.args
        defaults: dict[ast.arg, ast.AST | None] = {arg: None for arg in arguments}
        defaults.update(zip(arguments[len(arguments) - len(function.args.defaults):], function.args.defaults))
        defaults.update(zip(function.args.kwonlyargs, function.args.kw_defaults))
        for arg, default in defaults.items():
            position = arguments.index(arg) if arg in arguments else None
            passed = [next((k.value for k in call.keywords if k.arg == arg.arg), None) if position is None
                      or position >= len(call.args) else call.args[position] for call in made]
            if bindings[arg.arg] == 1:
                found[arg.arg] = [value for value in (default, *passed) if value is not None]
    return found


def literal_names(tree: ast.Module, bindings: collections.Counter) -> dict[str, set[str]]:
    """Per name, the strings it can hold where every binding of it in the file gives it a literal one
    (``name = "w"``, ``for name in ("w", "b")``); names bound any other way are left out, and every name in a file
    that names ``globals``, ``locals`` or ``vars`` (``globals()["name"] = …`` binds it unseen), but for the
    namespace a timer runs its statement in (:func:`timer_namespaces`)."""
    if not timer_namespaces(tree) or "*" in bindings:  # (``from m import *`` may bind any name)
        return {}
    loads = collections.Counter(node.id for node in walk(tree) if isinstance(node, ast.Name)
                                and isinstance(node.ctx, ast.Load))
    looped = collections.Counter(node.iter.id for node in walk(tree) if isinstance(
        node, (ast.For, ast.AsyncFor, ast.comprehension)) and isinstance(node.iter, ast.Name))
    timed = any(node.id == "globals" for node in walk(tree) if isinstance(node, ast.Name))
    parameters = _parameter_values(tree, bindings) if not timed else {}  # (a timer's code runs with the module's
    # names: it may call a function with other strings, or add to a list, where the file's own calls and loads show
    # nothing; red team 77 appended to a list of statements from one. Then only names bound to literals right there)
    given = {**{name: [value] for name, value in single_values(tree, bindings).items()}, **parameters}
    collections_of = {name: [item.value for value in values for item in value.elts] for name, values in given.items()
                      if loads[name] == looped[name] and not timed  # only ever looped over: nothing adds to it
                      and all(isinstance(value, (ast.List, ast.Tuple, ast.Set)) and all(
                          isinstance(item, ast.Constant) and isinstance(item.value, str) for item in value.elts)
                              for value in values)}
    literal: dict[str, set[str]] = {}
    literal_bindings: collections.Counter = collections.Counter()
    for name, values in parameters.items():  # def loss(z, kind="mse_loss"), called as loss(z) or loss(z, "l1_loss")
        if all(isinstance(value, ast.Constant) and isinstance(value.value, (str, type(None))) for value in values):
            literal[name] = {value.value for value in values if isinstance(value.value, str)}  # (None: no lookup)
            literal_bindings[name] = 1
    for node in walk(tree):
        if isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)) and isinstance(node.target, ast.Name) \
                and isinstance(node.iter, (ast.List, ast.Tuple, ast.Set, ast.Name)):
            target = node.target  # for name in ("w", "b"), or in NAMES = ["w", "b"] (bound only there)
            items = node.iter.elts if not isinstance(node.iter, ast.Name) else \
                [ast.Constant(text) for text in collections_of.get(node.iter.id, [None])]
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            target, items = node.targets[0], [node.value]
        else:
            continue
        if items and all(isinstance(item, ast.Constant) and isinstance(item.value, str) for item in items):
            literal.setdefault(target.id, set()).update(item.value for item in items)
            literal_bindings[target.id] += 1
    return {name: texts for name, texts in literal.items() if bindings[name] == literal_bindings[name]}
