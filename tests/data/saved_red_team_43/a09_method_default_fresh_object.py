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


class Holder:
    def use(self, v=None, q=Quad()):
        if v is not None:
            q(v)
        return q.grad_in(1)
Holder().use(grad(GRID))
def manual(x):
    h = Holder()
    return fit([(torch.linspace(-2, 2, 5), (h.use() - 2) / 6)], x)
print(grad(GRID))
