"""The machine-readable reports: JUnit valid against the common schema, Gradescope JSON without the grader's paths."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree

import pytest
from click.testing import CliRunner

from autograd_exercises.cli import main
from autograd_exercises.results import CheckResult, ExerciseResult
from tests.conftest import mutate, solution_text

xmlschema = pytest.importorskip("xmlschema", reason="the test extra installs xmlschema")

SCHEMA = Path(__file__).parent / "data" / "junit-10.xsd"  # Jenkins/Surefire JUnit schema, from pytest's repository


@pytest.fixture(scope="module")
def junit_schema():
    return xmlschema.XMLSchema(str(SCHEMA))


def result(**changes) -> ExerciseResult:
    """A small graded result, without grading: one passed check, one failed hidden check."""
    checks = [CheckResult("values", "f", "f(x) is right", 2, 2.0, "passed", wall=0.012),
              CheckResult("by_hand", "f", "f by hand", 1.5, 0.0, "failed", "f(x) is wrong", hidden=True,
                          output="printed\n", wall=0.02)]
    fields = dict(exercise="exercise-9", title="Nine", submission="/home/grader/course/work/exercise_9.py", seed=4,
                  checks=checks, execution_time=1.5, isolation=["rlimits"])
    fields.update(changes)
    return ExerciseResult(**fields)


def test_junit_from_grade_all_is_valid_and_marks_hidden_checks_and_points(tmp_path, monkeypatch, junit_schema,
                                                                          shared_sandbox):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "exercise_2.py").write_text(mutate(solution_text("exercise_2"), ("out = z.mean()", "out = z.sum()")))
    run = CliRunner().invoke(main, ["all", "--format", "junit", "--seed", "1", "--no-remember"], catch_exceptions=False)
    assert run.exit_code == 1
    junit_schema.validate(run.output)  # raises with the reason when invalid
    root = ElementTree.fromstring(run.output)
    graded, *not_started = root.findall("testsuite")
    assert graded.get("file") == "exercise_2.py"
    props = {p.get("name"): p.get("value") for p in graded.find("properties")}
    assert (props["submission"], props["score"], props["max_score"]) == ("exercise_2.py", "4", "10")
    assert props["points:forward_values"] == "0/2" and props["points:gradient_manual_by_hand"] == "1/1 hidden"
    names = [case.get("name") for case in graded.findall("testcase")]
    assert "gradients_notebook_example (hidden)" in names and "forward_values" in names
    assert [suite.get("name") for suite in not_started] == ["exercise-1", "exercise-3", "exercise-4", "exercise-5",
                                                             "exercise-6"]
    assert all(suite.get("skipped") == "1" and suite.find("testcase/skipped") is not None for suite in not_started)
    assert root.get("tests") == str(8 + 5) and root.get("failures") == graded.get("failures")


def test_junit_stays_valid_with_control_characters_and_problems(junit_schema):
    from autograd_exercises.reports import junit

    noisy = result(problem="exercise_9.py does not compile: SyntaxError at line 1: bad\n    x = '\x1b[31m\x00'",
                   notes=["cell 2 \x07 rang"], choice="exercise-9.ipynb is the untouched stub")
    noisy.checks[1].output = "bell \x07 escape \x1b[2J nul \x00 end"
    text = junit.render([noisy])
    junit_schema.validate(text)
    suite = ElementTree.fromstring(text).find("testsuite")
    props = {p.get("name"): p.get("value") for p in suite.find("properties")}
    assert (props["score"], props["max_score"], props["points:by_hand"]) == ("2", "3.5", "0/1.5 hidden")
    assert props["choice"] == "exercise-9.ipynb is the untouched stub"
    assert suite.find("system-out").text.startswith("exercise_9.py does not compile")


def test_gradescope_json_names_the_file_only(tmp_path):
    from autograd_exercises.reports import gradescope

    data = json.loads(gradescope.render([result(choice="exercise-9.ipynb is the untouched stub")]))
    assert data["extra_data"]["exercises"][0]["submission"] == "exercise_9.py"
    assert "/home/grader" not in json.dumps(data)
    assert data["output"] == ("exercise-9: 2/2 (graded exercise_9.py: exercise-9.ipynb is the untouched stub)\n"
                              "exercise-9: that is the visible checks' score; 1 hidden check (1.5 points) shows once "
                              "grades are published")
    assert [t["visibility"] for t in data["tests"]] == ["visible", "after_published"]
    assert data["execution_time"] == 0.012  # the visible checks' (red team 169 timed its hidden check's run by it)


def test_a_remembered_table_is_laid_out_as_rich_lays_it_out_for_that_width_colour_and_verbosity():
    """The text report keeps each table it laid out (a class's right answers share one); what it writes is always
    what rich writes for these rows at this width, in colour or not, verbose or not."""
    import io

    from rich.console import Console

    from autograd_exercises.reports import text

    for width in (40, 100):
        for color in (False, True):
            for verbose in (False, True):
                shown = text.rows(result(), verbose)
                buffer = io.StringIO()
                Console(file=buffer, width=width, force_terminal=color, no_color=not color,
                        highlight=False).print(text._table(shown, width))
                assert text._table_text(shown, width, color) == buffer.getvalue()
                assert text.render([result()], color=color, verbose=verbose, width=width) == \
                    text.render([result()], color=color, verbose=verbose, width=width)
    assert text.rows(result(), True) != text.rows(result(), False)  # what the code printed: verbose only


def test_verbose_text_shows_what_the_code_printed_before_its_checks_once():
    """Output every check's output starts with (whole lines: the import's, or a notebook's cells') is shown once,
    above the table; each check keeps only what it printed itself."""
    from dataclasses import replace

    from autograd_exercises.reports import text

    values, by_hand = result().checks
    by_hand = replace(by_hand, hidden=False)
    checks = [replace(values, output="loading\nready"), replace(by_hand, output="loading\nready\nin f\nin f")]
    shown = text.render([result(checks=checks)], verbose=True, width=100)
    assert shown.count("loading") == shown.count("ready") == 1
    assert shown.index("your code printed before the checks: loading\nready") < shown.index("values")
    assert [row[4] for row in text.rows(result(checks=checks), True)] == ["", "in f\nin f"]
    assert text.printed_first(result(checks=checks)) == "loading\nready"

    partial = [replace(values, output="ready, 1"), replace(by_hand, output="ready, 2")]  # no whole line shared
    assert text.printed_first(result(checks=partial)) == ""
    assert [row[4] for row in text.rows(result(checks=partial), True)] == ["ready, 1", "ready, 2"]
    assert text.printed_first(result()) == ""  # one check printed nothing: nothing is shared
    assert "before the checks" not in text.render([result(checks=checks)], verbose=False)

    # a hidden check's output (its own child, where its inputs are secret) does not move the shared part
    secret = replace(by_hand, name="secret", hidden=True, output="loading\n60.0\nin f")
    with_secret = result(checks=checks + [secret])
    assert text.printed_first(with_secret) == "loading\nready"
    assert [row[4] for row in text.rows(with_secret, True)] == ["", "in f\nin f", "loading\n60.0\nin f"]


def test_what_the_code_printed_is_said_without_verbose_and_shown_once_per_shared_call():
    """Walkthrough 67: without --verbose nothing said the code had printed; with it, the block of a call that two
    checks share was shown under each. A hidden check's output alone says nothing without --verbose."""
    from dataclasses import replace

    from autograd_exercises.reports import text

    values, by_hand = result().checks
    shared = [replace(values, output="in f"), replace(by_hand, name="again", hidden=False, output="in f"),
              replace(by_hand, name="other", hidden=False, output="in g")]
    assert [row[4] for row in text.rows(result(checks=shared), True)] == [
        "in f", "the same as for values", "in g"]
    quiet = text.render([result(checks=shared)], verbose=False, width=100)
    assert "your code printed while it was graded: --verbose shows it" in quiet and "in f" not in quiet
    silent = [values, replace(by_hand, hidden=True, output="in f")]
    assert "your code printed" not in text.render([result(checks=silent)], verbose=False, width=100)


