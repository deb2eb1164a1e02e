"""gradient_manual(x) tries to make a 4 GiB file in its scratch folder: fallocate, truncate, then write at the end.

Only when a 4 GiB file really exists (allocated, or written at its last byte),
or one left by an earlier check is still there, does the function return the
right answer. Expected: RLIMIT_FSIZE (16 MB) and the size of the scratch
tmpfs refuse it (EFBIG or ENOSPC), the function raises OSError, the
gradient_manual checks fail, the machine's disk and memory are untouched and
the next grading works.
"""

import os

import torch

SIZE = 4 << 30
NAME = "big.bin"

MINE = set()  # processes that made the files: finding its own proves nothing


def forward(x):
    y = 3 * x + 2
    y.retain_grad()
    z = 2 * y**2
    out = z.mean()
    return y, z, out


def gradients(x):
    y, z, out = forward(x)
    out.backward()
    return x.grad, y.grad


def gradient_manual(x):
    if os.path.exists(NAME) and os.getpid() not in MINE:
        return 12 * (3 * x + 2) / x.numel()
    MINE.add(os.getpid())
    errors = []
    fd = os.open(NAME, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        for attempt in (lambda: os.posix_fallocate(fd, 0, SIZE), lambda: os.ftruncate(fd, SIZE),
                        lambda: os.pwrite(fd, b"x", SIZE - 1)):
            try:
                attempt()
            except OSError as exc:
                errors.append(exc)
        info = os.fstat(fd)
        if info.st_size >= SIZE and info.st_blocks * 512 >= SIZE:
            return 12 * (3 * x + 2) / x.numel()
        chunk = bytes(1 << 20)
        try:
            while os.fstat(fd).st_size < SIZE:
                os.write(fd, chunk)
        except OSError as exc:
            errors.append(exc)
    finally:
        os.close(fd)
    raise errors[-1] if errors else OSError("no error, but no 4 GiB file either")

