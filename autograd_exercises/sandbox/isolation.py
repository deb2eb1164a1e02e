"""Isolation layers a forked child applies to itself before it imports student code.

The namespaces of the whole fork-server (PID, IPC, network, mount, UTS) come from
bubblewrap (:mod:`.launcher`); the seccomp filter from libseccomp's Python binding;
the rest uses the standard library and :mod:`ctypes`. Each layer is
best effort: a function returns ``False`` (or skips a limit) where the platform
lacks the feature (non-root, old kernel, another architecture, macOS) instead of
raising. Call the layers in this order in the child, while it is still single
threaded (Landlock and seccomp only apply to the calling thread and the threads
and processes it creates later)::

    private_scratch(scratch, uid, size, inodes)   # own mount + IPC namespaces, a tmpfs for scratch
    apply_rlimits(limits)            # before the uid switch: NPROC then counts for the new uid
    drop_privileges(sandbox_uid(slot))
    set_no_new_privs()
    apply_landlock(read_paths, [scratch])
    apply_seccomp()

:func:`detect_layers` finds out which of them work here without changing the caller.
"""

from __future__ import annotations

import os
import signal
import stat
import sys
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable, Sequence

from autograd_exercises.sandbox.protocol import RESULT_FD

try:
    import ctypes
except ImportError:  # pragma: no cover - interpreters built without ctypes
    ctypes = None  # type: ignore[assignment]
try:
    import resource
except ImportError:  # Windows: no resource limits, the student CLI still grades
    resource = None  # type: ignore[assignment]

# prctl(2) options
PR_SET_CHILD_SUBREAPER = 36
PR_SET_NO_NEW_PRIVS = 38
PR_CAPBSET_DROP = 24
_LINUX_CAPABILITY_VERSION_3 = 0x20080522

CLONE_NEWNET, CLONE_NEWNS, CLONE_NEWIPC = 0x40000000, 0x00020000, 0x08000000
CLONE_THREAD = 0x00010000
CLONE_PARENT = 0x00008000  # the new process a sibling of its creator: a child of the zygote, never reaped
MS_NOSUID, MS_NODEV, MS_REC, MS_PRIVATE = 0x2, 0x4, 0x4000, 0x40000

SANDBOX_UID_BASE = 0x7F000000
MAX_SLOT = 0xFFFF

# Landlock (include/uapi/linux/landlock.h); the syscall numbers are the same on x86_64 and aarch64.
LANDLOCK_MACHINES = ("x86_64", "aarch64")
SYS_LANDLOCK_CREATE_RULESET = 444
SYS_LANDLOCK_ADD_RULE = 445
SYS_LANDLOCK_RESTRICT_SELF = 446
LANDLOCK_CREATE_RULESET_VERSION = 1 << 0
LANDLOCK_RULE_PATH_BENEATH = 1
FS_EXECUTE, FS_WRITE_FILE, FS_READ_FILE, FS_READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
FS_REFER, FS_TRUNCATE, FS_IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
FS_ABI1 = (1 << 13) - 1  # EXECUTE .. MAKE_SYM
FS_FILE_RIGHTS = FS_EXECUTE | FS_WRITE_FILE | FS_READ_FILE | FS_TRUNCATE | FS_IOCTL_DEV
FS_READ_RIGHTS = FS_READ_FILE | FS_READ_DIR | FS_EXECUTE
NET_BIND_TCP, NET_CONNECT_TCP = 1 << 0, 1 << 1
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1 << 0, 1 << 1

EPERM, ENOSYS = 1, 38

