"""gradient_manual(x) leaves a daemon behind: double fork, setsid, chdir /, stdio and fd 3 closed, sleep.

The daemon is re-parented to the fork-server (a subreaper), outside the
child's process group and session. The function itself returns the right
answer, so its checks may pass; the daemon must be killed by the time the
check's result comes back, and nothing may be left running.
"""

import os
import time

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
    first = os.fork()
    if first == 0:
        try:
            os.setsid()
            if os.fork() == 0:
                try:
                    os.chdir("/")
                except OSError:
                    pass
                devnull = os.open(os.devnull, os.O_RDWR)
                for fd in (0, 1, 2):
                    os.dup2(devnull, fd)
                os.closerange(3, 4096)
                time.sleep(600)
        finally:
            os._exit(0)
    os.waitpid(first, 0)
    return 12 * (3 * x + 2) / x.numel()
