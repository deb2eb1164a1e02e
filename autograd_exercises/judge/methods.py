"""What of the file's own classes and decorators a by-hand function can run: the parts :func:`static.read_reach`
may leave unread.

Reading a whole class the by-hand function uses costs an honest student the point when another method of it
(``autograd_grads`` beside ``manual_grads``) calls autograd; so does a decorator that checks the function against
autograd once, when the file is imported, and hands it back. Neither runs when the by-hand function is called:

* **Methods never named.** In a *plain* class of the file (:func:`plain_classes`: no decorator but ``@dataclass``,
  no metaclass, its bases plain classes of the file too or torch's ``nn.Module``, whose own code calls a subclass's
  methods only by its own names (:func:`module_methods`, read at once in a file with such a class; fairness 50), no
  class of the file defining ``backward``), whose name
  and objects are only ever used through their attributes (``Logistic(w, b).manual_grads(x, y)``, ``m = Fit()``
  then ``m.value(v)``, ``self.w``; never handed to other code, returned or stored bare, where a library, a format
  string or ``getattr`` could call a method by a name the file never writes), a method runs only when code names
  it. So a method is read once its name appears in what is read (:func:`identifiers`: names, attributes, imports,
  class patterns' keywords, strings other than docstrings), when its name starts with ``_`` (dunders), is in
  :data:`CALLED_BY_NAME`, or when it has a decorator
  other than ``staticmethod``, ``classmethod``, ``property``, ``functools``' caches and torch's gradient modes.
  Every method is read once what is read uses an import outside :data:`NAMING_SAFE` (a library that could reach a
  module-level object by a dotted name), a positional class pattern or ``.format`` of a string built at run time;
  none is plain in a file that names a way to get an object back unnamed (:data:`RECOVERS`).
* **A debugging branch the grader never takes** (:func:`debug_branches`): ``if check:`` in the by-hand function,
  where ``check`` is a parameter the grader never passes (past the stub's), with a false literal default that
  nothing can change, and the function is only ever called by name at the top level, as the grader calls it.
* **Decorators that hand the function back** (:func:`identity_decorators`): ``@checked`` where every binding of
  ``checked`` is a plain ``def`` whose every ``return`` gives back its first parameter, which it only calls, reads
  ``__name__``-like attributes of, stores into a registry (a module-level dict, list or set bound only empty) or
  returns. Their code runs at import (``saved/`` reads the top level).
"""

from __future__ import annotations

import ast
import collections
import functools
from dataclasses import dataclass
from typing import Iterator

from autograd_exercises.judge.library import class_constant
from autograd_exercises.judge.syntax import bound_here, chain, children, imported_name, walk

CALLED_BY_NAME = frozenset({
    # files: print(file=…), json.dump, pickle, torch.save/load, io wrappers
    "read", "read1", "readinto", "readinto1", "readline", "readlines", "readall", "peek", "write", "writelines",
    "flush", "fileno", "close", "closed", "seek", "tell", "seekable", "readable", "writable", "truncate", "isatty",
    "name", "mode", "encoding", "errors", "newlines", "buffer", "raw", "detach", "getvalue", "getbuffer",
    # containers ({**o}, dict(o), copy's and pickle's rebuilding, torch's state dicts), generators (yield from),
    # pickling (torch's pickle_module=), numbers
    "keys", "items", "values", "get", "copy", "update", "setdefault", "pop", "popitem", "append", "extend", "insert",
    "remove", "clear", "index", "count", "add", "discard", "sort", "reverse", "send", "throw", "Pickler", "Unpickler",
    "dump", "dumps", "load", "loads", "persistent_id", "persistent_load", "find_class", "reducer_override",
    "as_integer_ratio", "numerator", "denominator", "real", "imag", "conjugate",
})  # and every name that starts with "_": torch looks up private names of objects it is handed (``_metadata``)
NAMING_SAFE = frozenset({"torch", "numpy", "math", "functools", "itertools", "operator", "collections", "copy",
                         "time", "os", "warnings", "__future__"})  # they call an object's methods by fixed names only
