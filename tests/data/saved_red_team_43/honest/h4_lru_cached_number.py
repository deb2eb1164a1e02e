# (after tests/test_saved.py's PREAMBLE)
import functools
@functools.lru_cache(maxsize=None)
def falling(k, n):
    return 1 if n == 0 else k * falling(k - 1, n - 1)
def manual(x):
    return 3 * falling(2, 1) * x + 2 * falling(1, 1)
print(grad(GRID), manual(torch.linspace(-2, 2, 5)))
