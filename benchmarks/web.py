"""Queue page with 100,000 alerts: server time per request, against the naive approach.

Builds a workspace whose alerts are written through the platform's one writer path (journaled,
`Transaction.insert_many`), then requests the reviewer-facing queue page in-process through
FastAPI's TestClient: 200 requests over a realistic mix (the default open queue, filters, sorts,
deep pages, a reviewer's own queue). The naive approach a user would otherwise write loads every
alert and filters, sorts and pages in Python before rendering the same template.

Usage: .venv/bin/python benchmarks/web.py [--alerts 100000] [--requests 200] [--naive-requests 20]
The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient

from proctor.bootstrap import open_workspace
from proctor.core.alerts import DEFAULT_DUE, Severity
from proctor.core.canonical import digest
from proctor.platform import Workspace, init_workspace
from proctor.store.schema import alerts
from proctor.web import WebSettings, create_app
from proctor.web.services import alerts as queue_service

PASSWORD = "benchmark-password"
REVIEWERS = ["ravi", "rita", "rosa", "raj", "rene", "ruth"]
CONTROLS = [
    "comms.capture_completeness",
    "comms.retention",
    "review.lexicon",
    "review.sampling",
    "trading.trade_through",
    "trading.iso_latency",
    "access.post_termination",
    "reserve.computation",
]
STATUS_WEIGHTS = [("closed", 70), ("assigned", 12), ("in_review", 8), ("new", 7), ("pending_approval", 3)]
BUDGET_MS = 300.0


def alert_rows(count: int, seed: int = 7) -> list[dict[str, Any]]:
    rnd = random.Random(seed)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    statuses = [s for s, w in STATUS_WEIGHTS for _ in range(w)]
    rows = []
    for n in range(count):
        control = rnd.choice(CONTROLS)
        severity = rnd.choice(
            [Severity.LOW] * 5 + [Severity.MEDIUM] * 3 + [Severity.HIGH] * 2 + [Severity.CRITICAL]
        )
        status = rnd.choice(statuses)
        created = start + timedelta(seconds=n * 300 + rnd.randint(0, 299))
        subject = {"kind": "person", "id": f"rep{rnd.randint(1, 900):04d}@harborstreet.com"}
        rows.append(
            {
                "id": f"ALR-BENCH{n:08d}",
                "control": control,
                "module": control.split(".", 1)[0],
                "rule_id": f"{control}.rule",
                "rule_version": "1",
                "params_hash": digest({}),
                "title": f"{control.split('.', 1)[1].replace('_', ' ').capitalize()} #{n}: {subject['id']}",
                "severity": severity.value,
                "severity_rank": severity.rank,
                "status": status,
                "disposition": "no_action" if status == "closed" else None,
                "subjects": [subject],
                "subject_text": f"person:{subject['id']}",
                "evidence": {"sample": n, "lines": [{"field": "amount", "value": n * 3}]},
                "evidence_type": "table",
                "contains_npi": False,
                "dedupe_key": digest({"bench": n}),
                "assignee": None if status == "new" else rnd.choice(REVIEWERS),
                "case_id": None,
                "run_id": None,
                "requires_approval": status == "pending_approval",
                "proposed_by": None,
                "proposed_disposition": None,
                "approved_by": None,
                "rationale": "Reviewed; routine." if status == "closed" else None,
                "created_at": created,
                "updated_at": created,
                "due_at": created + DEFAULT_DUE[severity],
                "closed_at": created + timedelta(days=1) if status == "closed" else None,
            }
        )
    return rows


def build(root: Path, count: int) -> tuple[Workspace, float]:
    init_workspace(root, firm="Benchmark Securities LLC")
    ws = open_workspace(root)
    ws.users.add("ada", "admin", actor="ada", password=PASSWORD)
    ws.users.add("paula", "principal", actor="ada", password=PASSWORD)
    for name in REVIEWERS:
        ws.users.add(name, "reviewer", actor="ada", password=PASSWORD)
    started = time.perf_counter()
    rows = alert_rows(count)
    for chunk in range(0, len(rows), 5000):
        with ws.transaction("ada") as tx:
            tx.insert_many(alerts, rows[chunk : chunk + 5000], "alert.raised")
    return ws, time.perf_counter() - started


def login(client: TestClient, user: str) -> None:
    page = client.get("/login")
    token = page.text.split('name="login_token" value="', 1)[1].split('"', 1)[0]
    answer = client.post(
        "/login", data={"username": user, "password": PASSWORD, "login_token": token}, follow_redirects=False
    )
    if answer.status_code != 303:
        raise SystemExit(f"benchmark login failed: {answer.status_code}")


QUERIES = [
    ("paula", "/alerts"),
    ("paula", "/alerts?severity=high"),
    ("paula", "/alerts?sort=due&order=asc"),
    ("paula", "/alerts?module=trading&status=any"),
    ("paula", "/alerts?status=any&page=400"),
    ("paula", "/alerts?sort=severity&page=3"),
    ("paula", "/alerts?q=rep0042"),
    ("ravi", "/alerts"),
]


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def timed(clients: dict[str, TestClient], plan: list[tuple[str, str]]) -> list[float]:
    times = []
    for user, url in plan:
        started = time.perf_counter()
        answer = clients[user].get(url)
        times.append((time.perf_counter() - started) * 1000)
        if answer.status_code != 200 or 'id="queue-table"' not in answer.text:
            raise SystemExit(f"{url}: unexpected answer {answer.status_code}")
    return times


def naive_queue(ws: Workspace, filters: queue_service.QueueFilters) -> dict[str, Any]:
    """What one writes without the platform's query: every alert loaded, filtered in Python."""
    with ws.read() as conn:
        everything = [dict(r._mapping) for r in conn.execute(sa.select(alerts))]
    wanted = [a for a in everything if a["status"] != "closed"]
    wanted.sort(key=lambda a: (a["created_at"], a["id"]), reverse=True)
    start = (filters.page - 1) * filters.page_size
    return {"alerts": wanted[start : start + filters.page_size], "total": len(wanted)}


