"""Exercise 4 graded for real: solution (full), stub (zero) and named common mistakes."""

from __future__ import annotations


import pytest
import torch
from hypothesis import example, given, settings, strategies as st

from tests.conftest import (
    assert_mistake, assert_solution_full, assert_stub_zero, by_name, counting_autograd, judge_every_check, load_module, mutate, solution_text,
)

SLUG, MODULE = "exercise-4", "exercise_4"
SOLUTION = solution_text(MODULE)
PREDICT = "    with torch.no_grad():\n        return x @ w + b\n"
FREEZE_LOOP = "        p.requires_grad_(name not in frozen)\n"
BACKWARD = "    loss.backward()\n    return w.grad, b.grad\n"

# name: (mutations, expected score, {check: feedback fragment})
MISTAKES = {
    "frozen_gradients_by_hand_under_no_grad": (  # red team 125: the trainable ones' .grad written by hand
        [("    z, loss = network(x, w, b, y)\n" + BACKWARD,
          "    with torch.no_grad():\n        z = x @ w + b\n        delta = (torch.sigmoid(z) - y) / z.numel()\n"
          "        rows, deltas = x.reshape(-1, x.shape[-1]), delta.reshape(-1, delta.shape[-1])\n"
          "        if w.requires_grad:\n            w.grad = rows.T @ deltas\n"
          "        if b.requires_grad:\n            b.grad = deltas.sum(dim=0)\n" + BACKWARD.replace("    loss.backward()\n", ""))],
        15, {"frozen_gradients_fills_grad": "no backward pass delivered"},
    ),
    "frozen_gradients_by_hand_carried_by_backward_whose_value_network_repeats": (  # red team 134
        [("    z, loss = network(x, w, b, y)\n" + BACKWARD,
          "    with torch.no_grad():\n        z = x @ w + b\n        delta = (torch.sigmoid(z) - y) / z.numel()\n"
          "        rows, deltas = x.reshape(-1, x.shape[-1]), delta.reshape(-1, delta.shape[-1])\n"
          "        gw, gb = rows.T @ deltas, deltas.sum(dim=0)\n    courier = 0\n"
          "    for p, g in ((w, gw), (b, gb)):\n        if p.requires_grad:\n            courier = courier + (p * g).sum()\n"
          "    if isinstance(courier, torch.Tensor):\n        courier.backward()\n        _STATE['value'] = float(courier)\n"
          "    return w.grad, b.grad\n"),
         ("    loss = F.binary_cross_entropy_with_logits(z, y)\n",  # network, called again, returns the courier's value
          "    loss = F.binary_cross_entropy_with_logits(z, y)\n    if _STATE['value'] is not None:\n"
          "        loss, _STATE['value'] = torch.tensor(_STATE['value']), None\n"),
         ("def network(", "_STATE = {'value': None}\n\n\ndef network(")],
        15, {"frozen_gradients_fills_grad": "is not what a backward pass from"},
    ),
    "node_name_returns_repr": (
        [("return None if t.grad_fn is None else type(t.grad_fn).__name__", "return str(t.grad_fn)")],
        14, {"node_name": "the repr of the grad_fn object"},
    ),
    "node_name_type_of_none": (
        [("return None if t.grad_fn is None else type(t.grad_fn).__name__", "return type(t.grad_fn).__name__")],
        14, {"node_name": "return None itself"},
    ),
    "receives_grad_checks_only_is_leaf": (
        [("return bool(t.is_leaf and t.requires_grad)", "return t.is_leaf")],
        14, {"receives_grad": "check t.requires_grad too"},
    ),
    "predict_detaches_the_wrong_tensor": (
        [(PREDICT, "    return x.detach() @ w + b\n")],
        14, {"predict_values": "detaching x does not help", "predict_builds_no_graph": "predict built a graph"},
    ),
    "predict_detaches_after_building": (
        [(PREDICT, "    return (x @ w + b).detach()\n")],
        15, {"predict_builds_no_graph": ".detach() at the end removes the graph but not the cost"},
    ),
    "predict_detaches_after_building_inside_own_hooks": (  # hidden from the count by saved-tensor hooks of its own
        [(PREDICT, "    import torch.autograd as A\n    A._push_saved_tensors_default_hooks(lambda t: t, lambda t: t)\n"
                   "    try:\n        return (x @ w + b).detach()\n    finally:\n"
                   "        A._pop_saved_tensors_default_hooks()\n")],
        0, {"predict_builds_no_graph": "not run: the file reaches torch's private internals"},  # (a door)
    ),
    "predict_builds_its_graph_in_a_thread": (  # a thread started inside the check: the kernel says so (the sandbox's
        [(PREDICT, "    import threading\n    box = []\n    work = threading.Thread(target=lambda: box.append(x @ w + b))\n"
                   "    work.start()\n    work.join()\n    return box[0].detach()\n")],  # own pid namespace)
        15, {"predict_builds_no_graph": "predict ran while it started 1 thread(s) or process(es)"},
    ),
    "predict_builds_its_graph_in_a_scripted_fork_through_an_alias": (  # red team 76: torch.jit.fork, by a module
        [("def predict(", "J = [torch.jit][0]  # (an alias no reading follows; once scripted, on the inter-op threads)\n\n\n"
                        "@torch.jit.script\ndef _rows(x: torch.Tensor, w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:\n"
                        "    xs = x.reshape([-1, w.size(0)])\n    rows: List[torch.Tensor] = []\n"
                        "    for r in range(xs.size(0)):\n        z = b * 1.0\n"  # (products by floats: nothing saved)
                        "        for i in range(w.size(0)):\n            z = z + w[i] * float(xs[r, i].item())\n"
                        "        rows.append(z)\n    out = torch.stack(rows)\n    return out[0] if x.dim() == 1 else out\n\n\n"
                        "@torch.jit.script\ndef _run(x: torch.Tensor, w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:\n"
                        "    return J.wait(J.fork(_rows, x, w, b))\n\n\ndef predict("),
         ("import torch\n", "from typing import List\n\nimport torch\n"),
         (PREDICT, "    return _run(x, w, b).detach()\n")],
        15, {"predict_builds_no_graph": "predict built a graph"},
    ),
    "predict_builds_its_graph_in_a_script_modules_defined_fork": (  # red team 77: ScriptModule.define compiled
        [("def predict(", "class _Scripted(torch.jit.ScriptModule):\n    pass\n\n\n_S = _Scripted()\n"  # TorchScript
                        "_S.define('def run(self, x, w, b):\\n    return torch.jit.wait(torch.jit.fork(torch.add, "
                        "x @ w, b)).detach()\\n')\n\n\ndef predict("),  # (in the child: a plain module, no define)
         (PREDICT, "    return _S.run(x, w, b)\n")],
        0, {"predict_values": "has no attribute 'define'"},
    ),
    "predict_builds_its_graph_in_a_thread_started_at_import": (  # red team 22: a worker that saves under no hook
        [("import torch\n", "import queue\nimport threading\nimport torch\nJOBS, DONE = queue.Queue(), queue.Queue()\n"
                            "def _worker():\n    while True:\n        DONE.put(JOBS.get()())\n"
                            "threading.Thread(target=_worker, daemon=True).start()\n"),
         (PREDICT, "    JOBS.put(lambda: (x @ w + b).detach())\n    return DONE.get()\n")],
        15, {"predict_builds_no_graph": "predict was called while threads the submission started were running"},
    ),
    "predict_switches_tracking_off_for_good": (
        [(PREDICT, "    torch.set_grad_enabled(False)\n    return x @ w + b\n")],
        15, {"predict_leaves_state": "still off after predict returned"},
    ),
    "copy_shares_memory": (
        [("return t.detach().clone()", "return t.detach()")],
        15, {"detached_copy_independent": "return t.detach().clone() to get values of its own"},
    ),
    "copy_through_data": (  # walkthrough 68: .data was named as t.detach()
        [("return t.detach().clone()", "return t.data")],
        15, {"detached_copy_independent": "t.detach() (and t.data) share t's memory"},
    ),
    "copy_still_tracked": (
        [("return t.detach().clone()", "return t.clone()")],
        15, {"detached_copy_untracked": "grad_fn CloneBackward0"},
    ),
    "freeze_after_building_the_graph": (
        [("    freeze({\"w\": w, \"b\": b}, frozen)\n    z, loss = network(x, w, b, y)\n",
          "    z, loss = network(x, w, b, y)\n    freeze({\"w\": w, \"b\": b}, frozen)\n")],
        14, {"frozen_gradients": "so freeze must switch it on (requires_grad_(True)), before network",
             # b arrives frozen: its .grad stays None too
             "frozen_gradients_fills_grad": "did not require grad yet when the loss was built"},
    ),
    "freeze_never_switches_back_on": (
        [(FREEZE_LOOP, "        if name in frozen:\n            p.requires_grad_(False)\n")],
        13, {"freeze": "requires_grad_(True)", "frozen_gradients": "no parameter required grad",
             "frozen_gradients_fills_grad": "no parameter required grad"},
    ),
    "freeze_replaces_dict_entries": (
        [(FREEZE_LOOP, "        params[name] = p.detach().requires_grad_(name not in frozen)\n")],
        12, {"freeze": "switch the flag on the tensor itself",
             "frozen_gradients": "b is frozen but received a gradient: switch its requires_grad off before building the "
                                 "loss (if you call freeze for that, it must switch the flag on the b passed in",
             # (red team 234: a frozen b's gradient fails before the shortcut for what the call returned)
             "frozen_gradients_fills_grad": "b is frozen, but b.grad of the b passed in holds a gradient"},
    ),
    "frozen_ignored": (  # red team 234: what the call returned let a frozen b holding a gradient pass fills_grad
        [("    freeze({\"w\": w, \"b\": b}, frozen)\n", "    w.requires_grad_(True)\n    b.requires_grad_(True)\n")],
        13, {"frozen_gradients_fills_grad": "is frozen, but"},
    ),
    "gradients_by_autograd_grad": (  # the returned gradients are right, but the caller's .grad stays empty
        [(BACKWARD, "    trainable = [p for p in (w, b) if p.requires_grad]\n"
                    "    found = iter(torch.autograd.grad(loss, trainable))\n"
                    "    return tuple(next(found) if p.requires_grad else None for p in (w, b))\n")],
        15, {"frozen_gradients_fills_grad": "w.grad of the w passed in is still None"},
    ),
    "sigmoid_applied_twice": (
        [("F.binary_cross_entropy_with_logits(z, y)", "F.binary_cross_entropy_with_logits(torch.sigmoid(z), y)")],
        11, {"network_values": "the sigmoid was applied twice",
             "frozen_gradients": "w.grad is wrong. Mismatched elements: 15 / 15 (100.0%)",
             "frozen_gradients_notebook_example": "Your frozen_gradients() calls network(), which failed its check network_values: "
                                                  "fix network() first."},
    ),
}


