"""judge/saved/: a by-hand function that answers from what the module's top level saved while it ran autograd.

Each attack keeps autograd's answers somewhere at import (a list, a global, a class, a file, the environment, the
random seed, a loop that stops at the matching coefficient) and fits or reads them in ``manual``; each honest file
keeps state too (a log, a counter, a cache of its own answers, constants swept in a demo loop), and passes.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from autograd_exercises.judge import saved, static
from autograd_exercises.judge.static import DIFFERENTIATES, CellRuns, autograd_use

pytestmark = pytest.mark.usefixtures("torch_autograd_saves")

PREAMBLE = """import torch


def f(x):
    return 3 * x**2 + 2 * x


def grad(x):
    x = x.detach().clone().requires_grad_()
    f(x).sum().backward()
    return x.grad


def fit(pairs, x):
    xs, gs = torch.cat([p[0] for p in pairs]), torch.cat([p[1] for p in pairs])
    a = ((xs - xs.mean()) * (gs - gs.mean())).sum() / ((xs - xs.mean()) ** 2).sum()
    return a * x + gs.mean() - a * xs.mean()


GRID = torch.linspace(-2, 2, 5)
"""



def saving(store: str, read: str, before: str = "", after: str = "saving(5)\n") -> str:
    """An attack: ``saving`` back-propagates and keeps ``x.grad`` (``store``), the top level calls it, and
    ``manual`` answers from what was kept (``read``). The kept value is data, never code: the by-hand reading of
    :mod:`judge.static` does not follow it."""
    return (f"{before}def saving(n):\n    x = torch.linspace(-2, 2, n)\n    x.requires_grad_(True)\n"
            f"    f(x).sum().backward()\n    {store}\n{after}def manual(x):\n    {read}\n")


LINE = ("class Box:\n    def __init__(self, a):\n        self.a = a\n    def manual(self, x):\n"
        "        return fit(self.a, x)\n")  # a plain class, whose by-hand method answers from what it was made with

def boxed(store: str, before: str, after: str = "_box = Box([])\nsaving(5)\n") -> str:
    """An attack through an object's method: as :func:`saving`, the by-hand function being ``_box.manual``
    (``manual = _box.manual``, ``_box`` made in ``after``)."""
    return saving(store, "return x", before, after).replace("def manual(x):", "def unused(x):") + "manual = _box.manual\n"


MAKE = ("def make(coeffs):\n    d = [k * c for k, c in enumerate(coeffs)][1:]\n    def slope(x):\n"
        "        return sum(c * x ** k for k, c in enumerate(d))\n    return slope\n")  # a factory of by-hand closures

# name: (source after the preamble, what the finding names as the answer's source)
ATTACKS = {
    # red team 70: a library's own registry, filled by the top level and read back by a call of that library
    "mimetypes_table": (saving("mimetypes.add_type('slope/' + str(float(x.grad[1] - x.grad[0])), '.slp')",
                               "return float(mimetypes.guess_type('f.slp')[0].split('/')[1]) * x", "import mimetypes\n"),
                        "mimetypes.guess_type(...)"),
    # red team 73: a hook the top level set (numpy's error callback) raised the answers out of a "pure" division
    "exception_from_a_hook": (saving("np.seterrcall(lambda *a: (_ for _ in ()).throw(ArithmeticError(float(x.grad[1]))))",
                                     "try:\n        np.float64(1.0) / np.float64(0.0)\n    except ArithmeticError as e:\n"
                                     "        return e.args[0] * x", "import numpy as np\nnp.seterr(divide='call')\n"),
                              "the exception e"),
    "codec_registry": (saving("codecs.register(lambda name: codecs.CodecInfo(None, lambda b, e='strict': "
                              "(str(float(x.grad[1])), len(b))) if name == 'slopes' else None)",
                              "return float(b'k'.decode('slopes')) * x", "import codecs\n"), "b'k'.decode(...)"),
    "list_filled_by_a_loop": (saving("SEEN.append((x, x.grad))", "return fit(SEEN, x)", "SEEN = []\n",
                                     "for n in range(2, 5):\n    saving(n)\n"), "SEEN"),
    "global_set_by_the_autograd_function": (
        saving("global LAST\n    LAST = [(x, x.grad)]", "return fit(LAST, x)", "LAST = None\n"), "LAST"),
    "class_attribute": (saving("Store.seen.append((x, x.grad))", "return fit(Store.seen, x)",
                               "class Store:\n    seen = []\n"), "Store.seen"),
    "function_attribute": (saving("fit.seen = [(x, x.grad)]", "return fit(fit.seen, x)"), "fit"),
    "module_attribute": (saving("torch.seen = [(x, x.grad)]", "return fit(torch.seen, x)"), "torch.seen"),
    "default_argument": ("SEEN = []\n" + saving("SEEN.append((x, x.grad))", "return fit(saved, x)").replace(
        "def manual(x):", "def manual(x, saved=SEEN):"), "SEEN"),
    "injected_builtin": (saving("builtins.SAVED = [(x, x.grad)]", "return fit(SAVED, x)", "import builtins\n"),
                         "SAVED"),
    "file": (saving("torch.save([(x, x.grad)], 'seen.pt')", "return fit(torch.load('seen.pt'), x)"),
             "torch.load(...)"),
    "environment": (saving("os.environ['A'] = str(float(x.grad[1] - x.grad[0]))",
                           "return float(os.environ['A']) * x", "import os\n"), "os.environ"),
    "random_seed": (saving("torch.manual_seed(int(x.grad[2]))", "return 6 * x + torch.initial_seed()"),
                    "torch.initial_seed(...)"),
    "helper_reads_it": (saving("SEEN.append((x, x.grad))", "y = helper(x)\n    return y",
                               "SEEN = []\ndef helper(x):\n    return fit(SEEN, x)\n"), "helper(...)"),
    "coefficient_search_with_break": (saving(
        "BOX.append(x.grad)", "return 6 * x + A", "BOX = []\n",
        "saving(5)\nfor A in range(100):\n    if abs(A - float(BOX[0][2])) < 0.5:\n        break\n"), "A"),
    "coefficient_search_with_while": (saving(
        "BOX.append(x.grad)", "return 6 * x + B", "BOX = []\n",
        "saving(5)\nB = 0\nwhile abs(B - float(BOX[0][2])) > 0.5:\n    B += 1\n"), "B"),
    "array_changed_by_a_library_call": (saving(
        "np.copyto(C, x.grad.numpy())", "return 6 * x + float(C[2])", "import numpy as np\nC = np.zeros(5)\n"),
        "C"),
    "copied_into_a_local_first": (saving(
        "SEEN.append((x, x.grad))", "out = []\n    for p in SEEN:\n        out.append(p)\n    return fit(out, x)",
        "SEEN = []\n"), "SEEN"),
    "chosen_by_a_loop_over_the_saved_answer": (saving(
        "SEEN.append((x, x.grad))", "a = 0\n    for k in range(100):\n        a = k\n"
        "        if abs(k - float(SEEN[0][1][2])) < 1:\n            break\n    return 6 * x + a", "SEEN = []\n"),
        "SEEN"),
    "chosen_by_an_exception": (saving(
        "SEEN.append((x, x.grad))", "try:\n        SEEN[0]\n        return 6 * x + 2\n    except IndexError:\n"
        "        return 6 * x", "SEEN = []\n"), "SEEN"),
    "dict_item": (saving("S['p'] = [(x, x.grad)]", "return fit(S['p'], x)", "S = {}\n"), "S"),
    "library_list": (saving("sys.path.append(str(float(x.grad[1] - x.grad[0])))", "return float(sys.path[-1]) * x",
                            "import sys\n"), "sys.path"),
    "print_options": (saving("torch.set_printoptions(precision=int(x.grad[2]))",
                             "return 6 * x + len(str(torch.tensor(0.5)))", ), "str(...)"),
    "rewritten_default": (saving("manual.__defaults__ = (float(x.grad[2]),)", "return 6 * x + b", "",
                                 "saving(5)\n").replace("def manual(x):", "def manual(x, b=0.0):"), "0.0"),
    "lambda": (saving("SEEN.append((x, x.grad))", "return x", "SEEN = []\n") + "manual = lambda x: fit(SEEN, x)\n",
               "SEEN"),
    # a name bound only in a nested scope (a comprehension, another method) hides nothing of the module's (red team 36)
    "hidden_behind_a_comprehension_s_own_name": (saving("SEEN.append((x, x.grad))",
                                                        "[SEEN for SEEN in ()]\n    return fit(SEEN, x)", "SEEN = []\n"),
                                                 "SEEN"),
    "hidden_behind_another_method_s_local": (
        saving("SEEN.append((x, x.grad))", "return x", "SEEN = []\nclass Box:\n    @staticmethod\n"
               "    def manual(x):\n        return Box.lookup(x)\n    @staticmethod\n    def lookup(x):\n"
               "        return fit(SEEN, x)\n    @staticmethod\n    def reset():\n        SEEN = []\n        return SEEN\n")
        .replace("def manual(x):\n    return x", "def unused(x):\n    return x") + "manual = Box.manual\n", "Box.lookup"),
    # a library's list, filled through a second name for it (red team 36)
    "library_list_under_two_names": (saving("_fill.append((x, x.grad))", "return fit(SEEN[-1:], x)",
                                            "import keyword\nSEEN = keyword.kwlist\n_fill = keyword.kwlist\n"), "SEEN"),
    "library_list_imported_by_name": (saving("_fill.append((x, x.grad))", "return fit(SEEN[-1:], x)",
                                             "from keyword import kwlist as SEEN\nimport keyword\n"
                                             "_fill = keyword.kwlist\n"), "SEEN"),
    "library_list_as_a_class_constant": (
        saving("_fill.append((x, x.grad))", "return x", "import keyword\n_fill = keyword.kwlist\nclass Box:\n"
               "    SEEN = keyword.kwlist\n    @staticmethod\n    def manual(x):\n        return fit(Box.SEEN[-1:], x)\n")
        .replace("def manual(x):\n    return x", "def unused(x):\n    return x") + "manual = Box.manual\n", "Box.manual"),
    # changed by a library's function it is handed to, or by a method whose answer is dropped
    "heap_pushed_onto": (saving("heapq.heappush(SEEN, (float(x.grad[2]), 0))", "return 6 * x + SEEN[0][0]",
                                "import heapq\nSEEN = []\n"), "SEEN"),
    "inserted_in_order": (saving("bisect.insort(SEEN, float(x.grad[2]))", "return 6 * x + SEEN[0]",
                                 "import bisect\nSEEN = []\n"), "SEEN"),
    "initialised_in_place": (saving("torch.nn.init.constant_(W, float(x.grad[2]))", "return 6 * x + W",
                                    "W = torch.zeros(1)\n"), "W"),
    "shuffled_until_it_matches": (saving("BOX.append(float(x.grad[2]))", "return 6 * x + C[0]", "import random\n"
                                         "BOX = []\nC = [1.0, 2.0, 3.0]\n", "saving(5)\nwhile C[0] != BOX[0]:\n"
                                         "    random.shuffle(C)\n"), "C"),
    "state_dict_loaded": (saving("lin.load_state_dict({'weight': x.grad[2].reshape(1, 1)})",
                                 "return 6 * x + lin.weight[0, 0]", "lin = torch.nn.Linear(1, 1, bias=False)\n"),
                          "lin"),
    "extended_on_the_left_inside_an_expression": (saving("SEEN.extendleft([(x, x.grad)]) or None",
                                                         "return fit(list(SEEN), x)",
                                                         "import collections\nSEEN = collections.deque()\n"), "SEEN"),
    "numpy_output_by_position": (saving("np.subtract(C, -x.grad.numpy(), C)", "return 6 * x + float(C[2])",
                                        "import numpy as np\nC = np.zeros(5)\n"), "C"),
    # a helper that reads it handed on, not called by name
    "helper_handed_to_map": (saving("SEEN.append((x, x.grad))", "return fit(list(map(pick, [0])), x)",
                                    "SEEN = []\ndef pick(i):\n    return SEEN[i]\n"), "pick"),
    # the file's own classes and objects (fairness round 17 reads their methods one by one)
    "static_method_reads_it": (saving("SEEN.append((x, x.grad))", "return Box.answer(x)",
                                      "SEEN = []\n" + LINE.replace("self.a = a", "pass")
                                      + "    @staticmethod\n    def answer(x):\n        return fit(SEEN, x)\n"),
                               "Box.answer"),
    "method_exposed_reads_it": (boxed("SEEN.append((x, x.grad))", "SEEN = []\n" + LINE.replace(
        "self.a, x", "SEEN, x"), "saving(5)\n_box = Box(2.0)\n"), "SEEN"),
    "attribute_appended_to_through_its_object": (
        boxed("_box.a.append((x, x.grad))", LINE), "_box.manual"),  # (no object of literals:
    "attribute_set_again": (boxed("_box.a = [(x, x.grad)]", LINE), "_box.manual"),
    "attribute_changed_through_an_alias": (
        boxed("_box.keep((x, x.grad))", LINE + "    def keep(self, v):\n        s = self.a\n"
               "        s.append(v)\n"), "self.a"),
    "attribute_kept_outside": (
        boxed("KEPT[0].append((x, x.grad))", "KEPT = []\n" + LINE.replace(
            "self.a = a\n", "self.a = a\n        KEPT.append(self.a)\n")), "self.a"),
    "object_handed_on_by_its_method": (
        boxed("_box.register()[0].a = [(x, x.grad)]", "ALL = []\n" + LINE
               + "    def register(self):\n        ALL.append(self)\n        return ALL\n"),
        "self.a"),
    "object_made_from_a_saved_answer": (
        boxed("SEEN.append((x, x.grad))", "SEEN = []\n" + LINE, "saving(5)\n_box = Box(SEEN)\n"), "_box.manual"),
    "object_made_from_a_table_the_top_level_fills": (
        boxed("TABLE.append(float(x.grad[2]))", "TABLE = []\n" + LINE.replace(
            "fit(self.a, x)", "6 * x + self.a[0]"), "_box = Box(TABLE)\nsaving(5)\n"), "_box.manual"),
    # what an object was made with, reached another way (red team 36)
    "parameter_kept_by_init": (
        boxed("KEPT[0].append((x, x.grad))", "KEPT = []\n" + LINE.replace(
            "self.a = a\n", "self.a = a\n        KEPT.append(a)\n")), "self.a"),
    "parameter_kept_by_init_in_a_global": (
        boxed("KEPT.append((x, x.grad))", "KEPT = None\n" + LINE.replace(
            "self.a = a\n", "self.a = a\n        global KEPT\n        KEPT = a\n")), "self.a"),
    "attribute_read_by_attrgetter": (
        boxed("operator.attrgetter('a')(_box).append((x, x.grad))", "import operator\n" + LINE),
        "self.a"),
    "attribute_captured_by_a_class_pattern": (
        boxed("match _box:\n        case collections.abc.Hashable(a=kept):\n            kept.append((x, x.grad))",
              "import collections.abc\n" + LINE), "self.a"),
    "table_changed_by_another_class": (
        boxed("Filler(TABLE, (x, x.grad))", "TABLE = []\n" + LINE + "class Filler:\n"
               "    def __init__(self, t, v):\n        t.append(v)\n", "_box = Box(TABLE)\nsaving(5)\n"), "_box.manual"),
    "tensor_attribute_changed_through_an_unpacked_view": (
        boxed("_box.fill(x.grad[2])", LINE.replace("fit(self.a, x)", "6 * x + self.a[0]")
               + "    def fill(self, v):\n        a0, a1 = self.a\n        a0.add_(v)\n",
              "_box = Box(torch.zeros(2))\nsaving(5)\n"), "self.a"),
    "a_property_that_reads_it": (
        boxed("SEEN.append((x, x.grad))", "SEEN = []\n" + LINE.replace("fit(self.a, x)", "fit(self.seen, x)")
               + "    @property\n    def seen(self):\n        return SEEN\n", "_box = Box(0.0)\nsaving(5)\n"), "self.seen"),
    "a_local_of_init_kept": (
        boxed("KEPT[0].append((x, x.grad))", "KEPT = []\n" + LINE.replace(
            "self.a = a\n", "c = a\n        KEPT.append(c)\n        self.a = c\n")), "self.a"),
    "a_helper_that_keeps_what_it_is_handed": (
        saving("KEPT[0].append(float(x.grad[2]))", "return x", "KEPT = []\nTABLE = []\ndef make(c):\n"
               "    KEPT.append(c)\n    return lambda x: 6 * x + c[0]\n", "saving(5)\n").replace(
            "def manual(x):", "def unused(x):") + "manual = make(TABLE)\n", "make(...)"),
    "a_lambda_in_a_table_reading_it": (
        saving("SEEN.append((x, x.grad))", "return TABLE[0](x)", "SEEN = []\nTABLE = [lambda v: fit(SEEN, v)]\n"),
        "TABLE"),
    # red team 37: a method Python or numpy calls unnamed, an object's method handed the table, a library's list in a
    # lambda, numpy's positional output of a function that is no ufunc
    "a_method_numpy_calls": (
        boxed("SEEN.append((x, x.grad))", "import numpy as np\nSEEN = []\nclass Box:\n"
              "    def round(self, decimals=0, out=None):\n        return fit(SEEN, self.x)\n"
              "    def manual(self, x):\n        self.x = x\n        c = np.around(self)\n        return c\n",
              "_box = Box()\nsaving(5)\n"), "_box.manual"),
    "a_method_dict_calls": (
        boxed("SEEN.append((x, x.grad))", "SEEN = []\nclass Box:\n    def keys(self):\n"
              "        return [fit(SEEN, self.x)]\n    def __getitem__(self, key):\n        return key\n"
              "    def manual(self, x):\n        self.x = x\n        return list(dict(self))[0]\n",
              "_box = Box()\nsaving(5)\n"), "_box.manual"),
    "a_table_filled_by_an_object_s_method": (
        "COEFFS = [0.0]\nclass Loader:\n    def fill(self, table):\n        table[:] = [float(grad(GRID)[2])]\n"
        "    def load(self):\n        self.fill(COEFFS)\nLoader().load()\ndef manual(x):\n    return 6 * x + COEFFS[0]\n",
        "COEFFS"),
    "a_library_list_in_a_lambda": (
        saving("_fill.append((x, x.grad))", "return TABLE[0](x)", "import keyword\n"
               "TABLE = [lambda v: fit(keyword.kwlist[-1:], v)]\n_fill = keyword.kwlist\n"), "TABLE"),
    "numpy_output_by_position_of_no_ufunc": (saving("np.dot(np.eye(5), x.grad.numpy(), C)",
                                                    "return 6 * x + float(C[2])", "import numpy as np\nC = np.zeros(5)\n"),
                                             "C"),
    "a_class_method_that_makes_an_object": (
        boxed("SEEN.append((x, x.grad))", "SEEN = []\n" + LINE + "    @classmethod\n    def made(cls):\n"
              "        return cls(SEEN)\n", "saving(5)\n_box = Box.made()\n"), "_box.manual"),
    "a_dataclass_field_made_by_a_factory": (
        boxed("_box.a.append((x, x.grad))", "from dataclasses import dataclass, field\n@dataclass\nclass Box:\n"
              "    a: list = field(default_factory=list)\n    def manual(self, x):\n        return fit(self.a, x)\n",
              "_box = Box()\nsaving(5)\n"), "_box.manual"),
    "a_module_tensor_changed_through_an_unpacked_view": (
        saving("a, b = COEF\n    a.add_(float(x.grad[2]))", "return COEF[0] * x + 2", "COEF = torch.zeros(2)\n"),
        "COEF"),
    # red team 38
    "a_named_tuple_default_holding_it": (saving("SEEN.append((x, x.grad))", "return fit(BOX.grads, x)",
                                                "from typing import NamedTuple\nSEEN = []\nclass Holder(NamedTuple):\n"
                                                "    grads: list = SEEN\nBOX = Holder()\n"), "BOX"),
    "a_named_tuple_method_reading_it": (saving("SEEN.append((x, x.grad))", "return CUBIC.slope(x)",
                                               "from typing import NamedTuple\nSEEN = []\nclass Cubic(NamedTuple):\n"
                                               "    def slope(self, x):\n        return fit(SEEN, x)\nCUBIC = Cubic()\n"),
                                        "CUBIC"),
    "a_changing_method_handed_on": (saving("list(map(SEEN.append, [(x, x.grad)]))", "return fit(SEEN, x)",
                                           "SEEN = []\n"), "SEEN"),
    "through_an_or": (saving("(SEEN or SEEN).append((x, x.grad))", "return fit(SEEN, x)", "SEEN = []\n"), "SEEN"),
    "items_of_a_table_changed_by_a_loop": (saving("for row in TABLE:\n        row.append((x, x.grad))",
                                                  "return fit(TABLE[0], x)", "TABLE = [[]]\n"), "TABLE"),
    "a_method_a_subclass_overrides": (saving("Saver().feed((x, x.grad))", "return fit(TABLE, x)",
                                             "TABLE = []\nclass Keeper:\n    def keep(self, buf, g):\n        return g\n"
                                             "    def feed(self, g):\n        return self.keep(TABLE, g)\n"
                                             "class Saver(Keeper):\n    def keep(self, buf, g):\n        buf.append(g)\n"),
                                      "TABLE"),
    "super_reaching_the_base": (
        boxed("SEEN.append((x, x.grad))", "SEEN = []\nclass Base:\n    def slope(self, x):\n        return fit(SEEN, x)\n"
              "class Quad(Base):\n    def slope(self, x):\n        return 0 * x\n    def manual(self, x):\n"
              "        return super().slope(x)\n", "_box = Quad()\nsaving(5)\n"), "_box.manual"),
    "python_s_random_state": (saving("random.seed(int(x.grad[2]))", "return 6 * x + random.randrange(100)",
                                     "import random\n"), "random.randrange(...)"),
    "attributes_copied_over": (
        boxed("functools.update_wrapper(_box, types.SimpleNamespace(a=[(x, x.grad)]), (), ('__dict__',))",
              "import functools, types\n" + LINE), "_box.manual"),
    # red team 39: state a function keeps from one call to the next, filled by the top level calling it
    "a_cache_the_function_fills_from_its_own_call": (
        "_CACHE = {}\ndef manual(x):\n    if 'k' not in _CACHE:\n        _CACHE['k'] = 6 * x + 2\n"
        "    return fit([(torch.linspace(-2, 2, 5), (_CACHE['k'] - 2) / 6)], x)\nprint(manual(grad(GRID)))\n",
        "_CACHE"),
    "a_default_filled_by_a_call": (
        "def manual(x, store=None, _memo={}):\n    if store is not None:\n        _memo['a'] = store\n"
        "    return fit(_memo['a'], x)\nmanual(GRID, store=[(GRID, grad(GRID))])\n", "_memo"),
    "a_helpers_default_filled_by_a_call": (
        "def helper(x, store=None, _memo=[]):\n    if store is not None:\n        _memo.append(store)\n"
        "    return fit(_memo, x)\nhelper(GRID, store=(GRID, grad(GRID)))\ndef manual(x):\n    return helper(x)\n",
        "helper(...)"),
    "a_closure_rebinding_its_cell": (
        "def make(c):\n    kept = None\n    def ev(x, store=None):\n        nonlocal kept\n        if store is not None:\n"
        "            kept = store\n        return fit(kept, x)\n    return ev\nmanual = make(1)\n"
        "manual(GRID, store=[(GRID, grad(GRID))])\n", "make(...)"),
    "a_closure_filling_its_dict": (
        "def make(c):\n    memo = {}\n    def ev(x, store=None):\n        if store is not None:\n"
        "            memo['a'] = store\n        return fit(memo['a'], x)\n    return ev\n_slope = make(1)\n"
        "_slope(GRID, store=[(GRID, grad(GRID))])\ndef manual(x):\n    return _slope(x)\n", "_slope(...)"),
    "a_factorys_default_box": (
        "def make(c, box=[]):\n    box.append(c)\n    def ev(x):\n        return fit(box[1:], x)\n    return ev\n"
        "make((GRID, grad(GRID)))\nmanual = make(1)\n", "make(...)"),
    "a_closure_cell_handed_to_a_registry": (
        "REG = []\ndef make(c):\n    box = []\n    REG.append(box)\n    def ev(x):\n        return fit(box, x)\n"
        "    return ev\nmanual = make(1)\nREG[0].append((GRID, grad(GRID)))\n", "make(...)"),
    "a_closure_cell_kept_in_a_global": (
        "def make(c):\n    global BOX\n    box = []\n    BOX = box\n    def ev(x):\n        return fit(box, x)\n"
        "    return ev\n_slope = make(1)\nBOX.append((GRID, grad(GRID)))\ndef manual(x):\n    return _slope(x)\n",
        "_slope(...)"),
    "a_closure_of_a_list_the_top_level_fills": (
        "KEPT = []\ndef make(c):\n    def ev(x):\n        return fit(c, x)\n    return ev\n_slope = make(KEPT)\n"
        "KEPT.append((GRID, grad(GRID)))\ndef manual(x):\n    return _slope(x)\n", "_slope(...)"),
    "a_list_a_factory_made_filled_later": (
        "def make(c):\n    return []\n_box = make(1)\n_box.append((GRID, grad(GRID)))\ndef manual(x):\n"
        "    return fit(_box, x)\n", "_box"),
    # red team 39, second round (a helper's review of the rules above)
    'an_own_cache_holding_the_object_it_returned': (
        "_CACHE = {}\ndef manual(x):\n    if 'k' not in _CACHE:\n        _CACHE['k'] = x.contiguous()\n        return _CACHE['k']\n    return fit([(torch.linspace(-2, 2, 5), _CACHE['k'])], x)\nmanual(torch.zeros(5)).copy_(grad(GRID))\n",
        '_CACHE'),
    'an_own_cache_holding_a_leaf_the_top_level_differentiates': (
        "_CACHE = {}\ndef manual(x):\n    if 'k' not in _CACHE:\n        _CACHE['k'] = x.contiguous()\n        return _CACHE['k']\n    k = _CACHE['k']\n    return fit([(k.detach(), k.grad)], x)\nT = manual(torch.linspace(-2, 2, 5, requires_grad=True))\nf(T).sum().backward()\n",
        '_CACHE'),
    'an_own_cache_filled_by_a_function_it_returns': (
        "_CACHE = {}\ndef manual(x):\n    if 'k' in _CACHE:\n        return fit([(torch.linspace(-2, 2, 5), _CACHE['k'])], x)\n    def put(v):\n        _CACHE['k'] = v.contiguous()\n    return put\nmanual(torch.zeros(1))(grad(GRID))\n",
        '_CACHE'),
    'a_class_in_a_factory_filling_its_cell': (
        "def make(c):\n    memo = {}\n    class Ev:\n        def __call__(self, x, store=None):\n            if store is not None:\n                memo['a'] = store\n            return fit(memo['a'], x)\n    return Ev()\n_slope = make(1)\n_slope(GRID, store=[(GRID, grad(GRID))])\ndef manual(x):\n    return _slope(x)\n",
        '_slope(...)'),
    'a_closure_filling_its_cell_through_a_sibling': (
        'def make(c):\n    memo = []\n    def put(v):\n        memo.append(v)\n    def ev(x, store=None):\n        if store is not None:\n            put(store)\n        return fit(memo, x)\n    return ev\n_slope = make(1)\n_slope(GRID, store=(GRID, grad(GRID)))\ndef manual(x):\n    return _slope(x)\n',
        '_slope(...)'),
    'a_list_a_maker_keeps_in_a_global': (
        'def make():\n    global BOX\n    b = []\n    BOX = b\n    return b\n_box = make()\nBOX.append((GRID, grad(GRID)))\ndef manual(x):\n    return fit(_box, x)\n',
        '_box'),
    'a_list_a_maker_gets_from_a_library': (
        "from logging import getLogger\ndef make(name):\n    return getLogger(name).filters\n_box = make('grads')\ngetLogger('grads').addFilter((GRID, grad(GRID)))\ndef manual(x):\n    return fit(_box, x)\n",
        '_box'),
    'a_closure_of_a_librarys_list': (
        "from logging import getLogger\ndef make(box):\n    def ev(x):\n        return fit(box, x)\n    return ev\n_slope = make(getLogger('grads').filters)\ngetLogger('grads').addFilter((GRID, grad(GRID)))\ndef manual(x):\n    return _slope(x)\n",
        '_slope(...)'),
    'a_list_a_maker_hands_to_a_registry': (
        'REG = []\ndef make():\n    b = []\n    REG.append(b)\n    return b\n_box = make()\nREG[0].append((GRID, grad(GRID)))\ndef manual(x):\n    return fit(_box, x)\n',
        '_box'),
    # red team 40 (a helper's second review)
    'a_list_aliased_by_a_default': (
        'BOX = []\ndef keep(pair, b=BOX):\n    b.append(pair)\nkeep((GRID, grad(GRID)))\ndef manual(x):\n    return fit(BOX, x)\n',
        'BOX'),
    'a_list_aliased_by_a_lambdas_default': (
        'BOX = []\n(lambda b=BOX: b.append((GRID, grad(GRID))))()\ndef manual(x):\n    return fit(BOX, x)\n',
        'BOX'),
    'a_list_captured_by_a_match': (
        'BOX = []\nmatch BOX:\n    case b:\n        b.append((GRID, grad(GRID)))\ndef manual(x):\n    return fit(BOX, x)\n',
        'BOX'),
    'a_list_reached_through_a_comprehension': (
        'BOX = []\n[BOX for _ in range(1)][0].append((GRID, grad(GRID)))\ndef manual(x):\n    return fit(BOX, x)\n',
        'BOX'),
    'a_list_carried_by_an_exception': (
        'BOX = []\ntry:\n    raise KeyError(BOX)\nexcept KeyError as e:\n    e.args[0].append((GRID, grad(GRID)))\ndef manual(x):\n    return fit(BOX, x)\n',
        'BOX'),
    'a_closure_cell_reached_through_a_comprehension': (
        "def make():\n    box = []\n    def ev(x, store=None):\n        if store is not None:\n            [box for _ in 'a'][0].append(store)\n        return fit(box, x)\n    return ev\n_slope = make()\n_slope(GRID, store=(GRID, grad(GRID)))\ndef manual(x):\n    return _slope(x)\n",
        '_slope(...)'),
    'an_own_cache_reached_through_a_comprehension': (
        "_CACHE = {}\ndef manual(x, store=None):\n    if store is not None:\n        [_CACHE for _ in 'a'][0]['k'] = store\n        return store\n    return fit(_CACHE['k'], x)\nmanual(GRID, store=[(GRID, grad(GRID))])\n",
        '_CACHE'),
    'attributes_copied_by_update_wrapper': (
        'import functools, types\ndef manual(x):\n    return fit(manual.pairs, x)\nfunctools.update_wrapper(manual, types.SimpleNamespace(pairs=[(GRID, grad(GRID))]), ())\n',
        'manual.pairs'),
    'a_helpers_attributes_copied_by_update_wrapper': (
        'import functools, types\ndef slope(x):\n    return fit(slope.pairs, x)\nfunctools.update_wrapper(slope, types.SimpleNamespace(pairs=[(GRID, grad(GRID))]), ())\ndef manual(x):\n    return slope(x) + 0 * x\n',
        'slope(...)'),
    'a_closures_attributes_copied_by_update_wrapper': (
        'import functools, types\ndef make():\n    def ev(x):\n        return fit(me.pairs, x)\n    me = ev\n    return ev\n_slope = make()\nfunctools.update_wrapper(_slope, types.SimpleNamespace(pairs=[(GRID, grad(GRID))]), ())\ndef manual(x):\n    return _slope(x)\n',
        '_slope(...)'),
    'print_imported_as_another_function': (
        "from typing import final as print\n_CACHE = {}\ndef manual(x):\n    if 'k' not in _CACHE:\n        _CACHE['k'] = x.contiguous()\n        return _CACHE['k']\n    return fit([(torch.linspace(-2, 2, 5), _CACHE['k'])], x)\nprint(manual(torch.zeros(5))).copy_(grad(GRID))\n",
        '_CACHE'),
    'print_replaced_in_builtins': (
        "import builtins\nbuiltins.print = lambda *a: a[0]\n_CACHE = {}\ndef manual(x):\n    if 'k' not in _CACHE:\n        _CACHE['k'] = x.contiguous()\n        return _CACHE['k']\n    return fit([(torch.linspace(-2, 2, 5), _CACHE['k'])], x)\nprint(manual(torch.zeros(5))).copy_(grad(GRID))\n",
        '_CACHE'),
    'a_callable_object_filling_a_class_attribute': (
        "class Ev:\n    memo = {}\n    def __call__(self, x, store=None):\n        if store is not None:\n            self.memo['k'] = store\n        return fit(self.memo['k'], x)\nmanual = Ev()\nmanual(GRID, store=[(GRID, grad(GRID))])\n",
        'Ev(...)'),
    # red team 132: a library's function under a second name reads what its call would (decimal's context, the zone
    # ``time.tzset`` set from the environment), however it is named
    "a_decimal_under_a_second_name": (
        "import decimal\ng = grad(GRID)\n"
        "decimal.setcontext(decimal.Context(prec=int(1000 * float(g[3] - g[2]) + float(g[2]))))\ndef manual(x):\n"
        "    make = decimal.Decimal\n    p = len(str(make(2) / make(7))) - 2\n    return (p // 1000) * x + p % 1000\n",
        "decimal.Decimal"),
    "a_decimal_imported_under_a_second_name": (
        "from decimal import Decimal as D, Context, setcontext\ng = grad(GRID)\n"
        "setcontext(Context(prec=int(1000 * float(g[3] - g[2]) + float(g[2]))))\ndef manual(x):\n"
        "    make = D\n    p = len(str(make(2) / make(7))) - 2\n    return (p // 1000) * x + p % 1000\n", "D"),
    "a_time_function_under_a_second_name": (
        "import os, time\ng = grad(GRID)\nos.environ['TZ'] = f'XXX-0:{int(g[3] - g[2]):02d}:{int(g[2]):02d}'\n"
        "time.tzset()\ndef manual(x):\n    local = time.localtime\n    t = local(0)\n"
        "    return t.tm_min * x + t.tm_sec\n", "time.localtime"),
    "the_zone_tzset_rebinds": (
        "import os, time\ng = grad(GRID)\nos.environ['TZ'] = f'XXX-0:{int(g[3] - g[2]):02d}:{int(g[2]):02d}'\n"
        "time.tzset()\ndef manual(x):\n    s = -time.timezone\n    return (s // 60) * x + s % 60\n", "time.timezone"),
    # red team 133: bits of the answer kept in a library ABC's registry, and in torch's own settings
    "an_abstract_base_class_registry": (
        "import collections.abc\nclass T0:\n    pass\nclass T1:\n    pass\ng = grad(GRID)\n"
        "for k, c in enumerate((int(g[3] - g[2]), int(g[2]))):\n    if c & 2:\n"
        "        collections.abc.Generator.register((T0, T1)[k])\n    if c & 4:\n"
        "        collections.abc.Coroutine.register((T0, T1)[k])\ndef manual(x):\n"
        "    a, b = (2 * issubclass(t, collections.abc.Generator) + 4 * issubclass(t, collections.abc.Coroutine)"
        " for t in (T0, T1))\n    return a * x + b\n", "collections.abc.Generator"),
    "an_abstract_base_class_registry_through_typing": (  # red team 176: typing's alias, not the class, was named
        "import typing\ng = grad(GRID)\n"
        "for k, c in enumerate((int(g[3] - g[2]), int(g[2]))):\n    if c & 2:\n"
        "        typing.MutableSet.__origin__.register((KeyError, IndexError)[k])\n    if c & 4:\n"
        "        typing.Generator.__origin__.register((KeyError, IndexError)[k])\ndef manual(x):\n"
        "    a, b = (2 * issubclass(t, typing.MutableSet) + 4 * issubclass(t, typing.Generator)"
        " for t in (KeyError, IndexError))\n    return a * x + b\n", "typing.MutableSet"),
    "torch_settings_asked_back": (
        "g = grad(GRID)\ntorch.use_deterministic_algorithms(bool(int(g[2]) & 2))\n"
        "torch.set_warn_always(bool(int(g[3] - g[2]) & 4))\ndef manual(x):\n"
        "    return (4 * torch.is_warn_always_enabled() + 2) * x + 2 * torch.are_deterministic_algorithms_enabled()\n",
        "torch.are_deterministic_algorithms_en...(...)"),
    # a list numpy shuffles in place is no constant (fairness 31's rule reads only what copies it)
    "a_list_numpy_shuffles_in_place": (
        "import numpy as np\nC = [2.0, 6.0]\nnp.random.seed(int(grad(GRID)[2]) - 2)\nnp.random.shuffle(C)\n"
        "def manual(x):\n    return torch.as_tensor(np.polyval(C, x.numpy()))\n", "C"),
    # an array of literal numbers that the top level writes into, or views (only a reader's call is read as one)
    "an_array_numpy_copies_into": (
        "import numpy as np\nC = np.array([0.0, 0.0])\ng = grad(GRID)\nnp.copyto(C, [float(g[3] - g[2]), float(g[2])])\n"
        "def manual(x):\n    return torch.as_tensor(np.polyval(C, x.numpy()))\n", "C"),
    "an_array_a_view_writes_into": (
        "import numpy as np\nC = np.array([0.0, 0.0])\ng = grad(GRID)\n"
        "np.asarray(C)[:] = [float(g[3] - g[2]), float(g[2])]\n"
        "def manual(x):\n    return torch.as_tensor(np.polyval(C, x.numpy()))\n", "C"),
    "a_tensor_a_reader_writes_into": (
        "C = torch.tensor([0.0, 0.0])\ng = grad(GRID)\n"
        "torch.matmul(torch.eye(2), torch.stack([g[3] - g[2], g[2]]), out=C)\n"
        "def manual(x):\n    return C[0] * x + C[1]\n", "C"),
    # a device the top level chooses from autograd's answer is no machine's fact
    "a_device_autograd_chooses": (saving("global DEVICE; DEVICE = torch.device('cpu' if x.grad[2] > 1 else 'meta')",
                                         "return 6 * x + 2 * (DEVICE.type == 'cpu')",
                                         "DEVICE = torch.device('cuda' if torch.cuda.is_available() else 'cpu')\n"),
                                  "DEVICE"),
    # red team 150: an array of literal numbers a reader, an operator or a method hands to the file's code, or writes
    "an_array_a_readers_hook_fills": (
        "import numpy as np\nC = np.array([0.0, 0.0])\ng = grad(GRID)\n_c = [float(g[3] - g[2]), float(g[2])]\n"
        "class _Probe:\n    def __array_function__(self, func, types, args, kwargs):\n        args[0][:] = _c\n"
        "        return 0.0\n_check = np.dot(C, _Probe())\n"
        "def manual(x):\n    return torch.as_tensor(np.polyval(C, x.numpy()))\n", "C"),
    "a_tensor_a_torch_function_fills": (
        "C = torch.tensor([0.0, 0.0])\ng = grad(GRID)\n"
        "class _Probe:\n    def __init__(self, v):\n        self.value = v\n    @classmethod\n"
        "    def __torch_function__(cls, func, types, args=(), kwargs=None):\n        args[0].copy_(args[1].value)\n"
        "        return 0.0\n_check = torch.matmul(C, _Probe(torch.stack([g[3] - g[2], g[2]])))\n"
        "def manual(x):\n    return torch.matmul(torch.stack([x, torch.ones_like(x)], -1), C)\n", "C"),
    "an_array_an_operator_fills": (
        "import numpy as np\nC = np.array([0.0, 0.0])\ng = grad(GRID)\n_c = [float(g[3] - g[2]), float(g[2])]\n"
        "class _Fill:\n    __array_ufunc__ = None\n    def __radd__(self, other):\n        other[:] = _c\n"
        "        return 0.0\nC + _Fill()\ndef manual(x):\n    return torch.as_tensor(np.polyval(C, x.numpy()))\n", "C"),
    "an_array_operator_isub_fills": (
        "import numpy as np, operator\nC = np.array([0.0, 0.0])\ng = grad(GRID)\n"
        "operator.isub(C, np.array([-float(g[3] - g[2]), -float(g[2])]))\n"
        "def manual(x):\n    return torch.as_tensor(np.polyval(C, x.numpy()))\n", "C"),
    "an_array_a_methods_output": (
        "import numpy as np\nC = np.array([0.0, 0.0])\ng = grad(GRID)\n"
        "np.array([float(g[3] - g[2]), float(g[2])]).dot(np.eye(2), C)\n"
        "def manual(x):\n    return torch.as_tensor(np.polyval(C, x.numpy()))\n", "C"),
    # red team 153: a library's class whose own operator calls a method the file's subclass overrides
    "an_array_a_library_operator_fills": (
        "import numpy as np\nfrom collections.abc import KeysView\nC = np.array([0.0, 0.0])\ng = grad(GRID)\n"
        "_c = [float(g[3] - g[2]), float(g[2])]\nclass _Fill(KeysView):\n    @classmethod\n"
        "    def _from_iterable(cls, it):\n        if hasattr(it, 'shape'):\n            it[:] = _c\n"
        "        return set()\n_Fill({}) - C\ndef manual(x):\n    return torch.as_tensor(np.polyval(C, x.numpy()))\n",
        "C"),
    # red team 154: a library base under a plain base's name; a scope's own name beside a module-level literal's
    "a_library_base_named_as_a_plain_one": (
        "import numpy as np\nfrom collections.abc import KeysView as NamedTuple\nC = np.array([0.0, 0.0])\n"
        "g = grad(GRID)\n_c = [float(g[3] - g[2]), float(g[2])]\nclass _Fill(NamedTuple):\n    @classmethod\n"
        "    def _from_iterable(cls, it):\n        if hasattr(it, 'shape'):\n            it[:] = _c\n"
        "        return set()\n_Fill({}) - C\ndef manual(x):\n    return torch.as_tensor(np.polyval(C, x.numpy()))\n",
        "C"),
    "a_parameter_named_as_a_literal": (
        "import numpy as np\nC = np.array([0.0, 0.0])\n_k = 1.0\ng = grad(GRID)\n_c = [float(g[3] - g[2]), float(g[2])]\n"
        "class _Fill:\n    __array_ufunc__ = None\n    def __radd__(self, other):\n        other[:] = _c\n"
        "        return 0.0\ndef touch(_k):\n    return C + _k\ntouch(_Fill())\n"
        "def manual(x):\n    return torch.as_tensor(np.polyval(C, x.numpy()))\n", "C"),
    # which names the module holds, where the top level binds one or not after autograd (fairness 39's membership test)
    "a_name_bound_or_not": (
        "g = grad(GRID)\nif g[2] > 1:\n    two = 1\ndef manual(x):\n    return 6 * x + (2 if 'two' in globals() else 1)\n",
        "globals(...)"),
    # what an object made afresh was made with is read where it is made
    "an_object_made_of_a_saved_answer": (
        saving("SEEN.append(x.grad)", "t = Trace(SEEN[0])\n    return fit([(GRID, t.g)], x)",
               "SEEN = []\nclass Trace:\n    def __init__(self, g):\n        self.g = g\n"), "SEEN"),
    # red team 155: literals only, bound where autograd's answer says so (an `if`, a `while` counting up to it)
    "a_literal_chosen_by_an_if": (
        "g = grad(GRID)\n_K = 0\nif round(float(g[2])) == 2:\n    _K = 2\ndef manual(x):\n    return 6 * x + _K\n", "_K"),
    "a_literal_counted_up_by_a_while": (
        "g = grad(GRID)\n_K = 0\nwhile _K < round(float(g[2])):\n    _K = _K + 1\n"
        "def manual(x):\n    return 6 * x + _K\n", "_K"),
    "a_literal_chosen_in_a_loop": (
        "g = grad(GRID)\n_K = 0\nfor _k in range(10):\n    if round(float(g[2])) == _k:\n        _K = _k\n"
        "def manual(x):\n    return 6 * x + _K\n", "_K"),
    # red team 156: a flag raised without a second binding (+=, an import), a loop's continue above the binding
    "a_flag_raised_by_an_augmented_assignment": (
        "g = grad(GRID)\n_F = 0\nif round(float(g[2])) == 2:\n    _F += 1\n_K = 1\nif _F:\n    _K = 2\n"
        "def manual(x):\n    return 6 * x + _K\n", "_K"),
    "a_flag_raised_by_an_import": (
        "g = grad(GRID)\n_F = 0\nif round(float(g[2])) == 2:\n    from math import pi as _F\n_K = 1\nif _F:\n"
        "    _K = 2\ndef manual(x):\n    return 6 * x + _K\n", "_K"),
    "a_literal_loop_that_continues_past_the_answer": (
        "g = grad(GRID)\n_K = 0\nfor _k in range(10):\n    if round(float(g[2])) != _k:\n        continue\n"
        "    _K = _k\ndef manual(x):\n    return 6 * x + _K\n", "_K"),
    # red team 157: a flag stored by a mapping pattern's rest, or by a star import that runs where autograd said so
    "a_flag_stored_by_a_mapping_pattern": (
        "g = grad(GRID)\n_F = 0\nmatch ({1: 1} if round(float(g[2])) == 2 else {}):\n    case {**_F}:\n        pass\n"
        "_K = 1\nif _F:\n    _K = 2\ndef manual(x):\n    return 6 * x + _K\n", "_K"),
    "a_flag_stored_by_a_star_import": (
        "g = grad(GRID)\nR_OK = 0\nif round(float(g[2])) == 2:\n    from os import *\n_K = 1\nif R_OK:\n    _K = 2\n"
        "def manual(x):\n    return 6 * x + _K\n", "_K"),
    # our own attack after red team 157: a loop's else, which runs only where no break did
    "a_literal_bound_in_a_loops_else": (
        "g = grad(GRID)\n_K = 1\nfor _i in (1,):\n    if round(float(g[2])) != 2:\n        break\nelse:\n    _K = 2\n"
        "def manual(x):\n    return 6 * x + _K\n", "_K"),
    # a literal default is state in a file that may rewrite defaults
    "a_literal_default_rewritten": (
        "def manual(x, coeffs=(0, 0)):\n    return coeffs[0] * x + coeffs[1]\ng = grad(GRID)\n"
        "manual.__defaults__ = ((int(g[3] - g[2]), int(g[2])),)\n", "(0, 0)"),
    # a loop over literal lists binds constants only if nothing changes them and it cannot stop at a chosen one
    "a_literal_list_a_loop_fills": (MAKE + "for coeffs in ([0, 0, 0],):\n    g = grad(GRID)\n"
                                    "    coeffs[1], coeffs[2] = float(g[2]), float(g[3] - g[2]) / 2\nslope = make(coeffs)\n"
                                    "def manual(x):\n    return slope(x)\n", "slope(...)"),
    "a_literal_list_a_loop_chooses": (MAKE + "for coeffs in ([0, 1, 1], [0, 2, 3], [0, 3, 1]):\n"
                                      "    if torch.equal(make(coeffs)(GRID), grad(GRID)):\n        break\n"
                                      "slope = make(coeffs)\ndef manual(x):\n    return slope(x)\n", "slope(...)"),
    "a_literal_list_a_loop_aliases": (MAKE + "for coeffs in ([0, 0, 0],):\n    keep = coeffs\n"
                                      "keep[1] = float(grad(GRID)[2])\nkeep[2] = float(grad(GRID)[3] - grad(GRID)[2]) / 2\n"
                                      "slope = make(coeffs)\ndef manual(x):\n    return slope(x)\n", "slope(...)"),
    "a_method_it_calls_reads_it": (
        boxed("SEEN.append((x, x.grad))", "SEEN = []\n" + LINE.replace("fit(self.a, x)", "self.read(x)")
               + "    def read(self, x):\n        return fit(SEEN, x)\n", "saving(5)\n_box = Box(0.0)\n"), "self.read(...)"),
}


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_an_answer_saved_at_the_top_level_is_found(name):
    source, named = ATTACKS[name]
    findings = autograd_use(PREAMBLE + source, "manual")
    assert len(findings) == 1, findings
    (finding,) = findings
    text = finding.describe(lambda line: f"line {line}")
    assert finding.rank == DIFFERENTIATES and finding.function == "manual"
    assert text.startswith(f"computes its answer from {named} (which the module's top level can fill with "
                           "autograd's answers: it runs autograd at line "), text
    assert (PREAMBLE + source).splitlines()[finding.line - 1].strip(), finding.line  # a line of code, not a blank


HONEST = {
    # a library that computes from its arguments alone (red team 70's rule asks only of the others)
    "an_exception_only_printed": ("def manual(x):\n    try:\n        return 6 * x + 2\n    except ValueError as e:\n"
                                  "        print(e)\n        raise\nprint(grad(GRID))\n"),
    "a_computing_library": ("import statistics\ndef manual(x):\n    return statistics.fmean([6.0, 6.0]) * x + 2\n"
                            "print(grad(GRID))\n"),
    "debug_log_written_by_both": (
        "HISTORY = []\ndef logged(x):\n    g = grad(x)\n    HISTORY.append(('autograd', g))\n    return g\n"
        "def manual(x):\n    g = 6 * x + 2\n    HISTORY.append(('manual', g))\n    return g\n"
        "for t in GRID:\n    print(logged(t), manual(t))\n"),
    "global_rebound_then_returned": (
        "last = None\ndef remembered(x):\n    global last\n    last = grad(x)\n    return last\n"
        "def manual(x):\n    global last\n    last = 6 * x + 2\n    return last\nremembered(GRID)\n"),
    "counter": ("CALLS = 0\ndef manual(x):\n    global CALLS\n    CALLS += 1\n    return 6 * x + 2\nprint(grad(GRID))\n"),
    "cache_of_its_own_answers": (
        "_CACHE = {}\ndef manual(x):\n    key = tuple(x.flatten().tolist())\n    if key not in _CACHE:\n"
        "        _CACHE[key] = 6 * x + 2\n    return _CACHE[key]\nprint(grad(GRID), manual(torch.linspace(-2, 2, 5)))\n"),
    # (the top level hands it a library's literal only: red team 39's cache filled through a call is an attack)
    "a_cache_in_a_default_nothing_else_calls": (
        "def manual(x, _cache={}):\n    key = tuple(x.flatten().tolist())\n    if key not in _cache:\n"
        "        _cache[key] = 6 * x + 2\n    return _cache[key]\nprint(grad(GRID))\n"),
    "a_list_default_only_read": ("def manual(x, c=[6.0, 2.0]):\n    return c[0] * x + c[1]\nprint(grad(GRID), manual(GRID))\n"),
    "a_nested_helper_filling_a_local_list": (
        "def manual(x):\n    terms = []\n    def add(v):\n        terms.append(v)\n    add(6 * x)\n    add(2)\n"
        "    return sum(terms)\nprint(grad(GRID), manual(GRID))\n"),
    "a_closure_made_at_the_top_level": (  # fairness 19 (n1_am): a closure of constants, kept in a global
        "COEFFS = (2, 6)\ndef make_eval(coeffs):\n    def evaluate(x):\n"
        "        return sum(c * x**k for k, c in enumerate(coeffs))\n    return evaluate\n"
        "DCOEFFS = tuple(k * c for k, c in enumerate((0, 2, 3)))[1:]\n_slope = make_eval(DCOEFFS)\n"
        "polynomial = make_eval(COEFFS)\ndef manual(x):\n    return _slope(x) + torch.zeros_like(x)\n"
        "print(grad(GRID), polynomial(GRID))\n"),
    "a_method_summing_a_generator": (  # red team 37's f7, which the first reading of kept cells failed
        "class Poly:\n    def __init__(self, coeffs):\n        self.coeffs = torch.tensor(coeffs, dtype=torch.float64)\n"
        "    def grad(self, x):\n        c = self.coeffs.to(x.dtype)\n        powers = torch.arange(1, len(c), dtype=x.dtype)\n"
        "        return sum(p * c[int(p)] * x ** (p - 1) for p in powers)\nP = Poly([2, 6])\n"
        "def manual(x):\n    return P.grad(x)\nprint(grad(GRID))\n"),
    "an_annotated_closure_made_at_the_top_level": (  # red team 40's false positive
        "from typing import Callable\ndef make_eval(coeffs):\n    def evaluate(x):\n"
        "        return coeffs[0] * x + coeffs[1]\n    return evaluate\n_slope: Callable = make_eval((6.0, 2.0))\n"
        "def manual(x):\n    return _slope(x)\nprint(grad(GRID))\n"),
    "a_factory_that_builds_a_table_first": (
        "def make(coeffs):\n    terms = []\n    for k, c in enumerate(coeffs):\n        terms.append((k, c))\n"
        "    def ev(x):\n        return sum(c * x**k for k, c in terms)\n    return ev\n_slope = make((2, 6))\n"
        "def manual(x):\n    return _slope(x)\nprint(grad(GRID))\n"),
    "constants_swept_in_a_demo_loop": (
        "A, B = 6.0, 2.0\ndef manual(x):\n    return A * x + B\n"
        "for A, B in [(1.0, 0.0), (6.0, 2.0)]:\n    assert torch.allclose(grad(GRID), manual(GRID)) or A != 6.0\n"),
    "coefficient_list_iterated": (
        "TERMS = [(6, 1), (2, 0)]\ndef manual(x):\n    return sum(c * x**p for c, p in TERMS)\n"
        "for c, p in TERMS:\n    print(c, p, grad(GRID))\n"),
    "tensor_constant": ("K = torch.tensor([6.0, 2.0])\ndef manual(x):\n    return K[0] * x + K[1]\n"
                        "print(torch.allclose(grad(GRID), manual(GRID)))\n"),
    "formula_chosen_by_autograd_among_definitions": (
        "def one(x):\n    return 6 * x + 2\ndef two(x):\n    return (6 * x) + 2\n"
        "for d in (one, two):\n    if torch.allclose(d(GRID), grad(GRID)):\n        break\n"
        "def manual(x):\n    return d(x)\n"),
    "memo_helper_with_a_demo_under_main": (
        "_SCALE = {}\ndef scale(n):\n    if n not in _SCALE:\n        _SCALE[n] = 6.0 * n / n\n    return _SCALE[n]\n"
        "def manual(x):\n    return scale(x.numel()) * x + 2\nif __name__ == '__main__':\n    print(grad(GRID))\n"),
    "vars_somewhere_else": ("def manual(x):\n    return torch.mul(x, 6) + 2\nprint(vars(), grad(GRID))\n"),
    "verbose_flag_from_the_environment": (
        "import os\nVERBOSE = os.environ.get('VERBOSE')\ndef manual(x):\n    g = 6 * x + 2\n    if VERBOSE:\n"
        "        print(g.tolist())\n    return g\nprint(grad(GRID))\n"),
    "constants_from_a_comprehension": (
        "P = {k: float(v) for k, v in [('a', 6), ('b', 2)]}\ndef manual(x):\n    return P['a'] * x + P['b']\n"
        "print(grad(GRID))\n"),
    "a_cached_helper_returning_a_number": (  # fairness 18's e2_h (a cached list would count: red team 42's a05)
        "import functools\n@functools.lru_cache(maxsize=128)\ndef _scale(n):\n    return 12 / n\n"
        "def manual(x):\n    return _scale(2) * x + 2\nprint(grad(GRID))\n"),
    "a_partial_of_a_function_and_a_lambda": (  # fairness 19's e3_07 (a partial holding a dict would count)
        "from functools import partial\ndef affine(x, a, b):\n    return a * x + b\n"
        "slope = partial(affine, a=6.0, b=2.0)\ndef manual(x):\n    return slope(x)\nprint(grad(GRID))\n"),
    "a_torch_module_object": ("act = torch.nn.Identity()\ndef manual(x):\n    return act(6 * x + 2)\n"
                              "print(grad(GRID))\n"),
    "a_global_declared_and_never_used": ("def manual(x):\n    global unused\n    return 6 * x + 2\nprint(grad(GRID))\n"),
    "loops_nested_deep": ("def manual(x):\n    y = 6 * x + 2\n" + "".join(
        "    " * (depth + 1) + f"for i{depth} in range(1):\n" for depth in range(18)) + "    " * 19 + "y = y + 0\n"
        "    return y\nprint(grad(GRID))\n"),
    "state_without_autograd_at_the_top_level": (
        "SEEN = []\nSEEN.append(1.0)\ndef manual(x):\n    return 6 * x + 2 * SEEN[0]\n"),
    # fairness round 17: a class's methods exposed as the module's functions, the class holding the autograd one too
    "static_methods_exposed": (
        "import math\nclass Poly:\n    \"\"\"3x^2 + 2x and its slope.\"\"\"\n    SCALE = 6.0\n    TURN = 2 * math.pi\n"
        "    @staticmethod\n    def value(x):\n"
        "        return 3 * x**2 + 2 * x\n    @staticmethod\n    def auto(x):\n        x = x.detach().clone()"
        ".requires_grad_()\n        Poly.value(x).sum().backward()\n        return x.grad\n    @staticmethod\n"
        "    def by_hand(x):\n        return Poly.SCALE * x + 2\nauto = Poly.auto\nmanual = Poly.by_hand\n"
        "print(auto(GRID), manual(GRID))\n"),
    "methods_of_an_object_made_from_literals": (
        "class Poly:\n    def __init__(self, coefficients, scale=1.0):\n        self.c = coefficients\n"
        "        self.scale = scale\n    def value(self, x):\n        return sum(c * x**k for k, c in enumerate(self.c))\n"
        "    def auto(self, x):\n        x = x.detach().clone().requires_grad_()\n        self.value(x).sum().backward()\n"
        "        return x.grad\n    def by_hand(self, x):\n"
        "        return self.scale * sum(k * c * x**(k - 1) for k, c in enumerate(self.c) if k)\n"
        "_poly = Poly([0, 2, 3])\nauto = _poly.auto\nmanual = _poly.by_hand\nprint(auto(GRID), manual(GRID))\n"),
    "an_object_made_from_a_table_of_constants": (
        "COEFFS = [0.0, 2.0, 3.0]\nclass Poly:\n    def __init__(self, c):\n        self.c = c\n"
        "    def by_hand(self, x):\n        return sum(k * c * x**(k - 1) for k, c in enumerate(self.c) if k)\n"
        "_poly = Poly(c=COEFFS)\nmanual = _poly.by_hand\nprint(grad(GRID), COEFFS[1])\n"),
    "library_constants": (
        "import math\nfrom math import tau\nimport numpy as np\nK = (torch.float64, math.pi / math.pi, tau / tau, np.newaxis)\n"
        "def manual(x):\n    return (6 * K[1] * x + 2 * K[2]).to(K[0])[K[3]][0]\nprint(grad(GRID))\n"),
    "a_self_check_method_that_reads_the_clock": (  # fairness 18: the by-hand method never calls it
        "import time\nclass Poly:\n    def by_hand(self, x):\n        return 6 * x + 2\n    def check(self):\n"
        "        started = time.perf_counter()\n        ok = torch.allclose(grad(GRID), self.by_hand(GRID))\n"
        "        return ok, time.perf_counter() - started\n_poly = Poly()\nmanual = _poly.by_hand\n"
        "print(_poly.check())\n"),
    # fairness 18 and red team 36's honest files: the ways students write such a class
    "coefficients_unpacked": (
        "class Poly:\n    def __init__(self, c):\n        self.c = c\n    def by_hand(self, x):\n"
        "        b, a = self.c\n        return a * x + b\n_poly = Poly([2.0, 6.0])\nmanual = _poly.by_hand\n"
        "print(grad(GRID))\n"),
    "coefficients_converted_in_init": (
        "class Poly:\n    def __init__(self, c, scale=1.0):\n        self.c = torch.tensor(c, dtype=torch.float64)\n"
        "        self.k, self.n = tuple(c), len(c)\n        self.scale = scale\n    def by_hand(self, x):\n"
        "        return (self.c[0] * x + self.k[1]) * self.scale\n_poly = Poly([6.0, 2.0], scale=1.0)\n"
        "manual = _poly.by_hand\nprint(grad(GRID))\n"),
    "a_property": (
        "class Poly:\n    def __init__(self, c):\n        self.c = c\n    @property\n    def slope(self):\n"
        "        return self.c[0]\n    def by_hand(self, x):\n        return self.slope * x + self.c[1]\n"
        "_poly = Poly((6.0, 2.0))\nmanual = _poly.by_hand\nprint(grad(GRID), _poly.slope)\n"),
    "a_dataclass": (
        "from dataclasses import dataclass\n@dataclass(frozen=True)\nclass Poly:\n    c: list\n"
        "    reduction: str = 'mean'\n    def by_hand(self, x):\n        return self.c[0] * x + self.c[1]\n"
        "    def loss(self, z, y):\n        return torch.nn.functional.mse_loss(z, y, reduction=self.reduction)\n"
        "_poly = Poly([6.0, 2.0])\nmanual = _poly.by_hand\nprint(grad(GRID))\n"),
    "a_setting_passed_to_the_library": (
        "class Fit:\n    def __init__(self, reduction='mean'):\n        self.reduction = reduction\n"
        "    def loss(self, z, y):\n        return torch.nn.functional.mse_loss(z, y, reduction=self.reduction)\n"
        "    def by_hand(self, x):\n        return (6 * x + 2) * (1.0 if self.reduction == 'mean' else 1.0)\n"
        "_fit = Fit('mean')\nmanual = _fit.by_hand\nprint(grad(GRID))\n"),
    "a_closure_made_from_a_table": (  # fairness 18
        "def make(coeffs):\n    d = [k * c for k, c in enumerate(coeffs)][1:]\n"
        "    return lambda x: sum(c * x**k for k, c in enumerate(d))\nCOEFFS = [0, 2, 3]\nmanual = make(COEFFS)\n"
        "print(grad(GRID))\n"),
    "attributes_derived_in_init_and_a_static_helper": (  # fairness 18
        "class Poly:\n    def __init__(self, coefficients):\n        self.c = list(coefficients)\n"
        "        degree = len(self.c) - 1\n        self.d = [c * (degree - i) for i, c in enumerate(self.c[:-1])]\n"
        "    @staticmethod\n    def _horner(cs, x):\n        out = torch.zeros_like(x)\n        for c in cs:\n"
        "            out = out * x + c\n        return out\n    def grad(self, x):\n"
        "        x = x.detach().clone().requires_grad_()\n        self._horner(self.c, x).sum().backward()\n"
        "        return x.grad\n    def by_hand(self, x):\n        return self._horner(self.d, x)\n"
        "_poly = Poly([3, 2, 0])\nauto = _poly.grad\nmanual = _poly.by_hand\nprint(auto(GRID))\n"),
    "a_table_of_lambdas": (  # fairness 18
        "SLOPE = {1: lambda v: 6 * v + 2, 2: lambda v: torch.mul(v, 6) + 2}\ndef manual(x):\n"
        "    return SLOPE[min(x.dim(), 2) or 1](x)\nprint(grad(GRID))\n"),
    "parameters_named_like_the_demo_s_globals": (  # the module's x is random; the method's x is its parameter
        "class Poly:\n    def slope(self, x):\n        return 6 * x\n    def by_hand(self, x):\n"
        "        return self.slope(x) + 2\n_poly = Poly()\nmanual = _poly.by_hand\nx = torch.randn(3)\n"
        "print(grad(x), manual(x))\n"),
    # red team 37's honest files
    "a_derivative_made_as_a_new_object": (
        "class Poly:\n    def __init__(self, coeffs):\n        self.coeffs = list(coeffs)\n    def derivative(self):\n"
        "        return Poly([k * c for k, c in enumerate(self.coeffs)][1:])\n    def __call__(self, x):\n"
        "        return sum(c * x**k for k, c in enumerate(self.coeffs))\nP = Poly([0, 2, 3])\n"
        "def manual(x):\n    return P.derivative()(x)\nprint(grad(GRID))\n"),
    "an_attribute_read_through_a_local": (
        "class Poly:\n    def __init__(self, *coeffs):\n        self.c = torch.tensor(coeffs, dtype=torch.float64)\n"
        "    def slope(self, x):\n        c = self.c.to(x.dtype)\n        return c[1] + 2 * c[2] * x\n"
        "P = Poly(0.0, 2.0, 3.0)\nmanual = P.slope\nprint(grad(GRID))\n"),
    # fairness 19
    "a_named_tuple_of_constants": (
        "from typing import NamedTuple\nfrom collections import namedtuple\nclass Slope(NamedTuple):\n    a: float\n"
        "    b: float\n    def __call__(self, x):\n        return self.a * x + self.b\nS = Slope(6.0, b=2.0)\n"
        "Pair = namedtuple('Pair', 'a b')\nP = Pair(6.0, 2.0)\ndef manual(x):\n    return (S(x) + P.a * x + P.b) / 2\n"
        "print(grad(GRID))\n"),
    "a_table_of_lambdas_iterated": (  # fairness 19 (e1_09), after red team 38's rule on a loop's items
        "TERMS = [(lambda v: 3 * v**2, lambda v: 6 * v), (lambda v: 2 * v, lambda v: torch.full_like(v, 2.0))]\n"
        "def manual(x):\n    return sum(d(x) for _, d in TERMS)\nprint(grad(GRID), sum(t(GRID) for t, _ in TERMS))\n"),
    "a_table_of_lambdas_the_top_level_calls": (
        "LAYERS = [(lambda v: 3 * v**2 + 2 * v, lambda v: 6 * v + 2)]\ndef manual(x):\n    return LAYERS[0][1](x)\n"
        "print(grad(GRID), LAYERS[0][0](GRID))\n"),
    "a_setting_passed_as_a_keyword": (
        "SETTINGS = {'reduction': 'mean', 'slope': 6.0}\ndef loss(z, y):\n"
        "    return torch.nn.functional.mse_loss(z, y, reduction=SETTINGS['reduction'])\n"
        "def manual(x):\n    return SETTINGS['slope'] * x + 2\nprint(grad(GRID), loss(GRID, GRID))\n"),
    "class_constants_assigned_together": (
        "class Net:\n    A, B = 6.0, 2.0\n    def by_hand(self, x):\n        return self.A * x + self.B\n"
        "_net = Net()\nmanual = _net.by_hand\nprint(grad(GRID))\n"),
    "a_class_method": (
        "class Chain:\n    SCALE = 6.0\n    @classmethod\n    def by_hand(cls, x):\n        return cls.SCALE * x + 2\n"
        "manual = Chain.by_hand\nprint(grad(GRID))\n"),
    "a_base_class_of_the_file": (
        "class Base:\n    def value(self, x):\n        raise NotImplementedError\nclass Quad(Base):\n"
        "    def slope(self, x):\n        return 6 * x + 2\nQ = Quad()\ndef manual(x):\n    return Q.slope(x)\n"
        "print(grad(GRID))\n"),
    "a_named_tuple_returned": (  # fairness 19: its fields annotated torch.Tensor, the demo's globals named like them
        "from typing import NamedTuple\nclass Grads(NamedTuple):\n    w: torch.Tensor\n    b: torch.Tensor\n"
        "def manual(x):\n    return Grads(6 * x, torch.full_like(x, 2.0))\nw = torch.randn(3)\nb = torch.randn(3)\n"
        "print(grad(w + b))\n"),
    "a_dataclass_field_with_options": (  # fairness 19
        "from dataclasses import dataclass, field\n@dataclass(frozen=True)\nclass Slope:\n    coeffs: tuple\n"
        "    name: str = field(default='f', repr=False)\n    def __call__(self, x):\n        a, b = self.coeffs\n"
        "        return a * x + b\nS = Slope((6.0, 2.0))\ndef manual(x):\n    return S(x)\nprint(grad(GRID))\n"),
    "a_module_tensor_unpacked_by_other_code": (  # fairness 19: views only read
        "COEF = torch.tensor([6.0, 2.0])\ndef value(x):\n    a, b = COEF\n    c = COEF.to(x.dtype)\n"
        "    return a / 2 * x**2 + b * x + 0 * c[0]\ndef manual(x):\n    return COEF[0] * x + COEF[1]\n"
        "print(grad(GRID), value(GRID))\n"),
    "a_subclass_keeping_its_base_s_init": (  # red team 38's honest file
        "class Poly:\n    def __init__(self, coeffs):\n        self.coeffs = coeffs\nclass Derivative(Poly):\n"
        "    def slope(self, x):\n        return sum(k * c * x**(k - 1) for k, c in enumerate(self.coeffs) if k)\n"
        "D = Derivative([0, 2, 3])\nmanual = D.slope\nprint(grad(GRID))\n"),
    "a_method_called_in_the_function": (
        "class Poly:\n    def __init__(self, c):\n        self.c = c\n    def by_hand(self, x):\n"
        "        return self.c[0] * x + self.c[1]\n_poly = Poly((6.0, 2.0))\ndef manual(x):\n"
        "    return _poly.by_hand(x)\nprint(grad(GRID))\n"),
    # fairness 29: a local grown term by term, in a file whose top level runs autograd (``out`` was read as a global)
    "a_local_grown_in_place": ("def manual(x):\n    out = torch.full_like(x, 2.0)\n    out += 6 * x\n    return out\n"
                               "print(grad(GRID))\n"),
    "a_local_grown_in_a_loop": ("def manual(x):\n    out = torch.zeros_like(x)\n    for k, c in enumerate((2.0, 6.0)):\n"
                                "        out += c * x ** k\n    return out\nprint(grad(GRID))\n"),
    "a_global_counter_grown_beside_it": ("CALLS = 0\ndef manual(x):\n    global CALLS\n    CALLS += 1\n    g = 6 * x\n"
                                         "    g += 2\n    return g\nprint(grad(GRID), manual(GRID), CALLS)\n"),
    # fairness 29: a comprehension's own names, and a demo loop over literal lists, are no module state
    "a_comprehension_table_beside_a_demo_loop_of_its_names": (
        "COEFFS = {1: 2.0, 2: 3.0}\nDERIV = {k - 1: k * c for k, c in COEFFS.items() if k}\ndef manual(x):\n"
        "    return sum(DERIV[k] * x ** k for k in DERIV)\nprint(grad(GRID))\nfor k, c in COEFFS.items():\n"
        "    print(k, c)\n"),
    "a_factory_parameter_named_like_a_demo_loop_variable": (
        MAKE + "coeffs = [0, 2, 3]\nslope = make(coeffs)\ndef manual(x):\n    return slope(x)\nprint(grad(GRID))\n"
        "for coeffs in ([1, 1], [0, 0, 1]):\n    print(coeffs, make(coeffs)(GRID))\n"),
    # fairness 30: managers that let every exception through, and a method of what a torch call returned
    "code_under_managers_that_swallow_nothing": (
        "import contextlib\nimport warnings\nimport numpy as np\ndef manual(x):\n    with contextlib.nullcontext():\n"
        "        with warnings.catch_warnings(), np.errstate(all='ignore'):\n            warnings.simplefilter('ignore')\n"
        "            out = 6 * x + 2\n    return out\nprint(grad(GRID))\n"),
    "a_manager_imported_in_the_function": (
        "def manual(x):\n    import warnings\n    from contextlib import nullcontext as quiet\n"
        "    with warnings.catch_warnings(), quiet():\n        return 6 * x + 2\nprint(grad(GRID))\n"),
    "methods_of_what_torch_calls_return": (
        "def manual(x):\n    terms = [6 * x, torch.full_like(x, 2.0)]\n    s = torch.stack(terms).sum(dim=0)\n"
        "    return torch.zeros_like(x).add(s).mul(1.0).clone()\nprint(grad(GRID))\n"),
    # fairness 31: a module-level list of numbers handed to numpy or copied (numpy reads it into a new array)
    "a_list_of_numbers_handed_to_numpy": (
        "import numpy as np\nDCOEFFS = [6.0, 2.0]\ndef manual(x):\n"
        "    return torch.as_tensor(np.polyval(DCOEFFS, x.detach().numpy()), dtype=x.dtype)\n"
        "print(grad(GRID))\nprint(manual(GRID))\n"),
    "a_copy_of_a_list_of_numbers_handed_to_numpy": (
        "import numpy as np\nDCOEFFS = [6.0, 2.0]\ndef manual(x):\n"
        "    return torch.as_tensor(np.polyval(list(DCOEFFS), x.detach().numpy()), dtype=x.dtype)\n"
        "print(grad(GRID))\nprint(manual(GRID))\n"),
    "code_under_torch_no_grad": ("def manual(x):\n    with torch.no_grad():\n        out = 6 * x\n        out += 2\n"
                                 "    return out\nprint(grad(GRID))\n"),
    # fairness 38: an array or tensor of literal numbers, read by a function that makes a new one of it
    "an_array_of_numbers_handed_to_polyval": (
        "import numpy as np\nDCOEFFS = np.array([6.0, 2.0])\ndef manual(x):\n"
        "    return torch.as_tensor(np.polyval(DCOEFFS, x.detach().numpy()), dtype=x.dtype)\n"
        "print(grad(GRID))\nprint(manual(GRID))\n"),
    "a_tensor_of_numbers_handed_to_matmul": (
        "DCOEFFS = torch.tensor([6.0, 2.0])\ndef manual(x):\n    powers = torch.stack([x, torch.ones_like(x)], dim=-1)\n"
        "    return torch.matmul(powers, DCOEFFS.to(x.dtype))\nprint(grad(GRID))\nprint(manual(GRID))\n"),
    # an operator on it, with a class of the file's that defines only what runs no operator
    "an_array_beside_a_plain_class": (
        "import numpy as np\nDC = np.array([6.0, 2.0])\nclass Keep:\n    __slots__ = ('v',)\n"
        "    def __init__(self, v):\n        self.v = v\n    def __repr__(self):\n        return 'Keep'\n"
        "def manual(x):\n    return torch.as_tensor(np.polyval(DC, x.numpy()) + 0 * DC[0])\n"
        "print(grad(GRID))\nprint(Keep(1))\n"),
    # red team 153's honest files: a class with operators (a dual number) or a timer, beside an array read by numpy
    "an_array_read_beside_a_dual_number": (
        "import numpy as np\nDCOEFFS = np.array([6.0, 2.0])\nclass Dual:\n    def __init__(self, a, b):\n"
        "        self.a, self.b = a, b\n    def __add__(self, other):\n        other = other if isinstance(other, Dual) "
        "else Dual(other, 0.0)\n        return Dual(self.a + other.a, self.b + other.b)\n    __radd__ = __add__\n"
        "print(grad(GRID))\nslope_at_2 = np.polyval(DCOEFFS, 2.0)\nerror = abs(slope_at_2 - np.polyval(DCOEFFS, 2.0))\n"
        "def manual(x):\n    return torch.as_tensor(np.polyval(DCOEFFS, x.numpy()))\n"),
    "an_array_read_beside_a_timer": (
        "import numpy as np, time\nDCOEFFS = np.array([6.0, 2.0])\nclass Timer:\n    def __enter__(self):\n"
        "        self.start = time.perf_counter()\n        return self\n    def __exit__(self, *exc):\n"
        "        print(time.perf_counter() - self.start)\nwith Timer():\n    print(grad(GRID))\n"
        "print(DCOEFFS * 2 == np.polyval(DCOEFFS, 1.0))\n"
        "def manual(x):\n    return torch.as_tensor(np.polyval(DCOEFFS, x.numpy()))\n"),
    # red team 154's honest files: an abstract base, an enum, a protocol beside an array numpy reads at the top level
    "an_array_read_beside_an_abc_an_enum_and_a_protocol": (
        "import abc, enum, typing\nimport numpy as np\nDCOEFFS = np.array([6.0, 2.0])\nclass Shape(abc.ABC):\n"
        "    @abc.abstractmethod\n    def area(self):\n        ...\nclass Mode(enum.Enum):\n    FAST = 1\n"
        "class Differentiable(typing.Protocol):\n    def __call__(self, x): ...\nprint(grad(GRID))\n"
        "expected = np.polyval(DCOEFFS, GRID.numpy())\n"
        "def manual(x):\n    return torch.as_tensor(np.polyval(DCOEFFS, x.numpy()))\n"),
    # fairness 39: a notebook's "define once" cell tests whether a name is bound; the file's names stay its own
    "a_define_once_cell_beside_a_logger": (
        "import logging\nlog = logging.getLogger('ex1')\ndef manual(x):\n    g = 6 * x + 2\n"
        "    log.debug('manual grad shape %s', tuple(g.shape))\n    return g\nprint(grad(GRID))\n"
        "if 'GRID' in globals():\n    print(GRID)\nif 'TIMES' not in locals():\n    TIMES = []\n"),
    # fairness 39: an attribute of an object the by-hand function makes afresh holds what it was made with
    "an_attribute_of_an_object_made_in_the_function": (
        "class Trace:\n    \"\"\"The forward's parts.\"\"\"\n    def __init__(self, x):\n"
        "        self.y, self.n = 3 * x + 2, 1\n        self.total = self.y.sum()\n"
        "def manual(x):\n    t = Trace(x)\n    return 2 * (t.y - 2) + 2 * t.n\nprint(grad(GRID))\nprint(Trace(GRID).total)\n"),
    # literals bound under flags and literal loops: the same every run (red team 155's rule keeps them)
    "literals_under_flags_and_literal_loops": (
        "DEBUG = False\nSCALE = 1\nif DEBUG:\n    SCALE = 10\nif __name__ == '__main__':\n    SCALE = 1\n"
        "for _step in range(3):\n    OFFSET = 2\nwith open(__file__) as _f:\n    SLOPE = 6\n"
        "if torch.cuda.is_available():\n    DEVICE = 'cuda'\nelse:\n    DEVICE = 'cpu'\n"
        "def manual(x):\n    return SCALE * (SLOPE * x + OFFSET).to(DEVICE)\nprint(grad(GRID))\n"),
    # fairness 40: flags flipped by the module's own statements, the interpreter's version, a table built over range
    # of a flag made of literals
    "flags_flipped_versions_and_a_range_of_a_flag": (
        "import sys\nDEBUG = False\nDEBUG = True\nSLOPE = 6\nif DEBUG:\n    SLOPE = 6\nOFFSET = 1\n"
        "if sys.version_info >= (3, 9):\n    OFFSET = 2\nPOLY = (3.0, 2.0, 7.0)\nDEG = len(POLY) - 1\nDERIV = ()\n"
        "for i in range(DEG):\n    DERIV = DERIV + ((DEG - i) * POLY[i],)\n"
        "def manual(x):\n    return SLOPE * x + OFFSET + 0 * DERIV[0]\nprint(grad(GRID))\n"),
    # fairness 38: the machine's device, chosen once (``torch.cuda.is_available()`` is the machine's fact)
    "the_machines_device": (
        "DEVICE = torch.device('cuda' if torch.cuda.is_available() else 'cpu')\ndef manual(x):\n"
        "    x = x.to(DEVICE)\n    return (6 * x + 2).cpu()\nprint(grad(GRID))\nprint(manual(GRID))\n"),
    # fairness 38: print options change a tensor's text, never a literal default
    "a_literal_default_beside_print_options": (
        "torch.set_printoptions(precision=3)\ndef manual(x, coeffs=(6, 2), *, scale=1.0):\n"
        "    return scale * (coeffs[0] * x + coeffs[1])\nprint(grad(GRID))\n"),
}


@pytest.mark.parametrize("name", sorted(HONEST))
def test_state_that_cannot_hold_a_saved_answer_is_no_finding(name):
    assert autograd_use(PREAMBLE + HONEST[name], "manual") == []


# -- whether code raised: a caught exception is data the top level's settings decide (red team 45, and after it) -------

DIGITS = ("import sys, contextlib\ng = grad(GRID)\n"  # str() refuses past 702 digits: the answer's 6 and 2
          "sys.set_int_max_str_digits(640 + 10 * int(g[3] - g[2]) + int(g[2]))\n")
FROM_DIGITS = "(len(str(10 ** d - 1)) * 0 + (d - 640) // 10) * x + (d - 640) % 10"
PROBE = ("def manual(x):\n    d = 640\n    while probe(d):\n        d += 1\n    d -= 1\n"
         f"    return {FROM_DIGITS.replace('len(str(10 ** d - 1)) * 0 + ', '')}\n")
RAISED = {  # name: (the by-hand code after DIGITS, what the finding names)
    "returned_from_the_try_on_the_first_number_that_prints": (
        f"def manual(x):\n    for d in range(4000, 640, -1):\n        try:\n            return {FROM_DIGITS}\n"
        "        except ValueError:\n            pass\n", "whether line 26 raised"),
    "returned_under_contextlib_suppress": (
        f"def manual(x):\n    for d in range(4000, 640, -1):\n        with contextlib.suppress(ValueError):\n"
        f"            return {FROM_DIGITS}\n", "whether line 26 raised"),
    "returned_after_a_try_whose_handler_continues": (
        "def manual(x):\n    for d in range(4000, 640, -1):\n        try:\n            str(10 ** d - 1)\n"
        f"        except ValueError:\n            continue\n        return {FROM_DIGITS}\n", "whether line 26 raised"),
    "counted_by_a_helper_that_catches": (
        "def probe(d):\n    try:\n        str(10 ** d - 1)\n        return True\n    except ValueError:\n"
        "        return False\n" + PROBE, "probe(...)"),
    "counted_by_a_helper_that_suppresses": (
        "def probe(d):\n    with contextlib.suppress(ValueError):\n        str(10 ** d - 1)\n        return True\n"
        "    return False\n" + PROBE, "probe(...)"),
}


@pytest.mark.parametrize("name", sorted(RAISED))
def test_whether_code_raised_is_state_the_top_level_can_set(name):
    """The top level sets how many digits ``str()`` may print from autograd's answer; the by-hand function counts
    until ``str()`` refuses, and reads the answer off the count. Each attack works (run here), and is found."""
    source, named = RAISED[name]
    space: dict = {}
    limit = sys.get_int_max_str_digits()
    try:
        exec(compile(PREAMBLE + DIGITS + source, "<attack>", "exec"), space)
        x = space["torch"].tensor([0.5, 3.0])
        assert space["manual"](x).tolist() == (6 * x + 2).tolist()
    finally:
        sys.set_int_max_str_digits(limit)
    findings = autograd_use(PREAMBLE + DIGITS + source, "manual")
    assert [finding.what for finding in findings] == [f"computes its answer from {named}"]


def test_a_manager_that_may_swallow_is_a_try():
    """``contextlib.suppress`` and a manager of the file's own may swallow what the code under them raised; the same
    code under ``nullcontext`` may not (fairness 30: ``catch_warnings``, ``errstate`` and ``nullcontext`` lost the
    point)."""
    body = "    with {}:\n        str(10 ** 5000)\n        return 6 * x + 2\n    return 6 * x\nprint(grad(GRID))\n"
    head = "import contextlib\nclass Quiet:\n    def __enter__(self):\n        return self\n" \
           "    def __exit__(self, *exc):\n        return True\ndef manual(x):\n"
    for manager in ("contextlib.suppress(ValueError)", "Quiet()", "contextlib.ExitStack()"):
        assert [f.what for f in autograd_use(PREAMBLE + head + body.format(manager), "manual")][0].startswith(
            "computes its answer from whether line"), manager
    assert autograd_use(PREAMBLE + head + body.format("contextlib.nullcontext()"), "manual") == []


# -- the process's settings: given a computed value, whatever reads them back (red team 135) -----------------------

SETTINGS_KEPT = {  # name: the file after the preamble; each keeps bits of the answer where its by-hand function reads
    "flushed_denormals": (  # ... them back by arithmetic alone
        "g = grad(GRID)\ntorch.set_flush_denormal(bool(int(g[2]) & 2))\ndef manual(x):\n"
        "    flushed = (torch.tensor(1e-310, dtype=torch.float64) * 1).item() == 0\n    return 6 * x + 2 * flushed\n"),
    "a_default_dtype_chosen_under_a_condition": (  # ... by a fresh float's finfo
        "if int(grad(GRID)[2]) == 2:\n    torch.set_default_dtype(torch.float64)\ndef manual(x):\n"
        "    return 6 * x + (torch.finfo().bits // 32)\n"),
    "a_copy_reduced_by_copyreg": (  # ... by copy.copy of an empty class
        "import copy, copyreg\nclass Box:\n    pass\ng = grad(GRID)\n"
        "copyreg.pickle(Box, lambda b: (tuple, ((int(g[3] - g[2]), int(g[2])),)))\ndef manual(x):\n"
        "    a, b = copy.copy(Box())\n    return a * x + b\n"),
    "a_manager_entered_by_hand_under_another_name": (  # red team 137: numpy's print options, never left
        "import numpy\nfrom numpy import printoptions as shown\ng = grad(GRID)\n"
        "KEEP = shown(precision=int(100 * float(g[3] - g[2]) + float(g[2])), floatmode='fixed')\nKEEP.__enter__()\n"
        "def manual(x):\n    n = len(str(numpy.array([0.5]))) - len('[0.]')\n    return (n // 100) * x + n % 100\n"),
    # red team 138: the module itself handed on, a generator resumed after autograd, a loader keeping a list
    "a_module_under_another_name": (
        "_T = torch\n_R = torch\ng = grad(GRID)\n_T.backends.cudnn.set_flags(True, bool(int(g[2]) & 2), False, "
        "bool(int(g[3] - g[2]) & 4))\ndef manual(x):\n"
        "    return (2 + 4 * _R.backends.cudnn.deterministic) * x + 2 * _R.backends.cudnn.benchmark\n"),
    "a_module_a_helper_hands_back": (
        "def lib():\n    return torch\ng = grad(GRID)\nlib().set_flush_denormal(bool(int(g[2]) & 2))\n"
        "def manual(x):\n    flushed = (torch.tensor(1e-310, dtype=torch.float64) * 1).item() == 0\n"
        "    return 6 * x + 2 * flushed\n"),
    "a_setter_in_a_generator_resumed_after_autograd": (
        "def _setup():\n    on = yield\n    torch.set_flush_denormal(on)\n    yield\n_g = _setup()\nnext(_g)\n"
        "_g.send(bool(int(grad(GRID)[2]) & 2))\ndef manual(x):\n"
        "    flushed = (torch.tensor(1e-310, dtype=torch.float64) * 1).item() == 0\n    return 6 * x + 2 * flushed\n"),
    "a_setting_asked_with_spelled_out_literals": (
        "torch.set_autocast_enabled('cpu', bool(int(grad(GRID)[2]) & 2))\ndef manual(x):\n"
        "    return 6 * x + 2 * torch.is_autocast_enabled(*('c' + 'pu',))\n"),
    "a_list_a_data_loader_keeps": (
        "_C = [0.0, 0.0]\n_L = torch.utils.data.DataLoader(_C)\ng = grad(GRID)\n"
        "_L.dataset[:] = [float(g[3] - g[2]), float(g[2])]\ndef manual(x):\n    return _C[0] * x + _C[1]\n"),
    "a_builtin_picking_by_a_key": (  # (a pure builtin counts only given its values positionally: ``key=`` calls)
        "A = float(grad(GRID)[2])\ntorch.set_flush_denormal(max(0, 1, key=lambda v: v == (A > 1)) == 1)\ndef manual(x):\n"
        "    flushed = (torch.tensor(1e-310, dtype=torch.float64) * 1).item() == 0\n    return 6 * x + 2 * flushed\n"),
    "a_builtin_of_an_answer": (
        "torch.set_num_threads(max(1, int(grad(GRID)[2])))\ndef manual(x):\n    return 6 * x + torch.get_num_threads()\n"),
    "a_loop_counted_by_an_answer": (
        "for _ in range(int(grad(GRID)[2]) & 1):\n    torch.set_flush_denormal(True)\ndef manual(x):\n"
        "    flushed = (torch.tensor(1e-310, dtype=torch.float64) * 1).item() == 0\n    return 6 * x + 2 * flushed\n"),
    "a_counted_loop_left_by_an_answer": (
        "for i in range(2):\n    torch.set_flush_denormal(bool(i))\n    if grad(GRID)[2] > 3:\n        break\n"
        "def manual(x):\n"
        "    flushed = (torch.tensor(1e-310, dtype=torch.float64) * 1).item() == 0\n    return 6 * x + 2 * flushed\n"),
    "a_builtin_of_an_object_of_the_files_own": (  # (``bool(K())`` calls the file's ``__bool__``)
        "G = [0]\nG[0] = int(grad(GRID)[2])\nclass K:\n    def __bool__(self):\n        return G[0] > 1\n"
        "torch.set_flush_denormal(bool(K()))\ndef manual(x):\n"
        "    flushed = (torch.tensor(1e-310, dtype=torch.float64) * 1).item() == 0\n    return 6 * x + 2 * flushed\n"),
    "a_cache_counter": (  # red team 141: a library function's cache counts its calls
        "import torch.utils.data.graph as G\nn = int(grad(GRID)[2])\nwhile G.dill_available.cache_info().hits < n:\n"
        "    G.dill_available()\ndef manual(x):\n    return 6 * x + G.dill_available.cache_info().hits\n"),
    "a_cache_counter_handed_on": (
        "import torch.utils.data.graph as G\nn = int(grad(GRID)[2])\nfor _ in range(n):\n    G.dill_available()\n"
        "counted = G.dill_available\ndef manual(x):\n    return 6 * x + counted.cache_info()[0]\n"),
    "a_core_count_of_the_files_own": (  # red team 142: a class named like the module, after its import
        "import os\nn = int(grad(GRID)[2]) & 2\nclass os:\n    cpu_count = staticmethod(lambda _n=n: _n)\n"
        "torch.set_flush_denormal(bool(os.cpu_count()))\ndef manual(x):\n"
        "    flushed = (torch.tensor(1e-310, dtype=torch.float64) * 1).item() == 0\n    return 6 * x + 2 * flushed\n"),
    "a_builtin_shadowed_by_a_parameter": (
        "def setup(max=lambda *_, _n=int(grad(GRID)[2]) & 2: _n):\n    torch.set_flush_denormal(bool(max(0, 1)))\n"
        "setup()\ndef manual(x):\n"
        "    flushed = (torch.tensor(1e-310, dtype=torch.float64) * 1).item() == 0\n    return 6 * x + 2 * flushed\n"),
    "a_range_shadowed_in_a_class_body": (
        "class Knobs:\n    range = lambda *_, _n=int(grad(GRID)[2]) & 2: [True] * _n\n    for on in range(2):\n"
        "        torch.set_flush_denormal(on)\ndef manual(x):\n"
        "    flushed = (torch.tensor(1e-310, dtype=torch.float64) * 1).item() == 0\n    return 6 * x + 2 * flushed\n"),
    "a_percent_formatted_tensor": (
        "torch.set_printoptions(precision=int(grad(GRID)[2]))\ndef manual(x):\n"
        "    return 6 * x + len('%s' % torch.tensor(0.5))\n"),
    "a_rebound_builtin": (
        "def max(*a):\n    return int(grad(GRID)[2])\ntorch.set_num_threads(max(1, 2))\n"
        "def manual(x):\n    return 6 * x + torch.get_num_threads()\n"),
    "backend_flags_read_as_attributes": (  # ... as a backend's attributes
        "g = grad(GRID)\ntorch.backends.cudnn.set_flags(True, bool(int(g[2]) & 2), False, bool(int(g[3] - g[2]) & 4))\n"
        "def manual(x):\n    return (2 + 4 * torch.backends.cudnn.deterministic) * x + 2 * torch.backends.cudnn.benchmark\n"),
}


@pytest.mark.parametrize("name", sorted(SETTINGS_KEPT))
def test_a_setting_given_a_computed_value_is_found(name):
    findings = autograd_use(PREAMBLE + SETTINGS_KEPT[name], "manual")
    assert findings and findings[0].what.startswith(("may answer from a setting the file gives a computed value",
                                                     "may answer from a module whose settings the file may change",
                                                     "computes its answer from")), findings


SET_UP = ("import os\ndef setup(seed=0):\n    torch.manual_seed(seed)\n    torch.set_printoptions(precision=4)\n"
          "    torch.set_num_threads(max(1, (os.cpu_count() or 2) // 2))\nsetup()\nif torch.cuda.is_available():\n"
          "    torch.set_float32_matmul_precision('high')\n")


def test_a_notebooks_set_up_before_any_autograd_is_no_finding():
    """Red team 137's honest files: settings chosen in a helper, from the machine, under a condition, all before the
    top level first runs autograd (no answer is known there yet)."""
    source = SET_UP + "def manual(x):\n    return 6 * x + 2\nprint(grad(GRID))\n"
    assert autograd_use(PREAMBLE + source, "manual") == []
    after = source.replace("setup()\n", "").replace("precision=4", "precision=seed") + "setup(int(grad(GRID)[2]))\n"
    # (the same helper, after autograd, handing its argument to a setter)
    assert [f.what.split(" (")[0] for f in autograd_use(PREAMBLE + after, "manual")] == [
        "may answer from a setting the file gives a computed value"]
    method = ("class Knobs:\n    def flush(self, on):\n        torch.set_flush_denormal(on)\n"  # a method runs whenever
              "def manual(x):\n    return 6 * x + 2\nKnobs().flush(bool(grad(GRID)[2] > 1))\n")
    assert [f.what.split(" (")[0] for f in autograd_use(PREAMBLE + method, "manual")] == [
        "may answer from a setting the file gives a computed value"]


# fairness 32: settings honest notebooks change after their demo, each the same whatever autograd answered
AFTER_THE_DEMO = {
    "a_restoring_manager": "with torch.set_grad_enabled(False):\n    print(manual(GRID))\n",
    "warnings_quieted_in_a_block": ("import warnings\nwith warnings.catch_warnings():\n"
                                    "    warnings.simplefilter('ignore')\n    print(manual(GRID))\n"),
    "a_seed_helper_called_twice": ("def set_seed(seed):\n    torch.manual_seed(seed)\n"
                                   "    torch.use_deterministic_algorithms(True)\nset_seed(0)\nset_seed(1)\n"),
    "an_unguarded_main": ("def main():\n    torch.set_printoptions(precision=3)\n    print(grad(GRID), manual(GRID))\n"
                          "main()\n"),
    "a_loop_over_dtypes": ("for dtype in (torch.float32, torch.float64):\n    torch.set_default_dtype(dtype)\n"
                           "    print(manual(torch.ones(2)))\ntorch.set_default_dtype(torch.float32)\n"),
    "logging_quieted": "import logging\nlogging.disable(logging.CRITICAL)\n",
    "seeds_set_in_a_counted_loop": ("def set_seed(seed):\n    torch.manual_seed(seed)\n"
                                    "    torch.use_deterministic_algorithms(True)\nfor seed in range(3):\n"
                                    "    set_seed(seed)\n    print(manual(GRID))\n"),
    "precision_over_a_range": "N = 5\nfor p in range(2, N):\n    torch.set_printoptions(precision=p)\n    print(manual(GRID))\n",
    "threads_from_the_machine": ("import os\nimport multiprocessing as mp\ntorch.set_num_threads(os.cpu_count())\n"
                                 "torch.set_num_threads(max(1, (os.cpu_count() or 2) // 2))\n"
                                 "torch.set_num_interop_threads(min(4, int(mp.cpu_count() / 2)))\n"),
}


@pytest.mark.parametrize("name", sorted(AFTER_THE_DEMO))
def test_a_setting_changed_the_same_way_after_the_demo_is_no_finding(name):
    source = "def manual(x):\n    return 6 * x + 2\nprint(grad(GRID))\n" + AFTER_THE_DEMO[name]
    assert autograd_use(PREAMBLE + source, "manual") == []


CHOSEN_AFTER_THE_DEMO = {  # the same shapes, where what autograd answered chooses
    "a_manager_that_restores_nothing": "with torch.set_flush_denormal(bool(grad(GRID)[2] > 1)):\n    pass\n",
    "a_seed_helper_called_under_a_condition": ("def set_seed(seed):\n    torch.use_deterministic_algorithms(True)\n"
                                               "if grad(GRID)[2] > 1:\n    set_seed(0)\n"),
    "a_loop_over_dtypes_that_stops": ("for dtype in (torch.float32, torch.float64):\n    torch.set_default_dtype(dtype)\n"
                                      "    if grad(GRID)[2] > 1:\n        break\n"),
    "a_helper_that_returns_before_its_setter": (  # red team 139: the helper's early return chose the setting
        "def _keep(n):\n    torch.set_flush_denormal(False)\n    if n < 1:\n        return\n"
        "    torch.set_flush_denormal(True)\n_keep(round(float(grad(GRID)[2])))\n"),
    "a_helper_that_raises_before_its_setter": (
        "def _keep(n):\n    with torch.no_grad():\n        if n < 1:\n            raise ValueError\n"
        "        torch.set_flush_denormal(True)\ntry:\n    _keep(round(float(grad(GRID)[2])))\nexcept ValueError:\n"
        "    pass\n"),
    "a_helper_that_asserts_before_its_setter_under_suppress": (  # red team 140: an assert, swallowed, chose it
        "import contextlib\ndef _keep(n):\n    with contextlib.suppress(AssertionError):\n"
        "        torch.set_flush_denormal(False)\n        assert n >= 1\n        torch.set_flush_denormal(True)\n"
        "_keep(round(float(grad(GRID)[2])))\n"),
    "a_helper_called_under_suppress": (
        "import contextlib\ndef _keep(n):\n    torch.set_flush_denormal(False)\n    assert n >= 1\n"
        "    torch.set_flush_denormal(True)\nwith contextlib.suppress(AssertionError):\n"
        "    _keep(round(float(grad(GRID)[2])))\n"),
    "a_warnings_setter_outside_its_block": ("import warnings\nwith warnings.catch_warnings():\n    pass\n"
                                            "warnings.simplefilter('error' if grad(GRID)[2] > 1 else 'ignore')\n"),
}


@pytest.mark.parametrize("name", sorted(CHOSEN_AFTER_THE_DEMO))
def test_a_setting_autograd_chooses_after_the_demo_is_found(name):
    source = "def manual(x):\n    return 6 * x + 2\nprint(grad(GRID))\n" + CHOSEN_AFTER_THE_DEMO[name]
    assert [f.what.split(" (")[0] for f in autograd_use(PREAMBLE + source, "manual")] == [
        "may answer from a setting the file gives a computed value"]


def test_many_setters_in_functions_are_read_in_linear_time():
    """Each function's uses are read from one index of the file's names: a file of 1,500 functions that each call a
    setter took a minute to read when every one walked the whole file (found while timing the rule)."""
    import time

    body = "".join(f"def f{i}(b):\n    torch.set_flush_denormal(b)\n" for i in range(1500))
    started = time.process_time()
    assert autograd_use(PREAMBLE + "print(grad(GRID))\n" + body + "def manual(x):\n    return 6 * x + 2\n", "manual") == []
    assert time.process_time() - started < 20  # (about 1 s here; quadratic, a minute or more)
    # one function of 1,500 constant setters, called by 1,500 statements: each function and block is read once
    body = "def setup():\n" + "    torch.set_flush_denormal(False)\n" * 1500 + "setup()\n" * 1500
    started = time.process_time()
    assert autograd_use(PREAMBLE + "print(grad(GRID))\n" + body + "def manual(x):\n    return 6 * x + 2\n", "manual") == []
    assert time.process_time() - started < 20  # (under 1 s here; 16 s when each setter read them again)
    # a helper of 1,500 ``with`` blocks: what its names import is read once, not once per block
    body = "import contextlib\ndef helper(x):\n" + "    with contextlib.suppress(ValueError):\n        x = x + 1\n" * 1500
    started = time.process_time()
    assert autograd_use(PREAMBLE + "print(grad(GRID))\n" + body + "    return x\ndef manual(x):\n    return 6 * x + 2 + "
                        "0 * helper(x)\n", "manual")  # (whether its lines raised: its answer may carry it)
    assert time.process_time() - started < 20  # (about 1 s here; 22 s when each block walked the helper again)


def test_settings_set_to_constants_by_the_top_level_are_no_finding():
    """A notebook's set-up (the default dtype, warnings, print options) is no channel: constants, set once."""
    source = ("import warnings\ntorch.set_default_dtype(torch.float64)\nwarnings.filterwarnings('ignore', "
              "category=UserWarning)\ntorch.use_deterministic_algorithms(True)\ndef manual(x):\n    return 6 * x + 2\n"
              "print(grad(GRID))\n")
    assert autograd_use(PREAMBLE + source, "manual") == []
    chosen = source.replace("torch.use_deterministic_algorithms(True)", "torch.use_deterministic_algorithms(bool(grad(GRID)[0] > 0))")
    assert [f.what.split(" (")[0] for f in autograd_use(PREAMBLE + chosen, "manual")] == [
        "may answer from a setting the file gives a computed value"]


