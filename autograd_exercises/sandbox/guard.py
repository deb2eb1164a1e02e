"""The submission's own ``getattr``, ``setattr`` and ``delattr``: the builtins its module runs with.

The doors reading (:mod:`autograd_exercises.judge.tampering`) lets a computed name through where the owner is the
file's own (``getattr(self, name)``, ``setattr(config, key, value)``) or the name can only be a literal. What the
owner really is, only the run knows: red team 26 made "own" objects that were the grader's wrapper functions left
in torch (``Base.__new__`` returning ``torch.autograd.forward_ad.make_dual``) and read ``__globals__`` off them by
a computed name. So the module's builtins carry these three in its place: a name that reaches past an object's
data (a dunder but a few harmless ones, a frame's or a traceback's links, the garbage collector's lists,
``sys.modules``), a private name of a module or of a class the file did not define, or a change to a module or to
such a class, raises ``AttributeError`` (an honest lookup never asks for one). They close over nothing of the
grader's: their globals are this small module's.
"""

from __future__ import annotations

import builtins
import types
from typing import Any

SAFE_DUNDERS = frozenset({"__name__", "__qualname__", "__doc__", "__module__", "__class__", "__len__", "__iter__",
                          "__getitem__", "__call__", "__annotations__", "__version__"})
REACHING = frozenset({  # beyond an object's data: frames, every object, every module, memory (tampering's doors)
    "f_back", "f_globals", "f_locals", "f_builtins", "f_code", "tb_frame", "tb_next", "gi_frame", "cr_frame",
    "ag_frame", "gi_code", "cr_code", "ag_code", "_getframe", "_current_frames", "currentframe", "walk_stack",
    "walk_tb", "get_objects", "get_referrers", "get_referents", "modules", "cell_contents", "capture_locals",
    "ctypeslib", "ctypes", "as_strided", "string_at", "from_address", "from_blob"})
_GETATTR, _SETATTR, _DELATTR, _MODULE, _TYPE = builtins.getattr, builtins.setattr, builtins.delattr, types.ModuleType, type


def refused(owner: Any, name: Any, module: str, change: bool = False) -> bool:
    """Whether the submission (its module's name ``module``) may not look ``name`` up on ``owner`` by a computed
    name (or, ``change``, set or delete it)."""
    if type(name) is not str:  # a str subclass could answer any comparison: refused; anything else, the builtin's error
        return isinstance(name, str)
    if name in REACHING or name.startswith("__") and name.endswith("__") and (change or name not in SAFE_DUNDERS):
        return True
    foreign = isinstance(owner, _MODULE) or isinstance(owner, _TYPE) and _GETATTR(owner, "__module__", "") != module
    return foreign and (change or name.startswith("_"))


def builtins_for(module: str) -> dict[str, Any]:
    """A copy of the builtins for the submission's module ``module``, with its guarded lookups."""
    def getattr(owner: Any, name: Any, *default: Any) -> Any:  # noqa: A001 (the builtin's own name)
        if refused(owner, name, module):
            raise AttributeError(f"the grader does not let a submission look up {name!r} by a computed name")
        return _GETATTR(owner, name, *default)

    def setattr(owner: Any, name: Any, value: Any) -> None:  # noqa: A001
        if refused(owner, name, module, change=True):
            raise AttributeError(f"the grader does not let a submission set {name!r} by a computed name")
        _SETATTR(owner, name, value)

    def delattr(owner: Any, name: Any) -> None:  # noqa: A001
        if refused(owner, name, module, change=True):
            raise AttributeError(f"the grader does not let a submission delete {name!r} by a computed name")
        _DELATTR(owner, name)

    return {**vars(builtins), "getattr": getattr, "setattr": setattr, "delattr": delattr}
