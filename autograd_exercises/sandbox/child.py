"""The sandboxed child: lock down, import the submission, run one probe, report.

Runs in a process forked from the fork-server (or spawned, where there is no
``fork``). Order matters: every isolation layer is in place *before* the
student's module is imported, and the result leaves through file descriptor
:data:`RESULT_FD`, plain data packed by :func:`.packing.pack`.

A notebook is not imported: its job carries a ``program`` (:func:`run_program`),
its code cells in document order with, between them, the checks whose test cells
sit there. Each cell runs on its own, under its own time budget (past it, the cell
gets a ``KeyboardInterrupt``, as nbgrader interrupts the kernel), an error ending
only that cell; each check judges the module as it is at its test cell's position.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import copy
import functools
import gc
import hashlib
import importlib
import importlib.machinery
import importlib.util
import itertools
import operator
import os
import random
import re
import shutil
import signal
import sys
import tempfile
import time
import types
import warnings
from typing import Any, NamedTuple

import torch

from autograd_exercises.sandbox import caches, frozen, guard, isolation, numpy_cache, observe, packing, tensorbase, wall
from autograd_exercises.sandbox.protocol import AGAIN, CHECK_SEPARATOR, CHECK_SEPARATOR_END, GRADER_PACKAGE, LOCKED, \
    RESULT_FD, TAMPERED, cells_budget, off_stop, runs_twice, seal_keys

TIMERS = hasattr(signal, "setitimer") and hasattr(signal, "SIGALRM")  # interval timers (not on Windows)
PR_SET_PDEATHSIG = 1
# Bound before any student code runs, so a submission that replaces them cannot forge the report.
_PACK, _WRITE, _EXIT, _FSTAT, _SHA256 = packing.pack, os.write, os._exit, os.fstat, hashlib.sha256


# What is slow to import and reasonable for a student to use. The fork-server loads it after its first
# fork (while that child runs), so start-up does not wait for it and later children never pay for it;
# a child that needs it before then imports it with its check's timer paused (FairImports).
# Creating any torch.optim optimizer imports torch._dynamo: over a second.
HEAVY = ("torch._dynamo", "torch.optim", "torch.optim.lr_scheduler", "torch.func", "torch.nn",
         "torch.nn.functional", "torch.autograd.functional", "torch.autograd.forward_ad", "numpy")


def preload() -> None:
    """Load, before any lock-down, the trusted code every child needs: torch (one thread),
    the wire format, numpy.random (where torch loaded numpy), and the probes (code that calls student functions:
    no reference, judge or hidden check is importable here)."""
    torch.set_num_threads(1)
    if torch.get_num_interop_threads() != 1:
        try:
            torch.set_num_interop_threads(1)
        except RuntimeError:  # already started once: harmless for a child that runs one probe
            pass
    packing.loads(packing.pack([{"x": torch.zeros(2)}]))  # the wire format's first use (json, ctypes)
    if "numpy" in sys.modules:  # every check snapshots numpy.random's state (_state): 10 ms a child to import it
        try:
            importlib.import_module("numpy.random")
        except ImportError:
            pass
    import autograd_exercises.probes  # noqa: F401

    interop_threads_kept()
    compile_eagerly()
    script_eagerly()
    trust_with_frames()
    dataclasses_set_their_own()
    traceback_captures_no_locals()
    count_gpus_quietly()
    progress_bars_start_no_thread()
    torch_chains()  # (read here, once: every child inherits the answer)
    guard.torch_private()  # (likewise)
    note_modules()


def interop_threads_kept() -> None:
    """Make ``torch.set_num_interop_threads`` check its argument as torch does and keep the one thread the server
    set: torch allows that call once a process, and the server made it before forking, so a child that called it
    raised where the student's own ``python`` or kernel ran it without a word (fairness 36: a top-level
    ``torch.set_num_interop_threads(1)`` scored zero). It sets only how fast torch runs, never what it computes."""
    numpy_int = type(None)  # (where numpy is loaded, its integers count as torch counts them)
    if "numpy" in sys.modules:
        numpy_int = sys.modules["numpy"].integer

    def set_num_interop_threads(num: Any) -> None:
        """``torch.set_num_interop_threads`` in the grader's sandbox: its argument checked, the thread kept."""
        if not isinstance(num, (int, numpy_int)) or isinstance(num, bool):
            raise RuntimeError(f"set_num_interop_threads expects an int, but got {type(num).__name__}")
        if num <= 0:
            raise RuntimeError("set_num_interop_threads expects a positive integer")

    torch.set_num_interop_threads = set_num_interop_threads


def compile_eagerly() -> None:
    """Make ``torch.compile`` (and so ``nn.Module.compile``) hand back what it is given, run as written.

    Its default backend, inductor, writes Python and C++ into the child's scratch and then imports it (the child runs
    no file it wrote: the wall, :mod:`.wall`) and compiles C++ for longer than a check's time: a correct submission that
    compiled its functions scored zero. What torch.compile promises is eager's values and gradients, and those are
    what a check judges; the grader has no use for its speed. (Done once, before the child freezes torch.)"""

    def compile(model: Any = None, *args: Any, **options: Any) -> Any:
        """``torch.compile`` in the grader's sandbox: ``model`` itself, run eagerly (also as ``@torch.compile(...)``)."""
        return model if model is not None else (lambda model: model)

    torch.compile = compile


def script_eagerly() -> None:
    """Run TorchScript as the Python it was written in: ``torch.jit.script`` and ``torch.jit.trace`` hand back what
    they are given, and ``torch.jit.ScriptModule`` is a plain module with no ``define`` (torch's own switch,
    ``PYTORCH_JIT=0``, which the server's environment sets before torch is imported: :func:`launcher.environment`),
    so a ``torch.jit.fork`` in scripted code runs its function right there, on the caller's thread. Scripted, it ran
    on torch's inter-op threads, where no count of autograd runs (red team 76 built exercise 4's ``predict`` graph there
    through a module alias no reading followed; red team 77 through ``ScriptModule.define``). The values and gradients
    are eager's, which is what a check judges. Torch's own forward-mode AD scripts its decompositions when first used:
    they are scripted here first, the switch on for that import alone (0.2 s, once per sandbox server). (Done once,
    before the child freezes torch.)"""
    torch.jit._state.enable()
    try:
        importlib.import_module("torch._decomp.decompositions_for_jvp")
    finally:
        torch.jit._state.disable()


class _OwnFields:
    """What ``dataclasses`` hands a frozen dataclass's ``__init__`` (and its ``__setstate__``) as ``object``, to set the
    fields of its own instance: ``object.__setattr__`` passes by a read-only module's own rules, so
    ``Frozen.__init__(torch, fake)``, with a field named ``is_grad_enabled``, replaced torch's for a moment (this
    session's red team review). This one sets no module's attribute, nor a class's."""

    @staticmethod
    def __setattr__(target: Any, name: str, value: Any) -> None:
        _OwnFields._own(target)
        object.__setattr__(target, name, value)

    @staticmethod
    def __delattr__(target: Any, name: str) -> None:
        _OwnFields._own(target)
        object.__delattr__(target, name)

    @staticmethod
    def _own(target: Any) -> None:
        if isinstance(target, (types.ModuleType, type)):
            raise TypeError(f"a dataclass sets the fields of its own instances, not those of a {type(target).__name__}")


def dataclasses_set_their_own() -> None:
    """Frozen dataclasses made in the child set their fields through :class:`_OwnFields` (``dataclasses.object``: the
    module reads that global as it writes their ``__init__``)."""
    import dataclasses

    dataclasses.object = _OwnFields


def traceback_captures_no_locals() -> None:
    """``traceback``'s ``capture_locals`` puts the ``repr`` of every local of each frame it reads into what it returns:
    the child's own frames hold the report's seal (red team 60 asked for it as ``**{"capture_" + "locals": True}``,
    past the reading, which knows the keyword by name). In the child it captures none."""
    import traceback

    real = traceback.StackSummary.__dict__.get("_extract_from_extended_frame_gen")
    if not isinstance(real, classmethod):
        return

    def extract(klass: Any, frame_gen: Any, *, limit: Any = None, lookup_lines: bool = True,
                capture_locals: bool = False) -> Any:
        return real.__func__(klass, frame_gen, limit=limit, lookup_lines=lookup_lines, capture_locals=False)

    traceback.StackSummary._extract_from_extended_frame_gen = classmethod(extract)


