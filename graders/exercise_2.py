"""Grader of exercise 2: back-propagation through ``y = 3x + 2``, ``z = 2y²``, ``out = mean(z)``.

Reference: the forward values and the gradients ``d out/dx`` and ``d out/dy``, in float64 from the
same inputs the student gets; the gradients come from ``torch.autograd.grad`` (no formula here:
students derive ``d out/dx`` by hand).
"""

from __future__ import annotations


import torch

from autograd_exercises import inputs
from autograd_exercises.judge import backprop
from autograd_exercises.judge import Fail, called, close, counted, grad_fn_name, parts, per_case, reframed, sequence, tensor
from autograd_exercises.probes.exercise_2 import probe_forward, probe_gradients, probe_manual
from autograd_exercises.spec import Check, Exercise, HiddenCount, Tolerance

TOL = Tolerance(rtol=1e-5, atol=1e-6)
DETACHED = ("out does not reach the x passed in: after out.backward(), x.grad is still None. forward built the graph "
            "from a detached copy of x (x.detach(), x.data, torch.tensor(x), x.detach().clone().requires_grad_()): "
            "compute y from x itself")
BLAME_FORWARD = ("forward(x) does not connect out to the x passed in (out.backward() never reaches x; forward_values "
                 "says why), so gradients(x) cannot get x.grad through it: fix forward, gradients is not the cause")
FORWARD_WRONG = "forward(x)'s out is wrong (forward_values says how), and {what} comes from it: fix forward first"
MISTAKES = {"missing-retain-grad": "y is not a leaf: without y.retain_grad() in forward, y.grad stays None",
            "swapped-returns": "gradients returned (y.grad, x.grad), the two in the other order",
            "stale-y": "y.grad read from another y than the one back-propagated (forward called again)",
            "no-graph": "x.grad set by hand, or filled by a backward pass of another graph than forward's out"}


