"""gradient_manual(x) returns, for its first input (both of its calls: with autograd switched off, then on), a tensor
just small enough to be sent whole (4M complex128: 64 MiB).

Its report is larger than the 64 MiB cap on results. The server stops
reading at the cap, and the grader must fail the two gradient_manual checks
with "too large to send back" and grade the rest.
"""

import torch

SENT = []


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
    if len(SENT) < 2:  # the first input only, so the child spends little time building the report
        SENT.append(True)
        return torch.ones(1, dtype=torch.complex128).expand(1 << 22)
    return 12 * (3 * x + 2) / x.numel()
