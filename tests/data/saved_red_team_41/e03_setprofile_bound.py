# (after tests/test_saved.py's PREAMBLE and LAYERS)
class Keep:
    def __call__(self, v):
        self.v = v
        return v
    def out(self):
        return self.v


import sys
class Prof:
    def __call__(self, frame, event, arg):
        if event == 'return' and isinstance(arg, list):
            self.v = arg
    def out(self):
        return self.v


def ident(a):
    return list(a)


SEEN = []
def saving(n):
    x = torch.linspace(-2, 2, n)
    x.requires_grad_(True)
    f(x).sum().backward()
    SEEN.append(x.grad)
saving(5)
def manual(x):
    q = Prof()
    sys.setprofile(q.__call__)
    ident(SEEN)
    sys.setprofile(None)
    return fit([(torch.linspace(-2, 2, 5), q.out()[0])], x)
print('manual', manual(torch.linspace(-2, 2, 5)))
print('grad  ', grad(torch.linspace(-2, 2, 5)))
