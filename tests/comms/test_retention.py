"""Retention schedules: regulatory floors, versions under four eyes, retain-until on every record."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
import typer
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from typer.testing import CliRunner

from proctor.cli.comms_records_cmd import register as register_commands
from proctor.comms import retention_tables
from proctor.comms.retention import packaged_schedule, retention_for, schedule_from_yaml
from proctor.comms.retention_changes import (
    apply_schedule,
    approve_schedule,
    list_versions,
    propose_schedule,
    reject_schedule,
)
from proctor.comms.tables import messages
from proctor.core.errors import InputError, InvalidTransition, PermissionDenied
from proctor.journal.verify import verify_journal
from proctor.platform.migrate import upgrade_to_head
from proctor.store.db import create_engine
from proctor.store.schema import metadata
from tests.comms.records_support import desk_traffic, ingest_emails, register

FIRM_SCHEDULE = """\
version: "harbor-2026.1"
effective_from: "2026-01-01"
source: "Harbor Street WSP 7.2; 17 CFR 240.17a-4(b)(4); FINRA Rule 4511(b)"
default: {retain_years: 6, accessible_years: 2, citation: "FINRA Rule 4511(b)"}
rules:
  - {kind: mailbox, retain_years: 7, accessible_years: 2, citation: "17 CFR 240.17a-4(b)(4); WSP 7.2"}
  - {kind: chat_workspace, retain_years: 3, accessible_years: 2, citation: "17 CFR 240.17a-4(b)(4)"}
