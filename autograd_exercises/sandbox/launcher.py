"""How the grader starts a fork-server: its slot, its command line, its environment, its cgroups.

Grader side, standard library only. The server never inherits anything of the
grader: it runs as ``python -I`` (no ``PYTHON*`` variables, no user site, neither
the current folder nor ``/tmp`` on its path) from ``/``, in an environment built
from scratch. Where bubblewrap works (``bwrap``: Debian's ``bubblewrap``) it runs
inside new PID, IPC, network, mount and UTS namespaces whose file system holds
only what Python and torch need, read-only:

* the system's ``/usr`` and its ``/lib*`` links, a few files of ``/etc``;
* the interpreter's prefixes and ``site-packages`` folders, mounted at the same
  paths (so a Python under a private ``/root`` is readable by the sandbox uid);
* the ``autograd_exercises`` package folder alone — never the checkout around it,
  ``graders/`` (hidden by an empty tmpfs where it sits inside a mounted folder),
  or ``solutions/``;
* a fresh ``/proc``, a minimal ``/dev``, a private ``/tmp`` (of bounded size, where bubblewrap can) and
  ``/scratch``, the mount point of each child's own tmpfs.

For a grader that is not root, the server runs in a user namespace of its own as well, holding
CAP_SYS_ADMIN and CAP_SETPCAP there only (where bubblewrap may give them): enough for each child to mount
its own bounded scratch tmpfs, after which the child drops them (:func:`user_namespace_options`).

Killing the server ends the namespace's init, and with it every process inside:
nothing a student started outlives the server.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from functools import lru_cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]  # .../autograd_exercises
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
ETC_FILES = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime",
             "/etc/fonts")  # (fontconfig's: a plot says no error about it)
# fontconfig's system cache: a plot (matplotlib runs ``fc-list``) finds the fonts cached and writes no cache of its
# own, which a child without chmod and utime (a non-root grader's: :data:`isolation.OWNER_FILE_CALLS`) cannot.
SHARED_CACHES = ("/var/cache/fontconfig",)
NAMESPACE_LAYERS = ("pid-namespace", "ipc-namespace", "network-namespace", "mount-namespace", "uts-namespace")


def environment() -> dict[str, str]:
    """The server's whole environment: nothing of the grader's (a CI token, a course secret) is in it."""
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": "/tmp", "USER": "sandbox", "LOGNAME": "sandbox",
           "OMP_NUM_THREADS": "1", "PYTHONDONTWRITEBYTECODE": "1", "TORCHINDUCTOR_CACHE_DIR": "/tmp/torchinductor",
           "PYTORCH_JIT": "0",  # (TorchScript runs as Python: child.script_eagerly)
           # glibc's allocator fills what it hands out, and what is freed, with its own pattern, from the first
           # allocation on (no per-thread cache, which would skip it): memory handed back uninitialised never holds
           # what the code before wrote there (red teams 106, 170, 171)
           "GLIBC_TUNABLES": "glibc.malloc.tcache_count=0:glibc.malloc.perturb=165"}
    for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):  # older OpenBLAS builds crash without them here
        if name in os.environ:
            env[name] = os.environ[name]
    return env


def python_paths() -> list[str]:
    """The interpreter's prefixes and library folders (absolute, existing), never a source checkout."""
    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    paths.update(value for key, value in sysconfig.get_paths().items() if key.endswith(("lib", "stdlib")))
    paths.update(entry for entry in sys.path if entry.endswith(("site-packages", "dist-packages", ".zip")))
    return sorted(path for path in map(os.path.abspath, paths) if os.path.exists(path))


def hidden_paths(mounted: list[str]) -> list[str]:
    """Trusted folders that sit inside a mounted folder (an installed ``graders``): hidden by an empty tmpfs."""
    spec = importlib.util.find_spec("graders")  # finds, does not import
    found = [str(Path(spec.origin).parent)] if spec is not None and spec.origin else []
    return [path for path in found if any(Path(path).is_relative_to(root) for root in mounted)]


def _system_mounts() -> list[str]:
    """``/usr`` and friends read-only; merged-/usr links kept as links."""
    args: list[str] = []
    for path in SYSTEM_DIRS:
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            args += ["--ro-bind", path, path]
    etc = [path for path in ETC_FILES if os.path.exists(path)]
    if etc:  # (bubblewrap would make /etc 0700: the child, under the slot's uid, could read none of them)
        args += ["--perms", "0755", "--dir", "/etc"]
    for path in etc:
        args += ["--ro-bind", path, path]
    for path in (path for path in SHARED_CACHES if os.path.isdir(path)):
        for parent in reversed(Path(path).parents[:-1]):  # (made 0755: bubblewrap's own would be 0700)
            args += ["--perms", "0755", "--dir", str(parent)]
        args += ["--ro-bind", path, path]
    return args


def _outermost(paths: list[str]) -> list[str]:
    """``paths`` without those inside another one of them (one mount covers them)."""
    return [p for p in sorted(set(paths)) if not any(p != q and Path(p).is_relative_to(q) for q in paths)]


def _parents(paths: list[str]) -> list[str]:
    """Folders above the mount points, made world-readable (bubblewrap would make them 0700, and a Python
    under a private home must be readable by the sandbox uid)."""
    above = {str(parent) for path in paths for parent in Path(path).parents if str(parent) != "/"}
    return sorted(above - set(SYSTEM_DIRS), key=lambda path: path.count("/"))


