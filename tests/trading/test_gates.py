"""Data-quality gates: a thin or broken feed is UNFIT with figures, never a silent pass."""

from __future__ import annotations

from datetime import date

import polars as pl

from proctor.trading import importers
from proctor.trading.gates import nbbo_states, run_gates
from proctor.trading.ruletable import load_baseline
from tests.trading.desk import CLOCK, QUOTES, TRADES, write

DAY = date(2025, 11, 4)
RULES = load_baseline()
PARAMS = RULES.params_for(DAY, RULES.round_lot(DAY, 10_120_000, None))


def _frames(tmp_path, quotes: str = QUOTES, trades: str = TRADES, clock: str = CLOCK):  # type: ignore[no-untyped-def]
    q = importers.parse("quotes", write(tmp_path, "q.csv", quotes))[0].frame.drop("day", "symbol")
    t = importers.parse("trades", write(tmp_path, "t.csv", trades))[0].frame
    c = importers.parse("clock", write(tmp_path, "c.csv", clock))[0].frame
    return q, t, c


def _gate(report, name):  # type: ignore[no-untyped-def]
    return next(g for g in report.gates if g.name == name)


def test_a_clean_day_is_fit(tmp_path) -> None:
    q, t, c = _frames(tmp_path)
    report = run_gates(
        "ACME", DAY.isoformat(), q, t, c, PARAMS, RULES.quality, previous_venues={"N", "P", "Z"}
    )
    assert report.verdict == "FIT", report.reasons()
    assert _gate(report, "crossed_market").figures["crossed"] == 0
    assert _gate(report, "stale_quotes").figures == _gate(report, "stale_quotes").figures | {
        "stale": 0,
        "pairs": 12,
    }
    assert _gate(report, "clock_sync").status == "PASS"


def test_trades_without_quotes_is_a_hold(tmp_path) -> None:
    _, t, c = _frames(tmp_path)
    report = run_gates("ACME", DAY.isoformat(), None, t, c, PARAMS, RULES.quality)
    assert report.verdict == "UNFIT"
    assert report.reasons() == ["quotes_present: 4 trades and no quotes for the day"]


def test_a_venue_that_stopped_quoting_is_missing(tmp_path) -> None:
    q, t, c = _frames(tmp_path)
    report = run_gates(
        "ACME", DAY.isoformat(), q, t, c, PARAMS, RULES.quality, previous_venues={"N", "P", "Z", "V"}
    )
    assert report.verdict == "UNFIT"
    assert _gate(report, "missing_venues").reason == "V quoted the previous day and not today"


def test_crossed_share_stale_quotes_and_clock_drift_fail_with_figures(tmp_path) -> None:
    crossed = QUOTES + "2025-11-04T09:30:05.000000000-05:00,ACME,Z,10.05,200,10.06,200,R\n"
    late = TRADES + "A-9,ACME,2025-11-04T09:35:00-05:00,,B,10.02,100,,O-9,OTC,principal,regular,\n"
    drift = CLOCK + "oms-2,2025-11-04T11:00:00-05:00,72.5\n"
    q, t, c = _frames(tmp_path, crossed, late, drift)
    report = run_gates("ACME", DAY.isoformat(), q, t, c, PARAMS, RULES.quality)
    fails = {g.name for g in report.gates if g.status == "FAIL"}
    assert fails == {"crossed_market", "stale_quotes", "clock_sync"}
    cross = _gate(report, "crossed_market").figures
    assert (cross["crossed"], cross["states"]) == (1, 4)  # 09:30:05 until Z's next update at 09:30:30
    stale = _gate(report, "stale_quotes").figures
    assert (stale["stale"], stale["pairs"]) == (3, 15)  # the 09:35 trade saw three 4-minute-old quotes
    assert _gate(report, "clock_sync").reason == "clock drift beyond 50 ms (FINRA 4590): oms-2 72.5 ms"


def test_a_day_without_a_clock_log_says_so(tmp_path) -> None:
    q, t, _ = _frames(tmp_path)
    report = run_gates("ACME", DAY.isoformat(), q, t, None, PARAMS, RULES.quality)
    gate = _gate(report, "clock_sync")
    assert gate.status == "WARN" and "not checked" in gate.reason and report.fit


def test_nbbo_states_use_protected_round_lot_quotes_only(tmp_path) -> None:
    q, _, _ = _frames(tmp_path)
    ts, nbb, nbo = nbbo_states(q, PARAMS)
    assert len(ts) == 3
    assert nbb.tolist() == [10_000_000] * 3
    assert nbo.tolist() == [10_020_000] * 3  # Z's 10.01 offer is 40 shares, below the round lot of 100
    lot40 = RULES.params_for(DAY, RULES.round_lot(DAY, 300_000_000, None))
    assert nbbo_states(q, lot40)[2].tolist() == [10_020_000, 10_010_000, 10_020_000]
    assert pl.Series(nbb).len() == 3


def test_compiled_nbbo_rebuild_equals_the_reference_on_random_quotes() -> None:
    import numpy as np

    from proctor.trading.gates import nbbo_states_reference

    rng = np.random.default_rng(611)
    n = 20_000
    frame = pl.DataFrame(
        {
            "ts": np.sort(rng.integers(0, 3_000, n)).astype(np.int64) * 1_000_000,  # many tied instants
            "seq": np.arange(n, dtype=np.int64),
            "venue": rng.choice(["N", "P", "Z", "K", "D"], n),  # D is not an automated trading center
            "bid_px": rng.choice([0, 9_990_000, 10_000_000, 10_010_000, 10_030_000], n).astype(np.int64),
            "bid_size": rng.choice([0, 30, 100, 500], n).astype(np.int64),  # odd lots included
            "ask_px": rng.choice([0, 10_000_000, 10_010_000, 10_020_000, 10_040_000], n).astype(np.int64),
            "ask_size": rng.choice([0, 40, 100, 300], n).astype(np.int64),
            "condition": rng.choice(["R", "R", "R", "A", "B", "H", "N"], n),
        }
    )
    fast = nbbo_states(frame, PARAMS)
    slow = nbbo_states_reference(frame, PARAMS)
    assert [a.tolist() for a in fast] == list(slow)
    crossed = int(((fast[1] > 0) & (fast[2] > 0) & (fast[1] > fast[2])).sum())
    assert 0 < crossed < len(fast[0])  # the sample exercises crossed and uncrossed states
