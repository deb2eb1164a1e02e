"""The files ``grade class`` writes in its output folder, every one atomically.

* ``grades.csv``: one row per student and exercise (:func:`csv_text` says which columns);
* ``results/<student>/<exercise>.json``: the Gradescope ``results.json`` the single-file command writes;
* ``feedback/<student>/<exercise>.txt``: the text report the student sees (hidden checks counted, not shown);
* ``class.junit.xml``: one ``<testsuite>`` per student and exercise, for CI dashboards.

After a run that was not interrupted, ``results/`` and ``feedback/`` hold the rows of ``grades.csv`` only
(:func:`remove_stale`): a student whose file was renamed or removed leaves no stale file there to upload.

:func:`atomic_write` writes a temporary file beside the target and renames it over the target: a
reader, or a run killed at any moment, sees the old file or the new one, never half of one (the
class files are also flushed to the disk first; a leftover temporary file of a killed run is removed
by the next).
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import re
import tempfile
from pathlib import Path
from typing import Any, Sequence
from xml.etree import ElementTree as ET

from autograd_exercises.printable import printable
from autograd_exercises.submission import entry_kind, shortened

CSV, JUNIT, RESULTS, FEEDBACK = "grades.csv", "class.junit.xml", "results", "feedback"
NOT_GRADED = "not-graded.txt"
NOT_GRADED_HEAD = "# grade class: every file of SUBMISSIONS it did not grade, and why\n"
_FORMULA = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_AFTER_SEMICOLON = re.compile(r";(\s*)(?=[=+\-@])")  # a cell of its own where ; separates (Excel in most
# of continental Europe opens a .csv so): red team on the instructor's path, a file named "exercise_2;=HYPERLINK(…).py"


def file_mode() -> int:
    """The mode a new file gets here: ``0o666`` less the umask (read from /proc, which leaves it alone, where it
    can be: setting it to read it would race with another thread creating a file)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            umask = next(int(line.split()[1], 8) for line in status if line.startswith("Umask:"))
    except (OSError, StopIteration, ValueError, IndexError):
        umask = os.umask(0o022)
        os.umask(umask)
    return 0o666 & ~umask


def atomic_write(path: Path, data: str | bytes, *, durable: bool = False, mode: int | None = None) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename (never half-written, whenever the
    process is killed). ``durable``: flushed to the disk first, so that a power cut keeps it too. The file gets
    ``mode``, by default what any new file gets (:func:`file_mode`), not the temporary file's private 0600."""
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = data.encode("utf-8", "replace") if isinstance(data, str) else data  # (a lone surrogate becomes "?")
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        if hasattr(os, "fchmod"):  # (not on Windows before Python 3.13, whose files have no such modes)
            os.fchmod(fd, file_mode() if mode is None else mode)
        with os.fdopen(fd, "wb") as stream:
            stream.write(raw)
            if durable:
                stream.flush()
                os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


class OutputError(Exception):
    """A folder below the output folder is a link (or a file): nothing is written, or removed, through it."""


def folder_name(name: Any) -> bool:
    """``name`` can be one folder's name below the output folder: text, not ``.`` or ``..``, no ``/``, no NUL, at most
    255 bytes (red team 205: a hand-edited ledger's id ``../../x`` wrote a student's files outside it)."""
    return isinstance(name, str) and name not in ("", ".", "..") and not any(c in name for c in "/\0") \
        and len(name.encode("utf-8", "surrogateescape")) <= 255


def real_folder(out: Path, folder: Path) -> Path:
    """``folder`` (below ``out``), made with every folder on the way down from ``out``, each a real folder: a link
    there raises :class:`OutputError`, so the grades are never written, nor stale files removed, elsewhere."""
    current = out
    try:
        parts = folder.relative_to(out).parts
    except ValueError:
        raise OutputError(f"{folder} is not below {out}: grade class writes only below its output folder") from None
    for part in parts:
        if not folder_name(part):  # (red team 205: a hand-edited cache's id ../../x wrote outside)
            raise OutputError(f"{printable(part)!r} is no folder name below {out}: grade class writes only there")
        current = current / part
        with contextlib.suppress(FileExistsError):
            current.mkdir()
        if current.is_symlink() or not current.is_dir():
            raise OutputError(f"{current} is a link or a file, not a folder: grade class writes only into real "
                              f"folders below {out}")
    return folder


def no_link_below(out: Path, path: Path) -> bool:
    """No folder or file from ``out`` down to ``path`` (below it) is a link."""
    parts = path.relative_to(out).parts
    return not any(out.joinpath(*parts[:depth]).is_symlink() for depth in range(1, len(parts) + 1))


_LEFTOVER = re.compile(r"\..+\.[a-z0-9_]{8}\.tmp")  # :func:`atomic_write`'s temporary names (mkstemp's 8 characters)


