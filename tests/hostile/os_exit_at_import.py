"""os._exit(0) while the module is imported.

The process running the submission ends with status 0 and no report, before any
function can be called. The grader must fail every check with "ended the
process (exit status 0)" and still finish quickly (one short-lived child per check).
"""

import os

import torch

os._exit(0)


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
    return 12 * (3 * x + 2) / x.numel()
