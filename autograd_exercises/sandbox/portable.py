"""Where there is no ``fork`` (Windows): one fresh interpreter per job, without a fork-server.

Grader side, standard library only: no pipes to ``select`` on, no process
groups, no ``resource``. Each job runs ``python -I -m
autograd_exercises.sandbox.spawned`` in a temporary folder with a clean
environment; the child writes its report to a file there, which is read like any
report (:func:`autograd_exercises.sandbox.interpret`). The isolation layers are
those the platform has: none on Windows, which the report says. The child's
deadline includes its own ``import torch``, so it gets :data:`IMPORT_ALLOWANCE`
seconds on top of the check's timeout.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

IMPORT_ALLOWANCE = 60.0  # a fresh interpreter imports torch before it runs the check
OUTPUT_CAP = 16 << 10


def run_once(job: dict[str, Any], source: bytes, inputs: bytes, timeout: float) -> tuple[dict[str, Any], bytes]:
    """Run one job in a fresh interpreter; (response header, report bytes) as the fork-server would send them."""
    from autograd_exercises.sandbox import isolation

    with tempfile.TemporaryDirectory(prefix="autograd-sandbox-") as folder:
        scratch = Path(folder)
        (scratch / job["filename"]).write_bytes(source)
        (scratch / ".job").write_text(json.dumps(dict(job, scratch=folder)))
        (scratch / ".inputs").write_bytes(inputs)
        result_file = scratch / ".result"
        env = dict(isolation.clean_environment(folder), AUTOGRAD_RESULT_FILE=str(result_file))
        env.update({name: os.environ[name] for name in ("SYSTEMROOT", "PATH") if name in os.environ})
        command = [sys.executable, "-I", "-m", "autograd_exercises.sandbox.spawned", str(scratch / ".job")]
        try:
            proc = subprocess.run(command, cwd=folder, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                                  timeout=timeout + IMPORT_ALLOWANCE)
            response: dict[str, Any] = {"exit": proc.returncode if proc.returncode >= 0 else None,
                                        "signal": -proc.returncode if proc.returncode < 0 else None}
            output = proc.stdout + proc.stderr
        except subprocess.TimeoutExpired as expired:
            response, output = {"timed_out": True}, (expired.stdout or b"") + (expired.stderr or b"")
        blob = result_file.read_bytes() if result_file.is_file() else b""
    response.update(output=output[:OUTPUT_CAP].decode("utf-8", "replace"), output_dropped=len(output) > OUTPUT_CAP)
    return response, blob
