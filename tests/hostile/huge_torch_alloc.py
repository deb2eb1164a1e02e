"""gradient_manual(x) asks torch for 400 GB: torch.empty(10**11).

The address-space limit makes the allocation fail with RuntimeError. The
grader must fail the two gradient_manual checks with it and grade the rest.
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
    hoard = torch.empty(10**11)
    return 12 * (3 * x + 2) / x.numel() + 0 * hoard[0]
