"""Judge observations against torch references, with feedback that teaches.

Judges run in the trusted grader. Each one reads the plain-data observations a
probe sent back, computes the reference with torch (in float64 where it
matters) and raises :class:`Fail` with a message that says *what* is wrong,
*where* and *by how much*, and, where the numbers show it, the likely mistake.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from typing import Any, Callable, Iterator, TypeVar

import torch

from autograd_exercises.judge.diagnose import (
    a_type, describe_mismatch, largest_difference, matching_mistake, mismatch, wrong_type, wrong_type_mistake,
)
from autograd_exercises.mistakes import WRONG_VALUE, Mistake, code_of
from autograd_exercises.spec import Tolerance

# torch.testing imports torch.distributed.tensor (about 1 s) on its first comparison, only to unwrap
# DTensors. The judge compares plain CPU tensors read back from a packed report, never a
# DTensor, so that import is skipped: it would be a third of `grade`'s start-up.
_COMPARISON = getattr(torch.testing, "_comparison", None)
if _COMPARISON is not None and hasattr(_COMPARISON, "_HAS_DTENSOR"):
    _COMPARISON._HAS_DTENSOR = False

__all__ = ["Fail", "Mistake", "code_of", "called", "parts", "tensor", "close", "close_or_mistake", "no_autograd",
           "evaluated", "grad_fn_name", "derivatives", "describe_mismatch", "wrong_type", "a_type", "per_case", "reframed"]

Reference = TypeVar("Reference", bound=Callable[..., Any])
MEMO_SIZE = 64  # references remembered per function: a submission's cases, several times over


# Errors that library code (torch, numpy) raises when the sandbox refuses it a file, a module or a system call.
SANDBOX_REFUSALS = ("PermissionError", "ModuleNotFoundError")


def per_case(reference: Reference) -> Reference:
    """``reference``, remembered for the very objects it was called with (identity, not value).

    The checks that share an inputs function judge the same case objects (:func:`grading.shared_cases`), so a
    reference that several judges ask for is computed once per case, not once per check. A result is shared:
    judges only read it. Arguments are held while remembered, so an ``id`` is never reused for another object in
    the memo.
    """
    memo: OrderedDict[tuple, tuple[tuple, Any]] = OrderedDict()
    lock = threading.Lock()  # a dask worker may judge on several threads

    @functools.wraps(reference)
    def remembered(*args: Any, **keywords: Any) -> Any:
        objects = args + tuple(keywords.values())
        key = (tuple(map(id, objects)), tuple(keywords))
        with lock:
            hit = memo.get(key)
            if hit is not None and all(a is b for a, b in zip(hit[0], objects)):
                memo.move_to_end(key)
                return hit[1]
        value = reference(*args, **keywords)
        with lock:
            memo[key] = (objects, value)
            while len(memo) > MEMO_SIZE:
                memo.popitem(last=False)
        return value

    return remembered  # type: ignore[return-value]


class Fail(Exception):
    """The check failed; ``str(exc)`` is the feedback shown to the student, ``code`` the mistake's stable name.

    ``about_input=False`` marks feedback that holds for every input (a missing
    function, ``NotImplementedError``), so reports do not quote the input.
    ``code`` (:mod:`autograd_exercises.mistakes`): given, or the code of a
    :class:`~autograd_exercises.mistakes.Mistake` message, else ``wrong-value``.
    """

    def __init__(self, message: str, *, about_input: bool = True, code: str | None = None) -> None:
        super().__init__(str(message))
        self.about_input = about_input
        self.code = code.code if isinstance(code, Mistake) else code or code_of(message, WRONG_VALUE)


def reframed(explain: Callable[[Fail, Any, Any], Fail]) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """A decorator of judges: a judge's :class:`Fail` goes through ``explain(failure, case, obs)``, which returns the
    failure to raise (the same, or one that names the likelier cause, another function the checked one calls)."""
    def decorate(judge: Callable[..., None]) -> Callable[..., None]:
        @functools.wraps(judge)
        def judged(case: Any, obs: Any) -> None:
            try:
                judge(case, obs)
            except Fail as failure:
                raise explain(failure, case, obs) from None
        return judged
    return decorate


READS_A_FILE = (" (your file is graded alone, in a sandbox: a file next to it on your machine is not there; put "
                "what you read from it into your code)")  # (walkthrough 67: a data file, a config)
WAITS_FOR_INPUT = (" (input() waits for typed input, and a graded file gets none: remove it, or move it under "
                   "`if __name__ == \"__main__\":`)")  # (fairness 62: an input() left at the top level)
GENERIC_HINTS = (  # (fragments of torch's message, the hint, the mistake code), for errors any exercise can provoke
    (("does not require grad and does not have a grad_fn",),
     " (the tensor was built without tracking: under torch.no_grad(), after .detach(), or from a leaf without "
     "requires_grad=True)", "backward-on-untracked"),
    (("grad can be implicitly created only for scalar outputs",),
     " (backward() needs a single number: back-propagate y.sum() or a mean loss, or pass a gradient)",
     "non-scalar-backward"),
    (("backward through the graph a second time",),
     " (pass retain_graph=True to the first backward if you need a second one; where one backward per loss is meant, "
     "call it once: a second adds the same gradient again)", "graph-freed"),  # (fairness 67: a train's second call)
    (("can't retain_grad on Tensor that has requires_grad=False",), "", "not-tracked"),
    (("Torch not compiled with CUDA enabled", "Found no NVIDIA driver", "No CUDA GPUs are available",
      "no CUDA-capable device", "CUDA driver initialization failed", "cudaGetDeviceCount",
      "Cannot re-initialize CUDA in forked subprocess"),  # (the sandbox's zygote counted no GPU before forking)
     " (the grader has no GPU: keep tensors on the device of the inputs, x.device, or choose one with "
     "torch.cuda.is_available())", "needs-gpu"),
    (("No such file or directory",), READS_A_FILE, "reads-a-file"),
    (("EOF when reading a line",), WAITS_FOR_INPUT, "waits-for-input"),
    (("to have the same dtype", "to have same dtype"),
     " (a float32 tensor met a float64 one: keep every tensor in the inputs' dtype; does a function this one calls, "
     "or a constant, use .double() or dtype=torch.float64?)", "dtype-mismatch"),  # (walkthrough 68: layer's .double())
)


def _a_stub(exception: dict[str, Any]) -> bool:
    """A ``NotImplementedError`` that the student's own ``raise`` left (the stub's), not one torch raised for an
    operation it lacks (``aten::… is not implemented for 'Half'``): torch's have a message and no ``raise`` line."""
    frames = exception.get("frames") or []
    line = str(frames[-1].get("code") or "") if frames else ""
    return line.lstrip().startswith("raise") or not exception.get("message")


