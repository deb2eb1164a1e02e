# (after tests/test_saved.py's PREAMBLE and LAYERS)
def square(v):
    return v * v

class Sq:
    def forward(self, v):
        self.v = v
        return square(v)
    def backward(self, g):
        return 2 * self.v * g

def manual(x):
    s = Sq()
    s.forward(x)
    return 3 * s.backward(torch.ones_like(x)) + 2
_demo = Quad()
print(_demo(GRID), grad(GRID))
print('manual', manual(torch.linspace(-2, 2, 5)))
