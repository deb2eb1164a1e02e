"""Run student code in a locked-down child process and bring back plain data only.

The grader side of the sandbox. :class:`Sandbox` claims a slot, starts a
fork-server (:mod:`.server`, launched by :mod:`.launcher` inside bubblewrap's
namespaces, with the slot's cgroups from :mod:`.cgroups`) in a separate
interpreter *before* the grader imports torch, so both imports overlap, and then
sends it jobs: a submission's source, the probe to run and the inputs. What comes
back is a :class:`RunResult`, whose ``result`` was read by :func:`.report.load`.
"""

from __future__ import annotations

import hmac
import os
import re
import secrets
import select
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from autograd_exercises.sandbox import cgroups, launcher, protocol  # never torch: see the module docstring
from autograd_exercises.sandbox.isolation import Limits

DEFAULT_TIMEOUT = 5.0


@dataclass
class RunResult:
    """What happened in one child: how it ended, what it printed, what it reported."""

    status: str  # ok | import-error | timeout | crashed | no-result | too-large | sandbox-error
    result: dict[str, Any] = field(default_factory=dict)
    output: str = ""
    output_dropped: bool = False
    wall: float = 0.0
    exit: int | None = None
    signal: int | None = None
    checks_started: bool | None = None  # the server saw the output mark a first check (None: no server watched)

    @property
    def observations(self) -> list[dict[str, Any]]:
        return list(self.result.get("observations", []))


def without_marks(output: str) -> str:
    """A child's output without the marks the child writes before each check and cell (``split_checks`` reads
    them): what a student is shown of a child that failed as a whole (killed for its memory, a crash)."""
    from autograd_exercises.sandbox.protocol import CHECK_SEPARATOR, CHECK_SEPARATOR_END

    if CHECK_SEPARATOR not in output:
        return output
    marks = re.compile(re.escape(CHECK_SEPARATOR) + r"[^\n]*?" + re.escape(CHECK_SEPARATOR_END))
    return marks.sub("\n", output).strip("\n")


def split_checks(run: RunResult, names: list[str], import_timeout: float | None = None) -> dict[str, RunResult] | None:
    """One :class:`RunResult` per check of a multi-check run; ``None`` when the child as a whole failed
    (a hang past every timer, a crash, a forged report): the caller then runs one child per check. An import
    past its ``import_timeout`` fails every check (``import-timeout``, with that budget)."""
    from autograd_exercises.sandbox.protocol import AGAIN, CHECK_SEPARATOR, CHECK_SEPARATOR_END

    if run.status == "import-error":
        return {name: run for name in names}
    if run.status == "import-timeout":  # the budget is the caller's, never the child's word
        return {name: RunResult("import-timeout", {"budget": import_timeout}, output=run.output, wall=run.wall)
                for name in names}
    checks = run.result.get("checks")
    if run.status != "ok" or not isinstance(checks, dict) or set(checks) != set(names):
        return None
    at_import, *parts = run.output.split(CHECK_SEPARATOR)
    outputs: dict[str, str] = {}
    for part in parts:
        name, text = part.split(CHECK_SEPARATOR_END, 1) if CHECK_SEPARATOR_END in part else (part, "")
        if name == AGAIN:  # the top level run again with autograd on: its output replaces the first run's (which
            at_import = text  # ran with autograd off, before the by-hand calls: ``child._run_off``)
        elif name.startswith("@"):  # a notebook cell's output (``@cell 4``): every check's, like the import's
            at_import += text
        else:
            outputs[name] = text
    split = {}
    for name in names:
        wall = checks[name].get("wall")
        common = dict(output=(at_import + outputs.get(name, "")).strip("\n"),
                      wall=float(wall) if isinstance(wall, (int, float)) else run.wall)
        if checks[name].get("timed_out"):
            split[name] = RunResult("timeout", **common)
        else:
            split[name] = RunResult("ok", {"observations": checks[name].get("observations", [])}, **common)
    return split


class SandboxError(Exception):
    """The sandbox itself could not run (not a student's failure)."""


