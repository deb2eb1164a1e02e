"""Grader of exercise 4: the graph (``grad_fn``, leaves) and the ways to stop tracking it.

Network: ``z = x @ w + b``, ``loss = binary_cross_entropy_with_logits(z, y)`` (mean).
References are computed here, in float64, from the same inputs the student gets;
``grad_fn`` names come from building the same expressions with this process's torch.
"""

from __future__ import annotations


import torch
import torch.nn.functional as F

from autograd_exercises import inputs
from autograd_exercises.judge import backprop
from autograd_exercises.judge import (
    Fail, a_type, called, close, close_or_named, counted, grad_fn_name, parts, per_case, sequence, real_valued,
    tensor,
)
from autograd_exercises.probes.exercise_4 import (
    graph_tensors, probe_detached_copy, probe_freeze, probe_frozen_gradients, probe_network, probe_node_name,
    probe_predict, probe_receives_grad,
)
from autograd_exercises.spec import Check, Exercise, HiddenCount, Tolerance

TOL = Tolerance(rtol=1e-5, atol=1e-6)
# (shape of x, shape of w): one input as in the notebook, then batches.
NETWORK_SHAPES = (((5,), (5, 3)), ((4, 3), (3, 2)), ((2, 6), (6, 1)))
# (frozen, arriving frozen): which parameters to freeze, and which come in with requires_grad=False.
FREEZE_PLANS = ((["b"], []), (["w"], ["b"]), ([], ["w"]))
# The mistakes this exercise's checks name (codes given to Fail), besides the shared ones (autograd_exercises.mistakes).
MISTAKES = {
    "no-graph": "w.grad or b.grad set by hand, or filled by a backward pass of another graph than the loss's",
    "wrong-loss": "the loss is a known wrong formula: the sigmoid applied twice, or the arguments swapped",
    "grad-fn-unchecked": "t.grad_fn used without checking for None (leaves and untracked tensors have none)",
    "grad-fn-repr": "node_name returns the repr of the grad_fn object, not its class name",
    "nonetype-string": "node_name returns the string 'NoneType' instead of None",
    "grad-fn-object": "node_name returns the grad_fn object itself, not its class name",
    "named-untracked": "node_name names a node for a tensor that has no grad_fn",
    "leaf-gets-no-grad": "receives_grad is False for a leaf that requires grad",
    "non-leaf-gets-grad": "receives_grad is True for a tensor that is not a leaf (check t.is_leaf)",
    "untracked-gets-grad": "receives_grad is True for a leaf that does not require grad (check t.requires_grad)",
    "predict-tracked": "predict's result is tracked by autograd: not computed under torch.no_grad()",
    "not-detached": "detached_copy's result is still in the graph (no .detach())",
    "detached-in-place": "detached_copy detaches t itself (t.detach_(), t.requires_grad_(False))",
    "freeze-rebinds": "freeze puts new tensors in params instead of switching the flag on the caller's tensors",
    "freeze-only-off": "freeze only switches requires_grad off, never back on for the parameters not frozen",
    "freeze-wrong-param": "freeze switches off a parameter that is not in frozen",
    "freeze-not-applied": "a parameter in frozen still requires grad after freeze",
    "no-param-requires-grad": "the loss was built while no parameter required grad",
    "frozen-got-grad": "a frozen parameter received a gradient",
    "freeze-after-graph": "requires_grad switched on after the loss was built: the flag counts when the graph is built",
}


# -- inputs ----------------------------------------------------------------------------------------

def network_label(x: torch.Tensor, w: torch.Tensor, note: str = "") -> str:
    text = f"x of shape {tuple(x.shape)}, w of shape {tuple(w.shape)}, {inputs.dtype_name(x.dtype)}"
    return text + (f", {note}" if note else "")


