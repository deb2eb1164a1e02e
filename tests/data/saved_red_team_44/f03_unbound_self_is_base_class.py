# (after tests/test_saved.py's PREAMBLE)
class Base:
    def put(self, v):
        self.seen = v
class Keep(Base):
    def get(self):
        return self.seen
Base.put(Keep, grad(GRID))
def manual(x):
    return fit([(torch.linspace(-2, 2, 5), Keep().get())], x)
print(grad(GRID))