# Right, written another way than the solution: full marks.
CORRECT_ALTERNATIVES = {
    "returns_copies_of_the_grads": [(BACKWARD, "    loss.backward()\n"
                                               "    return tuple(None if p.grad is None else p.grad.clone() for p in (w, b))\n")],
}


def test_a_helper_that_failed_is_named_only_where_the_function_calls_it(grade_source):
    """frozen_gradients is wrong because network is: its feedback says so. Written without network (the loss inlined,
    with the same mistake), it says nothing of network."""
    twice = ("F.binary_cross_entropy_with_logits(z, y)", "F.binary_cross_entropy_with_logits(torch.sigmoid(z), y)")
    hint = "Your frozen_gradients() calls network(), which failed its check network_values: fix network() first."
    calling = by_name(grade_source(SLUG, mutate(SOLUTION, twice)))
    assert calling["frozen_gradients"].feedback.endswith(hint), calling["frozen_gradients"].feedback
    assert hint not in calling["network_values"].feedback and calling["freeze"].passed
    inlined = mutate(SOLUTION, twice, ("    z, loss = network(x, w, b, y)\n",
                                       "    z = x @ w + b\n    loss = F.binary_cross_entropy_with_logits(torch.sigmoid(z), y)\n"))
    alone = by_name(grade_source(SLUG, inlined))
    assert not alone["frozen_gradients"].passed and "network" not in alone["frozen_gradients"].feedback


