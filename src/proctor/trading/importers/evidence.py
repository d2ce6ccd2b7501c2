"""Exception evidence: what a Rule 611 exception needs beyond the trade report itself.

`kind,order_id,venue,symbol,start_time,end_time,price,detail`. A self-help declaration names a
venue and a period; a stopped order, benchmark, QCT, error correction or print protection names
the order (and the stop or benchmark price where there is one). An evidence row without an order
or a venue cannot be tied to anything and is quarantined; a blank end time means still open.
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

KINDS = (
    "self_help", "stopped_order", "benchmark", "customer_iso_consent", "qct", "error_correction",
    "print_protection",
)  # fmt: skip
CANONICAL = ["kind", "order_id", "venue", "symbol", "start_time", "end_time", "price", "detail"]
COLUMNS = ["day", "symbol", "kind", "order_id", "venue", "start_ts", "end_ts", "price", "detail"]
ANY_SYMBOL = "_all"


def parse(
    path: Path, fmt: str | None, *, day: date | None, now: datetime | None = None
) -> tuple[Parsed, bytes, str]:
    fmt = detect_format(path, fmt)
    frame, raw = read_text_table(path, fmt)
    require_columns(frame, CANONICAL, str(path))
    check = Checker(frame, str(path), now)
    kind = frame["kind"].str.strip_chars().str.to_lowercase()
    check.flag(kind.is_null() | ~kind.is_in(list(KINDS)), "kind", f"not one of {', '.join(KINDS)}")
    start = parse_ts(frame["start_time"], check, "start_time")
    end = parse_ts(frame["end_time"], check, "end_time", required=False)
    check.flag(end.is_not_null() & start.is_not_null() & (end < start), "end_time", "ends before it starts")
    order, venue = blank_null(frame["order_id"]), blank_null(frame["venue"])
    check.flag(order.is_null() & venue.is_null(), "order_id", "names neither an order nor a venue")
    check.flag((kind == "self_help") & venue.is_null(), "venue", "self-help must name the venue")
    price = parse_price(frame["price"], check, "price", required=False)
    check.flag((kind == "stopped_order") & price.is_null(), "price", "a stopped order needs its stop price")
    symbol = blank_null(frame["symbol"])
    out = pl.DataFrame(
        {
            "symbol": symbol.fill_null(ANY_SYMBOL),
            "kind": kind,
            "order_id": order,
            "venue": venue,
            "start_ts": start,
            "end_ts": end,
            "price": price,
            "detail": frame["detail"],
        }
    ).with_columns(trading_day(start).alias("day"))
    restrict_day(out, check, day, "start_time")
    return Parsed("evidence", check.good(out).select(COLUMNS), frame.height, check.issues), raw, fmt
