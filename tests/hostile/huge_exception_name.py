"""A 16 MB exception class name and message, raised for real and forged in a report.

gradient_manual(x) raises, at its first two calls in a process (both calls of the
first input: with autograd switched off, then on), an exception whose
class is named with 16 MB of letters and whose message is 16 MB long (later
calls raise a short one, so the report stays under the 64 MB cap); gradients(x)
forges a report whose described exception has a 16 MB type and message, then
exits. Expected: the texts are cut where they are read (a few KB of feedback
per check), every report stays small and well-formed, the gradients and
gradient_manual checks fail, the forward checks keep their points.
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
    os.write(3, _sealed(packing.pack({"status": "ok", "observations": [{"gradients": outcome, "x_grad": None}]})))
    os._exit(0)


CALLS = []


def gradient_manual(x):
    CALLS.append(1)
    if len(CALLS) <= 2:
        raise type("E" * HUGE, (Exception,), {})("m" * HUGE)
    raise ValueError("a short one")
