"""The sandbox's own behaviour: the spawn fallback, the framing, and what crosses the boundary."""

from __future__ import annotations

import ctypes
import errno
import fcntl
import io
import json
import os
import re
import secrets
import signal
import struct
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
import torch

from autograd_exercises.sandbox import Sandbox, interpret, packing, protocol, zygote
from tests.conftest import ROOT, solution_text


def test_spawn_fallback_grades_like_the_fork_server(grade_source):
    import graders
    from autograd_exercises import grading
    from autograd_exercises.submission import Submission

    exercise = graders.find("exercise-2")
    check = exercise.check("gradients_x")
    sub = Submission("<spawn>", solution_text("exercise_2").encode())
    with Sandbox(spawn=True) as box:
        spawned = grading.grade(exercise, sub, sandbox=box, seed=3, timeout=60, checks=[check])
        assert box.mode == "spawn"
    forked = grade_source("exercise-2", solution_text("exercise_2"), seed=3)
    assert spawned.checks[0].passed and spawned.checks[0].points == 1
    assert {c.name: c.points for c in forked.checks}["gradients_x"] == 1


def test_protocol_round_trip_and_limits():
    stream = io.BytesIO()
    protocol.send(stream, {"a": 1}, b"blob")
    stream.seek(0)
    assert protocol.receive(stream) == ({"a": 1}, b"blob")
    too_big = io.BytesIO(struct.pack(">I", protocol.MAX_HEADER + 1))
    with pytest.raises(protocol.ProtocolError, match="over the"):
        protocol.receive(too_big)
    with pytest.raises(protocol.ProtocolError, match="closed"):
        protocol.receive(io.BytesIO(b"\x00\x00"))


def test_a_report_is_never_unpickled():
    """A report whose tensor bytes are a pickle that would run code: only viewed as bytes, nothing runs."""
    class Evil:
        def __reduce__(self):
            return (exec, ("raise SystemExit('code ran in the grader')",))

    buffer = io.BytesIO()
    torch.save(Evil(), buffer)
    payload = buffer.getvalue()
    structure = json.dumps({"value": {"status": "ok", "observations": [{"t": {"$tensor": 0}}]},
                            "tensors": [["uint8", [len(payload)], 0]]}).encode()
    run = interpret({"exit": 0}, packing.MAGIC + struct.pack(">I", len(structure)) + structure + payload)
    assert run.status == "ok" and bytes(run.observations[0]["t"].tolist()) == payload


def test_a_report_in_torch_save_format_is_refused():
    """Only the packed format is read: a whole report pickled by torch.save (the old format) is not."""
    buffer = io.BytesIO()
    torch.save({"status": "ok", "observations": []}, buffer)
    run = interpret({"exit": 0}, buffer.getvalue())
    assert run.status == "no-result" and "not a packed report" in run.result["message"]


def test_a_report_counts_only_signed_under_the_runs_seal():
    """The child signs its report under the job's random seal (HMAC-SHA256 after it); a report the student's code
    wrote to the result channel (with or without the lock-down mark before it) is not, and is refused, whatever it
    says: the seal itself in front (the old format, which red team 235 read on its way out), a tag under another
    key, a tag of another report, a byte added or changed anywhere."""
    import hmac

    from autograd_exercises.sandbox.protocol import LOCKED

    report = packing.pack({"status": "ok", "observations": []})
    seal = "0123456789abcdef0123456789abcdef"
    tag = hmac.new(seal.encode(), report, "sha256").digest()
    assert interpret({"exit": 0}, LOCKED + report + tag, seal).status == "ok"
    assert interpret({"exit": 0}, report + tag, seal).status == "ok"  # (before the lock-down)
    other = packing.pack({"status": "ok", "observations": [1]})
    for forged in (LOCKED + report, report, LOCKED + seal.encode() + report, LOCKED + b"f" * 32 + report,
                   LOCKED + report + hmac.new(b"f" * 32, report, "sha256").digest(), LOCKED + other + tag,
                   LOCKED + report[:-1] + b"x" + tag, LOCKED + b" " + report + tag, tag[:-1], b""):
        run = interpret({"exit": 0}, forged, seal)
        assert run.status == "no-result" and (forged == b"" or "not signed with the run's seal" in run.result["message"]), forged


