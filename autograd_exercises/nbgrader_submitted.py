"""What ``nbgrader autograde`` may copy of a student's ``submitted/<student>/<assignment>/`` folder.

Before it grades a notebook, nbgrader copies every other file of the student's folder into ``autograded/`` (and
``generate_feedback`` on into ``feedback/``, which goes back to the student), following links, and reads the notebook
and ``timestamp.txt`` with no check of what they are. A folder collected from students' repositories may hold links
(git keeps them): one to the course's ``gradebook.db.seed`` handed its secret to the student, one to ``/dev/zero`` or
a pipe held the whole run for good, every student after that one ungraded on every run, the disk filled (red team
214). The course's config calls :func:`guard_submitted_folders`, so that such a folder fails its own student only,
with one line in the log that names what to remove (its control characters escaped: the names are the student's). Only
the standard library and ``printable`` here: every nbgrader command reads the course's config.
"""

from __future__ import annotations

import os
import stat
from typing import Any

from autograd_exercises.printable import printable

MAX_ENTRIES = 1_000  # files and folders in one student's folder (an exercise's submission holds a few)
MAX_BYTES = 100 << 20  # bytes of its files together (GitHub's limit for one file)
TIMESTAMP = "timestamp.txt"  # nbgrader's time of a submission, in its folder
MAX_TIMESTAMP = 256  # bytes of nbgrader's timestamp.txt (one time: ``2026-12-04 11:22:31.123456 UTC``)


class UnsafeSubmission(Exception):
    """A student's submitted folder holds what nbgrader must not copy or read: that student is not graded."""


def unsafe_entry(folder: str) -> str | None:
    """Why nbgrader must not copy or read ``folder``, a student's submitted assignment, or None: the folder, or
    anything in it, is a link, a pipe, a device or a socket, or it holds more than :data:`MAX_ENTRIES` entries or
    :data:`MAX_BYTES` of files, or its ``timestamp.txt`` is longer than one time (red team 215: nbgrader parsed a
    99 MB one as a date for minutes, past 8 GB of memory)."""
    for place in (os.path.dirname(folder.rstrip(os.sep)), folder):  # (the student's folder, then the assignment's)
        if os.path.islink(place):
            return f"{place} is a link: remove it and submit the folder itself"
    count, size, pending, stamp = 0, 0, [folder], os.path.join(folder, TIMESTAMP)
    while pending:
        try:
            with os.scandir(pending.pop()) as entries:
                for entry in entries:
                    count += 1
                    if count > MAX_ENTRIES:
                        return f"{folder} holds more than {MAX_ENTRIES:,} files and folders"
                    info = entry.stat(follow_symlinks=False)
                    if entry.path == stamp and not stat.S_ISREG(info.st_mode):
                        return f"{entry.path} is no file, which nbgrader would read as one: remove it"  # (red team 216)
                    if stat.S_ISDIR(info.st_mode):
                        pending.append(entry.path)
                    elif not stat.S_ISREG(info.st_mode):
                        what = "a link" if stat.S_ISLNK(info.st_mode) else "a pipe, a device or a socket"
                        return f"{entry.path} is {what}, which nbgrader would copy or read: remove it"
                    elif (size := size + info.st_size) > MAX_BYTES:
                        return f"{folder} holds more than {MAX_BYTES >> 20} MB of files"
                    elif entry.path == stamp and info.st_size > MAX_TIMESTAMP:
                        return f"{entry.path} is longer than one time ({MAX_TIMESTAMP} bytes at most), which " \
                               "nbgrader would read whole: remove it"
        except OSError as exc:
            return f"{exc.filename or folder} could not be read ({exc.strerror})"
    return None


def guard_submitted_folders() -> None:
    """Make nbgrader's ``Autograde`` read each student's submitted folder with :func:`unsafe_entry` before it copies
    anything: an unsafe one logs one line and raises :class:`UnsafeSubmission`, which nbgrader counts as that student's
    failure (it grades the others, then exits 1 naming them). Called by the course's config; once is enough."""
    from nbgrader.converters.autograde import Autograde

    copy = Autograde.init_assignment
    if getattr(copy, "guarded", False):
        return

    def init_assignment(self: Any, assignment_id: str, student_id: str) -> None:
        why = unsafe_entry(self._format_source(assignment_id, student_id))
        if why is not None:
            self.log.error("Not graded: %s's %s: %s", printable(student_id), printable(assignment_id), printable(why))
            raise UnsafeSubmission(why)
        copy(self, assignment_id, student_id)

    init_assignment.guarded = True  # type: ignore[attr-defined]
    Autograde.init_assignment = init_assignment  # type: ignore[method-assign]
