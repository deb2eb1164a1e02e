"""A stride-0 tensor of shape (10**6, 10**6): one stored number that claims 10**12 elements.

gradients(x) forges a report holding ``torch.zeros(1).expand(10**6, 10**6)`` (torch.save
stores its single element with the huge shape and zero strides) and exits;
gradient_manual(x) returns such a tensor the ordinary way. A grader that made
it dense (clone, contiguous, comparison) would need 4 TB. Expected: the forged
report is refused, the returned one is "too large to check"; the gradients and
gradient_manual checks fail, the forward checks keep their points, and the
grader's memory stays small.
"""

import io
import os

import torch


def forward(x):
    y = 3 * x + 2
    y.retain_grad()
    z = 2 * y**2
    out = z.mean()
    return y, z, out


def gradients(x):
    huge = torch.zeros(1).expand(10**6, 10**6)
    buffer = io.BytesIO()
    torch.save({"status": "ok", "observations": [{"gradients": {"returned": huge}, "x_grad": huge}]}, buffer)
    os.write(3, buffer.getvalue())
    os._exit(0)


def gradient_manual(x):
    return torch.zeros(1, dtype=x.dtype).expand(10**6, 10**6)
