"""The ISO and routing part of the trading demo: the five failures of case 003 and their look-alikes.

Two days of one symbol (HBRX, about $42, round lot 100): 2 March 2026 is a normal day that gives
the reject monitor its baseline; on 3 March 2026 the desk's OMS fails in each way the case
describes, next to the lawful trades an examiner would expect Proctor to leave alone. Every input
is written as the firm's files and read by the real importers: quotes, trades and evidence CSVs
through the trading store, the OMS FIX log through `proctor trading import fix`'s code path. The
router's view of Nasdaq's full depth (odd lots at the top levels) is stored as rebuilt book
states, the form the LOBSTER and ITCH importers produce.

Desk supervision: the manual desk and the electronic desk are added to the firm's supervision
hierarchy (keeping every existing line), so their alerts route to the desk's principal.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from proctor.trading import store
from proctor.trading.books import DEPTH_SCHEMA
from proctor.trading.importers._intake import Parsed
from proctor.trading.iso_demo_files import (
    BAD_FIRM,
    QUOTING,
    DemoDay,
    Route,
    ns_at,
    write_csv,
    write_evidence,
    write_fix_log,
    write_quotes,
    write_trades,
)

BASELINE_DAY, DEMO_DAY = date(2026, 3, 2), date(2026, 3, 3)
SYMBOL = "HBRX"
MID = 42_000_000  # micro-dollars
CENT = 10_000
MANUAL_DESK, ELECTRONIC_DESK, BLOCK_DESK = "OTC-MANUAL", "OTC-ELECTRONIC", "OTC-BLOCK"
DESK_SUPERVISION = [  # desk or trader, principal, delegates
    (MANUAL_DESK.lower(), "paula", "ravi"),
    (ELECTRONIC_DESK.lower(), "paula", "rita"),
    (BLOCK_DESK.lower(), "carl", "rita"),
]
REJECT_TEXT = "ClearingFirm not allowed (for trading firm {firm})"


def _normal(venue: str) -> tuple[int, int, int, int]:
    """N and P make the inside market (42.00 x 42.01, 500 each); the others sit a cent outside."""
    inner = venue in ("N", "P")
    return MID - (0 if inner else CENT), 500 if inner else 300, MID + (CENT if inner else 2 * CENT), 500


class _Builder:
    def __init__(self, day: date) -> None:
        self.d = DemoDay(day)
        self.n = self.r = 0
        for k in range(int(6.5 * 3600 // 20)):  # every venue refreshes every 20 s, 2 s apart
            for i, v in enumerate(QUOTING):
                self.d.quote(ns_at(day, k * 20.0 + i * 2), SYMBOL, v, *_normal(v))

    def at(self, minute: int) -> int:
        """Scenario instants sit at ss = 11.5: no regular refresh within the second before."""
        return ns_at(self.d.day, minute * 60 + 11.5)

    def trade(
        self,
        ts: int,
        side: str,
        price: int,
        qty: int,
        *,
        mods: str = "",
        desk: str = ELECTRONIC_DESK,
        trader: str = "erin.electronic",
    ) -> dict[str, Any]:
        self.n += 1
        t = {
            "trade_id": f"T{self.d.day:%m%d}-{self.n:03d}",
            "symbol": SYMBOL,
            "ts": ts,
            "side": side,
            "price": price,
            "quantity": qty,
            "modifiers": mods,
            "order_id": f"O{self.d.day:%m%d}-{self.n:03d}",
            "desk": desk,
            "trader": trader,
        }
        self.d.trades.append(t)
        self._depth(ts, level=1, ask=MID + 3 * CENT)
        return t

    def iso(self, t: dict[str, Any], venue: str, offset_s: float, qty: int = 500, **kw: Any) -> Route:
        self.r += 1
        r = Route(
            f"C{self.d.day:%m%d}{self.r:05d}",
            t["order_id"],
            SYMBOL,
            t["side"],
            venue,
            qty,
            MID + CENT,
            t["ts"] + int(offset_s * 1e9),
            **kw,
        )
        self.d.routes.append(r)
        return r

    def sweep(self, t: dict[str, Any], offset_s: float = -0.02, venues: tuple[str, ...] = ("N", "P")) -> None:
        for k, v in enumerate(venues):
            self.iso(t, v, offset_s + 0.005 * k)

    def _depth(self, ts: int, *, level: int, ask: int) -> None:
        """Nasdaq's book 1 ms before a trade: odd lots above the protected ask at `level`."""
        row: dict[str, Any] = {c: 0 for c in DEPTH_SCHEMA}
        top = ask - (level - 1) * CENT
        row.update(
            {
                "ts": ts - 1_000_000,
                "seq": len(self.d.depth),
                "venue": "Q",
                "symbol": SYMBOL,
                "bid_px": MID - 2 * CENT,
                "bid_size": 300,
                "bid_prot_px": MID - 2 * CENT,
                "bid_prot_size": 300,
                "bid_prot_level": 1,
                "bid_levels": 10,
                "ask_px": top,
                "ask_size": 100 if level == 1 else 30,
                "ask_prot_px": ask,
                "ask_prot_size": 200,
                "ask_prot_level": level,
                "ask_levels": max(level, 1) + 3,
            }
        )
        if self.d.depth and self.d.depth[-1]["ts"] == row["ts"]:  # a scenario's own book replaces the default
            self.d.depth.pop()
        self.d.depth.append(row)


