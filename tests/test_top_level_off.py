"""Before a by-hand call the child runs the top level with autograd switched off (``sandbox.child._run_off``).

Red teams 170 to 177 had the top level run autograd, keep its answers where the by-hand function could read them
back (freed memory, a library's cache, a registry, an enum's members), and score the by-hand check. Each channel was
closed one by one; this layer closes them as a class: in the process the by-hand function runs in, the top level ran
with autograd off, so no answer of autograd's exists there to be kept. The reading of the by-hand function is a second
layer; these tests switch it off (``no_reading``) to hold the run-time layer alone to its promise, and keep it on where
they hold honest files to full marks.
"""

from __future__ import annotations

import json

import pytest

import graders
from autograd_exercises import grading
from autograd_exercises.judge import Fail, top_level
from autograd_exercises.sandbox import RunResult, split_checks
from autograd_exercises.sandbox.protocol import AGAIN, CHECK_SEPARATOR, CHECK_SEPARATOR_END
from autograd_exercises.submission import Submission, notebook_source
from tests import notebook_cases
from tests.conftest import by_name, solution_text

# The top level learns the derivative's two coefficients from autograd and keeps them in the environment (no cache
# the child empties, no memory it fills): the by-hand function reads them back.
STASH = '''
import os as _os


def _learn():
    at0 = gradients(torch.tensor([0.0], dtype=torch.float64, requires_grad=True))[0]
    at1 = gradients(torch.tensor([1.0], dtype=torch.float64, requires_grad=True))[0]
    _os.environ["SLOPE"], _os.environ["AT0"] = repr(float(at1 - at0)), repr(float(at0))
'''
READ_BACK = '''

def gradient_manual(x):
    return (float(_os.environ.get("SLOPE", "0")) * x + float(_os.environ.get("AT0", "0"))) / x.numel()
'''
MANUAL = ("gradient_manual_values", "gradient_manual_by_hand")


@pytest.fixture()
def no_reading(monkeypatch):
    """The by-hand reading switched off: what the run-time layers alone decide."""
    monkeypatch.setattr(grading, "by_hand_failure", lambda *args, **kwargs: None)


def grade_notebook(sandbox, nb: dict):
    return grading.grade(graders.find("exercise-2"), notebook_source("work.ipynb", json.dumps(nb)), sandbox=sandbox,
                         seed=0)


def failed(result) -> dict[str, str]:
    return {check.name: check.feedback for check in result.checks if not check.passed}


@pytest.mark.parametrize("how", ["_learn()\n", "import threading\n_t = threading.Thread(target=_learn)\n"
                                 "_t.start()\n_t.join()\n"])
def test_answers_the_top_level_kept_do_not_exist_for_the_by_hand_call(grade_source, no_reading, how):
    """The top level's autograd (in the main thread or a thread of its own) gave nothing to keep: both checks of the
    by-hand function see its values from an empty environment, and every other check keeps its points."""
    result = grade_source("exercise-2", solution_text("exercise_2") + STASH + how + READ_BACK)
    lost = failed(result)
    assert sorted(lost) == sorted(MANUAL), lost
    assert all("gradient_manual(x) is wrong" in feedback for feedback in lost.values())


LEARN_BY_FUNC = ('\n_f = lambda t: (2 * (3 * t + 2) ** 2).mean()\n'
                 '_at0 = torch.func.grad(_f)(torch.tensor([0.0], dtype=torch.float64))\n'
                 '_at1 = torch.func.grad(_f)(torch.tensor([1.0], dtype=torch.float64))\n'
                 '_os.environ["SLOPE"], _os.environ["AT0"] = repr(float(_at1 - _at0)), repr(float(_at0))\n')


