# (after tests/test_saved.py's PREAMBLE)
class Keep:
    POOL = ([],)
    def put(self, v):
        self.POOL[0].append(v)
    def get(self):
        return self.POOL[0][0]
Keep().put(grad(GRID))
def manual(x):
    k = Keep()
    return fit([(torch.linspace(-2, 2, 5), k.get())], x)
print(grad(GRID))
