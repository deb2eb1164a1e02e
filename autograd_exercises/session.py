"""What the ``grade`` command does, without click: find files, grade, remember scores.

The CLI calls these functions with keyword arguments and prints what they
return. Start-up order matters for speed: the sandbox server is started first,
so its ``import torch`` runs while this process imports torch and the graders.
Choosing files and listing exercises need no torch at all (:mod:`catalog`).
"""

from __future__ import annotations

import ast
import collections
import contextlib
import json
import os
import random
import re
import shutil
import stat
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from autograd_exercises import catalog
from autograd_exercises.parsing import PARSE_ERRORS

if TYPE_CHECKING:
    from autograd_exercises.results import ExerciseResult
    from autograd_exercises.spec import Exercise
    from autograd_exercises.submission import Submission

DEFAULT_TIMEOUT = 5.0  # sandbox.DEFAULT_TIMEOUT, which grade class reads: written here too so that `grade list`
# need not import the sandbox (a test holds the two equal)
CACHE = ".grade_scores.json"
KINDS = {".py": "py", ".ipynb": "ipynb"}
MAX_IMPORT_NOTES = 3  # notes on imports of files beside a notebook, then one line for the rest
QUOTED = 120  # characters of a line of the submission quoted in a note
_IMPORT_FAILURE = "the submission could not be imported: "
# The layers an autograder run as root insists on (see require_full_sandbox).
FULL_SANDBOX = ("pid-namespace", "ipc-namespace", "network-namespace", "mount-namespace", "private-scratch",
                "uid-switch", "rlimits", "no-new-privs", "seccomp")
_NO_MODULE = re.compile(r"^ModuleNotFoundError\b.*\(\"?No module named '([\w.]+)'\"?\)$", re.DOTALL)


class GradingError(Exception):
    """The run cannot grade: a missing file, an unknown exercise (one line, for ``Error:``)."""


class SandboxMissing(GradingError):
    """Root without the full sandbox (:func:`require_full_sandbox`): the command line adds its ``--unsafe-root``
    (:data:`UNSAFE_ROOT`); an autograder has no such option and says none."""


UNSAFE_ROOT = ", or pass --unsafe-root"


def looks_like_exercise(name: str) -> bool:
    return catalog.slug_of(name) is not None


def slug_number(name: str) -> int:
    slug = catalog.slug_of(name)
    if slug is None:
        raise GradingError(f"{name!r} is not an exercise name (try 'grade list')")
    return int(slug.rsplit("-", 1)[1])


def find(name: str) -> catalog.Info:
    """The exercise for ``exercise-2`` / ``exercise_2`` / ``2`` (no torch: read from the package's index)."""
    try:
        return catalog.find(f"exercise-{slug_number(name)}")
    except LookupError as exc:
        raise GradingError(str(exc)) from None


def package_file(relative: str) -> Path | None:
    """A file shipped inside the package (stub or release notebook), if present."""
    path = Path(str(resources.files("autograd_exercises").joinpath(relative)))
    return path if path.is_file() else None


# -- which file to grade ---------------------------------------------------------------------------


@dataclass
class Target:
    """One exercise to grade, and the file chosen for it (``path`` None: not started)."""

    exercise: catalog.Info
    path: Path | None
    shown: str = ""  # the file as reports show it
    kind: str = "py"  # read as "py" or "ipynb"
    choice: str = ""  # why this file, when the folder had two
    remember: bool = False  # the student's own default file in the current folder: keep its score


def _code_of(path: Path, kind: str) -> bytes | None:
    """What decides whether a file was edited: a module's text, a notebook's code cells (None: unreadable, or larger
    than any submission may be: such a file is not the stub, and is never read into memory, red team 46)."""
    from autograd_exercises import submission

    try:
        raw, size = submission.read_plain_file(path, submission.MAX_FILE)
        if size > submission.MAX_FILE:
            return None
        if kind == "ipynb":
            return submission.notebook_source(str(path), raw.decode("utf-8", "replace"), order=False).source
    except (OSError, submission.SubmissionError):
        return None
    return b"\n".join(line.rstrip() for line in raw.replace(b"\r\n", b"\n").strip().splitlines())


