# (after tests/test_saved.py's PREAMBLE and LAYERS)
class Ctx:
    def save(self, *ts):
        self.saved = ts

class Mul:
    def __init__(self, k):
        self.k = k
    def forward(self, ctx, v):
        ctx.save(v)
        return self.k * v
    def backward(self, ctx, g):
        return self.k * g

def manual(x):
    ctxs = [Ctx(), Ctx()]
    q = Quad()
    q(x)
    g = q.backward(torch.ones_like(x))
    m = Mul(1.0)
    m.forward(ctxs[0], x)
    return m.backward(ctxs[0], g)
_demo = Quad()
print(_demo(GRID), grad(GRID))
print('manual', manual(torch.linspace(-2, 2, 5)))
