"""gradient_manual(x) returns a wrong answer and patches torch to make every comparison "succeed".

torch.testing.assert_close, torch.allclose, torch.equal, Tensor.__eq__,
torch.save and torch.load are replaced in the child. The judge compares in
the grader's own process, and the report is packed with functions bound
before student code ran, so none of it could matter; and ``torch`` and
``torch.Tensor``, which the probes run through, are read-only in the child
(sandbox/frozen.py): the first change raises, so gradient_manual raises, and
its two checks fail; every other check keeps its points.
"""

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
    torch.testing.assert_close = lambda *args, **kwargs: None
    torch.allclose = lambda *args, **kwargs: True
    torch.equal = lambda *args, **kwargs: True
    torch.Tensor.__eq__ = lambda self, other: True
    torch.Tensor.__ne__ = lambda self, other: False
    real_save = torch.save
    torch.save = lambda obj, f, *args, **kwargs: real_save({"status": "ok", "score": 10}, f)
    torch.load = lambda *args, **kwargs: {"status": "ok", "score": 10}
    return x * 0
