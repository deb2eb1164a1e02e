"""Terminal report: a table of checks with points and feedback, then the total.

Rendered with rich into a string (no colour unless asked), so the CLI decides
where it goes and tests can read it.
"""

from __future__ import annotations

import io
from typing import Sequence

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from autograd_exercises.results import CheckResult, ExerciseResult


def _feedback(check: CheckResult, verbose: bool) -> Text:
    text = Text(check.feedback or "ok", style="" if check.feedback else "green")
    if verbose and check.output.strip():
        text.append("\nyour code printed: " + check.output.strip()[:2000], style="dim")
    return text


def table(result: ExerciseResult, verbose: bool = False) -> Table:
    grid = Table(title=f"{result.exercise} — {result.title}", title_justify="left", box=box.SIMPLE_HEAD,
                 show_lines=False, expand=False, pad_edge=False)
    grid.add_column("", width=1)
    grid.add_column("check", overflow="fold")
    grid.add_column("points", justify="right", no_wrap=True)
    grid.add_column("feedback", overflow="fold", ratio=1)
    for check in result.checks:
        mark = Text("✓", style="green") if check.passed else Text("✗", style="red")
        name = check.name + (" (hidden)" if check.hidden else "")
        grid.add_row(mark, name, f"{check.points:g}/{check.max_points:g}", _feedback(check, verbose))
    return grid


def short_note(note: str) -> str:
    """A warning's first sentence: enough to recognise it."""
    head = note.split(". ")[0].rstrip(".")
    return head + "." if len(head) < len(note) else note


def notes(result: ExerciseResult) -> list[str]:
    """Warnings your code raised, once each (they never cost points)."""
    return list(dict.fromkeys(short_note(note) for check in result.checks for note in check.notes))


def summary(result: ExerciseResult, verbose: bool) -> str:
    line = f"Score: {result.score:g}/{result.max_score:g}   seed {result.seed} (rerun with --seed {result.seed})"
    if verbose:
        line += f"\ngraded {result.submission} in {result.execution_time:.2f} s; isolation: {', '.join(result.isolation) or 'none'}"
    return line


def render(results: Sequence[ExerciseResult], *, color: bool = False, verbose: bool = False, width: int = 110) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, force_terminal=color, no_color=not color, highlight=False)
    for result in results:
        console.print(table(result, verbose))
        for note in result.notes:
            console.print(f"note: {note}", style="yellow")
        for note in notes(result):
            console.print(f"note (costs no points): {note}", style="yellow")
        console.print(summary(result, verbose))
        if result.hidden_note:
            console.print(result.hidden_note)
        console.print()
    if len(results) > 1:
        total = sum(r.score for r in results)
        console.print(f"Total: {total:g}/{sum(r.max_score for r in results):g}")
    return "".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines())  # rich pads to the width