def test_timeouts_and_signals_become_statuses():
    assert interpret({"timed_out": True}, b"").status == "timeout"
    assert interpret({"signal": 9}, b"").status == "crashed"
    # the CPU limit reached before the server saw the deadline (a busy machine): a timeout
    assert interpret({"signal": signal.SIGXCPU}, b"").status == "timeout"
    assert interpret({"exit": 0}, b"").status == "no-result"
    assert interpret({"too_large": True}, b"x").status == "too-large"


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="slots matter where uids are switched (root)")
def test_two_graders_on_one_machine_never_share_a_slot(sandbox):
    with Sandbox() as other:
        other.wait_ready()
        assert other.slot != sandbox.slot
    assert other._log.closed  # (its server's log too: an open one was a ResourceWarning at the end of each grade)


# A torch.py that reports who imported it, then steps aside for the real torch (so that anything else on this
# machine that imports torch from the same folder meanwhile keeps working).
FAKE_TORCH = """
import importlib, os, sys
here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(MARKERS, "torch-%d" % os.getpid()), "wb") as marker:
    marker.write(here.encode() + b"\\n" + open("/proc/self/cmdline", "rb").read())
del sys.modules["torch"]
sys.path[:] = [entry for entry in sys.path if os.path.abspath(entry or ".") != here]
sys.modules["torch"] = importlib.import_module("torch")
"""
STARTUP_HOOK = "open(os.path.join(MARKERS, 'hook-%d' % os.getpid()), 'w').write(__file__)\n"


@pytest.mark.parametrize("namespaces", [True, False], ids=["bubblewrap", "plain"])
def test_a_new_sandbox_never_imports_torch_from_the_current_folder_or_tmp(tmp_path, monkeypatch, namespaces):
    """A torch.py (and sitecustomize, usercustomize, PYTHONSTARTUP, PYTHONPATH) in the grader's current folder
    and in /tmp must never run in the fork-server: it starts as ``python -I`` from ``/``."""
    markers, cwd = tmp_path / "markers", tmp_path / "cwd"
    markers.mkdir()
    cwd.mkdir()
    fake = FAKE_TORCH.replace("MARKERS", repr(str(markers)))
    hook = "import os\n" + STARTUP_HOOK.replace("MARKERS", repr(str(markers)))
    for name, text in (("torch.py", fake), ("sitecustomize.py", hook), ("usercustomize.py", hook),
                       ("startup.py", hook)):
        (cwd / name).write_text(text)
    in_tmp = Path("/tmp/torch.py")
    monkeypatch.chdir(cwd)
    for name, value in (("PYTHONPATH", str(cwd)), ("PYTHONSTARTUP", str(cwd / "startup.py")),
                        ("PYTHONUSERBASE", str(cwd))):
        monkeypatch.setenv(name, value)
    lock = _shared_lock("/tmp/.autograd-exercises-tmp-torch.lock")
    try:  # one test at a time owns /tmp/torch.py (this test's other parameter, on another xdist worker)
        fcntl.flock(lock, fcntl.LOCK_EX)
        assert not in_tmp.exists(), "a torch.py is already in /tmp: refusing to replace it"
        in_tmp.write_text(fake)
        try:
            with Sandbox(namespaces=namespaces) as box:
                box.wait_ready()
                run = box.run(source=solution_text("exercise_2").encode(), filename="exercise_2.py",
                              module="exercise_2", probe=None, inputs=_no_cases(), timeout=30)
        finally:
            in_tmp.unlink()
    finally:
        os.close(lock)
    assert run.status == "ok", run
    found = {path.name: path.read_bytes() for path in markers.iterdir()}
    assert not [name for name, text in found.items() if b"autograd_exercises.sandbox" in text or
                name.startswith("hook")], found


def _shared_lock(path: str) -> int:
    """A file descriptor to ``flock`` on, shared by every user (opened read-only: whoever made it, any user can
    open it; created only when absent, since /tmp's protected_regular refuses O_CREAT on another user's file)."""
    try:
        return os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return os.open(path, os.O_RDONLY | os.O_CREAT, 0o644)


def _no_cases() -> bytes:
    return packing.pack([])


def test_remove_tree_removes_a_chain_deeper_than_path_max(tmp_path):
    root = tmp_path / "scratch"
    root.mkdir()
    folder = os.open(root, os.O_RDONLY)
    for _ in range(3000):  # what tests/hostile/scratch_deep_folders.py leaves
        os.mkdir("deep", dir_fd=folder)
        below = os.open("deep", os.O_RDONLY, dir_fd=folder)
        os.close(folder)
        folder = below
    os.close(folder)
    code = "import sys; from pathlib import Path; from autograd_exercises.sandbox.server import remove_tree; " \
           "remove_tree(Path(sys.argv[1]))"
    try:
        subprocess.run([sys.executable, "-c", code, str(root)], timeout=20, check=True)  # killed if it loops
        finished = True
    except subprocess.TimeoutExpired:
        finished = False
    finally:
        leftover = root.exists()
        subprocess.run(["rm", "-rf", str(root)], check=False)
    assert finished and not leftover


