"""Benchmarks, run by hand: ``python bench/bench_grade.py [--runs 5]``.

1. Start-up: wall time of ``grade exercise-2 SOLUTION`` against ``python -c "import torch"``,
   interleaved in the same run; prints the median ratio (target ≤ 1.2×: torch's import is the floor).
2. Per-submission cost with a warm fork-server (target: tens of ms per submission), against the
   spawn fallback (a fresh interpreter per check) measured in the same run.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOLUTION = ROOT / "solutions" / "exercise_2.py"
GRADE = Path(sys.executable).with_name("grade")


def wall(command: list[str], cwd: str) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def startup(runs: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        grade_cmd = [str(GRADE), "exercise-2", str(SOLUTION), "--seed", "1"]
        torch_cmd = [sys.executable, "-c", "import torch"]
        wall(torch_cmd, folder), wall(grade_cmd, folder)  # warm the page cache
        grade_times, torch_times = [], []
        for _ in range(runs):
            torch_times.append(wall(torch_cmd, folder))
            grade_times.append(wall(grade_cmd, folder))
    g, t = statistics.median(grade_times), statistics.median(torch_times)
    print(f"start-up: grade exercise-2 {g:.2f} s, import torch {t:.2f} s (medians of {runs})")
    print(f"start-up ratio: {g / t:.2f}x   (target <= 1.2x)")


def per_submission(runs: int) -> None:
    import graders
    from autograd_exercises import grading, submission
    from autograd_exercises.sandbox import Sandbox

    exercise, sub = graders.find("exercise-2"), submission.load(SOLUTION)
    with Sandbox() as box:
        box.wait_ready()
        grading.grade(exercise, sub, sandbox=box, seed=0)  # warm
        start = time.perf_counter()
        for seed in range(runs):
            assert grading.grade(exercise, sub, sandbox=box, seed=seed).full_marks
        fork_cost = (time.perf_counter() - start) / runs
    with Sandbox(spawn=True) as box:
        box.wait_ready()
        start = time.perf_counter()
        assert grading.grade(exercise, sub, sandbox=box, seed=0, timeout=60).full_marks
        spawn_cost = time.perf_counter() - start
    checks = len(exercise.checks) + 1  # + the import preflight
    print(f"per submission (fork-server): {fork_cost * 1000:.0f} ms for {checks} sandboxed runs "
          f"({fork_cost * 1000 / checks:.0f} ms each), mean of {runs}")
    print(f"per submission (spawn fallback): {spawn_cost * 1000:.0f} ms")
    print(f"fork-server speed-up over spawn: {spawn_cost / fork_cost:.0f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    startup(args.runs)
    per_submission(max(args.runs * 4, 10))


if __name__ == "__main__":
    main()