UNTOUCHED = ": untouched stub, not graded"  # after the files a note names (grade class's rows, the autograders')


def untouched(path: Path, exercise: catalog.Info) -> bool:
    """True when ``path`` is still what ``grade start`` copied: the same code as the package's stub or notebook.

    A notebook opened, run and saved without changing its code is untouched too.
    """
    kind = KINDS.get(path.suffix, "py")
    shipped = package_file(exercise.stub if kind == "py" else f"notebooks/{exercise.notebook}")
    if shipped is None:
        return False
    mine = _code_of(path, kind)
    return mine is not None and mine == _code_of(shipped, kind)


def choose(exercise: catalog.Info, folder: Path) -> tuple[Path | None, str]:
    """The student's file for ``exercise`` in ``folder``, and why it was chosen when both exist.

    An untouched stub never wins over an edited file; of two edited files the one
    saved last wins (the ``.py`` file on a tie). None when neither file exists.
    """
    from autograd_exercises.submission import entry_kind

    py, notebook = folder / exercise.stub, folder / exercise.notebook
    present = [path for path in (py, notebook) if entry_kind(path) == "file"]
    if len(present) < 2:
        return (present[0] if present else None), ""
    edited = [path for path in present if not untouched(path, exercise)]
    if len(edited) == 1:
        other = notebook if edited[0] == py else py
        return edited[0], f"{other.name} is the untouched stub"
    if not edited:
        return py, f"{py.name} and {notebook.name} are both untouched stubs"
    chosen = notebook if notebook.stat().st_mtime > py.stat().st_mtime else py
    other = notebook if chosen == py else py
    why = "was saved last" if chosen.stat().st_mtime != other.stat().st_mtime else "is the .py file (saved at the same time)"
    return chosen, (f"{other.name} was edited too, this one {why}; "
                    f"to grade the other: grade {exercise.slug} {other.name}")


def _in_cwd(path: Path) -> bool:
    try:
        return path.resolve().parent == Path.cwd().resolve()
    except OSError:
        return False


def _shown(path: Path) -> str:
    """``exercise_2.py`` for a file in the current folder, else the path as given (``/`` between its folders)."""
    return path.name if _in_cwd(path) else path.as_posix()


def target(name: str, path: str | None = None, *, folder: Path | None = None, kind: str | None = None) -> Target:
    """The exercise ``name`` and the file to grade: ``path``, else the student's own file in ``folder``.

    Only ``.py`` and ``.ipynb`` files are graded unless ``kind`` says how to read another.
    """
    exercise = find(name)
    folder = folder or Path(".")
    if path is None:
        chosen, choice = choose(exercise, folder)
        if chosen is None:
            raise GradingError(f"no {exercise.stub} or {exercise.notebook} here "
                               f"(run 'grade start {exercise.slug}', or give the file)")
        return Target(exercise, chosen, _shown(chosen), KINDS[chosen.suffix], choice, remember=_in_cwd(chosen))
    given = Path(path)
    if not stat.S_ISREG(_mode(given, "file")):
        raise GradingError(f"not a file: {given}")
    if kind is None and given.suffix not in KINDS:
        raise GradingError(f"{given} is not a .py or .ipynb file (to grade it anyway: --as py or --as ipynb)")
    kind = kind or KINDS[given.suffix]
    read_as = "" if KINDS.get(given.suffix) == kind else f"read as {'Python' if kind == 'py' else 'a notebook'}"
    return Target(exercise, given, str(path), kind, read_as,
                  remember=given.name in (exercise.stub, exercise.notebook) and _in_cwd(given))


def _mode(path: Path, noun: str) -> int:
    """The mode of the file or folder the student named (a link followed): :class:`GradingError` where there is
    none, or the file system cannot reach it (a link's target too long, a loop, no access), never an OSError."""
    try:
        return path.stat().st_mode
    except FileNotFoundError:
        raise GradingError(f"no such {noun}: {path}") from None
    except (OSError, ValueError) as exc:
        raise GradingError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from None