# (torch's and numpy's own names are not among them: they duck-type what they are handed, and a plain class's objects
# are never handed to them. A method named ``grad`` or ``forward`` is read once named, as any other: fairness 18.)
SAFE_ATTRIBUTES = {  # modules that count as naming-safe where only these attributes of theirs are read
    "sys": frozenset({"stdout", "stderr", "float_info", "maxsize", "version", "version_info", "platform", "byteorder",
                      "int_info", "hash_info", "float_repr_style", "getrecursionlimit", "argv"}),
    "logging": frozenset({"debug", "info", "warning", "error", "critical", "exception", "log", "getLogger",
                          "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}),
}  # (neither resolves a dotted name nor hands back an object: print(…, file=sys.stderr), logging.debug("%s", shape))
# What gives an object back without naming it: a bound method's __self__, frames and their locals, the garbage
# collector, closures, weak references, namespaces.
RECOVERS = frozenset({"__self__", "__class__", "__func__", "__dict__", "__closure__", "cell_contents", "__globals__",
                      "f_locals", "f_globals", "f_back", "tb_frame", "gi_frame", "cr_frame", "currentframe",
                      "_getframe", "stack", "trace", "getouterframes", "getinnerframes", "get_referrers",
                      "get_referents", "get_objects", "gc", "weakref", "ref", "proxy", "locals", "vars", "globals",
                      "__reduce__", "__reduce_ex__", "__getstate__", "__setattr__", "setattr", "__getattribute__"})
DATACLASSES = ("dataclasses.dataclass", "dataclasses.field")  # add dunders and hold values: naming nothing
METHOD_WRAPPERS = frozenset({"cache", "lru_cache", "cached_property", "no_grad", "enable_grad", "inference_mode"})
METHOD_DECORATORS = frozenset({"staticmethod", "classmethod", "property"})
NAME_ATTRIBUTES = frozenset({"__name__", "__qualname__", "__doc__", "__module__"})
STRING = "\0"  # marks a string's whole text among identifiers
TORCH_MODULES = frozenset({"torch.nn.Module", "torch.nn.modules.module.Module"})
ATTACHING = ("hook", "register", "parametriz")  # nn.Module's ways to have its own machinery run code of the file's
# with an object (``register_forward_pre_hook``, ``_forward_hooks``, ``register_module_forward_hook``,
# ``parametrize.register_parametrization``), as any identifier or string of the file spells them
NAME_LOOKUPS = frozenset({"getattr", "setattr", "delattr", "attrgetter", "methodcaller", "getattr_static"})
HANDS_SELF_BACK = frozenset({"train", "eval", "requires_grad_", "to", "to_empty", "cpu", "cuda", "ipu", "xpu", "mtia",
                             "type", "float", "double", "half", "bfloat16", "apply", "share_memory", "modules",
                             "named_modules", "get_submodule", "set_submodule"})  # nn.Module's methods that return or
# yield the object itself (each ``_``-name is counted so too): once an object of the file's nn.Module goes through one,
# where it goes is not followed (tests/test_methods.py checks this list against torch's source)
RETURNS_ITSELF = HANDS_SELF_BACK - {"apply", "modules", "named_modules", "get_submodule", "set_submodule"}
# (those that only return the object: ``m.eval()`` dropped, or kept as the object is, ``model = Poly().double()``)
LOOKS_NAMES_UP = frozenset({"add_module", "get_buffer", "get_parameter", "get_submodule", "set_submodule",
                            "register_buffer", "register_parameter", "register_module"})
# nn.Module's methods that look an attribute of the object up by the name they are handed (``hasattr(self, name)``
# runs a property's getter; red team 191: ``P.get_parameter("sl" + "ope")`` ran an unread ``@property`` that called
# sympy), checked against torch's source likewise; not ``load_state_dict``, which sets only the names the object has
# registered for its parameters and buffers (each an attribute the file names, or a literal: fairness 52)
BY_LITERAL_NAME = frozenset({"add_module", "get_buffer", "get_parameter", "register_buffer", "register_parameter",
                             "register_module"})  # (of those, the ones whose name, a literal, the reading reads as any)
ONLY_LOOKING = ("print", "repr", "str", "isinstance")  # builtins that hand an object to no code but its dunders


@dataclass(frozen=True)
class _Objects:
    """What :func:`plain_classes` asks of each use of a class's objects: every node's parent, the uses of each name,
    nn.Module's methods an object may not go through (``library``, empty in a file without an nn.Module) and the
    builtins of :data:`ONLY_LOOKING` the file never binds (``looking``)."""

    parents: dict[ast.AST, ast.AST]
    uses: dict[str, list[ast.Name]]
    library: frozenset[str] = frozenset()
    looking: frozenset[str] = frozenset()
    copies: frozenset[str] = frozenset()  # how the file names copy.copy and copy.deepcopy (``copy.deepcopy``, ``deepcopy``)
    types: frozenset[str] = frozenset()  # the names an isinstance may test against: builtins, torch's, the file's own
    never: frozenset[int] = frozenset()  # nodes that never run where the file is graded (a .py's main guard's body)


@functools.cache
def module_methods() -> frozenset[str]:
    """Every attribute name of ``torch.nn.Module`` (``forward``, ``extra_repr``, ``train``, ``parameters``,
    ``state_dict``…): what its own code may call on a subclass's object by name, so a subclass's method of such a
    name is read as ``_``-names are."""
    import torch

    return frozenset(dir(torch.nn.Module))


def plain_classes(tree: ast.Module, parents: dict[ast.AST, ast.AST], bindings: dict[str, list[ast.AST]],
                  layers: set[str], imports: dict[str, list[tuple[str, int]]], main_runs: bool = True) -> frozenset[str]:
    """The names bound only to plain classes of the file (see the module's docstring); none when ``layers``
    (``parents``: every node's parent in ``tree``).

    A plain class is named only to be called, to have an attribute read, or as a base of another plain class, and
    its objects never leave the code that made them (:func:`_self_escapes`): used any other way (a base of a torch
    module, an object handed to numpy or a format string, ``return self``), other code could call their methods."""
    if layers or not any(isinstance(node, ast.ClassDef) for nodes in bindings.values() for node in nodes) \
            or recovers_objects(tree, imports):
        return frozenset()  # (no class of its own: nothing to walk the file for)
    objects, modules = _objects(tree, parents, bindings, imports, main_runs)
    plain: set[str] = {name for name, nodes in bindings.items() if nodes and all(
        isinstance(node, ast.ClassDef) and _own_reason(node, objects, bindings, imports) is None for node in nodes)}
    while True:
        found = {name for name in plain if all(
            _plain_base(base, plain, bindings, imports, modules) for node in bindings[name] for base in node.bases)
            and all(_plain_use(use, plain, objects) for use in objects.uses[name])}
        if found == plain:
            return frozenset(plain)
        plain = found


def why_read_whole(name: str, tree: ast.Module, parents: dict[ast.AST, ast.AST], bindings: dict[str, list[ast.AST]],
                   layers: set[str], imports: dict[str, list[tuple[str, int]]], main_runs: bool = True
                   ) -> tuple[str, int] | None:
    """Why the file's class ``name`` is no plain class (every method of it is read): what, and the line where (the
    class's own when no other tells); None where it is plain, or is no class of the file's."""
    nodes = bindings.get(name, [])
    if not nodes or not all(isinstance(node, ast.ClassDef) for node in nodes):
        return None
    if layers:
        return "the file has a layer of its own (a class that defines backward)", nodes[0].lineno
    if recovers_objects(tree, imports):
        return "the file names a way to get an object back unnamed (__self__, a frame, locals(), gc)", nodes[0].lineno
    plain = plain_classes(tree, parents, bindings, layers, imports, main_runs)
    if name in plain:
        return None
    objects, modules = _objects(tree, parents, bindings, imports, main_runs)
    for node in nodes:
        if (reason := _own_reason(node, objects, bindings, imports)) is not None:
            return reason
        if not all(_plain_base(base, plain, bindings, imports, modules) for base in node.bases):
            return "its base is a class other code may call methods of", node.lineno
    for use in objects.uses[name]:
        if not _plain_use(use, plain, objects):
            where = _escape(use, objects)
            return "the file hands its objects to code that could call any method", getattr(where, "lineno", nodes[0].lineno)
    return None


def _objects(tree: ast.Module, parents: dict[ast.AST, ast.AST], bindings: dict[str, list[ast.AST]],
             imports: dict[str, list[tuple[str, int]]], main_runs: bool = True) -> tuple[_Objects, bool]:
    """The :class:`_Objects` of the file, and whether an nn.Module may be plain in it (:func:`_attaches_code`);
    ``main_runs``: its ``if __name__ == "__main__":`` runs where it is graded (a notebook; a .py file is imported)."""
    # an nn.Module's machinery calls only what module_methods names, unless the file attaches code (a file without an
    # nn.Module of its own has nothing to ask)
    modules = has_modules(bindings, imports) and not _attaches_code(tree)
    uses, bound = collections.defaultdict(list), set()
    for node in walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            uses[node.id].append(node)
        if not isinstance(node, (ast.Import, ast.ImportFrom, ast.alias)):
            bound.update(bound_here(node))
    never = frozenset() if main_runs or "__name__" in bound or "__name__" in imports else frozenset(
        id(node) for statement in tree.body if _main_guard(statement) for inner in statement.body for node in walk(inner))
    uses = collections.defaultdict(list, {name: [use for use in found if id(use) not in never]
                                          for name, found in uses.items()})
    library = HANDS_SELF_BACK | LOOKS_NAMES_UP if modules else frozenset()
    copies = {f"{name}.{function}" if target == "copy" else name for name, found in imports.items()
              if len(found) == 1 and name not in bound and name not in bindings
              for target in [found[0][0]] if target in ("copy", "copy.copy", "copy.deepcopy")
              for function in ("copy", "deepcopy")}
    if copies and _slots_named(tree):  # (read only where the file copies at all)
        copies = set()
    return _Objects(parents, uses, library, looking=frozenset(ONLY_LOOKING) - bound - imports.keys(),
                    copies=frozenset(copies), types=_types(bindings, imports, bound), never=never), modules


TYPES = ("int", "float", "bool", "str", "bytes", "complex", "list", "tuple", "dict", "set", "frozenset", "object",
         "type")  # builtins an ``isinstance`` may test against: their checks call no method of the object


def _types(bindings: dict[str, list[ast.AST]], imports: dict[str, list[tuple[str, int]]], bound: set[str]
           ) -> frozenset[str]:
    """What ``isinstance(m, T)`` may name as ``T`` and still hand ``m`` to no code of the file's: a builtin of
    :data:`TYPES` the file never binds, a name torch or numpy gave it, or a class of the file's with no decorator,
    metaclass or base but ``object``, another such class or torch's (a ``typing.Protocol``'s check calls ``hasattr``
    for each of its members, whose names the file may build: red team 195's question)."""
    names = {name for name in TYPES if name not in bound and name not in imports and name not in bindings}
    names |= {name for name, found in imports.items() if name not in bindings and name not in bound
              and all(target.split(".")[0] in ("torch", "numpy") for target, _ in found)}
    roots = {f"{name}." for name in names - set(TYPES)}  # (torch's and numpy's: ``nn.Module``, ``torch.Tensor``)
    classes = {name for name, nodes in bindings.items() if nodes and all(
        isinstance(node, ast.ClassDef) and not node.decorator_list and not node.keywords for node in nodes)}
    while True:
        kept = {name for name in classes if all(
            isinstance(base, ast.Name) and (base.id in classes or base.id == "object")
            or f"{chain(base).split('.')[0]}." in roots for node in bindings[name] for base in node.bases)}
        if kept == classes:
            return frozenset(names | classes | roots)
        classes = kept


def _plain_types(given: list[ast.AST], objects: _Objects) -> bool:
    """``isinstance``'s second argument (a name, a torch chain, or a tuple of them) names only :attr:`_Objects.types`."""
    parts = given[0].elts if len(given) == 1 and isinstance(given[0], ast.Tuple) else given
    return len(given) == 1 and all(isinstance(part, ast.Name) and part.id in objects.types
                                   or isinstance(part, ast.Attribute) and f"{chain(part).split('.')[0]}." in objects.types
                                   for part in parts)


SLOTS = ("slots__", "slotnames", "copyreg")  # how copy's default reduce finds the attributes it reads by name


def _slots_named(tree: ast.Module) -> bool:
    """The file spells ``__slots__``, ``__slotnames__`` or ``copyreg`` (a name, an attribute or in a string): then a
    copy's default reduce may read attributes by names the file builds (red team 194: ``__slots__ = ("sl" + "ope",)``
    had ``copy.copy(P)`` run an unread property), so a copy does not keep an object in place."""
    return any(part in name for name in identifiers(tree) for part in SLOTS)


def _main_guard(statement: ast.stmt) -> bool:
    """``if __name__ == "__main__":`` (either way round), at the top level."""
    test = statement.test if isinstance(statement, ast.If) else None
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq)):
        return False
    sides = [test.left, test.comparators[0]]
    return any(isinstance(side, ast.Name) and side.id == "__name__" for side in sides) \
        and any(isinstance(side, ast.Constant) and side.value == "__main__" for side in sides)