def count_gpus_quietly() -> None:
    """Ask torch, once and here, how many GPUs it sees: torch keeps the answer (c10's device count), and children
    inherit it. On a GPU machine (a CUDA build of torch, the driver's library under /usr, no device node in the
    sandbox) each child's first ``backward()`` asked the driver itself and printed "UserWarning: CUDA initialization:
    Unexpected error from cudaGetDeviceCount() … Error 304" into every student's output (torch 2.11+cu130 on an
    H200). ``torch.cuda.device_count()`` may answer from NVML without filling torch's count, so it is asked directly."""
    count = getattr(torch._C, "_cuda_getDeviceCount", None)  # (absent from a CPU-only build)
    if count is None:
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            count()
        except Exception:
            pass


def progress_bars_start_no_thread() -> None:
    """Switch tqdm's monitor off (``tqdm.monitor_interval = 0``, its documented switch), once and here.

    A bar's first use starts a monitor thread that outlives every bar: a warm-up loop under ``tqdm`` at a module's top
    level, or in a notebook cell, left it alive through every later check, and the checks that count threads failed a
    file that started none (fairness 32). Switched off, no bar starts one; a thread the file starts itself, tqdm's
    ``TMonitor`` or a monitor it switches back on, counts as before. (torch imports tqdm already.)"""
    try:
        from tqdm.std import tqdm
    except ImportError:  # (not installed: no bar, no thread)
        return
    tqdm.monitor_interval = 0


def preload_heavy() -> None:
    """Load :data:`HEAVY` (in the fork-server, between jobs or while a child runs)."""
    for name in HEAVY:
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    parameter = torch.zeros(1, requires_grad=True)
    torch.optim.SGD([parameter], lr=0.1)  # the first optimizer finishes torch._dynamo's lazy set-up
    note_modules()


HEAVY_USED: list[str] = []  # the HEAVY modules this child imported itself (its report says so)


