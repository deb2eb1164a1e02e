"""The wire format between the grader and a child: JSON for the structure, raw bytes for the numbers.

Both directions use it: the grader packs a check's inputs, the child packs its report. A report
written as one ``torch.save`` of the whole structure held ~150 small tensors, each a zip entry and a
pickled object of its own: reading it back with ``weights_only=True`` cost about 30 ms, more than
the checks themselves, and still ran an unpickler over bytes a student controls (``weights_only``
itself had remote-code-execution holes: CVE-2025-32434 before torch 2.6, CVE-2026-24747 before 2.10). Packed, nothing is
ever unpickled: the structure is JSON text (only dicts, lists, strings, numbers, booleans and
``null`` can come out of it) and the bytes of every tensor sit, aligned, in one raw section that
:func:`torch.frombuffer` views once its dtype, shape and offset are checked. A tensor in the
structure is a reference ``{"$tensor": i}`` into a table of ``[dtype, shape, offset]``.

Layout: :data:`MAGIC`, a 4-byte big-endian length, the JSON text
``{"value": ..., "tensors": [[dtype, shape, offset], ...]}``, then the raw bytes (native byte
order: a blob never leaves the machine that made it).

:func:`split` reads a blob as the grader must read a child's: every length, offset, shape and
dtype is checked before anything is built from it, tensors never overlap (so each byte counts
once against the budget), and a ``bool`` tensor is rebuilt from its bytes (``!= 0``), never
reinterpreted. Tuples travel as lists; dict keys must be strings.
"""

from __future__ import annotations

import _json
import ctypes
import json
import math
import struct
from typing import Any

import torch

from autograd_exercises.sandbox import tensorbase

MAGIC = b"AGXPACK1"
TENSOR = "$tensor"  # the one key of a tensor reference
ALIGN = 16  # every tensor's bytes start at a multiple of this
MAX_STRUCTURE = 4 << 20  # bytes of JSON text (an honest report: well under 1 MB)
MAX_BYTES = 64 << 20  # bytes of all tensors together
MAX_ELEMENTS = 1 << 22  # elements of all tensors together
MAX_DIMS = 16
MAX_INT = 1 << 63
DTYPES = {str(dtype).removeprefix("torch."): dtype for dtype in (
    torch.float16, torch.bfloat16, torch.float32, torch.float64, torch.complex64, torch.complex128,
    torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64, torch.bool)}
_LENGTH = struct.Struct(">I")
_STRIDED = torch.strided
# Bound before any student code runs (the child packs its report after it): a submission that replaces them
# cannot change how the report is written. Each is C code no Python can change: ``json.dumps`` would look up
# ``JSONEncoder.encode`` as it runs, which a submission rewrote to forge its report (red team 51); the tensors'
# attributes come from torch's C base class (:mod:`.tensorbase`), never from ``torch.Tensor``'s class dict.
_CAT, _ZEROS, _STRING_AT = torch.cat, torch.zeros, ctypes.string_at


def _unencodable(value: Any) -> Any:
    raise PackError(f"a value of type {type(value).__name__}")  # (never: encode() leaves only JSON's types)


_ENCODE = _json.make_encoder(None, _unencodable, _json.encode_basestring_ascii, None, ":", ",", False, False, True)


class PackError(ValueError):
    """A blob that is not a well-formed, bounded packing (or a value that cannot be packed)."""


_AS_IS = frozenset({type(None), bool, float, str})  # JSON values as they are


def bounded(value: int) -> int | float:
    """``value`` within ±:data:`MAX_INT`, else the infinity of its sign (both sides bound integers so)."""
    return value if -MAX_INT <= value <= MAX_INT else math.inf if value > 0 else -math.inf