def signed(blob: bytes, seal: str) -> bool:
    """``blob`` ends with HMAC-SHA256(``seal``, what precedes it): the child's own code wrote it (``child.report``)."""
    if len(blob) < protocol.TAG_SIZE:
        return False
    payload = memoryview(blob)[:-protocol.TAG_SIZE]
    return hmac.compare_digest(blob[-protocol.TAG_SIZE:], hmac.new(seal.encode(), payload, "sha256").digest())


def interpret(response: dict[str, Any], blob: bytes, seal: str = "") -> RunResult:
    """Turn the server's response into a :class:`RunResult`, reading ``blob`` with :func:`report.load`.

    ``seal``: the job's random seal, under which the child's own code signs its report (HMAC-SHA256 after it,
    ``child.report``) and which no student code can read without a door the grader's reading refuses
    (``judge.tampering``): a report not signed under it was written by the student's code, a forgery."""
    from autograd_exercises.sandbox import report  # imports torch (packing): only once a report is read

    common = dict(output=report.clean_text(str(response.get("output", "")), protocol.MAX_HEADER),
                  output_dropped=bool(response.get("output_dropped")), wall=float(response.get("wall", 0.0)),
                  exit=response.get("exit"), signal=response.get("signal"),
                  checks_started=response["checks_started"] if type(response.get("checks_started")) is bool else None)
    if response.get("timed_out") or response.get("signal") == getattr(signal, "SIGXCPU", None):
        return RunResult("timeout", **common)  # (SIGXCPU: its CPU limit, which a busy machine reaches before the
        # server, itself waiting for a core, sees the deadline pass: a timeout all the same, never a crash)
    if response.get("too_large"):
        return RunResult("too-large", **common)
    locked = blob.startswith(protocol.LOCKED)  # student code may have run, and written what follows
    blob = blob[len(protocol.LOCKED):] if locked else blob
    if not blob:
        return RunResult("crashed" if response.get("signal") else "no-result", **common)
    if seal and not signed(blob, seal):
        return RunResult("no-result", {"message": "a report came back that the sandbox did not write (it is not signed "
                                                  "with the run's seal): your code wrote to the sandbox's result "
                                                  "channel"}, **common)
    blob = blob[:-protocol.TAG_SIZE] if seal else blob
    try:
        result = report.load(blob)
    except report.Unreadable as exc:  # a forged, truncated or oversized report is the student's failure
        return RunResult("no-result", {"message": f"unreadable report: {exc}"}, **common)
    if locked and result["status"] == "sandbox-error":  # unverifiable once the submission could run: its own
        said = str(result.get("message", ""))[:200]
        return RunResult("no-result", {"message": "the process running your code claimed the sandbox failed, after your "
                                                  "code had started: the grader cannot tell that from your code's own "
                                                  f"doing, so it counts as your submission's (it said: {said!r})"},
                         **common)
    return RunResult(result["status"], result, **common)


