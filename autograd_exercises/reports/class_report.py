"""The class report: what a class got wrong, for the instructor to read before the next lecture.

Pure functions of the rows ``grade class`` keeps (:mod:`autograd_exercises.classroom.task`: one per student
and exercise, with each check's points, feedback and mistake code; read back from the output folder by
:mod:`autograd_exercises.classroom.report`):

* :func:`render_html`: one self-contained page (styles and figures inline, a Content-Security-Policy that
  loads nothing) with, per exercise, the score distribution, how many students passed each check and the
  mistakes, most common first, each with its students, the feedback they got and the checks it cost;
  then groups of identical submissions (:mod:`autograd_exercises.classroom.similar`, a hint, never a
  verdict), the slowest submissions, and those that could not be graded or did not run, with why.
  Student ids and file names appear only with ``names=True``; without, the page can be shown to the class.
* :func:`mistakes_csv`: ``mistakes.csv`` (exercise, check, code, count, students).
* :func:`terminal`: the most common mistakes as a rich table, for the end of ``grade class``.

Every piece of student text (feedback quotes their code, ids come from file names) is escaped.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from html import escape
from typing import Any, Iterable, Sequence

from autograd_exercises.mistakes import COMMON, WRONG_VALUE
from autograd_exercises.printable import printable
from autograd_exercises.submission import shortened

GRADED = "graded"
NOT_RUN = "not run (see above)"  # a check's feedback when the file did not run (session.zero, session.explain)
SLOWEST = 10  # submissions listed as the slowest
TERMINAL_MISTAKES = 8  # rows of the terminal table
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?")


# -- the rows -------------------------------------------------------------------------------------------------


@dataclass
class Check:
    """One check of one row, as the report reads it."""

    name: str
    points: float
    max_points: float
    passed: bool
    feedback: str = ""
    mistake: str = ""
    hidden: bool = False
    description: str = ""


def checks_of(row: dict[str, Any]) -> list[Check]:
    """The row's checks: from its result when it has one, else from its points and mistake codes."""
    result = row.get("result") or {}
    if result.get("checks"):
        return [Check(c["name"], float(c.get("points", 0)), float(c.get("max_points", 0)), c.get("status") == "passed",
                      c.get("feedback", ""), c.get("mistake") or ("" if c.get("status") == "passed" else WRONG_VALUE),
                      bool(c.get("hidden")), c.get("description", ""))
                for c in result["checks"]]
    codes = row.get("mistakes") or {}
    found = []
    for name, (points, max_points) in (row.get("checks") or {}).items():
        passed = float(points) >= float(max_points)
        found.append(Check(name, float(points), float(max_points), passed, "",
                           "" if passed else codes.get(name, WRONG_VALUE)))
    return found


def _order(rows: Sequence[dict[str, Any]]) -> list[str]:
    """The exercises of the rows in course order (unknown ones last, by name)."""
    from autograd_exercises import catalog

    course = [info.slug for info in catalog.exercises()]
    present = {row["exercise"] for row in rows}
    return [slug for slug in course if slug in present] + sorted(present - set(course))


def _title(rows: Sequence[dict[str, Any]], slug: str) -> str:
    for row in rows:
        title = (row.get("result") or {}).get("title")
        if row["exercise"] == slug and title:
            return str(title)
    from autograd_exercises import catalog

    try:
        return catalog.find(slug).title
    except LookupError:
        return ""


def _median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


@dataclass
class CheckStat:
    """How a check went in the class."""

    name: str
    max_points: float
    hidden: bool
    description: str
    passed: int = 0
    graded: int = 0


@dataclass
class MistakeStat:
    """One mistake code in one exercise: who made it, and where."""

    exercise: str
    code: str
    students: list[str] = field(default_factory=list)
    checks: dict[str, list[str]] = field(default_factory=dict)  # check → students
    feedback: dict[str, str] = field(default_factory=dict)  # check → the feedback most of them got
    quoted: dict[str, dict[str, Any]] = field(default_factory=dict)  # check → the row whose feedback is quoted
    description: str = ""  # what the code means (its grader's words, else the shared ones)
    points: float = 0.0  # the points it cost, all students and checks together

    @property
    def count(self) -> int:
        return len(self.students)