# Refused outright by the seccomp filter (EPERM): tracing, kernel and mount control, namespaces, new
# sockets of any family (a uid-0 child could talk to root-only unix sockets), io_uring (IORING_OP_SOCKET
# bypasses the socket rule), memory that escapes RLIMIT_AS (memfd, System V shared memory) and System V
# IPC objects, and other processes' resource limits (prlimit on a pid other than 0).
DENIED_SYSCALLS = (
    "ptrace", "process_vm_readv", "process_vm_writev", "mount", "umount2", "unshare", "setns", "bpf",
    "perf_event_open", "keyctl", "add_key", "request_key", "kexec_load", "kexec_file_load", "init_module",
    "finit_module", "delete_module", "reboot", "swapon", "swapoff", "pivot_root", "chroot", "userfaultfd",
    "io_uring_setup", "io_uring_enter", "io_uring_register", "open_tree", "move_mount", "fsopen", "fsconfig",
    "fsmount", "fspick", "mount_setattr", "socket", "memfd_create", "memfd_secret", "shmget", "msgget",
    "semget", "fanotify_init", "inotify_init", "inotify_init1", "pidfd_getfd", "name_to_handle_at",
    "open_by_handle_at", "quotactl", "acct", "settimeofday", "clock_settime", "adjtimex", "sethostname",
    "setdomainname", "ioperm", "iopl", "syslog", "vhangup", "lookup_dcookie", "nfsservctl", "open_tree_attr",
)
# Refused too where the child keeps the fork-server's uid (no uid switch: uid 0, or a non-root grader): it owns
# what the sandbox is made of (root's files; or bubblewrap's /dev, /tmp and the folders above its mounts), and
# the owner needs no capability to change their mode, owner, times or extended attributes, which neither
# Landlock nor a dropped capability stops. A /dev made mode 000 would fail every later child of the server.
OWNER_FILE_CALLS = (
    "chmod", "fchmod", "fchmodat", "fchmodat2", "chown", "fchown", "lchown", "fchownat", "utime", "utimes",
    "futimesat", "utimensat", "setxattr", "lsetxattr", "fsetxattr", "removexattr", "lremovexattr",
    "fremovexattr", "setxattrat", "removexattrat", "file_setattr",
)  # writing, renaming and removing files are Landlock's (scratch only); metadata is not
# Calls newer than the libseccomp a machine may have (2.5 knows none of them), by number: x86_64 and aarch64
# share the numbers of every call added since Linux 5.1. Unknown to libseccomp, they would pass the filter.
NEWER_SYSCALLS = {"setxattrat": 463, "removexattrat": 466, "open_tree_attr": 467, "file_setattr": 469}
# Calls that change another process's scheduling, refused unless their target (argument ``who``, from 0) is the
# caller itself (0): without a uid of its own (a non-root grader) the child shares the fork-server's and the
# zygote's uid, and a zygote made nice 19, SCHED_IDLE or bound to one CPU would slow every later student's checks.
SCHEDULING_CALLS = (("setpriority", 1), ("ioprio_set", 1), ("sched_setaffinity", 0), ("sched_setscheduler", 0),
                    ("sched_setparam", 0), ("sched_setattr", 0))
PRIO_USER, IOPRIO_WHO_USER = 2, 3  # "every process of this uid", even with who == 0
# Every CLONE_NEW* flag: NEWTIME, NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET.
CLONE_NEW_FLAGS = (0x80, 0x20000, 0x2000000, 0x4000000, 0x8000000, 0x10000000, 0x20000000, 0x40000000)

FIXED_READ_PATHS = (
    "/usr", "/lib", "/lib64", "/etc/ld.so.cache", "/etc/localtime", "/etc/fonts", "/var/cache/fontconfig",
    "/sys/devices/system/cpu",
    "/dev/null", "/dev/urandom", "/dev/zero",
)
# /proc is listed (read_dir) but only these files of it are read (Landlock): never the process's own memory
# (/proc/self/mem, where a door-free file could find the report's seal: red team 20), nor another process's files.
PROC_FILES = ("cpuinfo", "meminfo", "stat", "loadavg", "uptime", "version", "filesystems", "sys")
OWN_PROC_FILES = ("status", "stat", "statm", "cgroup", "cmdline", "environ", "smaps_rollup", "maps", "limits", "fd",
                  "fdinfo", "ns", "mountinfo", "mounts")
WRITABLE_DEVICES = ("/dev/null",)  # honest code silences output with open(os.devnull, "w"); writing there keeps nothing


@dataclass(frozen=True)
class Limits:
    """Resource limits of one child."""

    cpu_seconds: int = 10  # RLIMIT_CPU soft; hard = soft + 1
    memory_bytes: int = 2 << 30  # address space on top of the current VmSize
    file_bytes: int = 16 << 20  # RLIMIT_FSIZE
    open_files: int = 256  # RLIMIT_NOFILE
    processes: int = 32  # RLIMIT_NPROC (for the uid the child runs as)
    scratch_bytes: int = 64 << 20  # size of the child's scratch tmpfs (private-scratch)
    scratch_inodes: int = 4096  # files and folders in it


# ---------------------------------------------------------------- low-level helpers


def _machine() -> str:
    """The kernel architecture name on Linux (``x86_64``, ``aarch64``), else ``""``."""
    if not sys.platform.startswith("linux") or not hasattr(os, "uname"):
        return ""
    machine = os.uname().machine
    return {"amd64": "x86_64", "arm64": "aarch64"}.get(machine, machine)


@lru_cache(maxsize=1)
def _libc() -> Any:
    """The C library through ctypes (errno kept), or ``None`` where it cannot be loaded."""
    if ctypes is None:
        return None
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None


