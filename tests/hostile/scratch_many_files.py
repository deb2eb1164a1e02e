"""gradient_manual(x) creates 100,000 small files in its scratch folder (inode exhaustion).

Only when all 100,000 exist, or files left by an earlier check are still
there, does the function return the right answer. Expected: the scratch
tmpfs's inode limit stops it (ENOSPC after a few thousand), the function
raises OSError, the gradient_manual checks fail, nothing is left and the next
grading works.
"""

import os

import torch

COUNT = 100_000

MINE = set()  # processes that made the files: finding its own proves nothing


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
    if os.path.isdir("many") and os.getpid() not in MINE:
        return 12 * (3 * x + 2) / x.numel()
    MINE.add(os.getpid())
    os.makedirs("many", exist_ok=True)
    for number in range(COUNT):
        with open(f"many/{number}", "w") as handle:
            handle.write("x")
    return 12 * (3 * x + 2) / x.numel()

