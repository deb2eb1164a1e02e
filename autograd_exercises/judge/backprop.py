"""Whether gradients came from backward passes over the function's own output (trusted side).

The child reports, per backward pass, what it delivered into a leaf and what it differentiated
(:func:`autograd_exercises.sandbox.observe.gradients_into`, :func:`~autograd_exercises.sandbox.observe.deliveries_to`,
:func:`~autograd_exercises.sandbox.observe.differentiated`). A ``.grad`` set by hand, or filled by a pass over a graph
built to carry a gradient written by hand (``(x * g).sum()``: it differentiates $\\sum_i x_i g_i$), fails here with the
code ``no-graph``. Every report is read as a forgery until its types and shapes are checked.
"""

from __future__ import annotations

from typing import Any, Sequence

import torch

from autograd_exercises.judge import Fail, real_valued
from autograd_exercises.sandbox import observe

RTOL, ATOL = 1e-4, 1e-5  # a root against its value: float32's rounding of a sum, against the sum of its terms' sizes


def when_right(got: torch.Tensor, expected: torch.Tensor | None, values: Sequence[float], tol: Any) -> tuple[float, ...]:
    """``values``, the roots a right gradient ``got`` must come from; none where ``got`` is wrong (its value check
    charges that, and a pass over the student's own wrong function delivered it all the same)."""
    right = expected is not None and got.shape == expected.shape and not got.is_complex() and torch.allclose(
        got.to(torch.float64), expected.to(torch.float64), rtol=tol.rtol, atol=tol.atol)
    return tuple(values) if right else ()


def filled_by_backward(into: Any, got: torch.Tensor, values: Sequence[float], *, what: str, leaf: str, root: str,
                       passes: int = 1, scale: float | None = None, tol: Any, cleared: bool = False) -> None:
    """``got``, the ``leaf``'s ``.grad`` after ``what`` (empty on entry), was filled by at least ``passes`` backward
    passes and holds what they delivered (``into``, :func:`observe.gradients_into`'s record): what the passes that add
    into ``.grad`` delivered, or, where the code set ``.grad`` to the sum of ``torch.autograd.grad``'s results, what
    every pass delivered (``cleared``: ``.grad`` is cleared before each pass, so it holds what the latest delivered);
    and each of those passes differentiated the function's own ``root``, one of ``values`` (the
    reference's: never a value the student's code reports of itself, which a second call could forge, red team 134;
    within :data:`RTOL` of ``scale``, default the value's size; no ``values``: any root, :func:`when_right`)."""
    into = into if isinstance(into, dict) else {}
    reached = into.get("passes")
    if type(reached) is not int or reached < 0:
        raise Fail(f"what the backward passes of {what} did could not be read", code="no-graph")
    if reached < passes:  # (fairness 66: one torch.autograd.backward over a list of outputs was told "by hand")
        raise Fail(f"{what}: {reached} backward pass(es) reached the {leaf} passed in, where {passes} "
                   f"{'were' if passes > 1 else 'was'} asked for: {leaf}.grad must be filled by "
                   + (f"{passes} backward calls, each through its own {root}: one call over several outputs at once is "
                      "a single pass, and scaling .grad by hand adds none" if reached and passes > 1 else
                      f"backward through {root}, not set or scaled by hand"), code="no-graph")
    adds = into.get("accumulates")
    if not (isinstance(adds, torch.Tensor) and adds.dtype == torch.bool
            and tuple(adds.shape) == (min(reached, observe.MAX_ROOTS),)):
        raise Fail(f"what the backward passes of {what} did could not be read", code="no-graph")
    got = real_valued(got, f"{leaf}.grad after {what}").to(torch.float64)
    every = torch.ones_like(adds)
    for key, made in (("last", every),) if cleared else (("accumulated", adds), ("delivered", every)):
        filled = into.get(key)
        if isinstance(filled, torch.Tensor) and filled.shape == got.shape and not filled.is_complex() and \
                torch.allclose(got, filled.to(torch.float64), rtol=tol.rtol, atol=tol.atol):
            if cleared:  # (the latest pass, whatever came before: red team 172's 65th, past the first 64 read)
                _differentiated(into.get("last_root"), torch.ones(1, dtype=torch.bool), values, scale, what=what,
                                leaf=leaf, root=root)
            return _differentiated(into.get(observe.ROOT), made, values, scale, what=what, leaf=leaf, root=root)
    raise Fail(f"{leaf}.grad after {what} is not what its backward passes put there: it was set or changed by hand; "
               "let the backward calls fill it", code="no-graph")


def _differentiated(roots: Any, made: torch.Tensor, values: Sequence[float], scale: float | None, *, what: str,
                    leaf: str, root: str) -> None:
    """Each pass ``made`` marks differentiated one of ``values`` (``roots``: per pass, what it differentiated; NaN:
    unread)."""
    if not (isinstance(roots, torch.Tensor) and roots.dtype == torch.float64 and roots.shape == made.shape):
        raise Fail(f"what the backward passes of {what} differentiated could not be read", code="no-graph")
    roots = roots[made]
    off = ~of_one(roots, values, scale)
    if bool(off.any()):
        raise Fail(f"a backward pass that filled {leaf}.grad in {what} differentiated {float(roots[off][0]):.6g}, not "
                   f"{root} = {values[0]:.6g}: {leaf}.grad must be filled by backward through {root}, not by a graph "
                   "that carries a gradient written by hand", code="no-graph")


