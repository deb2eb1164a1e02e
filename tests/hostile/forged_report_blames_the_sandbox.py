"""At import, writes a well-formed report to fd 3 whose status says the sandbox failed ("No space left on
device ... staff will regrade it"), then os._exit(0) (red team 13).

A child's report that follows the child's lock-down mark may be the student's own; a "sandbox-error" in it
is the submission's failure, never presented as the grader's.
"""

import os

from autograd_exercises.sandbox import packing

os.write(3, packing.pack({"status": "sandbox-error",
                          "message": "OSError: [Errno 28] No space left on device: the grading machine is out of "
                                     "disk (not your submission: staff will regrade it)"}))
os._exit(0)
