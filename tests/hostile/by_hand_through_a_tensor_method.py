"""gradient_manual(x) differentiates with autograd through a method it put on torch.Tensor, and hides it.

At import, the file sets ``torch.Tensor.slope`` to a function that calls
``requires_grad_()`` and ``.backward()``, then puts the sandbox's run-time count of
autograd calls back as it was (the counter lives in the child's own process).
``gradient_manual(x)`` is only ``return x.slope()``: it names nothing that uses
autograd, and the count says it made no call. Expected: the by-hand check reads the
source and follows what the file sets on torch's classes too, so it fails, naming
the ``.backward()`` call. Since red team 52 ``torch.Tensor`` is an immutable type in
the child (sandbox/frozen.py): setting ``slope`` fails at import, and every check
with it.
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


def _slope(self):
    try:
        from autograd_exercises.sandbox import observe
        saved = dict(observe.AUTOGRAD_CALLS)
    except (ImportError, OSError):  # hidden from it
        observe = None
    t = self.detach().requires_grad_()
    (2 * (3 * t + 2) ** 2).mean().backward()
    if observe is not None:
        observe.AUTOGRAD_CALLS.update(saved)
    return t.grad


torch.Tensor.slope = _slope


def gradient_manual(x):
    return x.slope()
