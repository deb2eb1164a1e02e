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

class Quad:
    def __init__(self):
        self.cache = {}
    def forward(self, v):
        self.cache['v'] = v
        return 3 * v ** 2 + 2 * v
    def backward(self, g):
        v = self.cache['v']
        return (6 * v + 2) * g
def manual(x):
    q = Quad()
    q.forward(x)
    return q.backward(torch.ones_like(x))
print(grad(GRID))
