"""gradient_manual calls a clean by-hand helper, which a module-level ``for`` loop binds again to autograd's engine.

The file defines ``_slope`` with the right formula (the grader reads it), then
``for _slope in [lambda x: ...]: pass`` binds the name to a lambda that runs autograd's
engine directly (``Variable._execution_engine.run_backward``), which the child's counter
of ``backward``/``autograd.grad`` calls never sees. A reader that follows only ``def`` and
assignments reads the formula. Expected: the by-hand check fails, naming the engine in
helper ``_slope`` (the loop's list is read as what it binds); the value check passes.
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


def _slope(x):
    return 4.0 * (3 * x + 2) * 3 / x.numel()


def _engine(t):
    out = forward(t)[2]
    return torch.autograd.Variable._execution_engine.run_backward(
        (out,), (torch.ones(()),), False, False, (t,), False, False)[0]


for _slope in [lambda x: _engine(x.detach().requires_grad_()).to(x.dtype)]:
    pass


def gradient_manual(x):
    return _slope(x)
