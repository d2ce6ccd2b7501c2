"""Journal page: the latest signed tree head, recent events, and verification on demand.

Verification recomputes every leaf, head, record and blob; it changes nothing, so auditors may run
it too. Recent events are paged by sequence number (an index lookup, not an offset scan).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from proctor.journal.log import latest_head
from proctor.journal.verify import verify_journal
from proctor.platform.alerts import journal_visible_to
from proctor.store.schema import journal_events, journal_heads
from proctor.web.guard import Ctx


def overview(ctx: Ctx, before: int | None = None, limit: int = 50) -> dict[str, Any]:
    stmt = sa.select(
        journal_events.c.seq,
        journal_events.c.ts,
        journal_events.c.actor,
        journal_events.c.event_type,
        journal_events.c.subject_kind,
        journal_events.c.subject_id,
    ).where(journal_visible_to(ctx.user)).order_by(journal_events.c.seq.desc())
    if before is not None:
        stmt = stmt.where(journal_events.c.seq < before)
    with ctx.ws.read() as conn:
        head = latest_head(conn)
        heads = conn.execute(sa.select(sa.func.count()).select_from(journal_heads)).scalar_one()
        events = [dict(r._mapping) for r in conn.execute(stmt.limit(limit))]
    return {
        "head": head.as_dict() if head else None,
        "signed_heads": int(heads),
        "events": events,
        "older": events[-1]["seq"] if len(events) == limit and events[-1]["seq"] > 0 else None,
    }


def verify(ctx: Ctx) -> dict[str, Any]:
    report = verify_journal(ctx.ws.engine, ctx.ws.blobs)
    return {**report.as_dict(), "checked_at": ctx.ws.clock.now()}
