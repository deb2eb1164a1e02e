"""Child-side helpers: call student code and describe what happened as plain data.

Everything here runs inside the sandboxed child. What it returns is made only of
dicts, lists, strings, numbers, booleans, ``None`` and plain CPU tensors, so the
child can pack it (:mod:`.packing`) for the grader to read back. A student object
is never sent as itself: it is *described* (its type name, a short repr, and for
tensors the values plus their autograd metadata).
"""

from __future__ import annotations

import _thread
import contextlib
import functools
import itertools
import math
import numbers
import sys
import threading
import traceback
import types
import warnings
from typing import Any, Iterator

import torch

from autograd_exercises.sandbox import tensorbase
from autograd_exercises.sandbox.protocol import NO_FUNCTION
from autograd_exercises.sandbox.wall import KERNEL_THREADS

MAX_ITEMS = 64  # longest list/tuple described item by item
MAX_REPR = 300
MAX_WARNINGS = 20  # distinct warnings kept per call: a flood must not swell the report
MAX_ELEMENTS = 1 << 22  # largest tensor sent back (4M elements)

# How often autograd was asked to differentiate in this process (see install_autograd_counter).
AUTOGRAD_CALLS = {"backward": 0, "grad": 0}
SUBMISSION_FILE = {"path": ""}  # set by the child: tracebacks keep frames of this file only


class CheckTimeout(BaseException):
    """One check's own time ran out (SIGALRM) while several checks share one child: never the student's
    exception to record, always the end of that check."""


class _CountingEngine:
    """Autograd's engine, counting each backward pass it runs: ``Tensor.backward``, ``torch.autograd.backward`` and
    ``grad``, ``torch.func`` and ``torch.autograd.functional`` all end in its ``run_backward``, and so does code that
    calls the engine itself (red team 19: ``Variable._execution_engine.run_backward(…)``)."""

    def __init__(self, engine: Any) -> None:
        self._engine = engine

    def run_backward(self, *args: Any, **kwargs: Any) -> Any:
        AUTOGRAD_CALLS["backward"] += 1
        record = DELIVERIES[-1] if DELIVERIES else None
        running = _running_pass(args, kwargs)
        kept, handles, finish = _watch_deliveries(record, running)
        PASSES.setdefault(_THREAD(), []).append(running)
        try:  # (the engine is called from here itself: its reads of saved values come from this frame's code)
            answer = self._engine.run_backward(*args, **kwargs)
            finish()
            if not running["accumulates"]:
                _handed_back(running, args[4] if len(args) > 4 else kwargs.get("inputs", ()), answer)
            _note_pass(running, None)
            return answer
        except BaseException as error:
            _note_pass(running, error)
            if kept is not None:  # (a pass that failed is kept by no watch: the watch's passes never outnumber the
                record["passes"][:] = [entry for entry in record["passes"] if entry is not kept]  # engine's count)
            raise
        finally:
            mine = PASSES.get(_THREAD(), [])
            mine[:] = [entry for entry in mine if entry is not running]
            for handle in handles:
                handle.remove()

    def __getattr__(self, name: str) -> Any:  # queue_callback, is_checkpoint_valid…
        return getattr(self._engine, name)


# While :func:`second_passes` watches: the graph nodes of the roots of every pass that ran to its end, and each
# failed pass's error, its text as raised, and whether its roots had been back-propagated through before.
SECOND: dict[str, Any] = {"on": False, "ran": [], "failed": []}
MAX_SECOND = 64  # passes kept (a loop of backward calls must not grow the record)


def _root_nodes(running: dict[str, Any]) -> list[Any]:
    """The graph nodes (``grad_fn``, read through torch's C base) of a pass's roots that have one."""
    roots = running["roots"]
    roots = tuple(roots) if isinstance(roots, (tuple, list)) else (roots,)
    return [node for node in (tensorbase.GRAD_FN(root) for root in roots if is_tensor(root)) if node is not None]


def _note_pass(running: dict[str, Any], error: BaseException | None) -> None:
    """Record a pass for :func:`second_passes` (nothing while it does not watch; never raises)."""
    if not SECOND["on"]:
        return
    try:
        nodes = _root_nodes(running)
        if error is None:
            SECOND["ran"][:] = (SECOND["ran"] + nodes)[-MAX_SECOND:]
        elif len(SECOND["failed"]) < MAX_SECOND:
            ran = SECOND["ran"]
            again = bool(nodes) and all(any(node is done for done in ran) for node in nodes)
            SECOND["failed"].append((error, BaseException.__str__(error), again))
    except Exception:
        pass


@contextlib.contextmanager
def second_passes() -> Iterator[None]:
    """Watch, while the body runs, which backward passes failed and on what (:func:`second_pass_error`)."""
    SECOND["ran"].clear()
    SECOND["failed"].clear()
    SECOND["on"] = True
    try:
        yield
    finally:
        SECOND["on"] = False


def second_pass_error(error: Any) -> bool:
    """``error`` is the very exception a backward pass raised while :func:`second_passes` watched, its text as torch
    gave it, from a pass over roots that a pass before it had run through to its end: a second backward through one
    graph (red team 136 returned an unrelated error of torch's, its ``args`` rewritten, beside a second pass over a
    graph of its own)."""
    try:
        return any(error is failed and again and BaseException.__str__(error) == text
                   for failed, text, again in SECOND["failed"])
    except Exception:
        return False


_ENGINE = torch._C._ImperativeEngine()  # autograd's engine itself (every such object is the one engine), uncounted
_GRAD_ONE = torch.ones((), dtype=torch.float64)


def backward_pass_mark(_zeros: Any = torch.zeros, _engine: Any = _ENGINE,
                       _task: Any = torch._C._current_graph_task_id, _one: Any = _GRAD_ONE,
                       _plain: Any = torch._C.DisableTorchFunction,
                       _grad_is: Any = torch._C.is_grad_enabled, _grad_set: Any = torch._C._set_grad_enabled,
                       _f64: Any = torch.float64, _len: Any = len, _type: Any = type, _int: Any = int,
                       _failed: Any = Exception) -> int | None:
    """The id autograd's engine gives the backward pass this runs (:data:`_GRAPH_TASK`): the engine numbers every pass
    it runs, on any thread and by any spelling, from one counter held in C, so the difference of two marks, less
    one, is how many passes ran between them, whatever Python objects the submission changed (red team 99 walked to
    this module's counters in C and set them back). The pass runs on the real engine, on a fresh leaf, past any
    torch function mode: it makes no graph node and saves nothing. ``None`` when it could not run (a mode of the
    submission's in the way, inference mode left on). It calls only C functions, held as positional defaults (a tuple
    no code can change in the child; keyword-only defaults are a dict that can be changed in place): a name of this module set for a moment and put back before the watch looks changes nothing
    (our own attack after red team 100 did that to ``backward_pass_mark`` and ``_SEQUENCE``: 10/10 for 9/10)."""
    seen: list[int] = []
    try:
        with _plain():  # (grad mode's setter too is a torch function a mode may take)
            enabled = _grad_is()
            try:
                _grad_set(True)
                leaf = _zeros((), dtype=_f64, device="cpu", requires_grad=True)
                leaf._backward_hooks = {0: lambda grad: seen.append(_task())}  # (the hook, set through torch's C base)
                _engine.run_backward((leaf,), (_one,), False, False, (), True, True)
            finally:
                _grad_set(enabled)
    except _failed:
        return None
    return seen[0] if _len(seen) == 1 and _type(seen[0]) is _int and seen[0] >= 0 else None


def passes_between(first: int | None, last: int | None) -> int | None:
    """How many backward passes ran between two :func:`backward_pass_mark` s (None: a mark could not be taken)."""
    return None if first is None or last is None or last <= first else last - first - 1


_ENGINE_CODE = _CountingEngine.run_backward.__code__  # (the frame the engine's own reads of saved values come from)
_CURRENT_NODE = torch._C._current_autograd_node  # the node the running backward pass is executing


def _by_the_engine(code: Any, owner: Any) -> bool:
    """A saved value read by code ``code`` (the reader's frame) is the running backward pass's own read: the engine's
    (its Python caller is the counting ``run_backward``), or, for a value a custom ``autograd.Function`` saved
    (``owner``, its node), that node's ``backward``, run by the engine for it (``ctx.saved_tensors``). Any other code's
    read, a hook's, a library's it calls (``node._saved_self``: red teams 58 and 60) or another node's ``backward``
    (red team 62), is not."""
    if code is _ENGINE_CODE:
        return True
    node = _CURRENT_NODE()
    if owner is None or node is not owner:
        return False
    return getattr(getattr(getattr(node, "_forward_cls", None), "backward", None), "__code__", None) is code


DELIVERIES: list[dict[str, Any]] = []  # the deliveries_to blocks now open, innermost last
PASSES: dict[int, list[dict[str, Any]]] = {}  # per thread, the backward passes it runs now (:func:`_running_pass`),
_THREAD = _thread.get_ident  # innermost last: a pass's hooks run on its own thread (red team 126 left a pass open on
# another thread, whose root a hook of the main thread's pass then read as its own)


def running_pass() -> dict[str, Any] | None:
    """The innermost backward pass this thread runs now (None: none the counting engine started)."""
    mine = PASSES.get(_THREAD())
    return mine[-1] if mine else None


def _running_pass(args: tuple, kwargs: dict) -> dict[str, Any]:
    """What the engine is asked to run (its own argument names and order): the roots, the gradients they start from,
    and whether the pass adds into the leaves' ``.grad`` (``backward``) or hands its gradients back
    (``torch.autograd.grad``, ``torch.func``: the engine's ``accumulate_grad``, False where not given)."""
    def given(index: int, name: str, default: Any) -> Any:
        return args[index] if len(args) > index else kwargs.get(name, default)

    return {"roots": given(0, "tensors", ()), "grads": given(1, "grad_tensors", ()),
            "accumulates": given(6, "accumulate_grad", False) is True}


_WRAPPED, _UNWRAPPED, _BDIM = (torch._C._functorch.is_functorch_wrapped_tensor, torch._C._functorch.get_unwrapped,
                                torch._C._functorch.maybe_get_bdim)


