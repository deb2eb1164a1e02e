"""Grader of exercise 3: a one-layer network ``z = x @ w + b`` with binary cross-entropy on the logits.

Reference, in float64 from the same inputs the student gets: ``L = mean BCE(σ(z), y)``
(``binary_cross_entropy_with_logits``) and the gradients ``dL/dz``, ``dL/dw``, ``dL/db`` by
``torch.autograd.grad`` (no formula here: students derive them by hand), for a single input and
for a batch. The handout's
example (``x = torch.ones(5)``, ``y = torch.zeros(3)``, ``w, b`` from ``torch.manual_seed(0)``)
is one case among seeded random ones. Known wrong losses (BCE on raw logits, the sigmoid applied
twice, ``reduction='sum'``, ...) are computed too, so that feedback can name the mistake.
"""

from __future__ import annotations

from functools import partial

import torch
import torch.nn.functional as F

from autograd_exercises import inputs
from autograd_exercises.judge import backprop
from autograd_exercises.judge import (
    Fail, Mistake, called, close, close_or_mistake, code_of, counted, derivatives, grad_fn_name, parts, per_case, sequence,
    real_valued, tensor,
)
from autograd_exercises.judge.diagnose import matching_mistake
from autograd_exercises.probes.exercise_3 import probe_gradients, probe_layer, probe_loss, probe_manual
from autograd_exercises.spec import Check, Exercise, HiddenCount, Tolerance

TOL = Tolerance(rtol=1e-5, atol=1e-6)
# (batch or None, n_in, n_out): a single input and two batches; n_in != n_out, so a transposed w_grad shows in its shape
LAYOUTS = ((None, 4, 3), (2, 5, 3), (6, 3, 4))

CALL = "parameter_gradients(x, y, w, b)"
MANUAL = "parameter_gradients_manual(x, y, w, b)"
RAW_LOGITS = Mistake("bce-on-logits", "binary_cross_entropy expects probabilities in [0, 1] but was given the raw "
                     "logits z: use binary_cross_entropy_with_logits(z, y), which applies the sigmoid itself")
SIGMOID_TWICE = Mistake("sigmoid-twice", "the sigmoid is applied twice: binary_cross_entropy_with_logits applies it "
                        "itself, so pass it the raw logits z, not torch.sigmoid(z)")
SUMMED = Mistake("sum-not-mean", "it is the sum over the N = {n} elements, not the mean: use reduction='mean' "
                 "(the default)")
SUMMED_GRAD = Mistake("sum-not-mean", "it is the gradient of the summed loss, N = {n} times too large: the loss is "
                      "the mean (reduction='mean'; by hand, divide δ by N = {n})")  # (walkthrough 68: by hand too)
SWAPPED = Mistake("arguments-swapped", "the arguments are swapped: the logits z come first, the targets y second")
CLAMPED = Mistake("unstable-bce", "it equals binary_cross_entropy(sigmoid(z), y): for large |z| the sigmoid rounds to "
                  "exactly 0 or 1 and torch clamps the log at -100; binary_cross_entropy_with_logits works from the "
                  "logits and stays exact")
PER_OUTPUT = Mistake("mean-per-output", "δ was divided by the number of outputs z.shape[-1] = {k} instead of "
                     "N = z.numel() = {n}: the mean runs over the batch too")
MEAN_OVER_BATCH = Mistake("mean-over-batch", "it is 1/{b} of the gradient: the batch's {b} rows were averaged (a "
                          "mean over dim 0) where their sum belongs; δ = dL/dz already holds the loss's 1/N")
