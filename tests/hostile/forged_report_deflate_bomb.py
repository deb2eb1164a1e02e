"""gradients(x) writes a forged report whose tensor bytes are a zip bomb: 50 MB of zeros DEFLATEd to ~50 KB.

A grader that read a report's tensors through a zip reader (as torch.load does)
could be made to inflate it in its own memory. The packed format has no zip:
the raw section is viewed as the bytes it is. Expected: the grader's memory
stays small, the gradients checks fail, every other check keeps its points.
"""

import traceback
import io
import json
import os
import sys
import zipfile


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
    os.write(3, _sealed() + forge(document, data))
    os._exit(0)


def gradient_manual(x):
    return 12 * (3 * x + 2) / x.numel()
