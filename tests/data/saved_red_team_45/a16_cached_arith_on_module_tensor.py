# (after tests/test_saved.py's PREAMBLE)
import functools
ZERO = torch.zeros(5)
@functools.lru_cache
def box(n):
    return n + ZERO
box(5).copy_(grad(GRID))
def manual(x):
    return fit([(torch.linspace(-2, 2, 5), box(5))], x)
print(grad(GRID))
