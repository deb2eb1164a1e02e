"""Exercise 5 graded for real: solution (full), stub (zero) and named common mistakes."""

from __future__ import annotations

import pytest
import torch
from hypothesis import example, given, settings, strategies as st

from autograd_exercises.sandbox import observe
from tests.conftest import (assert_mistake, assert_solution_full, assert_stub_zero, counting_autograd,
                            judge_every_check, load_module, mutate, solution_text)

SLUG, MODULE = "exercise-5", "exercise_5"
SOLUTION = solution_text(MODULE)
TWICE = "    out.backward(retain_graph=True)\n    out.backward()\n"
SECOND = "    out.backward()\n    try:\n        out.backward()\n    except RuntimeError as err:\n        return err\n"
CLEAR = "        x.grad = None\n        polynomial(x).backward()\n"
POLY_FUNCTION = """    class Poly(torch.autograd.Function):
        @staticmethod
        def forward(ctx, t):
            {keep}
            return polynomial(t.detach())

        @staticmethod
        def backward(ctx, g):
            {get}
            return g * (8 * t**3 + 3 * t**2 + 6 * t + 5)

"""
ACCUMULATE = "    for _ in range(steps):\n        polynomial(x).backward()\n    return x.grad\n"

# name: (mutations, expected score, {check: feedback fragment})
MISTAKES = {
    "polynomial_averaged": (
        [("+ 5 * x + 1).sum()", "+ 5 * x + 1).mean()")],
        6, {"polynomial": "a mean where a sum belongs", "backward_twice": "a mean where a sum belongs"},
    ),
    "no_retain_graph": (
        [(TWICE, "    out.backward()\n    out.backward()\n")],
        9, {"backward_twice": "pass retain_graph=True to the first backward",
            "backward_twice_fills_grad": "pass retain_graph=True to the first backward"},
    ),
    "backward_only_once": (
        [(TWICE, "    out.backward()\n")],
        10, {"backward_twice": "holds a single gradient f'(x), expected two summed"},
    ),
    "graph_built_twice": (  # the right 2 f'(x), from a second graph instead of a retained one
        [(TWICE, "    out.backward()\n    polynomial(x).backward()\n")],
        11, {"backward_twice": "but not from two passes over one graph"},
    ),
    "graph_built_twice_in_a_thread": (  # a thread started inside the check is counted like the check
        [(TWICE, "    import threading\n    work = threading.Thread(target=lambda: (out.backward(), "
                 "polynomial(x).backward()))\n    work.start()\n    work.join()\n")],
        11, {"backward_twice": "but not from two passes over one graph"},
    ),
    "graph_built_twice_inside_hooks_taken_at_import": (  # the push function taken before any check ran
        [("import torch\n", "import torch\nfrom torch._C._autograd import _push_saved_tensors_default_hooks as P\n"
                            "from torch._C._autograd import _pop_saved_tensors_default_hooks as Q\n"),
         (TWICE, "    out.backward()\n    P(lambda t: t, lambda t: t)\n    polynomial(x).backward()\n    Q()\n")],
        0, {"backward_twice": "not run: the file reaches torch's private internals"},  # (a door)
    ),
    "graph_built_twice_inside_hooks_taken_from_the_counter": (  # the real push, out of the counting wrapper's closure
        [("import torch\n", "import torch\n_w = torch.autograd._push_saved_tensors_default_hooks\n"
                            "P = next((c.cell_contents for c in (_w.__closure__ or ()) if getattr(c.cell_contents, "
                            "'__name__', '') == '_push_saved_tensors_default_hooks'), _w)\n"),
         ("    out = polynomial(x)\n" + TWICE, "    P(lambda t: t, lambda t: t)\n    try:\n"
                                            "        polynomial(x).backward()\n        polynomial(x).backward()\n"
                                            "    finally:\n        torch._C._autograd._pop_saved_tensors_default_hooks()\n")],
        0, {"backward_twice": "not run: the file reaches torch's private internals"},  # (a door)
    ),
    "graph_built_twice_inside_own_hooks": (  # the same, hidden from the count by saved-tensor hooks of its own
        [(TWICE, "    out.backward()\n    with torch.autograd.graph.saved_tensors_hooks(lambda t: t, lambda t: t):\n"
                 "        polynomial(x).backward()\n")],
        11, {"backward_twice": "saved-tensor hooks of its own"},
    ),
    "graph_built_twice_after_popping_the_counters_hooks": (  # red team 76: hooks pushed at import, one popped in
        [("import torch\n", "import torch\n\n_SPARE = torch.autograd.graph.saved_tensors_hooks(lambda t: t, lambda t: t)\n"
                            "for _ in range(64):\n    _SPARE.__enter__()\n"),  # the function: the counter's own hooks
         ("    out = polynomial(x)\n" + TWICE, "    side = (x * x).sum() * 0.0\n    _SPARE.__exit__(None, None, None)\n"
                                            "    polynomial(x).backward(inputs=[x])\n    side.backward(retain_graph=True)\n"
                                            "    (polynomial(x) + side).backward()\n")],
        11, {"backward_twice": "saved-tensor hooks of its own"},
    ),
    "graph_built_twice_reads_padded": (  # two graphs, and saved values looked at outside a backward to pad the reads
        [(TWICE, "    out.backward()\n    again = polynomial(x)\n    nodes = [again.grad_fn]\n    while nodes:\n"
                 "        node = nodes.pop()\n        nodes += [n for n, _ in node.next_functions if n is not None]\n"
                 "        for name in ('_saved_self', '_saved_other', '_saved_result', '_saved_exponent'):\n"
                 "            getattr(node, name, None)\n            getattr(node, name, None)\n    again.backward()\n")],
        11, {"backward_twice": "but not from two passes over one graph"},
    ),
    "a_throwaway_graph_back_propagated_twice": (  # the retained double pass on another leaf, polynomial built twice
        [(TWICE, "    z = torch.ones(1, dtype=torch.float64, requires_grad=True)\n    y = (z * z).sum()\n"
                 "    y.backward(retain_graph=True)\n    y.backward()\n    out.backward()\n    polynomial(x).backward()\n")],
        11, {"backward_twice": "but not from two passes over one graph"},
    ),
    "two_graphs_back_propagated_in_torchscript": (  # red team 61: TorchScript ran the engine past its counting
        [("    out = polynomial(x)\n" + TWICE,  # wrapper; a tiny retained graph read twice then hid the two graphs
          "    scripted = torch.jit.script(_backward)\n    scripted(polynomial(x))\n    scripted(polynomial(x))\n"
          "    tiny = (x * x).sum() * 0.0\n    tiny.backward(retain_graph=True)\n    tiny.backward()\n"),
         ("def backward_twice(x):", "def _backward(out: torch.Tensor):\n    out.backward()\n\n\n"
          "def backward_twice(x):")],
        11, {"backward_twice": "but not from two passes over one graph"},  # (the child runs TorchScript as Python: red team 76)
    ),
    "a_third_graph_read_from_hooks": (  # two fresh graphs whose hooks read a never back-propagated graph's saved x
        [("    out = polynomial(x)\n" + TWICE,
          "    node = polynomial(x).grad_fn\n    while not type(node).__name__.startswith('PowBackward'):\n"
          "        node = node.next_functions[0][0]\n"
          "    for _ in range(2):\n        out = polynomial(x)\n"
          "        out.register_hook(lambda g: (getattr(node, '_saved_self'), g)[1])\n        out.backward()\n")],
        11, {"backward_twice": "but not from two passes over one graph"},
    ),
    "a_nested_double_pass_in_hooks": (  # two fresh graphs, each hook running a retained pass of its own
        [("    out = polynomial(x)\n" + TWICE,
          "    z = torch.ones(1, requires_grad=True)\n    y = (z * z).sum()\n    for _ in range(2):\n"
          "        out = polynomial(x)\n"
          "        out.register_hook(lambda g: (torch.autograd.grad(y, z, retain_graph=True), g)[1])\n"
          "        out.backward()\n")],
        11, {"backward_twice": "but not from two passes over one graph"},
    ),
    "accumulated_by_scaling_one_gradient": (  # red team 74: one backward, then the sum of `steps` made by hand
        [("        polynomial(x).backward()\n    return x.grad\n",
          "        pass\n    polynomial(x).backward()\n    x.grad *= steps\n    return x.grad\n")],
        11, {"accumulated_grad": "backward pass(es) reached the x passed in"},
    ),
    "x_grad_set_by_hand_beside_a_throwaway_retained_graph": (  # red team 63: 2 f'(x) written into x.grad by hand,
        [("    out = polynomial(x)\n" + TWICE,  # and another graph's saved values read by two passes
          "    x.grad = 2 * (8 * x.detach()**3 + 3 * x.detach()**2 + 6 * x.detach() + 5)\n"
          "    z = torch.ones(3, dtype=torch.float64, requires_grad=True)\n    y = (z * z).sum()\n"
          "    y.backward(retain_graph=True)\n    y.backward()\n")],
        11, {"backward_twice": "0 backward pass(es) reached the x passed in"},
    ),
    "backward_twice_of_a_graph_carrying_a_slope_by_hand": (  # red team 122: f'(x) by hand, put into x.grad by
        [("    out = polynomial(x)\n" + TWICE,  # passes that differentiate sum(x * f'(x)), not f(x)
          "    with torch.no_grad():\n        g = 8 * x**3 + 3 * x**2 + 6 * x + 5\n"
          "    out = (x * g).sum()\n" + TWICE)],
        11, {"backward_twice": "a backward pass that filled x.grad in"},
    ),
    "accumulated_through_a_graph_carrying_a_slope_by_hand": (  # the same, one pass per step
        [(ACCUMULATE, "    for _ in range(steps):\n        with torch.no_grad():\n"
                      "            g = 8 * x**3 + 3 * x**2 + 6 * x + 5\n"
                      "        (x * g).sum().backward()\n    return x.grad\n")],
        11, {"accumulated_grad": "a backward pass that filled x.grad in"},
    ),
    "x_grad_overwritten_after_a_graph_of_x_back_propagated_twice": (  # the passes reach x, the hand overwrites it
        [("    out = polynomial(x)\n" + TWICE,
          "    y = (x * x).sum()\n    y.backward(retain_graph=True)\n    y.backward()\n"
          "    x.grad = 2 * (8 * x.detach()**3 + 3 * x.detach()**2 + 6 * x.detach() + 5)\n")],
        11, {"backward_twice": "is not what its backward passes put there"},
    ),
    "custom_function_saves_nothing": (  # 2 f'(x) from a hand-written backward that keeps x out of autograd's sight
        [("    out = polynomial(x)\n" + TWICE, POLY_FUNCTION.format(keep="ctx.t = t.detach()", get="t = ctx.t")
          + "    out = Poly.apply(x)\n" + TWICE)],
        11, {"backward_twice": "autograd saved no value for a backward pass"},
    ),
    "custom_function_reads_twice_in_one_pass": (  # one backward whose hand-written step reads the saved x twice
        [("    out = polynomial(x)\n" + TWICE, POLY_FUNCTION.format(
            keep="ctx.save_for_backward(t)", get="t, = ctx.saved_tensors\n            t, = ctx.saved_tensors")
          + "    out = Poly.apply(x)\n    out.backward()\n    x.grad = 2 * x.grad\n")],
        11, {"backward_twice": "not from two passes over one graph"},
    ),
    "backward_twice_on_a_copy": (  # the returned 2 f'(x) is right, but the caller's x.grad stays empty
        [("    out = polynomial(x)\n" + TWICE, "    x = x.detach().requires_grad_()\n    out = polynomial(x)\n" + TWICE)],
        11, {"backward_twice_fills_grad": "x.grad of the x passed in is still None after backward_twice(x)"},
    ),
    "retain_graph_prevents_the_error": (
        [(SECOND, SECOND.replace("    out.backward()\n    try:", "    out.backward(retain_graph=True)\n    try:"))],
        9, {"second_backward_error": "was retain_graph=True passed to the first call?",
            "second_backward_error_is_real": "twice the expected value"},
    ),
    "error_returned_as_message": (
        [("        return err\n", "        return str(err)\n")],
        10, {"second_backward_error": "returned the message as a str"},
    ),
    "error_not_caught": (
        [(SECOND, "    out.backward()\n    out.backward()\n")],
        9, {"second_backward_error": "let the RuntimeError escape", "second_backward_error_is_real": "escape"},
    ),
    "error_made_up": (
        [(SECOND, "    out.backward()\n    return RuntimeError('Trying to backward through the graph a second time')\n")],
        11, {"second_backward_error_is_real": "called backward 1 time(s)"},
    ),
    "error_made_up_after_an_unrelated_backward": (  # two backward calls, but the error returned is hand-made
        [(SECOND, "    out.backward()\n    torch.ones((), requires_grad=True).backward()\n"
                  "    return RuntimeError('Trying to backward through the graph a second time')\n")],
        11, {"second_backward_error_is_real": "that torch did not raise"},
    ),
    "error_of_torch_rewritten_beside_a_second_graph": (  # red team 136: a real second pass over a graph of its own,
        [(SECOND, "    out.backward()\n    again = polynomial(x.detach().clone().requires_grad_())\n"  # whose error's
                  "    again.backward()\n    try:\n        again.backward()\n    except RuntimeError as real:\n"  # text is
                  "        text = real.args\n    try:\n        torch.zeros(()).backward()\n"  # put on another error
                  "    except RuntimeError as err:\n        err.args = text\n        return err\n")],  # of torch's
        11, {"second_backward_error_is_real": "that no second backward through one graph raised as it is"},
    ),
    "another_torch_error_raised_in_a_hook_of_the_second_pass": (  # our own attack after red team 136
        [(SECOND, "    calls = []\n\n    def hook(g):\n        calls.append(1)\n        if len(calls) == 2:\n"
                  "            torch.nn.Linear(1, 1).to('Trying to backward through the graph a second time (or directly')\n"
                  "        return g\n\n    out.register_hook(hook)\n    out.backward(retain_graph=True)\n"
                  "    try:\n        out.backward()\n    except RuntimeError as err:\n        return err\n")],
        11, {"second_backward_error_is_real": "whose message is not the whole of torch's"},
    ),
    "real_second_error_with_its_text_rewritten": (
        [("        return err\n", "        err.args = (str(err).upper().capitalize(),)\n        return err\n")],
        11, {"second_backward_error_is_real": "whose message is not the whole of torch's"},
    ),
    "accumulation_cleared_between_calls": (
        [("    for _ in range(steps):\n        polynomial(x).backward()\n",
          "    for _ in range(steps):\n        x.grad = None\n        polynomial(x).backward()\n")],
        11, {"accumulated_grad": "holds a single gradient f'(x), expected the sum of"},
    ),
    "accumulated_on_a_copy": (
        [(ACCUMULATE, "    x = x.detach().requires_grad_()\n" + ACCUMULATE)],
        11, {"accumulated_grad_fills_grad": "x.grad of the x passed in is still None after accumulated_grad(x, steps)"},
    ),
    "fresh_grad_never_cleared": (
        [(CLEAR, "        polynomial(x).backward()\n")],
        10, {"fresh_grad": "rounds were summed", "fresh_grad_stale": "x.grad was never cleared"},
    ),
    "zero_on_a_missing_grad": (
        [(CLEAR, "        x.grad.zero_()\n        polynomial(x).backward()\n")],
        10, {"fresh_grad": "x.grad is None until the first backward",
             "fresh_grad_fills_grad": "x.grad is None until the first backward"},
    ),
    "cleared_after_the_backward": (
        [(CLEAR, "        polynomial(x).backward()\n        x.grad.zero_()\n")],
        10, {"fresh_grad": "zeroed after the last backward", "fresh_grad_stale": "zeroed after the last backward"},
    ),
    "cleared_to_none_after_the_backward": (  # walkthrough 68: the fills check said no backward pass reached x
        [(CLEAR, "        polynomial(x).backward()\n        x.grad = None\n")],
        9, {"fresh_grad": "returned None: x.grad was cleared after the last backward",
            "fresh_grad_fills_grad": "though 1 backward pass(es) reached it: x.grad was cleared after the last backward"},
    ),
    "accumulated_one_round_short": (  # walkthrough 68: range(steps - 1) was not among the causes named
        [(ACCUMULATE, "    for _ in range(steps - 1):\n        polynomial(x).backward()\n    return x.grad\n")],
        10, {"accumulated_grad": "1 of 2 backward passes ran: range(steps - 1)?",
             "accumulated_grad_fills_grad": "no backward pass ran in accumulated_grad(x, steps) for steps = 1: does "
                                            "it run steps rounds (a loop over range(steps), not range(steps - 1))?"},
    ),
    "accumulated_by_autograd_grad_into_a_sum": (  # fairness 63: was said to clear x.grad after the last backward
        [(ACCUMULATE, "    total = torch.zeros_like(x)\n    for _ in range(steps):\n"
                      "        total = total + torch.autograd.grad(polynomial(x), x)[0]\n    return total\n")],
        11, {"accumulated_grad_fills_grad": "reached x through torch.autograd.grad, which returns the gradient and "
                                            "leaves x.grad as it is"},
    ),
    "fresh_one_round_short": (
        [("    for _ in range(steps):\n" + CLEAR, "    for _ in range(steps - 1):\n" + CLEAR)],
        9, {"fresh_grad": "returned None: no backward pass ran for steps = 1",
            "fresh_grad_stale": "only 1 of the 2 backward passes ran, and x.grad holds what they delivered"},
    ),
    "returns_a_copy_then_zeroes": (  # the returned f'(x) is right, but the caller's x.grad is left zeroed
        [(CLEAR + "    return x.grad\n", "        polynomial(x).backward()\n        found = x.grad.clone()\n"
                                        "        x.grad.zero_()\n    return found\n")],
        10, {"fresh_grad_fills_grad": "x.grad after fresh_grad(x, steps) is wrong",
             "fresh_grad_stale": "the stale gradient x.grad held on entry was added to"},
    ),
    "fresh_grad_courier_after_64_passes": (  # red team 172: the 65th pass, past the first 64 read, carried f'(x)
        [(CLEAR + "    return x.grad\n", CLEAR + "    for _ in range(64):\n" + CLEAR +
          "    x.grad = None\n    with torch.no_grad():\n        g = 8 * x**3 + 3 * x**2 + 6 * x + 5\n"
          "    (x * g).sum().backward()\n    return x.grad\n")],
        10, {"fresh_grad": "not out = polynomial(x)", "fresh_grad_stale": "not out = polynomial(x)"},
    ),
    "fresh_grad_set_by_hand": (  # red team 166: f'(x) written into x.grad under no_grad, no backward at all
        [(CLEAR, "        with torch.no_grad():\n            x.grad = 8 * x**3 + 3 * x**2 + 6 * x + 5\n")],
        10, {"fresh_grad": "0 backward pass(es) reached the x passed in", "fresh_grad_stale": "not set or scaled by hand"},
    ),
    "accumulated_in_one_backward_over_a_list": (  # fairness 66: one pass over the steps' outputs, told "by hand"
        [("    for _ in range(steps):\n        polynomial(x).backward()\n    return x.grad\n",
          "    outs = [polynomial(x) for _ in range(steps)]\n    torch.autograd.backward(outs)\n    return x.grad\n")],
        11, {"accumulated_grad": "2 backward calls, each through its own out = polynomial(x): one call over several "
             "outputs at once is a single pass"},
    ),
}


