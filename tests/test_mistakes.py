"""Mistake codes: every failed check carries a stable code, declared with its exercise or shared by all.

The named mistakes of each ``tests/test_exercise_N.py`` check, through ``conftest.assert_mistake``,
that every failed check's code is declared; here: the shared helpers' codes, the declarations
themselves (read from the graders' source), and ``grade list --mistakes``.
"""

from __future__ import annotations

import ast
import pickle
import re
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from click.testing import CliRunner

import graders
from autograd_exercises import grading, mistakes
from autograd_exercises.cli import main
from autograd_exercises.judge import Fail, Mistake, called, close, close_or_mistake, counted, no_autograd, parts, tensor
from autograd_exercises.sandbox import RunResult
from autograd_exercises.spec import Tolerance
from autograd_exercises.submission import Submission
from tests.conftest import ROOT

TOL = Tolerance()


def failure(function, *args, **kwargs) -> Fail:
    with pytest.raises(Fail) as caught:
        function(*args, **kwargs)
    return caught.value


def test_a_mistake_is_its_text_and_keeps_its_code():
    summed = Mistake("sum-not-mean", "the sum over N = {n} elements")
    assert summed == "the sum over N = {n} elements" and summed.code == "sum-not-mean"
    assert summed.format(n=6) == "the sum over N = 6 elements" and summed.format(n=6).code == "sum-not-mean"
    assert pickle.loads(pickle.dumps(summed)).code == "sum-not-mean"
    assert Fail(summed).code == "sum-not-mean" and Fail("plain").code == mistakes.WRONG_VALUE
    assert Fail(summed, code="other").code == "other" and Fail("x", code=summed).code == "sum-not-mean"
    with pytest.raises(ValueError):
        Mistake("Not A Code", "text")


@pytest.mark.parametrize("actual, code", [
    (torch.ones(3, 2), "transposed"),
    (torch.ones(()), "reduced"),
    (torch.ones(5), "wrong-shape"),
    (torch.full((2, 3), 6.0), "sum-not-mean"),
    (torch.full((2, 3), 1 / 6), "mean-not-sum"),
    (torch.full((2, 3), 2.0), "grad-accumulated"),
    (torch.full((2, 3), 0.5), "half"),
    (torch.full((2, 3), -1.0), "opposite-sign"),
    (torch.full((2, 3), 3.0), "constant-factor"),
    (torch.tensor([[1.0, float("nan"), 1.0], [1.0, 1.0, 1.0]]), "not-finite"),
    (torch.tensor([[1.0, 2.0, 1.0], [1.0, 1.0, 1.0]]), "wrong-value"),
])
def test_close_names_the_mistake_with_a_code(actual, code):
    assert failure(close, actual, torch.ones(2, 3), what="x.grad", tol=TOL, numel=6).code == code


def test_a_mean_divided_by_len_is_named_where_the_input_has_more_than_one_dimension():
    """Fairness 57: ``z.sum() / len(x)`` for ``x`` of shape (2, 3) is 3 times the mean; "a constant factor is off" did
    not say why. Where len() is numel (one dimension) it is right; where numel/len is 2, backward twice says so too."""
    named = failure(close, torch.full((2, 3), 3.0), torch.ones(2, 3), what="out", tol=TOL, **counted(torch.ones(2, 3)))
    assert named.code == "len-not-numel" and "divided by len() = 2, the first dimension only" in str(named)
    assert "all 6 elements (.numel())" in str(named) and "3 times the expected value" in str(named)
    assert failure(close, torch.full((2, 3), 3.0), torch.ones(2, 3), what="out", tol=TOL, numel=6).code == \
        "constant-factor"
    assert failure(close, torch.full((3, 2), 2.0), torch.ones(3, 2), what="out", tol=TOL,
                   **counted(torch.ones(3, 2))).code == "grad-accumulated"
    assert counted(torch.ones(4)) == {"numel": 4, "first": 4} and counted(torch.ones(())) == {"numel": 1, "first": 1}