def network_cases(gen: torch.Generator) -> list[dict]:
    """x, w, b and 0/1 targets y, for one input and for batches, in float32 and float64."""
    cases = []
    for x_shape, w_shape in NETWORK_SHAPES:
        for dtype in inputs.DTYPES:
            x = inputs.uniform(gen, x_shape, dtype)
            w = inputs.uniform(gen, w_shape, dtype, -1.0, 1.0)
            b = inputs.uniform(gen, w_shape[1:], dtype, -1.0, 1.0)
            y = (torch.rand(x_shape[:-1] + w_shape[1:], generator=gen, dtype=torch.float64) < 0.5).to(dtype)
            cases.append({"x": x, "w": w, "b": b, "y": y, "label": network_label(x, w)})
    return cases


def frozen_cases(gen: torch.Generator) -> list[dict]:
    """The network cases, each with a plan: which parameters to freeze and which arrive frozen."""
    cases = []
    for number, case in enumerate(network_cases(gen)):
        frozen, arriving = FREEZE_PLANS[number % len(FREEZE_PLANS)]
        note = f"frozen = {frozen}"
        if arriving:
            note += f", {' and '.join(arriving)} arriving with requires_grad=False"
        label = network_label(case["x"], case["w"], note)
        cases.append({**case, "frozen": frozen, "arriving": arriving, "label": label})
    return cases


def freeze_cases(gen: torch.Generator) -> list[dict]:
    """Dicts of four parameters with given starting flags, and the names to freeze."""
    names = ["w1", "b1", "w2", "b2"]
    plans = (  # (starting requires_grad per name, frozen)
        ([True, True, True, True], ["w1", "b1"]),
        ([False, True, True, False], ["w2"]),
        ([False, False, False, False], []),
        ([True, False, True, False], ["w1", "b1", "w2", "b2"]),
    )
    cases = []
    for start, frozen in plans:
        params = {name: inputs.uniform(gen, (3, 2) if name.startswith("w") else (2,)) for name in names}
        flags = ", ".join(f"{name}={flag}" for name, flag in zip(names, start))
        label = f"params with requires_grad {flags}; frozen = {frozen}"
        cases.append({"params": params, "start": start, "frozen": frozen, "label": label})
    return cases


def detach_cases(gen: torch.Generator) -> list[dict]:
    """Tensors to copy: leaves that require grad, and computed tensors ``t = 3 * x``."""
    cases = inputs.random_tensors(gen, "x")
    for number, case in enumerate(cases):
        case["computed"] = number % 2 == 1
        kind = "t = 3 * x, computed from a leaf x" if case["computed"] else "t = x, a leaf with requires_grad=True"
        case["label"] = f"{kind}; {case['label']}"
    return cases


# -- references ------------------------------------------------------------------------------------

@per_case
def reference(case: dict, frozen: list[str] = ()) -> dict[str, torch.Tensor | None]:
    """z, loss and the gradients of w and b (``None`` where frozen), in float64."""
    x, y = case["x"].to(torch.float64), case["y"].to(torch.float64)
    w = case["w"].to(torch.float64).clone().requires_grad_("w" not in frozen)  # clone: never touch the case
    b = case["b"].to(torch.float64).clone().requires_grad_("b" not in frozen)
    z = x @ w + b
    loss = F.binary_cross_entropy_with_logits(z, y)
    loss.backward()
    return {"z": z.detach(), "loss": loss.detach(), "w_grad": w.grad, "b_grad": b.grad}


# -- network ---------------------------------------------------------------------------------------

def _loss_hint(case: dict, got: torch.Tensor) -> str:
    """Name the mistake when the loss matches a known wrong formula."""
    x, y = case["x"].to(torch.float64), case["y"].to(torch.float64)
    z = x @ case["w"].to(torch.float64) + case["b"].to(torch.float64)
    wrong = {
        "the sigmoid was applied twice: binary_cross_entropy_with_logits takes the raw z (the logits)":
            F.binary_cross_entropy_with_logits(torch.sigmoid(z), y),
        "the arguments are swapped: it is binary_cross_entropy_with_logits(z, y), prediction first":
            F.binary_cross_entropy_with_logits(y, z),
    }
    for hint, value in wrong.items():
        if torch.allclose(got.reshape(()).to(torch.float64), value, rtol=1e-4, atol=1e-6):
            return hint
    return ""


