# (after tests/test_saved.py's PREAMBLE)
import functools, math
@functools.cache
def binom(n, k):
    return math.comb(n, k)
def manual(x):
    return 3 * binom(2, 1) * x + 2 * binom(1, 1)
print(grad(GRID), manual(torch.linspace(-2, 2, 5)))
