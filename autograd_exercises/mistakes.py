"""Mistake codes: a stable name for what went wrong in a failed check, next to its feedback text.

Every failed check carries one code (``CheckResult.mistake``). The feedback says, in words, what is wrong
with one student's numbers; the code names the misconception the same way for every student, so a class
report can count them. Codes come from three places:

* the shared judge helpers (:mod:`autograd_exercises.judge`) and the grading pipeline
  (:mod:`autograd_exercises.grading`): the codes of :data:`COMMON` below, the same in every exercise;
* an exercise's grader (``graders/exercise_N.py`` and its hidden checks): a :class:`Mistake`, an
  explanation text that carries its code (``IS_Y = Mistake("returns-y", "it equals y ...")``), used as
  feedback or as a known wrong result of :func:`~autograd_exercises.judge.close_or_mistake`, and the
  codes of its ``MISTAKES`` table (``{code: description}``) given to ``Fail(..., code=...)``;
* :data:`WRONG_VALUE` when nothing more specific is known.

``grade list --mistakes exercise-2`` lists an exercise's codes. This module imports nothing heavy.
"""

from __future__ import annotations

import re
from typing import Any

WRONG_VALUE = "wrong-value"
CODE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")  # lower-case words joined by hyphens: "missing-retain-grad"


class Mistake(str):
    """An explanation of a known mistake (the feedback text itself) that carries its stable ``code``.

    It is a ``str``, so it goes wherever a grader used the bare text (dict keys, f-strings); ``format``
    keeps the code (``SUMMED.format(n=6)``). An f-string does not: pass ``code=`` to ``Fail`` there.
    """

    code: str

    def __new__(cls, code: str, text: str) -> "Mistake":
        if not CODE.fullmatch(code):
            raise ValueError(f"a mistake code is lower-case words joined by hyphens, not {code!r}")
        made = super().__new__(cls, text)
        made.code = code
        return made

    def format(self, *args: Any, **kwargs: Any) -> "Mistake":
        return Mistake(self.code, str.format(self, *args, **kwargs))

    def __reduce__(self) -> tuple:
        return Mistake, (self.code, str(self))


def code_of(text: object, default: str = WRONG_VALUE) -> str:
    """The code a :class:`Mistake` carries; ``default`` for any other text (or none)."""
    return text.code if isinstance(text, Mistake) else default


