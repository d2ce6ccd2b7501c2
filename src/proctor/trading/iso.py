"""Outbound-ISO validation: is a trade's Rule 611(b)(6) claim backed by its routes?

Why: the bank-owned broker reported about 11,089 trades with the ISO-outbound modifier that it
executed a second or more after routing the ISOs. The exception holds only when the firm,
*simultaneously* with the execution, routed ISOs to every venue showing a better protected
quote, each for at least that quote's full displayed size. So for every trade reported with the
ISO-outbound modifier this module asks, per better venue: was an ISO sent there, marketable
against that quote, for its size, within the tolerance of the execution?

- Tolerance (`IsoParams.tolerance_ns`), default 100 ms: wide enough for a router's fan-out and
  the FINRA 4590 clock-sync allowance (50 ms) on each side, ten times shorter than the 1 s lag
  of the case; a firm sets its own between 10 ms and 1 s (outside that range is refused).
- A documented customer consent (`customer_iso_consent` evidence for the order) permits ISOs
  routed before a block: any time from the evidence's start (or without start, any time) up to
  the execution plus the tolerance.
- An ISO the venue rejected covers nothing; a venue whose only ISOs were rejected is left to the
  reject monitor (`trading.iso_rejects`), which raises it as a presumptive trade-through, so a
  failure is raised once, by the control that explains it.
- Each ISO belongs to the trade of its parent order nearest to it in time, so an order that
  sweeps twice is not judged by the other sweep's ISOs.
- The reverse: ISOs whose nearest trade was reported without the modifier.

Pure: frames in, findings out. The ladder (every venue's protected quote and size at each
execution) comes from the Rule 611 kernel's snapshot (see `ladder_from_quotes`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

MIN_TOLERANCE_NS = 10_000_000
MAX_TOLERANCE_NS = 1_000_000_000


@dataclass(frozen=True)
class IsoParams:
    tolerance_ns: int = 100_000_000
    iso_code: str = "3"
    rule_version: str = "iso.v1"

    def __post_init__(self) -> None:
        if not MIN_TOLERANCE_NS <= self.tolerance_ns <= MAX_TOLERANCE_NS:
            raise ValueError(
                f"ISO tolerance must be between 10 ms and 1 s, got {self.tolerance_ns / 1e6:g} ms"
            )

    def as_dict(self) -> dict[str, Any]:
        return {
            "tolerance_ns": self.tolerance_ns,
            "iso_code": self.iso_code,
            "rule_version": self.rule_version,
        }


LADDER_SCHEMA = {
    "trade_id": pl.Utf8,
    "venue": pl.Utf8,
    "bid_px": pl.Int64,
    "bid_size": pl.Int64,
    "ask_px": pl.Int64,
    "ask_size": pl.Int64,
}


def has_code(trades: pl.DataFrame, code: str) -> pl.Series:
    return trades["modifiers"].list.contains(code).fill_null(False)


def assign_isos(trades: pl.DataFrame, routes: pl.DataFrame) -> pl.DataFrame:
    """Each ISO route with the trade of its parent order nearest in time (`trade_id` null: none)."""
    isos = routes.filter(pl.col("is_iso") & pl.col("parent_order_id").is_not_null())
    if isos.height == 0 or trades.height == 0:
        return isos.with_columns(
            pl.lit(None, pl.Utf8).alias("trade_id"), pl.lit(None, pl.Int64).alias("trade_ts")
        )
    t = trades.select(
        pl.col("order_id").alias("parent_order_id"), "trade_id", pl.col("ts").alias("trade_ts")
    ).sort("trade_ts")
    left = isos.with_row_index("_r").sort("route_ts")
    joined = left.join_asof(
        t,
        left_on="route_ts",
        right_on="trade_ts",
        by="parent_order_id",
        strategy="nearest",
        check_sortedness=False,
    )
    return joined.sort("_r").drop("_r")


@dataclass(frozen=True)
class VenueCheck:
    venue: str
    quote_px: int
    quote_size: int
    status: str  # covered, late, undersized, not_marketable, rejected, missed
    iso_qty: int
    iso_count: int
    gap_ns: int | None  # execution minus the earliest ISO to this venue

    def as_dict(self) -> dict[str, Any]:
        return {
            "venue": self.venue,
            "quote_px": self.quote_px,
            "quote_size": self.quote_size,
            "status": self.status,
            "iso_qty": self.iso_qty,
            "isos": self.iso_count,
            "gap_ms": None if self.gap_ns is None else round(self.gap_ns / 1e6, 3),
        }


def _in_window(route_ts: int, trade_ts: int, tol: int, consent: tuple[int | None, int | None] | None) -> bool:
    if consent is not None:
        start = consent[0]
        return (start is None or route_ts >= start) and route_ts <= trade_ts + tol
    return abs(route_ts - trade_ts) <= tol


def check_trade(
    trade: dict[str, Any],
    ladder: list[dict[str, Any]],
    isos: list[dict[str, Any]],
    params: IsoParams,
    consent: tuple[int | None, int | None] | None = None,
) -> dict[str, Any]:
    """One ISO-outbound trade against its ladder and its ISOs."""
    buy = trade["side"] == "B"
    price, ts, tol = int(trade["price"]), int(trade["ts"]), params.tolerance_ns
    venues: list[VenueCheck] = []
    late = [i for i in isos if not _in_window(int(i["route_ts"]), ts, tol, consent)]
    for q in ladder:
        qpx = int(q["ask_px"] if buy else q["bid_px"]) or 0
        qsz = int(q["ask_size"] if buy else q["bid_size"]) or 0
        if qpx <= 0 or (qpx >= price if buy else qpx <= price):
            continue  # not better than the trade: no ISO needed there
        to_venue = [i for i in isos if i["venue"] == q["venue"]]
        gap = min((ts - int(i["route_ts"]) for i in to_venue), default=None, key=abs) if to_venue else None
        live = [i for i in to_venue if not i["rejected"]]
        timely = [i for i in live if _in_window(int(i["route_ts"]), ts, tol, consent)]
        marketable = [
            i for i in timely if i["price"] is not None and (i["price"] >= qpx if buy else i["price"] <= qpx)
        ]
        qty = sum(int(i["qty"] or 0) for i in marketable)
        if marketable and qty >= qsz:
            status = "covered"
        elif marketable:
            status = "undersized"
        elif timely:
            status = "not_marketable"
        elif live:
            status = "late"
        elif to_venue:
            status = "rejected"
        else:
            status = "missed"
        venues.append(VenueCheck(q["venue"], qpx, qsz, status, qty, len(to_venue), gap))
    bad = [v for v in venues if v.status not in ("covered", "rejected")]
    gaps = [ts - int(i["route_ts"]) for i in isos]
    kinds = sorted(
        {"late" if v.status == "late" else "uncovered" for v in bad} | ({"late"} if late else set())
    )
    return {
        "trade_id": trade["trade_id"],
        "failed": bool(bad or late),
        "kinds": kinds,
        "venues": [v.as_dict() for v in venues],
        "covered": [v.venue for v in venues if v.status == "covered"],
        "missed": [v.venue for v in bad],
        "rejected_only": [v.venue for v in venues if v.status == "rejected"],
        "late_isos": [i["cl_ord_id"] for i in late],
        "max_gap_ms": round(max(gaps, key=abs) / 1e6, 3) if gaps else None,
        "isos": len(isos),
        "consent": consent is not None,
    }


def _consents(evidence: pl.DataFrame | None) -> dict[str, tuple[int | None, int | None]]:
    if evidence is None or evidence.height == 0:
        return {}
    rows = evidence.filter(pl.col("kind") == "customer_iso_consent")
    return {
        str(r["order_id"]): (r.get("start_ts"), r.get("end_ts"))
        for r in rows.iter_rows(named=True)
        if r["order_id"] is not None
    }


def check_iso_outbound(
    trades: pl.DataFrame,
    ladder: pl.DataFrame,
    routes: pl.DataFrame,
    params: IsoParams,
    evidence: pl.DataFrame | None = None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, int]]:
    """(failed ISO-outbound trades, ISOs under trades without the modifier, counts).

    trades: trade_id, ts, side, price, quantity, modifiers, order_id (+ desk, trader if known);
    ladder: LADDER_SCHEMA, one row per trade x venue; routes: `fix.route_outcomes` rows.
    """
    assigned = assign_isos(trades, routes)
    by_trade: dict[str, list[dict[str, Any]]] = {}
    for r in assigned.filter(pl.col("trade_id").is_not_null()).iter_rows(named=True):
        by_trade.setdefault(r["trade_id"], []).append(r)
    ladders: dict[str, list[dict[str, Any]]] = {}
    for r in ladder.iter_rows(named=True):
        ladders.setdefault(r["trade_id"], []).append(r)
    consents = _consents(evidence)
    flagged = trades.with_columns(has_code(trades, params.iso_code).alias("_iso"))
    failures = []
    checked = 0
    for t in flagged.filter(pl.col("_iso")).iter_rows(named=True):
        checked += 1
        result = check_trade(
            t,
            ladders.get(t["trade_id"], []),
            by_trade.get(t["trade_id"], []),
            params,
            consents.get(t["order_id"]),
        )
        if result["failed"]:
            failures.append({**_who(t), **result})
    reverse = []
    for t in flagged.filter(~pl.col("_iso")).iter_rows(named=True):
        isos = by_trade.get(t["trade_id"])
        if isos:
            reverse.append(
                {
                    **_who(t),
                    "trade_id": t["trade_id"],
                    "isos": [i["cl_ord_id"] for i in isos],
                    "venues": sorted({str(i["venue"]) for i in isos}),
                    "max_gap_ms": round(max((t["ts"] - i["route_ts"] for i in isos), key=abs) / 1e6, 3),
                }
            )
    unlinked = int(assigned["trade_id"].is_null().sum()) if assigned.height else 0
    return (
        failures,
        reverse,
        {
            "iso_outbound_trades": checked,
            "failed": len(failures),
            "isos": assigned.height,
            "isos_without_trade": unlinked,
            "isos_under_unmarked_trades": len(reverse),
        },
    )


def _who(t: dict[str, Any]) -> dict[str, Any]:
    return {
        "symbol": t.get("symbol"),
        "order_id": t.get("order_id"),
        "desk": t.get("desk"),
        "trader": t.get("trader"),
        "side": t.get("side"),
        "price": t.get("price"),
        "quantity": t.get("quantity"),
        "ts": t.get("ts"),
    }


def ladder_from_quotes(quotes: pl.DataFrame, trades: pl.DataFrame, params: Any) -> pl.DataFrame:
    """Every venue's protected quote and its size at each execution, from the Rule 611 kernel.

    The kernel decides protection (round lot, firmness, withdrawn quotes); the size is that of the
    venue's last row at or before the execution, which is the row the protected price came from.
    """
    from proctor.trading.kernel import prepare_quotes, snapshot

    snap = snapshot(quotes, trades, params)
    prepared = prepare_quotes(quotes, params)  # sorted by (ts, seq)
    ids = trades["trade_id"].to_list()
    ts = trades["ts"].to_numpy()
    rows: list[dict[str, Any]] = []
    for v, venue in enumerate(snap.venues):
        vq = prepared.filter(pl.col("venue") == venue)
        if vq.height == 0:
            continue
        q_ts = vq["ts"].to_numpy()
        idx = np.searchsorted(q_ts, ts, side="right") - 1
        bsz, asz = vq["bid_size"].to_numpy(), vq["ask_size"].to_numpy()
        for j, tid in enumerate(ids):
            bid, ask = int(snap.venue["bid"][j, v]), int(snap.venue["ask"][j, v])
            if bid == 0 and ask == 0:
                continue
            k = int(idx[j])
            rows.append(
                {
                    "trade_id": tid,
                    "venue": venue,
                    "bid_px": bid,
                    "bid_size": int(bsz[k]) if bid and k >= 0 else 0,
                    "ask_px": ask,
                    "ask_size": int(asz[k]) if ask and k >= 0 else 0,
                }
            )
    return (
        pl.DataFrame(rows, schema=LADDER_SCHEMA, orient="row") if rows else pl.DataFrame(schema=LADDER_SCHEMA)
    )