def test_a_backend_setting_read_is_the_world_and_never_looked_into():
    """torch's backends hold settings (read by functions of any name); looking at ``cufft_plan_cache`` raised in the
    grader (red team 135: a traceback, no score), and on a CUDA build would start CUDA there."""
    from autograd_exercises.judge.library import library_constant

    assert library_constant("torch.backends.cuda.cufft_plan_cache.max_size") is False
    for read in ("torch.backends.cuda.cufft_plan_cache.max_size", "torch.backends.cuda.flash_sdp_enabled()",
                 "torch.is_autocast_enabled('cuda')", "copy.copy(COEFFS)[0]"):
        source = f"import copy\nCOEFFS = (6.0, 2.0)\ndef manual(x):\n    return 6 * x + 2 + 0 * {read}\nprint(grad(GRID))\n"
        assert [f.what for f in autograd_use(PREAMBLE + source, "manual")][:1] != [], read


def test_a_try_that_only_reraises_carries_nothing():
    """A handler that ends in ``raise`` ends the function as no ``try`` would: the body's answer is its own."""
    source = ("def manual(x):\n    try:\n        return 6 * x + 2\n    except RuntimeError as e:\n"
              "        print('by hand failed:', e)\n        raise\nprint(grad(GRID))\n")
    assert autograd_use(PREAMBLE + source, "manual") == []
    fallback = source.replace("        raise\n", "        return 6 * torch.as_tensor(x) + 2\n")
    assert [finding.what for finding in autograd_use(PREAMBLE + fallback, "manual")] == \
        ["computes its answer from whether line 22 raised"]  # (a fallback in ``except``: the README says so)


