"""Ready-made pieces for the platforms courses grade on: Gradescope, GitHub Classroom, PrairieLearn, GitHub Actions.

``grade package …`` writes them (``cli.py``); each module here is one platform:

- ``gradescope.py``: the autograder zip (``setup.sh``, ``run_autograder``, the autograder wheel) and what
  ``run_autograder`` runs inside Gradescope's image;
- ``classroom.py``: a GitHub Classroom template repository for one exercise, and the workflow's helpers;
- ``prairielearn.py``: an external-grading image (``Dockerfile``, ``run.sh``) and what ``run.sh`` runs;
- ``actions.py``: a workflow that grades a course repository's submission folders with ``grade class``;
- ``wheel.py``: a wheel of this package written from the files it runs from, byte for byte the same
  for the same files (the autograder wheel carries ``graders/hidden``; the student wheel never does);
- ``upload.py``: which uploaded file is which exercise, whatever its name; grading an upload for an autograder.

Everything generated is a pure function of the package's version, its dependencies and the exercise
registry: the same install gives the same bytes (zip entries sorted, with fixed times and modes).
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
from importlib import metadata
from typing import Iterator

DISTRIBUTION = "autograd-exercises"
TORCH_CPU_INDEX = "https://download.pytorch.org/whl/cpu"
# Debian/Ubuntu packages the sandbox needs (README, Safety): namespaces, and libseccomp for pyseccomp.
SANDBOX_APT = ("bubblewrap", "libseccomp2")


def version() -> str:
    """The version of this package, as installed."""
    return metadata.version(DISTRIBUTION)


def requirements() -> list[str]:
    """This package's own dependencies (no extras), as its metadata lists them (from ``pyproject.toml``)."""
    return [line for line in (metadata.requires(DISTRIBUTION) or []) if "extra ==" not in line]


def torch_requirement() -> str:
    """The torch requirement of ``pyproject.toml`` (``torch<2.14,>=2.2``), to install from the CPU index."""
    for line in requirements():
        if re.split(r"[<>=!~;\s\[(]", line, maxsplit=1)[0].lower() == "torch":
            return line.split(";")[0].strip()
    raise RuntimeError(f"{DISTRIBUTION}'s metadata has no torch requirement")


@contextlib.contextmanager
def no_workflow_commands() -> Iterator[None]:
    """On GitHub Actions, what a step prints of the students' (file names, printed output, exceptions) must not become
    a workflow command (``::error::…`` at a line's start, ``##[…]`` anywhere in it): the runner stops processing
    commands (its ``stop-commands``) until a token no student can know is printed back, when the block ends.
    Elsewhere it does nothing."""
    if os.environ.get("GITHUB_ACTIONS") != "true":
        yield
        return
    token = secrets.token_hex(16)
    print(f"::stop-commands::{token}", flush=True)
    try:
        yield
    finally:
        print(f"::{token}::", flush=True)
