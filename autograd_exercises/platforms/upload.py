"""An autograder's side of a submission: which uploaded file is which exercise, whatever its name; grading it.

Students upload ``exercise_2.py`` or ``exercise-2.ipynb``, but also ``Exercise 2 (1).py``,
``Untitled.ipynb`` or ``exercise_2.py.txt``, sometimes inside a folder. An exactly named file wins
(both names: the one the student edited, as ``grade exercise-2`` chooses); otherwise the file that
defines the most of the exercise's functions, and for a one-exercise autograder the only file there
is. The report says which file was graded and why. Nothing here raises for a student's upload: a
missing or unreadable file is a zero with a message the student can act on.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from autograd_exercises import catalog, session, submission
from autograd_exercises.printable import printable

MAX_BYTES = 5_000_000  # larger files are not submissions (a data file, a model)
MAX_DEPTH = 4
MAX_FILES = 1_000  # .py/.ipynb files looked at, and as many others (a venv or a data set beside the submission);
# the rest are counted, never read; an exercise's own file names are always looked at
MAX_READ = 50_000_000  # bytes read in all to rank .py/.ipynb files (about 5 s of the grader's CPU), then no more,
# and as many to tell what the other files are (each at most MAX_BYTES, larger ones never read)
SHOWN = 8  # names listed in a message before "and N more"
# What a student reads on a platform when nothing was graded through no fault of theirs (the autograders' results)
NOT_YOURS = "This is not a problem with your submission: please tell your course staff."
NOT_SAFE = f"The autograder could not grade safely on this machine, so nothing was graded. {NOT_YOURS}"
FAILED = f"The autograder failed, so nothing was graded. {NOT_YOURS}"
SKIPPED_DIRS = {"__MACOSX", "__pycache__", ".ipynb_checkpoints", ".git"}


@dataclass
class Choice:
    """The file chosen for one exercise (``path`` None: none found), and what the student should be told."""

    exercise: catalog.Info
    path: Path | None = None
    kind: str = "py"
    note: str = ""  # why this file, when it was not simply exercise_N.py / exercise-N.ipynb
    problem: str = ""  # what to do, when nothing could be graded


@dataclass
class Upload:
    """Everything found in an upload folder."""

    folder: Path
    files: list[Path] = field(default_factory=list)
    more: int = 0  # plain files past MAX_FILES: counted, never read
    left: dict[str, int] = field(default_factory=lambda: {"rank": MAX_READ, "sniff": MAX_READ})
    unread: int = 0  # files not read because a budget was spent
    texts: dict[Path, str] = field(default_factory=dict)  # what ranking read of each file

    def head(self, path: Path, budget: str) -> bytes | None:
        """The first :data:`MAX_BYTES` of a plain file of the upload, out of what is left of ``budget`` (``rank``:
        ranking the .py/.ipynb files; ``sniff``: telling what the others are); None once it is spent (counted in
        :attr:`unread`), or for a file that cannot be read."""
        if self.left[budget] <= 0:
            self.unread += 1
            return None
        try:
            with path.open("rb") as handle:  # (a plain file: :func:`scan`'s)
                data = handle.read(min(MAX_BYTES, self.left[budget]))
        except OSError:
            return None
        self.left[budget] -= len(data)
        return data

    def budget_note(self) -> str:
        """What the student is told when a budget ran out: some files were never looked at."""
        return (f" (the grader reads at most {MAX_READ // 1_000_000} MB of an upload: {self.unread} of your files "
                "were not looked at; upload only the file of the exercise)" if self.unread else "")

    def shown(self, path: Path) -> str:
        """A file as the student named it, relative to the upload folder (never the machine's path), with any
        control or invisible character escaped (``\\x1b``, ``\\udcff``: it goes to results.json and the log)."""
        try:
            return printable(path.relative_to(self.folder).as_posix())
        except ValueError:
            return printable(path.name)

    def names(self, paths: Sequence[Path], uncounted: int = 0) -> str:
        """The first :data:`SHOWN` of ``paths`` as the student named them, then how many more (``uncounted``
        beyond them)."""
        more = max(len(paths) - SHOWN, 0) + uncounted
        return ", ".join(self.shown(path) for path in paths[:SHOWN]) + (f" and {more} more" if more else "")

    def listing(self) -> str:
        if not self.files:
            return "your submission is empty"
        return f"you uploaded: {self.names(self.files, self.more)}"


def scan(folder: Path) -> Upload:
    """The plain files of the upload (hidden files, macOS metadata and caches left out), sorted: every file named
    as an exercise's, then up to :data:`MAX_FILES` other ``.py``/``.ipynb`` files and as many others (the rest
    counted in :attr:`Upload.more`)."""
    upload = Upload(folder)
    if not folder.is_dir():
        return upload
    exact = {name for info in catalog.exercises() for name in (info.stub, info.notebook)}
    kept = {"py": 0, "other": 0}
    for root, dirs, names in os.walk(folder):
        depth = len(Path(root).relative_to(folder).parts)
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS and not d.startswith(".") and depth < MAX_DEPTH)
        for name in sorted(names):
            path = Path(root) / name
            if name.startswith(".") or submission.entry_kind(path) != "file":
                continue
            group = "py" if path.suffix in session.KINDS else "other"
            if name in exact or kept[group] < MAX_FILES:
                upload.files.append(path)
                kept[group] += name not in exact
            else:
                upload.more += 1
    upload.files.sort(key=lambda path: upload.shown(path))
    return upload


def kind_of(path: Path, upload: Upload) -> str | None:
    """``py`` or ``ipynb`` by extension, else by content (a notebook's JSON, or Python text); None: neither."""
    if path.suffix in session.KINDS:
        return session.KINDS[path.suffix]
    try:
        if path.stat().st_size > MAX_BYTES:  # a data file, a model: never read
            return None
    except OSError:
        return None
    data = upload.head(path, "sniff")
    if data is None:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if text.lstrip().startswith("{"):
        try:
            document = json.loads(text)
        except (ValueError, RecursionError):  # not JSON, or nested deeper than Python's parser follows
            document = None
        if isinstance(document, dict) and isinstance(document.get("cells"), list):
            return "ipynb"
    return "py" if re.search(r"^(?:async\s+)?def\s+\w+\s*\(", text, re.MULTILINE) else None


def defined(path: Path, functions: Sequence[str], upload: Upload) -> int:
    """How many of ``functions`` the file defines (``def name(`` anywhere: a notebook's JSON too), read from its
    first :data:`MAX_BYTES` out of the upload's budget."""
    if path not in upload.texts:  # (read once for every exercise of the autograder)
        data = upload.head(path, "rank")
        upload.texts[path] = data.decode("utf-8", "replace") if data is not None else ""
    return submission.functions_defined(upload.texts[path], functions)


RESUBMIT = {  # what a student does about a submission with no file to grade, in each platform's words
    "gradescope": "Submit the {stub} you filled in (from 'grade start {slug}') or your {notebook} notebook, then "
                  "submit again",
    "prairielearn": "Upload the {stub} you filled in or your {notebook} notebook, then save and grade again",
    "classroom": "Put the {stub} you filled in or your {notebook} notebook back in your repository (the assignment "
                 "gave you both), then commit and push again",
}


def choose(upload: Upload, exercises: Sequence[catalog.Info], functions: dict[str, Sequence[str]],
           platform: str = "gradescope") -> list[Choice]:
    """One :class:`Choice` per exercise, each file used at most once (``platform``: whose words a student with no
    file gets, :data:`RESUBMIT`).

    With one exercise, any single ``.py``/``.ipynb`` (or Python or notebook under another name) is
    graded as that exercise, even if it defines none of its functions: the report then says which
    function is missing, which helps more than "no file".
    """
    exact_names = {name for info in exercises for name in (info.stub, info.notebook)}
    typed = [(path, kind_of(path, upload)) for path in upload.files]
    typed = [(path, kind) for path, kind in typed if kind is not None]
    used: set[Path] = set()
    choices = []
    for info in exercises:
        choice = Choice(info)
        exact = [path for path, _ in typed if path.name in (info.stub, info.notebook)]
        unnamed = [(path, kind) for path, kind in typed if path not in used and path.name not in exact_names]
        stubs = [path for path in exact if session.untouched(path, info)] if unnamed else []
        other = None  # (beside untouched stubs only, a file that defines the exercise's functions: walkthrough 73)
        if not exact or len(stubs) == len(exact):
            other = _other_file(upload, unnamed, info, functions.get(info.slug, ()),
                                any_file=len(exercises) == 1 and not exact)
        if exact and other is None:
            folder = exact[0].parent
            path, why = session.choose(info, folder)
            why, command, _ = why.partition("; to grade the other: ")  # (a command no platform's student can run)
            why += "; to have the other graded, submit it alone" if command else ""
            path = path or exact[0]
            choice.path, choice.kind = path, session.KINDS[path.suffix]
            choice.note = why
            if path.parent != upload.folder:
                choice.note = "; ".join(filter(None, [f"found in {upload.shown(path.parent)}/", why]))
        elif other is not None:
            choice.path, choice.kind, choice.note = other
            choice.note += f"; {upload.names(stubs)}{session.UNTOUCHED}" if stubs else ""
        else:
            ask = RESUBMIT[platform].format(stub=info.stub, notebook=info.notebook, slug=info.slug)
            choice.problem = (f"No {info.stub} or {info.notebook} in your submission ({upload.listing()}). "
                              f"{ask}{upload.budget_note()}.")
        if choice.path is not None:
            used.add(choice.path)
        choices.append(choice)
    return choices


def _other_file(upload: Upload, others: list[tuple[Path, str]], info: catalog.Info, functions: Sequence[str], *,
                any_file: bool) -> tuple[Path, str, str] | None:
    """Of ``others`` (files named after no exercise, not yet taken), the one to grade as ``info``'s where no file is
    named after it, or those that are are untouched stubs: the one that defines most of its ``functions``, the ``.py``
    first; any one where that is none (``any_file``: the autograder grades one exercise, and no stub was sent). Its
    path, kind and the note that says so; ``None`` where there is none."""
    first = sorted(others, key=lambda item: item[0].suffix not in session.KINDS)  # (.py, .ipynb read first)
    count = {path: defined(path, functions, upload) for path, _ in first}
    scored = sorted(others, key=lambda item: (-count[item[0]], item[1] != "py", upload.shown(item[0])))
    if not scored or not (count[scored[0][0]] or any_file):
        return None
    path, kind = scored[0]
    read_as = "" if path.suffix in session.KINDS else f", read as {'Python' if kind == 'py' else 'a notebook'}"
    ignored = [p for p, _ in others if p != path]
    unread = f" (not graded: {upload.names(ignored, upload.more)})" if ignored else ""
    return path, kind, (f"it is not named {info.stub} or {info.notebook}; graded as {info.slug} all the "
                        f"same{read_as}{unread}{upload.budget_note()}")


def grade(folder: Path, slugs: Sequence[str], *, seed: int | None = None, timeout: float = session.DEFAULT_TIMEOUT,
          platform: str = "gradescope") -> tuple[list, list[Choice]]:
    """Grade the upload in ``folder`` for ``slugs``: (ExerciseResult per exercise, the choices made; ``platform``:
    :func:`choose`'s).

    As root, this refuses to run student code without the full sandbox (``session.GradingError``),
    like ``grade … --format json``; every other problem is a zero with a message in the result.
    """
    import graders

    infos = [session.find(slug) for slug in slugs]
    functions = {info.slug: graders.find(info.slug).functions for info in infos}
    choices = choose(scan(folder), infos, functions, platform)
    upload = Upload(folder)
    targets = []
    for choice in choices:
        path = choice.path
        if path is not None:
            try:
                submission.load(path, choice.kind, order=False)  # (can it be read? grading reads it again)
            except (submission.SubmissionError, OSError) as exc:
                why = str(exc).replace(str(path), upload.shown(path))  # (never the grading machine's path)
                choice.problem = (f"{upload.shown(path)} could not be read: {printable(why)}. Save it again "
                                  f"(a .py file as plain UTF-8 text, a notebook from Jupyter) and submit again.")
                path = None
        shown = upload.shown(path) if path is not None else ""
        targets.append(session.Target(choice.exercise, path, shown, choice.kind, choice.note))
    results = session.grade(targets, seed=seed, timeout=timeout, remember_scores=False, strict=True)
    for choice, result in zip(choices, results):
        if choice.problem:
            result.problem = choice.problem
            for check in result.checks:
                check.feedback = "not run: nothing to grade (see above)"
    return results, choices


def sandbox_line(script: str) -> str:
    """For an image's last build step, the sandbox's layers here, or, where grading here would refuse every
    submission (root without the full sandbox: :func:`session.require_full_sandbox`), a warning that says so.
    Only a warning: a platform may build its image where namespaces are refused and grade where they are not."""
    with session.open_sandbox() as sandbox:
        sandbox.wait_ready()
        layers = sandbox.layers
    try:
        session.require_full_sandbox(layers)
    except session.SandboxMissing as exc:
        return (f"{script}: warning: where submissions are graded as here, every one would get 'could not grade "
                f"safely' ({exc}); grade a test submission and look for the 'isolation:' line in the autograder "
                "output")
    return f"{script}: the sandbox's layers here: {', '.join(layers) or 'none'}"


def write_json(path: Path, document: dict) -> None:
    """Write ``document`` so that the platform never reads half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    os.replace(partial, path)
