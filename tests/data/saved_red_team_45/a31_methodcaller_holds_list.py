# (after tests/test_saved.py's PREAMBLE)
import operator
get = operator.methodcaller("setdefault", "k", [])
get({}).append(grad(GRID))
def manual(x):
    return fit([(torch.linspace(-2, 2, 5), get({})[0])], x)
print(grad(GRID))
