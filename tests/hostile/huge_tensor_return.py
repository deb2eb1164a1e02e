"""gradient_manual(x) returns a 10**12-element tensor (an expanded view of one number: no memory).

The probe must not materialize it: it sends the shape without the values.
The grader must fail the two gradient_manual checks ("too large to check"
or a wrong shape) and grade the rest.
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
    return torch.zeros(1).expand(10**12)
