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
    "a_complex_step_derivative": (  # red team 239: polynomial's values at x + ih, no formula derived
        [(MANUAL, "    return (polynomial(x.to(torch.complex128) + 1e-8j).imag * 1e8).to(x.dtype)\n")],
        9, {"polynomial_grad_manual_by_hand": "polynomial_grad_manual computes with complex numbers (a complex step) at "
                                              "line"},
    ),
    "central_differences_written_without_a_division": (  # red team 239: read at run time (nothing to read in the code)
        [(MANUAL, "    x64 = x.double()\n"
                  "    return ((polynomial(x64 + 1e-6) - polynomial(x64 - 1e-6)) * 5e5).to(x.dtype)\n")],
        9, {"polynomial_grad_manual_by_hand": "called polynomial() at a point a small step from its inputs (a finite difference)"},
    ),
    "returns_a_complex_gradient": (  # red team 234: float64 dropped the imaginary part, and autograd's reading passed
        [("    polynomial(x).sum().backward()\n    return x.grad\n", "    polynomial(x).sum().backward()\n    return x.grad + 1e9j\n")],
        5, {"polynomial_grad_uses_autograd": "is a complex tensor (complex"},
    ),
    "a_batched_jacobian": (  # fairness 62: torch.func's vmap is no backward pass into x; the message said a formula
        [(GRAD, "    from torch.func import jacrev, vmap\n    flat = x.detach().clone().reshape(-1)\n"
                "    return vmap(jacrev(polynomial))(flat).reshape(x.shape)\n")],
        9, {"polynomial_grad_uses_autograd": "a batched pass, as jacobian(vectorize=True) or vmap over jacrev makes, "
                                             "is not read as one into x: torch.func.grad is"},
    ),
    "custom_function_called_at_the_top_level": (  # fairness 62: the by-hand point lost, no line named
        [("    return 2 * x**4 + x**3 + 3 * x**2 + 5 * x + 1\n", "    return Poly.apply(x)\n"),
         ("def polynomial(x):", "class Poly(torch.autograd.Function):\n    @staticmethod\n    def forward(ctx, x):\n"
                                "        ctx.save_for_backward(x)\n        return 2 * x**4 + x**3 + 3 * x**2 + 5 * x + 1\n\n"
                                "    @staticmethod\n    def backward(ctx, g):\n        (x,) = ctx.saved_tensors\n"
                                "        return g * (8 * x**3 + 3 * x**2 + 6 * x + 5)\n\n\ndef polynomial(x):"),
         ("### END SOLUTION\n", "### END SOLUTION\n\nprint(polynomial(torch.arange(3.0)))\n")],
        9, {"polynomial_grad_manual_by_hand": "Your file defines a torch.autograd.Function (Poly, line 42): each call of "
                                              "it counts as a graph node, even under torch.no_grad()"},
    ),
    "formula_by_hand_beside_a_decoy_backward": (  # red team 125: backward() ran, over something else
        [(GRAD, "    t = torch.ones((), requires_grad=True)\n    (t * 1).backward()\n    x = x.detach()\n" + MANUAL)],
        9, {"polynomial_grad_uses_autograd": "no backward pass delivered the gradient polynomial_grad(x) returned"},
    ),
    "formula_by_hand_unpacked_from_a_dual": (  # forward mode: a dual seeded with the formula by hand
        [(GRAD, "    import torch.autograd.forward_ad as fwAD\n    x = x.detach()\n    with fwAD.dual_level():\n"
                "        dual = fwAD.make_dual(polynomial(x), 8 * x**3 + 3 * x**2 + 6 * x + 5)\n"
                "        return fwAD.unpack_dual(dual * 1).tangent\n")],
        9, {"polynomial_grad_uses_autograd": "no backward pass delivered the gradient polynomial_grad(x) returned"},
    ),
    "formula_by_hand_seeded_past_the_watchs_count": (  # red team 126: 64 seeds of ones at x, then the formula's
        [(GRAD, "    import torch.autograd.forward_ad as fwAD\n    x = x.detach()\n    with fwAD.dual_level():\n"
                "        for _ in range(64):\n            fwAD.make_dual(x, torch.ones_like(x))\n"
                "        dual = fwAD.make_dual(polynomial(x), 8 * x**3 + 3 * x**2 + 6 * x + 5)\n"
                "        return fwAD.unpack_dual(dual).tangent.clone()\n")],
        9, {"polynomial_grad_uses_autograd": "no backward pass delivered the gradient polynomial_grad(x) returned"},
    ),
    "formula_by_hand_carried_by_backward": (  # a pass over (x * g).sum() delivers g, the formula by hand
        [(GRAD, "    x = x.detach().clone().requires_grad_()\n    with torch.no_grad():\n"
                "        g = 8 * x**3 + 3 * x**2 + 6 * x + 5\n    (x * g).sum().backward()\n    return x.grad\n")],
        9, {"polynomial_grad_uses_autograd": "polynomial_grad(x) returned is not what a backward pass from polynomial(x) delivered"},
    ),
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
        8, {"polynomial_grad_manual_values": "it equals y = polynomial(x) itself, not its derivative",
            "polynomial_grad_manual_by_hand": "it equals y = polynomial(x) itself"},
    ),
    "manual_drops_constant": (
        [(MANUAL, "    return 8 * x**3 + 3 * x**2 + 6 * x\n")],
        8, {"polynomial_grad_manual_values": "the constant term 5 (the derivative of 5x) is missing",
            "polynomial_grad_manual_by_hand": "the constant term 5"},
    ),
    "manual_uses_autograd": (
        [(MANUAL, "    with torch.enable_grad():\n        return polynomial_grad(x)\n")],
        9, {"polynomial_grad_manual_by_hand": "polynomial_grad_manual calls .backward() at line 63 (in helper "
                                              "polynomial_grad): compute the derivative from the chain rule"},
    ),
    "manual_sums_the_slopes": (
        [(MANUAL, "    return (8 * x**3 + 3 * x**2 + 6 * x + 5).sum()\n")],
        8, {"polynomial_grad_manual_values": "one number where a tensor shaped like the input belongs",
            "polynomial_grad_manual_by_hand": "one number where a tensor shaped like the input belongs"},
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


# -- by hand: judged by what the code is (autograd_exercises/judge/static.py) ------------------------

HEADER = "def polynomial_grad_manual(x):"
IMPORTS = "import torch\n"
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


# torch.func and forward_ad import torch._dynamo on first use, which makes a cache folder in /tmp, where the
# sandbox lets nothing write: point it at the scratch folder, so that only the by-hand reading decides.
SCRATCH_CACHE = (IMPORTS, IMPORTS + "import os\n\nos.environ['TORCHINDUCTOR_CACHE_DIR'] = os.getcwd()\n")


def helper(source: str) -> tuple[str, str]:
    """A module-level helper defined just above the by-hand function."""
    return HEADER, f"{source}\n\n{HEADER}"


# Right values, computed with autograd in each way the reading must see: only the by-hand point (1) is lost.
# name: (mutations, fragment of polynomial_grad_manual_by_hand's feedback)
BY_HAND_AUTOGRAD = {
    "backward": (
        [(MANUAL, "    x = x.detach().clone().requires_grad_()\n    polynomial(x).sum().backward()\n    return x.grad\n")],
        "polynomial_grad_manual calls .backward() at line 77: compute the derivative from the chain rule",
    ),
    "autograd_grad": (
        [(MANUAL, "    leaf = x.detach().requires_grad_()\n"
                  "    (slope,) = torch.autograd.grad(polynomial(leaf).sum(), leaf)\n    return slope\n")],
        "uses torch.autograd at line 77",
    ),
    "calls_graph_nodes": (
        [(MANUAL, "    leaf = x.detach().requires_grad_()\n" + WALK + "    found = []\n    y = polynomial(leaf).sum()\n"
                  "    walk(y.grad_fn, torch.ones_like(y), found)\n    return sum(found).detach()\n")],
        "walks autograd's graph",
    ),
    "functional_jacobian": (
        [(MANUAL, "    return torch.autograd.functional.jacobian(lambda t: polynomial(t).sum(), x)\n")],
        "asks torch for a jacobian",
    ),
    "torch_func_grad": (
        [SCRATCH_CACHE, (MANUAL, "    return torch.func.grad(lambda t: polynomial(t).sum())(x)\n")],
        "uses torch.func",
    ),
    "forward_ad": (
        [SCRATCH_CACHE, (MANUAL, "    import torch.autograd.forward_ad as fwAD\n\n    with fwAD.dual_level():\n"
                  "        dual = fwAD.make_dual(x, torch.ones_like(x))\n"
                  "        return fwAD.unpack_dual(polynomial(dual)).tangent\n")],
        "imports torch.autograd.forward_ad",
    ),
    "a_new_object_of_the_class_kept_in_a_list": (  # a method's new object handed on: every method may run
        [helper("class Poly:\n    def __init__(self, coeffs):\n        self.coeffs = list(coeffs)\n\n"
                "    def __call__(self, x):\n        return sum(c * x**k for k, c in enumerate(self.coeffs))\n\n"
                "    def deriv(self):\n        return Poly([k * c for k, c in enumerate(self.coeffs)][1:])\n\n"
                "    def autograd_deriv(self, x):\n        x = x.detach().requires_grad_()\n"
                "        self(x).sum().backward()\n        return x.grad\n\n\nKEPT = [Poly([1, 5, 3, 1, 2]).deriv()]\n\n"),
         (MANUAL, "    return KEPT[0](x)\n")],
        "calls .backward()",
    ),
    "helper_calls_backward": (
        [helper("def _slope(x):\n    leaf = x.detach().clone().requires_grad_()\n    polynomial(leaf).sum().backward()\n"
                "    return leaf.grad\n\n"), (MANUAL, "    return _slope(x)\n")],
        "calls .backward() at line 70 (in helper _slope)",
    ),
    "module_level_alias": (
        [(IMPORTS, IMPORTS + "from torch.autograd import grad as g\n"),
         helper("def _slope(x):\n    leaf = x.detach().requires_grad_()\n    return g(polynomial(leaf).sum(), leaf)[0]\n\n"),
         (MANUAL, "    return _slope(x)\n")],
        "uses torch.autograd.grad (imported as g at line 40) at line 71 (in helper _slope)",
    ),
}

# Right values by hand, written the ways students write them: full marks.
BY_HAND_CORRECT = {
    "helper_function": [helper("def _cubic_part(x):\n    return 8 * x**3 + 3 * x**2\n\n"),
                        (MANUAL, "    return _cubic_part(x) + 6 * x + 5\n")],
    "numpy": [(MANUAL, "    import numpy as np\n\n    a = np.asarray(x)\n"
                       "    return torch.as_tensor(8 * np.power(a, 3) + 3 * a * a + 6 * a + 5)\n")],
    "in_place_ops": [(MANUAL, "    out = torch.full_like(x, 5.0)\n    out.add_(x, alpha=6.0)\n    out.addcmul_(x, x, value=3.0)\n"
                              "    out.add_(x.pow(3).mul_(8))\n    return out\n")],
    "lambda": [helper("slope = lambda t: 8 * t**3 + 3 * t**2 + 6 * t + 5\n\n"), (MANUAL, "    return slope(x)\n")],
    "a_class_whose_method_returns_a_new_object_of_it": [  # fairness 26: the class keeps an autograd method too
        helper("class Poly:\n    def __init__(self, coeffs):\n        self.coeffs = list(coeffs)\n\n"
               "    def __call__(self, x):\n        return sum(c * x**k for k, c in enumerate(self.coeffs))\n\n"
               "    def deriv(self):\n        return Poly([k * c for k, c in enumerate(self.coeffs)][1:])\n\n"
               "    def autograd_deriv(self, x):\n        x = x.detach().requires_grad_()\n"
               "        self(x).sum().backward()\n        return x.grad\n\n\nPOLY = Poly([1, 5, 3, 1, 2])\n\n"),
        (MANUAL, "    return POLY.deriv()(x)\n")],
    "a_class_whose_method_returns_a_new_object_of_it_beside_top_level_autograd": [  # the class checked at the top
        helper("class Poly:\n    def __init__(self, coeffs):\n        self.coeffs = list(coeffs)\n\n"
               "    def __call__(self, x):\n        return sum(c * x**k for k, c in enumerate(self.coeffs))\n\n"
               "    def deriv(self):\n        return Poly([k * c for k, c in enumerate(self.coeffs)][1:])\n\n"
               "    def autograd_deriv(self, x):\n        x = x.detach().requires_grad_()\n"
               "        self(x).sum().backward()\n        return x.grad\n\n\nPOLY = Poly([1, 5, 3, 1, 2])\n"
               "XT = torch.randn(4)\nprint(POLY.deriv()(XT) - POLY.autograd_deriv(XT))\n\n"),
        (MANUAL, "    return POLY.deriv()(x)\n")],
    "a_table_of_slopes_made_from_another_tables_items_beside_top_level_autograd": [  # fairness 28
        helper("COEFS = {4: 2, 3: 1, 2: 3, 1: 5, 0: 1}\nDCOEFS = {k - 1: k * c for k, c in COEFS.items() if k > 0}\n"
               "print(polynomial_grad(torch.ones(2)))\n\n\n"),
        (MANUAL, "    return sum(c * x**k for k, c in DCOEFS.items())\n")],
    "a_class_with_private_coefficients_beside_top_level_autograd": [  # self.__c is self._Poly__c, store and read
        helper("class Poly:\n    def __init__(self, coeffs):\n        self.__coeffs = tuple(coeffs)\n\n"
               "    def slope(self, x):\n        return sum(k * c * x**(k - 1) for k, c in enumerate(self.__coeffs) if k)\n\n\n"
               "POLY = Poly([1, 5, 3, 1, 2])\nprint(polynomial_grad(torch.ones(2)))\n\n\n"),
        (MANUAL, "    return POLY.slope(x)\n")],
    "for_loop_horner": [(MANUAL, "    out = torch.zeros_like(x)\n    for coefficient in (8.0, 3.0, 6.0, 5.0):  # of x³, x², x, 1\n"
                                 "        out = out * x + coefficient\n    return out\n")],
    "comprehension_under_no_grad": [(MANUAL, "    with torch.no_grad():\n        flat = x.detach().reshape(-1)\n"
                                             "        slopes = [8 * v**3 + 3 * v**2 + 6 * v + 5 for v in flat]\n"
                                             "    return torch.stack(slopes).reshape(x.shape)\n")],
    "checks_itself_against_autograd_when_asked": [("def polynomial_grad_manual(x):\n",
                                                   "def polynomial_grad_manual(x, check=False):\n"),
                                                  (MANUAL, "    slope = 8 * x**3 + 3 * x**2 + 6 * x + 5\n"
                                                           "    if check:  # a debugging aid, off unless asked\n"
                                                           "        assert torch.allclose(slope, polynomial_grad(x))\n"
                                                           "    return slope\n")],
    "local_name_like_an_autograd_import": [(IMPORTS, IMPORTS + "from torch.autograd import grad\n"),
                                           (MANUAL, "    grad = 8 * x**3 + 3 * x**2 + 6 * x + 5\n    return grad\n")],
}


# What the top level fills from autograd, read by the by-hand function: the by-hand call runs where the top level ran
# with autograd switched off (sandbox.observe.TopLevelOff), so the table is empty there. A function whose answer
# needs it raises (both its checks fail: red teams 129 to 131's tables); one whose answer does not (``0 * len``)
# computes the derivative by hand, and keeps its points.
TABLES_FILLED_AT_IMPORT = {
    "a_table_read_through_an_objects_items_method": (  # a view's name bound to an object: its items may be anything
        [helper("SAVED = {}\n\n\nclass Table:\n    def items(self):\n        return SAVED.items()\n\n\n"
                "COEFS = Table()\nSAVED[0] = polynomial_grad(torch.linspace(-3, 3, 7))\n"
                "DCOEFS = {k: c for k, c in COEFS.items()}\n\n\n"),
         (MANUAL, "    return 8 * x**3 + 3 * x**2 + 6 * x + 5 + 0 * len(DCOEFS)\n")],
        "computes its answer from DCOEFS",
    ),
    "a_table_filled_from_a_class_body_inside_a_function": (  # red team 129: the class body reads the module's SEEN
        [helper("SEEN = {}\n\n\ndef keep(g):\n    SEEN = None\n\n    class K:\n        SEEN.update(k=g)\n"
                "        SEEN = 0\n    return SEEN\n\n\n"
                "keep(polynomial_grad(torch.tensor([0.0, 1.0, -1.0, 2.0])))\n\n\n"),
         (MANUAL, "    return 8 * x**3 + 3 * x**2 + 6 * x + 5 + 0 * SEEN['k'].sum()\n")],
        "computes its answer from SEEN",
    ),
    "a_closures_table_filled_through_a_class_global": (  # red team 130: FILL, made in K, changes make's SEEN
        [helper("def make():\n    SEEN = {}\n\n    class K:\n        global SEEN, FILL\n\n        def FILL(g):\n"
                "            SEEN.update(k=g)\n\n    def manual(x):\n"
                "        return 8 * x**3 + 3 * x**2 + 6 * x + 5 + 0 * SEEN['k'].sum()\n\n    return manual\n\n\n"
                "_manual = make()\nFILL(polynomial_grad(torch.tensor([0.0, 1.0, -1.0, 2.0])))\n\n\n"),
         (MANUAL, "    return _manual(x)\n")],
        "_manual",
    ),
    "a_table_filled_through_a_mangled_name": (  # red team 131: __SEEN in class Keep is _Keep__SEEN
        [helper("_Keep__SEEN = {}\n\n\nclass Keep:\n    def __init__(self, g):\n        __SEEN.update(k=g)\n\n\n"
                "Keep(polynomial_grad(torch.tensor([0.0, 1.0, -1.0, 2.0])))\n\n\n"),
         (MANUAL, "    return 8 * x**3 + 3 * x**2 + 6 * x + 5 + 0 * _Keep__SEEN['k'].sum()\n")],
        "computes its answer from _Keep__SEEN",
    ),
}
EMPTY_WHEN_READ = {"a_table_read_through_an_objects_items_method": 10}  # (else 8: a KeyError in both checks)


@pytest.mark.parametrize("name", sorted(BY_HAND_AUTOGRAD))
def test_autograd_in_the_by_hand_function_loses_only_the_by_hand_point(grade_source, name):
    mutations, fragment = BY_HAND_AUTOGRAD[name]
    assert_mistake(grade_source, SLUG, SOLUTION, (mutations, 9, {"polynomial_grad_manual_by_hand": fragment}))


@pytest.mark.parametrize("name", sorted(TABLES_FILLED_AT_IMPORT))
def test_a_table_the_top_level_fills_from_autograd_is_empty_for_the_by_hand_function(grade_source, name):
    mutations, _ = TABLES_FILLED_AT_IMPORT[name]
    score = EMPTY_WHEN_READ.get(name, 8)
    manual = {} if score == 10 else {check: "KeyError" for check in ("polynomial_grad_manual_values",
                                                                    "polynomial_grad_manual_by_hand")}
    assert_mistake(grade_source, SLUG, SOLUTION, (mutations, score, manual))


# Autograd reached through a door to any object (judge/tampering.py): the file is not run at all, every check zero.
DOORS = {
    "dunder_import": ("    leaf = x.detach().requires_grad_()\n    (slope,) = __import__('torch')"
                      ".autograd.grad(polynomial(leaf).sum(), leaf)\n    return slope\n", "imports by name (__import__)"),
    "eval": ("    leaf = eval('x.detach().requires' + '_grad_()')\n    eval('polynomial(leaf).sum().back' + 'ward()')\n"
             "    return leaf.grad\n", "runs code no reading sees (eval)"),
}


@pytest.mark.parametrize("name", sorted(DOORS))
def test_autograd_behind_a_door_to_any_object_runs_nothing(grade_source, name):
    """``__import__`` and ``eval`` reach the grader's own package as easily as torch."""
    body, what = DOORS[name]
    result = grade_source(SLUG, mutate(SOLUTION, (MANUAL, body)))
    assert result.score == 0 and {check.mistake for check in result.checks} == {"reaches-grader"}
    assert f"{what} at line " in result.problem, result.problem


def test_autograd_by_a_computed_name_runs_and_loses_the_by_hand_point(grade_source):
    """A computed ``getattr`` is checked when it runs (sandbox/guard.py): ``getattr(torch, "auto" + "grad")`` is
    torch's public autograd, so the file runs, and its autograd, counted in the engine, costs the by-hand check."""
    body = ("    engine = getattr(torch, 'auto' + 'grad')\n    leaf = getattr(x.detach(), 'requires_' + 'grad_')()\n"
            "    (slope,) = engine.grad(polynomial(leaf).sum(), leaf)\n    return slope\n")
    result = grade_source(SLUG, mutate(SOLUTION, (MANUAL, body)))
    failed = {check.name for check in result.checks if not check.passed}
    assert failed == {"polynomial_grad_manual_by_hand"}, {c.name: c.feedback for c in result.checks if not c.passed}


# polynomial_grad asking autograd another way than the solution: full marks.
AUTOGRAD_ALTERNATIVES = {
    "autograd_grad_with_grad_outputs": [(GRAD, "    x = x.detach().clone().requires_grad_()\n    y = polynomial(x)\n"
                                               "    return torch.autograd.grad(y, x, grad_outputs=torch.ones_like(y))[0]\n")],
    "jacobian_diagonal": [(GRAD, "    x = x.detach().clone()\n"
                                 "    jac = torch.autograd.functional.jacobian(polynomial, x)\n"
                                 "    return jac.reshape(x.numel(), x.numel()).diagonal().reshape(x.shape)\n")],
    "vmap_of_grad": [(GRAD, "    flat = x.detach().reshape(-1)\n"
                            "    return torch.func.vmap(torch.func.grad(polynomial))(flat).reshape(x.shape)\n")],
    "a_hook_that_prints_on_the_copy": [(GRAD, "    x = x.detach().clone().requires_grad_()\n"
                                              "    x.register_hook(lambda g: print('grad shape', tuple(g.shape)))\n"
                                              "    polynomial(x).sum().backward()\n    return x.grad\n")],
    "jacrev_diagonal": [(GRAD, "    flat = x.detach().reshape(-1)\n"
                               "    return torch.func.jacrev(polynomial)(flat).diagonal().reshape(x.shape)\n")],
    "a_mean_back_propagated_then_scaled": [(GRAD, "    x = x.detach().clone().requires_grad_()\n"
                                                  "    polynomial(x).mean().backward()\n    return x.grad * x.numel()\n")],
    "torch_func_grad": [(GRAD, "    return torch.func.grad(lambda t: polynomial(t).sum())(x.detach())\n")],
}


@pytest.mark.parametrize("name", sorted(AUTOGRAD_ALTERNATIVES))
def test_autograd_asked_another_way_gets_full_marks(grade_source, name):
    assert_solution_full(grade_source, SLUG, mutate(SOLUTION, *AUTOGRAD_ALTERNATIVES[name]), 10)


@pytest.mark.parametrize("name", sorted(BY_HAND_CORRECT))
def test_by_hand_written_as_students_write_it_gets_full_marks(grade_source, name):
    assert_solution_full(grade_source, SLUG, mutate(SOLUTION, *BY_HAND_CORRECT[name]), 10)


# Honest by-hand code next to autograd that never runs when it is called (judge/methods.py): a decorator that checks
# the function against autograd once, at import, and hands it back.
CHECKED_AT_IMPORT = '''\
import functools
import torch


def polynomial(x):
    return 2 * x**4 + x**3 + 3 * x**2 + 5 * x + 1


def polynomial_grad(x):
    x = x.detach().clone().requires_grad_()
    polynomial(x).sum().backward()
    return x.grad


def checked_against_autograd(fn):
    """Decorator: when the module loads, check fn against autograd once."""
    t = torch.linspace(-2, 2, 7, dtype=torch.float64)
    assert torch.allclose(fn(t), polynomial_grad(t)), fn.__name__
    return fn


@checked_against_autograd
def polynomial_grad_manual(x):
    return 8 * x**3 + 3 * x**2 + 6 * x + 5
'''


def test_a_decorator_checking_the_by_hand_function_against_autograd_keeps_the_point(grade_source):
    assert_solution_full(grade_source, SLUG, CHECKED_AT_IMPORT, 10)


# Fairness 46: a decorator that keeps every function in a registry, the autograd one too. Its registry is read where
# the by-hand function itself reads it, not through the decorator.
REGISTERED = '''\
import torch

FUNCTIONS = {}


def register(fn):
    FUNCTIONS[fn.__name__] = fn
    return fn


@register
def polynomial(x):
    return 2 * x**4 + x**3 + 3 * x**2 + 5 * x + 1


@register
def polynomial_grad(x):
    x = x.detach().clone().requires_grad_()
    polynomial(x).sum().backward()
    return x.grad


@register
def polynomial_grad_manual(x):
    return 8 * x**3 + 3 * x**2 + 6 * x + 5


for name, fn in FUNCTIONS.items():
    print(name, fn(torch.tensor([2.0])))
'''
REGISTRY_ATTACKS = {  # the registry carries the autograd function, or autograd's answers, to the by-hand function
    "calls_the_autograd_function_from_the_registry": (
        ("    return 8 * x**3 + 3 * x**2 + 6 * x + 5\n", "    return FUNCTIONS['polynomial_grad'](x)\n"), ()),
    "an_attribute_set_through_the_registry": (
        ("    return 8 * x**3 + 3 * x**2 + 6 * x + 5\n", "    return polynomial_grad_manual.helper(x)\n"),
        ("for name, fn in", "FUNCTIONS['polynomial_grad_manual'].helper = FUNCTIONS['polynomial_grad']\nfor name, fn in")),
}


def test_a_registry_decorator_beside_autograd_keeps_the_point(grade_source):
    assert_solution_full(grade_source, SLUG, REGISTERED, 10)


@pytest.mark.parametrize("name", sorted(REGISTRY_ATTACKS))
def test_autograd_reached_through_the_registry_loses_the_by_hand_point(grade_source, name):
    source = REGISTERED
    for change in REGISTRY_ATTACKS[name]:
        source = source.replace(*change) if change else source
    result = grade_source(SLUG, source, seed=0)
    points = {check.name: check.points for check in result.checks}
    assert points["polynomial_grad_manual_by_hand"] == 0 and result.score == result.max_score - 1, points
    by_hand = next(check for check in result.checks if check.name == "polynomial_grad_manual_by_hand")
    assert "backward()" in by_hand.feedback, by_hand.feedback
