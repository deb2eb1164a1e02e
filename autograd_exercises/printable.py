"""Text of a student's on its way to a terminal, a CSV or a feedback file: every character that could act there,
or pass for another, written out as its escape."""

from __future__ import annotations

import re
import unicodedata


def printable(text: str, keep: str = "") -> str:
    """``text`` with every control, format or invisible character (an escape sequence, a carriage return, a
    right-to-left override, a lone surrogate, a combining grapheme joiner) but those in ``keep`` (``"\\n"``) written
    as its escape (``\\x1b``, ``\\u034f``), as ``ascii()`` writes it: a file's name, a notebook's field, a quoted line
    are the student's, and they go to the instructor's terminal, the CSV and the feedback, where a name must not
    pass for another's (``bob`` and ``bob`` + U+034F look the same)."""
    bare = text
    for char in keep:
        bare = bare.replace(char, "")
    if bare.isprintable() and not INVISIBLE.search(bare):
        return text  # (the usual case, at C speed: a report of many lines is on every row's path)
    return "".join(ascii(char)[1:-1] if (unicodedata.category(char) in UNPRINTABLE or INVISIBLE.match(char))
                   and char not in keep else char for char in text)


UNPRINTABLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
# Unicode's Default_Ignorable_Code_Point (DerivedCoreProperties.txt): characters that render as nothing, among them
# marks and letters that str.isprintable() and str.isalnum() accept (U+034F, U+3164, variation selectors).
INVISIBLE = re.compile("[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
                        "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8\U0001bca0-\U0001bca3"
                        "\U0001d173-\U0001d17a\U000e0000-\U000e0fff]")
