"""judge/static.py: autograd use in a by-hand function, read from small sources (no sandbox, no torch run)."""

from __future__ import annotations

import json
import textwrap

import pytest

from autograd_exercises.judge.static import DIFFERENTIATES, DYNAMIC, TRACKS, autograd_use, feedback
from tests.conftest import solution_text


def found(source: str, function: str = "manual") -> list[tuple[str, int, str]]:
    """Each finding described, less why a class's every method is read where that is said (static._why_read)."""
    findings = autograd_use(textwrap.dedent(source), function)
    return [(f.describe(lambda line: f"line {line}").split(" (every method of ")[0], f.line, f.function)
            for f in findings]


def whats(source: str, function: str = "manual") -> list[str]:
    return [what for what, _, _ in found(source, function)]


# Two hand-written layers (classes with their own backward), for the cases below.
LAYERS_SRC = "class Scale:\n    def backward(self, g):\n        return 3 * g\nclass Mean:\n    def backward(self, g):\n        return g / 2\n"

# Each way of asking autograd, alone in a by-hand function: (source, what the reading says)
USES = {
    "backward": ("def manual(x):\n    f(x).backward()\n", "calls .backward()"),
    "backward_unbound": ("def manual(x):\n    go = f(x).backward\n    go()\n", "calls .backward()"),
    "tensor_backward": ("import torch\ndef manual(x):\n    torch.Tensor.backward(f(x))\n", "calls .backward()"),
    "autograd_grad": ("import torch\ndef manual(x):\n    return torch.autograd.grad(f(x), x)\n", "uses torch.autograd"),
    "grad_fn": ("def manual(x):\n    return f(x).grad_fn(1.0)\n", "walks autograd's graph through grad_fn"),
    "next_functions": ("def manual(node):\n    return node.next_functions\n",
                       "walks autograd's graph through next_functions"),
    "jacobian_imported": ("from torch.autograd.functional import jacobian\ndef manual(x):\n    return jacobian(f, x)\n",
                          "uses torch.autograd.functional.jacobian (imported as jacobian at line 1)"),
    "hessian": ("def manual(x):\n    return F.hessian(f, x)\n", "asks torch for a hessian"),
    # red team 81: a computer-algebra system differentiates the file's own forward
    "sympy_diff": ("import sympy\ndef manual(x):\n    s = sympy.Symbol('s')\n    return sympy.lambdify(s, sympy.diff(f(s), s))(x)\n",
                   "uses sympy, a library that differentiates (sympy) (imported as sympy at line 1)"),
    "mpmath_diff": ("import mpmath\ndef manual(x):\n    return x.apply_(lambda v: float(mpmath.diff(f, v)))\n",
                    "uses mpmath, a library that differentiates (mpmath) (imported as mpmath at line 1)"),
    "sympy_diff_imported_inside": ("def manual(x):\n    from sympy import diff, Symbol\n    return diff(f(Symbol('s')))\n",
                                   "imports sympy.diff, a library that differentiates (sympy)"),
    "numpy_polynomial_deriv": ("import numpy as np\ndef manual(x):\n    p = np.polynomial.Polynomial([1, 5, 3, 1, 2])\n"
                               "    return torch.as_tensor(p.deriv()(x.numpy()))\n",
                               "differentiates a polynomial for it (numpy's deriv)"),
    "numpy_polyder": ("import numpy as np\ndef manual(x):\n    return np.polyval(np.polyder([2, 1, 3, 5, 1]), x)\n",
                      "differentiates a polynomial for it (numpy.polyder)"),
    # red team 111: the derivatives of numpy's orthogonal series (a Chebyshev fit of the forward, differentiated)
    "numpy_chebder": ("import numpy.polynomial.chebyshev as C\ndef manual(x):\n    c = C.chebfit(x, f(x), 4)\n"
                      "    return C.chebval(x, C.chebder(c))\n",
                      "differentiates a series for it (numpy.polynomial's chebder)"),
    "numpy_legder_imported": ("from numpy.polynomial.legendre import legder, legval\ndef manual(x):\n"
                              "    return legval(x, legder([1, 2, 3]))\n",
                              "uses numpy.polynomial.legendre.legder (imported as legder at line 1)"),
    # red team 219: autograd's convolution_backward kernel behind torch.nn.grad, and scipy's numerical derivative
    "nn_grad_kernel": ("import torch\ndef manual(x, d):\n"
                       "    return torch.nn.grad.conv1d_weight(x.unsqueeze(-1), (3, 4, 1), d.unsqueeze(-1))\n",
                       "uses torch.nn.grad (autograd's own derivative kernels)"),
    "nn_grad_through_nn": ("from torch import nn\ndef manual(x, d):\n    return nn.grad.conv1d_input((5, 4, 1), x, d)\n",
                           "uses torch.nn.grad (autograd's own derivative kernels)"),
    "nn_grad_imported": ("from torch.nn.grad import conv1d_weight\ndef manual(x, d):\n"
                         "    return conv1d_weight(x, (3, 4, 1), d)\n",
                         "uses torch.nn.grad.conv1d_weight (imported as conv1d_weight at line 1)"),
    "nn_grad_through_functional": ("import torch.nn.functional as F\ndef manual(x, d):\n"
                                   "    return F.grad.conv1d_weight(x, (3, 4, 1), d)\n",
                                   "uses conv1d_weight, one of autograd's own derivative kernels"),
    "nn_grad_from_functional": ("from torch.nn.functional import grad as kernels\ndef manual(x, d):\n"
                                "    return kernels.conv2d_input((1, 1, 3, 3), x, d)\n",
                                "uses conv2d_input, one of autograd's own derivative kernels"),
    "linear_backward_weights": ("import torch as T\ndef manual(x, d, w):\n"
                                "    return T.mkldnn_linear_backward_weights(d.to_mkldnn(), x.to_mkldnn(), w, True)\n",
                                "uses mkldnn_linear_backward_weights, one of autograd's own derivative kernels"),
    # red team 221: a name bound to torch's module is not the file's own, however bound; nor a transform's derivative
    "kernel_module_aliased_beside_an_own_attribute": (
        "import torch\nnn = torch.nn\nclass Record:\n    conv1d_weight = None\ndef manual(x, d):\n"
        "    return nn.grad.conv1d_weight(x, (3, 4, 1), d)\n",
        "uses conv1d_weight, one of autograd's own derivative kernels"),
    "kernel_module_aliased_in_the_function": (
        "import torch\nclass Record:\n    def __init__(self):\n        self.conv1d_weight = None\n"
        "def manual(x, d):\n    nn = torch.nn\n    return nn.grad.conv1d_weight(x, (3, 4, 1), d)\n",
        "uses conv1d_weight, one of autograd's own derivative kernels"),
    "kernel_module_as_a_default": (
        "import torch\ndef manual(x, d, nn=torch.nn):\n    kernels = getattr(nn, 'grad')\n"
        "    return kernels(x)\n", "uses torch.nn.grad (autograd's own derivative kernels)"),
    "kernel_module_through_getattr": (
        "import torch\nnn = getattr(torch, 'nn')\ndef manual(x, d):\n    return nn.grad\n",
        "uses torch.nn.grad (autograd's own derivative kernels)"),
    "kernel_module_stored_on_self": (
        "import torch\nclass Box:\n    def __init__(self):\n        self.nn = torch.nn\n"
        "    def conv1d_weight(self):\n        return 0\ndef manual(x, d):\n"
        "    return Box().nn.grad.conv1d_weight(x, (3, 4, 1), d)\n",
        "uses conv1d_weight, one of autograd's own derivative kernels"),
    # the review's own attack: the file's own function, lambda or method hands torch's module back
    "kernel_module_returned_by_an_own_function": (
        "import torch\nclass Record:\n    conv1d_weight = None\ndef kernels():\n    found = torch.nn\n    return found\n"
        "def manual(x, d):\n    return kernels().grad.conv1d_weight(x, (3, 4, 1), d)\n",
        "uses conv1d_weight, one of autograd's own derivative kernels"),
    "kernel_module_returned_by_a_lambda": (
        "import torch\nclass Record:\n    conv1d_weight = None\nkernels = lambda: torch.nn\n"
        "def manual(x, d):\n    return kernels().grad.conv1d_weight(x, (3, 4, 1), d)\n",
        "uses conv1d_weight, one of autograd's own derivative kernels"),
    "kernel_module_returned_by_a_method": (
        "import torch\nclass Record:\n    conv1d_weight = None\n    def kernels(self):\n        return torch.nn\n"
        "def manual(x, d):\n    return Record().kernels().grad.conv1d_weight(x, (3, 4, 1), d)\n",
        "uses conv1d_weight, one of autograd's own derivative kernels"),
    "a_transforms_log_abs_det_jacobian": (
        "import torch\nfrom torch.distributions import transforms as T\ndef manual(x):\n"
        "    chain = T.ComposeTransform([T.AffineTransform(2.0, 3.0), T.PowerTransform(2.0)])\n"
        "    return chain.log_abs_det_jacobian(x, chain(x)).exp()\n",
        "asks torch.distributions for a derivative (log_abs_det_jacobian)"),
    "scipy_differentiate": ("from scipy import differentiate\ndef manual(x):\n"
                            "    return differentiate.derivative(f, x).df\n",
                            "uses scipy.differentiate (imported as differentiate at line 1)"),
    # red team 83: torch.func reached through whatever holds torch
    "torch_func_under_a_subscript": ("def manual(x, space):\n    return space['torch'].func.grad(f)(x)\n", "uses torch.func"),
    "jax_grad": ("import jax\ndef manual(x):\n    return jax.grad(f)(x)\n", "uses jax, a library that differentiates (jax) (imported as jax at line 1)"),
    "torch_func_aliased": ("import torch as T\ndef manual(x):\n    return T.func.grad(f)(x)\n", "uses torch.func"),
    "torch_func_vmap_of_grad": ("import torch\ndef manual(x):\n    return torch.func.vmap(torch.func.grad(f))(x)\n",
                                "uses torch.func"),
    "torch_func_imported": ("from torch.func import grad\ndef manual(x):\n    return grad(f)(x)\n",
                            "uses torch.func.grad (imported as grad at line 1)"),
    # red team 32: code from a string, or TorchScript (its autograd runs in C++: no count sees it)
    "benchmark_timer": ("import torch.utils.benchmark as bench\ndef manual(x):\n    box = {'x': x, 'r': []}\n"
                        "    bench.Timer(stmt=STEPS, globals=box).timeit(1)\n    return box['r'][0]\n",
                        "runs code from a string (torch.utils.benchmark)"),
    "timeit_string": ("import timeit\ndef manual(x):\n    timeit.timeit(CODE, globals={'x': x}, number=1)\n",
                      "runs code from a string (timeit)"),
    "jit_compilation_unit": ("import torch\nUNIT = torch.jit.CompilationUnit(SOURCE)\ndef manual(x):\n"
                             "    return UNIT.slope(x)\n", "runs TorchScript (torch.jit.CompilationUnit)"),
    "jit_load": ("import io\nimport torch\nMODEL = torch.jit.load(io.BytesIO(BLOB))\ndef manual(x):\n"
                 "    return MODEL(x)\n", "runs TorchScript (torch.jit.load)"),
    # red team 34: a %%timeit cell (magics' exec form) defines f in its own namespace and stores it into the module's
    # dict, which the by-hand function calls
    "stored_from_timeit_code": ("impl = {}\ndef manual(x):\n    return impl['f'](x)\n"
                                "exec(compile(\"def f(x):\\n    return x.grad_fn.next_functions\\nimpl['f'] = f\\n\", "
                                "'<%%timeit>', 'exec'), globals(), {})\n", "walks autograd's graph through next_functions"),
    "keywords_changed_through_an_alias": ("import torch\ndef manual(x, **kwargs):\n    kept = kwargs\n"
                                          "    kept['requires_grad'] = True\n    return torch.ones(3, **kwargs)\n",
                                          "may ask for gradients (keywords unpacked with **)"),
    "keywords_set_then_forwarded": ("import torch\ndef manual(x, **kwargs):\n    kwargs['requires_grad'] = True\n"
                                    "    return torch.ones(3, **kwargs)\n", "may ask for gradients (keywords unpacked with **)"),
    "functorch": ("import functorch\ndef manual(x):\n    return functorch.grad(f)(x)\n",
                  "uses functorch (imported as functorch at line 1)"),
    "forward_ad_local_import": ("def manual(x):\n    import torch.autograd.forward_ad as fw\n    return fw\n",
                                "imports torch.autograd.forward_ad"),
    "enable_grad": ("import torch\ndef manual(x):\n    with torch.enable_grad():\n        return x\n",
                    "turns gradient tracking on (torch.enable_grad)"),
    "set_grad_enabled": ("import torch\ndef manual(x):\n    torch.set_grad_enabled(True)\n",
                         "turns gradient tracking on (torch.set_grad_enabled)"),
    "requires_grad_method": ("def manual(x):\n    return x.requires_grad_()\n", "asks for gradients (requires_grad_())"),
    "requires_grad_keyword": ("import torch\ndef manual(x):\n    return torch.tensor(1.0, requires_grad=True)\n",
                              "asks for gradients (requires_grad=True)"),
    "requires_grad_assigned": ("def manual(x):\n    x.requires_grad = True\n", "asks for gradients (requires_grad = True)"),
    "getattr_computed": ("import torch\ndef manual(x):\n    return getattr(torch, 'auto' + 'grad')\n",
                         "uses getattr with a computed name"),
    "getattr_literal": ("def manual(x):\n    getattr(f(x), 'backward')()\n", "calls .backward()"),
    "setattr_computed": ("import torch\ndef manual(x, n):\n    setattr(torch, n, None)\n", "uses setattr with a computed name"),
    "methodcaller_literal": ("import operator\ndef manual(x):\n    operator.methodcaller('backward')(x)\n",
                            "calls .backward()"),
    "dunder_import": ("def manual(x):\n    return __import__('tor' + 'ch')\n", "imports by name (__import__)"),
    "importlib": ("import importlib\ndef manual(x):\n    return importlib.import_module('torch')\n",
                  "uses importlib (imported as importlib at line 1)"),
    "eval": ("def manual(x):\n    return eval('x')\n", "calls eval"),
    "exec": ("def manual(x):\n    exec('y = x')\n", "calls exec"),
    "compile": ("def manual(x):\n    return compile('x', 'f', 'eval')\n", "compiles code (compile)"),
    "globals_subscript": ("def manual(x):\n    return globals()['g' + 'rad'](x)\n", "reads globals() by name"),
    "vars_subscript": ("import torch\ndef manual(x):\n    return vars(torch)['auto' + 'grad']\n", "reads vars() by name"),
    "locals_get": ("def manual(x):\n    return locals().get('x')\n", "reads locals() by name"),
    "dunder_dict": ("import torch\ndef manual(x):\n    return torch.__dict__\n", "reads __dict__"),
    "dunder_builtins": ("def manual(x):\n    return __builtins__\n", "reads __builtins__"),
    "sys_modules": ("import sys\ndef manual(x):\n    return sys.modules['torch']\n", "reads sys.modules"),
    "sys_modules_imported": ("from sys import modules\ndef manual(x):\n    return modules\n",
                             "uses sys.modules (imported as modules at line 1)"),
    # a method put on torch's classes: the by-hand function reaches it through a tensor, never by name
    "tensor_method_patched": ("import torch\ndef _slope(t):\n    t.sum().backward()\n"
                              "torch.Tensor.slope = _slope\ndef manual(x):\n    return x.slope()\n",
                              "calls .backward()"),
    "tensor_method_setattr": ("import torch as T\nsetattr(T.Tensor, 'slope', lambda t: T.autograd.grad(t, t))\n"
                              "def manual(x):\n    return x.slope()\n", "uses torch.autograd"),
    "class_patched_inside_a_function": ("def setup(x):\n    x.__class__.d = lambda t: t.grad_fn\nsetup(1)\n"
                                        "def manual(x):\n    return x.d()\n",
                                        "walks autograd's graph through grad_fn"),
    # the by-hand name bound to other code than the def the reader reads
    "rebound_through_globals": ("def manual(x):\n    return 2 * x\ndef helper(x):\n    x.backward()\n"
                                "globals().update(manual=helper)\n", "may be rebound through globals().update"),
    "rebound_through_vars_item": ("def manual(x):\n    return 2 * x\nvars().__setitem__('manual', len)\n",
                                  "may be rebound through vars().__setitem__"),
    "module_getattr": ("def __getattr__(name):\n    return lambda x: x\n", "may come from the module's __getattr__"),
    "imported_from_elsewhere": ("from helpers import manual\n", "is imported from helpers.manual, not written in the file"),
    "bound_by_a_for_loop": ("def manual(x):\n    return 2 * x\nfor manual in [len]:\n    pass\n",
                            "is bound again by a for loop"),
    "bound_through_global": ("def manual(x):\n    return 2 * x\ndef setup():\n    global manual\n"
                             "    manual = len\nsetup()\n", "is bound again by a statement inside a function (global)"),
    "defined_through_global": ("def manual(x):\n    return 2 * x\ndef setup():\n    global manual\n"
                               "    def manual(x):\n        return x\n",
                               "is defined again inside a function (global)"),
    "timeit_that_declares_a_global": ("def manual(x):\n    return 2 * x\nexec(compile('global manual\\nmanual = len', "
                                      "'<%%timeit>', 'exec'), globals(), {})\n", "may be bound through global in %timeit"),
    "timeit_that_swaps_the_code": ("def manual(x):\n    return 2 * x\nexec(compile('manual.__code__ = len.__code__', "
                                   "'<%timeit>', 'exec'), globals(), {})\n", "may be given other code (__code__)"),
    "code_swapped_in_a_helper": ("def manual(x):\n    return 2 * x\ndef cheat(x):\n    x.backward()\n"
                                 "def setup():\n    manual.__code__ = cheat.__code__\nsetup()\n",
                                 "may be given other code (__code__)"),
    "global_in_a_class_body": ("def manual(x):\n    return 2 * x\nclass Config:\n    global manual\n"
                               "    manual = len\n", "is bound again by a statement inside a function (global)"),
    "set_on_the_module_object": ("import sys\ndef manual(x):\n    return 2 * x\n"
                                 "sys.modules[__name__].manual = len\n", "is set as an attribute"),
    "setattr_on_the_module_object": ("import sys\ndef manual(x):\n    return 2 * x\n"
                                     "setattr(sys.modules[__name__], 'manual', len)\n", "is set as an attribute"),
    "grader_package_imported": ("import autograd_exercises.probes.exercise_2 as p\ndef manual(x):\n    return 2 * x\n",
                                "imports the grader's own package (autograd_exercises), whose probes call it"),
    "backward_of_a_layer_rebound_to_a_tensor": ("class Affine:\n    def backward(self, g):\n        return g\n"
                                                "def manual(x):\n    layer = Affine()\n    layer = x * 2\n"
                                                "    return layer.backward()\n", "calls .backward()"),
    "own_layer_patched_afterwards": ("class L:\n    def backward(self, g):\n        return g\n"
                                     "L.backward = lambda self, t: t.backward()\n"
                                     "def manual(x):\n    layer = L()\n    return layer.backward(x)\n",
                                     "calls .backward()"),
    "backward_of_an_unknown_object": ("def manual(x, layer):\n    return layer.backward(x)\n", "calls .backward()"),
    "patched_through_an_alias": ("import torch\nT = torch.Tensor\ndef _slope(t):\n    t.sum().backward()\n"
                                 "T.slope = _slope\ndef manual(x):\n    return x.slope()\n", "calls .backward()"),
    "patched_through_type": ("import torch\ndef _slope(t):\n    t.sum().backward()\n"
                             "type(torch.zeros(1)).slope = _slope\ndef manual(x):\n    return x.slope()\n",
                             "calls .backward()"),
    "exec_anywhere": ("def manual(x):\n    return 2 * x\nexec('def manual(x): return x')\n",
                      "may be rebound through exec"),
    "importlib_anywhere": ("import importlib as il\ndef manual(x):\n    return 2 * x\nil.import_module('m')\n",
                           "may be rebound through il.import_module"),
    "patched_in_a_tuple": ("import torch\ndef helper(t):\n    t.backward()\n"
                           "torch.Tensor.a, torch.Tensor.b = helper, None\ndef manual(x):\n    return x.a()\n",
                           "calls .backward()"),
    # lookups under other names (red team: each gave the by-hand point to autograd code)
    "getattr_passed_around": ("_look = getattr\ndef manual(x):\n    return _look(x, 'back' + 'ward')()\n",
                              "passes getattr around (a lookup no reading can follow)"),
    "getattr_static_computed": ("import inspect, torch\ndef manual(x):\n"
                                "    return inspect.getattr_static(torch.Tensor, 'back' + 'ward')(x)\n",
                                "uses getattr_static with a computed name"),
    "getattr_static_literal": ("import inspect, torch\ndef manual(x):\n"
                               "    return inspect.getattr_static(torch.Tensor, 'backward')(x)\n", "calls .backward()"),
    "resolve_name": ("import pkgutil\ndef manual(x):\n    return pkgutil.resolve_name('torch.autograd:grad')(x, x)\n",
                     "looks an object up by name (pkgutil.resolve_name)"),
    "getattribute_computed": ("def manual(x):\n    return object.__getattribute__(x, 'back' + 'ward')()\n",
                              "uses __getattribute__ with a computed name"),
    # code put into a module-level object, then taken out of it by the by-hand function
    "stored_through_update": ("def _cheat(t):\n    t.sum().backward()\nTOOLS = {}\nTOOLS.update(slope=_cheat)\n"
                              "def manual(x):\n    return TOOLS['slope'](x)\n", "calls .backward()"),
    "stored_inside_a_function": ("def _cheat(t):\n    t.sum().backward()\nTOOLS = [[]]\ndef setup():\n"
                                 "    TOOLS[0].append(_cheat)\nsetup()\ndef manual(x):\n    return TOOLS[0][0](x)\n",
                                 "calls .backward()"),
    "stored_from_a_local_definition": ("TOOLS = []\ndef setup():\n    def cheat(t):\n        t.sum().backward()\n"
                                       "    slope = lambda t: t.grad_fn\n    TOOLS.append(cheat)\n"
                                       "    TOOLS.extend([slope])\nsetup()\ndef manual(x):\n    return TOOLS[0](x)\n",
                                       "calls .backward()"),
    "stored_by_augmented_assignment": ("def _cheat(t):\n    t.sum().backward()\nTOOLS = []\nTOOLS += [_cheat]\n"
                                       "def manual(x):\n    return TOOLS[0](x)\n", "calls .backward()"),
    "stored_in_a_literal_container": ("def _cheat(t):\n    t.sum().backward()\nTOOLS = {}\n"
                                      "TOOLS.update({'s': (len, _cheat)})\ndef manual(x):\n    return TOOLS['s'][1](x)\n",
                                      "calls .backward()"),
    "stored_by_subscript_in_a_function": ("def _cheat(t):\n    t.sum().backward()\nTOOLS = {}\ndef setup():\n"
                                          "    TOOLS['s'] = _cheat\nsetup()\ndef manual(x):\n    return TOOLS['s'](x)\n",
                                          "calls .backward()"),
    "stored_through_the_types_method": ("def _cheat(t):\n    t.sum().backward()\nTOOLS = []\n"
                                        "list.append(TOOLS, _cheat)\ndef manual(x):\n    return TOOLS[0](x)\n",
                                        "calls .backward()"),
    "stored_through_dict_update_of_the_type": ("def _cheat(t):\n    t.sum().backward()\nTOOLS = {}\n"
                                               "dict.update(TOOLS, s=_cheat)\ndef manual(x):\n    return TOOLS['s'](x)\n",
                                               "calls .backward()"),
    "stored_by_a_method_passed_to_map": ("def _cheat(t):\n    t.sum().backward()\nTOOLS = []\n"
                                         "list(map(TOOLS.append, [_cheat]))\ndef manual(x):\n    return TOOLS[0](x)\n",
                                         "calls .backward()"),
    "stored_through_a_local_alias": ("def _cheat(t):\n    t.sum().backward()\nTOOLS = [{}]\ndef setup():\n"
                                     "    t = TOOLS[0]\n    u = t\n    u['s'] = _cheat\nsetup()\n"
                                     "def manual(x):\n    return TOOLS[0]['s'](x)\n", "calls .backward()"),
    "stored_by_a_registering_decorator": ("TOOLS = []\ndef register(fn):\n    TOOLS.append(fn)\n    return fn\n"
                                          "@register\ndef _cheat(t):\n    t.sum().backward()\n"
                                          "def manual(x):\n    return TOOLS[0](x)\n", "calls .backward()"),
    "stored_by_a_registering_call": ("TOOLS = {}\ndef register(name, fn):\n    TOOLS[name] = fn\n"
                                     "def _cheat(t):\n    t.sum().backward()\nregister('s', _cheat)\n"
                                     "def manual(x):\n    return TOOLS['s'](x)\n", "calls .backward()"),
    "the_argument_itself_beside_a_layer_class": (LAYERS_SRC + "def manual(x):\n    x.sum().backward()\n"
                                                 "    x.backward(x)\n", "calls .backward()"),
    "layers_attribute_holding_a_tensor": (LAYERS_SRC + "class Net:\n    def __init__(self, x):\n"
                                          "        self.layers = [Scale(), x.sum()]\n    def grad(self):\n"
                                          "        for layer in self.layers:\n            layer.backward()\n"
                                          "def manual(x):\n    return Net(x).grad()\n", "calls .backward()"),
    "layer_dict_given_a_tensor": (LAYERS_SRC + "def manual(x):\n    layers = {'a': Scale(), 'b': x.sum()}\n"
                                  "    for layer in layers.values():\n        layer.backward()\n", "calls .backward()"),
    # red team round 7: each gave the by-hand point to autograd code
    "patched_through_type_setattr": ("import torch\ndef _slope(t):\n    t.sum().backward()\n"
                                     "type.__setattr__(torch.Tensor, 'slope', _slope)\ndef manual(x):\n"
                                     "    return x.slope()\n", "calls .backward()"),
    "real_grad_out_of_a_closure": ("import torch\ndef manual(x):\n    real = torch.grad.__closure__[0].cell_contents\n"
                                   "    return real(x.sum(), x)\n", "reads a function's closure (__closure__)"),
    "real_grad_out_of_the_garbage_collector": ("import gc, torch\ndef manual(x):\n"
                                               "    cell = gc.get_referents(torch.autograd.grad.__code__)[0]\n"
                                               "    return cell\n",
                                               "reaches objects through the garbage collector (gc.get_referents)"),
    "attributes_listed_by_name": ("import inspect\ndef manual(x):\n    return dict(inspect.getmembers(type(x)))['gr' + "
                                  "'ad_fn'].__get__(x)\n", "looks attributes up by name (inspect.getmembers)"),
    "a_parameter_made_inside": ("import torch\ndef manual(x):\n    p = torch.nn.Parameter(x.detach().clone())\n"
                                "    return p * 2\n", "makes an nn.Parameter (it requires gradients)"),
    "a_torch_function_mode_at_import": ("import torch\nfrom torch.overrides import TorchFunctionMode\n"
                                        "class _Mode(TorchFunctionMode):\n"
                                        "    def __torch_function__(self, func, types, args=(), kwargs=None):\n"
                                        "        return torch.autograd.grad(args[0].sum(), args[0])[0]\n"
                                        "_Mode().__enter__()\ndef manual(x):\n    return x.sinc()\n",
                                        "uses torch.autograd"),
    # .backward on what only looks like a hand-written layer
    "layer_list_given_a_tensor": (LAYERS_SRC + "def manual(x):\n    layers = [Scale(), Mean()]\n"
                                  "    layers.append(x.sum())\n    for layer in layers:\n        layer.backward()\n",
                                  "calls .backward()"),
    "layer_loop_over_a_tensor_too": (LAYERS_SRC + "def manual(x):\n    for layer in [Scale(), x.sum()]:\n"
                                     "        layer.backward()\n", "calls .backward()"),
    "layer_attribute_set_to_a_tensor_elsewhere": (LAYERS_SRC + "class Net:\n    def __init__(self):\n"
                                                  "        self.first = Scale()\n    def grad(self, x):\n"
                                                  "        return self.first.backward(x)\nnet = Net()\n"
                                                  "setattr(net, 'first', T.ones(1).sum())\ndef manual(x):\n"
                                                  "    return net.grad(x)\n",
                                                  "calls .backward()"),
    "layer_rebound_by_walrus": (LAYERS_SRC + "def manual(x):\n    layer = Scale()\n    (layer := x.sum())\n"
                                "    return layer.backward()\n", "calls .backward()"),
    # a %%timeit cell (as magics writes it) that defines a method and puts it on torch's classes
    "timeit_that_patches_a_class": ("import torch\nexec(compile('def _s(t):\\n    t.sum().backward()\\n"
                                    "torch.Tensor.slope = _s', '<%%timeit>', 'exec'), globals(), {})\n"
                                    "def manual(x):\n    return x.slope()\n", "calls .backward()"),

    # a helper the by-hand function calls, bound again to autograd by what the file's other statements bind
    "helper_rebound_by_a_for_loop": ("def helper(x):\n    return 2 * x\nfor helper in [lambda t: t.sum().backward()]:\n    pass\n"
                                     "def manual(x):\n    return helper(x)\n", "calls .backward()"),
    "helper_rebound_by_a_for_loop_over_names": ("def helper(x):\n    return 2 * x\ndef auto(t):\n    t.sum().backward()\n"
                                                "for helper in (auto,):\n    pass\ndef manual(x):\n    return helper(x)\n",
                                                "calls .backward()"),
    "helper_rebound_by_walrus": ("def helper(x):\n    return 2 * x\n(helper := lambda t: t.sum().backward())\ndef manual(x):\n    return helper(x)\n",
                                 "calls .backward()"),
    "helper_rebound_by_walrus_in_a_comprehension": ("def helper(x):\n    return 2 * x\n[(helper := lambda t: t.sum().backward()) for _ in [0]]\n"
                                                    "def manual(x):\n    return helper(x)\n", "calls .backward()"),
    "helper_rebound_by_walrus_in_a_default": ("def helper(x):\n    return 2 * x\ndef other(g=(helper := lambda t: t.sum().backward())):\n    return g\n"
                                              "def manual(x):\n    return helper(x)\n", "calls .backward()"),
    "helper_rebound_by_match": ("def helper(x):\n    return 2 * x\nmatch lambda t: t.sum().backward():\n    case helper:\n        pass\n"
                                "def manual(x):\n    return helper(x)\n", "calls .backward()"),
    "helper_rebound_by_with": ("import contextlib\ndef helper(x):\n    return 2 * x\nwith contextlib.nullcontext(lambda t: t.sum().backward()) as helper:\n    pass\n"
                               "def manual(x):\n    return helper(x)\n", "calls .backward()"),
    "helper_rebound_by_except": ("def helper(x):\n    return 2 * x\nclass Boom(Exception):\n    def __call__(self, t):\n        t.sum().backward()\n"
                                 "try:\n    raise Boom()\nexcept Boom as helper:\n    pass\n"
                                 "def manual(x):\n    return helper(x)\n", "calls .backward()"),
    "helper_rebound_by_global_in_a_function": ("def helper(x):\n    return 2 * x\ndef setup():\n    global helper\n    helper = lambda t: t.sum().backward()\nsetup()\n"
                                               "def manual(x):\n    return helper(x)\n", "calls .backward()"),
    "helper_redefined_by_global_in_a_function": ("def helper(x):\n    return 2 * x\ndef setup():\n    global helper\n    def helper(t):\n"
                                                 "        t.sum().backward()\nsetup()\n"
                                                 "def manual(x):\n    return helper(x)\n", "calls .backward()"),
    "helper_imported_by_global_in_a_function": ("def helper(x):\n    return 2 * x\ndef setup():\n    global helper\n"
                                                "    from torch.autograd import grad as helper\nsetup()\n"
                                                "def manual(x):\n    return helper(x)\n",
                                                "uses torch.autograd.grad (imported as helper at line 5)"),
    "helper_rebound_by_a_for_loop_in_a_function": ("def helper(x):\n    return 2 * x\ndef setup():\n    global helper\n"
                                                   "    for helper in [lambda t: t.sum().backward()]:\n        pass\nsetup()\n"
                                                   "def manual(x):\n    return helper(x)\n", "calls .backward()"),
    "helper_only_bound_by_a_for_loop": ("for helper in [lambda t: t.sum().backward()]:\n    pass\n"
                                        "def manual(x):\n    return helper(x)\n", "calls .backward()"),
    # red team, round 9: a default or a decorator is evaluated outside the function, whatever its parameters
    "helper_as_a_default_argument": ("def helper(t):\n    t.sum().backward()\ndef manual(x, helper=helper):\n    return helper(x)\n", "calls .backward()"),
    "helper_as_a_lambda_default": ("def helper(t):\n    t.sum().backward()\nmanual = lambda x, helper=helper: helper(x)\n", "calls .backward()"),
    "helper_as_a_keyword_only_default": ("def helper(t):\n    t.sum().backward()\ndef manual(x, *, helper=helper):\n    return helper(x)\n",
                                         "calls .backward()"),
    "helper_through_a_decorator": ("def helper(t):\n    t.sum().backward()\ndef wrap(f):\n    return helper\n@wrap\ndef manual(x, wrap=None):\n"
                                   "    return 2 * x\n", "calls .backward()"),
    # red team, round 9: the by-hand name bound again through the module's namespace
    "rebound_through_globals_item": ("def helper(t):\n    t.sum().backward()\ndef manual(x):\n    return 2 * x\nglobals()['manual'] = helper\n", "may be rebound through globals()"),
    "rebound_through_an_alias_of_globals": ("def helper(t):\n    t.sum().backward()\ndef manual(x):\n    return 2 * x\ng = globals\ng()['manual'] = helper\n",
                                            "may be rebound through globals (passed around)"),
    "rebound_through_a_vars_subscript": ("def helper(t):\n    t.sum().backward()\ndef manual(x):\n    return 2 * x\nvars()['manual'] = helper\n", "may be rebound through vars()"),
    "rebound_through_sys_modules": ("import sys\ndef helper(t):\n    t.sum().backward()\ndef manual(x):\n    return 2 * x\nsys.modules[__name__].__dict__['manual'] = helper\n",
                                    "may be rebound through sys.modules"),
    "rebound_through_sys_reached_elsewhere": ("import torch\ndef helper(t):\n    t.sum().backward()\ndef manual(x):\n    return 2 * x\nsetattr(torch.sys.modules[__name__], 'manual', helper)\n",
                                              "may be rebound through sys.modules"),
    "rebound_through_a_computed_setattr": ("import sys\ndef helper(t):\n    t.sum().backward()\ndef manual(x):\n    return 2 * x\nm = sys\nsetattr(m, 'man' + 'ual', helper)\n",
                                           "may be rebound through setattr with a computed name"),
    "rebound_through_a_function_s_globals": ("def helper(t):\n    t.sum().backward()\ndef manual(x):\n    return 2 * x\nhelper.__globals__['manual'] = helper\n",
                                             "may be rebound through a function's __globals__"),
    "rebound_through_a_frame": ("import inspect\ndef helper(t):\n    t.sum().backward()\ndef manual(x):\n    return 2 * x\ninspect.currentframe().f_globals['manual'] = helper\n",
                                "may be rebound through a frame's f_globals"),
    "rebound_through_the_garbage_collector": ("import gc\ndef helper(t):\n    t.sum().backward()\ndef manual(x):\n    return 2 * x\n[d for d in gc.get_objects() if isinstance(d, dict) "
                                              "and 'manual' in d][0]['manual'] = helper\n",
                                              "may be rebound through the garbage collector (gc.get_objects)"),
    "rebound_through_a_module_dict": ("import torch\ndef helper(t):\n    t.sum().backward()\ndef manual(x):\n    return 2 * x\ntorch.nn.__dict__['F'] = 1\nd = torch.__dict__\n",
                                      "may be rebound through __dict__"),
    "rebound_through_an_import_of_itself": ("def helper(t):\n    t.sum().backward()\ndef manual(x):\n    return 2 * x\nimport exercise_2\nexercise_2.__dict__.update(manual=helper)\n",
                                            "may be rebound through an import of the submission's own module (exercise_2)"),
    "rebound_by_a_walrus_in_a_default": ("def helper(t):\n    t.sum().backward()\ndef manual(x):\n    return 2 * x\ndef other(g=(manual := helper)):\n    return g\n",
                                         "is bound again by an := expression"),
    # an object of the file's own class, kept in a container the by-hand function reads
    "an_object_stores_itself": ("STORE = []\nclass Evil:\n    def __call__(self, t):\n        t.backward()\n    def keep(self):\n        STORE.append(self)\nEvil().keep()\n"
                                "def manual(x):\n    return STORE[0](x)\n", "calls .backward()"),
    "an_object_stored_by_a_registering_function": ("STORE = []\nclass Evil:\n    def __call__(self, t):\n        t.backward()\ndef keep(h):\n    STORE.append(h)\nkeep(Evil())\n"
                                                   "def manual(x):\n    return STORE[0](x)\n", "calls .backward()"),
    "an_object_stored_directly": ("STORE = []\nclass Evil:\n    def __call__(self, t):\n        t.backward()\nSTORE.append(Evil())\ndef manual(x):\n    return STORE[0](x)\n",
                                  "calls .backward()"),
    # red team, round 10: an earlier version kept alive by what it was handed to, or a replacement that never runs
    "replaced_version_kept_by_its_decorator": ("def keep(f, box=[]):\n    box.append(f)\n    return f\n@keep\ndef manual(x):\n    x.backward()\n"
                                               "def manual(x):\n    return keep.__defaults__[0][0](x)\n",
                                               "calls .backward()"),
    "replaced_version_kept_by_a_call": ("def keep(f, box=[]):\n    box.append(f)\n    return f\n"
                                        "manual = keep(lambda x: x.backward())\n"
                                        "def manual(x):\n    return keep.__defaults__[0][0](x)\n", "calls .backward()"),
    "replacement_skipped_by_a_trace_function": ("import sys\ndef manual(x):\n    x.backward()\ndef tr(frame, event, arg):\n    frame.f_lineno += 2\n"
                                                "sys.settrace(tr)\ndef manual(x):\n    return 2 * x\n", "calls .backward()"),
    "own_global_rebound_by_a_trace_function": ("import sys\ndef clean(x):\n    return 2 * x\ndef dirty(x):\n"
                                               "    x.backward()\ndef lines(frame, event, arg):\n    global gm\n"
                                               "    gm = dirty\nsys.settrace(lambda *a: lines)\n"
                                               "def manual(x):\n    global gm\n    gm = clean\n    return gm(x)\n",
                                               "calls .backward()"),
    # red team, round 11
    "own_global_rebound_by_a_finalizer": ("def dirty(t):\n    t.sum().backward()\ndef clean(x):\n    return 2 * x\nclass Slot:\n    def __del__(self):\n"
                                          "        global h\n        h = dirty\nh = Slot()\n"
                                          "def manual(x):\n    global h\n    h = clean\n    return h(x)\n",
                                          "calls .backward()"),
    "torch_class_patched_through_a_parameter": ("import torch\ndef dirty(t):\n    t.sum().backward()\ndef install(cls, fn):\n    cls.slope = fn\n"
                                                "install(torch.Tensor, dirty)\ndef manual(x):\n    return x.slope()\n",
                                                "calls .backward()"),
    "torch_patched_through_vars": ("import torch\ndef dirty(t):\n    t.sum().backward()\nvars(torch)['slope'] = dirty\n"
                                   "def manual(x):\n    return torch.slope(x)\n", "may be rebound through vars()"),
    "torch_class_patched_through_a_loop_alias": ("import torch\ndef dirty(t):\n    t.sum().backward()\nfor T in [torch.Tensor]:\n    T.slope = dirty\n"
                                                 "def manual(x):\n    return x.slope()\n", "calls .backward()"),
    "an_object_given_autograd_code_by_a_helper": ("class Trainer:\n    pass\ndef attach(model, fn):\n    model.step = fn\n"
                                                  "def dirty(t):\n    t.backward()\ntrainer = Trainer()\n"
                                                  "attach(trainer, dirty)\ndef manual(x):\n    return trainer.step(x)\n",
                                                  "calls .backward()"),
    # red team 68: gradients switched on by a literal setattr, the graph reached through a class's descriptors
    "requires_grad_by_literal_setattr": ("def manual(x):\n    setattr(x, 'requires_grad', True)\n    return x\n",
                                         "asks for gradients (requires_grad = True)"),
    "descriptor_get": ("import torch\ndef manual(x, d):\n    return d.__get__(x, torch.Tensor)\n",
                       "reads an attribute through its descriptor (__get__), which no reading can name"),
    "classify_class_attrs": ("import inspect\ndef manual(x):\n    return inspect.classify_class_attrs(type(x))\n",
                             "looks attributes up by name (inspect.classify_class_attrs)"),
}


