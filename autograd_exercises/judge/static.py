"""Autograd in a by-hand function, found in its source: judged by what the code is, not by what it reported.

A by-hand check asks for a derivative computed with tensor arithmetic. Counting autograd calls
while the code runs misses every way around the counter (calling ``grad_fn`` nodes,
``torch.autograd.functional``, ``torch.func``, ``forward_ad``) and trusts a report that the
student's own process writes. Here the trusted grader reads the submission's text with
:mod:`ast`, never running it. The by-hand function, everything it reaches by name
(module-level functions, lambdas, classes and aliases, transitively; nested definitions), and
whatever the file sets on an imported module or a class (``torch.Tensor.slope = f``, which it
reaches through any tensor without naming it), must not:

* differentiate: ``.backward``, ``torch.autograd``, ``grad_fn``/``next_functions``, ``torch.func``,
  ``functorch``, ``forward_ad``, jacobians and hessians, or a name imported from those;
* ask for gradients: ``requires_grad_()``, ``requires_grad=True``, ``torch.enable_grad``;
* look names up dynamically, which could hide either: ``getattr``/``setattr`` with a computed name,
  ``__import__``, ``importlib``, ``eval``/``exec``/``compile``, ``globals()[...]``, ``__dict__``,
  ``__builtins__``, ``sys.modules``.

And nothing anywhere in the file may bind the by-hand name to other code than what is read
(:func:`rebinding`): a ``for`` loop or a function's ``global``, an import, a module ``__getattr__``,
``globals().update``, ``exec``, ``eval``, ``compile``, ``__import__`` or ``importlib`` (magics'
own ``%timeit`` rewriting excepted); nor reach the module's namespace to change it
(:func:`_namespace_door`: ``globals()["f"] = h``, ``sys.modules``, ``__globals__``, ``f_globals``, ``gc``,
a computed ``setattr``…).

Reading ``.grad``, ``torch.no_grad()``, ``.detach()``, numpy, helpers, lambdas and
comprehensions are fine; so is reading a tensor that asks for gradients made while the file is imported
(:meth:`Reader.made_at_import`: ``W1 = torch.tensor(3.0, requires_grad=True)``), as an ``nn.Linear``'s weight.
A module-level name is followed through every place that binds it
(a notebook may define a function twice; a ``for`` loop, ``with``, ``:=``, ``case``, ``except … as``
or a function's ``global`` may bind a helper again: :func:`_read_other_bindings`), and a function's
own locals shadow module names.
"""

from __future__ import annotations

import ast
import bisect
import builtins
import collections
import functools
import importlib
import importlib.machinery
import itertools
import math
import os
import re
import site
import sys
from collections import defaultdict
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Callable, Iterable, Iterator, Mapping, Sequence

from autograd_exercises.judge import methods
from autograd_exercises.judge import literals
from autograd_exercises.judge import scopes
from autograd_exercises.judge import steps
from autograd_exercises.judge.syntax import bound_here, children, imported_name, single_values, walk
from autograd_exercises.judge.syntax import chain as _chain
from autograd_exercises.parsing import PARSE_ERRORS
from autograd_exercises.sandbox.protocol import DIFFERENTIATORS, GRADER_PACKAGE

DIFFERENTIATES, TRACKS, DYNAMIC = 0, 1, 2  # ranks: what a finding is, most telling first
EVALUATORS = ("get_type_hints", "ForwardRef", "_evaluate", "_eval_type", "evaluate_forward_ref", "singledispatch",
              "singledispatchmethod", "get_annotations")  # (singledispatch's register reads annotations as code)
CODE_OBJECTS = ("FunctionType", "CodeType", "LambdaType")  # types' constructors: a function from any code object
ASKED = ("jacobian", "hessian", "vjp", "jvp", "jacrev", "jacfwd", "hvp", "vhp")  # functions of torch's modules only
# torch's public functions that are autograd's derivative kernels, named under any root (red team 219: torch.nn.grad's,
# also F.grad; mkldnn_linear_backward_weights gives a linear layer's dL/dw and dL/db)
KERNEL_NAMES = (*(f"conv{n}d_{of}" for n in (1, 2, 3) for of in ("input", "weight")), "mkldnn_linear_backward_weights",
                "batch_norm_backward_elemt", "batch_norm_backward_reduce", "_softmax_backward_data",
                "_log_softmax_backward_data", "_sparse_softmax_backward_data", "_sparse_log_softmax_backward_data")
JACOBIAN = ("asks torch.distributions for a derivative (log_abs_det_jacobian)", DIFFERENTIATES)  # a transform's own
# derivative, through a composition: the chain rule done for the code (red team 221)
POLYNOMIAL = ("deriv", "polyder", "chebder", "legder", "lagder", "hermder", "hermeder")  # numpy's polynomials'
# derivatives, power series and the orthogonal bases' (red team 82; 111: chebder): the rule done for the code
TRANSFORMS = ("grad", "grad_and_value", "linearize")  # torch.func's that differentiate, named under any root
# The derivative worked out from the function's values, not its formula (red team 239): what a finding of these says
ESTIMATES = "write the derivative's formula with tensor operations: a finite difference, a fit or a complex step " \
            "only estimates it from the function's values"
COMPLEX_STEP = "computes with complex numbers (a complex step)"
FITS = "fits a polynomial to the function's values (polyfit)"  # then differentiates the fit (red team 242)
FINITE_DIFFERENCE = "divides by a small step (a finite difference)"
ATTRIBUTES = {  # attribute name -> (what the code does, rank)
    "backward": ("calls .backward()", DIFFERENTIATES),
    "autograd": ("uses torch.autograd", DIFFERENTIATES),
    "_autograd": ("uses torch's autograd internals", DIFFERENTIATES),
    "grad_fn": ("walks autograd's graph through grad_fn", DIFFERENTIATES),
    "next_functions": ("walks autograd's graph through next_functions", DIFFERENTIATES),
    "_execution_engine": ("runs autograd's engine", DIFFERENTIATES),
    "run_backward": ("runs autograd's engine", DIFFERENTIATES),
    "functorch": ("uses functorch", DIFFERENTIATES),
    "_functorch": ("uses functorch", DIFFERENTIATES),
    "forward_ad": ("uses forward-mode autograd (forward_ad)", DIFFERENTIATES),
    **{name: (f"asks torch for a {name}", DIFFERENTIATES)
       for name in ASKED},
    "deriv": ("differentiates a polynomial for it (numpy's deriv)", DIFFERENTIATES),
    "polyder": ("differentiates a polynomial for it (numpy.polyder)", DIFFERENTIATES),
    **{name: (f"differentiates a series for it (numpy.polynomial's {name})", DIFFERENTIATES)
       for name in POLYNOMIAL[2:]},
    **{name: (f"uses {name}, one of autograd's own derivative kernels", DIFFERENTIATES) for name in KERNEL_NAMES},
    "log_abs_det_jacobian": JACOBIAN,
    "enable_grad": ("turns gradient tracking on (torch.enable_grad)", TRACKS),
    "requires_grad_": ("asks for gradients (requires_grad_())", TRACKS),
    "__dict__": ("reads __dict__", DYNAMIC),
    "getmembers": ("looks attributes up by name (inspect.getmembers)", DYNAMIC),
    "getmembers_static": ("looks attributes up by name (inspect.getmembers_static)", DYNAMIC),
    "classify_class_attrs": ("looks attributes up by name (inspect.classify_class_attrs)", DYNAMIC),
    "__get__": ("reads an attribute through its descriptor (__get__), which no reading can name", DYNAMIC),
    "__closure__": ("reads a function's closure (__closure__)", DYNAMIC),
    "cell_contents": ("reads a closure's cell (cell_contents)", DYNAMIC),
    **{name: (f"reaches objects through the garbage collector (gc.{name})", DYNAMIC)
       for name in ("get_referents", "get_referrers", "get_objects")},
    "Parameter": ("makes an nn.Parameter (it requires gradients)", TRACKS),
    "TorchFunctionMode": ("overrides torch's functions (TorchFunctionMode)", DYNAMIC),
    "TorchDispatchMode": ("overrides torch's operators (TorchDispatchMode)", DYNAMIC),
    "__builtins__": ("reads __builtins__", DYNAMIC),
    "__globals__": ("reads __globals__", DYNAMIC),
    "__getattribute__": ("looks attributes up by name (__getattribute__)", DYNAMIC),
    "resolve_name": ("looks an object up by name (pkgutil.resolve_name)", DYNAMIC),
    **{name: ("evaluates a string as code (typing's forward references)", DYNAMIC) for name in EVALUATORS[:-1]},
    "get_annotations": ("may evaluate strings as code (inspect.get_annotations)", DYNAMIC),
    **{name: ("makes a function from a code object (types)", DYNAMIC) for name in CODE_OBJECTS},
    "co_code": ("reads or rewrites bytecode (co_code)", DYNAMIC),
    "polyfit": (FITS, DIFFERENTIATES),
    **{name: (COMPLEX_STEP, DIFFERENTIATES) for name in ("imag", "complex", "view_as_complex", "complex32", "complex64", "complex128",
                                                        "chalf", "cfloat", "cdouble")},
}
UNPICKLERS = ("pickle", "_pickle", "marshal", "shelve", "dill", "cloudpickle", "joblib")  # loading calls any function
LOADERS = ("importlib", "builtins", "runpy", "zipimport", "imp", "code", "codeop", "pkgutil")  # run code not in the file
ALWAYS_IMPORTED = ("torch", "numpy")  # in the child before the submission: no path the file sets can replace them
# (nor a module built into the interpreter, sys.builtin_module_names: found before any path)
TIMERS = literals.TIMERS  # timeit's: they run a statement (a string) with the namespace they are given
HOLDERS = ("torch", "numpy", "scipy", "functorch", *DIFFERENTIATORS)  # libraries whose objects may differentiate
KERNELS = ("uses torch.nn.grad (autograd's own derivative kernels)", DIFFERENTIATES)  # conv*_weight, conv*_input:
# convolution_backward (red team 219: dL/dw = xᵀδ as a kernel-1 conv1d_weight); they run with autograd off too
NUMERICAL = ("differentiates for it (scipy.differentiate)", DIFFERENTIATES)  # as mpmath.diff (red team 219)
GRADIENTS = ("estimates a derivative by finite differences (gradient)", DIFFERENTIATES)  # torch's and numpy's
ESTIMATED = frozenset({COMPLEX_STEP, FINITE_DIFFERENCE, GRADIENTS[0], FITS})  # (what the findings above say)
ROOTED = {("torch", "func"): ("uses torch.func", DIFFERENTIATES), ("sys", "modules"): ("reads sys.modules", DYNAMIC),
          ("nn", "grad"): KERNELS, ("functional", "grad"): KERNELS, ("scipy", "differentiate"): NUMERICAL,
          ("torch", "gradient"): GRADIENTS, ("np", "gradient"): GRADIENTS, ("numpy", "gradient"): GRADIENTS,
          # code from a string, or compiled to TorchScript (whose autograd no count sees): red team 32
          **{("timeit", name): ("runs code from a string (timeit)", DYNAMIC) for name in TIMERS},
          ("benchmark", "Timer"): ("runs code from a string (torch.utils.benchmark)", DYNAMIC),
          **{("jit", name): (f"runs TorchScript (torch.jit.{name})", DYNAMIC)
             for name in ("CompilationUnit", "load")}}
HARMLESS = {"no_grad", "inference_mode"}  # torch.autograd.no_grad() only switches tracking off
BATCHING = {"vmap", "functional_call", "stack_module_state"}  # torch.func's that do not differentiate (fairness 16)
NAMES = {  # a bare name, when the submission does not define it itself
    "eval": ("calls eval", DYNAMIC), "exec": ("calls exec", DYNAMIC), "compile": ("compiles code (compile)", DYNAMIC),
    "__import__": ("imports by name (__import__)", DYNAMIC), "__builtins__": ("reads __builtins__", DYNAMIC),
    "autograd": ("uses autograd", DIFFERENTIATES), "functorch": ("uses functorch", DIFFERENTIATES),
    "forward_ad": ("uses forward-mode autograd (forward_ad)", DIFFERENTIATES),
}
SELF_MATCHING = ("bool", "bytearray", "bytes", "dict", "float", "frozenset", "int", "list", "set", "str", "tuple")
LOOKUPS = ("getattr", "setattr", "delattr", "attrgetter", "methodcaller", "getattr_static", "__getattribute__")
NAMESPACES = ("globals", "vars", "locals")
SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
ADVICE = {DIFFERENTIATES: "compute the derivative from the chain rule, without autograd",
          TRACKS: "compute the derivative from the chain rule, without autograd",
          DYNAMIC: "a by-hand derivative needs no dynamic lookup (it could hide autograd): write the formula "
                   "with tensor operations"}


@dataclass(frozen=True)
class CellRuns:
    """What the sandboxed children said of a notebook's cells, each named by its first line: where one that did not
    run to its end may have stopped (``stopped``: the line from which its statements may not have run), and the cells
    every child that ran them ran to their end (``whole``). The by-hand reading takes a cell that ran whole as having
    run every statement; what no child said of a cell, it reads from the code."""

    stopped: Mapping[int, int] = field(default_factory=dict)
    whole: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Finding:
    """One use of autograd (or of a lookup that could hide it) in a by-hand function's code."""

    what: str  # what the code does: "calls .backward()"
    line: int  # in the module source the submission became
    function: str  # the module-level name it sits in: the by-hand function, or one it reaches
    rank: int = DIFFERENTIATES
    imported: tuple[str, int] | None = None  # (name, line) of the import it uses, if any
    context: tuple[str, int] | None = None  # (what happens there, line) elsewhere in the file, if it matters
    flag: str | None = None  # the parameter of ``function`` it asks for gradients with (``requires_grad_(track)``)
    advice: str = ""  # what to do, where :data:`ADVICE` for its rank would not say it

    def describe(self, locate: Callable[[int], str]) -> str:
        """``what``, with the import it goes through: "uses torch.autograd.grad (imported as g at line 3)", or the
        other place that matters: "computes its answer from SEEN (… it runs autograd at line 30)"."""
        if self.imported is not None:
            return f"{self.what} (imported as {self.imported[0]} at {locate(self.imported[1])})"
        if self.context is not None:
            return f"{self.what} ({self.context[0]} {locate(self.context[1])})"
        return self.what


READER_HOOKS = frozenset({"__array_function__", "__array_ufunc__", "__torch_function__", "__torch_dispatch__"})
HARMLESS_METHODS = frozenset({"__init__", "__post_init__", "__call__", "__repr__", "__str__", "__format__", "__enter__",
                              "__exit__", "__aenter__", "__aexit__", "__len__", "__iter__", "__next__", "__aiter__",
                              "__anext__", "__bool__", "__hash__", "__del__", "__init_subclass__", "__set_name__"})
# (special methods handed nothing but their own object, or what no operation hands them: never another operand)
BUILTIN_BASES = frozenset({"object", "Exception", "ValueError", "TypeError", "RuntimeError", "ArithmeticError"})
PLAIN_BASES = BUILTIN_BASES | frozenset({
    "typing.NamedTuple", "typing.Protocol", "typing.Generic", "typing_extensions.Protocol", "abc.ABC", "enum.Enum",
    "enum.IntEnum", "enum.Flag", "enum.IntFlag", "enum.StrEnum", "torch.nn.Module", "torch.nn.modules.module.Module"})
# (bases whose own special methods call none of a subclass's methods with another operand: fairness of red team 154)
HARMLESS_SPECIALS = frozenset({"__slots__", "__doc__", "__module__", "__qualname__", "__annotations__",
                               "__match_args__", "__all__", "__version__", "__author__"})  # (set, they run no code)


def _special(name: str) -> bool:
    """``__name__``: a name Python (or numpy, torch) looks up for itself."""
    return len(name) > 4 and name.startswith("__") and name.endswith("__")


