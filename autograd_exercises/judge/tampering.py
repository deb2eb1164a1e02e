"""Code that reaches into the grader's own objects in the child, read from the submission's text for every check.

The probes run in the child beside the student's code, and some checks judge what they observe there beyond the
values returned: how many graphs a backward pass read (exercise 5), whether an error came from torch, how often
autograd ran, whether a prediction saved anything for backward (exercise 4). Code that can reach the probes' own
functions or their frames could rewrite those observations: red team 19 replaced exercise 5's
``observe.saved_for_backward`` at import and turned a wrong answer into a right one. Such a file is not run: every
check is zero, and the reason names the line (:func:`door`).

The doors, each a way to the grader's objects without being handed them: an import of the grader's package (a
notebook's own ``from autograd_exercises.notebook import check`` excepted), the call stack's frames, the garbage
collector's object lists, ``sys.modules``, a function's ``__globals__``, ``__subclasses__``, the builtins' namespace
and ``__import__``, code no reading sees (``exec``, ``eval``, ``compile``, ``importlib``, ``runpy``, typing's forward
references, ``types.FunctionType``, ``doctest``, a ``timeit`` statement built as the file runs of other than
literals: :mod:`literals`), lookups by a dotted name (``pkgutil``, ``pydoc``, ``unittest.mock``, ``logging.config``:
red team 25), ``inspect.getmembers``,
``torch.library``, ``ctypes``, unpickling, raw memory (``__array_interface__``, ``as_strided``), torch's private names (``torch._C``,
``torch._check``) and modes, a tensor class of the file's own that answers for autograd (a ``grad_fn`` property),
``_thread``, a change to a library's own objects (``json.JSONEncoder = …``, ``type(x).f = …``: red team 20), a special
method set from outside its class (``hooks.__enter__ = …`` on a parameter a library's class is passed to: red
team 51), and the
lookups that could spell any of them that the run cannot check (``attrgetter`` or ``methodcaller`` with a computed
name, ``o.__dict__``, a string naming a door, a format string built as the file runs). The module's own
``getattr``, ``setattr``, ``delattr`` and ``vars`` check at run time the name they are given
(:mod:`autograd_exercises.sandbox.guard`): with a computed name they are no door here. Honest exercise code needs
none of them; printing, ``traceback.print_exc()``, ``gc.collect()``, ``globals()``, ``x.grad = None`` and
``torch.compile`` are fine. The code
:mod:`autograd_exercises.magics` writes for ``%timeit`` and cell magics (``exec(compile("…", "<%timeit>", "exec"),
globals(), {})``) is read as the code it runs.
"""

from __future__ import annotations

import ast
import builtins
import collections
import functools
import re
import string
import sys

from autograd_exercises.judge import literals, scopes, static
from autograd_exercises.judge.syntax import children, walk
from autograd_exercises.parsing import PARSE_ERRORS
from autograd_exercises.sandbox import guard

ALLOWED_IMPORTS = {  # from … import these: harmless parts of a door's module
    "autograd_exercises.notebook": ("check",),  # a notebook's test cell, copied into a scratch cell
    "importlib.metadata": ("version", "PackageNotFoundError"),  # print(version("torch")): fairness round 15
}
ATTRIBUTES = {  # an attribute, whatever it is read from -> what it reaches
    **{name: "the call stack's frames" for name in ("f_back", "f_globals", "f_locals", "f_builtins", "tb_frame",
                                                      "gi_frame", "cr_frame", "ag_frame", "_getframe",
                                                      "_current_frames", "currentframe", "walk_stack", "walk_tb",
                                                      "get_stack")},  # (asyncio's Task.get_stack: red team 60)
    **{name: "every object in the process (the garbage collector)" for name in ("get_objects", "get_referrers",
                                                                                 "get_referents")},
    "__globals__": "a function's module namespace (__globals__)",
    "__subclasses__": "every class in the process (__subclasses__)",
    "__builtins__": "the builtins' namespace",
    # red team 52: the builtins module (its eval, its sum) as dataclasses.builtins, or inspect.getmodule(len)
    "builtins": "the builtins' namespace through a module that imported it",
    "getmodule": "any loaded module, found by an object's name",
    "importlib": "imports by name, through a module that imported importlib",  # torch.importlib (guard.EXEMPT)
    # red team 56: a library's own lookup of a dotted name ("e.bltns.eval"), done where no guard sees the asker
    **{name: "any attribute by a dotted name (a library's lookup)" for name in (
        "fetch_attr", "get_attr", "getattr_from_fqn", "getattr_recursive")},
    # red team 57: a torch.fx graph of one get_attr node, run by fx's own interpreter, read frames and closures
    **{name: "any attribute by a dotted name (torch.fx's get_attr nodes)" for name in (
        "create_node", "graph_module")},  # (fx itself only as torch's: f(x) is "fx" in many an honest file)
    "__import__": "imports by name (__import__)",
    **{name: "a function's code, defaults or closure" for name in ("__code__", "__defaults__", "__kwdefaults__",
                                                                  "__closure__", "cell_contents")},
    "capture_locals": "the call stack's local variables (capture_locals)",
    **{name: "torch's function and dispatch modes, which answer for every tensor" for name in (
        "TorchFunctionMode", "TorchDispatchMode", "BaseTorchFunctionMode", "_push_mode", "_pop_mode",
        "_push_on_torch_function_stack", "_push_on_torch_dispatch_stack", "_set_torch_function_mode",
        "enable_torch_function_mode", "_python_dispatch")},
    **{name: "every torch module's calls, everywhere (a global module hook)" for name in guard.MODULE_HOOKS},  # (red
    # team 71's hook answered for nn.Identity from what the top level's autograd had computed)
    **{name: "every attribute of an object, by name" for name in (
        "getmembers", "getmembers_static", "getclosurevars", "classify_class_attrs")},  # (red team 68: a class's
    # descriptors, each __get__ on the object: grad_fn, next_functions, unnamed)
    **{name: "code evaluated from a string (typing's forward references)" for name in static.EVALUATORS},
    **{name: "functions made from code objects" for name in (*static.CODE_OBJECTS, "co_code")},
    "resolve_name": "any object by its dotted name",
    "resolve_dotted_attribute": "any attribute by a dotted name, read in xmlrpc's frame (red team 96)",
    "ForkingPickler": "pickled objects' loading (multiprocessing's pickler), which can call any function",
    "addaudithook": "an audit hook, which runs inside the probes' own frames (red team 80)",
    # red team 83: torch's pytree of a callable (a BlockMask's mask_mod) hands back its __globals__ and closure
    **{name: "a function's namespace and closure, as torch's pytree of a callable holds them" for name in (
        "_flatten", "_extract_callable_pytree", "globals_dict")},
    # red team 83: IPython's reloader puts other code into a function (patch_function), and reads raw memory
    **{name: "code put into a function in place (IPython's reloader)" for name in (
        "deduperreload", "autoreload", "patch_function", "DeduperReloaderPatchingMixin")},
    **{name: "a function's code, read for the file by dis (red teams 84, 85)" for name in (
        "codeobj", "Bytecode", "get_instructions")},
    "aten": "every operator by a computed name (torch.ops.aten), past autograd's counted engine (red team 85)",
    **{name: "a tensor's hooks, the grader's own among them (a hook handle's dict, red team 88)" for name in (
        "hooks_dict_ref", "extra_dict_ref")},
    # installed libraries' imports by a dotted name, done from their own frames, where no guard sees the asker
    **{name: "any object by its dotted name (a library's import of a string)" for name in (
        "import_item", "import_object", "import_term", "import_string", "EntryPoint", "load_entry_point",
        "import_plugin", "MonkeyPatch", "monkeypatch", "importorskip", "import_module")},  # (red team 79:
    # mistune's import_plugin, pytest's resolve; red team 98: pytest's importorskip loaded six, a module no
    # submission may import, whose get_function_globals is operator.attrgetter)
    **{name: "every frame as it runs, its values and what it returns (a trace hook)" for name in (
        "settrace", "setprofile")},  # (red team 27 rewrote the probes' results from a trace function)
    "getargvalues": "a frame's local variables",
    **{name: "a module's loader, which runs code from files" for name in ("__loader__", "__spec__")},
    "__getstate__": "an object's every attribute",
    **{name: "what a method or a wrapper was made from" for name in (
        "__self__", "__func__", "__wrapped__", "__reduce__", "__reduce_ex__")},  # (a bound method's reduce: getattr)
    **{name: "any address of the process's memory" for name in (
        "__array_interface__", "__array_struct__", "__cuda_array_interface__", "ctypeslib", "ctypes", "as_strided",
        "string_at", "from_address", "_construct_storage_from_data_pointer", "from_blob", *guard.MEMORY_DOORS)},
}
# Red teams 236 and 238, walkthrough 72: what makes an array over memory it lets go of (see guard.MEMORY_DOORS)
VIEWED_KEYWORDS, VIEWING_ARRAYS = guard.VIEWED_KEYWORDS, guard.VIEWING_ARRAYS
OWNED_DOORS = {  # a name that is a door only as an attribute of one module
    ("torch", "frombuffer"): "any address of the process's memory",  # (red team 236; numpy's keeps its buffer)
    ("torch", "asarray"): "any address of the process's memory",  # (walkthrough 72: over a bytearray, as frombuffer)
    ("sys", "monitoring"): "every frame as it runs",
    ("signal", "signal"): "the frames a signal interrupts",
    ("torch", "fx"): "any attribute by a dotted name (torch.fx's get_attr nodes)",
    ("torch", "ops"): "every operator by a computed name (torch.ops), past autograd's counted engine",
    ("torch", "package"): "pickled objects' loading (torch.package), which can call any function",
    **{("jit", name): "torch's inter-op threads, where the grader's counts of autograd do not run"
       for name in ("fork", "wait")},  # (red team 66 built predict's graph there)
    **{("jit", name): "TorchScript no reading sees (its source a string or a file: it may fork onto torch's inter-op "
                      "threads, where the grader's counts of autograd do not run)"
       for name in ("CompilationUnit", "load")},  # (red team 76 built predict's graph in a string's torch.jit.fork)
}
FRAME_FUNCTIONS = ("stack", "trace", "getouterframes", "getinnerframes")  # of inspect: frames
MODULES = {  # an import of any of these (or below them) -> what it does
    static.GRADER_PACKAGE: "imports the grader's own package",
    **{name: "runs code no reading sees" for name in ("importlib", "runpy", "code", "codeop", "zipimport", "imp",
                                                      "doctest", "pdb", "bdb", "cProfile", "profile", "trace")},
    **{name: "reaches any object by its dotted name" for name in ("pkgutil", "pydoc", "logging.config",
                                                                   "unittest.mock", "mock")},
    **{name: "reads and writes the process's memory" for name in ("ctypes", "_ctypes", "mmap")},  # (red team 238: a
    # numpy view of a map closed under it, a new map in its place)
    "cgitb": "reads any frame's names (cgitb.lookup)",  # red team 95: a frame's f_globals, read in cgitb's frame
    "builtins": "reaches the builtins' namespace",
    **{name: "runs code no reading sees (a template engine)" for name in ("jinja2", "mako")},
    "torch.fx": "reads any attribute by a dotted name (torch.fx's get_attr nodes)",
    "torch.ops": "reaches every operator by a computed name (torch.ops), past autograd's counted engine",  # red team 61
    "_thread": "starts threads past the sandbox's own start",
    "torch.package": "loads pickled objects (torch.package), which can call any function",
    "_pytest": "reaches any object by its dotted name (pytest's own internals: red team 79's monkeypatch.resolve)",
}
NAMES = {"exec": "runs code no reading sees (exec)", "eval": "runs code no reading sees (eval)",
         "compile": "compiles code no reading sees (compile)", "__import__": "imports by name (__import__)",
         "__builtins__": "reaches the builtins' namespace"}
