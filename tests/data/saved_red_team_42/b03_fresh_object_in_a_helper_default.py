# (after tests/test_saved.py's PREAMBLE)

class Keep:
    def __call__(self, v):
        self.v = v
        return v
    def get(self):
        return self.v

def helper(v=None, k=Keep()):
    if v is not None:
        k(v)
    return 1 * k.get()
helper(grad(GRID))
def manual(x):
    return fit([(torch.linspace(-2, 2, 5), helper())], x)
