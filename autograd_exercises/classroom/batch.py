"""``grade class``: find, grade (in parallel, resuming), write, summarise. No printing but the progress.

:func:`run` is the whole command without click. The instructor's process never imports torch: it
finds the submissions (:mod:`.layouts`), looks each one up in the cache (:mod:`.cache`), sends the
rest to an :class:`~.executor.Executor` as :class:`~.task.Task` objects (this machine's
:class:`~.executor.LocalPool`, or :class:`~.dask_executor.DaskExecutor` with ``--scheduler``), and writes
each row the moment it comes back, once per task (:mod:`.outputs`, and :mod:`.gradebook` with ``--gradebook``).

**Seeds.** Each student gets their own inputs: seed = a digest of (class seed, student id), so
one student's printed numbers are no use to another, and the same student gets the same inputs in
every exercise run of this class. The class seed is ``--seed``, else the one recorded in the output
folder by an earlier run (so a rerun resumes), else a fresh one; both are in ``grades.csv``.
With ``--gradebook`` every notebook is graded with the seed ``nbgrader autograde`` gives it
(:mod:`.course_seed`: ``AUTOGRAD_SEED``, else the student's own from the course's secret beside the
gradebook), so both give the same points.

**Interrupted.** Ctrl-C (or SIGTERM) stops the batch: every row finished so far is in the cache
and in the files, ``grades.csv`` is rewritten with them, and running the same command again grades
only the rest. A kill keeps every finished row in the cache and in ``results/``/``feedback/``;
``grades.csv`` then holds the rows of its last rewrite (every few seconds) and ``class.junit.xml``
those of the previous run, until the next run writes both.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import random
import signal
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, TextIO

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

from rich.cells import cell_len, set_cell_size  # terminal columns: a CJK character takes two

from autograd_exercises import catalog
from autograd_exercises.budget import DEFAULT_CELL_TIMEOUT
from autograd_exercises.classroom import cache as cache_mod
from autograd_exercises.classroom import course_seed, layouts, outputs
from autograd_exercises.classroom.executor import Executor, ExecutorError, LocalPool, cores
from autograd_exercises.classroom.progress import Progress
from autograd_exercises.classroom.task import AGAIN, COULD_NOT_GRADE, GRADED, STILL, Task, sha256
from autograd_exercises.reports import plots
from autograd_exercises.sandbox import DEFAULT_TIMEOUT

REWRITE_EVERY = 2.0  # seconds between rewrites of grades.csv while grading (at least)
EXIT_ALL_GRADED, EXIT_SOME_NOT_GRADED, EXIT_INTERRUPTED = 0, 1, 130
LOCK = ".lock"  # in the output folder: held while a run writes there (_only_writer)
MAX_LISTED = 20  # entries of each list the summary prints; not-graded.txt holds them all


class BatchError(Exception):
    """The batch cannot run (no submissions, no gradebook, a partial sandbox as root): one line."""


@dataclass
class Options:
    exercise: str | None  # a slug, or None: every exercise found
    submissions: Path
    out: Path = Path("grades")
    workers: int | None = None  # default: the number of cores
    scheduler: str | None = None  # a dask cluster instead of local workers: "local:N" or "tcp://host:8786"
    seed: int | None = None  # the class seed
    timeout: float | None = None  # seconds per check: with --gradebook, the course's config's; else 5
    regrade: bool = False
    gradebook: Path | None = None
    unsafe_root: bool = False
    one_child: bool = True
    report: bool = True  # write report.html (names hidden) at the end


@dataclass
class Summary:
    """What happened, for the command to print and pick its exit status from."""

    plan: layouts.Plan
    out: Path
    rows: list[dict[str, Any]] = field(default_factory=list)
    kept: list[dict[str, Any]] = field(default_factory=list)  # other exercises' rows from earlier runs (cache.kept)
    graded_now: int = 0
    from_cache: int = 0
    class_seed: int | None = None
    notebook_seed: int | None = None
    times: tuple[float, float] = (DEFAULT_TIMEOUT, DEFAULT_CELL_TIMEOUT)  # seconds per check, per notebook cell
    course_times: bool = False  # the course's nbgrader config set them
    interrupted: bool = False
    left_out: list[layouts.LeftOut] = field(default_factory=list)  # zip entries not extracted
    source: str = ""  # the zip's name, when SUBMISSIONS was one
    gradebook: str = ""
    gradebook_failed: list[tuple[str, str]] = field(default_factory=list)  # (student exercise, why)
    seconds: float = 0.0
    report: Path | None = None  # report.html, once written
    report_failed: str = ""  # why it could not be written
    not_graded_file: Path | None = None  # not-graded.txt: every file not graded, when there is one

    @property
    def class_rows(self) -> list[dict[str, Any]]:
        """What the class files hold: this run's rows and those kept from earlier runs."""
        return self.rows + self.kept

    @property
    def not_graded(self) -> list[dict[str, Any]]:
        return [row for row in self.rows if row["status"] != GRADED]

    @property
    def exit_code(self) -> int:
        if self.interrupted:
            return EXIT_INTERRUPTED
        failed = self.not_graded or self.plan.skipped or self.gradebook_failed or self.left_out_submissions
        return EXIT_SOME_NOT_GRADED if failed else EXIT_ALL_GRADED

    @property
    def left_out_submissions(self) -> list[str]:
        """The zip's entries left out that would have been submissions (a .py or .ipynb)."""
        return [entry for entry in self.left_out if entry.name.lower().endswith(tuple(layouts.SUFFIXES))]

    def not_graded_sections(self) -> list[tuple[str, list[str]]]:
        """What was not graded and why, beyond ``grades.csv``'s rows: (heading with ``{n}`` for the count, lines),
        in full."""
        return [("skipped ({n}), not graded", [f"{item.shown}: {item.reason}"
                                                                   for item in self.plan.skipped]),
                ("not written to the gradebook ({n})", [f"{who}: {why}" for who, why in self.gradebook_failed]),
                ("for other exercises, not graded in this run ({n})", list(self.plan.other_exercise)),
                ("ignored, not .py or .ipynb ({n})", list(self.plan.ignored)),
                ("ignored, test files, never the submission ({n})", list(self.plan.tests)),
                ("left out of the zip ({n})", [str(entry) for entry in self.left_out])]

    def _listed(self, lines: list[str]) -> list[str]:
        """The first :data:`MAX_LISTED` of ``lines``, indented, then how many more and where they all are."""
        shown = [f"  {line}" for line in lines[:MAX_LISTED]]
        if len(lines) > MAX_LISTED:
            where = f": every one in {self.not_graded_file}" if self.not_graded_file else ""
            shown.append(f"  … and {len(lines) - MAX_LISTED} more{where}")
        return shown

    def mistakes(self, *, width: int = 100, color: bool = False) -> str:
        """The most common mistakes of the class, a rich table ("" when nobody made one)."""
        from autograd_exercises.reports import class_report

        return class_report.terminal(self.rows, width=width, color=color)

    def lines(self) -> list[str]:
        """The summary: each file and its student id, what could not be graded and why, totals, the files."""
        body, files = self.parts()
        return body + files

    def parts(self) -> tuple[list[str], list[str]]:
        """:meth:`lines` in two: what was graded (files, ids, what could not be graded, totals), and where the
        output files are (the command line prints the table of common mistakes between them)."""
        order = [info.slug for info in catalog.exercises()]
        where = f" (from {self.source})" if self.source else ""
        body = [f"layout: {self.plan.layout}{where}"] + self._row_lines(order) + self._not_graded_lines() + \
            self._total_lines(order)
        shown = layouts.printable  # (an nbgrader id is as the student's folder named it)
        return [shown(line) for line in body], [shown(line) for line in self._file_lines(order)]

    def _row_lines(self, order: list[str]) -> list[str]:
        """Each file and its student id, then each that could not be graded, with why."""
        rows = sorted(self.rows, key=lambda r: (r["student"], order.index(r["exercise"]) if r["exercise"] in order else 0))
        width = max([cell_len(row["student"]) for row in rows] + [7])
        lines = []
        for row in rows:
            score = f"{row['score']:g}/{row['max_score']:g}" if row["status"] == GRADED else "not graded"
            lines.append(f"  {set_cell_size(row['student'], width)}  {row['exercise']:<11} {score:>10}  {row['file']}")
        failed = sorted(self.not_graded, key=lambda r: (r["student"], r["exercise"]))  # (not in the order rows came)
        if failed:
            lines.append(f"could not grade ({len(failed)}), scored zero:")
            lines += [f"  {set_cell_size(row['student'], width)}  {row['exercise']:<11} {row['reason']}" for row in failed]
        return lines

    def _not_graded_lines(self) -> list[str]:
        """What was skipped or not written to the gradebook, each with its reason; what was left aside, counted."""
        lines = []
        for heading, listed in self.not_graded_sections()[:2]:  # skipped, not written to the gradebook
            if listed:
                lines.append(heading.format(n=len(listed)) + ":")
                lines += self._listed(listed)
        for label, names in (("for other exercises, not graded in this run", self.plan.other_exercise),
                             ("ignored (not .py or .ipynb)", self.plan.ignored),
                             ("ignored (test files, never the submission)", self.plan.tests),
                             ("left out of the zip", self.left_out)):
            if names:
                shown = ", ".join(names[:5]) + (f", … ({len(names) - 5} more)" if len(names) > 5 else "")
                lines.append(f"{label}: {len(names)} ({shown})")
        return lines

    def _total_lines(self, order: list[str]) -> list[str]:
        """The counts, each exercise's mean, and where the seeds came from."""
        graded = [row for row in self.rows if row["status"] == GRADED]
        full = sum(1 for row in graded if row["score"] >= row["max_score"])
        lines = [f"{_count(len(self.rows), 'submission')} in {self.seconds:.1f} s ({self.graded_now} graded now, "
                 f"{self.from_cache} from the cache): graded {len(graded)}, full marks {full}, "
                 f"could not grade {len(self.not_graded)}, skipped {len(self.plan.skipped)}"]
        for slug in order:
            mine = [row for row in graded if row["exercise"] == slug]
            if mine:  # (a could-not-grade zero says nothing of the class's work: left out, and said so)
                mean = sum(row["score"] for row in mine) / len(mine)
                left = sum(1 for row in self.not_graded if row["exercise"] == slug)
                lines.append(f"  {slug}: mean {mean:.2f}/{mine[0]['max_score']:g} over {_count(len(mine), 'student')}"
                             + (f" graded ({left} not graded, left out)" if left else ""))
        if self.notebook_seed is not None:
            lines.append(f"seed: {self.notebook_seed} for every notebook, as nbgrader autograde (AUTOGRAD_SEED)")
        elif self.gradebook:
            lines.append(f"seeds: one per student, from the course's secret in "
                         f"{course_seed.secret_path(Path(self.gradebook))}, as nbgrader autograde")
        elif self.class_seed is not None:
            lines.append(f"seeds: one per student, from class seed {self.class_seed} (--seed {self.class_seed} "
                         "repeats this run)")
        if self.course_times:
            lines.append(f"time: {self.times[0]:g} s per check, {self.times[1]:g} s per notebook cell, as nbgrader "
                         "autograde grades with this course's config")
        return lines

    def _file_lines(self, order: list[str]) -> list[str]:
        """The files written, the rows kept from earlier runs, and what did not finish."""
        files = [self.out / outputs.CSV, self.out / outputs.RESULTS, self.out / outputs.FEEDBACK, self.out / outputs.JUNIT]
        files += [self.report] if self.report is not None else []
        lines = ["written: " + ", ".join(f"{path}/" if path.suffix == "" else str(path) for path in files)
                 + (f", {self.gradebook}" if self.gradebook else "")]
        kept = [slug for slug in order if any(row["exercise"] == slug for row in self.kept)]
        if kept:
            lines.append(f"kept from earlier runs in grades.csv: {', '.join(kept)} ({_count(len(self.kept), 'row')}; "
                         "grade class all, or another --out, starts afresh)")
        if self.not_graded_file:
            lines.append(f"files skipped, ignored or left out, each and why: {self.not_graded_file} (a could-not-grade "
                         "row says why in grades.csv)")
        if self.report_failed:
            lines.append(f"report.html not written: {self.report_failed}")
        if self.interrupted:
            lines.append(f"interrupted: {len(self.rows)} of {len(self.plan.found)} submissions done; "
                         "run the same command again to grade the rest")
        return lines


