"""``GradeOutOfKernel``: the step of ``nbgrader autograde`` that takes the place of ``Execute``.

nbgrader's autograde runs two lists of preprocessors on each submitted notebook:
``sanitize_preprocessors`` (clear outputs, deduplicate ids, overwrite the
kernelspec, put back every locked cell from the gradebook, validate), then
``autograde_preprocessors`` (``Execute`` — run the notebook in a kernel —, then
ignore stderr patterns, clear metadata, limit output, save the grades, late
penalties, validate). The course's generated ``nbgrader_config.py`` sets the
second list to ``build/nbgrader_course.py: AUTOGRADE_PREPROCESSORS``: nbgrader's own, with ``Execute``
replaced by :class:`GradeOutOfKernel`, which grades the sanitised notebook with
:func:`autograd_exercises.autograde.grade_notebook` (no kernel) and leaves each
test cell's verdict in its outputs, where ``SaveAutoGrades``, ``generate_feedback``,
the formgrader and ``export`` read it as usual. Each student's notebook gets inputs of its own, seeded from the
course's secret beside the gradebook, unless ``AUTOGRAD_SEED`` is set (:mod:`autograd_exercises.classroom.course_seed`).

The sandbox starts when the first notebook's step is made and serves every
notebook of the run; it is closed when nbgrader exits. Each notebook cell gets the
time nbgrader's ``Execute.timeout`` would give it (the course's config sets 60 s),
so a cell that nbgrader would interrupt is interrupted here too.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Float

from autograd_exercises.autograde import grade_notebook, shared_sandbox


def configured_times(config: Any) -> tuple[float | None, float | None]:
    """(seconds per check, seconds per notebook cell) a course's nbgrader config sets for grading out of the kernel:
    ``GradeOutOfKernel.timeout``, and ``GradeOutOfKernel.cell_timeout``, else ``Execute.timeout``; None where it sets
    none (the grader's defaults). ``nbgrader autograde`` and ``grade class --gradebook`` both grade by them."""
    def seconds(section: str, name: str) -> float | None:
        value = config.get(section, {}).get(name)
        return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0 else None

    return seconds("GradeOutOfKernel", "timeout"), seconds("GradeOutOfKernel", "cell_timeout") or \
        seconds("Execute", "timeout")


class CurrentMetadataSchema(NbGraderPreprocessor):
    """Every cell's nbgrader ``schema_version`` set to the one this nbgrader writes, first of the sanitising steps and
    again before their check (``DeduplicateIds`` and ``OverwriteCells`` may leave a cell metadata without one).

    nbgrader ends the whole ``autograde`` run, not one notebook, on a cell whose metadata claims another version of
    its format (``SchemaTooOldError``, ``SchemaTooNewError``), and ``OverwriteCells`` puts back every other field of a
    cell from the gradebook but that one: a student who set it in their own cell left every student after them
    ungraded, on every run (red team 213). The version is the course's: the release wrote it, and nbgrader upgrades no
    submitted notebook."""

    def preprocess_cell(self, cell: Any, resources: dict, index: int) -> tuple[Any, dict]:
        from nbgrader.nbgraderformat import MetadataValidator

        fields = cell.get("metadata", {}).get("nbgrader") if isinstance(cell.get("metadata"), dict) else None
        if isinstance(fields, dict):
            fields["schema_version"] = MetadataValidator().schema_version
        return cell, resources


class GradeOutOfKernel(NbGraderPreprocessor):
    """Grade the notebook as ``grade exercise-N file.ipynb`` does; write each test cell's verdict."""

    timeout = Float(0.0, help="Seconds each check may run in the sandbox (the checks that share one call of a "
                              "function share its time; 0: the grader's default).").tag(config=True)
    cell_timeout = Float(0.0, help="Seconds each notebook cell may run (0: Execute.timeout from the config, "
                                   "else the grader's default, 60, as the course's config sets it).").tag(config=True)

    def _cell_timeout(self) -> float | None:
        return self.cell_timeout or configured_times(self.config)[1]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        shared_sandbox()  # the server imports torch while nbgrader reads the notebook

    def preprocess(self, nb: Any, resources: dict) -> tuple[Any, dict]:
        """Fill the test cells of ``nb``; log the score."""
        from autograd_exercises.classroom import course_seed

        info = resources.get("nbgrader", {})
        name = f"{info.get('student', '?')}/{info.get('assignment', '?')}/{info.get('notebook', 'notebook')}.ipynb"
        try:
            seed = course_seed.notebook_seed(course_seed.db_file(info.get("db_url")), str(info.get("student", "")),
                                             nb.get("cells"))
        except ValueError as exc:  # (the course's seed: no notebook of the run can be graded)
            self._stop(info, str(exc))
        results = grade_notebook(nb, sandbox=shared_sandbox(), seed=seed, path=name,
                                 timeout=self.timeout or None, cell_timeout=self._cell_timeout())
        if not results:  # (red team 215: an 84 MB notebook logged "0/0", its reason in its test cells alone)
            self.log.warning("Graded %s out of the kernel: no check could be run (a notebook too large or unreadable, "
                             "or none of the course's test cells): each test cell's output says why", name)
            return nb, resources
        score = sum(result.score for result in results)
        top = sum(result.max_score for result in results)
        self.log.info("Graded %s out of the kernel: %g/%g (seed %d)", name, score, top, seed)
        return nb, resources

    def _stop(self, info: dict, reason: str) -> None:
        """End the whole run on a fault of the course, not of one notebook (a bad secret seed or
        ``AUTOGRAD_SEED``): one line in the log, not nbgrader's traceback for each student in turn; this
        student's half-made ``autograded/`` folder removed, as nbgrader removes a failed one, so the next
        run grades it; exit status 1."""
        self.log.error("Cannot grade out of the kernel: %s", reason)
        converter = getattr(self.parent, "parent", None)  # (the exporter's parent: nbgrader's Autograde)
        coursedir = getattr(converter, "coursedir", None)
        if coursedir is not None and info.get("student") and info.get("assignment"):
            folder = Path(coursedir.format_path(coursedir.autograded_directory, info["student"], info["assignment"]))
            shutil.rmtree(folder, ignore_errors=True)
        raise SystemExit(1)
