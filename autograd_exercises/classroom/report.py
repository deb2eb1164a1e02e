"""``grade report GRADES_DIR``: read what ``grade class`` wrote, write ``report.html`` (or ``mistakes.csv``).

The rows come back from the output folder: ``grades.csv`` says which submission is each student's now
(a folder's cache also keeps the rows of files since replaced), and each one's full row (every check's
feedback and mistake code, the time it took, its fingerprint) is read from the resume cache
``.cache/``, found by the file's sha256, the exercise, the seed and the time it was graded. Where the
cache is gone (a CI artifact without hidden folders), the row is rebuilt from ``grades.csv`` and the
Gradescope ``results/<student>/<exercise>.json``: everything but the fingerprint, so identical
submissions cannot be told then (the page says so).

The page itself is :func:`autograd_exercises.reports.class_report.render_html`, a pure function of the
rows; this module only reads files and writes one, atomically. No torch.
"""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path
from typing import Any

from autograd_exercises.classroom import outputs
from autograd_exercises.classroom.cache import FOLDER
from autograd_exercises.submission import SubmissionError, entry_kind, read_plain_file

REPORT, MISTAKES = "report.html", "mistakes.csv"


class ReportError(Exception):
    """The folder holds no class to report on: one line."""


MAX_TABLE = 64 * 1024 * 1024  # bytes of grades.csv read (300 students x 6 exercises is well under 1 MB)
MAX_NUMBER = 1e9  # no score, points or seconds beyond this (a hand-edited file's 1e308 breaks the figures)


def _number(value: Any) -> float:
    """A number from a file ``grade class`` wrote, or that someone edited: 0 for anything else (text, ``nan``,
    ``inf``, ``1e999``, a list) or beyond :data:`MAX_NUMBER` (red team 50: ``nan`` in grades.csv crashed the
    figures)."""
    try:
        number = float(value or 0)
    except (TypeError, ValueError, OverflowError):
        return 0.0
    return number if math.isfinite(number) and abs(number) <= MAX_NUMBER else 0.0


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _plain_check(check: Any) -> dict[str, Any] | None:
    """A check of a cached or rebuilt row in the shape the page reads, or None when it is not a check at all."""
    if not isinstance(check, dict) or not isinstance(check.get("name"), str):
        return None
    return {"name": check["name"], "points": _number(check.get("points")),
            "max_points": _number(check.get("max_points")),
            "status": "passed" if check.get("status") == "passed" else "failed",
            "feedback": _text(check.get("feedback")), "mistake": _text(check.get("mistake")),
            "hidden": check.get("hidden") is True, "description": _text(check.get("description")),
            "wall": _number(check.get("wall"))}


def _plain_result(result: Any) -> dict[str, Any] | None:
    """A row's result in the shape the page reads (hand-edited or foreign files: red team 50), or None."""
    if not isinstance(result, dict):
        return None
    checks = result.get("checks") if isinstance(result.get("checks"), list) else []
    plain = [check for check in map(_plain_check, checks) if check is not None]
    return {**result, "checks": plain, "title": _text(result.get("title")),
            "execution_time": _number(result.get("execution_time")) or None}


def _cached(out: Path) -> dict[tuple[str, str, str, str], dict[str, Any]]:
    """Every cached row, by (sha256, exercise, seed, graded_at)."""
    found: dict[tuple[str, str, str, str], dict[str, Any]] = {}
    for path in sorted((out / FOLDER).glob("*/*.json")):
        try:
            row = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(row, dict) and row.get("sha256"):
            row["result"] = _plain_result(row.get("result"))
            row["mistakes"] = {str(k): _text(v) for k, v in row["mistakes"].items()} \
                if isinstance(row.get("mistakes"), dict) else {}
            found[(str(row.get("sha256")), str(row.get("exercise")), str(row.get("seed")),
                   str(row.get("graded_at")))] = row
    return found


def _from_results(out: Path, line: dict[str, str]) -> dict[str, Any] | None:
    """The row's result rebuilt from its Gradescope JSON (no cache): checks with points, feedback and code."""
    path = outputs.row_files(out, {"student": line["student"], "exercise": line["exercise"]})[0]
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    checks = []
    for test in data.get("tests") if isinstance(data.get("tests"), list) else []:
        if not isinstance(test, dict):
            continue
        name = str(test.get("name", "")).split(": ", 1)[-1]
        lines = str(test.get("output", "")).split("\n")
        description, rest = lines[0], lines[1:]
        feedback = []
        for text in rest:
            if text.startswith(("note: ", "your code printed:")):
                break
            feedback.append(text)
        passed = test.get("status") == "passed"
        extra = test.get("extra_data") if isinstance(test.get("extra_data"), dict) else {}
        checks.append({"name": name, "points": test.get("score", 0), "max_points": test.get("max_score", 0),
                       "status": "passed" if passed else "failed", "feedback": "" if passed else "\n".join(feedback),
                       "mistake": extra.get("mistake") or "", "hidden": test.get("visibility") == "after_published",
                       "description": description, "wall": extra.get("seconds", 0.0)})
    extra = data.get("extra_data") if isinstance(data.get("extra_data"), dict) else {}
    exercises = extra.get("exercises") if isinstance(extra.get("exercises"), list) else []
    first = exercises[0] if exercises and isinstance(exercises[0], dict) else {}
    return _plain_result({"checks": checks, "title": first.get("title", ""),
                          "execution_time": data.get("execution_time")})


