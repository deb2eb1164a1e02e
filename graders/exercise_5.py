"""Grader of exercise 5: ``retain_graph``, the error of a second backward, accumulation and clearing of ``.grad``.

Function: ``f(x) = sum(2x⁴ + x³ + 3x² + 5x + 1)``; its gradient ``f'(x)`` comes from
``torch.autograd.grad`` in float64, from the same inputs the student gets (exercise 1 asks for
this derivative by hand, so no grader writes it down).
"""

from __future__ import annotations

import torch

from autograd_exercises import inputs
from autograd_exercises.judge import backprop
from autograd_exercises.judge import Fail, a_type, called, close, close_or_named, derivatives, graph_in_view, tensor
from autograd_exercises.probes.exercise_5 import (
    probe_accumulated, probe_backward_twice, probe_fresh, probe_polynomial, probe_second_backward_error,
)
from autograd_exercises.spec import Check, Exercise, HiddenCount, Tolerance

TOL = Tolerance(rtol=1e-5, atol=1e-5)
SHAPES = ((), (4,), (3, 5), (2, 3, 4))
# The mistakes this exercise's checks name (codes given to Fail), besides the shared ones (autograd_exercises.mistakes).
MISTAKES = {
    "too-few-passes": "fewer backward passes than steps asked for (a loop over range(steps - 1))",
    "grad-not-stored": "gradients taken with torch.autograd.grad, which leaves x.grad empty",
    "single-backward": "one backward pass where two over a retained graph were asked for",
    "error-not-caught": "the RuntimeError of the second backward escapes instead of being caught and returned",
    "graph-retained": "no error on the second backward: the graph was retained (retain_graph=True) or built anew",
    "rebuilt-graph": "the graph built again for the second backward instead of retained by the first",
    "no-graph": "the right value, but no graph back-propagated (a custom autograd.Function, or the formula by hand)",
    "error-as-string": "the error returned as a string, not the exception object",
    "wrong-error": "an exception other than the second backward's RuntimeError",
    "grad-cleared": "x.grad cleared between backward calls, so the gradients do not add up",
    "zero-none-grad": "x.grad.zero_() called while x.grad is still None",
    "cleared-after-backward": "x.grad cleared after the last backward instead of before each one",
    "grad-not-cleared": "x.grad not cleared before each backward (stale or summed gradients)",
}


def polynomial(x: torch.Tensor) -> torch.Tensor:
    r"""$f(x) = \sum_i (2x_i^4 + x_i^3 + 3x_i^2 + 5x_i + 1)$ (the same as the handout's)."""
    return (2 * x**4 + x**3 + 3 * x**2 + 5 * x + 1).sum()


def slope(x: torch.Tensor) -> torch.Tensor:
    """$f'(x)$, the gradient of :func:`polynomial` at every element, by :func:`torch.autograd.grad` in float64."""
    return derivatives(polynomial, x)[1][0]


def reference_error() -> tuple[str, str]:
    """Type and message of the error a second backward raises, made here with this process's torch."""
    x = torch.tensor([1.5, -0.5], dtype=torch.float64, requires_grad=True)
    out = polynomial(x)
    out.backward()
    try:
        out.backward()
    except RuntimeError as exc:
        return type(exc).__name__, str(exc)
    raise AssertionError("a second backward without retain_graph did not fail")  # pragma: no cover


# -- inputs ----------------------------------------------------------------------------------------

def random_x(gen: torch.Generator) -> list[dict]:
    return inputs.random_tensors(gen, "x", shapes=SHAPES)


def with_steps(gen: torch.Generator, steps: tuple[int, ...] = (2, 3, 1, 4), stale: bool = False) -> list[dict]:
    """The random x with a number of steps each, and optionally a stale gradient already in x.grad."""
    cases = random_x(gen)
    for number, case in enumerate(cases):
        case["steps"] = steps[number % len(steps)]
        case["label"] += f", steps = {case['steps']}"
        if stale:
            case["stale"] = inputs.uniform(gen, case["x"].shape, case["x"].dtype, -5.0, 5.0)
            case["label"] += ", x.grad already holding a stale gradient"
    return cases


def accumulate_cases(gen: torch.Generator) -> list[dict]:
    return with_steps(gen)


def fresh_cases(gen: torch.Generator) -> list[dict]:
    return with_steps(gen, steps=(1, 2, 3))


# -- judges ----------------------------------------------------------------------------------------

