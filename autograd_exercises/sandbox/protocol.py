"""Framing between the grader and its fork-server: a JSON header, then one blob.

Each message is ``<4-byte length><json header><4-byte length><blob>``. The blob
is opaque bytes (a :mod:`.packing` blob, source text); only the grader ever
reads a blob made by student code, and only through :func:`.report.load`.
"""

from __future__ import annotations

import hashlib
import json
import struct
from typing import Any, BinaryIO

MAX_HEADER = 1 << 20
MAX_BLOB = 64 << 20  # the largest observation a child may send back
# Each check's output in a multi-check job starts with this line (printable: it survives the output's cleaning).
CHECK_SEPARATOR, CHECK_SEPARATOR_END = "\n⟦autograd-exercises check: ", "⟧\n"
AGAIN = "@import"  # the section after the child's second run of the top level began (``child._run_off``)
# The descriptor a child's report goes out on: one end of a unix socket pair (``server.result_channel``). Nothing in
# the child may put another file there or close it (``isolation.seccomp_filter``).
RESULT_FD = 3
# A report ends with HMAC-SHA256(the job's seal, the report): the seal itself never leaves the child's memory, so a
# report read on its way out (red team 235) hands no one a key to sign another (sandbox.interpret checks the tag).
TAG_SIZE = 32


def seal_keys(seal: bytes) -> tuple[bytes, bytes]:
    """HMAC-SHA256's inner and outer keys for ``seal`` (RFC 2104: the seal padded to SHA-256's 64-byte block, then
    XOR 0x36 and 0x5C), made once in the child before any student code runs (``child.report`` signs with them)."""
    key = seal if len(seal) <= 64 else hashlib.sha256(seal).digest()
    key = key.ljust(64, b"\0")
    return bytes(byte ^ 0x36 for byte in key), bytes(byte ^ 0x5C for byte in key)


def runs_twice(checks: Any) -> bool:
    """A job's calls (``checks``) open with one that serves a by-hand check (``fresh``) and not all do: the child runs
    the top level first with autograd off, then again for the others (``child._run_off``), and that second run has a
    budget of its own (``Sandbox.run``'s ``again``, ``grading._again_time``)."""
    return bool(checks) and bool(checks[0].get("fresh")) and not all(item.get("fresh") for item in checks)


CELLS_BUDGET = 3  # a run of a notebook's cells has, in all, at most this many times one cell's budget (two cells
# that hang by accident leave the others a cell's budget)


def cells_budget(program: list[dict[str, Any]]) -> float:
    """The seconds one run of ``program``'s cells has in all (``child._run_steps`` stops there, ``grading`` budgets the
    child by it): each cell has its own budget, and together at most :data:`CELLS_BUDGET` times the largest (red team
    211: a notebook whose cells each slept past their 60 s held a class's run a minute a cell, up to 2,000 cells)."""
    budgets = [float(step["timeout"]) for step in program if "cell" in step]
    return min(sum(budgets), CELLS_BUDGET * max(budgets, default=0.0))


def off_stop(checks: Any, program: list[dict[str, Any]]) -> int:
    """Where in a notebook's ``program`` the run with autograd off stops: the first test cell with a call (of the job's
    ``checks``) that serves a by-hand check (``fresh``), as the child runs it (``child.run_program``) and the grader
    budgets it (``grading._again_time``); the program's length where there is none."""
    fresh = {item["name"] for item in checks or () if item.get("fresh")}
    return next((index for index, step in enumerate(program) if fresh.intersection(step.get("checks", ()))),
                len(program))


# What a probe raises for a function the submission lacks (observe); the grader names the cause from it.
NO_FUNCTION = "the submission defines no function named "
# The child writes this to its result channel once locked down, before any student code runs: a report behind it
# may be the student's own forgery, so a "sandbox-error" it claims is no failure of the sandbox (interpret).
LOCKED = b"\x00autograd-exercises locked\x00"
GRADER_PACKAGE = "autograd_exercises"  # the child hides it from the submission; the readings refuse its import
DIFFERENTIATORS = ("sympy", "symengine", "jax", "jaxlib", "autograd", "tensorflow", "keras", "theano", "aesara",
                   "pytensor", "casadi", "mxnet", "paddle", "tinygrad", "micrograd", "mygrad", "mpmath",
                   "numdifftools", "findiff")  # libraries that
# differentiate for the code (red team 81: sympy.diff of the file's own forward; red team 149: mpmath.diff, which
# torch's sympy always installs): autograd to the by-hand reading,
# and reached by the submission only by their own names (red team 82: fontTools.misc.symfont.sp is sympy)
# The type of the import error a child reports when the submission changed what the probes rely on (child.tampered).
TAMPERED = "Tampered"


class ProtocolError(Exception):
    """The other side sent something that is not a well-formed message, or hung up."""


def _read_exact(stream: BinaryIO, size: int) -> bytes:
    data = bytearray()
    while len(data) < size:
        chunk = stream.read(size - len(data))
        if not chunk:
            raise ProtocolError("the other side closed the channel")
        data += chunk
    return bytes(data)


def _read_frame(stream: BinaryIO, limit: int) -> bytes:
    (size,) = struct.unpack(">I", _read_exact(stream, 4))
    if size > limit:
        raise ProtocolError(f"message of {size} bytes is over the {limit}-byte limit")
    return _read_exact(stream, size)


def send(stream: BinaryIO, header: dict[str, Any], blob: bytes = b"") -> None:
    """Write one message and flush."""
    head = json.dumps(header).encode()
    stream.write(struct.pack(">I", len(head)) + head + struct.pack(">I", len(blob)) + blob)
    stream.flush()


def receive(stream: BinaryIO) -> tuple[dict[str, Any], bytes]:
    """Read one message; raises :class:`ProtocolError` on EOF or a malformed frame."""
    try:
        header = json.loads(_read_frame(stream, MAX_HEADER))
    except ValueError as exc:
        raise ProtocolError(f"malformed header: {exc}") from None
    if not isinstance(header, dict):
        raise ProtocolError("header is not an object")
    return header, _read_frame(stream, MAX_BLOB)