def _where(exception: dict[str, Any]) -> str:
    frames = exception.get("frames") or []
    if not frames:
        return ""
    last = frames[-1]
    place = last.get("where") or f"line {last['line']}"
    return f" ({place}: {last['code']})" if last.get("code") else f" ({place})"


def called(outcome: dict[str, Any] | None, what: str, hints: dict[str, str] | None = None) -> dict[str, Any]:
    """The description of what ``what`` returned; :class:`Fail` if it raised or was missing.

    ``hints`` maps a fragment of the feedback to the likely mistake behind it, for
    errors an exercise provokes; the first matching hint is added to the feedback (a
    :class:`~autograd_exercises.mistakes.Mistake` hint gives the failure its code).
    """
    try:
        return _returned(outcome, what)
    except Fail as failure:
        hint = next((text for key, text in (hints or {}).items() if key in str(failure)), None)
        if hint is None:
            raise
        said = str(failure)
        if code_of(hint, failure.code) == failure.code:  # the exercise's hint for this mistake replaces the generic
            said = said.removesuffix(getattr(failure, "generic_hint", ""))
        raise Fail(f"{said} — {hint}", about_input=failure.about_input, code=code_of(hint, failure.code)) from None


def _returned(outcome: dict[str, Any] | None, what: str) -> dict[str, Any]:
    """:func:`called` without exercise hints."""
    if outcome is None:
        raise Fail(f"{what} was not called", code="not-called")
    exception = outcome.get("exception")
    if exception is None:
        return outcome["returned"]
    kind, message = exception["type"], exception.get("message", "")
    if kind == "NotImplementedError" and _a_stub(exception):
        raise Fail(f"{what} is not implemented yet: replace `raise NotImplementedError` with your code",
                   about_input=False, code="not-implemented")
    if kind == "AttributeError" and "defines no function" in message:
        raise Fail(f"{what}: {message}", about_input=False, code="missing-function")
    if kind == "SystemExit":
        raise Fail(f"{what} called sys.exit(); return a value instead{_where(exception)}", code="sys-exit")
    if exception.get("raised_in") == "library" and kind in SANDBOX_REFUSALS:
        raise Fail(f"{what}: the sandbox refused something torch needed ({kind}: {message}). This is a limit of "
                   "the grader, not a mistake in your code: tell your course staff", about_input=False,
                   code="sandbox-refused")
    hint, code = next(((hint, code) for fragments, hint, code in GENERIC_HINTS
                       if any(fragment in message for fragment in fragments)), ("", "raised"))
    shown = _first_sentence(message) if hint else message
    failure = Fail(f"{what} raised {kind}: {shown}{_where(exception)}{hint}", code=code)
    failure.generic_hint = hint
    raise failure


