"""The firm's own trade reports, canonical layout, plus market prints in the TAQ trades layout.

Canonical: `trade_id,symbol,execution_time,report_time,side,price,quantity,modifiers,order_id,
desk,capacity,settlement` and an optional `trader`. `modifiers` are space-separated codes whose
meaning is firm data (the rule table). Settlement is `regular`, `cash`, `next_day` or `seller_N`;
a blank settlement stays blank (the not-regular-way exception then fails for want of data).
TAQ prints (`DT,EX,SYMBOL,COND,SIZE,PRICE,CORR`) carry no side, order or desk: they feed the
data-quality gates only; cancelled or corrected prints (CORR not 0) are quarantined and counted.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import polars as pl

from proctor.trading.importers._intake import (
    ROW,
    Checker,
    Parsed,
    blank_null,
    detect_format,
    parse_int,
    parse_price,
    parse_ts,
    read_text_table,
    require_columns,
    restrict_day,
    trading_day,
)

CANONICAL = [
    "trade_id", "symbol", "execution_time", "report_time", "side", "price", "quantity", "modifiers",
    "order_id", "desk", "capacity", "settlement",
]  # fmt: skip
TAQ = ["DT", "EX", "SYMBOL", "COND", "SIZE", "PRICE", "CORR"]
SETTLEMENT = r"^(regular|cash|next_day|seller_\d+)$"
COLUMNS = [
    "day", "symbol", "trade_id", "ts", "report_ts", "side", "price", "quantity", "modifiers", "order_id",
    "desk", "trader", "capacity", "settlement",
]  # fmt: skip


def parse(
    path: Path, fmt: str | None, *, day: date | None, now: datetime | None = None
) -> tuple[Parsed, bytes, str]:
    fmt = detect_format(path, fmt)
    frame, raw = read_text_table(path, "csv" if fmt == "taq" else fmt)
    if fmt == "taq" or ("DT" in frame.columns and "CORR" in frame.columns):
        return _taq(path, frame, raw, day, now)
    require_columns(frame, CANONICAL, str(path))
    check = Checker(frame, str(path), now)
    ts = parse_ts(frame["execution_time"], check, "execution_time")
    rep = parse_ts(frame["report_time"], check, "report_time", required=False)
    tid = frame["trade_id"].str.strip_chars()
    check.flag(tid.is_null() | (tid == ""), "trade_id", "blank trade id")
    check.flag((tid != "") & ~tid.is_first_distinct(), "trade_id", "duplicate trade id in the file")
    sym = frame["symbol"].str.strip_chars()
    check.flag(sym.is_null() | (sym == ""), "symbol", "blank symbol")
    side = frame["side"].str.strip_chars().str.to_uppercase()
    check.flag(side.is_null() | ~side.is_in(["B", "S"]), "side", "not B or S (the firm's side)")
    price = parse_price(frame["price"], check, "price", required=True)
    check.flag(price == 0, "price", "zero price")
    qty = parse_int(frame["quantity"], check, "quantity", required=True, positive=True)
    settle = blank_null(frame["settlement"]).str.to_lowercase()
    bad_settle = settle.is_not_null() & ~settle.str.contains(SETTLEMENT)
    check.flag(bad_settle, "settlement", "not regular, cash, next_day or seller_N")
    mods = frame["modifiers"].fill_null("").str.split(" ").list.eval(pl.element().filter(pl.element() != ""))
    no_trader = pl.Series([None] * frame.height, dtype=pl.Utf8)
    trader = blank_null(frame["trader"]) if "trader" in frame.columns else no_trader
    out = pl.DataFrame(
        {
            "symbol": sym,
            "trade_id": tid,
            "ts": ts,
            "report_ts": rep,
            "side": side,
            "price": price,
            "quantity": qty,
            "modifiers": mods,
            "order_id": blank_null(frame["order_id"]),
            "desk": blank_null(frame["desk"]),
            "trader": trader,
            "capacity": blank_null(frame["capacity"]),
            "settlement": settle,
        }
    ).with_columns(trading_day(ts).alias("day"))
    restrict_day(out, check, day, "execution_time")
    return Parsed("trades", check.good(out).select(COLUMNS), frame.height, check.issues), raw, fmt


def _taq(
    path: Path, frame: pl.DataFrame, raw: bytes, day: date | None, now: datetime | None = None
) -> tuple[Parsed, bytes, str]:
    require_columns(frame, TAQ, str(path))
    check = Checker(frame, str(path), now)
    ts = parse_ts(frame["DT"], check, "DT")
    price = parse_price(frame["PRICE"], check, "PRICE", required=True)
    qty = parse_int(frame["SIZE"], check, "SIZE", required=True, positive=True)
    corr = frame["CORR"].str.strip_chars()
    check.flag(
        corr.is_null() | ~corr.is_in(["0", "00"]), "CORR", "cancelled or corrected print (TAQ CORR not 0)"
    )
    ex = frame["EX"].str.strip_chars()
    n = frame.height
    out = pl.DataFrame(
        {
            "symbol": frame["SYMBOL"].str.strip_chars(),
            "trade_id": ("TAQ-" + frame[ROW].cast(pl.Utf8)),
            "ts": ts,
            "report_ts": pl.Series([None] * n, dtype=pl.Int64),
            "side": pl.Series([None] * n, dtype=pl.Utf8),
            "price": price,
            "quantity": qty,
            "modifiers": frame["COND"]
            .fill_null("")
            .str.split("")
            .list.eval(pl.element().filter(pl.element().str.strip_chars() != "")),
            "order_id": pl.Series([None] * n, dtype=pl.Utf8),
            "desk": ("tape:" + ex),
            "trader": pl.Series([None] * n, dtype=pl.Utf8),
            "capacity": pl.Series([None] * n, dtype=pl.Utf8),
            "settlement": pl.Series([None] * n, dtype=pl.Utf8),
        }
    ).with_columns(trading_day(ts).alias("day"))
    restrict_day(out, check, day, "DT")
    notes = ["TAQ trade prints: no side, order or desk in the source; used by the data-quality gates only"]
    return Parsed("trades", check.good(out).select(COLUMNS), n, check.issues, notes), raw, "taq"
