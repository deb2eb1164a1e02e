"""What the probes and the report run through, made unchangeable in the child before the submission runs.

``child.watch`` sees a change still in place when a check starts or ends; one made while a probe runs and undone
before it ends it cannot (red team 52: ``torch.Tensor.requires_grad`` shadowed by a property for the probe's two
reads, then deleted, passed a check whose parameters had been switched off). Here such a change fails as it is made:
the classes become immutable types, as ``int`` is (setting or deleting an attribute raises ``TypeError``), and the
modules read-only (:class:`ReadOnlyModule`: only an import's binding of a submodule goes through). Done in each
child, never in the fork-server, once the child's own wrappers are in place (``observe.install_autograd_counter``).

Left changeable, because libraries set them as they run: ``warnings`` (``catch_warnings`` swaps ``showwarning``),
``torch`` itself and ``torch.autograd`` (an optimizer's first use loads ``torch._dynamo``, which wraps
``torch.manual_seed``); ``watch`` keeps checking those.
"""

from __future__ import annotations

import ctypes
import types
from typing import Any, Iterable

IMMUTABLE = 1 << 8  # Py_TPFLAGS_IMMUTABLETYPE (CPython 3.10 on): type_setattro refuses every change
HEAP = 1 << 9  # Py_TPFLAGS_HEAPTYPE: a class made by a class statement (static types are immutable already)


class ReadOnlyModule(types.ModuleType):
    """A module whose attributes cannot be set or deleted from outside it (its own code's globals are its own),
    but for the submodule an import binds on its package."""

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, types.ModuleType) and value.__name__ == f"{self.__name__}.{name}":
            super().__setattr__(name, value)
            return
        raise AttributeError(f"module {self.__name__!r} is read-only in the grader's sandbox: {name} cannot be set")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"module {self.__name__!r} is read-only in the grader's sandbox: {name} cannot be deleted")


def _flags_offset() -> int | None:
    """Where this CPython keeps a type's flags (``tp_flags``), found by reading known types' ``__flags__`` back: None
    where no place fits them all (then the classes are only watched)."""
    known = (int, type, dict, ReadOnlyModule)
    for offset in range(8, 256, 8):
        if all(ctypes.c_ulong.from_address(id(kind) + offset).value == kind.__flags__ for kind in known):
            return offset
    return None


OFFSET = _flags_offset()


def freeze(classes: Iterable[type], modules: Iterable[types.ModuleType]) -> None:
    """Make ``classes`` immutable types and ``modules`` read-only (a module of another class is left as it is)."""
    if OFFSET is not None:
        for cls in classes:
            if cls.__flags__ & HEAP and not cls.__flags__ & IMMUTABLE:
                flags = ctypes.c_ulong.from_address(id(cls) + OFFSET)
                flags.value = cls.__flags__ | IMMUTABLE
    for module in modules:
        if type(module) is types.ModuleType:
            module.__class__ = ReadOnlyModule
