"""A by-hand derivative estimated from the function's values (red team 239): a finite difference or a complex step.

Two readings, as for autograd: the code (``judge/static.py``: a division by a small step, complex numbers, torch's and
numpy's ``gradient``) and the run (``sandbox/observe.Evaluations``: the exercise's own function called at two points a
step apart, or at a complex point, while the by-hand function runs). The graded files are in test_exercise_1..3.py.
"""

from __future__ import annotations

import fractions
import types

import numpy as np
import pytest
import torch

from autograd_exercises.judge import Fail, evaluated, static
from autograd_exercises.sandbox.observe import Evaluations

HONEST = {  # by-hand code that divides, written as students write it: no finding
    "by the count": "def g(x):\n    return 12 * (3 * x + 2) / x.numel()\n",
    "by a guarded denominator": "def g(x):\n    eps = 1e-7\n    s = torch.sigmoid(x)\n    return s / (s * (1 - s) + eps)\n",
    "by a half": "def g(x):\n    return x / 0.5\n",
    "by a large constant": "def g(x):\n    return x / 255\n",
    "by a name bound to a count": "N = 4\n\ndef g(x):\n    return x / N\n",
    "by a rate": "def g(x, lr=0.1):\n    return x / (lr * x.numel()) + x / 0.5\n",  # (walkthrough 74)
    "by a folded large number": "def g(x):\n    return x / (1e-6 / 1e-9) + x / 2e-3 ** -1\n",
    "a complex check": "def g(x):\n    assert not isinstance(x, complex)\n    return 2 * x\n",
    "the derivative's coefficients on a Vandermonde matrix": (  # (walkthrough 75: vander was read as a fit)
        "def g(x):\n    return torch.vander(x.reshape(-1), N=3) @ torch.tensor([3.0, 2.0, 1.0], dtype=x.dtype)\n"),
    "by a remainder or a floor division of a step": "def g(x, h=1e-3):\n    return x / (h % 2) + x / (h // 1 + 1)\n",
    "by a number too large for a float": "def g(x):\n    return x / " + "1" * 320 + " + x / 10 ** 400\n",
    "by a local h beside a module's step": ("h = 1e-5\n\ndef g(x):\n    h = torch.sigmoid(x)\n    return x / h\n"),
    "beside a class's numerical check": (  # fairness 71: a method g never calls, read since the class has backward
        "class Layer:\n    def backward(self, x):\n        return 2 * x\n\n"
        "    def numerical(self, x, h=1e-5):\n        return (f(x + h) - f(x - h)) / (2 * h)\n\n"
        "def g(x):\n    return Layer().backward(x)\n"),
}
ESTIMATED = {  # what each says, first
    "a default step": ("def g(x, h=1e-5):\n    return (f(x + h) - f(x - h)) / (2 * h)\n", static.FINITE_DIFFERENCE),
    "a module's step": ("H = 1e-6\n\ndef g(x):\n    return (f(x + H) - f(x)) / H\n", static.FINITE_DIFFERENCE),
    "a keyword-only step": ("def g(x, *, h=1e-4):\n    return (f(x + h) - f(x)) / h\n", static.FINITE_DIFFERENCE),
    "a step bound beside another": ("def g(x):\n    h, n = 1e-6, 2\n    return (f(x + h) - f(x)) / h\n",
                                    static.FINITE_DIFFERENCE),
    "a step divided into place": ("def g(x):\n    d = f(x + 1e-6) - f(x)\n    d /= 1e-6\n    return d\n",
                                  static.FINITE_DIFFERENCE),
    "a squared step": ("def g(x):\n    h = 1e-3\n    return (f(x + h) - 2 * f(x) + f(x - h)) / h**2\n",
                       static.FINITE_DIFFERENCE),
    "a step written as a power": ("def g(x):\n    h = 10 ** -6\n    return (f(x + h) - f(x)) / h\n",
                                  static.FINITE_DIFFERENCE),
    "a negative step": ("def g(x):\n    h = -1e-6\n    return (f(x + h) - f(x)) / h\n", static.FINITE_DIFFERENCE),
    "a relative step": ("def g(x):\n    h = 1e-6 * (1 + x.abs())\n    return (f(x + h) - f(x - h)) / (h + h)\n",
                        static.FINITE_DIFFERENCE),
    "a division written as a method": ("def g(x):\n    return (f(x + 2e-6) - f(x)).div(2e-6)\n",
                                       static.FINITE_DIFFERENCE),
    "a division written as torch.div": ("def g(x, h=1e-6):\n    return torch.div(f(x + h) - f(x), h)\n",
                                        static.FINITE_DIFFERENCE),
    "a complex literal": ("def g(x):\n    return f(x + 1e-30j).imag * 1e30\n", static.COMPLEX_STEP),
    "a complex dtype": ("def g(x):\n    return f(x.to(torch.complex128)).real\n", static.COMPLEX_STEP),
    "torch.gradient": ("def g(x):\n    return torch.gradient(f(x), spacing=0.5)[0]\n", static.GRADIENTS[0]),
    "torch.gradient of samples": ("def g(x, h=1e-3):\n    samples = torch.stack([f(x - h), f(x), f(x + h)])\n"
                                  "    return torch.gradient(samples, spacing=h, dim=0)[0][1]\n", static.GRADIENTS[0]),
    "Richardson's steps": ("def g(x):\n    d1 = (f(x + 0.01) - f(x - 0.01)) / 0.02\n"
                           "    d2 = (f(x + 0.005) - f(x - 0.005)) / 0.01\n    return (4 * d2 - d1) / 3\n",
                           static.FINITE_DIFFERENCE),  # (red team 242)
    "a fitted polynomial": ("import numpy as np\n\ndef g(x):\n    c = np.polyfit([-1.0, 0.0, 1.0, 2.0], [f(t) for t in "
                            "(-1.0, 0.0, 1.0, 2.0)], 3)\n    return 3 * c[0] * x**2 + 2 * c[1] * x + c[2]\n", static.FITS),
    "numpy.gradient": ("import numpy as np\n\ndef g(x):\n    return np.gradient(f(x))\n", static.GRADIENTS[0]),
}


