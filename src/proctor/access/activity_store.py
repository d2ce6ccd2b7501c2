"""Activity events at rest: Parquet in the workspace, partitioned by system and day, every file proven.

A post-termination finding is only as good as the log behind it, so each import keeps three things
an examiner can check: the original bytes (blob store, by SHA-256), every line either stored or
quarantined with its line number and reason, and one Parquet file per system-day whose SHA-256 is a
journaled record (`access.activity_file`). A file altered on disk no longer matches its record
(`verify_files`). Re-importing the same bytes for the same system is a no-op that returns the first
import, so a retried transfer never doubles the events; the same event in two overlapping exports
is kept once when read (its `event_key` is the hash of its original line).

`--as-of` is when the export was taken: what a control sees "as of" an instant is exactly the
imports taken by then, so a backfilled log proves what was knowable on its own date.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl
import sqlalchemy as sa

from proctor.access.activity_formats import EVENT_COLUMNS, Parsed, Quarantined, parse
from proctor.access.activity_tables import activity_files, activity_imports, activity_sources
from proctor.access.permissions import ACCESS_MANAGE
from proctor.core.clock import ensure_utc
from proctor.core.errors import InputError, IntegrityError, NotFound
from proctor.core.roles import require

ROOT = "activity"
TS = pl.Datetime("us", "UTC")
SCHEMA: dict[str, Any] = {
    "ts": TS,
    "login_id": pl.Utf8,
    "action": pl.Utf8,
    "outcome": pl.Utf8,
    "record_id": pl.Utf8,
    "record_type": pl.Utf8,
    "client_ip": pl.Utf8,
    "session_id": pl.Utf8,
    "event_id": pl.Utf8,
    "detail": pl.Utf8,
    "line": pl.Int64,
    "event_key": pl.Utf8,
}
READ_SCHEMA: dict[str, Any] = {"system": pl.Utf8, **SCHEMA, "import_id": pl.Utf8}
DEFAULT_CADENCE = timedelta(days=1)

assert tuple(SCHEMA) == EVENT_COLUMNS


def empty_events() -> pl.DataFrame:
    return pl.DataFrame(schema=READ_SCHEMA)


def frame_of(parsed: Parsed) -> pl.DataFrame:
    return (
        pl.DataFrame(parsed.events, schema=SCHEMA, orient="row")
        if parsed.events
        else pl.DataFrame(schema=SCHEMA)
    )


def _parquet_bytes(frame: pl.DataFrame) -> bytes:
    """Deterministic bytes for the same rows: no statistics timestamps, fixed compression."""
    buffer = io.BytesIO()
    frame.write_parquet(buffer, compression="zstd", statistics=False)
    return buffer.getvalue()


def _system_exists(ws: Any, system: str) -> None:
    from proctor.access.systems import get_system

    get_system(ws, system)


def _check_time(ws: Any, as_of: datetime | None) -> datetime:
    now = ws.clock.now()
    moment = ensure_utc(as_of) if as_of is not None else now
    if moment > now + timedelta(minutes=5):
        raise InputError("--as-of is in the future: an export cannot have been taken yet", field="--as-of")
    return moment


def import_activity(
    ws: Any,
    path: Path,
    system: str,
    *,
    actor: str,
    fmt: str | None = None,
    as_of: datetime | None = None,
) -> dict[str, Any]:
    """Parse, store and journal one activity log; the same bytes twice return the first import."""
    require(ws.users.get(actor), ACCESS_MANAGE)
    _system_exists(ws, system)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", file=str(path)) from None
    raw_sha = hashlib.sha256(data).hexdigest()
    with ws.read() as conn:
        prior = conn.execute(
            sa.select(activity_imports).where(
                activity_imports.c.system == system, activity_imports.c.raw_sha256 == raw_sha
            )
        ).first()
    if prior is not None:
        return {**dict(prior._mapping), "already_imported": True}
    taken = _check_time(ws, as_of)
    parsed = parse(data, system, fmt, str(path))
    frame = frame_of(parsed)
    late = frame.filter(pl.col("ts") > taken + timedelta(minutes=5))
    if late.height:
        parsed.quarantined.extend(
            Quarantined(int(r["line"]), "event time is after the export was taken (--as-of)", "")
            for r in late.iter_rows(named=True)
        )
        frame = frame.filter(pl.col("ts") <= taken + timedelta(minutes=5))
    duplicates = frame.height - frame["event_key"].n_unique() if frame.height else 0
    import_id = ws.ids("AIM")
    now = ws.clock.now()
    written: list[dict[str, Any]] = []
    for (day,), part in sorted(
        frame.with_columns(pl.col("ts").dt.date().alias("_day")).partition_by("_day", as_dict=True).items(),
        key=lambda kv: kv[0],
    ):
        assert isinstance(day, date)
        part = part.drop("_day").sort("ts", "line")
        data_bytes = _parquet_bytes(part)
        rel = f"{ROOT}/system={system}/day={day.isoformat()}/{import_id}.parquet"
        target = ws.path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data_bytes)
        written.append(
            {
                "id": ws.ids("AFL"),
                "import_id": import_id,
                "system": system,
                "day": day,
                "path": rel,
                "sha256": hashlib.sha256(data_bytes).hexdigest(),
                "rows": part.height,
                "first_ts": part["ts"].min(),
                "last_ts": part["ts"].max(),
                "created_at": now,
            }
        )
    try:
        with ws.transaction(actor) as tx:
            tx.put_blob(data)
            tx.insert_many(activity_files, written, "access.activity.file_written")
            row = tx.insert(
                activity_imports,
                {
                    "id": import_id,
                    "system": system,
                    "format": parsed.format,
                    "source": str(path)[:500],
                    "raw_sha256": raw_sha,
                    "as_of": taken,
                    "received_at": now,
                    "lines": parsed.lines,
                    "stored": frame.height,
                    "duplicates": duplicates,
                    "quarantined": sorted((q.as_dict() for q in parsed.quarantined), key=lambda q: q["line"]),
                    "first_ts": frame["ts"].min() if frame.height else None,
                    "last_ts": frame["ts"].max() if frame.height else None,
                    "files": [w["id"] for w in written],
                    "imported_by": actor,
                },
                "access.activity.imported",
            )
    except Exception:
        for w in written:  # nothing half-written: files without their records are removed
            (ws.path / w["path"]).unlink(missing_ok=True)
        raise
    return {**row, "already_imported": False}


def set_cadence(ws: Any, system: str, every: timedelta, *, actor: str, reason: str) -> dict[str, Any]:
    """How often a system's log must arrive; a longer silence is an alert (access.silent_source)."""
    require(ws.users.get(actor), ACCESS_MANAGE)
    _system_exists(ws, system)
    if every <= timedelta(0):
        raise InputError("the cadence must be positive", field="--every")
    if not reason.strip():
        raise InputError("a reason is required", field="--reason")
    values = {
        "system": system,
        "cadence_seconds": int(every.total_seconds()),
        "set_by": actor,
        "set_at": ws.clock.now(),
        "reason": reason.strip(),
    }
    with ws.transaction(actor) as tx:
        if tx.get(activity_sources, system) is None:
            return dict(tx.insert(activity_sources, values, "access.activity.cadence_set"))
        return dict(tx.update(activity_sources, system, values, "access.activity.cadence_set"))