def _first_sentence(message: str, longer: int = 150) -> str:
    """Torch's message cut to its first sentence where it runs past ``longer`` characters and a hint follows that says
    what to do (walkthrough 68: its 400 characters about a second backward, cut mid-word, before the hint)."""
    if len(message) <= longer:
        return message
    quote = message[0] if message[:1] in "'\"" else ""
    end = message.find(". ", 1)
    return message if end < 0 else message[:end + 1] + (f" …{quote}" if quote else " …")


def sequence(desc: dict[str, Any] | None) -> list[dict[str, Any]] | None:
    """The described items of a returned tuple or list, a ``NamedTuple`` or any other subclass too (what
    ``y, z, out = f(x)`` unpacks: :func:`observe.describe` lists them for every one), or ``None``."""
    items = (desc or {}).get("items")
    return items if isinstance(items, list) else None


def parts(desc: dict[str, Any], count: int, what: str, names: str) -> list[dict[str, Any]]:
    """The items of a returned tuple of ``count`` values; :class:`Fail` otherwise."""
    items = sequence(desc)
    if items is None or desc.get("length") != count:
        got = f"{desc.get('length')} values" if items is not None else f"a {desc.get('type')}"
        raise Fail(f"{what} must return {count} values {names}, got {got}", code="wrong-count")
    return items


def tensor(desc: dict[str, Any] | None, what: str) -> torch.Tensor:
    """The tensor value of a described result; :class:`Fail` with a diagnosis for anything else."""
    if desc is None:
        raise Fail(f"{what} is None", code="none-grad" if what.endswith(".grad") else "returned-none")
    if desc.get("type") != "tensor":
        raise Fail(wrong_type_mistake(desc, what))
    if "value" not in desc:
        raise Fail(f"{what} is too large to check (shape {tuple(desc['shape'])})", code="too-large")
    return desc["value"]


def real_valued(got: torch.Tensor, what: str) -> torch.Tensor:
    """``got`` itself; :class:`Fail` where it is complex, whose imaginary part a float64 copy would drop unseen (red
    teams 233 and 234: an imaginary part of 1e9 passed exercise 6's train checks and exercise 1's and 2's backward
    readings; a complex loss made exercise 3's judge fail on float())."""
    if got.is_complex():
        raise Fail(f"{what} is a complex tensor ({str(got.dtype).removeprefix('torch.')}), expected real numbers",
                   code="wrong-type")
    return got


def counted(t: torch.Tensor) -> dict[str, int]:
    """:func:`close`'s ``numel`` and ``first`` for a mean over ``t``'s elements: its element count, and what ``len(t)``
    gives (a mean divided by it is ``len-not-numel``)."""
    return {"numel": t.numel(), "first": t.shape[0] if t.dim() else 1}