def test_the_shared_helpers_give_codes():
    assert failure(tensor, None, "y.grad").code == "none-grad"
    assert failure(tensor, None, "forward(x)").code == "returned-none"
    assert failure(tensor, {"type": "float", "value": 1.0}, "f(x)").code == "python-number"
    assert failure(tensor, {"type": "list"}, "f(x)").code == "list-not-tensor"
    assert failure(tensor, {"type": "numpy.ndarray"}, "f(x)").code == "numpy-not-tensor"
    assert failure(tensor, {"type": "NoneType"}, "f(x)").code == "returned-none"
    assert failure(parts, {"type": "tuple", "items": [], "length": 1}, 2, "f", "(a, b)").code == "wrong-count"
    raised = lambda kind, message: {"exception": {"type": kind, "message": message}}  # noqa: E731
    assert failure(called, None, "f(x)").code == "not-called"
    assert failure(called, raised("NotImplementedError", ""), "f(x)").code == "not-implemented"
    assert failure(called, raised("AttributeError", "the module defines no function 'f'"), "f(x)").code == \
        "missing-function"
    assert failure(called, raised("SystemExit", "0"), "f(x)").code == "sys-exit"
    assert failure(called, raised("RuntimeError", "element 0 of tensors does not require grad and does not have a "
                                  "grad_fn"), "f(x)").code == "backward-on-untracked"
    assert failure(called, raised("RuntimeError", "grad can be implicitly created only for scalar outputs"),
                   "f(x)").code == "non-scalar-backward"
    assert failure(called, raised("RuntimeError", "Trying to backward through the graph a second time"),
                   "f(x)").code == "graph-freed"
    assert failure(called, raised("ValueError", "no"), "f(x)").code == "raised"
    assert failure(called, raised("AssertionError", "Torch not compiled with CUDA enabled"), "f(x)").code == \
        "needs-gpu"
    assert failure(called, raised("RuntimeError", "Found no NVIDIA driver on your system."), "f(x)").code == \
        "needs-gpu"
    assert failure(called, raised("RuntimeError", "Cannot re-initialize CUDA in forked subprocess. To use CUDA with "
                                  "multiprocessing, you must use the 'spawn' start method"), "f(x)").code == "needs-gpu"
    # torch's own NotImplementedError (an operation it lacks) is not the stub's `raise NotImplementedError`
    torch_lacks = {"exception": {"type": "NotImplementedError", "message": "\"addmm\" not implemented for 'Half'",
                                 "frames": [{"line": 3, "function": "f", "code": "return x @ w"}]}}
    assert failure(called, torch_lacks, "f(x)").code == "raised"
    stub = {"exception": {"type": "NotImplementedError", "message": "to do",
                          "frames": [{"line": 3, "function": "f", "code": "raise NotImplementedError('to do')"}]}}
    assert failure(called, stub, "f(x)").code == "not-implemented"
    hinted = {"no": Mistake("my-hint", "the hint"), "plain": "a hint without a code"}
    assert failure(called, raised("ValueError", "no"), "f(x)", hinted).code == "my-hint"
    assert failure(called, raised("ValueError", "plain"), "f(x)", hinted).code == "raised"
    assert failure(no_autograd, {"autograd_calls": 2}, "f(x)").code == "autograd-in-by-hand"
    assert failure(no_autograd, {"returned": {"type": "tensor", "grad_fn": "MulBackward0"}}, "f(x)").code == \
        "tracked-result"


def test_close_or_mistake_takes_the_code_of_the_known_mistake():
    known = Mistake("returns-y", "it equals y")
    got = failure(close_or_mistake, torch.full((2, 3), 5.0), torch.ones(2, 3), what="f(x)", tol=TOL,
                  mistakes={known: torch.full((2, 3), 5.0)})
    assert got.code == "returns-y" and "it equals y" in str(got)
    plain = failure(close_or_mistake, torch.full((2, 3), 5.0), torch.ones(2, 3), what="f(x)", tol=TOL,
                    mistakes={"a text without a code": torch.full((2, 3), 5.0)})
    assert plain.code == "wrong-value"