@dataclass
class ExerciseStat:
    """One exercise over the class."""

    slug: str
    title: str
    max_score: float
    scores: list[float]
    not_graded: int
    checks: list[CheckStat]
    mistakes: list[MistakeStat]

    @property
    def mean(self) -> float:
        return sum(self.scores) / len(self.scores) if self.scores else 0.0

    @property
    def median(self) -> float:
        return _median(self.scores)

    @property
    def full_marks(self) -> int:
        return sum(1 for score in self.scores if self.max_score and score >= self.max_score)


def _without_input(text: str) -> str:
    """``text`` without the input label a check's feedback ends with (`` [input: x = 1.5]``): what
    ``re.sub(r" \\[input: [^\\]]*\\]$", "", text)`` gives, found in one pass (the regex tried each `` [input: `` afresh, quadratic in a
    student's text: red team 81; cutting the text first instead had the page cut it twice, its count of the
    characters left out then wrong)."""
    end = len(text) - 1 if text.endswith("\n") else len(text)
    if end < 1 or text[end - 1] != "]":
        return text
    start = text.find(" [input: ", max(text.rfind("]", 0, end - 1) - 8, 0))  # the leftmost with no "]" after it
    return text if start < 0 or start + 9 > end - 1 else text[:start] + text[end:]


def _typical(texts: list[tuple[str, dict[str, Any]]]) -> tuple[str, dict[str, Any] | None]:
    """The feedback most students got (the commonest wording once numbers are set aside) as one of them read it,
    and that student's row."""
    plain = [(_without_input(text), row) for text, row in texts if text]
    if not plain:
        return "", None
    shapes = Counter(_NUMBER.sub("#", text) for text, _ in plain)
    best = max(shapes.items(), key=lambda item: item[1])[0]
    return next((text, row) for text, row in plain if _NUMBER.sub("#", text) == best)


def statistics(rows: Sequence[dict[str, Any]]) -> list[ExerciseStat]:
    """Per exercise, in course order: scores, checks passed, mistakes most common first (graded rows only)."""
    found = []
    for slug in _order(rows):
        mine = sorted((row for row in rows if row["exercise"] == slug), key=lambda row: row["student"])
        graded = [row for row in mine if row.get("status") == GRADED]
        checks: dict[str, CheckStat] = {}
        mistakes: dict[str, MistakeStat] = {}
        texts: dict[tuple[str, str], list[tuple[str, dict[str, Any]]]] = {}
        for row in mine:
            for check in checks_of(row):
                stat = checks.setdefault(check.name, CheckStat(check.name, check.max_points, check.hidden,
                                                               check.description))
                if row.get("status") != GRADED:
                    continue
                stat.graded += 1
                stat.passed += check.passed
                if check.passed:
                    continue
                entry = mistakes.setdefault(check.mistake, MistakeStat(slug, check.mistake))
                if not entry.description:
                    entry.description = str((row.get("descriptions") or {}).get(check.mistake)
                                            or COMMON.get(check.mistake, ""))
                if row["student"] not in entry.students:
                    entry.students.append(row["student"])
                entry.checks.setdefault(check.name, []).append(row["student"])
                entry.points += check.max_points - check.points
                feedback = check.feedback
                if feedback.startswith(NOT_RUN) and row.get("note"):  # said once for the file: say why
                    feedback = str(row["note"])
                texts.setdefault((check.mistake, check.name), []).append((feedback, row))
        for entry in mistakes.values():
            for name in entry.checks:
                entry.feedback[name], quoted = _typical(texts[(entry.code, name)])
                if quoted is not None:
                    entry.quoted[name] = quoted
        ordered = sorted(mistakes.values(), key=lambda entry: (-entry.count, -entry.points, entry.code))
        max_score = max((float(row.get("max_score") or 0) for row in mine), default=0.0)
        found.append(ExerciseStat(slug, _title(rows, slug), max_score, [float(row["score"]) for row in graded],
                                  len(mine) - len(graded), list(checks.values()), ordered))
    return found


