"""gradient_manual(x) starts thousands of threads (each waits on an event), to exhaust the machine's tasks.

Only when all 5,000 start does the function return the right answer.
Expected: the child hits its process limit (RLIMIT_NPROC of the sandbox uid,
the slot's pids cgroup) long before: ``Thread.start`` raises RuntimeError
"can't start new thread", the gradient_manual checks fail, every thread goes
with the child, and the next grading works.
"""

import threading

import torch

WANTED = 5000


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


STOP = threading.Event()


def gradient_manual(x):
    for _ in range(WANTED):
        threading.Thread(target=STOP.wait, daemon=True).start()  # raises once the limit is reached
    return 12 * (3 * x + 2) / x.numel()