def judge_network_values(case, obs):
    """z and loss match $xw + b$ and the mean BCE-with-logits, and both are tracked."""
    ref = reference(case)
    z, loss = parts(called(obs["network"], "network(x, w, b, y)"), 2, "network(x, w, b, y)", "(z, loss)")
    close(tensor(z, "z"), ref["z"], what="z", tol=TOL)
    loss_value = real_valued(tensor(loss, "loss"), "loss")
    if loss_value.numel() != 1:
        raise Fail(f"loss has shape {tuple(loss_value.shape)}: it must be one number, the mean over all elements of z",
                   code="not-reduced")
    def wrong_formula() -> Fail | None:  # (for some inputs a wrong formula gives the right loss too)
        hint = _loss_hint(case, loss_value)
        return Fail(f"loss is {float(loss_value):.6g}, expected {float(ref['loss']):.6g}: {hint}",
                    code="wrong-loss") if hint else None

    close_or_named(loss_value.reshape(()), ref["loss"], what="loss", tol=TOL, **counted(ref["z"]),
                   named=wrong_formula)
    for name, desc in (("z", z), ("loss", loss)):
        if grad_fn_name(desc) is None:
            raise Fail(f"{name} has no grad_fn: it was computed without tracking (under torch.no_grad() or from "
                       "detached w and b), so loss.backward() cannot reach the parameters", code="not-tracked")


# -- node_name and receives_grad -------------------------------------------------------------------

def _reference_tensors(case: dict) -> dict[str, torch.Tensor]:
    w, b = case["w"].clone().requires_grad_(), case["b"].clone().requires_grad_()
    return graph_tensors(case["x"], w, b, case["y"])


def _outcome(ran: dict, what: str, label: str) -> dict:
    exception = ran.get("exception")
    if exception and exception["type"] == "AttributeError" and "NoneType" in exception.get("message", ""):
        raise Fail(f"{what} raised AttributeError for t = {label}: {exception['message']} — t.grad_fn is None "
                   "for leaves and untracked tensors; check for None first", code="grad-fn-unchecked")
    return called(ran, what)


def judge_node_name(case, obs):
    """node_name(t) is the class name of t.grad_fn (a str), or None for leaves and untracked tensors."""
    for label, t in _reference_tensors(case).items():
        expected = None if t.grad_fn is None else type(t.grad_fn).__name__
        got = _outcome(obs["asked"][label], "node_name(t)", label)
        kind, value = got.get("type", ""), got.get("value")
        if (kind == "str" and value == expected) or (expected is None and kind == "NoneType"):
            continue
        prefix = f"node_name(t) for t = {label}"
        if kind == "str" and "object at 0x" in value:
            raise Fail(f"{prefix} returned {value!r}, the repr of the grad_fn object: return only its class name, "
                       f"type(t.grad_fn).__name__ (expected {expected!r})", code="grad-fn-repr")
        if kind == "str" and value == "NoneType" and expected is None:
            raise Fail(f"{prefix} returned the string 'NoneType': t has no grad_fn, return None itself",
                       code="nonetype-string")
        if kind.rsplit(".", 1)[-1] == expected:
            raise Fail(f"{prefix} returned the grad_fn object itself: return its class name as a str, "
                       f"type(t.grad_fn).__name__ (expected {expected!r})", code="grad-fn-object")
        if expected is None:
            raise Fail(f"{prefix} returned {got.get('value', got.get('repr'))!r}, expected None: "
                       "this tensor has no grad_fn (a leaf, or computed without tracking)", code="named-untracked")
        shown = repr(value) if kind == "str" else f"a {kind}"
        raise Fail(f"{prefix} returned {shown}, expected {expected!r} (the class name of t.grad_fn)")


