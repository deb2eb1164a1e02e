"""A 16 MB exception class name and message, raised for real and forged in a report.

gradient_manual(x) raises, at its first call in a process, an exception whose
class is named with 16 MB of letters and whose message is 16 MB long (later
calls raise a short one, so the report stays under the 64 MB cap); gradients(x)
forges a report whose described exception has a 16 MB type and message, then
exits. Expected: the texts are cut where they are read (a few KB of feedback
per check), every report stays small and well-formed, the gradients and
gradient_manual checks fail, the forward checks keep their points.
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


HUGE = 16 << 20


def forward(x):
    y = 3 * x + 2
    y.retain_grad()
    z = 2 * y**2
    out = z.mean()
    return y, z, out


def gradients(x):
    described = {"type": "E" * HUGE, "message": "m" * HUGE, "frames": []}
    outcome = {"name": "gradients", "returned": None, "exception": described, "warnings": [], "autograd_calls": 0}
    os.write(3, _sealed() + packing.pack({"status": "ok", "observations": [{"gradients": outcome, "x_grad": None}]}))
    os._exit(0)


CALLS = []


def gradient_manual(x):
    CALLS.append(1)
    if len(CALLS) == 1:
        raise type("E" * HUGE, (Exception,), {})("m" * HUGE)
    raise ValueError("a short one")
