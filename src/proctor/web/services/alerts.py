"""Alert queue, alert page and the review workflow, shared by the pages and the JSON API.

Each function takes the request's Ctx and returns plain data; the page handler renders it, the
API handler returns it. Permission, four-eyes and self-review decisions are the platform's: these
functions pass the signed-in user as the actor and let ProctorError travel up unchanged.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import sqlalchemy as sa

from proctor.core.alerts import AlertStatus, Disposition, Severity, check_transition
from proctor.core.errors import InvalidTransition
from proctor.core.roles import ALERT_APPROVE, ALERT_ASSIGN, ALERT_WORK, CASE_WORK, can
from proctor.journal.query import subject_events
from proctor.platform.alerts import SORTS, AlertQuery
from proctor.store.schema import alerts
from proctor.web.evidence import as_json, view
from proctor.web.guard import Ctx

STATUSES = [s.value for s in AlertStatus]
SEVERITIES = [s.value for s in Severity]
DISPOSITIONS = [d.value for d in Disposition if d is not Disposition.ESCALATED]
SHOWN_CHANGES = ("status", "assignee", "disposition", "proposed_disposition", "approved_by", "case_id")


@dataclass(frozen=True)
class QueueFilters:
    """The queue's query string; `status` "open" means everything not closed, "any" means all."""

    status: str = "open"
    module: str = ""
    control: str = ""
    severity: str = ""
    assignee: str = ""
    q: str = ""
    sort: str = "due"  # what is due first, the order a reviewer works a queue in
    order: str = ""  # empty: the column's natural order (soonest due, newest, most severe first)
    page: int = 1
    page_size: int = 50

    def to_query(self) -> AlertQuery:
        return AlertQuery(
            status=None if self.status in ("", "any") else self.status,
            module=self.module or None,
            control=self.control or None,
            severity=self.severity or None,
            assignee=self.assignee or None,
            text=self.q.strip() or None,
            sort=self.sort,
            descending=self.order == "desc" if self.order else self.sort != "due",
            page=max(self.page, 1),
            page_size=max(1, min(self.page_size, 500)),
        )

    def params(self, **changes: Any) -> dict[str, Any]:
        """The query string with some values changed, defaults left out (for links and paging)."""
        values = {**asdict(self), **changes}
        defaults = asdict(QueueFilters())
        return {k: v for k, v in values.items() if v != defaults[k]}


