"""gradients(x) forges a whole multi-check report in which every check's "wall" (its seconds) is NaN,
then os._exit(0).

JSON text may spell NaN and Infinity (Python's reader accepts them), and the grader copied each
check's wall into its result unchecked: results.json then held the bare token NaN (not JSON: Gradescope's
and every strict parser refuse the whole file) and JUnit a time="nan" (not an xs:decimal). Expected: the
report is refused as unreadable (a wall must be a finite number), the grader then runs one child per
check, the gradients checks fail, every other check keeps its points, and every report is strict JSON.
"""

import traceback
import os
import sys


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
    os.write(3, _sealed() + packing.pack({"status": "ok", "checks": checks}))
    os._exit(0)


def gradient_manual(x):
    return 12 * (3 * x + 2) / x.numel()