def _count(number: int, noun: str) -> str:
    """``1 student``, ``2 students``."""
    return f"{number} {noun}{'' if number == 1 else 's'}"


def student_seed(class_seed: int, student: str, exercise: str, fingerprint: str) -> int:
    """The seed of ``student``'s inputs for ``exercise`` in a class: a digest of (class seed, student id, exercise,
    the submission's sha256 ``fingerprint``), 0 … 10⁹.

    Another student's seed is of no use to this one, and neither is this student's own seed of an earlier file or
    another exercise (each student's feedback prints it, and the class seed stays in the output folder): a file
    whose answers were computed for known inputs (a table of them) changes its own fingerprint, so its inputs, and
    the same file graded again gets the same inputs (the cache, ``--seed``).
    """
    text = f"{class_seed}:{student}:{exercise}:{fingerprint}"
    digest = hashlib.sha256(text.encode("utf-8", "surrogateescape")).digest()  # a name's own bytes
    return int.from_bytes(digest[:8], "big") % 1_000_000_000


@dataclass
class _Job:
    """A submission on its way: what is graded, where the row goes."""

    found: layouts.Found
    task: Task
    gradebook: str = ""  # "cells" (an nbgrader notebook), "checks" (a .py), "" (none)


def _label(row: dict[str, Any], job: _Job, class_seed: int | None, version: str) -> dict[str, Any]:
    """The row as this student's (a cached or shared row may have been graded for another, same file)."""
    row = dict(row)
    found = job.found
    row.update(student=found.student, exercise=found.exercise, file=found.shown, class_seed=class_seed,
               grader_version=version, identity=layouts.identity(found), roster=found.roster)
    if found.note:
        row["note"] = "; ".join(part for part in (row.get("note"), found.note) if part)
    if row["status"] != GRADED and found.problem:
        row["reason"] = found.problem
    return row


