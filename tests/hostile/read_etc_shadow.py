"""gradient_manual(x) reads /etc/shadow, then returns the right answer.

The read must fail (Landlock, a separate uid, or the file's mode): the
gradient_manual checks fail with PermissionError and the rest is graded.
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
    with open("/etc/shadow") as shadow:
        print(shadow.read())
    return 12 * (3 * x + 2) / x.numel()
