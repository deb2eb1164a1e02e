"""Where a function's return value may come from, statement by statement (:class:`Flow`), for
:mod:`autograd_exercises.judge.saved`."""

from __future__ import annotations

import ast
import functools
from typing import TYPE_CHECKING, Iterable

from autograd_exercises.judge import methods, scopes
from autograd_exercises.judge.syntax import children, walk
from autograd_exercises.judge.saved.rules import (BUILTINS, COMPOUND, DEFINITIONS, LOOP_PASSES, MUTATORS,
    PURE_LIBRARIES, READING_BUILTINS, _bound_inside, _definition, _root, catches, scope_imports)

if TYPE_CHECKING:  # (a State makes its Objects and Flows)
    from autograd_exercises.judge.saved.state import State


class Flow:
    """Where a function's return value may come from, statement by statement: a local name is *tainted* by the
    first source (:class:`State`) its value may come from, through assignments, stores into it, calls with it, and
    the conditions, loops and ``try`` blocks it was assigned under (control flow carries data too: a loop that
    stops at the coefficient matching a saved answer returns it). A ``global`` name the function assigns itself is
    its own from then on; a call of a helper that reads state hands it back."""

    def __init__(self, state: State, function: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda,
                 owner: str = "") -> None:
        self.state, self.function = state, function
        found = scopes.scopes(function)
        self.own = found.own(function)  # the function's own names (not a comprehension's or nested function's)
        self.local = frozenset(id(name) for name in found.loads if found.local(name))  # reads of names bound inside
        self.selves = state.objects.selves(function, owner)  # a method's ``self``: ``self.value`` is the class's
        self.declared = {name for node in walk(function) if isinstance(node, ast.Global) for name in node.names}
        self.taint: dict[str, ast.AST] = {}
        self.groups: dict[str, set[str]] = {}  # local names whose objects may be one another's (:meth:`_link`)
        self.bound = _bound_inside(function) | self.declared  # names it binds (a comprehension's, a global it sets)
        self.imports = scope_imports(state.module, function)  # what its names import (:func:`.rules.catches`)
        for node in walk(function):  # ``(q := Quad())``, ``[b.append(s) for b in [buf]]``, wherever they are
            if isinstance(node, (ast.NamedExpr, ast.comprehension)):
                self._link([node.target, getattr(node, "value", None) or getattr(node, "iter", None)])
        self.found: ast.AST | None = None
        self.escaped: ast.AST | None = None  # a break, continue or return under a tainted condition, in this loop
        self.depth = 0  # loops around the statement being read
        fed = state.fed or not any(function is value for value in state.module.bindings.get(state.function, ()))
        kept = state.kept_defaults(function) if fed else {}  # def manual(x, store=None, memo={}), fed from outside
        for arg, default in methods.defaults(function):  # def manual(x, saved=SEEN); a default the file may rewrite
            self._bind_name(arg.arg, self.expression(default) or (default if state.rewrites_defaults else None)
                            or kept.get(arg.arg) or (default if self._makes_afresh(default) else None))
        for name in self.declared:  # until the function assigns it, a global holds what it held
            if self.state.unsafe_name(name):
                self.taint[name] = next((node for node in walk(function) if isinstance(node, ast.Name)
                                         and node.id == name), function)
        self.anywhere = self.expression(function) or next(iter(self.taint.values()), None)  # the first source it reads

    def run(self) -> ast.AST | None:
        """The first source the return value may come from. A function that makes objects afresh (their methods run
        unseen: operators, ``__exit__``, hooks), or in a file that can reach an object without naming it
        (:attr:`State.opaque`), may hand any source it reads to what it returns: the first counts."""
        self.block(self.function.body, None)
        if self.found is None and self.anywhere is not None and (self.state.opaque
                                                                 or self._makes_afresh(self.function)):
            self.found = self.anywhere
        return self.found

    def expression(self, node: ast.AST | None) -> ast.AST | None:
        """The first source ``node`` reads, or None."""
        methods = set()
        for part in walk(node) if node is not None else ():
            if isinstance(part, ast.Name) and isinstance(part.ctx, ast.Load) and id(part) not in methods:
                if part.id in self.taint:
                    return self.taint[part.id]
                if part.id in self.state.keyed_classes:
                    return part  # (an object equal to whatever a library's cache holds: red team 174)
                if id(part) not in self.local and part.id not in self.declared and (
                        self.state.unsafe_name(part.id, part)
                        or part.id in self.state.module.bindings and self.state.touches_afresh(part.id)):
                    return part  # (a helper that reads state, called or handed on: ``map(helper, …)``; a constant
                    # whose methods may: ``CUBIC.slope(x)``, red team 38)
            elif (owner := self.state.objects.owner(part, self._local_receiver(part), self.selves)) is not None:
                if self.state.objects.method_touches(owner, part.attr):  # ``Poly.value(x)`` may bring state in
                    return part
                methods.add(id(part.value))
            elif self._fresh_attribute(part):
                continue  # (what the object was made with is read where it is made: ``d = Dual(x, 1.0)``)
            elif self.state.world_or_attribute(part, self.own) or \
                    isinstance(part, ast.Call) and self._touching_call(part):
                return part
        return None

    def _fresh_attribute(self, node: ast.AST) -> bool:
        """``d.eps``, where the function binds ``d`` only to an object it makes afresh of a class of
        :meth:`Objects.fresh` (``d = Dual(x, 1.0)``) and that class's ``__init__`` sets ``self.eps`` before any other
        of its statements can run, an attribute stored on no other object (:attr:`Objects.instance_attributes`):
        it holds what ``__init__`` made of the call's arguments (fairness 39: ``t = Trace(x); return 4 * t.y / t.n``
        lost the by-hand point where ``t.value()`` did not)."""
        if not (isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load) and isinstance(node.value, ast.Name)
                and id(node.value) in self.local and node.attr in self.state.objects.instance_attributes):
            return False
        cls = self._fresh_locals.get(node.value.id)
        return cls is not None and node.attr in self._set_first(cls)

    @functools.cached_property
    def _fresh_locals(self) -> dict[str, str]:
        """The function's names bound only by ``name = Cls(...)``, each to one class of :meth:`Objects.fresh`."""
        made: dict[str, set[str]] = {}
        for node in walk(self.function):
            names = [node.id] if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load) else \
                [node.arg] if isinstance(node, ast.arg) else list(getattr(node, "names", ())) \
                if isinstance(node, (ast.Global, ast.Nonlocal)) else []
            for name in names:
                assign = self.state.module.parents.get(node)
                value = assign.value if isinstance(assign, ast.Assign) and assign.targets == [node] else None
                fresh = isinstance(value, ast.Call) and isinstance(value.func, ast.Name) \
                    and value.func.id not in self.bound and self.state.objects.fresh(value.func.id)
                made.setdefault(name, set()).add(value.func.id if fresh else "")
        return {name: next(iter(classes)) for name, classes in made.items() if len(classes) == 1 and "" not in classes}

    def _set_first(self, cls: str) -> frozenset[str]:
        """The attributes ``cls``'s ``__init__`` sets on its object in statements of its own, before any other
        statement (``self.val = val``)."""
        init = self.state.objects.classes.get(cls, {}).get("__init__")
        if not isinstance(init, (ast.FunctionDef, ast.AsyncFunctionDef)) or not init.args.args:
            return frozenset()
        me, found = init.args.args[0].arg, set()
        body = init.body[1:] if ast.get_docstring(init) is not None else init.body
        for statement in body:
            targets = [item for target in getattr(statement, "targets", ()) for item in (
                target.elts if isinstance(target, (ast.Tuple, ast.List)) else [target])]  # (``self.a, self.b = a, b``)
            if not (isinstance(statement, ast.Assign) and targets and all(
                    isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == me
                    for target in targets)):
                break
            found |= {target.attr for target in targets}
        return frozenset(found)

    def _makes_afresh(self, node: ast.AST | None) -> bool:
        """``node`` names a class or function of the file whose call may make an object of
        :attr:`State._fresh_readers` (``Quad()``, ``build_layers()``, ``cls = Quad``)."""
        return node is not None and any(isinstance(part, ast.Name) and isinstance(part.ctx, ast.Load)
                                        and id(part) not in self.local and part.id in self.state.reaching_fresh
                                        for part in walk(node))

    def _link(self, nodes: Iterable[ast.AST | None]) -> None:
        """The names the function binds in ``nodes`` (an assignment's targets and value, a loop's target and what it
        walks, a call's object and arguments, a nested function and what it names) may from now on name one
        another's objects (``alias = buf``, ``for layer in layers``, ``buf.append(inner)``): what changes one of them
        changes them all (:meth:`_bind_name`)."""
        names = {part.id for node in nodes if node is not None for part in walk(node)
                 if isinstance(part, ast.Name) and part.id in self.bound}
        group = set().union(*(self.groups.get(name, {name}) for name in names)) if names else set()
        for name in group:
            self.groups[name] = group

    def _local_receiver(self, node: ast.AST) -> frozenset[str]:
        """``{"p"}`` when ``node`` is ``p.value`` with ``p`` a name bound inside the function (none of the file's
        objects)."""
        receiver = getattr(node, "value", None)
        return frozenset([receiver.id]) if isinstance(receiver, ast.Name) and id(receiver) in self.local else frozenset()

    def _touching_call(self, call: ast.Call) -> bool:
        name = call.func.id if isinstance(call.func, ast.Name) else ""
        return bool(name) and id(call.func) not in self.local and name in self.state.module.bindings \
            and self.state.touches_afresh(name)

    def block(self, body: Iterable[ast.stmt], control: ast.AST | None) -> None:
        """A block's statements in turn; once one of them may have left the loop's pass under a source (a ``break``
        or ``continue`` in a branch or an ``except``), the rest run under it: whether they run at all is data."""
        for statement in body:
            before = self.escaped
            self.statement(statement, control)
            if before is None and self.escaped is not None and self.depth > 0:  # (after the loop, all runs again)
                control = control or self.escaped

    def statement(self, node: ast.stmt, control: ast.AST | None) -> None:
        self._walrus(node, control)
        self._headers(node, control)
        handler = getattr(self, f"on_{type(node).__name__}", None)
        if handler is not None:
            handler(node, control)
            return
        source = control or self.expression(node)  # a statement of no binding of its own: what its calls change
        for call in (part for part in walk(node) if isinstance(part, ast.Call)):
            self._call_changes(call, source)

    @staticmethod
    def _own_parts(node: ast.stmt) -> list[ast.AST]:
        """The code a statement runs itself, not in the statements it holds: a simple statement whole; a compound
        one's condition, iterable, target, subject, ``with`` items, ``except`` types and ``case`` guards; a nested
        ``def``'s decorators, defaults and annotations, a nested class's decorators, bases and body (all run when it
        is defined)."""
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return [*node.decorator_list, node.args, *filter(None, [node.returns])]
        if isinstance(node, ast.ClassDef):
            return [*node.decorator_list, *node.bases, *node.keywords, *node.body]
        if not isinstance(node, (*COMPOUND, getattr(ast, "TryStar", ast.Try))):
            return [node]
        return [value for _, value in ast.iter_fields(node) if isinstance(value, ast.AST)] + [*getattr(node, "items", ())] \
            + [handler.type for handler in getattr(node, "handlers", ()) if handler.type is not None] \
            + [case.guard for case in getattr(node, "cases", ()) if case.guard is not None]

    def _headers(self, node: ast.stmt, control: ast.AST | None) -> None:
        """The calls a compound statement or a nested definition runs itself (:meth:`_own_parts`): what they change
        takes on what they read (red team 41). A simple statement's calls are read by :meth:`statement`."""
        if not isinstance(node, (*COMPOUND, getattr(ast, "TryStar", ast.Try), *DEFINITIONS)):
            return
        for part in self._own_parts(node):
            source = control or self.expression(part)
            for call in (inner for inner in walk(part) if isinstance(inner, ast.Call)):
                self._call_changes(call, source)

    def _walrus(self, node: ast.stmt, control: ast.AST | None) -> None:
        """``(a := SEEN[0])`` in the code the statement runs itself (:meth:`_own_parts`): ``a`` may now hold what the
        value reads."""
        for part in (inner for own in self._own_parts(node) for inner in walk(own)):
            if isinstance(part, ast.NamedExpr) and isinstance(part.target, ast.Name):
                self._bind_name(part.target.id, control or self.expression(part.value), keep=True)

    def _call_changes(self, call: ast.Call, source: ast.AST | None) -> None:
        """``buf.append(v)``, ``fill(buf)``, ``put(v)`` for ``put = buf.append``, ``map(buf.append, …)``: the local
        objects a call may change take on what it brings in."""
        arguments = [*call.args, *(keyword.value for keyword in call.keywords)]
        self._link([call.func, *arguments])
        callee = _root(call.func)
        mutator = isinstance(call.func, ast.Attribute) and (call.func.attr in MUTATORS or call.func.attr.endswith("_"))
        if mutator:  # ``buf.append(v)``, ``buf[0].append(v)``, ``buf[:].copy_(s)``, ``buf.data.copy_(s)``
            self._bind_name(callee, source, keep=True)
        if source is None:
            return self._library_changes(call, callee, arguments)
        if callee in self.bound and (  # a local function (``put = buf.append``), or a local's dunder: it may change it
                isinstance(call.func, ast.Name) or isinstance(call.func, ast.Attribute) and call.func.attr[:2] == "__"):
            self._bind_name(callee, source, keep=True)
        if not self._reads_only(call) and not (mutator and not self._unbound_method(call.func)):
            for name in self._handed(arguments):  # ``fill(buf)``, ``np.copyto(buf, s)``, ``list.append(buf, v)``,
                self._bind_name(name, source, keep=True)  # ``map(buf.append, SEEN)`` (not ``log.append(g)``: keeps g)
        self._library_changes(call, callee, arguments)

    def _unbound_method(self, func: ast.Attribute) -> bool:
        """``func`` is a module's function or a class's method called with its object first (``np.copyto``,
        ``list.append``, ``dict.update``, ``Quad.__call__``), not a method of the object before the dot."""
        root = _root(func)
        return isinstance(func.value, ast.Name) and root not in self.bound and (
            root in self.state.module.imports or root in BUILTINS and root not in self.state.module.bindings
            or any(isinstance(value, ast.ClassDef) for value in self.state.module.bindings.get(root, ())))

    def _library_changes(self, call: ast.Call, callee: str, arguments: list[ast.AST]) -> None:
        """A library that may run code the top level handed it, and a helper that reads state, may change what they are
        handed, and the globals this function declared."""
        if self._library_call(callee):  # logging.info(msg, g): a handler the top level added may fill g
            for name in self._handed(arguments):  # (or a hook that names it: red team 41)
                self._bind_name(name, call, keep=True)
        if self._touching_call(call):  # a helper that reads state may also set the globals this function declared
            for name in self.declared:
                self._bind_name(name, call, keep=True)

    def _handed(self, nodes: Iterable[ast.AST]) -> set[str]:
        """The locals whose objects ``nodes`` (a call's arguments) hand on: a name, an item of a display, a bound method
        or attribute (``buf.append``, not called there), an item (``buf[0]``), or what a lambda or generator uses; not
        a value computed from one (``x.numel()``, ``x + 1``: a new object)."""
        found: set[str] = set()
        for node in nodes:
            if isinstance(node, ast.Name) and node.id in self.bound:
                found.add(node.id)
            elif isinstance(node, (ast.Tuple, ast.List, ast.Set, ast.Starred, ast.IfExp, ast.Dict, ast.NamedExpr,
                                   ast.keyword)):
                found |= self._handed([child for child in children(node) if isinstance(child, ast.expr)])
            elif isinstance(node, (ast.Attribute, ast.Subscript)) and _root(node) in self.bound:
                found.add(_root(node))
            elif isinstance(node, (ast.Lambda, ast.GeneratorExp, ast.ListComp, ast.SetComp, ast.DictComp)):
                found |= {part.id for part in walk(node) if isinstance(part, ast.Name) and part.id in self.bound}
        return found

    def _reads_only(self, call: ast.Call) -> bool:
        """``call`` changes none of what it is handed (but through ``out=``, or a method ending in ``_``, read apart):
        a builtin of :data:`READING_BUILTINS`, or a call of torch, numpy or ``math``."""
        if any(keyword.arg == "out" for keyword in call.keywords):
            return False
        name = call.func.id if isinstance(call.func, ast.Name) else ""
        if name in READING_BUILTINS and name not in self.state.module.bindings and name not in self.bound \
                and name not in self.state.module.imports:
            return True
        root = _root(call.func)
        return isinstance(call.func, ast.Attribute) and root not in self.bound and not call.func.attr.endswith("_") \
            and call.func.attr not in MUTATORS and any(
                target.split(".")[0] in PURE_LIBRARIES for target, _ in self.state.module.imports.get(root, []))

    def _library_call(self, callee: str, seen: frozenset[str] = frozenset()) -> bool:
        """``callee`` is an imported library other than :data:`PURE_LIBRARIES`, or a module-level object made from
        one (``LOG = logging.getLogger(…)``): it may run code the top level handed it (a logging handler, a warnings
        hook) on what it is given."""
        if callee in self.own or callee in seen:
            return False
        module = self.state.module
        if callee in module.bindings and not _definition(callee, module):  # LOG = logging.getLogger("grad")
            return any(isinstance(part, ast.Name) and self._library_call(part.id, seen | {callee})
                       for value in module.bindings[callee] for part in walk(value))
        return any(target.lstrip(".").split(".")[0] not in PURE_LIBRARIES for target, _ in module.imports.get(callee, []))

    def _bind_name(self, name: str, source: ast.AST | None, keep: bool = False) -> None:
        """``name`` now holds a value from ``source`` (None: a clean one); ``keep``: it may also still hold its old,
        and its object was changed: so was that of every name it may share it with (:meth:`_link`)."""
        if source is not None and keep:
            for member in self.groups.get(name, {name}):
                self.taint.setdefault(member, source)
        elif source is not None:
            self.taint[name] = source
        elif not keep:
            self.taint.pop(name, None)

    def bind(self, target: ast.AST, source: ast.AST | None) -> None:
        """An assignment's target: names take ``source``; ``a[i] = v`` or ``a.b = v`` may add it to ``a``."""
        if isinstance(target, ast.Name):
            self._bind_name(target.id, source)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for item in target.elts:
                self.bind(item, source)
        elif isinstance(target, ast.Starred):
            self.bind(target.value, source)
        elif isinstance(target, (ast.Subscript, ast.Attribute)):
            root = _root(target)
            if root:
                self._bind_name(root, source or self.expression(target), keep=True)

    def on_Return(self, node: ast.Return, control: ast.AST | None) -> None:
        source = self.expression(node.value) or control  # (what it returns names the source best: the exception e)
        if source is not None and self.found is None:
            self.found = source
        self.statement(ast.Expr(node.value), control) if node.value is not None else None

    def on_Assign(self, node: ast.Assign, control: ast.AST | None) -> None:
        source = control or self.expression(node.value)
        self._link([*node.targets, node.value])
        self.statement(ast.Expr(node.value), control)
        for target in node.targets:
            self.bind(target, source)

    def on_AnnAssign(self, node: ast.AnnAssign, control: ast.AST | None) -> None:
        if node.value is not None:
            self.on_Assign(ast.Assign(targets=[node.target], value=node.value), control)

    def on_AugAssign(self, node: ast.AugAssign, control: ast.AST | None) -> None:
        """``out += 6 * x``: ``out`` takes on what it held and what the value reads. A name of the function's own holds
        what it was last bound to (fairness 29: a local grown term by term is no module state); any other is read as
        the global it is."""
        target = node.target
        if isinstance(target, ast.Name) and target.id in self.own:
            held = self.taint.get(target.id)
        else:
            load = ast.copy_location(ast.Name(target.id, ast.Load()), target) if isinstance(target, ast.Name) \
                else target  # (a finding names its line: red team 45)
            held = self.expression(load)
        source = control or self.expression(node.value) or held
        self._link([node.target, node.value])
        self.statement(ast.Expr(node.value), control)
        self.bind(node.target, source)

    def on_If(self, node: ast.If | ast.While, control: ast.AST | None) -> None:
        inner = control or self.expression(node.test)
        self.branches([node.body, node.orelse], inner)

    def branches(self, bodies: list[list[ast.stmt]], control: ast.AST | None) -> None:
        """Run each body from the same taint; afterwards a name is tainted if any body (or none) left it so."""
        before, merged = dict(self.taint), dict(self.taint)
        for body in bodies:
            self.taint = dict(before)
            self.block(body, control)
            for name, source in self.taint.items():
                merged.setdefault(name, source)
        self.taint = merged

    def loop(self, body: list[ast.stmt], orelse: list[ast.stmt], control: ast.AST | None,
             target: ast.AST | None = None) -> None:
        """A loop's body, and its else; under a tainted condition, or with a tainted ``break``, everything the loop
        assigns is tainted after it (how many passes ran is data). An outermost loop runs again until nothing new is
        tainted (what one pass taints, the next reads), :data:`LOOP_PASSES` at most, then everything it assigns is
        tainted; a nested loop runs once per pass of the loop around it (nesting costs its size, not 2 ** depth)."""
        outer_escape, self.escaped = self.escaped, None
        outermost, self.depth = self.depth == 0, self.depth + 1
        for passes in range(LOOP_PASSES if outermost else 1):
            before = set(self.taint)
            if target is not None:
                self.bind(target, control)
            self.branches([body, []], control)
            if set(self.taint) == before:
                break
        else:
            if outermost:
                self.escaped = self.escaped or self.function  # never settled: everything it assigns counts
        self.depth -= 1
        self.branches([orelse, []], control)
        stopped = control or self.escaped
        if stopped is not None:
            for part in walk(ast.Module(body=[*body, *orelse], type_ignores=[])):
                if isinstance(part, ast.Name) and isinstance(part.ctx, ast.Store):
                    self._bind_name(part.id, stopped, keep=True)
            if target is not None:
                self.bind(target, stopped)
        self.escaped = outer_escape or self.escaped

    def on_While(self, node: ast.While, control: ast.AST | None) -> None:
        self.loop(node.body, node.orelse, control or self.expression(node.test))

    def on_For(self, node: ast.For | ast.AsyncFor, control: ast.AST | None) -> None:
        inner = control or self.expression(node.iter)
        self._link([node.target, node.iter])
        self.loop(node.body, node.orelse, inner, node.target)

    on_AsyncFor = on_For

    def on_Break(self, node: ast.stmt, control: ast.AST | None) -> None:
        if control is not None and self.escaped is None:
            self.escaped = control

    on_Continue = on_Break

    def on_With(self, node: ast.With | ast.AsyncWith, control: ast.AST | None) -> None:
        """A manager that may swallow an exception is a ``try`` (:func:`.rules.catches`): its body runs under whether
        it raised."""
        for item in node.items:
            source = control or self.expression(item.context_expr)
            self._link([item.optional_vars, item.context_expr])
            if item.optional_vars is not None:
                self.bind(item.optional_vars, source)
        swallows = catches(node, self.bound, self.state.module, self.imports)
        self.block(node.body, control or (self._raised(node) if swallows else None))

    on_AsyncWith = on_With

    @staticmethod
    def _raised(node: ast.stmt) -> ast.AST:
        """The source a caught exception is: whether (and where) the code under ``node`` raised, which state the top
        level set may decide (red team 45: ``str()`` refuses a number past the digits ``sys`` was told to allow)."""
        return ast.copy_location(ast.Name(f"whether line {node.lineno} raised", ast.Load()), node)

    def on_Try(self, node: ast.Try, control: ast.AST | None) -> None:
        """Where an exception jumps depends on what raised it: a body that reads a source runs under it, and so
        does every handler. The exception caught (``except E as e``) is a source itself: a hook the top level set
        may have raised it from inside any call, holding what it chose (red team 73: numpy's ``seterrcall``
        callback raised autograd's answers out of ``np.float64(1) / 0``). A handler that lets the code go on makes
        whether the body raised a source too: the body, the handlers and the ``else`` run under it (how far the body
        got, and which of them ran, is data); one that ends in ``raise`` ends the function as no ``try`` would."""
        inner = control or next(filter(None, (self.expression(statement) for statement in node.body)), None)
        raised = inner or (self._raised(node) if catches(node, self.bound, self.state.module, self.imports) else None)
        for handler in node.handlers:  # ``except E as e``: what the body raised may hold any of its objects
            if handler.name:
                self._link([ast.Name(handler.name, ast.Store()), *node.body])
        self.block(node.body, raised)
        for handler in node.handlers:
            if handler.name:
                self._bind_name(handler.name, ast.copy_location(ast.Name(f"the exception {handler.name}", ast.Load()),
                                                                handler))
        self.branches([handler.body for handler in node.handlers] + [node.orelse], raised)
        self.block(node.finalbody, control)

    on_TryStar = on_Try

    def on_Match(self, node: ast.Match, control: ast.AST | None) -> None:
        inner = control or self.expression(node.subject)
        self._link([node.subject, *node.cases])
        for case in node.cases:
            for part in walk(case.pattern):
                name = getattr(part, "name", None) or getattr(part, "rest", None)
                if name:
                    self._bind_name(name, inner)
        self.branches([case.body for case in node.cases], inner)

    def on_FunctionDef(self, node: ast.AST, control: ast.AST | None) -> None:
        """A nested function (or class) is as tainted as anything it reads; calling it brings that in, and it may
        change any object it names (:meth:`_link`)."""
        self._link([ast.Name(node.name, ast.Store()), node])
        self._bind_name(node.name, control or self.expression(node))

    on_AsyncFunctionDef = on_ClassDef = on_FunctionDef

    def on_Global(self, node: ast.stmt, control: ast.AST | None) -> None:
        pass

    on_Nonlocal = on_Pass = on_Import = on_ImportFrom = on_Global
