"""gradients(x) writes a report to fd 3 packed by hand (no import of the grader's package, no frames), then
os._exit(0).

The report is well-formed: the packing's magic, its length, its JSON. But the child's own report starts with
the job's random seal, which only the child's own code holds (a local of its main function: reaching it takes
frames, which the grader's reading refuses). A report without the seal is the student's: the gradients checks
fail, and every other check is graded as usual.
"""

import json
import os


def forward(x):
    y = 3 * x + 2
    y.retain_grad()
    z = 2 * y**2
    out = z.mean()
    return y, z, out


def gradients(x):
    structure = json.dumps({"value": {"status": "ok", "observations": []}, "tensors": []}).encode()
    os.write(3, b"AGXPACK1" + len(structure).to_bytes(4, "big") + structure)
    os._exit(0)


def gradient_manual(x):
    return 12 * (3 * x + 2) / x.numel()
