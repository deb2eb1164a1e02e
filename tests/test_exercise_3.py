"""Exercise 3 graded for real: solution (full), stub (zero) and named common mistakes."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings, strategies as st

from graders import exercise_3 as grader
from tests.conftest import assert_mistake, assert_pasted_scores_under_half, assert_solution_full, assert_stub_zero, solution_text

SLUG, MODULE = "exercise-3", "exercise_3"
SOLUTION = solution_text(MODULE)

LAYER = "    return torch.matmul(x, w) + b\n"
LOSS = "    return torch.nn.functional.binary_cross_entropy_with_logits(z, y)\n"
GRADS = "    loss(layer(x, w, b), y).backward()\n    return w.grad, b.grad\n"
BATCH = "    rows, deltas = x.reshape(-1, x.shape[-1]), delta.reshape(-1, delta.shape[-1])  # a single input is a batch of 1\n"
MANUAL_RETURN = "    return rows.T @ deltas, deltas.sum(dim=0)\n"
MANUAL_START = "    z = layer(x, w, b)\n    delta"
NOTEBOOK_GRAD = "    g = torch.tensor([0.1075, 0.2615, 0.2888])\n    return g.repeat(5, 1), g\n"


def loss_returns(expression: str) -> tuple[str, str]:
    return LOSS, f"    return {expression}\n"


# name: (mutations, expected score, {check: feedback fragment})
MISTAKES = {
    "bce_on_raw_logits": (
        [loss_returns("torch.nn.functional.binary_cross_entropy(z, y)")],
        4, {"loss_values": "was given the raw logits z", "parameter_gradients_w": "use binary_cross_entropy_with_logits"},
    ),
    "sigmoid_applied_twice": (
        [loss_returns("torch.nn.functional.binary_cross_entropy_with_logits(torch.sigmoid(z), y)")],
        4, {"loss_values": "the sigmoid is applied twice", "parameter_gradients_b": "the sigmoid is applied twice"},
    ),
    "reduction_sum": (
        [loss_returns("torch.nn.functional.binary_cross_entropy_with_logits(z, y, reduction='sum')")],
        4, {"loss_values": "the sum over the N = 3 elements, not the mean",
            "parameter_gradients_w": "summed loss (reduction='sum'), N = 3 times too large"},
    ),
    "reduction_none": (
        [loss_returns("torch.nn.functional.binary_cross_entropy_with_logits(z, y, reduction='none')")],
        4, {"loss_values": "one value per element, so the mean is missing",
            "parameter_gradients_w": "the loss must be the mean over all elements"},
    ),
    "arguments_swapped": (
        [loss_returns("torch.nn.functional.binary_cross_entropy_with_logits(y, z)")],
        4, {"loss_values": "the arguments are swapped", "parameter_gradients_w": "the arguments are swapped"},
    ),
    "bce_of_sigmoid_saturates": (
        [loss_returns("torch.nn.functional.binary_cross_entropy(torch.sigmoid(z), y)")],
        9, {"loss_large_logits": "torch clamps the log at -100"},
    ),
    "naive_log_formula_overflows": (
        [(LOSS, "    p = torch.sigmoid(z)\n    return -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()\n")],
        9, {"loss_large_logits": "loss(z, y) is nan"},
    ),
    "loss_rebuilt_from_item": (
        [loss_returns("torch.tensor(torch.nn.functional.binary_cross_entropy_with_logits(z, y).item())")],
        4, {"loss_values": "has no grad_fn", "parameter_gradients_w": "does not require grad"},
    ),
    "bias_missing": (
        [(LAYER, "    return torch.matmul(x, w)\n")],
        4, {"layer_values": "the bias b is missing", "parameter_gradients_b": "b_grad, the second value returned, is None"},
    ),
    "backward_twice": (
        [(GRADS, "    value = loss(layer(x, w, b), y)\n    value.backward(retain_graph=True)\n    value.backward()\n"
                 "    return w.grad, b.grad\n")],
        7, {"parameter_gradients_w": "exactly twice the expected value", "parameter_gradients_b": "gradients accumulated"},
    ),
    "gradients_of_copies": (
        [(GRADS, "    w = w.detach().clone().requires_grad_()\n    b = b.detach().clone().requires_grad_()\n" + GRADS)],
        7, {"parameter_gradients_w": "w.grad of the w passed in is still None",
            "parameter_gradients_b": "b.grad of the b passed in is still None"},
    ),
    "gradients_as_numpy": (
        [("    return w.grad, b.grad\n", "    return w.grad.numpy(), b.grad.numpy()\n")],
        7, {"parameter_gradients_w": "w_grad is a numpy.ndarray, expected a torch.Tensor"},
    ),
    "manual_w_grad_transposed": (
        [(MANUAL_RETURN, "    return (rows.T @ deltas).T, deltas.sum(dim=0)\n")],
        7, {"parameter_gradients_manual_values": "the result is transposed",
            "parameter_gradients_manual_by_hand": "a gradient has the shape of its parameter"},
    ),
    "manual_right_only_for_one_input": (
        [(BATCH + MANUAL_RETURN, "    return torch.outer(x, delta), delta\n")],
        7, {"parameter_gradients_manual_values": "use a matrix product, which sums over the batch"},
    ),
    "manual_b_grad_not_summed_over_batch": (
        [(MANUAL_RETURN, "    return rows.T @ deltas, delta\n")],
        7, {"parameter_gradients_manual_values": "b_grad of parameter_gradients_manual(x, y, w, b) has shape (2, 3)"},
    ),
    "manual_divides_by_outputs": (
        [("/ z.numel()", "/ z.shape[-1]")],
        8, {"parameter_gradients_manual_values": "divided by the number of outputs z.shape[-1] = 3 instead of N"},
    ),
    "manual_uses_raw_logits": (
        [("(torch.sigmoid(z) - y)", "(z - y)")],
        8, {"parameter_gradients_manual_values": "δ uses the raw logits z instead of σ(z)"},
    ),
    "manual_without_mean": (
        [("(torch.sigmoid(z) - y) / z.numel()", "(torch.sigmoid(z) - y)")],
        8, {"parameter_gradients_manual_values": "N = 3 times too large"},
    ),
    "manual_uses_autograd": (
        [(MANUAL_START, "    w, b = w.clone().requires_grad_(), b.clone().requires_grad_()\n"
                        "    with torch.enable_grad():\n        loss(layer(x, w, b), y).backward()\n"
                        "    return w.grad, b.grad\n" + MANUAL_START)],
        9, {"parameter_gradients_manual_by_hand": "called backward()/torch.autograd.grad 1 time"},
    ),
    "pasted_notebook_numbers": (
        [(GRADS, NOTEBOOK_GRAD), (MANUAL_START, NOTEBOOK_GRAD + MANUAL_START)],
        4, {"parameter_gradients_w": "w_grad has shape (5, 3), expected (4, 3)", "parameter_gradients_b": "is wrong"},
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


@settings(max_examples=2, deadline=None)
@given(seed=st.integers(0, 2**31 - 1))
def test_any_seed_gives_the_solution_full_marks(grade_source, seed):
    assert grade_source(SLUG, SOLUTION, seed=seed).score == 10


@settings(max_examples=25, deadline=None)
@given(batch=st.one_of(st.none(), st.integers(1, 4)), n_in=st.integers(1, 5), n_out=st.integers(1, 4),
       seed=st.integers(0, 2**31 - 1), dtype=st.sampled_from([torch.float32, torch.float64]))
def test_reference_matches_autograd(batch, n_in, n_out, seed, dtype):
    gen = torch.Generator().manual_seed(seed)
    lead = () if batch is None else (batch,)
    case = {"x": torch.randn(lead + (n_in,), generator=gen, dtype=dtype),
            "y": (torch.rand(lead + (n_out,), generator=gen) < 0.5).to(dtype),
            "w": torch.randn(n_in, n_out, generator=gen, dtype=dtype), "b": torch.randn(n_out, generator=gen, dtype=dtype)}
    w = case["w"].to(torch.float64).requires_grad_()
    b = case["b"].to(torch.float64).requires_grad_()
    value = F.binary_cross_entropy_with_logits(case["x"].to(torch.float64) @ w + b, case["y"].to(torch.float64))
    value.backward()
    ref = grader.reference(case)
    torch.testing.assert_close(ref["loss"], value.detach())
    torch.testing.assert_close(ref["w_grad"], w.grad)
    torch.testing.assert_close(ref["b_grad"], b.grad)


def test_stable_bce_matches_torch_for_large_logits():
    from graders.hidden import exercise_3 as hidden

    case = hidden.large_logit_cases(torch.Generator().manual_seed(0))[1]
    z, y = case["z"], case["y"]
    torch.testing.assert_close(grader.bce_with_logits(z, y), F.binary_cross_entropy_with_logits(z, y))
    torch.testing.assert_close(grader.bce_with_logits(z, y, "sum"), F.binary_cross_entropy_with_logits(z, y, reduction="sum"))


def test_handout_numbers():
    ref = grader.reference(grader.handout_case())
    torch.testing.assert_close(ref["z"], torch.tensor([1.3755, -0.6023, -4.8127], dtype=torch.float64), atol=1e-4, rtol=0)
    torch.testing.assert_close(ref["loss"], torch.tensor(0.6819, dtype=torch.float64), atol=1e-4, rtol=0)
    torch.testing.assert_close(ref["b_grad"], torch.tensor([0.2661, 0.1179, 0.0027], dtype=torch.float64),
                               atol=1e-4, rtol=0)
    assert torch.equal(ref["w_grad"], ref["b_grad"].expand(5, 3))
    torch.manual_seed(0)  # the handout draws w and b from the global generator
    w, b = torch.randn(5, 3), torch.randn(3)
    assert torch.equal(w, grader.handout_case()["w"]) and torch.equal(b, grader.handout_case()["b"])
