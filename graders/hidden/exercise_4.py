"""Hidden checks of exercise 4: instructor-only, never in the student wheel.

Each is placed after the check it follows (see :func:`graders.assemble`); inputs and
judges used only here live here too. Shared parts come from :mod:`graders.exercise_4`.
"""

from __future__ import annotations

import torch

from autograd_exercises import inputs
from autograd_exercises.judge import Fail, called, close, counted, graph_in_view, tensor
from autograd_exercises.probes.exercise_4 import probe_detached_copy, probe_frozen_gradients, probe_network, probe_predict
from autograd_exercises.spec import Check
from graders.exercise_4 import (
    TOL, expected_copy, network_label, detach_cases, judge_frozen_gradients, network_cases, reference,
)

MISTAKES = {
    "predict-freezes": "predict switches the parameters' requires_grad off instead of using torch.no_grad()",
    "predict-calls-backward": "predict calls backward(), filling the parameters' .grad",
    "grad-mode-left-off": "torch.set_grad_enabled(False) left in force after predict returned",
    "predict-builds-graph": "predict builds a graph and detaches the result, instead of using torch.no_grad()",
    "shares-memory": "the detached copy shares t's memory (.detach() without .clone())",
}

NOTEBOOK = {
    "x": torch.ones(5),
    "w": torch.full((5, 3), 0.1),
    "b": torch.tensor([0.0, -0.5, 0.5]),
    "y": torch.zeros(3),
}


@inputs.public  # the handout's own values
def notebook_case(gen: torch.Generator) -> list[dict]:
    case = {k: v.clone() for k, v in NOTEBOOK.items()}
    return [{**case, "label": network_label(case["x"], case["w"], "the handout's example")}]


@inputs.public  # the handout's own values
def notebook_frozen(gen: torch.Generator) -> list[dict]:
    (case,) = notebook_case(gen)
    return [{**case, "frozen": ["b"], "arriving": [], "label": case["label"] + ", frozen = ['b']"}]


def judge_network_gradients(case, obs):
    """loss.backward() on the returned loss fills the gradients of the w and b passed in."""
    called(obs["network"], "network(x, w, b, y)")
    after, ref = obs["after_backward"], reference(case)
    if after["error"]:
        raise Fail(f"loss.backward() failed on your graph: {after['error']}", code="backward-failed")
    for name in ("w", "b"):
        if after[f"{name}_grad"] is None:
            raise Fail(f"{name}.grad is None after loss.backward(): build the loss from the {name} passed in, "
                       f"not from a copy or {name}.detach()", code="detached-input")
        close(tensor(after[f"{name}_grad"], f"{name}.grad"), ref[f"{name}_grad"],
              what=f"{name}.grad after loss.backward()", tol=TOL, **counted(ref["z"]))


def judge_predict_state(case, obs):
    """predict leaves w and b as they were (still trainable, no .grad) and tracking switched on."""
    called(obs["predict"], "predict(x, w, b)")
    for name, state in obs["params"].items():
        if not state["requires_grad"]:
            raise Fail(f"after predict, {name} no longer requires grad: predicting must not freeze the parameters "
                       "(compute under torch.no_grad() instead of switching requires_grad off)", code="predict-freezes")
        if state["grad"] is not None:
            raise Fail(f"after predict, {name}.grad is set: predicting must not call backward()",
                       code="predict-calls-backward")
    if not obs["grad_mode_after"]:
        raise Fail("gradient tracking is still off after predict returned: torch.set_grad_enabled(False) stays in "
                   "force for all later code; use the block `with torch.no_grad():`, which switches it back on",
                   code="grad-mode-left-off")


def judge_predict_no_graph(case, obs):
    """predict builds no graph at all: autograd saves nothing for a backward pass."""
    called(obs["predict"], "predict(x, w, b)")
    graph_in_view(obs.get("own_hooks"), "predict", obs.get("threads"), obs.get("kernel"))
    if obs["saved"]:
        raise Fail(f"predict built a graph (autograd saved {obs['saved']} tensor(s) for a backward pass) and then "
                   "dropped it: .detach() at the end removes the graph but not the cost of building it; compute "
                   "under `with torch.no_grad():` instead", code="predict-builds-graph")
    calls = obs["predict"].get("autograd_calls")
    if type(calls) is int and calls > 0:  # (red team 67 built the graph on autograd's own thread, nested 60 passes deep)
        raise Fail(f"predict ran autograd {calls} time(s) (a backward pass, or forward-mode AD): predicting needs no "
                   "gradient; compute under `with torch.no_grad():` instead", code="predict-builds-graph")
    if obs.get("functions"):
        raise Fail(f"predict built a graph (it applied a custom autograd Function {obs['functions']} time(s) to tensors "
                   "that require grad, with tracking on) and then dropped it: compute under `with torch.no_grad():` "
                   "instead", code="predict-builds-graph")
    if type(obs.get("nodes")) is int and obs["nodes"] > 0:
        raise Fail(f"predict built a graph (autograd made {obs['nodes']} graph node(s) while it ran, with tracking on) "
                   "and then dropped it: .detach() at the end removes the graph but not the cost of building it; "
                   "compute under `with torch.no_grad():` instead", code="predict-builds-graph")


def judge_detached_independent(case, obs):
    """detached_copy(t) keeps its values when t is modified in place afterwards."""
    got = called(obs["copy"], "detached_copy(t)")
    tensor(got, "detached_copy(t)")
    after = tensor(obs["copy_after"], "detached_copy(t)")
    expected = expected_copy(case)
    if after.shape == expected.shape and torch.allclose(after.to(torch.float64), expected + 1, rtol=1e-5, atol=1e-6):
        raise Fail("the copy changed when t was modified in place: t.detach() (and t.data) share t's memory; "
                   "return t.detach().clone() to get values of its own", code="shares-memory")
    close(after, expected, what="detached_copy(t) after t changed in place", tol=TOL)


PLACED = (
    ("network_values",
     Check("network_gradients", "network", 1, "loss.backward() fills w.grad and b.grad of the parameters passed in",
           network_cases, probe_network, judge_network_gradients, TOL, hidden=True)),
    ("predict_values",
     Check("predict_leaves_state", "predict", 1, "predict keeps w and b trainable and tracking switched on",
           network_cases, probe_predict, judge_predict_state, TOL, hidden=True)),
    ("predict_leaves_state",
     Check("predict_builds_no_graph", "predict", 1, "predict builds no graph (torch.no_grad, not detach afterwards)",
           network_cases, probe_predict, judge_predict_no_graph, TOL, hidden=True)),
    ("detached_copy_untracked",
     Check("detached_copy_independent", "detached_copy", 1, "detached_copy(t) keeps its values when t changes",
           detach_cases, probe_detached_copy, judge_detached_independent, TOL, hidden=True)),
    ("frozen_gradients",
     Check("frozen_gradients_notebook_example", "frozen_gradients", 1, "the handout's example with b frozen",
           notebook_frozen, probe_frozen_gradients, judge_frozen_gradients, TOL, hidden=True)),
)
