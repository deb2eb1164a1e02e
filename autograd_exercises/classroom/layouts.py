"""Find a class's submissions: which student, which exercise, which file.

``SUBMISSIONS`` may be (the layout is detected; kinds can be mixed in one folder):

* **a folder of files, one per student** — ``alice.py``, ``bob.ipynb``, ``carol_exercise_2.py``,
  ``exercise-2-dave.py``. The student id is the file name without its extension and without the
  exercise (``exercise_2``, ``exercise-2``, ``Exercise 2``, ``ex2``); ``grade class all`` needs the
  exercise in the name.
* **a folder per student** — ``alice/exercise_2.py``, ``bob/exercise-2.ipynb``: the student id is the
  folder's name; the file is the one named after the exercise (anywhere in the folder), else, for
  ``grade class exercise-N``, the only ``.py``/``.ipynb`` file at the folder's top; where those named after the
  exercise are all untouched stubs, the files at the top that define the exercise's functions are candidates
  beside them (``solution.py``, not a helper module).
* **GitHub Classroom clones** ``exercise-2-<login>/``: the student id is the login, the exercise the
  folder's; files inside as for a folder per student.
* **nbgrader** ``submitted/<student>/<assignment>/<notebook>.ipynb`` (give the course folder or its
  ``submitted/``): the student id is nbgrader's, the exercise the assignment (or, where the assignment's name has
  no exercise number, each notebook's name: ``week3/exercise-2.ipynb``). A folder with a ``submitted/`` but
  none of what nbgrader keeps beside it (:data:`COURSE_MARKS`) is no course: its other submissions are skipped,
  and listed.
* **Gradescope's export** (Review Grades → Export Submissions): ``submission_metadata.yml`` beside one
  ``submission_<id>/`` folder per submission, read as a folder per student whose id is the submitter's student id
  (Gradescope's ``SID``) where the roster has one, else the email, else the name with the folder's; a group submission
  gives each of its submitters a row of their own (see :func:`gradescope_submitters`).
* **a .zip** of any of those (an LMS download): extracted into a temporary folder first (see
  :func:`extract`). A zip whose only entry is one folder is read from inside that folder.

**LMS download names.** Canvas names a file ``<name>_<user id>_<submission id>_<file>``
(``lastname_12345_67890_exercise_2.py``, with ``_late`` after the name for a late one, and ``-1``,
``-2`` added to a resubmitted file's name): the student id is ``<name>`` (``lastname``), or
``<name>_<user id>`` when two Canvas users share that name. Moodle names a folder or file
``<Full Name>_<id>_assignsubmission_file_<file>``: the student id is the full name with spaces as
``-`` (``Ann-Lee``), or ``<name>_<id>`` when two Moodle participants share that name. The rest of the name (``exercise_2.py``) then says the exercise.

**What is not graded, and why** (never dropped silently): a ``.py``/``.ipynb`` file that fits no rule
(no student id, or no exercise in its name where one is needed) is *skipped* and listed with the
reason; two files for one student and exercise are graded zero (*could not grade*), unless one of
them is still ``grade start``'s untouched stub, which then gives way; a symbolic link is never followed
(skipped); a folder with no ``.py``/``.ipynb`` file is skipped (a GitHub Classroom clone without the
exercise's file is graded zero); a file for another exercise than
the one graded is counted; other files (``README.md``, ``timestamp.txt``, hidden files) are counted
as ignored. Student ids keep letters and digits of any script and ``._@+-``; other characters become ``-``.
"""

from __future__ import annotations

import collections
import contextlib
import functools
import hashlib
import itertools
import os
import re
import shutil
import stat
import tempfile
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePath, PurePosixPath
from typing import Any, Callable, Iterator, NamedTuple, Sequence

from autograd_exercises import catalog
from autograd_exercises import session
from autograd_exercises.session import UNTOUCHED
from autograd_exercises.printable import INVISIBLE as _INVISIBLE, printable
from autograd_exercises.submission import CLEAR_OUTPUTS, entry_kind, functions_defined

SUFFIXES = {".py": "py", ".ipynb": "ipynb"}
COURSE_MARKS = ("gradebook.db", "nbgrader_config.py", "source", "release")  # what nbgrader keeps beside submitted/
SKIP_DIRS = {"__pycache__", ".ipynb_checkpoints", "__MACOSX", ".git", ".github", "node_modules", ".venv", "venv", "env",
             "site-packages", "__pypackages__"}  # (a committed virtual environment: red team 144's honest clone)
MAX_DEPTH = 4  # folders below a student's folder that are searched

# Zip limits: an LMS download of a large class is tens of MB. A member past a limit is left out and listed, never
# the whole zip: one student's repository with node_modules, or a bomb, costs that student's files only.
ZIP_MAX_ENTRIES = 500_000  # entries a zip's directory may list: past that it is not read at all
ZIP_MAX_MEMBERS = 20_000  # files extracted (those in hidden and tool folders, never read, are not)
ZIP_MAX_FILE = 20 * 2**20  # bytes of one extracted file (submission.MAX_FILE: no larger file is a submission)
ZIP_MAX_TOTAL = 1 * 2**30  # bytes extracted in all
ZIP_MAX_RATIO = 200  # uncompressed / compressed, for members over 1 MB
ZIP_MAX_FOLDERS = 20_000  # folders extracted in all (each takes a block: red team 75 filled 2 GB with empty ones)
ZIP_MAX_DEPTH = 64  # folders one member may lie below (deeper is no layout, and pathlib recurses once a level)
OWNER_MAX_MEMBERS = 2_000  # files extracted of one student's (red team 144: one upload of 20,000 files took the
OWNER_MAX_BYTES = 100 * 2**20  # zip's whole count, and the classmates after it were left out); bytes likewise
OWNER_MAX_FOLDERS = 500  # folders of one student's (red team 199: one upload of 20,000 took the zip's folders)
ZIP_KEPT_OTHER = 64 * 2**10  # bytes of a file that is no submission kept as they are (timestamp.txt); past it, its name

_EXERCISE = re.compile(r"(?<![A-Za-z0-9])(?:exercise|ex)[\s_.-]*0*(\d{1,3})(?![0-9])", re.IGNORECASE)
_CLASSROOM = re.compile(r"^(?:exercise|ex)[-_]?0*(\d{1,3})-(?P<login>[A-Za-z0-9][A-Za-z0-9-]*)\Z", re.IGNORECASE)
# The LMSs' names: the part a student names (``rest``) may hold any character, a line break too (red team 203: a
# Blackboard attachment named ``x<LF>y.py`` no longer read as Blackboard's, and the whole download read as Canvas),
# and may be empty: a zip member ``zed_1016_5016_\exercise_2.py`` (the student's own name began with a backslash) is
# extracted as the folder ``zed_1016_5016_``, still Canvas user 1016's (red team 226: a second row, and a namesake
# classmate's id lost its user id).
_CANVAS = re.compile(r"^(?P<name>[^\W\d_](?:[^\W_]|-)*?)(?:_late)?_(?P<uid>\d+)_(?P<sid>\d+)_(?P<rest>.*)\Z",
                     re.IGNORECASE | re.DOTALL)  # (a name in letters of any script: ``müllerjörg``, fairness 34)
_MOODLE = re.compile(r"^(?P<name>[^_]+?)_(?P<pid>\d+)_assignsubmission_[a-z]+_(?P<rest>.*)\Z",
                     re.IGNORECASE | re.DOTALL)
_RESUBMITTED = re.compile(r"(?<![A-Za-z])-\d+\Z")  # Canvas: exercise_2-1.py, never exercise-2.ipynb nor ex-2.py
_COPIED = re.compile(r" \(\d{1,3}\)\Z")  # a browser's second download: carol_exercise_2 (1).py (fairness 65: carol_-1)
_BLACKBOARD = re.compile(r"^(?P<assignment>.*?)_(?P<name>[^\W_](?:[^\W_]|[.-])*)_attempt_"
                         r"(?P<when>\d{4}(?:-\d{2}){5})(?:_(?P<rest>.*))?\Z", re.DOTALL)  # (its time: latest graded)
GRADESCOPE_METADATA = "submission_metadata.yml"  # Gradescope's export: beside its submission_<id>/ folders
GRADESCOPE_MAX_METADATA = 16 * 2**20  # bytes (a class of thousands lists a few hundred kB)
GRADESCOPE_MAX_SUBMITTERS = 100  # people one submission may list (Gradescope's groups are a few)
GRADESCOPE_MAX_PEOPLE = 100_000  # submitters the whole metadata may list (YAML's aliases repeat one list for free)
GRADESCOPE_MAX_FIELD = 1_000  # characters of a name, SID or email read (an id keeps 100; aliases repeat a long one)
_GRADESCOPE_FOLDER = re.compile(r"^submission_\d+$")
ZIPPED = "a .zip: grade class reads .py and .ipynb files; extract it into the student's folder and grade again"
MAX_ID_BYTES = 200  # a folder name of results/ (most file systems allow 255 bytes)
NAME_MAX = 255  # the bytes of a folder name: an id with the suffixes that told it apart is cut to fit (_fitted)


class LayoutError(Exception):
    """The submissions cannot be read at all: missing, not a folder or zip, no submission (one line)."""


@dataclass(frozen=True)
class Found:
    """One submission to grade: a student's file for one exercise."""

    student: str
    exercise: str  # slug, "exercise-2"
    path: Path | None  # the file on disk (inside the extracted zip); None: the student has no file
    shown: str  # the file as listed, relative to SUBMISSIONS
    kind: str = "py"  # "py" or "ipynb"
    problem: str = ""  # why it cannot be graded (two files, no file): graded zero
    note: str = ""  # how the file was chosen, when there was a choice
    nbgrader: tuple[str, str] | None = None  # (assignment, notebook id) in nbgrader's layout
    lms: str = ""  # "canvas:<user id>" or "moodle:<id>": where the student id came from
    raw: str = ""  # the name the id was made from by safe_id (``mary ann``): two names, one id, told apart
    attempt: str = ""  # Blackboard's time of the attempt (``2024-10-01-09-00-00``): of two, the latest is graded
    roster: str = ""  # the roster's id (Gradescope's SID) the id is made of, as the roster has it now (_kept_apart)


@dataclass(frozen=True)
class Skipped:
    """A file that looks like a submission but fits no rule (listed, not graded)."""

    shown: str
    reason: str


@dataclass
class Plan:
    """Everything found under SUBMISSIONS."""

    root: Path
    layout: str  # the kinds found, for people
    found: list[Found] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    other_exercise: list[str] = field(default_factory=list)  # files for an exercise not graded in this run
    ignored: list[str] = field(default_factory=list)  # not .py/.ipynb (README.md, data files)
    tests: list[str] = field(default_factory=list)  # a student's test files (test_*.py, conftest.py): no submission


