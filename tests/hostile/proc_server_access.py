"""gradient_manual(x) reaches into the fork-server through /proc and pidfds.

For the server (its parent) and pid 1 it tries: reading ``/proc/PID/mem``,
``maps``, ``environ``, ``root/`` (the server's file system) and ``cwd/``;
opening and reading the links in ``/proc/PID/fd/`` (the server's channel to
the grader: writing there would forge answers for later checks); and
``pidfd_open`` + ``pidfd_getfd`` to copy the server's file descriptors.
Only when one of them gives something does the function return the right
answer. Expected: ptrace-mode access to a process of another uid and outside
the Landlock domain is refused and seccomp refuses pidfd_getfd, so the
function raises PermissionError; the gradient_manual checks fail.
"""

import ctypes
import os

import torch

SYS_PIDFD_OPEN, SYS_PIDFD_GETFD = 434, 438


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


def _attempts(pid):
    for name in ("mem", "maps", "environ", "syscall", "stack", "auxv"):
        yield f"read /proc/{pid}/{name}", lambda name=name: open(f"/proc/{pid}/{name}", "rb").read(1)
    yield f"list /proc/{pid}/root/", lambda: os.listdir(f"/proc/{pid}/root/")
    yield f"list /proc/{pid}/cwd/", lambda: os.listdir(f"/proc/{pid}/cwd/")
    for fd in range(8):
        yield f"readlink /proc/{pid}/fd/{fd}", lambda fd=fd: os.readlink(f"/proc/{pid}/fd/{fd}")
        yield f"open /proc/{pid}/fd/{fd}", lambda fd=fd: os.close(os.open(f"/proc/{pid}/fd/{fd}", os.O_WRONLY))
    yield f"pidfd_getfd {pid}", lambda: _pidfd_getfd(pid)


def _pidfd_getfd(pid):
    libc = ctypes.CDLL(None, use_errno=True)
    pidfd = libc.syscall(ctypes.c_long(SYS_PIDFD_OPEN), ctypes.c_long(pid), ctypes.c_long(0))
    if pidfd < 0:
        raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))
    try:
        for target in range(8):
            copied = libc.syscall(ctypes.c_long(SYS_PIDFD_GETFD), ctypes.c_long(pidfd), ctypes.c_long(target),
                                  ctypes.c_long(0))
            if copied >= 0:
                os.close(copied)
                return
        raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))
    finally:
        os.close(pidfd)


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
        raise PermissionError(f"refused: {len(refused)} attempts, e.g. {refused[:2]}")
    print("reached the server:", succeeded)
    return 12 * (3 * x + 2) / x.numel()