def _syscall(number: int, *args: int) -> tuple[int, int]:
    """``syscall(number, *args)`` on 64-bit Linux: (return value, errno); (-1, ENOSYS) if impossible."""
    libc = _libc()
    if libc is None or _machine() not in LANDLOCK_MACHINES or ctypes.sizeof(ctypes.c_void_p) != 8:
        return -1, ENOSYS
    function = libc.syscall
    function.restype = ctypes.c_long
    ctypes.set_errno(0)
    result = function(ctypes.c_long(number), *(ctypes.c_ulong(arg) for arg in args))
    return int(result), ctypes.get_errno()


def _prctl(option: int, arg2: int = 0, arg3: int = 0, arg4: int = 0, arg5: int = 0) -> tuple[int, int]:
    """``prctl(option, ...)`` on Linux: (return value, errno); (-1, ENOSYS) elsewhere."""
    libc = _libc()
    if libc is None or not sys.platform.startswith("linux") or not hasattr(libc, "prctl"):
        return -1, ENOSYS
    ctypes.set_errno(0)
    args = (ctypes.c_ulong(arg) for arg in (arg2, arg3, arg4, arg5))
    return int(libc.prctl(ctypes.c_int(option), *args)), ctypes.get_errno()


# ---------------------------------------------------------------- resource limits


def current_vm_size() -> int | None:
    """This process's virtual memory size in bytes (``/proc/self/statm``), ``None`` if unknown."""
    try:
        with open("/proc/self/statm") as statm:
            pages = int(statm.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE")


def uid_thread_count(uid: int) -> int | None:
    """Tasks (threads, as RLIMIT_NPROC counts them) whose real uid is ``uid``; ``None`` without /proc."""
    total, seen = 0, False
    for pid in _proc_pids():
        fields = _status_fields(pid)
        seen = True
        if fields.get("Uid", "").split()[:1] == [str(uid)]:
            total += int(fields.get("Threads", "1") or 1)
    return total if seen else None


def _set_limit(which: int, soft: int, hard: int) -> bool:
    """Lower one rlimit to (soft, hard), never above the current hard limit; False if refused."""
    try:
        _, current_hard = resource.getrlimit(which)
        if current_hard != resource.RLIM_INFINITY:
            hard = min(hard, current_hard)
        resource.setrlimit(which, (min(soft, hard), hard))
    except (OSError, ValueError):
        return False
    return True


def rlimit_plan(
    limits: Limits, vm_size: int | None, is_root: bool, threads: int | None
) -> list[tuple[str, str, int, int]]:
    """The (name, resource constant, soft, hard) limits to set; pure, so it is easy to test."""
    plan = [
        ("rlimit-cpu", "RLIMIT_CPU", limits.cpu_seconds, limits.cpu_seconds + 1),
        ("rlimit-fsize", "RLIMIT_FSIZE", limits.file_bytes, limits.file_bytes),
        ("rlimit-nofile", "RLIMIT_NOFILE", limits.open_files, limits.open_files),
        ("rlimit-core", "RLIMIT_CORE", 0, 0),
        # no real-time policy and no nice below the current one, whatever the user may have (an audio group's
        # rtprio): a child that made itself SCHED_FIFO and spun would starve the grader and every other check
        ("rlimit-rtprio", "RLIMIT_RTPRIO", 0, 0),
        ("rlimit-nice", "RLIMIT_NICE", 0, 0),
    ]
    if vm_size is not None:
        plan.insert(1, ("rlimit-as", "RLIMIT_AS", vm_size + limits.memory_bytes, vm_size + limits.memory_bytes))
    if is_root or threads is not None:
        processes = limits.processes + (0 if is_root else threads or 0)
        plan.append(("rlimit-nproc", "RLIMIT_NPROC", processes, processes))
    return plan


def apply_rlimits(limits: Limits, refused: list[str] | None = None) -> list[str]:
    """Set CPU, AS, FSIZE, NOFILE, CORE=0, RTPRIO=0, NICE=0 and NPROC; return the names of the limits applied.

    RLIMIT_AS is the current VmSize plus ``limits.memory_bytes`` (torch alone maps
    hundreds of MB). RLIMIT_NPROC is ``limits.processes`` as root (meant for the
    fresh slot uid after :func:`drop_privileges`), else the user's current thread
    count plus ``limits.processes``. A limit the platform refuses is skipped and named in ``refused``: the
    "rlimits" layer is found only where none is (:func:`_try_layers`), and a child given it fails closed on one
    (``child.lock_down``).
    """
    if resource is None:
        return []
    is_root = hasattr(os, "geteuid") and os.geteuid() == 0
    threads = None if is_root or not hasattr(os, "getuid") else uid_thread_count(os.getuid())
    applied = []
    for name, constant, soft, hard in rlimit_plan(limits, current_vm_size(), is_root, threads):
        which = getattr(resource, constant, None)
        if which is not None and _set_limit(which, soft, hard):
            applied.append(name)
        elif refused is not None:
            refused.append(name)
    return applied


# ---------------------------------------------------------------- identity


def sandbox_uid(slot: int) -> int:
    """The unprivileged uid (and gid) of parallel slot ``slot``: one per slot, so NPROC is per slot."""
    if not 0 <= slot <= MAX_SLOT:
        raise ValueError(f"slot must be in 0..{MAX_SLOT}, got {slot}")
    return SANDBOX_UID_BASE + slot


def drop_privileges(uid: int) -> bool:
    """As root: drop supplementary groups and switch gid and uid (real, effective, saved) to ``uid``.

    Returns True if switched, False (and changes nothing) when not running as root.
    Raises OSError if a switch started but failed, so a caller can fail closed.
    """
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return False
    if uid == 0:
        raise ValueError("refusing to 'drop' to uid 0")
    os.setgroups([])
    if hasattr(os, "setresgid"):
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)
    else:  # macOS: setgid/setuid as root set real, effective and saved ids
        os.setgid(uid)
        os.setuid(uid)
    if os.getuid() != uid or os.geteuid() != uid:
        raise OSError("uid switch did not take effect")
    return True


