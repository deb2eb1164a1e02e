"""gradient_manual(x) plants links in its scratch folder that point outside it, then writes and reads through them.

Symbolic links to the server's /proc entries (its channel to the grader), the
package folder, /tmp, /etc/shadow and the interpreter; hard links to root-owned
files. A server or cleanup that followed them as root would write or delete
outside the sandbox; the child itself must not get through them either. The
links are left in place for whatever cleans up. Only when a write through a
link, a read of what the sandbox may not read, or a hard link succeeds does
the function return the right answer. Expected: Landlock checks the target, not the link, hard links across
file systems fail, the function raises PermissionError, the gradient_manual
checks fail, nothing outside scratch changes, and the next grading works.
"""

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
    server = os.getppid()
    return {"channel": f"/proc/{server}/fd/1", "root": f"/proc/{server}/root/tmp", "package": package,
            "module": os.path.join(package, "__init__.py"), "tmp": "/tmp", "shadow": "/etc/shadow",
            "python": os.path.realpath(sys.executable)}


SECRET = ("channel", "root", "shadow", "tmp")  # what the sandbox may not even read (the rest it may read, not write)


def _attempts(name, link):
    yield "write", lambda: open(link, "ab").close()
    yield "create below", lambda: open(os.path.join(link, "hostile-was-here"), "w").close()
    if name in SECRET:
        yield "read", lambda: os.listdir(link) if os.path.isdir(link) else open(link, "rb").close()


def gradient_manual(x):
    succeeded, refused = [], []
    for name, target in _targets().items():
        link = f"link-{name}"
        try:
            if not os.path.lexists(link):
                os.symlink(target, link)
        except OSError as exc:
            refused.append(f"symlink {name}: {exc.strerror}")
            continue
        for what, attempt in _attempts(name, link):
            try:
                attempt()
                succeeded.append(f"{what} {name}")
            except OSError as exc:
                refused.append(f"{what} {name}: {exc.strerror}")
        try:
            os.link(target, f"hard-{name}")
            succeeded.append(f"hard link {name}")
        except OSError as exc:
            refused.append(f"hard link {name}: {exc.strerror}")
    if not succeeded:
        raise PermissionError(f"refused: {len(refused)} attempts, e.g. {refused[:2]}")
    print("through links:", succeeded)
    return 12 * (3 * x + 2) / x.numel()
