# (after tests/test_saved.py's PREAMBLE)

import functools
class Layer:
    def __call__(self, v):
        self.input = v
        return self.forward(v)
class Quad(Layer):
    def forward(self, v):
        return 3 * v**2 + 2 * v
    def back(self, g):
        return self.input * g
@functools.cache
def build():
    return [Quad()]
build()[0](grad(GRID))
def manual(x):
    q = build()[0]
    return fit([(torch.linspace(-2, 2, 5), q.back(1))], x)