def value_of(t: torch.Tensor) -> torch.Tensor:
    """``t``'s values as a plain float64 tensor, read where a hook or the engine sees them: inside ``torch.func``'s
    transforms a tensor wraps another, level by level, and a batched one keeps its batch (``vmap``) in a dimension of
    the tensor it wraps (moved first here); kept as it is, it would escape its transform (fairness 26: ``vmap(grad(
    polynomial))``'s gradient, kept by a watch, stopped the probe)."""
    with tensorbase.PLAIN():
        while _WRAPPED(t):  # (first: a wrapper's own methods run under its transform, which may not batch them)
            bdim = _BDIM(t)
            t = _UNWRAPPED(t)
            t = t.movedim(bdim, 0) if bdim not in (None, -1) else t
        return plain_tensor(t).detach().to(torch.float64)


def differentiated(running: dict[str, Any]) -> float | None:
    r"""The number a backward pass differentiates, $s = \sum_i \langle v_i, R_i \rangle$ over its roots $R_i$ and
    the gradients $v_i$ they start from (a scalar root's default 1: the root's own value), in float64; None where
    that is no plain reading (a gradient edge as a root, a complex one). Red team 122 put $f'(x)$, written by hand,
    into ``x.grad`` through a graph of its own, ``(x * g).sum()``: that pass differentiates $\sum_i x_i f'(x_i)$, not
    $f(x)$. Read once per pass, where a watch asks."""
    if "value" not in running:
        running["value"] = _inner_product(running["roots"], running["grads"])
    return running["value"]


def _inner_product(roots: Any, grads: Any) -> float | None:
    r"""$\sum_i \langle v_i, R_i \rangle$ for :func:`differentiated` (None: not tensors, or a gradient that does not
    fit its root: the engine asks for one shape, but ``vmap`` may batch a root and not its gradient)."""
    roots = tuple(roots) if isinstance(roots, (tuple, list)) else (roots,)
    grads = tuple(grads) if isinstance(grads, (tuple, list)) else (grads,)
    if not roots or len(roots) != len(grads) or not all(map(is_tensor, roots + grads)):
        return None
    total = 0.0
    try:
        with tensorbase.PLAIN():
            for root, grad in zip(roots, grads):
                root, grad = value_of(root), value_of(grad)  # (a transform's batch: one root per example)
                if root.is_complex() or grad.is_complex():
                    return None
                total += float(torch.mul(*torch.broadcast_tensors(root, grad)).sum())  # (jacrev batches the grads)
    except Exception:
        return None
    return total
MAX_NODES = 4096  # nodes walked per backward pass to find the leaves it fills
MAX_KEPT = 4  # gradients kept per pass and per watched shape
_ACCUMULATOR = torch._C._functions.AccumulateGrad  # a leaf's node: its ``variable`` is the leaf
_REGISTER_HOOK = torch.Tensor.register_hook  # (torch's, as the zygote loaded it; a tensor class's own is not called)


@contextlib.contextmanager
def deliveries_to(limit: int, tangents: bool = False,
                  **shapes: tuple[int, ...] | int) -> Iterator[list[dict[str, list[torch.Tensor]]]]:
    """The block's record: per backward pass while it runs (``passes``, the first ``limit``), the gradients it delivered
    into leaves of each named shape (``w=(3, 1)``; a number: any shape of that many elements, ``x=12``), float64
    (:func:`value_of`): what the pass computed for whatever leaves the code trains, in place or as copies (red team 63
    computed exercise 6's updates by hand and ran a trivial backward pass beside them). With ``tangents``, forward
    mode's answers count as passes too (:func:`_watch_tangent`)."""
    record = {"shapes": {name: shape if type(shape) is int else tuple(shape) for name, shape in shapes.items()},
              "passes": [], "limit": limit, "tangents": tangents, "seeds": []}
    DELIVERIES.append(record)
    try:
        yield record
    finally:
        DELIVERIES.remove(record)


def _watch_seed(record: dict[str, Any] | None, primal: Any = None, tangent: Any = None) -> None:
    """Where ``record`` asks for forward mode (:func:`deliveries_to`'s ``tangents``), each dual ``make_dual`` seeds:
    the sum of its primal, and whether its tangent is all ones (a slope's seed)."""
    if record is None or not record["tangents"]:
        return
    if len(record["seeds"]) >= MAX_ROOTS:  # (one seed past the count: unread, so not ones at x; red team 126 hid
        record["seeds"][-1] = (None, False)  # its slope by hand behind 64 seeds of ones)
        return
    try:
        record["seeds"].append((float(value_of(primal).sum()), bool((value_of(tangent) == 1).all())))
    except Exception:
        record["seeds"].append((None, False))


def _watch_tangent(record: dict[str, Any] | None, unpacked: Any) -> None:
    r"""Where ``record`` asks for forward mode, what ``unpack_dual`` hands back, kept as a pass of its own (marked
    ``tangent``): the tangent under each name whose shape it has, and $\sum_i$ primal$_i$ as what was differentiated
    (a tangent of ones through an elementwise function is its slope at every element, as a backward pass of the sum
    from ones is)."""
    if record is None or not record["tangents"] or len(record["passes"]) >= record["limit"]:
        return
    primal, tangent = tuple.__getitem__(unpacked, 0), tuple.__getitem__(unpacked, 1)
    if not (is_tensor(primal) and is_tensor(tangent)):
        return
    kept: dict[str, Any] = {name: [] for name in record["shapes"]}
    try:
        kept[ROOT], shape = float(value_of(primal).sum()), tuple(value_of(tangent).shape)
    except Exception:
        return
    kept[TANGENT] = True
    for name, wanted in record["shapes"].items():
        if (math.prod(shape) == wanted) if type(wanted) is int else shape == wanted:
            _keep(kept[name], (False,), None, tangent)
    record["passes"].append(kept)


def packed_deliveries(record: dict[str, Any]) -> dict[str, Any]:
    """:func:`deliveries_to`'s record as few tensors as the report allows: per name, the gradients flattened into the
    rows of one tensor and, beside it (``<name>_pass``), the pass each row came from; ``passes``: how many ran; per
    pass what it differentiated and whether it is forward mode's; and, where forward mode is watched, the seeds
    (:func:`packed_seeds`)."""
    passes = record["passes"]
    packed: dict[str, Any] = {"passes": len(passes), ROOT: _floats([kept.get(ROOT) for kept in passes]),
                              TANGENT: torch.tensor([kept.get(TANGENT) is True for kept in passes], dtype=torch.bool)}
    for name in record["shapes"]:
        rows = [(number, grad.reshape(-1)) for number, kept in enumerate(passes) for grad in kept.get(name, ())]
        packed[name] = torch.stack([row for _, row in rows]) if rows else None
        packed[f"{name}_pass"] = torch.tensor([number for number, _ in rows], dtype=torch.int64)
    if record["tangents"]:
        packed["seeds"] = packed_seeds(record)
    return packed


ROOT = "root"  # per pass, what it differentiated (:func:`differentiated`)
TANGENT = "tangent"  # per pass, whether it is forward mode's (:func:`_watch_tangent`)


def packed_seeds(record: dict[str, Any]) -> dict[str, torch.Tensor]:
    """The duals seeded while a :func:`deliveries_to` block with ``tangents`` ran: their primals' sums (``primal``) and
    whether each tangent was all ones (``ones``)."""
    return {"primal": _floats([primal for primal, _ in record["seeds"]]),
            "ones": torch.tensor([ones for _, ones in record["seeds"]], dtype=torch.bool)}


def _floats(values: list[float | None]) -> torch.Tensor:
    """Numbers (anything else: NaN) as one float64 tensor, for the report."""
    return torch.tensor([value if type(value) is float else float("nan") for value in values], dtype=torch.float64)


def _watch_deliveries(record: dict[str, Any] | None, running: dict[str, Any]) -> tuple[Any, list[Any], Any]:
    """The pass ``record`` (the innermost :func:`deliveries_to` block, None: none) now keeps (None: none), hooks
    (their handles) that catch what the backward pass ``running`` delivers into the leaves of the watched shapes it
    reaches from its roots, and what keeps it once the pass ran; the pass keeps what it differentiates too (``root``,
    :func:`differentiated`). A leaf's gradient is caught where the nodes in front of it hand it on (their post-hooks),
    so before any hook of the file's own on the leaf (red team 65 replaced the gradients so; fairness 27 printed
    them); a root that is itself a leaf, by a hook of its own."""
    if record is None or len(record["passes"]) >= record["limit"]:
        return None, [], _nothing
    kept: dict[str, Any] = {name: [] for name in record["shapes"]}
    kept[ROOT] = differentiated(running)
    record["passes"].append(kept)
    handles: list[Any] = []
    caught: list[tuple[list[torch.Tensor], list[torch.Tensor], tuple[bool, ...], int | None]] = []
    for leaf, edges in _leaf_edges(running["roots"]):
        for name, shape in record["shapes"].items():
            try:  # (a leaf no reading gets, or that takes no hook, is not watched: the pass runs as torch runs it)
                forms = _forms(leaf, shape)
                if not forms:
                    continue
                parts: list[torch.Tensor] = []
                caught.append((kept[name], parts, forms, shape if type(shape) is int else None))
                for node, index in edges or [(None, None)]:
                    hook = functools.partial(_catch_edge, parts, index) if node is not None else \
                        functools.partial(_catch_leaf, parts)
                    handles.append(node.register_hook(hook) if node is not None else _REGISTER_HOOK(leaf, hook))
            except Exception:  # (a leaf frozen after its graph was built: it requires no grad now)
                continue

    def finish() -> None:
        for into, parts, forms, size in caught:
            if parts:
                _keep(into, forms, size, functools.reduce(torch.add, parts))

    return kept, handles, finish


def _nothing() -> None:
    pass


def _catch_edge(parts: list[torch.Tensor], index: int, grad_inputs: Any, grad_outputs: Any) -> None:
    """A node's post-hook: the gradient it hands on along its edge ``index`` (to a watched leaf), as values."""
    try:
        grad = grad_inputs[index]
        if is_tensor(grad):
            parts.append(value_of(grad))
    except Exception:
        pass


def _catch_leaf(parts: list[torch.Tensor], grad: torch.Tensor) -> None:
    """A leaf-root's hook: the gradient the pass starts it with, as values."""
    try:
        parts.append(value_of(grad))
    except Exception:
        pass