def judge_receives_grad(case, obs):
    """receives_grad(t) is True exactly for leaves that require grad."""
    for label, t in _reference_tensors(case).items():
        expected = bool(t.is_leaf and t.requires_grad)
        got = called(obs["asked"][label], "receives_grad(t)")
        prefix = f"receives_grad(t) for t = {label}"
        if got.get("type") != "bool":
            raise Fail(f"{prefix} returned {a_type(got.get('type'))}, expected a Python bool ({expected})", code="wrong-type")
        if got["value"] == expected:
            continue
        if expected:
            raise Fail(f"{prefix} returned False, but this is a leaf that requires grad: backward() stores its "
                       "gradient", code="leaf-gets-no-grad")
        if t.requires_grad:
            raise Fail(f"{prefix} returned True, but this tensor is not a leaf (grad_fn {type(t.grad_fn).__name__}): "
                       "backward() passes through it without storing .grad; check t.is_leaf too",
                       code="non-leaf-gets-grad")
        raise Fail(f"{prefix} returned True, but this tensor does not require grad: backward() never reaches it, "
                   "even though it is a leaf; check t.requires_grad too", code="untracked-gets-grad")


# -- predict ---------------------------------------------------------------------------------------

def judge_predict_values(case, obs):
    """predict(x, w, b) equals $xw + b$ and carries no graph."""
    got = called(obs["predict"], "predict(x, w, b)")
    close(tensor(got, "predict(x, w, b)"), reference(case)["z"], what="predict(x, w, b)", tol=TOL)
    if got.get("grad_fn") is not None or got.get("requires_grad"):
        raise Fail(f"predict(x, w, b) is tracked by autograd (grad_fn {got.get('grad_fn')}, requires_grad="
                   f"{got.get('requires_grad')}): compute it inside `with torch.no_grad():` (detaching x does not "
                   "help: the graph comes from w and b)", code="predict-tracked")


# -- detached_copy ---------------------------------------------------------------------------------

def expected_copy(case: dict) -> torch.Tensor:
    x = case["x"].to(torch.float64)
    return 3 * x if case["computed"] else x


def judge_detached_untracked(case, obs):
    """detached_copy(t) has t's values, no grad_fn, requires_grad False, and t is left tracked."""
    got = called(obs["copy"], "detached_copy(t)")
    close(tensor(got, "detached_copy(t)"), expected_copy(case), what="detached_copy(t)", tol=TOL)
    if got.get("grad_fn") is not None:
        raise Fail(f"detached_copy(t) is still in the graph (grad_fn {got['grad_fn']}): a clone or arithmetic "
                   "result of t is tracked too; cut it with .detach()", code="not-detached")
    if got.get("requires_grad"):
        raise Fail("detached_copy(t) requires grad: it must be cut from the graph (.detach())", code="not-detached")
    after = obs["t_after"]
    if not after["requires_grad"] or (case["computed"] and after.get("grad_fn") is None):
        raise Fail("detached_copy changed t itself: t is no longer tracked (t.detach_() or t.requires_grad_(False)?); "
                   "leave t alone and return a new tensor", code="detached-in-place")


# -- freeze ----------------------------------------------------------------------------------------

