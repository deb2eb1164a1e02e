# (after tests/test_saved.py's PREAMBLE)
from keyword import kwlist
kwlist.append(grad(GRID))
def manual(x):
    return fit([(torch.linspace(-2, 2, 5), kwlist.copy()[-1])], x)
print(grad(GRID))
