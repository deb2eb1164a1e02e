"""Tests of the isolation layers. Anything that changes process state runs in a forked child."""

from __future__ import annotations

import ctypes
import errno
import fcntl
import json
import os
import resource
import shutil
import signal
import socket
import stat
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path
from typing import Any, Callable

import pytest
import torch

from autograd_exercises.sandbox import isolation

torch.set_num_threads(1)  # as in the fork-server

LINUX = sys.platform.startswith("linux")
HAS_FORK = hasattr(os, "fork")
ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
MACHINE = os.uname().machine if hasattr(os, "uname") else ""
# Raw system call numbers the tests call directly (the filter itself names calls through libseccomp).
SYSCALLS = {
    "x86_64": dict(ptrace=101, clone=56, clone3=435, io_uring_setup=425, bpf=321, memfd_create=319, shmget=29,
                   prlimit64=302, ioprio_set=251, sched_setattr=314, setpriority=141, close=3, close_range=436),
    "aarch64": dict(ptrace=117, clone=220, clone3=435, io_uring_setup=425, bpf=280, memfd_create=279, shmget=194,
                    prlimit64=261, ioprio_set=30, sched_setattr=274, setpriority=140, close=57, close_range=436),
}
SECCOMP_ARCH = LINUX and MACHINE in SYSCALLS and isolation._seccomp_module() is not None
ABI = isolation.landlock_abi()

THROWAWAY_UID = 3_999_999_991  # no account has it: a test that might hit "every process of its uid" moves here first
needs_fork = pytest.mark.skipif(not HAS_FORK, reason="needs os.fork")
needs_root = pytest.mark.skipif(not (ROOT and LINUX and HAS_FORK), reason="needs root on Linux")
needs_landlock = pytest.mark.skipif(not (ABI and HAS_FORK), reason="Landlock unavailable")
needs_seccomp = pytest.mark.skipif(not (SECCOMP_ARCH and HAS_FORK), reason="seccomp filter needs Linux x86_64/aarch64")


def in_child(fn: Callable[[], Any], timeout: int = 15) -> dict[str, Any]:
    """Run ``fn`` in a forked child; return {"ok", "value" | "error", "exit", "signal"}."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: never returns
        code = 0
        try:
            os.close(read_fd)
            write_fd = fcntl.fcntl(write_fd, fcntl.F_DUPFD, 10)  # (above fd 3, which a test may take for the channel)
            signal.alarm(timeout)
            payload = {"ok": True, "value": fn()}
        except BaseException as exc:  # report everything, including assertion failures
            payload, code = {"ok": False, "error": f"{type(exc).__name__}: {exc}", "tb": traceback.format_exc()}, 1
        try:
            view = memoryview(json.dumps(payload, default=repr).encode())
            while view:
                view = view[os.write(write_fd, view) :]
        finally:
            os._exit(code)
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    result = json.loads(data) if data else {"ok": False, "error": "no report"}
    result["exit"] = os.WEXITSTATUS(status) if os.WIFEXITED(status) else None
    result["signal"] = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
    return result


def value_of(result: dict[str, Any]) -> Any:
    """The child's return value, or fail with its traceback."""
    assert result["ok"], result.get("tb") or result
    return result["value"]


def expect_errno(call: Callable[[], Any]) -> int:
    """Run ``call``; the errno of the OSError it raised, 0 if it did not raise."""
    try:
        call()
    except OSError as exc:
        return exc.errno or -1
    return 0


def libc_errno(name: str, *args: int) -> int:
    """Call a libc function with integer arguments: 0 on success, else errno."""
    libc = ctypes.CDLL(None, use_errno=True)
    function = getattr(libc, name)
    function.restype = ctypes.c_long
    result = function(*(ctypes.c_long(arg) for arg in args))
    return 0 if result >= 0 else ctypes.get_errno()