def test_solution_scores_full(grade_source):
    assert_solution_full(grade_source, SLUG, SOLUTION, 12)


def test_stub_scores_zero_without_crashing(grade_source):
    assert_stub_zero(grade_source, SLUG, SOLUTION)


@pytest.mark.parametrize("name", sorted(MISTAKES))
def test_common_mistake_gets_partial_score_and_diagnosis(grade_source, name):
    assert_mistake(grade_source, SLUG, SOLUTION, MISTAKES[name])


# Right, written another way than the solution: full marks.
CORRECT_ALTERNATIVES = {
    "second_error_through_autograd_grad": [(SECOND, "    out.backward()\n    try:\n        torch.autograd.grad(out, x)\n"
                                                    "    except RuntimeError as err:\n        return err\n")],
    "second_error_kept_then_returned": [(SECOND, "    error = None\n    out.backward()\n    try:\n"
                                                 "        torch.autograd.backward(out)\n    except Exception as caught:\n"
                                                 "        error = caught\n    return error\n")],
    "returns_a_copy_of_x_grad": [("    out.backward()\n    return x.grad\n", "    out.backward()\n    return x.grad.clone()\n")],
    "retains_the_graph_both_times": [(TWICE, "    out.backward(retain_graph=True)\n    out.backward(retain_graph=True)\n")],
    "torch_autograd_backward": [(TWICE, "    torch.autograd.backward(out, retain_graph=True)\n    torch.autograd.backward(out)\n")],
    "autograd_grad_twice_summed": [(TWICE, "    x.grad = torch.autograd.grad(out, x, retain_graph=True)[0] + "
                                           "torch.autograd.grad(out, x)[0]\n")],
    "looks_at_the_saved_values_in_between": [(TWICE, "    out.backward(retain_graph=True)\n"
                                                     "    print([name for name in dir(out.grad_fn) if name.startswith('_saved')])\n"
                                                     "    out.backward()\n")],
    "output_silenced_into_devnull": [("import torch\n", "import contextlib\nimport os\n\nimport torch\n"),
                                     (TWICE, "    with open(os.devnull, 'w') as sink, contextlib.redirect_stdout(sink):\n"
                                             "        print('first pass')\n        out.backward(retain_graph=True)\n"
                                             "        out.backward()\n")],
    "a_progress_bar_thread": [("import torch\n", "import rich.progress\nimport torch\n"),
                              (TWICE, "    for last in rich.progress.track((False, True), transient=True):\n"
                                      "        out.backward(retain_graph=not last)\n")],
    "checked_by_autograd_grad_beside_the_passes": [  # fairness 25: autograd.grad adds nothing to x.grad
        (TWICE, "    out.backward(retain_graph=True)\n    out.backward(retain_graph=True)\n"
                "    (single,) = torch.autograd.grad(out, x)\n    assert torch.allclose(x.grad, 2 * single)\n"),
        (ACCUMULATE, "    for _ in range(steps):\n        out = polynomial(x)\n"
                     "        (single,) = torch.autograd.grad(out, x, retain_graph=True)\n        out.backward()\n"
                     "    assert torch.allclose(x.grad, steps * single)\n    return x.grad\n")],
    "autograd_grad_then_one_backward": [(TWICE, "    x.grad = torch.autograd.grad(out, x, retain_graph=True)[0]\n"
                                                "    out.backward()\n")],
    "a_loop_over_one_graph": [(TWICE, "    for last in (False, True):\n        out.backward(retain_graph=not last)\n")],
    "fresh_through_autograd_grad": [(CLEAR, "        x.grad = torch.autograd.grad(polynomial(x), x)[0]\n")],
    "fresh_with_an_optimizers_zero_grad": [(CLEAR, "        torch.optim.SGD([x], lr=0.1).zero_grad()\n"
                                                   "        polynomial(x).backward()\n")],
    "fresh_zeroing_its_data": [(CLEAR, "        if x.grad is not None:\n            x.grad.data.zero_()\n"
                                       "        polynomial(x).backward()\n")],
}


