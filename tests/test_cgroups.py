"""The slot cgroups (:mod:`autograd_exercises.sandbox.cgroups`): a layer only for a limit that took.

A fake cgroupfs (a folder tree) stands for v1 hierarchies and a v2 one whose parent delegates memory and
pids (the kernel then makes the limit files in each new folder: here they are made in advance); this
machine's own unified hierarchy, where memory and pids belong to v1, is the real case of a v2 parent that
does not delegate them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from autograd_exercises.sandbox import cgroups

MEMORY, PIDS = 1 << 28, 64


@pytest.fixture
def fake(tmp_path, monkeypatch):
    """A cgroupfs root in ``tmp_path``, and this process as root in it."""
    monkeypatch.setattr(cgroups, "ROOT", tmp_path)
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    return tmp_path


def interface(folder: Path, *files: str) -> Path:
    """A cgroup folder as the kernel makes it: ``cgroup.procs`` and these interface files."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("cgroup.procs", *files):
        (folder / name).write_text("")
    return folder


def slot_fds(**kwargs) -> dict[str, int]:
    fds = cgroups.open_slot(3, memory=MEMORY, pids=PIDS, **kwargs)
    for fd in fds.values():
        os.close(fd)
    return fds


def test_v1_limits_each_controller_in_its_own_hierarchy(fake, monkeypatch):
    monkeypatch.setattr(cgroups, "_proc_cgroup", lambda: "4:memory:/course\n8:pids:/\n0::/\n")
    memory = interface(fake / "memory/course/autograd-sandbox-3", "memory.limit_in_bytes")
    pids = interface(fake / "pids/autograd-sandbox-3", "pids.max")
    (fake / "unified").mkdir()
    assert set(slot_fds()) == {"memory", "pids"}
    assert (memory / "memory.limit_in_bytes").read_text() == str(MEMORY + cgroups.SERVER_MEMORY)
    assert (pids / "pids.max").read_text() == str(PIDS)
    assert not (fake / "unified/autograd-sandbox-3").exists(), "a hybrid system leaves the v2 tree alone"


def test_v2_that_delegates_memory_and_pids_gets_both_layers(fake, monkeypatch):
    monkeypatch.setattr(cgroups, "_proc_cgroup", lambda: "0::/system.slice/grading.service\n")
    folder = interface(fake / "system.slice/grading.service/autograd-sandbox-3",
                       "memory.max", "memory.swap.max", "pids.max")
    assert set(slot_fds()) == {"memory", "pids"}
    assert (folder / "memory.max").read_text() == str(MEMORY + cgroups.SERVER_MEMORY)
    assert (folder / "memory.swap.max").read_text() == "0"
    assert (folder / "pids.max").read_text() == str(PIDS)


def test_v2_without_swap_accounting_still_limits_memory(fake, monkeypatch):
    monkeypatch.setattr(cgroups, "_proc_cgroup", lambda: "0::/\n")
    interface(fake / "autograd-sandbox-3", "memory.max", "pids.max")
    assert set(slot_fds()) == {"memory", "pids"}


def test_v2_that_delegates_only_pids_names_only_pids(fake, monkeypatch):
    monkeypatch.setattr(cgroups, "_proc_cgroup", lambda: "0::/\n")
    interface(fake / "autograd-sandbox-3", "pids.max")
    assert set(slot_fds()) == {"pids"}
    assert not (fake / "autograd-sandbox-3/memory.max").exists(), "no limit file was made up"


def test_v2_that_delegates_nothing_gets_no_layer_and_leaves_no_folder(fake, monkeypatch):
    monkeypatch.setattr(cgroups, "_proc_cgroup", lambda: "0::/user.slice/session-1.scope\n")
    (fake / "user.slice/session-1.scope").mkdir(parents=True)
    assert slot_fds() == {}
    assert not (fake / "user.slice/session-1.scope/autograd-sandbox-3").exists()


def test_no_cgroup_layer_without_root_or_without_cgroupfs(fake, monkeypatch):
    monkeypatch.setattr(cgroups, "_proc_cgroup", lambda: "0::/\n")
    interface(fake / "autograd-sandbox-3", "memory.max", "pids.max")
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert slot_fds() == {}
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    monkeypatch.setattr(cgroups, "ROOT", fake / "missing")
    assert slot_fds() == {}


REAL_UNIFIED = Path("/sys/fs/cgroup/unified")


@pytest.mark.skipif(not REAL_UNIFIED.is_dir() or os.geteuid() != 0, reason="needs root and a hybrid cgroup tree")
def test_a_real_v2_parent_that_does_not_delegate_memory_gets_no_layer(monkeypatch):
    """This machine's unified hierarchy has no memory or pids controller (they belong to v1): the kernel makes
    no limit files there, and the slot claims nothing (the grader once named a "unified-cgroup" layer here)."""
    if {"memory", "pids"} & set((REAL_UNIFIED / "cgroup.controllers").read_text().split()):
        pytest.skip("this unified hierarchy has memory or pids")
    monkeypatch.setattr(cgroups, "_own_paths", lambda: {"unified": REAL_UNIFIED})
    assert slot_fds() == {}
    assert not (REAL_UNIFIED / "autograd-sandbox-3").exists()
