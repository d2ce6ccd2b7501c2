"""The FINOP answers for every reserve alert, whoever it is assigned to; reviewers still see only
their own queue, and no role sees another module's alerts through this rule."""

from __future__ import annotations

import pytest

from proctor.core.alerts import AlertDraft, Severity, Subject
from proctor.core.errors import PermissionDenied
from proctor.platform.alerts import AlertQuery


def _raise(ws, control: str, key: str, severity: Severity = Severity.HIGH) -> str:
    draft = AlertDraft(
        control=control,
        rule_id=f"{control}.rule",
        rule_version="1",
        title=f"{control} finding {key}",
        severity=severity,
        subjects=(Subject("test", key),),
        evidence={"key": key},
        dedupe_key=f"{control}-{key}",
    )
    with ws.transaction("paula") as tx:
        alert_id, _ = ws.alerts.raise_in(tx, draft)
    return alert_id


def test_the_finop_sees_and_works_every_reserve_alert_but_not_others(ws) -> None:
    deficiency = _raise(ws, "reserve.deposit_deadline", "2026-11-13", Severity.CRITICAL)
    review_item = _raise(ws, "review.selection", "MSG-1")
    ws.alerts.assign(deficiency, "paula", actor="paula")  # assigned to someone else

    fiona = ws.users.get("fiona")
    rows, total = ws.alerts.query(AlertQuery(), viewer=fiona)
    assert [r["id"] for r in rows] == [deficiency] and total == 1
    assert ws.alerts.view(deficiency, fiona)["id"] == deficiency
    with pytest.raises(PermissionDenied, match="not in fiona's queue"):
        ws.alerts.view(review_item, fiona)
    ws.alerts.note(deficiency, "Deposit of $1,250,000.00 wired to the reserve bank account.", actor="fiona")

    ravi = ws.users.get("ravi")
    rows, total = ws.alerts.query(AlertQuery(), viewer=ravi)
    assert total == 0
    with pytest.raises(PermissionDenied):
        ws.alerts.view(deficiency, ravi)


def test_due_time_ties_are_worked_most_severe_first(ws) -> None:
    low = _raise(ws, "reserve.variance_review", "low", Severity.LOW)
    critical = _raise(ws, "reserve.variance_review", "critical", Severity.CRITICAL)
    medium = _raise(ws, "reserve.variance_review", "medium", Severity.MEDIUM)
    rows, _ = ws.alerts.query(AlertQuery(sort="due", descending=False))
    order = [r["id"] for r in rows if r["id"] in {low, critical, medium}]
    assert order == [critical, medium, low]


def test_the_demo_gives_each_alert_to_the_role_its_module_names(ws) -> None:
    from proctor.platform.demo import work_alerts

    deficiency = _raise(ws, "reserve.deposit_deadline", "2026-11-27", Severity.LOW)
    review_item = _raise(ws, "review.selection", "MSG-2", Severity.LOW)
    silent = _raise(ws, "comms.volume_anomaly", "grp.client-service", Severity.LOW)
    work_alerts(ws, {"reserve": "finop", "review": "reviewer", "comms": "principal"})
    role_of = {u.name: u.role.value for u in ws.users.list()}
    assignees = {a: ws.alerts.get(a)["assignee"] for a in (deficiency, review_item, silent)}
    assert role_of[assignees[deficiency]] == "finop"
    assert role_of[assignees[review_item]] == "reviewer"
    assert role_of[assignees[silent]] == "principal"
