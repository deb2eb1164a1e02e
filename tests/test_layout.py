"""The untrusted side imports nothing trusted: what the sandboxed child loads is read with ``ast``.

The child loads ``autograd_exercises`` (its ``__init__``), ``autograd_exercises.sandbox`` and
``autograd_exercises.probes``. None of it may import the graders, the judge, the grading
pipeline, the specs, the inputs, the session or the reports: whatever the child imports,
a student's code can read (``sys.modules``), references and hidden checks included.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "autograd_exercises"
UNTRUSTED = sorted((PACKAGE / "sandbox").rglob("*.py")) + sorted((PACKAGE / "probes").rglob("*.py"))
ALLOWED = ("torch", "numpy", "tqdm", "autograd_exercises.sandbox", "autograd_exercises.probes")  # (tqdm: torch imports
# it; the child switches its monitor thread off)
TRUSTED = ("graders", "autograd_exercises.judge", "autograd_exercises.grading", "autograd_exercises.spec",
           "autograd_exercises.inputs", "autograd_exercises.session", "autograd_exercises.reports")


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path, root: Path = ROOT) -> list[tuple[int, str]]:
    """(line, module) of every import in the file, at top level or inside functions.

    ``from package import name`` counts as ``package.name`` (it may import a submodule);
    relative imports are resolved against the file's own package.
    """
    found = []
    name = module_name(path, root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            found += [(node.lineno, f"{base}.{alias.name}" if alias.name != "*" else base) for alias in node.names]
    return found


def allowed(name: str) -> bool:
    top = name.split(".")[0]
    if top in sys.stdlib_module_names:
        return True
    return any(name == prefix or name.startswith(prefix + ".") for prefix in ALLOWED)


def test_the_layout_test_sees_the_untrusted_files():
    names = {module_name(path) for path in UNTRUSTED}
    assert {"autograd_exercises.sandbox.child", "autograd_exercises.sandbox.observe",
            "autograd_exercises.probes", "autograd_exercises.probes.exercise_2"} <= names


@pytest.mark.parametrize("path", UNTRUSTED, ids=lambda path: str(path.relative_to(ROOT)))
def test_untrusted_module_imports_only_stdlib_torch_sandbox_and_probes(path):
    outside = [f"line {line}: {name}" for line, name in imports(path) if not allowed(name)]
    assert outside == [], f"{path.relative_to(ROOT)} imports trusted or unknown code"


PROBES_MAY = ("torch", "autograd_exercises.sandbox.observe", "autograd_exercises.probes")  # (ARCHITECTURE.md, rule 3)


@pytest.mark.parametrize("path", sorted((PACKAGE / "probes").rglob("*.py")), ids=lambda path: path.name)
def test_a_probe_imports_only_stdlib_torch_observe_and_the_probes(path):
    """Walkthrough 70: the rule above let a probe import numpy, tqdm or any sandbox module; ARCHITECTURE.md's rule 3 is
    narrower, and the probes keep to it."""
    outside = [f"line {line}: {name}" for line, name in imports(path) if name.split(".")[0] not in
               sys.stdlib_module_names and not any(name == p or name.startswith(p + ".") for p in PROBES_MAY)]
    assert outside == [], f"{path.relative_to(ROOT)} imports more than ARCHITECTURE.md's rule 3 allows"


def test_package_init_imports_nothing_trusted():
    outside = [f"line {line}: {name}" for line, name in imports(PACKAGE / "__init__.py") if not allowed(name)]
    assert outside == []


def test_the_checker_catches_trusted_imports(tmp_path):
    package = tmp_path / "autograd_exercises" / "probes"
    package.mkdir(parents=True)
    bad = package / "exercise_9.py"
    bad.write_text("import torch\nfrom autograd_exercises import inputs\n\n\ndef probe(m, c):\n"
                   "    from graders import exercise_2\n    from ..judge import Fail\n    import json\n")
    names = sorted(name for _, name in imports(bad, tmp_path))
    assert names == ["autograd_exercises.inputs", "autograd_exercises.judge.Fail", "graders.exercise_2", "json", "torch"]
    assert [name for name in names if not allowed(name)] == names[:3]


def test_importing_the_probes_loads_nothing_trusted():
    code = ("import sys, autograd_exercises.probes\n"
            f"trusted = {TRUSTED!r}\n"
            "print(sorted(m for m in sys.modules if any(m == t or m.startswith(t + '.') for t in trusted)))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


BY_HAND = {"exercise_1": "polynomial_grad_manual", "exercise_2": "gradient_manual", "exercise_3": "parameter_gradients_manual"}
CLOSED_FORMS = ("8x³ + 3x² + 6x + 5", "8x^3 + 3x^2 + 6x + 5", "12(3x + 2)", "12 (3x + 2)", "4y/n", "4y / n",
                "(σ(z) − y)", "\\sigma(z) - y", "xᵀ δ", "x^T \\delta")


def solution_lines(module: str, function: str) -> list[str]:
    """The solution's lines of a by-hand function, without spaces (the answer students derive)."""
    source = (ROOT / "solutions" / f"{module}.py").read_text()
    body = source[source.index(f"def {function}("):]
    body = body[body.index("### BEGIN SOLUTION") + len("### BEGIN SOLUTION"):body.index("### END SOLUTION")]
    return ["".join(line.split("#")[0].split()) for line in body.splitlines() if line.split("#")[0].strip()]


