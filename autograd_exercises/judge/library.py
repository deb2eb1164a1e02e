"""What a library's names hold: values that cannot change (``math.pi``, ``torch.float64``), or values that can
(``keyword.kwlist``, a list a second name for it could fill: red team 36).

The readings never import what a submission names: only the libraries of :data:`RESOLVED`, whose import has no
effect worth a thought, are looked into; of any other, only a module itself counts as unchanging.
"""

from __future__ import annotations

import abc
import collections.abc
import functools
import importlib
import numbers
import types
from typing import Callable

# Libraries whose values :func:`library_constant` looks at (importing them has no effect worth a thought): the rest
# count as values that may change, but for the modules themselves.
RESOLVED = frozenset({"math", "cmath", "torch", "numpy", "sys", "string", "operator", "functools", "itertools",
                      "collections", "dataclasses", "typing", "numbers", "abc", "enum", "fractions", "decimal",
                      "statistics", "keyword", "types", "copy", "time", "warnings", "random", "re", "json",
                      "logging"})


# Libraries whose functions compute from their arguments alone: a call of any other library's function may answer
# from what the file handed it before (``codecs.register``, ``mimetypes.add_type``: red team 70 kept autograd's answers
# in such registries for a by-hand function to read back). ``decimal`` computes under a context the file can set.
COMPUTING = frozenset({"math", "cmath", "torch", "numpy", "scipy", "operator", "functools", "itertools", "numbers",
                       "fractions", "statistics", "collections", "dataclasses", "typing", "abc", "enum",
                       "string", "re", "json", "builtins"})  # (not ``copy``: it asks ``copyreg``'s table, red team 135)
# Parts of those libraries that hold the process's settings (what a backend may do, which device runs), read and
# set by calls (``torch.backends.cudnn.set_flags``: red team 135): no value of theirs is a constant, no call of
# theirs computes from its arguments alone, and none is looked into (a lazy attribute may start CUDA here).
SETTINGS = ("torch.backends", "torch.cuda", "torch.mps", "torch.xpu", "torch.distributed", "torch.accelerator")


def computing(dotted: str) -> bool:
    """``dotted`` (a library function's dotted name, resolved through the file's imports) is of :data:`COMPUTING`;
    an unresolved name (``""``) is not."""
    dotted = dotted.lstrip(".")
    return bool(dotted) and dotted.split(".")[0] in COMPUTING and not _in_settings(dotted)


def _in_settings(dotted: str) -> bool:
    return any(dotted == part or dotted.startswith(part + ".") for part in SETTINGS)


@functools.lru_cache(maxsize=4096)
def library_constant(dotted: str) -> bool:
    """``dotted`` names a module, or a value of :data:`RESOLVED` that cannot change: a number, string, dtype,
    device, type, function, or a tuple of those (``math.pi``, ``torch.float64``, ``numpy.newaxis``). Never a list,
    dict, tensor or array (``keyword.kwlist``: a second name for it could fill it, red team 36), nor what a library
    outside :data:`RESOLVED` holds (nothing is imported to find out)."""
    if _in_settings(dotted.lstrip(".")) and dotted.lstrip(".").count(".") > 1:
        return False  # (``torch.backends.cudnn.enabled``; ``torch.backends.cuda.cufft_plan_cache`` raised here)
    return _resolves_to(dotted, _unchanging)  # (``keyword.kwlist.append``: a method of a list shares the list, red
    # team 43: each step must be unchanging too)


@functools.lru_cache(maxsize=4096)
def class_constant(dotted: str) -> bool:
    """:func:`library_constant`, and no function or other callable but a class: what a class body may bind and stay
    data. A function there becomes a method of the file's class, whose library code calls the object's methods by
    names of its own (red team 196: ``result = torch.nn.Module.eval`` ran ``self.train``, a method the file never
    named; ``torch.distributions.Distribution.sample`` runs ``self.rsample``)."""
    if not library_constant(dotted):
        return False
    parts = dotted.lstrip(".").split(".")
    if parts[0] not in RESOLVED:
        return len(parts) == 1  # (a module itself)
    try:
        value = importlib.import_module(parts[0])
        for part in parts[1:]:
            value = getattr(value, part)
    except Exception:
        return False
    return isinstance(value, type) or not callable(value)


@functools.lru_cache(maxsize=4096)
def is_module(dotted: str) -> bool:
    """``dotted`` names a module (``torch``, ``torch.backends.cudnn``, ``numpy.linalg``): of a library outside
    :data:`RESOLVED`, only the name an ``import`` binds is known to be one."""
    return _resolves_to(dotted, lambda value: isinstance(value, types.ModuleType))


def _resolves_to(dotted: str, kind: Callable[[object], bool]) -> bool:
    """``dotted``, looked up in its library of :data:`RESOLVED` through public names, is of ``kind``, and so is each
    value on the way; of a library outside :data:`RESOLVED`, only the module itself is known, and counts. Never
    raises: a library's lazy attribute may raise anything (red team 135's crashed the grader)."""
    parts = dotted.lstrip(".").split(".")
    if parts[0] not in RESOLVED:
        return len(parts) == 1  # a module itself (``dis.COMPILER_FLAG_NAMES``, in capitals, is a dict)
    try:
        value = importlib.import_module(parts[0])
        for part in parts[1:]:
            if part.startswith("_") or not kind(value):
                return False
            value = getattr(value, part)
        return kind(value)
    except Exception:
        return False


def _unchanging(value: object, depth: int = 0) -> bool:
    import torch

    if isinstance(value, abc.ABCMeta) or isinstance(getattr(value, "__origin__", None), abc.ABCMeta):
        return False  # an abstract base class: ``register`` changes what ``issubclass`` says of it (red team 133), also
        # through typing's alias of one (``typing.MutableSet``: red team 176)
    if hasattr(type(value), "cache_info"):
        return False  # a function behind ``functools.cache``: each call moves its counts (red team 141)
    if isinstance(value, (type, types.ModuleType)):
        return True  # a class or module (``torch.Tensor``, whose objects have ``__setitem__``): data only in attributes
    if isinstance(value, (tuple, frozenset)):
        return depth < 4 and all(_unchanging(item, depth + 1) for item in value)
    if isinstance(value, (list, dict, set, bytearray, torch.Tensor, collections.abc.MutableMapping,
                          collections.abc.MutableSequence, collections.abc.MutableSet)) or hasattr(value, "__setitem__"):
        return False  # (a numpy array too)
    return isinstance(value, (int, float, complex, str, bytes, bool, type(None), range, slice, type, types.ModuleType,
                              torch.dtype, torch.device, torch.layout, torch.memory_format, numbers.Number)) \
        or callable(value)  # a function, a class, ``typing.Optional``: its data only in attributes the file would set