@pytest.mark.parametrize("status, result, code", [
    ("timeout", {}, "timeout"),
    ("import-error", {"exception": {"type": "ImportError", "message": "no"}}, "import-error"),
    ("crashed", {}, "crashed"),
    ("too-large", {}, "result-too-large"),
    ("no-result", {}, "exited"),
    ("no-result", {"message": "unreadable report: bad zip"}, "unreadable-report"),
    ("cell-hung", {"cell": 3}, "cell-hung"),
    ("sandbox-error", {"message": "no"}, "sandbox-error"),
])
def test_a_run_that_failed_has_a_code(status, result, code):
    check = graders.find("exercise-2").checks[0]
    judged = grading.judge_run(check, [], RunResult(status, result), Submission("x.py", b""), 5.0)
    assert judged.mistake == code and judged.feedback


# -- declarations -------------------------------------------------------------------------------------------


def literal_codes(path: Path) -> list[tuple[int, str]]:
    """(line, code) of every ``code="..."`` string literal given to a call in the file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            for keyword in node.keywords:
                if keyword.arg == "code" and isinstance(keyword.value, ast.Constant) \
                        and isinstance(keyword.value.value, str):
                    found.append((node.lineno, keyword.value.value))
            if isinstance(node.func, ast.Name) and node.func.id == "zero" and len(node.args) >= 5 \
                    and isinstance(node.args[4], ast.Constant):
                found.append((node.lineno, node.args[4].value))
    return found


@pytest.mark.parametrize("exercise", [exercise.slug for exercise in graders.EXERCISES])
def test_every_code_a_grader_gives_is_declared(exercise):
    number = exercise.rsplit("-", 1)[1]
    known = set(mistakes.COMMON) | {code for code, _ in graders.find(exercise).mistakes}
    for path in (ROOT / "graders" / f"exercise_{number}.py", ROOT / "graders" / "hidden" / f"exercise_{number}.py"):
        undeclared = [(line, code) for line, code in literal_codes(path) if code not in known]
        assert undeclared == [], f"{path.relative_to(ROOT)}: declare these in MISTAKES (or use a shared code)"


def test_every_code_the_pipeline_gives_is_shared():
    files = [ROOT / "autograd_exercises" / name for name in ("judge/__init__.py", "judge/diagnose.py", "grading.py",
                                                              "session.py", "classroom/task.py")]
    used = {code for path in files for _, code in literal_codes(path)}
    used |= set(grading.RUN_FAILURES.values()) | {"unreadable-report", "sandbox-error"}
    text = (ROOT / "autograd_exercises" / "judge" / "diagnose.py").read_text()
    used |= {node.args[0].value for node in ast.walk(ast.parse(text))
             if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Mistake"
             and isinstance(node.args[0], ast.Constant)}
    assert used - set(mistakes.COMMON) == set()


def test_declared_codes_are_well_formed_and_described():
    for exercise in graders.EXERCISES:
        for code, text in exercise.mistakes:
            assert mistakes.CODE.fullmatch(code) and text.strip(), (exercise.slug, code)
    assert all(mistakes.CODE.fullmatch(code) and text for code, text in mistakes.COMMON.items())
    assert "missing-retain-grad" in dict(graders.find("exercise-2").mistakes)
    assert {"bce-on-logits", "sigmoid-twice"} <= set(dict(graders.find("exercise-3").mistakes))


def test_grade_list_mistakes():
    result = CliRunner().invoke(main, ["list", "--mistakes", "exercise-2"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "exercise-2: mistakes its checks name"
    assert lines[1].split()[0] == "missing-retain-grad"
    codes = [line.split()[0] for line in lines if re.match(r"  \S", line)]  # (descriptions wrap, indented more)
    assert {"grad-accumulated", "sum-not-mean", "transposed", "none-grad", "timeout", "import-error",
            "wrong-value"} <= set(codes)
    assert len(codes) == len(set(codes))
    unknown = CliRunner().invoke(main, ["list", "--mistakes", "exercise-9"])
    assert unknown.exit_code == 3 and "no exercise named" in unknown.output


def test_grade_list_without_mistakes_still_needs_no_torch(tmp_path):
    code = ("import sys\nfrom autograd_exercises.cli import main\nmain(['list'], standalone_mode=False)\n"
            "print('HEAVY', sorted(m for m in ('torch', 'graders', 'matplotlib') if m in sys.modules))\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert proc.returncode == 0 and proc.stdout.splitlines()[-1] == "HEAVY []", proc.stderr
