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
   call of a helper that reads any of them.

Both yes: the by-hand check fails, naming the line. A function that only writes such state (a debug log, a call
counter, the last result kept for printing) passes: what it returns does not come from it.
"""

from __future__ import annotations

import ast
import builtins
import collections
import functools
from dataclasses import dataclass
from functools import cached_property
from typing import Iterable, Iterator

from autograd_exercises.judge import methods, scopes, static
from autograd_exercises.judge import library
from autograd_exercises.judge.library import library_constant
from autograd_exercises.judge.methods import bound_in as bound_in_body, defaults
from autograd_exercises.judge.syntax import called, children, imported_name, walk

IMMUTABLE = (ast.Constant, ast.Tuple, ast.UnaryOp, ast.BinOp, ast.BoolOp, ast.Compare, ast.IfExp, ast.expr_context,
             ast.operator, ast.unaryop, ast.cmpop, ast.boolop)
DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
COMPOUND = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.Try, ast.With, ast.AsyncWith, ast.Match)
# Calls and attributes that read the world outside the function's arguments: files, the environment, clocks and
# random state (a top level can seed it with an answer).
WORLD = frozenset({
    "open", "load", "loads", "loadtxt", "genfromtxt", "fromfile", "from_file", "memmap", "read", "readline",
    "readlines", "read_text", "read_bytes", "environ", "argv", "stdin", "initial_seed", "seed", "getstate",
    "random", "rand", "randn", "randint", "randperm", "rand_like", "randn_like", "randint_like", "normal",
    "bernoulli", "multinomial", "poisson", "uniform", "choice", "choices", "shuffle", "sample", "urandom", "time",
    "perf_counter", "monotonic", "listdir", "scandir", "glob", "iterdir", "stat", "exists", "cwd", "input", "recv",
    "default_generator", "PRINT_OPTS",
    # where the file runs, which the top level can choose (``os.chdir``): red team 41
    "abspath", "realpath", "resolve", "absolute", "relpath", "expanduser", "expandvars", "isfile", "isdir", "islink",
    "lexists", "access", "readlink", "walk",
    # process settings a setter changes and a reader returns, random draws, other processes (red team 42)
    "umask", "nice", "seterr", "errstate", "parallel_info", "__config__", "readall", "readinto", "check_output",
    "Popen", "popen", "uniform_", "normal_", "random_", "bernoulli_", "exponential_", "geometric_", "cauchy_",
    "log_normal_", "dropout", "dropout_", "alpha_dropout", "feature_alpha_dropout", "dropout1d", "dropout2d",
    "dropout3d", "rrelu", "rrelu_"})
# Methods that change the object they are called on (and any torch method ending in "_", in place).
MUTATORS = frozenset({"append", "extend", "insert", "update", "setdefault", "add", "pop", "popitem", "remove",
                      "discard", "clear", "sort", "reverse", "put", "itemset", "fill", "resize", "setflags",
                      "write", "send", "copyto", "place", "putmask", "fill_diagonal", "setitem", "iadd",
                      # the standard library's and torch's functions that change what they are handed
                      "heappush", "heappop", "heapify", "heapreplace", "heappushpop", "insort", "insort_left",
                      "insort_right", "shuffle", "pack_into", "delitem", "iconcat", "vector_to_parameters",
                      "load_state_dict", "register_buffer", "register_parameter", "put_along_axis", "at",
                      # and more containers' and arrays' own (red team 36)
                      "extendleft", "appendleft", "popleft", "rotate", "intersection_update", "difference_update",
                      "symmetric_difference_update", "move_to_end", "subtract", "fromlist", "frombytes",
                      "fromunicode", "fromfile", "byteswap", "partition", "setfield", "backward", "retain_grad",
                      "register_hook", "register_post_accumulate_grad_hook", "record_stream"})
# Names by which code reaches or changes an object other than through its attribute names: a bound method's object,
# a namespace, an object's class, copying attributes over (``functools.update_wrapper``), calling ``__init__`` again.
OBJECT_DOORS = frozenset({"__self__", "__func__", "__dict__", "__class__", "__setattr__", "__getattribute__",
                          "__init__", "__new__", "__setstate__", "__reduce__", "__reduce_ex__", "__wrapped__",
                          "update_wrapper", "wraps", "getattr", "type", "object", "vars", "gc", "get_referrers",
                          "get_referents", "get_objects", "f_locals", "f_globals", "copyreg"})
# Methods that change how an object is made, or how its attributes are looked up or set: an object of a class with one
# of these is never "made afresh" (:meth:`Objects.fresh`).
FRESH_DENIED = frozenset({"__new__", "__init_subclass__", "__class_getitem__", "__getattr__", "__getattribute__",
                          "__setattr__", "__delattr__", "__get__", "__set__", "__delete__", "__set_name__", "__del__",
                          "__torch_function__", "__torch_dispatch__", "__array_function__", "__array_ufunc__",
                          "__reduce__", "__reduce_ex__", "__setstate__", "__copy__", "__deepcopy__"})
REWRITES = frozenset({"__defaults__", "__kwdefaults__", "__closure__", "cell_contents", "__code__", "set_printoptions",
                      "printoptions",
                      "__wrapped__", "__func__"})
DYNAMIC_NAMESPACE = frozenset({"globals", "vars", "setattr", "__dict__", "exec", "eval", "__builtins__", "modules",
                               "update_wrapper", "wraps"})  # (these copy any attribute onto a function: red team 40)
BUILTINS = frozenset(dir(builtins))
PURE_BUILTINS = frozenset({"list", "tuple", "float", "int", "complex", "bool", "str", "dict", "set", "frozenset",
                           "sorted", "reversed", "range", "len", "abs", "round", "sum", "min", "max", "zip", "enumerate"})
# Where a value ends up only read: a statement of its own, a comparison, arithmetic, a condition, an index, a text.
READ_ONLY = (ast.Expr, ast.Compare, ast.BinOp, ast.UnaryOp, ast.If, ast.While, ast.Assert, ast.FormattedValue,
             ast.JoinedStr, ast.Subscript, ast.Slice)
EAGER = frozenset({"list", "tuple", "set", "frozenset", "dict", "sum", "min", "max", "sorted", "any", "all"})  # consume
PURE_LIBRARIES = frozenset({"torch", "numpy", "math"})  # their calls change only what they say (``out=``, ``add_``)
# Calls that make an iterator: each ``next`` changes it (:func:`_stateful`).
ITERATORS = frozenset({"iter", "count", "cycle", "repeat", "islice", "chain", "zip", "map", "filter", "enumerate",
                       "reversed", "accumulate", "tee", "groupby", "starmap", "takewhile", "dropwhile", "zip_longest",
                       "pairwise", "batched", "compress", "product", "permutations", "combinations"})
# torch.nn's modules that hold no tensor autograd fills (:func:`_stateful`).
PARAMETER_FREE = frozenset({"Identity", "ReLU", "ReLU6", "Sigmoid", "Tanh", "Softplus", "GELU", "SiLU", "ELU", "SELU",
                            "CELU", "LeakyReLU", "Hardtanh", "Hardsigmoid", "Hardswish", "Mish", "Softsign",
                            "Tanhshrink", "LogSigmoid", "Softmax", "LogSoftmax", "Flatten", "Unflatten", "MSELoss",
                            "L1Loss", "SmoothL1Loss", "HuberLoss", "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss",
                            "NLLLoss"})
# Decorators that keep nothing from one call to the next (any other may: ``functools.lru_cache``).
PLAIN_DECORATORS = frozenset({"no_grad", "enable_grad", "inference_mode", "staticmethod", "classmethod", "property"})
# Decorators that keep what a function returned (a call of one then reads state: red team 42).
CACHING = frozenset({"cache", "lru_cache", "cached_property", "memoize", "memoized", "cached"})
# Names that reach an object without naming it, or run code on later events (:attr:`State.opaque`).
UNSEEN = frozenset({"exc_info", "exception", "last_value", "last_exc", "last_traceback", "ctypes", "_ctypes",
                    "py_object", "from_address", "settrace", "setprofile", "addaudithook", "excepthook",
                    "displayhook", "unraisablehook", "atexit", "finalize", "threading", "_thread", "signal",
                    "sys.monitoring", "monitoring", "register_trace", "tb_next", "__traceback__", "__context__",
                    "__cause__"})
# Builtins that change nothing they are handed and call nothing handed to them (``map``, ``sorted(key=…)``, ``min``
# and ``max`` may): a list's or a tensor's (an object made afresh is read apart: Flow.run).
READING_BUILTINS = frozenset({"print", "len", "isinstance", "issubclass", "repr", "format", "str", "float", "int",
                              "bool", "complex", "abs", "round", "hash", "callable", "ord", "chr", "bin", "hex", "oct",
                              "ascii", "range", "enumerate", "zip", "reversed", "divmod", "pow", "slice", "tuple",
                              "list", "set", "frozenset", "dict", "sum", "any", "all", "next", "iter"})
TOP_LEVEL = "the module's top level"
MAX_NODES = 4000  # a by-hand function's size past which its flow is not followed (it fails closed)
MAX_OBJECT_NODES = 30000  # a file's size past which its objects are not read one by one (a student's: a few thousand)
LOOP_PASSES = 4  # passes over an outermost loop before what it assigns counts as tainted anyway
CONTEXT = "which the module's top level can fill with autograd's answers: it runs autograd at"


def saved_answers(tree: ast.Module, module: static.Module, function: str, notebook: bool = False
                  ) -> list[static.Finding]:
    """A finding when the top level runs autograd and ``function``'s return value comes from state it can fill.
    (A module's ``if __name__ == "__main__":`` block does not run when it is graded; a notebook's does.)"""
    try:
        where = top_level_autograd(tree, module, notebook)
        if where is None:
            return []
        state = State(tree, module, function)
        for node in module.bindings.get(function, ()):
            if sum(1 for _ in zip(walk(node), range(MAX_NODES + 1))) > MAX_NODES:
                return [static.Finding(f"is too long to be read for saved answers (over {MAX_NODES} parts; a "
                                       "by-hand derivative takes a few lines)", getattr(node, "lineno", 1), function,
                                       static.DYNAMIC)]
            source = state.answer_source(node)
            if source is not None:
                return [static.Finding(f"computes its answer from {state.describe(source)}",
                                       getattr(source, "lineno", None) or getattr(node, "lineno", 1), function,
                                       context=(CONTEXT, where.lineno))]
    except RecursionError:  # code nested past what can be read: it cannot be told apart, so it fails closed
        line = min((getattr(node, "lineno", 1) for node in module.bindings.get(function, ())), default=1)
        return [static.Finding("is nested too deeply to be read", line, function, static.DYNAMIC)]
    return []


def top_level_autograd(tree: ast.Module, module: static.Module, notebook: bool = False) -> ast.AST | None:
    """The first top-level statement (or decorator, default) that differentiates, or looks names up dynamically,
    itself or in what it reaches: the code that runs when the module is imported or its cells are run. Whether any
    does is read as a by-hand function's reach is (:func:`static.read_reach`, all statements at once: a method of
    the file's plain class that nothing names cannot run); which one, over the names each reaches with every binding
    read whole, once (both linear in the file)."""
    roots = list(_top_level_roots(tree.body, notebook))
    if not any(_telling_finding(f) for f in static.read_reach(module, [], [(TOP_LEVEL, root) for root in roots])):
        return None  # (read as a by-hand function's reach is: a class's methods that nothing names cannot run)
    readers: dict[int, static.Reader] = {}

    def read(owner: str, node: ast.AST) -> static.Reader:
        if id(node) not in readers:
            readers[id(node)] = static.Reader(module, owner, node)
        return readers[id(node)]

    telling = {name for name, values in module.bindings.items() if any(_telling(read(name, v)) for v in values)}
    telling = _closure(telling, _reverse_edges(module, read))
    for root in roots:  # where: the first statement that reaches autograd, read more widely (every method)
        reader = static.Reader(module, TOP_LEVEL, root)
        if _telling(reader) or any(name in telling for name in reader.reached):
            return root
    return roots[0]


def _timed_names(code: ast.Module) -> set[str]:
    """The names a ``%timeit``'s code may change or hand on: all it names, but a function it only calls
    (``%timeit layer(x, w, b)`` changes nothing of ``layer``'s: fairness round 15)."""
    parents = {id(child): node for node in walk(code) for child in children(node)}
    return {node.id for node in walk(code) if isinstance(node, ast.Name) and not (
        isinstance(parent := parents.get(id(node)), ast.Call) and parent.func is node)}


def _telling(reader: static.Reader) -> bool:
    return any(_telling_finding(finding) for finding in reader.findings)


def _telling_finding(finding: static.Finding) -> bool:
    return finding.rank in (static.DIFFERENTIATES, static.DYNAMIC)


def _reverse_edges(module: static.Module, read=None) -> dict[str, set[str]]:
    """For each module-level name, the names whose bindings reach it (by :class:`static.Reader`, or ``read``)."""
    read = read or (lambda owner, node: static.Reader(module, owner, node))
    reached_by: dict[str, set[str]] = {}
    for name, values in module.bindings.items():
        for value in values:
            for other in read(name, value).reached:
                reached_by.setdefault(other, set()).add(name)
    return reached_by


def _closure(start: set[str], reached_by: dict[str, set[str]]) -> set[str]:
    """``start`` and every name that reaches one of them."""
    found, queue = set(start), list(start)
    while queue:
        for other in reached_by.get(queue.pop(), ()):
            if other not in found:
                found.add(other)
                queue.append(other)
    return found


def _top_level_roots(body: list[ast.stmt], notebook: bool = True) -> Iterator[ast.AST]:
    """What runs at import: simple statements, the heads of compound ones (``except`` types, ``case`` patterns and
    guards too; their bodies in turn), a ``def``'s
    decorators and defaults, a class's bases and its body's own top level. Never a function's body, nor, in a
    module (imported under its own name), an ``if __name__ == "__main__":`` block."""
    for statement in body:
        if not notebook and isinstance(statement, ast.If) and _main_guard(statement.test):
            yield from _top_level_roots(statement.orelse, notebook)
            continue
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            arguments = statement.args
            yield from [*statement.decorator_list, *arguments.defaults, *filter(None, arguments.kw_defaults)]
        elif isinstance(statement, ast.ClassDef):
            yield from [*statement.decorator_list, *statement.bases, *(k.value for k in statement.keywords)]
            yield from _top_level_roots(statement.body, notebook)
        elif isinstance(statement, COMPOUND):
            yield from (child for child in children(statement) if isinstance(child, ast.expr))
            yield from (child for child in children(statement) if isinstance(child, ast.withitem))
            yield from (handler.type for handler in getattr(statement, "handlers", ()) if handler.type is not None)
            for case in getattr(statement, "cases", ()):  # a pattern reads attributes, a guard runs
                yield from [case.pattern, *filter(None, [case.guard])]
            for inner in _bodies(statement):
                yield from _top_level_roots(inner, notebook)
        elif not isinstance(statement, (ast.Import, ast.ImportFrom)):
            yield statement
        for inner in static.timeit_trees(ast.Module(body=[statement], type_ignores=[])) \
                if isinstance(statement, ast.Expr) else ():
            yield from _top_level_roots(inner.body, notebook)  # %timeit's code, run at the top level too


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


@dataclass
class State:
    """What in a file can carry a value from its top level into a function: module-level data that is not a
    constant, attributes the file sets, and (:data:`WORLD`) the world."""

    tree: ast.Module
    module: static.Module
    function: str  # the by-hand function: what it changes itself (a cache of its own answers) is its own

    @cached_property
    def dynamic(self) -> bool:
        """The file reaches namespaces or attributes by computed names (``%timeit``'s own ``exec`` aside): no name
        is surely constant then, and any attribute of a module-level object may be set."""
        timeit = {id(part) for node in walk(self.tree) if isinstance(node, ast.Call) and static._timeit_code(node)
                  for part in walk(node)}
        return any((isinstance(node, ast.Name) and node.id in DYNAMIC_NAMESPACE
                    or isinstance(node, ast.Attribute) and node.attr in DYNAMIC_NAMESPACE) and id(node) not in timeit
                   for node in walk(self.tree))

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
        return any(isinstance(node, ast.Attribute) and node.attr in REWRITES or isinstance(node, ast.Name)
                   and node.id in REWRITES for node in walk(self.tree))

    @cached_property
    def constants(self) -> frozenset[str]:
        """Module-level names that hold the same value whatever the top level computes: every binding a literal
        (:meth:`_constant`), and nothing in the file changes or hands on the object of a mutable one
        (:meth:`changed`). A name built from others is one once they all are (each name settled once: a chain
        of thousands costs its length)."""
        if self.dynamic:
            return frozenset()
        everything = set(self.module.bindings)
        deps = {name: {part.id for value in values for part in walk(value) if isinstance(part, ast.Name)
                       and part.id in everything and part.id != name and not _definition(part.id, self.module)}
                for name, values in self.module.bindings.items() if name not in self.augmented
                and values and all(self._constant(name, value, everything) for value in values)}
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

    def _constant(self, name: str, value: ast.AST, known: set[str]) -> bool:
        """One binding of ``name`` gives it the same value every run: an immutable literal; a mutable one (a list, a
        ``torch.tensor([...])``) nothing changes; or a ``for`` loop's item over a literal of the file's definitions
        (whose code is read), or of such constants where the loop cannot leave early (a ``break`` after comparing
        with autograd's answer would choose the number)."""
        loop = self.module.parents.get(value)
        if isinstance(loop, (ast.For, ast.AsyncFor)) and loop.iter is value:
            literal = isinstance(value, (ast.List, ast.Tuple, ast.Set))
            items = value.elts if literal else [value]
            return all(isinstance(item, ast.Name) and _definition(item.id, self.module) for item in items) or \
                literal and not self._leaves_early(loop) and all(self._immutable(item, known) for item in items)
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
        for part in walk(node):
            if isinstance(part, ast.Call) and id(part.func) in made or isinstance(part, ast.keyword) and made:
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
                                               and not self._made_of_literals(part)
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
        (``SCALE.append(2)`` outside any loop or branch)."""
        parents, quiet = self.module.parents, self._quiet_nodes
        changed = set(self.augmented) | {name for inner in self.module.timeit for name in _timed_names(inner)
                                         if name in self.module.bindings}
        for node in walk(self.tree):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in self.module.bindings \
                    and node.id not in changed and id(node) not in quiet \
                    and _handed_on(node, parents, self.module, self.objects.method) \
                    and not self._literal_added_once(node):
                changed.add(node.id)
        return frozenset(changed)

    @cached_property
    def augmented(self) -> frozenset[str]:
        """Names that code rebinds with ``+=`` and the like (a number counted up to autograd's answer): never
        constants."""
        return frozenset(node.target.id for node in walk(self.tree) if isinstance(node, ast.AugAssign)
                         and isinstance(node.target, ast.Name) and id(node) not in self._quiet_nodes)

    @cached_property
    def _quiet_nodes(self) -> set[int]:
        """The nodes of the by-hand function's own ``def``s (unless code outside it :attr:`fed` it), and of top-level
        ``def``s whose name nothing reads (they never run, in a file without computed lookups)."""
        read = {node.id for node in walk(self.tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}
        quiet = [value for name, values in self.module.bindings.items() for value in values
                 if isinstance(value, (ast.FunctionDef, ast.AsyncFunctionDef))
                 and (name == self.function and not self.fed or name not in read and not self.dynamic)]
        return {id(node) for value in quiet for node in walk(value)}

    def _literal_added_once(self, node: ast.Name) -> bool:
        """``N.append(2)`` or ``N[k] = 2``, a top-level statement of its own: it runs once, adding a constant."""
        statement = node
        while not isinstance(statement, ast.stmt):
            statement = self.module.parents.get(statement)
        if not isinstance(self.module.parents.get(statement), ast.Module):
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
            return node is not None and self._library_value(node) and not self._library_constant(node)
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
        """The module-level names whose bindings read state themselves (:meth:`_reads_here`)."""
        return frozenset(name for name, values in self.module.bindings.items()
                         if any(self._reads_here(value) for value in values))

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
        for node in walk(root):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and id(node) not in local \
                    and node.id not in self.module.scopes.get(id(root), frozenset()):
                if self.unsafe_name(node.id, node) and not _only_added_to(node, self.module.parents):
                    return True
            elif me and isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == me \
                    and id(node.value) in local and node.attr in self.objects.instance_attributes:
                continue  # ``self.input``, stored by the object's own methods
            elif self.world_or_attribute(node, own):
                return True
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
                self._library_chain(node) and self._library_value(node) and not self._library_constant(node)
        if isinstance(node, ast.JoinedStr):
            return self.rewrites  # a tensor's text, under print options the file set
        if isinstance(node, ast.Call):
            name = _called_name(node)
            if self.rewrites and name in ("str", "repr", "format", "__str__", "__repr__", "__format__", "array2string",
                                          "array_str", "array_repr", "format_float_positional",
                                          "format_float_scientific"):
                return True
            if self._random(node.func):
                return True  # Python's, numpy's or torch's random state (``random.randbytes``: red team 38)
            if isinstance(node.func, ast.Name) and name in self.module.imports:  # (``from logging import getLogger``,
                return _reads_world(name) or any(  # ``from os import getcwd as here``)
                    _reads_world(target.rsplit(".", 1)[-1]) for target, _ in self.module.imports[name])
            return name in WORLD or name.startswith("get") and isinstance(node.func, ast.Attribute) \
                and _root(node.func.value) in self.module.imports
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
        """``method`` uses its object (``first``) only through its attributes; read once per method (a chain of
        subclasses holds each base's methods again)."""
        key = (id(method), first)
        if key not in self._kept_by:
            self._kept_by[key] = not any(
                isinstance(node, ast.Name) and node.id == first and not (
                    isinstance(parent := self.module.parents.get(node), ast.Attribute) and parent.value is node)
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


def _stateful(call: ast.Call, imports: dict[str, list[tuple[str, int]]], parents: dict[ast.AST, ast.AST]) -> bool:
    """A library's call whose object changes while it is used, however it was made: one whose tensors autograd fills
    (``torch.nn.Linear(1, 1)``, ``nn.Parameter``, ``requires_grad=True``: each ``.backward()`` adds to their
    ``.grad``; not ``nn.Identity()``, which holds none), or an iterator kept (``itertools.count()``, ``iter([…])``:
    each ``next`` moves it; not one a call or a loop consumes at once, ``tuple(enumerate(c))``): red team 42."""
    name, parent = _called_name(call), parents.get(call)
    if name in ITERATORS and (isinstance(parent, ast.Call) and call in parent.args
                              or isinstance(parent, ast.comprehension) and parent.iter is call):
        return False
    if name in CACHING or isinstance(call.func, ast.Call) and _called_name(call.func) in CACHING:
        return True  # (``box = functools.cache(make)``, ``lru_cache(maxsize=None)(lambda n: [])``: red team 44)
    chain, node = [], call.func
    while isinstance(node, ast.Attribute):
        chain.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        chain += [part for target, _ in imports.get(node.id, []) for part in target.split(".")] or [node.id]
    return "nn" in chain and name not in PARAMETER_FREE or "itertools" in chain \
        or name in ("partial", "partialmethod", "methodcaller") and _holds_objects(call) \
        or bool({"Parameter", "requires_grad_"} & set(chain)) \
        or any(keyword.arg == "requires_grad" for keyword in call.keywords) or name in ITERATORS


def _decorator_name(decorator: ast.AST, imports: dict[str, list[tuple[str, int]]] | None = None) -> str:
    """``lru_cache`` for ``@functools.lru_cache(maxsize=None)``, and for ``@keep`` after ``from functools import
    lru_cache as keep`` (red team 44)."""
    decorator = decorator.func if isinstance(decorator, ast.Call) else decorator
    name = decorator.attr if isinstance(decorator, ast.Attribute) else getattr(decorator, "id", "")
    targets = (imports or {}).get(name, []) if isinstance(decorator, ast.Name) else []
    return next((target.rsplit(".", 1)[-1] for target, _ in targets), name)


def _holds_objects(call: ast.Call) -> bool:
    """``partial(dict.setdefault, {})`` keeps the dict it was handed; ``partial(f, dims=lambda x: …)`` keeps none."""
    for argument in [*call.args, *(keyword.value for keyword in call.keywords)]:
        lambdas = frozenset(id(node) for node in walk(argument) if isinstance(node, ast.Lambda))
        if not isinstance(argument, ast.Lambda) and any(isinstance(part, (
                ast.List, ast.Dict, ast.Set, ast.ListComp, ast.DictComp, ast.SetComp, ast.Call, ast.GeneratorExp))
                for part in walk(argument, lambdas)):
            return True
    return False


def _bound_method(node: ast.Attribute, parents: dict[ast.AST, ast.AST]) -> bool:
    """``{}.setdefault``, ``[[]].__getitem__``, ``dict().get``, named and not called: a method that keeps the object
    it was taken from, which each call hands back (red team 43)."""
    return not isinstance(node.value, (ast.Name, ast.Attribute)) and not called(node, parents)


def _reads_world(name: str) -> bool:
    """A library function of that name reads the world: :data:`WORLD`, or a ``get…``."""
    return name in WORLD or name.startswith("get")


def _world_reference(node: ast.AST, imports: dict[str, list[tuple[str, int]]], parents: dict[ast.AST, ast.AST]) -> bool:
    """``sys.getrecursionlimit`` named, not called: a reader of the world under another name (``LIM = …``)."""
    return isinstance(node, ast.Attribute) and _root(node) in imports and _reads_world(node.attr) \
        and not called(node, parents)


def _enclosing(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> ast.AST | None:
    """The function, lambda or class whose code ``node`` is in (None at the module's top level)."""
    node = parents.get(node)
    while node is not None and not isinstance(node, (*FUNCTIONS, ast.ClassDef)):
        node = parents.get(node)
    return node


def _by_key(tree: ast.AST, kind: type, key: str) -> dict[str, list[ast.AST]]:
    """The nodes of ``kind`` in ``tree``, by their field ``key``."""
    found: dict[str, list[ast.AST]] = collections.defaultdict(list)
    for node in walk(tree):
        if isinstance(node, kind):
            found[getattr(node, key)].append(node)
    return found


def _attribute_stores(statement: ast.stmt, me: str) -> list[tuple[ast.Attribute, ast.AST]]:
    """``self.c = v`` as ``[(self.c, v)]``; ``self.a, self.b = v, w`` as ``[(self.a, v), (self.b, w)]``."""
    if not (isinstance(statement, ast.Assign) and len(statement.targets) == 1):
        return []
    target, value = statement.targets[0], statement.value
    pairs = list(zip(target.elts, value.elts)) if isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple) \
        and len(target.elts) == len(value.elts) else [(target, value)]
    return [(t, v) for t, v in pairs if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name)
            and t.value.id == me]


def _unpacked(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    """``a, b, c = node``: only its items are kept."""
    statement = parents.get(node)
    return isinstance(statement, ast.Assign) and statement.value is node and all(
        isinstance(target, (ast.Tuple, ast.List)) and all(
            isinstance(item.value if isinstance(item, ast.Starred) else item, ast.Name) for item in target.elts)
        for target in statement.targets)


def _stored_value(target: ast.Attribute, parents: dict[ast.AST, ast.AST]) -> ast.AST | None:
    """The value :func:`_attribute_stores` paired with ``target``."""
    statement = parents.get(target)
    if isinstance(statement, ast.Tuple):
        assign = parents.get(statement)
        return assign.value.elts[statement.elts.index(target)] if isinstance(assign, ast.Assign) else None
    return statement.value if isinstance(statement, ast.Assign) else None


def _called_name(call: ast.Call) -> str:
    return call.func.id if isinstance(call.func, ast.Name) else getattr(call.func, "attr", "")


def _root(node: ast.AST) -> str:
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else ""


def _handed_on(node: ast.Name, parents: dict[ast.AST, ast.AST], module: static.Module,
               method=lambda node: None) -> bool:
    """Whether a use of a module-level name may change its object: climbing the chain it heads (``N.a``, ``N[i]``,
    ``N.m(...)``, ``f(N)``), a store into it, a changing method, ``out=``, the file's own function, or the chain's
    value kept anywhere but in arithmetic (an alias that could be changed later). The file's own function or class
    holds data only in its attributes: for it, only a store or a changing method through them counts. So does a
    method of the file's plain class (``method``: :meth:`Objects.method`), read through it or its object: called,
    or kept, it is one of the file's functions (its object is reached only by names :data:`OBJECT_DOORS` holds)."""
    child, parent = node, parents.get(node)
    if isinstance(parent, ast.Subscript) and parent.value is node and isinstance(parent.ctx, ast.Load) \
            and _flat_display(node.id, module):
        return False  # ``SETTINGS["reduction"]``: a string or number, whatever takes it
    if method(parent) is not None:
        child, parent = parent, parents.get(parent)
    elif not _definition(node.id, module):
        pass
    elif not (isinstance(parent, (ast.Attribute, ast.Subscript)) and parent.value is node):
        return False
    if child is not node and not (isinstance(parent, (ast.Attribute, ast.Subscript)) and parent.value is child):
        return False
    if isinstance(parent, ast.Call) and parent.func is child:
        return False  # calling the object itself (a layer, ``torch.nn.Sigmoid()``) makes a new value
    return _chain_kept(child, parents, module)


def _returns_closures(function: ast.FunctionDef) -> bool:
    """Every ``return`` of ``function`` (a plain function, no generator) hands back a ``def`` it made or a lambda."""
    own = {node.name for node in function.body if isinstance(node, ast.FunctionDef) and not node.decorator_list}
    nested = {id(part) for node in walk(function) if node is not function and isinstance(node, (*FUNCTIONS, ast.ClassDef))
              for part in walk(node) if part is not node}
    returns = [node for node in walk(function) if isinstance(node, ast.Return) and id(node) not in nested]
    return bool(returns) and not any(isinstance(node, (ast.Yield, ast.YieldFrom)) and id(node) not in nested
                                     for node in walk(function)) and all(
        isinstance(node.value, ast.Lambda) or isinstance(node.value, ast.Name) and node.value.id in own
        for node in returns)


def _filled_in_place(node: ast.Name, parents: dict[ast.AST, ast.AST]) -> bool:
    """``node`` is the object a method is called on (``box.append(v)``) or stored into (``box[k] = v``)."""
    parent = parents.get(node)
    if isinstance(parent, ast.Subscript) and parent.value is node:
        return not isinstance(parent.ctx, ast.Load)
    return isinstance(parent, ast.Attribute) and parent.value is node and isinstance(parents.get(parent), ast.Call) \
        and parents[parent].func is parent


def _plain_constant(node: ast.AST) -> bool:
    """Numbers, strings, tuples and arithmetic of them, and nothing else (no name: ``grads: list = SEEN``)."""
    return all(isinstance(part, (ast.Constant, ast.Tuple, ast.UnaryOp, ast.BinOp, ast.operator, ast.unaryop,
                                 ast.expr_context)) for part in walk(node))


def _flat_display(name: str, module: static.Module) -> bool:
    """``name`` is bound once, to a list, tuple, set or dict display of numbers and strings."""
    values = module.bindings.get(name, [])
    value = values[0] if len(values) == 1 else None
    items = [*value.keys, *value.values] if isinstance(value, ast.Dict) else getattr(value, "elts", None)
    return isinstance(value, (ast.List, ast.Tuple, ast.Set, ast.Dict)) and None not in items and all(
        isinstance(item, ast.Constant) for item in items)


def _chain_kept(child: ast.AST, parents: dict[ast.AST, ast.AST], module: static.Module, depth: int = 0) -> bool:
    """Whether the chain ``child`` heads (``N.a[i].m(…)``) stores into it, calls a changing method or the file's own
    code with it (unless that code only reads it: :func:`_only_read_by`), or keeps its value anywhere but in
    arithmetic."""
    parent = parents.get(child)
    while True:
        if isinstance(parent, (ast.Attribute, ast.Subscript)) and parent.value is child:
            if not isinstance(parent.ctx, ast.Load):
                return True
            called = isinstance(parents.get(parent), ast.Call) and parents[parent].func is parent
            if isinstance(parent, ast.Attribute) and not called and (parent.attr in MUTATORS
                                                                     or parent.attr.endswith("_")):
                return True  # a changing method handed on (``map(SEEN.append, …)``: red team 38)
        elif isinstance(parent, (ast.BoolOp, ast.IfExp)):
            if isinstance(parent, ast.IfExp) and parent.test is child:
                return False  # a condition only read
            # (``(SEEN or SEEN).append(g)``: the value may be the chain itself, red team 38)
        elif isinstance(parent, ast.Call) and parent.func is not child and not isinstance(
                parent.func, (ast.Name, ast.Attribute)):
            return True  # handed to code computed at run time (``methodcaller("append", g)(SEEN)``)
        elif isinstance(parent, ast.Call):
            name = _called_name(parent)
            if parent.func is child and isinstance(child, (ast.Subscript, ast.Name)):
                return False  # calling an item or a name for one (``LAYERS[0](x)``, ``d(x)`` in ``for _, d in
                # TABLE``): its code is read where it is written
            if parent.func is child and (name in MUTATORS or name.endswith("_") or name not in pure_methods()
                                         or isinstance(parents.get(parent), ast.Expr)):
                return True  # (a method not known to leave its object alone; one called for what it does)
            if parent.func is not child and _numpy_output(parent, child, module):
                return True  # ``np.subtract(a, b, W)``: numpy's output, passed by position
            if parent.func is not child and _only_read_by(parent, child, parents, module, depth):
                return False  # ``horner(COEFFS, x)``, whose answer is a new value
            if any(keyword.arg == "out" for keyword in parent.keywords) or parent.func is not child and (
                    _root(parent.func) in module.bindings or name in MUTATORS or name.endswith("_")):
                return True  # (``torch.nn.init.constant_(W, …)``)
        elif isinstance(parent, ast.Starred):
            pass
        else:
            if isinstance(parent, (ast.For, ast.AsyncFor, ast.comprehension)) and parent.iter is child:
                return not _items_only_read(parent, parents, module, depth)  # (``for row in TABLE: row.append``)
            if isinstance(parent, ast.comprehension) and any(child is test for test in parent.ifs):
                return False  # a comprehension's condition, only read
            if isinstance(parent, ast.Assign) and parent.value is child and _local_alias(parent, parents, module, depth):
                return False  # ``c = self.c`` in a function that only reads ``c``
            return not isinstance(parent, READ_ONLY)  # anything else may keep it: a default, a ``match`` subject, a
            # comprehension's element, an exception's argument (red team 40), an assignment, a container...
        child, parent = parent, parents.get(parent)


@functools.lru_cache(maxsize=1)
def pure_methods() -> frozenset[str]:
    """Methods that leave their object alone: the public ones of tensors, arrays, and Python's lists, dicts, sets,
    strings and tuples, less :data:`MUTATORS` and those that end in ``_`` (in place)."""
    import numpy
    import torch

    names = set().union(*(dir(kind) for kind in (torch.Tensor, numpy.ndarray, list, dict, set, frozenset, str, tuple)))
    return frozenset(name for name in names if not name.startswith("_") and not name.endswith("_")) - MUTATORS


def _numpy_output(call: ast.Call, child: ast.AST, module: static.Module) -> bool:
    """``child`` is passed by position as a numpy function's ``out`` (``np.subtract(a, b, W)``, ``np.dot(a, b, W)``
    write into ``W``): past a ufunc's inputs, at its ``out`` parameter's place, or past the second where numpy's
    signature cannot be read."""
    if child not in call.args:
        return False
    dotted = imported_name(call.func, module.imports).split(".")
    if dotted[0] != "numpy":
        return False
    import inspect

    import numpy

    value, index = numpy, call.args.index(child)
    for part in dotted[1:]:
        value = getattr(value, part, None)
    if isinstance(value, numpy.ufunc):
        return index >= value.nin
    try:
        parameters = list(inspect.signature(value).parameters.values())
    except (TypeError, ValueError):
        return index >= 2
    for place, parameter in enumerate(parameters):
        if parameter.kind not in (parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD):
            return False
        if parameter.name == "out":
            return index == place
    return False


def _only_read_by(call: ast.Call, child: ast.AST, parents: dict[ast.AST, ast.AST], module: static.Module,
                  depth: int) -> bool:
    """``call`` runs one of the file's ``def``s (undecorated; or a plain ``@staticmethod`` or method of the class
    around it, called as ``Cls.m`` or ``self.m``) whose parameter ``child`` is passed to is never rebound, changed
    or kept (:func:`_chain_kept`, three calls deep at most): its answer holds nothing of ``child``."""
    found = _callee(call, parents, module) if depth < 3 else None
    if found is None:
        return False
    function, skip = found
    if not _small(function):
        return False
    positional = [*function.args.posonlyargs, *function.args.args][skip:]
    if any(isinstance(arg, ast.Starred) for arg in call.args) or any(k.arg is None for k in call.keywords):
        return False
    if child in call.args:
        index = call.args.index(child)
        name = positional[index].arg if index < len(positional) else None
    else:
        keyword = next((k for k in call.keywords if k.value is child), None)
        names = {arg.arg for arg in [*positional, *function.args.kwonlyargs]}
        name = keyword.arg if keyword is not None and keyword.arg in names else None
    if name is None or name in methods.bound_in(function.body):
        return False
    return not any(isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Load)
                   and _chain_kept(node, parents, module, depth + 1) for node in walk(function))


def _items_only_read(loop: ast.For | ast.AsyncFor | ast.comprehension, parents: dict[ast.AST, ast.AST],
                     module: static.Module, depth: int) -> bool:
    """The names ``loop`` binds to the items it iterates are never changed or kept where it reads them (its body,
    or the comprehension around it): ``for c in COEFFS: total += c``, not ``for row in TABLE: row.append(g)``."""
    targets = [node for node in walk(loop.target) if isinstance(node, ast.Name)]
    if depth >= 3 or not all(isinstance(node, (ast.Name, ast.Tuple, ast.List, ast.Starred, ast.expr_context))
                             for node in walk(loop.target)):
        return False
    scope = parents.get(loop) if isinstance(loop, ast.comprehension) else loop
    if not _small(scope):
        return False
    names = {node.id for node in targets}
    return not any(isinstance(node, ast.Name) and node.id in names and isinstance(node.ctx, ast.Load)
                   and _chain_kept(node, parents, module, depth + 1) for node in walk(scope))


def _local_alias(assign: ast.Assign, parents: dict[ast.AST, ast.AST], module: static.Module, depth: int) -> bool:
    """``assign`` binds names of a function's own (``c = self.c``; ``a, b = COEF``, views of a tensor), each once,
    which the function never changes or keeps (:func:`_chain_kept`, three aliases deep at most)."""
    target = assign.targets[0] if len(assign.targets) == 1 else None
    items = target.elts if isinstance(target, (ast.Tuple, ast.List)) else [target]
    names = [item.value if isinstance(item, ast.Starred) else item for item in items]
    if depth >= 3 or not names or not all(isinstance(name, ast.Name) for name in names):
        return False
    function = parents.get(assign)
    while function is not None and not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
        function = parents.get(function)
    if function is None or not _small(function):
        return False  # (a function past MAX_NODES parts is not followed: a hostile file's would cost its square)
    own = scopes.scopes(function).own(function)
    ids = {name.id for name in names}
    if not ids <= own or len(ids) != len(names) or any(sum(
            isinstance(node, ast.Name) and node.id == name and not isinstance(node.ctx, ast.Load)
            for node in walk(function)) != 1 for name in ids):
        return False
    return not any(isinstance(node, ast.Name) and node.id in ids and isinstance(node.ctx, ast.Load)
                   and _chain_kept(node, parents, module, depth + 1) for node in walk(function))


def _callee(call: ast.Call, parents: dict[ast.AST, ast.AST], module: static.Module
            ) -> tuple[ast.FunctionDef, int] | None:
    """The ``def`` ``call`` runs and how many of its parameters come before the arguments, or None."""
    func = call.func
    if isinstance(func, ast.Name):
        values = module.bindings.get(func.id, [])
        if len(values) == 1 and isinstance(values[0], ast.FunctionDef) and not values[0].decorator_list:
            return values[0], 0
        return None
    if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)):
        return None
    cls, through_object = _class_of(func.value, parents, module)
    method = next((item for item in cls.body if isinstance(item, ast.FunctionDef) and item.name == func.attr), None) \
        if cls is not None and not cls.bases and not cls.keywords else None
    defined, stored = _class_index(module)
    if method is None or func.attr in stored or through_object and defined[func.attr] > 1:
        return None  # (stored over; or another class's ``keep``, a subclass's, may be the one called: red team 38)
    static_method = [ast.unparse(d) for d in method.decorator_list] == ["staticmethod"]
    if static_method:
        return method, 0
    return (method, 1) if not method.decorator_list and through_object else None  # (its object fills ``self``)


def _small(node: ast.AST) -> bool:
    """``node`` has at most :data:`MAX_NODES` parts (counting stops there)."""
    return sum(1 for _ in zip(walk(node), range(MAX_NODES + 1))) <= MAX_NODES


def _class_index(module: static.Module) -> tuple[collections.Counter, frozenset[str]]:
    """How many of the file's classes define each method name, and the attribute names the file stores: read once
    per file (kept on ``module``)."""
    index = module.__dict__.get("_saved_class_index")
    if index is None:
        defined = collections.Counter(item.name for node in walk(module.tree) if isinstance(node, ast.ClassDef)
                                      for item in node.body if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)))
        stored = frozenset(node.attr for node in walk(module.tree) if isinstance(node, ast.Attribute)
                           and not isinstance(node.ctx, ast.Load))
        index = module.__dict__["_saved_class_index"] = (defined, stored)
    return index