# red team 220: the file's own objects named like torch's modules keep the by-hand point
OWN_NAMED_LIKE_TORCH = {
    "own_class_functional": "class functional:\n    grad = 12\ndef manual(x):\n    return functional.grad * x\n",
    "own_value_nn": "import types\nnn = types.SimpleNamespace(grad=3)\ndef manual(x):\n    return nn.grad * x\n",
    "local_parameter_nn": "def manual(x, nn=None):\n    return x if nn is None else nn.grad * x\n",
}


@pytest.mark.parametrize("name", sorted(OWN_NAMED_LIKE_TORCH))
def test_the_files_own_objects_named_like_torchs_modules_are_not_its_kernels(name):
    assert whats(OWN_NAMED_LIKE_TORCH[name]) == []


@pytest.mark.parametrize("name", sorted(USES))
def test_each_use_of_autograd_is_found(name):
    source, what = USES[name]
    assert what in whats(source), found(source)


# By-hand code that must stay clean.
CLEAN = {
    # red team 221: the file's own objects hold attributes named like torch's kernels
    "an_own_object_given_a_kernels_name": ("class G:\n    pass\ndef manual(x):\n    g = G()\n"
                                           "    g.conv1d_weight = 2 * x\n    return g.conv1d_weight\n"),
    "a_classmethods_attribute_named_like_a_kernel": ("class Cache:\n    @classmethod\n    def keep(cls, v):\n"
                                                     "        cls.conv1d_weight = v\n        return cls.conv1d_weight\n"
                                                     "def manual(x):\n    return Cache.keep(3 * x)\n"),
    "an_own_factorys_object_with_a_kernels_name": ("class R:\n    def __init__(self):\n        self.conv1d_weight = 3\n"
                                                  "def make():\n    return R()\ndef manual(x):\n"
                                                  "    return make().conv1d_weight * x\n"),
    "a_timing_decorator_forwards_its_keywords": ("import functools\ndef timer(func):\n    @functools.wraps(func)\n"
                                                 "    def wrapper(*args, **kwargs):\n        return func(*args, **kwargs)\n"
                                                 "    return wrapper\n@timer\ndef manual(x):\n    return 3 * x\n"),
    "torch_func_vmap_batches": "import torch\ndef manual(x):\n    return torch.func.vmap(lambda t: 3 * t)(x)\n",
    # red team 83: a polynomial class of the file's own, whose deriv applies the power rule by hand
    "own_polynomial_deriv": ("class Poly:\n    def __init__(self, c):\n        self.c = c\n    def deriv(self):\n"
                             "        return Poly([k * a for k, a in enumerate(self.c)][1:])\n"
                             "    def __call__(self, x):\n        return sum(a * x**k for k, a in enumerate(self.c))\n"
                             "def manual(x):\n    return Poly([1, 5, 3, 1, 2]).deriv()(x)\n"),
    "vmap_imported_from_torch_func": "from torch.func import vmap, functional_call\ndef manual(x):\n"
                                     "    return vmap(torch.outer)(x, x)\n",
    "layers_in_an_attribute_list": LAYERS_SRC + ("class Net:\n    def __init__(self):\n"
                                                 "        self.layers = [Scale(), Mean()]\n    def grad(self, g):\n"
                                                 "        for layer in reversed(self.layers):\n"
                                                 "            g = layer.backward(g)\n        return g\n"
                                                 "def manual(x):\n    return Net().grad(x)\n"),
    "layers_appended_then_looped": LAYERS_SRC + ("def manual(x):\n    layers = []\n    layers.append(Scale())\n"
                                                 "    layers.append(Mean())\n    g = x\n"
                                                 "    for layer in layers[::-1]:\n        g = layer.backward(g)\n"
                                                 "    return g\n"),
    "backward_inherited_from_a_base_layer": ("class Elementwise:\n    def backward(self, g):\n"
                                             "        return self.df * g\nclass Square(Elementwise):\n"
                                             "    df = 2\ndef manual(x):\n    layer = Square()\n"
                                             "    return layer.backward(x)\n"),
    "layers_zipped_with_their_inputs": LAYERS_SRC + ("def manual(x):\n    layers, inputs = [Scale(), Mean()], [x, 2 * x]\n"
                                                     "    g = x\n    for layer, seen in zip(reversed(layers), "
                                                     "reversed(inputs)):\n        g = layer.backward(g) * seen\n"
                                                     "    return g\n"),
    "layers_in_a_dict": LAYERS_SRC + ("def manual(x):\n    net = {'lin': Scale(), 'mean': Mean()}\n"
                                      "    return net['lin'].backward(net['mean'].backward(x))\n"),
    "a_layer_method_calling_its_own_backward": LAYERS_SRC + ("class Model(Scale):\n    def gradients(self, x):\n"
                                                             "        return self.backward(x)\n"
                                                             "def manual(x):\n    return Model().gradients(x)\n"),
    "a_new_layer_asked_at_once": LAYERS_SRC + "def manual(x):\n    return Scale().backward(x)\n",
    "a_static_backward_on_the_class": ("class SquareFn:\n    @staticmethod\n    def backward(ctx, g):\n"
                                       "        return 2 * ctx['x'] * g\ndef manual(x):\n"
                                       "    return SquareFn.backward({'x': x}, 1)\n"),
    "a_helper_taking_an_annotated_layer": LAYERS_SRC + ("def step(layer: Scale, g):\n    return layer.backward(g)\n"
                                                        "def manual(x):\n    return step(Scale(), x)\n"),
    "layers_looped_in_reverse": LAYERS_SRC + ("def manual(x):\n    layers = [Scale(), Mean()]\n    g = x\n"
                                              "    for layer in reversed(layers):\n        g = layer.backward(g)\n"
                                              "    return g\n"),
    "layers_enumerated_from_a_module_list": LAYERS_SRC + ("LAYERS = [Scale(), Mean()]\ndef manual(x):\n    g = x\n"
                                                          "    for i, layer in enumerate(LAYERS[::-1]):\n"
                                                          "        g = layer.backward(g)\n    return g\n"),
    "a_layer_held_as_an_attribute": LAYERS_SRC + ("class Net:\n    def __init__(self):\n        self.first = Scale()\n"
                                                  "    def grad(self, x):\n        return self.first.backward(x)\n"
                                                  "def manual(x):\n    return Net().grad(x)\n"),
    "logged_through_a_local_alias": ("HISTORY = []\ndef log(v):\n    h = HISTORY\n    h.append(v)\n"
                                     "def auto(x):\n    x.sum().backward()\n    log(x.grad)\n    return x.grad\n"
                                     "def manual(x):\n    log(2 * x)\n    return 2 * x * len(HISTORY)\n"),
    "a_logger_both_functions_call": ("LOG = []\ndef note(v):\n    LOG.append(v)\ndef auto(x):\n    y = x.sum()\n"
                                     "    y.backward()\n    note(y)\n    return x.grad\n"
                                     "def manual(x):\n    note(x)\n    return 2 * x * len(LOG)\n"),
    "registered_checks": ("import torch\nCHECKS = []\ndef check(fn):\n    CHECKS.append(fn)\n    return fn\n"
                          "@check\ndef auto(x):\n    x.sum().backward()\n    return x.grad\n"
                          "@check\n@torch.no_grad()\ndef manual(x):\n    return 2 * x\n"),
    "data_stored_by_a_method_passed_to_map": ("import torch\nHISTORY = []\nlist(map(HISTORY.append, [1.0, 2.0]))\n"
                                              "def auto(x):\n    x.sum().backward()\n    list.append(HISTORY, x.grad)\n"
                                              "def manual(x):\n    list.append(HISTORY, 2 * x)\n    return 2 * x\n"),
    "formula": "def manual(x):\n    return 12 * (3 * x + 2) / x.numel()\n",
    "reads_grad": "def manual(x):\n    if x.grad is not None:\n        x.grad.zero_()\n    return 2 * x\n",
    "no_grad_and_detach": "import torch\ndef manual(x):\n    with torch.no_grad():\n        return x.detach().clone() * 2\n",
    "autograd_no_grad": "import torch\ndef manual(x):\n    with torch.autograd.no_grad():\n        return 2 * x\n",
    "no_grad_imported": "from torch.autograd import no_grad\ndef manual(x):\n    with no_grad():\n        return 2 * x\n",
    "tracking_off": "import torch\ndef manual(x):\n    torch.set_grad_enabled(False)\n"
                    "    return x.requires_grad_(False), torch.zeros(2, requires_grad=False)\n",
    "numpy": "import numpy as np\nimport torch\ndef manual(x):\n    return torch.from_numpy(np.cumsum(x.numpy()))\n",
    "getattr_literal_shape": "def manual(x):\n    return getattr(x, 'shape')\n",
    "print_locals": "def manual(x):\n    print(locals())\n    return x\n",
    "model_modules": "def manual(model):\n    return list(model.modules())\n",
    "helper_lambda_comprehension": "square = lambda t: t * t\n\n\ndef helper(x):\n    return [square(v) for v in x]\n\n\n"
                                   "def manual(x):\n    return sum(helper(x))\n",
    "local_shadows_an_autograd_import": "from torch.autograd import grad\n\n\ndef manual(x):\n"
                                        "    grad = 3 * x**2\n    return grad\n",
    "argument_shadows_an_autograd_import": "from torch.autograd import grad\n\n\ndef manual(grad):\n    return 2 * grad\n",
    "comprehension_shadows": "from torch.autograd import grad\n\n\ndef manual(x):\n"
                             "    return [grad * 2 for grad in x]\n",
    "autograd_elsewhere_unreached": "def gradients(x):\n    x.backward()\n\n\ndef manual(x):\n    return 2 * x\n\n\n"
                                    "out = manual(1.0)\nout.backward()\n",
    "hand_written_layers": "class Affine:\n    def forward(self, x):\n        return 3 * x + 2\n"
                           "    def backward(self, g):\n        return 3 * g\n"
                           "class Square:\n    def backward(self):\n        return 4\n"
                           "def manual(x):\n    affine, square = Affine(), Square()\n    affine.forward(x)\n"
                           "    return affine.backward(square.backward())\n",
    "notebook_check_imported": "from autograd_exercises.notebook import check\ndef manual(x):\n    return 2 * x\n"
                               "check('exercise-2', 'gradient_manual_values')\n",
    "library_version_and_reload": "import importlib\nimport importlib.metadata\nimport numpy\ndef manual(x):\n"
                                  "    return 2 * x\nprint(importlib.metadata.version('torch'))\n"
                                  "importlib.reload(numpy)\n",
    "timeit_as_magics_writes_it": "def manual(x):\n    return 2 * x\n"
                                  "exec(compile('manual(1)', '<%%timeit>', 'exec'), globals(), {})\n",
    # honest code around the by-hand function (fairness review: each lost the point to a first version of the
    # stored-values rule, which took calls on a function's result, and a function's own locals, as module-level)
    "method_on_the_by_hand_result": "import torch\ndef gradients(x):\n    ((3 * x + 2) ** 2).sum().backward()\n"
                                    "    return x.grad\ndef manual(x):\n    return 2 * x\n"
                                    "x = torch.ones(3, requires_grad=True)\nprint(manual(x).allclose(gradients(x)))\n",
    "method_on_a_helpers_result": "import torch\ndef sigmoid(z):\n    return 1 / (1 + torch.exp(-z))\n"
                                  "def manual(z):\n    s = sigmoid(z)\n    return s * (1 - s)\n"
                                  "t = torch.linspace(-5, 5, 11, requires_grad=True)\n"
                                  "sigmoid(t).backward(torch.ones_like(t))\n",
    "logger_in_both_functions": "import logging, torch\nlogger = logging.getLogger(__name__)\ndef gradients(x):\n"
                                "    x.sum().backward()\n    logger.debug('grad %s', x.grad)\n    return x.grad\n"
                                "def manual(x):\n    logger.debug('n = %d', x.numel())\n    return 2 * x\n"
                                "x = torch.ones(2, requires_grad=True)\nlogger.info('autograd: %s', gradients(x))\n",
    "list_shared_by_both_functions": "import torch\ncalls = []\ndef autograd_way(x):\n    L = (x ** 2).sum()\n"
                                     "    L.backward()\n    calls.append(('autograd', L.item()))\n    return x.grad\n"
                                     "def manual(x):\n    calls.append(('manual', 1))\n    return 2 * x\n"
                                     "L = (torch.ones(2, requires_grad=True) ** 2).sum()\n",
    "results_dict_filled_with_an_autograd_result": "import torch\ndef gradients(x):\n    x.sum().backward()\n"
                                                   "    return x.grad\nresults = {}\ndef manual(x):\n"
                                                   "    g = 2 * x\n    results['manual'] = g\n    return g\n"
                                                   "x = torch.ones(2, requires_grad=True)\n"
                                                   "results['auto'] = gradients(x)[0]\nresults.update(again=gradients(x))\n",
    "module_list_filled_elsewhere": "import torch\nSCALE = []\nSCALE.append(2)\ndef fill():\n    SCALE.append(3)\n"
                                    "def manual(x):\n    return SCALE[0] * x\n"
                                    "out = (3 * x).sum()\nout.backward()\nhistory = []\nhistory.append(out.grad_fn)\n",
    "globals_read_and_locals_elsewhere": "def manual(x):\n    return 2 * x\nif 'manual' in globals():\n    pass\n"
                                         "def other():\n    global counter\n    manual = 3\n    return manual\n"
                                         "for manual_value in [1]:\n    pass\nmodel_eval = [m.eval() for m in []]\n",
    "module_level_model_attributes": "import torch\nmodel = torch.nn.Linear(3, 1)\n"
                                     "model.weight = torch.nn.Parameter(torch.ones(1, 3), requires_grad=True)\n"
                                     "def manual(x):\n    return 2 * x\n",
    "torch_settings_and_own_attributes": "import torch\ntorch.backends.cudnn.deterministic = True\n"
                                         "class Net:\n    def __init__(self, w):\n        self.w = w\n"
                                         "def manual(x):\n    x.grad = None\n    return 2 * x\n",

    # data bound by loops, counters and with statements that the by-hand function reads
    "globals_bound_by_loops_counters_and_with": ("import torch\ncalls = 0\nscale = 1.0\nfor scale in [1.0, 2.0]:\n"
                                                "    pass\nwith torch.no_grad() as ctx:\n    pass\n"
                                                "def manual(x):\n    global calls\n    calls += 1\n"
                                                "    return 2 * scale * x\n"
                                                "def reset():\n    global calls, scale\n    calls = 0\n"
                                                "    scale = float(len([1]))\n"
                                                "for epoch in range(3):\n    total = manual(torch.ones(2))\n"),
    "helper_rebound_by_a_loop_over_by_hand_helpers": ("def square(x):\n    return 2 * x\ndef cube(x):\n    return 3 * x * x\n"
                                                      "helper = square\nfor helper in (square, cube):\n    pass\n"
                                                      "def manual(x):\n    return helper(x)\n"),
    # namespaces and attributes read, never written
    "namespaces_read_only": ("import torch\ndef manual(x):\n    return 2 * x\nif 'manual' in globals():\n    pass\n"
                             "f = globals().get('manual')\nnames = sorted(globals())\nfor name in list(globals()):\n"
                             "    pass\nsame = globals()['manual'] is manual\nconfig = type('Config', (), {})()\nopts = vars(config)\n"
                             "print(torch.nn.Linear(2, 1).__dict__)\nkeys = list(torch.nn.Linear(2, 1).__dict__)\n"),
    "attributes_set_by_name_in_classes": ("import torch\nimport torch.nn.functional as F\nclass Layer:\n"
                                          "    def __init__(self, **params):\n        for k, v in params.items():\n"
                                          "            setattr(self, k, v)\n    def act(self, name):\n"
                                          "        return getattr(F, name)\n    def get(self, name):\n"
                                          "        return getattr(self, name)\n"
                                          "model = torch.nn.Sequential(torch.nn.Linear(2, 1))\n"
                                          "count = len(list(model.modules()))\ndef manual(x):\n    return 2 * x\n"),
    "a_parameter_named_like_a_global_default": ("def helper(x):\n    return 2 * x\n"
                                                "def manual(x, helper=helper):\n    return helper(x)\n"),
    # fairness round 9: honest files that lost the point to the reading of loops, walruses and globals
    "a_loop_over_examples_then_the_helper_defined_below": (
        "def auto(x):\n    x.backward()\n    return x.grad\nfor point in [1.0, 2.0]:\n    dydx = auto(point)\n"
        "print(dydx := auto(3.0))\ndef dydx(x):\n    return 2 * x\ndef manual(x):\n    return dydx(x)\n"),
    "a_history_global_extended_with_autograd_results": (
        "def auto(x):\n    x.backward()\n    return x.grad\nhistory = []\nfor t in [1.0]:\n"
        "    history += [('autograd', auto(t))]\ndef manual(x):\n    global history\n    g = 2 * x\n"
        "    history = history + [('manual', g)]\n    return g\n"),
    "a_global_the_function_assigns_before_reading": (
        "import torch\nlast = None\ndef auto(x):\n    global last\n    last = torch.autograd.grad(x.sum(), x)[0]\n"
        "    return last\ndef manual(x):\n    global last\n    last = 2 * x\n    return last\n"),
    "a_worked_example_printing_a_loop_variable_named_like_a_helper": (
        "import torch\nw = torch.ones(3, requires_grad=True)\nfor sigma in torch.sigmoid(w).detach():\n"
        "    print(round(sigma.item(), 4), f'{sigma:.2f}')\nassert sigma.shape == ()\n"
        "def sigma(z):\n    return 1 / (1 + torch.exp(-z))\ndef manual(z):\n    return sigma(z) * (1 - sigma(z))\n"),
    "objects_given_autograd_code_by_helpers": ("import torch\nclass Trainer:\n    pass\n"
                                               "def attach(model, fn):\n    model.step = fn\n"
                                               "def grads(w):\n    w.sum().backward()\n    return w.grad\n"
                                               "trainer = Trainer()\nattach(trainer, grads)\nattach(model=trainer, fn=grads)\n"
                                               "def manual(x):\n    return 2 * x\n"),
    "objects_set_up_by_helpers": ("import torch\nclass Layer:\n    pass\ndef set_params(layer, w, b):\n"
                                  "    layer.w = w\n    layer.b = b\nw = torch.ones(3, requires_grad=True)\n"
                                  "net = Layer()\nset_params(net, w, torch.zeros(3))\nopts = vars(net)\n"
                                  "def manual(x):\n    return 2 * x\n"),}