def judge_polynomial(case, obs):
    r"""polynomial(x) = $\sum_i (2x_i^4 + x_i^3 + 3x_i^2 + 5x_i + 1)$, one tracked number."""
    what = "polynomial(x)"
    got = called(obs["ran"], what)
    value = tensor(got, what)
    x = case["x"].to(torch.float64)
    if value.numel() != 1:
        raise Fail(f"{what} has shape {tuple(value.shape)}: sum over all elements, so that it is one number "
                   "(backward() starts from a single number)", code="not-reduced")
    close(value.reshape(()), polynomial(x), what=what, tol=TOL, numel=x.numel())
    if got.get("grad_fn") is None:
        raise Fail(f"{what} has no grad_fn: compute it from x with tracking on, so that backward() reaches x",
                   code="not-tracked")


def _grad_result(obs: dict, what: str) -> torch.Tensor:
    """The returned gradient, a tensor; :class:`Fail` for None, the wrong type, or an exception."""
    got = called(obs["ran"], what)
    if got.get("type") == "NoneType":
        raise Fail(f"{what} returned None: return x.grad after the backward calls", code="returned-none")
    return tensor(got, what)


def _fills_leaf(obs: dict, expected: torch.Tensor, what: str, steps: int | None = None) -> None:
    """The side effect alone: afterwards ``x.grad`` of the x passed in holds the gradient.

    An ``x.grad`` that holds what the call returned passes, right or wrong (the value is the value check's to
    judge); otherwise it must equal ``expected``. An empty one says whether backward passes reached x
    (:func:`_empty_grad`).
    """
    if obs["x_grad"] is None:
        raise _empty_grad(obs, what, steps)
    got = tensor(obs["x_grad"], "x.grad")
    returned = obs["ran"].get("returned") or {}
    if returned.get("type") == "tensor" and "value" in returned:
        if returned["value"].shape == got.shape and torch.equal(returned["value"], got):
            return
    close(got, expected, what=f"x.grad after {what}", tol=TOL, numel=got.numel())


SHORT_LOOP = "does it run steps rounds (a loop over range(steps), not range(steps - 1))?"  # (too-few-passes' hint)


def _empty_grad(obs: dict, what: str, steps: int | None) -> Fail:
    """Why x.grad of the x passed in is None afterwards: backward passes reached x and the code cleared it after them
    (walkthrough 68: "no backward pass reached it" beside the value check's right "cleared after the last backward");
    none ran, for ``steps`` rounds (a loop over ``range(steps - 1)``); or none reached this x (a copy)."""
    reached = _passes(obs)
    adds = _into(obs).get("accumulates")
    none_added = isinstance(adds, torch.Tensor) and adds.dtype == torch.bool and adds.numel() and not bool(adds.any())
    if reached and none_added:
        return Fail(f"x.grad of the x passed in is None after {what}: its {reached} backward pass(es) reached x "
                    "through torch.autograd.grad, which returns the gradient and leaves x.grad as it is; call "
                    "backward() (or set x.grad to the gradient) so that the caller's x.grad holds it",
                    code="grad-not-stored")  # (fairness 63: this was said to be cleared after the last backward)
    if reached:
        return Fail(f"x.grad of the x passed in is None after {what}, though {reached} backward pass(es) reached it: "
                    "x.grad was cleared after the last backward; clear it before each backward, so that it holds the "
                    "gradient afterwards", code="cleared-after-backward")
    calls = (obs.get("ran") or {}).get("autograd_calls")
    if steps is not None and type(calls) is int and calls == 0:
        return Fail(f"no backward pass ran in {what} for steps = {steps}: {SHORT_LOOP}", code="too-few-passes")
    return Fail(f"x.grad of the x passed in is still None after {what}: no backward pass reached it; "
                "back-propagate through that x (not a copy), and check that the backward call runs, so that the "
                "caller's x.grad holds the gradient", code="detached-input")