def interpreter_paths() -> list[str]:
    """Where the interpreter and its libraries live (what a switched uid must be able to read)."""
    import sysconfig

    paths = {sys.prefix, sys.base_prefix, sysconfig.get_paths().get("stdlib", "")}
    paths.update(p for p in sys.path if p and os.path.isdir(p) and "site-packages" in p)
    return sorted(p for p in paths if p)


def readable_by_others(paths: Sequence[str]) -> bool:
    """True when every path and each folder above it can be entered and read by any user.

    A Python installed under a private home (``/root/.pyenv``, mode 0700) fails
    this: a child switched to an unprivileged uid could not import anything new.
    """
    for path in paths:
        current = os.path.abspath(path)
        while True:
            try:
                mode = os.stat(current).st_mode
            except OSError:
                return False
            if not mode & stat.S_IXOTH or not mode & stat.S_IROTH:
                return False
            parent = os.path.dirname(current)
            if parent == current:
                break
            current = parent
    return True


def drop_capabilities() -> bool:
    """As root without a uid switch: empty the capability bounding, effective, permitted and inheritable sets.

    The process keeps uid 0 but loses every privilege (no DAC override, no
    CAP_KILL, no CAP_SYS_ADMIN); Landlock then confines what it may touch.
    Returns True if all sets are empty afterwards.
    """
    libc = _libc()
    if libc is None or not sys.platform.startswith("linux") or not hasattr(libc, "capset"):
        return False
    for capability in range(64):
        if _prctl(PR_CAPBSET_DROP, capability)[0] != 0 and capability < 41:
            return False
    header = (ctypes.c_uint32 * 2)(_LINUX_CAPABILITY_VERSION_3, 0)
    data = (ctypes.c_uint32 * 6)()  # two {effective, permitted, inheritable} triples, all zero
    if int(libc.capset(header, data)) != 0:
        return False
    fields = _status_fields("self")
    return all(int(fields.get(key, "1"), 16) == 0 for key in ("CapEff", "CapPrm", "CapInh"))


def has_capabilities() -> bool:
    """Whether this process holds any capability (its effective or permitted set is not empty)."""
    fields = _status_fields("self")
    try:
        return any(int(fields.get(key, "0"), 16) for key in ("CapEff", "CapPrm"))
    except ValueError:
        return False


def set_no_new_privs() -> bool:
    """``prctl(PR_SET_NO_NEW_PRIVS, 1)``: execve can never grant privileges again. True if set."""
    result, _ = _prctl(PR_SET_NO_NEW_PRIVS, 1)
    return result == 0


def set_child_subreaper() -> bool:
    """``prctl(PR_SET_CHILD_SUBREAPER, 1)``: orphaned descendants are re-parented to us. True if set."""
    result, _ = _prctl(PR_SET_CHILD_SUBREAPER, 1)
    return result == 0


def enter_network_namespace() -> bool:
    """``unshare(CLONE_NEWNET)`` (needs CAP_SYS_ADMIN): only a down loopback afterwards. True on success."""
    libc = _libc()
    if libc is None or not sys.platform.startswith("linux") or not hasattr(libc, "unshare"):
        return False
    return int(libc.unshare(ctypes.c_int(CLONE_NEWNET))) == 0


