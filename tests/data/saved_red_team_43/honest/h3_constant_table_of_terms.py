# (after tests/test_saved.py's PREAMBLE)
class Term:
    def __init__(self, c, k):
        self.c = c
        self.k = k
    def coef(self):
        return self.k * self.c
    def slope(self, x):
        return self.coef() * x ** (self.k - 1)
TERMS = (Term(3.0, 2), Term(2.0, 1))
def manual(x):
    return sum(t.slope(x) for t in TERMS)
print(grad(GRID), manual(torch.linspace(-2, 2, 5)))
