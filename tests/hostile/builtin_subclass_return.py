"""gradient_manual(x) returns a float subclass whose pickling would run code (as numpy.float64 is a float).

If the object itself went into the report, the grader's weights_only load
would refuse the whole report and the feedback would wrongly say the
process ended; unpickled without weights_only it would create
/tmp/autograd-hostile-float-<server pid>. The probe keeps only the plain
float value and the class name: the gradient_manual checks fail (with "not a
tensor" feedback, or, for the by-hand check read from the code, "calls exec")
and the rest is graded.
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


class Sneaky(float):
    def __reduce__(self):
        path = f"/tmp/autograd-hostile-float-{os.getppid()}"
        return exec, (f"open({path!r}, 'w').write('code ran in the grader')",)


def gradient_manual(x):
    return Sneaky(1.0)
