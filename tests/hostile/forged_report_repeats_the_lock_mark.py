"""At import, writes the lock-down mark itself, then a report claiming the sandbox failed, then os._exit(0): an
attempt to look like a child whose report came before any student code ran (which the grader believes).

The child's own mark is already in the pipe, so what follows is the student's: the claim is the submission's
failure, never the grader's.
"""

import os

from autograd_exercises.sandbox import packing, protocol

os.write(3, protocol.LOCKED + packing.pack({"status": "sandbox-error", "message": "the grading machine is out of "
                                                                                  "memory: staff will regrade it"}))
os._exit(0)
