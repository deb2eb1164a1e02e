"""gradients(x) forges an "import-error" report whose exception's frames is the number 5, then os._exit(0).

For an import error the grader writes "could not be imported: ... at line N" from
``exception["frames"][-1]``, outside any judge's try: ``5[-1]`` raised TypeError out of
grading.grade (a string or a list of numbers there raised AttributeError). Expected: the report is
refused as unreadable (an exception's frames must be a list of frame dicts), the gradients checks
fail with "could not read", every other check keeps its points.
"""

import os

from autograd_exercises.sandbox import packing


def forward(x):
    y = 3 * x + 2
    y.retain_grad()
    z = 2 * y**2
    out = z.mean()
    return y, z, out


def gradients(x):
    exception = {"type": "ImportError", "message": "forged", "frames": 5}
    os.write(3, packing.pack({"status": "import-error", "exception": exception}))
    os._exit(0)


def gradient_manual(x):
    return 12 * (3 * x + 2) / x.numel()
