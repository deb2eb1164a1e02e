"""The ``grade`` command through click's runner and through a real subprocess."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest
from click.testing import CliRunner

from autograd_exercises.build.stubs import make_stub
from autograd_exercises.cli import main
from tests import notebook_cases
from tests.conftest import mutate, solution_text

SOLUTION = solution_text("exercise_2")
GRADESCOPE_TEST_KEYS = {"name", "score", "max_score", "status", "output", "visibility"}


@pytest.fixture()
def workdir(tmp_path, monkeypatch, shared_sandbox):
    """A fresh current folder; commands run through click's runner share the session's fork-server."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def invoke(*args: str, columns: int = 200):
    """The command through click's runner, in a terminal ``columns`` wide (wide: feedback stays on one line)."""
    return CliRunner(env={"COLUMNS": str(columns)}).invoke(main, list(args), catch_exceptions=False)


def test_solution_in_current_folder_is_found_and_scores_full(workdir):
    (workdir / "exercise_2.py").write_text(SOLUTION)
    result = invoke("exercise-2", "--seed", "3")
    assert result.exit_code == 0, result.output
    assert "Score: 10/10" in result.output and "seed 3" in result.output
    assert json.loads((workdir / ".grade_scores.json").read_text())["exercise-2"]["score"] == 10


def test_partial_score_exits_1_and_says_why(workdir):
    path = workdir / "mine.py"
    path.write_text(mutate(SOLUTION, ("out = z.mean()", "out = z.sum()")))
    result = invoke("exercise-2", str(path), "--seed", "1")
    assert result.exit_code == 1
    assert "Score: 4/10" in result.output
    assert "a sum where a mean belongs" in result.output


def test_json_is_gradescope_results(workdir):
    path = workdir / "stub.py"
    path.write_text(make_stub(SOLUTION, exercise_slug="exercise-2", source_name="s"))
    result = invoke("2", str(path), "--format", "json", "--seed", "7")
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["score"] == 0 and data["max_score"] == 10 and data["execution_time"] >= 0
    assert all(GRADESCOPE_TEST_KEYS <= set(test) for test in data["tests"])
    assert {test["status"] for test in data["tests"]} == {"failed"}
    assert {t["visibility"] for t in data["tests"]} == {"visible", "after_published"}
    assert data["extra_data"]["seed"] == 7
    assert data["extra_data"]["exercises"][0]["isolation"]  # the layers in force are reported
    assert all("rtol" in test["extra_data"]["tolerance"] for test in data["tests"])


def test_json_output_opens_with_the_visible_checks_score_whether_or_not_the_file_ran(workdir):
    """Walkthrough 62: a file that did not compile opened Gradescope's output with the whole score (0/10), every other
    with the visible checks' (6/8) and a line on the hidden ones: one scale for every submission."""
    (workdir / "exercise_2.py").write_text(SOLUTION.replace("out = z.mean()", "out = z.mean("))
    broken = json.loads(invoke("exercise-2", "--format", "json", "--seed", "1").output)["output"].splitlines()
    (workdir / "exercise_2.py").write_text(SOLUTION.replace("y.retain_grad()", "pass"))
    ran = json.loads(invoke("exercise-2", "--format", "json", "--seed", "1").output)["output"].splitlines()
    hidden = "exercise-2: that is the visible checks' score; 2 hidden checks (2 points) show once grades are published"
    assert broken[0] == "exercise-2: 0/8" and "does not compile" in broken[1] and broken[-1] == hidden
    assert ran == ["exercise-2: 6/8", hidden]


def test_junit_report_to_a_file(workdir):
    (workdir / "exercise_2.py").write_text(SOLUTION)
    result = invoke("exercise-2", "--format", "junit", "--output", "report.xml")
    assert result.exit_code == 0
    assert "10/10 points; junit report written to report.xml" in result.output
    suite = ElementTree.parse(workdir / "report.xml").getroot().find("testsuite")
    assert suite.get("name") == "exercise-2" and suite.get("tests") == "8" and suite.get("failures") == "0"


def test_syntax_error_is_graded_zero_with_its_line(workdir):
    (workdir / "exercise_2.py").write_text(SOLUTION.replace("out = z.mean()", "out = z.mean("))
    result = invoke("exercise-2")
    assert result.exit_code == 1
    assert "Score: 0/10" in result.output
    line = SOLUTION.splitlines().index("    out = z.mean()") + 1
    assert f"exercise_2.py does not compile: SyntaxError at line {line}: '(' was never closed\n" in result.output
    assert "\n    out = z.mean(\n" in result.output  # the offending line of code, under the message
    assert result.output.count("SyntaxError") == 1  # said once, not on every check
    assert result.output.count("not run (see above)") == 8
    assert "Traceback" not in result.output


TITLE_AND_CLEAR = "\x1b]0;PWNED\x1b\\\x1b[2J\x1b[H\x1b[32mScore: 10/10"  # set the window's title, clear, paint


@pytest.mark.parametrize("where", ["syntax error", "missing import", "commented magic"])
def test_the_students_text_reaches_no_terminal_as_escape_sequences(workdir, where):
    """Red team 158: the text report quotes the student's own lines (a syntax error's, an import's, a commented-out
    magic's) and names the file, straight from the source, not through the child's cleaned report: an escape sequence
    there set the terminal's title and cleared the screen to paint ``Score: 10/10``. Every such character is written
    as its escape, colours or not."""
    source = {"syntax error": SOLUTION.replace("out = z.mean()", f"out = z.mean(  # {TITLE_AND_CLEAR}"),
              "missing import": f"import zzzhelper  # {TITLE_AND_CLEAR}\n" + SOLUTION,
              "commented magic": f"# %time q = 5  # {TITLE_AND_CLEAR}\nprint(q)\n" + SOLUTION}[where]
    name = "x\x1b]0;T\x1b\\exercise_2.py"
    (workdir / name).write_text(source)
    for colour in ("--no-color", "--color"):
        result = invoke("exercise-2", name, colour)
        assert "\x1b]" not in result.output and "\x1b[2J" not in result.output, result.output
        assert "\\x1b]0;PWNED" in result.output and "graded x\\x1b]0;T" in result.output


