"""Archive throughput: ingest the Enron subset end to end, and search latency over 1,000,000 messages.

Ingest is measured end to end through `proctor.comms.ingest.ingest`: parse the CMU maildir, hash,
compress and store every original (fsynced blob files), journal every record (Merkle leaves and a
signed tree head per chunk), and index it for search. The naive approach measured in the same run
is what an application storing "one message at a time" does: one transaction per message (its own
blob write, journal leaf and signed tree head), on a sample of the same messages.

Search latency is measured on a separate workspace holding 1,000,000 synthetic messages (a
Zipf-distributed vocabulary with finance and compliance words at realistic frequencies, 5,000
correspondents, 20 sources, three years), whose index rows are inserted in bulk. Each query (words,
phrases, OR, exclusions, prefixes, with and without participant, source, direction and date
filters) asks for the first page of 25 hits, newest first, with highlighted snippets.

Usage: python benchmarks/comms_ingest.py [--enron PATH] [--search-rows N] [--naive-sample N]
The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import statistics
import sys
import tarfile
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from itertools import islice
from pathlib import Path

os.environ.setdefault("PROCTOR_PASSWORD_PROFILE", "cheapest")

from proctor.bootstrap import init_workspace, open_workspace
from proctor.comms import iter_items
from proctor.comms.ingest import ingest
from proctor.comms.retention import schedule_in_force
from proctor.comms.search import SearchQuery, search
from proctor.comms.sources import SourceSpec, add_source, get_source
from proctor.comms.storing import ChunkWriter, add_to_index
from proctor.comms.views import ViewContext, view_of
from proctor.platform import Workspace

ENRON = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "enron" / "maildir.tar.gz"


def workspace(root: Path) -> Workspace:
    init_workspace(root, domains=["enron.com"])
    ws = open_workspace(root)
    ws.users.add("ada", "admin", actor="ada", password="benchmark-password")
    add_source(
        ws, SourceSpec(name="enron", kind="mailbox", owner="IT", capture_state="connected"), actor="ada"
    )
    return ws


def fast_ingest(root: Path, maildir: Path) -> dict[str, float]:
    ws = workspace(root)
    started = time.perf_counter()
    report = ingest(ws, maildir, source="enron", actor="ada")
    seconds = time.perf_counter() - started
    ws.close()
    assert report.read == report.stored + report.duplicates + report.quarantined
    return {"messages": report.stored, "read": report.read, "seconds": seconds, "rate": report.read / seconds}


def naive_ingest(root: Path, maildir: Path, sample: int) -> dict[str, float]:
    """One transaction per message: blob, record, journal leaf, signed tree head, index row."""
    ws = workspace(root)
    with ws.read() as conn:
        source = get_source(conn, "enron")
        schedule = schedule_in_force(conn, ws.clock.now())
    ctx = ViewContext(source["kind"], source["timezone"], ws.config.firm_domains, schedule, ws.clock.now())
    started = time.perf_counter()
    count = 0
    with ThreadPoolExecutor(max_workers=1) as pool:
        writer = ChunkWriter(ws, source, "IMP-NAIVE", pool)
        for item in islice(iter_items(maildir), sample):
            view = view_of(item, hashlib.sha256(item.raw).hexdigest(), ctx)
            with ws.transaction("ada") as tx:
                writer.write(tx, writer.prepare([view]))
            count += 1
    seconds = time.perf_counter() - started
    ws.close()
    return {"messages": count, "seconds": seconds, "rate": count / seconds}


# --- search over 1,000,000 synthetic messages --------------------------------------------------------

DOMAIN_WORDS = [
    "guarantee",
    "guaranteed",
    "complaint",
    "unauthorized",
    "wire",
    "transfer",
    "refund",
    "margin",
    "call",
    "options",
    "rebalance",
    "allocation",
    "settlement",
    "dividend",
    "statement",
    "commission",
    "fee",
    "annuity",
    "bond",
    "municipal",
    "treasury",
    "hedge",
    "liquidity",
    "compliance",
    "escalation",
    "whatsapp",
    "personal",
    "cell",
    "offline",
    "lunch",
    "confidential",
]


def vocabulary(rng: random.Random, size: int = 30_000) -> tuple[list[str], list[float]]:
    """Pseudo-words with Zipf frequencies; the domain words spread from common (rank 50) to rare."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = {"".join(rng.choices(letters, k=rng.randint(3, 9))) for _ in range(size * 2)}
    vocab = sorted(words - set(DOMAIN_WORDS))[:size]
    rng.shuffle(vocab)
    for i, word in enumerate(DOMAIN_WORDS):
        vocab.insert(min(int(50 * 1.3**i), len(vocab)), word)
    cumulative, total = [], 0.0
    for rank in range(1, len(vocab) + 1):
        total += 1.0 / rank
        cumulative.append(total)
    return vocab, cumulative


