"""Results: plain dataclasses the grader fills and every report reads."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class CheckResult:
    """The outcome of one check. ``feedback`` is empty when it passed."""

    name: str
    function: str
    description: str
    max_points: float
    points: float
    status: str  # "passed" | "failed"
    feedback: str = ""
    notes: list[str] = field(default_factory=list)
    hidden: bool = False
    tolerance: dict[str, float] = field(default_factory=dict)
    output: str = ""  # what the student's code printed during this check
    wall: float = 0.0
    mistake: str = ""  # the failure's stable code ("grad-accumulated": autograd_exercises.mistakes); "" when passed

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    @classmethod
    def failed(cls, check: Any, feedback: str = "", **fields: Any) -> "CheckResult":
        """``check`` (a :class:`~autograd_exercises.spec.Check`) at zero points, failed, with ``feedback``."""
        return cls(check.name, check.function, check.description, check.points, 0.0, "failed", feedback,
                   hidden=check.hidden, tolerance=check.tolerance.as_dict(), **fields)


@dataclass
class ExerciseResult:
    """All checks of one exercise for one submission."""

    exercise: str
    title: str
    submission: str
    seed: int
    checks: list[CheckResult]
    execution_time: float = 0.0
    isolation: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # about the submission as a whole
    hidden_not_run: dict[str, float] = field(default_factory=dict)  # {"checks", "points"} this install lacks
    problem: str = ""  # why the submission did not run at all (shown once, before the checks)
    choice: str = ""  # why this file was graded, when the folder had more than one candidate

    @property
    def file_name(self) -> str:
        """The graded file's name without its folder (what reports sent to students show): after the last ``/``.
        Every producer gives ``/`` between folders (:attr:`Submission.shown_path`, a class's bare name): a ``\\`` is
        part of a name on Linux (``mallory\\bob.py`` is not ``bob.py``, red team 165), or an escape (``\\r``)."""
        return self.submission.rsplit("/", 1)[-1]

    @property
    def score(self) -> float:
        return round(sum(check.points for check in self.checks), 6)

    @property
    def max_score(self) -> float:
        return round(sum(check.max_points for check in self.checks), 6)

    @property
    def full_marks(self) -> bool:
        return self.score >= self.max_score

    @property
    def hidden_note(self) -> str:
        """The line saying how many hidden checks were left to the course ("" when none were)."""
        if not self.hidden_not_run:
            return ""
        checks, points = self.hidden_not_run["checks"], self.hidden_not_run["points"]
        return (f"{checks:g} hidden check{'s' if checks != 1 else ''} ({points:g} point{'s' if points != 1 else ''}) "
                f"{'are' if checks != 1 else 'is'} graded by your course, not here")

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(score=self.score, max_score=self.max_score)
        return data
