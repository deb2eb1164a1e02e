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

import json
import os
import sys

import torch


def _child_global(name):
    """A name of the sandbox child's own module: the child takes the grader's modules out of sys.modules and hands a
    submission no frame, but its namespace lies behind the import finder it puts on sys.meta_path, and this file goes
    on to test the layers behind that."""
    for finder in sys.meta_path:
        try:
            space = type(finder).find_spec.__globals__
        except AttributeError:  # (a finder of a built-in class)
            continue
        if space.get("__name__") == "autograd_exercises.sandbox.child":
            return space[name]
    raise LookupError(name)


packing = _child_global("packing")


def _sealed(report: bytes) -> bytes:
    """``report`` signed with this run's seal (HMAC-SHA256 after it), as a child that reached the seal would sign it.
    The seal is a local of the child's main, and the child hands no code its frames: the hostile tests fix the run's
    seal to this value (``FORGED_SEAL`` in tests/test_hostile.py) to test the grader's own reading of such a report."""
    import hmac

    return report + hmac.new(b"0123456789abcdef0123456789abcdef", report, "sha256").digest()


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
    os.write(3, _sealed(forge(json.dumps({"value": value, "tensors": table}).encode(), bytes(8 << 22))))
    os._exit(0)
