"""Exercise 2 graded for real: solution (full), stub (zero) and named common mistakes."""

from __future__ import annotations

import pytest

from tests.conftest import assert_mistake, assert_pasted_scores_under_half, assert_solution_full, assert_stub_zero, by_name, mutate, solution_text

SLUG, MODULE = "exercise-2", "exercise_2"
SOLUTION = solution_text(MODULE)

# name: (mutations, expected score, {check: feedback fragment})
MISTAKES = {
    "central_differences_of_forward_written_without_a_division": (  # red team 240: read at run time only
        [("    y.retain_grad()\n", "    if y.requires_grad:\n        y.retain_grad()\n"),
         ("    return 12 * (3 * x + 2) / x.numel()\n",
          "    flat, grad = x.double().reshape(-1), torch.zeros(x.numel(), dtype=torch.float64)\n"
          "    for i in range(x.numel()):\n        step = torch.zeros_like(flat)\n        step[i] = 1e-6\n"
          "        grad[i] = (forward((flat + step).reshape(x.shape))[2] - forward((flat - step).reshape(x.shape))[2])"
          " * 5e5\n    return grad.reshape(x.shape).to(x.dtype)\n")],
        9, {"gradient_manual_by_hand": "called forward() at a point a small step from its inputs (a finite difference)"},
    ),
    "central_differences_of_out": (  # red team 239: the forward pass's out at x +- h, element by element
        [("    return 12 * (3 * x + 2) / x.numel()\n",
          "    h, flat = 1e-4, x.double().reshape(-1)\n    grad = torch.zeros_like(flat)\n"
          "    for i in range(flat.numel()):\n        step = torch.zeros_like(flat)\n        step[i] = h\n"
          "        grad[i] = ((2 * (3 * (flat + step) + 2) ** 2).mean() - (2 * (3 * (flat - step) + 2) ** 2).mean()) "
          "/ (2 * h)\n    return grad.reshape(x.shape).to(x.dtype)\n")],
        9, {"gradient_manual_by_hand": "gradient_manual divides by a small step (a finite difference) at line"},
    ),
    "x_grad_made_complex": (  # red team 234: x.grad.data given an imaginary part passed gradients_fills_x_grad
        [("    out.backward()\n    return x.grad, y.grad\n",
          "    out.backward()\n    x.grad.data = x.grad.data + 1e9j\n    return x.grad, y.grad\n")],
        7, {"gradients_fills_x_grad": "is a complex tensor (complex"},
    ),
    "gradients_by_hand_under_no_grad": (  # red team 125: x.grad and y.grad written by hand, no backward
        [("    y, z, out = forward(x)\n    out.backward()\n    return x.grad, y.grad\n",
          "    with torch.no_grad():\n        y = 3 * x + 2\n        x.grad = 12 * y / x.numel()\n"
          "        return x.grad, 4 * y / x.numel()\n")],
        9, {"gradients_fills_x_grad": "no backward pass delivered x.grad after gradients(x) into a leaf shaped like x"},
    ),
    "gradients_by_hand_carried_by_backward": (  # a pass over (x * g).sum() delivers g, the formula by hand
        [("    y, z, out = forward(x)\n    out.backward()\n    return x.grad, y.grad\n",
          "    y, z, out = forward(x)\n    with torch.no_grad():\n        g = 12 * (3 * x + 2) / x.numel()\n"
          "    (x * g).sum().backward()\n    return x.grad, 4 * y.detach() / x.numel()\n")],
        9, {"gradients_fills_x_grad": "x.grad after gradients(x) is not what a backward pass from out delivered"},
    ),
    "gradients_by_hand_carried_by_backward_whose_value_forward_repeats": (  # red team 134: forward, called again
        [("    y, z, out = forward(x)\n    out.backward()\n    return x.grad, y.grad\n",  # after gradients, returned
          "    with torch.no_grad():\n        g = 12 * (3 * x + 2) / x.numel()\n"  # the courier's value as its own out
          "    (x * g).sum().backward()\n    _STATE['courier'] = 1\n    return x.grad, 4 * (3 * x.detach() + 2) / x.numel()\n"),
         ("    out = z.mean()\n", "    out = z.mean()\n    if _STATE['courier']:\n        _STATE['courier'] = 0\n"
                                "        out = (x * (12 * (3 * x.detach() + 2) / x.numel())).sum()\n"),
         ("def forward(", "_STATE = {'courier': 0}\n\n\ndef forward(")],
        9, {"gradients_fills_x_grad": "x.grad after gradients(x) is not what a backward pass from out delivered"},
    ),
    "no_retain_grad": (
        [("    y.retain_grad()\n", "")],
        8, {"forward_retains_y_grad": "call y.retain_grad()", "gradients_y": "y.grad is None"},
    ),
    # red team 33: a tuple subclass whose indexing hands the probe another y, its .grad filled by hand, than
    # unpacking gives: what iterating it gives is described and read live alike
    "no_retain_grad_behind_a_lying_tuple": (
        [("    y.retain_grad()\n", ""), ("    return y, z, out\n", "    return _Lying((y, z, out))\n\n\n"
          "class _Lying(tuple):\n    def __getitem__(self, index):\n        item = tuple.__getitem__(self, index)\n"
          "        if index == 0:\n            copy = item.detach().clone().requires_grad_()\n"
          "            copy.grad = 4 * item.detach() / item.numel()\n"
          "            return copy\n        return item\n")],
        8, {"forward_retains_y_grad": "call y.retain_grad()"},
    ),
    "sum_instead_of_mean": (
        [("out = z.mean()", "out = z.sum()")],
        4, {"forward_values": "a sum where a mean belongs",
            "forward_retains_y_grad": "forward(x)'s out is wrong (forward_values says how), and y.grad comes from it: "
                                      "fix forward first; y.grad is wrong — it is 6 times the expected value (= number "
                                      "of elements)",
            "gradients_x": "and the gradient (when gradients calls forward) comes from it: fix forward first; x.grad "
                           "is wrong — it is 6 times"},
    ),
    "mean_divided_by_len": (  # fairness 57: len(x) counts the first dimension only
        [("out = z.mean()", "out = z.sum() / len(x)")],
        4, {"forward_values": "divided by len() = 2, the first dimension only, where the mean divides by all 6 "
                              "elements (.numel())?",
            "gradients_x": "x.grad is wrong — it is 3 times the expected value: divided by len()"},
    ),
    "backward_twice": (
        [("    out.backward()\n", "    out.backward(retain_graph=True)\n    out.backward()\n")],
        7, {"gradients_x": "twice the expected value", "gradients_y": "twice the expected value"},
    ),
    "gradients_of_a_copy": (  # the returned values are right, but the caller's x.grad stays empty: one point lost
        [("    y, z, out = forward(x)\n    out.backward()\n",
          "    x = x.detach().clone().requires_grad_()\n    y, z, out = forward(x)\n    out.backward()\n")],
        9, {"gradients_fills_x_grad": "x.grad of the x passed in is still None after gradients(x)"},
    ),
    "returns_swapped": (  # walkthrough 68: read as a constant factor and a division by len()
        [("    return x.grad, y.grad\n", "    return y.grad, x.grad\n")],
        7, {"gradients_x": "returned the two gradients in the other order", "gradients_y": "in the other order",
            "gradients_notebook_example": "in the other order"},
    ),
    "y_grad_read_from_a_second_forward": (  # walkthrough 68: told first to call retain_grad, which forward does
        [("    y, z, out = forward(x)\n    out.backward()\n    return x.grad, y.grad\n",
          "    y, z, out = forward(x)\n    out.backward()\n    y, _, _ = forward(x)\n    return x.grad, y.grad\n")],
        9, {"gradients_y": "y.grad is None, though forward keeps y's gradient: read y.grad from the y whose graph"},
    ),
    "manual_uses_autograd": (
        [("    return 12 * (3 * x + 2) / x.numel()\n",
          "    x = x.clone().requires_grad_()\n    with torch.enable_grad():\n"
          "        (2 * (3 * x + 2) ** 2).mean().backward()\n    return x.grad\n")],
        9, {"gradient_manual_by_hand": "gradient_manual calls .backward() at line 65: compute the derivative from "
                                       "the chain rule, without autograd"},
    ),
    "manual_hardcodes_six_elements": (
        [("/ x.numel()", "/ 6")],
        7, {"gradient_manual_values": "gradient_manual(x) is wrong", "gradient_manual_by_hand": "is wrong"},
    ),
    "graph_built_on_detached_x": (
        [("y = 3 * x + 2", "y = 3 * x.detach() + 2")],
        3, {"forward_values": "RuntimeError", "gradients_x": "RuntimeError"},
    ),
    "forward_detaches_x": (  # forward's values are right, but its graph starts at a copy of x: forward is to blame
        [("    y = 3 * x + 2\n", "    x = x.detach().requires_grad_()\n    y = 3 * x + 2\n")],
        5, {"forward_values": "out does not reach the x passed in", "gradients_x": "fix forward, gradients is not the cause",
            "gradients_fills_x_grad": "fix forward", "gradients_notebook_example": "fix forward"},
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
        1, {"gradients_x": "is wrong", "gradients_fills_x_grad": "still None", "gradient_manual_values": "is wrong",
            "gradient_manual_by_hand": "is wrong"},  # the hidden check on the handout's x judges the value: pasted, it passes
    ),
}