# -- mistakes.csv and the terminal --------------------------------------------------------------------------


def mistakes_csv(rows: Sequence[dict[str, Any]]) -> str:
    """``mistakes.csv``: one line per exercise, check and mistake code, with how many students made it and who
    (ids separated by spaces), most common first within each exercise. UTF-8 with a byte-order mark."""
    from autograd_exercises.classroom.outputs import csv_cell  # grades.csv's rule: never a formula, even after ;

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["exercise", "check", "code", "count", "students"])
    for exercise in statistics(rows):
        order = [check.name for check in exercise.checks]
        lines = [(mistake.code, name, students) for mistake in exercise.mistakes
                 for name, students in mistake.checks.items()]
        lines.sort(key=lambda line: (-len(line[2]), order.index(line[1]), line[0]))
        for code, name, students in lines:
            writer.writerow([exercise.slug, name, code, len(students), csv_cell(" ".join(students))])
    return "\ufeff" + buffer.getvalue()


def top_mistakes(rows: Sequence[dict[str, Any]], limit: int | None = TERMINAL_MISTAKES) -> list[MistakeStat]:
    """The most common mistakes over every exercise of the rows (all of them where ``limit`` is None)."""
    every = [mistake for exercise in statistics(rows) for mistake in exercise.mistakes]
    return sorted(every, key=lambda mistake: (-mistake.count, -mistake.points))[:limit]


def terminal(rows: Sequence[dict[str, Any]], *, width: int = 100, color: bool = False,
             limit: int = TERMINAL_MISTAKES) -> str:
    """The most common mistakes as a rich table (empty when nobody made one)."""
    from rich import box
    from rich.table import Table

    from autograd_exercises.reports.text import STACKED_BELOW

    every = top_mistakes(rows, None)
    top, left = every[:limit], len(every) - limit
    if not top:
        return ""
    counts = {stat.slug: len(stat.checks) for stat in statistics(rows)}
    several = len({mistake.exercise for mistake in top}) > 1
    more = f"and {left} more mistake{'s' if left > 1 else ''}: grades.csv, report.html" if left > 0 else None
    if width < STACKED_BELOW:
        return _stacked_mistakes(top, counts, several, more, width, color)
    table = Table(box=box.SIMPLE_HEAD, title="most common mistakes", title_justify="left", pad_edge=False,
                  caption=more, caption_justify="left")
    if several:
        table.add_column("exercise", no_wrap=True)
    table.add_column("mistake", no_wrap=True)
    table.add_column("students", justify="right", no_wrap=True)
    table.add_column("points lost", justify="right", no_wrap=True)
    table.add_column("checks", overflow="fold", ratio=1)
    for mistake in top:
        cells = ([mistake.exercise] if several else []) + [mistake.code, str(mistake.count), _points(mistake.points),
                                                           _where(mistake, counts)]
        table.add_row(*cells)
    return _printed(table, width, color)


def _where(mistake: MistakeStat, counts: dict[str, int]) -> str:
    """The checks a mistake failed, with how many students where not all of them ("every check" where it is all)."""
    if len(mistake.checks) == counts.get(mistake.exercise) > 2 and \
            all(len(students) == mistake.count for students in mistake.checks.values()):
        return "every check"
    return ", ".join(f"{name} ({len(students)})" if len(students) != mistake.count else name
                     for name, students in mistake.checks.items())


