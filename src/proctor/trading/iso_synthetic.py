"""A generated trading day with seeded ISO and routing failures, for measuring the detectors.

Why: the case's failures are rare among normal trades (11,089 late ISO trades over eight years),
so recall and false positives are measured on a day with many normal trades, lawful look-alikes
(ISOs within tolerance covering every better venue, consented pre-routed blocks, rejects
re-routed in time, deep protected quotes the router did reach) and a known number of each
failure. Every seeded trade's id is returned with its kind, so the measurement is exact.
Frames follow the detectors' contracts (prices micro-dollars, times ns UTC).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import polars as pl

from proctor.trading.books import DEPTH_SCHEMA
from proctor.trading.iso import LADDER_SCHEMA

VENUES = ("N", "P", "Z", "K", "V", "Q")
DEPTH_VENUE = "Q"  # the venue whose full depth the router reads (TotalView)
BAD_FIRM = "CLRX"
GOOD_FIRM = "CLR1"
KINDS = (
    "late",
    "missed",
    "depth_blind",
    "rejected_no_reroute",
    "reverse",
    "modifier_no_evidence",
    "manual_desk",
)

TRADE_SCHEMA: dict[str, Any] = {
    "trade_id": pl.Utf8,
    "symbol": pl.Utf8,
    "ts": pl.Int64,
    "side": pl.Utf8,
    "price": pl.Int64,
    "quantity": pl.Int64,
    "modifiers": pl.List(pl.Utf8),
    "order_id": pl.Utf8,
    "desk": pl.Utf8,
    "trader": pl.Utf8,
    "capacity": pl.Utf8,
    "settlement": pl.Utf8,
}
ROUTE_SCHEMA: dict[str, Any] = {
    "cl_ord_id": pl.Utf8,
    "parent_order_id": pl.Utf8,
    "symbol": pl.Utf8,
    "side": pl.Utf8,
    "qty": pl.Int64,
    "price": pl.Int64,
    "is_iso": pl.Boolean,
    "venue": pl.Utf8,
    "route_ts": pl.Int64,
    "clearing_firm": pl.Utf8,
    "rejected": pl.Boolean,
    "reject_reason": pl.Utf8,
    "reject_text": pl.Utf8,
    "filled_qty": pl.Int64,
}
EVIDENCE_SCHEMA: dict[str, Any] = {
    "kind": pl.Utf8,
    "order_id": pl.Utf8,
    "venue": pl.Utf8,
    "symbol": pl.Utf8,
    "start_ts": pl.Int64,
    "end_ts": pl.Int64,
    "price": pl.Int64,
    "detail": pl.Utf8,
}


@dataclass
class Day:
    day: date
    trades: pl.DataFrame
    ladder: pl.DataFrame
    routes: pl.DataFrame
    depth: pl.DataFrame
    evidence: pl.DataFrame
    seeded: dict[str, set[str]] = field(default_factory=dict)
    burst_buckets: set[int] = field(default_factory=set)


class _Gen:
    def __init__(self, day: date, seed: int, tolerance_ns: int) -> None:
        self.rng = random.Random(seed)
        self.tol = tolerance_ns
        open_ = datetime.combine(day, time(9, 30), tzinfo=ZoneInfo("America/New_York"))
        self.t0 = int(open_.timestamp()) * 1_000_000_000
        self.span = int(6.4 * 3600) * 1_000_000_000
        self.trades: list[dict[str, Any]] = []
        self.ladder: list[dict[str, Any]] = []
        self.routes: list[dict[str, Any]] = []
        self.depth: list[dict[str, Any]] = []
        self.evidence: list[dict[str, Any]] = []
        self.n = 0
        self.r = 0

    def trade(self, *, modifiers: list[str], desk: str = "ETRD", trader: str = "algo1") -> dict[str, Any]:
        self.n += 1
        rng = self.rng
        px = rng.randrange(5, 400) * 1_000_000 + rng.randrange(0, 100) * 10_000
        t = {
            "trade_id": f"T{self.n:07d}",
            "symbol": f"S{rng.randrange(200):03d}",
            "ts": self.t0 + rng.randrange(self.span),
            "side": rng.choice("BS"),
            "price": px,
            "quantity": rng.randrange(1, 50) * 100,
            "modifiers": modifiers,
            "order_id": f"O{self.n:07d}",
            "desk": desk,
            "trader": trader,
            "capacity": "agency",
            "settlement": "regular",
        }
        self.trades.append(t)
        return t

    def quote(self, t: dict[str, Any], venue: str, better: bool, size: int | None = None) -> dict[str, Any]:
        """A protected quote on the side the trade would trade through; `better` than the price or not."""
        tick = self.rng.randrange(1, 5) * 10_000
        buy = t["side"] == "B"
        px = t["price"] - tick if better == buy else t["price"] + tick
        size = size or self.rng.randrange(1, 6) * 100
        row = {
            "trade_id": t["trade_id"],
            "venue": venue,
            "bid_px": 0,
            "bid_size": 0,
            "ask_px": 0,
            "ask_size": 0,
        }
        row["ask_px" if buy else "bid_px"] = px
        row["ask_size" if buy else "bid_size"] = size
        self.ladder.append(row)
        return row

    def iso(
        self,
        t: dict[str, Any],
        q: dict[str, Any],
        *,
        offset_ns: int,
        qty: int | None = None,
        rejected: bool = False,
        firm: str = GOOD_FIRM,
        iso: bool = True,
    ) -> None:
        self.r += 1
        buy = t["side"] == "B"
        qpx = q["ask_px"] if buy else q["bid_px"]
        qsz = q["ask_size"] if buy else q["bid_size"]
        self.routes.append(
            {
                "cl_ord_id": f"C{self.r:08d}",
                "parent_order_id": t["order_id"],
                "symbol": t["symbol"],
                "side": t["side"],
                "qty": qty if qty is not None else qsz,
                "price": qpx,
                "is_iso": iso,
                "venue": q["venue"],
                "route_ts": t["ts"] + offset_ns,
                "clearing_firm": firm,
                "rejected": rejected,
                "reject_reason": "A" if rejected else None,
                "reject_text": f"ClearingFirm not allowed (for trading firm {firm})" if rejected else None,
                "filled_qty": 0 if rejected else (qty if qty is not None else qsz),
            }
        )

    def near(self) -> int:
        return self.rng.randrange(-self.tol // 2, self.tol // 2)

    def depth_state(self, t: dict[str, Any], level: int, better: bool) -> None:
        """The depth venue's book at the trade: protected quote at `level` (odd lots above it)."""
        buy = t["side"] == "B"
        tick = 10_000
        px = t["price"] - tick * level if better == buy else t["price"] + tick * level
        px = max(px, 10_000)
        row: dict[str, Any] = {c: 0 for c in DEPTH_SCHEMA}
        row.update(
            {"ts": t["ts"] - 1_000, "seq": len(self.depth), "venue": DEPTH_VENUE, "symbol": t["symbol"]}
        )
        side = "ask" if buy else "bid"
        row[f"{side}_px"], row[f"{side}_size"] = px, 30
        row[f"{side}_prot_px"], row[f"{side}_prot_size"], row[f"{side}_prot_level"] = px, 200, level
        row[f"{side}_levels"] = max(level, 1) + 3
        other = "bid" if buy else "ask"
        opx = t["price"] + (-20_000 if buy else 20_000)
        row[f"{other}_px"], row[f"{other}_size"], row[f"{other}_prot_px"] = opx, 300, opx
        row[f"{other}_prot_size"], row[f"{other}_prot_level"], row[f"{other}_levels"] = 300, 1, 5
        self.depth.append(row)


