"""What each source delivered, per day: the figures the completeness controls compare.

Three independent counts per source and day, so a loss anywhere between the source and the search
box shows up as a difference:
* **reported**: what the source says it sent (a manifest it supplied), and what the importer read
  and accepted from it (each import batch's own per-day counts, by message day like the rest);
* **stored**: records captured from the source for that day (messages first stored from it plus
  sightings of messages first stored from another source);
* **indexed**: those records that have a search-index row (and so can be found and reviewed).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from proctor.comms.days import day_bounds, local_day, zone_of
from proctor.comms.tables import imports, manifests, messages, search_rows, sightings


@dataclass
class Captured:
    """One record captured from a source: its id, the platform's message id, and whether indexed."""

    id: str
    message_id: str | None
    sent_at: datetime
    indexed: bool


@dataclass
class DayFigures:
    day: date
    stored: list[Captured] = field(default_factory=list)
    importer: int = 0
    manifest: dict[str, Any] | None = None

    @property
    def indexed(self) -> int:
        return sum(1 for c in self.stored if c.indexed)


def captured(conn: sa.Connection, source: str, start: datetime, end: datetime) -> list[Captured]:
    """Records captured from `source` with sent_at in [start, end)."""
    indexed = sa.exists().where(search_rows.c.message == messages.c.id)
    own = sa.select(messages.c.id, messages.c.message_id, messages.c.sent_at, indexed.label("indexed")).where(
        messages.c.source == source, messages.c.sent_at >= start, messages.c.sent_at < end
    )
    seen_indexed = sa.exists().where(search_rows.c.message == sightings.c.message)
    seen = (
        sa.select(
            sightings.c.message, messages.c.message_id, sightings.c.sent_at, seen_indexed.label("indexed")
        )
        .select_from(sightings.outerjoin(messages, messages.c.id == sightings.c.message))
        .where(sightings.c.source == source, sightings.c.sent_at >= start, sightings.c.sent_at < end)
    )
    rows = list(conn.execute(own)) + list(conn.execute(seen))
    return [Captured(r[0], r[1], r[2], bool(r[3])) for r in rows]


def first_capture(conn: sa.Connection, source: str) -> datetime | None:
    """The earliest sent_at captured from a source (its history starts there)."""
    a = conn.execute(sa.select(sa.func.min(messages.c.sent_at)).where(messages.c.source == source)).scalar()
    b = conn.execute(sa.select(sa.func.min(sightings.c.sent_at)).where(sightings.c.source == source)).scalar()
    found = [m for m in (a, b) if m is not None]
    return min(found) if found else None


def daily_counts(
    conn: sa.Connection, source: str, zone_name: str | None, first: date, last: date
) -> dict[date, int]:
    """Records captured per local day over [first, last] (every day present, zero when none)."""
    zone = zone_of(zone_name)
    start, _ = day_bounds(first, zone)
    _, end = day_bounds(last, zone)
    counts: dict[date, int] = defaultdict(int)
    for table in (messages, sightings):
        stmt = sa.select(table.c.sent_at).where(
            table.c.source == source, table.c.sent_at >= start, table.c.sent_at < end
        )
        for (sent_at,) in conn.execute(stmt):
            counts[local_day(sent_at, zone)] += 1
    out: dict[date, int] = {}
    day = first
    while day <= last:
        out[day] = counts.get(day, 0)
        day = date.fromordinal(day.toordinal() + 1)
    return out


def importer_days(
    conn: sa.Connection, source: str, as_of: datetime, recent_days: int = 7
) -> tuple[dict[date, int], set[date]]:
    """Per day, records the importer accepted (stored or sighted) over all batches, and the days
    touched by batches still running or ended within `recent_days` of as_of (or after it).

    Days are message days, as the stored counts are: which batch carried a message, and when it
    ran, does not move it to another day. Counting only batches started by as_of would compare a
    backfill's stored history with an importer that "accepted nothing" on every past day.
    """
    totals: dict[date, int] = defaultdict(int)
    recent: set[date] = set()
    stmt = sa.select(imports.c.per_day, imports.c.ended_at).where(imports.c.source == source)
    for per_day, ended_at in conn.execute(stmt):
        fresh = ended_at is None or (as_of - ended_at).days < recent_days
        for day_text, figures in per_day.items():
            day = date.fromisoformat(day_text)
            totals[day] += int(figures.get("stored", 0)) + int(figures.get("sightings", 0))
            if fresh:
                recent.add(day)
    return totals, recent


def latest_manifests(conn: sa.Connection, source: str, as_of: datetime) -> dict[date, dict[str, Any]]:
    """The most recent manifest per day a source supplied, as known at as_of."""
    stmt = (
        sa.select(manifests)
        .where(manifests.c.source == source, manifests.c.added_at <= as_of)
        .order_by(manifests.c.added_at, manifests.c.id)
    )
    return {row.day: dict(row._mapping) for row in conn.execute(stmt)}


def figures_for(
    conn: sa.Connection, source: str, zone_name: str | None, days: set[date], as_of: datetime
) -> list[DayFigures]:
    """Reported, stored and indexed figures for each of `days`."""
    if not days:
        return []
    zone = zone_of(zone_name)
    importer, _ = importer_days(conn, source, as_of)
    manifest = latest_manifests(conn, source, as_of)
    out = {d: DayFigures(d, importer=importer.get(d, 0), manifest=manifest.get(d)) for d in days}
    ordered = sorted(days)
    # One query per run of consecutive days keeps a scattered backfill from loading everything.
    runs: list[list[date]] = []
    for day in ordered:
        if runs and day.toordinal() - runs[-1][-1].toordinal() <= 7:
            runs[-1].append(day)
        else:
            runs.append([day])
    for run in runs:
        start, _ = day_bounds(run[0], zone)
        _, end = day_bounds(run[-1], zone)
        for record in captured(conn, source, start, end):
            day = local_day(record.sent_at, zone)
            if day in out:
                out[day].stored.append(record)
    return [out[d] for d in ordered]
