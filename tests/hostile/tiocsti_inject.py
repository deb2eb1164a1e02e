"""gradient_manual(x) tries to type into the grader's terminal with TIOCSTI (and to reach any terminal at all).

It opens ``/dev/tty``, ``/dev/console``, ``/dev/pts/*`` and tries the TIOCSTI ioctl
(push a character into a terminal's input) there and on its fds 0-2; a
character that got through would be read by the shell that runs the grader.
The character pushed is a NUL, harmless if it lands. Only when one push
succeeds does the function return the right answer. Expected: the child has a
new session with no controlling terminal, stdin is /dev/null and stdout a pipe,
/dev holds no terminal of the host, so every attempt fails and the function
raises PermissionError; the gradient_manual checks fail.
"""

import fcntl
import glob
import os
import termios

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
    succeeded, refused = [], []
    targets = [(str(fd), fd, False) for fd in (0, 1, 2)]
    for path in ["/dev/tty", "/dev/console", *glob.glob("/dev/pts/*"), *glob.glob("/dev/tty[0-9]*")]:
        try:
            targets.append((path, os.open(path, os.O_RDWR | os.O_NOCTTY), True))
        except OSError as exc:
            refused.append(f"open {path}: {exc.strerror}")
    for name, fd, opened in targets:
        try:
            fcntl.ioctl(fd, termios.TIOCSTI, b"\0")
            succeeded.append(name)
        except OSError as exc:
            refused.append(f"TIOCSTI {name}: {exc.strerror}")
        finally:
            if opened:
                os.close(fd)
    if not succeeded:
        raise PermissionError(f"refused: {refused}")
    print("typed into:", succeeded)
    return 12 * (3 * x + 2) / x.numel()
