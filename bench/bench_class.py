"""Benchmark, run by hand: ``python bench/bench_class.py [--students 240] [--sample 6] [--scheduler local:1 local:2]``.

A realistic synthetic class of exercise-2 (``tests/class_builder.py``): half ``.py`` files, half
filled-in release notebooks; right answers, every named mistake of ``tests/test_exercise_2.py``,
syntax errors, two submissions that hang (``tests/hostile/sleep_forever``, ``busy_loop``: each holds
a worker for one timeout, the call its two checks share; ``--hangs 0`` leaves them out) and a few hostile ones
(``tests/hostile/``: a fork bomb, an output flood, one killing its parent, one reading
``/etc/shadow``, a fake score printed, ``os._exit``), in a fixed shuffled order. While a
submission has stalled and a core sits idle (the sleeping one), ``grade class`` forks one spare worker
(``LocalPool.spares``), counted here like the others. It is graded by ``grade class`` (in this
process, :func:`autograd_exercises.classroom.batch.run`, so the workers' memory can be read) with 1
and then 2 workers, each time from scratch (``--regrade``), and a sample of its notebooks (right
answers and mistakes only: a kernel has no sandbox) by ``nbgrader autograde`` with nbgrader's own
kernel ``Execute`` step (``bench/bench_autograde.py``'s course copy with the default
``Autograde.autograde_preprocessors`` restored).

Printed per run: submissions per second and ms per submission — for the whole command (start-up
included) and in the steady state (from the first row once every worker has started to the last: the workers
after the first are forked from it while it grades) —, the ratio to nbgrader's cost per notebook
(the median of its further notebooks, from its log) and to nbgrader on the whole class (the hanging
submissions graded by nbgrader's kernels too, as notebooks, with ``Execute.timeout`` set to ``--timeout``:
each hangs in two test cells; every other notebook at the median), the CPU time all our processes spent
per submission (what it would take on idle cores: the machine this runs on may be shared) and, in the steady
state, by kind of process (the checks' sandboxed children, the workers, the zygotes forking them, the sandbox
servers with bubblewrap, and this process: the batch, and this bench reading ``/proc`` at every row), and the peak
memory (VmHWM) of each worker process and of its sandbox server, against a bare
``python -c "import torch"``.

``--scheduler local:N …`` grades the same class on dask (``grade class --scheduler local:N``: a
``LocalCluster`` of N worker processes, each with its sandbox, started by the run and counted in it), each
run next to the local executor with as many workers (run just before it, so both see the same load on a
shared machine; without its spare worker then, as dask has none), and prints dask's overhead per submission against it: wall time (whole command and
steady state) and CPU time of every process (this one holds dask's scheduler and nannies).
``--sample 0`` leaves nbgrader out.

The package is byte-compiled first, as any install that can write its ``__pycache__`` is after its first
run (the sandbox's read-only mount never can): on a machine that sets ``PYTHONDONTWRITEBYTECODE``, every
sandbox server and every notebook kernel would otherwise compile it again.
"""

from __future__ import annotations

import argparse
import compileall
import io
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from tests import class_builder  # noqa: E402

HANGS = ["hostile:sleep_forever", "hostile:busy_loop"]
HOSTILE = ["hostile:fork_bomb", "hostile:flood_stdout", "hostile:kill_parent", "hostile:read_etc_shadow",
           "hostile:print_fake_score", "hostile:os_exit_in_function"]


