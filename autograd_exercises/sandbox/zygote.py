"""The zygote: a clean process that forks every job child, so no child inherits another submission.

The fork-server reads each job (a student's source and inputs) and drains each
child's output and report: its heap keeps those bytes after they are freed, and a
child forked from it could find the previous student's code and output in its own
memory. So right after the server has preloaded torch and the probes, before any
job, it forks this zygote, which never touches job data. For each job the server
sends it three file descriptors over a unix socket (``SCM_RIGHTS``): the read end
of a pipe carrying the job, and the write ends of the output and result channels.
The zygote forks; the new child reads its job straight from the pipe; the zygote
tells the server the child's pid, waits for it, and sends its wait status.
"""

from __future__ import annotations

import ctypes
import errno
import gc
import os
import signal
import socket
import struct
from typing import Any, Callable

_PID = struct.Struct("=i")
PRELOAD = b"preload"  # a message that asks the zygote to load the slow optional modules
HUGE_PAGE = 2 * 2**20
HUGE_AFTER = 2  # a batch's forks before its zygote moves onto huge pages (never in a student's run: :func:`_goes_huge`)
MADV_COLLAPSE = 25  # Linux 6.1: older kernels refuse it, and nothing changes


class Zygote:
    """The server's handle on its zygote process."""

    def __init__(self, run_job: Callable[[list[int]], None], preload: Callable[[], None], batch: bool = False) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.pid = os.fork()
        if self.pid == 0:  # the zygote: never returns
            try:
                ours.close()
                _serve(theirs, run_job, preload, batch)
            finally:
                os._exit(0)
        theirs.close()
        self.sock = ours

    def fork(self, job_r: int, out_w: int, res_w: int) -> int:
        """A new child reading its job from ``job_r``: its pid."""
        socket.send_fds(self.sock, [b"fork"], [job_r, out_w, res_w])
        return _PID.unpack(self.sock.recv(16))[0]

    def wait(self) -> int | None:
        """The wait status of the child forked last (``None`` if the zygote is gone)."""
        data = self.sock.recv(16)
        return _PID.unpack(data)[0] if len(data) == _PID.size else None

    def preload(self) -> None:
        self.sock.send(PRELOAD)


def _serve(sock: socket.socket, run_job: Callable[[list[int]], None], preload: Callable[[], None], batch: bool) -> None:
    """The zygote's loop: fork on request, report the pid, reap the child, report its status."""
    from autograd_exercises.sandbox import frozen, guard, isolation

    isolation._prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: the zygote goes with its server
    keep = sock.fileno()
    os.closerange(3, keep)  # nothing of the server's channels: the grader must see EOF when the server dies
    os.closerange(keep + 1, 1 << 16)
    guard.guard_modules()  # here, once: a child that made each module guarded would copy the pages they lie on
    frozen.writer_places("builtins")  # (found once here, not in each child)
    _prime()
    gc.freeze()  # every object so far is never collected: a child's collections do not touch (and copy) its pages
    forked = 0
    while True:
        message, fds, _, _ = socket.recv_fds(sock, 64, 3)
        if not message:
            return
        if message == PRELOAD:
            try:
                preload()
            except Exception:  # optional modules: a child that needs one imports it itself; the zygote goes on
                pass
            guard.guard_modules()
            _prime()
            gc.freeze()
            if batch and forked >= HUGE_AFTER:
                huge_pages()
            continue
        sock.send(_PID.pack(_fork_and_wait(sock, fds, run_job)))
        forked += 1
        if _goes_huge(forked, batch):  # from now on every fork is cheaper
            huge_pages()


def _goes_huge(forked: int, batch: bool) -> bool:
    """Whether the zygote moves onto huge pages after its ``forked``-th fork: a batch's, at :data:`HUGE_AFTER`. Never
    in a student's run, however many children it forks (walkthrough 70: one grading of an exercise with a child for
    its secret inputs forked twice and collapsed about 130 MB, as its grader exited)."""
    return batch and forked == HUGE_AFTER


def _prime() -> None:
    """What each child's watch reads, read here once (``child.prime``)."""
    from autograd_exercises.sandbox import child

    child.prime()


