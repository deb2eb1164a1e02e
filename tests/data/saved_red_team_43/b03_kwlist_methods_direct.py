# (after tests/test_saved.py's PREAMBLE)
import keyword
_fill = keyword.kwlist.append
_fill(grad(GRID))
def manual(x):
    return fit([(torch.linspace(-2, 2, 5), keyword.kwlist.copy()[-1])], x)
print(grad(GRID))
