"""gradient_manual(x) changes the metadata of root-owned files it can read: chmod, a setuid bit, utime, chown.

Targets: the interpreter (``sys.executable`` and its real path), ``/usr/bin/python3``,
torch's ``site-packages`` folder, the ``autograd_exercises`` package folder and one of
its modules. Each change keeps the file's current values where it can (same
owner, same times) and a mode change is undone at once, so a hole leaves the
host as it was apart from a changed ctime; only when some change succeeds does
the function return the right answer. Expected: the sandbox uid owns none of
them and the file system is read-only, every call fails, the function raises
PermissionError, the gradient_manual checks fail, and the test sees every
file's mode, owner, mtime and ctime unchanged.
"""

import os
import stat
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


def _targets():
    package = os.path.dirname(_child_global("__file__").rsplit("/sandbox/", 1)[0] + "/__init__.py")
    site_packages = os.path.dirname(os.path.dirname(torch.__file__))
    paths = [sys.executable, os.path.realpath(sys.executable), "/usr/bin/python3",
             os.path.realpath("/usr/bin/python3"), site_packages, package, os.path.join(package, "__init__.py")]
    return list(dict.fromkeys(path for path in paths if os.path.exists(path)))


def _attempts(path, info):
    mode = stat.S_IMODE(info.st_mode)
    yield "chmod same mode", lambda: os.chmod(path, mode)
    yield "chmod setuid", lambda: (os.chmod(path, mode | stat.S_ISUID | stat.S_ISGID), os.chmod(path, mode))
    yield "chmod world-writable", lambda: (os.chmod(path, mode | 0o777), os.chmod(path, mode))
    yield "utime same times", lambda: os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    yield "chown same owner", lambda: os.chown(path, info.st_uid, info.st_gid)
    yield "lchown same owner", lambda: os.lchown(path, info.st_uid, info.st_gid)


def gradient_manual(x):
    succeeded, refused = [], []
    for path in _targets():
        info = os.stat(path)
        for what, attempt in _attempts(path, info):
            try:
                attempt()
                succeeded.append(f"{what} {path}")
            except OSError as exc:
                refused.append(f"{what} {path}: {exc.strerror}")
    if not succeeded:
        raise PermissionError(f"refused: {len(refused)} changes, e.g. {refused[:2]}")
    print("changed root-owned files:", succeeded)
    return 12 * (3 * x + 2) / x.numel()
