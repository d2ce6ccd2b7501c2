"""The coverage register: a new group mailbox or help-desk account no policy covers is an alert in
the next run; an approved, dated exemption clears it; every report is kept as a record."""

from __future__ import annotations

import copy
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from proctor.comms.ingest import ingest
from proctor.comms.sources import SourceSpec, add_source
from proctor.core.clock import FixedClock
from proctor.core.errors import NotFound
from proctor.journal.verify import verify_journal
from proctor.platform import Workspace
from proctor.platform.approvals import ApprovalError
from proctor.platform.directory import import_directory
from proctor.review.coverage import coverage_report, load_report
from proctor.review.evidence import EVIDENCE_RENDERERS
from proctor.review.exemptions import approve_exemption, propose_exemption, revoke_exemption
from proctor.review.run import select
from proctor.review.tables import coverage_reports
from proctor.store.schema import alerts
from tests.review.review_support import POLICY, build_desk, mail, propose_and_approve

NEW_ACCOUNTS = """\
id,kind,display_name,owner,roles,aliases,platform,active
desk-group@harborstreet.com,group_mailbox,Trading desk group mailbox,,,,mbx.desk,yes
helpdesk.agent7,customer_service_account,Help desk shared login 7,,,,zendesk.support,yes
"""


def coverage_alerts(ws: Workspace, status: str | None = None) -> dict[str, dict]:
    stmt = sa.select(alerts).where(alerts.c.control == "review.coverage")
    with ws.read() as conn:
        rows = [dict(r._mapping) for r in conn.execute(stmt)]
    return {r["evidence"]["target"]: r for r in rows if status is None or r["status"] == status}


def register_accounts(ws: Workspace, tmp_path: Path) -> None:
    add_source(
        ws,
        SourceSpec(
            name="zendesk.support",
            kind="customer_service",
            owner="Client service desk",
            covered=("support agents",),
            capture_state="connected",
        ),
        actor="ada",
    )
    path = tmp_path / "new-accounts.csv"
    path.write_text(NEW_ACCOUNTS, encoding="utf-8")
    import_directory(ws, path, "ada")


def test_a_new_group_mailbox_and_help_desk_account_are_alerts_until_an_exemption_is_approved(
    ws: Workspace, clock: FixedClock, tmp_path: Path
) -> None:
    build_desk(ws, tmp_path / "desk")
    select(ws, "paula")
    first = ws.controls.run("review.coverage", actor="paula")
    assert (first["outcome"], first["summary"]["gap"]) == ("passed", 0)

    register_accounts(ws, tmp_path)
    clock.advance(timedelta(hours=1))
    second = ws.controls.run("review.coverage", actor="paula")
    assert second["outcome"] == "findings"
    raised = coverage_alerts(ws, "new")
    assert set(raised) == {"desk-group@harborstreet.com", "helpdesk.agent7"}
    group = raised["desk-group@harborstreet.com"]
    assert group["title"] == (
        "Group mailbox desk-group@harborstreet.com is not connected to supervisory review: "
        "no active review policy covers it"
    )
    assert group["evidence"]["captured_by"] == ["mbx.desk"]
    assert raised["helpdesk.agent7"]["evidence"]["captured_by"] == ["zendesk.support"]
    (block,) = EVIDENCE_RENDERERS["review.coverage"](group["evidence"])
    shown = dict(block.items)
    assert shown["why it is a gap"] == "no active review policy covers it"
    assert shown["how to clear it"].startswith("connect it (capture source and a policy population")

    until = date(2026, 6, 30)
    exemption = propose_exemption(
        ws,
        "helpdesk.agent7",
        "Login disabled pending migration; no customer contact possible.",
        until,
        "paula",
    )
    with pytest.raises(ApprovalError, match="different person"):
        approve_exemption(ws, exemption["id"], "paula")
    assert coverage_alerts(ws)["helpdesk.agent7"]["status"] == "new", "proposed is not approved"
    approved = approve_exemption(ws, exemption["id"], "carl")
    cleared = ws.alerts.get(raised["helpdesk.agent7"]["id"])
    assert approved["alerts_closed"] == [cleared["id"]]
    assert (cleared["status"], cleared["disposition"]) == ("closed", "no_action")
    assert cleared["rationale"].startswith(f"Covered by exemption {exemption['id']} (proposed by paula")

    clock.advance(timedelta(days=1))
    third = ws.controls.run("review.coverage", actor="paula")
    assert third["alert_ids"] == [group["id"]], "only the group mailbox is still a gap"
    report = load_report(ws, third["summary"]["report_id"])
    assert report is not None
    rows = {r["target"]: r for r in report["entries"]}
    assert rows["helpdesk.agent7"]["status"] == "exempt"
    assert rows["helpdesk.agent7"]["exemption"]["until"] == "2026-06-30"
    assert rows["desk-group@harborstreet.com"]["status"] == "gap"
    assert rows["dana@harborstreet.com"]["policies"][0]["populations"] == ["reps"]


