"""Grader of exercise 6: gradient descent on a linear model, ``z = x @ w + b`` with the mean squared error.

References are computed here in float64 by the same loop (forward, backward, update under
``torch.no_grad()``, zero the gradients) from the same inputs the student gets. When a
student's losses go wrong, the judge replays the usual broken loops (gradients never
zeroed, gradient ascent, lr ignored, no update at all) and names the one that matches.
"""

from __future__ import annotations

from typing import Any

import math

import torch

from autograd_exercises import inputs
from autograd_exercises.judge import (
    Fail, Mistake, a_type, backward_passes, called, close, close_or_named, code_of, counted, grad_fn_name,
    parts, per_case, real_valued, reframed, tensor,
)
from autograd_exercises.judge.diagnose import mismatch
from autograd_exercises.probes.exercise_6 import probe_loss, probe_sgd_step, probe_train, watched_passes
from autograd_exercises.sandbox import observe
from autograd_exercises.spec import Check, Exercise, HiddenCount, Tolerance

TOL = Tolerance(rtol=1e-5, atol=1e-6)
# float32 against the float64 replay after up to 200 steps: gradient descent is contractive here, so
# rounding does not grow; over 40 seeds the solution's deviations used under 1% of this tolerance.
TRAIN_TOL = Tolerance(rtol=1e-4, atol=1e-5)
# (n, d, k): n samples with d features, k outputs.
TRAIN_SHAPES = ((16, 3, 1), (12, 2, 2), (20, 4, 3))
LEARNING_RATES = (0.1, 0.2)
COMPARED_LOSSES = 5  # how many first losses tell one loop from another


# -- inputs ----------------------------------------------------------------------------------------

def _data_label(case: dict) -> str:
    return (f"x of shape {tuple(case['x'].shape)}, y of shape {tuple(case['y'].shape)}, "
            f"{inputs.dtype_name(case['x'].dtype)}")


def train_label(case: dict, note: str = "") -> str:
    text = f"{_data_label(case)}, lr = {case['lr']:g}, steps = {case['steps']}"
    return text + (f" ({note})" if note else "")


def data_cases(gen: torch.Generator) -> list[dict]:
    """Noisy linear data ``y = x w* + b* + noise`` and a random start (w, b), one case per shape and dtype."""
    cases = []
    for n, d, k in TRAIN_SHAPES:
        for dtype in inputs.DTYPES:
            x = inputs.uniform(gen, (n, d), torch.float64, -1.0, 1.0)
            w_true, b_true = inputs.uniform(gen, (d, k)), inputs.uniform(gen, (k,), low=-1.0, high=1.0)
            y = x @ w_true + b_true + 0.1 * inputs.uniform(gen, (n, k), low=-1.0, high=1.0)
            case = {"x": x.to(dtype), "y": y.to(dtype), "w": inputs.uniform(gen, (d, k), dtype, -0.5, 0.5),
                    "b": inputs.uniform(gen, (k,), dtype, -0.5, 0.5)}
            cases.append({**case, "label": _data_label(case)})
    return cases


