"""A lone surrogate (U+D800, not encodable as UTF-8) in a warning, in printed output and in an exception message.

gradient_manual(x) warns with it, prints it (the stream refuses it: the bytes
are written to fd 1 directly, encoded with surrogatepass) and returns the
right answer; gradients(x) raises an exception whose message holds it. A report
that kept the character could not be written as UTF-8 (JSON, JUnit, a
terminal). Expected: it is replaced where student text is read, every report
renders and encodes as UTF-8, the gradients checks fail with the exception and
every other check keeps its points.
"""

import os
import warnings

import torch

LONE = "lone \ud800 surrogate"


def forward(x):
    y = 3 * x + 2
    y.retain_grad()
    z = 2 * y**2
    out = z.mean()
    return y, z, out


def gradients(x):
    raise ValueError(LONE)


def gradient_manual(x):
    warnings.warn(LONE)
    try:
        print(LONE)
    except UnicodeEncodeError:
        os.write(1, (LONE + "\n").encode("utf-8", "surrogatepass"))
    return 12 * (3 * x + 2) / x.numel()
