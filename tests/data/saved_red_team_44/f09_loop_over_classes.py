# (after tests/test_saved.py's PREAMBLE)
class Keep:
    def put(self, v):
        self.seen = v
    def get(self):
        return self.seen
for cls in [Keep]:
    cls.put(cls, grad(GRID))
def manual(x):
    return fit([(torch.linspace(-2, 2, 5), Keep().get())], x)
print(grad(GRID))