def imports(ws: Any, system: str | None = None, as_of: datetime | None = None) -> list[dict[str, Any]]:
    q = sa.select(activity_imports).order_by(activity_imports.c.as_of, activity_imports.c.id)
    if system:
        q = q.where(activity_imports.c.system == system)
    if as_of is not None:
        q = q.where(activity_imports.c.as_of <= as_of)
    with ws.read() as conn:
        return [dict(r._mapping) for r in conn.execute(q)]


def get_import(ws: Any, import_id: str) -> dict[str, Any]:
    with ws.read() as conn:
        row = conn.execute(sa.select(activity_imports).where(activity_imports.c.id == import_id)).first()
    if row is None:
        raise NotFound(f"no activity import {import_id!r}")
    return dict(row._mapping)


def cadences(ws: Any) -> dict[str, timedelta]:
    with ws.read() as conn:
        return {
            r.system: timedelta(seconds=r.cadence_seconds) for r in conn.execute(sa.select(activity_sources))
        }


def file_rows(
    ws: Any,
    *,
    as_of: datetime | None = None,
    systems: Sequence[str] | None = None,
    since: date | None = None,
    until: date | None = None,
    import_ids: Iterable[str] | None = None,
) -> list[dict[str, Any]]:
    q = sa.select(activity_files, activity_imports.c.as_of.label("import_as_of")).join(
        activity_imports, activity_imports.c.id == activity_files.c.import_id
    )
    if as_of is not None:
        q = q.where(activity_imports.c.as_of <= as_of)
    if systems is not None:
        q = q.where(activity_files.c.system.in_(list(systems)))
    if since is not None:
        q = q.where(activity_files.c.day >= since)
    if until is not None:
        q = q.where(activity_files.c.day <= until)
    if import_ids is not None:
        q = q.where(activity_files.c.import_id.in_(list(import_ids)))
    with ws.read() as conn:
        return [dict(r._mapping) for r in conn.execute(q.order_by(activity_files.c.day, activity_files.c.id))]


