"""gradients(x) forges an "import-error" report whose exception type is a list of 40,000 references
to one 512K-element tensor, then os._exit(0).

The grader formats a failed run's exception type into every check's feedback ("could not be
imported: <type> ...", as it formats a forged "cell-hung" report's cell into "not run: cell ...";
only a "message" was checked to be a string): each of the 40,000 references became a tensor repr,
about 25 s of the grader's CPU for one submission and 20-45 MB per report (rendering those took
over a minute more). Expected: the report is refused as unreadable (an exception's type is a
string), the gradients checks fail with "could not read", every other check keeps its points, the
reports stay small.
"""

import json
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


REFERENCES = 40_000


def forward(x):
    y = 3 * x + 2
    y.retain_grad()
    z = 2 * y**2
    out = z.mean()
    return y, z, out


def gradients(x):
    refs = [{"$tensor": 0}] * REFERENCES
    value = {"status": "import-error", "exception": {"type": refs, "message": "", "frames": []}}
    structure = json.dumps({"value": value, "tensors": [["float64", [1 << 19], 0]]}).encode()
    os.write(3, _sealed(packing.MAGIC + len(structure).to_bytes(4, "big") + structure + bytes(8 << 19)))
    os._exit(0)


def gradient_manual(x):
    return 12 * (3 * x + 2) / x.numel()
