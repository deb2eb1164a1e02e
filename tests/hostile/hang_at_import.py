"""Sleeps forever while the module is imported (and ignores SIGTERM first).

The import never finishes. The grader must time out once, on the import check
it runs before the real checks, fail every check with "timed out", and not
spend one timeout per check.
"""

import signal
import time

import torch

signal.signal(signal.SIGTERM, signal.SIG_IGN)
while True:
    time.sleep(3600)


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
    return 12 * (3 * x + 2) / x.numel()