def generate_day(
    normal: int = 100_000,
    per_failure: int = 1_000,
    *,
    day: date = date(2026, 3, 2),
    seed: int = 611,
    tolerance_ns: int = 100_000_000,
    burst: int | None = None,
) -> Day:
    """`normal` lawful trades and `per_failure` seeded instances of each failure kind."""
    g = _Gen(day, seed, tolerance_ns)
    rng = g.rng
    seeded: dict[str, set[str]] = {k: set() for k in KINDS}
    for _ in range(normal):
        u = rng.random()
        if u < 0.55:  # plain trade at or inside the market
            t = g.trade(modifiers=[])
            g.quote(t, rng.choice(VENUES[:5]), better=False)
            g.depth_state(t, rng.randrange(1, 8), better=rng.random() < 0.5)
        elif u < 0.85:  # lawful ISO sweep: every better venue, full size, within tolerance
            t = g.trade(modifiers=["3"])
            for v in rng.sample(VENUES[:5], rng.randrange(1, 4)):
                q = g.quote(t, v, better=True)
                size = q["ask_size"] or q["bid_size"]
                if rng.random() < 0.2:  # split in two child ISOs
                    g.iso(t, q, offset_ns=g.near(), qty=size // 2)
                    g.iso(t, q, offset_ns=g.near(), qty=size - size // 2)
                else:
                    g.iso(t, q, offset_ns=g.near(), qty=size + rng.choice((0, 0, 100)))
            g.quote(t, "N" if rng.random() < 0.5 else "V", better=False)
            level = rng.randrange(1, 8) if rng.random() < 0.9 else rng.randrange(9, 14)
            deep_q = {"venue": DEPTH_VENUE, "bid_px": 0, "ask_px": 0, "bid_size": 0, "ask_size": 0}
            g.depth_state(t, level, better=level > 8)
            if level > 8:  # router with full depth reached the deep protected quote
                d = g.depth[-1]
                deep_q["ask_px" if t["side"] == "B" else "bid_px"] = d[
                    "ask_prot_px" if t["side"] == "B" else "bid_prot_px"
                ]
                deep_q["ask_size" if t["side"] == "B" else "bid_size"] = 200
                g.iso(t, deep_q, offset_ns=g.near())
        elif u < 0.92:  # consented block: ISOs routed seconds before, customer_iso_consent on file
            t = g.trade(modifiers=["3"], desk="BLOCK")
            q = g.quote(t, rng.choice(VENUES[:5]), better=True)
            lead = rng.randrange(2, 30) * 1_000_000_000
            g.iso(t, q, offset_ns=-lead)
            g.evidence.append(
                {
                    "kind": "customer_iso_consent",
                    "order_id": t["order_id"],
                    "venue": None,
                    "symbol": t["symbol"],
                    "start_ts": t["ts"] - 60 * 1_000_000_000,
                    "end_ts": t["ts"] + 60 * 1_000_000_000,
                    "price": None,
                    "detail": "consent",
                }
            )
            g.depth_state(t, 1, better=False)
        elif u < 0.96:  # reject re-routed successfully within tolerance
            t = g.trade(modifiers=["3"])
            q = g.quote(t, rng.choice(VENUES[:5]), better=True)
            g.iso(t, q, offset_ns=-g.tol // 2, rejected=True, firm=GOOD_FIRM)
            g.iso(t, q, offset_ns=g.near())
            g.depth_state(t, 2, better=False)
        else:  # benchmark trade with its evidence
            t = g.trade(modifiers=["4"])
            g.quote(t, rng.choice(VENUES[:5]), better=True)
            g.evidence.append(
                {
                    "kind": "benchmark",
                    "order_id": t["order_id"],
                    "venue": None,
                    "symbol": t["symbol"],
                    "start_ts": None,
                    "end_ts": None,
                    "price": t["price"],
                    "detail": "VWAP",
                }
            )
            g.depth_state(t, 1, better=False)
    for _ in range(per_failure):
        t = g.trade(modifiers=["3"])  # (a) executed a second or more after the ISOs
        for v in rng.sample(VENUES[:5], rng.randrange(1, 3)):
            q = g.quote(t, v, better=True)
            g.iso(t, q, offset_ns=-rng.randrange(1_000, 3_000) * 1_000_000)
        g.depth_state(t, 1, better=False)
        seeded["late"].add(t["trade_id"])

        t = g.trade(modifiers=["3"])  # a better venue left out of the sweep
        vs = rng.sample(VENUES[:5], 2)
        g.iso(t, g.quote(t, vs[0], better=True), offset_ns=g.near())
        g.quote(t, vs[1], better=True)
        g.depth_state(t, 1, better=False)
        seeded["missed"].add(t["trade_id"])

        t = g.trade(modifiers=["3"])  # (b) protected quote at level 9+ on the depth venue, no ISO
        g.iso(t, g.quote(t, rng.choice(VENUES[:5]), better=True), offset_ns=g.near())
        g.depth_state(t, rng.randrange(9, 16), better=True)
        seeded["depth_blind"].add(t["trade_id"])

        t = g.trade(modifiers=["3"])  # (d) ISO rejected for a bad clearing-firm tag, never re-routed
        g.iso(t, g.quote(t, "Z", better=True), offset_ns=g.near(), rejected=True, firm=BAD_FIRM)
        g.depth_state(t, 1, better=False)
        seeded["rejected_no_reroute"].add(t["trade_id"])

        t = g.trade(modifiers=[])  # ISOs routed, trade reported without the modifier
        g.iso(t, g.quote(t, rng.choice(VENUES[:5]), better=True), offset_ns=g.near())
        g.depth_state(t, 1, better=False)
        seeded["reverse"].add(t["trade_id"])

        t = g.trade(modifiers=[rng.choice(["4", "3"])])  # (e) exemption modifier without its evidence
        g.quote(t, rng.choice(VENUES[:5]), better=False)
        g.depth_state(t, 1, better=False)
        seeded["modifier_no_evidence"].add(t["trade_id"])

        t = g.trade(modifiers=[], desk="MANUAL", trader="mdesk1")  # (c) manual desk outside the NBBO
        g.quote(t, rng.choice(VENUES[:5]), better=True)
        g.depth_state(t, 1, better=False)
        seeded["manual_desk"].add(t["trade_id"])
    bursts = _reject_burst(g, per_failure if burst is None else burst)
    return Day(
        day,
        pl.DataFrame(g.trades, schema=TRADE_SCHEMA, orient="row"),
        pl.DataFrame(g.ladder, schema=LADDER_SCHEMA, orient="row"),
        pl.DataFrame(g.routes, schema=ROUTE_SCHEMA, orient="row"),
        pl.DataFrame(g.depth, schema=DEPTH_SCHEMA, orient="row"),
        pl.DataFrame(g.evidence, schema=EVIDENCE_SCHEMA, orient="row"),
        seeded,
        bursts,
    )


def _reject_burst(g: _Gen, count: int, bucket_ns: int = 15 * 60 * 1_000_000_000) -> set[int]:
    """`count` rejected ISOs from one venue packed into two 15-minute buckets (the reject burst)."""
    buckets = set()
    start = g.t0 + 2 * 3600 * 1_000_000_000
    for i in range(count):
        g.r += 1
        ts = start + (i * (2 * bucket_ns)) // max(count, 1)
        buckets.add(ts // bucket_ns)
        g.routes.append(
            {
                "cl_ord_id": f"C{g.r:08d}",
                "parent_order_id": f"B{i:07d}",
                "symbol": "S000",
                "side": "B",
                "qty": 100,
                "price": 10_000_000,
                "is_iso": True,
                "venue": "K",
                "route_ts": ts,
                "clearing_firm": BAD_FIRM,
                "rejected": True,
                "reject_reason": "A",
                "reject_text": f"ClearingFirm not allowed (for trading firm {BAD_FIRM})",
                "filled_qty": 0,
            }
        )
    return buckets
