"""gradients(x) forges a report whose observation says ``{"probe_error": "boom"}`` (a string, not the
described exception the grader expects), then os._exit(0).

judge_run reads ``obs["probe_error"]["type"]`` before, and outside, the try that turns a judge's
surprise into a failed check: a string there raised TypeError out of grading.grade and lost the
whole submission's grading. Expected: the report is refused as unreadable (a probe_error must be a
described exception), the gradients checks fail with "could not read", every other check keeps its
points.
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
    os.write(3, _sealed(packing.pack({"status": "ok", "observations": [{"probe_error": "boom"}]})))
    os._exit(0)


def gradient_manual(x):
    return 12 * (3 * x + 2) / x.numel()
