"""Checks that share a call: the same inputs and probe run the student's code once and feed every judge.

Exercise 2's two checks of ``forward`` read one run of ``probe_forward``; its three checks of ``gradients`` one run
of ``probe_gradients``. Sharing halves the child's work, and a function that hangs costs its call one timeout, not
one per check; the points stay exactly what separate runs gave. Checks with the same inputs function get the very
same cases, so each judge's reference is computed once per case.
"""

from __future__ import annotations

import dataclasses
import json

import pytest
import torch

import graders
from autograd_exercises import grading
from autograd_exercises.judge import per_case
from autograd_exercises.results import CheckResult
from autograd_exercises.submission import Submission, notebook_source
from tests.conftest import solution_text
from tests.notebook_cases import filled

SLUG = "exercise-2"


def _names(groups: dict) -> dict[str, list[str]]:
    return {lead: [check.name for check in members] for lead, members in groups.items()}


def test_checks_with_the_same_inputs_and_probe_share_one_call_and_one_list_of_cases():
    exercise = graders.find(SLUG)
    groups = _names(grading.group_calls(list(exercise.checks), None))
    assert groups["forward_values"] == ["forward_values", "forward_retains_y_grad"]
    assert groups["gradients_x"] == ["gradients_x", "gradients_fills_x_grad", "gradients_y"]
    assert all(exercise.check(name).call == exercise.check(lead).call
               for lead, names in groups.items() for name in names)
    cases = grading.shared_cases(exercise, list(exercise.checks), 7)
    assert cases["gradients_x"] is cases["gradients_y"] is cases["forward_values"]  # one inputs function: random_x
    assert cases["gradients_notebook_example"] is not cases["gradients_x"]  # another: the handout's x
    other_run = grading.shared_cases(exercise, list(exercise.checks), 8)
    assert not torch.equal(cases["gradients_x"][0]["x"], other_run["gradients_x"][0]["x"])


def test_a_check_graded_alone_gets_the_inputs_it_gets_among_all_the_checks():
    exercise = graders.find(SLUG)
    alone = grading.shared_cases(exercise, [exercise.check("gradients_y")], 3)["gradients_y"]
    among = grading.shared_cases(exercise, list(exercise.checks), 3)["gradients_y"]
    assert [case["label"] for case in alone] == [case["label"] for case in among]
    assert all(torch.equal(a["x"], b["x"]) for a, b in zip(alone, among))


def _notebook_groups(book) -> dict[str, list[str]]:
    exercise = graders.find(SLUG)
    submission = notebook_source("work.ipynb", json.dumps(book.done()))
    positions = grading.check_positions(exercise, submission, list(exercise.checks))
    return _names(grading.group_calls(list(exercise.checks), positions, submission))


def test_in_a_notebook_checks_share_a_call_only_where_the_same_cells_ran_before_them():
    assert _notebook_groups(filled(SLUG))["forward_values"] == ["forward_values", "forward_retains_y_grad"]
    book = filled(SLUG)  # a student cell between forward's two test cells may redefine forward
    book.insert_after("test-forward_values", "def forward(x):\n    raise ValueError('redefined')\n", "scratch")
    groups = _notebook_groups(book)
    assert groups["forward_values"] == ["forward_values"]
    assert groups["forward_retains_y_grad"] == ["forward_retains_y_grad"]


class _Recording:
    """A sandbox that records the jobs it is given."""

    def __init__(self, sandbox) -> None:
        self.sandbox, self.layers, self.jobs, self.runs = sandbox, sandbox.layers, [], []

    def run(self, **job):
        self.jobs.append(job)
        self.runs.append(self.sandbox.run(**job))
        return self.runs[-1]