def _own_reason(node: ast.ClassDef, objects: _Objects, bindings: dict[str, list[ast.AST]],
                imports: dict[str, list[tuple[str, int]]]) -> tuple[str, int] | None:
    """Why the class itself may have methods called unnamed: a decorator but ``@dataclass``, a metaclass, an object in
    its body, a method that hands its object on (:func:`_self_escapes`); None for none."""
    if not all(_dataclass(d, bindings, imports) for d in node.decorator_list) or node.keywords:
        return "it has a decorator or a metaclass", node.lineno
    if not _holds_no_objects(node, imports):
        return "its body holds an object, not only methods and constants", node.lineno
    if (use := _self_escapes(node, objects)) is not None:
        return "a method of it hands its object to other code", getattr(use, "lineno", node.lineno)
    return None


def _plain_base(base: ast.AST, plain: set[str], bindings: dict[str, list[ast.AST]],
                imports: dict[str, list[tuple[str, int]]], modules: bool) -> bool:
    """A base a plain class may have: another plain class, ``object``, or (where ``modules``) torch's nn.Module."""
    return isinstance(base, ast.Name) and (base.id in plain or base.id == "object" and base.id not in bindings
                                           and base.id not in imports) \
        or modules and _torch_module(base, bindings, imports)


def _escape(use: ast.Name, objects: _Objects) -> ast.AST:
    """Where a use of a class's name lets its object go: ``m = C()``'s first use of ``m`` other than in place, or
    the use itself."""
    call = objects.parents.get(use)
    assign = objects.parents.get(call)
    if isinstance(call, ast.Call) and call.func is use and isinstance(assign, ast.Assign) and len(assign.targets) == 1 \
            and isinstance(assign.targets[0], ast.Name):
        return next((other for other in objects.uses[assign.targets[0].id] if not _in_place(other, objects)), use)
    return use


def _torch_module(base: ast.AST, bindings: dict[str, list[ast.AST]], imports: dict[str, list[tuple[str, int]]]
                  ) -> bool:
    """``nn.Module`` (``torch.nn.Module``), through an import of its root that the file binds no other way (fairness
    50: an ``nn.Module`` of the file with ``slope_autograd`` beside ``slope_by_hand``)."""
    root = base
    while isinstance(root, ast.Attribute):
        root = root.value
    return isinstance(root, ast.Name) and root.id not in bindings and imported_name(base, imports) in TORCH_MODULES


def module_based(node: ast.ClassDef, bindings: dict[str, list[ast.AST]], imports: dict[str, list[tuple[str, int]]],
                 seen: frozenset[str] = frozenset()) -> bool:
    """The class derives from ``nn.Module``, itself or through classes of the file."""
    return any(_torch_module(base, bindings, imports) or isinstance(base, ast.Name) and base.id not in seen
               and any(isinstance(value, ast.ClassDef) and module_based(value, bindings, imports, seen | {base.id})
                       for value in bindings.get(base.id, ()))
               for base in node.bases)


def has_modules(bindings: dict[str, list[ast.AST]], imports: dict[str, list[tuple[str, int]]]) -> bool:
    """A class of the file derives from ``nn.Module`` (:func:`module_based`): then each class's methods of
    :func:`module_methods`' names are read as soon as the class is (a plain base's too: ``class Layer(Plain,
    nn.Module)`` has torch call ``Plain.forward``), and no object of the file's classes may go through one of
    :data:`HANDS_SELF_BACK` or :data:`LOOKS_NAMES_UP`."""
    return any(isinstance(node, ast.ClassDef) and module_based(node, bindings, imports)
               for nodes in bindings.values() for node in nodes)


def _attaches_code(tree: ast.Module) -> bool:
    """The file may have torch's ``nn.Module`` machinery run code of its own with an object: it spells one of
    :data:`ATTACHING` anywhere (a name, an attribute, a string), or looks an attribute up by a name it computes."""
    if any(part in name.lower() for name in identifiers(tree) if name not in BY_LITERAL_NAME for part in ATTACHING):
        return True  # (``register_buffer`` with a literal name only stores: :func:`_in_place`)
    return looks_up_computed_names(tree, frozenset()) or any(
        isinstance(node, ast.Call) and chain_end(node.func) in NAME_LOOKUPS
        and not all(isinstance(argument, ast.Constant) for argument in node.args[1:2] or node.args[:1])
        for node in walk(tree))


def chain_end(node: ast.AST) -> str:
    """The last name of ``a.b.c`` (``c``), or of a bare name."""
    return node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else ""


def _plain_use(use: ast.Name, plain: set[str], objects: _Objects) -> bool:
    """A use of a plain class's name: a base of a plain class, an attribute (not a dunder: ``__subclasses__``,
    ``__new__``; nor one of ``library``'s, :func:`_an_attribute`), or a call whose object is kept (:func:`_kept`)."""
    parent = objects.parents.get(use)
    if isinstance(parent, ast.Call) and parent.func is use:
        return _kept(parent, objects)
    return _an_attribute(use, parent, library=objects.library) \
        or isinstance(parent, ast.ClassDef) and use in parent.bases and parent.name in plain


