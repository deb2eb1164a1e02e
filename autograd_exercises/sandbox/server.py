"""The fork-server: import torch once, then fork one locked-down child per job.

Started by :class:`autograd_exercises.sandbox.Sandbox` through :mod:`.launcher`:
``python -I -m autograd_exercises.sandbox.server --slot N``, inside bubblewrap's
PID, IPC, network, mount and UTS namespaces where it can, in an environment built
from scratch. It talks to the grader over stdin/stdout (see :mod:`.protocol`),
never deserializes what a child sends, and holds probes only (code that calls
student functions): no grader, reference, judge or hidden check is importable here.

Per job it forks a child that mounts its own scratch tmpfs, collects the child's output (capped)
and result (capped) until the child exits or a wall-clock deadline passes, then
kills the child's whole tree: its process group, every process of the slot's
uid, and every descendant of this server (a subreaper, so a daemon or a fork
bomb that left the child's session is still below it), and reaps them all.
"""

from __future__ import annotations

import argparse
import os
import selectors
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, BinaryIO

from autograd_exercises.sandbox.zygote import Zygote

OUTPUT_CAP = 16 << 10  # student output kept for feedback
SCRATCH = "/scratch"  # inside the server's mount namespace: where each child mounts its own tmpfs
GRACE = 0.5  # seconds after the deadline before the verdict is "timeout"
IDLE = 0.25  # seconds without a job before the server preloads the slow, optional modules


class _Drain:
    """What a child sent back so far: its output (capped, the rest dropped) and its result (capped); and when
    its output first marked a check (``checks_at``: the submission's import is over)."""

    def __init__(self, watch_again: bool = False) -> None:
        from autograd_exercises.sandbox.protocol import AGAIN, CHECK_SEPARATOR, CHECK_SEPARATOR_END

        self.output, self.result = bytearray(), bytearray()
        self.dropped = self.too_large = False
        self.checks_at: float | None = None
        self.again, self._unseen = False, watch_again  # (it marked the top level's second run; looked for only in a
        # job that has one: in the others, the scan of every chunk stops at the first mark, as it did)
        self._mark, self._tail = CHECK_SEPARATOR.encode(), b""
        self._again = f"{CHECK_SEPARATOR}{AGAIN}{CHECK_SEPARATOR_END}".encode()

    def take(self, kind: str, chunk: bytes) -> bool:
        """Keep ``chunk`` from pipe ``kind``; False when that pipe must not be read any more."""
        from autograd_exercises.sandbox.protocol import MAX_BLOB

        if kind == "out":
            if self.checks_at is None or self._unseen:  # a mark may straddle two reads; student output can forge
                seen = self._tail + chunk  # one (the first: sooner; the second run's: one import's budget)
                if self.checks_at is None and self._mark in seen:
                    self.checks_at = time.monotonic()
                if self._unseen and self._again in seen:
                    self.again, self._unseen = True, False
                self._tail = seen[-(len(self._again) - 1):]
            keep = max(0, OUTPUT_CAP - len(self.output))
            self.output += chunk[:keep]
            self.dropped = self.dropped or len(chunk) > keep
        elif len(self.result) + len(chunk) > MAX_BLOB:
            self.too_large = True
            return False
        else:
            self.result += chunk
        return True


def _pidfd(pid: int) -> int | None:
    """A file descriptor that becomes readable when ``pid`` exits (Linux 5.3+), else ``None``."""
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):
        return None


