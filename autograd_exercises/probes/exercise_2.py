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
    """Call forward(x) on a fresh leaf, then back-propagate ``out`` ourselves to see y.grad."""
    x = observe.leaf(case["x"])
    ran = observe.call(module, "forward", x)
    out = observe.item(ran, 2)
    after = {"y_grad": None, "error": None}
    if isinstance(out, torch.Tensor) and out.requires_grad and out.numel() == 1:
        try:
            out.backward()
            after["y_grad"] = observe.grad_of(observe.item(ran, 0))
        except Exception as exc:
            after["error"] = f"{type(exc).__name__}: {exc}"
    return {"forward": ran, "after_backward": after}


def probe_gradients(module, case):
    """Call gradients(x) on a fresh leaf and look at x.grad afterwards."""
    x = observe.leaf(case["x"])
    ran = observe.call(module, "gradients", x)
    return {"gradients": ran, "x_grad": observe.grad_of(x)}


def probe_manual(module, case):
    """Call gradient_manual(x) on a plain tensor (no requires_grad), counting autograd calls."""
    x = case["x"].clone()
    return {"manual": observe.call(module, "gradient_manual", x)}