def queue(ctx: Ctx, filters: QueueFilters) -> dict[str, Any]:
    """One page of the alerts this user may see; reviewers see only their own queue."""
    query = filters.to_query()
    rows, total = ctx.ws.alerts.query(query, ctx.user)
    now = ctx.ws.clock.now()
    for row in rows:
        row["overdue"] = row["status"] != AlertStatus.CLOSED.value and row["due_at"] < now
    pages = max(1, -(-total // query.page_size))
    return {
        "alerts": rows,
        "total": total,
        "page": query.page,
        "pages": pages,
        "page_size": query.page_size,
        "filters": asdict(filters),
    }


MODULE_PAGES = {"reserve": "/reserve", "review": "/review", "comms": "/archive"}


def landing(ctx: Ctx) -> str | None:
    """Where a role's day starts, when it is not the dashboard.

    Reviewers start on their own queue (sorted by due time). A role that works one module's alerts
    (its `ModuleSpec.alert_role`, e.g. reserve -> finop) starts on that module's page. Principals,
    who supervise several modules, auditors and admins start on the dashboard.
    """
    from proctor.bootstrap import specs  # the web layer learns the modules at run time

    role = ctx.user.role.value
    if role == "reviewer":
        return "/alerts"
    if role == "principal":
        return None
    enabled = set(ctx.ws.modules) or {s.name for s in specs()}
    for spec in specs():
        if spec.alert_role == role and spec.name in MODULE_PAGES and spec.name in enabled:
            return MODULE_PAGES[spec.name]
    return None


def queue_options(ctx: Ctx) -> dict[str, Any]:
    """Choices for the filter form: every registered control, and every one that ever raised an alert.

    Both lists come from indexed DISTINCT scans, a few milliseconds even with 100,000 alerts.
    """
    specs = ctx.ws.registry.all()
    with ctx.ws.read() as conn:
        modules = set(conn.execute(sa.select(alerts.c.module).distinct()).scalars())
        controls = set(conn.execute(sa.select(alerts.c.control).distinct()).scalars())
    return {
        "statuses": ["open", "any", *STATUSES],
        "severities": SEVERITIES,
        "modules": sorted(modules | {s.name.split(".", 1)[0] for s in specs}),
        "controls": sorted(controls | {s.name for s in specs}),
        "assignees": [u.name for u in ctx.ws.users.list() if can(u, ALERT_WORK)],
        "sorts": list(SORTS),
    }


def _allowed(action: str, status: str) -> bool:
    try:
        check_transition(action, AlertStatus(status))
    except InvalidTransition:
        return False
    return True


def actions(ctx: Ctx, alert: dict[str, Any]) -> dict[str, bool]:
    """Which forms to offer. Only a convenience: the platform decides again when one is sent."""
    status = alert["status"]
    work = ctx.can(ALERT_WORK)
    return {
        "take": work and _allowed("assign", status) and alert["assignee"] != ctx.user.name,
        "assign": ctx.can(ALERT_ASSIGN) and _allowed("assign", status),
        "start": work and _allowed("start", status),
        "close": work and _allowed("close", status),
        "decide": ctx.can(ALERT_APPROVE) and _allowed("approve", status),
        "reopen": ctx.can(ALERT_APPROVE) and _allowed("reopen", status),
        "note": work,
        "escalate": ctx.can(CASE_WORK) and _allowed("escalate", status),
    }


def history(ctx: Ctx, subject_id: str, kind: str) -> list[dict[str, Any]]:
    """The item's journal events, oldest first, with the fields a reader cares about spelled out."""
    with ctx.ws.read() as conn:
        events = subject_events(conn, subject_id, kind)
    out = []
    for event in events:
        payload = event.payload
        after = payload.get("after")
        changes = []
        if isinstance(after, dict):
            for key in payload.get("changed") or []:
                if key in SHOWN_CHANGES:
                    changes.append(f"{key.replace('_', ' ')} → {after.get(key) or '—'}")
        out.append(
            {
                "seq": event.seq,
                "ts": event.ts,
                "actor": event.actor,
                "event": event.event_type,
                "changes": changes,
            }
        )
    return out


def detail(ctx: Ctx, alert_id: str) -> dict[str, Any]:
    """The alert page: read through `alerts.view`, which journals every view of customer NPI."""
    alert = ctx.ws.alerts.view(alert_id, ctx.user)
    blocks = ctx.renderers.blocks(alert["evidence_type"], alert["evidence"])
    open_cases = []
    if ctx.can(CASE_WORK):
        open_cases = [
            {"id": c["id"], "title": c["title"]}
            for c in ctx.ws.cases.list(viewer=ctx.user.name)
            if c["status"] != "closed"
        ]
    return {
        "alert": alert,
        "blocks": blocks,
        "notes": ctx.ws.alerts.notes(alert_id),
        "history": history(ctx, alert_id, "alert"),
        "actions": actions(ctx, alert),
        "assignees": [u.name for u in ctx.ws.users.list() if can(u, ALERT_WORK)],
        "dispositions": DISPOSITIONS,
        "open_cases": open_cases,
        "overdue": alert["status"] != "closed" and alert["due_at"] < ctx.ws.clock.now(),
    }


def detail_json(data: dict[str, Any]) -> dict[str, Any]:
    return {
        **{k: v for k, v in data.items() if k != "blocks"},
        "blocks": [as_json(b) for b in data["blocks"]],
    }


def detail_view(data: dict[str, Any]) -> dict[str, Any]:
    return {**data, "blocks": [view(b) for b in data["blocks"]]}


# --- workflow: the platform decides, these only name the actor ---------------------------------
def assign(ctx: Ctx, alert_id: str, assignee: str) -> dict[str, Any]:
    return ctx.ws.alerts.assign(alert_id, assignee or ctx.user.name, actor=ctx.user.name)


def start(ctx: Ctx, alert_id: str) -> dict[str, Any]:
    return ctx.ws.alerts.start(alert_id, actor=ctx.user.name)


def close(ctx: Ctx, alert_id: str, disposition: str, rationale: str) -> dict[str, Any]:
    return ctx.ws.alerts.close(alert_id, disposition, rationale, actor=ctx.user.name)


def approve(ctx: Ctx, alert_id: str, comment: str) -> dict[str, Any]:
    return ctx.ws.alerts.approve(alert_id, actor=ctx.user.name, comment=comment)


def reject(ctx: Ctx, alert_id: str, reason: str) -> dict[str, Any]:
    return ctx.ws.alerts.reject(alert_id, reason, actor=ctx.user.name)


def reopen(ctx: Ctx, alert_id: str, reason: str) -> dict[str, Any]:
    return ctx.ws.alerts.reopen(alert_id, reason, actor=ctx.user.name)


def note(ctx: Ctx, alert_id: str, text: str) -> dict[str, Any]:
    return ctx.ws.alerts.note(alert_id, text, actor=ctx.user.name)


def escalate(ctx: Ctx, alert_id: str, rationale: str, title: str = "", case_id: str = "") -> str:
    """Into an existing case when one is named, otherwise into a new one; returns the case id."""
    if case_id:
        ctx.ws.cases.add_alert(case_id, alert_id, actor=ctx.user.name, rationale=rationale)
        return case_id
    return ctx.ws.cases.open_case(title, actor=ctx.user.name, alert_ids=[alert_id], rationale=rationale)


def outcome_note(row: dict[str, Any]) -> str:
    """What the reviewer is told after closing: closed, or waiting for a second approver."""
    if row["status"] == AlertStatus.PENDING_APPROVAL.value:
        return f"{row['id']}: closing proposed as {row['proposed_disposition']}; awaits a second approver"
    if row["status"] == AlertStatus.CLOSED.value:
        return f"{row['id']} closed as {row['disposition']}"
    return f"{row['id']} is now {row['status'].replace('_', ' ')}"
