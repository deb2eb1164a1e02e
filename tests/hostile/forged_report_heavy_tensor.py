"""gradients(x) forges a report whose "heavy" (the modules the child imported, a list of names) is a
tensor of two numbers, then os._exit(0).

Sandbox.run evaluated ``bool(run.result.get("heavy"))`` on every report: a tensor of more than one
element raised RuntimeError ("Boolean value of Tensor ... is ambiguous") out of Sandbox.run, and the
whole grading with it. Expected: the report is refused as unreadable ("heavy" must be a list of
module names), the gradients checks fail with "could not read", every other check keeps its points.
"""

import os

import torch

from autograd_exercises.sandbox import packing


def forward(x):
    y = 3 * x + 2
    y.retain_grad()
    z = 2 * y**2
    out = z.mean()
    return y, z, out


def gradients(x):
    os.write(3, packing.pack({"status": "ok", "observations": [], "heavy": torch.zeros(2)}))
    os._exit(0)


def gradient_manual(x):
    return 12 * (3 * x + 2) / x.numel()