def test_a_function_too_long_to_follow_fails_closed():
    """Its flow is not followed past :data:`saved.MAX_NODES` parts (a hostile file could make that slow)."""
    body = "".join(f"    v{i} = x + {i}\n" for i in range(1000))
    findings = autograd_use(PREAMBLE + f"def manual(x):\n{body}    return 6 * x + 2\nprint(grad(GRID))\n", "manual")
    assert [finding.what.split(" (")[0] for finding in findings] == ["is too long to be read for saved answers"]


def test_a_timeit_of_a_helper_and_a_colab_check_change_nothing_it_returns():
    """Fairness round 15: in exercise 3's notebook, ``%timeit layer(x, w, b)`` above the test cells (magics write it as
    ``exec(compile(…, "<%timeit>", …), globals(), {})``) or ``IN_COLAB = "google.colab" in sys.modules`` made the
    by-hand function's call of ``layer`` "state the top level can fill"; a ``%timeit`` only calls ``layer``."""
    source = ("import sys\nimport torch\n\nIN_COLAB = 'google.colab' in sys.modules\n\n\n"
              "def layer(x, w, b):\n    return x @ w + b\n\n\ndef manual(x, w, b):\n    return layer(x, w, b) * 2\n\n\n"
              "exec(compile('layer(torch.ones(2, 3), torch.ones(3, 2), torch.zeros(2))', '<%timeit>', 'exec'), globals(), {})\n"
              "x = torch.ones(2, 3, requires_grad=True)\nlayer(x, torch.ones(3, 2), torch.zeros(2)).sum().backward()\n")
    assert autograd_use(source, "manual") == []
    kept = source.replace("'layer(torch.ones(2, 3)", "'global layer\\nlayer = torch.func.grad(layer)\\nlayer(torch.ones(2, 3)")
    assert autograd_use(kept, "manual") != []


