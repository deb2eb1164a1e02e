"""sys.exit(0) inside gradients(x), after back-propagating.

SystemExit is an exception like any other: the probe records it. The grader
must fail the three gradients checks with "called sys.exit()" and give every
other check its full points.
"""

import sys

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
    sys.exit(0)


def gradient_manual(x):
    return 12 * (3 * x + 2) / x.numel()
