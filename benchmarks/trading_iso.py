"""ISO and routing detectors on a generated day: recall, false positives and speed.

A day of `--normal` lawful trades (ISO sweeps within tolerance, consented blocks, rejects
re-routed in time, deep quotes the router reached) plus `--per-failure` seeded instances of each
failure of case 003. Recall and false positives are exact because every seeded trade is known.
Speed is compared with the naive approach (filter all routes per trade) on a sample in the same run.
The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import date

import polars as pl

from proctor.trading import depth, iso, modifiers, rejects
from proctor.trading.iso_synthetic import BAD_FIRM, generate_day
from proctor.trading.params import DEFAULT_MODIFIER_CODES


def score(found: set[str], expected: set[str]) -> dict[str, float | int]:
    tp = len(found & expected)
    fp = len(found - expected)
    return {
        "seeded": len(expected),
        "alerts": len(found),
        "recall": round(tp / len(expected), 6) if expected else 1.0,
        "false_positives": fp,
        "fp_share_of_alerts": round(fp / len(found), 6) if found else 0.0,
    }


def naive_iso(trades: pl.DataFrame, ladder: pl.DataFrame, routes: pl.DataFrame, tol: int) -> int:
    """What a user would write first: for each ISO trade, filter every route and every ladder row."""
    failed = 0
    for t in trades.iter_rows(named=True):
        mine = routes.filter((pl.col("parent_order_id") == t["order_id"]) & pl.col("is_iso"))
        lad = ladder.filter(pl.col("trade_id") == t["trade_id"])
        for q in lad.iter_rows(named=True):
            px = q["ask_px"] if t["side"] == "B" else q["bid_px"]
            if px and (px < t["price"] if t["side"] == "B" else px > t["price"]):
                ok = mine.filter(
                    (pl.col("venue") == q["venue"])
                    & ~pl.col("rejected")
                    & ((pl.col("route_ts") - t["ts"]).abs() <= tol)
                )
                if ok.height == 0:
                    failed += 1
                    break
    return failed


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--normal", type=int, default=100_000)
    ap.add_argument("--per-failure", type=int, default=1_000)
    ap.add_argument("--naive-sample", type=int, default=2_000)
    args = ap.parse_args()
    t0 = time.perf_counter()
    day = generate_day(args.normal, args.per_failure)
    prior = generate_day(args.normal // 4, 0, day=date(2026, 2, 27), seed=7)
    gen_s = time.perf_counter() - t0
    s = day.seeded
    ip = iso.IsoParams()

    t1 = time.perf_counter()
    failures, reverse, iso_counts = iso.check_iso_outbound(
        day.trades, day.ladder, day.routes, ip, day.evidence
    )
    iso_s = time.perf_counter() - t1
    t2 = time.perf_counter()
    blind, depth_counts = depth.check_depth_blindness(day.trades, day.depth, day.routes, depth.DepthParams())
    figures = depth.daily_depth_figures(day.depth)
    depth_s = time.perf_counter() - t2
    t3 = time.perf_counter()
    rp = rejects.RejectParams()
    presumptive = rejects.presumptive_trade_throughs(day.trades, day.routes, rp)
    history = rejects.daily_counts(prior.routes)
    spikes = rejects.spikes(day.routes, history, rp)
    rej_s = time.perf_counter() - t3
    t4 = time.perf_counter()
    recon = modifiers.reconcile_modifiers(day.trades, day.routes, day.evidence, DEFAULT_MODIFIER_CODES)
    mod_s = time.perf_counter() - t4

    results = {
        "iso_outbound": score({f["trade_id"] for f in failures}, s["late"] | s["missed"]),
        "iso_outbound_late": score({f["trade_id"] for f in failures if "late" in f["kinds"]}, s["late"]),
        "iso_without_modifier": score({r["trade_id"] for r in reverse}, s["reverse"]),
        "depth_blindness": score({f["trade_id"] for f in blind}, s["depth_blind"]),
        "iso_rejects_presumptive": score({p["trade_id"] for p in presumptive}, s["rejected_no_reroute"]),
        "modifier_reconciliation": score({r["trade_id"] for r in recon}, s["modifier_no_evidence"]),
    }
    bad = day.routes.filter(pl.col("rejected") & (pl.col("clearing_firm") == BAD_FIRM))
    bad_b = {ts // rp.bucket_ns for ts in bad["route_ts"].to_list()}
    bad_bv = {(ts // rp.bucket_ns, v) for ts, v in bad.select("route_ts", "venue").iter_rows()}

    def true_spike(x: dict) -> bool:
        b = x["bucket_start_ts"] // rp.bucket_ns
        if x["cut"] in ("venue", "reason"):
            return (b, str(x["value"]).split("/")[0]) in bad_bv
        if x["cut"] == "clearing_firm":
            return x["value"] == BAD_FIRM
        return b in bad_b

    burst_hits = [x for x in spikes if x["bucket_start_ts"] // rp.bucket_ns in day.burst_buckets]
    false_spikes = [x for x in spikes if not true_spike(x)]
    results["reject_spikes"] = {
        "burst_buckets": len(day.burst_buckets),
        "burst_buckets_alerted": len(
            {
                x["bucket_start_ts"] // rp.bucket_ns
                for x in burst_hits
                if x["cut"] == "venue" and x["value"] == "K"
            }
        ),
        "alerts": len(spikes),
        "false_positives": len(false_spikes),
        "fp_share_of_alerts": round(len(false_spikes) / len(spikes), 6) if spikes else 0.0,
    }
    iso_trades = day.trades.filter(iso.has_code(day.trades, ip.iso_code))
    sample = iso_trades.head(args.naive_sample)
    t5 = time.perf_counter()
    naive_iso(sample, day.ladder, day.routes, ip.tolerance_ns)
    naive_per_trade = (time.perf_counter() - t5) / max(sample.height, 1)
    fast_per_trade = iso_s / max(iso_trades.height, 1)
    out = {
        "trades": day.trades.height,
        "normal_trades": args.normal,
        "per_failure": args.per_failure,
        "routes": day.routes.height,
        "depth_states": day.depth.height,
        "results": results,
        "all_recall_100": all(v.get("recall", 1.0) == 1.0 for v in results.values() if "recall" in v),
        "max_fp_share": max(v["fp_share_of_alerts"] for v in results.values()),
        "seconds": {
            "generate": round(gen_s, 3),
            "iso_outbound": round(iso_s, 3),
            "depth": round(depth_s, 3),
            "rejects": round(rej_s, 3),
            "modifiers": round(mod_s, 3),
        },
        "iso_trades_per_s": round(iso_trades.height / iso_s, 1),
        "naive_iso_trades_per_s": round(1 / naive_per_trade, 1),
        "ratio_vs_naive": round(naive_per_trade / fast_per_trade, 1),
        "depth_figure_rows": len(figures),
        "iso_counts": iso_counts,
        "depth_counts": depth_counts,
    }
    print(json.dumps(out, default=str))


if __name__ == "__main__":
    main()
