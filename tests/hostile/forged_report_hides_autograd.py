"""gradient_manual(x) computes with autograd, then forges a report claiming it never called autograd.

It finds the check's inputs in the probe's stack frames, computes the right
answer with backward() (which gradient_manual_by_hand forbids), writes a
packed report that says "autograd_calls": 0 to fd 3, and calls os._exit(0).
A report comes from the student's own process, so it can claim anything the
probe would have observed: values need the right answer anyway, but
behavioural facts (no autograd, which tensor was filled) can be faked.
The same holds without forging (resetting the probe's counter in memory).
gradient_manual_by_hand fails all the same: the grader reads the function's
code (autograd_exercises/judge/static.py), where backward() is plain to see.
Now the child hands no code a frame (sandbox/wall.py): the probe's inputs are out of reach, the lookup raises, and
only gradient_manual's checks fail.
"""

import traceback
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


def _sealed(report: bytes) -> bytes:
    """``report`` signed with this run's seal (HMAC-SHA256 after it), as a child that reached the seal would sign it.
    The seal is a local of the child's main, and the child hands no code its frames: the hostile tests fix the run's
    seal to this value (``FORGED_SEAL`` in tests/test_hostile.py) to test the grader's own reading of such a report."""
    import hmac

    return report + hmac.new(b"0123456789abcdef0123456789abcdef", report, "sha256").digest()


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


def _cases():
    frame = next(traceback.walk_stack(None))[0]  # (a library hands frames: the child refuses sys._getframe)
    while frame is not None and "cases" not in frame.f_locals:
        frame = frame.f_back
    return frame.f_locals["cases"]


def gradient_manual(x):
    observe = _child_global("observe")
    observations = []
    for case in _cases():
        leaf = case["x"].detach().clone().requires_grad_()
        (2 * (3 * leaf + 2) ** 2).mean().backward()
        returned = observe.describe(leaf.grad.to(case["x"].dtype))
        observations.append({"manual": {"name": "gradient_manual", "returned": returned, "exception": None,
                                        "warnings": [], "autograd_calls": 0}})
    os.write(3, _sealed(_child_global("packing").pack({"status": "ok", "observations": observations})))
    os._exit(0)