class FairImports:
    """A meta-path finder that pauses the running check's interval timer while a :data:`HEAVY` module is
    imported: the sandbox's own import time never counts against a student's check. It notes each one,
    so the grader can have the fork-server preload them for the next children (``"heavy"`` in the report)."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        if name not in HEAVY:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None and spec.loader is not None and hasattr(spec.loader, "exec_module"):
                spec.loader = _PausedLoader(spec.loader)
                HEAVY_USED.append(name)
                return spec
        return None


class _PausedLoader:
    def __init__(self, loader: Any) -> None:
        self.loader = loader

    def create_module(self, spec: Any) -> Any:
        return self.loader.create_module(spec)

    def exec_module(self, module: Any) -> None:
        remaining, _ = signal.setitimer(signal.ITIMER_REAL, 0)
        try:
            self.loader.exec_module(module)
        finally:
            if remaining:
                signal.setitimer(signal.ITIMER_REAL, remaining)


def make_scratch(job: dict[str, Any], source: bytes | None) -> None:
    """Mount this child's own scratch tmpfs (private-scratch) and write the submission into it; then make
    it the working, home and temporary folder (``tempfile`` cached the server's ``/tmp`` before the fork)."""
    scratch, layers = job["scratch"], set(job["layers"])
    if "private-scratch" in layers:
        limits = job["limits"]
        if not isolation.private_scratch(scratch, job["uid"], limits["scratch_bytes"], limits["scratch_inodes"]):
            raise RuntimeError("could not mount the scratch folder")
        path = os.path.join(scratch, job["filename"])
        with open(path, "wb") as handle:
            handle.write(source or b"")
        if job["uid"] is not None:
            os.chown(path, job["uid"], job["uid"])
    os.chdir(scratch)
    os.environ.clear()
    os.environ.update(isolation.clean_environment(scratch))
    tempfile.tempdir = scratch


def lock_down(job: dict[str, Any], source: bytes | None = None, seccomp: Any = None) -> None:
    """Apply every isolation layer the server found working; fail closed if one breaks."""
    make_scratch(job, source)
    _WRITTEN[:] = [job["scratch"].rstrip(os.sep) + os.sep, os.path.join(job["scratch"], job["filename"])]
    sys.meta_path.insert(0, ScratchImports())
    if "torch._dynamo" not in sys.modules:
        sys.meta_path.insert(0, FairImports())
    isolation.set_oom_score_adj(1000)  # the first to go when memory runs out, never the grader
    layers, refused = set(job["layers"]), []
    isolation.apply_rlimits(isolation.Limits(**job["limits"]), refused)
    if "rlimits" in layers and refused:  # (walkthrough 70: a refused limit was skipped, the child ran on)
        raise RuntimeError(f"could not apply {', '.join(refused)}")
    if "uid-switch" in layers and not isolation.drop_privileges(job["uid"]):
        raise RuntimeError("could not switch to the sandbox uid")
    if "capabilities-dropped" in layers and not isolation.drop_capabilities():
        raise RuntimeError("could not drop capabilities")
    if "no-new-privs" in layers and not isolation.set_no_new_privs():
        raise RuntimeError("could not set no-new-privs")
    if any(layer.startswith("landlock") for layer in layers):
        if not isolation.apply_landlock(job["read_paths"], [job["scratch"], *isolation.WRITABLE_DEVICES]):
            raise RuntimeError("could not apply landlock")
    if "seccomp" in layers and not isolation.apply_seccomp(**isolation.seccomp_options(layers), prepared=seccomp):
        raise RuntimeError("could not apply seccomp")
    die_with_server(job.get("server"))


def die_with_server(server: int | None) -> None:
    """Get SIGKILL when the fork-server dies; set last, since a uid switch clears it.

    Where the grader must kill a server that stopped answering, this child then
    goes with it instead of running on, re-parented elsewhere. Exit at once if
    the server is already gone.
    """
    isolation._prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if server is not None and os.getppid() != server:
        _EXIT(72)


_WRITTEN = ["\0", "\0"]  # the scratch folder (with a trailing separator), and the submission's file in it
_TORCH = (os.path.dirname(torch.__file__) + os.sep, os.path.realpath(os.path.dirname(torch.__file__)) + os.sep)
TRUSTED_WITH_FRAMES = ("torch", "numpy", "matplotlib", "typing_extensions")  # installed packages that may ask for a
# frame while the submission runs (for a module's name, a warning's stack level: they hand none back); the standard
# library too. Not pandas: its computation Scope hands a caller's frame's locals and globals back (ensure_scope(level))
_FRAMES_TRUSTED: dict[str, tuple[str, ...]] = {"packages": (), "stdlib": (), "installed": ()}  # (trust_with_frames)


def trust_with_frames() -> None:
    """Note where the code lies that may ask for a frame while the submission's code runs: the standard library (not
    the packages installed in it), the grader and :data:`TRUSTED_WITH_FRAMES` (found, not imported); in the server,
    before any child."""
    specs = [spec for name in TRUSTED_WITH_FRAMES if (spec := importlib.util.find_spec(name)) is not None and spec.origin]
    packages = [os.path.dirname(spec.origin) if spec.submodule_search_locations else spec.origin for spec in specs]
    places = guard.code_places()
    _FRAMES_TRUSTED.update(packages=("<frozen ", *guard.prefixes(packages + places["grader"])),
                           stdlib=guard.prefixes(places["stdlib"]), installed=guard.prefixes(places["installed"]))


def build_wall(job: dict[str, Any]) -> None:
    """The child's audit hook (:mod:`.wall`), for the rest of its life, over what it decides by as it is now (the
    submission's folder and module, where library code lies): once the submission may run, no trace or profile hook,
    no other audit hook, no frame handed to its code, no function's code changed, no code made from a string that
    reaches past its data, no file it wrote run as code. Nothing any namespace holds changes it afterwards."""
    wall.install(scratch=_WRITTEN[0], own_file=_WRITTEN[1], library=guard.library(),
                 trusted=_FRAMES_TRUSTED["packages"], stdlib=_FRAMES_TRUSTED["stdlib"],
                 installed=_FRAMES_TRUSTED["installed"], torch=_TORCH, own_module=guard.OWN_MODULE[0],
                 door_in_code=guard.door_in_code, grader_package=GRADER_PACKAGE,
                 own_pid_namespace="pid-namespace" in job.get("layers", ()))


class ScratchImports:
    """A meta-path finder that refuses a module found in the scratch folder (on ``sys.path`` there, or a package's
    path there): a file the submission wrote runs as no module (red team 56: ``sys.path.insert(0, os.getcwd())``, then
    ``import side_helper``; ``unittest``'s ``discover``). The file graded is imported by the child itself."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        entries = [entry for entry in (sys.path if path is None else path) if isinstance(entry, str)
                   and (os.path.abspath(entry) + os.sep).startswith(_WRITTEN[0])]
        if entries and importlib.machinery.PathFinder.find_spec(name, entries) is not None:
            raise ImportError(f"the grader does not let a submission import a module it wrote ({name})")
        return None


def hide_grader() -> None:
    """Take the grader's own modules (and the fork-server's ``__main__``) out of ``sys.modules``: called once every
    probe is resolved and bound, before any student code runs.

    The probes and this module keep their objects in module namespaces. A lookup by a dotted name
    (``pkgutil.resolve_name``, ``unittest.mock.patch``, ``pydoc.locate``, ``logging.config``'s resolver) would hand
    those very modules to a submission that patches them (red team 25 forged exercise 5's graph count and the
    report's packer so). Now such a lookup imports a fresh copy from disk, which nothing in this child calls; and
    nothing here imports anything by name after this.
    """
    for name in _grader_modules():
        sys.modules.pop(name, None)
    sys.modules["__main__"] = types.ModuleType("__main__")


def _ours(name: str) -> bool:
    return name == GRADER_PACKAGE or name.startswith(GRADER_PACKAGE + ".")


_NOTED: tuple[list[str], int, str] | None = None  # the grader's modules, how many modules, the last: note_modules


def note_modules() -> None:
    """Note the grader's modules in the process children are forked from (after each preload), so that
    :func:`hide_grader` need not read every name in ``sys.modules``: in a child, reading a name it inherited
    writes its reference count, and the page it lies on is copied (a thousand names cost 600 copies, 3 ms)."""
    global _NOTED
    _NOTED = ([name for name in sys.modules if _ours(name)], len(sys.modules), next(reversed(sys.modules)))


def _grader_modules() -> list[str]:
    """The grader's modules now in ``sys.modules``: those noted, and those among the names added since (the
    last ones: a dict keeps its order). Any other change (a noted name removed) reads every name."""
    if _NOTED is not None:
        noted, count, last = _NOTED
        added = len(sys.modules) - count
        newest = list(itertools.islice(reversed(sys.modules), added + 1)) if added >= 0 else []
        if newest and newest[-1] == last:
            return noted + [name for name in newest[:-1] if _ours(name)]
    return [name for name in sys.modules if _ours(name)]


class Tampered(Exception):
    """The submission changed an object the probes or the report rely on (:func:`watch`)."""


def watch(classes: list[type], modules: list[types.ModuleType]) -> list[Watched]:
    """What the probes and the report rely on, as it is before the submission runs: every name of the builtins and of
    ``modules`` but torch's (:func:`_frozen_modules`: the sandbox's, the probes', the standard library's they run
    through), the callables of torch's saved-tensor hooks and forward-mode AD, the engine, hook pushers,
    backward functions and thread starters the counters wrap, every ``torch.…`` the child's own code names
    (:func:`torch_chains`), and the methods of ``classes`` (:func:`_classes`). Library code sets attributes for its
    caller (red team 28: ``argparse``'s ``parse_args(namespace=…)`` replaced ``saved_tensors_hooks``), and a library's
    object handed to a function is changed through its parameter (red team 51: ``saved_tensors_hooks.__enter__``),
    beyond what any reading or guard of the submission's own lookups sees; :func:`tampered` compares each by
    identity."""
    from torch.autograd.variable import Variable

    watched = [_entries(module) for module in dict.fromkeys((builtins, *modules))
               if module.__name__.partition(".")[0] != "torch"]  # (torch's own code changes torch's: only the names
    watched += [_remembered(module, "callables", _callables) for module in (torch.autograd.graph,  # the child uses)
                                                                             torch.autograd.forward_ad)]
    named = ((Variable, "_execution_engine"), (torch._C._autograd, "_push_saved_tensors_default_hooks"),
             (torch._C._autograd, "_pop_saved_tensors_default_hooks"),
             (torch.autograd, "_push_saved_tensors_default_hooks"), (torch.autograd, "_pop_saved_tensors_default_hooks"),
             (torch.Tensor, "backward"), (torch.autograd, "backward"), (torch.autograd, "grad"),
             *observe.thread_starters())
    watched += [_group(getattr(owner, "__name__", "?"), owner, [(key, getattr(owner, key))]) for owner, key in named]
    return watched + _named_parts() + [_entries(cls) for cls in classes]


def _named_parts() -> list[Watched]:
    """Each part of each :func:`torch_chains` chain as it now is (``torch.autograd``, then its ``graph``, …): read
    from the namespaces themselves, so that nothing not yet loaded is imported; a part of a namespace that has not
    changed since the zygote read it (:func:`prime`), up to the first that has, as the zygote read it."""
    kept = _PRIMED_STEPS  # chain -> its steps as the zygote read them
    found: dict[int, tuple[str, Any, dict[str, Any], Any]] = {}  # id(namespace) -> label, itself, parts, version
    steps_of: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
    for chain in torch_chains():
        steps, owner, label, fresh = steps_of.setdefault(chain, []), torch, "torch", chain not in kept
        for depth, part in enumerate(chain):
            step = None if fresh or depth >= len(kept[chain]) else kept[chain][depth]
            if step is None or frozen.dict_version(step[0]) != step[1]:
                fresh, space, inner = True, vars(owner), _namespace(owner)
                step = (inner, frozen.dict_version(inner), space, space.get(part, _MISSING))
            steps.append(step)
            inner, version, space, value = step
            if value is _MISSING:
                break
            found.setdefault(id(space), (label, space, {}, (inner, version) if version is not None else None))
            found[id(space)][2].setdefault(part, value)
            owner, label = value, f"{label}.{part}"
            if not isinstance(owner, (types.ModuleType, type)):
                break
    if _PRIMING[0] and all(step[1] is not None for steps in steps_of.values() for step in steps):
        _PRIMED_STEPS.update(steps_of)
    return [_group(label, space, list(parts.items()))._replace(version=version)
            for label, space, parts, version in found.values()]


_MISSING = object()  # a part a namespace does not have


def _callables(module: types.ModuleType) -> Watched:
    """The callables and modules of ``module``'s namespace (not forward_ad's level, an int)."""
    return _group(module.__name__, vars(module), [(key, value) for key, value in list(vars(module).items())
                                                   if callable(value) or isinstance(value, types.ModuleType)])


def _classes() -> list[type]:
    """``torch.Tensor`` and the classes of torch's autograd graph, forward-mode and grad-mode modules
    (``saved_tensors_hooks``, ``no_grad``, ``dual_level``, …), of ``contextlib`` and of the child's own modules,
    whose methods the probes run through, ``torch.autograd.Function`` (whose ``apply`` counts custom Functions' nodes),
    and the ctypes class that reads a namespace's version (``frozen.WORD``)."""
    from autograd_exercises import probes

    modules = (torch.autograd.graph, torch.autograd.forward_ad, torch.autograd.grad_mode, contextlib, observe, packing,
               tensorbase, *probes.MODULES)
    return [torch.Tensor, torch.autograd.Function, frozen.WORD,
            *(value for module in modules for value in _remembered(module, "classes", _own_classes))]


def _own_classes(module: types.ModuleType) -> tuple[type, ...]:
    return tuple(value for value in vars(module).values()
                 if isinstance(value, type) and value.__module__ == module.__name__)


_PRIMED: dict[tuple[int, str], tuple[Any, dict[str, Any], int, Any]] = {}  # (id(owner), reading) -> the owner, its
# namespace, that namespace's version and what the reading gave, as the zygote read them (:func:`prime`)
_PRIMED_STEPS: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}  # each torch chain's steps (:func:`_named_parts`)
_PRIMING = [False]


def prime() -> None:
    """In the zygote: read what :func:`watch` reads, once, so that a child reads again only the namespaces changed
    since (:func:`_remembered`). A child that read them all took a reference to each of some 2,000 objects, and
    each reference written into an object's count copied the page it lies on: 2.5 ms a child, of its 20."""
    _PRIMING[0] = True
    try:
        _PRIMED.clear()
        _PRIMED_STEPS.clear()
        modules = _frozen_modules()
        watch(_classes(), modules)
        for module in modules:
            frozen._places(module)  # (where each package lies: each child's freeze asks)
        caches.prime()  # (the caches and registries a child empties before a by-hand call, and the modules loaded)
    finally:
        _PRIMING[0] = False