def plan_all(folder: Path, *, everything: bool = False) -> tuple[list[Target], list[catalog.Info]]:
    """What ``grade all`` grades in ``folder``: the exercises started there, and those not started.

    With ``everything``, exercises not started are graded too (zero points, "not started").
    """
    if not stat.S_ISDIR(_mode(folder, "folder")):
        raise GradingError(f"not a folder: {folder}")
    targets, not_started = [], []
    for exercise in catalog.exercises():
        chosen, choice = choose(exercise, folder)
        if chosen is not None:
            targets.append(Target(exercise, chosen, _shown(chosen), KINDS[chosen.suffix], choice, _in_cwd(chosen)))
        elif everything:
            targets.append(Target(exercise, None))
        else:
            not_started.append(exercise)
    if not targets:
        raise GradingError(f"no exercise started in {folder}: no exercise_N.py or exercise-N.ipynb "
                           "(run 'grade start exercise-1', or 'grade all --everything' to count them all)")
    return targets, not_started


# -- grading -----------------------------------------------------------------------------------------


def open_sandbox(spawn: bool = False) -> Any:
    """A new sandbox (its server starts now, before this process imports torch) as a context manager."""
    from autograd_exercises.sandbox import Sandbox  # light: no torch

    return Sandbox(spawn=spawn)


def strict(report_format: str, *, unsafe_root: bool) -> bool:
    """Whether a run insists on the full sandbox as root (:func:`require_full_sandbox`): one for a machine (an
    autograder's JSON, JUnit or PrairieLearn report), unless the operator accepts the risk (``--unsafe-root``); a
    student's text report grades with what the platform has, and says so."""
    return report_format != "text" and not unsafe_root


def require_full_sandbox(layers: Sequence[str], *, root: bool | None = None, where: str = "") -> None:
    """As root (``root``: this process's, unless the graders say, a cluster's), refuse to run student code without
    every layer of :data:`FULL_SANDBOX` (one-line error; ``where``: on which machines, " on every worker").

    A student's own run (the text report) grades with whatever the platform has and
    says so; an autograder or a batch, where hostile code runs as root on a course's
    machine, must not: ``--unsafe-root`` says the operator accepts the risk.
    """
    if root is None:
        root = hasattr(os, "geteuid") and os.geteuid() == 0
    missing = [layer for layer in FULL_SANDBOX if layer not in layers]
    if root and missing:
        some = " on some worker" if where else ""
        raise SandboxMissing(f"refusing to grade as root without the full sandbox (missing{some}: "
                             f"{', '.join(missing)}); install bubblewrap and libseccomp{where} (see the README's "
                             "Safety section)")


def grade(targets: Sequence[Target], *, seed: int | None = None, timeout: float = DEFAULT_TIMEOUT,
          remember_scores: bool = True, spawn: bool = False, strict: bool = False) -> list["ExerciseResult"]:
    """Grade each target in one sandbox; remembers the scores of the student's own files (``Target.remember``).

    ``strict`` (an autograder run): as root, refuse without the full sandbox (:func:`require_full_sandbox`).
    """
    from autograd_exercises import submission

    with submission.quietly():
        loaded: list[tuple[Target, Submission | None]] = []
        for item in targets:
            try:
                loaded.append((item, submission.load(item.path, item.kind) if item.path is not None else None))
            except submission.SubmissionError as exc:
                raise GradingError(str(exc)) from None
        seed = seed if seed is not None else random.randrange(1, 1_000_000)
        runs = any(sub is not None and not sub.problem for _, sub in loaded)
        from autograd_exercises.sandbox import SandboxError  # light: no torch

        try:
            with (open_sandbox(spawn) if runs else contextlib.nullcontext()) as sandbox:
                results = _grade_loaded(loaded, sandbox, seed=seed, timeout=timeout, strict=strict)
        except SandboxError as exc:  # the grader's own failure, never the student's: one line, exit 3
            raise GradingError(f"{exc} (see the README's Safety section)") from None
    if remember_scores:
        remember([(item, result) for item, result in zip(targets, results) if item.remember])
    return results