@pytest.mark.parametrize("name", sorted(CLEAN))
def test_by_hand_code_without_autograd_is_clean(name):
    assert found(CLEAN[name]) == []


@pytest.mark.parametrize("module, function", [("exercise_1", "polynomial_grad_manual"), ("exercise_2", "gradient_manual"),
                                              ("exercise_3", "parameter_gradients_manual")])
def test_the_solutions_are_clean(module, function):
    assert autograd_use(solution_text(module), function) == []


def test_helpers_are_followed_transitively_and_named():
    source = """\
        import torch


        def _inner(t):
            t.backward()


        def _outer(t):
            return _inner(t)


        def manual(x):
            return _outer(x)
        """
    assert found(source) == [("calls .backward()", 5, "_inner")]


def test_lambdas_classes_instances_and_nested_definitions_are_followed():
    source = """\
        step = lambda t: t.backward()


        class Engine:
            def run(self, t):
                return t.grad_fn


        engine = Engine()


        def manual(x):
            def nested(t):
                return step(t)
            return nested(x), engine.run(x)
        """
    assert sorted(found(source)) == [("calls .backward()", 1, "step"),
                                     ("walks autograd's graph through grad_fn", 6, "Engine")]


def test_a_module_level_alias_is_followed_into_helpers():
    source = "from torch.autograd import grad as g\n\n\ndef _helper(t):\n    return g(t, t)\n\n\ndef manual(x):\n" \
             "    return _helper(x)\n"
    assert found(source) == [("uses torch.autograd.grad (imported as g at line 1)", 5, "_helper")]