@pytest.mark.parametrize("name", sorted(HONEST))
def test_honest_divisions_are_no_finite_difference(name):
    source = "import torch\n\ndef f(x):\n    return x * x\n\n" + HONEST[name]
    assert static.autograd_use(source, "g") == []


@pytest.mark.parametrize("name", sorted(ESTIMATED))
def test_an_estimated_derivative_is_read_in_the_code(name):
    code, said = ESTIMATED[name]
    findings = static.autograd_use("import torch\n\ndef f(x):\n    return x * x\n\n" + code, "g")
    assert findings and findings[0].what == said, findings  # (grading says the first)
    assert static.code(findings[0]) == "numeric-in-by-hand" and findings[0].advice == static.ESTIMATES
    assert static.code(static.Finding("calls .backward()", 1, "g")) == "autograd-in-by-hand"


def _module(**functions) -> types.ModuleType:
    module = types.ModuleType("student")
    module.__dict__.update(functions)
    return module


def _seen(module, names, inputs, work) -> str | None:
    with Evaluations(module, names, inputs) as seen:
        work(module)
    return seen.found


X = torch.tensor([0.3, -1.2, 2.0], dtype=torch.float64)
SEEDED = torch.Generator().manual_seed(239)
ROWS = torch.randn(4, 3, dtype=torch.float64, generator=SEEDED)
W, B = torch.randn(3, 2, dtype=torch.float64, generator=SEEDED), torch.randn(2, dtype=torch.float64, generator=SEEDED)
ELSEWHERE = "polynomial() at a point a small step from its inputs (a finite difference)"
UNREAD = "polynomial() with an argument the grader cannot read (an array of objects, or over 65,536 values), so " \
         "that no call of it can be told from a finite difference's"


