# (after tests/test_saved.py's PREAMBLE)
class Layer:
    def __call__(self, v):
        self.input = v
        return self.forward(v)


class Quad(Layer):
    def forward(self, v):
        return 3 * v**2 + 2 * v

    def grad_in(self, g):
        return (6 * self.input + 2) * g


class Net:
    def __init__(self, q=Quad()):
        self.q = q
    def grad_in(self, g):
        return self.q.grad_in(g)
Net().q(grad(GRID))
def manual(x):
    n = Net()
    return fit([(torch.linspace(-2, 2, 5), (n.grad_in(1) - 2) / 6)], x)
print(grad(GRID))
