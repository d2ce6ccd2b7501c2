"""A case as an investigation: its fields, linked messages, attachments and a timeline from the journal.

Writes go through `ws.cases.investigation` (the platform decides who may and checks the fields);
this file only finds the message a case links to in the archive and puts the journal's events
about the case and its alerts in one timeline, oldest first.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from proctor.comms import api
from proctor.core.errors import NotFound
from proctor.core.roles import CASE_WORK, READ, require
from proctor.journal.query import JournalEvent, JournalQuery
from proctor.journal.query import timeline as journal_timeline
from proctor.platform.case_investigation import (
    ATTACHMENT_EVENT,
    DETAILS_EVENT,
    FIELDS,
    MESSAGE_EVENT,
    OUTCOMES,
    RULE_4530_PARAGRAPHS,
)
from proctor.store.schema import notes
from proctor.web.guard import Ctx

LABELS = {
    "summary": "summary",
    "subject_person": "subject person",
    "outcome": "outcome",
    "due_date": "due date",
    "reportable_4530": "reportable under Rule 4530",
    "rule_4530_paragraph": "Rule 4530 paragraph",
    "filing_date": "filing date",
}


def _describe(event: JournalEvent, payload: dict[str, Any]) -> str:
    kind = event.event_type
    if kind == DETAILS_EVENT:
        after = payload.get("after", {})
        parts = [f"{LABELS[n]} → {after.get(n) or '—'}" for n in payload.get("changed", []) if n != "summary"]
        if "summary" in payload.get("changed", []):
            parts.insert(0, "summary updated")
        return "; ".join(parts)
    if kind == ATTACHMENT_EVENT:
        return f"attached {payload.get('filename')} ({payload.get('size')} bytes)"
    if kind == MESSAGE_EVENT:
        return f"linked message {str(payload.get('message_id'))[:16]}…"
    state = payload.get("after")
    row: dict[str, Any] = state if isinstance(state, dict) else {}
    if event.subject_kind == "note":
        return str(row.get("text", ""))[:200]
    changed = payload.get("changed") or []
    shown = ("status", "assignee", "disposition", "case_id", "rationale")
    return "; ".join(f"{k} → {row.get(k) or '—'}" for k in changed if k in shown)


def timeline(ctx: Ctx, case_id: str, alert_ids: list[str]) -> list[dict[str, Any]]:
    """Every journal event about the case and about the alerts it carries, in journal order."""
    about = [
        JournalQuery(subject_kind="case", subject_ids=[case_id]),
        JournalQuery(subject_kind="alert", subject_ids=alert_ids),
        JournalQuery(subject_kind="note", subject_ids=_note_ids(ctx, case_id)),
    ]
    with ctx.ws.read() as conn:
        found = journal_timeline(conn, about)
    return [
        {
            "seq": event.seq,
            "ts": event.ts,
            "actor": event.actor,
            "event": event.event_type,
            "subject": f"{event.subject_kind} {event.subject_id}",
            "what": _describe(event, event.payload),
        }
        for event in found
    ]


def _note_ids(ctx: Ctx, case_id: str) -> list[str]:
    with ctx.ws.read() as conn:
        stmt = sa.select(notes.c.id).where(notes.c.subject_kind == "case", notes.c.subject_id == case_id)
        return [r for (r,) in conn.execute(stmt)]


def page(ctx: Ctx, case_id: str) -> dict[str, Any]:
    """What the case page adds to the case: the investigation, its messages and the timeline."""
    require(ctx.user, READ)
    case = ctx.ws.cases.get(case_id, viewer=ctx.user.name)
    investigation = ctx.ws.cases.investigation.read(case_id, viewer=ctx.user.name)
    with ctx.ws.read() as conn:
        for link in investigation["messages"]:
            try:
                found = api.get_message(conn, link["message_id"])
            except NotFound:  # a message disposed of since stays listed, marked gone
                link["found"] = False
                continue
            link.update(found=True, subject=found.get("subject"), sent_at=found.get("sent_at"))
            link["source"] = found.get("source")
    return {
        "investigation": investigation,
        "timeline": timeline(ctx, case_id, [a["id"] for a in case["alerts"]]),
        "can_investigate": ctx.can(CASE_WORK),
        "outcomes": OUTCOMES,
        "paragraphs": RULE_4530_PARAGRAPHS,
    }


def record(ctx: Ctx, case_id: str, fields: dict[str, str | None]) -> dict[str, Any]:
    given: dict[str, str | None] = {k: v for k, v in fields.items() if k in FIELDS and v is not None}
    return ctx.ws.cases.investigation.record(case_id, given, actor=ctx.user.name)


def attach(ctx: Ctx, case_id: str, filename: str, data: bytes, content_type: str) -> dict[str, Any]:
    return ctx.ws.cases.investigation.attach(case_id, filename, data, content_type, actor=ctx.user.name)


def attachment(ctx: Ctx, case_id: str, sha256: str) -> tuple[dict[str, Any], bytes]:
    require(ctx.user, READ)
    return ctx.ws.cases.investigation.attachment(case_id, sha256, viewer=ctx.user.name)


def link_message(ctx: Ctx, case_id: str, message_id: str, note: str = "") -> dict[str, Any]:
    """Only a message the archive holds can be linked (it raises NotFound otherwise)."""
    message_id = message_id.strip().lower()
    with ctx.ws.read() as conn:
        api.get_message(conn, message_id)
    return ctx.ws.cases.investigation.link_message(case_id, message_id, note, actor=ctx.user.name)
