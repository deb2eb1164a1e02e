"""gradient_manual(x) fits a line to the answers autograd gave at import, and never derives the chain rule.

At import, the file runs ``gradients`` on a few random inputs of its own; ``gradients`` keeps each
(x, n * x.grad) pair in a module list. ``gradient_manual(x)`` fits ``a * x + b`` to those pairs by least squares and
evaluates it on the x it is given: right, on inputs it has never seen, without knowing 36 or 24. (The by-hand call
runs before any other call of its child, so the pairs the grader's own calls would add never reach it: only the
top level's remain.) Expected: the by-hand check reads the source, finds that the top level runs autograd and that
gradient_manual's answer comes from the list it fills, and fails, naming the list; the value check passes (the
value is right).
"""

import torch

SEEN = []


def forward(x):
    y = 3 * x + 2
    y.retain_grad()
    z = 2 * y**2
    out = z.mean()
    return y, z, out


def gradients(x):
    y, z, out = forward(x)
    out.backward()
    SEEN.append((x.detach().double().flatten(), x.grad.detach().double().flatten() * x.numel()))
    return x.grad, y.grad


def gradient_manual(x):
    xs, gs = torch.cat([p[0] for p in SEEN]), torch.cat([p[1] for p in SEEN])
    a = ((xs - xs.mean()) * (gs - gs.mean())).sum() / ((xs - xs.mean()) ** 2).sum()
    return ((a * x.double() + gs.mean() - a * xs.mean()) / x.numel()).to(x.dtype)


for size in (3, 4, 5):
    gradients(torch.randn(size, requires_grad=True))
