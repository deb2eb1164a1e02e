"""gradient_manual(x) forges a report whose tensor file's data.pkl is 2 MB of one-byte EMPTY_SET opcodes.

The zip is well-formed, stored and small, so it passes the size checks;
torch.load's weights-only unpickler (pure Python) would then run one opcode at
a time and build two million empty sets (about 220 bytes of grader memory per
byte of report, a second or more per million opcodes) before anything could
look at the result. Expected: the grader refuses such a report cheaply (a small
cap on data.pkl), its memory and time stay bounded, the gradient_manual checks
fail, every other check keeps its points.
"""

import io
import os
import zipfile

import torch

from autograd_exercises.sandbox import packing

OPCODES = 2 << 20


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


def forge(structure: bytes, tensor_file: bytes) -> bytes:
    """A report in the packed layout (MAGIC, length, JSON, torch.save file), whatever its parts hold."""
    return packing.MAGIC + len(structure).to_bytes(4, "big") + structure + tensor_file


def gradient_manual(x):
    buffer = io.BytesIO()
    torch.save(torch.zeros(16, dtype=torch.uint8), buffer)
    original = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    # a list filled 1,000 sets (EMPTY_SET, 0x8f) at a time
    body = b"\x80\x02]" + (b"(" + b"\x8f" * 1000 + b"e") * (OPCODES // 1000) + b"."
    forged = io.BytesIO()
    with zipfile.ZipFile(forged, "w", zipfile.ZIP_STORED) as archive:
        for name in original.namelist():
            archive.writestr(name, body if name.endswith("data.pkl") else original.read(name))
    os.write(3, forge(b'{"value":{"status":"ok","observations":[]},"tensors":[]}', forged.getvalue()))
    os._exit(0)
