"""The activity controls on the insurer firm: alerted within one cycle of the log arriving, as of."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from proctor.access.accounts import import_roster
from proctor.access.activity_store import import_activity, set_cadence
from proctor.core.clock import FixedClock
from proctor.platform import Workspace
from proctor.platform.alerts import AlertQuery
from tests.access.activity_firm import insurer_firm, load_insurer_log, vendor_log
from tests.access.firm import at, roster_csv, t


@pytest.fixture
def firm(ws: Workspace, clock: FixedClock, tmp_path: Path) -> Workspace:
    insurer_firm(ws, clock, tmp_path)
    return ws


def _alerts(ws: Workspace, control: str) -> list[dict[str, Any]]:
    rows, _ = ws.alerts.query(AlertQuery(control=control, page_size=500))
    full = [ws.alerts.get(r["id"]) for r in rows if r["rule_id"].startswith("access.")]
    return sorted(full, key=lambda r: r["title"])


def test_post_termination_alerts_the_day_the_log_arrives_and_never_the_stayer(
    firm: Workspace, clock: FixedClock, tmp_path: Path
) -> None:
    at(clock, "2017-05-17T10:00:00+00:00")
    before = firm.controls.run("access.post_termination", actor="ada", as_of=t("2017-05-17T10:00:00+00:00"))
    assert before["outcome"] == "no_input"  # nothing arrived yet: not "fine"
    load_insurer_log(firm, clock, tmp_path)
    run = firm.controls.run("access.post_termination", actor="ada", as_of=t("2017-05-17T12:00:00+00:00"))
    assert run["outcome"] == "findings" and run["input_count"] == 11
    alerts = _alerts(firm, "access.post_termination")
    assert [a["title"] for a in alerts] == [
        "E2 used insurer on 2017-04-25 during the notice period (customer data taken)",
        "E2 used insurer on 2017-05-03 after termination",
        "E2 used insurer on 2017-05-04 after termination",
        "E3 used insurer on 2017-05-16 after termination",
    ]
    assert all(a["severity"] == "critical" for a in alerts)  # an NPI system
    cy = alerts[3]["evidence"]
    assert cy["termination_effective"] == "2017-05-15T21:00:00.000000Z"
    assert [e["action"] for e in cy["timeline"]] == ["login", "search"] and cy["logins"] == [
        "MSI003",
        "msi003",
    ]
    assert not [a for a in alerts if "E1" in a["subject_text"]]
    at(clock, "2017-05-17T13:00:00+00:00")
    rerun = firm.controls.run("access.post_termination", actor="ada", as_of=t("2017-05-17T13:00:00+00:00"))
    assert rerun["alerts_raised"] == 0


def test_a_closed_finding_is_not_raised_again(firm: Workspace, clock: FixedClock, tmp_path: Path) -> None:
    load_insurer_log(firm, clock, tmp_path)
    firm.controls.run("access.post_termination", actor="ada", as_of=t("2017-05-17T12:00:00+00:00"))
    first = _alerts(firm, "access.post_termination")[3]
    firm.alerts.close(first["id"], "no_action", "Worked in the Reg S-P incident.", actor="paula")
    firm.alerts.approve(first["id"], actor="ada")  # a critical closing takes a second person
    assert firm.alerts.get(first["id"])["status"] == "closed"
    at(clock, "2017-05-17T13:00:00+00:00")
    again = firm.controls.run("access.post_termination", actor="ada", as_of=t("2017-05-17T13:00:00+00:00"))
    assert again["alerts_raised"] == 0 and again["findings"] == 3


def test_npi_exposure_names_the_printed_record(firm: Workspace, clock: FixedClock, tmp_path: Path) -> None:
    load_insurer_log(firm, clock, tmp_path)
    firm.controls.run("access.npi_exposure", actor="ada", as_of=t("2017-05-17T12:00:00+00:00"))
    alerts = _alerts(firm, "access.npi_exposure")
    assert [(a["severity"], a["evidence"]["records"], a["evidence"]["day"]) for a in alerts] == [
        ("critical", ["C-448812"], "2017-05-03"),
        ("high", ["C-7"], "2017-04-25"),
    ]
    assert "download/print customer record(s) C-448812" in alerts[0]["title"]
    assert alerts[0]["contains_npi"]


def test_logins_after_a_roster_shows_the_account_disabled(
    firm: Workspace, clock: FixedClock, tmp_path: Path
) -> None:
    at(clock, "2017-05-16T11:30:00+00:00")
    import_roster(
        firm,
        "insurer",
        roster_csv(
            tmp_path,
            "r2.csv",
            'MSI001,"ARCHER, ANN",ann.archer@firm.example,active,2016-09-01,',
            'MSI002,"BAKER, BOB",bob.baker@firm.example,disabled,2016-09-01,',
            'MSI003,"COLE, CY",cy.cole@firm.example,disabled,2016-09-01,',
        ),
        actor="ada",
        as_of=t("2017-05-16T11:00:00+00:00"),
    )
    load_insurer_log(firm, clock, tmp_path)
    firm.controls.run("access.disabled_accounts", actor="ada", as_of=t("2017-05-17T12:00:00+00:00"))
    got = [
        (a["evidence"]["login_id"], a["evidence"]["kind"]) for a in _alerts(firm, "access.disabled_accounts")
    ]
    assert sorted(got) == [("MSI003", "login_after_disable"), ("msi003", "activity_after_disable")]


def test_a_silent_log_is_an_alert(firm: Workspace, clock: FixedClock, tmp_path: Path) -> None:
    set_cadence(
        firm, "insurer", timedelta(days=1), actor="ada", reason="Daily export under the vendor agreement"
    )
    run = firm.controls.run("access.silent_source", actor="ada", as_of=t("2017-05-16T12:00:00+00:00"))
    assert run["findings"] == 1
    load_insurer_log(firm, clock, tmp_path)
    assert (
        firm.controls.run("access.silent_source", actor="ada", as_of=t("2017-05-17T12:00:00+00:00"))[
            "findings"
        ]
        == 0
    )
    at(clock, "2017-05-19T12:00:00+00:00")
    late = firm.controls.run("access.silent_source", actor="ada", as_of=t("2017-05-19T12:00:00+00:00"))
    assert late["findings"] == 1
    titles = [a["title"] for a in _alerts(firm, "access.silent_source")]
    assert "Activity log of insurer has not arrived since 2017-05-17 11:00 UTC" in titles
    import_activity(
        firm,
        vendor_log(tmp_path, "next.csv", "2017-05-19T08:00:00-04:00,MSI001,login,,,,"),
        "insurer",
        actor="ada",
        as_of=t("2017-05-19T12:00:00+00:00"),
    )
    assert (
        firm.controls.run("access.silent_source", actor="ada", as_of=t("2017-05-19T12:00:00+00:00"))[
            "findings"
        ]
        == 0
    )