# -- names -------------------------------------------------------------------------------------------


_LATIN_1 = re.compile("[\udca0-\udcff]")  # a byte 0xa0-0xff the file system could not decode (surrogateescape)


def safe_id(text: str) -> str:
    """A student id usable as a folder name: letters and digits of any script (``Zoë``, ``张三``) and ``._@+-``;
    others, and the invisible ones (``bob`` + U+034F is ``bob``), become ``-``. NFC first, so a name a Mac wrote
    decomposed (``e`` + U+0301) is the same student. A byte of a name that is not UTF-8 (the file system's
    ``\\udcf6``) is read as Latin-1: ``j\\xf6rg`` and ``j\\xfcrg`` stay ``jörg`` and ``jürg``, not one ``j-rg``."""
    kept: list[str] = []
    for char in unicodedata.normalize("NFC", _latin_1(text)).strip():
        if (char.isalnum() or char in "._@+-" or unicodedata.category(char).startswith("M")) \
                and not _INVISIBLE.match(char):  # M: the marks of Devanagari's vowels, Vietnamese's second accent
            kept.append(char)
        elif not kept or kept[-1] != "-":
            kept.append("-")
    cleaned = "".join(kept).strip("-.")[:100]
    while len(cleaned.encode("utf-8")) > MAX_ID_BYTES:
        cleaned = cleaned[:-1]
    return cleaned.rstrip("-.")


def exercise_in(name: str, known: dict[int, str]) -> tuple[str | None, int | None, str]:
    """(slug, number, the name without the exercise part) for a file or folder name.

    The slug is None when the name names no exercise, or (number set) an exercise the course lacks.
    """
    match = _EXERCISE.search(name)
    if match is None:
        return None, None, name
    number = int(match.group(1))
    rest = (name[:match.start()] + " " + name[match.end():]).strip(" _-.")
    return known.get(number), number, rest


def lms_prefix(name: str, blackboard: bool = False) -> tuple[str, str, str] | None:
    """(student, source, rest) when ``name`` carries a Canvas, Moodle or Blackboard download prefix; ``blackboard``:
    the download is Blackboard's (:func:`blackboard_download`), whose names are read as its first."""
    name = unicodedata.normalize("NFC", name)  # (fairness 65: a Mac's decomposed zoë_1005_… read as no Canvas name)
    if blackboard and (found := _blackboard(name)):
        return found
    moodle = _MOODLE.match(name)
    if moodle:
        return safe_id(moodle.group("name").replace(" ", "-")), f"moodle:{moodle.group('pid')}", moodle.group("rest")
    canvas = _CANVAS.match(name)
    if canvas:
        return canvas.group("name").lower(), f"canvas:{canvas.group('uid')}", canvas.group("rest")
    return _blackboard(name)


def _blackboard(name: str) -> tuple[str, str, str] | None:
    """Blackboard's ``<assignment>_<user>_attempt_<time>_<file>`` for a file of code (the ``.txt`` beside it, the
    attempt's receipt, is none); the file's own name may be empty (``…_attempt_<time>_.py``: red team 144)."""
    found = _BLACKBOARD.match(Path(name).stem)
    if found is None or Path(name).suffix.lower() not in SUFFIXES:
        return None
    return (safe_id(found.group("name")), f"blackboard:{found.group('name')}",
            f"{found.group('assignment')} {found.group('rest') or ''}{Path(name).suffix}")


def blackboard_download(entries: Sequence[PurePath]) -> bool:
    """The files at the top of a download are Blackboard's: its attempts' receipts (``…_attempt_<time>.txt``) are
    there, and every file of code is an attempt of one of their assignments. A name can read as both Canvas's and
    Blackboard's (an assignment ``Lab_2_2024`` reads as Canvas user 2: red team 144), and a student's upload may look
    like either; only Blackboard itself writes every file of a download so."""
    receipts = {found.group("assignment") for entry in entries if entry.suffix.lower() == ".txt"
                and (found := _BLACKBOARD.match(entry.stem)) and found.group("rest") is None}
    code = [entry for entry in entries if entry.suffix.lower() in SUFFIXES]
    return bool(receipts) and bool(code) and all(
        (found := _BLACKBOARD.match(entry.stem)) and found.group("assignment") in receipts for entry in code)


# -- zip -----------------------------------------------------------------------------------------------


def _member_path(info: zipfile.ZipInfo) -> PurePosixPath | None:
    """The member's path inside the extraction folder, or None when it must not be extracted."""
    name = _member_name(info).replace("\\", "/")
    if stat.S_ISLNK(info.external_attr >> 16):
        return None  # symlinks are ignored
    parts = [part for part in name.split("/") if part not in ("", ".")]
    if not parts or name.startswith("/") or ".." in parts or ":" in parts[0]:
        return None  # absolute, drive-letter or parent-relative paths never leave the folder
    return PurePosixPath(*parts)


