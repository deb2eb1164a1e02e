"""The class report: a synthetic class with known mistakes, graded for real, then ``report.html`` and ``mistakes.csv``.

The class (exercise-2) is built from the named mistakes of ``tests/test_exercise_2.py`` (``class_builder``):
each planted mistake must be counted exactly, under its code, on the checks it fails, with the right
students; the planted groups of identical submissions (a byte-for-byte copy; one program as a module, a
disguised module and a notebook) must be found, and nothing else; the solution and the untouched stub are
never a group. The HTML is parsed here; ``test_report_renders_in_a_real_browser`` opens it in headless
Chromium (Debian's ``chromium``; skipped, saying why, where there is none).
"""

from __future__ import annotations

import ast
import csv
import html
import io
import json
import math
import re
import shutil
import subprocess
import sys
import threading
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from autograd_exercises.classroom import batch, outputs, report, similar
from autograd_exercises.classroom.executor import InProcess
from autograd_exercises.cli import main
from autograd_exercises.reports import class_report
from tests import class_builder
from tests.conftest import ROOT

SLUG = "exercise-2"
CHECKS = ["forward_values", "forward_retains_y_grad", "gradients_x", "gradients_fills_x_grad", "gradients_y",
          "gradients_notebook_example", "gradient_manual_values", "gradient_manual_by_hand"]
STUB = (ROOT / "autograd_exercises" / "exercise_2.py").read_text(encoding="utf-8")
# The same program as mistake:backward_twice, disguised: comments, blank lines, other local names and
# arguments, another docstring, the functions in another order.
DISGUISED = '''# Exercise 2 -- my work
import torch

def gradient_manual(inp):
    # chain rule, by hand
    return 12 * (3 * inp + 2) / inp.numel()


def forward(t):
    hidden = 3 * t + 2
    hidden.retain_grad()   # keep it
    sq = 2 * hidden**2
    result = sq.mean()
    return hidden, sq, result

def gradients(t):
    """Twice, to be sure."""
    a, b, c = forward(t)
    c.backward(retain_graph=True)
    c.backward()
    return t.grad, a.grad
'''
# student → (kind, suffix); "text:…" writes that text as a .py file.
CLASS = {
    "anouk": ("right", ".py"),
    "hidde": ("right", ".ipynb"),
    "ilse": ("text:stub", ".py"),
    "bram": ("mistake:no_retain_grad", ".py"),
    "bruno": ("mistake:no_retain_grad", ".py"),  # a byte-for-byte copy of bram's
    "cees": ("mistake:backward_twice", ".ipynb"),
    "daan": ("mistake:backward_twice", ".py"),
    "dirk": ("text:disguised", ".py"),  # daan's program, disguised
    "eefje": ("mistake:sum_instead_of_mean", ".py"),
    "fenna": ("syntax", ".py"),
    "guus": ("mistake:manual_uses_autograd", ".py"),
    "kees": ("mistake:manual_returns_list", ".py"),
    "loes": ("mistake:forward_detaches_x", ".ipynb"),
}
EMPTY = "ivo"  # an empty file: could not be graded
STUDENTS = sorted([*CLASS, EMPTY])
# What the report must count: code → {check: students}. Every other check of every student passed.
EVERY = {check: [] for check in CHECKS}
EXPECTED = {
    "missing-retain-grad": {"forward_retains_y_grad": ["bram", "bruno"], "gradients_y": ["bram", "bruno"]},
    "grad-accumulated": {check: ["cees", "daan", "dirk"]
                         for check in ("gradients_x", "gradients_y", "gradients_notebook_example")},
    "sum-not-mean": {check: ["eefje"] for check in ("forward_values", "forward_retains_y_grad", "gradients_x",
                                                    "gradients_y", "gradients_notebook_example")},
    "does-not-compile": {check: ["fenna"] for check in CHECKS},
    "autograd-in-by-hand": {"gradient_manual_by_hand": ["guus"]},
    "list-not-tensor": {"gradient_manual_values": ["kees"], "gradient_manual_by_hand": ["kees"]},
    "detached-input": {check: ["loes"] for check in ("forward_values", "gradients_x", "gradients_fills_x_grad",
                                                     "gradients_notebook_example")},
    "not-implemented": {check: ["ilse"] for check in CHECKS},
}
HIDDEN = ["gradients_notebook_example", "gradient_manual_by_hand"]  # graders/hidden: "hidden check 1", "… 2" without names
POINTS = {"forward_values": 2, "forward_retains_y_grad": 1, "gradients_x": 1, "gradients_fills_x_grad": 1, "gradients_y": 1,
          "gradients_notebook_example": 1, "gradient_manual_values": 2, "gradient_manual_by_hand": 1}
