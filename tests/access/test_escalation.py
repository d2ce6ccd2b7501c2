"""An overdue deprovisioning task climbs a chain: the system's owner, then the leaver's manager and a
principal, then the CCO — each step its own alert; certification reminders go out as e-mails."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from proctor.access import certification, people, systems, tasks
from proctor.access.accounts import import_roster
from proctor.platform import Workspace
from tests.access.firm import add_staff, at, hr_csv, roster_csv, t

BO = "E200,Bo,Kim,bo.kim@harborstreet.com,active,employee,2016-07-01,,,E900,,no"
BO_GONE = "E200,Bo,Kim,bo.kim@harborstreet.com,terminated,employee,2016-07-01,2026-02-02T17:00:00Z,,E900,,yes"
MEG = "E900,Meg,Ortiz,meg.ortiz@harborstreet.com,active,employee,2010-03-01,,,,,no"


def _steps(ws: Workspace, as_of: str) -> list[tuple[str, list[str], str]]:
    run = ws.controls.run("access.tasks", actor="paula", as_of=t(as_of))
    alerts = [ws.alerts.get(a) for a in run["new_finding_ids"]]  # raised by this run, not re-found
    return [
        (a["evidence"]["escalation"]["step"], a["evidence"]["escalation"]["to"], a["severity"])
        for a in alerts
    ]


def test_an_overdue_vendor_task_escalates_owner_then_manager_then_cco(
    ws: Workspace, clock: Any, tmp_path: Path
) -> None:
    add_staff(ws)
    at(clock, "2026-02-01T12:00:00Z")
    systems.add_system(ws, "crm", kind="vendor", actor="ada", owner="paula", vendor_contact="ops@crm.example")
    people.import_hr(ws, hr_csv(tmp_path, "hr1.csv", BO, MEG), actor="ada", as_of=t("2026-02-01T06:00:00Z"))
    import_roster(
        ws, "crm", roster_csv(tmp_path, "c1.csv", "bo.kim@harborstreet.com,Bo Kim,,active,,"), actor="ada"
    )
    at(clock, "2026-02-02T18:00:00Z")
    people.import_hr(
        ws, hr_csv(tmp_path, "hr2.csv", BO_GONE, MEG), actor="ada", as_of=t("2026-02-02T18:00:00Z")
    )
    at(clock, "2026-02-09T00:00:00Z")
    assert _steps(ws, "2026-02-03T16:00:00Z") == []  # due 2026-02-03T17:00 (24 h SLA)
    assert _steps(ws, "2026-02-03T20:00:00Z") == [("system_owner", ["paula"], "high")]
    assert _steps(ws, "2026-02-05T12:00:00Z") == [
        ("manager", ["Meg Ortiz <meg.ortiz@harborstreet.com>", "principal"], "high")
    ]
    cco = _steps(ws, "2026-02-07T12:00:00Z")
    assert [(s, sev) for s, _, sev in cco] == [("cco", "critical")]
    assert _steps(ws, "2026-02-08T12:00:00Z") == []  # each step is raised once, not every run


def test_the_cco_step_names_the_configured_cco() -> None:
    config = SimpleNamespace(section=lambda name: {"cco": "carl"} if name == "access" else {})
    ws = SimpleNamespace(config=config)
    step = tasks.escalation(ws, timedelta(hours=80), {"owner": "paula"}, None, {})
    assert (step["level"], step["step"], step["to"]) == (3, "cco", ["carl"])
    assert step["chain"] == ["system_owner", "manager", "cco"]


def test_a_certification_reminder_is_an_email_in_the_outbox_sent_once(
    ws: Workspace, clock: Any, tmp_path: Path
) -> None:
    add_staff(ws)
    at(clock, "2026-02-01T12:00:00Z")
    systems.add_system(
        ws,
        "insurer",
        kind="vendor",
        npi=True,
        actor="ada",
        owner="paula",
        vendor_contact="ops@insurer.example",
    )
    people.import_hr(ws, hr_csv(tmp_path, "hr1.csv", BO, MEG), actor="ada", as_of=t("2026-02-01T06:00:00Z"))
    import_roster(ws, "insurer", roster_csv(tmp_path, "v1.csv", 'MSI200,"KIM, BO",,active,,'), actor="ada")
    campaign = certification.start(ws, "insurer", reviewer="ravi", due=t("2026-02-03T00:00:00Z"), actor="ada")
    run = ws.controls.run("access.certification", actor="paula")
    assert run["summary"]["reminders_sent"] == 1
    mail_path = Path(ws.path) / "outbox" / "access" / f"{campaign['id']}-reminder.eml"
    mail = message_from_bytes(mail_path.read_bytes())
    assert mail["To"] == "ravi@harborstreet.com" and campaign["id"] in mail["Subject"]
    assert "1 account(s) still need a keep or revoke decision" in mail.get_payload()
    assert certification.show(ws, campaign["id"])["reminded_at"] == t("2026-02-01T12:00:00Z")
    assert ws.controls.run("access.certification", actor="paula")["summary"]["reminders_sent"] == 0