def _member_name(info: zipfile.ZipInfo) -> str:
    """The member's name: a name without the zip's UTF-8 flag is read as UTF-8 where it is that (Info-ZIP's ``zip``
    on Linux writes UTF-8 names unflagged, which :mod:`zipfile` reads as code page 437: ``ZoÃ«``), else as
    code page 437, as the zip format says."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


class LeftOut(str):
    """A zip entry left out, as the summary shows it (``name (why)``), with its name apart: the name may hold
    `` (`` itself (``exercise_2 (1).py``, a browser's second download), and so may the reason (red team 31)."""

    name: str

    def __new__(cls, name: str, why: str) -> LeftOut:
        entry = super().__new__(cls, f"{name} ({why})")
        entry.name = name
        return entry


def extract(archive: Path, into: Path) -> list[LeftOut]:
    """Extract ``archive`` into ``into`` within the zip limits; returns what was left out, and why.

    Raises :class:`LayoutError` for a file that is not a zip, or one whose directory lists more than
    :data:`ZIP_MAX_ENTRIES`. A member that cannot be extracted (over a limit, corrupt, encrypted, past the files or
    bytes the zip may take in all) is left out, and listed; members in hidden and tool folders (``node_modules``,
    ``.git``), which the search never reads, are not extracted. A file that is no submission keeps only its name
    past :data:`ZIP_KEPT_OTHER` bytes. Sizes are counted as bytes are written, not read from headers.
    """
    left_out: list[LeftOut] = []
    try:
        with zipfile.ZipFile(archive) as zipped:
            members = zipped.infolist()
            if len(members) > ZIP_MAX_ENTRIES:
                raise LayoutError(f"{archive.name} has {len(members)} entries (at most {ZIP_MAX_ENTRIES}): not read; "
                                  "extract it yourself, leave out what is no student's code, and grade the folder")
            total, placed, past, written_to, made = 0, 0, collections.Counter(), set(), set()
            paths = [_member_path(info) for info in members]
            wrapper, shape = _wrapper(members, paths), _Shape.of(members, paths)
            board = blackboard_download([path for info, path in zip(members, paths) if path is not None and not
                                         _is_folder(info) and len(_unwrapped(path, wrapper)) == 1])
            files, sizes, past_owner = collections.Counter(), collections.Counter(), collections.Counter()
            owned = collections.Counter()  # folders made for each owner (red team 199)
            for info, relative, owner in _in_turns(members, paths, wrapper, board):
                is_dir = _is_folder(info)
                folders = _member_folders(relative, is_dir) - made if relative is not None else set()
                if (not is_dir and (files[owner] >= OWNER_MAX_MEMBERS or sizes[owner] >= OWNER_MAX_BYTES)) \
                        or owned[owner] + len(folders) > OWNER_MAX_FOLDERS:
                    past_owner[owner] += 1
                    continue
                full = placed >= ZIP_MAX_MEMBERS and not is_dir
                if full or len(made) + len(folders) > ZIP_MAX_FOLDERS \
                        or relative is not None and len(relative.parts) > ZIP_MAX_DEPTH:
                    past["files" if full else "folders"] += 1
                    continue
                try:
                    room = min(ZIP_MAX_TOTAL - total, OWNER_MAX_BYTES - sizes[owner])
                    whole = relative is not None and _kept_whole(relative, wrapper)
                    written, clash = _place_member(zipped, info, into, written_to, room, shape, whole)
                except OSError as exc:  # a name the file system refuses (over 255 bytes), a full disk: this one
                    written, clash = 0, f"cannot be extracted: {exc.strerror or exc}"
                total, placed = total + written, placed + (not is_dir and not clash)
                files[owner] += not is_dir and not clash
                sizes[owner] += written
                made |= folders if not clash else set()
                owned[owner] += len(folders) if not clash else 0
                if clash:
                    left_out.append(LeftOut(printable(info.filename), clash))
            left_out += _past_limits(past, printable(archive.name)) + _past_owners(past_owner, printable(archive.name))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, EOFError, OSError,
            UnicodeDecodeError) as exc:  # (a name flagged UTF-8 that is not: the zip's directory cannot be read)
        raise LayoutError(f"cannot read {archive.name} as a zip: {exc}") from None
    return left_out


def _in_turns(members: list[zipfile.ZipInfo], paths: list[PurePosixPath | None], wrapper: str | None,
              blackboard: bool = False) -> list[tuple[zipfile.ZipInfo, PurePosixPath | None, str]]:
    """The members to extract, each with its owner (:func:`_owner`), in turns: every student's files of code first,
    then every student's first other member, every student's second, and so on, each student's in the zip's order; so a
    limit the whole zip shares (its files, bytes and folders in all) is reached only after every student had as many
    turns as any other (red team 201: 20,000 files of one student's came before 300 classmates', all left out).
    Members the search never reads (:func:`_never_searched`) are left out here."""
    turns: collections.Counter = collections.Counter()
    order = []
    for index, (info, relative) in enumerate(zip(members, paths)):
        is_dir = _is_folder(info)
        if relative is not None and _never_searched(relative, is_dir):
            continue
        owner = _owner(relative, wrapper, blackboard) if relative is not None else ""
        kind = 0 if relative is not None and not is_dir and relative.suffix.lower() in SUFFIXES else 1
        order.append(((kind, turns[owner, kind], index), info, relative, owner))
        turns[owner, kind] += 1
    return [(info, relative, owner) for _, info, relative, owner in sorted(order, key=lambda item: item[0])]


def _wrapper(members: list[zipfile.ZipInfo], paths: list[PurePosixPath | None]) -> str | None:
    """The one folder every member of the zip lies in (``download/``), if there is one: the folder's own entry
    (``download/``, as ``zip -r`` writes it), the members never extracted (a link, a path leaving the zip) and those
    never searched (macOS's ``__MACOSX/`` beside it, a ``.DS_Store``) do not count against it (red teams 200 and 201:
    each made the whole class one student's, sharing one student's limits)."""
    tops = set()
    for info, path in zip(members, paths):
        if path is None or _never_searched(path, _is_folder(info)):
            continue
        if len(path.parts) == 1 and not _is_folder(info):
            return None  # (a file at the top: nothing wraps it)
        tops.add(path.parts[0])
    return next(iter(tops)) if len(tops) == 1 else None


def _unwrapped(relative: PurePosixPath, wrapper: str | None) -> tuple[str, ...]:
    """A member's path below the one folder that wraps the zip, if any (:func:`_wrapper`)."""
    parts = relative.parts
    return parts[1:] if wrapper is not None and len(parts) > 1 and parts[0] == wrapper else parts


def _kept_whole(relative: PurePosixPath, wrapper: str | None) -> bool:
    """A file that is no submission but is extracted whole past :data:`ZIP_KEPT_OTHER`: a Gradescope export's
    metadata, at the top (red team 200: a class of 300 wrote 75 kB of it, extracted empty, and none was graded)."""
    return _unwrapped(relative, wrapper) == (GRADESCOPE_METADATA,)


def _owner(relative: PurePosixPath, wrapper: str | None, blackboard: bool = False) -> str:
    """Whose a member of the zip is, for the limits one student's files share: the file or folder at its top (below
    the one folder that wraps them all, and below nbgrader's ``submitted/``), the LMS's user where its name has an
    LMS's prefix (Canvas's files of one upload share their user; so do all the files of a Blackboard attempt, not its
    code alone: red team 201's 20,000 attachments were each an owner of their own); ``blackboard``: the zip is a
    Blackboard download (:func:`blackboard_download` on its top), whose names are read as Blackboard's first, as the
    search reads them (red team 202: ``Exercise_2_20240001_attempt_…`` read as Canvas user 2, the whole class one
    owner)."""
    parts = _unwrapped(relative, wrapper)
    if parts[0] == "submitted" and len(parts) > 1:
        parts = parts[1:]
    board = _BLACKBOARD.match(Path(parts[0]).stem)
    if lms := None if board and blackboard else lms_prefix(parts[0]):
        return lms[1]
    return f"blackboard:{board.group('name')}" if board else parts[0]


def _past_owners(past: collections.Counter, archive: str) -> list[LeftOut]:
    """One line for each student whose files passed :data:`OWNER_MAX_MEMBERS`, :data:`OWNER_MAX_FOLDERS` or
    :data:`OWNER_MAX_BYTES`."""
    return [LeftOut(f"{count} more entr{'ies' if count != 1 else 'y'} of {printable(owner)}",
                    f"past {OWNER_MAX_MEMBERS} files, {OWNER_MAX_FOLDERS} folders or {OWNER_MAX_BYTES // 2**20} MB of "
                    f"one student's in {archive}: not extracted") for owner, count in sorted(past.items())]


def _member_folders(relative: PurePosixPath, is_dir: bool) -> set[PurePosixPath]:
    """Every folder a member lies in (and the member itself, for a folder): what extracting it may make."""
    parts = relative.parts if is_dir else relative.parts[:-1]
    return {PurePosixPath(*parts[:end]) for end in range(1, min(len(parts), ZIP_MAX_DEPTH + 1) + 1)}


def _past_limits(past: collections.Counter, archive: str) -> list[LeftOut]:
    """What was left out past the zip's limits on files (:data:`ZIP_MAX_MEMBERS`) and on folders (how many, how deep)."""
    left_out = []
    if past["files"]:
        left_out.append(LeftOut(f"{past['files']} more file{'s' if past['files'] != 1 else ''}",
                                f"past the first {ZIP_MAX_MEMBERS} files of {archive}: not extracted"))
    if past["folders"]:
        left_out.append(LeftOut(f"{past['folders']} entr{'ies' if past['folders'] != 1 else 'y'}",
                                f"past {ZIP_MAX_FOLDERS} folders in all, or more than {ZIP_MAX_DEPTH} deep, in "
                                f"{archive}: not extracted"))
    return left_out


def _never_searched(relative: PurePosixPath, is_dir: bool) -> bool:
    """A member the search for submissions never reads: in a hidden or tool folder (:data:`SKIP_DIRS`), or hidden."""
    folders = relative.parts if is_dir else relative.parts[:-1]
    return any(part.startswith(".") or part in SKIP_DIRS for part in folders) or relative.parts[-1].startswith(".")


def _place_member(zipped: zipfile.ZipFile, info: zipfile.ZipInfo, into: Path, written_to: set[PurePosixPath],
                  room: int, shape: _Shape, whole: bool = False) -> tuple[int, str]:
    """Extract one entry below ``into`` (a folder, or a file through :func:`_extract_member`): the bytes
    written, and why it was left out ("" when it was not); ``whole``: a file that is no submission kept whole."""
    relative, is_dir = _member_path(info), _is_folder(info)
    clash = "a link, or a path outside the zip's folder" if relative is None else \
        shape.clash(relative, is_dir) or _clash(into, relative, is_dir, written_to)
    if clash:
        return 0, clash
    if is_dir:
        into.joinpath(*relative.parts).mkdir(parents=True, exist_ok=True)
        return 0, ""
    written_to.add(relative)
    target = into.joinpath(*relative.parts)
    if relative.suffix.lower() not in SUFFIXES and info.file_size > ZIP_KEPT_OTHER and not whole:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.touch()  # its name only: listed as no submission, never read
        return 0, ""
    return _extract_member(zipped, info, target, room)


def _extract_member(zipped: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, room: int) -> tuple[int, str]:
    """Write one member to ``target``: the bytes written, and why it was left out ("" when it was not; then
    nothing of it stays); left out too when its bytes would pass ``room``, what the zip may still take in all."""
    if info.file_size > 2**20 and info.compress_size and info.file_size / info.compress_size > ZIP_MAX_RATIO:
        return 0, f"expands {info.file_size // info.compress_size} times: a zip bomb?"
    if info.file_size > ZIP_MAX_FILE:
        hint = f"; {CLEAR_OUTPUTS}" if info.filename.endswith(".ipynb") else ""
        return 0, f"over {ZIP_MAX_FILE // 2**20} MB{hint}"
    if info.flag_bits & 0x1:  # (zipfile's own error quotes the ZipInfo's repr)
        return 0, "encrypted: a password is needed to extract it"
    full = (f"the zip's files before it already take nearly {ZIP_MAX_TOTAL // 2**20} MB in all, or this student's "
            f"{OWNER_MAX_BYTES // 2**20} MB (a zip bomb?)")
    if info.file_size > room:
        return 0, full
    target.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    try:
        with zipped.open(info) as source, open(target, "wb") as sink:
            while chunk := source.read(65536):
                written += len(chunk)
                if written > min(ZIP_MAX_FILE, info.file_size):
                    raise zipfile.BadZipFile("it expands past its stated size")
                sink.write(chunk)
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, EOFError, zlib.error) as exc:
        target.unlink(missing_ok=True)
        return 0, f"cannot be extracted: {exc}"
    return written, ""


def _is_folder(info: zipfile.ZipInfo) -> bool:
    """The entry is a folder: its name ends in ``/``, or in ``\\`` as Windows tools write it (red team 148: ``alice\\``
    was extracted as a file ``alice``, where the zip's ``alice/exercise_2.py`` could then not go)."""
    return info.is_dir() or _member_name(info).endswith("\\")


class _Shape(NamedTuple):
    """The paths of a zip's files, and of the folders they lie in: which of two entries of one path is kept does not
    hang on their order in the zip (red team 148: an entry ``alice`` before ``alice/exercise_2.py`` left alice
    ungraded). A folder that holds files wins over a file of its path; a file wins over an empty folder's entry."""

    files: frozenset[tuple[str, ...]]
    folders: frozenset[tuple[str, ...]]

    @classmethod
    def of(cls, members: list[zipfile.ZipInfo], paths: list[PurePosixPath | None]) -> _Shape:
        kept = [path.parts for info, path in zip(members, paths)  # (deeper ones are left out: ZIP_MAX_DEPTH)
                if path is not None and not _is_folder(info) and len(path.parts) <= ZIP_MAX_DEPTH]
        return cls(frozenset(kept), frozenset(parts[:end] for parts in kept for end in range(1, len(parts))))

    def clash(self, relative: PurePosixPath, is_dir: bool) -> str:
        """Why the entry at ``relative`` gives way to another of its path ("" when it does not)."""
        if not is_dir and relative.parts in self.folders:
            return "a folder of the zip has the same path, with files in it"
        if is_dir and relative.parts in self.files and relative.parts not in self.folders:
            return "a file of the zip has the same path"
        return ""


def _clash(into: Path, relative: PurePosixPath, is_dir: bool, written: set[PurePosixPath]) -> str:
    """Why an entry cannot be extracted beside the earlier ones ("" when it can): a second entry of one path
    (``a/b.py`` and ``a\\b.py`` from Windows), or a file where a folder is needed, or the other way round."""
    for depth in range(1, len(relative.parts)):
        if into.joinpath(*relative.parts[:depth]).is_file():
            return f"{PurePosixPath(*relative.parts[:depth])} is a file in the zip, not a folder"
    target = into.joinpath(*relative.parts)
    if target.is_dir() and not is_dir:
        return "a folder of the zip has the same path"
    if target.is_file() and is_dir:
        return "a file of the zip has the same path"
    if relative in written:
        return "an earlier entry has the same path, and it is the one graded"
    return ""


def _readable(path: Path, opener: Callable[[Path], Any]) -> None:
    """:class:`LayoutError` unless ``opener`` (``os.scandir``, ``open``) can open ``path``: an unreadable
    SUBMISSIONS is one line, exit 3, as a missing one is."""
    try:
        opener(path).close()
    except OSError as exc:
        raise LayoutError(f"cannot read {path}: {exc.strerror or exc}") from None