def judge_freeze(case, obs):
    """After freeze, exactly the named parameters have requires_grad False, switched on the tensors themselves."""
    called(obs["freeze"], "freeze(params, frozen)")
    for (name, state), start in zip(obs["state"].items(), case["start"]):
        expected = name not in case["frozen"]
        if state["requires_grad"] == expected:
            continue
        if state["replaced"]:
            raise Fail(f"freeze put a new tensor in params[{name!r}] and left the caller's {name} unchanged: "
                       f"switch the flag on the tensor itself, params[{name!r}].requires_grad_({expected})",
                       code="freeze-rebinds")
        if expected and not start:
            raise Fail(f"{name} arrived frozen (requires_grad=False) and is not in frozen, but is still frozen: "
                       f"freeze must switch the others back on, {name}.requires_grad_(True)", code="freeze-only-off")
        if expected:
            raise Fail(f"{name} is not in frozen, but freeze switched its requires_grad off", code="freeze-wrong-param")
        raise Fail(f"{name} is in frozen, but still requires grad after freeze: call {name}.requires_grad_(False)",
                   code="freeze-not-applied")


# -- frozen_gradients ------------------------------------------------------------------------------

FROZEN_CALL = "frozen_gradients(x, w, b, y, frozen)"


def _frozen_outcome(case, obs) -> dict:
    """What frozen_gradients returned; :class:`Fail` naming the cause when no parameter required grad."""
    exception = obs["frozen_gradients"].get("exception") or {}
    trainable = [name for name in ("w", "b") if name not in case["frozen"]]
    if "does not require grad" in exception.get("message", "") and trainable:
        raise Fail(f"{FROZEN_CALL} raised RuntimeError: {exception['message']} — when the loss was built, no "
                   f"parameter required grad, yet {' and '.join(trainable)} must be trained: freeze must switch the "
                   "parameters not in frozen on (requires_grad_(True)), before network builds the loss",
                   code="no-param-requires-grad")
    return called(obs["frozen_gradients"], FROZEN_CALL)


def judge_frozen_gradients(case, obs):
    r"""The returned gradients: None for frozen parameters, $\partial loss/\partial w$ and $\partial loss/\partial b$
    for the others."""
    returned = parts(_frozen_outcome(case, obs), 2, FROZEN_CALL, "(w.grad, b.grad)")
    ref = reference(case, case["frozen"])
    for name, got in zip(("w", "b"), returned):
        if name in case["frozen"]:
            if got.get("type") != "NoneType":
                raise Fail(f"{name} is frozen but received a gradient: switch its requires_grad off before building "
                           f"the loss (if you call freeze for that, it must switch the flag on the {name} passed in, not "
                           "put a new tensor in the dict: the freeze check says whether it does)", code="frozen-got-grad")
            continue
        if got.get("type") == "NoneType":
            if name in case["arriving"]:
                raise Fail(f"{name} is not frozen but its gradient is None: it arrived with requires_grad=False, "
                           "and the loss was built before it was switched on (or it never was); the flag counts when "
                           "the graph is built, so freeze must switch it on (requires_grad_(True)), before network",
                           code="freeze-after-graph")
            raise Fail(f"{name} is not frozen but its gradient is None: call loss.backward() on a loss built from "
                       f"this {name}", code="none-grad")
        close(tensor(got, f"{name}.grad"), ref[f"{name}_grad"], what=f"{name}.grad", tol=TOL, **counted(ref["z"]))


def _returned_tensors(outcome: dict) -> list[torch.Tensor | None]:
    """The two values frozen_gradients returned, each when it is a tensor; else None."""
    desc = outcome.get("returned") or {}
    items = sequence(desc) or []
    values = [item.get("value") if item.get("type") == "tensor" else None for item in items[:2]]
    return values + [None] * (2 - len(values))


