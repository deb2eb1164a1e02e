# (after tests/test_saved.py's PREAMBLE)

class Term:
    def __init__(self, c, p):
        self.c = c
        self.p = p
    def d(self, x):
        return self.c.weight.grad[0, 0] * x ** (self.p - 1)
TERMS = [Term(torch.nn.Linear(1, 1, bias=False), 2), Term(torch.nn.Linear(1, 1, bias=False), 1)]
_g = grad(GRID)
(TERMS[0].c.weight* (_g[3] - _g[2])).sum().backward()
(TERMS[1].c.weight * _g[2]).sum().backward()
def manual(x):
    return sum(t.d(x) for t in TERMS)
