"""Probes of exercise 5 (calling backward more than once): they run in the sandboxed child.

Each probe calls the student's functions on one case and returns plain-data
observations (:mod:`autograd_exercises.sandbox.observe`). Untrusted side: this
module imports only the standard library, torch and ``observe``; references and
judges live in the grader (``graders/``), never here.
"""

from __future__ import annotations

import contextlib
import os
import types
from typing import Any

import torch

from autograd_exercises.sandbox import observe


def _run(module, case, function: str, *args: Any, into: bool = False) -> dict[str, Any]:
    """Call ``function(x, *args)`` on a fresh leaf (holding the case's stale gradient, if any), then read x.grad
    (``into``: also the backward passes that reached x, :func:`observe.gradients_into`)."""
    torch.set_grad_enabled(True)
    x = observe.leaf(case["x"])
    if "stale" in case:
        x.grad = case["stale"].clone()
    with observe.gradients_into(x) if into else contextlib.nullcontext() as reached:
        ran = observe.call(module, function, x, *args)
    return {"ran": ran, "x_grad": observe.grad_of(x), **({"into_x": reached} if into else {})}


def probe_backward_twice(module, case):
    """Call backward_twice(x) on a fresh leaf and look at x.grad afterwards; count the values its forward
    passes saved for backward and how often backward read them (one graph read twice: twice as many reads), and the
    passes that reached x."""
    with observe.saved_for_backward() as counts:
        obs = _run(module, case, "backward_twice", into=True)
    return {**obs, "saved_values": counts}


def probe_second_backward_error(module, case):
    """Call second_backward_error(x) and describe the error object it returned: also whether a backward pass over a
    graph already run through raised that very object, its text unchanged (:func:`observe.second_pass_error`)."""
    with observe.second_passes():
        obs = _run(module, case, "second_backward_error")
    value = obs["ran"].get("_live")
    error = None
    if isinstance(value, BaseException):
        error = {"type": _exact_text(lambda: type(value).__name__),
                 "message": _exact_text(lambda: str(value))[: observe.MAX_REPR],
                 "raised_by_torch": _raised_by_torch(value), "second_pass": observe.second_pass_error(value)}
    return {**obs, "error": error}


TORCH_DIR = os.path.dirname(os.path.realpath(torch.__file__)) + os.sep
COUNTING_ENGINE = observe.counting_engine_code()
_TRACEBACK = BaseException.__dict__["__traceback__"].__get__  # the exception's real traceback (red team 53)
_REALPATH = os.path.realpath  # bound here: os.path is read-only in the child, and this is not looked up there either


def _raised_by_torch(error: BaseException) -> bool:
    """Whether ``error`` was raised, and raised inside torch (a real backward's error is, from its engine's call in
    ``torch/autograd``); an error made with ``RuntimeError(...)`` and returned was never raised at all."""
    try:
        frame, last = _TRACEBACK(error), None  # (BaseException's own: a student's class can make any __traceback__)
        if frame is not None and type(frame) is not types.TracebackType:
            return False
        while frame is not None:
            if frame.tb_frame.f_code is not COUNTING_ENGINE:  # the sandbox's count of backward passes, around torch's
                last = frame
            frame = frame.tb_next
        return last is not None and _REALPATH(last.tb_frame.f_code.co_filename).startswith(TORCH_DIR)
    except BaseException:
        return False


def _exact_text(make) -> str:
    """``make()`` as an exact ``str`` (a student's error may have any ``__str__``, or raise)."""
    try:
        text = make()
        return str.__str__(text) if isinstance(text, str) else "<not text>"
    except BaseException:
        return "<unprintable>"


def probe_accumulated(module, case):
    """Call accumulated_grad(x, steps) on a fresh leaf; also the backward passes that reached x."""
    return _run(module, case, "accumulated_grad", int(case["steps"]), into=True)


def probe_fresh(module, case):
    """Call fresh_grad(x, steps) on a fresh leaf, whose .grad may hold a stale gradient; also the backward passes that
    reached x."""
    return _run(module, case, "fresh_grad", int(case["steps"]), into=True)


def probe_polynomial(module, case):
    """Call polynomial(x) on a fresh leaf."""
    torch.set_grad_enabled(True)
    return {"ran": observe.call(module, "polynomial", observe.leaf(case["x"]))}
