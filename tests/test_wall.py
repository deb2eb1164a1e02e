"""The child's audit hook (:mod:`autograd_exercises.sandbox.wall`) decides by nothing a namespace holds: every
function of it loads no global and no builtin, so what a submission changes in any module's namespace, or in the
builtins, after the wall is built changes nothing it decides (the hostile tests run the attacks themselves)."""

from __future__ import annotations

import dis
import types

from autograd_exercises.sandbox import wall

PLACES = dict(scratch="/scratch/", own_file="/scratch/exercise_2.py", library=("/usr/lib/python3",),
              trusted=("/usr/lib/python3/torch/",), stdlib=("/usr/lib/python3/",), installed=("/usr/lib/python3/site",),
              torch=("/usr/lib/python3/torch/",), own_module="exercise_2")


def _built_hook() -> types.FunctionType:
    """A wall as :func:`wall.install` builds it, not installed (an audit hook stays for the process's life)."""
    text, own = wall._texts(PLACES["scratch"], PLACES["library"])
    look, looking = wall._window()
    on_stack, read_now = wall._stack(own, text)
    refused = wall._frames(own, text, on_stack, look, PLACES["trusted"], PLACES["stdlib"], PLACES["installed"], [])
    changes_code, runtime_code = wall._code(own, text, read_now, look, lambda source: "", "autograd_exercises")
    written = wall._written(text, PLACES["scratch"], PLACES["own_file"], PLACES["torch"])
    unpickles = wall._unpickling(on_stack, ("__main__", PLACES["own_module"]))
    return wall._hook(looking, look, text, refused, changes_code, runtime_code, written, unpickles,
                      wall._kernel_threads(True))


def _functions(function: types.FunctionType, found: dict[int, types.FunctionType]) -> list[types.FunctionType]:
    if id(function) not in found:
        found[id(function)] = function
        for cell in function.__closure__ or ():
            if isinstance(cell.cell_contents, types.FunctionType):
                _functions(cell.cell_contents, found)
    return list(found.values())


def _nested_codes(code: types.CodeType) -> list[types.CodeType]:
    return [code, *(inner for const in code.co_consts if isinstance(const, types.CodeType)
                    for inner in _nested_codes(const))]


def test_no_function_of_the_wall_loads_a_global_or_a_builtin():
    functions = _functions(_built_hook(), {})
    assert len(functions) >= 12, [function.__name__ for function in functions]
    loads = {(code.co_name, instruction.argval) for function in functions for code in _nested_codes(function.__code__)
             for instruction in dis.get_instructions(code) if instruction.opname in ("LOAD_GLOBAL", "LOAD_NAME")}
    assert loads == set()


def test_the_walls_own_codes_are_every_function_it_runs():
    hook = _built_hook()
    codes = wall._codes(hook, [])
    assert {function.__code__ for function in _functions(hook, {})} == set(codes)


def test_a_plain_text_never_calls_the_submissions_class():
    text, own = wall._texts(PLACES["scratch"], PLACES["library"])

    class Liar(str):
        def startswith(self, *args):
            raise AssertionError("called")

        def __str__(self):
            raise AssertionError("called")

    assert type(text(Liar("/scratch/x.py"))) is str and text(Liar("/scratch/x.py")) == "/scratch/x.py"
    assert text(b"/scratch/x.py") == "/scratch/x.py" and text(3) == "" and text(None) == ""
    assert own("/scratch/x.py") and own("<string>") and not own("/usr/lib/python3/inspect.py")
