"""A notebook is graded as nbgrader runs it: cells once, top to bottom, each test cell judging the state there.

The notebooks of ``tests/notebook_cases.py`` (out of order, stale redefinitions, interrupted cells, magics,
errors left in cells, plots) get nbgrader's points from ``grade`` and from the out-of-kernel autograde;
``tests/test_nbgrader.py`` adds the real ``nbgrader autograde``, in kernels and out of them. Here too: how
IPython syntax becomes Python, where a check sits when its test cell is missing, and what a cell's budget is.
"""

from __future__ import annotations

import copy
import json

import pytest

import graders
from autograd_exercises import autograde, grading, magics, session, submission
from autograd_exercises.build import notebooks
from autograd_exercises.submission import TEST_CELL_MARKER, CodeCell, Submission, TestCell, notebook_source
from tests import notebook_cases
from tests.notebook_cases import CASES, code_cell, expected_points, filled

FAST_CELL_TIMEOUT = 2.0  # the interrupted cell's budget here: the same behaviour as nbgrader's 30 s, sooner


def _load(nb: dict, name: str = "work.ipynb"):
    return notebook_source(name, json.dumps(nb))


def _with_hidden_tests(nb: dict, slug: str) -> dict:
    """``nb`` with its test cells as nbgrader's OverwriteCells restores them (hidden checks in place)."""
    source = json.loads((notebook_cases.ROOT / "assignments" / "source" / slug / f"{slug}.ipynb").read_text())
    locked = {cell["id"]: cell["source"] for cell in source["cells"] if cell["id"].startswith("test-")}
    nb = copy.deepcopy(nb)
    for cell in nb["cells"]:
        if cell.get("id") in locked:
            cell["source"] = locked[cell["id"]]
    return nb


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_grade_gives_nbgraders_points_and_names_the_cells(sandbox, case):
    exercise = graders.find(case.slug)
    result = grading.grade(exercise, _load(case.make()), sandbox=sandbox, seed=0, cell_timeout=FAST_CELL_TIMEOUT)
    assert {c.name: c.points for c in result.checks} == expected_points(case, exercise), \
        {c.name: c.feedback for c in result.checks if not c.passed}
    notes = "\n".join(result.notes)
    for fragment in case.notes:
        assert fragment.replace(f"{notebook_cases.CELL_TIMEOUT:g} s", f"{FAST_CELL_TIMEOUT:g} s") in notes, notes


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_autograde_out_of_the_kernel_gives_the_same_points(sandbox, case):
    exercise = graders.find(case.slug)
    nb = _with_hidden_tests(case.make(), case.slug)
    [result] = autograde.grade_notebook(nb, sandbox=sandbox, seed=0, cell_timeout=FAST_CELL_TIMEOUT)
    assert {c.name: c.points for c in result.checks} == expected_points(case, exercise)


def test_a_stale_definition_above_a_test_cell_is_graded_there(sandbox):
    """The wrong forward sits between forward's tests and gradients': gradients is graded with it, forward is not."""
    book = filled("exercise-2")
    book.insert_after("test-forward_retains_y_grad", notebook_cases.WRONG_FORWARD, "scratch-old-forward")
    result = grading.grade(graders.find("exercise-2"), _load(book.done()), sandbox=sandbox, seed=0)
    points = {c.name: c.points for c in result.checks}
    assert points["forward_values"] == 2 and points["forward_retains_y_grad"] == 1
    assert points["gradients_y"] == 0  # forward without y.retain_grad(), as the test cells below the old one see it
    [note] = result.notes  # run top to bottom, yet which forward each test grades is worth saying (fairness 59)
    assert note.startswith("forward is defined in cell ") and note.endswith("grade cell 5's forward, and those below "
                                                                            "it cell 8's"), note


def test_a_fix_below_the_test_cells_is_named_where_the_check_fails(sandbox):
    """Walkthrough 68: the solution cell kept a wrong forward and the fix went in a new last cell, run before the test
    cells were run again in Jupyter: graded top to bottom, the tests saw the wrong one, and nothing said why. A failed
    check says which definition its test grades and where the fix belongs; an equal copy below, or a check that
    passed, is not worth a word."""
    wrong = lambda cell_id, code: notebook_cases.WRONG_FORWARD if cell_id == "solution-forward" else code  # noqa: E731
    book = filled("exercise-2", wrong)
    book.append(filled("exercise-2").cell("solution-forward")["source"], "fix-forward")
    nb = book.done()
    graded = session.explain(grading.grade(graders.find("exercise-2"), _load(nb), sandbox=sandbox, seed=0),
                             _load(nb))
    checks = {c.name: c for c in graded.checks}
    last = sum(1 for cell in nb["cells"] if cell["cell_type"] == "code") + \
        sum(1 for cell in nb["cells"] if cell["cell_type"] != "code")  # (cells are numbered with markdown)
    solution = 1 + next(i for i, cell in enumerate(nb["cells"]) if cell.get("id") == "solution-forward")
    assert not checks["forward_values"].passed
    assert checks["forward_values"].feedback.endswith(
        f"(cell {last} defines forward again, below this check's test cell: the test grades the forward of cell "
        f"{solution}, above it, as nbgrader runs the notebook top to bottom; put your fix in cell {solution})")
    assert all("defines forward again" not in c.feedback for c in graded.checks if c.function != "forward")
    same = filled("exercise-2", wrong)
    same.append(notebook_cases.WRONG_FORWARD, "copy-forward")
    nb = same.done()
    graded = session.explain(grading.grade(graders.find("exercise-2"), _load(nb), sandbox=sandbox, seed=0),
                             _load(nb))
    assert all("defines forward again" not in c.feedback for c in graded.checks)
    assert not graded.checks[0].passed  # (the copy is as wrong as the one graded: nothing to move)


def test_a_huge_integer_literal_in_a_definition_is_compared_without_its_decimal_digits(sandbox):
    """Red team 228: a def holding a 4,000-digit hex literal (it compiles and runs) made ``_shape`` write it in decimal,
    past Python's 4,300 digits: a ValueError, "the grader failed", and in a class a row graded again on every run."""
    big = "0x" + "f" * 4000
    wrong = lambda cell_id, code: notebook_cases.WRONG_FORWARD if cell_id == "solution-forward" else code  # noqa: E731
    book = filled("exercise-2", wrong)
    book.append(f"def helper(x):\n    return x * ({big} // {big})\n", "big")
    book.append(f"def helper(x):\n    return x + ({big} - {big})\n", "big-again")  # (defined twice: the order notes)
    nb = book.done()
    graded = session.explain(grading.grade(graders.find("exercise-2"), _load(nb), sandbox=sandbox, seed=0),
                             _load(nb))
    assert not graded.checks[0].passed and graded.score < graded.max_score


def test_display_needs_no_import_as_in_every_kernel(sandbox):
    """Fairness (red team 47): ``display(...)`` before a solution's ``def`` raised a NameError, so the ``def`` never
    ran; a Jupyter kernel has ``display`` without an import. Nothing is shown when graded."""
    book = filled("exercise-2", lambda cell_id, code: "display(torch.ones(2), 'shown?')\n" + code)
    result = grading.grade(graders.find("exercise-2"), _load(book.done()), sandbox=sandbox, seed=0)
    assert result.score == result.max_score, [(c.name, c.feedback) for c in result.checks if c.points < c.max_points]


def test_a_scratch_cell_that_calls_check_again_does_nothing_as_in_the_kernel(sandbox):
    """Fairness 37: a cell below a test cell that calls ``check(...)`` again (the name the test cell imported, as a
    kernel keeps it) raised NameError, which the report blamed on the student: the test cells' source never runs.
    Each test cell's position binds the grader's stand-in, whose calls do nothing, with the note they get."""
    book = filled("exercise-2")
    book.insert_after("test-forward_retains_y_grad", "check('exercise-2', 'forward_values')\nrechecked = True\n",
                      "scratch-check")
    book.insert_after("scratch-check", "assert rechecked\n", "after-scratch")
    result = grading.grade(graders.find("exercise-2"), _load(book.done()), sandbox=sandbox, seed=0)
    assert result.score == result.max_score, [(c.name, c.feedback) for c in result.checks if c.points < c.max_points]
    assert not any("NameError" in note for note in result.notes), result.notes
    assert any(note.startswith("check() at ") and "did nothing" in note for note in result.notes), result.notes


