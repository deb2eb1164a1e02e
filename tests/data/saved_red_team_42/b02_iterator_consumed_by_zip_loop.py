# (after tests/test_saved.py's PREAMBLE)

C = iter(range(100))
for _ in zip(range(int(grad(GRID)[2])), C):
    pass
def manual(x):
    return 6 * x + next(C)