@dataclass
class Module:
    """What a submission binds at module level: definitions and values, and imports."""

    bindings: dict[str, list[ast.AST]] = field(default_factory=lambda: defaultdict(list))
    imports: dict[str, list[tuple[str, int]]] = field(default_factory=lambda: defaultdict(list))
    scopes: dict[int, frozenset[str]] = field(default_factory=dict)  # a value stored from inside a function: its locals
    tree: ast.Module | None = None
    assigned: dict[str, int] = field(default_factory=dict)  # per name, how many of its values the file assigns
    attributes: dict[str, list[ast.AST]] = field(default_factory=lambda: defaultdict(list))  # ``o.attr = v``: v's
    replaced: dict[str, int] = field(default_factory=dict)  # per name, the top-level statement that surely rebinds it
    ordered: bool = False  # statements run in their order, uninterrupted: nothing can trace, jump or raise into them
    import_path: int = 0  # the first line that changes where Python imports from (sys.path…), 0 for none
    parents: dict[ast.AST, ast.AST] = field(default_factory=dict)  # every node's parent, found once
    installed: set[int] = field(default_factory=set)  # installer calls on the file's own objects, read as stores
    installers: dict[str, list[tuple[int, str]]] = field(default_factory=dict)  # :func:`_installers`, found once
    at_import: set[int] = field(default_factory=set)  # the values top-level assignments bind (ids): run at import
    graded: str = ""  # the function the grader calls (and reads): never one only the file's import runs
    main_runs: bool = True  # its ``if __name__ == "__main__":`` runs where it is graded (a notebook; not a .py file)

    def live(self, name: str, index: int) -> bool:
        """A binding of ``name`` in top-level statement ``index`` may still hold when a check runs (:attr:`replaced`)."""
        return index >= self.replaced.get(name, -1)

    @cached_property
    def own_data(self) -> frozenset[str]:
        """:func:`own_data` of the file."""
        if self.tree is None:
            return frozenset()
        bindings = collections.Counter(name for node in walk(self.tree) for name in bound_here(node))
        return own_data(self.tree, bindings, {name: targets[0][0] for name, targets in self.imports.items() if targets})

    @cached_property
    def own_operators(self) -> bool:
        """Code of the file's may run where a value is operated on with another (``DC + _Fill()``, ``DC == k``,
        ``table[DC]``) and be handed the value: a class of the file defines or sets a special method that receives
        another operand (an operator, ``__eq__``, ``__getitem__``, ``__array_ufunc__ = None``; not ``__init__``,
        ``__enter__``, ``__len__``…: :data:`HARMLESS_METHODS`), or derives from a library's class, whose own special
        methods may call the file's (red team 153: ``collections.abc.KeysView``'s ``__sub__`` called an overridden
        ``_from_iterable``). Red team 150: ``DC + _Fill()`` ran ``_Fill.__radd__``, which wrote into ``DC``."""
        return self._hooks[0]

    @cached_property
    def reader_hooks(self) -> bool:
        """Code of the file's may run where numpy or torch is handed a value, and be handed it with the call's other
        arguments: a class of the file defines or sets ``__array_function__``, ``__array_ufunc__``,
        ``__torch_function__`` or ``__torch_dispatch__``, or derives from a library's class (red team 150:
        ``np.dot(DC, _Probe())`` ran ``_Probe.__array_function__``, which wrote into ``DC``)."""
        return self._hooks[1]

    @cached_property
    def _hooks(self) -> tuple[bool, bool]:
        """(:attr:`own_operators`, :attr:`reader_hooks`), read in one walk."""
        operators = readers = False
        for node in walk(self.tree) if self.tree is not None else ():
            if isinstance(node, ast.ClassDef) and (node.keywords or any(not self._plain_base(base)
                                                                         for base in node.bases)):
                return True, True
            names = [node.name] if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) \
                and isinstance(self.parents.get(node), ast.ClassDef) else []
            if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names += [target.id if isinstance(target, ast.Name) else target.attr for target in targets
                          if isinstance(target, (ast.Name, ast.Attribute))]
            for name in names:
                if _special(name) and name not in HARMLESS_SPECIALS and name not in HARMLESS_METHODS:
                    operators, readers = True, readers or name in READER_HOOKS
        return operators, readers

    def _plain_base(self, base: ast.AST) -> bool:
        """A base class whose special methods call no code of the file's: ``object``, an exception, a named tuple,
        ``abc.ABC``, an enum, ``typing.Protocol``, torch's ``nn.Module`` (:data:`PLAIN_BASES`), each by what its name
        is bound to (red team 154: ``from collections.abc import KeysView as NamedTuple``, ``Exception = KeysView``),
        or a class of the file bound once (read on its own)."""
        if isinstance(base, ast.Subscript):  # ``Generic[T]``
            base = base.value
        if isinstance(base, ast.Call):  # ``collections.namedtuple("P", "a b")``
            return self._resolved(base.func) in ("collections.namedtuple", "typing.NamedTuple")
        if isinstance(base, ast.Name) and base.id in self.bindings:
            values = self.bindings[base.id]
            return len(values) == 1 and isinstance(values[0], ast.ClassDef) and base.id not in self.imports
        return self._resolved(base) in PLAIN_BASES

    def _resolved(self, node: ast.AST) -> str:
        """``node``'s dotted name through the file's one import of its root (``nn.Module``: ``torch.nn.Module``), a
        builtin's by its name where the file binds it nowhere; ``""`` for anything else."""
        parts = _chain(node).split(".")
        if parts[0] in self.bindings:
            return ""
        if parts[0] in self.imports:
            return imported_name(node, self.imports)
        return parts[0] if len(parts) == 1 and parts[0] in BUILTIN_BASES else ""

    @cached_property
    def defaults_as_written(self) -> bool:
        """No code of the file can change a function's defaults (:func:`methods.rewrites_defaults`): read once."""
        return self.tree is not None and not methods.rewrites_defaults(self.tree)

    def plain_def(self, name: str) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        """The one binding of ``name``, where it is a ``def`` with no decorator (which may call it with other
        arguments); else None."""
        definitions = self.bindings.get(name, [])
        if len(definitions) == 1 and isinstance(definitions[0], (ast.FunctionDef, ast.AsyncFunctionDef)) \
                and not definitions[0].decorator_list:
            return definitions[0]
        return None

    @cached_property
    def timeit(self) -> list[ast.Module]:
        """The code of each ``%timeit`` in the file (:func:`timeit_trees`), parsed once."""
        return timeit_trees(self.tree, self.literals) if self.tree is not None else []

    @cached_property
    def literals(self) -> dict[str, set[str]]:
        """The strings each name may hold where the file binds it to literals only (:func:`literals.literal_names`)."""
        if self.tree is None:
            return {}
        return literals.literal_names(self.tree, collections.Counter(
            name for node in walk(self.tree) for name in bound_here(node)))

    @cached_property
    def lists(self) -> frozenset[str]:
        """Names the file binds only to new lists (``LOG = []``): :func:`_plain_lists`, worked out when first asked."""
        return _plain_lists(self.tree, self) if self.tree is not None else frozenset()

    @cached_property
    def own_attributes(self) -> frozenset[str]:
        """Attribute names the file gives objects of its own: its classes' methods and class attributes, what it sets
        on ``self``, and namedtuple fields (``Stage = namedtuple("Stage", ["value", "jacobian"])``)."""
        found: set[str] = set()
        for node in walk(self.tree) if self.tree is not None else ():
            if isinstance(node, ast.ClassDef):
                found |= {name for item in node.body for name in (
                    [item.name] if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) else
                    _bound_names(item.target) if isinstance(item, ast.AnnAssign) else
                    [n for t in item.targets for n in _bound_names(t)] if isinstance(item, ast.Assign) else [])}
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store) and _root_name(node) == "self":
                found.add(node.attr)
            elif isinstance(node, ast.Call) and _chain(node.func).split(".")[-1] in ("namedtuple", "NamedTuple") \
                    and len(node.args) >= 2:
                found |= set(_field_names(node.args[1]))
        return frozenset(found)

    @cached_property
    def layers(self) -> set[str]:
        """The file's classes that define ``backward`` (hand-written layers), every binding of the name a class."""
        layers: set[str] = set()
        while True:  # a class that inherits its backward from one of them is one too
            found = {name for name, nodes in self.bindings.items() if nodes and all(
                isinstance(node, ast.ClassDef) and (any(isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))
                                                        and item.name == "backward" for item in node.body)
                                                    or any(isinstance(base, ast.Name) and base.id in layers
                                                           for base in node.bases)) for node in nodes)}
            if found == layers:
                return layers
            layers = found

    @cached_property
    def plain(self) -> frozenset[str]:
        """:func:`methods.plain_classes` of the file, found once."""
        if self.tree is None:
            return frozenset()
        return methods.plain_classes(self.tree, self.parents, self.bindings, self.layers, self.imports,
                                     self.main_runs)

    @cached_property
    def built_at_import(self) -> frozenset[str]:
        """The plain classes (:attr:`plain`), no base of another class, and the plain ``def``s (:meth:`plain_def`), each
        bound once, whose every use is a call at import (:func:`at_import`) or, for a class, an attribute
        (``Poly.slope``): such a class's ``__init__``, or such a function, runs only at import, before any check
        (fairness 50: ``P = Poly([...])`` whose ``__init__`` makes an ``nn.Parameter``; 51: ``COEFFS =
        make_coefficients([...])``)."""
        if self.tree is None:
            return frozenset()
        functions = {name for name in self.bindings if name != self.graded and self.plain_def(name) is not None}
        if not self.plain and not functions:
            return frozenset()
        bases = {base.id for node in walk(self.tree) if isinstance(node, ast.ClassDef) for base in node.bases
                 if isinstance(base, ast.Name)}
        uses: dict[str, list[ast.Name]] = defaultdict(list)
        for node in walk(self.tree):
            if isinstance(node, ast.Name) and (node.id in self.plain or node.id in functions):
                uses[node.id].append(node)
        classes = {name for name in self.plain if name not in bases and len(self.bindings[name]) == 1}
        return frozenset(name for name in classes | functions if (name in classes or uses[name])
                         and all(isinstance(node.ctx, ast.Load) and _built_or_named(node, self.parents, name in classes)
                                 for node in uses[name]))  # (a function never called may be one the grader calls)


def at_import(node: ast.AST, parents: Mapping[ast.AST, ast.AST]) -> bool:
    """``node`` runs when the file is imported: in a top-level statement, outside any function, lambda, class body
    or generator (whose code runs later)."""
    while (node := parents.get(node)) is not None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef, ast.GeneratorExp)):
            return False
    return True


def _built_or_named(use: ast.Name, parents: Mapping[ast.AST, ast.AST], named: bool = True) -> bool:
    """A use of a name that is a call at import (:func:`at_import`) or, where ``named``, an attribute read (not a
    dunder)."""
    parent = parents.get(use)
    if isinstance(parent, ast.Call) and parent.func is use:
        return at_import(parent, parents)
    return named and isinstance(parent, ast.Attribute) and parent.value is use and not _special(parent.attr)


def _field_names(fields: ast.AST) -> list[str]:
    """A namedtuple's field names as written: ``"a b"``, ``"a, b"``, ``["a", "b"]``, ``[("a", float), …]``."""
    if isinstance(fields, ast.Constant) and isinstance(fields.value, str):
        return fields.value.replace(",", " ").split()
    items = fields.elts if isinstance(fields, (ast.List, ast.Tuple)) else []
    items = [item.elts[0] if isinstance(item, (ast.List, ast.Tuple)) and item.elts else item for item in items]
    return [item.value for item in items if isinstance(item, ast.Constant) and isinstance(item.value, str)]


def mangled(tree: ast.Module) -> ast.Module:
    """``tree`` with the names Python mangles renamed as it does: inside a class (its body and the functions in it),
    ``__seen`` is ``_Keep__seen`` for ``class Keep`` (red team 131 filled ``_Keep__SEEN`` from autograd through
    ``__SEEN.update`` in a method, a name no module binding matched). Names, attributes, parameters, ``global`` and
    ``nonlocal`` lists, keyword arguments, imports' bound names, and the names of the functions and classes defined."""
    _Mangler().visit(tree)
    return tree


class _Mangler(ast.NodeTransformer):
    """Python's private-name mangling (``_Py_Mangle``): a name ``__x`` (not ending in ``__``, no dot) written inside
    a class whose name is not all underscores becomes ``_Class__x``, the class named without its leading underscores.
    A class's decorators, bases and keywords are written around it; a class inside a class mangles by its own name."""

    def __init__(self) -> None:
        self.owner: str | None = None

    def _name(self, name: str | None) -> str | None:
        if not name or self.owner is None or not name.startswith("__") or name.endswith("__") or "." in name:
            return name
        stripped = self.owner.lstrip("_")
        return f"_{stripped}{name}" if stripped else name

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.AST:
        for field in ("decorator_list", "bases", "keywords"):
            setattr(node, field, [self.visit(item) for item in getattr(node, field)])
        own, node.name = node.name, self._name(node.name)
        outer, self.owner = self.owner, own
        node.body = [self.visit(statement) for statement in node.body]
        self.owner = outer
        return node

    def visit_FunctionDef(self, node: ast.AST) -> ast.AST:
        node.name = self._name(node.name)
        return self.generic_visit(node)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Name(self, node: ast.Name) -> ast.AST:
        node.id = self._name(node.id)
        return node

    def visit_Attribute(self, node: ast.Attribute) -> ast.AST:
        node.attr = self._name(node.attr)
        return self.generic_visit(node)

    def visit_arg(self, node: ast.arg) -> ast.AST:
        node.arg = self._name(node.arg)
        return self.generic_visit(node)

    def visit_keyword(self, node: ast.keyword) -> ast.AST:
        node.arg = self._name(node.arg)
        return self.generic_visit(node)

    def visit_Global(self, node: ast.Global | ast.Nonlocal) -> ast.AST:
        node.names = [self._name(name) for name in node.names]
        return node

    visit_Nonlocal = visit_Global

    def visit_alias(self, node: ast.alias) -> ast.AST:
        if node.asname:
            node.asname = self._name(node.asname)
        elif "." not in node.name:
            node.name = self._name(node.name)
        return node


def autograd_use(source: str, function: str, cells: Sequence[int] = (), passed: int | None = None, *,
                 ran: CellRuns | None = None) -> list[Finding]:
    """Every autograd use in ``function`` and in what it reaches; ``[]`` if none.

    Most telling first: differentiation, then gradient tracking, then dynamic lookups; within
    each, in the order the names were reached, then by line. ``cells``: a notebook's cells' first lines; ``ran``: what
    the children said of them.

    A source that does not parse, or has no such function, gives ``[]``: other checks say so. ``passed``: how many
    positional arguments the grader calls it with (its stub's parameters), if known: a debugging branch on a later
    parameter is then not read (:func:`methods.debug_branches`).
    """
    try:
        tree = ast.parse(source)
    except PARSE_ERRORS:  # (nor does Python compile it: others say so)
        return []
    try:
        return _autograd_use(mangled(tree), function, cells, passed, ran)
    except RecursionError:  # code Python runs, nested past what the reading follows (red team 147: a 1,000-term sum
        line = next((node.lineno for node in tree.body  # anywhere made every finding [], autograd's answers passed)
                     if getattr(node, "name", None) == function), 1)
        return [Finding("is nested too deeply to be read", line, function, DYNAMIC)]  # cannot be told apart: fails closed


def _autograd_use(tree: ast.Module, function: str, cells: Sequence[int], passed: int | None,
                  ran: CellRuns | None) -> list[Finding]:
    """:func:`autograd_use` of a module's parsed (and mangled) ``tree``."""
    module = module_names(tree, cells, ran.stopped if ran is not None else None)
    module.graded, module.main_runs = function, bool(cells)
    dead = methods.debug_branches(tree, module.parents, module.bindings, module.ordered, function, passed)
    found = read_reach(module, [function], patches(tree, module), dead)  # a method put on torch's classes runs from any tensor
    found = [finding for finding in found if not _estimate_in_a_class_read_whole(finding, module)]
    read_lines = {(finding.line, finding.rank) for finding in found}  # a lookup the reading already named, once
    found += [finding for finding in rebinding(tree, module, function) + dispatch_overrides(tree, module, function)
              if (finding.line, finding.rank) not in read_lines]
    if not found and function in module.bindings:
        from autograd_exercises.judge.saved import saved_answers  # (it builds on this module)

        found = saved_answers(tree, module, function, cells, ran)
    order = {name: index for index, name in enumerate(dict.fromkeys(finding.function for finding in found))}
    unique = {(finding.line, finding.what): finding for finding in found}
    found = sorted(unique.values(), key=lambda finding: (finding.rank, order[finding.function], finding.line))
    return [_why_read(found[0], module, function), *found[1:]] if found else found


def _estimate_in_a_class_read_whole(finding: Finding, module: Module) -> bool:
    """``finding`` is an estimated derivative (:data:`ESTIMATED`) in a class whose every method is read
    (:func:`methods.why_read_whole`), not only those the by-hand function calls: a numerical check among its methods
    (fairness 71: ``numerical_gradient_b(h=1e-5)`` beside the ``backward`` the by-hand function calls) is the
    student's test of it. Such a finding is left out, whichever method holds it (the reading cannot tell them
    apart): the run's reading (``sandbox.observe.Evaluations``) still sees the exercise's own function evaluated
    beside its inputs, but not a copy of its formula in such a class (walkthrough 74)."""
    return finding.what in ESTIMATED and module.tree is not None and methods.why_read_whole(
        finding.function, module.tree, module.parents, module.bindings, module.layers, module.imports,
        module.main_runs) is not None


def _why_read(finding: Finding, module: Module, function: str) -> Finding:
    """``finding``, where it sits in a class of the file whose every method is read (no plain class): with why, and
    what to do where that method never runs in ``function``'s call (fairness 51: "calls .backward() in helper
    TwoLayers" named a sibling method and said nothing of the ``print(copy.copy(net))`` that had every one read)."""
    if finding.context is not None or finding.imported is not None or module.tree is None:
        return finding
    why = methods.why_read_whole(finding.function, module.tree, module.parents, module.bindings, module.layers,
                                 module.imports, module.main_runs)
    if why is None:
        return finding
    advice = f"{finding.advice or ADVICE[finding.rank]}; if that code never runs when {function} is called, use " \
             f"{finding.function}'s objects only through their attributes there, or write the formula outside the class"
    return replace(finding, context=(f"every method of {finding.function} is read: {why[0]}, at", why[1]), advice=advice)


def read_reach(module: Module, names: Iterable[str], nodes: Iterable[tuple[str, ast.AST]] = (),
               dead: frozenset[int] = frozenset()) -> list[Finding]:
    """The findings of ``nodes`` (each with the name it belongs to) and of every module-level name they or ``names``
    reach, transitively: each name queued once, each node read once (``a = b = … = (a, b, …)`` costs its size, not
    its square). Left unread (:mod:`.methods`): a plain class's methods until something read names them,
    decorators that hand the function back, and the ``dead`` statements (ids)."""
    names, nodes = list(names), list(nodes)  # (read again where a helper's branch turns out dead)
    found: list[Finding] = []
    queue, later, read = collections.deque(names), collections.deque(nodes), set()
    seen = set(queue)
    narrowing = _Narrowing(module)
    done: list[tuple[ast.AST, frozenset[int], dict]] = []  # each node read, what of it was not, its parents

    def read_binding(owner: str, node: ast.AST) -> None:
        if id(node) in read:
            return
        read.add(id(node))
        skip = narrowing.skipped(owner, node) | dead
        reader = Reader(module, owner, node, skip)
        done.append((node, skip, reader.parents))
        found.extend(reader.findings)
        for reached in reader.reached:
            if reached not in seen:
                seen.add(reached)
                queue.append(reached)
        later.extend(narrowing.release(node, skip))

    while queue or later:
        if later:
            read_binding(*later.popleft())
            continue
        name = queue.popleft()
        for node in module.bindings.get(name, ()):
            read_binding(name, node)
    if found and (more := _dead_helper_branches(done, module) - dead):
        return read_reach(module, names, nodes, dead | more)  # (each time more is dead: it ends)
    return _flags_off(found, done, module) if any(finding.flag for finding in found) else found


def _uses(done: list[tuple[ast.AST, frozenset[int], dict]]) -> dict[str, list[ast.Call | None]]:
    """Per name, each use of it in what was read: a call of it, or None (any other use: it may be called otherwise)."""
    calls: dict[str, list[ast.Call | None]] = defaultdict(list)
    for node, skip, parents in done:
        for part in walk(node, skip):
            if isinstance(part, ast.Name) and isinstance(part.ctx, ast.Load):
                parent = parents.get(part)
                calls[part.id].append(parent if isinstance(parent, ast.Call) and parent.func is part else None)
    return calls


def _dead_helper_branches(done: list[tuple[ast.AST, frozenset[int], dict]], module: Module) -> frozenset[int]:
    """The ``if flag:`` bodies (ids) of each helper that every use in what was read calls passing ``flag`` a false
    literal (``_gradients(x, y, w, b, by_autograd=False)``, where the autograd function passes ``True``): they never
    run for the by-hand function; and, where every such use passes a parameter a literal, whatever those literals
    decide never runs (:func:`methods.dead_when`: ``if mode == "autograd":`` for ``mode="manual"``, ``if not by_hand:``
    for ``True``, the autograd code after ``if by_hand: return …``). A helper bound once, by a plain ``def`` with
    literal defaults (none that its own branch, run at import, could fill), that binds ``flag`` nowhere in its body."""
    dead: set[int] = set()
    for name, uses in _uses(done).items():
        function = module.plain_def(name)
        if not uses or any(call is None for call in uses) or function is None \
                or not all(isinstance(default, ast.Constant) for _, default in methods.defaults(function)):
            continue
        unbound = methods.named_parameters(function) - methods.bound_in(function.body)
        flags = {parameter for parameter in unbound
                 if all(_passes_false(call, function, parameter, module.defaults_as_written) for call in uses)}
        if flags:
            dead |= methods.branches_when(function, flags)
        passed = {parameter: {_passed_literal(call, function, parameter, module.defaults_as_written) for call in uses}
                  for parameter in unbound}
        values = {parameter: frozenset(literals) for parameter, literals in passed.items() if _UNKNOWN not in literals}
        if values:
            dead |= methods.dead_when(function, values)
    return frozenset(dead)


_UNKNOWN = object()  # a parameter's value at a call that is not one literal


def _passed_literal(call: ast.Call, function: ast.FunctionDef | ast.AsyncFunctionDef, parameter: str,
                    defaults: bool) -> object:
    """The literal (None, a bool, an int or a str) ``call`` gives ``function``'s ``parameter`` (:func:`_passed`); else
    :data:`_UNKNOWN`."""
    return methods.literal(_passed(call, function, parameter, defaults), _UNKNOWN)


