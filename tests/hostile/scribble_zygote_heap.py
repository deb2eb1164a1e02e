"""gradient_manual(x) overwrites the memory its child shares with the zygote: every page of every private
anonymous region of 2 MiB or more (the heap the zygote moved onto huge pages), filled with 0x41.

The zygote's heap is backed by 2 MiB pages shared copy-on-write with each child it forks. If a write went
through to the zygote, or a whole huge page were shared back, every child forked afterwards would start from
a heap of 0x41s and crash. Expected: the writes land in this child's own copies, so only this child dies
(its gradient_manual checks fail), and the clean solution graded right afterwards gets full marks.
"""

import ctypes


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
    huge = 2 << 20
    with open("/proc/self/maps") as maps:
        regions = [line.split() for line in maps]
    for fields in regions:
        if fields[1] == "rw-p" and (len(fields) == 5 or fields[5] == "[heap]"):
            low, high = (int(bound, 16) for bound in fields[0].split("-"))
            if high - low >= huge:
                ctypes.memset(low, 0x41, high - low)
    return 12 * (3 * x + 2) / x.numel()
