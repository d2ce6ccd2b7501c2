"""Data-quality gates run before the trade-through rule, per symbol-day.

A trade-through check is only as good as its view of every venue's quotes. Sparse, stale or
missing venue quotes rebuild an NBBO that is crossed half the time, and a check run on it would
raise thousands of false trade-throughs (or, worse, hide real ones). So before the rule runs,
these gates measure the day's market data; a day that fails any of them is UNFIT: it is a HOLD
with an alert saying why, with figures, and its trades are not judged on it. A day with trades
and no quotes, or a venue that was quoting and went silent, is never a silent pass.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from proctor.trading.jit import compiled
from proctor.trading.kernel import I64, prepare_quotes
from proctor.trading.params import KernelParams

PASS, WARN, FAIL = "PASS", "WARN", "FAIL"


@dataclass(frozen=True)
class Gate:
    name: str
    status: str
    reason: str
    figures: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "status": self.status, "reason": self.reason, "figures": self.figures}


@dataclass(frozen=True)
class GateReport:
    symbol: str
    day: str
    gates: tuple[Gate, ...]

    @property
    def fit(self) -> bool:
        return not any(g.status == FAIL for g in self.gates)

    @property
    def verdict(self) -> str:
        return "FIT" if self.fit else "UNFIT"

    def reasons(self) -> list[str]:
        return [f"{g.name}: {g.reason}" for g in self.gates if g.status == FAIL]

    def as_dict(self) -> dict[str, Any]:
        return {
            "symbol": self.symbol,
            "day": self.day,
            "verdict": self.verdict,
            "reasons": self.reasons(),
            "gates": [g.as_dict() for g in self.gates],
        }


@compiled(cache=True, nogil=True)
def _nbbo_states(
    ts: I64, ven: np.ndarray, bid: I64, bsz: I64, ask: I64, asz: I64, firm: np.ndarray, lot: int, nv: int
) -> tuple[I64, I64, I64]:
    """NBBO after each group of same-ts rows, carrying each venue's protected quote forward."""
    n = ts.shape[0]
    pb = np.zeros(nv, np.int64)
    pa = np.zeros(nv, np.int64)
    out_ts = np.empty(n, np.int64)
    out_b = np.empty(n, np.int64)
    out_a = np.empty(n, np.int64)
    k = 0
    for i in range(n):
        v = ven[i]
        if v >= 0:
            pb[v] = bid[i] if (firm[i] & 1) != 0 and bid[i] > 0 and bsz[i] >= lot else 0
            pa[v] = ask[i] if (firm[i] & 2) != 0 and ask[i] > 0 and asz[i] >= lot else 0
        if i + 1 == n or ts[i + 1] != ts[i]:
            nbb = 0
            nbo = 0
            for j in range(nv):
                if pb[j] > nbb:
                    nbb = pb[j]
                if pa[j] > 0 and (nbo == 0 or pa[j] < nbo):
                    nbo = pa[j]
            out_ts[k] = ts[i]
            out_b[k] = nbb
            out_a[k] = nbo
            k += 1
    return out_ts[:k], out_b[:k], out_a[:k]


