"""gradient_manual(x) watches folders it may not list with inotify (and fanotify), to spy on the grader.

Targets: ``/``, ``/tmp`` (the server's scratch root), ``/dev/shm``, the fork-server's
``/proc/PID/root`` and ``cwd``, the package folder. A watch would tell it when
the grader writes files, and inotify is not checked by Landlock. Only when a
watch is added does the function return the right answer. Expected: seccomp
refuses inotify_init, inotify_init1 and fanotify_init, the function raises
PermissionError, the gradient_manual checks fail.
"""

import ctypes
import os
import sys

import torch


def _child_global(name):
    """A name of the sandbox child's own module: the child takes the grader's modules out of sys.modules and hands a
    submission no frame, but its namespace lies behind the import finder it puts on sys.meta_path, and this file goes
    on to test the layers behind that."""
    for finder in sys.meta_path:
        try:
            space = type(finder).find_spec.__globals__
        except AttributeError:  # (a finder of a built-in class)
            continue
        if space.get("__name__") == "autograd_exercises.sandbox.child":
            return space[name]
    raise LookupError(name)

IN_ALL_EVENTS = 0xFFF


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
    watched, refused = [], []
    fds = []
    for name, call in (("inotify_init1", lambda: libc.inotify_init1(0)), ("inotify_init", lambda: libc.inotify_init()),
                       ("fanotify_init", lambda: libc.fanotify_init(0, 0))):
        fd = call()
        if fd < 0:
            refused.append(f"{name}: {os.strerror(ctypes.get_errno())}")
        else:
            fds.append(fd)
    package = os.path.dirname(_child_global("__file__").rsplit("/sandbox/", 1)[0] + "/__init__.py")
    folders = ["/", "/tmp", "/dev/shm", f"/proc/{os.getppid()}/root", f"/proc/{os.getppid()}/cwd", package]
    for fd in fds[:1]:
        for folder in folders:
            if libc.inotify_add_watch(fd, folder.encode(), IN_ALL_EVENTS) >= 0:
                watched.append(folder)
            else:
                refused.append(f"watch {folder}: {os.strerror(ctypes.get_errno())}")
    for fd in fds:
        os.close(fd)
    if not watched:
        raise PermissionError(f"refused: {refused}")
    print("watching:", watched)
    return 12 * (3 * x + 2) / x.numel()