def _grade_loaded(loaded: Sequence[tuple[Target, "Submission | None"]], sandbox: Any, *, seed: int,
                  timeout: float, strict: bool) -> list["ExerciseResult"]:
    """Every loaded target graded in ``sandbox`` (``None`` when nothing needs to run)."""
    import graders
    from autograd_exercises import grading

    import autograd_exercises.reports  # noqa: F401  (rich loads while the server finishes its own start)

    if strict and sandbox is not None:
        sandbox.wait_ready()
        require_full_sandbox(sandbox.layers)
    results = []
    for item, sub in loaded:
        exercise = graders.find(item.exercise.slug)
        if sub is None:
            files = f"{item.exercise.stub} or {item.exercise.notebook}"
            result = zero(exercise, seed, "not started", f"not started: no {files}", "not-started")
        elif sub.problem:
            result = zero(exercise, seed, "not run (see above)", sub.problem, problem_code(sub.problem))
        else:
            result = explain(grading.grade(exercise, sub, sandbox=sandbox, seed=seed, timeout=timeout), sub)
        result.submission, result.choice = item.shown, item.choice
        results.append(result)
    return results


def problem_code(problem: str) -> str:
    """The mistake code of a submission that cannot run: ``does-not-compile`` (a syntax error, a null byte), else
    ``not-run`` (empty, no code)."""
    return "does-not-compile" if " does not compile: " in problem else "not-run"


def zero(exercise: "Exercise", seed: int, feedback: str, problem: str, code: str = "not-run") -> "ExerciseResult":
    """Every check of ``exercise`` at zero, not run, with a short ``feedback``; ``problem`` says why, once;
    ``code`` is each check's mistake code (:mod:`autograd_exercises.mistakes`)."""
    from autograd_exercises.results import CheckResult, ExerciseResult

    checks = [CheckResult.failed(check, feedback, mistake=code) for check in exercise.checks]
    return ExerciseResult(exercise.slug, exercise.title, "", seed, checks, problem=problem)


def _reads_a_file(detail: str) -> str:
    """For a top level that stopped at a missing file, why it is missing (:data:`judge.READS_A_FILE`); at an
    ``input()``, that a graded file gets no typed input (:data:`judge.WAITS_FOR_INPUT`)."""
    from autograd_exercises.judge import READS_A_FILE, WAITS_FOR_INPUT  # (the grading loaded it: no cost here)

    if detail.startswith("FileNotFoundError"):
        return READS_A_FILE
    return WAITS_FOR_INPUT if detail.startswith("EOFError") and "EOF when reading a line" in detail else ""


def explain(result: "ExerciseResult", sub: "Submission") -> "ExerciseResult":
    """Lead with the cause: a submission that could not be imported is said once, not on every check;
    a function missing because its notebook cell does not compile says so; local imports are named.
    """
    feedback = {check.feedback for check in result.checks}
    if result.checks and len(feedback) == 1 and not any(c.passed for c in result.checks):
        (only,) = feedback
        if only.startswith(_IMPORT_FAILURE):
            detail = only[len(_IMPORT_FAILURE):]
            missing = _NO_MODULE.match(detail)
            result.problem = (_missing_module(sub, missing.group(1)) if missing else None) or \
                f"{sub.name} could not be imported: {detail}" + _commented_magic(sub, detail) + _reads_a_file(detail)
            for check in result.checks:
                check.feedback = "not run (see above)"
    from autograd_exercises.sandbox.protocol import NO_FUNCTION  # (the grading loaded it: no cost here)

    no_function = re.compile(rf"\"?{re.escape(NO_FUNCTION)}'(\w+)'\"?")
    missing = {check.name: no_function.search(check.feedback) for check in result.checks}
    if result.checks and all(missing.values()) and not result.problem:
        result.problem = _another_exercise(result.exercise, sub) or result.problem
    cells = {name: cell for cell, names in sub.broken for name in names}
    below = _defined_below(result, sub) if any(missing.values()) else {}
    for check in result.checks:
        found = missing[check.name]
        if found and found.group(1) in cells:
            check.feedback = check.feedback.replace(
                found.group(0), f"'{found.group(1)}' is in cell {cells[found.group(1)]}, which does not compile (see above)")
        elif found and (check.name, found.group(1)) in below:
            number = below[check.name, found.group(1)]
            check.feedback = check.feedback.replace(
                found.group(0), f"'{found.group(1)}' is defined in cell {number}, below this check's test cell: the "
                                f"notebook is graded top to bottom, as nbgrader runs it (move cell {number} up)")
    if sub.kind == "ipynb":
        _fixed_below(result, sub)
        result.notes = [*_local_import_notes(sub), *result.notes]
    return result


