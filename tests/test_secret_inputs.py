"""Hidden checks' secret inputs never reach the child whose output or values a student sees first.

A submission's code can read every input in its own process (``gc``, its callers' frames) at import and print
it, or return it in a value the visible checks' feedback quotes. The calls whose inputs only hidden checks use
(exercise 3's logits of ±60, not the handout's public example) run in a second child
(:func:`autograd_exercises.grading.secret_calls`); this attack finds them there and only there. (The file reaches
``gc`` and frames, which the grader's reading refuses, :mod:`autograd_exercises.judge.tampering`: here it runs anyway,
``doors=False``, to test the sandbox's own layer.)
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import graders
from autograd_exercises import grading
from autograd_exercises.submission import Submission, notebook_source
from tests.notebook_cases import filled

ROOT = Path(__file__).resolve().parents[1]

# Prints every tensor in the process with an element of magnitude 59 or more (only the hidden large-logit
# inputs have one), at import and whenever loss() runs.
SNOOP = '''
import gc as _gc, sys as _sys, traceback as _traceback

def _snoop(where, *given):
    found = []
    objects = list(given)  # (what the call is handed: the inputs of the checks this child runs)
    try:
        objects += list(_gc.get_objects())
    except RuntimeError:  # (the child's wall refuses the collector's walk while the submission runs)
        pass
    try:
        frame = next(_traceback.walk_stack(None))[0]  # (a library hands frames: the child refuses sys._getframe)
    except (RuntimeError, AttributeError):
        frame = None
    while frame is not None:
        objects.extend(frame.f_locals.values())
        frame = frame.f_back
    stack = objects[:]
    seen = set()
    while stack and len(seen) < 200000:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, torch.Tensor) and item.is_floating_point():
            if item.numel() and item.detach().abs().max().item() >= 59:
                found.append(item.detach().flatten()[:4].tolist())
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
    if found:
        print("LEAK", where, found[:3])
'''


def _solution() -> str:
    return (ROOT / "solutions" / "exercise_3.py").read_text()


def _attack() -> str:
    text = _solution() + SNOOP + "\n_snoop('import')\n"
    return text.replace("def loss(z, y):\n", "def loss(z, y):\n    _snoop('loss', z, y)\n", 1)


SECRET = {"loss_large_logits"}  # exercise 3's one hidden check with inputs no visible check uses


SNOOPED = {"parameter_gradients_manual_by_hand"}  # a file that walks gc.get_objects() may rebind names: no by-hand point


def _failed(result) -> set[str]:
    return {check.name for check in result.checks if not check.passed}


def _assert_no_leak_before_publishing(result, exercise) -> None:
    assert {check.name for check in exercise.checks if check.secret_inputs} >= SECRET
    secret = SECRET
    for check in result.checks:
        shown = check.output + check.feedback
        if check.name in secret:
            assert "LEAK" in check.output, (check.name, check.output)  # the attack finds them where they are
        else:
            assert "LEAK" not in shown, (check.name, shown)


@pytest.fixture()
def counted(sandbox, monkeypatch):
    """The session's sandbox, counting the children it starts."""
    runs = []
    original = sandbox.run

    def run(**kwargs):
        runs.append(kwargs)
        return original(**kwargs)

    monkeypatch.setattr(sandbox, "run", run)
    return sandbox, runs


def test_a_module_never_holds_the_hidden_inputs_with_the_visible_checks(counted):
    sandbox, runs = counted
    exercise = graders.find("exercise-3")
    result = grading.grade(exercise, Submission("<attack>", _attack().encode()), sandbox=sandbox, doors=False, seed=4)
    _assert_no_leak_before_publishing(result, exercise)
    assert _failed(result) == SNOOPED  # the snooping solution is right everywhere (its gc use is read as a door)
    assert len(runs) == 2  # the visible checks' child, then the secret inputs' child


