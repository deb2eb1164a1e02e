"""gradient_manual(x) looks for the grader's answers inside the sandbox instead of computing them.

It tries ``import graders``, ``sys.modules["graders.exercise_2"].reference(x)``,
the graders' source files next to the installed package, and walks
``gc.get_objects()`` and every loaded module for anything named like the
grader's code (``reference``, ``judge_*``, ``hidden``, ``EXERCISE``). Only
when it finds one does it return the right answer, so a grader reachable from
the sandbox would earn the gradient_manual points. Expected: nothing is found
(references, judges and hidden checks exist only in the grader), the function
raises LookupError, the gradient_manual checks fail and the rest is graded.
"""

import gc
import os
import sys
import types

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


GRADER_NAMES = ("reference", "hidden", "EXERCISE", "random_x", "notebook_x")


def _looks_like_grader(name):
    return isinstance(name, str) and (name in GRADER_NAMES or name.startswith("judge_"))


def _search():
    found = []
    try:
        import graders  # noqa: F401

        found.append("import graders")
    except Exception:
        pass
    for name, module in list(sys.modules.items()):
        if name.split(".")[0] == "graders":
            found.append(f"sys.modules[{name!r}]")
        for attribute in list((module.__dict__ if hasattr(module, "__dict__") else {}) or {}):
            if _looks_like_grader(attribute) and not name.startswith(("torch", "numpy", "sympy", "_")):
                found.append(f"{name}.{attribute}")
    for obj in gc.get_objects():
        if isinstance(obj, (types.FunctionType, types.ModuleType)) and _looks_like_grader(obj.__name__):
            found.append(f"gc: {obj!r}")
        elif isinstance(obj, types.ModuleType) and obj.__name__.startswith("graders"):
            found.append(f"gc: {obj!r}")
    package = os.path.dirname(os.path.dirname(_child_global("__file__").rsplit("/sandbox/", 1)[0] + "/__init__.py"))
    for folder in (package, "/", os.getcwd(), f"/proc/{os.getppid()}/cwd", f"/proc/{os.getppid()}/root{package}"):
        for name in ("graders/exercise_2.py", "graders/__init__.py"):
            try:
                with open(os.path.join(folder, name)) as source:
                    if "def reference" in source.read():
                        found.append(os.path.join(folder, name))
            except OSError:
                pass
    return found


FOUND = []


def gradient_manual(x):
    if not FOUND:
        FOUND.append(_search())  # once per process: walking every object is slow
    found = FOUND[0]
    if not found:
        raise LookupError("no grader code is reachable from the sandbox")
    print("found the grader:", found[:5])
    return 12 * (3 * x + 2) / x.numel()