def _collect(pid: int, out_fd: int, res_fd: int, deadline: float, after_import: float | None = None,
             again: float | None = None) -> dict[str, Any]:
    """Drain the child's output and result channels until the job is over or the deadline passes.

    The job is over when the result channel closes, when the result goes over its cap,
    or when the child itself exits: descendants (a daemon, a fork bomb) may hold
    them open, but what the child wrote before exiting is all there is. Then
    both are drained for 0.1 s more. Only a deadline reached before that is a timeout.
    ``after_import``: once the output marks the first check, the deadline is at most that many seconds (and
    :data:`GRACE`) away, so the import's own budget never lengthens the checks'. A mark forged by the student's
    output only brings the deadline nearer. ``again``: once the output marks the top level's second run (after the
    by-hand calls, ``child._run_off``), the deadline moves that many seconds on, once, never past the job's own: a
    forged mark gains one import's budget, as the top level itself has.
    """
    drain, selector, exit_fd, finished, whole = _Drain(again is not None), selectors.DefaultSelector(), _pidfd(pid), \
        False, deadline
    selector.register(out_fd, selectors.EVENT_READ, "out")
    selector.register(res_fd, selectors.EVENT_READ, "res")
    if exit_fd is not None:
        selector.register(exit_fd, selectors.EVENT_READ, "exit")
    try:
        while any(key.data != "exit" for key in selector.get_map().values()):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            for key, _ in selector.select(remaining):
                chunk = os.read(key.fd, 1 << 16) if key.data != "exit" else b""
                taken = bool(chunk) and drain.take(key.data, chunk)
                if after_import is not None and drain.checks_at is not None:
                    deadline, after_import = min(deadline, drain.checks_at + after_import + GRACE), None
                if after_import is None and again is not None and drain.again:
                    deadline, again = min(whole, deadline + again), None
                if not taken:
                    selector.unregister(key.fd)
                    if key.data != "out" and not finished:
                        finished, deadline = True, min(deadline, time.monotonic() + 0.1)
    finally:
        selector.close()
        if exit_fd is not None:
            os.close(exit_fd)
    return {"output": bytes(drain.output), "dropped": drain.dropped, "result": bytes(drain.result),
            "timed_out": not finished, "too_large": drain.too_large, "checks_started": drain.checks_at is not None}


def _proc_table() -> dict[int, list[tuple[int, str, int]]]:
    """{parent pid: [(pid, state letter, start time), ...]} for every process in /proc."""
    from autograd_exercises.sandbox import isolation

    children: dict[int, list[tuple[int, str, int]]] = {}
    for pid in isolation._proc_pids():
        try:
            with open(f"/proc/{pid}/stat", "rb") as stat:
                data = stat.read()
            fields = data[data.rindex(b")") + 2 :].split()  # comm may hold spaces and parentheses
            children.setdefault(int(fields[1]), []).append((pid, fields[0].decode(), int(fields[19])))
        except (OSError, ValueError, IndexError):
            continue  # gone meanwhile
    return children


def descendants(root: int, *more: int) -> list[tuple[int, str, int]]:
    """(pid, state letter, start time) of every process below ``root`` (and the ``more`` roots) in the process
    tree, from one reading of /proc."""
    children, found, todo, seen = _proc_table(), [], [root, *more], {root, *more}
    while todo:
        below = [entry for entry in children.get(todo.pop(), []) if entry[0] not in seen]
        seen.update(pid for pid, _, _ in below)
        found += below
        todo += [pid for pid, _, _ in below]
    return found


def kill_descendants(root: int, limit: float = 10.0, spare: set[int] = frozenset()) -> None:
    """SIGKILL every descendant of ``root`` (never ``root``), scanning again until none is left unsignalled.

    A process may fork between a scan and its SIGKILL; its children show up in the
    next scan. ``spare`` (the zygote) is not signalled; its descendants are. Once signalled a process cannot fork again, so this ends even for a
    fork bomb; (pid, start time) pairs tell a new process from a reused pid.
    """
    from autograd_exercises.sandbox import isolation

    signalled: set[tuple[int, int]] = set()
    end = time.monotonic() + limit
    while time.monotonic() < end:
        # a zombie too: it may be a leader whose main thread alone exited, its other threads running on
        fresh = {(pid, start) for pid, state, start in descendants(root) if state != "X" and pid not in spare}
        fresh -= signalled
        if not fresh:
            return
        for pid, _ in fresh:
            isolation._kill(pid)
        signalled |= fresh


def _reap_orphans(limit: float = 10.0, spare: set[int] = frozenset()) -> None:
    """Reap what was re-parented to this subreaper until no descendant is left (or ``limit`` seconds).

    Killed processes take a moment to exit (a big address space to tear down);
    waiting here means no process of this job outlives its response.
    """
    end = time.monotonic() + limit
    while True:
        try:
            while os.waitpid(-1, os.WNOHANG)[0]:
                pass
        except ChildProcessError:
            return
        if not [pid for pid, _, _ in descendants(os.getpid()) if pid not in spare] or time.monotonic() > end:
            return
        time.sleep(0.002)


def _reap(pid: int, uid: int | None, zygote: Zygote | None = None) -> tuple[int | None, int | None]:
    """Kill the child's whole tree and reap it all (the zygote reaps the child itself and is spared):
    the child's (exit code, signal)."""
    from autograd_exercises.sandbox import isolation

    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    if uid is not None:
        isolation.kill_uid_processes(uid)
    spare = {zygote.pid} if zygote is not None else set()
    kill_descendants(os.getpid(), spare=spare)
    try:
        status = zygote.wait() if zygote is not None else os.waitpid(pid, 0)[1]
    except (ChildProcessError, OSError):
        status = None
    _reap_orphans(spare=spare)
    if status is None:
        return None, None
    if os.WIFSIGNALED(status):
        return None, os.WTERMSIG(status)
    return os.WEXITSTATUS(status), None


