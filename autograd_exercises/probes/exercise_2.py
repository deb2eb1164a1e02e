"""Probes of exercise 2 (back-propagation through two layers): they run in the sandboxed child.

Each probe calls the student's functions on one case and returns plain-data
observations (:mod:`autograd_exercises.sandbox.observe`). Untrusted side: this
module imports only the standard library, torch and ``observe``; references and
judges live in the grader (``graders/``), never here.
"""

from __future__ import annotations

import torch

from autograd_exercises.sandbox import observe


def probe_forward(module, case):
    """Call forward(x) on a fresh leaf, then back-propagate ``out`` ourselves to see y.grad and x.grad."""
    x = observe.leaf(case["x"])
    ran = observe.call(module, "forward", x)
    out = observe.item(ran, 2)
    after = {"y_grad": None, "x_grad": None, "error": None}
    if isinstance(out, torch.Tensor) and out.requires_grad and out.numel() == 1:
        try:
            out.backward()
            after["y_grad"] = observe.grad_of(observe.item(ran, 0))
            after["x_grad"] = observe.grad_of(x)
        except Exception as exc:
            after["error"] = f"{type(exc).__name__}: {exc}"
    return {"forward": ran, "after_backward": after}


def forward_state(module, case):
    """What ``forward(x)`` gives the gradients: its ``out`` as a number (None: not one number), whether ``out``,
    back-propagated, reaches the x passed in, and whether its y then holds a gradient (``retains_y``; None: cannot
    tell)."""
    x = observe.leaf(case["x"])
    ran = observe.call(module, "forward", x)
    out, y = observe.item(ran, 2), observe.item(ran, 0)
    if ran["exception"] is not None or not isinstance(out, torch.Tensor) or out.numel() != 1:
        return {"out": None, "reaches_x": None, "retains_y": None}
    value = observe.number(out)
    if not out.requires_grad:
        return {"out": value, "reaches_x": False, "retains_y": None}
    try:
        out.backward()
    except Exception:
        return {"out": value, "reaches_x": None, "retains_y": None}
    retains = observe.grad_of(y) is not None if isinstance(y, torch.Tensor) else None
    return {"out": value, "reaches_x": x.grad is not None, "retains_y": retains}


def probe_gradients(module, case):
    """Call gradients(x) on a fresh leaf and look at x.grad afterwards, and at what each backward pass delivered into
    leaves shaped like x, the caller's or a copy (:func:`observe.deliveries_to`); also what forward gives it
    (:func:`forward_state`)."""
    x = observe.leaf(case["x"])
    with observe.deliveries_to(observe.WATCHED_PASSES, x=tuple(x.shape)) as watched:
        ran = observe.call(module, "gradients", x)
    x_grad = observe.grad_of(x)
    state = forward_state(module, case)
    return {"gradients": ran, "x_grad": x_grad, "deliveries": observe.packed_deliveries(watched),
            "forward_reaches_x": state["reaches_x"], "forward_out": state["out"],
            "forward_retains_y": state["retains_y"]}


def probe_manual(module, case):
    """Call gradient_manual(x) on a plain tensor (no requires_grad), counting autograd calls and graph nodes."""
    x = case["x"].clone()
    return {"manual": observe.call_by_hand(module, "gradient_manual", x, evaluates=("forward",))}