def poly(x):
    return 2 * x**4 + x**3


ESTIMATES = {  # the by-hand call's work -> what is said
    "central differences": (lambda m: (m.polynomial(X + 1e-6) - m.polynomial(X - 1e-6)) / 2e-6, ELSEWHERE),
    "a relative step of 1e-3": (lambda m: m.polynomial(X + 1e-3 * X.abs()), ELSEWHERE),
    "both points in one call": (lambda m: m.polynomial(torch.stack([X + 1e-6, X - 1e-6])), ELSEWHERE),
    "a point padded past what is read": (lambda m: m.polynomial(torch.cat([X + 1e-6, torch.zeros(1 << 17)])), UNREAD),
    "a numpy array": (lambda m: m.polynomial(X.numpy() + 1e-7), ELSEWHERE),
    "an array of objects": (lambda m: m.polynomial(np.array([0.3 + 1e-7], dtype=object)), UNREAD),
    "a complex tensor": (lambda m: m.polynomial(X.to(torch.complex128) + 1e-20j),
                         "polynomial() at a complex point (a complex step)"),
    "a stencil stacked with x among its slices": (lambda m: m.polynomial(torch.stack([X - 1e-6, X, X + 1e-6])),
                                                  ELSEWHERE),  # (walkthrough 75: x itself exempted the others)
    "a reshaped point": (lambda m: m.polynomial(X.reshape(-1, 1) + 1e-6), ELSEWHERE),
    "a numpy complex scalar": (lambda m: m.polynomial(np.complex64(0.3 + 1e-20j)),
                               "polynomial() at a complex point (a complex step)"),
    "a complex number": (lambda m: m.polynomial(complex(0.3, 1e-20)), "polynomial() at a complex point (a complex step)"),
}


X0 = torch.tensor(0.3, dtype=torch.float64)  # (the handout's case: x is a single number)
NUMBERS = {  # a number beside a 0-d input, written every way a number is
    "a Python float": lambda m: m.polynomial(0.3 + 1e-7),
    "a numpy scalar": lambda m: m.polynomial(np.float64(0.3) + 1e-7),
    "a float of a class of its own": lambda m: m.polynomial(type("F", (float,), {})(0.3 + 1e-7)),  # (red team 241)
    "a fraction": lambda m: m.polynomial(fractions.Fraction(3, 10) + fractions.Fraction(1, 10**7)),
    "a 0-d tensor": lambda m: m.polynomial(X0 + 1e-7),
}


@pytest.mark.parametrize("name", sorted(NUMBERS))
def test_a_number_a_step_from_a_single_number_input_is_seen(name):
    assert _seen(_module(polynomial=poly), ("polynomial",), (X0,), NUMBERS[name]) == ELSEWHERE


def test_a_lone_number_beside_an_element_of_a_tensor_is_no_step():
    """Fairness 73: polynomial(torch.tensor(2.0)) printed where an input holds 1.998 lost the point at 7 seeds of 61;
    a number is compared with a single-number input only (a loop of numbers a step from each element goes unseen)."""
    assert _seen(_module(polynomial=poly), ("polynomial",), (X + 0.0015,),
                 lambda m: [m.polynomial(torch.tensor(2.0)), m.polynomial(float(X[1]) + 1e-7)]) is None


HONEST_MOVES = {  # arguments near the inputs, but not one step from them (fairness 73)
    "rounded": lambda x: x.round(decimals=3),
    "moved by a gradient step": lambda x: x - 0.01 * torch.sin(x),
}


@pytest.mark.parametrize("name", sorted(HONEST_MOVES))
def test_values_moved_otherwise_than_by_one_step_are_no_finite_difference(name):
    moved = HONEST_MOVES[name](ROWS)
    module = _module(layer=layer, loss=loss)
    with Evaluations(module, ("layer",), (ROWS, W, B), ("loss",)) as seen:
        module.layer(moved, W, B), module.loss(ROWS, ROWS), module.loss(moved, ROWS)
    assert seen.found is None


