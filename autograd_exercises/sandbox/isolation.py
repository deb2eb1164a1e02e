"""Isolation layers a forked child applies to itself before it imports student code.

Everything here uses only the standard library and :mod:`ctypes`. Each layer is
best effort: a function returns ``False`` (or skips a limit) where the platform
lacks the feature (non-root, old kernel, another architecture, macOS) instead of
raising. Call the layers in this order in the child, while it is still single
threaded (Landlock and seccomp only apply to the calling thread and the threads
and processes it creates later)::

    apply_rlimits(limits)            # before the uid switch: NPROC then counts for the new uid
    drop_privileges(sandbox_uid(slot))
    set_no_new_privs()
    apply_landlock(read_paths, [scratch])
    apply_seccomp()

:func:`detect_layers` finds out which of them work here without changing the caller.
"""

from __future__ import annotations

import os
import resource
import signal
import stat
import sys
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Sequence

try:
    import ctypes
except ImportError:  # pragma: no cover - interpreters built without ctypes
    ctypes = None  # type: ignore[assignment]

# prctl(2) options
PR_SET_CHILD_SUBREAPER = 36
PR_SET_NO_NEW_PRIVS = 38
PR_GET_NO_NEW_PRIVS = 39
PR_SET_SECCOMP = 22
PR_CAPBSET_DROP = 24
_LINUX_CAPABILITY_VERSION_3 = 0x20080522
SECCOMP_MODE_FILTER = 2

CLONE_NEWNET = 0x40000000
CLONE_THREAD = 0x00010000
# Every CLONE_NEW* flag: NEWTIME, NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET.
CLONE_NAMESPACE_FLAGS = 0x7E020080

SANDBOX_UID_BASE = 0x7F000000
MAX_SLOT = 0xFFFF

# Landlock (include/uapi/linux/landlock.h); the syscall numbers are the same on x86_64 and aarch64.
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

# Classic BPF for seccomp (include/uapi/linux/filter.h, seccomp.h)
BPF_LD_W_ABS = 0x20
BPF_JEQ_K = 0x15
BPF_JGE_K = 0x35
BPF_JSET_K = 0x45
BPF_RET_K = 0x06
SECCOMP_RET_KILL_PROCESS = 0x80000000
SECCOMP_RET_ERRNO = 0x00050000
SECCOMP_RET_ALLOW = 0x7FFF0000
EPERM, ENOSYS = 1, 38
AF_UNIX = 1
X32_SYSCALL_BIT = 0x40000000
SECCOMP_DATA_NR, SECCOMP_DATA_ARCH, SECCOMP_DATA_ARG0 = 0, 4, 16  # arg0 low word (little endian)
AUDIT_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}

_DENIED_NAMES = (
    "ptrace", "process_vm_readv", "process_vm_writev", "mount", "umount2", "unshare", "setns", "bpf",
    "perf_event_open", "keyctl", "add_key", "request_key", "kexec_load", "init_module", "finit_module",
    "reboot", "swapon", "pivot_root", "chroot",
    # Beyond the list: module unloading, swap, userfaultfd, io_uring (IORING_OP_SOCKET bypasses the
    # socket rule) and the new mount API.
    "kexec_file_load", "delete_module", "swapoff", "userfaultfd", "io_uring_setup", "io_uring_enter",
    "io_uring_register", "open_tree", "move_mount", "fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr",
)
SYSCALLS: dict[str, dict[str, int]] = {
    "x86_64": dict(
        socket=41, clone=56, clone3=435, fork=57, vfork=58, ptrace=101, process_vm_readv=310, process_vm_writev=311, mount=165,
        umount2=166, unshare=272, setns=308, bpf=321, perf_event_open=298, keyctl=250, add_key=248,
        request_key=249, kexec_load=246, init_module=175, finit_module=313, reboot=169, swapon=167,
        pivot_root=155, chroot=161, kexec_file_load=320, delete_module=176, swapoff=168, userfaultfd=323,
        io_uring_setup=425, io_uring_enter=426, io_uring_register=427, open_tree=428, move_mount=429,
        fsopen=430, fsconfig=431, fsmount=432, fspick=433, mount_setattr=442,
    ),
    "aarch64": dict(
        socket=198, clone=220, clone3=435, ptrace=117, process_vm_readv=270, process_vm_writev=271, mount=40,
        umount2=39, unshare=97, setns=268, bpf=280, perf_event_open=241, keyctl=219, add_key=217,
        request_key=218, kexec_load=104, init_module=105, finit_module=273, reboot=142, swapon=224,
        pivot_root=41, chroot=51, kexec_file_load=294, delete_module=106, swapoff=225, userfaultfd=282,
        io_uring_setup=425, io_uring_enter=426, io_uring_register=427, open_tree=428, move_mount=429,
        fsopen=430, fsconfig=431, fsmount=432, fspick=433, mount_setattr=442,
    ),
}

FIXED_READ_PATHS = (
    "/usr", "/lib", "/lib64", "/etc/ld.so.cache", "/etc/localtime", "/proc", "/sys/devices/system/cpu",
    "/dev/null", "/dev/urandom", "/dev/zero",
)


