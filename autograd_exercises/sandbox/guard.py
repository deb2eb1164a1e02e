"""The submission's own ``getattr``, ``setattr``, ``delattr`` and ``vars``: the builtins its module runs with.

The doors reading (:mod:`autograd_exercises.judge.tampering`) refuses a door written out (``f.__globals__``,
``getattr(f, "__globals__")``), but a name computed as the file runs only the run can see: red team 26 read
``__globals__`` off the grader's wrappers left in torch (``forward_ad.make_dual``), by a computed name on objects
the reading took for the file's own. So these four builtins of the submission's module check what they are given:
a door's name (:data:`DOORS`, held to the reading's own by ``tests/test_guard.py``: ``__globals__``, a frame's
links, the garbage collector's lists, ``sys.modules``, ``settrace``…; :data:`OWNED` on their module), a private name
or the namespace of a module or of a class the file did not define, a change to such a module (but a setting of
``torch.backends``) or class, and a value that is a door itself (a module of :data:`DOOR_MODULES`, the real
``getattr`` or ``eval``: :func:`handed`) raise. With them the reading lets every computed ``getattr``, ``setattr``,
``delattr`` and ``vars`` of the module's own code through (``getattr(F, self.activation)``, ``setattr(cfg, key,
value)``). They close over nothing of the grader's: their globals are this small module's.
"""

from __future__ import annotations

import ast
import builtins
import collections
import dis
import functools
import itertools
import os
import re
import sys
import types
from typing import Any

from autograd_exercises.sandbox.protocol import DIFFERENTIATORS, GRADER_PACKAGE

MODULE_HOOKS = tuple(f"register_module_{name}" for name in (  # torch's global module hooks: a file's function run in
    "backward_hook", "buffer_registration_hook", "forward_hook", "forward_pre_hook", "full_backward_hook",  # every
    "full_backward_pre_hook", "module_registration_hook", "parameter_registration_hook"))  # module's call (red team 71)
# Red team 236: torch.frombuffer lets go of the buffer it views (a bytearray grown after it, a new object in the freed
# block: its size set to 2**60, the whole process's memory read and written from Python), and a storage resized under
# its tensor leaves the tensor reading and writing past its end; a storage of one's own becomes a tensor's through
# set_ or a legacy constructor. Any of them rewrites the child's results before it signs them. Red team 238 and
# walkthrough 72: numpy's resize(refcheck=False) frees a block a view reads, and an ndarray, recarray or chararray made
# over a buffer lets go of it. A computed lookup of any name here is refused; the reading refuses each where it is a
# door (judge/tampering.py: ``storage`` and the arrays where called, ``frombuffer`` and ``asarray`` only as torch's,
# ``refcheck`` and ``buffer`` as keywords: :data:`MEMORY_WHERE_USED`).
MEMORY_DOORS = ("from_buffer", "untyped_storage", "_typed_storage", "set_", "Storage",
                "UntypedStorage", "TypedStorage", *(f"{kind}Storage" for kind in (
                    "BFloat16", "Bool", "Byte", "Char", "ComplexDouble", "ComplexFloat", "Double", "Float", "Half",
                    "Int", "Long", "QInt32", "QInt8", "QUInt2x4", "QUInt4x2", "QUInt8", "Short")))
VIEWED_KEYWORDS = ("refcheck", "buffer", "buf")  # the reading's doors as keywords (resize's, the arrays' below)
VIEWING_ARRAYS = ("ndarray", "recarray", "chararray")  # the reading's doors where called, or their __new__ named
MEMORY_WHERE_USED = ("frombuffer", "asarray", "storage", *VIEWING_ARRAYS, "refcheck")
DOORS = frozenset({  # what an attribute name reaches past an object's data (the doors reading's own, by name)
    "f_back", "f_globals", "f_locals", "f_builtins", "tb_frame", "gi_frame", "cr_frame", "ag_frame", "_getframe",
    "_current_frames", "currentframe", "walk_stack", "walk_tb", "get_stack", "get_objects", "get_referrers", "get_referents",
    "modules", "cell_contents", "capture_locals", "ctypeslib", "ctypes", "as_strided", "string_at", "from_address",
    "from_blob", *MEMORY_DOORS, *MEMORY_WHERE_USED, "settrace", "setprofile", "monitoring", "getargvalues", "getmembers",
    "getmembers_static", "classify_class_attrs",
    "getclosurevars", "resolve_name", "ForwardRef", "get_type_hints", "get_annotations", "FunctionType", "CodeType",
    "LambdaType", "co_code", "update_wrapper", "wraps", "attrgetter", "methodcaller", "getattr_static",
    "TorchFunctionMode", "TorchDispatchMode", "BaseTorchFunctionMode", "enable_torch_function_mode",
    "evaluate_forward_ref", "_evaluate", "_eval_type", "singledispatch", "singledispatchmethod",
    "__globals__", "__subclasses__", "__builtins__", "__import__", "__code__", "__defaults__", "__kwdefaults__",
    "__closure__", "__self__", "__func__", "__wrapped__", "__reduce__", "__reduce_ex__", "__getstate__",
    "__getattribute__", "__setattr__", "__delattr__", "__loader__", "__spec__", "__array_interface__",
    "__array_struct__", "__cuda_array_interface__", "builtins", "getmodule", "importlib", "fetch_attr", "get_attr",
    *MODULE_HOOKS,
    "getattr_from_fqn", "getattr_recursive", "create_node", "graph_module",
    "import_item", "import_object", "import_term", "import_string", "EntryPoint", "load_entry_point",
    "import_plugin", "MonkeyPatch", "monkeypatch", "addaudithook", "importorskip", "import_module",
    "_flatten", "_extract_callable_pytree", "globals_dict",  # red team 83: a BlockMask's pytree of a function held
    "deduperreload", "autoreload", "patch_function", "DeduperReloaderPatchingMixin",  # its namespace; IPython's
    "codeobj", "Bytecode",  # reloader swapped its code; red team 84: dis.Bytecode(f).codeobj, read in dis's frame;
    "get_instructions", "aten",  # red team 85: dis's instructions hold code objects; torch.ops.aten, had through
    "hooks_dict_ref", "extra_dict_ref",  # a parameter (t.ops.aten._backward runs autograd's engine past its count);
    "resolve_dotted_attribute", "ForkingPickler"})