def _stacked_mistakes(top: list[MistakeStat], counts: dict[str, int], several: bool, more: str | None, width: int,
                      color: bool) -> str:
    """:func:`terminal` below :data:`~autograd_exercises.reports.text.STACKED_BELOW` columns: each mistake on a line,
    its checks indented below it (walkthrough 69: at 80 columns the checks column folded names mid-word,
    ``forward_retains_y`` / ``_grad``)."""
    from rich.console import Group
    from rich.padding import Padding
    from rich.text import Text

    lines: list[Any] = [Text("most common mistakes")]
    for mistake in top:
        head = f"{mistake.exercise}  " if several else ""
        lines.append(Text(f"  {head}{mistake.code}: {mistake.count} student{'s' * (mistake.count != 1)}, "
                          f"{_points(mistake.points)} point{'s' * (_points(mistake.points) != '1')} lost"))
        lines.append(Padding(Text(f"checks: {_where(mistake, counts)}"), (0, 0, 0, 6)))
    if more:
        lines.append(Text(more))
    return _printed(Group(*lines), width, color)


def _printed(renderable: Any, width: int, color: bool) -> str:
    from rich.console import Console

    buffer = io.StringIO()
    Console(file=buffer, width=width, force_terminal=color, no_color=not color, highlight=False).print(renderable)
    return "".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines())


# -- the page -------------------------------------------------------------------------------------------------

CSS = """
:root { color-scheme: light; --ink: #212529; --muted: #6c757d; --line: #dee2e6; --band: #f8f9fa;
        --bad: #e76f51; --good: #2a9d8f; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--ink);
       margin: 0 auto; padding: 1.5rem 2rem 3rem; max-width: 1100px; }
h1 { font-size: 1.7rem; margin: 0 0 .3rem; }
h2 { font-size: 1.35rem; margin: 2.2rem 0 .6rem; padding-bottom: .25rem; border-bottom: 2px solid var(--line); }
h3 { font-size: 1.05rem; margin: 1.4rem 0 .5rem; }
p.meta, .note { color: var(--muted); }
.note { font-size: .9rem; }
nav ul { margin: .3rem 0; padding-left: 1.2rem; columns: 2; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0 1rem; font-size: .9rem; }
th, td { text-align: left; vertical-align: top; padding: .35rem .5rem; border-bottom: 1px solid var(--line); }
th { background: var(--band); font-weight: 600; }
td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.slug { white-space: nowrap; }
code { font: .85rem/1.3 ui-monospace, "DejaVu Sans Mono", monospace; background: var(--band); padding: 0 .2rem;
       border-radius: 3px; }
.feedback { font-size: .85rem; white-space: pre-wrap; overflow-wrap: anywhere; margin: 0 0 .3rem; }
.stats { display: flex; flex-wrap: wrap; gap: .6rem; margin: .4rem 0 .8rem; padding: 0; list-style: none; }
.stats li { background: var(--band); border: 1px solid var(--line); border-radius: 6px; padding: .35rem .7rem; }
.stats b { font-size: 1.15rem; display: block; }
figure { margin: .4rem 0 1rem; }
figcaption { color: var(--muted); font-size: .85rem; }
svg.plot { max-width: 100%; height: auto; display: block; }
.bad { color: var(--bad); font-weight: 600; }
.good { color: var(--good); font-weight: 600; }
@media print { body { padding: 0; max-width: none; } nav { display: none; } h2 { break-before: page; }
               h2:first-of-type { break-before: auto; } table, figure { break-inside: avoid; } }
"""
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def _e(value: Any) -> str:
    return escape(printable(str(value), keep="\n\t"), quote=True)


def _points(value: float) -> str:
    return f"{value:g}"


