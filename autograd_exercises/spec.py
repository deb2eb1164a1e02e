"""What an exercise is: its checks, their points, tolerances, inputs, probes and judges.

A check is the unit of grading. Its four parts run in two different processes:

* ``inputs(gen)`` (trusted grader) makes a list of *cases*: dicts of plain data
  (tensors, numbers, strings) built from a seeded ``torch.Generator``.
* ``probe(module, case)`` (sandboxed child) calls the student's functions on one
  case and returns *observations*: plain data made with
  :mod:`autograd_exercises.sandbox.observe`. Probes live in
  :mod:`autograd_exercises.probes`, the only exercise code the child loads.
* ``judge(case, obs)`` (trusted grader) computes the reference with torch and
  raises :class:`autograd_exercises.judge.Fail` with feedback when the
  observation is wrong.

Nothing computed by ``judge`` ever exists in the sandboxed process.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from autograd_exercises.catalog import FileNames

Case = dict[str, Any]
Observation = dict[str, Any]


@dataclass(frozen=True)
class Tolerance:
    """Closeness for :func:`torch.testing.assert_close`: ``|a - e| <= atol + rtol * |e|``."""

    rtol: float = 1e-5
    atol: float = 1e-6

    def as_dict(self) -> dict[str, float]:
        return {"rtol": self.rtol, "atol": self.atol}


@dataclass(frozen=True)
class Check:
    """One graded check of an exercise.

    ``function`` names the student function the check is about (notebooks put
    the check's test cell right after that function's solution cell).
    ``by_hand`` marks a check of a derivative computed by hand: the grader also
    reads ``function``'s source, and what it reaches, for autograd use
    (:mod:`autograd_exercises.judge.static`), besides what the judge sees.
    """

    name: str
    function: str
    points: float
    description: str
    inputs: Callable[..., Sequence[Case]]
    probe: Callable[[Any, Case], Observation]
    judge: Callable[[Case, Observation], None]
    tolerance: Tolerance = field(default_factory=Tolerance)
    hidden: bool = False
    by_hand: bool = False

    @property
    def probe_ref(self) -> str:
        """``module:qualname`` of the probe, how the sandbox finds it."""
        return f"{self.probe.__module__}:{self.probe.__qualname__}"

    @property
    def inputs_ref(self) -> str:
        """``module:qualname`` of the inputs function. Checks with the same one get the same cases (the very same
        objects), so a reference computed for one case serves each of them (:func:`judge.per_case`)."""
        return f"{self.inputs.__module__}:{self.inputs.__qualname__}"

    @property
    def secret_inputs(self) -> bool:
        """A hidden check's inputs are the grader's secret, unless its inputs function is the handout's own example
        (:func:`autograd_exercises.inputs.public`). Code whose output or values a student sees before the hidden
        checks are published (the visible checks, what it prints at import) never holds them
        (:func:`autograd_exercises.grading.secret_calls`)."""
        return self.hidden and not getattr(self.inputs, "public", False)

    @property
    def call(self) -> str:
        """What running this check does: its inputs and its probe. Checks with the same ``call`` judge the same
        observations: one run of the student's code serves them all."""
        return f"{self.inputs_ref} -> {self.probe_ref}"


@dataclass(frozen=True)
class HiddenCount:
    """How many hidden checks an exercise has and what they are worth: numbers only.

    Each grader module declares it, so an install without the hidden checks (a
    student's) still knows what it cannot grade.
    """

    checks: int
    points: float


@dataclass(frozen=True)
class Exercise(FileNames):
    """An exercise: a student module with functions, and the checks that grade it.

    ``hidden_absent`` counts the hidden checks this install does not have
    (``graders.hidden`` is instructor-only); ``checks`` holds only what can run here.
    """

    slug: str  # "exercise-2": what students type
    module: str  # "exercise_2": the student module's name
    title: str
    functions: tuple[str, ...]
    checks: tuple[Check, ...]
    hidden_absent: HiddenCount | None = None
    # (code, description) of the mistakes its graders name (:mod:`autograd_exercises.mistakes`); a shared code
    # (``mistakes.COMMON``) appears here only where a grader words it its own way
    mistakes: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        calls = {check.call for check in self.checks if check.by_hand}
        if len(calls) > 1:  # (a second one would run after the grader's own calls of the autograd functions)
            raise ValueError(f"{self.slug}: its by-hand checks must share one call (inputs and probe): the child "
                             f"runs one call fresh, with autograd off above it, and these are {len(calls)}")

    @property
    def max_score(self) -> float:
        """The points of the checks that run here."""
        return sum(check.points for check in self.checks)

    @property
    def course_points(self) -> float:
        """The exercise's points in the course, hidden checks included even where they are absent."""
        return self.max_score + (self.hidden_absent.points if self.hidden_absent else 0)

    @property
    def secret_refs(self) -> frozenset[str]:
        """The inputs functions that only checks with secret inputs use (:attr:`Check.secret_inputs`): their calls run
        in a child of their own (:func:`autograd_exercises.grading.secret_calls`)."""
        shown = {check.inputs_ref for check in self.checks if not check.secret_inputs}
        return frozenset(check.inputs_ref for check in self.checks if check.inputs_ref not in shown)

    def most_calls(self) -> tuple[tuple[int, bool], ...]:
        """For each child that grades a submission (the calls of the inputs a student may see, then the secret ones'),
        the most calls it makes and whether it makes the by-hand call: a call per check (a notebook's test cells may
        part checks that share one) and the by-hand call's second (``grading.again_calls``). What
        :func:`autograd_exercises.budget.most_time` bounds a submission's grading by."""
        parts = []
        for secret in (False, True):
            mine = [check for check in self.checks if (check.inputs_ref in self.secret_refs) == secret]
            by_hand = any(check.by_hand for check in mine)
            if mine:
                parts.append((len(mine) + by_hand, by_hand))
        return tuple(parts)

    def check(self, name: str) -> Check:
        for check in self.checks:
            if check.name == name:
                return check
        raise KeyError(f"{self.slug} has no check named {name!r}")
