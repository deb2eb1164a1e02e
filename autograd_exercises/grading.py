"""The grading pipeline: spec → inputs → run (sandbox) → observations → judge → results.

Pure orchestration, no printing. Inputs are made here, in the trusted process,
from a seed; the sandbox runs the probe on them; the check's judge computes the
reference and scores. A check that hangs, crashes or raises fails alone.
"""

from __future__ import annotations

import io
import time
import zlib
from typing import Any, Iterable

import torch

from autograd_exercises.judge import Fail, static
from autograd_exercises.results import CheckResult, ExerciseResult
from autograd_exercises.sandbox import DEFAULT_TIMEOUT, RunResult, Sandbox, split_checks
from autograd_exercises.spec import Case, Check, Exercise
from autograd_exercises.submission import Submission


MAX_NOTES, MAX_NOTE = 20, 300  # warnings kept per check, and characters of each: a flood costs nothing


def check_seed(seed: int, exercise: Exercise, check: Check) -> int:
    """A per-check seed: the same run seed gives every check its own stream."""
    return zlib.crc32(f"{seed}:{exercise.slug}:{check.name}".encode())


def make_cases(exercise: Exercise, check: Check, seed: int) -> list[Case]:
    """The check's inputs for this seed, made in the trusted process."""
    generator = torch.Generator().manual_seed(check_seed(seed, exercise, check))
    return list(check.inputs(generator))


def _serialize(cases: list[Case]) -> bytes:
    buffer = io.BytesIO()
    torch.save([{k: v for k, v in case.items()} for case in cases], buffer)
    return buffer.getvalue()


def _with_places(value: Any, submission: Submission) -> Any:
    """Add ``where`` ("cell 4, line 2") to every traceback frame in an observation."""
    if isinstance(value, dict):
        if isinstance(value.get("frames"), list):
            for frame in value["frames"]:
                if isinstance(frame, dict) and isinstance(frame.get("line"), int):
                    frame["where"] = submission.locate(frame["line"])
        for item in value.values():
            _with_places(item, submission)
    elif isinstance(value, list):
        for item in value:
            _with_places(item, submission)
    return value


def _warnings(value: Any) -> list[str]:
    """Every warning text recorded anywhere in an observation."""
    found: list[str] = []
    if isinstance(value, dict):
        found += [w for w in value.get("warnings", []) if isinstance(w, str)]
        for item in value.values():
            if not isinstance(item, list) or item is not value.get("warnings"):
                found += _warnings(item)
    elif isinstance(value, list):
        for item in value:
            found += _warnings(item)
    return found


def run_failure(run: RunResult, timeout: float, submission: Submission) -> str:
    """Feedback for a child that did not report observations."""
    if run.status == "import-error":
        exc = _with_places(run.result.get("exception", {}), submission)
        frames = exc.get("frames") or [{}]
        where = f" at {frames[-1]['where']}" if frames[-1].get("where") else ""
        code = f": {frames[-1]['code']}" if frames[-1].get("code") else ""
        return f"the submission could not be imported: {exc.get('type')}{where}{code} ({exc.get('message')})"
    if run.status == "timeout":
        return f"timed out after {timeout:g} s (an endless loop, or very slow code?)"
    if run.status == "crashed":
        return f"the process running your code crashed (signal {run.signal})" if run.signal else \
            run.result.get("message", "the process running your code crashed")
    if run.status == "too-large":
        return "your code's results were too large to send back"
    if run.status == "no-result" and str(run.result.get("message", "")).startswith("unreadable report"):
        return f"the grader could not read what your code reported ({run.result['message']})"
    if run.status == "no-result":
        return f"your code ended the process (exit status {run.exit}) before the check finished: " \
               "do not call os._exit/sys.exit or close the grader's files"
    return f"the sandbox could not run the check: {run.result.get('message', run.status)}"


def _label(case: Case) -> str:
    return f" [input: {case['label']}]" if case.get("label") else ""


def by_hand_failure(check: Check, submission: Submission) -> str | None:
    """Feedback when a by-hand check's function uses autograd, read from the submission's source."""
    findings = static.autograd_use(submission.source.decode("utf-8", "replace"), check.function)
    return static.feedback(check.function, findings, submission.locate) if findings else None