# red team 88: a hook handle's live dict of a tensor's hooks, the probes' own among them; red team 96: xmlrpc.server's
# lookup of a dotted name, done in its own frame
DOOR_MODULES = frozenset({  # a module that is a door itself: no lookup may hand it over (the reading's imports)
    "autograd_exercises", "importlib", "runpy", "code", "codeop", "zipimport", "imp", "doctest", "pdb", "bdb",
    "cProfile", "profile", "trace", "pkgutil", "pydoc", "logging.config", "unittest.mock", "mock", "ctypes",
    "_ctypes", "builtins", "_thread", "gc", "marshal", "pickle", "_pickle", "shelve", "dill", "cloudpickle", "joblib",
    "jinja2", "mako", "_pytest", "cgitb"})
OWNED = {  # a name that is a door only on one module
    "inspect": frozenset({"stack", "trace", "getouterframes", "getinnerframes"}),
    "signal": frozenset({"signal"}),
    "torch": frozenset({"fx", "ops", "package"}),
    "torch.jit": frozenset({"fork", "wait", "CompilationUnit", "load"}),  # torch's inter-op threads (TorchScript's too)
    "sys": frozenset({"path", "meta_path", "path_hooks", "path_importer_cache"}),  # where imports come from
    **{name: frozenset({"load", "loads", "Unpickler"}) for name in ("pickle", "_pickle", "marshal", "shelve")},
    "yaml": frozenset({"load", "load_all", "full_load", "full_load_all", "unsafe_load", "unsafe_load_all", "Loader",
                       "FullLoader", "UnsafeLoader", "CLoader", "CFullLoader", "CUnsafeLoader", "constructor", "loader",
                       "add_constructor", "add_multi_constructor", "Constructor", "FullConstructor",
                       "UnsafeConstructor"}),  # PyYAML's loaders that call what a document names
}
SETTINGS = ("torch.backends",)  # modules whose attributes are settings a submission may change (cudnn.deterministic)
_GETATTR, _SETATTR, _DELATTR, _VARS = builtins.getattr, builtins.setattr, builtins.delattr, builtins.vars
_MODULE, _TYPE = types.ModuleType, type
_RAW = tuple(_GETATTR(builtins, name) for name in (  # builtins no lookup may hand a submission (by identity)
    "getattr", "setattr", "delattr", "vars", "eval", "exec", "compile", "__import__", "globals", "locals",
    "breakpoint"))


def refused(owner: Any, name: Any, module: str, change: bool = False) -> bool:
    """Whether the submission (its module's name ``module``) may not look ``name`` up on ``owner`` (or, ``change``,
    set or delete it): a door's name; ``__dict__`` or a private name of a module or of a class the file did not
    define; any change to such a module (but :data:`SETTINGS`) or class."""
    if type(name) is not str:  # a str subclass could answer any comparison: refused; anything else, the builtin's error
        return isinstance(name, str)
    if name in DOORS or change and name.startswith("__") and name.endswith("__"):
        return True
    if isinstance(owner, _MODULE) and name in OWNED.get(_GETATTR(owner, "__name__", ""), ()):
        return True
    if name in torch_private() and _library_private(owner, name, module):
        return True
    if not _foreign(owner, module):
        return False
    settings = isinstance(owner, _MODULE) and _GETATTR(owner, "__name__", "").startswith(SETTINGS)
    private = name.startswith("_") and not (name.startswith("__") and name.endswith("__"))
    return private or name == "__dict__" or change and not settings


_MODULE_SPACE = types.ModuleType.__dict__["__dict__"].__get__  # a module's own namespace, whatever its class says


def handed(value: Any) -> bool:
    """``value`` is a door itself: a module of :data:`DOOR_MODULES` (also below one), or a builtin that runs or looks
    up code by name (the real ``getattr``, ``eval``, ``__import__``…)."""
    if issubclass(type(value), _MODULE):  # (by its type: ``isinstance`` reads a ``__class__`` the object may define)
        name = dict.get(_MODULE_SPACE(value), "__name__", "")  # (its own namespace, past any ``__dict__`` of a class)
        parts = (name if type(name) is str else "").split(".")
        return parts[0] in DOOR_MODULES or ".".join(parts[:2]) in DOOR_MODULES
    return any(value is door for door in _RAW) or any(value is door for door in _LOOKUPS)