def _class_of(name: ast.Name, parents: dict[ast.AST, ast.AST], module: static.Module) -> tuple[ast.ClassDef | None, bool]:
    """The class ``name`` is (``Poly``, bound once to it: False) or whose object it is (a method's first parameter,
    ``self``, never rebound: True)."""
    values = module.bindings.get(name.id, [])
    if len(values) == 1 and isinstance(values[0], ast.ClassDef):
        return values[0], False
    function = parents.get(name)
    while function is not None and not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        function = parents.get(function)
    cls = parents.get(function) if isinstance(function, ast.FunctionDef) else None
    arguments = [*function.args.posonlyargs, *function.args.args] if isinstance(cls, ast.ClassDef) else []
    if arguments and arguments[0].arg == name.id and not function.decorator_list \
            and name.id not in methods.bound_in(function.body):
        return cls, True
    return None, False


def _changed_through(node: ast.Attribute, parents: dict[ast.AST, ast.AST]) -> bool:
    """``node`` (``sys.path``) heads a chain that stores into it or calls a changing method on it."""
    child, parent = node, parents.get(node)
    while isinstance(parent, (ast.Attribute, ast.Subscript)) and parent.value is child:
        if not isinstance(parent.ctx, ast.Load):
            return True
        child, parent = parent, parents.get(parent)
    return isinstance(parent, ast.Call) and parent.func is child and isinstance(child, ast.Attribute) \
        and child is not node and (child.attr in MUTATORS or child.attr.endswith("_"))


