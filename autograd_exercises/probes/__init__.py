"""The probes: the only exercise code the sandboxed child loads.

One module per exercise, listed in this explicit tuple (nothing is discovered).
The fork-server imports this package before any lock-down, so every probe is
loaded code when a child resolves ``autograd_exercises.probes.exercise_N:probe_x``.
A probe module imports only the standard library, torch,
:mod:`autograd_exercises.sandbox.observe` and other probe modules: never the graders,
the judge or the grading pipeline (``tests/test_layout.py`` holds it to that).
"""

from __future__ import annotations

from autograd_exercises.probes import exercise_1, exercise_2, exercise_3, exercise_4, exercise_5, exercise_6

MODULES = (exercise_1, exercise_2, exercise_3, exercise_4, exercise_5, exercise_6)