@dataclass(frozen=True)
class Limits:
    """Resource limits of one child."""

    cpu_seconds: int = 10  # RLIMIT_CPU soft; hard = soft + 1
    memory_bytes: int = 2 << 30  # address space on top of the current VmSize
    file_bytes: int = 16 << 20  # RLIMIT_FSIZE
    open_files: int = 256  # RLIMIT_NOFILE
    processes: int = 32  # RLIMIT_NPROC (for the uid the child runs as)


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
    if libc is None or _machine() not in SYSCALLS or ctypes.sizeof(ctypes.c_void_p) != 8:
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
    return pages * resource.getpagesize()


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
    ]
    if vm_size is not None:
        plan.insert(1, ("rlimit-as", "RLIMIT_AS", vm_size + limits.memory_bytes, vm_size + limits.memory_bytes))
    if is_root or threads is not None:
        processes = limits.processes + (0 if is_root else threads or 0)
        plan.append(("rlimit-nproc", "RLIMIT_NPROC", processes, processes))
    return plan


def apply_rlimits(limits: Limits) -> list[str]:
    """Set CPU, AS, FSIZE, NOFILE, CORE=0 and NPROC; return the names of the limits applied.

    RLIMIT_AS is the current VmSize plus ``limits.memory_bytes`` (torch alone maps
    hundreds of MB). RLIMIT_NPROC is ``limits.processes`` as root (meant for the
    fresh slot uid after :func:`drop_privileges`), else the user's current thread
    count plus ``limits.processes``. A limit the platform refuses is skipped.
    """
    is_root = hasattr(os, "geteuid") and os.geteuid() == 0
    threads = None if is_root or not hasattr(os, "getuid") else uid_thread_count(os.getuid())
    applied = []
    for name, constant, soft, hard in rlimit_plan(limits, current_vm_size(), is_root, threads):
        which = getattr(resource, constant, None)
        if which is not None and _set_limit(which, soft, hard):
            applied.append(name)
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
    with open("/proc/self/status") as status:
        fields = dict(line.split(":", 1) for line in status if line.startswith("Cap"))
    return all(int(fields.get(key, "1").strip(), 16) == 0 for key in ("CapEff", "CapPrm", "CapInh"))


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


def _landlock_add_path(ruleset_fd: int, path: str, rights: int) -> bool:
    """Allow ``rights`` beneath ``path`` (file rights only for a non-directory); False if skipped."""

    class PathBeneath(ctypes.Structure):
        _pack_ = 1
        _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]

    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        if not stat.S_ISDIR(os.fstat(fd).st_mode):
            rights &= FS_FILE_RIGHTS
        attr = PathBeneath(rights, fd)
        result, _ = _syscall(SYS_LANDLOCK_ADD_RULE, ruleset_fd, LANDLOCK_RULE_PATH_BENEATH, ctypes.addressof(attr), 0)
    finally:
        os.close(fd)
    return result == 0


