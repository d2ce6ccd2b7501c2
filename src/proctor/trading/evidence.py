"""How a trade-through or a data-quality HOLD is shown to a reviewer and an examiner.

A reviewer deciding a trade-through needs three pictures: every venue's protected quote at the
execution (the ladder, with the traded-through venues emphasised), what those venues showed over
the prior second (the flicker window, as a small timeline), and each Rule 611 clause's result
with its reason. Prices are shown as exact dollar strings; times keep their nanoseconds.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from proctor.core.evidence import Block, KeyValues, TableBlock, TimelineBlock, TimelinePoint

# `px` and `CLAUSES` come from the trade-through kernel's module, which loads NumPy, Polars and
# Numba: imported where an alert is shown, not when the module's spec is read.


def iso_ns(ns: int | None) -> str:
    """Nanoseconds since the epoch as ISO-8601 UTC with all nine fraction digits."""
    if ns is None:
        return "—"
    seconds, frac = divmod(int(ns), 1_000_000_000)
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S") + f".{frac:09d}Z"


def _dollars(value: Any) -> float | None:
    return None if not value else int(value) / 1_000_000


def _worst(window: dict[str, Any]) -> str:
    from proctor.trading.tradethrough import px

    return f"{px(window.get('bid_worst'))} / {px(window.get('ask_worst'))}"


def trade_through_blocks(evidence: dict[str, Any]) -> list[Block]:
    from proctor.trading.tradethrough import CLAUSES, px

    trade = evidence.get("trade") or {}
    result = evidence.get("result") or {}
    lot = evidence.get("round_lot") or {}
    clock = evidence.get("clock") or {}
    through = evidence.get("through") or []
    nbbo = evidence.get("nbbo") or {}
    flagged = ", flagged" if lot.get("flagged") else ""
    blocks: list[Block] = [
        KeyValues(
            "Trade",
            [
                ("trade", trade.get("trade_id")),
                ("symbol", evidence.get("symbol")),
                ("executed", iso_ns(trade.get("ts"))),
                ("side", trade.get("side")),
                ("quantity", trade.get("quantity")),
                ("price", px(trade.get("price"))),
                ("modifiers", " ".join(trade.get("modifiers") or []) or "none"),
                ("order", trade.get("order_id")),
                ("desk", evidence.get("desk")),
                ("trader", evidence.get("trader")),
                ("capacity", trade.get("capacity")),
                ("settlement", trade.get("settlement")),
                ("status", result.get("status")),
                ("traded through", ", ".join(f"{t['venue']} {t['side']} {px(t['price'])}" for t in through)),
                ("NBBO", f"{px(nbbo.get('nbb'))} × {px(nbbo.get('nbo'))}"),
                ("round lot", f"{lot.get('shares')} shares ({lot.get('basis')}{flagged})"),
                ("rule version", evidence.get("rule_version")),
            ],
        )
    ]
    hit = {t["venue"] for t in through}
    shown = ("bid", "ask", "bid_lo", "ask_lo", "bid_hi", "ask_hi", "raw_bid", "raw_ask")
    every = evidence.get("ladder") or []
    ladder = [v for v in every if any(v.get(k) for k in shown) or v["venue"] in hit]
    silent = [v["venue"] for v in every if v not in ladder]
    rows = [
        [
            v["venue"],
            px(v.get("bid")),
            px(v.get("ask")),
            f"{px(v.get('bid_lo'))} × {px(v.get('ask_lo'))}",
            f"{px(v.get('bid_hi'))} × {px(v.get('ask_hi'))}",
            f"{px(v.get('raw_bid'))} × {px(v.get('raw_ask'))}",
            _worst(v.get("flicker") or {}),
        ]
        for v in ladder
    ]
    blocks.append(
        TableBlock(
            "Venue ladder at execution (protected quotes)",
            [
                "venue",
                "bid",
                "offer",
                "at −tolerance",
                "at +tolerance",
                "displayed (any size)",
                "flicker worst bid/offer",
            ],
            rows,
            frozenset(i for i, v in enumerate(ladder) if v["venue"] in hit),
        )
    )
    if silent:
        blocks.append(
            KeyValues("Automated trading centers with no quote at all", [("venues", ", ".join(silent))])
        )
    window = evidence.get("flicker_window") or {}
    points: list[TimelinePoint] = []
    sides = sorted({(t["venue"], t["side"]) for t in through})  # only the side that was traded through
    for venue, side in sides:
        key = "ask" if side == "offer" else "bid"
        series = (window.get("points") or {}).get(venue) or []
        name = f"{venue} {side}"
        for p in series:
            points.append(TimelinePoint(iso_ns(p["ts"]), f"{name} {px(p[key])}", _dollars(p[key]), name))
        if series and window.get("end") is not None:  # carry the last quote to the execution instant
            last = series[-1][key]
            at = iso_ns(window["end"])
            points.append(TimelinePoint(at, f"{name} {px(last)} at execution", _dollars(last), name))
    if trade.get("ts") is not None:
        points.append(
            TimelinePoint(
                iso_ns(trade["ts"]),
                f"trade {px(trade.get('price'))}",
                _dollars(trade.get("price")),
                "trade",
                True,
            )
        )
    blocks.append(
        TimelineBlock(
            "Flicker window: traded-through venues over the prior second (611(b)(8))", points, "USD"
        )
    )
    clauses = evidence.get("clauses") or []
    blocks.append(
        TableBlock(
            "Rule 611 exceptions and exemptions",
            ["clause", "exception", "result", "reason"],
            [
                [
                    c.get("clause") or c.get("id"),
                    CLAUSES.get(str(c.get("clause") or c.get("id")), ""),
                    c.get("result"),
                    c.get("reason"),
                ]
                for c in clauses
            ],
            frozenset(i for i, c in enumerate(clauses) if c.get("result") == "pass"),
        )
    )
    blocks.append(
        KeyValues(
            "Clock (FINRA 4590 tolerance)",
            [
                ("class", clock.get("class")),
                ("tolerance", f"{(clock.get('tolerance_ns') or 0) / 1e6:g} ms"),
                ("reason", clock.get("reason")),
            ],
        )
    )
    return blocks


def data_quality_blocks(evidence: dict[str, Any]) -> list[Block]:
    gates = evidence.get("gates") or []
    blocks: list[Block] = [
        KeyValues(
            "Market data verdict",
            [
                ("symbol", evidence.get("symbol")),
                ("day", evidence.get("day")),
                ("verdict", evidence.get("verdict")),
                ("trades not checked", evidence.get("trades_not_checked")),
                ("rule version", evidence.get("rule_version")),
            ],
        ),
        TableBlock(
            "Data-quality gates",
            ["gate", "status", "finding"],
            [[g["name"], g["status"], g["reason"]] for g in gates],
            frozenset(i for i, g in enumerate(gates) if g["status"] == "FAIL"),
        ),
    ]
    stale = next((g for g in gates if g["name"] == "stale_quotes"), None)
    venues = (stale or {}).get("figures", {}).get("venues") or {}
    if venues:
        blocks.append(
            TableBlock(
                "Venues",
                ["venue", "updates", "median gap (s)", "stale at trades"],
                [
                    [v, f["updates"], f["median_gap_s"], f["stale_at_trades"]]
                    for v, f in sorted(venues.items())
                ],
            )
        )
    return blocks


RENDERERS = {"trading_trade_through": trade_through_blocks, "trading_data_quality": data_quality_blocks}
