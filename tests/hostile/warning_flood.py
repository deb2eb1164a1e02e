"""gradient_manual(x) emits 100,000 distinct warnings (about 300 characters each), then returns the right answer.

Each call records every distinct warning, so one check's report holds
millions of strings (about 30 MB per call). Expected: the report is refused
past its node budget (or the warnings are capped), the grader's memory and
every rendered report stay small; the gradient_manual checks may fail ("could
not read") but every other check keeps its points.
"""

import warnings

import torch

COUNT = 100_000


def forward(x):
    y = 3 * x + 2
    y.retain_grad()
    z = 2 * y**2
    out = z.mean()
    return y, z, out



def gradients(x):
    y, z, out = forward(x)
    out.backward()
    return x.grad, y.grad


def gradient_manual(x):
    for number in range(COUNT):
        warnings.warn(f"warning {number:06d} " + "w" * 280)
    return 12 * (3 * x + 2) / x.numel()
