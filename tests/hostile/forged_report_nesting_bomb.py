"""gradients(x) forges a report nested 300,000 levels deep, gradient_manual(x) one of 500,000 values.

Both structures are small JSON texts (600 KB and 1 MB): "[[[[...]]]]" would
exhaust a recursive reader's stack, and half a million list items would cost
a copy of each. Expected: the deep one is refused by the JSON reader's
recursion guard or the depth limit, the wide one by the 50,000-value budget;
the gradients and gradient_manual checks fail, the grader's memory and time
stay small, the forward checks keep their points.
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


DEPTH, WIDTH = 300_000, 500_000


def forward(x):
    y = 3 * x + 2
    y.retain_grad()
    z = 2 * y**2
    out = z.mean()
    return y, z, out


def forge(structure: bytes, data: bytes = b"") -> bytes:
    """A report in the packed layout (MAGIC, length, JSON, raw tensor bytes), whatever its parts hold."""
    return packing.MAGIC + len(structure).to_bytes(4, "big") + structure + data


def gradients(x):
    deep = b"[" * DEPTH + b"]" * DEPTH
    structure = b'{"value":{"status":"ok","observations":[{"gradients":' + deep + b'}]},"tensors":[]}'
    os.write(3, _sealed(forge(structure)))
    os._exit(0)


def gradient_manual(x):
    wide = b"[" + b",".join([b"0"] * WIDTH) + b"]"
    structure = b'{"value":{"status":"ok","observations":[{"manual":' + wide + b'}]},"tensors":[]}'
    os.write(3, _sealed(forge(structure)))
    os._exit(0)