@pytest.mark.parametrize("setting, fix", [
    ("import warnings\nwarnings.simplefilter('error')\n",  # an invalid escape: a SyntaxError under these filters
     "def gradient_manual(x):\n    \"\"\"12\\,(3x+2)/n\"\"\"\n    return 12 * (3 * x + 2) / x.numel()\n"),
    ("import sys\n\n\ndef _room(n=0):\n    try:\n        return _room(n + 1)\n    except RecursionError:\n"
     "        return n\n\n\nsys.setrecursionlimit(sys.getrecursionlimit() - _room() + 25)\n",  # just above here
     "def gradient_manual(x):\n    deep = " + "[" * 200 + "]" * 200 + "\n    return 12 * (3 * x + 2) / x.numel()\n"),
])
def test_a_cell_compiles_as_the_readings_parse_it_whatever_the_settings_before_it(sandbox, setting, fix):
    """Red team 35: a cell compiled only when it ran, under the student's settings, could fail to compile where the
    grader's readings parse it, so the definition they saw replace another did not, and the other (autograd in a
    by-hand function, past the reading) was judged. Every cell compiles before the notebook's code runs."""
    book = filled("exercise-2")
    book.insert_after("solution-gradient_manual", "def gradient_manual(x):\n    return 24 * (3 * x + 2) / x.numel()\n",
                      "first-attempt")
    book.insert_after("first-attempt", setting, "setting")
    book.insert_after("setting", fix, "fix")
    points = _points(sandbox, book.done())
    assert points["gradient_manual_values"] == 2, points  # the fix below the setting is what runs


def _counting(sandbox):
    """A sandbox that keeps every job it is sent, and that list."""
    calls = []

    class Counting:
        layers = sandbox.layers

        def run(self, **job):
            calls.append(job)
            return sandbox.run(**job)

    return Counting(), calls


def _points(sandbox, nb: dict) -> dict[str, float]:
    result = grading.grade(graders.find("exercise-2"), _load(nb), sandbox=sandbox, seed=0)
    return {c.name: c.points for c in result.checks}


def _copied_test_cell(name: str) -> str:
    """A plain cell with exercise 2's test-cell marker and its call of check ``name``, as a student copies one."""
    return f"{TEST_CELL_MARKER}: {name}\nfrom autograd_exercises.notebook import check\ncheck('exercise-2', '{name}')\n"


def _broken_after_copies(*names: str):
    """Exercise 2 filled in right, then copies of the test cells of ``names``, then a cell that breaks
    gradient_manual (above its real test cells)."""
    book = filled("exercise-2")
    book.insert_after("solution-gradient_manual", "def gradient_manual(x):\n    return x * 0\n", "break")
    for name in names:
        book.insert_after("solution-gradient_manual", _copied_test_cell(name), f"copy-{name}")
    return book


def test_a_copy_of_a_test_cell_does_not_move_where_its_check_judges(sandbox):
    """Red team 13: plain cells (no nbgrader metadata) holding the test cells' marker and check calls, right after
    a right gradient_manual, then a cell that breaks it. The copies chose where the checks judged (10/10), where
    nbgrader judges at the real test cells below the break (7/10). A test cell is found by its grade id."""
    points = _points(sandbox, _broken_after_copies("gradient_manual_by_hand", "gradient_manual_values").done())
    assert points["gradient_manual_values"] == 0 and points.get("gradient_manual_by_hand", 0) == 0, points
    assert points["forward_values"] == 2 and points["gradients_x"] == 1


def test_without_nbgrader_metadata_every_check_judges_the_notebooks_end(sandbox):
    """Red team 13b: with every cell's nbgrader metadata stripped, a copy of a test cell above a cell that breaks
    gradient_manual still chose where its check judged (10/10). A notebook without metadata is judged at its end."""
    nb = _broken_after_copies("gradient_manual_values").done()
    for cell in nb["cells"]:
        cell.get("metadata", {}).pop("nbgrader", None)
    points = _points(sandbox, nb)
    assert (points["gradient_manual_values"], points.get("gradient_manual_by_hand", 0)) == (0, 0)


@pytest.mark.parametrize("flags", [{"locked": True}, {"grade": True, "solution": True, "locked": True, "points": 2}, {}])
def test_a_duplicated_test_id_moves_the_check_where_nbgrader_moves_it(sandbox, flags):
    """Red team 13b: a cell below the real test cell carrying its grade id (any nbgrader flag) is the one nbgrader's
    DeduplicateIds keeps; OverwriteCells makes it the test cell, so its own source never runs. Here it follows a
    cell that breaks gradient_manual, and then one that would repair it, inside the duplicate itself."""
    book = filled("exercise-2")
    ids = {"gradient_manual_values": "test-gradient_manual_values",
           "gradient_manual_by_hand": notebooks.check_cell_id(graders.find("exercise-2").check("gradient_manual_by_hand"))}
    right = book.cell("solution-gradient_manual")["source"]
    book.append("def gradient_manual(x):\n    return x * 0\n", "break")
    for name, grade_id in ids.items():
        book.append(right, f"dup-{name}")
        book.cell(f"dup-{name}")["metadata"]["nbgrader"] = dict(flags, grade_id=grade_id)
    points = _points(sandbox, book.done())
    assert (points["gradient_manual_values"], points.get("gradient_manual_by_hand", 0)) == (0, 0)


def test_a_flagless_copy_of_a_test_cell_above_it_does_not_move_its_check(sandbox):
    """Red team 184: a copy of the by-hand test cell holding only its grade id (no flag), above the real one, chose
    where the check judged (the first cell of that id): the honest function there, then a cell that redefines it
    with autograd above the real test cell, scored 10/10. The last cell of a test cell's grade id is its test cell,
    as for copies with flags (nbgrader refuses such a notebook)."""
    exercise = graders.find("exercise-2")
    book = filled("exercise-2")
    by_hand = notebooks.check_cell_id(exercise.check("gradient_manual_by_hand"))
    copy_cell = copy.deepcopy(book.cell(by_hand))
    copy_cell["id"], copy_cell["metadata"] = "flagless", {"nbgrader": {"grade_id": by_hand}}
    book.nb["cells"].insert(book.index("test-gradient_manual_values"), copy_cell)
    book.insert_after("test-gradient_manual_values", "def gradient_manual(x):\n    x = x.detach().clone()"
                      ".requires_grad_(True)\n    y, z, out = forward(x)\n    out.backward()\n    return x.grad\n",
                      "redefined-with-autograd")
    points = _points(sandbox, book.done())
    assert points["gradient_manual_values"] == 2 and points.get("gradient_manual_by_hand", 0) == 0, points


def test_cells_run_once_per_submission_each_within_its_own_budget(sandbox):
    """One child for every check: the cells above the by-hand call's test cell run first with autograd off, then that
    call (nothing an earlier check's call left behind reaches it), then the whole notebook for the others; what the
    student sees printed is the second run's. A cell slower than a check's timeout but within its budget (both
    runs' within the child's) is no timeout."""
    counting, calls = _counting(sandbox)
    book = filled("exercise-2")
    book.insert_after("setup", "import time\ntime.sleep(1.5)\nprint('slow cell ran')\n", "scratch-slow")
    result = grading.grade(graders.find("exercise-2"), _load(book.done()), sandbox=counting, seed=0,
                           timeout=1.0, cell_timeout=10.0)
    assert result.score == result.max_score and result.notes == []
    code_cells = [n for n, cell in enumerate(book.nb["cells"], start=1)
                  if cell["cell_type"] == "code" and not cell["id"].startswith("test-")]
    assert len(calls) == 1 and [step["cell"] for step in calls[0]["program"] if "cell" in step] == code_cells
    manual = [check.name for check in graders.find("exercise-2").checks if check.function == "gradient_manual"]
    assert [item["name"] for item in calls[0]["checks"] if item["fresh"]] == manual[:1]  # the call's lead, first
    assert calls[0]["checks"][0]["fresh"]
    assert all("slow cell ran" in c.output and c.output.count("slow cell ran") == 1 for c in result.checks)


BY_HAND_TRIES = {"exercise-1": ("polynomial_grad_manual", "print(polynomial_grad_manual(torch.tensor([1.0, 2.0])))\n"),
                 "exercise-2": ("gradient_manual", "print(gradient_manual(torch.tensor([[1., 2.], [3., 4.]])))\n"),
                 "exercise-3": ("parameter_gradients_manual", "note = 'between the two test cells'\n")}


@pytest.mark.parametrize("slug", sorted(BY_HAND_TRIES))
def test_a_cell_between_the_by_hand_functions_two_test_cells_costs_nothing(sandbox, slug):
    """Red team 183: a scratch cell below the test cell of the by-hand function's values (and above its by-hand test
    cell) makes two calls of one function. Only the by-hand check's own call runs after the cells above it ran with
    autograd off (``grading.by_hand_calls``); the values' call was taken for it, stopped that run above itself, and
    the by-hand call ran after the grader's own backward passes, which failed it (9/10 on each exercise)."""
    function, code = BY_HAND_TRIES[slug]
    counting, calls = _counting(sandbox)
    book = filled(slug)
    book.insert_after(f"test-{function}_values", code, "scratch-try")
    result = grading.grade(graders.find(slug), _load(book.done()), sandbox=counting, seed=0)
    assert result.score == result.max_score, [(c.name, c.feedback) for c in result.checks if c.points < c.max_points]
    fresh = [item["name"] for item in calls[0]["checks"] if item["fresh"]]
    assert len(fresh) == 1 and fresh[0] != f"{function}_values"  # the by-hand test cell's call (its first child)