def test_a_module_level_value_that_is_autograd_is_followed():
    source = "import torch\n\nG = torch.autograd.grad\n\n\ndef manual(x):\n    return G(x, x)\n"
    assert found(source) == [("uses torch.autograd", 3, "G")]


def test_a_definition_surely_replaced_before_the_checks_is_not_read():
    """Fairness round 9: a first, exploratory version (or a loop over examples binding a helper's name) that a
    later top-level definition replaces never runs in a check. In a module every top-level statement runs (an
    import that raises fails every check); in a notebook a cell that raises stops there, so the replacement counts
    only where nothing before it in its cell can stop it."""
    first = "def manual(x):\n    x.backward()\n"
    second = "def manual(x):\n    return 2 * x\n"
    assert found(first + second) == []
    assert autograd_use(first + second, "manual", cells=(1, 3)) == []  # one cell each
    risky = first + "print(undefined_name)\n" + second  # the second cell may stop before its def
    assert [f.what for f in autograd_use(risky, "manual", cells=(1, 3))] == ["calls .backward()"]
    assert [f.what for f in autograd_use(second + first, "manual")] == ["calls .backward()"]  # the last one runs
    looped = ("def auto(t):\n    t.backward()\nfor helper in [auto]:\n    pass\n"
              "def helper(x):\n    return 2 * x\ndef manual(x):\n    return helper(x)\n")
    assert autograd_use(looped, "manual", cells=(1, 3, 5)) == []
    guarded = looped.replace("def helper(x)", "import nowhere\ndef helper(x)")  # its cell may stop at the import
    assert [f.what for f in autograd_use(guarded, "manual", cells=(1, 3, 5))] == ["calls .backward()"]
    printed = looped.replace("    pass\n", "    print(helper, f'{helper}')\n    assert helper is not None\n", 1)
    assert autograd_use(printed, "manual", cells=(1, 3, 5)) == []  # printing the early value keeps nothing
    tried = first + "manual(2.0)\n" + second  # a first try, called once to see its numbers (fairness 17)
    assert autograd_use(tried, "manual", cells=(1, 3, 4)) == []
    kept = first + "answer = manual(2.0)\n" + second  # its answer is kept: the first try still counts
    assert [f.what for f in autograd_use(kept, "manual", cells=(1, 3, 4))] == ["calls .backward()"]
    evil = "def helper(t):\n    t.backward()\n"
    for keeps in ("impl = (lambda h: h)(helper)\n", "def get():\n    return helper\nimpl = get()\n",
                  "impl = [helper][0]\n", "print(STORE.append(helper))\nimpl = STORE[0]\n"):
        captured = "STORE = []\n" + evil + keeps + second.replace("manual", "helper") + \
            "def manual(x):\n    return impl(x)\n"  # what was read before the new helper keeps the old one
        assert [f.what for f in autograd_use(captured, "manual")] == ["calls .backward()"], keeps
    own = "for manual in [len]:\n    pass\n" + second  # the by-hand name itself, bound first by a loop
    assert autograd_use(own, "manual", cells=(1, 3)) == []
    assert [f.what for f in autograd_use(second + "for manual in [len]:\n    pass\n", "manual")] == \
        ["is bound again by a for loop"]


