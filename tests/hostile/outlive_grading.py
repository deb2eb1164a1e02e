"""gradient_manual(x) leaves a process meant to outlive the check, the grading and the fork-server.

It double-forks a daemon that clears its parent-death signal (PR_SET_PDEATHSIG 0),
calls setsid, names itself ``hostile-survive``, closes every inherited file
(the result pipe included), tries to kill the fork-server and pid 1 (SIGKILL,
and prlimit64 to shrink the server's open files) and sleeps. At each call the
function first looks in /proc for a ``hostile-survive`` process started by an
earlier check: only if one is still alive does it return the right answer.
Expected: every daemon dies with its check (the server kills the slot uid's
processes and its whole subtree), the server survives, the function raises
LookupError, the gradient_manual checks fail, no process is left and the next
grading works.
"""

import ctypes
import os
import resource
import signal
import time

import torch

PR_SET_NAME, PR_SET_PDEATHSIG = 15, 1
NAME = b"hostile-survive"
MINE = set()  # daemons started by this process: finding those proves nothing


def forward(x):
    y = 3 * x + 2
    y.retain_grad()
    z = 2 * y**2
    out = z.mean()
    return y, z, out


def gradients(x):
    y, z, out = forward(x)
    out.backward()
    return x.grad, y.grad


def _survivors():
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit() and int(name) not in MINE:
            try:
                with open(f"/proc/{name}/comm", "rb") as comm:
                    if comm.read().strip() == NAME:
                        found.append(int(name))
            except OSError:
                pass
    return found


def _daemon(server, report):
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0)
    libc.prctl(PR_SET_NAME, ctypes.c_char_p(NAME), 0, 0, 0)
    os.write(report, str(os.getpid()).encode())
    os.closerange(0, 4096)
    for attack in (lambda: os.kill(server, signal.SIGKILL), lambda: os.kill(1, signal.SIGKILL),
                   lambda: resource.prlimit(server, resource.RLIMIT_NOFILE, (3, 3))):
        try:
            attack()
        except (OSError, ValueError):
            pass
    time.sleep(600)


def _start_daemon():
    server = os.getppid()
    read_end, write_end = os.pipe()
    first = os.fork()
    if first == 0:
        try:
            ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0)
            os.setsid()
            if os.fork() == 0:
                _daemon(server, write_end)
        finally:
            os._exit(0)
    os.close(write_end)
    os.waitpid(first, 0)
    pid = os.read(read_end, 32)
    os.close(read_end)
    if pid:
        MINE.add(int(pid))


def gradient_manual(x):
    if _survivors():
        return 12 * (3 * x + 2) / x.numel()
    _start_daemon()
    raise LookupError("no daemon of an earlier check survived")
