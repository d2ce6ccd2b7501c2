"""The conversation a message belongs to, as the archive stored it.

Each parser records a thread id: for e-mail the first Message-ID in References, else In-Reply-To,
else the message's own Message-ID (so the first message of a thread carries its own id and every
reply that cites it shares it); for chat the channel, room or thread, for tickets the ticket. A
reply that names only its parent in In-Reply-To starts a thread id of its own, so the thread is
found by following both links (thread id and Message-ID) a few steps, while the set stays small:
a chat room with thousands of messages is one thread id and needs no following.

A message kept in several copies (journaling, several mailboxes) is one entry in the thread: its
first record, or the copy being read.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from proctor.comms.tables import messages
from proctor.core.errors import NotFound

FOLLOW_STEPS = 4  # In-Reply-To-only chains deeper than this are rare; each step is one query
FOLLOW_WHILE_BELOW = 200  # past this many members the thread is a room, not a reply chain
WINDOW = 25  # entries shown on each side of the message being read


def _keys(conn: sa.Connection, thread_id: str | None, message_id: str | None) -> set[str]:
    keys = {k for k in (thread_id, message_id) if k}
    for _ in range(FOLLOW_STEPS):
        if not keys:
            break
        linked = conn.execute(
            sa.select(messages.c.message_id, messages.c.thread_id)
            .where(sa.or_(messages.c.thread_id.in_(keys), messages.c.message_id.in_(keys)))
            .limit(FOLLOW_WHILE_BELOW + 1)
        ).all()
        if len(linked) > FOLLOW_WHILE_BELOW:
            break
        more = {k for row in linked for k in row if k}
        if more <= keys:
            break
        keys |= more
    return keys


def thread_of(conn: sa.Connection, message: str, window: int = WINDOW) -> dict[str, Any]:
    """The other messages of the conversation, in date order, around the one being read.

    Returns ``{"entries": [...], "total": n, "before": b, "after": a}``: up to `window` entries on
    each side of the message (which is among them, marked ``current``), the number of messages in
    the whole thread, and how many earlier and later ones the window leaves out.
    """
    wanted = ("id", "message_id", "thread_id", "sent_at", "canonical_id")
    row = conn.execute(
        sa.select(*(messages.c[name] for name in wanted)).where(messages.c.id == message)
    ).first()
    if row is None:
        raise NotFound(f"no message {message!r} in the archive")
    keys = _keys(conn, row.thread_id, row.message_id)
    if not keys:
        return {"entries": [], "total": 0, "before": 0, "after": 0}
    in_thread = sa.or_(messages.c.thread_id.in_(keys), messages.c.message_id.in_(keys))
    # one entry per copy group: the group's first record, except the copy being read stands in for it
    one_copy = sa.or_(messages.c.canonical_id.is_(None), messages.c.id == row.id)
    if row.canonical_id:
        one_copy = sa.and_(one_copy, messages.c.id != row.canonical_id)
    where = sa.and_(in_thread, one_copy)
    columns = (
        messages.c.id, messages.c.sent_at, messages.c.sender, messages.c.sender_name, messages.c.subject,
        messages.c.kind, messages.c.has_attachments,
    )  # fmt: skip
    earlier = sa.or_(
        messages.c.sent_at < row.sent_at, sa.and_(messages.c.sent_at == row.sent_at, messages.c.id < row.id)
    )
    later = sa.or_(
        messages.c.sent_at > row.sent_at, sa.and_(messages.c.sent_at == row.sent_at, messages.c.id > row.id)
    )
    before = conn.execute(
        sa.select(*columns)
        .where(where, earlier)
        .order_by(messages.c.sent_at.desc(), messages.c.id.desc())
        .limit(window)
    ).all()
    after = conn.execute(
        sa.select(*columns).where(where, later).order_by(messages.c.sent_at, messages.c.id).limit(window)
    ).all()
    current = conn.execute(sa.select(*columns).where(messages.c.id == row.id)).one()
    total = int(conn.execute(sa.select(sa.func.count()).select_from(messages).where(where)).scalar_one())
    n_before = int(
        conn.execute(sa.select(sa.func.count()).select_from(messages).where(where, earlier)).scalar_one()
    )
    entries = [{**dict(r._mapping), "current": r.id == row.id} for r in [*reversed(before), current, *after]]
    return {
        "entries": entries,
        "total": total,
        "before": n_before - len(before),
        "after": total - n_before - 1 - len(after),
    }
