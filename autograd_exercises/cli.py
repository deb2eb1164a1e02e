"""The ``grade`` command: parse, call the core, print, pick the exit code.

Exit codes: 0 full marks, 1 graded below full marks, 2 usage error, 3 could not
grade (missing or unreadable file, no such exercise). Heavy imports (torch,
rich, the graders) happen only inside commands, after the sandbox server has
been started, so that its torch import overlaps ours.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import Any, Sequence

import click

from autograd_exercises import session
from autograd_exercises.platforms import no_workflow_commands
from autograd_exercises.printable import printable

EXIT_FULL, EXIT_PARTIAL, EXIT_USAGE, EXIT_CANNOT_GRADE = 0, 1, 2, 3
FORMATS = ("text", "json", "junit", "prairielearn")
TIMEOUT_HELP = "Seconds each check may run (the checks that share one call of a function share its time)."


class CannotGrade(click.ClickException):
    """A one-line ``Error: …`` and exit status 3. It may name the student's file or quote a line of it: a character
    that could act on the terminal is written as its escape (red team 158)."""

    exit_code = EXIT_CANNOT_GRADE

    def __init__(self, message: str) -> None:
        super().__init__(printable(message))


class Seconds(click.FloatRange):
    """A time limit in seconds, 0.1 to 600: ``nan`` fails no comparison, so FloatRange alone let it through (red
    team 50: ``--timeout nan`` failed every check with a ValueError)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        seconds = super().convert(value, param, ctx)
        if seconds != seconds:
            self.fail(f"{value!r} is not a number of seconds.", param, ctx)
        return seconds


SECONDS = Seconds(0.1, 600)


