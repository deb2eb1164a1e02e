"""``grade class --scheduler``: a class graded on a dask.distributed ``LocalCluster``, for real.

One ``LocalCluster`` of two worker processes (one thread each, no dashboard) serves the module; each test
connects to it by address (``tcp://…``, as to a real cluster) through its own
:class:`~autograd_exercises.classroom.dask_executor.DaskExecutor`. The workers' sandboxes are started once
(the grader plugin is registered once per grader version) and reused. Tests that kill workers come last:
a killed worker's nanny starts a new one, which sets up its own sandbox. The tests that need dask are
marked ``cluster`` (``pytest -m cluster``) and skip where ``dask[distributed]`` is not installed.
"""

from __future__ import annotations

import io
import json
import logging
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from autograd_exercises.classroom import batch, dask_executor, task
from autograd_exercises.classroom.executor import ExecutorError, InProcess
from autograd_exercises.cli import main
from tests import class_builder
from tests.conftest import ROOT

SLUG = "exercise-2"
MISTAKES = class_builder.mistakes()
cluster_test = pytest.mark.cluster

CLASS = {"alice": ("right", ".py"), "bob": ("mistake:no_retain_grad", ".ipynb"), "erin": ("syntax", ".py"),
         "oscar": ("hostile:kill_parent", ".py"), "trent": ("hostile:os_exit_at_import", ".ipynb")}


def make_class(folder: Path, students: dict[str, tuple[str, str]]) -> Path:
    for name, (kind, suffix) in students.items():
        class_builder.write(folder / name, kind, suffix)
    return folder


def grade(folder: Path, out: Path, executor, on_row=None, **options) -> batch.Summary:
    options.setdefault("timeout", 1.0)
    options.setdefault("seed", 5)
    return batch.run(batch.Options(SLUG, folder, out=out, **options), executor=executor, stream=io.StringIO(),
                     terminal=False, on_row=on_row)


def expected(kind: str) -> float:
    return 10 if kind == "right" else MISTAKES[kind.split(":", 1)[1]][1]


def points(rows) -> dict[str, dict[str, float]]:
    return {row["student"]: {name: pair[0] for name, pair in row["checks"].items()} for row in rows}


def cached(out: Path) -> list[Path]:
    return list((out / ".cache").glob("*/*.json"))


# -- no cluster needed ----------------------------------------------------------------------------------


def test_scheduler_spec():
    assert dask_executor.parse("local:2") == 2 and dask_executor.parse(" tcp://10.0.0.5:8786 ") == "tcp://10.0.0.5:8786"
    for wrong in ("local:0", "local", "10.0.0.5", "local:two"):
        with pytest.raises(dask_executor.SchedulerSpecError):
            dask_executor.parse(wrong)


def test_without_dask_the_error_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed → ImportError
    with pytest.raises(ExecutorError, match=r"pip install 'dask\[distributed\]'"):
        dask_executor.DaskExecutor("local:1").start()


def test_usage_errors(tmp_path):
    make_class(tmp_path / "class", {"alice": ("right", ".py")})
    for options in (["--scheduler", "somewhere"], ["--scheduler", "local:2", "--workers", "2"]):
        result = CliRunner().invoke(main, ["class", SLUG, str(tmp_path / "class"), *options])
        assert result.exit_code == 2, result.output


def test_grading_one_file_never_imports_dask(tmp_path):
    """``grade exercise-2 FILE`` (a student's command) and the class command's modules leave dask alone."""
    (tmp_path / "exercise_2.py").write_text(class_builder.SOLUTION)
    script = ("import sys\n"
              "from autograd_exercises import cli\n"
              "from autograd_exercises.classroom import batch, dask_executor\n"
              "sys.argv = ['grade', 'exercise-2', 'exercise_2.py', '--no-remember']\n"
              "try:\n    cli.main()\nexcept SystemExit as exc:\n    code = exc.code\n"
              "print('exit', code, sorted(name for name in ('dask', 'distributed') if name in sys.modules))\n")
    found = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path, timeout=120,
                           env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert found.stdout.strip().splitlines()[-1] == "exit 0 []", found.stdout + found.stderr


# -- on a LocalCluster ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("distributed", reason="dask[distributed] is not installed (the cluster extra)")
    import dask

    config = {"distributed.scheduler.allowed-failures": 1, "distributed.scheduler.worker-saturation": 1.0,
              **dask_executor.QUIET}
    with dask.config.set(config):
        local = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                         scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
                                         silence_logs=logging.ERROR)
    try:
        yield local
    finally:
        local.close()


@pytest.fixture()
def executor(cluster):
    with dask_executor.DaskExecutor(cluster.scheduler_address) as connected:
        yield connected


@pytest.fixture(scope="module")
def inline(sandbox):
    return InProcess(sandbox)