def test_a_notebook_never_holds_the_hidden_inputs_with_the_visible_checks(counted):
    sandbox, runs = counted
    exercise = graders.find("exercise-3")
    notebook = filled("exercise-3")
    notebook.nb["cells"].insert(1, {"cell_type": "code", "execution_count": None, "id": "snoop", "metadata": {},
                                    "outputs": [], "source": "import torch\n" + SNOOP + "\n_snoop('cell')\n"})
    for cell in notebook.nb["cells"]:  # (and loss snoops on what it is handed: the secret child's own inputs)
        if "def loss(z, y):\n" in "".join(cell["source"]):
            cell["source"] = "".join(cell["source"]).replace("def loss(z, y):\n", "def loss(z, y):\n    _snoop('loss', z, y)\n")
    submission = notebook_source("work.ipynb", json.dumps(notebook.done()))
    result = grading.grade(exercise, submission, sandbox=sandbox, doors=False, seed=4)
    _assert_no_leak_before_publishing(result, exercise)
    assert _failed(result) == SNOOPED
    assert len(runs) == 2  # the visible checks' calls (the by-hand call below them first), the secret calls
    assert runs[0]["checks"][0]["name"] == "parameter_gradients_manual_values" and runs[0]["checks"][0]["fresh"]
    assert "parameter_gradients_manual_values" in [name for step in runs[0]["program"] for name in step.get("checks", ())]
    secret_program = runs[1]["program"]
    assert [name for step in secret_program for name in step.get("checks", ())] == sorted(SECRET)
    assert "checks" in secret_program[-1]  # the secret child stops at its last check: no later cell runs twice


def test_public_hidden_inputs_share_the_visible_child(counted):
    """Exercise 2's hidden checks use the handout's example and the visible checks' inputs: one child."""
    sandbox, runs = counted
    exercise = graders.find("exercise-2")
    hidden = [check for check in exercise.checks if check.hidden]
    assert len(hidden) == 2 and not grading.secret_calls(exercise, {check.name: [check] for check in hidden})
    result = grading.grade(exercise, Submission("<solution>", (ROOT / "solutions" / "exercise_2.py").read_bytes()),
                           sandbox=sandbox, doors=False, seed=0)
    assert result.score == result.max_score and len(runs) == 1


@pytest.mark.parametrize("one_child", [True, False])
def test_both_ways_give_the_same_points_with_secret_calls(sandbox, one_child):
    """The mistaken unstable loss fails the hidden large-logit check however the children are laid out."""
    exercise = graders.find("exercise-3")
    unstable = _solution().replace("def loss(z, y):\n", "def loss(z, y):\n    p = torch.sigmoid(z)\n"
                                   "    return -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()\n"
                                   "\n\ndef _stable_loss(z, y):\n", 1)
    result = grading.grade(exercise, Submission("<unstable>", unstable.encode()), sandbox=sandbox, doors=False, seed=4,
                           one_child=one_child)
    points = {check.name: check.points for check in result.checks}
    assert points["loss_large_logits"] == 0
    assert sum(points.values()) == result.max_score - exercise_check(exercise, "loss_large_logits").points


def exercise_check(exercise, name: str):
    return next(check for check in exercise.checks if check.name == name)


def test_a_cell_that_cannot_be_stopped_costs_its_budget_once(counted):
    """A notebook cell that ignores the interrupt hangs the visible child; the secret calls below it are not run
    again into the same cell (each would cost the whole budget)."""
    sandbox, runs = counted
    exercise = graders.find("exercise-3")
    notebook = filled("exercise-3")
    stubborn = ("import signal, time\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)\nsignal.signal(signal.SIGINT, "
                "signal.SIG_IGN)\nwhile True:\n    time.sleep(0.05)\n")
    notebook.nb["cells"].insert(1, {"cell_type": "code", "execution_count": None, "id": "stubborn", "metadata": {},
                                    "outputs": [], "source": stubborn})
    submission = notebook_source("work.ipynb", json.dumps(notebook.done()))
    result = grading.grade(exercise, submission, sandbox=sandbox, doors=False, seed=4, timeout=1.0, cell_timeout=1.0)
    assert result.score == 0
    assert any("could not be stopped" in note for note in result.notes)
    hung_children = [run for run in runs if run.get("program") and any(
        step.get("cell") == 2 for step in run["program"])]
    assert len(hung_children) == 1, [run.get("program") for run in runs]


