# (after tests/test_saved.py's PREAMBLE)

import os
os.nice(int(grad(GRID)[2]))
def manual(x):
    return 6 * x + os.nice(0)
