"""Benchmark: join 10,000,000 activity events to people and accounts and run every detection.

The naive approach a user would otherwise write is the per-event lookup (find the account's
person in a dict, scan that person's employment spans): `detections.reference_states`. It is
measured on a sample in the same run and scaled to the full size. Last line: one JSON object.

    .venv/bin/python benchmarks/access_activity.py [--events 10000000] [--people 200000]
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl

from proctor.access import detections as det

TS = pl.Datetime("us", "UTC")
START = datetime(2026, 9, 1, tzinfo=UTC)
DAYS = 90
ACTIONS = np.array(["login", "view", "view", "view", "search", "download", "export", "print", "logout"])


def firm(n_people: int, n_systems: int, rng: np.random.Generator) -> tuple[pl.DataFrame, ...]:
    """People with employment spans (10% leave in the window, a third of them after notice, some
    rehired), one account per person on most systems, and the system register."""
    eids = np.array([f"E{i:07d}" for i in range(n_people)])
    starts = np.datetime64("2018-06-01", "us") + rng.integers(0, 2500, n_people).astype("timedelta64[D]")
    leaves = rng.random(n_people) < 0.10
    end_offsets = rng.integers(0, DAYS * 24 * 3600, n_people)
    ends = np.where(
        leaves,
        np.datetime64(START.replace(tzinfo=None), "us") + end_offsets.astype("timedelta64[s]"),
        np.datetime64("NaT"),
    )
    notified = np.where(
        leaves & (rng.random(n_people) < 0.33), ends - np.timedelta64(14, "D"), np.datetime64("NaT")
    )
    spans = pl.DataFrame(
        {
            "employee_id": eids,
            "start": starts,
            "notified_at": notified.astype("datetime64[us]"),
            "end": ends.astype("datetime64[us]"),
        }
    ).with_columns(pl.col("start", "notified_at", "end").dt.replace_time_zone("UTC"))
    rehired = (
        spans.filter(pl.col("end").is_not_null())
        .sample(fraction=0.1, seed=1)
        .select(
            "employee_id",
            (pl.col("end") + pl.duration(days=20)).alias("start"),
            pl.lit(None, TS).alias("notified_at"),
            pl.lit(None, TS).alias("end"),
        )
    )
    spans = pl.concat([spans, rehired])
    systems = pl.DataFrame(
        {"system": [f"sys{s:02d}" for s in range(n_systems)], "npi": [s % 3 == 0 for s in range(n_systems)]}
    )
    per = n_systems * 5 // 6
    acc_people = np.repeat(eids, per)
    acc_systems = np.tile(np.array([f"sys{s:02d}" for s in range(per)]), n_people)
    logins = np.char.add(np.char.add(acc_systems, "-"), acc_people)
    links = pl.DataFrame(
        {"system": acc_systems, "login_id": logins, "employee_id": acc_people, "situation": "linked"}
    )
    disabled = np.where(
        rng.random(len(logins)) < 0.05,
        np.datetime64(START.replace(tzinfo=None), "us")
        + rng.integers(0, DAYS * 86400, len(logins)).astype("timedelta64[s]"),
        np.datetime64("NaT"),
    )
    accounts = pl.DataFrame(
        {
            "system": acc_systems,
            "login_id": logins,
            "status": np.where(np.isnat(disabled), "active", "disabled"),
            "disabled_at": disabled.astype("datetime64[us]"),
            "created": np.full(len(logins), np.datetime64("2020-01-01", "us")),
            "first_seen": np.full(len(logins), np.datetime64("2020-01-01", "us")),
            "last_login": np.full(len(logins), np.datetime64("NaT", "us")),
        }
    ).with_columns(pl.col("disabled_at", "created", "first_seen", "last_login").dt.replace_time_zone("UTC"))
    return spans, systems, links, accounts


def events(
    links: pl.DataFrame, spans: pl.DataFrame, accounts: pl.DataFrame, n_events: int, rng: np.random.Generator
) -> pl.DataFrame:
    """Uniform use of every account, except that after a person leaves (or an account is disabled)
    only 2% of their would-be events still happen: the rare misuse the detections look for."""
    draw = int(n_events * 1.15)
    pick = rng.integers(0, links.height, draw)
    ends = spans.group_by("employee_id").agg(pl.col("end").max(), pl.col("start").max().alias("rehired"))
    seconds = rng.integers(0, DAYS * 86400, draw)
    base = (
        links.select("system", "login_id", "employee_id")[pick]
        .with_columns((pl.lit(START) + pl.duration(seconds=pl.lit(pl.Series(seconds)))).cast(TS).alias("ts"))
        .join(ends, on="employee_id", how="left", maintain_order="left")
        .join(
            accounts.select("system", "login_id", "disabled_at"),
            on=["system", "login_id"],
            how="left",
            maintain_order="left",
        )
        .with_columns(pl.Series("_keep", rng.random(draw) < 0.02))
    )
    left = pl.col("end").is_not_null() & (pl.col("ts") >= pl.col("end")) & (pl.col("rehired") < pl.col("end"))
    disabled = pl.col("disabled_at").is_not_null() & (pl.col("ts") > pl.col("disabled_at"))
    base = base.filter(~(left | disabled) | pl.col("_keep")).head(n_events).select("system", "login_id", "ts")
    n_events = base.height
    records = rng.integers(0, 2_000_000, n_events)
    actions = ACTIONS[rng.integers(0, len(ACTIONS), n_events)]
    has_record = np.isin(actions, ["view", "download", "export", "print"])
    return base.with_columns(
        pl.Series("action", actions),
        pl.Series("outcome", np.where(rng.random(n_events) < 0.97, "success", "failure")),
        pl.when(pl.Series(has_record))
        .then(pl.format("C-{}", pl.Series(records)))
        .otherwise(None)
        .alias("record_id"),
        pl.when(pl.Series(has_record)).then(pl.lit("customer")).otherwise(None).alias("record_type"),
        pl.lit("192.0.2.1").alias("client_ip"),
        pl.format("s{}", pl.Series(rng.integers(0, n_events // 20, n_events))).alias("session_id"),
        pl.format("k{}", pl.int_range(0, n_events, eager=True)).alias("event_key"),
        pl.lit("").alias("detail"),
        pl.col("login_id").str.to_lowercase().alias("login_key"),  # as the store writes it
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument("--systems", type=int, default=12)
    parser.add_argument("--naive-sample", type=int, default=200_000)
    args = parser.parse_args()
    rng = np.random.default_rng(14)
    t0 = time.perf_counter()
    spans, systems, links, accounts = firm(args.people, args.systems, rng)
    ev = events(links, spans, accounts, args.events, rng)
    t_generate = time.perf_counter() - t0

    timings: dict[str, float] = {}
    counts: dict[str, int] = {}
    t_all, cpu_all = time.perf_counter(), time.process_time()
    t = time.perf_counter()
    attributed = det.attribute(ev, links, spans)
    timings["attribute_join_s"] = time.perf_counter() - t
    kernels: list[tuple[str, Callable[[], pl.DataFrame]]] = [
        ("post_termination", lambda: det.post_termination(attributed, systems)),
        ("npi_exposure", lambda: det.npi_exposure(attributed, systems)),
        ("bulk_access", lambda: det.bulk_access(attributed)),
        ("disabled_activity", lambda: det.disabled_activity(ev, accounts)),
        (
            "dormant_accounts",
            lambda: det.dormant_accounts(accounts, ev, systems, START + timedelta(days=DAYS)),
        ),
    ]
    for name, fn in kernels:
        t = time.perf_counter()
        counts[name] = fn().height
        timings[f"{name}_s"] = time.perf_counter() - t
    fast, fast_cpu = time.perf_counter() - t_all, time.process_time() - cpu_all

    sample = ev.head(args.naive_sample)
    link_map = {
        (s, login.strip().lower()): e
        for s, login, e in links.select("system", "login_id", "employee_id").rows()
    }
    span_map: dict[str, list[tuple[datetime | None, datetime | None, datetime | None]]] = {}
    for eid, start, notified, end in spans.select("employee_id", "start", "notified_at", "end").rows():
        span_map.setdefault(eid, []).append((start, notified, end))
    rows = sample.select("system", "login_id", "ts").to_dicts()
    t = time.perf_counter()
    naive_states = det.reference_states(rows, link_map, span_map)
    t_naive = time.perf_counter() - t
    t = time.perf_counter()
    fast_states = det.attribute(sample, links, spans).sort("event_key")
    t_fast_sample = time.perf_counter() - t
    order = {k: i for i, k in enumerate(sample["event_key"].to_list())}
    agree = sorted(fast_states.rows(named=True), key=lambda r: order[r["event_key"]])
    matches = sum(a["state"] == b for a, b in zip(agree, naive_states, strict=True))
    naive_scaled = t_naive * args.events / len(rows)
    print(
        json.dumps(
            {
                "benchmark": "access.activity_detections",
                "events": args.events,
                "people": args.people,
                "accounts": accounts.height,
                "systems": args.systems,
                "generate_s": round(t_generate, 2),
                **{k: round(v, 2) for k, v in timings.items()},
                "findings": counts,
                "all_detections_s": round(fast, 2),
                "all_detections_cpu_s": round(fast_cpu, 2),  # the wall time includes waiting for a shared CPU
                "naive_sample_events": len(rows),
                "naive_sample_s": round(t_naive, 3),
                "fast_sample_s": round(t_fast_sample, 3),
                "naive_scaled_s": round(naive_scaled, 1),
                "naive_agrees_on_sample": matches == len(rows),
                "ratio_naive_over_fast": round(naive_scaled / fast, 1),
                "ratio_naive_over_fast_attribution": round(naive_scaled / timings["attribute_join_s"], 1),
                "under_60s": fast < 60,
            }
        )
    )


if __name__ == "__main__":
    main()
