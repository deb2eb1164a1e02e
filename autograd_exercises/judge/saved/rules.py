"""The by-hand reading's syntax rules (:mod:`autograd_exercises.judge.saved`): the names that read the world,
change an object or open a door to one, the limits of the reading, and the small predicates on a file's nodes that
:class:`~.state.State`, :class:`~.objects.Objects` and :class:`~.flow.Flow` share. Nothing here holds state of
its own."""

from __future__ import annotations

import ast
import builtins
import collections
import functools
from typing import Iterator

from autograd_exercises.judge import methods, scopes, static
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
    # which names the module holds (``"bit" in globals()``, where the top level bound ``bit`` or not: fairness 39's
    # membership tests count as no computed name, so each such read is one of the world)
    "globals", "vars", "locals",
    # where the file runs, which the top level can choose (``os.chdir``): red team 41
    "abspath", "realpath", "resolve", "absolute", "relpath", "expanduser", "expandvars", "isfile", "isdir", "islink",
    "lexists", "access", "readlink", "walk",
    # process settings a setter changes and a reader returns, random draws, other processes (red team 42)
    "umask", "nice", "seterr", "errstate", "parallel_info", "__config__", "readall", "readinto", "check_output",
    "Popen", "popen", "uniform_", "normal_", "random_", "bernoulli_", "exponential_", "geometric_", "cauchy_",
    "log_normal_", "dropout", "dropout_", "alpha_dropout", "feature_alpha_dropout", "dropout1d", "dropout2d",
    "dropout3d", "rrelu", "rrelu_",
    # a cache's counts, which every call of its function moves (``dill_available.cache_info().hits``: red team 141)
    "cache_info",
    # a codec's answer, from the registry the file can fill (``codecs.register``: red team 70)
    "decode", "encode",
    # memory as the allocator hands it back, uninitialised: what the top level freed there (red team 106; numpy's
    # own constructors given a shape, and ``__new__``, which skips what a class does to fill it: red team 170)
    "empty", "empty_like", "new_empty", "empty_strided", "new_empty_strided", "resize_", "resize_as_", "set_",
    "ndarray", "recarray", "chararray", "__new__", "new", "nditer", "masked_all", "masked_all_like",
    "UntypedStorage", "TypedStorage", "FloatStorage", "DoubleStorage", "HalfStorage", "BFloat16Storage",
    "LongStorage", "IntStorage", "ShortStorage", "CharStorage", "ByteStorage", "BoolStorage"})
# torch's legacy constructors, which, given sizes rather than data (``torch.Tensor(1024)``), allocate uninitialised
LEGACY_TENSORS = frozenset({"Tensor", "FloatTensor", "DoubleTensor", "HalfTensor", "BFloat16Tensor", "LongTensor",
                            "IntTensor", "ShortTensor", "CharTensor", "ByteTensor", "BoolTensor"})
