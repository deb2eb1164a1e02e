"""The sandbox without root, as students and most instructors run it, graded again in CI (which runs as root).

A grader without root gets other layers: no uid switch and no cgroups; each child keeps the grader's own uid,
inside bubblewrap's user namespace, under landlock, seccomp and rlimits. The root suite tests the other set,
so this test runs the attack and isolation tests once more as an unprivileged uid, in a throw-away mount and
PID namespace (``tests/unprivileged_view.py``): an attack that escaped could reach nothing outside it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.unprivileged_view import closed_above

ROOT_DIR = Path(__file__).resolve().parents[1]
UID = 64_999  # no account: nothing on the machine runs as it
# Two halves, each its own test, so that the outer suite's workers share them (one of 130 s, started last, set the
# whole suite's length): the attacks, and the sandbox's layers. Each with the passes it must at least have, and the
# tests that must pass in it: those only an unprivileged grader runs (skipped under root) prove the run had no root.
GROUPS = {
    "attacks": (["tests/test_hostile.py",
                 "tests/test_classroom.py::test_a_hostile_submission_changes_nobody_elses_score"], 90,
                ["test_a_hostile_submission_changes_nobody_elses_score"]),
    "layers": (["tests/test_sandbox.py", "tests/test_isolation.py", "tests/test_secret_inputs.py",
                "tests/test_layers_in_sandbox.py"], 30, ["test_drop_privileges_is_a_noop_when_not_root"]),
}

pytestmark = [
    pytest.mark.unprivileged,
    pytest.mark.skipif(sys.platform != "linux" or not hasattr(os, "geteuid") or os.geteuid() != 0,
                       reason="drops from root to an unprivileged uid (CI runs as root)"),
    pytest.mark.skipif(shutil.which("unshare") is None or shutil.which("mount") is None,
                       reason="needs util-linux's unshare and mount"),
]


def _cases(report: Path) -> dict[str, str]:
    """Each test case of a JUnit report → passed, skipped, failed or error."""
    outcomes = {}
    for case in ET.parse(report).getroot().iter("testcase"):
        kinds = {child.tag for child in case}
        outcome = "failed" if "failure" in kinds else "error" if "error" in kinds else \
            "skipped" if "skipped" in kinds else "passed"
        outcomes[f"{case.get('classname')}::{case.get('name')}"] = outcome
    return outcomes


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_the_attack_tests_pass_for_an_unprivileged_grader(group: str) -> None:
    tests, least, required = GROUPS[group]
    paths = [os.path.realpath(path) for path in (sys.base_prefix, sys.prefix, ROOT_DIR)]
    shut = [path for path in paths if closed_above(path) == path]
    if shut:
        pytest.skip(f"closed to other users, so no unprivileged uid can run from here: {', '.join(shut)}")
    home = Path(tempfile.mkdtemp(prefix="unprivileged-grader-"))
    try:
        os.chown(home, UID, UID)
        report = home / "report.xml"
        spec = {"uid": UID, "home": str(home), "cwd": str(ROOT_DIR),
                "paths": [*paths, str(home)],
                # one process: beside the outer suite's other worker, no more processes than cores (timing tests)
                "command": [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "0",
                            f"--junitxml={report}", *tests]}
        proc = subprocess.run(["unshare", "--mount", "--pid", "--fork", "--mount-proc", "--kill-child",
                               sys.executable, str(ROOT_DIR / "tests" / "unprivileged_view.py"), json.dumps(spec)],
                              capture_output=True, text=True, timeout=900, cwd=ROOT_DIR)
        tail = (proc.stdout + proc.stderr)[-4000:]
        assert proc.returncode == 0, tail
        outcomes = _cases(report)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    wrong = {name: outcome for name, outcome in outcomes.items() if outcome in ("failed", "error")}
    assert not wrong, (wrong, tail)
    passed = [name for name, outcome in outcomes.items() if outcome == "passed"]
    assert len(passed) >= least, (len(passed), tail)  # every file ran
    for name in required:
        assert any(case.endswith("::" + name) for case in passed), (name, tail)
