"""Run a command as an unprivileged uid, from a root process, inside a throw-away mount and PID namespace.

    unshare --mount --pid --fork --mount-proc --kill-child python tests/unprivileged_view.py SPEC

SPEC is JSON: ``uid``, ``home`` (a folder that uid owns), ``paths`` (what it must reach: the interpreter's
prefix, the checkout), ``cwd`` and ``command``. Runs as root in the new namespaces (nothing it mounts is seen
outside them): a path that a folder above it closes to others (a Python under ``/root``, mode 700) is bound
back in place under a tmpfs that others may cross; then every group and privilege is dropped (``setgroups``,
``setgid``, ``setuid``: no capability survives a switch away from uid 0) and the command is executed with a
minimal environment. Used by ``tests/test_unprivileged.py``: the sandbox as a student's laptop or an
instructor's account runs it, without root.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import tempfile


def closed_above(path: str) -> str | None:
    """The highest folder on ``path`` (itself included) that others may not cross, or None."""
    current = "/"
    for part in path.split(os.sep)[1:]:
        current = os.path.join(current, part)
        if not os.stat(current).st_mode & stat.S_IXOTH:
            return current
    return None


def open_paths(paths: list[str]) -> None:
    """Make each of ``paths`` reachable by others: bind it aside, cover the closed folder above it with a tmpfs
    (mode 755), and bind it back at its own path. Binds first, covers next: two paths may share a closed folder.
    The folder kept aside is removed once everything is back in place (it was left in /tmp, one per run)."""
    moves = [(path, top) for path in paths if (top := closed_above(path)) is not None and top != path]
    stash = tempfile.mkdtemp(prefix="unprivileged-view-")
    kept = []
    for index, (path, _) in enumerate(moves):
        keep = os.path.join(stash, str(index))
        os.mkdir(keep)
        subprocess.run(["mount", "--bind", path, keep], check=True)
        kept.append(keep)
    for top in sorted({top for _, top in moves}):
        subprocess.run(["mount", "-t", "tmpfs", "-o", "mode=755", "tmpfs", top], check=True)
    for (path, _), keep in zip(moves, kept):
        os.makedirs(path, exist_ok=True)
        subprocess.run(["mount", "--bind", keep, path], check=True)
    for keep in kept:  # the binds back in place hold the trees: the stash, a folder of the real /tmp, goes
        subprocess.run(["umount", keep], check=True)
        os.rmdir(keep)
    os.rmdir(stash)


def main() -> None:
    spec = json.loads(sys.argv[1])
    if os.geteuid() != 0:
        raise SystemExit("unprivileged_view: must start as root")
    os.umask(0o022)
    subprocess.run(["mount", "--make-rprivate", "/"], check=True)  # (unshare's default too): nothing leaks out
    open_paths([os.path.realpath(path) for path in spec["paths"]])
    uid = int(spec["uid"])
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)
    if os.getuid() != uid or os.geteuid() != uid:
        raise SystemExit("unprivileged_view: could not drop to the unprivileged uid")
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": spec["home"], "USER": "grader",
           "LOGNAME": "grader", "TMPDIR": spec["home"], "PYTHONDONTWRITEBYTECODE": "1", "LANG": "C.UTF-8"}
    os.chdir(spec["cwd"])
    os.execvpe(spec["command"][0], spec["command"], env)


if __name__ == "__main__":
    main()
