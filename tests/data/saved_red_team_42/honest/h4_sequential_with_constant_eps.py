# (after tests/test_saved.py's PREAMBLE)

EPS = 0.0
class Scale:
    def __init__(self, k):
        self.k = k
    def forward(self, v):
        self.saved = (v,)
        return self.k * v
    def backward(self, g):
        (v,) = self.saved
        return self.k * g + EPS * v
class Seq:
    def __init__(self, *layers):
        self.layers = list(layers)
    def forward(self, v):
        for layer in self.layers:
            v = layer.forward(v)
        return v
    def backward(self, g):
        for layer in reversed(self.layers):
            g = layer.backward(g)
        return g
def manual(x):
    net = Seq(Scale(2.0), Scale(3.0))
    net.forward(x)
    return net.backward(torch.ones_like(x)) * x + 2
print(grad(GRID))
