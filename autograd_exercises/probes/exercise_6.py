"""Probes of exercise 6 (gradient descent with autograd): they run in the sandboxed child.

Each probe calls the student's functions on one case and returns plain-data
observations (:mod:`autograd_exercises.sandbox.observe`). Untrusted side: this
module imports only the standard library, torch and ``observe``; references and
judges live in the grader (``graders/``), never here.
"""

from __future__ import annotations

import math
import sys
from typing import Any

import torch

from autograd_exercises.sandbox import observe


def probe_loss(module, case):
    """Call loss_fn(x, y, w, b) with w and b requiring grad."""
    torch.set_grad_enabled(True)
    w, b = observe.leaf(case["w"]), observe.leaf(case["b"])
    return {"loss": observe.call(module, "loss_fn", case["x"].clone(), case["y"].clone(), w, b)}


def probe_sgd_step(module, case):
    """Call sgd_step(params, lr) on leaves whose .grad is set, then look at the same tensors."""
    torch.set_grad_enabled(True)
    params = [observe.leaf(value) for value in case["params"]]
    for p, grad in zip(params, case["grads"]):
        p.grad = grad.clone()
    ran = observe.call(module, "sgd_step", list(params), float(case["lr"]))
    return {"sgd_step": ran, "params": [observe.describe_tensor(p) for p in params],
            "grads": [observe.grad_of(p) for p in params]}


NUMPY_TYPES = ("ndarray", "float64", "float32", "float16", "longdouble", "int64", "int32", "int16", "int8", "uint8")


def _numpy(value: Any) -> bool:
    """``value`` is one of numpy's arrays or scalars of real numbers: of numpy's own type exactly (numpy is loaded
    wherever one exists; never imported here), not a subclass that may carry more (red team 76)."""
    numpy = sys.modules.get("numpy")
    kinds = tuple(getattr(numpy, name, None) for name in NUMPY_TYPES) if numpy is not None else ()
    return type(value) in kinds and getattr(value.dtype, "kind", "") in "fiu"


def _losses(value: Any) -> dict[str, Any] | None:
    """The recorded losses as float64 numbers (NaN where an item is not a number), and what they were: a list or
    tuple, or a 1-d tensor or numpy array of real numbers (one item each; numpy's scalars and one-element arrays are
    numbers too: ``np.empty(steps)`` filled with ``loss.item()``)."""
    if _numpy(value) and getattr(value, "ndim", None) == 1:
        value = torch.from_numpy(value.astype("float64"))
    if observe.is_tensor(value):  # (a plain tensor of its values: a tensor class of the student's answers nothing)
        value = observe.plain_tensor(value)
        if value.dim() == 1 and not value.is_complex():
            value = list(value.unbind(0)) if value.grad_fn is not None else \
                [float(number) for number in value.detach().double().tolist()]
    if not isinstance(value, (list, tuple)):
        return None
    numbers, tracked, kinds, not_numbers = [], 0, set(), 0
    for item in value:
        tensor = observe.is_tensor(item)
        kinds.add("Tensor" if tensor else observe.describe(item).get("type", "?"))
        if tensor and (item := observe.plain_tensor(item)).numel() == 1:
            tracked += item.grad_fn is not None
            numbers.append(float(item.detach().reshape(-1)[0]))
        elif type(item) is float:  # (exactly: a subclass may carry the loss's tensor and graph, red team 76)
            numbers.append(item)
        elif type(item) is int:
            numbers.append(float(item))
        elif _numpy(item) and getattr(item, "size", 0) == 1:
            numbers.append(float(item.item()))
        else:
            numbers.append(math.nan)
            not_numbers += 1
    return {"length": len(value), "values": torch.tensor(numbers, dtype=torch.float64), "tracked": tracked,
            "kinds": sorted(kinds), "not_numbers": not_numbers}


def _loss_at_start(module, case) -> float | None:
    """The student's own loss_fn at the starting w and b, as a number (None: not one)."""
    w, b = observe.leaf(case["w"]), observe.leaf(case["b"])
    return observe.number(observe.call(module, "loss_fn", case["x"].clone(), case["y"].clone(), w, b).get("_live"))


EXTRA_PASSES = 32  # backward passes watched beyond four a step (a warm-up, a check of the student's own)


def watched_passes(steps: int) -> int:
    """How many of train's backward passes the watch keeps: four a step (one for w and one for b, a check of the
    student's own beside each step's, the gradients' norms logged: red teams 232 and 233) and :data:`EXTRA_PASSES`."""
    return 4 * steps + EXTRA_PASSES


def probe_train(module, case):
    """Call train(x, y, w, b, lr, steps) on fresh leaves and read back the losses and parameters; also the
    student's loss_fn at the start (train's losses come from it) and, per backward pass, the gradients it delivered
    into leaves shaped like w and b (:func:`observe.deliveries_to`)."""
    torch.set_grad_enabled(True)
    start = _loss_at_start(module, case)
    w, b = observe.leaf(case["w"]), observe.leaf(case["b"])
    steps = int(case["steps"])
    with observe.deliveries_to(watched_passes(steps), w=tuple(w.shape), b=tuple(b.shape)) as watched:
        ran = observe.call(module, "train", case["x"].clone(), case["y"].clone(), w, b, float(case["lr"]), steps)
    return {"train": ran, "losses": _losses(observe.item(ran, 0)), "loss_fn_start": start,
            "gradients": observe.packed_deliveries(watched)}
