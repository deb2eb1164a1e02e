"""Probes of exercise 3 (a one-layer network with binary cross-entropy): they run in the sandboxed child.

Each probe calls the student's functions on one case and returns plain-data
observations (:mod:`autograd_exercises.sandbox.observe`). Untrusted side: this
module imports only the standard library, torch and ``observe``; references and
judges live in the grader (``graders/``), never here.
"""

from __future__ import annotations

from autograd_exercises.sandbox import observe


def probe_layer(module, case):
    """Call layer(x, w, b) with w and b as fresh leaves that require grad."""
    w, b = observe.leaf(case["w"]), observe.leaf(case["b"])
    return {"layer": observe.call(module, "layer", case["x"].clone(), w, b)}


def probe_loss(module, case):
    """Call loss(z, y) with z as a fresh leaf that requires grad."""
    return {"loss": observe.call(module, "loss", observe.leaf(case["z"]), case["y"].clone())}


def probe_gradients(module, case):
    """Call parameter_gradients(x, y, w, b) with fresh leaves w, b, and read their .grad afterwards, what each
    backward pass delivered into leaves shaped like w and b, theirs or copies (:func:`observe.deliveries_to`)."""
    w, b = observe.leaf(case["w"]), observe.leaf(case["b"])
    with observe.deliveries_to(observe.WATCHED_PASSES, w=tuple(w.shape), b=tuple(b.shape)) as watched:
        outcome = observe.call(module, "parameter_gradients", case["x"].clone(), case["y"].clone(), w, b)
    return {"grads": outcome, "w_grad": observe.grad_of(w), "b_grad": observe.grad_of(b),
            "deliveries": observe.packed_deliveries(watched)}


def probe_manual(module, case):
    """Call parameter_gradients_manual on plain tensors (no requires_grad), counting autograd calls and graph nodes."""
    args = [case[name].clone() for name in ("x", "y", "w", "b")]
    return {"manual": observe.call_by_hand(module, "parameter_gradients_manual", *args, evaluates=("layer",),
                                           own_values=("loss",))}
