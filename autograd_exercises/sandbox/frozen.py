"""What the probes and the report run through, made unchangeable in the child before the submission runs.

``child.watch`` sees a change still in place when a check starts or ends; one made while a probe runs and undone
before it ends it cannot (red team 52: ``torch.Tensor.requires_grad`` shadowed by a property for the probe's two
reads, then deleted, passed a check whose parameters had been switched off). Here such a change fails as it is made:
the classes become immutable types, as ``int`` is (setting or deleting an attribute raises ``TypeError``), and the
modules read-only (:class:`ReadOnlyModule`: only an import's binding of a submodule goes through). Done in each
child, never in the fork-server, once the child's own wrappers are in place (``observe.install_autograd_counter``).

A module's own package still sets its attributes as it runs (:class:`ReadOnlyModule`). ``object.__setattr__`` on a
module would pass by this class's own ``__setattr__``: the doors reading refuses it on anything but ``self``, ``cls``,
``super()`` or an object just made (``judge/tampering.py``).
"""

from __future__ import annotations

import ctypes
import functools
import os
import sys
import types
from typing import Any, Iterable

from autograd_exercises.sandbox import guard

_FRAME = sys._getframe  # bound here: the submission cannot reach sys's own
IMMUTABLE = 1 << 8  # Py_TPFLAGS_IMMUTABLETYPE (CPython 3.10 on): type_setattro refuses every change
HEAP = 1 << 9  # Py_TPFLAGS_HEAPTYPE: a class made by a class statement (static types are immutable already)


class ReadOnlyModule(types.ModuleType):
    """A module whose attributes only its own package's code (by the file it was compiled from) can set or delete
    (``torch._dynamo`` wraps ``torch.manual_seed`` when an optimizer first loads it), and an import binding a
    submodule; any other code, the submission's or a library's it calls (``argparse``'s ``namespace=``: red team 28),
    gets ``AttributeError``."""

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, types.ModuleType) and value.__name__ == f"{self.__name__}.{name}" or _own(self):
            super().__setattr__(name, value)
            return
        raise AttributeError(f"module {self.__name__!r} is read-only in the grader's sandbox: {name} cannot be set")

    def __delattr__(self, name: str) -> None:
        if _own(self):
            super().__delattr__(name)
            return
        raise AttributeError(f"module {self.__name__!r} is read-only in the grader's sandbox: {name} cannot be deleted")


class GuardedReadOnlyModule(ReadOnlyModule, guard.GuardedModule):
    """A read-only module that also hands the submission no door (:class:`guard.GuardedModule`): the builtins."""


def _own(module: types.ModuleType) -> bool:
    """Whether the code setting one of ``module``'s attributes (two frames up) is its own package's, by where that
    code was compiled from (never by its globals' ``__name__``, which the submission's code can rebind: red team 54
    claimed to be ``torch.hub`` and replaced ``torch.autograd.graph.torch``)."""
    return _FRAME(2).f_code.co_filename.startswith(_PLACES.get(id(module), ("\0",)))


_PLACES: dict[int, tuple[str, ...]] = {}  # id(read-only module) -> where its package's code lies


WRITERS = {"builtins": ("torch", "lazy_importer")}  # a module whose attributes other packages set: torch.export,
# builtins.max and min; lazy_importer (dask.dataframe imports it), __import__ while it imports


def _places(module: types.ModuleType) -> tuple[str, ...]:
    """Where the code of ``module``'s package lies: its folder (a package's) or its file, as imported and with its
    links resolved, and ``<frozen name>`` (``os`` and ``posixpath`` are compiled into CPython from 3.11); for the
    builtins, the packages of :data:`WRITERS` (:func:`writer_places`)."""
    top = module.__name__.partition(".")[0]
    if top in WRITERS:
        return writer_places(top)
    root = sys.modules.get(top, module)
    file = getattr(root, "__file__", None)
    return _root_places(root.__name__, file if isinstance(file, str) else None, hasattr(root, "__path__"))


