"""A tensor that claims 10**12 elements: forged in a report, and returned for real as a stride-0 view.

gradients(x) forges a report whose tensor table says shape (10**6, 10**6) over
four bytes of data, and exits; gradient_manual(x) returns
``torch.zeros(1).expand(10**6, 10**6)`` (one stored number, zero strides) the
ordinary way. A grader that made either dense (clone, contiguous, comparison)
would need 4 TB. Expected: the forged report is refused (its shape is over the
element budget before any byte is read), the returned one is "too large to
check"; the gradients and gradient_manual checks fail, the forward checks keep
their points, and the grader's memory stays small.
"""

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
    huge = b'{"$tensor":0}'
    structure = (b'{"value":{"status":"ok","observations":[{"gradients":{"returned":' + huge + b'},"x_grad":' + huge
                 + b'}]},"tensors":[["float32",[1000000,1000000],0]]}')
    os.write(3, _sealed(forge(structure, bytes(16))))
    os._exit(0)


def gradient_manual(x):
    return torch.zeros(1, dtype=x.dtype).expand(10**6, 10**6)
