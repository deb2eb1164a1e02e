# (after tests/test_saved.py's PREAMBLE)

SEEN = []
SEEN.append(grad(GRID))
def manual(x):
    buf = torch.zeros(5)
    buf.data.copy_(SEEN[0])
    return fit([(torch.linspace(-2, 2, 5), buf)], x)