RAW_Z = Mistake("delta-from-logits", "δ uses the raw logits z instead of σ(z)")
NO_BIAS = Mistake("missing-bias", "the bias b is missing: it equals x @ w")
HINTS = {
    "all elements of input should be between 0 and 1": RAW_LOGITS,
    "Expected 1-D argument": Mistake("batch-not-handled", "a batch x has 2 dimensions: use a matrix product, which "
                                     "sums over the batch"),
    "shapes cannot be multiplied": Mistake("matmul-shapes", "z = x @ w: x has shape (n_in,) or (batch, n_in) and w "
                                           "(n_in, n_out)"),
    "inconsistent tensor size": Mistake("single-input-dot", "a single input x has shape (n_in,): x.T is x itself, so "
                                        "x.T @ δ is a dot product; take torch.outer(x, δ), or reshape x to (1, n_in) "
                                        "and δ to (1, n_out) first"),  # (walkthrough 68: torch's words alone)
    "Can't call numpy() on Tensor that requires grad":
        Mistake("numpy-breaks-graph", "numpy cannot follow autograd's graph: stay in torch"),
    "implicitly created only for scalar outputs":
        Mistake("non-scalar-backward", "backward() starts from one number: the loss must be the mean over all "
                "elements, a 0-d tensor"),
}

# The mistakes this exercise's checks name (codes given to Fail), besides the shared ones (autograd_exercises.mistakes).
MISTAKES = {"no-graph": "w.grad or b.grad set by hand, or filled by a backward pass of another graph than L's"}

def ran(outcome, what: str) -> dict:
    """:func:`called`, naming the likely mistake behind the errors this exercise provokes."""
    return called(outcome, what, HINTS)


# -- references ------------------------------------------------------------------------------------

def _f64(case: dict, *names: str) -> list[torch.Tensor]:
    return [case[name].to(torch.float64) for name in names]


def bce_with_logits(z: torch.Tensor, y: torch.Tensor, reduction: str = "mean") -> torch.Tensor:
    r"""Binary cross-entropy of logits, in the stable form $\max(z, 0) - z y + \log(1 + e^{-|z|})$.

    The same as ``F.binary_cross_entropy_with_logits`` (the tests check it, values and gradients), which is
    surprisingly slow on tiny tensors and is called many times per grading. ``torch.maximum`` splits its gradient
    at a tie, so at $z = 0$ autograd gives $\sigma(0) - y$; ``clamp(min=0)`` gave $1 - y$ there (fairness 64: a logit
    of exactly 0 would have failed the right answer).
    """
    each = torch.maximum(z, torch.zeros_like(z)) - z * y + torch.log1p(torch.exp(-z.abs()))
    return each.sum() if reduction == "sum" else each.mean()


@per_case
def reference(case: dict) -> dict[str, torch.Tensor]:
    """z, L, and the gradients δ = dL/dz, dL/dw and dL/db by :func:`torch.autograd.grad`, in float64."""
    x, y, w, b = _f64(case, "x", "y", "w", "b")
    w, b = w.detach().requires_grad_(), b.detach().requires_grad_()
    with torch.enable_grad():
        z = x @ w + b
        loss = bce_with_logits(z, y)
        delta, w_grad, b_grad = torch.autograd.grad(loss, (z, w, b))
    return {"z": z.detach(), "loss": loss.detach(), "delta": delta, "w_grad": w_grad, "b_grad": b_grad}


def loss_mistakes(z: torch.Tensor, y: torch.Tensor) -> dict[str, torch.Tensor]:
    """What the common wrong losses give for these logits, keyed by the explanation of each."""
    z64, y64 = z.to(torch.float64), y.to(torch.float64)
    found = {
        SIGMOID_TWICE: bce_with_logits(torch.sigmoid(z64), y64),
        SUMMED.format(n=z.numel()): bce_with_logits(z64, y64, reduction="sum"),
        SWAPPED: bce_with_logits(y64, z64),
        # in the student's own dtype: where sigmoid saturates and the clamp bites depends on it
        CLAMPED: F.binary_cross_entropy(torch.sigmoid(z), y).to(torch.float64),
    }
    if bool(((z64 >= 0) & (z64 <= 1)).all()):  # outside [0, 1] torch raises instead (see HINTS)
        found[RAW_LOGITS] = F.binary_cross_entropy(z64, y64)
    return found


