"""The demo replays the case: what must be raised is raised, and leavers removed in time raise nothing."""

from __future__ import annotations

from proctor.access.demo import seed_demo
from proctor.access.tasks import list_tasks
from tests.access.firm import add_staff

OWN = ("access.leavers", "access.coverage", "access.tasks", "access.certification")


def test_the_demo_raises_the_case_and_nothing_for_leavers_removed_in_time(ws) -> None:
    add_staff(ws)
    summary = seed_demo(ws, "ada")
    assert summary["queue"] == 1
    alerts = []
    for control in OWN:
        run = ws.controls.run(control, actor="paula")
        alerts += [ws.alerts.get(a) for a in run["alert_ids"]]
    found = {
        (a["rule_id"], a["evidence"].get("login_id") or a["evidence"].get("system"), a["severity"])
        for a in alerts
    }
    assert ("access.leaver.terminated_active", "MSI06644", "critical") in found  # Sam, on the vendor system
    assert ("access.task_overdue", "MSI06644", "critical") in found
    assert ("access.agreement.not_agreed", "MSI06031", "high") in found  # Mei was never on the list
    assert ("access.agreement.past_sunset", "MSI04417", "high") in found  # Walter's sunset passed
    assert ("access.orphan_npi", "MSI09921", "high") in found  # nobody in HR
    assert ("access.orphan_npi", "MSI05588", "high") in found  # misspelt: awaits review, not linked
    people_alerted = {s["id"] for a in alerts for s in a["subjects"] if s["kind"] == "access.person"}
    assert people_alerted.isdisjoint({"E2006", "E1003", "E1004"})  # removed in time
    leaver_rules = {a["rule_id"] for a in alerts if a["rule_id"].startswith("access.leaver.")}
    assert leaver_rules == {"access.leaver.terminated_active"}
    notices = [t for t in list_tasks(ws) if t["kind"] == "vendor_notice"]
    assert {t["login_id"]: t["status"] for t in notices} == {"MSI06644": "open", "MSI07002": "closed"}