@contextlib.contextmanager
def opened(path: Path) -> Iterator[tuple[Path, list[str]]]:
    """The folder to search for ``path`` (a folder, or a zip extracted into a temporary folder, removed after),
    and the zip entries left out."""
    if not path.exists():
        raise LayoutError(f"no such folder or zip: {path}")
    if path.is_dir():
        _readable(path, os.scandir)
        yield path, []
        return
    if not path.is_file():  # (a FIFO would block the reading)
        raise LayoutError(f"{path} is neither a folder nor a .zip")
    _readable(path, lambda name: open(name, "rb"))
    if not zipfile.is_zipfile(path):
        raise LayoutError(f"{path} is not a readable .zip (damaged, or not a zip at all)" if path.suffix.lower() == ".zip"
                          else f"{path} is neither a folder nor a .zip")
    folder = Path(tempfile.mkdtemp(prefix="grade-class-zip-"))
    try:
        left_out = extract(path, folder)
        entries = [entry for entry in folder.iterdir() if entry.name not in SKIP_DIRS]
        if len(entries) == 1 and entries[0].is_dir() and not _CLASSROOM.match(entries[0].name) \
                and entries[0].name != "submitted" and not lms_prefix(entries[0].name):
            yield entries[0], left_out  # the zip of one folder: read from inside it
        else:
            yield folder, left_out
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# -- discovery ----------------------------------------------------------------------------------------


def _files(folder: Path, depth: int = 0, links: list[Path] | None = None) -> Iterator[Path]:
    """Every file below ``folder`` (sorted), skipping hidden and tool folders; symlinks never followed and
    special files never opened (both added to ``links``, and so is a folder that cannot be read)."""
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        if links is not None:
            links.append(folder)
        return
    for entry in entries:
        if entry.name.startswith(".") or entry.name in SKIP_DIRS:
            continue
        if entry.is_symlink():
            if links is not None:
                links.append(entry)
        elif entry.is_dir():
            if depth < MAX_DEPTH:
                yield from _files(entry, depth + 1, links)
        elif entry.is_file():
            yield entry
        elif links is not None:  # a FIFO, socket or device: listed with the links, never opened
            links.append(entry)


def _to_a_folder(path: Path) -> bool:
    """Whether ``path`` is or leads to a folder (a student's folder linked in: listed with a reason, never read;
    the course's own ``submitted/``); False where the file system cannot follow it (a target too long, a loop, no
    access: red team 49), where ``Path.is_dir`` raises."""
    try:
        return stat.S_ISDIR(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def gradescope_submitters(root: Path) -> dict[str, list[tuple[str, str, str]]] | None:
    """Who submitted each ``submission_<id>/`` folder of a Gradescope export, as its ``submission_metadata.yml`` lists
    them (``submission_123: {:submitters: [{:name: Ann Lee, :sid: '2001', :email: ann@uni.edu}]}``): each folder's name
    to (student id, who) for each submitter. The id is the roster's: the ``:sid:`` where it has one, else the email; who
    is ``gradescope:`` and the email (else the SID) as Gradescope spells it, in any ASCII case, which tells two people
    apart (red team 202: ``o'brien@`` and ``o-brien@`` make one id; red team 204: ``ß`` is not ``ss``). Not the SID, though it is the id: a student who enrols
    with a course's code types their own, and a classmate's would make them one person with two files. The SID is
    the id as the roster has it now (``Found.roster``: red team 206), so an account whose email changed between two
    runs into one folder keeps it there, with a note that the earlier rows gave it to another account (red team 203).
    A SID typed with an ``@``, or ending as a name's id does (``_submission_12``), is no SID: it would read as a
    classmate's email or name (red team 208: ``bob@uni.edu`` typed as a SID took Bob's id, results and feedback).
    A submitter with neither (a name is all the metadata gives) is named by the name *and the folder*
    (``Ann-Lee_submission_123``), never by the name alone: a name is the student's to choose, and would take a
    classmate's id, or another name that reads alike (red team 198).
    None where ``root`` holds no such file; :class:`LayoutError` (one line) for one that cannot be read, names a folder
    twice, or lists a submission without submitters."""
    path = root / GRADESCOPE_METADATA
    if entry_kind(path) != "file":
        return None
    found: dict[str, list[tuple[str, str, str]]] = {}
    people = 0
    for key, value in _metadata(path).items():
        if _GRADESCOPE_FOLDER.match(key):
            found[key] = _submitters(key, value)
            people += len(found[key])
            if people > GRADESCOPE_MAX_PEOPLE:
                raise LayoutError(f"{GRADESCOPE_METADATA} lists more than {GRADESCOPE_MAX_PEOPLE} submitters: is it "
                                  "the Gradescope export's?")
    return found


def _metadata(path: Path) -> dict[str, Any]:
    """The mapping in a Gradescope export's metadata file. Every scalar is read as text (YAML's base loader: no tags,
    no numbers, no dates; red team 198's hexadecimal SID of 5,000 digits and base-60 number of 400,000 made a
    traceback and minutes of CPU); a key given twice is an error (the loader would keep the last, losing people)."""
    import yaml

    class Loader(getattr(yaml, "CBaseLoader", yaml.BaseLoader)):  # type: ignore[misc]
        def construct_mapping(self, node: Any, deep: bool = False) -> dict:
            seen: set[str] = set()
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=True)
                if not isinstance(key, str):
                    continue  # (the loader's own error names a key that cannot be one)
                if key in seen:
                    raise yaml.constructor.ConstructorError(None, None, f"{key[:100]!r} is given twice",
                                                            key_node.start_mark)
                seen.add(key)
            return super().construct_mapping(node, deep)

    try:
        with open(path, "rb") as stream:
            text = stream.read(GRADESCOPE_MAX_METADATA + 1)
        if len(text) > GRADESCOPE_MAX_METADATA:
            raise ValueError(f"it is larger than {GRADESCOPE_MAX_METADATA // 2**20} MB")
        data = yaml.load(text, Loader=Loader)
    except (OSError, ValueError, RecursionError, yaml.YAMLError) as exc:
        why = " ".join(str(getattr(exc, "strerror", None) or exc).split())
        raise LayoutError(f"cannot read {GRADESCOPE_METADATA}, the Gradescope export's list of who submitted each "
                          f"folder: {printable(why)[:300]}") from None
    if not isinstance(data, dict):
        raise LayoutError(f"{GRADESCOPE_METADATA} is not the Gradescope export's list of who submitted each folder "
                          "(expected submission_<id>: with :submitters:)")
    return {key: value for key, value in data.items() if isinstance(key, str)}


def _submitters(folder: str, entry: Any) -> list[tuple[str, str, str]]:
    """(student id, who, the roster's SID where the id is made of it) of each submitter of one submission of the metadata
    (:func:`gradescope_submitters`)."""
    people = entry.get(":submitters") if isinstance(entry, dict) else None
    if not isinstance(people, list) or not 0 < len(people) <= GRADESCOPE_MAX_SUBMITTERS:
        raise LayoutError(f"{GRADESCOPE_METADATA}: {printable(folder)[:100]} lists no submitters (expected :submitters: "
                          f"with :sid:, :email: and :name: for each, at most {GRADESCOPE_MAX_SUBMITTERS})")
    found = []
    for index, person in enumerate(people):
        fields = (person.get(key) if isinstance(person, dict) else None for key in (":sid", ":email", ":name"))
        raw_sid, raw_email, raw_name = (value[:GRADESCOPE_MAX_FIELD].strip() if isinstance(value, str) else ""
                                        for value in fields)
        sid, email, name = _field(raw_sid), _field(raw_email.translate(_ASCII_LOWER)), _field(raw_name)
        if "@" in sid or _NAME_ID.search(sid):  # (no SID: it would read as an email's or a name's id, red team 208)
            sid = raw_sid = ""
        if sid or email:  # (who: the account's email, in any case, as Gradescope spells it otherwise: see above)
            found.append((sid or email, f"gradescope:{raw_email.translate(_ASCII_LOWER) if email else raw_sid}", sid))
        else:  # (the folder, and the place in a group whose names are all it gives, make the id its own)
            tag = folder if len(people) == 1 else f"{folder}-{index + 1}"
            found.append((f"{name}_{tag}" if name else tag, f"gradescope:{tag}", ""))
    return found


_NAME_ID = re.compile(r"_submission_\d+(?:-\d+)?\Z")  # how the id of a submitter named by a name alone ends
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")  # (an email's case: not ß/ss)


@functools.lru_cache(maxsize=4096)
def _field(value: str) -> str:
    """A name, SID or email of the metadata, cut to its first :data:`GRADESCOPE_MAX_FIELD` characters by the caller, as
    an id (:func:`safe_id`), once (red team 199: one 15 MB text, aliased as every field of every submitter, took
    minutes)."""
    return safe_id(value)


