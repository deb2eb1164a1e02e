"""Exercise 6 graded for real: solution (full), stub (zero) and named common mistakes."""

from __future__ import annotations


import pytest
from hypothesis import given, settings, strategies as st

from autograd_exercises import grading
from tests.conftest import (assert_mistake, assert_solution_full, assert_stub_zero, counting_autograd,
                            judge_every_check, load_module, mutate, solution_text)

SLUG, MODULE = "exercise-6", "exercise_6"
SOLUTION = solution_text(MODULE)
UPDATE = "    with torch.no_grad():\n        for p in params:\n            p -= lr * p.grad\n            p.grad.zero_()\n"
STEP = "        sgd_step([w, b], lr)\n"

# name: (mutations, expected score, {check: feedback fragment})
MISTAKES = {
    "train_by_hand_without_autograd": (  # red team 62: the right numbers, with no backward() (the docstring's steps)
        [("        loss.backward()\n        sgd_step([w, b], lr)\n",
          "        with torch.no_grad():\n            error = 2 * (x @ w + b - y) / y.numel()\n"
          "            w -= lr * (x.T @ error)\n            b -= lr * error.sum(dim=0)\n")],
        5, {"train_converges": "train back-propagated 0 time(s) in 150 step(s)",  # red team 231: every train
            "train_one_step": "train back-propagated 0 time(s) in 1 step(s)",  # check that judges its numbers too
            "train_loss_decreases": "train back-propagated 0 time(s) in 40 step(s)",
            "train_no_graph_kept": "train never back-propagated"},
    ),
    "train_by_hand_beside_a_trivial_backward": (  # red team 63: the same, with a backward pass that trains nothing
        [("        loss.backward()\n        sgd_step([w, b], lr)\n",
          "        torch.ones(1, requires_grad=True).sum().backward()\n"
          "        with torch.no_grad():\n            error = 2 * (x @ w + b - y) / y.numel()\n"
          "            w -= lr * (x.T @ error)\n            b -= lr * error.sum(dim=0)\n")],
        6, {"train_converges": "train's backward passes computed the gradients of the step's loss in 0 of 150",
            "train_one_step": "0 of train's backward passes in 1 step(s) reached w",  # red team 232: a pass a step
            "train_loss_decreases": "0 of train's backward passes in 40 step(s) reached w"},  # over a tensor of its own
    ),
    "train_by_hand_beside_a_backward_into_copies": (  # ... or one into leaves shaped like w and b, with zero gradients
        [("        loss.backward()\n        sgd_step([w, b], lr)\n",
          "        (0 * loss_fn(x, y, w.detach().requires_grad_(), b.detach().requires_grad_())).backward()\n"
          "        with torch.no_grad():\n            error = 2 * (x @ w + b - y) / y.numel()\n"
          "            w -= lr * (x.T @ error)\n            b -= lr * error.sum(dim=0)\n")],
        9, {"train_converges": "train's backward passes computed the gradients of the step's loss in 0 of 150"},
    ),
    "train_by_hand_with_hooks_that_replace_the_gradients": (  # red team 65: hooks of its own, run before the grader's,
        [("        loss.backward()\n        sgd_step([w, b], lr)\n",  # hand the watch the gradients done by hand
          "        with torch.no_grad():\n            error = 2 * (x @ w + b - y) / y.numel()\n"
          "            gw, gb = x.T @ error, error.sum(dim=0)\n"
          "        wc, bc = torch.zeros_like(w, requires_grad=True), torch.zeros_like(b, requires_grad=True)\n"
          "        wc.register_hook(lambda g: gw)\n        bc.register_hook(lambda g: gb)\n"
          "        (wc.sum() + bc.sum()).backward()\n"
          "        with torch.no_grad():\n            w -= lr * gw\n            b -= lr * gb\n")],
        9, {"train_converges": "train's backward passes computed the gradients of the step's loss in 0 of 150"},
    ),
    "train_by_hand_through_a_dot_product_graph": (  # red team 122: a pass over fresh leaves that carries the
        [("        loss.backward()\n        sgd_step([w, b], lr)\n",  # gradients done by hand, no hook
          "        with torch.no_grad():\n            error = 2 * (x @ w + b - y) / y.numel()\n"
          "            gw, gb = x.T @ error, error.sum(dim=0)\n"
          "        wc, bc = torch.zeros_like(w, requires_grad=True), torch.zeros_like(b, requires_grad=True)\n"
          "        ((wc * gw).sum() + (bc * gb).sum()).backward()\n"
          "        with torch.no_grad():\n            w -= lr * gw\n            b -= lr * gb\n")],
        9, {"train_converges": "train's backward passes computed the gradients of the step's loss in 0 of 150"},
    ),
    "train_makes_up_its_losses": (  # red team 231: no loop, a history going down, w and b returned as they came in
        [("    losses = []\n    for _ in range(steps):\n        loss = loss_fn(x, y, w, b)\n"
          "        losses.append(loss.item())\n        loss.backward()\n        sgd_step([w, b], lr)\n",
          "    start = loss_fn(x, y, w, b).item()\n    losses = [start * 0.97 ** i for i in range(steps)]\n")],
        5, {"train_loss_decreases": "train back-propagated 0 time(s) in 40 step(s)",
            "train_no_graph_kept": "train never back-propagated"},
    ),
    "train_makes_up_its_losses_beside_a_backward_a_step": (  # ... with a backward pass a step that trains nothing
        [("    losses = []\n    for _ in range(steps):\n        loss = loss_fn(x, y, w, b)\n"
          "        losses.append(loss.item())\n        loss.backward()\n        sgd_step([w, b], lr)\n",
          "    start = loss_fn(x, y, w, b).item()\n    losses = [start * 0.97 ** i for i in range(steps)]\n"
          "    for _ in range(steps):\n        loss_fn(x, y, w, b).backward()\n"
          "    w.grad, b.grad = None, None\n")],
        6, {"train_loss_decreases": "above the last recorded loss"},
    ),
    "train_makes_up_a_history_that_falls_within_the_tolerance": (  # red team 232: real passes, no update, the last
        [("        sgd_step([w, b], lr)\n", "        w.grad, b.grad = None, None\n"),  # loss made a little lower
         ("    return losses, w, b\n", "    losses[-1] = losses[0] * (1 - 5e-5)\n    return losses, w, b\n")],
        6, {"train_loss_decreases": "the recorded losses fall only from"},
    ),
    "backward_twice_a_step": (  # fairness 67: told only to pass retain_graph=True, which doubles the step
        [("        loss.backward()\n", "        loss.backward()\n        loss.backward()\n")],
        5, {"train_one_step": "where one backward per loss is meant, call it once: a second adds the same gradient"},
    ),
    "backward_twice_a_step_retaining_the_graph": (  # fairness 67: "w after one step is wrong", and no more
        [("        loss.backward()\n", "        loss.backward(retain_graph=True)\n        loss.backward()\n")],
        7, {"train_one_step": "the step is 2 · lr · grad, twice the step", "train_converges": "twice the step"},
    ),
    "only_w_is_updated": (  # fairness 67: "the parameters did not change", then "the trained w is wrong"
        [(STEP, "        sgd_step([w], lr)\n")],
        7, {"train_one_step": "train moved w but returned b as it came in", "train_converges": "returned b as it came"},
    ),
    "update_rebinds_under_no_grad": (  # fairness 67: torch's words and a hint of no_grad and .detach() alone
        [(STEP, "        with torch.no_grad():\n            w = w - lr * w.grad\n            b = b - lr * b.grad\n")],
        7, {"train_loss_decreases": "after `w = w - lr * w.grad` under torch.no_grad(), w is a new tensor"},
    ),
    "returns_a_complex_w": (  # red team 233: float64 dropped an imaginary part of 1e9 unseen, and every check passed
        [("    return losses, w, b\n", "    return losses, (w.detach().to(torch.complex128) + 1e9j).requires_grad_(), b\n")],
        6, {"train_one_step": "the returned w is a complex tensor (complex128)", "train_converges": "complex tensor"},
    ),
    "returns_w_broadcast_to_more_dimensions": (  # red team 233: the losses' check broadcast such a w and b to 1.6 GB
        [("    return losses, w, b\n", "    return losses, w.detach().expand(3, *w.shape), b.detach()[None, None]\n")],
        5, {"train_loss_decreases": "the returned w has shape (3, "},
    ),
    "gradients_never_zeroed": (
        [("            p.grad.zero_()\n", "")],
        7, {"sgd_step_zero_grad": "still holds a gradient", "train_loss_decreases": "the gradients are never zeroed",
            "train_converges": "the gradients are never zeroed"},
    ),
    "update_with_tracking_on_in_place": (
        [(UPDATE, "    for p in params:\n        p -= lr * p.grad\n        p.grad.zero_()\n")],
        1, {"sgd_step_update": "write it inside `with torch.no_grad():`",
            "train_converges": "write it inside `with torch.no_grad():`"},
    ),
    "update_with_tracking_on_rebinds": (
        [(STEP, "        w = w - lr * w.grad\n        b = b - lr * b.grad\n")],
        7, {"train_converges": "backward() fills .grad only for leaves"},
    ),
    "update_with_tracking_on_keeps_the_graph": (
        [(STEP, "        w = w - lr * w.grad\n        b = b - lr * b.grad\n        w.retain_grad()\n        b.retain_grad()\n")],
        11, {"train_no_graph_kept": "the returned w has a grad_fn (SubBackward0)"},
    ),
    "gradient_ascent": (
        [("            p -= lr * p.grad\n", "            p += lr * p.grad\n")],
        4, {"sgd_step_update": "the step went uphill", "train_loss_decreases": "that is gradient ascent"},
    ),
    "lr_ignored": (
        [("            p -= lr * p.grad\n", "            p -= p.grad\n")],
        4, {"sgd_step_update": "multiply it by lr", "train_converges": "the learning rate was ignored"},
    ),
    "update_rebinds_the_name": (
        [("            p -= lr * p.grad\n", "            p = p - lr * p.grad\n")],
        1, {"sgd_step_update": "the name p stands for a new tensor"},
    ),
    "zeroed_before_the_update": (
        [("            p -= lr * p.grad\n            p.grad.zero_()\n", "            p.grad.zero_()\n            p -= lr * p.grad\n")],
        4, {"sgd_step_update": "the parameters did not change", "train_loss_decreases": "the parameters never change"},
    ),
    "loss_rebuilt_from_a_number": (  # fairness 58: the parameters never move, and that is the loss's fault alone
        [("    return ((x @ w + b - y) ** 2).mean()\n",
          "    L = ((x @ w + b - y) ** 2).mean()\n    return torch.tensor(L.item(), requires_grad=True)\n"),
         ("            p -= lr * p.grad\n", "            if p.grad is None:\n                continue\n"
                                           "            p -= lr * p.grad\n")],
        5, {"loss_fn": "has no grad_fn", "train_one_step": "w and b got no gradient from any backward pass",
            "train_converges": "torch.tensor(loss.item(), requires_grad=True)"},
    ),
    "loss_rebuilt_from_a_number_meets_a_grad_of_none": (  # ... where sgd_step then meets p.grad = None
        [("    return ((x @ w + b - y) ** 2).mean()\n",
          "    L = ((x @ w + b - y) ** 2).mean()\n    return torch.tensor(L.item(), requires_grad=True)\n")],
        4, {"train_one_step": "a .grad was None: w and b got no gradient from any backward pass",
            # fairness 67: the hidden checks blamed `w = w - lr * w.grad` (the handout's w has one element, as many
            # as the rebuilt loss's leaf; and train_no_graph_kept did not ask loss_fn's reframing)
            "train_notebook_example": "w and b got no gradient from any backward pass",
            "train_no_graph_kept": "w and b got no gradient from any backward pass"},
    ),
    "lr_applied_twice": (  # fairness 58: the loss scaled by lr before backward, then a step of lr · grad
        [("        loss.backward()\n", "        (lr * loss).backward()\n")],
        7, {"train_one_step": "the step is lr² · grad", "train_converges": "lr was applied twice"},
    ),
    "losses_keep_their_graphs": (
        [("losses.append(loss.item())", "losses.append(loss)")],
        11, {"train_no_graph_kept": "record loss.item()"},
    ),
    "losses_kept_in_a_float_subclass_that_holds_the_tensor": (  # red team 76: a number only by its base class
        [("def train(", "class Recorded(float):\n    pass\n\n\ndef train("),
         ("losses.append(loss.item())", "record = Recorded(loss.item())\n        record.tensor = loss\n"
                                        "        losses.append(record)")],
        6, {"train_one_step": "the losses must be numbers", "train_converges": "the losses must be numbers"},
    ),
    "loss_sums_instead_of_averaging": (  # train is right: its checks say that loss_fn is to blame
        [("    return ((x @ w + b - y) ** 2).mean()\n", "    return ((x @ w + b - y) ** 2).sum()\n")],
        5, {"loss_fn": "a sum where a mean belongs", "train_one_step": "is your loss_fn's, which is wrong (loss_fn says "
            "how; expected", "train_converges": "train uses loss_fn, so fix loss_fn first; "},
    ),
    "loop_one_step_short": (  # fairness review: the count is train's checks' to fail, not train_no_graph_kept's too
        [("    for _ in range(steps):\n", "    for _ in range(1, steps):\n")],
        6, {"train_one_step": "losses for", "train_converges": "losses for"},
    ),
    "losses_recorded_after_the_update": (
        [("        losses.append(loss.item())\n        loss.backward()\n" + STEP,
          "        loss.backward()\n" + STEP + "        losses.append(loss_fn(x, y, w, b).item())\n")],
        6, {"train_one_step": "the losses are those after each update", "train_converges": "after each update"},
    ),
}


