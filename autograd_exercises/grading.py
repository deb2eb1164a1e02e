"""The grading pipeline: spec → inputs → run (sandbox) → observations → judge → results.

Pure orchestration, no printing. Inputs are made here, in the trusted process,
from a seed; the sandbox runs the probe on them; the check's judge computes the
reference and scores. A check that hangs, crashes or raises fails alone.

A notebook is graded as nbgrader grades it: its code cells run once, in document
order, each within its own time budget (:data:`DEFAULT_CELL_TIMEOUT`, the course's
nbgrader cell timeout; a cell past it is interrupted and the notebook goes on), and each
check judges the state at its test cell's position (:func:`check_positions`,
computed here; the child only executes). A cell that timed out or raised is named
in the result's notes.
"""

from __future__ import annotations

import ast
import functools
import importlib.util
import random
import re
import time
import zlib
from dataclasses import replace
from importlib import resources
from typing import Any, Iterable, Iterator

import torch

from autograd_exercises import catalog, judge
from autograd_exercises.budget import DEFAULT_CELL_TIMEOUT, EACH, child_time
from autograd_exercises.judge import Fail, static, tampering
from autograd_exercises.mistakes import Mistake
from autograd_exercises.parsing import PARSE_ERRORS
from autograd_exercises.results import CheckResult, ExerciseResult
from autograd_exercises.sandbox import DEFAULT_TIMEOUT, RunResult, Sandbox, guard, packing, split_checks, without_marks
from autograd_exercises.sandbox.protocol import CELLS_BUDGET, NO_FUNCTION, TAMPERED, cells_budget, off_stop, \
    runs_twice
from autograd_exercises.spec import Case, Check, Exercise
from autograd_exercises.submission import CodeCell, Submission, TestCell


MAX_NOTES, MAX_NOTE = 20, 300  # warnings kept per check, and characters of each: a flood costs nothing
MAX_FEEDBACK = 4000  # characters of a check's feedback (a judge's longest honest one: a few hundred)
MAX_CELL_NOTES = 3  # cells that raised, named in the notes (then a count)
END = (1 << 30, 0)  # a check with no test cell: after every cell


def check_seed(seed: int, exercise: Exercise, check: Check) -> int:
    """A check's seed: the same run seed gives each inputs function (:attr:`Check.inputs_ref`) its own stream, so
    the checks that share one share their inputs."""
    return zlib.crc32(f"{seed}:{exercise.slug}:{check.inputs_ref}".encode())


def make_cases(exercise: Exercise, check: Check, seed: int) -> list[Case]:
    """The check's inputs for this seed, made in the trusted process."""
    generator = torch.Generator().manual_seed(check_seed(seed, exercise, check))
    return list(check.inputs(generator))


def shared_cases(exercise: Exercise, selected: list[Check], seed: int) -> dict[str, list[Case]]:
    """Each check's inputs for this seed; the checks of one inputs function share one list (made once)."""
    made: dict[str, list[Case]] = {}
    for check in selected:
        if check.inputs_ref not in made:
            made[check.inputs_ref] = make_cases(exercise, check, seed)
    return {check.name: made[check.inputs_ref] for check in selected}


def group_calls(selected: list[Check], positions: dict[str, tuple[int, int]] | None,
                submission: Submission | None = None) -> dict[str, list[Check]]:
    """The checks one run of a probe serves, keyed by the first one's name: the same :attr:`Check.call` and, in a
    notebook, the same state (the same code cells run before them: test cells run nothing of the student's). One
    call of the student's code then feeds every judge of the group, and a hang costs the group one timeout, not
    one per check."""
    cells = [cell.number for cell in submission.program] if submission is not None else []
    groups: dict[tuple[str, Any], list[Check]] = {}
    for check in selected:
        state = sum(number <= positions[check.name][0] for number in cells) if positions else None
        groups.setdefault((check.call, state), []).append(check)
    return {members[0].name: members for members in groups.values()}


def _serialize(cases: list[Case]) -> bytes:
    return packing.pack([{k: v for k, v in case.items()} for case in cases])


def _dicts(value: Any) -> Iterator[dict[str, Any]]:
    """Every dict in an observation (plain dicts and lists, as :func:`report.load` makes them), without recursion."""
    stack = [value]
    while stack:
        item = stack.pop()
        if type(item) is dict:
            yield item
            stack += [child for child in item.values() if type(child) is dict or type(child) is list]
        elif type(item) is list:
            stack += [child for child in item if type(child) is dict or type(child) is list]


def _with_places(value: Any, submission: Submission) -> list[str]:
    """Add ``where`` ("cell 4, line 2") to every traceback frame in an observation; returns the warning texts
    recorded anywhere in it (one walk for both: a report holds thousands of values)."""
    found: list[str] = []
    for item in _dicts(value):
        frames, warnings = item.get("frames"), item.get("warnings")
        if type(frames) is list:
            for frame in frames:
                if type(frame) is dict and type(frame.get("line")) is int:
                    frame["where"] = submission.locate(frame["line"])
        if type(warnings) is list:
            found += [text for text in warnings if type(text) is str]
    return found


# The mistake code of a child that did not report observations, by its status (autograd_exercises.mistakes).
RUN_FAILURES = {"import-error": "import-error", "import-timeout": "import-timeout", "cell-hung": "cell-hung",
                "timeout": "timeout", "crashed": "crashed", "too-large": "result-too-large", "no-result": "exited",
                "out-of-time": "out-of-time"}


def run_failure_code(run: RunResult) -> str:
    """The mistake code of :func:`run_failure`'s feedback (``timeout``, ``import-error``, ``crashed``, …)."""
    if run.status == "no-result" and str(run.result.get("message", "")).startswith("unreadable report"):
        return "unreadable-report"
    if _tampered(run):
        return "reaches-grader"
    return RUN_FAILURES.get(run.status, "sandbox-error")


def _tampered(run: RunResult) -> bool:
    """The child ended the job because the submission changed what the probes rely on (``child.tampered``); a file
    that raises an exception of that name at import only blames itself."""
    return run.status == "import-error" and isinstance(run.result.get("exception"), dict) \
        and run.result["exception"].get("type") == TAMPERED


