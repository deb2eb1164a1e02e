"""Hostile submissions (tests/hostile/) graded in the real sandbox.

Each file is the exercise-2 solution with one attack, in one function or at
import time, written so that an attack that works earns points it should not
(the right answer only when it worked, or a wrong one when something leaked).
For every one the grader must fail the attacked checks with a sensible message,
give every other check exactly the points of the clean solution, return within
a bound, leave no process and no scratch folder behind, and keep a working
fork-server for the next submission; and, whatever the attack: no root-owned
file the sandbox can read (interpreter, site-packages, this package) changes
mode, owner or mtime; the grader's, the launcher's and the server's limits,
nice value, CPUs and OOM score stay as they were; nothing new appears in the
server's /tmp, /dev/shm or /var/tmp; the grader's peak memory grows by a
bounded amount; every report (text, JSON, JUnit) renders, parses, is valid
UTF-8 and stays under 200 KB. Some attacks also require the clean solution,
graded right afterwards, to get full marks.

What a check may expect depends on the isolation layers this machine has
(``needs`` below); tests that cannot hold here skip, saying why.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import by_name, counting_autograd, solution_text

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the hostile corpus assumes Linux")

HOSTILE = Path(__file__).parent / "hostile"
SLUG = "exercise-2"
TIMEOUT = 1.0  # per check; GRACE (0.5 s) is added by the server before "timed out"
IMPORT_TIMEOUT = 3.0  # the module's top level (the notebook cell budget, 60 s by default)
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")

FORWARD = ("forward_values", "forward_retains_y_grad")
GRADIENTS = ("gradients_x", "gradients_fills_x_grad", "gradients_y", "gradients_notebook_example")
MANUAL = ("gradient_manual_values", "gradient_manual_by_hand")
ALL = FORWARD + GRADIENTS + MANUAL
BY_HAND = ("gradient_manual_by_hand",)  # also fails for a file that imports the grader's own package (to forge)


@dataclass(frozen=True)
class Attack:
    fails: tuple[str, ...]  # checks that must fail; every other check keeps the clean solution's points
    feedback: tuple[str, ...] = ()  # each failed check's feedback holds one of these
    seconds: float = 10.0  # grading must return within this (generous: "does not hang", not a benchmark)
    needs: str = ""  # a protection this machine must have, else skip (see protected())
    then_clean: bool = False  # the clean solution graded right afterwards gets full marks (nothing left breaks it)


# The by-hand check reads the submission's code before it looks at the run: an attack that needs dynamic
# lookups or autograd in gradient_manual fails that check on its code, whatever the sandbox did.
STATIC_READING = ("needs no dynamic lookup", "compute the derivative from the chain rule")
CLEAN_SECONDS = 5.0  # the clean solution graded after an attack: well under a second on a warm sandbox
HANGS = 20.0  # a hang that blocks the check timers: the one child runs out its whole deadline, then one child per check
REFUSED = ('raised PermissionError: "refused',)  # what an attack that tries many calls raises when all fail
# A report the grader refuses (today's feedback blames the student's exit; "could not read" where the judge refuses)
UNREADABLE = ("ended the process (exit status 0)", "could not read", "unreadable report")
ATTACKS = {
    "os_exit_at_import": Attack(ALL, ("ended the process (exit status 0)",)),
    "syntax_error": Attack(ALL, ("could not be imported: SyntaxError at line 18",)),
    "hang_at_import": Attack(ALL, (f"timed out while the file was imported ({IMPORT_TIMEOUT:g} s)",)),
    "sys_exit_in_function": Attack(GRADIENTS, ("called sys.exit()",)),
    "os_exit_in_function": Attack(GRADIENTS, ("ended the process (exit status 0)",)),
    "kill_parent": Attack(GRADIENTS, ("PermissionError",), needs="signals"),
    "zygote_channels": Attack((), needs="signals"),  # no descriptor or signal reaches the zygote or the server
    "kill_every_pid": Attack(MANUAL, ("PermissionError",), needs="signals"),
    "ignore_signals_and_spin": Attack(MANUAL, ("timed out",), HANGS),
    "busy_loop": Attack(MANUAL, ("timed out",), HANGS),
    "sleep_forever": Attack(MANUAL, ("timed out",), HANGS),
    "fork_daemon": Attack(()),
    "fork_bomb": Attack((), seconds=20.0),
    "huge_torch_alloc": Attack(MANUAL, ("allocate memory", "MemoryError")),
    "python_list_growth": Attack(MANUAL, ("MemoryError", "timed out after")),  # (the allocator fills each block)
    "flood_stdout": Attack(()),
    "monkeypatch_torch": Attack(MANUAL, ("module 'torch' is read-only in the grader's sandbox: allclose cannot be set",)),
    "print_fake_score": Attack(MANUAL, ("gradient_manual(x) is None",)),
    "forged_report_pickle_payload": Attack(GRADIENTS + BY_HAND, ("has shape (", "did not finish every input",
                                                                 "no backward pass delivered x.grad after gradients(x)")),
    "forged_report_malformed": Attack(GRADIENTS + BY_HAND, ("could not read what your code reported",)),
    "forged_report_without_the_seal": Attack(GRADIENTS, ("the sandbox did not write (it is not signed with the run's seal)",)),
    "forged_report_blames_the_sandbox": Attack(ALL, ("claimed the sandbox failed, after your code had started",)),
    "forged_report_repeats_the_lock_mark": Attack(ALL, UNREADABLE),
    "forged_report_hides_autograd": Attack(MANUAL, ("reach the call stack's frames",)),  # (its probes' inputs: no frame)
    "result_channel_swapped": Attack(MANUAL, ("PermissionError",), needs="seccomp"),  # (dup2 onto fd 3 refused)
    "result_channel_reopened": Attack(MANUAL, ("No such device or address",)),  # (a socket: no second reader)
    "repr_raises": Attack(MANUAL, ("expected a torch.Tensor",)),
    "repr_hangs": Attack(MANUAL, ("timed out",), HANGS),
    "torch_function_raises": Attack(()),  # the description never runs the subclass's code (tensorbase.py)
    "torch_function_hangs": Attack(()),
    "tensor_subclass_return": Attack(("gradient_manual_by_hand",), ("calls exec at line",)),
    "huge_tensor_return": Attack(MANUAL, ("too large to check",)),
    "oversized_report": Attack(MANUAL, ("too large to send back",)),
    "read_etc_shadow": Attack(MANUAL, ("PermissionError", "FileNotFoundError")),
    "read_own_memory_for_the_seal": Attack(GRADIENTS, ("PermissionError",), needs="landlock"),
    "read_solutions": Attack(MANUAL, ("PermissionError", "FileNotFoundError", "reads sys.modules"), needs="landlock"),
    "read_grader_memory": Attack(MANUAL, ("PermissionError",), needs="ptrace"),
    "network_socket": Attack(MANUAL, ("PermissionError", "OSError"), needs="network"),
    "write_outside_scratch": Attack(MANUAL, ("PermissionError", "Read-only file system", "reads sys.modules"), needs="landlock"),
    "unix_socket_to_daemon": Attack(MANUAL, ("PermissionError",), needs="root"),
    "hostile_exception": Attack(MANUAL, ("raised Recursive",)),
    "builtin_subclass_return": Attack(MANUAL, ("expected a torch.Tensor", "calls exec at line")),
    "terminal_escapes": Attack(MANUAL, ("raised ValueError",)),
    # the grader's answers, the machine's files and processes
    "grader_answers": Attack(MANUAL, ("raised LookupError: 'no grader code is reachable",  # (or the collector's walk
                                      "reach the garbage collector's objects (gc.get_objects)")),  # is refused)
    "by_hand_through_a_tensor_method": Attack(ALL, ("cannot set 'slope' attribute of immutable type 'Tensor'",)),
    "by_hand_rebound_through_globals": Attack(("gradient_manual_by_hand",), ("rebound through globals().update",)),
    "by_hand_helper_rebound_by_a_loop": Attack(("gradient_manual_by_hand",), ("runs autograd's engine",)),
    "by_hand_fits_answers_saved_at_import": Attack(MANUAL, ("expected a non-empty list",)),  # (saved with autograd off:
    # nothing; the saved-answers reading once named SEEN)
    "by_hand_fetches_answers_from_a_librarys_cache": Attack(MANUAL, ("gradient_manual(x) is wrong",)),
    "by_hand_reads_memory_the_top_level_freed": Attack(MANUAL, ("gradient_manual(x) is wrong", "gradient_manual(x) contains",
                                                                 "computes its answer from np.positive")),
    "by_hand_fits_answers_behind_deep_nesting": Attack(MANUAL, ("nested too deeply to be read",
                                                                "expected a non-empty list")),
    "by_hand_rebound_through_a_globals_item": Attack(("gradient_manual_by_hand",), ("rebound through globals()",)),
    "environ_secrets": Attack(()),
    "leak_previous_submission": Attack(()),  # the submission graded before it: test_no_submission_sees_the_previous_one
    "chmod_root_files": Attack(MANUAL, REFUSED, needs="read-only"),
    "prlimit_others": Attack(MANUAL, REFUSED, needs="prlimit", then_clean=True),
    "renice_server": Attack(MANUAL, REFUSED, needs="contained"),
    "signal_server": Attack(MANUAL, REFUSED, needs="signals", then_clean=True),
    "proc_server_access": Attack(MANUAL, REFUSED, needs="ptrace"),
    "sysv_ipc_persist": Attack(MANUAL, REFUSED, needs="seccomp", then_clean=True),
    "inotify_hidden_folders": Attack(MANUAL, REFUSED, needs="seccomp"),
    "user_namespace_escape": Attack(MANUAL, REFUSED, needs="seccomp"),
    "foreign_syscall_abi": Attack(GRADIENTS + MANUAL, ("crashed (signal 31)", "crashed (signal 11)"), needs="x86_64"),
    "tiocsti_inject": Attack(MANUAL, REFUSED),
    "thread_flood": Attack(MANUAL, ("can't start new thread",), then_clean=True),
    "outlive_grading": Attack(MANUAL, ("no daemon of an earlier check survived",), needs="signals", then_clean=True),
    # (the collector's walk is refused while the submission runs; were it not, the by-hand call runs first: every
    # later call of its child would be handed zeros, and only this file would pay)
    "poison_shared_inputs": Attack(MANUAL, ("reach the garbage collector's objects (gc.get_objects)",),
                                   then_clean=True),
    "scribble_zygote_heap": Attack(MANUAL, ("crashed", "ended the process", "timed out", "could not read"), HANGS,
                                   then_clean=True),
    "state_survives_checks": Attack(MANUAL, ("nothing left by an earlier check survived",), then_clean=True),
    # scratch
    "scratch_deep_folders": Attack(MANUAL, ("no folder chain was left by an earlier check",), then_clean=True),
    "scratch_fill_big_file": Attack(MANUAL, ("File too large", "No space left"), then_clean=True),
    "scratch_many_files": Attack(MANUAL, ("No space left", "timed out"), HANGS, then_clean=True),
    "scratch_symlinks": Attack(MANUAL, REFUSED, needs="landlock", then_clean=True),
    "scratch_unreadable_folder": Attack(MANUAL, ("no unreadable folder was left by an earlier check",),
                                        then_clean=True),
    # what every later child of the same fork-server depends on
    "chmod_sandbox_files": Attack(MANUAL, REFUSED, needs="seccomp", then_clean=True),
    "zombie_siblings": Attack(MANUAL, REFUSED, needs="seccomp", then_clean=True),
    "zombie_leader": Attack(MANUAL, ("a process whose main thread exited was left running",), then_clean=True),
    # forged and oversized reports, student text the reports must survive
    "forged_report_observations_none": Attack(GRADIENTS + BY_HAND, ("observations is not a list",)),
    "forged_report_nesting_bomb": Attack(GRADIENTS + MANUAL, ("malformed structure (RecursionError)",
                                                              "more than 50000 values")),
    "forged_report_deflate_bomb": Attack(GRADIENTS + BY_HAND, ("could not read what your code reported",)),
    "forged_report_stride0_tensor": Attack(GRADIENTS + MANUAL, ("a tensor of more than", "too large to check")),
    "forged_report_tensor_amplification": Attack(MANUAL, ("tensors of more than",)),
    "forged_report_probe_error_text": Attack(GRADIENTS + BY_HAND, UNREADABLE),
    "forged_report_import_error_frames": Attack(GRADIENTS + BY_HAND, UNREADABLE),
    "forged_report_heavy_tensor": Attack(GRADIENTS + BY_HAND, UNREADABLE),
    "forged_report_nan_wall": Attack(GRADIENTS + BY_HAND, UNREADABLE),
    "forged_report_feedback_bomb": Attack(GRADIENTS + BY_HAND, UNREADABLE),
    "forged_report_judge_feedback_bomb": Attack(GRADIENTS + BY_HAND, ("is a Python float",)),
    "huge_exception_name": Attack(GRADIENTS + MANUAL, ("raised EEEEEEEE", "could not read what your code reported")),
    "huge_python_int": Attack(GRADIENTS + MANUAL, UNREADABLE + ("expected a torch.Tensor",)),
    "warning_flood": Attack(MANUAL, UNREADABLE + ("timed out", "too large to send back"), HANGS),
    "warning_flood_notes": Attack(()),
    "rich_markup_text": Attack(GRADIENTS, ("raised ValueError: '[/] [bold red]Score",)),
    "lone_surrogates": Attack(GRADIENTS, ("raised ValueError",)),
}

# Seccomp refuses new processes outright in every child (red team 66 ran predict's graph in a forked process, where
# no probe counts; a child still uid 0 is not bound by RLIMIT_NPROC either): a fork raises, so the checks of the
# attacks that fork fail there instead of being cleaned up afterwards (the bomb catches OSError and returns the
# right answer, so its expectation is unchanged). The full ATTACKS table still runs where seccomp is missing.
NO_FORK = {
    "fork_daemon": Attack(MANUAL, ("PermissionError",)),
    "outlive_grading": Attack(MANUAL, ("PermissionError",)),
    "zombie_leader": Attack(MANUAL, ("PermissionError",)),
}

# Attacks that still succeed, each with why (marked xfail, strict). The by-hand check reads the code itself
# (autograd_exercises/judge/static.py), so a forged report can no longer hide autograd use.
KNOWN_HOLES: dict[str, str] = {}

REPORT_BYTES = 200_000  # each rendered report (text, JSON, JUnit) of one graded submission
GRADER_MEMORY = 256 << 20  # what reading one submission's reports may add to the grader's peak memory
GRADER_ADDRESS_SPACE = 4 << 30  # hard stop while grading a hostile file: a regression fails, the machine lives


# ---------------------------------------------------------------- helpers


def landlock_abi(layers: list[str]) -> int:
    return max((int(layer.removeprefix("landlock-v")) for layer in layers if layer.startswith("landlock-v")), default=0)


def protected(need: str, layers: list[str]) -> bool:
    """Whether this machine's sandbox has what an attack's expectation relies on.

    Attacks that would change the machine if they worked (other processes' limits,
    priorities, root-owned files) run only where the sandbox keeps them inside it.
    """
    abi, uid = landlock_abi(layers), "uid-switch" in layers
    contained = "pid-namespace" in layers or uid  # it sees only the sandbox's processes, or cannot touch root's
    return {
        "": True,
        "signals": abi >= 6 or uid,  # Landlock scoping, or another uid: no signal leaves the sandbox
        "landlock": abi >= 1,
        "ptrace": abi >= 1 or uid,  # Landlock forbids ptrace-mode access outside its domain
        "network": "seccomp" in layers or "network-namespace" in layers,
        "root": hasattr(os, "geteuid") and os.geteuid() == 0,  # a root daemon's socket only matters to root
        "seccomp": "seccomp" in layers,
        "contained": contained,
        "prlimit": "seccomp" in layers and contained,
        "read-only": "mount-namespace" in layers or uid,  # see test_without_bubblewrap_root_files_stay_unchanged
        "x86_64": "seccomp" in layers and os.uname().machine == "x86_64",
    }[need]


def boot_ticks() -> float:
    """Now, in the clock ticks of /proc/<pid>/stat's start time."""
    with open("/proc/uptime") as uptime:
        return float(uptime.read().split()[0]) * os.sysconf("SC_CLK_TCK")


def processes() -> dict[int, dict]:
    """Every process in /proc: its parent, state, start time (clock ticks), real uid and command line."""
    table = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as stat:
                data = stat.read()
            with open(f"/proc/{name}/cmdline", "rb") as cmdline:
                command = cmdline.read().decode(errors="replace")
            with open(f"/proc/{name}/status") as status:
                uid = next(int(line.split()[1]) for line in status if line.startswith("Uid:"))
        except (OSError, StopIteration, ValueError):
            continue  # gone meanwhile
        fields = data[data.rindex(b")") + 2 :].split()
        table[int(name)] = {"ppid": int(fields[1]), "state": fields[0].decode(), "start": int(fields[19]),
                            "uid": uid, "command": command}
    return table


def leftovers(sandbox, since: float) -> list[str]:
    """Processes a submission left behind: below the server, of the slot's uid, or forks orphaned since ``since``."""
    from autograd_exercises.sandbox import isolation

    table, server = processes(), sandbox.server_pid
    launcher = sandbox._proc.pid if getattr(sandbox, "_proc", None) is not None else None  # under `unshare --pid`
    uid = isolation.sandbox_uid(sandbox.slot) if "uid-switch" in sandbox.layers else None  # its parent, pytest, is 1
    found = []
    zygote = {pid for pid, info in table.items()  # the server's own clean forker (sandbox/zygote.py)
              if server in table and info["ppid"] == server and info["command"] == table[server]["command"]
              and info["uid"] == table[server]["uid"]}
    assert len(zygote) <= 1, zygote
    for pid, info in table.items():
        if pid in zygote:
            continue
        chain, parent = [], info["ppid"]
        while parent in table and parent not in chain and parent != server:
            chain.append(parent)
            parent = table[parent]["ppid"]
        if parent == server and pid != server:
            found.append(f"{pid} ({info['state']}) below the server")
        elif uid is not None and info["uid"] == uid:
            found.append(f"{pid} runs as the sandbox uid")
        elif info["ppid"] == 1 and "sandbox.server" in info["command"] and info["start"] >= since - 1 \
                and pid != launcher:
            found.append(f"{pid} forked by a sandbox server, orphaned")  # escaped while its server died
    return found


def server_path(sandbox, path: str) -> str:
    """``path`` as the fork-server sees it (through /proc/<pid>/root when it has its own mount namespace)."""
    return f"/proc/{sandbox.server_pid}/root{path}" if "mount-namespace" in sandbox.layers else path


def assert_clean_afterwards(sandbox, since: float) -> None:
    assert leftovers(sandbox, since) == []
    assert os.listdir(server_path(sandbox, sandbox.scratch_root)) == [], "a check's scratch folder was left behind"
    if "private-scratch" in sandbox.layers:  # each child's tmpfs went with it: the bare mount point is left
        assert os.listdir(server_path(sandbox, "/scratch")) == [], "a child's scratch tmpfs outlived it"
    assert sandbox._proc.poll() is None, "the fork-server is gone"