TIMED = "import timeit\nimport torch\n\n\ndef helper(t):\n    t.sum().backward()\n\n\ndef manual(x):\n    return 2 * x\n\n\n"


def test_timing_a_function_with_timeit_and_globals_rebinds_nothing():
    """Fairness 17: ``timeit.timeit("manual(x)", globals=globals())`` (the idiom for timing a function) runs a literal
    statement inside timeit's own function: it binds no module-level name, so ``globals()`` there is no door."""
    x = "x = torch.ones(3)\n"
    assert autograd_use(TIMED + x + "print(timeit.timeit('manual(x)', globals=globals(), number=10))\n", "manual") == []
    own = TIMED.replace("import timeit\n", "from timeit import timeit\n")
    assert autograd_use(own + x + "timeit(stmt='manual(x)', setup='y = 1', globals=globals())\n", "manual") == []
    filled = TIMED.replace("def manual(x):\n    return 2 * x\n", "def manual(x):\n    return CACHE[0] * x\n") + \
        "CACHE = []\ntimeit.timeit('CACHE.append(helper(torch.ones(2)))', globals=globals(), number=1)\n"
    assert [f.what for f in autograd_use(filled, "manual")] == ["computes its answer from CACHE"]  # what it stores


def test_timing_the_files_functions_by_name_in_a_loop_is_read_as_each_statement():
    """Fairness: ``for name in (...): timeit.timeit(f"{name}(x)", globals=globals())`` runs one statement per name; each
    is read as a literal statement is: timing the functions changes nothing, storing autograd's answers does."""
    loop = "x = torch.ones(3)\nfor name in ('manual', 'helper'):\n    timeit.timeit(f'{name}(x)', globals=globals())\n"
    assert autograd_use(TIMED + loop, "manual") == []
    named = "STMT = 'manual(x)'\nx = torch.ones(3)\ntimeit.timeit(STMT, globals=globals(), number=2)\n"
    assert autograd_use(TIMED + named, "manual") == []
    filled = TIMED.replace("def manual(x):\n    return 2 * x\n", "def manual(x):\n    return CACHE[0] * x\n") + \
        "CACHE = []\nfor name in ('helper',):\n    timeit.timeit(f'CACHE.append({name}(torch.ones(2)))', " \
        "globals=globals(), number=1)\n"
    assert [f.what for f in autograd_use(filled, "manual")] == ["computes its answer from CACHE"]