def _passed(call: ast.Call, function: ast.FunctionDef | ast.AsyncFunctionDef, parameter: str,
            defaults: bool) -> ast.AST | None:
    """What ``call`` gives ``function``'s ``parameter``, by keyword or position (nothing unpacked), or leaves it to
    (its default, where ``defaults``: nothing in the file can change one); None where that cannot be told (``*flag``
    holds a tuple and ``**flag`` a dict, whatever keyword is named so: red team 90)."""
    if any(isinstance(argument, ast.Starred) for argument in call.args) or any(k.arg is None for k in call.keywords) \
            or parameter not in methods.named_parameters(function):
        return None
    if parameter not in {arg.arg for arg in function.args.posonlyargs}:  # a keyword of a positional-only name
        for keyword in call.keywords:                                      # goes to **kwargs, not to it
            if keyword.arg == parameter:
                return keyword.value
    positional = [arg.arg for arg in [*function.args.posonlyargs, *function.args.args]]
    if parameter in positional and positional.index(parameter) < len(call.args):
        return call.args[positional.index(parameter)]
    return methods.default_of(function, parameter) if defaults else None


def _flags_off(found: list[Finding], done: list[tuple[ast.AST, frozenset[int], dict]], module: Module) -> list[Finding]:
    """Less each ``requires_grad_(track)`` of a helper whose every use in what was read is a call passing that
    parameter a false literal (``fresh_copy(x, track=False)``): it asks for nothing then."""
    calls = _uses(done)  # per name: each use, a call of it or None

    def off(finding: Finding) -> bool:
        function, uses = module.plain_def(finding.function), calls.get(finding.function, [])
        return function is not None and bool(uses) and all(
            call is not None and _passes_false(call, function, finding.flag, module.defaults_as_written) for call in uses)

    return [finding for finding in found if not (finding.flag and off(finding))]


def _passes_false(call: ast.Call, function: ast.FunctionDef | ast.AsyncFunctionDef, parameter: str,
                  defaults: bool) -> bool:
    """``call`` gives ``function``'s ``parameter`` a false literal, or leaves it to a false literal default
    (:func:`_passed`)."""
    return _is_false(_passed(call, function, parameter, defaults))


class _Narrowing:
    """What :func:`read_reach` leaves unread for now (:mod:`.methods`), and what becomes readable as it reads."""

    def __init__(self, module: Module) -> None:
        self.module = module
        self.classes = any(isinstance(node, ast.ClassDef) for nodes in module.bindings.values() for node in nodes)
        self.named: set[str] = set(methods.CALLED_BY_NAME)
        self.strings: list[str] = []  # every string read but docstrings (a method named in one, however spelled)
        self.waiting: dict[str, list[tuple[str, ast.AST]]] = defaultdict(list)  # method name -> (class, method)
        self.on = True  # off once what is read uses a library that may call methods by computed names

    @cached_property
    def plain(self) -> frozenset[str]:
        return self.module.plain

    @cached_property
    def identity(self) -> tuple[frozenset[str], frozenset[str]]:
        return methods.identity_decorators(self.module.bindings, self.module.imports, self.module.tree)

    def skipped(self, owner: str, node: ast.AST) -> frozenset[int]:
        """The parts of ``node`` not to read now: a plain class's methods nothing names yet (kept waiting for their
        name), a function's decorators that hand it back."""
        if isinstance(node, ast.ClassDef) and self.on and owner == node.name and node.name in self.plain:
            unnamed = methods.unnamed_methods(node, self.named, self.module.bindings, self.module.imports)
            unnamed = [method for method in unnamed if not any(method.name in text for text in self.strings)]
            for method in unnamed:
                self.waiting[method.name].append((owner, method))
            return frozenset(map(id, [*unnamed, *node.decorator_list]))  # (a plain class's: @dataclass, which ran)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.decorator_list:
            identity, factories = self.identity
            return frozenset(id(d) for d in node.decorator_list if isinstance(d, ast.Name) and d.id in identity
                             or isinstance(d, ast.Call) and isinstance(d.func, ast.Name) and d.func.id in factories)
        return frozenset()

    def release(self, node: ast.AST, skip: frozenset[int]) -> list[tuple[str, ast.AST]]:
        """The waiting methods that ``node`` (read without ``skip``) names: all of them once it uses a library
        outside :data:`methods.NAMING_SAFE` or looks attributes up by computed names."""
        if not self.classes:
            return []  # no method waits, nor ever will
        used = methods.imports_used(node, self.module.imports, skip)
        if self.on and (used - methods.NAMING_SAFE or methods.looks_up_computed_names(node, skip)):
            self.on = False
            self.named.update(self.waiting)
        fresh = set(methods.identifiers(node, skip))  # (torch's own names need not be: no plain object reaches torch)
        texts = [name[1:] for name in fresh if name.startswith(methods.STRING)]
        self.strings += texts
        fresh |= {name for name in self.waiting if any(name in text for text in texts)}
        fresh = fresh - self.named if self.on else set(self.waiting)
        self.named |= fresh
        return [item for name in fresh for item in self.waiting.pop(name, ())]


def code(finding: Finding) -> str:
    """The mistake code of a by-hand function's ``finding``: a derivative estimated from the function's values, or
    autograd (or what could hide it)."""
    return "numeric-in-by-hand" if finding.what in ESTIMATED else "autograd-in-by-hand"


def feedback(function: str, findings: list[Finding], locate: Callable[[int], str]) -> str:
    """What a by-hand check says about the first finding: what, where, in which helper, and what to do."""
    first = findings[0]
    helper = f" (in helper {first.function})" if first.function != function else ""
    others = len({finding.line for finding in findings} - {first.line})
    more = f" (and {others} more place{'s' if others > 1 else ''})" if others else ""
    return f"{function} {first.describe(locate)} at {locate(first.line)}{helper}: {first.advice or ADVICE[first.rank]}" \
        f"{more}"


def module_names(tree: ast.Module, cells: Sequence[int] = (), stopped: Mapping[int, int] | None = None) -> Module:
    """Module-level bindings and imports, also inside if/try/with blocks (notebook cells run inside ``try``), less
    those a later top-level ``def``, assignment or import surely replaces before any check runs (:func:`_replaced_at`:
    an exploratory first version, a loop over examples that binds the name of a helper defined below)."""
    parents = {child: node for node in walk(tree) for child in children(node)}
    ordered = not _interrupts(parents)
    module = Module(replaced=_replaced_at(tree, cells, parents, stopped) if ordered else {}, ordered=ordered,
                    parents=parents)
    stars: list[tuple[int, str, int]] = []  # (statement index, module, line) of each ``from module import *``
    for index, top in enumerate(tree.body):
        for statement in module_statements([top]):
            if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) \
                    and module.live(statement.name, index):
                module.bindings[statement.name].append(statement)
            elif isinstance(statement, (ast.Assign, ast.AnnAssign)) and statement.value is not None:
                targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
                module.at_import.add(id(statement.value))
                for target in targets:  # names bound; an item or attribute set is a store (below)
                    for name in _bound_names(target):
                        if module.live(name, index):
                            module.bindings[name].append(statement.value)
            elif isinstance(statement, (ast.Import, ast.ImportFrom)):
                for name, target in imported(statement):
                    if module.live(name, index):
                        module.imports[name].append((target, statement.lineno))
                    if name == "*":
                        stars.append((index, target[:-2], statement.lineno))
    module.tree, module.assigned = tree, {name: len(values) for name, values in module.bindings.items()}
    module.import_path = import_path_change(tree, module.imports)
    reads = scopes.module_reads(tree) - set(dir(builtins)) if stars else frozenset()
    for index, source, line in stars:
        _star_names(module, reads, index, source, line)
    _read_other_bindings(tree, module)
    _read_stores(tree, module)
    for inner in module.timeit:  # %timeit's code runs in a namespace of its own, but changes the module's objects
        _read_stores(inner, module, own=True)
    _read_installed(tree, module)
    return module


def _star_names(module: Module, reads: frozenset[str], index: int, source: str, line: int) -> None:
    """``from source import *`` (in top-level statement ``index``) may bind any name the module's code reads
    (``reads``: :func:`scopes.module_reads`, less Python's builtins, which keep their own readings): each that
    ``source`` may export and that would be autograd or a module outside what is read (``grad`` from
    ``torch.autograd``, ``polyder`` from ``numpy``) counts as imported from there, unless a later top-level statement
    surely binds it first (red team 92: ``from torch.autograd import *``, then ``grad(…)`` at import fed the by-hand
    function, read as no import at all)."""
    exports = star_exports(source)
    for name in sorted(reads if exports is None else reads & exports):
        target = f"{source}.{name}"
        if module.live(name, index) and (forbidden_module(target) is not None or foreign_module(target, module)):
            module.imports[name].append((target, line))


STAR_SOURCES = frozenset({  # modules whose ``import *`` is read by what it binds: torch's and numpy's own, loaded with
    "torch", "torch.autograd", "torch.autograd.functional", "torch.autograd.forward_ad", "torch.autograd.graph",
    "torch.func", "torch.nn", "torch.nn.functional", "torch.linalg", "torch.special", "torch.fft", "torch.optim",
    "numpy", "math", "cmath"})  # (never another: importing a module a submission names could change this process)


@functools.lru_cache(maxsize=None)
def star_exports(source: str) -> frozenset[str] | None:
    """The names ``from source import *`` binds, for a module of :data:`STAR_SOURCES`, read from the module itself in
    this trusted process (its ``__all__``, else its names without a leading underscore); None for any other module:
    it may bind any name."""
    if source not in STAR_SOURCES:
        return None
    try:
        loaded = importlib.import_module(source)
    except ImportError:
        return None
    names = getattr(loaded, "__all__", None)
    if not isinstance(names, (list, tuple)) or not all(isinstance(name, str) for name in names):
        return frozenset(name for name in vars(loaded) if not name.startswith("_"))
    return frozenset(names)


def _read_other_bindings(tree: ast.Module, module: Module) -> None:
    """Add what the rest of the file binds module-level names to, so that a helper rebound there is read too:
    the module's own ``for``, ``with``, ``:=``, ``case`` and ``except … as`` (:func:`_bound_values`; one that a later
    top-level ``def`` or assignment surely replaces before any check runs is not: :func:`_replaced_at`), and
    anything a function (or class) binds to a name it declares ``global``, with that function's locals."""
    for index, statement in enumerate(tree.body):
        _add_bound(module, [(name, value) for name, value in _bound_values([statement]) if module.live(name, index)],
                   frozenset())
    if not any(isinstance(node, ast.Global) for node in module.parents or walk(tree)):
        return  # no function binds a module-level name
    for node, local, _ in _scoped_nodes(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            declared = {name for part in own_nodes(node.body) if isinstance(part, ast.Global) for name in part.names}
            if declared:
                inside = local | (local_names(node) if not isinstance(node, ast.ClassDef) else set())
                _add_bound(module, _global_values(node.body, declared, module), frozenset(inside))


SAFE_IMPORTS = frozenset({"torch", "torch.nn", "torch.nn.functional", "numpy", "math"})
# What can stop, skip or reorder a statement from outside it: trace and profile functions (which may also jump,
# ``frame.f_lineno = …``), signals, threads (``interrupt_main``), audit hooks, ctypes.
INTERRUPTERS = frozenset({"settrace", "setprofile", "gettrace", "f_lineno", "f_trace", "monitoring", "signal",
                          "setitimer", "alarm", "ctypes", "pythonapi", "_thread", "threading", "interrupt_main",
                          "addaudithook", "faulthandler", "concurrent", "multiprocessing", "asyncio", "sched",
                          "__del__", "weakref", "finalize",  # (finalizers run whenever an object is dropped)
                          "callbacks",  # (gc.callbacks: run at every collection, inside any statement)
                          "set_asyncgen_hooks", "unraisablehook"})  # (an async generator's finalizer; a finalizer's error)


def _interrupts(nodes: Iterable[ast.AST]) -> bool:
    """The file names something that could interrupt or reorder its statements (:data:`INTERRUPTERS`): then no
    binding is taken as surely replaced, and no ``global`` as a function's own."""
    for node in nodes:
        if isinstance(node, ast.Name) and node.id in INTERRUPTERS or \
                isinstance(node, ast.Attribute) and node.attr in INTERRUPTERS or \
                isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and \
                (node.name in INTERRUPTERS or _runs_when_dropped(node)) or \
                isinstance(node, ast.alias) and set(node.name.split(".")) & INTERRUPTERS:
            return True
    return False


def _runs_when_dropped(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """A generator or coroutine whose own code holds a ``try`` or ``with``: closing it when its last reference goes
    runs that code (a ``finally``, an ``except``, an ``__exit__``) inside whatever statement dropped it, which can then
    stop there (red team 120: ``_x = 0`` closed a generator whose ``finally`` spun until the cell's timer fired)."""
    own = list(own_nodes(function.body))
    suspends = isinstance(function, ast.AsyncFunctionDef) or \
        any(isinstance(node, (ast.Yield, ast.YieldFrom, ast.Await)) for node in own)
    return suspends and any(isinstance(node, (ast.Try, ast.TryStar, ast.With, ast.AsyncWith)) for node in own)


def _replaced_at(tree: ast.Module, cells: Sequence[int], parents: dict[ast.AST, ast.AST],
                 stopped: Mapping[int, int] | None = None) -> dict[str, int]:
    """Per name, the index of the last top-level statement that surely binds it by a ``def`` or an assignment
    before any check runs: every top-level statement of a module runs (an import that raises fails every check);
    in a notebook (``cells``: the first line of each cell), a cell that raises stops there and the next cell runs,
    so only one that nothing before it in its cell can stop (:func:`cannot_raise`), in a cell that ran on to a line
    past it (``stopped``: per cell's first line, the line from which it may not have run, as the child reported)."""
    replaced: dict[str, int] = {}
    cell, safe, stopped = None, True, stopped or {}
    for index, statement in enumerate(tree.body):
        here = bisect.bisect_right(cells, statement.lineno)
        if here != cell:
            cell, safe = here, True
        stop = stopped.get(cells[here - 1]) if here else None
        safe = safe and cannot_raise(statement) and not (stop is not None and (statement.end_lineno or 0) >= stop)
        if not cells or safe:
            for name in _surely_binds(statement):
                replaced[name] = index
    if replaced:  # what was read of a name before it was replaced may have kept its old value: then it still counts
        kept = _read_early(tree, replaced, parents) | _handed_early(tree, replaced)
        replaced = {name: index for name, index in replaced.items() if name not in kept}
    return replaced


def _handed_early(tree: ast.Module, replaced: dict[str, int]) -> set[str]:
    """The names of ``replaced`` whose earlier value was handed to other code as it was made, which may keep it: a
    decorated ``def``, a ``class`` (its bases' ``__init_subclass__``, a metaclass), or a value that passes a lambda
    or one of the file's functions or classes to a call (``helper = keep(lambda x: …)``)."""
    code = {statement.name for statement in tree.body
            if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
    kept: set[str] = set()
    for index, statement in enumerate(tree.body):
        for inner in module_statements([statement]):
            if isinstance(inner, (ast.FunctionDef, ast.AsyncFunctionDef)) and inner.decorator_list \
                    or isinstance(inner, ast.ClassDef):
                kept.add(inner.name)
            elif not isinstance(inner, (ast.FunctionDef, ast.AsyncFunctionDef)) and _passes_code(inner, code):
                kept.update(name for node in walk(inner) if isinstance(node, ast.Name)
                            and isinstance(node.ctx, ast.Store) for name in [node.id])
    return kept & set(replaced)


def _passes_code(statement: ast.stmt, code: set[str]) -> bool:
    """``statement`` (not counting the bodies it holds) calls something with a lambda or one of ``code``."""
    parts = [statement] if not hasattr(statement, "body") else \
        [child for child in children(statement) if child not in getattr(statement, "body", [])
         and child not in getattr(statement, "orelse", [])]
    for part in parts:
        calls = [node for node in walk(part) if isinstance(node, ast.Call)]
        called = {id(call.func) for call in calls}  # calling one of them is no handing over: f(x) passes f nothing
        for call in calls:
            for argument in [*call.args, *(keyword.value for keyword in call.keywords)]:
                if any(isinstance(node, ast.Lambda) or isinstance(node, ast.Name) and node.id in code
                       and isinstance(node.ctx, ast.Load) and id(node) not in called for node in walk(argument)):
                    return True
    return False


PRINTING = frozenset({"print", "str", "repr", "float", "int", "len", "round", "abs", "bool", "format"})


def _read_early(tree: ast.Module, replaced: dict[str, int], parents: dict[ast.AST, ast.AST]) -> set[str]:
    """The names of ``replaced`` whose earlier value something may keep: read (a ``Name`` load) in a top-level
    statement above the one that replaces it, anywhere (a function defined there may run, or be kept, before), or
    in that statement outside a function body (``helper = wrap(helper)``); only printing it is harmless
    (``print(point, dydx)``, :func:`_printed`)."""
    kept: set[str] = set()
    replacing: dict[int, list[str]] = defaultdict(list)  # (by statement, once: red team 220's 7,500 statements)
    for name, at in replaced.items():
        replacing[at].append(name)
    for index, statement in enumerate(tree.body):
        last = replacing.get(index, [])
        for node in walk(statement):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in replaced \
                    and node.id not in kept and index <= replaced[node.id]:
                inside = node.id in last and _in_body(node, statement, parents)
                if not inside and not _printed(node, parents) and not _called_and_dropped(node, parents):
                    kept.add(node.id)
    return kept


def _called_and_dropped(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    """``node`` is only called, as a statement of its own, what it returns dropped: ``manual(torch.tensor(2.0))`` in a
    first try's cell. Calling a function hands it to no other code (what its body stores is read where it stores it:
    :func:`_read_stores`), and nothing keeps its answer."""
    call = parents.get(node)
    return isinstance(call, ast.Call) and call.func is node and isinstance(parents.get(call), ast.Expr)


def _in_body(node: ast.AST, statement: ast.stmt, parents: dict[ast.AST, ast.AST]) -> bool:
    """``node`` sits in the body of ``statement``, a ``def`` (it runs when called, after the ``def`` replaced it)."""
    while node is not statement and node in parents:
        if parents[node] is statement:
            return isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)) and node in statement.body
        node = parents[node]
    return False


def _printed(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    """``node``'s value is only printed or asserted on, at module level: inside ``print(...)`` or an ``assert``,
    through formatting, arithmetic, comparisons, its attributes and methods called with nothing (``x.item()``), and
    builtins that make text or numbers of it; never called, stored or passed to other code. (What its methods could
    store of it is read where they store it: :func:`_read_self_stores`.)"""
    while True:
        parent = parents.get(node)
        if isinstance(parent, ast.Call) and parent.func is node:  # a method of it, with nothing passed (x.item())
            if not (isinstance(node, ast.Attribute) and not parent.args and not parent.keywords):
                return False
        elif isinstance(parent, ast.Call):
            if not (isinstance(parent.func, ast.Name) and parent.func.id in PRINTING):
                return False
            if parent.func.id == "print":
                return isinstance(parents.get(parent), ast.Expr)
        elif isinstance(parent, ast.Assert):
            return True
        elif not isinstance(parent, (ast.FormattedValue, ast.JoinedStr, ast.Tuple, ast.List, ast.BinOp, ast.UnaryOp,
                                     ast.Compare, ast.BoolOp, ast.keyword, ast.Attribute, ast.Subscript, ast.Starred)):
            return False
        node = parent


def _surely_binds(statement: ast.stmt) -> list[str]:
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [statement.name]
    if isinstance(statement, ast.Assign):
        return [name for target in statement.targets for name in _bound_names(target)]
    if isinstance(statement, (ast.Import, ast.ImportFrom)):
        return [name for name, _ in imported(statement)]
    return []


def cannot_raise(statement: ast.stmt) -> bool:
    """A top-level statement that cannot raise: a plain ``def`` (no decorator, annotation or default but
    constants), a constant or a display of them assigned to names, a docstring, ``pass``, an import of torch, numpy or
    math."""
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
        arguments = statement.args
        parameters = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs, arguments.vararg, arguments.kwarg]
        return not statement.decorator_list and statement.returns is None \
            and all(p is None or p.annotation is None for p in parameters) \
            and all(d is None or isinstance(d, ast.Constant) for d in [*arguments.defaults, *arguments.kw_defaults])
    if isinstance(statement, ast.Assign):
        return literal_display(statement.value) and all(isinstance(t, ast.Name) for t in statement.targets)
    if isinstance(statement, ast.Expr):
        return isinstance(statement.value, ast.Constant)
    if isinstance(statement, ast.Import):
        return all(alias.name in SAFE_IMPORTS for alias in statement.names)
    return isinstance(statement, ast.Pass)


def literal_display(node: ast.AST) -> bool:
    """``node`` is a constant, or a list, tuple or set of them (``COEFFS = [8, 3, 6, 5]``), which builds without
    running any other code."""
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return all(literal_display(item) for item in node.elts)
    return isinstance(node, ast.Constant)


def _add_bound(module: Module, bound: Iterable[tuple[str, ast.AST]], local: frozenset[str]) -> None:
    for name, value in bound:
        _add_values(module, [name], [value], local)


def _bound_values(body: list[ast.AST]) -> Iterator[tuple[str, ast.AST]]:
    """(name, what it is bound to) for each binding in a scope's own code other than an assignment or a ``def``:
    ``for NAME in ITER`` (ITER), ``with E as NAME`` (E), ``NAME := V`` (V, also in a comprehension, a default or a
    decorator), ``case NAME`` (the match's subject), ``except E as NAME`` (E). (``NAME += V`` is a store:
    :func:`_read_stores`.)"""
    stack = list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.For, ast.AsyncFor)):
            yield from ((name, node.iter) for name in _bound_names(node.target))
        elif isinstance(node, ast.withitem) and node.optional_vars is not None:
            yield from ((name, node.context_expr) for name in _bound_names(node.optional_vars))
        elif isinstance(node, ast.NamedExpr):
            yield node.target.id, node.value
        elif isinstance(node, ast.Match):
            for case in node.cases:
                yield from ((name, node.subject) for part in walk(case.pattern)
                            if (name := getattr(part, "name", None) or getattr(part, "rest", None)))
        elif isinstance(node, ast.ExceptHandler) and node.name and node.type is not None:
            yield node.name, node.type
        inner = {id(part) for part in _scope_body(node)}
        stack.extend(child for child in children(node) if id(child) not in inner)  # a body is its own scope