def test_naming_the_mailbox_in_a_policy_connects_it(ws: Workspace, tmp_path: Path) -> None:
    desk = build_desk(ws, tmp_path / "desk")
    register_accounts(ws, tmp_path)
    ws.controls.run("review.coverage", actor="paula")
    assert "desk-group@harborstreet.com" in coverage_alerts(ws, "new")
    changed = copy.deepcopy(POLICY)
    changed["populations"].append({"name": "desk group mailbox", "people": ["desk-group@harborstreet.com"]})
    propose_and_approve(ws, desk, changed, "with-group.yaml")
    rows = {r["target"]: r for r in coverage_report(ws, ws.clock.now())["entries"]}
    assert rows["desk-group@harborstreet.com"]["status"] == "covered"
    assert rows["desk-group@harborstreet.com"]["policies"][0]["populations"] == ["desk group mailbox"]
    assert rows["helpdesk.agent7"]["gaps"] == ["not_in_review_scope"]


def test_an_account_nobody_captures_and_a_lapsed_exemption_are_gaps(
    ws: Workspace, clock: FixedClock, tmp_path: Path
) -> None:
    build_desk(ws, tmp_path / "desk")
    path = tmp_path / "more.csv"
    path.write_text(
        "id,kind,display_name\ntradesupport@harborstreet.com,group_mailbox,Trade Support desk\n",
        encoding="utf-8",
    )
    import_directory(ws, path, "ada")
    row = {r["target"]: r for r in coverage_report(ws, clock.now())["entries"]}[
        "tradesupport@harborstreet.com"
    ]
    assert (row["gaps"], row["captured_by"]) == (["not_captured", "not_in_review_scope"], [])
    exemption = propose_exemption(
        ws, "TradeSupport@harborstreet.com", "Retired mailbox; forwarding to ops.", date(2026, 1, 31), "paula"
    )
    approve_exemption(ws, exemption["id"], "carl")
    assert {r["target"]: r for r in coverage_report(ws, clock.now())["entries"]}[
        "tradesupport@harborstreet.com"
    ]["status"] == "exempt"
    clock.advance(timedelta(days=30))  # 4 February: the exemption has lapsed
    run = ws.controls.run("review.coverage", actor="paula")
    assert set(coverage_alerts(ws, "new")) == {"tradesupport@harborstreet.com"}
    assert run["summary"]["exempt"] == 0
    revoke = propose_exemption(
        ws, "tradesupport@harborstreet.com", "Kept for one more quarter.", date(2026, 4, 30), "paula"
    )
    revoke_exemption(ws, revoke["id"], "carl", "Proposed in error; the mailbox is live again.")
    with pytest.raises(NotFound):
        propose_exemption(
            ws, "nobody@harborstreet.com", "Not a real account at all.", date(2026, 4, 30), "paula"
        )


def test_a_source_whose_messages_are_never_in_scope_is_a_gap(ws: Workspace, tmp_path: Path) -> None:
    build_desk(ws, tmp_path / "desk")
    add_source(
        ws,
        SourceSpec(
            name="grp.client-service",
            kind="group_mailbox",
            owner="Client service desk",
            covered=("clientservice@harborstreet.com",),
            capture_state="connected",
        ),
        actor="ada",
    )
    folder = tmp_path / "group"
    folder.mkdir()
    (folder / "1.eml").write_bytes(
        mail(
            "cs1",
            "2026-01-02T09:00:00-05:00",
            "jane.doe@gmail.example",
            "clientservice@harborstreet.com",
            "Wire",
            "Please wire $5,000 to my bank.",
        )
    )
    ingest(ws, folder, source="grp.client-service", actor="ada")
    select(ws, "paula")
    ws.controls.run("review.coverage", actor="paula")
    source_alert = coverage_alerts(ws)["grp.client-service"]
    assert source_alert["rule_id"] == "review.coverage.source_not_in_review_scope"
    assert source_alert["evidence"]["messages"] == 1 and source_alert["evidence"]["evaluated"] == 1


def test_every_report_is_kept_as_a_journaled_record_with_its_json(ws: Workspace, tmp_path: Path) -> None:
    build_desk(ws, tmp_path / "desk")
    run = ws.controls.run("review.coverage", actor="paula")
    with ws.read() as conn:
        (row,) = conn.execute(sa.select(coverage_reports)).all()
    assert row.id == run["summary"]["report_id"]
    stored = json.loads(ws.blobs.get(row.report_sha256))
    assert stored["totals"]["entries"] == 2 and {e["target"] for e in stored["entries"]} >= {
        "dana@harborstreet.com",
        "lee@harborstreet.com",
        "mbx.desk",
    }
    assert verify_journal(ws.engine, ws.blobs).intact


def test_an_empty_directory_is_no_input_not_a_clean_bill(ws: Workspace) -> None:
    run = ws.controls.run("review.coverage", actor="paula")
    assert run["outcome"] == "no_input"
    report = load_report(ws)
    assert report is not None
    assert (
        "the firm directory is empty: import it with `proctor review directory import`" in report["warnings"]
    )
