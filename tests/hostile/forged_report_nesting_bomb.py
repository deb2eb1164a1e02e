"""gradients(x) forges a report nested 300,000 levels deep, gradient_manual(x) one of 500,000 values.

Both structures are small JSON texts (600 KB and 1 MB): "[[[[...]]]]" would
exhaust a recursive reader's stack, and half a million list items would cost
a copy of each. Expected: the deep one is refused by the JSON reader's
recursion guard or the depth limit, the wide one by the 50,000-value budget;
the gradients and gradient_manual checks fail, the grader's memory and time
stay small, the forward checks keep their points.
"""

import traceback
import os
import sys


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


DEPTH, WIDTH = 300_000, 500_000


def forward(x):
    y = 3 * x + 2
    y.retain_grad()
    z = 2 * y**2
    out = z.mean()
    return y, z, out


def forge(structure: bytes, data: bytes = b"") -> bytes:
    """A report in the packed layout (MAGIC, length, JSON, raw tensor bytes), whatever its parts hold."""
    return packing.MAGIC + len(structure).to_bytes(4, "big") + structure + data


def gradients(x):
    deep = b"[" * DEPTH + b"]" * DEPTH
    structure = b'{"value":{"status":"ok","observations":[{"gradients":' + deep + b'}]},"tensors":[]}'
    os.write(3, _sealed() + forge(structure))
    os._exit(0)


def gradient_manual(x):
    wide = b"[" + b",".join([b"0"] * WIDTH) + b"]"
    structure = b'{"value":{"status":"ok","observations":[{"manual":' + wide + b'}]},"tensors":[]}'
    os.write(3, _sealed() + forge(structure))
    os._exit(0)