PRIVATE_OK = frozenset({"_exit"})  # a library's private names that hold no table (os._exit ends the child: the
# sandbox's matter, each hostile file that calls it loses only what it stopped)
STAND_IN_CALL = re.compile(r"\b(?:breakpoint|%s)\s*\(" % "|".join(sorted({call for calls in guard.STAND_INS.values()
                                                                       for call in calls})))
BUILTIN_NAMES = frozenset(dir(builtins))  # a name the file binds over one of these is no stand-in's
UNPICKLE = ("load", "loads", "Unpickler")
YAML_UNSAFE = guard.OWNED["yaml"]  # PyYAML's loaders that build any object, calling what a document names (own test)
UNPICKLE_ANYWHERE = ("add_safe_globals", "safe_globals", "weights_only", "allow_pickle")  # torch.load's own doors
PARSERS = ("parse_args", "parse_known_args", "parse_intermixed_args", "parse_known_intermixed_args")
GUARDED = ("getattr", "setattr", "delattr", "vars")  # the builtins the sandbox gives a submission's module guarded
LOOKUPS = {"getattr": 1, "setattr": 1, "delattr": 1, "getattr_static": 1, "attrgetter": 0, "methodcaller": 0}
FORMATTERS = ("format", "format_map", "vformat", "get_field")  # a format string's fields read attributes
TOKEN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
DOTTED = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")  # what getattr or attrgetter could take
FIELD = re.compile(r"\{[^{}]*\}")  # a format field: "{0.f_back}"
PLAIN_FIELD = re.compile(r"[A-Za-z_0-9]*")  # a field that reads no attribute and no item
TIMERS = static.TIMERS  # timeit's: a string statement is compiled and run
COMPREHENSIONS = (ast.ListComp, ast.GeneratorExp)
LIBRARY_STATE_OK = (*guard.SETTINGS, "pandas.options", "matplotlib.rcParams", "matplotlib.pyplot.rcParams",
                    "matplotlib.style")  # namespaces of settings (torch.backends.cudnn.deterministic = True), read by
# no probe, below which a store sets a setting
SWITCHES = tuple(f"tqdm.{bar}.monitor_interval" for bar in ("tqdm", "std.tqdm", "auto.tqdm", "autonotebook.tqdm",
                                                             "notebook.tqdm", "asyncio.tqdm"))
# (settings themselves, nothing below them: tqdm's documented switch for its monitor thread, which the sandbox holds
# at 0; a thread it starts counts as the file's own)
OWN = ("self", "cls")  # a method's own object: what it holds is the student's
METADATA = ("__doc__", "__name__", "__qualname__", "__module__", "__annotations__", "__signature__")  # set by a
# decorator on its wrapper
MAGIC_FILES = ("<%timeit>", "<%%timeit>", "<cell magic>")  # autograd_exercises.magics' own exec(compile(…))


FOREACH = "_foreach_"  # torch's list-at-once arithmetic (torch._foreach_add_): private by name, plain ops by nature


