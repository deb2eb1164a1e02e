# (after tests/test_saved.py's PREAMBLE and LAYERS)
class Scale:
    def __init__(self, k):
        self.k = k
    def forward(self, v):
        return self.k * v
    def backward(self, g):
        return self.k * g

class Square:
    def forward(self, v):
        self.inp = v
        return v * v
    def backward(self, g):
        return 2 * self.inp * g

class Net:
    def __init__(self):
        self.sq = Square()
        self.s3 = Scale(3.0)
        self.s2 = Scale(2.0)
    def forward(self, v):
        return self.s3.forward(self.sq.forward(v)) + self.s2.forward(v)
    def backward(self, g):
        return self.sq.backward(self.s3.backward(g)) + self.s2.backward(g)

def manual(x):
    net = Net()
    net.forward(x)
    return net.backward(torch.ones_like(x))
_demo = Quad()
print(_demo(GRID), grad(GRID))
print('manual', manual(torch.linspace(-2, 2, 5)))