def gradient_mistakes(case: dict, index: int) -> dict[str, torch.Tensor]:
    """dL/dw (``index`` 0) or dL/db (1) that the common wrong losses give, keyed by explanation.

    Each is autograd's gradient of the wrong loss as a function of the logits z: the sigmoid
    applied twice, the arguments swapped, a sum for the mean, the mean taken per output only,
    and a δ from the raw logits (the gradient of a squared error in z); and for a batch, the right gradient
    averaged over the batch's rows instead of summed.
    """
    x, y, w, b = _f64(case, "x", "y", "w", "b")
    n, k = y.numel(), y.shape[-1]
    losses = {
        SIGMOID_TWICE: lambda z: bce_with_logits(torch.sigmoid(z), y),
        SWAPPED: lambda z: bce_with_logits(y, z),
        SUMMED_GRAD.format(n=n): lambda z: bce_with_logits(z, y, reduction="sum"),
        RAW_Z: lambda z: ((z - y) ** 2).sum() / (2 * n),
    }
    if k != n:
        losses[PER_OUTPUT.format(k=k, n=n)] = lambda z: bce_with_logits(z, y, reduction="sum") / k
    if y.dim() == 2 and y.shape[0] > 1:
        losses[MEAN_OVER_BATCH.format(b=y.shape[0])] = lambda z: bce_with_logits(z, y) / y.shape[0]
    return {text: derivatives(lambda w, b: loss(x @ w + b), w, b)[1][index] for text, loss in losses.items()}


# -- inputs ----------------------------------------------------------------------------------------

def handout_case() -> dict:
    """The handout's example: x = ones(5), y = zeros(3), w and b drawn after torch.manual_seed(0)."""
    gen = torch.Generator().manual_seed(0)
    w, b = torch.randn(5, 3, generator=gen), torch.randn(3, generator=gen)
    return {"x": torch.ones(5), "y": torch.zeros(3), "w": w, "b": b,
            "label": "the handout's example: x = torch.ones(5), y = torch.zeros(3), w and b from torch.manual_seed(0)"}


def targets(gen: torch.Generator, shape, dtype: torch.dtype) -> torch.Tensor:
    """Binary targets, 0 or 1."""
    return (torch.rand(tuple(shape), generator=gen, dtype=torch.float64) < 0.5).to(dtype)


def network_cases(gen: torch.Generator) -> list[dict]:
    """A single input and batches, float32 and float64, then the handout's example."""
    cases = []
    for batch, n_in, n_out in LAYOUTS:
        lead = () if batch is None else (batch,)
        for dtype in inputs.DTYPES:
            x = inputs.uniform(gen, lead + (n_in,), dtype)
            w = inputs.uniform(gen, (n_in, n_out), dtype, -1.0, 1.0)
            b = inputs.uniform(gen, (n_out,), dtype, -1.0, 1.0)
            y = targets(gen, lead + (n_out,), dtype)
            cases.append({"x": x, "y": y, "w": w, "b": b,
                          "label": f"{inputs.label('x', x)}, w {tuple(w.shape)}, b {tuple(b.shape)}, y {tuple(y.shape)}"})
    return cases + [handout_case()]


def logit_cases(gen: torch.Generator) -> list[dict]:
    """Logits z in [-3, 3] with binary targets, then the handout's logits."""
    cases = []
    for case in inputs.random_tensors(gen, "z", shapes=((3,), (4, 3), (2, 5)), low=-3.0, high=3.0):
        case["y"] = targets(gen, case["z"].shape, case["z"].dtype)
        cases.append(case)
    handout = handout_case()
    z = handout["x"] @ handout["w"] + handout["b"]
    return cases + [{"z": z, "y": handout["y"], "label": "the handout's logits z = x @ w + b, y = torch.zeros(3)"}]


manual_cases = inputs.own_stream(network_cases, "manual_cases")  # parameter_gradients_manual's


# -- layer -----------------------------------------------------------------------------------------

