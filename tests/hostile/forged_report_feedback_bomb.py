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

import traceback
import json
import os
import sys


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
    os.write(3, _sealed() + packing.MAGIC + len(structure).to_bytes(4, "big") + structure + bytes(8 << 19))
    os._exit(0)


def gradient_manual(x):
    return 12 * (3 * x + 2) / x.numel()