def _scope_body(node: ast.AST) -> list[ast.AST]:
    """The body of a ``def``, ``class`` or ``lambda`` (its own scope, run later or apart), as a list; ``[]`` for any
    other node. Its decorators, defaults and annotations run in the scope around it."""
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
        return []
    return node.body if isinstance(node.body, list) else [node.body]


def _global_values(body: list[ast.AST], declared: set[str], module: Module) -> Iterator[tuple[str, ast.AST]]:
    """(name, value) for what a function's own code binds to the ``declared`` (``global``) names: assignments,
    ``def``/``class``, the bindings of :func:`_bound_values`; an import of one is added to ``module.imports``."""
    found: dict[str, list[ast.AST]] = defaultdict(list)
    for node in own_nodes(body):
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                _assigned(target, node.value, found)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found[node.name].append(node)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for name, target in imported(node):
                if name in declared:
                    module.imports[name].append((target, node.lineno))
    for name, value in _bound_values(body):
        found[name].append(value)
    return ((name, value) for name in declared for value in found.get(name, ()))


def _plain_lists(tree: ast.Module, module: Module) -> frozenset[str]:
    """The names that can only be new lists: bound at module level by ``NAME = [...]`` (or ``list(...)``) alone,
    stored to nowhere else (no loop, ``with``, ``global``, ``except … as``, ``case``, import), in a file that does
    not reach its namespace dynamically (``globals()``, ``setattr``, ``exec``, …). None where that cannot be told."""
    stores: collections.Counter[str] = collections.Counter()
    for node in walk(tree):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            stores[node.id] += 1
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            stores.update({name: 2 ** 30 for name in node.names})
        elif isinstance(node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)) and node.name:
            stores[node.name] += 2 ** 30
        elif isinstance(node, ast.Name) and node.id in NAMESPACES + LOOKUPS + ("exec", "eval", "__import__") \
                or isinstance(node, ast.Attribute) and node.attr in ("__dict__", "modules", "__setattr__"):
            return frozenset()
    builtin_list = "list" not in module.bindings and "list" not in module.imports and stores["list"] == 0
    return frozenset(name for name, count in module.assigned.items() if name not in module.imports and stores[name] == count
                     and all(_new_list(value, builtin_list) for value in module.bindings[name][:count]))


def _new_list(value: ast.AST, builtin_list: bool) -> bool:
    """``value`` makes a new list: ``[...]``, a list comprehension, or ``list(...)`` where ``list`` is the builtin."""
    return isinstance(value, (ast.List, ast.ListComp)) or builtin_list and isinstance(value, ast.Call) \
        and isinstance(value.func, ast.Name) and value.func.id == "list"


def _read_stores(tree: ast.Module, module: Module, own: bool = False) -> None:
    """Add what the file stores into a module-level name's object, anywhere, to that name's values (with the
    storing function's locals, :attr:`Module.scopes`): ``TOOLS.update(slope=f)``, ``TOOLS["s"] = f``, ``TOOLS += [f]``,
    also through a local alias (``t = TOOLS; t.append(f)``) and through a function that stores its own argument
    (``register(f)``, ``@register``: :func:`_read_registrations`). ``own``: ``tree`` runs in a namespace of its own
    (a ``%timeit``'s code), whose names are its locals: ``def f`` there, then ``TOOLS["f"] = f`` (red team 34)."""
    definitions: dict[int, dict[str, list[ast.AST]]] = {}  # per function: what it binds its locals to

    def defined(function: ast.AST) -> dict[str, list[ast.AST]]:  # each function's definitions found once
        if id(function) not in definitions:
            definitions[id(function)] = _local_definitions(function)
        return definitions[id(function)]

    registers: dict[str, tuple[set[str], int]] = {}  # module-level function: (the names it stores into, which argument)
    classes, code = _classes(module), _code_names(module)
    code |= {name for name, nodes in module.bindings.items() if any(  # (and objects of its classes: partial(P.slope))
        isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in classes for node in nodes)}
    functions = frozenset(name for name, nodes in module.bindings.items() if nodes and name not in module.imports
                          and all(isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) for node in nodes)) \
        | (DATA_BUILTINS - module.bindings.keys() - module.imports.keys())  # (callees whose result is data)
    for node, local, function in _scoped_nodes(tree, own):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.decorator_list:
            _add_values(module, _decorator_stores(node, local, module), [node], local)
        roots, values = _stored(node, functions)
        _note_attributes(node, module)
        if not roots or not values:
            continue
        if roots & local:
            roots |= _aliased(roots & local, defined(function))
        roots = {root for root in roots - local if root in module.bindings}
        values = [part for value in values for part in _stored_code(value, classes, code)] if roots else []  # not data
        named = {part.id for value in values for part in walk(value) if isinstance(part, ast.Name)} & local
        if named:  # TOOLS.append(f) of a local f: f's definition too
            values += [found for name in named for found in defined(function).get(name, ())]
            _note_register(function, named, roots, registers)
        _add_values(module, roots, values, local)
    if registers:
        _read_registrations(tree, module, registers, classes, code)
    _read_self_stores(tree, module)


def _decorator_stores(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef, local: frozenset[str],
                      module: Module) -> set[str]:
    """The module-level names a decorator of ``node`` may store it into: the roots of a storing method it names, as
    ``@HELPERS.append`` or, wrapped, ``@functools.cache(HELPERS.append)`` (red team 197: the ``def`` was handed to the
    list through the cache's wrapper, and never read)."""
    return {root for decorator in node.decorator_list for part in walk(decorator)
            if isinstance(part, ast.Attribute) and part.attr in STORING
            for root in [_root_name(part.value)] if root in module.bindings and root not in local}


def _classes(module: Module) -> frozenset[str]:
    """The names the file binds to a class of its own."""
    return frozenset(name for name, nodes in module.bindings.items() if any(isinstance(n, ast.ClassDef) for n in nodes))


def _read_self_stores(tree: ast.Module, module: Module) -> None:
    """A method that stores its own object (``STORE.append(self)``) stores its class's code: the class is added."""
    for cls in (node for node in walk(tree) if isinstance(node, ast.ClassDef)):
        for method in cls.body:
            if not isinstance(method, (ast.FunctionDef, ast.AsyncFunctionDef)) or not method.args.args:
                continue
            first = method.args.args[0].arg
            for node in own_nodes(method.body):
                roots, values = _stored(node)
                if any(isinstance(part, ast.Name) and part.id == first for value in values for part in walk(value)):
                    _add_values(module, {root for root in roots if root in module.bindings}, [cls], frozenset())


def _note_attributes(node: ast.AST, module: Module) -> None:
    """What ``o.attr = v`` (or a tuple of such targets, or ``setattr(o, "attr", v)``) sets attribute ``attr`` to."""
    if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)) and node.value is not None:
        for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
            for part in walk(target):
                if isinstance(part, ast.Attribute) and isinstance(part.ctx, ast.Store):
                    value = node.value if part is target or isinstance(node, ast.AugAssign) else _item_of(target, part, node.value)
                    module.attributes[part.attr].append(value)
    elif (attribute := _set_attribute(node)) and isinstance(node, ast.Call):
        module.attributes[attribute].append(node.args[2] if len(node.args) > 2 else node)


def _item_of(target: ast.AST, part: ast.AST, value: ast.AST) -> ast.AST:
    """The value ``part`` of tuple target ``target`` gets from ``value`` (``a.x, a.y = A(), B()``); ``value`` itself
    where it cannot be split."""
    if isinstance(target, (ast.Tuple, ast.List)) and isinstance(value, (ast.Tuple, ast.List)) \
            and len(target.elts) == len(value.elts):
        for item, given in zip(target.elts, value.elts):
            if item is part:
                return given
            if part in walk(item):
                return _item_of(item, part, given)
    return value


def _add_values(module: Module, roots: Iterable[str], values: list[ast.AST], local: frozenset[str]) -> None:
    for root in roots:
        module.bindings[root] += values
    module.scopes.update((id(value), local) for value in values)


def _aliased(names: set[str], definitions: dict[str, list[ast.AST]]) -> set[str]:
    """The names that local ``names`` are aliases of, through any chain of local assignments (``t = TOOLS``,
    ``t = TOOLS["a"]``, ``u = t``); a call's result is no alias."""
    found, todo = set(names), list(names)
    while todo:
        for value in definitions.get(todo.pop(), ()):
            root = _root_name(value) if isinstance(value, (ast.Name, ast.Attribute, ast.Subscript)) else ""
            if root and root not in found:
                found.add(root)
                todo.append(root)
    return found - names


def _note_register(function: ast.AST | None, named: set[str], roots: set[str],
                   registers: dict[str, tuple[set[str], int]]) -> None:
    """Remember a module-level function that stores one of its own arguments into ``roots``."""
    if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return
    parameters = [argument.arg for argument in function.args.posonlyargs + function.args.args]
    for position, parameter in enumerate(parameters):
        if parameter in named:
            stored, _ = registers.get(function.name, (set(), position))
            registers[function.name] = (stored | roots, position)


def _read_registrations(tree: ast.Module, module: Module, registers: dict[str, tuple[set[str], int]],
                        classes: frozenset[str], code: frozenset[str]) -> None:
    """What reaches a storing function's argument is stored too: the definition under ``@register`` and the
    argument of ``register(f)``, anywhere (``classes``, ``code``: the file's, :func:`_stored_code`)."""
    for node, local, _ in _scoped_nodes(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            for decorator in node.decorator_list:
                if isinstance(decorator, ast.Name) and decorator.id in registers:
                    _add_values(module, registers[decorator.id][0], [node], local)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in registers:
            roots, position = registers[node.func.id]
            if position < len(node.args):
                _add_values(module, roots, _stored_code(node.args[position], classes, code), local)


def _stored(node: ast.AST, functions: frozenset[str] | None = None) -> tuple[set[str], list[ast.AST]]:
    """(the names whose objects ``node`` stores into, the values stored); nothing for any other node. ``functions``:
    the callees whose results a store of many items at once takes as data (:func:`_bulk`): the file's own functions
    and the builtins that give data; None: every call but those of :data:`HANDING_ON`. Besides ``D[k] = v`` and
    ``D += v``, a target that unpacks (``D[0], = [f]``), a loop's, a comprehension's or a ``with``'s target
    (``for D[0] in [f]``, ``with nullcontext(f) as D[0]``) stores every item of what it is given (red team 187)."""
    if isinstance(node, ast.Call):
        return _stored_by_call(node, functions)
    if isinstance(node, ast.AugAssign):
        return {_root_name(node.target)} if isinstance(node.target, (ast.Subscript, ast.Attribute, ast.Name)) \
            else set(), _bulk([node.value], functions)
    if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        roots = {_root_name(found) for target in targets for found in _store_targets(target)}
        unpacks = any(isinstance(target, (ast.Tuple, ast.List)) for target in targets)
        return roots, _bulk([node.value], functions) if unpacks else [node.value]
    given = {ast.For: ("target", "iter"), ast.AsyncFor: ("target", "iter"), ast.comprehension: ("target", "iter"),
             ast.withitem: ("optional_vars", "context_expr")}.get(type(node))
    if given and getattr(node, given[0]) is not None:
        roots = {_root_name(found) for found in _store_targets(getattr(node, given[0]))}
        return roots, _bulk([getattr(node, given[1])], functions) if roots else []
    return set(), []


def _store_targets(target: ast.AST) -> list[ast.AST]:
    """The subscripts and attributes a target stores into: ``d[k]``, ``o.a``, also within ``a[0], (b.c, *d[1:])``."""
    if isinstance(target, (ast.Subscript, ast.Attribute)):
        return [target]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [found for item in target.elts for found in _store_targets(item)]
    return _store_targets(target.value) if isinstance(target, ast.Starred) else []


def _bulk(values: list[ast.AST], functions: frozenset[str] | None = None) -> list[ast.AST]:
    """What a store of many items at once may put in the container: every name, attribute and lambda in what it is
    given, however that is built (red team 185: ``HELP.extend(FUNCTIONS.values())``, a generator, ``+= list(…)``; only
    a literal list's items were read), but a call of one of ``functions`` (the file's own, and builtins such as
    ``float``: :data:`DATA_BUILTINS`) or of a tensor's ``.item()``-like method: its result is data
    (``results.update(a=gradients(x))`` stores a gradient). Any other call hands on what builds it, its callee too
    (red team 186: ``sum([[f]], [])``, ``getattr(D, "values")()``, ``islice(…)``, ``(lambda: [f])()``). Without
    ``functions``, only the builtins that hand on what they are given (:data:`HANDING_ON`) do."""
    return [part for value in values for part in _handed_on(value, functions)]


DATA_BUILTINS = frozenset({"float", "int", "bool", "str", "len", "abs", "round", "repr", "ascii", "hash", "id", "ord",
                           "chr", "format", "complex", "bytes", "bin", "hex", "oct", "isinstance", "issubclass",
                           "callable", "hasattr"})  # builtins whose result is data (a number, a string, a bool)
DATA_METHODS = frozenset({"item", "tolist", "numel", "dim", "size"})  # a tensor's, whose result is data
HANDING_ON = frozenset({"list", "tuple", "set", "frozenset", "dict", "sorted", "reversed", "iter", "zip", "enumerate",
                        "filter", "map", "next", "chain", "sum"})  # builtins (itertools' chain) whose result holds what
# they are given


def _handed_on(node: ast.AST, functions: frozenset[str] | None = None) -> list[ast.AST]:
    """The names, attributes and lambdas of ``node`` that its value may hold (:func:`_bulk`)."""
    if isinstance(node, (ast.Name, ast.Attribute, ast.Lambda)):
        return [node]
    if isinstance(node, ast.Call):
        func, given = node.func, [*node.args, *(keyword.value for keyword in node.keywords)]
        if isinstance(func, ast.Attribute) and (functions is None or func.attr not in DATA_METHODS):
            held = _handed_on(func.value, functions)  # (a method's object)
        elif isinstance(func, ast.Attribute):
            held = _made_from(func.value, functions)  # (a data method's: what its object is built from)
        elif functions is None:  # (only the builtins that hand on what they are given)
            held = [] if isinstance(func, ast.Name) and func.id in HANDING_ON else None
        else:  # (any callee but one that gives data)
            held = None if isinstance(func, ast.Name) and func.id in functions else _handed_on(func, functions)
        if held is None:
            return []
        return held + [part for argument in given for part in _handed_on(argument, functions)]
    if isinstance(node, (ast.GeneratorExp, ast.ListComp, ast.SetComp, ast.DictComp)):
        return _comprehended(node, functions)
    return [part for child in children(node) for part in _handed_on(child, functions)]


def _made_from(node: ast.AST, functions: frozenset[str]) -> list[ast.AST]:
    """What an object is built from (:func:`_handed_on`) by the calls along its chain, not the variable it starts from:
    ``X.flatten().tolist()`` is data, ``numpy.array([f], dtype=object).tolist()`` and
    ``SimpleNamespace(tolist=lambda: [f]).tolist()`` hand on ``f`` (red team 187)."""
    parts: list[ast.AST] = []
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        if isinstance(node, ast.Call):
            parts += [part for given in [*node.args, *(keyword.value for keyword in node.keywords)]
                      for part in _handed_on(given, functions)]
        node = node.func if isinstance(node, ast.Call) else node.value
    return parts if isinstance(node, ast.Name) else parts + _handed_on(node, functions)


DATA_ATTRIBUTES = frozenset({"dtype", "shape", "device", "ndim", "layout", "is_leaf", "requires_grad"}) \
    | methods.NAME_ATTRIBUTES  # an item's attributes that are data, not code


def _comprehended(node: ast.AST, functions: frozenset[str] | None) -> list[ast.AST]:
    """What a comprehension's items may hold (:func:`_handed_on`): what its element is made of, and what it loops over
    only where an element holds a loop variable itself, not one of its data attributes (fairness 48:
    ``SUPPORTED.update(t.dtype for t in SAMPLES)`` stores dtypes, not the tensors that ask for gradients)."""
    elements = [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]
    parts = [part for element in elements for part in _handed_on(element, functions)]
    looped = {name.id for generator in node.generators for name in walk(generator.target) if isinstance(name, ast.Name)}
    holds = any(part.id in looped if isinstance(part, ast.Name) else
                isinstance(part, ast.Attribute) and part.attr not in DATA_ATTRIBUTES and _root_name(part) in looped
                for part in parts)
    over = [part for generator in node.generators for part in _handed_on(generator.iter, functions)] if holds else []
    own = [part for part in parts if isinstance(part, ast.Lambda) or _root_name(part) not in looped]  # (a loop
    return own + over  # variable is the comprehension's own: the module's name of it is another object)


def _stored_by_call(call: ast.Call, functions: frozenset[str] | None = None) -> tuple[set[str], list[ast.AST]]:
    """A storing method's call: ``TOOLS.append(f)``; taken from the type, the object its first argument
    (``list.append(TOOLS, f)``, ``dict.update(TOOLS, s=f)``); passed on, what the call passes with it
    (``map(TOOLS.append, [f])``)."""
    values = [*call.args, *(keyword.value for keyword in call.keywords)]
    method = call.func
    if isinstance(method, ast.Attribute) and method.attr in CHILD_STORING:
        return {_root_name(method.value), *map(_root_name, call.args[:1])}, values
    if _setattr_call(call) and len(call.args) == 3:  # setattr(P, "sub", Sub()), as ``P.sub = Sub()``
        return {_root_name(call.args[0])}, call.args[2:]
    if isinstance(method, ast.Attribute) and method.attr in STORING:
        bulk = method.attr in BULK
        if call.args and (len(call.args) > STORING[method.attr] or _root_name(method.value) in CONTAINER_TYPES):
            return {_root_name(call.args[0])}, _bulk(values[1:], functions) if bulk else values[1:]
        return {_root_name(method.value)}, _bulk(values, functions) if bulk else values
    named = method.attr if isinstance(method, ast.Attribute) else getattr(method, "id", "")
    if named in STORING_FUNCTIONS and len(call.args) > STORING_FUNCTIONS[named][0]:  # operator.setitem(D, k, f)
        index, bulk = STORING_FUNCTIONS[named]
        stored = call.args[index:index + 1]
        return {_root_name(call.args[0])}, _bulk(stored, functions) if bulk else stored
    passed = [value for value in values if isinstance(value, ast.Attribute) and value.attr in STORING]
    rest = [value for value in values if value not in passed]
    return {_root_name(value.value) for value in passed}, \
        _bulk(rest, functions) if any(value.attr in BULK for value in passed) else rest


def _bound_names(target: ast.AST) -> list[str]:
    """The names an assignment target binds: ``a``, ``a, (b, *c)``; none for ``d[k]`` or ``o.attr``."""
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [name for item in target.elts for name in _bound_names(item)]
    return _bound_names(target.value) if isinstance(target, ast.Starred) else []


def _stored_code(value: ast.AST, classes: frozenset[str], code: frozenset[str]) -> list[ast.AST]:
    """What in a stored value may be code: names, attributes and lambdas, also inside literal containers, as the
    container an item is taken from, or as an operand of ``and``/``or``/``… if … else …``; a new object of one of the
    file's classes; and what a library call may hold of what it is given (its arguments that are lambdas, new objects
    of the file's classes, or names of the file's code and objects, ``code``: red team 193, ``P.add_module("seq",
    nn.Sequential(Sub()))`` whose ``repr`` ran an unread ``Sub.__repr__``; ``functools.partial(f)``). Any call's
    result is data otherwise (``results["auto"] = gradients(x)[0]`` stores a gradient, not the function; fairness 44
    and 45: an autograd result stored at import is the saved-answers reading's)."""
    if isinstance(value, (ast.Name, ast.Attribute, ast.Lambda)):
        return [value]
    if isinstance(value, ast.Call):
        if isinstance(value.func, ast.Name) and value.func.id in code:
            return [value] if value.func.id in classes else []  # (a new object; what the file's function returns)
        return [part for given in [*value.args, *(keyword.value for keyword in value.keywords)]
                for part in _stored_code(given, classes, code)
                if not isinstance(part, (ast.Name, ast.Attribute)) or _code_root(part, code)]
    if isinstance(value, (ast.GeneratorExp, ast.ListComp, ast.SetComp)):
        return _stored_code(value.elt, classes, code)
    if isinstance(value, ast.DictComp):
        return _stored_code(value.value, classes, code)
    if isinstance(value, ast.IfExp):
        return _stored_code(value.body, classes, code) + _stored_code(value.orelse, classes, code)
    if isinstance(value, ast.BoolOp):
        return [part for operand in value.values for part in _stored_code(operand, classes, code)]
    if isinstance(value, (ast.Tuple, ast.List, ast.Set)):
        return [part for item in value.elts for part in _stored_code(item, classes, code)]
    if isinstance(value, ast.Dict):
        return [part for item in value.values for part in _stored_code(item, classes, code)]
    if isinstance(value, (ast.Starred, ast.Subscript)):
        return _stored_code(value.value, classes, code)  # (an item of a container the file fills: red team 192, KIDS[0])
    return []


def _code_root(part: ast.AST, code: frozenset[str]) -> bool:
    """A name or attribute chain that starts at the file's code or objects (``code``): ``f``, ``P.slope``,
    ``Poly().slope_at`` (red team 195: a bound method of a new object, kept by ``functools.partial``)."""
    while isinstance(part, (ast.Attribute, ast.Subscript, ast.Call)):
        part = part.func if isinstance(part, ast.Call) else part.value
    return isinstance(part, ast.Name) and part.id in code


def _references(value: ast.AST, classes: frozenset[str] = frozenset()) -> list[ast.AST]:
    """What in a stored value may be code: names, attributes and lambdas, also inside literal containers or as the
    container an item is taken from, and a new object of one of the file's ``classes`` (its ``__call__`` runs);
    another call's result is data
    (``results["auto"] = gradients(x)[0]`` stores a gradient, not the function)."""
    if isinstance(value, (ast.Name, ast.Attribute, ast.Lambda)):
        return [value]
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id in classes:
        return [value]
    if isinstance(value, (ast.Tuple, ast.List, ast.Set)):
        return [part for item in value.elts for part in _references(item, classes)]
    if isinstance(value, ast.Dict):
        return [part for item in value.values for part in _references(item, classes)]
    if isinstance(value, (ast.Starred, ast.Subscript)):
        return _references(value.value, classes)  # (an item of a container the file fills: red team 192, KIDS[0])
    return []


def _local_definitions(function: ast.AST) -> dict[str, list[ast.AST]]:
    """The definitions and assigned values of each name bound inside ``function`` (its own and nested ones)."""
    found: dict[str, list[ast.AST]] = defaultdict(list)
    for node in walk(function):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node is not function:
            found[node.name].append(node)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.NamedExpr)) and node.value is not None:
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                _assigned(target, node.value, found)
    return found