def nbbo_states(quotes: pl.DataFrame, params: KernelParams) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(ts, nbb, nbo) of every distinct quote instant, protected quotes only (0 = none)."""
    q = prepare_quotes(quotes, params)
    result: tuple[np.ndarray, np.ndarray, np.ndarray] = _nbbo_states(
        q["ts"].to_numpy(),
        q["venue_ix"].to_numpy(),
        q["bid_px"].to_numpy(),
        q["bid_size"].to_numpy(),
        q["ask_px"].to_numpy(),
        q["ask_size"].to_numpy(),
        q["firm"].to_numpy(),
        params.round_lot,
        len(params.protected_venues),
    )
    return result


def nbbo_states_reference(
    quotes: pl.DataFrame, params: KernelParams
) -> tuple[list[int], list[int], list[int]]:
    """Plain-Python twin of `nbbo_states`, for the differential test (slow, obviously right)."""
    venues = {v: i for i, v in enumerate(params.protected_venues)}
    firm_both, bid_only, ask_only = (
        set(params.firm_quote_conditions),
        set(params.bid_only_firm_conditions),
        set(params.ask_only_firm_conditions),
    )
    rows = sorted(quotes.to_dicts(), key=lambda r: (r["ts"], r["seq"]))
    state: dict[str, tuple[int, int]] = {}
    out: tuple[list[int], list[int], list[int]] = ([], [], [])
    for k, r in enumerate(rows):
        if r["venue"] in venues:
            c = r["condition"]
            bid_ok = c in firm_both or c in bid_only
            ask_ok = c in firm_both or c in ask_only
            bid = r["bid_px"] or 0
            ask = r["ask_px"] or 0
            bid = bid if bid_ok and bid > 0 and (r["bid_size"] or 0) >= params.round_lot else 0
            ask = ask if ask_ok and ask > 0 and (r["ask_size"] or 0) >= params.round_lot else 0
            state[r["venue"]] = (bid, ask)
        if k + 1 == len(rows) or rows[k + 1]["ts"] != r["ts"]:
            bids = [b for b, _ in state.values() if b > 0]
            asks = [a for _, a in state.values() if a > 0]
            out[0].append(r["ts"])
            out[1].append(max(bids) if bids else 0)
            out[2].append(min(asks) if asks else 0)
    return out


def _share(part: int, whole: int) -> float:
    return round(part / whole, 6) if whole else 0.0


def _hhmm(ns: int, tz_offset_ns: int) -> str:
    s = (ns + tz_offset_ns) // 1_000_000_000 % 86_400
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


def run_gates(
    symbol: str,
    day: str,
    quotes: pl.DataFrame | None,
    trades: pl.DataFrame | None,
    clock: pl.DataFrame | None,
    params: KernelParams,
    quality: dict[str, Any],
    *,
    previous_venues: set[str] | None = None,
    quarantined: int = 0,
    local_offset_ns: int = 0,
) -> GateReport:
    """Every gate for one symbol-day; pure. Thresholds come from the rule table's data_quality."""
    start, end = params.regular_hours_ns or (-(2**62), 2**62)
    gates: list[Gate] = []
    n_trades = 0 if trades is None else trades.height
    rth_trades = trades.filter((pl.col("ts") >= start) & (pl.col("ts") < end)) if trades is not None else None
    if quotes is None or quotes.height == 0:
        status = FAIL if n_trades else WARN
        gates.append(
            Gate(
                "quotes_present", status, f"{n_trades} trades and no quotes for the day", {"trades": n_trades}
            )
        )
        return GateReport(symbol, day, tuple(gates + _clock_gate(clock, quality)))
    gates.append(Gate("quotes_present", PASS, f"{quotes.height} quote updates", {"quotes": quotes.height}))
    venues_today = set(quotes.filter(pl.col("venue").is_in(list(params.protected_venues)))["venue"].unique())
    st_ts, nbb, nbo = nbbo_states(quotes, params)
    rth = (st_ts >= start) & (st_ts < end)
    states = int(rth.sum())
    both = rth & (nbb > 0) & (nbo > 0)
    crossed = int((both & (nbb > nbo)).sum())
    locked = int((both & (nbb == nbo)).sum())
    share = _share(crossed, states)
    limit = float(quality.get("max_crossed_share", 0.01))
    gates.append(
        Gate(
            "crossed_market",
            FAIL if share > limit else PASS,
            f"{crossed} of {states} rebuilt regular-hours NBBO states crossed ({share:.1%}; "
            f"limit {limit:.1%}); {locked} locked",
            {"states": states, "crossed": crossed, "locked": locked, "crossed_share": share, "limit": limit},
        )
    )
    missing: list[str] = []
    if previous_venues is not None:
        missing = sorted(previous_venues - venues_today)
    silent: dict[str, str] = {}
    gap_limit = int(quality.get("venue_silent_after_seconds", 1800)) * 1_000_000_000
    stale_limit = int(quality.get("stale_after_seconds", 60)) * 1_000_000_000
    pairs = stale = 0
    per_venue: dict[str, dict[str, Any]] = {}
    t_ts = rth_trades["ts"].to_numpy() if rth_trades is not None else np.zeros(0, np.int64)
    last_trade = int(t_ts.max()) if t_ts.size else None
    for venue in sorted(venues_today):
        v_ts = np.sort(quotes.filter(pl.col("venue") == venue)["ts"].to_numpy())
        in_rth = v_ts[(v_ts >= start) & (v_ts < end)]
        gaps = np.diff(in_rth) if in_rth.size > 1 else np.zeros(0, np.int64)
        if in_rth.size and last_trade is not None and last_trade - int(in_rth[-1]) > gap_limit:
            silent[venue] = _hhmm(int(in_rth[-1]), local_offset_ns)
        if t_ts.size:
            idx = np.searchsorted(v_ts, t_ts, side="right") - 1
            seen = idx >= 0
            age = t_ts[seen] - v_ts[idx[seen]]
            pairs += int(seen.sum())
            v_stale = int((age > stale_limit).sum())
            stale += v_stale
        else:
            v_stale = 0
        per_venue[venue] = {
            "updates": int(v_ts.size),
            "median_gap_s": round(float(np.median(gaps)) / 1e9, 3) if gaps.size else None,
            "stale_at_trades": v_stale,
        }
    if missing or silent:
        parts = [f"{', '.join(missing)} quoted the previous day and not today"] if missing else []
        parts += [f"{v} silent after {t} while trading continued" for v, t in sorted(silent.items())]
        gates.append(
            Gate("missing_venues", FAIL, "; ".join(parts), {"missing": missing, "silent_after": silent})
        )
    else:
        gates.append(
            Gate(
                "missing_venues",
                PASS,
                f"{len(venues_today)} venues quoting",
                {"venues": sorted(venues_today)},
            )
        )
    s_share, s_limit = _share(stale, pairs), float(quality.get("max_stale_share", 0.05))
    gates.append(
        Gate(
            "stale_quotes",
            FAIL if s_share > s_limit else PASS,
            f"{stale} of {pairs} trade x venue pairs saw a quote older than {stale_limit // 1_000_000_000} s "
            f"({s_share:.1%}; limit {s_limit:.1%})",
            {"pairs": pairs, "stale": stale, "stale_share": s_share, "limit": s_limit, "venues": per_venue},
        )
    )
    if t_ts.size:
        idx = np.searchsorted(st_ts, t_ts, side="right") - 1
        before_first = idx < 0
        safe = np.where(before_first, 0, idx)
        empty = ~before_first & (nbb[safe] == 0) & (nbo[safe] == 0)
        uncovered = int(before_first.sum() + empty.sum())
        u_share, u_limit = (
            _share(uncovered, int(t_ts.size)),
            float(quality.get("max_uncovered_trade_share", 0.01)),
        )
        gates.append(
            Gate(
                "quote_coverage",
                FAIL if u_share > u_limit else (WARN if uncovered else PASS),
                f"{uncovered} of {t_ts.size} regular-hours trades had no protected quote on either side "
                f"({int(before_first.sum())} before the first quote; {u_share:.1%}; limit {u_limit:.1%})",
                {
                    "trades": int(t_ts.size),
                    "uncovered": uncovered,
                    "before_first_quote": int(before_first.sum()),
                },
            )
        )
    else:
        gates.append(Gate("quote_coverage", PASS, "no regular-hours trades to cover", {"trades": 0}))
    if trades is not None and trades.height:
        no_side = int(trades["side"].is_null().sum())
        if no_side:
            gates.append(
                Gate(
                    "trade_side",
                    WARN,
                    f"{no_side} trades carry no side (market prints, not firm trade reports); not checked",
                    {"no_side": no_side},
                )
            )
    if quarantined:
        gates.append(
            Gate(
                "quarantine",
                WARN,
                f"the imports that delivered this day's files quarantined {quarantined} rows",
                {"quarantined": quarantined},
            )
        )
    return GateReport(symbol, day, tuple(gates + _clock_gate(clock, quality)))


def _clock_gate(clock: pl.DataFrame | None, quality: dict[str, Any]) -> list[Gate]:
    limit_ms = int(quality.get("max_clock_offset_ms", 50))
    if clock is None or clock.height == 0:
        return [Gate("clock_sync", WARN, "no clock-synchronisation log for the day: drift not checked", {})]
    worst = (
        clock.group_by("system")
        .agg(pl.col("offset_ns").abs().max().alias("max_ns"), pl.len().alias("readings"))
        .sort("system")
    )
    over = worst.filter(pl.col("max_ns") > limit_ms * 1_000_000)
    figures = {
        r["system"]: {"max_offset_ms": r["max_ns"] / 1e6, "readings": r["readings"]} for r in worst.to_dicts()
    }
    if over.height:
        names = ", ".join(f"{r['system']} {r['max_ns'] / 1e6:g} ms" for r in over.to_dicts())
        return [Gate("clock_sync", FAIL, f"clock drift beyond {limit_ms} ms (FINRA 4590): {names}", figures)]
    return [Gate("clock_sync", PASS, f"{worst.height} systems within {limit_ms} ms", figures)]