def run_failure(run: RunResult, timeout: float, submission: Submission) -> str:
    """Feedback for a child that did not report observations (its code: :func:`run_failure_code`)."""
    if _tampered(run):
        return f"not run: {run.result['exception'].get('message', '')}"
    if run.status == "import-error":
        exc = run.result.get("exception", {})
        _with_places(exc, submission)
        frames = exc.get("frames") or [{}]
        where = f" at {frames[-1]['where']}" if frames[-1].get("where") else ""
        code = f": {frames[-1]['code']}" if frames[-1].get("code") else ""
        return f"the submission could not be imported: {exc.get('type')}{where}{code} ({exc.get('message')})"
    if run.status == "cell-hung":
        return (f"not run: {submission.label(run.result.get('cell', 0))}, above this check's test cell, ran past its "
                "budget and could not be stopped (it ignores the interrupt), so a kernel would never get here")
    if run.status == "timeout":
        return f"timed out after {timeout:g} s (an endless loop, or very slow code?)"
    if run.status == "out-of-time":
        top = "the cells above its test cell" if submission.kind == "ipynb" else "your file's top-level code"
        return (f"not run to its end: the process that ran every check failed as a whole (a crash, a hang, a limit), "
                f"so each call then got a process of its own, which runs {top} again (up to "
                f"{run.result.get('wall', 0):.0f} s each), and this submission's time ran out before this call was "
                "done. Make the top level quick (a demo belongs under `if __name__ == \"__main__\":`)")
    if run.status == "import-timeout":
        budget = run.result.get("budget")
        return (f"timed out while the file was imported{f' ({budget:g} s)' if isinstance(budget, (int, float)) else ''}"
                ": its top-level code (outside any function) had not finished by then (torch runs on one thread here, "
                "so a demo may take twice as long as on your machine). An endless loop, or a demo that belongs under "
                "`if __name__ == \"__main__\":`?")
    if run.status == "crashed":
        return f"the process running your code crashed (signal {run.signal})" if run.signal else \
            run.result.get("message", "the process running your code crashed")
    if run.status == "too-large":
        return "your code's results were too large to send back"
    if run.status == "no-result" and str(run.result.get("message", "")).startswith("unreadable report"):
        return f"the grader could not read what your code reported ({run.result['message']})"
    if run.status == "no-result" and run.result.get("message"):
        return str(run.result["message"])
    if run.status == "no-result":
        return f"your code ended the process (exit status {run.exit}) before the check finished: " \
               "do not call os._exit/sys.exit or close the grader's files"
    return f"the sandbox could not run the check: {run.result.get('message', run.status)}"


def _label(case: Case) -> str:
    return f" [input: {case['label']}]" if case.get("label") else ""


def by_hand_failure(check: Check, submission: Submission, ran: static.CellRuns | None = None) -> Mistake | None:
    """Feedback when a by-hand check's function uses autograd (or estimates the derivative: a finite difference),
    read from the submission's source (``ran``: what the children said of the notebook's cells, :func:`cell_runs`),
    with its mistake code (:func:`static.code`)."""
    cells = [cell.first for cell in submission.program]  # run cell by cell: one that raises does not stop the rest
    findings = static.autograd_use(source_text(submission), check.function, cells, grader_arguments(check.function),
                                   ran=ran)
    if not findings:
        return None
    return Mistake(static.code(findings[0]), static.feedback(check.function, findings, submission.locate))


@functools.lru_cache(maxsize=None)
def grader_arguments(function: str) -> int | None:
    """How many positional arguments a probe passes ``function``: its parameters in the student stub (``None``
    where no stub defines it)."""
    for info in catalog.exercises():
        try:
            tree = ast.parse((resources.files("autograd_exercises") / info.stub).read_text(encoding="utf-8"))
        except (OSError, SyntaxError):
            continue
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name == function:
                return len(node.args.posonlyargs) + len(node.args.args)
    return None


def source_text(submission: Submission) -> str:
    """The submission's code as the child runs it: a ``.py`` file decoded as Python's import decodes it, its
    coding declaration honoured (``# coding: utf-7`` would otherwise hide a line from the reading); a
    notebook's generated module is UTF-8."""
    if submission.kind == "py":
        try:
            return importlib.util.decode_source(submission.source)
        except (SyntaxError, UnicodeDecodeError, LookupError, ValueError):
            pass  # Python cannot import it either: no check passes
    return submission.source.decode("utf-8", "replace")


def run_notes(run: RunResult, submission: Submission) -> list[str]:
    """The warnings a run recorded, once each and cut (:data:`MAX_NOTES`, :data:`MAX_NOTE`); also places every
    traceback frame of its observations in the submission."""
    if run.status != "ok":
        return []
    return sorted({note[:MAX_NOTE] for note in _with_places(run.observations, submission)})[:MAX_NOTES]


def judge_run(check: Check, cases: list[Case], run: RunResult, submission: Submission, timeout: float,
              source: Submission | None = None, notes: list[str] | None = None,
              ran: static.CellRuns | None = None) -> CheckResult:
    """Score one check from what its child reported (``source``: the code as it stood where the check judged;
    ``notes``: :func:`run_notes` of ``run``, when the caller has them already; ``ran``: :func:`cell_runs`).

    Its feedback is cut to :data:`MAX_FEEDBACK` characters: a judge quotes what the report holds (a value of the
    wrong type, an exception's message), and a forged report can hold megabytes of it.
    """
    result = _judge_run(check, cases, run, submission, timeout, source, notes, ran)
    if len(result.feedback) > MAX_FEEDBACK:
        result.feedback = result.feedback[:MAX_FEEDBACK] + "… (cut)"
    return result


def _judge_run(check: Check, cases: list[Case], run: RunResult, submission: Submission, timeout: float,
               source: Submission | None, notes: list[str] | None, ran: static.CellRuns | None = None) -> CheckResult:
    """:func:`judge_run`, its feedback not yet cut."""
    result = CheckResult.failed(check, output=without_marks(run.output), wall=run.wall)
    if run.status != "ok":
        result.feedback, result.mistake = run_failure(run, timeout, submission), run_failure_code(run)
        return result
    observations = run.observations
    result.notes = list(notes) if notes is not None else run_notes(run, submission)
    read_in_code = by_hand_failure(check, source or submission, ran) if check.by_hand else None
    if read_in_code is not None:  # what the code is, whatever the run reported
        result.feedback, result.mistake = str(read_in_code), read_in_code.code
        return result
    for case, obs in zip(cases, observations):
        if "probe_error" in obs:
            err = obs["probe_error"]
            result.feedback = f"checking your result raised {err['type']}: {err['message']}{_label(case)}"
            result.mistake = "probe-error"
            return result
        try:
            check.judge(case, obs)
        except Fail as failure:
            result.feedback = f"{failure}{_label(case) if failure.about_input else ''}"
            result.mistake = failure.code
            return result
        except Exception as exc:  # a report of the wrong shape (forged, or a probe gap): this check only
            result.feedback = f"the grader could not read what your code reported ({type(exc).__name__}: {exc})"
            result.mistake = "unreadable-report"
            return result
    if len(observations) != len(cases):
        result.feedback, result.mistake = "the check did not finish every input", "unfinished"
        return result
    result.points, result.status = check.points, "passed"
    return result