def test_remove_tree_removes_folders_their_owner_made_unreadable():
    """Without a uid of its own the child owns its scratch, as the server does: a folder made mode 000 after it
    was filled, or made 0300 (writable, not listable) at mkdir, is given back and removed, never left behind."""
    import tempfile

    from autograd_exercises.sandbox.server import remove_tree

    base = tempfile.mkdtemp(prefix="remove-tree-")  # under /tmp: reachable by the uid below
    os.chmod(base, 0o755)
    root = os.path.join(base, "scratch")
    owner = 3_999_999_992 if hasattr(os, "geteuid") and os.geteuid() == 0 else None
    os.mkdir(root)
    if owner is not None:
        os.chown(root, owner, owner)
    pid = os.fork()
    if pid == 0:  # the owner (as root, an ordinary uid of its own: root would read anything)
        code = 1
        try:
            if owner is not None:
                os.setgroups([]), os.setgid(owner), os.setuid(owner)
            for name, mode in (("zero", 0o700), ("hidden", 0o300)):
                os.mkdir(os.path.join(root, name), mode)
                for number in range(3):
                    Path(root, name, str(number)).write_text("x" * 1000)
            os.mkdir(os.path.join(root, "zero", "inner"))
            os.chmod(os.path.join(root, "zero"), 0)
            remove_tree(Path(root))
            code = 0 if not os.path.exists(root) or os.listdir(root) == [] else 2  # (base is not its own)
        except BaseException as exc:
            sys.stderr.write(f"{exc!r}\n")
        finally:
            os._exit(code)
    try:
        status = os.waitpid(pid, 0)[1]
    finally:
        subprocess.run(["rm", "-rf", base], check=False)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, status


def test_a_python_under_tmp_is_mounted_over_the_sandbox_tmp(monkeypatch):
    """A venv in /tmp (a fresh clone there, an autograder image) must stay visible: bubblewrap mounts the new
    /tmp first and binds the interpreter's folders on top of it, never the other way round."""
    from autograd_exercises.sandbox import launcher

    monkeypatch.setattr(launcher, "python_paths", lambda: ["/tmp/course/.venv", "/usr/lib/python3.11"])
    args = launcher.bwrap_arguments()
    binds = [index for index, arg in enumerate(args) if arg == "--ro-bind" and args[index + 1] == "/tmp/course/.venv"]
    assert binds and args.index("/tmp") - 1 < binds[0] and args[args.index("/tmp") - 1] == "--tmpfs"


def test_a_grader_that_is_not_root_gives_its_server_a_user_namespace_and_a_bounded_tmp(monkeypatch):
    """Not root: the server gets CAP_SYS_ADMIN and CAP_SETPCAP in a user namespace of its own (each child mounts
    its bounded private scratch, then drops them), where bubblewrap allows it; root's server needs none. The
    sandbox's /tmp has a size where bubblewrap has ``--size``."""
    from autograd_exercises.sandbox import launcher

    tried = []
    monkeypatch.setattr(launcher, "bwrap", lambda: "/usr/bin/bwrap")
    monkeypatch.setattr(launcher, "_works", lambda options: tried.append(options) or True)
    for euid, expected in ((1000, tuple(launcher.USER_NAMESPACE)), (0, ())):
        launcher.user_namespace_options.cache_clear(), launcher._tmp_size.cache_clear()
        monkeypatch.setattr(os, "geteuid", lambda: euid)
        assert launcher.user_namespace_options() == expected
        args = launcher.bwrap_arguments()
        assert args[args.index("/tmp") - 3 : args.index("/tmp")] == ["--size", str(launcher.TMP_BYTES), "--tmpfs"]
        assert ("--unshare-user" in args) == bool(expected) and ("CAP_SYS_ADMIN" in args) == bool(expected)
    size = ["--size", str(launcher.TMP_BYTES)]
    assert tried == [launcher.USER_NAMESPACE, size, size]  # root asks for the size only, never a user namespace
    launcher.user_namespace_options.cache_clear(), launcher._tmp_size.cache_clear()
    monkeypatch.setattr(launcher, "_works", lambda options: False)  # an old or setuid bubblewrap: as before
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    args = launcher.bwrap_arguments()
    assert "--unshare-user" not in args and "--size" not in args
    launcher.user_namespace_options.cache_clear(), launcher._tmp_size.cache_clear()


