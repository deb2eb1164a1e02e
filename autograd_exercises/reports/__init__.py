"""Reports: turn :class:`~autograd_exercises.results.ExerciseResult` objects into text, JSON, JUnit or PrairieLearn JSON.

Each format is one pure function ``render(results, **options) -> str``.
"""

from __future__ import annotations

from autograd_exercises.reports import gradescope, junit, prairielearn, text

FORMATS = {"text": text.render, "json": gradescope.render, "junit": junit.render,
           "prairielearn": prairielearn.render}