def raw_clone(number: int, flags: int) -> int:
    """The raw clone syscall (fork-like, no stack): 0 if a child was made (and reaped), else errno."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    pid = libc.syscall(ctypes.c_long(number), ctypes.c_long(flags), *(ctypes.c_long(0) for _ in range(4)))
    if pid == 0:  # the new child
        os._exit(0)
    if pid < 0:
        return ctypes.get_errno()
    os.waitpid(pid, 0)
    return 0


def status_field(name: str) -> str:
    with open("/proc/self/status") as status:
        return next(line.split(":", 1)[1].strip() for line in status if line.startswith(name + ":"))


@pytest.fixture
def folder() -> Any:
    """A fresh temporary folder (not under pytest's 0700 tmp root, so a slot uid can be given it)."""
    path = tempfile.mkdtemp(prefix="isolation-test-")
    yield path
    shutil.rmtree(path, ignore_errors=True)


def make_folder(owner: int | None = None) -> str:
    path = tempfile.mkdtemp(prefix="isolation-test-")
    if owner is not None:
        os.chown(path, owner, owner)
    return path


# ---------------------------------------------------------------- pure helpers


def test_sandbox_uid_is_one_unprivileged_uid_per_slot() -> None:
    assert isolation.sandbox_uid(0) == 0x7F000000
    assert isolation.sandbox_uid(7) == 0x7F000007
    with pytest.raises(ValueError):
        isolation.sandbox_uid(-1)


def test_clean_environment_is_minimal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENBLAS_CORETYPE", "Haswell")
    monkeypatch.setenv("SECRET_TOKEN", "x")
    monkeypatch.delenv("OPENBLAS_L2_SIZE", raising=False)
    env = isolation.clean_environment("/scratch")
    assert env == {
        "PATH": "/usr/bin:/bin", "HOME": "/scratch", "TMPDIR": "/scratch", "LANG": "C.UTF-8",
        "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
        "PYTHONDONTWRITEBYTECODE": "1", "OPENBLAS_CORETYPE": "Haswell", "USER": "student", "LOGNAME": "student",
        "TORCHINDUCTOR_CACHE_DIR": "/scratch/.torchinductor",  # torch's caches stay in scratch
    }
    assert os.environ["SECRET_TOKEN"] == "x"


def test_default_read_paths() -> None:
    paths = isolation.default_read_paths()
    assert len(paths) == len(set(paths))
    for needed in (sys.prefix, sys.base_prefix, "/usr", "/dev/null", "/sys/devices/system/cpu"):
        assert needed in paths
    assert "" not in paths and "/" not in paths and os.getcwd() not in paths
    assert all(os.path.isabs(path) for path in paths)


def test_rlimit_plan() -> None:
    limits = isolation.Limits(cpu_seconds=3, memory_bytes=100, processes=4)
    plan = {name: (soft, hard) for name, _, soft, hard in isolation.rlimit_plan(limits, 1000, False, 10)}
    assert plan["rlimit-cpu"] == (3, 4)
    assert plan["rlimit-as"] == (1100, 1100)
    assert plan["rlimit-core"] == plan["rlimit-rtprio"] == plan["rlimit-nice"] == (0, 0)
    assert plan["rlimit-nproc"] == (14, 14)  # a non-root user: its current tasks + the allowance
    root_plan = {name: soft for name, _, soft, _ in isolation.rlimit_plan(limits, None, True, None)}
    assert root_plan["rlimit-nproc"] == 4 and "rlimit-as" not in root_plan


@needs_seccomp
def test_seccomp_filter_names_every_denied_call() -> None:
    """The libseccomp filter, in its own text form (PFC), refuses each call of DENIED_SYSCALLS that exists here."""
    rules = isolation.seccomp_filter()
    with tempfile.TemporaryFile("w+") as pfc:
        rules.export_pfc(pfc)
        pfc.seek(0)
        text = pfc.read()
    for name in ("ptrace", "socket", "memfd_create", "shmget", "io_uring_setup", "unshare", "mount", "bpf"):
        assert f"# filter for syscall \"{name}\"" in text, name
    assert "action ERRNO(1);" in text and "action ALLOW;" in text


@needs_seccomp
def test_seccomp_keeps_the_report_channel_in_place() -> None:
    """Red team 235: once the filter is loaded, nothing replaces or closes fd 3, the child's report channel (a thread
    had put a pipe of its own there and read the report's seal): dup2 and dup3 onto it and close of it are refused,
    also with upper bits set that the kernel drops; close_range is missing (ENOSYS), so os.closerange closes one at a
    time and leaves fd 3. Other descriptors are duplicated and closed as before."""
    numbers = SYSCALLS[MACHINE]

    def child() -> dict[str, Any]:
        _, theirs = socket.socketpair()
        os.dup2(theirs.fileno(), 3)
        channel = os.fstat(3).st_ino
        assert isolation.apply_seccomp(allow_processes=True)
        spare_r, spare_w = os.pipe()
        moved = os.dup2(spare_w, 9)
        os.close(moved)
        os.closerange(3, 4)
        return {"dup2": expect_errno(lambda: os.dup2(spare_w, 3)),
                "dup3": expect_errno(lambda: os.dup2(spare_w, 3, inheritable=False)),
                "close": expect_errno(lambda: os.close(3)),
                "close high bits": libc_errno("syscall", numbers["close"], (1 << 32) | 3),
                "close_range": libc_errno("syscall", numbers["close_range"], 0, (1 << 32) - 1, 0),
                "others": moved, "kept": os.fstat(3).st_ino == channel}

    result = value_of(in_child(child))
    assert result == {"dup2": errno.EPERM, "dup3": errno.EPERM, "close": errno.EPERM, "close high bits": errno.EPERM,
                      "close_range": errno.ENOSYS, "others": 9, "kept": True}, result


# ---------------------------------------------------------------- rlimits


@needs_fork
def test_rlimits_are_applied_in_child(folder: str) -> None:
    limits = isolation.Limits(cpu_seconds=7, memory_bytes=256 << 20, file_bytes=1 << 20, open_files=64, processes=5)

    def child() -> dict[str, Any]:
        applied = isolation.apply_rlimits(limits)
        got = {name: resource.getrlimit(getattr(resource, name)) for name in
               ("RLIMIT_CPU", "RLIMIT_AS", "RLIMIT_FSIZE", "RLIMIT_NOFILE", "RLIMIT_CORE", "RLIMIT_NPROC")}
        small = len(bytearray(32 << 20))
        try:
            bytearray(512 << 20)
            big = "allocated"
        except MemoryError:
            big = "MemoryError"
        fd = os.open(os.path.join(folder, "big"), os.O_WRONLY | os.O_CREAT)
        too_big = expect_errno(lambda: [os.write(fd, b"x" * (1 << 19)) for _ in range(4)])
        os.close(fd)
        return {"applied": applied, "limits": got, "small": small, "big": big, "too_big": too_big}

    result = value_of(in_child(child))
    got = result["limits"]
    assert got["RLIMIT_CPU"] == [7, 8]
    assert got["RLIMIT_FSIZE"] == [1 << 20, 1 << 20]
    assert got["RLIMIT_NOFILE"] == [64, 64]
    assert got["RLIMIT_CORE"] == [0, 0]
    assert result["small"] == 32 << 20 and result["big"] == "MemoryError"
    assert result["too_big"] == errno.EFBIG  # Python ignores SIGXFSZ, so write() fails instead
    if LINUX:
        assert result["applied"] == ["rlimit-cpu", "rlimit-as", "rlimit-fsize", "rlimit-nofile", "rlimit-core",
                                     "rlimit-rtprio", "rlimit-nice", "rlimit-nproc"]
        assert 256 << 20 < got["RLIMIT_AS"][0] < isolation.current_vm_size() + (512 << 20)
        assert got["RLIMIT_NPROC"][0] == 5 if ROOT else got["RLIMIT_NPROC"][0] > 5


@needs_fork
def test_rlimits_refuse_real_time_and_a_lower_nice() -> None:
    """Where the user may use real-time policies and negative nice values (an audio group's limits, set here
    as root), the limited child, once it is an ordinary uid, may use neither: SCHED_FIFO would starve the rest."""

    def child() -> dict[str, Any]:
        if ROOT:  # a desktop user's limits (where root may raise them); then an ordinary uid of its own
            try:
                resource.setrlimit(resource.RLIMIT_RTPRIO, (50, 50))
                resource.setrlimit(resource.RLIMIT_NICE, (30, 30))
            except (ValueError, OSError):
                pass  # no CAP_SYS_RESOURCE (a container): the limits below are checked all the same
        isolation.apply_rlimits(isolation.Limits())
        if ROOT:
            os.setgroups([]), os.setgid(THROWAWAY_UID), os.setuid(THROWAWAY_UID)
        return {"fifo": expect_errno(lambda: os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(1))),
                "nice": expect_errno(lambda: os.setpriority(os.PRIO_PROCESS, 0, -5)),
                "limits": [resource.getrlimit(resource.RLIMIT_RTPRIO), resource.getrlimit(resource.RLIMIT_NICE)],
                "policy": os.sched_getscheduler(0), "niceness": os.getpriority(os.PRIO_PROCESS, 0)}

    result = value_of(in_child(child))
    assert result["fifo"] == errno.EPERM and result["nice"] in (errno.EPERM, errno.EACCES), result
    assert result["limits"] == [[0, 0], [0, 0]] and result["policy"] == os.SCHED_OTHER, result
    assert result["niceness"] >= 0, result


