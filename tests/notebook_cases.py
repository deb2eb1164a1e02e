"""Filled-in notebooks as students leave them, and the points nbgrader gives each.

Each case starts from an exercise's release notebook with every solution cell filled
in (from the source notebook), then adds what students leave behind: scratch cells
run out of order, a stale redefinition, a helper defined below its use, an
interrupted training run, IPython magics, errors and plots. ``execution_count``
records the order the student ran the cells in (document order unless the case
says otherwise), as a saved notebook does.

``expected`` is what nbgrader gives when it runs the notebook top to bottom in a
kernel, each test cell judging the state at its position: per check, and the total.
``tests/test_notebook_order.py`` holds ``grade`` and the out-of-kernel autograde to it;
``tests/test_nbgrader.py`` (``test_notebooks_get_nbgraders_points_three_ways``) checks it
against the real ``nbgrader autograde`` in kernels.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
CELL_TIMEOUT = 20.0  # the course's cell timeout in these tests (nbgrader's Execute.timeout): a long cell costs this


def release(slug: str) -> dict:
    return json.loads((ROOT / "autograd_exercises" / "notebooks" / f"{slug}.ipynb").read_text(encoding="utf-8"))


def solutions(slug: str) -> dict[str, str]:
    """Solution cell id → its code in the source notebook, without nbgrader's markers."""
    nb = json.loads((ROOT / "assignments" / "source" / slug / f"{slug}.ipynb").read_text(encoding="utf-8"))
    out = {}
    for cell in nb["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("solution"):
            text = "".join(cell["source"])
            out[cell["id"]] = "".join(line for line in text.splitlines(keepends=True)
                                      if "### BEGIN SOLUTION" not in line and "### END SOLUTION" not in line)
    return out


def code_cell(source: str, cell_id: str) -> dict:
    return {"cell_type": "code", "execution_count": None, "id": cell_id, "metadata": {}, "outputs": [],
            "source": source}


@dataclass
class Notebook:
    """A release notebook being filled in, with the order the student ran its cells in."""

    nb: dict
    ran_first: list[str] = field(default_factory=list)  # cell ids the student ran before all others

    def cell(self, cell_id: str) -> dict:
        return next(cell for cell in self.nb["cells"] if cell.get("id") == cell_id)

    def index(self, cell_id: str) -> int:
        return next(i for i, cell in enumerate(self.nb["cells"]) if cell.get("id") == cell_id)

    def insert_after(self, cell_id: str, source: str, new_id: str) -> None:
        self.nb["cells"].insert(self.index(cell_id) + 1, code_cell(source, new_id))

    def append(self, source: str, new_id: str) -> None:
        self.nb["cells"].append(code_cell(source, new_id))

    def done(self) -> dict:
        """The notebook with execution counts: ``ran_first`` cells first, then the others top to bottom."""
        nb = copy.deepcopy(self.nb)
        code = [cell for cell in nb["cells"] if cell["cell_type"] == "code"]
        order = [c for c in code if c["id"] in self.ran_first] + [c for c in code if c["id"] not in self.ran_first]
        for count, cell in enumerate(order, start=1):
            cell["execution_count"] = count
        return nb


def filled(slug: str, change: Callable[[str, str], str] = lambda cell_id, code: code) -> Notebook:
    nb = release(slug)
    answers = solutions(slug)
    for cell in nb["cells"]:
        if cell.get("id") in answers:
            cell["source"] = change(cell["id"], answers[cell["id"]])
    return Notebook(nb)


@dataclass(frozen=True)
class Case:
    slug: str
    name: str
    make: Callable[[], dict]
    expected: dict[str, float]  # check → points nbgrader gives (checks not named: full points)
    notes: tuple[str, ...] = ()  # fragments of notes ``grade`` must give


# -- exercise 2 --------------------------------------------------------------------------------------------

WRONG_FORWARD = ("def forward(x):\n    y = 3 * x + 2\n    z = 2 * y**2\n    return y, z, z.sum()  # an old try\n")


def stale_definition_below() -> dict:
    """An old, wrong forward in a scratch cell below every test, run before the solution: nbgrader's test cells
    see the solution (the kernel saw the right one too), and no cell below the old one calls it: nothing to say
    (fairness 20; ``test_notebook_order`` holds the note to the cells that need the name)."""
    book = filled("exercise-2")
    book.append(WRONG_FORWARD, "scratch-old-forward")
    book.ran_first = ["setup", "scratch-old-forward"]
    return book.done()


def helper_defined_below() -> dict:
    """forward calls a helper from a cell at the end of the notebook, which the student ran first: under nbgrader
    the test cells of forward and gradients run before the helper exists."""
    book = filled("exercise-2", lambda cell_id, code: code.replace("    y = 3 * x + 2\n", "    y = _affine(x)\n"))
    book.append("def _affine(x):\n    return 3 * x + 2\n", "scratch-helper")
    book.ran_first = ["setup", "scratch-helper"]
    return book.done()


def errors_and_plots() -> dict:
    """Scratch cells that raise (backward twice; a plot, then a library that is not installed): each ends only
    its own cell."""
    book = filled("exercise-2")
    book.insert_after("test-forward_retains_y_grad",
                      "x = torch.ones(3, requires_grad=True)\ny, z, out = forward(x)\nout.backward()\n"
                      "out.backward()  # RuntimeError: the graph is freed\nprint('not reached')\n", "scratch-twice")
    book.insert_after("scratch-twice", "import matplotlib.pyplot as plt\nplt.plot(y.detach())\nplt.show()\n"
                      "import seaborn as sns  # not installed: ModuleNotFoundError\n", "scratch-plot")
    book.append("undefined_name + 1\n", "scratch-error")
    return book.done()


def magics_exercise_2() -> dict:
    """IPython syntax in scratch cells: %time keeps its assignment, %%time its body; other magics are skipped."""
    book = filled("exercise-2")
    book.insert_after("test-forward_retains_y_grad",
                      "x = torch.randn(4, requires_grad=True)\n%time y, z, out = forward(x)\n", "scratch-time")
    book.insert_after("scratch-time", "%%time\nout.backward()\nprint(x.grad)\n", "scratch-cell-time")
    book.insert_after("scratch-cell-time", "%timeit -n 1 -r 1 forward(x)\n!echo shell\nforward?\n", "scratch-misc")
    book.insert_after("scratch-misc", "%%capture\nprint(y.grad)\n", "scratch-capture")
    return book.done()


# -- exercise 6 --------------------------------------------------------------------------------------------

TRAINING_DATA = ("torch.manual_seed(0)\nx = torch.randn(64, 3)\ny = x @ torch.tensor([[2.0], [-1.0], [0.5]]) + 0.3\n"
                 "w = torch.zeros(3, 1, requires_grad=True)\nb = torch.zeros(1, requires_grad=True)\n")


def interrupted_training() -> dict:
    """A scratch cell with a training loop far too long, interrupted by the student (and by nbgrader at its cell
    timeout), between loss_fn's test and sgd_step: the notebook goes on and every check passes."""
    book = filled("exercise-6")
    book.insert_after("test-loss_fn", TRAINING_DATA + "for step in range(10**9):\n    loss = loss_fn(x, y, w, b)\n"
                      "    loss.backward()\n    with torch.no_grad():\n        w -= 0.01 * w.grad\n"
                      "        b -= 0.01 * b.grad\n        w.grad.zero_()\n        b.grad.zero_()\n", "scratch-long")
    return book.done()


def timed_training() -> dict:
    """``%time losses, w, b = train(...)``: its assignment happens, so the cells using ``losses`` run."""
    book = filled("exercise-6")
    book.insert_after("solution-train", TRAINING_DATA + "%time losses, w, b = train(x, y, w, b, 0.1, 100)\n",
                      "scratch-train")
    book.insert_after("scratch-train", "print(f'final loss {losses[-1]:.4f}, w = {w.detach().flatten()}')\n",
                      "scratch-print")
    book.insert_after("scratch-print", "%matplotlib inline\n", "scratch-matplotlib")
    return book.done()


CASES = [
    Case("exercise-2", "stale_definition_below", stale_definition_below, {}),
    Case("exercise-2", "helper_defined_below", helper_defined_below,
         {"forward_values": 0, "forward_retains_y_grad": 0, "gradients_x": 0, "gradients_fills_x_grad": 0,
          "gradients_y": 0, "gradients_notebook_example": 0},
         ("cell 5 uses _affine, which is defined below it, in cell",)),
    Case("exercise-2", "errors_and_plots", errors_and_plots, {},
         ("raised RuntimeError", "raised ModuleNotFoundError", "raised NameError")),
    Case("exercise-2", "magics", magics_exercise_2, {}, ("!echo",)),
    Case("exercise-6", "interrupted_training", interrupted_training, {},
         (f"ran past its {CELL_TIMEOUT:g} s budget and was stopped; the notebook went on",)),
    Case("exercise-6", "timed_training", timed_training, {}, ("%matplotlib",)),
]


def expected_points(case: Case, exercise) -> dict[str, float]:
    return {check.name: case.expected.get(check.name, check.points) for check in exercise.checks}
