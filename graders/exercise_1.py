"""Grader of exercise 1: the gradient of ``y = 2x⁴ + x³ + 3x² + 5x + 1``.

Reference: ``y`` and its derivative ``dy/dx``, elementwise, in float64 from the same inputs
the student gets; ``dy/dx`` comes from ``torch.autograd.grad`` (no formula here: students
derive it by hand). The handout's ``x = 2`` (``y = 63``,
``dy/dx = 93``) is one case among seeded random tensors of several shapes and dtypes.
"""

from __future__ import annotations

import torch

from autograd_exercises import inputs
from autograd_exercises.judge import (
    Fail, Mistake, called, close, close_or_mistake, derivatives, grad_fn_name, per_case, tensor,
)
from autograd_exercises.probes.exercise_1 import probe_grad, probe_manual, probe_polynomial, probe_polynomial_graph
from autograd_exercises.spec import Check, Exercise, HiddenCount, Tolerance

# float32 students, float64 reference: y reaches 63 on [-2, 2], and dy/dx has a root near -0.66
# where its terms (about 5) cancel, so the absolute tolerance is float32's, not float64's.
TOL = Tolerance(rtol=1e-5, atol=1e-5)
NOTEBOOK_X = torch.tensor(2.0)
SHAPES = ((4,), (3, 5), (2, 3, 4))

NONE_GRAD = Mistake("none-grad", "polynomial_grad(x) returned None: .grad is filled only on the leaf tensor you "
                    "back-propagated from, and only after backward(); return that tensor's .grad")
IS_Y = Mistake("returns-y", "it equals y = polynomial(x) itself, not its derivative dy/dx")
IS_DERIVATIVE = Mistake("returns-derivative", "it equals the derivative dy/dx, not the polynomial")
NO_CONSTANT = Mistake("missing-constant-term", "it is dy/dx − 5: the constant term 5 (the derivative of 5x) is missing")
HINTS = {
    "implicitly created only for scalar outputs":
        Mistake("non-scalar-backward", "y has one value per element: back-propagate y.sum(), or pass "
                "grad_outputs=torch.ones_like(y)"),
    "Can't call numpy() on Tensor that requires grad":
        Mistake("numpy-breaks-graph", "numpy cannot follow autograd's graph: compute with torch operations"),
}


def polynomial(x: torch.Tensor) -> torch.Tensor:
    """$y = 2x^4 + x^3 + 3x^2 + 5x + 1$, elementwise."""
    return 2 * x**4 + x**3 + 3 * x**2 + 5 * x + 1


@per_case
def reference(x: torch.Tensor) -> dict[str, torch.Tensor]:
    r"""$y$ and $dy/dx$ at every element, in float64: the slopes are autograd's gradient of $\sum_i y_i$."""
    x = x.to(torch.float64)
    _, (dy,) = derivatives(lambda leaf: polynomial(leaf).sum(), x)
    return {"y": polynomial(x), "dy": dy}


def ran(outcome, what: str) -> dict:
    """:func:`called`, with the hint for autograd errors this exercise provokes."""
    return called(outcome, what, HINTS)


# -- inputs ----------------------------------------------------------------------------------------

def values_x(gen: torch.Generator) -> list[dict]:
    """Random tensors, then the handout's x = 2.

    The random cases come first so that feedback quotes a tensor with several
    elements: on one number every wrong answer looks like "a constant factor".
    """
    return inputs.random_tensors(gen, "x", SHAPES) + [inputs.fixed("x", NOTEBOOK_X, "the handout's example")]


manual_x = inputs.own_stream(values_x, "manual_x")  # polynomial_grad_manual's


def grad_x(gen: torch.Generator) -> list[dict]:
    """Like :func:`values_x`, alternately with and without ``requires_grad`` (the function must take both);
    the handout's x = 2 requires grad, as in the handout."""
    cases = values_x(gen)
    for number, case in enumerate(cases):
        case["requires_grad"] = number % 2 == 0 or number == len(cases) - 1
        case["label"] += f", requires_grad={case['requires_grad']}"
    return cases