# Methods that store their arguments into their object, with how many positional arguments they take bound.
STORING = {"append": 1, "extend": 1, "insert": 2, "update": 1, "setdefault": 2, "add": 1, "__setitem__": 2,
           "appendleft": 1, "extendleft": 1, "__iadd__": 1, "__ior__": 1, "put": 1, "put_nowait": 1,  # (a queue's)
           "set": 1, "set_result": 1, "__init__": 1,  # (a ContextVar's, a Future's, a list's again: red team 189)
           "__setattr__": 2}  # (``nn.Module.__setattr__(P, "sub", Sub())``: red team 192)
BULK = frozenset({"extend", "extendleft", "update", "__iadd__", "__ior__", "__init__"})  # each stores every item given
CHILD_STORING = frozenset({"add_module", "register_module", "set_submodule"})  # nn.Module's: a child module stored into
# the object, whose methods its own run (``repr``, ``train``; red team 192: ``P.add_module("sub", Sub())``), on it or,
# called from the class (``nn.Module.add_module(P, …)``), on its first argument
CONTAINER_TYPES = frozenset({"list", "dict", "set", "deque", "OrderedDict", "defaultdict", "Counter"})
# Functions that store into their first argument: which argument they store (True: every item of it), operator's
# (red team 187), heapq's and bisect's (red team 188: heapq.heappush(HELP, (1, f)))
STORING_FUNCTIONS = {"setitem": (2, False), "iadd": (1, True), "iconcat": (1, True), "ior": (1, True),
                     "heappush": (1, False), "heappushpop": (1, False), "heapreplace": (1, False),
                     "insort": (1, False), "insort_left": (1, False), "insort_right": (1, False)}


def _scoped_nodes(tree: ast.Module, own: bool = False) -> Iterator[tuple[ast.AST, frozenset[str], ast.AST | None]]:
    """Every node, with the names the functions around it bind themselves (their locals) and the outermost of
    those functions (``None`` at module level; with ``own``, ``tree`` itself, a namespace of its own)."""
    stack: list[tuple[ast.AST, frozenset[str], ast.AST | None]] = \
        [(tree, frozenset(local_names(tree)), tree) if own else (tree, frozenset(), None)]
    while stack:
        node, local, function = stack.pop()
        yield node, local, function
        if isinstance(node, SCOPES):
            local, function = local | local_names(node), function or node
        stack.extend((child, local, function) for child in children(node))


def _root_name(node: ast.AST) -> str:
    """The name an attribute or subscript chain starts from (``TOOLS`` of ``TOOLS["a"].b``); ``""`` for anything
    else, a call's result among them (``manual(x).allclose(g)`` stores nothing into ``manual``)."""
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else ""


def module_statements(body: Iterable[ast.stmt]) -> Iterator[ast.stmt]:
    """Statements that run at module level: not inside a function or class body."""
    for statement in body:
        yield statement
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        for child in children(statement):
            if isinstance(child, ast.ExceptHandler):
                yield from module_statements(child.body)
            elif isinstance(child, ast.stmt):
                yield from module_statements([child])


STORES = {ast.For: "a for loop", ast.AsyncFor: "a for loop", ast.With: "a with statement",
          ast.AsyncWith: "a with statement", ast.NamedExpr: "an := expression", ast.AugAssign: "an augmented assignment",
          ast.Delete: "del", ast.ExceptHandler: "an except clause"}
MUTATORS = ("update", "setdefault", "__setitem__", "pop", "clear")  # globals().update(f=...) rebinds names


def rebinding(tree: ast.Module, module: Module, function: str) -> list[Finding]:
    """Ways the name ``function`` may be bound to other code than the definitions the reader reads: bound by
    another statement or from inside a function (``global``), imported, supplied by a module ``__getattr__``,
    or rebound through ``globals()``/``vars()``, ``exec``, ``eval``, ``compile``, ``__import__``, ``importlib``."""
    found = [Finding(f"is imported from {target.lstrip('.')}, not written in the file", line, function, DYNAMIC)
             for target, line in module.imports.get(function, [])]
    read = {id(target) for statement in module_statements(tree.body) if isinstance(statement, (ast.Assign, ast.AnnAssign))
            for target in walk(statement)}  # module-level assignments: module_names reads their values
    main = tree is module.tree  # (or a %timeit's code, read on its own)
    parents = module.parents if main else {child: node for node in walk(tree) for child in children(node)}
    replaced = module.replaced.get(function, -1) if main else -1  # module-level statements above it: what it replaces
    early = {id(node) for top in tree.body[: max(replaced, 0)] for node in walk(top)}
    for node, parent, scope in _walk_scopes(tree):
        if door := _namespace_door(node, parents, module):
            found.append(Finding(f"may be rebound through {door}", getattr(node, "lineno", 0), function, DYNAMIC))
            continue
        binds = scope == () or scope is not None and function in scope  # the module's name, not a local one
        if isinstance(node, ast.Name) and node.id == function and isinstance(node.ctx, (ast.Store, ast.Del)) \
                and binds and id(node) not in read and not (scope == () and id(node) in early):
            how = STORES.get(type(parent), "a statement inside a function (global)" if scope else "a statement")
            found.append(Finding(f"is bound again by {how}", node.lineno, function, DYNAMIC))
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name == function \
                and scope:
            found.append(Finding("is defined again inside a function (global)", node.lineno, function, DYNAMIC))
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == "__getattr__" and scope == ():
            found.append(Finding("may come from the module's __getattr__", node.lineno, function, DYNAMIC))
        elif (attribute := _set_attribute(node)) in (function, *CODE_ATTRIBUTES):
            what = "is set as an attribute" if attribute == function else f"may be given other code ({attribute})"
            found.append(Finding(what, node.lineno, function, DYNAMIC))
        elif isinstance(node, ast.ImportFrom) and (node.module or "") in STUDENT_MODULES:
            continue  # the notebook's own check(), as its test cells call it
        elif isinstance(node, (ast.Import, ast.ImportFrom)) and any(
                target.lstrip(".").split(".")[0] == GRADER_PACKAGE for _, target in imported(node)):
            found.append(Finding(f"imports the grader's own package ({GRADER_PACKAGE}), whose probes call it",
                                 node.lineno, function, DYNAMIC))
        elif isinstance(node, ast.Call) and _timeit_code(node) is not None:  # magics' %timeit: read its code too
            inner = _timeit_code(node)
            found += [Finding(finding.what, node.lineno, function, DYNAMIC) for finding in rebinding(inner, module, function)]
            found += [Finding("may be bound through global in %timeit", node.lineno, function, DYNAMIC)
                      for part in walk(inner) if isinstance(part, (ast.Global, ast.Nonlocal))]
        elif isinstance(node, ast.Call) and _door(node, module) \
                and not (isinstance(parent, ast.Call) and _timeit_code(parent) is not None):
            found.append(Finding(f"may be rebound through {_door(node, module)}", node.lineno, function, DYNAMIC))
    return found


TIMEIT_FILES = ("<%timeit>", "<%%timeit>")
CODE_ATTRIBUTES = ("__code__", "__globals__", "__call__", "__class__", "__closure__", "__wrapped__", "__func__")
STUDENT_MODULES = ("autograd_exercises.notebook",)  # what a student's notebook imports from the grader's package
IMPORT_DOORS = ("import_module", "__import__", "util", "machinery", "exec", "eval", "compile")


def _set_attribute(node: ast.AST) -> str:
    """The attribute name an assignment or ``setattr`` with a literal name sets (``""`` for none)."""
    if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
        return node.attr
    if isinstance(node, ast.Call) and _setattr_call(node) \
            and len(node.args) >= 2 and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str):
        return node.args[1].value
    return ""


def timeit_trees(tree: ast.Module, names: dict[str, set[str]] | None = None) -> list[ast.Module]:
    """The code of each ``%timeit`` in the file (:func:`_timeit_code`), and of each statement given to ``timeit``
    built of literals (:func:`_timer_codes`, every one it may be, ``names``: the file's :attr:`Module.literals`;
    whatever ``timeit`` is: reading more is safe), every node placed at the line of its call."""
    found = []
    for node in walk(tree):
        if not isinstance(node, ast.Call):
            continue
        magic = _timeit_code(node)
        for inner in [magic] if magic is not None else _timer_codes(node, names or {}) or []:
            for part in walk(inner):
                if "lineno" in part._attributes:
                    part.lineno, part.end_lineno = node.lineno, node.end_lineno
            found.append(inner)
    return found


def _timeit_code(node: ast.Call) -> ast.Module | None:
    """The code of ``exec(compile("<code>", "<%timeit>", "exec"), globals(), {})``, how
    :mod:`autograd_exercises.magics` writes ``%timeit`` (run apart, in a namespace of its own); else None."""
    args = node.args
    inner = args[0] if len(args) == 3 and isinstance(node.func, ast.Name) and node.func.id == "exec" else None
    if not (isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name) and inner.func.id == "compile"
            and len(inner.args) == 3 and all(isinstance(arg, ast.Constant) for arg in inner.args)
            and inner.args[1].value in TIMEIT_FILES and isinstance(args[2], ast.Dict) and not args[2].keys):
        return None
    try:
        return ast.parse(inner.args[0].value)
    except (*PARSE_ERRORS, TypeError):  # (a constant that is no string)
        return None


def _walk_scopes(tree: ast.Module) -> Iterator[tuple[ast.AST, ast.AST | None, tuple[str, ...] | None]]:
    """(node, parent, scope) for every node: scope ``()`` at module level, the names a function declares
    ``global`` inside one (a binding there binds the module's name), ``None`` where names are local."""
    stack: list[tuple[ast.AST, ast.AST | None, tuple[str, ...] | None]] = [(tree, None, ())]
    while stack:
        node, parent, scope = stack.pop()
        yield node, parent, scope
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):  # a class body too
            body = _scope_body(node)
            declared = tuple(name for inner in own_nodes(body) if isinstance(inner, ast.Global) for name in inner.names)
            inner: tuple[str, ...] | None = declared or None  # defaults, annotations, decorators: the outer scope's
            parts = {id(part) for part in body}
            stack.extend((child, node, inner if id(child) in parts else scope) for child in children(node))
        else:  # a comprehension's := binds the scope around it (its own loop names are over-read as that scope's)
            stack.extend((child, node, scope) for child in children(node))


def _door(node: ast.Call, module: Module) -> str:
    """What a call may rebind the module's names through ("" for nothing): ``globals().update(...)``, ``exec``…"""
    func = node.func
    if isinstance(func, ast.Attribute) and func.attr in MUTATORS and isinstance(func.value, ast.Call) \
            and isinstance(func.value.func, ast.Name) and func.value.func.id in ("globals", "vars"):
        return f"{func.value.func.id}().{func.attr}"
    name = func.id if isinstance(func, ast.Name) else ""
    if name in ("exec", "eval", "compile", "__import__") and name not in module.bindings:
        return name
    chain = _chain(func).split(".") if isinstance(func, ast.Attribute) else [""]
    doors = [target for target, _ in module.imports.get(chain[0], []) if target.split(".")[0] in ("importlib", "builtins")]
    opens = any(part in IMPORT_DOORS for part in chain[1:] + [target.split(".")[-1] for target in doors])
    return ".".join(chain) if doors and opens else ""


READ_ONLY = ("get", "keys", "values", "items", "copy", "__contains__", "__getitem__", "__len__", "__iter__")
READING_CALLS = ("len", "list", "sorted", "dict", "set", "tuple", "print", "repr", "str", "iter", "any", "all")
MODULE_OBJECTS = {"f_globals": "a frame's f_globals", "f_locals": "a frame's f_locals",
                  "__globals__": "a function's __globals__", "getmodule": "inspect.getmodule",
                  **{name: f"the garbage collector (gc.{name})" for name in ("get_objects", "get_referrers", "get_referents")}}
OWN_MODULE = re.compile(r"(__main__|exercise_\d+)(\.|$)")  # the submission's own module, as its child names it


def _namespace_door(node: ast.AST, parents: dict[ast.AST, ast.AST], module: Module) -> str:
    """What ``node`` may reach the module's namespace through, to change it ("" for nothing): ``globals()``,
    ``locals()`` or ``vars()`` used other than to read (``g = globals`` or ``globals()["f"] = h``, where
    ``"f" in globals()`` and ``globals().get("f")`` only read); the module object or its dict (``sys.modules``, a
    function's ``__globals__``, a frame's ``f_globals``, ``inspect.getmodule``, the garbage collector, an import of
    the submission's own module); a ``getattr``/``setattr``/``delattr`` whose name is computed, on other than
    ``self`` or ``cls``."""
    if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id not in module.bindings:
        origin = [target for target, _ in module.imports.get(node.id, [])]
        if not origin and node.id in NAMESPACES:
            call = parents.get(node)
            if not (isinstance(call, ast.Call) and call.func is node):
                return f"{node.id} (passed around)"
            # vars(torch)[...] = f writes torch's namespace; vars(args) of one of the file's objects is its own
            objects = call.args and _root_name(call.args[0]) not in ("", *module.imports)
            return "" if objects or _reads_only(call, parents) or _timed_with(call, parents, module) else f"{node.id}()"
        if any(target in ("sys.modules", "inspect.getmodule") or target.startswith("gc.") for target in origin):
            return origin[0]
        if not origin and node.id in ("setattr", "delattr") and _computed_lookup(parents.get(node), node, module):
            return f"{node.id} with a computed name"
    elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load):
        if node.attr in MODULE_OBJECTS:
            return MODULE_OBJECTS[node.attr]
        called = isinstance(parents.get(node), ast.Call) and parents[node].func is node
        if node.attr == "modules" and not called and not modules_asked(node, parents.get):
            return "sys.modules"  # however sys was reached (nn.Module.modules() is called)
        if node.attr == "__dict__" and _root_name(node.value) not in ("self", "cls") and not _reads_only(node, parents):
            return "__dict__"  # (print(layer.__dict__) only reads it)
    elif isinstance(node, (ast.Import, ast.ImportFrom)):
        own = [target for _, target in imported(node) if OWN_MODULE.match(target.lstrip("."))]
        return f"an import of the submission's own module ({own[0]})" if own else ""
    return ""