# Methods that change the object they are called on (and any torch method ending in "_", in place).
MUTATORS = frozenset({"append", "extend", "insert", "update", "setdefault", "add", "pop", "popitem", "remove",
                      "discard", "clear", "sort", "reverse", "put", "itemset", "fill", "resize", "setflags",
                      "write", "send", "copyto", "place", "putmask", "fill_diagonal", "setitem", "iadd",
                      "isub", "imul", "imatmul", "itruediv", "ifloordiv", "imod", "ipow", "iand", "ior", "ixor",
                      "ilshift", "irshift",  # (operator's in-place functions: red team 150's ``operator.isub``)
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
PRINT_OPTIONS = frozenset({"set_printoptions", "printoptions"})  # (a tensor's text may carry data: red team 142)
REWRITES = frozenset({"__defaults__", "__kwdefaults__", "__closure__", "cell_contents", "__code__",
                      "__wrapped__", "__func__"}) | PRINT_OPTIONS
DYNAMIC_NAMESPACE = frozenset({"globals", "vars", "setattr", "__dict__", "exec", "eval", "__builtins__", "modules",
                               "update_wrapper", "wraps"})  # (these copy any attribute onto a function: red team 40)
BUILTINS = frozenset(dir(builtins))
PURE_BUILTINS = frozenset({"list", "tuple", "float", "int", "complex", "bool", "str", "dict", "set", "frozenset",
                           "sorted", "reversed", "range", "len", "abs", "round", "sum", "min", "max", "zip", "enumerate"})
VALUE_BUILTINS = frozenset({"abs", "bool", "complex", "divmod", "float", "int", "len", "max", "min", "pow", "range",
                            "round", "str"})
# (given immutable values, positionally, each hands back an immutable value made of them alone: no ``key=`` to call)
MACHINE_FACTS = frozenset({"os.cpu_count", "multiprocessing.cpu_count",  # the kernel's answer: no file changes it
                           "torch.cuda.is_available", "torch.cuda.device_count", "torch.backends.mps.is_available"})
# (and the machine's devices, fairness 38: ``DEVICE = torch.device("cuda" if torch.cuda.is_available() else "cpu")``)
VALUE_CALLS = frozenset({"torch.device"})  # a library's value of the immutable arguments it is given, and of nothing else
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


def _timed_names(code: ast.Module) -> set[str]:
    """The names a ``%timeit``'s code may change or hand on: all it names, but a function it only calls
    (``%timeit layer(x, w, b)`` changes nothing of ``layer``'s: fairness round 15)."""
    parents = {id(child): node for node in walk(code) for child in children(node)}
    return {node.id for node in walk(code) if isinstance(node, ast.Name) and not (
        isinstance(parent := parents.get(id(node)), ast.Call) and parent.func is node)}


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


def _uninitialised(call: ast.Call) -> bool:
    """``torch.Tensor(n)`` and its kin given anything but a list or tuple written out: sizes, uninitialised memory;
    ``np.rec.array(None, shape=…)``, an array made of nothing (red team 171)."""
    name = _called_name(call)
    if call.args and isinstance(call.args[0], ast.Constant) and call.args[0].value is None and name == "array":
        return True
    return name in LEGACY_TENSORS and bool(call.args) and not isinstance(call.args[0], (ast.List, ast.Tuple))


def unfilled_where(call: ast.Call) -> bool:
    """``call`` is given ``where=`` and no ``out``: a ufunc hands back what it did not write as it found it (red teams
    171 and 173; whose call it is, the caller asks)."""
    given = {keyword.arg: keyword.value for keyword in call.keywords}
    return "where" in given and not _a_value(given.get("out"))


def _a_value(node: ast.AST | None) -> bool:
    """``node`` is given and is not ``None`` written out."""
    return node is not None and not (isinstance(node, ast.Constant) and node.value is None)


def _asks_a_setting(call: ast.Call) -> bool:
    """``torch.are_deterministic_algorithms_enabled()``, ``torch.is_autocast_enabled("cuda")``: a library's question
    asked of nothing but its own settings (no argument but literals), which the top level can set (red teams 133 and
    135 kept bits of autograd's answer in them)."""
    name = _called_name(call)
    return (name.startswith(("is_", "are_", "has_")) or name.endswith("_enabled")) and not any(
        isinstance(part, ast.Name) for value in [*call.args, *(keyword.value for keyword in call.keywords)]
        for part in walk(value))  # (no name read: ``*("cuda",)``, ``"c" + "uda"`` are literals too, red team 138)


# What a library's function is called that sets one of the process's settings (red team 135: ``cudnn.set_flags``,
# ``enable_flash_sdp``, ``preferred_blas_library``, ``copyreg.pickle``, ``set_flush_denormal``).
SETTERS = ("set", "enable", "disable", "allow", "use_", "register", "preferred", "pickle", "constructor",
           "filterwarnings", "simplefilter", "putenv", "flags", "tzset")


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


def catches(node: ast.AST, bound: set[str] | frozenset[str], module: static.Module,
            imports: dict[str, list[tuple[str, int]]]) -> bool:
    """``node`` catches an exception and lets the code go on: a ``try`` with a handler that does not end in ``raise``,
    or a ``with`` whose manager may swallow one (``contextlib.suppress``, a class's ``__exit__``; never torch's or
    ``open``'s; ``bound``: the names the code around it binds itself; ``imports``: what its names import,
    :func:`scope_imports`). Whether, and where, the code it guards raised is then data that state the top level set
    may decide (red team 45: ``str()`` refuses a number past the digits ``sys`` was told to allow)."""
    if isinstance(node, (ast.Try, getattr(ast, "TryStar", ast.Try))):
        return any(not handler.body or not isinstance(handler.body[-1], ast.Raise) for handler in node.handlers)
    if isinstance(node, (ast.With, ast.AsyncWith)):
        return not all(_never_swallows(item.context_expr, bound, module.bindings, imports) for item in node.items)
    return False


def scope_imports(module: static.Module, scope: ast.AST | None) -> dict[str, list[tuple[str, int]]]:
    """What the names of ``scope`` (a function; None: the module) import: the module's imports and the function's
    own (:func:`_local_imports`). Read once per scope: a ``with`` of every line must not walk its function again."""
    return {**module.imports, **_local_imports(scope)} if scope is not None else module.imports


def _local_imports(scope: ast.AST) -> dict[str, list[tuple[str, int]]]:
    """The names a function binds by ``import`` alone (``import contextlib`` inside it, then ``contextlib.nullcontext``:
    fairness 30), to what they import."""
    stored = {node.id for node in walk(scope) if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load)}
    stored |= {arg.arg for arg in walk(scope) if isinstance(arg, ast.arg)}
    found: dict[str, list[tuple[str, int]]] = {}
    for node in walk(scope):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for name, target in static.imported(node):
                found.setdefault(name, []).append((target, node.lineno))
    return {name: targets for name, targets in found.items() if name not in stored}


# Context managers of torch, the standard library and numpy whose ``__exit__`` lets every exception through (fairness
# 30), each by the names it is defined and exported under: a name's start says nothing of what it is (red team 162
# reached ``contextlib.suppress`` as ``torch.hub.contextlib.suppress``).
TORCH_MANAGERS = frozenset(f"torch.{prefix}{name}" for prefix in ("", "autograd.", "autograd.grad_mode.")
                           for name in ("no_grad", "enable_grad", "inference_mode", "set_grad_enabled")) | frozenset({
    "torch.autograd.set_detect_anomaly", "torch.autograd.detect_anomaly", "torch.autograd.anomaly_mode.detect_anomaly",
    "torch.autograd.anomaly_mode.set_detect_anomaly", "torch.autograd.graph.saved_tensors_hooks",
    "torch.autograd.graph.save_on_cpu", "torch.autograd.forward_ad.dual_level", "torch.random.fork_rng",
    "torch.autograd.profiler.profile", "torch.autograd.profiler.record_function", "torch.profiler.profile",
    "torch.profiler.record_function", "torch.device", "torch.autocast"})
PASSING_MANAGERS = TORCH_MANAGERS | frozenset({
    "contextlib.nullcontext", "contextlib.closing", "contextlib.redirect_stdout", "contextlib.redirect_stderr",
    "warnings.catch_warnings", "numpy.errstate", "numpy.printoptions", "decimal.localcontext", "threading.Lock",
    "threading.RLock"})


def _never_swallows(manager: ast.AST, bound: set[str] | frozenset[str], bindings: dict[str, list[ast.AST]],
                    imports: dict[str, list[tuple[str, int]]]) -> bool:
    """``torch.no_grad()``, ``open(path)``, ``warnings.catch_warnings()``: a context manager whose ``__exit__`` lets
    every exception through (``open``'s and :data:`PASSING_MANAGERS`)."""
    func = manager.func if isinstance(manager, ast.Call) else manager
    root = _root(func)
    if root in bound and root not in imports or not isinstance(func, (ast.Name, ast.Attribute)):
        return False
    if isinstance(func, ast.Name) and root == "open":
        return root not in bindings and root not in bound
    dotted = imported_name(func, imports).lstrip(".")
    return dotted in PASSING_MANAGERS


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
            if parent.func is not child and (_numpy_output(parent, child, module)
                                             or _method_output(parent, child, module)):
                return True  # ``np.subtract(a, b, W)``, ``a.dot(b, W)``: numpy's output, passed by position
            if parent.func is not child and _only_read_by(parent, child, parents, module, depth):
                return False  # ``horner(COEFFS, x)``, whose answer is a new value
            if parent.func is not child and _copied_by_library(parent, child, module):
                return False  # ``np.polyval(COEFFS, x)``: a list of numbers, made into a new array (fairness 31)
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
            if module.own_operators and isinstance(parent, (ast.BinOp, ast.Compare, ast.Subscript)) \
                    and not _plain_others(parent, child, module):
                return True  # (an operand, or an index, handed to the file's own special method: red team 150)
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


ARRAY_MAKERS = frozenset({"numpy.array", "numpy.asarray", "torch.tensor", "torch.as_tensor"})
ARRAY_READERS = frozenset({f"{library}.{name}" for library, names in (
    ("numpy", ("polyval", "dot", "vdot", "inner", "outer", "matmul", "tensordot")),
    ("torch", ("matmul", "mm", "mv", "dot", "vdot", "inner", "outer", "tensordot"))) for name in names})
# (each reads the arrays it is handed into a new one, and writes into none unless given ``out``)


def _constant_array(name: str, module: static.Module) -> bool:
    """``name`` is bound once to an array or tensor made of a display of numbers (``np.array([8., 3., 6., 5.])``,
    ``torch.tensor([[1, 2], [3, 4]], dtype=torch.float64)``)."""
    values = module.bindings.get(name, [])
    value = values[0] if len(values) == 1 else None
    return isinstance(value, ast.Call) and isinstance(value.func, (ast.Name, ast.Attribute)) \
        and imported_name(value.func, module.imports) in ARRAY_MAKERS and len(value.args) == 1 \
        and _numbers(value.args[0]) and all(keyword.arg == "dtype" and isinstance(
            keyword.value, (ast.Attribute, ast.Constant)) for keyword in value.keywords)


def _numbers(node: ast.AST) -> bool:
    """``node`` is a list or tuple display of numbers, or of such displays."""
    return isinstance(node, (ast.List, ast.Tuple)) and all(
        isinstance(item, ast.Constant) and isinstance(item.value, (int, float)) or _numbers(item) for item in node.elts)


def _copied_by_library(call: ast.Call, child: ast.AST, module: static.Module) -> bool:
    """``call`` is a numpy or ``math`` function or one of torch's own (``torch.tensor``; never an object of a submodule
    that may keep what it is handed, ``torch.utils.data.DataLoader``: red team 138), or a builtin that copies
    (:data:`EAGER`), handed ``child``, a name bound once to a display of numbers (:func:`_flat_display`), but not as
    ``out``: it reads the numbers into a new array, tensor or container, and keeps nothing of the display itself.
    Handed an array made of such a display (:func:`_constant_array`), which a library may write into or view (``np.
    copyto``, ``np.asarray``), only a function of :data:`ARRAY_READERS` is such a call (fairness 38: ``np.polyval(
    DCOEFFS, x)`` for ``DCOEFFS = np.array([8., 3., 6., 5.])``)."""
    if module.reader_hooks and not _plain_others(call, child, module):
        return False  # (numpy and torch hand every argument to the hooks of the file's classes: red team 150)
    if isinstance(call.func, (ast.Name, ast.Attribute)) and _constant_array(_root(child), module):  # (or a chain
        # of it, each link read as one: ``DCOEFFS.to(x.dtype)``)
        return imported_name(call.func, module.imports) in ARRAY_READERS and not _numpy_output(call, child, module) \
            and all(keyword.arg != "out" for keyword in call.keywords)
    if not (isinstance(child, ast.Name) and _flat_display(child.id, module)):
        return False
    if isinstance(call.func, ast.Name) and call.func.id in EAGER and call.func.id not in module.bindings \
            and call.func.id not in module.imports:
        return True  # (``list(COEFFS)``: a new container of the same numbers)
    dotted = imported_name(call.func, module.imports).lstrip(".") if isinstance(call.func, (ast.Name, ast.Attribute)) \
        else ""
    name, parts = _called_name(call), dotted.split(".")
    return (parts[0] in ("numpy", "math") or parts[0] == "torch" and len(parts) == 2) \
        and not _numpy_output(call, child, module) \
        and name not in MUTATORS and not name.endswith("_") and ".random." not in f".{dotted}" \
        and all(keyword.arg != "out" or keyword.value is not child for keyword in call.keywords)  # (not
    # ``np.random.shuffle(COEFFS)``, which shuffles a list in place)


def _plain_others(node: ast.AST, child: ast.AST, module: static.Module) -> bool:
    """Every operand or argument of ``node`` but ``child`` is a library's value or a literal's (``np.polyval(DC,
    2.0)``, ``DC * np.pi``): none can be an object of the file's classes, whose special methods would be handed
    ``child`` (fairness 38's honest files beside a class with operators: red team 153)."""
    if isinstance(node, ast.BinOp):
        others = [node.left, node.right]
    elif isinstance(node, ast.Compare):
        others = [node.left, *node.comparators]
    elif isinstance(node, ast.Subscript):
        others = [node.value, node.slice]
    elif isinstance(node, ast.Call):
        others = [*node.args, *(keyword.value for keyword in node.keywords)]
    else:
        return False
    scoped = _scope_names(node, module)
    return all(_library_or_literal(other, module, scoped) for other in others if other is not child)


def _scope_names(node: ast.AST, module: static.Module) -> set[str]:
    """The names a scope around ``node`` binds (a function's parameters and locals, a lambda's, a comprehension's,
    a class body's): there, a name is not the module's (red team 154: a parameter ``_k`` beside a module-level
    ``_k = 1.0``)."""
    names: set[str] = set()
    part = module.parents.get(node)
    while part is not None:
        if isinstance(part, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef, ast.ListComp,
                             ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            names |= _bound_inside(part)
        part = module.parents.get(part)
    return names


def _library_or_literal(node: ast.AST, module: static.Module, scoped: set[str]) -> bool:
    """``node`` is made of literals, names of literal displays (:func:`_flat_display`) and a library's values and
    calls, with nothing of the file's own; a name in ``scoped`` (bound by a scope around it) is none of these."""
    for part in walk(node):
        if isinstance(part, ast.Name):
            library = part.id in module.imports and part.id not in module.bindings and all(
                target.split(".")[0] not in ("__main__", "builtins") for target, _ in module.imports[part.id])
            # (``import __main__``: the file's own classes, by another name)
            literal = len(module.bindings.get(part.id, ())) == 1 and (
                isinstance(module.bindings[part.id][0], ast.Constant) or _flat_display(part.id, module))
            if part.id in scoped or not (library or literal):
                return False
        elif not isinstance(part, (ast.Constant, ast.Tuple, ast.List, ast.UnaryOp, ast.BinOp, ast.Attribute,
                                   ast.Call, ast.keyword, ast.expr_context, ast.operator, ast.unaryop)):
            return False
        elif isinstance(part, ast.Call) and not (isinstance(part.func, (ast.Name, ast.Attribute))
                                                 and imported_name(part.func, module.imports)):
            return False
    return True


def _method_output(call: ast.Call, child: ast.AST, module: static.Module) -> bool:
    """``child`` is passed by position, past the first, to a method of numpy's arrays that takes ``out`` (``a.dot(b,
    W)``, ``a.clip(0, 1, W)``: red team 150), not to a module's function (``np.dot``: :func:`_numpy_output`): it may
    be the output."""
    return isinstance(call.func, ast.Attribute) and call.func.attr in _array_methods_with_out() \
        and child in call.args[1:] and not imported_name(call.func, module.imports)


@functools.lru_cache(maxsize=1)
def _array_methods_with_out() -> frozenset[str]:
    """The methods of numpy's arrays whose numpy function of the same name takes ``out``."""
    import inspect

    import numpy

    found = set()
    for name in dir(numpy.ndarray):
        function = getattr(numpy, name, None)
        try:
            takes = "out" in inspect.signature(function).parameters if callable(function) else False
        except (TypeError, ValueError):  # (a ufunc, a builtin without a signature: it may take one)
            takes = callable(function)
        if takes and not name.startswith("_"):
            found.add(name)
    return frozenset(found)


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


# Decorators of libraries that only wrap or mark the function they are given, never calling it as it is defined.
WRAPPING = frozenset({
    "torch.no_grad", "torch.enable_grad", "torch.inference_mode", "torch.set_grad_enabled", "torch.compile",
    "torch.autograd.no_grad", "torch.autograd.enable_grad", "torch.autograd.set_grad_enabled",
    "torch.autograd.inference_mode", "torch.autograd.grad_mode.no_grad", "torch.autograd.grad_mode.enable_grad",
    "torch.autograd.grad_mode.set_grad_enabled", "torch.autograd.grad_mode.inference_mode",
    "torch.jit.ignore", "torch.jit.unused", "torch.jit.export", "torch.jit.script", "torch.compiler.disable",
    "functools.wraps", "functools.lru_cache", "functools.cache", "functools.cached_property", "functools.singledispatch",
    "functools.total_ordering", "dataclasses.dataclass", "typing.overload", "typing.no_type_check", "typing.final",
    "contextlib.contextmanager", "abc.abstractmethod", "staticmethod", "classmethod", "property",
})
# What a decorator of the file's own may read of the function it is given, doing nothing with it.
_HANDS_BACK = frozenset({"__name__", "__qualname__", "__doc__", "__module__"})


def may_call(definition: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef, module: static.Module) -> bool:
    """A decorator of ``definition`` may call it (a class: make one) as it is defined, at import (red team 102's ``def
    _run(f): f(); return f``, red team 104's ``def _checked(cls): cls(); return cls``): a library's but those of
    :data:`WRAPPING` (``operator.call`` calls it), and one of the file's own ``def``s but a plain wrapper
    (:func:`_only_wraps`: a timing wrapper calls it later, when it is called: fairness 21); any, where a name the
    decorator is looked up by is bound again anywhere in the file (red team 104 rebound ``functools`` as a loop's
    target) or the file may write its namespace by name (:func:`_loose`)."""
    for decorator in definition.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if not isinstance(target, (ast.Name, ast.Attribute)) or _loose(_root(target), module):
            return True
        own = module.bindings.get(target.id, []) if isinstance(target, ast.Name) else []
        if own:  # (``@timed``, or a factory's ``@timed("label")`` given names and constants)
            factory = isinstance(decorator, ast.Call)
            strict = isinstance(definition, ast.ClassDef)  # (a class's ``__name__`` may be its metaclass's property)
            if factory and not all(isinstance(arg, (ast.Name, ast.Constant))
                                   for arg in [*decorator.args, *(keyword.value for keyword in decorator.keywords)]) \
                    or not all(isinstance(node, ast.FunctionDef) and _only_wraps(node, module, factory, strict)
                               for node in own):
                return True
            continue
        name = imported_name(target, module.imports)
        if not name and isinstance(target, ast.Name) and not own:
            name = target.id  # (a builtin's name the file never binds)
        if name not in WRAPPING:
            return True
    return False


def _loose(name: str, module: static.Module) -> bool:
    """A decorator looked up by ``name`` may not be what its binding says: the module's scope (or a class body,
    :func:`_module_scope`) binds the name by more than one kind of statement (``def``s of one name are one kind, imports of one module one: a notebook cell run
    twice), or by anything but a ``def``, a class or an import (a loop's target, ``as``, a walrus, an assignment:
    red team 104), any function declares it ``global``, or the file may write its namespace by name
    (:func:`_namespace_written`)."""
    facts = module.__dict__.get("_decorator_facts")
    if facts is None:
        kinds: dict[str, set[object]] = collections.defaultdict(set)
        for node in _module_scope(module.tree):
            if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
                kinds[node.id].add(id(node))  # (each such binding a kind of its own)
            elif isinstance(node, ast.alias):
                kinds[methods.binds(node)[0]].add(("import", node.asname and node.name or node.name.split(".")[0]))
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                kinds[node.name].add(type(node).__name__)
            elif isinstance(node, ast.Global):
                for declared in node.names:
                    kinds[declared].update(("global", "declared"))
            else:
                for bound in methods.binds(node):
                    kinds[bound].add(id(node))
        facts = module.__dict__["_decorator_facts"] = (kinds, _namespace_written(module))
    kinds, written = facts
    return written or len(kinds.get(name, ())) > 1 or any(type(kind) is int for kind in kinds.get(name, ()))


def _module_scope(tree: ast.Module | None) -> Iterator[ast.AST]:
    """The nodes that run in the module's own scope or in a class body's, where a decorator written in the class is
    looked up first (red team 108 bound ``functools = _Eager`` in one): not a function's or lambda's body (their
    decorators and defaults run there), but ``global`` statements anywhere."""
    todo = list(tree.body) if tree is not None else []
    while todo:
        node = todo.pop()
        yield node
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            todo.extend(scopes.outer(node))
            todo.extend(inner for inner in walk(node) if isinstance(inner, ast.Global))
        else:
            todo.extend(children(node))


_READS_ONLY = frozenset({"keys", "items", "values", "get", "copy", "print", "len", "sorted", "list", "set", "dict",
                         "str", "repr", "tuple", "any", "all", "filter", "enumerate", "iter"})


def _namespace_written(module: static.Module) -> bool:
    """The file may write a module's namespace by name: ``setattr``, ``exec``, ``eval``, ``__import__``, ``importlib``,
    ``sys.modules``, a ``__dict__``, the builtins (where ``print`` lives); or ``globals()``/``vars()``/``locals()`` used but to read it (iterated, looked up,
    ``in``, its ``keys()``, printed)."""
    parents = module.parents  # (found once, as the module was read)
    for node in walk(module.tree) if module.tree is not None else ():
        if isinstance(node, ast.Name) and node.id in ("setattr", "exec", "eval", "__import__", "importlib", "compile",
                                                      "__builtins__") \
                or isinstance(node, ast.Attribute) and node.attr in ("modules", "__dict__", "__setattr__", "setattr") \
                or isinstance(node, ast.alias) and node.name.split(".")[0] in ("importlib", "builtins"):
            return True
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("globals", "vars", "locals"):
            parent = parents.get(node)
            if isinstance(parent, (ast.For, ast.comprehension)) and parent.iter is node \
                    or isinstance(parent, ast.Compare) \
                    or isinstance(parent, ast.Subscript) and isinstance(parent.ctx, ast.Load) \
                    or isinstance(parent, ast.Attribute) and parent.attr in _READS_ONLY \
                    and isinstance(parents.get(parent), ast.Call) \
                    or isinstance(parent, ast.Call) and isinstance(parent.func, ast.Name) and parent.func.id in _READS_ONLY:
                continue
            return True
    return False


def _only_wraps(decorator: ast.FunctionDef, module: static.Module, factory: bool = False, strict: bool = False) -> bool:
    """``decorator`` runs nothing of the function it decorates as it decorates it: no decorator of its own, and its body
    only a docstring, ``def``s (decorated by nothing but ``functools.wraps`` of names, with defaults of names and
    constants), ``return``s of the function or of such a ``def``, and (but where ``strict``: a class's decorator)
    what :func:`_harmless` allows. Whatever its wrapper does happens when the wrapper is called. A ``factory``
    (``@timed("label")``: fairness 22) holds only such decorators, and hands back one of them (red team 107's returned
    the decorator it was given)."""
    parameters = [*decorator.args.posonlyargs, *decorator.args.args]
    if not parameters and not factory or decorator.decorator_list:
        return False
    nested = {statement.name for statement in decorator.body if isinstance(statement, ast.FunctionDef)}
    returned = nested if factory else nested | {parameters[0].arg}
    for statement in decorator.body:
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant) \
                or isinstance(statement, ast.Return) and isinstance(statement.value, ast.Name) \
                and statement.value.id in returned:
            continue
        if factory:
            if not (isinstance(statement, ast.FunctionDef) and _only_wraps(statement, module, strict=strict)):
                return False
            continue
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)) and all(
                isinstance(wrap, ast.Call) and imported_name(wrap.func, module.imports) == "functools.wraps"
                and not _loose(_root(wrap.func), module)
                and all(isinstance(arg, ast.Name) for arg in wrap.args) and not wrap.keywords
                for wrap in statement.decorator_list) and all(
                isinstance(value, (ast.Name, ast.Constant)) for value in scopes.outer(statement)
                if value not in statement.decorator_list):
            continue
        if strict or not _harmless(statement, parameters[0].arg, nested, module):
            return False
    return True