def _read(found: layouts.Found) -> tuple[bytes, str]:
    """The file's bytes, and why it cannot be graded ("" when it can)."""
    if found.problem or found.path is None:
        return b"", found.problem or "no file"
    from autograd_exercises.submission import CLEAR_OUTPUTS, SubmissionError, read_plain_file

    try:  # never through a link, nor a FIFO, that replaced the file since it was found
        data, size = read_plain_file(found.path, layouts.ZIP_MAX_FILE)
        if size > layouts.ZIP_MAX_FILE:
            notebook = f"; {CLEAR_OUTPUTS}" if found.kind == "ipynb" else ""
            return b"", f"{found.shown} is over {layouts.ZIP_MAX_FILE // 2**20} MiB: a submission may be at most that" \
                        f"{notebook}"
        return data, ""
    except SubmissionError as exc:
        text = str(exc).replace(str(found.path), found.shown)
        return b"", (f"cannot read {found.shown}: No such file or directory" if text.startswith("no such file") else text)
    except OSError as exc:
        return b"", f"cannot read {found.shown}: {exc.strerror or exc}"


def gradebook_identity(notebook: bytes) -> bytes:
    from autograd_exercises.classroom.gradebook import identity

    return identity(notebook)


def _times(options: Options, book: Any) -> tuple[tuple[float, float], bool]:
    """(seconds per check, seconds per notebook cell), and whether the course's config set one: ``--timeout`` where
    given; with ``--gradebook``, what the course's nbgrader config sets, as ``nbgrader autograde`` grades by it
    (walkthrough 62: a course's 1 s per check gave 6/10 there and 7/10 here, written over it in the gradebook); else
    the grader's defaults."""
    check, cell = book.times if book is not None else (None, None)
    course = book is not None and (check is not None and options.timeout is None or cell is not None)
    return ((options.timeout if options.timeout is not None else check or DEFAULT_TIMEOUT),
            cell or DEFAULT_CELL_TIMEOUT), course