# ---------------------------------------------------------------- landlock


def landlock_abi() -> int:
    """The Landlock ABI version the kernel offers, 0 if unavailable (or not Linux x86_64/aarch64)."""
    result, _ = _syscall(SYS_LANDLOCK_CREATE_RULESET, 0, 0, LANDLOCK_CREATE_RULESET_VERSION)
    return max(result, 0)


def landlock_fs_rights(abi: int) -> int:
    """Every filesystem access right Landlock ABI ``abi`` knows (all of them are handled)."""
    rights = FS_ABI1 if abi >= 1 else 0
    rights |= FS_REFER if abi >= 2 else 0
    rights |= FS_TRUNCATE if abi >= 3 else 0
    rights |= FS_IOCTL_DEV if abi >= 5 else 0
    return rights


def landlock_ruleset(abi: int) -> tuple[int, int, int, int]:
    """(handled_access_fs, handled_access_net, scoped, attribute size) for ABI ``abi``.

    TCP bind/connect is handled from ABI 4 on (no rule: all TCP denied); abstract
    unix sockets and signals are scoped from ABI 6 on (nothing outside the domain
    can be reached). The attribute size grows with the fields an ABI knows.
    """
    net = NET_BIND_TCP | NET_CONNECT_TCP if abi >= 4 else 0
    scoped = SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL if abi >= 6 else 0
    size = 24 if abi >= 6 else 16 if abi >= 4 else 8
    return landlock_fs_rights(abi), net, scoped, size


if ctypes is not None:

    class _PathBeneath(ctypes.Structure):
        """``struct landlock_path_beneath_attr`` (packed); made once: a class built per call costs a collection."""

        _pack_ = 1
        _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def _landlock_add_path(ruleset_fd: int, path: str, rights: int) -> bool:
    """Allow ``rights`` beneath ``path`` (file rights only for a non-directory); False if skipped."""
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        if not stat.S_ISDIR(os.fstat(fd).st_mode):
            rights &= FS_FILE_RIGHTS
        attr = _PathBeneath(rights, fd)
        result, _ = _syscall(SYS_LANDLOCK_ADD_RULE, ruleset_fd, LANDLOCK_RULE_PATH_BENEATH, ctypes.addressof(attr), 0)
    finally:
        os.close(fd)
    return result == 0


def apply_landlock(read_paths: Sequence[str], write_paths: Sequence[str]) -> bool:
    """Restrict this process (and what it forks later) to the given paths with Landlock.

    ``read_paths`` get read_file | read_dir | execute, ``write_paths`` every right; of ``/proc``, only
    :data:`PROC_FILES` and this process's :data:`OWN_PROC_FILES` (never its ``mem``);
    nonexistent paths are skipped. From ABI 4 all TCP bind/connect is denied, from
    ABI 6 abstract unix sockets and signals cannot leave the domain (the child cannot
    kill the server even as the same uid). Sets no_new_privs (required). True if enforced.
    """
    abi = landlock_abi()
    if abi <= 0:
        return False
    fs, net, scoped, size = landlock_ruleset(abi)
    attr = (ctypes.c_uint64 * 3)(fs, net, scoped)
    ruleset_fd, _ = _syscall(SYS_LANDLOCK_CREATE_RULESET, ctypes.addressof(attr), size, 0)
    if ruleset_fd < 0:
        return False
    try:
        for paths, rights in ((read_paths, FS_READ_RIGHTS), (write_paths, fs)):
            for path in paths:
                _landlock_add_path(ruleset_fd, path, rights)
        _landlock_add_path(ruleset_fd, "/proc", FS_READ_DIR)
        for path in [f"/proc/{name}" for name in PROC_FILES] + [f"/proc/self/{name}" for name in OWN_PROC_FILES]:
            _landlock_add_path(ruleset_fd, path, FS_READ_RIGHTS)  # (/proc/self: this process's own, as it is now)
        set_no_new_privs()
        result, _ = _syscall(SYS_LANDLOCK_RESTRICT_SELF, ruleset_fd, 0)
    finally:
        os.close(ruleset_fd)
    return result == 0


def default_read_paths() -> list[str]:
    """Paths a sandboxed Python with torch needs to read: the interpreter, libraries, /proc, a few devices.

    sys.prefix, sys.base_prefix, sys.exec_prefix, the existing sys.path folders
    (absolute; never '', the current directory or '/'), then system paths.
    """
    cwd = os.path.abspath(os.getcwd())
    entries = [sys.prefix, sys.base_prefix, sys.exec_prefix]
    for entry in sys.path:
        if entry and os.path.isdir(entry) and os.path.abspath(entry) not in (cwd, "/"):
            entries.append(os.path.abspath(entry))
    return list(dict.fromkeys(entries + list(FIXED_READ_PATHS)))


