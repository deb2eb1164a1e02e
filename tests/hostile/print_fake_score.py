"""Prints fake scores: a Gradescope-style JSON document and "10/10" at import and in gradient_manual.

gradient_manual(x) prints instead of returning (it returns None) through
print, sys.stderr, sys.__stdout__ and os.write(1). Student output only ever
travels inside a check's "output" text, so `grade ... --format json` still
prints one JSON document whose score is the real one: 7 of 10 (the two
gradient_manual checks fail).
"""

import json
import os
import sys

import torch

FAKE = json.dumps({"score": 10, "max_score": 10, "output": "10/10", "tests": [
    {"name": "exercise-2: everything", "score": 10, "max_score": 10, "status": "passed"}]})
print(FAKE)
print("Score: 10/10")


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
    print(FAKE)
    print("10/10 points: all checks passed")
    print(FAKE, file=sys.stderr)
    sys.__stdout__.write(FAKE + "\n")
    sys.__stdout__.flush()
    os.write(1, (FAKE + "\n").encode())
