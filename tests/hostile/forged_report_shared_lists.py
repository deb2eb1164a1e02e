"""gradients(x) writes a forged report of shared nested lists that expands exponentially, then os._exit(0).

Thirty levels of ``level = [level, level]``: pickle stores each list once,
so the report is a few hundred bytes, but walking it visits 2**30 values
(and copying it naively would build as many). Expected: the node budget
refuses it after 50,000 values, the gradients checks fail, the grader's
memory and time stay small, every other check keeps its points.
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
    level = [0.0]
    for _ in range(30):
        level = [level, level]
    buffer = io.BytesIO()
    torch.save({"status": "ok", "observations": [{"gradients": level, "x_grad": level}]}, buffer)
    os.write(3, buffer.getvalue())
    os._exit(0)


def gradient_manual(x):
    return 12 * (3 * x + 2) / x.numel()
