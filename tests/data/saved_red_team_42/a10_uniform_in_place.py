# (after tests/test_saved.py's PREAMBLE)

torch.manual_seed(int(grad(GRID)[2]))
def manual(x):
    u = torch.empty(1).uniform_()
    for s in range(100):
        if torch.equal(torch.empty(1).uniform_(generator=torch.Generator().manual_seed(s)), u):
            return 6 * x + s
    return 6 * x