TENSOR_STATE = frozenset({"_version", "_base", "_grad", "_is_view"})  # a tensor's own private state: harmless to read


@functools.lru_cache(maxsize=1)
def torch_private() -> frozenset[str]:
    """The private names of torch, its C extension and autograd's modules and classes (``_C``, ``_execution_engine``,
    ``_backward_hooks``…): the doors reading refuses them on any object (torch may be handed in under any name: red
    team 29's ``def top(lib): return lib._C._autograd…``, called with ``torch``), and so does the module's own
    ``getattr`` on a library's object (red team 64's ``getattr(x, "_backward" + "_hooks")``)."""
    import torch

    owners = (torch, torch._C, torch._C._autograd, torch.autograd, torch.autograd.graph, torch.autograd.forward_ad,
              torch.autograd.function, torch.Tensor, torch.autograd.variable.Variable)
    return frozenset({"_engine", *(name for owner in owners for name in dir(owner)
                                   if name.startswith("_") and not name.startswith("__"))} - TENSOR_STATE)


def _library_private(owner: Any, name: str, module: str) -> bool:
    """The private ``name`` is a library's on the instance ``owner``: defined by a class of its lineage the submission
    did not write (a tensor's, even of the file's own tensor class), or held by an instance of a library's class; not
    an attribute of the file's own object (``self._engine``), as the doors reading has it."""
    if not name.startswith("_") or name.startswith("__") and name.endswith("__") or isinstance(owner, (_MODULE, _TYPE)):
        return False
    for klass in _MRO(_TYPE(owner)):
        if name in _TYPE_DICT(klass):
            return _GETATTR(klass, "__module__", "") != module
    return _GETATTR(_TYPE(owner), "__module__", "") != module


_MRO, _TYPE_DICT = type.__dict__["__mro__"].__get__, type.__dict__["__dict__"].__get__


def _foreign(owner: Any, module: str) -> bool:
    """``owner`` is a module, or a class the submission's module did not define."""
    return isinstance(owner, _MODULE) or isinstance(owner, _TYPE) and _GETATTR(owner, "__module__", "") != module


_BUILTIN = type(len)
_RAW_IDS = frozenset(id(door) for door in _RAW)
_GET = types.ModuleType.__getattribute__
_FRAME = sys._getframe
_IMPORT = builtins.__import__
_LIBRARY: list[tuple[str, ...]] = [("\0",)]  # where library code lies (:func:`guard_modules`)
_SUBMISSION: list[str] = ["\0"]  # the submission's scratch folder (:func:`enter`): never library code
_GUARDED = [0]  # len(sys.modules) when every module was last guarded


class GuardedModule(types.ModuleType):
    """A module that hands the submission's code no door (:func:`handed`: the builtins module, ``importlib``,
    ``ctypes``, the real ``eval``…) under any name: the doors reading knows doors by their names, and a library may
    keep one under any (red team 55: ``enum.bltns`` is the builtins module, whose ``isinstance`` the submission
    replaced while a probe ran; ``inspect.importlib`` imported ``ctypes``). A door module is handed to no code at all
    as another module's attribute (but a package's own submodule, ``importlib.util``): a library's lookup by a dotted
    name did it for the submission (red team 56: ``torch.fx.Interpreter.fetch_attr("e.bltns.eval")``); the library's
    own code names such a module as its global, never so. One of the builtins that run code is handed to library
    code only (who asks is told by the file its code was compiled from: :func:`_from_submission`). Only a module
    that holds a door, or a package (a module it hands on is guarded in turn, so that one a library imports later is
    too), is one (:func:`needs_guard`): every other lookup stays as fast as it was."""

    def __getattribute__(self, name: str) -> Any:
        if name == "__all__" and _from_submission():
            return _star_names(self)
        value = _GET(self, name)
        if type(value) is _BUILTIN:
            if id(value) in _RAW_IDS and _from_submission():
                raise AttributeError(f"the grader does not let a submission take {name!r} from a module: it runs or "
                                     "looks up code no reading sees")
        elif isinstance(value, _MODULE):
            if type(value) is _MODULE and needs_guard(value):
                value.__class__ = GuardedModule
            if (handed(value) or foreign(value) and _from_submission()) and \
                    _GET(value, "__name__") != f"{_GET(self, '__name__')}.{name}":
                raise AttributeError(f"the grader does not let a submission reach the module "
                                     f"{_GET(value, '__name__')!r} through {_GET(self, '__name__')}.{name}")
        return value


EXEMPT = frozenset({"torch"})  # read on every torch call: the reading refuses the names its doors have there
# (``torch.builtins``, ``torch.ctypes``, ``torch.importlib``: tests/test_guard.py holds the two to each other)
_STAR_DOORS = {  # modules whose doors are functions -> the names their star import never binds in the submission
    name: DOORS | OWNED.get(name, frozenset()) for name in (*DOOR_MODULES, *OWNED, "inspect", "traceback", "types")
    if name not in EXEMPT and name != "sys"}  # (any other guarded module: DOORS; sys, read everywhere, is not one)


