"""Probes of exercise 4 (the graph, and how to stop tracking it): they run in the sandboxed child.

Each probe calls the student's functions on one case and returns plain-data
observations (:mod:`autograd_exercises.sandbox.observe`). Untrusted side: this
module imports only the standard library, torch and ``observe``; references and
judges live in the grader (``graders/``), never here.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F

from autograd_exercises.sandbox import observe


def graph_tensors(x: torch.Tensor, w: torch.Tensor, b: torch.Tensor, y: torch.Tensor) -> dict[str, torch.Tensor]:
    """The tensors ``node_name`` and ``receives_grad`` are asked about; ``w`` and ``b`` require grad.

    Built the same way in the child (for the student) and in the judge (for the reference).
    """
    z = x @ w + b
    with torch.no_grad():
        untracked = x @ w + b
    return {
        "z = x @ w + b": z,
        "loss = binary_cross_entropy_with_logits(z, y)": F.binary_cross_entropy_with_logits(z, y),
        "x @ w": x @ w,
        "torch.sigmoid(z)": torch.sigmoid(z),
        "z.sum()": z.sum(),
        "w (a parameter)": w,
        "b (a parameter)": b,
        "x (the input)": x,
        "y (the targets)": y,
        "z.detach()": z.detach(),
        "z computed under torch.no_grad()": untracked,
        "w.detach().clone()": w.detach().clone(),
    }


def _params(case: dict, arriving: list[str] = ()) -> tuple[torch.Tensor, torch.Tensor]:
    return observe.leaf(case["w"], "w" not in arriving), observe.leaf(case["b"], "b" not in arriving)


def _grad_mode_on() -> None:
    """Every case starts with tracking on, whatever an earlier call left behind."""
    torch.set_grad_enabled(True)


def probe_network(module, case):
    """Call network(x, w, b, y), then back-propagate the loss ourselves to see w.grad and b.grad."""
    _grad_mode_on()
    w, b = _params(case)
    ran = observe.call(module, "network", case["x"].clone(), w, b, case["y"].clone())
    loss = observe.item(ran, 1)
    after: dict[str, Any] = {"w_grad": None, "b_grad": None, "error": None}
    if isinstance(loss, torch.Tensor) and loss.requires_grad and loss.numel() == 1:
        try:
            loss.backward()
            after["w_grad"], after["b_grad"] = observe.grad_of(w), observe.grad_of(b)
        except Exception as exc:
            after["error"] = f"{type(exc).__name__}: {exc}"
    return {"network": ran, "after_backward": after}


def _ask_each(module, case, function: str) -> dict[str, Any]:
    _grad_mode_on()
    w, b = _params(case)
    asked = graph_tensors(case["x"].clone(), w, b, case["y"].clone())
    return {label: observe.call(module, function, t) for label, t in asked.items()}


def probe_node_name(module, case):
    """Call node_name(t) on every tensor of :func:`graph_tensors`."""
    return {"asked": _ask_each(module, case, "node_name")}


def probe_receives_grad(module, case):
    """Call receives_grad(t) on every tensor of :func:`graph_tensors`."""
    return {"asked": _ask_each(module, case, "receives_grad")}


def probe_predict(module, case):
    """Call predict(x, w, b), counting tensors saved for a backward pass, then look at w, b and grad mode."""
    _grad_mode_on()
    w, b = _params(case)
    with observe.saved_for_backward() as saved, observe.graph_nodes() as nodes:
        ran = observe.call(module, "predict", case["x"].clone(), w, b)
    grad_mode_after = torch.is_grad_enabled()
    _grad_mode_on()
    params = {name: {"requires_grad": bool(p.requires_grad), "grad": observe.grad_of(p)}
              for name, p in (("w", w), ("b", b))}
    return {"predict": ran, "saved": saved["saved"], "own_hooks": saved["own_hooks"], "threads": saved["threads"],
            "functions": saved["functions"], "nodes": nodes["made"], "grad_mode_after": grad_mode_after,
            "kernel": {key: nodes[key] for key in ("os_threads", "threads_started")},
            "params": params}


def probe_detached_copy(module, case):
    """Call detached_copy(t), then change t in place and look at the copy again."""
    _grad_mode_on()
    source = observe.leaf(case["x"])
    t = 3 * source if case["computed"] else source
    ran = observe.call(module, "detached_copy", t)
    copy = ran.get("_live")
    with torch.no_grad():
        t.add_(1.0)
    return {"copy": ran, "copy_after": observe.describe(copy) if isinstance(copy, torch.Tensor) else None,
            "t_after": observe.describe_tensor(t)}


def probe_freeze(module, case):
    """Call freeze(params, frozen) on a dict of leaves, then read the flags of the tensors passed in."""
    _grad_mode_on()
    originals = {name: observe.leaf(value, start)
                 for (name, value), start in zip(case["params"].items(), case["start"])}
    params = dict(originals)
    ran = observe.call(module, "freeze", params, list(case["frozen"]))
    state = {name: {"requires_grad": bool(p.requires_grad), "replaced": params.get(name) is not p}
             for name, p in originals.items()}
    return {"freeze": ran, "state": state}


def probe_frozen_gradients(module, case):
    """Call frozen_gradients(x, w, b, y, frozen) with some parameters arriving frozen; also what each backward pass
    delivered into leaves shaped like w and b, theirs or copies (:func:`observe.deliveries_to`)."""
    _grad_mode_on()
    w, b = _params(case, case["arriving"])
    with observe.deliveries_to(observe.WATCHED_PASSES, w=tuple(w.shape), b=tuple(b.shape)) as watched:
        ran = observe.call(module, "frozen_gradients", case["x"].clone(), w, b, case["y"].clone(),
                           list(case["frozen"]))
    return {"frozen_gradients": ran, "grads": {"w": observe.grad_of(w), "b": observe.grad_of(b)},
            "deliveries": observe.packed_deliveries(watched)}