def test_a_hanging_cell_is_stopped_and_named_and_the_notebook_goes_on(sandbox):
    book = filled("exercise-2")
    book.insert_after("test-forward_retains_y_grad", "while True:\n    pass\n", "scratch-hang")
    book.insert_after("scratch-hang", "try:\n    while True:\n        pass\nexcept KeyboardInterrupt:\n"
                                      "    print('stopped by hand')\n", "scratch-handled")
    result = grading.grade(graders.find("exercise-2"), _load(book.done()), sandbox=sandbox, seed=0, cell_timeout=1.0)
    assert result.score == result.max_score
    assert result.notes == ["cell 8 ran past its 1 s budget and was stopped; the notebook went on",
                            "cell 9 ran past its 1 s budget and was stopped; the notebook went on"]
    assert "stopped by hand" in result.checks[-1].output  # it caught the interrupt, as under Jupyter


def test_a_notebooks_cells_have_a_budget_in_all_past_which_they_do_not_run(sandbox):
    """Red team 211: a notebook whose cells each slept past their budget held a class's run a minute a cell (2,000
    cells: 33 hours). A run of the cells has, in all, three times a cell's budget (``protocol.cells_budget``): the cell
    running when it is spent is stopped, the cells below it do not run, and the checks below them run without them."""
    book = filled("exercise-2")
    for index in range(4):
        book.insert_after("test-gradients-hidden-c1251efa" if index == 0 else f"scratch-sleep-{index - 1}",
                          "import time\ntime.sleep(60)\n", f"scratch-sleep-{index}")
    result = grading.grade(graders.find("exercise-2"), _load(book.done()), sandbox=sandbox, seed=0, cell_timeout=1.0)
    first = next(n for n, cell in enumerate(book.nb["cells"], start=1) if cell.get("id") == "scratch-sleep-0")
    assert result.notes == [f"cell {first} ran past its 1 s budget and was stopped; the notebook went on",
                            f"cell {first + 1} ran past its 1 s budget and was stopped; the notebook went on",
                            f"cell {first + 2} was stopped when the notebook's cells had run for 3 s in all, their whole "
                            "budget (3 times a cell's 1 s)",
                            f"cell {first + 3} and the 1 below it did not run: the notebook's cells had run for 3 s in "
                            "all, their whole budget (3 times a cell's 1 s); the checks below them ran without them"], result.notes
    lost = {check.name for check in result.checks if check.points < check.max_points}
    assert lost == {check.name for check in graders.find("exercise-2").checks if check.function == "gradient_manual"}
    assert all(f"'gradient_manual' was never defined: cell {first + 5} did not run, as the notebook's cells had run "
               "for their whole budget in all (see the note above)" in check.feedback
               for check in result.checks if check.name in lost), [c.feedback for c in result.checks if c.name in lost]


def test_a_by_hand_function_whose_cell_the_spent_budget_left_unrun_is_not_said_to_use_autograd(sandbox):
    """Red team 212: four training cells, each within its budget, spent the cells' budget in all in the run that counts
    (with autograd off they end at once: backward raises and is passed over), so the cell defining the by-hand function
    did not run there, and its second call (the tripwire) found no function: the feedback said it used autograd. It
    says what happened instead; the point stays lost (that run could not show the function computes by hand)."""
    training = ("import time\nw = torch.ones(3, requires_grad=True)\nstarted = time.monotonic()\n"
                "while time.monotonic() - started < 0.9:\n    (w * w).sum().backward()\n")
    book = filled("exercise-2")
    for index in range(4):
        book.insert_after("test-gradients-hidden-c1251efa" if index == 0 else f"scratch-train-{index - 1}", training,
                          f"scratch-train-{index}")
    result = grading.grade(graders.find("exercise-2"), _load(book.done()), sandbox=sandbox, seed=0, cell_timeout=1.0)
    points = {check.name: (check.points, check.mistake) for check in result.checks}
    assert points["gradient_manual_values"][0] == 2 and points["gradient_manual_by_hand"] == (0, "cells-out-of-time")
    by_hand = next(check for check in result.checks if check.name == "gradient_manual_by_hand")
    assert "that run's cells had run for their whole budget in all" in by_hand.feedback and "autograd on" in \
        by_hand.feedback and "must compute the derivative by hand" not in by_hand.feedback, by_hand.feedback
    assert any("did not run: the notebook's cells had run for 3 s in all" in note for note in result.notes), result.notes


def test_a_check_does_not_change_what_later_cells_draw(sandbox):
    """Checks run in the same child as the cells, but leave the random generators as their position left them
    (in Jupyter, a test cell grades in another process)."""
    book = filled("exercise-2", lambda cell_id, code: code.replace("    y = 3 * x + 2\n",
                                                                   "    torch.rand(1)\n    y = 3 * x + 2\n"))
    book.insert_after("setup", "torch.manual_seed(0)\n", "scratch-seed")
    book.insert_after("test-forward_retains_y_grad",
                      "draw = torch.rand(1)\nassert abs(float(draw) - 0.4963) < 1e-4, float(draw)\n", "scratch-draw")
    result = grading.grade(graders.find("exercise-2"), _load(book.done()), sandbox=sandbox, seed=0)
    assert result.score == result.max_score and result.notes == []


# -- where a check judges the notebook -----------------------------------------------------------------------

def test_check_positions_follow_the_test_cells_and_nbgraders_reinsertion():
    exercise = graders.find("exercise-2")
    nb = filled("exercise-2").done()
    ids = [cell.get("id") for cell in nb["cells"]]
    positions = grading.check_positions(exercise, _load(nb), list(exercise.checks))
    for check in exercise.checks:
        assert positions[check.name] == (ids.index(notebooks.check_cell_id(check)) + 1, 0), check.name
    # gradients_x deleted: back after the solution cell of gradients, before gradients_y (as add_missing_cells does)
    del nb["cells"][ids.index("test-gradients_x")]
    positions = grading.check_positions(exercise, _load(nb), list(exercise.checks))
    solution = ids.index("solution-gradients") + 1
    assert positions["gradients_x"] == (solution, 1) < positions["gradients_y"]
    # no test cell of ours at all: every check at the end
    nb["cells"] = [cell for cell in nb["cells"] if not cell.get("id", "").startswith("test-")]
    assert set(grading.check_positions(exercise, _load(nb), list(exercise.checks)).values()) == {grading.END}


def test_a_python_file_keeps_one_import():
    submission = Submission("m.py", b"x = 1\n")
    assert submission.program == () and submission.kind == "py"


def test_the_program_stops_before_the_first_cell_below_each_test_cell():
    submission = Submission("n.ipynb", b"a\nb\nc\n", kind="ipynb",
                            program=(CodeCell(3, 1, 1), CodeCell(5, 2, 2), CodeCell(9, 3, 3)),
                            test_cells=(TestCell(6, "test-x"),))
    steps = grading.notebook_program(submission, {"x": (6, 0), "y": (6, 1), "z": grading.END}, ["x", "y", "z"], 30.0)
    assert [step.get("cell", step.get("checks")) for step in steps] == [3, 5, ["x", "y"], 9, ["z"]]
    assert grading._up_to(steps, "y") == steps[:2] + [{"checks": ["y"]}]


# -- the student's order against the document's ---------------------------------------------------------------

def test_no_order_note_when_cells_ran_top_to_bottom_or_counts_are_unknown():
    book = filled("exercise-2")
    book.append("def _affine(x):\n    return 3 * x + 2\n", "scratch-helper")
    nb = book.done()
    assert _load(nb).skipped == ()
    for cell in nb["cells"]:
        cell["execution_count"] = None
    assert _load(nb).skipped == ()


def test_a_fix_written_below_the_tests_and_run_before_them_is_named():
    """Fairness 17: the solution cell's first attempt, a fix in a cell below the test cells, run before them: the
    kernel's tests passed, nbgrader's grade the attempt (as grade does); the note says which cell it grades."""
    cells = [(1, "import torch\n", 1), (2, "def f(x):\n    return x\n", 2), (3, "check('f')\n", 5),
             (4, "check('f', 2)\n", 6), (5, "def f(x):\n    return 2 * x\n", 3)]
    tests = frozenset({3, 4})
    assert submission.order_notes(cells, tests) == [
        "f is defined in cell 2 and again, differently, below it in cell 5, which your kernel ran before cell 3 above "
        "it: the notebook is graded top to bottom, so cell 3 and the tests between grade cell 2's f"]
    assert submission.order_notes(cells[:4] + [(5, cells[4][1], 7)], tests) == []  # run after the tests: as graded
    book = filled("exercise-2", lambda cell_id, code: code.replace("12 * (3", "24 * (3"))  # the first attempt
    book.append("def gradient_manual(x):\n    return 12 * (3 * x + 2) / x.numel()\n", "fix")
    code = [cell["id"] for cell in book.nb["cells"] if cell["cell_type"] == "code"]
    book.ran_first = code[:code.index("solution-gradient_manual") + 1] + ["fix"]  # then the test cells
    notes = _load(book.done()).skipped
    assert any(note.startswith("gradient_manual is defined in cell ") and "which your kernel ran before cell " in note
               for note in notes), notes


