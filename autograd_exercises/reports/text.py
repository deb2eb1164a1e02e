"""Terminal report: a table of checks with points and feedback, then the total.

Rendered with rich into a string (no colour unless asked), so the CLI decides
where it goes and tests can read it.
"""

from __future__ import annotations

import functools
import io
import os
from typing import Any, Sequence

from rich import box
from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from autograd_exercises.printable import printable
from autograd_exercises.results import ExerciseResult


Row = tuple[bool, str, str, str, str]  # passed, name, points, feedback, what the code printed (verbose only)


def rows(result: ExerciseResult, verbose: bool = False) -> tuple[Row, ...]:
    """What the table shows of each check, as plain values (what the code printed: without :func:`printed_first`).
    Feedback quotes the student's code and what it printed: an escape sequence there is written out (:func:`_shown`)."""
    shared = printed_first(result) if verbose else ""
    made: list[Row] = []
    last: tuple[str, str] = ("", "")  # (the check, what it printed) of the last output shown
    said: dict[str, str] = {}  # a long feedback already shown (its input apart) → the check that showed it
    for check in result.checks:
        printed = _shown(check.output.removeprefix(shared).strip()[:2000]) if verbose else ""
        if printed and printed == last[1]:  # (checks that share one call of the code: walkthrough 67)
            printed = f"the same as for {last[0]}"
        elif printed:
            last = (check.name, printed)
        name = check.name + (" (hidden)" if check.hidden else "")
        made.append((check.passed, name, f"{check.points:g}/{check.max_points:g}",
                     _once(_shown(check.feedback), name, said), printed))
    return tuple(made)


SAID_ONCE = 120  # characters: a feedback this long, said again by a later check, is shown once (walkthrough 68)


def _once(feedback: str, name: str, said: dict[str, str]) -> str:
    """``feedback``, or "the same as for <check>" (with its own input) where an earlier check's said the same at
    length: one mistake that fails nine checks showed its 50 words nine times (walkthrough 68)."""
    message, mark, case = feedback.rpartition(" [input: ")
    if not mark:
        message, case = feedback, ""
    if len(message) < SAID_ONCE:
        return feedback
    if message in said:
        return f"the same as for {said[message]}" + (f" [input: {case}" if mark else "")
    said[message] = name
    return feedback


def _shown(text: str) -> str:
    """``text`` of the student's (a quoted line, a file's name, what the code printed) with every character that could
    act on a terminal written as its escape (red team 158: a syntax error's line that cleared the screen and drew
    ``Score: 10/10``, or set the window's title)."""
    return printable(text, keep="\n")


def printed_first(result: ExerciseResult) -> str:
    """The whole lines every visible check's output starts with, when there are two or more: what the code printed
    before its checks ran (at import, or in a notebook's cells), shown once rather than under every check. Hidden
    checks' output (from a child of their own where their inputs are secret) takes no part: where it parts from
    the others would tell something of it."""
    outputs = [check.output for check in result.checks if not check.hidden]
    if len(outputs) < 2 or not all(outputs):
        return ""
    shared = os.path.commonprefix(outputs)
    while shared and not all(output[len(shared) : len(shared) + 1] in ("", "\n") for output in outputs):
        shared = shared[: max(shared.rfind("\n"), 0)]  # back to the end of a whole line
    return shared


def _feedback(feedback: str, printed: str) -> Text:
    text = Text(feedback or "ok", style="" if feedback else "green")
    if printed:
        text.append("\nyour code printed: " + printed, style="dim")
    return text


STACKED_BELOW = 100  # columns: a narrower terminal shows each check's feedback below its row, at the full width


def _table(shown: tuple[Row, ...], width: int = STACKED_BELOW) -> RenderableType:
    """The checks as a table (check, points, feedback side by side), or, below :data:`STACKED_BELOW` columns, each
    check on a line of its own with its feedback below it (walkthrough 68: at 80 columns the feedback column was 30
    wide, and check names and code were folded mid-word: ``requires_gra`` / ``d_()``)."""
    return _stacked(shown, width) if width < STACKED_BELOW else _side_by_side(shown)


def _stacked(shown: tuple[Row, ...], width: int) -> Group:
    """Each check as ``✗ name  points``, its feedback indented below it (``ok`` on the row where it passed and
    printed nothing); names padded to one column where they fit."""
    column = min(max((len(name) for _, name, _, _, _ in shown), default=0), max(width - 14, 10))
    lines: list[RenderableType] = []
    for passed, name, points, feedback, printed in shown:
        row = Text.assemble(("✓" if passed else "✗", "green" if passed else "red"), " ", name.ljust(column), "  ",
                            points.rjust(5))
        if passed and not printed:
            row.append("  ok", style="green")
            lines.append(row)
        else:
            lines += [row, Padding(_feedback(feedback, printed), (0, 0, 0, 4))]
    return Group(*lines, Text(""))  # (a blank line before the score, as below the table)