def _forms(leaf: torch.Tensor, shape: tuple[int, ...] | int) -> tuple[bool, ...]:
    """How a leaf's gradient is kept under a watched ``shape`` (:func:`_keep`): as it is (False: a leaf of that shape,
    or of another with as many elements, read in its order as ``.reshape`` reads it: fairness 31 flattened a copy of
    ``x`` and put its gradient back reshaped), transposed (True), both (a square matrix), or not at all; a number:
    any shape of that many elements."""
    if type(shape) is int:  # (a transform's leaf: its values, unwrapped)
        return (False,) * (math.prod(value_of(leaf).shape) == shape)
    found = tuple(tensorbase.SHAPE(leaf))
    return (False,) * (math.prod(found) == math.prod(shape)) + (True,) * (len(shape) == 2 and found == shape[::-1])


def _keep(kept: list[torch.Tensor], forms: tuple[bool, ...], size: int | None, grad: torch.Tensor) -> None:
    """Keep ``grad`` (float64) in the watched shape, as it is and (``forms``' True) transposed: ``nn.Linear``'s weight
    is a ``w`` of shape (d, k) transposed, and so is its gradient (fairness sweep 5; a square one, either way). Under a
    watched size, a batch of gradients (``jacrev``'s, one row per cotangent) is kept as its sum. A hook that raised
    would stop the student's pass: a gradient no reading gets is not kept."""
    try:
        grad = value_of(grad)
        if size is not None and grad.numel() != size and size and grad.numel() % size == 0:
            grad = grad.reshape(-1, size).sum(0)
        for transposed in forms:
            if len(kept) < MAX_KEPT:
                kept.append((grad.mT if transposed else grad).clone())
    except Exception:
        pass


def _leaf_edges(roots: Any) -> list[tuple[torch.Tensor, list[tuple[Any, int]]]]:
    """The leaves (their ``AccumulateGrad`` nodes' tensors) a backward pass from the tensors ``roots`` can reach, each
    with the edges into it: (node, index of the edge in its ``next_functions``); none for a root that is a leaf."""
    roots = roots if isinstance(roots, (tuple, list)) else (roots,)
    stack = [node for node in (_node_of(root) for root in roots) if node is not None]
    seen: set[int] = set()
    leaves: dict[int, tuple[torch.Tensor, list[tuple[Any, int]]]] = {}
    while stack and len(seen) < MAX_NODES:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if type(node) is _ACCUMULATOR:  # (a leaf: nothing beyond it)
            if is_tensor(node.variable):
                leaves.setdefault(id(node), (node.variable, []))
            continue
        for index, (child, _) in enumerate(node.next_functions):
            if child is None:
                continue
            if type(child) is _ACCUMULATOR and is_tensor(child.variable):
                leaves.setdefault(id(child), (child.variable, []))[1].append((node, index))
            stack.append(child)
    return list(leaves.values())


def _node_of(root: Any) -> Any:
    """The node a backward pass starts from: a tensor's ``grad_fn`` (a leaf's accumulator), a gradient edge's node."""
    if is_tensor(root):
        node = tensorbase.GRAD_FN(root)
        return node if node is not None or not tensorbase.REQUIRES_GRAD(root) else _accumulator(root)
    return root.node if isinstance(root, torch.autograd.graph.GradientEdge) else None


def _accumulator(leaf: torch.Tensor) -> Any:
    """A leaf's ``AccumulateGrad`` node (``leaf.backward()`` starts there)."""
    with tensorbase.PLAIN():
        return torch.autograd.graph.get_gradient_edge(leaf).node


def counting_engine_code() -> Any:
    """The code of :meth:`_CountingEngine.run_backward`: a traceback's frame of it is the sandbox's, not the error's."""
    return _ENGINE_CODE


def install_autograd_counter() -> None:
    """Count the backward passes autograd's engine runs (:class:`_CountingEngine`) and forward-mode ``make_dual``;
    refuse ``inference_mode(False)``, which puts autograd's keys back, while the top level runs with them off
    (:class:`TopLevelOff`).

    Every spelling of a backward pass reaches the engine, also inside ``torch.enable_grad()``.
    """
    from torch.autograd.variable import Variable

    Variable._execution_engine = _CountingEngine(Variable._execution_engine)
    forward_ad = torch.autograd.forward_ad
    real_make_dual, real_unpack_dual = forward_ad.make_dual, forward_ad.unpack_dual

    def make_dual(*args: Any, **kwargs: Any) -> Any:  # forward-mode AD is autograd too
        AUTOGRAD_CALLS["grad"] += 1
        _watch_seed(DELIVERIES[-1] if DELIVERIES else None, *args[:2])
        return real_make_dual(*args, **kwargs)

    def unpack_dual(*args: Any, **kwargs: Any) -> Any:
        unpacked = real_unpack_dual(*args, **kwargs)
        _watch_tangent(DELIVERIES[-1] if DELIVERIES else None, unpacked)
        return unpacked

    forward_ad.make_dual, forward_ad.unpack_dual = make_dual, unpack_dual
    real_inference_mode = torch._C._InferenceMode

    def inference_mode(mode: Any, *args: Any) -> Any:  # (what torch.inference_mode enters: red team 179 put autograd's
        if not mode and KEYS_KEPT_OFF[0]:  # keys back with inference_mode(False) in the top level's run with it off)
            raise RuntimeError("autograd stays switched off here: the grader runs this code with autograd off first, "
                               "to check that it computes the derivative by hand")
        return real_inference_mode(mode, *args)

    torch._C._InferenceMode = inference_mode
    _install_function_counter()
    _install_hidden_graph_counter()


def _tensors(result: Any) -> list[torch.Tensor]:
    """The tensors a torch call or a custom Function returned: itself, or those of a returned tuple or list."""
    return [item for item in (result if isinstance(result, (tuple, list)) else (result,)) if isinstance(item, torch.Tensor)]


FUNCTIONS = {"made": 0}  # custom autograd Functions applied to a tensor that requires grad, gradients on
_APPLYING = threading.local()  # .saves: the values saved while a custom Function is applied, to tag with its node


def _install_function_counter() -> None:
    """Count the nodes custom ``torch.autograd.Function`` subclasses make: one that keeps its input as ``ctx.x``
    instead of ``save_for_backward`` saves nothing the saved-tensor hooks see, yet builds a graph (red team 58 passed
    exercise 4's "predict builds no graph" so)."""
    real = torch.autograd.Function.__dict__["apply"].__func__

    def apply(cls: Any, *args: Any, **kwargs: Any) -> Any:
        if torch.is_grad_enabled() and any(isinstance(arg, torch.Tensor) and tensorbase.REQUIRES_GRAD(arg)
                                           for arg in (*args, *kwargs.values())):  # (as torch's C base answers:
            # a tensor class of the file's own may say anything)
            FUNCTIONS["made"] += 1
        outer, _APPLYING.saves = _APPLYING.__dict__.get("saves"), []
        try:
            result = real(cls, *args, **kwargs)
            saves = _APPLYING.saves
        finally:
            _APPLYING.saves = outer
        node = next((found for item in _tensors(result) if (found := tensorbase.GRAD_FN(item)) is not None), None)
        for packed in saves:
            packed[2] = node  # (what this node saved: only its own backward reads it as the engine's)
        return result

    apply.__doc__, apply.__qualname__ = real.__doc__, real.__qualname__
    torch.autograd.Function.apply = classmethod(apply)


HOOK_PUSHERS = ((torch._C._autograd, "_push_saved_tensors_default_hooks"),  # saved_tensors_hooks.__enter__'s
                (torch.autograd, "_push_saved_tensors_default_hooks"))  # the same function, as torch.autograd has it


HOOK_POPPERS = ((torch._C._autograd, "_pop_saved_tensors_default_hooks"),  # saved_tensors_hooks.__exit__'s
                (torch.autograd, "_pop_saved_tensors_default_hooks"))
HIDDEN_GRAPHS = {"pushed": 0, "popped": 0}  # saved-tensor hooks pushed and popped by any code in this child
UNCOUNTED: set[int] = set()  # the threads now running that no counting block started (red team 22)
TOP_LEVEL_OFF = [False]  # True while the submission's top level runs with autograd off (:class:`TopLevelOff`)
KEYS_KEPT_OFF = [False]  # True while autograd's keys must stay excluded: that run, a by-hand call's first (:func:`_call`)
COUNTING: list[tuple[Any, Any]] = []  # the hooks of the saved_for_backward blocks now open, innermost last


def thread_starters() -> list[tuple[Any, str]]:
    """Where Python starts a thread: ``_thread.start_new_thread`` (and its old alias ``start_new``, red team 21),
    ``threading``'s reference to it, and from Python 3.13 ``_thread.start_joinable_thread``, which
    ``threading.Thread.start`` calls instead (unwrapped, a thread the submission started there went uncounted)."""
    import _thread
    import threading

    names = [(_thread, "start_new_thread"), (_thread, "start_new"), (threading, "_start_new_thread"),
             (_thread, "start_joinable_thread"), (threading, "_start_joinable_thread")]
    return [(owner, name) for owner, name in names if hasattr(owner, name)]


def _install_hidden_graph_counter() -> None:
    """Count the saved-tensor hooks other code pushes (what autograd saves under them, :func:`saved_for_backward`
    cannot see), and give each thread started inside a counting block that block's hooks (a thread starts with
    none of its own); installed before the submission is imported, so it never holds the unwrapped functions."""
    real_push, real_pop = getattr(*HOOK_PUSHERS[0]), torch._C._autograd._pop_saved_tensors_default_hooks

    def push(*hooks: Any) -> Any:
        HIDDEN_GRAPHS["pushed"] += 1
        return real_push(*hooks)

    def pop(*args: Any) -> Any:  # (a pop the code did not push takes off whatever is on top: a counting block's own)
        HIDDEN_GRAPHS["popped"] += 1
        return real_pop(*args)

    wrapped: dict[int, Any] = {}  # one wrapper per real starter (start_new and start_new_thread are one function)
    for owner, name in thread_starters():
        real = getattr(owner, name)
        if id(real) not in wrapped:
            wrapped[id(real)] = _counted_start(real, real_push, real_pop)
        setattr(owner, name, wrapped[id(real)])
    for owner, name in HOOK_PUSHERS:
        setattr(owner, name, push)
    for owner, name in HOOK_POPPERS:
        setattr(owner, name, pop)


