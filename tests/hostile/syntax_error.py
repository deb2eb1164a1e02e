"""A syntax error on line 18 (a missing closing parenthesis).

The file cannot be imported at all. The grader must give zero for every check
with "could not be imported: SyntaxError at line 18".
"""

import torch


def forward(x):
    y = 3 * x + 2
    y.retain_grad()
    z = 2 * y**2
    out = z.mean()
    return y, z, out


def gradients(x:
    y, z, out = forward(x)
    out.backward()
    return x.grad, y.grad


def gradient_manual(x):
    return 12 * (3 * x + 2) / x.numel()