def test_torch_func_at_the_top_level_differentiates_nothing(grade_source, no_reading):
    """``torch.func.grad`` forces autograd's keys back on for its own work; with functorch's layers off too, it
    differentiates nothing in the top level's run with autograd off (zeros, no pass of the engine's), so the
    coefficients it learns there are zero."""
    result = grade_source("exercise-2", solution_text("exercise_2") + STASH + LEARN_BY_FUNC + READ_BACK)
    lost = failed(result)
    assert sorted(lost) == sorted(MANUAL), lost
    assert all("gradient_manual(x) is wrong" in feedback for feedback in lost.values())


def test_a_torch_func_demo_at_the_top_level_costs_nothing(grade_source):
    """An honest demo of ``torch.func.grad`` at the top level keeps full marks (fairness 45: it cost the by-hand
    point while the engine's count of its passes was the only defence against it)."""
    demo = ("\n_check = torch.func.grad(lambda t: (2 * (3 * t + 2) ** 2).mean())(torch.ones(2, 3))\n"
            "print('torch.func says', _check)\n")
    result = grade_source("exercise-2", solution_text("exercise_2") + demo)
    assert failed(result) == {}


# Red team 178: a finalizer set at the top level on a pattern ``re`` caches runs when the child empties that cache
# before the by-hand call, after the top level's run with autograd off and before the call's own counting.
LATE = """
import re as _re
import weakref as _weakref

_LEARNED = []


def _late():
    at0 = gradients(torch.tensor([0.0], dtype=torch.float64, requires_grad=True))[0]
    at1 = gradients(torch.tensor([1.0], dtype=torch.float64, requires_grad=True))[0]
    _LEARNED[:] = [float(at1 - at0), float(at0)]


_weakref.finalize(_re.compile("a pattern of its own"), _late)


def gradient_manual(x):
    slope, at0 = _LEARNED
    return (slope * x + at0) / x.numel()
"""


def test_autograd_run_between_the_top_level_and_the_by_hand_call_is_counted(grade_source, no_reading):
    """What runs after the top level's run with autograd off and before the by-hand call (a finalizer the child's
    emptying of the library caches sets off) is counted: the by-hand check fails, saying so."""
    result = grade_source("exercise-2", solution_text("exercise_2") + LATE)
    lost = failed(result)
    assert list(lost) == ["gradient_manual_by_hand"], lost
    assert "outside its own calls (before the first, or between two), the file's own code ran 2 backward pass(es)" in \
        lost["gradient_manual_by_hand"]
    assert "in a notebook in a cell below this check's test cell" in lost["gradient_manual_by_hand"]
    assert "[input:" not in lost["gradient_manual_by_hand"]


def test_inference_mode_off_cannot_switch_autograd_back_on_in_the_top_levels_run(grade_source, no_reading):
    """Red team 179: ``torch.inference_mode(False)`` puts autograd's dispatch keys back for its block, and the keys were
    excluded again when the run ended (the engine's count of its passes failed the by-hand check, but the values were
    autograd's). In the top level's run with autograd off it raises: the block is passed over, nothing is learned."""
    learn = "\nwith torch.inference_mode(False):\n    _learn()\n"
    result = grade_source("exercise-2", solution_text("exercise_2") + STASH + learn + READ_BACK)
    lost = failed(result)
    assert sorted(lost) == sorted(MANUAL), lost
    assert all("gradient_manual(x) is wrong" in feedback for feedback in lost.values())
    honest = "\nwith torch.inference_mode(False):\n    print(gradients(torch.ones(2, 3, requires_grad=True))[0])\n"
    assert failed(grade_source("exercise-2", solution_text("exercise_2") + honest)) == {}


DEMO = '''

x_demo = torch.tensor([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]], requires_grad=True)
y_demo, z_demo, out_demo = forward(x_demo)
out_demo.backward()
print("demo x.grad", x_demo.grad.tolist())
assert torch.allclose(x_demo.grad, gradient_manual(x_demo.detach()))
x_demo.grad.zero_()
'''


