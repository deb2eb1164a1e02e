"""gradient_manual(x) connects to a root daemon's unix socket by path: /tmp/autograd-hostile-<server pid>.sock.

Stands for /run/dbus/system_bus_socket, /run/systemd/private or
/var/run/docker.sock, which trust their peer's uid. The test listens there
with a 0600 socket owned by the grader's user. The connection must be
refused: the gradient_manual checks fail and the rest is graded. A child
switched to the slot's uid is refused; one that only dropped capabilities
keeps uid 0 and gets through (a known hole, xfail in tests/test_hostile.py).
"""

import os
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
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
        client.connect(f"/tmp/autograd-hostile-{os.getppid()}.sock")
        client.sendall(b"hello from the sandbox")
    return 12 * (3 * x + 2) / x.numel()