def judge_frozen_fills_grad(case, obs):
    """Afterwards ``w.grad`` and ``b.grad`` of the tensors passed in: None when frozen, the gradient otherwise, as
    backward passes from the loss put it there (:func:`backprop.delivered_by_backward`: red team 125 set them by hand
    under ``no_grad``).

    The side effect alone: a frozen parameter's must be None, whatever the call returned (red team 234: one that never
    froze passed here); another's that holds what the call returned passes, right or wrong (the values are
    ``frozen_gradients``'s to judge), and otherwise must be the gradient.
    """
    _frozen_outcome(case, obs)
    ref = reference(case, case["frozen"])
    losses = (float(ref["loss"]),)  # (red team 134: never the student's own network's, which a second call could forge)
    for name, back in zip(("w", "b"), _returned_tensors(obs["frozen_gradients"])):
        desc = obs["grads"][name]
        frozen = name in case["frozen"]
        if desc is None:
            if frozen:
                continue
            if name in case["arriving"]:
                raise Fail(f"{name}.grad of the {name} passed in is still None after {FROZEN_CALL}, and {name} is not "
                           f"frozen: it arrived with requires_grad=False and did not require grad yet when the loss "
                           f"was built; freeze must switch it on, on the tensor itself, before network builds the loss",
                           code="freeze-after-graph")
            raise Fail(f"{name}.grad of the {name} passed in is still None after {FROZEN_CALL}, and {name} is not "
                       f"frozen: back-propagate a loss built from that {name} (not from a copy or {name}.detach()), so "
                       f"that the caller's {name}.grad holds the gradient", code="none-grad")
        got = tensor(desc, f"{name}.grad")
        if not frozen:
            backprop.delivered_by_backward(obs.get("deliveries"), got, backprop.when_right(
                got, ref[f"{name}_grad"], losses, TOL), name=name, subject=f"{name}.grad after {FROZEN_CALL}",
                root="the loss", code="no-graph", how="build the loss with network and call loss.backward(), not "
                                                     "set the gradients by hand", tol=TOL)
        if frozen:  # (red team 234: before the shortcut below, which let a frozen_gradients that never froze pass)
            raise Fail(f"{name} is frozen, but {name}.grad of the {name} passed in holds a gradient after "
                       f"{FROZEN_CALL}: switch its requires_grad off before building the loss", code="frozen-got-grad")
        if back is not None and back.shape == got.shape and torch.equal(back, got):
            continue
        close(got, ref[f"{name}_grad"], what=f"{name}.grad after {FROZEN_CALL}", tol=TOL, **counted(ref["z"]))


HIDDEN = HiddenCount(checks=5, points=5)

VISIBLE = Exercise(
    slug="exercise-4",
    module="exercise_4",
    title="The graph, and how to stop tracking it",
    functions=("network", "node_name", "receives_grad", "predict", "detached_copy", "freeze", "frozen_gradients"),
    checks=(
        Check("network_values", "network", 2,
              "network(x, w, b, y) returns z = xw + b and the BCE-with-logits loss, tracked",
              network_cases, probe_network, judge_network_values, TOL),
        Check("node_name", "node_name", 2, "node_name(t) is the class name of t.grad_fn, or None",
              network_cases, probe_node_name, judge_node_name, TOL),
        Check("receives_grad", "receives_grad", 2, "receives_grad(t) is True exactly for leaves that require grad",
              network_cases, probe_receives_grad, judge_receives_grad, TOL),
        Check("predict_values", "predict", 1, "predict(x, w, b) = xw + b, with no grad_fn",
              network_cases, probe_predict, judge_predict_values, TOL),
        Check("detached_copy_untracked", "detached_copy", 1,
              "detached_copy(t) has t's values and is cut from the graph",
              detach_cases, probe_detached_copy, judge_detached_untracked, TOL),
        Check("freeze", "freeze", 1,
              "freeze(params, frozen) switches requires_grad in place, off for frozen, on for others",
              freeze_cases, probe_freeze, judge_freeze, TOL),
        Check("frozen_gradients", "frozen_gradients", 1,
              "returns None for the frozen parameters and the gradients of the others",
              frozen_cases, probe_frozen_gradients, judge_frozen_gradients, TOL),
        Check("frozen_gradients_fills_grad", "frozen_gradients", 1,
              "afterwards only the w and b passed in that are not frozen hold a .grad, the gradient",
              frozen_cases, probe_frozen_gradients, judge_frozen_fills_grad, TOL),
    ),
)