# ---------------------------------------------------------------- seccomp


@lru_cache(maxsize=1)
def _seccomp_module() -> Any:
    """libseccomp's Python binding (``seccomp``, from the distribution), else ``pyseccomp`` (the same API
    over ctypes, from PyPI); ``None`` where neither loads (macOS, Windows, no libseccomp)."""
    for name in ("seccomp", "pyseccomp"):
        try:
            return __import__(name)
        except (ImportError, OSError, AttributeError):
            continue
    return None


def seccomp_filter(*, allow_processes: bool = True, own_uid: bool = True) -> Any:
    """The child's libseccomp filter (not loaded yet), or ``None`` where libseccomp is missing.

    Everything is allowed except: :data:`DENIED_SYSCALLS` (EPERM); ``clone`` with any CLONE_NEW* flag
    (EPERM); ``clone3``, whose flags sit behind a pointer (ENOSYS: libc falls back to ``clone``);
    ``prlimit64`` and the :data:`SCHEDULING_CALLS` on another process, or on every process of a user (EPERM);
    ``clone`` with CLONE_PARENT (EPERM); whatever would replace or close the report channel
    (:func:`guard_result_channel`). With ``allow_processes=False`` (every child: a process of its own runs
    where no probe counts, and RLIMIT_NPROC does not limit a child still uid 0) only threads may be created. With ``own_uid=False`` (the child keeps the
    fork-server's uid) files keep their metadata (:data:`OWNER_FILE_CALLS`). Calls of another architecture
    (x32, i386 on x86_64) kill the process: libseccomp's default for foreign architectures.
    """
    seccomp = _seccomp_module()
    if seccomp is None or not sys.platform.startswith("linux"):
        return None
    deny = seccomp.ERRNO(EPERM)
    rules = seccomp.SyscallFilter(seccomp.ALLOW)
    refused = DENIED_SYSCALLS + (() if allow_processes else ("fork", "vfork")) + (() if own_uid else OWNER_FILE_CALLS)
    for name in refused:
        _refuse(rules, deny, name)
    for flag in CLONE_NEW_FLAGS:
        rules.add_rule(deny, "clone", seccomp.Arg(0, seccomp.MASKED_EQ, flag, flag))
    rules.add_rule(deny, "clone", seccomp.Arg(0, seccomp.MASKED_EQ, CLONE_PARENT, CLONE_PARENT))
    if not allow_processes:
        rules.add_rule(deny, "clone", seccomp.Arg(0, seccomp.MASKED_EQ, CLONE_THREAD, 0))
    rules.add_rule(seccomp.ERRNO(ENOSYS), "clone3")
    rules.add_rule(deny, "prlimit64", seccomp.Arg(0, seccomp.NE, 0))
    guard_result_channel(rules, deny, seccomp)
    for name, who in SCHEDULING_CALLS:
        rules.add_rule(deny, name, seccomp.Arg(who, seccomp.NE, 0))
    # ``which`` is a C int: the kernel drops the upper 32 bits of the register, so the filter must too
    rules.add_rule(deny, "setpriority", seccomp.Arg(0, seccomp.MASKED_EQ, 0xFFFFFFFF, PRIO_USER))
    rules.add_rule(deny, "ioprio_set", seccomp.Arg(0, seccomp.MASKED_EQ, 0xFFFFFFFF, IOPRIO_WHO_USER))
    return rules


def guard_result_channel(rules: Any, deny: Any, seccomp: Any) -> None:
    """Nothing replaces or closes the child's report channel (:data:`~.protocol.RESULT_FD`): ``dup2``/``dup3`` onto
    it and ``close`` of it are refused (the kernel reads those descriptors as 32-bit: so does the filter), and
    ``close_range`` at all (ENOSYS: its unsigned bounds cannot be compared whole; Python then closes one at a time).
    Red team 235: a thread put a pipe of its own on fd 3, read the seal that opens the child's report, and sent a
    forged report after it down the real channel, kept with ``dup``."""
    fd = seccomp.Arg(0, seccomp.MASKED_EQ, 0xFFFFFFFF, RESULT_FD)
    target = seccomp.Arg(1, seccomp.MASKED_EQ, 0xFFFFFFFF, RESULT_FD)
    for name, argument in (("close", fd), ("dup2", target), ("dup3", target)):
        try:
            rules.add_rule(deny, name, argument)
        except (ValueError, OSError, RuntimeError):  # (dup2: no call of aarch64's, which has dup3 only)
            continue
    rules.add_rule(seccomp.ERRNO(ENOSYS), "close_range")


