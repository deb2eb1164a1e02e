"""Exercise 2 graded for real: solution (full), stub (zero) and named common mistakes."""

from __future__ import annotations

import pytest

from tests.conftest import assert_mistake, assert_pasted_scores_under_half, assert_solution_full, assert_stub_zero, by_name, mutate, solution_text

SLUG, MODULE = "exercise-2", "exercise_2"
SOLUTION = solution_text(MODULE)

# name: (mutations, expected score, {check: feedback fragment})
MISTAKES = {
    "no_retain_grad": (
        [("    y.retain_grad()\n", "")],
        8, {"forward_retains_y_grad": "call y.retain_grad()", "gradients_y": "y.grad is None"},
    ),
    "sum_instead_of_mean": (
        [("out = z.mean()", "out = z.sum()")],
        3, {"forward_values": "a sum where a mean belongs", "gradients_x": "a sum where a mean belongs"},
    ),
    "backward_twice": (
        [("    out.backward()\n", "    out.backward(retain_graph=True)\n    out.backward()\n")],
        6, {"gradients_x": "twice the expected value", "gradients_y": "twice the expected value"},
    ),
    "manual_uses_autograd": (
        [("    return 12 * (3 * x + 2) / x.numel()\n",
          "    x = x.clone().requires_grad_()\n    with torch.enable_grad():\n"
          "        (2 * (3 * x + 2) ** 2).mean().backward()\n    return x.grad\n")],
        9, {"gradient_manual_by_hand": "called backward()/torch.autograd.grad 1 time"},
    ),
    "manual_hardcodes_six_elements": (
        [("/ x.numel()", "/ 6")],
        8, {"gradient_manual_values": "gradient_manual(x) is wrong"},
    ),
    "graph_built_on_detached_x": (
        [("y = 3 * x + 2", "y = 3 * x.detach() + 2")],
        3, {"forward_values": "RuntimeError", "gradients_x": "RuntimeError"},
    ),
    "manual_returns_list": (
        [("    return 12 * (3 * x + 2) / x.numel()\n", "    return (12 * (3 * x + 2) / x.numel()).tolist()\n")],
        7, {"gradient_manual_values": "is a list, expected a torch.Tensor"},
    ),
    "pasted_notebook_numbers": (
        [("    y = 3 * x + 2\n    y.retain_grad()\n    z = 2 * y**2\n    out = z.mean()\n    return y, z, out\n",
          "    y = torch.tensor([[5., 8., 11.], [11., 8., 5.]], requires_grad=True)\n"
          "    z = torch.tensor([[50., 128., 242.], [242., 128., 50.]], requires_grad=True)\n"
          "    return y, z, z.mean()\n"),
         ("    y, z, out = forward(x)\n    out.backward()\n    return x.grad, y.grad\n",
          "    return torch.tensor([[10., 16., 22.], [22., 16., 10.]]), torch.tensor([[3.3333, 5.3333, 7.3333], [7.3333, 5.3333, 3.3333]])\n"),
         ("    return 12 * (3 * x + 2) / x.numel()\n", "    return torch.tensor([[10., 16., 22.], [22., 16., 10.]])\n")],
        1, {"gradients_x": "is wrong", "gradient_manual_values": "is wrong"},
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


def test_no_retain_grad_warning_is_a_note_not_a_cost(grade_source):
    result = grade_source(SLUG, mutate(SOLUTION, *MISTAKES["no_retain_grad"][0]))
    notes = [note for c in result.checks for note in c.notes]
    assert by_name(result)["forward_values"].passed
    assert any("UserWarning" in note and ".grad" in note for note in notes)


def test_seed_changes_inputs_not_score(grade_source):
    scores = {seed: grade_source(SLUG, SOLUTION, seed=seed).score for seed in (1, 2, 3)}
    assert set(scores.values()) == {10}
