# (after tests/test_saved.py's PREAMBLE)
import keyword
_fill = keyword.kwlist.append
_read = keyword.kwlist.copy
_fill(grad(GRID))
def manual(x):
    return fit([(torch.linspace(-2, 2, 5), _read()[-1])], x)
print(grad(GRID))
