"""gradient_manual(x) signals the fork-server and pid 1 every way it knows, to stop or kill them.

``kill`` with SIGSTOP, SIGTERM, SIGINT, SIGHUP, SIGUSR1 (which would end a Python
process with no handler); ``killpg`` of their process groups; ``pidfd_send_signal``;
``tgkill`` on each of the server's threads; ``rt_sigqueueinfo``. (Not
``kill(-1)``: kill_every_pid does that.) A SIGSTOP that got through is undone at
once with SIGCONT. Only when a signal is delivered does the function return
the right answer. Expected: signals cannot leave the sandbox (Landlock scope,
another uid), every call fails, the function raises PermissionError, the
gradient_manual checks fail and the server keeps answering.
"""

import ctypes
import os
import signal

import torch

SYS_PIDFD_OPEN, SYS_PIDFD_SEND_SIGNAL = 434, 424
SYS_RT_SIGQUEUEINFO = {"x86_64": 129, "aarch64": 138}.get(os.uname().machine)
SYS_TGKILL = {"x86_64": 234, "aarch64": 131}.get(os.uname().machine)
SIGNALS = (signal.SIGSTOP, signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGUSR1)


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


def _syscall(number, *args):
    libc = ctypes.CDLL(None, use_errno=True)
    result = libc.syscall(ctypes.c_long(number), *(ctypes.c_long(arg) for arg in args))
    if result < 0:
        raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))
    return result


def _attempts(pid):
    for number in SIGNALS:
        yield f"kill({pid}, {number})", lambda number=number: os.kill(pid, number)
    group = os.getpgid(pid)
    if group > 1 and group != os.getpgid(0):  # killpg(1) would be kill(-1): everything of our own
        yield f"killpg({group})", lambda: os.killpg(group, signal.SIGUSR1)
    yield f"pidfd_send_signal({pid})", lambda: _pidfd_signal(pid)
    try:
        threads = [int(task) for task in os.listdir(f"/proc/{pid}/task")]
    except OSError:
        threads = [pid]
    for thread in threads if SYS_TGKILL is not None else ():
        yield f"tgkill({pid}, {thread})", lambda thread=thread: _syscall(SYS_TGKILL, pid, thread, signal.SIGUSR1)
    if SYS_RT_SIGQUEUEINFO is not None:
        info = ctypes.create_string_buffer(128)
        ctypes.memmove(info, ctypes.byref(ctypes.c_int(signal.SIGUSR1)), 4)
        ctypes.memmove(ctypes.byref(info, 8), ctypes.byref(ctypes.c_int(-1)), 4)  # si_code SI_QUEUE
        queued = ctypes.addressof(info)
        yield f"rt_sigqueueinfo({pid})", lambda: _syscall(SYS_RT_SIGQUEUEINFO, pid, signal.SIGUSR1, queued)


def _pidfd_signal(pid):
    pidfd = _syscall(SYS_PIDFD_OPEN, pid, 0)
    try:
        _syscall(SYS_PIDFD_SEND_SIGNAL, pidfd, signal.SIGUSR1, 0, 0)
    finally:
        os.close(pidfd)


def gradient_manual(x):
    succeeded, refused = [], []
    for pid in sorted({os.getppid(), 1}):
        for what, attempt in _attempts(pid):
            try:
                attempt()
                succeeded.append(what)
            except OSError as exc:
                refused.append(f"{what}: {exc.strerror}")
            finally:
                try:
                    os.kill(pid, signal.SIGCONT)
                except OSError:
                    pass
    if not succeeded:
        raise PermissionError(f"refused: {len(refused)} signals, e.g. {refused[:2]}")
    print("signalled:", succeeded)
    return 12 * (3 * x + 2) / x.numel()
