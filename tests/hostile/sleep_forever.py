"""gradient_manual(x) sleeps forever (no CPU used, so only the wall-clock timeout can end it).

The grader must fail the two gradient_manual checks with "timed out" and grade the rest.
"""

import time

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
    while True:
        time.sleep(3600)