def door(source: str) -> tuple[str, int] | None:
    """The first door to the grader's objects in ``source`` (what it is, its line), or None. A source that does not
    parse has none here: it does not run either. The builtins ``exec``, ``eval``, ``compile`` count even where the
    file defines a function of that name (a ``def`` under ``if False:`` binds nothing)."""
    tree = _parsed(source)
    if tree is None:
        return None
    found = sorted(_Reading(tree, {}).doors(), key=lambda pair: pair[1])
    return found[0] if found else None


def debugger_calls(source: str, notebook: bool = False) -> list[tuple[str, int, str]]:
    """Each call left in ``source`` that the child runs as a call that does nothing (``pdb.set_trace()``,
    ``breakpoint()``, ``doctest.testmod()``; in a ``notebook``, ``check(…)`` where its cells bind no ``check``: the
    one a test cell above imported), its line, and what the grader does not run (``debugger``)."""
    if not STAND_IN_CALL.search(source) or (tree := _parsed(source)) is None:
        return []  # (every graded file comes here: most have no such call, and are not parsed again)
    reading = _Reading(tree, {})
    found = []
    for node in walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, (ast.Name, ast.Attribute))):
            continue
        if isinstance(node.func, ast.Name) and node.func.id == "breakpoint" and "breakpoint" not in reading.bindings:
            found.append(("breakpoint()", node.lineno, "debugger"))
        elif module := _stand_in_callee(node.func, reading):
            found.append((static._chain(node.func) + "()", node.lineno, guard.KINDS[module]))
        elif notebook and isinstance(node.func, ast.Name) and node.func.id == "check" and \
                "check" not in reading.bindings and "check" not in reading.imports:
            found.append(("check()", node.lineno, "check"))
    return found


def _stand_in_callee(func: ast.Name | ast.Attribute, reading: _Reading) -> str:
    """The module of :data:`guard.STAND_INS` whose call ``func`` is as imported (``pdb`` for ``pdb.set_trace`` or
    ``set_trace`` from ``pdb``); "" for none."""
    target = reading.imports.get(func.id, "") if isinstance(func, ast.Name) else \
        f"{reading.imports.get(func.value.id, '')}.{func.attr}" if isinstance(func.value, ast.Name) else ""
    module, _, call = target.rpartition(".")
    if "." in module and not isinstance(func, ast.Name):
        return ""  # (a package's module stands in only as ``from … import check``: :func:`guard.stand_in`)
    return module if call in guard.STAND_INS.get(module, ()) else ""