def test_no_grader_writes_down_a_derivative_students_derive_by_hand():
    """References of by-hand derivatives come from autograd; descriptions and docstrings name them, never give them."""
    files = sorted((ROOT / "graders").rglob("*.py")) + sorted((PACKAGE / "probes").rglob("*.py"))
    answers = [line for module, function in BY_HAND.items() for line in solution_lines(module, function)]
    assert len(answers) >= 6
    for path in files:
        text = path.read_text()
        squeezed = "".join(text.split())
        assert [line for line in answers if line in squeezed] == [], path
        assert [form for form in CLOSED_FORMS if form in text] == [], path


def test_no_docstring_holds_a_lone_surrogate():
    """Python 3.13.0 cannot import a module whose docstring holds a lone surrogate (``"\\udcff"`` written unescaped:
    its compiler encodes docstrings to UTF-8), and ``requires-python`` has no upper bound: the platforms' upload
    reader once did, so every Gradescope autograder on 3.13 would have failed."""
    found = []
    for path in sorted([*PACKAGE.rglob("*.py"), *(ROOT / "graders").rglob("*.py"), *(ROOT / "solutions").rglob("*.py")]):
        tree = ast.parse(path.read_bytes())
        for node in [tree, *ast.walk(tree)]:
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                doc = ast.get_docstring(node, clean=False) or ""
                if any(0xD800 <= ord(char) <= 0xDFFF for char in doc):
                    found.append(f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 1)}")
    assert found == []


def test_an_exercise_missing_a_registration_is_one_line_that_names_it():
    """Walkthrough 64: an exercise registered in graders/ only gave ``grade build`` a bare ``KeyError`` (no PLACED
    entry), and a sandbox that never loaded its probes graded the reference solution 0, blaming the student."""
    from dataclasses import replace

    import graders

    first = graders.EXERCISES[0]
    placed = graders.hidden_checks()
    assert graders.registered(first, placed) == placed[first.slug]
    with pytest.raises(LookupError, match=r"exercise-99 has no entry in graders/hidden/__init__.py's PLACED: add "
                                          r"graders/hidden/exercise_1.py \(PLACED = \(\) where"):
        graders.registered(replace(first, slug="exercise-99"), placed)
    stray = replace(first.checks[0], probe=test_an_exercise_missing_a_registration_is_one_line_that_names_it)
    with pytest.raises(LookupError, match=r"the probe of check polynomial_values \(.*test_layout\) is not in "
                                          r"autograd_exercises/probes/__init__.py's MODULES"):
        graders.registered(replace(first, checks=(stray, *first.checks[1:])), None)