def test_an_honest_top_level_of_autograd_keeps_full_marks_and_prints_once(grade_source):
    """A demo at the top level that back-propagates, prints and asserts the by-hand function against autograd: with
    autograd off its statements raise and are passed over; the run that counts prints its line once."""
    result = grade_source("exercise-2", solution_text("exercise_2") + DEMO)
    assert failed(result) == {}
    assert result.score == result.max_score
    for check in result.checks:
        assert check.output.count("demo x.grad") == 1, (check.name, check.output)


def test_a_def_below_a_cells_autograd_demo_still_runs_with_autograd_off(sandbox):
    """In a notebook, the by-hand function defined in the same cell below a demo that back-propagates: with autograd
    off the demo raises, and the def below it still runs; no note speaks of the first run."""
    book = notebook_cases.filled("exercise-2", lambda cell_id, code: (
        "x_demo = torch.ones(2, 3, requires_grad=True)\nforward(x_demo)[2].backward()\n"
        "print(x_demo.grad.sum())\n" + code) if cell_id == "solution-gradient_manual" else code)
    result = grade_notebook(sandbox, book.done())
    assert failed(result) == {}
    assert result.score == result.max_score
    assert result.notes == []


def test_a_cell_above_the_by_hand_cell_keeps_nothing_of_autograd(sandbox, no_reading):
    """The notebook's cells above the by-hand function's test cell run with autograd off: the coefficients a cell
    learns from autograd do not exist there."""
    book = notebook_cases.filled("exercise-2", lambda cell_id, code: code + READ_BACK
                                 if cell_id == "solution-gradient_manual" else code)
    book.insert_after("solution-gradients", STASH + "_learn()\n", "scratch-learn")
    result = grade_notebook(sandbox, book.done())
    lost = failed(result)
    assert sorted(lost) == sorted(MANUAL), lost


def test_the_second_runs_output_replaces_the_firsts():
    """What the top level printed with autograd off (before the by-hand call's mark) is dropped once the child marks
    its second run; each check shows the second run's output with its own."""
    output = (f"first run{CHECK_SEPARATOR}manual{CHECK_SEPARATOR_END}by hand{CHECK_SEPARATOR}{AGAIN}"
              f"{CHECK_SEPARATOR_END}second run{CHECK_SEPARATOR}other{CHECK_SEPARATOR_END}other's")
    run = RunResult("ok", {"checks": {"manual": {"observations": []}, "other": {"observations": []}}}, output=output)
    split = split_checks(run, ["manual", "other"])
    assert split["manual"].output == "second runby hand"
    assert split["other"].output == "second runother's"


OUTSIDE = {"chained": True, "passes": 0, "nodes": 0, "threads": 0, "duals": 0}
RAN = {"ran": True, "autograd_off": True, "level_held": True, "threads": 0, "outside": OUTSIDE}


@pytest.mark.parametrize("record, said", [
    (None, "could not run the code above gradient_manual"),
    ({"ran": False}, "could not run the code above gradient_manual"),
    (dict(RAN, outside=dict(OUTSIDE, passes=2)), "ran 2 backward pass"),
    (dict(RAN, outside=dict(OUTSIDE, passes=None)), "kept the grader from counting"),
    (dict(RAN, outside={"chained": False}), "kept the grader from counting"),
    (dict(RAN, outside=dict(OUTSIDE, nodes=3)), "built a graph for autograd"),
    (dict(RAN, outside=dict(OUTSIDE, duals=1)), "made forward-mode AD's dual tensors"),
    (dict(RAN, autograd_off=False), "switched autograd back on"),
    (dict(RAN, level_held=False), "took forward-mode AD's level"),
    (dict(RAN, outside=dict(OUTSIDE, threads=1)), "started threads"),
    (dict(RAN, threads=1), "left threads running"),
])
def test_what_the_top_level_did_with_autograd_off_fails_the_by_hand_check(record, said):
    outcome = {} if record is None else {"top_level": record}
    with pytest.raises(Fail, match=said):
        top_level(outcome, "gradient_manual(x)")
    top_level({"top_level": RAN}, "gradient_manual(x)")  # (nothing done: nothing to say)
    top_level({"top_level": dict(RAN, outside=dict(OUTSIDE, threads=None))}, "gradient_manual(x)")  # (not read)



