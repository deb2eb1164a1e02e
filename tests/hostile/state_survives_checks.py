"""gradient_manual(x) leaves a marker in every place it might write, and looks for one from an earlier check.

Places: its scratch folder, HOME and TMPDIR, /tmp, /var/tmp, /dev/shm, the
server's working folder, the package's __pycache__, an abstract unix socket
name, and its own process (an environment variable, torch's global state — a
child is forked from the server, so a change could only leak if it reached the
server). A marker found that this process did not write means state crossed
from one check (or one submission) to the next: then, and only then, the
function returns the right answer. Expected: nothing survives a check, the
function raises LookupError, the gradient_manual checks fail.
"""

import os
import socket
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

MARKER = "autograd-hostile-survivor"


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


def _places():
    package = os.path.dirname(_child_global("__file__").rsplit("/sandbox/", 1)[0] + "/__init__.py")
    folders = [os.getcwd(), os.environ.get("HOME", ""), os.environ.get("TMPDIR", ""), "/tmp", "/var/tmp", "/dev/shm",
               f"/proc/{os.getppid()}/cwd", os.path.join(package, "__pycache__"), "/"]
    return [os.path.join(folder, MARKER) for folder in dict.fromkeys(folders) if folder]


def _found(mine):
    found = [path for path in _places() if os.path.exists(path) and path not in mine]
    if os.environ.get("AUTOGRAD_HOSTILE_SURVIVOR") and "env" not in mine:
        found.append("environment")
    if torch.get_default_dtype() == torch.float16 and "dtype" not in mine:
        found.append("torch default dtype")
    return found


MINE = set()


def gradient_manual(x):
    found = _found(MINE)
    if found:
        print("left by an earlier check:", found)
        return 12 * (3 * x + 2) / x.numel()
    for path in _places():
        try:
            with open(path, "w") as handle:
                handle.write(str(os.getpid()))
            MINE.add(path)
        except OSError:
            pass
    os.environ["AUTOGRAD_HOSTILE_SURVIVOR"] = "1"
    MINE.update({"env", "dtype"})
    try:
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind("\0" + MARKER)
        server.listen(1)
    except OSError:
        pass
    raise LookupError("nothing left by an earlier check survived")
