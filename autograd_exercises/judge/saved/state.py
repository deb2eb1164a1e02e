"""What in a file can carry a value from its top level into a function (:class:`State`), for
:mod:`autograd_exercises.judge.saved`."""

from __future__ import annotations

import ast
import bisect
import builtins
import collections
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Callable, Iterator, Sequence

from autograd_exercises.judge import methods, scopes, static
from autograd_exercises.judge import library
from autograd_exercises.judge.library import library_constant
from autograd_exercises.judge.syntax import bound_here, called, children, imported_name, walk
from autograd_exercises.judge.saved.rules import (BUILTINS, DEFINITIONS, DYNAMIC_NAMESPACE, EAGER, FUNCTIONS, IMMUTABLE,
    MACHINE_FACTS, MUTATORS, PLAIN_DECORATORS, PRINT_OPTIONS, PURE_BUILTINS, REWRITES, UNSEEN, WORLD, _bound_inside,
    _bound_method, _by_key, _called_name,
    _chain_kept, _changed_through, _closure, _decorator_name, _definition, _filled_in_place, _handed_on, _only_added_to,
    _never_swallows, _plain_constant, _reads_world, _returns_closures,
    _reverse_edges, _root, _stateful, _timed_names, _uninitialised, unfilled_where,
    SETTERS, VALUE_BUILTINS, VALUE_CALLS, _asks_a_setting, _world_reference, catches, may_call, scope_imports)
from autograd_exercises.judge.saved.objects import Objects

BUILTIN_TYPES = frozenset(name for name, value in vars(builtins).items() if isinstance(value, type))


def _defined_names(item: ast.stmt) -> list[str]:
    """The names a class body's statement binds (a ``def``, an assignment's plain targets)."""
    if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [item.name]
    targets = item.targets if isinstance(item, ast.Assign) else [item.target] if isinstance(
        item, (ast.AnnAssign, ast.AugAssign)) else []
    return [node.id for target in targets for node in walk(target) if isinstance(node, ast.Name)]
from autograd_exercises.judge.saved.flow import Flow


VIEWS = frozenset({"items", "keys", "values"})  # a dict's views: they read it, and change nothing


def _a_view_of(call: ast.Call, bindings: dict[str, list[ast.AST]]) -> bool:
    """``COEFS.items()`` (``keys``, ``values``) of a name bound only to dict displays or comprehensions: a read of the
    table, constant once the name is (fairness 28: ``{k - 1: k * c for k, c in COEFS.items()}``); never an object's
    method of that name, which could read anything."""
    func = call.func
    return isinstance(func, ast.Attribute) and func.attr in VIEWS and isinstance(func.value, ast.Name) \
        and not call.args and not call.keywords and bool(bindings.get(func.value.id)) \
        and all(isinstance(value, (ast.Dict, ast.DictComp)) for value in bindings[func.value.id])


def _first_escape(body: list[ast.stmt]) -> int:
    """The place of the first statement of ``body`` that may leave it early (a ``return`` or ``raise``, outside the
    functions and classes it defines; a ``continue`` or ``break`` of no loop inside that statement: red team 156's
    ``if round(g[0]) != k: continue`` above ``_K = k``), or ``len(body)``."""
    for index, statement in enumerate(body):
        stack = [(statement, False)]
        while stack:
            node, looped = stack.pop()
            if isinstance(node, DEFINITIONS):
                continue  # (what a definition holds runs when it is called, not here)
            if isinstance(node, (ast.Return, ast.Raise)) or not looped and isinstance(node, (ast.Continue, ast.Break)):
                return index
            inner = isinstance(node, (ast.For, ast.AsyncFor, ast.While))
            stack += [(child, looped or inner and child not in (getattr(node, "iter", None), getattr(node, "test", None)))
                      for child in ast.iter_child_nodes(node)]
    return len(body)


# Setters that, as a ``with`` item, put the setting back when the block ends (:meth:`State._restored`).
RESTORING = frozenset({"torch.set_grad_enabled", "torch.autograd.set_grad_enabled", "torch.autograd.set_detect_anomaly",
                       "torch.autograd.grad_mode.set_grad_enabled", "torch.autograd.anomaly_mode.set_detect_anomaly"})
# Managers that enter the same way whatever the file computed, given flags (:meth:`State._steady`).
STEADY = RESTORING | {"torch.no_grad", "torch.enable_grad", "torch.inference_mode", "torch.autograd.no_grad",
                      "torch.autograd.enable_grad", "contextlib.nullcontext", "warnings.catch_warnings"}
# Builtins that only read a module handed to them (:meth:`State.a_module`).
MODULE_READERS = frozenset({"print", "dir", "help", "repr", "str", "type", "id", "hash", "isinstance", "issubclass",
                            "callable", "len"})


