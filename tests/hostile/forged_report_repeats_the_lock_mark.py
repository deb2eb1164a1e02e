"""At import, writes the lock-down mark itself, then a report claiming the sandbox failed, then os._exit(0): an
attempt to look like a child whose report came before any student code ran (which the grader believes).

The child's own mark is already in the pipe, so what follows is the student's: the claim is the submission's
failure, never the grader's.
"""

import os
import sys

from autograd_exercises.sandbox import packing, protocol


def _sealed() -> bytes:
    """This run's seal, taken from the sandbox child's frame, so that what follows is read as a report (the grader's
    reading refuses a file that reaches frames: the hostile tests run it anyway, to test the sandbox's own layers)."""
    frame = sys._getframe()
    while frame is not None and "seal" not in frame.f_locals:
        frame = frame.f_back
    return frame.f_locals["seal"] if frame is not None else b""


os.write(3, _sealed() + protocol.LOCKED + packing.pack({"status": "sandbox-error", "message": "the grading machine is out of "
                                                                                  "memory: staff will regrade it"}))
os._exit(0)
