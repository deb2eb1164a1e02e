"""gradient_manual(x) returns a tensor subclass whose __torch_function__ never returns.

The probe hangs on its first look at the result. The grader must fail the
two gradient_manual checks with "timed out" and grade the rest.
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


class Endless(torch.Tensor):
    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        while True:
            pass


def gradient_manual(x):
    return (12 * (3 * x + 2) / x.numel()).as_subclass(Endless)
