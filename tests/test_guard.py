"""The submission's guarded ``getattr``, ``setattr`` and ``delattr`` (``autograd_exercises/sandbox/guard.py``)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import types

import pytest
import torch

from autograd_exercises.sandbox.guard import builtins_for, refused

MODULE = "exercise_5"


class Own:
    """A class of the submission's (its module's name is what the guard is told)."""

    __module__ = MODULE

    def __init__(self) -> None:
        self._step = 1


@pytest.mark.parametrize("owner, name", [
    (Own(), "_step"), (Own(), "__class__"), (Own(), "__doc__"), (torch.ones(2), "shape"), (torch, "float64"),
    (torch.ones(2), "_version"), ((torch.ones(1, requires_grad=True) * 2).grad_fn, "_saved_other"), (Own(), "_engine"),
    (torch.nn.functional, "mse_loss"), (Own, "count"), (Own, "_private_of_its_own"), (3, 7),
    (torch, "__file__"), (Own(), "__dict__"), (Own, "__init__")])
def test_an_honest_lookup_is_let_through(owner, name):
    assert not refused(owner, name, MODULE)


@pytest.mark.parametrize("owner, name", [
    (len, "__globals__"), (test_an_honest_lookup_is_let_through, "__code__"), (Own().__init__, "__self__"),
    (Own().__init__, "__func__"), (torch, "__dict__"), (Own(), "__reduce_ex__"), (torch, "_C"),
    (torch.Tensor, "_make_subclass"), (types, "modules"), (Own(), "f_back"), (Own(), "__getstate__"),
    (Own(), type("Name", (str,), {})("harmless")), (torch.ones(2), "_backward_hooks"),
    (type("Mine", (torch.Tensor,), {"__module__": MODULE})(), "_backward_hooks"), (torch.ones(2), "_post_accumulate_grad_hooks"),
    (__import__("sys"), "meta_path"), (__import__("sys"), "path")])
def test_a_lookup_past_an_objects_data_is_refused(owner, name):
    """Red team 26 read ``__globals__`` off the grader's wrapper left in torch, by a computed name on an object the
    reading took for the file's own; a ``str`` subclass could answer any comparison the guard makes. Red team 64 took
    the probe's hook on x from ``getattr(x, "_backward" + "_hooks")``: torch's private names on a library's instance
    (a tensor, also of the file's own tensor class) are refused too, as the reading refuses them, and where ``sys``
    imports from."""
    assert refused(owner, name, MODULE)


def test_a_change_to_a_module_or_a_foreign_class_is_refused():
    assert refused(torch.autograd.forward_ad, "make_dual", MODULE, change=True)
    assert refused(torch.Tensor, "slope", MODULE, change=True)
    assert not refused(Own(), "lr", MODULE, change=True) and not refused(Own, "count", MODULE, change=True)
    assert not refused(torch.backends.cudnn, "deterministic", MODULE, change=True)  # a setting, as the reading allows


def test_every_door_the_reading_names_is_refused_by_name():
    """The run refuses by a computed name what the doors reading refuses when it is written out."""
    from autograd_exercises.judge import tampering

    assert {name for name in tampering.ATTRIBUTES if refused(torch, name, MODULE)} == set(tampering.ATTRIBUTES)
    public = {name for name in tampering.ATTRIBUTES if not name.startswith("_") or name.endswith("__")}
    assert {name for name in public if refused(Own(), name, MODULE)} == public


def test_every_door_the_reading_names_on_torch_jit_is_refused_by_name():
    """``getattr(torch.jit, "Compilation" + "Unit")`` is refused as ``torch.jit.CompilationUnit`` is (red team 76)."""
    from autograd_exercises.judge import tampering

    names = {name for owner, name in tampering.OWNED_DOORS if owner == "jit"}
    assert {"fork", "wait", "CompilationUnit", "load"} <= names
    assert all(refused(torch.jit, name, MODULE) for name in names)
    assert not refused(torch.jit, "script", MODULE)


def test_yamls_loaders_that_call_functions_are_refused_by_name_and_its_safe_ones_not():
    import yaml

    assert refused(yaml, "unsafe_" + "load", MODULE) and refused(yaml, "Full" + "Loader", MODULE)
    assert not refused(yaml, "safe_load", MODULE) and not refused(yaml, "SafeLoader", MODULE)


def test_the_doors_torch_holds_are_refused_by_name():
    """``torch`` is read on every call, so it is no :class:`GuardedModule` (``guard.EXEMPT``): the reading refuses the
    names under which it holds a door instead (``torch.importlib``, ``torch.ctypes``), whatever this torch holds."""
    from autograd_exercises.judge import tampering
    from autograd_exercises.sandbox import guard

    held = set(guard.doors_held(torch))
    assert held and held <= set(tampering.ATTRIBUTES)


def test_only_a_package_or_a_module_that_holds_a_door_is_guarded():
    import enum
    import json.decoder

    from autograd_exercises.sandbox import guard

    assert guard.doors_held(enum) == ["bltns"] and guard.needs_guard(enum) and guard.needs_guard(json)
    assert not guard.needs_guard(json.decoder) and not guard.needs_guard(torch)


def test_the_builtins_carry_the_guarded_lookups():
    space = builtins_for(MODULE)
    assert space["getattr"](Own(), "_step") == 1 and space["getattr"](Own(), "missing", 0) == 0
    with pytest.raises(AttributeError, match="computed name"):
        space["getattr"](len, "__self__")
    with pytest.raises(AttributeError, match="computed name"):
        space["setattr"](torch.autograd.forward_ad, "make_dual", len)
    assert space["print"] is print and space["len"] is len
    with pytest.raises(TypeError, match="namespace of a module"):
        space["vars"](torch)
    assert space["vars"](Own()) == {"_step": 1}

    def local_names():
        here = 1
        return space["vars"](), here
    assert local_names()[0]["here"] == 1


# What the doors reading lets through since the run guards the module's getattr, setattr, delattr and vars: each of
# these once was a door by its text (red teams 19-26); now each raises when it runs.
AT_RUN = [
    "name = 'f_' + 'back'\nv = getattr(frame, name)",
    "import torch\nm = getattr(torch, 's' + 'ys')\nv = getattr(m, 'mod' + 'ules')",
    "import torch\nd = vars(torch)",
    "for name in dir(node):\n    v = getattr(node, name)",
    "NAMES = ['tb_lineno']\nNAMES.append(key)\nfor name in NAMES:\n    v = getattr(tb, name)",
    "look = getattr\nv = look(tb, 'tb_' + 'frame')",
    "import functools\nv = functools.reduce(getattr, ['tb_frame'], tb)",
    "import torch\nclass Maker:\n    def __new__(cls):\n        return torch\ncfg = Maker()\nsetattr(cfg, 'x' + 'y', 1)",
    "import torch\nclass P:\n    def parse_args(self):\n        return torch\nargs = P().parse_args()\nv = vars(args)",
    "def pick(z, kind='sum'):\n    return getattr(z, kind)\nframe = pick(tb, ''.join(['tb_', 'frame']))",
    "import torch\nclass Base:\n    def __new__(cls):\n        return torch.autograd.forward_ad.make_dual\n"
    "class Handle(Base):\n    pass\nh = Handle()\nspace = getattr(h, '__glo' + 'bals__')",
    "import torch\nclass Handle:\n    pass\nHandle.__new__ = lambda cls: torch\nh = Handle()\nv = getattr(h, '_' + 'C')",
    "class Handle:\n    pass\nHandle = wrap(Handle)\nh = Handle()\nv = getattr(h, name)",
    "import types\nns = types.SimpleNamespace(e=eval)\nrun = getattr(ns, 'e')",
    "import logging\nimport logging.config\nc = getattr(logging, 'con' + 'fig')",
    "import inspect\nstack = getattr(inspect, 'st' + 'ack')",
    "import functools\nw = getattr(functools, 'wr' + 'aps')",
]


@pytest.mark.parametrize("code", AT_RUN)
def test_what_the_reading_lets_through_the_run_refuses(code):
    import sys

    try:
        1 / 0
    except ZeroDivisionError as error:
        tb = error.__traceback__
    space = {"__builtins__": builtins_for("snippet"), "__name__": "snippet", "tb": tb, "frame": sys._getframe(),
             "node": test_an_honest_lookup_is_let_through, "key": "tb_frame", "name": "__globals__",
             "wrap": lambda cls: (lambda: torch.autograd.forward_ad.make_dual)}
    with pytest.raises((AttributeError, TypeError), match="the grader does not let a submission"):
        exec(compile(code, "snippet", "exec"), space)


# Imports in code made from a string as the child runs (a timer's setup): one of a module already imported, that
# hands no door, runs no code and is let by; any other is refused by the child's reading of such code.
LOADED_IMPORTS = ["import torch", "import torch.nn.functional as F", "from torch import autograd, nn",
                  "import math, json", "from __main__ import f, x", "from math import pi as PI"]
REFUSED_IMPORTS = ["import ctypes", "import torch._C as C", "from torch import _C", "from torch import fx",
                   "import torch.fx", "from torch.jit import fork", "import __main__", "from __main__ import *",
                   "from __main__ import __builtins__", "from __main__ import globals", "from . import f",
                   "import antigravity", "from sys import modules", "from builtins import eval",
                   "import autograd_exercises", "from math import not_there", "import importlib.util"]


@pytest.mark.parametrize("code", LOADED_IMPORTS)
def test_an_import_of_a_loaded_module_in_code_made_from_a_string_is_let_by(code):
    import json  # noqa: F401 (loaded, as torch's import loads it in the child)

    from autograd_exercises.sandbox.guard import door_in_code
    assert door_in_code(code) == ""


@pytest.mark.parametrize("code", REFUSED_IMPORTS)
def test_any_other_import_in_code_made_from_a_string_is_refused(code):
    from autograd_exercises.sandbox.guard import door_in_code
    assert door_in_code(code) == "an import"


STARRED_AT_RUN = {  # the submission's own star import -> "ran" or the error it meets, once every module is guarded
    "from gc import *\nx = get_objects": "NameError",  # (its star import binds no door)
    "from gc import *\nx = get_referents": "NameError",
    "from gc import *\ncollect()": "ran",
    "from inspect import *\ns = stack": "NameError",
    "from inspect import *\ns = signature(len)": "ran",
    "from types import *\nF = FunctionType": "NameError",
    "from types import *\nn = SimpleNamespace(a=1)": "ran",
    "from traceback import *\nw = walk_stack": "NameError",
    "from traceback import *\nformat_exc()": "ran",
    "from torch.nn.functional import *\ny = relu(torch.ones(2))": "ran",  # (its importlib is not bound)
    "from torch.nn.functional import *\nm = importlib": "NameError",
}


def test_a_star_import_binds_the_submission_no_door():
    """Red teams 93 and 94 bound ``gc.get_objects`` by ``from gc import *``, read in a class body that the doors reading
    took for the class's own name. A star import in the submission's code binds no door by name from a door module
    (``gc``, ``pickle``…, ``inspect``, ``traceback``, ``types``) and no door module any module holds (fairness:
    ``from torch.nn.functional import *`` failed on the ``importlib`` it holds); what else the module exports, as
    Python would. In a process of its own (guarding changes every module)."""
    script = textwrap.dedent('''
        import gc, inspect, json, sys, traceback, types
        import torch
        import torch.nn.functional
        from autograd_exercises.sandbox import guard
        guard._know_library(); guard.guard_modules()
        space = {"__builtins__": guard.builtins_for("snippet"), "__name__": "snippet", "torch": torch}
        found = {}
        for code in json.loads(sys.stdin.read()):
            try:
                exec(compile(code, "snippet", "exec"), dict(space))
                found[code] = "ran"
            except Exception as error:
                found[code] = type(error).__name__
        namespace = {}
        exec("from gc import *", namespace)  # (this script's own star import is no library's either)
        found["library"] = "get_objects" in vars(__import__("pydoc").locate("gc"))  # (the module itself is whole)
        print(json.dumps(found))
    ''')
    done = subprocess.run([sys.executable, "-c", script], input=json.dumps(list(STARRED_AT_RUN)), capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert found.pop("library") is True
    assert found == STARRED_AT_RUN
