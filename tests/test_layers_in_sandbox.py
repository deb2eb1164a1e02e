"""Each isolation layer, seen from inside a real sandboxed child (the session's fork-server).

A spy submission prints what it can see at import time; the grader reads it
back as the child's output. On this machine (root, Python under a private
/root) every layer must be in force: the server in bubblewrap's namespaces, the
child as an unprivileged uid with its own scratch tmpfs and IPC namespace.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from autograd_exercises import grading

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="namespaces are Linux only")

SPY = r'''
import json, os, socket, sys
def importable(name):  # (not importlib.util.find_spec: a module hands no submission importlib, red team 55)
    try:
        return __import__(name) is not None
    except ImportError:
        return False
def status(name):
    return next(l.split(":", 1)[1].strip() for l in open("/proc/self/status") if l.startswith(name + ":"))
def attempt(fn):
    try:
        return fn()
    except OSError as exc:
        return f"denied: {exc.errno}"
facts = {"uid": os.getuid(), "pid": os.getpid(), "isolated": sys.flags.isolated,
         "pids": sorted(int(p) for p in os.listdir("/proc") if p.isdigit()),
         "ns": {n: attempt(lambda: os.readlink(f"/proc/self/ns/{n}")) for n in ("pid", "ipc", "net", "mnt", "uts")},
         "environ": attempt(lambda: open("/proc/self/environ", "rb").read().decode(errors="replace").split("\0")),
         "graders": importable("graders"),
         "root": attempt(lambda: sorted(os.listdir("/"))), "cwd": os.getcwd(), "hostname": socket.gethostname(),
         "seccomp": status("Seccomp"), "nnp": status("NoNewPrivs"), "capeff": status("CapEff"),
         "cgroup": open("/proc/self/cgroup").read(),
         "fonts": attempt(lambda: len(open("/etc/fonts/fonts.conf").read()) > 0),
         "fc_list": attempt(lambda: __import__("subprocess").run(["fc-list"], capture_output=True, text=True).stderr),
         "etc": attempt(lambda: sorted(os.listdir("/etc")))}
st = os.statvfs(".")
facts["scratch_bytes"], facts["scratch_inodes"] = st.f_blocks * st.f_frsize, st.f_files
try:
    socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    facts["inet"] = "allowed"
except OSError as exc:
    facts["inet"] = exc.errno
print(json.dumps(facts))
'''


@pytest.fixture(scope="module")
def facts(sandbox) -> dict:
    run = sandbox.run(source=SPY.encode(), filename="spy.py", module="spy", probe=None,
                      inputs=grading._serialize([]), timeout=10)
    assert run.status == "ok", (run.status, run.result, run.output)
    return json.loads(run.output.strip().splitlines()[-1])


def full_set(sandbox) -> bool:
    return "pid-namespace" in sandbox.layers


def test_this_machine_has_every_layer(sandbox):
    """This machine (root, bubblewrap, Landlock, libseccomp, cgroups v1) must get the whole set."""
    if shutil.which("bwrap") is None or os.geteuid() != 0:
        pytest.skip("needs root and bubblewrap")
    for layer in ("pid-namespace", "ipc-namespace", "network-namespace", "mount-namespace", "private-scratch",
                  "uid-switch", "rlimits", "no-new-privs", "seccomp", "seccomp-no-fork"):
        assert layer in sandbox.layers, sandbox.layers
    assert "capabilities-dropped" not in sandbox.layers


def test_child_is_an_unprivileged_uid_even_with_python_under_a_private_folder(sandbox, facts):
    if "uid-switch" not in sandbox.layers:
        pytest.skip("no uid switch here")
    from autograd_exercises.sandbox import isolation

    assert facts["uid"] == isolation.sandbox_uid(sandbox.slot) and facts["capeff"] == "0000000000000000"


def test_child_lives_in_its_own_namespaces(sandbox, facts):
    if not full_set(sandbox):
        pytest.skip("no bubblewrap namespaces here")
    mine = {n: os.readlink(f"/proc/self/ns/{n}") for n in ("pid", "ipc", "net", "mnt", "uts")}
    assert all(facts["ns"][n] != mine[n] for n in mine), (facts["ns"], mine)
    assert 1 in facts["pids"] and len(facts["pids"]) <= 4, facts["pids"]  # bwrap's init, the server, this child
    assert facts["hostname"] == "sandbox"


def test_child_sees_no_grader_files_and_no_grader_environment(sandbox, facts):
    assert not facts["graders"], "graders is importable in the child"
    environ = [entry for entry in facts["environ"] if entry] if isinstance(facts["environ"], list) else []
    assert not any("AUTOGRAD_GRADER_SECRET" in entry or "PYTEST" in entry for entry in environ), environ
    assert facts["isolated"] == 1  # python -I: no PYTHON* variables, no user site, no cwd on sys.path
    if full_set(sandbox) and isinstance(facts["root"], list):  # Landlock may refuse even the listing
        assert set(facts["root"]) <= {"usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32", "etc", "proc",
                                      "dev", "tmp", "scratch", "root", "work", "opt", "home", "srv", "var"}, facts["root"]


@pytest.mark.skipif(not os.path.exists("/etc/fonts/fonts.conf"), reason="no fontconfig here")
def test_fontconfig_is_readable_and_the_rest_of_etc_is_not_there(sandbox, facts):
    """A plot (matplotlib's fonts) reads fontconfig's files: without them every failed check's feedback showed
    "Fontconfig error" (fairness 16). Of /etc, the sandbox holds only what libraries need."""
    assert facts["fonts"] is True, facts["fonts"]
    if full_set(sandbox) and isinstance(facts["etc"], list):
        assert set(facts["etc"]) <= {"ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "fonts"}, facts["etc"]


def _host_font_cache_is_valid() -> bool:
    """``fc-list`` here, with no cache folder of its own, writes nothing and says nothing (``fc-cache -s`` made the
    system's cache, as ``.ci/run`` does)."""
    if shutil.which("fc-list") is None:
        return False
    nowhere = {"PATH": "/usr/bin:/bin", "HOME": "/nonexistent", "XDG_CACHE_HOME": "/nonexistent"}
    return subprocess.run(["fc-list"], capture_output=True, text=True, env=nowhere).stderr == ""


@pytest.mark.skipif(not _host_font_cache_is_valid(), reason="no fontconfig, or its system cache is stale here")
def test_a_plot_finds_fontconfig_s_system_cache(sandbox, facts):
    """matplotlib runs ``fc-list``: it read fontconfig's cache in ``/var/cache/fontconfig`` and printed nothing.
    Without that cache it wrote one of its own, which a non-root grader's child (no chmod, no utime) cannot:
    "Fontconfig error: No writable cache directories" in every failed check's feedback. Where the child may start
    no process at all (``seccomp-no-fork``), ``fc-list`` is refused outright and matplotlib keeps to its own fonts,
    silently (``tests/test_idiomatic_torch.py``'s plot)."""
    assert facts["fc_list"] == ("denied: 1" if "seccomp-no-fork" in sandbox.layers else ""), facts["fc_list"]


def test_scratch_is_a_small_private_tmpfs(sandbox, facts):
    if "private-scratch" not in sandbox.layers:
        pytest.skip("no private scratch here")
    assert facts["cwd"] == "/scratch"
    assert facts["scratch_bytes"] <= sandbox.limits.scratch_bytes
    assert facts["scratch_inodes"] <= sandbox.limits.scratch_inodes


def test_seccomp_no_new_privs_and_no_network(sandbox, facts):
    if "seccomp" in sandbox.layers:
        assert facts["seccomp"] == "2"
    assert facts["nnp"] == "1" and facts["inet"] != "allowed"


def test_child_counts_against_the_slots_cgroups(sandbox, facts):
    if "memory-cgroup" not in sandbox.layers:
        pytest.skip("no memory cgroup here")
    assert f"autograd-sandbox-{sandbox.slot}" in facts["cgroup"] or "memory:/\n" in facts["cgroup"], facts["cgroup"]


def test_server_file_system_holds_the_package_but_no_grader_or_solution(sandbox):
    """Seen from here through /proc/<server>/root: the package folder is there, graders/ and solutions/ are not."""
    if "mount-namespace" not in sandbox.layers:
        pytest.skip("no mount namespace here")
    import autograd_exercises
    import graders

    root = f"/proc/{sandbox.server_pid}/root"
    package = os.path.dirname(autograd_exercises.__file__)
    assert os.path.isfile(f"{root}{package}/sandbox/server.py")
    trusted = os.path.dirname(graders.__file__)
    assert not os.path.exists(f"{root}{trusted}/__init__.py"), "graders is visible to the fork-server"
    assert not os.path.exists(f"{root}{os.path.dirname(package)}/solutions")
    assert not os.access(f"{root}{package}", os.W_OK) or os.statvfs(f"{root}{package}").f_flag & os.ST_RDONLY


def test_an_autograder_run_as_root_refuses_a_partial_sandbox(monkeypatch, shared_sandbox):
    """As root, `--format json` without every layer is a one-line error, exit 3; --unsafe-root allows it."""
    from click.testing import CliRunner

    from autograd_exercises import cli, session
    from tests.conftest import SOLUTIONS

    monkeypatch.setattr(os, "geteuid", lambda: 0)
    with pytest.raises(session.GradingError, match="missing: uid-switch, seccomp"):
        session.require_full_sandbox([layer for layer in session.FULL_SANDBOX if layer not in ("uid-switch", "seccomp")])
    session.require_full_sandbox(session.FULL_SANDBOX)
    monkeypatch.setattr(session, "FULL_SANDBOX", session.FULL_SANDBOX + ("a-layer-nobody-has",))
    runner = CliRunner()
    solution = str(SOLUTIONS / "exercise_2.py")
    refused = runner.invoke(cli.main, ["exercise-2", solution, "--format", "json", "--no-remember"])
    assert refused.exit_code == 3 and "refusing to grade as root" in refused.output, refused.output
    assert refused.output.rstrip().endswith("(see the README's Safety section), or pass --unsafe-root"), refused.output
    with pytest.raises(session.SandboxMissing) as raised:  # an autograder's log names no option it lacks
        session.require_full_sandbox([])
    assert "--unsafe-root" not in str(raised.value)
    allowed = runner.invoke(cli.main, ["exercise-2", solution, "--format", "json", "--no-remember", "--unsafe-root"])
    assert allowed.exit_code == 0, allowed.output
    student = runner.invoke(cli.main, ["exercise-2", solution, "--no-remember"], env={"COLUMNS": "200"})
    assert student.exit_code == 0, student.output  # a student's own text run grades with what is there