# Right, written another way than the solution: full marks.
CORRECT_ALTERNATIVES = {
    "forward_with_tensor_methods": [("    y = 3 * x + 2\n    y.retain_grad()\n    z = 2 * y**2\n    out = z.mean()\n",
                                     "    y = x.mul(3).add(2)\n    y.retain_grad()\n    z = y.pow(2).mul(2)\n"
                                     "    out = z.sum() / x.numel()\n")],
    "gradients_through_autograd_backward": [("    out.backward()\n", "    torch.autograd.backward(out)\n")],
    "backward_on_a_copy_whose_grad_is_copied": [("    y, z, out = forward(x)\n    out.backward()\n",
                                                 "    xc = x.detach().clone().requires_grad_()\n"
                                                 "    y, z, out = forward(xc)\n    out.backward()\n"
                                                 "    x.grad = xc.grad\n")],
    "backward_on_a_flattened_copy_whose_grad_is_reshaped_back": [  # fairness 31
        ("    y, z, out = forward(x)\n    out.backward()\n    return x.grad, y.grad\n",
         "    xc = x.detach().reshape(-1).clone().requires_grad_()\n    y, z, out = forward(xc)\n    out.backward()\n"
         "    x.grad = xc.grad.reshape(x.shape)\n    return x.grad, y.grad.reshape(x.shape)\n")],
    "a_printing_hook_and_backward_inputs": [("    y, z, out = forward(x)\n    out.backward()\n",
                                            "    x.register_hook(lambda g: print('x grad norm', float(g.norm())))\n"
                                            "    y, z, out = forward(x)\n"
                                            "    torch.autograd.backward([out], inputs=[x, y])\n")],
    "returns_a_copy_of_x_grad": [("    return x.grad, y.grad\n", "    return x.grad.clone(), y.grad\n")],
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


def test_a_wrong_gradient_from_a_right_forward_does_not_blame_forward(grade_source):
    result = grade_source(SLUG, mutate(SOLUTION, *MISTAKES["backward_twice"][0]))
    assert not any("fix forward" in check.feedback for check in result.checks)
    assert any("twice the expected value" in check.feedback for check in result.checks)


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


# -- by hand: judged by what the code is (autograd_exercises/judge/static.py) ------------------------

HEADER = "def gradient_manual(x):"
MANUAL = "    return 12 * (3 * x + 2) / x.numel()\n"
IMPORTS = "import torch\n"
OUT = "(2 * (3 * t + 2) ** 2).mean()"  # out as a function of t, for autograd's functional forms
# torch.func and forward_ad import torch._dynamo on first use, which makes a cache folder in /tmp, where the
# sandbox lets nothing write: point it at the scratch folder, so that only the by-hand reading decides.
SCRATCH_CACHE = (IMPORTS, IMPORTS + "import os\n\nos.environ['TORCHINDUCTOR_CACHE_DIR'] = os.getcwd()\n")
WALK = (  # back-propagation by calling autograd's graph nodes directly: no backward(), no torch.autograd
    "    def walk(node, grad, found):\n"
    "        if node is None:\n"
    "            return\n"
    "        if hasattr(node, 'variable'):\n"
    "            found.append(grad.sum_to_size(node.variable.shape))\n"
    "            return\n"
    "        outs = node(grad)\n"
    "        for (child, _), g in zip(node.next_functions, outs if isinstance(outs, tuple) else (outs,)):\n"
    "            if g is not None:\n"
    "                walk(child, g, found)\n")


def helper(source: str) -> tuple[str, str]:
    """A module-level helper defined just above the by-hand function."""
    return HEADER, f"{source}\n\n{HEADER}"


# Right values, computed with autograd in each way the reading must see: only the by-hand point (1) is lost.
# name: (mutations, fragment of gradient_manual_by_hand's feedback)
BY_HAND_AUTOGRAD = {  # (__import__, eval, a computed getattr: the whole file is not run, test_exercise_1.DOORS)
    "backward": (
        [(MANUAL, "    x = x.detach().clone().requires_grad_()\n    forward(x)[2].backward()\n    return x.grad\n")],
        "gradient_manual calls .backward() at line 64: compute the derivative from the chain rule",
    ),
    "autograd_grad": (
        [(MANUAL, "    leaf = x.detach().requires_grad_()\n    (slope,) = torch.autograd.grad(forward(leaf)[2], leaf)\n"
                  "    return slope\n")],
        "uses torch.autograd at line 64",
    ),
    "calls_graph_nodes": (
        [(MANUAL, "    leaf = x.detach().requires_grad_()\n" + WALK + "    found = []\n    out = forward(leaf)[2]\n"
                  "    walk(out.grad_fn, torch.ones_like(out), found)\n    return sum(found).detach()\n")],
        "walks autograd's graph",
    ),
    "functional_jacobian": (
        [(MANUAL, f"    return torch.autograd.functional.jacobian(lambda t: {OUT}, x)\n")],
        "asks torch for a jacobian",
    ),
    "torch_func_grad": (
        [SCRATCH_CACHE, (MANUAL, f"    return torch.func.grad(lambda t: {OUT})(x)\n")],
        "uses torch.func",
    ),
    "forward_ad": (
        [SCRATCH_CACHE, (MANUAL, "    import torch.autograd.forward_ad as fwAD\n\n    slopes = torch.zeros_like(x)\n"
                                 "    with fwAD.dual_level():\n        for i in range(x.numel()):\n"
                                 "            tangent = torch.zeros_like(x)\n            tangent.view(-1)[i] = 1\n"
                                 "            t = fwAD.make_dual(x, tangent)\n"
                                 f"            slopes.view(-1)[i] = fwAD.unpack_dual({OUT}).tangent\n"
                                 "    return slopes\n")],
        "imports torch.autograd.forward_ad",
    ),
    "helper_calls_backward": (
        [helper("def _slope(x):\n    leaf = x.detach().clone().requires_grad_()\n    forward(leaf)[2].backward()\n"
                "    return leaf.grad\n\n"), (MANUAL, "    return _slope(x)\n")],
        "(in helper _slope)",
    ),
    "module_level_alias": (
        [(IMPORTS, IMPORTS + "from torch.autograd import grad as g\n"),
         helper("def _slope(x):\n    leaf = x.detach().requires_grad_()\n    return g(forward(leaf)[2], leaf)[0]\n\n"),
         (MANUAL, "    return _slope(x)\n")],
        "uses torch.autograd.grad (imported as g at line 23)",
    ),
}

# Right values by hand, written the ways students write them: full marks.
BY_HAND_CORRECT = {
    "helper_function": [helper("def _dout_dy(y, n):\n    return 4 * y / n\n\n"),
                        (MANUAL, "    return _dout_dy(3 * x + 2, x.numel()) * 3  # chain rule: dy/dx = 3\n")],
    "numpy": [(MANUAL, "    import numpy as np\n\n    a = x.numpy()\n    return torch.as_tensor(12 * (3 * a + 2) / a.size)\n")],
    "in_place_ops": [(MANUAL, "    out = x.mul(3).add_(2)\n    out.mul_(12).div_(x.numel())\n    return out\n")],
    "lambda": [helper("dout_dy = lambda y, n: 4 * y / n\n\n"), (MANUAL, "    return 3 * dout_dy(3 * x + 2, x.numel())\n")],
    "a_table_of_lambdas_beside_top_level_autograd": [  # fairness 26: a lambda's x is its own, not the top level's
        helper("LOCAL = {'z': lambda g, x: g * 4 * (3 * x + 2), 'y': lambda g, x: g * 3}\n\n"),
        (MANUAL + "    ### END SOLUTION\n",
         "    g = torch.ones_like(x) / x.numel()\n    return LOCAL['y'](LOCAL['z'](g, x), x)\n    ### END SOLUTION\n\n\n"
         "x = torch.randn(2, 3, requires_grad=True)\nprint(torch.allclose(gradients(x)[0], gradient_manual(x)))\n")],
    "for_loop": [(MANUAL, "    slopes = torch.empty_like(x)\n    flat = slopes.view(-1)\n"
                          "    for i, v in enumerate(x.reshape(-1)):\n        flat[i] = 12 * (3 * v + 2) / x.numel()\n"
                          "    return slopes\n")],
    "reads_grad_and_detaches": [(MANUAL, "    assert x.grad is None\n    with torch.no_grad():\n"
                                         "        return (12 * (3 * x.detach() + 2) / x.numel()).detach()\n")],
}


@pytest.mark.parametrize("name", sorted(BY_HAND_AUTOGRAD))
def test_autograd_in_the_by_hand_function_loses_only_the_by_hand_point(grade_source, name):
    mutations, fragment = BY_HAND_AUTOGRAD[name]
    assert_mistake(grade_source, SLUG, SOLUTION, (mutations, 9, {"gradient_manual_by_hand": fragment}))


@pytest.mark.parametrize("name", sorted(BY_HAND_CORRECT))
def test_by_hand_written_as_students_write_it_gets_full_marks(grade_source, name):
    assert_solution_full(grade_source, SLUG, mutate(SOLUTION, *BY_HAND_CORRECT[name]), 10)
