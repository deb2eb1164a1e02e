"""Benchmark, run by hand: per-check cost of the sandbox with every layer on, against an older sandbox.

    python bench/bench_sandbox.py [--runs 20] [--baseline f6db80f]

The baseline is the sandbox as it was at ``--baseline`` (default: the last commit
before the fork-server moved into bubblewrap's namespaces, with per-child scratch
tmpfs, libseccomp, cgroups and bounded report reading), unpacked with
``git archive`` into a temporary folder and measured in the same run, rounds
interleaved. Each side grades the exercise-2 solution ``--runs`` times with a
warm fork-server; the figure is wall time per sandboxed run (checks + the import
preflight). Target: the current sandbox costs at most 1.5x the baseline per check.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOLUTION = ROOT / "solutions" / "exercise_2.py"

MEASURE = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
import graders
from autograd_exercises import grading, submission
from autograd_exercises.sandbox import Sandbox
runs = int(sys.argv[3])
exercise, sub = graders.find("exercise-2"), submission.load(sys.argv[2])
with Sandbox() as box:
    box.wait_ready()
    assert grading.grade(exercise, sub, sandbox=box, seed=0).full_marks  # warm
    start = time.perf_counter()
    for seed in range(runs):
        assert grading.grade(exercise, sub, sandbox=box, seed=seed).full_marks
    seconds = (time.perf_counter() - start) / runs / (len(exercise.checks) + 1)
    print(json.dumps({"ms_per_check": seconds * 1000, "layers": box.layers}))
"""


def measure(root: Path, runs: int) -> dict:
    """One side's figures, measured in a fresh interpreter with ``root`` first on its path."""
    proc = subprocess.run([sys.executable, "-c", MEASURE, str(root), str(SOLUTION), str(runs)],
                          capture_output=True, text=True, cwd=root)
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        hint = (" (a sandbox that runs in bubblewrap imports the installed package, not this unpacked copy: "
                "pick a baseline from before it moved there)") if root != ROOT else ""
        sys.exit(f"Error: measuring {root} failed: {last}{hint}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def unpack(revision: str, folder: Path) -> Path:
    """The tree of ``revision`` (its packages only) unpacked into ``folder``."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", revision, "autograd_exercises", "graders"],
                             capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--baseline", default="f6db80f")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        old_root = unpack(args.baseline, Path(folder))
        old, new = [], []
        for _ in range(args.rounds):
            old.append(measure(old_root, args.runs))
            new.append(measure(ROOT, args.runs))
    old_ms = statistics.median(r["ms_per_check"] for r in old)
    new_ms = statistics.median(r["ms_per_check"] for r in new)
    print(f"baseline {args.baseline}: {old_ms:.1f} ms per check   layers: {', '.join(old[0]['layers'])}")
    print(f"current:          {new_ms:.1f} ms per check   layers: {', '.join(new[0]['layers'])}")
    print(f"ratio current/baseline: {new_ms / old_ms:.2f}x   (target <= 1.5x; medians of {args.rounds} rounds)")


if __name__ == "__main__":
    main()