def fill_index(ws: Workspace, rows: int, seed: int = 17) -> tuple[float, list[str]]:
    """Bulk-insert `rows` synthetic index rows (the archive's own bulk index path)."""
    rng = random.Random(seed)
    vocab, cumulative = vocabulary(rng)
    people = [f"person{n}@{'harborstreet.com' if n % 3 else f'client{n % 97}.example'}" for n in range(5000)]
    start = datetime(2022, 1, 1, tzinfo=UTC)
    started = time.perf_counter()
    batch = 20_000
    with ws.engine.begin() as conn:
        for first in range(1, rows + 1, batch):
            index = []
            for n in range(first, min(first + batch, rows + 1)):
                sender, other = rng.choice(people), rng.choice(people)
                words = rng.choices(vocab, cum_weights=cumulative, k=rng.randint(25, 90))
                index.append(
                    {
                        "message": f"{n:064x}",
                        "source": f"source-{n % 20:02d}",
                        "sent_at": start + timedelta(seconds=n * 94.6),
                        "direction": "internal" if sender.endswith("harborstreet.com") else "external",
                        "has_attachments": n % 10 == 0,
                        "kind": "email" if n % 4 else "chat",
                        "sender": sender,
                        "subject": " ".join(words[:6]),
                        "text": " ".join(words[6:]),
                        "_addresses": sorted({sender, other}),
                    }
                )
            add_to_index(conn, index)
    return time.perf_counter() - started, people


def queries(people: list[str]) -> list[SearchQuery]:
    since = datetime(2023, 6, 1, tzinfo=UTC)
    until = since + timedelta(days=30)
    return [
        SearchQuery(text="guarantee"),
        SearchQuery(text="guaranteed return"),
        SearchQuery(text='"wire transfer"'),
        SearchQuery(text="complaint OR unauthorized"),
        SearchQuery(text="whatsapp -lunch"),
        SearchQuery(text="refund*"),
        SearchQuery(text="margin call", direction="external"),
        SearchQuery(text="confidential", source="source-07", since=since, until=until),
        SearchQuery(text="settlement", participant=people[1234]),
        SearchQuery(participant=people[42]),
        SearchQuery(text="dividend statement", has_attachment=True),
        SearchQuery(text="annuity", order="relevance"),
        SearchQuery(text="personal cell"),
        SearchQuery(text="escalation", since=since, until=until),
        SearchQuery(text="guarantee", participant=people[77]),
        SearchQuery(text="guarantee", source="source-03", since=since, until=until),
        SearchQuery(text="guarantee", order="oldest", offset=100),
    ]


def search_latency(ws: Workspace, people: list[str], rounds: int) -> dict[str, float]:
    timings = []
    with ws.read() as conn:
        for q in queries(people):  # warm the page cache once
            search(conn, SearchQuery(**{**q.__dict__, "limit": 25}))
        for _ in range(rounds):
            for q in queries(people):
                started = time.perf_counter()
                search(conn, SearchQuery(**{**q.__dict__, "limit": 25}))
                timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return {
        "queries": len(timings),
        "p50_ms": statistics.median(timings),
        "p95_ms": timings[int(len(timings) * 0.95) - 1],
        "max_ms": timings[-1],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--enron", type=Path, default=ENRON)
    parser.add_argument("--search-rows", type=int, default=1_000_000)
    parser.add_argument("--naive-sample", type=int, default=1_000)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    if not args.enron.exists():
        sys.exit(f"Enron subset not found at {args.enron}")
    with tempfile.TemporaryDirectory(prefix="proctor-bench-") as tmp:
        root = Path(tmp)
        with tarfile.open(args.enron) as tar:
            tar.extractall(root / "enron", filter="data")
        maildir = root / "enron" / "maildir"
        fast = fast_ingest(root / "fast", maildir)
        print(
            f"ingest: {fast['read']:,.0f} messages in {fast['seconds']:.1f}s = {fast['rate']:,.0f}/s",
            flush=True,
        )
        naive = naive_ingest(root / "naive", maildir, args.naive_sample)
        print(f"naive (one transaction per message): {naive['rate']:,.0f}/s", flush=True)
        init_workspace(root / "search")
        big = open_workspace(root / "search")
        fill_seconds, people = fill_index(big, args.search_rows)
        print(f"index: {args.search_rows:,} synthetic messages in {fill_seconds:.1f}s", flush=True)
        latency = search_latency(big, people, args.rounds)
        big.close()
        print(f"search: p50 {latency['p50_ms']:.1f} ms, p95 {latency['p95_ms']:.1f} ms", flush=True)
    result = {
        "benchmark": "comms_ingest",
        "cpus": os.cpu_count(),
        "load_average_1m": os.getloadavg()[0],
        "ingest_messages": fast["read"],
        "ingest_seconds": round(fast["seconds"], 2),
        "ingest_messages_per_s": round(fast["rate"], 1),
        "naive_messages_per_s": round(naive["rate"], 1),
        "naive_sample": naive["messages"],
        "ratio_vs_naive": round(fast["rate"] / naive["rate"], 2),
        "search_rows": args.search_rows,
        "search_index_seconds": round(fill_seconds, 1),
        "search_queries": latency["queries"],
        "search_p50_ms": round(latency["p50_ms"], 2),
        "search_p95_ms": round(latency["p95_ms"], 2),
        "search_max_ms": round(latency["max_ms"], 2),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
