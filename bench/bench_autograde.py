"""Benchmark, run by hand: ``python bench/bench_autograde.py [--students 10]``.

``nbgrader autograde exercise-2`` on one fake class, twice over: as the course's
``nbgrader_config.py`` configures it (out of the kernel: ``GradeOutOfKernel``
in place of ``Execute``), and with nbgrader's default pipeline put back by an
``nbgrader_config_local.py`` (a Jupyter kernel per notebook, the test cells
grading inside it). Each way grades one student, then the whole class, in
fresh copies of the same course, so that

* the wall time of the class is what an instructor waits for, and
* (class − one) / (students − 1) is the cost of one more notebook, without the
  fixed cost of starting nbgrader (and, out of the kernel, torch and the sandbox).

The class cycles through four students of docs/instructors.md: right, no
``y.retain_grad()``, ``/ 6`` for ``/ x.numel()``, ``z.sum()`` for ``z.mean()``.
Both ways must give every student the same points, or the benchmark stops.
"""

from __future__ import annotations

import argparse
import copy
import json
import shutil
import sys
import tempfile
import time
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


def timed_autograde(template: Path, students: str, kernel: bool, scratch: Path) -> tuple[float, dict[str, float]]:
    """Wall time of one ``nbgrader autograde`` in a fresh copy of ``template``, and each student's total."""
    course = scratch / f"{'kernel' if kernel else 'ours'}-{students.strip('*') or 'all'}"
    shutil.copytree(template, course)
    if kernel:
        (course / "nbgrader_config_local.py").write_text(KERNEL_PIPELINE, encoding="utf-8")
    start = time.perf_counter()
    nbgrader_course.run_nbgrader(course, "autograde", SLUG, f"--student={students}", "--create", "--force")
    seconds = time.perf_counter() - start
    graded = sorted(path.name for path in (course / "autograded").iterdir())
    return seconds, {name: nbgrader_course.scores(course, SLUG, name)["__total__"] for name in graded}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        scratch = Path(folder)
        template = released_course(scratch / "template")
        names = add_class(template, args.students)
        runs = {}
        for kernel in (False, True):
            for who in (names[0], "*"):
                runs[kernel, who] = timed_autograde(template, who, kernel, scratch)
        if runs[False, "*"][1] != runs[True, "*"][1]:
            raise SystemExit(f"the two ways disagree: {runs[False, '*'][1]} vs {runs[True, '*'][1]}")
    n = args.students
    print(f"nbgrader autograde {SLUG}, {n} students (scores: {sorted(runs[False, '*'][1].values())})")
    for kernel, label in ((True, "kernel (nbgrader's Execute)"), (False, "out of the kernel (ours)")):
        one, every = runs[kernel, names[0]][0], runs[kernel, "*"][0]
        print(f"  {label:28} 1 student {one:5.1f} s   {n} students {every:5.1f} s   "
              f"per more notebook {(every - one) / (n - 1):5.2f} s")
    kernel_each = (runs[True, "*"][0] - runs[True, names[0]][0]) / (n - 1)
    ours_each = (runs[False, "*"][0] - runs[False, names[0]][0]) / (n - 1)
    print(f"class wall time: {runs[True, '*'][0] / runs[False, '*'][0]:.1f}x faster; "
          f"per notebook: {kernel_each / max(ours_each, 1e-3):.0f}x faster")


if __name__ == "__main__":
    main()