@pytest.fixture(scope="module")
def clean_points(grade_source) -> dict[str, float]:
    result = grade_source(SLUG, solution_text("exercise_2"), timeout=TIMEOUT)
    assert result.score == result.max_score
    assert set(ALL) == {check.name for check in result.checks}, "the exercise's checks changed: update this file"
    return {check.name: check.points for check in result.checks}


@pytest.fixture
def listener(sandbox):
    """A root-only unix socket at /tmp/autograd-hostile-<server pid>.sock, accepting in a thread."""
    path = f"/tmp/autograd-hostile-{sandbox.server_pid}.sock"
    if os.path.exists(path):
        os.unlink(path)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    os.chmod(path, 0o600)
    server.listen(16)
    server.settimeout(0.2)
    accepted, stop = [], threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                pass

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield accepted
    stop.set()
    thread.join()
    for conn in accepted:
        conn.close()
    server.close()
    os.unlink(path)


def markers(server_pid: int) -> list[Path]:
    """Files an attack creates if it got code to run in the grader or wrote outside its scratch folder."""
    return [path for path in (Path(f"/tmp/autograd-hostile-pickle-{server_pid}"),
                              Path(f"/tmp/autograd-hostile-subclass-{server_pid}"),
                              Path(f"/tmp/autograd-hostile-float-{server_pid}"),
                              Path(f"/tmp/autograd-hostile-outside-{server_pid}"),
                              HOSTILE.parents[1] / f"hostile-was-here-{server_pid}") if path.exists()]


def guarded_files() -> list[str]:
    """Root-owned files a sandboxed child can read and must never change: the interpreter, torch's
    site-packages, this package's folder and a module in it."""
    import torch

    import autograd_exercises

    package = Path(autograd_exercises.__file__).parent
    paths = [sys.executable, os.path.realpath(sys.executable), "/usr/bin/python3", os.path.realpath("/usr/bin/python3"),
             str(Path(torch.__file__).parents[1]), str(package), str(package / "__init__.py")]
    return sorted({path for path in paths if os.path.exists(path)})


def file_states() -> dict[str, tuple]:
    """(mode, owner, group, mtime) of every guarded file; for a folder, its entries instead of its mtime (a test
    on another xdist worker may start a fresh interpreter that writes the folder's ``__pycache__`` meanwhile)."""
    states = {}
    for path in guarded_files():
        info = os.stat(path)
        contents = tuple(sorted(set(os.listdir(path)) - {"__pycache__"})) if os.path.isdir(path) else info.st_mtime_ns
        states[path] = (info.st_mode, info.st_uid, info.st_gid, contents)
    return states


def process_state(pid: int | None) -> dict[str, object]:
    """What an attack might change in a process outside the sandbox: its limits, nice value, CPUs, OOM score."""
    if pid is None:
        return {}
    with open(f"/proc/{pid}/limits") as limits, open(f"/proc/{pid}/stat", "rb") as stat, \
            open(f"/proc/{pid}/oom_score_adj") as oom:
        data = stat.read()
        nice = int(data[data.rindex(b")") + 2 :].split()[16])
        return {"limits": limits.read(), "nice": nice, "oom_score_adj": oom.read().strip(),
                "cpus": sorted(os.sched_getaffinity(pid))}


def outside_states(sandbox) -> dict[str, dict[str, object]]:
    """process_state of the grader (this process), the launcher (bubblewrap) and the fork-server."""
    launcher = sandbox._proc.pid if sandbox._proc is not None else None
    return {"grader": process_state(os.getpid()), "launcher": process_state(launcher),
            "server": process_state(sandbox.server_pid)}


def _status_kib(field: str) -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(field + ":"))


class GraderMemory:
    """The grader's peak memory while grading, against its memory before; an address-space cap meanwhile, so a
    regression that makes the grader allocate without bound fails the test instead of taking the machine down."""

    def __enter__(self) -> "GraderMemory":
        import resource

        try:
            with open("/proc/self/clear_refs", "w") as clear:
                clear.write("5")  # resets VmHWM (the peak resident size) to the current size
            self.before: int | None = _status_kib("VmRSS") << 10
        except OSError:  # no way to reset the peak here: memory is not measured
            self.before = None
        self.saved = resource.getrlimit(resource.RLIMIT_AS)
        cap = (_status_kib("VmSize") << 10) + GRADER_ADDRESS_SPACE
        if self.saved[1] == resource.RLIM_INFINITY or cap < self.saved[1]:
            resource.setrlimit(resource.RLIMIT_AS, (cap, self.saved[1]))
        return self

    def __exit__(self, *exc: object) -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, self.saved)
        self.growth = 0 if self.before is None else (_status_kib("VmHWM") << 10) - self.before


def _not_json(token: str) -> None:
    raise AssertionError(f"the JSON report holds {token}, which is not JSON")


def assert_reports_well_formed(result) -> None:
    """Every format renders, stays small, and is what its readers expect: UTF-8 text, valid JSON, parsable JUnit."""
    from autograd_exercises.reports import FORMATS

    rendered = {"text": FORMATS["text"]([result], verbose=True, color=False), "json": FORMATS["json"]([result]),
                "junit": FORMATS["junit"]([result])}
    for name, text in rendered.items():
        assert len(text.encode("utf-8")) < REPORT_BYTES, f"the {name} report is {len(text.encode('utf-8'))} bytes"
    document = json.loads(rendered["json"], parse_constant=_not_json)  # NaN, Infinity: not JSON, strict readers refuse
    json.dumps(document, ensure_ascii=False).encode("utf-8")  # no lone surrogate hides behind a \ud800 escape
    ET.fromstring(rendered["junit"].encode("utf-8"))
    assert "\x1b" not in rendered["text"]


def shared_folders(sandbox) -> dict[str, list[str]]:
    """What the server's private /tmp, /dev/shm and /var/tmp hold (where checks could leave files to each other)."""
    if "mount-namespace" not in sandbox.layers:
        return {}
    found = {}
    for folder in ("/tmp", "/dev/shm", "/var/tmp"):
        try:
            found[folder] = sorted(os.listdir(server_path(sandbox, folder)))
        except FileNotFoundError:
            found[folder] = []
    return found


# ---------------------------------------------------------------- the corpus


def test_every_hostile_file_has_an_expectation():
    assert sorted(path.stem for path in HOSTILE.glob("*.py")) == sorted(ATTACKS)
    for path in HOSTILE.glob("*.py"):
        assert path.read_text().startswith('"""'), f"{path.name} needs a docstring saying what it does"


FORGED_SEAL = "0123456789abcdef0123456789abcdef"  # the run's seal as a forged report's file has it (its _sealed): the
# seal is a local of the child's main, which no code of the child's reaches now (the wall hands no frame), so the
# tests fix it, as a child that did reach it would know it, to test the grader's own reading of what it writes


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_hostile_submission(name, request, sandbox, grade_source, clean_points, monkeypatch):
    attack = NO_FORK.get(name, ATTACKS[name]) if "seccomp-no-fork" in sandbox.layers else ATTACKS[name]
    if "def _sealed(" in (HOSTILE / f"{name}.py").read_text():
        monkeypatch.setattr(secrets, "token_hex", lambda nbytes=None: FORGED_SEAL)
    if not protected(attack.needs, sandbox.layers):
        pytest.skip(f"this machine's sandbox lacks the '{attack.needs}' protection ({', '.join(sandbox.layers)})")
    if name in KNOWN_HOLES:
        request.applymarker(pytest.mark.xfail(strict=True, reason=KNOWN_HOLES[name]))
    if name == "unix_socket_to_daemon":  # a uid-0 child must not reach root-only sockets: seccomp denies socket()
        accepted = request.getfixturevalue("listener")
    for path in markers(sandbox.server_pid):
        path.unlink()
    files, outside, shared = file_states(), outside_states(sandbox), shared_folders(sandbox)
    since, start = boot_ticks(), time.monotonic()
    with GraderMemory() as memory:
        result = grade_source(SLUG, (HOSTILE / f"{name}.py").read_text(), timeout=TIMEOUT, cell_timeout=IMPORT_TIMEOUT,
                              doors=False)  # run against the sandbox's layers (test_doors_keep_these_files_from_running)
    seconds = time.monotonic() - start

    checks = {check.name: check for check in result.checks}
    assert set(checks) == set(ALL)
    for check in attack.fails:
        assert not checks[check].passed and checks[check].points == 0, (check, checks[check].feedback)
        expected = attack.feedback + (STATIC_READING if check == "gradient_manual_by_hand" else ())
        assert not attack.feedback or any(part in checks[check].feedback for part in expected), \
            (check, checks[check].feedback)
    others = {other: check.points for other, check in checks.items() if other not in attack.fails}
    assert others == {other: clean_points[other] for other in others}, {c.name: c.feedback for c in result.checks}
    assert seconds < attack.seconds, f"grading took {seconds:.1f} s"
    assert_clean_afterwards(sandbox, since)
    assert markers(sandbox.server_pid) == [], "an attack ran code in the grader or wrote outside its scratch folder"
    for check in result.checks:  # student text never carries control characters into a report
        assert not CONTROL.search(check.feedback + check.output + "".join(check.notes)), check.name
        assert len(check.output) <= 16 << 10, "student output is capped"
    if name == "unix_socket_to_daemon":
        assert accepted == [], "the sandboxed child reached a root-only unix socket"
    assert shared_folders(sandbox) == shared, "a check left files where the next one could find them"
    assert file_states() == files, "a root-owned file the sandbox can read was changed"
    assert outside_states(sandbox) == outside, "a process outside the sandbox was changed (limits, priority, OOM score)"
    assert memory.growth < GRADER_MEMORY, f"reading the reports grew the grader by {memory.growth >> 20} MB"
    assert_reports_well_formed(result)
    assert not [c.name for c in result.checks if c.mistake == "sandbox-error"], "an attack passed for the grader's failure"
    if attack.then_clean:
        start = time.monotonic()
        clean = grade_source(SLUG, solution_text("exercise_2"), timeout=TIMEOUT)
        assert clean.score == clean.max_score, {c.name: c.feedback for c in clean.checks if not c.passed}
        assert time.monotonic() - start < CLEAN_SECONDS, "the next grading was slowed down by what the attack left"
        assert_clean_afterwards(sandbox, since)


# Files whose code reaches the grader's own objects in the child: not run at all when graded (judge/tampering.py),
# the reading's first door in each (test_hostile_submission runs them anyway, to test the sandbox's layers).
DOORS = {
    **{name: "imports the grader's own package" for name in (
        "by_hand_rebound_through_globals", "by_hand_through_a_tensor_method")},
    **{name: "reaches a function's module namespace" for name in (  # the packer or a path from the child's namespace
        "huge_exception_name", "huge_python_int", "chmod_root_files", "grader_answers", "read_solutions",
        "scratch_symlinks", "state_survives_checks", "write_outside_scratch",
        *(path.stem for path in HOSTILE.glob("forged_report_*.py") if path.stem != "forged_report_without_the_seal"))},
    **{name: "reads and writes the process's memory" for name in (
        "foreign_syscall_abi", "inotify_hidden_folders", "leak_previous_submission", "outlive_grading", "prlimit_others",
        "proc_server_access", "renice_server", "scribble_zygote_heap", "signal_server", "sysv_ipc_persist",
        "user_namespace_escape", "zombie_leader", "zombie_siblings")},
    "builtin_subclass_return": "runs code no reading sees", "tensor_subclass_return": "runs code no reading sees",
    "result_channel_swapped": "reaches any address of the process's memory",  # (its forger's torch.frombuffer)
    "chmod_sandbox_files": "imports by name",
    "hang_at_import": "reaches the frames a signal interrupts",
    "ignore_signals_and_spin": "reaches the frames a signal interrupts",
    "poison_shared_inputs": "reaches every object in the process",
    "monkeypatch_torch": "changes a library's object",
    "by_hand_rebound_through_a_globals_item": "reaches torch's private internals",
    "by_hand_helper_rebound_by_a_loop": "reaches torch's private internals",
    "torch_function_hangs": "makes tensors that answer for autograd themselves",
    "torch_function_raises": "makes tensors that answer for autograd themselves",
}


def test_doors_keep_these_files_from_running():
    """Every hostile file that reaches the grader's objects is refused by the reading, each at its first door; the
    others are left to the sandbox (and to the by-hand reading)."""
    from autograd_exercises.judge import tampering

    found = {path.stem: tampering.door(path.read_text()) for path in sorted(HOSTILE.glob("*.py"))}
    assert {name for name, door in found.items() if door} == set(DOORS)
    for name, what in DOORS.items():
        assert found[name][0].startswith(what), (name, found[name])


def test_a_file_that_reaches_the_grader_runs_nothing(grade_source):
    """Red team 19: exercise 5's wrong two-graph answer, with the probe's counter replaced at import, scored 12/12."""
    forgery = ("import contextlib\nfrom autograd_exercises.sandbox import observe as _obs\n_real = _obs.saved_for_backward\n"
               "@contextlib.contextmanager\ndef _fake():\n    with _real() as counts:\n        yield counts\n"
               "    n = counts['saved'] // 2 or 1\n    counts.update(saved=n, read=2 * n, reread=n, once=0, own_hooks=0)\n"
               "_obs.saved_for_backward = _fake\n")
    source = solution_text("exercise_5").replace("    out = polynomial(x)\n    out.backward(retain_graph=True)\n"
                                                 "    out.backward()\n", "    polynomial(x).backward()\n"
                                                 "    polynomial(x).backward()\n") + "\n" + forgery
    result = grade_source("exercise-5", source)
    line = source.splitlines().index("from autograd_exercises.sandbox import observe as _obs") + 1
    assert result.score == 0 and {check.mistake for check in result.checks} == {"reaches-grader"}
    assert result.problem.startswith(f"<exercise-5 test> imports the grader's own package "
                                     f"(autograd_exercises.sandbox.observe) at line {line}: ")
    assert all(check.feedback == f"not run: the file imports the grader's own package at line {line}"
               for check in result.checks)
    # without the reading, the child has hidden the grader's modules: the import fails (or loads an unused copy)
    assert grade_source("exercise-5", source, doors=False).score < 12


TWO_GRAPHS = ("    out = polynomial(x)\n    out.backward(retain_graph=True)\n    out.backward()\n",
              "    polynomial(x).backward()\n    polynomial(x).backward()\n")  # exercise 5's wrong answer: 11/12


def _two_graphs_past_the_reading(grade_source, forgery: str):
    """Exercise 5's wrong two-graph answer with ``forgery`` after it, graded past the doors reading (the run's own
    layers are what is tested)."""
    return grade_source("exercise-5", solution_text("exercise_5").replace(*TWO_GRAPHS) + "\n" + forgery, doors=False)


def _kept_its_score(result) -> bool:
    """The forgery changed nothing: the wrong answer's 11/12, ``backward_twice`` failed."""
    return result.score == 11 and [check.name for check in result.checks if not check.passed] == ["backward_twice"]


def _tried(code: str, fallback: str) -> str:
    """``code`` in a ``try`` whose ``except`` runs ``fallback``."""
    return "try:\n" + "".join(f"    {line}\n" for line in code.splitlines()) + f"except BaseException:\n    {fallback}\n"


@pytest.mark.parametrize("lookup", ["import pkgutil\n_obs = pkgutil.resolve_name('autograd_exercises.sandbox.observe')",
                                    "import pydoc\n_obs = pydoc.locate('autograd_exercises.sandbox.observe')",
                                    "import sys\n_obs = sys.modules['autograd_exercises.sandbox.observe']"])
def test_the_child_hides_the_graders_modules_from_lookups_by_name(grade_source, lookup):
    """Red team 25: a lookup by a dotted name (``pkgutil.resolve_name``, ``unittest.mock.patch``) handed the file
    exercise 5's probe module, whose counter it replaced: a wrong answer scored 12/12. The child takes the grader's
    modules out of ``sys.modules`` before the file runs; past the doors reading too, the lookup fails or loads a
    copy that nothing calls, and the wrong answer keeps its 11/12."""
    forgery = ("import contextlib\n" + _tried(lookup, "_obs = None") +
               "if _obs is not None:\n    _real = _obs.saved_for_backward\n\n"
               "    @contextlib.contextmanager\n    def _fake():\n        with _real() as counts:\n"
               "            yield counts\n        n = counts['saved'] // 2 or 1\n"
               "        counts.update(saved=n, read=2 * n, reread=n, once=0, own_hooks=0)\n\n"
               "    _obs.saved_for_backward = _fake\n")
    assert _kept_its_score(_two_graphs_past_the_reading(grade_source, forgery))


@pytest.mark.parametrize("reach", [
    "class _Base:\n    def __new__(cls):\n        return torch.autograd.forward_ad.make_dual\n\n\n"
    "class _Handle(_Base):\n    pass\n\n\n_space = getattr(_Handle(), '__glo' + 'bals__')",
    "class _Box:\n    def get(self, name):\n        return getattr(self, name)\n\n\n"
    "_space = _Box.get(torch.autograd.forward_ad.make_dual, '__glo' + 'bals__')"])
def test_a_computed_lookup_cannot_reach_the_graders_wrappers(grade_source, reach):
    """Red team 26: the grader's counting wrapper left in torch (``forward_ad.make_dual``) has the probes' module as
    its ``__globals__``; an "own" object that was that wrapper (an inherited ``__new__``), or a method's ``self``
    handed it, let a computed ``getattr`` read them and swap the graph count: 12/12 for a wrong answer. The module's
    ``getattr`` refuses such a name at run time, past the doors reading too."""
    forgery = ("import contextlib\n" + _tried(reach, "_space = None") +
               "if _space is not None:\n    @contextlib.contextmanager\n    def _fake():\n"
               "        yield {'saved': 8, 'read': 16, 'reread': 8, 'once': 0, 'own_hooks': 0, 'threads': 0}\n\n"
               "    _space['saved_for_backward'] = _fake\n")
    assert _kept_its_score(_two_graphs_past_the_reading(grade_source, forgery))


def test_a_trace_hook_cannot_rewrite_what_the_probes_return(grade_source):
    """Red team 27: a trace function set at import saw the probe's frame return and rewrote its result in place (12/12
    for exercise 5's two-graph answer), with no lookup at all. The child's audit hook refuses any trace or profile
    hook once the submission may run, past the doors reading too."""
    forgery = ("import sys\n\n\ndef _watch(frame, event, arg):\n    if event == 'return' and isinstance(arg, dict) "
               "and 'saved' in arg:\n        arg.update(saved=8, read=16, reread=8, once=0)\n    return _watch\n\n\n"
               "try:\n    sys.settrace(_watch)\nexcept RuntimeError:\n    pass\n")
    assert _kept_its_score(_two_graphs_past_the_reading(grade_source, forgery))


def test_a_library_that_replaces_what_the_probes_rely_on_is_caught(grade_source):
    """Red team 28: ``argparse`` sets attributes by the names it is given, with the real ``setattr``: given torch's
    graph module as its namespace, it replaced ``saved_tensors_hooks`` (what exercise 5's count relies on) for a class
    of the file's, and the wrong answer scored full marks. The child watches what the probes rely on and ends the run
    when any of it is no longer what it was: nothing of such a file is graded. Since red team 52 the graph module is
    read-only in the child (``sandbox/frozen.py``): the change fails as it is made, and the file with it."""
    forgery = ("import argparse\n\n\nclass _Quiet:\n    def __init__(self, *hooks):\n        pass\n\n"
               "    def __enter__(self):\n        return self\n\n    def __exit__(self, *exc):\n        return False\n\n\n"
               "_owner = (lambda: torch.autograd.graph)()\n_parser = argparse.ArgumentParser()\n"
               "_parser.add_argument('--hooks', dest='saved_tensors' + '_hooks', type=lambda text: _Quiet)\n"
               "_parser.parse_args(['--hooks', 'x'], namespace=_owner)\n")
    result = _two_graphs_past_the_reading(grade_source, forgery)
    assert result.score == 0 and {check.mistake for check in result.checks} == {"import-error"}
    assert all("module 'torch.autograd.graph' is read-only in the grader's sandbox: saved_tensors_hooks cannot be set"
               in check.feedback for check in result.checks), result.checks[0].feedback