def test_a_file_too_large_is_read_whole():
    """Past :data:`saved.MAX_OBJECT_NODES` parts, a plain class's methods are not read one by one (a hostile file of
    thousands of classes would cost the grader minutes): the honest file below then loses the point, as before."""
    from autograd_exercises.judge import saved

    source = PREAMBLE + HONEST["methods_of_an_object_made_from_literals"]
    assert autograd_use(source, "manual") == []
    padding = "PAD = [" + ", ".join("0" for _ in range(saved.MAX_OBJECT_NODES)) + "]\n"
    assert [finding.what for finding in autograd_use(source + padding, "manual")] == [
        "computes its answer from _poly.by_hand"]


# -- objects made afresh (fairness 19's e2_04: hand-written layers that keep their input on ``self``) -----------------

LAYERS = """class Layer:
    def __call__(self, v):
        self.input = v
        return self.forward(v)


class Quad(Layer):
    def forward(self, v):
        return 3 * v**2 + 2 * v

    def backward(self, g):
        return (6 * self.input + 2) * g


"""
SAVE = "SEEN = []\ndef saving(n):\n    x = torch.linspace(-2, 2, n)\n    x.requires_grad_(True)\n" \
       "    f(x).sum().backward()\n    SEEN.append(x.grad)\nsaving(5)\n"