GROUPS = [(["cees", "daan", "dirk"], False), (["bram", "bruno"], True)]  # (students, byte-identical), largest first


def write_class(folder: Path) -> Path:
    for name, (kind, suffix) in CLASS.items():
        if kind.startswith("text:"):
            (folder / f"{name}{suffix}").write_text(STUB if kind == "text:stub" else DISGUISED, encoding="utf-8")
        elif name == "bruno":
            shutil.copyfile(folder / "bram.py", folder / "bruno.py")
        else:
            class_builder.write(folder / name, kind, suffix)
    (folder / f"{EMPTY}.py").write_text("")
    return folder


@pytest.fixture(scope="module")
def graded(sandbox, tmp_path_factory):
    """The class graded once: (output folder, summary)."""
    root = tmp_path_factory.mktemp("report")
    folder = write_class(root / "class")
    summary = batch.run(batch.Options(SLUG, folder, out=root / "out", seed=11, timeout=2.0),
                        executor=InProcess(sandbox), stream=io.StringIO(), terminal=False)
    return root / "out", summary


# -- reading the page ---------------------------------------------------------------------------------------


class Page(HTMLParser):
    """What the tests read in a report: headings, tables (cells as text) with their rows' ids, figures."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.headings: list[tuple[str, str]] = []
        self.tables: dict[str, list[dict]] = {}
        self.svgs = self.figures = 0
        self._heading: list | None = None
        self._table: str | None = None
        self._row: dict | None = None
        self._cell: list | None = None
        self._depth = 0  # inside <svg>
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "svg":
            self.svgs += self._depth == 0
            self._depth += 1
        elif tag == "figure":
            self.figures += 1
        elif tag in ("h1", "h2", "h3"):
            self._heading = [tag, ""]
        elif tag == "table":
            self._table = (attrs.get("class") or "").split()[0] if attrs.get("class") else ""
            self.tables.setdefault(self._table, [])
        elif tag == "tr" and self._table is not None:
            self._row = {"id": attrs.get("id"), "cells": [], "attrs": attrs}
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "svg":
            self._depth -= 1
        elif tag in ("h1", "h2", "h3") and self._heading:
            self.headings.append((self._heading[0], self._heading[1].strip()))
            self._heading = None
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row["cells"].append(" ".join(" ".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if self._row["cells"] and self._table is not None:
                self.tables[self._table].append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._heading is not None:
            self._heading[1] += data
        if self._cell is not None:
            self._cell.append(data)

    def body(self, table: str) -> list[dict]:
        """The table's rows after its header."""
        return self.tables.get(table, [])[1:]


def mistakes_of(page: Page) -> dict[str, dict]:
    """code → the cells of its row in the mistakes table."""
    return {row["cells"][1].split()[0]: row for row in page.body("mistakes")}