# A submission whose one function is named after whether the child found torch._dynamo already loaded.
WHICH_ZYGOTE = (b"import sys\n"
                b"globals()['preloaded' if 'torch._dynamo' in sys.modules else 'fresh'] = len\n")
USES_OPTIM = (b"import torch\n\nOPTIMIZER = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)\n\n\n"
              b"def uses_optim():\n    return OPTIMIZER\n")  # the first optimizer imports torch._dynamo


def _functions(box: Sandbox, source: bytes) -> list[str]:
    run = box.run(source=source, filename="exercise_6.py", module="exercise_6", probe=None, inputs=_no_cases(),
                  timeout=60)
    assert run.status == "ok", run
    return run.result["functions"]


def test_a_batch_sandbox_preloads_the_slow_modules_only_once_a_child_needed_them():
    """A batch's zygote stays small (it forks faster) until a child imports torch.optim itself; from the next
    job on, every child finds it loaded. Idle time alone never loads it there."""
    import time

    with Sandbox(idle_preload=False) as box:
        box.wait_ready()
        assert _functions(box, WHICH_ZYGOTE) == ["fresh"]
        time.sleep(1.0)  # idle: a student's sandbox would preload now
        assert _functions(box, WHICH_ZYGOTE) == ["fresh"]
        assert "uses_optim" in _functions(box, USES_OPTIM)  # imported in its own child, its timer paused
        assert _functions(box, WHICH_ZYGOTE) == ["preloaded"]


GRADER_MODULES_LEFT = (b"import sys\n"  # a function named after each grader module the file can still find
                       b"for _name in [n for n in sys.modules if n.startswith('autograd_exercises')]:\n"
                       b"    globals()[_name.replace('.', '__')] = len\n")


def test_no_child_finds_the_graders_modules_before_or_after_the_zygote_preloads():
    """The child hides the grader's modules by the names its zygote noted (after each preload) and those added
    since: a child forked before and one forked after torch._dynamo's preload both find none."""
    with Sandbox(idle_preload=False) as box:
        box.wait_ready()
        for _ in range(3):  # the zygote's third fork is on huge pages
            assert _functions(box, GRADER_MODULES_LEFT) == []
        assert "uses_optim" in _functions(box, USES_OPTIM)
        assert _functions(box, WHICH_ZYGOTE) == ["preloaded"]
        assert _functions(box, GRADER_MODULES_LEFT) == []


def test_the_grader_modules_are_found_past_what_was_noted(monkeypatch):
    """What was noted, what was imported since (at the end of ``sys.modules``), and, once a noted name was
    removed or moved, every name read again."""
    import sys
    import types

    from autograd_exercises.sandbox import child

    monkeypatch.setattr(child, "_NOTED", None)
    child.note_modules()
    everything = sorted(name for name in sys.modules if child._ours(name))
    assert sorted(child._grader_modules()) == everything
    monkeypatch.setitem(sys.modules, "autograd_exercises._added_since", types.ModuleType("added"))
    monkeypatch.setitem(sys.modules, "unrelated_added_since", types.ModuleType("other"))
    assert sorted(child._grader_modules()) == sorted(everything + ["autograd_exercises._added_since"])
    del sys.modules["autograd_exercises._added_since"], sys.modules["unrelated_added_since"]
    removed = everything[0]
    monkeypatch.delitem(sys.modules, removed)  # as many names as noted, but one of them is new
    monkeypatch.setitem(sys.modules, "autograd_exercises._in_its_place", types.ModuleType("another"))
    assert sorted(child._grader_modules()) == sorted(everything[1:] + ["autograd_exercises._in_its_place"])


def test_a_students_sandbox_preloads_the_slow_modules_when_idle():
    import time

    with Sandbox() as box:
        box.wait_ready()
        assert _functions(box, WHICH_ZYGOTE) == ["fresh"]
        time.sleep(1.0)
        assert _functions(box, WHICH_ZYGOTE) == ["preloaded"]