class _Finder:
    def __init__(self, root: Path, wanted: Sequence[catalog.Info], single: bool) -> None:
        self.root, self.single = root, single
        self.wanted = {info.slug: info for info in wanted}
        self.known = {int(info.slug.rsplit("-", 1)[1]): info.slug for info in catalog.exercises()}
        self.plan = Plan(root, "")
        self.kinds: list[str] = []
        self.candidates: list[Found] = []
        self.others: list[Found] = []  # files for the exercises not graded: ids are made over them too
        self.earlier: dict[str, str] = {}  # id -> who it was made from, in an earlier run's rows kept beside these
        self.earlier_sids: set[str] = set()  # those ids that were a roster's SID
        self.links: list[Path] = []
        self.zips: list[Path] = []  # .zip files met: a student's zipped upload (fairness 34)
        self.zips_said: set[Path] = set()  # those a row or a skipped entry names (the rest are listed as ignored)
        self.blackboard = False  # the files at the top are a Blackboard download's (:func:`blackboard_download`)
        self.gradescope: dict[str, list[tuple[str, str, str]]] | None = None  # an export's submitters, by folder

    def shown(self, path: Path) -> str:
        return printable(path.relative_to(self.root).as_posix())

    def kind(self, label: str) -> None:
        if label not in self.kinds:
            self.kinds.append(label)

    def add(self, found: Found) -> None:
        if found.exercise in self.wanted:
            self.candidates.append(found)
        else:
            self.plan.other_exercise.append(found.shown)
            self.others.append(found)

    def not_a_submission(self, path: Path) -> bool:
        if path.suffix.lower() in SUFFIXES:
            return False
        if path.suffix.lower() == ".zip":
            self.zips.append(path)  # (a student's upload, zipped: their row says so, never left out unsaid)
        elif path.name != "timestamp.txt" and not path.name.startswith("."):
            self.plan.ignored.append(self.shown(path))
        return True

    # a file directly in a folder with no student of its own
    def flat_file(self, path: Path) -> None:
        if self.not_a_submission(path) and path not in self.zips:
            return
        self.kind("files, one per student")
        lms = lms_prefix(path.name, self.blackboard)
        student, source, rest = lms if lms else ("", "", path.name)
        if lms:
            self.kind(source.split(":")[0].capitalize())
        if _a_test(Path(rest)):  # (the name the student gave it: red team 218's Canvas test file was a second file)
            self.plan.tests.append(self.shown(path))
            return
        stem = _COPIED.sub("", Path(rest).stem)
        stem = _RESUBMITTED.sub("", stem) if source.startswith("canvas") else stem
        slug, number, leftover = exercise_in(stem, self.known)
        student = student or safe_id(leftover)
        if number is not None and slug is None:
            self.plan.skipped.append(Skipped(self.shown(path), f"the name says exercise {number}, which this course lacks"))
        elif not student:
            self.plan.skipped.append(Skipped(self.shown(path), "no student id in the name (expected alice.py, "
                                                               "alice_exercise_2.py or an LMS download's name)"))
        elif slug is None and not self.single:
            self.plan.skipped.append(Skipped(self.shown(path), "the name says no exercise (grade class all "
                                                               "needs exercise_N in each file's name)"))
        elif path in self.zips:
            self.zips_said.add(path)
            self.add(Found(student, slug or next(iter(self.wanted)), None, self.shown(path),
                           problem=f"{self.shown(path)} is {ZIPPED}", lms=source, raw="" if lms else leftover))
        else:
            attempt = _BLACKBOARD.match(path.stem).group("when") if source.startswith("blackboard:") else ""
            self.add(Found(student, slug or next(iter(self.wanted)), path, self.shown(path),
                           SUFFIXES[path.suffix.lower()], lms=source, raw="" if lms else leftover, attempt=attempt))

    def folder(self, folder: Path) -> None:
        """A folder at the top of SUBMISSIONS: a student's, or one whose name says it holds students (fairness 34).
        What a student's folder holds never makes it one: a clone holding ``exercise-2-bob/`` would grade a file of
        its owner's as bob's."""
        holds = self.container(folder)
        if holds is None:
            self.student_folder(folder)
        else:
            self.group(folder, holds)

    def container(self, folder: Path) -> str | None:
        """What ``folder``'s name says it holds, where it holds that: ``"clones"`` (``exercise-2-submissions/``, as
        ``gh classroom clone`` names its folder of clones), ``"exercises"`` (``submissions/``, holding the Actions
        workflow's ``exercise-N/`` folders), or an exercise's slug (``exercise-2/``, holding its students' folders);
        None: a student's folder."""
        classroom = _CLASSROOM.match(folder.name)
        if classroom and classroom.group("login").lower() == "submissions":
            return "clones" if any(_CLASSROOM.match(entry.name) for entry in self._subfolders(folder)) else None
        if folder.name.lower() == "submissions":
            return "exercises" if any(self._exercise_group(entry) for entry in self._subfolders(folder)) else None
        return self._exercise_group(folder)

    # a folder of students: GitHub Classroom's clones of one assignment, or one exercise's folders of students
    def group(self, folder: Path, holds: str) -> None:
        self.kind("folders of students")
        for entry in self.listing(folder):
            if entry.name.startswith(".") or entry.name in SKIP_DIRS:
                continue
            if entry.is_symlink():
                self.links.append(entry)
            elif entry.is_dir():
                exercise = self._exercise_group(entry) if holds == "exercises" else None
                if exercise is not None:
                    self.group(entry, exercise)
                else:
                    self.student_folder(entry, holds if holds not in ("clones", "exercises") else None)
            elif entry.is_file():
                if not self.not_a_submission(entry):
                    self.plan.skipped.append(Skipped(self.shown(entry), "beside the students' folders, in a folder "
                                                                        "of students: no student's"))
            else:
                self.links.append(entry)

    def _subfolders(self, folder: Path, entries: list[Path] | None = None) -> list[Path]:
        """The folders in ``folder`` (``entries``: its listing, when read already; never following a link: red team
        49), less hidden and tool folders."""
        return [entry for entry in (self.listing(folder) if entries is None else entries)
                if entry_kind(entry) == "folder" and not entry.name.startswith(".") and entry.name not in SKIP_DIRS]

    def _exercise_group(self, folder: Path) -> str | None:
        """The exercise ``folder`` holds the students' folders of: named as the exercise alone, with folders and no
        code in it (``exercise-2/<student>/``)."""
        slug, _, rest = exercise_in(folder.name, self.known)
        if slug is None or rest:
            return None
        entries = self.listing(folder)
        code = any(entry.suffix.lower() in SUFFIXES and entry_kind(entry) == "file" for entry in entries)
        return slug if self._subfolders(folder, entries) and not code else None

    # a folder that is one student's (plain, GitHub Classroom or Moodle)
    def _folder_owner(self, folder: Path, exercise: str | None,
                      who: tuple[str, str] | None) -> tuple[str, str, str, str | None] | None:
        """Whose a student's folder is, by its name (or ``who``): (student id, LMS source, the raw name where the id is
        the folder's own, the exercise it is fixed to or None); None, with the folder skipped, where it says no one."""
        classroom, lms = (None, None) if who else (_CLASSROOM.match(folder.name), self._lms_folder(folder.name))
        fixed: str | None = None if classroom else exercise
        if who:
            self.kind("Gradescope export")
            student, source = who
        elif classroom:
            self.kind("GitHub Classroom clones")
            number = int(classroom.group(1))
            fixed, student, source = self.known.get(number), safe_id(classroom.group("login")), ""
            if fixed is None:
                self.plan.skipped.append(Skipped(self.shown(folder) + "/", f"exercise {number} is not in this course"))
                return None
        elif lms:
            self.kind(lms[1].split(":")[0].capitalize())
            student, source = lms[0], lms[1]
        else:
            self.kind("a folder per student")
            student, source = safe_id(folder.name), ""
        if not student:
            self.plan.skipped.append(Skipped(self.shown(folder) + "/", "no student id in the folder's name"))
            return None
        return student, source, folder.name if not (classroom or lms or who) else "", fixed

    def _lms_folder(self, name: str) -> tuple[str, str, str] | None:
        """(student, source, rest) for a folder whose name carries an LMS's prefix: Moodle's folders of one
        submission, and folders a zip member's backslash made (``zed_1016_5016_\\exercise_2.py``, a Canvas upload;
        in a Blackboard download, ``…_attempt_<time>_\\exercise_2.py``: its attempt's, red team 226)."""
        if self.blackboard and (board := _BLACKBOARD.match(name)):
            return safe_id(board.group("name")), f"blackboard:{board.group('name')}", board.group("rest") or ""
        return lms_prefix(name)

    def _folder_files(self, folder: Path, fixed: str | None) -> tuple[dict[str, list[Path]], list[Path]]:
        """A student's folder's code files: by the exercise their names say (``fixed``'s only, where the folder is
        one exercise's), and those whose names say none; test files, other files and other exercises' are noted."""
        named: dict[str, list[Path]] = {}
        unnamed: list[Path] = []
        for path in _files(folder, links=self.links):
            if self.not_a_submission(path):
                continue
            if _a_test(path.relative_to(folder)):
                self.plan.tests.append(self.shown(path))
                continue
            slug, number, _ = exercise_in(Path(path.name).stem, self.known)
            if slug is not None and (fixed is None or slug == fixed):
                named.setdefault(slug, []).append(path)
            elif number is not None:
                self.plan.skipped.append(Skipped(self.shown(path), f"the name says exercise {number}, "
                                                 + ("which this course lacks" if slug is None else
                                                    f"but the folder is {fixed}'s")))
            else:
                unnamed.append(path)
        return named, unnamed

    def student_folder(self, folder: Path, exercise: str | None = None, who: tuple[str, str] | None = None) -> None:
        """``who``: the student id and who they are, where the folder's name does not say (Gradescope's export)."""
        owner = self._folder_owner(folder, exercise, who)
        if owner is None:
            return
        student, source, raw, fixed = owner
        zips, tests = len(self.zips), len(self.plan.tests)
        named, unnamed = self._folder_files(folder, fixed)
        top = [path for path in unnamed if path.parent == folder]
        single = fixed or (next(iter(self.wanted)) if self.single else None)
        if single is not None and single not in named and len(top) == 1:
            named[single], unnamed = top, [path for path in unnamed if path not in top]
        elif single is not None and (own := self._own_files(named.get(single, []), top, single)):
            named[single], unnamed = named[single] + own, [path for path in unnamed if path not in own]  # (a clone of
            # the template, its stubs untouched, the work in a file of its own: walkthrough 73; :func:`_chosen`)
        for slug, paths in named.items():
            for path in paths:
                self.add(Found(student, slug, path, self.shown(path), SUFFIXES[path.suffix.lower()], lms=source,
                               raw=raw))
        zipped = [self.shown(path) for path in self.zips[zips:]]
        if not named:
            self.zips_said.update(self.zips[zips:])
        if not named and not unnamed and not zipped and "_assignsubmission_onlinetext_" in folder.name:
            self.plan.ignored.append(self.shown(folder) + "/ (Moodle's online text)")  # (beside the files: no code)
            return
        if not named and not unnamed and fixed is None and not ((zipped or who) and single):  # maybe no student's
            why = f"{', '.join(zipped)}: {ZIPPED}" if zipped else _only_tests(self.plan.tests[tests:]) or \
                f"no .py or .ipynb file in this folder (nor in its folders, {MAX_DEPTH} deep)"
            self.plan.skipped.append(Skipped(self.shown(folder) + "/", why))
            return
        if single is not None and single not in named and single in self.wanted:
            files = f"{self.wanted[single].stub} or {self.wanted[single].notebook}"
            why = f"{len(top)} files, none named after {single}" if top else \
                f"{', '.join(zipped)}, {ZIPPED}, and no {files}" if zipped else f"no {files}"
            self.candidates.append(Found(student, single, None, self.shown(folder) + "/",
                                         problem=f"{why} in {self.shown(folder)}/", lms=source, raw=raw))
            unnamed = [path for path in unnamed if path not in top]
        for path in unnamed:
            self.plan.skipped.append(Skipped(self.shown(path), "the name says no exercise (name it exercise_N.py "
                                                               "or exercise-N.ipynb)"))

    def _own_files(self, named: list[Path], top: list[Path], slug: str) -> list[Path]:
        """Of the files at the top of a student's folder (``top``), those that define a function of ``slug``'s stub,
        where the files ``named`` after it are all ``grade start``'s untouched stubs (fairness 71: a helper module
        beside the student's ``solution.py`` made two files); none otherwise."""
        if not named or not top or slug not in self.wanted or \
                not all(session.untouched(path, self.wanted[slug]) for path in named):
            return []
        functions = _stub_functions(self.wanted[slug].stub)
        return [path for path in top if functions_defined(_head(path), functions)]

    def gradescope_folder(self, folder: Path) -> None:
        """One submission of a Gradescope export: read as a student's folder, whose rows each submitter of it gets
        (a group's members, rows of their own)."""
        people = (self.gradescope or {})[folder.name]
        before = len(self.candidates), len(self.others)
        self.student_folder(folder, who=people[0][:2])
        made = self.candidates[before[0]:], self.others[before[1]:]
        del self.candidates[before[0]:], self.others[before[1]:]
        for student, source, roster in people:
            for into, found in zip((self.candidates, self.others), made):
                into.extend(replace(each, student=student, lms=source, roster=roster) for each in found)

    def gradescope_absent(self, present: set[str]) -> None:
        """The submissions the metadata lists that the export does not hold (one with no file, or one a zip's limits
        left out): a row for each of its submitters that says so, or with every exercise graded a line of the skipped;
        never silence (red team 199)."""
        for folder, people in (self.gradescope or {}).items():
            if folder in present:
                continue
            why = f"{folder}/ is not in the export, though {GRADESCOPE_METADATA} lists it: no file to grade"
            if self.single:
                self.candidates += [Found(student, next(iter(self.wanted)), None, f"{folder}/", problem=why, lms=source,
                                          roster=roster) for student, source, roster in people]
            else:
                self.plan.skipped.append(Skipped(f"{folder}/", f"{why} (of {', '.join(p[0] for p in people)[:200]})"))

    def nbgrader(self, submitted: Path) -> None:
        """``submitted/<student>/<assignment>/<notebook>.ipynb``, as nbgrader keeps them; a notebook anywhere else in
        ``submitted/`` is listed as skipped (red team: one in a folder below the assignment's was silently left)."""
        self.kind("nbgrader submitted/")
        self._misplaced(submitted, "directly in submitted/: nbgrader keeps submitted/<student>/<assignment>/")
        for student_dir in self._folders(submitted):
            name = _latin_1(student_dir.name)  # (a name in bytes that are not UTF-8 is an id of its own: graded)
            if name != printable(name).strip():  # the id is the folder's name, as it is
                self.plan.skipped.append(Skipped(self.shown(student_dir) + "/", "no nbgrader student id: the name has "
                                                 "spaces at its ends or characters that print as nothing (it would "
                                                 "read as another student's in grades.csv)"))
                continue
            self._misplaced(student_dir, "in no assignment folder: nbgrader keeps submitted/<student>/<assignment>/")
            for assignment in self._folders(student_dir):
                slug, number, _ = exercise_in(assignment.name, self.known)
                notebooks = []
                for path in _files(assignment, links=self.links):  # (one walk: each link listed once)
                    if path.parent != assignment:
                        if path.suffix.lower() in SUFFIXES:
                            self.plan.skipped.append(Skipped(self.shown(path), "in a folder below the assignment's: "
                                                             "nbgrader grades the assignment folder's own notebooks"))
                    elif not self.not_a_submission(path):
                        notebooks.append(path)
                if slug is None:
                    self._by_notebook_name(student_dir, assignment, notebooks, named=number is None)
                    continue
                named = [path for path in notebooks if path.name == f"{assignment.name}.ipynb"]
                for path in notebooks:
                    if path.suffix.lower() != ".ipynb":
                        self.plan.skipped.append(Skipped(self.shown(path), "nbgrader's layout holds notebooks: a .py "
                                                                           "in submitted/ is not graded"))
                        continue
                    if named and path not in named:
                        self.plan.skipped.append(Skipped(self.shown(path), f"not the assignment's notebook "
                                                                           f"({assignment.name}.ipynb is graded)"))
                        continue
                    self.add(Found(student_dir.name, slug, path, self.shown(path), "ipynb",
                                   nbgrader=(assignment.name, path.stem)))
                if not notebooks and slug in self.wanted:
                    self.candidates.append(Found(student_dir.name, slug, None, self.shown(assignment) + "/",
                                                 problem=f"no notebook in {self.shown(assignment)}/",
                                                 nbgrader=(assignment.name, slug)))

    def _by_notebook_name(self, student_dir: Path, assignment: Path, notebooks: list[Path], *, named: bool) -> None:
        """The notebooks of an assignment whose name is no exercise (``week3/``): each graded as the exercise its own
        name gives (``week3/exercise-2.ipynb``), where the assignment's name gives no exercise number at all."""
        for path in notebooks:
            slug = exercise_in(path.stem, self.known)[0] if named and path.suffix.lower() == ".ipynb" else None
            if slug is None:
                self.plan.skipped.append(Skipped(self.shown(path), f"assignment {assignment.name!r} is no exercise of "
                                                                   "this course" + (", nor is its notebook's name"
                                                                                    if named else "")))
                continue
            self.add(Found(student_dir.name, slug, path, self.shown(path), "ipynb",
                           nbgrader=(assignment.name, path.stem)))

    def _misplaced(self, folder: Path, why: str) -> None:
        """The files directly in ``folder`` (of ``submitted/``), where nbgrader keeps none: a notebook or a .py is
        skipped with ``why``, any other file ignored."""
        for path in self.listing(folder):
            if path.name.startswith(".") or path.is_symlink() or path.is_dir():
                continue  # (a link: :meth:`_folders` lists it)
            if not path.is_file():
                self.links.append(path)
            elif not self.not_a_submission(path):
                self.plan.skipped.append(Skipped(self.shown(path), why))

    def beside(self, submitted: Path) -> None:
        """Submissions beside a ``submitted/`` folder in a folder that is no nbgrader course (a student's folder of
        that name in a class: red team 33): listed as skipped, never silently left out."""
        for entry in self.listing(self.root):
            if entry != submitted and not entry.name.startswith(".") and entry.name not in SKIP_DIRS and any(
                    path.suffix.lower() in SUFFIXES for path in ([entry] if entry_kind(entry) != "folder"
                                                                else _files(entry))):
                self.plan.skipped.append(Skipped(self.shown(entry), "beside a folder named submitted, read as "
                                                 "nbgrader's: rename that folder, or grade the others apart"))

    def listing(self, folder: Path) -> list[Path]:
        """What ``folder`` holds, in order; nothing for a folder that cannot be read, which is listed (a student's
        folder of mode 000 in ``submitted/`` stopped the whole class: red team 75)."""
        try:
            return sorted(folder.iterdir())
        except OSError:
            if folder not in self.links:
                self.links.append(folder)
            return []

    def _folders(self, parent: Path) -> list[Path]:
        """The folders in ``parent`` (not hidden), in order; a symbolic link is never followed (listed)."""
        folders = []
        for path in self.listing(parent):
            if path.name.startswith("."):
                continue
            if path.is_symlink():
                self.links.append(path)
            elif path.is_dir():
                folders.append(path)
        return folders

    def search(self) -> Plan:
        submitted = self.root / "submitted"
        if _to_a_folder(submitted):
            self.nbgrader(submitted)
            if not nbgrader_course(self.root):
                self.beside(submitted)
        elif self.root.name == "submitted":
            self.nbgrader(self.root)
        else:
            self.blackboard = blackboard_download(self.listing(self.root))
            self.gradescope, present = gradescope_submitters(self.root), set()
            for entry in self.listing(self.root):
                present.add(entry.name)
                if entry.name.startswith(".") or entry.name in SKIP_DIRS:
                    continue
                if entry.is_symlink():
                    self.links.append(entry)
                    continue
                if entry.is_dir() and self.gradescope and entry.name in self.gradescope:
                    self.gradescope_folder(entry)
                elif entry.is_dir():
                    self.folder(entry)
                elif entry.name == GRADESCOPE_METADATA and self.gradescope is not None:
                    continue  # (read: who submitted each folder)
                elif entry.is_file():
                    self.flat_file(entry)
                else:
                    self.links.append(entry)
            self.gradescope_absent(present)
        for link in self.links:
            if not link.is_symlink() and _to_a_folder(link):
                self.plan.skipped.append(Skipped(self.shown(link) + "/", "a folder that cannot be read"))
                continue
            why = "a symbolic link (never followed)" if link.is_symlink() else "not a plain file (a FIFO, socket or device)"
            if link.suffix.lower() in SUFFIXES or (link.is_symlink() and _to_a_folder(link)):
                self.plan.skipped.append(Skipped(self.shown(link), why))
            else:
                self.plan.ignored.append(self.shown(link))
        self.plan.ignored += [self.shown(path) for path in self.zips if path not in self.zips_said]
        self.plan.layout = ", ".join(self.kinds) or "nothing recognised"
        self.plan.found = self.resolve()
        return self.plan

    def resolve(self) -> list[Found]:
        """One submission per student and exercise: LMS names made unique, duplicates decided. The ids are made over
        every exercise's files found, and kept apart from an earlier run's ids of other people, so that exercises
        graded one at a time into one folder give each person one id (red team 81: two Canvas users ``smith`` took
        one id when their exercises were graded in two runs)."""
        everyone = [found if found.raw or found.lms else replace(found, raw=found.student)  # who they are, kept
                    for found in self.candidates + self.others]  # (red team 116: not an id hashed since)
        uids: dict[str, set[str]] = {}
        for found in everyone:
            if found.lms:  # "canvas:<user id>", "moodle:<participant id>": two people who share a name
                uids.setdefault(found.student, set()).add(found.lms)
        everyone = [replace(found, student=f"{found.student}_{safe_id(found.lms.split(':', 1)[1])}")
                    if len(uids.get(found.student, ())) > 1 else found for found in everyone]
        everyone = _kept_apart(_told_apart(everyone), self.earlier, self.earlier_sids)
        candidates = [_fitted(found) for found in _unconfused(everyone, self.earlier)[:len(self.candidates)]]
        groups: dict[tuple[str, str], list[Found]] = {}
        for found in candidates:
            groups.setdefault((found.student, found.exercise), []).append(found)
        order = list(self.wanted)
        if not self.single:
            groups.update(_missing(groups))
        result = []
        for (student, slug), group in sorted(groups.items(), key=lambda item: (item[0][0], order.index(item[0][1]))):
            result.append(group[0] if len(group) == 1 else _one_of(group, self.wanted[slug]))
        return result


