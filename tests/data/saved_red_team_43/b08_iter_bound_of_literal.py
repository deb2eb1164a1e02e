# (after tests/test_saved.py's PREAMBLE)
_inner = [[]].__iter__
next(_inner()).append(grad(GRID))
def manual(x):
    return fit([(torch.linspace(-2, 2, 5), next(_inner())[0])], x)
print(grad(GRID))
