"""Reference prices for round-lot tiers: `symbol,month,avg_close` (the month's average close).

The tier of a symbol in month M comes from the average closing price of month M-1 (Rule 600(b)
'round lot' as amended). Stored per month so a look-back for any date finds the price it needs.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import polars as pl

from proctor.trading.importers._intake import (
    Checker,
    Parsed,
    blank_null,
    detect_format,
    parse_price,
    read_text_table,
    require_columns,
)

CANONICAL = ["symbol", "month", "avg_close"]
COLUMNS = ["day", "symbol", "ref_symbol", "month", "avg_close"]


def parse(path: Path, fmt: str | None, now: datetime | None = None) -> tuple[Parsed, bytes, str]:
    fmt = detect_format(path, fmt)
    frame, raw = read_text_table(path, fmt)
    require_columns(frame, CANONICAL, str(path))
    check = Checker(frame, str(path), now)
    symbol = blank_null(frame["symbol"])
    check.flag(symbol.is_null(), "symbol", "blank symbol")
    month = frame["month"].str.strip_chars()
    first = (month + "-01").str.to_date("%Y-%m-%d", strict=False)
    check.flag(first.is_null() | (month.str.len_chars() != 7), "month", "not a month (YYYY-MM)")
    price = parse_price(frame["avg_close"], check, "avg_close", required=True)
    check.flag(price == 0, "avg_close", "zero price")
    out = pl.DataFrame(
        {
            "day": first,
            "symbol": pl.Series(["_all"] * frame.height),
            "ref_symbol": symbol,
            "month": month,
            "avg_close": price,
        }
    )
    good = check.good(out).select(COLUMNS)
    return Parsed("refprices", good, frame.height, check.issues), raw, fmt