NO_FILE = "no file for {slug}, which most students handed in"


def _missing(groups: dict[tuple[str, str], list[Found]]) -> dict[tuple[str, str], list[Found]]:
    """For ``grade class all``: a row for each student without a file of an exercise that at least half the class
    handed in, which says so (walkthrough 69: a student's missing exercise 6 had no row, no line, and the mean was over
    39 of 40 with no word why). Half, not one: a single student's stray ``exercise_6.py`` gave every classmate a zero
    row and the run exit status 1 (red team 230). Who they are is their other rows' (the id, the LMS user, the roster's
    SID, the note that told a look-alike id apart)."""
    students: dict[str, Found] = {}
    handed: dict[str, int] = {}
    for (student, slug), group in groups.items():
        students.setdefault(student, group[0])
        handed[slug] = handed.get(slug, 0) + 1
    exercises = [slug for slug, count in handed.items() if 2 * count >= len(students)]
    return {(student, slug): [replace(found, exercise=slug, path=None, shown=f"({slug}: no file)", kind="py",
                                      problem=NO_FILE.format(slug=slug), nbgrader=None, attempt="")]
            for student, found in students.items() for slug in exercises if (student, slug) not in groups}


def _told_apart(candidates: list[Found]) -> list[Found]:
    """Different people who made one id (``mary ann`` and ``mary-ann``, ``o'brien`` and ``o brien``; Canvas user 1001
    ``smith`` and a file ``smith.py``) are told apart: each gets the id with a short hash of who they are
    (:func:`identity`), longer where the short one is another student's id already (``mary-ann-343b97.py`` beside
    ``mary ann.py``: red team 75). None keeps the bare id, which a name an attacker picks would otherwise win (red team
    113: ``smith.py`` and Canvas's smith were one id, two files, zero); nbgrader's ids are its gradebook's."""
    people: dict[str, set[str]] = {}
    for found in candidates:
        people.setdefault(found.student, set()).add(identity(found))
    taken = set(people)
    moved: dict[tuple[str, str], str] = {}
    for found in candidates:
        key = (found.student, identity(found))
        if len(people[found.student]) > 1 and found.nbgrader is None and key not in moved:
            moved[key] = new = _free_id(found.student, key[1], taken)
            taken.add(new)
    return [replace(found, student=moved.get((found.student, identity(found)), found.student)) for found in candidates]


