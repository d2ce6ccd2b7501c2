"""Benchmark: the Rule 611 kernel and trade-through check on a synthetic day, against as-of joins.

A day of 1,000 symbols quoted on 12 protected venues (20,000,000 quote updates, a random-walk
mid per symbol, one- to three-tick spreads, odd lots, non-firm conditions, empty sides) and
1,000,000 trades priced around the mid (a few percent outside the NBBO, some carrying exemption
modifiers). Quotes are a Polars frame in the data contract of `proctor.trading.kernel`.

Timed, in the same run:
- prepare: contract frame -> kernel columns (venue index, firmness from the condition, Arrow -> numpy);
- kernel: every venue's protected quote at t, t ± 50 ms, flicker and clock windows, NBBO — all
  trades of all symbols, in chunks of symbols (one `snapshot_arrays` call per chunk);
- check: `check_trades` (candidates, every clause for each candidate, result frame);
- pandas: protected prices, then `merge_asof` per venue (by symbol, backward, exact matches
  seen) at t, t − 50 ms and t + 50 ms — the point-in-time part of the kernel's output (36 joins)
  — and the NBBO at t. The flicker and clock *windows* (best/worst over an interval) have no
  as-of-join form and are left out, so the comparison flatters pandas; the NBBO-at-t-only time
  (12 joins) and its ratio are reported too;
- Polars: the same with `join_asof`.
Times are wall clock and process CPU (steadier on a shared machine; the 1-minute load average
is reported). The pandas NBBO is compared with the kernel's for every trade
(`agree_pandas_nbbo`). The last line printed is one JSON object with the figures and ratios.

    .venv/bin/python benchmarks/trading.py [--quotes 20000000 --trades 1000000 --symbols 1000]
"""

from __future__ import annotations

import argparse
import json
import os
import time
import warnings

import numpy as np
import pandas as pd
import polars as pl

from proctor.trading.kernel import TRADE_FIELDS, VENUE_FIELDS, snapshot_arrays
from proctor.trading.params import KernelParams
from proctor.trading.tradethrough import check_trades, prepare_evidence, prepare_trades

VENUES = ("N", "P", "T", "Z", "K", "J", "Y", "X", "B", "C", "M", "H")
TICK = 10_000  # one cent in micro-dollars
DAY_START = 1_762_266_600_000_000_000  # 2025-11-04 14:30 UTC (09:30 New York)
SESSION_NS = 23_400 * 1_000_000_000


