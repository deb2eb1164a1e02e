"""The child's watch over what the probes rely on (``sandbox/child.py``: ``watch``, ``tampered``, ``prime``).

The zygote reads the watched namespaces once (``prime``); a child takes the zygote's reading of a namespace only
while that namespace's dict has its version of then (``frozen.dict_version``), and ``tampered`` skips a namespace
whose version has not moved. These tests hold both to what a full reading gives.
"""

from __future__ import annotations

import types

import pytest

from autograd_exercises.sandbox import child, frozen

needs_versions = pytest.mark.skipif(frozen.VERSION is None, reason="dict versions are read on CPython 3.11 only")


@pytest.fixture
def primed():
    """``child.prime`` as the zygote runs it, undone afterwards."""
    child.prime()
    yield
    _forget()


def _forget() -> None:
    """Undo :func:`child.prime`: every reading is made afresh."""
    child._PRIMED.clear()
    child._PRIMED_STEPS.clear()


def _changes(space: dict, owner: object):
    name = "_test_watch_name"
    return [lambda: space.__setitem__(name, 1), lambda: space.__setitem__(name, 2), lambda: space.pop(name),
            lambda: space.setdefault(name, 3), lambda: space.update({name: 4}), lambda: space.__delitem__(name),
            lambda: exec(f"{name} = 5", space) if isinstance(owner, types.ModuleType) else setattr(owner, name, 5),
            lambda: setattr(owner, name, object()), lambda: delattr(owner, name)]


@needs_versions
def test_every_change_of_a_module_or_class_namespace_gives_it_a_new_version():
    module = types.ModuleType("watched_here")
    klass = type("Watched", (), {})
    for owner in (module, klass):
        space = child._namespace(owner)
        assert type(space) is dict
        for change in _changes(space, owner) if owner is module else _changes({}, owner)[6:]:
            before = frozen.dict_version(space)
            change()
            assert frozen.dict_version(space) != before
        assert frozen.dict_version(space) == frozen.dict_version(space)  # nothing changed: the same number


def test_a_version_is_read_only_of_a_plain_dict():
    assert frozen.dict_version(types.MappingProxyType({})) is None
    assert frozen.dict_version([]) is None


def _flat(watched: list[child.Watched]) -> dict[tuple[int, str], int]:
    """Every watched name, by the namespace (or object) it is read from: the identity of what it was."""
    flat = {}
    for group in watched:
        space = group.owner
        if type(space) is types.MappingProxyType:
            space = child.gc.get_referents(space)[0]
        for key, value in zip(group.keys, group.values):
            flat[(id(space), key)] = id(value)
    return flat


@needs_versions
def test_a_primed_watch_holds_exactly_what_a_full_reading_gives(primed):
    classes, modules = child._classes(), child._frozen_modules()
    assert child._PRIMED and child._PRIMED_STEPS
    from_zygote = child.watch(classes, modules)
    _forget()
    assert _flat(from_zygote) == _flat(child.watch(classes, modules))


@needs_versions
def test_a_namespace_changed_after_priming_is_read_again(primed):
    import contextlib

    contextlib._test_watch_name = object()
    try:
        group = next(group for group in child.watch(child._classes(), child._frozen_modules())
                     if group.label == "contextlib")
        assert group.values[group.keys.index("_test_watch_name")] is contextlib._test_watch_name
    finally:
        del contextlib._test_watch_name


@needs_versions
def test_a_change_after_the_watch_is_tampering_even_where_the_namespace_was_primed(primed):
    import contextlib

    watched = child.watch(child._classes(), child._frozen_modules())
    group = next(group for group in watched if group.label == "contextlib")
    assert group.version is not None and group.version[0] is vars(contextlib)
    child.tampered(watched)  # nothing changed
    _replacing_contextmanager_is_tampering(watched)
    child.tampered(watched)  # put back: the same objects again


def _replacing_contextmanager_is_tampering(watched: list[child.Watched]) -> None:
    import contextlib

    original = contextlib.contextmanager
    contextlib.contextmanager = lambda function: function
    try:
        with pytest.raises(child.Tampered, match="contextlib.contextmanager"):
            child.tampered(watched)
    finally:
        contextlib.contextmanager = original


def test_a_change_is_tampering_where_no_version_is_read(monkeypatch):
    monkeypatch.setattr(frozen, "dict_version", lambda space: None)
    watched = child.watch(child._classes(), child._frozen_modules())
    assert all(group.version is None for group in watched)
    _replacing_contextmanager_is_tampering(watched)


@needs_versions
def test_a_name_added_to_a_class_that_a_base_defines_is_tampering(primed):
    import torch

    watched = child.watch(child._classes(), child._frozen_modules())
    torch.Tensor.__bool__ = torch._C.TensorBase.__bool__  # (a name TensorBase defines, now torch.Tensor's own)
    try:
        with pytest.raises(child.Tampered, match="__bool__"):
            child.tampered(watched)
    finally:
        del torch.Tensor.__bool__


def test_what_reads_a_version_is_frozen_in_the_child_with_the_classes():
    assert frozen.WORD in child._classes()
    assert frozen.dict_version.__kwdefaults__["_read"] == frozen.WORD.from_address


def test_a_value_that_differs_only_when_first_read_is_still_tampering():
    class Owner:
        reads = 0

        def __getattribute__(self, name):
            Owner.reads += 1
            return object() if Owner.reads == 1 else "same"

    owner = Owner()
    watched = [child.Watched("owner", owner, ("name",), ("same",))]
    with pytest.raises(child.Tampered, match="owner.name"):
        child.tampered(watched)


def test_where_a_package_lies_is_found_once_and_is_its_roots_folder():
    import os

    import torch.nn.functional

    places = frozen._places(torch.nn.functional)
    folder = os.path.dirname(torch.__file__) + os.sep
    assert places == ("<frozen torch>", folder, os.path.realpath(os.path.dirname(torch.__file__)) + os.sep)
    assert frozen._places(torch.autograd) is places  # (the root's, read once)
    assert frozen._places(os) == ("<frozen os>", os.__file__, os.path.realpath(os.__file__))
