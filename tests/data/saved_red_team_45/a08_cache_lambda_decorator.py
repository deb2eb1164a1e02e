# (after tests/test_saved.py's PREAMBLE)
import functools
@lambda f: functools.lru_cache()(f)
def box(n):
    return []
box(5).append(grad(GRID))
def manual(x):
    return fit([(torch.linspace(-2, 2, 5), box(5)[0])], x)
print(grad(GRID))
