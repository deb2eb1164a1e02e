"""gradient_manual(x) returns a tensor subclass whose __torch_function__ raises on every operation.

The probe's own .detach() on the result raises; the probe records it as an
exception of the function. The grader must fail the two gradient_manual
checks and grade the rest.
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


class Cursed(torch.Tensor):
    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        raise RuntimeError(f"no {getattr(func, '__name__', func)} for you")


def gradient_manual(x):
    return (12 * (3 * x + 2) / x.numel()).as_subclass(Cursed)
