# (after tests/test_saved.py's PREAMBLE)

class Quad:
    def __init__(self):
        self.cache = {}
    def forward(self, v):
        self.cache['v'] = v
        return 3 * v ** 2 + 2 * v
    def backward(self, g):
        v = self.cache['v']
        return (6 * v + 2) * g
def manual(x):
    q = Quad()
    q.forward(x)
    return q.backward(torch.ones_like(x))
print(grad(GRID))
