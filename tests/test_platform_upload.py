"""Which uploaded file is which exercise (``platforms/upload.py``), on uploads no student should be able to use
to slow the grader down, and results documents cut to the size a platform takes (``reports/size.py``)."""

from __future__ import annotations

import json

from autograd_exercises.platforms import upload
from autograd_exercises.reports import size


def test_an_upload_reads_at_most_its_budget_then_no_more(tmp_path):
    """Red team 49: every file of an upload was read up to 5 MB, twice, with no bound on their number or total:
    1,000 files of 5 MB cost the grader about ten minutes. Once a budget is spent, a file is neither kind (telling
    what a file is) or defines nothing (ranking), and the student is told how many files were not looked at."""
    for i in range(4):  # (the def comes last: a file read in part is not Python)
        (tmp_path / f"notes{i}.txt").write_text("#" * 1_000 + "\ndef helper(x):\n    return x\n")
    found = upload.scan(tmp_path)
    found.left = {"sniff": 2_500, "rank": 1_100}
    kinds = [upload.kind_of(path, found) for path in found.files]
    assert kinds == ["py", "py", None, None] and found.left["sniff"] <= 0 and found.unread == 1
    assert [upload.defined(path, ("helper",), found) for path in found.files[:3]] == [1, 0, 0]
    assert found.unread == 2 and "2 of your files were not looked at" in found.budget_note()
    assert upload.defined(found.files[0], ("helper",), found) == 1  # read once, for every exercise


def test_a_large_data_file_is_never_read_and_costs_no_budget(tmp_path):
    """Red team 49b: ten 6 MB data files beside the solution were read 5 MB each to tell what they are, the budget
    ran out, and a helper module was graded instead of the solution (0/10). A file past 5 MB is never read, and the
    .py/.ipynb files are ranked first, from a budget of their own."""
    (tmp_path / "data").mkdir()
    for i in range(10):
        (tmp_path / "data" / f"weights_{i}.pt").write_bytes(b"\0" * 6_000_000)
    for i in range(12):
        (tmp_path / "data" / f"table_{i}.csv").write_text("a,b,c\n" + "1,2,3\n" * 800_000)
    (tmp_path / "data_utils.py").write_text("import torch\n\ndef load(path):\n    return torch.load(path)\n")
    (tmp_path / "solution.py").write_text("def forward(x):\n    return x\n\ndef gradients(x):\n    return x\n")
    from autograd_exercises import session

    found = upload.scan(tmp_path)
    [choice] = upload.choose(found, [session.find("exercise-2")], {"exercise-2": ("forward", "gradients")})
    assert choice.path.name == "solution.py" and found.left["rank"] == upload.MAX_READ - sum(
        len(path.read_bytes()) for path in (tmp_path / "data_utils.py", tmp_path / "solution.py"))
    assert found.left["sniff"] <= 0 and found.unread == 1  # the tables read (ten and a part), the weights never


def test_past_the_file_limit_files_are_counted_never_read(tmp_path, monkeypatch):
    """Red team 49b: the limit on files hid an exercise's own file walked after a thousand images. Its own file
    names are always kept; .py/.ipynb files and the others each have their own limit."""
    monkeypatch.setattr(upload, "MAX_FILES", 3)
    for i in range(5):
        (tmp_path / f"f{i}.py").write_text("")
        (tmp_path / "assets").mkdir(exist_ok=True)
        (tmp_path / "assets" / f"img_{i}.png").write_text("")
    (tmp_path / "zz").mkdir()
    (tmp_path / "zz" / "exercise_2.py").write_text("")
    found = upload.scan(tmp_path)
    assert [found.shown(path) for path in found.files] == [
        "assets/img_0.png", "assets/img_1.png", "assets/img_2.png", "f0.py", "f1.py", "f2.py", "zz/exercise_2.py"]
    assert found.more == 4
    assert found.listing() == ("you uploaded: assets/img_0.png, assets/img_1.png, assets/img_2.png, f0.py, f1.py, "
                               "f2.py, zz/exercise_2.py and 4 more")


def test_a_small_document_is_left_as_it_is():
    document = {"score": 3, "tests": [{"name": "a", "output": "x" * 1_000}]}
    assert size.fit(document, limit=10_000) is document


def test_a_large_document_has_its_longest_texts_cut_to_fit_and_says_so():
    """What a student's code printed or warned decides the size; scores, names and structure stay."""
    document = {"score": 7.5, "output": "top " * 10, "tests": [
        {"name": f"exercise-2: check {i}", "score": i, "output": "é" * 200_000 if i % 2 else "short"}
        for i in range(6)]}
    cut = size.fit(document, limit=50_000)
    assert size.size(cut) <= 50_000 and size.size(document) > 1_000_000
    assert cut["score"] == 7.5 and cut["output"] == document["output"]
    assert [t["name"] for t in cut["tests"]] == [t["name"] for t in document["tests"]]
    assert [t["score"] for t in cut["tests"]] == list(range(6)) and cut["tests"][0]["output"] == "short"
    long = cut["tests"][1]["output"]
    kept = long.index("\n…")
    assert long[:kept] == "é" * kept and f"({200_000 - kept:,} more characters not shown" in long
    assert json.loads(json.dumps(cut)) == cut


