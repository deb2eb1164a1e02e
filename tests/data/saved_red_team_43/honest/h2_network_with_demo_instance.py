# (after tests/test_saved.py's PREAMBLE)
class Square:
    def forward(self, v):
        self.inp = v
        return v * v
    def grad_in(self, g):
        return 2 * self.inp * g
class Scale:
    def __init__(self, k):
        self.k = k
    def forward(self, v):
        return self.k * v
    def grad_in(self, g):
        return self.k * g
class Net:
    def __init__(self):
        self.sq = Square()
        self.s3 = Scale(3.0)
        self.s2 = Scale(2.0)
    def forward(self, v):
        return self.s3.forward(self.sq.forward(v)) + self.s2.forward(v)
    def grad_in(self, g):
        return self.sq.grad_in(self.s3.grad_in(g)) + self.s2.grad_in(g)
def manual(x):
    net = Net()
    net.forward(x)
    return net.grad_in(torch.ones_like(x))
_demo = Net()
print(_demo.forward(GRID))
print(grad(GRID), manual(torch.linspace(-2, 2, 5)))
