"""At import, writes a well-formed report to fd 3 whose status says the sandbox failed ("No space left on
device ... staff will regrade it"), then os._exit(0) (red team 13).

A child's report that follows the child's lock-down mark may be the student's own; a "sandbox-error" in it
is the submission's failure, never presented as the grader's.
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


os.write(3, _sealed() + packing.pack({"status": "sandbox-error",
                          "message": "OSError: [Errno 28] No space left on device: the grading machine is out of "
                                     "disk (not your submission: staff will regrade it)"}))
os._exit(0)