def _clear_folder(fd: int) -> list[str]:
    """Unlink every non-folder entry of the open folder ``fd``; the names of its subfolders."""
    subfolders = []
    for entry in os.scandir(fd):
        if entry.is_dir(follow_symlinks=False):
            subfolders.append(entry.name)
            continue
        try:
            os.unlink(entry.name, dir_fd=fd)
        except OSError:
            pass
    return subfolders


def _open_folder(name: str, flags: int, parent: int) -> int:
    """Open the folder ``name`` of ``parent``; one the student made unreadable (mode 000, or 0300 at ``mkdir``)
    is first given back to its owner: without a uid of its own the child owns it, and so does this server."""
    try:
        return os.open(name, flags, dir_fd=parent)
    except PermissionError:
        os.chmod(name, 0o700, dir_fd=parent)
        return os.open(name, flags, dir_fd=parent)


def remove_tree(root: Path) -> None:
    """Delete ``root`` and everything below it, without recursion and without long paths.

    A student may nest folders thousands deep, past PATH_MAX and past the number of
    open files: the walk holds one folder open at a time, going down by name relative
    to it (``openat``) and up through ``..``, with a stack of names instead of
    recursion. Symbolic links are removed, never followed; what cannot be removed is
    skipped, never retried forever.
    """
    flags = os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(root, flags)
    except OSError:
        return
    names: list[str] = []
    skips: list[set[str]] = [set()]
    while True:
        try:
            subfolders = [name for name in _clear_folder(fd) if name not in skips[-1]]
        except OSError:
            subfolders = []
        if subfolders:
            try:
                below = _open_folder(subfolders[0], flags, fd)
            except OSError:
                skips[-1].add(subfolders[0])
                continue
            os.close(fd)
            fd, names, skips = below, names + [subfolders[0]], skips + [set()]
            continue
        if not names:
            break
        above = os.open("..", flags, dir_fd=fd)
        os.close(fd)
        fd, name = above, names.pop()
        skips.pop()
        try:
            os.rmdir(name, dir_fd=fd)
        except OSError:
            skips[-1].add(name)
    os.close(fd)
    try:
        os.rmdir(root)
    except OSError:
        pass


