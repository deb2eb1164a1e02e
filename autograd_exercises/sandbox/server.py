"""The fork-server: import torch once, then fork one locked-down child per job.

Started by :class:`autograd_exercises.sandbox.Sandbox` as
``python -m autograd_exercises.sandbox.server --slot N``. It talks to the
grader over stdin/stdout (see :mod:`.protocol`), never deserializes what a
child sends, and never holds a reference answer: it only knows the job in hand.

Per job it makes a scratch folder, forks, collects the child's output (capped)
and result (capped) until the child exits or a wall-clock deadline passes, then
kills the child's whole tree: its process group, every process of the slot's
uid, and every descendant of this server (a subreaper, so a daemon or a fork
bomb that left the child's session is still below it), and reaps them all.
"""

from __future__ import annotations

import argparse
import os
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, BinaryIO

OUTPUT_CAP = 16 << 10  # student output kept for feedback
GRACE = 0.5  # seconds after the deadline before the verdict is "timeout"


class _Drain:
    """What a child sent back so far: its output (capped, the rest dropped) and its result (capped)."""

    def __init__(self) -> None:
        self.output, self.result = bytearray(), bytearray()
        self.dropped = self.too_large = False

    def take(self, kind: str, chunk: bytes) -> bool:
        """Keep ``chunk`` from pipe ``kind``; False when that pipe must not be read any more."""
        from autograd_exercises.sandbox.protocol import MAX_BLOB

        if kind == "out":
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


def _collect(pid: int, out_fd: int, res_fd: int, deadline: float) -> dict[str, Any]:
    """Drain the child's output and result pipes until the job is over or the deadline passes.

    The job is over when the result pipe closes, when the result goes over its cap,
    or when the child itself exits: descendants (a daemon, a fork bomb) may hold
    the pipes open, but what the child wrote before exiting is all there is. Then
    the pipes are drained for 0.1 s more. Only a deadline reached before that is a timeout.
    """
    drain, selector, exit_fd, finished = _Drain(), selectors.DefaultSelector(), _pidfd(pid), False
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
                if not chunk or not drain.take(key.data, chunk):
                    selector.unregister(key.fd)
                    if key.data != "out" and not finished:
                        finished, deadline = True, min(deadline, time.monotonic() + 0.1)
    finally:
        selector.close()
        if exit_fd is not None:
            os.close(exit_fd)
    return {"output": bytes(drain.output), "dropped": drain.dropped, "result": bytes(drain.result),
            "timed_out": not finished, "too_large": drain.too_large}


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


def descendants(root: int) -> list[tuple[int, str, int]]:
    """(pid, state letter, start time) of every process below ``root`` in the process tree."""
    children, found, todo = _proc_table(), [], [root]
    while todo:
        below = children.get(todo.pop(), [])
        found += below
        todo += [pid for pid, _, _ in below]
    return found


def kill_descendants(root: int, limit: float = 10.0) -> None:
    """SIGKILL every descendant of ``root`` (never ``root``), scanning again until none is left unsignalled.

    A process may fork between a scan and its SIGKILL; its children show up in the
    next scan. Once signalled a process cannot fork again, so this ends even for a
    fork bomb; (pid, start time) pairs tell a new process from a reused pid.
    """
    from autograd_exercises.sandbox import isolation

    signalled: set[tuple[int, int]] = set()
    end = time.monotonic() + limit
    while time.monotonic() < end:
        fresh = {(pid, start) for pid, state, start in descendants(root) if state not in "ZX"} - signalled
        if not fresh:
            return
        for pid, _ in fresh:
            isolation._kill(pid)
        signalled |= fresh


def _reap_orphans(limit: float = 10.0) -> None:
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
        if not descendants(os.getpid()) or time.monotonic() > end:
            return
        time.sleep(0.002)


def _reap(pid: int, uid: int | None) -> tuple[int | None, int | None]:
    """Kill the child's whole tree and reap it all: the child's (exit code, signal)."""
    from autograd_exercises.sandbox import isolation

    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    if uid is not None:
        isolation.kill_uid_processes(uid)
    kill_descendants(os.getpid())
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        status = None
    _reap_orphans()
    if status is None:
        return None, None
    if os.WIFSIGNALED(status):
        return None, os.WTERMSIG(status)
    return os.WEXITSTATUS(status), None


