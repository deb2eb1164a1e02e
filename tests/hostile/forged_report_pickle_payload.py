"""gradients(x) writes a forged result to fd 3 whose pickle runs code when unpickled, then os._exit(0).

The "report" is a torch.save file of an object whose __reduce__ calls exec:
with a plain torch.load it would create /tmp/autograd-hostile-pickle-<server pid>
in the grader's process. The grader loads results with weights_only=True, so
the load is refused: the gradients checks fail, nothing runs in the grader,
and every other check keeps its full points.
"""

import io
import os

import torch


def forward(x):
    y = 3 * x + 2
    y.retain_grad()
    z = 2 * y**2
    out = z.mean()
    return y, z, out


class Payload:
    def __reduce__(self):
        path = f"/tmp/autograd-hostile-pickle-{os.getppid()}"
        return exec, (f"open({path!r}, 'w').write('code ran in the grader')",)


def gradients(x):
    buffer = io.BytesIO()
    torch.save({"status": "ok", "observations": [Payload()]}, buffer)
    os.write(3, buffer.getvalue())
    os._exit(0)


def gradient_manual(x):
    return 12 * (3 * x + 2) / x.numel()
