"""gradients(x) writes a forged report whose tensor bytes are a pickle that runs code, then os._exit(0).

The report's raw section holds a torch.save file of an object whose
__reduce__ calls exec: unpickled in the grader (even by an unpickler with a
hole) it would create /tmp/autograd-hostile-pickle-<server pid>. The table
says it is a byte tensor that gradients(x) returned. The grader never
unpickles a report's bytes, it only views them: nothing runs, the gradients
checks fail (a byte tensor of the wrong shape), every other check keeps its points.
"""

import traceback
import io
import json
import os
import sys

import torch


def _child_global(name):
    """A name of the sandbox child's own module, from its frame: the child takes the grader's modules out of
    sys.modules before a submission runs, and this file goes on to test the layers behind that."""
    frame = next(traceback.walk_stack(None))[0]  # (a library hands frames: the child refuses sys._getframe)
    while frame is not None and frame.f_globals.get("__name__") != "autograd_exercises.sandbox.child":
        frame = frame.f_back
    return frame.f_globals[name]


packing = _child_global("packing")


def _sealed() -> bytes:
    """This run's seal, taken from the sandbox child's frame, so that what follows is read as a report (the grader's
    reading refuses a file that reaches frames: the hostile tests run it anyway, to test the sandbox's own layers)."""
    frame = next(traceback.walk_stack(None))[0]  # (a library hands frames: the child refuses sys._getframe)
    while frame is not None and "seal" not in frame.f_locals:
        frame = frame.f_back
    return frame.f_locals["seal"] if frame is not None else b""


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


def forge(document: dict, data: bytes = b"") -> bytes:
    """A report in the packed layout (MAGIC, length, JSON, raw tensor bytes), whatever its parts hold."""
    structure = json.dumps(document).encode()
    return packing.MAGIC + len(structure).to_bytes(4, "big") + structure + data


def gradients(x):
    buffer = io.BytesIO()
    torch.save(Payload(), buffer)
    payload = buffer.getvalue()
    described = {"type": "tensor", "subclass": None, "requires_grad": False, "grad_fn": None, "is_leaf": True,
                 "retains_grad": False, "shape": [len(payload)], "dtype": "uint8", "value": {"$tensor": 0}}
    outcome = {"name": "gradients", "returned": {"type": "tuple", "length": 2, "items": [described, described]},
               "exception": None, "warnings": [], "autograd_calls": 1}
    document = {"value": {"status": "ok", "observations": [{"gradients": outcome, "x_grad": described}]},
                "tensors": [["uint8", [len(payload)], 0]]}
    os.write(3, _sealed() + forge(document, payload))
    os._exit(0)


def gradient_manual(x):
    return 12 * (3 * x + 2) / x.numel()