def _star_names(module: types.ModuleType) -> list[str]:
    """What ``from module import *`` binds in the submission's code: the module's ``__all__`` (else its names without a
    leading underscore), less its doors by name (:data:`_STAR_DOORS`: red teams 93 and 94 bound ``gc.get_objects`` so,
    in a scope the reading took for another) and the names of values no lookup hands the submission (a door module:
    ``torch.nn.functional``'s ``importlib``, which its star import then failed on)."""
    space = _VARS(module)
    names = space["__all__"] if isinstance(space.get("__all__"), (list, tuple)) else \
        [key for key in space if not key.startswith("_")]
    own = _GET(module, "__name__")
    doors = _STAR_DOORS.get(own, DOORS)
    return [key for key in names
            if type(key) is str and key not in doors and not _handed_value(space.get(key), key, own)]


def _handed_value(value: Any, name: str, owner: str) -> bool:
    """``value`` (``owner``'s attribute ``name``) is one that :class:`GuardedModule` hands no submission."""
    if type(value) is _BUILTIN:
        return id(value) in _RAW_IDS
    return isinstance(value, _MODULE) and (handed(value) or foreign(value)) and \
        _GET(value, "__name__") != f"{owner}.{name}"


def doors_held(module: types.ModuleType) -> list[str]:
    """The names under which ``module`` holds a door (:func:`handed`, or one of the real builtins that run code)."""
    try:
        space = _VARS(module)
    except TypeError:
        return []
    return [name for name, value in list(space.items())
            if type(value) is _BUILTIN and id(value) in _RAW_IDS or isinstance(value, _MODULE) and
            (handed(value) or foreign(value))]


def foreign(module: types.ModuleType) -> bool:
    """A module the submission may reach by its own name only: one it may not import (:func:`importable`: red team 82
    found ``hypothesis`` on numpy's test modules), or a library that differentiates, which the by-hand reading knows
    by its name (red team 82: ``fontTools.misc.symfont.sp`` is sympy)."""
    name = str(_GETATTR(module, "__name__", ""))
    return not importable(name) or name.split(".")[0] in DIFFERENTIATORS


_PLAIN: set[int] = set()  # the modules found not to need it (a module lives as long as the process)


def needs_guard(module: types.ModuleType) -> bool:
    """A package, or a module that holds a door; never one of :data:`EXEMPT`."""
    if id(module) in _PLAIN:
        return False
    name = _GET(module, "__name__")
    if name not in EXEMPT and ("__path__" in _VARS(module) or name in _STAR_DOORS or doors_held(module)):
        return True
    _PLAIN.add(id(module))
    return False


def _from_submission() -> bool:
    """Whether the code asking (two frames up: the caller of :meth:`GuardedModule.__getattribute__`, or of the C
    function that called it) is not a library's or the grader's: the submission's, or code made from a string."""
    return not_library(_FRAME(2).f_code.co_filename)


def not_library(filename: str) -> bool:
    """Code compiled from ``filename`` is the submission's, or made from a string: no library's, nor the grader's."""
    return filename.startswith(_SUBMISSION[0]) or not filename.startswith(_LIBRARY[0])


RUNTIME_NAMES = frozenset({"getattr", "setattr", "delattr", "vars", "eval", "exec", "compile", "__import__", "globals",
                           "locals", "breakpoint", "__builtins__", "open"})  # builtins code made from a string never needs
RUNTIME_ATTRIBUTES = DOORS | {"__dict__", "__mro__", "__bases__", "__base__"}
_SETTERS = ("__setattr__", "__delattr__")  # a frozen dataclass's own: ``__dataclass_builtins_object__.__setattr__(self, …)``
_ITS_OWN = ("self", "cls", "__dataclass_self__")
_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=]", re.MULTILINE)


def door_in_code(source: Any) -> str:
    """What code compiled from a string while the submission's code is on the stack reaches past its data ("" for
    nothing): an import, a builtin that looks up or runs code by name (:data:`RUNTIME_NAMES`: with a string, no
    guard of the submission's module checks the name), or a door's attribute (:data:`RUNTIME_ATTRIBUTES`), but a frozen
    dataclass's own ``__setattr__`` of ``self``. Such code is made by a library from the submission's strings: red team
    58 pasted a comprehension into the ``__eq__`` that ``dataclasses`` writes (a field "name" of the class's
    ``__annotations__``) and had ``contextlib.ExitStack`` call ``exec``; no reading of the file had seen either. The
    code ``dataclasses``, ``namedtuple`` and ``typing`` write for honest classes reaches none of these. Source that is
    not text, or declares an encoding (compile honours it, this reading might not), is a door itself."""
    if type(source) is bytes or type(source) is bytearray:  # (by type: a subclass's methods would run here)
        if _COOKIE.search(bytes(source[:400])):
            return "code that declares its own encoding"
        try:
            source = bytes(source).decode("utf-8")
        except UnicodeDecodeError:
            return ""  # compile refuses it too
    if type(source) is not str:
        return "code given as a syntax tree"
    try:
        tree = ast.parse(source)
    except RecursionError:  # (the parse ran out of stack: the reading's caller was deep in it, red team 127)
        return "code compiled too deep in the stack to be read"
    except (SyntaxError, ValueError, MemoryError):
        return ""  # compile refuses it too
    nodes = list(ast.walk(tree))
    rebound = any(isinstance(node, ast.Name) and node.id in _ITS_OWN and not isinstance(node.ctx, ast.Load)
                  or isinstance(node, ast.Lambda) and any(arg.arg in _ITS_OWN for arg in node.args.args)
                  for node in nodes)
    for node in nodes:
        if isinstance(node, (ast.Import, ast.ImportFrom)) and not loaded_import(node):
            return "an import"
        if isinstance(node, ast.Name) and node.id in RUNTIME_NAMES:
            return node.id
        if isinstance(node, ast.Attribute) and node.attr in RUNTIME_ATTRIBUTES and \
                not (node.attr in _SETTERS and not rebound and _own_setter(node.value)):
            return node.attr
        if isinstance(node, ast.Attribute) and node.attr.startswith("_") and node.attr in torch_private():
            return f"torch's private {node.attr}"  # (red team 79: pandas.eval("t._C._autograd…", local_dict={"t": torch}))
    return ""