@pytest.mark.parametrize("slug, secret", [
    ("exercise-1", {"polynomial_grad_called_twice"}), ("exercise-2", set()), ("exercise-3", {"loss_large_logits"}),
    ("exercise-4", set()), ("exercise-5", {"fresh_grad_stale"}),
    ("exercise-6", {"train_no_graph_kept"}),
])
def test_which_hidden_checks_keep_their_inputs_secret(slug, secret):
    """As the README says: exercises 1, 3, 5 and 6 have secret inputs (a second child); the handout's examples
    (``@inputs.public``) and inputs a visible check shares are not secret."""
    exercise = graders.find(slug)
    groups = grading.group_calls(exercise.checks, None)
    secret_leads = grading.secret_calls(exercise, groups)
    assert {check.name for lead in secret_leads for check in groups[lead]} == secret


def test_a_cell_that_hangs_only_beside_the_secret_inputs_leaves_no_note(sandbox):
    """Which cell a secret child could not stop is for its hidden checks only: a note naming it would let a cell
    chosen from the secret values (cell 2 here, when it finds them) signal them to the student. (A cell finds them
    nowhere now: the wall refuses it the collector's walk and the probes' frames, so no child hangs in it.)"""
    exercise = graders.find("exercise-3")
    notebook = filled("exercise-3")
    stubborn = ("import signal, time\n" + SNOOP.replace('print("LEAK", where, found[:3])', 'return True') +
                "\nif _snoop('cell'):\n    signal.signal(signal.SIGALRM, signal.SIG_IGN)\n"
                "    signal.signal(signal.SIGINT, signal.SIG_IGN)\n    while True:\n        time.sleep(0.05)\n")
    notebook.nb["cells"].insert(1, {"cell_type": "code", "execution_count": None, "id": "stubborn", "metadata": {},
                                    "outputs": [], "source": "import torch\n" + stubborn})
    submission = notebook_source("work.ipynb", json.dumps(notebook.done()))
    result = grading.grade(exercise, submission, sandbox=sandbox, doors=False, seed=4, timeout=1.0, cell_timeout=1.0)
    assert _failed(result) == SNOOPED  # (the cell found no secret value in any child: none hung in it)
    assert not any("could not be stopped" in note or "cell 2" in note for note in result.notes), result.notes


FORGE_CELLS = '''
def _forge():
    import os, sys, traceback
    frame, cases = next(traceback.walk_stack(None))[0], None
    while frame is not None and cases is None:
        found = frame.f_locals.get("cases")
        cases = found if isinstance(found, dict) else None
        frame = frame.f_back
    values = [v for items in (cases or {}).values() for case in items for v in case.values()
              if isinstance(v, torch.Tensor) and v.is_floating_point() and v.numel()]
    if not any(float(v.abs().max()) >= 59 for v in values):
        return
    from autograd_exercises.sandbox import packing
    cells = [{"cell": 1, "status": "error", "exception": {"type": "LEAK", "message": str(v.flatten()[:4].tolist())}}
             for v in values]
    data = packing.pack({"status": "ok", "checks": {n: {"observations": [], "wall": 0.0} for n in cases},
                         "cells": cells})
    while data:
        data = data[os.write(3, data):]
    os._exit(0)

_forge()
'''


def test_a_secret_childs_report_of_cells_never_reaches_the_notes(sandbox):
    """Red team, round 9: a module whose secret child writes its own report, with the secret values as the errors of
    notebook cells; a module's first child reports no cells, and the report took the second's. Notes come from the
    first child only."""
    exercise = graders.find("exercise-3")
    result = grading.grade(exercise, Submission("<forge>", (_solution() + FORGE_CELLS).encode()), sandbox=sandbox, doors=False,
                           seed=5)
    assert not any("LEAK" in note or "60" in note for note in result.notes), result.notes
    shown = [check.output + check.feedback for check in result.checks if check.name not in SECRET]
    assert not any("LEAK" in text for text in shown)
    assert SECRET <= {check.name for check in result.checks if not check.passed}  # (and by hand: it imports the grader)
