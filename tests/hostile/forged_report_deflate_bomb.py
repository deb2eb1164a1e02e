"""gradients(x) writes a forged report whose data.pkl is DEFLATE-compressed: 50 MB of zeros in ~50 KB.

torch.save writes stored (uncompressed) zip entries; a grader that let
torch.load inflate any entry would unpack the bomb in its own memory.
Expected: a compressed entry is refused before anything is unpacked, the
gradients checks fail, every other check keeps its points.
"""

import io
import os
import zipfile

import torch


def forward(x):
    y = 3 * x + 2
    y.retain_grad()
    z = 2 * y**2
    out = z.mean()
    return y, z, out


def gradients(x):
    buffer = io.BytesIO()
    torch.save({"status": "ok", "observations": []}, buffer)
    original = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    forged = io.BytesIO()
    with zipfile.ZipFile(forged, "w", zipfile.ZIP_STORED) as archive:
        for name in original.namelist():
            if name.endswith("data.pkl"):
                archive.writestr(name, original.read(name) + bytes(50 << 20), compress_type=zipfile.ZIP_DEFLATED)
            else:
                archive.writestr(name, original.read(name))
    os.write(3, forged.getvalue())
    os._exit(0)


def gradient_manual(x):
    return 12 * (3 * x + 2) / x.numel()
