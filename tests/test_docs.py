"""The documentation gives routes that work: what a newcomer follows word for word."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
INSTRUCTORS = (ROOT / "docs" / "instructors.md").read_text()


def commands(markdown: str) -> list[str]:
    """Every ``$ …`` command line in the console blocks, and every line of the bash blocks."""
    found = []
    for language, block in re.findall(r"```(console|bash)\n(.*?)```", markdown, re.DOTALL):
        for line in block.splitlines():
            line = line.strip()
            if language == "bash" or line.startswith("$ "):
                found.append(line.removeprefix("$ "))
    return found


def test_no_route_installs_the_package_from_an_index_it_is_not_on():
    """``pip install autograd-exercises`` fails: the package is not on a package index."""
    for command in commands(README) + commands(INSTRUCTORS):
        assert not re.search(r"pip install\s+['\"]?autograd-exercises(\[[^\]]*\])?['\"]?(\s|$)", command), command


def test_students_get_a_wheel_or_the_git_repository_with_cpu_torch_pinned_first():
    student_route = INSTRUCTORS[INSTRUCTORS.index("## 3."):INSTRUCTORS.index("## 4.")]
    assert "pip wheel . --no-deps" in student_route and "python -m build" in student_route
    assert "git+https://" in student_route
    assert "pip install torch==2.13.0 --extra-index-url https://download.pytorch.org/whl/cpu" in student_route
    assert "pip install torch==2.13.0 --extra-index-url https://download.pytorch.org/whl/cpu" in \
        INSTRUCTORS[INSTRUCTORS.index("## 1."):INSTRUCTORS.index("## 2.")]


def test_the_exchange_folder_must_exist_and_be_writable():
    exchange = INSTRUCTORS[INSTRUCTORS.index("## 8."):INSTRUCTORS.index("## 9.")]
    assert "must exist and be writable" in exchange
    assert "sudo mkdir -p /srv/nbgrader/exchange && sudo chmod ugo+rw /srv/nbgrader/exchange" in commands(exchange)


def test_students_nbgrader_is_told_where_the_exchange_is():
    """Walkthrough 61: a student's ``fetch_assignment`` and ``submit`` read no course config, so they looked in
    nbgrader's default folder (``Unwritable directory … /usr/local/share/nbgrader/exchange``)."""
    exchange = INSTRUCTORS[INSTRUCTORS.index("## 8."):INSTRUCTORS.index("## 9.")]
    assert any("/etc/jupyter/nbgrader_config.py" in command and 'c.Exchange.root = "/srv/nbgrader/exchange"' in command
               for command in commands(exchange))


def test_readme_states_the_supported_platforms():
    platforms = README[README.index("## Platforms"):README.index("## Safety")]
    assert "**Linux**" in platforms and "full sandbox" in platforms
    assert "**macOS and Windows**" in platforms and "isolation layers" in platforms


def _defined(path: Path) -> set[str]:
    """The names a module defines at any depth (functions, classes, assigned names)."""
    import ast

    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        names.update(target.id for target in targets if isinstance(target, ast.Name))
    return names


def test_architecture_is_one_page():
    """ARCHITECTURE.md says it is one page, and a newcomer reads it whole: the detail lives in docs/internals.md."""
    lines = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8").splitlines()
    assert lines[2].startswith("One page") and len(lines) <= 100


@pytest.mark.parametrize("page", ["ARCHITECTURE.md", "docs/internals.md"])
def test_architecture_names_only_files_and_functions_that_exist(page: str):
    """The map and its detail are kept true: every file they name exists (``exercise_N`` and ``*`` stand for any),
    and every ``module.name`` of the package's modules named is defined there (a function renamed left its old name
    behind)."""
    text = (ROOT / page).read_text(encoding="utf-8")
    modules: dict[str, set[str]] = {}
    for path in [*ROOT.joinpath("autograd_exercises").rglob("*.py"), *ROOT.joinpath("graders").rglob("*.py")]:
        modules.setdefault(path.stem, set()).update(_defined(path))
    folders = ("autograd_exercises", "graders", "tests", "solutions", "assignments", "bench")
    files = [path.relative_to(ROOT).as_posix() for folder in folders for path in ROOT.joinpath(folder).rglob("*.py")]
    missing = []
    for token in sorted(set(re.findall(r"`([^`\s]+)`", text))):
        token = token.strip("().,:;")
        if token.endswith(".py"):
            pattern = re.escape(token).replace("_N", "_[0-9]").replace("\\*", ".*")
            if not any(re.fullmatch(f"(.*/)?{pattern}", file) for file in files):
                missing.append(token)
        elif (found := re.fullmatch(r"([a-z_]+)\.([A-Za-z_]\w*)(\(\))?", token)) and found.group(1) in modules \
                and found.group(2) not in ("csv", "json", "txt", "html", "xml", "db"):  # (file names: mistakes.csv)
            if found.group(2) not in modules[found.group(1)]:
                missing.append(token)
    assert missing == []


def test_the_readme_lists_every_package_a_submission_may_import():
    """Walkthrough 63: the README's list had fallen behind ``guard.IMPORTABLE`` (functorch, mpl_toolkits, pylab, ipdb)."""
    from autograd_exercises.sandbox.guard import IMPORTABLE

    listed = README[README.index("code may import only the standard library"):][:700]
    assert [name for name in sorted(IMPORTABLE - {"math"}) if f"`{name}`" not in listed] == []
    students = README[README.index("A submission is one file: it can import"):][:400]  # (walkthrough 67: the students'
    parts = {"functorch", "mpl_toolkits", "pylab", "typing_extensions", "ipdb", "math"}  # own list, in their section)
    assert [name for name in sorted(IMPORTABLE - parts) if not re.search(rf"\b{name}\b", students)] == []


def test_the_readme_table_of_exercises_is_the_registry():
    """Walkthrough 64: a check added to an exercise left the README's table at the old total, and no test noticed."""
    import graders

    table = re.findall(r"^\| `(exercise-\d+)` \| (.+?) \| (\d+(?:\.\d+)?) \|$", README, re.MULTILINE)
    assert [(slug, title, float(points)) for slug, title, points in table] == \
        [(exercise.slug, exercise.title, float(exercise.course_points)) for exercise in graders.EXERCISES]