# The codes every exercise can give: the shared judge helpers' diagnoses and the grading pipeline's.
COMMON: dict[str, str] = {
    # a value compared with the reference (judge.close and judge.diagnose)
    WRONG_VALUE: "the value is wrong, and no known mistake explains it",
    "sum-not-mean": "numel times the expected value: a sum where a mean belongs",
    "mean-not-sum": "1/numel of the expected value: a mean where a sum belongs",
    "len-not-numel": "a mean divided by len(), the first dimension's size, not by the number of elements",
    "grad-accumulated": "twice the expected gradient: backward ran twice, or .grad was not zeroed",
    "half": "half the expected value: a factor of 2 is missing",
    "opposite-sign": "the expected value with the opposite sign",
    "constant-factor": "the expected value times some other constant",
    "transposed": "the expected matrix, transposed",
    "reduced": "one number where a tensor shaped like the input belongs",
    "not-reduced": "several values where one number belongs: the sum or mean is missing",
    "wrong-shape": "a tensor of the wrong shape",
    "not-finite": "NaN or infinity where the expected value is finite",
    # what was returned (judge.tensor, judge.parts, diagnose.wrong_type)
    "returned-none": "None where a value belongs: a missing return?",
    "none-grad": "a .grad that is None: backward() not called, or called on another tensor",
    "python-number": "a Python number (.item(), float()) where a tensor belongs",
    "list-not-tensor": "a list or tuple where a tensor belongs",
    "numpy-not-tensor": "a numpy array where a tensor belongs",
    "wrong-type": "a value of the wrong type",
    "wrong-count": "the wrong number of values returned",
    "too-large": "a result too large to check",
    # autograd itself (shared judge helpers, and codes graders give to Fail)
    "not-tracked": "a result without grad_fn: computed under no_grad, through .detach(), .item() or numpy",
    "detached-input": "the graph starts from a copy or a detached input, so backward never reaches the input",
    "backward-failed": "backward() on the returned graph raised an error",
    "backward-on-untracked": "backward() on a tensor that does not require grad (the graph was never built)",
    "non-scalar-backward": "backward() on a tensor of several values, without a gradient",
    "graph-freed": "a second backward() through a graph that the first one freed (no retain_graph=True)",
    "autograd-in-by-hand": "a derivative to compute by hand asks autograd for it",
    "numeric-in-by-hand": "a derivative to compute by hand estimated from the function's values (a finite "
                          "difference or a complex step)",
    "tracked-result": "a by-hand result that autograd tracks (it has a grad_fn)",
    "own-saved-tensors-hooks": "saved-tensor hooks of its own, which hide from the grader what autograd saved",
    # the function did not return normally (judge.called)
    "raised": "the function raised an exception",
    "not-implemented": "the function still raises NotImplementedError (not done)",
    "missing-function": "the function is not defined in the submission",
    "not-called": "the function was never called (an earlier step failed)",
    "sys-exit": "the function called sys.exit()",
    "needs-gpu": "the code asks for a GPU (.cuda(), device='cuda'), and the grader has none",
    "reads-a-file": "the code reads a file that only the student's machine has (a submission is one file)",
    "waits-for-input": "the code calls input(), and a graded file gets no typed input",
    "dtype-mismatch": "float32 and float64 tensors mixed in one operation (a .double() or a float64 constant)",
    "sandbox-refused": "the sandbox refused something torch needed (the grader's limit, not a mistake)",
    # the run as a whole (grading.run_failure, grading.judge_run, session.zero)
    "timeout": "the check ran past its time limit: an endless loop, or very slow code",
    "import-error": "the submission could not be imported",
    "import-timeout": "the file's top-level code (outside any function) ran past its time budget",
    "does-not-compile": "the file does not compile (a syntax error, a null byte): nothing ran",
    "not-run": "the submission did not run (empty, no code)",
    "reaches-grader": "the file reaches the grader's own objects in the sandbox (its package, frames, the garbage "
                      "collector, sys.modules, exec…): nothing ran",
    "cell-hung": "a notebook cell above the check ran past its budget and could not be stopped",
    "cells-out-of-time": "the notebook's cells ran for their whole budget in all, so the cells below did not run",
    "out-of-time": "after the run of every call failed, each call needed a process of its own, and the submission's "
                   "time ran out before this one",
    "crashed": "the process running the code crashed",
    "result-too-large": "the results were too large to send back",
    "exited": "the code ended the process before the check finished",
    "unreadable-report": "the grader could not read what the code reported",
    "probe-error": "checking the result raised an error",
    "unfinished": "the check did not finish every input",
    "sandbox-error": "the sandbox could not run the check",
    "not-graded": "the submission could not be graded (see the reason)",
    "no-test-cell": "the notebook has no test cell for this check",
    "not-started": "the exercise was not started",
}


def declared(module: Any) -> dict[str, str]:
    """The codes a grader module declares: its ``MISTAKES`` table and every :class:`Mistake` it defines at the top
    level, alone or in a table (a tuple, list or dict of them, or of pairs holding one)."""
    found: dict[str, str] = {}
    for value in vars(module).values():
        if isinstance(value, Mistake):
            found.setdefault(value.code, str(value))
        elif isinstance(value, (tuple, list, dict)):  # tables of hints, of (…, Mistake) pairs
            for item in value.values() if isinstance(value, dict) else value:
                for part in item if isinstance(item, (tuple, list)) else (item,):
                    if isinstance(part, Mistake):
                        found.setdefault(part.code, str(part))
    table = getattr(module, "MISTAKES", None)
    if isinstance(table, dict):
        found.update({code: str(text) for code, text in table.items()})
    for code in found:
        if not CODE.fullmatch(code):
            raise ValueError(f"{module.__name__} declares a mistake code that is not lower-case words joined by "
                             f"hyphens: {code!r}")
    return found
