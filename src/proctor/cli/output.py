"""Where `proctor` writes for a person and where it writes for a file, a pipe or a script.

Rich wraps to the terminal's width, and to 80 columns when there is no terminal: an alert id, a
SHA-256 or a file path piped into a log or a ticket came out split over two lines, and pasting it
back found nothing. Output that is not going to a terminal is therefore never wrapped (lines are
as long as their content; `COLUMNS` still wins when set); a terminal keeps Rich's wrapping.
"""

from __future__ import annotations

import os
import sys

from rich.console import Console

UNWRAPPED = 100_000  # wider than any line we print: tables take their natural width


def make_console(*, stderr: bool = False) -> Console:
    stream = sys.stderr if stderr else sys.stdout
    if os.environ.get("COLUMNS") or (hasattr(stream, "isatty") and stream.isatty()):
        return Console(stderr=stderr)
    return Console(stderr=stderr, width=UNWRAPPED, soft_wrap=True)
