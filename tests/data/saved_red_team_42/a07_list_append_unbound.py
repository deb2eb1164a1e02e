# (after tests/test_saved.py's PREAMBLE)

SEEN = []
SEEN.append(grad(GRID))
def manual(x):
    buf = []
    list.append(buf, (torch.linspace(-2, 2, 5), SEEN[0]))
    return fit(buf, x)
