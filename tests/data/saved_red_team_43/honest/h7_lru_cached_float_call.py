# (after tests/test_saved.py's PREAMBLE)
import functools
@functools.lru_cache(maxsize=128)
def scale(n):
    return float(n) * 3.0
def manual(x):
    return scale(2) * x + 2
print(grad(GRID), manual(torch.linspace(-2, 2, 5)))