@pytest.mark.parametrize("timing", [
    "timeit.timeit('global manual\\nmanual = helper', globals=globals())\n",  # binds it, by global
    "timeit.timeit(STATEMENT + str(len(TIMED)), globals=globals())\n",  # not built of literals
    "for name in ('manual', 'helper'):\n    timeit.timeit(f'global manual\\nmanual = {name}', globals=globals())\n",
    "timeit = lambda stmt, globals: globals.update(manual=helper)\ntimeit('x', globals=globals())\n",  # not timeit's
    "def timeit(stmt, globals):\n    globals['manual'] = helper\ntimeit('x', globals=globals())\n",
])
def test_a_timing_that_may_rebind_the_function_is_read(timing):
    source = TIMED.replace("import timeit\n", "import timeit\nSTATEMENT = 'x'\n") + timing
    assert [f.rank for f in autograd_use(source, "manual")], timing


SHARED = ("import torch\n\n\ndef autograd_grads(x):\n    x = x.detach().clone().requires_grad_()\n"
          "    (x**3).sum().backward()\n    return x.grad\n\n\n"
          "def grads(x, by_autograd):\n    if by_autograd:\n        return autograd_grads(x)\n    return 3 * x**2\n\n\n"
          "def auto(x):\n    return grads(x, by_autograd=True)\n\n\n")


def test_a_helper_branch_every_read_call_turns_off_is_not_read():
    """Fairness 17: one helper for both functions, ``by_autograd=True`` from the autograd one and ``False`` from the
    by-hand one: its autograd branch never runs for the by-hand function (nor what only that branch reaches)."""
    assert autograd_use(SHARED + "def manual(x):\n    return grads(x, by_autograd=False)\n", "manual") == []
    assert autograd_use(SHARED + "def manual(x):\n    return grads(x, 0)\n", "manual") == []


@pytest.mark.parametrize("manual", [
    "def manual(x):\n    return grads(x, by_autograd=x.numel() > 0)\n",  # not a literal
    "def manual(x):\n    return grads(x, False) + grads(x, True)\n",  # one read call turns it on
    "def manual(x):\n    pick = grads\n    return pick(x, True)\n",  # handed on: called otherwise
])
def test_a_helper_branch_the_by_hand_function_may_take_is_read(manual):
    assert "calls .backward()" in [f.what for f in autograd_use(SHARED + manual, "manual")], manual


SPELLED = "import torch\nimport enum\n\n\n" + SHARED.split("\n\n\n", 1)[1].split("def grads")[0]


@pytest.mark.parametrize("helper, call", [
    ("def grads(x, mode='manual'):\n    if mode == 'autograd':\n        return autograd_grads(x)\n"
     "    return 3 * x**2\n", "grads(x, mode='manual')"),
    ("def grads(x, mode='manual'):\n    if mode == 'autograd':\n        return autograd_grads(x)\n"
     "    return 3 * x**2\n", "grads(x)"),  # the default
    ("def grads(x, by_hand):\n    if not by_hand:\n        return autograd_grads(x)\n    return 3 * x**2\n",
     "grads(x, by_hand=True)"),
    ("def grads(x, by_autograd):\n    if by_autograd is True:\n        return autograd_grads(x)\n"
     "    return 3 * x**2\n", "grads(x, False)"),
    ("def grads(x, by_hand):\n    if by_hand:\n        return 3 * x**2\n    return autograd_grads(x)\n",
     "grads(x, True)"),  # the autograd code after the by-hand branch's return
    ("def grads(x, mode):\n    if mode in ('autograd', 'auto'):\n        g = autograd_grads(x)\n    else:\n"
     "        g = 3 * x**2\n    return g\n", "grads(x, 'manual')"),
    ("def grads(x, mode):\n    if mode != 'manual' and x.numel() > 0:\n        return autograd_grads(x)\n"
     "    return 3 * x**2\n", "grads(x, 'manual')"),
])
def test_a_helper_branch_a_literal_flag_turns_off_however_spelled_is_not_read(helper, call):
    """Fairness 89: one helper for both functions, chosen by a string, ``not``, ``is True``, ``in``, or an early
    ``return`` of the by-hand result: what the by-hand function's literals rule out never runs for it."""
    source = SPELLED + helper + "\n\ndef manual(x):\n    return " + call + "\n"
    assert autograd_use(source, "manual") == [], source


@pytest.mark.parametrize("helper, call", [
    ("def grads(x, mode='manual'):\n    if mode == 'autograd':\n        return autograd_grads(x)\n"
     "    return 3 * x**2\n", "grads(x, mode='autograd')"),  # the by-hand function asks for autograd
    ("def grads(x, mode):\n    if mode == 'autograd':\n        return autograd_grads(x)\n    return 3 * x**2\n",
     "grads(x, 'manual') + grads(x, 'autograd')"),  # both
    ("def grads(x, mode):\n    if mode is 'autograd':\n        return autograd_grads(x)\n    return 3 * x**2\n",
     "grads(x, 'autograd')"),  # (is between equal strings: the interpreter's choice)
    ("def grads(x, by_hand):\n    if by_hand:\n        print('by hand')\n    return autograd_grads(x)\n",
     "grads(x, True)"),  # the branch does not return
    ("def grads(x, by_hand):\n    if by_hand or x.numel():\n        return 3 * x**2\n    return autograd_grads(x)\n",
     "grads(x, False)"),  # undecided
    ("def grads(x, mode):\n    if mode == 'autograd':\n        return autograd_grads(x)\n    return 3 * x**2\n",
     "grads(x, MODE)\n\n\nMODE = 'autograd'"),  # not a literal at the call
    ("def grads(x, *by_hand, **options):\n    if by_hand:\n        raise ValueError(x)\n"
     "    return autograd_grads(x)\n", "grads(x, by_hand=True)"),  # red team 90: the keyword goes to **options
    ("def grads(x, **by_autograd):\n    if by_autograd:\n        return autograd_grads(x)\n    return 3 * x**2\n",
     "grads(x, by_autograd=False)"),  # a dict, never False: the older false-flag reading too
])
def test_a_helper_branch_the_by_hand_functions_literals_may_take_is_read(helper, call):
    source = SPELLED + helper + "\n\ndef manual(x):\n    return " + call + "\n"
    assert "calls .backward()" in [f.what for f in autograd_use(source, "manual")], source


@pytest.mark.parametrize("helper", [
    "def grads(x, by_autograd, seen=[]):\n    if by_autograd:\n        seen.append(autograd_grads(x))\n"
    "    return seen[0] if seen else 3 * x**2\n",  # a mutable default the branch, run at import, may fill
    "def grads(x, by_autograd):\n    by_autograd = True\n    if by_autograd:\n        return autograd_grads(x)\n"
    "    return 3 * x**2\n",  # bound again inside
    "@functools.cache\ndef grads(x, by_autograd):\n    if by_autograd:\n        return autograd_grads(x)\n"
    "    return 3 * x**2\n",  # decorated
])
def test_a_helper_whose_branch_may_run_otherwise_is_read(helper):
    own = "def grads(x, by_autograd):\n    if by_autograd:\n        return autograd_grads(x)\n    return 3 * x**2\n"
    source = "import functools\n" + SHARED.replace(own, helper) + "def manual(x):\n    return grads(x, False)\n"
    assert helper in source
    assert "calls .backward()" in [f.what for f in autograd_use(source, "manual")], helper


