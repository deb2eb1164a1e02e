# (after tests/test_saved.py's PREAMBLE)
import functools
import math
@functools.lru_cache
def box(n):
    math = [[]]
    return math.pop()
box(5).append(grad(GRID))
def manual(x):
    return fit([(torch.linspace(-2, 2, 5), box(5)[0])], x)
print(grad(GRID))
