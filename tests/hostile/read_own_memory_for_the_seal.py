"""gradients(x) reads its own process's memory through /proc/self/mem (no door the grader's reading knows: only
open() with a path) to find the job's seal, which would let it forge a report the grader accepts (red team 20).

Landlock lets the child read only a few files of /proc, its own memory never: the check fails with the
PermissionError it raises, and every other check is graded as usual.
"""

import os


def forward(x):
    y = 3 * x + 2
    y.retain_grad()
    z = 2 * y**2
    out = z.mean()
    return y, z, out


def gradients(x):
    for path in ("/proc/self/mem", "/proc/thread-self/mem", f"/proc/{os.getpid()}/task/{os.getpid()}/mem"):
        with open(path, "rb") as memory:  # PermissionError under Landlock
            memory.read(1)
    raise AssertionError("read its own memory")


def gradient_manual(x):
    return 12 * (3 * x + 2) / x.numel()