@needs_fork
def test_cpu_limit_kills_a_spinning_child() -> None:
    def child() -> None:
        isolation.apply_rlimits(isolation.Limits(cpu_seconds=1))
        while True:
            pass

    result = in_child(child)
    assert result["signal"] in (signal.SIGXCPU, signal.SIGKILL)


# ---------------------------------------------------------------- identity


@needs_root
def test_drop_privileges_switches_to_slot_uid(folder: str) -> None:
    os.chmod(folder, 0o755)
    secret = os.path.join(folder, "secret")
    with open(secret, "w") as handle:
        handle.write("answer")
    os.chmod(secret, 0o600)
    uid = isolation.sandbox_uid(0xF003)

    def child() -> dict[str, Any]:
        switched = isolation.drop_privileges(uid)
        return {"switched": switched, "uid": os.getresuid(), "gid": os.getresgid(), "groups": os.getgroups(),
                "read": expect_errno(lambda: open(secret).read()), "setuid0": expect_errno(lambda: os.setuid(0)),
                "again": isolation.drop_privileges(uid + 1)}

    result = value_of(in_child(child))
    assert result["switched"] is True
    assert result["uid"] == [uid] * 3 and result["gid"] == [uid] * 3 and result["groups"] == []
    assert result["read"] == errno.EACCES
    assert result["setuid0"] == errno.EPERM
    assert result["again"] is False  # no longer root: a no-op
    assert os.getuid() == 0


@pytest.mark.skipif(ROOT or not HAS_FORK, reason="checks the non-root no-op")
def test_drop_privileges_is_a_noop_when_not_root() -> None:
    assert value_of(in_child(lambda: (isolation.drop_privileges(isolation.sandbox_uid(1)), os.getuid()))) == [
        False, os.getuid()]


@pytest.mark.skipif(not (LINUX and HAS_FORK), reason="prctl is Linux only")
def test_no_new_privs_in_child() -> None:
    assert value_of(in_child(lambda: (isolation.set_no_new_privs(), status_field("NoNewPrivs")))) == [True, "1"]
    assert status_field("NoNewPrivs") == "0"