def _normal_trades(b: _Builder, start_minute: int, count: int) -> None:
    """Electronic trades at the inside and lawful ISO sweeps of both inside offers."""
    for k in range(count):
        ts = b.at(start_minute + 3 * k)
        if k % 3 == 0:
            t = b.trade(ts, "B", MID + 2 * CENT, 1000, mods="3")
            b.sweep(t, -0.03 + 0.01 * (k % 4))
        else:
            b.trade(ts, "S" if k % 2 else "B", MID if k % 2 else MID + CENT, 200)


def baseline_day() -> DemoDay:
    b = _Builder(BASELINE_DAY)
    _normal_trades(b, 5, 100)
    for k in range(60):  # resting orders to EDGX that filled: the venue's normal traffic
        parent = {"order_id": f"OK{k:03d}", "side": "B", "ts": b.at(7 + 6 * k)}
        b.iso(parent, "K", 0.0, qty=100)
    for k in range(3):  # the usual handful of price-band rejects on resting orders that never traded
        parent = {"order_id": f"OR{k:03d}", "side": "B", "ts": b.at(60 + 90 * k)}
        b.iso(parent, "K", 0.0, qty=100, outcome="reject", reject_text="Order price out of range")
    return b.d


def demo_day() -> DemoDay:
    b = _Builder(DEMO_DAY)
    s = b.d.scenarios
    _normal_trades(b, 5, 40)
    # lawful: ISOs 20-25 ms before the print to both better venues, each for its full 500 shares
    t = b.trade(b.at(131), "B", MID + 2 * CENT, 1000, mods="3")
    b.sweep(t)
    s["lawful_sweep"] = t["trade_id"]
    # lawful: a block whose customer consented to ISOs routed before it (8 s ahead)
    t = b.trade(b.at(134), "B", MID + 2 * CENT, 5000, mods="3", desk=BLOCK_DESK, trader="bob.block")
    b.sweep(t, -8.0)
    b.d.evidence.append(
        {
            "kind": "customer_iso_consent",
            "order_id": t["order_id"],
            "symbol": SYMBOL,
            "start": t["ts"] - 60_000_000_000,
            "end": t["ts"] + 60_000_000_000,
            "detail": "Customer consented in writing to ISOs ahead of the block",
        }
    )
    s["lawful_consented_block"] = t["trade_id"]
    # lawful: the ISO to P was rejected (price band) and re-routed 15 ms later, filled in time
    t = b.trade(b.at(137), "B", MID + 2 * CENT, 1000, mods="3")
    b.iso(t, "N", -0.03)
    b.iso(t, "P", -0.045, outcome="reject", reject_text="Order price out of range")
    b.iso(t, "P", -0.03)
    s["lawful_reject_rerouted"] = t["trade_id"]
    # lawful: a benchmark (VWAP) trade with its evidence, and a deep Nasdaq quote not better than the print
    t = b.trade(b.at(140), "B", MID + 3 * CENT, 2000, mods="4", desk=BLOCK_DESK, trader="bob.block")
    b.d.evidence.append(
        {
            "kind": "benchmark",
            "order_id": t["order_id"],
            "symbol": SYMBOL,
            "price": t["price"],
            "start": ns_at(DEMO_DAY, 0.0),
            "end": ns_at(DEMO_DAY, 6.5 * 3600),
            "detail": "Full-day VWAP agreed with the customer before the open",
        }
    )
    s["lawful_benchmark"] = t["trade_id"]
    t = b.trade(b.at(143), "B", MID + 2 * CENT, 1000, mods="3")
    b.sweep(t)
    b._depth(t["ts"], level=9, ask=MID + 5 * CENT)
    s["lawful_deep_quote_not_better"] = t["trade_id"]
    # (a) ISOs routed 1.4 s before the execution: the OMS scheduler's latency
    t = b.trade(b.at(150), "B", MID + 2 * CENT, 1000, mods="3")
    b.sweep(t, -1.4)
    s["a_late_isos"] = t["trade_id"]
    # (a) a better venue (P) left out of the sweep
    t = b.trade(b.at(153), "B", MID + 2 * CENT, 1000, mods="3")
    b.iso(t, "N", -0.02)
    s["a_missed_venue"] = t["trade_id"]
    # ISOs routed, but the trade was reported without the ISO-outbound modifier
    t = b.trade(b.at(156), "B", MID + 2 * CENT, 1000)
    b.sweep(t)
    s["a_reverse_unmarked"] = t["trade_id"]
    # (b) Nasdaq's protected offer at 42.01 sat at level 9 under odd lots; the router read 8 levels
    t = b.trade(b.at(159), "B", MID + 2 * CENT, 1000, mods="3")
    b.sweep(t)
    b._depth(t["ts"], level=9, ask=MID + CENT)
    s["b_depth_blind"] = t["trade_id"]
    # (c) the manual desk bought above every venue's offer, no exception
    t = b.trade(b.at(162), "B", MID + 4 * CENT, 300, desk=MANUAL_DESK, trader="mike.manual")
    s["c_manual_desk"] = t["trade_id"]
    # (d) the ISO to P was rejected for its clearing-firm tag and never re-routed
    t = b.trade(b.at(165), "B", MID + 2 * CENT, 1000, mods="3")
    b.iso(t, "N", -0.02)
    b.iso(t, "P", -0.015, firm=BAD_FIRM, outcome="reject", reject_text=REJECT_TEXT.format(firm=BAD_FIRM))
    s["d_rejected_not_rerouted"] = t["trade_id"]
    # (d) a burst: 40 ISOs to EDGX (K) with the bad tag rejected within 15 minutes (some as 35=j)
    for k in range(40):
        parent = {"order_id": f"OB{k:03d}", "side": "B", "ts": b.at(180) + k * 20_000_000_000}
        b.iso(
            parent,
            "K",
            0.0,
            qty=100,
            firm=BAD_FIRM,
            outcome="business_reject" if k % 4 == 0 else "reject",
            reject_text=REJECT_TEXT.format(firm=BAD_FIRM),
        )
    s["d_reject_burst_venue"] = "K"
    # (e) a benchmark modifier with no benchmark evidence on file
    t = b.trade(b.at(200), "S", MID, 500, mods="4")
    s["e_modifier_without_evidence"] = t["trade_id"]
    return b.d


