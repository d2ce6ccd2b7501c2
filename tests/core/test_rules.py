"""The core's rules as plain values: roles, four eyes, transitions, canonical hashing, cadence."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from proctor.core.alerts import (
    AlertDraft,
    AlertStatus,
    Disposition,
    FourEyesPolicy,
    Severity,
    Subject,
    check_transition,
    require_rationale,
)
from proctor.core.canonical import digest, dumps
from proctor.core.clock import parse_iso
from proctor.core.controls import ControlOutcome, ControlSpec, RunOutcome, classify, missed_cadence
from proctor.core.errors import InputError, InvalidTransition, PermissionDenied
from proctor.core.evidence import KeyValues, TableBlock, default_blocks
from proctor.core.roles import ALERT_APPROVE, READ, Role, User, can, require, require_not_subject

DAY = timedelta(days=1)
T0 = datetime(2026, 3, 2, 23, 59, tzinfo=UTC)


def test_roles_follow_how_compliance_is_staffed():
    auditor = User("otto", Role.AUDITOR)
    reviewer = User("ravi", Role.REVIEWER)
    principal = User("paula", Role.PRINCIPAL)
    assert can(auditor, READ) and not can(auditor, "alert.work")
    assert not can(reviewer, ALERT_APPROVE) and can(principal, ALERT_APPROVE)
    with pytest.raises(PermissionDenied, match="reviewer"):
        require(reviewer, ALERT_APPROVE)
    with pytest.raises(PermissionDenied, match="deactivated"):
        require(User("gone", Role.ADMIN, active=False), READ)


def test_self_review_is_matched_on_any_identity_case_insensitively():
    ravi = User("ravi", Role.REVIEWER, identities=frozenset({"Ravi.Shah@HarborStreet.com"}))
    with pytest.raises(PermissionDenied, match="concerns them"):
        require_not_subject(ravi, ["ravi.shah@harborstreet.com"], "alert ALR-1")
    require_not_subject(ravi, ["someone@client.com"], "alert ALR-2")


@pytest.mark.parametrize(
    ("severity", "control", "disposition", "needs_two"),
    [
        (Severity.LOW, "comms.volume", Disposition.NO_ACTION, False),
        (Severity.HIGH, "comms.volume", Disposition.NO_ACTION, True),
        (Severity.MEDIUM, "comms.volume", Disposition.FALSE_POSITIVE, True),
        (Severity.LOW, "comms.volume", Disposition.FALSE_POSITIVE, False),
        (Severity.LOW, "reserve.deposit", Disposition.NO_ACTION, True),
        (Severity.CRITICAL, "comms.volume", Disposition.ESCALATED, False),
    ],
)
def test_four_eyes_policy(severity, control, disposition, needs_two):
    policy = FourEyesPolicy(min_severity=Severity.HIGH, controls=frozenset({"reserve.deposit"}))
    assert policy.applies(severity, control, disposition) is needs_two


def test_transitions_and_rationale():
    check_transition("close", AlertStatus.IN_REVIEW)
    with pytest.raises(InvalidTransition, match="cannot approve an alert that is new"):
        check_transition("approve", AlertStatus.NEW)
    with pytest.raises(InvalidTransition):
        require_rationale("   fine  ")
    assert (
        require_rationale("  Explained by the desk's hedging program.  ")
        == "Explained by the desk's hedging program."
    )


def test_same_finding_has_the_same_key_and_different_subjects_do_not():
    def draft(subject: str) -> AlertDraft:
        return AlertDraft(
            "c", "r", "1", "t", Severity.LOW, (Subject("person", subject),), {}, params={"k": 1}
        )

    assert draft("a").key() == draft("a").key()
    assert draft("a").key() != draft("b").key()


def test_canonical_form_is_stable_across_key_order_and_types():
    a = {"b": Decimal("1.10"), "a": [datetime(2026, 1, 2, 3, 4, tzinfo=UTC), b"\x01"]}
    b = {"a": [datetime(2026, 1, 2, 3, 4, tzinfo=UTC), b"\x01"], "b": Decimal("1.10")}
    assert dumps(a) == dumps(b) == '{"a":["2026-01-02T03:04:00.000000Z","01"],"b":"1.10"}'
    assert digest(a) == digest(b)
    with pytest.raises(TypeError):
        dumps({"x": object()})


def test_as_of_parsing():
    assert parse_iso("2026-03-02") == T0.replace(second=59)
    assert parse_iso("2026-03-02T10:00:00-05:00") == datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def test_missing_input_is_never_a_pass_and_late_runs_are_missed():
    spec = ControlSpec("comms.volume", "Volume", "comms", DAY, lambda ctx: ControlOutcome(0, ""))
    assert classify(spec, ControlOutcome(0, "")) is RunOutcome.NO_INPUT
    assert classify(spec, ControlOutcome(5, "h")) is RunOutcome.PASSED
    assert not missed_cadence(spec, T0, T0 - 10 * DAY, T0 + DAY)
    assert missed_cadence(spec, T0, T0 - 10 * DAY, T0 + DAY * 1.2)
    assert missed_cadence(spec, None, T0 - 2 * DAY, T0)


def test_input_error_names_file_row_and_field():
    err = InputError("not a number", file="trial_balance.csv", row=17, field="amount")
    assert str(err) == "trial_balance.csv, row 17, field 'amount': not a number"


def test_default_evidence_blocks():
    blocks = default_blocks({"source": "sales-desk", "days": [{"day": "2026-01-05", "stored": 0}]})
    assert isinstance(blocks[0], KeyValues) and blocks[0].items == [("source", "sales-desk")]
    assert isinstance(blocks[1], TableBlock) and blocks[1].rows == [["2026-01-05", 0]]