# -- polynomial ------------------------------------------------------------------------------------

def judge_polynomial_values(case, obs):
    """polynomial(x) equals $2x^4 + x^3 + 3x^2 + 5x + 1$ at every element."""
    ref = reference(case["x"])
    y = tensor(ran(obs["poly"], "polynomial(x)"), "polynomial(x)")
    close_or_mistake(y, ref["y"], what="polynomial(x)", tol=TOL, mistakes={IS_DERIVATIVE: ref["dy"]})


def judge_polynomial_differentiable(case, obs):
    """polynomial(x) is tracked by autograd, and back-propagating it gives $dy/dx$."""
    desc = ran(obs["poly"], "polynomial(x)")
    tensor(desc, "polynomial(x)")
    if grad_fn_name(desc) is None:
        raise Fail("polynomial(x) has no grad_fn although x requires grad: it was computed without autograd "
                   "tracking (under torch.no_grad(), through .detach(), .item() or numpy)", code="not-tracked")
    after = obs["after_backward"]
    if after["error"]:
        raise Fail(f"polynomial(x).sum().backward() failed on your graph: {after['error']}", code="backward-failed")
    if after["x_grad"] is None:
        raise Fail("x.grad is still None after polynomial(x).sum().backward(): y is not computed from this x "
                   "(a copy or a detached x?)", code="detached-input")
    close(tensor(after["x_grad"], "x.grad"), reference(case["x"])["dy"],
          what="x.grad after polynomial(x).sum().backward()", tol=TOL)


# -- polynomial_grad -------------------------------------------------------------------------------

def judge_grad_values(case, obs):
    """polynomial_grad(x) returns $dy/dx$, shaped like x."""
    ref = reference(case["x"])
    desc = ran(obs["grad"], "polynomial_grad(x)")
    if desc.get("type") == "NoneType":
        raise Fail(NONE_GRAD)
    got = tensor(desc, "polynomial_grad(x)")
    close_or_mistake(got, ref["dy"], what="polynomial_grad(x)", tol=TOL, numel=case["x"].numel(),
                     mistakes={IS_Y: ref["y"]})


# -- polynomial_grad_manual ------------------------------------------------------------------------

def judge_manual_values(case, obs):
    """polynomial_grad_manual(x) equals $dy/dx$ for every shape."""
    ref = reference(case["x"])
    got = tensor(ran(obs["manual"], "polynomial_grad_manual(x)"), "polynomial_grad_manual(x)")
    close_or_mistake(got, ref["dy"], what="polynomial_grad_manual(x)", tol=TOL, numel=case["x"].numel(),
                     mistakes={IS_Y: ref["y"], NO_CONSTANT: ref["dy"] - 5})


HIDDEN = HiddenCount(checks=4, points=4)

VISIBLE = Exercise(
    slug="exercise-1",
    module="exercise_1",
    title="The gradient of a polynomial",
    functions=("polynomial", "polynomial_grad", "polynomial_grad_manual"),
    checks=(
        Check("polynomial_values", "polynomial", 2, "polynomial(x) = 2x⁴ + x³ + 3x² + 5x + 1 elementwise",
              values_x, probe_polynomial, judge_polynomial_values, TOL),
        Check("polynomial_differentiable", "polynomial", 1, "polynomial(x) is tracked by autograd",
              values_x, probe_polynomial_graph, judge_polynomial_differentiable, TOL),
        Check("polynomial_grad_values", "polynomial_grad", 2,
              "polynomial_grad(x) = dy/dx, with or without requires_grad",
              grad_x, probe_grad, judge_grad_values, TOL),
        Check("polynomial_grad_manual_values", "polynomial_grad_manual", 1,
              "polynomial_grad_manual(x) = dy/dx for any shape",
              manual_x, probe_manual, judge_manual_values, TOL),
    ),
)
