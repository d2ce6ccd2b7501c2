"""Market data and trades stored as Parquet partitions (kind / date / symbol) in the blob store.

Why partitions in the blob store: a check reads one symbol-day at a time, the blob store is the
workspace's content-addressed, durable storage (filesystem or S3 Object Lock), and each partition
file is journaled as ONE record by its SHA-256, never row by row. Re-importing the same file with
the same options is recognised by the source's hash and changes nothing. Reading a partition
concatenates its files in import order; for quotes `seq` is renumbered so file order stays the
tie-breaker across files.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import sqlalchemy as sa

from proctor.core.canonical import digest, dumps, sha256_hex
from proctor.trading import importers
from proctor.trading.importers._intake import Parsed
from proctor.trading.importers.evidence import ANY_SYMBOL
from proctor.trading.tables import files, imports


@dataclass(frozen=True)
class Partition:
    kind: str
    day: date
    symbol: str
    sha256: str
    rows: int


def parquet_bytes(frame: pl.DataFrame) -> bytes:
    buf = io.BytesIO()
    frame.write_parquet(buf, compression="zstd", statistics=False)
    return buf.getvalue()


def import_file(
    ws: Any,
    kind: str,
    path: Path,
    *,
    actor: str,
    fmt: str | None = None,
    day: date | None = None,
    lots: bool = False,
) -> dict[str, Any]:
    """Parse, quarantine and store one file; the same file with the same options twice is a no-op."""
    parsed, raw, used = importers.parse(kind, path, fmt, day=day, lots=lots, now=ws.clock.now())
    options = {"format": used, "date": day.isoformat() if day else None, "lots": lots}
    return store_parsed(ws, parsed, raw, source=str(path), options=options, actor=actor)


def store_parsed(
    ws: Any, parsed: Parsed, raw: bytes, *, source: str, options: dict[str, Any], actor: str
) -> dict[str, Any]:
    source_sha = sha256_hex(raw)
    with ws.read() as conn:
        for row in conn.execute(
            sa.select(imports).where(imports.c.source_sha256 == source_sha, imports.c.kind == parsed.kind)
        ):
            if digest(row._mapping["options"]) == digest(options):
                return dict(row._mapping, duplicate=True)
    import_id = ws.ids("TIM")
    now = ws.clock.now()
    parts: list[dict[str, Any]] = []
    with ws.transaction(actor) as tx:
        frame = parsed.frame
        keys = frame.select("day", "symbol").unique(maintain_order=True).rows() if frame.height else []
        for day, symbol in keys:
            part = frame.filter((pl.col("day") == day) & (pl.col("symbol") == symbol)).drop("day", "symbol")
            data = parquet_bytes(part)
            sha = tx.put_blob(data)
            file_id = f"{parsed.kind}:{day.isoformat()}:{symbol}:{sha[:16]}"
            entry = {
                "id": file_id,
                "day": day.isoformat(),
                "symbol": symbol,
                "sha256": sha,
                "rows": part.height,
            }
            parts.append(entry)
            if tx.get(files, file_id) is None:
                tx.insert(
                    files,
                    {
                        "id": file_id,
                        "kind": parsed.kind,
                        "day": day,
                        "symbol": symbol,
                        "path": f"trading/{parsed.kind}/date={day.isoformat()}/symbol={symbol}/{sha}.parquet",
                        "sha256": sha,
                        "rows": part.height,
                        "import_id": import_id,
                        "created_at": now,
                    },
                    "trading.file.stored",
                )
        quarantine_blob = None
        if parsed.issues:
            lines = "\n".join(dumps(i.as_dict()) for i in parsed.issues) + "\n"
            quarantine_blob = tx.put_blob(lines.encode("utf-8"))
        row = tx.insert(
            imports,
            {
                "id": import_id,
                "kind": parsed.kind,
                "source": source[-500:],
                "source_sha256": source_sha,
                "format": options["format"],
                "options": options,
                "rows_read": parsed.rows_read,
                "rows_stored": parsed.frame.height,
                "quarantined": parsed.quarantined_rows,
                "quarantine_blob": quarantine_blob,
                "partitions": parts,
                "notes": parsed.notes,
                "imported_by": actor,
                "imported_at": now,
            },
            "trading.import.recorded",
        )
    return dict(row, duplicate=False, issues=[i.as_dict() for i in parsed.issues[:20]])


def quarantine(ws: Any, import_id: str) -> list[dict[str, Any]]:
    """Every quarantined row of an import: file, row, field, value, reason."""
    with ws.read() as conn:
        row = conn.execute(sa.select(imports.c.quarantine_blob).where(imports.c.id == import_id)).one()
    if row.quarantine_blob is None:
        return []
    text = ws.blobs.get(row.quarantine_blob).decode("utf-8")
    return [json.loads(line) for line in text.splitlines() if line]


# --------------------------------------------------------------------------- reading


def partitions(ws: Any, kind: str, day: date | None = None, symbol: str | None = None) -> list[Partition]:
    query = sa.select(files).where(files.c.kind == kind)
    if day is not None:
        query = query.where(files.c.day == day)
    if symbol is not None:
        query = query.where(files.c.symbol == symbol)
    with ws.read() as conn:
        rows = conn.execute(query.order_by(files.c.created_at, files.c.id)).all()
    return [Partition(r.kind, r.day, r.symbol, r.sha256, int(r.rows)) for r in rows]


def days(ws: Any, kinds: tuple[str, ...] = ("quotes", "trades")) -> list[date]:
    with ws.read() as conn:
        found = conn.execute(sa.select(files.c.day).where(files.c.kind.in_(kinds)).distinct()).scalars().all()
    return sorted(found)


def symbols(ws: Any, day: date) -> list[str]:
    with ws.read() as conn:
        found = conn.execute(
            sa.select(files.c.symbol)
            .where(files.c.day == day, files.c.kind.in_(("quotes", "trades")))
            .distinct()
        ).scalars()
        return sorted(found)


def read(ws: Any, parts: list[Partition]) -> pl.DataFrame | None:
    """The partitions' rows in import order (None when there are none: missing is not empty)."""
    if not parts:
        return None
    frames = [pl.read_parquet(io.BytesIO(ws.blobs.get(p.sha256))) for p in parts]
    if parts[0].kind == "evidence":  # the symbol is the partition's (blank = any symbol)
        frames = [
            f.with_columns(pl.lit(None if p.symbol == ANY_SYMBOL else p.symbol, pl.Utf8).alias("symbol"))
            for f, p in zip(frames, parts, strict=True)
        ]
    frame = pl.concat(frames, how="vertical")
    if parts[0].kind == "quotes":
        frame = frame.with_columns(pl.int_range(0, frame.height, dtype=pl.Int64).alias("seq"))
    if parts[0].kind == "trades":
        frame = frame.unique(subset="trade_id", keep="last", maintain_order=True)
    return frame


def load(ws: Any, kind: str, day: date, symbol: str | None = None) -> pl.DataFrame | None:
    return read(ws, partitions(ws, kind, day, symbol))


def evidence_until(ws: Any, day: date) -> pl.DataFrame | None:
    """All exception evidence that starts on or before `day` (a self-help may span many days)."""
    with ws.read() as conn:
        rows = conn.execute(
            sa.select(files)
            .where(files.c.kind == "evidence", files.c.day <= day)
            .order_by(files.c.created_at)
        ).all()
    return read(ws, [Partition(r.kind, r.day, r.symbol, r.sha256, int(r.rows)) for r in rows])


def reference_price(ws: Any, symbol: str, day: date) -> int | None:
    """Average close of the month before `day` for `symbol`, from imported reference prices."""
    prior = date(day.year - 1, 12, 1) if day.month == 1 else date(day.year, day.month - 1, 1)
    frame = load(ws, "refprices", prior)
    if frame is None:
        return None
    hit = frame.filter(pl.col("ref_symbol") == symbol)
    return int(hit["avg_close"][-1]) if hit.height else None


def input_digest(parts: list[Partition]) -> str:
    return digest([[p.kind, p.day.isoformat(), p.symbol, p.sha256] for p in parts])
