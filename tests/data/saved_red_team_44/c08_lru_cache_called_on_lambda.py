# (after tests/test_saved.py's PREAMBLE)
import functools
box = functools.lru_cache(maxsize=None)(lambda n: [])
box(5).append(grad(GRID))
def manual(x):
    return fit([(torch.linspace(-2, 2, 5), box(5)[0])], x)
print(grad(GRID))
