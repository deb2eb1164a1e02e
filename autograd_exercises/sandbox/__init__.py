"""Run student code in a locked-down child process and bring back plain data only.

The grader side of the sandbox. :class:`Sandbox` starts a fork-server
(:mod:`.server`) in a separate interpreter *before* the grader imports torch,
so both imports overlap, and then sends it jobs: a submission's source, the
probe to run and the inputs. What comes back is a :class:`RunResult`, whose
``result`` was loaded with ``torch.load(weights_only=True)``.
"""

from __future__ import annotations

import io
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autograd_exercises.sandbox import protocol
from autograd_exercises.sandbox.isolation import Limits

DEFAULT_TIMEOUT = 5.0
# Control characters (newline and tab excepted), C1 controls, bidi overrides and XML's non-characters:
# student text (prints, messages, reprs, class names) must not repaint a terminal or break JSON/JUnit.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufffe\uffff]")
MAX_DEPTH = 32  # deepest nesting accepted in a report (a forged one could nest past the recursion limit)


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

    @property
    def observations(self) -> list[dict[str, Any]]:
        return list(self.result.get("observations", []))


class SandboxError(Exception):
    """The sandbox itself could not run (not a student's failure)."""


def _package_roots() -> str:
    """PYTHONPATH entries that make our packages importable in the server (found without importing them)."""
    import importlib.util

    graders = importlib.util.find_spec("graders")
    roots = {str(Path(__file__).resolve().parents[2])}
    if graders is not None and graders.origin:
        roots.add(str(Path(graders.origin).resolve().parents[1]))
    return os.pathsep.join(sorted(roots))


def _load_result(data: bytes) -> dict[str, Any]:
    import torch

    loaded = torch.load(io.BytesIO(data), weights_only=True)
    if not isinstance(loaded, dict):
        raise ValueError("result is not a dict")
    return loaded


def printable(value: Any, depth: int = 0) -> Any:
    """``value`` with control characters replaced in every string (dict keys too), tensors untouched.

    Raises ValueError past :data:`MAX_DEPTH` levels, so a report nested to crash the grader is refused.
    """
    if depth > MAX_DEPTH:
        raise ValueError("report nested too deeply")
    if isinstance(value, str):
        return _CONTROL.sub("\ufffd", value)
    if isinstance(value, dict):
        return {printable(k, depth + 1): printable(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [printable(v, depth + 1) for v in value]
    return value


def interpret(response: dict[str, Any], blob: bytes) -> RunResult:
    """Turn the server's response into a :class:`RunResult` (loading ``blob`` safely)."""
    common = dict(output=printable(str(response.get("output", ""))),
                  output_dropped=bool(response.get("output_dropped")), wall=float(response.get("wall", 0.0)),
                  exit=response.get("exit"), signal=response.get("signal"))
    if response.get("timed_out"):
        return RunResult("timeout", **common)
    if response.get("too_large"):
        return RunResult("too-large", **common)
    if not blob:
        return RunResult("crashed" if response.get("signal") else "no-result", **common)
    try:
        result = printable(_load_result(blob))
    except Exception as exc:  # a forged or truncated report is the student's failure
        return RunResult("no-result", {"message": f"unreadable report: {type(exc).__name__}"}, **common)
    return RunResult(str(result.get("status", "no-result")), result, **common)


class Sandbox:
    """A fork-server process and the channel to it. Use as a context manager."""

    response_margin = 30.0  # seconds the server may take past a check's timeout before it counts as hung

    def __init__(self, *, slot: int = 0, limits: Limits = Limits(), spawn: bool = False) -> None:
        self.slot, self.limits, self.spawn = slot, limits, spawn
        self.layers: list[str] = []
        self.mode = ""
        self._proc: subprocess.Popen[bytes] | None = None
        self._log = tempfile.TemporaryFile()
        self._start()

    def _start(self) -> None:
        command = [sys.executable, "-m", "autograd_exercises.sandbox.server", "--slot", str(self.slot)]
        env = {**os.environ, "PYTHONPATH": _package_roots(), "OMP_NUM_THREADS": "1", "PYTHONDONTWRITEBYTECODE": "1"}
        self._proc = subprocess.Popen(
            command + (["--spawn"] if self.spawn else []), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=self._log, cwd=tempfile.gettempdir(), env=env, start_new_session=True,
        )
        self._ready: dict[str, Any] | None = None

    def wait_ready(self) -> None:
        """Block until the server has imported torch and found its isolation layers."""
        if self._ready is not None:
            return
        try:
            self._ready, _ = protocol.receive(self._proc.stdout)
        except protocol.ProtocolError:
            raise SandboxError(f"the sandbox server did not start: {self._log_tail()}") from None
        self.layers = list(dict.fromkeys(self._ready.get("layers", [])))
        self.slot = int(self._ready.get("slot", self.slot))  # the server may take a later, free slot
        self.mode = self._ready.get("mode", "")

    @property
    def server_pid(self) -> int | None:
        """The running fork-server's pid (``None`` before it is ready)."""
        return (self._ready or {}).get("pid")

    @property
    def scratch_root(self) -> str | None:
        """The folder under which the server makes each check's scratch folder (empty between checks)."""
        return (self._ready or {}).get("scratch_root")

    def _log_tail(self) -> str:
        self._log.seek(0)
        lines = self._log.read().decode("utf-8", "replace").strip().splitlines()
        return lines[-1] if lines else "no output"

    def run(self, *, source: bytes, filename: str, module: str, probe: str | None,
            inputs: bytes, timeout: float = DEFAULT_TIMEOUT) -> RunResult:
        """Run ``probe`` on the submission in a fresh child; never raises for student failures."""
        self.wait_ready()
        if self._proc.poll() is not None:
            self.restart()  # it died between checks (killed from outside): not this check's doing
        header = {"filename": filename, "module": module, "probe": probe, "timeout": timeout,
                  "limits": {**self.limits.__dict__, "cpu_seconds": int(min(self.limits.cpu_seconds, timeout + 1))}}
        try:
            protocol.send(self._proc.stdin, header, source)
            protocol.send(self._proc.stdin, {}, inputs)
            if not select.select([self._proc.stdout], [], [], timeout + self.response_margin)[0]:
                self.restart(wait=0)  # stopped or stuck: never let it hang the grader
                return RunResult("crashed", {"message": "the sandbox server stopped answering during this check"})
            response, blob = protocol.receive(self._proc.stdout)
        except (protocol.ProtocolError, BrokenPipeError, OSError):
            self.restart()  # the server died with this job: the job fails, the next one gets a new server
            return RunResult("crashed", {"message": "the sandbox server was killed during this check"})
        return interpret(response, blob)

    def restart(self, wait: float = 2.0) -> None:
        self.close(wait)
        self._start()
        self.wait_ready()

    def close(self, wait: float = 2.0) -> None:
        """Stop the server: it exits at the end of its input; after ``wait`` seconds it is killed, tree first."""
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
        if isinstance(root, str) and Path(root).name.startswith("autograd-sandbox-"):
            shutil.rmtree(root, ignore_errors=True)  # a server that was killed could not remove its own

    def __enter__(self) -> "Sandbox":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
