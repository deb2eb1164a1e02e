"""gradient_manual(x) returns the right values as a tensor subclass whose pickling would run code.

If the subclass object itself were sent to the grader, unpickling it would
create /tmp/autograd-hostile-subclass-<server pid>. The probe sends only a
plain torch.Tensor copy of the values plus the subclass's name, so nothing
runs in the grader. The values are right: gradient_manual_values passes;
gradient_manual_by_hand fails, since the class the function reaches calls exec
(read from the code: a by-hand derivative needs no dynamic code).
"""

import os

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


class Sneaky(torch.Tensor):
    def __reduce_ex__(self, protocol):
        path = f"/tmp/autograd-hostile-subclass-{os.getppid()}"
        return exec, (f"open({path!r}, 'w').write('code ran in the grader')",)


def gradient_manual(x):
    return (12 * (3 * x + 2) / x.numel()).as_subclass(Sneaky)
