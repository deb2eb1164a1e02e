# (after tests/test_saved.py's PREAMBLE)

class Keep:
    def __call__(self, v):
        self.v = v
        return v
    def get(self):
        return self.v

def make(_):
    k = Keep()
    def h(v=None):
        if v is not None:
            k(v)
        return 1 * k.get()
    return h
@make
def helper():
    pass
helper(grad(GRID))
def manual(x):
    return fit([(torch.linspace(-2, 2, 5), helper())], x)
