"""Clock-synchronisation logs: `system,ts,offset_ms` (FINRA 4590 asks members to keep them).

An offset is how far the system's clock was from the reference at `ts`, in milliseconds (decimals
and a sign allowed). Stored exactly, as integer nanoseconds, so 50.0004 ms is beyond 50 ms.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import polars as pl

from proctor.trading.importers._intake import (
    Checker,
    Parsed,
    blank_null,
    detect_format,
    parse_price,
    parse_ts,
    read_text_table,
    require_columns,
    restrict_day,
    trading_day,
)

CANONICAL = ["system", "ts", "offset_ms"]
COLUMNS = ["day", "symbol", "system", "ts", "offset_ns"]


def parse(
    path: Path, fmt: str | None, *, day: date | None, now: datetime | None = None
) -> tuple[Parsed, bytes, str]:
    fmt = detect_format(path, fmt)
    frame, raw = read_text_table(path, fmt)
    require_columns(frame, CANONICAL, str(path))
    check = Checker(frame, str(path), now)
    system = blank_null(frame["system"])
    check.flag(system.is_null(), "system", "blank system name")
    ts = parse_ts(frame["ts"], check, "ts")
    text = frame["offset_ms"].str.strip_chars()
    negative = text.str.starts_with("-")
    magnitude = parse_price(
        text.str.strip_prefix("-").str.strip_prefix("+"), check, "offset_ms", required=True
    )
    offset_ns = pl.Series(
        [None if m is None else (-m if n else m) for m, n in zip(magnitude, negative, strict=True)],
        dtype=pl.Int64,
    )  # micro-ms = ns
    out = pl.DataFrame(
        {"symbol": pl.Series(["_all"] * frame.height), "system": system, "ts": ts, "offset_ns": offset_ns}
    )
    out = out.with_columns(trading_day(ts).alias("day"))
    restrict_day(out, check, day, "ts")
    return Parsed("clock", check.good(out).select(COLUMNS), frame.height, check.issues), raw, fmt