@needs_root
def test_network_namespace_in_child() -> None:
    def child() -> dict[str, Any]:
        before = os.readlink("/proc/self/ns/net")
        entered = isolation.enter_network_namespace()
        return {"entered": entered, "changed": os.readlink("/proc/self/ns/net") != before}

    result = value_of(in_child(child))
    assert result["entered"] and result["changed"]


# ---------------------------------------------------------------- landlock


@needs_landlock
def test_landlock_confines_the_filesystem(folder: str) -> None:
    secret_dir, readonly, scratch = (os.path.join(folder, name) for name in ("secret", "readonly", "scratch"))
    for path in (secret_dir, readonly, scratch):
        os.mkdir(path)
    for path in (os.path.join(secret_dir, "answer.txt"), os.path.join(readonly, "data.txt")):
        with open(path, "w") as handle:
            handle.write("42")

    def child() -> dict[str, Any]:
        sys.modules.pop("colorsys", None)  # a stdlib module that must really be read from disk
        enforced = isolation.apply_landlock(isolation.default_read_paths() + [readonly, "/nonexistent"], [scratch])
        out = {"enforced": enforced}
        out["secret"] = expect_errno(lambda: open(os.path.join(secret_dir, "answer.txt")).read())
        out["list_secret"] = expect_errno(lambda: os.listdir(secret_dir))
        with open("/proc/cpuinfo") as cpuinfo:
            out["cpuinfo"] = len(cpuinfo.read())
        import colorsys

        out["colorsys"] = colorsys.rgb_to_hsv(1.0, 0.0, 0.0)[2]
        with open(os.path.join(readonly, "data.txt")) as handle:
            out["readonly_read"] = handle.read()
        out["readonly_write"] = expect_errno(lambda: open(os.path.join(readonly, "new.txt"), "w"))
        os.mkdir(os.path.join(scratch, "sub"))
        with open(os.path.join(scratch, "sub", "out.txt"), "w") as handle:
            handle.write("written")
        os.rename(os.path.join(scratch, "sub", "out.txt"), os.path.join(scratch, "out.txt"))
        with open(os.path.join(scratch, "out.txt")) as handle:
            out["scratch"] = handle.read()
        return out

    result = value_of(in_child(child))
    assert result["enforced"] is True
    assert result["secret"] == errno.EACCES and result["list_secret"] == errno.EACCES
    assert result["cpuinfo"] > 0 and result["colorsys"] == 1.0
    assert result["readonly_read"] == "42" and result["readonly_write"] == errno.EACCES
    assert result["scratch"] == "written"
    with open(os.path.join(secret_dir, "answer.txt")) as handle:  # the parent is not confined
        assert handle.read() == "42"


@pytest.mark.skipif(ABI < 4 or not HAS_FORK, reason="Landlock TCP rules need ABI >= 4")
def test_landlock_denies_tcp() -> None:
    def child() -> dict[str, int]:
        assert isolation.apply_landlock(isolation.default_read_paths(), [])
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            bind = expect_errno(lambda: sock.bind(("127.0.0.1", 0)))
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            connect = expect_errno(lambda: sock.connect(("127.0.0.1", 9)))
        return {"bind": bind, "connect": connect}

    assert value_of(in_child(child)) == {"bind": errno.EACCES, "connect": errno.EACCES}


@pytest.mark.skipif(ABI < 6 or not HAS_FORK, reason="Landlock scoping needs ABI >= 6")
def test_landlock_scope_blocks_signals_to_the_parent() -> None:
    def child() -> dict[str, int]:
        before = expect_errno(lambda: os.kill(os.getppid(), 0))
        assert isolation.apply_landlock(isolation.default_read_paths(), [])
        after = expect_errno(lambda: os.kill(os.getppid(), signal.SIGWINCH))  # harmless if it got through
        own = expect_errno(lambda: os.kill(os.getpid(), 0))
        grandchild = os.fork()
        if grandchild == 0:
            time.sleep(30)
            os._exit(0)
        inner = expect_errno(lambda: os.kill(grandchild, signal.SIGKILL))  # same domain: allowed
        os.waitpid(grandchild, 0)
        return {"before": before, "after": after, "own": own, "inner": inner}

    assert value_of(in_child(child)) == {"before": 0, "after": errno.EPERM, "own": 0, "inner": 0}


# ---------------------------------------------------------------- seccomp


@needs_seccomp
def test_seccomp_without_processes_allows_threads_only() -> None:
    def child() -> dict[str, Any]:
        assert isolation.apply_seccomp(allow_processes=False)
        box: list[int] = []
        worker = threading.Thread(target=lambda: box.append(1))
        worker.start(), worker.join()
        return {"thread": box, "fork": expect_errno(os.fork)}

    result = value_of(in_child(child))
    assert result == {"thread": [1], "fork": errno.EPERM}


