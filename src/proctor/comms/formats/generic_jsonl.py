"""Generic JSON Lines: one interchange record per line (fields in ``_generic``, docs/comms.md).

The record bytes are the line without its line break. A line that is not JSON, or lacks a
required field, is quarantined with its line number; the lines around it still import.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from proctor.comms.formats._files import empty, read_file
from proctor.comms.formats._generic import to_item
from proctor.comms.formats._jsonspans import depth
from proctor.comms.model import ParsedItem, ParseOptions, Quarantined

FORMAT = "generic_jsonl"


def iter_items(path: Path, options: ParseOptions | None = None) -> Iterator[ParsedItem]:
    zone = (options or ParseOptions()).zone()
    # A line's record bytes are the line: an empty file, or one line past the line limit, is
    # quarantined rather than read as nothing.
    opts = options or ParseOptions()
    data = read_file(path, FORMAT)
    if not isinstance(data, bytes):
        yield data
        return
    blank = empty(data, str(path), FORMAT)
    if blank is not None:
        yield blank
        return
    for number, line in enumerate(data.removeprefix(b"\xef\xbb\xbf").split(b"\n"), start=1):
        raw = line.removesuffix(b"\r")
        if not raw.strip():
            continue
        origin = f"{path}#line {number}"
        if len(raw) > opts.limits.max_line_bytes:
            limit = opts.limits.max_line_bytes
            reason = f"{origin}: line is {len(raw):,} bytes, over the {limit:,}-byte line limit"
            yield Quarantined(raw, origin, FORMAT, reason)
            continue
        try:
            record = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            yield Quarantined(raw, origin, FORMAT, f"{origin}: invalid JSON: {exc}")
            continue
        except RecursionError:
            yield Quarantined(raw, origin, FORMAT, f"{origin}: nests deeper than the JSON reader can follow")
            continue
        deepest = opts.limits.max_depth
        if raw.count(b"[") + raw.count(b"{") > deepest and depth(record) > deepest:
            yield Quarantined(raw, origin, FORMAT, f"{origin}: nests deeper than {deepest} levels")
            continue
        yield to_item(record, raw, origin, FORMAT, zone)