def test_notebook_submission_is_graded_like_the_module(workdir):
    cells = [{"cell_type": "markdown", "metadata": {}, "source": "# hi"},
             {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": "%matplotlib inline\n" + SOLUTION}]
    (workdir / "exercise-2.ipynb").write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    result = invoke("exercise-2", "--seed", "2")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    "args, fragment",
    [
        (("exercise-2", "missing.py"), "Error: no such file: missing.py"),
        (("exercise-99", "x.py"), "Error: no exercise named"),
        (("exercise-2", "."), "Error: "),
    ],
)
def test_cannot_grade_exits_3_with_one_line(workdir, args, fragment):
    (workdir / "x.py").write_text(SOLUTION)
    result = invoke(*args)
    assert result.exit_code == 3, result.output
    assert fragment in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_a_symbolic_link_is_never_graded_nor_read(workdir, tmp_path_factory):
    secret = tmp_path_factory.mktemp("elsewhere") / "secret.txt"
    secret.write_text("TOKEN=do-not-print-me\n")
    (workdir / "exercise_2.py").symlink_to(secret)
    result = invoke("exercise-2", "exercise_2.py")
    assert result.exit_code == 3 and "do-not-print-me" not in result.output
    assert result.output == "Error: exercise_2.py is a symbolic link: submit the file itself\n"
    result = invoke("exercise-2")  # the student's own file is never a link either: none is found
    assert result.exit_code == 3 and "do-not-print-me" not in result.output, result.output


def test_broken_notebook_cannot_be_graded_and_says_where(workdir):
    (workdir / "broken.ipynb").write_text('{\n "cells": [\n  {"cell_type": "code",, "source": ""}\n ]\n}\n')
    result = invoke("exercise-2", "broken.ipynb")
    assert result.exit_code == 3
    assert result.output == ("Error: broken.ipynb is not a Jupyter notebook: its JSON is invalid at line 3, column 24 "
                             "(Expecting property name enclosed in double quotes)\n")


def test_a_notebook_nested_too_deeply_cannot_be_graded_and_says_so(workdir):
    (workdir / "deep.ipynb").write_text('{"cells": [' + "[" * 200_000 + "]" * 200_000 + "]}")
    result = invoke("exercise-2", "deep.ipynb")
    assert result.exit_code == 3
    assert result.output == "Error: deep.ipynb is not a Jupyter notebook: its JSON is nested too deeply\n"


def test_a_lone_surrogate_in_a_cell_is_graded_without_a_traceback(workdir):
    nb = notebook_cases.filled("exercise-2").nb
    nb["cells"].append({"cell_type": "code", "metadata": {}, "outputs": [], "source": "# \ud800 a lone surrogate"})
    (workdir / "odd.ipynb").write_text(json.dumps(nb))
    result = invoke("exercise-2", "odd.ipynb")
    assert result.exit_code == 0, result.output


def test_cells_whose_metadata_is_not_a_dict_are_plain_cells(workdir):
    """A student's notebook is any JSON: metadata that is a list (or nbgrader's entry a string) is no metadata."""
    nb = notebook_cases.filled("exercise-2").nb
    for index, cell in enumerate(nb["cells"]):
        cell["metadata"] = [] if index % 2 else {"nbgrader": "grade"}
    (workdir / "odd.ipynb").write_text(json.dumps(nb))
    result = invoke("exercise-2", "odd.ipynb")
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output


def test_a_file_with_more_code_than_a_submission_may_hold_is_refused_before_it_is_read(workdir):
    """Reading code (notes, by-hand checks) is the grader's own work, outside the sandbox: its size is bounded."""
    (workdir / "big.py").write_text(SOLUTION + "x = 1\n" * 50_000)
    notebook = notebook_cases.filled("exercise-2").nb
    notebook["cells"].append({"cell_type": "code", "metadata": {}, "outputs": [], "source": "x = 1\n" * 50_000})
    (workdir / "big.ipynb").write_text(json.dumps(notebook))
    many = notebook_cases.filled("exercise-2").nb
    many["cells"] += [{"cell_type": "code", "metadata": {}, "outputs": [], "source": "1"}] * 2000
    (workdir / "many.ipynb").write_text(json.dumps(many))
    result = invoke("exercise-2", "many.ipynb")
    assert result.exit_code == 3 and re.fullmatch(r"Error: many\.ipynb has 20\d\d code cells: a notebook may have at "
                                                  r"most 2000\n", result.output), result.output
    bloated = notebook_cases.filled("exercise-2").nb
    bloated["metadata"]["junk"] = [{}] * 1_100_000  # 20 MiB of these would take the grader half a gigabyte
    (workdir / "bloated.ipynb").write_text(json.dumps(bloated))
    result = invoke("exercise-2", "bloated.ipynb")
    assert result.exit_code == 3 and "its JSON holds about 2,2" in result.output and "(at most 1,000,000)" in \
        result.output, result.output
    for name in ("big.py", "big.ipynb"):
        result = invoke("exercise-2", name)
        assert result.exit_code == 3
        assert re.fullmatch(rf"Error: {name} holds 29\d KiB of code: a submission may hold at most 256 KiB\n",
                            result.output), result.output


def test_an_f_string_of_thousands_of_fields_is_refused_before_it_is_parsed(workdir):
    """Red team 48: Python 3.11 parses an f-string in time fields x length; 79,000 ``{t}`` fields (240 KB, under the
    code limit) took the grader's own process 15 s to read. A submission's braces are counted before any parse."""
    fields = "t = 0\nz = f'" + "{t}" * 20_000 + "'\n"
    (workdir / "fstr.py").write_text(SOLUTION + fields)
    notebook = notebook_cases.filled("exercise-2").nb
    notebook["cells"].append({"cell_type": "code", "metadata": {}, "outputs": [], "source": fields})
    (workdir / "fstr.ipynb").write_text(json.dumps(notebook))
    # red team 145: under a unicode_escape header, each `\x7b` is a brace to Python, not to a count of bytes
    escaped = "t = 0\nz = f'" + "\\x7bt}" * 20_000 + "'\n"
    (workdir / "escaped.py").write_text("# coding: unicode_escape\n" + SOLUTION + escaped)
    for name in ("fstr.py", "fstr.ipynb", "escaped.py"):
        result = invoke("exercise-2", name)
        assert result.exit_code == 3 and re.fullmatch(
            rf"Error: {name} has 200\d\d braces \('{{'\) in its code: a submission may have at most 10000 "
            r"\(thousands of f-string fields take Python seconds to parse\)\n", result.output), result.output


def test_nbformat_3_notebook_says_it_is_old_and_how_to_convert(workdir):
    (workdir / "old.ipynb").write_text(json.dumps({"nbformat": 3, "nbformat_minor": 0, "metadata": {},
                                                   "worksheets": [{"cells": []}]}))
    result = invoke("exercise-2", "old.ipynb")
    assert result.exit_code == 3
    assert "old.ipynb is an nbformat 3 notebook, an old format" in result.output
    assert "jupyter nbconvert --to notebook --nbformat 4 old.ipynb" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_nbformat_4_notebook_with_worksheets_is_not_called_old(workdir):
    """A notebook that says nbformat 4 but keeps nbformat 3's worksheets: the message says that, not "an nbformat 4
    notebook, an old format"."""
    (workdir / "mixed.ipynb").write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {},
                                                     "worksheets": [{"cells": []}]}))
    result = invoke("exercise-2", "mixed.ipynb")
    assert result.exit_code == 3 and len(result.output.strip().splitlines()) == 1
    assert "mixed.ipynb says it is nbformat 4 but keeps its cells under 'worksheets', as nbformat 3 did" in \
        result.output
    assert "old format" not in result.output
    assert "jupyter nbconvert --to notebook --nbformat 4 mixed.ipynb" in result.output


