"""Queue and archive search pages at firm scale: server time per request, against the naive approach.

Builds one workspace holding 100,000 alerts, written through the platform's one writer path
(journaled, `Transaction.insert_many`), and an archive of 1,000,000 messages (see
`web_archive.py`: generated originals read by the archive's own parsers and described by the
ingest's own `view_of`, written in bulk with the search index). Then requests, in-process through
FastAPI's TestClient:

* the alert queue page: 200 requests over a realistic mix (the default open queue, filters,
  sorts, deep pages, a reviewer's own queue). The naive approach loads every alert and filters,
  sorts and pages in Python before rendering the same template;
* the archive search page as a principal: rounds over a common term, a rare term, a phrase, a
  participant, a date range, combinations, deep pages, prefixes and queries with no hits, three
  variants each. The naive approach matches words with LIKE '%word%' over subject and text (no
  full-text index) with the same filters and counts every match, rendered through the same
  template. Relevance order, which scores every match before the first page, is measured
  outside the budgeted mix and reported with its number of matches.

A rare word planted a known number of times must be found exactly that many times, and a query
with no hits must show none, or the run stops.

Usage: .venv/bin/python benchmarks/web.py [--alerts 100000] [--messages 1000000] [--cache DIR]
       [--database-url postgresql://postgres@127.0.0.1:5432/postgres] [--rounds 5] ...
Without --cache the workspace (and on PostgreSQL its database) is thrown away after the run; with
it, a finished build is kept in DIR (and on PostgreSQL its database stays, named in DIR's
proctor.toml; drop it with DROP DATABASE when done) and reused by the next run with the same
sizes. `--build-only` builds the cache and stops. On PostgreSQL the build ends with VACUUM
ANALYZE, what autovacuum does on a production server after a load this size. The last line
printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

os.environ.setdefault("PROCTOR_PASSWORD_PROFILE", "cheapest")

import sqlalchemy as sa
from fastapi.testclient import TestClient
from web_archive import OUTSIDE_MIX, RARE, build_archive, figures, naive_search, searches, timed_search

from proctor.bootstrap import init_workspace, open_workspace
from proctor.comms import api
from proctor.comms.search import SearchQuery, search
from proctor.core.alerts import DEFAULT_DUE, Severity
from proctor.core.canonical import digest
from proctor.platform import Workspace
from proctor.store.db import create_engine
from proctor.store.schema import alerts
from proctor.web import WebSettings, create_app
from proctor.web.services import alerts as queue_service
from proctor.web.services import archive as archive_service

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
BUILD_VERSION = 2  # change when the generated data changes, so a cached build is not reused
DONE = "benchmark-build.json"


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


def build(root: Path, args: argparse.Namespace, database_url: str) -> dict[str, Any]:
    init_workspace(
        root, firm="Benchmark Securities LLC", domains=["harborstreet.com"], database_url=database_url
    )
    ws = open_workspace(root)
    try:
        ws.users.add("ada", "admin", actor="ada", password=PASSWORD)
        ws.users.add("paula", "principal", actor="ada", password=PASSWORD)
        for name in REVIEWERS:
            ws.users.add(name, "reviewer", actor="ada", password=PASSWORD)
        started = time.perf_counter()
        rows = alert_rows(args.alerts)
        for chunk in range(0, len(rows), 5000):
            with ws.transaction("ada") as tx:
                tx.insert_many(alerts, rows[chunk : chunk + 5000], "alert.raised")
        alerts_s = time.perf_counter() - started
        print(f"alerts: {args.alerts:,} in {alerts_s:.0f}s", flush=True)
        archive = build_archive(ws, args.messages, "ada", workers=args.workers)
        print(f"archive: {args.messages:,} messages in {archive['seconds']:.0f}s", flush=True)
        if database_url:
            # What autovacuum does on a production server soon after a load this size (the test
            # server here runs with autovacuum off): table statistics for the planner.
            with ws.engine.connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")
    finally:
        ws.close()
    built = {"alerts_seconds": round(alerts_s, 1), "messages_seconds": round(archive["seconds"], 1)}
    (root / DONE).write_text(json.dumps(built), encoding="utf-8")
    return built


@contextmanager
def postgres_database(admin_url: str, name: str, keep: bool) -> Iterator[str]:
    """An empty database on the server `admin_url` names (dropped after unless `keep`)."""
    admin = create_engine(admin_url).execution_options(isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        yield admin_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        if not keep:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@contextmanager
def workspace(args: argparse.Namespace) -> Iterator[tuple[Workspace, dict[str, Any]]]:
    """The benchmark workspace: reused from --cache when a finished build is there, else built."""
    dialect = "postgresql" if args.database_url else "sqlite"
    key = f"web-{dialect}-a{args.alerts}-m{args.messages}-v{BUILD_VERSION}"
    with tempfile.TemporaryDirectory(prefix="proctor-bench-web-") as tmp:
        root = (args.cache / key) if args.cache else Path(tmp) / "ws"
        if (root / DONE).is_file():
            built = {**json.loads((root / DONE).read_text("utf-8")), "cached": True}
            ws = open_workspace(root)
            try:
                yield ws, built
            finally:
                ws.close()
            return
        shutil.rmtree(root, ignore_errors=True)  # an unfinished build is started again
        root.parent.mkdir(parents=True, exist_ok=True)
        name = (
            f"proctor_bench_{key.replace('-', '_')}"
            if args.cache
            else f"proctor_bench_{uuid.uuid4().hex[:12]}"
        )
        if args.database_url:
            with postgres_database(args.database_url, name, keep=bool(args.cache)) as url:
                built = {**build(root, args, url), "cached": False}
                ws = open_workspace(root)
                try:
                    yield ws, built
                finally:
                    ws.close()
        else:
            built = {**build(root, args, ""), "cached": False}
            ws = open_workspace(root)
            try:
                yield ws, built
            finally:
                ws.close()


def login(client: TestClient, user: str) -> None:
    page = client.get("/login")
    token = page.text.split('name="login_token" value="', 1)[1].split('"', 1)[0]
    answer = client.post(
        "/login", data={"username": user, "password": PASSWORD, "login_token": token}, follow_redirects=False
    )
    if answer.status_code != 303:
        raise SystemExit(f"benchmark login failed: {answer.status_code}")


QUEUE = [
    ("paula", "/alerts"),
    ("paula", "/alerts?severity=high"),
    ("paula", "/alerts?sort=due&order=asc"),
    ("paula", "/alerts?module=trading&status=any"),
    ("paula", "/alerts?status=any&page=400"),
    ("paula", "/alerts?sort=severity&page=3"),
    ("paula", "/alerts?q=rep0042"),
    ("ravi", "/alerts"),
]


def timed_queue(clients: dict[str, TestClient], plan: list[tuple[str, str]]) -> list[float]:
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


@contextmanager
def swapped(module: Any, name: str, replacement: Any) -> Iterator[None]:
    """The same page and template, with the naive loader in place of the platform's query."""
    original = getattr(module, name)
    setattr(module, name, replacement)
    try:
        yield
    finally:
        setattr(module, name, original)


