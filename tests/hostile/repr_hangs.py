"""gradient_manual(x) returns an object whose __repr__ (and __eq__, __len__) never return.

Describing the result hangs inside the child. The grader must fail the two
gradient_manual checks with "timed out" and grade the rest.
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


class Endless:
    def _forever(self, *args, **kwargs):
        while True:
            pass

    __repr__ = __str__ = __eq__ = __len__ = _forever


def gradient_manual(x):
    return Endless()