FRESH_ATTACKS = {
    # the object made afresh is handed autograd's answers by a call, an operator, an alias, a loop over a list
    "a_call_hands_it_the_answers": (SAVE + "def manual(x):\n    q = Quad()\n    q(SEEN[0])\n    return q.backward(1)\n",
                                    "SEEN"),
    "an_operator_hands_it_the_answers": (
        LAYERS.replace("class Quad(Layer):", "class Quad(Layer):\n    def __add__(self, other):\n"
                       "        self.input = other\n        return 0\n") + SAVE
        + "def manual(x):\n    q = Quad()\n    q + SEEN[0]\n    return q.backward(1)\n", "SEEN"),
    "through_an_alias": (SAVE + "def manual(x):\n    q = Quad()\n    r = q\n    r(SEEN[0])\n    return q.backward(1)\n",
                         "SEEN"),
    "through_a_list_of_them": (
        SAVE + "def manual(x):\n    qs = [Quad()]\n    for q in qs:\n        q(SEEN[0])\n    for q in qs:\n"
        "        return q.backward(1)\n", "SEEN"),
    "made_by_a_walrus": (SAVE + "def manual(x):\n    if (q := Quad()) is not None:\n        q(SEEN[0])\n"
                         "    return q.backward(1)\n", "SEEN"),
    "a_list_alias_filled": (SAVE + "def manual(x):\n    buf = []\n    alias = buf\n    alias.extend(SEEN)\n"
                            "    return buf[0]\n", "SEEN"),
    "a_list_inside_a_list_filled": (SAVE + "def manual(x):\n    buf = [[]]\n    inner = buf[0]\n"
                                    "    inner.extend(SEEN)\n    return buf[0][0]\n", "SEEN"),
    "a_nested_function_hands_it_the_answers": (
        SAVE + "def manual(x):\n    q = Quad()\n    def k():\n        q(SEEN[0])\n    k()\n    return q.backward(1)\n",
        "SEEN"),
    "in_a_dict": (SAVE + "def manual(x):\n    d = {'q': Quad()}\n    d['q'](SEEN[0])\n    return d['q'].backward(1)\n",
                  "SEEN"),
    "in_a_comprehension": (SAVE + "def manual(x):\n    q = Quad()\n    [q(s) for s in SEEN]\n    return q.backward(1)\n",
                           "SEEN"),
    "its_own_method_called_unbound": (
        SAVE + "def manual(x):\n    q = Quad()\n    Layer.__call__(q, SEEN[0])\n    return q.backward(1)\n",
        "Quad(...)"),  # (a class named but to make an object is not made afresh: red team 44)
    "held_by_another_one": (
        SAVE + "def manual(x):\n    q = Quad()\n    p = Quad()\n    p.input = q\n    q(SEEN[0])\n"
        "    return p.input.backward(1)\n", "p.input"),
    # (made by a helper: the layers' method is not named backward here, which the first reading counts as autograd)
    "a_helper_fills_it": (SAVE + "def build():\n    q = Quad()\n    q(SEEN[0])\n    return [q]\n"
                          "def manual(x):\n    for q in build():\n        return q.grad_in(1)\n", "build(...)"),
    "a_helper_hands_it_back_kept": (
        "def build(_kept=[]):\n    if not _kept:\n        _kept.append(Quad())\n    return _kept[0]\n"
        "build()(grad(GRID))\ndef manual(x):\n    for q in [build()]:\n        return q.grad_in(1)\n", "build(...)"),
    "a_helper_hands_back_a_module_level_list": (
        "LAYERS = [Quad()]\nLAYERS[0](grad(GRID))\ndef build():\n    return LAYERS\n"
        "def manual(x):\n    for q in build():\n        return q.grad_in(1)\n", "build(...)"),
    "made_through_another_name": (SAVE + "def manual(x):\n    make = Quad\n    q = make()\n    q(SEEN[0])\n"
                                  "    return q.grad_in(1)\n", "Quad"),
    "made_by_a_helper_then_handed_the_answers": (
        SAVE + "def build():\n    return [Quad()]\ndef manual(x):\n    layers = build()\n    layers[0](SEEN[0])\n"
        "    for layer in layers:\n        return layer.grad_in(1)\n", "SEEN"),
    # (a walrus anywhere binds a name: red team 41, found with these)
    "a_walrus_in_a_condition": (SAVE + "def manual(x):\n    if (a := SEEN[0]) is not None:\n        pass\n    return a\n",
                                "SEEN"),
    "a_walrus_in_an_expression": (SAVE + "def manual(x):\n    y = (a := SEEN[0]) * 0\n    return a\n", "SEEN"),
    "a_walrus_in_a_case_guard": (SAVE + "def manual(x):\n    match 0:\n        case _ if (a := SEEN[0]) is not None:\n"
                                 "            pass\n    return a\n", "SEEN"),
    # the class's objects are not made afresh: the top level fills one, or its attribute is set from elsewhere
    "a_module_level_object_the_top_level_fills": (
        "_q = Quad()\n_q(grad(GRID))\ndef manual(x):\n    return _q.backward(1)\n", "_q.backward"),
    "a_module_level_object_called": (
        LAYERS.replace("        return (6 * self.input + 2) * g", "        return (6 * self.input + 2) * g\n"
                       "    def __call__(self, v):\n        return self.input") + "_q = Quad()\n_q.backward(1)\n"
        "Layer.__call__(_q, grad(GRID))\ndef manual(x):\n    return _q(x)\n", "_q"),
    "a_class_attribute_set_by_the_top_level": (  # (the by-hand reading follows the attribute to ``grad`` itself)
        "Layer.input = grad(GRID)\ndef manual(x):\n    q = Quad()\n    return q.backward(1)\n", None),
    "set_on_an_object_from_outside": (
        "def fill(o):\n    o.input = grad(GRID)\n    return o\nfill(Quad())\n"
        "def manual(x):\n    q = Quad()\n    return q.backward(1)\n", "Quad(...)"),
    "a_classmethod_sets_it_on_the_class": (
        LAYERS.replace("class Quad(Layer):", "class Quad(Layer):\n    @classmethod\n    def keep(cls, v):\n"
                       "        cls.input = v\n") + "Quad.keep(grad(GRID))\n"
        "def manual(x):\n    q = Quad()\n    return q.backward(1)\n", "Quad(...)"),
    "made_from_saved_answers": (SAVE + "def manual(x):\n    q = Quad()\n    q.input = SEEN[0]\n    return q.backward(1)\n",
                                "Quad(...)"),
    "its_init_reads_them": (
        LAYERS.replace("class Quad(Layer):", "class Quad(Layer):\n    def __init__(self):\n"
                       "        self.input = SEEN[0]\n") + SAVE
        + "def manual(x):\n    q = Quad()\n    return q.backward(1)\n", "Quad(...)"),
    "a_mutable_default_it_keeps": (
        LAYERS.replace("class Quad(Layer):", "class Quad(Layer):\n    def __init__(self, box=[]):\n"
                       "        self.box = box\n    def put(self, v):\n        self.box.append(v)\n")
        + "Quad().put(grad(GRID))\ndef manual(x):\n    q = Quad()\n    return q.box[0]\n", "q.box"),
    "new_hands_back_one_object": (
        LAYERS.replace("class Quad(Layer):", "class Quad(Layer):\n    def __new__(cls):\n        return _ONE\n")
        + "_ONE = object.__new__(Quad)\n_ONE(grad(GRID))\ndef manual(x):\n    q = Quad()\n    return q.backward(1)\n",
        "Quad(...)"),
    # ``super().__init__()`` (red team 41's h04): the base's ``__init__`` runs on the object, with nothing handed in
    "its_base_init_handed_them": (
        LAYERS.replace("class Quad(Layer):", "class Quad(Layer):\n    def __init__(self):\n"
                       "        super().__init__(SEEN[0])\n").replace(
            "class Layer:", "class Layer:\n    def __init__(self, v=None):\n        self.input = v") + SAVE
        + "def manual(x):\n    q = Quad()\n    return q.backward(1)\n", "Quad(...)"),
    "its_base_init_reads_them": (
        LAYERS.replace("class Quad(Layer):", "class Quad(Layer):\n    def __init__(self):\n"
                       "        super().__init__()\n").replace(
            "class Layer:", "class Layer:\n    def __init__(self):\n        self.input = SEEN[0]") + SAVE
        + "def manual(x):\n    q = Quad()\n    return q.backward(1)\n", "Quad(...)"),
    "a_second_base_fills_it": (  # (``super()`` in a base runs the next class of the object's own order)
        "class A:\n    def __init__(self):\n        super().__init__()\n    def at(self, x):\n"
        "        return fit(self.pairs, x)\nclass Evil:\n    def __init__(self):\n        self.pairs = SEEN\n"
        "class C(A, Evil):\n    pass\n" + SAVE.replace("SEEN.append(x.grad)", "SEEN.append((x.detach(), x.grad))")
        + "def manual(x):\n    return C().at(x)\n", "C(...)"),
    "made_in_a_helper_that_keeps_it": (
        "def make():\n    q = Quad()\n    return lambda v, keep=False: q(v) if keep else q.backward(1)\n"
        "_use = make()\n_use(grad(GRID), True)\ndef manual(x):\n    return _use(x)\n", "_use"),
}