def judge_backward_twice(case, obs):
    """backward_twice(x) = $2 f'(x)$ from two passes over one retained graph: every value a backward pass reads was
    saved by it and is read by both passes. Two graphs, each read once, give the same value but skip retain_graph."""
    judge_backward_twice_value(case, obs)
    counts = obs.get("saved_values") if isinstance(obs.get("saved_values"), dict) else {}
    saved, read, reread, once = (counts.get(key) for key in ("saved", "read", "reread", "once"))
    graph_in_view(counts.get("own_hooks"), "backward_twice", counts.get("threads"))
    if saved == 0:
        raise Fail("backward_twice(x) returned 2 f'(x), but autograd saved no value for a backward pass while it ran: "
                   "no graph of polynomial(x) was back-propagated. Build out = polynomial(x) once, then call "
                   "out.backward(retain_graph=True) and out.backward() on that same out", code="no-graph")
    if type(saved) is int and type(read) is int and (reread == 0 or type(once) is int and once > 0):
        raise Fail(f"backward_twice(x) returned 2 f'(x), but not from two passes over one graph: {once} of the {saved} "
                   "values autograd saved for backward were read by one pass only (a graph built again for the second "
                   "pass, say), where two passes over one graph kept with retain_graph=True read each of them. Build "
                   "out = polynomial(x) once, then call out.backward(retain_graph=True) and out.backward() on that "
                   "same out", code="rebuilt-graph")
    _filled_by_backward(case, obs, "backward_twice(x)", 2)
    uncounted = counts.get("uncounted")
    if type(uncounted) is int and uncounted > 0:  # (red team 61: a backward the counting engine never saw)
        raise Fail(f"backward_twice(x) returned 2 f'(x), but {uncounted} of the values saved for backward were read by "
                   "no backward pass the grader can count (only by a hook, TorchScript, or torch's operators called by "
                   "name): call out.backward(retain_graph=True) and out.backward() on one out = polynomial(x)",
                   code="rebuilt-graph")


def _filled_by_backward(case: dict, obs: dict, what: str, passes: int) -> None:
    """A filled x.grad of the x passed in (empty on entry) holds what at least ``passes`` backward passes from
    ``polynomial(x)`` delivered (:func:`_by_backward`). An empty one is the fills check's to charge (back-propagating
    through a copy of x)."""
    if obs.get("x_grad") is not None:
        _by_backward(case, obs, tensor(obs["x_grad"], "x.grad"), what, passes)


def _by_backward(case: dict, obs: dict, got: torch.Tensor, what: str, passes: int, *, cleared: bool = False) -> None:
    """``got`` is what at least ``passes`` backward passes from ``polynomial(x)`` delivered into x
    (:func:`backprop.filled_by_backward`; ``cleared``: what the latest of them did), not a value set by hand (red team
    63: ``x.grad`` set by hand beside an unrelated retained graph; 74: one pass, then scaled by hand; 122: $f'(x)$ by
    hand sent through ``(x * g).sum()``; 166: ``fresh_grad`` set it by hand and ran no pass). Fewer passes than
    ``steps`` whose gradients ``got`` holds are a loop one round short (walkthrough 68), not a value set by hand."""
    x = case["x"].to(torch.float64)
    reached = _passes(obs)
    if "steps" in case and reached and reached < passes and got.shape == x.shape and torch.allclose(
            got.to(torch.float64), (1 if cleared else reached) * slope(case["x"]), rtol=1e-4, atol=1e-5):
        raise Fail(f"{what}: only {reached} of the {passes} backward passes ran, and x.grad holds what they delivered: "
                   + SHORT_LOOP, code="too-few-passes")
    terms = torch.stack([2 * x**4, x**3, 3 * x**2, 5 * x, torch.ones_like(x)])  # (the sum's rounding: its terms' sizes)
    backprop.filled_by_backward(obs.get("into_x"), got, (float(terms.sum()),), what=what, leaf="x",
                                root="out = polynomial(x)", passes=passes, scale=float(terms.abs().sum()), tol=TOL,
                                cleared=cleared)


def judge_backward_twice_value(case, obs):
    """backward_twice(x) = $2 f'(x)$: the gradients of two backward passes, summed."""
    what = "backward_twice(x)"
    got = _grad_result(obs, what)
    expected = 2 * slope(case["x"])
    def single() -> Fail | None:  # (where f'(x) is near 0, 2 f'(x) is near f'(x) too)
        if got.shape == expected.shape and torch.allclose(got.to(torch.float64), expected / 2, rtol=1e-4, atol=1e-5):
            return Fail(f"{what} holds a single gradient f'(x), expected two summed: call "
                        "out.backward(retain_graph=True) and then out.backward() again on the same out, without "
                        "clearing x.grad in between", code="single-backward")
        return None

    close_or_named(got, expected, what=what, tol=TOL, numel=case["x"].numel(), named=single)


def judge_backward_twice_fills(case, obs):
    """Afterwards x.grad of the x passed in holds the two summed gradients."""
    what = "backward_twice(x)"
    called(obs["ran"], what)
    _fills_leaf(obs, 2 * slope(case["x"]), what)


def caught(obs: dict, what: str) -> dict:
    """What second_backward_error returned; :class:`Fail` if the error of the second backward escaped."""
    kind, message = reference_error()
    exception = obs["ran"].get("exception") or {}
    if exception.get("type") == kind and message[:50] in exception.get("message", ""):
        raise Fail(f"{what} let the {kind} escape: catch it with `try: ... except RuntimeError as err:` and "
                   "return err", code="error-not-caught")
    return called(obs["ran"], what)