def test_a_helper_defined_below_its_caller_but_above_every_call_is_no_note():
    """Fairness 20: gradients calls a helper from the next cell, run before it: the tests below both see it, so a
    note that "it does not exist yet when cell N and the tests after it run" was false (no points lost, a student
    told a right notebook is broken). A call between the two cells still gets the note."""
    book = filled("exercise-2", lambda cell_id, code: code.replace("out.backward()", "_backprop(out)")
                  if cell_id == "solution-gradients" else code)
    assert "_backprop(out)" in book.cell("solution-gradients")["source"]
    book.insert_after("solution-gradients", "def _backprop(out):\n    out.backward()\n", "helper")
    book.ran_first = ["setup", "helper"]
    loaded = _load(book.done())
    assert not any("_backprop" in note for note in loaded.skipped), loaded.skipped
    book.insert_after("solution-gradients", "print(gradients(torch.ones(2, requires_grad=True)))\n", "demo")
    assert any(note.startswith("cell ") and "uses _backprop, which is defined below it" in note
               for note in _load(book.done()).skipped)


def test_a_draft_below_every_test_that_nothing_calls_is_no_note():
    """Fairness 20: a wrong first draft left at the end, run first: the tests grade the solution cell's function,
    and nothing below the draft calls it. A cell below it that does still gets the note."""
    cells = [(1, "def f(x):\n    return 2 * x\n", 3), (2, "", 4), (3, "def f(x):\n    return x\n", 1)]
    assert submission.order_notes(cells, frozenset({2})) == []
    assert submission.order_notes(cells + [(4, "print(f(1))\n", 5)], frozenset({2})) == [
        "f is defined in cell 1 and again, differently, below it in cell 3, which your kernel ran first: the notebook "
        "is graded top to bottom, so the tests after cell 3 grade cell 3's f"]


def test_a_fix_below_its_tests_run_in_order_is_named_too():
    """Fairness 59: forward fixed in a new cell below its test cells, everything run top to bottom: the tests grade
    the first forward (as nbgrader does), and the feedback to call y.retain_grad() read as wrong beside a final
    forward that calls it. A second definition with no test above it, or no test cells known, is no note."""
    cells = [(1, "def f(x):\n    return x\n", 1), (2, "check('f')\n", 2), (3, "def f(x):\n    return 2 * x\n", 3),
             (4, "check('f', 2)\n", 4)]
    assert submission.order_notes(cells, frozenset({2, 4})) == [
        "f is defined in cell 1 and again, differently, in cell 3, below test cell 2: the notebook is graded top to "
        "bottom, as nbgrader runs it, so the tests above cell 3 grade cell 1's f, and those below it cell 3's"]
    assert submission.order_notes(cells, frozenset()) == []
    assert submission.order_notes(cells[:3], frozenset({2})) == []  # a trial at the end that nothing runs (fairness 61)
    assert submission.order_notes([cells[0], cells[2], cells[1], cells[3]], frozenset({2, 4})) == []
    assert submission.order_notes([cells[0], cells[1], (3, cells[0][1], 3), cells[3]], frozenset({2, 4})) == []


def test_a_helper_written_below_and_a_test_run_again_after_it_is_named():
    """Fairness 60: fresh_grad (cell 2) calls a helper written later in a new cell at the bottom; the test cell
    between, run again after it, passed in the kernel, and graded top to bottom it raises NameError. The cell that
    uses the helper ran before it, so the note that asked only about that cell's count stayed silent."""
    cells = [(1, "import torch\n", 1), (2, "def fresh_grad(x):\n    return clear(x)\n", 2), (3, "", 4),
             (4, "def clear(x):\n    return x\n", 3)]
    assert submission.order_notes(cells, frozenset({3})) == [
        "cell 2 uses clear, which is defined below it, in cell 4: the notebook is graded top to bottom, as nbgrader "
        "runs it, so clear does not exist yet for cell 2 and the tests below it, up to cell 4 (your kernel ran cell 4 "
        "before cell 3)"]
    assert submission.order_notes(cells[:2] + [(3, "", 3), (4, cells[3][1], 4)], frozenset({3})) == []


def test_the_order_notes_work_in_time_linear_in_the_code(monkeypatch):
    """Red team 224: 98 nested defs around a tuple of 55,000 names, and 480 cells that call the outer one, took the
    trusted process 70 s and 2.2 GB (a walk of each definition's whole body, then a set of every needed name per
    cell). Each cell is now walked once, and the questions the notes ask have a budget."""
    import ast as ast_module

    names = [f"n{index}" for index in range(3_000)]
    nested = "".join(" " * depth + f"def f{depth}():\n" for depth in range(60)) + " " * 60 + f"({', '.join(names)})\n"
    cells = [(1, nested, 5)] + [(2 + index, "f0()\n", 6 + index) for index in range(200)] + [(300, "x = 1\n", 1)]
    visits = []
    real = ast_module.iter_child_nodes
    monkeypatch.setattr(ast_module, "iter_child_nodes", lambda node: visits.append(1) or real(node))
    submission._bodies([ast_module.parse(nested)])
    nodes = sum(1 for _ in ast_module.walk(ast_module.parse(nested)))
    assert len(visits) <= 2 * nodes  # (a walk per definition: 60 times that)
    monkeypatch.setattr(ast_module, "iter_child_nodes", real)
    bound_below = [(1, f"print({', '.join(names)})\n", 9)] + [(2 + index, "pass\n", 10 + index) for index in range(300)] \
        + [(400, " = ".join(names) + " = 1\n", 1)]  # every name bound in the last cell, run first
    asked = []
    real_call = submission._Needs.__call__
    monkeypatch.setattr(submission._Needs, "__call__", lambda self, index, name: asked.append(1) or real_call(
        self, index, name))
    real_work = submission.ORDER_WORK
    monkeypatch.setattr(submission, "ORDER_WORK", 5_000)
    notes = submission.order_notes(bound_below)
    assert len(asked) <= 5_000 + 301 and notes[0].startswith("cell 1 uses n0, which is defined below it, in cell 400")
    assert submission.order_notes(cells) == []  # f0 is defined above every call (the last cell ran first)
    monkeypatch.setattr(submission, "ORDER_WORK", real_work)
    reads = [(1, f"({', '.join(names)},)\n", 14), (2, " = ".join(names) + " = 0\n" + "0;" * 5_000 + "\n", 13)]
    walks = []  # red team 225: each note walked the binding cell's top level again (notes × statements)
    real_imported = submission._imported
    monkeypatch.setattr(submission, "_imported", lambda tree: walks.append(1) or real_imported(tree))
    notes = submission.order_notes(reads)
    assert len(walks) == 1 and notes[-1] == f"(and {len(names) - submission.MAX_ORDER_NOTES} more like these)"


def test_a_stub_left_unrun_below_the_solution_is_named():
    """Fairness 61: the solution written in a new cell above the handout's stub cell, the stub never run: top to
    bottom the stub replaces it (3/10 where the kernel showed 10/10), and no note said why."""
    cells = [(1, "def f(x):\n    return 2 * x\n", 1), (2, "def f(x):\n    raise NotImplementedError\n", None),
             (3, "check('f')\n", 2)]
    assert submission.order_notes(cells, frozenset({3})) == [
        "f is defined in cell 1 and again, differently, below it in cell 2, which your kernel never ran: the notebook "
        "is graded top to bottom, so the tests after cell 2 grade cell 2's f"]


def test_an_import_or_a_variable_used_above_the_cell_that_binds_it_is_named():
    """Fairness 59: `import torch.nn.functional as F` in the last cell, run first: graded top to bottom, the loss
    raised NameError and the note that explains it was there only for functions, not imports or variables."""
    cells = [(1, "import torch\n", 1), (2, "def loss(z, y):\n    return F.binary_cross_entropy(z, y)\n", 3),
             (3, "check('loss')\n", 4), (4, "import torch.nn.functional as F\n", 2)]
    assert submission.order_notes(cells, frozenset({3})) == [
        "cell 2 uses F, which is imported below it, in cell 4: the notebook is graded top to bottom, as nbgrader runs "
        "it, so F does not exist yet for cell 2 and the tests below it, up to cell 4 (your kernel ran cell 4 first)"]
    assert submission.order_notes(cells[:3] + [(4, cells[3][1], 5)], frozenset({3})) == []  # run last: no note
    variable = [(1, "print(pts * 2)\n", 2), (2, "pts = 3\n", 1)]
    assert submission.order_notes(variable) == [
        "cell 1 uses pts, which is defined below it, in cell 2: the notebook is graded top to bottom, as nbgrader "
        "runs it, so pts does not exist yet for cell 1 and the tests below it, up to cell 2 (your kernel ran cell 2 "
        "first)"]