def test_solution_scores_full(grade_source):
    assert_solution_full(grade_source, SLUG, SOLUTION, 12)


def test_stub_scores_zero_without_crashing(grade_source):
    assert_stub_zero(grade_source, SLUG, SOLUTION)


@pytest.mark.parametrize("name", sorted(MISTAKES))
def test_common_mistake_gets_partial_score_and_diagnosis(grade_source, name):
    assert_mistake(grade_source, SLUG, SOLUTION, MISTAKES[name])


def test_clearing_with_none_is_as_good_as_zeroing(grade_source):
    """The handout accepts both ``p.grad.zero_()`` and ``p.grad = None``."""
    result = grade_source(SLUG, mutate(SOLUTION, ("            p.grad.zero_()\n", "            p.grad = None\n")))
    assert result.score == result.max_score, [c.feedback for c in result.checks if not c.passed]


LOOP_START = "    losses = []\n    for _ in range(steps):\n        loss = loss_fn(x, y, w, b)\n        losses.append(loss.item())\n"


@pytest.mark.parametrize("change", [
    ("        loss.backward()\n        sgd_step([w, b], lr)\n",
     "        (gw,) = torch.autograd.grad(loss, w, retain_graph=True)\n        (gb,) = torch.autograd.grad(loss, b)\n"
     "        with torch.no_grad():\n            w -= lr * gw\n            b -= lr * gb\n"),
    ("        loss.backward()\n", "        loss.backward(inputs=[w], retain_graph=True)\n        loss.backward(inputs=[b])\n"),
    ("        loss.backward()\n", "        loss.backward()\n        wc, bc = w.detach().clone().requires_grad_(), "
     "b.detach().clone().requires_grad_()\n        gw, gb = torch.autograd.grad(loss_fn(x, y, wc, bc), [wc, bc])\n"
     "        assert torch.allclose(gw, w.grad) and torch.allclose(gb, b.grad)\n"),
    ("        loss.backward()\n", "        gw, = torch.autograd.grad(loss, w, retain_graph=True)\n"
     "        gb, = torch.autograd.grad(loss, b, retain_graph=True)\n        norms = (gw.norm() ** 2 + gb.norm() ** 2).item()\n"
     "        loss.backward()\n"),
    ("        loss = loss_fn(x, y, w, b)\n        losses.append(loss.item())\n        loss.backward()\n",
     "        half = x.shape[0] // 2\n        parts = [loss_fn(x[:half], y[:half], w, b) * half / x.shape[0],\n"
     "                 loss_fn(x[half:], y[half:], w, b) * (x.shape[0] - half) / x.shape[0]]\n"
     "        for part in parts:\n            part.backward()\n        losses.append(sum(part.item() for part in parts))\n"),
], ids=["grad_of_each", "backward_into_each", "a_check_each_step", "norms_logged_each_step", "halves_accumulated"])
def test_more_passes_a_step_are_as_good_as_one(grade_source, change):
    """Red team 232: the gradients of w and of b taken in a pass each, a pass of the student's own beside each step's
    to check it, or the step's gradient accumulated over two halves of the data, each its share of the mean, lost 3 to
    5 points as "computing the updates by hand" (one pass had to deliver both gradients of the whole loss; the watch
    kept one pass a step and 32 more); red team 233: two more passes a step, logging the gradients' norms, past the
    two a step kept then."""
    assert_solution_full(grade_source, SLUG, mutate(SOLUTION, change), 12)


