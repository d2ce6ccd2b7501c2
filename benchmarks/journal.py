"""Journal throughput: append and verify 1,000,000 events on SQLite.

Appends go through the platform's one writer path (a workspace transaction per batch: rows of the
journal, incremental Merkle frontier, a signed tree head per batch). The naive approach a user would
write is measured in the same run on a sample: one transaction (and so one signed tree head) per
event, as an application that journals each change where it happens would do.

Usage: python benchmarks/journal.py [--events N] [--batch B]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from proctor.bootstrap import init_workspace, open_workspace
from proctor.core.alerts import Subject
from proctor.journal.verify import verify_journal


def append_events(ws, total: int, batch: int) -> float:
    started = time.perf_counter()
    for start in range(0, total, batch):
        with ws.transaction("benchmark") as tx:
            for i in range(start, min(start + batch, total)):
                tx.event(
                    "comms.message.stored",
                    Subject("comms.message", f"M{i}"),
                    {"sha256": f"{i:064x}", "source": "sales-desk", "bytes": 2048 + i % 977},
                )
    return time.perf_counter() - started


def naive_append_rate(root: Path, sample: int) -> float:
    """Events/s with one transaction per event."""
    init_workspace(root)
    ws = open_workspace(root)
    seconds = append_events(ws, sample, 1)
    ws.close()
    return sample / seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=1_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "ws"
        init_workspace(root)
        ws = open_workspace(root)
        append_s = append_events(ws, args.events, args.batch)
        append_rate = args.events / append_s
        print(f"append: {args.events:,} events in {append_s:.1f}s = {append_rate:,.0f} events/s", flush=True)
        started = time.perf_counter()
        report = verify_journal(ws.engine, ws.blobs)
        verify_s = time.perf_counter() - started
        assert report.intact, report.problems[:3]
        verify_rate = report.events / verify_s
        print(
            f"verify: {report.events:,} events in {verify_s:.1f}s = {verify_rate:,.0f} events/s", flush=True
        )
        ws.close()
        sample = min(args.events, 3_000)
        naive = naive_append_rate(Path(tmp) / "naive", sample)
    print(f"naive (one transaction per event, {sample:,} events): {naive:,.0f} events/s", flush=True)
    print(
        json.dumps(
            {
                "benchmark": "journal",
                "database": "sqlite",
                "events": args.events,
                "batch": args.batch,
                "append_events_per_s": round(append_rate),
                "verify_events_per_s": round(verify_rate),
                "append_seconds": round(append_s, 2),
                "verify_seconds": round(verify_s, 2),
                "naive_per_event_transaction_events_per_s": round(naive),
                "ratio_vs_naive": round(append_rate / naive, 2),
                "floor_events_per_s": 20_000,
                "meets_floor": append_rate >= 20_000,
            }
        )
    )


if __name__ == "__main__":
    main()
