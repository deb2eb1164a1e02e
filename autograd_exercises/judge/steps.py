"""A finite difference's step, as code writes it: what the by-hand reading calls dividing by a small step.

$f'(x) \\approx (f(x + h) - f(x - h)) / 2h$ divides by a small number: ``h = 1e-6``, ``h = 10 ** -6``, a parameter's
default ``h=1e-5``, a relative step ``h = 1e-6 * (1 + x.abs())``, ``2 * h``, ``h + h``, ``h ** 2``. An honest formula
divides by counts and sums (``x.numel()``, ``s * (1 - s) + eps``), never by a small number alone (red teams 239, 240).
"""

from __future__ import annotations

import ast
from typing import Iterable

from autograd_exercises.judge import methods
from autograd_exercises.judge.syntax import walk

STEP = 1e-2  # a number at most this size, divided by: a finite difference's step (red team 242: Richardson's 0.01
# and 0.005; an honest formula divides by no such number)
DIVIDES = ("div", "div_", "divide", "true_divide", "truediv")  # a division written as a call: x.div(h), torch.div(d, h)


def number(node: ast.AST) -> float | None:
    """``node``'s value where it is a number written with numbers alone (``1e-6``, ``-1e-6``, ``10 ** -6``,
    ``2 * 1e-6``); ``None`` otherwise."""
    if isinstance(node, ast.Constant):
        try:
            return float(node.value) if type(node.value) in (int, float) else None
        except OverflowError:  # (an int of 310 digits: walkthrough 75)
            return None
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        value = number(node.operand)
        return None if value is None else -value if isinstance(node.op, ast.USub) else value
    if not isinstance(node, ast.BinOp) or not isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow)):
        return None
    left, right = number(node.left), number(node.right)
    if left is None or right is None or isinstance(node.op, ast.Pow) and abs(right) > 64:
        return None
    try:
        value = {ast.Add: left + right, ast.Sub: left - right, ast.Mult: left * right}.get(type(node.op))
        value = value if value is not None else left / right if isinstance(node.op, ast.Div) else left ** right
    except (ZeroDivisionError, OverflowError):
        return None
    return value if type(value) is float else None  # ((-2) ** 0.5 is complex: no number here)


def small(node: ast.AST) -> bool:
    """``node`` is a small number written with numbers alone (:func:`number`, at most :data:`STEP` in size)."""
    value = number(node)
    return value is not None and 0 < abs(value) <= STEP


def is_step(node: ast.AST, names: frozenset[str]) -> bool:
    """``node`` is a step: a small number (of numbers alone, folded: ``1e-6 / 1e-9`` is none), a name of ``names``
    (bound to a step), a step times anything (a relative step), a step plus a step, a step over a number, or a step to
    a positive power."""
    if number(node) is not None:
        return small(node)
    if isinstance(node, ast.Name):
        return node.id in names
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        return is_step(node.operand, names)
    if not isinstance(node, ast.BinOp):
        return False
    if isinstance(node.op, ast.Mult):
        return is_step(node.left, names) or is_step(node.right, names)
    if isinstance(node.op, (ast.Add, ast.Sub)):
        return is_step(node.left, names) and is_step(node.right, names)
    power = number(node.right)
    return isinstance(node.op, (ast.Div, ast.Pow)) and is_step(node.left, names) and power is not None and \
        (isinstance(node.op, ast.Div) or power > 0)  # (h % 2, h // 2, h @ m: no step)


def divisor(call: ast.Call) -> ast.AST | None:
    """What a division written as a call (:data:`DIVIDES`) divides by: its ``other`` keyword, else its last positional
    argument (``x.div(h)``, ``torch.div(d, h)``, ``operator.truediv(d, h)``); ``None`` for any other call."""
    name = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")
    if name not in DIVIDES:
        return None
    other = next((keyword.value for keyword in call.keywords if keyword.arg == "other"), None)
    return other if other is not None else call.args[-1] if call.args else None


def step_names(root: ast.AST, top: Iterable[ast.stmt]) -> frozenset[str]:
    """The names bound to a step (:func:`is_step`, of numbers alone) in ``root`` (its assignments and its functions'
    defaults), and those of the module's top level (``top``) that ``root`` does not bind itself (fairness 71: a local
    ``h = torch.sigmoid(z)`` is no step for a module's ``h = 1e-5``)."""
    local = _bound_to_steps(list(walk(root)), defaults=True)
    own = methods.bound_in([root]) if isinstance(root, ast.stmt) else set()
    return frozenset(local | (_bound_to_steps(list(top), defaults=False) - own))


def _bound_to_steps(nodes: list[ast.AST], *, defaults: bool) -> set[str]:
    """Of ``nodes``, the names an assignment (``h = 1e-6``, ``h, n = 1e-6, 0``) or, with ``defaults``, a parameter's
    default binds to a step of numbers alone."""
    pairs = [(target, node.value) for node in nodes if isinstance(node, ast.Assign) for target in node.targets]
    pairs += [(node.target, node.value) for node in nodes if isinstance(node, ast.AnnAssign) and node.value is not None]
    pairs += [pair for target, value in pairs if isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple)
              and len(target.elts) == len(value.elts) for pair in zip(target.elts, value.elts)]
    pairs += [pair for node in (nodes if defaults else ())
              if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)) for pair in methods.defaults(node)]
    return {target.id if isinstance(target, ast.Name) else target.arg for target, value in pairs
            if isinstance(target, (ast.Name, ast.arg)) and is_step(value, frozenset())}
