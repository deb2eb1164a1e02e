"""Memory and process limits per sandbox slot with cgroups, where the grader may create them (root).

Grader side. For slot N the grader makes ``autograd-sandbox-N`` below its own
cgroup in the memory and pids controllers (cgroup v1 hierarchies, or the unified
v2 one), writes the limits, and hands the server an open ``cgroup.procs`` of
each; the server writes ``0`` (itself) into them before its first fork, so every
child counts against the slot: shared memory and memfd pages included, which
RLIMIT_AS does not see, and every thread, which RLIMIT_NPROC does not count for root.
Anything missing (not root, no controller, read-only ``/sys``, a v2 parent that does
not delegate memory and pids to its children) means no cgroup layer, never an error;
a layer is named only for a limit that took.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path("/sys/fs/cgroup")
SERVER_MEMORY = 1 << 30  # the server itself (torch, preloaded modules) beside the child's own budget


def _proc_cgroup() -> str:
    try:
        return Path("/proc/self/cgroup").read_text()
    except OSError:
        return ""


def _own_paths() -> dict[str, Path]:
    """{controller: folder of this process's cgroup} for memory and pids (v1), or "unified" (v2)."""
    found = {}
    for line in _proc_cgroup().splitlines():
        _, controllers, path = line.split(":", 2)
        for name in controllers.split(",") if controllers else ["unified"]:
            base = ROOT / name if name != "unified" else ROOT / ("unified" if (ROOT / "unified").is_dir() else "")
            if name in ("memory", "pids", "unified") and base.is_dir():
                found[name] = base / path.lstrip("/")
    return found


def _limits(version: str, memory: int, pids: int) -> dict[str, dict[str, str]]:
    """{controller: {file: value}} to write in a slot's cgroup, for cgroup ``version`` "v1" or "v2"."""
    memory_file = "memory.limit_in_bytes" if version == "v1" else "memory.max"
    return {"memory": {memory_file: str(memory)}, "pids": {"pids.max": str(pids)}}


def _open_limited(folder: Path, files: dict[str, str], optional: dict[str, str]) -> int | None:
    """The open ``cgroup.procs`` of ``folder`` once every one of ``files`` took its value (and each of
    ``optional`` that exists), else None: a cgroup whose limit did not take is no layer. (On cgroup v2 the
    limit files exist only where the parent delegates the controller to its children.)"""
    try:
        for name, value in files.items():
            _write(folder / name, value)  # absent: FileNotFoundError; refused: another OSError
        for name, value in optional.items():
            if (folder / name).exists():
                _write(folder / name, value)
        return os.open(folder / "cgroup.procs", os.O_WRONLY | os.O_CLOEXEC)
    except OSError:
        return None


def _write(path: Path, value: str) -> None:
    """Write an existing interface file (never create one: a missing file is a controller not delegated)."""
    fd = os.open(path, os.O_WRONLY | os.O_TRUNC | os.O_CLOEXEC)
    try:
        os.write(fd, value.encode())
    finally:
        os.close(fd)


def open_slot(slot: int, *, memory: int, pids: int) -> dict[str, int]:
    """Create (or reuse) slot ``slot``'s cgroups with these limits: {"memory"|"pids": open fd of its
    cgroup.procs}, only for the controllers whose limits took (the v1 hierarchies, else the unified v2 one,
    which then has one fd per controller). Empty where cgroups cannot be used; the caller passes the fds to
    the server, which names a layer after each fd it could join."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return {}
    own, name, total = _own_paths(), f"autograd-sandbox-{slot}", memory + SERVER_MEMORY
    opened: dict[str, int] = {}
    for controller in ("memory", "pids"):
        fd = _open_limited(own[controller] / name, _limits("v1", total, pids)[controller], {}) \
            if controller in own and _made(own[controller] / name) else None
        if fd is not None:
            opened[controller] = fd
    if opened or "unified" not in own or not _made(own["unified"] / name):
        return opened  # a hybrid system: the v1 controllers do the work
    folder = own["unified"] / name
    for controller, files in _limits("v2", total, pids).items():
        fd = _open_limited(folder, files, {"memory.swap.max": "0"} if controller == "memory" else {})
        if fd is not None:
            opened[controller] = fd
    if not opened:
        _remove(folder)  # the controllers are not delegated here: leave nothing behind
    return opened


def _made(folder: Path) -> bool:
    try:
        folder.mkdir(exist_ok=True)
        return True
    except OSError:
        return False


def _remove(folder: Path) -> None:
    try:
        folder.rmdir()
    except OSError:
        pass
