"""Review deadlines: items past their policy's service level, found and raised every day.

A review queue that quietly ages is the online-broker failure in slow motion: the messages were
selected, and still nobody read them. The ``review.sla`` control lists every open item whose
deadline (the policy's business days, counted from selection) has passed, in one alert per day
that names the reviewers holding them, so a principal can act on the whole backlog at once.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from proctor.core.alerts import AlertDraft, AlertStatus, Severity, Subject
from proctor.core.canonical import digest
from proctor.core.controls import ControlContext, ControlOutcome, hash_inputs
from proctor.platform.calendar import NYSE
from proctor.review.run import zone_of
from proctor.review.tables import items
from proctor.store.schema import alerts

if TYPE_CHECKING:
    from proctor.platform.workspace import Workspace

CONTROL = "review.sla"
SELECTION = "review.selection"
EVIDENCE_LIMIT = 500


def open_items(ws: Workspace) -> list[dict[str, Any]]:
    """Every open review item with its deadline, assignee, principal and policy."""
    stmt = (
        sa.select(
            alerts.c.id,
            alerts.c.title,
            alerts.c.status,
            alerts.c.severity,
            alerts.c.assignee,
            alerts.c.due_at,
            alerts.c.created_at,
            items.c.principal,
            items.c.policy_id,
        )
        .select_from(alerts.outerjoin(items, items.c.alert_id == alerts.c.id))
        .where(alerts.c.control == SELECTION, alerts.c.status != AlertStatus.CLOSED.value)
        .order_by(alerts.c.due_at, alerts.c.id)
    )
    with ws.read() as conn:
        return [dict(r._mapping) for r in conn.execute(stmt)]


def overdue(ws: Workspace, as_of: datetime) -> list[dict[str, Any]]:
    """Open items past their deadline as of `as_of`, with business days overdue, oldest first."""
    zone = ZoneInfo(zone_of(ws))
    today = as_of.astimezone(zone).date()
    out = []
    for row in open_items(ws):
        if row["due_at"] >= as_of:
            continue
        due_day = row["due_at"].astimezone(zone).date()
        out.append(
            {
                "alert_id": row["id"],
                "title": row["title"],
                "status": row["status"],
                "severity": row["severity"],
                "assignee": row["assignee"],
                "principal": row["principal"],
                "policy": row["policy_id"],
                "due_at": row["due_at"].isoformat(),
                "business_days_overdue": NYSE.business_days_between(due_day, today),
            }
        )
    return out


def sla_control(ctx: ControlContext) -> ControlOutcome:
    """Raise one alert per day listing every review item past its deadline."""
    ws = ctx.workspace
    pending = open_items(ws)
    late = overdue(ws, ctx.as_of)
    holders = sorted({r["assignee"] for r in late if r["assignee"]})
    findings = []
    if late:
        day = ctx.as_of.astimezone(ZoneInfo(zone_of(ws))).date()
        unassigned = sum(1 for r in late if not r["assignee"])
        findings.append(
            AlertDraft(
                control=CONTROL,
                rule_id="review.sla.breach",
                rule_version="1",
                title=f"{len(late)} review item(s) past their review deadline"
                + (f", {unassigned} unassigned" if unassigned else ""),
                severity=Severity.HIGH,
                subjects=tuple(Subject("user", name) for name in holders)
                or (Subject("review.queue", "unassigned"),),
                evidence={
                    "as_of": ctx.as_of.isoformat(),
                    "count": len(late),
                    "by_assignee": dict(Counter(r["assignee"] or "(unassigned)" for r in late)),
                    "overdue": late[:EVIDENCE_LIMIT],
                    "listed": min(len(late), EVIDENCE_LIMIT),
                },
                evidence_type="review.sla",
                dedupe_key=digest({"review.sla": day.isoformat()}),
            )
        )
    return ControlOutcome(
        input_count=len(pending),
        input_hash=hash_inputs(r["id"] for r in pending),
        findings=findings,
        summary={"open_items": len(pending), "overdue": len(late), "reviewers_with_overdue": holders},
    )
