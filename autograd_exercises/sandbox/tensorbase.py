"""A tensor's autograd state and bytes as torch's C base class gives them, past anything Python code can change.

``torch.Tensor`` is a Python class: code that sets ``torch.Tensor.requires_grad = property(…)`` (a library's class
changed through a function's parameter, which no reading can follow), or gives a tensor class of its own a
``__torch_function__`` after its ``class`` statement, changes what ``t.requires_grad`` or ``t.detach()`` answer
(red team 51: a tracked prediction described as untracked scored full marks). ``TensorBase``, its C base, is an
immutable type: its descriptors and methods, taken here when the zygote loads (before any submission runs) and
called inside :data:`PLAIN` (no ``__torch_function__`` of any subclass or mode runs), answer for torch itself.
The child's description of a returned tensor and the packing of its report use only these.
"""

from __future__ import annotations

import torch

_BASE = torch._C.TensorBase
TENSOR = torch.Tensor  # the class itself, as it was when the zygote loaded
UINT8 = torch.uint8
PLAIN = torch._C.DisableTorchFunction  # a context: torch functions as torch defines them, whatever the tensor


def _get(name: str):
    """``TensorBase``'s own getter of the property ``name``, callable on any tensor."""
    return _BASE.__dict__[name].__get__


REQUIRES_GRAD, GRAD_FN, IS_LEAF, RETAINS_GRAD = map(_get, ("requires_grad", "grad_fn", "is_leaf", "retains_grad"))
SHAPE, DTYPE, LAYOUT, DEVICE, IS_SPARSE = map(_get, ("shape", "dtype", "layout", "device", "is_sparse"))
DETACH, AS_SUBCLASS, TO, CLONE, CONTIGUOUS, NUMEL, DATA_PTR, RESHAPE, VIEW = (_BASE.__dict__[name] for name in (
    "detach", "as_subclass", "to", "clone", "contiguous", "numel", "data_ptr", "reshape", "view"))
_KEYS, _HAS, _PYTHON = torch._C._dispatch_keys, torch._C.DispatchKeySet.has, torch._C.DispatchKey.Python


def own_dispatch(t: torch.Tensor) -> None:
    """``TypeError`` for a tensor whose class answers torch's dispatch itself (``__torch_dispatch__``, in its body or a
    mixin's): every torch operation on it, ``detach`` too, runs that class's code, and torch offers no safe way past it
    (red team 152: such a hook ran inside the description of a returned tensor). The tensor says so itself: torch
    sets its Python dispatch key."""
    if _HAS(_KEYS(t), _PYTHON):
        raise TypeError(f"returned a tensor of a class with its own __torch_dispatch__ ({type(t).__name__}): the grader "
                        "reads only tensors that torch's own operations make; return a plain torch.Tensor")