@dataclass
class State:
    """What in a file can carry a value from its top level into a function: module-level data that is not a
    constant, attributes the file sets, and (:data:`WORLD`) the world."""

    tree: ast.Module
    module: static.Module
    function: str  # the by-hand function: what it changes itself (a cache of its own answers) is its own
    cells: Sequence[int] = ()  # a notebook's cells' first lines: one that raises stops there, and the next cell runs
    autograd_line: int = 0  # where the top level first runs autograd: code wholly above it cannot read its answers
    ran: static.CellRuns | None = None  # what the children said of the cells (None: nothing; read from the code)

    @cached_property
    def dynamic(self) -> bool:
        """The file reaches namespaces or attributes by computed names (``%timeit``'s own ``exec`` aside): no name
        is surely constant then, and any attribute of a module-level object may be set."""
        timeit = {id(part) for node in walk(self.tree) if isinstance(node, ast.Call) and static._timeit_code(node)
                  for part in walk(node)}
        tests = methods.membership_tests(self.tree)  # (``"x" in globals()``: fairness 39)
        return any((isinstance(node, ast.Name) and node.id in DYNAMIC_NAMESPACE
                    or isinstance(node, ast.Attribute) and node.attr in DYNAMIC_NAMESPACE) and id(node) not in timeit
                   and id(node) not in tests for node in walk(self.tree))

    @cached_property
    def opaque(self) -> bool:
        """The file can reach an object without naming it (:func:`methods.recovers_objects`: a frame's locals,
        ``gc``; an exception's through ``sys.exc_info()``, an address through ``ctypes``), or run its code on later
        events (a profile or trace hook, ``atexit``): a function's locals may then change where no statement names
        them (red team 41)."""
        return methods.recovers_objects(self.tree, self.module.imports) or any(
            isinstance(node, ast.Name) and node.id in UNSEEN or isinstance(node, ast.Attribute) and node.attr in UNSEEN
            or isinstance(node, ast.alias) and UNSEEN & set(node.name.split(".")) for node in walk(self.tree))

    @cached_property
    def set_attributes(self) -> frozenset[str]:
        """Attribute names the file sets on some object (``STORE.seen = …``, ``setattr(torch, "seen", …)``), or
        changes through a library's object (``sys.path.append(…)``: ``path``), but for :attr:`Objects.constant`
        ones (``self.c = coefficients`` in ``__init__`` of a class only ever made from literals)."""
        return self.stored_attributes - self.objects.constant

    @cached_property
    def objects(self) -> Objects:
        """The file's plain classes and the objects it makes of them: :class:`Objects`."""
        return Objects(self)

    @cached_property
    def stored_attributes(self) -> frozenset[str]:
        """Every attribute name the file stores, deletes, or changes through (``sys.path.append``, ``self.memo[k] =
        v``: red team 40)."""
        return frozenset(self.module.attributes) | frozenset(
            node.attr for node in walk(self.tree) if isinstance(node, ast.Attribute)
            and isinstance(node.ctx, (ast.Store, ast.Del))) | frozenset(
            node.attr for node in walk(self.tree) if isinstance(node, ast.Attribute)
            and _changed_through(node, self.module.parents))  # (``self.memo[k] = v`` for a class's ``memo = {}``)

    @cached_property
    def rewrites(self) -> bool:
        """The file changes a function's defaults or closure, or how tensors print (``__defaults__``,
        ``cell_contents``, ``set_printoptions``): a default, a closure or a tensor's text may then carry data."""
        return bool(self._names_used & REWRITES)

    @cached_property
    def rewrites_defaults(self) -> bool:
        """The file may change a function's defaults or closure (:data:`REWRITES` but print options, which change only
        a tensor's text: fairness 38, where they made ``def manual(x, coeffs=(8, 3, 6, 5))`` read from its default)."""
        return bool(self._names_used & (REWRITES - PRINT_OPTIONS))

    @cached_property
    def _names_used(self) -> frozenset[str]:
        """Every name and attribute the file names, and the last part of every name it imports (``from numpy import
        printoptions as shown``: red team 137)."""
        imported = {target.rsplit(".", 1)[-1] for targets in self.module.imports.values() for target, _ in targets}
        return frozenset(imported) | frozenset(node.attr if isinstance(node, ast.Attribute) else node.id
                                               for node in walk(self.tree) if isinstance(node, (ast.Attribute, ast.Name)))

    @cached_property
    def constants(self) -> frozenset[str]:
        """Module-level names that hold the same value whatever the top level computes: every binding a literal
        (:meth:`_constant`), and nothing in the file changes or hands on the object of a mutable one
        (:meth:`changed`). A name built from others is one once they all are (each name settled once: a chain
        of thousands costs its length). A name a lambda or comprehension of the value binds is its own (``lambda g, x:
        g * 3`` beside a top-level ``x``: fairness 26)."""
        if self.dynamic or self._star_imported and not all(
                self._settled(node) for node in walk(self.tree) if isinstance(node, ast.ImportFrom)
                and any(alias.name == "*" for alias in node.names)):
            return frozenset()  # (a star import that may or may not run may rebind any name)
        everything = set(self.module.bindings)
        deps = {name: {part.id for value in values for local in (scopes.local_loads(value),) for part in walk(value)
                       if isinstance(part, ast.Name) and isinstance(part.ctx, ast.Load) and part.id in everything
                       and part.id != name
                       and id(part) not in local and not _definition(part.id, self.module)}
                for name, values in self.module.bindings.items() if name not in self.augmented
                and values and all(self._constant(name, value, everything) for value in values)
                and (all(self._settled(value) for value in values)
                     or _one_value(values) and (not self.cells or self._bound_before_read(name, values)))}
        waiting = {name: len(needed) for name, needed in deps.items()}
        users: dict[str, list[str]] = {}
        for name, needed in deps.items():
            for other in needed:
                users.setdefault(other, []).append(name)
        ready, found = [name for name, count in waiting.items() if count == 0], set()
        while ready:
            name = ready.pop()
            found.add(name)
            for user in users.get(name, ()):
                waiting[user] -= 1
                if waiting[user] == 0:
                    ready.append(user)
        return frozenset(found)

    def _bound_before_read(self, name: str, values: list[ast.AST]) -> bool:
        """In a notebook, a binding of ``name`` that surely runs (:meth:`_settled`) lies above every read of it that
        runs at the top level: a name a stopped cell left unbound stops the next cell that reads it (our own attack
        after red team 157: ``if <bit>: _X = 1``, then ``_Y = _X`` below ``_Y = 0``). A fixed cell below one that raised
        binds its literal again (``COEFFS = [8, 3, 6, 5]``: fairness 41)."""
        first = min((value.lineno for value in values if self._settled(value)), default=None)
        return first is not None and all(node.lineno > first for node in self._top_level_reads.get(name, ()))

    @cached_property
    def _top_level_reads(self) -> dict[str, list[ast.Name]]:
        """Per name, its reads that run at the top level (outside functions' and lambdas' bodies)."""
        reads: dict[str, list[ast.Name]] = {}
        stack: list[ast.AST] = [self.tree]
        while stack:
            node = stack.pop()
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                reads.setdefault(node.id, []).append(node)
            body = node.body if isinstance(node, FUNCTIONS) else []
            skipped = {id(part) for part in (body if isinstance(body, list) else [body])}
            stack += [child for child in children(node) if id(child) not in skipped]
        return reads

    def _settled(self, value: ast.AST) -> bool:
        """The statement that binds ``value`` runs the same way whatever the top level computed: through the module's
        statements, ``with`` blocks that swallow nothing, ``for`` loops over literals that cannot stop early, and
        ``if``/``while`` tests of literals and flags (``if DEBUG:``, ``if __name__ == "__main__":``). Red team 155:
        ``_K = 0`` then ``if round(g[0]) == 8: _K = 8`` (or ``while _K < round(g[0]): _K = _K + 1``) made ``_K`` a
        "constant" of literals that held autograd's answer."""
        part = value
        while True:
            parent = self.module.parents.get(part)
            if parent is None or self._stops_before(parent, part):
                return False  # (in a notebook, ``assert <bit>`` above ``_B = 1`` in its cell: red team 157)
            if isinstance(parent, ast.Module):
                return True
            if self._escapes_before(parent, part):
                return False
            if isinstance(parent, (ast.For, ast.AsyncFor, ast.While)) and part in parent.orelse:
                return False  # (a loop's ``else`` runs only where no ``break`` did: our own attack after red team 157)
            if isinstance(parent, (ast.For, ast.AsyncFor)) and part in parent.body:
                literal = _fixed_display(parent.iter) and (not self._cell_unread(parent) or self._flag(parent.iter)) \
                    or _counted(parent.iter) and all(self._flag(bound) for bound in parent.iter.args)
                # (``range(DEG)``: fairness 40; in a notebook, ``(_X,)`` of a name a stopped cell left unbound stops it)
                if parent.orelse or not literal or self._leaves_early(parent):
                    return False
            elif isinstance(parent, (ast.If, ast.While)) and part is not parent.test:
                if not self._flag(parent.test):
                    return False
            elif isinstance(parent, (ast.With, ast.AsyncWith)) and part in parent.body:
                if self._may_swallow(parent) or self._cell_unread(parent) and not all(map(self._steady, parent.items)):
                    return False
            elif not isinstance(parent, (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Expr, ast.For, ast.AsyncFor,
                                         ast.With, ast.AsyncWith, ast.withitem, ast.If, ast.While, ast.NamedExpr,
                                         ast.Tuple, ast.List, ast.Starred, ast.Import, ast.ImportFrom, ast.alias)):
                return False  # (a function, a class, a ``try``, a ``match``, a condition's branch, a comprehension)
            part = parent

    @cached_property
    def _stores(self) -> collections.Counter:
        """How many places bind each name anywhere in the file (:func:`~autograd_exercises.judge.syntax.bound_here`:
        assignments, augmented too, deletions, imports, loop, ``with``, ``except`` and pattern targets, definitions,
        parameters, ``global`` and ``nonlocal`` declarations): red team 156 raised a flag by ``_F += 1``, a conditional
        import, a helper's ``global``; red team 157 by ``case {**_F}:``."""
        return collections.Counter(name for node in walk(self.tree) for name in bound_here(node))

    @cached_property
    def _star_imported(self) -> bool:
        """The file has a ``from … import *``, which binds names no reading lists (red team 157: ``R_OK = 0``, then
        ``from os import *`` where autograd said so): no name is a flag then."""
        return any(isinstance(node, ast.ImportFrom) and any(alias.name == "*" for alias in node.names)
                   for node in walk(self.tree))

    def _flag(self, test: ast.AST) -> bool:
        """``test`` is made of literals, ``__name__``, flags (:meth:`_flag_name`), a library's values that cannot
        change (``sys.version_info``, ``sys.platform``: fairness 40) and the machine's facts (:meth:`_fact`: ``if
        torch.cuda.is_available():``)."""
        if self.dynamic or self._star_imported:
            return False
        skipped = {id(sub) for part in walk(test) if isinstance(part, ast.Call) and self._fact(part)
                   or isinstance(part, ast.Attribute) and _root(part) in self.module.imports
                   and _root(part) not in self.module.bindings and part.attr not in WORLD
                   and part.attr not in self.set_attributes and self._library_constant(part)
                   for sub in (part, *walk(part.func if isinstance(part, ast.Call) else part))}
        for part in walk(test):
            if id(part) in skipped:
                continue
            if isinstance(part, ast.Name):
                if not (part.id == "__name__" and self._stores[part.id] == 0 or self._flag_name(part.id)):
                    return False
            elif not isinstance(part, (ast.Constant, ast.Compare, ast.BoolOp, ast.UnaryOp, ast.BinOp, ast.Tuple,
                                       ast.List, ast.expr_context, ast.cmpop, ast.boolop, ast.unaryop, ast.operator)):
                return False
        return True

    def _steady(self, item: ast.withitem) -> bool:
        """``item`` enters a manager of :data:`STEADY` given flags, bound to no name: it cannot raise because of
        anything the top level computed (in a notebook, ``with (nullcontext() if <bit> else 1/0):`` stops its cell where
        autograd said so)."""
        manager = item.context_expr
        return item.optional_vars is None and isinstance(manager, ast.Call) and isinstance(
            manager.func, (ast.Name, ast.Attribute)) and imported_name(manager.func, self.module.imports).lstrip(".") \
            in STEADY and not self._shadowed(_root(manager.func), manager) \
            and all(self._flag(value) for value in [*manager.args, *(k.value for k in manager.keywords)])

    def _flag_name(self, name: str) -> bool:
        """``name`` is stored only by the module's own statements, each giving it a literal (``DEBUG = False``, then
        ``DEBUG = True``: fairness 40; ``DEG = 4``, ``POLY = (2, 1, 3, 5, 1)``): never by ``+=``, an import, a loop,
        a function's ``global`` (red team 156)."""
        if 0 < self._stores[name] == self._literal_stores[name]:
            return True
        value = self._single_statement_value(name)  # (``DEG = len(POLY) - 1``: a flag made of flags)
        if value is None or name in self._flags_read:
            return False
        self._flags_read.add(name)
        try:
            return self._flag(value)
        finally:
            self._flags_read.discard(name)

    @cached_property
    def _flags_read(self) -> set[str]:
        """The names :meth:`_flag_name` is reading (a name made of itself is no flag)."""
        return set()

    def _single_statement_value(self, name: str) -> ast.AST | None:
        """The value of ``name``'s only store, where that is a module statement ``NAME = value``."""
        if self._stores[name] != 1:
            return None
        return next((statement.value for statement in self.tree.body if isinstance(statement, ast.Assign)
                     and len(statement.targets) == 1 and isinstance(statement.targets[0], ast.Name)
                     and statement.targets[0].id == name and not self._stops_before(self.tree, statement)), None)

    @cached_property
    def _literal_stores(self) -> collections.Counter:
        """Per name, its stores that are a module statement ``NAME = literal`` (a number, a string, a tuple of them)."""
        counts: collections.Counter = collections.Counter()
        for statement in self.tree.body:
            if isinstance(statement, ast.Assign) and len(statement.targets) == 1 \
                    and not self._stops_before(self.tree, statement) \
                    and isinstance(statement.targets[0], ast.Name) and (isinstance(statement.value, ast.Constant) or (
                        isinstance(statement.value, ast.Tuple)
                        and all(isinstance(item, ast.Constant) for item in statement.value.elts))):
                counts[statement.targets[0].id] += 1
        return counts

    def _constant(self, name: str, value: ast.AST, known: set[str]) -> bool:
        """One binding of ``name`` gives it the same value every run: an immutable literal; a mutable one (a list, a
        ``torch.tensor([...])``) nothing changes; or a ``for`` loop's item over a literal of the file's definitions
        (whose code is read), or of such constants where the loop cannot leave early (a ``break`` after comparing
        with autograd's answer would choose the number)."""
        loop = self.module.parents.get(value)
        if isinstance(loop, (ast.For, ast.AsyncFor)) and loop.iter is value:
            literal = _fixed_display(value, (ast.List, ast.Tuple, ast.Set))  # (its items are constants: read below)
            items = value.elts if literal else [value]
            return all(isinstance(item, ast.Name) and _definition(item.id, self.module) for item in items) or \
                literal and not self._leaves_early(loop) and all(
                    self._immutable(item, known) or name not in self.changed and self._literal(item, known)
                    for item in items) \
                or _counted(value) and self._immutable(value, known) and not self._leaves_early(loop)
            # (``for coeffs in ([1, 1], [0, 0, 1]):`` a demo: fairness 29; ``for seed in range(3):``, fairness 32)
        if self._immutable(value, known):
            return True
        return name not in self.changed and self._literal(value, known)

    def _immutable(self, node: ast.AST, known: set[str], attributes: frozenset[str] | None = None) -> bool:
        """A number, string, tuple of those, arithmetic on them, a constant name, or a library's value that cannot
        change (:func:`library_constant`: ``torch.float64``, ``math.pi``; never ``keyword.kwlist``, a list) that the
        file does not set (``attributes``: :attr:`set_attributes`)."""
        attributes = self.set_attributes if attributes is None else attributes
        made = {id(part.func) for part in walk(node) if isinstance(part, ast.Call) and isinstance(part.func, ast.Name)
                and part.func.id in self.named_tuples and not any(isinstance(a, ast.Starred) for a in part.args)
                and all(k.arg is not None for k in part.keywords)}  # ``Slope(8.0, 3.0)``: a tuple of them
        facts = {id(sub) for part in walk(node) if isinstance(part, ast.Call) and self._fact(part)
                 for sub in (part, *walk(part.func))}  # (its arguments are read as any others)
        for part in walk(node):
            if isinstance(part, ast.Call) and id(part.func) in made or isinstance(part, ast.keyword) and made \
                    or id(part) in facts:
                continue
            if isinstance(part, ast.Name):
                if not (part.id in known or id(part) in made
                        or part.id in self.module.imports and self._library_constant(part)):
                    return False
            elif isinstance(part, ast.Attribute):
                if not (_root(part) in self.module.imports and part.attr not in WORLD
                        and part.attr not in attributes and self._library_constant(part)) \
                        or _world_reference(part, self.module.imports, self.module.parents):
                    return False
            elif not isinstance(part, IMMUTABLE):
                return False
        return True

    def _fact(self, call: ast.Call) -> bool:
        """``call`` answers the same whatever the file computed, given immutable arguments: a machine's fact no file
        changes (:data:`MACHINE_FACTS`: ``os.cpu_count()``), or a builtin of :data:`VALUE_BUILTINS` the file does not
        rebind, given its values positionally (``max(1, …)``), or a library's value of them (:data:`VALUE_CALLS`:
        ``torch.device("cpu")``). Fairness 32: ``torch.set_num_threads(max(1, os.cpu_count() // 2))`` after the
        demo; fairness 38: ``DEVICE = torch.device("cuda" if torch.cuda.is_available() else "cpu")``."""
        if call.keywords or any(isinstance(arg, ast.Starred) for arg in call.args) or self.dynamic:
            return False
        if isinstance(call.func, ast.Name) and call.func.id in VALUE_BUILTINS:
            return not self._shadowed(call.func.id, call) and call.func.id not in self.module.imports
        called = (imported_name(call.func, self.module.imports) or "").lstrip(".") \
            if isinstance(call.func, (ast.Name, ast.Attribute)) else ""
        return (not call.args and called in MACHINE_FACTS or called in VALUE_CALLS) \
            and not self._shadowed(_root(call.func), call)

    def _shadowed(self, name: str, node: ast.AST) -> bool:
        """``name``, where ``node`` reads it, may be other than the builtin or the import of that name: the file binds it
        at its top level, or a scope around ``node`` does (a parameter, a local, a class body's name: red team 142's
        ``class os:`` and ``def setup(max=lambda *_: n)``)."""
        if name in self.module.bindings:
            return True
        part = self.module.parents.get(node)
        while part is not None:
            if isinstance(part, (*FUNCTIONS, ast.ClassDef, ast.comprehension, ast.ListComp, ast.SetComp, ast.DictComp,
                                 ast.GeneratorExp)) and name in self._once("bound", part, lambda: _bound_inside(part)):
                return True
            part = self.module.parents.get(part)
        return False

    @cached_property
    def named_tuples(self) -> frozenset[str]:
        """The file's named tuple classes, each bound once: ``class Slope(NamedTuple)`` (fields and methods in its
        body) or ``Slope = namedtuple("Slope", "a b")``. An object of one holds only what it was made with."""
        found = set()
        for name, values in self.module.bindings.items():
            value = values[0] if len(values) == 1 else None
            if isinstance(value, ast.ClassDef) and len(value.bases) == 1 and not value.keywords \
                    and not value.decorator_list and self._imported_as(value.bases[0], "typing.NamedTuple") \
                    and all(isinstance(item, (ast.FunctionDef, ast.Pass)) or isinstance(item, ast.Expr)
                            and isinstance(item.value, ast.Constant) or isinstance(item, ast.AnnAssign) and (
                                item.value is None or _plain_constant(item.value)) for item in value.body) \
                    or isinstance(value, ast.Call) and self._imported_as(value.func, "collections.namedtuple") \
                    and all(isinstance(arg, ast.Constant) or isinstance(arg, (ast.List, ast.Tuple)) and all(
                        isinstance(item, ast.Constant) for item in arg.elts) for arg in value.args) \
                    and not value.keywords:
                found.add(name)
        return frozenset(found)

    def _imported_as(self, node: ast.AST, target: str) -> bool:
        """``node`` (``NamedTuple``, ``typing.NamedTuple``) names ``target``, imported under one name only."""
        return imported_name(node, self.module.imports) == target \
            and static._chain(node).split(".")[0] not in self.module.bindings

    def _closed(self, function: ast.Lambda) -> bool:
        """A lambda that reads only its parameters, libraries and :data:`PURE_BUILTINS`: code, holding no data."""
        arguments = function.args
        if arguments.defaults or any(arguments.kw_defaults):
            return False
        local = scopes.local_loads(function)
        for part in walk(function.body):
            if isinstance(part, ast.Name) and isinstance(part.ctx, ast.Load) and not (
                    id(part) in local or part.id not in self.module.bindings and (
                        part.id in self.module.imports and self._library_constant(part) or part.id in PURE_BUILTINS)) \
                    or isinstance(part, ast.Attribute) and (part.attr in WORLD or part.attr in self.stored_attributes
                                                            or self._library_chain(part) and self._library_value(part)
                                                            and not self._library_constant(part)) \
                    or isinstance(part, ast.Call) and _called_name(part) in WORLD \
                    or isinstance(part, (ast.NamedExpr, ast.Yield, ast.YieldFrom, ast.Await)):
                return False
        return True

    def _random(self, func: ast.AST) -> bool:
        """``func`` is a function of a random module (``random``, ``secrets``, ``numpy.random``, ``torch.random``),
        whose answer may carry a seed the top level chose."""
        dotted = imported_name(func, self.module.imports).split(".")
        return dotted[0] in ("random", "secrets") or dotted[:2] in (["numpy", "random"], ["torch", "random"])

    def _library_chain(self, node: ast.Attribute) -> bool:
        """``node`` is a dotted chain from an imported name (``keyword.kwlist``; not ``torch.finfo(t).eps``)."""
        while isinstance(node, ast.Attribute):
            node = node.value
        return isinstance(node, ast.Name) and node.id in self.module.imports

    def _library_value(self, node: ast.Name | ast.Attribute) -> bool:
        """``node`` is a whole chain (``keyword.kwlist``, not its ``keyword``) used as a value, not called."""
        parent = self.module.parents.get(node)
        return not (isinstance(parent, ast.Attribute) and parent.value is node or called(node, self.module.parents))

    def _library_method(self, node: ast.Attribute) -> bool:
        """``keyword.kwlist.copy`` called: a method of a value a library holds that may change (:mod:`.library`), which
        reads that value (red team 43); never a module's function (``torch.zeros``, ``scipy.special.expit``)."""
        receiver = node.value
        return isinstance(receiver, (ast.Attribute, ast.Name)) and self._library_chain(receiver) \
            and (imported_name(receiver, self.module.imports) or "").lstrip(".").split(".")[0] in library.RESOLVED \
            and not self._library_constant(receiver)

    def _library_constant(self, node: ast.Name | ast.Attribute) -> bool:
        """``node`` (``math.pi``, ``np.float64``, ``from math import tau``) names a library's value that cannot
        change, by :func:`library_constant` of what the file imported under the name it starts with."""
        dotted = imported_name(node, self.module.imports)
        return bool(dotted) and library_constant(dotted)

    def settings_kept(self, where: ast.AST) -> ast.AST | None:
        """Where, outside the by-hand function and after the top level first runs autograd (statement of ``where``),
        the file may keep data in the process's settings, which no list of their readers covers (red team 135 read
        torch's backend flags back as attributes, by readers of every name, and by arithmetic: flushed denormals, the
        default dtype's ``finfo``): a library's setter (:data:`.rules.SETTERS`) given a value that is no constant, or
        a constant where it may not run unconditionally (:meth:`_unconditional`); a setter or a library module handed
        on as a value (:meth:`a_module`); a manager entered by hand. None: nowhere. No finding: a setter only for a
        block that puts the setting back (:meth:`_restored`), or one that runs before any autograd
        (:meth:`_set_up_before`)."""
        own = {id(part) for node in self.module.bindings.get(self.function, ()) for part in walk(node)}
        known = self._known
        first = self._statement_index(where)
        for node in walk(self.tree):
            if id(node) in own:
                continue
            if isinstance(node, (ast.Name, ast.Attribute)) and self._library_value(node) and (
                    self._setter_named(node) or self.a_module(node)):
                return node  # (``s = torch.set_flush_denormal``, ``map(torch.set_num_threads, …)``, ``_T = torch``,
                # ``helper()`` handing back ``torch``: called unseen, whenever; red team 138)
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr in ("__enter__", "enter_context"):
                found = True  # (a manager entered by hand and never left: ``printoptions(...).__enter__()``, red team 137)
            elif isinstance(node, ast.Call) and self._setter_named(node.func) and not self._restored(node) \
                    and not self._not_installed(node.func):
                found = not self._constant_setting(node, known) and not self._set_again(node, known, own)
                # (a constant set under a condition, or in a function called under one, is a choice too: red team 135)
            else:
                found = False
            if found and not self._set_up_before(node, first):
                return node
        return None

    def _constant_setting(self, call: ast.Call, known: set[str]) -> bool:
        """``call`` gives its setting constants, and runs whenever the module runs (:meth:`_unconditional`)."""
        return self._unconditional(call, set()) and all(
            self._immutable(value, known) for value in [*call.args, *(k.value for k in call.keywords)])

    def _set_again(self, call: ast.Call, known: set[str], own: set[int]) -> bool:
        """A later module statement makes the very same call (:meth:`_constant_setting`), with nothing between them but
        imports, plain ``def``s and setters' calls, so the setting ends the same whether ``call`` ran or not, and no
        code read it meanwhile (fairness 42: a setter left below the line that stopped a broken cell, set again in a
        cell of its own below; red team 163 read the setting in between into a tensor of literals, ``_K =
        torch.tensor([1e-39]) * 2 == 0`` under flushed denormals)."""
        if not all(self._immutable(value, known) for value in [*call.args, *(k.value for k in call.keywords)]):
            return False  # (a computed value is no repeat of itself)
        place = self._statement_index(call)
        barrier = self._settings_only_until[min(place + 1, len(self.tree.body))]
        calls = self._setter_calls.get(ast.dump(call), [])  # (by place: only those up to the barrier are read)
        start = bisect.bisect_right(calls, place, key=lambda pair: pair[0])
        end = bisect.bisect_left(calls, barrier, key=lambda pair: pair[0])  # (a repeat in a block could read it first:
        # red team 164's ``with torch.no_grad():`` read the setting, then made the call again)
        return any(id(other) not in own and self._bare(other) and self._constant_setting(other, known)
                   for _, other in calls[start:end])

    def _bare(self, call: ast.Call) -> bool:
        """``call`` is a module statement of its own."""
        statement = self.module.parents.get(call)
        return isinstance(statement, ast.Expr) and isinstance(self.module.parents.get(statement), ast.Module)

    @cached_property
    def _settings_only_until(self) -> list[int]:
        """Per place among the module's statements, the place of the first one from there on that is not
        :meth:`_setting_only` (each statement read once, from the end)."""
        until = [len(self.tree.body)] * (len(self.tree.body) + 1)
        for index in range(len(self.tree.body) - 1, -1, -1):
            until[index] = until[index + 1] if self._setting_only(self.tree.body[index]) else index
        return until

    def _setting_only(self, statement: ast.stmt) -> bool:
        """``statement`` reads no setting: an import of torch, numpy or math, a plain ``def``, a docstring, or a
        setter's call (its expression statement)."""
        plain = isinstance(statement, (ast.Import, ast.FunctionDef, ast.Expr, ast.Pass)) and static.cannot_raise(statement)
        return plain or isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call) \
            and self._setter_named(statement.value.func)

    @cached_property
    def _setter_calls(self) -> dict[str, list[tuple[int, ast.Call]]]:
        """The file's calls of setters (:meth:`_setter_named`), by their text: each with the place of its module
        statement, in that order."""
        calls: dict[str, list[tuple[int, ast.Call]]] = {}
        for node in walk(self.tree):
            if isinstance(node, ast.Call) and self._setter_named(node.func):
                calls.setdefault(ast.dump(node), []).append((self._statement_index(node), node))
        return {text: sorted(found, key=lambda pair: pair[0]) for text, found in calls.items()}

    def _not_installed(self, func: ast.AST) -> bool:
        """``func`` is a function of a module not installed where submissions run (``import seaborn as sns`` on a
        machine without it: fairness 42), which sets no library's setting: the import fails, or imports a module the
        submission wrote, which is its own code."""
        dotted = imported_name(func, self.module.imports).lstrip(".")
        return bool(dotted) and not static.installed(dotted.split(".")[0])

    @cached_property
    def _known(self) -> set[str]:
        """Names whose value is the same every run: the file's :attr:`constants`, and the builtins it does not rebind."""
        return set(self.constants) | {name for name in BUILTINS if name not in self.module.bindings}

    def _restored(self, call: ast.Call) -> bool:
        """``call`` sets a setting only for a block that puts it back (fairness 32): a manager of :data:`RESTORING` as
        a ``with`` item (``with torch.set_grad_enabled(False):``), or a ``warnings`` setter inside ``with
        warnings.catch_warnings():``."""
        dotted = imported_name(call.func, self.module.imports).lstrip(".")
        if isinstance(self.module.parents.get(call), ast.withitem) and dotted in RESTORING:
            return True
        part = call
        while dotted.startswith("warnings.") and part in self.module.parents:
            part = self.module.parents[part]
            if isinstance(part, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
                return False
            if isinstance(part, ast.With) and any(
                    isinstance(item.context_expr, ast.Call) and isinstance(item.context_expr.func, (ast.Name, ast.Attribute))
                    and imported_name(item.context_expr.func, self.module.imports).lstrip(".") == "warnings.catch_warnings"
                    for item in part.items):
                return True
        return False

    def _unconditional(self, node: ast.AST, seen: set[int]) -> bool:
        """``node`` runs whenever the module runs, the same way: through plain statements, ``with`` blocks and ``for``
        loops over literals that cannot stop early, at the top level or in a top-level function (not a generator)
        whose every use is a call that itself runs so (fairness 32: a ``set_seed`` helper called twice, ``main()``
        without a ``__main__`` guard, a loop over dtypes)."""
        part = node
        while True:
            parent = self.module.parents.get(part)
            if parent is None or self._stops_before(parent, part):
                return False
            if not isinstance(parent, ast.Module) and self._escapes_before(parent, part):
                return False  # (red team 139: ``if n < 1: return`` above the setter chose whether it ran; a raise at
                # the top level itself ends the import, and with it the grade)
            if isinstance(parent, (ast.With, ast.AsyncWith)) and self._may_swallow(parent):
                return False  # (red team 140: ``assert n >= 4`` above the setter, under ``contextlib.suppress``)
            if isinstance(parent, ast.Module):
                return True
            if isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef)):
                return self._called_unconditionally(parent, part, seen)
            if isinstance(parent, (ast.For, ast.AsyncFor)) and part in parent.body and not parent.orelse:
                if not (_fixed_display(parent.iter) or _counted(parent.iter) and self._immutable(
                        parent.iter, self._known)) or self._leaves_early(parent):
                    return False
            elif isinstance(parent, (ast.If, ast.While, ast.Try, getattr(ast, "TryStar", ast.Try), ast.Match,
                                     ast.IfExp, ast.BoolOp, ast.Lambda, ast.ClassDef, ast.comprehension,
                                     ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.For, ast.AsyncFor)):
                return False
            part = parent

    def _escapes_before(self, block: ast.AST, part: ast.AST) -> bool:
        """A statement above ``part`` in ``block``'s statements that hold it (its body, ``else`` or ``finally``:
        :func:`_holding`) may leave them early (:func:`_first_escape`): whether ``part`` runs then depends on what that
        statement read (each list read once; an ``else`` too, found in review: ``if DEBUG: pass`` / ``else: if
        round(g[0]) != k: continue`` above ``_K = k``)."""
        body = _holding(block, part)
        return body is not None and self._once("escape", body[0], lambda: _first_escape(body)) < body.index(part)

    def _stops_before(self, block: ast.AST, part: ast.AST) -> bool:
        """In a notebook (:attr:`cells`), ``part`` may not have run though ``block`` did, because of what the top level
        computed: a cell that raises stops there and the notebook goes on (red team 157: ``assert <bit>`` above ``_B =
        1``). Where the children said it ran whole, it did not; elsewhere a statement above ``part`` in ``block``'s
        statements (its cell's, where ``block`` is the module) may raise after autograd ran (:meth:`_may_stop`), or,
        where the children said the cell stopped, ``part`` lies in or below the module statement it stopped in. In a
        function's body, what stops it stops the statement that called it: its own lines decide only where some cell
        was not told of. A module stops at any raise, and its grade with it."""
        if not self.cells:
            return False
        if self._in_function(block):  # (its cell's run says nothing of when its body runs)
            if self._every_cell_told:
                return False  # what stops a function's body stops the statement that called it, in a cell told of
        elif self.ran is not None and not self._cell_unread(part):
            cell = self._cell_of(part)
            if cell not in self.ran.stopped:
                return False  # (it ran whole)
            if isinstance(block, ast.Module) and (part.end_lineno or part.lineno) >= self.ran.stopped[cell]:
                return True  # (the child's line only ever adds to the code's: red team 159 raised a SyntaxError
                # whose line, below the binding, the child took for where the cell stopped)
        if isinstance(block, ast.Module):
            return id(part) in self._stopped_in_cell
        body = _holding(block, part)
        if body is None:
            return False
        first = self._once("stops", body[0], lambda: next(
            (index for index, statement in enumerate(body) if self._may_stop(statement)), len(body)))
        return first < body.index(part)

    @cached_property
    def _every_cell_told(self) -> bool:
        """The children said of every cell how it ran (:attr:`ran`): a raise in a function's body then shows as a stop
        of each cell that called it, where the reading looks for it (:meth:`_called_unconditionally`)."""
        return self.ran is not None and all(not self._cell_unread(statement) for statement in self.tree.body)

    def _in_function(self, block: ast.AST) -> bool:
        """``block`` is a function, or lies in one's body (each block climbed once)."""
        def read() -> bool:
            part: ast.AST | None = block
            while part is not None and not isinstance(part, ast.Module):
                if isinstance(part, FUNCTIONS):
                    return True
                part = self.module.parents.get(part)
            return False
        return self._once("in function", block, read)

    def stopped_above(self, node: ast.AST) -> bool:
        """``node``'s cell stopped, or may stop (:meth:`_may_stop`), above the module statement that holds it
        (:meth:`_stops_before`)."""
        top = node
        while self.module.parents.get(top) is not None and not isinstance(self.module.parents[top], ast.Module):
            top = self.module.parents[top]
        return self._stops_before(self.tree, top) if self.module.parents.get(top) is not None else False

    def _cell_unread(self, node: ast.AST) -> bool:
        """In a notebook, no child said how ``node``'s cell ran: whether an expression there raised is read from the
        code (a ``with`` item, a loop's items)."""
        if not self.cells:
            return False
        cell = self._cell_of(node)
        return self.ran is None or cell not in self.ran.whole and cell not in self.ran.stopped

    def _cell_of(self, node: ast.AST) -> int:
        """The first line of the notebook cell that holds ``node``."""
        return self.cells[max(0, bisect.bisect_right(self.cells, getattr(node, "lineno", 0)) - 1)]

    @cached_property
    def _stopped_in_cell(self) -> frozenset[int]:
        """The module's statements (ids) below one in their cell that may raise after the top level ran autograd
        (:meth:`_stops_before`), in one pass."""
        found, cell, stopped = set(), None, False
        for statement in self.tree.body:
            here = bisect.bisect_right(self.cells, statement.lineno)
            if here != cell:
                cell, stopped = here, False
            if stopped:
                found.add(id(statement))
            stopped = stopped or self._may_stop(statement)
        return frozenset(found)

    def _may_stop(self, statement: ast.stmt) -> bool:
        """``statement`` may raise (:func:`static.cannot_raise` says it cannot) and may run after the top level first
        ran autograd: it ends below that line, or it lies in a function, which runs whenever it is called."""
        if static.cannot_raise(statement):
            return False
        part: ast.AST = statement
        while not isinstance(part, ast.Module):
            part = self.module.parents.get(part)
            if part is None or isinstance(part, FUNCTIONS):
                return True
        return (statement.end_lineno or statement.lineno) >= self.autograd_line

    def _may_swallow(self, block: ast.With | ast.AsyncWith) -> bool:
        """``block``'s manager may swallow what its body raised (:func:`.rules.catches`), read in the scope around it
        (each block once)."""
        def read() -> bool:
            scope = self.module.parents.get(block)
            while scope is not None and not isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Module)):
                scope = self.module.parents.get(scope)
            if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
                return catches(block, _bound_inside(scope), self.module,
                               self._once("imports", scope, lambda: scope_imports(self.module, scope)))
            return catches(block, frozenset(name for name in self.module.bindings if name not in self.module.imports),
                           self.module, self.module.imports)

        return self._once("swallows", block, read)

    def _called_unconditionally(self, function: ast.FunctionDef | ast.AsyncFunctionDef, part: ast.AST,
                                seen: set[int]) -> bool:
        """``part`` is a statement of ``function``'s own body, and every use of the function is a call that runs
        unconditionally (:meth:`_unconditional`; a function met again on the way, a cycle, does not; each function read
        once)."""
        if id(function) in seen or part not in function.body or not self._plain_function(function):
            return False

        def read() -> bool:
            seen.add(id(function))
            uses = self._uses_outside(function)
            return bool(uses) and all(self._called_by_name(use) and self._unconditional(self.module.parents[use], seen)
                                      for use in uses)

        return self._once("unconditional", function, read)

    def _plain_function(self, function: ast.AST) -> bool:
        """``function`` is a ``def`` of the module's own statements, bound once, whose body runs when it is called: not
        a generator or coroutine, resumed whenever (red team 138's ``_g.send(bit)``), and under no decorator but a
        manager that lets every exception through (``@torch.no_grad()``): a wrapper may swallow what the body raised
        above a setter (red team 162's ``@_quiet``)."""
        if not (isinstance(function, ast.FunctionDef) and isinstance(self.module.parents.get(function), ast.Module)
                and len(self.module.bindings.get(function.name, ())) == 1) or not all(
                    _never_swallows(decorator, frozenset(), self.module.bindings, self.module.imports)
                    for decorator in function.decorator_list):
            return False
        return self._once("plain", function, lambda: not any(isinstance(inner, (ast.Yield, ast.YieldFrom, ast.Await))
                                                             for inner in walk(function)))

    def _uses_outside(self, function: ast.FunctionDef) -> list[ast.Name]:
        """The names of ``function`` read outside it (a top-level ``def``: a use inside it is in its statement)."""
        own = self._statement_index(function)
        return [use for use in self._name_uses.get(function.name, ()) if self._statement_index(use) != own]

    def _called_by_name(self, use: ast.Name) -> bool:
        """``use`` is the function of a call (``setup()``), not a value handed on."""
        call = self.module.parents.get(use)
        return isinstance(call, ast.Call) and call.func is use

    def _statement_index(self, node: ast.AST) -> int:
        """The place among the module's statements of the one that holds ``node``."""
        while not isinstance(self.module.parents.get(node), ast.Module) and node in self.module.parents:
            node = self.module.parents[node]
        return self._places.get(id(node), len(self.tree.body))

    @cached_property
    def _places(self) -> dict[int, int]:
        return {id(statement): index for index, statement in enumerate(self.tree.body)}

    def _set_up_before(self, node: ast.AST, first: int) -> bool:
        """``node`` runs only before the top level first runs autograd (statement ``first``), when no answer is known
        yet: in a statement above it, or in a function of the file that only such statements call, by its name
        (a notebook's set-up: ``setup(seed=0)`` calling ``torch.set_printoptions``, ``if torch.cuda.is_available():
        torch.set_float32_matmul_precision("high")``: red team 137's honest files)."""
        index = self._statement_index(node)
        statement = self.tree.body[index] if index < len(self.tree.body) else None
        scopes_around, part = [], node
        while part in self.module.parents and not isinstance(part, ast.Module):
            part = self.module.parents[part]
            if isinstance(part, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
                scopes_around.append(part)
        if not scopes_around:
            return index < first
        if scopes_around != [statement] or not self._plain_function(statement):
            return False  # (a method, a lambda, a function made inside another, a generator: run whenever, unseen)
        return self._called_only_above(statement, first)

    def _called_only_above(self, function: ast.FunctionDef, first: int) -> bool:
        """Every use of ``function``'s name outside it is a call of it, in a top-level statement (no ``def`` or class)
        above statement ``first`` (each function read once)."""
        return self._once("above", function, lambda: all(
            self._called_by_name(use) and self._statement_index(use) < first
            and not isinstance(self.tree.body[self._statement_index(use)], DEFINITIONS)
            for use in self._uses_outside(function)))

    def _once(self, kind: str, node: ast.AST, read: Callable[[], Any]) -> Any:
        """``read()``'s answer of ``kind`` for ``node``, read once per file: the settings rule climbs from every setter
        through the same functions and blocks (a file of thousands of them took tens of seconds read again each time)."""
        key = (kind, id(node))
        if key not in self._read:
            self._read[key] = read()
        return self._read[key]

    @cached_property
    def _read(self) -> dict[tuple[str, int], Any]:
        return {}

    @cached_property
    def _name_uses(self) -> dict[str, list[ast.AST]]:
        """Every ``Name`` node of the file, by its name (one walk for all of :meth:`_uses_outside`)."""
        return _by_key(self.tree, ast.Name, "id")

    def a_module(self, node: ast.Name | ast.Attribute) -> bool:
        """``node`` (a whole chain from an import, used as a value) is a library module handed on: whoever holds it may
        call its setters under any name (red team 138: ``_T = torch``, ``[torch][0]``, a helper returning ``torch``)."""
        if not self._library_chain_or_name(node):
            return False
        call = self.module.parents.get(node)
        if isinstance(call, ast.Call) and node in call.args and (
                isinstance(call.func, ast.Name) and call.func.id in MODULE_READERS and call.func.id not in self.module.bindings
                or self._library_chain_or_name(call.func)
                and imported_name(call.func, self.module.imports).lstrip(".") == "importlib.reload"):
            return False  # (``print(torch)``, ``dir(np)``, ``importlib.reload(numpy)``: read, not kept)
        return library.is_module(imported_name(node, self.module.imports))

    def _library_chain_or_name(self, node: ast.AST) -> bool:
        """``node`` is a name the file imports, or a dotted chain from one (``np``, ``torch.backends.cudnn``)."""
        return isinstance(node, ast.Name) and node.id in self.module.imports or isinstance(node, ast.Attribute) \
            and self._library_chain(node)

    def _setter_named(self, func: ast.AST) -> bool:
        """``func`` names a library's function (a dotted name from an import) named as a setter, or one of
        ``copyreg``'s."""
        if not self._library_chain_or_name(func):
            return False
        dotted = imported_name(func, self.module.imports).lstrip(".")
        if "." not in dotted:
            return False  # (a module itself: ``import pickle``)
        last = func.id if isinstance(func, ast.Name) else func.attr
        return last.startswith(SETTERS) or dotted.startswith("copyreg.") or dotted.rsplit(".", 1)[-1].startswith(SETTERS)

    def _handed_constant(self, node: ast.Name | ast.Attribute) -> bool:
        """A library's value named, not called (``make = Decimal``, ``key=math.floor``), that cannot change and would
        read no world if called: a call through a second name is read as its call would be (red team 132: ``make =
        Decimal`` then ``make(2) / make(7)`` read a precision the top level set; ``time.timezone``, which ``tzset``
        rebinds, is the world too)."""
        return self._library_constant(node) and not self.world_or_attribute(ast.Call(func=node, args=[], keywords=[]))

    def _leaves_early(self, loop: ast.For | ast.AsyncFor) -> bool:
        inside = any(isinstance(node, (ast.Break, ast.Return, ast.Raise)) for node in walk(loop))
        parent = self.module.parents.get(loop)
        while parent is not None and not inside:
            inside = isinstance(parent, (ast.Try, getattr(ast, "TryStar", ast.Try)))
            parent = self.module.parents.get(parent)
        return inside

    def _literal(self, node: ast.AST, known: set[str]) -> bool:
        """A display, comprehension or library call built from constants, literals and the file's definitions."""
        inner = {name.id for part in walk(node) if isinstance(part, ast.comprehension)
                 for name in walk(part.target) if isinstance(name, ast.Name)}
        closed = frozenset(id(part) for part in walk(node) if isinstance(part, ast.Lambda) and self._closed(part))
        consumed = {id(part.args[0]) for part in walk(node) if isinstance(part, ast.Call) and len(part.args) == 1
                    and isinstance(part.args[0], ast.GeneratorExp) and not part.keywords
                    and isinstance(part.func, ast.Name) and part.func.id in PURE_BUILTINS
                    and part.func.id not in self.module.bindings}  # ``tuple(k * c for k, c in …)``: run at once
        for part in walk(node, closed):  # (``{1: lambda d: d, 2: lambda d: d.sum(dim=0)}``: fairness 18)
            if isinstance(part, ast.Name) and not (part.id in known or part.id in inner or part.id in self.module.imports
                                                   or _definition(part.id, self.module)
                                                   or part.id in BUILTINS and part.id not in self.module.bindings):
                return False
            if isinstance(part, ast.Attribute) and (part.attr in WORLD or part.attr in self.set_attributes
                                                    or _world_reference(part, self.module.imports, self.module.parents)
                                                    or _bound_method(part, self.module.parents)):
                return False
            if isinstance(part, (ast.Name, ast.Attribute)) and _root(part) in self.module.imports \
                    and self._library_value(part) and not self._library_constant(part):
                return False  # (``K = keyword.kwlist``: a library's list, which a second name could fill)
            if isinstance(part, (*DEFINITIONS, ast.NamedExpr, ast.Starred, ast.Await, ast.Yield, ast.YieldFrom,
                                 ast.GeneratorExp)) and id(part) not in consumed:
                return False
            if isinstance(part, ast.Call) and (_called_name(part) in WORLD or _root(part.func) in self.module.bindings
                                               and not self._made_of_literals(part) and not _a_view_of(part, self.module.bindings)
                                               or _stateful(part, self.module.imports, self.module.parents)):
                return False
        return True

    def _made_of_literals(self, call: ast.Call) -> bool:
        """``Term(3, 2)``: an object of one of the file's plain classes made of literals (:meth:`Objects.literal`),
        as :attr:`Objects.instances` are; what its methods read is :meth:`touches`' to judge."""
        return isinstance(call.func, ast.Name) and call.func.id in self.objects.classes \
            and self.objects._made_of_literals(call)

    @cached_property
    def changed(self) -> frozenset[str]:
        """Module-level names whose object code may change after binding it: ``+=``, a store into it, a method that
        changes it, or any way of handing it on (an alias, an argument to the file's own code). Not a change: the
        by-hand function's own, one in a function nothing calls, and a literal added once at the top level
        (``SCALE.append(2)`` outside any loop or branch). A read of a name a function binds itself is not the module's
        (``def make(): def backprop(...): ...; return backprop`` beside ``backprop = make()``: fairness 28)."""
        parents, quiet, found = self.module.parents, self._quiet_nodes, scopes.scopes(self.tree)
        changed = set(self.augmented) | {name for inner in self.module.timeit for name in _timed_names(inner)
                                         if name in self.module.bindings}
        for node in walk(self.tree):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in self.module.bindings \
                    and node.id not in changed and id(node) not in quiet and not found.local(node) \
                    and _handed_on(node, parents, self.module, self.objects.method) \
                    and not self._literal_added_once(node):
                changed.add(node.id)
        return frozenset(changed)

    @cached_property
    def augmented(self) -> frozenset[str]:
        """Names that code rebinds with ``+=`` and the like (a number counted up to autograd's answer), or deletes:
        never constants."""
        return frozenset(node.target.id for node in walk(self.tree) if isinstance(node, ast.AugAssign)
                         and isinstance(node.target, ast.Name) and id(node) not in self._quiet_nodes) | frozenset(
            node.id for node in walk(self.tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Del))
        # (and names code deletes: red team 159's ``abs = 0``, then ``if not <bit>: del abs``, read as ``callable(abs)``
        # once the builtin shows through)

    @cached_property
    def _quiet_nodes(self) -> set[int]:
        """The bodies of the by-hand function's own ``def``s (unless code outside it :attr:`fed` it), and of top-level
        ``def``s whose name nothing reads and that no decorator may call (:func:`.rules.may_call`: red team 102) (they
        never run, in a file without computed lookups). Never a ``def``'s
        decorators, defaults or annotations: they run as the ``def`` does (red team 91's ``def _setup(x:
        _C.append(…))``, a function nothing calls, filled a list at import)."""
        read = {node.id for node in walk(self.tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}
        quiet = [value for name, values in self.module.bindings.items() for value in values
                 if isinstance(value, (ast.FunctionDef, ast.AsyncFunctionDef))
                 and (name == self.function and not self.fed
                      or name not in read and not self.dynamic and not may_call(value, self.module))]
        return {id(node) for value in quiet for statement in value.body for node in walk(statement)}

    def _literal_added_once(self, node: ast.Name) -> bool:
        """``N.append(2)`` or ``N[k] = 2``, a top-level statement of its own: it runs once, adding a constant (in a
        notebook, where nothing above it in its cell may stop it: :meth:`_stops_before`; red team 161 added ``2**b``
        below ``assert <bit>``)."""
        statement = node
        while not isinstance(statement, ast.stmt):
            statement = self.module.parents.get(statement)
        if not isinstance(self.module.parents.get(statement), ast.Module) or self._stops_before(self.tree, statement):
            return False
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
            call = statement.value
            return _called_name(call) in MUTATORS and isinstance(call.func, ast.Attribute) \
                and call.func.value is node and all(self._immutable(arg, set()) for arg in call.args) \
                and not call.keywords
        return isinstance(statement, ast.Assign) and len(statement.targets) == 1 \
            and isinstance(statement.targets[0], ast.Subscript) and statement.targets[0].value is node \
            and self._immutable(statement.value, set()) and self._immutable(statement.targets[0].slice, set())

    @cached_property
    def fed(self) -> bool:
        """Code other than the by-hand function calls it with values it computed (``manual(grad(GRID))``), or hands
        it on: what the function keeps from one call to the next (a cache of its answers, a default it fills) may
        then hold autograd's (red team 39). Not fed: each call from outside hands it numbers, strings and a
        library's calls of them only (``manual(torch.linspace(-2, 2, 5))``)."""
        own = {id(node) for value in self.module.bindings.get(self.function, ()) for node in walk(value)}
        for node in walk(self.tree):
            if isinstance(node, ast.Name) and node.id == self.function and isinstance(node.ctx, ast.Load) \
                    and id(node) not in own:
                call = self.module.parents.get(node)
                if not (isinstance(call, ast.Call) and call.func is node and all(
                        self._made_by_a_library(arg) for arg in [*call.args, *(k.value for k in call.keywords)])
                        and self._answer_dropped(call)):
                    return True
        return False

    def _answer_dropped(self, call: ast.Call) -> bool:
        """What ``call`` returns is dropped or printed: never kept, changed or called (it may be the very object the
        function keeps, or a function that fills it: red team 39)."""
        parent = self.module.parents.get(call)
        return isinstance(parent, ast.Expr) or isinstance(parent, ast.Call) and isinstance(parent.func, ast.Name) \
            and parent.func.id == "print" and "print" not in self.module.bindings and "print" not in self.module.imports \
            and "print" not in self.stored_attributes and call in parent.args \
            and isinstance(self.module.parents.get(parent), ast.Expr)  # (``from typing import final as print``)

    def _made_by_a_library(self, node: ast.AST) -> bool:
        """Numbers, strings, displays of them and a library's calls of them (``torch.linspace(-2, 2, 5)``): nothing
        the file computed, nothing random."""
        for part in walk(node):
            if isinstance(part, ast.Name):
                if not (part.id in self.module.imports and part.id not in self.module.bindings):
                    return False
            elif isinstance(part, ast.Attribute):
                if part.attr in WORLD or part.attr in self.stored_attributes:
                    return False
            elif isinstance(part, ast.Call):
                if _called_name(part) in WORLD or self._random(part.func):
                    return False
            elif not isinstance(part, (*IMMUTABLE, ast.List, ast.keyword)):
                return False
        return True

    def kept_state(self, root: ast.AST) -> ast.AST | None:
        """Where a function in ``root`` keeps a value from one call to the next that its callers can set, or None:
        a default object it changes (``def f(x, store=None, memo={})`` with ``memo["g"] = store``), or a variable
        of an enclosing function that a nested function it hands out changes or rebinds (``nonlocal``). The top
        level can fill either by calling the function with autograd's answers (red team 39)."""
        found = self.__dict__.setdefault("_kept", {})
        if id(root) not in found:
            found[id(root)] = next((where for function in walk(root) if isinstance(function, FUNCTIONS)
                                    for where in (*self.kept_defaults(function).values(), *self._kept_cells(function))),
                                   None)
        return found[id(root)]

    def kept_defaults(self, function: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> dict[str, ast.AST]:
        """{parameter: where it is changed} for each default of ``function`` that is an object (not a number, a
        string or a tuple of them) which the function changes, rebinds in a nested function, or hands on."""
        found: dict[str, ast.AST] = {}
        for arg, default in methods.defaults(function):
            if _plain_constant(default):
                continue
            place = next((node for node in walk(function) if isinstance(node, ast.Name) and node.id == arg.arg
                          and isinstance(node.ctx, ast.Load) and _chain_kept(node, self.module.parents, self.module)
                          or isinstance(node, ast.Nonlocal) and arg.arg in node.names), None)
            if place is not None:
                found[arg.arg] = place
        return found

    def _kept_cells(self, function: ast.AST) -> Iterator[ast.AST]:
        """The places where a function nested in ``function``, and handed out of it, rebinds one of ``function``'s
        variables (``nonlocal``) or changes one; or where ``function`` hands such a variable's object on
        (``REGISTRY.append(box)``, ``global BOX; BOX = box``): the closure keeps it from one call to the next, and
        its callers, or whoever holds the object, can fill it. ``function`` may fill it itself (``box.append(…)``,
        ``box[k] = …``): that runs once per closure, with what the call was given."""
        nested = [node for node in walk(function) if node is not function
                  and isinstance(node, (*FUNCTIONS, ast.GeneratorExp, ast.ClassDef))]
        if not any(self._handed_out(node, function) for node in nested):
            return  # (once one is handed out, it may call any other, or make the class: all count)
        found, parents = scopes.scopes(function), self.module.parents
        inside = {id(node) for inner in nested for node in walk(inner)}
        captured = {node.id for inner in nested for node in walk(inner) if isinstance(node, ast.Name)
                    and isinstance(node.ctx, ast.Load) and found.binder(node) is function}
        for node in walk(function):
            if isinstance(node, ast.Nonlocal) and id(node) in inside:
                yield node
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in captured \
                    and found.binder(node) is function and (id(node) in inside or not _filled_in_place(node, parents)) \
                    and _chain_kept(node, parents, self.module):
                yield node

    def _handed_out(self, inner: ast.AST, function: ast.AST) -> bool:
        """``inner`` may outlive the call of ``function`` it was made in: a lambda, a class, a generator that no
        :data:`EAGER` builtin consumes at once, a decorated ``def``, or one whose name ``function`` uses other than to
        call it."""
        parents = self.module.parents
        if isinstance(inner, ast.GeneratorExp):  # ``sum(c * x**k for k, c in terms)`` runs at once
            call = parents.get(inner)
            return not (isinstance(call, ast.Call) and call.args == [inner] and not call.keywords
                        and isinstance(call.func, ast.Name) and call.func.id in EAGER
                        and call.func.id not in self.module.bindings)
        if not isinstance(inner, (ast.FunctionDef, ast.AsyncFunctionDef)) or inner.decorator_list:
            return True
        return any(isinstance(node, ast.Name) and node.id == inner.name and isinstance(node.ctx, ast.Load)
                   and not called(node, parents) for node in walk(function))

    @cached_property
    def made_by_calls(self) -> frozenset[str]:
        """Module-level names bound once, by ``name = f(...)``, to a closure a function of the file makes of its
        arguments (``_slope = make_eval(DCOEFFS)``; it returns only functions it defines, never data: red team 39
        had one hand the list it returned to a registry first): :meth:`touches` reads that function,
        the state its closures keep (:meth:`kept_state`) and the arguments. Such a name holds data the top level
        computed only if the file changes or hands it on (:attr:`changed`)."""
        found = set()
        for name, values in self.module.bindings.items():
            value = values[0] if len(values) == 1 else None
            assign = self.module.parents.get(value)
            targets = assign.targets if isinstance(assign, ast.Assign) else [getattr(assign, "target", None)]
            if not (isinstance(value, ast.Call) and isinstance(value.func, ast.Name)
                    and isinstance(assign, (ast.Assign, ast.AnnAssign)) and len(targets) == 1
                    and isinstance(targets[0], ast.Name)):  # (``_slope: Callable = make(C)`` too)
                continue
            maker = self.module.bindings.get(value.func.id, ())
            if len(maker) == 1 and isinstance(maker[0], ast.FunctionDef) and not maker[0].decorator_list \
                    and value.func.id not in self.module.imports and _returns_closures(maker[0]):
                found.add(name)
        return frozenset(found)

    def unsafe_name(self, name: str, node: ast.Name | None = None) -> bool:
        """A module-level name that may hold data the top level computed (not a definition, constant, or import of
        a module or of a library's value that cannot change: ``from keyword import kwlist``, read at ``node``, is a
        list)."""
        if name in self.module.bindings:
            if _definition(name, self.module) or name in self.objects.instances or name in self.made_by_calls:
                return name in self.changed  # (data only in its attributes, or in what its maker's code made)
            return name not in self.constants
        if name in self.module.imports:
            return node is not None and self._library_value(node) and not self._handed_constant(node)
        return name not in BUILTINS  # injected into builtins, say

    def touches(self, name: str) -> bool:
        """A module-level function or class that reads such state anywhere in what it reaches (not only to add to
        it): calling it may bring that state in."""
        return name in self._touching

    @cached_property
    def _touching(self) -> set[str]:
        """The names :meth:`touches`: those whose bindings read state themselves, then, over the names each binding
        reaches, everything that reaches one of them (one pass over the file, however long a chain of helpers)."""
        return _closure(self._reads, self._reached_by)

    @cached_property
    def _reached_by(self) -> dict[str, set[str]]:
        return _reverse_edges(self.module)

    @cached_property
    def _reads(self) -> frozenset[str]:
        """The module-level names whose bindings read state themselves (:meth:`_reads_here`), but constants of immutable
        values, which no state changes (a machine's fact: ``DEVICE = torch.device("cuda" if torch.cuda.is_available()
        else "cpu")``, fairness 38; a library's object, ``LOG = logging.getLogger(…)``, still reads the world)."""
        constants = self.constants
        return frozenset(name for name, values in self.module.bindings.items()
                         if not (name in constants and all(self._immutable(value, constants) for value in values))
                         and any(self._reads_here(value) for value in values))

    def touches_afresh(self, name: str) -> bool:
        """:meth:`touches`, for code that makes its objects afresh each call (a by-hand function, what it calls): a
        class of :meth:`Objects.fresh` reads only what its objects' own methods stored, so making one brings nothing
        in (``Quad()``, a helper returning ``[Affine(), Quad()]``); an object of one that outlives a call (a
        module-level name bound to anything that reaches such a class: ``_q = Quad()``, ``_f = make()``) does."""
        return name in self._touching_afresh

    @cached_property
    def _fresh_readers(self) -> frozenset[str]:
        """The classes of :meth:`Objects.fresh` whose methods read their objects' own attributes."""
        return self._reads & self.objects.fresh_classes

    def touching_given(self, fresh: frozenset[str]) -> set[str]:
        """:meth:`touches_afresh`'s names were ``fresh`` the classes made afresh: what reads state, less those of
        them that only read their objects' own attributes, and every module-level name (not a ``def`` or class) that
        reaches one of those (it may hold an object that outlives a call)."""
        readers = self._reads & fresh
        reaching = _closure(set(readers), self._reached_by)
        kept = {name for name in reaching if not _definition(name, self.module)
                or any(self._made_once(value, reaching) for value in self.module.bindings[name])}
        return _closure(set(self._reads - readers) | kept, self._reached_by)

    def _made_once(self, definition: ast.AST, reaching: set[str]) -> bool:
        """``definition`` (a ``def`` or class) may keep one object of what ``reaching`` makes for every call: made when
        it is defined (a default, a decorator, a base, a class's body: red team 42's ``def helper(k=Keep())``), or kept
        by a decorator (``@functools.lru_cache``, any but :data:`PLAIN_DECORATORS`)."""
        parts = [*getattr(definition, "decorator_list", ())]
        if isinstance(definition, ast.ClassDef):
            parts += [*definition.bases, *definition.keywords, *(item for item in definition.body
                                                                 if not isinstance(item, FUNCTIONS))]
        elif isinstance(definition, FUNCTIONS):
            parts += [default for _, default in methods.defaults(definition)]
        named = {node.id for part in parts for node in walk(part) if isinstance(node, ast.Name)}
        return bool(named & reaching) or self._may_cache(definition)

    def _may_cache(self, definition: ast.AST) -> bool:
        """``definition`` is a ``def`` with a decorator that may keep what it returns: any but
        :data:`PLAIN_DECORATORS`, under whatever name it was imported (``@functools.lru_cache``, ``@keep``)."""
        return isinstance(definition, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(
            _decorator_name(decorator, self.module.imports) not in PLAIN_DECORATORS
            for decorator in definition.decorator_list)

    @cached_property
    def reaching_fresh(self) -> frozenset[str]:
        """The module-level names that reach a class of :attr:`_fresh_readers` (the classes too): what calling one
        makes may hold such an object."""
        return frozenset(_closure(set(self._fresh_readers), self._reached_by))

    @cached_property
    def _touching_afresh(self) -> set[str]:
        return self.touching_given(self.objects.fresh_classes)

    def _reads_state(self, root: ast.AST) -> bool:
        """``root`` reads state (:meth:`_reads_here`), or names something that does."""
        return self._reads_here(root) or self.names_touching(root)

    def local_loads(self, root: ast.AST) -> frozenset[int]:
        """:func:`scopes.local_loads` of ``root``, worked out once per root (both readings of a method ask)."""
        found = self.__dict__.setdefault("_local_loads", {})
        if id(root) not in found:
            found[id(root)] = scopes.local_loads(root)
        return found[id(root)]

    def names_touching(self, root: ast.AST, but: str = "") -> bool:
        """``root`` names a module-level name (other than ``but``) that :meth:`touches`: not a local of its own
        (a parameter ``x`` is not the module's ``x``)."""
        local = self.local_loads(root)
        return any(isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in self._touching
                   and node.id != but and id(node) not in local for node in walk(root))

    def _reads_here(self, root: ast.AST, me: str = "") -> bool:
        """``root``'s own code reads state that can carry an answer (not only to add to it). ``me``: a method's own
        object (``self``), whose :attr:`Objects.instance_attributes` it may read (an object made afresh holds only what
        its own methods stored on it)."""
        if self.kept_state(root) is not None:
            return True  # (a cache or a closure the top level can fill through a call)
        if self._may_cache(root) and not self._returns_numbers(root):
            return True  # (``@lru_cache def store(): return []``, under any name: the top level may have filled it)
        own = _bound_inside(root) | self.module.scopes.get(id(root), frozenset())  # (a value a function stored)
        local = self.local_loads(root)  # (Python's scopes: a comprehension's names are its own: red team 36)
        imports = scope_imports(self.module, root)
        for node in walk(root):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in self.keyed_classes:
                return True  # (an object equal to whatever a library's cache holds: red team 174)
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and id(node) not in local \
                    and node.id not in self.module.scopes.get(id(root), frozenset()):
                if self.unsafe_name(node.id, node) and not _only_added_to(node, self.module.parents):
                    return True
            elif me and isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == me \
                    and id(node.value) in local and node.attr in self.objects.instance_attributes:
                continue  # ``self.input``, stored by the object's own methods
            elif self.world_or_attribute(node, own) or catches(node, own, self.module, imports):
                return True  # (whether the code it guards raised: red team 45)
        return False

    def _returns_numbers(self, function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
        """Every answer of ``function`` is a number made of its parameters (:meth:`_unchangeable`), in a file whose
        classes change no operator (:attr:`_own_numbers`): a cache (any decorator may be one) then hands every
        caller alike (``@lru_cache def _scale(n): return 12 / n``; never ``[]``, an item, an iterator: red teams 43-45)."""
        mine = {arg.arg for arg in walk(function.args) if isinstance(arg, ast.arg)}
        bound = _bound_inside(function)  # (parameters too: ``def box(n, int=dict)``)
        return not self._own_numbers and all(
            node.value is None or self._unchangeable(node.value, function.name, mine, bound)
            for node in walk(function) if isinstance(node, ast.Return))

    def _unchangeable(self, node: ast.AST, me: str, mine: set[str], bound: set[str]) -> bool:
        """A number (:meth:`_arithmetic`), a tuple of them, or either of two (a condition's branches, ``a or b``)."""
        if isinstance(node, ast.Tuple):
            return all(self._unchangeable(item, me, mine, bound) for item in node.elts)
        if isinstance(node, (ast.IfExp, ast.BoolOp)):
            parts = [node.body, node.orelse] if isinstance(node, ast.IfExp) else node.values
            return all(self._unchangeable(part, me, mine, bound) for part in parts)
        return not isinstance(node, ast.Name) and self._arithmetic(node, me, mine, bound)

    def _arithmetic(self, node: ast.AST, me: str, mine: set[str], bound: set[str]) -> bool:
        """Literals and ``mine`` (the parameters) combined by operators, ``float``, ``int``, ``math``'s functions
        and ``me`` (a recursion), none of them rebound in the file or the function (``bound``)."""
        if isinstance(node, ast.Constant):
            return isinstance(node.value, (int, float, complex, str, bytes, bool, type(None)))
        if isinstance(node, ast.Name):
            return node.id in mine
        if isinstance(node, (ast.BinOp, ast.UnaryOp, ast.Compare)):
            return all(self._arithmetic(child, me, mine, bound) for child in children(node) if isinstance(child, ast.expr))
        if not isinstance(node, ast.Call) or node.keywords:
            return False
        func, module = node.func, self.module
        plain = isinstance(func, ast.Name) and func.id in ("float", "int", me) and func.id not in bound \
            and (func.id == me or func.id not in module.bindings and func.id not in module.imports)
        targets = module.imports.get(func.value.id, []) if isinstance(func, ast.Attribute) \
            and isinstance(func.value, ast.Name) else []
        maths = bool(targets) and all(target == "math" for target, _ in targets) and not func.attr.startswith("_") \
            and func.value.id not in bound and func.value.id not in module.bindings
        return (plain or maths) and all(self._arithmetic(argument, me, mine, bound) for argument in node.args)

    @cached_property
    def keyed_classes(self) -> frozenset[str]:
        """The file's classes (anywhere, a function's own too) whose objects decide what they equal: one that defines
        or sets ``__eq__``, ``__ne__`` or ``__hash__``, or derives from anything but a builtin type and the bases
        :meth:`static.Module._plain_base` knows (a library's class may equal everything), and those derived from
        them. Red team 174 handed ``re.compile`` a
        ``str`` that equals every other: ``re``'s cache handed back the pattern the top level had compiled, autograd's
        answers in its text (10/10 on exercises 1 to 3); any cache keyed by equality does so."""
        classes = [node for node in walk(self.tree) if isinstance(node, ast.ClassDef)]
        keyed = {cls.name for cls in classes if cls.keywords or any(
            not (self.module._plain_base(base) or isinstance(base, ast.Name) and base.id in BUILTIN_TYPES
                 and base.id not in self.module.bindings and base.id not in self.module.imports)
            for base in cls.bases) or any(
            name in ("__eq__", "__ne__", "__hash__") for item in cls.body for name in _defined_names(item))}
        while True:  # (one pass per level of subclassing: a class's own bases are read each time)
            more = {cls.name for cls in classes if any(isinstance(base, ast.Name) and base.id in keyed
                                                       for base in cls.bases)} - keyed
            if not more:
                return frozenset(keyed)
            keyed |= more

    @cached_property
    def _own_numbers(self) -> bool:
        """A class of the file derives from a builtin type or defines an operator, equality or hash (red teams 44-45:
        every ``Key()`` equal to the top level's, a ``float`` whose ``+`` makes a list)."""
        return any(isinstance(node, ast.ClassDef) and (node.bases or any(
            isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name.startswith("__")
            and item.name not in ("__init__", "__call__", "__repr__", "__str__") for item in node.body))
            for node in walk(self.tree))

    def world_or_attribute(self, node: ast.AST, own: set[str] = frozenset()) -> bool:
        """``node`` reads the world, or an attribute the file sets (in a file of computed names, any attribute of
        an object that is not among the function's ``own`` names)."""
        if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load):
            call = called(node, self.module.parents)
            return node.attr in WORLD or node.attr in self.set_attributes or \
                _world_reference(node, self.module.imports, self.module.parents) or \
                call and self._library_method(node) or \
                self.dynamic and _root(node) not in own and not call or \
                self._library_chain(node) and self._library_value(node) and not self._handed_constant(node)
        if isinstance(node, ast.JoinedStr) or isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) \
                and isinstance(node.left, ast.Constant) and isinstance(node.left.value, str):
            return self.rewrites  # a tensor's text, under print options the file set (``"%s" % t``: red team 142)
        if isinstance(node, ast.Call):
            name = _called_name(node)
            if self.rewrites and (name in TEXTS or name == "print" and any(k.arg == "file" for k in node.keywords)):
                return True
            if self._random(node.func) or _uninitialised(node) or unfilled_where(node) and not (
                    isinstance(node.func, ast.Name) and _definition(node.func.id, self.module)):  # (the file's own
                # function is read where it is written; a library's, under any name, hands back what it did not fill)
                return True  # Python's, numpy's or torch's random state (``random.randbytes``: red team 38), memory
            if isinstance(node.func, ast.Name) and name in self.module.imports:  # (``from logging import getLogger``,
                return _reads_world(name) or _asks_a_setting(node) or any(  # ``from os import getcwd as here``,
                    _reads_world(target.rsplit(".", 1)[-1]) or not library.computing(target)  # ``from mimetypes …``)
                    for target, _ in self.module.imports[name])
            return name in WORLD or isinstance(node.func, ast.Attribute) and self._library_chain(node.func) \
                and (name.startswith("get") or _asks_a_setting(node)
                     or not library.computing(imported_name(node.func, self.module.imports)))
            # (a method of what a call returned, ``torch.stack(terms).sum(0)``, is the object's: fairness 30; the
            # inner call is read on its own)
        return False

    def answer_source(self, node: ast.AST) -> ast.AST | None:
        """What ``node`` (a by-hand function's binding) returns from, or None: a ``def`` is followed by
        :class:`Flow`; a lambda's body is its return value; anything else (an alias, a method, a call's result)
        counts whatever it reaches."""
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return Flow(self, node).run()
        if isinstance(node, ast.Lambda):
            flow = Flow(self, node)
            return flow.expression(node.body)
        method = self.objects.method(node)  # ``manual = Poly.grad_manual``: the method's own code (and its class's,
        if method is not None and not self.rewrites:  # which it may reach through ``self``: all of it, if any reads)
            found = Flow(self, method, self.objects.instances.get(node.value.id, "")).run()
            return found or (node if self.objects.method_touches(self.objects.owner(node), node.attr) else None)
        return node if self.rewrites or self._reads_state(node) else None

    def describe(self, node: ast.AST) -> str:
        """How a finding names its source: "SEEN", "torch.load(...)"."""
        part = node.func if isinstance(node, ast.Call) else node
        text = ast.unparse(part) if sum(1 for _ in zip(walk(part), range(64))) < 64 else "state"
        text = text if len(text) <= 40 else text[:37] + "..."
        return f"{text}{'(...)' if isinstance(node, ast.Call) else ''}"


TEXTS = frozenset({"str", "repr", "format", "__str__", "__repr__", "__format__", "array2string", "array_str",
                   "array_repr", "format_float_positional", "format_float_scientific", "pformat", "saferepr",
                   "substitute", "safe_substitute"})  # what makes a tensor's text (and ``print(…, file=…)``)


def _one_value(values: list[ast.AST]) -> bool:
    """Every binding gives the very same literal (``K = 8`` here and there, ``COEFFS = [8, 3, 6, 5]`` in a cell that
    raised and again in the fixed one below it): whichever runs, the value is that one."""
    return all(static.literal_display(value) for value in values) and len({ast.dump(value) for value in values}) == 1


def _holding(block: ast.AST, part: ast.AST) -> list[ast.stmt] | None:
    """The statements of ``block`` (its body, ``else`` or ``finally``) that hold ``part``; None where none does."""
    return next((body for body in (getattr(block, name, None) for name in ("body", "orelse", "finalbody"))
                 if isinstance(body, list) and part in body), None)


def _fixed_display(node: ast.AST, kinds: tuple[type, ...] = (ast.List, ast.Tuple)) -> bool:
    """``node`` is a list or tuple display (``kinds``) of as many items as it shows: none starred (red team 160 counted
    ``for _ in [*range(round(g[0]))]: _K = _K + 1`` up to autograd's answer). A set's count depends on which of its
    items are equal."""
    return isinstance(node, kinds) and not any(isinstance(item, ast.Starred) for item in node.elts)


def _counted(node: ast.AST) -> bool:
    """``node`` is a call of ``range``, whose items, given immutable bounds, are counted out the same every run (where
    it is the builtin: :meth:`State._fact`, which :meth:`State._immutable` asks of it)."""
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "range"
