"""gradient_manual(x) nests 1,200 folders in its scratch folder (6,000 characters: deeper than PATH_MAX, 4,096,
allows to name at once; few enough to nest well within the check's 1 s on a loaded machine).

A cleanup that recursed (shutil.rmtree, os.walk) would hit the recursion limit
or a path too long and leave the folders behind. At each call the function
first looks for a chain left by an earlier check: only if one is there does it
return the right answer. Expected: each check starts from a fresh scratch
folder (the child's own tmpfs vanishes with it), the function raises
LookupError, the gradient_manual checks fail, nothing is left and the next
grading works.
"""

import os

import torch

DEPTH = 1200

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
    start = os.getcwd()
    if os.path.isdir("deep") and os.getpid() not in MINE:
        return 12 * (3 * x + 2) / x.numel()
    MINE.add(os.getpid())
    try:
        for _ in range(DEPTH):
            os.makedirs("deep", exist_ok=True)
            os.chdir("deep")
    finally:
        os.chdir(start)
    raise LookupError("no folder chain was left by an earlier check")

