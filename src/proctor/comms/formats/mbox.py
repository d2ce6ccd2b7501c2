"""MBOX files (mboxo and mboxrd): messages separated by ``From `` envelope lines.

The record for each message is the RFC 5322 message itself: the envelope line is the mailbox's
bookkeeping, not part of what was sent, and the ``>From `` quoting is undone so the same
message captured from an MBOX and from a mail server hashes the same and is stored once.
Anything before the first envelope line is kept as a quarantined item, never skipped. An empty
file is quarantined (an export with nothing in it is a fault to report, not zero messages), and
so is a last message that stops mid-line: every MBOX writer ends a message with a line break,
so one without it was cut short and must not be stored as complete. A message with a line over
the line limit (``Limits.max_line_bytes``) is quarantined with its bytes, not parsed.
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
    limit = opts.limits.max_line_bytes
    number = 0
    current: list[bytes] | None = None
    preamble: list[bytes] = []

    def finished(lines: list[bytes]) -> ParsedItem:
        raw = _unescape(lines, pattern)
        origin = f"{path}#{number}"
        longest = max(map(len, lines), default=0)
        if longest > limit:
            reason = f"{origin}: a line is {longest:,} bytes, over the {limit:,}-byte line limit"
            return Quarantined(raw, origin, FORMAT, reason)
        return parse_rfc5322(raw, origin, FORMAT, zone=zone)

    try:
        handle = path.open("rb")
    except OSError as exc:
        yield Quarantined(b"", str(path), FORMAT, f"{path}: cannot read file: {exc.strerror or exc}")
        return
    with handle:
        last = b""
        for line in handle:
            last = line
            if line.startswith(b"From "):
                if current is not None:
                    yield finished(current)
                elif _blank(preamble) is None:
                    yield _preamble(path, preamble)
                number += 1
                current = []
            elif current is None:
                preamble.append(line)
            else:
                current.append(line)
    if current is not None and not last.endswith(b"\n"):
        raw = _unescape(current, pattern)
        reason = f"{path}#{number}: truncated: the file ends mid-line, inside this message"
        yield Quarantined(raw, f"{path}#{number}", FORMAT, reason)
    elif current is not None:
        yield finished(current)
    elif _blank(preamble) is None:
        yield _preamble(path, preamble)
    else:  # no envelope line at all, and nothing but blanks: an empty export, reported as such
        yield Quarantined(
            b"".join(preamble), str(path), FORMAT, f"{path}: empty file: the export holds no messages"
        )


def _blank(lines: list[bytes]) -> bytes | None:
    data = b"".join(lines)
    return data if not data.removeprefix(b"\xef\xbb\xbf").strip() else None


def _preamble(path: Path, lines: list[bytes]) -> Quarantined:
    return Quarantined(
        b"".join(lines),
        f"{path}#0",
        FORMAT,
        f"{path}#0: envelope: data before the first 'From ' line is not part of any message",
    )
