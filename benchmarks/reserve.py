"""Benchmark: a 1,000,000-account, 5,000,000-position book through gates and computation.

Generates a synthetic carrying firm, writes it as canonical Parquet files with companion control
totals, loads it (validation and per-row SHA-256 lineage), then times the gates plus the customer
and PAB computations. The naive approach — a per-row Python loop over the same rules
(`proctor.reserve.naive`) — is timed on a 1% sample and scaled up linearly. The last line printed
is one JSON object with the figures and the ratio.

    .venv/bin/python benchmarks/reserve.py [--accounts N] [--positions N] [--sample-share 0.01]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import date
from pathlib import Path

from proctor.reserve import naive
from proctor.reserve.components import Settings
from proctor.reserve.compute import compute_both
from proctor.reserve.gates import run_gates
from proctor.reserve.loaders import Book, Firm, LoadedFile, load_book, prepare
from proctor.reserve.money import to_cents
from proctor.reserve.ruletable import RuleTable
from proctor.reserve.schemas import SCHEMAS
from proctor.reserve.synthetic import generate
from proctor.reserve.writer import control_for, write_file, write_firm

AS_OF = date(2026, 3, 6)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--positions", type=int, default=5_000_000)
    parser.add_argument("--sample-share", type=float, default=0.01)
    args = parser.parse_args()
    rules = RuleTable.baseline()
    settings = Settings("customer", AS_OF)

    t0 = time.perf_counter()
    frames, firm = generate(args.accounts, args.positions)
    t_generate = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        t0 = time.perf_counter()
        for name, frame in frames.items():
            write_file(directory, name, frame, fmt_="parquet")
        write_firm(directory, firm)
        t_write = time.perf_counter() - t0
        t0 = time.perf_counter()
        book = load_book(directory)
        t_load = time.perf_counter() - t0
    t0 = time.perf_counter()
    gates = run_gates(book, rules)
    t_gates = time.perf_counter() - t0
    t0 = time.perf_counter()
    customer, pab = compute_both(book, rules, settings)
    t_compute = time.perf_counter() - t0
    fast = t_gates + t_compute
    print(
        f"gates {'HOLD' if gates.hold else 'PASS'} in {t_gates:.2f}s; computation {t_compute:.2f}s; "
        f"customer requirement {customer.requirement / 100:,.2f}; PAB {pab.requirement / 100:,.2f}"
    )

    n_acc = max(int(args.accounts * args.sample_share), 100)
    n_pos = max(int(args.positions * args.sample_share), 500)
    sample_frames, sample_firm = generate(n_acc, n_pos)
    files = {}
    for name, raw in sample_frames.items():
        frame, missing = prepare(raw, SCHEMAS[name], name, name)
        files[name] = LoadedFile(name, name, "", frame, control_for(name, raw), missing)
    sample = Book(files=files, firm=Firm(sample_firm["name"], to_cents(sample_firm["tentative_net_capital"])))
    t0 = time.perf_counter()
    naive.line_totals(sample, rules, "customer", AS_OF)
    naive.line_totals(sample, rules, "pab", AS_OF)
    t_naive_sample = time.perf_counter() - t0
    t0 = time.perf_counter()
    run_gates(sample, rules)
    compute_both(sample, rules, settings)
    t_fast_sample = time.perf_counter() - t0
    scale = args.accounts / n_acc
    naive_scaled = t_naive_sample * scale
    print(
        json.dumps(
            {
                "benchmark": "reserve.gates_and_computation",
                "accounts": args.accounts,
                "positions": args.positions,
                "stock_record_rows": book.files["stock_record"].frame.height,
                "gates_status": "HOLD" if gates.hold else "PASS",
                "generate_s": round(t_generate, 2),
                "write_parquet_s": round(t_write, 2),
                "load_validate_lineage_s": round(t_load, 2),
                "gates_s": round(t_gates, 2),
                "computation_s": round(t_compute, 2),
                "gates_plus_computation_s": round(fast, 2),
                "naive_sample_accounts": n_acc,
                "naive_sample_s": round(t_naive_sample, 3),
                "fast_sample_s": round(t_fast_sample, 3),
                "naive_scaled_s": round(naive_scaled, 1),
                "ratio_naive_over_fast": round(naive_scaled / fast, 1),
                "under_60s": fast < 60,
            }
        )
    )


if __name__ == "__main__":
    main()
