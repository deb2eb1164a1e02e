"""judge/tampering.py: a file whose code reaches the grader's own objects in the child runs nothing (red team 19).

Each door alone in an otherwise honest file, and honest code that looks close to one (printing, tracebacks,
``gc.collect()``, ``re.compile``, ``nn.Module.modules()``, ``getattr`` on ``self``, ``torch.load``).
"""

from __future__ import annotations

import textwrap

import pytest

from autograd_exercises.judge.tampering import door

DOORS = {  # code -> the start of what the reading says
    "from autograd_exercises.sandbox import observe": "imports the grader's own package",
    "import autograd_exercises.probes.exercise_5 as p": "imports the grader's own package",
    "import sys\nframe = sys._getframe(1)": "reaches the call stack's frames (_getframe)",
    "def f():\n    return g.gi_frame": "reaches the call stack's frames (gi_frame)",
    "try:\n    1 / 0\nexcept Exception as e:\n    tb = e.__traceback__.tb_frame": "reaches the call stack's frames (tb_frame)",
    "import inspect as i\ni.stack()": "reaches the call stack's frames (inspect.stack)",
    "from inspect import currentframe": "reaches the call stack's frames (inspect.currentframe)",
    "import torch as t\ninterpreter = t.fx.Interpreter": "reaches any attribute by a dotted name (torch.fx",
    "import torch\nfx = getattr(torch, 'fx')": "reaches any attribute by a dotted name (torch.fx",
    "import torch\ntorch.ops.aten.__getattr__('back' + 'ward')(y)": "reaches every operator by a computed name",
    "from torch import ops": "reaches every operator by a computed name",
    "from traceback import walk_stack": "reaches the call stack's frames (traceback.walk_stack)",
    "import gc\nfor o in gc.get_objects():\n    pass": "reaches every object in the process",
    "import sys\nm = sys.modules": "reaches every loaded module",
    "import torch\nm = torch.sys.modules": "reaches every loaded module",
    "from sys import modules": "reaches every loaded module",
    "g = f.__globals__": "reaches a function's module namespace",
    "c = object.__subclasses__()": "reaches every class in the process",
    "b = __builtins__": "reaches the builtins' namespace",
    "import builtins": "reaches the builtins' namespace",
    "m = __import__('autograd_exercises')": "imports by name (__import__)",
    "exec('x = 1')": "runs code no reading sees (exec)",
    "exec('x = 1')\ndef exec(code):\n    pass": "runs code no reading sees (exec)",  # the builtin, before the def
    "y = eval('1 + 1')": "runs code no reading sees (eval)",
    "code = compile('1', 'f', 'eval')": "compiles code no reading sees (compile)",
    "import importlib\nm = importlib.import_module('autograd_exercises')": "runs code no reading sees (importlib)",
    "import runpy": "runs code no reading sees (runpy)",
    "import ctypes": "reads and writes the process's memory (ctypes)",
    "import pickle\np = pickle.loads(b'')": "loads pickled objects (pickle.loads)",
    "from pickle import Unpickler": "loads pickled objects (pickle.Unpickler)",
    "import torch\nt = torch.load('f', weights_only=False)": "loads pickled objects (weights_only)",
    "import torch\nt = torch.load('f', **{'weights_only': False})": "loads pickled objects (weights_only)",
    "import torch\ntorch.serialization.add_safe_globals([print])": "loads pickled objects (add_safe_globals)",
    "import numpy as np\na = np.load('f', allow_pickle=True)": "loads pickled objects (allow_pickle)",
    "g = getattr(f, '__globals__')": "reaches a function's module namespace",
    "import sys\nm = getattr(sys, 'modules')": "reaches every loaded module",
    "import operator\nget = operator.attrgetter('f_back')": "reaches the call stack's frames",
    "d = torch.__dict__": "reads an object's every attribute (__dict__)",
    "w = 'f_globals'": "names the call stack's frames ('f_globals')",
    "for name in ('w', '__globals__'):\n    v = getattr(m, name)": "names a function's module namespace",
    "%timeit": "reaches the call stack's frames (_getframe)",  # in %timeit's code (below)
    # red team 93: a star import binds the door it names nowhere
    "from gc import *\nfor o in get_objects():\n    pass": "reaches every object in the process",
    "from gc import *\ndef f():\n    return get_referrers(f)": "reaches every object in the process",
    "from inspect import *\nframes = stack()": "reaches the call stack's frames (inspect.stack)",
    "from traceback import *\nframes = walk_stack(None)": "reaches the call stack's frames (traceback.walk_stack)",
    "from pickle import *\np = loads(b'')": "loads pickled objects (pickle.loads)",
    "from types import *\nF = FunctionType": "reaches functions made from code objects (types.FunctionType)",
    "from sys import *\nm = modules": "reaches every loaded module (sys.modules)",
    "from numpy import *\nc = ctypeslib": "reaches any address of the process's memory (numpy.ctypeslib)",
    "from matplotlib.artist import *\nframes = inspect.stack()": "reaches the call stack's frames (inspect.stack)",
    # red teams 96 to 98: libraries that read an attribute chain, unpickle or import by a name for the file
    "from xmlrpc.server import resolve_dotted_attribute as walk\nf = walk(tb, name)":
        "reaches any attribute by a dotted name, read in xmlrpc's frame",
    "from multiprocessing.reduction import ForkingPickler\nv = ForkingPickler.loads(data)":
        "reaches pickled objects' loading (multiprocessing's pickler)",
    "import pytest\nsix = pytest.importorskip('six')": "reaches any object by its dotted name (a library's import",
    # red team 20: torch's and json's own objects changed under the probes, and other spellings of a door
    "torch.autograd.graph.saved_tensors_hooks = Hooks": "changes a library's object (torch.autograd.graph",
    "import json\njson.JSONEncoder = Encoder": "changes a library's object (json.JSONEncoder)",
    "T = torch.Tensor\nT.grad_fn = property(f)": "changes a library's object (T.grad_fn)",
    "for g in [torch.autograd.graph]:\n    g.saved_tensors_hooks = Hooks": "changes a library's object",
    "type(x).grad_fn = property(f)": "changes a library's object (?.grad_fn)",
    "setattr(torch.Tensor, 'grad_fn', property(f))": "changes a library's object (torch.Tensor)",
    "f.__defaults__ = (1,)": "reaches a function's code, defaults or closure",
    "match e:\n    case object(tb_frame=frame):\n        pass": "reaches the call stack's frames (tb_frame)",
    "import operator\nget = operator.attrgetter('x.tb_frame')": "names the call stack's frames",
    "v = ('{0.tb_' + 'frame}').format(tb)": "formats a string built as it runs (format",
    "import string\nv = string.Formatter().get_field(FIELD, (tb,), {})": "formats a string built as it runs",
    "import traceback\nt = traceback.TracebackException.from_exception(e, capture_locals=True)":
        "reaches the call stack's local variables",
    "import numpy as np\nview = np.asarray(Fake(__array_interface__={'data': (address, False)}))":
        "reaches any address of the process's memory",
    "import numpy as np\nc = np.ctypeslib.ctypes": "reaches any address of the process's memory",
    # red team 236: a view whose buffer torch lets go of, a storage resized under its tensor, a storage made a tensor's
    "b = bytearray(64)\nt = torch.frombuffer(b, dtype=torch.uint8)": "reaches any address of the process's memory",
    "x = torch.ones(4)\nx.untyped_storage().resize_(0)": "reaches any address of the process's memory",
    "x = torch.ones(4)\nx.storage().resize_(0)": "reaches any address of the process's memory (storage)",
    "s = torch.FloatStorage(4)": "reaches any address of the process's memory (FloatStorage)",
    "x = torch.ones(4)\nx.set_(torch.UntypedStorage(4))": "reaches any address of the process's memory",
    "from torch import frombuffer": "reaches any address of the process's memory (torch.frombuffer)",
    # red team 238: numpy frees a block a view still reads, or lets go of the buffer it views; a map closed under a view
    "import numpy as np\na = np.zeros(4)\na.resize(8, refcheck=False)": "reaches any address of the process's memory",
    "import numpy as np\nv = np.ndarray((4,), np.uint8, buffer=b)": "reaches any address of the process's memory",
    "from numpy import ndarray\nv = ndarray((4,), buffer=b)": "reaches any address of the process's memory",
    "import mmap": "reads and writes the process's memory (mmap)",
    # walkthrough 72: the same bugs under other spellings
    "import numpy as np\na = np.zeros(4)\na.resize(8, **{'refcheck': False})": "reaches any address of the process's",
    "import numpy as np\nr = np.recarray((2,), dtype=[('a', int)], buf=b)": "reaches any address of the process's",
    "import numpy as np\nc = np.char.chararray((2,), buffer=b)": "reaches any address of the process's memory",
    "import numpy as np\nv = np.ndarray.__new__(np.ndarray, (4,), np.uint8, b)": "reaches any address of the process's",
    "import torch\nt = torch.asarray(bytearray(64))": "reaches any address of the process's memory (torch.asarray)",
    # red team 21: torch's private entry points, modes, tensors that answer for autograd, threads past the count
    "hooks = torch._C._autograd._top_saved_tensors_default_hooks(False)": "reaches torch's private internals",
    "torch._check(False, lambda: MESSAGE)": "reaches torch's private internals (torch._check)",
    "from torch._C import _enter_dual_level": "reaches torch's private internals (torch._C._enter_dual_level)",
    "class Mode(torch.overrides.TorchFunctionMode):\n    pass": "reaches torch's function and dispatch modes",
    "class Loss(torch.Tensor):\n    @property\n    def grad_fn(self):\n        return None":
        "makes tensors that answer for autograd themselves (Loss.grad_fn)",
    "T = torch.Tensor\nclass Layer(T):\n    grad = None": "makes tensors that answer for autograd themselves",
    "Loss = type('Loss', (torch.Tensor,), {})": "makes a class as it runs",
    "import _thread\n_thread.start_new(work, ())": "starts threads past the sandbox's own start",
    # the review's own attack: a lookup imported under another name, its attribute names built as it runs
    "from operator import attrgetter as pick\nframe = pick(''.join(['tb', '_fr', 'ame']))(tb)":
        "looks an attribute up by a computed name (attrgetter)",
    "from operator import attrgetter as pick\nget = pick": "passes attrgetter around",
    "import numpy as np\nw = np.lib.stride_tricks.as_strided(a, (1 << 30,), (1,))":
        "reaches any address of the process's memory",
    # red team 25: lookups by a dotted name, code evaluated from a string, attributes listed by name
    "import pkgutil\nobs = pkgutil.resolve_name('x')": "reaches any object by its dotted name (pkgutil)",
    "from importlib.metadata import entry_points": "runs code no reading sees (importlib.metadata.entry_points)",
    "from unittest import mock\nmock.patch('a.b.c', f).start()": "reaches any object by its dotted name (unittest.mock)",
    "import unittest.mock": "reaches any object by its dotted name (unittest.mock)",
    "import unittest\np = unittest.mock.patch": "reaches any object by its dotted name (unittest.mock)",
    "import pydoc\nm = pydoc.locate('a.b')": "reaches any object by its dotted name (pydoc)",
    "import logging.config\nlogging.config.dictConfig(c)": "reaches any object by its dotted name (logging.config)",
    "import typing\nv = typing.ForwardRef(text)._evaluate(globals(), None, frozenset())":
        "reaches code evaluated from a string",
    "from typing import get_type_hints\nhints = get_type_hints(f)": "reaches code evaluated from a string",
    "import inspect\na = inspect.get_annotations(f, eval_str=True)": "reaches code evaluated from a string",
    "import inspect, sys\nparts = dict(inspect.getmembers(sys))": "reaches every attribute of an object, by name",
    "import inspect\nc = inspect.getclosurevars(f)": "reaches every attribute of an object, by name",
    "import types\ng = types.FunctionType(code, {})": "reaches functions made from code objects",
    "import doctest\ndoctest.run_docstring_examples(f, globals())": "runs code no reading sees (doctest)",
    "import doctest\nrun = doctest.testmod": "runs code no reading sees (doctest)",
    "from doctest import testmod, DocTestRunner": "runs code no reading sees (doctest.testmod)",
    "import cProfile\ncProfile.run(text)": "runs code no reading sees (cProfile)",
    # pdb for more than a debugger's call: its Pdb runs any statement, and hands frames over
    "import pdb\npdb.Pdb().run(text)": "runs code no reading sees (pdb)",
    "import pdb\nstop = pdb.set_trace\nstop()": "runs code no reading sees (pdb)",
    "from pdb import set_trace\nhook = set_trace": "runs code no reading sees (pdb.set_trace)",
    "from pdb import run\nrun(text)": "runs code no reading sees (pdb.run)",
    "import pdb, os\npdb.set_trace()": "runs code no reading sees (pdb)",
    "import inspect\nparts = inspect.classify_class_attrs(type(x))": "reaches every attribute of an object, by name",
    # red team 72: a trusted library's own table, filled with autograd's answers and read back by a "pure" call
    "import copy\ncopy._deepcopy_dispatch[complex] = lambda v, memo: SLOPES": "reaches a library's private internals",
    "import re\nre._cache[str, 'rule', 0] = SLOPES": "reaches a library's private internals (re._cache)",
    "from copy import _deepcopy_dispatch": "reaches a library's private internals (copy._deepcopy_dispatch)",
    "import numpy as np\nv = np.core._multiarray_umath": "reaches a library's private internals",
    # red team 71: a global module hook answered for nn.Identity in a by-hand function from the top level's autograd
    "import torch\ntorch.nn.modules.module.register_module_forward_hook(h)": "reaches every torch module's calls",
    "from torch.nn.modules.module import register_module_forward_pre_hook": "reaches every torch module's calls",
    # red team 66: a TorchScript fork runs on torch's inter-op threads, where no count of autograd runs
    "import torch\nfuture = torch.jit.fork(f, x)": "reaches torch's inter-op threads",
    "from torch.jit import wait": "reaches torch's inter-op threads",
    # red team 76: TorchScript from a string forked onto those threads, past the reading of the file
    "import torch\ncu = torch.jit.CompilationUnit(SOURCE)": "reaches TorchScript no reading sees",
    "import torch.jit as J\nm = J.load(buffer)": "reaches TorchScript no reading sees",
    "from torch.jit import CompilationUnit": "reaches TorchScript no reading sees",
    "import torch\nimp = torch.package.PackageImporter(data)\nm = imp.load_pickle('p', 'x.pkl')":
        "reaches pickled objects' loading (torch.package)",
    "from torch.package import PackageImporter": "loads pickled objects (torch.package)",
    # installed libraries that import an object by its dotted name from their own frames (tornado, traitlets, IPython,
    # distributed, pkg_resources): torch._C's functions by a string no reading follows
    "from tornado.util import import_object\nf = import_object('torch.' + '_C')": "reaches any object by its dotted name",
    "from traitlets.utils.importstring import import_item": "reaches any object by its dotted name",
    "import pkg_resources\nf = pkg_resources.EntryPoint.parse(s).resolve()": "reaches any object by its dotted name",
    # PyYAML's full loaders call what a document names (a tag !!python/object/apply:torch._C…): seen in this review
    "import yaml\nconfig = yaml.unsafe_load(text)": "loads YAML that can call any function (yaml.unsafe_load",
    "import yaml as y\nconfig = y.load(text, Loader=y.FullLoader)": "loads YAML that can call any function (yaml.load",
    "from yaml import UnsafeLoader": "loads YAML that can call any function (yaml.UnsafeLoader",
    "import yaml.constructor": "loads YAML that can call any function (yaml.constructor",
    # red team 64: a debugger's name bound over a builtin's hid that builtin's lookups from the reading
    "if False:\n    from pdb import set_trace as getattr\nh = getattr(x, '_backward' + '_hooks')":
        "runs code no reading sees (pdb.set_trace)",
    "import pdb as exec\nexec.set_trace()": "runs code no reading sees (pdb)",
    "from pdb import set_trace\ndef set_trace():\n    pass\nset_trace()": "runs code no reading sees (pdb.set_trace)",
    "import timeit\nt = timeit.timeit(text, number=1)": "runs code from a string (timeit)",
    "import timeit\nt = timeit.timeit('import sys; sys._getframe(1)', number=1)": "reaches the call stack's frames",
    "import torch\nlib = torch.library.Library('prims', 'IMPL')": "registers kernels for torch's operators",
    "import sys\nm = sys.modules.get('exercise_2')\nm.f = g": "reaches every loaded module",
    "import logging, sys\nh = logging.Formatter(sys.argv[0], style='{')": "formats a string built as it runs (Formatter",
    "print(('{0.f_' + 'back}').format(e))": "formats a string built as it runs",
    # a parameter's name looked up: only the strings the file passes it count, wherever the function is called
    "def pick(z, kind='sum'):\n    return getattr(z, kind)\nargs = ('tb_frame',)\nframe = pick(tb, *args)":
        "names the call stack's frames",
    "def pick(kind='_C'):\n    return getattr(torch, kind)": "reaches torch's private internals",
    "def pick(z, kind='sum'):\n    return getattr(z, kind)\nframe = pick(tb, kind='tb_frame')": "reaches the call stack's frames",
    # red team 26: "own" objects that are not, timeit's setup, what a method was made from
    "import timeit\ndef nothing():\n    pass\ntimeit.timeit(nothing, 'import torch; torch.autograd.forward_ad.make_dual.__globals__')":
        "reaches a function's module namespace",
    "import timeit\ntimeit.timeit('pass', setup)": "runs code from a string (timeit)",
    # fairness: a statement built of literals is read as each string it may be; anything else still is a door
    "import timeit\nfor s in ['f(x)', 'import sys; sys._getframe()']:\n    timeit.timeit(s, globals=globals())":
        "reaches the call stack's frames",
    "import timeit\nfor n in ['f']:\n    timeit.timeit(f'{n}(x)', globals=globals())\nn = input()":
        "runs code from a string (timeit)",  # bound otherwise too
    "import timeit\nfor n in ['f']:\n    timeit.timeit(f'{n}(x)', globals=locals())": "runs code from a string (timeit)",
    "import timeit\nfor n in ['f']:\n    timeit.timeit(f'{n:>9}(x)', globals=globals())": "runs code from a string (timeit)",
    "import timeit\nfor n in ['manual']:\n    timeit.timeit('glo' + f'bal {n}; {n} = f', globals=globals())":
        "runs code from a string built as the file runs that binds the module's names",
    "import timeit\nfor n in ['glo', 'bal']:\n    timeit.timeit(f'{n} manual', globals=globals())":
        "runs code from a string (timeit)",  # a literal that says global: no name is read as literal
    # red team 77: a timer's code runs with the module's names, so it may add to a list of statements or call a
    # function with other strings: with globals() handed to a timer, only names bound to literals right there count
    "import timeit\nSTMTS = ['STMTS.append(X)']\nfor s in STMTS:\n    timeit.timeit(s, globals=globals())":
        "runs code from a string (timeit)",
    "import timeit\ndef bench(fn='forward'):\n    return timeit.timeit(fn + '(x)', globals=globals())\nbench()":
        "runs code from a string (timeit)",
    # red team 32: torch's own timer compiles its statement too
    "import torch.utils.benchmark as bench\nbench.Timer(stmt=STEPS, globals={}).timeit(1)": "runs code from a string (Timer)",
    "from torch.utils.benchmark import Timer\nTimer('import gc; gc.get_objects()').timeit(1)": "reaches every object",
    "m = model.forward.__self__": "reaches what a method or a wrapper was made from (__self__)",
    # red team 27: a trace hook rewrote the probes' results; functools looked attribute names up for the file
    "import sys\nsys.settrace(watch)": "reaches every frame as it runs, its values and what it returns",
    "import threading\nthreading.setprofile(watch)": "reaches every frame as it runs",
    "from sys import monitoring": "reaches every frame as it runs (sys.monitoring)",
    "import inspect\nseen = inspect.getargvalues(frame).locals": "reaches a frame's local variables",
    "import signal\nsignal.signal(signal.SIGALRM, handler)": "reaches the frames a signal interrupts (signal.signal)",
    "import functools\nfunctools.update_wrapper(box, f, assigned=(name,), updated=())":
        "copies attributes by the names it is given (update_wrapper)",
    "from functools import wraps\nbox = wraps(f, (name,), ())(box)": "copies attributes by the names it is given (wraps)",
    "state = f.__getstate__()": "reaches an object's every attribute (__getstate__)",
    # red team 29: torch handed in under another name, its private internals read off it
    "def top(lib):\n    return lib._C._autograd._top_saved_tensors_default_hooks(False)\nhooks = top(torch)":
        "reaches torch's private internals (lib._C",
    "def quiet(lib):\n    lib.set_tracing = lib._saved_tensors_hooks_set_tracing": "reaches torch's private internals",
    "def engine(v):\n    return v._execution_engine._engine": "reaches torch's private internals",
    # red team 28: annotations evaluated by inspect, argparse setting attributes for the file
    "import inspect\nspace = inspect.signature(f, eval_str=True).return_annotation": "evaluates annotations as code",
    "from functools import singledispatch": "reaches code evaluated from a string",
    "import argparse\nargparse.ArgumentParser().parse_args(['--x', '1'], namespace=owner)":
        "has argparse set attributes on any object by name",
    "how, (obj, name) = model.forward.__reduce_ex__(2)": "reaches what a method or a wrapper was made from (__reduce_ex__)",
    # red team 51: a library's class changed through a parameter, and a tensor class told what to answer after its class
    "def quiet(lib):\n    lib.autograd.graph.saved_tensors_hooks.__enter__ = lambda self: None\nquiet(torch)":
        "sets a special method from outside its class (lib.autograd.graph.saved_tensors_hooks.__enter__)",
    "def quiet(hooks):\n    del hooks.__exit__": "sets a special method from outside its class (hooks.__exit__)",
    "class Liar(torch.Tensor):\n    pass\nLiar.__torch_function__ = classmethod(lambda *a: None)":
        "sets a special method from outside its class (Liar.__torch_function__)",
    "class Liar(torch.Tensor):\n    pass\nLiar.grad_fn = property(lambda self: None)":
        "makes tensors that answer for autograd themselves (Liar.grad_fn)",
    # red team 52: the builtins module (its eval, its sum) through inspect.getmodule or another module's import of it
    "import inspect\nb = inspect.getmodule(len)": "reaches any loaded module, found by an object's name (getmodule)",
    "import dataclasses\nb = dataclasses.builtins":
        "reaches the builtins' namespace through a module that imported it (builtins)",
    # red team 53: autograd's answers from a mixin of the file's; a module changed past its own __setattr__
    "class Quiet:\n    grad_fn = None\nclass Loss(Quiet, torch.Tensor):\n    pass":
        "makes tensors that answer for autograd themselves (Loss.grad_fn)",
    "class Base(torch.Tensor):\n    pass\nclass Quiet:\n    def detach(self):\n        return self\n"
    "class Loss(Quiet, Base):\n    pass": "makes tensors that answer for autograd themselves (Loss.detach)",
    # red team 152: the mixin given through a name the reading cannot follow (an item of a list, another name)
    "class Mixin:\n    def __torch_dispatch__(cls, func, types, args=(), kwargs=None):\n        return 0\n"
    "MIXINS = [Mixin]\nclass Liar(MIXINS[0], torch.Tensor):\n    pass":
        "makes tensors that answer for autograd themselves (Liar.__torch_dispatch__)",
    "class Mixin:\n    grad_fn = None\nM = Mixin\nclass Liar(M, torch.Tensor):\n    pass":
        "makes tensors that answer for autograd themselves (Liar.grad_fn)",
    "import os\ndef put(space, value):\n    object.__setattr__(space, 'realpath', value)":
        "sets attributes past an object's own rules (__setattr__ on other than self or cls)",
    "import types\ndef put(m):\n    types.ModuleType.__delattr__(m, 'x')":
        "sets attributes past an object's own rules (__delattr__ on other than self or cls)",
    "put = object.__setattr__": "sets attributes past an object's own rules (__setattr__ on other than self or cls)",
    "import os\nclass Evil:\n    def __new__(cls):\n        return os.path\ne = Evil.__new__(Evil)\n"
    "object.__setattr__(e, 'realpath', len)":
        "sets attributes past an object's own rules (__setattr__ on other than self or cls)",
    # a module's own name, "made" by object.__new__, then rebound unseen by globals()
    "import contextlib\nclass Box:\n    pass\nt = object.__new__(Box)\nglobals()['t'] = contextlib\n"
    "def put(v):\n    object.__setattr__(t, 'next', v)":
        "sets attributes past an object's own rules (__setattr__ on other than self or cls)",
    "def put(obj, v):\n    obj = object.__new__(object) if v else obj\n    object.__setattr__(obj, 'x', v)":
        "sets attributes past an object's own rules (__setattr__ on other than self or cls)",
    # red team 141: an object of the file's put below a namespace of settings, then changed there
    "torch.backends.holder = torch.Tensor\ntorch.backends.holder.backward = None":
        "changes a library's object (torch.backends.holder.backward)",
    "n = 'hold' + 'er'\nsetattr(torch.backends, n, torch.nn.Module)\ntorch.backends.holder.zero_grad = print":
        "changes a library's object (torch.backends.holder.zero_grad)",
    "import numpy\nfrom tqdm import tqdm as bar\nbar.monitor_interval = numpy\nbar.monitor_interval.ndarray = list":
        "changes a library's object (bar.monitor_interval.ndarray)",
    "import tqdm\ntqdm.monitor_interval = 0": "changes a library's object (tqdm.monitor_interval)",  # (a module's)
    "torch.backends = None": "changes a library's object (torch.backends)",
}
TIMEIT = "import sys\nexec(compile('sys._getframe()', '<%timeit>', 'exec'), globals(), {})\n"


