"""The archive's read API for other modules (review reads what comms captured; never the reverse).

Every function takes a connection (or the workspace) and returns plain dicts, so a caller needs
no knowledge of the archive's tables. Messages come back in capture order: `doc` is the search
index row id, which only grows, so the review module can ask for "everything after the last
message I selected from" with `since_id` and never miss or repeat one.

Journaling copies (the same message delivered to several mailboxes, or an Exchange journal report
and the BCC recipient's copy) are separate records, because their bytes differ; a later copy
carries `canonical_id`, the first record of the group. Each message dict's `participants` is the
union over the whole group, so whoever reviews the canonical record sees every recipient.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from proctor.comms.tables import messages, search_rows, sources
from proctor.core.errors import NotFound

if TYPE_CHECKING:
    from proctor.platform.workspace import Workspace

__all__ = [
    "first_sent_at",
    "get_message",
    "iter_messages",
    "list_sources",
    "message_count",
    "message_counts_by_source",
    "message_text",
    "source_names",
]

_MESSAGE_COLUMNS = (
    messages.c.id,
    messages.c.source,
    sources.c.kind.label("source_kind"),
    messages.c.import_id,
    messages.c.format,
    messages.c.origin,
    messages.c.message_id,
    messages.c.thread_id,
    messages.c.sent_at,
    messages.c.sent_at_original,
    messages.c.sender,
    messages.c.sender_name,
    messages.c.participants,
    messages.c.direction,
    messages.c.subject,
    messages.c.has_attachments,
    messages.c.attachments,
    messages.c.kind,
    messages.c.channel,
    messages.c.edited_from,
    messages.c.deleted,
    messages.c.size,
    messages.c.blob_sha256,
    messages.c.retain_until,
    messages.c.retention_rule,
    messages.c.canonical_id,
    search_rows.c.doc,
    search_rows.c.text.label("body_and_attachment_text"),
)


def list_sources(conn: sa.Connection) -> list[dict[str, Any]]:
    """Every registered source, with its capture state and review-connection flag."""
    rows = conn.execute(sa.select(sources).order_by(sources.c.name))
    return [dict(r._mapping) for r in rows]


def source_names(conn: sa.Connection) -> set[str]:
    return {name for (name,) in conn.execute(sa.select(sources.c.name))}


def message_count(conn: sa.Connection) -> int:
    """Messages in the searchable archive."""
    return int(conn.execute(sa.select(sa.func.count()).select_from(search_rows)).scalar_one())


def message_counts_by_source(conn: sa.Connection) -> dict[str, int]:
    """Messages in the searchable archive, per capture source."""
    stmt = sa.select(search_rows.c.source, sa.func.count()).group_by(search_rows.c.source)
    return {source: int(n) for source, n in conn.execute(stmt)}


def first_sent_at(conn: sa.Connection) -> Any:
    """When the earliest archived message was sent (None for an empty archive)."""
    return conn.execute(sa.select(sa.func.min(search_rows.c.sent_at))).scalar()


def _merge_participants(groups: Iterable[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Union of participants by (role, address); the first display name seen wins."""
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for group in groups:
        for p in group:
            key = (p["role"], p["address"].lower())
            if key not in merged:
                merged[key] = dict(p)
            elif not merged[key].get("name") and p.get("name"):
                merged[key]["name"] = p["name"]
    return list(merged.values())


