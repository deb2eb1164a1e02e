"""gradients(x) writes a forged report whose tensor data is DEFLATE-compressed: 50 MB of zeros in ~50 KB.

torch.save writes stored (uncompressed) zip entries; a grader that let
torch.load inflate any entry would unpack the bomb in its own memory.
Expected: a compressed entry is refused before anything is unpacked, the
gradients checks fail, every other check keeps its points.
"""

import io
import os
import zipfile

import torch

from autograd_exercises.sandbox import packing


def forward(x):
    y = 3 * x + 2
    y.retain_grad()
    z = 2 * y**2
    out = z.mean()
    return y, z, out


def forge(structure: bytes, tensor_file: bytes) -> bytes:
    """A report in the packed layout (MAGIC, length, JSON, torch.save file), whatever its parts hold."""
    return packing.MAGIC + len(structure).to_bytes(4, "big") + structure + tensor_file


def gradients(x):
    buffer = io.BytesIO()
    torch.save(torch.zeros(16, dtype=torch.uint8), buffer)
    original = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    bombed = io.BytesIO()
    with zipfile.ZipFile(bombed, "w", zipfile.ZIP_STORED) as archive:
        for name in original.namelist():
            if "/data/" in name:
                archive.writestr(name, original.read(name) + bytes(50 << 20), compress_type=zipfile.ZIP_DEFLATED)
            else:
                archive.writestr(name, original.read(name))
    os.write(3, forge(b'{"value":{"status":"ok","observations":[]},"tensors":[]}', bombed.getvalue()))
    os._exit(0)


def gradient_manual(x):
    return 12 * (3 * x + 2) / x.numel()
