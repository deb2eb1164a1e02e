"""A by-hand derivative estimated from the function's values (red team 239): a finite difference or a complex step.

Two readings, as for autograd: the code (``judge/static.py``: a division by a small step, complex numbers, torch's and
numpy's ``gradient``) and the run (``sandbox/observe.Evaluations``: the exercise's own function called at two points a
step apart, or at a complex point, while the by-hand function runs). The graded files are in test_exercise_1..3.py.
"""

from __future__ import annotations

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
    "a complex literal": ("def g(x):\n    return f(x + 1e-30j).imag * 1e30\n", static.COMPLEX_STEP),
    "a complex dtype": ("def g(x):\n    return f(x.to(torch.complex128)).real\n", static.COMPLEX_STEP),
    "the complex builtin": ("def g(x):\n    return f(complex(float(x), 1e-30))\n", static.COMPLEX_STEP),
    "torch.gradient": ("def g(x):\n    return torch.gradient(f(x), spacing=0.5)[0]\n", static.GRADIENTS[0]),
    "torch.gradient of samples": ("def g(x, h=1e-3):\n    samples = torch.stack([f(x - h), f(x), f(x + h)])\n"
                                  "    return torch.gradient(samples, spacing=h, dim=0)[0][1]\n", static.GRADIENTS[0]),
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
    assert said in [finding.what for finding in findings], findings
    first = next(finding for finding in findings if finding.what == said)
    assert static.code(first) == "numeric-in-by-hand" and first.advice == static.ESTIMATES
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
W, B = torch.randn(3, 2, dtype=torch.float64), torch.randn(2, dtype=torch.float64)


def poly(x):
    return 2 * x**4 + x**3


def test_central_differences_of_the_exercise_function_are_seen():
    found = _seen(_module(polynomial=poly), ("polynomial",), (X,),
                  lambda m: (m.polynomial(X + 1e-6) - m.polynomial(X - 1e-6)) / 2e-6)
    assert found == "polynomial() at two points 1e-06 apart (a finite difference)"


def test_one_element_moved_in_place_is_seen():
    def by_element(m):
        x = X.clone()
        x[1] += 1e-5
        m.polynomial(x)
    assert "(a finite difference)" in _seen(_module(polynomial=poly), ("polynomial",), (X,), by_element)


@pytest.mark.parametrize("point", [X.to(torch.complex128) + 1e-20j, complex(0.3, 1e-20),
                                   np.array([0.3 + 1e-20j])], ids=["tensor", "number", "numpy"])
def test_a_complex_point_is_seen(point):
    found = _seen(_module(polynomial=poly), ("polynomial",), (X,), lambda m: m.polynomial(point))
    assert found == "polynomial() at a complex point (a complex step)"


def test_python_numbers_and_numpy_arrays_a_step_apart_are_seen():
    assert _seen(_module(polynomial=poly), ("polynomial",), (X,),
                 lambda m: [m.polynomial(0.3 + 1e-7), m.polynomial(0.3)]) is not None
    assert _seen(_module(polynomial=poly), ("polynomial",), (X,),
                 lambda m: m.polynomial(X.numpy() + 1e-7)) is not None


def layer(x, w, b):
    return x @ w + b


HONEST_CALLS = {
    "the inputs as given, twice": lambda m: [m.layer(X, W, B), m.layer(X, W, B)],
    "one sample at a time": lambda m: [m.layer(torch.randn(3, dtype=torch.float64), W, B) for _ in range(5)],
    "the inputs in float32": lambda m: m.layer(X.float(), W.float(), B.float()),
    "a copy of the inputs": lambda m: m.layer(X.clone(), W.detach(), B + 0),
    "other shapes": lambda m: m.layer(X[:2], W[:2], B),
}


@pytest.mark.parametrize("name", sorted(HONEST_CALLS))
def test_honest_calls_of_the_exercise_function_are_no_estimate(name):
    module = _module(layer=layer)
    assert _seen(module, ("layer", "loss"), (X, W, B), HONEST_CALLS[name]) is None
    assert module.layer is layer  # put back


def test_the_function_still_answers_and_a_missing_one_is_skipped():
    module = _module(layer=layer)
    with Evaluations(module, ("layer", "loss"), (X, W, B)):
        assert torch.equal(module.layer(X, W, B), layer(X, W, B)) and not hasattr(module, "loss")


def test_the_judge_fails_an_estimate_with_its_code():
    with pytest.raises(Fail) as failed:
        evaluated({"evaluated": "polynomial() at a complex point (a complex step)"}, "polynomial_grad_manual(x)")
    assert failed.value.code == "numeric-in-by-hand"
    assert "called polynomial() at a complex point (a complex step): that estimates the derivative" in str(failed.value)
    evaluated({"evaluated": None}, "f(x)")
    evaluated({"evaluated": 3}, "f(x)")  # (not what the child says: no finding)