def _remembered(owner: Any, reading: str, read: Any) -> Any:
    """``read(owner)``, or what it gave in the zygote (:func:`prime`) while ``owner``'s namespace is the very dict it
    was and has not changed since (its version, :func:`frozen.dict_version`: a number that any change of the dict
    replaces, never taken back)."""
    kept = _PRIMED.get((id(owner), reading))
    if kept is not None and kept[0] is owner and frozen.dict_version(kept[1]) == kept[2]:  # (a module's or a class's
        return kept[3]  # namespace is never another dict: its __dict__ cannot be set)
    space = _namespace(owner)
    version = frozen.dict_version(space)
    found = read(owner)
    if isinstance(found, Watched):
        found = found._replace(version=None if version is None else (space, version))
    if _PRIMING[0] and version is not None:
        _PRIMED[(id(owner), reading)] = (owner, space, version, found)
    return found


def _namespace(owner: Any) -> Any:
    """The dict that holds ``owner``'s names: a module's own, a class's behind its mapping proxy."""
    space = vars(owner)
    if type(space) is types.MappingProxyType:
        inner = gc.get_referents(space)
        space = inner[0] if len(inner) == 1 else None
    return space if type(space) is dict else None


def _frozen_modules() -> list[types.ModuleType]:
    """The modules made read-only in the child (:mod:`.frozen`): the standard library's modules the
    probes and the report run through (``contextlib``'s context managers call ``next`` from its namespace,
    ``observe`` asks ``os.path.realpath`` where an error was raised: red team 52), torch and its autograd modules
    (``torch.is_grad_enabled`` answered once, then put back: red team 53), ``torch.nn.functional`` and
    ``torch.optim`` where loaded, the child's own, and the builtins (red team 55 reached them as ``enum.bltns``). Their
    own package's code still sets their attributes (the builtins': torch's, whose ``torch.export`` sets
    ``builtins.max`` while it traces)."""
    import genericpath
    import linecache
    import posixpath
    import traceback

    from autograd_exercises import probes

    loaded = [sys.modules[name] for name in ("torch.nn.functional", "torch.optim") if name in sys.modules]
    return [builtins, contextlib, os, posixpath, genericpath, traceback, linecache, types, functools, random, torch,
            torch.autograd, torch.autograd.graph, torch.autograd.forward_ad, torch.autograd.grad_mode, *loaded,
            observe, packing, tensorbase, guard, frozen, sys.modules[__name__], *probes.MODULES]


class Watched(NamedTuple):
    """Names of one owner as they were (:func:`watch`): ``keys[i]`` was ``values[i]``, read from the namespace
    ``owner`` (a module's or class's: a dict or mapping proxy) or as its attributes; ``known``: for a class or module
    (not the builtins: what they gain is their own), the names it had, since a name added later may shadow one
    (:func:`_entries`); ``version``: the dict behind ``owner`` and its version then, where it can be read
    (:func:`frozen.dict_version`): while it is the same, nothing in it has changed."""

    label: str
    owner: Any
    keys: tuple[str, ...]
    values: tuple[Any, ...]
    known: tuple[Any, frozenset[str]] | None = None  # (the class or module, its names then)
    version: tuple[dict[str, Any], int] | None = None


def _group(label: str, owner: Any, pairs: list[tuple[str, Any]]) -> Watched:
    keys, values = zip(*pairs) if pairs else ((), ())
    return Watched(label, owner, keys, values)


def _entries(owner: Any) -> Watched:
    """Every name of a class's or a module's own namespace, and the names it has: a name added later that a base
    defines (``torch.Tensor.requires_grad = property(…)`` over ``TensorBase``'s), or for a module one of the builtins
    (``contextlib.next``, which its context managers call), changes what it answers."""
    return _remembered(owner, "entries", _all_entries)


def _all_entries(owner: Any) -> Watched:
    label = f"{owner.__module__}.{owner.__qualname__}" if isinstance(owner, type) else owner.__name__
    space = vars(owner)
    group = _group(label, space, list(space.items()))
    return group._replace(known=(owner, frozenset(group.keys))) if owner is not builtins else group


def _shadowing(owner: Any, known: frozenset) -> str:
    """A name ``owner`` has gained since ``known`` that a base of it defines (a class) or a builtin is (a module), or
    ``""`` (``copy`` adds ``__slotnames__`` to ``torch.Tensor``: no base has it)."""
    below = [vars(base) for base in owner.__mro__[1:]] if isinstance(owner, type) else [vars(builtins)]
    return next((key for key in vars(owner) if key not in known and any(key in space for space in below)), "")


def tampered(watched: list[Watched], _version: Any = frozen.dict_version, _type: Any = type,
             _namespaces: Any = (dict, types.MappingProxyType), _map: Any = map, _all: Any = all,
             _is: Any = operator.is_, _repeat: Any = itertools.repeat, _getattr: Any = getattr,
             _tuple: Any = tuple) -> None:
    """Raise :class:`Tampered` when any watched object is no longer what it was (compared by identity, in C: each
    check starts and ends with this, over some 2,000 names), but in a namespace whose dict has not changed since it was
    read. (What it calls it holds as positional defaults, a tuple no code can change in the child: not names of a
    namespace, nor keyword-only defaults, a dict changed in place by whoever reaches the function.)"""
    for label, owner, keys, values, known, version in watched:
        if version is not None and _version(version[0]) == version[1]:
            continue  # (the same dict, not changed since: the same objects, the same names)
        now = _tuple(_map(owner.get, keys, _repeat(Tampered)) if _type(owner) in _namespaces
                     else _map(_getattr, _repeat(owner), keys, _repeat(Tampered)))
        if not _all(_map(_is, now, values)):  # (the name is found in what was read: read again, it may differ)
            key = next(key for key, value, read in zip(keys, values, now) if read is not value)
            raise Tampered(f"the submission changed the grader's {label}.{key}: the checks' probes rely on it")
        if known is not None and len(vars(known[0])) != len(known[1]) and (name := _shadowing(*known)):
            raise Tampered(f"the submission changed the grader's {label}.{name}: the checks' probes rely on it")



@functools.lru_cache(maxsize=None)
def torch_chains() -> frozenset[tuple[str, ...]]:
    """Every ``torch.a.b…`` the child's own code names (this module, the description and packing of the report, the
    probes), as its parts after ``torch``: read from their source once, in the process children are forked from."""
    from autograd_exercises import probes

    chains: set[tuple[str, ...]] = set()
    for module in (sys.modules[__name__], observe, packing, tensorbase, *probes.MODULES):
        with open(module.__file__, encoding="utf-8") as file:
            tree = ast.parse(file.read())
        for node in ast.walk(tree):
            parts = []
            while isinstance(node, ast.Attribute):
                parts.append(node.attr)
                node = node.value
            if parts and isinstance(node, ast.Name) and node.id == "torch":
                chains.add(tuple(reversed(parts)))
    return frozenset(chains)


def resolve(ref: str) -> Any:
    """``"package.module:function"`` → the function (trusted grader code)."""
    module_name, _, qualname = ref.partition(":")
    target: Any = importlib.import_module(module_name)
    for part in qualname.split("."):
        target = getattr(target, part)
    return target


def import_submission(job: dict[str, Any]) -> Any:
    """Import the student's file under the module name the handout uses."""
    module, spec = _new_module(job)
    spec.loader.exec_module(module)
    return module


def _new_module(job: dict[str, Any]) -> tuple[Any, Any]:
    """The submission's module, empty, under the module name the handout uses, and as ``__main__`` (as when it runs as a
    script: a timer's setup="from __main__ import f" finds its f; its own ``__name__`` stays its module's); its spec."""
    path = os.path.join(job["scratch"], job["filename"])
    observe.SUBMISSION_FILE["path"] = path
    spec = importlib.util.spec_from_file_location(job["module"], path)
    module = importlib.util.module_from_spec(spec)
    module.__builtins__ = guard.builtins_for(job["module"])  # its getattr, setattr and delattr are guarded
    sys.modules[job["module"]] = sys.modules["__main__"] = module
    return module, spec