def test_losses_of_single_logits_are_no_points_a_step_apart():
    """Fairness 73: loss(zf[k], yf[k]) printed for each element; two logits of one label within 5%."""
    module = _module(layer=layer, loss=loss)
    with Evaluations(module, ("layer",), (ROWS, W, B), ("loss",)) as seen:
        module.loss(torch.tensor(0.500), torch.tensor(1.0)), module.loss(torch.tensor(0.501), torch.tensor(1.0))
    assert seen.found is None


@pytest.mark.parametrize("name", sorted(ESTIMATES))
def test_the_exercise_function_evaluated_beside_its_inputs_is_seen(name):
    work, said = ESTIMATES[name]
    assert _seen(_module(polynomial=poly), ("polynomial",), (X,), work) == said


def test_one_element_moved_in_place_is_seen():
    def by_element(m):
        x = X.clone()
        x[1] += 1e-5
        m.polynomial(x)
    assert _seen(_module(polynomial=poly), ("polynomial",), (X,), by_element) == ELSEWHERE


def test_the_function_held_under_other_names_is_seen_there_too():
    """Red team 240: ``def g(x, f=polynomial)`` kept the function itself, and the wrapper was never called."""
    def by_default(x, f=poly):
        return f(x + 1e-6)

    def by_keyword(x, *, f=poly):
        return f(x + 1e-6)

    module = _module(polynomial=poly, alias=poly, by_default=by_default, by_keyword=by_keyword)
    for work in (lambda m: m.by_default(X), lambda m: m.by_keyword(X), lambda m: m.alias(X - 1e-6)):
        assert _seen(module, ("polynomial",), (X,), work) == ELSEWHERE
    assert module.alias is poly and by_default.__defaults__ == (poly,) and by_keyword.__kwdefaults__ == {"f": poly}


def layer(x, w, b):
    return x @ w + b


def loss(z, y):
    return ((z - y) ** 2).mean()


HONEST_CALLS = {
    "the inputs as given, twice": lambda m: [m.layer(ROWS, W, B), m.layer(ROWS, W, B)],
    "one sample at a time": lambda m: [m.layer(ROWS[i], W, B) for i in range(4)],
    "the inputs in float32": lambda m: m.layer(ROWS.float(), W.float(), B.float()),
    "a copy of the inputs": lambda m: m.layer(ROWS.clone(), W.detach(), B + 0),
    "slices": lambda m: m.layer(ROWS[:2, :2], W[:2], B),
    "zeros for the bias": lambda m: m.layer(ROWS, W, torch.zeros_like(B)),  # (fairness 72: passed by seed)
    "the negated weights": lambda m: m.layer(ROWS, -W, -B),
    "as a product of its own": lambda m: m.layer(ROWS.T, torch.rand(4, 2, dtype=torch.float64, generator=SEEDED), 0.0),
    "the loss of its z": lambda m: m.loss(m.layer(ROWS, W, B), ROWS[:, :2]),
    "the loss of a z of its own": lambda m: m.loss(ROWS @ W + B + 1, ROWS[:, :2]),
    "the loss of each sample's z of its own": lambda m: [m.loss(ROWS[i] @ W + B, ROWS[i, :2]) for i in range(4)],
    "the loss of its z and of the same z by hand": lambda m: [m.loss(m.layer(ROWS, W, B), ROWS[:, :2]),
                                                               m.loss(ROWS @ W + B, ROWS[:, :2])],  # (rounding apart)
}


@pytest.mark.parametrize("name", sorted(HONEST_CALLS))
def test_honest_calls_of_the_exercise_functions_are_no_estimate(name):
    module = _module(layer=layer, loss=loss)
    with Evaluations(module, ("layer",), (ROWS, W, B), ("loss",)) as seen:
        HONEST_CALLS[name](module)
    assert seen.found is None
    assert module.layer is layer and module.loss is loss  # put back