def _another_exercise(slug: str, sub: "Submission") -> str:
    """When a submission defines none of ``slug``'s functions but some of another exercise's: which, and how to
    grade it as that one ("" otherwise)."""
    import graders

    defined = _functions_defined(sub.source)
    functions = {exercise.slug: {check.function for check in exercise.checks} for exercise in graders.EXERCISES}
    if defined & functions[slug]:
        return ""
    other = max((name for name in functions if name != slug), key=lambda name: len(defined & functions[name]),
                default="")  # a tie: the first exercise
    found = sorted(defined & functions.get(other, set()))
    if not found:
        return ""
    return (f"{sub.name} defines {', '.join(found)}, {other}'s, and none of {slug}'s "
            f"({', '.join(sorted(functions[slug]))}): is it {other}'s file? Grade it with: grade {other} {sub.name}")


def _functions_defined(code: str | bytes, *, shapes: bool = False) -> Any:
    """The functions ``code`` defines at its top level (none when it does not parse); ``shapes``: a dict of each
    (its last definition) to its shape (:func:`submission.definition_shape`: ``ast.dump`` without its recursion),
    which tells two definitions apart whatever their comments and layout."""
    from autograd_exercises.submission import definition_shape

    try:
        tree = ast.parse(code)
    except PARSE_ERRORS:
        return {} if shapes else set()
    defs = [node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]
    return {node.name: definition_shape(node) for node in defs} if shapes else {node.name for node in defs}


def _definitions(sub: "Submission") -> dict[str, list[tuple[int, str]]]:
    """Function name → (code cell, the definition's shape) of each top-level ``def`` of it in a notebook's cells, in
    document order; ``{}`` for a module or a notebook without test cells."""
    if sub.kind != "ipynb" or not sub.program or not sub.test_cells:
        return {}
    lines = sub.source.decode("utf-8", "replace").split("\n")
    defined: dict[str, list[tuple[int, str]]] = {}
    for cell in sub.program:
        for name, shape in _functions_defined("\n".join(lines[cell.first - 1:cell.last]), shapes=True).items():
            defined.setdefault(name, []).append((cell.number, shape))
    return defined


def _positions(result: "ExerciseResult", sub: "Submission") -> dict[str, int]:
    """Check → the cell its test sits at (:func:`grading.check_positions`)."""
    import graders
    from autograd_exercises.grading import check_positions

    exercise = graders.find(result.exercise)
    return {name: cell for name, (cell, _) in check_positions(exercise, sub, list(exercise.checks)).items()}


def _defined_below(result: "ExerciseResult", sub: "Submission") -> dict[tuple[str, str], int]:
    """(check, function) → the code cell below the check's test cell that defines the function at its top level,
    for a notebook: a check that found no such function ran before that cell did."""
    defined = _definitions(sub)
    positions = _positions(result, sub) if defined else {}
    return {(check, name): places[0][0] for check, cell in positions.items()
            for name, places in defined.items() if places[0][0] > cell}


def _fixed_below(result: "ExerciseResult", sub: "Submission") -> None:
    """A failed check whose function a cell below its test cell defines again, differently, says that the test grades
    the definition above it (walkthrough 68: a fix written in a new last cell, the test cells run again after it in
    Jupyter, lost 4 points with no word why). Where every check of the function passed, nothing is said: a trial
    below that nothing grades is no mistake (fairness 61)."""
    from autograd_exercises.submission import top_level_definitions

    failed = [check for check in result.checks if not check.passed and check.function]
    counts = collections.Counter(top_level_definitions(sub.source.decode("utf-8", "replace")) if failed else ())
    failed = [check for check in failed if counts[check.function] > 1]
    defined = _definitions(sub) if failed else {}  # (a function defined once: nothing to read, the bench's class)
    positions = _positions(result, sub) if defined else {}
    for check in failed:
        places, cell = defined.get(check.function, []), positions.get(check.name)
        graded = [place for place in places if cell is not None and place[0] < cell]
        fixes = [number for number, shape in places if graded and number > cell and shape != graded[-1][1]]
        if fixes:
            check.feedback += (f" (cell {fixes[-1]} defines {check.function} again, below this check's test cell: "
                               f"the test grades the {check.function} of cell {graded[-1][0]}, above it, as nbgrader "
                               f"runs the notebook top to bottom; put your fix in cell {graded[-1][0]})")


