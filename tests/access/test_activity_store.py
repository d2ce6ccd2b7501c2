"""Activity at rest: Parquet by system and day, each file journaled; idempotent; as-of; tamper-evident."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from proctor.access.activity_store import import_activity, imports, load_events, verify_files
from proctor.access.activity_tables import activity_files
from proctor.core.clock import FixedClock
from proctor.core.errors import InputError, IntegrityError, PermissionDenied
from proctor.platform import Workspace
from proctor.store.schema import journal_events
from tests.access.activity_firm import insurer_firm, load_insurer_log, vendor_log
from tests.access.firm import at, t


@pytest.fixture
def firm(ws: Workspace, clock: FixedClock, tmp_path: Path) -> Workspace:
    insurer_firm(ws, clock, tmp_path)
    return ws


def test_import_writes_one_journaled_parquet_file_per_system_day(
    firm: Workspace, clock: FixedClock, tmp_path: Path
) -> None:
    row = load_insurer_log(firm, clock, tmp_path)
    assert (row["lines"], row["stored"], row["quarantined"], row["already_imported"]) == (11, 11, [], False)
    with firm.read() as conn:
        files = [
            dict(r._mapping) for r in conn.execute(sa.select(activity_files).order_by(activity_files.c.day))
        ]
        kinds = [r.subject_kind for r in conn.execute(sa.select(journal_events.c.subject_kind))]
    assert [str(f["day"]) for f in files] == [
        "2017-04-25",
        "2017-05-01",
        "2017-05-02",
        "2017-05-03",
        "2017-05-04",
        "2017-05-16",
    ]
    assert all(f["path"].startswith("activity/system=insurer/day=") for f in files)
    assert sum(f["rows"] for f in files) == 11
    assert kinds.count("access.activity_file") == 6 and kinds.count("access.activity_import") == 1
    again = import_activity(firm, tmp_path / "insurer-may.csv", "insurer", actor="ada")
    assert again["already_imported"] and again["id"] == row["id"]
    assert len(imports(firm)) == 1


def test_events_are_seen_only_as_of_the_export_that_carried_them(
    firm: Workspace, clock: FixedClock, tmp_path: Path
) -> None:
    load_insurer_log(firm, clock, tmp_path)
    before, _ = load_events(firm, as_of=t("2017-05-17T10:00:00+00:00"))
    after, files = load_events(firm, as_of=t("2017-05-17T12:00:00+00:00"))
    assert before.height == 0
    assert after.height == 11 and len(files) == 6
    assert after["ts"].is_sorted()


def test_overlapping_exports_keep_each_event_once(firm: Workspace, clock: FixedClock, tmp_path: Path) -> None:
    load_insurer_log(firm, clock, tmp_path)
    at(clock, "2017-05-18T12:00:00+00:00")
    import_activity(
        firm,
        vendor_log(
            tmp_path,
            "overlap.csv",
            "2017-05-16T08:00:00-04:00,MSI003,login,,,203.0.113.10,",
            "2017-05-17T08:00:00-04:00,MSI003,login,,,203.0.113.10,",
        ),
        "insurer",
        actor="ada",
        as_of=t("2017-05-18T11:00:00+00:00"),
    )
    events, _ = load_events(firm)
    assert events.height == 12


def test_a_changed_file_is_caught_before_any_control_reads_it(
    firm: Workspace, clock: FixedClock, tmp_path: Path
) -> None:
    load_insurer_log(firm, clock, tmp_path)
    assert verify_files(firm) == []
    target = next((firm.path / "activity" / "system=insurer").glob("day=2017-05-03/*.parquet"))
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0xFF
    target.write_bytes(bytes(data))
    assert verify_files(firm) == [
        f"activity file {target.relative_to(firm.path)} does not match its journaled SHA-256"
    ]
    with pytest.raises(IntegrityError, match="does not match its journaled SHA-256"):
        load_events(firm)


def test_bad_imports_are_refused_and_late_events_quarantined(
    firm: Workspace, clock: FixedClock, tmp_path: Path
) -> None:
    at(clock, "2017-05-17T12:00:00+00:00")
    log = vendor_log(
        tmp_path,
        "late.csv",
        "2017-05-17T08:00:00-04:00,MSI001,login,,,,",
        "2017-05-17T09:00:00-04:00,MSI001,login,,,,",
    )
    with pytest.raises(InputError, match="in the future"):
        import_activity(firm, log, "insurer", actor="ada", as_of=t("2017-05-18T00:00:00+00:00"))
    with pytest.raises(PermissionDenied):
        import_activity(firm, log, "insurer", actor="ravi")
    row = import_activity(firm, log, "insurer", actor="ada", as_of=t("2017-05-17T12:00:00+00:00"))
    assert row["stored"] == 1
    assert row["quarantined"] == [
        {"line": 3, "reason": "event time is after the export was taken (--as-of)", "text": ""}
    ]
