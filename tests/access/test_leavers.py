"""Leavers lose every account within the SLA, proven by rosters; tasks, notices, agreements, coverage."""

from __future__ import annotations

from email import message_from_bytes
from pathlib import Path

import pytest

from proctor.access import agreements, certification, people, systems, tasks
from proctor.access.accounts import import_roster
from proctor.core.errors import InputError, PermissionDenied
from tests.access.firm import add_staff, at, hr_csv, roster_csv, t

ANA = "E100,Ana,Lopez,ana.lopez@harborstreet.com,active,employee,2019-04-01,,,,,no"
BO = "E200,Bo,Kim,bo.kim@harborstreet.com,active,employee,2016-07-01,,,,,no"
ANA_GONE = (
    "E100,Ana,Lopez,ana.lopez@harborstreet.com,terminated,employee,2019-04-01,2026-02-02T17:00:00Z,,,,yes"
)
BO_GONE = "E200,Bo,Kim,bo.kim@harborstreet.com,terminated,employee,2016-07-01,2026-02-02T17:00:00Z,,,,yes"

IDP = (
    "ana.lopez@harborstreet.com,Ana Lopez,ana.lopez@harborstreet.com,active,2019-04-01,",
    "bo.kim@harborstreet.com,Bo Kim,bo.kim@harborstreet.com,active,2016-07-01,",
)
VENDOR = (
    'MSI100,"LOPEZ, ANA",,active,2016-09-01,',
    'MSI200,"KIM, BO",,active,2016-09-01,2026-02-04T15:00:00Z',
)