@needs_seccomp
def test_seccomp_blocks_dangerous_syscalls() -> None:
    numbers = SYSCALLS[MACHINE]
    clone_newuser = 0x10000000 | signal.SIGCHLD

    def child() -> dict[str, Any]:
        assert libc_errno("syscall", numbers["ptrace"], 2, os.getpid(), 0, 0) == errno.ESRCH  # not filtered yet
        installed = isolation.apply_seccomp()
        out: dict[str, Any] = {"installed": installed, "mode": status_field("Seccomp"),
                               "nnp": status_field("NoNewPrivs")}
        for name, family in (("inet", socket.AF_INET), ("inet6", socket.AF_INET6), ("netlink", 16)):
            out[name] = expect_errno(lambda: socket.socket(family, socket.SOCK_DGRAM).close())
        out["unix"] = expect_errno(lambda: socket.socket(socket.AF_UNIX, socket.SOCK_STREAM).close())
        left, right = socket.socketpair()
        left.sendall(b"ok")
        out["socketpair"] = right.recv(2).decode()
        left.close(), right.close()
        out["unshare"] = libc_errno("unshare", 0x04000000)  # CLONE_NEWUTS
        if hasattr(os, "unshare"):
            out["os.unshare"] = expect_errno(lambda: os.unshare(os.CLONE_NEWUTS))
        out["ptrace"] = libc_errno("syscall", numbers["ptrace"], 2, os.getpid(), 0, 0)  # PTRACE_PEEKDATA
        out["clone_newuser"] = raw_clone(numbers["clone"], clone_newuser)
        out["clone_plain"] = raw_clone(numbers["clone"], signal.SIGCHLD)
        out["clone3"] = libc_errno("syscall", numbers["clone3"], 0, 0)
        out["io_uring"] = libc_errno("syscall", numbers["io_uring_setup"], 1, 0)
        out["memfd"] = libc_errno("syscall", numbers["memfd_create"], 0, 0)
        out["shmget"] = libc_errno("syscall", numbers["shmget"], 0, 1 << 20, 0o1600)  # IPC_PRIVATE, IPC_CREAT
        out["prlimit_other"] = libc_errno("syscall", numbers["prlimit64"], os.getppid(), 9, 0, 0)
        out["prlimit_self"] = libc_errno("syscall", numbers["prlimit64"], 0, 9, 0, 0)  # read, pid 0
        out["bpf"] = libc_errno("syscall", numbers["bpf"], 0, 0, 0)
        box: list[int] = []
        worker = threading.Thread(target=lambda: box.append(sum(range(10))))
        worker.start(), worker.join()
        out["thread"] = box
        pid = os.fork()
        if pid == 0:
            os._exit(7)
        out["fork"] = os.WEXITSTATUS(os.waitpid(pid, 0)[1])
        return out

    result = value_of(in_child(child))
    assert result["installed"] is True and result["mode"] == "2" and result["nnp"] == "1"
    assert result["inet"] == result["inet6"] == result["netlink"] == errno.EPERM
    assert result["unix"] == errno.EPERM and result["socketpair"] == "ok"  # no new sockets; a private pair is fine
    assert result["unshare"] == errno.EPERM and result.get("os.unshare", errno.EPERM) == errno.EPERM
    assert result["ptrace"] == errno.EPERM
    assert result["clone_newuser"] == errno.EPERM and result["clone_plain"] == 0
    assert result["clone3"] == errno.ENOSYS  # libc falls back to clone(), whose flags the filter can see
    assert result["io_uring"] == errno.EPERM and result["bpf"] == errno.EPERM
    assert result["memfd"] == result["shmget"] == result["prlimit_other"] == errno.EPERM
    assert result["prlimit_self"] == 0
    assert result["thread"] == [45] and result["fork"] == 7
    assert status_field("Seccomp") == "0"


@needs_seccomp
def test_seccomp_keeps_file_metadata_and_siblings_to_a_child_with_a_uid_of_its_own(folder: str) -> None:
    """A child that keeps the fork-server's uid owns what the sandbox is made of: it may change no file's mode,
    times or owner (own_uid=False). A child with a uid of its own may, on its own files. Neither may clone a
    sibling (CLONE_PARENT: a child of the zygote, never reaped)."""
    numbers = SYSCALLS[MACHINE]
    path = os.path.join(folder, "mine")
    Path(path).write_text("x")
    mode = stat.S_IMODE(os.stat(path).st_mode)

    def child(own_uid: bool) -> dict[str, Any]:
        assert isolation.apply_seccomp(own_uid=own_uid)
        value, where, name = (ctypes.create_string_buffer(text) for text in (b"x", path.encode(), b"user.mine"))
        args = (ctypes.c_uint64 * 2)(ctypes.addressof(value), 1)  # struct xattr_args: value, size, flags
        return {"setxattrat": libc_errno("syscall", isolation.NEWER_SYSCALLS["setxattrat"], -100,  # AT_FDCWD
                                         ctypes.addressof(where), 0, ctypes.addressof(name), ctypes.addressof(args),
                                         ctypes.sizeof(args)),
                "chmod": expect_errno(lambda: os.chmod(path, mode)),
                "utime": expect_errno(lambda: os.utime(path)),
                "chown": expect_errno(lambda: os.chown(path, -1, -1)),
                "sibling": raw_clone(numbers["clone"], isolation.CLONE_PARENT | signal.SIGCHLD),
                "child": raw_clone(numbers["clone"], signal.SIGCHLD)}

    shared = value_of(in_child(lambda: child(False)))
    assert shared == {"setxattrat": errno.EPERM, "chmod": errno.EPERM, "utime": errno.EPERM, "chown": errno.EPERM,
                      "sibling": errno.EPERM, "child": 0}, shared  # setxattrat: newer than libseccomp 2.5
    own = value_of(in_child(lambda: child(True)))
    assert own.pop("setxattrat") in (0, errno.ENOSYS, errno.EOPNOTSUPP), own  # (a kernel before 6.13: no such call)
    assert own == {"chmod": 0, "utime": 0, "chown": 0, "sibling": errno.EPERM, "child": 0}, own