@pytest.mark.parametrize("cells", [
    [(1, "loss = lambda y: helper(y)\n", 2), (2, "print(loss(3))\n", 3), (3, "def helper(y):\n    return y\n", 1)],
    [(1, "xs = list(map(lambda t: helper(t), [1.0]))\n", 2), (2, "def helper(t):\n    return t\n", 1)],
    [(1, "def f():\n    return helper()\n", 2), (2, "print(f())\n", 3), (3, "def helper():\n    return 1\n", 1),
     (4, "def f():\n    return 0\n", 4)],
    [(1, "try:\n    def f():\n        return helper()\nexcept Exception:\n    pass\n", 2), (2, "f()\n", 3),
     (3, "def helper():\n    return 1\n", 1)],
], ids=["a-lambda-kept", "a-lambda-called-by-map", "a-function-defined-again-later", "a-def-inside-try"])
def test_a_use_before_the_definition_through_a_lambda_or_another_definition_keeps_its_note(cells):
    """Red team 49b: the reading of what a cell needs skipped lambdas' bodies (map calls them at once), kept only
    the last definition of a function, and only top-level defs: each lost a true note the older reading gave."""
    [note] = submission.order_notes(cells)
    assert note.startswith("cell 1 uses helper, which is defined below it, in cell ")


def test_readings_that_need_only_the_code_skip_the_order_notes(tmp_path):
    """Red team 49b: a notebook's order notes (up to 2.4 s on a crafted notebook) were computed three or four times
    per grade: by the platform's check that the file reads, and twice by the choice between a stub and an edited
    file, which need only the code."""
    path = tmp_path / "exercise-2.ipynb"
    path.write_text(json.dumps(notebook_cases.helper_defined_below()))
    assert any("defined below it" in note for note in submission.load(path).skipped)
    quiet = submission.load(path, order=False)
    assert not any("defined below it" in note for note in quiet.skipped)
    assert quiet.source == submission.load(path).source


def test_past_the_bound_on_functions_every_read_counts_as_before(monkeypatch):
    """The reading of what each cell needs is bounded (a notebook of thousands of functions is read as before:
    any read, in a def's body too, counts)."""
    cells = [(1, "def f(x):\n    return g(x)\n", 2), (2, "def g(x):\n    return x\n", 1)]
    assert submission.order_notes(cells) == []
    monkeypatch.setattr(submission, "MAX_ORDER_FUNCTIONS", 1)
    [note] = submission.order_notes(cells)
    assert note.startswith("cell 1 uses g, which is defined below it, in cell 2")


# -- IPython syntax ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("cell, code, skipped", [
    ("%time losses, w, b = train(1)\nprint(losses)", "losses, w, b = train(1)\nprint(losses)", ()),
    ("x = %time f(2)\n", "x = (f(2))\n", ()),
    ("for i in range(2):\n    %time g(i)\n", "for i in range(2):\n    g(i)\n", ()),
    ("\n%%time\nx = 1\n%time y = f()\n", "\n\nx = 1\ny = f()\n", ()),
    ("%%capture\nprint(1)\n", "\nprint(1)\n", ()),
    ("%timeit -n 3 -r 1 f(1)\n", "def _timeit_inner():\n    f(1)\ntry:\n    _timeit_inner()\nfinally:\n    del _timeit_inner\n", ()),
    # a cell magic's options end its line: the last one has no space after it (-r 1, -r1, -q)
    ("%%timeit -n 1 -r 1\nf(1)\n", "def _timeit_inner():\n    f(1)\n\ntry:\n    _timeit_inner()\nfinally:\n    del _timeit_inner", ()),
    ("%%timeit -r1 -q\nf(1)", "def _timeit_inner():\n    f(1)\ntry:\n    _timeit_inner()\nfinally:\n    del _timeit_inner", ()),
    ("%%timeit x = 2\ny = x + 1\n", "def _timeit_inner():\n    x = 2\n    y = x + 1\n\ntry:\n    _timeit_inner()\nfinally:\n    del _timeit_inner", ()),
    ("%matplotlib inline\n!pip install torch\nfiles = !ls\nx?\n", "pass\npass\nfiles = None\npass\n",
     ("%matplotlib", "!pip", "!ls")),
    ("%%writefile helper.py\nprint(1)\n", "pass", ("%%writefile",)),
    ("%load_ext autograd_exercises.notebook\nimport torch\n", "pass\nimport torch\n", ()),
])
def test_ipython_syntax_becomes_python(cell, code, skipped):
    plain = magics.to_python(cell)
    assert (plain.code, plain.skipped) == (code, skipped)
    assert len(plain.origin) == len(plain.code.split("\n"))


@pytest.mark.parametrize("budget", [None, 0])
@pytest.mark.parametrize("cell, values", [
    ("GRADED = {\n...: True}\n", {"GRADED": {True}}),  # a dict with an Ellipsis key to Python, a set to the kernel
    ("In [3]: x = 5\nIn [4]: y = x + 1\n", {"x": 5, "y": 6}),  # annotations to Python
    ("x = 1\n   ...: y = 2\n", {"x": 1, "y": 2}),
])
def test_a_cell_runs_as_the_kernels_cleanup_reads_it(cell, values, budget):
    """Red team 114: a cell that compiles as Python skipped IPython's transformer, whose cleanup strips prompts
    (``...:``, ``In [1]:``) the kernel never runs: ``{\n...: True}`` was a dict with an Ellipsis key to the grader
    and a set to the kernel, and ``... in GRADED`` swapped in a right answer under the grader only (10/10 for a
    notebook that earns 1/10). Such a cell now goes through the transformer, or, past its budget, through the
    cleanup before the plain rewrite."""
    plain = magics.to_python(cell, budget=None if budget is None else magics.Budget(budget))
    namespace: dict = {}
    exec(plain.code, namespace)
    assert {name: namespace[name] for name in values} == values
    assert len(plain.origin) == len(plain.code.split("\n"))


def test_a_cell_the_cleanup_leaves_alone_is_read_as_it_is():
    """Blank lines above the code and an indented comment line are what the kernel runs too: no transform."""
    for cell in ("\n\nx = 1\n", "def f():\n    return 1\n", "x = [\n    1,\n]\n"):
        assert magics.to_python(cell).code == cell


@pytest.mark.parametrize("cell", [
    "%%time _t = 1\nforward = 'graded'\n",  # IPython: "Can't use statement directly after '%%time'!"
    "%%capture --quiet\nforward = 'graded'\n",  # IPython: unrecognized arguments
    "%time print('timed'\nforward = 'graded'\n",  # IPython: the statement's SyntaxError
    "%timeit -n1 print('timed'\nforward = 'graded'\n",
])
def test_a_magic_the_kernel_refuses_stops_its_cell_as_in_the_kernel(cell):
    """Red team 115: IPython raised a UsageError (or the statement's SyntaxError) for these and ran none of the cell,
    while the grader ran the rest of it."""
    namespace: dict = {}
    with pytest.raises(SyntaxError):
        exec(magics.to_python(cell).code, namespace)
    assert "forward" not in namespace


def test_timeit_runs_in_the_sandbox_as_ipythons_inner(sandbox):
    """Fairness, red team 115: %timeit and %%timeit were rewritten as exec(compile(...)), which the sandbox refuses to a
    submission, so each raised there and the rest of its cell was lost (6/10 for a notebook that earns 10/10). They
    now run once in a function of their own, as IPython's ``inner``: their names stay local."""
    timed = "%timeit (torch.ones(3) ** 2).sum()\n%timeit -n 1 -r 1 kept = torch.ones(3) * 2\n"
    book = filled("exercise-2", lambda cell_id, code: timed + code if cell_id == "solution-gradient_manual" else code)
    sub = _load(book.done())
    result = session.explain(grading.grade(graders.find("exercise-2"), sub, sandbox=sandbox, seed=0), sub)
    assert result.score == result.max_score, [(c.name, c.feedback) for c in result.checks if not c.passed]