MAIN = "__main__"  # what a timer's ``setup="from __main__ import f, x"`` names: the submission's own module


def loaded_import(node: ast.Import | ast.ImportFrom) -> bool:
    """An import in code made from a string that runs no code and hands no door, as a timer's setup writes it
    (``setup="import torch"``, ``setup="from __main__ import f, x"``; fairness: the file ran as a script, and scored
    zero): absolute, of a module already imported that is no door (nor within one, nor the grader's), each name taken
    from it already there and no door of it, and no private name of a library; ``from __main__ import`` takes names
    from the submission's own module (the child's ``__main__``), never all of them. Any other import would run a
    module's code no reading has seen, or hand the submission a module it could change."""
    if isinstance(node, ast.Import):
        return all(_plain_loaded(alias.name) for alias in node.names)
    if node.level or not node.module or any(alias.name == "*" for alias in node.names):
        return False
    names = [alias.name for alias in node.names]
    if node.module in (MAIN, OWN_MODULE[0]):  # (its namespace is the submission's: nothing of it is run here, red team
        return not any(name in RUNTIME_NAMES or name in RUNTIME_ATTRIBUTES for name in names)  # 128 ran its code so)
    if not _plain_loaded(node.module):
        return False
    space = _VARS(sys.modules[node.module])
    return all(name in space and not name.startswith("_") and name not in DOORS and
               name not in OWNED.get(node.module, ()) and not (issubclass(type(space[name]), _MODULE)
                                                               and handed(space[name]))
               for name in names)


def _plain_loaded(name: str) -> bool:
    """The module ``name`` is imported already, and neither it nor a package it lies in is a door, private, the
    grader's or ``__main__``."""
    parts = name.split(".")
    dotted = [".".join(parts[:end]) for end in range(1, len(parts) + 1)]
    return importable(name) and not any(part.startswith("_") for part in parts) and \
        all(module in sys.modules and module not in DOOR_MODULES for module in dotted) and \
        not any(part in OWNED.get(parent, ()) for parent, part in zip(dotted, parts[1:]))


def _own_setter(owner: ast.AST) -> bool:
    """``owner.__setattr__`` is the one a frozen dataclass's generated code calls on its own instance."""
    if isinstance(owner, ast.Call):
        return isinstance(owner.func, ast.Name) and owner.func.id == "super" and not owner.keywords and \
            all(isinstance(arg, ast.Name) and arg.id in _ITS_OWN for arg in owner.args)
    return isinstance(owner, ast.Name) and owner.id == "__dataclass_builtins_object__"


_IMPORT_NAME = dis.opmap["IMPORT_NAME"]


def _import_statement(frame: Any) -> bool:
    """``frame`` is at an ``import`` statement (which the doors reading has read), not calling ``__import__`` by hand
    (a door module's name computed as the file runs, the module's builtins reached by a computed key)."""
    code = frame.f_code.co_code
    return 0 <= frame.f_lasti < len(code) and code[frame.f_lasti] == _IMPORT_NAME


def guard_code_runners() -> None:
    """In the child, before the submission runs: the builtins that run code from a string (``eval``, ``exec``,
    ``compile``, ``breakpoint``) run nothing when the submission's own code, or code made from a string, calls them.
    The reading refuses them by name; red team 56 got the real ``eval`` by a library's lookup
    (``fetch_attr("e.bltns.eval")``), and read the probes' frames with it. A library (``dataclasses``, ``typing``,
    torch.fx) runs them as before."""
    _know_library()
    for name in ("eval", "exec", "compile", "breakpoint"):
        real = _GETATTR(builtins, name)
        if real not in _RUNNERS:
            _RUNNERS.append(_runner(real, name))
            _SETATTR(builtins, name, _RUNNERS[-1])


HELD = frozenset({"__globals__", "__closure__", "__builtins__"})  # what a function holds: its module's names, its cells
HELD_BY_TYPES = HELD | {"cell_contents", "__getattribute__", "__dict__"}  # the built-in types' descriptors of them
IMPORTING = ("<frozen importlib._bootstrap>", "<frozen importlib._bootstrap_external>")  # an import's frames


def guard_lookups() -> None:
    """In the child, before the submission runs: the builtins module's own ``getattr`` and ``vars`` (not only the
    submission module's guarded ones) refuse what a library's or the grader's function holds (:data:`HELD`: its
    ``__globals__``, ``__closure__``) and the built-in types' descriptors of them, whenever the submission's code is on
    the stack, outside an import. Red team 79 had a library look them up for it by a dotted name
    (``_pytest.monkeypatch.resolve("built" + "ins.getattr")``, then ``__globals__`` of the probes' ``make_dual``),
    from the library's own frame, which the guards trusted, and rewrote the probes' counters there. Libraries read
    these of the submission's own functions as before (``inspect.signature``), and of any function when no submission
    code runs (an import)."""
    _know_library()
    for name, real in (("getattr", _GETATTR), ("vars", _VARS)):
        if _GETATTR(builtins, name) is real:
            _LOOKUPS.append(_lookup(real, name))
            _SETATTR(builtins, name, _LOOKUPS[-1])
    if _GETATTR(builtins, "__import__") is _IMPORT:
        _SETATTR(builtins, "__import__", _importer)


