"""Writing one chunk of items: blobs, records, sightings, quarantine and the search index.

A chunk is written inside one transaction, so its records, their journal leaves and their index
rows commit together or not at all; the blobs are written (and fsynced) before the commit, so a
committed record always has its bytes. Everything is batched: one existence query per table per
chunk, one multi-row insert per table, blob writes on a thread pool (compression and fsync release
the interpreter lock), which is what lets ingest keep up with a busy journaling mailbox.

Outcomes per item read (they add up: read = stored + duplicates + quarantined; the parts of an
export that are not messages are listed by the batch, not written here):
* **stored**: new bytes, a new record;
* **duplicate**: these exact bytes are already a record, so nothing is added. When the record was
  first captured from *another* source, a sighting row records that this source delivered it too
  (counted in ``sightings``, a subset of duplicates), so each source's per-day count is complete;
* **quarantined**: the importer could not read the item; its bytes are kept as a blob and a
  quarantine row gives the reason. The same bytes from the same place are one quarantine row.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from proctor.comms.tables import messages, participants, quarantine, search_rows, sightings
from proctor.comms.views import View
from proctor.core.clock import iso_utc
from proctor.store.schema import blobs

if TYPE_CHECKING:
    from proctor.platform.transaction import Transaction
    from proctor.platform.workspace import Workspace

_IN = 500  # keys per IN (...) query: well under SQLite's and PostgreSQL's parameter limits


@dataclass
class ChunkResult:
    stored: int = 0
    duplicates: int = 0
    sightings: int = 0
    quarantined: int = 0
    per_day: dict[str, dict[str, int]] = field(default_factory=dict)
    quarantine: list[dict[str, str]] = field(default_factory=list)

    def day(self, key: str) -> dict[str, int]:
        return self.per_day.setdefault(key, {"read": 0, "stored": 0, "duplicates": 0, "sightings": 0})


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sighting_id(message: str, source: str) -> str:
    return _sha(f"{message}\n{source}".encode())


def quarantine_id(blob_sha: str, origin: str) -> str:
    return _sha(f"{blob_sha}\n{origin}".encode())


def _lookup(conn: sa.Connection, column: sa.Column[Any], keys: Sequence[str], *extra: Any) -> list[Any]:
    rows: list[Any] = []
    unique = list(dict.fromkeys(keys))
    for start in range(0, len(unique), _IN):
        chunk = unique[start : start + _IN]
        rows.extend(conn.execute(sa.select(column, *extra).where(column.in_(chunk))))
    return rows


@dataclass
class PreparedChunk:
    """A chunk of item views whose blobs are written or being written.

    `stored` holds the stored size of blobs already durable (written by the reading process);
    `pending` the writes still running on this process's pool.
    """

    views: list[View]
    stored: dict[str, int]
    pending: dict[str, Future[tuple[str, int]]]
    sizes: dict[str, int]

    def stored_size(self, sha: str) -> int:
        return self.stored[sha] if sha in self.stored else self.pending[sha].result()[1]


class ChunkWriter:
    """Writes chunks for one import batch from one source.

    `prepare` starts writing each item's bytes, and its attachments', to the blob store on a
    thread pool, so disk writes overlap the previous chunk's transaction and the next chunk's
    parsing. `write` then records the chunk and waits for those blobs before its transaction
    commits. A blob written for an item that turns out to be a duplicate is the same content
    already stored, so the store finds it and writes nothing.
    """

    def __init__(self, ws: Workspace, source: dict[str, Any], import_id: str, pool: Executor) -> None:
        self.ws = ws
        self.source = source
        self.name = str(source["name"])
        self.import_id = import_id
        self.pool = pool

    def prepare(self, views: list[View]) -> PreparedChunk:
        chunk = PreparedChunk(views, {}, {}, {})

        def submit(sha: str, data: bytes, view: View) -> None:
            if sha in chunk.sizes:
                return
            chunk.sizes[sha] = len(data)
            if "stored" in view:  # already written (and fsynced) by the reading process
                chunk.stored[sha] = view["stored"][sha]
            else:
                chunk.pending[sha] = self.pool.submit(self.ws.blobs.put, data, iso_utc(view["retain_until"]))

        for view in views:
            if view["type"] == "listed":
                continue
            submit(view["sha"], view["raw"], view)
            for sha, data in view.get("blobs", ()):
                submit(sha, data, view)
        return chunk

    def write(self, tx: Transaction, chunk: PreparedChunk) -> ChunkResult:
        result = ChunkResult()
        now = self.ws.clock.now()
        msgs = [v for v in chunk.views if v["type"] == "message"]
        held = dict(_lookup(tx.conn, messages.c.id, [v["sha"] for v in msgs], messages.c.source))
        new: dict[str, View] = {}
        seen_here: list[View] = []
        for view in msgs:
            day = result.day(view["day"])
            day["read"] += 1
            sha = view["sha"]
            if sha in new or held.get(sha) == self.name:
                result.duplicates += 1
                day["duplicates"] += 1
            elif sha in held:
                seen_here.append(view)
            else:
                new[sha] = view
                result.stored += 1
                day["stored"] += 1
        self._sightings(tx, seen_here, result, now)
        quarantined = self._quarantined(tx, [v for v in chunk.views if v["type"] == "quarantined"], result)
        needed = set(new) | {v["sha"] for v in quarantined}
        for view in new.values():
            needed.update(sha for sha, _ in view["blobs"])
        self._journal_blobs(tx, chunk, needed, now)
        self._insert_messages(tx, list(new.values()), now)
        tx.insert_many(
            quarantine,
            [
                {
                    "id": v["qid"],
                    "source": self.name,
                    "import_id": self.import_id,
                    "format": v["format"],
                    "origin": v["origin"],
                    "reason": v["reason"],
                    "blob_sha256": v["sha"],
                    "size": len(v["raw"]),
                    "quarantined_at": now,
                }
                for v in quarantined
            ],
            "comms.quarantine.stored",
        )
        return result

    def _sightings(self, tx: Transaction, seen: list[View], result: ChunkResult, now: datetime) -> None:
        ids = {v["sha"]: sighting_id(v["sha"], self.name) for v in seen}
        known = {sid for (sid,) in _lookup(tx.conn, sightings.c.id, list(ids.values()))}
        rows: dict[str, dict[str, Any]] = {}
        for view in seen:
            day = result.day(view["day"])
            result.duplicates += 1
            day["duplicates"] += 1
            sid = ids[view["sha"]]
            if sid in known or sid in rows:
                continue
            result.sightings += 1
            day["sightings"] += 1
            rows[sid] = {
                "id": sid,
                "message": view["sha"],
                "source": self.name,
                "import_id": self.import_id,
                "origin": view["origin"],
                "sent_at": view["sent_at"],
                "seen_at": now,
            }
        tx.insert_many(sightings, list(rows.values()), "comms.sighting.stored")

    def _quarantined(self, tx: Transaction, views: list[View], result: ChunkResult) -> list[View]:
        keyed = {quarantine_id(v["sha"], v["origin"]): v for v in views}
        known = {qid for (qid,) in _lookup(tx.conn, quarantine.c.id, list(keyed))}
        for view in views:
            result.quarantined += 1
            result.quarantine.append({"origin": view["origin"], "reason": view["reason"]})
        return [{**v, "qid": qid} for qid, v in keyed.items() if qid not in known]

    def _journal_blobs(self, tx: Transaction, chunk: PreparedChunk, needed: set[str], now: datetime) -> None:
        """Wait until every blob the new records name is durable, then journal the new ones."""
        stored = {sha: chunk.stored_size(sha) for sha in needed}
        for future in chunk.pending.values():
            future.result()  # surface a failed write even for a duplicate's bytes
        existing = tx.existing_blobs(stored)
        rows = [
            {"sha256": sha, "size": chunk.sizes[sha], "stored_size": size, "created_at": now}
            for sha, size in stored.items()
            if sha not in existing
        ]
        tx.insert_many(blobs, rows, "blob.stored")

    def _canonical(self, tx: Transaction, keys: list[str]) -> dict[str, str]:
        """For each copy key, the record already stored that a new copy links to."""
        found: dict[str, str] = {}
        rows = _lookup(tx.conn, messages.c.copy_key, keys, messages.c.id, messages.c.canonical_id)
        for key, mid, canonical in sorted(rows, key=lambda r: r[1]):
            if canonical is None and key not in found:
                found[key] = mid
        return found

    def _insert_messages(self, tx: Transaction, new: list[View], now: datetime) -> None:
        if not new:
            return
        canonical = self._canonical(tx, [k for v in new if (k := v["record"]["copy_key"]) is not None])
        rows, index = [], []
        for view in new:
            key = view["record"]["copy_key"]
            first = canonical.get(key) if key else None
            if key and first is None:
                canonical[key] = view["sha"]
            rows.append(
                {
                    **view["record"],
                    "source": self.name,
                    "import_id": self.import_id,
                    "canonical_id": first,
                    "ingested_at": now,
                }
            )
            index.append({**view["index"], "source": self.name, "_addresses": view["addresses"]})
        tx.insert_many(messages, rows, "comms.message.stored")
        add_to_index(tx.conn, index)


def add_to_index(conn: sa.Connection, rows: list[dict[str, Any]]) -> None:
    """Insert search rows (the full-text index follows by trigger or generated column) and addresses.

    Row ids are given explicitly, continuing from the highest: writers are serialised (SQLite's
    BEGIN IMMEDIATE, PostgreSQL's journal lock taken first), so ids grow in commit order, which
    is what makes `doc` a safe cursor for readers.
    """
    if not rows:
        return
    top = conn.execute(sa.select(sa.func.max(search_rows.c.doc))).scalar()
    first = int(top or 0) + 1
    addresses = []
    for offset, row in enumerate(rows):
        addresses.append(row.pop("_addresses"))
        row["doc"] = first + offset
    _insert_rows(conn, search_rows, rows)
    docs = [row["doc"] for row in rows]
    pairs = [{"address": a, "doc": doc} for doc, addrs in zip(docs, addresses, strict=True) for a in addrs]
    _insert_rows(conn, participants, pairs)


def _insert_rows(conn: sa.Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """Bulk-insert derived index rows: on SQLite as multi-row INSERT statements.

    sqlite3's executemany runs (and gives up the interpreter lock for) one statement per row;
    with the blob threads busy, taking the lock back per row costs more than the insert itself,
    so rows go in a few hundred per statement, bound through each column's type.
    """
    if not rows:
        return
    if conn.dialect.name != "sqlite":
        conn.execute(table.insert(), rows)
        return
    columns = list(rows[0])
    width = len(columns)
    # Column by column (each column's bind processor mapped over it in C), then row-major.
    by_column = []
    for name in columns:
        column = [row[name] for row in rows]
        process = table.c[name].type.bind_processor(conn.dialect)
        by_column.append(list(map(process, column)) if process is not None else column)
    flat = [value for row in zip(*by_column, strict=True) for value in row]
    per_statement = max(1, 900 // width)
    group = "(" + ",".join("?" * width) + ")"
    head = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES "
    full = head + ",".join([group] * per_statement)
    for start in range(0, len(rows), per_statement):
        count = min(per_statement, len(rows) - start)
        sql = full if count == per_statement else head + ",".join([group] * count)
        conn.exec_driver_sql(sql, tuple(flat[start * width : (start + count) * width]))