def grading_options(function: Any) -> Any:
    """Options shared by ``grade exercise-N`` and ``grade all``."""
    options = [
        click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
                     help="text for people; json is Gradescope's results.json; junit for CI; prairielearn for its external grader."),
        click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), default=None,
                     help="Write the report to this file instead of standard output."),
        click.option("--seed", type=click.IntRange(min=0), default=None,
                     help="Seed of the random inputs, 0 or more (default: a fresh one, shown)."),
        click.option("--timeout", type=SECONDS, default=session.DEFAULT_TIMEOUT,
                     show_default=True, help=TIMEOUT_HELP),
        click.option("--verbose", "-v", is_flag=True, help="Show your code's output, timing and isolation layers."),
        click.option("--color/--no-color", default=None, help="Colour the text report (default: when a terminal)."),
        click.option("--remember/--no-remember", default=True, show_default=True,
                     help="Keep the score for 'grade list' (only for your own exercise files in this folder)."),
        click.option("--unsafe-root", is_flag=True,
                     help="As root, grade for an autograder (json/junit) even without every sandbox layer."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def terminal_width() -> int:
    """The terminal's width: ``COLUMNS`` if set, else the size of whichever standard stream is a terminal, else 80."""
    from rich.console import Console

    return max(40, Console().width)


def here() -> Path:
    """The current folder: :class:`CannotGrade` when it is gone (deleted while a shell was in it: red team 50)."""
    try:
        return Path.cwd()
    except OSError as exc:
        raise CannotGrade(f"the current folder cannot be read ({exc.strerror or exc}): cd into a folder first") \
            from None


def not_a_submission(output: str | None, targets: Sequence[Any]) -> None:
    """A usage error when ``-o`` names a file being graded: the report would overwrite the student's work
    (red team 50: ``grade exercise-2 -o exercise_2.py`` replaced the file with its own report)."""
    if output is None:
        return
    graded = {_resolved(target.path) for target in targets if target.path is not None}
    if _resolved(Path(output)) in graded:
        raise click.UsageError(f"-o {output} is the file being graded: the report would overwrite it")


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a link loop: never a file being graded
        return path.absolute()


def refused(exc: Exception) -> str:
    """A grading error's line; for root without the full sandbox, with the option this command has."""
    from autograd_exercises import session

    return f"{exc}{session.UNSAFE_ROOT}" if isinstance(exc, session.SandboxMissing) else str(exc)


def emit(results: Sequence[Any], *, fmt: str, output: str | None, verbose: bool, color: bool | None,
         not_started: Sequence[Any] = ()) -> None:
    """Render the results and send them to stdout or ``output``."""
    from autograd_exercises.reports import FORMATS as RENDERERS

    use_color = color if color is not None else (output is None and sys.stdout.isatty())
    options: dict[str, Any] = {"not_started": not_started}
    if fmt == "text":
        options.update(verbose=verbose, color=use_color, width=terminal_width())
    report = RENDERERS[fmt](results, **options)
    if output is None:
        click.echo(report, nl=False)
        return
    try:
        Path(output).write_text(report, encoding="utf-8")
    except OSError as exc:
        raise CannotGrade(f"cannot write {output}: {exc.strerror or exc}") from None
    total, best = sum(r.score for r in results), sum(r.max_score for r in results)
    click.echo(f"{total:g}/{best:g} points; {fmt} report written to {output}")


def finish(results: Sequence[Any]) -> None:
    """Exit 0 when every exercise has full marks, else 1."""
    sys.exit(EXIT_FULL if all(result.full_marks for result in results) else EXIT_PARTIAL)


class ExerciseGroup(click.Group):
    """``grade exercise-2 …``: any name that is not a subcommand is an exercise to grade."""

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        command = super().get_command(ctx, name)
        if command is not None or not session.looks_like_exercise(name):
            return command
        return make_exercise_command(name)

    def resolve_command(self, ctx: click.Context, args: list[str]) -> Any:
        name, command, rest = super().resolve_command(ctx, args)
        return (command.name if command else name), command, rest


def make_exercise_command(slug: str) -> click.Command:
    @click.command(name=slug, help=f"Grade {slug}: PATH is a .py file or a filled-in .ipynb "
                   "(default: your exercise file in this folder).")
    @click.argument("path", required=False)
    @click.option("--as", "kind", type=click.Choice(["py", "ipynb"]), default=None,
                  help="Read PATH as Python or as a notebook whatever its extension (only .py and .ipynb otherwise).")
    @grading_options
    def grade_one(path: str | None, kind: str | None, fmt: str, output: str | None, seed: int | None,
                  timeout: float, verbose: bool, color: bool | None, remember: bool, unsafe_root: bool) -> None:
        try:
            target = session.target(slug, path, kind=kind)
            not_a_submission(output, [target])
            results = session.grade([target], seed=seed, timeout=timeout, remember_scores=remember,
                                    strict=session.strict(fmt, unsafe_root=unsafe_root))
        except session.GradingError as exc:
            raise CannotGrade(refused(exc)) from None
        emit(results, fmt=fmt, output=output, verbose=verbose, color=color)
        finish(results)

    return grade_one


@click.group(cls=ExerciseGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="autograd-exercises")
def main() -> None:
    """Grade PyTorch autograd exercises, with feedback that says what is wrong and by how much.

    \b
    grade list                 the exercises and your status on each
    grade start exercise-2     copy the exercise into this folder
    grade exercise-2 [PATH]    grade it (default ./exercise_2.py or ./exercise-2.ipynb)
    grade all                  grade every exercise you started
    grade class EXERCISE DIR   instructors: grade a whole class (a folder or a .zip)
    grade report GRADES        instructors: the class report (report.html) of what grade class wrote
    grade build                instructors: stubs, nbgrader notebooks and releases from the sources
    grade package PLATFORM     instructors: Gradescope, GitHub Classroom, PrairieLearn, GitHub Actions
    """


@main.command("list")
@click.option("--mistakes", "mistakes_of", metavar="EXERCISE", default=None,
              help="Instructors: list the mistake codes EXERCISE's checks can report (as in grades.csv and the class report).")
def list_exercises(mistakes_of: str | None) -> None:
    """The exercises, their points, and your status on each (fast: no torch)."""
    if mistakes_of is not None:
        list_mistakes(mistakes_of)
        return
    for row in session.overview(here()):
        click.echo(f"{row['slug']:<12} {row['points']:>5g} pts  {row['title']:<46} {row['status']}")


def list_mistakes(slug: str) -> None:
    """The codes of the exercise's own mistakes, then those every exercise shares."""
    from autograd_exercises import mistakes

    try:
        exercise = session.find(slug)
    except session.GradingError as exc:
        raise CannotGrade(str(exc)) from None
    import graders

    import textwrap

    own = graders.find(exercise.slug).mistakes
    width = max([len(code) for code, _ in own] + [len(code) for code in mistakes.COMMON])
    columns = max(width + 40, terminal_width())

    def show(code: str, text: str) -> None:
        click.echo(textwrap.fill(" ".join(text.split()), columns, initial_indent=f"  {code:<{width}}  ",
                                 subsequent_indent=" " * (width + 4), break_on_hyphens=False))

    click.echo(f"{exercise.slug}: mistakes its checks name")
    for code, text in own:
        show(code, text)
    click.echo("every exercise: mistakes the shared judges and the grader name")
    for code, text in mistakes.COMMON.items():
        if code not in dict(own):
            show(code, text)


@main.command("start")
@click.argument("exercise")
def start(exercise: str) -> None:
    """Copy EXERCISE's stub (and notebook) into this folder; never overwrites your work."""
    try:
        copied, kept = session.start(exercise, here())
    except session.GradingError as exc:
        raise CannotGrade(str(exc)) from None
    for path in copied:
        click.echo(f"created {path}")
    for path in kept:
        click.echo(f"kept your existing {path} (not overwritten)")
    if copied:
        click.echo(f"Fill it in, then run:  grade {session.find(exercise).slug}")


@main.command("all")
@click.option("--dir", "folder", type=click.Path(), default=".", show_default=True,
              help="Folder holding your exercise files.")
@click.option("--everything", is_flag=True,
              help="Also grade the exercises not started, as zero (for autograders: every exercise counts).")
@grading_options
def grade_all(folder: str, everything: bool, fmt: str, output: str | None, seed: int | None, timeout: float,
              verbose: bool, color: bool | None, remember: bool, unsafe_root: bool) -> None:
    """Grade every exercise started in the folder; list the others as not started."""
    try:
        targets, not_started = session.plan_all(Path(folder), everything=everything)
        not_a_submission(output, targets)
        results = session.grade(targets, seed=seed, timeout=timeout, remember_scores=remember,
                                strict=session.strict(fmt, unsafe_root=unsafe_root))
    except session.GradingError as exc:
        raise CannotGrade(refused(exc)) from None
    emit(results, fmt=fmt, output=output, verbose=verbose, color=color, not_started=not_started)
    finish(results)


@main.command("class")
@click.argument("exercise")
@click.argument("submissions", type=click.Path(path_type=Path, readable=False))  # unreadable: exit 3, below
@click.option("--out", "out", type=click.Path(path_type=Path), default=Path("grades"),
              show_default=True, help="Folder for grades.csv, results/, feedback/, class.junit.xml and report.html.")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Grading processes, each with its own sandbox (default: the number of cores).")
@click.option("--scheduler", default=None, metavar="ADDRESS|local:N",
              help="Grade on a dask cluster (needs the cluster extra): a scheduler's address (tcp://host:8786), "
                   "or local:N for N worker processes here.")
@click.option("--seed", type=click.IntRange(min=0), default=None,
              help="Class seed; each student's inputs derive from it, their id, the exercise and their file "
                   "(default: the recorded one, else a fresh one).")
@click.option("--timeout", type=SECONDS, default=None,
              help=TIMEOUT_HELP + f"  [default: {session.DEFAULT_TIMEOUT:g}; with --gradebook, the course's "
                                  "GradeOutOfKernel.timeout where its nbgrader config sets one]")
@click.option("--regrade", is_flag=True, help="Grade everything again, ignoring the results of earlier runs.")
@click.option("--gradebook", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="nbgrader's gradebook.db: write every notebook's points per test cell, as nbgrader autograde does "
                   "(with nbgrader's seeds: not with --seed; set AUTOGRAD_SEED instead).")
@click.option("--unsafe-root", is_flag=True, help="As root, grade even without every sandbox layer.")
def grade_class(exercise: str, submissions: Path, out: Path, workers: int | None, scheduler: str | None,
                seed: int | None, timeout: float | None, regrade: bool, gradebook: Path | None,
                unsafe_root: bool) -> None:
    """Instructors: grade every submission of EXERCISE (or 'all') in SUBMISSIONS, a folder or a .zip.

    \b
    SUBMISSIONS: files (alice.py, carol_exercise_2.py), a folder per student (alice/exercise_2.py,
    GitHub Classroom's exercise-2-<login>/), nbgrader's submitted/ (or its course folder), or a .zip
    of any of those (Canvas, Moodle and Blackboard names, and Gradescope's export, are understood).
    Exit status: 0 every submission graded (whatever the scores), 1 some could not be graded (each
    listed), 2 a usage error, 3 nothing to grade or nowhere to write the grades, 130 interrupted
    (Ctrl-C: every finished row is kept; the same command goes on).
    """
    from autograd_exercises.classroom import batch

    if gradebook is not None and seed is not None:
        raise click.UsageError("--gradebook grades with the seeds nbgrader autograde gives (AUTOGRAD_SEED, else "
                               "each student's own from the course's secret): set AUTOGRAD_SEED instead of --seed")
    if scheduler is not None:
        from autograd_exercises.classroom import dask_executor

        if workers is not None:
            raise click.UsageError("--workers is for this machine's pool; with --scheduler the cluster has the "
                                   "workers (local:N for N of them here)")
        try:
            dask_executor.parse(scheduler)
        except dask_executor.SchedulerSpecError as exc:
            raise click.BadParameter(str(exc), param_hint="'--scheduler'") from None
    try:
        slug = None if exercise.strip().lower() == "all" else session.find(exercise).slug
        with no_workflow_commands():
            summary = batch.run(batch.Options(slug, submissions, out=out, workers=workers, scheduler=scheduler,
                                              seed=seed, timeout=timeout, regrade=regrade, gradebook=gradebook,
                                              unsafe_root=unsafe_root))
            _print_summary(summary)
    except (session.GradingError, batch.BatchError) as exc:
        raise CannotGrade(str(exc)) from None
    sys.exit(summary.exit_code)


def _print_summary(summary: Any) -> None:
    """The batch's summary lines, with the table of the most common mistakes before where the files are."""
    table = summary.mistakes(width=terminal_width(), color=sys.stdout.isatty())
    body, files = summary.parts()
    for line in body:
        click.echo(line)
    if table:
        click.echo(table, nl=False)
    for line in files:
        click.echo(line)


@main.command("report")
@click.argument("grades", type=click.Path(file_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["html", "csv"]), default="html", show_default=True,
              help="html: report.html, the class report; csv: mistakes.csv (exercise, check, code, count, students).")
@click.option("--names", is_flag=True,
              help="Show student ids and file names in report.html (without, the page can be shown to the class).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write here instead of GRADES/report.html or GRADES/mistakes.csv.")
def grade_report(grades: Path, fmt: str, names: bool, output: Path | None) -> None:
    """Instructors: the class report of a folder 'grade class' wrote: scores, checks, mistakes, identical files.

    \b
    report.html is one self-contained page (no network): per exercise the score distribution, the
    share of students passing each check, the mistakes most common first with the feedback they got,
    then groups of identical submissions (a hint, never a verdict), the slowest submissions and
    those that could not be graded. Student names appear only with --names.
    """
    from autograd_exercises.classroom import report
    from autograd_exercises.reports import class_report

    try:
        rows, source = report.load_rows(grades)
        target = report.write(grades, rows, fmt=fmt, names=names, source=source, output=output)
    except report.ReportError as exc:
        raise CannotGrade(str(exc)) from None
    except OSError as exc:
        raise CannotGrade(f"cannot write the report: {exc.strerror or exc}") from None
    if fmt == "html":
        table = class_report.terminal(rows, width=terminal_width(), color=sys.stdout.isatty())
        if table:
            click.echo(table, nl=False)
    click.echo(f"wrote {target} ({len(rows)} submissions{', names shown' if names and fmt == 'html' else ''})")


@main.command("build")
@click.option("--check", "check_only", is_flag=True,
              help="Only report generated files (and, with --release, the shipped release notebooks) that drifted; "
                   "exit 1 if any.")
@click.option("--release/--no-release", default=True, show_default=True,
              help="Also run nbgrader generate_assignment and ship the release notebooks in the package.")
def build(check_only: bool, release: bool) -> None:
    """Instructors: regenerate stubs and nbgrader notebooks from the exercise sources, in the checkout this
    package is installed from (pip install -e), wherever it is run."""
    from autograd_exercises.build import course, generate

    try:
        root = generate.checkout_root()
        generate.require_sources(root, here())
        click.echo(f"{'checking' if check_only else 'building'} the course in {root}")
        files = generate.expected_files(root)
        if check_only:
            stale = generate.drift(root, files) + (course.release_drift(root) if release else [])
            for path in stale:
                click.echo(f"out of date: {path}")
            if not stale:
                click.echo("up to date: generated files" + (" and release notebooks" if release else "")
                           + " match the exercise sources")
            sys.exit(EXIT_PARTIAL if stale else EXIT_FULL)
        for path in generate.write(root, files):
            click.echo(f"wrote {path}")
        if release:
            for path in course.release_all(root):
                click.echo(f"wrote {path}")
            click.echo(f"nbgrader generate_assignment: released {course.COURSE}/release/{{{','.join(course.slugs())}}}/")
    except (generate.SourceMissing, course.BuildError, ValueError) as exc:
        raise CannotGrade(str(exc)) from None
    click.echo("build done: generated files match the exercise sources")


@main.group("package")
def package() -> None:
    """Instructors: ready-made pieces for Gradescope, GitHub Classroom, PrairieLearn and GitHub Actions.

    \b
    grade package gradescope EXERCISE|all   Gradescope's autograder zip (hidden checks included)
    grade package classroom EXERCISE        a GitHub Classroom template repository (no hidden checks)
    grade package prairielearn              a PrairieLearn external-grading image (Dockerfile, run.sh)
    grade package actions                   a workflow grading a course repository's submissions
    """


def _write_files(folder: Path, files: dict[str, bytes], *, executable: set[str] = set()) -> list[Path]:
    written = []
    for name in sorted(files):
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(files[name])
        if name in executable:
            path.chmod(0o755)
        written.append(path)
    return written


def _package_errors() -> tuple[type[Exception], ...]:
    from autograd_exercises.platforms import wheel

    return (ValueError, OSError, wheel.HiddenChecksMissing)


@package.command("gradescope")
@click.argument("exercise")
@click.option("--output", "-o", type=click.Path(dir_okay=False), default="autograder.zip", show_default=True,
              help="The zip to write.")
def package_gradescope(exercise: str, output: str) -> None:
    """Gradescope's autograder zip for EXERCISE (or all): setup.sh, run_autograder, the autograder wheel."""
    from autograd_exercises.platforms import gradescope

    if output == "-":  # (red team 50: it wrote a file named "-")
        raise click.BadParameter("the autograder is a zip: give a file name, not standard output",
                                 param_hint="'--output'")
    try:
        data = gradescope.build_zip(exercise)
        Path(output).write_bytes(data)
    except _package_errors() as exc:
        raise CannotGrade(str(exc)) from None
    click.echo(f"wrote {output} ({len(data) // 1024} KiB): upload it as the assignment's autograder on Gradescope")


@package.command("classroom")
@click.argument("exercise")
@click.option("--output", "-o", type=click.Path(file_okay=False), default=None,
              help="The template repository's folder (default: EXERCISE-classroom); must be new or empty.")
def package_classroom(exercise: str, output: str | None) -> None:
    """A GitHub Classroom template repository for EXERCISE: stub, notebook, README, autograding workflow."""
    from autograd_exercises.platforms import classroom

    try:
        slug = session.find(exercise).slug
        folder = Path(output or f"{slug}-classroom")
        if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
            raise ValueError(f"{folder} exists and is not an empty folder: give a new one with -o")
        files = classroom.template_files(slug)
        _write_files(folder, files)
    except session.GradingError as exc:
        raise CannotGrade(str(exc)) from None
    except _package_errors() as exc:
        raise CannotGrade(str(exc)) from None
    for name in sorted(files):
        click.echo(f"wrote {folder / name}")
    click.echo(f"push {folder} to GitHub as a template repository, then use it for the {slug} assignment")


@package.command("prairielearn")
@click.option("--output", "-o", type=click.Path(file_okay=False), default="prairielearn-grader", show_default=True,
              help="The Docker build folder to write.")
def package_prairielearn(output: str) -> None:
    """A PrairieLearn external-grading image: Dockerfile, run.sh and the autograder wheel."""
    from autograd_exercises.platforms import prairielearn

    folder = Path(output)
    try:
        ours = all((folder / name).is_file() for name in ("Dockerfile", "run.sh"))  # an earlier package: updated
        if folder.exists() and (not folder.is_dir() or (any(folder.iterdir()) and not ours)):
            raise ValueError(f"{folder} exists and is neither an empty folder nor one grade package prairielearn "
                             "wrote: give a new one with -o")  # (red team 50: -o . replaced a course's README.md)
        written = _write_files(folder, prairielearn.bundle_files(), executable={"run.sh"})
    except _package_errors() as exc:
        raise CannotGrade(str(exc)) from None
    for path in written:
        click.echo(f"wrote {path}")
    click.echo(f"build and push the image, then point each question at it ({Path(output) / 'README.md'})")


@package.command("actions")
@click.option("--output", "-o", type=click.Path(dir_okay=False), default=None,
              help="The workflow to write (default: .github/workflows/grade-submissions.yml).")
@click.option("--submissions", default="submissions", show_default=True,
              help="The folder holding exercise-N/<student>/ in the course repository.")
def package_actions(output: str | None, submissions: str) -> None:
    """A workflow for a course repository: grade pushed submission folders with 'grade class', publish reports."""
    from autograd_exercises.platforms import actions

    path = Path(output or actions.DEFAULT_OUTPUT)
    try:
        text = actions.workflow(submissions)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except _package_errors() as exc:
        raise CannotGrade(str(exc)) from None
    click.echo(f"wrote {path}")


def tolerant_streams() -> None:
    """Standard output and error replace what their encoding cannot show (a report's ✓ and —) instead of failing:
    a Windows pipe or file (``grade exercise-2 > out.txt``) is cp1252, a C locale without UTF-8 mode ASCII."""
    import codecs

    for stream in (sys.stdout, sys.stderr):
        try:
            utf8 = codecs.lookup(getattr(stream, "encoding", None) or "ascii").name in ("utf-8", "utf-8-sig")
        except LookupError:
            utf8 = False
        if not utf8 and hasattr(stream, "reconfigure"):
            try:
                stream.reconfigure(errors="replace")
            except (ValueError, OSError):
                pass


def _say(line: str) -> None:
    """One line on standard error, if it can be written at all."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        sys.stderr.write(line + "\n")


def run() -> None:
    """Console entry point: ``main`` then a fast exit (torch's interpreter teardown costs ~0.4 s)."""
    import os

    tolerant_streams()
    try:
        if sys.stdout is None:  # (started with its standard output closed: ``grade list >&-``)
            _say("Error: standard output is closed: nothing could be shown")
            code: Any = CannotGrade.exit_code
        else:
            main()
            code = 0
    except SystemExit as exc:
        code = exc.code
    except OSError as exc:  # writing to standard output failed: a full disk (``> /dev/full``), a closed pipe
        _say(f"Error: cannot write the output: {exc.strerror or exc}")
        code = CannotGrade.exit_code
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code if isinstance(code, int) else (0 if code is None else 1))


if __name__ == "__main__":  # pragma: no cover
    run()
