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
"""

import traceback
import os
import sys

import torch


def _child_global(name):
    """A name of the sandbox child's own module, from its frame: the child takes the grader's modules out of
    sys.modules before a submission runs, and this file goes on to test the layers behind that."""
    frame = next(traceback.walk_stack(None))[0]  # (a library hands frames: the child refuses sys._getframe)
    while frame is not None and frame.f_globals.get("__name__") != "autograd_exercises.sandbox.child":
        frame = frame.f_back
    return frame.f_globals[name]


def _sealed() -> bytes:
    """This run's seal, taken from the sandbox child's frame, so that what follows is read as a report (the grader's
    reading refuses a file that reaches frames: the hostile tests run it anyway, to test the sandbox's own layers)."""
    frame = next(traceback.walk_stack(None))[0]  # (a library hands frames: the child refuses sys._getframe)
    while frame is not None and "seal" not in frame.f_locals:
        frame = frame.f_back
    return frame.f_locals["seal"] if frame is not None else b""


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
    os.write(3, _sealed() + _child_global("packing").pack({"status": "ok", "observations": observations}))
    os._exit(0)
