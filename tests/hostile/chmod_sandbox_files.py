"""gradient_manual(x) changes the metadata of what the sandbox is made of, so that later children break.

Targets: ``/dev``, ``/dev/null``, ``/dev/shm``, ``/tmp`` and every folder above the
interpreter (the folders bubblewrap makes to mount it). For a non-root grader the
child has the fork-server's uid and owns all of them: made mode 000, ``/dev`` would
fail every later child of the server at its first ``open("/dev/null")``, so every
later student of that worker would score zero. Each change here keeps the current
value (same mode, same times), so a hole is visible without breaking anything; only
when one succeeds does the function return the right answer. Expected: the child
does not own them (another uid) or seccomp refuses the calls (the same uid), the
function raises PermissionError, the gradient_manual checks fail, and the next
grading works.
"""

import os
import stat
import sys

import torch


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
    above = [str(folder) for folder in __import__("pathlib").Path(sys.prefix).parents if str(folder) != "/"]
    paths = ["/dev", "/dev/null", "/dev/shm", "/tmp", *above]
    return list(dict.fromkeys(path for path in paths if os.path.exists(path)))


def _attempts(path, info):
    mode = stat.S_IMODE(info.st_mode)
    yield "chmod same mode", lambda: os.chmod(path, mode)
    yield "utime same times", lambda: os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))


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
    print("changed the sandbox's files:", succeeded)
    return 12 * (3 * x + 2) / x.numel()
