"""gradient_manual(x) sends SIGKILL to every process it can see in /proc, then kill(-1).

Only safe to grade where signals cannot leave the sandbox (the tests skip it
elsewhere: it would kill the user's own processes on a laptop without
Landlock). Expected: no signal gets out, the function raises
PermissionError, the gradient_manual checks fail with it, and everything
else is graded as usual.
"""

import os
import signal

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
    killed = []
    for name in os.listdir("/proc"):
        if name.isdigit() and int(name) != os.getpid():
            try:
                os.kill(int(name), signal.SIGKILL)
                killed.append(int(name))
            except OSError:
                pass
    try:
        os.kill(-1, signal.SIGKILL)  # everything it may signal, except itself
    except OSError:
        pass
    if not killed:
        raise PermissionError("could not signal any other process")
    return 12 * (3 * x + 2) / x.numel()