class _Reading:
    """One file's (or one magic's code's) doors, in one walk over it (and one for its imports)."""

    def __init__(self, tree: ast.Module, imports: dict[str, str], guarded: bool = True) -> None:
        self.tree = tree
        self.imports = {**imports, **_imports(tree)}  # name -> dotted target (``import inspect as i``: i -> inspect)
        self.guarded = guarded  # runs with the module's guarded builtins (a timeit's string: with the real ones)

    @functools.cached_property
    def bindings(self) -> collections.Counter:
        """How many places bind each name (:func:`_bound_here`)."""
        return collections.Counter(name for node in walk(self.tree) for name in static.bound_here(node))

    @functools.cached_property
    def star_reads(self) -> frozenset[str]:
        """The names the module's own scope reads (in no function that binds them; a class body's reads may be the
        module's), but for private ones: what a ``from m import *`` may have bound for them."""
        return frozenset(name for name in scopes.module_reads(self.tree) if not name.startswith("_"))

    @functools.cached_property
    def literals(self) -> dict[str, set[str]]:
        return literals.literal_names(self.tree, self.bindings)

    @functools.cached_property
    def parents(self) -> dict[int, ast.AST]:
        return {id(child): node for node in walk(self.tree) for child in children(node)}

    def doors(self) -> list[tuple[str, int]]:
        found: list[tuple[str, int]] = []
        skip: set[int] = set()  # docstrings, and magics' own exec(compile(…)) (their code is read instead)
        for node in walk(self.tree):
            if id(node) in skip:
                skip.update(id(child) for child in children(node))
                continue
            if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.body \
                    and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant):
                skip.add(id(node.body[0].value))
            if (inner := _magic_code(node)) is not None:
                found += [(what, node.lineno) for what, _ in _Reading(inner, self.imports).doors()]
                skip.update(id(child) for child in children(node))
                continue
            if what := self.door_of(node) or self.lookup_door(node):
                found.append((what, getattr(node, "lineno", 0)))
        return found

    def door_of(self, node: ast.AST) -> str:
        """What ``node`` reaches the grader's objects through ("" for nothing)."""
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            starred = isinstance(node, ast.ImportFrom) and any(alias.name == "*" for alias in node.names)
            return "" if self.debugger_only(node) else _import_door(node, self.star_reads if starred else frozenset())
        if isinstance(node, ast.Attribute):
            return self.attribute_door(node)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in NAMES \
                and node.id not in self.imports and node.lineno <= self.own_definitions.get(node.id, 1 << 30):
            return NAMES[node.id]  # (the builtin, unless the file's own top-level def of that name ran before)
        if isinstance(node, ast.Name) and self.called(node) and self.resolved(node).split(".")[-1] in VIEWING_ARRAYS \
                and self.resolved(node).split(".")[0] == "numpy":
            return f"reaches {ATTRIBUTES['untyped_storage']} ({node.id})"  # (``from numpy import ndarray``, called)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and self.callee(node) in LOOKUPS \
                and not self.called(node) and not self.guarded_builtin(node):
            return f"passes {self.callee(node)} around (a lookup by a name no reading sees)"
        if isinstance(node, ast.MatchClass):  # case object(tb_frame=t) reads t = subject.tb_frame
            return next(filter(None, (self.attribute_door(ast.Attribute(value=ast.Name("?"), attr=attr, ctx=ast.Load()))
                                      for attr in node.kwd_attrs)), "")
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
            return self.store_door(node)
        if isinstance(node, ast.ClassDef):
            return self.tensor_class_door(node)
        if isinstance(node, ast.Call) and isinstance(node.func, (ast.Name, ast.Attribute)) and len(node.args) == 3 \
                and static._chain(node.func).split(".")[-1] in ("type", "new_class"):
            return "makes a class as it runs (type with three arguments), which no reading sees"
        if isinstance(node, ast.keyword) and node.arg in ATTRIBUTES:
            return f"reaches {ATTRIBUTES[node.arg]}"
        if isinstance(node, ast.keyword) and node.arg == "eval_str" and not static._is_false(node.value):
            return "evaluates annotations as code (eval_str), which no reading sees"  # inspect.signature: red team 28
        if isinstance(node, ast.Call) and any(k.arg == "namespace" for k in node.keywords) \
                and self.callee(node.func) in PARSERS:
            return f"has argparse set attributes on any object by name ({self.callee(node.func)}'s namespace)"
        if isinstance(node, ast.keyword) and (
                node.arg == "weights_only" and not (isinstance(node.value, ast.Constant) and node.value.value is True)
                or node.arg == "allow_pickle" and not static._is_false(node.value)):
            return f"loads pickled objects ({node.arg}), which can call any function"
        if isinstance(node, ast.keyword) and node.arg in VIEWED_KEYWORDS:  # (red team 238: ndarray.resize(refcheck=
            return f"reaches {ATTRIBUTES['untyped_storage']} ({node.arg})"  # False) frees a block a view reads; an
        # array made over a buffer=, as ndarray, recarray and chararray make one, lets go of it: walkthrough 72)
        return ""

    def module_chain(self, node: ast.AST) -> bool:
        """``node`` is an imported module or a dotted chain from one (``copy``, ``np.random``): no object the file
        made, no call's result."""
        while isinstance(node, ast.Attribute):
            node = node.value
        return isinstance(node, ast.Name) and node.id in self.imports \
            and self.bindings[node.id] == self.import_bindings[node.id]

    @functools.cached_property
    def import_bindings(self) -> collections.Counter:
        """How many imports bind each name (a name bound otherwise too may hold anything)."""
        return collections.Counter(name for statement in walk(self.tree)
                                   if isinstance(statement, (ast.Import, ast.ImportFrom))
                                   for name, _ in static.imported(statement))

    def debugger_only(self, node: ast.Import | ast.ImportFrom) -> bool:
        """``import pdb`` (``from pdb import set_trace``, ``import doctest``) whose names the file only calls as
        ``pdb.set_trace()`` (``doctest.testmod()``): the child hands such an import a stand-in whose calls do nothing
        (:func:`guard.stand_in`)."""
        if not _stand_in_import(node):
            return False
        names = {alias.asname or alias.name for alias in node.names}
        if any(name in BUILTIN_NAMES or self.bindings[name] != self.stand_in_names[name] for name in names):
            return False  # (red team 64: `from pdb import set_trace as getattr` hid the real getattr's lookups)
        calls = guard.STAND_INS[node.names[0].name] if isinstance(node, ast.Import) else None
        return all(self.stand_in_call(use, calls) for use in walk(self.tree)
                   if isinstance(use, ast.Name) and use.id in names and isinstance(use.ctx, ast.Load))

    @functools.cached_property
    def stand_in_names(self) -> collections.Counter:
        """How many imports of a stand-in (:func:`_stand_in_import`) bind each name."""
        return collections.Counter(alias.asname or alias.name for node in walk(self.tree)
                                   if isinstance(node, (ast.Import, ast.ImportFrom)) and _stand_in_import(node)
                                   for alias in node.names)

    def stand_in_call(self, use: ast.Name, calls: tuple[str, ...] | None) -> bool:
        """``use`` is called as one of the module's ``calls`` (``pdb.set_trace(…)``), or itself (``set_trace(…)``,
        ``calls`` None)."""
        callee = self.parents.get(id(use))
        if calls is not None:
            if not (isinstance(callee, ast.Attribute) and callee.attr in calls):
                return False
        else:
            callee = use
        call = self.parents.get(id(callee))
        return isinstance(call, ast.Call) and call.func is callee

    def foreach(self, node: ast.Attribute) -> bool:
        """``torch._foreach_add_`` and its kin: the list-at-once arithmetic torch's optimizers run, on the tensors
        they are handed (fairness 28: an ``sgd_step`` that updates every parameter at once scored zero)."""
        return node.attr.startswith(FOREACH) and self.resolved(node.value) == "torch"

    def attribute_door(self, node: ast.Attribute) -> str:
        owner = self.imports.get(node.value.id) or self.library_names.get(node.value.id, "") \
            if isinstance(node.value, ast.Name) else ""  # (``tool = inspect``, then ``tool.stack``: red team 95)
        if node.attr in ("__setattr__", "__delattr__") and not self.own_setter(node):
            return f"sets attributes past an object's own rules ({node.attr} on other than self or cls)"
        if node.attr.startswith("_") and not node.attr.startswith("__") and not self.foreach(node) and (
                self.torch_chain(node.value) or node.attr in torch_private() and static._root_name(node.value) not in OWN):
            return f"reaches torch's private internals ({static._chain(node)})"  # also lib._C with lib a parameter
        if node.attr in ATTRIBUTES:
            return f"reaches {ATTRIBUTES[node.attr]} ({node.attr})"
        if node.attr == "storage" and self.called(node):  # (a tensor's storage, resized under it: guard.MEMORY_DOORS)
            return f"reaches {ATTRIBUTES['untyped_storage']} (storage)"
        if node.attr in VIEWING_ARRAYS and (self.called(node) or isinstance(self.parent_of(node), ast.Attribute)):
            return f"reaches {ATTRIBUTES['untyped_storage']} ({node.attr})"  # (red team 238: numpy lets go of the
        # buffer it views, as torch.frombuffer does; called, or its __new__ by name: walkthrough 72. isinstance is fine)

        if node.attr in static.DISPATCH_MODULES and self.torch_chain(node.value):
            return f"registers kernels for torch's operators ({static._chain(node)})"
        if (owner, node.attr) in OWNED_DOORS:
            return f"reaches {OWNED_DOORS[owner, node.attr]} ({owner}.{node.attr})"
        if ("jit", node.attr) in OWNED_DOORS and self.resolved(node.value) == "torch.jit":
            return f"reaches {OWNED_DOORS['jit', node.attr]} (torch.jit.{node.attr})"
        if f"{owner}.{node.attr}" in MODULES:  # unittest.mock.patch, logging.config.dictConfig
            return f"{MODULES[owner + '.' + node.attr]} ({owner}.{node.attr})"
        if owner == "inspect" and node.attr in FRAME_FUNCTIONS:
            return f"reaches the call stack's frames (inspect.{node.attr})"
        if owner in static.UNPICKLERS and node.attr in UNPICKLE:
            return f"loads pickled objects ({owner}.{node.attr}), which can call any function"
        if node.attr in YAML_UNSAFE and self.resolved(node.value).split(".")[0] == "yaml":
            return f"loads YAML that can call any function (yaml.{node.attr}: use yaml.safe_load)"
        if node.attr in (*LOOKUPS, "__getattribute__") and isinstance(node.value, (ast.Name, ast.Attribute)) \
                and not self.called(node):
            return f"passes {node.attr} around (a lookup by a name no reading sees)"
        if node.attr == "modules" and not self.called(node) and not static.modules_asked(node, self.parent_of):
            return "reaches every loaded module (sys.modules)"  # however sys was reached (nn.Module.modules() is called)
        if node.attr == "__dict__" and static._root_name(node.value) not in OWN:
            return "reads an object's every attribute (__dict__)"
        if node.attr in UNPICKLE_ANYWHERE:
            return f"loads pickled objects ({node.attr}), which can call any function"
        if node.attr.startswith("_") and not node.attr.startswith("__") and node.attr not in PRIVATE_OK \
                and self.module_chain(node.value) and not self.foreach(node):
            return f"reaches a library's private internals ({static._chain(node)})"  # (red team 72: copy's
        return ""  # _deepcopy_dispatch and re's _cache, filled with autograd's answers and read back by hand)

    def lookup_door(self, node: ast.AST) -> str:
        """A lookup by name that may reach a door: ``getattr(f, "__globals__")`` is ``f.__globals__``; a computed name
        (``getattr(m, "mod" + "ules")``) could be any, on other than ``self`` or ``cls``; ``vars(o)`` holds every
        attribute of ``o``. A string naming a door (``"f_back"``) counts wherever it is."""
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and (named := _named_door(node.value)):
            return f"names {ATTRIBUTES[named]} ({named!r})"  # also "x.tb_frame", "{0.f_back}"
        if isinstance(node, ast.Constant) and node.value in UNPICKLE_ANYWHERE:  # **{"weights_only": False}
            return f"loads pickled objects ({node.value}), which can call any function"
        if isinstance(node, ast.Constant) and node.value in VIEWED_KEYWORDS:  # **{"refcheck": False} (walkthrough 72)
            return f"reaches {ATTRIBUTES['untyped_storage']} ({node.value})"
        if not isinstance(node, ast.Call):
            return ""
        name = self.callee(node.func)
        if name == "vars" and node.args and not self.guarded_builtin(node.func) and not (
                isinstance(node.args[0], ast.Name) and (node.args[0].id in OWN or node.args[0].id in self.own_instances)):
            return "reads an object's every attribute (vars)"
        if name in FORMATTERS and isinstance(node.func, ast.Attribute) and not self.literal_text(node.func.value) \
                and not (node.args and all(isinstance(arg, ast.Constant) for arg in node.args) and not node.keywords):
            return f"formats a string built as it runs ({name}: its fields can read any attribute)"
        if name in ("get_field", "vformat") or name == "Formatter" and (node.args or node.keywords) and not any(
                self.literal_text(value) for value in [*node.args[:1], *(k.value for k in node.keywords if k.arg == "fmt")]):
            return f"formats a string built as it runs ({name}: its fields can read any attribute)"
        if name in ("update_wrapper", "wraps") and self.resolved(node.func).split(".")[0] == "functools" and (
                any(k.arg in ("assigned", "updated") for k in node.keywords) or len(node.args) > (2 if name[0] == "u" else 1)):
            return f"copies attributes by the names it is given ({name}), a lookup no reading sees"
        if name in TIMERS and _timer(self.resolved(node.func)):
            return self.timed_door(node, name)
        if name in ("setattr", "delattr", "__setattr__", "__delattr__") and node.args:
            owner = self.set_on(node, name)
            if owner is not None and (what := self.library_target(owner, leaf=False)):
                return f"changes a library's object ({what})"
        index = len(node.args) - 1 if name == "__getattribute__" else LOOKUPS.get(name)
        if index is None:
            return ""
        owner = node.args[0] if index == 1 and node.args else ast.Name("?")
        literal = node.args[index] if 0 <= index < len(node.args) else None
        if isinstance(literal, ast.Constant) and isinstance(literal.value, str):
            return self.attribute_door(ast.Attribute(value=owner, attr=literal.value, ctx=ast.Load()))
        if isinstance(owner, ast.Name) and (owner.id in OWN or owner.id in self.own_instances):
            return ""
        if isinstance(literal, ast.Name) and literal.id in self.literals:  # for name in ("w", "b"): getattr(m, name)
            return next(filter(None, (self.attribute_door(ast.Attribute(value=owner, attr=text, ctx=ast.Load()))
                                      for text in sorted(self.literals[literal.id]))), "")
        if self.guarded_builtin(node.func):
            return ""  # getattr(F, self.activation): the run refuses a door's name (sandbox/guard.py)
        return f"looks an attribute up by a computed name ({name})"

    def own_setter(self, node: ast.Attribute) -> bool:
        """``node`` (``….__setattr__``) sets an attribute of a method's own object: ``self.__setattr__(…)``,
        ``super().__setattr__(…)``, or ``object.__setattr__(self, …)`` called right there. Any other (``object.__setattr__``
        on a module passed in, or the function kept to call later) passes by a read-only module's own rules (red team
        53)."""
        if isinstance(node.value, ast.Name) and node.value.id in OWN or isinstance(node.value, ast.Call) \
                and _is_super(node.value):
            return True
        call = self.parents.get(id(node))
        return isinstance(call, ast.Call) and call.func is node and bool(call.args) \
            and isinstance(call.args[0], ast.Name) and (call.args[0].id in OWN or self.fresh_in(call.args[0].id, call))

    def fresh_in(self, name: str, node: ast.AST) -> bool:
        """``name`` is, in the function around ``node``, a local only ever bound to a new object by
        ``object.__new__(…)``, ``super().__new__(…)`` or a class of the file's (:meth:`fresh_maker`; a frozen class's
        factory fills it with ``object.__setattr__``): never a module or a class of a library's. A name of the module's
        own, ``globals()["name"] = contextlib`` can rebind unseen (this change's own red team): it never counts."""
        function = self.parents.get(id(node))
        while function is not None and not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            function = self.parents.get(id(function))
        made = bound = 0
        for inner in walk(function) if function is not None else ():
            bound += static.bound_here(inner).count(name)  # (a parameter, global or nonlocal counts, never made)
            made += isinstance(inner, ast.Assign) and len(inner.targets) == 1 and isinstance(inner.targets[0], ast.Name) \
                and inner.targets[0].id == name and isinstance(inner.value, ast.Call) \
                and isinstance(inner.value.func, ast.Attribute) and inner.value.func.attr == "__new__" \
                and self.fresh_maker(inner.value.func.value)
        return 0 < made == bound

    def fresh_maker(self, owner: ast.AST) -> bool:
        """``owner.__new__`` makes a new object: ``object``'s, ``super()``'s, or that of a class of the file's own
        (bound once) none of whose classes in the file defines ``__new__``."""
        if isinstance(owner, ast.Call):
            return _is_super(owner)
        if not isinstance(owner, ast.Name):
            return False
        if owner.id == "object":
            return True
        lineage = self.lineage(self.class_defs[owner.id][0]) if len(self.class_defs.get(owner.id, [])) == 1 \
            and self.bindings[owner.id] == 1 else []
        return bool(lineage) and not any(isinstance(item, ast.FunctionDef) and item.name == "__new__"
                                         for cls in lineage for item in cls.body)

    def guarded_builtin(self, func: ast.AST) -> bool:
        """``func`` is the module's own ``getattr``, ``setattr``, ``delattr`` or ``vars``, which the sandbox guards by
        the name it is given at run time (:mod:`autograd_exercises.sandbox.guard`): a builtin name the file never
        binds, in code that runs with the module's builtins."""
        return self.guarded and isinstance(func, ast.Name) and func.id in GUARDED and func.id not in self.imports \
            and not self.bindings[func.id]

    def callee(self, func: ast.AST) -> str:
        """The name of what ``func`` calls, through an import under another name (``from operator import attrgetter
        as pick``: ``pick`` is ``attrgetter``)."""
        if isinstance(func, ast.Name):
            return self.imports.get(func.id, func.id).split(".")[-1]
        return getattr(func, "attr", "")

    def origin(self, name: str) -> str:
        """The dotted name of the library object ``name`` is bound to (by an import, or ``T = torch.Tensor``), or ``""``."""
        return self.imports.get(name) or self.library_names.get(name, "")

    def torch_chain(self, node: ast.AST) -> bool:
        """``node`` is torch or a part of it, by name (``torch``, ``torch.autograd``, ``T`` for ``T = torch.Tensor``)."""
        return self.origin(static._chain(node).split(".")[0]).split(".")[0] == "torch"

    def resolved(self, node: ast.AST) -> str:
        """``node``'s dotted name, through the file's imports and names for a library's objects (``T`` for ``T =
        torch.Tensor``: ``torch.Tensor``); its chain as written otherwise."""
        parts = static._chain(node).split(".")
        dotted = self.origin(parts[0])
        return ".".join([dotted, *parts[1:]]) if dotted else ".".join(parts)

    def tensor_class_door(self, node: ast.ClassDef) -> str:
        """A class of tensors of the file's own that answers what autograd reports (``grad``, ``grad_fn``…) itself, in
        its body or in a base class of the file's (``class Loss(Quiet, torch.Tensor)`` with ``Quiet.grad_fn = None``:
        red team 53): the probes would read its answers for the real ones."""
        lineage = self.lineage(node)
        named = any(self.resolved(base).split(".")[-1] in ("Tensor", "Parameter", "TensorBase")
                    for cls in lineage for base in cls.bases)  # (a tensor class by name, not only maybe: ``type(t)``)
        tensor = named or any(isinstance(_root_node(base), ast.Call)  # (type(t): its own bases only)
                              or CLASS_PARTS & set(static._chain(base).split(".")) for base in node.bases)
        if tensor and any(self.unknown_base(base) and (named or not isinstance(_root_node(base), ast.Call))
                          for cls in lineage for base in cls.bases):
            lineage = [cls for defs in self.class_defs.values() for cls in defs]  # (any of the file's classes may be
            # that base: red team 152's ``class Liar(MIXINS[0], torch.Tensor)`` with ``MIXINS = [Mixin]``)
        own = {name for cls in lineage for item in cls.body for name in (
            [item.name] if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) else
            [t.id for t in getattr(item, "targets", [getattr(item, "target", None)]) if isinstance(t, ast.Name)])}
        told = sorted(own & TENSOR_ATTRIBUTES)
        return f"makes tensors that answer for autograd themselves ({node.name}.{told[0]})" if tensor and told else ""

    def unknown_base(self, base: ast.AST) -> bool:
        """A base class the reading cannot name: neither one of the file's classes by its name, nor a library's object
        (``torch.Tensor``, ``T`` for ``T = torch.Tensor``), nor a builtin the file leaves alone (``object``)."""
        if isinstance(base, ast.Name) and (base.id in self.class_defs or base.id in BUILTIN_NAMES
                                           and base.id not in self.bindings):
            return False
        return not (isinstance(base, (ast.Name, ast.Attribute)) and self.origin(static._chain(base).split(".")[0]))

    def lineage(self, node: ast.ClassDef) -> list[ast.ClassDef]:
        """``node`` and every base class of it the file itself defines (by name, any depth)."""
        found, todo = [node], [node]
        while todo:
            for base in todo.pop().bases:
                for cls in self.class_defs.get(base.id if isinstance(base, ast.Name) else "", []):
                    if cls not in found:
                        found.append(cls)
                        todo.append(cls)
        return found

    @functools.cached_property
    def class_defs(self) -> dict[str, list[ast.ClassDef]]:
        """The file's own ``class`` statements, by the name each binds."""
        defs: dict[str, list[ast.ClassDef]] = {}
        for node in walk(self.tree):
            if isinstance(node, ast.ClassDef):
                defs.setdefault(node.name, []).append(node)
        return defs

    def store_door(self, node: ast.Assign | ast.AugAssign | ast.AnnAssign | ast.Delete) -> str:
        """``torch.autograd.graph.saved_tensors_hooks = Fake`` (or ``json.JSONEncoder = …``, ``T = torch.Tensor;
        T.grad_fn = …``, ``type(x).grad_fn = …``): a library's object changed under the probes that call it."""
        targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
        for target in targets:
            for part in walk(target):
                if isinstance(part, ast.Attribute) and isinstance(part.ctx, (ast.Store, ast.Del)) \
                        and (what := self.library_target(part)):
                    return f"changes a library's object ({what})"
                if isinstance(part, ast.Attribute) and isinstance(part.ctx, (ast.Store, ast.Del)) \
                        and (what := self.special_store(part)):
                    return what
        return ""

    def special_store(self, target: ast.Attribute) -> str:
        """A special method set on an object from outside its class (``hooks.__enter__ = …`` with ``hooks`` a
        parameter that a library's class is passed to), or what autograd reports set on a tensor class of the file's
        own after its ``class`` statement (``Liar.__torch_function__ = …``): red team 51. A method's own ``self`` or
        ``cls``, and a function's name and docstring (``wrapper.__name__ = …``), are the file's."""
        name, root = target.attr, _root_node(target)
        if isinstance(root, ast.Name) and root.id in OWN or name in ATTRIBUTES:  # (those: their own door)
            return ""
        a_class = isinstance(target.value, ast.Name) and target.value.id in self.class_defs  # the file's own
        own_class = a_class and self.bindings[target.value.id] == 1  # (Result.__repr__ = …: bound only there)
        if name.startswith("__") and name.endswith("__") and name not in METADATA \
                and not (own_class and name not in TENSOR_ATTRIBUTES):
            return f"sets a special method from outside its class ({static._chain(target)})"
        if name in TENSOR_ATTRIBUTES and a_class:
            return f"makes tensors that answer for autograd themselves ({static._chain(target)})"
        return ""

    def library_target(self, target: ast.AST, leaf: bool = True) -> str:
        """The chain of ``target`` (an attribute set, or an object whose attribute ``setattr`` sets) where that object
        may be a library's own, shared with the probes: rooted (through attributes and items) at an import or a name
        for a library's object (``T = torch.Tensor``), at ``type(x)`` or ``getattr(…)``, or through a class's dunder
        (``x.__class__``); ``""`` otherwise (``x.grad = None``, ``params[name].requires_grad = False``,
        ``self.w = w``, ``torch.backends.cudnn.deterministic = True``)."""
        chain, root = static._chain(target), _root_node(target)
        parts = chain.split(".")
        if CLASS_PARTS & set(parts):
            return chain
        if isinstance(root, ast.Call):
            return chain if isinstance(root.func, ast.Name) and root.func.id in ("type", "getattr", "vars") else ""
        dotted = self.origin(root.id) if isinstance(root, ast.Name) else ""
        if not dotted or self.a_setting(".".join([dotted, *parts[1:]]), leaf):
            return ""
        return chain

    @staticmethod
    def set_on(node: ast.Call, name: str) -> ast.AST | None:
        """The object whose attribute a call of ``setattr``, ``delattr`` or their dunders (``name``) sets."""
        return node.args[0] if name in ("setattr", "delattr") or len(node.args) == 3 or \
            name == "__delattr__" and len(node.args) == 2 else getattr(node.func, "value", None)

    def a_setting(self, dotted: str, leaf: bool) -> bool:
        """``dotted`` (an object's whole chain; ``leaf``: its last part is the attribute set) is a library's setting: a
        switch of :data:`SWITCHES` itself, or below a namespace of :data:`LIBRARY_STATE_OK` through no attribute the
        file sets in one of them (red team 141: ``torch.backends.holder = torch.Tensor``, then
        ``torch.backends.holder.backward = None``, changed a class of torch's, below a namespace of settings)."""
        if dotted in SWITCHES:
            return leaf
        namespace = _settings_namespace(dotted)
        if namespace is None or dotted == namespace and leaf:
            return False
        between = dotted[len(namespace) + 1:].split(".") if dotted != namespace else []
        between = between[:-1] if leaf else between
        return not (set(between) & self.set_in_settings or between and "" in self.set_in_settings)

    @functools.cached_property
    def set_in_settings(self) -> frozenset[str]:
        """The attributes the file sets, or deletes, on an object below a namespace of :data:`LIBRARY_STATE_OK` (``""``
        for a name computed as it runs)."""
        found: set[str] = set()
        for node in walk(self.tree):
            if isinstance(node, ast.Attribute) and isinstance(node.ctx, (ast.Store, ast.Del)):
                owner, attribute = node.value, node.attr
            elif isinstance(node, ast.Call) and (name := self.callee(node.func)) in (
                    "setattr", "delattr", "__setattr__", "__delattr__") and node.args:
                owner = self.set_on(node, name)
                at = 1 if owner is node.args[0] else 0  # (``obj.__setattr__(name, value)``: the name first)
                named = node.args[at] if len(node.args) > at else None
                attribute = named.value if isinstance(named, ast.Constant) and isinstance(named.value, str) else ""
            else:
                continue
            if owner is not None and isinstance(root := _root_node(owner), ast.Name) and self.origin(root.id) \
                    and _settings_namespace(self.resolved(owner)) is not None:
                found.add(attribute)
        return frozenset(found)

    @functools.cached_property
    def library_names(self) -> dict[str, str]:
        """Names the file binds only to a library's object by its dotted name (``T = torch.Tensor``, ``g =
        getattr(torch.autograd, "graph")``), with that name; an instance a call makes (``x = torch.ones(3)``) is not
        the library's own."""
        found: dict[str, str] = {}
        for node in walk(self.tree):
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                value = node.value
                if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "getattr" \
                        and len(value.args) >= 2 and isinstance(value.args[1], ast.Constant):
                    value = ast.Attribute(value=value.args[0], attr=str(value.args[1].value), ctx=ast.Load())
                chain = static._chain(value).split(".") if isinstance(value, (ast.Attribute, ast.Name)) else ["?"]
                if chain[0] in self.imports:
                    found[node.targets[0].id] = ".".join([self.imports[chain[0]], *chain[1:]])
                elif isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "type" \
                        or CLASS_PARTS & {part.attr for part in walk(value) if isinstance(part, ast.Attribute)}:
                    found[node.targets[0].id] = "type(…)"  # T = type(x), T = x.__class__: a class, maybe torch's
                elif not any(isinstance(part, ast.Call) for part in walk(value)) and (imported := next(
                        (self.imports[part.id] for part in walk(value)
                         if isinstance(part, ast.Name) and part.id in self.imports), "")):
                    found[node.targets[0].id] = imported  # T = [torch.Tensor][0], T = torch.Tensor if c else int
            elif isinstance(node, (ast.For, ast.comprehension)) and isinstance(node.iter, (ast.List, ast.Tuple)):
                chains = [static._chain(item).split(".") for item in node.iter.elts
                          if isinstance(item, (ast.Attribute, ast.Name))]
                for name in (n.id for n in walk(node.target) if isinstance(n, ast.Name)):
                    found.update({name: ".".join([self.imports[c[0]], *c[1:]]) for c in chains if c[0] in self.imports})
        return found

    def called(self, node: ast.AST) -> bool:
        parent = self.parents.get(id(node))
        return isinstance(parent, ast.Call) and parent.func is node

    @functools.cached_property
    def own_instances(self) -> frozenset[str]:
        """:func:`static.own_data`: ``vars(args)``, ``setattr(config, key, value)``, ``getattr(example, f.name)`` on
        them reach nothing of the grader's."""
        return static.own_data(self.tree, self.bindings, self.imports)

    def timed_door(self, call: ast.Call, name: str) -> str:
        """What a :mod:`timeit` call runs: its statement and its setup, each code it calls (a ``lambda``, the file's
        own ``def``) or a string built of literals (every string it may be: :func:`literals.string_values`), read as
        the code it is; anything else is code no reading sees. A built statement may not say ``global``: the names it
        is built of would then be bound where no reading sees."""
        for code in [*call.args[:2], *(k.value for k in call.keywords if k.arg in ("stmt", "setup"))]:
            if self.callable_code(code):
                continue
            texts = literals.string_values(code, self.literals) or [None]
            inners = [_parsed(text) if text is not None else None for text in texts]
            if None in inners:
                return f"runs code from a string ({name}), which no reading sees"
            for inner in inners:
                if not isinstance(code, ast.Constant) and any(isinstance(node, (ast.Global, ast.Nonlocal))
                                                              for node in walk(inner)):
                    return f"runs code from a string built as the file runs that binds the module's names ({name})"
                if found := next((what for what, _ in _Reading(inner, self.imports, guarded=False).doors()), ""):
                    return found
        return ""

    def callable_code(self, node: ast.AST) -> bool:
        """``node`` is code a timer may call rather than a string it would compile: a ``lambda``, or a name only ever
        bound by the file's own ``def``."""
        return isinstance(node, ast.Lambda) or isinstance(node, ast.Name) and node.id in self.functions

    @functools.cached_property
    def functions(self) -> frozenset[str]:
        defined = collections.Counter(node.name for node in walk(self.tree)
                                      if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)))
        return frozenset(name for name, count in defined.items() if count == self.bindings[name])

    def parent_of(self, node: ast.AST) -> ast.AST | None:
        return self.parents.get(id(node))

    def literal_text(self, node: ast.AST, depth: int = 0) -> bool:
        """``node`` is a string the file writes out: a literal, or a name that only ever holds literals, or one built
        of literal pieces (``+``, ``*``, ``" | ".join([...])``, ``a if c else b``, an item of a literal dict) that are
        each whole format fields with plain names (:func:`_plain_template`): no field of theirs, nor any their joins
        make, reads an attribute or an item."""
        if isinstance(node, ast.Constant) and isinstance(node.value, str) or \
                isinstance(node, ast.Name) and node.id in self.literals:
            return True
        if depth > 8 or not (pieces := self.template_pieces(node, depth)):
            return False
        return all(_plain_template(piece) for piece in pieces)

    def template_pieces(self, node: ast.AST, depth: int) -> list[str]:
        """The literal strings ``node`` is built of, or ``[]`` where a piece is not a literal."""
        parts: list[ast.AST]
        if isinstance(node, ast.Constant):
            return [node.value] if isinstance(node.value, str) else []
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            parts = [node.left, node.right]
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):  # "{:>10}" * len(row), n * "{}": the
            # string's pieces (a count has none), each whole fields: no repetition joins a new one
            return self.template_pieces(node.left, depth + 1) or self.template_pieces(node.right, depth + 1)
        elif isinstance(node, ast.IfExp):
            parts = [node.body, node.orelse]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "join" \
                and len(node.args) == 1 and isinstance(node.args[0], (ast.List, ast.Tuple, ast.BinOp, *COMPREHENSIONS)):
            items = node.args[0].left if isinstance(node.args[0], ast.BinOp) else node.args[0]
            parts = [node.func.value, *([items.elt] if isinstance(items, COMPREHENSIONS) else
                                        getattr(items, "elts", [None]))]
        elif isinstance(node, ast.Name) and (value := self.template_values.get(node.id)) is not None:
            parts = [value]
        elif isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) \
                and isinstance(table := self.template_values.get(node.value.id), (ast.Dict, ast.List, ast.Tuple)):
            parts = list(table.values if isinstance(table, ast.Dict) else table.elts)
        else:
            return []
        pieces = [self.template_pieces(part, depth + 1) if part is not None else [] for part in parts]
        return [piece for found in pieces for piece in found] if parts and all(pieces) else []

    @functools.cached_property
    def template_values(self) -> dict[str, ast.AST]:
        """The one value of each name bound once, by ``name = …`` or ``name: str = …``, and never changed in place
        (no item stored into it, no method called on it but ``format``)."""
        values = dict(static.single_values(self.tree, self.bindings))
        values.update({node.target.id: node.value for node in walk(self.tree) if isinstance(node, ast.AnnAssign)
                       and isinstance(node.target, ast.Name) and node.value is not None
                       and self.bindings[node.target.id] == 1})
        changed = {node.value.id for node in walk(self.tree) if isinstance(node, (ast.Subscript, ast.Attribute))
                   and isinstance(node.value, ast.Name) and (not isinstance(node.ctx, ast.Load) or isinstance(
                       node, ast.Attribute) and node.attr not in FORMATTERS)}
        return {name: value for name, value in values.items() if name not in changed}

    @functools.cached_property
    def own_definitions(self) -> dict[str, int]:
        """Names of :data:`NAMES` the file defines itself, unconditionally at its top level and never otherwise:
        the line of that ``def`` (after it, the name is the file's own)."""
        return {node.name: node.lineno for node in self.tree.body if isinstance(node, (ast.FunctionDef, ast.ClassDef))
                and node.name in NAMES and self.bindings[node.name] == 1}


