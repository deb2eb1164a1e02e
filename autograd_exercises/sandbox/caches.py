"""Libraries' caches, emptied before a by-hand call (untrusted side: runs in the sandbox).

A cache keyed by equality hands back the object it stored first, and equal values can still differ: ``-0.0`` and
``0.0``, ``True`` and ``1``. Red team 175 stored, at the top level, ``typing.Annotated[int, (-0.0, 0.0, …)]``, the
signs spelling autograd's answers, and the by-hand function asked for ``typing.Annotated[int, (0.0,) * n]``: typing's
cache handed back the top level's tuple (10/10 on exercises 1 to 3, no class, no memory of the file's). Red team 174
did the same through ``re``'s cache with a ``str`` that equals every other. :func:`empty_them` forgets what the
standard library's and the loaded packages' caches hold: every ``functools.lru_cache`` (found once in the zygote, and
in the modules a child imported since), ``re``'s, ``struct``'s and typing's, and puts every abstract base class's
registry back as the zygote had it (red team 176 registered builtin exceptions with ``typing.MutableSet``'s class, one
bit each), and every enum's cache of members (red team 177: ``re.RegexFlag(MsgFlag(3))`` kept, as the value of a
combined flag, the object first asked for, which ``repr`` tells from a plain 3). What a by-hand call then finds in them
it put there itself.
"""

from __future__ import annotations

import _abc
import abc
import enum
import functools
import gc
import re
import struct
import sys
import types
from typing import Any

_WRAPPER = functools._lru_cache_wrapper
OURS = "autograd_exercises."  # the grader's own caches: keyed by what the probes ask, and hidden from the submission


def _wrappers_in(module: types.ModuleType) -> list[Any]:
    """The ``lru_cache`` wrappers a module holds, and its plain classes: by exact type, so nothing of a module's
    objects runs (no ``__class__`` or metaclass of a submission's is asked)."""
    found = []
    namespace = module.__dict__ if type(module) is types.ModuleType else {}  # (None, a stand-in: nothing read)
    for value in list(namespace.values()):
        if type(value) is _WRAPPER:
            found.append(value)
        elif type(value) is type:
            found += [item for item in list(vars(value).values()) if type(item) is _WRAPPER]
    return found


WRAPPERS: list[tuple[Any, int]] = []  # every lru_cache wrapper, with its misses as the zygote left them
REGISTRIES: list[tuple[Any, list[Any]]] = []  # every abstract base class, with the classes registered with it
MODULES: set[str] = set()  # the modules the zygote had loaded
TOKEN: list[Any] = [None]  # ``abc``'s count of registrations, as the zygote left it
ENUMS: list[tuple[Any, frozenset[Any]]] = []  # every enum class, with the values its cache of members held


def prime() -> None:
    """In the zygote (``child.prime``, again after each preload): note every ``lru_cache`` wrapper alive with its count
    of misses, every abstract base class with the classes registered with it, and the modules loaded. A child then
    reads only the modules it imported itself (reading all it inherited took several milliseconds)."""
    found = {id(item): item for item, _ in [*WRAPPERS, *REGISTRIES]}  # (the collector no longer lists what the zygote
    found.update((id(item), item) for item in gc.get_objects())  # froze since an earlier prime: kept from it)
    found.update((id(item), item) for item, _ in ENUMS)
    wrappers, registries, enums = [], [], []
    for item in found.values():
        if type(item) is _WRAPPER and not str(getattr(item, "__module__", "")).startswith(OURS):
            wrappers.append((item, item.cache_info().misses))
        elif issubclass(type(item), abc.ABCMeta):  # (its real type: no object's __class__ is asked)
            registries.append((item, [ref() for ref in _abc._get_dump(item)[0]]))
        elif issubclass(type(item), enum.EnumMeta) and type(type.__dict__["__dict__"].__get__(item).get(
                "_value2member_map_")) is dict:
            enums.append((item, frozenset(item._value2member_map_)))
    WRAPPERS[:], REGISTRIES[:], ENUMS[:] = wrappers, registries, enums
    MODULES.clear()
    MODULES.update(sys.modules)
    TOKEN[0] = abc.get_cache_token()


def empty_them(skip: str = "") -> None:
    """What the child added to the caches of :data:`WRAPPERS` (those that missed since the zygote: an entry made
    there holds nothing of the submission's, and a cache emptied of it makes torch compute again, 10 ms a child), to
    those of the modules imported since (not ``skip``, the submission's own), to ``re``'s and ``struct``'s, and to
    the enums' caches of members, emptied; every registry of :data:`REGISTRIES` that changed, as it was. In a child no
    zygote primed, every module counts as imported since: each module-level cache is emptied."""
    re.purge()
    struct._clearcache()
    for wrapper, misses in WRAPPERS:
        if wrapper.cache_info().misses != misses:
            wrapper.cache_clear()
    for cls, registered in REGISTRIES if abc.get_cache_token() != TOKEN[0] else ():  # (what ``register`` added
        # since: red team 176 spelled the answers in it; any registration moves the token)
        if [ref() for ref in _abc._get_dump(cls)[0]] != registered:
            _abc._reset_registry(cls)
            _abc._reset_caches(cls)
            for kind in registered:
                if kind is not None:
                    _abc._abc_register(cls, kind)
    for cls, values in ENUMS:  # (a flag's combined members, kept by the value first asked for: red team 177)
        members = cls._value2member_map_
        if len(members) != len(values):
            for value in [value for value in members if value not in values]:
                del members[value]
    for name in sys.modules.keys() - MODULES - {skip}:  # (a set difference: the thousand inherited, unread)
        for wrapper in _wrappers_in(sys.modules.get(name)):
            wrapper.cache_clear()