def forward(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The handout's two layers: $y = 3x + 2$, $z = 2y^2$, $out = mean(z)$."""
    y = 3 * x + 2
    z = 2 * y**2
    return y, z, z.mean()


@per_case
def reference(x: torch.Tensor) -> dict[str, torch.Tensor]:
    r"""$y$, $z$, $out$ and both gradients $\partial out/\partial x$, $\partial out/\partial y$ (by
    :func:`torch.autograd.grad`), in float64."""
    leaf = x.detach().to(torch.float64).requires_grad_()
    with torch.enable_grad():
        y, z, out = forward(leaf)
        x_grad, y_grad = torch.autograd.grad(out, (leaf, y))
    return {"y": y.detach(), "z": z.detach(), "out": out.detach(), "x_grad": x_grad, "y_grad": y_grad}


def random_x(gen: torch.Generator) -> list[dict]:
    return inputs.random_tensors(gen, "x", shapes=((2, 3), (4,), (3, 5), (2, 2, 3)))


manual_x = inputs.own_stream(random_x, "manual_x")  # gradient_manual's


# -- forward ---------------------------------------------------------------------------------------

def judge_forward_values(case, obs):
    """y, z and out match $3x + 2$, $2y^2$ and $mean(z)$, and out is tracked by autograd."""
    ref = reference(case["x"])
    y, z, out = parts(called(obs["forward"], "forward(x)"), 3, "forward(x)", "(y, z, out)")
    close(tensor(y, "y"), ref["y"], what="y", tol=TOL)
    close(tensor(z, "z"), ref["z"], what="z", tol=TOL)
    out_value = tensor(out, "out")
    if out_value.numel() != 1:
        raise Fail(f"out has shape {tuple(out_value.shape)}: it must be a single number, the mean of z",
                   code="not-reduced")
    close(out_value.reshape(()), ref["out"], what="out", tol=TOL, **counted(case["x"]))
    if grad_fn_name(out) is None:
        raise Fail("out has no grad_fn: it was computed without autograd tracking "
                   "(under torch.no_grad(), through .detach(), or from a copy of x)", code="not-tracked")
    after = obs["after_backward"]
    if not after["error"] and after.get("x_grad") is None:
        raise Fail(DETACHED, code="detached-input")


def _wrong_out(case, out) -> bool:
    """Whether ``out``, forward's out as a number (None: not one), is not $mean(z)$ within :data:`TOL`."""
    if not isinstance(out, float):
        return False
    expected = float(reference(case["x"])["out"])
    return not abs(out - expected) <= TOL.atol + TOL.rtol * abs(expected)  # (a NaN is wrong)


def _blamed_on_forward(failure: Fail, case, out, what: str) -> Fail:
    """``failure``, with the note that forward's out is wrong when it is (the value comes from it)."""
    if not _wrong_out(case, out):
        return failure
    return Fail(f"{FORWARD_WRONG.format(what=what)}; {failure}", about_input=failure.about_input, code=failure.code)


def judge_forward_retains(case, obs):
    """After ``out.backward()``, ``y.grad`` is filled because forward called ``y.retain_grad()``."""
    y, _, out = parts(called(obs["forward"], "forward(x)"), 3, "forward(x)", "(y, z, out)")
    if obs["after_backward"]["error"]:
        raise Fail(f"out.backward() failed on your graph: {obs['after_backward']['error']}", code="backward-failed")
    if obs["after_backward"]["y_grad"] is None:
        raise Fail("y.grad is None after out.backward(): call y.retain_grad() in forward, before returning y",
                   code="missing-retain-grad")
    try:
        close(tensor(obs["after_backward"]["y_grad"], "y.grad"), reference(case["x"])["y_grad"], what="y.grad", tol=TOL,
              **counted(case["x"]))  # (out a sum: y.grad numel times the mean's, sum-not-mean; walkthrough 61)
    except Fail as failure:
        raise _blamed_on_forward(failure, case, _number(out), "y.grad") from None


def _number(desc) -> float | None:
    """A described tensor of one real number, as a float; None otherwise."""
    value = desc.get("value") if isinstance(desc, dict) and desc.get("type") == "tensor" else None
    if not isinstance(value, torch.Tensor) or value.numel() != 1 or value.is_complex():
        return None
    return float(value.reshape(()).double())


# -- gradients -------------------------------------------------------------------------------------

def _forward_to_blame(failure: Fail, case, obs) -> Fail:
    """A gradients check's failure, put on ``forward`` when gradients did back-propagate but forward's out does not
    reach x (the probe says so): then the student's own backward() could not fill x.grad. When forward's out is
    only wrong, the failure stays and says so."""
    if obs.get("forward_reaches_x") is False and int(obs["gradients"].get("autograd_calls", 0)) > 0:
        return Fail(BLAME_FORWARD, about_input=False, code="detached-input")
    return _blamed_on_forward(failure, case, obs.get("forward_out"), "the gradient (when gradients calls forward)")


_blaming_forward = reframed(_forward_to_blame)


def _swapped(case, pair: list[dict]) -> None:
    r"""A :class:`Fail` where gradients returned $\partial out/\partial y$ first and $\partial out/\partial x$ second
    (walkthrough 68: x.grad, 3 times y.grad here, read as "0.3333 times the expected value", and y.grad as divided by
    ``len()``); nothing otherwise."""
    if any(item.get("type") != "tensor" or "value" not in item or item["value"].is_complex() for item in pair):
        return
    ref, (first, second) = reference(case["x"]), (item["value"] for item in pair)
    if all(got.shape == want.shape and bool(torch.allclose(got.detach().double(), want, rtol=TOL.rtol, atol=TOL.atol))
           for got, want in ((first, ref["y_grad"]), (second, ref["x_grad"]))):
        raise Fail("gradients(x) returned the two gradients in the other order: the first value is d out/dy (y.grad) "
                   "and the second d out/dx (x.grad); return (x.grad, y.grad)", code="swapped-returns")


@_blaming_forward
def judge_gradients_x(case, obs):
    r"""The returned ``x.grad`` equals $\partial out/\partial x$."""
    pair = parts(called(obs["gradients"], "gradients(x)"), 2, "gradients(x)", "(x.grad, y.grad)")
    if pair[0].get("type") == "NoneType":
        raise Fail("the first value returned, x.grad, is None: call out.backward() before reading x.grad",
                   code="none-grad")
    _swapped(case, pair)
    close(tensor(pair[0], "x.grad"), reference(case["x"])["x_grad"], what="x.grad", tol=TOL, **counted(case["x"]))


def _returned_x_grad(outcome: dict) -> torch.Tensor | None:
    """The first value ``gradients`` returned, when it is a tensor; else None."""
    desc = outcome.get("returned") or {}
    items = sequence(desc)
    if not items or items[0].get("type") != "tensor" or "value" not in items[0]:
        return None
    return items[0]["value"]


@_blaming_forward
def judge_gradients_fills_x_grad(case, obs):
    r"""Afterwards ``x.grad`` of the tensor passed in holds the gradient, as backward passes from forward's out put it
    there (:func:`backprop.delivered_by_backward`: red team 125 set it by hand under ``no_grad``).

    The side effect alone: an ``x.grad`` that holds what the call returned passes, right or wrong (the value is
    ``gradients_x``'s to judge); otherwise it must equal $\partial out/\partial x$.
    """
    called(obs["gradients"], "gradients(x)")
    if obs["x_grad"] is None:
        raise Fail("x.grad of the x passed in is still None after gradients(x): back-propagate through that x, "
                   "not a copy, so that the caller's x.grad holds the gradient", code="detached-input")
    got = tensor(obs["x_grad"], "x.grad")
    ref = reference(case["x"])  # (red team 134: never forward's own out, which a second call of forward could forge)
    roots = backprop.when_right(got, ref["x_grad"], (float(ref["out"]),), TOL)
    backprop.delivered_by_backward(obs.get("deliveries"), got, roots,
                                   name="x", subject="x.grad after gradients(x)", root="out", code="no-graph",
                                   how="call out.backward() on forward(x)'s out (a copy's gradient may be copied "
                                       "into x.grad), not set it by hand", tol=TOL)
    returned = _returned_x_grad(obs["gradients"])
    if returned is not None and returned.shape == got.shape and torch.equal(returned, got):
        return
    close(got, reference(case["x"])["x_grad"], what="x.grad after gradients(x)", tol=TOL, **counted(case["x"]))


@_blaming_forward
def judge_gradients_y(case, obs):
    r"""The returned ``y.grad`` equals $\partial out/\partial y$."""
    pair = parts(called(obs["gradients"], "gradients(x)"), 2, "gradients(x)", "(x.grad, y.grad)")
    y_grad = pair[1]
    if y_grad.get("type") == "NoneType" and obs.get("forward_retains_y") is True:  # (walkthrough 68: not the cause)
        raise Fail("y.grad is None, though forward keeps y's gradient: read y.grad from the y whose graph you "
                   "back-propagated (calling forward(x) again makes a new y, with no grad)", code="stale-y")
    if y_grad.get("type") == "NoneType":
        raise Fail("y.grad is None: call y.retain_grad() before backward (y is not a leaf), and read it from the y "
                   "whose graph you back-propagated (calling forward(x) again makes a new y, with no grad)",
                   code="missing-retain-grad")
    _swapped(case, pair)
    close(tensor(y_grad, "y.grad"), reference(case["x"])["y_grad"], what="y.grad", tol=TOL, **counted(case["x"]))


# -- gradient_manual -------------------------------------------------------------------------------

def judge_manual_values(case, obs):
    r"""gradient_manual(x) equals $\partial out/\partial x$ for every shape."""
    got = tensor(called(obs["manual"], "gradient_manual(x)"), "gradient_manual(x)")
    close(got, reference(case["x"])["x_grad"], what="gradient_manual(x)", tol=TOL, **counted(case["x"]))


HIDDEN = HiddenCount(checks=2, points=2)

VISIBLE = Exercise(
    slug="exercise-2",
    module="exercise_2",
    title="Back-propagation through two layers",
    functions=("forward", "gradients", "gradient_manual"),
    checks=(
        Check("forward_values", "forward", 2, "forward(x) returns y = 3x + 2, z = 2y², out = mean(z), tracked",
              random_x, probe_forward, judge_forward_values, TOL),
        Check("forward_retains_y_grad", "forward", 1, "y keeps its gradient (y.retain_grad())",
              random_x, probe_forward, judge_forward_retains, TOL),
        Check("gradients_x", "gradients", 1, "gradients(x) returns x.grad = d out/dx",
              random_x, probe_gradients, judge_gradients_x, TOL),
        Check("gradients_fills_x_grad", "gradients", 1, "afterwards x.grad of the x passed in holds d out/dx",
              random_x, probe_gradients, judge_gradients_fills_x_grad, TOL),
        Check("gradients_y", "gradients", 1, "gradients(x) returns y.grad = d out/dy",
              random_x, probe_gradients, judge_gradients_y, TOL),
        Check("gradient_manual_values", "gradient_manual", 2, "gradient_manual(x) = d out/dx for any shape",
              manual_x, probe_manual, judge_manual_values, TOL),
    ),
)
