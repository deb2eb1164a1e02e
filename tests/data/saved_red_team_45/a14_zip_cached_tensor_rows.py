# (after tests/test_saved.py's PREAMBLE)
import functools
@functools.lru_cache
def rows(n):
    return zip(range(n), range(n))
g = grad(GRID)
for _ in range(int(g[3] - g[2])):
    next(rows(50))
for _ in range(int(g[2])):
    next(rows(60))
def manual(x):
    return next(rows(50))[0] * x + next(rows(60))[1]
print(grad(GRID))
