"""gradient_manual(x) grows a Python list of 64 MiB blocks until memory runs out (bounded at 6 GiB).

The address-space limit turns it into MemoryError well before the bound.
The grader must fail the two gradient_manual checks and grade the rest.
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
    hoard = []
    while len(hoard) < 96:
        hoard.append(bytes(64 << 20))
    return 12 * (3 * x + 2) / x.numel()