def _exercise_4_stub() -> str:
    from autograd_exercises.build.stubs import make_stub

    return make_stub(solution_text("exercise_4"), exercise_slug="exercise-4", source_name="solution")


def test_a_report_rewritten_by_a_library_encoder_changes_nothing(grade_source):
    """Red team 51: exercise 4's untouched stub (every function raises) replaced ``json.JSONEncoder.encode``, through
    a function's parameter that no reading follows, with one that rewrote the child's report as it was written:
    ``receives_grad`` scored 2/2. The report is written by the C encoder the zygote bound (``packing._ENCODE``),
    which no Python code can change: the stub keeps its zero, past the doors reading too."""
    forgery = ("import json\n\n\ndef _rewrite(report):\n    for name, check in report['value'].get('checks', {}).items():\n"
               "        for obs in check.get('observations', []):\n"
               "            for label, outcome in obs.get('asked', {}).items():\n"
               "                outcome['exception'] = None\n"
               "                outcome['returned'] = {'type': 'bool', 'value': label[:3] in ('w (', 'b (')}\n\n\n"
               "def _install(lib, original):\n    def encode(self, o):\n"
               "        if isinstance(o, dict) and 'tensors' in o and isinstance(o.get('value'), dict):\n"
               "            _rewrite(o)\n        return original(self, o)\n\n    lib.JSONEncoder.encode = encode\n\n\n"
               "_install(json, json.JSONEncoder.encode)\n")
    result = grade_source("exercise-4", _exercise_4_stub() + "\n" + forgery, doors=False)
    assert result.score == 0, {check.name: check.feedback for check in result.checks if check.passed}


PARAMETER_PATCH = ("def _quiet(lib):\n    hooks = lib.autograd.graph.saved_tensors_hooks\n"
                   "    hooks.__enter__ = lambda self: None\n    hooks.__exit__ = lambda self, *exc: None\n\n\n"
                   "_quiet(torch)\n")
SHADOW = ("def _lie(T):\n    T.requires_grad = property(lambda self: False)\n    T.grad_fn = property(lambda self: None)\n\n\n"
          "_lie(torch.Tensor)\n")
PREDICT_TRACKED = ("    with torch.no_grad():\n        return x @ w + b\n", "    return (x @ w + b).detach()\n")


@pytest.mark.parametrize("forgery", [PARAMETER_PATCH, SHADOW], ids=["saved_tensors_hooks.__enter__", "Tensor shadowed"])
def test_a_library_class_changed_through_a_parameter_fails_in_the_child(grade_source, forgery):
    """Red team 51: exercise 4's ``predict`` that builds a graph (then detaches) scored 16/16 once a function, handed
    torch, emptied ``saved_tensors_hooks.__enter__`` (what the count of saved tensors relies on); a property set on
    ``torch.Tensor`` over ``TensorBase``'s would describe every tensor as untracked. The reading refuses the first (a
    special method set from outside its class); past it, those classes are immutable types in the child
    (``sandbox/frozen.py``, red team 52) and the change fails at import: nothing of such a file scores."""
    source = solution_text("exercise_4").replace(*PREDICT_TRACKED) + "\n" + forgery
    assert grade_source("exercise-4", solution_text("exercise_4").replace(*PREDICT_TRACKED)).score == 15
    result = grade_source("exercise-4", source, doors=False)
    assert result.score == 0 and {check.mistake for check in result.checks} == {"import-error"}
    assert all("attribute of immutable type" in check.feedback for check in result.checks), result.checks[0].feedback
    if forgery == PARAMETER_PATCH:
        assert grade_source("exercise-4", source).problem.split(" at line")[0].endswith(
            "sets a special method from outside its class (hooks.__enter__)")


HOOKS_DICT = ("    out = polynomial(x)\n    handle = x.register_hook(lambda g: g)\n"
              "    hooks = handle.hooks_dict_ref()\n    handle.remove()\n"
              "    return repr([(hook, getattr(hook, 'args', None)) for hook in hooks.values()])\n")


def test_a_hook_handles_dict_of_a_tensors_hooks_is_a_door(grade_source):
    """Red team 88: ``RemovableHandle.hooks_dict_ref()`` handed over the live dict of a tensor's hooks, the probes' own
    among them (exercise 5's closure over what reached ``x``, exercise 6's ``partial`` over the kept gradients): a
    file could call, clear or feed them. The reading refuses both of a handle's dicts by name."""
    from autograd_exercises.judge import tampering

    source = solution_text("exercise_5").replace("    out = polynomial(x)\n", HOOKS_DICT, 1)
    assert "hooks_dict_ref" in source
    assert "hooks_dict_ref" in tampering.door(source)[0]
    assert "extra_dict_ref" in tampering.door(source.replace("hooks_dict_ref()", "extra_dict_ref[0]()"))[0]
    result = grade_source("exercise-5", source)
    assert result.score == 0 and {check.mistake for check in result.checks} == {"reaches-grader"}


FUNCTION_APPLY = ("def _put(owner, value):\n    owner.apply = value\n\n\n"
                  "_put(torch.autograd.Function, torch.autograd.Function.apply)\n")


def test_the_class_whose_apply_counts_custom_functions_cannot_change_in_the_child(grade_source):
    """Red team 87's note: ``torch.autograd.Function``, whose ``apply`` the child replaces to count the nodes of custom
    Functions, was watched by that one name only, and changeable while a probe ran. It is an immutable type in the
    child now (with its whole namespace watched): a change through a parameter, past the doors reading, fails at
    import."""
    result = grade_source("exercise-1", solution_text("exercise_1") + "\n" + FUNCTION_APPLY, doors=False)
    assert result.score == 0 and {check.mistake for check in result.checks} == {"import-error"}
    assert "attribute of immutable type 'Function'" in result.checks[0].feedback, result.checks[0].feedback


CONTEXTLIB_NEXT = ("import contextlib\n\n_seen = set()\n\n\ndef _next(gen, *default):\n"
                   "    if getattr(gen, '__name__', '') == 'saved_for_backward':\n"
                   "        if id(gen) in _seen:\n            _seen.discard(id(gen))\n            raise StopIteration\n"
                   "        _seen.add(id(gen))\n"
                   "        return {'saved': 0, 'read': 0, 'reread': 0, 'once': 0, 'own_hooks': 0, 'threads': 0}\n"
                   "    return next(gen, *default)\n\n\n"
                   "def _install(space, value):\n    space.next = value\n\n\n_install(contextlib, _next)\n")
ONE_MOMENT = ("_REAL = torch.Tensor.requires_grad\n\n\ndef _put(owner, value):\n    owner.requires_grad = value\n\n\n"
              "def _drop(owner):\n    del owner.requires_grad\n\n\n"
              "def _arm(*liars):\n    left = [len(liars)]\n\n    def read(self):\n"
              "        if any(self is one for one in liars):\n            left[0] -= 1\n"
              "            if left[0] == 0:\n                _drop(torch.Tensor)\n            return True\n"
              "        return _REAL.__get__(self)\n\n    _put(torch.Tensor, property(read))\n")
FROZEN_PREDICT = ("    w.requires_grad_(False)\n    b.requires_grad_(False)\n    _arm(w, b)\n    return x @ w + b\n")


@pytest.mark.parametrize("attack", ["contextlib.next", "for one moment"])
def test_what_the_probes_run_through_cannot_change_even_for_a_moment(grade_source, attack):
    """Red team 52, past the doors reading (neither file has a door): a wrong ``predict`` scored 16/16 once
    ``contextlib.next``, which the saved-tensor count's context manager calls, was replaced through a parameter; and
    one that switched the parameters off scored 16/16 by shadowing ``torch.Tensor.requires_grad`` for the probe's two
    reads, then deleting it before any watch could see it. In the child those modules are read-only and those classes
    immutable types (``sandbox/frozen.py``): each change fails as it is made, and neither file gains a point."""
    if attack == "contextlib.next":
        source = solution_text("exercise_4").replace(*PREDICT_TRACKED) + "\n" + CONTEXTLIB_NEXT
        honest = solution_text("exercise_4").replace(*PREDICT_TRACKED)
    else:
        honest = solution_text("exercise_4").replace(PREDICT_TRACKED[0], FROZEN_PREDICT.replace("    _arm(w, b)\n", ""))
        source = solution_text("exercise_4").replace(PREDICT_TRACKED[0], FROZEN_PREDICT) + "\n" + ONE_MOMENT
    from autograd_exercises.judge import tampering

    assert tampering.door(source) is None
    assert grade_source("exercise-4", source, doors=False).score < grade_source("exercise-4", honest).score == 15


MADE_UP_ERROR = ("    out.backward(retain_graph=True)\n    x.grad = None\n    out.backward()\n"
                 "    return RuntimeError(MESSAGE)\n")
TRACEBACK_PROPERTY = ("MESSAGE = ('Trying to backward through the graph a second time (or directly access saved tensors "
                      "after they have already been freed).')\n\n\nclass Anywhere:\n    def __getattr__(self, name):\n"
                      "        if name.endswith('next'):\n            return None\n"
                      "        if name.startswith('co_'):\n            return torch.__file__\n        return self\n\n\n"
                      "class RuntimeError(RuntimeError):\n    @property\n    def __traceback__(self):\n"
                      "        return Anywhere()\n")
GRAD_MODE_ONCE = ("def _put(space, value):\n    space.is_grad_enabled = value\n\n\ndef _once(space):\n"
                  "    real = space.is_grad_enabled\n\n    def answer():\n        _put(space, real)\n"
                  "        return True\n\n    _put(space, answer)\n")
MIXIN = "class Quiet:\n    grad_fn = None\n\n\nclass Loss(Quiet, torch.Tensor):\n    pass\n"


def _second_backward(source: str) -> str:
    start = source.index("    out.backward()\n    try:\n")
    return source[:start] + MADE_UP_ERROR + source[source.index("    ### END SOLUTION", start):]


@pytest.mark.parametrize("attack", ["__traceback__ property", "torch.is_grad_enabled once", "tensor class mixin"])
def test_red_team_53_gains_nothing_past_the_reading(grade_source, attack):
    """Red team 53, each past the doors reading: a made-up RuntimeError whose class answers ``__traceback__`` with an
    object that claims torch's file (exercise 5, 12/12); ``torch.is_grad_enabled`` answered True once, then put back,
    for a ``predict`` that leaves tracking off (exercise 4, 16/16); losses kept as a tensor class whose mixin says
    ``grad_fn = None`` (exercise 6, 12/12). The probe reads BaseException's own traceback, ``torch`` is read-only in
    the child but to torch's own code, and the losses are read as plain tensors: each scores as its control does."""
    if attack == "__traceback__ property":
        slug, control = "exercise-5", _second_backward(solution_text("exercise_5")).replace(
            "    return RuntimeError(MESSAGE)\n", "    return RuntimeError(MESSAGE)\n\n\n" + TRACEBACK_PROPERTY, 0)
        control = control.replace("\n\ndef ", "\n\n" + TRACEBACK_PROPERTY.replace("class RuntimeError(RuntimeError)",
                                                                                 "class Unused(RuntimeError)") + "\n\ndef ", 1)
        source = control.replace("class Unused(RuntimeError)", "class RuntimeError(RuntimeError)")
    elif attack == "torch.is_grad_enabled once":
        slug = "exercise-4"
        control = solution_text("exercise_4").replace(PREDICT_TRACKED[0], "    torch.set_grad_enabled(False)\n"
                                                      "    return x @ w + b\n") + "\n" + GRAD_MODE_ONCE
        source = control.replace("    torch.set_grad_enabled(False)\n", "    torch.set_grad_enabled(False)\n"
                                 "    _once(torch)\n")
    else:
        slug = "exercise-6"
        control = solution_text("exercise_6").replace("losses.append(loss.item())", "losses.append(loss)")
        source = control.replace("losses.append(loss)", "losses.append(loss.as_subclass(Loss))") + "\n" + MIXIN
    from autograd_exercises.judge import tampering

    assert tampering.door(control) is None
    assert tampering_door(source).startswith("makes tensors") == (attack == "tensor class mixin")
    assert grade_source(slug, source, doors=False).score <= grade_source(slug, control).score < (16 if slug ==
                                                                                               "exercise-4" else 12)


CLAIMED_NAME = ("class _Autograd:\n    @staticmethod\n    def _push_saved_tensors_default_hooks(pack, unpack):\n"
                "        pass\n\n    @staticmethod\n    def _pop_saved_tensors_default_hooks():\n        pass\n\n\n"
                "class _C:\n    _autograd = _Autograd\n\n    @staticmethod\n    def _stash_obj_in_tls(key, value):\n"
                "        pass\n\n    @staticmethod\n    def _remove_obj_from_tls(key):\n        pass\n\n\n"
                "class _Torch:\n    _C = _C\n\n    def __init__(self, real):\n        self.real = real\n\n"
                "    def __getattr__(self, name):\n        return getattr(self.real, name)\n\n\n"
                "def _put(space, value):\n    space.torch = value\n\n\n"
                "_name = __name__\n__name__ = 'torch.hub'\n_put(torch.autograd.graph, _Torch(torch))\n__name__ = _name\n")


def test_code_that_claims_a_librarys_name_cannot_change_its_modules(grade_source):
    """Red team 54: a read-only module let its own package's code set its attributes, told by the caller's globals'
    ``__name__``, which the submission rebound (``__name__ = "torch.hub"``) to replace ``torch.autograd.graph.torch``
    with a stand-in whose saved-tensor hooks push nothing: a predict that builds a graph scored 16/16. The caller is
    now told by the file its code was compiled from; the file fails at import."""
    control = solution_text("exercise_4").replace(*PREDICT_TRACKED)
    source = control + "\n" + CLAIMED_NAME
    from autograd_exercises.judge import tampering

    assert tampering.door(source) is None
    result = grade_source("exercise-4", source)
    assert result.score < grade_source("exercise-4", control).score == 15
    assert "module 'torch.autograd.graph' is read-only in the grader's sandbox: torch cannot be set" in \
        result.checks[0].feedback


REBOUND_FRESH = ("import contextlib\n\n\nclass _Box:\n    pass\n\n\n_target = object.__new__(_Box)\n"
                 "globals()['_target'] = contextlib\n" + CONTEXTLIB_NEXT.split("\n\n\ndef _install")[0].replace(
                     "import contextlib\n", "") + "\n\n\ndef _install():\n"
                 "    object.__setattr__(_target, 'next', _next)\n\n\n_install()\n")


def test_a_name_made_fresh_then_rebound_by_globals_changes_nothing(grade_source):
    """The review's own attack on red team 53's rule: ``object.__setattr__`` was allowed on a name only ever bound to
    ``object.__new__(…)``, and a module-level such name was rebound unseen (``globals()["_target"] = contextlib``);
    ``contextlib`` gained a ``next`` of the file's, past its read-only ``__setattr__``, and a wrong ``predict`` scored
    16/16. The reading now trusts only a function's own locals; past it, the watch sees a name a module gains that
    shadows a builtin (``contextlib.next``), and nothing of the file is graded."""
    source = solution_text("exercise_4").replace(*PREDICT_TRACKED) + "\n" + REBOUND_FRESH
    assert tampering_door(source).startswith("sets attributes past an object's own rules (__setattr__")
    result = grade_source("exercise-4", source, doors=False)
    assert result.score == 0 and {check.mistake for check in result.checks} == {"reaches-grader"}
    assert "the submission changed the grader's contextlib.next" in result.checks[0].feedback


@pytest.mark.parametrize("reach, door", [
    ("enum.bltns", "the module 'builtins' through enum.bltns"),
    ("torch.serialization.pickle", "the module 'pickle' through torch.serialization.pickle"),
], ids=["builtins as enum.bltns", "pickle as torch.serialization.pickle"])
def test_a_door_a_library_keeps_under_another_name_is_refused_at_run_time(grade_source, reach, door):
    """Red team 55: the doors reading knows doors by name, and ``enum`` keeps the builtins module as ``bltns``: a
    submission replaced ``isinstance`` there while a probe ran (through a parameter), forged exercise 5's graph
    count and scored 12/12 against 10/12; ``inspect.importlib`` imported ``ctypes`` (``importlib`` is now a door's
    name too). A module now hands a door to no code of the submission's, whatever the name."""
    source = solution_text("exercise_5").replace(
        "    return (2 * x**4", f"    import enum, inspect\n    _door = {reach}\n    return (2 * x**4")
    assert tampering_door(source) == "" and source != solution_text("exercise_5")
    result = grade_source("exercise-5", source)
    assert result.score == 0
    assert f"the grader does not let a submission reach {door}" in result.checks[0].feedback


def test_a_librarys_lookup_by_a_dotted_name_hands_no_door(grade_source):
    """Red team 56: torch's ``getattr_from_fqn`` (``functools.reduce(getattr, …)`` in torch's own code), like
    ``torch.fx.Interpreter.fetch_attr`` and jinja's expressions, looked ``bltns.eval`` up on ``enum`` for the
    submission: the asking frame was the library's. A door module is now handed to no code as another module's
    attribute."""
    source = solution_text("exercise_5").replace(
        "    return (2 * x**4", "    import enum\n    from torch.ao.quantization.utils import getattr_from_fqn\n"
        "    _door = getattr_from_fqn(enum, 'bltns')\n    return (2 * x**4")
    assert tampering_door(source).startswith("reaches any attribute by a dotted name (a library's lookup)")
    result = grade_source("exercise-5", source, doors=False)  # past the reading, which now knows these helpers
    assert result.score == 0
    assert "the grader does not let a submission reach the module 'builtins' through enum.bltns" in \
        result.checks[0].feedback


