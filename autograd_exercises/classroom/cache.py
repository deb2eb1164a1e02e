"""The resume cache: every finished row, kept in the output folder (``.cache/``).

A row is found again by its key: the sha256 of what was graded, the exercise, the grader version,
the seed, the timeout, the file's name and the way it was graded (a file, or a notebook's test cells for nbgrader's
gradebook). Each row is its own JSON file, written atomically the moment it is graded, so a run
stopped at any point (Ctrl-C, a kill) keeps every row it finished, and the next run
grades only what is not there. ``.cache/class.json`` keeps the class seed, so that a rerun without
``--seed`` gives every student the same inputs as before. ``.cache/rows.json`` lists, per exercise, the rows the last
complete run wrote to ``grades.csv`` (each row's key and its student's labels): a run that grades one exercise keeps
the others' rows in the class files (:meth:`Cache.kept`), so that grading exercise 1, then exercise 2, into one
folder gives one ``grades.csv`` of both.

The grader version is the package's version and a digest of every file that decides a score (the
graders, hidden checks, probes, judges, the grading pipeline): edit a check and every row is graded
again.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from importlib import metadata, util
from pathlib import Path
from typing import Any

from autograd_exercises.classroom.outputs import atomic_write, folder_name, no_link_below, real_folder

FOLDER = ".cache"
FORMAT = 1
LEDGER = "rows.json"
LABELS = ("student", "exercise", "file", "class_seed", "grader_version", "note", "reason",  # batch._label's
          "identity",  # (who the id was made from: layouts.identity)
          "roster")  # (the roster's SID the id was made of, "" for none: layouts.Found.roster)


ROW_FIELDS = {"key": str, "student": str, "exercise": str, "file": str, "sha256": str, "seed": int, "status": str,
              "reason": str, "note": str, "score": (int, float), "max_score": (int, float), "checks": dict,
              "mistakes": dict, "results_json": str, "feedback": str, "graded_at": str}  # (every row has them)


def well_formed(row: Any) -> bool:
    """``row`` has every field a graded row has, each of its type, down to each check's points and its result's
    report: a cached row edited by hand, or cut short, is graded again rather than written out (red team 148: one
    without its status stopped the run with a traceback; red team 205: one whose check held a number, or whose result
    was text)."""
    return isinstance(row, dict) and row.get("status") in ("graded", "could-not-grade") and all(
        isinstance(row.get(name), kind) and not isinstance(row.get(name), bool)
        for name, kind in ROW_FIELDS.items()) and _shaped(row)


def _shaped(row: dict[str, Any]) -> bool:
    """Each check's ``[points, max]``, each mistake's code, and the result a JUnit suite is made of (when there is one)."""
    from autograd_exercises.classroom.task import result_of
    from autograd_exercises.reports import junit

    def number(value: Any) -> bool:
        return isinstance(value, (int, float)) and not isinstance(value, bool)

    if not all(isinstance(v, list) and len(v) == 2 and all(map(number, v)) for v in row["checks"].values()) \
            or not all(isinstance(code, str) for code in row["mistakes"].values()):
        return False
    try:
        return not row.get("result") or junit.suite(result_of(row)) is not None
    except Exception:  # (whatever a hand-edited result breaks: the row is graded again)
        return False


@lru_cache(maxsize=1)
def grader_version() -> str:
    """``0.1.0+<digest>``: the package's version and a digest of the code that grades (no torch imported)."""
    import autograd_exercises

    try:
        version = metadata.version("autograd-exercises")
    except metadata.PackageNotFoundError:
        version = "0"
    package = Path(autograd_exercises.__file__).parent
    spec = util.find_spec("graders")
    folders = [Path(location) for location in (spec.submodule_search_locations or [])] if spec else []
    files = [package / name for name in ("grading.py", "inputs.py", "spec.py", "submission.py", "autograde.py",
                                         "session.py", "sandbox/observe.py", "sandbox/child.py")]
    files += sorted((package / "probes").glob("*.py")) + sorted((package / "judge").glob("*.py"))
    for folder in folders:
        files += sorted(folder.rglob("*.py"))
    digest = hashlib.sha256()
    for path in files:
        try:
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
        except OSError:
            continue
    return f"{version}+{digest.hexdigest()[:12]}"


