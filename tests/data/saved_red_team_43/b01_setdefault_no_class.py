# (after tests/test_saved.py's PREAMBLE)
_pool = {}.setdefault
_pool('g', []).append(grad(GRID))
def manual(x):
    return fit([(torch.linspace(-2, 2, 5), _pool('g', [])[0])], x)
print(grad(GRID))