def test_the_second_run_is_the_code_the_grader_read_not_the_file_the_first_rewrote(grade_source):
    """Our own attack on the first version, which imported the file again after the top level's run with autograd off:
    that run may write its own file in the scratch folder, and the second import ran what the grader's readings never
    read (a door, a forged answer). The second run executes the code compiled before either ran."""
    rewrite = ('\n_SOURCE = open(__file__).read()\n'
               'with open(__file__, "w") as _f:\n'
               '    _f.write(_SOURCE.replace("def forward(x):", "print(" + repr("RE" + "WRITTEN") + ")\\n\\n\\n"\n'
               '             "def forward(x):", 1))\n')
    result = grade_source("exercise-2", solution_text("exercise_2") + rewrite)
    assert failed(result) == {}
    assert not any("REWRITTEN" in check.output for check in result.checks), [c.output for c in result.checks]


@pytest.mark.parametrize("side_effect", ['os.mkdir("plots")\n', 'open("results.txt", "x").close()\n',
                                         'os.environ["RUNS"] = os.environ.get("RUNS", "") + "x"\n'
                                         'assert os.environ["RUNS"] == "x"\n',
                                         'os.mkdir("out")\nos.chdir("out")\nassert not os.path.exists("out")\n'])
def test_the_second_run_finds_the_folder_and_environment_the_first_found(grade_source, side_effect):
    """Red team 180: ``os.mkdir("plots")`` at the top level ran in both runs, and the second raised FileExistsError:
    every check failed as an import error. The second run now starts in the scratch folder, with the entries and
    environment, that the first found."""
    result = grade_source("exercise-2", "import os\n" + solution_text("exercise_2") + "\n" + side_effect)
    assert failed(result) == {}


def test_a_warning_the_import_does_not_show_is_not_shown(grade_source):
    """Red team 180: an invalid escape (a DeprecationWarning that an import does not show under Python's filters) was
    said before the second run, and the text report showed the file's output twice."""
    source = solution_text("exercise_2") + '\nprint("hello")\n_PATTERN = "\\d+"\n'
    assert '"\\d+"' in source  # (a backslash and a d in the file: an invalid escape)
    result = grade_source("exercise-2", source)
    assert failed(result) == {}
    assert all("invalid escape" not in check.output for check in result.checks), [c.output for c in result.checks]


def test_a_named_pipe_left_in_the_files_place_holds_nothing_up(grade_source):
    """Red team 181: in the run with autograd off only, the top level put a named pipe in its own file's place, and
    the child waited to write the file back into it until its deadline (every call then ran again in a child of its
    own). The file is written again as a new regular file, never waiting."""
    import time

    swap = ('\nif (torch.ones(1, requires_grad=True) * 2).grad_fn is None:  # (autograd off: the first run)\n'
            '    import os\n    os.unlink(__file__)\n    os.mkfifo(__file__)\n')
    started = time.monotonic()
    result = grade_source("exercise-2", solution_text("exercise_2") + swap, cell_timeout=5.0)
    assert failed(result) == {}
    assert time.monotonic() - started < 4.5


def test_a_handler_the_first_run_added_does_not_print_the_second_runs_lines_twice(grade_source):
    """Red team 181: a logging handler added at the top level in the run with autograd off stayed, and every line the
    second run logged was printed twice. The loggers' handlers and levels are put back between the runs."""
    logs = ('\nimport logging\nimport sys\n_log = logging.getLogger("ex2")\n'
            '_log.addHandler(logging.StreamHandler(sys.stdout))\n_log.setLevel(logging.INFO)\n_log.info("ready")\n')
    result = grade_source("exercise-2", solution_text("exercise_2") + logs)
    assert failed(result) == {}
    assert all(check.output.count("ready") == 1 for check in result.checks if not check.hidden), \
        [c.output for c in result.checks]