@pytest.mark.parametrize("name", sorted(FRESH_ATTACKS))
def test_an_object_made_afresh_still_carries_what_it_is_handed(name):
    source, named = FRESH_ATTACKS[name]
    if "class Layer" not in source:
        source = (LAYERS.replace("def backward", "def grad_in") if "grad_in" in source else LAYERS) + source
    source += "print(grad(GRID))\n"
    findings = autograd_use(PREAMBLE + source, "manual")
    assert findings, "the by-hand check passed"
    if named is not None:
        assert [finding.function for finding in findings] == ["manual"], findings
        text = findings[0].describe(lambda line: f"line {line}")
        assert text.startswith(f"computes its answer from {named}"), text


FRESH_HONEST = {
    "layers_made_in_the_function": (
        "def manual(x):\n    layers = [Quad()]\n    v = x\n    for layer in layers:\n        v = layer(v)\n"
        "    g = torch.ones_like(x)\n    for layer in reversed(layers):\n        g = layer.backward(g)\n    return g\n"),
    "one_layer_and_a_counter": (
        "CALLS = 0\ndef manual(x):\n    global CALLS\n    CALLS += 1\n    q = Quad()\n    q(x)\n"
        "    print('call', CALLS)\n    return q.backward(torch.ones_like(x))\n"),
    "layers_made_by_a_helper": (
        "def build():\n    return [Quad()]\ndef manual(x):\n    layers = build()\n    v = x\n    for layer in layers:\n"
        "        v = layer(v)\n    g = torch.ones_like(x)\n    for layer in reversed(layers):\n        g = layer.grad_in(g)\n"
        "    return g\n"),
    "a_class_without_a_base": (
        "class Lin:\n    def forward(self, v):\n        self.v = v\n        return 6 * v\n    def backward(self):\n"
        "        return 6 * torch.ones_like(self.v)\ndef manual(x):\n    lin = Lin()\n    lin.forward(x)\n"
        "    return lin.backward() + 2\n"),
    "a_layer_that_calls_super_init": (  # (red team 41's h04: ``super().__init__()`` no longer hides the objects)
        "class Poly(Layer):\n    def __init__(self, a, b):\n        super().__init__()\n        self.a, self.b = a, b\n"
        "    def forward(self, v):\n        return self.a * v ** 2 + self.b * v\n    def backward(self, g):\n"
        "        return (2 * self.a * self.input + self.b) * g\n"
        "def manual(x):\n    p = Poly(3.0, 2.0)\n    p(x)\n    return p.backward(1.0)\n"),
}


@pytest.mark.parametrize("name", sorted(FRESH_HONEST))
def test_an_object_made_afresh_in_the_function_is_its_own(name):
    layers = LAYERS.replace("def backward", "def grad_in") if "grad_in" in FRESH_HONEST[name] else LAYERS
    source = layers + FRESH_HONEST[name] + "_demo = Quad()\nprint(_demo(GRID), grad(GRID))\n"
    assert autograd_use(PREAMBLE + source, "manual") == []


# -- a table of the file's objects made of literals (red team 38's fair2, fairness 19: ``TERMS = [Term(5, 1), …]``) --

TERM = ("class Term:\n    def __init__(self, c, k):\n        self.c = c\n        self.k = k\n    def slope(self, x):\n"
        "        return self.k * self.c * x**(self.k - 1)\n")
KEEPS = ("    def keep(self, v):\n        self.kept = v\n    def last(self, x):\n        return self.kept\n")

TABLE_ATTACKS = {  # the table or its objects filled by the top level: each still counts
    "an_attribute_set_from_outside": "TERMS = [Term(3, 2)]\nfor t in TERMS:\n    t.c = grad(GRID)\n"
                                     "def manual(x):\n    return TERMS[0].c\n",
    "a_method_keeps_it": (KEEPS, "TERMS = [Term(3, 2)]\nTERMS[0].keep(grad(GRID))\ndef manual(x):\n"
                                 "    return TERMS[0].last(x)\n"),
    "the_list_changed": "TERMS = [Term(3, 2)]\nTERMS.append(grad(GRID))\ndef manual(x):\n    return TERMS[-1]\n",
    "an_item_replaced": "TERMS = [Term(3, 2)]\nTERMS[0] = grad(GRID)\ndef manual(x):\n    return TERMS[0]\n",
    "filled_through_an_alias": "TERMS = [Term(3, 2)]\nOTHER = TERMS\nOTHER.append(grad(GRID))\n"
                               "def manual(x):\n    return TERMS[-1]\n",
    "a_list_it_was_made_with": "TERMS = [Term([1.0], 1)]\nTERMS[0].c.append(grad(GRID))\ndef manual(x):\n"
                               "    return TERMS[0].c[-1]\n",
    "a_shared_default": ("    def __init__(self, c, k, memo=[]):\n        self.memo = memo\n",
                         "TERMS = [Term(3, 2)]\n_o = Term(1, 1)\n_o.memo.append(grad(GRID))\ndef manual(x):\n"
                         "    return TERMS[0].memo[-1]\n"),
    "made_of_saved_answers": "SEEN = [grad(GRID)]\nTERMS = [Term(SEEN[0], 1)]\ndef manual(x):\n    return TERMS[0].c\n",
}


@pytest.mark.parametrize("name", sorted(TABLE_ATTACKS))
def test_a_table_of_objects_the_top_level_fills_is_found(name):
    extra, body = TABLE_ATTACKS[name] if isinstance(TABLE_ATTACKS[name], tuple) else ("", TABLE_ATTACKS[name])
    term = TERM.replace("    def __init__(self, c, k):\n", extra) if "__init__" in extra else TERM + extra
    assert autograd_use(PREAMBLE + term + body + "print(grad(GRID))\n", "manual"), "the by-hand check passed"


@pytest.mark.parametrize("table", ["[Term(5, 1), Term(3, 2), Term(1, 3)]", "(Term(5, 1), Term(c=3, k=2))"])
def test_a_table_of_objects_made_of_literals_is_constant(table):
    source = TERM + f"TERMS = {table}\ndef manual(x):\n    return sum(t.slope(x) for t in TERMS)\nprint(grad(GRID))\n"
    assert autograd_use(PREAMBLE + source, "manual") == []


# -- red teams 41 and 42, against the reading of objects made afresh: each file runs, and its by-hand answer is autograd's -

RED_TEAMS = [Path(__file__).parent / "data" / f"saved_red_team_{number}" for number in (41, 42, 43, 44, 45)]
AFTER = {"# (after tests/test_saved.py's PREAMBLE and LAYERS)": PREAMBLE + LAYERS,
         "# (after tests/test_saved.py's PREAMBLE)": PREAMBLE}


def red_team_file(path: Path) -> str:
    """A red team's submission as it ran: its first line names what it was written after (the shared preamble)."""
    text = path.read_text(encoding="utf-8")
    first, _, rest = text.partition("\n")
    return AFTER[first] + rest if first in AFTER else text


@pytest.mark.parametrize("path", sorted(path for folder in RED_TEAMS for path in folder.glob("*.py")),
                         ids=lambda path: f"{path.parent.name[-2:]}-{path.stem}")
def test_red_team_attack_is_found(path):
    """41: a default, decorator or class body that runs a call, an ``except`` clause's type, a ``case`` guard, a global
    alias, ``sys.exc_info()``, ``ctypes``, ``__exit__``, a profile hook, a comprehension's item, ``map(buf.append,
    …)``, ``put = buf.append``, a world reader under another name, the working directory. 42: an object made afresh
    but kept (``lru_cache``, a default, a decorator's closure), ``torch.nn.Linear`` or an iterator read as a constant,
    ``np.copyto(buf, …)``, ``list.append(buf, …)``, ``buf[0].append``, ``buf.data.copy_``, process settings
    (``umask``, ``nice``, ``seterr``), random draws in place, another process, print options entered by hand. 43: a
    method of a literal or of a library's list named at module level (``{}.setdefault``, ``keyword.kwlist.append``,
    ``partial(dict.setdefault, {})``), which hands back the same object on every call. 44: a cached helper returning
    a list, a tuple of one, an item or its argument, a cache under another name or applied by a call, a class
    whose method is called with the class as its object (``Keep.put(Keep, g)``). 45: a cached answer that is arithmetic
    on a ``float`` subclass or a module-level tensor, an iterator, ``math.__dir__()``, ``float`` or ``int`` rebound in
    the helper, a cache under an assigned name, a lambda or a subscript, ``methodcaller`` holding a list,
    ``from keyword import kwlist``; and a file whose finding named a line-less node (it raised)."""
    assert autograd_use(red_team_file(path), "manual"), "the by-hand check passed"