@pytest.mark.parametrize("args", [("exercise-2", "--format", "xml"), ("nonsense",), ("exercise-2", "--timeout", "0"),
                                  ("exercise-2", "--seed", "-5"), ("all", "--seed", "-1")])
def test_usage_errors_exit_2(workdir, args):
    assert invoke(*args).exit_code == 2


def test_list_shows_every_exercise_and_status(workdir):
    import graders

    (workdir / "exercise_2.py").write_text(SOLUTION)
    result = invoke("list")
    assert result.exit_code == 0
    for exercise in graders.EXERCISES:
        assert exercise.slug in result.output and exercise.title in result.output
    assert "started (exercise_2.py)" in result.output


def test_another_exercises_file_is_named(workdir):
    (workdir / "mine.py").write_text(solution_text("exercise_1"))
    result = invoke("exercise-2", "mine.py", columns=400)
    assert result.exit_code == 1
    assert ("✗ mine.py defines polynomial, polynomial_grad, polynomial_grad_manual, exercise-1's, and none of "
            "exercise-2's (forward, gradient_manual, gradients): is it exercise-1's file? Grade it with: grade "
            "exercise-1 mine.py") in result.output
    (workdir / "other.py").write_text("def helper(x):\n    return x\n")  # nobody's functions: no guess
    assert "Grade it with" not in invoke("exercise-2", "other.py").output


def grade_command() -> str:
    return shutil.which("grade", path=os.path.dirname(sys.executable)) or "grade"


