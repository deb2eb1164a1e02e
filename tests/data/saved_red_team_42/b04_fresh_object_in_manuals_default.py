# (after tests/test_saved.py's PREAMBLE)

class Keep:
    def __call__(self, v):
        self.v = v
        return v
    def get(self):
        return self.v

def manual(x, g=None, k=Keep()):
    if g is not None:
        k(g)
    return fit([(torch.linspace(-2, 2, 5), 1 * k.get())], x)
manual(GRID, grad(GRID))
