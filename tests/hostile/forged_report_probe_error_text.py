"""gradients(x) forges a report whose observation says ``{"probe_error": "boom"}`` (a string, not the
described exception the grader expects), then os._exit(0).

judge_run reads ``obs["probe_error"]["type"]`` before, and outside, the try that turns a judge's
surprise into a failed check: a string there raised TypeError out of grading.grade and lost the
whole submission's grading. Expected: the report is refused as unreadable (a probe_error must be a
described exception), the gradients checks fail with "could not read", every other check keeps its
points.
"""

import os

from autograd_exercises.sandbox import packing


def forward(x):
    y = 3 * x + 2
    y.retain_grad()
    z = 2 * y**2
    out = z.mean()
    return y, z, out


def gradients(x):
    os.write(3, packing.pack({"status": "ok", "observations": [{"probe_error": "boom"}]}))
    os._exit(0)


def gradient_manual(x):
    return 12 * (3 * x + 2) / x.numel()