def identity(found: Found) -> str:
    """Who a student id was made from: the LMS's user id (``canvas:1001``), else the name as it reads (``mary ann``),
    else the id; a name that reads like an LMS's user id (a file named ``canvas:1001.py``) as ``name:canvas:1001``, so
    that it never passes for that user (red team 112)."""
    if found.lms:
        return found.lms
    name = _spelling(found.raw) or found.student
    return f"name:{name}" if _LMS_IDENTITY.match(name) else name


_LMS_IDENTITY = re.compile(r"(?:canvas|moodle|blackboard|gradescope|name):")


def _kept_apart(candidates: list[Found], earlier: dict[str, str],
                sids_then: set[str] | frozenset[str] = frozenset()) -> list[Found]:
    """Each person an earlier run's kept rows name keeps the id those rows give them (Moodle's ``Ann Lee`` was
    ``Ann-Lee`` in exercise 1, and stays ``Ann-Lee`` when a namesake joins exercise 2's download: red team 109); each
    other student whose id those rows give to someone else (``smith`` for Canvas user 1001, and now user 1002 alone in
    this run's download) gets the id with a hash of who they are, as :func:`_told_apart` gives it, so no two people
    share one id in ``grades.csv`` and no person has two (:func:`_earlier_id`). nbgrader's ids are its gradebook's: one
    those rows give to someone else is not graded (:func:`_gradebook_id`). A roster's id
    (Gradescope's SID) follows the roster as it is now (:func:`_roster_id`), and no one else may keep it; a person the
    rows gave another id gets a note that says so (red teams 206 and 207)."""
    sids = {found.roster for found in candidates if found.roster}  # (the roster's ids now: no one else's to keep)
    now = {identity(found): found.roster for found in candidates}
    ids_of: dict[str, list[str]] = {}
    for student, who in earlier.items():
        ids_of.setdefault(who, []).append(student)
    taken = {found.student for found in candidates} | set(earlier)
    moved: dict[tuple[str, str], tuple[str, str]] = {}
    for index, found in enumerate(candidates):
        who = identity(found)
        if found.nbgrader is not None:
            candidates[index] = _gradebook_id(found, who, earlier)
        elif (found.student, who) not in moved:
            to = _roster_id(found, who, earlier, now, taken, sids_then) if found.roster else \
                _earlier_id(found, who, earlier, ids_of.get(who, []), sids, taken)
            if ids_of.get(who) and to[0] not in ids_of[who]:  # (the rows gave this person another id: the roster moved)
                to = to[0], ROSTER_CHANGED
            moved[found.student, who] = to
    return [_moved(found, moved.get((found.student, identity(found)))) for found in candidates]


def _gradebook_id(found: Found, who: str, earlier: dict[str, str]) -> Found:
    """An nbgrader student keeps the gradebook's id; one the earlier rows give to someone else is not graded (red team
    116: the points went to a new student of the gradebook)."""
    if earlier.get(found.student, who) == who:
        return found
    return replace(found, problem=f"{CLASH}{printable(earlier[found.student])}{CLASH_END}")


def _earlier_id(found: Found, who: str, earlier: dict[str, str], theirs: list[str], sids: set[str], taken: set[str]
                ) -> tuple[str, str]:
    """(id, note) of a person whose id is no roster's: the id the earlier rows gave them (``theirs``; this run's where
    they gave several, else the shortest), but none that is a roster's SID now (``sids``); else this run's id, with a
    hash of who they are where those rows gave it to someone else (:func:`_free_id`)."""
    if mine := [student for student in theirs if student not in sids]:
        return (found.student if found.student in mine else min(mine, key=lambda i: (len(i), i))), ""
    return (_free_id(found.student, who, taken) if found.student in earlier else found.student), ""


def _roster_id(found: Found, who: str, earlier: dict[str, str], now: dict[str, str], taken: set[str],
               sids_then: set[str] | frozenset[str]) -> tuple[str, str]:
    """(id, note) of a person whose id is the roster's SID, against the rows an earlier run kept: where they give the
    SID to this account, the SID, even where a classmate who typed it too made this run's id another (red team 207);
    where they give it to no one, this run's id; where they give it to an account that now has another SID or none,
    this run's id, with a note (the roster changed: red team 206), but only where that id was the SID then
    (``sids_then``: red team 209 typed a classmate's hashed id, ``2001-b767c2``); else, or where that account is absent
    from this run, or has this SID too, never the bare SID, with a note: a typist never takes a classmate's id."""
    sid, holder = found.roster, earlier.get(found.roster)
    if holder == who:
        return sid, ""
    if holder is None:
        return found.student, ""
    if holder in now and now[holder] != sid and sid in sids_then:
        return found.student, ROSTER_MOVED
    return (found.student if found.student != sid else _free_id(sid, who, taken)), ROSTER_MOVED


def _moved(found: Found, to: tuple[str, str] | None) -> Found:
    """``found`` with the id (and note) :func:`_kept_apart` gave it."""
    if to is None:
        return found
    return replace(found, student=to[0], note="; ".join(filter(None, (found.note, to[1]))))


ROSTER_MOVED = ("this SID was another account's in the rows an earlier run kept in the output folder (the roster "
                "changed): grade the other exercises again (--regrade) so that every row follows the roster")
ROSTER_CHANGED = ("the rows an earlier run kept in the output folder give this person another id (the roster changed): "
                  "grade the other exercises again (--regrade) so that every row follows the roster")
CLASH = "nbgrader's id of this student is another person's in the rows an earlier run kept in the output folder ("
CLASH_END = "): grade this course into an output folder of its own"


def _unconfused(candidates: list[Found], earlier: dict[str, str]) -> list[Found]:
    """Ids that read alike (:func:`lookalike`: ``Ann-Lee`` and ``Аnn-Lee`` with a Cyrillic ``А``, a row passing for
    another's: red team 109; ``alice`` and ``Alice``, one folder of ``results/`` on a Mac's file system) are told
    apart: an id an earlier run's kept rows give keeps it, and so does nbgrader's (its gradebook's student); every
    other one gets the id with a hash of who they are (``Ann-Lee-9966ef``, ``ANN-LEE-3c0a5e``: no rule of which one
    is plainest could not be won by the name an attacker picks, red team 112)."""
    fixed = {found.student for found in candidates if found.nbgrader is not None} | set(earlier)
    kept = {lookalike(student) for student in fixed}
    groups: dict[str, set[str]] = {}
    for found in candidates:
        if found.student not in fixed:
            groups.setdefault(lookalike(found.student), set()).add(found.student)
    taken = kept | set(groups)
    moved: dict[tuple[str, str], str] = {}
    for found in candidates:
        key = lookalike(found.student)
        if found.student in fixed or (len(groups[key]) == 1 and key not in kept):
            continue
        if (found.student, identity(found)) not in moved:
            moved[found.student, identity(found)] = new = _free_id(found.student, identity(found), taken, lookalike)
            taken.add(lookalike(new))
    alike = {key: sorted(members | {student for student in fixed if lookalike(student) == key})
             for key, members in groups.items()}
    return [_apart(found, moved[found.student, identity(found)], alike[lookalike(found.student)])
            if (found.student, identity(found)) in moved else found for found in candidates]


def _apart(found: Found, new: str, alike: list[str]) -> Found:
    """``found`` under the id ``new`` that tells it apart from ids that read alike, with a note naming the id it was
    made from and the others (red team 227: a classmate's look-alike SID, ``２００１``, moved ``2001`` to
    ``2001-f58599``, and nothing in grades.csv gave the SID back for an upload by SID)."""
    others = ", ".join(printable(student) for student in alike if student != found.student)
    said = f"id {printable(found.student)} reads like {others}: told apart as {printable(new)}"
    return replace(found, student=new, note="; ".join(filter(None, (found.note, said))))


def lookalike(student: str) -> str:
    """What ``student`` reads as, for telling ids apart: UTS #39's skeleton, each character of its decomposed form
    (NFD) as its prototype in Unicode's confusables (through ``confusable_homoglyphs``: Cyrillic ``а`` and Greek ``ϲ``
    are ``a`` and ``c``, ``I`` and ``1`` are ``l``, ``m`` is ``rn``; red team 113 found ``ϲ`` read after NFKC, as
    ``ς``, then ``o``), then compatibility forms folded (NFKC: ``ｂｏｂ`` is ``bob``), case folded (a Mac's or Windows's
    file system keeps ``Alice/`` and ``alice/`` in one folder), read again and case folded again (red team 209: ``２``
    and ``０`` read as ``2`` and ``O`` only after NFKC, and ``O`` stayed upper case), and ``i`` read as ``l`` (``I`` is
    both, by case and by shape)."""
    text = "".join(_prototype(char) for char in unicodedata.normalize("NFD", student))
    read = "".join(_prototype(char) for char in unicodedata.normalize("NFKC", text).casefold()).casefold()
    return read.replace("i", "l")  # (fairness 65: ``I`` reads as ``l``, and in another case as ``i``: ``ALICE`` kept
    # its bare id beside ``alice``; so ``i`` and ``l`` read alike here, and ``ali`` and ``all`` are told apart too)