def close(actual: torch.Tensor, expected: torch.Tensor, *, what: str, tol: Tolerance, numel: int | None = None,
          first: int | None = None) -> None:
    """Compare in float64 by :func:`torch.testing.assert_close`'s criterion (``torch.isclose``, NaN never equal,
    the same shapes; ``tests/test_judge.py`` checks they agree); :class:`Fail` says where and by how much."""
    if tuple(actual.shape) != tuple(expected.shape):
        raise Fail(mismatch(actual, expected, what=what, tol=tol, numel=numel, first=first))
    if not expected.is_complex():
        real_valued(actual, what)
    actual64, expected64 = actual.detach().to(torch.float64), expected.detach().to(torch.float64)
    if torch.equal(actual64, expected64):  # the same numbers (NaN never equals): close, 20 times faster to tell
        return
    if not bool(torch.isclose(actual64, expected64, rtol=tol.rtol, atol=tol.atol, equal_nan=False).all()):
        raise Fail(mismatch(actual, expected, what=what, tol=tol, numel=numel, first=first))


def close_or_named(actual: torch.Tensor, expected: torch.Tensor, *, what: str, tol: Tolerance,
                   named: Callable[[], Fail | None], numel: int | None = None, first: int | None = None) -> None:
    """:func:`close`; for a wrong ``actual``, the :class:`Fail` that ``named()`` gives (a mistake it recognises),
    else :func:`close`'s own. ``named`` runs only for a wrong result: a mistake's value can lie within the
    tolerance of the right one (a gradient near 0, a stale gradient near 0), and a right answer is never named a
    mistake."""
    try:
        close(actual, expected, what=what, tol=tol, numel=numel, first=first)
    except Fail:
        failure = named()
        if failure is None:
            raise
        raise failure from None


def close_or_mistake(actual: torch.Tensor, expected: torch.Tensor, *, what: str, tol: Tolerance,
                     mistakes: dict[str, torch.Tensor] | Callable[[], dict[str, torch.Tensor]],
                     numel: int | None = None, first: int | None = None) -> None:
    """:func:`close`, but when ``actual`` equals a known wrong result the feedback names that mistake.

    ``mistakes`` maps an explanation to the value the mistake gives (see
    :func:`~autograd_exercises.judge.diagnose.matching_mistake`), or is a function
    returning that map, called only when ``actual`` is wrong. Without a match the
    feedback is :func:`close`'s own. The failure's code is the explanation's
    (a :class:`~autograd_exercises.mistakes.Mistake`; ``wrong-value`` for a bare text).
    """
    def named() -> Fail | None:
        explanation = matching_mistake(actual, mistakes() if callable(mistakes) else mistakes, tol)
        if explanation is None:
            return None
        if tuple(actual.shape) != tuple(expected.shape):
            where = f"shape {tuple(actual.shape)}, expected {tuple(expected.shape)}"
        else:
            where = largest_difference(actual, expected)
        return Fail(f"{what} is wrong — {explanation}. {where[0].upper()}{where[1:]}",
                    code=code_of(explanation, WRONG_VALUE))

    close_or_named(actual, expected, what=what, tol=tol, named=named, numel=numel, first=first)


def other_threads(counts: dict[str, Any]) -> str:
    """What the kernel said of other threads while a function ran
    (:func:`~autograd_exercises.sandbox.observe.graph_nodes`'s ``os_threads`` and ``threads_started``): "" when none
    was alive nor started, or when it was not read."""
    alive, started = counts.get("os_threads"), counts.get("threads_started")
    if alive == -1 or started == -1:
        return "the kernel could not be asked about its threads (open files exhausted?)"
    if type(started) is int and started > 0:
        return f"it started {started} thread(s) or process(es)"
    if type(alive) is int and alive > 1:
        return f"{alive - 1} other thread(s) were alive"
    return ""


