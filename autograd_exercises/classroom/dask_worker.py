"""The dask worker's side of :class:`~.dask_executor.DaskExecutor`: one sandbox per worker, and the task it runs.

:class:`GraderPlugin` is a ``distributed`` ``WorkerPlugin``: registered by the instructor's process, it is
set up on every worker of the cluster, now and later (a worker that joins, or one its nanny restarted). Its
setup checks the grader version installed on the worker against the instructor's (a digest of the code
that decides a score, :func:`~.cache.grader_version`): a worker with another version refuses, with both
versions in the error, rather than grade differently. Then it starts the worker's one fork-server
(:class:`~autograd_exercises.sandbox.Sandbox`, which claims a free slot: several workers on one machine
never share one) while the worker imports torch and the graders, so a task costs a fork per submission, not an
``import torch``. The teardown stops the sandbox with the worker.

:func:`grade_chunk` is the task: a list of :class:`~.task.Task` (bytes and an exercise name, no path:
workers need not share a file system) graded one after the other with :func:`~.task.grade_task` in the
worker's sandbox; it returns the rows. The worker writes nothing: rows go back to the instructor's process.

This module imports ``distributed``: only dask workers and the executor import it.
"""

from __future__ import annotations

import asyncio
import os
import threading
from typing import Any

from distributed import get_worker
from distributed.diagnostics.plugin import WorkerPlugin

from autograd_exercises.classroom.task import Task, grade_task

PREFIX = "autograd-exercises-grader"
STARTED = "autograd-exercises-started"  # the event topic a worker announces each submission's start on (one topic:
# the scheduler keeps a bounded log of each, and a run reads only its own chunks' keys)


def plugin_name(version: str) -> str:
    """One plugin per grader version: runs of the same version share the workers' sandboxes."""
    return f"{PREFIX}-{version}"


class WorkerNotReady(Exception):
    """This worker cannot grade (another grader version, or no sandbox): the batch stops with this message."""


def mismatch(address: str, installed: str, wanted: str) -> str:
    return (f"the dask worker {address} has grader version {installed}, this run {wanted}: every worker needs the "
            "same autograd-exercises installation as the instructor's process (the same package version and the "
            "same graders, hidden checks included), or it would grade differently")


def _prepare(sandbox: Any) -> None:
    """What a worker imports to grade, while its sandbox server imports torch (in a thread: not the event loop)."""
    import torch

    import graders  # noqa: F401
    from autograd_exercises import grading, session  # noqa: F401

    torch.set_num_threads(1)  # one worker per core: no threads competing with the other workers
    sandbox.wait_ready()


