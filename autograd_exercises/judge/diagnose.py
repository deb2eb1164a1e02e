"""Say what is wrong with a result: wrong type, wrong shape, NaN, or a tell-tale factor.

Pure functions from (actual, expected) to one feedback string. The factor rules
encode the mistakes students make with autograd: summing instead of averaging
(off by ``numel``), gradients accumulated over two backward calls (twice the
answer), a sign slip, a transposed result.
"""

from __future__ import annotations

from typing import Any

import torch

from autograd_exercises.mistakes import WRONG_VALUE, Mistake
from autograd_exercises.spec import Tolerance


def a_type(kind: object) -> str:
    """A type's name with its article, for feedback: ``an int``, ``a str``, ``an ndarray``."""
    name = str(kind)
    return f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name}"


def wrong_type(desc: dict[str, Any], what: str) -> str:
    """Feedback for a result that is not a tensor."""
    return str(wrong_type_mistake(desc, what))


def wrong_type_mistake(desc: dict[str, Any], what: str) -> Mistake:
    """:func:`wrong_type`, as a :class:`Mistake` with its code (``python-number``, ``list-not-tensor``, …)."""
    kind = desc.get("type", "?")
    if kind in ("float", "int", "bool"):
        return Mistake("python-number", f"{what} is a Python {kind} ({desc.get('value')!r}), expected a "
                       "torch.Tensor: return the tensor itself (no .item() or float())")
    if kind in ("list", "tuple") or isinstance(desc.get("items"), list):  # (a NamedTuple too)
        return Mistake("list-not-tensor", f"{what} is {a_type(kind)}, expected a torch.Tensor: build it with tensor "
                       "operations (or torch.stack)")
    if kind.startswith("numpy"):
        return Mistake("numpy-not-tensor", f"{what} is {a_type(kind)}, expected a torch.Tensor: stay in torch (no .numpy())")
    if kind == "NoneType":
        return Mistake("returned-none", f"{what} is None, expected a torch.Tensor: did you forget to return it?")
    return Mistake("wrong-type", f"{what} is {a_type(kind)}, expected a torch.Tensor")


def _factor(actual: torch.Tensor, expected: torch.Tensor) -> float | None:
    """The constant c with actual ≈ c · expected, if there is one."""
    mask = expected.abs() > 1e-8
    if not bool(mask.any()) or not bool(torch.isfinite(actual).all()):
        return None
    ratios = actual[mask] / expected[mask]
    c = float(ratios.median())
    if c == 0 or not torch.allclose(ratios, torch.full_like(ratios, c), rtol=1e-3, atol=1e-9):
        return None
    if not torch.allclose(actual, c * expected, rtol=1e-3, atol=1e-6):
        return None  # zeros of expected that actual does not share
    return c


def factor_hint(c: float, numel: int | None, *, generic: bool = True, first: int | None = None) -> Mistake | None:
    """Name the mistake a constant factor points to (``None`` for an unremarkable factor unless ``generic``):
    ``numel`` is the input's element count, ``first`` its first dimension's size, what ``len()`` gives (a mean
    divided by ``len(x)`` is ``numel / first`` times the mean)."""
    near = lambda target: abs(c - target) <= 1e-3 * max(1.0, abs(target))  # noqa: E731
    if near(1):  # (fairness 64: "1 times the expected value ... a constant factor is off": no factor at all)
        return None
    if numel and numel > 1 and near(numel):
        return Mistake("sum-not-mean", f"it is {numel} times the expected value (= number of elements): a sum where "
                       "a mean belongs?")
    if numel and first and 1 <= first < numel and near(numel / first) and not near(2):  # (2: accumulated, below)
        return Mistake("len-not-numel", f"it is {numel // first} times the expected value: divided by len() = {first}, "
                       f"the first dimension only, where the mean divides by all {numel} elements (.numel())?")
    if numel and numel > 1 and near(1 / numel):
        return Mistake("mean-not-sum", f"it is 1/{numel} of the expected value: a mean where a sum belongs?")
    if near(2):
        return Mistake("grad-accumulated", "it is exactly twice the expected value: gradients accumulated (backward "
                       "ran twice, or .grad was not zeroed).")
    if near(0.5):
        return Mistake("half", "it is half the expected value: a factor of 2 is missing.")
    if near(-1):
        return Mistake("opposite-sign", "it has the opposite sign.")
    return Mistake("constant-factor", f"it is {c:.4g} times the expected value everywhere: a constant factor is "
                   "off.") if generic else None


def _shape_text(actual: torch.Tensor, expected: torch.Tensor) -> Mistake:
    a, e = tuple(actual.shape), tuple(expected.shape)
    if actual.dim() == 2 and a == e[::-1] and a != e:
        return Mistake("transposed", f"shape {a}, expected {e}: the result is transposed")
    if actual.numel() == 1 and expected.numel() > 1:
        return Mistake("reduced", f"shape {a}, expected {e}: one number where a tensor shaped like the input belongs "
                       "(reduced with sum/mean?)")
    return Mistake("wrong-shape", f"shape {a}, expected {e}")


def _first_nan(actual: torch.Tensor) -> str:
    index = tuple(int(i) for i in torch.nonzero(~torch.isfinite(actual))[0])
    return f"contains {float(actual[index])} at index {index}"