def measure(ws: Workspace, requests: int, naive_requests: int) -> dict[str, Any]:
    app = create_app(ws, WebSettings(secret_key="benchmark-secret-" + "x" * 32, secure_cookies=False))
    clients = {user: TestClient(app, base_url="http://127.0.0.1") for user in ("paula", "ravi")}
    try:
        for user, client in clients.items():
            login(client, user)
        timed(clients, QUERIES)  # warm caches and the template
        plan = [QUERIES[i % len(QUERIES)] for i in range(requests)]
        fast = timed(clients, plan)
        per_query = {
            f"{user} {url}": round(statistics.median(fast[i :: len(QUERIES)]), 1)
            for i, (user, url) in enumerate(QUERIES)
        }
        default = timed(clients, [("paula", "/alerts")] * naive_requests)
        slow = timed_naive(clients, naive_requests) if naive_requests else []
    finally:
        for client in clients.values():
            client.close()
    return {"fast": fast, "per_query": per_query, "default": default, "slow": slow}


def timed_naive(clients: dict[str, TestClient], count: int) -> list[float]:
    """The same page and template, with the naive loader swapped in for the platform's query."""
    original = queue_service.queue

    def naive(ctx: Any, filters: queue_service.QueueFilters) -> dict[str, Any]:
        data = naive_queue(ctx.ws, filters)
        now = ctx.ws.clock.now()
        for row in data["alerts"]:
            row["overdue"] = row["status"] != "closed" and row["due_at"] < now
        pages = max(1, -(-data["total"] // filters.page_size))
        return {**data, "page": filters.page, "pages": pages, "page_size": filters.page_size, "filters": {}}

    queue_service.queue = naive
    try:
        return timed(clients, [("paula", "/alerts")] * count)
    finally:
        queue_service.queue = original


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alerts", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--naive-requests", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="proctor-bench-web-") as tmp:
        ws, build_s = build(Path(tmp) / "ws", args.alerts)
        shipped = measure(ws, args.requests, args.naive_requests)
        # The platform's alerts table has no index on created_at alone, so the unfiltered queue, a
        # deep page and oldest-first order sort the whole table. Measured here with that one index
        # added to this throwaway workspace, to show what the proposed schema change buys.
        with ws.engine.begin() as conn:
            conn.exec_driver_sql("CREATE INDEX ix_bench_alerts_created ON alerts (created_at)")
        indexed = measure(ws, args.requests, 0)
        ws.close()
    fast, slow, default = shipped["fast"], shipped["slow"], shipped["default"]
    result = {
        "benchmark": "web.queue_page",
        "alerts": args.alerts,
        "requests": len(fast),
        "build_seconds": round(build_s, 1),
        "p50_ms": round(statistics.median(fast), 1),
        "p95_ms": round(percentile(fast, 95), 1),
        "max_ms": round(max(fast), 1),
        "per_query_p50_ms": shipped["per_query"],
        "default_queue_p50_ms": round(statistics.median(default), 1),
        "naive_requests": len(slow),
        "naive_p50_ms": round(statistics.median(slow), 1),
        "naive_p95_ms": round(percentile(slow, 95), 1),
        "speedup_p50": round(statistics.median(slow) / statistics.median(default), 1),
        "with_created_at_index_p50_ms": round(statistics.median(indexed["fast"]), 1),
        "with_created_at_index_p95_ms": round(percentile(indexed["fast"], 95), 1),
        "budget_ms": BUDGET_MS,
        "within_budget": percentile(fast, 95) < BUDGET_MS,
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