def rendered(out: Path, *args: str) -> str:
    result = CliRunner().invoke(main, ["report", str(out), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


# -- the synthetic class ------------------------------------------------------------------------------------


def test_every_planted_mistake_is_counted_exactly_with_its_students(graded):
    out, summary = graded
    rows, _ = report.load_rows(out)
    assert sorted(row["student"] for row in rows) == STUDENTS
    (stat,) = class_report.statistics(rows)
    found = {mistake.code: mistake.checks for mistake in stat.mistakes}
    assert found == EXPECTED
    assert [mistake.count for mistake in stat.mistakes] == sorted((len({s for students in checks.values()
                                                                        for s in students})
                                                                   for checks in EXPECTED.values()), reverse=True)
    assert stat.not_graded == 1 and len(stat.scores) == len(CLASS) and stat.full_marks == 2
    passed = {check.name: check.passed for check in stat.checks}
    for check in CHECKS:  # everyone graded, less those who failed it
        failed = {student for checks in EXPECTED.values() for student in checks.get(check, [])}
        assert passed[check] == len(CLASS) - len(failed), check
    # the same rows as grade class had in memory
    seen = lambda mistakes: [(m.code, m.students, m.checks, m.feedback) for m in mistakes]  # noqa: E731
    assert seen(class_report.statistics(summary.rows)[0].mistakes) == seen(stat.mistakes)


def test_the_page_counts_the_mistakes_and_names_students_only_with_names(graded):
    out, _ = graded
    rendered(out)
    text = (out / report.REPORT).read_text(encoding="utf-8")
    page = Page(text)
    rows = mistakes_of(page)
    mistakes = class_report.statistics(report.load_rows(out)[0])[0].mistakes
    secret = [mistake.code for mistake in mistakes if set(mistake.checks) <= set(HIDDEN)]  # only hidden checks gave it
    shown = {mistake.code: f"hidden-mistake-{secret.index(mistake.code) + 1}" if mistake.code in secret
             else mistake.code for mistake in mistakes}
    assert list(rows) == [shown[mistake.code] for mistake in mistakes] and "autograd-in-by-hand" in secret
    for code in secret:  # its code and description would say what a hidden check tests
        description = next(mistake.description for mistake in mistakes if mistake.code == code)
        assert code not in text and description and " ".join(description.split()) not in text
        assert rows[shown[code]]["cells"][1] == shown[code]
    for code, checks in EXPECTED.items():
        students = {student for names in checks.values() for student in names}
        row = rows[shown[code]]
        assert row["id"] == f"{SLUG}-{shown[code]}" and row["cells"][2] == str(len(students))
        assert row["cells"][3] == f"{sum(POINTS[check] * len(names) for check, names in checks.items()):g}"
        for check, names in checks.items():
            label = f"hidden check {HIDDEN.index(check) + 1}" if check in HIDDEN else check
            assert f"{label} ({len(names)})" in row["cells"][4]
        assert len(row["cells"]) == 5  # no students column
    assert not any(check in text for check in HIDDEN)  # neither named nor described: the class may see this page
    assert "(what a hidden check says is not shown here)" in text
    for student in STUDENTS:
        assert not re.search(rf"\b{student}\b", text), student  # nowhere on the page: ids, files, feedback
    assert "[file] does not compile: SyntaxError" in rows["does-not-compile"]["cells"][4]
    assert "y is not a leaf" in rows["missing-retain-grad"]["cells"][1]  # the grader's own words for its code
    assert "twice the expected gradient" in rows["grad-accumulated"]["cells"][1]  # the shared ones

    rendered(out, "--names")
    page = Page((out / report.REPORT).read_text(encoding="utf-8"))
    rows = mistakes_of(page)
    assert list(rows) == [mistake.code for mistake in mistakes]  # the instructor's own page names every code
    for code, checks in EXPECTED.items():
        students = sorted({student for names in checks.values() for student in names})
        assert rows[code]["cells"][5] == ", ".join(students)
        for check, names in checks.items():
            assert f"{check} ({len(names)})" in rows[code]["cells"][4]  # the staff's page names them all
    assert "fenna.py does not compile: SyntaxError" in rows["does-not-compile"]["cells"][4]


def test_the_page_has_scores_checks_and_figures(graded):
    out, _ = graded
    rendered(out)
    text = (out / report.REPORT).read_text(encoding="utf-8")
    page = Page(text)
    assert page.headings[:5] == [("h1", f"Class report: {SLUG}"), ("h2", f"{SLUG} — Back-propagation through two layers"),
                                 ("h3", "Scores"), ("h3", "Checks"), ("h3", "Mistakes")]
    assert [text for tag, text in page.headings if tag == "h2"][1:] == [
        "Identical submissions", "Slowest submissions", "Could not be graded, or did not run"]
    assert page.svgs == page.figures == 3  # histogram, checks passed, mistakes
    checks = {row["cells"][0]: row["cells"] for row in page.body("checks")}
    assert list(checks) == [f"hidden check {HIDDEN.index(name) + 1}" if name in HIDDEN else name for name in CHECKS]
    assert [checks[f"hidden check {number}"][5] for number in (1, 2)] == ["(not described here)"] * 2
    failed = {student for students in EXPECTED.values() for student in students.get("gradients_y", [])}
    assert checks["gradients_y"][2:4] == [str(len(CLASS) - len(failed)), str(len(CLASS))]
    assert "<li><b>13</b>graded</li>" in text and "<li><b>2</b>full marks</li>" in text
    assert "<li><b>1</b>could not be graded</li>" in text
    scores = [float(row["score"]) for row in report.load_rows(out)[0] if row["status"] == "graded"]
    assert f"<li><b>{sum(scores) / len(scores):.2f}</b>mean" in text
    not_graded = page.body("not-graded")
    assert [row["cells"][1] for row in not_graded] == ["could not be graded (scored zero)", "graded, did not run"]
    assert not_graded[0]["cells"][2] == "[file] is empty"


def test_the_planted_identical_groups_are_found_and_nothing_else(graded):
    out, _ = graded
    rows, _ = report.load_rows(out)
    found = similar.groups(rows, similar.reference_digests([SLUG]))
    assert [(group.students, group.byte_identical) for group in found.groups] == GROUPS
    assert found.as_reference == {SLUG: {"the reference solution": 2, "the untouched stub": 1}}
    rendered(out, "--names")
    page = Page((out / report.REPORT).read_text(encoding="utf-8"))
    shown = [(row["cells"][5], row["cells"][3].startswith("yes")) for row in page.body("groups")]
    assert shown == [(", ".join(students), same) for students, same in GROUPS]
    text = (out / report.REPORT).read_text(encoding="utf-8")
    assert "2 identical to the reference solution; 1 identical to the untouched stub" in text
    assert "never a verdict" in text


def test_mistakes_csv(graded):
    out, _ = graded
    assert "wrote" in rendered(out, "--format", "csv")
    with open(out / report.MISTAKES, encoding="utf-8-sig", newline="") as stream:
        lines = list(csv.DictReader(stream))
    assert list(lines[0]) == ["exercise", "check", "code", "count", "students"]
    found = {(line["code"], line["check"]): (int(line["count"]), line["students"].split()) for line in lines}
    assert found == {(code, check): (len(students), students) for code, checks in EXPECTED.items()
                     for check, students in checks.items()}
    assert all(line["exercise"] == SLUG for line in lines)
    counts = [int(line["count"]) for line in lines]
    assert counts == sorted(counts, reverse=True)


def test_codes_in_grades_csv_and_gradescope_json(graded):
    out, _ = graded
    with open(out / outputs.CSV, encoding="utf-8-sig", newline="") as stream:
        by = {line["student"]: line for line in csv.DictReader(stream)}
    assert by["bram"]["mistakes"] == "forward_retains_y_grad=missing-retain-grad; gradients_y=missing-retain-grad"
    assert by["anouk"]["mistakes"] == "" and by[EMPTY]["mistakes"] == ""
    data = json.loads((out / outputs.RESULTS / "daan" / f"{SLUG}.json").read_text())
    codes = {test["name"].split(": ")[1]: test["extra_data"]["mistake"] for test in data["tests"]}
    assert codes == {check: ("grad-accumulated" if check in EXPECTED["grad-accumulated"] else None) for check in CHECKS}


def test_grade_class_ends_with_the_report_and_the_top_mistakes(graded):
    out, summary = graded
    assert summary.report == out / report.REPORT and not summary.report_failed
    written = [line for line in summary.lines() if line.startswith("written: ")]
    assert written and written[0].endswith(f", {out / report.REPORT}")
    table = summary.mistakes(width=100)
    lines = table.splitlines()
    assert lines[0].strip() == "most common mistakes"
    rule = next(number for number, line in enumerate(lines) if line.strip().startswith("─"))
    top = [line.split()[0] for line in lines[rule + 1:] if line.strip() and not line.startswith(" " * 10)]
    assert top[:2] == ["grad-accumulated", "missing-retain-grad"]
    assert re.search(r"does-not-compile\s+1\s+10\s+every check", table)
    assert all(student not in table for student in STUDENTS)


def test_the_command_prints_the_top_mistakes_before_what_it_wrote(sandbox, tmp_path, monkeypatch):
    monkeypatch.setattr(batch, "LocalPool", lambda workers: InProcess(sandbox))  # the command, grading in this process
    folder = tmp_path / "class"
    class_builder.write(folder / "anouk", "right", ".py")
    class_builder.write(folder / "bram", "mistake:no_retain_grad", ".py")
    result = CliRunner().invoke(main, ["class", SLUG, str(folder), "--out", str(tmp_path / "out"), "--timeout", "2"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    title = lines.index("most common mistakes")
    assert lines[-1].startswith("written: ") and lines[-1].endswith(f"{tmp_path / 'out' / report.REPORT}")
    assert lines[title - 1].startswith("seeds: ")  # (80 columns: each mistake on a line, its checks below, walkthrough 69)
    assert lines[title + 1] == "  missing-retain-grad: 1 student, 2 points lost", lines[title:]
    assert lines[title + 2].startswith("      checks: forward_retains_y_grad")
    assert (tmp_path / "out" / report.REPORT).is_file()


def test_matplotlib_is_imported_while_the_class_grades_only_when_a_report_is_written(sandbox, tmp_path, monkeypatch):
    from autograd_exercises.reports import plots

    called = []
    monkeypatch.setattr(plots, "preload", lambda: called.append(threading.current_thread().name))
    folder = tmp_path / "class"
    class_builder.write(folder / "anouk", "right", ".py")
    for report_too in (True, False):
        batch.run(batch.Options(SLUG, folder, out=tmp_path / f"out-{report_too}", timeout=2, report=report_too),
                  executor=InProcess(sandbox), stream=io.StringIO())
    assert called == ["report-preload"]  # in its own thread, once: not for the run without a report
    assert (tmp_path / "out-True" / report.REPORT).is_file() and not (tmp_path / "out-False" / report.REPORT).exists()


def test_preload_imports_what_the_figures_draw_with():
    code = ("import sys; from autograd_exercises.reports import plots; assert 'matplotlib' not in sys.modules; "
            "plots.preload(); print(sorted(m for m in sys.modules if m in "
            "('matplotlib.figure', 'matplotlib.backends.backend_svg', 'matplotlib.ticker')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["['matplotlib.backends.backend_svg',", "'matplotlib.figure',", "'matplotlib.ticker']"]


def test_report_without_the_cache_rebuilds_from_results(graded, tmp_path):
    out, _ = graded
    copy = tmp_path / "artifact"
    shutil.copytree(out, copy, ignore=shutil.ignore_patterns(".cache"))
    rows, source = report.load_rows(copy)
    assert "without cache" in source
    (stat,) = class_report.statistics(rows)
    assert {mistake.code: mistake.checks for mistake in stat.mistakes} == EXPECTED
    rendered(copy)
    text = (copy / report.REPORT).read_text(encoding="utf-8")
    assert "without a fingerprint" in text and "No group of identical submissions" in text


def test_report_of_a_folder_without_grades(tmp_path):
    result = CliRunner().invoke(main, ["report", str(tmp_path)])
    assert result.exit_code == 3 and "no grades.csv in" in result.output
    for text in ("x,y\n1,2\n", ""):  # some other CSV, an empty file: refused, no empty report.html
        (tmp_path / "grades.csv").write_text(text)
        result = CliRunner().invoke(main, ["report", str(tmp_path)])
        assert result.exit_code == 3 and "is not a grades.csv that 'grade class' wrote" in result.output
        assert not (tmp_path / "report.html").exists()


@pytest.mark.parametrize("document", ["[]", "null", "1", '"x"', '{"tests": "abc"}', '{"tests": [1]}',
                                      '{"extra_data": {"exercises": [5]}}', '{"tests": [{"score": "x", "name": 3}]}',
                                      "[" * 100_000])
def test_a_results_file_edited_by_hand_never_breaks_the_report(graded, tmp_path, document):
    """Red team 50: a results file of another shape (a CI artifact without the cache, edited or written by another
    tool) raised AttributeError or ValueError from the report. Such a row has no checks; the others are as they
    were, and the page is written."""
    out, _ = graded
    copy = tmp_path / "artifact"
    shutil.copytree(out, copy, ignore=shutil.ignore_patterns(".cache"))
    first = sorted((copy / "results").rglob("*.json"))[0]
    first.write_text(document)
    rows, _ = report.load_rows(copy)
    assert len(rows) == len(report.load_rows(out)[0])
    rendered(copy)


def test_numbers_that_are_not_numbers_in_grades_csv_or_the_cache_count_as_zero(graded, tmp_path):
    """Red team 50: nan, inf or 1e999 as a score in grades.csv made matplotlib refuse its axis (a traceback), and a
    cached check named 1 or with points 'zz' a TypeError."""
    out, _ = graded
    copy = tmp_path / "edited"
    shutil.copytree(out, copy)
    table = (copy / "grades.csv").read_text(encoding="utf-8").splitlines()
    header = table[0].split(",")
    for index, value in zip(range(1, 4), ("nan", "inf", "1e999")):
        cells = table[index].split(",")
        cells[header.index("score")] = value
        table[index] = ",".join(cells)
    (copy / "grades.csv").write_text("\n".join(table) + "\n", encoding="utf-8")
    cached = sorted((copy / ".cache").glob("*/*.json"))[0]
    row = json.loads(cached.read_text(encoding="utf-8"))
    row["result"] = {"checks": [{"name": 1}, "x", {"name": "a", "points": "zz", "max_points": float("nan")}]}
    cached.write_text(json.dumps(row), encoding="utf-8")
    rows, _ = report.load_rows(copy)
    assert all(math.isfinite(row["score"]) for row in rows)
    rendered(copy)


def test_a_grades_csv_that_is_a_link_or_huge_is_refused_in_one_line(tmp_path, monkeypatch):
    """Red team 50: grades.csv a link to /dev/zero was read without end."""
    (tmp_path / "grades.csv").symlink_to("/dev/zero")
    result = CliRunner().invoke(main, ["report", str(tmp_path)])
    assert result.exit_code == 3 and "grades.csv is a symbolic link" in result.output
    (tmp_path / "grades.csv").unlink()
    (tmp_path / "grades.csv").write_text("student,exercise,score,max_score\n" + "a,exercise-2,1,10\n" * 100)
    monkeypatch.setattr(report, "MAX_TABLE", 100)
    result = CliRunner().invoke(main, ["report", str(tmp_path)])
    assert result.exit_code == 3 and "is larger than any grades.csv grade class writes" in result.output


# -- the page from rows made here -----------------------------------------------------------------------------


def row(student: str, **fields) -> dict:
    """A graded exercise-2 row with every check passed, but those in ``failed`` ({check: (code, feedback)})."""
    failed = fields.pop("failed", {})
    checks = [{"name": name, "points": 0 if name in failed else 1, "max_points": 1,
               "status": "failed" if name in failed else "passed", "feedback": failed.get(name, ("", ""))[1],
               "mistake": failed.get(name, ("", ""))[0], "hidden": False, "description": f"checks {name}", "wall": 0.1}
              for name in ("first", "second")]
    base = {"student": student, "exercise": SLUG, "file": f"{student}.py", "status": "graded", "reason": "", "note": "",
            "score": sum(check["points"] for check in checks), "max_score": 2, "seconds": 0.5,
            "fingerprint": None, "sha256": student, "result": {"title": "T", "checks": checks}}
    base.update(fields)
    return base


def test_several_exercises():
    rows = [row("ann", failed={"first": ("wrong-value", "no")}), row("bob"),
            row("ann", exercise="exercise-3", failed={"second": ("sigmoid-twice", "twice")}, result={
                "title": "Three", "checks": [{"name": "second", "points": 0, "max_points": 2, "status": "failed",
                                              "feedback": "twice", "mistake": "sigmoid-twice"}]})]
    page = Page(class_report.render_html(rows, generated="now"))
    assert [text for tag, text in page.headings if tag == "h2"][:2] == [f"{SLUG} — T", "exercise-3 — Three"]
    assert page.headings[0] == ("h1", "Class report: 2 exercises") and page.svgs == 6
    table = class_report.terminal(rows, width=100)
    assert re.search(r"exercise\s+mistake\s+students\s+points lost\s+checks", table)
    assert re.search(r"exercise-3\s+sigmoid-twice\s+1\s+2\s+second", table)
    csv_lines = class_report.mistakes_csv(rows).lstrip("\ufeff").splitlines()
    assert csv_lines[1:] == ["exercise-2,first,wrong-value,1,ann", "exercise-3,second,sigmoid-twice,1,ann"]


def test_the_terminal_table_says_how_many_mistakes_it_leaves_out():
    """Fairness 58: ten mistakes in a class, eight rows on the terminal, and a line for the other two."""
    codes = [f"mistake-{letter}" for letter in "abcdefghij"]
    rows = [row(f"s{index}", failed={"first": (code, "no")}) for index, code in enumerate(codes)]
    table = class_report.terminal(rows, width=100, limit=8)
    assert sum(code in table for code in codes) == 8
    assert re.search(r"^and 2 more mistakes: grades\.csv, report\.html$", table, re.M), table
    assert "more mistake" not in class_report.terminal(rows[:8], width=100, limit=8)
    assert "and 1 more mistake:" in class_report.terminal(rows[:9], width=100, limit=8)
    narrow = class_report.terminal(rows, width=80, limit=8)  # (each mistake on a line, its checks below it)
    assert sum(code in narrow for code in codes) == 8 and narrow.splitlines()[-1] == "and 2 more mistakes: grades.csv, report.html"
    assert "  mistake-a: 1 student, 1 point lost\n      checks: first\n" in narrow, narrow


def test_a_duplicates_reason_hides_every_file_it_names():
    files = ("Ann Lee_4242_assignsubmission_file_exercise_2.py", "Ann Lee_5555_assignsubmission_file_exercise_2.py")
    reason = f"2 files for {SLUG} ({files[0]}, {files[1]}): keep one and grade again"
    rows = [row("Ann-Lee", status="could-not-grade", reason=reason, file=files[0], score=0, result=None), row("bob")]
    text = html.unescape(class_report.render_html(rows, generated="now"))
    assert "2 files for exercise-2 ([file], [file]): keep one and grade again" in text
    assert not any(secret in text for secret in ("Ann", "Lee", "4242", "5555"))
    shown = html.unescape(class_report.render_html(rows, names=True, generated="now"))
    assert files[1] in shown  # with names, as the instructor's own page


def test_short_ids_are_hidden_too_but_a_one_letter_one_would_hide_every_word():
    rows = [row("张三", status="could-not-grade", reason="张三.py: # 张三 wrote this", file="x.py", score=0, result=None),
            row("wu", status="could-not-grade", reason="written by wu, not wunderbar", file="y.py", score=0, result=None),
            row("a", status="could-not-grade", reason="a file by a", file="z.py", score=0, result=None)]
    text = html.unescape(class_report.render_html(rows, generated="now"))
    assert "[student].py: # [student] wrote this" in text and "written by [student], not wunderbar" in text
    assert "张三" not in text and "a file by a" in text


def test_student_text_is_escaped_everywhere():
    evil = '<img src=x onerror="alert(1)">'
    rows = [row(evil, file=f"{evil}.py", failed={"first": ("wrong-value", "<script>alert('feedback')</script>")},
                fingerprint="same"),
            row("b<b>", fingerprint="same", note="<script>alert('note')</script>", seconds=99.0),
            row("c&c", status="could-not-grade", reason="<iframe src=http://example.com>", score=0)]
    for names in (False, True):
        text = class_report.render_html(rows, names=names, generated="now")
        assert "<script" not in text and "<img" not in text and "<iframe" not in text and "<b>b" not in text
        assert "&lt;script&gt;alert(&#x27;feedback&#x27;)&lt;/script&gt;" in text
        if names:
            assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in text and "c&amp;c" in text


def test_the_page_loads_nothing():
    rows = [row("ann", failed={"first": ("timeout", "timed out after 5 s")}, seconds=11.0),
            row("bob", failed={"second": ("sum-not-mean", "x.grad is wrong")}), row("cat")]
    text = class_report.render_html(rows, generated="now")
    assert '<meta http-equiv="Content-Security-Policy" content="default-src \'none\';' in text
    assert not re.search(r"<(script|link|iframe|object|embed|img)\b", text, re.I)
    assert not re.search(r"\b(src|srcset|action|formaction|poster|background)\s*=", text, re.I)
    assert not re.search(r"url\(\s*['\"]?(?!#)", text) and "@import" not in text
    assert set(re.findall(r'href="([^"]*)"', text)) <= {f"#{anchor}" for anchor in re.findall(r'id="([^"]*)"', text)}
    page = Page(text)
    slow = page.body("slowest")
    assert slow[0]["cells"][2] == "11.00" and slow[0]["cells"][4] == "first"
    assert page.svgs == 3


def test_the_slowest_submissions_name_no_hidden_check_that_timed_out():
    """Walkthrough 61: the slowest submissions' "checks timed out" named a hidden check that timed out, on the page
    meant for the class. It is "hidden check N" there too, as everywhere on that page; named with ``names``."""
    timed_out = row("ann", failed={"first": ("timeout", "timed out"), "second": ("timeout", "timed out")}, seconds=9.0)
    timed_out["result"]["checks"][1]["hidden"] = True
    rows = [timed_out, row("bob")]
    hidden = Page(class_report.render_html(rows, generated="now")).body("slowest")
    assert hidden[0]["cells"][4] == "first, hidden check 1"
    shown = Page(class_report.render_html(rows, names=True, generated="now")).body("slowest")
    assert shown[0]["cells"][4] == "first, second"


def test_the_page_without_matplotlib(monkeypatch):
    from autograd_exercises.reports import plots

    monkeypatch.setattr(plots, "available", lambda: False)
    text = class_report.render_html([row("ann", failed={"first": ("wrong-value", "no")})], generated="now")
    assert "<svg" not in text and "<code>pip install matplotlib</code>" in text
    assert "Mistakes" in text and "wrong-value" in text


def test_the_figures_are_the_same_for_the_same_rows():
    rows = [row("ann", failed={"first": ("wrong-value", "no")}), row("bob")]
    assert class_report.render_html(rows, generated="now") == class_report.render_html(rows, generated="now")


# -- a real browser -------------------------------------------------------------------------------------------

BROWSERS = ("chromium", "chromium-browser", "google-chrome")


def browser() -> str | None:
    return next((path for path in map(shutil.which, BROWSERS) if path), None)


@pytest.mark.skipif(browser() is None, reason="no headless browser here (Debian's chromium; .ci/run installs it)")
def test_report_renders_in_a_real_browser(graded, tmp_path):
    out, _ = graded
    rendered(out)
    page_url = (out / report.REPORT).resolve().as_uri()
    flags = [browser(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars",
             f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run(flags + ["--dump-dom", page_url], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    page = Page(dom.stdout)
    assert ("h1", f"Class report: {SLUG}") in page.headings
    for heading in ("Scores", "Checks", "Mistakes", "Identical submissions", "Slowest submissions"):
        assert any(text == heading for _, text in page.headings), heading
    assert page.svgs == 3 and page.figures == 3
    assert "grad-accumulated" in dom.stdout and "missing-retain-grad" in dom.stdout
    shot = tmp_path / "report.png"
    taken = subprocess.run(flags + ["--window-size=1200,2000", f"--screenshot={shot}", page_url],
                           capture_output=True, text=True, timeout=120)
    assert taken.returncode == 0 and shot.is_file(), taken.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1200, 2000)
    assert len(data) > 50_000  # figures and tables drawn, not a blank page


def test_local_names_are_numbered_in_order_however_many_a_function_binds():
    """Red team 78: a function binding 63,000 names took 17 s to fingerprint (each name looked up in a list); the
    names are numbered in a dict now. Two files that differ only in their local names are one program."""
    def source(prefix: str) -> str:
        return "def gradient_manual(x):\n    " + ",".join(f"{prefix}{i}" for i in range(5000)) + f" = x\n    return {prefix}0\n"

    first, second = source("a"), source("b")
    assert similar.fingerprint(first.encode()) == similar.fingerprint(second.encode()) is not None
    assert similar._locals(ast.parse(first).body[0])["a4999"] == "_5000"  # (x is _0)


def test_a_students_text_costs_the_page_no_more_than_its_own_length():
    """Red team 81: with names hidden, the page took the file names to hide from the text itself and replaced each in
    turn; a syntax-error line that "named" every piece of "[file]" grew each "file" in it to thousands of characters
    (a 40 KB file: a 219 MB page, 1.3 GB of memory), and one of ``1 files for a (`` 17,000 times cost the regexes
    minutes. A quoted text is now cut (2,000 characters, saying how many more), and the names go in one pass."""
    pieces = ", ".join(["[", "e", "i", "]", "l", "f", "e]", "fi", "le", "il", "[f", "ile", "[fi", "le]", "fil",
                        "[fil", "ile]", "file", "[file", "file]"])
    grows = f"1 files for x ({pieces}): keep one and grade again " + "file" * 10_000
    slow = "'1 files for a (' * " + "1 files for a (" * 17_000
    rows = [row("mal", status="could-not-grade", reason=grows, file="m.py", score=0, result=None),
            row("lory", status="could-not-grade", reason=slow, file="l.py", score=0, result=None), row("bob")]
    page = class_report.render_html(rows, generated="now")
    assert len(page) < 200_000
    assert "more characters)" in html.unescape(page)


def test_a_cell_of_grades_csv_holds_what_a_spreadsheet_cell_holds():
    """Red team 81: a 255 KB note made a cell the csv module would not read back (``grade report`` refused the whole
    class); a cell is now cut to 32,000 characters, a spreadsheet's own limit being 32,767."""
    cell = outputs._cell("x" * 300_000)
    assert len(cell) < outputs.CELL + 100 and cell.endswith("(268,000 more characters)")


def test_a_line_that_does_not_compile_is_quoted_cut():
    """Red team 81: the whole offending line (up to 256 KB) was the note of a file that does not compile."""
    from autograd_exercises.submission import compile_error

    said = compile_error("x = (" + "1, " * 100_000)
    assert said is not None and len(said) < 1_200 and "more characters)" in said


def test_the_input_label_goes_as_the_regex_took_it_off():
    """The typical feedback drops its input label in one pass, as ``re.sub`` with the label's pattern did (which was
    quadratic in a student's text, red team 81), for every short text of the pieces that matter."""
    import itertools

    pattern = re.compile(r" \[input: [^\]]*\]$")
    pieces = [" [input: ", "]", "[", "x", "\n"]
    for size in range(6):
        for parts in itertools.product(pieces, repeat=size):
            text = "".join(parts)
            assert class_report._without_input(text) == pattern.sub("", text), repr(text)


def test_a_long_feedback_is_cut_once_and_says_how_much():
    """A long typical feedback is cut once on the page, with the count of what was left out (cut twice, it said the
    count of the first cut's own note)."""
    long = "x" * 10_000 + " [input: x = 1]"
    rows = [row("ann", failed={"first": ("wrong-value", long)}), row("bob", failed={"first": ("wrong-value", long)})]
    assert "(8,000 more characters)" in html.unescape(class_report.render_html(rows, generated="now"))


def test_mistakes_csv_holds_no_formula():
    """The students cell follows grades.csv's rule (``outputs.csv_cell``): an id may start with ``+`` or ``@``
    (``safe_id`` keeps them), which a spreadsheet would read as a formula."""
    rows = [row("@SUM(A1)", failed={"first": ("wrong-value", "no")}),
            row("+1", failed={"first": ("wrong-value", "no")})]
    lines = class_report.mistakes_csv(rows).lstrip("\ufeff").splitlines()
    assert lines[1] in ("exercise-2,first,wrong-value,2,'@SUM(A1) +1", "exercise-2,first,wrong-value,2,'+1 @SUM(A1)")