def _fork_and_wait(sock: socket.socket, fds: list[int], run_job: Callable[[list[int]], None]) -> int:
    """Fork the job child (it reads its job from fds[0], writes to fds[1] (output) and fds[2] (result)),
    tell the server its pid, reap it; its wait status."""
    pid = os.fork()
    if pid == 0:
        try:
            sock.close()
            run_job(fds)
        finally:
            os._exit(70)
    for fd in fds:
        os.close(fd)
    sock.send(_PID.pack(pid))
    try:
        return os.waitpid(pid, 0)[1]
    except ChildProcessError:
        return -1


def huge_pages() -> int:
    """Back the zygote's private memory (its heap, torch's and Python's allocations: about 140 MiB) with
    2 MiB pages where the kernel can (``MADV_COLLAPSE``); returns the bytes so backed.

    Each fork copies one page-table entry per page of the zygote's, and each child's exit drops them all:
    with 2 MiB pages a short child (a few backward passes) costs about a third less, fork to exit. Collapsing
    takes 0.1 to 0.35 s (50-100 ms on an earlier machine), so the zygote does it after its second fork
    (:data:`HUGE_AFTER`), in a batch only, once that child's status is sent (the next job waits, its clock not
    started). A child that writes to a huge page still gets its own copy of just the 4 KiB it wrote (Linux 5.8
    on; any kernel with ``MADV_COLLAPSE`` is newer). Best effort: an older kernel, or one without transparent
    huge pages, leaves the memory as it is.
    """
    from autograd_exercises.sandbox import isolation

    libc = isolation._libc()
    try:
        regions = _anonymous_regions() if libc is not None and hasattr(libc, "madvise") else []
    except (OSError, ValueError, IndexError):  # no /proc here
        regions = []
    return sum(_collapse(libc, start, end) for start, end in regions)


def _collapse(libc: Any, start: int, end: int) -> int:
    """``MADV_COLLAPSE`` one region, whole; where the kernel refuses part of it for now (a page busy, no free
    huge page: ``EAGAIN``, ``ENOMEM``), each huge page on its own, twice, so one busy page costs that page
    only; returns the bytes collapsed. Never ``MADV_HUGEPAGE``: no later faults in huge pages, and no
    khugepaged on a kernel whose fork would copy them whole (before 5.8)."""
    if _advise(libc, start, end) == 0:
        return end - start
    if ctypes.get_errno() == errno.EINVAL:  # a mapping the kernel never collapses
        return 0
    pages = range(start, end, HUGE_PAGE)
    return HUGE_PAGE * sum(_advise(libc, page, page + HUGE_PAGE) == 0 or _advise(libc, page, page + HUGE_PAGE) == 0
                           for page in pages)


def _advise(libc: Any, start: int, end: int) -> int:
    """``madvise(start, end - start, MADV_COLLAPSE)``: 0 or -1 (errno set)."""
    size = ctypes.c_size_t(end - start)  # (not isolation.ctypes: guard.GuardedModule hands no door module so)
    return libc.madvise(ctypes.c_void_p(start), size, MADV_COLLAPSE)


def _anonymous_regions() -> list[tuple[int, int]]:
    """This process's private, writable, anonymous mappings (the heap among them, never a stack, a library's
    data or a shared mapping), trimmed to whole huge pages."""
    regions = []
    with open("/proc/self/maps") as maps:
        for fields in (line.split() for line in maps):
            if fields[1] == "rw-p" and (len(fields) == 5 or fields[5] == "[heap]"):
                low, high = (int(bound, 16) for bound in fields[0].split("-"))
                start, end = -(-low // HUGE_PAGE) * HUGE_PAGE, high // HUGE_PAGE * HUGE_PAGE
                if end > start:
                    regions.append((start, end))
    return regions


def read_job(fd: int) -> tuple[dict[str, Any], bytes, bytes]:
    """In a job child: (job, source, inputs) from the pipe the server wrote them to."""
    from autograd_exercises.sandbox import protocol

    with os.fdopen(fd, "rb") as stream:
        job, source = protocol.receive(stream)
        _, inputs = protocol.receive(stream)
    return job, source, inputs
