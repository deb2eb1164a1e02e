"""Benchmark, run by hand: ``python bench/bench_autograde.py [--students 10]``.

``nbgrader autograde exercise-2`` on one fake class, twice over, in fresh copies
of the same course: as the course's ``nbgrader_config.py`` configures it (out of
the kernel: ``GradeOutOfKernel`` in place of ``Execute``), and with nbgrader's
default pipeline put back by an ``nbgrader_config_local.py`` (a Jupyter kernel
per notebook, the test cells grading inside it). For each way it prints

* the wall time of the whole class (what an instructor waits for);
* start-up: from the command to the first student (importing nbgrader);
* the first notebook (out of the kernel it also waits for torch and the sandbox);
* the median of every further notebook, from nbgrader's log time stamps: the cost
  of one more student.

The class cycles through four students of docs/instructors.md: right, no
``y.retain_grad()``, ``/ 6`` for ``/ x.numel()``, ``z.sum()`` for ``z.mean()``.
Both ways must give every student the same points, or the benchmark stops.
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from autograd_exercises.build import generate, nbgrader_course  # noqa: E402

SLUG = "exercise-2"
MISTAKES = [(), (("    y.retain_grad()\n", ""),), (("/ x.numel()", "/ 6"),), (("z.mean()", "z.sum()"),)]
KERNEL_PIPELINE = (
    "from nbgrader.converters.autograde import Autograde\n"
    "c = get_config()  # noqa: F821\n"
    "c.Autograde.autograde_preprocessors = Autograde.class_traits()['autograde_preprocessors'].default()\n"
)


def released_course(folder: Path) -> Path:
    """``assignments/`` as ``grade build`` generates it, with exercise-2 released, in ``folder``."""
    course = folder / "assignments"
    for relative, text in generate.expected_files(ROOT).items():
        if relative.startswith("assignments/"):
            (folder / relative).parent.mkdir(parents=True, exist_ok=True)
            (folder / relative).write_text(text, encoding="utf-8")
    nbgrader_course.generate_assignment(course, SLUG)
    return course


def add_class(course: Path, students: int) -> list[str]:
    """``students`` submissions of exercise-2: the release filled with the solution, some with a mistake."""
    source = json.loads((course / "source" / SLUG / f"{SLUG}.ipynb").read_text(encoding="utf-8"))
    release = json.loads((course / "release" / SLUG / f"{SLUG}.ipynb").read_text(encoding="utf-8"))
    answers = {cell["id"]: "".join(cell["source"]) for cell in source["cells"]}
    names = [f"s{index:02d}" for index in range(1, students + 1)]
    for index, name in enumerate(names):
        nb = copy.deepcopy(release)
        for cell in nb["cells"]:
            if cell["metadata"].get("nbgrader", {}).get("solution"):
                text = answers[cell["id"]]
                for old, new in MISTAKES[index % len(MISTAKES)]:
                    text = text.replace(old, new)
                cell["source"] = text
        folder = course / "submitted" / name / SLUG
        folder.mkdir(parents=True)
        (folder / f"{SLUG}.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    return names


LOG_FORMAT = "--Application.log_format=%(created)f %(message)s"
STUDENT_START = re.compile(r"^(\d+\.\d+) Creating/updating student with ID")
STAMP = re.compile(r"^(\d+\.\d+) ")
STUDENT_NAME = re.compile(r"^\d+\.\d+ Creating/updating student with ID '?([^':]+)'?")


@dataclass
class Run:
    wall: float  # the whole command
    startup: float  # command start → first student
    first: float  # the first notebook
    each: float  # median of the other notebooks
    scores: dict[str, float]
    spans: dict[str, float]  # each student's notebook, in nbgrader's order


def autograde_class(template: Path, kernel: bool, scratch: Path, cell_timeout: float | None = None) -> Run:
    """One ``nbgrader autograde`` of every student in a fresh copy of ``template``, timed from its log
    (``cell_timeout``: nbgrader's ``Execute.timeout`` instead of the course's)."""
    course = scratch / ("kernel" if kernel else "ours")
    shutil.copytree(template, course)
    if kernel:
        timeout = f"c.Execute.timeout = {cell_timeout:g}\n" if cell_timeout is not None else ""
        (course / "nbgrader_config_local.py").write_text(KERNEL_PIPELINE + timeout, encoding="utf-8")
    start = time.time()
    log = nbgrader_course.run_nbgrader(course, "autograde", SLUG, "--student=*", "--create", "--force", LOG_FORMAT)
    wall = time.time() - start
    starts = [float(m.group(1)) for m in map(STUDENT_START.match, log.splitlines()) if m]
    last = max(float(m.group(1)) for m in map(STAMP.match, log.splitlines()) if m)
    spans = [b - a for a, b in zip(starts, starts[1:] + [last])]
    scores = {path.name: nbgrader_course.scores(course, SLUG, path.name)["__total__"]
              for path in sorted((course / "autograded").iterdir())}
    names = [m.group(1) for m in map(STUDENT_NAME.match, log.splitlines()) if m]
    return Run(wall, starts[0] - start, spans[0], statistics.median(spans[1:]), scores,
               dict(zip(names, spans)) if len(names) == len(spans) else {})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=10)
    args = parser.parse_args()
    if args.students < 2:
        parser.error("--students: at least 2")
    with tempfile.TemporaryDirectory() as folder:
        scratch = Path(folder)
        template = released_course(scratch / "template")
        add_class(template, args.students)
        ours, kernel = autograde_class(template, False, scratch), autograde_class(template, True, scratch)
    if ours.scores != kernel.scores:
        raise SystemExit(f"the two ways disagree: {ours.scores} vs {kernel.scores}")
    print(f"nbgrader autograde {SLUG}, {args.students} students (scores: {sorted(ours.scores.values())})")
    for label, run in (("kernel (nbgrader's Execute)", kernel), ("out of the kernel (ours)", ours)):
        print(f"  {label:28} class {run.wall:5.1f} s = start-up {run.startup:4.1f} s + first notebook "
              f"{run.first:4.1f} s + {args.students - 1} x {run.each:4.2f} s (median)")
    print(f"class: {kernel.wall / ours.wall:.1f}x faster; each further notebook: {kernel.each / ours.each:.0f}x faster")


if __name__ == "__main__":
    main()
