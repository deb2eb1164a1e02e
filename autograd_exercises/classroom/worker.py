"""A grading worker of :class:`~.executor.LocalPool`: ``python -m autograd_exercises.classroom.worker --slot N``.

It starts its sandbox first (the fork-server imports torch while this process does), says it
is ready (with the sandbox's isolation layers), then grades every task it reads on standard
input with :func:`~.task.grade_task` and writes each row back, until its input ends. Standard
output carries only those messages; anything else printed goes to standard error. Ctrl-C is
ignored: the instructor's process decides when workers stop.

A worker also makes more workers: each message on its ``--forks`` socket (a slot number and three file
descriptors: the new worker's input, its output and its own ``--forks``) makes it fork a copy of itself,
which already holds torch and the graders and so only starts a sandbox of its own (:func:`fork_worker`).
It serves them between tasks and while its sandbox runs a job (a stalled one above all). The copy says
``{"hello": pid}`` at once, then ready as above.
"""

from __future__ import annotations

import argparse
import os
import select
import signal
import socket
import sys
from typing import Any, BinaryIO


# The grader computes on the CPU only. A worker that saw a GPU (a CUDA build of torch on a GPU machine) started
# autograd's device threads at its first backward(), and every worker forked from it afterwards failed each
# backward() of its references ("Unable to handle autograd's threading in combination with fork-based
# multiprocessing"): on an H200 with torch 2.11+cu130, 8 workers and 2 disagreed on 75 of 240 scores. With no
# visible device, torch counts none and starts no such thread. Set before the worker's first use of CUDA.
NO_GPU = {"CUDA_VISIBLE_DEVICES": "", "HIP_VISIBLE_DEVICES": ""}


def main() -> None:
    os.environ.update(NO_GPU)
    parser = argparse.ArgumentParser()
    parser.add_argument("--slot", type=int, default=0)
    parser.add_argument("--forks", type=int, default=None, help="a unix socket: descriptors for new workers")
    args = parser.parse_args()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    channel_in = os.fdopen(os.dup(0), "rb")
    channel_out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # a stray print never corrupts the channel
    sys.stdout = sys.stderr
    forks = socket.socket(fileno=args.forks) if args.forks is not None else None
    serve(args.slot, channel_in, channel_out, forks)


def serve(slot: int, channel_in: BinaryIO, channel_out: BinaryIO, forks: socket.socket | None) -> None:
    """Start a sandbox in ``slot``, say ready, then grade (or fork) until the input ends."""
    from autograd_exercises.classroom.executor import receive, send

    try:
        from autograd_exercises.sandbox import Sandbox

        sandbox = Sandbox(slot=slot, idle_preload=False)  # the next job always waits: never idle
        import torch

        from autograd_exercises.classroom.task import Task, grade_task

        import graders  # noqa: F401  (imported while the server starts)

        torch.set_num_threads(1)  # one process per core: no threads competing with the other workers

        sandbox.wait_ready()
    except Exception as exc:
        send(channel_out, {"ready": False, "error": f"{type(exc).__name__}: {exc}"})
        return
    launcher = getattr(sandbox, "_proc", None)
    send(channel_out, {"ready": True, "pid": os.getpid(), "slot": sandbox.slot, "layers": list(sandbox.layers),
                       "server_pid": sandbox.server_pid, "sandbox_group": launcher.pid if launcher else None})
    mine = (channel_in, channel_out, sandbox)
    if forks is not None:
        def fork() -> None:
            if not fork_worker(forks, mine):
                del sandbox.while_waiting[forks.fileno()]  # the pool hung up: nothing more to fork

        sandbox.while_waiting[forks.fileno()] = fork
    try:
        while True:
            ready = select.select([channel_in, *sandbox.while_waiting], [], [])[0] if sandbox.while_waiting \
                else [channel_in]
            for fd in ready:
                if fd is not channel_in:
                    sandbox.while_waiting[fd]()
            if channel_in not in ready:
                continue
            message = receive(channel_in)  # one task at a time: the pool sends the next after this row
            if message is None:
                break
            send(channel_out, grade_task(Task(**message), sandbox))
    except (BrokenPipeError, EOFError):
        pass
    finally:
        sandbox.close()


def fork_worker(forks: socket.socket, mine: tuple[Any, Any, Any]) -> bool:
    """Take one request from ``forks`` and fork the new worker it asks for; returns at once here (False when the
    pool has hung up).

    The copy is detached (forked twice, so init reaps it, in a session of its own), drops everything of this
    worker's (``mine``: its channels and sandbox, whose server stays this worker's), says hello and serves.
    """
    try:
        data, fds, _, _ = socket.recv_fds(forks, 16, 3)
    except OSError:
        return False
    if len(fds) != 3 or not data.isdigit():
        for fd in fds:
            os.close(fd)
        return bool(data)
    pid = os.fork()
    if pid == 0:
        try:
            if os.fork() == 0:
                _become_worker(int(data), fds, forks, mine)
        finally:
            os._exit(0)
    for fd in fds:
        os.close(fd)
    os.waitpid(pid, 0)
    return True


def _become_worker(slot: int, fds: list[int], forks: socket.socket, mine: tuple[Any, Any, Any]) -> None:
    """In the copy: leave this worker's session, channels and sandbox; serve on ``fds``."""
    from autograd_exercises.classroom.executor import send

    os.setsid()
    channel_in, channel_out, sandbox = mine
    sandbox.abandon()
    for stream in (channel_in, channel_out, forks):
        try:
            stream.close()
        except OSError:
            pass
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)  # the original's input pipe: only the original reads it
    os.close(null)
    channel_in, channel_out = os.fdopen(fds[0], "rb"), os.fdopen(fds[1], "wb")
    send(channel_out, {"hello": os.getpid()})
    serve(slot, channel_in, channel_out, socket.socket(fileno=fds[2]))
    sys.stderr.flush()


if __name__ == "__main__":
    main()
    sys.stderr.flush()
    os._exit(0)  # the sandbox is closed and every row sent: skip tearing down torch's modules (about 0.4 s)
