"""The compiled kernel against the plain reference: randomised days, zero mismatches allowed.

Days are small and dense on purpose (many tied timestamps, windows a few events wide, edge
instants exactly at t ± tolerance and t − flicker) so 1,000,000 quote events exercise every
branch while the slow reference still runs in seconds.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from proctor.trading.kernel import (
    QUOTE_COLUMNS,
    TRADE_FIELDS,
    VENUE_FIELDS,
    prepare_quotes,
    snapshot,
    snapshot_arrays,
)
from proctor.trading.params import KernelParams
from proctor.trading.reference import reference_snapshot

ALL_VENUES = ["N", "P", "T", "Z", "K", "V", "X"]
CONDITIONS = ["R"] * 10 + ["Y", "O", "A", "B", "H", "N", "L"]
SIZES = [0, 1, 9, 10, 39, 40, 99, 100, 200, 500]
BASE_TS = 1_762_180_000_000_000_000
TOTAL_EVENTS = 1_000_000


def _maybe_null(rng: np.random.Generator, values: np.ndarray, share: float) -> list[int | None]:
    mask = rng.random(values.shape[0]) < share
    return [None if m else int(x) for x, m in zip(values, mask, strict=True)]


def random_day(rng: np.random.Generator) -> tuple[pl.DataFrame, pl.DataFrame, KernelParams]:
    nq = int(rng.integers(200, 1800))
    gap = int(rng.integers(1, 50))  # mean ns between quotes; ties are frequent when small
    ts = np.sort(BASE_TS + rng.integers(0, nq * gap, nq))
    ts[rng.random(nq) < 0.2] = ts[0]  # pile a block of ties at the open
    ts = np.sort(ts)
    venues = rng.choice(ALL_VENUES, nq)
    mid = 100_000_000 + rng.integers(-6, 6, nq) * 10_000
    bid = mid - rng.integers(0, 3, nq) * 10_000
    ask = bid + rng.integers(-2, 4, nq) * 10_000  # crossed, locked and normal markets
    bid[rng.random(nq) < 0.08] = 0
    ask[rng.random(nq) < 0.08] = 0
    seq = rng.integers(0, nq // 2 + 1, nq)  # duplicate seqs: file order decides
    quotes = pl.DataFrame(
        {
            "ts": ts,
            "seq": seq,
            "venue": venues,
            "bid_px": _maybe_null(rng, bid, 0.04),
            "bid_size": rng.choice(SIZES, nq),
            "ask_px": _maybe_null(rng, ask, 0.04),
            "ask_size": rng.choice(SIZES, nq),
            "condition": rng.choice(CONDITIONS, nq),
        },
        schema=QUOTE_COLUMNS,
    ).sample(fraction=1.0, shuffle=True, seed=int(rng.integers(1 << 31)))
    flicker = int(rng.integers(0, 12 * gap + 1))
    tol = int(rng.integers(0, 4 * gap + 1))
    nt = int(rng.integers(1, 30))
    picks = rng.choice(ts, nt)
    shift = rng.choice([0, tol, -tol, flicker, -flicker, 1, -1], nt)
    uniform = ts[0] - 50 + rng.integers(0, nq * gap + 100, nt)
    trade_ts = np.where(rng.random(nt) < 0.6, picks + shift, uniform)
    trades = pl.DataFrame({"ts": trade_ts.astype(np.int64)})
    params = KernelParams(
        round_lot=int(rng.choice([1, 10, 40, 100])),
        protected_venues=tuple(rng.permutation(ALL_VENUES)[: int(rng.integers(1, 7))]),
        flicker_ns=flicker,
        tolerance_ns=tol,
    )
    return quotes, trades, params


def _mismatches(got, want) -> list[str]:  # type: ignore[no-untyped-def]
    bad = []
    for name in VENUE_FIELDS:
        if not np.array_equal(got.venue[name], want.venue[name]):
            bad.append(name)
    for name in TRADE_FIELDS:
        if not np.array_equal(got.trade[name], want.trade[name]):
            bad.append(name)
    return bad


def test_kernel_equals_reference_on_a_million_random_quote_events() -> None:
    rng = np.random.default_rng(20251103)
    events = trades = 0
    failures: list[tuple[int, list[str]]] = []
    batch: list[tuple[pl.DataFrame, pl.DataFrame, KernelParams, object]] = []
    day = 0
    while events < TOTAL_EVENTS:
        quotes, trade_frame, params = random_day(rng)
        want = reference_snapshot(quotes, trade_frame, params)
        bad = _mismatches(snapshot(quotes, trade_frame, params), want)
        if bad:
            failures.append((day, bad))
        if day % 10 == 0:
            batch.append((quotes, trade_frame, params, want))
        events += quotes.height
        trades += trade_frame.height
        day += 1
    assert events >= TOTAL_EVENTS and trades > 10_000
    assert failures == [], f"{len(failures)} of {day} days differ, first: {failures[:3]}"
    # The multi-segment entry point (used by the engine and benchmark) on a sample, laid end to end,
    # all venues in one index so each segment's own protected list is applied by its venue column.
    _check_segments(batch)


def _check_segments(batch) -> None:  # type: ignore[no-untyped-def]
    venues = tuple(ALL_VENUES)
    cols: dict[str, list[np.ndarray]] = {
        k: [] for k in ("ts", "ven", "bid", "bsz", "ask", "asz", "firm", "t")
    }
    q_off, t_off, lots, flk, tol = [0], [0], [], [], []
    for quotes, trade_frame, params, _ in batch:
        q = prepare_quotes(quotes, params)
        protected = q["venue_ix"].to_numpy() >= 0
        index = np.array([venues.index(v) for v in q["venue"].to_list()], np.int32)
        cols["ts"].append(q["ts"].to_numpy())
        cols["ven"].append(np.where(protected, index, -1))
        for key, col in (("bid", "bid_px"), ("bsz", "bid_size"), ("ask", "ask_px"), ("asz", "ask_size")):
            cols[key].append(q[col].to_numpy())
        cols["firm"].append(q["firm"].to_numpy())
        cols["t"].append(trade_frame["ts"].to_numpy())
        q_off.append(q_off[-1] + q.height)
        t_off.append(t_off[-1] + trade_frame.height)
        lots.append(params.round_lot)
        flk.append(params.flicker_ns)
        tol.append(params.tolerance_ns)
    c = {k: np.concatenate(v) for k, v in cols.items()}
    got = snapshot_arrays(
        c["ts"],
        c["ven"],
        c["bid"],
        c["bsz"],
        c["ask"],
        c["asz"],
        c["firm"],
        np.array(q_off),
        c["t"],
        np.array(t_off),
        np.array(lots),
        np.array(flk),
        np.array(tol),
        venues,
    )
    for s, (_, _, params, want) in enumerate(batch):
        rows = slice(t_off[s], t_off[s + 1])
        cols_ix = [venues.index(v) for v in params.protected_venues]
        for name in VENUE_FIELDS:
            assert np.array_equal(got.venue[name][rows][:, cols_ix], want.venue[name]), (s, name)
        for name in ("nbb", "nbo", "nbb_worst_tol", "nbo_worst_tol", "nbbo_gap_tol"):
            assert np.array_equal(got.trade[name][rows], want.trade[name]), (s, name)


def _quotes(rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema=QUOTE_COLUMNS,
        orient="row",
    )


def test_a_quote_stamped_at_the_trade_instant_is_seen_and_odd_lots_are_not_protected() -> None:
    params = KernelParams(round_lot=100, protected_venues=("N", "P"), flicker_ns=1_000, tolerance_ns=50)
    quotes = _quotes(
        [
            (1_000, 1, "N", 10_000_000, 100, 10_020_000, 100, "R"),
            (1_000, 2, "P", 10_010_000, 100, 10_030_000, 300, "R"),
            (2_000, 3, "N", 10_000_000, 100, 10_010_000, 99, "R"),  # odd-lot offer: N loses its offer
            (2_000, 4, "P", 10_000_000, 100, 10_015_000, 100, "N"),  # non-firm: P neutralised
        ]
    )
    trades = pl.DataFrame({"ts": [1_999, 2_000]})
    for snap in (snapshot(quotes, trades, params), reference_snapshot(quotes, trades, params)):
        assert snap.trade["nbb"].tolist() == [10_010_000, 10_000_000]
        assert snap.trade["nbo"].tolist() == [10_020_000, 0]
        assert snap.trade["nbb_mask"].tolist() == [0b10, 0b01]
        assert snap.venue["raw_ask"][1].tolist() == [10_010_000, 0]  # the odd lot is shown, not protected
        assert snap.venue["flk_ask_worst"][1].tolist() == [10_020_000, 10_030_000]
        assert snap.venue["flk_gap"][1].tolist() == [2, 3]
        assert snap.trade["nbbo_gap_tol"].tolist() == [2, 2]
    long = snapshot(quotes, trades, params).venue_frame(["T1", "T2"])
    assert long.height == 4 and long.filter(pl.col("trade_id") == "T2")["ask"].to_list() == [0, 0]
    assert {params: 1}[KernelParams.from_dict(params.as_dict())] == 1  # recorded form round-trips