def test_text_report_header_names_the_graded_file_and_ends_with_the_score():
    from autograd_exercises.reports import text

    report = text.render([result(submission="exercise_9.py", choice="exercise-9.ipynb is the untouched stub")],
                         width=80)
    assert report.splitlines()[:2] == ["exercise-9 — Nine", "graded exercise_9.py (exercise-9.ipynb is the untouched stub)"]
    assert report.endswith("Score: 2/3.5   seed 4 (rerun with --seed 4)\n")
    assert max(len(line) for line in report.splitlines()) <= 80


def test_a_narrow_terminal_puts_feedback_under_its_check_and_says_a_long_one_once():
    """Walkthrough 68: at 80 columns the feedback column was about 30 wide, check names and code were folded mid-word
    (``requires_gra`` / ``d_()``), and one mistake's 50 words were shown under each of the 8 checks it failed."""
    from dataclasses import replace

    from autograd_exercises.reports import text

    values, by_hand = result().checks
    long = "the update ran with gradient tracking on; write it inside `with torch.no_grad():` " * 2
    wrong = dict(points=0, status="failed")
    checks = [replace(values, **wrong, feedback=long + "[input: x of shape (2, 3)]"),
              replace(by_hand, name="polynomial_grad_notebook_example", hidden=True, **wrong,
                      feedback=long + "[input: x = 2 (the handout's example)]"),
              replace(values, name="short", **wrong, feedback="x.grad is None"),
              replace(values, name="short_again", **wrong, feedback="x.grad is None")]
    narrow = text.render([result(checks=checks)], width=80)
    lines = narrow.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert any(line.startswith("✗ polynomial_grad_notebook_example (hidden)") for line in lines)  # whole, one line
    assert narrow.count("write it inside") == 2  # (said twice in the one feedback, shown once)
    assert "    the same as for values [input: x = 2 (the handout's example)]" in lines
    assert narrow.count("x.grad is None") == 2  # short: said again
    wide = text.render([result(checks=checks)], width=120)
    assert "the same as for values" in wide and " ✗   short " in wide  # the table, side by side
