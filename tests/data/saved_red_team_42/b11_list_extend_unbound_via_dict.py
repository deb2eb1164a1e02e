# (after tests/test_saved.py's PREAMBLE)

SEEN = []
SEEN.append((GRID, grad(GRID)))
def manual(x):
    d = {}
    dict.update(d, p=SEEN)
    return fit(d['p'], x)
