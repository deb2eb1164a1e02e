# (after tests/test_saved.py's PREAMBLE and LAYERS)
class Keep:
    def __call__(self, v):
        self.v = v
        return v
    def out(self):
        return self.v


SEEN = []
def saving(n):
    x = torch.linspace(-2, 2, n)
    x.requires_grad_(True)
    f(x).sum().backward()
    SEEN.append(x.grad)
saving(5)
def manual(x):
    buf = []
    [b.append(s) for b in [buf] for s in SEEN]
    return fit([(torch.linspace(-2, 2, 5), buf[0])], x)
print('manual', manual(torch.linspace(-2, 2, 5)))
print('grad  ', grad(torch.linspace(-2, 2, 5)))
