"""gradient_manual(x) tries to keep memory and messages alive past its check, and to get memory RLIMIT_AS misses.

With ctypes it looks for a System V shared memory segment and message queue
(fixed keys) left by an earlier check or grading, and for a file in /dev/shm;
then it creates them (``shmget`` of 64 MB, ``msgget`` + ``msgsnd``, a file in
/dev/shm) and a ``memfd_create`` file grown to 4 GB and mapped, beyond the
address-space limit. Only when something from an earlier check is still there,
or the memfd mapping worked, does the function return the right answer.
Expected: seccomp refuses shmget, msgget and memfd_create, Landlock refuses
/dev/shm, each check has its own IPC namespace, so nothing is found and the
function raises PermissionError; the gradient_manual checks fail.
"""

import ctypes
import mmap
import os

import torch

KEY = 0x5EED2024
IPC_CREAT = 0o1000
SHM_FILE = "/dev/shm/autograd-hostile-persist"


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


def _call(name, *args):
    libc = ctypes.CDLL(None, use_errno=True)
    result = getattr(libc, name)(*args)
    if result == -1:
        raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))
    return result


def gradient_manual(x):
    survived, refused = [], []
    for name, args in (("shmget", (KEY, 0, 0)), ("msgget", (KEY, 0))):
        try:
            survived.append(f"{name}: id {_call(name, *args)} from an earlier check")
        except OSError as exc:
            refused.append(f"find {name}: {exc.strerror}")
    if os.path.exists(SHM_FILE):
        survived.append(SHM_FILE)
    try:
        _call("shmget", KEY, ctypes.c_size_t(64 << 20), IPC_CREAT | 0o666)
    except OSError as exc:
        refused.append(f"shmget: {exc.strerror}")
    try:
        queue = _call("msgget", KEY, IPC_CREAT | 0o666)
        message = ctypes.create_string_buffer(b"\x01\x00\x00\x00\x00\x00\x00\x00left by an earlier check")
        _call("msgsnd", queue, message, ctypes.c_size_t(24), 0)
    except OSError as exc:
        refused.append(f"msgget/msgsnd: {exc.strerror}")
    try:
        with open(SHM_FILE, "w") as handle:
            handle.write("left by an earlier check")
    except OSError as exc:
        refused.append(f"/dev/shm: {exc.strerror}")
    try:
        fd = os.memfd_create("hostile")
        os.ftruncate(fd, 4 << 30)
        mapping = mmap.mmap(fd, 4 << 30)
        mapping[-1:] = b"x"
        survived.append("a 4 GB memfd mapping")
    except OSError as exc:
        refused.append(f"memfd_create: {exc.strerror}")
    if not survived:
        raise PermissionError(f"refused: {refused}")
    print("got:", survived)
    return 12 * (3 * x + 2) / x.numel()
