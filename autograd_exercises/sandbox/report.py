"""Reading a child's report: every byte is a forgery until bounded and checked.

Grader side. A child (student code, possibly hostile) writes its report as a
``torch.save`` file. Before ``torch.load(weights_only=True)`` runs, the zip is
inspected: stored entries only (no compression bomb), a bounded count and
uncompressed size. What it loads is then copied into a fresh tree under a node
budget (shared sub-lists that would expand exponentially are counted at every
visit), with strings cut and cleaned (control characters, lone surrogates),
numbers bounded, tensors dense, small and of a plain dtype. Anything else is
refused, and a refused report becomes that check's "could not read" failure.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

MAX_UNCOMPRESSED = 64 << 20  # bytes of all entries together
MAX_ENTRIES = 4096  # entries in the zip (one per tensor storage, plus a few)
MAX_NODES = 50_000  # values visited while copying (dict entries, list items, leaves)
MAX_DEPTH = 32  # deepest nesting accepted
MAX_TEXT = 4096  # characters kept of any one string
MAX_ELEMENTS = 1 << 22  # elements of any one tensor, and of all tensors together
MAX_PICKLE = 1 << 20  # bytes of the pickled structure (data.pkl): tensor data lives in entries of its own
MAX_INT = 1 << 63
# Control characters (newline and tab excepted), C1 controls, bidi overrides, XML's non-characters and lone
# surrogates: student text must not repaint a terminal, break JSON/JUnit, or fail to encode as UTF-8.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufffe\uffff\ud800-\udfff]")


class Unreadable(ValueError):
    """The report is not something the grader will read (too big, compressed, too many nodes, odd types)."""


def clean_text(text: str, limit: int = MAX_TEXT) -> str:
    """``text`` cut to ``limit`` characters, with unsafe characters replaced by U+FFFD."""
    if len(text) > limit:
        text = text[:limit] + "…"
    return _UNSAFE.sub("\ufffd", text)


def check_zip(blob: bytes) -> None:
    """Refuse anything but a small, uncompressed zip as ``torch.save`` writes it."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(blob))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise Unreadable(f"not a torch.save file ({exc})") from None
    if len(entries) > MAX_ENTRIES:
        raise Unreadable(f"{len(entries)} entries")
    if any(entry.compress_type != zipfile.ZIP_STORED for entry in entries):
        raise Unreadable("compressed entries")
    if sum(entry.file_size for entry in entries) > MAX_UNCOMPRESSED:
        raise Unreadable("over the size limit once unpacked")
    if any(entry.filename.endswith(".pkl") and entry.file_size > MAX_PICKLE for entry in entries):
        raise Unreadable("a pickled structure over its size limit")  # torch's unpickler builds it all first


class _Copier:
    """A fresh, bounded copy of a loaded report (see the module docstring)."""

    def __init__(self) -> None:
        self.nodes = self.elements = 0
        self.tensors: dict[int, Any] = {}  # id → copy: a tensor referenced many times is copied once

    def copy(self, value: Any, depth: int = 0) -> Any:
        import torch

        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise Unreadable(f"more than {MAX_NODES} values")
        if depth > MAX_DEPTH:
            raise Unreadable("nested too deeply")
        if value is None or type(value) in (bool, float):
            return value
        if type(value) is int:
            return value if -MAX_INT <= value <= MAX_INT else float("inf") if value > 0 else float("-inf")
        if type(value) is str:
            return clean_text(value)
        if type(value) is dict:
            return {self.key(k): self.copy(v, depth + 1) for k, v in value.items()}
        if type(value) in (list, tuple):
            return [self.copy(v, depth + 1) for v in value]
        if type(value) is torch.Tensor:
            return self.tensor(value)
        raise Unreadable(f"a value of type {type(value).__name__}")

    def key(self, key: Any) -> str:
        self.nodes += 1
        if type(key) is not str:
            raise Unreadable("a key that is not a string")
        return clean_text(key, 200)

    def tensor(self, value: Any) -> Any:
        """A dense, contiguous, plain copy: a stride-0 view of a huge shape must not reach the judge, and all
        tensors together hold at most :data:`MAX_ELEMENTS` elements (each distinct tensor counted once)."""
        import torch

        if id(value) in self.tensors:
            return self.tensors[id(value)]
        if value.layout != torch.strided or value.is_quantized or value.dtype not in _PLAIN_DTYPES():
            raise Unreadable("a tensor that is not a plain dense one")
        self.elements += value.numel()
        if self.elements > MAX_ELEMENTS:
            raise Unreadable(f"tensors of more than {MAX_ELEMENTS} elements in all")
        whole = value.is_contiguous() and value.storage_offset() == 0 and \
            value.untyped_storage().nbytes() == value.numel() * value.element_size()
        self.tensors[id(value)] = value.detach() if whole else value.detach().clone(memory_format=torch.contiguous_format)
        return self.tensors[id(value)]


def _PLAIN_DTYPES() -> set[Any]:
    import torch

    return {torch.float16, torch.bfloat16, torch.float32, torch.float64, torch.complex64, torch.complex128,
            torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64, torch.bool}


def load(blob: bytes) -> dict[str, Any]:
    """The report as a bounded, fresh dict of plain data; :class:`Unreadable` if it is anything else."""
    import torch

    check_zip(blob)
    try:
        loaded = torch.load(io.BytesIO(blob), weights_only=True)
    except Exception as exc:  # a forged or truncated report
        raise Unreadable(f"{type(exc).__name__}") from None
    report = _Copier().copy(loaded)
    if not isinstance(report, dict) or not isinstance(report.get("status"), str):
        raise Unreadable("not a report")
    _check_shapes(report)
    for name, check in report.get("checks", {}).items():
        if not isinstance(check, dict):
            raise Unreadable(f"check {name} is not a dict")
        _check_shapes(check)
    return report


def _check_shapes(report: dict[str, Any]) -> None:
    """The fields the grader reads have the types it expects."""
    shapes = {"observations": list, "exception": dict, "functions": list, "message": str, "checks": dict,
              "timed_out": bool}
    for name, kind in shapes.items():
        if name in report and not isinstance(report[name], kind):
            raise Unreadable(f"{name} is not a {kind.__name__}")
    if not all(isinstance(item, dict) for item in report.get("observations", [])):
        raise Unreadable("an observation that is not a dict")
