"""gradient_manual(x) ignores every catchable signal (SIGTERM, SIGXCPU, SIGINT, ...) and spins.

Only SIGKILL ends it. The grader must fail the two gradient_manual checks with
"timed out" after the check's timeout, kill the process, and grade the rest.
"""

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
    for sig in (signal.SIGTERM, signal.SIGXCPU, signal.SIGINT, signal.SIGHUP, signal.SIGALRM,
                signal.SIGUSR1, signal.SIGUSR2, signal.SIGPIPE, signal.SIGXFSZ):
        signal.signal(sig, signal.SIG_IGN)
    while True:
        pass