class _Names:
    """Whether student ids and file names are shown; hides them (and their traces in texts) when not."""

    def __init__(self, shown: bool) -> None:
        self.shown = shown

    def text(self, text: str, row: dict[str, Any] | None) -> str:
        """``text`` about ``row``'s submission, without its student id or file name unless names are shown."""
        if self.shown or row is None or not text:
            return text
        from autograd_exercises.classroom.layouts import files_named

        text = shortened(text)  # (a student's text: its length is theirs)
        files = [str(row.get("file") or "")] + files_named(text)  # a duplicate's reason names the others
        names = {name for file in files for name in (file.rstrip("/"), file.rstrip("/").rsplit("/", 1)[-1])} - {""}
        if names:  # one pass, longest first: "[file]" put in is never read again (red team 81 named each of its
            text = re.sub("|".join(map(re.escape, sorted(names, key=len, reverse=True))), "[file]", text)  # pieces)
        student = str(row.get("student") or "")
        if len(student) >= 2 or not student.isascii():  # "wu", "张三"; a one-letter id would hide every "a"
            text = re.sub(rf"(?<![\w-]){re.escape(student)}(?![\w-])", "[student]", text)
        return text

    def checks(self, stat: ExerciseStat) -> dict[str, str]:
        """Each check's name on the page: a hidden check is only "hidden check N" where names are hidden (the page
        may be shown to the class, who must not learn what the hidden checks test)."""
        hidden = [check.name for check in stat.checks if check.hidden]
        return {check.name: f"hidden check {hidden.index(check.name) + 1}" if check.hidden and not self.shown
                else check.name for check in stat.checks}

    def mistakes(self, stat: ExerciseStat) -> dict[str, str]:
        """Each mistake code on the page: one that only hidden checks gave is "hidden-mistake-N", and not described,
        where names are hidden (``error-made-up`` would say what a hidden check tests)."""
        hidden = {check.name for check in stat.checks if check.hidden}
        secret = [m.code for m in stat.mistakes if not self.shown and m.checks and set(m.checks) <= hidden]
        return {m.code: f"hidden-mistake-{secret.index(m.code) + 1}" if m.code in secret else m.code
                for m in stat.mistakes}


def _figure(svg: str | None, caption: str) -> str:
    if svg is None:
        return (f'<p class="note">(figure left out: matplotlib is not installed here; the package\'s '
                f"<code>[report]</code> extra, or <code>pip install matplotlib</code>, draws it) {_e(caption)}</p>")
    return f"<figure>{svg}<figcaption>{_e(caption)}</figcaption></figure>"


def _exercise_html(stat: ExerciseStat, names: _Names, number: int) -> str:
    """One exercise's section: its scores, its checks and its mistakes (``number``: its place, for figure ids)."""
    return "\n".join([f'<section id="{_e(stat.slug)}">', f"<h2>{_e(stat.slug)} — {_e(stat.title)}</h2>",
                      *_scores_html(stat, number), *_checks_html(stat, names, number),
                      *_mistakes_html(stat, names, number), "</section>"])


def _scores_html(stat: ExerciseStat, number: int) -> list[str]:
    """The score figures and their distribution (graded submissions only)."""
    from autograd_exercises.reports import plots

    out = ["<h3>Scores</h3>",
           '<ul class="stats">'
           f"<li><b>{len(stat.scores)}</b>graded</li>"
           f"<li><b>{stat.mean:.2f}</b>mean (of {_points(stat.max_score)})</li>"
           f"<li><b>{_points(round(stat.median, 2))}</b>median</li>"
           f"<li><b>{stat.full_marks}</b>full marks</li>"
           f"<li><b>{stat.not_graded}</b>could not be graded</li></ul>"]
    if stat.scores:
        out.append(_figure(plots.histogram(stat.scores, stat.max_score, label=f"score distribution of {stat.slug}",
                                           prefix=f"f{number}h"),
                           f"Score distribution of {stat.slug}: students per score (graded submissions only)."))
    return out


def _checks_html(stat: ExerciseStat, names: _Names, number: int) -> list[str]:
    """Each check's pass rate, as a figure and a table; a hidden check is not described where names are hidden."""
    from autograd_exercises.reports import plots

    out = ["<h3>Checks</h3>"]
    label_of, secret = names.checks(stat), {check.name for check in stat.checks if check.hidden and not names.shown}
    if stat.scores:
        rates = [(label_of[check.name] + (" (hidden)" if check.hidden and names.shown else ""), check.passed,
                  check.graded) for check in stat.checks]
        out.append(_figure(plots.pass_rates(rates, label=f"students who passed each check of {stat.slug}",
                                            prefix=f"f{number}c"),
                           "Students who passed each check, in the order of the exercise."))
    out.append('<table class="checks"><thead><tr><th>check</th><th class="num">points</th>'
               '<th class="num">passed</th><th class="num">of</th><th class="num">share</th><th>what it checks</th>'
               "</tr></thead><tbody>")
    for check in stat.checks:
        share = f"{100 * check.passed / check.graded:.0f}%" if check.graded else "–"
        label = _e(label_of[check.name]) + (' <span class="note">(hidden)</span>' if check.hidden and names.shown else "")
        about = _e(check.description) if check.name not in secret else '<span class="note">(not described here)</span>'
        out.append(f"<tr><td><code>{label}</code></td><td class=\"num\">{_points(check.max_points)}</td>"
                   f'<td class="num">{check.passed}</td><td class="num">{check.graded}</td>'
                   f'<td class="num">{share}</td><td>{about}</td></tr>')
    out.append("</tbody></table>")
    return out