@cluster_test
def test_the_cluster_gives_the_scores_and_files_of_a_local_run(tmp_path, executor, inline):
    folder = make_class(tmp_path / "class", CLASS)
    (folder / "zoe.py").write_text("")  # could not grade
    info = executor.start()
    assert info["workers"] == 2 and "seccomp" in info["layers"] and info["root"] == (os.geteuid() == 0)
    assert len(set(executor.pids())) == 4  # two workers, each with its own sandbox server
    slots = {state["slot"] for state in executor.workers.values()}
    assert len(slots) == 2  # each worker its own sandbox slot
    distributed = grade(folder, tmp_path / "dask", executor)
    local = grade(folder, tmp_path / "local", inline)
    assert len(distributed.rows) == len(CLASS) + 1 and distributed.exit_code == local.exit_code == 1
    assert points(distributed.rows) == points(local.rows)
    scores = {row["student"]: row["score"] for row in distributed.rows}
    assert {s: scores[s] for s, (kind, _) in CLASS.items() if not kind.startswith(("hostile", "syntax"))} == \
        {s: expected(kind) for s, (kind, _) in CLASS.items() if not kind.startswith(("hostile", "syntax"))}

    def steady(out: Path) -> list[str]:
        lines = (out / "grades.csv").read_text(encoding="utf-8-sig").splitlines()
        return [line.rsplit(",", 1)[0] for line in lines]  # all but graded_at

    assert steady(tmp_path / "dask") == steady(tmp_path / "local")
    for path in (tmp_path / "local" / "feedback").rglob("*.txt"):
        mine = tmp_path / "dask" / path.relative_to(tmp_path / "local")
        assert mine.read_text().split("took")[0] == path.read_text().split("took")[0]
    alice = json.loads((tmp_path / "dask" / "results" / "alice" / f"{SLUG}.json").read_text())
    alice_sha = task.sha256(next(folder.glob("alice.*")).read_bytes())
    assert alice["score"] == 10 and alice["extra_data"]["seed"] == batch.student_seed(5, "alice", SLUG, alice_sha)

    # --gradebook's tasks: a notebook graded as nbgrader autograde does, its test cells' outputs come back
    notebook = class_builder.notebook_text("mistake:no_retain_grad").encode()
    job = task.Task("gina", SLUG, f"{SLUG}.ipynb", notebook, 0, 1.0, kind="ipynb", notebook_cells=True, key="gina")
    [row] = list(executor.run([job]))
    alone = task.grade_task(job, inline.sandbox)
    assert row["cells"] and row["cells"] == alone["cells"] and row["checks"] == alone["checks"]


@cluster_test
def test_a_worker_with_another_grader_version_refuses(tmp_path, cluster):
    other = "0.1.0+not-this-one"
    with pytest.raises(ExecutorError, match=r"has grader version 0\.1\.0\+\w+, this run 0\.1\.0\+not-this-one: "
                                            r"every worker needs the same autograd-exercises installation"):
        dask_executor.DaskExecutor(cluster.scheduler_address, version=other).start()
    folder = make_class(tmp_path / "class", {"alice": ("right", ".py")})
    with pytest.raises(batch.BatchError, match="this run 0.1.0"):
        grade(folder, tmp_path / "out", dask_executor.DaskExecutor(cluster.scheduler_address, version=other))
    assert not cached(tmp_path / "out")

    from distributed import Client

    from autograd_exercises.classroom import dask_worker

    with Client(cluster.scheduler_address) as client:  # a task sent to a worker without that version's sandbox
        job = task.Task("alice", SLUG, "alice.py", class_builder.SOLUTION.encode(), 1, 1.0)
        with pytest.raises(dask_worker.WorkerNotReady, match="no sandbox for grader version 0.1.0\\+not-this-one"):
            client.submit(dask_worker.grade_chunk, [job], other, pure=False).result()
        assert not any(name.endswith("not-this-one") for name in client.run_on_scheduler(
            lambda dask_scheduler: list(dask_scheduler.worker_plugins)))  # unregistered: later workers skip it


@cluster_test
def test_an_interrupted_run_resumes(tmp_path, executor):
    students = {f"s{i}": (kind, ".py" if i % 2 else ".ipynb")
                for i, kind in enumerate(["right", "mistake:no_retain_grad", "mistake:sum_instead_of_mean"] * 3)}
    folder = make_class(tmp_path / "class", students)
    seen = []

    def interrupt(row):
        seen.append(row)
        if len(seen) == 3:
            raise KeyboardInterrupt  # Ctrl-C, as the batch sees it

    first = grade(folder, tmp_path / "out", executor, on_row=interrupt)
    assert first.interrupted and len(first.rows) == 3 and len(cached(tmp_path / "out")) == 3
    assert executor._futures == {}  # what was on its way was cancelled
    again = grade(folder, tmp_path / "out", executor)
    assert (again.from_cache, again.graded_now) == (3, len(students) - 3) and again.exit_code == 0
    assert {row["student"]: row["score"] for row in again.rows} == {s: expected(k) for s, (k, _) in students.items()}


