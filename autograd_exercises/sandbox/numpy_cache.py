"""numpy's cache of small freed buffers, emptied before a by-hand call (untrusted side: runs in the sandbox).

numpy keeps up to 7 freed data buffers of each size under 1,024 bytes (``datacache`` in its ``alloc.c``) and hands
them back as they were: an array it does not fill (``np.ndarray(37)``, a ufunc's ``where=False`` with no ``out``,
``nditer``'s own operands, ``np.ma.masked_all``) reads what the code before it wrote there. Red teams 170 and 171
wrote autograd's answers there at the top level and read them back in a by-hand function, under five spellings.
:func:`empty_it` forgets every cached buffer, so numpy allocates anew, from memory the sandbox's allocator fills with
its own pattern (``GLIBC_TUNABLES``, :func:`autograd_exercises.sandbox.launcher.environment`).

numpy exports no way to do this. :func:`locate`, once in the zygote, finds ``datacache`` in the extension's own
symbol table (a local symbol) and where the extension is loaded, and checks the table's size (1,024 buckets of a
count and 7 pointers); :func:`empty_it` then zeroes it, in microseconds. Where numpy is built otherwise, or the
symbol is not there, it takes every cached buffer instead (:func:`_take_all`: 7 arrays of each size, kept alive while
the call runs; several milliseconds).
"""

from __future__ import annotations

import ctypes
import itertools
import mmap
import struct
from typing import Any

import numpy

try:
    from numpy._core import _multiarray_umath as _umath
except ImportError:  # numpy before 2.0 (pyproject allows 1.24 on), where the package was ``numpy.core``
    from numpy.core import _multiarray_umath as _umath

BUCKETS, KEPT = 1024, 7  # numpy's NBUCKETS and NCACHE
SIZE = BUCKETS * 8 * (1 + KEPT)  # each bucket: its count, then its pointers
ANCHOR = "PyInit__multiarray_umath"  # a symbol the loader exports: where the extension lies in memory
_EMPTY, _BYTES, _SIZES = numpy.empty, numpy.uint8, [size for size in range(1, BUCKETS) for _ in range(KEPT)]


def _symbols(path: str, names: set[str]) -> dict[str, tuple[int, int]]:
    """``names`` → (value, size) from the ELF64 little-endian file ``path``'s symbol tables (each name found in the
    table's strings first, then the entries that point at it: a few milliseconds for numpy's 10 MB)."""
    with open(path, "rb") as stream, mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ) as data:
        if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
            return {}
        shoff, = struct.unpack_from("<Q", data, 0x28)
        shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
        sections = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + index * shentsize) for index in range(shnum)]
        found: dict[str, tuple[int, int]] = {}
        for _, kind, _, _, offset, size, link, _, _, entsize in sections:
            if kind not in (2, 11) or entsize != 24:  # SHT_SYMTAB, SHT_DYNSYM; Elf64_Sym
                continue
            strings, strings_size = sections[link][4], sections[link][5]
            for name in names - set(found):
                at = data.find(b"\0" + name.encode() + b"\0", strings, strings + strings_size)
                entry = _entry(data, offset, size, struct.pack("<I", at + 1 - strings)) if at >= 0 else None
                if entry is not None:
                    found[name] = struct.unpack_from("<QQ", data, entry + 8)
        return found


def _entry(data: Any, offset: int, size: int, name: bytes) -> int | None:
    """The first symbol entry of the table at ``offset`` whose name is at ``name`` (its string's offset)."""
    at = data.find(name, offset, offset + size)
    while at >= 0 and (at - offset) % 24:
        at = data.find(name, at + 1, offset + size)
    return at if at >= 0 else None


def locate() -> int | None:
    """The address of numpy's ``datacache`` in this process; None where it cannot be found and checked."""
    try:
        path = _umath.__file__
        found = _symbols(path, {"datacache", ANCHOR})
        anchor = ctypes.cast(getattr(ctypes.CDLL(path), ANCHOR), ctypes.c_void_p).value
    except (OSError, AttributeError, ValueError, IndexError, struct.error):
        return None
    if "datacache" not in found or ANCHOR not in found or found["datacache"][1] != SIZE or not anchor:
        return None
    return anchor - found[ANCHOR][0] + found["datacache"][0]


ADDRESS = locate()


def empty_it() -> Any:
    """numpy's cache of small buffers, emptied; what to keep alive while the by-hand call runs (None, or the buffers
    taken where the cache could not be found)."""
    if ADDRESS is not None:
        ctypes.memset(ADDRESS, 0, SIZE)
        return None
    return _take_all()


def _take_all() -> list[Any]:
    return list(map(_EMPTY, _SIZES, itertools.repeat(_BYTES)))
