"""MBOX files (mboxo and mboxrd): messages separated by ``From `` envelope lines.

The record for each message is the RFC 5322 message itself: the envelope line is the mailbox's
bookkeeping, not part of what was sent, and the ``>From `` quoting is undone so the same
message captured from an MBOX and from a mail server hashes the same and is stored once.
Anything before the first envelope line is kept as a quarantined item, never skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from proctor.comms.formats._mime import parse_rfc5322
from proctor.comms.model import ParsedItem, ParseOptions, Quarantined

FORMAT = "mbox"
_MBOXRD = re.compile(rb"^>(>*From )")
_MBOXO = re.compile(rb"^>(From )")
_BLANK = (b"\n", b"\r\n")


def _unescape(lines: list[bytes], pattern: re.Pattern[bytes]) -> bytes:
    if lines and lines[-1] in _BLANK:
        lines = lines[:-1]
    return b"".join(pattern.sub(rb"\1", line) if line.startswith(b">") else line for line in lines)


def iter_items(path: Path, options: ParseOptions | None = None) -> Iterator[ParsedItem]:
    opts = options or ParseOptions()
    zone = opts.zone()
    pattern = _MBOXO if opts.mbox_variant == "mboxo" else _MBOXRD
    number = 0
    current: list[bytes] | None = None
    preamble: list[bytes] = []
    try:
        handle = path.open("rb")
    except OSError as exc:
        yield Quarantined(b"", str(path), FORMAT, f"{path}: cannot read file: {exc.strerror or exc}")
        return
    with handle:
        for line in handle:
            if line.startswith(b"From "):
                if current is not None:
                    yield parse_rfc5322(_unescape(current, pattern), f"{path}#{number}", FORMAT, zone=zone)
                elif b"".join(preamble).strip():
                    yield _preamble(path, preamble)
                number += 1
                current = []
            elif current is None:
                preamble.append(line)
            else:
                current.append(line)
    if current is not None:
        yield parse_rfc5322(_unescape(current, pattern), f"{path}#{number}", FORMAT, zone=zone)
    elif b"".join(preamble).strip():
        yield _preamble(path, preamble)


def _preamble(path: Path, lines: list[bytes]) -> Quarantined:
    return Quarantined(
        b"".join(lines),
        f"{path}#0",
        FORMAT,
        f"{path}#0: envelope: data before the first 'From ' line is not part of any message",
    )