def _jobs(plan: layouts.Plan, options: Options, book: Any, class_seed: int | None, seed: int | None,
          version: str, refused: list[tuple[str, str]], times: tuple[float, float]) -> list[_Job]:
    jobs = []
    for found in plan.found:
        data, problem = _read(found)
        mode, graded = "", data
        if book is not None and not problem:
            if found.kind == "ipynb":
                assignment, notebook = found.nbgrader or (found.exercise, found.exercise)
                try:
                    graded = book.prepare(found.student, assignment, notebook, data)
                    mode = "cells"
                except Exception as exc:  # SubmissionRefused, or the gradebook failing on it
                    problem = str(exc) or type(exc).__name__  # (a MemoryError says nothing else)
                    refused.append((f"{found.student} {found.exercise}", problem))
                    with contextlib.suppress(Exception):  # as nbgrader lists a notebook it cannot read (unknown
                        book.register(found.student, assignment, _folder(found))  # assignment: nothing to list)
            else:
                mode = "checks"
        filename = layouts.printable(found.path.name) if found.path is not None else found.shown.rstrip("/")
        fingerprint = sha256(gradebook_identity(graded) if mode == "cells" else graded)
        task_seed = seed if seed is not None else book.seed(found.student, found.exercise, graded, mode) \
            if book is not None else student_seed(class_seed or 0, found.student, found.exercise, fingerprint)
        key = cache_mod.key(fingerprint, found.exercise, version, task_seed, times=times,
                            mode=mode or "file", filename=filename if not problem else f"{filename}:{problem}")
        task = Task(found.student, found.exercise, filename, graded, task_seed, times[0], found.kind,
                    problem=problem, notebook_cells=mode == "cells", one_child=options.one_child, key=key,
                    cell_timeout=times[1])
        jobs.append(_Job(found, task, mode))
    return jobs


