"""Per-venue top-of-book quotes: the canonical layout and the TAQ layout.

Canonical: `ts,symbol,venue,bid_px,bid_size,ask_px,ask_size,condition` (sizes in shares, condition
the SIP quote condition). TAQ: `DT,EX,BID,BIDSIZ,OFR,OFRSIZ,SYMBOL`, sizes in round lots when
`lots` is set (the TAQ convention), and no condition column (recorded as regular `R`, with a note
in the import record, because the source does not say). `seq` is the row's position in its file,
the tie-breaker for quotes sharing a timestamp.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import polars as pl

from proctor.trading.importers._intake import (
    ROW,
    Checker,
    Parsed,
    detect_format,
    parse_int,
    parse_price,
    parse_ts,
    read_text_table,
    require_columns,
    restrict_day,
    trading_day,
)

CANONICAL = ["ts", "symbol", "venue", "bid_px", "bid_size", "ask_px", "ask_size", "condition"]
TAQ = ["DT", "EX", "BID", "BIDSIZ", "OFR", "OFRSIZ", "SYMBOL"]
TAQ_LOT = 100  # TAQ quote sizes are in round lots of 100 shares
COLUMNS = ["day", "symbol", "ts", "seq", "venue", "bid_px", "bid_size", "ask_px", "ask_size", "condition"]


def parse(
    path: Path, fmt: str | None, *, day: date | None, lots: bool, now: datetime | None = None
) -> tuple[Parsed, bytes, str]:
    fmt = detect_format(path, fmt)
    taq = fmt == "taq"
    frame, raw = read_text_table(path, "csv" if taq else fmt)
    if not taq and "DT" in frame.columns and "EX" in frame.columns:
        taq = True  # the TAQ layout read from CSV: recognised by its columns
    notes: list[str] = []
    if taq:
        require_columns(frame, TAQ, str(path))
        frame = frame.rename(
            {
                "DT": "ts",
                "EX": "venue",
                "BID": "bid_px",
                "BIDSIZ": "bid_size",
                "OFR": "ask_px",
                "OFRSIZ": "ask_size",
                "SYMBOL": "symbol",
            }
        ).with_columns(pl.lit("R").alias("condition"))
        notes.append("TAQ layout: no quote condition in the source; every row recorded as regular (R)")
    else:
        require_columns(frame, CANONICAL, str(path))
    check = Checker(frame, str(path), now)
    ts = parse_ts(frame["ts"], check, "ts")
    sym = frame["symbol"].str.strip_chars()
    venue = frame["venue"].str.strip_chars()
    check.flag(sym.is_null() | (sym == ""), "symbol", "blank symbol")
    check.flag(venue.is_null() | (venue == ""), "venue", "blank venue (a TAQ participant letter)")
    cond = frame["condition"].str.strip_chars()
    check.flag(cond.is_null() | (cond == ""), "condition", "blank condition (R = regular)")
    sides = {}
    for side in ("bid", "ask"):
        px = parse_price(frame[f"{side}_px"], check, f"{side}_px", required=False)
        size = parse_int(frame[f"{side}_size"], check, f"{side}_size", required=False)
        check.flag(
            px.is_not_null() & (px > 0) & size.is_null(), f"{side}_size", "blank size while a price is shown"
        )
        px_blank = frame[f"{side}_px"].str.strip_chars().replace("", None).is_null()
        check.flag(px_blank & size.is_not_null() & (size > 0), f"{side}_px", "a size without a price")
        if lots:
            size = size * TAQ_LOT
        sides[side] = (px, size)
    if lots:
        notes.append(f"sizes read in round lots of {TAQ_LOT} shares (--lots)")
    out = pl.DataFrame(
        {
            "symbol": sym,
            "ts": ts,
            "seq": frame[ROW],
            "venue": venue,
            "bid_px": sides["bid"][0],
            "bid_size": sides["bid"][1],
            "ask_px": sides["ask"][0],
            "ask_size": sides["ask"][1],
            "condition": cond,
        }
    ).with_columns(trading_day(ts).alias("day"))
    restrict_day(out, check, day, "ts")
    good = check.good(out).select(COLUMNS)
    biggest = good["bid_size"].fill_null(0).max() if good.height else None
    if not lots and taq and isinstance(biggest, int) and biggest < 100:
        notes.append("every size is below 100: TAQ sizes are usually round lots; did you mean --lots?")
    return Parsed("quotes", good, frame.height, check.issues, notes), raw, "taq" if taq else fmt
