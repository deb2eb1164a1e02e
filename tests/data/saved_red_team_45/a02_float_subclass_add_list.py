# (after tests/test_saved.py's PREAMBLE)
import functools
class K(float):
    def __add__(self, o):
        return []
@functools.lru_cache
def box(n):
    return n + 0
box(K(5)).append(grad(GRID))
def manual(x):
    return fit([(torch.linspace(-2, 2, 5), box(5.0)[0])], x)
print(grad(GRID))
