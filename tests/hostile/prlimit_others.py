"""gradient_manual(x) changes the resource limits of every other process it can see, and raises its own.

For the fork-server (its parent), pid 1 and every other pid in /proc, it calls
``resource.prlimit`` and the raw ``prlimit64`` system call (ctypes) to lower
RLIMIT_NOFILE, RLIMIT_AS and RLIMIT_NPROC; then it tries to raise its own hard
limits back to unlimited. Lowering is by one (soft limits only), so a hole is
visible in /proc/PID/limits without breaking the process. Only when a call
succeeds does the function return the right answer. Expected: seccomp refuses
prlimit64 on any other pid and the unprivileged uid cannot raise a hard limit,
so the function raises PermissionError, the gradient_manual checks fail, and the
test sees the grader's, the launcher's and the server's limits unchanged.
"""

import ctypes
import os
import resource

import torch

SYS_PRLIMIT64 = {"x86_64": 302, "aarch64": 261}.get(os.uname().machine)
LIMITS = (resource.RLIMIT_NOFILE, resource.RLIMIT_AS, resource.RLIMIT_NPROC)


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


class Rlimit(ctypes.Structure):
    _fields_ = [("soft", ctypes.c_uint64), ("hard", ctypes.c_uint64)]


def _lowered(soft, hard):
    top = hard if hard != resource.RLIM_INFINITY else 1 << 62
    return (min(soft, top) if soft != resource.RLIM_INFINITY else top) - 1, hard


def _raw_prlimit(pid, which, soft, hard):
    libc = ctypes.CDLL(None, use_errno=True)
    new, old = Rlimit(soft, hard), Rlimit()
    if libc.syscall(ctypes.c_long(SYS_PRLIMIT64), ctypes.c_long(pid), ctypes.c_long(which), ctypes.byref(new),
                    ctypes.byref(old)) != 0:
        raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))


def gradient_manual(x):
    succeeded, refused = [], []
    pids = {os.getppid(), 1} | {int(name) for name in os.listdir("/proc") if name.isdigit()}
    for pid in sorted(pids - {os.getpid()}):
        for which in LIMITS:
            try:
                current = resource.prlimit(pid, which)
            except OSError:
                current = resource.getrlimit(which)
            soft, hard = _lowered(*current)
            try:
                resource.prlimit(pid, which, (soft, hard))
                succeeded.append(f"resource.prlimit({pid}, {which})")
            except (OSError, ValueError) as exc:
                refused.append(f"resource.prlimit({pid}, {which}): {exc}")
            if SYS_PRLIMIT64 is not None:
                try:
                    _raw_prlimit(pid, which, soft, hard)
                    succeeded.append(f"prlimit64({pid}, {which})")
                except OSError as exc:
                    refused.append(f"prlimit64({pid}, {which}): {exc.strerror}")
    for which in LIMITS:
        try:
            resource.setrlimit(which, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
            succeeded.append(f"raised my own limit {which}")
        except (OSError, ValueError) as exc:
            refused.append(f"setrlimit({which}): {exc}")
    if not succeeded:
        raise PermissionError(f"refused: {len(refused)} calls, e.g. {refused[:2]}")
    print("changed limits:", succeeded)
    return 12 * (3 * x + 2) / x.numel()
