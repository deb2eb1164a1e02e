"""gradient_manual(x) raises an exception whose __str__ raises another exception of the same kind.

Describing the failure raises again, inside the probe's error handling. The
child must still report (or at worst end) without ever returning into the
fork-server's code, and the grader must fail the two gradient_manual checks
and grade the rest.
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


class Recursive(Exception):
    def __str__(self):
        raise Recursive()

    def __repr__(self):
        raise Recursive()


def gradient_manual(x):
    raise Recursive()