def kinds(students: int, hangs: int = len(HANGS)) -> list[str]:
    """One kind per student: hangs and hostile ones once each, syntax errors 3 %, the rest right or mistaken;
    in a fixed shuffled order (a class's hangs are anywhere, not only where the run starts)."""
    mistakes = [f"mistake:{name}" for name in class_builder.mistakes()]
    common = ["right"] * len(mistakes) + mistakes
    plenty = HANGS[:hangs] + HOSTILE + ["syntax"] * max(1, students * 3 // 100)
    plenty += [common[index % len(common)] for index in range(students - len(plenty))]
    plenty = plenty[:students]
    random.Random(2).shuffle(plenty)
    return plenty


def build_class(folder: Path, students: int, hangs: int = len(HANGS)) -> dict[str, str]:
    """``folder/sNNN_exercise_2.py`` or ``folder/sNNN.ipynb``; returns student → kind."""
    chosen = {}
    for index, kind in enumerate(kinds(students, hangs)):
        student = f"s{index:03d}"
        suffix = ".py" if index % 2 == 0 else ".ipynb"
        name = f"{student}_exercise_2" if suffix == ".py" else student
        class_builder.write(folder / name, kind, suffix)
        chosen[student] = kind
    return chosen


def vm(pid: int, field: str = "VmHWM") -> int:
    """A process's ``field`` from /proc (kB), 0 when gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def stat(pid: int) -> tuple[int, float, float] | None:
    """(parent pid, its own CPU seconds, those of the children it has reaped) of a live process, else None."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / tick, (int(fields[13]) + int(fields[14])) / tick


ROLES = ("checks' children", "workers", "zygotes' forks", "sandbox servers", "this process")


def by_role(workers: set[int], servers: set[int]) -> dict[str, float]:
    """CPU seconds so far of each kind of process: the ``workers``, their sandbox ``servers`` (with bubblewrap),
    each server's zygote (its own time is forking; what it reaped, and every live process below it, counts as the
    checks' children's), and this process (the instructor's: the batch, and this bench reading /proc per row)."""
    mine = resource.getrusage(resource.RUSAGE_SELF)
    spent = dict.fromkeys(ROLES, 0.0)
    spent["this process"] = mine.ru_utime + mine.ru_stime
    stats = {pid: found for pid in family(sorted(workers | servers)) if (found := stat(pid)) is not None}
    zygotes = {pid for pid, (parent, _, _) in stats.items() if parent in servers}
    for pid, (parent, own, reaped) in stats.items():
        if pid in zygotes:
            spent["zygotes' forks"] += own
            spent["checks' children"] += reaped
            continue
        role, above = "sandbox servers", parent
        if pid in workers:
            role = "workers"
        while pid not in workers | servers and above in stats:
            if above in zygotes:
                role = "checks' children"
                break
            above = stats[above][0]
        spent[role] += own + reaped
    return spent


def family(roots: list[int]) -> set[int]:
    """``roots`` and every live process below them (bubblewrap, the sandbox server, its zygote, a check's child)."""
    from autograd_exercises.sandbox.server import descendants

    return set(roots) | {pid for pid, _, _ in descendants(*roots)} if roots else set()


def more(mine: float, theirs: float) -> str:
    """``mine`` against ``theirs`` (seconds): the difference in ms and in percent."""
    return f"{(mine - theirs) * 1000:+.0f} ms ({(mine / theirs - 1) * 100:+.0f} %)"


def bare_torch() -> int:
    script = "import torch\nprint([l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1])"
    return int(subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout)


def grade_class(folder: Path, out: Path, workers: int | str, timeout: float, spares: int | None = None) -> dict:
    """Grade with the local executor (``workers``: a number; ``spares``: its spare workers, default its own)
    or on dask (``workers``: ``local:N``)."""
    from autograd_exercises.classroom import batch
    from autograd_exercises.classroom.dask_executor import DaskExecutor
    from autograd_exercises.classroom.executor import LocalPool

    class Measured(LocalPool):
        memory: list[tuple[int, int]] = []
        all_ready: float | None = None  # when every worker the run started with was ready

        def start(self) -> dict:
            info = super().start()
            self._note_ready()
            return info

        def _started(self, worker) -> None:
            super()._started(worker)
            self._note_ready()

        def _note_ready(self) -> None:
            if self.all_ready is None and all(worker.ready is not None for worker in self.workers):
                self.all_ready = time.perf_counter()

        def used(self) -> dict[str, float]:
            """CPU seconds so far of every worker and every process below it (its sandbox server, the zygote and
            the checks' children it reaped), and of this process, by kind (:func:`by_role`)."""
            servers = {(worker.ready or {}).get("server_pid") or 0 for worker in self.workers} - {0}
            return by_role({worker.pid for worker in self.workers if worker.pid is not None}, servers)

        def close(self) -> None:
            servers = [(worker.ready or {}).get("server_pid") or 0 for worker in self.workers]
            self.memory = [(vm(worker.pid), vm(server)) for worker, server in zip(self.workers, servers)]
            stamps.append((time.perf_counter(), self.used()))
            super().close()

    class MeasuredDask(DaskExecutor):
        memory: list[tuple[int, int]] = []

        def used(self) -> dict[str, float]:
            """CPU seconds of this process (client, scheduler, nannies), every worker and every process below it,
            by kind (:func:`by_role`)."""
            servers = {state["server_pid"] or 0 for state in self.workers.values()} - {0}
            return by_role(set(self.pids()) - servers, servers)

        def close(self) -> None:
            if self.workers:
                self.memory = [(vm(state["pid"]), vm(state["server_pid"] or 0)) for state in self.workers.values()]
                stamps.append((time.perf_counter(), self.used()))
            super().close()

    stamps: list[tuple[float, dict[str, float]]] = []  # (time, CPU used by kind) at each row, then at the end
    started, before = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF)
    with (MeasuredDask(workers) if isinstance(workers, str) else Measured(workers, spares=spares)) as pool:
        summary = batch.run(batch.Options("exercise-2", folder, out=out, workers=workers if isinstance(workers, int)
                                          else None, seed=1, timeout=timeout, regrade=True),
                            executor=pool, stream=io.StringIO(), terminal=False,
                            on_row=lambda row: stamps.append((time.perf_counter(), pool.used())))
        wall = time.perf_counter() - started
    rows = len(summary.rows)
    ready = getattr(pool, "all_ready", None) or 0.0  # the other workers start (forked) while the first grades
    begin = next((index for index, (at, _) in enumerate(stamps[:-2]) if at >= ready), 0)
    (first, cpu_first), (last, cpu_last) = stamps[begin], stamps[-2]
    steady_rows = rows - 1 - begin
    roles = {role: (cpu_last[role] - cpu_first[role]) / steady_rows for role in ROLES}
    return {"wall": wall, "rows": rows, "steady": (last - first) / steady_rows, "memory": pool.memory,
            "cpu": sum(stamps[-1][1].values()) - before.ru_utime - before.ru_stime,
            "cpu_steady": sum(roles.values()), "cpu_roles": roles,
            "scores": {row["student"]: row["score"] for row in summary.rows}, "code": summary.exit_code}


