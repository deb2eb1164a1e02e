"""The text report in a real terminal (tmux), not only through click's runner.

The report must take the terminal's own width: at 80 columns no row may be
wider than the terminal (the terminal would wrap it into a garble), and at 120
columns it uses the room. ``COLUMNS`` is unset, so the width comes from the
terminal itself.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid

import pytest

from tests.conftest import mutate, solution_text

TMUX = shutil.which("tmux")
pytestmark = pytest.mark.skipif(TMUX is None, reason="tmux is not installed (apt-get install -y tmux)")
DONE = "__GRADE_DONE__"


def run_in_terminal(command: str, columns: int, cwd, timeout: float = 120.0) -> tuple[list[str], list[str]]:
    """Run ``command`` in a detached tmux terminal ``columns`` wide; (screen lines, lines as written).

    The second list joins the lines the terminal wrapped (``capture-pane -J``): it equals
    the first when no line was wider than the terminal.
    """
    socket = f"grade-test-{uuid.uuid4().hex[:8]}"
    tmux = [TMUX, "-L", socket, "-f", "/dev/null"]
    script = f"cd {shlex.quote(str(cwd))} && unset COLUMNS LINES && {command}; echo {DONE}; sleep 600"
    subprocess.run(tmux + ["new-session", "-d", "-x", str(columns), "-y", "200", "sh", "-c", script], check=True,
                   env={**os.environ, "TERM": "xterm-256color"})
    try:
        deadline = time.monotonic() + timeout
        while True:
            screen = subprocess.run(tmux + ["capture-pane", "-p", "-S", "-"], capture_output=True, text=True,
                                    check=True).stdout
            if DONE in screen or time.monotonic() > deadline:
                break
            time.sleep(0.3)
        joined = subprocess.run(tmux + ["capture-pane", "-p", "-J", "-S", "-"], capture_output=True, text=True,
                                check=True).stdout
    finally:
        subprocess.run(tmux + ["kill-server"], capture_output=True)
    assert DONE in screen, f"the command did not finish in {timeout} s:\n{screen}"

    def lines(text: str) -> list[str]:
        kept = [line.rstrip() for line in text.splitlines()]
        return kept[:kept.index(DONE)]

    return lines(screen), lines(joined)


@pytest.mark.parametrize("columns", [80, 120])
def test_report_fits_a_real_terminal(tmp_path, columns):
    (tmp_path / "exercise_2.py").write_text(mutate(solution_text("exercise_2"), ("out = z.mean()", "out = z.sum()")))
    grade = shutil.which("grade", path=os.path.dirname(sys.executable))
    command = shlex.quote(grade) if grade else f"{shlex.quote(sys.executable)} -m autograd_exercises.cli"
    screen, written = run_in_terminal(f"{command} exercise-2 --seed 1 --no-color --no-remember", columns, tmp_path)
    assert screen == written, "a line was wider than the terminal and wrapped"
    assert max(len(line) for line in screen) <= columns
    assert max(len(line) for line in screen) > columns - 15  # it uses the terminal's width, not a fixed one
    rows = {line.split()[1]: line for line in screen if line.strip().startswith(("✓", "✗"))}
    assert "0/2" in rows["forward_values"] and "2/2" in rows["gradient_manual_values"]  # each row starts whole
    assert screen[-1] == "Score: 4/10   seed 1 (rerun with --seed 1)"