@functools.lru_cache(maxsize=None)
def _root_places(name: str, file: str | None, package: bool) -> tuple[str, ...]:
    """:func:`_places` of a package's root module (resolving links reads the file system: found once, in the zygote,
    ``child.prime``, not in each child)."""
    return (f"<frozen {name}>", *_folders(file, package))


def _folders(file: Any, package: bool) -> list[str]:
    if not isinstance(file, str) or not file:
        return []
    return [os.path.dirname(file) + os.sep, os.path.realpath(os.path.dirname(file)) + os.sep] if package else \
        [file, os.path.realpath(file)]


@functools.lru_cache(maxsize=None)
def writer_places(top: str) -> tuple[str, ...]:
    """Where the packages that set ``top``'s attributes lie, loaded or not (found, never imported: read once, in the
    zygote)."""
    import importlib.util

    places: list[str] = []
    for name in WRITERS[top]:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            spec = None
        if spec is not None:
            places += [f"<frozen {name}>", *_folders(spec.origin, spec.submodule_search_locations is not None)]
    return tuple(places) or ("\0",)


def _flags_offset() -> int | None:
    """Where this CPython keeps a type's flags (``tp_flags``), found by reading known types' ``__flags__`` back: None
    where no place fits them all (then the classes are only watched)."""
    known = (int, type, dict, ReadOnlyModule)
    for offset in range(8, 256, 8):
        if all(ctypes.c_ulong.from_address(id(kind) + offset).value == kind.__flags__ for kind in known):
            return offset
    return None


OFFSET = _flags_offset()


def _version_offset() -> int | None:
    """Where this CPython keeps a dict's version (``ma_version_tag``, PEP 509: a new value from one global counter at
    every change of any dict), found by changing a dict and reading it back: None but on CPython 3.11, where every
    change sets it (3.12 deprecates it), or where the place does not behave so."""
    if sys.implementation.name != "cpython" or sys.version_info[:2] != (3, 11):
        return None
    probe: dict[str, Any] = {}
    offset = 2 * ctypes.sizeof(ctypes.c_void_p) + ctypes.sizeof(ctypes.c_ssize_t)  # after the object's head and ma_used
    read = ctypes.c_uint64.from_address
    seen = [read(id(probe) + offset).value]
    for change in (lambda: probe.__setitem__("a", 1), lambda: probe.__setitem__("a", 2),
                   lambda: probe.update(b=3), lambda: probe.pop("a"), probe.clear):
        change()
        seen.append(read(id(probe) + offset).value)
    other: dict[str, Any] = {}
    return offset if all(a < b for a, b in zip(seen, seen[1:])) and read(id(other) + offset).value > seen[-1] else None


VERSION = _version_offset()


WORD = ctypes.c_uint64  # what reads a version: made immutable in each child with the classes (``child._classes``), so
# that no code gives its ``value`` another meaning


def dict_version(space: Any, *, _offset: int | None = VERSION, _type: Any = type, _dict: Any = dict, _id: Any = id,
                 _read: Any = WORD.from_address) -> int | None:
    """``space``'s version: the same number only while nothing has changed it (None where it cannot be read: not a
    dict, or not on this interpreter). Reading it touches no object the dict holds, so a child forked from the
    zygote copies none of their pages (``child.watch``). (What it reads with it holds as defaults, which no code can
    change in the child.)"""
    if _offset is None or _type(space) is not _dict:
        return None
    return _read(_id(space) + _offset).value


def freeze(classes: Iterable[type], modules: Iterable[types.ModuleType]) -> None:
    """Make ``classes`` immutable types and ``modules`` read-only (a module of another class is left as it is)."""
    if OFFSET is not None:
        for cls in classes:
            if cls.__flags__ & HEAP and not cls.__flags__ & IMMUTABLE:
                flags = ctypes.c_ulong.from_address(id(cls) + OFFSET)
                flags.value = cls.__flags__ | IMMUTABLE
    for module in modules:
        if type(module) in (types.ModuleType, guard.GuardedModule):
            _PLACES[id(module)] = _places(module)
            guarded = type(module) is guard.GuardedModule  # (as the zygote found: reading torch's names here would
            module.__class__ = GuardedReadOnlyModule if guarded else ReadOnlyModule  # copy the pages they lie on)
