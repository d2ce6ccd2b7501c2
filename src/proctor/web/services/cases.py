"""Case list and case page: investigations grouping alerts, with notes and journal history."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from proctor.core.cases import CaseStatus, check_case_transition
from proctor.core.errors import InvalidTransition
from proctor.core.roles import ALERT_ASSIGN, CASE_WORK, READ, can, require
from proctor.store.schema import alerts
from proctor.web.guard import Ctx
from proctor.web.services.alerts import history

STATUSES = [s.value for s in CaseStatus]


def list_cases(ctx: Ctx, status: str = "") -> dict[str, Any]:
    rows = ctx.ws.cases.list(viewer=ctx.user.name, status=status or None)
    stmt = (
        sa.select(alerts.c.case_id, sa.func.count())
        .where(alerts.c.case_id.is_not(None))
        .group_by(alerts.c.case_id)
    )
    with ctx.ws.read() as conn:
        counts = {case_id: int(n) for case_id, n in conn.execute(stmt)}
    for row in rows:
        row["alert_count"] = counts.get(row["id"], 0)
    return {"cases": rows, "total": len(rows), "status": status, "statuses": STATUSES}


def _allowed(action: str, status: str) -> bool:
    try:
        check_case_transition(action, CaseStatus(status))
    except InvalidTransition:
        return False
    return True


def detail(ctx: Ctx, case_id: str) -> dict[str, Any]:
    require(ctx.user, READ)
    case = ctx.ws.cases.get(case_id, viewer=ctx.user.name)
    work, supervise = ctx.can(CASE_WORK), ctx.can(ALERT_ASSIGN)
    status = case["status"]
    return {
        "case": case,
        "history": history(ctx, case_id, "case"),
        "actions": {
            "note": work,
            "assign": work and _allowed("assign", status),
            "investigate": work and _allowed("investigate", status),
            "escalate": work and _allowed("escalate", status),
            "close": supervise and _allowed("close", status),
            "reopen": supervise and _allowed("reopen", status),
        },
        "assignees": [u.name for u in ctx.ws.users.list() if can(u, CASE_WORK)],
    }


def act(ctx: Ctx, case_id: str, action: str, text: str = "", assignee: str = "") -> dict[str, Any]:
    """One workflow step on a case; the platform checks role, status and self-review."""
    cases, actor = ctx.ws.cases, ctx.user.name
    if action == "note":
        return cases.note(case_id, text, actor=actor)
    if action == "assign":
        return cases.assign(case_id, assignee or actor, actor=actor)
    if action == "investigate":
        return cases.investigate(case_id, actor=actor)
    if action == "escalate":
        return cases.escalate(case_id, text, actor=actor)
    if action == "close":
        return cases.close(case_id, text, actor=actor)
    if action == "reopen":
        return cases.reopen(case_id, text, actor=actor)
    raise InvalidTransition(f"unknown case action {action!r}")


CASE_ACTIONS = ("note", "assign", "investigate", "escalate", "close", "reopen")
