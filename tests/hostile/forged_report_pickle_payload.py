"""gradients(x) writes a forged report whose tensor file pickles code to run, then os._exit(0).

The report's structure is valid JSON; its torch.save part holds an object whose
__reduce__ calls exec: with a plain torch.load it would create
/tmp/autograd-hostile-pickle-<server pid> in the grader's process. The grader
reads that part with weights_only=True, so the load is refused: the gradients
checks fail, nothing runs in the grader, and every other check keeps its points.
"""

import io
import os

import torch

from autograd_exercises.sandbox import packing


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


def forge(structure: bytes, tensor_file: bytes) -> bytes:
    """A report in the packed layout (MAGIC, length, JSON, torch.save file), whatever its parts hold."""
    return packing.MAGIC + len(structure).to_bytes(4, "big") + structure + tensor_file


def gradients(x):
    buffer = io.BytesIO()
    torch.save(Payload(), buffer)
    os.write(3, forge(b'{"value":{"status":"ok","observations":[]},"tensors":[]}', buffer.getvalue()))
    os._exit(0)


def gradient_manual(x):
    return 12 * (3 * x + 2) / x.numel()