def judge_layer(case, obs):
    """layer(x, w, b) equals $x w + b$ and is tracked by autograd."""
    x, w, _ = _f64(case, "x", "w", "b")
    desc = ran(obs["layer"], "layer(x, w, b)")
    z = tensor(desc, "layer(x, w, b)")
    close_or_mistake(z, reference(case)["z"], what="layer(x, w, b)", tol=TOL, mistakes={NO_BIAS: x @ w})
    if grad_fn_name(desc) is None:
        raise Fail("layer(x, w, b) has no grad_fn although w and b require grad: z was computed without autograd "
                   "tracking (under torch.no_grad(), through .detach(), or from copies of w and b)", code="not-tracked")


# -- loss ------------------------------------------------------------------------------------------

def judge_loss(case, obs):
    """loss(z, y) is the mean binary cross-entropy of the logits z, a tracked 0-d tensor."""
    z, y = case["z"], case["y"]
    desc = ran(obs["loss"], "loss(z, y)")
    got = real_valued(tensor(desc, "loss(z, y)"), "loss(z, y)")
    if got.numel() != 1:
        extra = (": one value per element, so the mean is missing (reduction='mean', the default)"
                 if tuple(got.shape) == tuple(z.shape) else "")
        raise Fail(f"loss(z, y) has shape {tuple(got.shape)}, expected a single number{extra}", code="not-reduced")
    got = got.reshape(())
    expected = bce_with_logits(z.to(torch.float64), y.to(torch.float64))
    if not bool(torch.isfinite(got)):
        raise Fail(f"loss(z, y) is {float(got)} (expected {float(expected):.6g}): log(sigmoid(z)) or "
                   f"log(1 - sigmoid(z)) overflows when |z| is large; binary_cross_entropy_with_logits "
                   f"computes the same loss stably for any z", code="unstable-bce")
    try:
        close(got, expected, what="loss(z, y)", tol=TOL)
    except Fail:  # one number: a "constant factor" hint would always fire, so name a mistake or give the numbers
        explanation = matching_mistake(got, loss_mistakes(z, y), TOL)
        hint = f" — {explanation}" if explanation else ""
        raise Fail(f"loss(z, y) is wrong{hint}. Got {float(got):.6g}, expected {float(expected):.6g} "
                   f"(difference {abs(float(got) - float(expected)):.3g})", code=code_of(explanation)) from None
    if grad_fn_name(desc) is None:
        raise Fail("loss(z, y) has no grad_fn although z requires grad: it was computed without autograd "
                   "tracking (.item(), float(), numpy, or torch.tensor(...) of a number)", code="not-tracked")


# -- parameter_gradients ---------------------------------------------------------------------------

def _judge_one_gradient(case, obs, index: int, name: str) -> None:
    ref = reference(case)
    item = parts(ran(obs["grads"], CALL), 2, CALL, "(w_grad, b_grad)")[index]
    param = name[0]
    if item.get("type") == "NoneType":
        raise Fail(f"{name}, the {('first', 'second')[index]} value returned, is None: {param}.grad is filled only "
                   f"by backward() on a loss computed from that {param} (read it after backward(), from the {param} "
                   f"passed in)", code="none-grad")
    options = partial(gradient_mistakes, case, index)  # made only when the value is wrong
    close_or_mistake(tensor(item, name), ref[name], what=name, tol=TOL, **counted(ref["delta"]), mistakes=options)


def judge_gradients_w(case, obs):
    r"""The returned w_grad equals $\partial L/\partial w$."""
    _judge_one_gradient(case, obs, 0, "w_grad")


def judge_gradients_b(case, obs):
    r"""The returned b_grad equals $\partial L/\partial b$."""
    _judge_one_gradient(case, obs, 1, "b_grad")


def _returned_tensor(outcome: dict, index: int) -> torch.Tensor | None:
    """The ``index``-th value ``parameter_gradients`` returned, when it is a tensor; else None."""
    desc = outcome.get("returned") or {}
    items = sequence(desc)
    if not items or len(items) <= index or items[index].get("type") != "tensor" or "value" not in items[index]:
        return None
    return items[index]["value"]