def test_the_handouts_example_and_constants_are_no_estimate():
    """Fairness 72: polynomial(2) (the handout's worked example) and polynomial(0), printed inside the by-hand
    function, are no finite difference."""
    found = _seen(_module(polynomial=poly), ("polynomial",), (X,),
                  lambda m: [m.polynomial(torch.tensor(2.0)), m.polynomial(2), m.polynomial(0)])
    assert found is None


def test_the_loss_at_two_points_a_step_apart_is_a_finite_difference():
    module = _module(layer=layer, loss=loss)
    z = ROWS @ W + B
    with Evaluations(module, ("layer",), (ROWS, W, B), ("loss",)) as seen:
        module.loss(z + 1e-6, ROWS[:, :2]), module.loss(z - 1e-6, ROWS[:, :2])
    assert seen.found == "loss() at two points a step apart (a finite difference)"


def test_the_function_still_answers_and_a_missing_one_is_skipped():
    module = _module(layer=layer)
    with Evaluations(module, ("layer",), (ROWS, W, B), ("loss",)):
        assert torch.equal(module.layer(ROWS, W, B), layer(ROWS, W, B)) and not hasattr(module, "loss")


def test_the_judge_fails_an_estimate_with_its_code():
    with pytest.raises(Fail) as failed:
        evaluated({"evaluated": "polynomial() at a complex point (a complex step)"}, "polynomial_grad_manual(x)")
    assert failed.value.code == "numeric-in-by-hand"
    assert "called polynomial() at a complex point (a complex step); a derivative estimated from the function's " \
           "values (a finite difference, a complex step) is not derived" in str(failed.value)
    evaluated({"evaluated": None}, "f(x)")
    evaluated({"evaluated": 3}, "f(x)")  # (not what the child says: no finding)


def test_the_same_z_computed_twice_in_float32_is_one_point_and_a_step_of_one_percent_two():
    """Fairness 72: the loss of layer's z and of the same z by hand, in float32, differ by rounding only; red team
    240's five-point stencil of the loss at a 1% step is a finite difference."""
    rows, w, b = ROWS.float(), W.float(), B.float()
    module = _module(layer=layer, loss=loss)
    with Evaluations(module, ("layer",), (rows, w, b), ("loss",)) as seen:
        module.loss(module.layer(rows, w, b), rows[:, :2]), module.loss(torch.addmm(b, rows, w), rows[:, :2])
    assert seen.found is None
    z = ROWS @ W + B
    with Evaluations(module, ("layer",), (ROWS, W, B), ("loss",)) as seen:
        [module.loss(z + step * 1e-2 * z.abs().max(), ROWS[:, :2]) for step in (-2, -1, 1, 2)]
    assert seen.found == "loss() at two points a step apart (a finite difference)"


def test_a_point_holding_an_infinity_is_still_compared_by_its_other_arguments():
    """Two loss calls whose first arguments hold the same inf, and whose second ones are a step apart."""
    first = torch.tensor([float("inf"), 1.0], dtype=torch.float64)
    module = _module(layer=layer, loss=loss)
    with Evaluations(module, ("layer",), (ROWS, W, B), ("loss",)) as seen:
        module.loss(first, ROWS[0, :2]), module.loss(first, ROWS[0, :2] + 1e-6)
    assert seen.found == "loss() at two points a step apart (a finite difference)"


def test_a_pair_a_step_apart_is_seen_after_many_other_points():
    """Walkthrough 75: 16 points of the loss kept, the 17th and 18th were compared with them only."""
    module = _module(layer=layer, loss=loss)
    z = ROWS @ W + B
    with Evaluations(module, ("layer",), (ROWS, W, B), ("loss",)) as seen:
        [module.loss(z * (k + 2), ROWS[:, :2]) for k in range(20)]
        module.loss(z + 1e-6, ROWS[:, :2]), module.loss(z - 1e-6, ROWS[:, :2])
    assert seen.found == "loss() at two points a step apart (a finite difference)"
