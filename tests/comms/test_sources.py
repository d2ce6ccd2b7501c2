"""The source inventory: registration, changes, the CSV import, and who may change it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from proctor.comms import api
from proctor.comms.sources import SourceSpec, add_source, import_sources_csv, set_capture_state, update_source
from proctor.core.errors import InputError, NotFound, PermissionDenied
from proctor.platform import Workspace
from proctor.store.schema import journal_events

INVENTORY = (
    "name,kind,owner,covered,cadence_hours,baseline_daily,timezone,capture_state,connected_at,review_connected\n"
    "mbx.dana,mailbox,Dana Whitfield,dana@harborstreet.com,24,40,America/New_York,connected,"
    "2025-12-01T00:00:00Z,yes\n"
    "grp.client-service,group_mailbox,Client Service,clientservice@harborstreet.com;cs-lead@harborstreet.com,"
    "24,,America/New_York,,,no\n"
    "zendesk.support,customer_service,Support desk,,6,120,UTC,connected,2025-12-15T14:00:00Z,no\n"
)


def test_register_list_and_change_a_source_with_every_change_journaled(ws: Workspace) -> None:
    spec = SourceSpec(
        name="grp.client-service",
        kind="group_mailbox",
        owner="Client Service desk",
        covered=("clientservice@harborstreet.com",),
        timezone="America/New_York",
    )
    row = add_source(ws, spec, actor="ada")
    assert row["capture_state"] == "never_connected" and row["connected_at"] is None
    assert row["review_connected"] is False
    connected = set_capture_state(ws, "grp.client-service", "connected", actor="paula")
    assert connected["capture_state"] == "connected" and connected["connected_at"] == ws.clock.now()
    update_source(ws, "grp.client-service", actor="paula", review_connected=True)
    with ws.read() as conn:
        (listed,) = api.list_sources(conn)
        events = conn.execute(
            sa.select(journal_events.c.event_type).where(journal_events.c.subject_id == "grp.client-service")
        ).all()
    assert listed["review_connected"] is True and listed["covered"] == ["clientservice@harborstreet.com"]
    assert [e.event_type for e in events] == [
        "comms.source.added",
        "comms.source.changed",
        "comms.source.changed",
    ]


def test_bad_registrations_are_refused_naming_the_field(ws: Workspace) -> None:
    with pytest.raises(InputError, match="'fax' is not one of mailbox"):
        add_source(ws, SourceSpec(name="fax", kind="fax", owner="it"), actor="ada")
    with pytest.raises(InputError, match="unknown time zone 'Mars/Olympus'"):
        add_source(ws, SourceSpec(name="x", kind="mailbox", owner="it", timezone="Mars/Olympus"), actor="ada")
    add_source(ws, SourceSpec(name="mbx.dana", kind="mailbox", owner="Dana"), actor="ada")
    with pytest.raises(InputError, match="already registered"):
        add_source(ws, SourceSpec(name="mbx.dana", kind="mailbox", owner="Dana"), actor="ada")
    with pytest.raises(NotFound, match=r"no source named 'mbx\.nobody'"):
        update_source(ws, "mbx.nobody", actor="ada", owner="x")


def test_only_staff_who_may_change_policy_change_the_inventory(ws: Workspace) -> None:
    with pytest.raises(PermissionDenied):
        add_source(ws, SourceSpec(name="mbx.ravi", kind="mailbox", owner="Ravi"), actor="ravi")
    with pytest.raises(PermissionDenied):
        add_source(ws, SourceSpec(name="mbx.ravi", kind="mailbox", owner="Ravi"), actor="otto")


def test_csv_inventory_imports_and_reimports_idempotently(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "sources.csv"
    path.write_text(INVENTORY)
    assert import_sources_csv(ws, path, actor="ada") == {
        "added": ["mbx.dana", "grp.client-service", "zendesk.support"],
        "changed": [],
        "unchanged": [],
    }
    with ws.read() as conn:
        rows = {r["name"]: r for r in api.list_sources(conn)}
    assert rows["grp.client-service"]["capture_state"] == "never_connected"
    assert rows["grp.client-service"]["covered"] == [
        "clientservice@harborstreet.com",
        "cs-lead@harborstreet.com",
    ]
    assert rows["mbx.dana"]["connected_at"] == datetime(2025, 12, 1, tzinfo=UTC)
    assert rows["zendesk.support"]["cadence_hours"] == 6 and rows["zendesk.support"]["baseline_daily"] == 120
    again = import_sources_csv(ws, path, actor="ada")
    assert again["unchanged"] == ["mbx.dana", "grp.client-service", "zendesk.support"]
    path.write_text(INVENTORY.replace("Support desk,,6", "Support desk,,12"))
    assert import_sources_csv(ws, path, actor="ada")["changed"] == ["zendesk.support"]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("sms.reps,sms,IT,,24,,,,,no", "row 2, field 'kind'"),
        ("sms.reps,sms_mobile,IT,,daily,,,,,no", "row 2, field 'cadence_hours': not a whole number: 'daily'"),
        ("sms.reps,sms_mobile,IT,,24,,,,,maybe", "row 2, field 'review_connected': not yes/no: 'maybe'"),
        ("sms.reps,sms_mobile,IT,,24,,,never_connected,2025-01-01,no", "field 'connected_at'"),
        ("sms.reps,sms_mobile,,,24,,,,,no", "field 'owner': every source needs an owner"),
    ],
)
def test_a_bad_csv_row_names_file_row_and_field_and_writes_nothing(
    sqlite_ws: Workspace, tmp_path: Path, row: str, message: str
) -> None:
    header = INVENTORY.splitlines()[0]
    path = tmp_path / "bad.csv"
    path.write_text(f"{header}\n{row}\n")
    with pytest.raises(InputError, match=message) as info:
        import_sources_csv(sqlite_ws, path, actor="ada")
    assert str(path) in str(info.value)
    with sqlite_ws.read() as conn:
        assert api.list_sources(conn) == []