def _store_depth(ws: Any, d: DemoDay, actor: str) -> dict[str, Any]:
    frame = pl.DataFrame(d.depth, schema=DEPTH_SCHEMA, orient="row").with_columns(pl.lit(d.day).alias("day"))
    raw = store.parquet_bytes(frame)
    parsed = Parsed("depth", frame, frame.height, [], ["Nasdaq TotalView book states the router read"])
    return store.store_parsed(
        ws,
        parsed,
        raw,
        source=f"demo:nasdaq-depth:{d.day}",
        options={"format": "depth-states", "venue": "Q"},
        actor=actor,
    )


def _supervise_desks(ws: Any, folder: Path, actor: str) -> dict[str, Any]:
    """Add the trading desks to the supervision hierarchy, keeping every line already there."""
    from proctor.platform.directory import hierarchy_rows, import_hierarchy

    with ws.read() as conn:
        rows = hierarchy_rows(conn)
    kept = [
        [r["person"], r["principal"], ";".join(x.strip() for x in r["delegates"].split(",") if x.strip())]
        for r in rows
    ]
    known = {r[0] for r in kept}
    new = [
        [p, who, dl if who not in {r[1] for r in kept} else ""]
        for p, who, dl in DESK_SUPERVISION
        if p not in known
    ]
    path = write_csv(folder / "desk-supervision.csv", ["person", "principal", "delegates"], kept + new)
    return import_hierarchy(ws, path, actor)


def seed_iso_demo(ws: Any, actor: str) -> dict[str, Any]:
    from proctor.trading.iso_service import import_fix

    folder = Path(ws.path) / "trading-inputs" / "iso"
    refs = write_csv(
        folder / "refprices.csv",
        ["symbol", "month", "avg_close"],
        [[SYMBOL, "2026-01", "41.90"], [SYMBOL, "2026-02", "42.05"]],
    )
    imports = {"refprices": store.import_file(ws, "refprices", refs, actor=actor)["id"]}
    out: dict[str, Any] = {"days": [], "imports": imports}
    for d in (baseline_day(), demo_day()):
        tag = d.day.isoformat()
        imports[f"quotes:{tag}"] = store.import_file(
            ws, "quotes", write_quotes(d, folder / f"quotes-{tag}.csv"), actor=actor
        )["id"]
        imports[f"trades:{tag}"] = store.import_file(
            ws, "trades", write_trades(d, folder / f"trades-{tag}.csv"), actor=actor
        )["id"]
        if d.evidence:
            imports[f"evidence:{tag}"] = store.import_file(
                ws, "evidence", write_evidence(d, folder / f"evidence-{tag}.csv"), actor=actor
            )["id"]
        fix = import_fix(ws, write_fix_log(d, folder / f"oms-fix-{tag}.log"), actor=actor)
        imports[f"fix:{tag}"] = {"id": fix["id"], **fix["counts"]}
        imports[f"depth:{tag}"] = _store_depth(ws, d, actor)["id"]
        out["days"].append(tag)
    out["supervision_added"] = _supervise_desks(ws, folder, actor)["added"]
    out["scenarios"] = demo_day().scenarios
    out["day"] = DEMO_DAY.isoformat()
    return out