# -- notebooks: where each check judges, and the cells run before it ---------------------------------------

def checks_cell(submission: Submission, cell_id: str) -> TestCell | None:
    """The check's test cell: the one whose nbgrader grade id is ``cell_id`` (the submission kept only the last of
    any duplicates, as nbgrader's ``DeduplicateIds`` does). None in a notebook without nbgrader metadata, whose
    every check then judges its end: a cell that merely calls a check can be placed anywhere by the student, so
    it never chooses where a check judges (red team 13)."""
    return next((cell for cell in submission.test_cells if cell.grade_id == cell_id), None)


def check_positions(exercise: Exercise, submission: Submission, selected: list[Check]) -> dict[str, tuple[int, int]]:
    """Where each check judges a notebook: ``(cell number, rank)``, after every code cell numbered up to it.

    A check sits at its test cell (:func:`checks_cell`). One whose test cell is missing goes where nbgrader's
    ``add_missing_cells`` puts it back: after the cell that precedes it in the source notebook (the test cell of
    the previous check of the same function, or the function's solution cell). In a notebook without any of our test
    cells, every check judges the end of the notebook.
    """
    from autograd_exercises.build.notebooks import check_cell_id, solution_cell_id

    present: dict[str, tuple[int, int]] = {}
    for check in exercise.checks:
        cell = checks_cell(submission, check_cell_id(check))
        if cell is not None:
            present[check.name] = (cell.number, 0)
    if not present:
        return {check.name: END for check in selected}
    solutions = dict(submission.grade_ids)
    positions: dict[str, tuple[int, int]] = {}
    previous: dict[str, tuple[int, int]] = {}  # function → where its last check sits
    for check in exercise.checks:
        if check.name in present:
            where = present[check.name]
        elif check.function in previous:
            where = previous[check.function] if previous[check.function] == END else \
                (previous[check.function][0], previous[check.function][1] + 1)
        elif solution_cell_id(check.function) in solutions:
            where = (solutions[solution_cell_id(check.function)], 1)
        else:
            where = END
        positions[check.name] = previous[check.function] = where
    return {check.name: positions[check.name] for check in selected}


def notebook_program(submission: Submission, positions: dict[str, tuple[int, int]], order: list[str],
                     cell_timeout: float) -> list[dict[str, Any]]:
    """The child's program: each code cell (its lines, its budget) and, where checks sit, ``{"checks": [...]}``."""
    pending = sorted(positions, key=lambda name: (positions[name], order.index(name)))
    steps: list[dict[str, Any]] = []

    def stop(before: int | None) -> None:
        names = []
        while pending and (before is None or positions[pending[0]][0] < before):
            names.append(pending.pop(0))
        if names:
            steps.append({"checks": names})

    for cell in submission.program:
        stop(cell.number)
        steps.append({"cell": cell.number, "first": cell.first, "last": cell.last, "timeout": cell_timeout})
    stop(None)
    return steps