def remove_leftovers(out: Path) -> None:
    """Temporary files a killed run left behind (never a finished file: those were renamed), only by the names
    :func:`atomic_write` gives them and only in the folders ``grade class`` writes (``out`` itself, each student's
    folder of ``results/`` and ``feedback/``, the cache's): ``--out`` may be a folder of the instructor's own, whose
    other files are never touched, nor walked (red team 50: a ``.draft.tmp`` deep below was deleted)."""
    from autograd_exercises.classroom.cache import FOLDER

    folders = [out] + [folder for name in (RESULTS, FEEDBACK, FOLDER) for folder in _real_folders(out / name)]
    for folder in folders:
        for path in _entries(folder):
            if _LEFTOVER.fullmatch(path.name) and entry_kind(path) == "file":
                with contextlib.suppress(OSError):
                    path.unlink()


def _entries(folder: Path) -> list[Path]:
    try:
        return list(folder.iterdir())
    except OSError:
        return []


def _real_folders(folder: Path) -> list[Path]:
    """``folder`` and the real folders in it (never a link), if it is a real folder itself."""
    if entry_kind(folder) != "folder":
        return []
    return [folder] + [path for path in _entries(folder) if entry_kind(path) == "folder"]


def row_files(out: Path, row: dict[str, Any]) -> tuple[Path, Path]:
    """Where a row's Gradescope JSON and feedback go."""
    student, exercise = row["student"], row["exercise"]
    return out / RESULTS / student / f"{exercise}.json", out / FEEDBACK / student / f"{exercise}.txt"


def write_row_files(out: Path, row: dict[str, Any]) -> None:
    """The row's ``results/…json`` and ``feedback/…txt``, always as the row says: a file already there is kept
    only when it holds the same (a row from the cache rewrites nothing it need not), and one the row lacks goes."""
    for path, text in zip(row_files(out, row), (row.get("results_json"), row.get("feedback"))):
        real_folder(out, path.parent)
        if not text:
            path.unlink(missing_ok=True)
        elif not _holds(path, text.encode("utf-8")):
            atomic_write(path, text)


def _holds(path: Path, data: bytes) -> bool:
    """Whether ``path`` is a file holding exactly ``data``."""
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


# -- grades.csv ---------------------------------------------------------------------------------------


def csv_cell(value: Any) -> str:
    """What ``grades.csv`` holds for ``value`` (see :func:`_cell`)."""
    return _cell(value)


CELL = 32_000  # characters a cell may hold: a spreadsheet's own limit is 32,767 (the csv module's reader, 131,072)


def _cell(value: Any) -> str:
    """A value as one spreadsheet cell: numbers as ``8`` or ``0.5``, text on one line, never a formula (also where a
    spreadsheet splits cells at ``;``)."""
    if isinstance(value, bool) or value is None:
        return "" if value is None else str(value).lower()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:.12g}"
    text = printable(shortened(" | ".join(line.strip() for line in str(value).splitlines() if line.strip()), CELL))
    text = _FORMULA_AFTER_SEMICOLON.sub(r";\1'", text)
    return "'" + text if text.startswith(_FORMULA) else text


def check_columns(rows: Sequence[dict[str, Any]], order: Sequence[str]) -> list[tuple[str, str, str]]:
    """(column, exercise, check) for every check of the rows, by exercise (``order``) then check order.

    Columns are named by check; with several exercises, ``exercise-2:forward_values``.
    """
    by_exercise: dict[str, list[str]] = {}
    for row in rows:
        names = by_exercise.setdefault(row["exercise"], [])
        names += [name for name in row.get("checks", {}) if name not in names]
    several = len(by_exercise) > 1
    columns = []
    for exercise in sorted(by_exercise, key=lambda slug: order.index(slug) if slug in order else len(order)):
        columns += [(f"{exercise}:{name}" if several else name, exercise, name) for name in by_exercise[exercise]]
    return columns


HEAD = ["student", "exercise", "score", "max_score"]
TAIL = ["mistakes", "status", "reason", "note", "file", "seed", "class_seed", "sha256", "grader_version", "graded_at"]


def mistakes_cell(row: dict[str, Any]) -> str:
    """The ``mistakes`` column: ``check=code`` for every failed check, in check order (``gradients_x=grad-accumulated;
    gradients_y=grad-accumulated``); empty for full marks and for a submission that could not be graded."""
    if row.get("status") != "graded":
        return ""
    return "; ".join(f"{name}={code}" for name, code in (row.get("mistakes") or {}).items())