def graph_in_view(hidden: Any, what: str, threads: Any = 0, kernel: dict[str, Any] | None = None) -> None:
    """:class:`Fail` when ``what`` set saved-tensor hooks of its own (``hidden``, counted by
    :func:`~autograd_exercises.sandbox.observe.saved_for_backward`), or the submission had threads running when it was
    called (``threads``) or while it ran, as the kernel says (``kernel``: :func:`other_threads`): the graph it built
    may be out of the count's view."""
    if threads or (kernel_said := other_threads(kernel or {})):
        when = f"ran while {kernel_said}" if not threads else \
            "was called while threads the submission started were running"
        raise Fail(f"{what} {when}: what autograd saves in them is hidden from this check; the exercise needs no "
                   "threads, leave them out", code="own-saved-tensors-hooks")
    if hidden:
        raise Fail(f"{what} set saved-tensor hooks of its own (torch.autograd.graph.saved_tensors_hooks, or "
                   "torch.utils.checkpoint, which recomputes the forward pass inside them): what autograd saves for a "
                   "backward pass is then hidden from this check; the exercise needs none of them, leave them out",
                   code="own-saved-tensors-hooks")


def backward_passes(outcome: dict[str, Any]) -> int:
    """How many backward passes ran while a call ran: the engine's own count (``backward_passes``, which no object
    the submission reaches holds: red team 99 added to the child's Python counters) where the child took it, else
    the counted ``autograd_calls``."""
    passes = outcome.get("backward_passes")
    if type(passes) is int and passes >= 0:
        return passes
    calls = outcome.get("autograd_calls")
    return calls if type(calls) is int and calls > 0 else 0


def no_autograd(outcome: dict[str, Any], what: str) -> None:
    """:class:`Fail` when a by-hand function asked autograd for the answer while it ran, built a graph (``graph_nodes``:
    its inputs are plain tensors), ran beside threads of the submission's own out of the count's view (``threads``), or
    returned a tensor (or a tuple of tensors) that autograd tracks."""
    count = int(outcome.get("autograd_calls", 0))
    if count:
        raise Fail(f"{what} must compute the derivative by hand, but it called backward()/torch.autograd.grad "
                   f"{count} time(s); write the formula with tensor operations instead", code="autograd-in-by-hand")
    if "backward_passes" in outcome and outcome["backward_passes"] is None:  # (a mark the child could not take:
        raise Fail(f"the grader could not count the backward passes while {what} ran (a torch mode or inference "  # no
                   "mode of the submission's still on?): leave no such mode on", code="autograd-in-by-hand")  # count)
    if outcome.get("forward_mode") is True:  # (red team 100: forward-mode AD, its count in Python set back)
        raise Fail(f"{what} must compute the derivative by hand, but it asked for forward-mode AD "
                   "(torch.autograd.forward_ad.dual_level, torch.func.jvp or jacfwd); forward-mode AD is autograd: "
                   "write the formula with tensor operations instead", code="autograd-in-by-hand")
    if outcome.get("dual_level_open") is True:
        raise Fail(f"{what} must compute the derivative by hand, but a forward-mode AD level was left open "
                   "(torch.autograd.forward_ad.dual_level entered and never exited): forward-mode AD is autograd; "
                   "write the formula with tensor operations instead", code="autograd-in-by-hand")
    if (kernel := other_threads(outcome)):  # (red team 100: a thread started with the real starter, reached in C)
        raise Fail(f"{what} must compute the derivative by hand, but while it ran {kernel}: what another thread "
                   "computes is out of this check's view; the exercise needs no threads, leave them out",
                   code="autograd-in-by-hand")
    threads = outcome.get("threads")
    if type(threads) is int and threads > 0:  # (red team 69: a thread started at import did the autograd)
        raise Fail(f"{what} was called while {threads} thread(s) the submission started were running: what they compute "
                   "is out of this check's view; the exercise needs no threads, leave them out",
                   code="autograd-in-by-hand")
    nodes = outcome.get("graph_nodes")
    if type(nodes) is int and nodes > 0:  # (red team 68: nodes of its graph called by hand, no engine)
        raise Fail(f"{what} must compute the derivative by hand, but it built a graph for autograd while it ran "
                   f"({nodes} node(s): it computed with a tensor that requires gradients, such as a constant made with "
                   "requires_grad=True or an nn.Parameter); write the formula with plain tensors: the inputs as given, "
                   "such constants through .detach() before any operation on them", code="autograd-in-by-hand")
    autograd_off(outcome, what)
    evaluated(outcome, what)
    returned = outcome.get("returned") or {}
    values = sequence(returned)
    values = [returned] if values is None else values
    if any(grad_fn_name(value) is not None for value in values):
        raise Fail(f"{what} returned a tensor with a grad_fn: compute it from its inputs without autograd",
                   code="tracked-result")
    top_level(outcome, what)  # (last: what the function itself did says more)