def _runs_server(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            words = cmdline.read().split(b"\0")
    except OSError:
        return False
    return b"autograd_exercises.sandbox.server" in words and b"bwrap" not in words[0]


class Sandbox:
    """A fork-server process and the channel to it. Use as a context manager.

    The slow, optional modules (``child.HEAVY``: torch.optim and torch._dynamo, torch.func, …) are
    loaded into the server's zygote once a child reports that it imported them itself (its next job
    asks for them), and, with ``idle_preload``, whenever the server waits for a job: a student's
    own run. A batch turns that off: a zygote with them forks about 9 ms slower, for every child.
    """

    response_margin = 30.0  # seconds the server may take past a check's timeout before it counts as hung

    def __init__(self, *, slot: int = 0, limits: Limits = Limits(), spawn: bool = False,
                 namespaces: bool = True, idle_preload: bool = True) -> None:
        self.limits, self.spawn, self.namespaces, self.idle_preload = limits, spawn, namespaces, idle_preload
        self._heavy = False  # a child imported HEAVY modules: the next job asks the server to preload them
        self.portable = not hasattr(os, "fork") or not hasattr(select, "select") or sys.platform == "win32"
        self.slot, self._slot_lock = launcher.claim_slot(slot) if not self.portable else (slot, None)
        self.layers: list[str] = []
        self.mode = "spawn" if self.portable else ""
        self._proc: subprocess.Popen[bytes] | None = None
        self._ready: dict[str, Any] | None = {} if self.portable else None
        self._log = tempfile.TemporaryFile()
        # descriptors this process serves while it waits for a job (a grading worker forks more workers then)
        self.while_waiting: dict[int, Callable[[], None]] = {}
        if not self.portable:  # Windows: no fork-server, one fresh interpreter per job (see portable.py)
            self._start()

    def _start(self) -> None:
        fds = cgroups.open_slot(self.slot, memory=self.limits.memory_bytes, pids=self.limits.processes * 2)
        command = launcher.server_command(slot=self.slot, spawn=self.spawn, cgroups=fds, namespaces=self.namespaces,
                                          idle_preload=self.idle_preload)
        try:
            self._proc = subprocess.Popen(
                command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._log, cwd="/",
                env=launcher.environment(), pass_fds=tuple(fds.values()), start_new_session=True,
            )
        finally:
            for fd in fds.values():
                os.close(fd)
        self._ready: dict[str, Any] | None = None
        self._host_pid: int | None = None

    def wait_ready(self) -> None:
        """Block until the server has imported torch and found its isolation layers."""
        if self._ready is not None:
            return
        try:
            self._ready, _ = protocol.receive(self._proc.stdout)
        except protocol.ProtocolError:
            raise SandboxError(f"the sandbox server did not start: {self._log_tail()}") from None
        self.layers = list(dict.fromkeys(str(layer) for layer in self._ready.get("layers", [])))
        self.mode = str(self._ready.get("mode", ""))

    @property
    def server_pid(self) -> int | None:
        """The running fork-server's pid as this process sees it (``None`` before it is ready).

        In a PID namespace the server knows only its own small pid; here it is the
        process below the launcher whose command line runs the server module.
        """
        if self._ready is None or self._proc is None:
            return None
        if self._host_pid is None:
            from autograd_exercises.sandbox.server import descendants

            below = [self._proc.pid] + [pid for pid, _, _ in descendants(self._proc.pid)]
            self._host_pid = next((pid for pid in below if _runs_server(pid)), self._ready.get("pid"))
        return self._host_pid

    @property
    def scratch_root(self) -> str | None:
        """The folder under which the server makes each check's scratch folder (empty between checks)."""
        return (self._ready or {}).get("scratch_root")

    def _log_tail(self) -> str:
        self._log.seek(0)
        lines = self._log.read().decode("utf-8", "replace").strip().splitlines()
        return lines[-1] if lines else "no output"

    def run(self, *, source: bytes, filename: str, module: str, probe: str | None,
            inputs: bytes, timeout: float = DEFAULT_TIMEOUT, checks: list[dict[str, Any]] | None = None,
            import_timeout: float = DEFAULT_TIMEOUT, program: list[dict[str, Any]] | None = None) -> RunResult:
        """Run ``probe`` on the submission in a fresh child; never raises for student failures.

        With ``checks`` ([{"name", "probe", "timeout"}], ``inputs`` a dict of case lists by name), one child
        imports the submission once (within ``import_timeout``) and runs every check's probe within its own
        timeout; ``timeout`` is then the whole child's (import included), and once the first check starts at most
        the checks' timeouts remain of it. :func:`split_checks` turns the answer into one result per check.
        With ``program`` (a notebook: its code cells and, between them, which checks run there), the child runs
        the cells one at a time instead of importing the submission (``sandbox/child.py: run_program``).
        """
        cpu = int(timeout + 1) if checks is not None or probe is None else int(min(self.limits.cpu_seconds, timeout + 1))
        # (an import alone, or checks each under a timer: their deadline bounds them; one probe: the CPU limit too)
        after_import = sum(float(item["timeout"]) for item in checks) if checks and program is None else None
        again = import_timeout if after_import is not None and protocol.runs_twice(checks) else None
        header = {"filename": filename, "module": module, "probe": probe, "timeout": timeout, "checks": checks,
                  "import_timeout": import_timeout, "after_import": after_import, "again": again, "program": program,
                  "limits": {**self.limits.__dict__, "cpu_seconds": cpu}, "preload": self._heavy,
                  "seal": secrets.token_hex(16)}  # the key the child signs its report under: interpret
        if self.portable:
            from autograd_exercises.sandbox import portable

            job = dict(header, uid=None, layers=[], read_paths=[], server=None)
            return interpret(*portable.run_once(job, source, inputs, timeout), header["seal"])
        self.wait_ready()
        if self._proc.poll() is not None:
            self.restart()  # it died between checks (killed from outside): not this check's doing
        try:
            protocol.send(self._proc.stdin, header, source)
            protocol.send(self._proc.stdin, {}, inputs)
            if not self._answered(timeout + self.response_margin):
                self.restart(wait=0)  # stopped or stuck: never let it hang the grader
                return RunResult("crashed", {"message": "the sandbox server stopped answering during this check"})
            response, blob = protocol.receive(self._proc.stdout)
        except (protocol.ProtocolError, BrokenPipeError, OSError):
            self.restart()  # the server died with this job: the job fails, the next one gets a new server
            return RunResult("crashed", {"message": "the sandbox server was killed during this check"})
        run = interpret(response, blob, header["seal"])
        self._heavy = self._heavy or bool(run.result.get("heavy"))  # a forged claim costs only a preload
        return run

    def _answered(self, seconds: float) -> bool:
        """Wait up to ``seconds`` for the server's answer, serving :attr:`while_waiting` meanwhile."""
        deadline = time.monotonic() + seconds
        while True:
            ready = select.select([self._proc.stdout, *self.while_waiting], [], [],
                                  max(0.0, deadline - time.monotonic()))[0]
            if self._proc.stdout in ready:
                return True
            if not ready:
                return False
            for fd in ready:
                self.while_waiting[fd]()

    def restart(self, wait: float = 2.0) -> None:
        self._stop(wait)
        self._start()
        self.wait_ready()

    def close(self, wait: float = 0.5) -> None:
        """Stop the server and give the slot back (and its log: a closed sandbox starts no server again)."""
        self._stop(wait)
        self._log.close()
        if self._slot_lock is not None:
            os.close(self._slot_lock)
            self._slot_lock = None

    def abandon(self) -> None:
        """In a copy of this process made by ``fork``: drop this sandbox without touching its server, which
        belongs to the original (close this copy's ends of its pipes, its log and its hold on the slot)."""
        for stream in ((self._proc.stdin, self._proc.stdout) if self._proc is not None else ()) + (self._log,):
            try:
                stream.close()
            except OSError:
                pass
        if self._slot_lock is not None:
            os.close(self._slot_lock)  # the original's hold on the slot stays: it has its own descriptor
        self._proc, self._slot_lock = None, None

    def _stop(self, wait: float) -> None:
        """The server exits at the end of its input; after ``wait`` seconds it is killed, tree first."""
        if self._proc is None:
            return
        for stream in (self._proc.stdin, self._proc.stdout):
            try:
                stream.close()
            except OSError:
                pass
        try:
            self._proc.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            from autograd_exercises.sandbox.server import kill_descendants

            kill_descendants(self._proc.pid)  # while it lives, every process a child started is below it
        try:
            os.killpg(self._proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self._proc.wait()
        self._proc = None
        root = self.scratch_root
        if "mount-namespace" not in self.layers and isinstance(root, str) and Path(root).name.startswith("autograd-sandbox-"):
            from autograd_exercises.sandbox.server import remove_tree

            remove_tree(Path(root))  # a server that was killed could not remove its own (in a namespace, it vanished)

    def __enter__(self) -> "Sandbox":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