def _folder(found: layouts.Found) -> Path | None:
    """The folder of an nbgrader submission (its ``timestamp.txt``), else None."""
    return found.path.parent if found.nbgrader and found.path is not None else None


def _record(book: Any, job: _Job, row: dict[str, Any], failed: list[tuple[str, str]]) -> None:
    """Write a row into the gradebook (a failure there is listed, never stops the batch)."""
    if book is None or not job.gradebook or row["status"] != GRADED:
        return
    found = job.found
    assignment, notebook = found.nbgrader or (found.exercise, found.exercise)
    try:
        if job.gradebook == "cells":
            book.record(row, found.student, assignment, notebook, job.task.data, _folder(found))
        else:
            book.record_checks(row, found.student, found.exercise)
    except Exception as exc:
        failed.append((f"{found.student} {found.exercise}", f"{type(exc).__name__}: {exc}"))


def run(options: Options, *, executor: Executor | None = None, stream: TextIO | None = None,
        terminal: bool | None = None, on_row: Callable[[dict[str, Any]], None] | None = None) -> Summary:
    """Grade the class; returns the summary. Raises :class:`BatchError` when it cannot run at all."""
    started = time.monotonic()
    _outside(options.out, options.submissions)
    try:
        with layouts.opened(options.submissions) as (root, left_out), contextlib.ExitStack() as held:
            earlier, sids = cache_mod.Cache(options.out).earlier()
            plan = layouts.discover(root, options.exercise, shown=options.submissions, earlier=earlier,
                                    earlier_sids=sids)
            held.enter_context(_only_writer(options.out))
            summary = Summary(plan, options.out, left_out=left_out,
                              source=options.submissions.name if options.submissions.is_file() else "")
            _grade(plan, options, summary, executor, stream, terminal, on_row)
            with contextlib.suppress(OSError):  # (the summary still lists the first of each)
                summary.not_graded_file = outputs.write_not_graded(options.out, summary.not_graded_sections())
            if options.report:
                _write_report(options, summary)
    except (layouts.LayoutError, LookupError, outputs.OutputError) as exc:  # a KeyError's str() quotes its message
        raise BatchError(str(exc.args[0]) if isinstance(exc, LookupError) and exc.args else str(exc)) from None
    summary.seconds = time.monotonic() - started
    return summary