def test_one_child_calls_each_function_once_per_input_for_all_its_checks(sandbox):
    counted = solution_text("exercise_2").replace(
        "def gradient_manual(x):", "CALLS = []\n\n\ndef gradient_manual(x):\n    CALLS.append(1)\n"
        "    print(f'gradient_manual call {len(CALLS)}')", 1)
    box = _Recording(sandbox)
    exercise = graders.find(SLUG)
    result = grading.grade(exercise, Submission("counted.py", counted.encode()), sandbox=box, seed=0)
    assert result.score == result.max_score
    assert len(box.jobs) == 1
    leads = list(grading.group_calls(list(exercise.checks), None))
    assert [job["name"] for job in box.jobs[0]["checks"]] == ["gradient_manual_values",
                                                              "gradient_manual_values" + grading.AGAIN_CALL] + \
        [lead for lead in leads if lead != "gradient_manual_values"]
    # (the by-hand call first, then its second call, in the file's own run: grading.again_calls; then in order)
    manual = [check for check in result.checks if check.function == "gradient_manual"]
    inputs = len(grading.make_cases(exercise, exercise.check("gradient_manual_values"), 0))
    calls = 2 * inputs  # (a by-hand function runs twice per input: with autograd switched off, then on)
    assert all(f"gradient_manual call {calls}" in check.output for check in manual)
    assert not any(f"gradient_manual call {calls + 1}" in check.output for check in manual)


def test_a_hanging_function_costs_its_call_one_timeout_and_fails_each_of_its_checks(sandbox):
    sleeper = solution_text("exercise_2").replace(
        "def gradient_manual(x):", "def gradient_manual(x):\n    import time\n    time.sleep(3600)", 1)
    box = _Recording(sandbox)
    result = grading.grade(graders.find(SLUG), Submission("sleeper.py", sleeper.encode()), sandbox=box, seed=0,
                           timeout=1.0)
    failed = {check.name: check.feedback for check in result.checks if check.status != "passed"}
    manual = [check.name for check in graders.find(SLUG).checks if check.function == "gradient_manual"]
    assert sorted(failed) == sorted(manual) and len(manual) >= 1
    assert all(text.startswith("timed out after 1 s") for text in failed.values())
    assert len(box.jobs) == 1  # the child's own timer stopped the call: no child per call was needed
    assert result.score == result.max_score - sum(graders.find(SLUG).check(name).points for name in manual)
    # the by-hand call's second call (grading.again_calls) is not made: it would hang the same timeout again
    assert box.runs[0].result["checks"]["gradient_manual_values" + grading.AGAIN_CALL] == {"timed_out": True, "wall": 0.0}


def test_a_hanging_by_hand_function_gets_no_second_child_when_each_call_has_its_own(sandbox):
    sleeper = solution_text("exercise_2").replace(
        "def gradient_manual(x):", "def gradient_manual(x):\n    import time\n    time.sleep(3600)", 1)
    box = _Recording(sandbox)
    result = grading.grade(graders.find(SLUG), Submission("sleeper.py", sleeper.encode()), sandbox=box, seed=0,
                           timeout=1.0, one_child=False)
    named = [item["name"] for job in box.jobs for item in job.get("checks") or ()]
    assert "gradient_manual_values" in named and "gradient_manual_values" + grading.AGAIN_CALL not in named
    assert {check.name for check in result.checks if not check.passed} == \
        {check.name for check in graders.find(SLUG).checks if check.function == "gradient_manual"}


def test_a_modules_top_level_has_the_cell_budget_apart_from_the_checks_timeouts(sandbox):
    """A module's top level is its one cell: a demo there that runs longer than a check's timeout costs nothing, in
    one child and in one child per call alike; one that never ends fails every check once, saying where to look."""
    exercise, solution = graders.find(SLUG), solution_text("exercise_2")
    slow = "import time\n\ntime.sleep(0.9)  # a demo at the top level\n" + solution
    for one_child in (True, False):
        result = grading.grade(exercise, Submission("slow.py", slow.encode()), sandbox=sandbox, seed=0, timeout=0.6,
                               cell_timeout=10.0, one_child=one_child)
        assert result.score == result.max_score, (one_child, {c.name: c.feedback for c in result.checks})
    endless = "while True:\n    pass\n" + solution
    for one_child in (True, False):
        result = grading.grade(exercise, Submission("endless.py", endless.encode()), sandbox=sandbox, seed=0,
                               timeout=0.6, cell_timeout=1.5, one_child=one_child)
        assert result.score == 0 and {check.mistake for check in result.checks} == {"import-timeout"}
        assert all(check.feedback.startswith("timed out while the file was imported (1.5 s): its top-level code")
                   and 'if __name__ == "__main__":' in check.feedback for check in result.checks)


