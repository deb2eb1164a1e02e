"""os._exit(0) inside gradients(x): the process ends at once, with status 0 and no report.

The grader must fail the three gradients checks with "ended the process
(exit status 0)" and give every other check its full points.
"""

import os

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
    os._exit(0)


def gradient_manual(x):
    return 12 * (3 * x + 2) / x.numel()
