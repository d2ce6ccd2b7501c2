"""Plain-Python reference of the Rule 611 kernel: slow, short, and obviously right.

It shares no code with `kernel` beyond the field names. It replays the day once into a table of
snapshots (the whole market after each distinct quote timestamp), then answers each question by
looking the instants up in that table — the definitions of the kernel's docstring read literally:

- protected side of a row: firm under its condition, price > 0, size >= round lot;
- state at s: the last snapshot whose ts <= s (none: nothing quoted yet);
- window [a, b]: the instants a and every snapshot ts in (a, b].

The differential test holds the kernel to this on randomised days. `venue_points` also lives
here because alert evidence (the flicker timeline) wants the same literal replay.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import Any

import numpy as np
import polars as pl

from proctor.trading.kernel import TRADE_FIELDS, VENUE_FIELDS, Snapshot
from proctor.trading.params import KernelParams

Side = tuple[int, int]  # (protected bid, protected ask); 0 = none


def _firm(condition: str, params: KernelParams) -> tuple[bool, bool]:
    if condition in params.firm_quote_conditions:
        return True, True
    if condition in params.bid_only_firm_conditions:
        return True, False
    if condition in params.ask_only_firm_conditions:
        return False, True
    return False, False


def protected_side(price: int | None, size: int | None, firm: bool, round_lot: int) -> int:
    """Rule 600(b) protected price of one side of one quote row (0 = not protected)."""
    if not firm or price is None or price <= 0:
        return 0
    if size is None or size < round_lot:
        return 0
    return price


def _rows(quotes: pl.DataFrame) -> list[dict[str, Any]]:
    rows = list(quotes.iter_rows(named=True))
    rows.sort(key=lambda r: (r["ts"], r["seq"]))  # Python's sort is stable: file order on full ties
    return rows


def snapshots(
    quotes: pl.DataFrame, params: KernelParams, odd_lots: bool = False
) -> list[tuple[int, dict[str, Side]]]:
    """[(ts, {venue: (bid, ask)})] after each distinct quote ts; odd_lots keeps sub-round-lot sizes."""
    lot = 1 if odd_lots else params.round_lot
    state: dict[str, Side] = {}
    table: list[tuple[int, dict[str, Side]]] = []
    for r in _rows(quotes):
        if r["venue"] not in params.protected_venues:
            continue
        bid_ok, ask_ok = _firm(r["condition"], params)
        state[r["venue"]] = (
            protected_side(r["bid_px"], r["bid_size"], bid_ok, lot),
            protected_side(r["ask_px"], r["ask_size"], ask_ok, lot),
        )
        if table and table[-1][0] == r["ts"]:
            table[-1] = (r["ts"], dict(state))
        else:
            table.append((r["ts"], dict(state)))
    return table


def _at(table: list[tuple[int, dict[str, Side]]], keys: list[int], s: int) -> dict[str, Side]:
    i = bisect_right(keys, s)
    return table[i - 1][1] if i else {}


def _instants(
    table: list[tuple[int, dict[str, Side]]], keys: list[int], a: int, b: int
) -> list[dict[str, Side]]:
    out = [_at(table, keys, a)]
    for ts, state in table[bisect_right(keys, a) :]:
        if ts > b:
            break
        out.append(state)
    return out


def _stats(states: list[dict[str, Side]], venue: str) -> tuple[int, int, int, int, int]:
    """(bid_best, bid_worst, ask_best, ask_worst, gap) of one venue over the instants."""
    bids = [st.get(venue, (0, 0))[0] for st in states]
    asks = [st.get(venue, (0, 0))[1] for st in states]
    shown_b = [b for b in bids if b > 0]
    shown_a = [a for a in asks if a > 0]
    gap = (1 if len(shown_b) < len(bids) else 0) | (2 if len(shown_a) < len(asks) else 0)
    return (
        max(shown_b, default=0),
        min(shown_b, default=0),
        min(shown_a, default=0),
        max(shown_a, default=0),
        gap,
    )


def _nbbo(state: dict[str, Side], venues: tuple[str, ...]) -> tuple[int, int]:
    bids = [state.get(v, (0, 0))[0] for v in venues]
    asks = [state.get(v, (0, 0))[1] for v in venues if state.get(v, (0, 0))[1] > 0]
    return max(bids, default=0), min(asks, default=0)


def reference_snapshot(quotes: pl.DataFrame, trades: pl.DataFrame, params: KernelParams) -> Snapshot:
    """Same output as `kernel.snapshot`, by literal replay."""
    venues = params.protected_venues
    table = snapshots(quotes, params)
    raw = snapshots(quotes, params, odd_lots=True)
    keys = [ts for ts, _ in table]
    raw_keys = [ts for ts, _ in raw]
    n, nv = trades.height, len(venues)
    out = {name: np.zeros((n, nv), np.int64) for name in VENUE_FIELDS}
    tout = {name: np.zeros(n, np.int64) for name in TRADE_FIELDS}
    tol, flk = params.tolerance_ns, params.flicker_ns
    for j, t in enumerate(trades["ts"].to_list()):
        at, lo, hi = _at(table, keys, t), _at(table, keys, t - tol), _at(table, keys, t + tol)
        raw_at = _at(raw, raw_keys, t)
        flicker = _instants(table, keys, t - flk, t)
        clock = _instants(table, keys, t - tol, t + tol)
        for i, v in enumerate(venues):
            out["bid"][j, i], out["ask"][j, i] = at.get(v, (0, 0))
            out["bid_lo"][j, i], out["ask_lo"][j, i] = lo.get(v, (0, 0))
            out["bid_hi"][j, i], out["ask_hi"][j, i] = hi.get(v, (0, 0))
            out["raw_bid"][j, i], out["raw_ask"][j, i] = raw_at.get(v, (0, 0))
            for prefix, states in (("flk", flicker), ("tol", clock)):
                stats = _stats(states, v)
                for name, value in zip(
                    ("bid_best", "bid_worst", "ask_best", "ask_worst", "gap"), stats, strict=True
                ):
                    out[f"{prefix}_{name}"][j, i] = value
        nbb, nbo = _nbbo(at, venues)
        tout["nbb"][j], tout["nbo"][j] = nbb, nbo
        tout["nbb_mask"][j] = sum(1 << i for i, v in enumerate(venues) if nbb and at.get(v, (0, 0))[0] == nbb)
        tout["nbo_mask"][j] = sum(1 << i for i, v in enumerate(venues) if nbo and at.get(v, (0, 0))[1] == nbo)
        clock_nbbo = [_nbbo(st, venues) for st in clock]
        bids = [b for b, _ in clock_nbbo if b > 0]
        asks = [a for _, a in clock_nbbo if a > 0]
        tout["nbb_worst_tol"][j] = min(bids, default=0)
        tout["nbo_worst_tol"][j] = max(asks, default=0)
        tout["nbbo_gap_tol"][j] = (1 if len(bids) < len(clock) else 0) | (2 if len(asks) < len(clock) else 0)
    return Snapshot(venues=venues, venue=out, trade=tout)


def venue_points(
    quotes: pl.DataFrame, params: KernelParams, venue: str, start: int, end: int
) -> list[dict[str, int]]:
    """One venue's protected quote at `start` and at each of its changes in (start, end].

    For evidence (the flicker timeline of a traded-through venue): [{ts, bid, ask}], 0 = none.
    """
    table = snapshots(quotes.filter(pl.col("venue") == venue), params)
    keys = [ts for ts, _ in table]
    first = _at(table, keys, start).get(venue, (0, 0))
    points = [{"ts": start, "bid": first[0], "ask": first[1]}]
    for ts, state in table[bisect_right(keys, start) :]:
        if ts > end:
            break
        bid, ask = state[venue]
        if (bid, ask) != (points[-1]["bid"], points[-1]["ask"]):
            points.append({"ts": ts, "bid": bid, "ask": ask})
    return points