def import_off(job: dict[str, Any], pieces: tuple[Any, ...]) -> Any:
    """The submission's top level run as an import, with autograd switched off (:func:`_run_off`): ``pieces``, its
    statements compiled one at a time (:func:`_statements`)."""
    module, _ = _new_module(job)
    with observe.TopLevelOff():
        _run_pieces(pieces, module, off=True)  # (what it passed over is for the import after it to say)
    return module


def off_first(job: dict[str, Any]) -> bool:
    """The job's first call serves a by-hand check (``fresh``): the top level then runs first with autograd off."""
    items = job.get("checks") or ()
    return bool(items) and isinstance(items[0], dict) and bool(items[0].get("fresh"))


def _run_off(job: dict[str, Any], cases: dict[str, Any], probes: dict[str, Any], watched: list[Any],
             compiled: "Compiled") -> dict[str, Any]:
    """A module's job whose first calls serve by-hand checks: the top level runs with autograd switched off
    (:class:`observe.TopLevelOff`: no answer of autograd's exists in the process, whatever the top level would have
    kept of one), then those calls, then the submission runs again, as it is (from the code compiled before either
    run: :class:`Compiled`), for the other calls. Its output, marked ``@import``, replaces the first run's
    (:func:`~autograd_exercises.sandbox.split_checks`); a child of the by-hand calls alone shows the first run's."""
    fresh = [item["name"] for item in job["checks"] if item.get("fresh")]
    rest = [item["name"] for item in job["checks"] if not item.get("fresh")]
    state, checks, before = _state(), {}, Workplace.now(job) if rest else None
    for run in (lambda: import_off(job, compiled.pieces), lambda: import_compiled(job, compiled)):
        try:
            module = _timed(job["import_timeout"], run)
        except observe.CheckTimeout:
            return {"status": "import-timeout"}
        except BaseException as exc:  # SyntaxError, SystemExit, anything at import
            return {"status": "import-error", "exception": observe.describe_exception(exc)}
        checks.update(_run_checks(module, job, cases, probes, watched, fresh, checks))
        if not rest:
            break
        fresh, rest = rest, []
        _start_again(state, before)
    return {"status": "ok", "checks": checks}


def _start_again(state: Any, before: "Workplace | None") -> None:
    """Between the top level's run with autograd off and its second run (a module's or a notebook's): the state the
    first started from (:func:`_restore`) and the workplace it found (``before``), then the mark whose section's
    output replaces the first run's (``@import``)."""
    _restore(state)
    if before is not None:
        before.restore()
    _separator(AGAIN)


class Workplace(NamedTuple):
    """Where the top level's first run left the process that a second run would stumble on (red team 180:
    ``os.mkdir("plots")`` at the top level made the second run raise FileExistsError): the scratch folder's entries
    and the submission's bytes in it, the working folder, the environment, torch's default dtype, and the loggers'
    handlers and levels (red team 181: a handler the first run added printed every line of the second twice)."""

    scratch: str
    entries: frozenset[str]
    files: dict[str, bytes]
    environment: dict[str, str]
    dtype: Any
    loggers: dict[Any, tuple[list[Any], int]]

    @classmethod
    def now(cls, job: dict[str, Any]) -> "Workplace":
        scratch = job["scratch"]
        entries = frozenset(os.listdir(scratch))
        files = {}
        for name in entries:
            path = os.path.join(scratch, name)
            if os.path.isfile(path) and not os.path.islink(path) and os.path.getsize(path) <= 1 << 22:
                with open(path, "rb") as handle:
                    files[name] = handle.read()
        loggers = {logger: (list(logger.handlers), logger.level) for logger in _loggers()}
        return cls(scratch, entries, files, dict(os.environ), torch.get_default_dtype(), loggers)

    def restore(self) -> None:
        """The folder, working folder, environment, default dtype and loggers as they were; what cannot be put back is
        left (the second run then meets it, as it would have). Nothing here waits: a file is written again only as a new
        regular file (red team 181 left a named pipe in the submission's place, and writing to it waited for a
        reader until the child's deadline)."""
        for step in (lambda: os.chdir(self.scratch), self._entries, lambda: _set_environment(self.environment),
                     lambda: torch.set_default_dtype(self.dtype), self._loggers):
            try:
                step()
            except BaseException:  # (RecursionError from a tree too deep: the steps after it still run)
                pass

    def _entries(self) -> None:
        for name in set(os.listdir(self.scratch)) - self.entries | set(self.files):
            path = os.path.join(self.scratch, name)
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path, ignore_errors=True)
            elif os.path.lexists(path):
                os.unlink(path)
        for name, data in self.files.items():
            handle = os.open(os.path.join(self.scratch, name),
                             os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_NONBLOCK, 0o644)
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(handle, view):]
            finally:
                os.close(handle)

    def _loggers(self) -> None:
        """Each logger's handlers and level as they were (a logger the first run made, as a new one: no handler, no
        level), then the caches of what each level lets through emptied once (``setLevel`` empties every logger's: a
        hundred loggers set that way took 1 ms a child)."""
        loggers = _loggers()
        for logger in loggers:
            handlers, level = self.loggers.get(logger, ([], 0))
            logger.handlers[:] = handlers
            logger.level = level
        if loggers:
            sys.modules["logging"].Logger.manager._clear_cache()


def _loggers() -> list[Any]:
    """Every logger ``logging`` made so far, the root first (none where nothing imported it)."""
    logging = sys.modules.get("logging")
    if logging is None:
        return []
    made = [logger for logger in list(logging.Logger.manager.loggerDict.values()) if isinstance(logger, logging.Logger)]
    return [logging.getLogger(), *made]


def _set_environment(environment: dict[str, str]) -> None:
    os.environ.clear()
    os.environ.update(environment)


def _observe(probe: Any, module: Any, cases: list[Any]) -> list[Any]:
    """The probe on every case; a probe that raises describes the exception instead."""
    observations = []
    for case in cases:
        try:
            observations.append(observe.plain(probe(module, case)))
        except observe.CheckTimeout:
            raise
        except BaseException as exc:
            observations.append({"probe_error": observe.describe_exception(exc)})
    return observations


def _alarm(signum: int, frame: Any) -> None:
    raise observe.CheckTimeout()


def _timed(seconds: float, work: Any) -> Any:
    """``work()`` under an interval timer of ``seconds``; :class:`observe.CheckTimeout` if it runs out.

    Student code can block or replace SIGALRM: then the server's deadline for the
    whole child ends it, and the grader falls back to one child per check.
    """
    if not TIMERS:  # Windows: the job's own deadline is the only limit
        return work()
    signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, max(seconds, 0.001))
    try:
        return work()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def _state() -> dict[str, Any]:
    """The global state a check's calls may change and the next check must not see: random generators
    (torch's, Python's, numpy's) and whether autograd records. A test cell grades in a fresh process in
    Jupyter, so each check starts from the state its position left."""
    state: dict[str, Any] = {"torch": torch.get_rng_state(), "random": random.getstate(),
                             "grad": torch.is_grad_enabled()}
    numpy = sys.modules.get("numpy")
    try:
        state["numpy"] = numpy.random.get_state() if numpy is not None else None
    except BaseException:
        state["numpy"] = None
    return state


def _restore(state: dict[str, Any]) -> None:
    try:
        torch.set_rng_state(state["torch"])
        random.setstate(state["random"])
        torch.set_grad_enabled(state["grad"])
        if state.get("numpy") is not None:
            sys.modules["numpy"].random.set_state(state["numpy"])
    except BaseException:  # student code replaced them: its own checks may suffer, nothing else
        pass


