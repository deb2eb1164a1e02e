"""The judge's comparisons and diagnoses, with torch.testing as the oracle."""

from __future__ import annotations

import re

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_exercises import judge
from autograd_exercises.judge import Fail, called, close, parts, tensor
from autograd_exercises.judge.diagnose import describe_mismatch, factor_hint, mismatch_summary, wrong_type
from autograd_exercises.spec import Tolerance

TOL = Tolerance(rtol=1e-5, atol=1e-6)
shapes = st.lists(st.integers(1, 5), min_size=1, max_size=3).map(tuple)


def rand(shape, seed):
    return torch.rand(shape, generator=torch.Generator().manual_seed(seed), dtype=torch.float64) + 0.5


@settings(max_examples=25, deadline=None)
@given(shape=shapes.filter(lambda s: torch.Size(s).numel() > 1), seed=st.integers(0, 2**16),
       noise=st.floats(1e-3, 1.0))
def test_mismatch_count_and_index_agree_with_torch_testing(shape, seed, noise):  # (one number: counted apart, below)
    expected = rand(shape, seed)
    actual = expected.clone()
    actual.view(-1)[:: 2] += noise  # every other element off
    with pytest.raises(AssertionError) as caught:
        torch.testing.assert_close(actual, expected, rtol=TOL.rtol, atol=TOL.atol)
    theirs = re.search(r"Mismatched elements: (\d+) / (\d+)", str(caught.value)).groups()
    ours = re.search(r"Mismatched elements: (\d+) / (\d+)", mismatch_summary(actual, expected, TOL)).groups()
    assert ours == theirs


@settings(max_examples=20, deadline=None)
@given(shape=shapes.filter(lambda s: torch.Size(s).numel() > 2), seed=st.integers(0, 2**16))
def test_sum_instead_of_mean_is_named(shape, seed):
    expected = rand(shape, seed)
    n = expected.numel()
    message = describe_mismatch(expected * n, expected, what="x.grad", tol=TOL, numel=n)
    assert f"{n} times the expected value" in message and "a sum where a mean belongs" in message


@pytest.mark.parametrize("factor, fragment", [(2.0, "exactly twice"), (0.5, "half"), (-1.0, "opposite sign"),
                                              (3.7, "3.7 times the expected value")])
def test_constant_factors_are_named(factor, fragment):
    expected = rand((3, 4), 0)
    assert fragment in describe_mismatch(expected * factor, expected, what="g", tol=TOL, numel=12)


def test_transposed_result_is_named():
    expected = rand((2, 3), 1)
    assert "transposed" in describe_mismatch(expected.T, expected, what="w.grad", tol=TOL)


def test_nan_is_located():
    actual = rand((2, 2), 2)
    expected = actual.clone()
    actual[1, 0] = float("nan")
    assert describe_mismatch(actual, expected, what="y", tol=TOL) == "y contains nan at index (1, 0)"


def test_reduced_result_is_named():
    expected = rand((4,), 3)
    assert "one number where a tensor" in describe_mismatch(expected.sum().reshape(1), expected, what="g", tol=TOL)


@pytest.mark.parametrize("desc, fragment", [
    ({"type": "float", "value": 1.5}, "Python float"),
    ({"type": "list", "items": [], "length": 0}, "is a list"),
    ({"type": "numpy.ndarray", "repr": "array([1.])"}, "no .numpy()"),
    ({"type": "NoneType", "value": None}, "forget to return"),
    ({"type": "str", "value": "1.5"}, "f(x) is a str, expected"),
    ({"type": "object", "repr": "<object>"}, "f(x) is an object, expected"),
    ({"type": "ValueError", "repr": "ValueError()"}, "f(x) is a ValueError, expected"),
    ({"type": "Exception", "repr": "Exception()"}, "f(x) is an Exception, expected"),
])
def test_wrong_types_are_named(desc, fragment):
    assert fragment in wrong_type(desc, "f(x)")
    with pytest.raises(Fail, match="expected a torch.Tensor"):
        tensor(desc, "f(x)")


