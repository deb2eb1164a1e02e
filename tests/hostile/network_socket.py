"""gradient_manual(x) opens network sockets: a UDP datagram to 127.0.0.1:9 and a TCP connection to 1.1.1.1:80.

Where a network layer exists (seccomp refuses AF_INET sockets, or a network
namespace with no interface up) the first attempt raises OSError and the
gradient_manual checks fail; the rest is graded.
"""

import socket

import torch


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
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        udp.sendto(b"leak", ("127.0.0.1", 9))
    with socket.create_connection(("1.1.1.1", 80), timeout=0.5):
        pass
    return 12 * (3 * x + 2) / x.numel()
