"""gradients(x) writes a forged report whose tensor bytes are a pickle that runs code, then os._exit(0).

The report's raw section holds a torch.save file of an object whose
__reduce__ calls exec: unpickled in the grader (even by an unpickler with a
hole) it would create /tmp/autograd-hostile-pickle-<server pid>. The table
says it is a byte tensor that gradients(x) returned. The grader never
unpickles a report's bytes, it only views them: nothing runs, the gradients
checks fail (a byte tensor of the wrong shape), every other check keeps its points.
"""

import io
import json
import os
import sys

import torch


def _child_global(name):
    """A name of the sandbox child's own module: the child takes the grader's modules out of sys.modules and hands a
    submission no frame, but its namespace lies behind the import finder it puts on sys.meta_path, and this file goes
    on to test the layers behind that."""
    for finder in sys.meta_path:
        try:
            space = type(finder).find_spec.__globals__
        except AttributeError:  # (a finder of a built-in class)
            continue
        if space.get("__name__") == "autograd_exercises.sandbox.child":
            return space[name]
    raise LookupError(name)


packing = _child_global("packing")


def _sealed(report: bytes) -> bytes:
    """``report`` signed with this run's seal (HMAC-SHA256 after it), as a child that reached the seal would sign it.
    The seal is a local of the child's main, and the child hands no code its frames: the hostile tests fix the run's
    seal to this value (``FORGED_SEAL`` in tests/test_hostile.py) to test the grader's own reading of such a report."""
    import hmac

    return report + hmac.new(b"0123456789abcdef0123456789abcdef", report, "sha256").digest()


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
    os.write(3, _sealed(forge(document, payload)))
    os._exit(0)


def gradient_manual(x):
    return 12 * (3 * x + 2) / x.numel()