def _kept(made: ast.AST, objects: _Objects, seen: frozenset[str] = frozenset()) -> bool:
    """The object ``made`` is only ever used in place (:func:`_in_place`): ``C(w).m(x)``, or ``m = C(w)`` (or ``m: C
    = …``) where every use of the name ``m`` in the file is, or returned by a method whose every call is so used
    (:func:`_returned_kept`)."""
    parents = objects.parents
    parent = parents.get(made)
    if _in_place(made, objects, seen=seen):
        return True
    if isinstance(parent, ast.Return):
        return _returned_kept(parent, objects, seen)
    if isinstance(parents.get(parent), ast.ClassDef):
        return False  # a class attribute (``Holder.inst``): read through its class, never by its name
    if isinstance(parent, ast.Assign) and len(parent.targets) == 1 and isinstance(parent.targets[0], ast.Name) \
            or isinstance(parent, ast.AnnAssign) and isinstance(parent.target, ast.Name):
        name = parent.targets[0].id if isinstance(parent, ast.Assign) else parent.target.id
        return all(_in_place(use, objects, seen=seen) for use in objects.uses[name])
    return False


def _in_place(node: ast.AST, objects: _Objects, called: bool = True, seen: frozenset[str] = frozenset()) -> bool:
    """A use of an object that hands it to no code that could call a method by a name the file never writes: an
    attribute or a call of it (:func:`_an_attribute`); where the file has an nn.Module, one of its methods that only
    return the object (``m.eval()``, :data:`RETURNS_ITSELF`) whose result is dropped or kept in turn, or that looks up
    a name given as a literal (``self.register_buffer("powers", t)``); ``print(m)``, ``repr``, ``str``,
    ``isinstance(m, C)`` (``C`` one of :attr:`_Objects.types`), ``f"{m}"`` and a notebook's bare ``m`` (which call
    only its dunders, each read; fairness 51); ``copy.deepcopy(m)``, whose new object is kept in turn (fairness 52;
    not in a file that names slots, :func:`_slots_named`)."""
    parents = objects.parents
    parent = parents.get(node)
    if _an_attribute(node, parent, called, objects.library):
        return True
    call = parents.get(parent)
    if isinstance(parent, ast.Attribute) and parent.value is node and objects.library and isinstance(call, ast.Call) \
            and call.func is parent:
        if parent.attr in RETURNS_ITSELF:
            return isinstance(parents.get(call), ast.Expr) or _kept(call, objects, seen)
        return parent.attr in BY_LITERAL_NAME and _literal_name(call)
    if isinstance(parent, ast.Call) and isinstance(parent.func, ast.Name) and parent.func.id in objects.looking:
        if parent.func.id == "isinstance":  # (against what calls no method of the object: _types)
            return parent.args[:1] == [node] and _plain_types(parent.args[1:], objects)
        return any(argument is node for argument in parent.args)
    if isinstance(parent, ast.Call) and parent.args[:1] == [node] and not parent.keywords \
            and chain(parent.func) in objects.copies:  # (copy.deepcopy(m): a new object of its class, kept in turn)
        return isinstance(parents.get(parent), ast.Expr) or _kept(parent, objects, seen)
    return isinstance(parent, ast.FormattedValue) and parent.value is node and parent.format_spec is None \
        or isinstance(parent, ast.Expr) and isinstance(node, ast.Name)


def _literal_name(call: ast.Call) -> bool:
    """``m.register_buffer("powers", t)``: the call's first argument (or its ``name``/``target``) is a literal
    string, nothing unpacked."""
    if any(isinstance(argument, ast.Starred) for argument in call.args) or any(k.arg is None for k in call.keywords):
        return False
    named = call.args[:1] + [k.value for k in call.keywords if k.arg in ("name", "target")]
    return len(named) == 1 and isinstance(named[0], ast.Constant) and isinstance(named[0].value, str)


def _returned_kept(returned: ast.Return, objects: _Objects, seen: frozenset[str]) -> bool:
    """``return C(...)`` in a method (not a dunder) of a class: the object is kept when every use of that method's name
    as an attribute, anywhere in the file, is a call whose object is (fairness 26: ``def deriv(self): return
    Poly(...)``, used as ``POLY.deriv()(x)``). Never from a function outside a class: its caller may be the grader."""
    parents = objects.parents
    method = parents.get(returned)
    while method is not None and not isinstance(method, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        method = parents.get(method)
    if not isinstance(method, (ast.FunctionDef, ast.AsyncFunctionDef)) or method.name in seen \
            or not isinstance(parents.get(method), ast.ClassDef) or method.name.startswith("__") \
            or objects.library and method.name in module_methods():  # (one nn.Module's own code may call, unnamed)
        return False
    named = [node for node in parents if isinstance(node, ast.Attribute) and node.attr == method.name
             and id(node) not in objects.never]
    return all(isinstance(call := parents.get(node), ast.Call) and call.func is node
               and _kept(call, objects, seen | {method.name}) for node in named)


def _self_escapes(node: ast.ClassDef, objects: _Objects) -> ast.AST | None:
    """The first use of the class's object (a method's first parameter) in its methods other than in place
    (:func:`_in_place`): passed or stored bare, or returned but where every call of the method is itself kept
    (:func:`_returned_kept`: ``def fit(self, …): …; return self`` used as ``model = LogReg(3, 1).fit(X, Y)``,
    fairness 50); a class method's class likewise (``cls(...)`` makes an object unseen). None where there is none."""
    for method in node.body:
        if not isinstance(method, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        if any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in method.decorator_list):
            continue
        arguments = [*method.args.posonlyargs, *method.args.args]
        if not arguments:
            return method  # (its object comes in as *args)
        first = arguments[0].arg
        called = not any(isinstance(d, ast.Name) and d.id == "classmethod" for d in method.decorator_list)
        for use in walk(method):
            if (isinstance(use, ast.Name) and use.id == first or isinstance(use, ast.Call)  # super() is the object too
                    and isinstance(use.func, ast.Name) and use.func.id == "super") \
                    and not (_in_place(use, objects, called) or _super_init(use, objects.parents)
                             or called and isinstance(returned := objects.parents.get(use), ast.Return)
                             and _returned_kept(returned, objects, frozenset())
                             or not called and _made_and_returned(use, objects)):
                return use
    return None


def _made_and_returned(use: ast.AST, objects: _Objects) -> bool:
    """``return cls(...)`` in a class method whose every call is kept (:func:`_returned_kept`: ``net =
    TwoLayer.from_handout()`` then ``net.grads(x)``; fairness 52)."""
    call = objects.parents.get(use)
    returned = objects.parents.get(call)
    return isinstance(call, ast.Call) and call.func is use and isinstance(returned, ast.Return) \
        and _returned_kept(returned, objects, frozenset())


def _super_init(use: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    """``super().__init__(…)``: the base's ``__init__`` (``object``'s, ``nn.Module``'s, or a plain class's of the file,
    read as every dunder is) called on the object, as ``nn.Module`` asks of each subclass."""
    attribute = parents.get(use)
    call = parents.get(attribute)
    return isinstance(use, ast.Call) and isinstance(use.func, ast.Name) and use.func.id == "super" \
        and not use.args and not use.keywords and isinstance(attribute, ast.Attribute) and attribute.attr == "__init__" \
        and isinstance(call, ast.Call) and call.func is attribute


def _holds_no_objects(node: ast.ClassDef, imports: dict[str, list[tuple[str, int]]]) -> bool:
    """The class body holds methods, a docstring and constants (numbers, strings, a library's constants such as
    ``math.pi``, displays of them) only: no object there (a descriptor's ``__get__``, red team 37) is handed the
    class's objects. A special name's value (``__slots__``, ``__annotations__``: names Python, ``copy`` or
    ``dataclass`` look attributes up by) is a literal whole: no name built there (red team 195: ``__annotations__ =
    {"sl" + "ope": "float"}`` had a dataclass's ``__repr__`` run an unread property)."""
    for item in node.body:
        if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Pass)):
            continue
        value = item.value if isinstance(item, (ast.Expr, ast.Assign, ast.AnnAssign)) else item
        targets = item.targets if isinstance(item, ast.Assign) else [item.target] if isinstance(item, ast.AnnAssign) else []
        if value is not None and any(isinstance(target, ast.Name) and target.id.startswith("__") for target in targets) \
                and not all(isinstance(part, (ast.Constant, ast.Tuple, ast.List, ast.Set, ast.Dict, ast.expr_context))
                            for part in walk(value)):
            return False
        chains = [part for part in walk(value) if isinstance(part, (ast.Name, ast.Attribute))] if value else []
        if value is not None and not all(
                isinstance(part, (ast.Constant, ast.Tuple, ast.List, ast.Set, ast.Dict, ast.UnaryOp, ast.BinOp,
                                  ast.operator, ast.unaryop, ast.expr_context, ast.Name, ast.Attribute))
                for part in walk(value)) or not all(_library_value(chain, imports) for chain in _outermost(chains)):
            return False
    return True


