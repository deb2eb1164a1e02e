"""Executors: what runs grading tasks. The batch only knows :class:`Executor`.

An executor takes :class:`~.task.Task` objects (bytes and an exercise name, no paths) and
yields rows (plain dicts) as they finish, in any order; only the instructor's process writes
files. :class:`LocalPool` is this machine's: ``workers`` processes
(``python -m autograd_exercises.classroom.worker``, the first; the others forked from a running one),
each with its own sandbox (a fork-server in its own slot) made once and reused for every task it runs.
:class:`~.dask_executor.DaskExecutor` implements the same three methods on a dask.distributed cluster,
running :func:`~.task.grade_task` where its workers are.

Failures cost one task at most: a worker that dies is replaced and its task tried once more
(then it comes back as *could not grade*); a task past every budget of its grading (a worker stuck: the
sandbox already bounds student code; :func:`~.task.most_seconds`) gets the same. The workers ignore Ctrl-C: the batch
decides when to stop, and :meth:`LocalPool.close` ends them (a worker whose instructor's
process is gone sees its input close and exits).
"""

from __future__ import annotations

import collections
import os
import pickle
import select
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from typing import Any, BinaryIO, Iterable, Iterator

from autograd_exercises.classroom.task import COULD_NOT_GRADE, Task, digest_of, most_seconds, now, still_row

_FRAME = struct.Struct("!I")
MAX_FRAME = 256 * 2**20


def cores() -> int:
    """The cores this process may run on (a container's share, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1


class IdleCores:
    """How many of this process's cores sat idle over about the last ``window`` seconds (``/proc/stat``),
    or None where that cannot be read. A spare worker helps only while one does: a stalled task whose
    child sleeps leaves its core idle, one whose child spins in a loop does not."""

    def __init__(self, window: float = 0.5) -> None:
        self.window = window
        self.samples: collections.deque = collections.deque()

    @staticmethod
    def read() -> float | None:
        """Idle seconds so far of the cores this process may run on, summed."""
        try:
            allowed = {f"cpu{number}".encode() for number in os.sched_getaffinity(0)}
            with open("/proc/stat", "rb") as stat:
                lines = [line.split() for line in stat if line[:3] == b"cpu" and line[3:4] != b" "]
            idle = sum(int(fields[4]) + int(fields[5]) for fields in lines if fields[0] in allowed)
            return idle / os.sysconf("SC_CLK_TCK") if lines else None
        except (AttributeError, OSError, ValueError, IndexError):
            return None

    def __call__(self) -> float | None:
        """Idle cores over the last ``window`` seconds or so (0 until half of it has been seen); None where
        ``/proc/stat`` cannot be read. Call it often: each call is a sample."""
        idle, now = self.read(), time.monotonic()
        if idle is None:
            return None
        self.samples.append((now, idle))
        while len(self.samples) > 1 and now - self.samples[1][0] >= self.window:
            self.samples.popleft()  # keep the oldest sample just over ``window`` old
        then, idle_then = self.samples[0]
        return (idle - idle_then) / (now - then) if now - then >= self.window / 2 else 0.0


class ExecutorError(Exception):
    """The executor cannot grade at all (its sandbox did not start): one line, for ``Error:``."""


class Executor:
    """Runs tasks, yields rows as they finish. Use as a context manager."""

    still_after = 60.0  # seconds after which a running task is named (:func:`~.task.still_row`), again each time
    _said = 0.0  # when the tasks running long were last named (:meth:`_still`)

    def _still(self, now: float, running: Iterable[tuple[Task, float]]) -> dict[str, Any] | None:
        """At most every :attr:`still_after` seconds, the tasks of ``running`` ((task, when it started)) that have run
        that long or more: a row that names them (:func:`~.task.still_row`), else None."""
        if now - self._said < self.still_after:
            return None
        long = [(task, now - started) for task, started in running if now - started >= self.still_after]
        if not long:
            return None
        self._said = now
        return still_row(long)

    def start(self) -> dict[str, Any]:
        """Make the graders ready; returns what they report (``layers``: the sandbox's isolation layers)."""
        raise NotImplementedError

    def run(self, tasks: Iterable[Task]) -> Iterator[dict[str, Any]]:
        """Grade every task; yield one row per task, in the order they finish."""
        raise NotImplementedError

    def close(self) -> None:
        """Stop the graders (also after an interrupted ``run``)."""

    def __enter__(self) -> "Executor":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# -- framing between the instructor's process and a worker (both ours: pickle of plain data) ----------


def send(stream: BinaryIO, message: Any) -> None:
    body = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_FRAME.pack(len(body)) + body)
    stream.flush()


