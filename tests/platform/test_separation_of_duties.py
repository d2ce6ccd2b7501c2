"""Separation of duties without holes: every write checks what reading checks; no one-person shortcuts;
settings that decide what is supervised change only with a second person."""

from __future__ import annotations

import pytest

from proctor.bootstrap import open_workspace
from proctor.core.alerts import AlertDraft, Severity, Subject
from proctor.core.errors import InputError, NotFound, PermissionDenied
from proctor.journal.verify import verify_journal


def hit(severity: Severity = Severity.HIGH, who: str = "jdoe@harborstreet.com") -> AlertDraft:
    return AlertDraft(
        control="review.lexicon",
        rule_id="review.lexicon.guarantee",
        rule_version="3",
        title=f"'guaranteed return' in a message from {who}",
        severity=severity,
        subjects=(Subject("person", who),),
        evidence={"term": "guaranteed return"},
    )


def test_closing_as_escalated_needs_a_case(ws):
    alert = ws.alerts.raise_alert(hit(Severity.CRITICAL), actor="paula")
    ws.alerts.assign(alert, "ravi", actor="paula")
    with pytest.raises(InputError, match="escalated into a case"):
        ws.alerts.close(alert, "escalated", "Serious; escalating on my own say-so.", actor="ravi")
    with pytest.raises(InputError, match="escalated into a case"):
        ws.alerts.close(alert, "escalated", "Serious; escalating on my own say-so.", actor="paula")
    assert ws.alerts.get(alert)["status"] == "assigned"
    case = ws.cases.open_case(
        "Promissory language", actor="ravi", alert_ids=[alert], rationale="Needs a case."
    )
    closed = ws.alerts.get(alert)
    assert (closed["disposition"], closed["case_id"]) == ("escalated", case)


def test_a_reviewer_cannot_take_or_work_another_reviewers_alert(ws):
    alert = ws.alerts.raise_alert(hit(), actor="paula")
    ws.alerts.assign(alert, "rita", actor="paula")
    with pytest.raises(PermissionDenied, match="not in ravi's queue"):
        ws.alerts.assign(alert, "ravi", actor="ravi")
    with pytest.raises(PermissionDenied, match="not in ravi's queue"):
        ws.alerts.note(alert, "I had a look at it too.", actor="ravi")
    with pytest.raises(PermissionDenied, match="not in ravi's queue"):
        ws.cases.open_case("Taking it over", actor="ravi", alert_ids=[alert], rationale="Escalating it.")
    with pytest.raises(PermissionDenied, match="not in ravi's queue"):
        ws.alerts.start(alert, actor="ravi")
    row = ws.alerts.get(alert)
    assert (row["assignee"], row["status"], row["case_id"]) == ("rita", "assigned", None)
    assert ws.alerts.notes(alert) == []
    ws.alerts.note(alert, "Looked at the evidence; asking the desk.", actor="rita")  # her own queue


def test_a_reviewer_cannot_take_or_annotate_a_case_he_cannot_see(ws):
    alert = ws.alerts.raise_alert(hit(), actor="paula")
    case = ws.cases.open_case("Desk 4 pattern", actor="paula", alert_ids=[alert], rationale="Investigate.")
    for attempt in (
        lambda: ws.cases.assign(case, "ravi", actor="ravi"),
        lambda: ws.cases.note(case, "Adding my view.", actor="ravi"),
        lambda: ws.cases.investigate(case, actor="ravi"),
        lambda: ws.cases.escalate(case, "I think it is serious.", actor="ravi"),
    ):
        with pytest.raises(NotFound):
            attempt()
    with pytest.raises(NotFound):
        ws.cases.get(case, viewer="ravi")
    assert ws.cases.get(case)["assignee"] == "paula"
    ws.cases.assign(case, "ravi", actor="paula")  # a principal hands it over; now it is his
    ws.cases.note(case, "Requested the call recordings.", actor="ravi")


def test_four_eyes_threshold_comes_from_the_approved_setting_not_the_file(ws):
    toml = ws.path / "proctor.toml"
    toml.write_text(
        toml.read_text().replace('four_eyes_min_severity = "high"', 'four_eyes_min_severity = "critical"')
    )
    reopened = open_workspace(ws.path, clock=ws.clock)
    try:
        assert reopened.config.four_eyes.min_severity == "high"  # the file is ignored ...
        assert any("four_eyes_min_severity" in w for w in reopened.settings.warnings)  # ... loudly
        alert = reopened.alerts.raise_alert(hit(Severity.HIGH), actor="paula")
        reopened.alerts.assign(alert, "ravi", actor="paula")
        row = reopened.alerts.close(alert, "no_action", "Quoted a published prospectus.", actor="ravi")
        assert row["status"] == "pending_approval"  # still needs the second person
    finally:
        reopened.close()


def test_changing_a_threshold_needs_a_second_person_and_is_journaled(ws):
    change = ws.settings.propose(
        "alerts.four_eyes_min_severity", "critical", actor="paula", reason="Fewer approvals for high alerts"
    )
    with pytest.raises(PermissionDenied, match="four-eyes"):
        ws.settings.approve(change, actor="paula")
    with pytest.raises(PermissionDenied):
        ws.settings.approve(change, actor="ravi")  # reviewers approve nothing
    assert ws.config.four_eyes.min_severity == "high"
    ws.settings.approve(change, actor="carl")
    assert ws.config.four_eyes.min_severity == "critical"
    assert ws.settings.values()["alerts.four_eyes_min_severity"] == "critical"
    assert verify_journal(ws.engine, ws.blobs).intact
    with pytest.raises(InputError, match="unknown setting"):
        ws.settings.propose("alerts.nobody_checks", True, actor="paula", reason="Sneaky")


def test_a_role_change_is_proposed_by_one_admin_and_approved_by_another(ws):
    ws.users.add("alex", "admin", actor="ada", password="correct horse")
    change = ws.settings.propose("role:ravi", "principal", actor="ada", reason="Promoted to branch manager")
    with pytest.raises(PermissionDenied):
        ws.settings.approve(change, actor="paula")  # principals do not hand out roles
    with pytest.raises(PermissionDenied, match="four-eyes"):
        ws.settings.approve(change, actor="ada")
    ws.settings.approve(change, actor="alex")
    assert ws.users.get("ravi").role == "principal"


def test_a_settings_row_changed_behind_proctors_back_is_found(ws):
    from proctor.platform.security_tables import settings

    with ws.engine.begin() as conn:
        conn.execute(
            settings.update()
            .where(settings.c.key == "alerts.four_eyes_min_severity")
            .values(value="critical")
        )
    problems = verify_journal(ws.engine, ws.blobs).problems
    assert any(p.kind == "record_altered" and "alerts.four_eyes_min_severity" in p.where for p in problems)