def judge_second_error(case, obs):
    """second_backward_error(x) returns the RuntimeError of a second backward through a freed graph."""
    what = "second_backward_error(x)"
    kind, message = reference_error()
    key = message[:50]
    got = caught(obs, what)
    if got.get("type") == "NoneType":
        raise Fail(f"{what} returned None: the second out.backward() raised no error, so the graph was still "
                   "there (was retain_graph=True passed to the first call?) or was built anew; call backward twice "
                   "on the same out, the first time without retain_graph", code="graph-retained")
    if got.get("type") == "str":
        shown = got.get("value", "")
        if key in shown:
            raise Fail(f"{what} returned the message as a str: return the exception object itself (`return err`)",
                       code="error-as-string")
        raise Fail(f"{what} returned the string {shown[:80]!r}: return the exception object caught by "
                   "`except RuntimeError as err`", code="error-as-string")
    error = obs["error"]
    if error is None:
        raise Fail(f"{what} returned {a_type(got.get('type'))}, expected the exception object caught by "
                   "`except RuntimeError as err`", code="wrong-type")
    if error["type"] != kind or key not in error["message"]:
        raise Fail(f"{what} returned {error['type']}({error['message'][:120]!r}), expected the {kind} of a second "
                   f"backward: {key}...", code="wrong-error")


def _into(obs: dict) -> dict:
    """What the backward passes that reached the x passed in did (:func:`observe.gradients_into`); ``{}`` unread."""
    return obs.get("into_x") if isinstance(obs.get("into_x"), dict) else {}


def _passes(obs: dict) -> int | None:
    """How many backward passes reached the x passed in; None where unread."""
    passes = _into(obs).get("passes")
    return passes if type(passes) is int else None


def _loop_short(obs: dict, steps: int) -> str:
    """For a single gradient where ``steps`` were asked for: the loop that ran one round short, when the passes that
    reached x say so (walkthrough 68: ``range(steps - 1)`` was not among the causes named)."""
    return f"; {steps - 1} of {steps} backward passes ran: range(steps - 1)?" if _passes(obs) == steps - 1 else ""


def judge_accumulated(case, obs):
    """accumulated_grad(x, steps) = steps · $f'(x)$: gradients of separate graphs add up in x.grad."""
    steps, what = int(case["steps"]), "accumulated_grad(x, steps)"
    got = _grad_result(obs, what)
    g = slope(case["x"])
    if steps > 1 and got.shape == g.shape and torch.allclose(got.to(torch.float64), g, rtol=1e-4, atol=1e-5):
        raise Fail(f"{what} holds a single gradient f'(x), expected the sum of {steps}: each backward adds its "
                   f"gradient to x.grad, so do not clear x.grad between the backward calls, and let all {steps} run "
                   f"(a return inside the loop ends it after the first{_loop_short(obs, steps)})", code="grad-cleared")
    reached = _passes(obs)
    if reached is not None and 1 < reached < steps and got.shape == g.shape and \
            torch.allclose(got.to(torch.float64), reached * g, rtol=1e-4, atol=1e-5):
        raise Fail(f"{what} holds the sum of {reached} gradients f'(x), expected {steps}: only {reached} of the "
                   f"{steps} backward passes ran; {SHORT_LOOP}", code="too-few-passes")
    close(got, steps * g, what=what, tol=TOL, numel=case["x"].numel())
    _filled_by_backward(case, obs, what, steps)  # (red team 74: one backward, then x.grad *= steps by hand)


def judge_accumulated_fills(case, obs):
    """Afterwards x.grad of the x passed in holds the steps summed gradients."""
    what = "accumulated_grad(x, steps)"
    called(obs["ran"], what)
    _fills_leaf(obs, int(case["steps"]) * slope(case["x"]), what, int(case["steps"]))


def _fresh_hint(got: torch.Tensor, case: dict) -> str:
    """Name the clearing mistake whose result ``got`` matches."""
    g, steps = slope(case["x"]), int(case["steps"])
    wrong = [(torch.zeros_like(g), "x.grad was zeroed after the last backward: clear it before each backward, "
                                   "then return it")]
    if "stale" in case:
        stale = case["stale"].to(torch.float64)
        wrong.append((g + stale, "the stale gradient x.grad held on entry was added to: clear x.grad before the "
                                 "first backward too"))
        if steps > 1:
            wrong.append((steps * g + stale, f"x.grad was never cleared: it holds the stale gradient plus all {steps} "
                                             "rounds' gradients; clear it before each backward"))
    elif steps > 1:
        wrong.append((steps * g, f"the gradients of all {steps} rounds were summed: clear x.grad before each backward"))
    for value, hint in wrong:
        if got.shape == g.shape and torch.allclose(got.to(torch.float64), value, rtol=1e-4, atol=1e-5):
            return hint
    return ""


