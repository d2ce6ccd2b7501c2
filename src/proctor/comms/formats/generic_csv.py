"""Generic CSV: a header row naming interchange fields, then one record per row.

Columns are the fields of ``_generic`` (docs/comms.md); unknown columns are kept in the record
bytes but not interpreted. Because a row means nothing without its header, a row's record bytes
are the header line followed by the row's own lines exactly as in the file (a quoted field may
span lines). A row with the wrong number of fields is quarantined with its row number.

An unterminated quote would make the reader swallow every following row into one field; so a
row that spans several lines and then fails (wrong field count, or the file ends inside the
quote) is quarantined as its first line only, and reading starts again on the next line. A line
longer than the line limit is quarantined as its own row.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from proctor.comms.formats._files import empty, read_file
from proctor.comms.formats._generic import to_item
from proctor.comms.model import ParsedItem, ParseOptions, Quarantined

FORMAT = "generic_csv"


class _Lines:
    """Feeds csv.reader line by line and remembers which physical lines made up each row."""

    def __init__(self, lines: list[str]) -> None:
        self._lines = lines
        self.taken: list[str] = []
        self.line_number = 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if self.line_number >= len(self._lines):
            raise StopIteration
        line = self._lines[self.line_number]
        self.taken.append(line)
        self.line_number += 1
        return line

    def rewind(self, line_number: int) -> None:
        """Go back to just after physical line ``line_number`` (1-based)."""
        self.line_number = line_number


def iter_items(path: Path, options: ParseOptions | None = None) -> Iterator[ParsedItem]:
    opts = options or ParseOptions()
    zone = opts.zone()
    data = read_file(path, FORMAT)
    if not isinstance(data, bytes):
        yield data
        return
    blank = empty(data, str(path), FORMAT)
    if blank is not None:
        yield blank
        return
    text = data.removeprefix(b"\xef\xbb\xbf").decode("utf-8", errors="surrogateescape")
    feed = _Lines(text.splitlines(keepends=True))
    reader = csv.reader(feed)
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        yield Quarantined(data, f"{path}#header", FORMAT, f"{path}#header: unreadable CSV header: {exc}")
        return
    header_raw = "".join(feed.taken).rstrip("\r\n")
    columns = [h.strip().lower() for h in header]
    if "sent_at" not in columns or "from" not in columns:
        reason = f"{path}#header: header must name at least sent_at and from (has {', '.join(columns)})"
        yield Quarantined(data, f"{path}#header", FORMAT, reason)
        return
    row_number = 0
    limit = opts.limits.max_line_bytes
    while True:
        feed.taken = []
        start_line = feed.line_number + 1
        if start_line <= len(feed._lines) and len(feed._lines[start_line - 1]) > limit:
            row_number += 1
            origin = f"{path}#row {row_number}"
            line = feed._lines[start_line - 1]
            reason = f"{origin} (line {start_line}): line is longer than the {limit:,}-character line limit"
            yield Quarantined(_raw(header_raw, line.rstrip("\r\n")), origin, FORMAT, reason)
            feed.rewind(start_line)
            reader = csv.reader(feed)
            continue
        try:
            row = next(reader)
            problem = None
        except StopIteration:
            break
        except csv.Error as exc:
            row, problem = [], str(exc)
        body = "".join(feed.taken).rstrip("\r\n")
        if problem is None and (not row or not body.strip()):
            continue
        row_number += 1
        origin = f"{path}#row {row_number}"
        spans = len(feed.taken) > 1
        unterminated = spans and feed.line_number >= len(feed._lines) and body.count('"') % 2 == 1
        if spans and (problem is not None or len(row) != len(columns) or unterminated):
            first = feed.taken[0].rstrip("\r\n")
            reason = (
                f"{origin} (line {start_line}): unterminated quote or broken row; this line is "
                f"quarantined on its own and reading goes on at line {start_line + 1}"
            )
            yield Quarantined(_raw(header_raw, first), origin, FORMAT, reason)
            feed.rewind(start_line)
            reader = csv.reader(feed)
            continue
        raw = _raw(header_raw, body)
        if problem is not None:
            yield Quarantined(raw, origin, FORMAT, f"{origin} (line {start_line}): {problem}")
            continue
        if len(row) != len(columns):
            reason = f"{origin} (line {start_line}): has {len(row)} fields, header has {len(columns)}"
            yield Quarantined(raw, origin, FORMAT, reason)
            continue
        record = {
            c: v.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
            for c, v in zip(columns, row, strict=True)
        }
        yield to_item(record, raw, origin, FORMAT, zone)


def _raw(header: str, body: str) -> bytes:
    return (header + "\n" + body).encode("utf-8", errors="surrogateescape")
