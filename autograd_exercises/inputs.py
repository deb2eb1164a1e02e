"""Seeded inputs for checks: several shapes and dtypes, plus the handout's own values.

Made in the trusted process from a ``torch.Generator``; a case is a dict of
plain data with a human ``label`` that feedback quotes ("x of shape (3, 5), float32").
"""

from __future__ import annotations

from typing import Callable, Sequence

import torch

from autograd_exercises.spec import Case

SHAPES: tuple[tuple[int, ...], ...] = ((4,), (3, 5), (2, 3, 4))
DTYPES: tuple[torch.dtype, ...] = (torch.float32, torch.float64)


def uniform(gen: torch.Generator, shape: Sequence[int], dtype: torch.dtype = torch.float64,
            low: float = -2.0, high: float = 2.0) -> torch.Tensor:
    """Uniform values in ``[low, high)``, drawn in float64 then cast, so every dtype sees the same numbers."""
    return (torch.rand(tuple(shape), generator=gen, dtype=torch.float64) * (high - low) + low).to(dtype)


def dtype_name(dtype: torch.dtype) -> str:
    return str(dtype).removeprefix("torch.")


def label(name: str, value: torch.Tensor) -> str:
    """``"x of shape (3, 5), float32"`` (or ``"x = 2.0"`` for a 0-d tensor)."""
    if value.dim() == 0:
        return f"{name} = {float(value):g} ({dtype_name(value.dtype)})"
    return f"{name} of shape {tuple(value.shape)}, {dtype_name(value.dtype)}"


def random_tensors(gen: torch.Generator, name: str = "x", shapes: Sequence[Sequence[int]] = SHAPES,
                   dtypes: Sequence[torch.dtype] = DTYPES, low: float = -2.0, high: float = 2.0) -> list[Case]:
    """One case per (shape, dtype): ``{name: tensor, "label": ...}``."""
    cases = []
    for shape in shapes:
        for dtype in dtypes:
            value = uniform(gen, shape, dtype, low, high)
            cases.append({name: value, "label": label(name, value)})
    return cases


def public(function: Callable[[torch.Generator], list[Case]]) -> Callable[[torch.Generator], list[Case]]:
    """Mark an inputs function whose cases the handout prints (its worked example): a hidden check on them keeps
    no secret, so its call may run beside the visible checks (:attr:`autograd_exercises.spec.Check.secret_inputs`)."""
    function.public = True  # type: ignore[attr-defined]
    return function


def own_stream(function: Callable[[torch.Generator], list[Case]], name: str) -> Callable[[torch.Generator], list[Case]]:
    """``function``'s kind of cases under a ``name`` of their own, hence from a stream of their own
    (:func:`autograd_exercises.grading.check_seed` keys a stream by the inputs function's name).

    A by-hand function takes its cases from one: it is judged on values that no other check's call in the same
    child saw, so a table of what the student's autograd functions computed cannot answer for it.
    """
    def cases(gen: torch.Generator) -> list[Case]:
        return function(gen)

    cases.__name__ = cases.__qualname__ = name
    cases.__module__ = function.__module__
    cases.__doc__ = f"The cases of {function.__qualname__} from a stream of their own (inputs.own_stream)."
    return cases


def fixed(name: str, value: torch.Tensor, note: str = "") -> Case:
    """A case with a given value (the handout's own example)."""
    text = label(name, value) + (f" ({note})" if note else "")
    return {name: value, "label": text}
