"""The platform's part of `proctor demo`: a firm's compliance staff and a worked alert lifecycle.

Modules seed their own data (mailboxes, books, trades); this part adds the people and, after the
controls have run, works a few alerts the way a team would, so every workflow state is on screen.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from proctor.core.alerts import AlertStatus
from proctor.platform.alerts import AlertQuery
from proctor.platform.workspace import Workspace

DEMO_PASSWORD = "proctor-demo"

STAFF: list[tuple[str, str, str, list[str]]] = [
    ("ada", "admin", "Ada Admin", []),
    ("paula", "principal", "Paula Principal (supervising principal)", []),
    ("ravi", "reviewer", "Ravi Reviewer", []),
    ("rita", "reviewer", "Rita Reviewer", []),
    ("fiona", "finop", "Fiona Finop (FINOP)", []),
    ("carl", "principal", "Carl CCO (chief compliance officer)", []),
    ("otto", "auditor", "Otto Auditor (internal audit)", []),
]


def seed_staff(ws: Workspace) -> list[str]:
    names = []
    for name, role, display, identities in STAFF:
        ws.users.add(
            name, role, actor="ada", password=DEMO_PASSWORD, display_name=display, identities=identities
        )
        names.append(name)
    return names


def work_alerts(ws: Workspace, alert_roles: Mapping[str, str]) -> dict[str, Any]:
    """Assign the open queue to the people whose job it is, then close, escalate and propose one of
    each. `alert_roles` maps a module to the role that works its alerts (the modules' specs say:
    the FINOP works reserve alerts, reviewers work review items, principals the rest); alerts of
    the platform's own controls go to a principal."""
    rows, _ = ws.alerts.query(AlertQuery(status="new", sort="severity", page_size=1000))
    people: dict[str, list[str]] = {}
    for user in ws.users.list():
        if user.active:
            people.setdefault(user.role.value, []).append(user.name)
    turns: dict[str, int] = {}
    assigned = []
    for alert in rows:
        role = alert_roles.get(alert["module"], "principal")
        staff = people.get(role) or people.get("principal") or []
        if not staff:
            continue
        assignee = staff[turns.get(role, 0) % len(staff)]
        turns[role] = turns.get(role, 0) + 1
        try:
            ws.alerts.assign(alert["id"], assignee, actor="paula")
            assigned.append((alert, assignee))
        except Exception:
            continue
    done: dict[str, Any] = {"assigned": len(assigned)}
    # The worked examples (a closing, a pending approval, a case) are a reviewer's, as in the firm:
    # from what reviewers hold, including review items their module's routing already gave them.
    reviewers = people.get("reviewer", [])
    held = [
        (alert, name)
        for name in reviewers
        for alert in ws.alerts.query(AlertQuery(status="assigned", assignee=name, page_size=1000))[0]
    ]
    pool = held or assigned
    low = [(a, who) for a, who in pool if a["severity"] in ("low", "medium")]
    high = [(a, who) for a, who in pool if a["severity"] in ("high", "critical")]
    if low:
        alert, who = low[0]
        ws.alerts.start(alert["id"], actor=who)
        ws.alerts.close(
            alert["id"],
            "no_action",
            "Reviewed the evidence; explained by a known, documented business reason.",
            actor=who,
        )
        done["closed"] = alert["id"]
    if len(high) > 1:
        alert, who = high[1]
        ws.alerts.start(alert["id"], actor=who)
        closed = ws.alerts.close(
            alert["id"],
            "false_positive",
            "Evidence reviewed; the pattern is a configuration artefact, not a breach.",
            actor=who,
        )
        if closed["status"] == AlertStatus.PENDING_APPROVAL.value:
            done["pending_approval"] = alert["id"]
    if high:
        alert, who = high[0]
        case_id = ws.cases.open_case(
            f"Investigation: {alert['title'][:80]}",
            actor=who,
            alert_ids=[alert["id"]],
            rationale="Needs investigation beyond the alert: escalated to a case.",
        )
        ws.cases.note(case_id, "Requested supporting records from the business line.", actor=who)
        done["case"] = case_id
    return done