"""


def write_schedule(tmp_path: Path, text: str = FIRM_SCHEDULE, name: str = "harbor-2026.1.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_packaged_baseline_keeps_communications_three_years_two_accessible() -> None:
    schedule = packaged_schedule()
    terms = schedule.terms("mailbox", datetime(2026, 1, 5, 14, 30, tzinfo=UTC))
    assert terms.citation == "17 CFR 240.17a-4(b)(4)"
    assert terms.accessible_until == datetime(2028, 1, 5, 14, 30, tzinfo=UTC)
    assert terms.retain_until == datetime(2029, 1, 5, 14, 30, tzinfo=UTC)
    for kind in ("group_mailbox", "chat_workspace", "chat_channel", "customer_service", "sms_mobile"):
        assert schedule.rule_for(kind).retain_years == 3


def test_a_kind_the_schedule_does_not_name_gets_the_six_year_default() -> None:
    terms = packaged_schedule().terms("voice_recording", datetime(2026, 3, 2, tzinfo=UTC))
    assert terms.citation == "FINRA Rule 4511(b)"
    assert terms.retain_until == datetime(2032, 3, 2, tzinfo=UTC)


def test_leap_day_moves_forward_never_back() -> None:
    until = packaged_schedule().retain_until("sms_mobile", datetime(2024, 2, 29, 9, tzinfo=UTC))
    assert until == datetime(2027, 3, 1, 9, tzinfo=UTC)


def test_a_local_send_time_is_kept_as_the_same_instant_in_utc() -> None:
    new_york = datetime(2026, 1, 5, 21, 30, tzinfo=ZoneInfo("America/New_York"))
    until = packaged_schedule().retain_until("mailbox", new_york)
    assert until == datetime(2029, 1, 6, 2, 30, tzinfo=UTC)
    assert until.tzinfo == UTC


def test_a_time_without_a_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        packaged_schedule().terms("mailbox", datetime(2026, 1, 5, 9, 30))


@pytest.mark.parametrize(
    ("rules", "field", "message"),
    [
        (
            "  - {kind: mailbox, retain_years: 2, accessible_years: 2, citation: x}",
            "rules[0].retain_years",
            "3-year",
        ),
        (
            "  - {kind: mailbox, retain_years: 3, accessible_years: 1, citation: x}",
            "rules[0].accessible_years",
            "2-year",
        ),
        ("  - {kind: mailbox, retain_years: 3, accessible_years: 2}", "rules[0].citation", "required"),
        (
            "  - {kind: mailbox, retain_years: three, accessible_years: 2, citation: x}",
            "rules[0].retain_years",
            "whole",
        ),
    ],
)
def test_a_schedule_below_the_regulatory_floor_is_refused_naming_file_and_field(
    rules: str, field: str, message: str
) -> None:
    text = FIRM_SCHEDULE.split("rules:")[0] + "rules:\n" + rules + "\n"
    with pytest.raises(InputError, match=message) as caught:
        schedule_from_yaml(text, "wsp.yaml")
    assert (caught.value.file, caught.value.field) == ("wsp.yaml", field)


def test_default_below_six_years_is_refused() -> None:
    text = FIRM_SCHEDULE.replace("default: {retain_years: 6", "default: {retain_years: 5")
    with pytest.raises(InputError, match="FINRA Rule 4511") as caught:
        schedule_from_yaml(text, "wsp.yaml")
    assert caught.value.field == "default.retain_years"


def test_until_a_version_is_approved_the_packaged_baseline_is_in_force(ws) -> None:
    with ws.read() as conn:
        version, until = retention_for(conn, "mailbox", datetime(2026, 1, 5, tzinfo=UTC))
    assert (version, until) == ("comms-retention-2025.1", datetime(2029, 1, 5, tzinfo=UTC))


def test_a_new_version_needs_a_second_person_to_approve_it(ws, tmp_path: Path) -> None:
    path = write_schedule(tmp_path)
    proposed = propose_schedule(ws, "paula", path, "WSP 7.2 keeps e-mail seven years")
    assert proposed["status"] == "proposed"
    with ws.read() as conn:
        assert retention_for(conn, "mailbox", datetime(2026, 1, 5, tzinfo=UTC))[0] == "comms-retention-2025.1"
    with pytest.raises(PermissionDenied, match="different person"):
        approve_schedule(ws, "paula", "harbor-2026.1")
    with pytest.raises(PermissionDenied):
        approve_schedule(ws, "ravi", "harbor-2026.1")
    approved = approve_schedule(ws, "carl", "harbor-2026.1")
    assert (approved["status"], approved["decided_by"]) == ("approved", "carl")
    with ws.read() as conn:
        version, until = retention_for(conn, "mailbox", datetime(2026, 1, 5, tzinfo=UTC))
    assert (version, until) == ("harbor-2026.1", datetime(2033, 1, 5, tzinfo=UTC))
    with pytest.raises(InvalidTransition):
        reject_schedule(ws, "carl", "harbor-2026.1")
    in_force = [v["version"] for v in list_versions(ws) if v["in_force"]]
    assert in_force == ["harbor-2026.1"]
    assert verify_journal(ws.engine, ws.blobs).intact


def test_a_version_effective_in_the_future_is_not_yet_in_force(ws, tmp_path: Path) -> None:
    future = FIRM_SCHEDULE.replace('"2026-01-01"', '"2026-07-01"')
    propose_schedule(ws, "paula", write_schedule(tmp_path, future), "WSP 7.2 from the second half")
    approve_schedule(ws, "carl", "harbor-2026.1")
    versions = {v["version"]: v for v in list_versions(ws)}
    assert versions["harbor-2026.1"]["effective_from"] == date(2026, 7, 1)
    assert versions["comms-retention-2025.1"]["in_force"]
    assert not versions["harbor-2026.1"]["in_force"]


def test_proposals_need_a_reason_and_a_fresh_version(ws, tmp_path: Path) -> None:
    path = write_schedule(tmp_path)
    with pytest.raises(InputError, match="reason"):
        propose_schedule(ws, "paula", path, "ok")
    propose_schedule(ws, "paula", path, "WSP 7.2 keeps e-mail seven years")
    with pytest.raises(InputError, match="already exists"):
        propose_schedule(ws, "carl", path, "WSP 7.2 keeps e-mail seven years")
    baseline = FIRM_SCHEDULE.replace("harbor-2026.1", "comms-retention-2025.1")
    with pytest.raises(InputError, match="packaged baseline"):
        propose_schedule(ws, "carl", write_schedule(tmp_path, baseline, "b.yaml"), "copy of the baseline")


def test_applying_a_new_schedule_moves_every_record_and_journals_each_change(ws, tmp_path: Path) -> None:
    register(ws)
    ingest_emails(ws, tmp_path / "mail", desk_traffic(datetime(2025, 11, 3, 14, tzinfo=UTC), 12))
    with ws.read() as conn:
        before = {r.id: r for r in conn.execute(sa.select(messages))}
    assert {r.retention_rule for r in before.values()} == {"comms-retention-2025.1"}
    assert all(r.retain_until == r.sent_at.replace(year=r.sent_at.year + 3) for r in before.values())

    propose_schedule(ws, "paula", write_schedule(tmp_path), "WSP 7.2 keeps e-mail seven years")
    approve_schedule(ws, "carl", "harbor-2026.1")
    result = apply_schedule(ws, "paula")
    assert result == {"version": "harbor-2026.1", "checked": 12, "changed": 12}
    with ws.read() as conn:
        after = {r.id: r for r in conn.execute(sa.select(messages))}
        changes = conn.execute(
            sa.text(
                "SELECT count(*) FROM journal_events WHERE event_type = 'comms.message.retention_changed'"
            )
        ).scalar_one()
    assert changes == 12
    assert all(r.retain_until == r.sent_at.replace(year=r.sent_at.year + 7) for r in after.values())
    assert apply_schedule(ws, "paula")["changed"] == 0
    assert verify_journal(ws.engine, ws.blobs).intact


RECORDS_TABLES = {"comms_retention_versions", "comms_holds", "comms_hold_items", "comms_disposals"}


def _records_only(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    table = name if type_ == "table" else getattr(getattr(obj, "table", None), "name", None)
    return table in RECORDS_TABLES


def test_migration_builds_exactly_the_records_tables(tmp_path: Path, db_url: str) -> None:
    url = db_url or f"sqlite+pysqlite:///{tmp_path / 'schema.db'}"
    from proctor.bootstrap import migration_folders

    upgrade_to_head(url, migration_folders())
    declared = {t.name for t in (retention_tables.retention_versions, retention_tables.hold_items)}
    assert declared <= RECORDS_TABLES
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(
                conn, opts={"compare_type": True, "include_object": _records_only}
            )
            diff = compare_metadata(ctx, metadata)
            present = set(sa.inspect(conn).get_table_names())
    finally:
        engine.dispose()
    assert present >= RECORDS_TABLES
    assert diff == []


def test_cli_retention_import_approve_list_and_apply(ws, tmp_path: Path) -> None:
    app = typer.Typer()
    register_commands(app)
    runner = CliRunner()
    common = ["--workspace", str(ws.path)]
    register(ws)
    ingest_emails(ws, tmp_path / "mail", desk_traffic(datetime(2025, 11, 3, 14, tzinfo=UTC), 2))
    path = write_schedule(tmp_path)
    steps = [
        ["retention", "import", str(path), "--reason", "WSP 7.2 keeps e-mail seven years", "--as", "paula"],
        ["retention", "approve", "harbor-2026.1", "--as", "carl"],
        ["retention", "apply", "--as", "paula", "--json"],
    ]
    outputs = []
    for step in steps:
        result = runner.invoke(app, [*step, *common])
        assert result.exit_code == 0, result.output
        outputs.append(result.output)
    assert json.loads(outputs[-1]) == {"version": "harbor-2026.1", "checked": 2, "changed": 2}
    listed = json.loads(runner.invoke(app, ["retention", "list", "--json", *common]).output)
    assert [(v["version"], v["in_force"]) for v in listed] == [
        ("comms-retention-2025.1", False),
        ("harbor-2026.1", True),
    ]
    shown = runner.invoke(app, ["retention", "show", "--json", *common])
    rules = {r["kind"]: r["retain_years"] for r in json.loads(shown.output)["rules"]}
    assert rules == {"chat_workspace": 3, "mailbox": 7}
    refused = runner.invoke(app, ["retention", "approve", "harbor-2026.1", "--as", "carl", *common])
    assert refused.exit_code != 0