def modules_asked(node: ast.AST, parent_of: Callable[[ast.AST], ast.AST | None]) -> bool:
    """``sys.modules`` (``node``) is only asked whether it holds a module: ``"google.colab" in sys.modules``, or
    ``sys.modules.get("google.colab") is None`` (a literal name, the answer only compared with ``None``)."""
    parent = parent_of(node)
    if isinstance(parent, ast.Compare):
        return node in parent.comparators and all(isinstance(op, (ast.In, ast.NotIn)) for op in parent.ops)
    call = parent_of(parent) if isinstance(parent, ast.Attribute) and parent.attr == "get" else None
    if not (isinstance(call, ast.Call) and call.func is parent and len(call.args) == 1 and not call.keywords
            and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str)):
        return False
    compare = parent_of(call)
    return isinstance(compare, ast.Compare) and compare.left is call and len(compare.ops) == 1 \
        and isinstance(compare.ops[0], (ast.Is, ast.IsNot)) and _is_none(compare.comparators[0])


def _is_none(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _timed_with(call: ast.AST, parents: dict[ast.AST, ast.AST], module: Module) -> bool:
    """``globals()`` is what timeit runs a literal statement with (``timeit.timeit("f(x)", globals=globals())``, the
    idiom for timing a function): timeit runs it inside a function of its own, so it binds no module-level name
    unless it says ``global``; what it changes in the module's objects is read as a ``%timeit``'s is
    (:func:`timeit_trees`). ``timeit`` must be the standard library's, by an import the file never rebinds."""
    keyword, timer = parents.get(call), parents.get(parents.get(call))
    if not (isinstance(keyword, ast.keyword) and keyword.arg == "globals" and isinstance(timer, ast.Call)):
        return False
    func = timer.func
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.attr in TIMERS:
        root, wanted = func.value.id, "timeit"
    elif isinstance(func, ast.Name) and func.id in TIMERS:
        root, wanted = func.id, f"timeit.{func.id}"
    else:
        return False
    targets = {target for target, _ in module.imports.get(root, [])}
    codes = _timer_codes(timer, module.literals)
    return targets == {wanted} and root not in module.bindings and bool(codes) \
        and not any(isinstance(node, (ast.Global, ast.Nonlocal)) for code in codes for node in walk(code))


def _timer_codes(node: ast.Call, names: dict[str, set[str]]) -> list[ast.Module] | None:
    """Each code a ``timeit``/``repeat``/``Timer`` call named so may run: its set-up and statement, each a string built
    of literals (``names``: the file's :attr:`Module.literals`), every pair of strings they may be, parsed; None where
    either is built otherwise (the doors reading refuses that) or one does not parse."""
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    if name not in TIMERS:
        return None
    given = {keyword.arg: keyword.value for keyword in node.keywords}
    parts = [node.args[0] if node.args else given.get("stmt"), node.args[1] if len(node.args) > 1 else given.get("setup")]
    texts = [literals.string_values(part, names) for part in parts if part is not None]
    if not texts or any(not text for text in texts) or math.prod(map(len, texts)) > literals.MAX_VARIANTS:
        return None
    try:
        return [ast.parse("\n".join(pair)) for pair in itertools.product(*texts)]
    except PARSE_ERRORS:
        return None


def _reads_only(call: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    """``globals()`` (or ``locals()``, ``vars()``, an ``o.__dict__``) is read here, never kept or written:
    ``name in globals()``, ``globals()[name]``, ``globals().get(name)``, ``len(globals())``, ``print(o.__dict__)``,
    ``for name in globals()``."""
    parent = parents.get(call)
    if isinstance(parent, ast.Subscript):
        return parent.value is call and isinstance(parent.ctx, ast.Load)
    if isinstance(parent, ast.Attribute):
        return parent.attr in READ_ONLY
    if isinstance(parent, ast.Compare):
        return call in parent.comparators and all(isinstance(op, (ast.In, ast.NotIn)) for op in parent.ops)
    if isinstance(parent, ast.Call):  # (magics' %timeit runs its code with globals(): read as its own, rebinding())
        return isinstance(parent.func, ast.Name) and parent.func.id in READING_CALLS or _timeit_code(parent) is not None
    return isinstance(parent, (ast.For, ast.AsyncFor, ast.comprehension)) and parent.iter is call


def _computed_lookup(call: ast.AST | None, func: ast.Name, module: Module) -> bool:
    """``getattr(o, name)`` (``setattr``, ``delattr``) that may reach the module's namespace: a name that is not a
    string literal, on other than ``self``, ``cls`` or a module the file imports from a library (``getattr(F, act)``);
    or a literal name of :data:`MODULE_OBJECTS`, ``modules``, ``__dict__`` or ``sys``."""
    if not (isinstance(call, ast.Call) and call.func is func):
        return False
    if len(call.args) < 2:
        return True  # unpacked arguments
    owner, name = call.args[0], call.args[1]
    if isinstance(name, ast.Constant) and isinstance(name.value, str):
        return name.value in (*MODULE_OBJECTS, "modules", "__dict__", "sys")
    root = _root_name(owner)
    library = [target for target, _ in module.imports.get(root, [])]
    if isinstance(owner, ast.Name) and owner.id in module.own_data:
        return False  # setattr(config, key, value) on an object of the file's own data
    return root not in ("self", "cls") and not (library and not any(
        target.split(".")[0] in ("sys", "gc", "inspect", "builtins", "importlib") for target in library))


def patches(tree: ast.Module, module: Module) -> list[tuple[str, ast.AST]]:
    """What the submission sets on an imported module or its classes, or on an object's class, anywhere:
    ``torch.Tensor.slope = f``, ``setattr(torch.Tensor, "slope", f)``, ``x.__class__.slope = f``; as
    (``"torch.Tensor.slope"``, the value); and every class that overrides torch's calls (``__torch_function__``, a
    ``TorchFunctionMode``). A by-hand function reaches them without naming them (``x.slope()``).
    A ``%timeit`` cell that patches anything is given whole (``"%timeit"``, its code)."""
    found = []
    installers = module.installers if tree is module.tree else _installers(tree)  # (or a %timeit's code)
    for node in walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in installers \
                and id(node) not in module.installed:  # (on the file's own objects: _read_installed)
            found += [(f"{node.func.id}(…)", part) for part in _installed(node, module)]
        if isinstance(node, (ast.Assign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            stored = [leaf for target in targets for leaf in walk(target) if isinstance(leaf, ast.Attribute)
                      and isinstance(leaf.ctx, ast.Store)]  # also inside `a.b, c.d = ...`
            found += [(_chain(target), node.value) for target in stored if _patched(target, module)]
        elif isinstance(node, ast.Call) and _setattr_call(node) \
                and len(node.args) == 3 and (_patched(node.args[0], module) or isinstance(node.args[0], ast.Name)
                                             and node.args[0].id in module.imports):
            found.append((_chain(node.args[0]) + ".?", node.args[2]))
        elif isinstance(node, ast.ClassDef) and _overrides_torch(node):
            found.append((node.name, node))  # its methods answer every torch call while it is in force
        elif isinstance(node, ast.Call) and (inner := _timeit_code(node)) is not None and patches(inner, module):
            found.append(("%timeit", inner))  # what it patches may be defined there, not in the module: read it all
    return found


OVERRIDES = ("__torch_function__", "__torch_dispatch__", "TorchFunctionMode", "TorchDispatchMode")


def _installers(tree: ast.Module) -> dict[str, list[tuple[int, str]]]:
    """Functions that set an attribute of one parameter from another (``def install(cls, f): cls.slope = f``, or
    through ``setattr``): what a call passes them may be set on any class, a torch class among them. Per function,
    the (position, name) of each parameter whose attribute it sets."""
    found: dict[str, list[tuple[int, str]]] = {}
    for function in (node for node in walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))):
        arguments = function.args
        order = [a.arg for a in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]]
        parameters = set(order) - {"self"}
        for node in own_nodes(function.body):
            if isinstance(node, ast.Assign):
                owners = [_root_name(t) for t in node.targets if isinstance(t, ast.Attribute)]
                value = node.value
            elif isinstance(node, ast.Call) and _setattr_call(node) and len(node.args) == 3:
                owners, value = [_root_name(node.args[0])], node.args[2]
            else:
                continue
            given = {part.id for part in walk(value) if isinstance(part, ast.Name)}
            if set(owners) & parameters and given & parameters:
                found.setdefault(function.name, []).extend(
                    (order.index(owner), owner) for owner in set(owners) & parameters)
    return found


def _installed(call: ast.Call, module: Module) -> list[ast.AST]:
    """What a call to an installer passes that may be code: lambdas, attributes, the file's functions and classes,
    also inside what a library call holds (:func:`_stored_code`: ``attach(net, functools.partial(f))``)."""
    code = _code_names(module)
    return [part for argument in [*call.args, *(keyword.value for keyword in call.keywords)]
            for part in _stored_code(argument, _classes(module), code)
            if not isinstance(part, ast.Name) or part.id in code]


def _read_installed(tree: ast.Module, module: Module) -> None:
    """``attach(net, f)`` of an installer on one of the file's own objects sets ``f`` on ``net``: added to what
    ``net`` holds, as a store (read where the by-hand function reaches ``net``); on anything else, a patch."""
    installers = module.installers = _installers(tree)
    classes = _classes(module)
    calls = [node for node in walk(tree) if installers and isinstance(node, ast.Call)
             and isinstance(node.func, ast.Name) and node.func.id in installers
             and _own_objects(node, installers[node.func.id], module, classes)]
    for node in calls:  # (decided before any is added: what an object holds then is no longer only itself)
        owners = {_owner(node, position, name).id for position, name in installers[node.func.id]}
        _add_values(module, owners, _installed(node, module), frozenset())
        module.installed.add(id(node))


def _owner(call: ast.Call, position: int, name: str) -> ast.AST | None:
    return call.args[position] if position < len(call.args) else \
        next((keyword.value for keyword in call.keywords if keyword.arg == name), None)


def _own_objects(call: ast.Call, owners: list[tuple[int, str]], module: Module, classes: frozenset[str]) -> bool:
    """Every object whose attribute the installer sets here is one the file made from its own ``classes``
    (``net = Net()``; ``attach(net, loss_fn)`` sets nothing on torch)."""
    given = [_owner(call, position, name) for position, name in owners]
    return all(isinstance(arg, ast.Name) and module.bindings.get(arg.id) and all(
        isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id in classes
        for value in module.bindings[arg.id]) for arg in given)


def _code_names(module: Module) -> frozenset[str]:
    """The names the file binds to code of its own: a ``def``, a ``class`` or a ``lambda``."""
    return frozenset(name for name, nodes in module.bindings.items()
                     if any(isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda))
                            for n in nodes))


def _overrides_torch(node: ast.ClassDef) -> bool:
    """A class that answers torch's calls (``__torch_function__``, a ``TorchFunctionMode``, …) for any tensor."""
    methods = {item.name for item in node.body if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))}
    bases = {_chain(base).split(".")[-1] for base in node.bases}
    return bool((methods | bases) & set(OVERRIDES))


def _setattr_call(node: ast.Call) -> bool:
    """``setattr(o, name, v)``, or the same through ``type.__setattr__``/``object.__setattr__``."""
    return isinstance(node.func, ast.Name) and node.func.id == "setattr" \
        or isinstance(node.func, ast.Attribute) and node.func.attr == "__setattr__" and len(node.args) == 3


def _patched(target: ast.AST, module: Module) -> bool:
    """Whether setting the attribute ``target`` may change an imported module or a class: its chain starts at an
    imported name or a name for one (``T = torch.Tensor``), at one of the file's classes (whose ``backward`` a
    hand-written layer may call), or at a call or subscript (``type(t).f``, ``sys.modules[name].f``), or passes
    through ``__class__``."""
    chain = _chain(target).split(".")
    own_class = any(isinstance(node, ast.ClassDef) for node in module.bindings.get(chain[0], ()))
    alias = any(_chain(part).split(".")[0] in module.imports for node in module.bindings.get(chain[0], ())
                for part in _references(node) if isinstance(part, (ast.Name, ast.Attribute)))
    # T = torch.Tensor, for T in [torch.Tensor]: a name for an imported class
    return isinstance(target, ast.Attribute) and (chain[0] in module.imports or chain[0] == "?" or own_class
                                                  or alias or "__class__" in chain)


def imported(statement: ast.Import | ast.ImportFrom) -> list[tuple[str, str]]:
    """(bound name, dotted target) of each alias: ``import a.b`` binds ``a``; ``from a import b as c``, ``c`` → ``a.b``."""
    if isinstance(statement, ast.Import):
        return [(alias.asname, alias.name) if alias.asname else (alias.name.split(".")[0], alias.name.split(".")[0])
                for alias in statement.names]
    base = "." * statement.level + (statement.module or "")
    return [(alias.asname or alias.name, f"{base}.{alias.name}") for alias in statement.names]


def forbidden_module(dotted: str) -> int | None:
    """The rank of an imported module or name that is autograd, or a door to dynamic lookups; else ``None``.

    ``from torch.autograd import no_grad`` only switches tracking off: it is fine.
    """
    parts = dotted.lstrip(".").split(".")
    if parts[-1] in HARMLESS:
        return None
    ranks = [ATTRIBUTES[part][1] for part in parts if part in ATTRIBUTES]
    ranks += [ROOTED[pair][1] for index, pair in enumerate(zip(parts, parts[1:]))
              if pair in ROOTED and not (pair == ("torch", "func") and set(parts[index + 2:index + 3]) & BATCHING)]
    ranks += [DYNAMIC] if parts[0] in (*LOADERS, *UNPICKLERS) else []
    ranks += [DIFFERENTIATES] if parts[0] in DIFFERENTIATORS else []
    return min(ranks) if ranks else None


LIBRARY = ", a library that differentiates ("  # how a finding names an import of one (:func:`named`)


def named(target: str) -> str:
    """An imported module or name as a finding names it: "sympy.diff, a library that differentiates (sympy)"."""
    library = target.lstrip(".").split(".")[0]
    return target.lstrip(".") + (f"{LIBRARY}{library})" if library in DIFFERENTIATORS else "")


OTHER_DERIVATIVES = frozenset([*(ATTRIBUTES[name][0] for name in (*POLYNOMIAL, *KERNEL_NAMES)), KERNELS[0], NUMERICAL[0],
                               JACOBIAN[0]])
# (numpy's, torch's kernels and scipy's, by what a finding says: none is autograd's engine, TopLevelOff stops none)


def torch_autograd(finding: Finding) -> bool:
    """``finding`` is a use of torch's own autograd (its engine, graph, functorch, forward mode, ``torch.func``), not of
    a library that differentiates (sympy) nor of numpy's derivatives of polynomials: what the sandbox's run of the top
    level with autograd off (``sandbox.observe.TopLevelOff``) leaves nothing of in a by-hand call's process."""
    return finding.rank == DIFFERENTIATES and LIBRARY not in finding.what and finding.what not in OTHER_DERIVATIVES


def foreign_module(target: str, module: Module) -> str:
    """Why the code of imported ``target`` may not be the library's (``""`` when it is): a module the sandbox does not
    have (one the submission writes at run time, then imports), or any module but torch and numpy where the file
    changes where Python imports from (``sys.path.insert(0, ".")`` puts a written ``colorsys.py`` first)."""
    top = target.split(".")[0]
    if not top or not installed(top):
        return "which is not installed where submissions are graded: its code is not in the file"
    if module.import_path and top not in ALWAYS_IMPORTED and top not in sys.builtin_module_names:
        return f"imported where the file changes where Python imports from (line {module.import_path})"
    return ""


@functools.lru_cache(maxsize=None)
def installed(top: str) -> bool:
    """Whether the sandbox can import top-level module ``top`` from what is installed: the standard library or
    ``site-packages`` (bound read-only into the sandbox), never from a folder a submission can write."""
    if top in sys.stdlib_module_names or top in sys.builtin_module_names:
        return True
    places = [place for place in site.getsitepackages() if os.path.isdir(place)]
    try:
        return importlib.machinery.PathFinder.find_spec(top, places) is not None
    except (ImportError, ValueError, OSError):
        return False


PATH_PARTS = ("path", "meta_path", "path_hooks", "path_importer_cache")


def import_path_change(tree: ast.Module, imports: dict[str, list[tuple[str, int]]]) -> int:
    """The first line that names where Python imports modules from (``sys.path``, ``sys.meta_path``,
    ``sys.path_hooks``, ``site.addsitedir``), however ``sys`` was reached; 0 for none."""
    lines = []
    for node in walk(tree):
        if isinstance(node, ast.Attribute) and (node.attr == "addsitedir" or node.attr in PATH_PARTS[1:]
                                                or node.attr == "path" and _is_sys(node.value, imports)):
            lines.append(node.lineno)
        elif isinstance(node, ast.ImportFrom) and node.module in ("sys", "site") and any(
                alias.name in (*PATH_PARTS, "addsitedir", "*") for alias in node.names):
            lines.append(node.lineno)
    return min(lines, default=0)


def _is_sys(owner: ast.AST, imports: dict[str, list[tuple[str, int]]]) -> bool:
    """``owner`` is the sys module: a name imported as it, or an attribute ``….sys`` (``torch.sys``)."""
    if isinstance(owner, ast.Attribute):
        return owner.attr == "sys"
    return isinstance(owner, ast.Name) and any(target == "sys" for target, _ in imports.get(owner.id, []))


DISPATCH_MODULES = ("library", "_library", "_custom_op", "_custom_ops", "_ops", "_python_dispatch")
REGISTERS = ("py_impl", "py_kernels", "register_kernel", "register_autograd", "register_fake", "impl_abstract",
             "register_torch_dispatch", "register_vmap", "custom_op", "triton_op", "Library")


def dispatch_overrides(tree: ast.Module, module: Module, function: str) -> list[Finding]:
    """Kernels the file registers for torch's operators (``torch.library.Library("aten", "IMPL").impl(…)``,
    ``custom_op``, an operator's ``py_impl``, the dispatcher's own ``torch._C._dispatch_…``): a by-hand function
    that calls ``torch.nan_to_num`` may then run any code, autograd included, with no name in sight."""
    found = []
    for node in walk(tree):
        what = ""
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            what = next((target.lstrip(".") for _, target in imported(node) if _dispatcher(target.lstrip("."))), "")
        elif isinstance(node, ast.Attribute):
            chain = _chain(node)
            root = chain.split(".")[0]
            dotted = [target + chain[len(root):] for target, _ in module.imports.get(root, [])] or [chain]
            if node.attr in REGISTERS or any(_dispatcher(name) for name in dotted):
                what = chain
        if what:
            found.append(Finding(f"changes what torch's operators run ({what}), so any torch call may run other "
                                 "code", node.lineno, function, DYNAMIC))
    return found