def segment_cumsum(values: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Cumulative sum restarting at each segment start."""
    total = np.cumsum(values)
    starts = offsets[:-1]
    base = np.where(starts > 0, total[np.maximum(starts - 1, 0)], 0)
    return total - np.repeat(base, np.diff(offsets))


def generate(
    nq: int, nt: int, ns: int, seed: int = 611
) -> tuple[pl.DataFrame, pl.DataFrame, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    weights = rng.pareto(1.5, ns) + 1.0
    q_count = rng.multinomial(nq, weights / weights.sum())
    t_count = rng.multinomial(nt, weights / weights.sum())
    q_off = np.concatenate([[0], np.cumsum(q_count)]).astype(np.int64)
    t_off = np.concatenate([[0], np.cumsum(t_count)]).astype(np.int64)
    sym_q = np.repeat(np.arange(ns), q_count)
    gaps = rng.exponential(1.0, nq) * (SESSION_NS / np.maximum(q_count, 1))[sym_q]
    ts = DAY_START + segment_cumsum(gaps, q_off).astype(np.int64)
    base = (rng.integers(5, 500, ns) * 100 * TICK)[sym_q]
    steps = np.where(rng.random(nq) < 0.003, rng.choice(np.array([-1, 1]), nq), 0)  # mid moves rarely
    mid = base + segment_cumsum(steps * TICK, q_off)
    bid = mid - rng.integers(0, 2, nq) * TICK
    ask = mid + rng.integers(1, 3, nq) * TICK
    bid[rng.random(nq) < 0.01] = 0
    ask[rng.random(nq) < 0.01] = 0
    sizes = np.where(rng.random(nq) < 0.05, rng.integers(1, 100, nq), rng.integers(1, 20, nq) * 100)
    ask_sizes = np.where(rng.random(nq) < 0.05, rng.integers(1, 100, nq), rng.integers(1, 20, nq) * 100)
    cond_codes = pl.Series(["R", "N", "A", "B", "H"])
    cond = rng.choice(5, nq, p=[0.97, 0.01, 0.007, 0.007, 0.006])
    quotes = pl.DataFrame(
        {
            "ts": ts,
            "seq": np.arange(nq, dtype=np.int64),
            "venue": pl.Series(VENUES).gather(rng.integers(0, len(VENUES), nq)),
            "bid_px": bid,
            "bid_size": sizes,
            "ask_px": ask,
            "ask_size": ask_sizes,
            "condition": cond_codes.gather(cond),
        }
    )
    sym_t = np.repeat(np.arange(ns), t_count)
    t_ts = DAY_START + rng.integers(0, SESSION_NS, nt)
    t_ts = t_ts[np.lexsort((t_ts, sym_t))]
    key_q = (sym_q.astype(np.int64) << 45) | (ts - DAY_START)
    key_t = (sym_t.astype(np.int64) << 45) | (t_ts - DAY_START)
    last = np.maximum(np.searchsorted(key_q, key_t, side="right") - 1, 0)
    # NBB is about the mid, NBO a tick above: most prints at either, a few percent outside.
    offset = rng.choice(np.array([-2, -1, 0, 1, 2, 3]), nt, p=[0.005, 0.015, 0.49, 0.47, 0.015, 0.005])
    mods = pl.Series([[], ["3"], ["F"], ["4"], ["2"]], dtype=pl.List(pl.Utf8))
    trades = pl.DataFrame(
        {
            "trade_id": pl.Series(np.arange(nt)).cast(pl.Utf8),
            "ts": t_ts,
            "side": pl.Series(["B", "S"]).gather(rng.integers(0, 2, nt)),
            "price": mid[last] + offset * TICK,
            "quantity": rng.integers(1, 50, nt) * 100,
            "modifiers": mods.gather(rng.choice(5, nt, p=[0.9, 0.05, 0.02, 0.02, 0.01])),
            "order_id": pl.Series(np.arange(nt) // 3).cast(pl.Utf8),
            "desk": pl.Series(["manual", "algo", "etf"]).gather(rng.integers(0, 3, nt)),
            "capacity": pl.Series(["agency", "principal"]).gather(rng.integers(0, 2, nt)),
            "settlement": pl.Series(["regular", "cash"]).gather((rng.random(nt) < 0.01).astype(np.int64)),
        }
    )
    return quotes, trades, q_off, t_off


def prepare(quotes: pl.DataFrame, params: KernelParams) -> dict[str, np.ndarray]:
    index = {v: i for i, v in enumerate(params.protected_venues)}
    cond = pl.col("condition")
    firm = (
        pl.when(cond.is_in(list(params.firm_quote_conditions)))
        .then(3)
        .when(cond.is_in(list(params.bid_only_firm_conditions)))
        .then(1)
        .when(cond.is_in(list(params.ask_only_firm_conditions)))
        .then(2)
        .otherwise(0)
        .cast(pl.UInt8)
    )
    q = quotes.select(
        "ts",
        pl.col("venue").replace_strict(index, default=-1, return_dtype=pl.Int32),
        "bid_px",
        "bid_size",
        "ask_px",
        "ask_size",
        firm.alias("firm"),
    )
    return {c: q[c].to_numpy() for c in q.columns}


def run_chunks(arrays, trades, q_off, t_off, params, chunk):  # type: ignore[no-untyped-def]
    """Kernel then check per chunk of symbols, output buffers reused; returns timings and results."""
    t_ts = trades["ts"].to_numpy()
    ns = q_off.shape[0] - 1
    most = max(int(t_off[min(s0 + chunk, ns)] - t_off[s0]) for s0 in range(0, ns, chunk))
    out = (
        np.empty((most, len(VENUE_FIELDS), len(params.protected_venues)), np.int64),
        np.empty((most, len(TRADE_FIELDS)), np.int64),
    )
    prepared = prepare_trades(trades)
    ev = prepare_evidence(None, None)
    kernel_s = check_s = kernel_cpu = check_cpu = 0.0
    results, nbb, nbo = [], [], []
    for s0 in range(0, ns, chunk):
        s1 = min(s0 + chunk, ns)
        qa, qb, ta, tb = q_off[s0], q_off[s1], t_off[s0], t_off[s1]
        t0, c0 = time.perf_counter(), time.process_time()
        cols = [arrays[c][qa:qb] for c in ("ts", "venue", "bid_px", "bid_size", "ask_px", "ask_size", "firm")]
        per_segment = [
            np.full(s1 - s0, x) for x in (params.round_lot, params.flicker_ns, params.tolerance_ns)
        ]
        snap = snapshot_arrays(
            *cols,
            q_off[s0 : s1 + 1] - qa,
            t_ts[ta:tb],
            t_off[s0 : s1 + 1] - ta,
            *per_segment,
            params.protected_venues,
            out=out,
        )
        t1, c1 = time.perf_counter(), time.process_time()
        results.append(check_trades(prepared.slice(ta, tb - ta), snap, ev, params))
        t2, c2 = time.perf_counter(), time.process_time()
        kernel_s += t1 - t0
        check_s += t2 - t1
        kernel_cpu += c1 - c0
        check_cpu += c2 - c1
        nbb.append(snap.trade["nbb"].copy())
        nbo.append(snap.trade["nbo"].copy())
    times = {"kernel_s": kernel_s, "check_s": check_s, "kernel_cpu_s": kernel_cpu, "check_cpu_s": check_cpu}
    return times, pl.concat(results), np.concatenate(nbb), np.concatenate(nbo)


def pandas_states(quotes: pl.DataFrame, trades: pl.DataFrame, params: KernelParams, sym_q, sym_t):  # type: ignore[no-untyped-def]
    """Per venue, the protected quote at t, t − tol and t + tol by `merge_asof`; NBBO at t."""
    lot, tol = params.round_lot, params.tolerance_ns
    t0 = time.perf_counter()
    q = quotes.select("ts", "venue", "bid_px", "bid_size", "ask_px", "ask_size", "condition").to_pandas()
    q["symbol"] = sym_q
    t = pd.DataFrame({"ts": trades["ts"].to_numpy(), "symbol": sym_t, "row": np.arange(trades.height)})
    convert = time.perf_counter() - t0
    t0 = time.perf_counter()
    q = q.sort_values("ts", kind="stable")  # merge_asof needs the `on` key sorted across symbols
    t = t.sort_values("ts", kind="stable")
    sort = time.perf_counter() - t0
    t0, c0 = time.perf_counter(), time.process_time()
    bid_ok = q["condition"].isin(["R", "Y", "O", "A"])
    ask_ok = q["condition"].isin(["R", "Y", "O", "B"])
    q["pb"] = np.where(bid_ok & (q["bid_px"] > 0) & (q["bid_size"] >= lot), q["bid_px"], 0)
    q["pa"] = np.where(ask_ok & (q["ask_px"] > 0) & (q["ask_size"] >= lot), q["ask_px"], 0)
    nbb = np.zeros(len(t), np.int64)
    nbo = np.full(len(t), np.iinfo(np.int64).max)
    at_t = at_t_cpu = 0.0
    for off in (0, -tol, tol):
        left = t.assign(ts=t["ts"] + off)
        for v in VENUES:
            right = q.loc[q["venue"] == v, ["ts", "symbol", "pb", "pa"]]
            m = pd.merge_asof(
                left, right, on="ts", by="symbol", direction="backward", allow_exact_matches=True
            )
            pb = m["pb"].fillna(0).to_numpy(np.int64)
            pa = m["pa"].fillna(0).to_numpy(np.int64)
            if off == 0:
                nbb = np.maximum(nbb, pb)
                nbo = np.where(pa > 0, np.minimum(nbo, pa), nbo)
        if off == 0:
            at_t, at_t_cpu = time.perf_counter() - t0, time.process_time() - c0
    merges, merges_cpu = time.perf_counter() - t0, time.process_time() - c0
    order = t["row"].to_numpy()
    out_b, out_o = np.empty_like(nbb), np.empty_like(nbo)
    out_b[order] = nbb
    out_o[order] = np.where(nbo == np.iinfo(np.int64).max, 0, nbo)
    times = {"convert_s": convert, "sort_s": sort, "merge_asof_s": merges, "merge_asof_cpu_s": merges_cpu,
             "nbbo_at_t_s": at_t, "nbbo_at_t_cpu_s": at_t_cpu}  # fmt: skip
    return times, out_b, out_o


def polars_states(quotes: pl.DataFrame, trades: pl.DataFrame, params: KernelParams, sym_q, sym_t) -> dict:  # type: ignore[no-untyped-def]
    """The same point-in-time states with Polars `join_asof`."""
    lot, tol = params.round_lot, params.tolerance_ns
    q = quotes.with_columns(pl.Series("symbol", sym_q)).sort("ts")
    t = pl.DataFrame({"ts": trades["ts"], "symbol": sym_t}).with_row_index("row").sort("ts")
    t0, c0 = time.perf_counter(), time.process_time()
    cond = pl.col("condition")
    q = q.with_columns(
        pl.when(cond.is_in(["R", "Y", "O", "A"]) & (pl.col("bid_px") > 0) & (pl.col("bid_size") >= lot))
        .then(pl.col("bid_px")).otherwise(0).alias("pb"),
        pl.when(cond.is_in(["R", "Y", "O", "B"]) & (pl.col("ask_px") > 0) & (pl.col("ask_size") >= lot))
        .then(pl.col("ask_px")).otherwise(0).alias("pa"),
    )  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # sortedness within `by` groups cannot be checked: it holds
        for k, off in enumerate((0, -tol, tol)):
            out = t.with_columns(pl.col("ts") + off)
            for i, v in enumerate(VENUES):
                right = q.filter(pl.col("venue") == v).select(
                    "ts", "symbol", pl.col("pb").alias(f"b{k}_{i}"), pl.col("pa").alias(f"a{k}_{i}")
                )
                out = out.join_asof(right, on="ts", by="symbol", strategy="backward")
            if off == 0:
                out = out.with_columns(
                    pl.max_horizontal([pl.col(f"b0_{i}").fill_null(0) for i in range(len(VENUES))]).alias(
                        "nbb"
                    ),
                    pl.min_horizontal(
                        [pl.when(pl.col(f"a0_{i}") > 0).then(pl.col(f"a0_{i}")) for i in range(len(VENUES))]
                    ).alias("nbo"),
                )
    return {"join_asof_s": time.perf_counter() - t0, "join_asof_cpu_s": time.process_time() - c0}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quotes", type=int, default=20_000_000)
    parser.add_argument("--trades", type=int, default=1_000_000)
    parser.add_argument("--symbols", type=int, default=1_000)
    parser.add_argument("--chunk", type=int, default=20, help="symbols per kernel call")
    args = parser.parse_args()
    params = KernelParams(round_lot=100, protected_venues=VENUES, rule_version="benchmark")

    t0 = time.perf_counter()
    quotes, trades, q_off, t_off = generate(args.quotes, args.trades, args.symbols)
    gen_s = time.perf_counter() - t0
    print(f"generated {quotes.height:,} quotes, {trades.height:,} trades in {gen_s:.1f}s", flush=True)

    small = 1000
    warm = prepare(quotes.head(small), params)  # JIT compile (or load the cache) outside the timings
    run_chunks(warm, trades.head(10), np.array([0, small]), np.array([0, 10]), params, 1)

    t0 = time.perf_counter()
    arrays = prepare(quotes, params)
    prepare_s = time.perf_counter() - t0
    times, result, k_nbb, k_nbo = run_chunks(arrays, trades, q_off, t_off, params, args.chunk)
    counts = dict(result.group_by("status").len().sort("status").iter_rows())
    kernel_s, check_s = times["kernel_s"], times["check_s"]
    print(f"{times} prepare {prepare_s:.2f}s {counts}", flush=True)
    ns = args.symbols

    sym_q = np.repeat(np.arange(ns), np.diff(q_off))
    sym_t = np.repeat(np.arange(ns), np.diff(t_off))
    pd_times, pd_nbb, pd_nbo = pandas_states(quotes, trades, params, sym_q, sym_t)
    print(f"pandas {pd_times}", flush=True)
    agree = bool(np.array_equal(k_nbb, pd_nbb) and np.array_equal(k_nbo, pd_nbo))
    pl_times = polars_states(quotes, trades, params, sym_q, sym_t)
    print(f"polars {pl_times}", flush=True)

    events_per_s = args.quotes / kernel_s
    figures = {
        "benchmark": "trading_rule611",
        "quotes": args.quotes,
        "trades": args.trades,
        "symbols": ns,
        "venues": len(VENUES),
        "kernel_s": round(kernel_s, 3),
        "prepare_s": round(prepare_s, 3),
        "quote_events_per_s": round(events_per_s),
        "quote_events_per_s_with_prepare": round(args.quotes / (kernel_s + prepare_s)),
        "check_s": round(check_s, 3),
        "trades_per_s_check": round(args.trades / check_s),
        "trades_per_s_kernel_and_check": round(args.trades / (kernel_s + check_s)),
        "statuses": counts,
        "pandas_merge_asof_s": round(pd_times["merge_asof_s"], 3),
        "pandas_sort_s": round(pd_times["sort_s"], 3),
        "polars_join_asof_s": round(pl_times["join_asof_s"], 3),
        "ratio_vs_pandas": round(pd_times["merge_asof_s"] / kernel_s, 1),
        "ratio_vs_polars": round(pl_times["join_asof_s"] / kernel_s, 1),
        "kernel_cpu_s": round(times["kernel_cpu_s"], 3),
        "check_cpu_s": round(times["check_cpu_s"], 3),
        "quote_events_per_cpu_s": round(args.quotes / times["kernel_cpu_s"]),
        "trades_per_cpu_s_check": round(args.trades / times["check_cpu_s"]),
        "pandas_merge_asof_cpu_s": round(pd_times["merge_asof_cpu_s"], 3),
        "polars_join_asof_cpu_s": round(pl_times["join_asof_cpu_s"], 3),
        "ratio_vs_pandas_cpu": round(pd_times["merge_asof_cpu_s"] / times["kernel_cpu_s"], 1),
        "pandas_nbbo_at_t_only_s": round(pd_times["nbbo_at_t_s"], 3),
        "ratio_vs_pandas_nbbo_at_t_only": round(pd_times["nbbo_at_t_s"] / kernel_s, 1),
        "ratio_vs_polars_cpu": round(pl_times["join_asof_cpu_s"] / times["kernel_cpu_s"], 1),
        "agree_pandas_nbbo": agree,
        "floor_met": bool(events_per_s >= 20_000_000 and pd_times["merge_asof_s"] / kernel_s >= 10),
        "floor_met_cpu": bool(
            args.quotes / times["kernel_cpu_s"] >= 20_000_000
            and pd_times["merge_asof_cpu_s"] / times["kernel_cpu_s"] >= 10
        ),
        "pandas_work": "merge_asof per venue at t, t-tol, t+tol (36 joins) + NBBO at t; no windows",
        "load_avg_1m": round(os.getloadavg()[0], 2),
    }
    print(json.dumps(figures, sort_keys=True))


if __name__ == "__main__":
    main()
