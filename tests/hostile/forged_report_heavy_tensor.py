"""gradients(x) forges a report whose "heavy" (the modules the child imported, a list of names) is a
tensor of two numbers, then os._exit(0).

Sandbox.run evaluated ``bool(run.result.get("heavy"))`` on every report: a tensor of more than one
element raised RuntimeError ("Boolean value of Tensor ... is ambiguous") out of Sandbox.run, and the
whole grading with it. Expected: the report is refused as unreadable ("heavy" must be a list of
module names), the gradients checks fail with "could not read", every other check keeps its points.
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


def gradients(x):
    os.write(3, _sealed() + packing.pack({"status": "ok", "observations": [], "heavy": torch.zeros(2)}))
    os._exit(0)


def gradient_manual(x):
    return 12 * (3 * x + 2) / x.numel()