@functools.lru_cache(maxsize=4096)
def _prototype(char: str) -> str:
    """The text ``char`` reads as, in confusables: where they list one look-alike for it (its prototype, perhaps of
    several characters: ``m``, ``rn``) that lists others (the list of a prototype holds all that read as it), that
    one; where the two list only each other, the lower; else ``char`` itself (a prototype)."""
    from confusable_homoglyphs.confusables import confusables_data

    def alike(of: str) -> list[str]:
        return [entry["c"].replace("\u200e", "") for entry in confusables_data.get(of, ())]

    mine = alike(char)
    if len(mine) != 1 or not mine[0]:
        return char
    return mine[0] if len(alike(mine[0])) != 1 else min(char, mine[0])


def _fitted(found: Found) -> Found:
    """``found`` with an id that fits a folder name of ``results/`` (:data:`NAME_MAX` bytes) after the suffixes that
    told it apart (a namesake's ``_<user id>``, a hash; an nbgrader folder's name as it is): cut, with a hash of the
    whole id (red team 112: a 331-byte id stopped the whole class at its first write)."""
    encoded = found.student.encode("utf-8", "surrogateescape")
    if len(encoded) <= NAME_MAX:
        return found
    cut = encoded[:NAME_MAX - 13].decode("utf-8", "ignore").rstrip("-.")
    return replace(found, student=f"{cut}-{hashlib.sha256(encoded).hexdigest()[:12]}")


def _free_id(student: str, name: str, taken: set[str], read: Any = str) -> str:
    """``student`` with the shortest hash of ``name`` (6, 12, then 64 hex digits, then that and a count) whose ``read``
    no id in ``taken`` is (red team 113: files named with all three hashes made the last one no longer free)."""
    digest = hashlib.sha256(name.encode("utf-8", "surrogateescape")).hexdigest()
    tries = itertools.chain((digest[:6], digest[:12], digest), (f"{digest}-{count}" for count in itertools.count(2)))
    return next(f"{student}-{suffix}" for suffix in tries if read(f"{student}-{suffix}") not in taken)


def _spelling(name: str) -> str:
    """A name as it reads: NFC, a byte that is not UTF-8 as Latin-1, no invisible character (``bob`` + U+034F is
    ``bob``'s second file, not a second student: red team 12)."""
    return _INVISIBLE.sub("", unicodedata.normalize("NFC", _latin_1(name))).strip()


def _latin_1(name: str) -> str:
    """``name`` with each byte the file system could not decode as UTF-8 (``\\udcf6``) read as Latin-1 (``ö``)."""
    return _LATIN_1.sub(lambda match: chr(ord(match.group()) - 0xDC00), name)


def _one_of(group: list[Found], exercise: catalog.Info) -> Found:
    """Several files for one student and exercise, or reasons there is none: the row :func:`_chosen` makes of the
    files, which also names the reasons (red team 205: a second submission holding only a zip was never listed); one
    row with every reason where there is no file (red team 204: two zipped uploads stopped the class)."""
    reasons = list(dict.fromkeys(found.problem for found in group if found.path is None and found.problem))
    said = _first_of(reasons, "; ")
    files = [found for found in group if found.path is not None]
    if not files:
        return replace(group[0], problem=said)
    chosen = _chosen(files, exercise)
    if not reasons:
        return chosen
    if chosen.problem:
        return replace(chosen, problem=f"{chosen.problem}; also: {said}")
    return replace(chosen, note=f"{chosen.note}; also: {said}" if chosen.note else f"also: {said}")


def _chosen(files: list[Found], exercise: catalog.Info) -> Found:
    """Of several files for one student and exercise: the edited one when the others are untouched stubs, else zero."""
    if len(files) == 1:
        return files[0]
    files = _distinct(files)
    if len(files) == 1:
        return files[0]
    edited = [found for found in files if not session.untouched(found.path, exercise)]
    if not edited:  # as grade exercise-N chooses: the .py, graded zero like any untouched stub
        chosen = next((found for found in files if found.kind == "py"), files[0])
        others = ", ".join(found.shown for found in files if found is not chosen)
        return replace(chosen, note=f"{others}{UNTOUCHED}")
    if len(edited) == 1:
        others = ", ".join(found.shown for found in files if found is not edited[0])
        return replace(edited[0], note=f"{others}{UNTOUCHED}")
    if all(found.attempt for found in edited) and len({found.attempt for found in edited}) == len(edited):
        latest = max(edited, key=lambda found: found.attempt)  # Blackboard's attempts: the last one counts
        others = ", ".join(found.shown for found in files if found is not latest)
        return replace(latest, note=f"{others}: an earlier attempt, not graded")
    names = _first_of([found.shown for found in edited], ", ")
    stubs = ", ".join(found.shown for found in files if all(found is not other for other in edited))
    return replace(edited[0], problem=f"{len(edited)} files for {exercise.slug} ({names}){_TWO_FILES}"
                   + (f"; {stubs}{UNTOUCHED}" if stubs else ""))


@functools.lru_cache(maxsize=None)
def _stub_functions(stub: str) -> tuple[str, ...]:
    """The functions ``grade start``'s ``stub`` defines: a student's own file for its exercise defines them too."""
    import ast

    path = session.package_file(stub)
    tree = ast.parse(path.read_text(encoding="utf-8")) if path is not None else ast.Module(body=[], type_ignores=[])
    return tuple(node.name for node in tree.body if isinstance(node, ast.FunctionDef))


def _head(path: Path, size: int = 1 << 20) -> str:
    """The first ``size`` bytes of ``path``, as text ("" where it cannot be read)."""
    try:
        with path.open("rb") as file:
            return file.read(size).decode("utf-8", "replace")
    except OSError:
        return ""


def _distinct(files: list[Found]) -> list[Found]:
    """``files`` with each set of files of the very same bytes (Canvas's ``exercise_2 (1).ipynb``, a second upload of
    one file: fairness 34) kept as one, the shortest name, whose note names the others."""
    from autograd_exercises.submission import MAX_FILE

    same: dict[bytes, list[Found]] = {}
    for found in files:
        digest = found.shown.encode()  # (unreadable, or too large to read whole: like no other)
        with contextlib.suppress(OSError):
            if found.path is not None and found.path.stat().st_size <= MAX_FILE:
                digest = hashlib.sha256(found.path.read_bytes()).digest()
        same.setdefault(digest, []).append(found)
    kept = []
    for group in same.values():
        first = min(group, key=lambda found: len(found.shown))  # (``exercise_2.py`` before ``exercise_2 (1).py``)
        copies = ", ".join(found.shown for found in group if found is not first)
        kept.append(replace(first, note=f"{copies}: the same file, graded once") if copies else first)
    return kept


def _a_test(relative: Path) -> bool:
    """A test file in a student's folder (``tests/test_exercise_2.py``, ``exercise_2_test.py``, ``conftest.py``: the
    student's own or a template's), never the submission (fairness 34: it was a second file for the exercise)."""
    name = relative.name.lower()
    return name.startswith("test_") or Path(name).stem.endswith("_test") or name == "conftest.py" or any(
        part.lower() in ("tests", "test") for part in relative.parts[:-1])


_TWO_FILES = ": keep one and grade again"
LISTED = 20  # the files a reason names (red team 81: 5,000 files in one repository made a 675 KB reason)


def _only_tests(tests: list[str]) -> str:
    """Why a student's folder that holds only test files has no submission ("" where it holds none: red team 218's
    folders were "no .py or .ipynb file" while their test files were listed)."""
    if not tests:
        return ""
    return (f"only test files ({_first_of(tests, ', ')}), never the submission: a submission is not named test_*, "
            "*_test or conftest, nor kept in a tests/ folder")


def _first_of(items: list[str], separator: str, shown: int = LISTED) -> str:
    """The first ``shown`` of ``items`` joined by ``separator``, then how many more: ``a, b, and 3 more``."""
    more = f"{separator}and {len(items) - shown:,} more" if len(items) > shown else ""
    return separator.join(items[:shown]) + more


_NAMING = (re.compile(rf"\d+ files for [\w-]+ \((?P<files>.*?)\){re.escape(_TWO_FILES)}"),
           re.compile(rf"(?:^|; )(?P<files>[^;]*?){re.escape(UNTOUCHED)}"))


def files_named(text: str) -> list[str]:
    """The files that a reason or note of :func:`_one_of` lists (a page without names must hide them all)."""
    return [name.strip() for pattern in _NAMING for match in pattern.finditer(text)
            for name in match.group("files").split(", ") if name.strip()]


def nbgrader_course(folder: Path) -> bool:
    """``folder`` holds nbgrader's ``submitted/`` and something nbgrader keeps beside it (:data:`COURSE_MARKS`)."""
    return _to_a_folder(folder / "submitted") and any(entry_kind(folder / mark) != "missing" for mark in COURSE_MARKS)


def discover(root: Path, exercise: str | None, shown: Path | None = None, earlier: dict[str, str] | None = None,
             earlier_sids: set[str] | None = None) -> Plan:
    """What ``grade class`` grades under ``root`` (a folder): ``exercise`` a slug, or None for every exercise;
    ``shown``: what the user gave (a zip extracted into ``root``), for messages; ``earlier``: the ids of rows an
    earlier run wrote for other exercises, kept beside these, and who each was made from (:func:`identity`);
    ``earlier_sids``: those of them that were a roster's SID (:func:`_roster_id`).

    Raises :class:`LayoutError` when nothing under ``root`` is a submission.
    """
    wanted = list(catalog.exercises()) if exercise is None else [catalog.find(exercise)]
    if not root.is_dir():
        raise LayoutError(f"not a folder: {root}")
    finder = _Finder(root, wanted, single=exercise is not None)
    finder.earlier, finder.earlier_sids = dict(earlier or {}), set(earlier_sids or ())
    plan = finder.search()
    if not any(item.path for item in plan.found):
        what = "a submission" if exercise is None else f"a submission of {exercise}"
        extra = f" (only files for other exercises: {len(plan.other_exercise)})" if plan.other_exercise else ""
        raise LayoutError(f"no submission in {shown or root}: no .py or .ipynb file that is {what}{extra}"
                          + _skipped_files(plan.skipped))
    return plan


def _skipped_files(skipped: list[Skipped], shown: int = 2) -> str:
    """The files (not folders) skipped, for the one line that says nothing could be graded: the first
    ``shown`` with their reasons, then how many more."""
    files = [item for item in skipped if not item.shown.endswith("/")]
    if not files:
        return ""
    listed = _first_of([f"{item.shown} ({item.reason})" for item in files], "; ", shown)
    return f"; skipped {len(files)} {'file' if len(files) == 1 else 'files'}: {listed}"
