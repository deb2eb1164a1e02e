# (after tests/test_saved.py's PREAMBLE)
import warnings
_fill = warnings.filters.insert
_fill(0, grad(GRID))
def manual(x):
    return fit([(torch.linspace(-2, 2, 5), warnings.filters.copy()[0])], x)
print(grad(GRID))
