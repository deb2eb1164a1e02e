# (after tests/test_saved.py's PREAMBLE)
import functools
@functools.cache
def box(n):
    out = {}
    return out or out
box(5)['g'] = grad(GRID)
def manual(x):
    return fit([(torch.linspace(-2, 2, 5), box(5)['g'])], x)
print(grad(GRID))
