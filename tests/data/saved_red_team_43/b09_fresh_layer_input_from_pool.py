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


_pool = {}.setdefault
class Keep(Layer):
    def forward(self, v):
        _pool('in', []).append(v)
        return v
    def grad_in(self, g):
        return _pool('in', [])[0] * g
Keep()(grad(GRID))
def manual(x):
    q = Keep()
    return fit([(torch.linspace(-2, 2, 5), q.grad_in(1))], x)
print(grad(GRID))