def test_a_level_the_first_run_set_lets_nothing_more_through_in_the_second(grade_source):
    """A logger the first run made starts the second run with no level, as a new one would (it kept the first run's,
    and printed what only that run let through); the levels are put back without ``setLevel``, which empties every
    logger's cache (a millisecond a child), so what the first run's level let through, remembered in the logger's
    cache, must not print either."""
    logs = ('\nimport logging\nimport sys\n_log = logging.getLogger("ex2")\n'
            '_log.addHandler(logging.StreamHandler(sys.stdout))\n'
            'if (torch.ones(1, requires_grad=True) * 2).grad_fn is None:  # (autograd off: the first run)\n'
            '    _log.setLevel(logging.INFO)\n_log.info("first-run-only")\n_log.warning("every-run")\n')
    result = grade_source("exercise-2", solution_text("exercise_2") + logs)
    assert failed(result) == {}
    shown = [check.output for check in result.checks if not check.hidden]
    assert any("every-run" in output for output in shown), shown
    assert not any("first-run-only" in output for output in shown), shown


def test_inference_mode_off_is_refused_in_the_by_hand_functions_run_with_autograd_off(grade_source, no_reading):
    """Red team 182: inside the by-hand function's first run (autograd's keys excluded), ``inference_mode(False)`` put
    them back, and a forward-mode derivative taken there matched the second run's. It raises there now, which the
    comparison of the two runs reads as needing autograd."""
    manual = ("\n\ndef gradient_manual(x):\n    with torch.inference_mode(False):\n"
              "        return 12 * (3 * x + 2) / x.numel()\n")
    lost = failed(grade_source("exercise-2", solution_text("exercise_2") + manual))
    assert list(lost) == ["gradient_manual_by_hand"], lost
    assert "run with autograd switched off it raised RuntimeError" in lost["gradient_manual_by_hand"]


# Red team 186: the file tells the run with autograd off apart (backward() raises only there) and keeps the by-hand
# function computing by hand only in that run; in its own run, the function asks autograd.
SWITCH = '''

HELP = [lambda x: 12 * (3 * x + 2) / x.numel()]
try:
    torch.ones(1, requires_grad=True).sum().backward()
    HELP.append(lambda x: gradients(x.detach().clone().requires_grad_(True))[0])
except RuntimeError:
    pass


def gradient_manual(x):
    return HELP[-1](x)
'''


def _switched(grade, one_child: bool = True):
    source = solution_text("exercise_2").split("def gradient_manual")[0] + SWITCH
    return grade(source, one_child)


@pytest.mark.parametrize("one_child", [True, False])
def test_a_by_hand_function_that_asks_autograd_in_the_files_own_run_fails(sandbox, no_reading, one_child):
    """The by-hand call is made again in the file's own run (``grading.again_calls``): there it called backward(), so
    the by-hand check fails; its values, judged in the run with autograd off, pass. Also with a child per call."""
    result = _switched(lambda text, one: grading.grade(graders.find("exercise-2"), Submission("<t>", text.encode()),
                                                        sandbox=sandbox, seed=0, one_child=one))
    lost = failed(result)
    assert sorted(lost) == ["gradient_manual_by_hand"], lost
    assert "in your file's own run" in lost["gradient_manual_by_hand"]
    assert "called backward()/torch.autograd.grad" in lost["gradient_manual_by_hand"]
    assert by_name(result)["gradient_manual_by_hand"].mistake == "autograd-in-by-hand"