def _importer(name: Any, globals: Any = None, locals: Any = None, fromlist: Any = (), level: int = 0) -> Any:
    """The builtins module's own ``__import__``: an import statement of the submission's code refuses what
    :func:`importable` does not list, as the module's own guarded one does (red team 86 made functions of the file's
    code under a library's frame, which then held the builtins module itself as theirs)."""
    if not_library(_FRAME(1).f_code.co_filename):
        refuse_unlisted(name, level)
    return _IMPORT(name, globals, locals, fromlist, level)


def refuse_unlisted(name: Any, level: int) -> None:
    """An absolute import of what :func:`importable` does not list fails as of a package not installed (the report
    then says what a submission may use)."""
    if type(name) is str and not level and not importable(name):
        raise ModuleNotFoundError(f"No module named {name.split('.')[0]!r}", name=name.split(".")[0])


_FRAMED = (types.FrameType, types.TracebackType, types.GeneratorType, types.CoroutineType, types.AsyncGeneratorType)
# (what holds a frame: red team 96 had xmlrpc.server's resolve_dotted_attribute read a traceback's tb_frame, then
# f_back and f_globals, with the builtins' getattr, in its own frame)


def _lookup(real: Any, name: str) -> Any:
    def lookup(*args: Any) -> Any:
        if not args and name == "vars":  # vars(): the caller's own names, as the builtin gives them
            return _FRAME(1).f_locals
        asked = (args[1] if len(args) > 1 else None) if name == "getattr" else "__dict__"
        if type(asked) is str and args and (asked in HELD_BY_TYPES and _held(args[0], asked) or asked in DOORS
                                            and (isinstance(args[0], _MODULE) or type(args[0]) in _FRAMED)) \
                and _submission_asks(args[0]):
            raise AttributeError(f"the grader does not let a submission's code reach {asked!r} of a library's "
                                 "module or function, of a frame or a traceback, or of Python's own types")
        return real(*args)

    lookup.__name__ = lookup.__qualname__ = name
    lookup.__module__, lookup.__doc__ = "builtins", real.__doc__  # (pickled by name, as the builtin)
    return lookup


def _held(owner: Any, name: str) -> bool:
    """``owner``'s ``name`` is what :func:`guard_lookups` refuses: one of Python's own types (``FunctionType``,
    ``object``), or a function (or method) compiled from a library's or the grader's file holding :data:`HELD`."""
    if isinstance(owner, _TYPE):
        return _GETATTR(owner, "__module__", "") == "builtins"
    if name == "__dict__":  # red team 82 set the probes' make_dual's __signature__ so (which inspect then trusts)
        return grader_function(owner)
    if name not in HELD:
        return False
    code = _GETATTR(_GETATTR(owner, "__func__", owner), "__code__", None)
    filename = _GETATTR(code, "co_filename", None)
    return not isinstance(filename, str) or not not_library(filename)


def _submission_asks(owner: Any) -> bool:
    """The submission's code (or code made from a string) is on the stack above the lookup, and no import in progress
    lies between them (an import runs a library's own module code); the lookup is not ``inspect``'s or ``typing``'s
    own, which read a function's ``__globals__`` to evaluate its annotations and hand back only those
    (``inspect.signature``, which matplotlib calls on its own functions), but of one of the grader's functions (red
    team 81: typing followed ``__wrapped__`` to the probes' ``make_dual``, and evaluated the file's strings there)."""
    frame = _FRAME(2)  # (the caller of getattr or vars: this function is called from their wrapper)
    reads_annotations = frame.f_code.co_filename.endswith(_ANNOTATIONS) and not grader_function(owner)
    return not reads_annotations and submission_on_stack(frame)


def grader_function(owner: Any) -> bool:
    """``owner`` is a function (or method) of the grader's: its ``__globals__`` is a namespace of the grader's."""
    return grader_space(_GETATTR(_GETATTR(owner, "__func__", owner), "__globals__", None))


def submission_on_stack(frame: Any) -> bool:
    """The submission's code (or code made from a string) runs at ``frame`` or below it on the stack, with no import in
    progress between them (an import runs a library's own module code)."""
    while frame is not None:
        filename = frame.f_code.co_filename
        if filename in IMPORTING:
            return False
        if not_library(filename):
            return True
        frame = frame.f_back
    return False


_LOOKUPS: list[Any] = []
_ANNOTATIONS = (f"{os.sep}inspect.py", f"{os.sep}typing.py")  # the standard library's readers of annotations


