"""Hidden checks of exercise 3: instructor-only, never in the student wheel.

Each is placed after the check it follows (see :func:`graders.assemble`); inputs and
judges used only here live here too. Shared parts come from :mod:`graders.exercise_3`.
"""

from __future__ import annotations

import torch

from autograd_exercises import inputs
from autograd_exercises.judge import no_autograd
from autograd_exercises.probes.exercise_3 import probe_loss, probe_manual
from autograd_exercises.spec import Check
from graders.exercise_3 import MANUAL, TOL, judge_loss, judge_manual_values, manual_cases, targets

LARGE_LOGIT = 60.0


def large_logit_cases(gen: torch.Generator) -> list[dict]:
    """Logits up to ±60, where σ(z) rounds to exactly 0 or 1 in float32 and in float64.

    The first four elements are z = 60, 60, -60, -60 with targets 0, 1, 1, 0: a log of
    a rounded sigmoid there gives inf (log 0) or nan (0 · log 0).
    """
    cases = []
    for case in inputs.random_tensors(gen, "z", shapes=((8,), (4, 5)), low=-LARGE_LOGIT, high=LARGE_LOGIT):
        z, dtype = case["z"], case["z"].dtype
        y = targets(gen, z.shape, dtype)
        z.view(-1)[:4] = torch.tensor([LARGE_LOGIT, LARGE_LOGIT, -LARGE_LOGIT, -LARGE_LOGIT], dtype=dtype)
        y.view(-1)[:4] = torch.tensor([0.0, 1.0, 1.0, 0.0], dtype=dtype)
        case.update(y=y, label=case["label"] + f", |z| up to {LARGE_LOGIT:g}")
        cases.append(case)
    return cases


def judge_manual_by_hand(case, obs):
    """parameter_gradients_manual is right, and while it ran it asked autograd for nothing.

    Its code is read for autograd too (``by_hand``): the run-time count is a second signal.
    """
    judge_manual_values(case, obs)
    no_autograd(obs["manual"], MANUAL)


PLACED = (
    ("loss_values",
     Check("loss_large_logits", "loss", 1, "loss(z, y) stays exact for logits up to ±60",
           large_logit_cases, probe_loss, judge_loss, TOL, hidden=True)),
    ("parameter_gradients_manual_values",
     Check("parameter_gradients_manual_by_hand", "parameter_gradients_manual", 1,
           "parameter_gradients_manual is right by hand: no autograd in its code or while it runs",
           manual_cases, probe_manual, judge_manual_by_hand, TOL, hidden=True, by_hand=True)),
)
