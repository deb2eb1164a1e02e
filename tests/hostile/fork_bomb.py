"""gradient_manual(x) forks a bounded bomb: two children per level, seven levels (254 processes per check at most).

Half the levels call setsid() to leave the process group; every process
keeps the output and result pipes open and sleeps. Bounded, so that it
cannot harm the machine even if every limit failed. The function returns
the right answer; what matters is that the grader is not held up past the
timeout, every process is killed, and the other checks are graded as usual.
"""

import os
import time

import torch

BOMBED = []


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


def _bomb(depth):
    for _ in range(2):
        try:
            pid = os.fork()
        except OSError:  # a process limit: stop forking, keep what exists
            return
        if pid == 0:
            try:
                if depth % 2:
                    os.setsid()
                if depth < 7:
                    _bomb(depth + 1)
                time.sleep(120)
            finally:
                os._exit(0)


def gradient_manual(x):
    if not BOMBED:  # once per process: the probe calls this for every input of a check
        BOMBED.append(True)
        _bomb(1)
    return 12 * (3 * x + 2) / x.numel()