@needs_seccomp
def test_seccomp_keeps_scheduling_calls_to_the_caller() -> None:
    """A child that shares its uid with the zygote (a non-root grader) can change its own priority, CPUs and
    I/O class, but not another process's, nor every process of its uid: the target keeps nice 0 and its CPUs."""
    numbers = SYSCALLS[MACHINE]
    ioprio_idle, who_process, who_user, sched_idle = 3 << 13, 1, 3, 5

    def child() -> dict[str, Any]:
        # Were the filter broken, the calls on "every process of this uid" would reach every process of the
        # uid running the tests: as root, that is the whole machine. So they run only as root, after moving
        # to a uid of their own (only this child and its target have it); elsewhere only the filter's text says.
        alone = ROOT
        if alone:
            os.setgroups([]), os.setgid(THROWAWAY_UID), os.setuid(THROWAWAY_UID)
        target = os.fork()
        if target == 0:  # stands for the zygote: same uid, a process (and process group) of its own
            os.setpgid(0, 0)
            time.sleep(30)
            os._exit(0)
        os.setpgid(target, target)  # (either call may come first) never the group of the tests' runner
        cpus = os.sched_getaffinity(0)
        try:
            assert isolation.apply_seccomp()
            attr = (ctypes.c_uint32 * 14)(56, sched_idle)  # struct sched_attr: size, policy, the rest 0
            out = {
                "nice_other": expect_errno(lambda: os.setpriority(os.PRIO_PROCESS, target, 19)),
                "nice_group": expect_errno(lambda: os.setpriority(os.PRIO_PGRP, os.getpgid(target), 19)),
                "nice_user": expect_errno(lambda: os.setpriority(os.PRIO_USER, 0, 19)) if alone else errno.EPERM,
                # ``which`` is an int: the kernel reads PRIO_USER where the register holds 2 + 2**32
                "nice_user_wide": libc_errno("syscall", numbers["setpriority"], 2 + (1 << 32), 0, 19) if alone
                else errno.EPERM,
                "affinity_other": expect_errno(lambda: os.sched_setaffinity(target, {min(cpus)})),
                "scheduler_other": expect_errno(
                    lambda: os.sched_setscheduler(target, os.SCHED_IDLE, os.sched_param(0))),
                "attr_other": libc_errno("syscall", numbers["sched_setattr"], target, ctypes.addressof(attr), 0),
                "ioprio_other": libc_errno("syscall", numbers["ioprio_set"], who_process, target, ioprio_idle),
                "ioprio_user": libc_errno("syscall", numbers["ioprio_set"], who_user, 0, ioprio_idle) if alone
                else errno.EPERM,
                "affinity_self": expect_errno(lambda: os.sched_setaffinity(0, cpus)),
                "ioprio_self": libc_errno("syscall", numbers["ioprio_set"], who_process, 0, ioprio_idle),
                "nice_self": expect_errno(lambda: os.setpriority(os.PRIO_PROCESS, 0, 5)),
            }
            out["target"] = (os.getpriority(os.PRIO_PROCESS, target), os.sched_getaffinity(target) == cpus,
                             os.sched_getscheduler(target))
            return out
        finally:
            os.kill(target, signal.SIGKILL)
            os.waitpid(target, 0)

    result = value_of(in_child(child))
    refused = {name: code for name, code in result.items() if name.endswith(("_other", "_group", "_user", "_wide"))}
    assert refused == dict.fromkeys(refused, errno.EPERM) and len(refused) == 9, result
    assert result["affinity_self"] == result["ioprio_self"] == result["nice_self"] == 0, result
    assert result["target"] == [0, True, os.SCHED_OTHER], result  # (a list: the result came back as JSON)
    with tempfile.TemporaryFile("w+") as pfc:
        isolation.seccomp_filter().export_pfc(pfc)
        pfc.seek(0)
        text = pfc.read()
    for name in ("setpriority", "ioprio_set"):  # who == 0 of "every process of a user" (PRIO_USER, IOPRIO_WHO_USER)
        rules = text.split(f'# filter for syscall "{name}"')[1].split("# filter for syscall")[0]
        assert f"if ($a0.lo32 & 0xffffffff == {2 if name == 'setpriority' else 3})" in rules, rules


def test_without_libseccomp_or_landlock_the_layers_say_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(isolation, "_seccomp_module", lambda: None)
    assert isolation.seccomp_filter() is None and isolation.apply_seccomp() is False
    monkeypatch.setattr(isolation, "_machine", lambda: "riscv64")
    assert isolation.landlock_abi() == 0