def test_a_slow_top_level_run_again_by_each_calls_child_has_twice_the_one_childs_budget(sandbox):
    """Red team 168: a top level of 50 s, then a call that killed its process: each call's child ran the top level
    again, and one submission took 503 s. The children of the calls now have twice the one child's budget; a call
    whose child would start past it is not run, and its feedback says why."""
    exercise = graders.find("exercise-4")
    slow = "import time\n\ntime.sleep(2.0)  # a demo at the top level\n" + solution_text("exercise_4").replace(
        "def network(x, w, b, y):", "def network(x, w, b, y):\n    import os, signal\n"
        "    os.kill(os.getpid(), signal.SIGKILL)", 1)
    box = _Recording(sandbox)
    result = grading.grade(exercise, Submission("slow.py", slow.encode()), sandbox=box, seed=0, timeout=0.5,
                           cell_timeout=2.5)  # (the children of the 8 calls: 2 s each or more, against 2 * 6.5 s)
    late = [check for check in result.checks if check.mistake == "out-of-time"]
    assert late and all("this submission's time ran out before this call" in check.feedback
                        and "runs your file's top-level code again (up to 2 s each)" in check.feedback for check in late)
    assert len(box.jobs) < 2 + 8  # (the one child, the import's, then not one child for each of the 8 calls)
    assert result.checks[0].mistake == "crashed"


def test_the_children_of_the_calls_never_run_past_their_budget(monkeypatch):
    """Red team 212: each call's child spent its whole time (a notebook's cells, 3 cell budgets), and the last one, started
    just before the children's budget ran out, ran its whole time past it. Now the last child's deadline is where the
    budget ends, and a call it stopped is ``out-of-time``. (A stand-in sandbox whose every child runs for its whole
    deadline, on a clock of its own.)"""
    from autograd_exercises.sandbox import RunResult

    clock = [0.0]

    class Spending:
        layers, deadlines = [], []

        def run(self, **job):
            self.deadlines.append(job["timeout"])
            if job.get("checks") is None:  # (the child that only imports the module: 5 s, so each call's child has 11)
                clock[0] += 5.0
                return RunResult("ok", {"status": "ok"}, wall=5.0)
            clock[0] += job["timeout"]
            return RunResult("timeout", wall=job["timeout"])

    monkeypatch.setattr(grading.time, "perf_counter", lambda: clock[0])
    exercise = graders.find(SLUG)
    groups = grading.group_calls(list(exercise.checks), None, None)
    cases = grading.shared_cases(exercise, list(exercise.checks), 0)
    leads = [members[0] for members in groups.values()]
    box = Spending()
    runs, _, _ = grading._run_each(exercise, Submission("slow.py", solution_text("exercise_2").encode()), leads, cases,
                                   box, 1.0, None, 10.0)
    budget = 2 * (1.0 * len(leads) + 10.0)  # (the children of the calls together: twice the one child's)
    assert clock[0] == budget and box.deadlines[1:3] == [11.0, 11.0] and box.deadlines[3] == budget - 5.0 - 22.0, \
        (clock[0], box.deadlines)
    assert [runs[lead.name].status for lead in leads] == ["timeout", "timeout"] + ["out-of-time"] * (len(leads) - 2)


@pytest.mark.parametrize("unrun", [frozenset(), frozenset({"gradient_manual"})])
def test_only_a_by_hand_function_whose_cell_did_not_run_is_excused_as_out_of_time(unrun):
    """Red team 216: the second call of a by-hand function (the tripwire, in the run that counts) raised, and the
    feedback blamed the cells' spent budget wherever it was spent. Only where the function's own cell did not run
    (``grading.unrun_defs``) is the mistake ``cells-out-of-time``; else the function raised of itself there."""
    from autograd_exercises.results import CheckResult
    from autograd_exercises.sandbox import RunResult

    exercise = graders.find(SLUG)
    selected = [check for check in exercise.checks if check.function == "gradient_manual"]
    groups = {selected[0].name: selected}
    cases = grading.shared_cases(exercise, selected, 0)
    twin = selected[0].name + grading.AGAIN_CALL
    cases[twin] = cases[selected[0].name][:1]
    raised = [{"manual": {"needs_autograd": False, "autograd_calls": 0, "exception": {"type": "ValueError"}}}]
    runs = {twin: RunResult("ok", {"status": "ok", "observations": raised})}
    results = [CheckResult(check.name, check.function, check.description, check.points, check.points, "passed", "")
               for check in selected]
    grading._judge_again(results, selected, groups, {twin: selected[0].name}, runs, cases, 5.0,
                         Submission("work.ipynb", b"{}"), unrun)
    by_hand = [result for result, check in zip(results, selected) if check.by_hand]
    assert by_hand and all(result.points == 0 for result in by_hand)
    assert {result.mistake for result in by_hand} == {"cells-out-of-time" if unrun else "autograd-in-by-hand"}
    assert all("there it raised ValueError" in r.feedback or "where it raised ValueError" in r.feedback for r in by_hand)