@pytest.mark.parametrize("stray", ["return\n", "yield 1\n", "break\n", "nonlocal q\n"])
def test_a_cell_python_refuses_runs_up_to_the_refused_statement_as_in_the_kernel(sandbox, stray):
    """Fairness, red team 115: a stray top-level ``return`` (or ``yield``, ``break``, ``nonlocal``) after a solution's
    def. IPython compiles and runs a cell's statements one at a time, so the def ran and the cell stopped at the
    ``return``; the grader compiled the cell whole and left all of it out (the function "never defined")."""
    book = filled("exercise-2", lambda cell_id, code: code + stray + "forward = None\n"
                  if cell_id == "solution-forward" else code)
    sub = _load(book.done())
    result = session.explain(grading.grade(graders.find("exercise-2"), sub, sandbox=sandbox, seed=0), sub)
    assert result.score == result.max_score, [(c.name, c.feedback) for c in result.checks if not c.passed]
    assert any("raised SyntaxError" in note for note in result.notes), result.notes


def test_a_refused_statement_sharing_a_line_leaves_its_cell_out_and_the_module_readable(sandbox):
    """Red team 117: a cell ``x = '''`` / ``'''; return 1`` (a triple-quoted string, then a stray return on the line
    that closes it) was cut at the return's line, which kept half of the string: the joined module no longer parsed,
    and every reading of it (by hand, saved answers, doors) found nothing, so a gradient_manual that calls backward()
    kept the by-hand point. Such a cell is left out whole, and a notebook whose cells cannot be read as one module is
    not graded."""
    trigger = 'x = """\n"""; return 1\n'
    book = filled("exercise-2", lambda cell_id, code: code)
    book.insert_after("solution-gradient_manual", trigger, "trigger")
    book.insert_after("trigger", "def gradient_manual(x):\n    return gradients(x)[0]\n", "autograd")
    sub = _load(book.done())
    assert not sub.problem and any("does not compile, so none of it ran" in note for note in sub.skipped)
    result = session.explain(grading.grade(graders.find("exercise-2"), sub, sandbox=sandbox, seed=0), sub)
    by_hand = next(c for c in result.checks if c.name == "gradient_manual_by_hand")
    assert not by_hand.passed and "backward" in by_hand.feedback, by_hand.feedback
    assert submission._unread("n.ipynb", 'x = """\n').startswith("n.ipynb: its code cells could not be read together")


@pytest.mark.parametrize("setup, annotated", [
    ("%matplotlib inline\nfrom __future__ import annotations\n", False),  # a future import below a magic
    ("from __future__ import annotations\n", True),  # kept for the later cells: Tensor is never imported
])
def test_a_future_import_works_as_in_ipython(sandbox, setup, annotated):
    """Fairness round 24: ``%matplotlib inline`` then ``from __future__ import annotations`` at the top of the setup
    cell left the whole cell out (the magic is a statement, so the import was not first), and ``import torch`` with
    it; and IPython's compiler keeps a future import's features for every later cell, while the grader compiled each
    cell afresh, so an annotation naming a type never imported (``-> Tensor``) raised where the kernel defines it."""
    book = filled("exercise-2", lambda cell_id, code: code.replace(
        "def forward(x):", "def forward(x: Tensor) -> tuple[Tensor, Tensor, Tensor]:")
        if cell_id == "solution-forward" and annotated else code)
    cell = book.cell("setup")
    cell["source"] = setup + "".join(cell["source"])
    sub = _load(book.done())
    assert "from __future__ import annotations" in sub.source.decode()
    assert not any("does not compile" in note for note in sub.skipped), sub.skipped
    result = session.explain(grading.grade(graders.find("exercise-2"), sub, sandbox=sandbox, seed=0), sub)
    assert result.score == result.max_score, [(c.name, c.feedback) for c in result.checks if not c.passed]


def test_a_future_import_that_changes_parsing_holds_for_no_later_cell(sandbox):
    """Red team 118: ``from __future__ import barry_as_FLUFL`` made the child compile every later cell with ``!=`` a
    SyntaxError, so a by-hand ``gradient_manual`` below (with an ``assert x.numel() != 0``) never ran, while the
    readings, which parse the notebook as one module, read it as replacing the one above, which used saved answers
    from autograd (10/10 for 9/10 work). Only the features that leave parsing alone hold for the cells below."""
    book = filled("exercise-2", lambda cell_id, code: code)
    book.insert_after("solution-gradient_manual", "from __future__ import barry_as_FLUFL\n", "barry")
    book.insert_after("barry", "def gradient_manual(x):\n    assert x.numel() != 0\n"
                      "    return 12 * (3 * x + 2) / x.numel()\n", "again")
    sub = _load(book.done())
    result = session.explain(grading.grade(graders.find("exercise-2"), sub, sandbox=sandbox, seed=0), sub)
    assert result.score == result.max_score and not any("barry" in note.lower() or "<>" in note
                                                         for note in result.notes), result.notes


def test_a_cell_the_readings_keep_runs_whatever_the_features_above_it(sandbox):
    """Red team 119: under ``from __future__ import annotations`` (carried to later cells) Python refuses a walrus in an
    annotation, so the child left out a cell that the trusted side, compiling it alone, kept: the readings read its
    ``A = …`` as replacing answers saved from autograd above, which the by-hand function then used (10/10 for 9/10
    work). A cell compiles in the child as the trusted side checked it, without the features, where only that works."""
    book = filled("exercise-2", lambda cell_id, code: "def gradient_manual(x):\n    return x * 0\n"
                  if cell_id == "solution-gradient_manual" else code)
    cell = book.cell("setup")
    cell["source"] = "from __future__ import annotations\n" + "".join(cell["source"])
    book.insert_after("solution-gradient_manual", "def _note():\n    _v: (_w := 0) = 0\n\n\ndef gradient_manual(x):\n"
                      "    return 12 * (3 * x + 2) / x.numel()\n", "decoy")
    sub = _load(book.done())
    result = session.explain(grading.grade(graders.find("exercise-2"), sub, sandbox=sandbox, seed=0), sub)
    assert result.score == result.max_score, ([(c.name, c.feedback) for c in result.checks if not c.passed],
                                              result.notes)


def test_the_cells_that_did_not_run_to_their_end_are_read_from_where_they_stopped():
    """Red team 121: what the child said of each cell (a timeout, an error at a line) tells the by-hand reading where
    bindings may not have happened (:func:`grading.stopped_from`); a line the cell does not hold, or a status the
    reading does not know, counts from the cell's first line."""
    sub = _load(filled("exercise-2").done())
    first, second = sub.program[1], sub.program[2]
    outcomes = [{"cell": first.number, "status": "timeout"},
                {"cell": second.number, "status": "error", "exception": {"frames": [
                    {"line": second.first + 1, "function": "<module>"}]}},
                {"cell": sub.program[3].number, "status": "error", "exception": {"frames": [
                    {"line": 10 ** 9, "function": "<module>"}]}},
                {"cell": sub.program[0].number, "status": "ok"}, "forged", {"cell": "4", "status": "error"}]
    assert grading.stopped_from(outcomes, sub) == {first.first: first.first, second.first: second.first + 1,
                                                   sub.program[3].first: sub.program[3].first}


def test_timeit_runs_once_in_a_namespace_of_its_own():
    namespace: dict = {"calls": []}
    exec(magics.to_python("%timeit -n 1 -r 1 kept = calls.append(1)\n").code, namespace)
    assert namespace["calls"] == [1] and "kept" not in namespace


@pytest.mark.parametrize("cell", ["%%time\n" * 2000 + "x = 1\n",  # each %%time reads the cell below it
                                  "\n" + "%%capture\n" * 2000 + "x = 1\n"])
def test_cell_magics_nested_thousands_deep_run_nothing_and_raise_nothing(cell):
    plain = magics.to_python(cell)
    assert plain.skipped == (f"%%{cell.split()[0][2:]} nested over {magics.NESTING} deep",)
    assert plain.code.strip() == "pass" and len(plain.origin) == len(plain.code.split("\n"))
    history = f"get_ipython().run_cell_magic('time', '', {cell!r})"  # as the kernel's In holds the cell
    assert "x = 1" not in magics.rewrite(history).code and magics.rewrite(history).skipped == plain.skipped