def apply_landlock(read_paths: Sequence[str], write_paths: Sequence[str]) -> bool:
    """Restrict this process (and what it forks later) to the given paths with Landlock.

    ``read_paths`` get read_file | read_dir | execute, ``write_paths`` every right;
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


def seccomp_program(machine: str, *, allow_processes: bool = True) -> list[tuple[int, int, int, int]]:
    """The classic BPF program (code, jt, jf, k) of :func:`apply_seccomp` for ``machine``.

    Foreign architectures are killed, x32 calls and the dangerous calls get EPERM,
    socket() always gets EPERM (a uid-0 child could otherwise talk to root-only unix
    sockets such as dbus or docker), clone() with any CLONE_NEW* flag gets EPERM and
    clone3() gets ENOSYS (its flags are behind a pointer; libc then falls back to clone).
    With ``allow_processes=False`` only threads may be created: fork, vfork and a
    clone without CLONE_THREAD get EPERM (for uid 0, which RLIMIT_NPROC does not limit).
    """
    numbers = SYSCALLS[machine]
    deny = (BPF_RET_K, 0, 0, SECCOMP_RET_ERRNO | EPERM)
    allow = (BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW)
    program = [(BPF_LD_W_ABS, 0, 0, SECCOMP_DATA_ARCH), (BPF_JEQ_K, 1, 0, AUDIT_ARCH[machine]),
               (BPF_RET_K, 0, 0, SECCOMP_RET_KILL_PROCESS), (BPF_LD_W_ABS, 0, 0, SECCOMP_DATA_NR)]
    if machine == "x86_64":
        program += [(BPF_JGE_K, 0, 1, X32_SYSCALL_BIT), deny]
    denied = _DENIED_NAMES + ("socket",) + (() if allow_processes else tuple(n for n in ("fork", "vfork") if n in numbers))
    for name in denied:
        program += [(BPF_JEQ_K, 0, 1, numbers[name]), deny]
    program += [(BPF_JEQ_K, 0, 1, numbers["clone3"]), (BPF_RET_K, 0, 0, SECCOMP_RET_ERRNO | ENOSYS)]
    clone_ok = [allow] if allow_processes else [(BPF_JSET_K, 0, 1, CLONE_THREAD), allow, deny]
    program += [(BPF_JEQ_K, 0, 3 + len(clone_ok), numbers["clone"]), (BPF_LD_W_ABS, 0, 0, SECCOMP_DATA_ARG0),
                (BPF_JSET_K, 0, 1, CLONE_NAMESPACE_FLAGS), deny, *clone_ok]
    return program + [allow]


def apply_seccomp(*, allow_processes: bool = True) -> bool:
    """Install the :func:`seccomp_program` filter on this thread (inherited by what it creates).

    Only on 64-bit Linux x86_64/aarch64; elsewhere returns False without installing.
    Sets no_new_privs first (the kernel requires it unless the caller has
    CAP_SYS_ADMIN). True if installed.
    """
    machine = _machine()
    if machine not in SYSCALLS or _libc() is None or ctypes.sizeof(ctypes.c_void_p) != 8:
        return False

    class SockFilter(ctypes.Structure):
        _fields_ = [("code", ctypes.c_uint16), ("jt", ctypes.c_uint8), ("jf", ctypes.c_uint8), ("k", ctypes.c_uint32)]

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(SockFilter))]

    program = seccomp_program(machine, allow_processes=allow_processes)
    filters = (SockFilter * len(program))(*(SockFilter(*instruction) for instruction in program))
    fprog = SockFprog(len(program), filters)
    set_no_new_privs()
    result, _ = _prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.addressof(fprog))
    return result == 0


# ---------------------------------------------------------------- process cleanup


def _proc_pids() -> list[int]:
    """Every pid visible in /proc (empty where there is no /proc)."""
    try:
        return [int(name) for name in os.listdir("/proc") if name.isdigit()]
    except OSError:
        return []


def _status_fields(pid: int) -> dict[str, str]:
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
    """SIGKILL every live process whose real uid is ``uid``; returns how many were killed.

    Scans /proc again until a pass finds none (a process may fork while we scan).
    Never touches uid 0 or the caller's own uid. Zombies are left for the reaper.
    """
    if uid == 0 or uid == os.getuid():
        return 0
    killed: set[int] = set()
    for _ in range(passes):
        found = False
        for pid in _proc_pids():
            fields = _status_fields(pid)
            if fields.get("Uid", "").split()[:1] == [str(uid)] and not fields.get("State", "").startswith("Z"):
                if _kill(pid):
                    found = True
                    killed.add(pid)
        if not found:
            break
    return len(killed)


def kill_children_of(pid: int) -> int:
    """SIGKILL every live process whose parent is ``pid`` (orphans re-parented to a subreaper); returns count."""
    killed = 0
    for child in _proc_pids():
        info = _parent_and_state(child)
        if info is not None and info[0] == pid and info[1] != "Z" and child != os.getpid() and _kill(child):
            killed += 1
    return killed


# ---------------------------------------------------------------- environment and detection


def clean_environment(scratch: str) -> dict[str, str]:
    """A minimal environment for the child (a new dict; ``os.environ`` is not changed)."""
    env = {"PATH": "/usr/bin:/bin", "HOME": scratch, "TMPDIR": scratch, "LANG": "C.UTF-8",
           "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
           "PYTHONDONTWRITEBYTECODE": "1"}
    for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        if name in os.environ:
            env[name] = os.environ[name]
    return env


def _try_layers(slot: int, report: Any) -> None:
    """In the throw-away child: apply every layer in order, reporting each one that worked."""
    if apply_rlimits(Limits()):
        report("rlimits")
    if hasattr(os, "setsid"):
        try:
            os.setsid()
            report("setsid")
        except OSError:
            pass
    if enter_network_namespace():
        report("network-namespace")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        if readable_by_others(interpreter_paths()):
            try:
                if drop_privileges(sandbox_uid(slot)):
                    report("uid-switch")
            except OSError:
                pass
        elif drop_capabilities():
            report("capabilities-dropped")
    if set_no_new_privs():
        report("no-new-privs")
    abi = landlock_abi()
    if abi and apply_landlock(default_read_paths(), []):
        report(f"landlock-v{abi}")
    uid0 = hasattr(os, "geteuid") and os.geteuid() == 0  # still uid 0: RLIMIT_NPROC does not bind
    if apply_seccomp(allow_processes=not uid0):
        report("seccomp")
        if uid0:
            report("seccomp-no-fork")


def detect_layers(slot: int = 0) -> list[str]:
    """Which isolation layers work here, found in a throw-away forked child (the caller is unchanged).

    Names, in order: rlimits, setsid, network-namespace, uid-switch, no-new-privs,
    landlock-v<ABI>, seccomp. Returns [] where there is no ``os.fork``.
    """
    if not hasattr(os, "fork"):
        return []
    _libc()  # load ctypes' libc before forking, not in the child of a threaded process
    try:
        read_fd, write_fd = os.pipe()
        pid = os.fork()
    except OSError:
        return []
    if pid == 0:  # pragma: no cover - runs in the child
        try:
            os.close(read_fd)
            _try_layers(slot, lambda name: os.write(write_fd, name.encode() + b"\n"))
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
