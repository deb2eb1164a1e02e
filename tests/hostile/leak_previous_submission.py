"""Each function searches its own memory for what an earlier submission printed, raised or returned.

Every check's child is forked from the same fork-server, so it starts with a
copy of the server's heap, where the previous submission's output and
report passed (the server drains both into Python buffers, then frees them
without clearing). Each child scans its heap once for text the
previous submission wrote, ``AUTOGRAD-PREVIOUS-SUBMISSION:`` followed by 16 hex
digits (tests/test_hostile.py grades such a submission first; the digits are
kept reversed here so the whole marker never exists in this process unless it
leaked). The functions return the right answers unless it finds one, and then
wrong ones (zeros), printing what was found. Expected: nothing of an earlier
submission reaches a later one's child; every check keeps its points.
"""

import ctypes
import re

import torch

MARKER = re.compile(re.escape(b"AUTOGRAD-PREVIOUS-SUBMISSION:") + b"([0-9a-f]{16})")
REVERSED_DIGITS = b"0123456789abcdef"
FOUND = []


def forward(x):
    y = (3 * x + 2) * (0 if _leaked() else 1)
    y.retain_grad()
    z = 2 * y**2
    out = z.mean()
    return y, z, out


def gradients(x):
    y, z, out = forward(x)
    out.backward()
    return x.grad, y.grad


def _scan():
    """The marker's hits in this process's heap, each with the text that follows it (searched in place)."""
    hits = []
    with open("/proc/self/maps") as maps:
        regions = [line.split() for line in maps]
    for fields in regions:
        if not fields[1].startswith("rw") or len(fields) > 5 and fields[5] != "[heap]":
            continue
        start, end = (int(value, 16) for value in fields[0].split("-"))
        heap = (ctypes.c_char * (end - start)).from_address(start)
        for found in MARKER.finditer(memoryview(heap).cast("B")):
            if found.group(1)[::-1] == REVERSED_DIGITS:
                hits.append(bytes(heap[found.start() : found.start() + 80]))
    return hits


def _leaked():
    if not FOUND:
        FOUND.append(_scan())  # once per process
        if FOUND[0]:
            print(f"found an earlier submission's text {len(FOUND[0])} times, e.g. {FOUND[0][0]!r}")
    return bool(FOUND[0])


def gradient_manual(x):
    if _leaked():
        return torch.zeros_like(x)
    return 12 * (3 * x + 2) / x.numel()