def naive_queue_page(ctx: Any, filters: queue_service.QueueFilters) -> dict[str, Any]:
    data = naive_queue(ctx.ws, filters)
    now = ctx.ws.clock.now()
    for row in data["alerts"]:
        row["overdue"] = row["status"] != "closed" and row["due_at"] < now
    pages = max(1, -(-data["total"] // filters.page_size))
    return {**data, "page": filters.page, "pages": pages, "page_size": filters.page_size, "filters": {}}


def naive_find(ctx: Any, query: SearchQuery) -> dict[str, Any]:
    with ctx.ws.read() as conn:
        data = naive_search(conn, query)
        sources = [s["name"] for s in api.list_sources(conn)]
    return {**data, "sources": sources, "offset": query.offset, "page": archive_service.PAGE}


def check_rare_words(ws: Workspace) -> dict[str, int]:
    """Every planted rare word is found exactly as often as it was planted."""
    found = {}
    with ws.read() as conn:
        for word, planted in RARE.items():
            found[word] = len(search(conn, SearchQuery(text=word, limit=100)).hits)
            if found[word] != planted:
                raise SystemExit(f"search finds {word!r} {found[word]} times; it was planted {planted} times")
    return found


def matches(ws: Workspace, text: str) -> int:
    with ws.read() as conn:
        return search(conn, SearchQuery(text=text, limit=1)).total


def measure(ws: Workspace, args: argparse.Namespace) -> dict[str, Any]:
    app = create_app(ws, WebSettings(secret_key="benchmark-secret-" + "x" * 32, secure_cookies=False))
    clients = {user: TestClient(app, base_url="http://127.0.0.1") for user in ("paula", "ravi")}
    mix = searches(args.messages)
    first_of_each = list({kind: (kind, p) for kind, p in reversed(mix)}.values())[::-1]
    out: dict[str, Any] = {}
    try:
        for user, client in clients.items():
            login(client, user)
        timed_queue(clients, QUEUE)  # warm caches and the template
        queue = timed_queue(clients, [QUEUE[i % len(QUEUE)] for i in range(args.requests)])
        out["queue"] = queue
        out["queue_per_query"] = {
            f"{user} {url}": round(statistics.median(queue[i :: len(QUEUE)]), 1)
            for i, (user, url) in enumerate(QUEUE)
        }
        out["queue_default"] = timed_queue(clients, [("paula", "/alerts")] * max(args.naive_requests, 1))
        with swapped(queue_service, "queue", naive_queue_page):
            out["queue_naive"] = timed_queue(clients, [("paula", "/alerts")] * args.naive_requests)
        paula = clients["paula"]
        timed_search(paula.get, mix)  # warm
        out["search"] = timed_search(paula.get, mix * args.rounds)
        out["search_outside_mix"] = timed_search(paula.get, OUTSIDE_MIX * 3)
        out["search_same_as_naive"] = timed_search(paula.get, first_of_each * args.naive_rounds)
        with swapped(archive_service, "find", naive_find):
            out["search_naive"] = timed_search(paula.get, first_of_each * args.naive_rounds)
    finally:
        for client in clients.values():
            client.close()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alerts", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200, help="queue page requests")
    parser.add_argument("--naive-requests", type=int, default=5, help="naive queue page requests")
    parser.add_argument("--rounds", type=int, default=5, help="rounds over the search mix")
    parser.add_argument("--naive-rounds", type=int, default=1, help="rounds of naive searches, one per kind")
    parser.add_argument("--database-url", default="", help="a PostgreSQL server (its admin database)")
    parser.add_argument("--cache", type=Path, default=None, help="keep and reuse the built workspace here")
    parser.add_argument("--workers", type=int, default=2, help="processes generating messages")
    parser.add_argument("--build-only", action="store_true", help="build (or find) the cached workspace")
    args = parser.parse_args()
    if args.build_only and not args.cache:
        parser.error("--build-only needs --cache")
    with workspace(args) as (ws, built):
        if args.build_only:
            print(json.dumps({"benchmark": "web.queue_and_search", "build": built}))
            return 0
        rare = check_rare_words(ws)
        outside = {kind: matches(ws, params["q"]) for kind, params in OUTSIDE_MIX}
        load = os.getloadavg()
        m = measure(ws, args)
        load_after = os.getloadavg()
    queue, default, queue_naive = m["queue"], m["queue_default"], m["queue_naive"]
    search_all = [t for times in m["search"].values() for t in times]
    same = [t for times in m["search_same_as_naive"].values() for t in times]
    naive_all = [t for times in m["search_naive"].values() for t in times]
    queue_p95, search_p95 = figures(queue)["p95_ms"], figures(search_all)["p95_ms"]
    result = {
        "benchmark": "web.queue_and_search",
        "database": "postgresql" if args.database_url else "sqlite",
        "alerts": args.alerts,
        "messages": args.messages,
        "cpus": os.cpu_count(),
        "load_average_1m_before": round(load[0], 2),
        "load_average_1m_after": round(load_after[0], 2),
        "build": built,
        "queue": {
            "requests": len(queue),
            **figures(queue),
            "per_query_p50_ms": m["queue_per_query"],
            "default_queue_p50_ms": round(statistics.median(default), 1),
            "naive_requests": len(queue_naive),
            "naive_p50_ms": figures(queue_naive)["p50_ms"] if queue_naive else None,
            "speedup_p50": round(statistics.median(queue_naive) / statistics.median(default), 1)
            if queue_naive
            else None,
            "within_budget": queue_p95 < BUDGET_MS,
        },
        "search": {
            "requests": len(search_all),
            **figures(search_all),
            "per_kind": {kind: figures(times) for kind, times in m["search"].items()},
            "outside_mix": {
                kind: {**figures(times), "matches": outside[kind]}
                for kind, times in m["search_outside_mix"].items()
            },
            "rare_word_hits": rare,
            "naive_requests": len(naive_all),
            "naive_p50_ms": figures(naive_all)["p50_ms"],
            "naive_per_kind_ms": {
                kind: round(statistics.median(t), 1) for kind, t in m["search_naive"].items()
            },
            "same_requests_p50_ms": figures(same)["p50_ms"],
            "speedup_p50": round(statistics.median(naive_all) / statistics.median(same), 1),
            "within_budget": search_p95 < BUDGET_MS,
        },
        "budget_ms": BUDGET_MS,
        "within_budget": queue_p95 < BUDGET_MS and search_p95 < BUDGET_MS,
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
