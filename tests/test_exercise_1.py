"""Exercise 1 graded for real: solution (full), stub (zero) and named common mistakes."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings, strategies as st

from graders import exercise_1 as grader
from tests.conftest import assert_mistake, assert_pasted_scores_under_half, assert_solution_full, assert_stub_zero, mutate, solution_text

SLUG, MODULE = "exercise-1", "exercise_1"
SOLUTION = solution_text(MODULE)

POLY = "    return 2 * x**4 + x**3 + 3 * x**2 + 5 * x + 1\n"
GRAD = "    x = x.detach().clone().requires_grad_()\n    polynomial(x).sum().backward()\n    return x.grad\n"
MANUAL = "    return 8 * x**3 + 3 * x**2 + 6 * x + 5\n"

# name: (mutations, expected score, {check: feedback fragment})
MISTAKES = {
    "mean_instead_of_sum": (
        [("polynomial(x).sum().backward()", "polynomial(x).mean().backward()")],
        7, {"polynomial_grad_values": "a mean where a sum belongs", "polynomial_grad_called_twice": "first call"},
    ),
    "grads_accumulate_in_callers_x": (
        [("x = x.detach().clone().requires_grad_()", "x.requires_grad_()")],
        9, {"polynomial_grad_called_twice": "the first call's gradient was still in x.grad"},
    ),
    "backward_twice": (
        [("polynomial(x).sum().backward()",
          "polynomial(x).sum().backward(retain_graph=True)\n    polynomial(x).sum().backward()")],
        6, {"polynomial_grad_values": "exactly twice the expected value",
            "polynomial_grad_notebook_example": "gradients accumulated"},
    ),
    "no_copy_and_no_requires_grad": (
        [("    x = x.detach().clone().requires_grad_()\n", "")],
        6, {"polynomial_grad_values": "does not require grad and does not have a grad_fn",
            "polynomial_grad_called_twice": "still in x.grad"},
    ),
    "copy_without_requires_grad": (
        [("x = x.detach().clone().requires_grad_()", "x = x.detach().clone()")],
        5, {"polynomial_grad_values": "from a leaf without requires_grad=True"},
    ),
    "grad_read_from_the_original": (
        [(GRAD, "    leaf = x.detach().clone().requires_grad_()\n    polynomial(leaf).sum().backward()\n"
                "    return x.grad\n")],
        6, {"polynomial_grad_values": "returned None", "polynomial_grad_notebook_example": "returned None"},
    ),
    "backward_without_sum": (
        [("polynomial(x).sum().backward()", "polynomial(x).backward()")],
        6, {"polynomial_grad_values": "back-propagate y.sum()"},
    ),
    "grad_returned_as_list": (
        [("    return x.grad\n", "    return x.grad.tolist()\n")],
        6, {"polynomial_grad_values": "is a list, expected a torch.Tensor",
            "polynomial_grad_notebook_example": "is a Python float (93.0)"},
    ),
    "grad_returned_as_numpy": (
        [("    return x.grad\n", "    return x.grad.numpy()\n")],
        6, {"polynomial_grad_values": "is a numpy.ndarray, expected a torch.Tensor: stay in torch"},
    ),
    "grad_by_hand": (
        [(GRAD, MANUAL)],
        9, {"polynomial_grad_uses_autograd": "never called backward() or torch.autograd.grad"},
    ),
    "polynomial_detached": (
        [(POLY, "    x = x.detach()\n" + POLY)],
        4, {"polynomial_differentiable": "has no grad_fn", "polynomial_grad_values": "without tracking"},
    ),
    "manual_returns_polynomial": (
        [(MANUAL, "    return polynomial(x)\n")],
        9, {"polynomial_grad_manual_values": "it equals y = polynomial(x) itself, not its derivative"},
    ),
    "manual_drops_constant": (
        [(MANUAL, "    return 8 * x**3 + 3 * x**2 + 6 * x\n")],
        9, {"polynomial_grad_manual_values": "the constant term 5 (the derivative of 5x) is missing"},
    ),
    "manual_uses_autograd": (
        [(MANUAL, "    with torch.enable_grad():\n        return polynomial_grad(x)\n")],
        9, {"polynomial_grad_manual_by_hand": "called backward()/torch.autograd.grad 1 time"},
    ),
    "manual_sums_the_slopes": (
        [(MANUAL, "    return (8 * x**3 + 3 * x**2 + 6 * x + 5).sum()\n")],
        8, {"polynomial_grad_manual_values": "one number where a tensor shaped like the input belongs",
            "polynomial_grad_manual_by_hand": "one slope per element"},
    ),
    "pasted_notebook_numbers": (
        [(POLY, "    return torch.tensor(63.)\n"), (GRAD, "    return torch.tensor(93.)\n"),
         (MANUAL, "    return torch.tensor(93.)\n")],
        1, {"polynomial_values": "expected (4,)", "polynomial_grad_uses_autograd": "never called backward()"},
    ),
}


def test_solution_scores_full(grade_source):
    assert_solution_full(grade_source, SLUG, SOLUTION, 10)


def test_stub_scores_zero_without_crashing(grade_source):
    assert_stub_zero(grade_source, SLUG, SOLUTION)


@pytest.mark.parametrize("name", sorted(MISTAKES))
def test_common_mistake_gets_partial_score_and_diagnosis(grade_source, name):
    assert_mistake(grade_source, SLUG, SOLUTION, MISTAKES[name])


def test_pasted_numbers_score_under_half():
    assert_pasted_scores_under_half(SLUG, MISTAKES)


def test_warning_is_a_note_not_a_cost(grade_source):
    noisy = mutate(SOLUTION, ("polynomial(x).sum().backward()", "y = polynomial(x)\n    y.grad\n    y.sum().backward()"))
    result = grade_source(SLUG, noisy)
    assert result.score == 10
    assert any("UserWarning" in note and ".grad" in note for c in result.checks for note in c.notes)


@settings(max_examples=3, deadline=None)
@given(seed=st.integers(0, 2**31 - 1))
def test_any_seed_gives_the_solution_full_marks(grade_source, seed):
    assert grade_source(SLUG, SOLUTION, seed=seed).score == 10


@settings(max_examples=25, deadline=None)
@given(shape=st.lists(st.integers(1, 4), max_size=3), seed=st.integers(0, 2**31 - 1),
       dtype=st.sampled_from([torch.float32, torch.float64]))
def test_reference_derivative_matches_autograd(shape, seed, dtype):
    x = (torch.rand(shape, generator=torch.Generator().manual_seed(seed), dtype=torch.float64) * 6 - 3).to(dtype)
    leaf = x.to(torch.float64).requires_grad_()
    y = 2 * leaf**4 + leaf**3 + 3 * leaf**2 + 5 * leaf + 1
    (slope,) = torch.autograd.grad(y.sum(), leaf)
    ref = grader.reference(x)
    torch.testing.assert_close(ref["y"], y.detach())
    torch.testing.assert_close(ref["dy"], slope)


def test_handout_numbers():
    ref = grader.reference(torch.tensor(2.0))
    assert float(ref["y"]) == 63 and float(ref["dy"]) == 93
