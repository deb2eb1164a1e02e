"""A results document cut to the size a platform takes.

PrairieLearn's grader host refuses a ``results.json`` over 1 MB ("The grading results were larger than
1MB"), and what the student sees is then a grading error, not a score. A student's code decides how much
text a result carries (what it printed, its warnings, its exceptions' messages, file names), so every
document we hand a platform is cut to :data:`LIMIT` bytes: the longest texts are shortened, each to the
same number of characters, until the whole fits, and each cut text says how much of it was left out.
Scores, names and the structure are never touched.
"""

from __future__ import annotations

import json
from typing import Any

LIMIT = 900_000  # bytes of the document's JSON, as written (indent 2): under PrairieLearn's 1 MB, with room
SHORTEST = 200  # no text is cut below this many characters
CUT = "\n… ({:,} more characters not shown: the results file has a size limit)"


def size(document: Any) -> int:
    return len(json.dumps(document, indent=2).encode("utf-8"))


def _cut(value: Any, longest: int) -> Any:
    """``value`` with every string longer than ``longest`` characters shortened to it, and a note."""
    if isinstance(value, str):
        return value if len(value) <= longest else value[:longest] + CUT.format(len(value) - longest)
    if isinstance(value, dict):
        return {key: _cut(item, longest) for key, item in value.items()}
    if isinstance(value, list):
        return [_cut(item, longest) for item in value]
    return value


def _longest_string(value: Any) -> int:
    if isinstance(value, str):
        return len(value)
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    return max((_longest_string(item) for item in items), default=0)


def fit(document: dict, limit: int = LIMIT) -> dict:
    """``document`` itself when its JSON is at most ``limit`` bytes; otherwise a copy whose texts are cut to the
    most characters each (found by bisection, at least :data:`SHORTEST`) that keeps it within ``limit``."""
    if size(document) <= limit:
        return document
    high = min(_longest_string(document), limit)  # (no text longer than the whole limit can stay)
    low = SHORTEST  # low always fits, or nothing does
    while low < high:
        middle = (low + high + 1) // 2
        if size(_cut(document, middle)) <= limit:
            low = middle
        else:
            high = middle - 1
    return _cut(document, low)
