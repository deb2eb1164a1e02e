"""The child's count of backward passes that no Python object holds (:func:`observe.backward_pass_mark`), tested in
this process: every spelling of a pass moves it by one, nothing the submission's Python objects say does."""

from __future__ import annotations

import threading

import pytest
import torch
from torch.overrides import TorchFunctionMode

from autograd_exercises.judge import backward_passes
from autograd_exercises.sandbox import child, observe


def _passes(work) -> int | None:
    first = observe.backward_pass_mark()
    work()
    return observe.passes_between(first, observe.backward_pass_mark())


def _leaf() -> torch.Tensor:
    return torch.tensor([1.0, 2.0], requires_grad=True)


def _failed_second_backward() -> None:
    out = (_leaf() ** 2).sum()
    out.backward()
    with pytest.raises(RuntimeError, match="second time"):
        out.backward()


def _in_a_thread() -> None:
    thread = threading.Thread(target=lambda: (_leaf() * 3).sum().backward())
    thread.start()
    thread.join()


@pytest.mark.parametrize(("work", "passes"), [
    (lambda: None, 0),
    (lambda: (_leaf() * 2).sum().backward(), 1),
    (lambda: torch.autograd.grad(((leaf := _leaf()) ** 3).sum(), leaf), 1),
    (lambda: torch.func.grad(lambda x: (x * x).sum())(torch.ones(3)), 1),
    (lambda: torch.autograd.functional.jacobian(lambda x: x * x, torch.ones(3)), 3),
    (_failed_second_backward, 2),
    (_in_a_thread, 1),
    (lambda: torch.func.jvp(lambda x: (x * x).sum(), (torch.ones(3),), (torch.ones(3),)), 0),  # forward mode: no pass
], ids=["nothing", "backward", "autograd.grad", "func.grad", "jacobian", "failed second", "thread", "jvp"])
def test_a_mark_counts_each_backward_pass_the_engine_ran(work, passes):
    assert _passes(work) == passes