def _counted_start(real_start: Any, real_push: Any, real_pop: Any) -> Any:
    """``real_start`` (a function that starts a thread running ``function``), starting it counted: inside a counting
    block with that block's hooks (pushed with the unwrapped ``real_push``: no hidden graph); outside any, noted in
    :data:`UNCOUNTED` while it runs. Inside a :func:`graph_nodes` block either way, the nodes it makes count in the
    block, and it counts as running there until it ends."""
    import _thread

    def start(function: Any, *args: Any, **kwargs: Any) -> Any:
        hooks, block = COUNTING[-1] if COUNTING else None, GRAPH_BLOCKS[-1] if GRAPH_BLOCKS else None
        off = TOP_LEVEL_OFF[0]  # (started while the top level runs with autograd off: it runs so too)
        token = object()  # (running from now: the block may end before the thread is scheduled)
        if block is not None:
            block["running"].add(token)

        def counted(*inner: Any, **named: Any) -> Any:
            ident, start = _thread.get_ident(), _SEQUENCE()  # (autograd numbers each thread's nodes apart: red team
            if hooks is None:  # 62 built predict's graph in one) / a thread of no counting block's: running while
                UNCOUNTED.add(ident)  # one starts, it saves out of its view
            else:
                real_push(*hooks)
            guards = (AUTOGRAD_OFF[0](), torch._C._ExcludeDispatchKeyGuard(FUNCTORCH_LAYERS)) if off else ()
            try:
                for guard in guards:
                    guard.__enter__()
                return function(*inner, **named)
            finally:
                for guard in reversed(guards):
                    guard.__exit__(None, None, None)
                if hooks is None:
                    UNCOUNTED.discard(ident)
                else:
                    real_pop()
                if block is not None:
                    block["made"] += _SEQUENCE() - start
                    block["running"].discard(token)

        try:
            return real_start(counted, *args, **kwargs)
        except BaseException:
            if block is not None:
                block["running"].discard(token)
            raise

    return start


def _exact_str(value: Any) -> str:
    """``value`` as an exact ``str``: a student's str subclass must not travel in the report."""
    return str.__str__(value) if isinstance(value, str) else "<not text>"


def safe_text(obj: Any, convert: Any = str, *, with_type: bool = False) -> str:
    """``convert(obj)`` (``str`` or ``repr``) as an exact ``str``, whatever a student's ``__str__`` does.

    It may raise anything, including an exception whose own ``__str__`` raises:
    then the text says so instead. ``with_type`` prefixes the class name.
    """
    try:
        text = _exact_str(convert(obj))
    except BaseException:
        text = "<unprintable>"
    return f"{_class_name(type(obj))}: {text}" if with_type else text


def _class_name(kind: type, attribute: str = "__name__") -> str:
    """A class's ``__name__``/``__qualname__``/``__module__``, read past any metaclass property."""
    try:
        return _exact_str(type.__dict__[attribute].__get__(kind))[:MAX_REPR]
    except BaseException:
        return "?"


def _short_repr(obj: Any) -> str:
    text = safe_text(obj, repr)
    return text if len(text) <= MAX_REPR else text[: MAX_REPR - 3] + "..."


def _type_name(obj: Any) -> str:
    kind = type(obj)
    module, name = _class_name(kind, "__module__"), _class_name(kind, "__qualname__")
    return name if module == "builtins" else f"{module}.{name}"


def describe_tensor(t: torch.Tensor) -> dict[str, Any]:
    """A tensor's values (detached, CPU, plain ``torch.Tensor``) and its autograd state, as torch's C base class
    gives them (:mod:`.tensorbase`): neither a tensor class of the submission's nor a change to ``torch.Tensor``
    answers here."""
    tensorbase.own_dispatch(t)
    with tensorbase.PLAIN():
        plain = tensorbase.AS_SUBCLASS(tensorbase.DETACH(t), tensorbase.TENSOR)
        grad_fn = tensorbase.GRAD_FN(t)
        info = {
            "type": "tensor",
            "subclass": None if type(t) is tensorbase.TENSOR else _type_name(t),
            "requires_grad": tensorbase.REQUIRES_GRAD(t) is True,
            "grad_fn": _class_name(type(grad_fn)) if grad_fn is not None else None,
            "is_leaf": tensorbase.IS_LEAF(t) is True,
            "retains_grad": tensorbase.RETAINS_GRAD(t) is True,
            "shape": list(tensorbase.SHAPE(plain)),
            "dtype": str(tensorbase.DTYPE(plain)).removeprefix("torch."),
        }
        if tensorbase.NUMEL(plain) <= MAX_ELEMENTS and not tensorbase.IS_SPARSE(plain):
            info["value"] = tensorbase.CONTIGUOUS(tensorbase.CLONE(tensorbase.TO(plain, "cpu")))
    return info


def is_tensor(obj: Any) -> bool:
    """``obj`` is a tensor, by its type (its ``__class__`` can claim any class to ``isinstance``)."""
    return issubclass(type(obj), tensorbase.TENSOR)


def plain_tensor(t: torch.Tensor) -> torch.Tensor:
    """The same tensor (same graph, same storage) as a plain ``torch.Tensor``: its ``grad_fn``, ``requires_grad`` and
    methods are then torch's, whatever a tensor class of the student's (or a base of it) answers (red team 53)."""
    tensorbase.own_dispatch(t)
    with tensorbase.PLAIN():
        return tensorbase.AS_SUBCLASS(t, tensorbase.TENSOR)


def describe(obj: Any, depth: int = 0) -> dict[str, Any]:
    """Plain-data description of any object a student function returned (a tensor by its type: an object's
    ``__class__`` can claim any class to ``isinstance``)."""
    if is_tensor(obj):
        return describe_tensor(obj)
    if obj is None or type(obj) in (bool, int, float, str):
        return {"type": _type_name(obj), "value": obj if not isinstance(obj, str) else obj[:MAX_REPR]}
    for base, exact in ((int, int.__int__), (float, float.__float__), (str, str.__str__)):
        if isinstance(obj, base):  # numpy.float64, an IntEnum, a student's str: the plain value, never the object
            value = exact(obj)
            return {"type": _type_name(obj), "value": value[:MAX_REPR] if base is str else value,
                    "repr": _short_repr(obj)}
    if isinstance(obj, (list, tuple)) and depth < 3:
        items = [describe(item, depth + 1) for item in list(obj)[:MAX_ITEMS]]
        return {"type": _type_name(obj), "items": items, "length": len(obj)}
    info: dict[str, Any] = {"type": _type_name(obj), "repr": _short_repr(obj)}
    if type(obj).__module__ == "numpy" and hasattr(obj, "shape"):
        try:  # keep a numpy array's numbers, so feedback can say "right values, wrong type"
            info["value"] = torch.as_tensor(obj.tolist(), dtype=torch.float64)
        except BaseException:
            pass
    return info


def describe_exception(exc: BaseException) -> dict[str, Any]:
    """Type, message and the submission's own lines of the traceback.

    Never raises: a student's exception can make ``__str__``, ``__class__`` or
    ``__traceback__`` raise, and this runs inside the probe's error handling.
    """
    described = {"type": _class_name(type(exc)), "message": _short_repr(safe_text(exc))[:MAX_REPR], "frames": []}
    try:
        frames = [
            {"line": frame.lineno, "function": frame.name, "code": (frame.line or "")[:200]}
            for frame in traceback.extract_tb(exc.__traceback__)
            if frame.filename == SUBMISSION_FILE["path"]
        ]
        last = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ is not None else []
        described["raised_in"] = "submission" if not last or last[0].filename == SUBMISSION_FILE["path"] else "library"
        if isinstance(exc, SyntaxError) and type(exc.lineno) is int:
            code = safe_text(exc.text).strip()[:200] if exc.text is not None else ""
            frames.append({"line": exc.lineno, "function": "<module>", "code": code})
        described["frames"] = frames[-5:]
    except BaseException:
        pass
    return described


def call(module: Any, name: str, *args: Any) -> dict[str, Any]:
    """Call ``module.<name>(*args)`` and record its result, exception, warnings and autograd use.

    Returns ``{"returned": description, "exception": ..., "warnings": [...],
    "autograd_calls": n, "backward_passes": m}``; ``returned`` is described right away, so later
    mutations by the probe do not change it. ``backward_passes`` is the engine's own count of the passes that ran
    meanwhile (:func:`backward_pass_mark`: no Python object the submission reaches holds it; None: not known), and
    ``autograd_calls`` is never below it.
    """
    return _call(module, name, args)


def _call(module: Any, name: str, args: tuple[Any, ...], off: Any = None, _mark: Any = backward_pass_mark,
          _between: Any = passes_between, _max: Any = max, _type: Any = type, _int: Any = int,
          _flag: Any = KEYS_KEPT_OFF) -> dict[str, Any]:
    """:func:`call`'s work: what reads the engine after the function ran it holds as positional defaults, a tuple no
    code can change in the child (keyword-only defaults are a dict, changed in place by whoever reaches it). ``off``:
    :data:`AUTOGRAD_OFF` for a by-hand call, whose function (and what it returns, read) runs with autograd's dispatch
    keys excluded, and ``inference_mode(False)``, which would put them back, refused (red team 182 took a forward-mode
    derivative there); ``autograd_off`` says whether they still were when it returned (``None``: it raised)."""
    before, first = sum(AUTOGRAD_CALLS.values()), _mark()
    outcome: dict[str, Any] = {"name": name, "returned": None, "exception": None}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            function = getattr(module, name, None)
            if not callable(function):
                raise AttributeError(f"{NO_FUNCTION}{name!r}")
            if off is None:
                value = plain_sequence(function(*args))
                outcome["returned"] = describe(value)
            else:
                outcome["autograd_off"] = None  # (not read: it raised)
                with off[0]():
                    _flag[0] = True
                    try:
                        value = plain_sequence(function(*args))
                    finally:
                        _flag[0] = False
                    outcome["returned"] = describe(value)
                    outcome["autograd_off"] = off[1](off[2])
            outcome["_live"] = value  # for the probe only: keys starting with "_" are never sent
        except CheckTimeout:
            raise
        except BaseException as exc:  # SystemExit and KeyboardInterrupt are a student's failures too
            outcome["exception"] = describe_exception(exc)
    outcome["warnings"] = sorted({f"{w.category.__name__}: {w.message}"[:MAX_REPR] for w in caught})[:MAX_WARNINGS]
    last = _mark()
    passes = _between(first, last)
    counted = sum(AUTOGRAD_CALLS.values()) - before
    outcome["_marks"] = (first, last)  # (for the probe only: the by-hand calls' chain, :func:`_outside`)
    outcome["backward_passes"] = passes
    outcome["autograd_calls"] = _max(counted if _type(counted) is _int else 0, passes or 0)
    return outcome


