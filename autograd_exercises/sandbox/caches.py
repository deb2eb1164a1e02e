"""Libraries' caches, emptied before a by-hand call (untrusted side: runs in the sandbox).

A cache keyed by equality hands back the object it stored first, and equal values can still differ: ``-0.0`` and
``0.0``, ``True`` and ``1``. Red team 175 stored, at the top level, ``typing.Annotated[int, (-0.0, 0.0, …)]``, the
signs spelling autograd's answers, and the by-hand function asked for ``typing.Annotated[int, (0.0,) * n]``: typing's
cache handed back the top level's tuple (10/10 on exercises 1 to 3, no class, no memory of the file's). Red team 174
did the same through ``re``'s cache with a ``str`` that equals every other. :func:`empty_them` forgets what the
standard library's and the loaded packages' caches hold: every ``functools.lru_cache`` (found once in the zygote, and
in the modules a child imported since), ``re``'s, ``struct``'s and typing's, and puts every abstract base class's
registry back as the zygote had it (red team 176 registered builtin exceptions with ``typing.MutableSet``'s class, one
bit each). What a by-hand call then finds in them it put there itself.
"""

from __future__ import annotations

import _abc
import abc
import functools
import gc
import re
import struct
import sys
import types
import typing
from typing import Any

_WRAPPER = functools._lru_cache_wrapper


def _wrappers_in(module: types.ModuleType) -> list[Any]:
    """The ``lru_cache`` wrappers a module holds, and its plain classes: by exact type, so nothing of a module's
    objects runs (no ``__class__`` or metaclass of a submission's is asked)."""
    found = []
    namespace = module.__dict__ if type(module) is types.ModuleType else {}
    for value in list(namespace.values()):
        if type(value) is _WRAPPER:
            found.append(value)
        elif type(value) is type:
            found += [item for item in list(vars(value).values()) if type(item) is _WRAPPER]
    return found


def _zygotes() -> tuple[list[Any], list[tuple[Any, list[Any]]], frozenset[str]]:
    """Every ``lru_cache`` wrapper alive now (read once, in the zygote), every abstract base class with the classes
    registered with it, and the modules loaded."""
    wrappers, registries = [], []
    for item in gc.get_objects():
        if type(item) is _WRAPPER:
            wrappers.append(item)
        elif issubclass(type(item), abc.ABCMeta):  # (its real type: no object's __class__ is asked)
            registries.append((item, [ref() for ref in _abc._get_dump(item)[0]]))
    return wrappers, registries, frozenset(sys.modules)


WRAPPERS, REGISTRIES, MODULES = _zygotes()
_CLEANUPS = tuple(getattr(typing, "_cleanups", ()))  # typing's own list of its caches' clears


def empty_them(skip: str = "") -> None:
    """Every cache of :data:`WRAPPERS`, of the modules imported since the zygote (not ``skip``, the submission's own),
    of ``re``, ``struct`` and typing, emptied; every registry of :data:`REGISTRIES` as it was (about a millisecond)."""
    re.purge()
    struct._clearcache()
    for clear in _CLEANUPS:
        clear()
    for wrapper in WRAPPERS:
        wrapper.cache_clear()
    for cls, registered in REGISTRIES:  # (what ``register`` added since: red team 176 spelled the answers in it)
        _abc._reset_registry(cls)
        _abc._reset_caches(cls)
        for kind in registered:
            if kind is not None:
                _abc._abc_register(cls, kind)
    for name, module in list(sys.modules.items()):
        if name not in MODULES and name != skip:
            for wrapper in _wrappers_in(module):
                wrapper.cache_clear()