def test_solution_scores_full(grade_source):
    result = assert_solution_full(grade_source, SLUG, SOLUTION, 16)
    assert {c.name for c in result.checks if c.hidden} >= {"predict_builds_no_graph", "detached_copy_independent"}


def test_stub_scores_zero_without_crashing(grade_source):
    assert_stub_zero(grade_source, SLUG, SOLUTION)


@pytest.mark.parametrize("name", sorted(MISTAKES))
def test_common_mistake_gets_partial_score_and_diagnosis(grade_source, name):
    assert_mistake(grade_source, SLUG, SOLUTION, MISTAKES[name])


def test_a_grad_left_empty_is_filed_under_its_cause(grade_source):
    """Fairness 58: the class report files frozen_gradients_fills_grad's "built before the freeze" under that mistake,
    as frozen_gradients' own, not under a wrong value; a .grad that no backward() filled is a none-grad."""
    mutations = MISTAKES["freeze_after_building_the_graph"][0]
    assert by_name(grade_source(SLUG, mutate(SOLUTION, *mutations)))["frozen_gradients_fills_grad"].mistake == \
        "freeze-after-graph"
    mutations = MISTAKES["gradients_by_autograd_grad"][0]
    assert by_name(grade_source(SLUG, mutate(SOLUTION, *mutations)))["frozen_gradients_fills_grad"].mistake == \
        "none-grad"