def _side_by_side(shown: tuple[Row, ...]) -> Table:
    grid = Table(box=box.SIMPLE_HEAD, show_lines=False, expand=False, pad_edge=False)
    grid.add_column("", width=1)
    grid.add_column("check", overflow="fold")
    grid.add_column("points", justify="right", no_wrap=True)
    grid.add_column("feedback", overflow="fold", ratio=1)
    for passed, name, points, feedback, printed in shown:
        mark = Text("✓", style="green") if passed else Text("✗", style="red")
        grid.add_row(mark, name, points, _feedback(feedback, printed))
    return grid


@functools.lru_cache(maxsize=256)  # a few kB each: at most a few MB a worker
def _table_text(shown: tuple[Row, ...], width: int, color: bool) -> str:
    """The table laid out at ``width`` columns. Remembered: a class's right answers share one table, and rich's
    layout is most of a report's cost (about 4 ms)."""
    buffer = io.StringIO()
    _console(buffer, width, color).print(_table(shown, width))
    return buffer.getvalue()


def _console(buffer: io.StringIO, width: int, color: bool) -> Console:
    return Console(file=buffer, width=width, force_terminal=color, no_color=not color, highlight=False)


NO_SANDBOX = "none: this platform has no sandbox (your code ran with your own rights)"


def header(result: ExerciseResult) -> list[Text]:
    """The exercise, the file graded (and why that one), then what stopped the submission, if anything."""
    lines = [Text(f"{result.exercise} — {result.title}", style="bold")]
    if result.submission:
        lines.append(Text(_shown(f"graded {result.submission}" + (f" ({result.choice})" if result.choice else ""))))
    if result.problem:
        lines.append(Text(f"✗ {_shown(result.problem)}", style="red"))
    lines += [Text(f"note: {_shown(note)}", style="yellow") for note in result.notes]
    return lines


def short_note(note: str) -> str:
    """A warning's first sentence: enough to recognise it."""
    head = note.split(". ")[0].rstrip(".")
    return head + "." if len(head) < len(note) else note


def notes(result: ExerciseResult) -> list[str]:
    """Warnings your code raised, once each (they never cost points)."""
    return list(dict.fromkeys(short_note(note) for check in result.checks for note in check.notes))


def summary(result: ExerciseResult, verbose: bool) -> str:
    line = f"Score: {result.score:g}/{result.max_score:g}   seed {result.seed} (rerun with --seed {result.seed})"
    if not verbose and any(check.output.strip() for check in result.checks if not check.hidden):
        line += "\nyour code printed while it was graded: --verbose shows it"  # (walkthrough 67: prints vanished)
    if verbose and result.problem:
        line += "\nthe submission was not run (see above)"
    elif verbose:
        line += f"\ntook {result.execution_time:.2f} s; isolation: {', '.join(result.isolation) or NO_SANDBOX}"
    elif not result.isolation and not result.problem and result.submission:
        line += f"\nisolation: {NO_SANDBOX}"  # said even without --verbose: the student should know
    return line


def render(results: Sequence[ExerciseResult], *, color: bool = False, verbose: bool = False, width: int = 100,
           not_started: Sequence[Any] = ()) -> str:
    """The report at ``width`` columns (the terminal's, from the CLI); it ends with the score or total line."""
    buffer = io.StringIO()
    console = _console(buffer, width, color)
    for number, result in enumerate(results):
        if number:
            console.print()
        for line in header(result):
            console.print(line)
        first = printed_first(result).strip() if verbose else ""
        if first:
            console.print(Text("your code printed before the checks: " + _shown(first[:2000]), style="dim"))
        buffer.write(_table_text(rows(result, verbose), width, color))
        for note in notes(result):
            console.print(Text(f"note (costs no points): {_shown(note)}", style="yellow"))
        console.print(Text(summary(result, verbose)))
        if result.hidden_note:
            console.print(Text(result.hidden_note))
    if not_started:
        console.print()
        names = ", ".join(exercise.slug for exercise in not_started)
        console.print(Text(f"not started: {names} (grade start exercise-N)"))
    if len(results) > 1 or not_started:
        total = sum(r.score for r in results)
        left = sum(exercise.points for exercise in not_started)
        scope = f" for the exercises started ({left:g} more points not started)" if not_started else ""
        console.print(Text(f"Total: {total:g}/{sum(r.max_score for r in results):g}{scope}", style="bold"))
    return "".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines())  # rich pads to the width
