"""Generic CSV: a header row naming interchange fields, then one record per row.

Columns are the fields of ``_generic`` (docs/comms.md); unknown columns are kept in the record
bytes but not interpreted. Because a row means nothing without its header, a row's record bytes
are the header line followed by the row's own lines exactly as in the file (a quoted field may
span lines). A row with the wrong number of fields is quarantined with its row number.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from proctor.comms.formats._files import read_file
from proctor.comms.formats._generic import to_item
from proctor.comms.model import ParsedItem, ParseOptions, Quarantined

FORMAT = "generic_csv"


class _Lines:
    """Feeds csv.reader line by line and remembers which physical lines made up each row."""

    def __init__(self, lines: list[str]) -> None:
        self._lines = iter(lines)
        self.taken: list[str] = []
        self.line_number = 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.taken.append(line)
        self.line_number += 1
        return line


def iter_items(path: Path, options: ParseOptions | None = None) -> Iterator[ParsedItem]:
    zone = (options or ParseOptions()).zone()
    data = read_file(path, FORMAT)
    if not isinstance(data, bytes):
        yield data
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
    while True:
        feed.taken = []
        start_line = feed.line_number + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            row_number += 1
            bad = "".join(feed.taken)
            origin = f"{path}#row {row_number}"
            yield Quarantined(_raw(header_raw, bad), origin, FORMAT, f"{origin} (line {start_line}): {exc}")
            continue
        body = "".join(feed.taken).rstrip("\r\n")
        if not row or not body.strip():
            continue
        row_number += 1
        origin = f"{path}#row {row_number}"
        raw = _raw(header_raw, body)
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
