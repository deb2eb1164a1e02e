"""gradient_manual(x) zeroes, in place, every input tensor of its process, then answers as if x were 0.

Checks that share an inputs function share the very same cases, and the wire format stores a tensor once, so
in the child every call's inputs are the same tensor objects (views of the job's one byte buffer): after its
first call, every later call is handed zeros. Its answer, 12 * 2 / n, is right only for an x of zeros.
Expected: the judge compares with references computed from the grader's own copy of the inputs, so the
gradient_manual checks fail on their values, and, since a by-hand call runs before every other call of its child,
so does every later check that judges a value from zeros (all but gradients_fills_x_grad, which only asks that
x.grad holds what gradients returned). Only this submission pays: the next one graded gets full marks.
(A child can also overwrite what it has observed so far: its report is its own, and judged as such.)
Now the child's audit hook refuses the garbage collector's walk while the submission runs (it would reach the hook's
own state too): gradient_manual raises, and only its checks fail.
"""

import gc

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
    with torch.no_grad():
        for item in gc.get_objects():  # the inputs are views of the job's byte buffer; what the child has
            # observed so far are copies, left alone
            if isinstance(item, torch.Tensor) and item._base is not None and item.is_floating_point():
                try:
                    item.zero_()
                except RuntimeError:
                    pass
    return torch.full_like(x, 24.0 / x.numel())
