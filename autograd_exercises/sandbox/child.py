"""The sandboxed child: lock down, import the submission, run one probe, report.

Runs in a process forked from the fork-server (or spawned, where there is no
``fork``). Order matters: every isolation layer is in place *before* the
student's module is imported, and the result leaves through file descriptor
:data:`RESULT_FD` as a ``torch.save`` file of plain data.
"""

from __future__ import annotations

import importlib
import importlib.util
import io
import os
import signal
import sys
from typing import Any

import torch

from autograd_exercises.sandbox import isolation, observe

RESULT_FD = 3
PR_SET_PDEATHSIG = 1
# Bound before any student code runs, so a submission that replaces them cannot forge the report.
_SAVE, _BYTES_IO, _WRITE, _EXIT = torch.save, io.BytesIO, os.write, os._exit


def preload() -> None:
    """Load, before any lock-down, all trusted code a child may need: torch (one thread),
    torch.save/torch.load's lazy imports, and the graders' probes (code only, never references)."""
    torch.set_num_threads(1)
    if torch.get_num_interop_threads() != 1:
        try:
            torch.set_num_interop_threads(1)
        except RuntimeError:  # already started once: harmless for a child that runs one probe
            pass
    buffer = io.BytesIO()
    torch.save([{"x": torch.zeros(2)}], buffer)
    torch.load(io.BytesIO(buffer.getvalue()), weights_only=True)
    import autograd_exercises.probes  # noqa: F401


def lock_down(job: dict[str, Any]) -> None:
    """Apply every isolation layer the server found working; fail closed if one breaks."""
    os.chdir(job["scratch"])
    os.environ.clear()
    os.environ.update(isolation.clean_environment(job["scratch"]))
    isolation.apply_rlimits(isolation.Limits(**job["limits"]))
    layers = set(job["layers"])
    if "uid-switch" in layers and not isolation.drop_privileges(job["uid"]):
        raise RuntimeError("could not switch to the sandbox uid")
    if "capabilities-dropped" in layers and not isolation.drop_capabilities():
        raise RuntimeError("could not drop capabilities")
    if "no-new-privs" in layers:
        isolation.set_no_new_privs()
    if any(layer.startswith("landlock") for layer in layers):
        if not isolation.apply_landlock(job["read_paths"], [job["scratch"]]):
            raise RuntimeError("could not apply landlock")
    allow_processes = "seccomp-no-fork" not in layers
    if "seccomp" in layers and not isolation.apply_seccomp(allow_processes=allow_processes):
        raise RuntimeError("could not apply seccomp")
    die_with_server(job.get("server"))


def die_with_server(server: int | None) -> None:
    """Get SIGKILL when the fork-server dies; set last, since a uid switch clears it.

    Where the grader must kill a server that stopped answering, this child then
    goes with it instead of running on, re-parented elsewhere. Exit at once if
    the server is already gone.
    """
    isolation._prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if server is not None and os.getppid() != server:
        _EXIT(72)


def resolve(ref: str) -> Any:
    """``"package.module:function"`` → the function (trusted grader code)."""
    module_name, _, qualname = ref.partition(":")
    target: Any = importlib.import_module(module_name)
    for part in qualname.split("."):
        target = getattr(target, part)
    return target


def import_submission(job: dict[str, Any]) -> Any:
    """Import the student's file under the module name the handout uses."""
    path = os.path.join(job["scratch"], job["filename"])
    observe.SUBMISSION_FILE["path"] = path
    spec = importlib.util.spec_from_file_location(job["module"], path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[job["module"]] = module
    spec.loader.exec_module(module)
    return module


def run_probe(job: dict[str, Any], inputs: bytes) -> dict[str, Any]:
    """Import the submission and run the probe on every case: the child's whole job."""
    cases = torch.load(io.BytesIO(inputs), weights_only=True)
    probe = resolve(job["probe"]) if job["probe"] else None
    observe.install_autograd_counter()
    try:
        module = import_submission(job)
    except BaseException as exc:  # SyntaxError, SystemExit, anything at import
        return {"status": "import-error", "exception": observe.describe_exception(exc)}
    if probe is None:
        names = sorted(name for name, value in vars(module).items() if callable(value))
        return {"status": "ok", "functions": names}
    observations = []
    for case in cases:
        try:
            observations.append(observe.plain(probe(module, case)))
        except BaseException as exc:
            observations.append({"probe_error": observe.describe_exception(exc)})
    return {"status": "ok", "observations": observations}


def report(result: dict[str, Any]) -> None:
    """Write the result to :data:`RESULT_FD` and flush the student's output."""
    buffer = _BYTES_IO()
    _SAVE(result, buffer)
    view = memoryview(buffer.getvalue())
    while view:
        view = view[_WRITE(RESULT_FD, view) :]
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:
            pass


def main(job: dict[str, Any], inputs: bytes) -> None:
    """Entry point in the child; never returns, whatever student code raises or breaks on the way."""
    code = 70
    try:
        try:
            lock_down(job)
            result, code = run_probe(job, inputs), 0
        except BaseException as exc:  # a sandbox failure, or student code that escaped the probe's handling
            result = {"status": "sandbox-error", "message": observe.safe_text(exc, with_type=True)}
        try:
            report(result)
        except BaseException as exc:
            _WRITE(2, f"sandbox: could not report the result: {observe.safe_text(exc, with_type=True)}\n".encode())
            code = 71
    finally:
        _EXIT(code)