def _refuse(rules: Any, deny: Any, name: str) -> None:
    """Add ``deny`` for the call ``name``: by name, or by its number where libseccomp is older than the call
    (:data:`NEWER_SYSCALLS`); skipped where it is no call of this architecture."""
    try:
        rules.add_rule(deny, name)
    except (ValueError, OSError, RuntimeError):
        if name in NEWER_SYSCALLS and _machine() in ("x86_64", "aarch64"):
            rules.add_rule(deny, NEWER_SYSCALLS[name])


def seccomp_options(layers: Iterable[str]) -> dict[str, bool]:
    """:func:`seccomp_filter`'s options for a child with these working ``layers``: no processes, only threads
    (``seccomp-no-fork``: a process of the submission's own runs its code where no probe counts, red team 66 built
    exercise 4's graph in one), file metadata only for one with a uid of its own (``uid-switch``)."""
    layers = set(layers)
    return {"allow_processes": False, "own_uid": "uid-switch" in layers}


def apply_seccomp(*, allow_processes: bool = True, own_uid: bool = True, prepared: Any = None) -> bool:
    """Load the :func:`seccomp_filter` (or ``prepared``, built before a fork) on this thread; inherited by
    what it creates. libseccomp sets no_new_privs first. True if loaded."""
    rules = prepared if prepared is not None else seccomp_filter(allow_processes=allow_processes, own_uid=own_uid)
    if rules is None:
        return False
    try:
        rules.load()
    except (OSError, RuntimeError, ValueError):
        return False
    return True


# ---------------------------------------------------------------- private scratch (mount + IPC namespaces)


def _mount(source: str, target: str, fstype: str | None, flags: int, data: str | None) -> bool:
    libc = _libc()
    if libc is None or not hasattr(libc, "mount"):
        return False
    encode = lambda text: None if text is None else text.encode()  # noqa: E731
    return libc.mount(encode(source), encode(target), encode(fstype), ctypes.c_ulong(flags), encode(data)) == 0


def private_scratch(path: str, owner: int | None, size: int, inodes: int) -> bool:
    """Give this process its own mount and IPC namespaces and a fresh tmpfs at ``path``.

    The tmpfs holds at most ``size`` bytes and ``inodes`` files and folders, belongs to
    ``owner`` (mode 0700), and vanishes with the namespace when the last process in it
    exits: no cleanup, however deep or full the student made it. System V IPC objects
    live and die in the private IPC namespace too. Needs CAP_SYS_ADMIN (the fork-server
    runs as root in its own namespaces, or as root of a user namespace). True on success.
    """
    libc = _libc()
    if libc is None or not sys.platform.startswith("linux") or libc.unshare(ctypes.c_int(CLONE_NEWNS | CLONE_NEWIPC)) != 0:
        return False
    if not _mount("none", "/", None, MS_REC | MS_PRIVATE, None):
        return False
    options = f"size={size},nr_inodes={inodes},mode=0700" + (f",uid={owner},gid={owner}" if owner is not None else "")
    return _mount("scratch", path, "tmpfs", MS_NOSUID | MS_NODEV, options)


def set_oom_score_adj(value: int) -> bool:
    """Make this process the out-of-memory killer's first (1000) or last (-1000) choice. True if set."""
    try:
        with open("/proc/self/oom_score_adj", "w") as handle:
            handle.write(str(value))
    except OSError:
        return False
    return True


# ---------------------------------------------------------------- process cleanup


def _proc_pids() -> list[int]:
    """Every pid visible in /proc (empty where there is no /proc)."""
    try:
        return [int(name) for name in os.listdir("/proc") if name.isdigit()]
    except OSError:
        return []


def _status_fields(pid: int | str) -> dict[str, str]:
    """``/proc/<pid>/status`` as {field: value}; empty if the process is gone."""
    try:
        with open(f"/proc/{pid}/status") as status:
            return dict(line.rstrip("\n").split(":\t", 1) for line in status if ":\t" in line)
    except OSError:
        return {}


