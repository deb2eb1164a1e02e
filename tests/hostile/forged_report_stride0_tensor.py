"""A tensor that claims 10**12 elements: forged in a report, and returned for real as a stride-0 view.

gradients(x) forges a report whose tensor table says shape (10**6, 10**6) over
four bytes of data, and exits; gradient_manual(x) returns
``torch.zeros(1).expand(10**6, 10**6)`` (one stored number, zero strides) the
ordinary way. A grader that made either dense (clone, contiguous, comparison)
would need 4 TB. Expected: the forged report is refused (its shape is over the
element budget before any byte is read), the returned one is "too large to
check"; the gradients and gradient_manual checks fail, the forward checks keep
their points, and the grader's memory stays small.
"""

import traceback
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
    huge = b'{"$tensor":0}'
    structure = (b'{"value":{"status":"ok","observations":[{"gradients":{"returned":' + huge + b'},"x_grad":' + huge
                 + b'}]},"tensors":[["float32",[1000000,1000000],0]]}')
    os.write(3, _sealed() + forge(structure, bytes(16)))
    os._exit(0)


def gradient_manual(x):
    return torch.zeros(1, dtype=x.dtype).expand(10**6, 10**6)
