"""Reading a child's report: every byte is a forgery until bounded and checked.

Grader side. A child (student code, possibly hostile) writes its report with
:func:`.packing.pack`: JSON text for the structure, raw bytes for the numbers.
:func:`.packing.split` checks every length, offset, shape and dtype of it before
anything is built, and nothing is ever unpickled. The structure is then copied
into a fresh tree under a node budget, with strings cut and cleaned (control
characters, lone surrogates), numbers bounded, and each tensor reference
resolved to its tensor (a tensor referenced many times is one object, never a
copy, but each reference counts: a judge or a feedback text that walks 40,000
references to one big tensor does 40,000 times the work). The fields the pipeline
itself reads and formats (a status, a described exception wherever one sits, a
check's wall time, the preloaded modules) must have the child's own shapes: a
tensor or a list where a string is formatted into feedback, or a NaN wall time
copied into results.json, is refused. Anything else is refused too, and a refused
report becomes that check's "could not read" failure.
"""

from __future__ import annotations

import math
import re
from typing import Any, Callable

from autograd_exercises.sandbox import packing

MAX_NODES = 50_000  # values visited while copying (dict entries, list items, leaves)
MAX_DEPTH = 32  # deepest nesting accepted
MAX_TEXT = 4096  # characters kept of any one string
MAX_REFERENCES = 2048  # tensor references in one report (an honest one: one per tensor, under 200)
MAX_REFERENCED = 2 * packing.MAX_ELEMENTS  # elements of all references together, a tensor counted at each
STATUSES = frozenset({"ok", "import-error", "import-timeout", "sandbox-error"})  # what a child reports
# Control characters (newline and tab excepted), C1 controls, bidi overrides, XML's non-characters and lone
# surrogates: student text must not repaint a terminal, break JSON/JUnit, or fail to encode as UTF-8.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufffe\uffff\ud800-\udfff]")


class Unreadable(ValueError):
    """The report is not something the grader will read (too big, malformed, too many nodes, odd types)."""


def _is_frame(frame: Any) -> bool:
    """A traceback frame as :func:`.observe.describe_exception` writes it."""
    return type(frame) is dict and set(frame) == {"line", "function", "code"} and type(frame["line"]) is int \
        and type(frame["function"]) is str and type(frame["code"]) is str


def _is_exception(value: Any) -> bool:
    """An exception as :func:`.observe.describe_exception` describes it: strings and frames only (the pipeline
    and the judges format each of them into feedback)."""
    if type(value) is not dict or type(value.get("type")) is not str \
            or not set(value) <= {"type", "message", "frames", "raised_in"}:
        return False
    return type(value.get("message", "")) is str and type(value.get("raised_in", "")) is str \
        and type(value.get("frames", [])) is list and all(_is_frame(frame) for frame in value.get("frames", []))


# Keys whose value, wherever it sits in a report, has one shape (the child writes them; probes use no others).
_FIELDS: dict[str, Callable[[Any], bool]] = {
    "exception": lambda value: value is None or _is_exception(value),
    "probe_error": _is_exception,
    "wall": lambda value: type(value) in (int, float) and math.isfinite(value),  # NaN is not JSON for results.json
    "heavy": lambda value: type(value) is list and all(type(name) is str for name in value),
}


def clean_text(text: str, limit: int = MAX_TEXT) -> str:
    """``text`` cut to ``limit`` characters, with unsafe characters replaced by U+FFFD."""
    if len(text) > limit:
        text = text[:limit] + "…"
    return _UNSAFE.sub("\ufffd", text)


_AS_IS = frozenset({type(None), bool, float})  # JSON leaves copied as they are (ints are bounded, strings cleaned)


class _Copier:
    """A fresh, bounded copy of a report's structure, its tensor references resolved (see the module docstring)."""

    def __init__(self, tensors: list[Any]) -> None:
        self.nodes = 0
        self.references = self.referenced = 0
        self.tensors = tensors
        self.texts: dict[str, str] = {}  # short strings already cleaned: keys and type names repeat in every check

    def copy(self, value: Any, depth: int = 0) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise Unreadable(f"more than {MAX_NODES} values")
        if depth > MAX_DEPTH:
            raise Unreadable("nested too deeply")
        if type(value) in _AS_IS:
            return value
        if type(value) is int:
            return packing.bounded(value)
        if type(value) is str:
            return self.text(value, MAX_TEXT)
        if type(value) is dict:
            if packing.TENSOR in value:
                return self.tensor(value)
            copied = {}
            for k, v in value.items():
                key = self.key(k)
                if type(v) in _AS_IS:  # leaves inline: most of a report's thousands of values are leaves
                    self.nodes += 1
                    item = copied[key] = v
                elif type(v) is str:
                    self.nodes += 1
                    item = copied[key] = self.text(v, MAX_TEXT)
                else:
                    item = copied[key] = self.copy(v, depth + 1)
                if key in _FIELDS and not _FIELDS[key](item):
                    raise Unreadable(f"a malformed {key!r}")
            if self.nodes > MAX_NODES:
                raise Unreadable(f"more than {MAX_NODES} values")
            return copied
        if type(value) is list:
            return [self.copy(v, depth + 1) for v in value]
        raise Unreadable(f"a value of type {type(value).__name__}")

    def key(self, key: Any) -> str:
        self.nodes += 1
        return self.text(key, 200)  # JSON object keys are always strings

    def text(self, value: str, limit: int) -> str:
        if len(value) > 64:
            return clean_text(value, limit)
        cleaned = self.texts.get(value)
        if cleaned is None:
            cleaned = self.texts[value] = clean_text(value, limit)
        return cleaned

    def tensor(self, reference: dict[str, Any]) -> Any:
        """The tensor ``{"$tensor": i}`` names (already checked by :func:`packing.split`)."""
        index = reference[packing.TENSOR]
        if not packing.is_reference(reference) or type(index) is not int or not 0 <= index < len(self.tensors):
            raise Unreadable("a malformed tensor reference")
        tensor = self.tensors[index]
        self.references += 1
        self.referenced += max(tensor.numel(), 1)
        if self.references > MAX_REFERENCES or self.referenced > MAX_REFERENCED:
            raise Unreadable(f"more than {MAX_REFERENCES} tensor references, or {MAX_REFERENCED} elements referenced")
        return tensor


def load(blob: bytes) -> dict[str, Any]:
    """The report as a bounded, fresh dict of plain data; :class:`Unreadable` if it is anything else."""
    try:
        structure, tensors = packing.split(blob)
    except packing.PackError as exc:
        raise Unreadable(str(exc)) from None
    report = _Copier(tensors).copy(structure)
    if not isinstance(report, dict) or not isinstance(report.get("status"), str):
        raise Unreadable("not a report")
    if report["status"] not in STATUSES:  # "crashed", "cell-hung", …: the grader's own verdicts, never a child's
        raise Unreadable(f"a status a child never reports ({report['status'][:40]!r})")
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
