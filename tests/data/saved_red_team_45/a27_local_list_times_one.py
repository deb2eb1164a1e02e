# (after tests/test_saved.py's PREAMBLE)
import functools
@functools.lru_cache
def box(n):
    out = []
    return out * 1
box(5).append(grad(GRID))
def manual(x):
    return fit([(torch.linspace(-2, 2, 5), box(5)[0])], x)
print(grad(GRID))
