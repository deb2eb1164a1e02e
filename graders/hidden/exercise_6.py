"""Hidden checks of exercise 6: instructor-only, never in the student wheel.

Each is placed after the check it follows (see :func:`graders.assemble`); inputs and
judges used only here live here too. Shared parts come from :mod:`graders.exercise_6`.
"""

from __future__ import annotations

import torch

from autograd_exercises import inputs
from autograd_exercises.judge import Fail, backward_passes, grad_fn_name
from autograd_exercises.probes.exercise_6 import probe_sgd_step, probe_train
from autograd_exercises.spec import Check
from graders.exercise_6 import (
    EVERY_STEP, TOL, TRAIN_TOL, blaming_loss_fn, ran, trained, judge_converges, step_cases, train_label, training_cases,
)

NOTEBOOK = {
    "x": torch.tensor([[0.0], [1.0], [2.0], [3.0]]),
    "y": torch.tensor([[1.0], [3.0], [5.0], [7.0]]),
    "w": torch.zeros(1, 1),
    "b": torch.zeros(1),
    "lr": 0.05,
    "steps": 200,
}


@inputs.public  # the handout's own values
def notebook_case(gen: torch.Generator) -> list[dict]:
    case = {k: (v.clone() if isinstance(v, torch.Tensor) else v) for k, v in NOTEBOOK.items()}
    return [{**case, "label": train_label(case, "the handout's example")}]


def short_cases(gen: torch.Generator) -> list[dict]:
    return training_cases(gen, steps=5)[:2]


def judge_sgd_leaves(case, obs):
    """After sgd_step every parameter is still a leaf that requires grad, with no grad_fn."""
    ran(obs["sgd_step"], "sgd_step(params, lr)")
    for index, after in enumerate(obs["params"]):
        if after.get("grad_fn") is not None or not after.get("is_leaf"):
            raise Fail(f"params[{index}] has a grad_fn ({after.get('grad_fn')}) after sgd_step: the update was "
                       "recorded by autograd; do it under torch.no_grad()", code="update-tracked")
        if not after.get("requires_grad"):
            raise Fail(f"params[{index}] no longer requires grad after sgd_step: the next backward would not reach "
                       "it; use torch.no_grad() instead of switching requires_grad off", code="requires-grad-off")


@blaming_loss_fn  # (fairness 67: a loss rebuilt from a number was told of `w = w - lr * w.grad` here)
def judge_no_graph_kept(case, obs):
    """The trained w and b are still leaves with no grad_fn, and the losses hold no graphs (however many were recorded:
    a loop one step short is the other checks' to say, not this one's again); a train that never back-propagated has
    no graph to judge, so it does not pass."""
    _, w, b = trained(case, obs, counted=False)
    if backward_passes(obs["train"]) < 1:  # (red team 231: a train with no loop keeps no graph, and trains nothing)
        raise Fail(f"train never back-propagated, so there is no graph for it to leave behind: {EVERY_STEP}",
                   code="train-without-autograd")
    for name, desc in (("w", w), ("b", b)):
        if grad_fn_name(desc) is not None or not desc.get("is_leaf", True):
            raise Fail(f"the returned {name} has a grad_fn ({grad_fn_name(desc)}): the updates were recorded by "
                       "autograd, so every step's graph hangs on the next one; update in place under "
                       "torch.no_grad()", code="update-tracked")
        if not desc.get("requires_grad", False):
            raise Fail(f"the returned {name} does not require grad: it can no longer be trained",
                       code="requires-grad-off")
    if obs["losses"]["tracked"]:
        raise Fail(f"{obs['losses']['tracked']} of the recorded losses are tensors with a grad_fn: each keeps its "
                   "step's whole graph alive; record loss.item()", code="losses-keep-graph")


PLACED = (
    ("sgd_step_zero_grad",
     Check("sgd_step_keeps_leaves", "sgd_step", 1, "after sgd_step the parameters are leaves that require grad",
           step_cases, probe_sgd_step, judge_sgd_leaves, TOL, hidden=True)),
    ("train_converges",
     Check("train_notebook_example", "train", 1, "the handout's line y = 2x + 1, 200 steps with lr = 0.05",
           notebook_case, probe_train, judge_converges, TRAIN_TOL, hidden=True)),
    ("train_notebook_example",
     Check("train_no_graph_kept", "train", 1, "training leaves no graph behind: leaf parameters, plain losses",
           short_cases, probe_train, judge_no_graph_kept, TOL, hidden=True)),
)