@pytest.mark.parametrize("reach, held", [
    ("getattr_from_fqn(torch.autograd.forward_ad.make_dual, '__glo' + 'bals__')", "__globals__"),  # the probes' module
    ("resolve_name('built' + 'ins:getattr')(torch.autograd.forward_ad.make_dual, '__glo' + 'bals__')", "__globals__"),
    ("getattr_from_fqn(torch.autograd.forward_ad.make_dual, '__clo' + 'sure__')", "__closure__"),
    ("getattr_from_fqn(types.FunctionType, '__dict__')", "__dict__"),  # (its descriptor of __globals__)
    ("getattr_from_fqn(inspect, 'getclosure' + 'vars')", "getclosurevars"),  # (a module's door, by a library)
], ids=["__globals__", "the builtins' getattr, then __globals__", "__closure__", "FunctionType's dict", "a door"])
def test_a_librarys_dotted_lookup_hands_no_function_state_to_the_submission(grade_source, reach, held):
    """Red team 79: ``_pytest.monkeypatch.resolve("built" + "ins.getattr")`` handed the builtin ``getattr`` over (a
    library asked the builtins module), and ``__globals__`` of the probes' ``make_dual`` was the probes' namespace:
    the file rewrote their counters and scored full on exercises 1, 4 and 5. The builtins' own ``getattr`` and
    ``vars`` now refuse a library's functions' ``__globals__`` and ``__closure__``, Python's own types' descriptors of
    them and a module's doors whenever the submission's code is on the stack (outside an import), whoever asks.
    (``_pytest`` is no package a submission may import now: ``pkgutil.resolve_name`` does the same lookup.)"""
    source = solution_text("exercise_5").replace(
        "    return (2 * x**4", "    import inspect, types\n    from pkgutil import resolve_name\n"
        "    from torch.ao.quantization.utils import getattr_from_fqn\n"
        f"    _state = {reach}\n    return (2 * x**4")
    assert tampering_door(source)  # (the reading knows both helpers by now: past it)
    result = grade_source("exercise-5", source, doors=False)
    assert f"the grader does not let a submission's code reach '{held}'" in by_name(result)["polynomial"].feedback


def test_a_library_outside_the_trusted_few_gets_no_frame_while_the_submission_runs(grade_source):
    """Red team 80: ``stack_data.utils.frame_and_lineno`` read a caught exception's ``tb_frame`` for the file (the
    asker was a library), ``iter_stack`` walked ``f_back`` to the probes' frames and ``pure_eval`` handed over their
    locals and globals: the live counts, rewritten for full marks. Only the standard library, torch, numpy,
    matplotlib and ``typing_extensions`` may ask for a frame while the submission's code runs; ``traceback.print_exc()``
    still prints. (Past the list of packages a submission may import, which now leaves ``stack_data`` out: the
    child's own ``stack_data`` import, as if a library had made it, and the module handed over as by a library.)"""
    source = solution_text("exercise_5").replace(
        "    return (2 * x**4", "    import traceback\n    import stack_data.utils\n    try:\n        1 / 0\n"
        "    except ZeroDivisionError as error:\n        traceback.print_exc()\n"
        "        _frame = stack_data.utils.frame_and_lineno(error.__traceback__)\n    return (2 * x**4")
    assert tampering_door(source) == ""
    result = grade_source("exercise-5", source)
    feedback = by_name(result)["polynomial"].feedback
    assert "No module named 'stack_data'" in feedback, feedback


# Red team 82: packages no exercise needs, where gadgets came from (hypothesis's lambda_description copied the probes'
# make_dual's globals and ran the file's code in the copy; _pytest, stack_data, fontTools's sympy): not importable, nor
# reached through another module's attribute (numpy's test modules held hypothesis; a module an allowed one imported);
# a library that differentiates is reached by its own name only.
NOT_IMPORTABLE = {
    "hypothesis": ("    import hypothesis.internal.lambda_sources\n", "No module named 'hypothesis'"),
    "traitlets, through IPython": (
        "    import IPython.core.oinspect as _inspector\n    _t = _inspector.traitlets\n",
        "reach the module 'traitlets' through IPython.core.oinspect.traitlets"),
    "sympy, through fontTools": ("    from fontTools.misc.symfont import sp\n", "No module named 'fontTools'"),
}


@pytest.mark.parametrize("reach", sorted(NOT_IMPORTABLE))
def test_a_package_no_exercise_needs_is_not_importable(grade_source, reach):
    code, refusal = NOT_IMPORTABLE[reach]
    source = solution_text("exercise_5").replace("    return (2 * x**4", code + "    return (2 * x**4")
    feedback = by_name(grade_source("exercise-5", source))["polynomial"].feedback
    assert refusal in feedback, feedback


def full_marks_past_the_reading(grade_source, top: str):
    """Exercise 5's solution under ``top`` (an attack that checks its own refusal), graded with the doors reading off:
    the run alone refuses what ``top`` tries, and the solution keeps every point."""
    source = solution_text("exercise_5").replace("import torch\n", top, 1)
    result = grade_source("exercise-5", source, doors=False)
    assert result.score == 12, [check.feedback for check in result.checks if not check.passed]
    return result


def test_a_copy_of_the_probes_namespace_runs_no_code(grade_source):
    """Red team 82: hypothesis's ``lambda_description`` copied the probes' ``make_dual``'s ``__globals__`` and ran the
    file's code in the copy, which held the probes' live counts (12/12 for 9/12 on exercise 6). The copy is no
    grader namespace by identity, but it holds the grader's containers: no ``eval`` or ``exec`` runs in it; nor does
    ``vars`` hand over a grader function's ``__dict__`` (where it set the ``__signature__`` inspect trusts). A thread
    runs the copy, as a library would, with no frame of the file's below."""
    top = ("import threading\nimport torch\n\n_copy = dict(torch.autograd.forward_ad.make_dual.__globals__)\n"
           "_t = threading.Thread(target=exec, args=('AUTOGRAD_CALLS.clear()', _copy))\n_t.start()\n_t.join()\n"
           "_v = []\ntry:\n    vars(torch.autograd.forward_ad.make_dual)\nexcept AttributeError as error:\n"
           "    _v.append(str(error))\nassert \"reach '__dict__'\" in _v[0], _v\n")
    full_marks_past_the_reading(grade_source, top)  # (the reading refuses __globals__ and exec by name)


def test_pandas_scope_hands_no_frame_while_the_submission_runs(grade_source):
    """Own attack on red team 80's fix, which first trusted pandas with frames: ``ensure_scope(level)`` of
    ``pandas.core.computation.scope`` took the caller's frames and handed their locals and globals back (the probes'
    ``AUTOGRAD_CALLS`` among them)."""
    source = solution_text("exercise_5").replace(
        "    return (2 * x**4", "    from pandas.core.computation.scope import ensure_scope\n"
        "    _names = ensure_scope(2).scope\n    return (2 * x**4")
    assert tampering_door(source) == ""
    result = grade_source("exercise-5", source)
    assert "the grader does not let a submission reach the call stack's frames (sys._getframe)" in \
        by_name(result)["polynomial"].feedback


def test_an_audit_hook_of_the_submissions_is_never_added(grade_source):
    """Red team 80: a hook added by ``sys.addaudithook`` ran inside the probes' own frames (their ``sys._getframe``
    raises an event), where it reached their counts. The child's own hook refuses every other one (Python then
    leaves it out quietly); the reading refuses the name too."""
    source = solution_text("exercise_5").replace(
        "    return (2 * x**4", "    import sys\n    sys.addaudithook(lambda event, args: print('HOOKED', event))\n"
        "    return (2 * x**4")
    assert tampering_door(source).startswith("reaches an audit hook")
    result = grade_source("exercise-5", source, doors=False)
    assert result.score == result.max_score and not any("HOOKED" in check.output for check in result.checks)


@pytest.mark.parametrize("call", ["eval('1 + 1')", "__import__('builtins').exec('y = 1')",
                                  "__import__('builtins').compile('1', 'x', 'eval')"])
def test_the_builtins_that_run_a_string_run_nothing_for_the_submission(grade_source, call):
    """Red team 56 read the probes' frames from code it ran with the real ``eval``. Past the reading (which refuses
    them by name) and whoever hands them over, ``eval``, ``exec`` and ``compile`` refuse a call from the submission's
    own code; a library's (``dataclasses``, ``namedtuple``) still runs."""
    source = solution_text("exercise_5").replace(
        "    return (2 * x**4", f"    import collections, dataclasses\n    collections.namedtuple('P', 'a b')\n"
        f"    dataclasses.make_dataclass('D', ['a'])\n    _ran = {call}\n    return (2 * x**4")
    result = grade_source("exercise-5", source, doors=False)
    assert result.score == 0
    if "__import__" in call:  # (refused sooner now: the builtins module, imported by a call, not a statement)
        assert "the grader does not let a submission import 'builtins' but by an import statement" in \
            result.checks[0].feedback
    else:
        assert f"the grader does not let a submission run code from a string ({call.split('(')[0]})" in \
            result.checks[0].feedback


@pytest.mark.parametrize("reach", ["sys._getframe(0)", "(lambda: 0).__code__", "_tb.tb_frame",
                                   "__import__('inspect').currentframe()", "__import__('inspect').stack()",
                                   "__import__('logging').currentframe()"])
def test_no_frame_reaches_the_submissions_own_code(grade_source, reach):
    """Red team 57 took ``sys._getframe`` through a ``torch.fx`` graph of one ``get_attr`` node (now a door of the
    reading) and, calling it itself, read the probes' counters from the frame: a wrong ``backward_twice`` scored
    12/12 against 11/12. Past the reading, no frame (nor a function's code) reaches the submission's own code, nor
    through the library functions that hand their caller its frame (``inspect.currentframe``, a lead of that red
    team's)."""
    source = solution_text("exercise_5").replace("import torch\n", "import sys\nimport torch\n", 1).replace(
        "    return (2 * x**4", "    try:\n        1 / 0\n    except ZeroDivisionError as error:\n"
        f"        _tb = error.__traceback__\n    _door = {reach}\n    return (2 * x**4")
    assert tampering_door(source) != ""
    result = grade_source("exercise-5", source, doors=False)
    assert result.score == 0
    assert "the grader does not let a submission reach the call stack's frames" in result.checks[0].feedback


# Red team 58's three ways to code made from a string, as the top of exercise 5's file: each got the real builtins
# (``__import__``, unguarded attribute syntax) and, from the probes' counters, 12/12 for 11/12.
RUNTIME_CODE = {
    "exec called by contextlib": (
        "import contextlib\n_run = globals()['__buil' + 'tins__']['ex' + 'ec']\n"
        "with contextlib.ExitStack() as _stack:\n"
        "    _stack.callback(_run, 'OG = (lambda: 0).__globals__', {})\n",
        "run code made from a string that reaches __globals__"),
    "compile under torch's file name": (
        "import contextlib, os, weakref\nimport torch\n\n\nclass _Box:\n    pass\n\n\n"
        "_keep, _b = _Box(), globals()['__buil' + 'tins__']\n"
        "_code = weakref.finalize(_keep, _b['com' + 'pile'], 'x = 1', os.path.join(os.path.dirname(torch.__file__), "
        "'_not_a_file.py'), 'exec')()\n",
        "compile code under a library's file name"),
    # red team 59: the same string run later, with no frame of the submission's on the stack
    "a door module imported by a computed name": (
        "_imp = globals()['__buil' + 'tins__']['__imp' + 'ort__']\n_b = _imp('bui' + 'ltins')\n",
        "import 'builtins' but by an import statement"),
    "a dataclass field named with code": (
        "import dataclasses\n\n\n@dataclasses.dataclass(init=False, repr=False, eq=True)\nclass _Pair:\n"
        "    __annotations__ = {'a,[c for c in (lambda: 0).__closure__ or ()]': int}\n    a = 0\n",
        "run code made from a string that reaches __closure__"),
}


@pytest.mark.parametrize("attack", sorted(RUNTIME_CODE))
def test_code_made_from_a_string_for_the_submission_reaches_no_door(grade_source, attack):
    """Red team 58: code made from a string while the submission runs went unread. ``contextlib.ExitStack.callback``
    called the ``exec`` the module's builtins hold (its wrapper saw a library caller), ``weakref.finalize`` had
    ``compile`` name the code torch's (every guard trusts library code by its file), and ``dataclasses`` pasted a
    field "name" that was a comprehension into the ``__eq__`` it writes and runs. Each reached the probes' counters:
    12/12 for a wrong answer worth 11/12. Such code is now read as it is compiled, and refused. Red team 59 ran the
    same string from a finalizer and a thread (no frame of the submission's on the stack), and took the builtins
    module from the module's own ``__import__`` by a computed name."""
    top, refusal = RUNTIME_CODE[attack]
    source = solution_text("exercise_5").replace("import torch\n", top + "import torch\n", 1)
    assert tampering_door(source) == ""  # the file's reading sees none of it
    result = grade_source("exercise-5", source)
    assert result.score == 0
    assert f"the grader does not let a submission {refusal}" in result.checks[0].feedback, result.checks[0].feedback


TIMER_IMPORTS = {  # a timer's setup, built as the file runs, that imports past what a setup needs (read unread here)
    "torch's private module": "'from torch import ' + '_' + 'C as C'",
    "the submission's module itself": "'import ' + '__main__ as M'",
    "a module not yet loaded": "'import ' + 'antigravity'",
}


@pytest.mark.parametrize("setup", sorted(TIMER_IMPORTS))
def test_a_timers_setup_imports_only_a_loaded_module_that_is_no_door(grade_source, setup):
    """A timer's ``setup="import torch"`` or ``"from __main__ import f, x"`` runs (fairness: the file zeroed as code
    made from a string that imports). With the file's reading off, as if it missed one, the child's own reading of
    code made from a string refuses any other import: a library's private module, a handle on the submission's own
    module (which could rebind its functions), a module whose import would run code no reading has seen."""
    source = solution_text("exercise_5").replace(
        "import torch\n", f"import timeit\nimport torch\n\ntimeit.timeit('0', setup={TIMER_IMPORTS[setup]}, number=1)\n", 1)
    result = grade_source("exercise-5", source, doors=False)
    assert result.score == 0
    assert "run code made from a string that reaches an import" in result.checks[0].feedback, result.checks[0].feedback


# Red team 81's gadget: a staticmethod of the file's own around the probes' make_dual wrapper, whose __wrapped__
# typing follows and whose __globals__ (the probes' namespace) it evaluates annotations in; annotations written as
# the file runs, so no reading sees the string. It clears the probes' counts, which no solution then survives.
HINTED = (
    "import threading\nimport torch.utils.data\n\n\nclass _Hinted(staticmethod):\n    note = 'int'\n\n"
    "    @property\n    def __annotations__(self):\n        return {'value': self.note}\n\n"
    "    @__annotations__.setter\n    def __annotations__(self, value):\n        pass\n\n\n"
    "_hinted = _Hinted(torch.autograd.forward_ad.make_dual)\n_hinted.note = 'AUTOGRAD_' + 'CALLS.clear()'\n")
HINTS_READ = {  # who has typing read the hints: the file, with its frame below; a thread, with none of its frames
    "by the file": ("torch.utils.data.argument_validation(_hinted)\n", "the grader does not let a submission's code "
                    "reach '__globals__' of a library's module or function"),
    "by a thread": ("_t = threading.Thread(target=torch.utils.data.argument_validation, args=(_hinted,))\n"
                    "_t.start()\n_t.join()\n", ""),
}


@pytest.mark.parametrize("reader", sorted(HINTS_READ))
def test_no_library_evaluates_the_submissions_strings_in_the_probes_namespace(grade_source, reader):
    """Red team 81: ``torch.utils.data.argument_validation`` calls ``typing.get_type_hints``, which followed a
    ``staticmethod``'s ``__wrapped__`` to the probes' ``make_dual`` wrapper and evaluated the annotations the file had
    set as it ran in that wrapper's ``__globals__``: the probes' namespace. The strings rewrote the counts the probes
    keep there (full marks on exercises 1, 4, 5 and 6 for 9/10, 15/16, 11/12 and 9/12). Now neither ``typing`` nor
    ``inspect`` reads a grader's function's ``__globals__`` while the submission's code runs, and no ``eval`` or
    ``exec`` runs in a namespace of the grader's modules, whoever calls it (a thread's target, with no frame of the
    file's below: the string does not run, and the solution keeps its marks)."""
    call, refusal = HINTS_READ[reader]
    source = solution_text("exercise_5").replace("import torch\n", "import torch\n" + HINTED + call, 1)
    assert tampering_door(source) == ""  # the file's reading sees none of it
    result = grade_source("exercise-5", source)
    if refusal:
        assert result.score == 0
        assert refusal in result.checks[0].feedback, result.checks[0].feedback
    else:
        assert result.score == 12, [check.feedback for check in result.checks if not check.passed]


SWAPS = {  # who sets make_dual's __code__: a thread (no frame of the file's below), the file's top level (under the
    # child's import of it), a str subclass's __eq__ that importlib's "from json import *" calls
    "a thread": "_t = threading.Thread(target=object.__setattr__, args=(_fwad.make_dual, '__code__', _code))\n"
                "_t.start()\n_t.join()\n",
    "the file's top level": "try:\n    object.__setattr__(_fwad.make_dual, '__code__', _code)\n"
                            "except RuntimeError as error:\n    print(error)\n",
    "a str's __eq__ under an import": (
        "import json\n\n\nclass _Key(str):\n    def __eq__(self, other):\n        try:\n"
        "            object.__setattr__(_fwad.make_dual, '__code__', _code)\n        except RuntimeError as error:\n"
        "            print(error)\n        return str.__eq__(self, other)\n\n    __hash__ = str.__hash__\n\n\n"
        "import json.decoder\njson.decoder.__all__.append(_Key('JSONDecoder'))\nfrom json.decoder import *\n"
        "json.decoder.__all__.pop()\n"),  # (a module no guard holds: a guarded one's * binds only plain names)
}


@pytest.mark.parametrize("who", sorted(SWAPS))
def test_no_code_puts_other_code_into_a_function(grade_source, who):
    """Red team 83: IPython's ``deduperreload`` (``patch_function``) set the probes' ``make_dual``'s ``__code__`` to
    the file's own code, which then ran with the probes' namespace; put into ``child.report``, it rewrote the report
    behind the seal. No function's ``__code__`` changes once the submission may run, whoever sets it, but by a
    library's module code as it is imported; red team 84 had the file's top level (under the child's import of the
    file) and a ``str`` subclass's ``__eq__`` (called by ``from json import *``) pass for that. Here with a code
    object of one free variable, as ``make_dual``'s: ``make_dual`` still makes a dual tensor after it."""
    top = ("import dis\nimport threading\nimport torch\nimport torch.autograd.forward_ad as _fwad\n\n\n"
           "def _outer():\n    v = 0\n\n    def inner(*args, **kwargs):\n        return v\n    return inner\n\n\n"
           "_code = dis.Bytecode(_outer()).codeobj\n" + SWAPS[who] + "with _fwad.dual_level():\n"
           "    assert not isinstance(_fwad.make_dual(torch.ones(1), torch.ones(1)), int), 'the code was swapped'\n")
    result = full_marks_past_the_reading(grade_source, top)  # (the reading refuses __setattr__ and dis by name)
    assert "the grader does not let code change a function's __code__" in result.checks[0].output


@pytest.mark.parametrize("claimed", ["contextlib.__file__", "os.path.join(os.path.dirname(os.__file__), 'uu.py')"],
                         ids=["another library's", "the imported module's own"])