# ---------------------------------------------------------------- process cleanup


@needs_root
def test_kill_uid_processes_kills_a_switched_process() -> None:
    uid = isolation.sandbox_uid(0xF005)

    def server() -> dict[str, Any]:
        assert isolation.set_child_subreaper()
        ready_r, ready_w = os.pipe()
        victim = os.fork()
        if victim == 0:
            isolation.drop_privileges(uid)
            if os.fork() == 0:  # a grandchild of the same uid
                os.write(ready_w, b"g")
                time.sleep(30)
                os._exit(0)
            os.write(ready_w, b"v")
            time.sleep(30)
            os._exit(0)
        got = b""
        while len(got) < 2:
            got += os.read(ready_r, 2)
        killed = isolation.kill_uid_processes(uid)
        statuses = []
        for _ in range(2):  # the victim and the grandchild re-parented to this subreaper
            _, status = os.wait()
            statuses.append(os.WTERMSIG(status) if os.WIFSIGNALED(status) else None)
        return {"killed": killed, "statuses": statuses, "again": isolation.kill_uid_processes(uid)}

    result = value_of(in_child(server))
    assert result == {"killed": 2, "statuses": [signal.SIGKILL] * 2, "again": 0}
    assert isolation.kill_uid_processes(0) == 0 and isolation.kill_uid_processes(os.getuid()) == 0


@pytest.mark.skipif(not (LINUX and HAS_FORK), reason="subreaper and /proc are Linux only")
def test_kill_children_of_kills_orphans_of_a_subreaper() -> None:
    def server() -> dict[str, Any]:
        assert isolation.set_child_subreaper()
        ready_r, ready_w = os.pipe()
        worker = os.fork()
        if worker == 0:
            for _ in range(2):
                if os.fork() == 0:
                    os.write(ready_w, b"x")
                    time.sleep(30)
                    os._exit(0)
            os._exit(0)  # orphans its two children: they are re-parented to the server
        os.waitpid(worker, 0)
        got = b""
        while len(got) < 2:
            got += os.read(ready_r, 2)
        killed = isolation.kill_children_of(os.getpid())
        signals = sorted(os.WTERMSIG(os.wait()[1]) for _ in range(2))
        return {"killed": killed, "signals": signals}

    assert value_of(in_child(server)) == {"killed": 2, "signals": [signal.SIGKILL] * 2}


# ---------------------------------------------------------------- all together


def expected_layers() -> list[str]:
    """The layers this machine should offer, each probed independently of detect_layers."""
    if not HAS_FORK:
        return []
    expected = ["rlimits", "setsid"]
    if ROOT and LINUX and in_child(lambda: libc_errno("unshare", 0x40000000))["value"] == 0:
        expected.append("network-namespace")
    if ROOT:  # a uid switch only where the interpreter is readable by any user, else a capability drop
        readable = isolation.readable_by_others(isolation.interpreter_paths())
        expected.append("uid-switch" if readable else "capabilities-dropped")
    if LINUX:
        expected.append("no-new-privs")
    if ABI:
        expected.append(f"landlock-v{ABI}")
    if SECCOMP_ARCH:
        expected += ["seccomp", "seccomp-no-fork"]  # processes are refused outright: only threads
    return expected


@needs_fork
def test_detect_layers_reports_what_works_and_leaves_the_caller_alone() -> None:
    def state() -> tuple[Any, ...]:
        limits = tuple(resource.getrlimit(getattr(resource, name)) for name in ("RLIMIT_AS", "RLIMIT_CPU"))
        return os.getuid(), os.getgid(), os.getgroups(), os.getsid(0), limits

    before = state()
    status_before = (status_field("NoNewPrivs"), status_field("Seccomp")) if LINUX else None
    layers = isolation.detect_layers(0xF000)
    assert layers == expected_layers()
    assert state() == before
    if LINUX:
        assert (status_field("NoNewPrivs"), status_field("Seccomp")) == status_before
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM):
            pass
        with tempfile.TemporaryFile() as handle:  # outside every read path: not confined
            handle.write(b"ok")
    if LINUX and ABI:
        assert landlock_free()


def landlock_free() -> bool:
    """The pytest process itself can still read a folder no sandbox would allow."""
    path = make_folder()
    try:
        with open(os.path.join(path, "f"), "w") as handle:
            handle.write("x")
        return open(os.path.join(path, "f")).read() == "x"
    finally:
        shutil.rmtree(path, ignore_errors=True)


def world_traversable(path: str) -> bool:
    """Whether a user with no special rights can read below ``path`` (every ancestor o+x)."""
    path = os.path.realpath(path)
    while True:
        if not os.stat(path).st_mode & stat.S_IXOTH:
            return False
        if path == "/":
            return True
        path = os.path.dirname(path)