NESTED_FORWARD_MODE = "Nested forward mode AD is not supported"  # what torch raises for a level asked for in ours


def _asked_for_forward_mode(outcome: dict[str, Any], _text: str = NESTED_FORWARD_MODE, _dict: Any = dict,
                            _type: Any = type, _str: Any = str) -> bool:
    """The call raised torch's error for a forward-mode AD level asked for while :func:`call_by_hand` held one."""
    exception = outcome.get("exception")
    return _type(exception) is _dict and _type(message := exception.get("message")) is _str and _text in message


def plain_sequence(value: Any) -> Any:
    """A returned tuple or list subclass (a ``NamedTuple``) as the plain tuple or list of what iterating it gives, as
    ``y, z, out = f(x)`` unpacks it, once: what is described and what the probe reads live are then the same items
    (red team 33: a subclass whose ``__getitem__`` differed from its ``__iter__``). Anything else as it is."""
    if isinstance(value, (tuple, list)) and type(value) not in (tuple, list):
        return (tuple if isinstance(value, tuple) else list)(iter(value))
    return value


_KEPT = frozenset({type(None), bool, int, float, str, torch.Tensor})  # plain as they are


def plain(obs: Any, depth: int = 0) -> Any:
    """``obs`` reduced to what :func:`.packing.pack` accepts.

    Keys starting with ``_`` (live objects kept for the probe) are dropped, and
    anything that is not plain data is replaced by its :func:`describe`.
    """
    if type(obs) in _KEPT:
        return obs
    if isinstance(obs, dict) and depth < 8:  # leaves inline: most of a report's thousands of values are leaves
        items = ((k if type(k) is str else str(k), v) for k, v in obs.items())
        return {k: v if type(v) in _KEPT else plain(v, depth + 1) for k, v in items if not k.startswith("_")}
    if isinstance(obs, (list, tuple)) and depth < 8:
        return [v if type(v) in _KEPT else plain(v, depth + 1) for v in obs]
    return describe(obs)


def grad_of(t: Any) -> dict[str, Any] | None:
    """Description of ``t.grad`` (``None`` when t is not a tensor or has no grad)."""
    if not isinstance(t, torch.Tensor):
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # reading .grad of a non-leaf warns; the probe only looks
        grad = t.grad
    return None if grad is None else describe_tensor(grad)


def leaf(value: torch.Tensor, requires_grad: bool = True) -> torch.Tensor:
    """A fresh leaf tensor for the student, cloned from the grader's input."""
    return value.detach().clone().requires_grad_(requires_grad)


_GRAPH_TASK = torch._C._current_graph_task_id  # the running backward pass's id (-1 outside one); taken at import
_FRAME = sys._getframe  # who reads a saved value: the engine (its Python caller is the counting engine's run_backward)
# or any other code (``node._saved_self`` in a hook of another backward pass: red team 58 had every value of two graphs
# "read twice"; red team 60 had contextlib's ExitStack call hasattr for it, a library caller)


@contextlib.contextmanager
def saved_for_backward() -> Iterator[dict[str, int]]:
    """Counts, while the block runs, the values autograd saves for a backward pass (``saved``: a graph is being
    built), how often a backward pass reads them (``read``), how many of them more than one backward pass read
    (``reread``) and how many exactly one read (``once``: one graph back-propagated twice has none), how many only
    other code read during a backward pass (``uncounted``: ``torch.ops.aten.backward`` and TorchScript run the engine
    past its counting ``run_backward``, red team 61), the saved-tensor hooks the block pushes or pops itself
    (``own_hooks``: under them autograd's saves bypass these counts, and a pop with no push of the block's takes this
    block's own hooks off, red team 76; a thread the block starts is counted like the block), the custom
    ``autograd.Function`` nodes made (``functions``), and the threads the submission started outside any block still
    running when it starts (``threads``: they save under no hook of the block's, red team 22). A read outside any
    backward pass (a ``_saved_*`` attribute looked at), or by other code than the engine during one (a hook of another
    pass that looks at them), is not a backward's read."""
    counts = {"saved": 0, "read": 0, "reread": 0, "once": 0, "own_hooks": 0, "threads": len(UNCOUNTED), "functions": 0}
    functions = FUNCTIONS["made"]
    passes: list[set[int]] = []  # per saved value, the backward passes that read it
    others: set[int] = set()  # the saved values other code read during a backward pass (the engine, not counted)

    def save(value: torch.Tensor) -> list[Any]:
        counts["saved"] += 1
        passes.append(set())
        packed = [len(passes) - 1, value, None]  # (the custom Function node it is saved for: _install_function_counter)
        if _APPLYING.__dict__.get("saves") is not None:
            _APPLYING.saves.append(packed)
        return packed

    def read(packed: list[Any]) -> torch.Tensor:
        task = _GRAPH_TASK()
        if task >= 0 and _by_the_engine(_FRAME(1).f_code, packed[2]):
            counts["read"] += 1
            passes[packed[0]].add(task)
        elif task >= 0:
            others.add(packed[0])
        return packed[1]

    first = backward_pass_mark()  # (the passes of this block: a read by any other is made up, red team 99)
    with torch.autograd.graph.saved_tensors_hooks(save, read):
        before = HIDDEN_GRAPHS["pushed"] + HIDDEN_GRAPHS["popped"]  # after this block's own push
        COUNTING.append((save, read))  # for the threads the block starts
        try:
            yield counts
        finally:
            COUNTING.remove((save, read))
            counts["own_hooks"] = HIDDEN_GRAPHS["pushed"] + HIDDEN_GRAPHS["popped"] - before
            counts["functions"] = FUNCTIONS["made"] - functions
            last = backward_pass_mark()
            passes[:] = [_passes_in(readers, first, last) for readers in passes]
            counts["reread"] = sum(len(readers) > 1 for readers in passes)
            counts["once"] = sum(len(readers) == 1 for readers in passes)
            counts["uncounted"] = sum(1 for index in others if not passes[index])


def _passes_in(readers: Any, first: int | None, last: int | None) -> set[int]:
    """The backward passes (their ids) in ``readers`` that ran between the marks ``first`` and ``last``: the
    engine numbered them (:func:`backward_pass_mark`); none when a mark could not be taken."""
    if type(readers) is not set or first is None or last is None:
        return set()
    return {task for task in readers if type(task) is int and first < task < last}


INTO: list[tuple[torch.Tensor, Any]] = []  # the gradients_into blocks now open: (the leaf, what a delivery calls)
_HANDED = itertools.count()  # keys of the passes whose gradients the engine handed back (no graph task read then)


@contextlib.contextmanager
def gradients_into(t: torch.Tensor) -> Iterator[dict[str, Any]]:
    """The backward passes that deliver a gradient into the leaf ``t`` while the block runs (``passes``, counted
    once each), the sum of what they delivered (``delivered``, float64, ``None`` for nothing), what the latest of them
    delivered and differentiated (``last``, ``last_root``: what ``t.grad`` holds where the code clears it before each
    pass) and the sum of what those that add into ``t.grad`` delivered (``accumulated``: not ``torch.autograd.grad``'s
    or ``torch.func``'s, which hand their gradient back: :func:`_handed_back`), and per pass, the first
    :data:`MAX_ROOTS`, what it differentiated (``root``, :func:`differentiated`) and whether it adds into ``t.grad``
    (``accumulates``). The hook is ``t``'s first, so it sees what the engine computed before any hook of the
    submission's; a ``t.grad`` that started empty and that only backward passes wrote holds ``accumulated`` afterwards,
    or ``delivered`` where the code set it to the sum of the gradients handed back (red team 63 set ``x.grad`` by hand
    and back-propagated twice through an unrelated graph)."""
    record: dict[str, Any] = {"passes": 0, "delivered": None, "accumulated": None}
    tasks: dict[Any, tuple[bool, float | None]] = {}
    last: list[Any] = [None, None, None]  # the latest pass, what it delivered and what it differentiated

    def add(key: Any, adds: bool, root: float | None, grad: torch.Tensor) -> None:
        tasks.setdefault(key, (adds, root))
        value = value_of(grad)
        for name in ("delivered", "accumulated") if adds else ("delivered",):
            record[name] = value.clone() if record[name] is None else record[name] + value
        last[:] = [key, last[1] + value if last[0] is not None and last[0] == key else value.clone(), root]

    def hook(grad: torch.Tensor) -> None:
        running = running_pass()
        if running is not None and not running["accumulates"]:
            return  # (what it hands back, the engine's answer says: _handed_back)
        add(_GRAPH_TASK(), True, None if running is None else differentiated(running), grad)

    handle, entry = _REGISTER_HOOK(t, hook), (t, add)
    INTO.append(entry)
    try:
        yield record
    finally:
        handle.remove()
        INTO[:] = [other for other in INTO if other is not entry]
        record["passes"], record["last"], record["last_root"] = len(tasks), last[1], _floats([last[2]])
        kept = list(tasks.values())[:MAX_ROOTS]
        record[ROOT] = _floats([root for _, root in kept])
        record["accumulates"] = torch.tensor([adds for adds, _ in kept], dtype=torch.bool)


def _handed_back(running: dict[str, Any], inputs: Any, answer: Any) -> None:
    """What a pass that hands its gradients back (``torch.autograd.grad``, ``torch.func.grad``: the engine's answer,
    one per input) gave each leaf a :func:`gradients_into` block watches: an input that is that leaf, or wraps it
    (``torch.func`` wraps its inputs level by level; fairness 27 stored ``torch.func.grad``'s answer in ``.grad``)."""
    if not INTO or type(answer) is not tuple:
        return
    inputs = tuple(inputs) if isinstance(inputs, (tuple, list)) else (inputs,)
    for given, grad in zip(inputs, answer):
        base = given
        while is_tensor(base) and _WRAPPED(base):
            base = _UNWRAPPED(base)
        for leaf, add in list(INTO):
            if base is leaf and is_tensor(grad):
                try:  # (a value no reading gets is no delivery: the student's call goes on as torch answered it)
                    add(("handed", next(_HANDED)), False, differentiated(running), grad)
                except Exception:
                    pass


MAX_ROOTS = 64  # what the passes into a leaf differentiated, the first so many
WATCHED_PASSES = 64  # backward passes a probe's deliveries_to watches in one call (jacobian's, one per element; a loss
# split per sample, one per part)