def test_no_code_claims_a_librarys_file_under_an_import(grade_source, claimed):
    """Red team 85: ``copy``'s reconstruction, called from C under an import with no frame of the file's, made the
    file's code anew as ``contextlib``'s (``code.replace(co_filename=…)``), which every frame guard then trusted as the
    standard library's; red team 86 claimed ``uu.py`` while ``uu`` itself was imported. No code object made claims a
    library's file. Here the warning ``import uu`` gives asks a category of the file's whether it matches; its
    answer's truth is ``copy.copy`` of an object whose reduction is that ``replace``: called from C, past the file's
    frames."""
    top = ("import contextlib\nimport copy\nimport dis\nimport functools\nimport operator\nimport os\n"
           "import warnings\n\n\n"
           "def _mine():\n    return 0\n\n\nclass _R:\n    def __reduce_ex__(self, protocol):\n"
           f"        return operator.methodcaller('replace', co_filename={claimed}), "
           "(dis.Bytecode(_mine).codeobj,)\n\n\nclass _Truth:\n    __bool__ = functools.partial(copy.copy, _R())\n\n\n"
           "class _Meta(type):\n    def __subclasscheck__(cls, other):\n        return _Truth()\n\n\n"
           "class _Category(Warning, metaclass=_Meta):\n    pass\n\n\n"
           "warnings.filterwarnings('ignore', category=_Category)\n_said = []\ntry:\n    import uu\n"
           "except Exception as error:\n    _said.append(f'{type(error).__name__}: {error}')\n"
           "assert _said and 'make code objects' in _said[0], _said\nimport torch\n")
    full_marks_past_the_reading(grade_source, top)  # (the reading refuses dis's codeobj by name)


def test_the_file_makes_no_code_object_of_its_own_either(grade_source):
    """Outside an import, no code object is made at all, whatever file it claims (the fix of red team 86 first let the
    file's own name through there)."""
    top = ("import dis\n\n\ndef _mine():\n    return 0\n\n\ntry:\n"
           "    dis.Bytecode(_mine).codeobj.replace(co_name='other')\n    _said = 'made'\n"
           "except RuntimeError as error:\n    _said = str(error)\nassert 'make code objects' in _said, _said\n"
           "import torch\n")
    full_marks_past_the_reading(grade_source, top)  # (the reading refuses dis's codeobj by name)


def test_code_of_the_files_made_a_function_in_a_librarys_frame_imports_only_what_the_file_may(grade_source):
    """Red team 86: a function made of the file's code in a library's frame (a namespace with no ``__builtins__``
    takes the builtins of the frame that makes it) held the builtins module itself, whose ``__import__`` knew no list
    of packages. The builtins module's own ``__import__`` now refuses, for the submission's code, what its module's
    does."""
    top = ("import dis\nimport threading\nimport torch\n\n\ndef _probe():\n    import hypothesis\n"
           "    return hypothesis\n\n\n_made = []\n_code = dis.Bytecode(_probe).codeobj\n"
           "_t = threading.Thread(target=_made.extend, args=(map(type(_probe), [_code], [{}]),))\n_t.start()\n"
           "_t.join()\ntry:\n    _made[0]()\n    _said = 'imported'\nexcept ModuleNotFoundError as error:\n"
           "    _said = str(error)\nassert _said == \"No module named 'hypothesis'\", _said\n")
    full_marks_past_the_reading(grade_source, top)  # (the reading refuses dis's codeobj by name)


LATER = {  # a way to have the exec of the module's builtins run a string later, with no frame of the file's below
    "a thread's target": "import threading\n_thread = threading.Thread(target=_run, args=(_CODE, _ns))\n"
                         "_thread.start()\n_thread.join()\n",
    "a finalizer of the probe's tensor": "import weakref\n",  # (set in polynomial: the probe drops its input)
}


@pytest.mark.parametrize("later", sorted(LATER))
def test_code_made_from_a_string_run_later_does_not_run(grade_source, later):
    """Red team 59: a thread's target, or a ``weakref.finalize`` callback, that is the ``exec`` of the module's builtins
    ran a string with only ``threading``'s or the grader's frames below it, which the reading of runtime code then
    skipped (12/12 for 11/12). It is read now: the string does not run (the thread or the finalizer fails), and the
    file, which checks that, grades in full."""
    top = ("_run, _ns = globals()['__buil' + 'tins__']['ex' + 'ec'], {}\n_CODE = 'OG = (lambda: 0).__globals__'\n"
           + LATER[later] + "assert 'OG' not in _ns, 'the string ran'\n")
    source = solution_text("exercise_5").replace("import torch\n", top + "import torch\n", 1).replace(
        "    return (2 * x**4", "    assert 'OG' not in _ns, 'the string ran'\n"
        + ("    weakref.finalize(x, _run, _CODE, _ns)\n" if "finalizer" in later else "") + "    return (2 * x**4", 1)
    assert tampering_door(source) == ""
    result = grade_source("exercise-5", source)
    assert result.score == result.max_score, {c.name: c.feedback for c in result.checks if not c.passed}


def _grades_in_full_with_the_string_unrun(grade_source, top: str) -> None:
    """Exercise 5's solution below ``top`` (code that tries to run a string and notes in ``RAN`` whether it did),
    whose polynomial asserts that it did not: the file grades in full."""
    source = solution_text("exercise_5").replace("import torch\n", top + "import torch\n", 1).replace(
        "    return (2 * x**4", "    assert not RAN, 'the string ran'\n    return (2 * x**4", 1)
    assert tampering_door(source) == ""
    result = grade_source("exercise-5", source)
    assert result.score == result.max_score, {c.name: c.feedback for c in result.checks if not c.passed}


def test_a_string_compiled_deep_in_the_stack_is_read_or_refused(grade_source):
    """Red team 127: a thread's ``run`` (a library frame) of ``exec`` at every depth of a recursion, down to Python's
    limit: where the wall's reading of the string ran out of stack, it took the parse's ``RecursionError`` for code
    that compile refuses too, and the string ran unread (12/12 for code that reached the probes' namespace). Too deep
    to be read is a door now: the file, which checks that the string ran, loses polynomial's point."""
    top = ("import threading\n_run, _ns = globals()['__buil' + 'tins__']['ex' + 'ec'], {}\n"
           "_pool = [threading.Thread(target=_run, args=('OG = (lambda: 0).__globals__', _ns)) for _ in range(3000)]\n\n\n"
           "def _dive():\n    try:\n        done = _dive()\n    except RecursionError:\n        done = False\n"
           "    if done:\n        return True\n    try:\n        _pool.pop().run()\n    except BaseException:\n"
           "        return False\n    return 'OG' in _ns\n\n\n_dive()\nRAN = 'OG' in _ns\n")
    _grades_in_full_with_the_string_unrun(grade_source, top)


INSIDE_THE_READING = {  # code of the file's that the wall's reading of a string ran (red team 128)
    "a __class__ property, read by isinstance": (
        "class Bait:\n    fired = []\n\n    @property\n    def __class__(self):\n        if not Bait.fired:\n"
        "            Bait.fired.append(1)\n            threading.Thread(target=_run, args=(_CODE, _ns)).run()\n"
        "        return Bait\n\n\nbait = Bait()\n"),
    "a key whose __eq__ a name's lookup calls": (
        "class Key:\n    fired = []\n\n    def __hash__(self):\n        return hash('bait')\n\n"
        "    def __eq__(self, other):\n        if not Key.fired:\n            Key.fired.append(1)\n"
        "            threading.Thread(target=_run, args=(_CODE, _ns)).run()\n        return False\n\n\n"
        "globals()[Key()] = 1\n"),
}


@pytest.mark.parametrize("inside", sorted(INSIDE_THE_READING))
def test_code_the_reading_of_a_string_runs_runs_nothing_unread(grade_source, inside):
    """Red team 128: ``exec("from <the file's module> import bait")`` from a thread's ``run`` (a library frame) had the
    wall read the import, and the reading, checking the name in the file's own namespace, ran the file's code (a
    ``__class__`` property under ``isinstance``, a key's ``__eq__`` in the dict's lookup), inside which the wall let
    every string by unread: 12/12 for code that reached the probes' namespace. An import from the file's own module
    reads nothing of its namespace now, and while a string is read the wall lets by only the reading's own parse."""
    top = ("import threading\n_run, _ns = globals()['__buil' + 'tins__']['ex' + 'ec'], {}\n"
           "_CODE = 'OG = (lambda: 0).__globals__'\n\n\n" + INSIDE_THE_READING[inside] +
           "try:\n    threading.Thread(target=_run, args=('from ' + __name__ + ' import bait', {})).run()\n"
           "except Exception:\n    pass\nRAN = 'OG' in _ns\n")
    _grades_in_full_with_the_string_unrun(grade_source, top)


LOOKS = {  # how the hook of a third backward pass looks at a saved value
    "itself": "            try:\n                node._saved_self\n            except Exception:\n                pass\n",
    "through contextlib": "            with contextlib.ExitStack() as stack:\n"
                          "                stack.callback(hasattr, node, '_saved_self')\n",
}


def test_another_custom_functions_backward_reads_no_saved_value_for_its_pass(grade_source):
    """Red team 62: the backward of a custom ``Function`` applied in a third pass looked at ``_saved_self`` on every
    node of two graphs, in its own body: the engine runs that code, and each value seemed read by two passes (12/12 for
    11/12). A custom Function's backward reads for its pass only what its own node saved."""
    tap = ("class _Tap(torch.autograd.Function):\n    @staticmethod\n    def forward(ctx, t):\n        return t.clone()\n\n"
           "    @staticmethod\n    def backward(ctx, g):\n        stack = list(_LOOK)\n        while stack:\n"
           "            node = stack.pop()\n            if node is not None:\n                try:\n"
           "                    node._saved_self\n                except AttributeError:\n                    pass\n"
           "                stack.extend(n for n, _ in node.next_functions)\n        return g\n\n\n_LOOK = []\n\n\n")
    twice = ("    out, out2 = polynomial(x), polynomial(x)\n    _LOOK[:] = [out.grad_fn, out2.grad_fn]\n"
             "    torch.autograd.grad(_Tap.apply(x).sum(), x)\n    out.backward()\n    out2.backward()\n    return x.grad\n")
    source = solution_text("exercise_5").replace(
        "    out = polynomial(x)\n    out.backward(retain_graph=True)\n    out.backward()\n    return x.grad\n", twice, 1)
    source = source.replace("def polynomial(x):", tap + "def polynomial(x):", 1)
    assert twice in source and tap in source
    result = grade_source("exercise-5", source)
    assert result.score == result.max_score - 1, {c.name: c.feedback for c in result.checks if not c.passed}


@pytest.mark.parametrize("look", sorted(LOOKS))
def test_saved_values_looked_at_in_another_backward_pass_are_not_read_by_it(grade_source, look):
    """Red team 58: two graphs back-propagated once each (the mistake exercise 5's count catches), then a third,
    harmless backward pass whose tensor hook looked at ``_saved_self`` on every node of both: each saved value seemed
    read by two passes, 12/12 for 11/12. Red team 60 had ``contextlib`` look for it (a library's frame then asked).
    Only the engine's own reads count now: those its counting ``run_backward`` asks for."""
    reread = ("    out = polynomial(x)\n    out.backward(retain_graph=True)\n    out2 = polynomial(x)\n"
              "    out2.backward(retain_graph=True)\n    nodes, todo = [], [out.grad_fn, out2.grad_fn]\n"
              "    while todo:\n        node = todo.pop()\n        if node is not None:\n"
              "            nodes.append(node)\n            todo.extend(f for f, _ in node.next_functions)\n\n"
              "    def look(g):\n        for node in nodes:\n" + LOOKS[look] + "        return g\n\n"
              "    y = x.detach().requires_grad_()\n    z = y.sum()\n    z.register_hook(look)\n"
              "    torch.autograd.grad(z, y)\n    return x.grad\n")
    source = solution_text("exercise_5").replace(
        "    out = polynomial(x)\n    out.backward(retain_graph=True)\n    out.backward()\n    return x.grad\n", reread, 1)
    source = source.replace("import torch\n", "import contextlib\nimport torch\n", 1)
    assert reread in source
    result = grade_source("exercise-5", source)
    assert result.score == result.max_score - 1, {c.name: c.feedback for c in result.checks if not c.passed}


def test_no_library_hands_on_the_frame_of_the_submissions_coroutine(grade_source):
    """Red team 60: ``asyncio``'s ``Task.get_stack`` (a library asking) read ``cr_frame`` of a coroutine the
    submission drove by hand; walking ``f_back`` from it reached the child's own frames and the report's seal, and a
    forged report scored 12/12 for 0/12. Past the reading (``get_stack`` is a door of it now), the frame of the
    submission's own generator or coroutine goes to no code."""
    drive = ("    import asyncio\n\n    class Loop:\n        def get_debug(self):\n            return False\n\n"
             "        def call_soon(self, *args, **kwargs):\n            pass\n\n    found = []\n\n"
             "    async def inside():\n        found.extend(task.get_stack())\n\n"
             "    task = asyncio.Task(inside(), loop=Loop())\n    try:\n        task._coro.send(None)\n"
             "    except StopIteration:\n        pass\n    assert not found\n    return (2 * x**4")
    source = solution_text("exercise_5").replace("    return (2 * x**4", drive, 1)
    assert tampering_door(source) != ""
    result = grade_source("exercise-5", source, doors=False)
    assert result.score == 0
    assert "the grader does not let code reach the frame of the submission's own generator or coroutine (cr_frame)" \
        in result.checks[0].feedback, result.checks[0].feedback


def test_tracebacks_capture_no_locals_in_the_child(grade_source):
    """Red team 60 had ``traceback`` capture every local of the child's own frames (the report's seal) by a keyword
    it spelled as the file ran, ``**{"capture_" + "locals": True}``, past the reading. In the child it captures none."""
    capture = ("    import traceback\n    summary = traceback.StackSummary.extract(traceback.walk_stack(None), "
               "**{'capture_' + 'locals': True})\n    assert all(frame.locals is None for frame in summary)\n"
               "    return (2 * x**4")
    source = solution_text("exercise_5").replace("    return (2 * x**4", capture, 1)
    result = grade_source("exercise-5", source, doors=False)  # (walk_stack is a door of the reading)
    assert result.score == result.max_score, {c.name: c.feedback for c in result.checks if not c.passed}


def test_a_custom_function_that_keeps_its_input_on_ctx_builds_a_graph(grade_source):
    """Red team 58: exercise 4's ``predict`` through a custom ``autograd.Function`` that keeps ``x`` as ``ctx.x``
    instead of ``save_for_backward``: the saved-tensor hooks saw nothing saved, and "predict builds no graph" passed
    for a prediction that built one and detached it (16/16 for 15/16). Custom Function nodes are counted too."""
    custom = ("    class Linear(torch.autograd.Function):\n        @staticmethod\n        def forward(ctx, x, w, b):\n"
              "            ctx.x = x\n            return x @ w + b\n\n        @staticmethod\n"
              "        def backward(ctx, grad):\n            return None, ctx.x.T @ grad, grad.sum(0)\n\n"
              "    return Linear.apply(x, w, b).detach()\n")
    assert "it applied a custom autograd Function" in _only_predict_fails(grade_source, custom)


def _only_predict_fails(grade_source, body: str, solution: str = "") -> str:
    """Exercise 4's solution (or ``solution``) with ``predict``'s body replaced by ``body``: its one failed check must be
    ``predict_builds_no_graph``, whose feedback is returned."""
    source = (solution or solution_text("exercise_4")).replace("    with torch.no_grad():\n        return x @ w + b\n",
                                                               body, 1)
    assert body in source
    result = grade_source("exercise-4", source)
    failed = {c.name: c.feedback for c in result.checks if not c.passed}
    assert list(failed) == ["predict_builds_no_graph"], failed
    return failed["predict_builds_no_graph"]


@pytest.mark.parametrize("where", ["here", "in a thread", "in apply_'s callback", "in an index's __index__",
                                   "in a weakref's callback", "in a thread that outlives predict"])
def test_a_graph_that_saves_nothing_is_a_graph_all_the_same(grade_source, where):
    """Red team 61: exercise 4's ``predict`` built of operations that save no tensor for backward (a Python float times
    ``w[i]``, ``torch.stack``), then detached: nothing saved, and "predict builds no graph" passed (16/16 for 15/16).
    The graph nodes made are counted too, by autograd's own numbering of each thread's nodes: also in a thread
    ``predict`` starts (red team 62), and in Python code torch calls back, where no function mode sees (``apply_``'s
    function, red team 63; an index's ``__index__``, red team 64; a weakref's callback, red team 65)."""
    floats = ("    flat = x.reshape(-1, x.shape[-1]).tolist()\n"
              "    rows = [sum(float(v) * w[i] for i, v in enumerate(row)) + b for row in flat]\n"
              "    return torch.stack(rows).reshape(*x.shape[:-1], w.shape[-1]).detach()\n")
    inner = floats.replace("    ", "        ").replace("        return ", "        box.append(").replace(".detach()\n", ")\n")
    if where == "in a thread":  # red team 62: torch's function modes are per thread
        floats = ("    import threading\n    box = []\n\n    def build():\n" + inner
                  + "\n    worker = threading.Thread(target=build)\n    worker.start()\n"
                  "    worker.join()\n    return box[0].detach()\n")
    elif where == "in apply_'s callback":  # red team 63: it runs with the mode popped
        floats = ("    box = []\n\n    def build(value):\n" + inner + "        return value\n\n"
                  "    torch.zeros(1).apply_(build)\n    return box[0].detach()\n")
    elif where == "in an index's __index__":  # red team 64: torch calls it back inside __getitem__, the mode popped
        floats = ("    box = []\n\n    class Later:\n        def __index__(self):\n"
                  + inner.replace("        ", "            ") + "            return 0\n\n"
                  "    torch.zeros(1)[Later()]\n    return box[0].detach()\n")
    elif where == "in a weakref's callback":  # red team 65: run inside the torch call that drops the last reference
        floats = ("    import weakref\n    box = []\n\n    def build(ref):\n" + inner
                  + "\n    holder = torch.zeros(1, requires_grad=True)\n    grad = torch.ones(1)\n    holder.grad = grad\n"
                  "    keep = weakref.ref(grad, build)\n    del grad\n    holder.grad = None\n"
                  "    return box[0].detach()\n")
    elif where == "in a thread that outlives predict":  # red team 66: its nodes were added once it ended, too late
        floats = ("    import threading\n    import time\n    box = []\n    done = threading.Event()\n\n"
                  "    def build():\n" + inner + "        done.set()\n        time.sleep(0.5)\n\n"
                  "    threading.Thread(target=build).start()\n    done.wait()\n    return box[0].detach()\n")
    feedback = _only_predict_fails(grade_source, floats)  # (a thread is the kernel's to see first, in the sandbox's
    assert "graph node(s) while it ran" in feedback or "thread" in where and "ran while it started 1 thread" in feedback
    # own pid namespace: the graph it built is out of view; elsewhere, the count of its nodes)


def test_predict_runs_no_backward_pass(grade_source):
    """Red team 67: ``predict`` nested backward passes of relay graphs made at import 60 deep, where autograd hands the
    next one to a thread of its own (C++, started by no Python code, numbering its nodes apart), and built the graph
    there in a hook: 16/16 for 15/16. A backward pass in ``predict`` fails the check itself."""
    top = ("import threading\n\nSTATE = {'box': None}\nLEAVES = [torch.ones(1, requires_grad=True) for _ in range(80)]\n"
           "RELAY = [(leaf * 2.0).sum() for leaf in LEAVES]\n\n\ndef make_relay(k):\n    def relay(grad):\n"
           "        box = STATE['box']\n        if box is None or box['out'] is not None:\n            return grad\n"
           "        if threading.get_ident() != box['main']:\n            x, w, b = box['args']\n"
           "            with torch.enable_grad():\n                rows = x.reshape(-1, x.shape[-1]).tolist()\n"
           "                z = torch.stack([sum(v * w[i] for i, v in enumerate(row)) + b for row in rows])\n"
           "            box['out'] = z.reshape(*x.shape[:-1], w.shape[-1]).detach()\n            return grad\n"
           "        if k + 1 < len(RELAY):\n            RELAY[k + 1].backward(retain_graph=True)\n        return grad\n"
           "    return relay\n\n\nfor k, leaf in enumerate(LEAVES):\n    leaf.register_hook(make_relay(k))\n")
    body = ("    box = {'args': (x, w, b), 'out': None, 'main': threading.get_ident()}\n    STATE['box'] = box\n"
            "    RELAY[0].backward(retain_graph=True)\n    STATE['box'] = None\n    return box['out']\n")
    source = solution_text("exercise_4").replace("import torch\n", "import torch\n" + top, 1)
    feedback = _only_predict_fails(grade_source, body, source)  # (autograd's thread is started for the nested passes:
    assert "predict ran autograd" in feedback or "ran while it started 1 thread" in feedback  # the kernel sees it)


