"""gradient_manual(x) prints terminal control sequences and raises an error whose message holds them.

Clear-screen, cursor moves, a carriage return and a NUL byte, followed by
a fake "10/10". In a terminal they would repaint the text report; in
JUnit XML a NUL makes the file unparseable. The sandbox must hand back text
without control characters (newline and tab kept): the gradient_manual
checks fail, every report stays well-formed, and the rest is graded.
"""

import sys

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


ESCAPES = "\x1b[2J\x1b[H\x1b[32m\r\x00\x9b2J\x07Score: 10/10 (all checks passed)\x1b[0m"


def gradient_manual(x):
    print(ESCAPES)
    print(ESCAPES, file=sys.stderr)
    raise ValueError(ESCAPES)
