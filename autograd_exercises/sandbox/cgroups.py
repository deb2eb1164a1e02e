"""Memory and process limits per sandbox slot with cgroups, where the grader may create them (root).

Grader side. For slot N the grader makes ``autograd-sandbox-N`` below its own
cgroup in the memory and pids controllers (cgroup v1 hierarchies, or the unified
v2 one), writes the limits, and hands the server an open ``cgroup.procs`` of
each; the server writes ``0`` (itself) into them before its first fork, so every
child counts against the slot: shared memory and memfd pages included, which
RLIMIT_AS does not see, and every thread, which RLIMIT_NPROC does not count for root.
Anything missing (not root, no controller, read-only ``/sys``) means no cgroup
layer, never an error.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path("/sys/fs/cgroup")
SERVER_MEMORY = 1 << 30  # the server itself (torch, preloaded modules) beside the child's own budget


def _own_paths() -> dict[str, Path]:
    """{controller: folder of this process's cgroup} for memory and pids (v1), or "unified" (v2)."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return {}
    found = {}
    for line in lines:
        _, controllers, path = line.split(":", 2)
        for name in controllers.split(",") if controllers else ["unified"]:
            base = ROOT / name if name != "unified" else ROOT / ("unified" if (ROOT / "unified").is_dir() else "")
            if name in ("memory", "pids", "unified") and base.is_dir():
                found[name] = base / path.lstrip("/")
    return found


def _limits(controller: str, memory: int, pids: int) -> dict[str, str]:
    """The files to write in a slot's cgroup of ``controller``."""
    if controller == "memory":
        return {"memory.limit_in_bytes": str(memory)}
    if controller == "pids":
        return {"pids.max": str(pids)}
    return {"memory.max": str(memory), "pids.max": str(pids), "memory.swap.max": "0"}


def open_slot(slot: int, *, memory: int, pids: int) -> dict[str, int]:
    """Create (or reuse) slot ``slot``'s cgroups with these limits: {"memory"|"pids"|"unified": open fd of
    its cgroup.procs}. Empty where cgroups cannot be used; the caller passes the fds to the server."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return {}
    opened: dict[str, int] = {}
    for controller, own in _own_paths().items():
        folder = own / f"autograd-sandbox-{slot}"
        try:
            folder.mkdir(exist_ok=True)
            for name, value in _limits(controller, memory + SERVER_MEMORY, pids).items():
                if (folder / name).exists():
                    (folder / name).write_text(value)
            opened[controller] = os.open(folder / "cgroup.procs", os.O_WRONLY | os.O_CLOEXEC)
        except OSError:
            continue
    if "unified" in opened and len(opened) > 1:  # a hybrid system: the v1 controllers do the work
        os.close(opened.pop("unified"))
    return opened
