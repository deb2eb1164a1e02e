# (after tests/test_saved.py's PREAMBLE)

import numpy as np
_ctx = np.printoptions(precision=int(grad(GRID)[2]))
_ctx.__enter__()
def manual(x):
    return 6 * x + len(np.array2string(np.array([0.123456]))) - 4