_SEQUENCE = torch._C._autograd._get_sequence_nr  # how many graph nodes this thread has made (autograd numbers each)


def os_threads(_audit: Any = sys.audit, _event: str = KERNEL_THREADS) -> tuple[int | None, int | None]:
    """What the kernel says of this process's threads, as the wall reads it (:mod:`.wall`, the event
    :data:`KERNEL_THREADS`) where the child runs in the sandbox's own pid namespace: how many are alive (the child is
    one thread, forked from one) and the last process id the namespace gave out. A thread of the submission's started
    past the counting (red team 100 reached the real ``start_new_thread`` in the wrapper's closure) is alive while it
    runs and takes an id as it starts; no Python object sets either back, and the wall holds the reading in its
    closures. (What it calls it holds as positional defaults, which no code can change in the child. None: not
    read.)"""
    found: list[Any] = []
    _audit(_event, found)
    return found[0] if found else (None, None)


GRAPH_BLOCKS: list[dict[str, Any]] = []  # the graph_nodes blocks now open, innermost last


def _nonnegative(added: Any, _len: Any = len, _type: Any = type, _set: Any = set, _int: Any = int) -> int:
    """What a block's record adds to the nodes autograd numbered on this thread (held in C, never lowered): its count
    of nodes other threads made or of threads still running, and nothing when the record went below zero or is no
    count (red team 99 lowered ``made`` by the nodes it had just made)."""
    added = _len(added) if _type(added) is _set else added
    return added if _type(added) is _int and added > 0 else 0


def graph_nodes() -> "GraphNodes":
    """Counts, while the block runs, the graph nodes made (``made``), by autograd's own numbering of the nodes each
    thread makes: a graph built of operations that save no tensor for backward (a Python float times ``w[i]``,
    ``torch.stack``) is a graph all the same (red team 61 built one in exercise 4's ``predict`` and detached it), and
    so is one built where no torch function mode sees (``apply_``'s callback, an index's ``__index__``, a weakref's
    callback run inside a torch call: red teams 63 to 65), and so is the node a custom ``autograd.Function`` is
    numbered for where it joins none (under ``no_grad``: telling that one from a node a class of the file's own
    made in its place, red team 89, is not done). A thread the block starts adds its own (:func:`_counted_start`); one
    still running when the block ends counts as a node (red team 66 built the graph in a thread that outlived
    ``predict``, its count added too late). And, as the kernel says (:func:`os_threads`), the most threads alive at
    its start or end (``os_threads``) and how many tasks were started meanwhile (``threads_started``): a thread
    started past the counting makes nodes numbered out of this thread's view."""
    return GraphNodes()


class GraphNodes:
    """:func:`graph_nodes`'s block: what its exit reads after the submission's code ran it holds as defaults (not a
    generator-based context manager: ``contextlib`` resumes one through ``next``, a name of the builtins)."""

    def __enter__(self, _sequence: Any = _SEQUENCE, _threads: Any = os_threads, _blocks: Any = GRAPH_BLOCKS,
                  _set: Any = set) -> dict[str, Any]:
        self.block: dict[str, Any] = {"made": 0, "running": _set()}
        _blocks.append(self.block)
        self.start, self.before, self.counts = _sequence(), _threads(), {"made": 0}
        return self.counts

    def __exit__(self, kind: Any, error: Any, trace: Any, _sequence: Any = _SEQUENCE, _threads: Any = os_threads, _blocks: Any = GRAPH_BLOCKS,
                 _positive: Any = _nonnegative, _max: Any = max) -> bool:
        after, before, block, counts = _threads(), self.before, self.block, self.counts
        _blocks.remove(block)
        self.end, self.after = _sequence(), after
        counts["made"] = self.end - self.start + _positive(block.get("made")) + _positive(block.get("running"))
        unread, unasked = -1 in (before[0], after[0]), None in (before[0], after[0])  # (-1: the kernel not read)
        counts["os_threads"] = None if unasked else -1 if unread else _max(before[0], after[0])
        counts["threads_started"] = None if unasked else -1 if unread else after[1] - before[1]
        return False


def call_by_hand(module: Any, name: str, *args: Any, evaluates: tuple[str, ...] = (),
                 own_values: tuple[str, ...] = ()) -> dict[str, Any]:
    """:func:`call` for a function that must not use autograd (:func:`_call_by_hand`); ``evaluated``: how it worked
    the derivative out from the values of the exercise's functions named in ``evaluates`` and ``own_values``
    (:class:`Evaluations`), or ``None``."""
    with Evaluations(module, evaluates, args, own_values) as seen:
        outcome = _call_by_hand(module, name, args)
    outcome["evaluated"] = seen.found
    return outcome


def _fresh(args: tuple[Any, ...], _tensor: Any = tensorbase.TENSOR, _clone: Any = tensorbase.CLONE,
           _type: Any = type, _tuple: Any = tuple) -> tuple[Any, ...]:
    """Copies of a by-hand call's tensors (the probe's plain inputs) for its first call: a function that changes its
    inputs in place gets the same inputs in both calls."""
    copies = []
    for value in args:
        copies.append(_clone(value) if _type(value) is _tensor else value)
    return _tuple(copies)


_COMPARED = ("type", "shape", "dtype", "value", "items", "length")  # what a check reads of a description


def same_values(first: Any, second: Any, _keys: Any = _COMPARED, _tensor: Any = tensorbase.TENSOR,
                _plain: Any = tensorbase.PLAIN, _shape: Any = tensorbase.SHAPE, _dtype: Any = tensorbase.DTYPE,
                _same: Any = torch.equal, _equal: Any = torch.eq, _nan: Any = torch.isnan, _or: Any = torch.logical_or,
                _and: Any = torch.logical_and, _all: Any = torch.all, _type: Any = type, _bool: Any = bool,
                _len: Any = len, _zip: Any = zip, _dict: Any = dict, _list: Any = list) -> bool:
    """Two descriptions (:func:`describe`, made by this module as each call returned: the values a check reads, copied
    then, tensors of at most :data:`MAX_ELEMENTS`) say the same of what a check reads: type, shape, dtype, values
    (tensors equal element by element, NaN where the other has NaN), items and length. (What it calls it holds as
    positional defaults: it runs after the submission's function.)"""
    pairs = [(first, second)]
    while pairs:
        a, b = pairs.pop()
        if _type(a) is _tensor or _type(b) is _tensor:
            if _type(a) is not _type(b):
                return False
            with _plain():
                if _shape(a) != _shape(b) or _dtype(a) != _dtype(b) or not _same(a, b) and \
                        not _bool(_all(_or(_equal(a, b), _and(_nan(a), _nan(b))))):  # (torch.equal: NaN is no NaN)
                    return False
        elif _type(a) is _dict and _type(b) is _dict:
            for key in _keys:
                if (key in a) != (key in b):
                    return False
                if key in a:
                    pairs.append((a[key], b[key]))
        elif _type(a) is _list and _type(b) is _list:
            if _len(a) != _len(b):
                return False
            for pair in _zip(a, b):
                pairs.append(pair)
        elif _type(a) is not _type(b) or not (a == b or (a != a and b != b)):  # (plain data: str, numbers, None)
            return False
    return True


def _merged(one: Any, two: Any, add: bool, _type: Any = type, _int: Any = int, _max: Any = max) -> Any:
    """What a by-hand function's two calls counted, together: ``add``-ed, or the larger; ``None`` (not counted) or -1
    (the kernel not read) where either is."""
    if one is None or two is None:
        return None
    if _type(one) is not _int or _type(two) is not _int or -1 in (one, two):
        return -1
    return one + two if add else _max(one, two)


# What a by-hand call's first run runs under: autograd's dispatch keys excluded (torch's ``AutoDispatchBelowAutograd``,
# held in C for the thread), and how to read that they still are. No operation then records a graph or carries a
# forward-mode tangent, by any spelling (red team 101 took a tangent at the child's own level with torch's raw
# ``_make_dual``), and ``torch.autograd.functional`` finds nothing to differentiate.
AUTOGRAD_OFF = (torch._C._AutoDispatchBelowAutograd, torch._C._dispatch_tls_is_dispatch_key_excluded,
                torch._C.DispatchKey.AutogradFunctionality)


# What the top level's run with autograd off excludes besides autograd's keys: functorch's layers, whose transforms
# (``torch.func.grad``, ``vjp``, ``jacrev``) force autograd's keys back on for their work; without them such a
# transform differentiates nothing there (zeros), and a demo of it at the top level costs nothing (fairness 45).
FUNCTORCH_LAYERS = torch._C.DispatchKeySet(torch._C.DispatchKey.FuncTorchDynamicLayerFrontMode) | \
    torch._C.DispatchKeySet(torch._C.DispatchKey.FuncTorchDynamicLayerBackMode)
TOP_LEVEL: dict[str, Any] = {}  # what :class:`TopLevelOff` found while the top level ran; every by-hand call carries it
# Where the last counted stretch ended (:class:`TopLevelOff` starts it; each by-hand call carries it on): the engine's
# pass mark, this thread's graph node number, the kernel's last thread id, the count of forward-mode duals made.
CHAIN: dict[str, Any] = {}