def judge_run(check: Check, cases: list[Case], run: RunResult, submission: Submission, timeout: float) -> CheckResult:
    """Score one check from what its child reported."""
    result = CheckResult(check.name, check.function, check.description, check.points, 0.0, "failed",
                         hidden=check.hidden, tolerance=check.tolerance.as_dict(), output=run.output, wall=run.wall)
    if run.status != "ok":
        result.feedback = run_failure(run, timeout, submission)
        return result
    observations = _with_places(run.observations, submission)
    result.notes = sorted({note[:MAX_NOTE] for note in _warnings(observations)})[:MAX_NOTES]
    autograd_in_code = by_hand_failure(check, submission) if check.by_hand else None
    if autograd_in_code is not None:  # what the code is, whatever the run reported
        result.feedback = autograd_in_code
        return result
    for case, obs in zip(cases, observations):
        if "probe_error" in obs:
            err = obs["probe_error"]
            result.feedback = f"checking your result raised {err['type']}: {err['message']}{_label(case)}"
            return result
        try:
            check.judge(case, obs)
        except Fail as failure:
            result.feedback = f"{failure}{_label(case) if failure.about_input else ''}"
            return result
        except Exception as exc:  # a report of the wrong shape (forged, or a probe gap): this check only
            result.feedback = f"the grader could not read what your code reported ({type(exc).__name__}: {exc})"
            return result
    if len(observations) != len(cases):
        result.feedback = "the check did not finish every input"
        return result
    result.points, result.status = check.points, "passed"
    return result


def _run_one_child(exercise: Exercise, submission: Submission, selected: list[Check], cases: dict[str, list[Case]],
                   sandbox: Sandbox, timeout: float) -> dict[str, RunResult] | None:
    """Every check in one child (the submission imported once), each within ``timeout``; ``None`` when that
    child failed as a whole (a hang past its timers, a crash, a limit, a forged report)."""
    buffer = io.BytesIO()
    torch.save(cases, buffer)
    jobs = [{"name": check.name, "probe": check.probe_ref, "timeout": timeout} for check in selected]
    run = sandbox.run(source=submission.source, filename=f"{exercise.module}.py", module=exercise.module, probe=None,
                      inputs=buffer.getvalue(), timeout=timeout * (len(jobs) + 1), checks=jobs, import_timeout=timeout)
    return split_checks(run, [check.name for check in selected])


def _run_each(exercise: Exercise, submission: Submission, selected: list[Check], cases: dict[str, list[Case]],
              sandbox: Sandbox, timeout: float) -> dict[str, RunResult]:
    """One child per check, after one that only imports the submission: a hang costs only its own check."""
    common = dict(source=submission.source, filename=f"{exercise.module}.py", module=exercise.module, timeout=timeout)
    imported = sandbox.run(probe=None, inputs=_serialize([]), **common)
    if imported.status != "ok":
        return {check.name: imported for check in selected}
    return {check.name: sandbox.run(probe=check.probe_ref, inputs=_serialize(cases[check.name]), **common)
            for check in selected}


def grade(exercise: Exercise, submission: Submission, *, sandbox: Sandbox, seed: int,
          timeout: float = DEFAULT_TIMEOUT, checks: Iterable[Check] | None = None,
          one_child: bool = True) -> ExerciseResult:
    """Grade one submission of one exercise.

    All checks run in one child first (``one_child``); only when that child fails as a whole does each
    check get a child of its own, so a hang, crash or limit still costs only the check that caused it.
    """
    start = time.perf_counter()
    selected = list(checks if checks is not None else exercise.checks)
    cases = {check.name: make_cases(exercise, check, seed) for check in selected}
    runs = _run_one_child(exercise, submission, selected, cases, sandbox, timeout) if one_child and selected else None
    if runs is None:
        runs = _run_each(exercise, submission, selected, cases, sandbox, timeout)
    results = [judge_run(check, cases[check.name], runs[check.name], submission, timeout) for check in selected]
    absent = exercise.hidden_absent if checks is None else None
    return ExerciseResult(exercise.slug, exercise.title, submission.path, seed, results,
                          round(time.perf_counter() - start, 4), list(sandbox.layers), list(submission.skipped),
                          {"checks": absent.checks, "points": absent.points} if absent else {})