@pytest.mark.parametrize("change", [
    (LOOP_START, "    losses = torch.zeros(steps)\n    for step in range(steps):\n        loss = loss_fn(x, y, w, b)\n"
                 "        losses[step] = loss.item()\n"),
    ("    return losses, w, b\n", "    return torch.tensor(losses), w, b\n"),
], ids=["filled", "converted"])
def test_the_losses_in_a_tensor_of_numbers_are_as_good_as_a_list(grade_source, change):
    """The handout asks for a list; a 1-d tensor of the same numbers, without a graph, is written as often."""
    assert_solution_full(grade_source, SLUG, mutate(SOLUTION, change), 12)


@pytest.mark.parametrize("change", [
    (LOOP_START, "    losses = np.empty(steps)\n    for step in range(steps):\n        loss = loss_fn(x, y, w, b)\n"
                 "        losses[step] = loss.item()\n"),
    ("        losses.append(loss.item())\n", "        losses.append(loss.detach().numpy())\n"),
    ("        losses.append(loss.item())\n", "        losses.append(np.float32(loss.item()))\n"),
], ids=["numpy_array", "zero_d_arrays", "numpy_scalars"])
def test_the_losses_held_by_numpy_are_as_good_as_a_list(grade_source, change):
    """Fairness round 13: numpy is allowed, and a student who records losses in an array holds the same numbers."""
    assert_solution_full(grade_source, SLUG, "import numpy as np\n" + mutate(SOLUTION, change), 12)


