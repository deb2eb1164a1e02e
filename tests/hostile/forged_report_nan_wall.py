"""gradients(x) forges a whole multi-check report in which every check's "wall" (its seconds) is NaN,
then os._exit(0).

JSON text may spell NaN and Infinity (Python's reader accepts them), and the grader copied each
check's wall into its result unchecked: results.json then held the bare token NaN (not JSON: Gradescope's
and every strict parser refuse the whole file) and JUnit a time="nan" (not an xs:decimal). Expected: the
report is refused as unreadable (a wall must be a finite number), the grader then runs one child per
check, the gradients checks fail, every other check keeps its points, and every report is strict JSON.
"""

import os
import sys


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


CHECKS = ("forward_values", "forward_retains_y_grad", "gradients_x", "gradients_fills_x_grad", "gradients_y",
          "gradients_notebook_example", "gradient_manual_values", "gradient_manual_by_hand")


def forward(x):
    y = 3 * x + 2
    y.retain_grad()
    z = 2 * y**2
    out = z.mean()
    return y, z, out


def gradients(x):
    checks = {name: {"observations": [], "wall": float("nan")} for name in CHECKS}
    os.write(3, _sealed(packing.pack({"status": "ok", "checks": checks})))
    os._exit(0)


def gradient_manual(x):
    return 12 * (3 * x + 2) / x.numel()
