"""Activity log formats: the real Okta, Entra and CloudTrail samples, and the vendor CSV."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from proctor.access.activity_formats import parse, sniff
from proctor.core.errors import InputError
from tests.conftest import SHARED_DATA

IDP = SHARED_DATA / "idp_logs"
SAMPLES = [
    ("elastic-integrations/test-okta-system-events.log", "okta", 20),
    ("elastic-integrations/test-signinlogs-raw.log", "entra", 5),
    ("azure-sentinel/AWS_CloudTrail_Authentication_IngestedLogs.csv", "cloudtrail", 83),
]


@pytest.mark.parametrize(("name", "fmt", "lines"), SAMPLES)
def test_real_samples_every_line_stored_or_quarantined(name: str, fmt: str, lines: int) -> None:
    path = IDP / name
    if not path.exists():
        pytest.skip(f"shared data not present: {path}")
    data = path.read_bytes()
    assert sniff(data, name) == fmt
    parsed = parse(data, "idp", None, name)
    assert parsed.lines == lines
    assert len(parsed.events) + len(parsed.quarantined) == lines
    assert all(q.reason for q in parsed.quarantined)
    assert all(e["ts"].tzinfo is not None and e["login_id"] for e in parsed.events)


def test_cloudtrail_sentinel_export_reads_day_first_times_and_failures() -> None:
    path = IDP / SAMPLES[2][0]
    if not path.exists():
        pytest.skip(f"shared data not present: {path}")
    events = parse(path.read_bytes(), "aws", "cloudtrail").events
    outcomes = [e["outcome"] for e in events]
    assert outcomes.count("success") == 72 and outcomes.count("failure") == 11
    first = next(e for e in events if e["event_id"] == "190150da-f77d-428f-b699-78e570f2dae3")
    assert first["ts"] == datetime(2025, 4, 21, 9, 45, 54, tzinfo=UTC)
    assert first["login_id"] == "CATTeamIDC" and first["action"] == "login"
    root = [e for e in events if e["login_id"] == "arn:aws:iam::072643944673:root"]
    assert len(root) == 4


def test_entra_keep_me_signed_in_interrupt_is_a_failure_and_principals_are_logins() -> None:
    path = IDP / SAMPLES[1][0]
    if not path.exists():
        pytest.skip(f"shared data not present: {path}")
    events = parse(path.read_bytes(), "entra-tenant", "entra").events
    assert {e["outcome"] for e in events} == {"failure"}
    assert events[0]["login_id"] == "test@elastic.co"
    assert events[0]["ts"] == datetime(2019, 10, 18, 9, 45, 48, 72989, tzinfo=UTC)


def test_okta_session_start_is_a_login_and_other_events_keep_their_type() -> None:
    line = {
        "published": "2023-02-06T08:56:36.909Z",
        "eventType": "user.session.start",
        "uuid": "u1",
        "actor": {"alternateId": "rep@firm.example"},
        "outcome": {"result": "SUCCESS"},
        "client": {"ipAddress": "192.0.2.4"},
        "authenticationContext": {"externalSessionId": "s-1"},
    }
    other = dict(line, eventType="user.account.lock", uuid="u2", outcome={"result": "FAILURE"})
    data = (json.dumps(line) + "\n" + json.dumps(other) + "\n{broken\n").encode()
    parsed = parse(data, "okta", "okta")
    assert [(e["action"], e["outcome"], e["detail"]) for e in parsed.events] == [
        ("login", "success", "user.session.start"),
        ("other", "failure", "user.account.lock"),
    ]
    assert parsed.events[0]["session_id"] == "s-1"
    assert [(q.line, q.reason.split(":")[0]) for q in parsed.quarantined] == [(3, "not JSON")]


def test_cloudtrail_s3_data_events_name_the_object() -> None:
    records = {
        "Records": [
            {
                "eventTime": "2024-03-01T10:00:00Z",
                "eventSource": "s3.amazonaws.com",
                "eventName": "GetObject",
                "userIdentity": {"type": "IAMUser", "userName": "jdoe", "accessKeyId": "AKIA1"},
                "eventID": "e1",
                "requestParameters": {"bucketName": "client-statements", "key": "2024/C-77.pdf"},
                "sourceIPAddress": "198.51.100.7",
            },
            {
                "eventTime": "2024-03-01T10:01:00Z",
                "eventSource": "signin.amazonaws.com",
                "eventName": "ConsoleLogin",
                "userIdentity": {"userName": "jdoe"},
                "responseElements": {"ConsoleLogin": "Failure"},
                "eventID": "e2",
            },
            {"eventSource": "s3.amazonaws.com", "eventName": "GetObject", "userIdentity": {"userName": "x"}},
        ]
    }
    parsed = parse(json.dumps(records).encode(), "aws", None)
    got = [(e["action"], e["outcome"], e["record_id"]) for e in parsed.events]
    assert got == [
        ("download", "success", "s3://client-statements/2024/C-77.pdf"),
        ("login", "failure", None),
    ]
    assert [(q.line, q.reason) for q in parsed.quarantined] == [(3, "eventTime is missing")]


def test_generic_csv_quarantines_each_bad_line_with_its_line_and_reason() -> None:
    data = (
        b"ts,login_id,action,record_id,record_type,client_ip,detail\n"
        b"2017-05-03T10:00:00-04:00,MSI002,login,,,203.0.113.9,\n"
        b"2017-05-03T10:03:00,MSI002,download,C-1,customer,,no zone\n"
        b"2017-05-03T10:03:00-04:00,MSI002,teleport,C-1,customer,,\n"
        b"2017-05-03T10:03:00-04:00,,view,C-1,customer,,\n"
        b"2017-05-03T10:03:00-04:00,MSI002,print,,customer,,\n"
        b"2017-05-03T10:03:00-04:00,MSI002,view\n"
        b'2017-05-03T10:04:00-04:00,MSI002,print,C-1,customer,,"two\nlines"\n'
    )
    parsed = parse(data, "insurer", "csv")
    assert parsed.lines == 7
    assert [e["action"] for e in parsed.events] == ["login", "print"]
    assert parsed.events[1]["line"] == 8 and parsed.events[1]["detail"] == "two\nlines"
    reasons = {q.line: q.reason for q in parsed.quarantined}
    assert reasons[3].endswith("has no time zone offset")
    assert "is not one of" in reasons[4]
    assert reasons[5] == "no login id (actor) in the event"
    assert reasons[6] == "a print needs a record_id (which record was touched)"
    assert reasons[7] == "3 fields where the header has 7"


def test_generic_csv_without_its_columns_is_refused_naming_the_column() -> None:
    with pytest.raises(InputError, match="missing column"):
        parse(b"ts,login\n2017-01-01T00:00:00Z,x\n", "insurer", "csv", "log.csv")
    with pytest.raises(InputError, match="unknown log format"):
        parse(b"hello\n", "insurer", None, "log.txt")
