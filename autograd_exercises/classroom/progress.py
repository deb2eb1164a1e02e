"""Progress of a class: a rich bar with counts and ETA on a terminal, plain periodic lines elsewhere (CI logs)."""

from __future__ import annotations

import sys
import time
from typing import Any, Callable, TextIO

from autograd_exercises.printable import printable


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"


class Progress:
    """Counts rows as they come; shows them. Use as a context manager around the grading."""

    def __init__(self, total: int, *, cached: int = 0, stream: TextIO | None = None, terminal: bool | None = None,
                 every: float = 10.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.stream = stream or sys.stdout
        self.terminal = self.stream.isatty() if terminal is None else terminal
        self.total, self.done, self.cached = total, 0, cached
        self.failed = self.full = 0
        self.every, self.clock = every, clock
        self.started = self.last = clock()
        self._bar: Any = None

    def __enter__(self) -> "Progress":
        if self.terminal and self.total:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress as Bar, TextColumn, TimeElapsedColumn, \
                TimeRemainingColumn

            self._bar = Bar(TextColumn("grading"), BarColumn(), MofNCompleteColumn(),
                            TextColumn("{task.fields[counts]}"), TimeElapsedColumn(), TextColumn("ETA"),
                            TimeRemainingColumn(), console=Console(file=self.stream), transient=False)
            self._bar.start()
            self._task = self._bar.add_task("grading", total=self.total, counts=self.counts())
        elif self.total:
            self.line(f"grading {self.total} submissions" + (f" ({self.cached} more from the cache)" if self.cached else ""))
        return self

    def counts(self) -> str:
        return f"full marks {self.full}, could not grade {self.failed}"

    def line(self, text: str) -> None:
        print(text, file=self.stream, flush=True)

    def advance(self, row: dict[str, Any]) -> None:
        self.done += 1
        if row.get("status") != "graded":
            self.failed += 1
        elif row.get("max_score") and row.get("score", 0) >= row["max_score"]:
            self.full += 1
        if self._bar is not None:
            self._bar.update(self._task, advance=1, counts=self.counts())
            return
        now = self.clock()
        if now - self.last >= self.every and self.done < self.total:
            self.last = now
            elapsed = now - self.started
            rate = self.done / elapsed if elapsed > 0 else 0.0
            eta = f", ETA {_duration((self.total - self.done) / rate)}" if rate else ""
            self.line(f"graded {self.done}/{self.total} ({100 * self.done // self.total}%), {self.counts()}, "
                      f"{rate:.1f}/s{eta}")

    def still(self, running: list[tuple[str, str, float]]) -> None:
        """Name the submissions graded for long ((student, exercise, seconds so far)), above the bar on a terminal:
        a class that seems stuck at its last few is waiting on them, and on nothing else."""
        named = ", ".join(f"{student}'s {exercise} ({_duration(seconds)})" for student, exercise, seconds in running)
        text = printable(f"still grading {named}: a notebook's cells or a check running out their time (each has a "
                         "budget; the others go on meanwhile)")  # (an nbgrader id keeps its folder's bytes: red team 218)
        if self._bar is not None:
            self._bar.console.print(text, markup=False, highlight=False, emoji=False)
        else:
            self.line(text)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()
        elif self.total:
            self.line(f"graded {self.done}/{self.total} in {_duration(self.clock() - self.started)}")