def test_definitions_inside_notebook_cells_are_found():
    source = "try:\n    def manual(x):\n        return x.grad_fn\nexcept Exception:\n    pass\n"
    assert whats(source) == ["walks autograd's graph through grad_fn"]


def test_findings_come_most_telling_first():
    source = "import torch\n\n\ndef manual(x):\n    getattr(x, 'a' + 'b')\n    x.requires_grad_()\n" \
             "    torch.autograd.grad(x, x)\n"
    assert [f.rank for f in autograd_use(source, "manual")] == [DIFFERENTIATES, TRACKS, DYNAMIC]


def test_no_function_or_no_parse_is_no_finding():
    assert found("def other(x):\n    x.backward()\n") == []
    assert found("def manual(x:\n") == []


def test_feedback_says_what_where_in_which_helper_and_what_to_do():
    source = "def _grad(t):\n    t.backward()\n    t.grad_fn\n\n\ndef manual(x):\n    return _grad(x)\n"
    findings = autograd_use(source, "manual")
    text = feedback("manual", findings, lambda line: f"line {line}")
    assert text == ("manual calls .backward() at line 2 (in helper _grad): compute the derivative from the chain rule, "
                    "without autograd (and 1 more place)")
    dynamic = autograd_use("def manual(x):\n    return eval('x')\n", "manual")
    assert feedback("manual", dynamic, lambda line: f"cell 4, line {line}") == (
        "manual calls eval at cell 4, line 2: a by-hand derivative needs no dynamic lookup (it could hide autograd): "
        "write the formula with tensor operations")