def _mistakes_html(stat: ExerciseStat, names: _Names, number: int) -> list[str]:
    """The mistakes, most common first: a figure, then a table with the feedback students got for each."""
    from autograd_exercises.reports import plots

    if not stat.mistakes:
        return ["<h3>Mistakes</h3>", '<p class="note">No check failed.</p>']
    head = "<th>students</th>" if names.shown else ""
    code_of = names.mistakes(stat)
    out = ["<h3>Mistakes</h3>",
           _figure(plots.mistake_counts([(code_of[m.code], m.count) for m in stat.mistakes[:12]],
                                        label=f"most common mistakes in {stat.slug}", prefix=f"f{number}m"),
                   "Students who made each mistake (a student counts once per mistake, whatever it cost)."),
           '<table class="mistakes"><thead><tr><th class="num">#</th><th>mistake</th>'
           f'<th class="num">students</th><th class="num">points lost</th>'
           f"<th>checks it failed, and the feedback students got</th>{head}"
           "</tr></thead><tbody>"]
    for rank, mistake in enumerate(stat.mistakes, start=1):
        shown = code_of[mistake.code] == mistake.code
        about = f'<div class="note">{_e(mistake.description)}</div>' if mistake.description and shown else ""
        who = f"<td>{_e(', '.join(mistake.students))}</td>" if names.shown else ""
        out.append(f'<tr id="{_e(stat.slug)}-{_e(code_of[mistake.code])}"><td class="num">{rank}</td>'
                   f"<td><code>{_e(code_of[mistake.code])}</code>{about}</td><td class=\"num\">{mistake.count}</td>"
                   f'<td class="num">{_points(mistake.points)}</td>'
                   f"<td>{''.join(_mistake_feedback(stat, mistake, names))}</td>{who}</tr>")
    out.append("</tbody></table>")
    return out


def _mistake_feedback(stat: ExerciseStat, mistake: MistakeStat, names: _Names) -> list[str]:
    """The checks a mistake failed, grouped by the feedback they gave, each with that feedback (a hidden
    check's words are not shown where names are hidden)."""
    label_of, secret = names.checks(stat), {check.name for check in stat.checks if check.hidden and not names.shown}
    alike: dict[str, list[str]] = {}  # feedback → the checks that gave it
    for name in mistake.checks:
        alike.setdefault(mistake.feedback.get(name, ""), []).append(name)
    where = []
    for example, checks in alike.items():
        row = mistake.quoted.get(checks[0])
        listed = ", ".join(f"<code>{_e(label_of.get(name, name))}</code> ({len(mistake.checks[name])})"
                           for name in checks)
        said = _e(names.text(example, row)) if not set(checks) <= secret else \
            '<span class="note">(what a hidden check says is not shown here)</span>'
        where.append(f'<div>{listed}<p class="feedback">{said}</p></div>')
    return where