def test_a_notebook_whose_by_hand_function_asks_autograd_in_the_kernels_run_fails(sandbox, no_reading):
    """In a notebook: a cell above the by-hand test cell raises, and the statements after the raise, which a kernel
    never reaches but the run with autograd off does (it passes over a statement that raises), rebind the function to
    compute by hand (red team 186's b12)."""
    book = notebook_cases.filled("exercise-2", lambda cell_id, code: code.replace(
        "return 12 * (3 * x + 2) / x.numel()", "return gradients(x.detach().clone().requires_grad_(True))[0]")
        if cell_id == "solution-gradient_manual" else code)
    book.insert_after("solution-gradient_manual", "torch.ones(1, requires_grad=True).sum().backward()\n"
                      "raise RuntimeError('a kernel stops here')\n_honest = lambda x: 12 * (3 * x + 2) / x.numel()\n"
                      "def gradient_manual(x):\n    return _honest(x)\n", "scratch-switch")
    lost = failed(grade_notebook(sandbox, book.done()))
    assert "gradient_manual_by_hand" in lost and "in your file's own run" in lost["gradient_manual_by_hand"], lost


def test_a_by_hand_function_beside_tensors_that_ask_for_gradients_keeps_its_point(grade_source):
    """The second call counts only autograd asked for an answer: a by-hand function that reads a tensor the top level
    made with gradients switched on (a graph node in the file's own run, none with autograd off) keeps its point; so
    does it by the by-hand reading since fairness 50 (a tensor made at import is data the function reads)."""
    source = solution_text("exercise_2").replace("    return 12 * (3 * x + 2) / x.numel()",
                                                 "    return 12 * (3 * x + 2) / x.numel() * ONE.detach()") + \
        "\n\nONE = torch.ones((), requires_grad=True)\n" + DEMO
    result = grade_source("exercise-2", source)
    assert failed(result) == {}
    assert result.score == result.max_score


def test_a_by_hand_function_computing_with_such_a_tensor_itself_is_told_to_detach_it(grade_source):
    """Fairness 50: the same constant used without ``.detach()`` builds graph nodes in the by-hand call, which the
    run-time layer fails (red team 68: nodes called by hand); the feedback says which tensors and what to do."""
    source = solution_text("exercise_2").replace("    return 12 * (3 * x + 2) / x.numel()",
                                                 "    return (12 * (3 * x + 2) / x.numel() * ONE).detach()") + \
        "\n\nONE = torch.ones((), requires_grad=True)\n" + DEMO
    lost = failed(grade_source("exercise-2", source))
    assert sorted(lost) == ["gradient_manual_by_hand"], lost
    assert "requires_grad=True or an nn.Parameter" in lost["gradient_manual_by_hand"]
    assert ".detach() before any operation" in lost["gradient_manual_by_hand"]


def test_a_by_hand_function_that_hangs_in_the_files_own_run_does_not_pass(grade_source, no_reading):
    """Red team 188: the function spun only in the file's own run (where, with autograd switched off below it, its
    autograd version could not answer), so its second call timed out and said nothing; that fails the check too."""
    source = solution_text("exercise_2").split("def gradient_manual")[0] + SWITCH.replace(
        "HELP.append(lambda x: gradients(x.detach().clone().requires_grad_(True))[0])",
        "HELP.append(lambda x: [None for _ in iter(int, 1)])")
    lost = failed(grade_source("exercise-2", source, timeout=1.0))
    assert sorted(lost) == ["gradient_manual_by_hand"], lost
    assert "could not be checked: timed out after 1 s" in lost["gradient_manual_by_hand"]


def test_a_file_that_closes_its_output_at_import_is_graded_on_its_answers(grade_source):
    """Red team 236: ``os.closerange(0, 100)`` at the top level closed the output each check's mark is written to, and
    every check failed as the sandbox's failure. Without its output the file is still graded (fd 3, the report's
    channel, stays: seccomp refuses to close it, and close_range falls back to closing one at a time)."""
    result = grade_source("exercise-2", solution_text("exercise_2") + "\nimport os\nos.closerange(0, 100)\n")
    assert failed(result) == {}
