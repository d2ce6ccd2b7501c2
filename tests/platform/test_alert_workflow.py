"""The alert workflow a compliance team runs every day, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from proctor.core.alerts import AlertDraft, Severity, Subject
from proctor.core.errors import InputError, InvalidTransition, PermissionDenied
from proctor.platform.alerts import AlertQuery


def lexicon_hit(severity: Severity = Severity.MEDIUM, sender: str = "jdoe@harborstreet.com") -> AlertDraft:
    return AlertDraft(
        control="review.lexicon",
        rule_id="review.lexicon.guarantee",
        rule_version="3",
        title=f"'guaranteed return' in a message from {sender}",
        severity=severity,
        subjects=(Subject("person", sender),),
        evidence={"message_id": "<abc@harborstreet.com>", "term": "guaranteed return"},
        params={"lexicon": "sales-v3"},
    )


def test_raising_the_same_finding_twice_keeps_one_open_alert(ws):
    first = ws.alerts.raise_alert(lexicon_hit(), actor="paula")
    again = ws.alerts.raise_alert(lexicon_hit(), actor="paula")
    assert first == again
    rows, total = ws.alerts.query(AlertQuery(status="open"))
    assert total == 1
    assert rows[0]["status"] == "new"
    assert rows[0]["rule_version"] == "3"


def test_reviewer_works_an_alert_to_closed_with_rationale(ws):
    alert_id = ws.alerts.raise_alert(lexicon_hit(), actor="paula")
    ws.alerts.assign(alert_id, "ravi", actor="paula")
    ws.alerts.start(alert_id, actor="ravi")
    with pytest.raises(InvalidTransition, match="rationale"):
        ws.alerts.close(alert_id, "no_action", "ok", actor="ravi")
    closed = ws.alerts.close(
        alert_id, "no_action", "Customer asked about a CD rate; no promise made.", actor="ravi"
    )
    assert closed["status"] == "closed"
    assert closed["disposition"] == "no_action"
    assert closed["closed_at"] is not None
    with pytest.raises(InvalidTransition):
        ws.alerts.close(alert_id, "no_action", "Closing a second time should not work.", actor="ravi")


def test_high_severity_closing_needs_a_second_person(ws):
    alert_id = ws.alerts.raise_alert(lexicon_hit(Severity.HIGH), actor="paula")
    ws.alerts.assign(alert_id, "ravi", actor="paula")
    proposed = ws.alerts.close(
        alert_id, "false_positive", "Quoted a published fund prospectus.", actor="ravi"
    )
    assert proposed["status"] == "pending_approval"
    assert proposed["disposition"] is None
    with pytest.raises(PermissionDenied):  # reviewers cannot approve at all
        ws.alerts.approve(alert_id, actor="rita")
    approved = ws.alerts.approve(alert_id, actor="paula", comment="Agree.")
    assert approved["status"] == "closed"
    assert approved["disposition"] == "false_positive"
    assert approved["approved_by"] == "paula"


def test_proposer_cannot_approve_their_own_closing(ws):
    alert_id = ws.alerts.raise_alert(lexicon_hit(Severity.CRITICAL), actor="paula")
    ws.alerts.assign(alert_id, "paula", actor="paula")
    ws.alerts.close(alert_id, "no_action", "Reviewed with the desk head; benign.", actor="paula")
    with pytest.raises(PermissionDenied, match="four-eyes"):
        ws.alerts.approve(alert_id, actor="paula")
    ws.alerts.reject(alert_id, "Need the recorded call before closing.", actor="carl")
    assert ws.alerts.get(alert_id)["status"] == "in_review"


def test_nobody_reviews_an_alert_about_themselves(ws):
    alert_id = ws.alerts.raise_alert(lexicon_hit(sender="ravi@harborstreet.com"), actor="paula")
    with pytest.raises(PermissionDenied, match="concerns them"):
        ws.alerts.assign(alert_id, "ravi", actor="paula")
    ws.alerts.assign(alert_id, "rita", actor="paula")
    with pytest.raises(PermissionDenied, match="concerns them"):
        ws.alerts.note(alert_id, "Looks fine to me.", actor="ravi")


def test_auditor_reads_everything_and_changes_nothing(ws):
    alert_id = ws.alerts.raise_alert(lexicon_hit(), actor="paula")
    rows, total = ws.alerts.query(AlertQuery(), ws.users.get("otto"))
    assert total == 1 and rows[0]["id"] == alert_id
    with pytest.raises(PermissionDenied):
        ws.alerts.assign(alert_id, "otto", actor="otto")
    with pytest.raises(PermissionDenied):
        ws.alerts.close(alert_id, "no_action", "Auditors do not close alerts.", actor="otto")


def test_reviewer_sees_only_their_queue(ws):
    mine = ws.alerts.raise_alert(lexicon_hit(sender="a@client.com"), actor="paula")
    ws.alerts.raise_alert(lexicon_hit(sender="b@client.com"), actor="paula")
    ws.alerts.assign(mine, "rita", actor="paula")
    rows, total = ws.alerts.query(AlertQuery(), ws.users.get("rita"))
    assert [r["id"] for r in rows] == [mine] and total == 1
    with pytest.raises(PermissionDenied):
        ws.alerts.view(ws.alerts.query(AlertQuery(assignee=None))[0][-1]["id"], ws.users.get("ravi"))


def test_viewing_customer_npi_is_journaled(ws):
    draft = AlertDraft(
        control="access.post_termination",
        rule_id="access.npi_download",
        rule_version="1",
        title="Terminated rep downloaded customer records",
        severity=Severity.CRITICAL,
        subjects=(Subject("person", "E1042"),),
        evidence={"contains_npi": True, "records": 212},
    )
    alert_id = ws.alerts.raise_alert(draft, actor="paula")
    ws.alerts.view(alert_id, ws.users.get("otto"))
    from proctor.journal.query import subject_events

    with ws.read() as conn:
        events = [e.event_type for e in subject_events(conn, alert_id)]
    assert events == ["alert.raised", "npi.viewed"]


def test_escalating_to_a_case_closes_the_alert_into_it(ws):
    a1 = ws.alerts.raise_alert(lexicon_hit(sender="x@client.com"), actor="paula")
    a2 = ws.alerts.raise_alert(lexicon_hit(sender="y@client.com"), actor="paula")
    case_id = ws.cases.open_case(
        "Possible promissory language, desk 4",
        actor="paula",
        alert_ids=[a1],
        rationale="Pattern across two customers; investigate.",
    )
    ws.cases.add_alert(case_id, a2, actor="paula", rationale="Same desk, same wording; adding to the case.")
    ws.cases.note(case_id, "Pulled call recordings for both customers.", actor="paula")
    ws.cases.investigate(case_id, actor="paula")
    with pytest.raises(InvalidTransition):
        ws.cases.close(case_id, "too short", actor="paula")
    ws.cases.close(case_id, "Training delivered to the rep; letter of caution issued.", actor="paula")
    case = ws.cases.get(case_id)
    assert case["status"] == "closed"
    assert {a["id"] for a in case["alerts"]} == {a1, a2}
    assert all(a["disposition"] == "escalated" for a in case["alerts"])
    assert [n["text"] for n in case["notes"]] == ["Pulled call recordings for both customers."]


def test_bad_disposition_names_the_field(ws):
    alert_id = ws.alerts.raise_alert(lexicon_hit(), actor="paula")
    with pytest.raises(InputError, match="disposition"):
        ws.alerts.close(alert_id, "fine", "Nothing to see here at all.", actor="paula")


def test_users_need_an_admin_and_a_real_role(ws):
    with pytest.raises(PermissionDenied):
        ws.users.add("mallory", "admin", actor="ravi", password="password123")
    with pytest.raises(InputError, match="role"):
        ws.users.add("mallory", "superuser", actor="ada", password="password123")
    assert ws.users.authenticate("paula", "correct horse").role == "principal"
    with pytest.raises(PermissionDenied):
        ws.users.authenticate("paula", "wrong horse")