@pytest.mark.parametrize("header, loop", [
    ("from tqdm import trange\n", "    for _ in trange(steps):\n"),
    ("from tqdm.auto import tqdm\n", "    for _ in tqdm(range(steps), desc='training', leave=False):\n"),
], ids=["trange", "auto"])
def test_a_progress_bar_over_the_training_loop_is_as_good_as_range(grade_source, header, loop):
    """Fairness round 23: ``from tqdm import trange`` in a training loop zeroed the whole exercise ("not installed where
    submissions are graded"); tqdm is installed with the grader, and its bar (on standard error) changes nothing."""
    source = header + mutate(SOLUTION, ("    for _ in range(steps):\n", loop))
    assert_solution_full(grade_source, SLUG, source, 12)


def test_an_update_of_every_parameter_at_once_is_as_good_as_a_loop(grade_source):
    """Fairness 28: ``torch._foreach_add_`` (the list-at-once arithmetic torch's optimizers run) is private by name
    only; the file that used it scored zero as one reaching torch's internals."""
    foreach = mutate(SOLUTION, (UPDATE, "    with torch.no_grad():\n"
                                        "        torch._foreach_add_(params, [p.grad for p in params], alpha=-lr)\n"
                                        "        for p in params:\n            p.grad.zero_()\n"))
    result = grade_source(SLUG, foreach)
    assert result.score == result.max_score, [c.feedback for c in result.checks if not c.passed]