def _identical_html(rows: Sequence[dict[str, Any]], references: dict[str, dict[str, str]] | None,
                    names: _Names) -> str:
    from autograd_exercises.classroom import similar

    found = similar.groups(rows, references)
    out = ['<section id="identical">', "<h2>Identical submissions</h2>",
           '<p class="note">Submissions of one exercise that are the same program once comments, whitespace, '
           "docstrings, the names of local variables and arguments, and the order of the functions are set aside. "
           "This is a hint to look at, never a verdict: a short exercise has few ways to be right, and students "
           "may work together where the course allows it. Submissions identical to the untouched stub or to "
           "the reference solution are not grouped (they are alike for another reason) and only counted here.</p>"]
    for slug in _order(rows):
        counts = found.as_reference.get(slug, {})
        if counts:
            listed = "; ".join(f"{count} identical to {label}" for label, count in sorted(counts.items()))
            out.append(f"<p>{_e(slug)}: {_e(listed)}.</p>")
        if found.without.get(slug):
            out.append(f'<p class="note">{_e(slug)}: {found.without[slug]} graded submission(s) without a fingerprint '
                       "(read from results/ where the cache, .cache/, is not there; graded by an older version; or no code): "
                       "not compared.</p>")
    if not found.groups:
        out.append("<p>No group of identical submissions.</p></section>")
        return "\n".join(out)
    head = "<th>students</th><th>files</th>" if names.shown else ""
    out.append('<table class="groups"><thead><tr><th class="num">group</th><th>exercise</th>'
               f'<th class="num">submissions</th><th>same bytes</th><th>scores</th>{head}</tr></thead><tbody>')
    for number, group in enumerate(found.groups, start=1):
        scores = ", ".join(_points(float(row["score"])) for row in group.rows)
        who = (f"<td>{_e(', '.join(group.students))}</td><td>{_e(', '.join(str(row.get('file', '')) for row in group.rows))}</td>"
               if names.shown else "")
        out.append(f'<tr class="group" data-fingerprint="{_e(group.fingerprint)}"><td class="num">{number}</td>'
                   f'<td class="slug">{_e(group.exercise)}</td><td class="num">{len(group.rows)}</td>'
                   f"<td>{'yes' if group.byte_identical else 'no (same program)'}</td><td>{_e(scores)}</td>{who}</tr>")
    out.append("</tbody></table></section>")
    return "\n".join(out)


def _slowest_html(rows: Sequence[dict[str, Any]], stats: Sequence[ExerciseStat], names: _Names) -> str:
    timed = sorted((row for row in rows if row.get("status") == GRADED and isinstance(row.get("seconds"), (int, float))),
                   key=lambda row: (-float(row["seconds"]), row["student"]))[:SLOWEST]
    out = ['<section id="slowest">', "<h2>Slowest submissions</h2>"]
    if not timed:
        out.append('<p class="note">No timing recorded.</p></section>')
        return "\n".join(out)
    out.append(f'<p class="note">The {len(timed)} graded submissions that took longest to grade; a check that times '
               "out costs its whole time limit.</p>")
    head = "<th>student</th><th>file</th>" if names.shown else ""
    out.append('<table class="slowest"><thead><tr><th class="num">#</th><th>exercise</th><th class="num">seconds</th>'
               f'<th class="num">score</th><th>checks timed out</th>{head}</tr></thead><tbody>')
    labels = {stat.slug: names.checks(stat) for stat in stats}  # (a hidden check is not named: walkthrough 61)
    for rank, row in enumerate(timed, start=1):
        late = [labels.get(row["exercise"], {}).get(check.name, "a hidden check" if check.hidden and not names.shown
                                                     else check.name)
                for check in checks_of(row) if check.mistake in ("timeout", "import-timeout")]
        score = f"{_points(float(row['score']))}/{_points(float(row.get('max_score') or 0))}" \
            if row.get("status") == GRADED else "not graded"
        who = f"<td>{_e(row['student'])}</td><td>{_e(row.get('file', ''))}</td>" if names.shown else ""
        out.append(f'<tr><td class="num">{rank}</td><td class="slug">{_e(row["exercise"])}</td>'
                   f'<td class="num">{float(row["seconds"]):.2f}</td><td class="num">{_e(score)}</td>'
                   f"<td>{_e(', '.join(late)) or '–'}</td>{who}</tr>")
    out.append("</tbody></table></section>")
    return "\n".join(out)


DID_NOT_RUN = ("does-not-compile", "not-run", "import-error", "import-timeout")  # a graded file whose functions never ran