TOP_LEVEL_GRAPH = "built a graph for autograd"  # what top_level says of graph nodes made outside the by-hand calls
TOP_LEVEL_ADVICE = ("the grader runs the code above this check with autograd switched off first, so that nothing "
                    "autograd computed is there for the by-hand function to read; keep your own tries of autograd "
                    "where that run does not reach: in a .py file under `if __name__ == \"__main__\":`, in a notebook "
                    "in a cell below this check's test cell, and start no threads there")


def top_level(outcome: dict[str, Any], what: str) -> None:
    """:class:`Fail` when the code above the by-hand call (a module's top level, a notebook's cells above its test
    cell), run first with autograd switched off (the child's ``TopLevelOff``: no answer of autograd's may exist in the
    process the by-hand function runs in), got autograd's work done all the same, or something did between that run
    and the call, or between this call and the one before (``top_level``: its ``outside`` counts); or when it was not
    run switched off at all."""
    record = outcome.get("top_level")
    if not isinstance(record, dict) or record.get("ran") is not True:
        raise Fail(f"the grader could not run the code above {what} with autograd switched off, so it cannot tell that "
                   "no answer of autograd's was there to read", about_input=False, code="autograd-in-by-hand")
    outside = record.get("outside") if isinstance(record.get("outside"), dict) else {}
    passes, nodes, threads = outside.get("passes"), outside.get("nodes"), outside.get("threads")
    did = "left a mode on that kept the grader from counting autograd's backward passes" if passes is None else \
        f"ran {passes} backward pass(es) of autograd" if passes else \
        TOP_LEVEL_GRAPH if not _zero(nodes) else \
        "made forward-mode AD's dual tensors" if not _zero(outside.get("duals")) else \
        "switched autograd back on below Python" if record.get("autograd_off") is not True else \
        "took forward-mode AD's level" if record.get("level_held") is not True else \
        "started threads" if threads is not None and not _zero(threads) else \
        "left threads running" if not _zero(record.get("threads")) else ""
    if did:
        raise Fail(f"{what} must compute the derivative by hand, but outside its own calls (before the first, or between "
                   f"two), the file's own code {did}: {TOP_LEVEL_ADVICE}", about_input=False, code="autograd-in-by-hand")


def _zero(count: Any) -> bool:
    """``count`` is the whole number 0 (a count the child made; anything else is not known to be nothing)."""
    return type(count) is int and count == 0


def autograd_off(outcome: dict[str, Any], what: str) -> None:
    """:class:`Fail` when a by-hand function, run first with autograd switched off below Python (the child excludes its
    dispatch keys), raised or returned other values than with autograd on, which raised nothing (``needs_autograd``;
    red team 101 took a forward-mode derivative with torch's raw ``_make_dual``, which no count sees), or when it
    switched autograd back on."""
    if outcome.get("needs_autograd") is True:
        error = outcome.get("autograd_off_error")
        said = f"raised {error.get('type')}: {error.get('message', '')}{_where(error)}" if isinstance(error, dict) \
            else "returned other values"
        raise Fail(f"{what} must compute the derivative by hand, but it needs autograd: run with autograd switched off "
                   f"it {said}, and with autograd on it did not; write the formula with tensor operations instead",
                   code="autograd-in-by-hand")
    if outcome.get("autograd_off") is False:
        raise Fail(f"{what} must compute the derivative by hand, but it switched autograd back on below Python "
                   "(torch's dispatch keys) while it ran: write the formula with tensor operations instead",
                   code="autograd-in-by-hand")


