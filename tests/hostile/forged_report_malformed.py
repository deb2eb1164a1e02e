"""gradients(x) writes a forged but well-formed report to fd 3 (plain data of the wrong shape), then os._exit(0).

The report is a valid packing ({"status": "ok", "observations": [...]} with
strings where the judge expects dicts). The grader must fail the gradients
checks, not crash, and grade every other check as usual.
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
    forged = {"status": "ok", "observations": [{"gradients": "passed", "x_grad": "passed"}] * 8}
    os.write(3, packing.pack(forged))
    os._exit(0)


def gradient_manual(x):
    return 12 * (3 * x + 2) / x.numel()
