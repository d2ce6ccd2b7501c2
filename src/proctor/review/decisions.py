"""Review decisions on selected messages, mapped onto the one alert workflow, and their evidence.

A reviewer's three actions are the core's alert transitions, so the web app, the API and the CLI
cannot disagree and the platform's rules (role, four-eyes, nobody reviews a message they sent or
received) apply everywhere:

- **no issue**: the alert is closed as ``no_action`` (or ``false_positive`` when a lexicon term
  fired on harmless text, which feeds the per-term false-positive rate), with the rationale;
- **escalate**: a case is opened and the alert escalated into it;
- **request information**: a note "Information requested: ..." and the item stays in review.

FINRA 3110.07 asks for evidence of review: who, which item, when, what action, why. The journal
holds every transition with its actor and time, so :func:`review_log` reads that evidence back from
it. Opening an item is not reviewing it: views are never counted as decisions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from proctor.core.alerts import AlertStatus, require_rationale
from proctor.core.clock import iso_utc
from proctor.core.errors import InputError, NotFound
from proctor.journal.query import JournalQuery, events
from proctor.platform.alerts import AlertQuery
from proctor.review.errors import ReviewError
from proctor.review.routing import ROUTING_PREFIX
from proctor.review.tables import items
from proctor.store.schema import alerts, notes

if TYPE_CHECKING:
    from proctor.platform.workspace import Workspace

CONTROL = "review.selection"
ACTIONS = ("no_issue", "escalate", "request_info")
INFO_PREFIX = "Information requested: "
DECISION_EVENTS = {
    "alert.closed": "closed",
    "alert.close_proposed": "close proposed",
    "alert.approved": "closing approved",
    "alert.close_rejected": "closing rejected",
    "alert.escalated": "escalated",
    "alert.reopened": "reopened",
}


@dataclass(frozen=True)
class Decision:
    alert_id: str
    action: str
    outcome: str
    status: str
    case_id: str | None = None


def _review_item(ws: Workspace, alert_id: str) -> dict[str, Any]:
    alert = ws.alerts.get(alert_id)
    if alert["control"] != CONTROL:
        raise ReviewError(f"{alert_id} is not a review item (it was raised by {alert['control']})")
    return alert


def decide(
    ws: Workspace,
    alert_id: str,
    action: str,
    rationale: str,
    *,
    actor: str,
    false_positive: bool = False,
    case_title: str = "",
) -> Decision:
    """Record a reviewer's decision on a selected message through the alert workflow."""
    if action not in ACTIONS:
        raise InputError(f"unknown action {action!r}; use one of {', '.join(ACTIONS)}", field="--action")
    text = require_rationale(rationale)
    if false_positive and action != "no_issue":
        raise InputError("only a no-issue decision can mark a false positive", field="--false-positive")
    alert = _review_item(ws, alert_id)
    if action == "escalate":
        title = case_title.strip() or f"Review escalation: {alert['title'][:200]}"
        case_id = ws.cases.open_case(title, actor=actor, alert_ids=[alert_id], rationale=text)
        return Decision(alert_id, action, f"escalated to case {case_id}", "closed", case_id)
    if alert["status"] in (AlertStatus.NEW.value, AlertStatus.ASSIGNED.value):
        ws.alerts.start(alert_id, actor=actor)
    if action == "request_info":
        ws.alerts.note(alert_id, INFO_PREFIX + text, actor=actor)
        status = ws.alerts.get(alert_id)["status"]
        return Decision(alert_id, action, f"information requested; the item stays {status}", status)
    row = ws.alerts.close(alert_id, "false_positive" if false_positive else "no_action", text, actor=actor)
    if row["status"] == AlertStatus.PENDING_APPROVAL.value:
        return Decision(alert_id, action, "awaits a second approver (four-eyes)", row["status"])
    return Decision(alert_id, action, f"closed as {row['disposition']}", row["status"])