class Server:
    """State of one fork-server: its slot, the layers that work, where scratch goes."""

    def __init__(self, slot: int, use_fork: bool) -> None:
        from autograd_exercises.sandbox import isolation

        self.slot, self.use_fork = slot, use_fork
        self.layers: list[str] = isolation.detect_layers(slot)
        self.uid = isolation.sandbox_uid(slot) if "uid-switch" in self.layers else None
        self.scratch_root = Path(tempfile.mkdtemp(prefix=f"autograd-sandbox-{slot}-"))
        os.chmod(self.scratch_root, 0o711)
        self.read_paths = _read_paths()

    def scratch(self, filename: str, source: bytes) -> Path:
        """A fresh folder holding only the submission, owned by the slot's uid."""
        folder = Path(tempfile.mkdtemp(dir=self.scratch_root))
        (folder / filename).write_bytes(source)
        if self.uid is not None:
            for path in (folder, folder / filename):
                os.chown(path, self.uid, self.uid)
        return folder

    def run(self, header: dict[str, Any], source: bytes, inputs: bytes) -> tuple[dict[str, Any], bytes]:
        """Run one job in a child; returns the response header and the child's result bytes."""
        folder = self.scratch(header["filename"], source)
        job = dict(header, scratch=str(folder), uid=self.uid, layers=self.layers, read_paths=self.read_paths,
                   server=os.getpid())
        start = time.monotonic()
        try:
            pid, out_fd, res_fd = (self._fork if self.use_fork else self._spawn)(job, inputs)
            got = _collect(pid, out_fd, res_fd, start + float(header["timeout"]) + GRACE)
            os.close(out_fd), os.close(res_fd)
            code, sig = _reap(pid, self.uid)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        response = {
            "wall": round(time.monotonic() - start, 4), "exit": code, "signal": sig,
            "timed_out": got["timed_out"], "too_large": got["too_large"],
            "output": got["output"].decode("utf-8", "replace"), "output_dropped": got["dropped"],
        }
        return response, got["result"]

    def _fork(self, job: dict[str, Any], inputs: bytes) -> tuple[int, int, int]:
        out_r, out_w = os.pipe()
        res_r, res_w = os.pipe()
        pid = os.fork()
        if pid == 0:  # child: never returns, not even if student code breaks child.main's own exit
            try:
                _child_fds(out_w, res_w)
                from autograd_exercises.sandbox import child

                child.main(job, inputs)
            finally:
                os._exit(70)  # never unwind into the server's code (its loop, its cleanup)
        os.close(out_w), os.close(res_w)
        return pid, out_r, res_r

    def _spawn(self, job: dict[str, Any], inputs: bytes) -> tuple[int, int, int]:
        """Fallback without ``fork``: a fresh interpreter per job (slow: imports torch)."""
        import json

        out_r, out_w = os.pipe()
        res_r, res_w = os.pipe()
        job_file = Path(job["scratch"]) / ".job"
        job_file.write_text(json.dumps(job))
        (Path(job["scratch"]) / ".inputs").write_bytes(inputs)
        proc = subprocess.Popen(
            [sys.executable, "-m", "autograd_exercises.sandbox.spawned", str(job_file)],
            stdin=subprocess.DEVNULL, stdout=out_w, stderr=out_w, pass_fds=(res_w,),
            start_new_session=True, env={**os.environ, "AUTOGRAD_RESULT_FD": str(res_w)},
        )
        os.close(out_w), os.close(res_w)
        return proc.pid, out_r, res_r


def _child_fds(out_w: int, res_w: int) -> None:
    """In the forked child: new session, stdio to the output pipe, result pipe on fd 3."""
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


def claim_slot(preferred: int) -> tuple[int, int | None]:
    """The first free slot from ``preferred`` on, held by a lock for this server's life: (slot, lock fd).

    Each slot has its own sandbox uid, and a server kills every process of its
    uid after each job: two graders on one machine (a CI job beside a student's
    run) must never share a slot. Only root switches uids; others keep ``preferred``.
    """
    import fcntl

    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return preferred, None
    folder = Path(tempfile.gettempdir()) / "autograd-sandbox-slots"
    folder.mkdir(mode=0o700, exist_ok=True)
    for slot in range(preferred, preferred + 4096):
        fd = os.open(folder / f"{slot}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return slot, fd  # released by the kernel when this server exits, however it ends
        except OSError:
            os.close(fd)
    raise RuntimeError("no free sandbox slot")


def _prepare(slot: int) -> None:
    """One-time setup before the first fork: subreaper, then everything children need preloaded."""
    from autograd_exercises.sandbox import isolation

    isolation.set_child_subreaper()
    from autograd_exercises.sandbox import child

    child.preload()


def serve(channel_in: BinaryIO, channel_out: BinaryIO, slot: int, use_fork: bool) -> None:
    """Answer jobs until the grader closes the channel."""
    from autograd_exercises.sandbox import isolation, protocol

    netns = isolation.enter_network_namespace()
    slot, _lock = claim_slot(slot)
    _prepare(slot)
    server = Server(slot, use_fork)
    if netns:
        server.layers.append("network-namespace")
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
    finally:
        shutil.rmtree(server.scratch_root, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slot", type=int, default=0)
    parser.add_argument("--spawn", action="store_true", help="never fork; start a fresh interpreter per job")
    args = parser.parse_args()
    channel_in = os.fdopen(os.dup(0), "rb")
    channel_out = os.fdopen(os.dup(1), "wb")
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(2, 1)  # stray prints go to the server log, never into the channel
    serve(channel_in, channel_out, args.slot, use_fork=hasattr(os, "fork") and not args.spawn)
    os._exit(0)  # skip interpreter teardown: with torch loaded it costs half a second


if __name__ == "__main__":
    main()