def test_close_passes_within_tolerance_and_fails_outside():
    expected = rand((3,), 4)
    close(expected + 1e-9, expected, what="v", tol=TOL)
    with pytest.raises(Fail, match=r"v is wrong.*Mismatched elements: 3 / 3"):
        close(expected + 1e-2, expected, what="v", tol=TOL)


def test_called_explains_common_runtime_errors():
    outcome = {"exception": {"type": "RuntimeError", "frames": [{"line": 7, "code": "out.backward()", "where": "line 7"}],
                             "message": "Trying to backward through the graph a second time"}}
    with pytest.raises(Fail) as failure:
        called(outcome, "backward_twice(x)")
    assert "retain_graph=True" in str(failure.value) and "(line 7: out.backward())" in str(failure.value)
    with pytest.raises(Fail) as not_done:
        called({"exception": {"type": "NotImplementedError", "message": "", "frames": []}}, "f(x)")
    assert not not_done.value.about_input


def test_parts_demands_the_tuple_it_documents():
    with pytest.raises(Fail, match=r"must return 3 values \(y, z, out\), got 2 values"):
        parts({"type": "tuple", "items": [{}, {}], "length": 2}, 3, "forward(x)", "(y, z, out)")


def test_factor_hint_prefers_numel_over_generic():
    assert "number of elements" in factor_hint(6.0, 6)
    assert "1/6" in factor_hint(1 / 6, 6)


def test_a_complex_tensor_never_passes_for_a_real_one():
    """Its real part right, its imaginary part anything: comparing in float64 alone would drop the imaginary part."""
    expected = torch.tensor([1.0, 2.0])
    with pytest.raises(Fail, match="is a complex tensor \\(complex64\\), expected real numbers") as failure:
        close(torch.complex(expected, torch.tensor([5.0, -7.0])), expected, what="x.grad", tol=Tolerance())
    assert failure.value.code == "wrong-type"


@settings(max_examples=60, deadline=None)
@given(shape=shapes, seed=st.integers(0, 2**16), scale=st.sampled_from([0.0, 1e-7, 1e-6, 5e-6, 1e-5, 1e-3]),
       nan=st.booleans())
def test_close_passes_exactly_when_torch_testing_assert_close_does(shape, seed, scale, nan):
    """close() uses assert_close's criterion directly; the oracle stays torch.testing's own verdict."""
    expected = rand(shape, seed)
    actual = expected + scale * rand(shape, seed + 1)
    if nan:
        actual.view(-1)[0] = expected.view(-1)[0] = float("nan")
    try:
        torch.testing.assert_close(actual, expected, rtol=TOL.rtol, atol=TOL.atol, equal_nan=False)
        theirs = True
    except AssertionError:
        theirs = False
    try:
        close(actual, expected, what="x", tol=TOL)
        ours = True
    except Fail:
        ours = False
    assert ours == theirs


def test_an_exercises_hint_replaces_the_generic_hint_for_the_same_mistake():
    from autograd_exercises.mistakes import Mistake

    outcome = {"exception": {"type": "RuntimeError", "message": "grad can be implicitly created only for scalar outputs"}}
    mine = Mistake("non-scalar-backward", "y has one value per element: back-propagate y.sum()")
    with pytest.raises(Fail) as raised:
        called(outcome, "f(x)", {"scalar outputs": mine})
    assert str(raised.value) == ("f(x) raised RuntimeError: grad can be implicitly created only for scalar outputs — "
                                 "y has one value per element: back-propagate y.sum()")
    other = Mistake("numpy-breaks-graph", "numpy cannot follow autograd's graph")
    with pytest.raises(Fail, match=r"needs a single number.*\) — numpy cannot follow"):
        called(outcome, "f(x)", {"scalar outputs": other})  # another mistake's hint keeps the generic one


