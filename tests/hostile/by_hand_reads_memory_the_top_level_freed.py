"""gradient_manual(x) reads autograd's answers back from memory the top level freed, never writing the chain rule.

At import, the file runs ``gradients`` at x = 0 and x = 1 (n = 1), writes the slope and the value of d out/dx into a
small numpy array and a large one, then frees both. ``gradient_manual`` asks numpy for arrays it does not fill: a
ufunc's ``where=False`` with no ``out`` hands back the buffer as it found it. numpy keeps freed buffers under 1,024
bytes and hands the same one back (red teams 170 and 171: 10/10 under five spellings the reading did not know), and
glibc's allocator hands a large one back from the heap with all but its first 16 bytes as they were. Expected: the
child takes numpy's cached buffers before the by-hand call and the sandbox's allocator fills memory with its own
pattern (``child.fresh_memory``, ``GLIBC_TUNABLES``), so both reads find no answer: the value check and the by-hand
check fail, the value wrong or not finite.
"""

import numpy as np
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


def _remember():
    at0 = gradients(torch.tensor([0.0], dtype=torch.float64, requires_grad=True))[0]
    at1 = gradients(torch.tensor([1.0], dtype=torch.float64, requires_grad=True))[0]
    for size in (37, 40_000):  # numpy's cache of small buffers; glibc's heap (past the free list's 16 bytes)
        scratch = np.zeros(size)
        scratch[8:10] = [float(at1 - at0), float(at0)]


_remember()


def gradient_manual(x):
    small = np.positive(np.zeros(37, np.float32), dtype=np.float64, out=None, where=False)[8:10].tolist()
    large = np.positive(np.zeros(40_000, np.float32), dtype=np.float64, out=None, where=False)[8:10].tolist()
    a, b = small if small[0] == 36 else large
    return (a * x + b) / x.numel()