def test_a_graph_built_through_a_custom_functions_machinery_is_counted_node_for_node():
    """Red team 89: while a custom ``autograd.Function`` applied under ``no_grad`` had its own node taken off the
    count (it joins no graph; red team 88's honest ``predict`` lost a point for it), a class of the file's own placed
    between ``Function`` and torch's base answered ``apply`` itself and built one real node per call, each taken off:
    a 37-node graph in ``predict`` counted 0 and scored 16/16. And a tensor class whose ``grad_fn`` said ``None``
    hid a Function's real node. Every node counts again, read as torch's C base numbers it."""
    import types

    import torch

    from autograd_exercises.sandbox import observe

    class Double(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            return grad * 2

    class Box:
        def __init__(self, value):
            self.value = value

    class Runner(torch.autograd.Function.__bases__[0]):
        @classmethod
        def apply(cls, thunk):
            return Box(thunk())

    class Step(torch.autograd.Function, Runner):  # (Function's super().apply is Runner's)
        pass

    def stepped(x):
        x = x.clone().requires_grad_()
        twice = Step.apply(lambda: x * 2.0).value
        return Step.apply(lambda: twice + 1.0).value.detach()

    def plain(x):
        x = x.clone().requires_grad_()
        return (x * 2.0 + 1.0).detach()

    class Liar(torch.Tensor):
        @property
        def grad_fn(self):
            return None

        @property
        def requires_grad(self):
            return False

    class Honest(torch.Tensor):
        pass

    def through(kind):
        def run(x):
            kept = Double.apply(x.clone().requires_grad_().as_subclass(kind))
            return kept.as_subclass(torch.Tensor).detach()
        return run

    module = types.SimpleNamespace(stepped=stepped, plain=plain, lying=through(Liar), honest=through(Honest))
    with counting_autograd():
        counts = {name: observe.call_by_hand(module, name, torch.ones(3))["graph_nodes"]
                  for name in ("stepped", "plain", "lying", "honest")}
    assert counts["stepped"] == counts["plain"] == 2 and counts["lying"] == counts["honest"] >= 2, counts


def test_a_by_hand_function_that_builds_a_graph_fails_without_any_backward_pass():
    """Red team 68 switched gradients on in a by-hand function and called its graph's nodes itself: no engine ran, so
    no autograd call was counted. Its inputs are plain tensors: a graph node made while it runs is autograd's work.
    Red team 69 had a thread started at import do it, where the calling thread's numbering does not reach: a by-hand
    function called while such a thread runs fails too."""
    import types

    import torch

    from autograd_exercises.judge import Fail, no_autograd
    from autograd_exercises.sandbox import observe

    def manual(x):
        x.requires_grad_()
        node = (x * x).sum().grad_fn
        return node(torch.ones(()))[0].detach()  # d(x·x)/dx by the nodes' own backward functions

    def by_hand(module, name, *args):  # (as in the child: after the top level's run with autograd off)
        with observe.TopLevelOff():
            pass
        return observe.call_by_hand(module, name, *args)

    module = types.SimpleNamespace(manual=manual, honest=lambda x: 2 * x)
    outcome = by_hand(module, "manual", torch.ones(3))
    assert outcome["autograd_calls"] == 0 and outcome["graph_nodes"] == 2
    with pytest.raises(Fail, match="built a graph for autograd while it ran"):
        no_autograd(outcome, "manual(x)")
    honest = by_hand(module, "honest", torch.ones(3))
    assert honest["graph_nodes"] == 0 and no_autograd(honest, "honest(x)") is None
    with counting_autograd():  # (the child's thread starts, counted) a thread the function starts and joins counts in
        def in_a_thread(x):  # its block: its nodes are numbered on its own thread
            box = []
            worker = threading.Thread(target=lambda: box.append(manual(x)))
            worker.start()
            worker.join()
            return box[0]

        module.in_a_thread = in_a_thread
        threaded = by_hand(module, "in_a_thread", torch.ones(3))
    assert threaded["graph_nodes"] == 4 and threaded["threads"] == 0, threaded  # (in both of its calls: a thread's
    # dispatch keys are its own, so autograd is on there even in the call that switches it off)
    observe.UNCOUNTED.add(-1)  # red team 69: a thread the file started at import, outside any count, did the work
    try:
        beside = by_hand(module, "honest", torch.ones(3))
    finally:
        observe.UNCOUNTED.discard(-1)
    with pytest.raises(Fail, match="while 1 thread"):
        no_autograd(beside, "honest(x)")


def test_no_process_of_the_submissions_own_runs_out_of_the_counts(grade_source):
    """Red team 66: ``predict`` forked, built the whole graph in the forked process (whose counters the probe never
    reads) and sent the values back through a pipe: 16/16 for 15/16. The child may start threads, not processes."""
    body = ("    import ast\n    import os\n    reader, writer = os.pipe()\n    if os.fork() == 0:\n"
            "        os.write(writer, str((x @ w + b).detach().tolist()).encode())\n        os._exit(0)\n"
            "    return torch.tensor(ast.literal_eval(os.read(reader, 1 << 20).decode()))\n")
    source = solution_text("exercise_4").replace("    with torch.no_grad():\n        return x @ w + b\n", body, 1)
    assert body in source
    result = grade_source("exercise-4", source)
    predict = {c.name: c.feedback for c in result.checks if c.name.startswith("predict")}
    assert predict and all("PermissionError" in feedback for feedback in predict.values()), predict


def test_the_probes_hook_on_x_is_out_of_reach(grade_source):
    """Red team 64: ``getattr(x, "_backward" + "_hooks")`` handed over the hook exercise 5's probe puts on x, and a
    throwaway graph's hook fed it 2 f'(x) by hand twice (12/12 for 11/12). A library's private name on an instance is
    refused to a computed lookup, so the function raises where it looked."""
    body = ("    kept = getattr(x, '_backward' + '_hooks')\n    for hook in list(kept.values()):\n"
            "        hook(torch.zeros_like(x))\n")
    source = solution_text("exercise_5").replace("    out = polynomial(x)\n    out.backward(retain_graph=True)\n",
                                                 body + "    out = polynomial(x)\n    out.backward(retain_graph=True)\n", 1)
    assert body in source and tampering_door(source) == ""
    feedback = {c.name: c.feedback for c in grade_source("exercise-5", source).checks}["backward_twice"]
    assert "AttributeError" in feedback and "does not let a submission look up '_backward_hooks'" in feedback, feedback


def test_a_frozen_dataclass_sets_no_modules_attribute(grade_source):
    """A frozen dataclass's ``__init__`` sets its fields with ``object.__setattr__``, which passes by a read-only
    module's own rules: ``Frozen.__init__(torch, fake)``, a field named ``is_grad_enabled``, replaced torch's while a
    probe ran (found in this session's review of red team 58's fix). It sets no module's attribute now."""
    top = ("import dataclasses\n\n\n@dataclasses.dataclass(frozen=True)\nclass _Setter:\n"
           "    is_grad_enabled: object\n\n\n")
    source = solution_text("exercise_5").replace("import torch\n", top + "import torch\n", 1).replace(
        "    return (2 * x**4", "    _Setter.__init__(torch, torch.is_grad_enabled)\n    return (2 * x**4", 1)
    assert tampering_door(source) == ""
    result = grade_source("exercise-5", source)
    assert result.score == 0
    assert "a dataclass sets the fields of its own instances, not those of a" in result.checks[0].feedback


def test_classes_libraries_write_code_for_still_work(grade_source):
    """What ``dataclasses`` (frozen, ordered, slotted, a field named ``self``), ``namedtuple`` and ``typing.NamedTuple``
    write and run for a submission's honest classes reaches no door."""
    top = ("import collections\nimport dataclasses\nimport typing\n\n\n"
           "@dataclasses.dataclass(frozen=True, order=True)\nclass _A:\n    a: int\n    b: list = "
           "dataclasses.field(default_factory=list)\n\n\n@dataclasses.dataclass(slots=True, kw_only=True)\nclass _B:\n"
           "    self: int = 0\n    x: 'int' = 1\n\n\nclass _N(typing.NamedTuple):\n    x: int\n    y: float = 1.0\n\n\n"
           "_P = collections.namedtuple('_P', 'a b', defaults=[1])\n")
    use = ("    assert _A(1) < _A(2) and _B(self=3).self == 3 and _N(1).y == 1.0 and _P(0).b == 1\n"
           "    return (2 * x**4")
    source = solution_text("exercise_5").replace("import torch\n", top + "import torch\n", 1).replace(
        "    return (2 * x**4", use, 1)
    result = grade_source("exercise-5", source)
    assert result.score == result.max_score, {c.name: c.feedback for c in result.checks if not c.passed}


HUBCONF = "def fix():\n    return 'ran'\n"


@pytest.mark.parametrize("loader", ["sys.path", "torch.hub", "torch.hub with a .pyc"])
def test_a_module_the_submission_wrote_does_not_run(grade_source, loader):
    """Red team 56: a file written into the scratch folder and imported (``sys.path``, ``torch.hub.load``'s
    ``hubconf.py``, ``unittest``'s ``discover``) ran code no reading had seen, with the real builtins. Now no such
    module is found, no such file compiled, and no ``.pyc`` of one read (one made ready beside it is not used)."""
    import importlib.util
    import marshal

    name = "tabnanny" if loader == "sys.path" else "hubconf"  # (a module of the standard library's name, which a
    write = f"    open('{name}.py', 'w').write({HUBCONF!r})\n"  # submission may import, that none has imported yet)
    if loader == "torch.hub with a .pyc":  # the .pyc of another source, stamped with this one's time and size
        code = marshal.dumps(compile(HUBCONF.replace("'ran'", "'pyc'"), "hubconf.py", "exec"))
        head = importlib.util.MAGIC_NUMBER + bytes(4)
        write += (f"    stamp = int(os.stat('hubconf.py').st_mtime).to_bytes(4, 'little')\n"
                  f"    os.makedirs('__pycache__', exist_ok=True)\n    open('__pycache__/hubconf.'"
                  f" + sys.implementation.cache_tag + '.pyc', 'wb').write({head!r} + stamp"
                  f" + ({len(HUBCONF)}).to_bytes(4, 'little') + {code!r})\n")
    run = ("    sys.path.insert(0, os.getcwd())\n    import tabnanny\n    ran = tabnanny.fix()\n" if loader == "sys.path"
           else "    ran = torch.hub.load(os.getcwd(), 'fix', source='local', trust_repo=True, verbose=False)\n")
    source = solution_text("exercise_5").replace("import torch\n", "import os\nimport sys\nimport torch\n", 1).replace(
        "    return (2 * x**4", write + run + "    assert ran == 'never'\n    return (2 * x**4")
    assert tampering_door(source) == ""
    feedback = grade_source("exercise-5", source).checks[0].feedback
    wanted = "import a module it wrote (tabnanny)" if loader == "sys.path" else "run a file it wrote (hubconf.py)"
    assert f"the grader does not let a submission {wanted}" in feedback, feedback


def test_the_builtins_are_read_only_to_the_submission(grade_source):
    """Past the reading and the guard (``doors=False``, and the module imported as ``import builtins``), the builtins
    module itself refuses a change from the submission: only torch's code sets its attributes (``torch.export``)."""
    source = solution_text("exercise_5").replace("import torch\n", "import builtins\nimport torch\n", 1).replace(
        "    return (2 * x**4", "    builtins.isinstance = lambda obj, cls: True\n    return (2 * x**4")
    result = grade_source("exercise-5", source, doors=False)
    assert result.score == 0
    assert "module 'builtins' is read-only in the grader's sandbox: isinstance cannot be set" in \
        result.checks[0].feedback


def test_a_tensor_class_that_lies_about_autograd_is_described_as_torch_sees_it(grade_source):
    """Red team 51: a tensor class given a ``__torch_function__`` after its ``class`` statement answered ``requires_grad``,
    ``grad_fn`` and ``is_leaf`` for the probes: a tracked prediction and a copy that was not detached passed (14/16).
    The child describes a tensor through torch's C base class with torch functions off (``sandbox/tensorbase.py``):
    past the reading, both checks fail as they do without the lie."""
    liar = ("class Liar(torch.Tensor):\n    pass\n\n\n"
            "_HIDE = {torch.Tensor.grad_fn.__get__: None, torch.Tensor.requires_grad.__get__: False,\n"
            "         torch.Tensor.is_leaf.__get__: True}\n\n\n"
            "def _answer(cls, func, types, args=(), kwargs=None):\n    for k, v in _HIDE.items():\n"
            "        if func == k:\n            return v\n"
            "    return super(Liar, cls).__torch_function__(func, types, args, kwargs)\n\n\n"
            "Liar.__torch_function__ = classmethod(_answer)\n")
    wrong = solution_text("exercise_4").replace(*PREDICT_TRACKED).replace(
        "    return (x @ w + b).detach()\n", "    return (x @ w).add(b).as_subclass(Liar)\n").replace(
        "    return t.detach().clone()\n", "    return t.as_subclass(Liar)\n")
    honest = wrong.replace("as_subclass(Liar)", "as_subclass(torch.Tensor)") + "\n" + liar.split("\n\n\n")[0] + "\n"
    lying = wrong + "\n" + liar
    failed = {check.name for check in grade_source("exercise-4", honest).checks if not check.passed}
    assert {"predict_builds_no_graph", "detached_copy_untracked"} <= failed
    assert {check.name for check in grade_source("exercise-4", lying, doors=False).checks if not check.passed} == failed
    assert tampering_door(lying).startswith("sets a special method from outside its class (Liar.__torch_function__)")


def test_a_tensor_class_with_its_own_dispatch_is_refused_when_described(grade_source):
    """Red team 152: a tensor class given ``__torch_dispatch__`` through a mixin the reading could not name ran that hook
    inside the description of the tensor a function returned (torch functions off do not switch off dispatch, and
    switching dispatch off crashes torch on a wrapper tensor). Past the reading, such a tensor is refused by what torch
    sets on it (its Python dispatch key): the check fails saying so, and the others keep their points."""
    mixin = ("class Mixin:\n    @classmethod\n    def __torch_dispatch__(cls, func, types, args=(), kwargs=None):\n"
             "        return torch.full((3,), 24.0)\n\n\nMIXINS = [Mixin]\n\n\n"
             "class Liar(MIXINS[0], torch.Tensor):\n    pass\n\n\n")
    source = solution_text("exercise_2").replace("def gradient_manual(x):", mixin + "def gradient_manual(x):", 1)
    source = source.replace("    return 12 * (3 * x + 2) / x.numel()", "    return torch.zeros_like(x).as_subclass(Liar)")
    assert tampering_door(source).startswith("makes tensors that answer for autograd themselves (Liar.")
    checks = {check.name: check for check in grade_source(SLUG, source, doors=False).checks}
    assert not checks["gradient_manual_values"].passed
    assert "a class with its own __torch_dispatch__ (Liar)" in checks["gradient_manual_values"].feedback, \
        checks["gradient_manual_values"].feedback
    assert all(checks[name].passed for name in FORWARD + GRADIENTS)


def tampering_door(source: str) -> str:
    from autograd_exercises.judge import tampering

    found = tampering.door(source)
    return found[0] if found else ""


def test_terminal_escapes_leave_every_report_well_formed(grade_source):
    from autograd_exercises.reports import FORMATS

    result = grade_source(SLUG, (HOSTILE / "terminal_escapes.py").read_text(), timeout=TIMEOUT)
    assert "Score: 10/10" in result.checks[-1].output  # the text is kept, its control characters are not
    ET.fromstring(FORMATS["junit"]([result]))
    json.loads(FORMATS["json"]([result]))
    assert "\x1b" not in FORMATS["text"]([result], verbose=True, color=False)


def test_fake_score_prints_do_not_reach_json_stdout(tmp_path):
    """End to end: `grade exercise-2 FILE --format json` in a real subprocess prints one JSON document."""
    submission = tmp_path / "exercise_2.py"
    shutil.copy(HOSTILE / "print_fake_score.py", submission)
    grade = shutil.which("grade", path=os.path.dirname(sys.executable))
    command = [grade] if grade else [sys.executable, "-c", "from autograd_exercises.cli import run; run()"]
    proc = subprocess.run(command + [SLUG, str(submission), "--format", "json", "--seed", "1", "--timeout", "5"],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)  # the whole of stdout is one JSON document: no fake score mixed in
    assert (report["score"], report["max_score"], report["output"].split("\n")[0]) == (7, 10, "exercise-2: 6/8")
    manual = [test for test in report["tests"] if "gradient_manual" in test["name"]]
    assert len(manual) == 2 and all(test["score"] == 0 for test in manual)
    assert all("10/10" in test["output"] for test in manual)  # the prints are kept, as text inside one check


# ---------------------------------------------------------------- the fork-server itself


def test_server_killed_between_submissions_is_replaced(sandbox, grade_source):
    old_pid, old_root = sandbox.server_pid, sandbox.scratch_root
    os.kill(old_pid, signal.SIGKILL)
    since = boot_ticks()
    time.sleep(0.1)
    result = grade_source(SLUG, solution_text("exercise_2"), timeout=TIMEOUT)
    assert result.score == result.max_score, {c.name: c.feedback for c in result.checks}
    assert sandbox.server_pid != old_pid
    assert not os.path.exists(old_root), "the killed server's scratch root was left behind"
    assert_clean_afterwards(sandbox, since)


def test_server_killed_during_a_grading_loses_nothing(sandbox, clean_points):
    """What kill_parent does where signals can leave the sandbox, done from outside: no child survives, and
    the killed one-child run is graded again one child per check, so only the hanging checks are lost."""
    import graders
    from autograd_exercises import grading
    from autograd_exercises.submission import Submission

    old_pid, old_root, since = sandbox.server_pid, sandbox.scratch_root, boot_ticks()
    timer = threading.Timer(0.5, os.kill, (old_pid, signal.SIGKILL))
    timer.start()
    try:
        source = Submission("sleep_forever.py", (HOSTILE / "sleep_forever.py").read_bytes())
        result = grading.grade(graders.find(SLUG), source, sandbox=sandbox, seed=0, timeout=TIMEOUT)
    finally:
        timer.cancel()
    checks = {check.name: check for check in result.checks}
    assert sandbox.server_pid != old_pid and not os.path.exists(old_root)
    for name in set(ALL) - set(MANUAL):
        assert checks[name].points == clean_points[name], checks[name].feedback
    assert all(not checks[name].passed for name in MANUAL)
    time.sleep(0.2)  # the orphaned child gets its parent-death signal
    assert_clean_afterwards(sandbox, since)


def test_server_killed_during_a_check_fails_only_that_check(sandbox):
    """One child per check: the check whose child was running when its server died fails, saying why."""
    import graders
    from autograd_exercises import grading

    check = graders.find(SLUG).check("gradient_manual_values")
    cases = grading.make_cases(graders.find(SLUG), check, 0)
    old_pid, since = sandbox.server_pid, boot_ticks()
    timer = threading.Timer(1.0, os.kill, (old_pid, signal.SIGKILL))  # the child sleeps in gradient_manual by then
    timer.start()
    try:
        run = sandbox.run(source=(HOSTILE / "sleep_forever.py").read_bytes(), filename="exercise_2.py",
                          module="exercise_2", probe=check.probe_ref, inputs=grading._serialize(cases), timeout=5.0)
    finally:
        timer.cancel()
    assert run.status == "crashed" and "killed during this check" in run.result["message"], (run.status, run.result)
    assert sandbox.server_pid != old_pid
    time.sleep(0.2)
    assert_clean_afterwards(sandbox, since)


def test_hung_server_is_replaced_instead_of_hanging_the_grader(sandbox, grade_source, monkeypatch):
    from autograd_exercises import grading

    monkeypatch.setattr(sandbox, "response_margin", 1.0)
    old_pid, since = sandbox.server_pid, boot_ticks()
    os.kill(old_pid, signal.SIGSTOP)
    start = time.monotonic()
    run = sandbox.run(source=solution_text("exercise_2").encode(), filename="exercise_2.py", module="exercise_2",
                      probe=None, inputs=grading._serialize([]), timeout=0.5)
    assert run.status == "crashed" and "stopped answering" in run.result["message"]
    assert time.monotonic() - start < 10 and sandbox.server_pid != old_pid
    result = grade_source(SLUG, solution_text("exercise_2"), timeout=TIMEOUT)
    assert result.score == result.max_score
    assert_clean_afterwards(sandbox, since)


# ---------------------------------------------------------------- what must not cross between submissions


PREVIOUS_MARKER = "AUTOGRAD-PREVIOUS-SUBMISSION:fedcba9876543210"  # leak_previous_submission.py keeps it reversed


def test_no_submission_sees_the_previous_one(sandbox, grade_source):
    earlier = solution_text("exercise_2").replace(
        "    return 12 * (3 * x + 2) / x.numel()\n",
        f"    print({PREVIOUS_MARKER!r})\n    raise ValueError({PREVIOUS_MARKER!r})\n")
    assert PREVIOUS_MARKER in earlier
    grade_source(SLUG, earlier, timeout=TIMEOUT)
    result = grade_source(SLUG, (HOSTILE / "leak_previous_submission.py").read_text(), timeout=TIMEOUT, doors=False)
    assert result.score == result.max_score, {c.name: c.output[:300] for c in result.checks if not c.passed}


# ---------------------------------------------------------------- without bubblewrap


CANARY_SUBMISSION = '''
import os

import torch


def forward(x):
    y = 3 * x + 2
    y.retain_grad()
    z = 2 * y**2
    return y, z, z.mean()


def gradients(x):
    y, z, out = forward(x)
    out.backward()
    return x.grad, y.grad


def gradient_manual(x):
    info, changed, refused = os.stat(CANARY), [], []
    for what, change in (("chmod", lambda: os.chmod(CANARY, info.st_mode & 0o7777)),
                         ("utime", lambda: os.utime(CANARY, ns=(info.st_atime_ns, info.st_mtime_ns))),
                         ("chown", lambda: os.chown(CANARY, info.st_uid, info.st_gid))):
        try:
            change()
            changed.append(what)
        except OSError as exc:
            refused.append(f"{what}: {exc.strerror}")
    if not changed:
        raise PermissionError(f"refused: {refused}")
    print("changed a root-owned file:", changed)
    return 12 * (3 * x + 2) / x.numel()
'''

WITHOUT_BUBBLEWRAP = """
import json, sys
import graders
from autograd_exercises import grading
from autograd_exercises.sandbox import Sandbox
from autograd_exercises.submission import Submission

with Sandbox(namespaces=False) as box:
    box.wait_ready()
    result = grading.grade(graders.find("exercise-2"), Submission("<canary>", sys.stdin.buffer.read()), sandbox=box,
                           seed=0, timeout=5.0)
print(json.dumps({"layers": box.layers, "checks": {c.name: [c.points, c.feedback] for c in result.checks}}))
"""


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0 or not shutil.which("unshare"),
                    reason="the uid-0 child (capabilities dropped) exists only where the grader is root")
