"""gradient_manual(x) tries to gain privileges through namespaces: a new user namespace, then mounts.

``unshare(CLONE_NEWUSER)`` would make it root of a fresh user namespace, with
the capabilities to mount, unshare network and PID namespaces and so on;
``setns`` into the server's namespaces and ``unshare`` of each other kind,
``mount`` of a tmpfs, ``chroot`` and ``pivot_root`` follow. Only when one of
them succeeds does the function return the right answer. Expected: seccomp
refuses unshare, setns, mount, chroot and pivot_root (and no-new-privs holds),
the function raises PermissionError, the gradient_manual checks fail.
"""

import ctypes
import os

import torch

CLONE_NEWUSER, CLONE_NEWNS, CLONE_NEWNET, CLONE_NEWPID, CLONE_NEWIPC, CLONE_NEWUTS = (
    0x10000000, 0x00020000, 0x40000000, 0x20000000, 0x08000000, 0x04000000)


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


def _check(result):
    if result != 0:
        raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))


def _setns(path):
    libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open(path, os.O_RDONLY)
    try:
        _check(libc.setns(fd, 0))
    finally:
        os.close(fd)


def _attempts(libc):
    for name, flag in (("user", CLONE_NEWUSER), ("mount", CLONE_NEWNS), ("net", CLONE_NEWNET), ("pid", CLONE_NEWPID),
                       ("ipc", CLONE_NEWIPC), ("uts", CLONE_NEWUTS)):
        yield f"unshare({name})", lambda flag=flag: _check(libc.unshare(flag))
    for name in ("user", "mnt", "net", "pid"):
        for pid in (os.getppid(), 1):
            yield f"setns({pid} {name})", lambda path=f"/proc/{pid}/ns/{name}": _setns(path)
    yield "mount tmpfs", lambda: _check(libc.mount(b"none", os.getcwd().encode(), b"tmpfs", 0, None))
    yield "chroot", lambda: _check(libc.chroot(os.getcwd().encode()))
    yield "pivot_root", lambda: _check(libc.syscall(155 if os.uname().machine == "x86_64" else 41,
                                                    os.getcwd().encode(), os.getcwd().encode()))


def gradient_manual(x):
    libc = ctypes.CDLL(None, use_errno=True)
    succeeded, refused = [], []
    for what, attempt in _attempts(libc):
        try:
            attempt()
            succeeded.append(what)
        except OSError as exc:
            refused.append(f"{what}: {exc.strerror}")
    if not succeeded:
        raise PermissionError(f"refused: {len(refused)} calls, e.g. {refused[:2]}")
    print("gained:", succeeded)
    return 12 * (3 * x + 2) / x.numel()