class _Packer:
    """The JSON structure of a value, with its tensors' bytes gathered aside."""

    def __init__(self) -> None:
        self.table: list[list[Any]] = []
        self.pieces: list[torch.Tensor] = []
        self.size = 0
        self.seen: dict[int, int] = {}  # id(tensor) → index: a tensor met twice is stored once

    def encode(self, value: Any) -> Any:
        if type(value) in _AS_IS:
            return value
        if type(value) is int:  # JSON text of a huge int costs quadratic time to write and read
            return bounded(value)
        if type(value) is dict:  # leaves inline: most of a report's thousands of values are leaves
            if TENSOR in value:
                raise PackError(f"a dict with the reserved key {TENSOR!r}")
            return {self.key(key): item if type(item) in _AS_IS else self.encode(item) for key, item in value.items()}
        if type(value) in (list, tuple):
            return [item if type(item) in _AS_IS else self.encode(item) for item in value]
        if type(value) is tensorbase.TENSOR:
            return {TENSOR: self.tensor(value)}
        raise PackError(f"a value of type {type(value).__name__}")

    @staticmethod
    def key(key: Any) -> str:
        if type(key) is not str:
            raise PackError("a dict key that is not a string")
        return key

    def tensor(self, value: torch.Tensor) -> int:
        if id(value) in self.seen:
            return self.seen[id(value)]
        dtype, layout = tensorbase.DTYPE(value), tensorbase.LAYOUT(value)
        name = str(dtype).removeprefix("torch.")
        if layout != _STRIDED or name not in DTYPES or tensorbase.DEVICE(value).type != "cpu":
            raise PackError(f"a tensor that is not a plain dense CPU one ({dtype}, {layout})")
        flat = tensorbase.RESHAPE(tensorbase.CONTIGUOUS(tensorbase.DETACH(value)), -1)
        data = tensorbase.VIEW(flat, tensorbase.UINT8)
        offset = -(-self.size // ALIGN) * ALIGN
        if offset > self.size:
            self.pieces.append(_ZEROS(offset - self.size, dtype=tensorbase.UINT8))
        self.pieces.append(data)
        self.size = offset + tensorbase.NUMEL(data)
        self.table.append([name, list(tensorbase.SHAPE(value)), offset])
        self.seen[id(value)] = len(self.table) - 1
        return len(self.table) - 1


def pack(value: Any) -> bytes:
    """``value`` (dicts with string keys, lists, tuples, strings, numbers, booleans, None, plain tensors)
    as one blob; :class:`PackError` for anything else."""
    packer = _Packer()
    with tensorbase.PLAIN():  # no __torch_function__ runs: torch's own answers
        structure = "".join(_ENCODE({"value": packer.encode(value), "tensors": packer.table}, 0)).encode()
        data = _CAT(packer.pieces) if packer.pieces else _ZEROS(0, dtype=tensorbase.UINT8)
        raw = _STRING_AT(tensorbase.DATA_PTR(data), tensorbase.NUMEL(data))
    return MAGIC + _LENGTH.pack(len(structure)) + structure + raw


def _data(raw: bytes) -> torch.Tensor:
    """The raw section as a fresh byte tensor (its own copy: nothing else holds it)."""
    if len(raw) > MAX_BYTES:
        raise PackError("tensor data over its size limit")
    return torch.frombuffer(bytearray(raw), dtype=torch.uint8) if raw else torch.zeros(0, dtype=torch.uint8)


def _shape(shape: Any) -> tuple[list[int], int]:
    """A checked shape and its element count."""
    if type(shape) is not list or len(shape) > MAX_DIMS or any(type(n) is not int or n < 0 for n in shape):
        raise PackError("a tensor shape that is not a list of sizes")
    if any(size > MAX_ELEMENTS for size in shape):  # even beside a 0: strides of 2**40 x 2**40 overflow
        raise PackError(f"a tensor of more than {MAX_ELEMENTS} elements along one dimension")
    count = 1
    for size in shape:
        count *= size
        if count > MAX_ELEMENTS:
            raise PackError(f"a tensor of more than {MAX_ELEMENTS} elements")
    if count == 0 and math.prod(size for size in shape if size) > MAX_ELEMENTS:  # (0, 2**22, 2**22, …): its
        raise PackError(f"an empty tensor whose other sizes hold more than {MAX_ELEMENTS} elements")  # strides overflow
    return shape, count


def _tensors(table: Any, data: torch.Tensor) -> list[torch.Tensor]:
    """Each table entry as a tensor over its own bytes of ``data``: in order, aligned, never overlapping."""
    if type(table) is not list:
        raise PackError("no tensor table")
    tensors, end, elements = [], 0, 0
    for entry in table:
        if type(entry) is not list or len(entry) != 3 or entry[0] not in DTYPES or type(entry[2]) is not int:
            raise PackError("a malformed tensor entry")
        dtype, (shape, count), offset = DTYPES[entry[0]], _shape(entry[1]), entry[2]
        size = count * dtype.itemsize
        elements += count
        if elements > MAX_ELEMENTS:
            raise PackError(f"tensors of more than {MAX_ELEMENTS} elements in all")
        if offset < end or offset % ALIGN or offset + size > data.numel():
            raise PackError("a tensor whose bytes overlap another's or lie outside the data")
        raw = data[offset:offset + size]
        tensors.append((raw != 0).reshape(shape) if dtype == torch.bool else raw.view(dtype).reshape(shape))
        end = offset + size
    return tensors


def _int(text: str) -> int | float:
    """A JSON integer; past 19 digits an infinity (reading a huge one as an int costs quadratic time)."""
    if len(text) <= 20:
        return int(text)
    return -math.inf if text[0] == "-" else math.inf


def split(blob: bytes) -> tuple[Any, list[torch.Tensor]]:
    """(the JSON structure, with ``{"$tensor": i}`` references left in place; the tensors), every bound
    checked: :class:`PackError` for a blob that is anything else."""
    head = len(MAGIC) + _LENGTH.size
    if len(blob) < head or blob[:len(MAGIC)] != MAGIC:
        raise PackError("not a packed report")
    (length,) = _LENGTH.unpack_from(blob, len(MAGIC))
    if length > MAX_STRUCTURE or head + length > len(blob):
        raise PackError("a structure over its size limit, or cut short")
    try:
        document = json.loads(blob[head:head + length], parse_int=_int)
    except (ValueError, RecursionError) as exc:  # malformed, too deep, or an int of too many digits
        raise PackError(f"malformed structure ({type(exc).__name__})") from None
    if type(document) is not dict or "value" not in document:
        raise PackError("a structure without a value")
    return document["value"], _tensors(document.get("tensors"), _data(blob[head + length:]))


def is_reference(value: Any) -> bool:
    """``{"$tensor": i}``."""
    return type(value) is dict and len(value) == 1 and TENSOR in value


def resolve(value: Any, tensors: list[torch.Tensor]) -> Any:
    """``value`` with every tensor reference replaced (trusted data: a check's inputs in the child)."""
    if type(value) is dict:
        if is_reference(value):
            return tensors[value[TENSOR]]
        return {key: resolve(item, tensors) for key, item in value.items()}
    if type(value) is list:
        return [resolve(item, tensors) for item in value]
    return value


def loads(blob: bytes) -> Any:
    """The value :func:`pack` packed."""
    return resolve(*split(blob))