def _harmless(statement: ast.stmt, name: str, nested: set[str], module: static.Module) -> bool:
    """A statement of a decorator's body that calls nothing of the file's (fairness 22): printing text made of
    constants and the function's ``__name__`` (``print(f"decorating {f.__name__}")``), or a constant set on its
    wrapper (``wrapper.calls = 0``). (Not the function stored in a registry: red team 107 called it through the dict.)"""
    def text(node: ast.AST) -> bool:
        if isinstance(node, ast.JoinedStr):
            return all(text(part.value) and (part.format_spec is None or text(part.format_spec))
                       if isinstance(part, ast.FormattedValue) else text(part) for part in node.values)
        return isinstance(node, ast.Constant) or isinstance(node, ast.Attribute) and node.attr in _HANDS_BACK \
            and isinstance(node.value, ast.Name) and node.value.id == name

    if isinstance(statement, ast.Expr) and isinstance(call := statement.value, ast.Call) \
            and isinstance(call.func, ast.Name) and call.func.id == "print" and "print" not in module.bindings \
            and not _loose("print", module):
        return all(text(arg) for arg in [*call.args, *(keyword.value for keyword in call.keywords)])
    if not isinstance(statement, ast.Assign) or len(statement.targets) != 1:
        return False
    target, value = statement.targets[0], statement.value
    if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id in nested:
        return isinstance(value, ast.Constant)
    return False
