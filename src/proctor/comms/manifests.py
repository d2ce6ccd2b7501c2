"""Source manifests: what a source says it delivered on a day, the independent side of the count.

An importer's own count can only say what it read; it cannot know what never reached it. A
source that can say "on 4 March I sent 1,204 messages" (an Exchange journaling report, a chat
vendor's daily export log, a customer-service platform's ticket count) gives the capture-completeness
control a figure from outside the pipeline. Optionally the source lists the identifiers, one per
line: the platform's message id (an e-mail Message-ID, with or without angle brackets; a Slack
``ts``; a ticket comment id) or a record's SHA-256; then missing items are named, not just counted.

A later manifest for the same source and day supersedes the earlier one; both stay journaled.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from proctor.comms.sources import get_source
from proctor.comms.tables import manifests
from proctor.core.errors import InputError
from proctor.core.roles import CONTROL_RUN, require

if TYPE_CHECKING:
    from proctor.platform.workspace import Workspace


def parse_ids(data: bytes, file: str) -> list[str]:
    """One identifier per line; blank lines and lines starting with # are ignored."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", file=file) from None
    ids: list[str] = []
    seen: set[str] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        value = line.strip()
        if not value or value.startswith("#"):
            continue
        value = value.removeprefix("<").removesuffix(">").strip()
        if not value:
            raise InputError("empty identifier", file=file, row=number)
        if value in seen:
            raise InputError(f"identifier {value!r} is listed twice", file=file, row=number)
        seen.add(value)
        ids.append(value)
    return ids


def add_manifest(
    ws: Workspace,
    *,
    source: str,
    day: date,
    actor: str,
    count: int | None = None,
    ids_file: tuple[str, bytes] | None = None,
) -> dict[str, Any]:
    """Record a source's own count (and optionally its identifiers) for one day."""
    require(ws.users.get(actor), CONTROL_RUN)
    with ws.read() as conn:
        get_source(conn, source)
    ids = parse_ids(ids_file[1], ids_file[0]) if ids_file is not None else None
    if count is None:
        if ids is None:
            raise InputError("give --count, --ids FILE, or both", field="--count")
        count = len(ids)
    if count < 0:
        raise InputError("must not be negative", field="--count")
    if ids is not None and count != len(ids):
        raise InputError(f"--count {count} but the file lists {len(ids)} identifiers", field="--count")
    with ws.transaction(actor) as tx:
        file_sha = tx.put_blob(ids_file[1]) if ids_file is not None else None
        return tx.insert(
            manifests,
            {
                "id": ws.ids("MAN"),
                "source": source,
                "day": day,
                "count": count,
                "ids": ids,
                "file_sha256": file_sha,
                "added_by": actor,
                "added_at": ws.clock.now(),
            },
            "comms.manifest.added",
        )


def list_manifests(conn: sa.Connection, source: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
    stmt = sa.select(manifests).order_by(manifests.c.day.desc(), manifests.c.added_at.desc()).limit(limit)
    if source is not None:
        stmt = stmt.where(manifests.c.source == source)
    return [dict(r._mapping) for r in conn.execute(stmt)]
