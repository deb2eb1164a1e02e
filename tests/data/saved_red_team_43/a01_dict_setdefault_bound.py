# (after tests/test_saved.py's PREAMBLE)
_pool = {}.setdefault
class Keep:
    def __init__(self):
        self.box = _pool('k', [])
    def put(self, v):
        self.box.append(v)
    def get(self):
        return self.box[0]
Keep().put(grad(GRID))
def manual(x):
    k = Keep()
    return fit([(torch.linspace(-2, 2, 5), k.get())], x)
print(grad(GRID))