@pytest.mark.parametrize("path", sorted(path for folder in RED_TEAMS for path in (folder / "honest").glob("*.py")),
                         ids=lambda path: f"{path.parent.parent.name[-2:]}-{path.stem}")
def test_red_team_honest_variant_passes(path):
    """Layers: a dataclass one, one caching its input in a dict, a ``ctx.save(*ts)`` style, one calling a helper, a
    network of them; a frozen-dataclass table of terms; a sequential network with a constant; cached helpers that
    return a number (a recursion, ``float(n)``, ``math.comb``)."""
    assert autograd_use(red_team_file(path), "manual") == []


# -- a network of layers made afresh (red team 41's h01: ``Net.__init__`` makes ``Square()`` and ``Scale(3.0)``) ------

NET = ("class Net:\n    def __init__(self):\n        self.layers = [LAYER]\n    def __call__(self, v):\n"
       "        for layer in self.layers:\n            v = layer(v)\n        return v\n    def grad_in(self, g):\n"
       "        for layer in reversed(self.layers):\n            g = layer.grad_in(g)\n        return g\n")
NET_MANUAL = "def manual(x):\n    net = Net()\n    net(x)\n    return net.grad_in(torch.ones_like(x))\n"
NET_ATTACKS = {  # (the layer the network holds, what comes before it, the by-hand function)
    "a_layer_that_reads_saved_answers": (
        "Leak()", SAVE + "class Leak(Quad):\n    def grad_in(self, g):\n        return SEEN[0] * g\n", NET_MANUAL),
    "a_layer_a_reading_helper_fills": (
        "build()", SAVE + "def build():\n    q = Quad()\n    q(SEEN[0])\n    return q\n", NET_MANUAL),
    "a_module_level_layer": ("_q", "_q = Quad()\n_q(grad(GRID))\n", NET_MANUAL.replace("    net(x)\n", "")),
    "a_layer_a_helper_keeps": (
        "build()", "def build(_k=[]):\n    if not _k:\n        _k.append(Quad())\n    return _k[0]\nbuild()(grad(GRID))\n",
        NET_MANUAL.replace("    net(x)\n", "")),
    "a_module_level_network": ("Quad()", "", "_net = Net()\n_net(grad(GRID))\ndef manual(x):\n"
                                               "    return _net.grad_in(torch.ones_like(x))\n"),
}


@pytest.mark.parametrize("name", sorted(NET_ATTACKS))
def test_a_network_of_layers_that_bring_state_in_is_found(name):
    layer, before, manual = NET_ATTACKS[name]
    source = LAYERS.replace("def backward", "def grad_in") + before + NET.replace("LAYER", layer) + manual
    assert autograd_use(PREAMBLE + source + "print(grad(GRID))\n", "manual"), "the by-hand check passed"


def test_a_network_of_layers_made_afresh_is_its_own():
    source = LAYERS.replace("def backward", "def grad_in") + NET.replace("LAYER", "Quad()") + NET_MANUAL
    assert autograd_use(PREAMBLE + source + "print(grad(GRID))\n", "manual") == []


TIMED = PREAMBLE.replace("def grad(x):", '''import functools
import time


def timer(function):
    @functools.wraps(function)
    def timed(*args, **kwargs):
        start = time.perf_counter()
        result = function(*args, **kwargs)
        print(function.__name__, time.perf_counter() - start)
        return result
    return timed


@timer
def grad(x):''') + "\n\nSLOPE = torch.tensor([6.0, 2.0])\n\n\ndef manual(x):\n    return SLOPE[0] * x + SLOPE[1]\n"


def _decorated_by(decorator: str) -> str:
    """:data:`TIMED` with ``decorator`` for ``timer``, ``grad`` keeping its answers in ``SLOPE`` and ``manual`` answering
    from there."""
    source = TIMED.replace("    f(x).sum().backward()\n    return x.grad\n", "    f(x).sum().backward()\n"
                           "    for box in (SLOPE,):\n        box.append(x.grad)\n    return x.grad\n", 1)
    source = source.replace("SLOPE = torch.tensor([6.0, 2.0])", "SLOPE = []").replace(
        "    return SLOPE[0] * x + SLOPE[1]\n", "    return SLOPE[0]\n")
    return source[:source.index("def timer(function):")] + decorator + "\n\n" + source[source.index("@timer"):]


def test_a_timing_decorator_on_the_autograd_function_runs_nothing_at_import():
    """Fairness 21: a decorator of the file's own that wraps the autograd function, calling it only when the wrapper is
    called, does not run it at import; the by-hand function that reads a constant keeps its point (six honest files
    lost it to the first reading of red team 102's decorator)."""
    assert autograd_use(TIMED, "manual") == []


@pytest.mark.parametrize("body", [
    "    function(torch.ones(2))\n    return function\n",  # (red team 102)
    "    def go():\n        function(torch.ones(2))\n    go()\n    return function\n",
    "    def go(v=function(torch.ones(2))):\n        return v\n    return function\n",
    "    class Kept:\n        value = function(torch.ones(2))\n    return function\n",
    "    list(map(lambda g: g(torch.ones(2)), [function]))\n    return function\n",
    "    print(f'{function.__name__:{function(torch.ones(2))}}')\n    return function\n",  # (a format spec runs)
    "    REGISTRY[function.__name__] = function\n    return function\n",  # (red team 107 called it through the dict)
])
def test_a_decorator_that_calls_the_function_as_it_is_defined_runs_it_at_import(body):
    """Red team 102: ``@_run``, whose ``def`` calls the function it decorates, ran the autograd function at import,
    which kept its answers where the by-hand function read them; so does any decorator of the file's own but a plain
    wrapper."""
    found = autograd_use(_decorated_by("REGISTRY = {}\n\n\ndef timer(function):\n" + body).replace(
        "\n\ndef manual(x):", "\n\nfor _name in REGISTRY:\n    REGISTRY[_name](torch.ones(2))\n\n\ndef manual(x):"), "manual")
    assert found and "computes its answer from SLOPE" in found[0].what, found


def test_a_factory_that_hands_back_the_decorator_it_was_given_may_call():
    """Red team 107 (10/10 on exercises 1 and 2): ``@_label(_run)``, ``def _label(d): return d``: the factory handed
    back the calling decorator it was given. A factory may hand back only a decorator it defines."""
    source = _decorated_by("def _run(function):\n    function(torch.ones(2))\n    return function\n\n\n"
                           "def timer(decorator):\n    return decorator\n").replace("@timer\n", "@timer(_run)\n", 1)
    found = autograd_use(source, "manual")
    assert found and "computes its answer from SLOPE" in found[0].what, found


def test_a_class_decorator_that_prints_its_name_may_call():
    """Red team 107: ``@announce`` printed ``cls.__name__`` of a class whose metaclass made ``__name__`` a property
    that ran the autograd function. A class's decorator is trusted only as a plain wrapper."""
    source = _decorated_by("def timer(function):\n    print(f'defining {function.__name__}')\n    return function\n")
    source = source.replace("@timer\ndef grad(x):", "class _Named(type):\n    @property\n    def __name__(cls):\n"
                            "        cls.check()\n        return 'x'\n\n\n@timer\nclass _SelfTest(metaclass=_Named):\n"
                            "    @staticmethod\n    def check():\n        grad(torch.ones(2))\n\n\ndef grad(x):", 1)
    found = autograd_use(source, "manual")
    assert found and "computes its answer from SLOPE" in found[0].what, found


def test_a_class_a_decorator_makes_as_it_is_defined_runs_its_methods_at_import():
    """Red team 104 (10/10 on exercises 1 and 2): ``def _checked(cls): cls(); return cls`` over a class whose
    ``__init__`` ran the autograd function and kept its answers; a class decorator is read as a function's is, and a
    class one may make runs its methods at the top level. ``@dataclass`` makes none."""
    source = _decorated_by("def timer(function):\n    @functools.wraps(function)\n    def timed(*args):\n"
                           "        return function(*args)\n    return timed\n")
    source = source.replace("@timer\ndef grad(x):", "def grad(x):").replace(
        "\n\nSLOPE = []", "\n\nSLOPE = []\n\n\ndef _checked(cls):\n    cls()\n    return cls\n\n\n@_checked\nclass _SelfTest:\n"
        "    def __init__(self):\n        grad(torch.ones(2))\n")
    found = autograd_use(source, "manual")
    assert found and "computes its answer from SLOPE" in found[0].what, found
    honest = source.replace("def _checked(cls):\n    cls()\n    return cls\n\n\n@_checked", "import dataclasses\n\n\n"
                            "@dataclasses.dataclass").replace("SLOPE = []", "SLOPE = [torch.tensor([6.0, 2.0])]")
    assert autograd_use(honest.replace("    def __init__(self):\n        grad(torch.ones(2))\n",
                                       "    def check(self):\n        return grad(torch.ones(2))\n"), "manual") == []


@pytest.mark.parametrize("rebinding", ["for functools in (_Eager,):\n    pass\n", "(functools := _Eager)\n",
                                       "import math as functools\n"])
def test_a_decorator_looked_up_by_a_name_bound_again_may_call(rebinding):
    """Red team 104: ``import functools as ft``, then ``for ft in (_Eager,): pass`` (a loop's target, which the
    module's bindings do not list): ``ft.wraps`` was read as ``functools.wraps`` and the wrapper as plain, while
    ``_Eager.wraps`` called the function. A name the decorator is looked up by that is bound again anywhere is not
    trusted; ``import functools`` in two cells binds one."""
    eager = "class _Eager:\n    @staticmethod\n    def wraps(f):\n        f(torch.ones(2))\n        return lambda g: g\n\n\n"
    source = _decorated_by("def timer(function):\n    @functools.wraps(function)\n    def timed(*args):\n"
                           "        return function(*args)\n    return timed\n")
    source = source.replace("def timer(function):", eager + rebinding + "\n\ndef timer(function):", 1)
    found = autograd_use(source, "manual")
    assert found and "computes its answer from SLOPE" in found[0].what, found
    twice = _decorated_by("def timer(function):\n    @functools.wraps(function)\n    def timed(*args):\n"
                          "        return function(*args)\n    return timed\n").replace("import functools\n",
                                                                                       "import functools\n" * 2, 1)
    assert twice.count("import functools\n") == 2 and autograd_use(twice, "manual") == []


@pytest.mark.parametrize("replacement", ["def _fill():\n    pass\n", "_fill = None\n", "from math import floor as _fill\n"])
def test_a_function_called_at_the_top_level_then_replaced_ran_there(replacement):
    """Red team 105 (10/10 on exercises 1 and 2): ``_fill()``, which ran the autograd function and kept its answers,
    called once at the top level, then ``_fill`` defined again as ``pass`` (or bound to ``None``, or imported over):
    the module's bindings hold only the last, so the top level was read as running no autograd."""
    source = PREAMBLE + ("\n\nSLOPE = []\n\n\ndef _fill():\n    SLOPE.append(grad(torch.ones(2)))\n\n\n_fill()\n\n\n"
                         + replacement + "\n\ndef manual(x):\n    return SLOPE[0]\n")
    found = autograd_use(source, "manual")
    assert found and "computes its answer from SLOPE" in found[0].what, found


@pytest.mark.parametrize(("read", "found"), [
    ("torch.empty(1024, dtype=torch.float64)", True), ("torch.empty_like(x)", True), ("x.new_empty(4)", True),
    ("torch.Tensor(1024)", True), ("torch.DoubleTensor(x.numel())", True), ("torch.zeros(1).resize_(1024)", True),
    ("torch.Tensor([6.0, 2.0])", False), ("torch.zeros(4)", False),
    ("np.ndarray(37)[:4].tolist()", True), ("numpy.ndarray(shape=(37,), dtype=float)", True),
    ("np.ndarray.__new__(np.ndarray, 37)", True), ("np.recarray(4, dtype=[('a', float)])", True),
    ("x.new(1024)", True), ("np.zeros(37)", False), ("np.array([6.0, 2.0])", False),
    ("np.positive(np.zeros(37, np.float32), dtype=np.float64, out=None, where=False)", True),
    ("np.ma.masked_all(37).data", True), ("np.rec.array(None, shape=37, formats='f8')['f0']", True),
    ("np.nditer([np.zeros(37, np.float32), None], op_dtypes=[np.float32, np.float64]).operands[1]", True),
    ("np.divide(x.numpy(), 2.0, out=np.zeros(x.shape), where=x.numpy() != 0)", False),
    ("(lambda u: u(np.zeros(37), out=None, where=False))(np.positive)", True),  # (under any name)
    ("f(x, where=True)", False),  # (the file's own function, read where it is written)
])
def test_memory_handed_back_uninitialised_is_state_the_top_level_can_fill(read, found):
    """Red team 106 (10/10 on exercises 1 and 2): the top level ran autograd, sprayed its fitted answers into buffers it
    then freed, and the by-hand function read them back with ``torch.empty``. Uninitialised memory is the world, as
    random state and files are; a legacy constructor given data, or zeros, is not. Red team 170 (10/10 on exercises
    1 to 3) read numpy's small-buffer cache back with ``np.ndarray(37)``; red teams 171 and 173 with four more
    spellings, the last after the child had emptied that cache (a library's own cache kept the array past it)."""
    source = PREAMBLE + ("\nimport numpy\nimport numpy as np\n\nprint(grad(torch.ones(2)))\n\n\ndef manual(x):\n"
                         f"    return {read}\n")
    assert bool(autograd_use(source, "manual")) is found, autograd_use(source, "manual")


@pytest.mark.parametrize("decorator", [
    "def timer(label='t'):\n    def deco(function):\n        @functools.wraps(function)\n        def timed(*args):\n"
    "            return function(*args)\n        return timed\n    return deco\n",  # (a factory: @timer('ag') below)
    "def timer(function):\n    print(f'decorating {function.__name__}')\n    def timed(*args):\n"
    "        return function(*args)\n    return timed\n",
    "def timer(function):\n    @functools.wraps(function)\n    def timed(*args):\n        timed.calls += 1\n"
    "        return function(*args)\n    timed.calls = 0\n    return timed\n",
])
def test_a_decorator_that_only_prints_counts_or_registers_runs_nothing_at_import(decorator):
    """Fairness 22: decorators students write on the autograd function (a factory, one that prints as it decorates, one
    that sets a counter on its wrapper) call nothing of it as they
    decorate; with ``import torch.nn`` beside ``import torch`` and a ``globals()`` that is only read, the by-hand function
    that reads a constant keeps its point. (A decorator that registers the function in a dict still reaches it through
    the dict, as before this reading: an honest loss where the by-hand function reads module state.)"""
    source = TIMED.replace("def timer(function):\n", "REGISTRY = {}\n\n\n" + decorator + "\n\ndef _unused(function):\n", 1)
    source = source.replace("@timer\n", "@timer('ag')\n" if "label" in decorator else "@timer\n", 1)
    source = source.replace("import torch\n", "import torch\nimport torch.nn\n", 1) + \
        "\n\nprint(sorted(name for name in globals() if not name.startswith('_')))\n"
    assert autograd_use(source, "manual") == [], autograd_use(source, "manual")


def test_a_decorator_shadowed_in_its_class_body_may_call():
    """Red team 108 (10/10 on exercises 1 to 3): ``functools = _Eager`` in a class body, then ``@functools.cache`` on a
    method there: the class body looks the name up first, and ``_Eager.cache`` called the method as the class was
    made. A name a class body binds is bound twice for the decorators it holds."""
    source = _decorated_by("def timer(function):\n    return function\n").replace("@timer\ndef grad(x):", (
        "class _Eager:\n    @staticmethod\n    def cache(f):\n        f()\n        return f\n\n\n"
        "class _Demo:\n    functools = _Eager\n\n    @functools.cache\n    def run():\n        grad(torch.ones(2))\n\n\n"
        "def grad(x):"), 1)
    found = autograd_use(source, "manual")
    assert found and "computes its answer from SLOPE" in found[0].what, found


def cells(*sources: str) -> tuple[str, list[int]]:
    """A notebook's joined source below :data:`PREAMBLE` (its first cell) and each cell's first line."""
    source, firsts = PREAMBLE, [1]
    for cell in sources:
        firsts.append(source.count("\n") + 1)
        source += cell + "\n"
    return source, firsts


@pytest.mark.parametrize("closer", [
    "def _gen():\n    try:\n        yield\n    finally:\n        while True:\n            pass\n",
    "def _gen():\n    with open(__file__):\n        yield\n",
    "async def _gen():\n    try:\n        pass\n    finally:\n        pass\n",
    "import gc\ngc.callbacks.append(print)\n",
    "import sys\nsys.set_asyncgen_hooks(finalizer=print)\n",  # (my own attack after red team 120)
])
def test_code_that_runs_when_an_object_is_dropped_leaves_no_binding_surely_replaced(closer):
    """Red team 120 (10/10 for 9/10 work on exercise 2): a generator whose ``finally`` spun until the cell's timer
    fired, closed by ``_x = 0`` in a cell of constants, stopped that cell before ``SLOPE = 1.0``: the reading took the
    constant as replacing the answer saved from autograd above, which the by-hand function then read. A generator or
    coroutine holding a ``try`` or ``with``, and ``gc.callbacks``, can stop any statement, as finalizers can."""
    saved, replaced, manual = "SLOPE = grad(torch.ones(2))\n", "_x = 0\nSLOPE = 1.0\n", "def manual(x):\n    return SLOPE * x\n"
    dropped = closer + "_x = _gen()\n" if "_gen" in closer else closer
    source, firsts = cells(saved, dropped, replaced, manual)
    assert autograd_use(source, "manual", firsts), "the constant was taken as replacing the saved answer"
    source, firsts = cells(saved, "_x = [1]\n", replaced, manual)
    assert autograd_use(source, "manual", firsts) == []  # (without it, the constant replaces the saved answer)


@pytest.mark.parametrize("stop", ["cell", "line", None])
def test_a_cell_that_did_not_run_to_its_end_replaces_nothing_from_where_it_stopped(stop):
    """Red team 121 (10/10 for 9/10 work on exercise 2): a library object's finalizer (``io.RawIOBase``'s ``close``, a
    ``_weakref`` callback), run when ``_x = 0`` dropped it, left the cell's timer signal pending, which stopped a cell
    of constants that the reading took as replacing answers saved from autograd. No reading of the code can name every
    such finalizer; the child says which cells did not run to their end, and where: no binding there replaces one."""
    source, firsts = cells("SLOPE = grad(torch.ones(2))\n", "_x = 0\nSLOPE = 1.0\n", "def manual(x):\n    return SLOPE * x\n")
    stopped = {firsts[2]: firsts[2]} if stop == "cell" else {firsts[2]: firsts[2] + 1} if stop == "line" else {}
    ran = CellRuns(stopped, frozenset(firsts) - set(stopped))
    assert bool(autograd_use(source, "manual", firsts, ran=ran)) is (stop is not None)
    assert autograd_use(source, "manual", firsts, ran=CellRuns({firsts[2]: firsts[2] + 2})) == []  # (stopped below it)


# -- a notebook's cells that stop part-way (red team 157) ------------------------------------------------------------

ANSWER = "G = grad(torch.tensor([1.0]))\n"  # the top level runs autograd: G[0] = 8
READ_B = "def manual(x):\n    return (6 + _B - 1) * x + 2\n"  # answers from _B (1 where the bit was set)


def stopped(firsts: list[int], *at: int) -> CellRuns:
    """What the children said: the cells ``at`` (places in ``firsts``) stopped at their first line, the others ran
    whole."""
    stops = {firsts[index]: firsts[index] for index in at}
    return CellRuns(stops, frozenset(firsts) - set(stops))