# A report that claims the child imported modules of its choosing, then exits: the claim names nothing to import.
# (It is signed under the run's seal, as a child that reached it would: the test fixes the seal, since no code of the
# child's reaches the local that holds it, and takes the packer from the child's namespace, behind its sys.meta_path
# finder.)
FORGED_SEAL = "0123456789abcdef0123456789abcdef"
CLAIMS_HEAVY = (b"import os\nimport sys\n\n"
                b"space = next(space for finder in sys.meta_path if hasattr(type(finder), 'find_spec') and "
                b"(space := type(finder).find_spec.__globals__).get('__name__') == 'autograd_exercises.sandbox.child')\n"
                b"import hmac\nreport = space['packing'].pack({'status': 'ok', 'functions': [], "
                b"'heavy': ['this', 'antigravity']})\n"
                b"os.write(3, report + hmac.new(b'" + FORGED_SEAL.encode() + b"', report, 'sha256').digest())\n"
                b"os._exit(0)\n")
LOADED_THIS = b"import sys\nglobals()['loaded' if 'this' in sys.modules else 'absent'] = len\n"


def test_a_forged_heavy_claim_only_preloads_the_fixed_list(monkeypatch):
    """A child's "heavy" list is untrusted: it can make the zygote load child.HEAVY (a fixed list) sooner, never a
    module it names; the next child finds torch._dynamo, not the names claimed."""
    monkeypatch.setattr(secrets, "token_hex", lambda nbytes=None: FORGED_SEAL)
    with Sandbox(idle_preload=False) as box:
        box.wait_ready()
        forged = box.run(source=CLAIMS_HEAVY, filename="exercise_6.py", module="exercise_6", probe=None,
                         inputs=_no_cases(), timeout=60)
        assert forged.result.get("heavy") == ["this", "antigravity"]
        assert _functions(box, LOADED_THIS) == ["absent"]
        assert _functions(box, WHICH_ZYGOTE) == ["preloaded"]


def _collapses_pages() -> bool:
    """Transparent huge pages on, and a kernel with MADV_COLLAPSE (6.1)."""
    try:
        enabled = Path("/sys/kernel/mm/transparent_hugepage/enabled").read_text()
    except OSError:
        return False
    major, minor = (int(part) for part in re.match(r"(\d+)\.(\d+)", os.uname().release).groups())
    return "[never]" not in enabled and (major, minor) >= (6, 1)


