"""How long grading one submission may take, without torch (a batch's own process reads it).

A child runs the submission's top level (a module's import, within $i$; or a notebook's cells, within $c$ in all:
``protocol.cells_budget``), then its $n$ calls, each within the check timeout $t$: its budget is $t n + i$, or
$t n + t + c$ for a notebook. Where its first call serves a by-hand check, the child runs the top level once more
(the first run had autograd off), within $i$ again, or the cells' budget above that call's test cell. Should the child
fail as a whole, one child per call follows, all of them within :data:`EACH` times the one child's budget
(``grading._run_each``). A submission is graded by one such child for the visible checks' calls and, where hidden checks
have secret inputs, one more (``grading._parts``).
"""

from __future__ import annotations

from typing import Iterable

from autograd_exercises.sandbox.protocol import CELLS_BUDGET

DEFAULT_CELL_TIMEOUT = 60.0  # seconds each notebook cell may run: the course's Execute.timeout (build/course.py)
EACH = 2  # the children of the calls, after one child failed as a whole, have this many times its budget in all


def child_time(calls: int, timeout: float, cells: float | None, import_timeout: float) -> float:
    """One child's budget: $t n + t + c$ after a notebook's cells (``cells`` s in all), else $t n + i$ after a
    module's import (``import_timeout``)."""
    return timeout * calls + (timeout + cells if cells is not None else import_timeout)


def most_time(calls: Iterable[tuple[int, bool]], *, notebook: bool, timeout: float,
              cell_timeout: float = DEFAULT_CELL_TIMEOUT) -> float:
    """The most seconds the children that grade one submission have in all: for each child of ``calls`` (its most
    calls, and whether it makes the by-hand call: :meth:`~autograd_exercises.spec.Exercise.most_calls`), its budget,
    the top level's second run where it makes the by-hand call, and the budget of the calls' own children; a notebook's
    cells at their most each time (:data:`CELLS_BUDGET` cell budgets)."""
    cells = CELLS_BUDGET * cell_timeout if notebook else None
    again = cells if cells is not None else cell_timeout
    return sum((1 + EACH) * child_time(count, timeout, cells, cell_timeout) + (again if by_hand else 0.0)
               for count, by_hand in calls)
