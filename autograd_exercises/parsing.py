"""What parsing a student's code may raise: the file is hostile text, and Python's parser refuses it in more ways
than ``SyntaxError`` (a null byte: ``ValueError`` before Python 3.12; nesting thousands deep: ``RecursionError`` or
``MemoryError``). Every reading of a submission's code catches these, not ``SyntaxError`` alone (walkthrough 71: the
kernel's reading of its history caught only that, and a cell holding a null byte ended ``check()`` in a traceback).
"""

from __future__ import annotations

PARSE_ERRORS = (SyntaxError, ValueError, RecursionError, MemoryError)
