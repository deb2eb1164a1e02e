"""The ``grade`` console script: as little as can be before Ctrl-C is caught.

Importing the command line (click, then the package's modules) takes about 50 ms; Ctrl-C during it printed
Python's ``KeyboardInterrupt`` traceback. Here it is said as click says it once the command runs: ``Aborted!``
on standard error, exit status 1.
"""

from __future__ import annotations

import sys


def run() -> None:
    """Import the command line, then run it (:func:`autograd_exercises.cli.run`)."""
    try:
        from autograd_exercises import cli
    except KeyboardInterrupt:
        try:
            sys.stderr.write("\nAborted!\n")
        except (OSError, ValueError, AttributeError):
            pass
        raise SystemExit(1) from None
    cli.run()
