"""Reading the journal: events as typed values, selected by type, subject, actor and position.

The journal's rows keep their payload as canonical JSON text, exactly as hashed into the leaf, so
nothing may rewrite them. Modules that show a history (who decided a review item, when a setting
changed, what a regulator production contained) read them here instead of writing the query and
parsing the payload again each time.

Usage::

    from proctor.journal.query import JournalQuery, events, last_event

    for event in events(conn, JournalQuery(subject_kind="alert", subject_ids=ids,
                                           event_types=("alert.closed", "alert.approved"))):
        event.seq, event.ts, event.actor, event.event_type, event.payload.get("after")
    last_event(conn, "workspace.modules")      # the latest event of a type, or None
    subject_events(conn, case_id, "case")      # one record's whole history, oldest first
    timeline(conn, [JournalQuery(subject_kind="case", subject_ids=[case_id]),
                    JournalQuery(subject_kind="alert", subject_ids=alert_ids)])
    first_seqs(conn, "comms.message", ids)     # the leaf that first stored each record
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from proctor.store.schema import journal_events

_IN = 500  # ids per IN (...) clause: within every database's parameter limit


@dataclass(frozen=True)
class JournalEvent:
    seq: int
    ts: str
    actor: str
    event_type: str
    subject_kind: str
    subject_id: str
    payload: dict[str, Any]
    leaf_hash: str

    @classmethod
    def from_row(cls, row: Any) -> JournalEvent:
        m = row._mapping
        return cls(
            seq=int(m["seq"]),
            ts=m["ts"],
            actor=m["actor"],
            event_type=m["event_type"],
            subject_kind=m["subject_kind"],
            subject_id=m["subject_id"],
            payload=json.loads(m["payload"]),
            leaf_hash=m["leaf_hash"],
        )


@dataclass(frozen=True)
class JournalQuery:
    """Which events: every given criterion must hold; ids are matched in batches.

    `subject_ids` None means any subject; an empty list means none (a case with no alerts has no
    alert events, not every alert's).
    """

    event_types: Sequence[str] = ()
    subject_kind: str | None = None
    subject_ids: Sequence[str] | None = None
    actor: str | None = None
    after_seq: int | None = None
    newest_first: bool = False
    limit: int | None = None


def _select(query: JournalQuery, ids: Sequence[str] | None) -> sa.Select[Any]:
    ev = journal_events.c
    stmt = sa.select(journal_events)
    if query.event_types:
        stmt = stmt.where(ev.event_type.in_(list(query.event_types)))
    if query.subject_kind is not None:
        stmt = stmt.where(ev.subject_kind == query.subject_kind)
    if ids is not None:
        stmt = stmt.where(ev.subject_id.in_(list(ids)))
    if query.actor is not None:
        stmt = stmt.where(ev.actor == query.actor)
    if query.after_seq is not None:
        stmt = stmt.where(ev.seq > query.after_seq)
    stmt = stmt.order_by(ev.seq.desc() if query.newest_first else ev.seq)
    return stmt.limit(query.limit) if query.limit is not None else stmt


def events(conn: sa.Connection, query: JournalQuery) -> Iterator[JournalEvent]:
    """The matching events in journal order (or newest first)."""
    if query.subject_ids is None:
        for row in conn.execute(_select(query, None)):
            yield JournalEvent.from_row(row)
        return
    ids = list(query.subject_ids)
    found = [
        JournalEvent.from_row(row)
        for start in range(0, len(ids), _IN)
        for row in conn.execute(_select(query, ids[start : start + _IN]))
    ]
    found.sort(key=lambda e: e.seq, reverse=query.newest_first)
    yield from found[: query.limit] if query.limit is not None else found


def last_event(conn: sa.Connection, event_type: str, subject_id: str | None = None) -> JournalEvent | None:
    query = JournalQuery(
        event_types=(event_type,),
        subject_ids=(subject_id,) if subject_id else None,
        newest_first=True,
        limit=1,
    )
    return next(events(conn, query), None)


def subject_events(conn: sa.Connection, subject_id: str, kind: str | None = None) -> list[JournalEvent]:
    """Every event about one record (of one kind, if given), oldest first: its whole history."""
    return list(events(conn, JournalQuery(subject_kind=kind, subject_ids=(subject_id,))))


def timeline(conn: sa.Connection, queries: Iterable[JournalQuery]) -> list[JournalEvent]:
    """The events matching any of the queries, each once, in journal order.

    A case's timeline is the events about the case, its alerts and its notes: three subjects of
    three kinds, read as one history.
    """
    found = {e.seq: e for query in queries for e in events(conn, query)}
    return [found[seq] for seq in sorted(found)]


def first_seqs(conn: sa.Connection, subject_kind: str, subject_ids: Sequence[str]) -> dict[str, int]:
    """The sequence number of the first event about each record: the leaf that stored it.

    Records without any event are absent from the answer; the caller decides whether that is an
    error (a record that cannot be proved) or simply unknown.
    """
    ev = journal_events.c
    ids = list(subject_ids)
    seqs: dict[str, int] = {}
    for start in range(0, len(ids), _IN):
        stmt = (
            sa.select(ev.subject_id, sa.func.min(ev.seq))
            .where(ev.subject_kind == subject_kind, ev.subject_id.in_(ids[start : start + _IN]))
            .group_by(ev.subject_id)
        )
        seqs.update({sid: int(seq) for sid, seq in conn.execute(stmt)})
    return seqs


def head_seq(conn: sa.Connection) -> int | None:
    """The sequence number of the latest event (None for an empty journal)."""
    value = conn.execute(sa.select(sa.func.max(journal_events.c.seq))).scalar()
    return None if value is None else int(value)


def event_count(conn: sa.Connection) -> int:
    """How many events the journal holds."""
    return int(conn.execute(sa.select(sa.func.count()).select_from(journal_events)).scalar_one())
