# (after tests/test_saved.py's PREAMBLE)

import functools
class Keep:
    def __call__(self, v):
        self.v = v
        return v
    def out(self):
        return self.v
@functools.lru_cache(maxsize=None)
def make():
    return Keep()
make()(grad(GRID))
def manual(x):
    return fit([(torch.linspace(-2, 2, 5), make().out())], x)