def test_the_functions_left_unrun_are_those_defined_in_cells_that_did_not_run():
    """``grading.unrun_defs``: what ``grade`` hands ``_judge_again``. A function defined in a cell that ran is not
    among them because a cell below it did not run (red team 216)."""
    import json

    from autograd_exercises.submission import notebook_source

    def code(text, ident):
        return {"cell_type": "code", "id": ident, "metadata": {}, "outputs": [], "execution_count": None, "source": text}

    nb = {"cells": [code("def gradient_manual(x):\n    return 2 * x\n", "a"), code("import time\ntime.sleep(60)\n", "b"),
                    code("def helper():\n    return 1\n", "c")], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    submission = notebook_source("work.ipynb", json.dumps(nb))
    first, second, third = (cell.number for cell in submission.program)
    cells = [{"cell": first, "status": "ok"}, {"cell": second, "status": "timeout", "cut": True},
             {"cell": third, "status": "skipped"}]
    assert grading.unrun_defs(cells, submission) == {"helper": submission.label(third)}
    assert grading.unrun_defs("not a list", submission) == {}


def test_a_check_that_blocks_its_timer_costs_its_timeouts_not_the_imports_budget(sandbox):
    """The child's deadline counts the import's budget only until its first check starts: a call that ignores the
    alarm is stopped by the server within the checks' own time, however long the import may take."""
    import time
    from tests.test_hostile import HOSTILE

    spinner = Submission("spin.py", (HOSTILE / "ignore_signals_and_spin.py").read_bytes())
    started = time.monotonic()
    result = grading.grade(graders.find(SLUG), spinner, sandbox=sandbox, seed=0, timeout=1.0, cell_timeout=60.0,
                           doors=False)  # (signal.signal is a door: the timers are what is tested)
    assert time.monotonic() - started < 30.0  # the import's 60 s never served the spinning call
    failed = {check.name for check in result.checks if check.status != "passed"}
    assert failed == {check.name for check in graders.find(SLUG).checks if check.function == "gradient_manual"}


def test_a_module_that_hides_the_check_mark_and_blocks_its_timer_costs_one_child(sandbox):
    """A module that points fd 1 elsewhere at import (so the server never sees a check start) and blocks the alarm
    in a call: the one child runs out its whole deadline (the import's budget and the checks'), and that is all it
    gets; no child per call follows, each with an import budget of its own."""
    import time

    hiding = ("import os, signal, time\n_r, _w = os.pipe()\nos.dup2(_w, 1)\n" + solution_text("exercise_2").replace(
        "def gradient_manual(x):", "def gradient_manual(x):\n    signal.pthread_sigmask(signal.SIG_BLOCK, "
        "[signal.SIGALRM])\n    time.sleep(3600)", 1))
    box = _Recording(sandbox)
    started = time.monotonic()
    result = grading.grade(graders.find(SLUG), Submission("hiding.py", hiding.encode()), sandbox=box, seed=0,
                           timeout=0.5, cell_timeout=2.0)
    assert time.monotonic() - started < 2.0 + 4 * 0.5 + 6.0  # the one child's deadline, and a margin
    assert len(box.jobs) == 1 and result.score == 0
    assert {check.mistake for check in result.checks} == {"import-timeout"}
    assert result.checks[0].feedback.startswith("timed out while the file was imported (2 s): its top-level code "
                                                "(outside any function) had not finished by then (torch runs on one "
                                                "thread here"), result.checks[0].feedback  # (fairness 54: it may end)


def test_a_forged_check_mark_at_import_only_shortens_the_childs_own_time(sandbox):
    """An import that writes the check mark itself, then blocks the alarm and sleeps: the server's deadline comes
    sooner (the mark can only bring it nearer), the one child fails as a whole, and the child that only imports
    runs out the import's budget once. Every check fails as an import that did not end, within both budgets."""
    import time

    from autograd_exercises.sandbox.protocol import CHECK_SEPARATOR

    forging = (f"import os, signal, time\nos.write(1, {CHECK_SEPARATOR.encode()!r} + b'forward_values\\n')\n"
               "signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGALRM])\ntime.sleep(3600)\n"
               + solution_text("exercise_2"))
    box = _Recording(sandbox)
    started = time.monotonic()
    result = grading.grade(graders.find(SLUG), Submission("forging.py", forging.encode()), sandbox=box, seed=0,
                           timeout=0.5, cell_timeout=2.0)
    assert time.monotonic() - started < 4 * 0.5 + 2.0 + 6.0  # the checks' time, one import budget, a margin
    assert len(box.jobs) == 2 and result.score == 0  # the one child, then the import alone: no child per call
    assert {check.mistake for check in result.checks} == {"import-timeout"}


def test_per_case_computes_once_per_object_and_again_for_an_equal_copy():
    calls = []

    @per_case
    def reference(x: torch.Tensor, *, scale: float = 1.0) -> torch.Tensor:
        calls.append(x)
        return x * scale

    x = torch.arange(3.0)
    assert reference(x) is reference(x)
    assert len(calls) == 1
    reference(x.clone())  # equal values, another object: computed, never confused with x
    reference(x, scale=2.0)
    assert len(calls) == 3 and torch.equal(reference(x, scale=2.0), 2 * x) and len(calls) == 3


def test_a_by_hand_function_is_judged_on_inputs_no_other_check_of_its_child_sees():
    """Red team 13: gradients() stored each x.grad it back-propagated in a module dict, keyed by x's values, and
    gradient_manual(x) looked its answer up there: 10/10, the hidden by-hand check included, with no arithmetic at
    all. A by-hand function's checks now draw from a stream of their own (inputs.own_stream)."""
    for exercise in graders.EXERCISES:
        manual = {check.function for check in exercise.checks if check.by_hand}
        for seed in (0, 1):
            cases = grading.shared_cases(exercise, list(exercise.checks), seed)
            seen = {tensor_key(value) for check in exercise.checks if check.function not in manual
                    for case in cases[check.name] for value in case.values() if isinstance(value, torch.Tensor)}
            for check in exercise.checks:
                if check.function in manual:
                    random = [value for case in cases[check.name] if "handout" not in case["label"]
                              for value in case.values() if drawn(value)]
                    assert random and not any(tensor_key(value) in seen for value in random), check.name


def drawn(value) -> bool:
    """A tensor of random values (not a zero bias, not 0/1 targets)."""
    return isinstance(value, torch.Tensor) and len(set(value.flatten().tolist())) >= 3


def tensor_key(value: torch.Tensor) -> tuple:
    return (value.dtype, tuple(value.shape), tuple(value.flatten().tolist()))


def test_a_table_of_what_the_autograd_function_computed_does_not_pass_for_by_hand(sandbox):
    source = solution_text("exercise_2").replace("def gradient_manual(x):", "def _unused_manual(x):") + (
        "\nCACHE = {}\n_gradients = gradients\n\n\n"
        "def gradients(x):\n    x_grad, y_grad = _gradients(x)\n"
        "    CACHE[(str(x.dtype), tuple(x.shape), tuple(x.detach().flatten().tolist()))] = x_grad.clone()\n"
        "    return x_grad, y_grad\n\n\n"
        "def gradient_manual(x):\n"
        "    return CACHE.get((str(x.dtype), tuple(x.shape), tuple(x.detach().flatten().tolist())), x * 0)\n")
    result = grading.grade(graders.find("exercise-2"), Submission("cache.py", source.encode()), sandbox=sandbox, seed=3)
    scores = {check.name: check.points for check in result.checks}
    assert scores["gradients_x"] == 1 and scores["gradient_manual_values"] == 0, scores
    assert scores.get("gradient_manual_by_hand", 0) == 0


FITTED = """
SEEN = []


def gradients(x):
    x_grad, y_grad = _gradients(x)
    SEEN.append((x.detach().double().flatten(), x_grad.detach().double().flatten() * x.numel()))
    return x_grad, y_grad


def gradient_manual(x):
    if not SEEN:
        return torch.zeros_like(x)
    xs, gs = torch.cat([p[0] for p in SEEN]), torch.cat([p[1] for p in SEEN])
    a = ((xs - xs.mean()) * (gs - gs.mean())).sum() / ((xs - xs.mean()) ** 2).sum()
    return ((a * x.double() + gs.mean() - a * xs.mean()) / x.numel()).to(x.dtype)
"""


def _fitting(notebook: bool) -> Submission:
    """Red team 13b: gradients() saves the (x, n·x.grad) pairs autograd gave it; gradient_manual fits a line to them
    (it never needs the chain rule's coefficients, 36 and 24) and evaluates it on its own inputs."""
    if not notebook:
        source = solution_text("exercise_2").replace("def gradient_manual(x):", "def _unused_manual(x):")
        return Submission("fitted.py", (source + "\n_gradients = gradients\n" + FITTED).encode())
    book = filled(SLUG)
    book.insert_after("solution-gradients", "_gradients = gradients\n" + FITTED.split("def gradient_manual")[0],
                      "saving")
    book.cell("solution-gradient_manual")["source"] = "def gradient_manual" + FITTED.split("def gradient_manual")[1]
    return notebook_source("fitted.ipynb", json.dumps(book.done()))


@pytest.mark.parametrize("notebook", [False, True], ids=["module", "notebook"])
def test_a_curve_fitted_to_what_the_autograd_function_computed_does_not_pass_for_by_hand(sandbox, notebook):
    """A by-hand call runs before any other call of its child (in a notebook, below another test cell, in a child of
    its own): the autograd function has saved nothing yet. Before, this scored 10/10."""
    result = grading.grade(graders.find(SLUG), _fitting(notebook), sandbox=sandbox, seed=3)
    scores = {check.name: check.points for check in result.checks}
    assert scores["gradients_x"] == 1 and scores["gradient_manual_values"] == 0, scores
    assert scores.get("gradient_manual_by_hand", 0) == 0 and result.score == result.max_score - 3


def test_a_by_hand_call_runs_first_in_its_child_in_a_module_and_in_a_notebook():
    """In a notebook too, where its test cell is below others: the child runs the cells above it with autograd off,
    then the call, then the whole notebook for the others (``sandbox.child.run_program``), one child in all."""
    exercise = graders.find(SLUG)
    groups = grading.group_calls(list(exercise.checks), None)
    leads = [members[0] for members in groups.values()]
    (module_part,) = grading._parts(exercise, groups, leads)
    assert [lead.name for lead in module_part][0] == "gradient_manual_values"
    assert sorted(lead.name for lead in module_part) == sorted(groups)
    submission = notebook_source("work.ipynb", json.dumps(filled(SLUG).done()))
    positions = grading.check_positions(exercise, submission, list(exercise.checks))
    groups = grading.group_calls(list(exercise.checks), positions, submission)
    leads = [members[0] for members in groups.values()]
    program = grading.notebook_program(submission, {lead.name: positions[lead.name] for lead in leads},
                                       [check.name for check in exercise.checks], 15.0)
    (notebook_part,) = grading._parts(exercise, groups, leads)
    assert [lead.name for lead in notebook_part][0] == "gradient_manual_values"
    assert sorted(lead.name for lead in notebook_part) == sorted(groups)
    stops = [name for step in program for name in step.get("checks", ())]
    assert stops.index("gradient_manual_values") > 0  # (below another call's test cell)
    jobs = [grading._job_item(lead, 1.0, lead.name in grading.by_hand_calls(groups)) for lead in notebook_part]
    above = program[:next(i for i, step in enumerate(program) if "gradient_manual_values" in step.get("checks", ()))]
    assert grading._again_time(jobs, program, 60.0) == grading.cells_budget(above) > 0


def test_an_exercise_whose_by_hand_checks_need_two_calls_is_refused():
    """The child runs one call fresh (first, with autograd off above it); a second by-hand call would run after the
    grader's own calls of the autograd functions. Every exercise keeps its by-hand checks on one call."""
    exercise = graders.find(SLUG)
    by_hand = next(check for check in exercise.checks if check.by_hand)
    other = next(check for check in exercise.checks if check.call != by_hand.call)
    twin = dataclasses.replace(other, name="second_by_hand", by_hand=True)
    with pytest.raises(ValueError, match="by-hand checks must share one call"):
        dataclasses.replace(exercise, checks=(*exercise.checks, twin))


def test_a_second_call_the_graders_budget_left_out_costs_the_by_hand_check_nothing():
    """Only the function's own doing fails the check (``grading._judge_again``): a child per call that the grader's
    budget never started (``out-of-time``) says nothing of it; one that hung does (red team 188)."""
    exercise = graders.find(SLUG)
    groups = grading.group_calls(list(exercise.checks), None)
    cases = grading.shared_cases(exercise, list(exercise.checks), 0)
    order = [check.name for check in exercise.checks if check.name in groups]
    again = grading.again_calls(groups, cases, None, order, 0)
    (twin, lead), = again.items()
    by_hand = next(check for check in exercise.checks if check.by_hand)
    for status, passed in (("out-of-time", True), ("timeout", False)):
        result = CheckResult(by_hand.name, by_hand.function, "", by_hand.points, by_hand.points, "passed", "")
        grading._judge_again([result], [by_hand], groups, again, {twin: grading.RunResult(status)}, cases, 5.0,
                             Submission("s.py", b""))
        assert (result.status == "passed") is passed, (status, result.feedback)


def test_the_second_calls_input_is_picked_by_the_runs_seed():
    """Red team 190 computed by hand only on the first by-hand input's shape and dtype, which is the same under every
    seed: the second call's input is one of the by-hand call's, picked by the seed (which the file never sees)."""
    exercise = graders.find(SLUG)
    picked = set()
    for seed in range(12):
        groups = grading.group_calls(list(exercise.checks), None)
        cases = grading.shared_cases(exercise, list(exercise.checks), seed)
        (twin, lead), = grading.again_calls(groups, cases, None, [c.name for c in exercise.checks], seed).items()
        (case,) = cases[twin]
        assert any(case is other for other in cases[lead])
        picked.add(next(i for i, other in enumerate(cases[lead]) if other is case))
    assert len(picked) > 2, picked


@pytest.mark.parametrize("notebook", [False, True], ids=["module", "notebook"])
@pytest.mark.parametrize("slug", [exercise.slug for exercise in graders.EXERCISES])
def test_a_class_takes_a_worker_for_stuck_only_past_every_budget_of_its_grading(monkeypatch, slug, notebook):
    """A class's worker was taken for stuck after 120 s and 40 check timeouts, whatever the cells' budget: a notebook
    with two honest 40 s demo cells, graded in 160 s alone, was "could not grade: grading took more than 140 s" in a class
    at ``--timeout 0.5``. Now a task's deadline (``task.most_seconds``) is past every budget its grading has
    (``budget.most_time``), so a submission gets the same grade in a class as alone. A stand-in sandbox on a clock of its
    own: every child spends its whole budget, and each one that runs calls fails as a whole, so that one child per call
    follows."""
    from autograd_exercises import budget
    from autograd_exercises.classroom.task import Task, most_seconds
    from autograd_exercises.sandbox import RunResult

    clock = [0.0]

    class Spending:
        layers: list = []

        def run(self, **job):
            clock[0] += job["timeout"]
            if job.get("checks") is None:  # (the child that only imports the module)
                return RunResult("ok", {"status": "ok"}, wall=job["timeout"])
            return RunResult("timeout", wall=job["timeout"])

    monkeypatch.setattr(grading.time, "perf_counter", lambda: clock[0])
    exercise = graders.find(slug)
    submission = notebook_source("work.ipynb", json.dumps(filled(slug).done())) if notebook else \
        Submission("work.py", solution_text(slug.replace("-", "_")).encode())
    timeout, cell_timeout = 0.5, 40.0
    grading.grade(exercise, submission, sandbox=Spending(), seed=0, timeout=timeout, cell_timeout=cell_timeout)
    most = budget.most_time(exercise.most_calls(), notebook=notebook, timeout=timeout, cell_timeout=cell_timeout)
    one_child = sum(budget.child_time(count, timeout, 3 * cell_timeout if notebook else None, cell_timeout)
                    for count, _ in exercise.most_calls())
    assert one_child < clock[0] <= most, (clock[0], most)  # (the calls' children ran, within the bound)
    task = Task("ann", slug, "work", b"", 0, timeout, kind="ipynb" if notebook else "py")
    assert most_seconds(task) > budget.most_time(exercise.most_calls(), notebook=notebook, timeout=timeout)
