"""gradient_manual(x) forges a small report whose one tensor is referenced many times: memory amplification.

A 4M-element float64 tensor (the per-tensor limit) that is a stride-0 view of a
single stored number, placed 24 times in a list: pickle stores it once, the
report is a few kilobytes. A reader that copies every tensor it meets makes
24 dense copies, 32 MB each (768 MB); at the 50,000-value budget the same
report would make 1.6 TB. Expected: the grader's memory grows by a bounded
amount (tensors counted against a total element budget, or a shared one
copied once), the gradient_manual checks fail, every other check keeps its
points.
"""

import io
import os

import torch

COPIES = 24


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
    view = torch.zeros(1, dtype=torch.float64).expand(1 << 22)
    buffer = io.BytesIO()
    torch.save({"status": "ok", "observations": [{"manual": [view] * COPIES}]}, buffer)
    os.write(3, buffer.getvalue())
    os._exit(0)
