"""gradients(x) writes a forged report whose tensor bytes are a zip bomb: 50 MB of zeros DEFLATEd to ~50 KB.

A grader that read a report's tensors through a zip reader (as torch.load does)
could be made to inflate it in its own memory. The packed format has no zip:
the raw section is viewed as the bytes it is. Expected: the grader's memory
stays small, the gradients checks fail, every other check keeps its points.
"""

import io
import json
import os
import sys
import zipfile


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


def forge(document: dict, data: bytes = b"") -> bytes:
    """A report in the packed layout (MAGIC, length, JSON, raw tensor bytes), whatever its parts hold."""
    structure = json.dumps(document).encode()
    return packing.MAGIC + len(structure).to_bytes(4, "big") + structure + data


def gradients(x):
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w") as archive:
        archive.writestr("archive/data/0", bytes(50 << 20), compress_type=zipfile.ZIP_DEFLATED)
    data = bomb.getvalue()
    document = {"value": {"status": "ok", "observations": [{"gradients": {"$tensor": 0}, "x_grad": None}]},
                "tensors": [["uint8", [len(data)], 0]]}
    os.write(3, _sealed(forge(document, data)))
    os._exit(0)


def gradient_manual(x):
    return 12 * (3 * x + 2) / x.numel()