def _unravel(flat: int, shape: tuple[int, ...]) -> tuple[int, ...]:
    """The index of element ``flat`` of a row-major tensor of ``shape`` (torch.unravel_index costs ~10 ms a call
    in a process that has loaded torch's compiler stack)."""
    index = []
    for size in reversed(shape):
        flat, rest = divmod(flat, size)
        index.append(rest)
    return tuple(reversed(index))


def mismatch_summary(a: torch.Tensor, e: torch.Tensor, tol: Tolerance) -> str:
    """torch.testing's criterion ``|a - e| <= atol + rtol·|e|``, said briefly: how many, where, by how much."""
    bad = ~((a - e).abs() <= tol.atol + tol.rtol * e.abs())
    diff = (a - e).abs().nan_to_num(nan=float("inf"))
    flat = int(diff.argmax())
    among = ""  # (fairness 64: where the greatest difference passed, within rtol of a large value, a mismatched one's)
    if bool(bad.any()) and not bool(bad.reshape(-1)[flat]):
        flat, among = int(torch.where(bad, diff, torch.zeros_like(diff)).argmax()), " of those"
    index = _unravel(flat, tuple(a.shape)) if a.dim() else ()
    where = f" at index {index}" if index else ""
    count = int(bad.sum())
    counted = f"Mismatched elements: {count} / {a.numel()} ({100 * count / max(a.numel(), 1):.1f}%). " \
        if a.numel() > 1 else ""  # (one number: "1 / 1 (100.0%)" says nothing, walkthrough 68)
    return (f"{counted}{'Greatest absolute difference' + among if counted else 'Absolute difference'}: "
            f"{float(diff.reshape(-1)[flat]):.4g}{where} "
            f"(got {float(a.reshape(-1)[flat]):.6g}, expected {float(e.reshape(-1)[flat]):.6g}; "
            f"allowed {tol.atol:g} + {tol.rtol:g}·|expected|)")


def describe_mismatch(actual: torch.Tensor, expected: torch.Tensor, *, what: str, tol: Tolerance,
                      numel: int | None = None, first: int | None = None) -> str:
    """What is wrong, where, and by how much, as torch.testing would say it, plus a hint."""
    return str(mismatch(actual, expected, what=what, tol=tol, numel=numel, first=first))


def mismatch(actual: torch.Tensor, expected: torch.Tensor, *, what: str, tol: Tolerance,
             numel: int | None = None, first: int | None = None) -> Mistake:
    """:func:`describe_mismatch` as a :class:`Mistake`: the text and its code (``transposed``, ``not-finite``,
    ``sum-not-mean``, ``grad-accumulated``, …, ``wrong-value`` when no known mistake explains it)."""
    if tuple(actual.shape) != tuple(expected.shape):
        shape = _shape_text(actual, expected)
        return Mistake(shape.code, f"{what} has {shape}")
    a, e = actual.detach().to(torch.float64), expected.detach().to(torch.float64)
    if not bool(torch.isfinite(a).all()) and bool(torch.isfinite(e).all()):
        return Mistake("not-finite", f"{what} {_first_nan(a)}")
    if bool(torch.isclose(a, e, rtol=tol.rtol, atol=tol.atol).all()):  # assert_close's test, in float64
        return Mistake(WRONG_VALUE, f"{what} matches")
    detail = mismatch_summary(a, e, tol)
    c = _factor(a, e)
    # one number always has "a factor": only name the factors that point to a known mistake
    several = int((e.abs() > 1e-8).sum()) > 1
    hint = factor_hint(c, numel, generic=several, first=first) if c is not None else None
    if hint:
        return Mistake(hint.code, f"{what} is wrong — {hint} {detail}")
    return Mistake(WRONG_VALUE, f"{what} is wrong. {detail}")


def matching_mistake(actual: torch.Tensor, mistakes: dict[str, torch.Tensor], tol: Tolerance) -> str | None:
    """The explanation of the first known wrong result that ``actual`` equals, or ``None``.

    ``mistakes`` maps an explanation ("the sigmoid is applied twice") to the
    value that mistake gives, computed by the judge from the same inputs; an explanation
    that is a :class:`~autograd_exercises.mistakes.Mistake` is returned as it is, with its code.
    A candidate of another shape, or with values that are not finite, never matches; nor does a complex ``actual``.
    """
    if actual.is_complex():  # (red team 234: float64 would drop its imaginary part, and torch would warn of it)
        return None
    a = actual.detach().to(torch.float64)
    for explanation, value in mistakes.items():
        v = value.detach().to(torch.float64)
        if tuple(v.shape) != tuple(a.shape) or not bool(torch.isfinite(v).all()):
            continue
        if bool(torch.isclose(a, v, rtol=tol.rtol, atol=tol.atol).all()):
            return explanation
    return None


def largest_difference(actual: torch.Tensor, expected: torch.Tensor) -> str:
    """Where and by how much two same-shaped tensors differ most: ``"greatest difference 0.5 at index (1, 2) (got 1.5, expected 1)"``."""
    a, e = actual.detach().to(torch.float64), expected.detach().to(torch.float64)
    if a.dim() == 0:
        return f"got {float(a):.6g}, expected {float(e):.6g}"
    if a.numel() == 0:
        return "no elements to compare"
    flat = int((a - e).abs().nan_to_num(nan=float("inf")).argmax())
    index = tuple(int(i) for i in torch.unravel_index(torch.tensor(flat), a.shape))
    return (f"greatest difference {abs(float(a[index] - e[index])):.3g} at index {index} "
            f"(got {float(a[index]):.6g}, expected {float(e[index]):.6g})")
