"""``grade class --scheduler``: the same batch, graded on a dask.distributed cluster.

:class:`DaskExecutor` is an :class:`~.executor.Executor` like :class:`~.executor.LocalPool`: the batch
gives it :class:`~.task.Task` objects and writes the rows it yields, in the instructor's process only
(files, resume cache, gradebook), so a crash of that process loses nothing already written. Where the
tasks run is the cluster's business: ``tcp://host:8786`` (an existing scheduler: SLURM through
dask-jobqueue, Kubernetes, ``dask scheduler`` by hand) or ``local:N`` (a ``LocalCluster`` of N worker
processes, one thread each, started and stopped here).

* **Workers.** :class:`~.dask_worker.GraderPlugin` gives each dask worker one long-lived sandbox and
  checks its grader version (see :mod:`.dask_worker`); :meth:`DaskExecutor.start` registers it, then
  asks every worker whether it is ready: a worker with another version, or without a sandbox, stops the
  batch with its reason. The isolation layers reported are those every worker has (the weakest worker),
  and whether the workers run as root, so the batch's root check sees the graders, not this process.
* **Chunks.** Submissions go out in chunks sized so that one takes about :attr:`~DaskExecutor.chunk_seconds`
  (one per chunk at first, then from the grading times measured), at most two chunks per worker thread in
  flight (the cluster's size is read again as it changes); rows come back as chunks finish.
* **Faults.** A worker that dies while grading: dask runs its chunk again on another worker (the
  scheduler's ``distributed.scheduler.allowed-failures``); each row is yielded once, by its task's key. A
  chunk whose worker died more often than that (``KilledWorker``) is sent again one submission per task,
  so that only the guilty one is lost: a single submission that kills its worker that often becomes a
  *could not grade* row, and the batch goes on.

Nothing here imports ``distributed`` before :meth:`~DaskExecutor.start`: without the ``cluster`` extra
the error says what to install, and ``grade`` (one student) never imports dask.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import itertools
import logging
import math
import re
import statistics
import time
import uuid
from typing import Any, Iterable, Iterator

from autograd_exercises.classroom.executor import Executor, ExecutorError, failed_row
from autograd_exercises.classroom.task import AGAIN, Task

LOCAL = re.compile(r"local:(\d+)")
ADDRESS = re.compile(r"[a-z][a-z0-9+.-]*://\S+")
INSTALL = "pip install 'dask[distributed]' (the cluster extra of autograd-exercises)"
# What dask does on timers while a chunk is graded costs CPU the grading needs (measured: a third more CPU per
# submission with dask's defaults on a class with hangs, none with these): stack sampling every 10 ms in a busy
# worker, event-loop ticks every 20 ms in every process, the nanny's memory check every 100 ms, system
# monitors, work stealing (nothing to steal: a worker holds only the chunk it grades).
QUIET = {"distributed.worker.profile.enabled": False, "distributed.admin.tick.interval": "1s",
         "distributed.admin.system-monitor.interval": "2s", "distributed.worker.memory.monitor-interval": "1s",
         "distributed.scheduler.work-stealing": False}


class SchedulerSpecError(ValueError):
    """``--scheduler`` is neither ``local:N`` nor an address."""


def parse(scheduler: str) -> int | str:
    """``local:N`` → N (worker processes), an address (``tcp://host:8786``) → itself."""
    scheduler = scheduler.strip()
    local = LOCAL.fullmatch(scheduler)
    if local:
        if int(local.group(1)) < 1:
            raise SchedulerSpecError("local:N needs at least one worker (local:1)")
        return int(local.group(1))
    if ADDRESS.fullmatch(scheduler):
        return scheduler
    raise SchedulerSpecError(f"{scheduler!r} is neither local:N (N worker processes on this machine) nor a "
                             "dask scheduler's address (tcp://host:8786)")


def died(tries: int) -> str:
    """The reason of a submission whose grading killed its worker every time."""
    return (f"the grading worker's process died every time it graded this submission ({tries} "
            f"tr{'y' if tries == 1 else 'ies'}): a bug in the grader, or a worker short of memory")


def _allowed_failures(dask_scheduler: Any) -> int:
    return int(dask_scheduler.allowed_failures)


class DaskExecutor(Executor):
    """Grades on a dask.distributed cluster: ``scheduler`` is ``local:N`` or a scheduler's address.

    ``allowed_failures`` and ``saturation`` configure the scheduler of a ``local:N`` cluster only (a
    cluster's own scheduler keeps its configuration; see the README for the values to give it).
    """

    chunk_seconds = 1.0  # a chunk takes about this long to grade
    max_chunk = 64
    in_flight_per_thread = 2  # chunks on their way per worker thread: none idles while a result travels back
    poll = 0.02  # seconds between looks for a finished chunk (and for submissions graded long)
    work: Any = None  # the task a worker runs: dask_worker.grade_chunk (tests put a faulty one here)
    connect_timeout = 30.0  # seconds to reach the scheduler
    worker_timeout = 600.0  # seconds to wait for a first worker (a batch job may wait in its queue)

    def __init__(self, scheduler: str, *, allowed_failures: int = 2, saturation: float = 1.0,
                 version: str | None = None, connect_timeout: float | None = None,
                 worker_timeout: float | None = None) -> None:
        self.target = parse(scheduler)
        self.scheduler = scheduler.strip()
        self.allowed_failures, self.saturation = allowed_failures, saturation
        self.version = version
        self.connect_timeout = connect_timeout or self.connect_timeout
        self.worker_timeout = worker_timeout or self.worker_timeout
        self.client: Any = None
        self.cluster: Any = None
        self.info: dict[str, Any] = {}
        self.workers: dict[str, dict[str, Any]] = {}
        self.failures_allowed = allowed_failures
        self._threads, self._threads_read = 1, 0.0
        self._futures: dict[Any, list[Task]] = {}
        self._started: dict[str, tuple[int, float, str]] = {}  # a chunk's key: its submission grading now, since
        # when, on which worker

    # -- start and stop -----------------------------------------------------------------------------------

    def start(self) -> dict[str, Any]:
        if self.client is not None:
            return self.info
        try:
            import dask
            import distributed
        except ImportError as exc:
            raise ExecutorError(f"--scheduler needs dask.distributed ({exc}): {INSTALL}") from None
        from autograd_exercises.classroom.cache import grader_version

        self.version = self.version or grader_version()
        self._connect(dask, distributed)
        try:
            self.failures_allowed = self.client.run_on_scheduler(_allowed_failures)
        except Exception:  # a scheduler that runs no code for clients: its configured value is unknown here
            self.failures_allowed = dask.config.get("distributed.scheduler.allowed-failures")
        try:
            self.client.wait_for_workers(1, timeout=self.worker_timeout)
        except (TimeoutError, asyncio.TimeoutError, OSError):
            self.close()
            raise ExecutorError(f"no dask worker joined the scheduler at {self.scheduler} within "
                                f"{self.worker_timeout:g} s") from None
        self._install_grader()
        states = list(self.workers.values())
        layers = [layer for layer in states[0]["layers"] if all(layer in state["layers"] for state in states)]
        self._threads = sum(state["threads"] for state in states)
        self._threads_read = time.monotonic()
        self.info = {"layers": layers, "workers": len(states), "root": any(state["root"] for state in states),
                     "pids": [state["pid"] for state in states], "scheduler": self.scheduler,
                     "allowed_failures": self.failures_allowed}
        return self.info

    def _connect(self, dask: Any, distributed: Any) -> None:
        """The client: of a ``LocalCluster`` of :attr:`target` worker processes this run starts, or of the scheduler
        at :attr:`target`; :class:`ExecutorError` where it cannot be reached."""
        try:
            if isinstance(self.target, int):
                config = {"distributed.scheduler.allowed-failures": self.allowed_failures,
                          "distributed.scheduler.worker-saturation": self.saturation, **QUIET}
                with dask.config.set(config):
                    self.cluster = distributed.LocalCluster(
                        n_workers=self.target, threads_per_worker=1, processes=True, dashboard_address=None,
                        scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},  # health checks only, any free port
                        silence_logs=logging.ERROR)
                self.client = distributed.Client(self.cluster, timeout=self.connect_timeout)
            else:
                self.client = distributed.Client(self.target, timeout=self.connect_timeout)
        except (OSError, TimeoutError, asyncio.TimeoutError, ValueError) as exc:
            self.close()
            raise ExecutorError(f"cannot reach the dask scheduler at {self.scheduler}: {exc}") from None

    def _install_grader(self) -> None:
        """The grader's plugin on every worker (its version checked, a sandbox each), then each worker's state in
        :attr:`workers`; :class:`ExecutorError` with every reason where one is not ready."""
        from autograd_exercises.classroom import dask_worker

        plugin = dask_worker.GraderPlugin(self.version)
        register = getattr(self.client, "register_plugin", None) or self.client.register_worker_plugin  # older dask
        try:
            register(plugin, name=plugin.name)
        except dask_worker.WorkerNotReady as exc:
            try:  # no worker that joins later should try it either
                self.client.unregister_worker_plugin(plugin.name)
            except Exception:
                pass
            self.close()
            raise ExecutorError(str(exc)) from None
        self.workers = self._describe()
        not_ready = {address: state for address, state in self.workers.items() if not state["ready"]}
        if not_ready:
            reasons = sorted({state["error"] or f"the dask worker {address} is not ready"
                              for address, state in not_ready.items()})
            self.close()
            raise ExecutorError("; ".join(reasons))

    def _describe(self) -> dict[str, dict[str, Any]]:
        from autograd_exercises.classroom import dask_worker

        return self.client.run(dask_worker.describe, self.version, self.worker_timeout)

    def pids(self) -> list[int]:
        """The worker processes and their sandbox servers (for memory and CPU figures: a local cluster)."""
        found = []
        for state in self.workers.values():
            found += [pid for pid in (state["pid"], state["server_pid"]) if pid]
        return found

    def close(self) -> None:
        futures, self._futures = list(self._futures), {}
        client, cluster = self.client, self.cluster
        self.client = self.cluster = None
        self.info = {}
        if client is not None:
            try:
                if futures:
                    client.cancel(futures, force=True)
            except Exception:
                pass
            try:
                client.close()
            except Exception:
                pass
        if cluster is not None:
            try:
                cluster.close()
            except Exception:
                pass

    # -- grading ------------------------------------------------------------------------------------------

    def _threads_now(self) -> int:
        """The cluster's worker threads (read again every few seconds: workers come and go)."""
        if time.monotonic() - self._threads_read > 5.0:
            try:
                self._threads = max(1, sum(self.client.nthreads().values()))
            except Exception:
                pass
            self._threads_read = time.monotonic()
        return self._threads

    def _chunk_size(self, seconds: list[float], remaining: int, threads: int) -> int:
        """Submissions per chunk: about ``chunk_seconds`` of grading, never so many that a worker idles."""
        if not seconds:
            return 1
        each = max(statistics.median(seconds), 1e-3)
        size = max(1, int(self.chunk_seconds / each))
        fair = max(1, math.ceil(remaining / (threads * self.in_flight_per_thread)))
        return min(size, fair, self.max_chunk)

    def _rows(self, status: str, result: Any, chunk: list[Task],
              singles: collections.deque[Task]) -> list[dict[str, Any]]:
        """The rows of a chunk that ended with ``status``: its rows; for an error, each of a chunk's tasks queued
        in ``singles`` to run alone (only the guilty one is then lost), or a lone task's failed row. A worker
        that could not start, or a cancelled chunk (the scheduler is gone), ends the run (:class:`ExecutorError`)."""
        from distributed import KilledWorker

        from autograd_exercises.classroom import dask_worker

        if status == "finished":
            return list(result)
        if status != "error":  # cancelled: the scheduler is gone, or closed the client
            raise ExecutorError(f"lost the dask scheduler at {self.scheduler} ({status}); "
                                "run the same command again to grade the rest")
        error = result[1] if isinstance(result, tuple) and len(result) == 3 else result
        if isinstance(error, dask_worker.WorkerNotReady):
            raise ExecutorError(str(error))
        if len(chunk) > 1:
            singles.extend(chunk)
            return []
        if isinstance(error, KilledWorker):
            return [failed_row(chunk[0], died(self.failures_allowed + 1))]
        return [{**failed_row(chunk[0], f"the grading worker failed on this submission ({type(error).__name__}: "
                                        f"{error})"), AGAIN: True}]

    def run(self, tasks: Iterable[Task]) -> Iterator[dict[str, Any]]:
        from distributed import as_completed

        from autograd_exercises.classroom import dask_worker

        self.start()
        client, work = self.client, self.work or dask_worker.grade_chunk
        queue = collections.deque(tasks)
        singles: collections.deque[Task] = collections.deque()  # from chunks that killed their worker
        seconds: collections.deque[float] = collections.deque(maxlen=64)  # recent grading times
        done: set[str] = set()
        completed = as_completed(loop=client.loop, with_results=True, raise_errors=False)
        run_id = uuid.uuid4().hex[:8]
        numbers = itertools.count()

        def fill() -> None:
            threads = self._threads_now()
            while (singles or queue) and len(self._futures) < threads * self.in_flight_per_thread:
                if singles:
                    chunk = [singles.popleft()]
                else:
                    size = self._chunk_size(list(seconds), len(queue), threads)
                    chunk = [queue.popleft() for _ in range(min(size, len(queue)))]
                future = client.submit(work, chunk, self.version, pure=False,
                                       key=f"grade-class-{run_id}-{next(numbers)}")
                self._futures[future] = chunk
                completed.add(future)

        client.subscribe_topic(dask_worker.STARTED, self._heard)
        try:
            fill()
            for future, result in self._arrivals(completed):
                if future is None:
                    yield result  # (a still-grading row)
                    continue
                chunk = self._futures.pop(future, None)
                self._started.pop(future.key, None)
                if chunk is None:
                    continue
                rows = self._rows(future.status, result, chunk, singles)
                seconds.extend(float(row.get("seconds") or 0.0) for row in rows if future.status == "finished")
                future.release()
                fill()  # the workers go on while the rows are written
                for row in rows:
                    key = row.get("key")
                    if key and key in done:
                        continue  # graded twice (a worker died after grading it): written once
                    done.add(key)
                    yield row
        finally:
            with contextlib.suppress(Exception):
                client.unsubscribe_topic(dask_worker.STARTED)
            if self._futures:
                try:
                    client.cancel(list(self._futures), force=True)
                except Exception:
                    pass
                self._futures = {}

    def _heard(self, event: Any) -> None:
        """A worker's announcement (:func:`~.dask_worker.announce`), on the client's event loop: the chunk ``key`` of
        this run began its ``index``-th submission now (this clock: the workers' may differ)."""
        message = event[1] if isinstance(event, tuple) and len(event) == 2 else None
        if isinstance(message, dict) and isinstance(message.get("index"), int) and \
                any(future.key == message.get("key") for future in list(self._futures)):
            self._started[message["key"]] = (message["index"], time.monotonic(), str(message.get("worker") or ""))

    def _running(self) -> list[tuple[Task, float]]:
        """The submissions grading now, as the announcements say: (task, when it started). Where one would be named
        (:meth:`_still`), only on a worker that still lives: a chunk sent again after its worker died waits for
        another, which announces it anew (red team 220)."""
        running = []
        for future, chunk in list(self._futures.items()):
            index, started, worker = self._started.get(future.key, (-1, 0.0, ""))
            if 0 <= index < len(chunk):
                running.append((chunk[index], started, worker))
        now = time.monotonic()
        if now - self._said >= self.still_after and any(now - started >= self.still_after for _, started, _ in running):
            alive = self._alive()  # (a call to the scheduler: only where a line would be said)
            running = [item for item in running if alive is None or not item[2] or item[2] in alive]
        return [(task, started) for task, started, _ in running]

    def _alive(self) -> set[str] | None:
        """The workers the scheduler knows now, or None where it cannot say."""
        try:
            return set(self.client.scheduler_info().get("workers", {}))
        except Exception:
            return None

    def _arrivals(self, completed: Any) -> Iterator[tuple[Any, Any]]:
        """``completed``'s (future, result) pairs as chunks end, and (None, a still-grading row) between them when a
        submission has been graded for long (dask's ``as_completed`` waits with no timeout: this polls it)."""
        while not completed.is_empty():
            if completed.has_ready():
                yield completed.next()
                continue
            still = self._still(time.monotonic(), self._running())
            if still is not None:
                yield None, still
            time.sleep(self.poll)