def _write_report(options: Options, summary: Summary) -> None:
    """``report.html`` (names hidden) for the rows so far; a failure is said, never stops the batch."""
    from autograd_exercises.classroom import report

    try:
        summary.report = report.write(options.out, summary.class_rows, source=f"grade class ({options.out})")
    except Exception as exc:  # the report is a reading aid: the grades are written whatever happens here
        summary.report_failed = f"{type(exc).__name__}: {exc}"


def _outside(out: Path, submissions: Path) -> None:
    """Refuse an output folder where a student's entry may be: the folder whose entries are students (SUBMISSIONS,
    or its ``submitted/`` in an nbgrader course), or inside it. A student's folder of that name would be taken for
    the grades: left out of the grading, its links followed and its cache trusted (red teams 31 and 33: a folder named
    submitted in a class is no course)."""
    if submissions.is_file():  # a zip: extracted into a folder of its own
        return
    try:
        where, given = out.resolve(), submissions.resolve()
    except (OSError, RuntimeError) as exc:  # a link loop (red team 50)
        raise BatchError(f"cannot follow --out {out} or {submissions}: {getattr(exc, 'strerror', None) or exc}") \
            from None
    if where == given:
        raise BatchError(f"--out {out} is the submissions folder itself: write the grades elsewhere (by default "
                         "./grades/)")
    students = submissions / "submitted" if layouts.nbgrader_course(submissions) else submissions
    if where.is_relative_to(students.resolve()):
        raise BatchError(f"--out {out} is inside the submissions folder {students}: a student's folder of that name "
                         "would be taken for the grades; write them outside it (--out ../grades)")


@contextlib.contextmanager
def _only_writer(out: Path) -> Iterator[None]:
    """Make the output folder and hold its lock (``.lock``, advisory, dropped with the process however it ends) while
    the run writes: a second ``grade class`` into the same folder stops with a one-line error rather than mix its
    rows, results and cache with this one's."""
    _output_folder(out)
    fd = _lock(out) if fcntl is not None else None  # (Windows: no advisory locks here)
    try:
        outputs.remove_leftovers(out)  # (only now: a running one's temporary files are its own)
        yield
    finally:
        if fd is not None:
            os.close(fd)