TENSOR_ATTRIBUTES = frozenset({"grad", "grad_fn", "requires_grad", "is_leaf", "data", "retains_grad", "_base",
                               "__getattribute__", "__getattr__", "__torch_function__", "__torch_dispatch__",
                               "as_subclass", "detach", "item", "tolist", "numpy", "__class__", "__float__"})
CLASS_PARTS = {"__class__", "__mro__", "__base__", "__bases__"}  # a class, through one of its objects or another class


def _is_super(call: ast.Call) -> bool:
    """``super()`` (or ``super(C, self)``): a method's own object, through its class's bases."""
    return isinstance(call.func, ast.Name) and call.func.id == "super"


def _settings_namespace(dotted: str) -> str | None:
    """The namespace of :data:`LIBRARY_STATE_OK` that ``dotted`` is, or lies below; None: none."""
    return next((namespace for namespace in LIBRARY_STATE_OK
                 if dotted == namespace or dotted.startswith(namespace + ".")), None)


def _named_door(text: str) -> str:
    """The door ``text`` names where a lookup or a format string could use it: the whole text a dotted name
    (``"tb_frame"``, ``"x.f_back"``), or a door inside a format field (``"{0.f_back}"``); ``""`` for a sentence
    (``"ctypes is not needed here"``)."""
    spans = [text.strip()] if DOTTED.fullmatch(text.strip()) else FIELD.findall(text)
    return next((token for span in spans for token in TOKEN.findall(span) if token in ATTRIBUTES), "")


