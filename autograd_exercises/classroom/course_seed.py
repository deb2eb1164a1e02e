"""The seeds of submitted notebooks, graded by ``nbgrader autograde`` or ``grade class --gradebook``.

A student's own test cells grade at seed 0 (:data:`autograd_exercises.notebook.NOTEBOOK_SEED`), a number every
student has, so a notebook could hold a table of the answers for those inputs: it scored 10/10 with no derivative
written (red team 167). The course grades with other inputs: ``AUTOGRAD_SEED`` where the instructor sets it (one seed
for every notebook), else each student's own, a digest of (the course's secret, the student's id, the notebook's
code), as ``grade class`` derives a student's seed from its class seed
(:func:`~autograd_exercises.classroom.batch.student_seed`). The secret is a random number kept beside the gradebook
(``gradebook.db.seed``, readable by its owner alone), made at the course's first grading. Both ways of grading read
the same secret and the same code, so they give the same points.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from pathlib import Path
from typing import Any

SUFFIX = ".seed"
MAX_TEXT = 64  # bytes read of the secret's file (one whole number)
NOTEBOOK = "notebook"  # what stands for the exercise in a notebook's seed (nbgrader names the assignment, not it)


def secret_path(gradebook: Path) -> Path:
    """Where the secret of the course whose gradebook is ``gradebook`` lives: beside the file it is (through any link:
    red team 172's linked gradebook had nbgrader and ``grade class`` each make a secret of their own)."""
    gradebook = Path(gradebook).resolve()
    return gradebook.with_name(gradebook.name + SUFFIX)


def course_secret(gradebook: Path) -> int:
    """The course's secret, made on first use: a random whole number written whole to a file of its own, then linked
    into place, so two graders that start together read the same one. :class:`ValueError` (one line, to show) for a
    file that holds something else, or one that cannot be made or read."""
    path = secret_path(gradebook)
    try:
        return _made(path)
    except OSError as exc:
        raise ValueError(f"cannot make or read the course's secret seed {path}: {exc.strerror or exc}") from None


def _made(path: Path) -> int:
    """The number in ``path``, made first where there is none."""
    if not path.exists():
        scratch = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        with os.fdopen(os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as stream:
            stream.write(f"{secrets.randbelow(10**18)}\n")
            stream.flush()
            os.fsync(stream.fileno())
        try:
            os.link(scratch, path)
        except FileExistsError:
            pass  # (another grader made it first: its number is the course's)
        finally:
            os.unlink(scratch)
    with open(path, "rb") as stream:
        text = stream.read(MAX_TEXT).decode("ascii", "replace").strip()
    if not (text.isascii() and text.isdigit()):
        raise ValueError(f"{path} must hold one whole number, the course's secret seed: put back your copy of it "
                         "(a backup of the gradebook's folder), or delete it and the next grading makes a new one, "
                         "which gives every student new inputs")
    return int(text)


def code_fingerprint(cells: Any) -> str:
    """The sha256 of a notebook's code cells' sources, in order: what both ways of grading see alike of a notebook
    nbgrader sanitised (a cell's source may be one string or a list of lines)."""
    sources = []
    for cell in cells if isinstance(cells, list) else []:
        if isinstance(cell, dict) and cell.get("cell_type") == "code":
            source = cell.get("source", "")
            sources.append("".join(source) if isinstance(source, list) else str(source))
    return hashlib.sha256(json.dumps(sources).encode("utf-8", "surrogateescape")).hexdigest()


def db_file(db_url: Any) -> Path | None:
    """The file of an nbgrader ``db_url`` (``sqlite:////course/gradebook.db``); None for another database."""
    prefix = "sqlite:///"
    if isinstance(db_url, str) and db_url.startswith(prefix) and len(db_url) > len(prefix):
        return Path(db_url[len(prefix):])
    return None


def notebook_seed(gradebook: Path | None, student: str, cells: Any) -> int:
    """The seed a submitted notebook is graded with: ``AUTOGRAD_SEED`` if set, else this student's own from the
    secret beside ``gradebook`` and the notebook's code. :class:`ValueError` (one line) for a bad ``AUTOGRAD_SEED``,
    a bad secret, or a gradebook that is no file with no ``AUTOGRAD_SEED``."""
    from autograd_exercises import notebook

    if os.environ.get("AUTOGRAD_SEED", "").strip():
        return notebook.notebook_seed()
    if gradebook is None:
        raise ValueError("the course's gradebook is not an SQLite file, so it has no secret seed beside it: set "
                         "AUTOGRAD_SEED to a secret whole number")
    return derived(course_secret(gradebook), student, cells)


def derived(secret: int, student: str, cells: Any) -> int:
    """A notebook's seed from the course's ``secret``: a digest of it, the student's id and the notebook's code."""
    from autograd_exercises.classroom.batch import student_seed

    return student_seed(secret, student, NOTEBOOK, code_fingerprint(cells))
