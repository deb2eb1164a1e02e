import torch


def f(x):
    return 3 * x**2 + 2 * x


def grad(x):
    x = x.detach().clone().requires_grad_()
    f(x).sum().backward()
    return x.grad


def fit(pairs, x):
    xs, gs = torch.cat([p[0] for p in pairs]), torch.cat([p[1] for p in pairs])
    a = ((xs - xs.mean()) * (gs - gs.mean())).sum() / ((xs - xs.mean()) ** 2).sum()
    return a * x + gs.mean() - a * xs.mean()


GRID = torch.linspace(-2, 2, 5)
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
