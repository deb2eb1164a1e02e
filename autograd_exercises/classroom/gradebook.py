"""``grade class --gradebook PATH/gradebook.db``: the grades in nbgrader's gradebook, as ``nbgrader autograde`` writes them.

Everything that touches the gradebook is nbgrader's own code, run in the instructor's process,
around the one step our course config already swaps for nbgrader's ``Execute``:

1. :meth:`Gradebook.prepare` (before grading) does what ``nbgrader autograde`` does for a submitted
   notebook: creates or updates the student and the submission (with ``timestamp.txt``'s time),
   reads the notebook with nbformat and runs the course's sanitising preprocessors
   (``Autograde.sanitize_preprocessors``: clear outputs, deduplicate ids, put back every locked cell
   from the gradebook, re-insert deleted test cells, …). The sanitised notebook is what is graded.
2. A worker grades it with :func:`autograd_exercises.autograde.grade_notebook`, exactly what
   ``GradeOutOfKernel`` calls inside ``nbgrader autograde``, with the seed that step gives it
   (:meth:`Gradebook.seed`, :mod:`.course_seed`), and sends back each test cell's outputs.
3. :meth:`Gradebook.record` puts those outputs into the cells and runs the course's autograde
   preprocessors that follow the grading step (``SaveAutoGrades`` writes each test cell's
   ``auto_score`` through ``nbgrader.api.Gradebook``, ``AssignLatePenalties``, …), then writes the
   graded notebook to ``autograded/<student>/<assignment>/`` beside the gradebook, where the
   formgrader reads it.

So ``nbgrader export`` and the formgrader show the same points per cell as after ``nbgrader
autograde`` (``tests/test_classroom_nbgrader.py`` compares them). A ``.py`` submission (an LMS
download) has no cells: :meth:`Gradebook.record_checks` writes each check's points into the test
cell that names it (read from the gradebook's copy of the cell).

The course's ``nbgrader_config.py`` beside the gradebook (with its ``nbgrader_config_local.py``) is
read for the preprocessors' settings.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import warnings
from pathlib import Path
from typing import Any

from autograd_exercises.classroom.outputs import atomic_write
from autograd_exercises.nbgrader_submitted import MAX_TIMESTAMP, TIMESTAMP
from autograd_exercises.submission import shortened

_GRADING_STEPS = ("GradeOutOfKernel", "Execute")


class GradebookError(Exception):
    """The gradebook cannot be used at all (missing, nbgrader not installed): one line, for ``Error:``."""


class SubmissionRefused(Exception):
    """This submission cannot go into the gradebook (unknown assignment, unreadable notebook)."""


def identity(notebook: bytes) -> bytes:
    """What decides a sanitised notebook's grade, for the cache key: the notebook without cell ids
    (nbgrader gives a test cell it puts back a fresh random id each time)."""
    from autograd_exercises.submission import SubmissionError, notebook_json

    try:
        nb = notebook_json("", notebook.decode("utf-8", "replace"))
        for cell in nb.get("cells", []):
            cell.pop("id", None)
        return json.dumps(nb, sort_keys=True).encode()
    except (SubmissionError, ValueError, AttributeError, TypeError, RecursionError):
        return notebook


def _name(step: Any) -> str:
    return step if isinstance(step, str) else f"{step.__module__}.{step.__qualname__}"


def _require_gradebook(path: Path) -> None:
    """:class:`GradebookError` unless ``path`` is an SQLite database with nbgrader's tables (nbgrader would turn any
    other file, an empty one included, into a new gradebook, or fail on every submission)."""
    import sqlite3

    try:
        with path.open("rb") as handle:
            header = handle.read(16)
        if header != b"SQLite format 3\x00":
            raise GradebookError(f"{path} is not an nbgrader gradebook (not an SQLite database"
                                 f"{': it is empty' if not header else ''})")
        with contextlib.closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as db:
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except (OSError, sqlite3.Error) as exc:
        raise GradebookError(f"cannot read the gradebook {path}: {exc}") from None
    if not {"assignment", "notebook", "student"} <= tables:
        raise GradebookError(f"{path} is not an nbgrader gradebook (it has no assignment, notebook and student tables)")


class Gradebook:
    """nbgrader's gradebook at ``path`` and its course's configuration."""

    def __init__(self, path: Path) -> None:
        logging.getLogger("autograd_exercises.classroom.nbgrader").setLevel(logging.ERROR)
        warnings.filterwarnings("ignore", module="nbgrader")  # SQLAlchemy's SAWarning from nbgrader's api
        warnings.filterwarnings("ignore", message="Cell is missing an id field")
        try:
            import nbformat  # noqa: F401
            from nbgrader import api  # noqa: F401
        except ImportError:
            raise GradebookError("--gradebook needs nbgrader: pip install 'autograd-exercises[instructor]'") from None
        if not path.is_file():
            raise GradebookError(f"no gradebook at {path} (nbgrader generate_assignment creates it)")
        _require_gradebook(path)
        self.path = path.resolve()
        self.root = self.path.parent
        self.db_url = f"sqlite:///{self.path}"
        self.config = self._config()
        self.course_id = self.config.CourseDirectory.get("course_id") or "default_course"
        from autograd_exercises.nbgrader_step import configured_times

        self.times = configured_times(self.config)  # (per check, per notebook cell), as nbgrader autograde grades
        self._assignments: dict[str, bool] = {}
        self._notebooks: dict[str, Any] = {}  # key → sanitised notebook (between prepare and record)

    @functools.cached_property
    def secret(self) -> int:
        """The course's secret seed, beside this gradebook, read once (:func:`.course_seed.course_secret`)."""
        from autograd_exercises.classroom import course_seed

        return course_seed.course_secret(self.path)

    def seed(self, student: str, exercise: str, graded: bytes, mode: str) -> int:
        """The seed of ``student``'s submission: a sanitised notebook's (``mode`` "cells") as ``nbgrader autograde``
        gives it, from its code (:func:`.course_seed.derived`); any other file's from the secret and its bytes."""
        from autograd_exercises.classroom import batch, course_seed
        from autograd_exercises.classroom.task import sha256
        from autograd_exercises.submission import SubmissionError, notebook_json

        if mode == "cells":
            try:
                cells = notebook_json("", graded.decode("utf-8", "replace")).get("cells")
            except (SubmissionError, ValueError, AttributeError, RecursionError):
                cells = None
            return course_seed.derived(self.secret, student, cells)
        return batch.student_seed(self.secret, student, exercise, sha256(graded))

    def _config(self) -> Any:
        from traitlets.config import Config
        from traitlets.config.loader import PyFileConfigLoader

        if not (self.root / "nbgrader_config.py").is_file():
            return Config()
        try:
            return PyFileConfigLoader("nbgrader_config.py", path=str(self.root)).load_config()
        except Exception as exc:
            raise GradebookError(f"cannot read {self.root / 'nbgrader_config.py'}: {exc}") from None

    def _steps(self, which: str) -> list[Any]:
        from nbgrader.converters.autograde import Autograde
        from traitlets.utils.importstring import import_item

        configured = self.config.Autograde.get(which)
        steps = list(configured) if configured is not None else list(Autograde.class_traits()[which].default())
        if which == "autograde_preprocessors":
            names = [_name(step) for step in steps]
            grading = [index for index, name in enumerate(names) if name.rsplit(".", 1)[-1] in _GRADING_STEPS]
            steps = steps[grading[0] + 1:] if grading else steps
        made = [(import_item(step) if isinstance(step, str) else step)(config=self.config) for step in steps]
        for step in made:  # its warnings (a changed checksum: every hidden test cell has one) are not for a batch
            step.log = logging.getLogger("autograd_exercises.classroom.nbgrader")
        return made

    def resources(self, student: str, assignment: str, notebook: str) -> dict[str, Any]:
        return {"unique_key": notebook, "output_files_dir": f"{notebook}_files",
                "nbgrader": {"student": student, "assignment": assignment, "notebook": notebook,
                             "db_url": self.db_url}}

    def _submission(self, student: str, assignment: str, timestamp: Any) -> None:
        """The student and the submission, as ``nbgrader autograde`` creates them (``init_assignment``)."""
        from nbgrader.api import Gradebook as NbGradebook, MissingEntry

        with NbGradebook(self.db_url, self.course_id) as gb:
            gb.update_or_create_student(student)
            try:
                gb.find_assignment(assignment)
            except MissingEntry:
                raise SubmissionRefused(f"assignment {assignment!r} is not in the gradebook "
                                        "(run nbgrader generate_assignment)") from None
            if timestamp:
                gb.update_or_create_submission(assignment, student, timestamp=timestamp)
            else:
                gb.update_or_create_submission(assignment, student)

    @staticmethod
    def timestamp(folder: Path | None) -> Any:
        """The submission's time from nbgrader's ``timestamp.txt`` (None without one, or where it is no plain file of
        at most :data:`MAX_TIMESTAMP` bytes: the student's folder may hold a link to ``/dev/zero`` or a FIFO there,
        red team 46)."""
        from nbgrader.utils import parse_utc

        from autograd_exercises.submission import SubmissionError, read_plain_file

        try:
            raw, size = read_plain_file(folder / TIMESTAMP, MAX_TIMESTAMP) if folder else (b"", 0)
            text = raw.decode("utf-8", "replace").strip() if size <= MAX_TIMESTAMP else ""
        except (OSError, SubmissionError):
            return None
        try:
            return parse_utc(text) if text else None
        except (ValueError, OverflowError):  # (red team 81: a year past what a time holds raised OverflowError)
            return None

    def prepare(self, student: str, assignment: str, notebook: str, data: bytes) -> bytes:
        """The notebook as nbgrader would grade it (sanitised against the gradebook). The submission is registered
        only with its grades (:meth:`record`): a run stopped before then leaves nothing of it in the gradebook.

        Raises :class:`SubmissionRefused` for a notebook nbgrader could not read or an unknown assignment.
        """
        import nbformat
        from nbgrader.api import Gradebook as NbGradebook, MissingEntry

        from autograd_exercises.submission import SubmissionError, notebook_json

        text = data.decode("utf-8", "replace")
        try:  # the grader's own bounds first: on millions of values nbformat and the sanitising take gigabytes
            notebook_json(f"{notebook}.ipynb", text)
        except SubmissionError as exc:
            raise SubmissionRefused(str(exc)) from None
        try:
            nb = nbformat.reads(text, as_version=4)
        except Exception as exc:
            raise SubmissionRefused(f"nbgrader cannot read this notebook ({type(exc).__name__}: "
                                    f"{shortened(str(exc))})") from None
        with NbGradebook(self.db_url, self.course_id) as gb:
            try:
                gb.find_assignment(assignment)
            except MissingEntry:
                raise SubmissionRefused(f"assignment {assignment!r} is not in the gradebook "
                                        "(run nbgrader generate_assignment)") from None
            try:
                gb.find_notebook(notebook, assignment)
            except MissingEntry:
                raise SubmissionRefused(f"{notebook}.ipynb is not a notebook of {assignment} in the gradebook") from None
        resources = self.resources(student, assignment, notebook)
        try:
            for step in self._steps("sanitize_preprocessors"):
                nb, resources = step(nb, resources)
        except Exception as exc:  # nbgrader's own failure on this notebook (it would skip it too)
            raise SubmissionRefused(f"nbgrader could not prepare this notebook ({type(exc).__name__}: {exc})") from None
        text = nbformat.writes(nb)
        return text.encode("utf-8")

    def register(self, student: str, assignment: str, folder: Path | None) -> None:
        """The student and the submission (``timestamp.txt`` in ``folder``), as ``nbgrader autograde`` registers every
        submitted notebook, one it cannot read too."""
        self._submission(student, assignment, self.timestamp(folder))

    def record(self, row: dict[str, Any], student: str, assignment: str, notebook: str, graded: bytes,
               folder: Path | None = None) -> None:
        """Register the submission and save a notebook row's grades as ``nbgrader autograde`` does; write its
        autograded notebook."""
        import nbformat

        self.register(student, assignment, folder)
        nb = nbformat.reads(graded.decode("utf-8"), as_version=4)
        for index, outputs in (row.get("cells") or {}).items():
            cell = nb.cells[int(index)]
            cell.outputs = [nbformat.from_dict(output) for output in outputs]
            cell.execution_count = None
        resources = self.resources(student, assignment, notebook)
        for step in self._steps("autograde_preprocessors"):
            nb, resources = step(nb, resources)
        target = self.root / "autograded" / student / assignment / f"{notebook}.ipynb"
        atomic_write(target, nbformat.writes(nb), mode=self.permissions())

    def permissions(self) -> int:
        """The autograded notebook's mode, as ``nbgrader autograde`` sets it: the course's
        ``Autograde.permissions``, by default 444 (664 in a group-shared course)."""
        configured = self.config.Autograde.get("permissions")
        if configured is None:
            configured = 664 if self.config.CourseDirectory.get("groupshared") else 444
        return int(str(configured), 8)

    def record_checks(self, row: dict[str, Any], student: str, assignment: str, timestamp: Any = None) -> None:
        """Save a ``.py`` row's points per check into the test cells that name them."""
        from nbgrader.api import Gradebook as NbGradebook

        from autograd_exercises.autograde import check_call

        self._submission(student, assignment, timestamp)
        checks = row.get("checks") or {}
        with NbGradebook(self.db_url, self.course_id) as gb:
            for notebook in gb.find_assignment(assignment).notebooks:
                for cell in notebook.grade_cells:
                    try:
                        source = gb.find_source_cell(cell.name, notebook.name, assignment).source
                    except Exception:
                        source = ""
                    call = check_call(source or "")
                    grade = gb.find_grade(cell.name, notebook.name, assignment, student)
                    grade.auto_score = float(checks[call[1]][0]) if call and call[1] in checks else 0.0
                    grade.needs_manual_grade = False
            gb.db.commit()

