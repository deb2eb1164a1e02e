"""judge/scopes.py: which names a function reads are its own, by Python's scoping rules (red team 36)."""

from __future__ import annotations

import ast

from autograd_exercises.judge.scopes import scopes

SOURCE = """
def f(x, k=SEEN):
    [SEEN for SEEN in SEEN]
    y = 2
    g = lambda z: z + y + W
    [(q := v) for v in A]
    def h():
        return y, q, HGLOB
    class C:
        m = 1
        n = m
        def meth(self):
            return m, x
    global G
    G = 1
    return SEEN, y, G, q, h, C
"""


def test_each_read_resolves_as_python_resolves_it():
    function = ast.parse(SOURCE).body[0]
    found = scopes(function)
    reads = {(name.lineno, name.col_offset, name.id): found.local(name) for name in found.loads}
    expected = {
        (2, 11, "SEEN"): False,  # a default: read around the function
        (3, 22, "SEEN"): False,  # a comprehension's first iterable: read around it
        (3, 5, "SEEN"): True,  # the comprehension's own name
        (5, 18, "z"): True, (5, 22, "y"): True, (5, 26, "W"): False,  # a lambda sees the function's names
        (6, 23, "A"): False, (6, 11, "v"): True,
        (8, 15, "y"): True, (8, 18, "q"): True,  # an assignment expression binds around its comprehension
        (8, 21, "HGLOB"): False,
        (11, 12, "m"): False,  # a class body looks a name up as it runs: its own, or (red team 94) the one around it
        (13, 19, "m"): False, (13, 22, "x"): True,  # … which its methods do not see
        (16, 11, "SEEN"): False,  # the module's: only the comprehension bound one
        (16, 17, "y"): True, (16, 20, "G"): False, (16, 23, "q"): True, (16, 26, "h"): True, (16, 29, "C"): True,
    }
    assert reads == expected
    assert found.own(function) == {"C", "g", "h", "k", "q", "x", "y"}


def test_a_name_a_class_body_binds_is_read_from_the_module_not_an_enclosing_function():
    """Red team 129: Python reads a name a class body binds by name (the class's namespace, then the module's), so
    ``SEEN.update`` in ``class K`` inside ``keep`` changed the module's ``SEEN``, not ``keep``'s; the reading had
    taken it for ``keep``'s own and let the module's table pass as a constant."""
    function = ast.parse("def keep(g):\n    SEEN = None\n    class K:\n        SEEN.update(k=g)\n        SEEN = 0\n"
                         "        T = g\n    return SEEN\n").body[0]
    found = scopes(function)
    reads = {(name.lineno, name.id): found.local(name) for name in found.loads}
    assert reads[(4, "SEEN")] is False  # the module's
    assert reads[(4, "g")] is True  # not bound in the class body: the enclosing function's
    assert reads[(7, "SEEN")] is True


def test_a_global_a_class_declares_holds_in_its_body_only():
    """Red team 130: ``global SEEN`` in a class body covers the body's own statements; a function defined in it reads
    ``SEEN`` from the function around the class (``LOAD_DEREF``), whose kept table it then changes."""
    function = ast.parse("def make():\n    SEEN = {}\n    class K:\n        global SEEN, FILL\n        T = SEEN\n"
                         "        def FILL(g):\n            SEEN.update(k=g)\n    return SEEN\n").body[0]
    found = scopes(function)
    reads = {(name.lineno, name.id): found.binder(name) for name in found.loads}
    assert reads[(5, "SEEN")] is None  # the class body's own read: the module's, as it declares
    assert reads[(7, "SEEN")] is function  # FILL's: make's
