"""gradient_manual(x) looks for a way back into the zygote that forked it, or into the fork-server.

Every child is forked by a clean zygote that is handed each job's pipes over a
unix socket. A child must hold none of that: no descriptor past stdin, stdout,
stderr and its result pipe (fd 3), no socket to ask for forks, no job pipe to
read another job from, and no way to signal its parent (another uid). If any
such door is open, gradient_manual returns a wrong answer, so the attack shows
as lost points; closed, the answer is right and every check keeps its points.
"""

import os
import signal

import torch


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


def _doors():
    doors = []
    try:
        extra = [int(fd) for fd in os.listdir("/proc/self/fd") if int(fd) > 3]
    except OSError:
        extra = []
    for fd in extra:
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if not target.startswith("/proc/"):  # the listing's own descriptor
            doors.append(f"fd {fd} -> {target}")
    try:
        os.kill(os.getppid(), 0)  # may we signal the zygote at all?
        doors.append("the zygote can be signalled")
    except OSError:
        pass
    return doors


def gradient_manual(x):
    right = 12 * (3 * x + 2) / x.numel()
    return right * 0 if _doors() else right
