"""A small literal trading day of ACME on three protected venues, shared by the trading tests.

Prices are written in dollars and carried as micro-dollars; times are UTC wall-clock on 4 Nov 2025.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import polars as pl

from proctor.trading.kernel import QUOTE_COLUMNS
from proctor.trading.params import KernelParams

PARAMS = KernelParams(round_lot=100, protected_venues=("N", "P", "Z"), rule_version="rule611-2025-11")
QUOTE_SCHEMA = QUOTE_COLUMNS  # the kernel's own quote columns
EVIDENCE_SCHEMA = {
    "kind": pl.Utf8,
    "order_id": pl.Utf8,
    "venue": pl.Utf8,
    "symbol": pl.Utf8,
    "start_ts": pl.Int64,
    "end_ts": pl.Int64,
    "price": pl.Int64,
    "detail": pl.Utf8,
}


def at(clock: str) -> int:
    """'15:00:00.030' on 4 Nov 2025 UTC -> epoch nanoseconds."""
    hms, _, frac = clock.partition(".")
    h, m, s = (int(x) for x in hms.split(":"))
    base = int(datetime(2025, 11, 4, h, m, s, tzinfo=UTC).timestamp()) * 1_000_000_000
    return base + int((frac or "0").ljust(9, "0"))


def usd(price: str | None) -> int | None:
    return None if price is None else int(Decimal(price) * 1_000_000)


# The market at 14:59: N 10.00 x 10.02, P 10.00 x 10.03, Z 9.99 x 10.02 (all 100+ shares, firm).
OPEN_BOOK = [
    ("14:59:00", "N", "10.00", 300, "10.02", 200, "R"),
    ("14:59:00", "P", "10.00", 100, "10.03", 100, "R"),
    ("14:59:00", "Z", "9.99", 500, "10.02", 100, "R"),
]


def quotes(*rows: tuple) -> pl.DataFrame:
    data = [(at(t), i, v, usd(b), bs, usd(a), az, c) for i, (t, v, b, bs, a, az, c) in enumerate(rows)]
    return pl.DataFrame(data, schema=QUOTE_SCHEMA, orient="row")


def trade(trade_id: str, clock: str, side: str, price: str, **kw: object) -> dict:
    row = {
        "trade_id": trade_id,
        "ts": at(clock),
        "side": side,
        "price": usd(price),
        "quantity": 500,
        "modifiers": [],
        "order_id": f"O-{trade_id}",
        "desk": "manual",
        "capacity": "agency",
        "settlement": "regular",
    }
    row.update(kw)
    return row


def evidence(*rows: dict) -> pl.DataFrame:
    full = [{k: r.get(k) for k in EVIDENCE_SCHEMA} for r in rows]
    return pl.DataFrame(full, schema=EVIDENCE_SCHEMA)
