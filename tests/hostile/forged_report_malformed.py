"""gradients(x) writes a forged but loadable result to fd 3 (plain data of the wrong shape), then os._exit(0).

The report loads under weights_only=True ({"status": "ok", "observations":
[...]} with strings where the judge expects dicts). The grader must fail
the gradients checks, not crash, and grade every other check as usual.
Today grading.judge_run lets the judge's AttributeError escape and the whole
grading fails: tests/test_hostile.py marks this a known hole (xfail).
"""

import io
import os

import torch


def forward(x):
    y = 3 * x + 2
    y.retain_grad()
    z = 2 * y**2
    out = z.mean()
    return y, z, out


def gradients(x):
    forged = {"status": "ok", "observations": [{"gradients": "passed", "x_grad": "passed"}] * 8}
    buffer = io.BytesIO()
    torch.save(forged, buffer)
    os.write(3, buffer.getvalue())
    os._exit(0)


def gradient_manual(x):
    return 12 * (3 * x + 2) / x.numel()
