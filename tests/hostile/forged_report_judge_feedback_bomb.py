"""gradients(x) forges a report whose returned value claims to be a Python float whose value is a list
of 200 strings of 4,000 characters, then os._exit(0) (one observation: the JSON text
stays under its 4 MB limit).

A judge that finds a non-tensor says so, quoting the value (``x.grad is a Python float (...)``):
the feedback of each gradients check was then 800 KB, and every report (text, JSON, JUnit)
several MB. Expected: the checks fail, their feedback is cut to a bounded length, the reports stay
under 200 KB, every other check keeps its points.
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


def forward(x):
    y = 3 * x + 2
    y.retain_grad()
    z = 2 * y**2
    out = z.mean()
    return y, z, out


def gradients(x):
    bomb = {"type": "float", "value": ["x" * 4000] * 200}
    outcome = {"returned": {"type": "tuple", "items": [bomb, bomb], "length": 2}, "exception": None,
               "warnings": [], "autograd_calls": 1}
    observation = {"gradients": outcome, "x_grad": bomb, "forward_reaches_x": True}
    os.write(3, _sealed() + packing.pack({"status": "ok", "observations": [observation]}))
    os._exit(0)


def gradient_manual(x):
    return 12 * (3 * x + 2) / x.numel()
