"""The approvals inbox lists every two-person item of every module, and decides it through the module.

Paula (principal) proposes what a principal proposes in a week: a correlation rule table for the
access module, a rebuttal of customer notice for a Reg S-P incident, a pre-route FIX tag rule, a
lower four-eyes threshold and a new retention schedule; Ada (admin) proposes a role change. Sam,
another principal, decides them in the inbox; Paula never gets an approve button on her own.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from proctor.access import incidents, rules
from proctor.comms import retention_changes
from proctor.comms.retention import packaged_schedule
from proctor.platform import Workspace
from proctor.store.schema import journal_events
from proctor.trading import iso_service
from proctor.trading.rejects import TagRule

from .conftest import TestClient, form
from .firm import PASSWORD, Firm
from .test_approvals_inbox import row_of

Clients = Callable[[str], tuple[TestClient, str]]

RULES = """\
version: "2026.1"
effective_from: 2026-01-05
rules:
  - {name: employee_id, key: employee_id, auto_link: true, citation: "17 CFR 248.30(a)"}
  - {name: email, key: email, auto_link: true}
  - {name: name_fuzzy, key: name_fuzzy, auto_link: false, threshold: 92}
"""
INVESTIGATION = (
    "Vendor logs show the former rep's session was read-only and ended before any export; the insurer "
    "confirmed no file left its system. Not reasonably likely to cause substantial harm."
)


@pytest.fixture
def proposals(ws: Workspace, firm: Firm, tmp_path: Path) -> dict[str, str]:
    """One pending item of each kind the inbox gained, proposed by paula (the role change by ada)."""
    table = tmp_path / "correlation-2026.1.yaml"
    table.write_text(RULES, "utf-8")
    version = rules.propose(
        ws, table, actor="paula", rationale="Fuzzy names at 92 after the acquisition's HR merge"
    )
    incident = incidents.open_incident(
        ws, [firm.ids["access"]], actor="paula", title="Former rep on vendor-crm"
    )
    incidents.propose_rebuttal(ws, incident["id"], INVESTIGATION, actor="paula")
    tag = iso_service.add_tag_rule(
        ws,
        TagRule(
            "XNAS",
            "clearing_firm",
            allowed=("0161",),
            reason="Nasdaq rejected orders with clearing firm 0999",
        ),
        actor="paula",
    )
    setting = ws.settings.propose(
        "alerts.four_eyes_min_severity",
        "medium",
        actor="paula",
        reason="Second eyes on medium closings this year",
    )
    role = ws.settings.propose("role:ravi", "principal", actor="ada", reason="Ravi passed the Series 24 exam")
    schedule = packaged_schedule().to_dict()
    schedule["version"] = "comms-retention-2026.1"
    schedule["rules"][0]["retain_years"] = 4
    retention = retention_changes.propose_document(
        ws, "paula", schedule, "Mailboxes kept four years per the WSP update", origin="test"
    )
    return {
        "access-rules": version["id"],
        "rebuttal": incident["id"],
        "tag-rule": tag["id"],
        "setting": setting,
        "role": role,
        "retention": retention["version"],
    }


def journal_rationales(ws: Workspace, item_id: str) -> list[dict[str, Any]]:
    with ws.read() as conn:
        rows = conn.execute(
            sa.select(journal_events.c.subject_kind, journal_events.c.actor, journal_events.c.payload).where(
                journal_events.c.event_type == "approval.rationale_recorded",
                journal_events.c.subject_id == item_id,
            )
        )
        return [{"subject": r.subject_kind, "actor": r.actor, **json.loads(r.payload)} for r in rows]


def test_every_kind_is_listed_and_the_proposer_gets_no_approve_button(
    client_for: Clients, proposals: dict[str, str]
) -> None:
    paula, _ = client_for("paula")
    page = paula.get("/approvals").text
    for kind in ("access-rules", "rebuttal", "tag-rule", "setting", "retention"):
        own = row_of(page, proposals[kind])
        assert "Your own proposal" in own and ">Approve<" not in own and ">Reject<" not in own, kind
    kinds = {i["kind"] for i in paula.get("/api/approvals").json()["items"]}
    assert {"access-rules", "rebuttal", "tag-rule", "setting", "retention"} <= kinds
    sam, _ = client_for("sam")
    page = sam.get("/approvals").text
    for kind in ("access-rules", "rebuttal", "tag-rule", "setting", "retention"):
        row = row_of(page, proposals[kind])
        assert ">Approve<" in row and ">Reject<" in row, kind
    assert "No customer notice for" in row_of(page, proposals["rebuttal"])
    assert "name_fuzzy (name_fuzzy ≥ 92, to the queue)" in row_of(page, proposals["access-rules"])
    role = row_of(page, proposals["role"])  # a role change is for another admin to decide
    assert "Role of ravi: reviewer → principal" in role and ">Approve<" not in role
    assert "Awaiting another approver" in role


def test_a_second_principal_decides_each_access_item_through_the_access_module(
    client_for: Clients, ws: Workspace, proposals: dict[str, str]
) -> None:
    sam, csrf = client_for("sam")
    why = "Matches the merged HR feed; fuzzy links still go to a person."
    done = sam.post(
        f"/approvals/access-rules/{proposals['access-rules']}/approve", data=form(csrf, rationale=why)
    )
    assert done.status_code == 200 and "approved" in done.text
    version = next(v for v in rules.list_versions(ws) if v["id"] == proposals["access-rules"])
    assert (version["status"], version["decided_by"], version["decision_note"]) == ("approved", "sam", why)
    accepted = "Read the vendor's logs and the insurer's letter; the investigation holds."
    answer = sam.post(
        f"/approvals/rebuttal/{proposals['rebuttal']}/approve", data=form(csrf, rationale=accepted)
    )
    assert answer.status_code == 200
    assert incidents.get(ws, proposals["rebuttal"])["notice_status"] == "rebutted"
    step = [s for s in incidents.steps(ws, proposals["rebuttal"]) if s["kind"] == "rebuttal_approved"][-1]
    assert (step["actor"], step["data"]["comment"]) == ("sam", accepted)
    assert proposals["rebuttal"] not in sam.get("/approvals").text


def test_a_rejected_rebuttal_needs_a_reason_and_sends_the_incident_back_to_notice(
    client_for: Clients, ws: Workspace, proposals: dict[str, str]
) -> None:
    sam, csrf = client_for("sam")
    short = sam.post(f"/approvals/rebuttal/{proposals['rebuttal']}/reject", data=form(csrf, rationale="no"))
    assert short.status_code == 400
    reason = "The logs end at the vendor's export job; exports are not ruled out."
    assert (
        sam.post(
            f"/approvals/rebuttal/{proposals['rebuttal']}/reject", data=form(csrf, rationale=reason)
        ).status_code
        == 200
    )
    assert incidents.get(ws, proposals["rebuttal"])["notice_status"] == "required"


def test_decisions_whose_module_keeps_no_note_have_the_rationale_journaled_on_the_item(
    client_for: Clients, ws: Workspace, proposals: dict[str, str]
) -> None:
    sam, csrf = client_for("sam")
    reason = "Clearing firm 0161 is not ours on Nasdaq; the rule would stop every order."
    assert (
        sam.post(
            f"/approvals/tag-rule/{proposals['tag-rule']}/reject", data=form(csrf, rationale=reason)
        ).status_code
        == 200
    )
    assert iso_service.list_tag_rules(ws, "rejected")[0]["id"] == proposals["tag-rule"]
    assert journal_rationales(ws, proposals["tag-rule"]) == [
        {
            "subject": "trading.tag_rule",
            "actor": "sam",
            "kind": "tag-rule",
            "verdict": "reject",
            "rationale": reason,
        }
    ]
    ok = "Medium closings get second eyes, as the WSP now says."
    assert (
        sam.post(
            f"/approvals/setting/{proposals['setting']}/approve", data=form(csrf, rationale=ok)
        ).status_code
        == 200
    )
    assert ws.config.four_eyes.min_severity.value == "medium"
    recorded = journal_rationales(ws, proposals["setting"])
    assert [(r["actor"], r["verdict"], r["rationale"]) for r in recorded] == [("sam", "approve", ok)]
    assert (
        sam.post(f"/approvals/retention/{proposals['retention']}/approve", data=form(csrf)).status_code == 200
    )
    assert journal_rationales(ws, proposals["retention"]) == []  # nothing typed, nothing recorded


def test_the_proposer_is_refused_again_by_the_module_and_forged_posts_change_nothing(
    client_for: Clients, ws: Workspace, proposals: dict[str, str]
) -> None:
    paula, csrf = client_for("paula")
    for kind in ("access-rules", "rebuttal", "tag-rule", "setting", "retention"):
        answer = paula.post(f"/approvals/{kind}/{proposals[kind]}/approve", data=form(csrf, rationale="mine"))
        assert answer.status_code == 403, kind
    sam, _ = client_for("sam")
    for kind in ("access-rules", "rebuttal", "tag-rule"):
        forged = sam.post(f"/approvals/{kind}/{proposals[kind]}/approve", data={"rationale": "no token"})
        assert forged.status_code == 403 and "CSRF" in forged.text, kind
    assert incidents.get(ws, proposals["rebuttal"])["notice_status"] == "rebuttal_proposed"
    assert {v["status"] for v in rules.list_versions(ws)} == {"proposed"}
    assert iso_service.list_tag_rules(ws, "proposed")[0]["id"] == proposals["tag-rule"]


def test_who_sees_what_the_finop_decides_rules_but_not_incidents_and_an_admin_decides_roles(
    client_for: Clients, ws: Workspace, proposals: dict[str, str]
) -> None:
    for user in ("ravi", "otto"):
        c, _ = client_for(user)
        assert c.get("/approvals").status_code == 403
    fiona, _ = client_for("fiona")
    page = fiona.get("/approvals").text
    assert proposals["rebuttal"] not in page  # an incident's customers are not the FINOP's to see
    assert ">Approve<" in row_of(page, proposals["access-rules"])
    ws.users.add("adam", "admin", actor="ada", password=PASSWORD)
    adam, csrf = client_for("adam")
    assert adam.post(f"/approvals/setting/{proposals['role']}/approve", data=form(csrf)).status_code == 200
    assert ws.users.get("ravi").role.value == "principal"
