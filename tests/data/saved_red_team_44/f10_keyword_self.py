# (after tests/test_saved.py's PREAMBLE)
class Keep:
    def put(self, v):
        self.seen = v
    def get(self):
        return self.seen
def saving(n):
    Keep.put(self=Keep, v=grad(torch.linspace(-2, 2, n)))
saving(5)
def manual(x):
    return fit([(torch.linspace(-2, 2, 5), Keep().get())], x)
print(grad(GRID))