def _firm(ws, clock, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    add_staff(ws)
    at(clock, "2026-02-01T12:00:00Z")
    systems.add_system(ws, "okta", kind="connected", actor="ada")
    systems.add_system(
        ws,
        "insurer",
        kind="vendor",
        npi=True,
        actor="ada",
        owner="paula",
        vendor_contact="access@insurer.example",
    )
    people.import_hr(ws, hr_csv(tmp_path, "hr1.csv", ANA, BO), actor="ada", as_of=t("2026-02-01T06:00:00Z"))
    import_roster(
        ws, "okta", roster_csv(tmp_path, "okta1.csv", *IDP), actor="ada", as_of=t("2026-02-01T07:00:00Z")
    )
    import_roster(
        ws, "insurer", roster_csv(tmp_path, "ins1.csv", *VENDOR), actor="ada", as_of=t("2026-02-01T08:00:00Z")
    )


def _alerts(ws, control: str) -> list[dict]:  # type: ignore[no-untyped-def,type-arg]
    run = ws.controls.run(control, actor="paula")
    return [ws.alerts.get(a) for a in run["alert_ids"]]


def test_a_leaver_removed_in_time_raises_nothing_and_one_left_active_is_critical(ws, clock, tmp_path) -> None:
    _firm(ws, clock, tmp_path)
    at(clock, "2026-02-02T12:00:00Z")
    people.import_hr(
        ws, hr_csv(tmp_path, "hr2.csv", ANA_GONE, BO_GONE), actor="ada", as_of=t("2026-02-02T11:00:00Z")
    )
    opened = tasks.list_tasks(ws, "open")
    assert {(x["system"], x["login_id"], x["kind"]) for x in opened} == {
        ("okta", "ana.lopez@harborstreet.com", "connected_action"),
        ("okta", "bo.kim@harborstreet.com", "connected_action"),
        ("insurer", "MSI100", "vendor_notice"),
        ("insurer", "MSI200", "vendor_notice"),
    }
    notice = next(x for x in opened if x["login_id"] == "MSI200")
    assert notice["due_at"] == t(
        "2026-02-03T17:00:00Z"
    )  # vendor SLA: 24 h from the termination effective time
    mail = message_from_bytes((Path(ws.path) / notice["outbox_file"]).read_bytes())
    assert mail["To"] == "access@insurer.example" and "MSI200" in mail.get_payload()
    assert ws.blobs.get(notice["message_sha256"]) == (Path(ws.path) / notice["outbox_file"]).read_bytes()

    at(clock, "2026-02-05T12:00:00Z")
    import_roster(
        ws,
        "okta",
        roster_csv(tmp_path, "okta2.csv", IDP[1].replace(",active,", ",disabled,")),
        actor="ada",
        as_of=t("2026-02-02T17:40:00Z"),
    )
    result = import_roster(
        ws,
        "insurer",
        roster_csv(tmp_path, "ins2.csv", VENDOR[1]),
        actor="ada",
        as_of=t("2026-02-03T09:00:00Z"),
    )
    assert (result["removed"], result["tasks_closed"]) == (1, 1)
    import_roster(
        ws,
        "insurer",
        roster_csv(tmp_path, "ins3.csv", VENDOR[1]),
        actor="ada",
        as_of=t("2026-02-05T09:00:00Z"),
    )

    alerts = _alerts(ws, "access.leavers")
    leavers = [a for a in alerts if a["rule_id"].startswith("access.leaver.")]
    assert [(a["rule_id"], a["severity"], a["evidence"]["login_id"]) for a in leavers] == [
        ("access.leaver.terminated_active", "critical", "MSI200")
    ]
    assert leavers[0]["evidence"]["snapshot_as_of"].startswith("2026-02-05T09:00")
    assert leavers[0]["evidence"]["deadline"].startswith("2026-02-03T17:00")
    overdue = _alerts(ws, "access.tasks")
    assert [(a["evidence"]["login_id"], a["severity"]) for a in overdue] == [("MSI200", "critical")]
    assert {x["login_id"] for x in tasks.list_tasks(ws, "closed")} == {
        "ana.lopez@harborstreet.com",
        "bo.kim@harborstreet.com",
        "MSI100",
    }


def test_removal_not_proven_without_a_later_roster(sqlite_ws, clock, tmp_path) -> None:
    _firm(sqlite_ws, clock, tmp_path)
    at(clock, "2026-02-02T15:00:00Z")
    people.import_hr(
        sqlite_ws, hr_csv(tmp_path, "hr2.csv", ANA, BO_GONE), actor="ada", as_of=t("2026-02-02T14:00:00Z")
    )
    assert [
        a for a in _alerts(sqlite_ws, "access.leavers") if a["rule_id"].startswith("access.leaver.")
    ] == []
    at(clock, "2026-02-04T12:00:00Z")  # both SLAs passed, and nobody sent a roster
    verdicts = {
        (a["evidence"]["system"], a["rule_id"])
        for a in _alerts(sqlite_ws, "access.leavers")
        if a["rule_id"].startswith("access.leaver.")
    }
    assert verdicts == {("okta", "access.leaver.not_proven"), ("insurer", "access.leaver.not_proven")}
    # a roster taken after the deadline shows it gone: removed, but not proven within the SLA
    import_roster(
        sqlite_ws,
        "okta",
        roster_csv(tmp_path, "o2.csv", IDP[0]),
        actor="ada",
        as_of=t("2026-02-04T11:00:00Z"),
    )
    late = [a for a in _alerts(sqlite_ws, "access.leavers") if a["evidence"].get("system") == "okta"]
    assert [(a["rule_id"], a["severity"]) for a in late] == [("access.leaver.removed_late", "medium")]


def test_orphans_on_npi_systems_and_transitional_agreements(sqlite_ws, clock, tmp_path) -> None:
    ws = sqlite_ws
    _firm(ws, clock, tmp_path)
    import_roster(
        ws,
        "insurer",
        roster_csv(tmp_path, "ins2.csv", *VENDOR, 'MSI999,"KOWALSKI, JAN",,active,,'),
        actor="ada",
        as_of=t("2026-02-01T09:00:00Z"),
    )
    path = tmp_path / "sunset.csv"
    path.write_text(
        "employee_id,name,email,system,sunset_date\n"
        "E100,Ana Lopez,,insurer,2026-02-01\n"
        ",Ghost Person,ghost@harborstreet.com,insurer,2026-09-30\n"
    )
    result = agreements.import_agreements(ws, path, actor="ada")
    assert (result["rows"], result["quarantined"]) == (1, 1) and result["errors"][0]["field"] == "email"
    at(clock, "2026-02-02T04:59:00Z")  # still 1 February in New York: Ana's access is allowed
    found = {(a["rule_id"], a["evidence"]["login_id"]) for a in _alerts(ws, "access.leavers")}
    assert found == {("access.orphan_npi", "MSI999"), ("access.agreement.not_agreed", "MSI200")}
    at(clock, "2026-02-02T05:01:00Z")  # the sunset date has ended where the firm is
    found = {(a["rule_id"], a["evidence"]["login_id"]) for a in _alerts(ws, "access.leavers")}
    assert ("access.agreement.past_sunset", "MSI100") in found
    with pytest.raises(InputError, match="expected columns"):
        agreements.import_agreements(ws, roster_csv(tmp_path, "wrong.csv", *VENDOR), actor="ada")


def test_coverage_not_evaluable_is_an_alert(sqlite_ws, clock, tmp_path) -> None:
    ws = sqlite_ws
    _firm(ws, clock, tmp_path)
    systems.add_system(ws, "crm", kind="connected", npi=True, actor="ada")
    systems.add_system(ws, "wiki", kind="connected", actor="ada")
    at(clock, "2026-02-01T13:00:00Z")
    run = ws.controls.run("access.coverage", actor="paula")
    assert run["outcome"] == "findings"
    assert [ws.alerts.get(a)["evidence"]["system"] for a in run["alert_ids"]] == ["crm"]
    at(clock, "2026-02-09T09:00:00Z")  # the vendor's weekly roster is now overdue, okta holds no NPI
    systems_flagged = {a["evidence"]["system"] for a in _alerts(ws, "access.coverage")}
    assert systems_flagged == {"crm", "insurer"}


def test_certification_keep_revoke_and_not_evaluable(sqlite_ws, clock, tmp_path) -> None:
    ws = sqlite_ws
    _firm(ws, clock, tmp_path)
    with pytest.raises(InputError, match="holds no NPI"):
        certification.start(ws, "okta", reviewer="paula", due=t("2026-02-10T00:00:00Z"), actor="ada")
    campaign = certification.start(
        ws, "insurer", reviewer="paula", due=t("2026-02-03T00:00:00Z"), actor="ada"
    )
    assert campaign["status"] == "open"
    assert {a["rule_id"] for a in _alerts(ws, "access.certification")} == {"access.certification.reminder"}
    with pytest.raises(PermissionDenied, match="assigned to paula"):
        certification.decide(
            ws, campaign["id"], "MSI100", "keep", rationale="services annuities", actor="ravi"
        )
    certification.decide(
        ws, campaign["id"], "MSI100", "keep", rationale="Services annuity clients", actor="paula"
    )
    line = certification.decide(
        ws, campaign["id"], "MSI200", "revoke", rationale="Moved to branch ops", actor="paula"
    )
    revoke = next(x for x in tasks.list_tasks(ws, "open") if x["id"] == line["task_id"])
    assert (revoke["reason"], revoke["kind"]) == ("certification_revoke", "vendor_notice")
    assert certification.show(ws, campaign["id"])["status"] == "completed"
    at(clock, "2026-02-20T00:00:00Z")  # the vendor roster is past its weekly cadence
    stale = certification.start(ws, "insurer", reviewer="paula", due=t("2026-03-01T00:00:00Z"), actor="ada")
    assert stale["status"] == "not_evaluable" and "cadence" in stale["note"]
    assert "access.certification.not_evaluable" in {a["rule_id"] for a in _alerts(ws, "access.certification")}


def test_a_backfilled_roster_does_not_move_the_current_picture(sqlite_ws, clock, tmp_path) -> None:
    _firm(sqlite_ws, clock, tmp_path)
    result = import_roster(
        sqlite_ws,
        "insurer",
        roster_csv(tmp_path, "old.csv", VENDOR[0]),
        actor="ada",
        as_of=t("2026-01-15T00:00:00Z"),
    )
    assert result["backfilled"] and result["removed"] == 0
    with pytest.raises(InputError, match="future"):
        import_roster(
            sqlite_ws,
            "insurer",
            roster_csv(tmp_path, "new.csv", VENDOR[0]),
            actor="ada",
            as_of=t("2026-03-01T00:00:00Z"),
        )
    bad = import_roster(
        sqlite_ws,
        "insurer",
        roster_csv(tmp_path, "bad.csv", VENDOR[0], 'MSI200,"KIM, BO",,gone,,'),
        actor="ada",
        as_of=t("2026-02-01T10:00:00Z"),
    )
    assert bad["quarantined"] == 1 and bad["errors"][0]["field"] == "status" and bad["removed"] == 0
