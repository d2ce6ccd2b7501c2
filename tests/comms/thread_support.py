"""A small conversation in the archive: a client's rebalance request, replies, a copy, a stranger.

Dana writes to a client; the client replies (References and In-Reply-To); Dana answers citing only
the client's reply in In-Reply-To (as some mail clients do); a colleague replies to the first
message later; a journaling copy of the client's reply is filed too; and an unrelated message
arrives. The files are in an order different from the dates, so date order is the archive's doing.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from proctor.comms.tables import messages
from proctor.platform import Workspace

from .archive_support import ingest_folder, mail, register, write_folder

DANA = "Dana Whitfield <dana@harborstreet.com>"
CLIENT = "Ruben Alvarez <r.alvarez@example.net>"

THREAD = {
    "ask": mail(
        "ask@harborstreet.com", "2026-01-05T09:00:00-05:00", DANA, CLIENT,
        "Rebalance for your account", "Shall I move 10% from bonds to the equity fund?",
    ),
    "reply": mail(
        "reply@example.net", "2026-01-05T10:30:00-05:00", CLIENT, DANA,
        "Re: Rebalance for your account", "Yes, but keep the municipal bonds.",
        "In-Reply-To: <ask@harborstreet.com>\r\nReferences: <ask@harborstreet.com>\r\n",
    ),
    "answer": mail(
        "answer@harborstreet.com", "2026-01-05T11:15:00-05:00", DANA, CLIENT,
        "Re: Rebalance for your account", "Done; the municipal bonds stay.",
        "In-Reply-To: <reply@example.net>\r\n",
    ),
    "colleague": mail(
        "colleague@harborstreet.com", "2026-01-06T08:00:00-05:00", "Ops <ops@harborstreet.com>", DANA,
        "Re: Rebalance for your account", "Trade tickets booked.",
        "In-Reply-To: <ask@harborstreet.com>\r\nReferences: <ask@harborstreet.com>\r\n",
    ),
    "stranger": mail(
        "lunch@harborstreet.com", "2026-01-05T12:00:00-05:00", DANA, "ops@harborstreet.com",
        "Lunch", "Sandwiches at noon.",
    ),
}  # fmt: skip
# the client's reply as a journaling copy: the same message, delivered to another mailbox
COPY = THREAD["reply"].replace(
    b"Message-ID:", b"Delivered-To: compliance-journal@harborstreet.com\r\nMessage-ID:", 1
)
FILE_ORDER = ("stranger", "answer", "colleague", "ask", "reply")


def archive_conversation(ws: Workspace, folder: Path) -> dict[str, str]:
    """Ingest the conversation; returns each message's record id (and "copy" for the copy)."""
    register(ws, "mbx.dana")
    write_folder(folder, [THREAD[name] for name in FILE_ORDER] + [COPY])
    ingest_folder(ws, folder, "mbx.dana", format="eml")
    with ws.read() as conn:
        rows = conn.execute(sa.select(messages.c.id, messages.c.message_id, messages.c.canonical_id)).all()
    ids = {}
    for name, data in THREAD.items():
        header = data.split(b"Message-ID: <", 1)[1].split(b">", 1)[0].decode()
        found = [r for r in rows if r.message_id == header]
        ids[name] = next(r.id for r in found if r.canonical_id is None)
        if len(found) > 1:
            ids["copy"] = next(r.id for r in found if r.canonical_id is not None)
    return ids