class TopLevelOff:
    """The submission's top level, run before a by-hand call with autograd switched off (the child's first run of it):
    no answer of autograd's then exists in the process when the by-hand function runs, whatever the top level would have
    kept of one (red teams 170 to 177 wrote them into freed memory, library caches, a registry, an enum's members). Its
    block holds :data:`AUTOGRAD_OFF` (no graph recorded, no tangent carried, by any spelling, so ``backward()``
    raises) and functorch's layers off (:data:`FUNCTORCH_LAYERS`), forward-mode AD's one level (``dual_level``,
    ``torch.func.jvp`` are refused), and runs every thread the top level starts switched off too. Whatever still gets
    autograd's work done, and anything that runs after the block and before the by-hand call (red team 178: a
    finalizer the grader's own emptying of ``re``'s cache ran, with autograd on), is counted from the block's
    start to the by-hand function's call, with no gap (:data:`CHAIN`, :func:`_outside`): backward passes by the
    engine's own numbering, this thread's graph nodes, threads started after the block, forward-mode duals (its own
    threads run switched off, and ``inference_mode(False)``, which would put the keys back, is refused in every thread
    while it runs: :func:`install_autograd_counter`). :data:`TOP_LEVEL` says whether the keys were still excluded and
    the level still held at the end, and whether a thread of its still runs. (What it calls after the submission's
    code ran it holds as positional defaults.)"""

    def __enter__(self, _mark: Any = backward_pass_mark, _enter: Any = torch._C._enter_dual_level,
                  _off: Any = AUTOGRAD_OFF, _flag: Any = TOP_LEVEL_OFF, _chain: Any = CHAIN,
                  _sequence: Any = _SEQUENCE, _calls: Any = AUTOGRAD_CALLS,
                  _exclude: Any = torch._C._ExcludeDispatchKeyGuard, _layers: Any = FUNCTORCH_LAYERS,
                  _kept: Any = KEYS_KEPT_OFF, _failed: Any = Exception) -> "TopLevelOff":
        try:
            self.level = _enter()
        except _failed:  # (nothing of the submission's has run in this child: no level can be open)
            self.level = None
        _chain.clear()
        _chain.update(mark=_mark(), sequence=_sequence(), duals=_calls["grad"], pid=None)
        self.guard, self.layers = _off[0](), _exclude(_layers)
        self.guard.__enter__()
        self.layers.__enter__()
        _flag[0] = _kept[0] = True
        return self

    def __exit__(self, kind: Any, error: Any, trace: Any, _exit: Any = torch._C._exit_dual_level,
                 _off: Any = AUTOGRAD_OFF, _flag: Any = TOP_LEVEL_OFF, _record: Any = TOP_LEVEL, _chain: Any = CHAIN,
                 _threads: Any = UNCOUNTED, _kernel: Any = os_threads, _len: Any = len, _kept: Any = KEYS_KEPT_OFF,
                 _failed: Any = Exception) -> bool:
        _flag[0] = _kept[0] = False
        still = _off[1](_off[2])
        self.layers.__exit__(None, None, None)
        self.guard.__exit__(None, None, None)
        _chain["pid"] = _kernel()[1]  # (the threads its own code started ran switched off: counted from here on)
        held = self.level is not None
        if held:
            try:
                _exit(level=self.level)
            except _failed:  # (the submission closed it, and perhaps opened its own)
                held = False
        _record.clear()
        _record.update(ran=True, autograd_off=still, level_held=held, threads=_len(_threads))
        return False


def _outside(calls: list[dict[str, Any]], blocks: list[Any], _chain: Any = CHAIN, _between: Any = passes_between,
             _calls: Any = AUTOGRAD_CALLS, _positive: Any = _nonnegative, _type: Any = type, _int: Any = int,
             _len: Any = len, _range: Any = range) -> dict[str, Any]:
    """What ran outside a by-hand call's counted windows since the last stretch ended (:data:`CHAIN`: the top level's
    run with autograd off, or the by-hand call before this one): backward passes between the chain's mark and the
    first call's, and between one call's last mark and the next call's first (``calls``: the :func:`_call` outcomes in
    order; None where a mark is missing); graph nodes this thread made before each :class:`GraphNodes` block
    (``blocks``) and between them; threads started meanwhile (the kernel's last id; None where not read); forward-mode
    duals made since. Carries the chain on to the last of them."""
    if not _chain:
        return {"chained": False}
    marks = [_chain.get("mark")] + [mark for call in calls for mark in call.get("_marks", (None, None))]
    passes = 0
    for index in _range(0, _len(marks) - 1, 2):
        gap = _between(marks[index], marks[index + 1]) if marks[index + 1] is not None else None
        passes = None if gap is None or passes is None else passes + gap
    nodes, pid, threads = 0, _chain.get("pid"), 0
    sequence = _chain.get("sequence")
    for block in blocks:
        nodes += _positive(block.start - sequence) if _type(sequence) is _int else 1
        before, after = block.before[1], block.after[1]
        threads = None if threads is None or (pid is not None and _type(before) is not _int) else \
            threads + (before - pid if pid is not None and before > pid else 0)
        sequence, pid = block.end, after if _type(after) is _int else None
    duals = _calls["grad"] - _chain.get("duals", 0)
    _chain.update(mark=marks[-1], sequence=sequence, pid=pid, duals=_calls["grad"])
    return {"chained": True, "passes": passes, "nodes": nodes, "threads": threads, "duals": duals}


def top_level_record(_record: Any = TOP_LEVEL, _dict: Any = dict) -> dict[str, Any]:
    """What :class:`TopLevelOff` found (``{"ran": False}`` where the top level did not run switched off)."""
    return _dict(_record) if _record else {"ran": False}


MAX_POINT, MAX_SLICES, MAX_POINTS = 1 << 16, 1 << 12, 64  # elements read of one argument, slices compared, points
NEAR, APART, ROUNDING = 2e-3, 5e-2, 64  # a number this share of its input's size from it at most, a tensor APART
# of it; further than ROUNDING of its dtype's eps (1e-12 at least): a step from it


class Evaluations:
    r"""Where the exercise's own functions are called while a by-hand function runs: a derivative worked out from the
    function's values instead of its formula (red teams 239 to 242), a finite difference $f'(x) \approx
    (f(x + h) - f(x - h)) / 2h$ or a complex step $f'(x) \approx \operatorname{Im} f(x + ih) / h$.

    Each of ``names`` (``polynomial``, ``forward``, ``layer``) is called a step from its inputs where a float argument
    is a step from one of the by-hand call's ``inputs`` of its shape, or from a slice of one (a row of ``x``), or
    holds slices that are (perturbations stacked in one call): each value equal to the input's at the same place, or
    within :data:`APART` of its size (:data:`NEAR` of it for a single number), those not equal moved by one step
    (:func:`_stepped`, :func:`_one_step`);
    also where an argument cannot be read. Each of ``own_values`` (``loss``, which an honest function may call on a
    ``z`` of its own) at two points a step apart (:func:`_compared`). A complex point, always. ``found`` says which,
    else ``None`` (fairness 72: calls at constants, at ``-w``, at the handout's ``x = 2``, of ``layer`` as a matrix
    product are none). The functions are wrapped where the module holds them (its names, its functions' defaults:
    ``f=polynomial``) while it is entered, put back after; a reference held elsewhere (a closure) is not seen."""

    def __init__(self, module: Any, names: tuple[str, ...], inputs: tuple[Any, ...],
                 own_values: tuple[str, ...] = ()) -> None:
        self.module, self.names, self.own_values, self.found = module, names, own_values, None
        self.inputs = [point for point in map(_read, inputs) if type(point) is tuple]
        self.points: dict[str, list[Any]] = {}
        self.undo: list[tuple[Any, str, Any]] = []

    def beside(self, point: tuple[Any, Any]) -> bool:
        """``point`` is a step from an input (:class:`Evaluations`): compared with each input of its shape, each slice
        of one that has its shape, or, where it stacks slices of an input's shape, each of them; not where it is one
        of those slices itself (``x[i]``)."""
        kind, value = point
        for other, given in self.inputs:
            pairs = _aligned(value, given)
            low = _lower(kind, other)
            if value.dim() < given.dim() and any(torch.equal(a.to(low), b.to(low)) for a, b in pairs):
                continue  # (x[i] itself; a stencil stacked with x among its slices is still read: walkthrough 75)
            if any(_stepped(a, b, kind, other) for a, b in pairs):
                return True
        return False

    def __enter__(self) -> "Evaluations":
        space = getattr(self.module, "__dict__", {})
        originals = {name: space[name] for name in (*self.names, *self.own_values) if callable(space.get(name))}
        wrapped = {id(function): self.wrapped(name, function) for name, function in originals.items()}
        for key, value in list(space.items()):
            if id(value) in wrapped:
                self._set(self.module, key, wrapped[id(value)])
            elif type(value) is types.FunctionType:
                if any(id(item) in wrapped for item in value.__defaults__ or ()):
                    self._set(value, "__defaults__", tuple(wrapped.get(id(item), item) for item in value.__defaults__))
                if any(id(item) in wrapped for item in (value.__kwdefaults__ or {}).values()):
                    self._set(value, "__kwdefaults__", {name: wrapped.get(id(item), item)
                                                        for name, item in value.__kwdefaults__.items()})
        return self

    def _set(self, owner: Any, name: str, value: Any) -> None:
        self.undo.append((owner, name, getattr(owner, name)))
        setattr(owner, name, value)

    def __exit__(self, *_: Any) -> None:
        for owner, name, value in reversed(self.undo):
            setattr(owner, name, value)

    def wrapped(self, name: str, function: Any) -> Any:
        """``function``, noting where it is called first."""
        def evaluated(*args: Any, **kwargs: Any) -> Any:
            try:
                self.note(name, (*args, *kwargs.values()))
            except Exception:
                pass  # (an argument no point is read of: nothing noted)
            return function(*args, **kwargs)
        return evaluated

    def note(self, name: str, arguments: tuple[Any, ...]) -> None:
        """Read one call of ``name`` at ``arguments`` (:class:`Evaluations`)."""
        if self.found is not None:
            return
        points = [point for point in map(_read, arguments) if point is not None]
        if "complex" in points:
            self.found = f"{name}() at a complex point (a complex step)"
        elif name in self.own_values:
            seen = self.points.setdefault(name, [])
            key = [point for point in points if point != "unread"]
            if any(_compared(key, other) == "step" for other in seen):
                self.found = f"{name}() at two points a step apart (a finite difference)"
            elif all(_compared(key, other) != "same" for other in seen):
                seen[:] = [*seen, key][-MAX_POINTS:]  # (the latest: junk calls first leave a pair a step apart seen)
        elif "unread" in points:
            self.found = f"{name}() with an argument the grader cannot read (an array of objects, or over " \
                         f"{MAX_POINT:,} values), so that no call of it can be told from a finite difference's"
        elif any(self.beside(point) for point in points):
            self.found = f"{name}() at a point a small step from its inputs (a finite difference)"


def _read(value: Any) -> Any:
    """:func:`_point`, ``"unread"`` where reading the value raised (a class of its own's dispatch, an odd array)."""
    try:
        return _point(value)
    except Exception:
        return "unread"