def _outermost(chains: list[ast.AST]) -> list[ast.AST]:
    """Of dotted chains (``math.pi``, its ``math``), those no other contains."""
    inner = {id(part.value) for part in chains if isinstance(part, ast.Attribute)}
    return [part for part in chains if id(part) not in inner]


def _library_value(chain: ast.AST, imports: dict[str, list[tuple[str, int]]]) -> bool:
    """``math.pi``: a chain from a name imported once, to a library's value that cannot change and is no function
    (:func:`library.class_constant`)."""
    dotted = imported_name(chain, imports)
    return bool(dotted) and class_constant(dotted)


def _an_attribute(node: ast.AST, parent: ast.AST | None, called: bool = True, library: frozenset[str] = frozenset()
                  ) -> bool:
    """``node.attribute`` (the attribute not a dunder: ``__class__`` would make another object, unseen; where the file
    has an nn.Module, not one of ``library``'s nor a ``_``-name: ``m.eval()`` hands the object back, ``m.get_parameter(n)``
    looks any name up), or ``node(...)``
    when ``called`` (an object's ``__call__``, read as every dunder is; never a class method's ``cls(...)``, a new
    object unseen)."""
    return isinstance(parent, ast.Attribute) and parent.value is node \
        and not (parent.attr.startswith("__") and parent.attr.endswith("__")) \
        and not (library and (parent.attr in library or parent.attr.startswith("_"))) \
        or called and isinstance(parent, ast.Call) and parent.func is node


def _dataclass(decorator: ast.AST, bindings: dict[str, list[ast.AST]], imports: dict[str, list[tuple[str, int]]]) -> bool:
    """``@dataclass``, ``@dataclasses.dataclass(frozen=True)`` (imported so, and bound no other way): it adds dunders
    only."""
    decorator = decorator.func if isinstance(decorator, ast.Call) else decorator
    if isinstance(decorator, ast.Name):
        return _imported_as(decorator.id, "dataclasses.dataclass", bindings, imports)
    return isinstance(decorator, ast.Attribute) and decorator.attr == "dataclass" \
        and isinstance(decorator.value, ast.Name) and _imported_as(decorator.value.id, "dataclasses", bindings, imports)


def _imported_as(name: str, target: str, bindings: dict[str, list[ast.AST]], imports: dict) -> bool:
    return name not in bindings and [found for found, _ in imports.get(name, [])] == [target]


def unnamed_methods(node: ast.ClassDef, named: set[str], bindings: dict[str, list[ast.AST]],
                    imports: dict[str, list[tuple[str, int]]]) -> list[ast.AST]:
    """The methods of a plain class that nothing ``named`` so far can call (read later, if ever named)."""
    library = module_methods() if has_modules(bindings, imports) else frozenset()  # (a plain base of one's too)
    return [item for item in node.body if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))
            and not item.name.startswith("_") and item.name not in named and item.name not in library
            and all(_method_decorator(d, bindings, imports) for d in item.decorator_list)]


def _method_decorator(decorator: ast.AST, bindings: dict[str, list[ast.AST]],
                      imports: dict[str, list[tuple[str, int]]]) -> bool:
    """``@staticmethod``, ``@classmethod``, ``@property``; ``functools``' caches, torch's gradient modes: they run
    the method when it is called by its name, and nothing else. Called, only with literals (``lru_cache(maxsize=8)``,
    ``torch.inference_mode(True)``): ``functools.cache(HELPERS.append)`` wraps the list's ``append``, which the
    method is then handed to (red team 197)."""
    if isinstance(decorator, ast.Call):
        if not all(isinstance(part, (ast.Constant, ast.keyword, ast.UnaryOp, ast.unaryop))
                   for given in [*decorator.args, *decorator.keywords] for part in walk(given)):
            return False
        decorator = decorator.func
    if isinstance(decorator, ast.Name) and decorator.id not in bindings:
        targets = [target for target, _ in imports.get(decorator.id, [])]
        return decorator.id in METHOD_DECORATORS and not targets or len(targets) == 1 and targets[0] in (
            *(f"functools.{name}" for name in METHOD_WRAPPERS), *(f"torch.{name}" for name in METHOD_WRAPPERS))
    return isinstance(decorator, ast.Attribute) and decorator.attr in METHOD_WRAPPERS \
        and isinstance(decorator.value, ast.Name) and decorator.value.id not in bindings \
        and [t for t, _ in imports.get(decorator.value.id, [])] in ([["functools"], ["torch"]])


def identity_decorators(bindings: dict[str, list[ast.AST]], imports: dict[str, list], tree: ast.Module | None = None
                        ) -> tuple[frozenset[str], frozenset[str]]:
    """The names bound only to ``def``s that hand back the function they decorate (:func:`returns_argument`: used
    as ``@checked``), and those bound only to ``def``s that return such a ``def`` of their own
    (:func:`returns_identity`: used as ``@checked_against(reference)``)."""
    printing = "print" not in bindings and "print" not in imports
    functions = {name: nodes for name, nodes in bindings.items() if nodes and name not in imports
                 and all(isinstance(node, ast.FunctionDef) for node in nodes)}
    kept = registries(tree, bindings, imports)
    return (frozenset(name for name, nodes in functions.items()
                      if all(returns_argument(n, printing, kept) for n in nodes)),
            frozenset(name for name, nodes in functions.items()
                      if all(returns_identity(n, printing, kept) for n in nodes)))


def registries(tree: ast.Module | None, bindings: dict[str, list[ast.AST]], imports: dict[str, list]
               ) -> frozenset[str]:
    """The names the file binds only as ``NAME = {}`` (or ``[]``, ``dict()``, ``list()``, ``set()``, those builtins
    not bound again, or ``dict[str, object]()``; annotated too, ``NAME: dict = {}``), each a plain statement's one
    target, and in no other way anywhere (no other assignment, loop, ``global``, parameter, import, ``del``, nor a
    local of that name): a registry, into which storing runs no code of the file's."""
    if tree is None:
        return frozenset()

    def empty(value: ast.AST) -> bool:
        if isinstance(value, (ast.Dict, ast.List)):
            return not (value.keys if isinstance(value, ast.Dict) else value.elts)
        made = value.func.value if isinstance(value, ast.Call) and isinstance(value.func, ast.Subscript) else \
            value.func if isinstance(value, ast.Call) else None  # (``dict[str, object]()`` makes a dict too)
        return isinstance(made, ast.Name) and not value.args and not value.keywords \
            and made.id in ("dict", "list", "set") and made.id not in bindings and made.id not in imports

    plain, stores, other = collections.Counter(), collections.Counter(), set()  # (one walk of the tree)
    for node in walk(tree):
        plain.update(target.id for target in _one_target(node) if isinstance(target, ast.Name) and empty(node.value))
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            stores[node.id] += 1
        other.update(binds(node))
    return frozenset(name for name, count in plain.items() if stores[name] == count and name not in other
                     and name not in imports)


