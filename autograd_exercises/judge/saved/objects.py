"""The file's plain classes and the objects it makes of them (:class:`Objects`), for
:mod:`autograd_exercises.judge.saved`: which attributes are constants, which objects are made afresh."""

from __future__ import annotations

import ast
import collections
import functools
from functools import cached_property
from typing import TYPE_CHECKING

from autograd_exercises.judge import methods, scopes
from autograd_exercises.judge.methods import bound_in as bound_in_body, defaults
from autograd_exercises.judge.syntax import called, imported_name, walk
from autograd_exercises.judge.saved.rules import (DEFINITIONS, FRESH_DENIED, MAX_OBJECT_NODES, OBJECT_DOORS,
    PURE_BUILTINS, WORLD, _attribute_stores, _by_key, _called_name, _chain_kept, _changed_through, _enclosing, _root,
    _stateful, _stored_value, _unpacked)

if TYPE_CHECKING:  # (a State makes its Objects and Flows)
    from autograd_exercises.judge.saved.state import State


class Objects:
    """The file's plain classes, read method by method, and the objects it makes of them from literals.

    ``polynomial_grad_manual = Poly.grad_manual`` (or ``= _poly.grad_manual``, ``_poly = Poly([1, 5, 3, 1, 2])``)
    runs that ``def`` and nothing else when the class is *plain* (:attr:`classes`). Such a class, and an object made
    of it at the top level (:attr:`instances`), holds data only in its attributes, as the file's own function does;
    an attribute that only ever holds what an object was made with (:attr:`constant`) carries no answer."""

    def __init__(self, state: State) -> None:
        self.state, self.module = state, state.module
        self._stores: dict[str, list[tuple[str, ast.AST]] | None] = {}
        self.fields: dict[str, list[str]] = {}  # a plain dataclass's fields, in order (its ``__init__``'s parameters)
        self._fresh_methods: dict[int, bool] = {}  # :meth:`_method_fresh`, by method
        self._named: dict[int, set[str]] = {}  # :meth:`_names_in`, by method
        self._kept_by: dict[tuple[int, str], bool] = {}  # :meth:`_keeps_it`, by method and its object's name

    @cached_property
    def open(self) -> bool:
        """No computed lookups, and none of :data:`OBJECT_DOORS`: an object's attributes change only where the file
        stores them, and an object is reached only by its names. Past :data:`MAX_OBJECT_NODES` parts (a hostile
        file's thousands of classes), nothing is narrowed: the file is read as a whole, as before."""
        if sum(1 for _ in zip(walk(self.state.tree), range(MAX_OBJECT_NODES + 1))) > MAX_OBJECT_NODES:
            return False
        return not self.state.dynamic and not any(
            isinstance(node, ast.Name) and node.id in OBJECT_DOORS or isinstance(node, ast.Attribute)
            and node.attr in OBJECT_DOORS and node.attr != "type" and not self._super_init(node)  # (x.type(…))
            for node in walk(self.state.tree))

    def _super_init(self, node: ast.Attribute) -> bool:
        """``super().__init__()`` called with nothing in a class's own ``__init__`` (a hand-written layer's first line,
        red team 41's h04): it runs the base's ``__init__`` on the object being made, with nothing handed in, as one
        of the object's own methods would. With arguments it would make the base's objects unseen."""
        call, method = self.module.parents.get(node), _enclosing(node, self.module.parents)
        inner = node.value
        return node.attr == "__init__" and called(node, self.module.parents) and not call.args and not call.keywords \
            and isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name) and inner.func.id == "super" \
            and not inner.args and not inner.keywords and "super" not in self.module.bindings \
            and "super" not in self.module.imports and isinstance(method, ast.FunctionDef) \
            and method.name == "__init__" and isinstance(self.module.parents.get(method), ast.ClassDef)

    @cached_property
    def classes(self) -> dict[str, dict[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
        """Each plain class by name, with its methods (its base's too): bound once, with no keyword, no base but
        one plain class of the file (not a dataclass), no decorator but ``@dataclass``; its body ``def``s (each name
        once, plain, ``@staticmethod``, ``@property``, or ``@classmethod`` reading only its class's attributes), a
        docstring and immutable constants; none of its methods' names stored anywhere. ``Poly.value`` is then that
        ``def`` whatever the top level did."""
        found: dict[str, dict[str, ast.FunctionDef | ast.AsyncFunctionDef]] = {}
        pending = [name for name, values in self.module.bindings.items() if self.open and len(values) == 1
                   and isinstance(values[0], ast.ClassDef)]
        while pending:  # (a base before the classes made from it)
            decided = []
            for name in pending:
                cls = self.module.bindings[name][0]
                base = self._base(cls)
                if base is None or base in found:
                    defs = self._plain_methods(cls)
                    if defs is not None and not self.fields.get(base):  # (a dataclass base's fields: not read)
                        found[name] = {**found.get(base, {}), **defs}
                    decided.append(name)
                elif base is False or base not in pending:
                    decided.append(name)
            if not decided:
                break  # (classes made from each other)
            pending = [name for name in pending if name not in decided]
        return found

    def _base(self, cls: ast.ClassDef) -> str | None | bool:
        """``cls``'s one base's name (None: no base; False: any other)."""
        if not cls.bases:
            return None
        return cls.bases[0].id if len(cls.bases) == 1 and isinstance(cls.bases[0], ast.Name) else False

    def _plain_methods(self, cls: ast.ClassDef) -> dict[str, ast.FunctionDef | ast.AsyncFunctionDef] | None:
        """A plain class body's methods by name (see :attr:`classes`), or None; notes a dataclass's fields."""
        if cls.keywords or cls.decorator_list and not (len(cls.decorator_list) == 1
                                                       and self._dataclass(cls.decorator_list[0])):
            return None
        defs = {item.name: item for item in cls.body if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))}
        rest = [item for item in cls.body if not isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))]
        fields = [item for item in rest if isinstance(item, ast.AnnAssign)] if cls.decorator_list else []
        if len(defs) == sum(isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) for item in cls.body) \
                and not set(defs) & self.state.stored_attributes and all(
                    self._static(item) or self._property(item) or self._classmethod(item) or not item.decorator_list
                    for item in defs.values()) and all(
                    self._constant_item(item, set(defs)) for item in rest if item not in fields) and all(
                    self._field(item, set(defs)) for item in fields) and not (fields and cls.bases):
            self.fields[cls.name] = [item.target.id for item in fields]
            return defs
        return None

    def _classmethod(self, method: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
        """``@classmethod`` whose class is only read through (``cls.SCALE``), never called (``cls(...)``: an object
        made unseen) or handed on."""
        arguments = [*method.args.posonlyargs, *method.args.args]
        return self._decorated(method, "classmethod") and bool(arguments) and all(
            isinstance(parent := self.module.parents.get(node), ast.Attribute) and parent.value is node
            and isinstance(parent.ctx, ast.Load) for node in walk(method)
            if isinstance(node, ast.Name) and node.id == arguments[0].arg)

    def _decorated(self, method: ast.FunctionDef | ast.AsyncFunctionDef, decorator: str) -> bool:
        return [ast.unparse(d) for d in method.decorator_list] == [decorator] \
            and decorator not in self.module.bindings and decorator not in self.module.imports

    def _static(self, method: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
        return self._decorated(method, "staticmethod")

    def _property(self, method: ast.AST) -> bool:
        return isinstance(method, (ast.FunctionDef, ast.AsyncFunctionDef)) and self._decorated(method, "property")

    def _dataclass(self, decorator: ast.expr) -> bool:
        """``@dataclass`` or ``@dataclasses.dataclass(frozen=True)``: it writes ``__init__`` from the fields (unless
        told not to) and methods that only read them."""
        call = decorator if isinstance(decorator, ast.Call) else None
        return imported_name(call.func if call is not None else decorator, self.module.imports) \
            == "dataclasses.dataclass" and (call is None or not call.args and all(keyword.arg not in (None, "init")
                                                       and isinstance(keyword.value, ast.Constant)
                                                       for keyword in call.keywords))

    def _field(self, item: ast.AnnAssign, methods: set[str]) -> bool:
        """A dataclass's field: ``c: list``, ``reduction: str = "mean"`` or ``= field(default="mean", repr=False)``
        (an immutable default, options of constants), not a method's name; never a ``ClassVar``."""
        default = self._field_default(item.value)
        return isinstance(item.target, ast.Name) and item.target.id not in methods \
            and "ClassVar" not in ast.unparse(item.annotation) and (item.value is None or default is not None) and (
                default is None or self.state._immutable(default, set(), self.state.stored_attributes))

    def _field_default(self, value: ast.expr | None) -> ast.expr | None:
        """A field's default: ``value`` itself, or the ``default=`` of ``field(...)`` whose other options are
        constants (never a ``default_factory``); None for none or another call."""
        if not (isinstance(value, ast.Call) and self.state._imported_as(value.func, "dataclasses.field")):
            return None if isinstance(value, ast.Call) else value
        if value.args or not all(keyword.arg is not None and keyword.arg != "default_factory"
                                 and (keyword.arg == "default" or isinstance(keyword.value, ast.Constant))
                                 for keyword in value.keywords):
            return None
        return next((keyword.value for keyword in value.keywords if keyword.arg == "default"), None)

    def _constant_item(self, item: ast.stmt, methods: set[str]) -> bool:
        """A class body's docstring, ``pass`` or ``SCALE = 2.0``: an immutable value under a name no method has."""
        if isinstance(item, (ast.Pass, ast.Expr)):
            return isinstance(item, ast.Pass) or isinstance(item.value, ast.Constant)
        names = [name for target in getattr(item, "targets", ()) for name in (
            target.elts if isinstance(target, ast.Tuple) else [target])]  # (``A, B, K = 3.0, 2.0, 2.0``)
        return isinstance(item, ast.Assign) and all(isinstance(t, ast.Name) and t.id not in methods for t in names) \
            and self.state._immutable(item.value, set(), self.state.stored_attributes)  # (before :attr:`constant`)

    @cached_property
    def instances(self) -> dict[str, str]:
        """Module-level names bound once, by a top-level statement, to a plain class called with literals
        (``_poly = Poly([1, 5, 3, 1, 2])``), with the class's name."""
        found = {}
        for name, values in self.module.bindings.items():
            call = values[0] if len(values) == 1 else None
            statement = self.module.parents.get(call)
            if isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id in self.classes \
                    and self._made_of_literals(call) and isinstance(statement, ast.Assign) \
                    and len(statement.targets) == 1 and isinstance(statement.targets[0], ast.Name) \
                    and isinstance(self.module.parents.get(statement), ast.Module):
                found[name] = call.func.id
        return found

    def _made_of_literals(self, call: ast.Call) -> bool:
        """Each argument :meth:`literal` (``Poly([1, 5, 3, 1, 2])``, ``Line(a=torch.tensor([6.]))``)."""
        return all(self.literal(argument) for argument in call.args) and all(
            keyword.arg is not None and self.literal(keyword.value) for keyword in call.keywords)

    def literal(self, node: ast.AST, seen: frozenset[str] = frozenset()) -> bool:
        """Numbers, strings, displays of them, a library's call on them (``torch.tensor([6.])``), or a name of such
        a value (:meth:`_literal_name`)."""
        for part in walk(node):
            if isinstance(part, ast.Name) and part.id not in self.module.imports \
                    and not self._literal_name(part.id, seen) or isinstance(part, ast.Starred) \
                    or isinstance(part, ast.keyword) and part.arg is None or isinstance(part, ast.Attribute) and (
                        part.attr in WORLD or part.attr in self.state.stored_attributes) or isinstance(part, ast.Call) \
                    and (_root(part.func) not in self.module.imports or _called_name(part) in WORLD
                         or _stateful(part, self.module.imports, self.module.parents)) \
                    or isinstance(part, (*DEFINITIONS, ast.NamedExpr, ast.Await, ast.Yield, ast.YieldFrom,
                                         ast.comprehension)):
                return False
        return True

    def _literal_name(self, name: str, seen: frozenset[str]) -> bool:
        """``COEFFS = [1, 5, 3, 1, 2]``: bound once, by a top-level statement, to a :meth:`literal`, and every use
        neither changes nor hands it on, but to make an object of a plain class (``Poly(COEFFS)``)."""
        values = self.module.bindings.get(name, ())
        statement = self.module.parents.get(values[0]) if len(values) == 1 else None
        if name in seen or not (isinstance(statement, ast.Assign) and len(statement.targets) == 1
                                and isinstance(statement.targets[0], ast.Name)
                                and isinstance(self.module.parents.get(statement), ast.Module)):
            return False
        return self.literal(values[0], seen | {name}) and not any(
            isinstance(node.ctx, ast.Load) and not self._made_with(node)
            and _chain_kept(node, self.module.parents, self.module) for node in self._names.get(name, ()))

    def _made_with(self, node: ast.Name) -> bool:
        """``node`` is an argument of a call of a plain class (``Poly(COEFFS)``, ``Poly(c=COEFFS)``) whose
        ``__init__`` keeps what it is handed (:meth:`_init_stores`) in attributes that nothing changes
        (:attr:`_sealed`)."""
        parent = self.module.parents.get(node)
        call = self.module.parents.get(parent) if isinstance(parent, ast.keyword) else parent
        if not (isinstance(call, ast.Call) and call.func is not node and isinstance(call.func, ast.Name)
                and call.func.id in self.classes):
            return False
        stores = self._init_stores(call.func.id)
        return stores is not None and all(attr in self._sealed for attr, _ in stores)

    def _init_stores(self, cls: str) -> list[tuple[str, ast.AST]] | None:
        """:meth:`_read_init_stores`, once per class."""
        if cls not in self._stores:
            self._stores[cls] = self._read_init_stores(cls)
        return self._stores[cls]

    def _read_init_stores(self, cls: str) -> list[tuple[str, ast.AST]] | None:
        """The attributes ``cls``'s ``__init__`` stores, each with its target, when each of its statements that
        stores one is ``self.c = v`` (or ``self.a, self.b = v, w``), ``v`` :meth:`_made_of_parameters`, and nothing
        else in it changes or hands on a parameter (``KEPT.append(coefficients)``: red team 36); else None."""
        init = self.classes[cls].get("__init__")
        if init is None and cls in self.fields:  # the dataclass's own: ``self.c = c`` for each field
            return [(target.id, target) for target in self._field_targets(cls)]
        first = next(iter(self.selves(init, cls)), None) if init is not None else None
        if first is None or not all(self.literal(default) for _, default in defaults(init)):
            return None
        params = {arg.arg for arg in [*init.args.posonlyargs, *init.args.args[1:], *init.args.kwonlyargs,
                                      *filter(None, [init.args.vararg])]}  # (``*coeffs``: a tuple of what was passed)
        params -= bound_in_body(init.body)
        assigned = collections.Counter(node.id for node in walk(init) if isinstance(node, ast.Name)
                                       and not isinstance(node.ctx, ast.Load))
        own = scopes.scopes(init).own(init)  # (never a ``global KEPT``: red team 36)
        stores, values, made = [], set(), set(params)  # made: parameters and locals computed from them only
        for statement in init.body:
            pairs = _attribute_stores(statement, first)
            if not pairs and isinstance(statement, ast.Assign) and len(statement.targets) == 1 \
                    and isinstance(name := statement.targets[0], ast.Name) and assigned[name.id] == 1 \
                    and name.id in own and name.id not in params \
                    and self._made_of_parameters(statement.value, made, first, {attr for attr, _ in stores}):
                made.add(name.id)  # ``degree = len(self.c) - 1``
                values |= {id(part) for part in walk(statement.value)}
            for target, value in pairs:
                if not self._made_of_parameters(value, made, first, {attr for attr, _ in stores}):
                    return None
                stores.append((target.attr, target))
                values |= {id(part) for part in walk(value)}
        kept = any(isinstance(node, ast.Name) and node.id in made and isinstance(node.ctx, ast.Load)
                   and id(node) not in values and _chain_kept(node, self.module.parents, self.module)
                   for node in walk(init))
        return None if kept else stores

    def _made_of_parameters(self, value: ast.AST, made: set[str], me: str = "", stored: set[str] = frozenset()
                            ) -> bool:
        """``coefficients``, ``tuple(coefficients)``, ``torch.tensor(c, dtype=torch.float64)``, ``3.0``, ``[k * c for
        k, c in enumerate(self.c)]``: the parameters (and locals ``made`` of them), literals, attributes ``__init__``
        stored already (``me.c``, ``c`` in ``stored``), a library's calls and :data:`PURE_BUILTINS` on them."""
        local = scopes.local_loads(value)
        for part in walk(value):
            if isinstance(part, ast.Name) and isinstance(part.ctx, ast.Load) and not (
                    part.id in made or id(part) in local or part.id in self.module.imports
                    or part.id in PURE_BUILTINS and part.id not in self.module.bindings
                    or part.id == me and isinstance(self.module.parents.get(part), ast.Attribute)):
                return False
            if isinstance(part, ast.Attribute) and not (isinstance(part.value, ast.Name) and part.value.id == me
                                                        and part.attr in stored) and (
                    part.attr in WORLD or part.attr in self.state.stored_attributes) \
                    or isinstance(part, (*DEFINITIONS, ast.NamedExpr, ast.Await, ast.Yield, ast.YieldFrom)) \
                    or isinstance(part, ast.Call) and _called_name(part) in WORLD:
                return False
        return True

    @cached_property
    def _sealed(self) -> frozenset[str]:
        """Attribute names whose every store is one of :meth:`_init_stores`, whose every read neither changes nor
        hands on what it holds (``self.c.append(…)``, ``c = self.c``: the chains :func:`_handed_on` climbs; any read
        of an attribute that only ever holds numbers and strings, :meth:`_unchanging_attribute`), and that no string
        (``operator.attrgetter("c")``) or class pattern (``case Hashable(c=kept)``) names."""
        if not self.open:
            return frozenset()
        stores: dict[str, set[int]] = collections.defaultdict(set)
        candidates: dict[str, set[int]] = collections.defaultdict(set)
        named: set[str] = set()
        for node in walk(self.state.tree):
            if isinstance(node, ast.Attribute) and not isinstance(node.ctx, ast.Load):
                stores[node.attr].add(id(node))
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                named.add(node.value)
            elif isinstance(node, ast.MatchClass):
                named.update(node.kwd_attrs)
        for cls in self.classes:
            for attr, target in self._init_stores(cls) or ():
                candidates[attr].add(id(target))
        sealed = {attr for attr, targets in candidates.items() if stores[attr] <= targets and attr not in named}
        return frozenset(attr for attr in sealed if self._unchanging_attribute(attr) or not any(
            isinstance(node.ctx, ast.Load) and _chain_kept(node, self.module.parents, self.module)
            and not (_unpacked(node, self.module.parents) and self._unchanging_attribute(attr, shallow=True))
            for node in self._attributes.get(attr, ())))

    @cached_property
    def _names(self) -> dict[str, list[ast.Name]]:
        """Every name node of the file, by name (each reading looks up its own once: linear in the file)."""
        return _by_key(self.state.tree, ast.Name, "id")

    @cached_property
    def _attributes(self) -> dict[str, list[ast.Attribute]]:
        """Every attribute node of the file, by attribute name."""
        return _by_key(self.state.tree, ast.Attribute, "attr")

    @cached_property
    def _stores_of(self) -> dict[str, list[tuple[str, ast.AST]]]:
        """Each attribute name's :meth:`_init_stores`, with their class."""
        found: dict[str, list[tuple[str, ast.AST]]] = collections.defaultdict(list)
        for cls in self.classes:
            for name, target in self._init_stores(cls) or ():
                found[name].append((cls, target))
        return found

    def _unchanging_attribute(self, attr: str, shallow: bool = False) -> bool:
        """Every store of ``attr`` (all in ``__init__``s) keeps a number, string or tuple of them (``shallow``: or a
        list of them): a literal, or a parameter whose default and every argument the file passes for it are
        (``reduction="mean"``; ``Poly([1, 5, 3, 1, 2])``, whose items unpacked are numbers)."""
        immutable = functools.partial(self.state._immutable, known=set(), attributes=self.state.stored_attributes)
        for cls, target in self._stores_of.get(attr, ()):
            given = self._given(cls, target)
            if not given or not all(immutable(value) or shallow and isinstance(value, (ast.List, ast.Tuple))
                                    and all(immutable(item) for item in value.elts) for value in given):
                return False
        return True

    def _given(self, cls: str, target: ast.AST) -> list[ast.AST] | None:
        """What ``target`` (a store of :meth:`_init_stores`) may be given: its value, or for a parameter its default
        and every argument the file passes ``cls`` for it; None where a call unpacks its arguments."""
        init = self.classes[cls].get("__init__")
        if init is None:  # a dataclass's field
            value, positional = target, self.fields[cls]
            given = [self._field_default(self.module.parents[target].value)]
        else:
            value = _stored_value(target, self.module.parents)
            if not isinstance(value, ast.Name):
                return [value] if value is not None else None
            positional = [arg.arg for arg in [*init.args.posonlyargs, *init.args.args[1:]]]
            given = [methods.default_of(init, value.id)]
        for name in self._names.get(cls, ()):
            node = self.module.parents.get(name)
            if isinstance(node, ast.Call) and node.func is name:
                if any(isinstance(arg, ast.Starred) for arg in node.args) or any(k.arg is None for k in node.keywords):
                    return None
                index = positional.index(value.id) if value.id in positional else len(node.args)
                given += node.args[index:index + 1] + [k.value for k in node.keywords if k.arg == value.id]
        return [part for part in given if part is not None]

    def _field_targets(self, cls: str) -> list[ast.Name]:
        """The dataclass ``cls``'s fields' names, where its body writes them."""
        body = self.module.bindings[cls][0].body
        return [item.target for item in body if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name)
                and item.target.id in self.fields[cls]]

    @cached_property
    def constant(self) -> frozenset[str]:
        """:attr:`_sealed` attributes stored only by classes that the file calls with literals alone, or in their
        own methods with what their constant attributes give (``Poly(derived from self.c)``:
        :meth:`_made_only_of_literals`), and whose methods never hand their object on (:meth:`_keeps_its_objects`):
        what every object of theirs was made with, which no top level can fill. The largest such set: assume every
        sealed attribute constant, then drop those of classes made otherwise until none is dropped."""
        attributes = set(self._sealed)
        keeping = {cls for cls in self.classes if self._keeps_its_objects(cls)}
        while True:
            trusted = {cls for cls in keeping if self._made_only_of_literals(cls, attributes)}
            kept = {attr for attr in attributes if all(cls in trusted for cls, _ in self._stores_of.get(attr, ()))}
            if kept == attributes:
                return frozenset(kept)
            attributes = kept

    def _made_only_of_literals(self, cls: str, attributes: set[str] = frozenset()) -> bool:
        """Every use of ``cls``'s name calls it with literals (or, in a method of its own, with what ``self``'s
        ``attributes`` give: ``Poly([k * c for k, c in enumerate(self.c)][1:])``) or reads one of its methods."""
        return all(isinstance(parent := self.module.parents.get(node), ast.Call) and parent.func is node
                   and (self._made_of_literals(parent) or self._made_by_itself(parent, cls, attributes))
                   or self.owner(parent, properties=False) == cls and self._static(self.classes[cls][parent.attr])
                   or isinstance(parent, ast.ClassDef) and node in parent.bases and parent.name in self.classes
                   for node in self._names.get(cls, ()))

    def _made_by_itself(self, call: ast.Call, cls: str, attributes: set[str]) -> bool:
        """``call`` (of ``cls``) is in a method of ``cls`` and its arguments are made of ``self``'s ``attributes``,
        literals and libraries (:meth:`_made_of_parameters` with no parameter)."""
        function = self.module.parents.get(call)
        while function is not None and not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            function = self.module.parents.get(function)
        me = next(iter(self.selves(function, cls)), "") if function is not None else ""
        return bool(me) and not any(isinstance(arg, ast.Starred) for arg in call.args) and all(
            keyword.arg is not None for keyword in call.keywords) and all(
            self._made_of_parameters(arg, set(), me, attributes)
            for arg in [*call.args, *(keyword.value for keyword in call.keywords)])

    def _keeps_its_objects(self, cls: str) -> bool:
        """No method of ``cls`` uses its object but through its attributes (``return self``, ``register(self)``,
        ``np.around(self)``, which calls ``self.round``: red team 37). What it does with ``self.c`` is for
        :attr:`_sealed` to judge."""
        return all(self._keeps_it(method, first) for method in self.classes[cls].values()
                   for first in self.selves(method, cls))

    def _keeps_it(self, method: ast.FunctionDef | ast.AsyncFunctionDef, first: str) -> bool:
        """``method`` uses its object (``first``) only through its attributes, or calls it (fairness 26: ``self(x)``
        in a method beside ``__call__``); read once per method (a chain of subclasses holds each base's methods
        again)."""
        key = (id(method), first)
        if key not in self._kept_by:
            self._kept_by[key] = not any(  # (``self(x)`` is ``self.__call__(x)``: every dunder is read anyway)
                isinstance(node, ast.Name) and node.id == first and not (
                    isinstance(parent := self.module.parents.get(node), ast.Attribute) and parent.value is node
                    or isinstance(parent, ast.Call) and parent.func is node)
                for node in walk(method))
        return self._kept_by[key]

    def owner(self, node: ast.AST, own: frozenset[str] = frozenset(), selves: dict[str, str] | None = None,
              properties: bool = True) -> str | None:
        """The plain class whose method ``node`` reads (``Poly.value``, ``_poly.value``, a method's ``self.value``;
        a property too, unless not ``properties``: what it returns is data), or None. ``own``: local names that are
        none of the file's classes or objects."""
        if not (isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load) and isinstance(node.value, ast.Name)):
            return None
        name = node.value.id
        cls = (selves or {}).get(name) or (None if name in own else self.instances.get(name, name))
        method = self.classes.get(cls, {}).get(node.attr)
        return cls if method is not None and (properties or not self._property(method)) else None

    def method_touches(self, cls: str, name: str) -> bool:
        """Calling ``cls``'s method ``name`` may bring state in: it, or a method of ``cls`` it may reach, reads state
        (:meth:`State._reads_here`, or a module-level name that does). It reaches a method whose name its code
        names (by any object, or in a string), and every dunder but ``__init__`` (Python calls them unnamed); under
        each name, its base's ``def`` too (``super().slope(x)``: red team 38)."""
        defs = self.classes[cls]
        every = self._every_def(cls)
        if not self._keeps_its_objects(cls):  # ``np.around(self)`` calls ``self.round``, ``dict(self)`` its ``keys``
            return any(self.state._reads_here(method) or self.state.names_touching(method, but=cls)
                       for methods_named in every.values() for method in methods_named)
        todo = [name, *(other for other in defs if other.startswith("__") and other != "__init__"),
                *(other for other in defs if other in methods.CALLED_BY_NAME)]
        reached: set[str] = set()
        while todo:
            current = todo.pop()
            if current in reached or current not in defs:
                continue
            reached.add(current)
            todo += [node.attr if isinstance(node, ast.Attribute) else node.value for method in every[current]
                     for node in walk(method)
                     if isinstance(node, ast.Attribute) or isinstance(node, ast.Constant) and isinstance(node.value, str)]
        return any(self.state._reads_here(method) or self.state.names_touching(method, but=cls)
                   for current in reached for method in every[current])

    @cached_property
    def instance_attributes(self) -> frozenset[str]:
        """Attribute names the file stores only on a method's own object (``self.input = v`` in a method of a plain
        class, never ``Layer.input = v``, ``obj.input = v`` or in a nested function), under no method's name: an
        object made afresh holds one only once its own methods stored it there."""
        mine: dict[int, str] = {}  # each method that takes its object first: its first parameter's name
        unique = {id(method): method for defs in self.classes.values() for method in defs.values()}
        for method in unique.values():  # (a chain of subclasses holds each of its bases' methods again)
            mine.update((id(method), first) for first in self._own_object(method))
        stored, elsewhere = set(), set()
        for node in walk(self.state.tree):
            store = isinstance(node, ast.Attribute) and not isinstance(node.ctx, ast.Load)
            if not (store or isinstance(node, ast.Attribute) and _changed_through(node, self.module.parents)):
                continue
            by_me = isinstance(node.value, ast.Name) \
                and mine.get(id(_enclosing(node, self.module.parents))) == node.value.id
            if not by_me:
                elsewhere.add(node.attr)  # (``Layer.input = v``, ``obj.memo[k] = v``: not on its own object)
            elif store:
                stored.add(node.attr)
        elsewhere |= set(self.module.attributes) - stored  # (set by a call: ``setattr(o, "input", v)``)
        named = {name for defs in self.classes.values() for name in defs}
        return frozenset(stored - elsewhere - named - OBJECT_DOORS)

    def fresh(self, cls: str) -> bool:
        """An object made afresh of ``cls`` carries no answer in: ``cls`` is a plain class, named only to make objects
        or subclasses (:meth:`_only_made`), none of whose methods (its bases' too) reads state but the object's own
        :attr:`instance_attributes`, hands the object on (:meth:`_keeps_it`) or changes how objects are made or
        their attributes looked up (:data:`FRESH_DENIED`). ``Quad()`` in a by-hand function then brings nothing in,
        so long as the function reads no state at all (:meth:`Flow.run`), as fairness 19's hand-written layers keep
        their input on ``self``. Each method is read once, however many classes share it."""
        return cls in self.fresh_classes

    @cached_property
    def fresh_classes(self) -> frozenset[str]:
        """The classes :meth:`fresh` holds: the largest set, as :attr:`constant` finds its own. Every class whose
        methods pass alone (:meth:`_method_fresh`) is assumed fresh; one whose methods name a function or class of the
        file that brings state in, given the others are fresh (:meth:`State.touching_given`), is dropped, until none
        is: a network whose ``__init__`` makes fresh layers (``self.layers = [Square()]``) is fresh too."""
        candidates = {cls for cls in self.classes if self._fresh_alone(cls)}
        named = {cls: {name for defs in self._every_def(cls).values() for method in defs
                       for name in self._names_in(method)} - {cls} for cls in candidates}
        while True:
            touching = self.state.touching_given(frozenset(candidates))
            kept = {cls for cls in candidates if not named[cls] & touching}
            if kept == candidates:
                return frozenset(kept)
            candidates = kept

    def _fresh_alone(self, cls: str) -> bool:
        every = self._every_def(cls)
        return bool(every) and not FRESH_DENIED & set(every) and self._only_made(cls) and all(
            self._method_fresh(method) for defs in every.values() for method in defs)

    def _only_made(self, cls: str) -> bool:
        """``cls`` and its bases are named only to make an object (``Quad()``) or a subclass: never as an object of
        their own (``Keep.put(Keep, g)`` stores on the class what every object then reads: red team 44)."""
        name: str | None = cls
        while name in self.classes:
            for node in self._names.get(name, ()):
                parent = self.module.parents.get(node)
                if isinstance(node.ctx, ast.Load) and not (called(node, self.module.parents)
                                                           or isinstance(parent, ast.ClassDef) and node in parent.bases):
                    return False
            name = self._base(self.module.bindings[name][0]) or None
        return True

    def _names_in(self, method: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
        """The module-level names ``method`` reads (not its own locals); read once per method."""
        if id(method) not in self._named:
            local = self.state.local_loads(method)
            self._named[id(method)] = {node.id for node in walk(method) if isinstance(node, ast.Name)
                                       and isinstance(node.ctx, ast.Load) and id(node) not in local}
        return self._named[id(method)]

    def _method_fresh(self, method: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
        """``method`` reads no state but its own object's :attr:`instance_attributes`, and uses its object only
        through its attributes (what the functions and classes it names bring in: :attr:`fresh_classes`)."""
        if id(method) not in self._fresh_methods:
            me = next(iter(self._own_object(method)), "")
            self._fresh_methods[id(method)] = (not me or self._keeps_it(method, me)) \
                and not self.state._reads_here(method, me)
        return self._fresh_methods[id(method)]

    def _own_object(self, method: ast.FunctionDef | ast.AsyncFunctionDef) -> dict[str, str]:
        """:meth:`selves` of ``method``, read as a method of the class whose body holds it (not a ``@classmethod``'s,
        nor ``__new__``'s)."""
        cls = _enclosing(method, self.module.parents)
        if not isinstance(cls, ast.ClassDef) or cls.name not in self.classes or method.name == "__new__" \
                or self._decorated(method, "classmethod"):
            return {}
        return self.selves(method, cls.name)

    def _every_def(self, cls: str) -> dict[str, list[ast.FunctionDef | ast.AsyncFunctionDef]]:
        """Each method name of ``cls`` with every ``def`` of it in ``cls`` and its bases."""
        every: dict[str, list[ast.FunctionDef | ast.AsyncFunctionDef]] = collections.defaultdict(list)
        name: str | None = cls
        while name in self.classes:
            node = self.module.bindings[name][0]
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    every[item.name].append(item)
            name = self._base(node) or None
        return every

    def method(self, node: ast.AST) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        """The ``def`` (no property) a module-level ``Poly.value`` or ``_poly.value`` runs, or None."""
        cls = self.owner(node, properties=False)
        return self.classes[cls][node.attr] if cls is not None else None

    def selves(self, function: ast.AST, cls: str) -> dict[str, str]:
        """``{"self": cls}`` for a method of ``cls`` that takes its object first and never rebinds that name."""
        methods = self.classes.get(cls, {})
        if function not in methods.values() or self._static(function) or not function.args.args:
            return {}
        first = function.args.args[0].arg
        rebound = any(isinstance(node, ast.Name) and node.id == first and not isinstance(node.ctx, ast.Load)
                      for node in walk(function))
        return {} if rebound else {first: cls}
