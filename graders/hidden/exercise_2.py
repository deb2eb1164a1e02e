"""Hidden checks of exercise 2: instructor-only, never in the student wheel.

Each is placed after the check it follows (see :func:`graders.assemble`); inputs and
judges used only here live here too. Shared parts come from :mod:`graders.exercise_2`.
"""

from __future__ import annotations

import torch

from autograd_exercises import inputs
from autograd_exercises.judge import no_autograd
from autograd_exercises.probes.exercise_2 import probe_gradients, probe_manual
from autograd_exercises.spec import Check
from graders.exercise_2 import TOL, judge_gradients_x, judge_manual_values, manual_x

NOTEBOOK_X = torch.tensor([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]])


@inputs.public  # the handout's own values
def notebook_x(gen: torch.Generator) -> list[dict]:
    return [inputs.fixed("x", NOTEBOOK_X, "the handout's example")]


def judge_manual_by_hand(case, obs):
    """gradient_manual(x) is right, and while it ran it asked autograd for nothing.

    Its code is read for autograd too (``by_hand``): the run-time count is a second signal.
    """
    judge_manual_values(case, obs)
    no_autograd(obs["manual"], "gradient_manual(x)")


PLACED = (
    ("gradients_y",
     Check("gradients_notebook_example", "gradients", 1, "x.grad for the handout's x = [[1,2,3],[3,2,1]]",
           notebook_x, probe_gradients, judge_gradients_x, TOL, hidden=True)),
    ("gradient_manual_values",
     Check("gradient_manual_by_hand", "gradient_manual", 1,
           "gradient_manual(x) is right by hand: no autograd in its code or while it runs",
           manual_x, probe_manual, judge_manual_by_hand, TOL, hidden=True, by_hand=True)),
)