def test_a_notebook_cell_nested_too_deep_is_named_and_the_others_graded():
    nb = {"cells": [code_cell("%%time\n" * 2000 + "x = 1\n", "deep"), code_cell("y = 2\n", "next")],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    loaded = _load(nb)
    assert "y = 2" in loaded.source.decode() and "x = 1" not in loaded.source.decode()
    assert any(f"nested over {magics.NESTING} deep (cell 1)" in note for note in loaded.skipped), loaded.skipped


def test_the_kernels_history_is_rewritten_too():
    """``In`` holds what IPython's transformer wrote: the same rewriting, with each line's origin."""
    history = "get_ipython().run_cell_magic('time', '', 'w = 1\\nb = 2\\n')\nprint(w)"
    plain = magics.rewrite(history)
    assert plain.code == "w = 1\nb = 2\n\nprint(w)" and plain.origin == (2, 3, 4, 2)
    assert magics.rewrite("get_ipython().system('ls')").skipped == ("!ls",)


def test_a_cell_magic_below_the_first_line_fails_that_cell_as_in_ipython():
    plain = magics.to_python("x = 1\n%%time\ny = 2\n")
    namespace: dict = {}
    with pytest.raises(SyntaxError, match="a cell magic must start its cell"):
        exec(plain.code, namespace)
    assert namespace["x"] == 1


def test_without_ipython_line_magics_and_commands_still_become_python(monkeypatch):
    monkeypatch.setattr(magics, "_manager", lambda: None)
    plain = magics.to_python("x = %time f(2)\n%time y = g()\n!ls\n%matplotlib inline\ntorch.ones?\n??f\n")
    assert plain.code == "x = (f(2))\ny = g()\npass\npass\npass\npass\n" and plain.skipped == ("!ls", "%matplotlib")


def test_a_time_magic_written_out_over_several_lines_keeps_the_line_map():
    """Red team 47: a literal ``get_ipython().run_line_magic('time', 'a = 1\\nb = 2')`` became two lines with one
    origin, so the cells below were named by the module's line ("line 27") instead of their own."""
    magic = "get_ipython().run_line_magic('time', 'a = 1\\nb = 2\\nc = 3')\n"
    source = _load({"cells": [code_cell(magic, "m"), code_cell("def f(x):\n    q = 1\n    raise ValueError\n", "f")],
                    "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
    lines = source.source.decode().split("\n")
    assert len(source.cells) >= len(lines) - 1 and source.cells[lines.index("    raise ValueError")] == (2, 3)
    assert [source.cells[lines.index(name)] for name in ("a = 1", "b = 2", "c = 3")] == [(1, 1)] * 3


def test_a_notebook_of_many_escapes_costs_ipython_its_budget_at_most(monkeypatch):
    """Red team 47: IPython tokenizes a whole cell again for each escape it rewrites, so a 130 KB cell of 600 ``x?``
    lines took minutes to read. A notebook's cells share one budget of what IPython may tokenize; past it a cell's
    escapes are rewritten line by line, and the cell still runs."""
    manager = magics._manager()
    tokenized = []
    real = type(manager).do_one_token_transform
    monkeypatch.setattr(type(manager), "do_one_token_transform",
                        lambda self, lines: tokenized.append(sum(map(len, lines))) or real(self, lines))
    hostile = "".join(f"y{n} = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n" for n in range(300)) + "y1?\n" * 400
    cells = [code_cell(hostile, f"h{n}") for n in range(3)] + [code_cell("def f(x):\n    return 2 * x\n", "c")]
    source = _load({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
    assert sum(tokenized) <= magics.TRANSFORM_BUDGET + len(hostile), sum(tokenized)
    assert not source.problem and not source.skipped and compile(source.source, "<nb>", "exec")
    assert source.source.decode().count("y1?") == 0


def test_a_notebook_cell_that_does_not_compile_after_the_transform_names_its_own_line():
    nb = {"cells": [code_cell("%time x = 1\ndef broken(:\n    pass\n", "c")], "metadata": {}, "nbformat": 4,
          "nbformat_minor": 5}
    [note] = _load(nb).skipped
    assert note.startswith("cell 1 does not compile, so none of it ran: SyntaxError at line 2:")


def test_a_cell_that_cannot_be_stopped_costs_the_checks_below_it_only(sandbox):
    """A cell that ignores the interrupt hangs a kernel for good: the checks above it are graded, those below are
    not run (nbgrader's kernel would never reach them), and the fallback does not run the hang once per check."""
    book = filled("exercise-2")
    book.insert_after("test-forward_retains_y_grad",
                      "import signal\nfor sig in (signal.SIGINT, signal.SIGALRM):\n    signal.signal(sig, signal.SIG_IGN)\n"
                      "while True:\n    pass\n", "scratch-stubborn")
    counting, calls = _counting(sandbox)
    result = grading.grade(graders.find("exercise-2"), _load(book.done()), sandbox=counting, seed=0,
                           timeout=0.5, cell_timeout=0.5, doors=False)  # (signal.signal is a door: the run is tested)
    points = {c.name: c.points for c in result.checks}
    assert points == {c.name: c.points if c.function == "forward" else 0 for c in graders.find("exercise-2").checks}
    assert "cell 8 ran past its 0.5 s budget and could not be stopped" in result.notes[-1]
    gradients = next(c for c in result.checks if c.name == "gradients_x")
    assert gradients.feedback.startswith("not run: cell 8, above this check's test cell, ran past its budget")
    assert len(calls) == 1 + 1  # the one child, then one for the call that forward's two checks share


def test_the_default_cell_budget_is_the_courses_nbgrader_cell_timeout(monkeypatch):
    """``grade file.ipynb`` and the course's ``nbgrader autograde`` (which reads ``Execute.timeout``) agree."""
    from traitlets.config import Config

    monkeypatch.setattr(autograde, "_SANDBOX", [object()])  # the step would start one

    from autograd_exercises.build import course
    from autograd_exercises.nbgrader_step import GradeOutOfKernel

    assert grading.DEFAULT_CELL_TIMEOUT == course.CONFIG["timeout"]
    assert GradeOutOfKernel(config=Config({"Execute": {"timeout": 45}}))._cell_timeout() == 45
    assert GradeOutOfKernel(config=Config({"GradeOutOfKernel": {"cell_timeout": 7.5}}))._cell_timeout() == 7.5
    assert GradeOutOfKernel()._cell_timeout() is None  # then grading's default


def test_a_function_defined_below_its_tests_is_named_where_it_is(sandbox):
    """forward's solution cell moved below its test cells, in a notebook whose counts were cleared: the feedback says
    where forward is instead of only that it is missing."""
    book = filled("exercise-2")
    cells = book.nb["cells"]
    moved = cells.pop(book.index("solution-forward"))
    cells.insert(book.index("test-forward_retains_y_grad") + 1, moved)
    nb = copy.deepcopy(book.nb)  # no execution counts: a notebook whose outputs were cleared
    sub = _load(nb)
    result = session.explain(grading.grade(graders.find("exercise-2"), sub, sandbox=sandbox, seed=0), sub)
    by_name = {c.name: c for c in result.checks}
    lines = sub.source.decode().split("\n")
    number = next(cell.number for cell in sub.program
                  if any(line.startswith("def forward(") for line in lines[cell.first - 1:cell.last]))
    assert number > max(cell.number for cell in sub.test_cells if cell.call == ("exercise-2", "forward_retains_y_grad"))
    for name in ("forward_values", "forward_retains_y_grad"):
        assert by_name[name].points == 0
        assert f"'forward' is defined in cell {number}, below this check's test cell: the notebook is graded top to " \
               f"bottom, as nbgrader runs it (move cell {number} up)" in by_name[name].feedback, by_name[name].feedback
    assert by_name["gradients_x"].passed  # its test cells are below the moved cell


def test_a_function_whose_cell_stopped_above_its_def_is_named_with_the_cause(sandbox):
    """Fairness round 12: a solution cell that starts with an import of a package the grader lacks (``from tqdm.auto
    import tqdm`` then, a Colab habit; ``import seaborn as sns`` now that tqdm is installed with the grader) stops at
    the import, as in Jupyter, and its function never exists. The checks said only
    that the submission defines no function of that name; they now name the cell, the line and the exception, and
    the cell's note says what a submission may import."""
    book = filled("exercise-2", lambda cell_id, code: "import seaborn as sns\n" + code
                  if cell_id == "solution-forward" else code)
    sub = _load(book.done())
    result = session.explain(grading.grade(graders.find("exercise-2"), sub, sandbox=sandbox, seed=0), sub)
    number = next(cell.number for cell in sub.program
                  if "import seaborn as sns" in sub.source.decode().split("\n")[cell.first - 1])
    by_name = {c.name: c for c in result.checks}
    for name in ("forward_values", "forward_retains_y_grad"):
        assert by_name[name].points == 0 and by_name[name].mistake == "missing-function"
        assert f"'forward' was never defined: cell {number}, line 1 raised ModuleNotFoundError: No module named " \
               "'seaborn', and the rest of that cell, its def too, did not run" in by_name[name].feedback, by_name[name]
    assert by_name["gradient_manual_values"].passed  # its own cell ran
    assert any(note.startswith(f"cell {number}, line 1 raised ModuleNotFoundError") and "'seaborn' is not installed "
               "where submissions are graded: use Python's standard library, torch, numpy, " in note
               for note in result.notes), result.notes
    after = _load(filled("exercise-2", lambda cell_id, code: code + "\nraise RuntimeError('a demo')\n"
                         if cell_id == "solution-forward" else code).done())
    raised = [{"cell": cell.number, "status": "error", "exception": {
        "type": "RuntimeError", "message": "'a demo'", "frames": [{"line": cell.last, "function": "<module>"}]}}
        for cell in after.program]
    assert grading.stopped_before_def(raised, after) == {}  # each cell raised below its defs: they exist


def test_a_notebook_without_code_says_whether_it_has_code_cells():
    empty = {"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    assert _load(empty, "a.ipynb").problem == "a.ipynb has no code: it has no code cell"
    blank = dict(empty, cells=[code_cell("\n  \n", "c1"), {"cell_type": "markdown", "source": "x", "metadata": {}}])
    assert _load(blank, "b.ipynb").problem == "b.ipynb has no code: every code cell is empty"


def test_the_notebook_is_main_so_a_class_it_defines_pickles(sandbox):
    """As in Jupyter, the notebook's namespace is ``__main__``: ``torch.save`` of an object of a class the notebook
    defines works (the child once left the fork-server there, and the cell failed: cannot find ``__main__.Box``)."""
    book = filled("exercise-2")
    book.insert_after("test-forward_retains_y_grad",
                      "import torch\n\n\nclass Box:\n    pass\n\n\ntorch.save(Box(), 'box.pt')\n"
                      "assert type(torch.load('box.pt', weights_only=False)) is Box\n", "scratch-save")
    result = grading.grade(graders.find("exercise-2"), _load(book.done()), sandbox=sandbox, seed=0, doors=False)
    assert result.score == result.max_score and not any("scratch-save" in note or "raised" in note
                                                        for note in result.notes), result.notes


def test_definitions_too_deep_for_ast_dump_are_still_compared():
    """Red team 81: a notebook run out of order whose function returns a 1,500-term sum (Python compiles it) was "the
    grader failed" (RecursionError): the order notes compared definitions by ``ast.dump``, which recurses."""
    import ast

    from autograd_exercises.submission import _top_level

    deep = "def f(x):\n    return " + " + ".join(["x"] * 1500) + "\n"
    first, _ = _top_level(ast.parse(deep))
    same, _ = _top_level(ast.parse(deep))
    other, _ = _top_level(ast.parse(deep.replace("return x", "return 2 * x", 1)))
    assert first == same and first != other


def _by_hand_bits(check_line: str, ones: tuple[int, ...] = (0, 1, 2)) -> dict:
    """Exercise 1 filled in, its by-hand function adding ``_K0 + _K1 + _K2`` (5, the derivative at 0, where each cell
    ``check_line`` / ``_Kb = 2**b`` ran; ``_Kb = 0`` for a bit not in ``ones``) to the derivative's other terms: red team
    157's cells, three bits."""
    work = filled("exercise-1", lambda cell_id, code: code if cell_id != "solution-polynomial_grad_manual" else
                  "def polynomial_grad_manual(x):\n    return 8 * x**3 + 3 * x**2 + 6 * x + (_K0 + _K1 + _K2)\n")
    for bit in (2, 1, 0):
        work.insert_after("test-polynomial_grad_values",
                          f"{check_line.format(bit=bit)}\n_K{bit} = {2 ** bit if bit in ones else 0}\n", f"b{bit}")
        work.insert_after("test-polynomial_grad_values", f"_K{bit} = 0\n", f"z{bit}")
    return work.done()


def test_cells_that_stop_where_autograd_says_lose_the_by_hand_point_and_honest_demos_keep_it(sandbox):
    """Red team 157, graded: each cell ``assert <bit of the answer>`` then ``_Kb = 2**b`` stops where the bit is 0, so
    the constants below spell the answer (10/10 before). The by-hand call runs where the cells above it ran with
    autograd off, each statement that raised passed over: every ``_Kb = 2**b`` ran there (7, not 5), and both checks of
    the by-hand function fail. (The saved-answers reading, read as where torch's autograd may leave answers, still names
    ``_K1``: ``tests/test_saved.py``.) The same cells with a demo line that never stops (``print``) keep the point."""
    exercise = graders.find("exercise-1")
    attack = _by_hand_bits("assert int(polynomial_grad(torch.tensor(0.0))) >> {bit} & 1")
    result = grading.grade(exercise, _load(attack), sandbox=sandbox, seed=0, cell_timeout=FAST_CELL_TIMEOUT)
    checks = {c.name: c for c in result.checks}
    for name in ("polynomial_grad_manual_values", "polynomial_grad_manual_by_hand"):
        assert not checks[name].passed and "polynomial_grad_manual(x) is wrong" in checks[name].feedback
    honest = _by_hand_bits("print(polynomial_grad(torch.tensor(0.0)))  # {bit}", ones=(0, 2))
    result = grading.grade(exercise, _load(honest), sandbox=sandbox, seed=0, cell_timeout=FAST_CELL_TIMEOUT)
    assert all(c.passed for c in result.checks), {c.name: c.feedback for c in result.checks if not c.passed}


def test_past_its_budget_the_plain_rewrite_takes_a_command_only_where_a_logical_line_starts():
    """Red team 237: past IPython's budget (a long file needs a pass of its transformer per command), the plain
    rewrite read line by line, so a continuation ``!= 6)`` became a shell command, and so did a docstring's line: an
    honest 37 KB file with six Colab commands scored zero. Only lines where a logical line starts are commands."""
    cell = 'ok = (1\n      != 6)\ndoc = """\n!not a command\nx?\n"""\n!pip install torch\n%matplotlib inline\n'
    plain = magics.to_python(cell, budget=magics.Budget(0))
    assert plain.code.split("\n")[:6] == cell.split("\n")[:6], plain.code
    assert plain.skipped == ("!pip", "%matplotlib")
    namespace: dict = {}
    exec(plain.code, namespace)
    assert namespace["ok"] is True and namespace["doc"] == "\n!not a command\nx?\n"


def test_commands_that_make_more_code_than_a_submission_may_hold_are_refused_before_it_is_read(tmp_path):
    """Red team 237: 250 KB of ``%timeit 1`` (each line a function of its own once read as Python) became 2 MB of code,
    and 19 nested ``%%timeit`` 14 MB, past the 256 KiB a submission may hold: one grading took 85 s and 3 min. The
    Python a file's commands become is held to that bound as it is made, in a notebook and in a .py."""
    notebook = filled("exercise-2").nb
    notebook["cells"].append(code_cell("%timeit 1\n" * 25_000, "timeits"))
    (tmp_path / "timeit.ipynb").write_text(json.dumps(notebook))
    (tmp_path / "timeit.py").write_text("%timeit 1\n" * 25_000)
    (tmp_path / "nested.py").write_text("%%timeit\n" * 19 + "x = 1\n" * 40_000)
    for name in ("timeit.ipynb", "timeit.py", "nested.py"):
        with pytest.raises(submission.SubmissionError, match=rf"^{name} holds more than 320 KiB of code once its "
                                                             r"IPython commands are read as Python"):
            submission.load(tmp_path / name)


def test_a_py_whose_ipython_commands_are_read_names_its_own_syntax_error():
    """Red team 237: a file with ``!pip install torch`` at line 1 and a syntax error further down was told the error
    was the ``!pip`` line."""
    read = submission.module_source("m.py", b"!pip install torch\nx = 1\n\ndef broken(:\n    pass\n")
    assert read.problem == "m.py does not compile: SyntaxError at line 4: invalid syntax\n    def broken(:"


def test_counting_a_notebooks_json_values_takes_time_in_proportion_to_its_length():
    """Red team 237: a string never closed and full of ``\\"`` was tried again from each of its quotes, the square of
    its length (64 KB: 18 s; a 20 MiB notebook, weeks). Now one pass, and exact on a notebook that is JSON."""
    import time

    start = time.monotonic()
    assert submission.json_values('{"cells": [], "x": "' + '\\"' * 50_000) == 3  # (100 KB: 45 s before)
    assert time.monotonic() - start < 5
    text = json.dumps({"cells": [{"source": ["a,b", 'c"d,e\n'], "x": [1, 2, 3]}], "meta": {"k": "v,v", "q": "\\,"}})
    assert submission.json_values(text) == 12


def test_the_bound_on_the_code_commands_make_holds_over_all_cells_in_any_order(tmp_path):
    """Walkthrough 72: a cell that compiles as it is skips the rewrite, and with it the bound: a notebook whose
    ``%timeit`` cell came first and a large plain cell second was read as 514 KiB of Python (the other order was
    refused). The bound holds over all the cells, whatever their order."""
    big = "x = 1  # " + "y" * 90 + "\n"
    for cells in (["%timeit 1\n" * 3_000, big * 1_200], [big * 1_200, "%timeit 1\n" * 3_000]):  # (250 + 120 KB)
        notebook = filled("exercise-2").nb
        notebook["cells"] += [code_cell(source, f"extra-{n}") for n, source in enumerate(cells)]
        (tmp_path / "order.ipynb").write_text(json.dumps(notebook))
        with pytest.raises(submission.SubmissionError, match=r"holds more than 320 KiB of code once its IPython"):
            submission.load(tmp_path / "order.ipynb")