def _definition(name: str, module: static.Module) -> bool:
    """``name`` is bound to the file's functions and classes only."""
    values = module.bindings.get(name, ())
    return bool(values) and all(isinstance(value, DEFINITIONS) for value in values)


def _only_added_to(node: ast.Name, parents: dict[ast.AST, ast.AST]) -> bool:
    """``node`` is only written through: ``LOG.append(v)`` as a statement, ``CACHE[k] = v``, ``STATE.n = v``."""
    parent = parents.get(node)
    if isinstance(parent, (ast.Subscript, ast.Attribute)) and parent.value is node:
        if not isinstance(parent.ctx, ast.Load):
            return True
        call = parents.get(parent)
        return isinstance(parent, ast.Attribute) and isinstance(call, ast.Call) and call.func is parent \
            and parent.attr in MUTATORS and isinstance(parents.get(call), ast.Expr)
    return False


def _bound_inside(root: ast.AST) -> set[str]:
    """Every name a function (or lambda, comprehension) binds inside itself, nested scopes included, less the
    ones it declares ``global``: reading them reads no module state."""
    bound, declared = set(), set()
    for node in walk(root):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            bound.add(node.id)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node is not root:
            bound.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound |= {name for name, _ in static.imported(node)}
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
        elif isinstance(node, ast.Global):
            declared |= set(node.names)
    return bound - declared


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
        for node in walk(function):  # ``(q := Quad())``, ``[b.append(s) for b in [buf]]``, wherever they are
            if isinstance(node, (ast.NamedExpr, ast.comprehension)):
                self._link([node.target, getattr(node, "value", None) or getattr(node, "iter", None)])
        self.found: ast.AST | None = None
        self.escaped: ast.AST | None = None  # a break, continue or return under a tainted condition, in this loop
        self.depth = 0  # loops around the statement being read
        fed = state.fed or not any(function is value for value in state.module.bindings.get(state.function, ()))
        kept = state.kept_defaults(function) if fed else {}  # def manual(x, store=None, memo={}), fed from outside
        for arg, default in methods.defaults(function):  # def manual(x, saved=SEEN); a default the file may rewrite
            self._bind_name(arg.arg, self.expression(default) or (default if state.rewrites else None)
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
                if id(part) not in self.local and part.id not in self.declared and (
                        self.state.unsafe_name(part.id, part)
                        or part.id in self.state.module.bindings and self.state.touches_afresh(part.id)):
                    return part  # (a helper that reads state, called or handed on: ``map(helper, …)``; a constant
                    # whose methods may: ``CUBIC.slope(x)``, red team 38)
            elif (owner := self.state.objects.owner(part, self._local_receiver(part), self.selves)) is not None:
                if self.state.objects.method_touches(owner, part.attr):  # ``Poly.value(x)`` may bring state in
                    return part
                methods.add(id(part.value))
            elif self.state.world_or_attribute(part, self.own) or \
                    isinstance(part, ast.Call) and self._touching_call(part):
                return part
        return None

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
        for statement in body:
            self.statement(statement, control)

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
        source = control or self.expression(node.value)
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
        load = ast.copy_location(ast.Name(node.target.id, ast.Load()), node.target) \
            if isinstance(node.target, ast.Name) else node.target  # (a finding names its line: red team 45)
        source = control or self.expression(node.value) or self.expression(load)
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
        for item in node.items:
            source = control or self.expression(item.context_expr)
            self._link([item.optional_vars, item.context_expr])
            if item.optional_vars is not None:
                self.bind(item.optional_vars, source)
        self.block(node.body, control)

    on_AsyncWith = on_With

    def on_Try(self, node: ast.Try, control: ast.AST | None) -> None:
        """Where an exception jumps depends on what raised it: a body that reads a source runs under it, and so
        does every handler."""
        inner = control or next(filter(None, (self.expression(statement) for statement in node.body)), None)
        for handler in node.handlers:  # ``except E as e``: what the body raised may hold any of its objects
            if handler.name:
                self._link([ast.Name(handler.name, ast.Store()), *node.body])
        self.block(node.body, inner)
        self.branches([handler.body for handler in node.handlers] + [node.orelse], inner)
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
