"""gradient_manual(x) makes processes that are its siblings, children of the zygote, which never reaps them.

It calls the raw ``clone`` system call with CLONE_PARENT three times; each new
process exits at once. As zombies of the zygote (which only waits for the job's own
child) they would stay below the fork-server for its whole life, and the server's
cleanup, which waits until no process is left below it, would spend its whole 10 s
limit after every later job of that worker. Only when a clone succeeds does the
function return the right answer. Expected: seccomp refuses CLONE_PARENT, the
function raises PermissionError, the gradient_manual checks fail, and the next
grading is as fast as ever.
"""

import ctypes
import os
import signal

import torch

SYS_CLONE = {"x86_64": 56, "aarch64": 220}.get(os.uname().machine)
CLONE_PARENT = 0x00008000


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
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    made, refused = 0, []
    for _ in range(3 if SYS_CLONE is not None else 0):
        pid = libc.syscall(ctypes.c_long(SYS_CLONE), ctypes.c_long(CLONE_PARENT | signal.SIGCHLD),
                           ctypes.c_long(0), ctypes.c_long(0), ctypes.c_long(0), ctypes.c_long(0))
        if pid == 0:
            os._exit(0)  # the sibling: gone at once, a zombie of the zygote
        if pid > 0:
            made += 1
        else:
            refused.append(os.strerror(ctypes.get_errno()))
    if not made:
        raise PermissionError(f"refused: {len(refused)} clones, e.g. {refused[:1]}")
    return 12 * (3 * x + 2) / x.numel()
