# (after tests/test_saved.py's PREAMBLE)
import functools
@functools.lru_cache(maxsize=None)
def derivative(coeffs):
    return tuple(k * c for k, c in enumerate(coeffs))[1:]
def manual(x):
    d = derivative((0.0, 2.0, 3.0))
    return sum(c * x**k for k, c in enumerate(d))
print(grad(GRID), manual(torch.linspace(-2, 2, 5)))