@pytest.mark.skipif(not _collapses_pages(), reason="needs transparent huge pages and MADV_COLLAPSE (Linux 6.1)")
def test_the_zygote_backs_its_heap_with_huge_pages():
    """What the zygote does before its first fork, in a process holding torch: its heap moves onto 2 MiB
    pages, and every value in it is still there."""
    code = ("import re, torch\n"
            "from autograd_exercises.sandbox import zygote\n"
            "kept = [torch.arange(1000, dtype=torch.float64) * i for i in range(200)]\n"
            "collapsed = zygote.huge_pages()\n"
            "huge = int(re.search(r'AnonHugePages:\\s+(\\d+)', open('/proc/self/smaps_rollup').read()).group(1))\n"
            "assert all(float(t.sum()) == 499500.0 * i for i, t in enumerate(kept))\n"
            "print(collapsed, huge * 1024)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    collapsed, huge = map(int, done.stdout.split())
    assert collapsed % zygote.HUGE_PAGE == 0 and collapsed >= 8 * zygote.HUGE_PAGE  # of torch's heap, over 100 MiB:
    assert huge >= collapsed // 2  # how much the kernel can give at once depends on the machine's load


class _BusyPages:
    """A C library whose ``madvise`` refuses any range holding one of ``busy`` (``EAGAIN``, as a kernel does
    for a page it cannot take now) and ``EINVAL`` for ``invalid``; records every call."""

    def __init__(self, busy: set[int], invalid: int = -1) -> None:
        self.busy, self.invalid, self.calls = busy, invalid, []

    def madvise(self, address, size, advice) -> int:
        start, end = address.value, address.value + size.value
        self.calls.append((start, end, advice))
        refused = errno.EINVAL if start == self.invalid else errno.EAGAIN if any(start <= page < end for page in self.busy) else 0
        ctypes.set_errno(refused)
        return -1 if refused else 0


def test_a_busy_huge_page_costs_that_page_only():
    """The kernel refuses a whole range for one page it cannot collapse now: the zygote then collapses each
    huge page alone (a busy one twice) and counts what it got; a mapping refused as invalid is left."""
    page = zygote.HUGE_PAGE
    libc = _BusyPages(busy={10 * page + page}, invalid=100 * page)
    assert zygote._collapse(libc, 10 * page, 14 * page) == 3 * page
    assert [call[:2] for call in libc.calls].count((11 * page, 12 * page)) == 2
    assert {call[2] for call in libc.calls} == {zygote.MADV_COLLAPSE}
    assert zygote._collapse(libc, 20 * page, 22 * page) == 2 * page
    libc.calls.clear()
    assert zygote._collapse(libc, 100 * page, 103 * page) == 0 and len(libc.calls) == 1


def _zygote_huge_kib(box: Sandbox) -> int:
    """AnonHugePages of the sandbox's zygote (the server's one child), as this process sees it."""
    children = Path(f"/proc/{box.server_pid}/task/{box.server_pid}/children").read_text().split()
    assert len(children) == 1, children
    rollup = Path(f"/proc/{children[0]}/smaps_rollup").read_text()
    return int(re.search(r"AnonHugePages:\s+(\d+)", rollup).group(1))


@pytest.mark.skipif(not _collapses_pages(), reason="needs transparent huge pages and MADV_COLLAPSE (Linux 6.1)")
def test_a_zygote_moves_onto_huge_pages_after_its_second_fork_only():
    """A student's grading forks once and never waits for the collapse; a batch's third child on finds it done,
    and children forked from huge pages still run."""
    with Sandbox(idle_preload=False) as box:
        box.wait_ready()
        assert _functions(box, WHICH_ZYGOTE) == ["fresh"]
        assert _zygote_huge_kib(box) == 0
        assert _functions(box, WHICH_ZYGOTE) == ["fresh"]  # the zygote collapses after sending its status,
        assert _functions(box, WHICH_ZYGOTE) == ["fresh"]  # so it is done by the time it forks the third child
        assert _zygote_huge_kib(box) >= 8 * zygote.HUGE_PAGE // 1024  # as much as the kernel gives at the time


def test_the_server_starts_before_the_grader_imports_torch():
    """``Sandbox`` and everything a grader imports before opening one leave torch alone, so the server's import of
    torch runs while the grader's own does (``grade``'s start-up is about one torch import, not two in a row)."""
    script = ("import sys\n"
              "import autograd_exercises.cli, autograd_exercises.session, autograd_exercises.classroom.batch\n"
              "from autograd_exercises.sandbox import Sandbox, interpret\n"
              "print(sorted(name for name in sys.modules if name == 'torch' or name.startswith('torch.')))\n")
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"


def test_the_zygote_counts_gpus_once_and_quietly(monkeypatch):
    """Seen on an H200 (torch 2.11+cu130): each child's first backward() asked the CUDA driver, which the sandbox
    hides, and printed torch's "CUDA initialization: Unexpected error …" warning into every student's output. The
    fork-server asks once before forking (torch keeps the count), with the warning silenced; a CPU-only build of
    torch, which has no such call, is left alone."""
    import warnings

    import torch

    from autograd_exercises.sandbox import child

    calls = []

    def count() -> int:
        calls.append(1)
        warnings.warn("CUDA initialization: Unexpected error from cudaGetDeviceCount(). Error 304", UserWarning)
        return 0

    monkeypatch.setattr(torch._C, "_cuda_getDeviceCount", count, raising=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        child.count_gpus_quietly()
    assert calls == [1] and caught == []
    monkeypatch.delattr(torch._C, "_cuda_getDeviceCount")
    child.count_gpus_quietly()  # a CPU build: nothing to ask


def test_a_grading_worker_sees_no_gpu():
    """A worker that saw a GPU started autograd's device threads at its first backward(), and the workers forked from
    it then failed every backward() of their references (on an H200: 8 workers and 2 disagreed on 75 of 240 scores).
    A worker hides every GPU from itself before anything else."""
    script = ("import os, sys\n"
              "from autograd_exercises.classroom import worker\n"
              "worker.serve = lambda *args: print(repr(os.environ.get('CUDA_VISIBLE_DEVICES')), file=sys.stderr)\n"
              "worker.main()\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "CUDA_VISIBLE_DEVICES": "0"})
    assert done.returncode == 0 and done.stderr.strip() == "''", done.stderr


def test_every_way_python_starts_a_thread_is_counted():
    """Python 3.13's ``threading.Thread.start`` calls ``_thread.start_joinable_thread``, which the counters did not
    wrap: exercise 4's mistake that builds its graph in a thread scored as right there. Whatever this Python has,
    each function of ``_thread`` that starts a thread, and ``threading``'s reference to it, is among those wrapped."""
    import _thread
    import threading

    from autograd_exercises.sandbox.observe import thread_starters

    wrapped = {(owner.__name__, name) for owner, name in thread_starters()}
    starters = {name for name in dir(_thread) if name.startswith("start_")}
    assert starters and {("_thread", name) for name in starters} <= wrapped
    assert {("threading", name) for name in dir(threading) if name.startswith("_start_") and "thread" in name} <= wrapped


def test_a_preload_that_fails_leaves_the_zygote_forking():
    """The slow modules are optional: a preload that raises (a broken install of one of them) is ignored, and the
    zygote forks the next child as before (it exited, and every other job of a student's sandbox failed)."""
    import os

    from autograd_exercises.sandbox import zygote as zygote_module

    def run_job(fds: list[int]) -> None:
        os.write(fds[1], b"ran")

    def preload() -> None:
        raise RuntimeError("a broken optional module")

    zygote = zygote_module.Zygote(run_job, preload)
    try:
        zygote.preload()
        for _ in range(2):
            job_r, job_w = os.pipe()
            out_r, out_w = os.pipe()
            res_r, res_w = os.pipe()
            assert zygote.fork(job_r, out_w, res_w) > 0
            for fd in (job_r, out_w, res_w):
                os.close(fd)
            assert zygote.wait() is not None
            assert os.read(out_r, 16) == b"ran"
            for fd in (job_w, out_r, res_r):
                os.close(fd)
    finally:
        zygote.sock.close()  # the zygote sees the end of its socket and exits
        os.waitpid(zygote.pid, 0)


def _walk_code(code):
    """Every code object in ``code``, with where each of its instructions stands."""
    yield code.co_name, list(code.co_positions())[1:], code.co_code
    for const in code.co_consts:
        if hasattr(const, "co_positions"):
            yield from _walk_code(const)


def test_cells_compile_where_they_stand_without_parsing_the_lines_above_them():
    """A notebook cell is compiled by itself and moved to its line (red team 145: 2,000 cells below 120,000 blank
    lines took the child 9 s): the same code, positions, errors and warnings as compiling it behind blank lines."""
    from autograd_exercises.sandbox import child
    cells = ["x = 1\ndef f(a):\n    return a * 2\nclass A:\n    def g(self):\n        return [i for i in '\\d']\n",
             "from __future__ import annotations\ndef h(a: Undefined) -> int:\n    return lambda: a\n",
             "y = (1,\n  2]\n", "def broken(:\n    pass\n"]
    lines, program, first = [], [], 1
    for number, cell in enumerate(cells, start=1):
        lines += [""] * 5000 + cell.splitlines()
        program.append({"cell": number, "first": first + 5000, "last": len(lines)})
        first = len(lines) + 1
    compiled = child.compile_cells("nb.py", lines, program)
    features = 0
    for step in program:
        source = "\n" * (step["first"] - 1) + "\n".join(lines[step["first"] - 1:step["last"]])
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                expected, features = child._compiled_cell(source, "nb.py", features)
            except SyntaxError as exc:
                expected = exc
        code, said = compiled[step["cell"]]
        assert said == "".join(warnings.formatwarning(w.message, w.category, w.filename, w.lineno, "")
                               for w in caught)
        if isinstance(expected, SyntaxError):
            assert (type(code), code.msg, code.lineno, code.end_lineno, code.offset) == \
                   (type(expected), expected.msg, expected.lineno, expected.end_lineno, expected.offset)
            continue
        for got, want in zip(code if isinstance(code, tuple) else [code],
                             expected if isinstance(expected, tuple) else [expected]):
            assert list(_walk_code(got)) == list(_walk_code(want))
    # the `(` the `]` does not close, and the invalid escape, named by their lines in the module
    assert compiled[3][0].msg.endswith(f"on line {program[2]['first']}") and compiled[3][0].args[1][1] == \
        program[2]["first"] + 1
    assert f"nb.py:{program[0]['first'] + 5}: DeprecationWarning: invalid escape" in compiled[1][1]


def test_numpys_cache_of_small_freed_buffers_is_emptied_before_a_by_hand_call():
    """Red teams 170 and 171 wrote autograd's answers into a small numpy array at the top level, freed it, and read them
    back in the by-hand function from an array numpy does not fill (``np.ndarray(37)``). ``numpy_cache.empty_it``
    forgets every cached buffer; this numpy's ``datacache`` is found and checked in its own symbol table, so that takes
    microseconds, not the thousands of arrays the fallback allocates."""
    import numpy as np

    from autograd_exercises.sandbox import numpy_cache

    assert numpy_cache.ADDRESS is not None, "numpy's datacache was not found: the slow fallback runs"
    for empty in (numpy_cache.empty_it, numpy_cache._take_all):
        marker = np.zeros(37)
        marker[:4] = [5.5, 6.25, 3.125, 8.0625]
        del marker
        held = empty()
        assert np.ndarray(37)[:4].tolist() != [5.5, 6.25, 3.125, 8.0625]
        del held
    again = np.zeros(37)
    again[:4] = [5.5, 6.25, 3.125, 8.0625]
    del again
    assert np.ndarray(37)[:4].tolist() == [5.5, 6.25, 3.125, 8.0625]  # (what the test stands on: the cache reuses)


def test_the_libraries_caches_are_emptied_before_a_by_hand_call():
    """Red teams 174 and 175 fetched what the top level had stored in a library's cache keyed by equality (``-0.0 ==
    0.0``: typing's ``Annotated``; a ``str`` equal to every other: ``re.compile``). ``caches.empty_them`` forgets
    typing's, re's, struct's and every ``lru_cache``'s."""
    import re
    import socket
    import types
    import typing

    from autograd_exercises.sandbox import caches

    caches.prime()  # (as the zygote does)
    stored = typing.Annotated[int, (-0.0,)]
    pattern = re.compile("a+b")
    assert typing.Annotated[int, (0.0,)] is stored and re.compile("a+b") is pattern  # (what the test stands on)
    assert any(wrapper.cache_info().misses != misses for wrapper, misses in caches.WRAPPERS)
    caches.empty_them()
    assert not any(wrapper.cache_info().currsize for wrapper, misses in caches.WRAPPERS
                   if wrapper.cache_info().misses != misses)  # (what the zygote's own code cached stays)
    assert str(typing.Annotated[int, (0.0,)].__metadata__[0][0]) == "0.0"  # its own zero, not the top level's -0.0
    assert re.compile("a+b") is not pattern
    typing.MutableSet.__origin__.register(KeyError)  # red team 176: a bit of the answer in an ABC's registry
    assert issubclass(KeyError, typing.MutableSet)
    caches.empty_them()
    assert not issubclass(KeyError, typing.MutableSet) and issubclass(range, typing.Sequence)  # (as the zygote had it)
    re.RegexFlag(socket.MsgFlag(3))  # red team 177: a combined flag keeps the object first asked for as its value
    assert repr(re.RegexFlag(3).value).startswith("<")
    caches.empty_them()
    assert repr(re.RegexFlag(3).value) == "3" and re.RegexFlag.IGNORECASE.value == 2  # (its own members stay)
    late = types.ModuleType("late_library")  # a module a child imported after the zygote: its caches are read then
    exec("import functools\n\n@functools.lru_cache\ndef pick(key):\n    return [key]\n", late.__dict__)
    sys.modules["late_library"] = late
    try:
        late.pick(-0.0)
        caches.empty_them()
        assert str(late.pick(0.0)[0]) == "0.0"
    finally:
        del sys.modules["late_library"]


def test_a_second_prime_keeps_the_caches_the_zygote_froze():
    """The zygote freezes its objects after each prime (``gc.freeze``), and the collector then lists them no more: a
    prime after a preload found none of the caches of before, so typing's were not emptied (the hostile file
    ``by_hand_fetches_answers_from_a_librarys_cache``, graded by a server that had preloaded, scored its point)."""
    import gc

    from autograd_exercises.sandbox import caches

    caches.prime()
    before = {id(wrapper) for wrapper, _ in caches.WRAPPERS}
    gc.freeze()
    try:
        caches.prime()
        assert before and before <= {id(wrapper) for wrapper, _ in caches.WRAPPERS}
    finally:
        gc.unfreeze()


def test_only_a_batchs_zygote_moves_onto_huge_pages():
    """Walkthrough 70: a student's one grading of an exercise with a child for its secret inputs forked twice, and its
    zygote collapsed about 130 MB onto huge pages as the grader exited. Only a batch's zygote (a sandbox without the
    idle preload: ``grade class``) does, once, at its second fork."""
    from autograd_exercises.sandbox import zygote

    assert [n for n in range(1, 50) if zygote._goes_huge(n, batch=True)] == [zygote.HUGE_AFTER]
    assert not any(zygote._goes_huge(n, batch=False) for n in range(1, 50))