def test_without_bubblewrap_root_files_stay_unchanged(tmp_path):
    """Sandbox(namespaces=False), run in a throw-away PID namespace so that nothing outside it can be reached."""
    canary = tmp_path / "canary"
    canary.write_text("root-owned")
    os.chmod(canary, 0o644)
    before = os.stat(canary)
    source = CANARY_SUBMISSION.replace("CANARY", repr(str(canary)))
    proc = subprocess.run(["unshare", "--pid", "--fork", "--mount-proc", "--kill-child", sys.executable, "-c",
                           WITHOUT_BUBBLEWRAP], input=source.encode(), capture_output=True, timeout=180,
                          cwd=HOSTILE.parents[1])
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    report = json.loads(proc.stdout.decode().strip().splitlines()[-1])
    if "capabilities-dropped" not in report["layers"]:
        pytest.skip(f"the child switches uids here ({', '.join(report['layers'])})")
    after = os.stat(canary)
    assert (after.st_mode, after.st_uid, after.st_ctime_ns) == (before.st_mode, before.st_uid, before.st_ctime_ns)
    for name in MANUAL:
        assert report["checks"][name][0] == 0 and "refused" in report["checks"][name][1], report["checks"][name]


def test_a_star_import_past_the_reading_binds_no_door(grade_source):
    """Red teams 93 and 94: ``from gc import *``, read where the doors reading did not look (a class body that binds
    the name too), bound ``get_objects`` and ``get_referents``, which walked from the probes' fresh objects to their
    counts (full marks on exercises 1, 4, 5 and 6). With the reading off, the run alone binds neither (nor any
    other door a star import of a door module would bind), and the rest of gc's names as Python would."""
    top = ("import torch\nfrom gc import *\nfrom inspect import *\nfrom types import *\n\n\nclass _K:\n"
           "    found = [name for name in ('get_objects', 'get_referents', 'get_referrers', 'stack', 'currentframe',\n"
           "                               'FunctionType', 'CodeType') if name in globals()]\n"
           "    get_objects = get_referents = None\n\n\n"
           "assert _K.found == [], _K.found\nassert callable(collect) and callable(signature) and SimpleNamespace\n")
    full_marks_past_the_reading(grade_source, top)  # (the reading refuses globals() and the star-bound doors)


def test_the_standard_library_asks_inspect_for_no_frame_on_the_submissions_behalf(grade_source):
    """Red team 95: ``functools.cached_property(inspect.stack)`` on an ``int`` subclass of the file's own had the
    standard library call ``inspect.stack``, which handed over functools' frame and every frame below it, the probes'
    among them; ``cgitb.lookup`` then read their globals, the live counts (full marks on exercises 1 to 4 and 6). While
    the submission's code runs, ``inspect``'s and ``logging``'s frame handers hand a frame to no caller but the
    packages trusted with frames (and themselves): here with the doors reading off (it now knows ``tool.stack`` through
    an alias, and ``cgitb``)."""
    top = ("import contextlib\nimport functools\nimport inspect\nimport logging\nimport torch\n\n\nclass _K(int):\n"
           "    frames = functools.cached_property(inspect.stack)\n\n\n_v = []\ntry:\n    _K(0).frames\n"
           "except RuntimeError as error:\n    _v.append(str(error))\n"
           "for _hander in (inspect.currentframe, logging.currentframe):\n    try:\n"
           "        with contextlib.ExitStack() as _stack:\n            _stack.callback(_hander)\n"
           "    except RuntimeError as error:\n        _v.append(str(error))\n"
           "assert len(_v) == 3 and all(\"call stack's frames\" in v for v in _v), _v\n"
           "logging.getLogger('demo').warning('honest logging still finds its caller')\n")
    full_marks_past_the_reading(grade_source, top)


def test_a_librarys_lookup_by_a_dotted_name_reads_no_traceback_frame(grade_source):
    """Red team 96: ``xmlrpc.server.resolve_dotted_attribute`` (plain ``getattr`` per dotted part, in its own frame)
    read the submission's own traceback's ``tb_frame``, then ``f_back`` and ``f_globals`` down to the probes' live
    counts (full marks on exercises 1 to 4 and 6). While the submission runs, no standard-library code but
    ``traceback`` reads a traceback's frame, and the builtins' ``getattr`` reads a frame's or a traceback's door for
    no caller; ``traceback.format_exc()`` still works. With the doors reading off (it now knows
    ``resolve_dotted_attribute``)."""
    top = ("import string\nimport sys\nimport traceback\nimport torch\n"
           "from xmlrpc.server import resolve_dotted_attribute\n\n\n_v = []\ntry:\n    raise ValueError('demo')\nexcept ValueError:\n    _tb = sys.exc_info()[2]\n"
           "    assert 'demo' in traceback.format_exc()\n"
           "for _read in (lambda: resolve_dotted_attribute(_tb, 'tb_frame'),\n"
           "              lambda: string.Formatter().get_field('0.tb_frame', (_tb,), {})):\n    try:\n        _read()\n"
           "    except (AttributeError, RuntimeError) as error:\n        _v.append(str(error))\n"
           "assert len(_v) == 2 and all('the grader does not let' in v for v in _v), _v\n")
    full_marks_past_the_reading(grade_source, top)


def test_no_unpickler_looks_a_global_up_while_the_submission_runs(grade_source):
    """Red team 97: ``multiprocessing.reduction.ForkingPickler.loads`` is ``pickle.loads`` under a name no reading knew;
    a protocol-4 pickle of a dotted name read ``…run_backward.__globals__`` off ``__main__`` in C, the probes' live
    counts (full marks on all six exercises). While the submission runs, no unpickler looks up a global (the audit
    event ``pickle.find_class``), whatever its name; plain data still round-trips. With the doors reading off."""
    import math
    import pickle

    import torch

    named = [pickle.dumps(math.sqrt, protocol=4), pickle.dumps(torch.autograd.grad, protocol=4)]  # (pickled here)
    top = ("import pickle\nimport torch\nfrom multiprocessing.reduction import ForkingPickler\n\n\n"
           "assert ForkingPickler.loads(pickle.dumps([1, 2.5, 'x'])) == [1, 2.5, 'x']\n_v = []\n"
           f"for _data in {named!r}:\n    try:\n"
           "        ForkingPickler.loads(_data)\n    except RuntimeError as error:\n        _v.append(str(error))\n"
           "assert len(_v) == 2 and all('unpickle a global' in v for v in _v), _v\n")
    full_marks_past_the_reading(grade_source, top)


def test_a_format_string_reads_no_traceback_frame_for_the_submission(grade_source):
    """Own attack on red team 96's fix: ``logging.Formatter(style="{")`` formats a record whose argument is the
    submission's own traceback with a field ``{args[0].tb_frame.f_back…f_globals}``: ``str.format`` walks it in C, in
    logging's frame, where only the ``tb_frame`` read raises an audit event. While the submission runs, logging (no
    reader of tracebacks) gets no traceback's frame; an honest log line still formats. With the doors reading off
    (it refuses a format string built as the file runs)."""
    top = ("import logging\nimport sys\nimport torch\n\n\ntry:\n    raise ValueError('demo')\nexcept ValueError:\n"
           "    _tb = sys.exc_info()[2]\n"
           "_path = '.'.join(['emarf_bt'[::-1]] + ['kcab_f'[::-1]] * 3 + ['slabolg_f'[::-1]])\n"
           "_record = logging.LogRecord('n', 20, 'p', 1, 'm%.0s', (_tb,), None)\n_v = []\ntry:\n"
           "    logging.Formatter('{args[0].' + _path + '}', style='{').format(_record)\n"
           "except RuntimeError as error:\n    _v.append(str(error))\n"
           "assert len(_v) == 1 and \"call stack's frames\" in _v[0], _v\n"
           "assert logging.Formatter('{levelname}: {message}', style='{').format(_record) == 'INFO: m'\n")
    full_marks_past_the_reading(grade_source, top)


# -- red team 99: counts the child's Python objects hold, changed through a walk in C ----------------------------------

PROBES_SPACE = ("import pathlib\n\n_WALK = type(pathlib.PurePath.drive.fget)  # operator.attrgetter: a dotted name read "
                "in C\n\n\ndef _n(text):\n    return ''.join(reversed(text))  # (names no reading follows)\n\n\n"
                "_space = _WALK(_n('__slabolg__.drawkcab_nur.enigne_noitucexe_.elbairaV.elbairav.dargotua'))(torch)\n")
# (red team 99's walk to the probes' namespace: torch.autograd.variable.Variable._execution_engine.run_backward's globals)


def _autograd_then_counts_set_back(body: str) -> str:
    """A function body (4 spaces in) that runs ``body`` (which sets ``out``), then sets the child's counters back:
    the backward passes counted and the graph nodes made on this thread, as red team 99 did."""
    return ("    calls, blocks, count = _space['AUTOGRAD_CALLS'], _space['GRAPH_BLOCKS'], _space['_SEQUENCE']\n"
            "    before, start = dict(calls), count()\n" + body +
            "    made = count() - start\n    calls.update(before)\n    blocks[-1]['made'] -= made\n    return out\n")


def test_a_by_hand_function_that_sets_the_counts_back_still_used_autograd(grade_source):
    """Red team 99: exercise 1's by-hand derivative asked ``torch.func.grad``, then set the backward passes counted and
    the graph nodes made back to their values before (10/10 for 9/10). The engine numbers every pass it runs in C
    (:func:`observe.backward_pass_mark`), and a block's own record never lowers the nodes this thread made: the
    by-hand check fails."""
    source = solution_text("exercise_1") + "\n\n" + PROBES_SPACE + (
        "\n\ndef polynomial_grad_manual(x):\n" + _autograd_then_counts_set_back(
            "    out = _WALK(_n('darg.cnuf'))(torch)(lambda leaf: polynomial(leaf).sum())(x)\n"))
    result = grade_source("exercise-1", source, doors=False)
    failed = {check.name: check.mistake for check in result.checks if not check.passed}
    assert set(failed.values()) == {"autograd-in-by-hand"} and len(failed) == 1, failed


def test_a_predict_that_lowers_its_node_count_still_built_a_graph(grade_source):
    """Red team 99, exercise 4: ``predict`` built a graph, detached it, and took the nodes it made off its block's
    record (16/16 for 15/16): the nodes autograd numbered on this thread are counted from C, never lowered."""
    source = solution_text("exercise_4") + "\n\n" + PROBES_SPACE + (
        "\n\ndef predict(x, w, b):\n    blocks, count = _space['GRAPH_BLOCKS'], _space['_SEQUENCE']\n"
        "    start, out = count(), []\n    for row in x.reshape(-1, x.shape[-1]):\n        z = b\n"
        "        for i, v in enumerate(row.tolist()):\n            z = z + v * w[i]  # (saves no tensor)\n"
        "        out.append(z)\n    z = torch.stack(out).reshape(*x.shape[:-1], w.shape[-1]).detach()\n"
        "    blocks[-1]['made'] -= count() - start\n    return z\n")
    result = grade_source("exercise-4", source, doors=False)
    assert [check.mistake for check in result.checks if not check.passed] == ["predict-builds-graph"]


def test_two_graphs_with_made_up_second_reads_keep_their_score(grade_source):
    """Red team 99, exercise 5: the two-graph answer added a made-up backward pass to each saved value's readers
    (through the counting block's read hook's closure): 12/12 for 11/12. A read counts only for a pass the engine
    numbered while the block ran."""
    forgery = ("def _both_read():\n    read = _space['COUNTING'][-1][1]\n    for cell in read.__closure__:\n"
               "        found = cell.cell_contents\n        if type(found) is list:\n"
               "            for readers in found:\n                if type(readers) is set and len(readers) == 1:\n"
               "                    readers.add(-97)\n")
    source = (solution_text("exercise_5").replace(*TWO_GRAPHS).replace(
        "    polynomial(x).backward()\n    polynomial(x).backward()\n",
        "    polynomial(x).backward()\n    polynomial(x).backward()\n    _both_read()\n") + "\n\n" + PROBES_SPACE
        + "\n\n" + forgery)
    assert "_both_read()\n" in source.split("def _both_read")[0]
    assert _kept_its_score(grade_source("exercise-5", source, doors=False))


def test_a_training_loop_by_hand_with_made_up_passes_still_fails(grade_source):
    """Red team 99, exercise 6: ``train`` computed each step's gradients by hand, added the passes and the gradients
    a backward pass would have delivered to the watch's record, and added to the count of passes (12/12 for 9/12).
    The engine ran no pass: its own count is what the check reads, and the watch may not keep more passes."""
    train = ("\n\ndef train(x, y, w, b, lr, steps):\n"
             "    calls, records = _space['AUTOGRAD_CALLS'], list(_space['DELIVERIES'])\n    losses = []\n"
             "    for _ in range(steps):\n        loss = loss_fn(x, y, w, b)\n        losses.append(loss.item())\n"
             "        with torch.no_grad():\n            error = 2 * (x @ w + b - y) / y.numel()\n"
             "            gw, gb = x.T @ error, error.sum(dim=0)\n            for record in records:\n"
             "                if len(record['passes']) < record['limit']:\n"
             "                    record['passes'].append({'w': [gw.double().clone()], 'b': [gb.double().clone()]})\n"
             "            w -= lr * gw\n            b -= lr * gb\n    calls['backward'] += steps\n"
             "    return losses, w, b\n")
    result = grade_source("exercise-6", solution_text("exercise_6") + "\n\n" + PROBES_SPACE + train, doors=False)
    failed = {check.mistake for check in result.checks if not check.passed}
    assert failed == {"train-without-autograd"} and result.score < 12, failed


COURIER_BESIDE_A_THREADS_PASS = '''

def _slope(x):
    x = x.detach()
    return 8 * x**3 + 3 * x**2 + 6 * x + 5


def _courier(x):
    ready, release = threading.Event(), threading.Event()

    def honest():
        z = x.detach().clone().requires_grad_()
        t = 2 * z**4 + z**3 + 3 * z**2 + 5 * z + 1
        t.register_hook(lambda grad: (ready.set(), release.wait(5))[0] and None)
        t.sum().backward()

    worker = threading.Thread(target=honest)

    def hold(grad):
        worker.start()
        ready.wait(5)

    prod = x * _slope(x)
    prod.register_hook(hold)
    prod.sum().backward()
    release.set()
    worker.join()
'''


