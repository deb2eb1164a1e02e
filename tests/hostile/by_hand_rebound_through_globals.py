"""gradient_manual is a clean ``def`` the grader can read, then bound to an autograd helper through globals().

The file defines ``gradient_manual`` as a stub, and at its end calls
``globals().update(gradient_manual=_by_autograd)``: the function that runs is the
helper, which calls ``.backward()`` and then takes its call back off the child's own
autograd counter. A reader that reads only the ``def`` sees nothing. Expected: the
by-hand check fails, saying the name may be rebound through ``globals().update``;
the value check passes (the value is right).
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
    raise NotImplementedError


def _by_autograd(x):
    leaf = x.detach().clone().requires_grad_()
    with torch.enable_grad():
        forward(leaf)[2].backward()
    try:
        from autograd_exercises.sandbox import observe
        observe.AUTOGRAD_CALLS["backward"] -= 1
    except (ImportError, KeyError, OSError):  # hidden from it
        pass
    return leaf.grad


globals().update(gradient_manual=_by_autograd)
