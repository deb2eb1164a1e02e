"""The strings a file's names and expressions may hold, where it builds them of literals only
(``autograd_exercises/judge/literals.py``): what the doors and by-hand readings read a timer's statement as."""

from __future__ import annotations

import ast
import collections

import pytest

from autograd_exercises.judge import literals
from autograd_exercises.judge.syntax import bound_here, walk


def names(source: str) -> dict[str, set[str]]:
    tree = ast.parse(source)
    return literals.literal_names(tree, collections.Counter(n for node in walk(tree) for n in bound_here(node)))


def values(expression: str, source: str = "") -> list[str] | None:
    return literals.string_values(ast.parse(expression, mode="eval").body, names(source))


def test_a_built_string_is_every_string_it_may_be():
    loop = "for name in ('forward', 'manual'):\n    pass\n"
    assert values("f'{name}(x)'", loop) == ["forward(x)", "manual(x)"]
    both = values("name + '(x) * ' + name", loop)  # each piece read apart: a superset, which is safe to read
    assert both is not None and {"forward(x) * forward", "manual(x) * manual"} < set(both) and len(both) == 4
    assert values("f'{name!r}'", loop) == ["'forward'", "'manual'"]
    assert values("f'{name!a}{other}'", loop + "other = 'é'\n") == ["'forward'é", "'manual'é"]
    assert values("'lone'") == ["lone"]


@pytest.mark.parametrize("expression, source", [
    ("f'{name:>9}'", "name = 'a'\n"),  # a format spec: padding no reading follows
    ("f'{name}'", "name = 'a'\nname = input()\n"),  # bound otherwise too
    ("f'{name}'", "for name in ['a']:\n    pass\ndel name\n"),
    ("f'{name.upper()}'", "name = 'a'\n"),
    ("name * 2", "name = 'a'\n"),
    ("f'{name}'", "name = 'a'\nprint(vars())\n"),  # a namespace that may bind it unseen
    ("f'{name}'", "name = 'a'\ng = globals()\n"),
    ("f'{name}'", "name = 'a'\nimport timeit\ntimeit.timeit('global name', globals=globals())\n"),
])
def test_a_string_built_otherwise_is_none(expression, source):
    assert values(expression, source) is None


def test_globals_handed_to_a_timer_leaves_the_names_literal():
    assert names("import timeit\nfor n in ['f', 'g']:\n    timeit.timeit(n, globals=globals())\n") == {"n": {"f", "g"}}


def test_too_many_strings_or_pieces_nested_too_deep_are_read_as_built_at_run_time():
    source = "".join(f"for {v} in ['0', '1']:\n    pass\n" for v in "abcdef")  # 2**6 = 64 > MAX_VARIANTS
    assert values("a + b + c + d + e", source) is not None
    assert values("a + b + c + d + e + f", source) is None
    assert values(" + ".join(["'x'"] * (literals.MAX_DEPTH + 5))) is None


@pytest.mark.parametrize("source", [
    "import timeit\nNAMES = ['f']\nfor n in NAMES:\n    timeit.timeit(n, globals=globals())\n",  # a list it may grow
    "import timeit\ndef bench(n='f'):\n    timeit.timeit(n, globals=globals())\nbench()\n",  # a call it may make
])
def test_with_the_modules_names_handed_to_a_timer_only_names_bound_to_literals_there_count(source):
    """Red team 77: a timer's statement ran ``STATEMENTS.append(...)`` and the loop over that list ran a statement no
    reading saw; a statement may as well call a function with another string than the file's calls pass."""
    assert names(source) == {}


def test_names_a_star_import_or_a_mapping_pattern_may_bind_are_not_literal():
    assert names("from string import *\nname = 'a'\n") == {}
    assert names("name = 'a'\nmatch x:\n    case {**name}:\n        pass\n") == {}
    assert names("name = 'a'\n") == {"name": {"a"}}