class GraderPlugin(WorkerPlugin):
    """Keeps one long-lived sandbox on each dask worker, for the grader version ``version``."""

    idempotent = True  # a second run of the same version keeps the sandboxes the first one started

    def __init__(self, version: str) -> None:
        self.version = version
        self.name = plugin_name(version)
        self.sandbox: Any = None
        self.error = ""
        self.installed = ""

    async def setup(self, worker: Any) -> None:
        self.lock = threading.Lock()  # one task at a time in the sandbox, whatever the worker's threads
        self.settled = asyncio.Event()  # set up, or failed: what describe() waits for
        try:
            await self._setup(worker)
        finally:
            self.settled.set()

    async def _setup(self, worker: Any) -> None:
        from autograd_exercises.classroom.cache import grader_version

        loop = asyncio.get_running_loop()
        self.installed = await loop.run_in_executor(None, grader_version)
        if self.installed != self.version:
            self.error = mismatch(worker.address, self.installed, self.version)
            raise WorkerNotReady(self.error)
        from autograd_exercises.sandbox import Sandbox

        try:
            # Started here, on the worker's event-loop thread, which lives as long as the worker: the server
            # (bubblewrap --die-with-parent) goes with it, and its slot lock with the worker's process.
            sandbox = Sandbox(idle_preload=False)  # grading a class: see Sandbox
        except Exception as exc:
            self.error = f"the dask worker {worker.address} could not start its sandbox: {type(exc).__name__}: {exc}"
            raise WorkerNotReady(self.error) from None
        try:
            await loop.run_in_executor(None, _prepare, sandbox)
        except Exception as exc:
            sandbox.close()
            self.error = f"the dask worker {worker.address} could not start its sandbox: {type(exc).__name__}: {exc}"
            raise WorkerNotReady(self.error) from None
        self.sandbox = sandbox

    def teardown(self, worker: Any) -> None:
        sandbox, self.sandbox = self.sandbox, None
        if sandbox is not None:
            sandbox.close()

    def describe(self, worker: Any) -> dict[str, Any]:
        """What the instructor's process checks before grading (and the bench reads)."""
        sandbox = self.sandbox
        launcher = getattr(sandbox, "_proc", None)
        return {"ready": sandbox is not None, "error": self.error, "version": self.installed,
                "layers": list(sandbox.layers) if sandbox is not None else [],
                "root": hasattr(os, "geteuid") and os.geteuid() == 0, "pid": os.getpid(),
                "server_pid": sandbox.server_pid if sandbox is not None else None,
                "sandbox_group": launcher.pid if launcher is not None else None,
                "slot": sandbox.slot if sandbox is not None else None, "threads": worker.state.nthreads}


def _plugin(version: str) -> tuple[Any, GraderPlugin | None]:
    worker = get_worker()
    return worker, worker.plugins.get(plugin_name(version))


async def describe(version: str, wait: float = 300.0, dask_worker: Any = None) -> dict[str, Any]:
    """This worker's plugin state, once its setup has ended (``Client.run`` passes ``dask_worker``).

    A worker that has just joined may not have the plugin yet, or be starting its sandbox: wait for it.
    """
    name = plugin_name(version)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    appears = loop.time() + min(wait, 30.0)  # the scheduler sends it as the worker registers
    while name not in dask_worker.plugins and loop.time() < appears:
        await asyncio.sleep(0.1)
    plugin = dask_worker.plugins.get(name)
    settled = getattr(plugin, "settled", None)
    if settled is not None:
        try:
            await asyncio.wait_for(settled.wait(), max(0.0, deadline - loop.time()))
        except asyncio.TimeoutError:
            pass
    if plugin is None:
        return {"ready": False, "error": f"the dask worker {dask_worker.address} has no grader plugin",
                "version": "", "layers": [], "root": False, "pid": os.getpid(), "server_pid": None,
                "sandbox_group": None, "slot": None, "threads": dask_worker.state.nthreads}
    return plugin.describe(dask_worker)


def grade_chunk(tasks: list[Task], version: str) -> list[dict[str, Any]]:
    """The task: grade ``tasks`` in this worker's sandbox; one row each (plain data, as :func:`grade_task`). Each
    submission's start is announced (:func:`announce`)."""
    worker, plugin = _plugin(version)
    if plugin is None or plugin.sandbox is None:
        raise WorkerNotReady(plugin.error if plugin is not None and plugin.error else
                             f"the dask worker {worker.address} has no sandbox for grader version {version}")
    key = worker.get_current_task()
    rows = []
    with plugin.lock:
        for index, task in enumerate(tasks):
            announce(worker, key, index)
            rows.append(grade_task(task, plugin.sandbox))
    return rows


def announce(worker: Any, key: Any, index: int) -> None:
    """Tell the instructor's process, through the scheduler's events (:data:`STARTED`), that the chunk ``key`` now
    grades its ``index``-th submission on this worker: it names one graded for long, as a local run does ("still
    grading …"), while that worker lives.
    Best effort: a lost announcement costs only that line."""
    try:
        worker.log_event(STARTED, {"key": str(key), "index": index, "worker": str(worker.address)})
    except Exception:
        pass