def _separator(name: str) -> None:
    """The line that marks where ``name``'s output starts; none where the file closed its output (red team 236:
    ``os.closerange(0, 100)`` at import made every check a sandbox failure)."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:
            pass
    try:
        _WRITE(1, f"{CHECK_SEPARATOR}{name}{CHECK_SEPARATOR_END}".encode())
    except OSError:
        pass


def _fresh(job: dict[str, Any]) -> Any:
    """Before a by-hand call: the libraries' caches and numpy's cache of small freed buffers emptied, so that it
    finds nothing the code before it left there; what to keep alive while it runs."""
    caches.empty_them(str(job.get("module") or ""))
    return numpy_cache.empty_it()


def _run_checks(module: Any, job: dict[str, Any], cases: dict[str, Any], probes: dict[str, Any],
                watched: list[Any], names: list[str] | None = None, done: dict[str, Any] | None = None
                ) -> dict[str, Any]:
    """Every check of a multi-check job (or those ``names``), each within its own timeout, each from the same
    global state; its output marked by a separator line. ``probes``: each check's probe, resolved before any
    student code ran (:func:`hide_grader`); ``watched``: what must not have changed before each (:func:`watch`).
    A check ``after`` another (a by-hand call's second call, ``grading.again_calls``) whose call timed out (``done``:
    the checks run before) times out at once: it calls the same function on the same inputs."""
    checks: dict[str, Any] = {}
    state = _state()
    for item in job["checks"]:
        name = item["name"]
        if names is not None and name not in names:
            continue
        if (done or {}).get(item.get("after"), {}).get("timed_out"):
            checks[name] = {"timed_out": True, "wall": 0.0}
            continue
        _restore(state)
        tampered(watched)
        _separator(name)
        held = _fresh(job) if item.get("fresh") else None  # (red teams 170 to 175: what the top level left)
        probe, start = probes[name], time.monotonic()
        try:
            checks[name] = {"observations": _timed(item["timeout"], lambda: _observe(probe, module, cases[name]))}
        except observe.CheckTimeout:
            checks[name] = {"timed_out": True}
        checks[name]["wall"] = round(time.monotonic() - start, 4)
        del held
    _restore(state)
    tampered(watched)  # (what the last check's calls changed)
    return checks


class CellInterrupt(KeyboardInterrupt):
    """A notebook cell ran past its budget: what Jupyter's interrupt raises, so a cell that catches
    ``KeyboardInterrupt`` (to stop a training loop cleanly) behaves as it does under nbgrader."""


def compile_cells(path: str, lines: list[str], program: list[dict[str, Any]]) -> dict[int, tuple[Any, str]]:
    """Every cell of a notebook's ``program`` compiled before any of its code runs: by cell number, the code (or the
    error compiling it raised) and the warnings compiling it gave, as text.

    The grader's readings parse the cells under Python's own settings; a cell compiled only when it runs would be
    compiled under the student's (``warnings.simplefilter("error")`` makes an invalid escape a SyntaxError, a low
    recursion limit makes a deep literal a RecursionError), so a ``def`` the readings saw replace another could fail
    to, and the other run instead (red team 35)."""
    compiled, features = {}, 0
    for step in program:
        if "checks" in step:
            continue
        first, last = int(step["first"]), int(step["last"])
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                code, features = _compiled_cell("\n".join(lines[first - 1:last]), path, features)
            except BaseException as exc:  # SyntaxError, RecursionError, MemoryError: the cell raises it when it runs
                code = exc
        code = _moved(code, first - 1)
        said = "".join(warnings.formatwarning(w.message, w.category, w.filename, w.lineno + first - 1, "")
                       for w in caught)
        compiled[int(step["cell"])] = (code, said)
    return compiled


def _moved(code: Any, lines: int) -> Any:
    """A cell's compiled ``code`` (a code object, a tuple of them, or the error compiling it raised) moved ``lines``
    down, to where the cell stands in the module: what compiling it behind ``lines`` blank lines gives, without
    parsing them (red team 145: 2,000 cells below 120,000 blank lines took 9 s). Every code object's first line
    moves; the lines inside it are kept relative to that."""
    if isinstance(code, tuple):
        return tuple(_moved(piece, lines) for piece in code)
    if isinstance(code, SyntaxError):
        code.lineno = code.lineno and code.lineno + lines
        code.end_lineno = code.end_lineno and code.end_lineno + lines
        code.msg = re.sub(r"(?<= on line )\d+", lambda line: str(int(line[0]) + lines), str(code.msg))
        code.args = (code.msg, (code.filename, code.lineno, code.offset, code.text, code.end_lineno,
                                code.end_offset))
        return code
    if not isinstance(code, types.CodeType):
        return code
    return code.replace(co_firstlineno=code.co_firstlineno + lines, co_consts=tuple(
        _moved(const, lines) if isinstance(const, types.CodeType) else const for const in code.co_consts))


FUTURE_FEATURES = {name: getattr(__import__("__future__"), name).compiler_flag  # the features a cell keeps for
                   for name in __import__("__future__").all_feature_names  # the cells below it; never one that changes
                   if name != "barry_as_FLUFL"}  # how they parse, which the readings' module does not (red team 118)


def _compiled_cell(source: str, path: str, features: int) -> tuple[Any, int]:
    """A cell compiled as IPython's compiler compiles it (fairness round 24): under the ``__future__`` features that
    earlier cells imported (``annotations`` is kept for every later cell), and, where the cell compiles only one
    statement at a time (a ``from __future__`` import below ``%matplotlib inline``, which IPython made a statement), a
    code per statement, each run in turn (the first that does not compile raises there). Returns the code (or the
    codes, and perhaps that error last) and the features in force after the cell."""
    try:
        whole: Any = _compiled(source, path, features)
    except SyntaxError:
        whole = None
    if whole is not None and "__future__" not in source:
        return whole, features  # (the usual cell: compiled once, as before)
    with warnings.catch_warnings():
        if whole is not None:
            warnings.simplefilter("ignore")  # (its compile said them already)
        tree = compile(source, path, "exec", ast.PyCF_ONLY_AST | features, dont_inherit=True)
    after = functools.reduce(operator.or_, map(_future_features, tree.body), features)
    if whole is not None:
        return whole, after
    pieces: list[Any] = []
    for node in tree.body:
        features |= _future_features(node)
        try:
            pieces.append(_compiled(ast.Module([node], []), path, features))
        except SyntaxError as exc:
            pieces.append(exc)
            break
    return tuple(pieces), after


def _statements(source: str, path: str, features: int = 0, first: int = 1) -> tuple[Any, int]:
    """``source``'s top-level statements compiled one at a time (moved down to line ``first``), for the top level's
    run with autograd off (:func:`_run_off`), and the ``__future__`` features in force after them; instead of the
    codes, the error compiling raised where ``source`` does not parse (the run then raises it, as the import would).
    Compiled before any of the submission's code runs, as :func:`compile_cells` compiles, its warnings unsaid (the
    run that counts says them)."""
    before = features
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            tree = compile(source, path, "exec", ast.PyCF_ONLY_AST | features, dont_inherit=True)
        except BaseException as exc:  # SyntaxError, RecursionError, MemoryError
            return (exc,), features
        pieces: list[Any] = []
        for node in tree.body:
            features |= _future_features(node)
            try:
                pieces.append(_piece(node, path, features, first))
            except (RecursionError, MemoryError):  # (an expression nested deeper than a tree compiles: the source
                try:  # as a whole, one statement)
                    return (_moved(_compiled(source, path, before), first - 1),), features
                except BaseException as exc:
                    return (exc,), features
            except BaseException as exc:
                pieces.append(exc)
                break
    return tuple(pieces), features


class Decorated(NamedTuple):
    """A decorated ``def`` or ``class`` of the run with autograd off: its code, and its code without the decorators,
    which binds the name where a decorator raised (one that checks the function against autograd as it is defined:
    with autograd off it raises, and the function would be missing)."""

    code: Any
    plain: Any


def _piece(node: ast.stmt, path: str, features: int, first: int) -> Any:
    """Top-level statement ``node`` compiled alone, moved down to line ``first``: a :class:`Decorated` for a decorated
    ``def`` or ``class``."""
    code = _moved(_compiled(ast.Module([node], []), path, features), first - 1)
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) or not node.decorator_list:
        return code
    plain = copy.copy(node)
    plain.decorator_list = []
    return Decorated(code, _moved(_compiled(ast.Module([plain], []), path, features), first - 1))


def _compiled(code: Any, path: str, features: int) -> Any:
    """``code`` compiled under ``features``, else as the trusted side checked it, without them (red team 119: under
    ``annotations`` a walrus in an annotation is refused, so a cell the readings read as binding names never ran);
    raises the SyntaxError of that last where neither compiles."""
    try:
        return compile(code, path, "exec", features, dont_inherit=True)
    except SyntaxError:
        if not features:
            raise
    return compile(code, path, "exec", dont_inherit=True)


def _future_features(node: ast.AST) -> int:
    """The compiler flags of a ``from __future__ import …`` statement (0 for any other)."""
    if not (isinstance(node, ast.ImportFrom) and node.module == "__future__"):
        return 0
    return functools.reduce(operator.or_, (FUTURE_FEATURES.get(alias.name, 0) for alias in node.names), 0)


def _run_cell(module: Any, compiled: tuple[Any, str], step: dict[str, Any], off: bool = False) -> dict[str, Any]:
    """Run one notebook cell (``compiled``: its code or error, and its compile warnings) in the module's namespace,
    within its budget; how it ended. ``off``: in the run with autograd switched off (:func:`_run_pieces`). Its mark
    (``@cell N``) names the cell that hung a child (``grading.hung_cell``), in either run."""
    number = int(step["cell"])
    _separator(f"@cell {number}")
    outcome: dict[str, Any] = {"cell": number, "status": "ok"}
    fired, passed = [0], [None]

    def interrupt(signum: int, frame: Any) -> None:
        fired[0] += 1  # the first time as Jupyter's interrupt; a cell that swallows it is then stopped
        raise CellInterrupt() if fired[0] == 1 else observe.CheckTimeout()

    start = time.monotonic()
    code, said = compiled
    if said:
        _WRITE(2, said.encode("utf-8", "replace"))  # shown where the cell runs, whatever its filters are by then
    try:
        if isinstance(code, BaseException):
            raise code
        if not TIMERS:  # Windows: the job's own deadline is the only limit
            passed[0] = _run_pieces(code, module, off)
        else:
            signal.signal(signal.SIGALRM, interrupt)
            try:
                signal.setitimer(signal.ITIMER_REAL, max(float(step["timeout"]), 0.001), 1.0)
                passed[0] = _run_pieces(code, module, off)
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
        if passed[0] is not None:
            outcome.update(status="off", exception=observe.describe_exception(passed[0]))
    except (CellInterrupt, observe.CheckTimeout):
        outcome["status"] = "timeout"
    except BaseException as exc:  # SystemExit and KeyboardInterrupt too: Jupyter shows them and goes on
        outcome.update(status="error", exception=observe.describe_exception(exc))
    if fired[0] and outcome["status"] != "timeout":
        outcome["status"] = "timeout"  # interrupted, and it caught the interrupt: still past its budget
    outcome["wall"] = round(time.monotonic() - start, 4)
    return outcome


def _run_pieces(code: Any, module: Any, off: bool = False) -> BaseException | None:
    """A cell's code, or its statements' codes one after another (:func:`_compiled_cell`), in the module's namespace.

    ``off``: the run with autograd switched off (:func:`_run_off`), whose ``code`` is a code per statement (a
    :class:`Decorated` one whose decorators raised binds its name undecorated): a statement that raises is passed
    over (with autograd off, ``backward()`` finds no graph, ``retain_grad()`` no tensor that requires it, and what
    follows finds no ``.grad``), so that a ``def`` below a try of autograd still runs; the first error it passed over
    is returned (the cell's outcome is then ``off``). The run that counts is the one after it."""
    passed: BaseException | None = None
    for piece in code if isinstance(code, tuple) else (code,):
        if isinstance(piece, BaseException):
            raise piece
        for each in piece if isinstance(piece, Decorated) else (piece,):
            try:
                exec(each, module.__dict__)
                break
            except (CellInterrupt, observe.CheckTimeout):
                raise
            except BaseException as exc:
                if not off:
                    raise
                passed = exc if passed is None else passed
    return passed


# Names every Jupyter kernel gives a notebook without an import (fairness, red team 47: ``display(x)`` raised a
# NameError), defined in the notebook's own namespace: nothing of the grader's is reached through them.
NOTEBOOK_MODULE = GRADER_PACKAGE + ".notebook"  # what a test cell imports ``check`` from (a stand-in here)
KERNEL_NAMES = '''def display(*objects, **options):
    """Jupyter's ``display``: nothing is shown when a notebook is graded."""
'''


def compile_notebook(job: dict[str, Any]) -> tuple[Any, dict[int, tuple[Any, str]]]:
    """A notebook job's kernel names and cells (:func:`compile_cells`), compiled by the child itself before the
    wall is built (:func:`build_wall`): no code of the notebook's has run, and nothing here is the submission's
    compiling."""
    path = os.path.join(job["scratch"], job["filename"])
    with open(path, "rb") as handle:
        lines = handle.read().decode("utf-8", "replace").split("\n")
    program = job["program"]
    off = _cells_off(path, lines, program[:off_stop(job["checks"], program)]) if off_first(job) else None
    return compile(KERNEL_NAMES, "<kernel>", "exec", dont_inherit=True), compile_cells(path, lines, program), off


def _cells_off(path: str, lines: list[str], program: list[dict[str, Any]]) -> dict[int, tuple[Any, str]]:
    """The cells of ``program`` (the cells above ``protocol.off_stop``; test cells above it are passed over in that
    run, their calls made in the second), each compiled a statement at a time
    (:func:`_statements`), for their run with autograd off (:func:`run_program`); the features a cell imports from
    ``__future__`` kept below."""
    compiled, features = {}, 0
    for step in program:
        if "checks" in step:
            continue
        first, last = int(step["first"]), int(step["last"])
        pieces, features = _statements("\n".join(lines[first - 1:last]), path, features, first)
        compiled[int(step["cell"])] = (pieces if not isinstance(pieces[0] if pieces else None, BaseException)
                                       else pieces[0], "")
    return compiled


class Compiled(NamedTuple):
    """A module compiled before any of its code runs, for :func:`_run_off`: its statements, each on its own
    (:func:`_statements`), and the whole (or the error compiling it raised) with the warnings compiling it gave. The
    second run executes this code, never the file again: the first run may have rewritten the file in its scratch
    folder, which the grader's readings never read (our own attack on the first version, which imported it again)."""

    pieces: tuple[Any, ...]
    whole: Any
    said: str


def compile_module(job: dict[str, Any]) -> Compiled:
    """The submission's module compiled for :func:`_run_off`, as its import compiles it (its ``# coding:`` line read,
    ``dont_inherit``), before any of its code runs."""
    path = os.path.join(job["scratch"], job["filename"])
    with open(path, "rb") as handle:
        source = handle.read()
    try:
        text = importlib.util.decode_source(source)
    except BaseException as exc:  # (not text the import could read either)
        return Compiled((exc,), exc, "")
    with warnings.catch_warnings(record=True) as caught:  # (under the filters the import would compile under: red
        try:  # team 180's invalid escape, a DeprecationWarning the import does not show, was said twice)
            whole = compile(text, path, "exec", dont_inherit=True)
        except BaseException as exc:  # SyntaxError, RecursionError, MemoryError: the import raises it
            whole = exc
    said = "".join(warnings.formatwarning(w.message, w.category, w.filename, w.lineno, "") for w in caught)
    return Compiled(_statements(text, path)[0], whole, said)


def import_compiled(job: dict[str, Any], compiled: Compiled) -> Any:
    """The submission imported from its code as :func:`compile_module` compiled it (:func:`import_submission` reads the
    file, which only code that ran before it could have changed: none, there)."""
    module, _ = _new_module(job)
    if compiled.said:
        _WRITE(2, compiled.said.encode("utf-8", "replace"))  # (where the import would have said them)
    if isinstance(compiled.whole, BaseException):
        raise compiled.whole
    exec(compiled.whole, module.__dict__)
    return module


def run_program(job: dict[str, Any], cases: dict[str, Any], probes: dict[str, Any], watched: list[Any],
                notebook: tuple[Any, dict[int, tuple[Any, str]], Any]) -> dict[str, Any]:
    """A notebook's job: its cells one at a time, in order; at each test cell's position, its checks. ``notebook``: its
    kernel names and cells, compiled (:func:`compile_notebook`). Where its first calls serve by-hand checks, the
    cells above their test cell run first with autograd switched off (:class:`observe.TopLevelOff`; the test cells of
    other calls above it make no call in that run), then those calls; then, where other calls remain, the whole
    notebook again in a new namespace (its output marked ``@import``, which replaces the first run's), and those
    calls. ``cells_off``: what the first run's cells did."""
    kernel, compiled, off = notebook
    program, checks, result = job["program"], {}, {"status": "ok"}
    if off is not None:
        fresh, stop = {item["name"] for item in job["checks"] if item.get("fresh")}, off_stop(job["checks"], program)
        state, before = _state(), Workplace.now(job) if runs_twice(job["checks"]) else None
        above = [step if "checks" not in step else {"checks": []} for step in program[:stop]]  # (their calls: below)
        with observe.TopLevelOff():
            module, cells = _run_steps(job, above, cases, probes, watched, kernel, off, off=True)
        first = [name for name in program[stop]["checks"] if name in fresh]
        checks.update(_run_checks(module, job, cases, probes, watched, first, checks))
        program = [step if "checks" not in step else {"checks": [n for n in step["checks"] if n not in first]}
                   for step in program]  # (a by-hand call at a later stop runs there, its passes since counted)
        result["cells_off"] = result["cells"] = cells
        if not any(step.get("checks") for step in program):
            return dict(result, checks=checks)
        _start_again(state, before)
    module, cells = _run_steps(job, program, cases, probes, watched, kernel, compiled, checks=checks)
    return dict(result, checks=checks, cells=cells)


def _run_steps(job: dict[str, Any], steps: list[dict[str, Any]], cases: dict[str, Any], probes: dict[str, Any],
               watched: list[Any], kernel: Any, compiled: dict[int, tuple[Any, str]], off: bool = False,
               checks: dict[str, Any] | None = None) -> tuple[Any, list[dict[str, Any]]]:
    """``steps`` of a notebook's program in a new namespace, ``__main__`` as in Jupyter (a class it defines pickles by
    that name): its cells (``compiled``; ``off``: with autograd switched off, :func:`_run_cell`), and at each test
    cell's position its checks, into ``checks``. The namespace, and what each cell did."""
    path = os.path.join(job["scratch"], job["filename"])
    observe.SUBMISSION_FILE["path"] = path
    module = types.ModuleType(job["module"])
    module.__file__ = path
    module.__name__ = "__main__"  # as in Jupyter, where ``if __name__ == "__main__":`` runs
    module.__builtins__ = guard.builtins_for("__main__")
    sys.modules[job["module"]] = sys.modules["__main__"] = module
    exec(kernel, module.__dict__)  # (the notebook's own)
    stand_in = guard.stand_in(NOTEBOOK_MODULE).check  # what the test cells import: a cell may call it again (fairness
    module.check = stand_in  # 37: a scratch cell's check(...) raised NameError), to no effect; bound from the start, as
    cells: list[dict[str, Any]] = []  # a test cell judged at the end (an exported notebook's) imported it where it stood
    left = cells_budget(steps)
    for step in steps:
        if "checks" in step:
            if step["checks"]:
                checks.update(_run_checks(module, job, cases, probes, watched, list(step["checks"]), checks))
            module.check = stand_in  # (the test cell's own import of it, as in Jupyter, over a check of the file's)
        else:
            cells.append(_budgeted_cell(module, compiled[int(step["cell"])], step, left, off))
            left -= cells[-1]["wall"]
    return module, cells


def _budgeted_cell(module: Any, compiled: tuple[Any, str], step: dict[str, Any], left: float, off: bool
                   ) -> dict[str, Any]:
    """:func:`_run_cell` within what is ``left`` of the cells' budget in all (``protocol.cells_budget``): a cell past
    it is not run (``skipped``); one stopped for it rather than for its own budget is ``cut``."""
    if left <= 0:
        return {"cell": int(step["cell"]), "status": "skipped", "wall": 0.0}
    outcome = _run_cell(module, compiled, dict(step, timeout=min(float(step["timeout"]), left)), off)
    if outcome["status"] == "timeout" and left < float(step["timeout"]):
        outcome["cut"] = True
    return outcome


def run_probe(job: dict[str, Any], inputs: bytes) -> dict[str, Any]:
    """Import the submission and run the probe on every case (or, for a job with ``checks``, every check's
    probe on its own cases, each with its own timeout): the child's whole job. A notebook's job runs its
    ``program`` instead of an import."""
    cases = packing.loads(inputs)
    probe = resolve(job["probe"]) if job.get("probe") else None
    probes = {item["name"]: resolve(item["probe"]) for item in job.get("checks") or ()}
    observe.install_autograd_counter()
    notebook = compile_notebook(job) if _notebook(job) else compile_module(job) if off_first(job) else None
    guard.guard_code_runners()  # (before the watch notes the builtins, and before they are read-only)
    guard.guard_lookups()
    classes, modules = _classes(), _frozen_modules()
    watched = watch(classes, modules)
    guard.enter(job["scratch"], str(job.get("module") or guard.MAIN))
    build_wall(job)  # for the child's life: no hook can be taken back
    frozen.freeze(classes, modules)
    hide_grader()
    try:
        return _run_job(job, cases, probe, probes, watched, notebook)
    except Tampered as exc:  # (its message as it is: no student text, no frame of the submission's)
        return {"status": "import-error", "exception": {"type": TAMPERED, "message": str(exc), "frames": []}}


def _notebook(job: dict[str, Any]) -> bool:
    """The job runs a notebook's program (:func:`run_program`), not an import."""
    return job.get("program") is not None and job.get("checks") is not None


def _run_job(job: dict[str, Any], cases: dict[str, Any], probe: Any, probes: dict[str, Any], watched: list[Any],
             notebook: Any) -> dict[str, Any]:
    """:func:`run_probe` once the grader is hidden: the notebook's program (``notebook``: compiled), or the import
    and the checks."""
    if _notebook(job):
        return run_program(job, cases, probes, watched, notebook)
    if off_first(job):
        return _run_off(job, cases, probes, watched, notebook)
    try:
        module = _timed(job["import_timeout"], lambda: import_submission(job)) if job.get("checks") else \
            import_submission(job)
    except observe.CheckTimeout:
        return {"status": "import-timeout"}
    except BaseException as exc:  # SyntaxError, SystemExit, anything at import
        return {"status": "import-error", "exception": observe.describe_exception(exc)}
    if job.get("checks"):
        return {"status": "ok", "checks": _run_checks(module, job, cases, probes, watched)}
    tampered(watched)
    if probe is None:
        names = sorted(name for name, value in vars(module).items() if callable(value))
        return {"status": "ok", "functions": names}
    observations = _observe(probe, module, cases)
    tampered(watched)
    return {"status": "ok", "observations": observations}


def channel() -> tuple[int, int]:
    """What :data:`RESULT_FD` is: (device, inode)."""
    found = _FSTAT(RESULT_FD)
    return found.st_dev, found.st_ino


def report(result: dict[str, Any], keys: tuple[bytes, bytes] = (b"", b""),
           channel_was: tuple[int, int] | None = None) -> None:
    """Write the result to :data:`RESULT_FD`, signed: HMAC-SHA256 under the job's seal (``keys``: its
    :func:`~.protocol.seal_keys`) after it, computed with what was bound before any student code ran; then flush the
    student's output. Nothing where the descriptor is no longer the channel it was before any student code ran
    (``channel_was``; seccomp refuses the swap where it is loaded). Red team 235 read the report on its way out,
    when the seal itself led it, and sent a forged one behind the stolen seal."""
    if channel_was is not None and channel() != channel_was:
        raise RuntimeError("the report's channel was replaced")
    payload = _PACK(result)
    inner, outer = keys
    view = memoryview(payload + _SHA256(outer + _SHA256(inner + payload).digest()).digest())
    while view:
        view = view[_WRITE(RESULT_FD, view) :]
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:
            pass


def main(job: dict[str, Any], inputs: bytes, *, source: bytes | None = None, seccomp: Any = None) -> None:
    """Entry point in the child; never returns, whatever student code raises or breaks on the way.

    ``source`` is the submission when the child writes it into its own scratch tmpfs;
    ``seccomp`` a filter the server built before forking.
    """
    code = 70
    # the report's keys, locals only: no student code can name them
    keys = seal_keys(str(job.pop("seal", "") or "").encode("ascii", "replace"))
    was = None
    try:
        try:
            was = channel()
            lock_down(job, source, seccomp)
            _WRITE(RESULT_FD, LOCKED)  # before any student code (one small write: it arrives whole)
            result, code = run_probe(job, inputs), 0
            if HEAVY_USED:
                result["heavy"] = sorted(set(HEAVY_USED))
        except BaseException as exc:  # a sandbox failure, or student code that escaped the probe's handling
            result = {"status": "sandbox-error", "message": observe.safe_text(exc, with_type=True)}
        try:
            report(result, keys, was)
        except BaseException as exc:
            _WRITE(2, f"sandbox: could not report the result: {observe.safe_text(exc, with_type=True)}\n".encode())
            code = 71
    finally:
        _EXIT(code)