def judge_fills_grad(case, obs):
    r"""Afterwards ``w.grad`` and ``b.grad`` of the tensors passed in hold the gradients, as backward passes from
    $L$ put them there (:func:`backprop.delivered_by_backward`: red team 125 set them by hand under ``no_grad``).

    The side effect alone: a ``.grad`` that holds what the call returned passes, right or wrong (the values
    are ``parameter_gradients_w``/``_b``'s to judge); otherwise it must equal $\partial L/\partial w$,
    $\partial L/\partial b$.
    """
    outcome = obs["grads"]
    ran(outcome, CALL)
    ref = reference(case)
    losses = (float(ref["loss"]),)  # (red team 134: never the student's own loss, which a second call could forge)
    for index, name in enumerate(("w_grad", "b_grad")):
        param = name[0]
        if obs[name] is None:
            raise Fail(f"{param}.grad of the {param} passed in is still None after {CALL}: back-propagate a loss "
                       f"built from that {param} (not from a copy or {param}.detach()), so that the caller's "
                       f"{param}.grad holds the gradient", code="detached-input")
        got = tensor(obs[name], f"{param}.grad")
        backprop.delivered_by_backward(obs.get("deliveries"), got, backprop.when_right(got, ref[name], losses, TOL),
                                       name=param, subject=f"{param}.grad after {CALL}", root="L", code="no-graph",
                                       how="call L.backward() on L = loss(layer(x, w, b), y), not set the gradients "
                                           "by hand", tol=TOL)
        returned = _returned_tensor(outcome, index)
        if returned is not None and returned.shape == got.shape and torch.equal(returned, got):
            continue
        close_or_mistake(got, ref[name], what=f"{param}.grad after {CALL}", tol=TOL, **counted(ref["delta"]),
                         mistakes=partial(gradient_mistakes, case, index))


# -- parameter_gradients_manual --------------------------------------------------------------------

def judge_manual_values(case, obs):
    """Both returned gradients equal the reference, for a single input and for a batch."""
    ref = reference(case)
    items = parts(ran(obs["manual"], MANUAL), 2, MANUAL, "(w_grad, b_grad)")
    for index, name in enumerate(("w_grad", "b_grad")):
        close_or_mistake(tensor(items[index], f"{name} of {MANUAL}"), ref[name], what=f"{name} of {MANUAL}",
                         tol=TOL, **counted(ref["delta"]), mistakes=partial(gradient_mistakes, case, index))


HIDDEN = HiddenCount(checks=2, points=2)

VISIBLE = Exercise(
    slug="exercise-3",
    module="exercise_3",
    title="A one-layer network with binary cross-entropy",
    functions=("layer", "loss", "parameter_gradients", "parameter_gradients_manual"),
    checks=(
        Check("layer_values", "layer", 1, "layer(x, w, b) = x @ w + b, tracked, for one input and a batch",
              network_cases, probe_layer, judge_layer, TOL),
        Check("loss_values", "loss", 2, "loss(z, y) = mean binary cross-entropy of the logits z, tracked",
              logit_cases, probe_loss, judge_loss, TOL),
        Check("parameter_gradients_w", "parameter_gradients", 1, "parameter_gradients returns w_grad = dL/dw",
              network_cases, probe_gradients, judge_gradients_w, TOL),
        Check("parameter_gradients_b", "parameter_gradients", 1, "parameter_gradients returns b_grad = dL/db",
              network_cases, probe_gradients, judge_gradients_b, TOL),
        Check("parameter_gradients_fills_grad", "parameter_gradients", 1,
              "afterwards w.grad and b.grad of the w and b passed in hold the gradients",
              network_cases, probe_gradients, judge_fills_grad, TOL),
        Check("parameter_gradients_manual_values", "parameter_gradients_manual", 2,
              "the gradients by hand match, for one input and for a batch",
              manual_cases, probe_manual, judge_manual_values, TOL),
    ),
)