def _parent_and_state(pid: int) -> tuple[int, str] | None:
    """(ppid, state letter) from ``/proc/<pid>/stat``; ``None`` if the process is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            data = stat.read()
        fields = data[data.rindex(b")") + 2 :].split()  # comm may hold spaces and parentheses
        return int(fields[1]), fields[0].decode()
    except (OSError, ValueError, IndexError):
        return None


def _kill(pid: int) -> bool:
    """SIGKILL ``pid``; False if it is gone or not ours to signal."""
    try:
        os.kill(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def kill_uid_processes(uid: int, passes: int = 10) -> int:
    """SIGKILL every process whose real uid is ``uid``; returns how many were signalled.

    Scans /proc again until a pass finds none it has not signalled (a process may fork while we scan).
    Never touches uid 0 or the caller's own uid. A process in state Z is signalled too: it may be a
    leader whose main thread alone exited while its other threads run (the signal ends them).
    """
    if uid == 0 or uid == os.getuid():
        return 0
    killed: set[int] = set()
    for _ in range(passes):
        found = False
        for pid in _proc_pids():
            if pid not in killed and _status_fields(pid).get("Uid", "").split()[:1] == [str(uid)] and _kill(pid):
                found = True
                killed.add(pid)
        if not found:
            break
    return len(killed)


def kill_children_of(pid: int) -> int:
    """SIGKILL every process whose parent is ``pid`` (orphans re-parented to a subreaper; a zombie too, which
    may be a leader whose other threads run); returns count."""
    killed = 0
    for child in _proc_pids():
        info = _parent_and_state(child)
        if info is not None and info[0] == pid and info[1] != "X" and child != os.getpid() and _kill(child):
            killed += 1
    return killed


# ---------------------------------------------------------------- environment and detection


def clean_environment(scratch: str) -> dict[str, str]:
    """A minimal environment for the child (a new dict; ``os.environ`` is not changed)."""
    env = {"PATH": "/usr/bin:/bin", "HOME": scratch, "TMPDIR": scratch, "LANG": "C.UTF-8", "USER": "student",
           "LOGNAME": "student", "TORCHINDUCTOR_CACHE_DIR": os.path.join(scratch, ".torchinductor"),
           "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
           "PYTHONDONTWRITEBYTECODE": "1"}
    for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        if name in os.environ:
            env[name] = os.environ[name]
    return env


def _try_layers(slot: int, scratch: str | None, report: Any) -> None:
    """In the throw-away child: apply every layer in order, reporting each one that worked."""
    owner = sandbox_uid(slot) if hasattr(os, "geteuid") and os.geteuid() == 0 else None
    if scratch is not None and private_scratch(scratch, owner, 1 << 20, 64):
        report("private-scratch")
    refused: list[str] = []
    if apply_rlimits(Limits(), refused) and not refused:
        report("rlimits")
    if hasattr(os, "setsid"):
        try:
            os.setsid()
            report("setsid")
        except OSError:
            pass
    if enter_network_namespace():
        report("network-namespace")
    own_uid = False
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        if readable_by_others(interpreter_paths()):
            try:
                own_uid = drop_privileges(sandbox_uid(slot))
                if own_uid:
                    report("uid-switch")
            except OSError:
                pass
        elif drop_capabilities():
            report("capabilities-dropped")
    elif has_capabilities() and drop_capabilities():  # root of a user namespace (a non-root grader's bubblewrap)
        report("capabilities-dropped")
    if set_no_new_privs():
        report("no-new-privs")
    abi = landlock_abi()
    if abi and apply_landlock(default_read_paths(), []):
        report(f"landlock-v{abi}")
    if apply_seccomp(allow_processes=False, own_uid=own_uid):
        report("seccomp")
        report("seccomp-no-fork")


def detect_layers(slot: int = 0, scratch: str | None = None) -> list[str]:
    """Which isolation layers work here, found in a throw-away forked child (the caller is unchanged).

    Names, in order: private-scratch (only when given a ``scratch`` mount point), rlimits,
    setsid, network-namespace, uid-switch or capabilities-dropped, no-new-privs,
    landlock-v<ABI>, seccomp and seccomp-no-fork. [] where there is no ``os.fork``.
    """
    if not hasattr(os, "fork"):
        return []
    _libc()  # load ctypes' libc and libseccomp before forking, not in the locked-down child
    _seccomp_module()
    try:
        read_fd, write_fd = os.pipe()
        pid = os.fork()
    except OSError:
        return []
    if pid == 0:  # pragma: no cover - runs in the child
        try:
            os.close(read_fd)
            _try_layers(slot, scratch, lambda name: os.write(write_fd, name.encode() + b"\n"))
        finally:
            os._exit(0)
    os.close(write_fd)
    chunks = []
    with os.fdopen(read_fd, "rb") as pipe:
        for chunk in iter(lambda: pipe.read(4096), b""):
            chunks.append(chunk)
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass
    return [name for name in b"".join(chunks).decode().split("\n") if name]
