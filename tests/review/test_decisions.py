"""Reviewing an item: no issue, escalate, request information; evidence of review; deadlines."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from proctor.core.alerts import AlertDraft, Severity, Subject
from proctor.core.clock import FixedClock
from proctor.core.errors import InvalidTransition
from proctor.platform import Workspace
from proctor.platform.calendar import NYSE
from proctor.review.decisions import decide, queue, review_log
from proctor.review.errors import ReviewError
from proctor.review.evidence import EVIDENCE_RENDERERS
from proctor.review.run import select
from proctor.review.sla import overdue
from tests.review.review_support import Desk, build_desk, item_for


def reviewed(ws: Workspace, tmp_path: Path) -> tuple[Desk, dict[str, str]]:
    desk = build_desk(ws, tmp_path / "desk")
    select(ws, "paula")
    ids = {}
    for tag in ("guarantee", "complaint", "evasion", "to_ravi"):
        alert = item_for(ws, desk.ids[tag])
        assert alert is not None
        ids[tag] = alert["id"]
    return desk, ids


def test_no_issue_closes_the_item_with_the_rationale_as_evidence_of_review(
    ws: Workspace, tmp_path: Path
) -> None:
    _, ids = reviewed(ws, tmp_path)
    alert = ws.alerts.get(ids["guarantee"])
    assert (alert["severity"], alert["assignee"]) == ("medium", "ravi")
    ws.alerts.view(alert["id"], ws.users.get("ravi"))  # opening it is not reviewing it
    assert review_log(ws) == []
    result = decide(
        ws, alert["id"], "no_issue", "Investment-grade bond; coupon stated, not a promise.", actor="ravi"
    )
    assert (result.outcome, result.status) == ("closed as no_action", "closed")
    (entry,) = [e for e in review_log(ws) if e["action"] == "closed"]
    assert entry["reviewer"] == "ravi" and entry["alert_id"] == alert["id"]
    assert entry["rationale"] == "Investment-grade bond; coupon stated, not a promise."
    assert entry["message_id"] == ws.alerts.get(alert["id"])["evidence"]["message_id"]
    assert isinstance(entry["journal_seq"], int)
    assert [e["action"] for e in review_log(ws)] == ["closed"]


def test_a_high_severity_no_issue_needs_the_principals_approval(ws: Workspace, tmp_path: Path) -> None:
    _, ids = reviewed(ws, tmp_path)
    complaint = ws.alerts.get(ids["complaint"])
    reviewer = complaint["assignee"]
    result = decide(
        ws, complaint["id"], "no_issue", "Client confirmed by phone the trade was his own.", actor=reviewer
    )
    assert result.status == "pending_approval"
    ws.alerts.approve(complaint["id"], actor="paula", comment="Call recording checked.")
    actions = [(e["reviewer"], e["action"]) for e in review_log(ws) if e["alert_id"] == complaint["id"]]
    assert actions == [(reviewer, "close proposed"), ("paula", "closing approved")]


def test_a_false_positive_is_recorded_as_such_for_tuning_the_lexicon(ws: Workspace, tmp_path: Path) -> None:
    _, ids = reviewed(ws, tmp_path)
    alert_id = ids["guarantee"]
    result = decide(
        ws,
        alert_id,
        "no_issue",
        "Quoting the prospectus coupon, not a promise.",
        actor="ravi",
        false_positive=True,
    )
    assert result.status == "pending_approval"
    assert ws.alerts.get(alert_id)["proposed_disposition"] == "false_positive"
    with pytest.raises(Exception, match="only a no-issue decision"):
        decide(
            ws,
            ids["evasion"],
            "escalate",
            "Off-channel request to a client.",
            actor="rita",
            false_positive=True,
        )


def test_escalating_opens_a_case_and_requesting_information_keeps_the_item_in_review(
    ws: Workspace, tmp_path: Path
) -> None:
    _, ids = reviewed(ws, tmp_path)
    evasion = ws.alerts.get(ids["evasion"])
    escalated = decide(
        ws,
        evasion["id"],
        "escalate",
        "Rep asked a complaining client to move to text.",
        actor=evasion["assignee"],
    )
    assert escalated.case_id is not None
    case = ws.cases.get(escalated.case_id)
    assert case["title"].startswith("Review escalation: Evasion (off-channel)")
    assert ws.alerts.get(evasion["id"])["disposition"] == "escalated"

    asked = decide(ws, ids["guarantee"], "request_info", "Need the term sheet sent with it.", actor="ravi")
    assert asked.status == "in_review"
    assert ws.alerts.get(ids["guarantee"])["status"] == "in_review"
    (note,) = ws.alerts.notes(ids["guarantee"])
    assert note["text"] == "Information requested: Need the term sheet sent with it."
    assert {e["action"] for e in review_log(ws)} == {"escalated", "information requested"}


def test_a_decision_needs_a_rationale_and_a_review_item(ws: Workspace, tmp_path: Path) -> None:
    _, ids = reviewed(ws, tmp_path)
    with pytest.raises(InvalidTransition, match="rationale"):
        decide(ws, ids["guarantee"], "no_issue", "fine", actor="ravi")
    other = ws.alerts.raise_alert(
        AlertDraft(
            "comms.volume_anomaly", "r", "1", "Silent source", Severity.HIGH, (Subject("source", "x"),), {}
        ),
        actor="ada",
    )
    with pytest.raises(ReviewError, match="not a review item"):
        decide(ws, other, "no_issue", "Nothing to review here at all.", actor="paula")
    assert ws.alerts.get(ids["guarantee"])["status"] == "assigned"


def test_the_queue_lists_a_reviewers_open_items_soonest_due_first(ws: Workspace, tmp_path: Path) -> None:
    _, ids = reviewed(ws, tmp_path)
    mine = queue(ws, "ravi")
    assert {r["id"] for r in mine} == {a for a in ids.values() if ws.alerts.get(a)["assignee"] == "ravi"}
    assert all(r["policy"] == "desk-correspondence" and r["principal"] == "paula" for r in mine)
    assert len(queue(ws, "paula", everyone=True)) == 4


def test_items_past_their_deadline_raise_one_alert_naming_who_holds_them(
    ws: Workspace, clock: FixedClock, tmp_path: Path
) -> None:
    _, ids = reviewed(ws, tmp_path)
    decide(ws, ids["guarantee"], "no_issue", "Coupon stated; nothing promissory.", actor="ravi")
    assert ws.controls.run("review.sla", actor="paula")["outcome"] == "passed"
    clock.current = datetime(2026, 1, 12, 15, 0, tzinfo=UTC)  # Monday: two business days past Thursday
    late = overdue(ws, clock.now())
    assert {r["alert_id"] for r in late} == {ids["complaint"], ids["evasion"], ids["to_ravi"]}
    assert {r["business_days_overdue"] for r in late} == {2}
    run = ws.controls.run("review.sla", actor="paula")
    (alert_id,) = run["alert_ids"]
    alert = ws.alerts.get(alert_id)
    assert alert["title"] == "3 review item(s) past their review deadline"
    assert {s["id"] for s in alert["subjects"]} == {"ravi", "rita"}
    assert alert["evidence"]["count"] == 3
    summary, table = EVIDENCE_RENDERERS["review.sla"](alert["evidence"])
    assert ("items overdue", 3) in summary.items
    assert sorted(row[0] for row in table.rows) == sorted([ids["complaint"], ids["evasion"], ids["to_ravi"]])
    with pytest.raises(Exception, match="concerns them"):
        ws.alerts.assign(alert_id, "ravi", actor="paula")


def test_business_days_skip_weekends_and_market_holidays() -> None:
    assert sorted(NYSE.holidays_of(2026)) == [
        date(2026, 1, 1),
        date(2026, 1, 19),
        date(2026, 2, 16),
        date(2026, 4, 3),
        date(2026, 5, 25),
        date(2026, 6, 19),
        date(2026, 7, 3),
        date(2026, 9, 7),
        date(2026, 11, 26),
        date(2026, 12, 25),
    ]
    new_years_eve = (date(2022, 12, 31), date(2021, 12, 31))
    assert not set(new_years_eve) & NYSE.holidays_of(2022)
    assert NYSE.add_business_days(date(2026, 1, 15), 3) == date(2026, 1, 21)  # Thursday, over MLK Day
    assert NYSE.business_days_between(date(2026, 1, 16), date(2026, 1, 20)) == 1
    thursday_evening = datetime(2026, 7, 2, 23, 30, tzinfo=UTC)  # 19:30 in New York, before 3 July
    assert NYSE.deadline(thursday_evening, 1) == datetime(2026, 7, 7, 3, 59, 59, tzinfo=UTC)  # end of Monday
