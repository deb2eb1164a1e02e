"""gradient_manual(x) forges a report whose 24 tensor entries all claim the same 32 MB of data.

The report holds 4M float64 numbers once (32 MB, under the 64 MB cap) and a
tensor table of 24 entries that all start at offset 0. A reader that trusted
the table would hand the judge 24 tensors over one buffer (aliases: writing one
changes the others), and one that copied each would build 768 MB from 32.
Expected: the table is refused (its 24 x 4M elements are over the budget for
all tensors together, and entries may not overlap), the grader's memory grows
by a bounded amount, the gradient_manual checks fail, every other check keeps its
points.
"""

import traceback
import json
import os
import sys

import torch


def _child_global(name):
    """A name of the sandbox child's own module, from its frame: the child takes the grader's modules out of
    sys.modules before a submission runs, and this file goes on to test the layers behind that."""
    frame = next(traceback.walk_stack(None))[0]  # (a library hands frames: the child refuses sys._getframe)
    while frame is not None and frame.f_globals.get("__name__") != "autograd_exercises.sandbox.child":
        frame = frame.f_back
    return frame.f_globals[name]


packing = _child_global("packing")


def _sealed() -> bytes:
    """This run's seal, taken from the sandbox child's frame, so that what follows is read as a report (the grader's
    reading refuses a file that reaches frames: the hostile tests run it anyway, to test the sandbox's own layers)."""
    frame = next(traceback.walk_stack(None))[0]  # (a library hands frames: the child refuses sys._getframe)
    while frame is not None and "seal" not in frame.f_locals:
        frame = frame.f_back
    return frame.f_locals["seal"] if frame is not None else b""


COPIES = 24


def forward(x):
    y = 3 * x + 2
    y.retain_grad()
    z = 2 * y**2
    out = z.mean()
    return y, z, out


def gradients(x):
    y, z, out = forward(x)
    out.backward()
    return x.grad, y.grad


def forge(structure: bytes, data: bytes = b"") -> bytes:
    """A report in the packed layout (MAGIC, length, JSON, raw tensor bytes), whatever its parts hold."""
    return packing.MAGIC + len(structure).to_bytes(4, "big") + structure + data


def gradient_manual(x):
    table = [["float64", [1 << 22], 0] for _ in range(COPIES)]
    value = {"status": "ok", "observations": [{"manual": [{"$tensor": index} for index in range(COPIES)]}]}
    os.write(3, _sealed() + forge(json.dumps({"value": value, "tensors": table}).encode(), bytes(8 << 22)))
    os._exit(0)