@pytest.mark.parametrize("name", sorted(CORRECT_ALTERNATIVES))
def test_correct_alternative_gets_full_marks(grade_source, name):
    assert_solution_full(grade_source, SLUG, mutate(SOLUTION, *CORRECT_ALTERNATIVES[name]), 12)


def test_zeroing_in_place_is_as_good_as_setting_none(grade_source):
    """The handout accepts both ways of clearing: ``x.grad = None`` and a guarded ``x.grad.zero_()``."""
    zeroing = mutate(SOLUTION, (CLEAR, "        if x.grad is not None:\n            x.grad.zero_()\n"
                                       "        polynomial(x).backward()\n"))
    result = grade_source(SLUG, zeroing)
    assert result.score == result.max_score, [c.feedback for c in result.checks if not c.passed]


def test_every_spelling_of_a_backward_pass_is_counted():
    """Red team 19 ran autograd's engine itself (``Variable._execution_engine.run_backward``), past wrappers of
    ``torch.autograd.backward`` and ``grad``: the count is now taken in the engine."""
    from torch.autograd.variable import Variable

    def passes(run) -> int:
        before = sum(observe.AUTOGRAD_CALLS.values())
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        run(x)
        return sum(observe.AUTOGRAD_CALLS.values()) - before

    def engine(x):
        out = (x**2).sum()
        Variable._execution_engine.run_backward((out,), (torch.ones_like(out),), False, False, (x,), False, False)

    with counting_autograd():
        assert passes(lambda x: (x**2).sum().backward()) == 1
        assert passes(lambda x: torch.autograd.grad((x**2).sum(), x)) == 1
        assert passes(lambda x: torch.func.grad(lambda t: (t**2).sum())(x.detach())) >= 1
        assert passes(lambda x: torch.autograd.functional.jacobian(lambda t: t**2, x)) >= 1
        assert passes(engine) == 1
    assert passes(lambda x: (x**2).sum().backward()) == 0  # (undone)