def kernel_autograde(notebooks: dict[str, str], scratch: Path, cell_timeout: float | None = None) -> Any:
    """nbgrader autograde with kernels on ``notebooks`` (student → notebook text), in a released course of their
    own under ``scratch`` (``cell_timeout``: its ``Execute.timeout``); :class:`bench_autograde.Run`."""
    import bench_autograde

    template = bench_autograde.released_course(scratch / "template")
    for student, text in notebooks.items():
        target = template / "submitted" / student / "exercise-2"
        target.mkdir(parents=True)
        (target / "exercise-2.ipynb").write_text(text, encoding="utf-8")
    return bench_autograde.autograde_class(template, True, scratch, cell_timeout=cell_timeout)


def nbgrader_sample(folder: Path, chosen: dict[str, str], sample: int, scratch: Path) -> tuple[float, dict]:
    """nbgrader autograde with kernels on ``sample`` notebooks of the class: (median s per further notebook, scores)."""
    picked = [s for s, kind in chosen.items() if (folder / f"{s}.ipynb").is_file()
              and (kind == "right" or kind.startswith("mistake:"))][:sample]
    run = kernel_autograde({s: (folder / f"{s}.ipynb").read_text(encoding="utf-8") for s in picked}, scratch)
    return run.each, run.scores


