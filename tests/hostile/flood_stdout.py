"""gradient_manual(x) writes 100 MB to stdout and 10 MB to stderr (once per check), then returns the right answer.

The output is drained and capped (16 KB kept per check), so the flood costs
the grader neither memory nor time past the timeout; the answer is right, so
the checks pass. Nothing of the flood reaches the report beyond the cap.
"""

import os
import sys

import torch

FLOODED = []


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
    if not FLOODED:  # once per process: the probe calls this for every input of a check
        FLOODED.append(True)
        chunk = "x" * (1 << 20)
        for _ in range(100):
            sys.stdout.write(chunk)
        sys.stdout.flush()
        for _ in range(10):
            os.write(2, b"y" * (1 << 20))
    return 12 * (3 * x + 2) / x.numel()