def of_one(roots: torch.Tensor, values: Sequence[float], scale: float | None = None) -> torch.Tensor:
    """Per root, whether it is one of ``values`` within :data:`RTOL` of ``scale`` (default: that value's size); with no
    ``values``, any root read."""
    if not values:
        return ~roots.isnan()
    near = torch.zeros(roots.shape, dtype=torch.bool)
    for value in values:
        near |= (roots - value).abs() <= RTOL * (abs(value) if scale is None else scale) + ATOL
    return near & ~roots.isnan()


def delivered_by_backward(packed: Any, got: torch.Tensor, values: Sequence[float], *, name: str, subject: str,
                          root: str, how: str, code: str, tol: Any, seeded: tuple[float, float] | None = None) -> None:
    """``got`` (``subject``: a returned gradient, a leaf's ``.grad`` afterwards) is what a backward pass delivered
    into a leaf watched as ``name`` while the call ran (:func:`observe.deliveries_to`: the caller's leaf or a copy of
    it, a transposed one for ``nn.Linear``), from one of ``values``, the function's own ``root``: one pass's, or the
    sum over the passes (``jacobian`` differentiates one element per pass, a loss split per sample one part per pass,
    and the sum of their rows and roots is the whole's). Forward mode's answers count as passes where every dual was
    seeded with ones at x (``seeded``: $\\sum_i x_i$ and $\\sum_i |x_i|$). A ``.grad`` set by hand, or a pass over
    something else (red team 125: ``(t * 1).backward()`` beside the derivative written by hand) is none. No
    ``values``: any root (:func:`when_right`: a wrong gradient is the value checks' to charge)."""
    usable, rows, where, roots = _deliveries(packed, name, got.numel(), seeded)
    if usable is None or not bool(usable.any()):
        raise Fail(f"no backward pass delivered {subject} into a leaf shaped like {name}: {how}", code=code)
    expected = real_valued(got, subject).reshape(-1).to(torch.float64)
    near = ((rows - expected).abs() <= tol.atol + tol.rtol * expected.abs()).all(-1)
    if bool((near & of_one(roots, values)[where] & usable[where]).any()) or _scaled(rows, where, roots, usable,
                                                                                    expected, values, tol):
        return
    kept = usable[where]
    total = torch.zeros(rows.shape[1], dtype=torch.float64).add(rows[kept].sum(0))
    every = set(where[kept].tolist()) == set(torch.nonzero(usable).flatten().tolist())
    if every and bool((total - expected).abs().le(tol.atol + tol.rtol * expected.abs()).all()) and bool(
            of_one(roots[usable].sum().reshape(1), values).all()):
        return
    raise Fail(f"{subject} is not what a backward pass from {root} delivered: {how}", code=code)


def _scaled(rows: torch.Tensor, where: torch.Tensor, roots: torch.Tensor, usable: torch.Tensor,
            expected: torch.Tensor, values: Sequence[float], tol: Any) -> bool:
    """One pass's row, times a number $c$, is ``expected``, and $c$ times its root is one of ``values`` (fairness 28:
    ``polynomial(x).mean().backward()``, then ``x.grad * x.numel()``: the pass differentiated the mean). Only for a
    right gradient (``values``): scaling a pass over anything else changes its root by the same factor."""
    if not values:
        return False
    norms = (rows * rows).sum(-1)
    factor = torch.where(norms > 0, (rows * expected).sum(-1) / norms.clamp_min(1e-300), torch.zeros_like(norms))
    near = ((rows * factor[:, None] - expected).abs() <= tol.atol + tol.rtol * expected.abs()).all(-1)
    return bool((near & of_one(roots[where] * factor, values) & usable[where] & (norms > 0)).any())


def _deliveries(packed: Any, name: str, size: int, seeded: tuple[float, float] | None) -> tuple[Any, Any, Any, Any]:
    """From a report of :func:`observe.packed_deliveries`: which passes count (a forward-mode one only where every
    seed was ones at x), the rows delivered into leaves watched as ``name``, the pass of each, and each pass's root;
    ``(None, …)``: no honest report."""
    nothing = (None,) * 4
    passes = packed.get("passes") if isinstance(packed, dict) else None
    if type(passes) is not int or passes <= 0:
        return nothing
    rows, where, roots, tangent, seeds = (packed.get(key) for key in (name, f"{name}_pass", observe.ROOT,
                                                                        observe.TANGENT, "seeds"))
    if not (isinstance(rows, torch.Tensor) and isinstance(where, torch.Tensor) and isinstance(roots, torch.Tensor)
            and isinstance(tangent, torch.Tensor) and roots.dtype == torch.float64 and roots.shape == (passes,)
            and tangent.dtype == torch.bool and tangent.shape == (passes,) and rows.dim() == 2
            and rows.dtype == torch.float64 and rows.shape[1] == size and where.dtype == torch.int64
            and where.shape == rows.shape[:1] and bool(((where >= 0) & (where < passes)).all())):
        return nothing
    return ~tangent | (seeded is not None and _seeded_at(seeds, seeded)), rows, where, roots


def _seeded_at(seeds: Any, seeded: tuple[float, float]) -> bool:
    """Every dual was seeded with ones at x (its primal's sum and the sum of sizes, ``seeded``): forward mode then gave
    the slope."""
    primal, ones = (seeds.get(key) for key in ("primal", "ones")) if isinstance(seeds, dict) else (None, None)
    if not (isinstance(primal, torch.Tensor) and isinstance(ones, torch.Tensor) and primal.dtype == torch.float64
            and ones.dtype == torch.bool and primal.dim() == 1 and primal.shape == ones.shape and primal.numel()):
        return False
    return bool(ones.all()) and bool(of_one(primal, seeded[:1], seeded[1]).all())