def _runner(real: Any, name: str) -> Any:
    def runner(*args: Any, **kwargs: Any) -> Any:
        if name == "breakpoint":  # a debugger call left in: nothing to stop for while grading, whoever calls it (red
            return None  # team 64 had contextlib call it, which reached the real pdb's settrace)
        caller = _FRAME(1)
        if not_library(caller.f_code.co_filename):
            raise RuntimeError(f"the grader does not let a submission run code from a string ({name})")
        if name in ("eval", "exec") and len(args) == 1 and "globals" not in kwargs:
            args = (args[0], caller.f_globals, caller.f_locals)  # the caller's names, as the builtin takes them
        if name in ("eval", "exec") and any(grader_space(space) for space in (*args[1:3], *kwargs.values())):
            raise RuntimeError(f"the grader does not let code run in the namespace of the grader's own modules ({name})")
        return real(*args, **kwargs)

    runner.__name__ = runner.__qualname__ = name
    runner.__module__, runner.__doc__ = "builtins", real.__doc__  # (pickled by name, as the builtin: builtins.exec)
    return runner


_RUNNERS: list[Any] = []


def grader_space(space: Any) -> bool:
    """``space`` (a namespace handed to ``eval`` or ``exec``) is one of the grader's modules', or a copy of one (by its
    ``__name__``: a module's namespace says whose it is, and no code but the grader's writes the grader's). Red team
    81 handed ``typing.get_type_hints`` a ``staticmethod`` of its own around the probes' ``make_dual`` wrapper (whose
    ``__wrapped__`` typing follows, and whose ``__globals__`` it reads as the reader of annotations), with annotations
    written as the file ran; typing evaluated them in the probes' namespace, and they rewrote the probes' counts
    (full marks on exercises 1, 4, 5 and 6). Red team 82 had hypothesis's ``lambda_description`` copy that
    namespace and run the file's code in the copy, which held the live counts. The grader itself runs no string in the
    child once the submission may run; a library's ``eval`` of the submission's own strings, in its own or a library's
    namespace, runs as before. (Ids of the grader's namespaces were no test: one whose module was dropped gave its
    id to the next dict made, the submission's own.)"""
    if type(space) is collections.ChainMap:
        return any(grader_space(part) for part in space.maps)
    name = dict.get(space, "__name__") if isinstance(space, dict) else None
    return isinstance(name, str) and (name == GRADER_PACKAGE or name.startswith(GRADER_PACKAGE + "."))


DEBUGGER_CALLS = ("set_trace", "post_mortem", "pm")  # the calls of a debugger left in a file, each doing nothing
STAND_INS = {"pdb": DEBUGGER_CALLS, "ipdb": DEBUGGER_CALLS, "doctest": ("testmod",),
             "autograd_exercises.notebook": ("check",)}  # module -> its calls that do nothing in the child: what an
# import statement of the submission gets instead (:func:`stand_in`; a notebook's test cells' ``check``, kept in a
# module exported from it: fairness 33)
KINDS = {"pdb": "debugger", "ipdb": "debugger", "doctest": "doctest", "autograd_exercises.notebook": "check"}
# (what the report says the grader runs not)


IMPORTABLE = frozenset({  # installed packages a submission's code may import by name (and the standard library)
    "torch", "functorch", "numpy", "math", "matplotlib", "mpl_toolkits", "pylab", "PIL", "scipy", "pandas", "sympy",
    "mpmath", "IPython", "ipywidgets", "tqdm", "rich", "seaborn", "sklearn", "typing_extensions", "pytest", "ipdb",
    "yaml"})


def importable(name: str) -> bool:
    """A submission's code may import ``name``: a module of the standard library or of :data:`IMPORTABLE` (red teams
    79, 80 and 82 took their gadgets from whatever else was installed where submissions run: ``_pytest``'s
    ``resolve``, ``stack_data``, ``hypothesis``'s ``lambda_description``, sympy re-exported by ``fontTools``), or
    ``__main__`` or the name it is imported under (the submission's own module: ``pickle`` imports it by that name
    to pickle a class it defines, red team 99's honest file)."""
    top = name.split(".")[0]
    return top in IMPORTABLE or top in sys.stdlib_module_names or top == MAIN or name == OWN_MODULE[0]


@functools.lru_cache(maxsize=1)
def importable_libraries() -> str:
    """What a submission may import, as a report says it (grader side): "Python's standard library, torch, numpy, …"
    with each library of :data:`IMPORTABLE` installed here, in the order a student looks for them."""
    import importlib.util

    aliases = {"functorch", "mpl_toolkits", "pylab", "typing_extensions", "ipdb", "math"}  # (parts of others, the
    # standard library's, or stand-ins)
    first = ["torch", "numpy", "scipy", "matplotlib", "pandas", "sympy"]
    names = first + sorted(IMPORTABLE - set(first) - aliases, key=str.lower)
    installed = []
    for name in names:
        try:
            if importlib.util.find_spec(name) is not None:
                installed.append(name)
        except (ImportError, ValueError):
            pass
    return ", ".join(["Python's standard library", *installed])


def stand_in(name: str) -> types.ModuleType:
    """A stand-in for the module ``name`` of :data:`STAND_INS` (``pdb``): its calls do nothing. A
    ``pdb.set_trace()`` left in a file is common and harmless to its answers, and so is ``doctest.testmod()`` under
    ``if __name__ == "__main__":``; the real modules run code from a string and hand frames over (the doors reading
    lets a file have them only for these calls)."""
    module = types.ModuleType(name, f"A {KINDS[name]} that does nothing while the grader runs the file.")
    for call in STAND_INS[name]:
        _SETATTR(module, call, _nothing)
    return module


