"""gradients(x) forges an "import-error" report whose exception's frames is the number 5, then os._exit(0).

For an import error the grader writes "could not be imported: ... at line N" from
``exception["frames"][-1]``, outside any judge's try: ``5[-1]`` raised TypeError out of
grading.grade (a string or a list of numbers there raised AttributeError). Expected: the report is
refused as unreadable (an exception's frames must be a list of frame dicts), the gradients checks
fail with "could not read", every other check keeps its points.
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
    exception = {"type": "ImportError", "message": "forged", "frames": 5}
    os.write(3, _sealed(packing.pack({"status": "import-error", "exception": exception})))
    os._exit(0)


def gradient_manual(x):
    return 12 * (3 * x + 2) / x.numel()