def evaluated(outcome: dict[str, Any], what: str) -> None:
    """:class:`Fail` when a by-hand function worked its derivative out from the values of the exercise's own function
    (``evaluated``, :class:`~autograd_exercises.sandbox.observe.Evaluations`): a finite difference or a complex step
    estimates the derivative, it does not derive it (red team 239), as a library that differentiates numerically does
    not (``scipy.differentiate``, refused by the reading)."""
    how = outcome.get("evaluated")
    if type(how) is str:
        raise Fail(f"{what} must compute the derivative by hand, but while it ran it called {how[:300]}; a derivative "
                   "estimated from the function's values (a finite difference, a complex step) is not derived: write "
                   "the derivative's formula with tensor operations instead", code="numeric-in-by-hand")


_BACKWARD_SAID, _FORWARD_SAID = "called backward()/torch.autograd.grad", "asked for forward-mode AD"
_NEEDED_SAID = "needed autograd (run with autograd switched off it raised, or returned other values)"
AUTOGRAD_SEEN = (_BACKWARD_SAID, _FORWARD_SAID, _NEEDED_SAID)  # how :func:`used_autograd` says that autograd answered
# (its other answers say only that the call could not show it did not)


def used_autograd(observations: Any, cases: int) -> str | None:
    """What a by-hand function's second call (``grading.again_calls``, in the file's own run) did that keeps the grader
    from saying it computes by hand there, said for "it …", else None: asked autograd for an answer (backward passes,
    ``torch.autograd.grad``, forward-mode AD, other values with autograd switched off below Python), raised, or left
    an input unchecked (``cases`` of them; red team 188 made the call spin where it would have shown autograd). Read
    from every by-hand call's outcome (a dict with ``needs_autograd``,
    :func:`~autograd_exercises.sandbox.observe.call_by_hand`) in ``observations``. Its first call's other signals
    (graph nodes, a tracked result, threads) may come from the code above it run with autograd on, which a by-hand
    function may read: they do not count here."""
    outcomes = list(_by_hand_outcomes(observations))
    if type(observations) is not list or len(observations) != cases or len(outcomes) != cases:
        return "did not give a result for every input"
    for outcome in outcomes:
        passes, calls = backward_passes(outcome), outcome.get("autograd_calls")
        if passes or type(calls) is int and calls > 0:
            return f"{_BACKWARD_SAID} ({max(passes, calls if type(calls) is int else 0)} time(s))"
        if outcome.get("forward_mode") is True or outcome.get("dual_level_open") is True:
            return _FORWARD_SAID
        if outcome.get("needs_autograd") is not False:
            return _NEEDED_SAID
        error = outcome.get("exception")
        if error is not None:
            return f"raised {error.get('type') if isinstance(error, dict) else 'an exception'}"
    return None


def _by_hand_outcomes(value: Any) -> Iterator[dict[str, Any]]:
    """Every by-hand call's outcome in a report's observations (plain lists and dicts), without recursion."""
    stack = [value]
    while stack:
        item = stack.pop()
        if type(item) is dict:
            if "needs_autograd" in item:
                yield item
            else:
                stack += [child for child in item.values() if type(child) in (dict, list)]
        elif type(item) is list:
            stack += [child for child in item if type(child) in (dict, list)]


def grad_fn_name(desc: dict[str, Any] | None) -> str | None:
    """The ``grad_fn`` class name of a described tensor, or ``None``."""
    return None if not desc or desc.get("type") != "tensor" else desc.get("grad_fn")


def derivatives(function: Callable[..., torch.Tensor],
                *inputs: torch.Tensor) -> tuple[torch.Tensor, tuple[torch.Tensor, ...]]:
    """``function(*inputs)`` and its gradient with respect to each input, by :func:`torch.autograd.grad`, in float64.

    References of derivatives come from autograd, never from a closed form written in a
    grader (a grader must not hold the answer a student derives by hand). ``function``
    returns one number: sum an elementwise function to get its slope at every element.
    """
    leaves = [value.detach().to(torch.float64).requires_grad_() for value in inputs]
    with torch.enable_grad():
        result = function(*leaves)
        grads = torch.autograd.grad(result, leaves)
    return result.detach(), tuple(grads)
