# (after tests/test_saved.py's PREAMBLE)

SEEN = []
SEEN.append((GRID, grad(GRID)))
def manual(x):
    buf = [[]]
    buf[0].append(SEEN[0])
    return fit(buf[0], x)
