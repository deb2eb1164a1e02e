"""gradient_manual(x) emits 5,000 distinct warnings of about 300 characters, then returns the right answer.

Unlike warning_flood, this stays inside the report's node budget (5,000
strings per call), so every warning reaches the grader; each check then carries
5,000 notes, and the text and JSON reports grow to megabytes (1.6 MB and
6 MB measured) for warnings that cost no points. Expected: every check keeps
its points and each rendered report stays under 200 KB (notes capped in number
and length).
"""

import warnings

import torch

COUNT = 5_000


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
