# (after tests/test_saved.py's PREAMBLE)
import functools
@functools.lru_cache
def box(n, int=dict):
    return int()
box(5)["g"] = grad(GRID)
def manual(x):
    return fit([(torch.linspace(-2, 2, 5), box(5)["g"])], x)
print(grad(GRID))
