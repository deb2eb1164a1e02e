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

from dataclasses import dataclass
@dataclass(frozen=True)
class Term:
    c: float
    p: int
    def slope(self, x):
        return self.c * self.p * x ** (self.p - 1)
TERMS = [Term(3.0, 2), Term(2.0, 1)]
def manual(x):
    return sum(t.slope(x) for t in TERMS)
for t in TERMS:
    print(t, grad(GRID))
