"""A Python int of 100,001 digits (10**100000), returned for real and forged in a report.

gradient_manual(x) returns it; gradients(x) forges a report whose gradient
values are that int, then exits. A grader that printed it (str() of a huge int
is quadratic, and refused past 4,300 digits) or compared it as a tensor would
hang or crash. Expected: the number is bounded where it is read, the gradients
and gradient_manual checks fail with ordinary feedback, the forward checks keep
their points, every report stays small.
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


HUGE = 10**100000


def forward(x):
    y = 3 * x + 2
    y.retain_grad()
    z = 2 * y**2
    out = z.mean()
    return y, z, out


def gradients(x):
    items = [{"type": "int", "value": HUGE}, {"type": "int", "value": -HUGE}]
    returned = {"type": "tuple", "length": 2, "items": items}
    outcome = {"name": "gradients", "returned": returned, "exception": None, "warnings": [], "autograd_calls": 1}
    observation = {"gradients": outcome, "x_grad": {"type": "int", "value": HUGE}}
    sys.set_int_max_str_digits(0)  # JSON text with all 100,001 digits: the grader must not read them as an int
    structure = json.dumps({"value": {"status": "ok", "observations": [observation]}, "tensors": []}).encode()
    os.write(3, _sealed() + packing.MAGIC + len(structure).to_bytes(4, "big") + structure)
    os._exit(0)


def gradient_manual(x):
    return HUGE
