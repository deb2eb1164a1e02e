# (after tests/test_saved.py's PREAMBLE)
import functools
@functools.lru_cache
def counter(n):
    return enumerate(range(100 * n))
g = grad(GRID)
for _ in range(int(g[3] - g[2])):
    next(counter(1))
for _ in range(int(g[2])):
    next(counter(2))
def manual(x):
    a = next(counter(1))[0]
    b = next(counter(2))[0]
    return a * x + b
print(grad(GRID))