def _up_to(steps: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    """The program cut after ``name``'s stop, with only that check there."""
    out = []
    for step in steps:
        if "checks" not in step:
            out.append(step)
        elif name in step["checks"]:
            return out + [{"checks": [name]}]
    return out


def cell_notes(cells: Any, submission: Submission, cell_timeout: float) -> list[str]:
    """What the notebook's cells did that the student should know: a cell past its budget, a cell that raised."""
    if not isinstance(cells, list):
        return []
    notes, errors, skipped = [], [], []
    spent = (f"the notebook's cells had run for {CELLS_BUDGET * cell_timeout:g} s in all, their whole budget "
             f"({CELLS_BUDGET} times a cell's {cell_timeout:g} s)")
    for outcome in cells:
        if not isinstance(outcome, dict) or not isinstance(outcome.get("cell"), int):
            continue
        label = submission.label(outcome["cell"])
        if outcome.get("status") == "skipped":
            skipped.append(label)
        elif outcome.get("status") == "timeout" and outcome.get("cut"):
            notes.append(f"{label} was stopped when {spent}")
        elif outcome.get("status") == "timeout":
            notes.append(f"{label} ran past its {cell_timeout:g} s budget and was stopped; the notebook went on")
        elif outcome.get("status") == "error" and isinstance(outcome.get("exception"), dict):
            exc = outcome["exception"]
            _with_places(exc, submission)
            frames = [f for f in exc.get("frames") or [] if isinstance(f, dict) and f.get("function") == "<module>"]
            where = frames[-1].get("where") if frames else None
            message = str(exc.get("message"))
            message = message if len(message) <= 120 else message[:117] + "..."
            errors.append(f"{where or label} raised {exc.get('type')}: {message} "
                          f"{_not_installed(exc)}(the rest of that cell did not run; the notebook went on)")
    if len(errors) > MAX_CELL_NOTES:
        errors = errors[:MAX_CELL_NOTES] + [f"(and {len(errors) - MAX_CELL_NOTES} more cells raised errors)"]
    if skipped:
        more = f" and the {len(skipped) - 1} below it" if len(skipped) > 1 else ""
        notes.append(f"{skipped[0]}{more} did not run: {spent}; the checks below them ran without them")
    return notes + errors


def stopped_from(cells: Any, submission: Submission) -> dict[int, int]:
    """Per notebook cell that did not run to its end (its first line): the line from which its statements may not have
    run: where it raised (:func:`_raised_at`), else (a timeout, a hang; a frame the reading cannot place) its first.
    ``cells``: what every child said of them. The by-hand reading takes no binding there as replacing an earlier one
    (red team 121: a library object's finalizer left the cell's timer signal pending, which stopped a cell of
    constants the reading took as replacing answers saved from autograd; no reading of the code alone can see every
    such finalizer)."""
    if not isinstance(cells, list) or not submission.program:
        return {}
    spans = {cell.number: cell for cell in submission.program}
    stopped: dict[int, int] = {}
    for outcome in cells:
        if not isinstance(outcome, dict) or outcome.get("status") == "ok" or outcome.get("cell") not in spans:
            continue
        span = spans[outcome["cell"]]
        line = _raised_at(outcome, span) or span.first
        stopped[span.first] = min(line, stopped.get(span.first, line))
    return stopped


def cell_runs(said: list[Any], submission: Submission) -> static.CellRuns:
    """What every child that ran the notebook's cells said of them (``said``: each child's list of outcomes): the
    cells that did not run to their end (:func:`stopped_from`), and those that every child which ran them ran to their
    end. A child that said nothing readable leaves no cell whole: the by-hand reading then reads each from the code."""
    outcomes = [outcome for told in said if isinstance(told, list) for outcome in told]
    stopped = stopped_from(outcomes, submission)
    if not said or not all(isinstance(told, list) for told in said):
        return static.CellRuns(stopped)
    firsts = {cell.number: cell.first for cell in submission.program}
    whole = {firsts[outcome["cell"]] for outcome in outcomes if isinstance(outcome, dict)
             and outcome.get("status") == "ok" and outcome.get("cell") in firsts}
    return static.CellRuns(stopped, frozenset(whole - set(stopped)))


def _raised_at(outcome: dict[str, Any], span: CodeCell) -> int | None:
    """The line of cell ``span`` where it raised, by its top-level frame (``outcome``: what the child said of the cell);
    None for a cell that did not raise, or a line the cell does not hold."""
    exc = outcome.get("exception")
    if outcome.get("status") != "error" or not isinstance(exc, dict):
        return None
    raised = [frame.get("line") for frame in exc.get("frames") or []
              if isinstance(frame, dict) and frame.get("function") == "<module>"]
    return raised[-1] if raised and type(raised[-1]) is int and span.first <= raised[-1] <= span.last else None


def _told_cells(cells: Any, submission: Submission, status: str) -> list[tuple[dict[str, Any], CodeCell, str]]:
    """(outcome, the cell, its code) for each notebook cell a child said ended with ``status`` (``cells``: what it
    said); the notebook's text is read only where there is one (every notebook graded comes this way)."""
    if not isinstance(cells, list) or not submission.program:
        return []
    spans = {cell.number: cell for cell in submission.program}
    told = [(outcome, spans[outcome["cell"]]) for outcome in cells
            if isinstance(outcome, dict) and outcome.get("status") == status and outcome.get("cell") in spans]
    lines = submission.source.decode("utf-8", "replace").split("\n") if told else []
    return [(outcome, span, "\n".join(lines[span.first - 1:span.last])) for outcome, span in told]


def unrun_defs(cells: Any, submission: Submission) -> dict[str, str]:
    """Function name → the notebook cell (its label) that defines it at its top level and did not run: the cells'
    budget in all was spent above it (``skipped``, ``protocol.cells_budget``). ``cells``: what a child said of them."""
    unrun: dict[str, str] = {}
    for _, span, code in _told_cells(cells, submission, "skipped"):
        for name, _ in _top_level_defs(code):
            unrun.setdefault(name, submission.label(span.number))
    return unrun


def stopped_before_def(cells: Any, submission: Submission) -> dict[str, str]:
    """Function name → why it is missing, for each function a notebook cell defines at its top level below the line
    where that cell raised: the cell stopped, as in Jupyter, before its ``def`` ran (an import of a package the
    grading machine lacks, above the function, most often); or in a cell left unrun (:func:`unrun_defs`)."""
    missing: dict[str, str] = {}
    for outcome, span, code in _told_cells(cells, submission, "error"):
        if (raised := _raised_at(outcome, span)) is None:
            continue
        exc = outcome["exception"]
        why = f"{exc.get('type')}: {_unquoted(str(exc.get('message')), 80)}"
        for name, line in _top_level_defs(code):
            if span.first - 1 + line > raised:
                missing.setdefault(name, f"'{name}' was never defined: {submission.locate(raised)} raised {why}, "
                                         "and the rest of that cell, its def too, did not run (see the note above)")
    for name, label in unrun_defs(cells, submission).items():
        missing.setdefault(name, f"'{name}' was never defined: {label} did not run, as the notebook's cells had run "
                                 "for their whole budget in all (see the note above)")
    return missing


def _unquoted(message: str, limit: int) -> str:
    """An exception's message as the child quoted it (``repr``), without the quotes, cut to ``limit``."""
    if len(message) >= 2 and message[0] == message[-1] and message[0] in "'\"":
        message = message[1:-1]
    return message if len(message) <= limit else message[:limit - 3] + "..."


def _top_level_defs(code: str) -> list[tuple[str, int]]:
    """(name, line) of each function ``code`` defines at its top level (none where it does not parse)."""
    try:
        tree = ast.parse(code)
    except PARSE_ERRORS:
        return []
    return [(node.name, node.lineno) for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]


def _name_stopped_cells(results: list[CheckResult], cells: Any, submission: Submission) -> None:
    """A check whose function is missing because its cell stopped above the ``def`` says so
    (:func:`stopped_before_def`), instead of only that the function is missing."""
    stopped = stopped_before_def(cells, submission) if any(NO_FUNCTION in r.feedback for r in results) else {}
    for result in results:
        for name, why in stopped.items():
            result.feedback = result.feedback.replace(f"{NO_FUNCTION}{name!r}", why)


def helpers_called(code: str, functions: set[str]) -> dict[str, list[str]]:
    """{function: the other ``functions`` its body names, in the order written} for each of ``functions`` that
    ``code`` defines at its top level (a notebook's function defined twice: both bodies); ``{}`` where it does not
    parse."""
    try:
        tree = ast.parse(code)
    except PARSE_ERRORS:
        return {}
    calls: dict[str, list[str]] = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in functions:
            named = sorted((inner.lineno, inner.col_offset, inner.id) for inner in ast.walk(node)
                           if isinstance(inner, ast.Name) and inner.id in functions and inner.id != node.name)
            calls[node.name] = list(dict.fromkeys(calls.get(node.name, []) + [name for _, _, name in named]))
    return calls


def _name_failed_helpers(results: list[CheckResult], submission: Submission) -> None:
    """A failed check whose function calls another of the exercise's functions that failed a visible check says so
    (``frozen_gradients`` builds its loss with ``network``): that mistake is the likely cause, and the one to fix
    first. Only the submission's own calls count, only visible checks are named, and neither a failure with the same
    feedback (a file that could not be imported) nor a grader that says so itself (exercise 2's forward, exercise 6's
    loss_fn) gets it."""
    failed: dict[str, CheckResult] = {}
    for result in results:
        if not result.passed and not result.hidden:
            failed.setdefault(result.function, result)
    if not failed:
        return
    calls = helpers_called(source_text(submission), set(failed) | {result.function for result in results})
    for result in results:
        helpers = [name for name in calls.get(result.function, []) if name in failed
                   and failed[name].feedback != result.feedback  # (one cause for both: a failed import, say)
                   and f"fix {name} first" not in result.feedback]  # (a grader's own note)
        if not result.passed and helpers:
            result.feedback += "".join(f" Your {result.function}() calls {name}(), which failed its check "
                                       f"{failed[name].name}: fix {name}() first." for name in helpers)


def _root_causes(results: list[CheckResult]) -> None:
    """A failed check whose feedback sends the student to fix another function first (``_name_failed_helpers``, or a
    grader's own "fix loss_fn first") takes that function's failed visible check's mistake code: one cause, counted
    once under its name in a class's report, not as ``no-param-requires-grad`` or ``wrong-value`` (walkthrough 69: a
    freeze that only switched parameters off was 5 points under its name and 8 under another)."""
    roots: dict[str, CheckResult] = {}
    for result in results:
        if not result.passed and not result.hidden and result.mistake:
            roots.setdefault(result.function, result)
    for result in results:
        causes = [root for name, root in roots.items() if name != result.function and not result.passed
                  and (f"fix {name} first" in result.feedback or f"fix {name}() first" in result.feedback)]
        if causes:
            result.mistake = causes[0].mistake


def custom_functions(code: str) -> list[tuple[str, int]]:
    """(name, line) of each class ``code`` derives from ``torch.autograd.Function`` (``autograd.Function``, or a
    ``Function`` imported by that name), at any depth; ``[]`` where it does not parse."""
    try:
        tree = ast.parse(code)
    except PARSE_ERRORS:
        return []

    def function(base: ast.expr) -> bool:  # Function, autograd.Function, torch.autograd.Function
        if isinstance(base, ast.Name):
            return base.id == "Function"
        owner = base.value if isinstance(base, ast.Attribute) and base.attr == "Function" else None
        return (isinstance(owner, ast.Name) and owner.id == "autograd") or \
            (isinstance(owner, ast.Attribute) and owner.attr == "autograd")

    return [(node.name, node.lineno) for node in ast.walk(tree)
            if isinstance(node, ast.ClassDef) and any(function(base) for base in node.bases)]


def _name_custom_functions(results: list[CheckResult], submission: Submission) -> None:
    """A by-hand check failed because the file's top level built a graph node says so where the file defines a custom
    ``autograd.Function``: each of its calls is numbered a node, even with no tensor requiring gradients or under
    ``torch.no_grad()`` (``observe.graph_nodes``: that node is not told from one a class of the file's own made in its
    place, red team 89), so a demo call of it at the top level is the likely cause (fairness 62: one ``print`` of it
    cost the by-hand point, with no line named)."""
    said = f"the file's own code {judge.TOP_LEVEL_GRAPH}"
    failed = [result for result in results if not result.passed and said in result.feedback]
    found = custom_functions(source_text(submission)) if failed else []
    if not found:
        return
    name, line = found[0]
    for result in failed:
        result.feedback += (f" Your file defines a torch.autograd.Function ({name}, {submission.locate(line)}): "
                            "each call of it counts as a graph node, even under torch.no_grad(), so call it at the top "
                            "level only under `if __name__ == \"__main__\":`.")


def helper_checks(exercise: Exercise, check: Check, submission: Submission) -> list[Check]:
    """The visible checks of the exercise's other functions that ``check``'s function calls in ``submission``: a
    notebook's test cell grades them beside its own check, so that :func:`_name_failed_helpers` can say that the
    failure comes from a helper (``frozen_gradients`` building its loss with a failing ``network``), as ``grade`` does
    with every check (walkthrough 67)."""
    called = helpers_called(source_text(submission), set(exercise.functions)).get(check.function, [])
    return [other for other in exercise.checks
            if other.function in called and not other.hidden and other.name != check.name]


def _not_installed(exc: dict[str, Any]) -> str:
    """For a package the grading machine lacks (``ModuleNotFoundError``), what a submission may import."""
    found = re.search(r"No module named '([\w.]+)'", str(exc.get("message"))) \
        if exc.get("type") == "ModuleNotFoundError" else None
    if found is None:
        return ""
    return (f"('{found.group(1).split('.')[0]}' is not installed where submissions are graded: use "
            f"{guard.importable_libraries()} only) ")


# -- running -------------------------------------------------------------------------------------------------

def hung_cell(run: RunResult) -> int | None:
    """The notebook cell a child was running when it was killed at its deadline (its output's last separator
    names it), or None: a cell that ignored the interrupt at its budget, past which nothing can run."""
    from autograd_exercises.sandbox.protocol import CHECK_SEPARATOR, CHECK_SEPARATOR_END

    if run.status != "timeout" or run.output_dropped or CHECK_SEPARATOR not in run.output:
        return None  # (a flood of output may have dropped the last separators)
    last = run.output.rsplit(CHECK_SEPARATOR, 1)[1].split(CHECK_SEPARATOR_END, 1)[0]
    number = last.removeprefix("@cell ")
    return int(number) if last.startswith("@cell ") and number.isdigit() else None


def _job_item(lead: Check, timeout: float, fresh: bool) -> dict[str, Any]:
    """A call's entry in a child's job: its probe and timeout; ``fresh`` where it serves a by-hand check
    (:func:`by_hand_calls`), so that the child runs the code above it first with autograd switched off
    (``sandbox.child._run_off``: red teams 170 to 177 kept autograd's answers where the by-hand function read them
    back) and, before the call, empties numpy's cache of small freed buffers and the libraries' caches
    (``sandbox.numpy_cache``, ``sandbox.caches``)."""
    item = {"name": lead.name, "probe": lead.probe_ref, "timeout": timeout, "fresh": fresh}
    if lead.name.endswith(AGAIN_CALL):  # (a by-hand call's second: not made where the first timed out)
        item["after"] = lead.name[:-len(AGAIN_CALL)]
    return item


def _run_one_child(exercise: Exercise, submission: Submission, leads: list[Check], cases: dict[str, list[Case]],
                   sandbox: Sandbox, timeout: float, program: list[dict[str, Any]] | None, import_timeout: float, *,
                   by_hand: frozenset[str] = frozenset()) -> tuple[dict[str, RunResult] | None, Any, list[Any]]:
    """Every call (each :func:`group_calls` lead's probe) in one child (the submission imported once, within
    ``import_timeout``, or a notebook's cells run once), each within ``timeout``; ``None`` when that child failed
    as a whole (a hang past its timers, a crash, a limit, a forged report). Also what the child said about the
    notebook's cells (the run that counts), or, when a cell hung it, that cell's number; and every list of outcomes
    it said of them, for the by-hand reading (:func:`_told`)."""
    jobs = [_job_item(lead, timeout, lead.name in by_hand) for lead in leads]
    total = child_time(len(jobs), timeout, _cells_time(program), import_timeout) + \
        _again_time(jobs, program, import_timeout)
    run = sandbox.run(source=submission.source, filename=exercise.stub, module=exercise.module, probe=None,
                      inputs=packing.pack({lead.name: cases[lead.name] for lead in leads}), timeout=total, checks=jobs,
                      import_timeout=import_timeout, program=program)
    if program is None and run.status == "timeout" and run.checks_started is False:
        run = RunResult("import-timeout", output=run.output, wall=run.wall)  # its timer blocked: no child per call
    split = split_checks(run, [lead.name for lead in leads], import_timeout)
    if split is None:
        return None, hung_cell(run) if program is not None else None, []
    return split, run.result.get("cells"), _told(run) if program is not None else []


def _cells_time(program: list[dict[str, Any]] | None) -> float | None:
    """A notebook's cells' budget in all (``protocol.cells_budget``); None for a module (its import's is apart)."""
    return cells_budget(program) if program is not None else None


def _again_time(jobs: list[dict[str, Any]], program: list[dict[str, Any]] | None, import_timeout: float) -> float:
    """The time a child whose first calls serve by-hand checks spends running the top level a second time (the
    first ran with autograd off, ``sandbox.child._run_off``): the import's budget, or the notebook's cells above the
    first by-hand call's test cell (``protocol.off_stop``); none where no other call remains."""
    if not runs_twice(jobs):
        return 0.0
    if program is None:
        return import_timeout
    return cells_budget(program[:off_stop(jobs, program)])


def _told(run: RunResult) -> list[Any]:
    """What a child said of the notebook's cells, for :func:`cell_runs`: the outcomes of the run that counts, and, where
    it ran the cells above the by-hand calls first with autograd off (``sandbox.child.run_program``), those too."""
    told = [run.result.get("cells")]
    if "cells_off" in run.result:
        told.append(run.result["cells_off"])
    return told


def _run_each(exercise: Exercise, submission: Submission, leads: list[Check], cases: dict[str, list[Case]],
              sandbox: Sandbox, timeout: float, program: list[dict[str, Any]] | None, import_timeout: float,
              hung: int | None = None, *, by_hand: frozenset[str] = frozenset()
              ) -> tuple[dict[str, RunResult], Any, list[Any]]:
    """One child per call (after one that only imports a module: an import that fails, fails every call once): a
    hang costs only its own call. Each child imports the module (within ``import_timeout``) or, for a notebook,
    runs the cells above the call's test cell; then the call, within ``timeout``. A call below cell ``hung`` (a
    cell that could not be stopped) is not run: a kernel never gets there. The children together have ``budget.EACH``
    (two) times the one child's budget; a call whose child would start past it is not run, and the last child is stopped where it ends
    (``out-of-time``: red team 168's top level of 50 s, run again by every call's child, held one submission for 503 s;
    red team 212's notebook, each child spending its cells' whole budget, ran one child past it).
    """
    common = dict(source=submission.source, filename=exercise.stub, module=exercise.module)
    start = time.perf_counter()
    budget = EACH * child_time(len(leads), timeout, _cells_time(program), import_timeout)
    if program is None:
        imported = sandbox.run(probe=None, inputs=_serialize([]), timeout=import_timeout, **common)
        if imported.status == "timeout":
            imported = RunResult("import-timeout", {"budget": import_timeout}, output=imported.output, wall=imported.wall)
        if imported.status != "ok":
            return {lead.name: imported for lead in leads}, None, []
        import_timeout = min(import_timeout, 2 * imported.wall + timeout)  # its time, as the server measured it
    runs, cells, said, slowest = {}, None, [], imported.wall if program is None else 0.0
    for lead in leads:
        steps = _up_to(program, lead.name) if program is not None else None
        if hung is not None and steps is not None and any(step.get("cell") == hung for step in steps):
            runs[lead.name] = RunResult("cell-hung", {"cell": hung})
            continue
        left = budget - (time.perf_counter() - start)  # (a child never runs past the budget: red team 212's notebook)
        if left < 0.1:
            runs[lead.name] = RunResult("out-of-time", {"wall": slowest})
            continue
        job = [_job_item(lead, timeout, lead.name in by_hand)]
        if job[0].get("after") in runs and runs[job[0]["after"]].status == "timeout":
            runs[lead.name] = RunResult("timeout")  # (its first call hung: the same call again would too)
            continue
        full = child_time(1, timeout, _cells_time(steps), import_timeout)
        run = sandbox.run(probe=None, inputs=packing.pack({lead.name: cases[lead.name]}), checks=job,
                          timeout=min(full, left), import_timeout=import_timeout, program=steps, **common)
        split = split_checks(run, [lead.name], import_timeout)
        if split is None and run.status == "timeout" and left < full:
            run = RunResult("out-of-time", {"wall": max(slowest, run.wall)})  # (the budget stopped it, not its time)
        runs[lead.name], slowest = split[lead.name] if split is not None else run, max(slowest, run.wall)
        if steps is not None and split is not None:  # (a child that failed as a whole judges nothing)
            said += _told(run)  # every other child's, for the by-hand reading: :func:`cell_runs`
        if isinstance(run.result.get("cells"), list) and len(run.result["cells"]) >= len(cells or []):
            cells = run.result["cells"]
    return runs, cells, said


def secret_calls(exercise: Exercise, groups: dict[str, list[Check]]) -> set[str]:
    """The calls (:func:`group_calls` leads) whose inputs only hidden checks use (:attr:`Check.secret_inputs`).

    They run in a child of their own, after the visible checks': code in the child that serves the visible checks
    can read every input in its process (``gc``, its callers' frames) and print it at import or return it in a
    value the feedback quotes, before the hidden checks are published. A child that never holds them leaks none.
    """
    secret = exercise.secret_refs  # (a property: read once, not once per call)
    return {lead for lead, members in groups.items() if members[0].inputs_ref in secret}


def _parts(exercise: Exercise, groups: dict[str, list[Check]], leads: list[Check]) -> list[list[Check]]:
    """The calls each child runs: those the visible checks' inputs allow, then those of secret inputs (if any).

    A by-hand check's call (:func:`by_hand_calls`) runs before any other call of its child, so no earlier check's
    run of the autograd functions has left anything behind for it (a table or a curve fitted to their answers). In a
    notebook too, where calls run at their test cells: the child runs the cells above the by-hand call's test cell
    first (with autograd off, the calls of the test cells among them left for later), then that call, then the whole
    notebook again for the others (``sandbox.child.run_program``).
    """
    secret, by_hand = secret_calls(exercise, groups), by_hand_calls(groups)
    # the by-hand call, then its second call (:func:`again_calls`: in a child of its own, before the budget runs low)
    rank = {name: 0 for name in by_hand} | {name + AGAIN_CALL: 1 for name in by_hand}
    parts = [sorted(part, key=lambda lead: rank.get(lead.name, 2))  # stable: the others keep their order
             for part in ([lead for lead in leads if lead.name not in secret],
                          [lead for lead in leads if lead.name in secret])]
    return [part for part in parts if part]


def by_hand_calls(groups: dict[str, list[Check]]) -> frozenset[str]:
    """The calls (:func:`group_calls` leads) that serve a by-hand check: its own call, not another of the same
    function at another test cell (red team 183: a cell between a notebook's test cell of the by-hand function's values
    and its by-hand test cell made two calls; the values' call, taken as the by-hand one, stopped the run with autograd
    off above it, and the by-hand call ran after the grader's autograd calls, which failed it)."""
    return frozenset(lead for lead, members in groups.items() if any(check.by_hand for check in members))


AGAIN_CALL = " again"  # the name of a by-hand call's second call (:func:`again_calls`): its lead's, and this


def again_calls(groups: dict[str, list[Check]], cases: dict[str, list[Case]],
                positions: dict[str, tuple[int, int]] | None, order: list[str], seed: int) -> dict[str, str]:
    """Each by-hand call (:func:`by_hand_calls`) made a second time, in the run of the file as it runs without the
    grader: a module imported with autograd on, a notebook's cells above its test cell run as a kernel runs them (the
    child's second run, ``sandbox.child._run_off``, ``run_program``). The first call judges the values, after the code
    above it ran with autograd off; this one only says whether the function used autograd there (red team 186: a file
    that told the two runs apart had its by-hand function compute by hand only in the run with autograd off), on one of
    its inputs, picked by the run's ``seed``, which the file never sees (red team 190 computed by hand on the first
    input's shape and dtype alone): a tripwire for a function that asks autograd in that run, 1 case of 8 in exercise
    2 (a function that tells the grader's calls from its own evades it on any, red team 189). Added to
    ``groups``, ``cases``, ``positions`` (its lead's stop) and ``order`` (after its lead) in place; returns the by-hand
    calls' leads by the second call's name."""
    again = {}
    for lead in sorted(by_hand_calls(groups)):
        twin = replace(groups[lead][0], name=lead + AGAIN_CALL, by_hand=False)
        pick = random.Random(f"{seed} {lead}").randrange(len(cases[lead])) if cases[lead] else 0
        groups[twin.name], cases[twin.name], again[twin.name] = [twin], cases[lead][pick:pick + 1], lead
        if positions is not None:
            positions[twin.name] = positions[lead]
        order.insert(order.index(lead) + 1, twin.name)
    return again


def _judge_again(results: list[CheckResult], selected: list[Check], groups: dict[str, list[Check]],
                 again: dict[str, str], runs: dict[str, RunResult], cases: dict[str, list[Case]], timeout: float,
                 submission: Submission, unrun: frozenset[str] = frozenset()) -> None:
    """A passed by-hand check fails where its function's second call (:func:`again_calls`) used autograd, or did not
    show that it did not: it raised, hung, crashed or was not run (red team 188: a call that spun only there), but
    for a call the grader's own budget left out (a child per call, after one child failed as a whole). Where the cell
    defining the function did not run there, the cells' budget in all spent (``unrun``, :func:`unrun_defs`), and
    nothing shows autograd, the feedback says so instead (red team 212: an honest notebook's slow cells left its
    ``def`` unrun there; red team 216: only then, not for a function that raised of itself)."""
    lead_of = {check.name: lead for lead, members in groups.items() for check in members}
    for twin, lead in again.items():
        run = runs.get(twin, RunResult("no-result"))
        if run.status == "out-of-time":  # (the grader's budget for a child per call ran out: not the function's doing)
            continue
        said = judge.used_autograd(run.observations, len(cases[twin])) if run.status == "ok" else \
            f"could not be checked: {run_failure(run, timeout, submission)}"
        for result, check in zip(results, selected):
            if said and check.by_hand and lead_of.get(check.name) == lead and result.status == "passed":
                result.points, result.status = 0.0, "failed"
                result.mistake, result.feedback = _again_verdict(check.function, said, check.function in unrun)


def _again_verdict(function: str, said: str, unrun: bool) -> tuple[str, str]:
    """(mistake, feedback) of a by-hand check whose function's second call ``said`` what keeps it from passing;
    ``unrun``: the cell defining the function did not run there, the cells' budget spent (what excuses it, where
    nothing in ``said`` shows autograd)."""
    if unrun and not said.startswith(judge.AUTOGRAD_SEEN):
        return "cells-out-of-time", (
            f"{function} is called again in your notebook's own run (its cells run with autograd on, as without the "
            f"grader) to see that it computes by hand there too, and there it {said}: that run's cells had run for "
            "their whole budget in all, so the cells below did not run (see the note above). Make the cells above its "
            "test cell quicker")
    return "autograd-in-by-hand", (
        f"{function} must compute the derivative by hand, and the grader calls it again in your file's own run (the "
        f"code above this check run with autograd on, as it runs without the grader), where it {said}: write the "
        "derivative once, by hand, and use it in both")


def _program_for(program: list[dict[str, Any]], names: set[str], whole: bool) -> list[dict[str, Any]]:
    """A notebook's program with the stops of ``names`` only: every cell (``whole``: the child whose cells the
    report describes), or cut after the last of those stops (a later cell would run for nothing)."""
    steps = [step if "checks" not in step else {"checks": [name for name in step["checks"] if name in names]}
             for step in program]
    steps = [step for step in steps if step.get("checks", True)]
    if whole:
        return steps
    return steps[: max((index for index, step in enumerate(steps) if "checks" in step), default=len(steps) - 1) + 1]


def _run_part(exercise: Exercise, submission: Submission, leads: list[Check], cases: dict[str, list[Case]],
              sandbox: Sandbox, timeout: float, program: list[dict[str, Any]] | None, cell_timeout: float,
              one_child: bool, hung: int | None = None, *, by_hand: frozenset[str] = frozenset()
              ) -> tuple[dict[str, RunResult], Any, int | None, list[Any]]:
    """``leads``' calls in one child, or, when that child fails as a whole (or not ``one_child``, or an earlier
    child found cell ``hung`` unstoppable), each in its own: their runs, what the notebook's cells did (for its
    notes), the cell that could not be stopped (else None), and what each child that ran cells said of them.
    ``by_hand``: the calls that serve a by-hand check (:func:`by_hand_calls`)."""
    runs, cells, told = _run_one_child(exercise, submission, leads, cases, sandbox, timeout, program, cell_timeout,
                                       by_hand=by_hand) if one_child and hung is None else (None, hung, [])
    if runs is not None:
        return runs, cells, None, told
    hung = cells if isinstance(cells, int) else None
    runs, cells, said = _run_each(exercise, submission, leads, cases, sandbox, timeout, program, cell_timeout, hung,
                                  by_hand=by_hand)
    return runs, cells, hung, said


def grade(exercise: Exercise, submission: Submission, *, sandbox: Sandbox, seed: int,
          timeout: float = DEFAULT_TIMEOUT, checks: Iterable[Check] | None = None,
          one_child: bool = True, cell_timeout: float = DEFAULT_CELL_TIMEOUT, doors: bool = True) -> ExerciseResult:
    """Grade one submission of one exercise.

    The checks that share a call (:func:`group_calls`) judge one run of it. All calls run in one child first
    (``one_child``); only when that child fails as a whole does each call get a child of its own, so a hang,
    crash or limit still costs only the call that caused it. A notebook's cells run in document order, each
    within ``cell_timeout``; each check judges the state at its test cell (:func:`check_positions`). A module's
    top level is its one cell: its import has ``cell_timeout`` too, apart from the checks' ``timeout``. Calls whose
    inputs only hidden checks use run in a second child (:func:`secret_calls`). A file that reaches the grader's own
    objects in the child (:mod:`.judge.tampering`) is not run: every check is zero (``doors``: read for them; the
    sandbox's own tests turn it off, to run such files against the sandbox's layers).
    """
    start = time.perf_counter()
    selected = list(checks if checks is not None else exercise.checks)
    absent = exercise.hidden_absent if checks is None else None
    hidden_not_run = {"checks": absent.checks, "points": absent.points} if absent else {}
    if doors and (found := tampering.door(source_text(submission))):
        return reaches_grader(exercise, submission, seed, selected, found, list(sandbox.layers), hidden_not_run)
    program = positions = None
    if submission.kind == "ipynb" or submission.program:
        positions = check_positions(exercise, submission, selected)
    groups = group_calls(selected, positions, submission)
    cases = shared_cases(exercise, selected, seed)
    order = [check.name for check in exercise.checks if check.name in groups]
    again = again_calls(groups, cases, positions, order, seed)
    leads, by_hand = [members[0] for members in groups.values()], by_hand_calls(groups)
    if positions is not None:
        program = notebook_program(submission, {lead.name: positions[lead.name] for lead in leads}, order, cell_timeout)
    runs: dict[str, RunResult] = {}
    cells = hung = shown_hung = None
    said: list[Any] = []  # what every child said of the notebook's cells
    for index, part in enumerate(_parts(exercise, groups, leads)):  # visible checks' calls, then secret
        steps = _program_for(program, {lead.name for lead in part}, whole=index == 0) if program is not None else None
        part_runs, part_cells, hung, part_said = _run_part(exercise, submission, part, cases, sandbox, timeout, steps,
                                                           cell_timeout, one_child, hung, by_hand=by_hand)
        runs.update(part_runs)
        said += part_said + ([[{"cell": hung, "status": "hung"}]] if isinstance(hung, int) else [])
        if index == 0:  # the notes come from the first child only: what a secret one did is for its hidden checks
            cells, shown_hung = part_cells, hung
    results = _judge_groups(selected, groups, runs, cases, submission, positions, timeout,
                            cell_runs(said, submission) if program is not None else None)
    _judge_again(results, selected, groups, again, runs, cases, timeout, submission,
                 frozenset(unrun_defs(cells, submission)))
    _name_stopped_cells(results, cells, submission)
    _name_failed_helpers(results, submission)
    _root_causes(results)
    _name_custom_functions(results, submission)
    notes = list(submission.skipped) + cell_notes(cells, submission, cell_timeout) + debugger_notes(submission)
    if shown_hung is not None:
        notes.append(f"{submission.label(shown_hung)} ran past its {cell_timeout:g} s budget and could not be stopped "
                     "(it ignores the interrupt): the checks below it were not run")
    return ExerciseResult(exercise.slug, exercise.title, submission.shown_path, seed, results,
                          round(time.perf_counter() - start, 4), list(sandbox.layers), notes, hidden_not_run)


def debugger_notes(submission: Submission) -> list[str]:
    """A note for the calls left in the file that did nothing (a debugger's, ``doctest.testmod()``): the first of
    each kind, and how many more."""
    notes, found = [], tampering.debugger_calls(source_text(submission), notebook=bool(submission.program))
    for kind, why in STAND_IN_NOTES.items():
        calls = [(call, line) for call, line, of in found if of == kind]
        if calls:
            (call, line), more = calls[0], len(calls) - 1
            also = f" (and {more} more such call{'s' * (more > 1)})" if more else ""
            notes.append(f"{call} at {submission.locate(line)}{also} did nothing: {why}")
    return notes


STAND_IN_NOTES = {"debugger": "the grader runs no debugger. Remove it when done.",
                  "doctest": "the grader runs no doctest.",
                  "check": "the grader runs the exercise's checks itself (check() belongs in the notebook's test cells, "
                           "where it shows you the same checks)."}


REACHES_GRADER = "reaches-grader"  # the mistake code (mistakes.COMMON)


def reaches_grader(exercise: Exercise, submission: Submission, seed: int, selected: list[Check],
                   found: tuple[str, int], layers: list[str], hidden_not_run: dict[str, float]) -> ExerciseResult:
    """Every check of ``selected`` at zero, not run, for a file whose code reaches the grader's own objects."""
    what, line = found
    place = submission.locate(line)
    problem = (f"{submission.name} {what} at {place}: the checks' probes run beside your code, and a submission may "
               "not reach them, so nothing was run. Remove it and grade again.")
    results = [CheckResult.failed(check, f"not run: the file {what.split(' (')[0]} at {place}", mistake=REACHES_GRADER)
               for check in selected]
    return ExerciseResult(exercise.slug, exercise.title, submission.shown_path, seed, results, 0.0, layers, [],
                          hidden_not_run, problem=problem)


def _judge_groups(selected: list[Check], groups: dict[str, list[Check]], runs: dict[str, RunResult],
                  cases: dict[str, list[Case]], submission: Submission, positions: dict[str, tuple[int, int]] | None,
                  timeout: float, ran: static.CellRuns | None = None) -> list[CheckResult]:
    """Each check judged from its call's run; a run's warnings are read once for every check it serves (``ran``: what
    every child said of the notebook's cells, :func:`cell_runs`)."""
    lead_of = {check.name: lead for lead, members in groups.items() for check in members}
    noted = {lead: run_notes(run, submission) for lead, run in runs.items()}
    return [judge_run(check, cases[check.name], runs[lead_of[check.name]], submission, timeout,
                      _source_up_to(submission, positions[check.name]) if positions and check.by_hand else submission,
                      noted[lead_of[check.name]], ran)  # (only a by-hand check reads its source)
            for check in selected]


def _source_up_to(submission: Submission, position: tuple[int, int]) -> Submission:
    """The notebook as its cells stand at ``position``: what a by-hand check's function is read from."""
    last = max((cell.last for cell in submission.program if cell.number <= position[0]), default=0)
    lines = submission.source.split(b"\n")
    if last >= len(lines):
        return submission
    return replace(submission, source=b"\n".join(lines[:last]) + b"\n")