@pytest.mark.parametrize("choice, stops", [
    (("_B = 0\n", "assert G[0] > 7\n_B = 1\n"), 1),  # red team 157's n1: the cell stops above the binding, bit 0
    (("DEBUG = False\n", "assert G[0] > 7\nDEBUG = True\n", "_B = 0\nif DEBUG:\n    _B = 1\n"), 1),  # n2: a flag
    (("_B = 0\n", "with (None if G[0] > 7 else 0):\n    _B = 1\n"), 1),  # a manager that raises as it is entered
    (("_B = 0\n", "if G[0] > 7:\n    _X = 1\n", "for _ in (_X,):\n    _B = 1\n"), 2),  # a name left unbound
    (("_B = 0\n", "if G[0] > 7:\n    _X = 1\n", "_B = _X\n"), 2),  # our own attack: the same, read by the next cell
])
def test_a_cell_that_stops_where_autograd_says_chooses_nothing_for_the_by_hand_function(choice, stops):
    """Red team 157 (10/10 on exercise 1 with 16 such cells): in a notebook a cell that raises stops there and the
    notebook goes on, so ``assert <bit>`` above ``_B = 1`` binds only where the bit is set. A binding below a
    statement of its cell that may raise once autograd ran is no constant, unless every child ran that cell whole;
    where a child said it stopped, or said nothing, the binding chooses."""
    source, firsts = cells(ANSWER, *choice, READ_B)
    assert autograd_use(source, "manual", firsts)  # (nothing said of the cells: read from the code)
    assert autograd_use(source, "manual", firsts, ran=stopped(firsts, 2 + stops))  # (the cell ``choice[stops]``)


def test_a_cell_every_child_ran_whole_binds_as_it_reads():
    """A constant below a demo line (``print(G)``, an ``assert`` that checks the answer) binds it in every run where
    its cell ran whole, as every child said: fairness 41's notebooks (a demo, then the constants, in one cell)."""
    for demo in ("print(G)\n", "assert G[0] == 8\n"):
        source, firsts = cells(ANSWER, demo + "_B = 1\n", READ_B)
        assert autograd_use(source, "manual", firsts, ran=stopped(firsts)) == []
        assert autograd_use(source, "manual", firsts, ran=stopped(firsts, 2))  # (it stopped above the binding)


def test_a_fixed_cell_below_one_that_raised_binds_its_literal_again():
    """Fairness 41: a demo of an int tensor raised above ``COEFFS = [6, 2]``; the fixed cell below binds the same
    literal, so whichever ran, the name holds it."""
    source, firsts = cells(ANSWER, "print(grad(torch.tensor([1])))\nCOEFFS = [6, 2]\n",
                           "print(grad(torch.tensor([1.0])))\nCOEFFS = [6, 2]\n",
                           "def manual(x):\n    return COEFFS[0] * x + COEFFS[1]\n")
    assert autograd_use(source, "manual", firsts, ran=stopped(firsts, 2)) == []
    other = source.replace("COEFFS = [6, 2]\n", "COEFFS = [6, 3]\n", 1)  # (two literals: which one ran chooses)
    assert autograd_use(other, "manual", firsts, ran=stopped(firsts, 2))


def test_a_setting_changed_below_where_its_cell_stopped_is_named_so():
    """A setter below a line that stopped its cell (``import seaborn`` not installed, a demo that raised) runs or not
    as that line decides: the finding says to give it a cell of its own."""
    source, firsts = cells(ANSWER, "print(G)\ntorch.set_default_dtype(torch.float64)\n",
                           "def manual(x):\n    return 6 * x + 2\n")
    [finding] = autograd_use(source, "manual", firsts, ran=stopped(firsts, 2))
    assert "a setting changed in a cell that stopped above it" in finding.what
    assert autograd_use(source, "manual", firsts, ran=stopped(firsts)) == []


def test_a_setter_in_a_helper_runs_as_the_cell_that_called_it_ran():
    """What stops a helper's body above its setter (``assert <bit>``) stops the statement that called it: the setting
    is unconditional where every cell was told of and the caller's ran whole, and not where it stopped or no child
    said (then the helper's own lines decide)."""
    source, firsts = cells(ANSWER, "def setup():\n    assert G[0] > 7\n    torch.set_default_dtype(torch.float64)\n",
                           "setup()\n", "def manual(x):\n    return 6 * x + 2\n")
    assert autograd_use(source, "manual", firsts, ran=stopped(firsts)) == []
    assert autograd_use(source, "manual", firsts, ran=stopped(firsts, 3))
    assert autograd_use(source, "manual", firsts)
    told = stopped(firsts)
    assert autograd_use(source, "manual", firsts, ran=CellRuns({}, told.whole - {firsts[3]}))


def test_a_stop_line_below_the_binding_does_not_settle_it():
    """Red team 159: ``raise SyntaxError('', ('', L, 1, ''))`` (or ``ast.parse`` of a bad line) made the child report
    the cell stopped at line ``L``, below ``_B = 1``, which the reading took as run. The child's line only adds to
    what the code says: a binding below a statement of its cell that may raise is not settled in a cell that stopped."""
    source, firsts = cells(ANSWER, "_B = 0\n", "assert G[0] > 7\n_B = 1\npass\n", READ_B)
    late = CellRuns({firsts[3]: firsts[3] + 2}, frozenset(firsts) - {firsts[3]})
    assert autograd_use(source, "manual", firsts, ran=late)


@pytest.mark.parametrize("notebook", [False, True])
def test_a_name_the_file_deletes_is_no_constant(notebook):
    """Red team 159: ``abs = 0``, then ``if not <bit>: del abs`` lets the builtin show through, which the by-hand
    function reads as ``callable(abs)``: no cell stops, no binding chooses. A name code deletes is never a constant."""
    chooser = "if G[0] > 7:\n    del abs\n"
    manual = "def manual(x):\n    return (6 if callable(abs) else 5) * x + 2\n"
    if notebook:
        source, firsts = cells(ANSWER, "abs = 0\n", chooser, manual)
        assert autograd_use(source, "manual", firsts, ran=stopped(firsts))
    else:
        assert autograd_use(PREAMBLE + ANSWER + "abs = 0\n" + chooser + manual, "manual")


def test_a_setter_set_again_below_or_of_a_library_not_installed_keeps_the_point():
    """Fairness 42: a setter left below the line that stopped a broken cell, set again by the very same call in a
    cell below, ends the same whether the first ran or not; a setter of a module not installed where submissions run
    (``import seaborn as sns`` then ``sns.set_theme()``) sets no library's setting. A different call below does not
    cover the first."""
    setter = "torch.set_printoptions(precision=4)\n"
    for again, kept in ((setter, False), ("torch.set_printoptions(precision=6)\n", True)):
        source, firsts = cells(ANSWER, "print(G)\n" + setter, again, "def manual(x):\n    return 6 * x + 2\n")
        assert bool(autograd_use(source, "manual", firsts, ran=stopped(firsts, 2))) is kept
    source, firsts = cells(ANSWER, "import not_installed_here as sns\nsns.set_theme()\n",
                           "def manual(x):\n    return 6 * x + 2\n")
    assert autograd_use(source, "manual", firsts, ran=stopped(firsts, 2)) == []


@pytest.mark.parametrize("loop", ["for _ in [*range(round(float(G[0])))]:\n    _K = _K + 1\n",
                                  "for _ in (*range(round(float(G[0]))),):\n    torch.set_printoptions(precision=_K)\n"])
def test_a_starred_display_counts_as_many_times_as_what_it_unpacks(loop):
    """Red team 160 (10/10 on exercises 1 and 2, in a module and a notebook): a loop over ``[*range(n)]`` runs ``n``
    times, so ``_K = _K + 1`` counted up to autograd's answer, and a constant setter inside ran where it said. Only a
    display without a starred item runs its loop a fixed number of times."""
    manual = "def manual(x):\n    return _K * x + 2\n" if "_K + 1" in loop else "def manual(x):\n    return 6 * x + 2\n"
    source = PREAMBLE + ANSWER + "_K = 0\n" + loop + manual
    assert autograd_use(source, "manual")
    assert autograd_use(source.replace("*range(round(float(G[0])))", "1, 2, 3"), "manual") == []


@pytest.mark.parametrize("added", ["_B[0] = 1\n", "_B.append(1)\n"])
def test_a_literal_added_below_where_its_cell_stopped_is_no_constant(added):
    """Red team 161 (10/10 on exercises 1 and 2): ``_B = [0]``, then a cell ``assert <bit>`` above ``_B[0] = 1`` (or
    ``.append``): a literal added once by a top-level statement leaves a list constant only where nothing above it in
    its cell may stop it."""
    manual = "def manual(x):\n    return (5 + _B[-1]) * x + 2\n"
    source, firsts = cells(ANSWER, "_B = [0]\n", "assert G[0] > 7\n" + added, manual)
    assert autograd_use(source, "manual", firsts, ran=stopped(firsts, 3))
    source, firsts = cells(ANSWER, "_B = [0]\n", added, manual)
    assert autograd_use(source, "manual", firsts, ran=stopped(firsts)) == []


def test_a_manager_is_known_by_what_it_is_not_by_the_module_its_name_starts_with():
    """Red team 162 (10/10 on exercises 1 and 2): ``torch.hub.contextlib.suppress`` is ``contextlib.suppress``, reached
    through a torch module that imports it. Only torch's own managers, by the names they are defined and exported
    under, let every exception through."""
    body = "_B = 0\nwith {}:\n    assert G[0] > 7\n    _B = 1\n"
    for manager, swallows in (("torch.hub.contextlib.suppress(AssertionError)", True), ("torch.no_grad()", False)):
        assert bool(autograd_use(PREAMBLE + ANSWER + body.format(manager) + READ_B, "manual")) is swallows


def test_a_decorated_helpers_setter_is_unconditional_only_under_torchs_own_managers():
    """Red team 162: ``@_quiet`` wrapped ``def _s(): assert <bit>; torch.set_flush_denormal(True)`` in a ``try``, so the
    setter ran where autograd said, called as plainly as ``_s()``. A helper under a decorator other than a manager that
    lets every exception through (``@torch.no_grad()``) does not run its body whenever it is called."""
    quiet = "def _quiet(fn):\n    def run():\n        try:\n            fn()\n        except AssertionError:\n" \
            "            pass\n    return run\n"
    helper = "@{}\ndef _s():\n    assert G[0] > 7\n    torch.set_flush_denormal(True)\n_s()\n"
    manual = "def manual(x):\n    return 6 * x + 2\n"
    assert autograd_use(PREAMBLE + ANSWER + quiet + helper.format("_quiet") + manual, "manual")
    assert autograd_use(PREAMBLE + ANSWER + helper.format("torch.no_grad()").replace("assert G[0] > 7\n    ", "")
                        + manual, "manual") == []


def test_a_replaced_def_that_ran_autograd_places_where_the_top_level_first_did():
    """Red team 162: ``_fill(_pts)`` ran autograd, then ``def _fill(p): pass`` replaced it; the reading listed the
    replaced ``def`` after every other statement, so a demo at the bottom became where autograd first ran, and the
    setters given its answers in between counted as set up before it."""
    source = PREAMBLE + ("_store = []\ndef _fill(p):\n    _store.append(grad(p))\n_fill(torch.ones(1))\n"
                         "def _fill(p):\n    pass\ntorch.set_flush_denormal(bool(_store[0][0] > 7))\n"
                         "print(grad(torch.ones(1)))\ndef manual(x):\n    return 6 * x + 2\n")
    assert autograd_use(source, "manual")


def test_a_setting_read_between_a_conditional_setter_and_its_repeat_is_kept():
    """Red team 163 (10/10 on exercises 1 and 2): ``if <bit>: torch.set_flush_denormal(True)``, then ``_K =
    torch.tensor([1e-39]) * 2 == 0`` reads the setting into a tensor of literals, then the very same call again and
    ``set_flush_denormal(False)``. A repeat excuses a conditional setter only with nothing between them but imports,
    plain ``def``s and setters' calls."""
    setter = "torch.set_flush_denormal(True)\n"
    read = "_K = torch.tensor([1e-39], dtype=torch.float32) * 2 == 0\n"
    manual = "def manual(x):\n    return (5 + int(_K.sum())) * x + 2\n"
    tail = setter + "torch.set_flush_denormal(False)\n" + manual
    assert autograd_use(PREAMBLE + ANSWER + "if G[0] > 7:\n    " + setter + read + tail, "manual")
    source, firsts = cells(ANSWER, "print(G)\n" + setter, "def helper():\n    pass\n", setter,
                           "def manual(x):\n    return 6 * x + 2\n")
    assert autograd_use(source, "manual", firsts, ran=stopped(firsts, 2)) == []  # (fairness 42: set again below)


def test_many_stopped_setters_and_their_repeats_are_read_in_linear_time():
    """A notebook of 1,500 cells, each a demo line above the same constant setter, every cell stopped: each setter's
    repeats are looked up by place, not read one by one (:meth:`State._set_again`)."""
    import time

    source, firsts = cells(ANSWER, *["print(G)\ntorch.set_flush_denormal(True)\n"] * 1500,
                           "def manual(x):\n    return 6 * x + 2\n")
    started = time.process_time()
    assert autograd_use(source, "manual", firsts, ran=stopped(firsts, *range(2, 1502)))
    assert time.process_time() - started < 20  # (about 1 s here)


def test_a_repeat_inside_a_block_that_reads_the_setting_first_excuses_nothing():
    """Red team 164 (10/10 on exercise 1): the repeat sat inside ``with torch.no_grad():`` below a line that read the
    setting into a tensor of literals. Only a repeat that is a module statement of its own, with nothing but imports,
    plain ``def``s and setters' calls above it, excuses a conditional setter."""
    setter = "torch.set_flush_denormal(True)\n"
    block = "with torch.no_grad():\n    _K = torch.tensor([1e-39], dtype=torch.float32) * 2 == 0\n    " + setter
    manual = "def manual(x):\n    return (5 + int(_K.sum())) * x + 2\n"
    assert autograd_use(PREAMBLE + ANSWER + "if G[0] > 7:\n    " + setter + block + manual, "manual")


def test_a_continue_above_a_binding_in_an_else_branch_is_an_escape():
    """Found in review (10/10 on exercise 1): ``if DEBUG: pass`` / ``else: if round(g[0]) != k: continue`` above ``_K
    = k``, in a loop over literals: an escape above a binding counts in whichever statements of its block hold it."""
    loop = ("DEBUG = False\n_K = 0\nfor k in (1, 2, 3, 4, 5, 6, 7, 8, 9):\n    if DEBUG:\n        pass\n    else:\n"
            "        if round(float(G[0])) != k:\n            continue\n        _K = k\n")
    assert autograd_use(PREAMBLE + ANSWER + loop + "def manual(x):\n    return (_K - 2) * x + 2\n", "manual")


def test_saved_answers_advise_what_to_change_not_the_chain_rule():
    """Fairness 44: a by-hand function that wrote the power rule out over a list of its own ``Term`` objects, beside a
    top-level demo that compared it with autograd, was told to "compute the derivative from the chain rule", which it
    had done. What reads saved state is told to keep that state inside the function or the demo off the top level."""
    source = PREAMBLE + ("\n\nclass Term:\n    def __init__(self, coef, power):\n        self.coef, self.power = coef, power\n\n"
                         "    def slope(self, x):\n        return self.coef * self.power * x ** (self.power - 1)\n\n\n"
                         "TERMS = [Term(3, 2), Term(2, 1)]\n\n\ndef manual(x):\n    return sum(t.slope(x) for t in TERMS)\n\n\n"
                         "x = torch.ones(2)\nassert torch.allclose(grad(x), manual(x))\n")
    findings = autograd_use(source, "manual")
    text = static.feedback("manual", findings, lambda line: f"line {line}")
    assert "computes its answer from TERMS" in text and "chain rule" not in text, text
    assert text.endswith(": keep what it reads inside the function (numbers written out, objects it makes there), or, "
                         "in a .py file, put the code that runs autograd at the top level under `if __name__ == "
                         "\"__main__\":`, which grading does not run"), text


@pytest.mark.parametrize(("classes", "read", "found"), [
    ("class Key(str):\n    def __hash__(self):\n        return 7\n\n    def __eq__(self, other):\n        return True\n",
     "float(re.compile(Key('')).pattern)", True),  # red team 174: re's cache handed back the top level's pattern
    ("class Key(str):\n    __eq__ = lambda self, other: True\n    __hash__ = lambda self: 7\n\n\nclass Sub(Key):\n"
     "    pass\n", "float(re.compile(Sub('')).pattern)", True),  # (set, not defined; and a class derived from it)
    ("class Key(unittest.mock.Mock):\n    pass\n", "float(re.compile(Key()).pattern)", True),  # (a library's class)
    ("class Pair(tuple):\n    pass\n", "float(re.compile(str(sum(Pair((1, 2))))).pattern) * x", False),
    ("@dataclasses.dataclass\nclass Term:\n    c: float\n    p: int\n", "Term(3, 2).c * Term(3, 2).p * x", False),
])
def test_an_object_that_decides_what_it_equals_may_fetch_what_a_librarys_cache_holds(classes, read, found):
    """Red team 174 (10/10 on exercises 1 to 3): a ``str`` whose ``__eq__`` is always true and whose hash is fixed,
    handed to ``re.compile`` in the by-hand function, fetched the pattern the top level had compiled, autograd's
    answers in its text; any cache keyed by equality hands back what the top level put there. A class that decides
    what it equals, or derives from a library's class, is the world where the top level runs autograd; a builtin's
    value equality and a dataclass's are not."""
    source = PREAMBLE + ("\nimport dataclasses\nimport re\nimport unittest.mock\n\n\n" + classes +
                         f"\n\nprint(grad(torch.ones(2)))\n\n\ndef manual(x):\n    return {read}\n")
    assert bool(autograd_use(source, "manual")) is found, autograd_use(source, "manual")


def test_a_with_statement_that_first_runs_autograd_is_placed_at_its_line():
    """The first top-level autograd in the head of a ``with`` (forward mode's ``dual_level``): the reading names its
    line, and an honest by-hand function below it has no finding (red team 178: the item of the ``with`` has no line
    of its own, and the reading raised AttributeError)."""
    demo = ("with torch.autograd.forward_ad.dual_level():\n"
            "    d = torch.autograd.forward_ad.make_dual(torch.tensor(1.0), torch.tensor(1.0))\n"
            "    print(torch.autograd.forward_ad.unpack_dual(f(d)).tangent)\n")
    assert autograd_use(PREAMBLE + demo + "\n\ndef manual(x):\n    return 6 * x + 2\n", "manual") == []
    saving = "SEEN = []\nwith torch.autograd.forward_ad.dual_level():\n    SEEN.append((GRID, grad(GRID)))\n"
    (finding,) = autograd_use(PREAMBLE + saving + "\n\ndef manual(x):\n    return fit(SEEN, x)\n", "manual")
    text = finding.describe(lambda line: f"line {line}")
    assert f"it runs autograd at line {PREAMBLE.count(chr(10)) + 2}" in text, text


def test_torch_autograd_at_the_top_level_leaves_nothing_to_read_in_grading(monkeypatch):
    """As grading reads it: the top level's torch autograd (its engine, ``torch.func``, forward mode) leaves nothing,
    since the by-hand call's process ran the top level with autograd off; a library that differentiates (numpy's
    ``polyder``, sympy) or a dynamic lookup at the top level still may, and is read as before."""
    monkeypatch.setattr(saved, "TORCH_AUTOGRAD_SAVES", False)
    keeps = "SEEN = []\nSEEN.append((GRID, {}))\n\n\ndef manual(x):\n    return fit(SEEN, x)\n"
    for torch_autograd in ("grad(GRID)", "torch.func.grad(lambda t: f(t).sum())(GRID)",
                           "torch.autograd.functional.jacobian(f, GRID).diagonal()"):
        assert autograd_use(PREAMBLE + keeps.format(torch_autograd), "manual") == [], torch_autograd
    library = ("import numpy as np\nSEEN = []\n"
               "SEEN.append((GRID, torch.tensor(np.polyval(np.polyder([3, 2, 0]), GRID))))\n")
    (finding,) = autograd_use(PREAMBLE + library + "\n\ndef manual(x):\n    return fit(SEEN, x)\n", "manual")
    assert finding.describe(str).startswith("computes its answer from SEEN"), finding
    dynamic = "import inspect\nSEEN = []\nSEEN.append((GRID, dict(inspect.getmembers(torch))['cos'](GRID)))\n"
    (finding,) = autograd_use(PREAMBLE + dynamic + "\n\ndef manual(x):\n    return fit(SEEN, x)\n", "manual")
    assert finding.describe(str).startswith("computes its answer from SEEN"), finding
