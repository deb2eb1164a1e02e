# (after tests/test_saved.py's PREAMBLE)

lin = torch.nn.Linear(1, 1, bias=False)
(lin.weight * grad(GRID)[2]).sum().backward()
def manual(x):
    return 6 * x + lin.weight.grad[0, 0]