class Server:
    """State of one fork-server: its slot, the layers that work, where scratch goes.

    In a private mount namespace (``private-scratch``) each child mounts its own
    size- and inode-limited tmpfs at :data:`SCRATCH` and writes the submission
    there itself; the tmpfs vanishes with the child. Elsewhere each job gets a
    folder under :attr:`scratch_root`, removed afterwards.
    """

    def __init__(self, slot: int, use_fork: bool, extra_layers: list[str], idle_preload: bool = True) -> None:
        from autograd_exercises.sandbox import isolation

        self.slot, self.use_fork, self.idle_preload = slot, use_fork, idle_preload
        mount_point = SCRATCH if os.path.isdir(SCRATCH) and use_fork else None
        self.layers: list[str] = extra_layers + isolation.detect_layers(slot, mount_point)
        self.private = "private-scratch" in self.layers
        self.uid = isolation.sandbox_uid(slot) if "uid-switch" in self.layers else None
        self.scratch_root = Path(tempfile.mkdtemp(prefix=f"autograd-sandbox-{slot}-"))
        os.chmod(self.scratch_root, 0o711)
        self.read_paths = _read_paths()
        self.seccomp = isolation.seccomp_filter(**isolation.seccomp_options(self.layers)) \
            if "seccomp" in self.layers else None
        self.heavy_loaded = False
        self.zygote = Zygote(self._run_job, _preload_heavy, batch=not idle_preload) if use_fork else None  # (a batch's)

    def scratch(self, filename: str, source: bytes) -> Path:
        """A fresh folder holding only the submission, owned by the slot's uid (folder mode)."""
        folder = Path(tempfile.mkdtemp(dir=self.scratch_root))
        (folder / filename).write_bytes(source)
        if self.uid is not None:
            for path in (folder, folder / filename):
                os.chown(path, self.uid, self.uid)
        return folder

    def run(self, header: dict[str, Any], source: bytes, inputs: bytes) -> tuple[dict[str, Any], bytes]:
        """Run one job in a child; returns the response header and the child's result bytes."""
        if header.get("preload"):
            self.preload_heavy()  # a child before this one needed them: load them once, before this fork
        folder = Path(SCRATCH) if self.private else self.scratch(header["filename"], source)
        job = dict(header, scratch=str(folder), uid=self.uid, layers=self.layers, read_paths=self.read_paths,
                   server=os.getpid())
        try:
            pid, out_fd, res_fd = self._fork(job, source, inputs) if self.use_fork else self._spawn(job, inputs)
            start = time.monotonic()
            after, again = header.get("after_import"), header.get("again")
            got = _collect(pid, out_fd, res_fd, start + float(header["timeout"]) + GRACE,
                           float(after) if after is not None else None, float(again) if again is not None else None)
            os.close(out_fd), os.close(res_fd)
            code, sig = _reap(pid, self.uid, self.zygote if self.use_fork else None)
        finally:
            if not self.private:
                remove_tree(folder)
        response = {
            "wall": round(time.monotonic() - start, 4), "exit": code, "signal": sig,
            "timed_out": got["timed_out"], "too_large": got["too_large"], "checks_started": got["checks_started"],
            "output": got["output"].decode("utf-8", "replace"), "output_dropped": got["dropped"],
        }
        return response, got["result"]

    def _fork(self, job: dict[str, Any], source: bytes, inputs: bytes) -> tuple[int, int, int]:
        """A child forked by the zygote (never from this process, whose heap held earlier submissions),
        handed its job through a pipe."""
        from autograd_exercises.sandbox import protocol

        out_r, out_w = os.pipe()
        res_r, res_w = result_channel()
        job_r, job_w = os.pipe()
        try:
            pid = self.zygote.fork(job_r, out_w, res_w)
        finally:
            for fd in (job_r, out_w, res_w):
                os.close(fd)
        try:
            with os.fdopen(job_w, "wb") as stream:
                protocol.send(stream, dict(job, server=self.zygote.pid), source if self.private else b"")
                protocol.send(stream, {}, inputs)
        except OSError:
            pass  # the child died before reading its job: its (missing) report says so
        return pid, out_r, res_r

    def _run_job(self, fds: list[int]) -> None:
        """In a job child (forked by the zygote): read the job, then become the sandboxed child."""
        from autograd_exercises.sandbox import child, zygote

        job, source, inputs = zygote.read_job(fds[0])
        _child_fds(fds[1], fds[2])
        child.main(job, inputs, source=source if job.get("scratch") == SCRATCH else None, seccomp=self.seccomp)

    def preload_when_idle(self, channel_in: BinaryIO) -> None:
        """Load the slow, optional modules (:data:`child.HEAVY`) once, at the first moment no job waits:
        a single grading never waits for them, and every child forked afterwards has them."""
        import select

        if not self.idle_preload or self.heavy_loaded or not self.use_fork or \
                select.select([channel_in], [], [], IDLE)[0]:
            return  # a job (or the end of the input) came first
        self.preload_heavy()

    def preload_heavy(self) -> None:
        if self.use_fork and not self.heavy_loaded:
            self.zygote.preload()  # the zygote forks the children: it is the one that needs them
            self.heavy_loaded = True

    def _spawn(self, job: dict[str, Any], inputs: bytes) -> tuple[int, int, int]:
        """Fallback without ``fork``: a fresh interpreter per job (slow: imports torch)."""
        import json

        out_r, out_w = os.pipe()
        res_r, res_w = result_channel()
        job_file = Path(job["scratch"]) / ".job"
        job_file.write_text(json.dumps(job))
        (Path(job["scratch"]) / ".inputs").write_bytes(inputs)
        proc = subprocess.Popen(
            [sys.executable, "-I", "-m", "autograd_exercises.sandbox.spawned", str(job_file)],
            stdin=subprocess.DEVNULL, stdout=out_w, stderr=out_w, pass_fds=(res_w,),
            start_new_session=True, env={**os.environ, "AUTOGRAD_RESULT_FD": str(res_w)},
        )
        os.close(out_w), os.close(res_w)
        return proc.pid, out_r, res_r


def result_channel() -> tuple[int, int]:
    """(the server's end, the child's end) of the channel a child's report comes back on: a unix socket pair, not a
    pipe. Red team 235: a pipe's read end is one ``open("/proc/self/fd/3")`` away for the child's own code, which
    could read the seal that opens the report there; a socket cannot be opened that way. The server's end only
    reads (the child reading its own end meets the end of the stream)."""
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    ours.shutdown(socket.SHUT_WR)
    return ours.detach(), theirs.detach()


