# (after tests/test_saved.py's PREAMBLE)

SEEN = []
SEEN.append((GRID, grad(GRID)))
def manual(x):
    buf = []
    for i, b in enumerate(zip([buf], [0])):
        b[0].append(SEEN[0])
    return fit(buf, x)
