# (after tests/test_saved.py's PREAMBLE)
import functools, operator
class Keep:
    def __init__(self):
        self.box = _pool()
    def put(self, v):
        self.box.append(v)
    def get(self):
        return self.box[0]
_pool = functools.partial(operator.getitem, [[]], 0)
Keep().put(grad(GRID))
def manual(x):
    return fit([(torch.linspace(-2, 2, 5), Keep().get())], x)
print(grad(GRID))
