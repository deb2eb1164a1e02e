# (after tests/test_saved.py's PREAMBLE)
_get = {'k': []}.get
def manual(x):
    return fit([(torch.linspace(-2, 2, 5), _get('k')[0])], x)
_get('k').append(grad(GRID))
print(grad(GRID))