def test_real_subprocess_keeps_student_prints_out_of_json(workdir):
    noisy = SOLUTION.replace("    y = 3 * x + 2\n", '    print(\'{"score": 999}\')\n    y = 3 * x + 2\n')
    (workdir / "exercise_2.py").write_text("print('10/10 all good')\n" + noisy)
    grade = shutil.which("grade", path=os.path.dirname(sys.executable)) or "grade"
    proc = subprocess.run([grade, "exercise-2", "--format", "json", "--seed", "4"], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["score"] == data["max_score"] == 10
    assert any('{"score": 999}' in test["output"] for test in data["tests"])  # shown, as the student's output


@pytest.mark.parametrize("environment", [{"PYTHONIOENCODING": "cp1252"},  # a Windows pipe or file
                                         {"LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}])
def test_real_subprocess_on_an_output_that_is_not_utf8(workdir, environment):
    (workdir / "exercise_2.py").write_text(SOLUTION)
    env = {key: value for key, value in os.environ.items() if key not in ("LANG", "LC_ALL", "LC_CTYPE")}
    runs = [subprocess.run([grade_command(), "exercise-2", "--seed", "4", *extra], capture_output=True, timeout=120,
                           env={**env, **environment}) for extra in ([], ["-o", "report.txt"], ["--format", "junit"])]
    assert [proc.returncode for proc in runs] == [0, 0, 0], [proc.stderr for proc in runs]
    assert not any(proc.stderr for proc in runs)
    assert b"Score: 10/10" in runs[0].stdout
    if "PYTHONIOENCODING" in environment:
        assert b"\n? gradients_x " in runs[0].stdout  # the mark cp1252 cannot show, replaced
    assert "✓" in (workdir / "report.txt").read_text(encoding="utf-8")  # a file is UTF-8 whatever the locale


def test_real_subprocess_missing_file(workdir):
    grade = shutil.which("grade", path=os.path.dirname(sys.executable)) or "grade"
    proc = subprocess.run([grade, "exercise-2", "nope.py"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 3
    assert proc.stderr.strip() == "Error: no such file: nope.py"


@pytest.mark.parametrize("redirect, said", [(">&-", "Error: standard output is closed: nothing could be shown"),
                                             (">/dev/full", "Error: cannot write the output: No space left on device")])
def test_an_output_that_cannot_be_written_is_one_error_line(workdir, redirect, said):
    """Red team 50: ``grade list >&-`` raised AttributeError (no stdout to flush), ``> /dev/full`` an OSError, from
    every command: a traceback. One line on standard error, exit status 3."""
    grade = shutil.which("grade", path=os.path.dirname(sys.executable)) or "grade"
    (workdir / "exercise_2.py").write_text(SOLUTION)
    for args in ("list", "exercise-2 --no-remember"):
        proc = subprocess.run(["bash", "-c", f"{shlex.quote(grade)} {args} {redirect}"], capture_output=True,
                              text=True, timeout=120)
        assert (proc.returncode, proc.stderr.strip()) == (3, said), proc.stderr


def test_a_current_folder_that_is_gone_is_one_error_line(workdir):
    """Red team 50: ``grade list`` in a folder deleted meanwhile raised FileNotFoundError from Path.cwd()."""
    grade = shutil.which("grade", path=os.path.dirname(sys.executable)) or "grade"
    for args in ("list", "start exercise-2"):
        proc = subprocess.run(["bash", "-c", f"mkdir gone && cd gone && rmdir ../gone && {shlex.quote(grade)} {args}"],
                              capture_output=True, text=True, timeout=120, cwd=workdir)
        assert proc.returncode == 3 and proc.stderr == \
            "Error: the current folder cannot be read (No such file or directory): cd into a folder first\n"


def test_a_report_never_overwrites_the_file_it_grades(workdir):
    """Red team 50: ``grade exercise-2 -o exercise_2.py`` replaced the student's file with its own report."""
    (workdir / "exercise_2.py").write_text(SOLUTION)
    for args in (("exercise-2", "-o", "exercise_2.py"), ("exercise-2", "exercise_2.py", "-o", "./exercise_2.py"),
                 ("all", "-o", "exercise_2.py")):
        result = invoke(*args)
        assert result.exit_code == 2 and "is the file being graded: the report would overwrite it" in result.output
    assert (workdir / "exercise_2.py").read_text() == SOLUTION


@pytest.mark.parametrize("command", [("exercise-2", "x.py"), ("class", "exercise-2", ".")])
def test_a_timeout_that_is_not_a_number_is_a_usage_error(workdir, command):
    """Red team 50: ``--timeout nan`` passed FloatRange (nan fails no comparison) and failed every check."""
    result = invoke(*command, "--timeout", "nan")
    assert result.exit_code == 2 and "'nan' is not a number of seconds" in result.output


def test_notebook_cells_run_like_jupyter(workdir):
    """A scratch cell that raises or does not compile costs that cell only, as under nbgrader autograde."""
    def cell(source):
        return {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": source}

    cells = [cell(SOLUTION), cell("forward(torch.ones(2, 3))\nraise RuntimeError('scratch')"), cell("def broken(:\n")]
    (workdir / "exercise-2.ipynb").write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    result = invoke("exercise-2", "--seed", "2")
    assert result.exit_code == 0, result.output
    assert "note: cell 3 does not compile, so none of it ran: SyntaxError at line 1: invalid syntax\n    def broken(:" \
        in result.output


def test_grade_all_everything_grades_every_exercise_in_one_run(workdir):
    import graders

    (workdir / "exercise_2.py").write_text(SOLUTION)
    result = invoke("all", "--everything", "--format", "json", "--seed", "5")
    assert result.exit_code == 1  # the other exercises are not started: zero
    data = json.loads(result.output)
    summary = {entry["exercise"]: entry["score"] for entry in data["extra_data"]["exercises"]}
    assert list(summary) == [exercise.slug for exercise in graders.EXERCISES]
    assert summary["exercise-2"] == 10 and sum(summary.values()) == 10
    assert data["max_score"] == sum(exercise.max_score for exercise in graders.EXERCISES)
    assert "exercise-1: 0/6\nnot started: no exercise_1.py or exercise-1.ipynb" in data["output"]  # (visible checks')
    assert {t["output"].splitlines()[-1] for t in data["tests"] if t["name"].startswith("exercise-1")} == {"not started"}


def test_start_in_a_folder_it_cannot_write_is_one_line_error(monkeypatch):
    monkeypatch.chdir("/proc/self")  # no file can be created here, even by root
    result = invoke("start", "exercise-2")
    assert result.exit_code == 3
    assert result.output.startswith("Error: cannot write /proc/") and "exercise_2.py" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_start_where_the_stub_s_name_is_a_folder_is_one_line_error(workdir):
    """Red team 50: a folder named exercise_2.py was reported as "kept your existing exercise_2.py", exit 0."""
    (workdir / "exercise_2.py").mkdir()
    result = invoke("start", "exercise-2")
    assert result.exit_code == 3
    assert result.output == f"Error: {workdir / 'exercise_2.py'} is a folder: move it away, then start again\n"


# -- issue #9: which file is graded, and what the report says about it ---------------------------------

ROOT = Path(__file__).resolve().parents[1]


def filled_notebook(slug: str = "exercise-2", *replacements: tuple[str, str]) -> str:
    """The shipped release notebook with its solution cells filled in (optionally mutated), as a student saves it."""
    source = json.loads((ROOT / "assignments" / "source" / slug / f"{slug}.ipynb").read_text())
    answers = {cell["id"]: "".join(cell["source"]) for cell in source["cells"]}
    notebook = json.loads((ROOT / "autograd_exercises" / "notebooks" / f"{slug}.ipynb").read_text())
    for cell in notebook["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("solution"):
            cell["source"] = mutate(answers[cell["id"]], *replacements) if replacements and any(
                old in answers[cell["id"]] for old, _ in replacements) else answers[cell["id"]]
    return json.dumps(notebook, indent=1)


def test_notebook_filled_in_wins_over_the_untouched_stub_and_the_header_names_it(workdir):
    assert invoke("start", "exercise-2").exit_code == 0
    (workdir / "exercise-2.ipynb").write_text(filled_notebook())
    result = invoke("exercise-2", "--seed", "1")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:2] == ["exercise-2 — Back-propagation through two layers",
                                              "graded exercise-2.ipynb (exercise_2.py is the untouched stub)"]
    assert "Score: 10/10" in result.output


def test_when_both_files_were_edited_the_last_saved_is_graded_and_the_report_says_how_to_pick_the_other(workdir):
    from autograd_exercises import session

    assert invoke("start", "exercise-2").exit_code == 0
    py, notebook = workdir / "exercise_2.py", workdir / "exercise-2.ipynb"
    py.write_text(SOLUTION)
    notebook.write_text(filled_notebook())
    os.utime(py, (1_000_000, 1_000_000))
    os.utime(notebook, (2_000_000, 2_000_000))
    chosen = session.target("exercise-2")
    assert chosen.path.name == "exercise-2.ipynb"
    assert chosen.choice == ("exercise_2.py was edited too, this one was saved last; "
                             "to grade the other: grade exercise-2 exercise_2.py")
    os.utime(notebook, (1_000_000, 1_000_000))  # saved at once (an autograder's upload): the .py file
    assert session.target("exercise-2").path.name == "exercise_2.py"
    assert "is the .py file (saved at the same time)" in session.target("exercise-2").choice


def test_a_notebook_run_and_saved_without_changes_is_still_untouched(workdir):
    from autograd_exercises import catalog, session

    assert invoke("start", "exercise-2").exit_code == 0
    notebook = workdir / "exercise-2.ipynb"
    data = json.loads(notebook.read_text())
    for cell in data["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [{"output_type": "stream", "name": "stdout", "text": "hi"}], 3
    data["metadata"]["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    notebook.write_text(json.dumps(data))
    assert session.untouched(notebook, catalog.find("exercise-2"))
    (workdir / "exercise_2.py").write_text(SOLUTION)
    assert session.target("exercise-2").choice == "exercise-2.ipynb is the untouched stub"


def test_no_submission_here_is_an_error_not_the_package_stub(workdir):
    result = invoke("exercise-2")
    assert result.exit_code == 3
    assert result.output == ("Error: no exercise_2.py or exercise-2.ipynb here "
                             "(run 'grade start exercise-2', or give the file)\n")
    assert not (workdir / ".grade_scores.json").exists()


def test_an_exercise_that_does_not_exist_says_so_without_a_path(workdir):
    result = invoke("exercise-9")
    assert result.exit_code == 3
    assert result.output.startswith("Error: no exercise named 'exercise-9' (choose from exercise-1, ")
    assert "grade start" not in result.output


def test_grade_all_grades_what_was_started_and_lists_the_rest(workdir):
    (workdir / "exercise_2.py").write_text(SOLUTION)
    result = invoke("all", "--seed", "5")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[-2:] == ["not started: exercise-1, exercise-3, exercise-4, exercise-5, exercise-6 "
                          "(grade start exercise-N)",
                          "Total: 10/10 for the exercises started (60 more points not started)"]
    assert "exercise-1 —" not in result.output and "not implemented yet" not in result.output
    data = json.loads(invoke("all", "--seed", "5", "--format", "json").output)
    assert [entry["exercise"] for entry in data["extra_data"]["exercises"]] == ["exercise-2"]
    assert [entry["exercise"] for entry in data["extra_data"]["not_started"]][:2] == ["exercise-1", "exercise-3"]
    assert (data["score"], data["max_score"]) == (10, 10)


@pytest.mark.parametrize("args, message", [
    (("all", "--dir", "/nonexistent"), "Error: no such folder: /nonexistent\n"),
    (("all",), "Error: no exercise started in .: no exercise_N.py or exercise-N.ipynb "
               "(run 'grade start exercise-1', or 'grade all --everything' to count them all)\n"),
])
def test_grade_all_with_nothing_to_grade_fails(workdir, args, message):
    result = invoke(*args)
    assert result.exit_code == 3
    assert result.output == message


def test_only_py_and_ipynb_unless_told_how_to_read_the_file(workdir):
    (workdir / "answer.txt").write_text("")
    result = invoke("exercise-2", "answer.txt")
    assert result.exit_code == 3
    assert result.output == "Error: answer.txt is not a .py or .ipynb file (to grade it anyway: --as py or --as ipynb)\n"
    told = invoke("exercise-2", "answer.txt", "--as", "py")
    assert told.exit_code == 1
    assert told.output.splitlines()[1:3] == ["graded answer.txt (read as Python)", "✗ answer.txt is empty"]


# -- messages -------------------------------------------------------------------------------------------


def test_null_byte_is_one_message_with_its_line(workdir):
    (workdir / "exercise_2.py").write_bytes(b"import torch\nx = 1\x00\n")
    result = invoke("exercise-2")
    assert result.exit_code == 1
    assert "✗ exercise_2.py does not compile: a null byte (\\x00) at line 2: save the file as plain UTF-8 text\n" \
           "    x = 1\\x00\n" in result.output
    assert result.output.count("null byte") == 1


def test_a_file_saved_as_utf16_is_told_so(workdir):
    """Fairness 68: Notepad's "Unicode" saves UTF-16, which Python cannot run either; the report said "a null byte"
    and printed five lines of the garbled text. It now says what the file is and what to do."""
    for name, data in (("bom.py", SOLUTION.encode("utf-16")), ("bare.py", SOLUTION.encode("utf-16-le"))):
        (workdir / name).write_bytes(data)
        result = invoke("exercise-2", name)
        assert result.exit_code == 1
        assert f"✗ {name} does not compile: the file is saved as UTF-16 (Notepad's \"Unicode\"): save it as " \
               "UTF-8\n" in result.output, result.output
        assert "\\x00" not in result.output


def test_a_notebook_saved_with_a_byte_order_mark_or_a_long_printed_list_is_graded(workdir):
    """Fairness 68: a filled notebook saved "UTF-8 with BOM" (PowerShell, old Notepad; VS Code opens it) was "not a
    Jupyter notebook: its JSON is invalid at line 1"; one whose output printed a list of a million numbers was
    refused as "a JSON of about 1,100,000 values" (the commas inside that one string were counted)."""
    (workdir / "bom.ipynb").write_bytes(b"\xef\xbb\xbf" + json.dumps(notebook_cases.filled("exercise-2").nb).encode())
    printed = notebook_cases.filled("exercise-2").nb
    printed["cells"].append({"cell_type": "code", "execution_count": 9, "metadata": {}, "source": "print(list(xs))",
                             "outputs": [{"name": "stdout", "output_type": "stream",
                                          "text": "[" + "0.5, " * 1_100_000 + "0.5]\n"}]})
    (workdir / "printed.ipynb").write_text(json.dumps(printed))
    for name in ("bom.ipynb", "printed.ipynb"):
        result = invoke("exercise-2", name)
        assert result.exit_code == 0 and "Score: 10/10" in result.output, result.output


def test_a_notebook_too_large_is_told_to_clear_its_outputs(workdir):
    """Fairness 68: a notebook over 20 MiB is almost always its outputs (a plot, a printed tensor)."""
    notebook = notebook_cases.filled("exercise-2").nb
    notebook["cells"][0]["outputs"] = [{"output_type": "display_data", "metadata": {},
                                        "data": {"image/png": "A" * (21 << 20)}}]
    (workdir / "plots.ipynb").write_text(json.dumps(notebook))
    result = invoke("exercise-2", "plots.ipynb")
    assert result.exit_code == 3 and result.output == (
        "Error: plots.ipynb is 21.0 MiB: a submission may be at most 20 MiB; its outputs count: clear them (in "
        "Jupyter, Edit → Clear Outputs of All Cells), save it and grade it again\n"), result.output


def test_an_empty_py_and_an_empty_ipynb_behave_the_same(workdir):
    outputs = []
    for name in ("exercise_2.py", "exercise-2.ipynb"):
        (workdir / name).write_text("\n")
        result = invoke("exercise-2", name, "--seed", "1")
        assert result.exit_code == 1, result.output
        outputs.append(result.output.replace(name, "FILE"))
        (workdir / name).unlink()
    assert outputs[0] == outputs[1]
    assert "✗ FILE is empty\n" in outputs[0] and outputs[0].count("is empty") == 1


def test_a_notebook_cell_that_does_not_compile_is_the_cause_the_report_leads_with(workdir):
    (workdir / "exercise-2.ipynb").write_text(filled_notebook("exercise-2", ("def gradients(x):", "def gradients(x:")))
    result = invoke("exercise-2", "--seed", "1")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    cause = next(i for i, line in enumerate(lines) if "does not compile, so none of it ran" in line)
    table = next(i for i, line in enumerate(lines) if line.strip().startswith("check"))
    assert cause < table
    assert "defines no function" not in result.output
    assert "gradients(x): 'gradients' is in cell" in result.output and "which" in result.output


def test_a_helper_module_next_to_the_submission_is_named_once(workdir):
    (workdir / "helpers.py").write_text("def scale(v):\n    return 3 * v + 2\n")
    (workdir / "exercise_2.py").write_text(mutate(SOLUTION, ("import torch\n", "import torch\nfrom helpers import scale\n")))
    result = invoke("exercise-2", "--seed", "1", "--no-remember")
    assert result.exit_code == 1
    line = mutate(SOLUTION, ("import torch\n", "import torch\nfrom helpers import scale\n")).splitlines().index(
        "from helpers import scale") + 1
    said = " ".join(result.output.split())  # the message wraps at the terminal's width
    assert (f"✗ exercise_2.py imports 'helpers' (line {line}: from helpers import scale), but a submission is one "
            "file: helpers.py next to it is not there when it is graded. Copy what you use from helpers.py into "
            "exercise_2.py.") in said
    assert said.count("helpers") == 4 and "ModuleNotFoundError" not in said
    assert result.output.count("not run (see above)") == 8


def test_an_import_name_too_long_for_a_file_name_is_graded_not_a_crash(workdir):
    """Red team 49: looking for ``a…a.py`` (300 characters) next to the file raised ENAMETOOLONG in the grader,
    which ``Path.is_file`` does not swallow: the notebook, right apart from a guarded import, scored a crash."""
    long = "a" * 300
    book = notebook_cases.filled("exercise-2")
    book.insert_after("setup", f"try:\n    import {long}\nexcept ImportError:\n    pass\n", "scratch-import")
    (workdir / "exercise-2.ipynb").write_text(json.dumps(book.done()))
    result = invoke("exercise-2", "exercise-2.ipynb", "--seed", "1", "--no-remember")
    assert result.exit_code == 0 and "Score: 10/10" in result.output, result.output
    (workdir / "exercise_2.py").write_text(f"import {long[:256]}\n" + SOLUTION)
    result = invoke("exercise-2", "exercise_2.py", "--seed", "1", "--no-remember")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "which is not installed where submissions are graded" in " ".join(result.output.split())


def test_a_link_next_to_the_submission_is_not_a_helper_module(workdir):
    """Red team 49: a link ``probe.py -> /etc/hostname`` beside a notebook that imports probe made the note say
    the file exists there, and a link to a missing path made none: whether any path exists on the grading
    machine could be read off the feedback. A link is never a sibling; a real file still is."""
    book = notebook_cases.filled("exercise-2")
    book.insert_after("setup", "try:\n    import probe0\nexcept ImportError:\n    pass\ntry:\n"
                      "    import probe1\nexcept ImportError:\n    pass\ntry:\n    import helper\n"
                      "except ImportError:\n    pass\n", "scratch-import-2")
    (workdir / "exercise-2.ipynb").write_text(json.dumps(book.done()))
    os.symlink("/etc/hostname", workdir / "probe0.py")
    os.symlink("/etc/no-such-file", workdir / "probe1.py")
    (workdir / "helper.py").write_text("X = 1\n")
    result = invoke("exercise-2", "exercise-2.ipynb", "--seed", "1", "--no-remember")
    said = " ".join(result.output.split())
    assert result.exit_code == 0 and "Score: 10/10" in said
    assert "probe0" not in said and "probe1" not in said
    assert "helper.py next to it is not there when it is graded" in said


def test_a_child_that_ends_itself_shows_no_marks_of_the_grader(workdir):
    """Red team 49: a child that failed as a whole (its own os._exit, the out-of-memory killer) had its output
    shown as printed, the marks the child writes before each check included (``⟦autograd-exercises check: …⟧``)."""
    (workdir / "exercise_2.py").write_text(mutate(SOLUTION, ("def gradients(x):\n", "def gradients(x):\n"
                                                             "    print('leaving', flush=True)\n"
                                                             "    import os\n    os._exit(3)\n")))
    result = invoke("exercise-2", "--seed", "1", "--no-remember", "--format", "json")
    tests = {test["name"]: test["output"] for test in json.loads(result.output)["tests"]}
    assert "ended the process (exit status 3)" in tests["exercise-2: gradients_x"]
    assert tests["exercise-2: gradients_x"].endswith("your code printed:\nleaving")
    assert not any("⟦" in output or "autograd-exercises check" in output for output in tests.values())


def test_a_link_the_file_system_cannot_follow_is_never_the_submission(workdir):
    """Red team 49: ``exercise-2.ipynb`` a link to a name too long for the file system, beside the right
    ``exercise_2.py``: choosing between them raised ENAMETOOLONG (a traceback). The file is graded; named on the
    command line, the link is one ``Error:`` line."""
    (workdir / "exercise_2.py").write_text(SOLUTION)
    (workdir / "exercise-2.ipynb").symlink_to("z" * 300)
    result = invoke("exercise-2", "--seed", "1", "--no-remember")
    assert result.exit_code == 0 and "Score: 10/10" in result.output, result.output
    result = invoke("exercise-2", "exercise-2.ipynb")
    assert result.exit_code == 3 and result.output == "Error: cannot read exercise-2.ipynb: File name too long\n"


def test_a_notebook_importing_many_files_beside_it_gets_a_few_short_notes(workdir):
    """Red team 49b: a cell importing 2,000 modules, each a file beside the notebook, on a line of 240,000
    characters: one note each, each quoting the whole line (the source split again for each), took 2.6 GB and
    8 s of the grader's own process. Three notes, then one line; a quoted line is cut to 120 characters."""
    names = [f"m{i}" for i in range(40)]
    for name in names:
        (workdir / f"{name}.py").write_text("")
    book = notebook_cases.filled("exercise-2")
    book.insert_after("setup", f"try:\n    import {', '.join(names)}  # {'x' * 5_000}\nexcept ImportError:\n"
                      "    pass\n", "scratch-import")
    (workdir / "exercise-2.ipynb").write_text(json.dumps(book.done()))
    result = invoke("exercise-2", "exercise-2.ipynb", "--seed", "1", "--no-remember", "--format", "json")
    document = json.loads(result.output)
    assert document["score"] == 10
    notes = [line for line in document["output"].splitlines() if "next to it is not there" in line]
    assert len(notes) == 3 and all(len(note) < 500 for note in notes) and "…), but a submission" in notes[0]
    assert "(and more imports of files beside the notebook, which are not there when it is graded)" in \
        document["output"]


def test_a_package_the_grader_lacks_is_named_once_with_what_a_submission_may_use(workdir):
    (workdir / "exercise_2.py").write_text(mutate(SOLUTION, ("import torch\n", "import torch\nimport seaborn as sns\n")))
    result = invoke("exercise-2", "--seed", "1", "--no-remember")
    assert result.exit_code == 1
    line = mutate(SOLUTION, ("import torch\n", "import torch\nimport seaborn as sns\n")).splitlines().index(
        "import seaborn as sns") + 1
    said = " ".join(result.output.split())
    assert (f"exercise_2.py imports 'seaborn' (line {line}: import seaborn as sns), which is not installed where "
            "submissions are graded: a submission is one file, and it may use only Python's standard library, "
            "torch, numpy, ") in said
    assert "matplotlib" in said.split("it may use only")[1].split(".")[0]  # (what is installed here, each by name)
    assert result.output.count("not run (see above)") == 8


# -- terminal and formats -------------------------------------------------------------------------------


@pytest.mark.parametrize("columns", [80, 120])
def test_text_report_follows_the_terminal_width(workdir, columns):
    (workdir / "exercise_2.py").write_text("import torch\nvalues = [" + ", ".join(map(str, range(60))) + ",\n")
    result = invoke("exercise-2", columns=columns)
    widths = [len(line) for line in result.output.splitlines()]
    assert max(widths) <= columns and max(widths) > columns - 10, result.output


def test_text_report_ends_with_the_score_line(workdir):
    (workdir / "exercise_2.py").write_text("def forward(:\n")
    proc = subprocess.run(f"{shlex.quote(grade_command())} exercise-2 --seed 3 | tail -1", shell=True,
                          capture_output=True, text=True, timeout=120)
    assert proc.stdout == "Score: 0/10   seed 3 (rerun with --seed 3)\n"


def test_json_carries_no_path_of_the_grading_machine(tmp_path, monkeypatch):
    import autograd_exercises

    folder = tmp_path / "deep" / "student"
    folder.mkdir(parents=True)
    (folder / "exercise_2.py").write_text(mutate(SOLUTION, ("out = z.mean()", "out = z.sum()")))
    monkeypatch.chdir(tmp_path)
    result = invoke("exercise-2", str(folder / "exercise_2.py"), "--format", "json", "--seed", "1")
    assert result.exit_code == 1
    assert json.loads(result.output)["extra_data"]["exercises"][0]["submission"] == "exercise_2.py"
    for path in (str(tmp_path), str(Path(autograd_exercises.__file__).parent), sys.prefix):
        assert path not in result.output


def test_grade_list_does_not_import_torch(tmp_path):
    code = ("import sys\nfrom autograd_exercises.cli import main\n"
            "main(['list'], standalone_mode=False)\n"
            "print('HEAVY', sorted(m for m in ('torch', 'numpy', 'graders', 'rich') if m in sys.modules))\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0].startswith("exercise-1      10 pts  The gradient of a polynomial")
    assert proc.stdout.splitlines()[-1] == "HEAVY []"


def test_scores_are_remembered_only_for_the_students_own_files_here(workdir):
    elsewhere = workdir / "submitted" / "carol"
    elsewhere.mkdir(parents=True)
    (elsewhere / "exercise_2.py").write_text("def forward(:\n")
    assert invoke("exercise-2", str(elsewhere / "exercise_2.py")).exit_code == 1
    assert invoke("all", "--dir", str(elsewhere)).exit_code == 1
    assert not (elsewhere / ".grade_scores.json").exists() and not (workdir / ".grade_scores.json").exists()
    (workdir / "exercise_2.py").write_text("def forward(:\n")
    assert invoke("exercise-2", "--no-remember").exit_code == 1
    assert not (workdir / ".grade_scores.json").exists()
    assert invoke("exercise-2").exit_code == 1
    assert json.loads((workdir / ".grade_scores.json").read_text())["exercise-2"]["submission"] == "exercise_2.py"


def test_build_from_a_regular_install_inside_the_checkout_asks_for_an_editable_install(tmp_path, monkeypatch):
    from autograd_exercises.build import generate

    monkeypatch.setattr(generate, "checkout_root", lambda: tmp_path / "site-packages")
    monkeypatch.chdir(ROOT / "autograd_exercises")
    result = invoke("build", "--check")
    assert result.exit_code == 3
    assert result.output.startswith("Error: grade build needs an editable install: the autograd_exercises in use is "
                                    f"installed in {tmp_path / 'site-packages'}, not from this checkout ({ROOT})")
    assert "pip install -e '.[instructor]'" in result.output


def test_a_sandbox_that_cannot_start_is_one_line_not_a_traceback(workdir, monkeypatch):
    """The grader's own failure (here: a server that dies at once) is exit 3 and one `Error:` line."""
    from autograd_exercises import session
    from autograd_exercises.sandbox import SandboxError

    class Broken:
        layers: list = []

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def run(self, **_):
            raise SandboxError("the sandbox server did not start: bwrap: execvp python3: No such file")

        def wait_ready(self):
            self.run()

    monkeypatch.setattr(session, "open_sandbox", lambda spawn=False: Broken())
    (workdir / "exercise_2.py").write_text(SOLUTION)
    result = invoke("exercise-2", "--no-remember")
    assert result.exit_code == 3, result.output
    assert result.output.count("\n") == 1 and result.output.startswith("Error: the sandbox server did not start")


def test_ctrl_c_while_the_command_line_is_imported_is_one_line():
    """Ctrl-C in the first ~50 ms (click and the package still importing) says ``Aborted!`` and exits 1, as click
    does once the command runs; no traceback. The interrupt is raised by an import hook, where a real one lands."""
    script = ("import sys\n"
              "class Interrupt:\n"
              "    def find_spec(self, name, path=None, target=None):\n"
              "        if name == 'autograd_exercises.cli':\n"
              "            raise KeyboardInterrupt\n"
              "sys.meta_path.insert(0, Interrupt())\n"
              "from autograd_exercises.entry import run\n"
              "run()\n")
    done = subprocess.run([sys.executable, "-c", script, "list"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and done.stderr.strip() == "Aborted!" and done.stdout == "", done.stderr


def test_the_console_script_runs_the_command_line_through_its_entry():
    """The installed ``grade`` goes through :mod:`autograd_exercises.entry` (pyproject and the autograder wheel)."""
    pyproject = (Path(__file__).resolve().parents[1] / "pyproject.toml").read_text(encoding="utf-8")
    assert '\n[project.scripts]\ngrade = "autograd_exercises.entry:run"\n' in pyproject  # (tomllib: 3.11 on)
    done = subprocess.run([sys.executable, "-c", "from autograd_exercises.entry import run; run()", "list"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "exercise-2" in done.stdout, done.stderr


@pytest.mark.parametrize("magic, at, bound", [
    ("# %time g = gradient_manual(torch.ones(3))\n", 1, "# %time g = gradient_manual(torch.ones(3))"),
    ("# %%time\n# h = 1\n# g = gradients(torch.ones(3))\n", 3, "# g = gradients(torch.ones(3))"),
    ("# g = !ls\n", 1, "# g = !ls")])
def test_a_name_only_a_commented_out_magic_binds_is_pointed_at(workdir, magic, at, bound):
    """Fairness 35: Colab's "Download .py" and jupytext comment magics out, so a name the notebook bound through
    ``%time g = …``, a ``%%time`` cell or ``g = !ls`` is undefined below: a module graded as Python fails to import,
    as it does in ``python``. The report points at the line that binds it, and says how to get it back."""
    (workdir / "colab.py").write_text(SOLUTION + magic + "print(g)\n")
    line = SOLUTION.count("\n") + at
    result = invoke("exercise-2", "colab.py")
    assert result.exit_code == 1 and f"; line {line} ({bound}) binds g in a notebook, but your notebook's export " \
        "made it a comment: write that statement without the magic, or submit the notebook itself" in " ".join(
            result.output.split()), result.output


def test_the_defaults_written_twice_for_a_fast_start_agree():
    """Walkthrough 71: the check timeout was written in session.py (grade) and in the sandbox (grade class), and the
    report formats in cli.py beside the reports' own table: a change to one copy would grade one file two ways, or
    leave a new format unchoosable. session and the CLI keep their copies (neither imports the sandbox or the reports
    to start), held equal here."""
    from autograd_exercises import cli, reports, sandbox, session

    assert session.DEFAULT_TIMEOUT == sandbox.DEFAULT_TIMEOUT
    assert cli.FORMATS == tuple(reports.FORMATS)


@pytest.mark.parametrize("name", ["exercise-2", "exercise_2", "Exercise2", "exercise_02", "2", " EXERCISE-2 "])
def test_every_reader_of_an_exercise_name_reads_it_the_same(name):
    """Walkthrough 71: the command line, the package's index and the graders' registry each read a name their own way,
    and ``exercise_02`` was found by the command line only."""
    import graders
    from autograd_exercises import catalog, session

    assert graders.find(name).slug == catalog.find(name).slug == session.find(name).slug == "exercise-2"


def test_build_says_which_checkout_it_works_in_and_the_help_names_the_instructors_commands(monkeypatch):
    """Walkthrough 73: `grade build` writes into the checkout the package is installed from, wherever it is run, and
    did not say so; `grade --help` named neither `grade build` nor `grade package`, `grade class --help` neither
    Blackboard, Gradescope's export, exit 2 nor 130."""
    monkeypatch.chdir(ROOT / "docs")
    result = invoke("build", "--check", "--no-release")
    assert result.exit_code == 0 and result.output.splitlines()[0] == f"checking the course in {ROOT}"
    top = invoke("--help").output
    assert "grade build " in top and "grade package PLATFORM" in top
    text = " ".join(invoke("class", "--help").output.split())
    assert all(part in text for part in ("Blackboard", "Gradescope's export", "2 a usage error", "130 interrupted",
                                         "not with --seed"))