def test_a_link_the_file_system_cannot_follow_is_no_file_of_the_upload(tmp_path):
    """Red team 49: ``probe.py -> 'x' * 300`` beside the submission raised ENAMETOOLONG while the upload was
    scanned, and the student got "the autograder failed". A link is never a file of the upload."""
    (tmp_path / "exercise_2.py").write_text("def forward(x):\n    return x\n")
    (tmp_path / "probe.py").symlink_to("x" * 300)
    (tmp_path / "loop.py").symlink_to(tmp_path / "loop.py")
    assert [path.name for path in upload.scan(tmp_path).files] == ["exercise_2.py"]


def test_two_edited_files_say_what_a_student_can_do_on_a_platform(tmp_path):
    """Walkthrough 66: the note on the file not graded said "to grade the other: grade exercise-2 exercise-2.ipynb",
    a command no platform student can run; upload it alone instead."""
    import os

    from autograd_exercises import session
    from tests.conftest import solution_text
    from tests.notebook_cases import filled

    (tmp_path / "exercise_2.py").write_text(solution_text("exercise_2"), encoding="utf-8")
    (tmp_path / "exercise-2.ipynb").write_text(json.dumps(filled("exercise-2").done()), encoding="utf-8")
    os.utime(tmp_path / "exercise_2.py", (1_000_000, 1_000_000))  # the notebook was saved last
    [choice] = upload.choose(upload.scan(tmp_path), [session.find("exercise-2")], {"exercise-2": ()})
    assert choice.path.name == "exercise-2.ipynb"
    assert choice.note == "exercise_2.py was edited too, this one was saved last; to have the other graded, submit " \
                          "it alone"


def test_a_notebook_whose_cells_are_one_string_each_is_found_by_its_functions(tmp_path):
    """Red team 223: a cell's source may be one JSON string, its lines joined by the escape \\n; its defs were not
    found, and a helper.py beside it was graded instead (0/10)."""
    from autograd_exercises import session
    from tests.conftest import solution_text

    cell = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": 1,
            "source": solution_text("exercise_2")}
    (tmp_path / "Untitled.ipynb").write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {},
                                                         "cells": [cell]}), encoding="utf-8")
    (tmp_path / "helper.py").write_text("def util():\n    return 1\n", encoding="utf-8")
    [choice] = upload.choose(upload.scan(tmp_path), [session.find("exercise-2")],
                             {"exercise-2": ("forward", "gradients", "gradient_manual")})
    assert choice.path.name == "Untitled.ipynb"


def test_an_unreadable_notebook_is_named_as_uploaded_never_by_the_grading_machines_path(tmp_path):
    """Red team 223: "/autograder/submission/exercise-2.ipynb is not a Jupyter notebook …" told the student where
    the grader keeps submissions."""
    (tmp_path / "work").mkdir()
    (tmp_path / "work" / "exercise-2.ipynb").write_text("{not json", encoding="utf-8")
    [result], [choice] = upload.grade(tmp_path, ["exercise-2"])
    assert choice.problem.startswith("work/exercise-2.ipynb could not be read: work/exercise-2.ipynb is not a "
                                     "Jupyter notebook"), choice.problem
    assert str(tmp_path) not in choice.problem + result.problem


def test_the_work_in_a_file_of_its_own_beside_untouched_stubs_is_graded(tmp_path):
    """Walkthrough 73: an upload of the template's untouched stubs and the student's solution.py graded the stub (0/8)
    and never named solution.py. The file that defines the exercise's functions is graded, the stubs named in its
    note; a file beside them that defines none leaves the stub graded, as before."""
    import shutil
    from pathlib import Path

    from autograd_exercises import session
    from tests.conftest import solution_text

    package = Path(session.__file__).parent
    shutil.copy(package / "exercise_2.py", tmp_path / "exercise_2.py")
    shutil.copy(package / "notebooks" / "exercise-2.ipynb", tmp_path / "exercise-2.ipynb")
    (tmp_path / "helper.py").write_text("def util():\n    return 1\n", encoding="utf-8")
    (tmp_path / "notes.py").write_text('"""Notes: def forward(x) builds the graph."""\n', encoding="utf-8")
    functions = {"exercise-2": ("forward", "gradients", "gradient_manual")}
    [choice] = upload.choose(upload.scan(tmp_path), [session.find("exercise-2")], functions)
    assert choice.path.name == "exercise_2.py" and choice.note == \
        "exercise_2.py and exercise-2.ipynb are both untouched stubs"
    (tmp_path / "solution.py").write_text(solution_text("exercise_2"), encoding="utf-8")
    [choice] = upload.choose(upload.scan(tmp_path), [session.find("exercise-2")], functions)
    assert choice.path.name == "solution.py" and not choice.problem
    assert choice.note == ("it is not named exercise_2.py or exercise-2.ipynb; graded as exercise-2 all the same (not "
                           "graded: helper.py, notes.py); exercise-2.ipynb, exercise_2.py: untouched stub, not graded")
