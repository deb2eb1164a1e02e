# (after tests/test_saved.py's PREAMBLE)

import functools
@functools.lru_cache(maxsize=None)
def store():
    return []
store().append((GRID, grad(GRID)))
def manual(x):
    return fit(store(), x)
