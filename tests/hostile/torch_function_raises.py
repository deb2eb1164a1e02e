"""gradient_manual(x) returns a tensor subclass whose __torch_function__ raises on every operation.

The reading refuses such a file before it runs (a tensor class that answers for
autograd). Past it, the child describes a returned tensor through torch's C base
class with torch functions off (sandbox/tensorbase.py): the subclass's code never
runs there, and its values are the right ones, so every check keeps the clean
solution's points. (Before red team 51, the probe's own .detach() ran it.)
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