def _lock(out: Path) -> int:
    """``out``'s lock file, open and locked (:class:`BatchError` when another run holds it)."""
    try:
        fd = os.open(out / LOCK, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    except OSError as exc:  # (a link planted there: never followed)
        raise BatchError(f"cannot lock the output folder {out}: {exc.strerror or exc}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        raise BatchError(f"another grade class is writing into {out} now: wait for it to end, or give "
                         "another --out") from None
    return fd


def _output_folder(out: Path) -> None:
    """Make the output folder (a one-line error if it cannot be made or written)."""
    try:
        if out.exists() and not out.is_dir():
            raise BatchError(f"cannot make the output folder {out}: a file of that name is there")
        out.mkdir(parents=True, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=out, prefix=".grade-class-", suffix=".probe")  # can we write there?
        probe.close()
    except OSError as exc:  # not writable (red team 50: an existing read-only folder, /proc/self), a link loop
        raise BatchError(f"cannot write into the output folder {out}: {exc.strerror or exc}") from None


def _seeds(options: Options, summary: Summary, cache: cache_mod.Cache) -> tuple[Any, int | None, int | None]:
    """(the gradebook, the class seed, the one seed): with ``--gradebook``, ``AUTOGRAD_SEED`` for every submission
    where it is set, else each student's own from the course's secret (:meth:`Gradebook.seed`); otherwise each
    student's seed derives from the class seed (kept in the cache, so a rerun repeats it)."""
    from autograd_exercises.classroom.gradebook import Gradebook, GradebookError

    if options.gradebook is None:
        summary.class_seed = cache.class_seed(options.seed, random.randrange(1, 1_000_000))
        return None, summary.class_seed, None
    from autograd_exercises.notebook import notebook_seed

    try:
        book = Gradebook(options.gradebook)
    except GradebookError as exc:
        raise BatchError(str(exc)) from None
    summary.gradebook = str(options.gradebook)
    try:
        summary.notebook_seed = notebook_seed() if os.environ.get("AUTOGRAD_SEED", "").strip() else None
        _ = book.secret  # (made now, once, and read: a file that is no secret stops the run here)
    except ValueError as exc:  # AUTOGRAD_SEED that is not a seed (red team 50), a secret that is none
        raise BatchError(str(exc)) from None
    return book, None, summary.notebook_seed


def _from_cache(by_key: dict[str, list[_Job]], options: Options, summary: Summary, cache: cache_mod.Cache,
                book: Any, class_seed: int | None, version: str) -> list[Task]:
    """Write the rows the cache already holds (unless ``--regrade``); the tasks still to grade, one per key, and those
    whose row says the grader itself failed on them (:data:`task.AGAIN`)."""
    pending: list[Task] = []
    for key, group in by_key.items():
        cached = None if options.regrade else cache.get(key)
        if cached is None or cached.get(AGAIN) is True:  # (the grader's own failure: graded again)
            pending.append(group[0].task)
            continue
        for job in group:
            row = _label(cached, job, class_seed, version)
            outputs.write_row_files(options.out, row)
            _record(book, job, row, summary.gradebook_failed)
            summary.rows.append(row)
            summary.from_cache += 1
    return pending


def _grade(plan: layouts.Plan, options: Options, summary: Summary, executor: Executor | None,
           stream: TextIO | None, terminal: bool | None, on_row: Callable[[dict[str, Any]], None] | None) -> None:
    """Grade what the cache does not hold, on ``executor`` (else a pool of its own), writing each row as it comes;
    then the class files. Ctrl-C or SIGTERM ends it early, every finished row kept."""
    out = options.out
    cache = cache_mod.Cache(out)
    book, class_seed, seed = _seeds(options, summary, cache)
    summary.times, summary.course_times = _times(options, book)
    version = cache_mod.grader_version()
    order = [info.slug for info in catalog.exercises()]
    by_key: dict[str, list[_Job]] = {}
    for job in _jobs(plan, options, book, class_seed, seed, version, summary.gradebook_failed, summary.times):
        by_key.setdefault(job.task.key, []).append(job)
    pending = _from_cache(by_key, options, summary, cache, book, class_seed, version)
    summary.kept = cache.kept({options.exercise}) if options.exercise else []  # (grade class all: this run's only)
    previous = signal.getsignal(signal.SIGTERM)
    try:
        signal.signal(signal.SIGTERM, _interrupt)
    except ValueError:  # not the main thread (tests)
        previous = None
    stopped = True  # (by an error: then no class files that say nothing was graded, walkthrough 62)
    try:
        if pending:
            pool = executor or _executor(options, len(pending))
            try:
                _run_pool(pool, pending, by_key, options, summary, cache, book, class_seed, version, order,
                          stream, terminal, on_row)
            finally:
                if executor is None:  # one given by the caller is the caller's to close
                    pool.close()
        stopped = False
    except KeyboardInterrupt:
        summary.interrupted, stopped = True, False
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        if summary.class_rows or not stopped:  # (an empty JUnit file reads as a green class to CI)
            outputs.write_class_files(out, summary.class_rows, order)
    if not summary.interrupted:
        graded = {found.exercise for found in plan.found} | ({options.exercise} if options.exercise else set())
        outputs.remove_stale(out, summary.rows, graded)
        cache.record(summary.rows, graded, others=bool(options.exercise))


def _executor(options: Options, pending: int) -> Executor:
    if options.scheduler:
        from autograd_exercises.classroom.dask_executor import DaskExecutor, SchedulerSpecError

        try:
            return DaskExecutor(options.scheduler)
        except SchedulerSpecError as exc:
            raise BatchError(str(exc)) from None
    return LocalPool(min(options.workers or cores(), pending))  # no idle workers


def _require_full_sandbox(info: dict[str, Any]) -> None:
    """As root, refuse a partial sandbox: this process's root, or the graders' where they say (a cluster's)."""
    from autograd_exercises import session

    layers = info.get("layers", [])
    try:
        session.require_full_sandbox(layers, root=True if info.get("root") else None,
                                     where=" on every worker" if info.get("root") else "")
    except session.GradingError as exc:
        raise BatchError(f"{exc}{session.UNSAFE_ROOT}") from None


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def _run_pool(pool: Executor, pending: list[Task], by_key: dict[str, list[_Job]], options: Options,
              summary: Summary, cache: cache_mod.Cache, book: Any, class_seed: int | None, version: str,
              order: list[str], stream: TextIO | None, terminal: bool | None,
              on_row: Callable[[dict[str, Any]], None] | None) -> None:
    if options.report:  # matplotlib's import (0.4 s) overlaps the grading, once the workers are starting
        threading.Thread(target=plots.preload, name="report-preload", daemon=True).start()
    try:
        info = pool.start()
    except ExecutorError as exc:
        raise BatchError(str(exc)) from None
    if not options.unsafe_root:
        _require_full_sandbox(info)
    total = sum(len(by_key[task.key]) for task in pending)
    last, every = time.monotonic(), REWRITE_EVERY
    written: set[str] = set()
    with Progress(total, cached=summary.from_cache, stream=stream, terminal=terminal) as progress:
        try:
            for row in pool.run(pending):
                if row.get("status") == STILL:
                    progress.still(row.get("running") or [])
                    continue
                key = row.get("key")
                if row.get("status") not in (GRADED, COULD_NOT_GRADE) or key not in by_key or key in written:
                    continue  # once per task, whatever an executor sends twice
                written.add(key)
                cache.put(row)
                for job in by_key[key]:
                    mine = _label(row, job, class_seed, version)
                    outputs.write_row_files(out=options.out, row=mine)
                    _record(book, job, mine, summary.gradebook_failed)
                    summary.rows.append(mine)
                    summary.graded_now += 1
                    progress.advance(mine)
                    if on_row is not None:
                        on_row(mine)
                if time.monotonic() - last > every:  # grades.csv as it stands (class.junit.xml at the end)
                    began = time.monotonic()
                    outputs.atomic_write(options.out / outputs.CSV, outputs.csv_text(summary.class_rows, order))
                    last = time.monotonic()
                    every = max(REWRITE_EVERY, 20 * (last - began))  # a big class: at most 5 % of the time
        except ExecutorError as exc:  # the executor cannot go on (a cluster lost): every row written stays
            raise BatchError(str(exc)) from None
