"""gradient_manual(x) slows the fork-server down or makes it the out-of-memory killer's victim.

For the server (its parent) and pid 1: ``setpriority`` to nice 19 (process and
process group), ``sched_setaffinity`` to one CPU, ``sched_setscheduler`` to
SCHED_IDLE, ``ioprio_set`` to the idle class, and writing 1000 to
``/proc/PID/oom_score_adj``. None of these is a signal, so Landlock's scope does
not cover them: only the uid does. Only when one succeeds does the function
return the right answer. Expected: every call is refused (EPERM/EACCES), the
function raises PermissionError, the gradient_manual checks fail, and the test
sees the server's nice value, CPU affinity and oom_score_adj unchanged.
"""

import ctypes
import os

import torch

SYS_IOPRIO_SET = {"x86_64": 251, "aarch64": 30}.get(os.uname().machine)
IOPRIO_WHO_PROCESS, IOPRIO_CLASS_IDLE = 1, 3
SCHED_IDLE = 5


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


def _sched_idle(pid):
    libc = ctypes.CDLL(None, use_errno=True)
    param = ctypes.c_int(0)
    if libc.sched_setscheduler(ctypes.c_int(pid), ctypes.c_int(SCHED_IDLE), ctypes.byref(param)) != 0:
        raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))


def _ioprio_idle(pid):
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.syscall(ctypes.c_long(SYS_IOPRIO_SET), ctypes.c_long(IOPRIO_WHO_PROCESS), ctypes.c_long(pid),
                    ctypes.c_long(IOPRIO_CLASS_IDLE << 13)) != 0:
        raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))


def _oom_victim(pid):
    with open(f"/proc/{pid}/oom_score_adj", "w") as handle:
        handle.write("1000")


def _attempts(pid):
    yield f"setpriority({pid})", lambda: os.setpriority(os.PRIO_PROCESS, pid, 19)
    group = os.getpgid(pid)
    if group > 0 and group != os.getpgid(0):  # 0 would be this process's own group
        yield f"setpriority(group {group})", lambda: os.setpriority(os.PRIO_PGRP, group, 19)
    yield f"sched_setaffinity({pid})", lambda: os.sched_setaffinity(pid, {min(os.sched_getaffinity(0))})
    yield f"sched_setscheduler({pid})", lambda: _sched_idle(pid)
    if SYS_IOPRIO_SET is not None:
        yield f"ioprio_set({pid})", lambda: _ioprio_idle(pid)
    yield f"oom_score_adj({pid})", lambda: _oom_victim(pid)


def gradient_manual(x):
    succeeded, refused = [], []
    for pid in sorted({os.getppid(), 1}):
        for what, attempt in _attempts(pid):
            try:
                attempt()
                succeeded.append(what)
            except OSError as exc:
                refused.append(f"{what}: {exc.strerror}")
    if not succeeded:
        raise PermissionError(f"refused: {len(refused)} calls, e.g. {refused[:2]}")
    print("changed the server:", succeeded)
    return 12 * (3 * x + 2) / x.numel()