@needs_fork
def test_torch_still_works_after_every_layer() -> None:
    uid = isolation.sandbox_uid(0xF009)
    layers = isolation.detect_layers(0xF009)
    scratch = make_folder(owner=uid if "uid-switch" in layers else None)

    def child() -> dict[str, Any]:
        sys.modules.pop("colorsys", None)
        os.setsid()
        os.chdir(scratch)
        os.environ.clear()
        os.environ.update(isolation.clean_environment(scratch))
        applied = isolation.apply_rlimits(isolation.Limits())
        switch = ROOT and "uid-switch" in layers
        out: dict[str, Any] = {"rlimits": bool(applied), "uid": isolation.drop_privileges(uid) if switch else False}
        out["caps"] = isolation.drop_capabilities() if "capabilities-dropped" in layers else False
        out["nnp"] = isolation.set_no_new_privs()
        out["landlock"] = isolation.apply_landlock(isolation.default_read_paths(), [scratch])
        out["seccomp"] = isolation.apply_seccomp()
        import torch as torch_again  # already imported by the parent, as in the fork-server

        a = torch_again.randn(64, 64, requires_grad=True)
        product = a @ torch_again.randn(64, 64)
        product.sum().backward()
        out["shape"] = list(product.shape)
        out["grad"] = bool(torch_again.isfinite(a.grad).all())
        torch_again.save({"x": product.detach()}, os.path.join(scratch, "out.pt"))
        out["saved"] = list(torch_again.load(os.path.join(scratch, "out.pt"), weights_only=True)["x"].shape)
        try:
            import colorsys  # noqa: F401

            out["new_import"] = True
        except ImportError:
            out["new_import"] = False
        out["inet"] = expect_errno(lambda: socket.socket(socket.AF_INET, socket.SOCK_STREAM).close())
        return out

    try:
        result = value_of(in_child(child))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    assert result["shape"] == [64, 64] and result["grad"] and result["saved"] == [64, 64]
    assert result["rlimits"]
    assert result["uid"] == ("uid-switch" in layers)
    assert result["caps"] == ("capabilities-dropped" in layers)
    assert result["landlock"] == any(layer.startswith("landlock") for layer in layers)
    assert result["seccomp"] == ("seccomp" in layers)
    if result["seccomp"] or ABI >= 4:
        assert result["inet"] in (errno.EPERM, errno.EACCES)
    assert result["new_import"]  # a new stdlib import works: no uid switch where Python is private  # a new stdlib import works (not when Python sits under a 0700 /root)


@needs_fork
@pytest.mark.parametrize("layer", ["rlimits", "no-new-privs"])
def test_a_child_fails_closed_where_a_limit_or_no_new_privs_is_refused(tmp_path, layer) -> None:
    """Walkthrough 70: ``child.lock_down`` skipped a limit the platform refused, and the result of no-new-privs, and
    ran the child on, though every other layer fails closed. Now either stops the child before any student code
    (``apply_rlimits`` names the refused limit; the server's detection then finds no "rlimits" layer either)."""
    from autograd_exercises.sandbox import child as sandbox_child

    def child() -> dict[str, Any]:
        real = isolation._set_limit
        isolation._set_limit = lambda which, soft, hard: which != resource.RLIMIT_NOFILE and real(which, soft, hard)
        isolation.set_no_new_privs = lambda: False
        refused: list[str] = []
        applied = isolation.apply_rlimits(isolation.Limits(), refused)
        job = {"scratch": str(tmp_path), "filename": "s.py", "layers": [layer], "uid": None, "read_paths": [],
               "server": None, "limits": vars(isolation.Limits())}
        try:
            sandbox_child.lock_down(job)
        except RuntimeError as exc:
            return {"stopped": str(exc), "refused": refused, "applied": "rlimit-cpu" in applied}
        return {"stopped": None, "refused": refused}

    result = value_of(in_child(child))
    assert result["refused"] == ["rlimit-nofile"] and result["applied"], result
    assert result["stopped"] == ("could not apply rlimit-nofile" if layer == "rlimits" else "could not set no-new-privs")

    def detected() -> list[str]:
        real = isolation._set_limit
        isolation._set_limit = lambda which, soft, hard: which != resource.RLIMIT_NOFILE and real(which, soft, hard)
        found: list[str] = []
        isolation._try_layers(0, None, found.append)
        return found

    found = value_of(in_child(detected))
    assert "rlimits" not in found and "setsid" in found, found


@needs_fork
def test_a_child_whose_channel_was_replaced_reports_nothing() -> None:
    """Red team 235, where no seccomp filter keeps fd 3 in place (no libseccomp): a descriptor put on fd 3 after the
    child noted its channel gets nothing, the seal least of all; the report fails (the child then exits 71)."""
    from autograd_exercises.sandbox import child as sandbox_child, protocol

    def child() -> dict[str, Any]:
        _, real = socket.socketpair()
        os.dup2(real.fileno(), 3)
        was, keys = sandbox_child.channel(), protocol.seal_keys(b"s" * 32)
        sandbox_child.report({"status": "ok"}, keys, was)  # the channel as it was: the report goes out
        swapped_r, swapped_w = os.pipe()
        os.dup2(swapped_w, 3)
        os.set_blocking(swapped_r, False)
        try:
            sandbox_child.report({"status": "ok"}, keys, was)
        except RuntimeError as exc:
            return {"refused": str(exc), "read": expect_errno(lambda: os.read(swapped_r, 64))}
        return {"refused": None}

    assert value_of(in_child(child)) == {"refused": "the report's channel was replaced", "read": errno.EAGAIN}
