"""A grading worker of :class:`~.executor.LocalPool`: ``python -m autograd_exercises.classroom.worker --slot N``.

It starts its sandbox first (the fork-server imports torch while this process does), says it
is ready (with the sandbox's isolation layers), then grades every task it reads on standard
input with :func:`~.task.grade_task` and writes each row back, until its input ends. Standard
output carries only those messages; anything else printed goes to standard error. Ctrl-C is
ignored: the instructor's process decides when workers stop.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--slot", type=int, default=0)
    args = parser.parse_args()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    channel_in = os.fdopen(os.dup(0), "rb")
    channel_out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # a stray print never corrupts the channel
    sys.stdout = sys.stderr

    from autograd_exercises.classroom.executor import receive, send

    try:
        from autograd_exercises.sandbox import Sandbox

        sandbox = Sandbox(slot=args.slot, idle_preload=False)  # the next job always waits: never idle
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
    try:
        while True:
            message = receive(channel_in)
            if message is None:
                break
            send(channel_out, grade_task(Task(**message), sandbox))
    except (BrokenPipeError, EOFError):
        pass
    finally:
        sandbox.close()


if __name__ == "__main__":
    main()
    sys.stderr.flush()
    os._exit(0)  # the sandbox is closed and every row sent: skip tearing down torch's modules (about 0.4 s)
