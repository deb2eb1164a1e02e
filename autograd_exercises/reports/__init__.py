"""Reports: turn :class:`~autograd_exercises.results.ExerciseResult` objects into text, JSON or JUnit.

Each format is one pure function ``render(results, **options) -> str``.
"""

from __future__ import annotations

from autograd_exercises.reports import gradescope, junit, text

FORMATS = {"text": text.render, "json": gradescope.render, "junit": junit.render}