def _group_participants(conn: sa.Connection, rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Participants of each row merged over its copy group (canonical record plus its copies)."""
    group_of = {r["id"]: r["canonical_id"] or r["id"] for r in rows}
    groups = set(group_of.values())
    members: dict[str, list[list[dict[str, Any]]]] = {g: [] for g in groups}
    wanted = list(groups)
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        stmt = sa.select(messages.c.id, messages.c.canonical_id, messages.c.participants).where(
            sa.or_(messages.c.id.in_(chunk), messages.c.canonical_id.in_(chunk))
        )
        for mid, canonical, parts in conn.execute(stmt.order_by(messages.c.ingested_at, messages.c.id)):
            members[canonical or mid].append(parts)
    return {mid: _merge_participants(members[g]) for mid, g in group_of.items()}


def _shape(row: dict[str, Any], merged: list[dict[str, Any]]) -> dict[str, Any]:
    text = row.pop("body_and_attachment_text")
    row["participants_own"] = row["participants"]
    row["participants"] = merged
    row["addresses"] = sorted({p["address"].lower() for p in merged})
    row["text"] = text if text is not None else ""
    row["indexed"] = text is not None
    row["content_sha256"] = row["id"]
    row["attachment_names"] = [a["name"] for a in row["attachments"]]
    return row


def _base() -> sa.Select[Any]:
    return sa.select(*_MESSAGE_COLUMNS).select_from(
        messages.join(sources, sources.c.name == messages.c.source).outerjoin(
            search_rows, search_rows.c.message == messages.c.id
        )
    )


def iter_messages(
    conn: sa.Connection, *, since_id: str | None = None, source: str | None = None, batch: int = 1000
) -> Iterator[dict[str, Any]]:
    """Indexed messages in capture order, after `since_id` (a message id) when given.

    Each dict has: id (= content_sha256), source, source_kind, sent_at (aware UTC), sender,
    sender_name, participants (merged over copies: role, address, name), addresses, direction,
    subject, text (body plus extracted attachment text), kind, channel, thread_id, message_id,
    has_attachments, attachment_names, canonical_id (None for the first record of a copy group),
    doc (the capture-order cursor) and the record's provenance (format, origin, import_id).
    """
    after = 0
    if since_id is not None:
        found = conn.execute(sa.select(search_rows.c.doc).where(search_rows.c.message == since_id)).first()
        if found is None:
            raise NotFound(f"no indexed message {since_id!r} to continue after")
        after = int(found[0])
    while True:
        stmt = (
            sa.select(*_MESSAGE_COLUMNS)
            .select_from(
                search_rows.join(messages, messages.c.id == search_rows.c.message).join(
                    sources, sources.c.name == messages.c.source
                )
            )
            .where(search_rows.c.doc > after)
            .order_by(search_rows.c.doc)
            .limit(batch)
        )
        if source is not None:
            stmt = stmt.where(messages.c.source == source)
        rows = [dict(r._mapping) for r in conn.execute(stmt)]
        if not rows:
            return
        merged = _group_participants(conn, rows)
        for row in rows:
            yield _shape(row, merged[row["id"]])
        after = int(rows[-1]["doc"])


def get_message(conn: sa.Connection, id: str) -> dict[str, Any]:
    """One message by its id (the SHA-256 of its original bytes), with its copies listed."""
    row = conn.execute(_base().where(messages.c.id == id)).first()
    if row is None:
        raise NotFound(f"no message {id!r} in the archive")
    data = dict(row._mapping)
    merged = _group_participants(conn, [data])
    group = data["canonical_id"] or data["id"]
    data["copies"] = [
        mid
        for (mid,) in conn.execute(
            sa.select(messages.c.id)
            .where(sa.or_(messages.c.id == group, messages.c.canonical_id == group), messages.c.id != id)
            .order_by(messages.c.ingested_at, messages.c.id)
        )
    ]
    return _shape(data, merged[data["id"]])


def message_text(ws: Workspace, id: str) -> str:
    """The searchable text of a message: subject, body and the text extracted from attachments."""
    with ws.read() as conn:
        row = conn.execute(
            sa.select(search_rows.c.subject, search_rows.c.text).where(search_rows.c.message == id)
        ).first()
        if row is None:
            exists = conn.execute(sa.select(messages.c.id).where(messages.c.id == id)).first()
            if exists is None:
                raise NotFound(f"no message {id!r} in the archive")
            raise NotFound(f"message {id} is stored but not indexed; run comms.capture_completeness")
    subject, text = row
    return f"{subject}\n\n{text}" if subject else str(text)