def training_cases(gen: torch.Generator, steps: int) -> list[dict]:
    """The data cases, each with a learning rate (alternating) and a number of steps."""
    cases = []
    for number, case in enumerate(data_cases(gen)):
        lr = LEARNING_RATES[(number // 2 + number) % len(LEARNING_RATES)]  # each shape and dtype sees both
        case = {**case, "lr": lr, "steps": steps}
        cases.append({**case, "label": train_label(case)})
    return cases


def one_step_cases(gen: torch.Generator) -> list[dict]:
    return training_cases(gen, steps=1)


def decrease_cases(gen: torch.Generator) -> list[dict]:
    return training_cases(gen, steps=40)


def converge_cases(gen: torch.Generator) -> list[dict]:
    return training_cases(gen, steps=150)


def loss_cases(gen: torch.Generator) -> list[dict]:
    return data_cases(gen)


def step_cases(gen: torch.Generator) -> list[dict]:
    """Lists of parameters with gradients already in ``.grad``, and a learning rate."""
    layouts = (((3, 2), (2,)), ((4, 1), (1,)), ((2, 3), (3,), (5,)))
    cases = []
    for number, shapes in enumerate(layouts):
        for dtype in inputs.DTYPES:
            params = [inputs.uniform(gen, shape, dtype) for shape in shapes]
            grads = [inputs.uniform(gen, shape, dtype) for shape in shapes]
            lr = (0.1, 0.05, 0.3)[number]
            label = f"params of shapes {', '.join(str(s) for s in shapes)}, {inputs.dtype_name(dtype)}, lr = {lr:g}"
            cases.append({"params": params, "grads": grads, "lr": lr, "label": label})
    return cases


# -- references ------------------------------------------------------------------------------------

def mse(x: torch.Tensor, y: torch.Tensor, w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return ((x @ w + b - y) ** 2).mean()


@per_case
def replay(case: dict, *, lr: float | None = None, sign: float = 1.0, zero: bool = True,
           steps: int | None = None, power: int = 1) -> tuple[list[float], torch.Tensor, torch.Tensor, list[tuple[torch.Tensor, ...]]]:
    """The training loop in float64: ``p -= sign * lr * p.grad`` under no_grad, zeroing ``.grad`` if ``zero``;
    its losses, the final w and b, and each step's ``(w.grad, b.grad)`` as backward left them.

    Defaults replay the correct loop; the keywords replay the broken ones (``power=2``: steps of lr² · grad).
    """
    lr = case["lr"] ** power if lr is None else lr
    x, y = case["x"].to(torch.float64), case["y"].to(torch.float64)
    w = case["w"].to(torch.float64).clone().requires_grad_()
    b = case["b"].to(torch.float64).clone().requires_grad_()
    losses, gradients = [], []
    for _ in range(case["steps"] if steps is None else steps):
        loss = mse(x, y, w, b)
        losses.append(float(loss.detach()))
        loss.backward()
        gradients.append((w.grad.clone(), b.grad.clone()))
        with torch.no_grad():
            for p in (w, b):
                p -= sign * lr * p.grad
                if zero:
                    p.grad.zero_()
    return losses, w.detach(), b.detach(), gradients


NO_UPDATE = Mistake("no-update", "the parameters did not change: update the tensor itself in place (p -= lr * p.grad "
                    "under torch.no_grad()); `p = p - lr * p.grad` only rebinds a name, and zeroing p.grad before "
                    "using it leaves nothing to subtract")  # (one step: :func:`_step_hint`)
NEVER_CHANGE = Mistake("no-update", "the parameters never change: update them in place (p -= lr * p.grad) under "
                       "torch.no_grad(); `w = w - lr * w.grad` only rebinds a local name")  # (a loop: BROKEN_LOOPS)
LR_TWICE = Mistake("lr-twice", "the step is lr² · grad: lr was applied twice (a loss already multiplied by lr before "
                   "backward(), or lr * lr * p.grad); step by lr * grad of the loss itself")
GRADIENT_TWICE = Mistake("gradient-twice", "the step is 2 · lr · grad, twice the step: a second backward on the step's "
                         "loss (with retain_graph=True) adds its gradient into .grad again, or the update doubles it; "
                         "call L.backward() once a step and step by lr * grad")  # (fairness 67)
BROKEN_LOOPS: tuple[tuple[dict[str, Any], Mistake], ...] = (
    ({"zero": False}, Mistake("grads-never-zeroed", "the gradients are never zeroed: backward() adds into .grad, so "
                      "every step uses the sum of all gradients so far; clear them after each update (p.grad.zero_() "
                      "or p.grad = None)")),
    ({"sign": -1.0}, Mistake("gradient-ascent", "the update adds lr * grad: that is gradient ascent, the loss goes up; "
                     "subtract it")),
    ({"lr": 1.0}, Mistake("lr-ignored", "the learning rate was ignored: each step moved by the whole gradient; step by "
                  "lr * grad")),
    ({"sign": 0.0}, NEVER_CHANGE),
    ({"power": 2}, LR_TWICE),
    ({"sign": 2.0}, GRADIENT_TWICE),
)
LOSS_DETACHED = Mistake("loss-detached", "w and b got no gradient from any backward pass: the loss train "
                        "back-propagates does not reach them (a loss rebuilt from a number, as "
                        "torch.tensor(loss.item(), requires_grad=True), or computed after .detach() or under "
                        "torch.no_grad(), has no path back to w and b); back-propagate loss_fn(x, y, w, b) itself")
LOSSES_AFTER_UPDATE = Mistake("losses-after-update", "the losses are those after each update: record the loss before "
                              "backward and the update")
MISTAKES = {
    "update-tracked": "the update ran with gradient tracking on (not under torch.no_grad())",
    "rebinds-parameter": "`p = p - lr * p.grad` makes a new tensor instead of changing the parameter in place",
    "wrong-loss-count": "not one recorded loss per step",
    "losses-not-numbers": "the recorded losses are tensors, not numbers (loss.item())",
    "diverged": "the losses reach infinity or NaN: training diverged",
    "loss-not-decreasing": "the recorded loss goes up from one step to the next",
    "requires-grad-off": "a parameter no longer requires grad after an update",
    "losses-keep-graph": "the recorded losses are tensors that keep each step's graph alive",
    "train-without-autograd": "train computed its updates by hand, with no backward pass",
    "losses-not-of-params": "the recorded losses are not those of the w and b train returns",
    "param-left-out": "train updated one of w and b and left the other as it came in",
}


def broken_loop(case: dict, losses: torch.Tensor) -> Mistake | str:
    """The hint of the broken loop whose first losses match ``losses``, or ``""``."""
    count = min(COMPARED_LOSSES, int(case["steps"]), losses.numel())
    if count < 1 or not bool(torch.isfinite(losses[:count]).all()):
        return ""
    seen = losses[:count].to(torch.float64)
    for keywords, hint in BROKEN_LOOPS if count > 1 else ():  # the first loss is the same for every loop
        expected = torch.tensor(replay(case, steps=count, **keywords)[0], dtype=torch.float64)
        if torch.allclose(seen, expected, rtol=1e-3, atol=1e-7):
            return hint
    shifted = torch.tensor(replay(case, steps=count + 1)[0][1:], dtype=torch.float64)
    if torch.allclose(seen, shifted, rtol=1e-3, atol=1e-7):
        return LOSSES_AFTER_UPDATE
    return ""


def _losses_close(case: dict, values: torch.Tensor, expected: torch.Tensor, what: str, tol: Tolerance) -> None:
    """:func:`close` for recorded losses, naming the broken loop that explains a mismatch."""
    try:
        close(values, expected, what=what, tol=tol)
    except Fail as failure:
        hint = broken_loop(case, values)
        raise Fail(f"{failure}{' — ' + hint if hint else ''}", code=code_of(hint, failure.code)) from None


# -- loss_fn ---------------------------------------------------------------------------------------

def judge_loss(case, obs):
    """loss_fn is the mean of $(xw + b - y)^2$, one tracked number."""
    got = called(obs["loss"], "loss_fn(x, y, w, b)")
    value = tensor(got, "loss_fn(x, y, w, b)")
    expected = mse(*(case[k].to(torch.float64) for k in ("x", "y", "w", "b")))
    if value.numel() != 1:
        raise Fail(f"loss_fn(x, y, w, b) has shape {tuple(value.shape)}: it must be one number, the mean over all "
                   "elements", code="not-reduced")
    close(value.reshape(()), expected, what="loss_fn(x, y, w, b)", tol=TOL, **counted(case["y"]))
    if grad_fn_name(got) is None:
        raise Fail("loss_fn(x, y, w, b) has no grad_fn: compute it from w and b with tracking on, so that "
                   "backward() reaches them", code="not-tracked")


# -- sgd_step --------------------------------------------------------------------------------------

def _step_hint(delta: torch.Tensor, grad: torch.Tensor, lr: float) -> Mistake | str:
    """Name the broken update whose change ``delta`` matches."""
    wrong = (
        (torch.zeros_like(grad), NO_UPDATE),
        (lr * grad, Mistake("gradient-ascent", "the step went uphill (p + lr * grad): gradient descent subtracts "
                            "lr * grad")),
        (-grad, Mistake("lr-ignored", "the step is the whole gradient: multiply it by lr")),
        (-lr * lr * grad, LR_TWICE),
        (-2 * lr * grad, GRADIENT_TWICE),
    )
    for value, hint in wrong:
        if delta.shape == value.shape and torch.allclose(delta, value, rtol=1e-4, atol=1e-6):
            return hint
    return ""


def _step_mistake(what: str, after: torch.Tensor, before: torch.Tensor, grad: torch.Tensor, lr: float) -> Fail | None:
    """The :class:`Fail` naming the update mistake :func:`_step_hint` recognises in ``after``, if any."""
    hint = _step_hint(after - before, grad, lr) if after.shape == before.shape else ""
    return Fail(f"{what} is wrong: {hint}", code=code_of(hint)) if hint else None


WAS_NONE = " — a .grad was None"
LEAF_IN_PLACE = "a leaf Variable that requires grad is being used in an in-place operation"
UNTRACKED = "does not require grad and does not have a grad_fn"
UNTRACKED_TRAIN = Mistake("backward-on-untracked", "the loss train back-propagated has no graph: it was computed under "
                          "torch.no_grad(), or from parameters autograd no longer tracks (after `w = w - lr * w.grad` "
                          "under torch.no_grad(), w is a new tensor that does not require grad, and so is the next "
                          "step's loss); update w and b in place (w -= lr * w.grad), so they stay leaves that require "
                          "grad")  # (fairness 67: the generic hint, which it replaces, named no_grad and .detach() only)


def ran(outcome: dict, what: str) -> dict:
    """``called``, with the in-place-on-a-leaf error of an update made with tracking on explained, and, in train, a
    loss with no graph (:data:`UNTRACKED_TRAIN`, in place of the generic hint)."""
    exception = outcome.get("exception") or {}
    if LEAF_IN_PLACE in exception.get("message", ""):
        raise Fail(f"{what} raised RuntimeError: {exception['message']} — the update ran with gradient tracking "
                   "on; write it inside `with torch.no_grad():`", code="update-tracked")
    if exception.get("type") == "AttributeError" and "'NoneType' object has no attribute 'zero_'" in exception.get(
            "message", ""):
        raise Fail(f"{what} raised AttributeError: {exception['message']}{WAS_NONE}: after "
                   "`p = p - lr * p.grad` the name p stands for a new tensor, which has no gradient; change the "
                   "parameter itself in place (p -= lr * p.grad) under torch.no_grad()", code="rebinds-parameter")
    if exception.get("type") == "TypeError" and "NoneType" in exception.get("message", ""):
        raise Fail(f"{what} raised TypeError: {exception['message']}{WAS_NONE}: an update made with "
                   "tracking on (`w = w - lr * w.grad`) turns w into a computed tensor with a grad_fn, and "
                   "backward() fills .grad only for leaves; update in place under torch.no_grad()",
                   code="rebinds-parameter")
    return called(outcome, what, {UNTRACKED: UNTRACKED_TRAIN} if what.startswith("train") else None)


def real(desc: dict | None, what: str) -> torch.Tensor:
    """:func:`tensor`, in float64, for a tensor of real numbers; :class:`Fail` for a complex one, whose imaginary part
    float64 would drop unseen (red team 233: an imaginary part of 1e9 passed every train check)."""
    return real_valued(tensor(desc, what), what).to(torch.float64)


def _returned(case: dict, desc: dict, name: str) -> torch.Tensor:
    """The returned ``name`` (w or b) in float64, of the shape it came in (:class:`Fail` otherwise, before any
    arithmetic: red team 233's w of shape (100, 3, 1) beside a b of shape (n, 1, 1, 1) broadcast to 1.6 GB here)."""
    got = real(desc, f"the returned {name}")
    if got.shape != case[name].shape:
        raise Fail(f"the returned {name} has shape {tuple(got.shape)}, expected {tuple(case[name].shape)}: update "
                   f"{name} in place and return it", code="wrong-shape")
    return got


def judge_sgd_update(case, obs):
    r"""Every parameter becomes $p - \eta\, p.grad$, changed in place."""
    ran(obs["sgd_step"], "sgd_step(params, lr)")
    lr = float(case["lr"])
    for index, (before, grad, after) in enumerate(zip(case["params"], case["grads"], obs["params"])):
        before, grad = before.to(torch.float64), grad.to(torch.float64)
        value = real(after, f"params[{index}]")
        what = f"params[{index}] after sgd_step"  # (where the gradient is near 0, several mistakes coincide)
        close_or_named(value, before - lr * grad, what=what, tol=TOL,
                       named=lambda: _step_mistake(what, value, before, grad, lr))


def judge_sgd_zero(case, obs):
    """After sgd_step every ``p.grad`` is cleared: all zeros, or None."""
    ran(obs["sgd_step"], "sgd_step(params, lr)")
    for index, grad in enumerate(obs["grads"]):
        if grad is None:
            continue
        value = tensor(grad, f"params[{index}].grad")
        if bool(value.ne(0).any()):
            raise Fail(f"params[{index}].grad still holds a gradient after sgd_step: clear it (p.grad.zero_() or "
                       "p.grad = None), or the next backward adds to it", code="grads-never-zeroed")


# -- train -----------------------------------------------------------------------------------------

def trained(case: dict, obs: dict, *, counted: bool = True) -> tuple[torch.Tensor, dict, dict]:
    """The losses (float64), and the descriptions of the returned w and b; :class:`Fail` for a wrong shape of result
    (and, where ``counted``, for a wrong number of losses or losses that are not numbers: other checks' matter)."""
    what = "train(x, y, w, b, lr, steps)"
    losses, w, b = parts(ran(obs["train"], what), 3, what, "(losses, w, b)")
    record = obs["losses"]
    if record is None:
        raise Fail(f"the losses returned by {what} are {a_type(losses.get('type'))}, expected a list of numbers",
                   code="wrong-type")
    if counted and record["length"] != case["steps"]:
        raise Fail(f"{what} recorded {record['length']} losses for {case['steps']} steps: record one per step, "
                   "before the update", code="wrong-loss-count")
    if counted and record["not_numbers"]:
        raise Fail(f"the losses must be numbers (loss.item()), got items of type {', '.join(record['kinds'])}",
                   code="losses-not-numbers")
    return record["values"], w, b


def _left_out(case: dict, w: dict, b: dict) -> None:
    """:class:`Fail` where train moved one of w and b and returned the other as it came in (fairness 67: a train that
    stepped ``sgd_step([w], lr)`` was told "the parameters did not change", and then that w was wrong)."""
    moved = {}
    for name, desc in (("w", w), ("b", b)):
        got = real(desc, f"the returned {name}")
        moved[name] = not (got.shape == case[name].shape and torch.equal(got, case[name].to(torch.float64)))
    if moved["w"] != moved["b"]:
        still, other = ("b", "w") if moved["w"] else ("w", "b")
        raise Fail(f"train moved {other} but returned {still} as it came in: update every parameter each step "
                   "(sgd_step([w, b], lr))", code="param-left-out")


def _params_close(case: dict, w: dict, b: dict, ref_w: torch.Tensor, ref_b: torch.Tensor, values: torch.Tensor,
                  tol: Tolerance) -> None:
    """The trained w and b against the replay; a mismatch names the broken loop its losses match."""
    _left_out(case, w, b)
    for name, desc, expected in (("w", w, ref_w), ("b", b, ref_b)):
        got = real(desc, f"the returned {name}")
        if got.shape != expected.shape or not torch.allclose(got, expected, rtol=tol.rtol, atol=tol.atol):
            hint = broken_loop(case, values)
            detail = mismatch(got, expected, what=f"the trained {name}", tol=tol)
            raise Fail(f"{detail}{' — ' + hint if hint else ''}", code=code_of(hint, detail.code))


def _never_reached(obs: dict) -> bool:
    """Whether train back-propagated and none of its passes delivered a gradient into a leaf shaped like w (the
    child's report: it only picks a hint). Where w has one element, as in the handout's example, a loss rebuilt as a
    leaf of its own has as many, and all it gets is its seed, 1: that reaches no w either (fairness 67)."""
    packed = obs.get("gradients")
    passes = packed.get("passes") if isinstance(packed, dict) else None
    if not (type(passes) is int and passes > 0):
        return False
    rows = packed.get("w")
    return rows is None or (isinstance(rows, torch.Tensor) and rows.dim() == 2 and rows.shape[1] == 1
                            and bool((rows == 1).all()))


def _blamed_on_loss_fn(failure: Fail, case: dict, obs: dict) -> Fail:
    """A train check's failure, saying first that loss_fn is to blame when the student's own loss_fn is wrong at the
    start and train's first loss is that wrong value (train got it from loss_fn); and, for parameters that never
    moved, that no gradient reached them (:data:`LOSS_DETACHED`), where that is why, not how the update is written."""
    if failure.code in ("no-update", "rebinds-parameter") and _never_reached(obs):
        text = str(failure).replace(NO_UPDATE, LOSS_DETACHED).replace(NEVER_CHANGE, LOSS_DETACHED)
        if WAS_NONE in text:  # (sgd_step met a .grad of None: not a rebound name, here)
            text = text[:text.index(WAS_NONE)] + f"{WAS_NONE}: {LOSS_DETACHED}"
        return Fail(text, about_input=failure.about_input, code=LOSS_DETACHED.code)
    own, record = obs.get("loss_fn_start"), obs.get("losses")
    values = record.get("values") if isinstance(record, dict) else None
    if not isinstance(own, float) or not math.isfinite(own) or not isinstance(values, torch.Tensor) \
            or values.numel() < 1 or values.is_complex():
        return failure
    first, expected = float(values.reshape(-1)[0]), replay(case, steps=1)[0][0]
    if math.isclose(own, expected, rel_tol=1e-4, abs_tol=1e-7) or not math.isclose(first, own, rel_tol=1e-4,
                                                                                      abs_tol=1e-7):
        return failure
    return Fail(f"train's first loss, {first:.6g}, is your loss_fn's, which is wrong (loss_fn says how; expected "
                f"{expected:.6g}): train uses loss_fn, so fix loss_fn first; {failure}",
                about_input=failure.about_input, code=failure.code)


blaming_loss_fn = reframed(_blamed_on_loss_fn)  # (the hidden train checks' too)


@blaming_loss_fn
def judge_one_step(case, obs):
    r"""With steps = 1: losses = [L(w₀, b₀)] and $w_1 = w_0 - \eta\,\partial L/\partial w$, likewise b."""
    values, w, b = trained(case, obs)
    ref_losses, ref_w, ref_b, _ = replay(case)
    _losses_close(case, values, torch.tensor(ref_losses, dtype=torch.float64), "losses (the loss at the start)", TOL)
    _left_out(case, w, b)
    lr = float(case["lr"])
    for name, desc, expected in (("w", w, ref_w), ("b", b, ref_b)):
        got = real(desc, f"the returned {name}")
        start = case[name].to(torch.float64)
        what = f"{name} after one step"
        close_or_named(got, expected, what=what, tol=TOL,
                       named=lambda: _step_mistake(what, got, start, (start - expected) / lr, lr))
    _back_propagated_every_step(case, obs)  # (red team 231: the one step made by hand, the numbers right; which
    _reached_every_step(case, obs.get("gradients"))  # pass computed which gradient is train_converges' to read)


EVERY_STEP = "call L.backward() every step, then sgd_step([w, b], lr)"  # (what a train short of passes is told)
EACH_STEPS_L = "call L.backward() on each step's L = loss_fn(x, y, w, b), then sgd_step([w, b], lr)"


def _back_propagated_every_step(case: dict, obs: dict) -> None:
    """At least as many backward passes as steps, by autograd's engine's own count (:func:`backward_passes`)."""
    calls, steps = backward_passes(obs["train"]), int(case["steps"])
    if calls < steps:
        raise Fail(f"train back-propagated {calls} time(s) in {steps} step(s): {EVERY_STEP}; computing the updates by "
                   "hand skips what this exercise is about", code="train-without-autograd")


def _trained_with_autograd(case: dict, obs: dict) -> None:
    r"""train does what its docstring says, not only what it returns (red team 62: updates computed by hand gave the
    right numbers): it back-propagates (``L.backward()``) at every step, and those passes compute the step's
    gradients (red team 63 ran a trivial backward beside updates by hand). Fewer autograd calls than steps fail, and
    so do passes that never deliver $\partial L/\partial w$ and $\partial L/\partial b$ at the step's parameters into
    leaves of their shapes (the caller's w and b or copies); how it updates w and b is the sgd_step checks' matter."""
    _back_propagated_every_step(case, obs)
    calls, steps = backward_passes(obs["train"]), int(case["steps"])
    watched = obs["gradients"].get("passes") if isinstance(obs.get("gradients"), dict) else None
    if type(watched) is int and watched > calls:  # (each pass the watch keeps is one the engine ran)
        raise Fail(f"train's record of its backward passes ({watched}) is more than the {calls} autograd's engine ran: "
                   f"{EACH_STEPS_L}", code="train-without-autograd")
    matched = _steps_back_propagated(case, obs.get("gradients"))
    if matched is not None and matched < steps:
        raise Fail(f"train's backward passes computed the gradients of the step's loss in {matched} of {steps} "
                   f"step(s) (at step {matched}, none differentiated that step's L and gave w and b ∂L/∂w and ∂L/∂b): "
                   f"{EACH_STEPS_L}; computing the updates by hand skips what this exercise is about",
                   code="train-without-autograd")


def _steps_back_propagated(case: dict, packed: Any) -> int | None:
    """How many steps, in order, backward passes delivered the replay's gradients into leaves shaped like w and b, from
    that step's loss: one pass for both, or one for each (red team 232: ``torch.autograd.grad(L, w)``, then
    ``torch.autograd.grad(L, b)``, was read as no pass at all) (:func:`observe.packed_deliveries`; None: not such an
    observation)."""
    passes = _watched(case, packed)
    if passes is None:
        return None
    losses, _, _, gradients = replay(case)
    of_loss = _of_the_loss(packed.get(observe.ROOT), passes, torch.tensor(losses, dtype=torch.float64))
    if of_loss is None:
        return 0
    delivered, expected = [], []
    for index, name in enumerate(("w", "b")):
        expected.append(torch.stack([step[index].reshape(-1) for step in gradients]))
        hits = _hits(packed.get(name), packed.get(f"{name}_pass"), passes, expected[-1])
        if hits is None:
            return 0
        delivered.append((of_loss & hits).tolist())
    parts = _Parts(packed, passes, losses, expected)
    step, done = 0, [False, False]
    for number, rows in enumerate(zip(*delivered)):  # (per pass: which steps' gradients it delivered, for w and b)
        if step < len(gradients):
            done = [seen or row[step] for seen, row in zip(done, rows)]
            if parts.add(number, step) or all(done):
                step, done = step + 1, [False, False]
                parts.clear()
    return step


def _watched(case: dict, packed: Any) -> int | None:
    """How many of train's backward passes the watch kept (:func:`observe.packed_deliveries`, at most
    :func:`watched_passes`); None where that is not such an observation."""
    passes = packed.get("passes") if isinstance(packed, dict) else None
    return passes if type(passes) is int and 0 <= passes <= watched_passes(int(case["steps"])) else None


class _Parts:
    r"""The passes of one step, summed: a step's gradient taken in passes over parts of the data, each its part's
    share of the mean (red team 232: two halves, read as updates by hand), differentiates $\sum_i L_i = L$ and delivers
    $\sum_i \partial L_i / \partial w = \partial L / \partial w$. A pass keeps its gradients under a name leaf by
    leaf, in the graph's order, the same in every pass of one loop (``observe._keep``): the sums are taken place by
    place, and one of them must make the step's (where w has one element, b's leaf is one of w's places too)."""

    def __init__(self, packed: dict, passes: int, losses: list[float], expected: list[torch.Tensor]) -> None:
        self.roots, self.losses, self.expected = packed[observe.ROOT], losses, expected
        self.placed = [_placed_rows(packed[name], packed[f"{name}_pass"], passes, rows.shape[1])
                       for name, rows in zip(("w", "b"), expected)]
        self.clear()

    def clear(self) -> None:
        self.root, self.sums = 0.0, [torch.zeros_like(placed[:, 0]) for placed in self.placed]

    def add(self, number: int, step: int) -> bool:
        """Add pass ``number``; whether the passes since the last step now make ``step``'s loss and gradients."""
        self.root += float(self.roots[number])
        self.sums = [total + placed[:, number] for total, placed in zip(self.sums, self.placed)]
        loss = self.losses[step]
        return abs(self.root - loss) <= TRAIN_TOL.atol + TRAIN_TOL.rtol * abs(loss) and all(
            bool(((total - rows[step]).abs() <= TRAIN_TOL.atol + TRAIN_TOL.rtol * rows[step].abs()).all(-1).any())
            for total, rows in zip(self.sums, self.expected))


def _placed_rows(rows: torch.Tensor, where: torch.Tensor, passes: int, size: int) -> torch.Tensor:
    """The gradients each pass delivered under a name, by their place in the pass (:data:`observe.MAX_KEPT` places;
    zeros where a pass kept fewer), float64: shape (places, passes, size)."""
    placed, count = torch.zeros(observe.MAX_KEPT, passes, size, dtype=torch.float64), [0] * passes
    for row, number in zip(rows.to(torch.float64), where.tolist()):
        if 0 <= number < passes and count[number] < observe.MAX_KEPT:
            placed[count[number], number] = row
            count[number] += 1
    return placed


def _of_the_loss(roots: Any, passes: int, losses: torch.Tensor) -> torch.Tensor | None:
    r"""Per pass and step, whether the pass differentiated the step's loss $L(w_k, b_k)$ within :data:`TRAIN_TOL`
    (:func:`observe.differentiated`; None: no honest report): red team 122 ran, at each step, a backward pass of
    $\langle w', g_w \rangle + \langle b', g_b \rangle$ over fresh leaves $w', b'$, with $g_w, g_b$ written by hand,
    which delivers the step's gradients and differentiates something else."""
    if not (isinstance(roots, torch.Tensor) and roots.dtype == torch.float64 and roots.shape == (passes,)):
        return None
    return (roots[:, None] - losses[None]).abs() <= TRAIN_TOL.atol + TRAIN_TOL.rtol * losses.abs()


def _hits(rows: Any, where: Any, passes: int, expected: torch.Tensor) -> torch.Tensor | None:
    """Per pass and step, whether a gradient the pass delivered (``rows``, from pass ``where``) is the step's
    ``expected`` row within :data:`TRAIN_TOL` (None: rows that no honest report has)."""
    if not (isinstance(rows, torch.Tensor) and isinstance(where, torch.Tensor) and rows.dim() == 2
            and where.dtype == torch.int64 and where.shape == rows.shape[:1] and rows.shape[1] == expected.shape[1]
            and rows.shape[0] <= passes * observe.MAX_KEPT and not rows.is_complex()):
        return None
    rows, kept = rows.to(torch.float64), (where >= 0) & (where < passes)
    close = ((rows[:, None, :] - expected[None]).abs() <= TRAIN_TOL.atol + TRAIN_TOL.rtol * expected.abs()).all(-1)
    counts = torch.zeros(passes, expected.shape[0], dtype=torch.int64)
    return counts.index_add_(0, where[kept], close[kept].long()) > 0


_ROUNDING = 1e-5  # float32's rounding of a loss near convergence, relative to it


@blaming_loss_fn
def judge_decreases(case, obs):
    """The recorded losses start at $L(w_0, b_0)$ and go down, step after step; train back-propagated every step, and
    the losses are those of the w and b it returns (:func:`_losses_of_the_returned`)."""
    values, w, b = trained(case, obs)
    start = replay(case, steps=1)[0][0]
    if not bool(torch.isfinite(values).all()):
        hint = broken_loop(case, values)
        raise Fail(f"the losses reach {float(values[~torch.isfinite(values)][0])}: training diverged"
                   f"{' — ' + hint if hint else ''}", code=code_of(hint, "diverged"))
    _losses_close(case, values[:1], torch.tensor([start], dtype=torch.float64), "losses[0] (the loss at the start)",
                  TRAIN_TOL)
    slack = values[:-1] * _ROUNDING + 1e-7
    rises = torch.nonzero(values[1:] > values[:-1] + slack).flatten()
    if rises.numel() or not values[-1] < values[0]:
        step = int(rises[0]) + 1 if rises.numel() else len(values) - 1
        hint = broken_loop(case, values)
        raise Fail(f"the loss does not go down: losses[{step}] = {float(values[step]):.6g} after losses[{step - 1}] "
                   f"= {float(values[step - 1]):.6g}{' — ' + hint if hint else ''}",
                   code=code_of(hint, "loss-not-decreasing"))
    _back_propagated_every_step(case, obs)
    _reached_every_step(case, obs.get("gradients"))
    _losses_of_the_returned(case, values, w, b)


def _reached_every_step(case: dict, packed: Any) -> None:
    """As many backward passes as steps delivered a gradient, whatever its value, into a leaf shaped like w, and as many
    into one shaped like b (red team 232: a pass a step over a tensor of its own, beside a made-up history, passed)."""
    steps, passes = int(case["steps"]), _watched(case, packed)
    if passes is None:
        return  # (not such an observation: train_converges says so)
    for name in ("w", "b"):
        where = packed.get(f"{name}_pass")
        reached = int(torch.unique(where[(where >= 0) & (where < passes)]).numel()) \
            if isinstance(where, torch.Tensor) and where.dtype == torch.int64 and where.dim() == 1 else 0
        if reached < steps:
            raise Fail(f"{reached} of train's backward passes in {steps} step(s) reached {name}: {EACH_STEPS_L}",
                       code="train-without-autograd")


FELL_AT_LEAST = 1e-4  # of the first loss: what the recorded losses must fall by, for the returned w and b to show it


def _losses_of_the_returned(case: dict, values: torch.Tensor, w: dict, b: dict) -> None:
    r"""The recorded losses are those of the w and b train returns (red teams 231 and 232: a made-up history going down
    step after step, beside w and b returned as they came in): they fall by at least :data:`FELL_AT_LEAST` of the first
    (gradient descent here lowers it far more), and, each recorded before its step, the returned parameters' $L(w, b)$,
    in float64, is at most the last, within the float32 rounding the descent's own check allows. Any loop that trains
    what it returns passes; how close it comes to the reference loop is train_converges' matter."""
    first, last = float(values[0]), float(values[-1])
    if not first - last >= FELL_AT_LEAST * abs(first):
        raise Fail(f"the recorded losses fall only from {first:.6g} to {last:.6g} in {len(values)} steps: each step "
                   "must move w and b by -lr · gradient (sgd_step([w, b], lr) after L.backward())",
                   code="loss-not-decreasing")
    x, y = case["x"].to(torch.float64), case["y"].to(torch.float64)
    got = [_returned(case, desc, name) for name, desc in (("w", w), ("b", b))]
    reached = float(((x @ got[0] + got[1] - y) ** 2).mean())
    if not reached <= last + _ROUNDING * abs(last) + 1e-7:
        raise Fail(f"the returned w and b have a loss of {reached:.6g}, above the last recorded loss ({last:.6g}): the "
                   "recorded losses must be those of the w and b train updates and returns (record loss.item() of "
                   "each step's L = loss_fn(x, y, w, b), then update w and b in place)", code="losses-not-of-params")


@blaming_loss_fn
def judge_converges(case, obs):
    """After all steps, the losses and the trained w and b match the float64 replay of the loop, and each step
    back-propagated (:func:`_trained_with_autograd`)."""
    values, w, b = trained(case, obs)
    ref_losses, ref_w, ref_b, _ = replay(case)
    _params_close(case, w, b, ref_w, ref_b, values, TRAIN_TOL)
    _losses_close(case, values, torch.tensor(ref_losses, dtype=torch.float64), "the loss history", TRAIN_TOL)
    _trained_with_autograd(case, obs)


HIDDEN = HiddenCount(checks=3, points=3)

VISIBLE = Exercise(
    slug="exercise-6",
    module="exercise_6",
    title="Gradient descent with autograd",
    functions=("loss_fn", "sgd_step", "train"),
    checks=(
        Check("loss_fn", "loss_fn", 1, "loss_fn(x, y, w, b) is the mean of (xw + b - y)², tracked",
              loss_cases, probe_loss, judge_loss, TOL),
        Check("sgd_step_update", "sgd_step", 2, "sgd_step moves every p to p - lr · p.grad, in place",
              step_cases, probe_sgd_step, judge_sgd_update, TOL),
        Check("sgd_step_zero_grad", "sgd_step", 1, "sgd_step clears every p.grad",
              step_cases, probe_sgd_step, judge_sgd_zero, TOL),
        Check("train_one_step", "train", 2, "one step of train: the start loss, and w, b moved by -lr · gradient",
              one_step_cases, probe_train, judge_one_step, TOL),
        Check("train_loss_decreases", "train", 1, "the recorded losses go down step after step",
              decrease_cases, probe_train, judge_decreases, TRAIN_TOL),
        Check("train_converges", "train", 2, "after 150 steps, w, b and the losses match the reference loop",
              converge_cases, probe_train, judge_converges, TRAIN_TOL),
    ),
)
