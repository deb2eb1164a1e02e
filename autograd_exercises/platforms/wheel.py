"""Wheels of this package written from the files it runs from, and zips that are the same bytes every time.

Why not ``pip wheel .``: an autograder needs the hidden checks, which ``pyproject.toml`` keeps out of the
wheel setuptools builds; setuptools needs the source checkout and writes the time into the zip. Here the
wheel is written from the importable packages (``autograd_exercises``, ``graders`` and, for an autograder,
``graders.hidden``): from a source checkout or from an install of one of these wheels, the same files give
the same bytes. pip installs it like any pure-Python wheel (``py3-none-any``, a ``RECORD`` with hashes,
the ``grade`` console script).
"""

from __future__ import annotations

import base64
import hashlib
import io
import zipfile
from pathlib import Path
from typing import Mapping

from autograd_exercises.platforms import DISTRIBUTION, requirements, version

PACKAGES = ("autograd_exercises", "graders")
HIDDEN = "graders/hidden"
DATA_SUFFIXES = (".py", ".ipynb", ".json")  # modules and package data (release notebooks, exercises.json)
EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip can hold: every entry gets it
EXECUTABLE = 0o755


class HiddenChecksMissing(Exception):
    """An autograder build was asked for where ``graders.hidden`` is not installed (a student install)."""


def zip_bytes(files: Mapping[str, bytes], *, executable: frozenset[str] | set[str] = frozenset()) -> bytes:
    """A zip of ``files`` (name → bytes): entries sorted, fixed time, mode 644 (755 for ``executable``)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, so that the mode below is read
            info.external_attr = (0o100000 | (EXECUTABLE if name in executable else 0o644)) << 16
            archive.writestr(info, files[name])
    return buffer.getvalue()


def wheel_name() -> str:
    return f"{DISTRIBUTION.replace('-', '_')}-{version()}-py3-none-any.whl"


def package_root(package: str) -> Path:
    """The folder a top-level package is imported from (the checkout, or site-packages)."""
    import importlib

    module = importlib.import_module(package)
    return Path(list(module.__path__)[0])


def hidden_installed() -> bool:
    """Whether ``graders.hidden`` is installed here (as ``graders`` itself decides it)."""
    import graders

    return graders.hidden_checks() is not None


def package_files(*, hidden: bool) -> dict[str, bytes]:
    """Every file of the packages, by its path in a wheel; ``graders/hidden`` only when ``hidden``."""
    if hidden and not hidden_installed():
        raise HiddenChecksMissing(
            "the hidden checks (graders.hidden) are not installed here: an autograder is built from the source "
            "checkout installed editable (pip install -e .), or from an install of an autograder wheel")
    files: dict[str, bytes] = {}
    for package in PACKAGES:
        root = package_root(package)
        for path in sorted(root.rglob("*")):
            relative = path.relative_to(root)
            if not path.is_file() or "__pycache__" in relative.parts or path.suffix not in DATA_SUFFIXES:
                continue
            name = f"{package}/{relative.as_posix()}"
            if not hidden and (name + "/").startswith(HIDDEN + "/"):
                continue
            files[name] = path.read_bytes()
    return files


def _metadata() -> str:
    from importlib import metadata

    installed = metadata.metadata(DISTRIBUTION)
    lines = ["Metadata-Version: 2.1", f"Name: {DISTRIBUTION}", f"Version: {version()}",
             f"Summary: {installed.get('Summary') or DISTRIBUTION}",
             f"Requires-Python: {installed.get('Requires-Python') or '>=3.10'}"]
    lines += [f"Requires-Dist: {requirement}" for requirement in requirements()]
    return "\n".join(lines) + "\n"


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def build(*, hidden: bool) -> tuple[str, bytes]:
    """(file name, bytes) of a wheel of this package: the autograder's (``hidden``) or the student's."""
    files = package_files(hidden=hidden)
    info = f"{DISTRIBUTION.replace('-', '_')}-{version()}.dist-info"
    files[f"{info}/METADATA"] = _metadata().encode()
    files[f"{info}/WHEEL"] = (b"Wheel-Version: 1.0\nGenerator: autograd-exercises (grade package)\n"
                              b"Root-Is-Purelib: true\nTag: py3-none-any\n")
    files[f"{info}/entry_points.txt"] = b"[console_scripts]\ngrade = autograd_exercises.entry:run\n"
    files[f"{info}/top_level.txt"] = "".join(f"{package}\n" for package in PACKAGES).encode()
    record = [_record_line(name, files[name]) for name in sorted(files)] + [f"{info}/RECORD,,"]
    files[f"{info}/RECORD"] = ("\n".join(record) + "\n").encode()
    return wheel_name(), zip_bytes(files)