def nbgrader_hangs(kinds: list[str], timeout: float, scratch: Path) -> tuple[dict[str, float], dict[str, float]]:
    """nbgrader autograde with kernels on the class's hanging submissions as notebooks, its cell timeout set to
    ``timeout`` (grade class's per-check one): (seconds per hanging notebook, its score), by kind. A right answer
    goes first, so that every hanging notebook is a further one, as in :func:`nbgrader_sample`."""
    students = {"a-first": "right", **{f"h{index}": kind for index, kind in enumerate(kinds)}}
    run = kernel_autograde({student: class_builder.notebook_text(kind) for student, kind in students.items()},
                           scratch / "hangs", cell_timeout=timeout)
    if set(run.spans) != set(students):
        raise SystemExit(f"nbgrader's log did not name each hanging notebook: {sorted(run.spans)}")
    return ({students[name]: span for name, span in run.spans.items() if name != "a-first"},
            {students[name]: score for name, score in run.scores.items() if name != "a-first"})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=240)
    parser.add_argument("--sample", type=int, default=6, help="notebooks graded by nbgrader's kernels")
    parser.add_argument("--hangs", type=int, default=len(HANGS), choices=range(len(HANGS) + 1),
                        help="submissions that hang (sleep, then spin: each holds a worker for the timeout)")
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds per check (grade's default: 5)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--scheduler", nargs="*", default=[], metavar="local:N",
                        help="also grade on dask LocalClusters, each next to the local executor with N workers")
    args = parser.parse_args()
    if args.students < 20 or args.sample not in (0,) and args.sample < 3:
        parser.error("at least 20 students and a sample of 3 (or 0: no nbgrader)")
    order: list[int | str] = []
    for workers in args.workers:
        order.append(workers)
        order += [spec for spec in args.scheduler if spec == f"local:{workers}"]
    order += [spec for spec in args.scheduler if spec not in order]
    for spec in args.scheduler:
        if not spec.startswith("local:"):
            parser.error("--scheduler: local:N only (the bench reads the workers' processes on this machine)")
    torch_kb = bare_torch()
    for package in ("autograd_exercises", "graders"):
        compileall.compile_dir(str(ROOT / package), quiet=1)
    with tempfile.TemporaryDirectory() as scratch_name:
        scratch = Path(scratch_name)
        folder = scratch / "class"
        chosen = build_class(folder, args.students, args.hangs)
        spares = 0 if args.scheduler else None  # dask has no spare worker: compare like with like
        runs = {workers: grade_class(folder, scratch / f"out-{str(workers).replace(':', '-')}", workers, args.timeout,
                                     spares)
                for workers in order}
        per_notebook, kernel_scores = (nbgrader_sample(folder, chosen, args.sample, scratch) if args.sample
                                       else (float("nan"), {}))
        hanging = [kind for kind in chosen.values() if kind in HANGS]
        hang_spans, hang_scores = (nbgrader_hangs(hanging, args.timeout, scratch) if args.sample and hanging
                                   else ({}, {}))
    first = runs[order[0]]
    for workers, run in runs.items():
        if run["scores"] != first["scores"]:
            differ = [f"{student} ({chosen.get(student, '?')}): {first['scores'].get(student)} against "
                      f"{run['scores'].get(student)}" for student in sorted(set(run["scores"]) | set(first["scores"]))
                      if run["scores"].get(student) != first["scores"].get(student)]
            raise SystemExit(f"{workers} workers disagree with {order[0]}: scores differ for " + "; ".join(differ))
    for student, score in kernel_scores.items():
        if score != first["scores"][student]:
            raise SystemExit(f"nbgrader's kernel gave {student} {score}, grade class {first['scores'][student]}")
    for kind, score in hang_scores.items():
        ours = next(first["scores"][student] for student, chosen_kind in chosen.items() if chosen_kind == kind)
        if score != ours:
            raise SystemExit(f"nbgrader's kernel gave {kind} {score}, grade class {ours}")
    # nbgrader on the same class: its hanging notebooks as measured, every other one at the median
    class_each = (per_notebook * (args.students - len(hang_spans)) + sum(hang_spans.values())) / args.students
    mix = {}
    for kind in chosen.values():
        label = "hanging" if kind in HANGS else kind.split(":")[0]
        mix[label] = mix.get(label, 0) + 1
    print(f"grade class exercise-2: {args.students} submissions ({', '.join(f'{n} {k}' for k, n in mix.items())}), "
          f"half .py, half .ipynb; timeout {args.timeout:g} s per check; {os.cpu_count()} cores")
    if args.sample:
        print(f"nbgrader autograde with kernels: {per_notebook * 1000:.0f} ms per further notebook "
              f"(median of {args.sample}; same scores as grade class)")
    if hang_spans:
        print(f"nbgrader autograde with kernels on the {len(hang_spans)} hanging notebooks, Execute.timeout "
              f"{args.timeout:g} s (grade class's per check): {', '.join(f'{s:.1f} s' for s in hang_spans.values())} "
              f"(same scores); on the whole class, the others at the median: {class_each * 1000:.0f} ms per notebook")

    def against(seconds: float) -> str:
        whole_class = f", {class_each / seconds:4.0f}x on the whole class" if hang_spans else ""
        return f" ({per_notebook / seconds:4.0f}x nbgrader{whole_class})" if args.sample else ""

    for workers, run in runs.items():
        whole = run["wall"] / run["rows"]
        label = f"{workers}" if isinstance(workers, str) else f"{workers} worker{'s' if workers > 1 else ' '}"
        print(f"  {label}: whole command {run['wall']:5.1f} s = "
              f"{run['rows'] / run['wall']:5.1f} submissions/s, {whole * 1000:4.0f} ms each{against(whole)}; "
              f"steady state {1 / run['steady']:5.1f}/s, {run['steady'] * 1000:4.0f} ms each{against(run['steady'])}")
        count = int(workers.split(":")[1]) if isinstance(workers, str) else workers
        cores = min(count, os.cpu_count() or 1)
        idle = run["cpu_steady"] / cores
        print(f"      CPU of all our processes: {run['cpu']:.1f} s in all ({run['cpu'] / run['rows'] * 1000:.0f} ms per "
              f"submission, start-up included); steady state {run['cpu_steady'] * 1000:.0f} ms per submission, "
              f"so on {cores} idle core{'s' if cores > 1 else ''}: {idle * 1000:.0f} ms each = {1 / idle:.1f}/s"
              f"{against(idle)}")
        print("      steady state CPU per submission by process: " + ", ".join(
            f"{role} {seconds * 1000:.1f} ms" for role, seconds in run["cpu_roles"].items()))
        for index, (worker_kb, server_kb) in enumerate(run["memory"]):
            print(f"      worker {index}: peak {worker_kb / 1024:4.0f} MB = {worker_kb / torch_kb:.2f}x bare torch "
                  f"({torch_kb / 1024:.0f} MB); its sandbox server {server_kb / 1024:4.0f} MB")
        local = runs.get(count) if isinstance(workers, str) else None
        if local is not None:
            print(f"      dask against the local executor with {count} worker{'s' if count > 1 else ''}, per "
                  f"submission: whole command {more(run['wall'] / run['rows'], local['wall'] / local['rows'])}; "
                  f"steady state {more(run['steady'], local['steady'])}; "
                  f"CPU, steady state {more(run['cpu_steady'], local['cpu_steady'])}")
    print(json.dumps({"per_notebook_kernel_s": per_notebook, "hanging_notebooks_kernel_s": hang_spans,
                      "runs": {str(w): {k: v for k, v in r.items() if k != "scores"} for w, r in runs.items()}}))


if __name__ == "__main__":
    main()