def _preload_heavy() -> None:
    from autograd_exercises.sandbox import child

    child.preload_heavy()


def _child_fds(out_w: int, res_w: int) -> None:
    """In the forked child: new session, stdio to the output pipe, the result channel on fd 3."""
    os.setsid()
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(out_w, 1)
    os.dup2(out_w, 2)
    os.dup2(res_w, 3)
    os.closerange(4, 1 << 16)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _read_paths() -> list[str]:
    """Landlock read allow-list: the interpreter and libraries, never the grader's own tree."""
    from autograd_exercises.sandbox import isolation

    package_root = Path(__file__).resolve().parents[2]
    keep = []
    for path in isolation.default_read_paths():
        resolved = Path(path).resolve()
        if resolved == package_root or resolved in package_root.parents:
            continue  # granting the checkout (or a folder above it) would expose solutions
        keep.append(path)
    return keep


def join_cgroups(fds: dict[str, int]) -> list[str]:
    """Write "0" (this process) into each ``cgroup.procs`` the grader opened for this slot: every child then
    counts against the slot's memory and process limits. Returns the layers that took, e.g. memory-cgroup."""
    joined = []
    for name, fd in fds.items():
        try:
            os.write(fd, b"0")
            joined.append(f"{name}-cgroup")
        except OSError:
            pass
        finally:
            os.close(fd)
    return joined


def _prepare() -> None:
    """One-time setup before the first fork: subreaper, then everything children need preloaded."""
    from autograd_exercises.sandbox import child, isolation

    isolation.set_child_subreaper()
    isolation.set_oom_score_adj(-500)  # under memory pressure the child goes first, not the server
    cache = os.environ.get("TORCHINDUCTOR_CACHE_DIR")
    if cache:  # torch._dynamo makes it when it loads (later, when idle): make it now, before any job
        os.makedirs(cache, mode=0o700, exist_ok=True)
    child.preload()


def serve(channel_in: BinaryIO, channel_out: BinaryIO, *, slot: int, use_fork: bool, layers: list[str],
          cgroups: dict[str, int], idle_preload: bool = True) -> None:
    """Answer jobs until the grader closes the channel."""
    from autograd_exercises.sandbox import isolation, protocol

    layers = list(layers) + join_cgroups(cgroups)
    if "network-namespace" not in layers and isolation.enter_network_namespace():
        layers.append("network-namespace")
    _prepare()
    server = Server(slot, use_fork, layers, idle_preload)
    protocol.send(channel_out, {"ready": True, "pid": os.getpid(), "slot": slot, "layers": server.layers,
                                "mode": "fork" if use_fork else "spawn", "scratch_root": str(server.scratch_root)})
    try:
        while True:
            try:
                header, source = protocol.receive(channel_in)
                _, inputs = protocol.receive(channel_in)
            except protocol.ProtocolError:
                return
            response, result = server.run(header, source, inputs)
            protocol.send(channel_out, response, result)
            server.preload_when_idle(channel_in)
    finally:
        remove_tree(server.scratch_root)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slot", type=int, default=0)
    parser.add_argument("--spawn", action="store_true", help="never fork; start a fresh interpreter per job")
    parser.add_argument("--layers", default="", help="layers the launcher put in place (comma-separated)")
    parser.add_argument("--cgroup", action="append", default=[], help="NAME:FD of an open cgroup.procs to join")
    parser.add_argument("--no-idle-preload", dest="idle_preload", action="store_false",
                        help="load the slow, optional modules only when a job asks (a batch: a bigger zygote forks slower)")
    args = parser.parse_args()
    channel_in = os.fdopen(os.dup(0), "rb", buffering=0)  # unbuffered: select() tells whether a job waits
    channel_out = os.fdopen(os.dup(1), "wb")
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(2, 1)  # stray prints go to the server log, never into the channel
    cgroups = {name: int(fd) for name, _, fd in (item.partition(":") for item in args.cgroup)}
    serve(channel_in, channel_out, slot=args.slot, use_fork=hasattr(os, "fork") and not args.spawn,
          layers=[layer for layer in args.layers.split(",") if layer], cgroups=cgroups, idle_preload=args.idle_preload)
    os._exit(0)  # skip interpreter teardown: with torch loaded it costs half a second


if __name__ == "__main__":
    main()
