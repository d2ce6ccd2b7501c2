"""Ingest: an export file or folder into the archive, as one import batch, idempotently and resumably.

The online-broker case lost communications to importers that dropped what they could not handle
and to migrations nobody reconciled. So every item an importer reads ends up as exactly one of
stored, duplicate or quarantined, and the batch's counts (journaled with it) add up to the number
read. Work is committed in chunks: each chunk's records, index rows, journal leaves and the batch's
progress commit in one transaction. A crash (even kill -9) loses at most the chunk in flight,
which was never acknowledged; the next `ingest` of the same path and source finds the batch still
"running", skips the items its committed position covers, and completes it, so the finished
batch's counts are the same as if nothing had happened. Re-running a completed import stores
nothing new: every item is a duplicate of its own earlier record.

A failure outside any item (the disk fills, the database goes away, a fault in the archive
itself) marks the batch "failed" with the reason, journaled, and is raised; the next `ingest` of
the same path resumes the failed batch from its committed position, like a killed one. Parts of
the export that are not messages (Slack's ``users.json``, Maildir bookkeeping files) are listed
on the batch with their size and hash, so every byte of the export is accounted for.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from proctor.comms.formats import FORMATS, detect_format
from proctor.comms.model import CommsError, Limits, ParseOptions
from proctor.comms.reader import read_chunks
from proctor.comms.retention import schedule_in_force
from proctor.comms.sources import get_source
from proctor.comms.storing import ChunkResult, ChunkWriter
from proctor.comms.tables import imports, quarantine, sources
from proctor.comms.views import ViewContext
from proctor.core.errors import InputError
from proctor.core.roles import CONTROL_RUN, require
from proctor.store.blobs import FilesystemBlobStore
from proctor.store.schema import journal_state

if TYPE_CHECKING:
    from proctor.platform.transaction import Transaction
    from proctor.platform.workspace import Workspace

CHUNK = 500
COUNTS = ("read_count", "stored", "duplicates", "sightings", "quarantined")
_LISTED_KEYS = ("origin", "reason", "size", "sha256")
LISTED_CAP = 1000  # "not a message" entries named on a batch; the count goes on past it
Progress = Callable[[int], None]


@dataclass
class IngestReport:
    """What one import batch did; read = stored + duplicates + quarantined."""

    import_id: str
    source: str
    path: str
    format: str
    status: str
    resumed: bool
    read: int
    stored: int
    duplicates: int
    sightings: int
    quarantined: int
    per_day: dict[str, dict[str, int]]
    quarantine: list[dict[str, str]] = field(default_factory=list)
    seconds: float = 0.0
    listed: int = 0
    not_messages: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "import_id": self.import_id,
            "source": self.source,
            "path": self.path,
            "format": self.format,
            "status": self.status,
            "resumed": self.resumed,
            "read": self.read,
            "stored": self.stored,
            "duplicates": self.duplicates,
            "sightings": self.sightings,
            "quarantined": self.quarantined,
            "per_day": {day: counts["read"] for day, counts in sorted(self.per_day.items())},
            "per_day_detail": dict(sorted(self.per_day.items())),
            "quarantine": self.quarantine,
            "listed": self.listed,
            "not_messages": self.not_messages,
            "seconds": round(self.seconds, 3),
        }


def _merge_days(
    into: dict[str, dict[str, int]], more: dict[str, dict[str, int]]
) -> dict[str, dict[str, int]]:
    merged = {day: dict(counts) for day, counts in into.items()}
    for day, counts in more.items():
        target = merged.setdefault(day, {k: 0 for k in counts})
        for key, value in counts.items():
            target[key] = target.get(key, 0) + value
    return merged


def _serialise_writers(tx: Transaction) -> None:
    """On PostgreSQL take the journal lock first, so index row ids are assigned in commit order.

    SQLite's BEGIN IMMEDIATE already does this; without it two concurrent imports could commit
    index rows out of id order and a reader following the capture-order cursor could skip some.
    """
    if tx.conn.dialect.name == "postgresql":
        tx.conn.execute(sa.select(journal_state.c.id).where(journal_state.c.id == 1).with_for_update())


def _open_batch(
    ws: Workspace, source: dict[str, Any], path: str, fmt: str, options: dict[str, Any], actor: str
) -> tuple[dict[str, Any], bool]:
    """The unfinished batch for this source and path (resumed), or a new one."""
    with ws.read() as conn:
        row = conn.execute(
            sa.select(imports)
            .where(
                imports.c.source == source["name"],
                imports.c.path == path,
                imports.c.format == fmt,
                imports.c.status.in_(("running", "failed")),
            )
            .order_by(imports.c.started_at.desc(), imports.c.id.desc())
            .limit(1)
        ).first()
    if row is not None:
        batch = dict(row._mapping)
        if batch["status"] == "failed":
            with ws.transaction(actor) as tx:
                batch = tx.update(
                    imports, batch["id"], {"status": "running", "ended_at": None}, "comms.import.resumed"
                )
        return batch, True
    values = {
        "id": ws.ids("IMP"),
        "source": source["name"],
        "path": path,
        "format": fmt,
        "options": options,
        "status": "running",
        "started_at": ws.clock.now(),
        "ended_at": None,
        "position": 0,
        "per_day": {},
        "actor": actor,
        **dict.fromkeys(COUNTS, 0),
    }
    with ws.transaction(actor) as tx:
        return tx.insert(imports, values, "comms.import.started"), False


def _progress_values(
    batch: dict[str, Any], views: list[Any], result: ChunkResult, listed: list[dict[str, Any]]
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if listed:
        options = dict(batch["options"])
        named = list(options.get("not_messages", []))
        named.extend(listed[: max(0, LISTED_CAP - len(named))])
        total = int(options.get("listed", 0)) + len(listed)
        values["options"] = {**options, "not_messages": named, "listed": total}
    return {
        **values,
        "position": batch["position"] + len(views),
        "read_count": batch["read_count"] + len(views) - len(listed),
        "stored": batch["stored"] + result.stored,
        "duplicates": batch["duplicates"] + result.duplicates,
        "sightings": batch["sightings"] + result.sightings,
        "quarantined": batch["quarantined"] + result.quarantined,
        "per_day": _merge_days(batch["per_day"], result.per_day),
    }


def ingest(
    ws: Workspace,
    path: Path,
    *,
    source: str,
    actor: str,
    format: str = "auto",
    timezone: str | None = None,
    chunk_size: int = CHUNK,
    progress: Progress | None = None,
    workers: int = 8,
    limits: Limits | None = None,
) -> IngestReport:
    """Import every item under `path` from a registered source; see the module docstring.

    `limits` bounds what one item may be (zip member size and ratio, nesting depth, line length,
    attachment size); an item beyond them is quarantined with the limit named.
    """
    started = time.monotonic()
    require(ws.users.get(actor), CONTROL_RUN)
    with ws.read() as conn:
        src = get_source(conn, source)
    resolved = path.resolve()
    if not resolved.exists():
        raise InputError("no such file or folder", file=str(path))
    fmt = detect_format(resolved) if format == "auto" else format
    zone = timezone or src["timezone"]
    options = ParseOptions(timezone=zone, limits=limits or Limits())
    options.zone()  # refuse an unknown zone before anything is written
    if fmt not in FORMATS:
        raise InputError(
            f"unknown format {fmt!r}; expected auto or one of: {', '.join(FORMATS)}", field="--format"
        )
    batch, resumed = _open_batch(ws, src, str(resolved), fmt, {"timezone": zone}, actor)
    try:
        batch = _run(ws, src, resolved, fmt, options, batch, actor, chunk_size, progress, workers)
    except Exception as exc:
        reason = f"{type(exc).__name__}: {exc}"[:2000]
        _fail(ws, batch["id"], reason, actor)
        raise CommsError(
            f"import {batch['id']} of {resolved} failed: {reason}; "
            "run the same ingest again to resume it from its last committed item"
        ) from exc
    return IngestReport(
        import_id=batch["id"],
        source=src["name"],
        path=str(resolved),
        format=fmt,
        status=batch["status"],
        resumed=resumed,
        read=batch["read_count"],
        stored=batch["stored"],
        duplicates=batch["duplicates"],
        sightings=batch["sightings"],
        quarantined=batch["quarantined"],
        per_day=batch["per_day"],
        quarantine=_quarantine_list(ws, batch["id"], batch.pop("_seen_quarantine", [])),
        seconds=time.monotonic() - started,
        listed=int(batch["options"].get("listed", 0)),
        not_messages=list(batch["options"].get("not_messages", [])),
    )


def _fail(ws: Workspace, import_id: str, reason: str, actor: str) -> None:
    """Mark the batch failed with its reason; if even that cannot be written, the raise says why."""
    try:
        with ws.transaction(actor) as tx:
            current = tx.get(imports, import_id) or {}
            options = {**dict(current.get("options") or {}), "failure": reason}
            tx.update(
                imports,
                import_id,
                {"status": "failed", "ended_at": ws.clock.now(), "options": options},
                "comms.import.failed",
            )
    except Exception:  # the database itself is what failed; the batch stays "running" and resumes
        return


def _run(
    ws: Workspace,
    src: dict[str, Any],
    resolved: Path,
    fmt: str,
    options: ParseOptions,
    batch: dict[str, Any],
    actor: str,
    chunk_size: int,
    progress: Progress | None,
    workers: int,
) -> dict[str, Any]:
    seen_quarantine: list[dict[str, str]] = []
    with ws.read() as conn:
        schedule = schedule_in_force(conn, ws.clock.now())
    # Days are always the source's own (as its manifests and the controls count them), even when
    # --timezone overrides the zone used to read times written without an offset.
    ctx = ViewContext(src["kind"], src["timezone"], ws.config.firm_domains, schedule, ws.clock.now())
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="blob") as pool:
        writer = ChunkWriter(ws, src, batch["id"], pool)
        # The filesystem store is safe to use from the forked reader, which then writes the blobs
        # beside parsing; any other store (S3) is written from this process's thread pool.
        store = ws.blobs if isinstance(ws.blobs, FilesystemBlobStore) else None
        chunks = read_chunks(
            resolved, fmt, options, ctx, skip=batch["position"], size=chunk_size, store=store
        )
        for views in chunks:
            chunk = writer.prepare(views)
            listed = [{k: v[k] for k in _LISTED_KEYS} for v in views if v["type"] == "listed"]
            with ws.transaction(actor) as tx:
                _serialise_writers(tx)
                result = writer.write(tx, chunk)
                current = tx.get(imports, batch["id"]) or batch
                batch = tx.update(
                    imports,
                    batch["id"],
                    _progress_values(current, chunk.views, result, listed),
                    "comms.import.progress",
                )
            seen_quarantine.extend(result.quarantine)
            if progress is not None:
                progress(len(chunk.views) - len(listed))
    with ws.transaction(actor) as tx:
        kept = {k: v for k, v in dict(batch["options"]).items() if k != "failure"}
        batch = tx.update(
            imports,
            batch["id"],
            {"status": "complete", "ended_at": ws.clock.now(), "options": kept},
            "comms.import.completed",
        )
        if src["capture_state"] == "never_connected":
            tx.update(
                sources,
                src["name"],
                {"capture_state": "connected", "connected_at": ws.clock.now(), "updated_at": ws.clock.now()},
                "comms.source.connected",
            )
    return {**batch, "_seen_quarantine": seen_quarantine}


def _quarantine_list(ws: Workspace, import_id: str, seen: list[dict[str, str]]) -> list[dict[str, str]]:
    """Every item quarantined by this batch: stored by it, or read again and already held."""
    with ws.read() as conn:
        rows = conn.execute(
            sa.select(quarantine.c.origin, quarantine.c.reason)
            .where(quarantine.c.import_id == import_id)
            .order_by(quarantine.c.quarantined_at, quarantine.c.origin)
        ).all()
    listed = {(r.origin, r.reason) for r in rows}
    out = [{"origin": r.origin, "reason": r.reason} for r in rows]
    out.extend(q for q in seen if (q["origin"], q["reason"]) not in listed)
    return out


def list_imports(conn: sa.Connection, source: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
    stmt = sa.select(imports).order_by(imports.c.started_at.desc(), imports.c.id.desc()).limit(limit)
    if source is not None:
        stmt = stmt.where(imports.c.source == source)
    return [dict(r._mapping) for r in conn.execute(stmt)]