# Doors through a private function some supported torch lacks (torch 2.2 has no _saved_tensors_hooks_set_tracing):
# there, the name reaches nothing, and the reading rightly does not call it torch's.
NEEDS_TORCH = {"def quiet(lib):\n    lib.set_tracing = lib._saved_tensors_hooks_set_tracing":
               ("torch._C._autograd", "_saved_tensors_hooks_set_tracing")}


@pytest.mark.parametrize("code", sorted(DOORS))
def test_each_door_is_found_with_its_line(code):
    if code in NEEDS_TORCH:
        import importlib

        owner, name = NEEDS_TORCH[code]
        if not hasattr(importlib.import_module(owner), name):
            pytest.skip(f"this torch has no {owner}.{name}")
    source = "import torch\n\n\ndef forward(x):\n    return 3 * x + 2\n\n\n" + (TIMEIT if code == "%timeit" else code + "\n")
    found = door(source)
    assert found is not None and found[0].startswith(DOORS[code]), found
    assert found[1] >= 8


HONEST = [
    "from torch import *\nT = tensor([1.0]) + zeros(1)\nops = [T]\nprint(ops)",  # (torch's * binds no ops)
    "from math import *\nfrom numpy import *\nP = pi * sin(1.0) + array([1.0])",
    "from gc import *\ndef f(get_objects):\n    return get_objects()",  # (a parameter, not what * bound)
    "import traceback\ntry:\n    1 / 0\nexcept ZeroDivisionError:\n    traceback.print_exc()",
    "import gc\ngc.collect()",
    "import re\nPATTERN = re.compile(r'\\d+')",
    "import torch\nmodel = torch.nn.Linear(2, 1)\nfor m in model.modules():\n    print(m)",
    "class Fit:\n    def get(self, name):\n        return getattr(self, name)\n    def set(self, name, v):\n        setattr(self, name, v)",
    "class Fit:\n    def show(self):\n        print(vars(self), self.__dict__)",
    "import torch\nt = torch.load('f')\nu = torch.load('f', weights_only=True)",
    "import torch\nf = torch.compile(lambda x: x)",
    # f(x) is "fx" to many a student: only torch's fx is a door (fairness 17)
    "fx = 3.0\nprint('x = {x}, fx = {fx}'.format(x=1.0, fx=fx))",
    "from dataclasses import dataclass\n@dataclass\nclass Sample:\n    fx: float\nprint(Sample(1.0).fx)",
    "import matplotlib.pyplot as plt\nplt.plot([1.0], [2.0], label='fx')",
    "values = [1.0, 2.0]\nprint(('{:>10}' * len(values)).format(*values))",  # a table row (fairness 17)
    "values = [1.0, 2.0]\nprint((len(values) * '{:>10}').format(*values))",
    "d = getattr(torch, 'float64')",
    "print(globals().get('forward'))",
    "import sys\nprint('debug', file=sys.stderr)\nsys.stdout.flush()",
    "from autograd_exercises.notebook import check",  # a test cell's line, copied into a scratch cell of a notebook
    "exec(compile('forward(torch.ones(3))', '<%timeit>', 'exec'), globals(), {})",  # magics' own %timeit
    "exec(compile('y = forward(torch.ones(3))\\n', '<cell magic>', 'exec'), globals())",  # and a cell magic's body
    "def g():\n    '''A docstring may say f_back or __globals__.'''\n    return 1",
    "def eval(model):\n    return model\nprint(eval(3))",  # the file's own eval, defined before it is used
    "import sys\nIN_COLAB = 'google.colab' in sys.modules",
    "x = torch.ones(3, requires_grad=True)\nx.grad = None\nlayer = torch.nn.Linear(2, 1)\nlayer.weight = w",
    "torch.backends.cudnn.deterministic = True",
    "torch.backends.cuda.matmul.allow_tf32 = False\nsetattr(torch.backends.cudnn, 'benchmark', False)",
    "from tqdm import tqdm\ntqdm.monitor_interval = 0",  # (tqdm's documented switch: fairness 32)
    "import tqdm.auto\ntqdm.auto.tqdm.monitor_interval = 0",
    "TEMPLATE = 'loss {:.3f}'\nprint(TEMPLATE.format(0.5), '{} {}'.format(1, 2))",
    "class Affine(torch.nn.Module):\n    def forward(self, x):\n        return x",  # a module of the file's own
    "class Scaled(torch.Tensor):\n    def double(self):\n        return self * 2",  # a tensor class adding a method
    "print(torch.__version__, x._version if False else 0)",
    "for name in ('w', 'b'):\n    print(name, getattr(model, name))",  # the names it may hold, each looked at
    "NAMES = ('w', 'b')\nvalues = [getattr(model, name) for name in NAMES]",
    # fairness round 14 and red team 25's false positives
    "import sys\nIN_COLAB = sys.modules.get('google.colab') is not None",
    "print('numpy, not ctypes: as_strided is not needed here')",
    "row = ' | '.join(['{:.3f}'] * len(values))\nprint(row.format(*values))",
    "print(' '.join('{:>8.3f}' for v in values).format(*values))",
    "fmt = '{:.2f}' if verbose else '{}'\nprint(fmt.format(loss))",
    "ROW: str = 'epoch {epoch:3d} loss {loss:.4f}'\nprint(ROW.format(epoch=1, loss=0.5))",
    "MESSAGES = {'ok': 'grad {:.3f}', 'bad': 'no grad'}\nprint(MESSAGES[kind].format(g))",
    "print(('epoch {} ' + 'loss {:.3f}').format(1, 0.25))",
    "import pandas as pd\nstyled = df.style.format('{:.3f}')\npd.options.display.float_format = '{:.4f}'.format",
    "import matplotlib.pyplot as plt\nplt.rcParams['figure.figsize'] = (8, 4)",
    "import logging\nh = logging.Formatter('%(asctime)s %(levelname)s %(message)s')\n"
    "b = logging.Formatter('{asctime} {message}', style='{')",
    "import argparse\nparser = argparse.ArgumentParser()\nargs = parser.parse_args([])\nprint(vars(args))",
    "from types import SimpleNamespace\ncfg = SimpleNamespace(lr=0.1)\nfor key, value in overrides.items():\n"
    "    setattr(cfg, key, value)",
    "from dataclasses import dataclass, fields\n@dataclass\nclass Example:\n    x: float = 1.0\nex = Example()\n"
    "print({f.name: getattr(ex, f.name) for f in fields(ex)}, vars(ex))",
    "import timeit\nt = timeit.timeit(lambda: forward(torch.ones(3)), number=10)\nu = timeit.timeit('1 + 1')",
    "import torch.utils.benchmark as bench\nt = bench.Timer('forward(x)', globals={'forward': forward, 'x': torch.ones(3)})",
    "import types, unittest\nprint(isinstance(forward, types.MethodType))\nclass T(unittest.TestCase):\n    pass",
    "x = torch.ones(3)\ny = x.repeat(2)",
    "import functools\ndef logged(f):\n    @functools.wraps(f)\n    def inner(*a):\n        return f(*a)\n    return inner",
    "import sys\ntrace_on = sys.gettrace() is not None",
    "from importlib.metadata import version, PackageNotFoundError\nprint(version('torch'))",
    "def count(model):\n    return sum(p.numel() for p in model._parameters.values())",  # a module's own private
    "class Cache:\n    def __init__(self):\n        self._C = {}\n    def get(self, k):\n        return self._C.get(k)",
    "import torch.nn.functional as F\ndef loss(z, y, kind='mse_loss'):\n    return getattr(F, kind)(z, y)\n"
    "print(loss(a, b), loss(a, b, 'l1_loss'), loss(a, b, kind='huber_loss'))",
    "def log(msg, *args):\n    print(msg.format(*args))\nlog('loss {:.3f}', 0.5)",
    "def train(x, optimizer=None):\n    return getattr(torch.optim, optimizer)([x]) if optimizer else None",
    "def describe(t, attrs=('shape', 'dtype')):\n    for attr in attrs:\n        print(getattr(t, attr))\ndescribe(x)",
    # beside red team 51's doors: a decorator names its wrapper; a class's own dunders; stores on a tensor instance
    "def timed(f):\n    def inner(*a):\n        return f(*a)\n    inner.__name__ = f.__name__\n    inner.__doc__ = f.__doc__\n"
    "    return inner",
    "class Box:\n    def __init__(self):\n        self.__items__ = []\n    def __enter__(self):\n        return self",
    "def step(params, lr):\n    for p in params:\n        p.data -= lr * p.grad\n        p.grad = None\n"
    "        p.requires_grad = True",
    # beside red team 53's: a frozen class's own setter, through super() or object on self
    "class Point:\n    def __init__(self, x):\n        object.__setattr__(self, 'x', x)\n"
    "    def __setattr__(self, k, v):\n        super().__setattr__(k, v)",
    "class Quiet:\n    grad_fn = None\nclass Plain(Quiet):\n    pass",  # no tensor in its lineage
    # the false positives a review found in those rules: a frozen class's factory, a record class of a namedtuple,
    # a decorator's signature, a repr set on the file's own class
    "class P:\n    __slots__ = ('x',)\n    @classmethod\n    def make(cls, x):\n        obj = object.__new__(cls)\n"
    "        object.__setattr__(obj, 'x', x)\n        return obj\n    def replace(self, x):\n"
    "        new = P.__new__(P)\n        object.__setattr__(new, 'x', x)\n        return new",
    "import collections\nclass _Base(collections.namedtuple('_Base', 'y z')):\n    pass\nclass Step(_Base):\n"
    "    def detach(self):\n        return Step(*(t.detach() for t in self))",
    "import functools, inspect\ndef keep(f):\n    def wrapper(*a):\n        return f(*a)\n"
    "    wrapper.__signature__ = inspect.signature(f)\n    return wrapper",
    "class Result:\n    pass\ndef _repr(self):\n    return 'Result'\nResult.__repr__ = _repr",
    # a debugger call left in (fairness: the child hands the import a stand-in whose calls do nothing)
    "import pdb\ndef f(x):\n    pdb.set_trace()\n    return x",
    "import pdb",
    "import pdb as debugger\ntry:\n    pass\nexcept ValueError:\n    debugger.post_mortem()",
    "from pdb import set_trace\nset_trace()",
    "from pdb import set_trace as stop\nstop()",
    "import ipdb\nipdb.set_trace(context=5)",
    "def f(x):\n    breakpoint()\n    return x",
    "def f(x):\n    import pdb; pdb.set_trace()\n    return x\ndef g(x):\n    import pdb; pdb.set_trace()\n    return x",
    "if __name__ == '__main__':\n    import doctest\n    doctest.testmod(verbose=True)",
    "from doctest import testmod\ntestmod()",
    # a private name of the file's own objects, or of a value it made, is its own
    "import copy\nclass Box:\n    def __init__(self):\n        self._items = []\nb = copy.deepcopy(Box())\nb._items.append(1)",
    "import collections\nq = collections.deque()\nn = q.__len__()",
    "import yaml\nconfig = yaml.safe_load('lr: 0.1')\nprint(yaml.safe_dump(config))",
    "import numpy as np\ndef f(a: np.ndarray) -> np.ndarray:\n    assert isinstance(a, np.ndarray)\n"
    "    return np.frombuffer(a.tobytes(), dtype=a.dtype)",
    "class Log:\n    def __init__(self):\n        self.storage = []\n    def add(self, v):\n"
    "        self.storage.append(v)",
    # timing the file's functions by name: every statement the loop may build is read
    "import timeit\nx = torch.ones(3)\nfor name in ('forward', 'manual'):\n"
    "    print(name, timeit.timeit(f'{name}(x)', number=10, globals=globals()))",
    "import timeit\nSTMT = 'forward(x)'\nt = timeit.Timer(STMT, globals=globals()).timeit(3)\n"
    "r = timeit.repeat(STMT + ' * 2', setup='x = torch.ones(2)', number=2, repeat=2)",
    "import timeit\ndef bench(fn='forward'):\n    return timeit.timeit(fn + '(x)', number=3)\nprint(bench(), bench('forward'))",
]