def receive(stream: BinaryIO) -> Any:
    """The next message, or None at the end of the stream."""
    head = stream.read(_FRAME.size)
    if len(head) < _FRAME.size:
        return None
    (size,) = _FRAME.unpack(head)
    if size > MAX_FRAME:
        raise EOFError(f"a message of {size} bytes")
    body = stream.read(size)
    if len(body) < size:
        return None
    return pickle.loads(body)


def failed_row(task: Task, reason: str) -> dict[str, Any]:
    """A row for a task no worker could finish."""
    return {"key": task.key, "student": task.student, "exercise": task.exercise, "file": task.filename,
            "sha256": digest_of(task), "seed": task.seed, "status": COULD_NOT_GRADE, "reason": reason,
            "note": "", "score": 0.0, "max_score": 0.0, "checks": {}, "result": None, "results_json": "",
            "feedback": "", "cells": None, "graded_at": now(), "seconds": 0.0}


class InProcess(Executor):
    """Grades in this process with a sandbox it is given (the tests; ``grade class`` always uses worker processes)."""

    def __init__(self, sandbox: Any) -> None:
        self.sandbox = sandbox

    def start(self) -> dict[str, Any]:
        self.sandbox.wait_ready()
        return {"layers": list(self.sandbox.layers), "workers": 1}

    def run(self, tasks: Iterable[Task]) -> Iterator[dict[str, Any]]:
        from autograd_exercises.classroom.task import grade_task

        for task in tasks:
            yield grade_task(task, self.sandbox)


def _fork_channel() -> tuple[socket.socket | None, socket.socket | None]:
    """A socket pair that carries descriptors (ours, the worker's), or (None, None) where there is none."""
    try:
        return socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET) if hasattr(socket, "send_fds") else (None, None)
    except (AttributeError, OSError):
        return None, None


