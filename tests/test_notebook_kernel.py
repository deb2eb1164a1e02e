"""What a test cell grades: the kernel's history, replayed (``autograd_exercises.notebook``), without a kernel.

``tests/test_nbgrader.py`` runs the same in a real Jupyter kernel.
"""

from __future__ import annotations

import os
import sys
import warnings
from types import SimpleNamespace

from autograd_exercises import notebook
from autograd_exercises.notebook import CellRecord, replayed_cells
from autograd_exercises.submission import TEST_CELL_MARKER

SETUP = "# Run this cell first\nget_ipython().run_line_magic('load_ext', 'autograd_exercises.notebook')\nimport torch\n"


def test_history_is_replayed_in_execution_order_without_test_cells():
    history = ["", SETUP, "def f(x):\n    return 1\n", f"{TEST_CELL_MARKER}: c\ncheck('exercise-2', 'c')\n",
               "def f(x):\n    return 2\n", "def f(x):\n    return 2\n"]
    records = {n: CellRecord() for n in range(1, len(history))}
    assert [n for n, _ in replayed_cells(history, records)] == [1, 2, 4, 5]


def test_a_cell_that_did_not_compile_is_left_out():
    history = ["", "def broken(:\n    pass\n", "x = 1\n"]
    assert [n for n, _ in replayed_cells(history, {2: CellRecord()})] == [2]


def test_a_cell_python_refuses_as_it_parses_is_left_out_too():
    """Walkthrough 71: the kernel's reading caught only SyntaxError; a cell holding a null byte (ValueError on Python
    3.11.2), or nested past the parser's depth (MemoryError, RecursionError), ended check() in a traceback."""
    history = ["", "x = 1\x00\n", "-" * 100_000 + "1\n", "x" + "[0]" * 100_000 + "\n", "y = 2\n", "z = 3\n"]
    records = {n: CellRecord() for n in range(1, len(history))}
    assert [n for n, _ in replayed_cells(history, records)] == [4, 5]
    assert list(replayed_cells(["", "x = 1\x00\n"], {1: CellRecord(failed_line=1)})) == []


def test_a_cell_that_raised_keeps_only_the_statements_before_the_error():
    cell = "def helper():\n    return 1\n\n@staticmethod\ndef g():\n    pass\nfor i in range(3):\n    undefined + 1\nz = 3\n"
    history = ["", cell, "forward(torch.ones(3))\n", "y = 1\n"]
    records = {1: CellRecord(failed_line=8), 2: CellRecord(failed_line=1), 3: CellRecord()}
    replayed = dict(replayed_cells(history, records))
    assert replayed == {1: "def helper():\n    return 1\n\n@staticmethod\ndef g():\n    pass", 3: "y = 1\n"}
    # a decorator line that raised drops the decorated function too
    assert dict(replayed_cells(["", cell], {1: CellRecord(failed_line=4)})) == {1: "def helper():\n    return 1\n"}


def test_cells_that_called_check_and_the_running_cell_are_left_out():
    history = ["", "x = 1\n", "check('exercise-2', 'forward_values')\n", "y = 2\n", "check('exercise-2', 'c')\n"]
    records = {1: CellRecord(), 2: CellRecord(called_check=True), 3: CellRecord()}  # 4 is running
    assert [n for n, _ in replayed_cells(history, records)] == [1, 3]


def test_without_the_hook_cells_are_replayed_whole():
    history = ["", "x = 1\n", "forward(1)\n", "check('exercise-2', 'c')\n"]
    assert [n for n, _ in replayed_cells(history, {})] == [1, 2]


def test_the_hook_records_how_cells_end():
    recorder = notebook._Recorder()

    def result(count, error=None, store_history=True):
        return SimpleNamespace(execution_count=count, error_in_exec=error,
                               info=SimpleNamespace(store_history=store_history))

    def raise_in_module():
        code = compile("x = 1\n\nraise ValueError('boom')\n", "<cell>", "exec")
        try:
            exec(code, {})
        except ValueError as exc:
            return exc

    recorder.post_run_cell(result(1))
    recorder.running_check = True
    recorder.post_run_cell(result(2))
    recorder.post_run_cell(result(3, raise_in_module()))
    recorder.post_run_cell(result(3, store_history=False))
    assert recorder.cells == {1: CellRecord(None, False), 2: CellRecord(None, True), 3: CellRecord(3, False)}


def test_quiet_keeps_stderr_warnings_and_file_descriptor_2_out(capfd):
    with notebook._quiet():
        print("python stderr", file=sys.stderr)
        warnings.warn("a torch-like UserWarning")
        os.write(2, b"C++ stderr\n")
        print("stdout stays")
    os.write(2, b"after\n")
    out, err = capfd.readouterr()
    assert out == "stdout stays\n" and err == "after\n"