def _nothing(*args: Any, **kwargs: Any) -> None:
    """Stop for nothing."""


def _know_library() -> None:
    """Where library code lies (:data:`_LIBRARY`), read once: in the zygote, or in a child started on its own."""
    if _LIBRARY[0] == ("\0",):
        _LIBRARY[0] = _library_places()


def library() -> tuple[str, ...]:
    """Where library code lies (:data:`_LIBRARY`: read once)."""
    _know_library()
    return _LIBRARY[0]


def _library_places() -> tuple[str, ...]:
    """Where the standard library, the installed packages and the grader lie (as imported and with links resolved),
    and ``<frozen `` (the modules compiled into CPython)."""
    places = code_places()
    return ("<frozen ", *prefixes(places["stdlib"] + places["installed"] + places["grader"]))


def code_places() -> dict[str, list[str]]:
    """The folders of the standard library (``stdlib``: the installed packages may lie inside it), of the installed
    packages (``installed``) and of the grader (``grader``)."""
    import sysconfig

    paths = sysconfig.get_paths()
    grader = sys.modules.get("autograd_exercises")
    return {"stdlib": [paths[key] for key in ("stdlib", "platstdlib") if paths.get(key)],
            "installed": [paths[key] for key in ("purelib", "platlib") if paths.get(key)]
            + [path for path in sys.path if path.endswith("-packages")],
            "grader": [str(path) for path in getattr(grader, "__path__", [])]}


def prefixes(places: list[str]) -> tuple[str, ...]:
    """What a code file's name starts with when it lies in one of ``places`` (folders, as given and with links
    resolved, each ending in a separator; a module's own file, ``typing_extensions.py``, as it is)."""
    return tuple(sorted({path.rstrip(os.sep) + ("" if path.endswith(".py") else os.sep)
                         for place in places for path in (place, os.path.realpath(place))}))


def guard_modules() -> None:
    """Every plain module in ``sys.modules`` that needs it a :class:`GuardedModule` (those imported since the last
    call only, where none was removed: in a forked child, reading every module would copy the pages they lie on)."""
    _know_library()
    count = len(sys.modules)
    added = count - _GUARDED[0]
    newest = itertools.islice(reversed(sys.modules.values()), added) if 0 < added < count else \
        list(sys.modules.values()) if added else ()
    for module in newest:
        if type(module) is _MODULE and needs_guard(module):
            module.__class__ = GuardedModule
    _GUARDED[0] = count


OWN_MODULE = [MAIN]  # the name the submission's module is imported under (:func:`enter`)


def enter(scratch: str, module: str = MAIN) -> None:
    """In the child, before the submission runs: its folder ``scratch`` is never library code, its module's name is
    ``module``, and every module is guarded."""
    import os

    _SUBMISSION[0] = scratch.rstrip(os.sep) + os.sep
    OWN_MODULE[0] = module
    guard_modules()


def builtins_for(module: str) -> dict[str, Any]:
    """A copy of the builtins for the submission's module ``module``, with its guarded lookups."""
    def getattr(owner: Any, name: Any, *default: Any) -> Any:  # noqa: A001 (the builtin's own name)
        if refused(owner, name, module):
            raise AttributeError(f"the grader does not let a submission look up {name!r} by a computed name")
        value = _GETATTR(owner, name, *default)
        if handed(value):
            raise AttributeError(f"the grader does not let a submission look up {name!r}: it reaches past the exercise")
        return value

    def setattr(owner: Any, name: Any, value: Any) -> None:  # noqa: A001
        if refused(owner, name, module, change=True):
            raise AttributeError(f"the grader does not let a submission set {name!r} by a computed name")
        _SETATTR(owner, name, value)

    def delattr(owner: Any, name: Any) -> None:  # noqa: A001
        if refused(owner, name, module, change=True):
            raise AttributeError(f"the grader does not let a submission delete {name!r} by a computed name")
        _DELATTR(owner, name)

    def vars(*owner: Any) -> Any:  # noqa: A001
        if owner and _foreign(owner[0], module):
            raise TypeError("the grader does not let a submission take the namespace of a module or of a library's class")
        if owner and _held(owner[0], "__dict__"):
            raise AttributeError("the grader does not let a submission's code reach '__dict__' of the grader's function")
        return _VARS(*owner) if owner else sys._getframe(1).f_locals  # vars(): the caller's own names

    def __import__(name: Any, globals: Any = None, locals: Any = None, fromlist: Any = (), level: int = 0) -> Any:
        if type(name) is str and name in STAND_INS and not level and _import_statement(_FRAME(1)) and (
                "." not in name or fromlist):  # (a package's module only as ``from … import check``: red team 143)
            return stand_in(name)
        refuse_unlisted(name, level)
        imported = _IMPORT(name, globals, locals, fromlist, level)
        if handed(imported) and not _import_statement(_FRAME(1)):  # red team 59: __import__("bui" + "ltins")
            raise ImportError(f"the grader does not let a submission import {name!r} but by an import statement")
        if type(imported) is _MODULE and needs_guard(imported):  # one no library had imported: guarded here
            _know_library()  # (who asks it for a door is told by where library code lies)
            imported.__class__ = GuardedModule
        return imported

    return {**_VARS(builtins), "getattr": getattr, "setattr": setattr, "delattr": delattr, "vars": vars,
            "__import__": __import__}