def _imports(sub: "Submission") -> list[tuple[str, int]]:
    """(top-level module, line) for every absolute import in the submission."""
    try:
        tree = ast.parse(sub.source)
    except PARSE_ERRORS:
        return []
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name.split(".")[0], node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.module.split(".")[0], node.lineno))
    return found


def _code_line(sub: "Submission", line: int, lines: list[str] | None = None) -> str:
    """Line ``line`` of the submission as quoted in a note: stripped, and cut to :data:`QUOTED` characters (a line
    is the student's, and may be 240,000 characters long). ``lines``: the source's lines, when already split."""
    if lines is None:
        lines = sub.source.decode("utf-8", "replace").splitlines()
    text = lines[line - 1].strip() if 1 <= line <= len(lines) else ""
    return text if len(text) <= QUOTED else text[:QUOTED - 1] + "…"


def _sibling(sub: "Submission", module: str) -> Path | None:
    """``module``'s file or package next to the submission, if there is one: a plain file or folder, never a
    link (a link's target could tell whether any path exists on the grading machine), and no name the file system
    refuses (a 300-character import raises ENAMETOOLONG, which ``Path.is_file`` does not swallow)."""
    from autograd_exercises.submission import entry_kind

    folder = Path(sub.path).parent
    if entry_kind(folder / f"{module}.py") == "file":
        return folder / f"{module}.py"
    if entry_kind(folder / module) == "folder" and entry_kind(folder / module / "__init__.py") == "file":
        return folder / module
    return None


_UNDEFINED = re.compile(r"^NameError\b.*name '(\w+)' is not defined", re.DOTALL)
_MAGIC_COMMENT = re.compile(r"^# ?(?P<percent>%%?)\w+\b(?P<rest>.*)$")  # ``# %time g = …``, ``# %%time``
_SHELL_COMMENT = re.compile(r"^# ?(?P<name>\w+)\s*=\s*[!%]")  # ``# files = !ls``, ``# out = %sx ls``


def _commented_magic(sub: "Submission", detail: str) -> str:
    """Where a module's top level used a name that only a magic its notebook's export commented out binds (Colab's
    "Download .py", jupytext: ``# %time g = f(x)``, a ``# %%time`` cell's lines, ``# files = !ls``): the line, and how
    to get it back. Python, like the grader, reads such a line as a comment (fairness 35)."""
    undefined = _UNDEFINED.match(detail)
    if sub.kind != "py" or undefined is None:
        return ""
    name, in_cell_magic = undefined.group(1), False
    for number, line in enumerate(sub.source.decode("utf-8", "replace").split("\n"), start=1):
        magic, shell = _MAGIC_COMMENT.match(line), _SHELL_COMMENT.match(line)
        cell = bool(magic and magic.group("percent") == "%%")
        statement = magic.group("rest") if magic and not cell else line[1:] if in_cell_magic else ""
        in_cell_magic = cell or in_cell_magic and line.startswith("#")
        if shell and shell.group("name") == name or name in _bound(statement.strip()):
            return (f"; {sub.locate(number)} ({line.strip()[:60]}) binds {name} in a notebook, but your notebook's export "
                    "made it a comment: write that statement without the magic, or submit the notebook itself")
    return ""


def _bound(statement: str) -> set[str]:
    """The names a line of code binds (none where it does not parse)."""
    try:
        tree = ast.parse(statement)
    except PARSE_ERRORS:
        return set()
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)}


def _missing_module(sub: "Submission", module: str) -> str | None:
    from autograd_exercises.sandbox import guard

    top = module.split(".")[0]
    lines = [line for name, line in _imports(sub) if name == top]
    if not lines:
        return None
    where = f"{sub.locate(lines[0])}: {_code_line(sub, lines[0])}"
    sibling = _sibling(sub, top)
    if sibling is not None:
        return (f"{sub.name} imports '{top}' ({where}), but a submission is one file: {sibling.name} next to it "
                f"is not there when it is graded. Copy what you use from {sibling.name} into {sub.name}.")
    return (f"{sub.name} imports '{top}' ({where}), which is not installed where submissions are graded: "
            f"a submission is one file, and it may use only {guard.importable_libraries()}.")


