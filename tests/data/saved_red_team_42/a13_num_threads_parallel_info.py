# (after tests/test_saved.py's PREAMBLE)

torch.set_num_threads(int(grad(GRID)[2]))
def manual(x):
    info = torch.__config__.parallel_info()
    line = [l for l in info.splitlines() if 'at::get_num_threads' in l][0]
    return 6 * x + int(line.split(':')[-1])