def test_a_pass_held_open_on_another_thread_lends_its_root_to_none(grade_source):
    """Red team 126, exercise 5: the slope by hand, carried into x.grad by ``(x * g).sum().backward()``, while a hook
    of that pass started a thread whose honest pass of polynomial(x) it held open: the watch read the process's
    innermost pass, so the courier's pass differentiated polynomial(x) to the reading (11/12 for 10/12). Each thread's
    passes are its own now."""
    source = solution_text("exercise_5").replace("import torch\n", "import threading\n\nimport torch\n", 1).replace(
        "    for _ in range(steps):\n        polynomial(x).backward()\n    return x.grad\n",
        "    for _ in range(steps):\n        _courier(x)\n    return x.grad\n", 1) + COURIER_BESIDE_A_THREADS_PASS
    assert "_courier(x)" in source
    checks = {check.name: check for check in grade_source("exercise-5", source).checks}
    assert not checks["accumulated_grad"].passed, checks["accumulated_grad"].feedback
    assert "a backward pass that filled x.grad in accumulated_grad" in checks["accumulated_grad"].feedback


WALL_ATTEMPT = '''import sys


def _namespaces():
    """The child's and the guard's namespaces, through a grader object the child leaves in the world: the finder it
    puts on sys.meta_path, and the builtins' getattr."""
    found = []
    for finder in sys.meta_path:
        try:
            space = type(finder).find_spec.__globals__
        except AttributeError:  # (a finder of a built-in class)
            continue
        if str(space.get("__name__", "")).startswith("autograd_exercises"):
            found.append(space)
    found.append(getattr.__globals__)
    return found


def _open_the_wall():
    """Everything the old hook read at each event, set so that it would hand this file a frame: the packages it
    trusts, the scratch folder, where library code lies, its re-entrancy flag; and the builtins it looked up."""
    for space in _namespaces():
        trusted = space.get("_FRAMES_TRUSTED")
        if isinstance(trusted, dict):
            for key in list(trusted):
                trusted[key] = ("",)
        for name, value in (("_WRITTEN", "\\x01"), ("_SUBMISSION", "\\x01"), ("_LIBRARY", ("",))):
            if isinstance(space.get(name), list):
                space[name][0] = value
        if "_ASKING" in space:
            space["_ASKING"].now = True
    builtins = getattr.__globals__["__builtins__"]
    builtins = builtins if isinstance(builtins, dict) else vars(builtins)
    kept = dict(builtins)
    try:
        for name in ("type", "str", "isinstance", "Exception", "RuntimeError", "bytes"):
            builtins[name] = lambda *args, **kwargs: None
        try:
            frame = sys._getframe(1)
        except BaseException as error:
            return error
    finally:
        builtins.update(kept)
    raise SystemExit(f"the wall handed a frame: {frame.f_code.co_name}")


_REFUSED = _open_the_wall()
assert "does not let a submission reach the call stack's frames" in str(_REFUSED), _REFUSED
'''


def test_the_wall_holds_when_every_namespace_it_once_read_is_changed(grade_source):
    """Own attack after red team 99: the child's namespace lies behind the finder it puts on ``sys.meta_path`` (the
    guard's behind the builtins' ``getattr``), and its audit hook read them at each event: setting ``_ASKING.now``
    there handed this file every frame below it, the probes' with their live counts. The wall (``sandbox/wall.py``)
    decides by closures made once, over values and C functions: with the trusted packages, the scratch folder, where
    library code lies and the builtins it would look up all changed, it still refuses the frame, and the solution
    keeps every point."""
    full_marks_past_the_reading(grade_source, "import torch\n" + WALL_ATTEMPT)


WALK_TB = '''import traceback


def _frame_of_my_own_error():
    """Red team 100: traceback.walk_tb, an allowed reader of tb_frame, handed the file the frame, and f_back led to
    the probes' frames, with their live outcome dicts."""
    try:
        raise ValueError
    except ValueError as error:
        walker = traceback.walk_tb(error.__traceback__)
    try:
        return next(walker)[0]
    except RuntimeError as refused:
        return refused


def _summaries():
    """What honest code asks traceback for: summaries and text, which hand no frame on."""
    try:
        raise KeyError("k")
    except KeyError:
        text = traceback.format_exc()
    return text, traceback.extract_stack(), traceback.format_stack(), traceback.extract_tb(None)


_REFUSED = _frame_of_my_own_error()
assert "does not let a submission reach the call stack's frames" in str(_REFUSED), _REFUSED
_TEXT = _summaries()
assert "KeyError" in _TEXT[0] and _TEXT[1], _TEXT
'''


def test_tracebacks_frame_walkers_hand_no_frame_to_their_consumer(grade_source):
    """Red team 100 took a frame through ``traceback.walk_tb``: ``traceback`` may read a traceback's frame, and its
    walker hands each frame to whoever resumes it. The wall now refuses a frame read in one of ``traceback``'s
    generators that another's code consumes while the submission runs; ``format_exc``, ``extract_stack`` and the rest
    of traceback's summaries (which consume the walkers themselves) work as before, and the solution keeps every
    point."""
    full_marks_past_the_reading(grade_source, "import torch\n" + WALK_TB)


REAL_THREAD_START = '''import threading


def _real_start():
    """The real start_new_thread, from the cells of the child's counting wrapper (red team 100 read them in C)."""
    for cell in threading._start_new_thread.__closure__ or ():
        if getattr(cell.cell_contents, "__name__", "") in ("start_new_thread", "start_joinable_thread"):
            return cell.cell_contents
    raise LookupError("no real starter")


def _in_thread(work):
    done, box = threading.Lock(), []
    done.acquire()

    def run():
        try:
            box.append(work())
        finally:
            done.release()

    start = _real_start()
    try:
        start(run, ())
    except TypeError:
        start(run)
    done.acquire()
    return box[0]
'''


def test_a_thread_started_past_the_counting_is_seen_by_the_kernel(grade_source):
    """Red team 100, exercise 4: ``predict`` built its graph on a thread started with the real ``start_new_thread``,
    reached through the cells of the child's counting wrapper: the thread was nobody's count, and autograd numbers
    each thread's nodes apart (16/16 for 15/16). The kernel says the child had a thread started, and one alive, while
    ``predict`` ran (the wall reads ``/proc``, in the sandbox's own pid namespace): the check fails."""
    predict = ("\n\ndef predict(x, w, b):\n    return _in_thread(lambda: (x @ w + b).detach())\n")
    result = grade_source("exercise-4", solution_text("exercise_4") + "\n\n" + REAL_THREAD_START + predict, doors=False)
    failed = {check.name: check.feedback for check in result.checks if not check.passed}
    assert list(failed) == ["predict_builds_no_graph"], failed
    assert "leave them out" in failed["predict_builds_no_graph"]


def test_forward_mode_with_its_count_set_back_still_fails_the_by_hand_check(grade_source):
    """Red team 100: exercise 1's by-hand derivative used forward-mode AD (``dual_level``, ``make_dual``,
    ``unpack_dual``, through names no reading follows), which runs no backward pass and makes no backward node, and
    set its only trace, the count in Python, back (10/10 for 9/10). The child now holds forward-mode AD's one level
    while a by-hand function runs: a level asked for is refused by torch itself, the function is run again for its
    values, and the by-hand check fails."""
    manual = ("\n\ndef polynomial_grad_manual(x):\n    calls = _space['AUTOGRAD_CALLS']\n    before = dict(calls)\n"
              "    tool = _WALK(_n('da_drawrof.dargotua'))(torch)\n    with _WALK('dual_level')(tool)():\n"
              "        out = polynomial(_WALK('make_dual')(tool)(x.detach(), torch.ones_like(x)))\n"
              "        tangent = _WALK('unpack_dual')(tool)(out)[1]\n    calls.update(before)\n"
              "    return tangent.detach().clone()\n")
    result = grade_source("exercise-1", solution_text("exercise_1") + "\n\n" + PROBES_SPACE + manual, doors=False)
    failed = {check.name: check.feedback for check in result.checks if not check.passed}
    assert list(failed) == ["polynomial_grad_manual_by_hand"], failed
    assert "asked for forward-mode AD" in failed["polynomial_grad_manual_by_hand"]


RUNNING_GENERATOR = '''import asyncio
import heapq


def _stack_of_a_running_generator():
    """Red team 101: asyncio reads a running standard-library generator's gi_frame (heapq.merge, calling this key
    now), and get_stack follows f_back down the live stack to the probes' frames."""
    box = []

    def key(value):
        if not box:
            loop = asyncio.new_event_loop()
            task = asyncio.Task(merging, loop=loop)
            task._log_destroy_pending = False
            try:
                box.append(task.get_stack())
            except RuntimeError as refused:
                box.append(refused)
            loop.close()
        return value

    merging = heapq.merge([1], [2], key=key)
    list(merging)
    return box[0]


_REFUSED = _stack_of_a_running_generator()
assert "running now, on the call stack (gi_frame)" in str(_REFUSED), _REFUSED
'''

NO_FILES_LEFT = ("import resource\n\n_, _HARD = resource.getrlimit(resource.RLIMIT_NOFILE)\n"
                 "resource.setrlimit(resource.RLIMIT_NOFILE, (0, _HARD))  # (red team 101: the wall reads /proc)\n")


def test_a_running_generators_frame_is_the_live_stack(grade_source):
    """Red team 101 reached the probes' frames through ``asyncio.Task(gen).get_stack()`` on a standard-library
    generator running at that moment (``heapq.merge``, from inside its key callback): the frame of a running generator
    has the live stack below it. The wall refuses it to anyone while the submission runs; the solution keeps every
    point."""
    full_marks_past_the_reading(grade_source, "import torch\n" + RUNNING_GENERATOR)


def test_a_kernel_the_wall_cannot_read_fails_the_by_hand_check(grade_source):
    """Red team 101 built ``predict``'s graph on a thread started past the counting and set its open-file limit to 0
    first, so the wall could not read ``/proc`` and the kernel's count of threads went unread (16/16 for 15/16): an
    unread count now fails the check."""
    predict = ("\n\ndef predict(x, w, b):\n" + "".join("    " + line + "\n" for line in NO_FILES_LEFT.splitlines() if line)
               + "    return _in_thread(lambda: (x @ w + b).detach())\n")
    result = grade_source("exercise-4", solution_text("exercise_4") + "\n\n" + REAL_THREAD_START + predict, doors=False)
    failed = {check.name: check.feedback for check in result.checks if not check.passed}
    assert list(failed) == ["predict_builds_no_graph"], failed
    assert "could not be asked about its threads" in failed["predict_builds_no_graph"]


def test_names_set_for_the_length_of_a_call_and_put_back_change_no_count(grade_source):
    """Our own attack after red team 100: the by-hand function set ``observe.backward_pass_mark`` and ``_SEQUENCE`` to
    stand-ins that answer the values before it ran, took autograd's derivative, set the count in Python back, and put
    the real names back from the ``__del__`` of an attribute of the tensor it returned, after the counts were read and
    before the watch compared the names (10/10 for 9/10). What reads the engine and the kernel after the function ran
    holds them as defaults now (``tests/test_observe.py``): the by-hand check fails."""
    manual = ("\n\nclass _Restore:\n    def __init__(self, space, saved):\n        self.space, self.saved = space, saved\n\n"
              "    def __del__(self):\n        self.space.update(self.saved)\n\n\n"
              "def polynomial_grad_manual(x):\n"
              "    saved = {name: _space[name] for name in ('backward_pass_mark', '_SEQUENCE')}\n"
              "    start, seen = saved['_SEQUENCE'](), saved['backward_pass_mark']()\n"
              "    before = dict(_space['AUTOGRAD_CALLS'])\n"
              "    _space['backward_pass_mark'], _space['_SEQUENCE'] = (lambda: seen), (lambda: start)\n"
              "    out = _WALK(_n('darg.cnuf'))(torch)(lambda leaf: polynomial(leaf).sum())(x).detach().clone()\n"
              "    _space['AUTOGRAD_CALLS'].update(before)\n    out.put_back = _Restore(_space, saved)\n    return out\n")
    result = grade_source("exercise-1", solution_text("exercise_1") + "\n\n" + PROBES_SPACE + manual, doors=False)
    failed = {check.name: check.mistake for check in result.checks if not check.passed}
    # (the function runs twice: its second call keeps the first's stand-ins as the names to put back, and the watch
    # then finds the probes' names changed, which fails every check)
    assert failed == {"polynomial_grad_manual_by_hand": "autograd-in-by-hand"} or \
        set(failed.values()) == {"reaches-grader"} and "polynomial_grad_manual_by_hand" in failed, failed
    assert result.score <= 9, {check.name: check.feedback for check in result.checks if check.passed}


DEFAULTS_SWAP = '''import torch

_SPACE = torch.autograd.variable.Variable._execution_engine.run_backward.__globals__
_CALL = _SPACE["_call"]
assert _CALL.__kwdefaults__ is None  # (a dict of them was changed in place, with no audit event)
try:
    _CALL.__defaults__ = (lambda: 0,) + _CALL.__defaults__[1:]
except RuntimeError as refused:
    _REFUSED = refused
assert "does not let code change a function's __defaults__" in str(_REFUSED), _REFUSED
'''


def test_the_defaults_the_probes_hold_are_a_tuple_no_code_changes(grade_source):
    """Our own attack on the sealed readers: keyword-only defaults are a dict that whoever reaches the function changes
    in place (``call.__kwdefaults__["_mark"] = …``, no audit event); they are positional now, a tuple, and the wall
    refuses to replace a grader function's ``__defaults__``. The solution keeps every point."""
    full_marks_past_the_reading(grade_source, DEFAULTS_SWAP)


def test_a_tangent_at_the_childs_own_forward_mode_level_loses_the_by_hand_point(grade_source):
    """Red team 101 (10/10 on exercises 1 to 3): a by-hand function took its derivative with torch's raw ``_make_dual``
    and ``_unpack_dual`` at ``level=0``, the forward-mode level the child holds while it runs, under names no reading
    followed; no count sees a tangent. The function now runs first with autograd's dispatch keys excluded, where no
    tangent is carried: it returned zeros there (here, built in a closure the by-hand reading does not follow, and with
    the doors reading off), and only its by-hand point is lost."""
    source = solution_text("exercise_1").replace("def polynomial_grad_manual(x):", (
        "def _maker():\n    def inner(x):\n        dual = torch._make_dual(x, torch.ones_like(x), level=0)\n"
        "        tangent = torch._unpack_dual(polynomial(dual), level=0)[1]\n"
        "        return torch.zeros_like(x) if tangent is None else tangent\n    return inner\n\n\n"
        "def polynomial_grad_manual_unused(x):"), 1) + "\npolynomial_grad_manual = _maker()\n"
    result = grade_source("exercise-1", source, doors=False)
    checks = {check.name: check for check in result.checks}
    assert result.score == 9, [check.feedback for check in result.checks if not check.passed]
    assert "run with autograd switched off it returned other values" in checks["polynomial_grad_manual_by_hand"].feedback


RED_TEAM_102 = (
    "\n\ndef polynomial_grad_manual(x):\n    if _note[1:]:\n        return _note.pop()\n"
    "    with torch.inference_mode(False):\n        tool = _note[0]\n"
    "        tangent = tool.unpack_dual(polynomial(tool.make_dual(x, torch.ones_like(x), level=0)), level=0)[1]\n"
    "    out = torch.zeros_like(x) if tangent is None else tangent.clone()\n    _note.append(out.clone())\n"
    "    return out\n\n\n_note = []\n\n\ndef _run(f):\n    f()\n    return f\n\n\n"
    "@_run\ndef _demo():\n    return polynomial_grad(torch.tensor(2.0))\n")


def test_a_by_hand_function_that_turns_autograd_back_on_and_answers_its_second_call_from_its_first(grade_source):
    """Red team 102 (10/10 for 9/10 on exercise 1): in its first call, which runs with autograd's dispatch keys
    excluded, ``torch.inference_mode(False)`` put them back for a block (and torch took them out again as it left),
    where ``forward_ad.make_dual(…, level=0)`` took the derivative at the child's own level; the second call returned
    the first's answer, so the two agreed and the second counted nothing. ``forward_ad`` came from a list that
    ``polynomial_grad`` filled when a decorator of the file's own called a demo at import. Each of three readings now
    fails it: the counts are of both calls, ``inference_mode(False)`` turns autograd on to the by-hand reading, and a
    function a decorator of the file's own may call runs at the top level to the saved-answers reading. Now the list
    is empty where the by-hand function runs (the top level ran with autograd off): both of its checks fail."""
    source = solution_text("exercise_1").replace(
        "    polynomial(x).sum().backward()\n    return x.grad\n",
        "    polynomial(x).sum().backward()\n    for box in (_note,):\n        box.append(torch.autograd.forward_ad)\n"
        "    return x.grad\n", 1).replace("def polynomial_grad_manual(x):", "def _polynomial_grad_manual_unused(x):", 1)
    result = grade_source("exercise-1", source + RED_TEAM_102)
    failed = {check.name: check.mistake for check in result.checks if not check.passed}
    assert failed == {"polynomial_grad_manual_values": "raised",
                      "polynomial_grad_manual_by_hand": "autograd-in-by-hand"}, failed


@pytest.mark.usefixtures("torch_autograd_saves")
def test_each_of_red_team_102s_readings_fails_it_alone():
    """The two readings of the source, each on its own (the run's count of both calls: ``tests/test_observe.py``)."""
    from autograd_exercises.judge import static

    inference = "import torch\n{}\n\ndef manual(x):\n    with {}:\n        return 2 * x\n"
    for before, mode in [("", "torch.inference_mode(False)"), ("", "torch.inference_mode(**{'mode': False})"),
                         ("IM = torch.inference_mode\nM = False", "IM(M)"),  # (red team 103: under other names)
                         ("from torch import inference_mode as IM", "IM(False)")]:
        found = static.autograd_use(inference.format(before, mode), "manual")
        assert found and "may turn autograd back on" in found[0].what, (mode, found)
    for mode in ("torch.inference_mode()", "torch.inference_mode(True)", "torch.inference_mode(mode=True)"):
        assert static.autograd_use(inference.format("", mode), "manual") == [], mode
    saved = ("import torch\n\nANSWERS = []\n\n\ndef _run(f):\n    f()\n    return f\n\n\n@_run\ndef _demo():\n"
             "    x = torch.ones(2, requires_grad=True)\n    (x * x).sum().backward()\n    for box in (ANSWERS,):\n"
             "        box.append(x.grad)\n\n\n"
             "def manual(x):\n    return ANSWERS[0]\n")
    assert "computes its answer from ANSWERS" in static.autograd_use(saved, "manual")[0].what
    assert static.autograd_use(saved.replace("@_run\n", "@torch.no_grad()\n"), "manual") == []


def test_torch_func_runs_in_the_autograd_off_run_and_the_engine_still_counts_it(grade_source):
    """Our own attack on the autograd-off run: ``torch.func.grad`` keeps dispatch keys of its own, so it differentiates
    even where the by-hand function's first run excludes autograd's, and both runs agree. Its passes run on the engine,
    whose count (of both runs) fails the by-hand check; reached through names no reading follows, doors off."""
    manual = ("\n\ndef polynomial_grad_manual(x):\n"
              "    return _WALK(_n('darg.cnuf'))(torch)(lambda t: polynomial(t).sum())(x).detach().clone()\n")
    result = grade_source("exercise-1", solution_text("exercise_1") + "\n\n" + PROBES_SPACE + manual, doors=False)
    failed = {check.name: check.feedback for check in result.checks if not check.passed}
    assert list(failed) == ["polynomial_grad_manual_by_hand"], failed
    assert "called backward()/torch.autograd.grad" in failed["polynomial_grad_manual_by_hand"]