def _plain_template(text: str) -> bool:
    """``text`` parses as a format string on its own, and each of its fields has a plain name (``{}``, ``{0}``,
    ``{loss:.3f}``): joined to others like it, no field can read an attribute or an item."""
    try:
        return all(field is None or PLAIN_FIELD.fullmatch(field)
                   for _, field, _, _ in string.Formatter().parse(text))
    except ValueError:
        return False


def _timer(target: str) -> bool:
    """``target`` (a resolved dotted name) is a timer that compiles a string statement: timeit's, or torch's own
    (``torch.utils.benchmark``, red team 32)."""
    return target.split(".")[0] == "timeit" or target.startswith("torch.utils.benchmark.")


def _parsed(code: str) -> ast.Module | None:
    try:
        return ast.parse(code)
    except PARSE_ERRORS:
        return None


TENSOR_STATE = guard.TENSOR_STATE
torch_private = guard.torch_private


def _root_node(node: ast.AST) -> ast.AST:
    """What an attribute and subscript chain starts from (``type(x)`` of ``type(x).f``, ``params`` of
    ``params[n].requires_grad``)."""
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node


def _import_door(node: ast.Import | ast.ImportFrom, reads: frozenset[str] = frozenset()) -> str:
    """What an import reaches the grader's objects through ("" for nothing). ``from m import *`` is read as an import
    of each name of ``reads`` (the module's scope reads it) from ``m`` (red team 93: ``from gc import *``, then
    ``get_objects()``, was no import of a door)."""
    if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module in ALLOWED_IMPORTS \
            and all(alias.name in ALLOWED_IMPORTS[node.module] for alias in node.names):
        return ""
    targets = [alias.name for alias in node.names] if isinstance(node, ast.Import) else \
        [target for _, target in static.imported(node)]  # (import logging.config: all of it, not only logging)
    targets += [f"{target[:-2]}.{name}" for target in targets if target.endswith(".*")
                for name in sorted(reads & (static.star_exports(target[:-2].lstrip(".")) or reads))]
    for target in targets:
        parts = target.lstrip(".").split(".")
        if (top := next((".".join(parts[:n]) for n in (2, 1) if ".".join(parts[:n]) in MODULES), "")):
            return f"{MODULES[top]} ({target.lstrip('.')})"
        if parts[0] == "torch" and len(parts) > 1 and parts[1] in static.DISPATCH_MODULES:
            return f"registers kernels for torch's operators ({target.lstrip('.')})"
        if parts[0] == "torch" and any(part.startswith("_") and not part.startswith("__") for part in parts[1:]) \
                and not (len(parts) == 2 and parts[1].startswith(FOREACH)):
            return f"reaches torch's private internals ({target.lstrip('.')})"
        if parts[-1] in ATTRIBUTES or tuple(parts[-2:]) in OWNED_DOORS:
            return f"reaches {ATTRIBUTES.get(parts[-1]) or OWNED_DOORS[tuple(parts[-2:])]} ({target.lstrip('.')})"
        if parts[0] == "inspect" and parts[-1] in FRAME_FUNCTIONS:
            return f"reaches the call stack's frames ({target})"
        if parts[0] in static.UNPICKLERS and parts[-1] in UNPICKLE:
            return f"loads pickled objects ({target}), which can call any function"
        if parts[0] == "yaml" and any(part in YAML_UNSAFE for part in parts[1:]):
            return f"loads YAML that can call any function ({target}: use yaml.safe_load)"
        if parts[-1] in ("modules", "__dict__"):
            return f"reaches every loaded module ({target})"
    for target in targets:
        parts = target.lstrip(".").split(".")
        if any(part.startswith("_") and not part.startswith("__") and part not in PRIVATE_OK for part in parts[1:]) \
                and not (parts[0] == "torch" and len(parts) == 2 and parts[1].startswith(FOREACH)):
            return f"reaches a library's private internals ({target.lstrip('.')})"
    return ""


