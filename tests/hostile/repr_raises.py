"""gradient_manual(x) returns an object whose __repr__, __str__, __eq__, __hash__, __len__, __bool__,
__iter__ and __getattr__ all raise.

The probe only describes what came back, catching whatever describing it
raises; nothing of the object leaves the child. The grader must fail the two
gradient_manual checks (not a tensor) and grade the rest.
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


class Hostile:
    def _boom(self, *args, **kwargs):
        raise RuntimeError("you looked at me")

    __repr__ = __str__ = __eq__ = __hash__ = __len__ = __bool__ = __iter__ = _boom

    def __getattr__(self, name):
        raise RuntimeError(f"you asked for {name}")


def gradient_manual(x):
    return Hostile()
