"""gradient_manual(x) writes files outside its scratch folder: in /tmp and in the grader's checkout.

Landlock allows writes only in the per-check scratch folder: both writes
fail with PermissionError, no file appears, the gradient_manual checks fail
and the rest is graded.
"""

import os
import sys
from pathlib import Path

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
    root = Path(sys.modules["autograd_exercises"].__file__).resolve().parents[1]
    errors = []
    for path in (Path(f"/tmp/autograd-hostile-outside-{os.getppid()}"),
                 root / f"hostile-was-here-{os.getppid()}"):
        try:
            path.write_text("written from the sandbox")
        except OSError as exc:
            errors.append(exc)
    if errors:
        raise errors[0]
    return 12 * (3 * x + 2) / x.numel()