def test_training_checks_are_cheap():
    """The probes bound their cost by their work, not a clock (a timed test flakes on a busy machine): small data
    (at most 100 numbers in x) and at most 200 steps a case, 1,200 in all, for the costliest checks; and the
    solution's probe runs every case without error."""
    import graders

    exercise, module = graders.find(SLUG), load_module(MODULE, SOLUTION)
    for name in ("train_converges", "train_notebook_example"):
        check = exercise.check(name)
        cases = grading.make_cases(exercise, check, 0)
        assert max(case["steps"] for case in cases) <= 200 and sum(case["steps"] for case in cases) <= 1200, name
        assert max(case["x"].numel() for case in cases) <= 100, name
        for case in cases:
            observed = check.probe(module, case)
            assert observed["train"]["exception"] is None and observed["losses"]["length"] == case["steps"], name


@settings(max_examples=4, deadline=None)
@given(seed=st.integers(0, 2**31 - 1))
def test_solution_passes_every_judge_for_any_seed(seed):
    """In-process (no sandbox): every check's judge accepts the solution's observations on fresh inputs.

    The float32 runs must stay within the recorded tolerances of the float64 replay for any data.
    """
    with counting_autograd():  # (train's check asks that it back-propagated)
        judge_every_check(SLUG, load_module(MODULE, SOLUTION), seed)