@cluster_test
def test_a_submission_graded_for_long_is_named_as_in_a_local_run(tmp_path, executor, monkeypatch):
    """The workers announce each submission's start through the scheduler's events: a cluster run names the one it
    waits on ("still grading …"), as a local run does, and the announcements change no score."""
    monkeypatch.setattr(dask_executor.DaskExecutor, "still_after", 0.5)  # (60 s in a real run)
    folder = make_class(tmp_path / "class", {"a_sleeper": ("hostile:sleep_forever", ".py"), "bob": ("right", ".py")})
    stream = io.StringIO()
    summary = batch.run(batch.Options(SLUG, folder, out=tmp_path / "out", timeout=1.0, seed=5), executor=executor,
                        stream=stream, terminal=False)
    assert {row["student"]: row["score"] for row in summary.rows} == {"a_sleeper": 7, "bob": 10}
    assert re.search(r"still grading a_sleeper's exercise-2 \(\ds\): a notebook's cells or a check running out",
                     stream.getvalue()), stream.getvalue()
    assert "still grading bob" not in stream.getvalue()  # (graded at once)
    assert executor._started == {}  # every chunk's announcement let go with its rows


@cluster_test
def test_a_killed_client_loses_nothing_written(tmp_path, cluster, executor):
    """The instructor's process killed mid-batch: every row it wrote stays; the next run grades the rest."""
    students = {f"s{i:02d}": (kind, ".py") for i, kind in
                enumerate(["right", "mistake:no_retain_grad", "mistake:backward_twice"] * 4)}
    folder = make_class(tmp_path / "class", students)
    out = tmp_path / "out"
    command = [sys.executable, "-c", "from autograd_exercises.cli import run; run()", "class", SLUG, str(folder),
               "--out", str(out), "--seed", "5", "--timeout", "1", "--scheduler", cluster.scheduler_address]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT,
                               start_new_session=True)
    deadline = time.monotonic() + 120
    try:
        while len(cached(out)) < 3:
            assert process.poll() is None, "the batch ended before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.02)
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    done = cached(out)
    assert 3 <= len(done) < len(students)
    for path in done + list((out / "results").rglob("*.json")):
        json.loads(path.read_text())  # every file there is whole
    summary = grade(folder, out, executor)
    assert summary.from_cache >= len(done) and summary.graded_now + summary.from_cache == len(students)
    assert {row["student"]: row["score"] for row in summary.rows} == {s: expected(k) for s, (k, _) in students.items()}


