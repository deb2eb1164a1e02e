# (after tests/test_saved.py's PREAMBLE)
class Keep:
    def put(self, v):
        self.seen = v
    def get(self):
        return self.seen
Keep.put(Keep, grad(GRID))
def manual(x):
    return fit([(torch.linspace(-2, 2, 5), Keep().get())], x)
print(grad(GRID))