def test_the_kernel_warns_when_the_saved_notebook_top_to_bottom_would_differ(tmp_path):
    """The kernel ran the helper (a cell at the end) first: a check says the graded order lacks it at cell 2, where
    a test cell between calls the function that needs it; with no cell between that calls it, nothing is wrong and
    nothing is said (fairness 20: a helper defined just below the solution cell, above its tests)."""
    import json

    def cell(cell_id, source, grade=False):
        meta = {"nbgrader": {"grade": True, "solution": False, "grade_id": f"test-{cell_id}", "points": 1}} \
            if grade else {}
        return {"cell_type": "code", "id": cell_id, "metadata": meta, "outputs": [], "execution_count": None,
                "source": source}

    def notes(cells, ran):
        path = tmp_path / "work.ipynb"
        path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
        return notebook._order_notes(SimpleNamespace(user_ns={"__session__": str(path)}), ran)

    a, b, c = cell("a", "import torch"), cell("b", "def f(x):\n    return g(x)\n"), cell("c", "def g(x):\n    return x\n")
    test = cell("t", "check('exercise-2', 'forward_values')", grade=True)
    ran = {"a": (1, "import torch"), "c": (2, "def g(x):\n    return x\n"), "b": (3, "def f(x):\n    return g(x)\n")}
    [note] = notes([a, b, test, c], ran)
    assert note.startswith("cell 2 uses g, which is defined below it, in cell 4:")
    assert notes([a, b, c, test], ran) == []  # g is there before any cell calls f
    assert notes([a, b, c, cell("d", "f(1)")], ran) == []
    [note] = notes([a, b, cell("d", "f(1)"), c], ran)
    assert note.startswith("cell 2 uses g, which is defined below it, in cell 4:")
    ran = {"a": (1, "import torch"), "b": (2, "def f(x):\n    return g(x)\n"), "c": (3, "def g(x):\n    return x\n")}
    assert notes([a, b, test, c], ran) == []  # run top to bottom
    assert notebook._order_notes(SimpleNamespace(user_ns={}), ran) == []  # no file known: nothing to say
    fixed = cell("e", "def f(x):\n    return 2 * x\n")  # walkthrough 67: a fix in a new cell below the test cell,
    ran = {"a": (1, "import torch"), "b": (2, "def f(x):\n    return g(x)\n"), "c": (3, "def g(x):\n    return x\n"),
           "e": (4, "def f(x):\n    return 2 * x\n")}  # then the test cell run again: ✓ here, the first f graded

    def checked_notes(cells, ran, checked):
        path = tmp_path / "work.ipynb"
        path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
        return notebook._order_notes(SimpleNamespace(user_ns={"__session__": str(path)}), ran, checked)

    [note] = checked_notes([a, b, c, test, fixed], ran, {"t": 5})  # (the test cell's run: the kernel's count)
    assert note.startswith("f is defined in cell 2 and again, differently, below it in cell 5, which your kernel ran "
                           "before cell 4 above it")
    assert checked_notes([a, b, c, test, fixed], ran, {"t": 3}) == []  # run before the fix: ✗ there too, no note


def test_the_hook_records_the_cell_id_jupyter_sends():
    recorder = notebook._Recorder()
    recorder.post_run_cell(SimpleNamespace(execution_count=1, error_in_exec=None,
                                           info=SimpleNamespace(store_history=True, cell_id="abc")))
    assert recorder.cells[1].cell_id == "abc"


def test_a_check_run_before_the_setup_cell_does_not_mark_the_setup_cell_as_a_check(monkeypatch):
    """Fairness 60: a test cell run before the setup cell set the recorder's flag with no hook to clear it; the
    setup cell, run next, was then recorded as a check's cell and left out of every later check's replay (correct
    functions failed with NameError: name 'torch' is not defined)."""
    events = SimpleNamespace(registered=[], register=lambda name, hook: events.registered.append((name, hook)))
    shell = SimpleNamespace(events=events)
    monkeypatch.setattr(notebook, "_RECORDER", notebook._Recorder())
    monkeypatch.setattr(notebook, "_INSTALLED", [])
    monkeypatch.setattr(notebook, "_sandbox", lambda: None)
    monkeypatch.setattr(notebook, "run_check", lambda slug, name: SimpleNamespace(notes=[], passed=True, points=1,
                                                                                  max_points=1))
    notebook.check("exercise-2", "forward_values")  # the test cell, run first: no hook yet
    notebook.load_ipython_extension(shell)  # the setup cell
    hook = dict(events.registered)["post_run_cell"]
    hook(SimpleNamespace(execution_count=2, error_in_exec=None, info=SimpleNamespace(store_history=True)))
    assert notebook._RECORDER.cells[2].called_check is False
    notebook.check("exercise-2", "forward_values")  # with the hook, a check's cell is recorded as one
    hook(SimpleNamespace(execution_count=3, error_in_exec=None, info=SimpleNamespace(store_history=True)))
    assert notebook._RECORDER.cells[3].called_check is True


def test_a_live_check_names_the_failing_function_it_calls(sandbox, monkeypatch, tmp_path):
    """Walkthrough 67: ``grade`` says that frozen_gradients fails because the network it calls does, but the test cell
    of frozen_gradients said only that its gradients were wrong. The live check grades the helpers' visible checks
    beside its own, shows only its own, and names the helper; with the helper right, nothing is added."""
    from autograd_exercises import submission
    from conftest import SOLUTIONS

    solution = (SOLUTIONS / "exercise_4.py").read_text()
    broken = solution.replace("loss = F.binary_cross_entropy_with_logits(z, y)", "loss = ((z - y) ** 2).mean()")
    assert broken != solution
    monkeypatch.setattr(notebook, "_sandbox", lambda: sandbox)
    for text, named in ((broken, True), (solution, False)):
        path = tmp_path / "exercise_4.py"
        path.write_text(text)
        monkeypatch.setattr(notebook, "kernel_submission", lambda: submission.load(path))
        outcome = notebook.run_check("exercise-4", "frozen_gradients")
        assert outcome.name == "frozen_gradients"
        assert outcome.passed is not named
        assert ("Your frozen_gradients() calls network(), which failed its check network_values: fix network() first."
                in outcome.feedback) is named