def load_rows(out: Path) -> tuple[list[dict[str, Any]], str]:
    """The class's current rows from ``out`` (``grades.csv`` with ``.cache/`` or ``results/``), and where they
    came from; :class:`ReportError` when there is no ``grades.csv``."""
    table = out / outputs.CSV
    try:  # (a plain file of a bounded size: a link to /dev/zero was read without end, red team 50)
        data, size = read_plain_file(table, MAX_TABLE)
        if size > MAX_TABLE:
            raise ReportError(f"{table} is larger than any grades.csv grade class writes ({size:,} bytes)")
        csv.field_size_limit(max(csv.field_size_limit(), MAX_TABLE))  # (a cell of an older release's was uncut)
        reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline=""))
        lines, columns = list(reader), set(reader.fieldnames or ())
    except SubmissionError as exc:
        kind = entry_kind(table)
        if kind == "link":
            raise ReportError(f"{table} is a symbolic link: grade report reads only a grades.csv that grade class "
                              "wrote") from None
        if kind == "missing":
            raise ReportError(f"no {outputs.CSV} in {out}: give the folder 'grade class' wrote (--out, default "
                              "grades)") from None
        raise ReportError(f"cannot read {table}: {exc}") from None
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ReportError(f"cannot read {table}: {exc}") from None
    if not {"student", "exercise", "score", "max_score"} <= columns:
        raise ReportError(f"{table} is not a grades.csv that 'grade class' wrote (no student, exercise, score and "
                          "max_score columns)")
    cached = _cached(out)
    rows, rebuilt = [], 0
    for line in lines:
        if not line.get("student") or not line.get("exercise"):
            continue
        row = cached.get((line.get("sha256", ""), line["exercise"], line.get("seed", ""), line.get("graded_at", "")))
        if row is not None:
            row = dict(row)
        else:
            rebuilt += 1
            result = _from_results(out, line)
            codes = dict(part.split("=", 1) for part in (line.get("mistakes") or "").split("; ") if "=" in part)
            row = {"result": result, "mistakes": codes, "fingerprint": None,
                   "seconds": (result or {}).get("execution_time")}
        for key in ("reason", "note"):  # the CSV has them on one line: keep the cached text when it is the same
            if outputs.csv_cell(row.get(key) or "") != (line.get(key) or ""):
                row[key] = line.get(key) or ""
        row.update(student=line["student"], exercise=line["exercise"], file=line.get("file", ""),
                   status=line.get("status", ""), score=_number(line.get("score")),
                   max_score=_number(line.get("max_score")), sha256=line.get("sha256", ""),
                   grader_version=line.get("grader_version", ""))
        rows.append(row)
    source = f"{out}/{outputs.CSV} and {out}/{FOLDER}/" if not rebuilt else \
        f"{out}/{outputs.CSV} and {out}/{outputs.RESULTS}/ ({rebuilt} row{'s' if rebuilt != 1 else ''} without cache)"
    return rows, source


def html(rows: list[dict[str, Any]], *, names: bool = False, source: str = "", generated: str | None = None) -> str:
    """The page for ``rows``, with the stub's and solution's fingerprints of their exercises."""
    from autograd_exercises.classroom import similar
    from autograd_exercises.reports import class_report

    references = similar.reference_digests(sorted({row["exercise"] for row in rows}))
    return class_report.render_html(rows, names=names, references=references, source=source, generated=generated)


def write(out: Path, rows: list[dict[str, Any]], *, fmt: str = "html", names: bool = False, source: str = "",
          output: Path | None = None) -> Path:
    """Write ``report.html`` (``fmt="html"``) or ``mistakes.csv`` (``"csv"``) into ``out`` (or ``output``), atomically."""
    from autograd_exercises.reports import class_report

    if fmt == "csv":
        target = output or out / MISTAKES
        outputs.atomic_write(target, class_report.mistakes_csv(rows))
    else:
        target = output or out / REPORT
        outputs.atomic_write(target, html(rows, names=names, source=source))
    return target
