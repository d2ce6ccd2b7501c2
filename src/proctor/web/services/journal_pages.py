"""The journal searched: by user, event type, subject and date, paged on the server, exported as CSV.

What a user may read is the platform's `journal_visible_to` (a reviewer sees events about his own
alerts and cases and his own actions); the page, its count and its CSV apply the same filters on
top of it, so the export holds exactly the rows the filtered page walks through. Paging is by
sequence number (an index walk), not by offset.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from proctor.core.errors import InputError
from proctor.core.roles import READ, require
from proctor.platform.alerts import journal_visible_to
from proctor.store.schema import journal_events
from proctor.web.guard import Ctx

COLUMNS = ["seq", "ts", "actor", "event_type", "subject_kind", "subject_id"]
PAGE = 50


def _day(text: str, field: str) -> str | None:
    text = text.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10]).isoformat() if len(text) == 10 else _bad(text, field)
    except ValueError:
        return _bad(text, field)


def _bad(text: str, field: str) -> str:
    raise InputError(f"{field}: not a date (YYYY-MM-DD): {text!r}", field=field)


@dataclass(frozen=True)
class JournalFilters:
    """The journal page's query string; every field empty means every event the user may read."""

    actor: str = ""
    event_type: str = ""
    subject: str = ""  # a subject id, or "kind:" for every subject of one kind, or "kind:id"
    since: str = ""  # YYYY-MM-DD, inclusive, UTC
    until: str = ""  # YYYY-MM-DD, inclusive, UTC

    def where(self, ctx: Ctx) -> list[Any]:
        ev = journal_events.c
        clauses: list[Any] = [journal_visible_to(ctx.user)]
        if self.actor.strip():
            clauses.append(ev.actor == self.actor.strip())
        if self.event_type.strip():
            text = self.event_type.strip()
            clauses.append(
                ev.event_type.startswith(text[:-1], autoescape=True)
                if text.endswith("*")
                else ev.event_type == text
            )
        if self.subject.strip():
            kind, sep, ident = self.subject.strip().partition(":")
            if sep:
                clauses.append(ev.subject_kind == kind)
                if ident:
                    clauses.append(ev.subject_id == ident)
            else:
                clauses.append(ev.subject_id == kind)
        since, until = _day(self.since, "since"), _day(self.until, "until")
        if since and until and since > until:
            raise InputError("the start of the date range is after its end", field="since")
        if since:
            clauses.append(ev.ts >= since)  # ISO UTC strings order as the instants do
        if until:
            clauses.append(ev.ts < (date.fromisoformat(until) + timedelta(days=1)).isoformat())
        return clauses

    def params(self) -> dict[str, str]:
        return {k: v for k, v in asdict(self).items() if v}


def search(ctx: Ctx, filters: JournalFilters, before: int | None = None, limit: int = PAGE) -> dict[str, Any]:
    require(ctx.user, READ)
    where = filters.where(ctx)
    ev = journal_events.c
    stmt = sa.select(*(ev[c] for c in COLUMNS)).where(*where).order_by(ev.seq.desc())
    if before is not None:
        stmt = stmt.where(ev.seq < before)
    with ctx.ws.read() as conn:
        rows = [dict(r._mapping) for r in conn.execute(stmt.limit(limit + 1))]
        total = conn.execute(
            sa.select(sa.func.count()).select_from(journal_events).where(*where)
        ).scalar_one()
        types = [t for (t,) in conn.execute(sa.select(ev.event_type).distinct().order_by(ev.event_type))]
        actors = [a for (a,) in conn.execute(sa.select(ev.actor).distinct().order_by(ev.actor))]
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "events": rows,
        "total": int(total),
        "older": rows[-1]["seq"] if more else None,
        "before": before,
        "filters": filters.params(),
        "event_types": types,
        "actors": actors,
    }


def export_rows(ctx: Ctx, filters: JournalFilters) -> Iterator[dict[str, Any]]:
    """Every row the filtered page would show, oldest first, streamed."""
    require(ctx.user, READ)
    where = filters.where(ctx)  # checked before the first byte is sent
    ev = journal_events.c
    stmt = sa.select(*(ev[c] for c in COLUMNS)).where(*where).order_by(ev.seq)

    def rows() -> Iterator[dict[str, Any]]:
        with ctx.ws.read() as conn:
            for row in conn.execution_options(yield_per=5000).execute(stmt):
                yield dict(row._mapping)

    return rows()