def key(sha256: str, exercise: str, version: str, seed: int, *, times: tuple[float, float], mode: str,
        filename: str) -> str:
    """The cache key of one grading: ``times`` are the seconds per check and per notebook cell (the file's name too:
    the feedback names it)."""
    parts = [FORMAT, sha256, exercise, version, seed, *times, mode, filename]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


class Cache:
    """Rows by key, one file each under ``<out>/.cache/``."""

    def __init__(self, out: Path) -> None:
        self.out, self.folder = out, out / FOLDER

    def _path(self, entry: str) -> Path:
        return self.folder / entry[:2] / f"{entry}.json"

    def get(self, entry: str) -> dict[str, Any] | None:
        path = self._path(entry)
        try:
            row = json.loads(path.read_text(encoding="utf-8")) if no_link_below(self.out, path) else None
        except (OSError, ValueError):
            return None  # absent, or unreadable: graded again (and behind a link: never read)
        return row if well_formed(row) and row["key"] == entry else None

    def put(self, row: dict[str, Any]) -> None:
        path = self._path(row["key"])
        atomic_write(real_folder(self.out, path.parent) / path.name, json.dumps(row))  # (escaped: an id's lone surrogate too)

    def class_seed(self, wanted: int | None, fresh: int) -> int:
        """The class seed: ``wanted`` (``--seed``) if given, else the one recorded here, else ``fresh``; recorded."""
        path = real_folder(self.out, self.folder) / "class.json"
        try:
            recorded = json.loads(path.read_text(encoding="utf-8")).get("class_seed") if not path.is_symlink() else None
        except (OSError, ValueError, AttributeError):
            recorded = None
        seed = wanted if wanted is not None else recorded if isinstance(recorded, int) else fresh
        if seed != recorded:
            atomic_write(path, json.dumps({"class_seed": seed}) + "\n", durable=True)
        return seed

    def kept(self, graded: set[str]) -> list[dict[str, Any]]:
        """The rows the last complete run wrote for the exercises not in ``graded``: each cached row with its
        student's labels (a row whose cached file is gone is left out)."""
        rows = []
        for slug, entries in sorted(self._ledger().items()):
            if slug in graded:
                continue
            for labels in entries:
                row = self.get(str(labels.get("key", "")))
                if row is not None and well_formed(row := {**row, **{name: labels.get(name) for name in LABELS}}):
                    rows.append(row)
        return rows

    def earlier(self) -> tuple[dict[str, str], set[str]]:
        """From one reading of the ledger: the id of every row it notes (every exercise graded into this folder, the
        one graded now too: a person keeps their id when a namesake joins a regrade, red team 112), and who each was
        made from; and those ids made of a roster's SID, as the SID (red team 209: a SID typed as a classmate's
        earlier hashed id was taken for a SID the roster had moved)."""
        entries = [labels for group in self._ledger().values() for labels in group
                   if folder_name(labels.get("student"))]
        return ({labels["student"]: labels["identity"] for labels in entries if isinstance(labels.get("identity"), str)},
                {labels["student"] for labels in entries if labels.get("roster") == labels["student"]})

    def record(self, rows: list[dict[str, Any]], graded: set[str], *, others: bool) -> None:
        """Note the rows of ``graded`` this complete run wrote; the other exercises' entries stay when ``others``."""
        ledger = {slug: entries for slug, entries in self._ledger().items() if others and slug not in graded}
        for row in rows:
            if row.get("exercise") in graded:
                ledger.setdefault(row["exercise"], []).append({name: row.get(name) for name in ("key", *LABELS)})
        path = real_folder(self.out, self.folder) / LEDGER
        atomic_write(path, json.dumps(ledger))  # (escaped: a raw nbgrader id keeps its lone surrogates, red team 75)

    def _ledger(self) -> dict[str, list[dict[str, Any]]]:
        path = self.folder / LEDGER
        try:
            ledger = json.loads(path.read_text(encoding="utf-8")) if no_link_below(self.out, path) else {}
        except (OSError, ValueError):
            return {}
        if not isinstance(ledger, dict):
            return {}
        return {str(slug): [entry for entry in entries if isinstance(entry, dict)]
                for slug, entries in ledger.items() if isinstance(entries, list)}