def queue(ws: Workspace, user: str, *, everyone: bool = False, page_size: int = 200) -> list[dict[str, Any]]:
    """A user's open review items, soonest due first (with ``everyone``: all open items)."""
    viewer = ws.users.get(user)
    query = AlertQuery(
        status="open",
        control=CONTROL,
        assignee=None if everyone else user,
        sort="due",
        descending=False,
        page_size=page_size,
    )
    rows, _ = ws.alerts.query(query, viewer)
    if not rows:
        return rows
    with ws.read() as conn:
        extra = {
            r.alert_id: dict(r._mapping)
            for r in conn.execute(
                sa.select(items.c.alert_id, items.c.policy_id, items.c.kinds, items.c.principal).where(
                    items.c.alert_id.in_([r["id"] for r in rows])
                )
            )
        }
    for row in rows:
        item = extra.get(row["id"], {})
        row["policy"] = item.get("policy_id")
        row["reasons"] = ", ".join(item.get("kinds") or [])
        row["principal"] = item.get("principal")
    return rows


def _alert_events(conn: sa.Connection, alert_ids: list[str]) -> list[dict[str, Any]]:
    """Journal events of the review workflow on these alerts: actor, time and the state after."""
    query = JournalQuery(event_types=tuple(DECISION_EVENTS), subject_kind="alert", subject_ids=alert_ids)
    out = []
    for event in events(conn, query):
        after = event.payload.get("after") or {}
        out.append(
            {
                "at": event.ts,
                "reviewer": event.actor,
                "alert_id": event.subject_id,
                "action": DECISION_EVENTS[event.event_type],
                "disposition": after.get("disposition") or after.get("proposed_disposition"),
                "rationale": after.get("rationale"),
                "journal_seq": event.seq,
            }
        )
    return out


def _note_events(conn: sa.Connection, alert_ids: list[str]) -> list[dict[str, Any]]:
    out = []
    for start in range(0, len(alert_ids), 500):
        chunk = alert_ids[start : start + 500]
        for note in conn.execute(
            sa.select(notes).where(notes.c.subject_kind == "alert", notes.c.subject_id.in_(chunk))
        ):
            if note.text.startswith(ROUTING_PREFIX):  # where the item went is not a review action
                continue
            out.append(
                {
                    "at": iso_utc(note.created_at),
                    "reviewer": note.author,
                    "alert_id": note.subject_id,
                    "action": "information requested" if note.text.startswith(INFO_PREFIX) else "note",
                    "disposition": None,
                    "rationale": note.text,
                    "journal_seq": None,
                }
            )
    return out


def review_log(ws: Workspace, limit: int = 1000) -> list[dict[str, Any]]:
    """Evidence of review (FINRA 3110.07): reviewer, item, message, time, action, disposition, why.

    Decisions come from the journal, where each is a leaf with its actor and time; notes (including
    requests for information) from their journaled rows. Views of an item are not in it.
    """
    with ws.read() as conn:
        messages = {
            r.alert_id: r.message_id
            for r in conn.execute(
                sa.select(items.c.alert_id, items.c.message_id)
                .join(alerts, alerts.c.id == items.c.alert_id)
                .order_by(alerts.c.updated_at.desc(), alerts.c.id.desc())
                .limit(limit)
            )
        }
        keys = list(messages)
        entries = _alert_events(conn, keys) + _note_events(conn, keys)
    for entry in entries:
        entry["message_id"] = messages[entry["alert_id"]]
    return sorted(entries, key=lambda e: (e["at"], e["alert_id"], e["action"]))


def require_item(ws: Workspace, alert_id: str) -> dict[str, Any]:
    """The review item behind an alert id, or a clear error."""
    with ws.read() as conn:
        row = conn.execute(sa.select(items).where(items.c.alert_id == alert_id)).first()
    if row is None:
        raise NotFound(f"{alert_id} is not a review item")
    return dict(row._mapping)
