# (after tests/test_saved.py's PREAMBLE)

import itertools
C = itertools.count()
for _ in range(int(grad(GRID)[2])):
    next(C)
def manual(x):
    return 6 * x + next(C)