def _dispatcher(dotted: str) -> bool:
    """``dotted`` (``torch.library.impl``, ``torch._C._dispatch_library``) is a part of torch's dispatcher."""
    parts = dotted.split(".")
    return parts[0] == "torch" and any(part in DISPATCH_MODULES or "dispatch" in part for part in parts[1:])


def _is_false(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and node.value in (False, 0, None)


class Reader:
    """Reads one module-level binding: its findings, and the module-level names it reaches."""

    def __init__(self, module: Module, owner: str, root: ast.AST, skip: frozenset[int] = frozenset()) -> None:
        self.module, self.owner, self.root = module, owner, root  # (``skip``: ids of parts of root not to read)
        self.parents = {child: parent for parent in walk(root, skip) for child in children(parent)
                        if id(child) not in skip}
        self.locals: dict[ast.AST, set[str]] = {}
        self.bodies: dict[ast.AST, set[int]] = {}  # a scope's body statements (ids): :meth:`runs_inside`
        self.outer = module.scopes.get(id(root), frozenset())  # a value stored from inside a function: its locals
        self._values: dict[str, list[ast.AST]] | None = None  # own_layer's, read once: what each local name is bound to
        self._into: dict[str, list[ast.AST]] = {}  # and what is stored into each local name's object
        self._layer_owners: dict[str, bool] = {}  # own_layer's answers, per name or ".attribute"
        self.findings: list[Finding] = []
        self.reached: list[str] = []
        for node in walk(root, skip):
            handler = getattr(self, f"read_{type(node).__name__}", None)
            if handler is not None:
                handler(node)

    def found(self, node: ast.AST, what: str, rank: int, imported: tuple[str, int] | None = None,
              flag: str | None = None) -> None:
        advice = ESTIMATES if what in ESTIMATED else ""
        self.findings.append(Finding(what, getattr(node, "lineno", 0), self.owner, rank, imported, flag=flag,
                                     advice=advice))

    def read_Constant(self, node: ast.Constant) -> None:
        if type(node.value) is complex:  # 1e-20j
            self.found(node, COMPLEX_STEP, DIFFERENTIATES)

    def read_BinOp(self, node: ast.BinOp) -> None:
        if isinstance(node.op, ast.Div) and steps.number(node) is None and self.small_step(node.right):  # (f(x + h)
            # - f(x - h)) / (2 * h); a number written with numbers alone (1e-6 / 1e-9) divides nothing
            self.found(node, FINITE_DIFFERENCE, DIFFERENTIATES)

    def read_AugAssign(self, node: ast.AugAssign) -> None:
        if isinstance(node.op, ast.Div) and self.small_step(node.value):  # g /= h
            self.found(node, FINITE_DIFFERENCE, DIFFERENTIATES)

    def small_step(self, node: ast.AST) -> bool:
        """``node`` is a finite difference's step (:func:`.steps.is_step`)."""
        return steps.is_step(node, self.step_names)

    @cached_property
    def step_names(self) -> frozenset[str]:
        """The names bound to a step where the code read sees them (:func:`.steps.step_names`)."""
        return steps.step_names(self.root, self.module.tree.body if self.module.tree is not None else [])

    def flag(self, value: ast.AST | None) -> str | None:
        """``value`` is a parameter of the module-level function read, which it never binds again: what it asks for
        gradients with then depends on its callers (:func:`_flags_off`)."""
        root = self.root
        if not (isinstance(value, ast.Name) and isinstance(root, (ast.FunctionDef, ast.AsyncFunctionDef))
                and root.name == self.owner):
            return None
        arguments = root.args
        if value.id not in {arg.arg for arg in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]}:
            return None
        return None if value.id in methods.bound_in(root.body) else value.id

    def read_Attribute(self, node: ast.Attribute) -> None:
        parent = self.parents.get(node)
        if node.attr == "inference_mode" and isinstance(node.ctx, ast.Load):
            self.inference_mode(node)
        if node.attr in LOOKUPS and isinstance(node.ctx, ast.Load) and not (
                isinstance(parent, ast.Call) and parent.func is node):  # pick = operator.attrgetter
            self.found(node, f"passes {node.attr} around (a lookup no reading can follow)", DYNAMIC)
        if isinstance(node.ctx, ast.Store):
            if node.attr == "requires_grad" and isinstance(parent, ast.Assign) and not _is_false(parent.value) \
                    and not self.made_at_import(node, None):
                self.found(node, "asks for gradients (requires_grad = True)", TRACKS, flag=self.flag(parent.value))
            return
        if isinstance(node.value, ast.Call) and self.namespace_call(node.value):
            self.found(node, f"reads {node.value.func.id}() by name", DYNAMIC)
        self.attribute_named(node, node.attr, node.value)

    def attribute_named(self, node: ast.AST, attr: str, owner: ast.AST | None) -> None:
        """A use of attribute ``attr`` of ``owner`` (an ``a.b`` expression or a ``getattr`` with a literal name)."""
        if attr == "requires_grad_" and self.called_with_false(node):
            return
        call = self.parents.get(node)
        if attr in ("requires_grad_", "Parameter") and isinstance(call, ast.Call) and call.func is node \
                and self.made_at_import(call, node if attr == "Parameter" else None):
            return  # (``W = torch.ones(3).requires_grad_()``, ``P = nn.Parameter(c)``: a tensor the function only reads)
        if attr == "requires_grad_" and isinstance(call, ast.Call) and call.func is node and len(call.args) == 1 \
                and not call.keywords and (flag := self.flag(call.args[0])):
            self.found(node, *ATTRIBUTES[attr], flag=flag)  # requires_grad_(track): as its callers pass track
            return
        if attr in ("autograd", "_autograd") and self.chain_above(node) & HARMLESS:
            return
        if attr == "backward" and self.own_layer(owner):
            return
        if attr in (*ASKED, *POLYNOMIAL, *KERNEL_NAMES, "log_abs_det_jacobian") and owner is not None \
                and (attr in self.module.own_attributes or attr in self.module.attributes) and not self.library_held(owner):
            return  # layer.vjp(delta), stage.jacobian, poly.deriv(): the file's own (torch's and numpy's are functions
            # of modules it must name, or methods of their classes)
        if attr in ATTRIBUTES:
            self.found(node, *ATTRIBUTES[attr])
        root = self.dotted(owner).split(".")[-1] if owner is not None else ""
        above = self.parents.get(node)
        if (root, attr) == ("torch", "func") and isinstance(above, ast.Attribute) and above.attr in BATCHING:
            return  # torch.func.vmap batches, it does not differentiate (torch.vmap is the same function)
        if ROOTED.get((root, attr)) in (KERNELS, NUMERICAL, GRADIENTS) and owner is not None \
                and not self.library_held(owner):
            return  # the file's own ``functional.grad`` (red team 220: a class of its own named so lost the point)
        if (root, attr) in ROOTED and not ((root, attr) == ("sys", "modules") and modules_asked(node, self.parents.get)):
            self.found(node, *ROOTED[(root, attr)])  # ("google.colab" in sys.modules only asks: fairness 15)
        elif attr == "func" and isinstance(above, ast.Attribute) and above.attr in TRANSFORMS:
            self.found(node, *ROOTED[("torch", "func")])  # whatever holds torch (red team 83: ns["torch"].func.grad)

    def read_MatchClass(self, node: ast.MatchClass) -> None:
        """``case C(grad_fn=n)`` reads ``subject.grad_fn``; ``case C(n)`` reads what ``C.__match_args__`` names."""
        for attr in node.kwd_attrs:
            self.attribute_named(node, attr, None)
        if node.patterns and not (isinstance(node.cls, ast.Name) and node.cls.id in SELF_MATCHING
                                  and node.cls.id not in self.module.bindings):
            self.found(node, "matches attributes by position (__match_args__, which no reading follows)", DYNAMIC)

    def read_Name(self, node: ast.Name) -> None:
        if not isinstance(node.ctx, ast.Load) or self.is_local(node):
            return
        if any(target.rsplit(".", 1)[-1] == "inference_mode" for target, _ in self.module.imports.get(node.id, [])):
            self.inference_mode(node)
        call = self.parents.get(node)
        made = isinstance(call, ast.Call) and call.func is node and any(
            target.rsplit(".", 1)[-1] == "Parameter" for target, _ in self.module.imports.get(node.id, [])) \
            and self.made_at_import(call, node)
        for target, line in self.module.imports.get(node.id, []):
            rank = forbidden_module(target)
            if made and target.rsplit(".", 1)[-1] == "Parameter":
                continue  # (``P = Parameter(c)`` after ``from torch.nn import Parameter``: see made_at_import)
            if rank is not None:
                self.found(node, f"uses {named(target)}", rank, (node.id, line))
            elif (foreign := foreign_module(target, self.module)):
                self.found(node, f"uses {target.lstrip('.')}, {foreign}", DYNAMIC, (node.id, line))
        if node.id in self.module.bindings:
            if not self.appended_to(node):
                self.reached.append(node.id)
        elif node.id not in self.module.imports and node.id in NAMES and not self.magic_exec(node):
            self.found(node, *NAMES[node.id])
        elif node.id not in self.module.imports and node.id in LOOKUPS + NAMESPACES and not (
                isinstance(self.parents.get(node), ast.Call) and self.parents[node].func is node):
            self.found(node, f"passes {node.id} around (a lookup no reading can follow)", DYNAMIC)
        if (lookup := self.imported_lookup(node)) and not (
                isinstance(self.parents.get(node), ast.Call) and self.parents[node].func is node):
            self.found(node, f"passes {lookup} around (a lookup no reading can follow)", DYNAMIC)

    def magic_exec(self, node: ast.Name) -> bool:
        """``node`` is the ``exec`` or ``compile`` of the code :mod:`autograd_exercises.magics` writes for a ``%timeit``
        (its code, a literal, is read as the top level's own: :func:`timeit_trees`)."""
        call = self.parents.get(node)
        outer = self.parents.get(call) if node.id == "compile" else call
        return isinstance(call, ast.Call) and call.func is node and isinstance(outer, ast.Call) \
            and _timeit_code(outer) is not None

    def imported_lookup(self, node: ast.Name) -> str:
        """The lookup (``attrgetter``…) an imported name is, under any name (``from operator import attrgetter as
        pick``); ``""`` for none."""
        if self.is_local(node):
            return ""
        return next((target.rsplit(".", 1)[-1] for target, _ in self.module.imports.get(node.id, [])
                     if target.rsplit(".", 1)[-1] in LOOKUPS), "")

    def appended_to(self, node: ast.Name) -> bool:
        """``node`` is a plain list that code only adds to here (``LOG.append(v)``, ``LOG[i] = v``): a list runs nothing
        it holds then, so what it holds is not read from here (what is added is, as any value)."""
        parent = self.parents.get(node)
        grandparent = self.parents.get(parent)
        appended = isinstance(parent, ast.Attribute) and parent.attr in ("append", "extend", "insert") \
            and isinstance(grandparent, ast.Call) and grandparent.func is parent
        assigned = isinstance(parent, ast.Subscript) and isinstance(grandparent, ast.Assign) and parent in grandparent.targets
        return (appended or assigned) and node.id in self.module.lists

    def read_Import(self, node: ast.Import | ast.ImportFrom) -> None:
        for _, target in imported(node):
            rank = forbidden_module(target)
            if rank is not None:
                self.found(node, f"imports {named(target)}", rank)

    read_ImportFrom = read_Import

    def read_Call(self, node: ast.Call) -> None:
        if (over := steps.divisor(node)) is not None and self.small_step(over):  # d.div(h), torch.div(d, 2e-6)
            self.found(node, FINITE_DIFFERENCE, DIFFERENTIATES)
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
        made = any(keyword.arg in ("requires_grad", None) for keyword in node.keywords) \
            and self.made_at_import(node, node.func)
        for keyword in node.keywords:
            if keyword.arg == "requires_grad" and not _is_false(keyword.value) and not made:
                self.found(node, "asks for gradients (requires_grad=True)", TRACKS, flag=self.flag(keyword.value))
            elif keyword.arg is None and not (isinstance(keyword.value, ast.Dict) and all(
                    isinstance(key, ast.Constant) and (key.value != "requires_grad" or _is_false(value))
                    for key, value in zip(keyword.value.keys, keyword.value.values))) and not self.forwarded(keyword) \
                    and not made:
                self.found(node, "may ask for gradients (keywords unpacked with **)", TRACKS)
            # torch.load(…, weights_only=False), numpy.load(…, allow_pickle=True)
            if keyword.arg == "weights_only" and not (isinstance(keyword.value, ast.Constant) and keyword.value.value is True) \
                    or keyword.arg == "allow_pickle" and not _is_false(keyword.value):
                self.found(node, f"loads pickled objects ({keyword.arg}), which can call any function", DYNAMIC)
        if name == "set_grad_enabled" and not (node.args and _is_false(node.args[0])):
            self.found(node, "turns gradient tracking on (torch.set_grad_enabled)", TRACKS)
        if isinstance(node.func, ast.Name) and (lookup := self.imported_lookup(node.func)):
            name = lookup  # pick("grad_fn") after ``from operator import attrgetter as pick``
        if name in LOOKUPS:
            self.lookup(node, name)
        if self.namespace_call(node) and isinstance(self.parents.get(node), (ast.Subscript, ast.Assign, ast.NamedExpr)):
            self.found(node, f"reads {name}() by name", DYNAMIC)

    def forwarded(self, keyword: ast.keyword) -> bool:
        """``**kwargs`` passes on, untouched, the keywords its own function was called with (a decorator's wrapper:
        ``return func(*args, **kwargs)``, fairness 17): what they hold comes from its calls, each read where it is.
        The name must appear nowhere else in the function (red team 33 changed them through an alias)."""
        function = self.parents.get(keyword)
        while function is not None and not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            function = self.parents.get(function)
        name = keyword.value.id if isinstance(keyword.value, ast.Name) else None
        if function is None or name is None or function.args.kwarg is None or function.args.kwarg.arg != name:
            return False
        passed_on = {id(other.value) for other in walk(function) if isinstance(other, ast.keyword) and other.arg is None}
        return all(id(node) in passed_on for node in walk(function) if isinstance(node, ast.Name) and node.id == name)

    def lookup(self, node: ast.Call, name: str) -> None:
        """``getattr(obj, "name")`` is ``obj.name``; a computed name could be anything."""
        index = 1 if name in ("getattr", "setattr", "delattr", "getattr_static") else 0
        index = len(node.args) - 1 if name == "__getattribute__" else index  # x.__getattribute__(n), object.…(x, n)
        literal = node.args[index] if 0 <= index < len(node.args) else None
        if not (isinstance(literal, ast.Constant) and isinstance(literal.value, str)):
            self.found(node, f"uses {name} with a computed name", DYNAMIC)
            return
        owner = node.args[0] if index == 1 else None
        if name == "setattr" and literal.value == "requires_grad" and len(node.args) == 3 \
                and not _is_false(node.args[2]):  # (red team 68: the literal setattr, as `t.requires_grad = True`)
            if not self.made_at_import(node, None):
                self.found(node, "asks for gradients (requires_grad = True)", TRACKS, flag=self.flag(node.args[2]))
            return
        for attr in literal.value.split("."):
            self.attribute_named(node, attr, owner)
            owner = None

    def own_layer(self, owner: ast.AST | None) -> bool:
        """Whether ``.backward`` on ``owner`` may be a hand-written layer's, left to the run-time count of autograd
        calls: in a file with classes of its own that define ``backward`` (none replaced from outside its class), an
        owner that is not visibly a tensor (:meth:`_tensor`): ``layer.backward(g)`` for ``layer = Affine()``, an item
        of a list of layers, ``self.first``, ``self``, a layer-annotated argument, ``Affine(x).backward(g)``."""
        if not self.module.layers or "backward" in self.module.attributes:
            return False
        if self._values is None:  # once per binding read: a function of many `.backward` calls stays linear
            self._values, self._into = _local_values(self.root)
        key = owner.id if isinstance(owner, ast.Name) else "." + owner.attr if isinstance(owner, ast.Attribute) else ""
        if not key:
            return owner is not None and not self._tensor(owner, frozenset())
        if key not in self._layer_owners:  # once per name or attribute, however many uses
            self._layer_owners[key] = not self._tensor(owner, frozenset())
        return self._layer_owners[key]

    def _tensor(self, value: ast.AST, seen: frozenset[str]) -> bool:
        """``value`` may visibly be a tensor: arithmetic, a call's result other than a layer's, a value no reading can
        tell (``with … as``, ``+=``), a function's argument (but ``self`` or one annotated with a layer class), or
        a name, attribute or item the code binds to one of those."""
        if isinstance(value, (ast.BinOp, ast.UnaryOp, ast.Compare, ast.Constant)):
            return True
        if isinstance(value, ast.Call):
            return not (isinstance(value.func, ast.Name) and value.func.id in self.module.layers)
        if isinstance(value, (ast.Starred, ast.Subscript)):
            return self._items(value.value, seen)
        if isinstance(value, ast.Name) and self._local(value) and (parameter := self._parameter(value)) is not None:
            return self._tensor_argument(parameter)
        return self._any_bound(value, seen, self._tensor)

    def _items(self, sequence: ast.AST, seen: frozenset[str]) -> bool:
        """The items of ``sequence`` may visibly be tensors (:meth:`_tensor`): a list, tuple or dict display of one, a
        list ``.append``-ed one, ``reversed``/``list``/``zip``/``.values()`` of such a sequence, any other call."""
        if isinstance(sequence, (ast.List, ast.Tuple, ast.Set)):
            return any(self._tensor(item, seen) for item in sequence.elts)
        if isinstance(sequence, ast.Dict):
            return any(self._tensor(item, seen) for item in sequence.values)
        if isinstance(sequence, (ast.ListComp, ast.GeneratorExp)):
            return self._tensor(sequence.elt, seen)
        if isinstance(sequence, ast.Call):
            func = sequence.func
            if isinstance(func, ast.Name) and func.id in ("reversed", "list", "tuple", "sorted", "iter", "zip") \
                    and func.id not in self.module.bindings and func.id not in self.module.imports:
                return any(self._items(argument, seen) for argument in sequence.args)
            if isinstance(func, ast.Attribute) and func.attr == "values" and not sequence.args:
                return self._items(func.value, seen)
            return True
        if isinstance(sequence, ast.Subscript):
            return self._items(sequence.value, seen)
        if isinstance(sequence, ast.Name) and self._local(sequence) \
                and any(self._tensor(item, seen) for item in self._into.get(sequence.id, ())):
            return True  # layers.append(x.sum())
        return self._any_bound(sequence, seen, self._items)

    def _any_bound(self, node: ast.AST, seen: frozenset[str], test: Callable[[ast.AST, frozenset[str]], bool]) -> bool:
        """``test`` of any value the file binds ``node`` to: an attribute's (anywhere), a local name's, or a module-level
        name's as assigned (each name or attribute followed once)."""
        if isinstance(node, ast.Attribute):
            key, values = "." + node.attr, self.module.attributes.get(node.attr, [])
        elif isinstance(node, ast.Name) and self._local(node):
            key, values = node.id, self._values.get(node.id, [])
        elif isinstance(node, ast.Name):
            key, values = node.id, self.module.bindings.get(node.id, [])[: self.module.assigned.get(node.id, 0)]
        else:
            return False
        return key not in seen and any(test(value, seen | {key}) for value in values)

    def _local(self, name: ast.Name) -> bool:
        """``name`` is the binding's own (a local, or bound inside it), not the module's."""
        return self.is_local(name) or self._values is not None and name.id in self._values

    def _parameter(self, name: ast.Name) -> ast.arg | None:
        """The parameter of an enclosing function or lambda that ``name`` is, if it is one."""
        scope = self.parents.get(name)
        while scope is not None:
            if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                arguments = scope.args
                for position, argument in enumerate([*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]):
                    if argument.arg == name.id:
                        method = position == 0 and isinstance(self.parents.get(scope), ast.ClassDef)
                        return None if method else argument
                if name.id in self.scope_names(scope):
                    return None
            scope = self.parents.get(scope)
        return None

    def _tensor_argument(self, argument: ast.arg) -> bool:
        """An argument may be a tensor, unless it is annotated with one of the file's layer classes."""
        annotation = argument.annotation
        return not (isinstance(annotation, ast.Name) and annotation.id in self.module.layers
                    or isinstance(annotation, ast.Constant) and annotation.value in self.module.layers)

    def namespace_call(self, node: ast.Call) -> bool:
        return isinstance(node.func, ast.Name) and node.func.id in NAMESPACES and not self.is_local(node.func)

    def inference_mode(self, node: ast.AST) -> None:
        """``torch.inference_mode`` other than called as ``inference_mode()`` or with a literal ``True``: its ``False``
        puts autograd's dispatch keys back, which a by-hand function's first call runs without (red team 102); red team
        103 passed it on under another name, and ``**{"mode": False}``. (Switching tracking off is fine.)"""
        call = self.parents.get(node)
        if isinstance(call, (ast.FunctionDef, ast.AsyncFunctionDef)) and node in call.decorator_list:
            return  # @torch.inference_mode: on
        if isinstance(call, ast.Call) and call.func is node and len(call.args) + len(call.keywords) <= 1 and all(
                isinstance(value, ast.Constant) and value.value is True
                for value in [*call.args, *(k.value for k in call.keywords if k.arg == "mode")]) \
                and all(keyword.arg == "mode" for keyword in call.keywords) \
                and not any(isinstance(arg, ast.Starred) for arg in call.args):
            return
        self.found(node, "may turn autograd back on (torch.inference_mode other than inference_mode() or "
                   "inference_mode(True))", TRACKS)

    def made_at_import(self, node: ast.AST, callee: ast.AST | None) -> bool:
        """``node`` asks for gradients for a tensor made while the file is imported, which the by-hand function can
        then only read, as it reads an ``nn.Linear``'s weight (fairness 50: ``W1 = torch.tensor(3.0,
        requires_grad=True)``, ``torch.ones(3).requires_grad_()``, ``self.c = nn.Parameter(c)`` in the ``__init__``
        of ``P = Poly(...)``). It sits in a value a top-level assignment binds, in the ``__init__`` of a class whose
        objects are only made at import, or in a function only called at import (:attr:`Module.built_at_import`:
        ``COEFFS = make_coefficients([...])``); outside any lambda, function, class or
        generator of its own there (whose code runs later, maybe in the by-hand call); and ``callee`` (if given) is
        torch's, through an import the file never rebinds (never ``functools.partial(torch.ones,
        requires_grad=True)``, which asks when called)."""
        root = self.root
        built = isinstance(root, (ast.ClassDef, ast.FunctionDef)) and root.name == self.owner \
            and root.name in self.module.built_at_import
        init = built and isinstance(root, ast.ClassDef)
        if not built and (id(root) not in self.module.at_import or isinstance(root, (ast.Lambda, ast.GeneratorExp))):
            return False  # (a top-level assignment's value: the lambda or generator itself runs later)
        if callee is not None and not self.torch_name(callee):
            return False
        while (parent := self.parents.get(node)) is not None and parent is not root:
            if isinstance(parent, (ast.Lambda, ast.GeneratorExp, ast.ClassDef)) or isinstance(
                    parent, (ast.FunctionDef, ast.AsyncFunctionDef)) and not (init and self.parents.get(parent) is root):
                return False
            node = parent
        return not init or isinstance(node, ast.FunctionDef) and node.name == "__init__"

    def torch_name(self, node: ast.AST) -> bool:
        """``node`` (``torch.ones``, ``nn.Parameter``, ``Parameter``) is torch's, through imports of its root name that
        are all torch's and that the file binds no other way."""
        while isinstance(node, ast.Attribute):
            node = node.value
        targets = self.module.imports.get(node.id, []) if isinstance(node, ast.Name) else []
        return bool(targets) and node.id not in self.module.bindings and not self.is_local(node) \
            and all(target.split(".")[0] == "torch" for target, _ in targets)

    def called_with_false(self, node: ast.AST) -> bool:
        parent = self.parents.get(node)
        return isinstance(parent, ast.Call) and parent.func is node and bool(parent.args) and _is_false(parent.args[0])

    def chain_above(self, node: ast.AST) -> set[str]:
        """The attribute names read on top of ``node``: ``{"no_grad"}`` for the ``autograd`` of ``torch.autograd.no_grad``."""
        names, parent = set(), self.parents.get(node)
        while isinstance(parent, ast.Attribute):
            names.add(parent.attr)
            parent = self.parents.get(parent)
        return names

    def library_held(self, value: ast.AST, seen: frozenset[str] = frozenset()) -> bool:
        """``value`` may hold a library's object (``torch.nn``), by what the code binds, not how: an imported name, a
        name bound to one (``nn = torch.nn``, a parameter's default ``nn=torch.nn``, locally or at module level), an
        attribute the file stores one in (``self.nn = torch.nn``), what a library's call makes, or what no reading can
        tell. The file's own classes, functions and what they make are not (red team 221: ``own`` decided by how a
        name was bound let ``nn = torch.nn`` pass for the file's own object)."""
        if isinstance(value, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.Constant,
                              ast.BinOp, ast.UnaryOp, ast.Compare, ast.BoolOp, ast.JoinedStr)):
            return False
        if isinstance(value, ast.Call):  # what a library's callable makes (``getattr(torch, "nn")``: its first argument)
            lookup = isinstance(value.func, ast.Name) and value.func.id == "getattr" and value.args
            return self.library_held(value.args[0] if lookup else value.func, seen) or \
                not lookup and self._returns_library(value.func, seen)
        if isinstance(value, ast.Starred):
            return self.library_held(value.value, seen)
        if isinstance(value, (ast.List, ast.Tuple, ast.Set)):
            return any(self.library_held(item, seen) for item in value.elts)
        if isinstance(value, ast.Attribute):
            stored = self.module.attributes.get(value.attr, [])
            return self.library_held(value.value, seen) or (value.attr not in seen and any(
                self.library_held(item, seen | {value.attr}) for item in stored))
        if isinstance(value, ast.Subscript):
            return self.library_held(value.value, seen)
        if not isinstance(value, ast.Name) or value.id in seen:
            return not isinstance(value, ast.Name)  # (a name met again adds nothing; anything else: no reading tells)
        seen = seen | {value.id}
        if self.is_local(value):
            if self._values is None:
                self._values, self._into = _local_values(self.root)
            parameter = self._parameter(value)
            defaults = self._default_of(parameter) if parameter is not None else []
            return any(item is UNKNOWN or self.library_held(item, seen)
                       for item in [*self._values.get(value.id, []), *defaults])
        if self.module.imports.get(value.id):  # torch's, numpy's, a library that differentiates (not collections')
            return any(target.lstrip(".").split(".")[0] in HOLDERS for target, _ in self.module.imports[value.id])
        return any(self.library_held(item, seen) for item in self.module.bindings.get(value.id, []))

    def _returns_library(self, callee: ast.AST, seen: frozenset[str]) -> bool:
        """A call of ``callee`` may hand back a library's object: a function, method or lambda of the file's own by that
        name returns one (``def kernels(): return torch.nn``), or a local name bound to one (``m = torch.nn; return
        m``)."""
        name = callee.id if isinstance(callee, ast.Name) else callee.attr if isinstance(callee, ast.Attribute) else ""
        if not name or f"{name}()" in seen or self.module.tree is None:
            return False
        seen = seen | {f"{name}()"}
        returned: list[ast.AST] = []
        for node in walk(self.module.tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
                bound = _local_values(node)[0]
                for inner in own_nodes(node.body):
                    if isinstance(inner, ast.Return) and inner.value is not None:
                        local = isinstance(inner.value, ast.Name) and inner.value.id in bound
                        returned += bound[inner.value.id] if local else [inner.value]
        returned += [value.body for value in self.module.bindings.get(name, []) if isinstance(value, ast.Lambda)]
        return any(item is UNKNOWN or self.library_held(item, seen) for item in returned)

    def _default_of(self, parameter: ast.arg) -> list[ast.AST]:
        """The default value of ``parameter`` of an enclosing function or lambda, as a list (none: ``[]``)."""
        function = self.parents.get(self.parents.get(parameter))  # (an arg's parent is the function's arguments)
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            return []
        return [default for arg, default in methods.defaults(function) if arg is parameter]

    def dotted(self, node: ast.AST) -> str:
        """``a.b.c`` with its root import resolved (``T.func`` after ``import torch as T`` → ``torch.func``)."""
        chain, root = _chain(node), node
        while isinstance(root, ast.Attribute):
            root = root.value
        targets = self.module.imports.get(root.id) if isinstance(root, ast.Name) else None
        if not targets or self.is_local(root):
            return chain
        return targets[-1][0] + chain[len(root.id):]

    def is_local(self, node: ast.Name) -> bool:
        """Whether an enclosing function, lambda or comprehension binds the name (so it shadows the module's)."""
        if node.id in self.outer:
            return True
        below, child, scope = None, node, self.parents.get(node)
        while scope is not None:
            if isinstance(scope, SCOPES) and node.id in self.scope_names(scope) and self.runs_inside(scope, child, below):
                return True
            below, child, scope = child, scope, self.parents.get(scope)
        return False

    def runs_inside(self, scope: ast.AST, child: ast.AST, below: ast.AST | None) -> bool:
        """Whether ``child`` of ``scope`` (reached from ``below``) runs in the scope's own namespace: a function's or a
        lambda's body, not its defaults, annotations or decorators (the enclosing scope evaluates those); every part
        of a comprehension but its first iterable. (A body's statements are kept as a set: red team 220's 12,000
        statements took seconds when each lookup searched them.)"""
        if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            if scope not in self.bodies:
                self.bodies[scope] = {id(part) for part in _scope_body(scope)}
            return id(child) in self.bodies[scope]
        return not (child is scope.generators[0] and below is scope.generators[0].iter)

    def scope_names(self, scope: ast.AST) -> set[str]:
        if scope not in self.locals:
            self.locals[scope] = local_names(scope, own_first=self.module.ordered)
        return self.locals[scope]




UNKNOWN = ast.Constant(value=None)  # a value no reading can tell: ``with … as name``, ``except … as name``, ``name += …``


def _local_values(root: ast.AST) -> tuple[dict[str, list[ast.AST]], dict[str, list[ast.AST]]]:
    """What each name is bound to anywhere in ``root``: assigned values (:func:`_assigned`); an item of the sequence
    a ``for`` loops over (``ast.Starred(sequence)``; with ``enumerate``, the second name); :data:`UNKNOWN` for any
    other binding; and per name, what is stored into its object (``layers.append(t)``)."""
    values: dict[str, list[ast.AST]] = defaultdict(list)
    into: dict[str, list[ast.AST]] = defaultdict(list)
    for node in walk(root):
        if isinstance(node, (ast.Assign, ast.AnnAssign, ast.NamedExpr)) and node.value is not None:
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                _assigned(target, node.value, values)
        elif isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
            target, sequence = node.target, node.iter
            called = sequence.func.id if isinstance(sequence, ast.Call) and isinstance(sequence.func, ast.Name) else ""
            if isinstance(target, ast.Tuple) and len(target.elts) == 2 and called == "enumerate" and sequence.args:
                target, sequence = target.elts[1], sequence.args[0]
            if isinstance(target, ast.Tuple) and called == "zip" and len(target.elts) == len(sequence.args):
                for part, argument in zip(target.elts, sequence.args):  # for layer, inp in zip(layers, inputs)
                    _assigned(part, ast.Starred(value=argument), values)
                continue
            _assigned(target, ast.Starred(value=sequence), values)  # a tuple target: each name, unknown below
        elif isinstance(node, (ast.AugAssign, ast.withitem, ast.Global, ast.Nonlocal, ast.Import, ast.ImportFrom)):
            for name in _names_bound(node):
                values[name].append(UNKNOWN)
        elif isinstance(node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)) and node.name:
            values[node.name].append(UNKNOWN)
        roots, given = _stored(node)
        for root_name in roots:
            into[root_name] += given
    return values, into