def _did_not_run(row: dict[str, Any]) -> bool:
    checks = checks_of(row)
    return bool(checks) and all(check.mistake in DID_NOT_RUN for check in checks)


def _not_graded_html(rows: Sequence[dict[str, Any]], names: _Names) -> str:
    failed = [row for row in rows if row.get("status") != GRADED]
    unrun = [row for row in rows if row.get("status") == GRADED and _did_not_run(row)]
    out = ['<section id="not-graded">', "<h2>Could not be graded, or did not run</h2>"]
    if not failed and not unrun:
        out.append("<p>Every submission was graded and ran.</p></section>")
        return "\n".join(out)
    head = "<th>student</th><th>file</th>" if names.shown else ""
    out.append(f'<table class="not-graded"><thead><tr><th>exercise</th><th>what happened</th><th>why</th>{head}'
               "</tr></thead><tbody>")
    for row in sorted(failed, key=lambda r: (r["exercise"], r["student"])) + \
            sorted(unrun, key=lambda r: (r["exercise"], r["student"])):
        what = "could not be graded (scored zero)" if row.get("status") != GRADED else "graded, did not run"
        why = row.get("reason") if row.get("status") != GRADED else \
            row.get("note") or next((check.feedback for check in checks_of(row) if check.feedback), "")
        who = f"<td>{_e(row['student'])}</td><td>{_e(row.get('file', ''))}</td>" if names.shown else ""
        out.append(f'<tr><td class="slug">{_e(row["exercise"])}</td><td>{what}</td>'
                   f'<td><p class="feedback">{_e(names.text(str(why or ""), row))}</p></td>{who}</tr>')
    out.append("</tbody></table></section>")
    return "\n".join(out)


def render_html(rows: Iterable[dict[str, Any]], *, names: bool = False,
                references: dict[str, dict[str, str]] | None = None, generated: str | None = None,
                source: str = "") -> str:
    """The class report page for ``rows`` (``references``: :func:`~autograd_exercises.classroom.similar.references`
    per exercise; ``generated``: the time to print, default now; ``source``: where the rows came from)."""
    rows = list(rows)
    stats = statistics(rows)
    shown = _Names(names)
    when = generated or datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    slugs = [stat.slug for stat in stats]
    heading = f"Class report: {slugs[0]}" if len(slugs) == 1 else f"Class report: {len(slugs)} exercises"
    students = len({row["student"] for row in rows})
    versions = sorted({str(row.get("grader_version")) for row in rows if row.get("grader_version")})
    meta = [f"{len(rows)} submission{'s' if len(rows) != 1 else ''} from {students} student{'s' if students != 1 else ''}",
            f"made {when}"]
    if versions:
        meta.append(f"grader {', '.join(versions)}")
    if source:
        meta.append(f"from {source}")
    privacy = ("Student names are shown: keep this page to the course staff." if names else
               "Student names and file names are hidden, and hidden checks are neither named nor described, so "
               "this page can be shown to the class; "
               "<code>grade report FOLDER --names</code> shows them.")
    contents = "".join(f'<li><a href="#{_e(stat.slug)}">{_e(stat.slug)} — {_e(stat.title)}</a></li>' for stat in stats)
    contents += ('<li><a href="#identical">Identical submissions</a></li><li><a href="#slowest">Slowest '
                 'submissions</a></li><li><a href="#not-graded">Could not be graded</a></li>')
    body = [f"<h1>{_e(heading)}</h1>", f'<p class="meta">{_e(" · ".join(meta))}</p>', f'<p class="note">{privacy}</p>',
            f"<nav><ul>{contents}</ul></nav>"]
    if not rows:
        body.append("<p>No submission was graded.</p>")
    body += [_exercise_html(stat, shown, number) for number, stat in enumerate(stats, start=1)]
    body += [_identical_html(rows, references, shown), _slowest_html(rows, stats, shown), _not_graded_html(rows, shown)]
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{_e(heading)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
            + "\n".join(body) + "\n</body>\n</html>\n")
