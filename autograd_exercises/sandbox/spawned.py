"""Entry point of a spawned (not forked) sandbox child: ``python -m autograd_exercises.sandbox.spawned JOB``.

Used only where ``os.fork`` is missing or was turned off; slower, since every
job imports torch again.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path


def main() -> None:
    job_file = Path(sys.argv[1])
    job = json.loads(job_file.read_text())
    inputs = (job_file.parent / ".inputs").read_bytes()
    for name in (".job", ".inputs"):
        (job_file.parent / name).unlink()
    if "AUTOGRAD_RESULT_FILE" in os.environ:  # no fork-server (Windows): the result goes to a file
        os.dup2(os.open(os.environ["AUTOGRAD_RESULT_FILE"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), 3)
    else:
        os.dup2(int(os.environ["AUTOGRAD_RESULT_FD"]), 3)
    from autograd_exercises.sandbox import child, isolation

    child.preload()
    for ref in [job.get("probe")] + [check["probe"] for check in job.get("checks") or []]:
        if ref:
            child.resolve(ref)  # import the probes' modules before the lock-down
    layers = job["layers"]
    rules = isolation.seccomp_filter(**isolation.seccomp_options(layers)) if "seccomp" in layers else None
    child.main(job, inputs, seccomp=rules)


if __name__ == "__main__":
    main()