@cluster_test
def test_the_command_on_a_scheduler(tmp_path, cluster, monkeypatch):
    folder = make_class(tmp_path / "class", {"alice": ("right", ".py"), "bob": ("mistake:sum_instead_of_mean", ".py")})
    result = CliRunner().invoke(main, ["class", SLUG, str(folder), "--out", str(tmp_path / "out"), "--timeout", "1",
                                       "--scheduler", cluster.scheduler_address], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "exercise-2: mean 7.00/10 over 2 students" in result.output
    monkeypatch.setattr(dask_executor.DaskExecutor, "connect_timeout", 2.0)
    nowhere = CliRunner().invoke(main, ["class", SLUG, str(folder), "--out", str(tmp_path / "nowhere"),
                                        "--scheduler", "tcp://127.0.0.1:9"])
    assert nowhere.exit_code == 3 and "cannot reach the dask scheduler at tcp://127.0.0.1:9" in nowhere.output


@cluster_test
def test_local_n_starts_and_stops_its_own_cluster(tmp_path):
    pytest.importorskip("distributed", reason="dask[distributed] is not installed (the cluster extra)")
    folder = make_class(tmp_path / "class", {"alice": ("right", ".py"), "bob": ("mistake:no_retain_grad", ".ipynb")})
    with dask_executor.DaskExecutor("local:1") as executor:
        summary = grade(folder, tmp_path / "out", executor)
        pids = executor.pids()
        assert executor.info["allowed_failures"] == 2 and executor.cluster.scheduler.WORKER_SATURATION == 1.0
    assert [row["score"] for row in sorted(summary.rows, key=lambda r: r["student"])] == [10, 8]
    time.sleep(0.5)
    assert not [pid for pid in pids if Path(f"/proc/{pid}").exists() and
                b"zombie" not in Path(f"/proc/{pid}/status").read_bytes().lower()]  # worker and sandbox gone


# -- faults (last: killed workers restart, with their sandboxes) ----------------------------------------


@cluster_test
def test_a_worker_killed_while_grading_loses_nothing(tmp_path, cluster, executor, inline):
    kinds = ["right", "mistake:no_retain_grad", "mistake:sum_instead_of_mean", "mistake:backward_twice"] * 3
    students = {f"s{i:02d}": (kind, ".py" if i % 3 else ".ipynb") for i, kind in enumerate(kinds)}
    folder = make_class(tmp_path / "class", students)
    executor.start()
    pids = {address: state["pid"] for address, state in executor.workers.items()}
    killed = []

    def kill(row):
        if killed:
            return
        busy = [address for address, keys in executor.client.processing().items() if keys and address in pids]
        if busy:
            killed.append(pids[busy[0]])
            os.kill(killed[0], signal.SIGKILL)  # a dask worker process, in the middle of a chunk

    summary = grade(folder, tmp_path / "out", executor, on_row=kill)
    assert killed, "no worker was busy to be killed"
    assert summary.exit_code == 0 and len(summary.rows) == len(students)
    assert sorted(row["student"] for row in summary.rows) == sorted(students)  # exactly one row each
    assert {row["student"]: row["score"] for row in summary.rows} == {s: expected(k) for s, (k, _) in students.items()}
    local = grade(folder, tmp_path / "local", inline)
    assert points(summary.rows) == points(local.rows)


def grade_or_die(tasks, version):
    """A worker's task that dies (the whole worker process) on a submission that says so: a grader bug, say."""
    from autograd_exercises.classroom.dask_worker import grade_chunk

    if any(b"KILL THE WORKER" in task.data for task in tasks):
        os.kill(os.getpid(), signal.SIGKILL)
    return grade_chunk(tasks, version)


@cluster_test
def test_a_submission_that_kills_its_worker_is_could_not_grade(tmp_path, cluster):
    """Its chunk dies too often: sent again one submission per task, only the guilty one is lost."""
    import cloudpickle

    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # grade_or_die travels by value to the workers
    folder = make_class(tmp_path / "class", {"a1": ("right", ".py"), "a2": ("mistake:no_retain_grad", ".py")})
    (folder / "a3.py").write_text(class_builder.SOLUTION + "\n# KILL THE WORKER\n")

    class Faulty(dask_executor.DaskExecutor):
        work = staticmethod(grade_or_die)

        def _chunk_size(self, seconds, remaining, threads):
            return 3  # all three in one chunk

    scheduler = cluster.scheduler
    scheduler.allowed_failures = 0  # one death is too many here: no restart to wait for
    try:
        with Faulty(cluster.scheduler_address) as executor:
            summary = grade(folder, tmp_path / "out", executor)
    finally:
        scheduler.allowed_failures = 1
        cloudpickle.unregister_pickle_by_value(sys.modules[__name__])
    rows = {row["student"]: row for row in summary.rows}
    assert sorted(rows) == ["a1", "a2", "a3"] and summary.exit_code == 1
    assert rows["a1"]["score"] == 10 and rows["a2"]["score"] == 8
    assert rows["a3"]["status"] == "could-not-grade"
    assert rows["a3"]["reason"] == dask_executor.died(1) and "died every time it graded this submission (1 try)" in \
        rows["a3"]["reason"]


def test_a_chunk_whose_worker_died_is_not_named_still_grading_while_it_waits(monkeypatch):
    """Red team 220: a chunk sent again after its worker died kept that worker's announcement, so the run named its
    submission "still grading" while it waited for another worker. Only a living worker's announcement names one;
    the scheduler is asked only where a line would be said."""
    from types import SimpleNamespace

    executor = dask_executor.DaskExecutor("local:1")
    chunk = [SimpleNamespace(student="ann"), SimpleNamespace(student="bob")]
    future = type("Future", (), {"key": "grade-class-x-1"})()  # (a dict key, as dask's futures are)
    executor._futures = {future: chunk}
    asked = []
    workers = {"tcp://10.0.0.1:1": {}}
    executor.client = SimpleNamespace(scheduler_info=lambda: asked.append(1) or {"workers": workers})
    executor._heard(("autograd-exercises-started", {"key": future.key, "index": 1, "worker": "tcp://10.0.0.1:1"}))
    assert executor._running() == [(chunk[1], executor._started[future.key][1])] and asked == []  # (not long yet)
    monkeypatch.setattr(executor, "still_after", 0.0)
    assert [task.student for task, _ in executor._running()] == ["bob"] and asked == [1]
    workers.clear()  # the worker died: the chunk waits for another
    assert executor._running() == [] and executor._still(time.monotonic(), executor._running()) is None
    executor._heard(("autograd-exercises-started", {"key": future.key, "index": 0, "worker": "tcp://10.0.0.2:1"}))
    workers["tcp://10.0.0.2:1"] = {}  # another worker took it on, and said so
    assert [task.student for task, _ in executor._running()] == ["ann"]
