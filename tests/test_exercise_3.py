"""Exercise 3 graded for real: solution (full), stub (zero) and named common mistakes."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings, strategies as st

from graders import exercise_3 as grader
from tests.conftest import (
    assert_mistake, assert_pasted_scores_under_half, assert_solution_full, assert_stub_zero, mutate, solution_text,
)

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
    "central_differences_of_the_layer_written_without_a_division": (  # red team 240: read at run time only
        [(MANUAL_RETURN,
          "    params, grads = [w.double(), b.double()], []\n    for k in range(2):\n"
          "        g = torch.zeros_like(params[k]).reshape(-1)\n        for i in range(g.numel()):\n"
          "            plus, minus = [p.clone() for p in params], [p.clone() for p in params]\n"
          "            plus[k].reshape(-1)[i] += 1e-6\n            minus[k].reshape(-1)[i] -= 1e-6\n"
          "            g[i] = (loss(layer(x.double(), *plus), y.double()) - loss(layer(x.double(), *minus), "
          "y.double())) * 5e5\n        grads.append(g.reshape(params[k].shape).to(w.dtype))\n"
          "    return grads[0], grads[1]\n")],
        9, {"parameter_gradients_manual_by_hand": "called layer() at a point a small step from its inputs"},
    ),
    "central_differences_of_the_loss": (  # red team 239: loss(layer(...)) at each parameter +- h
        [(MANUAL_RETURN,
          "    h, params, grads = 1e-6, [w.double(), b.double()], []\n    for k in range(2):\n"
          "        g = torch.zeros_like(params[k]).reshape(-1)\n        for i in range(g.numel()):\n"
          "            plus, minus = [p.clone() for p in params], [p.clone() for p in params]\n"
          "            plus[k].reshape(-1)[i] += h\n            minus[k].reshape(-1)[i] -= h\n"
          "            g[i] = (loss(layer(x.double(), *plus), y.double()) - loss(layer(x.double(), *minus), "
          "y.double())) / (2 * h)\n        grads.append(g.reshape(params[k].shape).to(w.dtype))\n"
          "    return grads[0], grads[1]\n")],
        9, {"parameter_gradients_manual_by_hand": "divides by a small step (a finite difference)"},
    ),
    "loss_is_complex": (  # red team 234: float() of it failed the judge ("could not read what your code reported")
        [("    return torch.nn.functional.binary_cross_entropy_with_logits(z, y)\n",
          "    return torch.nn.functional.binary_cross_entropy_with_logits(z, y).to(torch.complex64)\n")],
        4, {"loss_values": "loss(z, y) is a complex tensor (complex64), expected real numbers"},
    ),
    "gradients_by_hand_under_no_grad": (  # red team 125: w.grad and b.grad set from the manual function
        [(GRADS, "    with torch.no_grad():\n        z = x @ w + b\n        delta = (torch.sigmoid(z) - y) / z.numel()\n"
                 "        rows, deltas = x.reshape(-1, x.shape[-1]), delta.reshape(-1, delta.shape[-1])\n"
                 "        w.grad, b.grad = rows.T @ deltas, deltas.sum(dim=0)\n    return w.grad, b.grad\n")],
        9, {"parameter_gradients_fills_grad": "no backward pass delivered w.grad after parameter_gradients"},
    ),
    "gradients_by_hand_carried_by_backward_whose_value_loss_repeats": (  # red team 134: loss, called again after
        [(GRADS, "    with torch.no_grad():\n        z = x @ w + b\n        delta = (torch.sigmoid(z) - y) / z.numel()\n"
                 "        rows, deltas = x.reshape(-1, x.shape[-1]), delta.reshape(-1, delta.shape[-1])\n"
                 "        gw, gb = rows.T @ deltas, deltas.sum(dim=0)\n    courier = (w * gw).sum() + (b * gb).sum()\n"
                 "    courier.backward()\n    _STATE['value'] = float(courier)\n    return w.grad, b.grad\n"),
         (LOSS, "    if _STATE['value'] is not None:\n        value, _STATE['value'] = _STATE['value'], None\n"
                "        return torch.tensor(value, dtype=z.dtype)\n" + LOSS),  # parameter_gradients, its courier's value
         ("def loss(", "_STATE = {'value': None}\n\n\ndef loss(")],
        9, {"parameter_gradients_fills_grad": "is not what a backward pass from L delivered"},
    ),
    "bce_on_raw_logits": (
        [loss_returns("torch.nn.functional.binary_cross_entropy(z, y)")],
        4, {"loss_values": "was given the raw logits z", "parameter_gradients_w": "use binary_cross_entropy_with_logits"},
    ),
    "sigmoid_applied_twice": (
        [loss_returns("torch.nn.functional.binary_cross_entropy_with_logits(torch.sigmoid(z), y)")],
        5, {"loss_values": "the sigmoid is applied twice", "parameter_gradients_b": "the sigmoid is applied twice"},
    ),
    "reduction_sum": (
        [loss_returns("torch.nn.functional.binary_cross_entropy_with_logits(z, y, reduction='sum')")],
        5, {"loss_values": "the sum over the N = 3 elements, not the mean",
            "parameter_gradients_w": "summed loss, N = 3 times too large: the loss is the mean (reduction='mean'"},
    ),
    "reduction_none": (
        [loss_returns("torch.nn.functional.binary_cross_entropy_with_logits(z, y, reduction='none')")],
        4, {"loss_values": "one value per element, so the mean is missing",
            "parameter_gradients_w": "the loss must be the mean over all elements"},
    ),
    "arguments_swapped": (
        [loss_returns("torch.nn.functional.binary_cross_entropy_with_logits(y, z)")],
        5, {"loss_values": "the arguments are swapped", "parameter_gradients_w": "the arguments are swapped"},
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
        3, {"layer_values": "the bias b is missing", "parameter_gradients_b": "b_grad, the second value returned, is None"},
    ),
    "backward_twice": (
        [(GRADS, "    value = loss(layer(x, w, b), y)\n    value.backward(retain_graph=True)\n    value.backward()\n"
                 "    return w.grad, b.grad\n")],
        8, {"parameter_gradients_w": "exactly twice the expected value", "parameter_gradients_b": "gradients accumulated"},
    ),
    "gradients_of_copies": (
        [(GRADS, "    w = w.detach().clone().requires_grad_()\n    b = b.detach().clone().requires_grad_()\n" + GRADS)],
        9, {"parameter_gradients_fills_grad": "w.grad of the w passed in is still None"},
    ),
    "gradients_as_numpy": (
        [("    return w.grad, b.grad\n", "    return w.grad.numpy(), b.grad.numpy()\n")],
        8, {"parameter_gradients_w": "w_grad is a numpy.ndarray, expected a torch.Tensor"},
    ),
    "manual_w_grad_transposed": (
        [(MANUAL_RETURN, "    return (rows.T @ deltas).T, deltas.sum(dim=0)\n")],
        7, {"parameter_gradients_manual_values": "the result is transposed",
            "parameter_gradients_manual_by_hand": "the result is transposed"},
    ),
    "manual_right_only_for_one_input": (
        [(BATCH + MANUAL_RETURN, "    return torch.outer(x, delta), delta\n")],
        7, {"parameter_gradients_manual_values": "use a matrix product, which sums over the batch"},
    ),
    "manual_b_grad_not_summed_over_batch": (
        [(MANUAL_RETURN, "    return rows.T @ deltas, delta\n")],
        7, {"parameter_gradients_manual_values": "b_grad of parameter_gradients_manual(x, y, w, b) has shape (2, 3)"},
    ),
    "manual_delta_not_divided_by_n": (  # walkthrough 68: told of reduction='sum', which it never wrote
        [("    delta = (torch.sigmoid(z) - y) / z.numel()\n", "    delta = torch.sigmoid(z) - y\n")],
        7, {"parameter_gradients_manual_values": "N = 3 times too large: the loss is the mean (reduction='mean'; by "
                                                 "hand, divide δ by N = 3)"},
    ),
    "manual_dot_product_for_a_single_input": (  # walkthrough 68: torch's size error, with no hint
        [("    rows, deltas = x.reshape(-1, x.shape[-1]), delta.reshape(-1, delta.shape[-1])  # a single input is a batch of 1\n"
          "    return rows.T @ deltas, deltas.sum(dim=0)\n",
          "    if x.dim() == 1:\n        return x.T @ delta, delta\n    return x.T @ delta, delta.sum(dim=0)\n")],
        7, {"parameter_gradients_manual_values": "x.T is x itself, so x.T @ δ is a dot product; take torch.outer(x, δ)"},
    ),
    "layer_in_float64": (  # walkthrough 68: layer's .double() met float32 x in the by-hand function, torch's words alone
        [("    return torch.matmul(x, w) + b\n", "    return (torch.matmul(x, w) + b).double()\n")],
        7, {"parameter_gradients_manual_values": "a float32 tensor met a float64 one: keep every tensor in the "
                                                    "inputs' dtype"},
    ),
    "manual_divides_by_outputs": (
        [("/ z.numel()", "/ z.shape[-1]")],
        7, {"parameter_gradients_manual_values": "divided by the number of outputs z.shape[-1] = 3 instead of N"},
    ),
    "manual_uses_raw_logits": (
        [("(torch.sigmoid(z) - y)", "(z - y)")],
        7, {"parameter_gradients_manual_values": "δ uses the raw logits z instead of σ(z)",
            "parameter_gradients_manual_by_hand": "δ uses the raw logits z"},
    ),
    "manual_without_mean": (
        [("(torch.sigmoid(z) - y) / z.numel()", "(torch.sigmoid(z) - y)")],
        7, {"parameter_gradients_manual_values": "N = 3 times too large"},
    ),
    "manual_uses_autograd": (
        [(MANUAL_START, "    w, b = w.clone().requires_grad_(), b.clone().requires_grad_()\n"
                        "    with torch.enable_grad():\n        loss(layer(x, w, b), y).backward()\n"
                        "    return w.grad, b.grad\n" + MANUAL_START)],
        9, {"parameter_gradients_manual_by_hand": "parameter_gradients_manual calls .backward() at line 96: compute "
                                                  "the derivative from the chain rule"},
    ),
    "manual_mean_over_the_batch": (
        [(MANUAL_RETURN, "    return rows.T @ deltas, deltas.mean(dim=0)\n")],
        7, {"parameter_gradients_manual_values": "b_grad of parameter_gradients_manual(x, y, w, b) is wrong — it is "
                                                 "1/2 of the gradient: the batch's 2 rows were averaged"},
    ),
    "pasted_notebook_numbers": (
        [(GRADS, NOTEBOOK_GRAD), (MANUAL_START, NOTEBOOK_GRAD + MANUAL_START)],
        4, {"parameter_gradients_w": "w_grad has shape (5, 3), expected (4, 3)", "parameter_gradients_b": "is wrong"},
    ),
}


# Right, written another way than the solution: full marks.
CORRECT_ALTERNATIVES = {
    "backward_on_copies_of_another_shape_put_back": [  # fairness 31: b as a row, w flattened
        (GRADS, "    wc = w.detach().reshape(-1).clone().requires_grad_()\n"
                "    bc = b.detach().unsqueeze(0).clone().requires_grad_()\n"
                "    loss(layer(x, wc.reshape(w.shape), bc.squeeze(0)), y).backward()\n"
                "    w.grad, b.grad = wc.grad.reshape(w.shape), bc.grad.reshape(b.shape)\n    return w.grad, b.grad\n")],
    "returns_copies_of_the_grads": [(GRADS, "    loss(layer(x, w, b), y).backward()\n"
                                            "    return w.grad.clone(), b.grad.clone()\n")],
    "autograd_grad_stored_in_grad": [(GRADS, "    w.grad, b.grad = torch.autograd.grad(loss(layer(x, w, b), y), (w, b))\n"
                                             "    return w.grad, b.grad\n")],
    "torch_func_grad_stored_in_grad": [(GRADS, "    w.grad, b.grad = torch.func.grad(lambda w_, b_: loss(layer(x, w_, b_), y),"
                                               " argnums=(0, 1))(w, b)\n    return w.grad, b.grad\n")],
    "an_nn_linear_whose_grads_are_copied_back": [(GRADS, (
        "    model = torch.nn.Linear(w.shape[0], w.shape[1], dtype=w.dtype)\n    with torch.no_grad():\n"
        "        model.weight.copy_(w.T)\n        model.bias.copy_(b)\n"
        "    torch.nn.functional.binary_cross_entropy_with_logits(model(x), y).backward()\n"
        "    w.grad = model.weight.grad.T.clone()\n    b.grad = model.bias.grad.clone()\n    return w.grad, b.grad\n"))],
    "autograd_functional_vjp_stored_in_grad": [(GRADS, (
        "    _, (w.grad, b.grad) = torch.autograd.functional.vjp(lambda w_, b_: loss(layer(x, w_, b_), y), (w, b))\n"
        "    return w.grad, b.grad\n"))],
    "one_backward_per_sample": [(GRADS, (
        "    if x.dim() == 1:\n        loss(layer(x, w, b), y).backward()\n        return w.grad, b.grad\n"
        "    for i in range(x.shape[0]):\n        (loss(layer(x[i], w, b), y[i]) / x.shape[0]).backward()\n"
        "    return w.grad, b.grad\n"))],
    "returns_a_list": [(GRADS, "    loss(layer(x, w, b), y).backward()\n    return [w.grad, b.grad]\n")],
}


def test_solution_scores_full(grade_source):
    assert_solution_full(grade_source, SLUG, SOLUTION, 10)


def test_stub_scores_zero_without_crashing(grade_source):
    assert_stub_zero(grade_source, SLUG, SOLUTION)


@pytest.mark.parametrize("name", sorted(MISTAKES))
def test_common_mistake_gets_partial_score_and_diagnosis(grade_source, name):
    assert_mistake(grade_source, SLUG, SOLUTION, MISTAKES[name])


@pytest.mark.parametrize("name", sorted(CORRECT_ALTERNATIVES))
def test_correct_alternative_gets_full_marks(grade_source, name):
    assert_solution_full(grade_source, SLUG, mutate(SOLUTION, *CORRECT_ALTERNATIVES[name]), 10)


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


def test_the_references_gradient_at_a_logit_of_exactly_zero_is_torchs():
    """Fairness 64: ``clamp(min=0)`` in the stable form gave autograd's gradient 1 - y at z = 0, where it is
    sigmoid(0) - y = 0.5 - y; a case with a logit of exactly 0 would have failed the right answer."""
    z = torch.tensor([0.0, 0.0, 2.0, -3.0], dtype=torch.float64, requires_grad=True)
    y = torch.tensor([0.0, 1.0, 1.0, 0.0], dtype=torch.float64)
    ours, = torch.autograd.grad(grader.bce_with_logits(z, y), z)
    theirs, = torch.autograd.grad(F.binary_cross_entropy_with_logits(z, y), z)
    torch.testing.assert_close(ours, theirs)


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


# -- by hand: judged by what the code is (autograd_exercises/judge/static.py) ------------------------

HEADER = "def parameter_gradients_manual(x, y, w, b):"
MANUAL = ("    z = layer(x, w, b)\n    delta = (torch.sigmoid(z) - y) / z.numel()\n" + BATCH + MANUAL_RETURN)
IMPORTS = "import torch\n"
LEAVES = "    w, b = w.detach().clone().requires_grad_(), b.detach().clone().requires_grad_()\n"
L = "loss(layer(x, w, b), y)"  # the loss as a function of w and b, for autograd's functional forms
# torch.func and forward_ad import torch._dynamo on first use, which makes a cache folder in /tmp, where the
# sandbox lets nothing write: point it at the scratch folder, so that only the by-hand reading decides.
SCRATCH_CACHE = (IMPORTS, IMPORTS + "import os\n\nos.environ['TORCHINDUCTOR_CACHE_DIR'] = os.getcwd()\n")
WALK = (  # back-propagation by calling autograd's graph nodes directly: no backward(), no torch.autograd
    "    def walk(node, grad, found):\n"
    "        if node is None:\n"
    "            return\n"
    "        if hasattr(node, 'variable'):\n"
    "            key = id(node.variable)\n"
    "            found[key] = found.get(key, 0) + grad.sum_to_size(node.variable.shape)\n"
    "            return\n"
    "        outs = node(grad)\n"
    "        for (child, _), g in zip(node.next_functions, outs if isinstance(outs, tuple) else (outs,)):\n"
    "            if g is not None:\n"
    "                walk(child, g, found)\n")
FORWARD_AD = (  # one forward-mode pass per element of w and b
    "    import torch.autograd.forward_ad as fwAD\n\n    grads = []\n    with fwAD.dual_level():\n"
    "        for p in (w, b):\n            g = torch.zeros_like(p)\n            for i in range(p.numel()):\n"
    "                t = torch.zeros_like(p)\n                t.view(-1)[i] = 1\n"
    "                dw = fwAD.make_dual(w, t) if p is w else w\n                db = fwAD.make_dual(b, t) if p is b else b\n"
    "                g.view(-1)[i] = fwAD.unpack_dual(loss(layer(x, dw, db), y)).tangent\n"
    "            grads.append(g)\n    return tuple(grads)\n")


def helper(source: str) -> tuple[str, str]:
    """A module-level helper defined just above the by-hand function."""
    return HEADER, f"{source}\n\n{HEADER}"


# Right values, computed with autograd in each way the reading must see: only the by-hand point (1) is lost.
# name: (mutations, fragment of parameter_gradients_manual_by_hand's feedback)
BY_HAND_AUTOGRAD = {  # (__import__, eval, a computed getattr: the whole file is not run, test_exercise_1.DOORS)
    "backward": (
        [(MANUAL, LEAVES + f"    {L}.backward()\n    return w.grad, b.grad\n")],
        "parameter_gradients_manual calls .backward() at line 95: compute the derivative from the chain rule",
    ),
    "autograd_grad": (
        [(MANUAL, LEAVES + f"    return torch.autograd.grad({L}, (w, b))\n")],
        "uses torch.autograd at line 95",
    ),
    "calls_graph_nodes": (
        [(MANUAL, LEAVES + WALK + f"    found = {{}}\n    out = {L}\n    walk(out.grad_fn, torch.ones_like(out), found)\n"
                  "    return found[id(w)].detach(), found[id(b)].detach()\n")],
        "walks autograd's graph",
    ),
    "functional_jacobian": (
        [(MANUAL, f"    return torch.autograd.functional.jacobian(lambda w, b: {L}, (w, b))\n")],
        "asks torch for a jacobian",
    ),
    "torch_func_grad": (
        [SCRATCH_CACHE, (MANUAL, f"    return torch.func.grad(lambda w, b: {L}, argnums=(0, 1))(w, b)\n")],
        "uses torch.func",
    ),
    "forward_ad": ([SCRATCH_CACHE, (MANUAL, FORWARD_AD)], "imports torch.autograd.forward_ad"),
    "helper_calls_backward": (
        [helper("def _gradients(x, y, w, b):\n" + LEAVES + f"    {L}.backward()\n    return w.grad, b.grad\n\n"),
         (MANUAL, "    return _gradients(x, y, w, b)\n")],
        "(in helper _gradients)",
    ),
    "module_level_alias": (
        [(IMPORTS, IMPORTS + "from torch.autograd import grad as g\n"),
         helper("def _gradients(x, y, w, b):\n" + LEAVES + f"    return g({L}, (w, b))\n\n"),
         (MANUAL, "    return _gradients(x, y, w, b)\n")],
        "uses torch.autograd.grad (imported as g at line 45)",
    ),
    "nn_grad_kernel": (  # red team 219: autograd's convolution_backward behind torch.nn.grad computes xᵀδ and Σδ
        [(BATCH + MANUAL_RETURN,
          BATCH + "    gw = torch.nn.grad.conv1d_weight(rows.unsqueeze(-1), (w.shape[1], w.shape[0], 1), "
                  "deltas.unsqueeze(-1))\n"
                  "    ones = torch.ones(rows.shape[0], 1, 1, dtype=rows.dtype)\n"
                  "    gb = torch.nn.grad.conv1d_weight(ones, (w.shape[1], 1, 1), deltas.unsqueeze(-1))\n"
                  "    return gw.squeeze(-1).T, gb.reshape(-1)\n")],
        "uses conv1d_weight, one of autograd's own derivative kernels at line 97",
    ),
}

# Right values by hand, written the ways students write them: full marks.
BY_HAND_CORRECT = {
    "a_closure_named_as_its_maker_names_it_beside_top_level_autograd": [  # fairness 28
        helper("def make_backprop(axis):\n    def backprop(x, delta):\n        xs = x.reshape(-1, x.shape[-1])\n"
               "        ds = delta.reshape(-1, delta.shape[axis])\n        return xs.T @ ds, ds.sum(0)\n"
               "    return backprop\n\n\nbackprop = make_backprop(-1)\n"
               "_w, _b = torch.zeros(2, 1, requires_grad=True), torch.zeros(1, requires_grad=True)\n"
               "print(parameter_gradients(torch.ones(2), torch.ones(1), _w, _b))\n\n\n"),
        (BATCH + MANUAL_RETURN, "    return backprop(x, delta)\n")],
    "helper_function": [helper("def _delta(z, y):\n    return (torch.sigmoid(z) - y) / z.numel()\n\n"),
                        ("    delta = (torch.sigmoid(z) - y) / z.numel()\n", "    delta = _delta(z, y)\n")],
    "numpy": [(MANUAL, "    import numpy as np\n\n    xs, ys, ws, bs = (t.numpy() for t in (x, y, w, b))\n"
                       "    z = xs @ ws + bs\n    delta = (1 / (1 + np.exp(-z)) - ys) / z.size\n"
                       "    rows, deltas = xs.reshape(-1, xs.shape[-1]), delta.reshape(-1, delta.shape[-1])\n"
                       "    return torch.as_tensor(rows.T @ deltas), torch.as_tensor(deltas.sum(axis=0))\n")],
    "in_place_ops": [("    delta = (torch.sigmoid(z) - y) / z.numel()\n",
                      "    delta = torch.sigmoid(z)\n    delta.sub_(y).div_(z.numel())\n")],
    "lambda": [helper("sigmoid = lambda z: 1 / (1 + torch.exp(-z))\n\n"),
               ("(torch.sigmoid(z) - y) / z.numel()", "(sigmoid(z) - y) / z.numel()")],
    "for_loop_over_the_batch": [(BATCH + MANUAL_RETURN,
                                 "    w_grad, b_grad = torch.zeros_like(w), torch.zeros_like(b)\n"
                                 "    for row, d in zip(x.reshape(-1, x.shape[-1]), delta.reshape(-1, delta.shape[-1])):\n"
                                 "        w_grad += torch.outer(row, d)\n        b_grad += d\n    return w_grad, b_grad\n")],
}


@pytest.mark.parametrize("name", sorted(BY_HAND_AUTOGRAD))
def test_autograd_in_the_by_hand_function_loses_only_the_by_hand_point(grade_source, name):
    mutations, fragment = BY_HAND_AUTOGRAD[name]
    assert_mistake(grade_source, SLUG, SOLUTION, (mutations, 9, {"parameter_gradients_manual_by_hand": fragment}))


@pytest.mark.parametrize("name", sorted(BY_HAND_CORRECT))
def test_by_hand_written_as_students_write_it_gets_full_marks(grade_source, name):
    assert_solution_full(grade_source, SLUG, mutate(SOLUTION, *BY_HAND_CORRECT[name]), 10)


# Honest by-hand code in a class with an autograd method it never calls (judge/methods.py): full marks.
ONE_CLASS_BOTH_WAYS = '''\
import torch
import torch.nn.functional as F


class Logistic:
    """One linear layer + BCE, with gradients two ways."""

    def __init__(self, w, b):
        self.w, self.b = w, b

    def logits(self, x):
        return x @ self.w + self.b

    def autograd_grads(self, x, y):
        L = F.binary_cross_entropy_with_logits(self.logits(x), y)
        L.backward()
        return self.w.grad, self.b.grad

    def manual_grads(self, x, y):
        z = self.logits(x)
        delta = (torch.sigmoid(z) - y) / z.numel()
        if x.dim() == 1:
            return torch.outer(x, delta), delta
        return x.T @ delta, delta.sum(dim=0)


def layer(x, w, b):
    return Logistic(w, b).logits(x)


def loss(z, y):
    return F.binary_cross_entropy_with_logits(z, y)


def parameter_gradients(x, y, w, b):
    return Logistic(w, b).autograd_grads(x, y)


def parameter_gradients_manual(x, y, w, b):
    return Logistic(w, b).manual_grads(x, y)
'''


def test_a_class_with_an_autograd_method_beside_the_by_hand_one_keeps_the_point(grade_source):
    assert_solution_full(grade_source, SLUG, ONE_CLASS_BOTH_WAYS, 10)