def test_a_mark_makes_no_graph_node_and_sees_past_a_torch_function_mode():
    class Refuses(TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            raise RuntimeError("a mode of the submission's own")

    start = torch._C._autograd._get_sequence_nr()
    with Refuses():
        first = observe.backward_pass_mark()
        second = observe.backward_pass_mark()
    assert torch._C._autograd._get_sequence_nr() == start
    assert first is not None and observe.passes_between(first, second) == 0


def test_made_up_reads_and_lowered_records_count_for_nothing():
    assert observe._passes_in({-97, 4, 5, 9, "6"}, 3, 9) == {4, 5}
    assert observe._passes_in({4}, None, 9) == set() and observe._passes_in([4], 3, 9) == set()
    assert [observe._nonnegative(value) for value in (-5, 0, 3, {1, 2}, "7", 2.5)] == [0, 0, 3, 2, 0, 0]


def test_the_judge_reads_the_engines_count_before_the_counted_calls():
    assert backward_passes({"backward_passes": 0, "autograd_calls": 12}) == 0
    assert backward_passes({"backward_passes": None, "autograd_calls": 3}) == 3
    assert backward_passes({"autograd_calls": "7"}) == 0


def test_what_the_kernel_says_of_other_threads_fails_a_by_hand_function():
    from autograd_exercises.judge import Fail, no_autograd, other_threads

    base = {"autograd_calls": 0, "graph_nodes": 0, "threads": 0, "returned": {"type": "Tensor"}}
    assert other_threads({**base, "os_threads": 1, "threads_started": 0}) == ""
    assert other_threads({**base, "os_threads": None, "threads_started": None}) == ""  # (not read: no namespace)
    assert other_threads({**base, "os_threads": 2, "threads_started": 0}) == "1 other thread(s) were alive"
    assert other_threads({**base, "os_threads": 1, "threads_started": 3}) == "it started 3 thread(s) or process(es)"
    with pytest.raises(Fail, match="while it ran it started 1 thread"):
        no_autograd({**base, "os_threads": 1, "threads_started": 1}, "gradient_manual(x)")


def test_os_threads_are_not_read_outside_the_sandbox():
    assert observe.os_threads() == (None, None)  # (no wall in this process: nothing answers the event)


def test_a_kernel_that_could_not_be_read_is_no_count_of_none():
    """Red team 101 set the child's open-file limit to 0: the wall could not read /proc, and "not read" passed."""
    from autograd_exercises.judge import other_threads

    assert "could not be asked" in other_threads({"os_threads": -1, "threads_started": -1})


def _loads(function) -> set[str]:
    import dis
    import types

    codes = [function.__code__]
    codes += [const for code in codes for const in code.co_consts if isinstance(const, types.CodeType)]
    return {instruction.argval for code in codes for instruction in dis.get_instructions(code)
            if instruction.opname in ("LOAD_GLOBAL", "LOAD_NAME")}


@pytest.mark.parametrize(("function", "allowed"), [
    (observe.backward_pass_mark, set()), (observe.passes_between, set()), (observe._nonnegative, set()),
    (observe.os_threads, set()), (observe._asked_for_forward_mode, set()),
    (observe.GraphNodes.__enter__, set()), (observe.GraphNodes.__exit__, set()),
    (observe._call_by_hand, {"UNCOUNTED"}),  # (a count in Python, read before and after the function ran)
    (observe._merged, set()), (observe._fresh, set()), (observe.same_values, set()),
    (observe.TopLevelOff.__exit__, set()), (observe._outside, set()), (observe.top_level_record, set()),
])
def test_what_reads_the_kernel_and_the_engine_after_the_submission_ran_loads_no_global(function, allowed):
    """Our own attack after red team 100 set ``observe.backward_pass_mark`` and ``_SEQUENCE`` for the length of a
    by-hand call, then put them back from the ``__del__`` of an attribute of the tensor it returned, before the watch
    compared them (10/10 for 9/10). What runs after the submission's function held its names as defaults then, which
    no code can change in the child."""
    assert _loads(function) <= allowed


@pytest.mark.parametrize("function", [
    observe.backward_pass_mark, observe.os_threads, observe._nonnegative, observe._asked_for_forward_mode,
    observe._call, observe._call_by_hand, observe.GraphNodes.__enter__, observe.GraphNodes.__exit__, child.tampered,
    observe._merged, observe._fresh, observe.same_values, observe.TopLevelOff.__enter__, observe.TopLevelOff.__exit__,
    observe._outside, observe.top_level_record,
], ids=lambda function: function.__qualname__)
def test_what_they_hold_is_a_tuple_of_positional_defaults(function):
    """Our own attack on the defaults above: keyword-only defaults are a dict (``__kwdefaults__``) that whoever reaches
    the function changes in place, with no audit event; positional ones are a tuple, and replacing it is refused."""
    assert function.__kwdefaults__ is None and function.__defaults__


def _polynomial(x):
    return 2 * x**4 + x**3 + 3 * x**2 + 5 * x + 1


def _by_hand(x):
    return 8 * x**3 + 3 * x**2 + 6 * x + 5


def _raw_forward_mode(x):
    """Red team 101: a tangent taken at the level the child holds, with torch's raw functions (level 0 by hand)."""
    dual = torch._make_dual(x, torch.ones_like(x), level=0)
    return torch._unpack_dual(_polynomial(dual), level=0)[1] * 1


def _raw_forward_mode_quietly(x):
    """The same, with a missing tangent turned into zeros instead of an error."""
    tangent = torch._unpack_dual(_polynomial(torch._make_dual(x, torch.ones_like(x), level=0)), level=0)[1]
    return torch.zeros_like(x) if tangent is None else tangent


def _functional_jacobian(x):
    return torch.autograd.functional.jacobian(lambda t: _polynomial(t).sum(), x)


_PLACEHOLDER: list = []


def _fills_its_first_answer_later(x):
    """Red team 102's next idea: the first call returns a tensor the second fills in place with autograd's answer."""
    if not _PLACEHOLDER:
        _PLACEHOLDER.append(torch.zeros_like(x))
        return _PLACEHOLDER[0]
    return _PLACEHOLDER.pop().copy_(_raw_forward_mode(x))


def _switches_autograd_back_on(x):
    torch._C._dispatch_tls_set_dispatch_key_excluded(torch._C.DispatchKey.AutogradFunctionality, False)
    return _raw_forward_mode(x)


def _in_place(x):
    x.mul_(1.0)
    return _by_hand(x)


def _by_hand_call(function) -> dict:
    import types

    module = types.ModuleType("submission")
    module.f = function
    return observe.call_by_hand(module, "f", torch.tensor([0.5, -1.0, float("nan")]))


@pytest.mark.parametrize(("function", "said"), [
    (_raw_forward_mode, "raised TypeError"), (_raw_forward_mode_quietly, "returned other values"),
    (_functional_jacobian, "returned other values"), (_switches_autograd_back_on, "switched autograd back on"),
    (_fills_its_first_answer_later, "returned other values"),
])
def test_a_by_hand_function_that_needs_autograd_fails_when_run_with_it_switched_off(function, said):
    """Red team 101's derivative at the child's own forward-mode level (``_make_dual(level=0)``), which no count sees:
    a by-hand function runs first with autograd's dispatch keys excluded, where no tangent is carried and no graph
    recorded, then with autograd on. What it returns with autograd on is what its values' check reads."""
    from autograd_exercises.judge import Fail, autograd_off

    outcome = _by_hand_call(function)
    assert outcome["exception"] is None
    assert observe.same_values(outcome["returned"], observe.describe(_by_hand(torch.tensor([0.5, -1.0, float("nan")]))))
    with pytest.raises(Fail, match=said):
        autograd_off(outcome, "f")


@pytest.mark.parametrize("function", [_by_hand, _in_place, lambda x: (_by_hand(x), 3, [x.sum()])])
def test_an_honest_by_hand_function_is_the_same_with_autograd_switched_off(function):
    """Arithmetic runs as ever with autograd switched off; the first run gets copies of the inputs (one in place is
    then the same twice), and NaN equals NaN."""
    from autograd_exercises.judge import autograd_off

    outcome = _by_hand_call(function)
    assert (outcome["needs_autograd"], outcome["autograd_off"]) == (False, True)
    autograd_off(outcome, "f")
    assert not torch._C._dispatch_tls_is_dispatch_key_excluded(torch._C.DispatchKey.AutogradFunctionality)


def test_a_by_hand_function_that_raises_either_way_is_its_own_error():
    def raises(x):
        raise ValueError("mine")

    outcome = _by_hand_call(raises)
    assert outcome["needs_autograd"] is False and outcome["exception"]["type"] == "ValueError"


@pytest.mark.parametrize(("one", "two", "same"), [
    ([torch.tensor([1.0, float("nan")])], [torch.tensor([1.0, float("nan")])], True),
    ([torch.tensor([1.0, 2.0])], [torch.tensor([1.0, 2.5])], False),
    ([torch.tensor([1.0, 2.0])], [torch.tensor([1.0, 2.0], dtype=torch.float64)], False),
    ([torch.tensor([1.0, 2.0]), 3], [torch.tensor([1.0, 2.0]), 3.0], False),
    ([torch.zeros(1).expand(10**12)], [torch.zeros(1).expand(10**12)], True),  # (shapes alone: no values copied)
    ([torch.zeros(1).expand(10**12)], [torch.zeros(2)], False),
    ([None], [None], True), ([None], [torch.zeros(2)], False),
])
def test_two_descriptions_say_the_same_of_what_a_check_reads(one, two, same):
    """:func:`observe.same_values` compares what :func:`observe.describe` copied as each call returned (values of at
    most ``MAX_ELEMENTS``: a huge expanded view is compared by shape, never materialized)."""
    assert observe.same_values(observe.describe(tuple(one)), observe.describe(tuple(two))) is same


def test_a_by_hand_calls_counts_are_of_both_calls():
    """Red team 102 kept its forward-mode call in the first call, whose counts were not reported."""
    assert observe._merged(1, 0, True) == 1 and observe._merged(None, 0, True) is None
    assert observe._merged(-1, 3, False) == -1 and observe._merged(2, 3, False) == 3