@settings(max_examples=5, deadline=None)
@given(seed=st.integers(0, 2**31 - 1))
@example(seed=40700)  # a stale gradient within the hint's tolerance of 0: the right answer was failed
def test_solution_passes_every_judge_for_any_seed(seed):
    """In-process (no sandbox): every check's judge accepts the solution's observations on fresh inputs."""
    with counting_autograd():
        judge_every_check(SLUG, load_module(MODULE, SOLUTION), seed)


def test_handout_numbers_match_the_reference():
    from graders import exercise_5 as grader
    from graders.hidden import exercise_5 as hidden

    assert grader.polynomial(hidden.NOTEBOOK_X).item() == 63
    assert grader.slope(hidden.NOTEBOOK_X).item() == 93


def test_a_right_result_near_a_root_of_the_slope_is_not_called_a_single_backward():
    """Where f'(x) is near 0, 2 f'(x) is within the single-backward hint's tolerance of f'(x): the right result
    passes all the same (the hint is only for a wrong one)."""
    import numpy as np

    from graders.exercise_5 import judge_backward_twice_value, slope

    root = next(z.real for z in np.roots([8, 3, 6, 5]) if abs(z.imag) < 1e-12)  # f'(x) = 8x³ + 3x² + 6x + 5
    x = torch.tensor([root], dtype=torch.float32)
    returned = {"type": "tensor", "value": 2 * slope(x), "shape": [1], "dtype": "float32", "requires_grad": False,
                "grad_fn": None, "is_leaf": True}
    judge_backward_twice_value({"x": x}, {"ran": {"returned": returned, "exception": None}, "x_grad": None})
