"""Runs as of a past instant see the links and HR history known then; snapshots date what they cause.

A representative's vendor account is found only by name (a middle name on the insurer's system), so
it waits in the review queue. She leaves; her account stays active; a reviewer confirms the link a
month later. A run as of the week she left must see an unlinked account on an NPI system (an
orphan), not a leaver whose link was confirmed only afterwards; a run after the confirmation sees
the leaver. Backfilled imports date links and tasks by their snapshots, not by when they were read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa

from proctor.access import correlation, people, systems
from proctor.access.accounts import import_roster
from proctor.access.activity_store import import_activity
from proctor.access.tables import links, tasks
from proctor.platform import Workspace
from tests.access.firm import add_staff, at, hr_csv, roster_csv, t, write

ANA = "E100,Ana,Lopez,ana.lopez@harborstreet.com,active,employee,2019-04-01,,,,,no"
ANA_GONE = (
    "E100,Ana,Lopez,ana.lopez@harborstreet.com,terminated,employee,2019-04-01,2026-02-02T17:00:00Z,,,,yes"
)
BO = "E200,Bo,Kim,bo.kim@harborstreet.com,active,employee,2016-07-01,,,,,no"
VENDOR = ('MSI100,"LOPEZ, ANA MARIA",,active,2016-09-01,', 'MSI200,"KIM, BO",,active,2016-09-01,')
OKTA = ("ana.lopez@harborstreet.com,Ana Lopez,ana.lopez@harborstreet.com,active,2019-04-01,",)
LOG = "ts,login_id,action,record_id,record_type,client_ip,detail\n" + (
    "2026-02-10T15:00:00Z,MSI100,login,,,198.51.100.7,\n"
    "2026-02-10T15:02:00Z,MSI100,view,C-1001,customer,198.51.100.7,\n"
)


def _firm(ws: Workspace, clock: Any, tmp_path: Path) -> None:
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
    people.import_hr(ws, hr_csv(tmp_path, "hr1.csv", ANA, BO), actor="ada", as_of=t("2026-02-01T06:00:00Z"))
    import_roster(
        ws, "insurer", roster_csv(tmp_path, "v1.csv", *VENDOR), actor="ada", as_of=t("2026-02-01T08:00:00Z")
    )
    at(clock, "2026-02-12T12:00:00Z")
    people.import_hr(
        ws, hr_csv(tmp_path, "hr2.csv", ANA_GONE, BO), actor="ada", as_of=t("2026-02-03T06:00:00Z")
    )
    import_roster(
        ws, "insurer", roster_csv(tmp_path, "v2.csv", *VENDOR), actor="ada", as_of=t("2026-02-05T08:00:00Z")
    )
    import_activity(
        ws, write(tmp_path, "insurer.csv", LOG), "insurer", actor="ada", as_of=t("2026-02-11T06:00:00Z")
    )
    assert correlation.situation_of(ws, "insurer", "MSI100")["situation"] == "unlinked"  # type: ignore[index]
    at(clock, "2026-03-01T12:00:00Z")
    correlation.confirm(
        ws, "insurer", "MSI100", "E100", actor="paula", rationale="insurer confirmed the agent code by phone"
    )


def _rules(ws: Workspace, control: str, as_of: str) -> list[tuple[str, str]]:
    run = ws.controls.run(control, actor="paula", as_of=t(as_of))
    alerts = [ws.alerts.get(a) for a in run["alert_ids"]]
    return sorted((a["rule_id"], a["evidence"].get("login_id", "")) for a in alerts)


def test_a_link_confirmed_later_is_not_applied_to_a_run_as_of_before_it(
    ws: Workspace, clock: Any, tmp_path: Path
) -> None:
    _firm(ws, clock, tmp_path)
    then = _rules(ws, "access.leavers", "2026-02-20T00:00:00Z")
    assert then == [("access.orphan_npi", "MSI100")]  # awaiting review then: an orphan, not a leaver
    now = _rules(ws, "access.leavers", "2026-03-01T13:00:00Z")
    assert now == [("access.leaver.terminated_active", "MSI100")]


def test_detections_attribute_events_by_the_links_known_at_the_run(
    ws: Workspace, clock: Any, tmp_path: Path
) -> None:
    _firm(ws, clock, tmp_path)
    then = ws.controls.run("access.post_termination", actor="paula", as_of=t("2026-02-20T00:00:00Z"))
    assert then["alerts_raised"] == 0  # nobody was known to own MSI100 on 20 February
    now = ws.controls.run("access.post_termination", actor="paula", as_of=t("2026-03-01T13:00:00Z"))
    alerts = [ws.alerts.get(a) for a in now["alert_ids"]]
    assert [(a["evidence"]["employee_id"], a["evidence"]["day"]) for a in alerts] == [("E100", "2026-02-10")]


def test_backfilled_snapshots_date_links_and_tasks_by_their_own_instants(
    ws: Workspace, clock: Any, tmp_path: Path
) -> None:
    add_staff(ws)
    at(clock, "2026-03-01T12:00:00Z")  # everything below is read a month after it was exported
    systems.add_system(ws, "okta", kind="connected", actor="ada")
    people.import_hr(ws, hr_csv(tmp_path, "hr1.csv", ANA, BO), actor="ada", as_of=t("2026-02-01T06:00:00Z"))
    import_roster(
        ws, "okta", roster_csv(tmp_path, "o1.csv", *OKTA), actor="ada", as_of=t("2026-02-01T08:00:00Z")
    )
    people.import_hr(
        ws, hr_csv(tmp_path, "hr2.csv", ANA_GONE, BO), actor="ada", as_of=t("2026-02-03T06:00:00Z")
    )
    with ws.read() as conn:
        link = conn.execute(sa.select(links).where(links.c.login_id == OKTA[0].split(",")[0])).one()
        task = conn.execute(sa.select(tasks)).one()
    assert link.valid_from == t("2026-02-01T08:00:00Z")  # the roster's instant, not the day it was read
    assert task.opened_at == t("2026-02-03T06:00:00Z")  # the HR snapshot that showed the termination
    assert task.effective == t("2026-02-02T17:00:00Z")
    frame = correlation.link_frame(ws, t("2026-02-01T07:00:00Z"))
    assert frame.height == 0  # before the roster was taken nobody could know the account
    assert correlation.link_frame(ws, t("2026-02-02T00:00:00Z"))["employee_id"].to_list() == ["E100"]