def _point(value: Any) -> Any:
    """``value`` as a point: ``"complex"``; a real tensor's ``(dtype, its values as a float64 copy)`` (a Python
    number's, of a subclass of its own too, a numpy array's or scalar's); ``"unread"`` for one of over
    :data:`MAX_POINT` elements, or a number or array whose values cannot be read (an array of objects: red team 241
    called the function at ``float`` subclasses); ``None`` for what is no number (None, a string, a bool, an int or
    bool tensor, a list)."""
    numpy = sys.modules.get("numpy")
    if value is None or isinstance(value, (bool, str, bytes)):
        return None
    if isinstance(value, complex):
        return "complex"
    if numpy is not None and isinstance(value, (numpy.ndarray, numpy.generic)):
        if value.dtype.kind == "c":
            return "complex"
        if value.dtype.kind not in "f":
            return None if value.dtype.kind in "biu" else "unread"
        if value.size > MAX_POINT:
            return "unread"
        kind = torch.float32 if value.dtype == numpy.float32 else torch.float64
        return kind, torch.tensor(numpy.asarray(value, dtype=numpy.float64).tolist(), dtype=torch.float64)
    if isinstance(value, (int, float)) or isinstance(value, numbers.Number) and not is_tensor(value):
        return torch.float64, torch.tensor(float(value), dtype=torch.float64)  # (Fraction, Decimal: float() or it
    if not is_tensor(value):  # raises, read as "unread")
        return None
    tensor = plain_tensor(value)
    with tensorbase.PLAIN():
        if tensor.is_complex():
            return "complex"
        if not tensor.is_floating_point() or tensor.layout != torch.strided:
            return None
        if tensor.numel() > MAX_POINT:
            return "unread"
        return tensor.dtype, tensor.detach().to(torch.float64, copy=True)


def _aligned(value: torch.Tensor, given: torch.Tensor) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """The pairs of one shape to compare an argument ``value`` with an input ``given`` by: the two, where they have one
    shape; each of ``given``'s slices of ``value``'s shape (a row of ``x``, an element); each of ``value``'s of
    ``given``'s (perturbations stacked); none otherwise (at most :data:`MAX_SLICES`)."""
    if value.shape == given.shape or value.numel() == given.numel() > 1:
        return [(value.reshape(given.shape), given)]  # (x.reshape(-1) + h: walkthrough 75)
    inner, outer = (value, given) if value.dim() < given.dim() else (given, value)
    if inner.dim() == outer.dim() or tuple(outer.shape[outer.dim() - inner.dim():]) != tuple(inner.shape) or \
            inner is value and value.numel() == 1:
        return []  # (a lone number beside an input's elements: a constant, polynomial(2.0), is no step of one)
    slices = outer.reshape(-1, *inner.shape)[:MAX_SLICES]
    return [(value, piece) if outer is given else (piece, given) for piece in slices]


def _stepped(value: torch.Tensor, given: torch.Tensor, kind: Any, other: Any) -> bool:
    """``value`` is a step from ``given`` (one shape): each value equal to its place's (at the lower precision of the
    two, or within the argument's rounding, :func:`_rounding`) or within :data:`APART` of ``given``'s size (a single
    number: within :data:`NEAR` of its own), and those not equal moved by one step (:func:`_one_step`)."""
    low = _lower(kind, other)
    if not bool(torch.isfinite(value).all() and torch.isfinite(given).all()) or given.numel() == 0:
        return False
    gap = (value - given).abs()
    same = (value.to(low) == given.to(low)) | (gap <= _rounding(kind) * given.abs())
    near = gap <= (APART * float(given.abs().max()) if given.numel() > 1 else NEAR * given.abs())
    return bool((same | near).all()) and not bool(same.all()) and _one_step(value - given, given, ~same)


def _one_step(moved_by: torch.Tensor, given: torch.Tensor, moved: torch.Tensor) -> bool:
    r"""The values ``moved`` (a mask) were moved by one step $h$: one value, or each by the same $|h|$, or by the same
    share of its size, $|h|\,|x|$ or $|h|\,(1 + |x|)$ (a relative step, ``x * 0.999`` too). Values rounded, or moved
    by a gradient step, are not (fairness 73: ``x.round(decimals=3)``, a loss after a descent step)."""
    steps, sizes = moved_by[moved].abs(), given[moved].abs()
    if steps.numel() <= 1:
        return True
    for share in (steps, steps / sizes.clamp(min=1e-300), steps / (1 + sizes)):
        if float(share.max() - share.min()) <= 1e-3 * float(share.max()):  # (a float32 step's rounding too)
            return True
    return False


def _rounding(dtype: Any) -> float:
    """The share of a value's size two computations of it in ``dtype`` may differ by: :data:`ROUNDING` eps, and no
    less than 1e-12 (a finite difference's step is larger)."""
    return max(ROUNDING * _eps(dtype), 1e-12)


def _lower(one: Any, two: Any) -> Any:
    """The lower precision of two dtypes: values compared there are equal where one is the other cast
    (``x.float()`` of a float64 ``x`` is ``x``)."""
    return one if _eps(one) >= _eps(two) else two


def _eps(dtype: Any) -> float:
    return torch.finfo(dtype).eps if dtype.is_floating_point else 0.0


def _compared(one: list[Any], two: list[Any]) -> str:
    """Two calls' points: ``"same"`` (their values equal at the lower precision of each pair, or within its rounding
    of their size, :func:`_rounding`: fairness 72's z by hand beside layer's), ``"step"`` (the same shapes, every value
    within :data:`APART` of their size, those that are not the same moved by one step, :func:`_one_step`, in a tensor
    of two values or more) or ``"other"``."""
    if len(one) != len(two):
        return "other"
    said = "same"
    for (kind, a), (other, b) in zip(one, two):
        low = _lower(kind, other)
        if a.shape != b.shape:
            return "other"
        if torch.equal(a.to(low), b.to(low)):
            continue
        if not bool(torch.isfinite(a).all() and torch.isfinite(b).all()):
            return "other"
        gap, size = float((a - b).abs().max()), float(torch.maximum(a.abs().max(), b.abs().max()))
        if gap <= _rounding(low) * size:
            continue
        moved = (a - b).abs() > _rounding(low) * size
        if gap > APART * size or a.numel() == 1 or not _one_step(a - b, b, moved):
            return "other"  # (fairness 73: the losses of two logits of one label, of z after a descent step)
        said = "step"
    return said


def _call_by_hand(module: Any, name: str, args: tuple[Any, ...], _call: Any = _call, _nodes: Any = GraphNodes,
                  _fresh: Any = _fresh, _same: Any = same_values, _merged: Any = _merged,
                  _asked: Any = _asked_for_forward_mode, _enter: Any = torch._C._enter_dual_level,
                  _exit: Any = torch._C._exit_dual_level, _off: Any = AUTOGRAD_OFF, _max: Any = max, _len: Any = len,
                  _failed: Any = Exception, _top: Any = top_level_record,
                  _between_calls: Any = _outside) -> dict[str, Any]:
    """:func:`call` for a function that must not use autograd, given plain tensors: also the graph nodes made while it
    ran (``graph_nodes``; :class:`GraphNodes`). Its honest arithmetic makes none; a graph built on inputs it switched
    gradients on for is autograd's machinery even when no engine runs (red team 68 called the nodes itself); the
    threads the submission started outside any counted block that were running meanwhile (``threads``: red team 69
    had one started at import do the autograd, numbered on its own thread) and what the kernel says of threads. It runs
    while the child holds forward-mode AD's one level (torch supports one at a time): a level the function asks for
    (``forward_ad.dual_level``, ``torch.func.jvp``, ``jacfwd``) is refused by torch, and then it runs again for its
    values (``forward_mode``; red team 100 set forward mode's count in Python back); ``dual_level_open``: the
    submission held one itself. It runs twice: first on copies of its inputs with autograd switched off below Python
    (:data:`AUTOGRAD_OFF`), where arithmetic runs as ever and autograd's work fails or finds nothing, then with it on
    (the level still held), which the checks of its values judge; ``needs_autograd`` (with ``autograd_off_error``,
    what the first raised) says the first raised or described other values (:func:`same_values`, of the copies
    :func:`describe` made as each returned) where the second raised nothing. Every count is of both calls (red team
    102 kept its first call's counts out of view). ``top_level``: what the top level's run with autograd off found
    (:class:`TopLevelOff`), and what ran outside the counted windows since it, or since the by-hand call before
    (``outside``, :func:`_outside`). (What it calls after the function ran it holds as positional defaults.)"""
    running, held, level, blocks = _len(UNCOUNTED), True, None, [_nodes()]
    try:
        level = _enter()
    except _failed:
        held = False
    try:
        with blocks[0] as nodes:  # (one block for both calls: what the kernel says is read once before and after)
            outcome = first = _call(module, name, _fresh(args), _off)
            asked = held and _asked(first)
            if not asked:
                outcome = _call(module, name, args)
    finally:
        if held:
            try:
                _exit(level=level)
            except _failed:
                pass
    if asked:  # (a level of its own: its values as it computes them with it)
        blocks.append(_nodes())
        with blocks[1] as again:
            outcome = _call(module, name, args)
        nodes = {"made": nodes["made"] + again["made"], "os_threads": _merged(nodes["os_threads"], again["os_threads"],
                 False), "threads_started": _merged(nodes["threads_started"], again["threads_started"], True)}
    outcome["needs_autograd"] = not asked and outcome["exception"] is None and (
        first["exception"] is not None or not _same(first["returned"], outcome["returned"]))
    outcome["autograd_off_error"] = first["exception"] if outcome["needs_autograd"] else None
    outcome["autograd_off"] = first.get("autograd_off") is not False
    outcome["autograd_calls"] = first["autograd_calls"] + outcome["autograd_calls"]
    outcome["backward_passes"] = _merged(first["backward_passes"], outcome["backward_passes"], True)
    outcome["graph_nodes"], outcome["threads"] = nodes["made"], _max(running, _len(UNCOUNTED))
    outcome["dual_level_open"], outcome["forward_mode"] = not held, asked
    outcome["os_threads"], outcome["threads_started"] = nodes["os_threads"], nodes["threads_started"]
    outcome["top_level"] = _top()
    outcome["top_level"]["outside"] = _between_calls([first, outcome], blocks)
    return outcome


def number(value: Any) -> float | None:
    """``value``, a tensor of one real number, as a float (its own class's methods bypassed); None otherwise."""
    if not isinstance(value, torch.Tensor) or value.numel() != 1 or value.is_complex():
        return None
    try:
        return float(value.detach().as_subclass(torch.Tensor).double().reshape(()))
    except Exception:
        return None


def item(outcome: dict[str, Any], index: int) -> Any:
    """The live ``index``-th element of a returned tuple/list, or ``None``."""
    value = outcome.get("_live")
    if isinstance(value, (tuple, list)) and len(value) > index:
        return value[index]
    return None