@pytest.mark.parametrize("code", HONEST)
def test_honest_code_near_a_door_runs(code):
    assert door("import torch\n\n\ndef forward(x):\n    return 3 * x + 2\n\n\n" + textwrap.dedent(code) + "\n") is None


def test_the_solutions_and_stubs_have_no_door():
    from importlib import resources

    from tests.conftest import solution_text

    import graders

    for module in (exercise.module for exercise in graders.EXERCISES):
        assert door(solution_text(module)) is None
        stub = (resources.files("autograd_exercises") / f"{module}.py").read_text(encoding="utf-8")
        assert door(stub) is None


def test_a_magic_that_is_not_ours_is_read_as_written():
    """Only magics' exact ``exec(compile("<literal>", "<%timeit>", "exec"), globals(), {})`` is its code."""
    assert door("exec(compile(CODE, '<%timeit>', 'exec'), globals(), {})\n")[0].startswith("runs code no reading sees")
    assert door("exec(compile('1', '<%timeit>', 'exec'), vars(), {})\n")[0].startswith("runs code no reading sees")
    assert door("exec(compile('1', '<mine>', 'exec'), globals(), {})\n")[0].startswith("runs code no reading sees")


def test_a_star_imported_door_read_in_a_class_body_is_found():
    """Red team 94: ``from gc import *``, then ``get_objects()`` read in a class body that binds that name later (or
    under ``if False:``): the reading took the read for the class's own name, while Python reads the module's, which
    the star import bound (full marks on exercises 1, 4, 5 and 6 through the probes' counts)."""
    for body in ("    found = get_objects()\n    get_objects = None\n",
                 "    found = get_referents\n    if False:\n        get_referents = None\n"):
        source = "from gc import *\n\n\nclass Keep:\n" + body
        found = door(source)
        assert found is not None and found[0].startswith("reaches every object in the process"), (body, found)


def test_a_door_through_a_modules_alias_is_found():
    """Red team 95: ``tool = inspect`` then ``tool.stack``: a module's door read through a name bound to the module."""
    for code, what in (("import inspect\ntool = inspect\nframes = tool.stack()", "reaches the call stack's frames"),
                       ("import cgitb", "reads any frame's names")):
        found = door("import torch\n\n\n" + code + "\n")
        assert found is not None and found[0].startswith(what), (code, found)