def test_handout_numbers_match_the_reference():
    from graders import exercise_6 as grader
    from graders.hidden import exercise_6 as hidden

    case = {**hidden.NOTEBOOK}
    losses, w, b, _ = grader.replay(case, steps=1)
    assert losses == [21.0] and w.item() == pytest.approx(0.85) and b.item() == pytest.approx(0.4)
    losses, w, b, _ = grader.replay(case)
    assert [round(v, 5) for v in losses[:4]] == [21.0, 7.05875, 2.37302, 0.7981]
    assert round(w.item(), 4) == 2.0001 and round(b.item(), 4) == 0.9999


def test_a_right_step_with_a_gradient_near_zero_passes():
    """Where every gradient is near 0, a flipped sign or a forgotten learning rate gives nearly the right step too:
    the judge names those mistakes only for a wrong result (the flaw exercises 4 and 5 had)."""
    import torch

    import graders
    from graders import exercise_6 as grader

    check = graders.find(SLUG).check("sgd_step_update")
    module = load_module(MODULE, SOLUTION)
    case = {"params": [torch.tensor([0.5, -1.0])], "grads": [torch.tensor([1e-7, -2e-7])], "lr": 0.1, "label": "tiny"}
    grader.judge_sgd_update(case, check.probe(module, case))  # raises Fail on the code before


def test_a_cause_in_loss_fn_is_counted_under_its_name_in_the_checks_it_fails(grade_source):
    """Walkthrough 69: a sum in loss_fn cost 1 point under sum-not-mean and 7 under wrong-value and not-finite in a
    class's report; the checks that send the student to fix loss_fn first carry its mistake."""
    result = grade_source(SLUG, mutate(SOLUTION, *MISTAKES["loss_sums_instead_of_averaging"][0]))
    checks = {c.name: c for c in result.checks}
    assert checks["loss_fn"].mistake == "sum-not-mean"
    sent = [c for c in result.checks if not c.passed and "fix loss_fn first" in c.feedback]
    assert sent and all(c.mistake == "sum-not-mean" for c in sent), {c.name: c.mistake for c in result.checks}
