"""gradients(x) forges a report whose returned value claims to be a Python float whose value is a list
of 200 strings of 4,000 characters, then os._exit(0) (one observation: the JSON text
stays under its 4 MB limit).

A judge that finds a non-tensor says so, quoting the value (``x.grad is a Python float (...)``):
the feedback of each gradients check was then 800 KB, and every report (text, JSON, JUnit)
several MB. Expected: the checks fail, their feedback is cut to a bounded length, the reports stay
under 200 KB, every other check keeps its points.
"""

import os
import sys


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
    os.write(3, _sealed(packing.pack({"status": "ok", "observations": [observation]})))
    os._exit(0)


def gradient_manual(x):
    return 12 * (3 * x + 2) / x.numel()
