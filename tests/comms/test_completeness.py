"""Completeness controls: a silent source is caught the next day; every count must reconcile."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from proctor.comms.manifests import add_manifest
from proctor.comms.plugin import EVIDENCE_RENDERERS
from proctor.comms.tables import messages, search_rows
from proctor.core.clock import FixedClock, parse_iso
from proctor.core.evidence import KeyValues, TableBlock, TimelineBlock
from proctor.platform import Workspace
from tests.comms.archive_support import daily_mail, ingest_folder, mail, register, write_folder

FIRST = date(2025, 11, 3)  # a Monday; five weeks of history before the outage
OUTAGE = date(2025, 12, 8)  # day D: the copy feature is deleted in a migration


@pytest.fixture
def controlled(ws: Workspace) -> Workspace:
    return ws


def _alerts(ws: Workspace, control: str) -> list[dict[str, object]]:
    from proctor.platform.alerts import AlertQuery

    rows, _ = ws.alerts.query(AlertQuery(control=control, page_size=100))
    return [ws.alerts.get(str(row["id"])) for row in rows]


def test_a_source_that_stops_on_day_d_is_caught_in_the_run_as_of_d_plus_1(
    controlled: Workspace, clock: FixedClock, tmp_path: Path
) -> None:
    ws = controlled
    register(ws, "grp.client-service", kind="group_mailbox")
    days = (OUTAGE - FIRST).days
    clock.current = datetime(2025, 12, 8, 12, tzinfo=UTC)
    ingest_folder(
        ws, write_folder(tmp_path / "before", daily_mail(FIRST, days, 12, "grp")), "grp.client-service"
    )
    clock.current = datetime(2025, 12, 10, 9, tzinfo=UTC)
    ingest_folder(ws, write_folder(tmp_path / "after", []), "grp.client-service")  # the feed delivers nothing

    as_of_d = ws.controls.run("comms.volume_anomaly", actor="paula", as_of=parse_iso(OUTAGE.isoformat()))
    assert as_of_d["outcome"] == "passed"  # D has not ended in New York yet
    as_of_next = ws.controls.run("comms.volume_anomaly", actor="paula", as_of=parse_iso("2025-12-09"))
    assert as_of_next["outcome"] == "findings" and as_of_next["alerts_raised"] == 1
    (alert,) = _alerts(ws, "comms.volume_anomaly")
    assert alert["title"] == "Source grp.client-service delivered nothing on 2025-12-08"
    assert alert["severity"] == "high" and alert["subject_text"] == "comms.source:grp.client-service"
    evidence = alert["evidence"]
    assert isinstance(evidence, dict) and evidence["flagged_days"] == ["2025-12-08"]
    assert [d["expected"] for d in evidence["days"]][-1] == 12.0
    # The outage goes on: the next run extends the same alert instead of opening another.
    later = ws.controls.run("comms.volume_anomaly", actor="paula", as_of=parse_iso("2025-12-10"))
    assert later["alerts_raised"] == 0 and later["alert_ids"] == [alert["id"]]
    blocks = EVIDENCE_RENDERERS["comms.volume"](evidence)
    assert any(isinstance(b, TimelineBlock) and b.points for b in blocks)


def test_weekend_quiet_and_a_normal_day_raise_nothing(controlled: Workspace, tmp_path: Path) -> None:
    ws = controlled
    register(ws, "mbx.dana")
    weekdays = [FIRST + timedelta(days=n) for n in range(35) if (FIRST + timedelta(days=n)).weekday() >= 5]
    mails = daily_mail(FIRST, 35, 10, "dana", skip=set(weekdays))
    ingest_folder(ws, write_folder(tmp_path / "dana", mails), "mbx.dana")
    run = ws.controls.run("comms.volume_anomaly", actor="paula", as_of=parse_iso("2025-12-07"))
    assert run["outcome"] == "passed", _alerts(ws, "comms.volume_anomaly")


def test_far_below_baseline_is_a_medium_alert(controlled: Workspace, tmp_path: Path) -> None:
    ws = controlled
    register(ws, "zendesk.support", kind="customer_service")
    mails = daily_mail(FIRST, 35, 20, "zd") + daily_mail(OUTAGE, 1, 3, "zd-thin")
    ingest_folder(ws, write_folder(tmp_path / "zd", mails), "zendesk.support")
    ws.controls.run("comms.volume_anomaly", actor="paula", as_of=parse_iso("2025-12-09"))
    (alert,) = _alerts(ws, "comms.volume_anomaly")
    assert alert["severity"] == "medium" and "far below its baseline on 2025-12-08" in str(alert["title"])


def test_manifest_importer_stored_and_indexed_counts_must_agree(
    controlled: Workspace, clock: FixedClock, tmp_path: Path
) -> None:
    ws = controlled
    register(ws, "zendesk.support", kind="customer_service")
    clock.current = datetime(2025, 12, 5, 15, tzinfo=UTC)
    day = date(2025, 12, 4)
    mails = daily_mail(day, 1, 3, "zd")
    ingest_folder(ws, write_folder(tmp_path / "zd", mails), "zendesk.support")
    listed = "\n".join(
        [f"<zd.20251204.{n}@harborstreet.com>" for n in range(3)] + ["zd.20251204.3@harborstreet.com"]
    )
    add_manifest(
        ws, source="zendesk.support", day=day, actor="paula", ids_file=("zd-2025-12-04.txt", listed.encode())
    )
    add_manifest(ws, source="zendesk.support", day=day - timedelta(days=1), actor="paula", count=0)
    run = ws.controls.run("comms.capture_completeness", actor="paula")
    assert run["outcome"] == "findings"
    (alert,) = _alerts(ws, "comms.capture_completeness")
    assert alert["title"] == "Source zendesk.support on 2025-12-04: source reported 4, 3 stored"
    evidence = alert["evidence"]
    assert isinstance(evidence, dict)
    assert evidence["missing_items"] == ["zd.20251204.3@harborstreet.com"]
    assert (evidence["accepted_by_importer"], evidence["stored"], evidence["indexed"]) == (3, 3, 3)
    assert any(isinstance(b, TableBlock) for b in EVIDENCE_RENDERERS["comms.capture"](evidence))


def test_a_record_lost_after_capture_or_missing_from_the_index_is_named(
    controlled: Workspace, clock: FixedClock, tmp_path: Path
) -> None:
    ws = controlled
    register(ws, "mbx.dana")
    clock.current = datetime(2025, 12, 5, 15, tzinfo=UTC)
    ingest_folder(
        ws, write_folder(tmp_path / "dana", daily_mail(date(2025, 12, 4), 1, 4, "dana")), "mbx.dana"
    )
    assert ws.controls.run("comms.capture_completeness", actor="paula")["outcome"] == "passed"
    with ws.engine.begin() as conn:  # an indexing fault and a lost row, behind the archive's back
        ids = [r.id for r in conn.execute(sa.select(messages.c.id).order_by(messages.c.id))]
        conn.execute(search_rows.delete().where(search_rows.c.message == ids[0]))
        conn.execute(messages.delete().where(messages.c.id == ids[1]))
    ws.controls.run("comms.capture_completeness", actor="paula")
    (alert,) = _alerts(ws, "comms.capture_completeness")
    assert alert["title"] == (
        "Source mbx.dana on 2025-12-04: importer accepted 4, 3 stored; 1 stored but not indexed"
    )
    assert alert["evidence"]["unindexed_items"] == [ids[0]]  # type: ignore[index]


def test_quarantined_items_are_an_alert_listing_them(controlled: Workspace, tmp_path: Path) -> None:
    ws = controlled
    register(ws, "mbx.dana")
    folder = write_folder(
        tmp_path / "dana", [mail("q1@h", "2025-12-04T09:00:00-05:00", "d@harborstreet.com", "o@x", "s", "b")]
    )
    (folder / "Thumbs.db").write_bytes(b"\x00junk")
    report = ingest_folder(ws, folder, "mbx.dana")
    ws.controls.run("comms.capture_completeness", actor="paula")
    (alert,) = _alerts(ws, "comms.capture_completeness")
    assert alert["title"] == f"Source mbx.dana: 1 item(s) quarantined in import {report.import_id}"
    assert alert["severity"] == "medium"
    items = alert["evidence"]["items"]  # type: ignore[index]
    assert [Path(i["origin"]).name for i in items] == ["Thumbs.db"]


def test_never_connected_disconnected_and_late_sources(
    controlled: Workspace, clock: FixedClock, tmp_path: Path
) -> None:
    ws = controlled
    register(ws, "sms.reps", kind="sms_mobile", capture_state="never_connected")
    register(ws, "mbx.gone", capture_state="disconnected")
    register(ws, "mbx.dana")
    register(ws, "slack.firm", kind="chat_workspace", cadence_hours=6)
    clock.current = datetime(2025, 12, 5, 6, tzinfo=UTC)
    ingest_folder(ws, write_folder(tmp_path / "d", daily_mail(date(2025, 12, 4), 1, 2, "d")), "mbx.dana")
    ingest_folder(ws, write_folder(tmp_path / "s", daily_mail(date(2025, 12, 4), 1, 2, "s")), "slack.firm")
    day_one = ws.controls.run(
        "comms.source_cadence", actor="paula", as_of=datetime(2025, 12, 5, 7, tzinfo=UTC)
    )
    titles = sorted(str(a["title"]) for a in _alerts(ws, "comms.source_cadence"))
    assert day_one["findings"] == 2 and titles == [
        "Source mbx.gone is disconnected from capture",
        "Source sms.reps is registered but was never connected for capture",
    ]
    ws.controls.run("comms.source_cadence", actor="paula", as_of=datetime(2025, 12, 5, 13, tzinfo=UTC))
    late = [a for a in _alerts(ws, "comms.source_cadence") if "slack.firm" in str(a["title"])]
    assert [a["title"] for a in late] == ["Source slack.firm last delivered 7.0 h ago; its cadence is 6 h"]
    assert isinstance(EVIDENCE_RENDERERS["comms.cadence"](late[0]["evidence"])[0], KeyValues)  # type: ignore[arg-type]