def load_events(
    ws: Any,
    *,
    as_of: datetime | None = None,
    systems: Sequence[str] | None = None,
    since: datetime | None = None,
    verify: bool = True,
) -> tuple[pl.DataFrame, list[dict[str, Any]]]:
    """Every event of imports taken by `as_of` (and at or after `since`), once each, with its files.

    Each file is checked against its journaled SHA-256 before it is read: a control never runs on
    a log that was changed after it was recorded.
    """
    rows = file_rows(
        ws,
        as_of=as_of,
        systems=systems,
        since=since.date() if since is not None else None,
        until=as_of.date() if as_of is not None else None,
    )
    if not rows:
        return empty_events(), []
    frames = []
    for row in rows:
        data = (ws.path / row["path"]).read_bytes() if (ws.path / row["path"]).exists() else None
        if data is None:
            raise IntegrityError(f"activity file {row['path']} ({row['id']}) is missing from the workspace")
        if verify and hashlib.sha256(data).hexdigest() != row["sha256"]:
            raise IntegrityError(f"activity file {row['path']} does not match its journaled SHA-256")
        frames.append(
            pl.read_parquet(io.BytesIO(data)).with_columns(
                pl.lit(row["system"]).alias("system"), pl.lit(row["import_id"]).alias("import_id")
            )
        )
    events = pl.concat(frames, how="vertical_relaxed").select(list(READ_SCHEMA)).cast(pl.Schema(READ_SCHEMA))
    if since is not None:
        events = events.filter(pl.col("ts") >= since)
    if as_of is not None:
        events = events.filter(pl.col("ts") <= as_of)
    events = events.unique(subset=["system", "event_key"], keep="first", maintain_order=True).sort("ts")
    return events, rows


def verify_files(ws: Any) -> list[str]:
    """Problems found: files missing or changed since they were journaled (empty: intact)."""
    problems = []
    for row in file_rows(ws):
        target = ws.path / row["path"]
        if not target.exists():
            problems.append(f"activity file {row['path']} is missing")
        elif hashlib.sha256(target.read_bytes()).hexdigest() != row["sha256"]:
            problems.append(f"activity file {row['path']} does not match its journaled SHA-256")
    return problems


def last_arrivals(ws: Any, as_of: datetime) -> dict[str, datetime]:
    """When each system's log last arrived (the export instant of its latest import by `as_of`)."""
    q = (
        sa.select(activity_imports.c.system, sa.func.max(activity_imports.c.as_of))
        .where(activity_imports.c.as_of <= as_of)
        .group_by(activity_imports.c.system)
    )
    with ws.read() as conn:
        return {s: ensure_utc(t if t.tzinfo else t.replace(tzinfo=UTC)) for s, t in conn.execute(q)}