def bwrap_arguments() -> list[str]:
    """bubblewrap's options: the namespaces and the read-only file system described in the module docstring."""
    mounted = python_paths()
    if not any(PACKAGE.is_relative_to(root) for root in mounted):
        mounted.append(str(PACKAGE))  # an editable install: this package's folder, not the checkout
    mounted = _outermost(mounted)
    args = ["--unshare-pid", "--unshare-ipc", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try",
            "--hostname", "sandbox", "--die-with-parent", "--new-session", "--clearenv"]
    args += _system_mounts()
    # The fresh /proc, /dev and /tmp first: a venv under /tmp is then bound on top of the new /tmp, not hidden.
    args += user_namespace_options()
    args += ["--proc", "/proc", "--dev", "/dev", *_tmp_size(), "--tmpfs", "/tmp", "--dir", "/scratch"]
    for folder in _parents(mounted):
        args += ["--perms", "0755", "--dir", folder]
    for path in mounted:
        args += ["--ro-bind", path, path]
    for path in hidden_paths(mounted):
        args += ["--tmpfs", path, "--remount-ro", path]
    args += ["--chdir", "/"]
    for name, value in environment().items():
        args += ["--setenv", name, value]
    return args


@lru_cache(maxsize=1)
def bwrap() -> str | None:
    """The ``bwrap`` program, if it can make namespaces here (a locked-down container may refuse)."""
    program = shutil.which("bwrap")
    if program is None or not sys.platform.startswith("linux"):
        return None
    probe = [program, "--unshare-pid", "--unshare-ipc", "--unshare-net", "--die-with-parent",
             "--ro-bind", "/", "/", "--proc", "/proc", "--tmpfs", "/tmp", "true"]
    try:
        ok = subprocess.run(probe, stdin=subprocess.DEVNULL, capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.SubprocessError):
        ok = False
    return program if ok else None


TMP_BYTES = 128 << 20  # the sandbox's /tmp: twice a child's scratch (isolation.Limits), the scratch's home
# where a child cannot mount its own
USER_NAMESPACE = ["--unshare-user", "--cap-add", "CAP_SYS_ADMIN", "--cap-add", "CAP_SETPCAP"]


def _works(options: list[str]) -> bool:
    """Whether bubblewrap runs ``true`` with these options added (an older one lacks ``--size``; a setuid one
    refuses ``--cap-add`` to others than root)."""
    probe = [bwrap(), "--unshare-pid", "--die-with-parent", "--ro-bind", "/", "/", "--proc", "/proc", *options,
             "--tmpfs", "/tmp", "true"]
    try:
        return subprocess.run(probe, stdin=subprocess.DEVNULL, capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


@lru_cache(maxsize=1)
def user_namespace_options() -> tuple[str, ...]:
    """For a grader that is not root: a user namespace whose root-of-namespace capabilities let each child
    mount its private scratch (root's server already may); () for root, or where bubblewrap cannot."""
    if bwrap() is None or not hasattr(os, "geteuid") or os.geteuid() == 0:
        return ()
    return tuple(USER_NAMESPACE) if _works(USER_NAMESPACE) else ()


@lru_cache(maxsize=1)
def _tmp_size() -> tuple[str, ...]:
    """``--size`` for the next ``--tmpfs`` where bubblewrap has it (0.7 and later), else ()."""
    size = ["--size", str(TMP_BYTES)]
    return tuple(size) if bwrap() is not None and _works(size) else ()


def server_command(*, slot: int, spawn: bool, cgroups: dict[str, int], namespaces: bool = True,
                   idle_preload: bool = True) -> list[str]:
    """The command line that starts a fork-server for ``slot`` (in bubblewrap when ``namespaces`` and it works)."""
    program = bwrap() if namespaces else None
    layers = list(NAMESPACE_LAYERS) if program else []
    server = [sys.executable, "-I", "-m", "autograd_exercises.sandbox.server", "--slot", str(slot),
              "--layers", ",".join(layers), *(f"--cgroup={name}:{fd}" for name, fd in cgroups.items())]
    if spawn:
        server.append("--spawn")
    if not idle_preload:
        server.append("--no-idle-preload")
    return [program, *bwrap_arguments(), "--", *server] if program else server


def _slot_folder() -> Path:
    """Where slot locks live: a folder only this user can write (``/run`` for root), refused otherwise."""
    base = Path("/run") if os.geteuid() == 0 and os.access("/run", os.W_OK) else Path(tempfile.gettempdir())
    folder = base / f"autograd-sandbox-slots-{os.geteuid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    info = folder.lstat()
    if folder.is_symlink() or info.st_uid != os.geteuid() or info.st_mode & 0o077:
        raise RuntimeError(f"{folder} is not a private folder of this user: refusing to use it for slot locks")
    return folder


def claim_slot(preferred: int) -> tuple[int, int | None]:
    """The first free slot from ``preferred`` on, held by a lock for the grader's life: (slot, lock fd).

    Each slot has its own sandbox uid (and cgroups); a server kills every process of
    its uid after each job, so two graders on one machine must never share a slot.
    Only root switches uids; others keep ``preferred``.
    """
    import fcntl

    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return preferred, None
    folder = _slot_folder()
    for slot in range(preferred, preferred + 4096):
        fd = os.open(folder / f"{slot}.lock", os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return slot, fd  # released by the kernel when the grader exits, however it ends
        except OSError:
            os.close(fd)
    raise RuntimeError("no free sandbox slot")