@pytest.mark.parametrize("outcome, said", [
    ({"needs_autograd": False, "autograd_calls": 2, "backward_passes": 2}, "called backward()/torch.autograd.grad (2"),
    ({"needs_autograd": False, "autograd_calls": 0, "backward_passes": 1}, "called backward()/torch.autograd.grad (1"),
    ({"needs_autograd": False, "forward_mode": True}, "asked for forward-mode AD"),
    ({"needs_autograd": False, "dual_level_open": True}, "asked for forward-mode AD"),
    ({"needs_autograd": True}, "needed autograd"),
    ({"needs_autograd": False, "exception": {"type": "RuntimeError"}}, "raised RuntimeError"),
    ({"needs_autograd": False, "graph_nodes": 5, "threads": 1, "exception": None,
      "returned": {"type": "tensor", "grad_fn": "MulBackward0"}},
     None),  # (what the code above it, run with autograd on, may make: not asked of autograd)
    ({"needs_autograd": "no", "autograd_calls": "3", "backward_passes": [1]}, "needed autograd"),  # a forged report's
    ({"autograd_calls": 4}, "did not give a result for every input"),  # no by-hand call's outcome
])
def test_what_a_by_hand_functions_second_call_did_of_autograd(outcome, said):
    """``grading.again_calls``: read from every by-hand outcome in the observations, however deep; anything but a
    plain call that asked nothing of autograd keeps the grader from saying it computes by hand (red team 188)."""
    found = judge.used_autograd([{"manual": outcome}, {"other": [{"nested": outcome}]}], 2)
    assert found == said if said is None else found.startswith(said), found


def test_a_second_call_that_left_an_input_unchecked_does_not_pass():
    honest = {"needs_autograd": False, "exception": None}
    assert judge.used_autograd([{"manual": honest}] * 3, 3) is None
    assert judge.used_autograd([{"manual": honest}] * 2, 3) == "did not give a result for every input"


def test_one_number_is_not_counted_as_elements():
    """Walkthrough 68: a scalar's "Mismatched elements: 1 / 1 (100.0%)" said nothing; its difference is enough."""
    from autograd_exercises.judge.diagnose import mismatch_summary
    from autograd_exercises.spec import Tolerance

    text = mismatch_summary(torch.tensor(2.5), torch.tensor(2.0), Tolerance())
    assert text.startswith("Absolute difference: 0.5 (got 2.5, expected 2;") and "Mismatched" not in text
    assert mismatch_summary(torch.tensor([1.0, 2.5]), torch.tensor([1.0, 2.0]), Tolerance()).startswith(
        "Mismatched elements: 1 / 2 (50.0%). Greatest absolute difference: 0.5 at index (1,)")


def test_torchs_long_message_is_cut_to_its_first_sentence_where_a_hint_follows():
    """Walkthrough 68: torch's 400 characters about a second backward, cut mid-word ("a second ti..."), came before the
    hint that says what to do; where a hint follows, its first sentence is enough."""
    long = ("'Trying to backward through the graph a second time (or directly access saved tensors after they have "
            "already been freed). Saved intermediate values of the graph are freed when you call .backward() or "
            "autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second ti...'")
    outcome = {"exception": {"type": "RuntimeError", "message": long, "frames": []}}
    with pytest.raises(Fail) as caught:
        called(outcome, "f(x)")
    said = str(caught.value)
    assert said.startswith("f(x) raised RuntimeError: 'Trying to backward through the graph a second time (or directly "
                           "access saved tensors after they have already been freed). …' (pass retain_graph=True")
    outcome = {"exception": {"type": "RuntimeError", "message": "'a short one. With two sentences.'", "frames": []}}
    with pytest.raises(Fail) as caught:
        called(outcome, "f(x)")
    assert "a short one. With two sentences." in str(caught.value)  # (short: whole)


def test_the_difference_named_is_a_mismatched_elements_and_a_factor_of_one_is_none():
    """Fairness 64: the greatest absolute difference (98.2907 against 98.2906, within rtol) was quoted where the
    element that failed (near 0, past atol) was another, and the values read as "1 times the expected value"."""
    expected = torch.tensor([98.2906, 0.0, 5.0], dtype=torch.float64)
    actual = torch.tensor([98.2907, 3e-6, 5.0], dtype=torch.float64)
    text = mismatch_summary(actual, expected, Tolerance(rtol=1e-5, atol=1e-6))
    assert text.startswith("Mismatched elements: 1 / 3 (33.3%). Greatest absolute difference of those: 3e-06 at "
                           "index (1,)"), text
    assert factor_hint(1.0000004, 3) is None and factor_hint(1.5, 3).code == "constant-factor"