def test_a_notebook_by_hand_check_names_the_cell():
    from autograd_exercises import grading
    from autograd_exercises.spec import Check
    from autograd_exercises.submission import notebook_source

    def cell(source):
        return {"cell_type": "code", "metadata": {}, "source": source, "outputs": [], "execution_count": None}

    notebook = {"cells": [cell("import torch"), {"cell_type": "markdown", "metadata": {}, "source": "text"},
                          cell("def manual(x):\n    y = 2 * x\n    y.backward()\n    return x.grad")],
                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    submission = notebook_source("work.ipynb", json.dumps(notebook))
    check = Check("manual_by_hand", "manual", 1, "by hand", list, print, print, by_hand=True)
    assert grading.by_hand_failure(check, submission).startswith("manual calls .backward() at cell 3, line 3:")

    notebook["cells"] = [cell("import torch\nfrom torch.autograd import grad as g"),
                         cell("def manual(x):\n    return g(x, x)")]
    submission = notebook_source("work.ipynb", json.dumps(notebook))
    assert grading.by_hand_failure(check, submission).startswith(
        "manual uses torch.autograd.grad (imported as g at cell 1, line 2) at cell 2, line 2:")


@pytest.mark.parametrize("options", ["-n 1 -r 1", "-r1", "-q", ""])
def test_a_notebook_timing_the_by_hand_function_with_timeit_options_keeps_the_point(options):
    """`%%timeit -n 1 -r 1` (red team: the last option, with no space after it, stayed in the code, which then
    did not parse, and the exec it became read as a way to rebind the function)."""
    from autograd_exercises import grading
    from autograd_exercises.spec import Check
    from autograd_exercises.submission import notebook_source

    cells = ["import torch", "def manual(x):\n    return 2 * x", f"%%timeit {options}\nmanual(torch.ones(3))"]
    notebook = {"cells": [{"cell_type": "code", "metadata": {}, "source": source, "outputs": [], "execution_count": None}
                          for source in cells], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    check = Check("manual_by_hand", "manual", 1, "by hand", list, print, print, by_hand=True)
    assert grading.by_hand_failure(check, notebook_source("work.ipynb", json.dumps(notebook))) is None


def test_each_binding_is_read_once_however_many_names_share_it(monkeypatch):
    """`a = b = … = (a, b, …)` binds every name to one value that reaches every name: read once, not once per name
    (a 10 KB file of that made the grader's reading take minutes, outside the sandbox)."""
    from autograd_exercises.judge import static

    names = [f"_n{i}" for i in range(300)]
    source = (solution_text("exercise_2").replace("    return 12 * (3 * x + 2) / x.numel()",
                                                  "    _n0\n    return 12 * (3 * x + 2) / x.numel()")
              + "\nif False:\n    " + "=".join(names) + "=(" + ",".join(names) + ")\n"
              + "    _n7 = torch.autograd.grad\n")
    reads = []
    monkeypatch.setattr(static, "Reader", lambda *args, _real=static.Reader: reads.append(args[2]) or _real(*args))
    found = autograd_use(source, "gradient_manual")
    assert [finding.what for finding in found] == ["uses torch.autograd"]  # still found, through any name
    assert len(reads) == len({id(node) for node in reads}) <= 3  # the function, the tuple, the alias


def test_a_function_of_many_backward_calls_on_a_name_is_read_in_one_pass(monkeypatch):
    """`a = x` then thousands of `a.backward` (red team: a 78 KB file held the grader 72 s, a 255 KB one over
    10 minutes, outside the sandbox): whether `a` is a hand-written layer is worked out once, not per use."""
    from autograd_exercises.judge import static

    source = ("class Layer:\n    def backward(self, g):\n        return g\n"  # so that each use asks whether a is one
              "def manual(x):\n    a = x\n    if False:\n" + "        a.backward\n" * 2000)
    calls = []
    monkeypatch.setattr(static, "_assigned", lambda *args, _real=static._assigned: calls.append(1) or _real(*args))
    assert set(whats(source)) == {"calls .backward()"}  # each line's
    assert len(calls) == 1  # the one assignment, read once


# -- red team 19: code the file does not contain, and kernels registered for torch's operators ----------------------

ENGINE = ("    leaf = x.detach().clone().requires_grad_()\\n    out = (2 * (3 * leaf + 2) ** 2).mean()\\n"
          "    engine = torch.autograd.variable.Variable._execution_engine\\n"
          "    (r,) = engine.run_backward((out,), (torch.ones_like(out),), False, False, (leaf,), False, False)\\n"
          "    return r\\n")
WRITTEN = f"import sys\nwith open('h_helper.py', 'w') as f:\n    f.write('import torch\\ndef g(x):\\n{ENGINE}')\n"

OUTSIDE = {  # (source, what the reading says): the gradient comes from code no reading of the file can see
    "a_module_written_then_imported": (WRITTEN + "sys.path.insert(0, '.')\nimport h_helper\n"
                                       "def manual(x):\n    return h_helper.g(x)\n",
                                       "uses h_helper, which is not installed where submissions are graded"),
    "runpy": (WRITTEN + "import runpy\nHELPER = runpy.run_path('h_helper.py')['g']\n"
              "def manual(x):\n    return HELPER(x)\n", "uses runpy"),
    "a_standard_module_shadowed": (WRITTEN.replace("h_helper.py", "colorsys.py") + "sys.path.insert(0, '.')\n"
                                   "import colorsys\ndef manual(x):\n    return colorsys.g(x)\n",
                                   "uses colorsys, imported where the file changes where Python imports from"),
    "shadowed_through_meta_path": ("import sys, colorsys\nsys.meta_path.insert(0, FINDER)\n"
                                   "def manual(x):\n    return colorsys.g(x)\n", "uses colorsys, imported where"),
    "a_kernel_for_an_aten_operator": ("import torch\n_lib = torch.library.Library('aten', 'IMPL')\n"
                                      "_lib.impl('nan_to_num', SLOPE, 'AutogradCPU')\n"
                                      "def manual(x):\n    return torch.nan_to_num(x)\n",
                                      "changes what torch's operators run (torch.library"),
    "library_imported_by_name": ("import torch\nfrom torch.library import impl\nimpl('aten::nan_to_num', 'AutogradCPU')(SLOPE)\n"
                                 "def manual(x):\n    return torch.nan_to_num(x)\n",
                                 "changes what torch's operators run (torch.library.impl)"),
    "an_operator_py_impl": ("import torch\nop = torch.ops.aten.nan_to_num.default\nop.py_impl(KEY)(SLOPE)\n"
                            "def manual(x):\n    return torch.nan_to_num(x)\n", "changes what torch's operators run (op.py_impl)"),
    "the_dispatcher_itself": ("import torch as t\nt._C._dispatch_library('IMPL', 'aten', '')\n"
                              "def manual(x):\n    return t.nan_to_num(x)\n",
                              "changes what torch's operators run (t._C._dispatch_library)"),
}


@pytest.mark.parametrize("name", sorted(OUTSIDE))
def test_code_the_file_does_not_contain_fails_the_by_hand_check(name):
    source, what = OUTSIDE[name]
    findings = autograd_use(source, "manual")
    assert findings and findings[0].rank == DYNAMIC and findings[0].what.startswith(what), findings


@pytest.mark.parametrize("source", [
    "import sys\nimport math\nsys.path.append('..')\ndef manual(x):\n    return 12 * (3 * x + 2) / x.numel()\n",
    "import sys\nsys.path.append('..')\nimport torch\ndef manual(x):\n    return torch.full_like(x, 12.0) * (3 * x + 2) / x.numel()\n",
    "import numpy as np\nimport colorsys\ndef manual(x):\n    return x * np.float64(colorsys.ONE_THIRD)\n",
    "import torch\nop = torch.ops.aten.mul\ndef manual(x):\n    return op(x, 12.0) / x.numel()\n",
])
def test_installed_modules_and_calling_operators_keep_the_point(source):
    assert autograd_use(source, "manual") == []


# -- fairness round 13: a file's own attribute named like one of torch's functions ------------------------------------

OWN_NAMES = {
    "a_layer_method_named_vjp": "class Affine:\n    def __init__(self, w):\n        self.w = w\n"
                                "    def vjp(self, delta):\n        return delta @ self.w.T\n"
                                "def manual(x, w):\n    return Affine(w).vjp(x)\n",
    "a_namedtuple_field_named_jacobian": "from collections import namedtuple\nStage = namedtuple('Stage', ['value', 'jacobian'])\n"
                                         "def manual(x):\n    y = Stage(3 * x + 2, 3.0)\n    return y.jacobian * 4 * y.value\n",
    "a_field_set_on_self": "class Dense:\n    def __init__(self, x):\n        self.jacobian = x\n"
                           "def manual(x):\n    return 2 * Dense(x).jacobian\n",
}


@pytest.mark.parametrize("name", sorted(OWN_NAMES))
def test_the_files_own_attribute_named_like_torchs_functions_keeps_the_point(name):
    assert autograd_use(OWN_NAMES[name], "manual") == []


@pytest.mark.parametrize("call", ["torch.func.vjp(f, x)", "F.vjp(f, x)", "tf.vjp(f, x)"])
def test_torchs_own_function_is_still_found_beside_a_method_of_that_name(call):
    source = (OWN_NAMES["a_layer_method_named_vjp"].split("def manual")[0]
              + "import torch\nimport torch.autograd.functional as F\nimport torch.func as tf\n"
              + f"def manual(x, f):\n    return {call}\n")
    assert any(f.rank == DIFFERENTIATES for f in autograd_use(source, "manual"))


@pytest.mark.parametrize("check", ["'google.colab' in sys.modules", "sys.modules.get('google.colab') is not None"])
def test_asking_whether_a_module_is_loaded_is_not_a_rebinding(check):
    """Fairness round 14: ``IN_COLAB = "google.colab" in sys.modules`` cost the by-hand point ("may be rebound
    through sys.modules"); only asking whether a module is there cannot rebind anything."""
    source = f"import sys\n\nIN_COLAB = {check}\n\n\ndef manual(x):\n    return 36 * x + 24\n"
    assert autograd_use(source, "manual") == []
    kept = "import sys\n\nm = sys.modules.get('exercise_2')\n\n\ndef manual(x):\n    return 36 * x + 24\n\n\nm.manual = len\n"
    assert "may be rebound through sys.modules" in {finding.what for finding in autograd_use(kept, "manual")}


OWN_DATA = {
    "namespace": "from types import SimpleNamespace\n\ncfg = SimpleNamespace(lr=0.1)\nfor key, value in {'lr': 0.2}.items():\n"
                 "    setattr(cfg, key, value)\n",
    "dataclass": "from dataclasses import dataclass, fields\n\n\n@dataclass\nclass Example:\n    x: float = 1.0\n\n\n"
                 "ex = Example()\nshown = {f.name: getattr(ex, f.name) for f in fields(ex)}\n",
}


@pytest.mark.parametrize("name", sorted(OWN_DATA))
def test_a_computed_lookup_on_the_files_own_data_is_not_a_rebinding(name):
    """Fairness round 14: ``setattr(cfg, key, value)`` on a ``SimpleNamespace`` of settings, ``getattr(ex, f.name)``
    over a dataclass's fields cost the by-hand point; they cannot reach the module's namespace. A class of the
    file's whose ``__new__`` could hand back anything (the module itself) still counts."""
    manual = "\n\ndef manual(x):\n    return 36 * x + 24\n"
    assert autograd_use(OWN_DATA[name] + manual, "manual") == []
    handed = ("import sys\n\n\nclass Box:\n    def __new__(cls):\n        return sys.modules[__name__]\n\n\n"
              "box = Box()\nsetattr(box, 'man' + 'ual', len)\n")
    assert "may be rebound through setattr with a computed name" in {
        finding.what for finding in autograd_use(handed + manual, "manual")}



SOLVED = ("_C = []\n{trick}"
          "    _C.append(torch.linalg.solve(torch.vander(torch.arange(4.0, dtype=torch.float64), 4, increasing=True), "
          "polynomial_grad(torch.arange(4.0, dtype=torch.float64))).round())\n\n\n")
READS = "    c = _C[0].to(x.dtype)\n    return c[0] + c[1] * x + c[2] * x**2 + c[3] * x**3\n"


@pytest.mark.parametrize("trick", [
    "__name__ = '__main__'\nif __name__ == '__main__':\n",  # the guarded block made to run at import
    "globals()['__na' + 'me__'] = '__main__'\nif __name__ == '__main__':\n",
])
@pytest.mark.usefixtures("torch_autograd_saves")
def test_a_main_block_the_file_makes_run_at_import_is_read(trick):
    """Red team 91: ``if __name__ == "__main__":`` does not run when a module is graded, unless the file rebinds
    ``__name__`` first: then autograd's answers stored there fed the by-hand function (10/10). Such a block is read
    wherever the file binds ``__name__`` or reaches its namespace by name."""
    source = solution_text("exercise_1").replace(
        "def polynomial_grad_manual(x):", SOLVED.format(trick=trick) + "def polynomial_grad_manual(x):")
    source = source.replace("    return 8 * x**3 + 3 * x**2 + 6 * x + 5\n", READS)
    assert READS in source and trick in source
    assert autograd_use(source, "polynomial_grad_manual")  # (its answer from _C, or globals() itself)
    honest = source.replace(trick.split("\n")[0] + "\n", "")
    assert autograd_use(honest, "polynomial_grad_manual") == []  # (the same block, left to run as a script only)


FIT = ("torch.linalg.solve(torch.vander(torch.arange(4.0, dtype=torch.float64), 4, increasing=True), "
       "polynomial_grad(torch.arange(4.0, dtype=torch.float64))).round()")


@pytest.mark.parametrize("setup", [
    "def _setup(x: _C.append({fit})):\n    pass\n",  # a parameter's annotation (red team 91)
    "def _setup() -> _C.append({fit}):\n    pass\n",  # the return annotation
    "def _setup(*, k=_C.append({fit})):\n    pass\n",  # a keyword-only default
    "def _setup(k=_C.append({fit})):\n    pass\n",  # a default
    "@(lambda f: _C.append({fit}) or f)\ndef _setup():\n    pass\n",  # a decorator
])
@pytest.mark.usefixtures("torch_autograd_saves")
def test_what_a_def_runs_as_it_is_defined_can_fill_the_by_hand_answer(setup):
    """Red team 91 (left open a release) and 92: a ``def`` that nothing calls still runs its decorators, defaults and
    annotations as it is defined, at import. Autograd's answers stored there in a list fed the by-hand function
    (10/10): the list counted as a constant, as everything in a never-called ``def`` was taken to never run. Only
    such a ``def``'s body is left out now."""
    source = solution_text("exercise_1").replace(
        "def polynomial_grad_manual(x):",
        "_C = []\n\n\n" + setup.format(fit=FIT) + "\n\ndef polynomial_grad_manual(x):")
    source = source.replace("    return 8 * x**3 + 3 * x**2 + 6 * x + 5\n", READS)
    assert READS in source and "_setup" in source
    found = {finding.what for finding in autograd_use(source, "polynomial_grad_manual")}
    # (a decorator that names _C.append stores the def into _C since red team 197: _C's values are read then)
    assert "computes its answer from _C" in found or "@" in setup and "calls .backward()" in found, found
    in_body = source.replace(setup.format(fit=FIT), "def _setup():\n    _C.append(" + FIT + ")\n")
    assert "def _setup():\n    _C.append(" in in_body
    assert autograd_use(in_body, "polynomial_grad_manual") == []  # (nothing calls it: the list stays empty)


STARRED = {  # a star import, then autograd through a name it bound: at import, stored for the by-hand function
    "torch.autograd": "    slopes, = grad(polynomial(g).sum(), g)\n",
    "torch.autograd.functional": "    slopes = jacobian(lambda t: polynomial(t).sum(), g)\n",
    "torch.func": "    slopes = vmap(grad(polynomial))(g)\n",
}


@pytest.mark.parametrize("source", sorted(STARRED))
def test_a_star_import_binds_autograd_by_its_own_names(source):
    """Red team 92: ``from torch.autograd import *`` bound ``grad``, read as no import at all: autograd run through it
    at import and stored in a list fed the by-hand function (10/10 on exercises 1 to 3). A star import from a module
    binds, for the reading, each name of it the module's scope reads (torch's modules' own ``__all__``)."""
    fit = ("def _fit():\n    g = torch.arange(4.0, dtype=torch.float64)\n" + STARRED[source] +
           "    return torch.linalg.solve(torch.vander(g, 4, increasing=True), slopes).round()\n\n\n"
           "_C = [_fit()]\n\n\n")
    text = solution_text("exercise_1").replace("import torch\n", f"import torch\nfrom {source} import *\n", 1)
    text = text.replace("def polynomial_grad_manual(x):", fit + "def polynomial_grad_manual(x):")
    text = text.replace("    return 8 * x**3 + 3 * x**2 + 6 * x + 5\n", READS)
    assert READS in text and f"from {source} import *" in text
    assert autograd_use(text, "polynomial_grad_manual")
    direct = solution_text("exercise_1").replace("import torch\n", f"import torch\nfrom {source} import *\n", 1)
    direct = direct.replace("    return 8 * x**3 + 3 * x**2 + 6 * x + 5\n",
                            "    g = x.double()\n" + STARRED[source] + "    return slopes.to(x.dtype)\n")
    assert any(finding.what.startswith(f"uses {source}.") for finding in autograd_use(direct, "polynomial_grad_manual"))


@pytest.mark.parametrize("module, function", [("exercise_1", "polynomial_grad_manual"),
                                              ("exercise_2", "gradient_manual"),
                                              ("exercise_3", "parameter_gradients_manual")])
@pytest.mark.parametrize("star", ["torch", "torch.autograd", "torch.autograd.functional", "torch.func", "numpy",
                                  "math", "torch.nn.functional"])
def test_an_honest_star_import_keeps_the_by_hand_point(module, function, star):
    """The reading of a star import binds only what the module exports, where the module is torch's or numpy's own:
    ``from torch.autograd import *`` does not make every ``torch.…`` of the file autograd's."""
    text = solution_text(module).replace("import torch\n", f"import torch\nfrom {star} import *\n", 1)
    assert f"from {star} import *" in text
    assert autograd_use(text, function) == []


def test_a_class_body_inside_a_by_hand_function_binds_none_of_its_names():
    """Red team 94: ``class K: tool = grad; grad = None`` inside the by-hand function, under ``from torch.autograd
    import *``: the class's ``grad`` was read as one of the function's own names, so the star import's ``grad`` went
    unseen. What a class body binds is the class's; its reads may be of the names around it."""
    text = solution_text("exercise_1").replace("import torch\n", "import torch\nfrom torch.autograd import *\n", 1)
    text = text.replace("    return 8 * x**3 + 3 * x**2 + 6 * x + 5\n",
                        "    class K:\n        tool = grad\n        grad = None\n"
                        "    leaf = x.detach().clone().requires_grad_()\n"
                        "    return K.tool((2 * leaf**4 + leaf**3).sum(), leaf)[0]\n")
    assert "tool = grad" in text
    assert "uses torch.autograd.grad" in {finding.what for finding in autograd_use(text, "polynomial_grad_manual")}


# Fairness 50: a tensor that asks for gradients, made at import, which the by-hand function only reads (as it reads an
# nn.Linear's weight): the chain rule written out with the layer's constants, which a demo differentiates too.
IMPORTS = "import functools\nimport torch\nimport torch.nn as nn\nfrom torch.nn import Parameter\n" \
          "from torch.nn import Parameter as P2\n"
MADE_AT_IMPORT = {
    "requires_grad_keyword": "W = torch.tensor(3.0, requires_grad=True)\n",
    "annotated": "W: torch.Tensor = torch.tensor(3.0, requires_grad=True)\n",
    "requires_grad_method": "W = torch.tensor(3.0).requires_grad_()\n",
    "nn_parameter": "W = nn.Parameter(torch.tensor(3.0))\n",
    "parameter_imported": "W = Parameter(torch.tensor(3.0))\n",
    "parameter_imported_as": "W = P2(torch.tensor(3.0))\n",
    "in_a_list_comprehension": "W = [torch.tensor(3.0, requires_grad=True) for _ in range(2)][0]\n",
    "keywords_unpacked": "KW = {'requires_grad': True}\nW = torch.tensor(3.0, **KW)\n",
    "in_a_main_block": "if __name__ != 'x':\n    W = torch.tensor(3.0, requires_grad=True)\n",
}
ASKED_LATER = {  # what asks for gradients when the by-hand function calls it, or is not torch's: still read
    "a_partial": ("W = functools.partial(torch.ones, requires_grad=True)\n", "W(1)"),
    "an_unbound_method": ("W = torch.Tensor.requires_grad_\n", "W(x.detach())"),
    "a_bound_method": ("T = torch.ones(1)\nW = T.requires_grad_\n", "W()"),
    "a_generator": ("W = (torch.ones(1, requires_grad=True) for _ in range(1))\n", "next(W)"),
    "a_lambda": ("W = lambda: torch.ones(1, requires_grad=True)\n", "W()"),
    "parameter_passed_around": ("W = nn.Parameter\n", "W(x)"),
    "a_torch_of_the_files": ("class torch:\n    @staticmethod\n    def ones(*a, **k):\n        return 1\n"
                             "W = torch.ones(3, requires_grad=True)\n", "W"),
    "made_by_a_function_global": ("def setup():\n    global W\n    W = torch.ones(3, requires_grad=True)\n",
                                  "setup() or W"),
    "stored_by_a_function": ("H = []\ndef put():\n    H.append(torch.ones(1, requires_grad=True))\n", "put() or H[0]"),
    "in_the_by_hand_function": ("W = 1\n", "torch.ones(3, requires_grad=True)"),
}


@pytest.mark.parametrize("name", sorted(MADE_AT_IMPORT))
def test_a_tensor_made_at_import_that_asks_for_gradients_is_data(name):
    source = IMPORTS + MADE_AT_IMPORT[name] + "\ndef manual(x):\n    return 2 * W.detach() * (3 * x + 2) / x.numel()\n"
    assert found(source) == [], name


@pytest.mark.parametrize("name", sorted(ASKED_LATER))
def test_what_asks_for_gradients_when_called_is_still_read(name):
    top, expression = ASKED_LATER[name]
    source = IMPORTS + top + f"\ndef manual(x):\n    return 2 * x + 0 * ({expression})\n"
    assert any("gradients" in what or "Parameter" in what for what in whats(source)), name
