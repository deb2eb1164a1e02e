"""Hidden checks of exercise 1: instructor-only, never in the student wheel.

Each is placed after the check it follows (see :func:`graders.assemble`); inputs and
judges used only here live here too. Shared parts come from :mod:`graders.exercise_1`.
"""

from __future__ import annotations

import math

import torch

from autograd_exercises import inputs
from autograd_exercises.judge import backprop
from autograd_exercises.judge import Fail, Mistake, close_or_mistake, no_autograd, tensor
from autograd_exercises.probes.exercise_1 import probe_grad, probe_grad_twice, probe_manual
from autograd_exercises.spec import Check
from graders.exercise_1 import (
    IS_Y, NONE_GRAD, NOTEBOOK_X, SHAPES, TOL, grad_x, judge_grad_values, judge_manual_values, ran, reference,
    manual_x,
)

ACCUMULATED = Mistake("grad-accumulated", "it is twice the answer: the first call's gradient was still in x.grad and "
                      "backward() added to it; differentiate a fresh copy, x.detach().clone().requires_grad_()")
MISTAKES = {"no-autograd": "polynomial_grad computes the derivative without asking autograd for it"}


def leaf_x(gen: torch.Generator) -> list[dict]:
    cases = inputs.random_tensors(gen, "x", SHAPES)
    for case in cases:
        case["requires_grad"] = True
        case["label"] += ", requires_grad=True"
    return cases


@inputs.public  # the handout's own values
def notebook_x(gen: torch.Generator) -> list[dict]:
    case = inputs.fixed("x", NOTEBOOK_X, "the handout's example, requires_grad=True")
    return [dict(case, requires_grad=True)]


def judge_grad_uses_autograd(case, obs):
    """polynomial_grad(x) asks autograd (backward() or torch.autograd.grad) for the derivative, and the gradient it
    returns is what a backward pass from polynomial(x) delivered (:func:`backprop.delivered_by_backward`: red team
    125 ran ``(t * 1).backward()`` beside the formula by hand)."""
    outcome = obs["grad"]
    returned = ran(outcome, "polynomial_grad(x)")
    if not int(outcome.get("autograd_calls", 0)):
        raise Fail("polynomial_grad(x) never called backward() or torch.autograd.grad: it must let autograd "
                   "compute the derivative (the formula by hand belongs in polynomial_grad_manual)", code="no-autograd")
    if returned.get("type") != "tensor" or "value" not in returned:
        return  # (no gradient to trace: the value checks charge it)
    got, ref = tensor(returned, "polynomial_grad(x)"), reference(case["x"])
    own = obs.get("own_sum")  # (a wrong polynomial is charged by its own check)
    values = (float(ref["y"].sum()),) + ((own,) if type(own) is float and math.isfinite(own) else ())
    backprop.delivered_by_backward(obs.get("deliveries"), got, backprop.when_right(got, ref["dy"], values, TOL),
                                   name="x", subject="the gradient polynomial_grad(x) returned", root="polynomial(x)",
                                   how="differentiate polynomial(x) with backward() or torch.autograd.grad (the "
                                       "formula by hand belongs in polynomial_grad_manual; a batched pass, as "
                                       "jacobian(vectorize=True) or vmap over jacrev makes, is not read as one "
                                       "into x: torch.func.grad is)",
                                   code="no-autograd",  # (fairness 62: vmap's pass read as a formula by hand)
                                   tol=TOL, seeded=(float(case["x"].to(torch.float64).sum()),
                                                    float(case["x"].abs().sum())))


def judge_grad_twice(case, obs):
    """A second call of polynomial_grad(x) on the same x returns the same, right answer."""
    ref = reference(case["x"])
    first = ran(obs["first"], "polynomial_grad(x)")
    if first.get("type") == "NoneType":
        raise Fail(NONE_GRAD)
    close_or_mistake(tensor(first, "polynomial_grad(x)"), ref["dy"], what="polynomial_grad(x), already on the first call,",
                     tol=TOL, numel=case["x"].numel(), mistakes={IS_Y: ref["y"]})
    desc = ran(obs["second"], "polynomial_grad(x) called a second time on the same x")
    if desc.get("type") == "NoneType":
        raise Fail(NONE_GRAD)
    got = tensor(desc, "polynomial_grad(x) called a second time on the same x")
    close_or_mistake(got, ref["dy"], what="polynomial_grad(x) called a second time on the same x", tol=TOL,
                     numel=case["x"].numel(), mistakes={ACCUMULATED: 2 * ref["dy"], IS_Y: ref["y"]})


def judge_manual_by_hand(case, obs):
    """polynomial_grad_manual(x) is right, and while it ran it asked autograd for nothing.

    Its code is read for autograd too (``by_hand``): the run-time count is a second signal.
    """
    judge_manual_values(case, obs)
    no_autograd(obs["manual"], "polynomial_grad_manual(x)")


PLACED = (
    ("polynomial_grad_values",
     Check("polynomial_grad_uses_autograd", "polynomial_grad", 1, "polynomial_grad(x) asks autograd",
           grad_x, probe_grad, judge_grad_uses_autograd, TOL, hidden=True)),
    ("polynomial_grad_uses_autograd",
     Check("polynomial_grad_called_twice", "polynomial_grad", 1,
           "a second call on the same x gives the same answer (no accumulated .grad)",
           leaf_x, probe_grad_twice, judge_grad_twice, TOL, hidden=True)),
    ("polynomial_grad_called_twice",
     Check("polynomial_grad_notebook_example", "polynomial_grad", 1, "dy/dx = 93 at the handout's x = 2",
           notebook_x, probe_grad, judge_grad_values, TOL, hidden=True)),
    ("polynomial_grad_manual_values",
     Check("polynomial_grad_manual_by_hand", "polynomial_grad_manual", 1,
           "polynomial_grad_manual(x) is right by hand: no autograd in its code or while it runs",
           manual_x, probe_manual, judge_manual_by_hand, TOL, hidden=True, by_hand=True)),
)