FRESH = "fresh_grad(x, steps)"


def _fresh_outcome(obs: dict) -> dict:
    """What fresh_grad returned; :class:`Fail` naming the cause of an AttributeError on a missing x.grad."""
    exception = obs["ran"].get("exception") or {}
    if exception.get("type") == "AttributeError" and "NoneType" in exception.get("message", ""):
        raise Fail(f"{FRESH} raised AttributeError: {exception['message']} — x.grad is None until the first backward; "
                   "clear it with x.grad = None, or call x.grad.zero_() only when x.grad is not None",
                   code="zero-none-grad")
    return called(obs["ran"], FRESH)


def judge_fresh(case, obs):
    """fresh_grad(x, steps) = $f'(x)$: one gradient, whatever x.grad held and however many rounds ran, what the last
    of ``steps`` backward passes delivered."""
    what = FRESH
    got = _fresh_outcome(obs)
    if got.get("type") == "NoneType":
        if _passes(obs) == 0 and (obs.get("ran") or {}).get("autograd_calls") == 0:
            raise Fail(f"{what} returned None: no backward pass ran for steps = {int(case['steps'])}; {SHORT_LOOP}",
                       code="too-few-passes")
        raise Fail(f"{what} returned None: x.grad was cleared after the last backward; clear it before each "
                   "backward, then return it", code="cleared-after-backward")
    value = tensor(got, what)
    def clearing() -> Fail | None:  # (a stale gradient near 0 leaves f'(x) within the hint's tolerance)
        hint = _fresh_hint(value, case)
        return Fail(f"{what} is wrong: {hint}", code="cleared-after-backward" if "zeroed after" in hint
                    else "grad-not-cleared") if hint else None

    close_or_named(value, slope(case["x"]), what=what, tol=TOL, numel=case["x"].numel(), named=clearing)
    _by_backward(case, obs, value, what, int(case["steps"]), cleared=True)  # (red team 166: set by hand, no pass)


def judge_fresh_fills(case, obs):
    """Afterwards x.grad of the x passed in holds one gradient $f'(x)$."""
    _fresh_outcome(obs)
    _fills_leaf(obs, slope(case["x"]), FRESH, int(case["steps"]))


HIDDEN = HiddenCount(checks=3, points=3)

VISIBLE = Exercise(
    slug="exercise-5",
    module="exercise_5",
    title="Calling backward more than once",
    functions=("polynomial", "backward_twice", "second_backward_error", "accumulated_grad", "fresh_grad"),
    checks=(
        Check("polynomial", "polynomial", 1, "polynomial(x) is f(x) summed over the elements, tracked",
              random_x, probe_polynomial, judge_polynomial, TOL),
        Check("backward_twice", "backward_twice", 1, "two backward passes over one retained graph give 2 f'(x)",
              random_x, probe_backward_twice, judge_backward_twice, TOL),
        Check("backward_twice_fills_grad", "backward_twice", 1, "afterwards x.grad of the x passed in holds 2 f'(x)",
              random_x, probe_backward_twice, judge_backward_twice_fills, TOL),
        Check("second_backward_error", "second_backward_error", 2,
              "returns the RuntimeError of a second backward without retain_graph",
              random_x, probe_second_backward_error, judge_second_error, TOL),
        Check("accumulated_grad", "accumulated_grad", 1,
              "steps backward calls on fresh graphs add up to steps · f'(x)",
              accumulate_cases, probe_accumulated, judge_accumulated, TOL),
        Check("accumulated_grad_fills_grad", "accumulated_grad", 1,
              "afterwards x.grad of the x passed in holds steps · f'(x)",
              accumulate_cases, probe_accumulated, judge_accumulated_fills, TOL),
        Check("fresh_grad", "fresh_grad", 1, "clearing x.grad before each backward leaves one f'(x)",
              fresh_cases, probe_fresh, judge_fresh, TOL),
        Check("fresh_grad_fills_grad", "fresh_grad", 1, "afterwards x.grad of the x passed in holds one f'(x)",
              fresh_cases, probe_fresh, judge_fresh_fills, TOL),
    ),
)