def _local_import_notes(sub: "Submission") -> list[str]:
    """A notebook cell importing a file next to the notebook: the import fails when graded (cells go on)."""
    import importlib.util

    notes: list[str] = []
    first: dict[str, int] = {}
    for top, line in _imports(sub):
        first.setdefault(top, line)
    lines = sub.source.decode("utf-8", "replace").splitlines()
    for top, line in first.items():
        sibling = _sibling(sub, top)
        if sibling is None:
            continue
        if len(notes) == MAX_IMPORT_NOTES:  # (a notebook may import thousands of files it uploaded beside it)
            notes.append("(and more imports of files beside the notebook, which are not there when it is graded)")
            break
        try:
            spec = importlib.util.find_spec(top)
        except (ImportError, ValueError, OSError):
            spec = None
        if spec is not None and spec.origin and Path(spec.origin).resolve().parent not in (
                sibling.resolve().parent, sibling.resolve()):
            continue  # an installed module of that name: the grader has it too
        quoted = _code_line(sub, line, lines)
        notes.append(f"{sub.locate(line)} imports '{top}' ({quoted}), but a submission is one file: "
                     f"{sibling.name} next to it is not there when it is graded. Copy what you use into {sub.name}.")
    return notes


# -- scores and status -------------------------------------------------------------------------------


def remember(graded: Sequence[tuple[Target, "ExerciseResult"]]) -> None:
    """Keep the latest score of each exercise in ``.grade_scores.json`` beside the student's file (best effort)."""
    for folder in {item.path.resolve().parent for item, _ in graded if item.path is not None}:
        path = folder / CACHE
        try:
            scores = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
            for item, result in graded:
                if item.path is not None and item.path.resolve().parent == folder:
                    scores[result.exercise] = {"score": result.score, "max_score": result.max_score,
                                               "submission": result.file_name}
            path.write_text(json.dumps(scores, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        except (OSError, ValueError, TypeError, AttributeError):
            pass  # a read-only folder or a broken cache never stops grading


def overview(folder: Path) -> list[dict[str, Any]]:
    """One row per exercise: slug, title, points, and the student's status in ``folder`` (no torch)."""
    from autograd_exercises.submission import entry_kind

    try:
        scores = json.loads((folder / CACHE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        scores = {}
    rows = []
    for exercise in catalog.exercises():
        local = [p for p in (folder / exercise.stub, folder / exercise.notebook) if entry_kind(p) == "file"]
        status = "not started" if not local else f"started ({local[0].name})"
        last = scores.get(exercise.slug) if isinstance(scores, dict) else None
        if isinstance(last, dict) and {"score", "max_score"} <= set(last):
            status = f"last graded {last['score']:g}/{last['max_score']:g}" + (" ✓" if last["score"] >= last["max_score"] else "")
        rows.append({"slug": exercise.slug, "title": exercise.title, "points": exercise.points, "status": status})
    return rows


def start(name: str, folder: Path) -> tuple[list[Path], list[Path]]:
    """Copy the exercise's stub and notebook into ``folder``; returns (copied, kept existing)."""
    from autograd_exercises.submission import entry_kind

    exercise = find(name)
    copied, kept = [], []
    for relative, target_name in ((exercise.stub, exercise.stub), (f"notebooks/{exercise.notebook}", exercise.notebook)):
        source = package_file(relative)
        if source is None:
            continue
        destination = folder / target_name
        kind = entry_kind(destination)  # (a link is never followed: one to a name too long would raise)
        if kind == "folder":  # (red team 50: "kept your existing exercise_2.py", a folder)
            raise GradingError(f"{destination} is a folder: move it away, then start again")
        if kind != "missing":
            kept.append(destination)
            continue
        try:
            shutil.copyfile(source, destination)
        except OSError as exc:
            raise GradingError(f"cannot write {destination}: {exc.strerror or exc}") from None
        copied.append(destination)
    if not copied and not kept:
        raise GradingError(f"the package has no files for {exercise.slug}")
    return copied, kept