def _one_target(node: ast.AST) -> list[ast.AST]:
    """The one target of ``node``, an assignment with a value and one target (``a = v``, ``a: T = v``); else none."""
    if isinstance(node, ast.Assign) and len(node.targets) == 1:
        return node.targets
    return [node.target] if isinstance(node, ast.AnnAssign) and node.value is not None else []


def returns_argument(function: ast.FunctionDef, printing: bool = False, kept: frozenset[str] = frozenset()) -> bool:
    """``def checked(fn): …; return fn``: no decorator of its own, every ``return`` gives back the first parameter
    (or the decorator itself, as ``if fn is None: return checked`` does), which nothing binds again, and which is
    otherwise only called, compared by identity (``is None``), printed (``printing``: ``print`` is the builtin),
    has its ``__name__``-like attributes read, or is stored into one of the registries ``kept`` (:func:`registries`;
    fairness 46: ``REGISTRY[fn.__name__] = fn`` read the decorated by-hand function as reaching every function in
    the registry, the autograd one too): it reaches no other code that could change it."""
    arguments = [*function.args.posonlyargs, *function.args.args]
    if function.decorator_list or not arguments:
        return False
    name, returns = arguments[0].arg, 0
    if recovers_objects(ast.Module(body=function.body, type_ignores=[])):
        return False  # locals()["fn"] reaches the function unnamed
    parents = {child: parent for parent in walk(function) for child in children(parent)}
    for node in walk(function):
        if isinstance(node, ast.Return):
            if not (isinstance(node.value, ast.Name) and (node.value.id == name or node.value.id == function.name
                                                           and _when_none(node, parents, name))):
                return False
            returns += 1
        elif isinstance(node, ast.Name) and node.id == name:
            if not (isinstance(node.ctx, ast.Load) and (_inert_use(node, parents[node], printing)
                                                        or _registered(node, parents[node], kept, parents))):
                return False
        elif node is not arguments[0] and name in binds(node):
            return False
    return returns > 0


def _when_none(node: ast.Return, parents: dict[ast.AST, ast.AST], name: str) -> bool:
    """``node`` is all of ``if name is None: return …`` (a decorator used with and without parentheses)."""
    test = parents.get(node)
    return isinstance(test, ast.If) and test.body == [node] and isinstance(test.test, ast.Compare) \
        and isinstance(test.test.left, ast.Name) and test.test.left.id == name \
        and [type(op) for op in test.test.ops] == [ast.Is] and _is_none(test.test.comparators[0])


def _is_none(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _inert_use(node: ast.Name, parent: ast.AST, printing: bool) -> bool:
    """A use of the decorated function that can only run it or read its name."""
    return isinstance(parent, ast.Return) or isinstance(parent, ast.Call) and (
        parent.func is node or printing and isinstance(parent.func, ast.Name) and parent.func.id == "print"
        and node in parent.args) \
        or isinstance(parent, ast.Compare) and all(isinstance(op, (ast.Is, ast.IsNot)) for op in parent.ops) \
        or isinstance(parent, ast.Attribute) and parent.attr in NAME_ATTRIBUTES and isinstance(parent.ctx, ast.Load)


def _registered(node: ast.Name, parent: ast.AST, kept: frozenset[str], parents: dict[ast.AST, ast.AST]) -> bool:
    """``node`` is stored, as it is, into one of the registries ``kept``: ``REGISTRY[key] = fn`` or
    ``REGISTRY.setdefault(key, fn)`` or ``REGISTRY.update({key: fn})`` (the key a literal or the function's own
    ``__name__``-like attribute), or ``REGISTRY.append(fn)`` / ``.add(fn)``."""
    def inert(key: ast.AST) -> bool:
        return isinstance(key, ast.Constant) or isinstance(key, ast.Attribute) and key.attr in NAME_ATTRIBUTES \
            and isinstance(key.value, ast.Name) and key.value.id == node.id

    if isinstance(parent, ast.Assign) and parent.value is node and len(parent.targets) == 1:
        target = parent.targets[0]
        return isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name) and target.value.id in kept \
            and inert(target.slice)
    given, parent = (parent, parents.get(parent)) if isinstance(parent, ast.Dict) else (None, parent)
    func = parent.func if isinstance(parent, ast.Call) else None
    if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in kept) \
            or parent.keywords:
        return False
    if isinstance(given, ast.Dict):  # ``REGISTRY.update({key: fn})``
        return func.attr == "update" and parent.args == [given] and given.values == [node] \
            and given.keys[0] is not None and inert(given.keys[0])
    return func.attr in ("append", "add") and parent.args == [node] \
        or func.attr == "setdefault" and len(parent.args) == 2 and parent.args[1] is node and inert(parent.args[0])


def returns_identity(factory: ast.FunctionDef, printing: bool = False, kept: frozenset[str] = frozenset()) -> bool:
    """``def checked_against(reference): def check(fn): …; return fn; return check``: a decorator factory whose every
    ``return`` gives back a ``def`` of its own body that :func:`returns_argument`, a name it binds nowhere else."""
    inner = {node.name: node for node in factory.body if isinstance(node, ast.FunctionDef)}
    stack, returned = list(factory.body), set()
    while stack:  # the factory's own statements, not its nested definitions'
        node = stack.pop()
        if isinstance(node, ast.Return):
            if not (isinstance(node.value, ast.Name) and node.value.id in inner):
                return False
            returned.add(node.value.id)
        elif not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            stack.extend(children(node))
    if factory.decorator_list or not returned:
        return False
    bound = collections.Counter(name for node in walk(factory) for name in (
        [node.id] if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load) else binds(node)))
    return all(bound[name] == 1 and returns_argument(inner[name], printing, kept) for name in returned)


