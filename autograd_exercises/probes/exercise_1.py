"""Probes of exercise 1 (the gradient of a polynomial): they run in the sandboxed child.

Each probe calls the student's functions on one case and returns plain-data
observations (:mod:`autograd_exercises.sandbox.observe`). Untrusted side: this
module imports only the standard library, torch and ``observe``; references and
judges live in the grader (``graders/``), never here.
"""

from __future__ import annotations

import torch

from autograd_exercises.sandbox import observe


def probe_polynomial(module, case):
    """Call polynomial(x) on a plain copy of x."""
    return {"poly": observe.call(module, "polynomial", case["x"].clone())}


def probe_polynomial_graph(module, case):
    """Call polynomial(x) on a leaf, then back-propagate ``y.sum()`` ourselves and read x.grad."""
    x = observe.leaf(case["x"])
    outcome = observe.call(module, "polynomial", x)
    y = outcome.get("_live")
    after = {"x_grad": None, "error": None}
    if isinstance(y, torch.Tensor) and y.requires_grad:
        try:
            y.sum().backward()
            after["x_grad"] = observe.grad_of(x)
        except Exception as exc:
            after["error"] = f"{type(exc).__name__}: {exc}"
    return {"poly": outcome, "after_backward": after}


def probe_grad(module, case):
    """Call polynomial_grad(x) on a copy of x, with or without requires_grad as the case says; also what its backward
    passes delivered into leaves of x's size and what each differentiated, and forward mode's answers and seeds
    (:func:`observe.deliveries_to`), and the sum of the student's own polynomial(x) (``own_sum``)."""
    x = observe.leaf(case["x"], case.get("requires_grad", False))
    with observe.deliveries_to(observe.WATCHED_PASSES, tangents=True, x=x.numel()) as watched:  # (a copy: any shape)
        ran = observe.call(module, "polynomial_grad", x)
    return {"grad": ran, "deliveries": observe.packed_deliveries(watched), "own_sum": _own_sum(module, case)}


def _own_sum(module, case) -> float | None:
    r"""$\sum_i$ polynomial(x)$_i$ by the student's own polynomial, float64 (None: not a tensor)."""
    y = observe.call(module, "polynomial", case["x"].clone()).get("_live")
    if not observe.is_tensor(y):
        return None
    return observe.number(observe.plain_tensor(y).detach().to(torch.float64).sum())


def probe_grad_twice(module, case):
    """Call polynomial_grad twice on the same leaf x: the second answer must not include the first."""
    x = observe.leaf(case["x"])
    first = observe.call(module, "polynomial_grad", x)
    second = observe.call(module, "polynomial_grad", x)
    return {"first": first, "second": second}


def probe_manual(module, case):
    """Call polynomial_grad_manual(x) on a plain tensor (no requires_grad), counting autograd calls and graph nodes."""
    return {"manual": observe.call_by_hand(module, "polynomial_grad_manual", case["x"].clone(),
                                                evaluates=("polynomial",))}