def _names_bound(node: ast.AST) -> list[str]:
    if isinstance(node, (ast.Global, ast.Nonlocal)):
        return list(node.names)
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return [name for name, _ in imported(node)]
    target = node.target if isinstance(node, ast.AugAssign) else node.optional_vars
    return [part.id for part in walk(target) if isinstance(part, ast.Name)] if target is not None else []


def _assigned(target: ast.AST, value: ast.AST, into: dict[str, list[ast.AST]]) -> None:
    """Add to ``into`` the value ``target = value`` gives each name (``a, b = A(), B()`` gives ``b`` ``B()``); a
    value that cannot be split stands for each name it binds."""
    if isinstance(target, ast.Name):
        into[target.id].append(value)
    elif isinstance(target, (ast.Tuple, ast.List)):
        if isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == len(target.elts):
            for part, item in zip(target.elts, value.elts):
                _assigned(part, item, into)
        else:
            for part in walk(target):
                if isinstance(part, ast.Name):
                    into[part.id].append(value)


def local_names(scope: ast.AST, own_first: bool = False) -> set[str]:
    """Names a function, lambda or comprehension binds itself (arguments, assignments, imports), less ``global`` ones
    (with ``own_first``, less those only that it reads before it assigns them: :func:`_assigned_first`)."""
    if isinstance(scope, ast.Module):  # code run in a namespace of its own (a %timeit's)
        names, body = set(), scope.body
    elif isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        arguments = scope.args
        names = {arg.arg for arg in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs,
                                     arguments.vararg, arguments.kwarg] if arg is not None}
        body = scope.body if isinstance(scope.body, list) else [scope.body]
    else:
        names, body = set(), [generator.target for generator in scope.generators]
    declared: set[str] = set()
    for node in own_nodes(body):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {name for name, _ in imported(node)}
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            declared |= set(node.names)
    return names - {name for name in declared if not (own_first and _assigned_first(body, name))}


def _assigned_first(body: list[ast.AST], name: str) -> bool:
    """The first top-level statement of a function's ``body`` that mentions ``name`` assigns it, from a value that
    does not read it (``global last; last = 2 * x; return last``): what the function reads of it is its own."""
    for statement in body:
        mentions = [node for node in walk(statement) if isinstance(node, ast.Name) and node.id == name]
        if mentions:
            return isinstance(statement, ast.Assign) and any(
                isinstance(target, ast.Name) and target.id == name for target in statement.targets) \
                and all(isinstance(node.ctx, ast.Store) for node in mentions)
    return False


def own_nodes(body: list[ast.AST]) -> Iterator[ast.AST]:
    """The nodes of a scope's body, without descending into nested scopes (their names are their own), nor into a
    class's body (what it binds is the class's: red team 94's ``class K: tool = grad; grad = None`` inside a by-hand
    function read the ``grad`` a star import bound, not one of the function's own); its decorators, bases and keywords
    run in the scope."""
    stack = list(body)
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, ast.ClassDef):
            stack.extend(scopes.outer(node))
        elif not isinstance(node, SCOPES):
            stack.extend(children(node))


OWN_MAKERS = ("types.SimpleNamespace", "argparse.Namespace")  # objects of the file's own data (and parse_args')


def own_data(tree: ast.Module, bindings: Mapping[str, int], imports: Mapping[str, str]) -> frozenset[str]:
    """Names the file binds once (``bindings``: per name, its places), to an object of its own data: made by a plain
    class of its own, ``argparse``'s ``parse_args`` on an ``ArgumentParser()``, or a ``SimpleNamespace``
    (``imports``: each imported name's dotted target, if no other binding shares the name). Its attributes are the
    file's: a computed lookup on it reaches no module and nothing of the grader's. A plain class has no base but
    ``object``, no metaclass, no decorator but ``dataclass``, no ``__new__``, ``__call__`` or ``__init_subclass__`` of its
    own, and its name is only ever called or given to ``isinstance`` (red team 26 made "own" objects that were not, by
    an inherited ``__new__``, a decorator, ``Box.__new__ = …`` and a rebound ``parse_args``). The sandbox's guarded
    ``getattr`` (:mod:`autograd_exercises.sandbox.guard`) stands behind this reading."""
    values, loads = single_values(tree, bindings), _loads_by_use(tree)
    made_by_name = {name for name in loads if loads[name] <= {"call", "isinstance"}}

    def resolved(node: ast.AST) -> str:
        parts = _chain(node).split(".")
        return ".".join([imports[parts[0]], *parts[1:]]) if parts[0] in imports and bindings.get(parts[0]) == 1 else ""

    def plain(node: ast.AST) -> bool:
        constructors = {item.name for item in node.body if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))} | {
            target.id for item in node.body if isinstance(item, ast.Assign) for target in item.targets
            if isinstance(target, ast.Name)}
        return isinstance(node, ast.ClassDef) and bindings.get(node.name) == 1 and node.name in made_by_name \
            and not node.keywords and all(isinstance(base, ast.Name) and base.id == "object" for base in node.bases) \
            and all(resolved(d) in ("dataclasses.dataclass",) for d in node.decorator_list) \
            and not {"__new__", "__call__", "__init_subclass__", "__class_getitem__"} & constructors
    classes = {node.name for node in walk(tree) if isinstance(node, ast.ClassDef) and plain(node)}

    def own(value: ast.AST) -> bool:
        if not isinstance(value, ast.Call):
            return False
        if isinstance(value.func, ast.Name) and value.func.id in classes or resolved(value.func) in OWN_MAKERS:
            return True
        parser = value.func.value if isinstance(value.func, ast.Attribute) and value.func.attr == "parse_args" else None
        return isinstance(parser, ast.Name) and isinstance(made := values.get(parser.id), ast.Call) \
            and resolved(made.func) == "argparse.ArgumentParser" and "store" not in loads.get(parser.id, {"store"})
    return frozenset(name for name, value in values.items() if own(value))


def _loads_by_use(tree: ast.Module) -> dict[str, set[str]]:
    """Per name, how the file uses it: ``"call"`` (``name(…)``), ``"isinstance"`` (its second argument), ``"store"``
    (an attribute of it set or deleted: ``Box.__new__ = …``), ``"other"`` (passed, kept, read any other way)."""
    parents = {id(child): node for node in walk(tree) for child in children(node)}
    uses: dict[str, set[str]] = defaultdict(set)
    for node in walk(tree):
        if not (isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)):
            continue
        parent = parents.get(id(node))
        if isinstance(parent, ast.Call) and parent.func is node:
            uses[node.id].add("call")
        elif isinstance(parent, ast.Call) and isinstance(parent.func, ast.Name) and parent.func.id in (
                "isinstance", "issubclass") and node in parent.args[1:]:
            uses[node.id].add("isinstance")
        elif isinstance(parent, ast.Attribute) and not isinstance(parent.ctx, ast.Load):
            uses[node.id].add("store")
        elif isinstance(parent, ast.Attribute):
            uses[node.id].add("attribute")
        else:
            uses[node.id].add("other")
    return uses
