"""gradients(x) forges an "import-error" report whose exception's frames is the number 5, then os._exit(0).

For an import error the grader writes "could not be imported: ... at line N" from
``exception["frames"][-1]``, outside any judge's try: ``5[-1]`` raised TypeError out of
grading.grade (a string or a list of numbers there raised AttributeError). Expected: the report is
refused as unreadable (an exception's frames must be a list of frame dicts), the gradients checks
fail with "could not read", every other check keeps its points.
"""

import traceback
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


def forward(x):
    y = 3 * x + 2
    y.retain_grad()
    z = 2 * y**2
    out = z.mean()
    return y, z, out


def gradients(x):
    exception = {"type": "ImportError", "message": "forged", "frames": 5}
    os.write(3, _sealed() + packing.pack({"status": "import-error", "exception": exception}))
    os._exit(0)


def gradient_manual(x):
    return 12 * (3 * x + 2) / x.numel()
