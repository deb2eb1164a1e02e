"""A Python int of 100,001 digits (10**100000), returned for real and forged in a report.

gradient_manual(x) returns it; gradients(x) forges a report whose gradient
values are that int, then exits. A grader that printed it (str() of a huge int
is quadratic, and refused past 4,300 digits) or compared it as a tensor would
hang or crash. Expected: the number is bounded where it is read, the gradients
and gradient_manual checks fail with ordinary feedback, the forward checks keep
their points, every report stays small.
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
    os.write(3, _sealed(packing.MAGIC + len(structure).to_bytes(4, "big") + structure))
    os._exit(0)


def gradient_manual(x):
    return HUGE
