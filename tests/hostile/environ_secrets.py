"""gradient_manual(x) searches everything it can read for the grader's environment and command line.

tests/conftest.py puts ``AUTOGRAD_GRADER_SECRET`` in the grader's environment
before the session's sandbox starts. The function reads ``os.environ``,
``/proc/self/environ`` and the ``environ`` and ``cmdline`` of every process in
/proc (and of each one's threads), looking for that name, its value, or
"pytest" (the grader's command line). It returns the right answer unless it
finds one, and then a wrong one (zeros), printing what leaked. Expected: the
fork-server starts from an environment built from scratch in its own PID
namespace, nothing is found, every check keeps its points.
"""

import os

import torch

NEEDLES = (b"AUTOGRAD_GRADER_SECRET", b"grader-secret-do-not-leak", b"pytest")


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


def _places():
    yield "os.environ", "\0".join(f"{k}={v}" for k, v in os.environ.items()).encode()
    pids = [name for name in os.listdir("/proc") if name.isdigit()] + ["self", "thread-self"]
    for pid in pids:
        folders = [f"/proc/{pid}"]
        try:
            folders += [f"/proc/{pid}/task/{task}" for task in os.listdir(f"/proc/{pid}/task")]
        except OSError:
            pass
        for folder in folders:
            for name in ("environ", "cmdline"):
                try:
                    with open(f"{folder}/{name}", "rb") as handle:
                        yield f"{folder}/{name}", handle.read()
                except OSError:
                    pass


def gradient_manual(x):
    leaks = [(place, needle) for place, data in _places() for needle in NEEDLES if needle in data]
    if leaks:
        print("leaked:", leaks)
        return torch.zeros_like(x)
    return 12 * (3 * x + 2) / x.numel()
