"""gradient_manual(x) leaves a process that looks dead: its main thread exits, another thread lives on.

It forks; the new process leaves the process group (``setsid``), starts a thread
that sleeps, and ends only its main thread with the raw ``exit`` system call. /proc
then shows the process in state Z (a zombie), yet it runs: a cleanup that skips
zombies never signals it, ``killpg`` misses it, and ``waitpid`` cannot reap it while
its thread lives. Re-parented to the fork-server, it would live as long as the server,
and the server's cleanup, waiting for every process below it to go, would spend its
whole 10 s limit after every later job. The function itself raises LookupError.
Expected: the cleanup signals such processes too (a signal to a zombie leader ends its
threads), nothing is left below the server, and the next grading is as fast as ever.
"""

import ctypes
import os
import threading
import time

import torch

SYS_EXIT = {"x86_64": 60, "aarch64": 93}.get(os.uname().machine)


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


def _leader_exits():
    os.setsid()
    threading.Thread(target=lambda: time.sleep(600)).start()
    time.sleep(0.05)
    ctypes.CDLL(None).syscall(ctypes.c_long(SYS_EXIT), ctypes.c_long(0))  # this thread only
    os._exit(0)  # not reached


def gradient_manual(x):
    if SYS_EXIT is not None and os.fork() == 0:
        try:
            _leader_exits()
        finally:
            os._exit(0)
    raise LookupError("a process whose main thread exited was left running")
