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

import builtins
import sys
import types
from typing import Any

DOORS = frozenset({  # what an attribute name reaches past an object's data (the doors reading's own, by name)
    "f_back", "f_globals", "f_locals", "f_builtins", "tb_frame", "gi_frame", "cr_frame", "ag_frame", "_getframe",
    "_current_frames", "currentframe", "walk_stack", "walk_tb", "get_objects", "get_referrers", "get_referents",
    "modules", "cell_contents", "capture_locals", "ctypeslib", "ctypes", "as_strided", "string_at", "from_address",
    "from_blob", "settrace", "setprofile", "monitoring", "getargvalues", "getmembers", "getmembers_static",
    "getclosurevars", "resolve_name", "ForwardRef", "get_type_hints", "get_annotations", "FunctionType", "CodeType",
    "LambdaType", "co_code", "update_wrapper", "wraps", "attrgetter", "methodcaller", "getattr_static",
    "TorchFunctionMode", "TorchDispatchMode", "BaseTorchFunctionMode", "enable_torch_function_mode",
    "evaluate_forward_ref", "_evaluate", "_eval_type", "singledispatch", "singledispatchmethod",
    "__globals__", "__subclasses__", "__builtins__", "__import__", "__code__", "__defaults__", "__kwdefaults__",
    "__closure__", "__self__", "__func__", "__wrapped__", "__reduce__", "__reduce_ex__", "__getstate__",
    "__getattribute__", "__setattr__", "__delattr__", "__loader__", "__spec__", "__array_interface__",
    "__array_struct__", "__cuda_array_interface__", "builtins", "getmodule"})
DOOR_MODULES = frozenset({  # a module that is a door itself: no lookup may hand it over (the reading's imports)
    "autograd_exercises", "importlib", "runpy", "code", "codeop", "zipimport", "imp", "doctest", "pdb", "bdb",
    "cProfile", "profile", "trace", "pkgutil", "pydoc", "logging.config", "unittest.mock", "mock", "ctypes",
    "_ctypes", "builtins", "_thread", "gc", "marshal", "pickle", "_pickle", "shelve", "dill", "cloudpickle", "joblib"})
OWNED = {  # a name that is a door only on one module
    "inspect": frozenset({"stack", "trace", "getouterframes", "getinnerframes"}),
    "signal": frozenset({"signal"}),
    **{name: frozenset({"load", "loads", "Unpickler"}) for name in ("pickle", "_pickle", "marshal", "shelve")},
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
    if not _foreign(owner, module):
        return False
    settings = isinstance(owner, _MODULE) and _GETATTR(owner, "__name__", "").startswith(SETTINGS)
    private = name.startswith("_") and not (name.startswith("__") and name.endswith("__"))
    return private or name == "__dict__" or change and not settings


def handed(value: Any) -> bool:
    """``value`` is a door itself: a module of :data:`DOOR_MODULES` (also below one), or a builtin that runs or looks
    up code by name (the real ``getattr``, ``eval``, ``__import__``…)."""
    if isinstance(value, _MODULE):
        parts = str(_GETATTR(value, "__name__", "")).split(".")
        return parts[0] in DOOR_MODULES or ".".join(parts[:2]) in DOOR_MODULES
    return any(value is door for door in _RAW)


def _foreign(owner: Any, module: str) -> bool:
    """``owner`` is a module, or a class the submission's module did not define."""
    return isinstance(owner, _MODULE) or isinstance(owner, _TYPE) and _GETATTR(owner, "__module__", "") != module


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
        return _VARS(*owner) if owner else sys._getframe(1).f_locals  # vars(): the caller's own names

    return {**_VARS(builtins), "getattr": getattr, "setattr": setattr, "delattr": delattr, "vars": vars}