class _Worker:
    """One worker process and the task it is grading.

    Started as a new interpreter (``mother`` None), or forked from a running worker, ``mother``, which already
    holds torch and the graders (:func:`.worker.fork_worker`): it then only starts a sandbox of its own, about
    half the CPU. A forked worker is not this process's child: its pid comes in its first message, and a pidfd
    tells when it has exited.
    """

    def __init__(self, slot: int, cwd: str, mother: "_Worker | None" = None) -> None:
        self.task: Task | None = None
        self.deadline = self.given = 0.0
        self.ready: dict[str, Any] | None = None
        self.proc: subprocess.Popen | None = None
        self.pid: int | None = None
        self.pidfd: int | None = None
        self.forks, theirs = _fork_channel()
        try:
            if mother is None or not self._fork_from(mother, slot, theirs):
                forks = ["--forks", str(theirs.fileno())] if theirs is not None else []
                self.proc = subprocess.Popen(
                    [sys.executable, "-m", "autograd_exercises.classroom.worker", "--slot", str(slot), *forks],
                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=cwd, start_new_session=True,
                    **({"pass_fds": (theirs.fileno(),)} if theirs is not None else {}))
                self.pid, self.stdin, self.stdout = self.proc.pid, self.proc.stdin, self.proc.stdout
        finally:
            if theirs is not None:
                theirs.close()

    def _fork_from(self, mother: "_Worker", slot: int, theirs: socket.socket | None) -> bool:
        """Ask ``mother`` to fork this worker: hand it the new worker's pipes; False if it cannot take them."""
        if mother.forks is None or theirs is None or not hasattr(os, "pidfd_open"):
            return False
        to_new, from_new = os.pipe(), os.pipe()
        try:
            socket.send_fds(mother.forks, [str(slot).encode()], [to_new[0], from_new[1], theirs.fileno()])
        except OSError:
            for fd in (*to_new, *from_new):
                os.close(fd)
            return False
        os.close(to_new[0]), os.close(from_new[1])
        self.stdin, self.stdout = os.fdopen(to_new[1], "wb"), os.fdopen(from_new[0], "rb")
        return True

    def stalled(self, now: float, after: float) -> bool:
        """Its task has run past ``after`` seconds (:attr:`LocalPool.stall`): a check waiting out its timeout,
        most likely."""
        return self.task is not None and now - self.given >= after

    def starting(self) -> bool:
        """Read one start-up message (a forked worker's hello, or ready); True once it is ready."""
        message = receive(self.stdout)
        if isinstance(message, dict) and type(message.get("hello")) is int and self.pid is None:
            self.pid = message["hello"]
            try:
                self.pidfd = os.pidfd_open(self.pid)
            except (AttributeError, OSError):
                self.pidfd = None  # gone already, or no pidfd here: stop() then only signals
            return False
        if not isinstance(message, dict) or not message.get("ready"):
            error = message.get("error") if isinstance(message, dict) else "it exited while starting"
            raise ExecutorError(f"a grading worker did not start: {error}")
        self.ready = message
        return True

    def wait_ready(self) -> dict[str, Any]:
        while self.ready is None:
            self.starting()
        return self.ready

    def give(self, task: Task, deadline: float) -> None:
        self.given = time.monotonic()
        self.task, self.deadline = task, self.given + deadline
        send(self.stdin, asdict(task))

    def hang_up(self) -> None:
        """Close its input: a worker between tasks then closes its sandbox and exits."""
        try:
            self.stdin.close()
        except OSError:
            pass

    def _exited(self, wait: float | None) -> bool:
        """Whether it has exited within ``wait`` seconds (``None``: for as long as it takes)."""
        if self.proc is not None:
            try:
                self.proc.wait(timeout=wait)
                return True
            except subprocess.TimeoutExpired:
                return False
        if self.pid is None and self.ready is None and select.select([self.stdout], [], [], wait or 1.0)[0]:
            try:
                self.starting()  # its hello, with the pid to signal
            except (ExecutorError, EOFError, OSError, pickle.UnpicklingError):
                pass
        if self.pidfd is None:
            return self.pid is None
        return bool(select.select([self.pidfd], [], [], wait)[0])

    def stop(self, wait: float = 5.0) -> None:
        self.hang_up()
        if not self._exited(wait):
            # the worker, then its sandbox (its own session): a slot must never outlive the lock on it
            if self.pidfd is not None:  # a forked worker, alone in its session: by its pidfd, never a reused pid
                try:
                    signal.pidfd_send_signal(self.pidfd, signal.SIGKILL)
                except OSError:
                    pass  # it has just exited
            for group in (self.pid if self.pidfd is None else None, (self.ready or {}).get("sandbox_group")):
                try:
                    if group:
                        os.killpg(group, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
            self._exited(None)
        for handle in (self.stdout, self.forks):
            try:
                if handle is not None:
                    handle.close()
            except OSError:
                pass
        if self.pidfd is not None:
            try:  # where this process is init or a subreaper, the forked worker became its child: reap it
                os.waitid(os.P_PIDFD, self.pidfd, os.WEXITED | os.WNOHANG)
            except (AttributeError, OSError):
                pass  # not our child: init reaps it
            os.close(self.pidfd)
            self.pidfd = None


def reap_exited(grace: tuple[float, ...] = (0.0, 0.02, 0.05, 0.1)) -> int:
    """Reap this process's children that have exited, after each pause of ``grace`` (killed processes take a moment to
    go): the forked workers and sandbox servers a subreaper was given (red team 229: six zombies a class run, under a
    pid 1 that never reaps, as a container's shell or ``unshare --fork``'s first process). A child still running is
    left as it is. How many were reaped."""
    reaped = 0
    for pause in grace:
        time.sleep(pause)
        try:
            while os.waitpid(-1, os.WNOHANG)[0]:
                reaped += 1
        except ChildProcessError:
            break
    return reaped


class LocalPool(Executor):
    """``workers`` local processes, each with one sandbox (its own slot), made once and reused.

    A submission that hangs holds its worker for the timeout of its hanging call (5 s by default), mostly
    asleep. So at most ``workers`` tasks run at once that have not *stalled* (run past :attr:`stall`
    seconds, 10 times a usual submission): while some have and a core sits idle (:class:`IdleCores`: the
    stalled child sleeps, it does not spin), up to ``spares`` more workers start (in the background) and take
    the queue on, and every core stays at work.
    """

    retries = 1  # a task whose worker died is tried once more on a fresh worker
    stall = 1.0  # seconds after which a running task no longer counts against the number of workers

    def __init__(self, workers: int | None = None, *, deadline: float | None = None, spares: int | None = None) -> None:
        self.size = max(1, workers or cores())
        self.spares = 1 if spares is None else spares
        self.deadline = deadline  # seconds one task may take (default from its timeout)
        self.workers: list[_Worker] = []
        self._reaper = False  # this process is a subreaper of the workers it forked (start)
        self._cwd = tempfile.TemporaryDirectory(prefix="grade-class-worker-")  # empty: nothing next to a submission
        self._next_slot = 0
        self.idle_cores = IdleCores()
        self.layers: list[str] = []  # the first worker's: every other has at least these
        self._restarts = 0  # workers started again after one failed to start

    def _spawn(self, mother: _Worker | None = None) -> _Worker:
        """A new worker in the next slot: forked from ``mother`` where given (it keeps grading), else started."""
        worker = _Worker(self._next_slot, self._cwd.name, mother)
        self._next_slot += 1
        return worker

    def start(self) -> dict[str, Any]:
        """Start the first worker and, forked from it, the others; return once the first is ready (the others
        join as they are: :meth:`run`)."""
        if not self.workers:
            from autograd_exercises.sandbox import isolation

            self._reaper = isolation.set_child_subreaper()  # (red team 229: orphans left to a pid 1 that never reaps)
            first = self._spawn()
            self.workers = [first] + [self._spawn(mother=first) for _ in range(self.size - 1)]
        ready = self.workers[0].wait_ready()
        self.layers = list(ready.get("layers", []))
        return {"layers": self.layers, "workers": self.size, "pids": [ready.get("pid")]}

    def pids(self) -> list[int]:
        """The worker processes and their sandbox servers (for memory figures)."""
        found = []
        for worker in self.workers:
            if worker.pid is not None:
                found.append(worker.pid)
            if worker.ready and worker.ready.get("server_pid"):
                found.append(worker.ready["server_pid"])
        return found

    def _mother(self, now: float) -> _Worker | None:
        """The worker to fork a spare from: a stalled one (it waits on a child that sleeps, and forks at once),
        else any ready one (it forks within one submission's time)."""
        ready = [worker for worker in self.workers if worker.ready is not None]
        return next((worker for worker in ready if worker.stalled(now, self.stall)), ready[0] if ready else None)

    def _task_deadline(self, task: Task) -> float:
        return self.deadline or most_seconds(task)

    def _running(self, now: float) -> int:
        """Tasks in progress that have not stalled."""
        return sum(1 for worker in self.workers if worker.task is not None and not worker.stalled(now, self.stall))

    def _feed(self, queue: collections.deque) -> None:
        """Give idle, ready workers their next task while fewer than ``size`` run unstalled; start a spare
        worker when every worker is busy, some have stalled and a core idles."""
        now, idle_cores = time.monotonic(), self.idle_cores()
        for worker in list(self.workers):
            while worker.ready is not None and worker.task is None and queue and self._running(now) < self.size:
                task = queue.popleft()
                try:
                    worker.give(task, self._task_deadline(task))
                except (BrokenPipeError, OSError):
                    queue.appendleft(task)
                    worker = self._replace(worker)
        idle = any(worker.task is None for worker in self.workers)  # a ready one, or a spare still starting
        if self._spare_wanted(queue, now) and not idle and (idle_cores is None or idle_cores >= 0.5):
            self.workers.append(self._spawn(self._mother(now)))  # starts in the background: run() reads it

    def _spare_wanted(self, queue: collections.deque, now: float) -> bool:
        """Tasks wait, some running ones have stalled, and a spare may still start."""
        return bool(queue) and self._running(now) < self.size and len(self.workers) < self.size + self.spares

    def _wake(self, now: float, queue: collections.deque) -> float:
        """Seconds until the loop must look again: a deadline, a task about to stall, or (while a spare is
        wanted) the next look at the idle cores."""
        times = [worker.deadline for worker in self.workers if worker.task is not None]
        if self._spare_wanted(queue, now):
            times.append(now + self.idle_cores.window / 4)
        times += [worker.given + self.stall for worker in self.workers
                  if worker.task is not None and not worker.stalled(now, self.stall)]
        times += [max(self._said, worker.given) + self.still_after for worker in self.workers if worker.task is not None]
        return min(5.0, max(0.0, min(times, default=now + 5.0) - now))

    def _started(self, worker: _Worker) -> None:
        """A starting worker said something: its hello, or ready (it takes tasks from now on). One that failed
        to start, or has fewer isolation layers than the first (which the batch checked), is dropped; while
        fewer than ``workers`` remain, a new interpreter takes its place (``workers`` times at most)."""
        try:
            if not worker.starting():
                return
            self._check_layers(worker)
        except (ExecutorError, EOFError, OSError, pickle.UnpicklingError):
            self.workers.remove(worker)
            worker.stop(wait=0 if worker.ready is None else 5.0)
            if len(self.workers) < self.size and self._restarts < self.size:
                self._restarts += 1
                self.workers.append(self._spawn())  # in the background, as a spare

    def _check_layers(self, worker: _Worker) -> None:
        """:class:`ExecutorError` when ``worker`` lacks an isolation layer the first worker had."""
        missing = [layer for layer in self.layers if layer not in (worker.ready or {}).get("layers", [])]
        if missing:
            raise ExecutorError(f"a grading worker started without isolation layers the first one had "
                                f"({', '.join(missing)})")

    def run(self, tasks: Iterable[Task]) -> Iterator[dict[str, Any]]:
        self.start()
        queue = collections.deque(tasks)
        tries: dict[int, int] = collections.Counter()
        self._said = time.monotonic()  # when the tasks running long were last named (:meth:`_still`)
        while queue or any(worker.task for worker in self.workers):
            self._feed(queue)
            busy = {worker.stdout.fileno(): worker for worker in self.workers
                    if worker.task is not None or worker.ready is None}
            readable, _, _ = select.select(list(busy), [], [], self._wake(time.monotonic(), queue))
            done = []
            for fd in readable:
                worker = busy[fd]
                if worker.ready is None:
                    self._started(worker)
                    continue
                task = worker.task
                try:
                    row = receive(worker.stdout)
                except (EOFError, OSError, pickle.UnpicklingError):
                    row = None
                worker.task = None
                if row is not None:
                    done.append(row)
                    continue
                self._replace(worker)  # the worker died with this task
                tries[id(task)] += 1
                if tries[id(task)] <= self.retries:
                    queue.appendleft(task)
                else:
                    done.append(failed_row(task, "the grading worker died twice on this submission"))
            for worker in list(busy.values()):
                if worker.task is not None and time.monotonic() > worker.deadline:
                    task = worker.task
                    self._replace(worker)
                    done.append(failed_row(task, f"grading took more than {self._task_deadline(task):g} s"))
            self._feed(queue)  # the workers go on while the rows are written
            yield from done
            still = self._still(time.monotonic(), [(worker.task, worker.given) for worker in self.workers
                                                   if worker.task is not None])
            if still is not None:
                yield still

    def _replace(self, worker: _Worker) -> _Worker:
        index = self.workers.index(worker)
        worker.task = None
        worker.stop(wait=0)
        fresh = self._spawn()
        self.workers[index] = fresh
        fresh.wait_ready()
        self._check_layers(fresh)  # grading stops rather than go on with less isolation than the batch checked
        return fresh

    def close(self) -> None:
        for worker in self.workers:  # every worker winds down at once, not one after the other
            worker.hang_up()
        for worker in self.workers:
            worker.stop(wait=0 if worker.task is not None or worker.ready is None else 5.0)
        self.workers = []
        if self._reaper:  # the forked workers and their sandbox servers, killed, were re-parented to this subreaper
            reap_exited()
        self._cwd.cleanup()
