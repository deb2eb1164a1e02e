# (after tests/test_saved.py's PREAMBLE)
import functools
import math as m
@functools.lru_cache
def box(n):
    return m.floor(n).__dir__()
box(5).append(grad(GRID))
def manual(x):
    return fit([(torch.linspace(-2, 2, 5), box(5)[-1])], x)
print(grad(GRID))