def csv_text(rows: Sequence[dict[str, Any]], order: Sequence[str]) -> str:
    """``grades.csv``: student, exercise, score, max_score, one column per check (its points; blank in a
    could-not-grade row), then
    mistakes (``check=code; …``: the mistake code of each failed check, :mod:`autograd_exercises.mistakes`),
    status (``graded``/``could-not-grade``), reason (why it could not be graded), note (why a graded file
    scored zero without running: a syntax error, …), file, seed, class_seed, sha256 of the file,
    grader_version, graded_at (UTC). UTF-8 with a byte-order mark, so spreadsheets read it as UTF-8."""
    columns = check_columns(rows, order)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEAD + [name for name, _, _ in columns] + TAIL)
    for row in sorted(rows, key=lambda r: (r["student"], order.index(r["exercise"]) if r["exercise"] in order else 0)):
        checks = row.get("checks", {}) if row.get("status") == "graded" else {}  # (not graded: blank, no check ran)
        points = [checks[name][0] if exercise == row["exercise"] and name in checks else None
                  for _, exercise, name in columns]
        writer.writerow([_cell(row.get(key)) for key in HEAD] + [_cell(value) for value in points]
                        + [_cell(mistakes_cell(row) if key == "mistakes" else row.get(key)) for key in TAIL])
    return "\ufeff" + buffer.getvalue()


# -- class.junit.xml ----------------------------------------------------------------------------------


def junit_text(rows: Sequence[dict[str, Any]]) -> str:
    """One ``<testsuite>`` per student and exercise (``alice exercise-2``), the checks as test cases."""
    from autograd_exercises.classroom.task import result_of
    from autograd_exercises.reports import junit

    root = ET.Element("testsuites", name="grade class")
    tests = failures = errors = 0
    for row in sorted(rows, key=lambda r: (r["student"], r["exercise"])):
        name = f"{row['student']} {row['exercise']}"
        if row.get("result") and row.get("status") == "graded":
            suite = junit.suite(result_of(row))
            suite.set("name", junit._xml(name))
            tests += int(suite.get("tests", "0"))
            failures += int(suite.get("failures", "0"))
        else:  # not graded (two files, no file, a worker lost): one failed case that says why, not a failure of
            # every check (walkthrough 69); a <failure>, as the schema CI dashboards read has no <error> element
            suite = ET.Element("testsuite", name=junit._xml(name), tests="1", failures="1", errors="0",
                               skipped="0", time="0.000")
            case = ET.SubElement(suite, "testcase", classname=row["exercise"], name="grading", time="0.000")
            ET.SubElement(case, "failure", message=junit._xml(row.get("reason", "")[:500]), type="CouldNotGrade")
            tests, failures = tests + 1, failures + 1
        root.append(suite)
    root.set("tests", str(tests))
    root.set("failures", str(failures))
    root.set("errors", str(errors))
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def remove_stale(out: Path, rows: Sequence[dict[str, Any]], exercises: set[str]) -> list[Path]:
    """Remove the ``results/`` and ``feedback/`` files an earlier run wrote for ``exercises`` whose student has no
    row now (a file renamed, a student gone): after a complete run, those folders hold this run's rows only, as
    ``grades.csv`` does. Other exercises' files, and any file not named like ours, are left alone."""
    current = {path for row in rows for path in row_files(out, row)}
    removed = []
    for slug in sorted(exercises):
        for pattern in row_files(Path(), {"student": "*", "exercise": slug}):  # results/*/<slug>.json, feedback/…
            for path in sorted(out.glob(pattern.as_posix())):
                if path not in current and path.is_file() and no_link_below(out, path):
                    path.unlink()
                    removed.append(path)
                    with contextlib.suppress(OSError):  # not empty: other exercises' files, or the user's own
                        path.parent.rmdir()
    return removed


def write_class_files(out: Path, rows: Sequence[dict[str, Any]], order: Sequence[str]) -> None:
    """``grades.csv`` and ``class.junit.xml`` for every row so far."""
    atomic_write(out / CSV, csv_text(rows, order), durable=True)
    atomic_write(out / JUNIT, junit_text(rows), durable=True)


def write_not_graded(out: Path, sections: Sequence[tuple[str, Sequence[str]]]) -> Path | None:
    """``not-graded.txt``: each (heading with ``{n}`` for the count, lines) section that has lines, in full (the
    summary shows the first few of each); without any, an earlier run's file is removed (only one this command
    wrote: its first line says so)."""
    path = out / NOT_GRADED
    text = NOT_GRADED_HEAD + "".join(f"\n{heading.format(n=len(lines))}:\n" + "".join(f"  {printable(line)}\n"
                                                                                  for line in lines)
                                     for heading, lines in sections if lines)
    if text != NOT_GRADED_HEAD:
        atomic_write(path, text)
        return path
    if entry_kind(path) == "file" and _holds_head(path):
        path.unlink()
    return None


def _holds_head(path: Path) -> bool:
    """Whether ``path`` starts with :data:`NOT_GRADED_HEAD` (a file of ours, not the instructor's)."""
    try:
        with open(path, "rb") as stream:
            return stream.read(len(NOT_GRADED_HEAD)) == NOT_GRADED_HEAD.encode()
    except OSError:
        return False