def binds(node: ast.AST) -> list[str]:
    """The names ``node`` binds other than by a plain name (those are :class:`ast.Name` stores)."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    if isinstance(node, ast.alias):
        return [node.asname or node.name.split(".")[0]]
    if isinstance(node, ast.arg):
        return [node.arg]
    if isinstance(node, (ast.Global, ast.Nonlocal)):
        return list(node.names)
    if isinstance(node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)):
        return [node.name] if node.name else []
    if isinstance(node, ast.MatchMapping):
        return [node.rest] if node.rest else []
    return []


def identifiers(root: ast.AST, skip: frozenset[int] = frozenset()) -> Iterator[str]:
    """Every name ``root`` can look an attribute up by, outside ``skip``: its names, attributes, imports,
    arguments, keywords, definitions and class patterns' keywords, and (marked :data:`STRING`) each string but a
    docstring, whole."""
    for node in walk(root, skip):
        if isinstance(node, ast.Name):
            yield node.id
        elif isinstance(node, ast.Attribute):
            yield node.attr
        elif isinstance(node, ast.alias):
            yield from node.name.split(".")
            if node.asname:
                yield node.asname
        elif isinstance(node, (ast.arg, ast.keyword)) and node.arg:
            yield node.arg
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            yield node.name
        elif isinstance(node, ast.MatchClass):
            yield from node.kwd_attrs  # case Box(slope=s) reads o.slope
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            skip = skip | {id(node.value)}  # a docstring (or any string left as a statement) looks nothing up
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            yield STRING + node.value  # getattr(o, "m"), "{0.m}".format(o): matched with `in`, however spelled



@functools.lru_cache(maxsize=None)
def looks_up_computed_names(root: ast.AST, skip: frozenset[int]) -> bool:
    """``root`` (outside ``skip``) looks attributes up by names no reading can see: a class pattern with positional
    parts (``case Box(s)``, by the class's ``__match_args__``), or ``.format``/``.format_map`` of a string that is not
    a literal (``("{0." + name + "}").format(o)``)."""
    for node in walk(root, skip):
        if isinstance(node, ast.MatchClass) and node.patterns:
            return True
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr in ("format", "format_map") \
                and not (isinstance(node.func.value, ast.Constant) and isinstance(node.func.value.value, str)):
            return True
    return False


def imports_used(root: ast.AST, imports: dict[str, list[tuple[str, int]]], skip: frozenset[int]) -> set[str]:
    """The top-level packages ``root`` imports or names through the file's imports (outside ``skip``; not in
    annotations, which name types, nor ``dataclasses``' own ``field`` and ``dataclass``)."""
    annotations = {id(part) for node in walk(root, skip) for part in (
        [node.annotation] if isinstance(node, (ast.arg, ast.AnnAssign)) and node.annotation is not None else
        [node.returns] if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.returns else [])}
    used: set[str] = set()
    plain = {id(node.value) for node in walk(root, skip) if isinstance(node, ast.Attribute)  # sys.stderr, logging.debug
             and isinstance(node.value, ast.Name) and imports.get(node.value.id)
             and all(node.attr in SAFE_ATTRIBUTES.get(target, ()) for target, _ in imports[node.value.id])}
    for node in walk(root, skip | annotations):
        if isinstance(node, ast.Name) and node.id in imports and id(node) not in plain:
            targets = [target for target, _ in imports[node.id]]
            if targets not in ([target] for target in DATACLASSES):
                used |= {target.lstrip(".").split(".")[0] or "." for target in targets}
        elif isinstance(node, ast.Import):
            used |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            used.add((node.module or ".").split(".")[0] if not node.level else ".")
    return used


def debug_branches(tree: ast.Module, parents: dict[ast.AST, ast.AST], bindings: dict[str, list[ast.AST]],
                   ordered: bool, function: str, passed: int | None) -> frozenset[int]:
    """The statements of ``if flag:`` (or ``if flag and …:``) in ``function`` that cannot run when the grader calls
    it with ``passed`` positional arguments: ``flag`` is a later parameter (or keyword-only) whose default is a
    false literal, bound nowhere in the function; the function is one plain ``def``; nothing in the file names a
    function's defaults, and the function is named only in direct calls at the top level (no code it runs, nor any
    other, can hold it to call it with the flag); nothing can reorder statements (``ordered``). Or ``flag`` is a
    module-level constant no code can change (:func:`_false_constants`: ``DEBUG = False``), not shadowed in the
    function."""
    nodes = bindings.get(function, [])
    if not ordered or len(nodes) != 1 or not isinstance(nodes[0], ast.FunctionDef):
        return frozenset()
    node = nodes[0]
    flags = _unpassed_flags(node, passed) if passed is not None and not node.decorator_list \
        and _only_called_at_top_level(tree, parents, function, passed) else set()
    flags = (flags | (_false_constants(tree, bindings) - parameter_names(node))) - bound_in(node.body)
    return branches_when(node, flags)


def branches_when(function: ast.FunctionDef | ast.AsyncFunctionDef, flags: set[str]) -> frozenset[int]:
    """The statements (ids) of ``function``'s own ``if flag:`` (or ``if flag and …:``) bodies, for ``flags``."""
    skip: set[int] = set()
    stack = list(function.body)
    while stack:  # the function's own statements: a nested scope's ``flag`` may be its own
        inner = stack.pop()
        if isinstance(inner, ast.If) and _only_when(inner.test, flags):
            skip.update(map(id, inner.body))
            stack.extend(inner.orelse)
        elif not isinstance(inner, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            stack.extend(children(inner))
    return frozenset(skip)


FALSE_LITERALS = (None, False, 0, "")
NAMESPACE_NAMES = frozenset({"globals", "vars", "setattr", "__setattr__", "__dict__", "modules", "__import__", "exec",
                             "eval", "compile", "importlib", "__builtins__", "builtins", "locals"})


def _false_constants(tree: ast.Module, bindings: dict[str, list[ast.AST]]) -> set[str]:
    """Module-level names bound once, to a false literal (``DEBUG = False``), and never again: bound by no other
    statement of the file, in any scope (a loop, a function's ``global``, an import under ``try:``, which ``bindings``
    keeps apart: red team 111), no star import anywhere (``S = False``, then ``from re import *`` binds ``re.S``, 16:
    red team 110), no attribute of that name anywhere (``exercise_1.DEBUG = True`` through an import of itself), and
    nothing in the file that reaches the module's namespace by name (:data:`NAMESPACE_NAMES`)."""
    constants = {name for name, values in bindings.items() if len(values) == 1
                 and isinstance(values[0], ast.Constant) and values[0].value in FALSE_LITERALS
                 and type(values[0].value) in (type(None), bool, int, str)}
    if not constants:
        return set()
    binds: collections.Counter = collections.Counter()
    for node in walk(tree):
        if isinstance(node, ast.Name) and node.id in NAMESPACE_NAMES or \
                isinstance(node, ast.Attribute) and (node.attr in NAMESPACE_NAMES or node.attr in constants) or \
                isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in constants:
            return set()
        if not isinstance(node, ast.arg):  # (a parameter is its function's own)
            binds.update(bound_here(node))
    return set() if binds["*"] else {name for name in constants if binds[name] == 1}


def _unpassed_flags(function: ast.FunctionDef, passed: int) -> set[str]:
    """The parameters past the first ``passed`` positional ones whose default is a false literal."""
    positional = [arg.arg for arg in [*function.args.posonlyargs, *function.args.args]]
    return {arg.arg for arg, default in defaults(function) if arg.arg not in positional[:passed]
            and literal(default, _MISSING) in FALSE_LITERALS}


LITERAL_TYPES = (type(None), bool, int, str)  # values whose comparisons a reading can work out exactly


def literal(node: ast.AST | None, unknown: object) -> object:
    """``node``'s value where it is a literal of :data:`LITERAL_TYPES`, else ``unknown``."""
    if isinstance(node, ast.Constant) and type(node.value) in LITERAL_TYPES:
        return node.value
    return unknown


def dead_when(function: ast.FunctionDef | ast.AsyncFunctionDef, values: dict[str, frozenset]) -> frozenset[int]:
    """The statements (ids) of ``function``'s own body that cannot run while each parameter in ``values`` holds one of
    its literals there: the branch of an ``if`` whose test those literals decide (:func:`decided`), and what follows,
    in its block, an ``if`` whose taken branch ends in ``return`` or ``raise``."""
    dead: set[int] = set()
    _dead_in(function.body, values, dead)
    return frozenset(dead)


def _dead_in(block: list[ast.stmt], values: dict[str, frozenset], dead: set[int]) -> None:
    for index, statement in enumerate(block):
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue  # (a nested scope's names may be its own)
        if not isinstance(statement, ast.If):
            for field in ("body", "orelse", "finalbody"):
                _dead_in(getattr(statement, field, None) or [], values, dead)
            for handler in getattr(statement, "handlers", None) or []:
                _dead_in(handler.body, values, dead)
            continue
        truth = decided(statement.test, values)
        taken, skipped = (statement.body, statement.orelse) if truth else (statement.orelse, statement.body)
        if truth is None:
            _dead_in(statement.body, values, dead)
            _dead_in(statement.orelse, values, dead)
            continue
        dead.update(map(id, skipped))
        _dead_in(taken, values, dead)
        if taken and isinstance(taken[-1], (ast.Return, ast.Raise)):
            dead.update(map(id, block[index + 1:]))
            return


def decided(test: ast.AST, values: dict[str, frozenset]) -> bool | None:
    """Whether ``test`` is true (True), false (False) or either (None) for every literal of ``values`` its names may
    hold: ``flag``, ``not flag``, ``flag == "autograd"`` (``!=``, ``is``, ``is not``, ``in (…)``, either side), and
    ``and``/``or`` of such."""
    if isinstance(test, ast.Name) and test.id in values:
        return _one({bool(value) for value in values[test.id]})
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        inner = decided(test.operand, values)
        return None if inner is None else not inner
    if isinstance(test, ast.BoolOp):
        parts = [decided(part, values) for part in test.values]
        if isinstance(test.op, ast.And):
            return False if False in parts else True if all(part is True for part in parts) else None
        return True if True in parts else False if all(part is False for part in parts) else None
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        left, op, right = test.left, test.ops[0], test.comparators[0]
        if isinstance(right, ast.Name) and right.id in values and isinstance(op, (ast.Eq, ast.NotEq, ast.Is, ast.IsNot)):
            left, right = right, left
        if isinstance(left, ast.Name) and left.id in values:
            return _one({_compared(value, op, right) for value in values[left.id]})
    return None


_MISSING = object()


def _compared(value: object, op: ast.cmpop, node: ast.AST) -> bool | None:
    """``value <op> node`` where ``node`` is a literal (or, for ``in``, a tuple, list or set of literals); None where
    it cannot be told (``is`` between equal strings or ints depends on the interpreter)."""
    if isinstance(op, (ast.In, ast.NotIn)):
        items = [literal(item, _MISSING) for item in getattr(node, "elts", None) or [_MISSING]] \
            if isinstance(node, (ast.Tuple, ast.List, ast.Set)) else [_MISSING]
        if _MISSING in items:
            return None
        return (value in items) == isinstance(op, ast.In)
    other = literal(node, _MISSING)
    if other is _MISSING:
        return None
    if isinstance(op, (ast.Eq, ast.NotEq)):
        return (value == other) == isinstance(op, ast.Eq)
    if isinstance(op, (ast.Is, ast.IsNot)):
        if type(value) in (bool, type(None)) or type(other) in (bool, type(None)) or value != other:
            return (value is other) == isinstance(op, ast.Is)
        return None
    return None


def _one(outcomes: set) -> bool | None:
    return next(iter(outcomes)) if len(outcomes) == 1 and None not in outcomes else None


def _only_when(test: ast.AST, flags: set[str]) -> bool:
    """``test`` is true only when one of ``flags`` is: ``flag``, ``flag and …``."""
    if isinstance(test, ast.Name):
        return test.id in flags
    return isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And) and any(_only_when(v, flags) for v in test.values)


def _only_called_at_top_level(tree: ast.Module, parents: dict[ast.AST, ast.AST], function: str, passed: int) -> bool:
    """``function`` is named nowhere but in its ``def`` and in direct calls outside every function and class that
    pass what the grader passes (at most ``passed`` positional arguments, nothing else: the branch never runs, at
    import either, where it could fill a mutable default), and no code names a function's defaults
    (``__defaults__``, ``__kwdefaults__``, in a string too)."""
    if rewrites_defaults(tree):
        return False
    for node in walk(tree):
        if isinstance(node, ast.Name) and node.id == function:
            parent, above = parents.get(node), parents.get(node)
            if not (isinstance(parent, ast.Call) and parent.func is node and isinstance(node.ctx, ast.Load)
                    and len(parent.args) <= passed and not parent.keywords
                    and not any(isinstance(argument, ast.Starred) for argument in parent.args)):
                return False
            while above is not None:
                if isinstance(above, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
                    return False
                above = parents.get(above)
    return True


def rewrites_defaults(tree: ast.Module) -> bool:
    """The file names a function's defaults (``__defaults__``, ``__kwdefaults__``, in a string too), or sets
    attributes by a name it may compute (``setattr``, ``__setattr__``)."""
    return any(isinstance(node, ast.Attribute) and node.attr in ("__defaults__", "__kwdefaults__", "__setattr__")
               or isinstance(node, ast.Name) and node.id in ("setattr", "__setattr__")
               or isinstance(node, ast.Constant) and isinstance(node.value, str) and "defaults__" in node.value
               for node in walk(tree))


def defaults(function: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> list[tuple[ast.arg, ast.expr]]:
    """Each parameter of ``function`` that has a default, with its default's expression."""
    arguments = function.args
    positional = [*arguments.posonlyargs, *arguments.args]
    return list(zip(positional[len(positional) - len(arguments.defaults):], arguments.defaults)) + \
        [(arg, default) for arg, default in zip(arguments.kwonlyargs, arguments.kw_defaults) if default is not None]


def parameter_names(function: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> set[str]:
    """Every parameter ``function`` names (``*args`` and ``**kwargs`` too)."""
    return {arg.arg for arg in ast.walk(function.args) if isinstance(arg, ast.arg)}


def named_parameters(function: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> set[str]:
    """The parameters a call gives one value each, by position or name: not ``*args`` (a tuple) nor ``**kwargs`` (a
    dict), whose names a keyword of the same name never binds."""
    arguments = function.args
    return {arg.arg for arg in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]}


def default_of(function: ast.FunctionDef | ast.AsyncFunctionDef, parameter: str) -> ast.AST | None:
    """The default value expression of ``function``'s ``parameter``, if it has one."""
    return next((default for arg, default in defaults(function) if arg.arg == parameter), None)


def bound_in(body: list[ast.stmt]) -> set[str]:
    """Every name ``body`` binds, nested scopes included: a parameter bound there may not hold what was passed."""
    return {name for statement in body for inner in walk(statement) for name in (
        [inner.id] if isinstance(inner, ast.Name) and not isinstance(inner.ctx, ast.Load) else binds(inner))}


def recovers_objects(tree: ast.Module, imports: dict[str, list[tuple[str, int]]] | None = None) -> bool:
    """The file names something that can hand back an object without naming it (:data:`RECOVERS`: ``m.go.__self__``,
    a frame's ``f_locals``, ``gc``, ``locals()``); ``torch.stack`` or ``np.trace`` (of a library that hands back
    no object so) is not ``inspect.stack``, nor is ``"x" in globals()`` (:func:`membership_tests`)."""
    tests = membership_tests(tree)
    return any(isinstance(node, ast.Name) and node.id in RECOVERS and id(node) not in tests
               or isinstance(node, ast.Attribute)
               and node.attr in RECOVERS and not _array_library(node.value, imports or {})
               or isinstance(node, ast.alias) and RECOVERS & set(node.name.split("."))
               for node in walk(tree))


def membership_tests(tree: ast.AST) -> frozenset[int]:
    """The ``globals`` (``locals``, ``vars``) names of ``"x_demo" not in globals()``: a test of whether a name is
    bound, which hands no object and no value on (fairness 39: a notebook's "define once" cell made the whole file
    one of computed names)."""
    return frozenset(id(test.comparators[0].func) for test in walk(tree) if isinstance(test, ast.Compare)
                     and len(test.ops) == 1 and isinstance(test.ops[0], (ast.In, ast.NotIn))
                     and isinstance(call := test.comparators[0], ast.Call) and isinstance(call.func, ast.Name)
                     and call.func.id in ("globals", "locals", "vars") and not call.args and not call.keywords)


def _array_library(node: ast.AST, imports: dict[str, list[tuple[str, int]]]) -> bool:
    """``node`` is a name imported only as torch or numpy, or a module of theirs (``torch``, ``np.linalg``)."""
    while isinstance(node, ast.Attribute):
        node = node.value
    targets = {target.split(".")[0] for target, _ in imports.get(node.id, [])} if isinstance(node, ast.Name) else set()
    return bool(targets) and targets <= {"torch", "numpy"}
