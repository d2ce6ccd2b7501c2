"""Which records a production covers: a full-text query plus the filters a request names.

A regulator's request reads like "all communications of these two representatives with this
customer between March and May that mention the offering"; the filter says exactly that, is kept
in the production's journal entry, and selects every matching record with no result limit, since
a production that silently stops at a page size is an incomplete production.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from proctor.comms.search import SearchQuery, search_ids
from proctor.comms.tables import messages, participants, search_rows
from proctor.core.clock import iso_utc
from proctor.core.errors import InputError

DIRECTIONS = ("internal", "external", "unknown")


@dataclass(frozen=True)
class RecordFilter:
    """AND of every given criterion; an empty filter selects nothing rather than everything."""

    query: str | None = None
    sources: tuple[str, ...] = ()
    participants: tuple[str, ...] = ()
    since: datetime | None = None
    until: datetime | None = None
    direction: str | None = None
    has_attachments: bool | None = None
    records: tuple[str, ...] = ()
    everything: bool = False

    def validate(self) -> None:
        if self.direction is not None and self.direction not in DIRECTIONS:
            raise InputError(f"must be one of {', '.join(DIRECTIONS)}", field="direction")
        if self.since and self.until and self.since > self.until:
            raise InputError("the start of the date range is after its end", field="since")
        given = (self.query, self.sources, self.participants, self.since, self.until, self.records)
        if not self.everything and not any(given):
            raise InputError(
                "name a query, sources, participants, a date range or records (or ask for everything)",
                field="query",
            )

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "sources": sorted(set(self.sources)),
            "participants": sorted({p.strip().lower() for p in self.participants}),
            "since": iso_utc(self.since) if self.since else None,
            "until": iso_utc(self.until) if self.until else None,
            "direction": self.direction,
            "has_attachments": self.has_attachments,
            "records": sorted(set(self.records)),
            "everything": self.everything,
        }


def query_ids(conn: sa.Connection, query: str) -> set[str]:
    """Every record the archive's full-text search matches, without a result limit."""
    return set(search_ids(conn, SearchQuery(text=query)))


def select_records(conn: sa.Connection, selection: RecordFilter) -> list[str]:
    """Ids of the matching records, oldest first (ties by id), so a production reads in order."""
    selection.validate()
    stmt = sa.select(messages.c.id).order_by(messages.c.sent_at, messages.c.id)
    if selection.records:
        stmt = stmt.where(messages.c.id.in_(sorted(set(selection.records))))
    if selection.sources:
        stmt = stmt.where(messages.c.source.in_(sorted(set(selection.sources))))
    if selection.since:
        stmt = stmt.where(messages.c.sent_at >= selection.since)
    if selection.until:
        stmt = stmt.where(messages.c.sent_at <= selection.until)
    if selection.direction:
        stmt = stmt.where(messages.c.direction == selection.direction)
    if selection.has_attachments is not None:
        stmt = stmt.where(messages.c.has_attachments == selection.has_attachments)
    for address in sorted({p.strip().lower() for p in selection.participants}):
        stmt = stmt.where(
            messages.c.id.in_(
                sa.select(search_rows.c.message)
                .join(participants, participants.c.doc == search_rows.c.doc)
                .where(participants.c.address == address)
            )
        )
    ids = [i for (i,) in conn.execute(stmt)]
    if selection.records:
        missing = sorted(set(selection.records) - set(ids))
        unknown = [
            m
            for m in missing
            if conn.execute(sa.select(messages.c.id).where(messages.c.id == m)).first() is None
        ]
        if unknown:
            raise InputError(f"no such record: {unknown[0]}", field="records")
    if selection.query:
        found = query_ids(conn, selection.query)
        ids = [i for i in ids if i in found]
    return ids
