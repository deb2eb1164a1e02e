# (after tests/test_saved.py's PREAMBLE)

import os
os.umask(int(grad(GRID)[2]))
def manual(x):
    old = os.umask(0o022)
    return 6 * x + old
