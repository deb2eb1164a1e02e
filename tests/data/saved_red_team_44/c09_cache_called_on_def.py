# (after tests/test_saved.py's PREAMBLE)
import functools
def make(n):
    return []
box = functools.cache(make)
box(5).append(grad(GRID))
def manual(x):
    return fit([(torch.linspace(-2, 2, 5), box(5)[0])], x)
print(grad(GRID))
