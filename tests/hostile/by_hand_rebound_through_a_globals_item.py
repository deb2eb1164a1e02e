"""gradient_manual is the right formula, then replaced through ``globals()["gradient_manual"] = helper``.

``helper`` runs autograd's engine directly (``Variable._execution_engine.run_backward``), which the
child's counter of ``backward``/``autograd.grad`` calls never sees. A reader that takes only
``globals().update(...)`` as a way to rebind reads the formula (red team, round 9: 10/10).
Expected: the by-hand check fails, saying the name may be rebound through ``globals()``; the value
check passes.
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


def helper(x):
    t = x.detach().clone().requires_grad_()
    out = forward(t)[2]
    (g,) = torch.autograd.Variable._execution_engine.run_backward((out,), (torch.ones_like(out),), False, False,
                                                                 (t,), False)
    return g.detach().to(x.dtype)


def gradient_manual(x):
    return 12 * (3 * x + 2) / x.numel()


globals()["gradient_manual"] = helper
