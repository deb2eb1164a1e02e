"""gradient_manual(x) is an endless loop: `while True: pass`.

The grader must fail the two gradient_manual checks with "timed out" and grade the rest.
"""

import torch


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
    while True:
        pass
