"""The archive pages: search, one message, legal holds, productions, disposals and sources.

(Retention schedules, their versions and the form that proposes one are in `archive_retention`.)

Reads and changes go through `proctor.comms` (search, api, holds, production, disposal), the same
functions `proctor comms` calls, with the signed-in user as the actor. Opening a message shows its
body and participants, customer information included, so the page records the view in the journal
(`comms.message.viewed`) before it answers, as the alert page does through `alerts.view`.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from proctor.comms import api, disposal, holds, production
from proctor.comms.ingest import list_imports
from proctor.comms.production_verify import verify_production
from proctor.comms.record_filter import RecordFilter
from proctor.comms.search import ORDERS, SearchQuery, search
from proctor.comms.tables import quarantine
from proctor.comms.threads import thread_of
from proctor.core.alerts import Subject
from proctor.core.clock import parse_iso
from proctor.core.errors import InputError, NotFound
from proctor.core.roles import NPI_VIEW, READ, require
from proctor.journal.proofs import inclusion_proof
from proctor.journal.query import first_seqs, subject_events
from proctor.web.guard import Ctx

PRODUCTIONS = "productions"
PAGE = 25


def _instant(text: str, field: str, end: bool = False) -> datetime | None:
    text = text.strip()
    if not text:
        return None
    try:
        if len(text) == 10:
            text += "T23:59:59.999999+00:00" if end else "T00:00:00+00:00"
        return parse_iso(text)
    except (ValueError, InputError):
        raise InputError(f"{field}: not a date or an ISO instant: {text!r}", field=field) from None


def search_query(
    q: str = "",
    participant: str = "",
    source: str = "",
    direction: str = "",
    since: str = "",
    until: str = "",
    attachment: str = "",
    kind: str = "",
    order: str = "newest",
    offset: int = 0,
) -> SearchQuery:
    """The search form's fields as the archive's own query (it checks them)."""
    return SearchQuery(
        text=q.strip(),
        participant=participant.strip() or None,
        source=source or None,
        direction=direction or None,
        since=_instant(since, "since"),
        until=_instant(until, "until", end=True),
        has_attachment={"yes": True, "no": False}.get(attachment),
        kind=kind or None,
        order=order if order in ORDERS else "newest",
        limit=PAGE,
        offset=max(offset, 0),
    )


def find(ctx: Ctx, query: SearchQuery) -> dict[str, Any]:
    """One page of hits with each snippet split into plain and highlighted runs.

    The total is counted up to `WebSettings.search_count_up_to` matches (or the end of the page)
    and then said as "more than" that: a common word is in half of a large archive, and counting
    every match on every page costs more than finding the page.
    """
    require(ctx.user, READ)
    with ctx.ws.read() as conn:
        result = search(conn, replace(query, count_up_to=ctx.settings.search_count_up_to))
        sources = [s["name"] for s in api.list_sources(conn)]
    hits = []
    for hit in result.hits:
        runs, cursor, text = [], 0, hit["snippet"]
        for start, end in hit["highlights"]:
            runs.append((text[cursor:start], False))
            runs.append((text[start:end], True))
            cursor = end
        runs.append((text[cursor:], False))
        hits.append({**hit, "runs": [r for r in runs if r[0]]})
    return {
        "hits": hits,
        "more": result.more,
        "total": result.total,
        "total_capped": result.total_capped,
        "sources": sources,
        "offset": query.offset,
        "page": PAGE,
    }


def message(ctx: Ctx, message_id: str) -> dict[str, Any]:
    """A message with its provenance, retention, holds and journal history; the view is journaled."""
    require(ctx.user, NPI_VIEW)
    with ctx.ws.read() as conn:
        row = api.get_message(conn, message_id)
        held = holds.held_ids(conn, [message_id]).get(message_id, [])
        events = [
            {"seq": e.seq, "ts": e.ts, "actor": e.actor, "event": e.event_type}
            for e in subject_events(conn, message_id, "comms.message")
        ]
        thread = thread_of(conn, message_id)
    with ctx.ws.transaction(ctx.user.name) as tx:
        tx.event("comms.message.viewed", Subject("comms.message", message_id), {"source": row["source"]})
    return {"m": row, "holds": held, "history": events, "thread": thread}


def proof(ctx: Ctx, message_id: str) -> bytes:
    """Inclusion proof of the journal leaf that first stored the record (its original's SHA-256)."""
    require(ctx.user, READ)
    with ctx.ws.read() as conn:
        seq = first_seqs(conn, "comms.message", [message_id]).get(message_id)
        if seq is None:
            raise NotFound(f"no message {message_id!r} in the journal")
        doc = inclusion_proof(conn, int(seq))
    doc["content_sha256"] = message_id
    return json.dumps(doc, indent=1, sort_keys=True, default=str).encode("utf-8")


def hold_list(ctx: Ctx) -> list[dict[str, Any]]:
    require(ctx.user, READ)
    return holds.list_holds(ctx.ws)


def place_hold(ctx: Ctx, matter: str, reason: str, query: SearchQuery) -> dict[str, Any]:
    """A hold over what the search selects: its words, participant, source and dates."""
    criteria = holds.HoldCriteria(
        custodians=(query.participant,) if query.participant else (),
        query=query.text or None,
        sources=(query.source,) if query.source else (),
        since=query.since,
        until=query.until,
    )
    return holds.place_hold(ctx.ws, ctx.user.name, matter, reason, criteria)


def sweep(ctx: Ctx) -> dict[str, int]:
    return holds.sweep_holds(ctx.ws, ctx.user.name)


def release(ctx: Ctx, hold_id: str, reason: str) -> dict[str, Any]:
    return holds.release_hold(ctx.ws, ctx.user.name, hold_id, reason)


def _root(ctx: Ctx) -> Path:
    return Path(ctx.ws.path) / PRODUCTIONS


def _folder(ctx: Ctx, name: str) -> Path:
    folder = _root(ctx) / name
    if "/" in name or "\\" in name or name.startswith(".") or not (folder / "manifest.json").is_file():
        raise NotFound(f"no production {name!r}")
    return folder


def produce(ctx: Ctx, request: str, query: SearchQuery) -> dict[str, Any]:
    """A production of every record the search selects, written under the workspace's productions."""
    selection = RecordFilter(
        query=query.text or None,
        sources=(query.source,) if query.source else (),
        participants=(query.participant,) if query.participant else (),
        since=query.since,
        until=query.until,
        direction=query.direction,
        has_attachments=query.has_attachment,
    )
    name = ctx.ws.ids("PRD")
    result = production.export_production(
        ctx.ws, ctx.user.name, _root(ctx) / name, selection, request=request
    )
    return {**result, "folder": name}


def productions(ctx: Ctx) -> list[dict[str, Any]]:
    require(ctx.user, READ)
    root = _root(ctx)
    out = []
    for folder in sorted(root.iterdir() if root.is_dir() else [], reverse=True):
        if (folder / "manifest.json").is_file():
            out.append({"folder": folder.name, **production.production_summary(folder / "manifest.json")})
    return out


def _public_key(ctx: Ctx) -> str | None:
    path = Path(ctx.ws.path) / "journal-public-key.txt"
    if not path.is_file():
        return None
    lines = [
        ln.strip() for ln in path.read_text("utf-8").splitlines() if ln.strip() and not ln.startswith("#")
    ]
    return lines[0] if lines else None


def verify(ctx: Ctx, name: str) -> dict[str, Any]:
    """The production checked byte by byte against the firm's published journal key."""
    require(ctx.user, READ)
    return verify_production(_folder(ctx, name), _public_key(ctx)).as_dict()


def production_zip(ctx: Ctx, name: str) -> Iterator[bytes]:
    """The production folder as one zip, for handing to the regulator; journaled as a download."""
    require(ctx.user, NPI_VIEW)
    folder = _folder(ctx, name)
    with ctx.ws.transaction(ctx.user.name) as tx:
        tx.event("comms.production.downloaded", Subject("comms.production", name), {})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, f"{name}/{path.relative_to(folder)}")
    yield buffer.getvalue()


def disposals(ctx: Ctx) -> list[dict[str, Any]]:
    require(ctx.user, READ)
    return disposal.list_disposals(ctx.ws)


def sources(ctx: Ctx) -> dict[str, Any]:
    """The source inventory with capture state, recent imports and the quarantine with reasons."""
    require(ctx.user, READ)
    with ctx.ws.read() as conn:
        inventory = api.list_sources(conn)
        recent = list_imports(conn, None, 50)
        stmt = sa.select(quarantine).order_by(quarantine.c.quarantined_at.desc(), quarantine.c.origin)
        held = [dict(r._mapping) for r in conn.execute(stmt.limit(200))]
    return {"sources": inventory, "imports": recent, "quarantine": held}


def propose_disposal(ctx: Ctx, reason: str, source: str = "") -> dict[str, Any]:
    """List what is past retention and under no hold, for a second person to approve."""
    return disposal.propose_disposal(ctx.ws, ctx.user.name, reason, sources=(source,) if source else ())