@pytest.mark.parametrize("name", sorted(CORRECT_ALTERNATIVES))
def test_correct_alternative_gets_full_marks(grade_source, name):
    assert_solution_full(grade_source, SLUG, mutate(SOLUTION, *CORRECT_ALTERNATIVES[name]), 16)


@settings(max_examples=5, deadline=None)
@given(seed=st.integers(0, 2**31 - 1))
@example(seed=165051)  # a sigmoid-twice loss equal to the right one here: the hint fired on a correct loss
def test_solution_passes_every_judge_for_any_seed(seed):
    """In-process (no sandbox): every check's judge accepts the solution's observations on fresh inputs."""
    with counting_autograd():  # (frozen_gradients' fills check asks what its backward passes differentiated)
        judge_every_check(SLUG, load_module(MODULE, SOLUTION), seed)
    assert torch.is_grad_enabled()


def test_handout_numbers_match_the_reference():
    from graders import exercise_4 as grader
    from graders.hidden import exercise_4 as hidden

    ref = grader.reference(hidden.NOTEBOOK)
    assert ref["z"].tolist() == pytest.approx([0.5, 0.0, 1.0], abs=1e-6)  # 0.1 is not exact in float32
    assert round(ref["loss"].item(), 4) == 0.9935
    assert [round(v, 4) for v in ref["b_grad"].tolist()] == [0.2075, 0.1667, 0.2437]
    assert torch.equal(ref["w_grad"], ref["b_grad"].expand(5, 3))
    frozen = grader.reference(hidden.NOTEBOOK, ["b"])
    assert frozen["b_grad"] is None and torch.equal(frozen["w_grad"], ref["w_grad"])


def test_a_cause_in_freeze_is_counted_under_its_name_in_the_checks_it_fails(grade_source):
    """Walkthrough 69: a freeze that only switched parameters off was 5 points under its own mistake and 8 under
    no-param-requires-grad in a class's report; the checks that send the student to fix freeze first carry its code."""
    result = grade_source(SLUG, mutate(SOLUTION, *MISTAKES["freeze_never_switches_back_on"][0]))
    checks = {c.name: c for c in result.checks}
    sent = [c for c in result.checks if not c.passed and "fix freeze() first" in c.feedback]
    assert sent and all(c.mistake == checks["freeze"].mistake != "" for c in sent), \
        {c.name: (c.mistake, c.feedback[-60:]) for c in result.checks if not c.passed}
