"""Hidden checks of exercise 5: instructor-only, never in the student wheel.

Each is placed after the check it follows (see :func:`graders.assemble`); inputs and
judges used only here live here too. Shared parts come from :mod:`graders.exercise_5`.
"""

from __future__ import annotations

import torch

from autograd_exercises import inputs
from autograd_exercises.judge import Fail, backward_passes, close, tensor
from autograd_exercises.probes.exercise_5 import probe_backward_twice, probe_fresh, probe_second_backward_error
from autograd_exercises.spec import Check
from autograd_exercises.sandbox import observe
from graders.exercise_5 import (TOL, caught, judge_backward_twice_value, judge_fresh, random_x, reference_error, slope,
                                with_steps)

NOTEBOOK_X = torch.tensor(2.0)
MISTAKES = {"error-made-up": "the error is made up (raised by hand), not the result of a second backward call"}


@inputs.public  # the handout's own values
def notebook_x(gen: torch.Generator) -> list[dict]:
    return [inputs.fixed("x", NOTEBOOK_X, "the handout's example")]


def stale_cases(gen: torch.Generator) -> list[dict]:
    return with_steps(gen, steps=(2, 1, 3), stale=True)


def judge_second_error_is_real(case, obs):
    """The error comes from a second real backward call: backward ran twice and x.grad holds one $f'(x)$."""
    what = "second_backward_error(x)"
    caught(obs, what)
    count = backward_passes(obs["ran"])
    if count < 2:
        raise Fail(f"{what} called backward {count} time(s): the error must come from calling out.backward() a "
                   "second time, not be made up", code="error-made-up")
    error = obs.get("error") if isinstance(obs.get("error"), dict) else {}
    if error and error.get("raised_by_torch") is not True:
        raise Fail(f"{what} returned a {error.get('type', 'error')} that torch did not raise: the error must come "
                   "from calling out.backward() a second time on the same out, not be made up", code="error-made-up")
    _, message = reference_error()  # (our attack after red team 136: a hook on out raised, in its second pass, another
    if error and error.get("message") != message[:observe.MAX_REPR]:  # error of torch's, holding the first words)
        raise Fail(f"{what} returned a {error.get('type', 'error')} whose message is not the whole of torch's for a "
                   "second backward (the first 50 characters of it are not enough): return the error of calling "
                   "out.backward() a second time on the same out, unchanged", code="error-made-up")
    if error and error.get("second_pass") is not True:  # (red team 136: another error of torch's, its text rewritten)
        raise Fail(f"{what} returned a {error.get('type', 'error')} that no second backward through one graph raised "
                   "as it is: return the error of calling out.backward() a second time on the same out, unchanged",
                   code="error-made-up")
    if obs["x_grad"] is None:
        raise Fail(f"x.grad is None after {what}: the first out.backward() must run through the x passed in",
                   code="detached-input")
    close(tensor(obs["x_grad"], "x.grad"), slope(case["x"]), what=f"x.grad after {what} (the first backward's "
          "gradient: the failed second one adds nothing)", tol=TOL, numel=case["x"].numel())


def judge_notebook_example(case, obs):
    """backward_twice(2) leaves x.grad = $2 f'(2) = 186$: the value alone (how the graph was built is the visible
    check's to judge)."""
    judge_backward_twice_value(case, obs)


PLACED = (
    ("backward_twice",
     Check("backward_twice_notebook_example", "backward_twice", 1, "x.grad = 186 for the handout's x = 2",
           notebook_x, probe_backward_twice, judge_notebook_example, TOL, hidden=True)),
    ("second_backward_error",
     Check("second_backward_error_is_real", "second_backward_error", 1,
           "the error comes from a real second backward call on the same graph",
           random_x, probe_second_backward_error, judge_second_error_is_real, TOL, hidden=True)),
    ("fresh_grad",
     Check("fresh_grad_stale", "fresh_grad", 1, "fresh_grad also clears a stale gradient x.grad held on entry",
           stale_cases, probe_fresh, judge_fresh, TOL, hidden=True)),
)