def _stand_in_import(node: ast.Import | ast.ImportFrom) -> bool:
    """``import pdb`` (``ipdb``, ``doctest``; ``as`` any name; one module a statement) or ``from pdb import
    set_trace`` (or another of the module's calls in :data:`guard.STAND_INS`)."""
    if isinstance(node, ast.ImportFrom):
        return not node.level and node.module in guard.STAND_INS and \
            all(alias.name in guard.STAND_INS[node.module] for alias in node.names)
    return len(node.names) == 1 and node.names[0].name in guard.STAND_INS


def _magic_code(node: ast.AST) -> ast.Module | None:
    """The code of ``exec(compile("<code>", "<%timeit>", "exec"), globals()[, {}])``, as
    :mod:`autograd_exercises.magics` writes a ``%timeit`` or a cell magic's body; else None."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "exec"
            and len(node.args) in (2, 3) and not node.keywords):
        return None
    inner, space = node.args[0], node.args[1]
    if not (isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name) and inner.func.id == "compile"
            and len(inner.args) == 3 and not inner.keywords and all(isinstance(a, ast.Constant) for a in inner.args)
            and inner.args[1].value in MAGIC_FILES and isinstance(inner.args[0].value, str)
            and isinstance(space, ast.Call) and isinstance(space.func, ast.Name) and space.func.id == "globals"
            and not space.args and (len(node.args) == 2 or isinstance(node.args[2], ast.Dict) and not node.args[2].keys)):
        return None
    return _parsed(inner.args[0].value)


def _imports(tree: ast.Module) -> dict[str, str]:
    """Each name an import binds, anywhere in the file, to its dotted target; where a star import may bind a name
    that is a standard module's (``inspect``, which ``matplotlib.artist`` holds: red team 95), that module."""
    found = {name: target.lstrip(".") for node in walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))
             for name, target in static.imported(node)}
    if "*" in found:
        found.update({node.id: node.id for node in walk(tree) if isinstance(node, ast.Name)
                      and node.id in sys.stdlib_module_names and node.id not in found})
    return found


