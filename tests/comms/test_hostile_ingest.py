"""Hostile exports through the whole import: counts reconcile, failures are recorded and resumable,
the reading process dies with the import, and a backfill's history reconciles as of any day."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from proctor.comms import ingest as ingest_module
from proctor.comms.model import CommsError
from proctor.comms.plugin import CONTROLS
from proctor.comms.tables import imports, messages
from proctor.core.clock import FixedClock, parse_iso
from proctor.journal.verify import verify_journal
from proctor.platform import Workspace
from tests.comms.archive_support import daily_mail, ingest_folder, mail, register, write_folder


def test_year_9999_is_stored_and_kept_for_ever_not_a_crash(sqlite_ws: Workspace, tmp_path: Path) -> None:
    ws = sqlite_ws
    register(ws, "mbx.dana")
    folder = write_folder(
        tmp_path / "dana",
        [
            mail("far@hs.com", "9999-06-01T12:00:00+00:00", "dana@hs.com", "ops@hs.com", "Far", "b"),
            mail("now@hs.com", "2024-03-04T09:05:00-05:00", "dana@hs.com", "ops@hs.com", "Now", "b"),
        ],
    )
    report = ingest_folder(ws, folder, "mbx.dana")
    assert (report.read, report.stored, report.quarantined, report.status) == (2, 2, 0, "complete")
    with ws.read() as conn:
        kept = conn.execute(sa.select(sa.func.max(messages.c.retain_until))).scalar_one()
    assert kept.year == 9999 and (kept.month, kept.day) == (12, 31)


def test_slack_metadata_is_listed_in_the_report_and_counts_reconcile(
    sqlite_ws: Workspace, tmp_path: Path
) -> None:
    ws = sqlite_ws
    register(ws, "slack.firm", kind="chat_workspace")
    export = tmp_path / "slack.zip"
    with zipfile.ZipFile(export, "w") as zf:
        zf.writestr("users.json", json.dumps([{"id": "U1", "profile": {"email": "dana@harborstreet.com"}}]))
        zf.writestr("channels.json", json.dumps([{"name": "desk", "members": ["U1"]}]))
        day = [{"ts": "1709561100.0001", "user": "U1", "text": "hi"}]
        zf.writestr("desk/2024-03-04.json", json.dumps(day))
        zf.writestr("__uploads/F9/orphan.pdf", b"%PDF-1.4 nobody sent this")
    report = ingest_folder(ws, export, "slack.firm")
    assert (report.read, report.stored, report.quarantined, report.listed) == (2, 1, 1, 2)
    assert [n["origin"].rsplit(":", 1)[1] for n in report.not_messages] == ["channels.json", "users.json"]
    assert report.quarantine[0]["reason"].endswith("uploaded file that no message in the export refers to")
    channels = json.dumps([{"name": "desk", "members": ["U1"]}])
    assert report.as_dict()["not_messages"][0]["size"] == len(channels)
    again = ingest_folder(ws, export, "slack.firm")  # a rerun: the same accounting, nothing new
    assert (again.read, again.duplicates, again.quarantined, again.listed) == (2, 1, 1, 2)


def test_a_failure_outside_any_item_marks_the_batch_failed_and_a_rerun_completes_it(
    sqlite_ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = sqlite_ws
    register(ws, "mbx.dana")
    folder = write_folder(tmp_path / "dana", daily_mail(date(2024, 3, 4), days=3, per_day=10, tag="dana"))
    real = ingest_module.ChunkWriter.write
    calls = {"n": 0}

    def full_disk(self: object, tx: object, chunk: object) -> object:
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(28, "No space left on device")
        return real(self, tx, chunk)  # type: ignore[arg-type]

    monkeypatch.setattr(ingest_module.ChunkWriter, "write", full_disk)
    with pytest.raises(CommsError, match="No space left on device; run the same ingest again"):
        ingest_folder(ws, folder, "mbx.dana", chunk_size=10)
    with ws.read() as conn:
        batch = conn.execute(sa.select(imports)).one()
    assert batch.status == "failed" and batch.position == 10
    assert batch.options["failure"] == "OSError: [Errno 28] No space left on device"
    monkeypatch.setattr(ingest_module.ChunkWriter, "write", real)
    report = ingest_folder(ws, folder, "mbx.dana", chunk_size=10)
    assert report.resumed and report.import_id == batch.id and report.status == "complete"
    assert (report.read, report.stored, report.duplicates, report.quarantined) == (30, 30, 0, 0)
    with ws.read() as conn:
        assert "failure" not in conn.execute(sa.select(imports.c.options)).scalar_one()
    assert verify_journal(ws.engine, ws.blobs).intact


# The import's reading side as the ingest runs it, consumed slowly so the test can kill the
# importing process while its reader is busy (no database needed to show the reader's fate).
CHILD = """
import sys, time
from datetime import UTC, datetime
from pathlib import Path
from proctor.comms.model import ParseOptions
from proctor.comms.reader import read_chunks
from proctor.comms.retention import packaged_schedule
from proctor.comms.views import ViewContext
ctx = ViewContext("mailbox", "America/New_York", (), packaged_schedule(), datetime.now(UTC))
for chunk in read_chunks(Path(sys.argv[1]), "bloomberg", ParseOptions(), ctx, size=5, depth=1):
    time.sleep(0.5)
"""


def _readers_of(pid: int) -> list[int]:
    """Processes whose parent is `pid` (the ingest's reading process)."""
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.append(int(entry.name))
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc to find the reader")
def test_kill_minus_nine_of_an_ingest_takes_its_reader_with_it(tmp_path: Path) -> None:
    # A long chat keeps the reader busy parsing (not waiting on the writer) when the import dies.
    dump = tmp_path / "ib.xml"
    dump.write_text(
        "<FileDump><Conversation><RoomID>CHAT:1</RoomID><Message><User><LoginName>dana</LoginName></User>"
        "<DateTimeUTC>1709561100</DateTimeUTC><Content>" + "buy 100\n" * 1_500_000 + "</Content></Message>"
        "</Conversation></FileDump>"
    )
    with (tmp_path / "child.err").open("wb") as err:
        child = subprocess.Popen([sys.executable, "-c", CHILD, str(dump)], stderr=err)
    deadline = time.monotonic() + 60
    readers: list[int] = []
    while not readers and child.poll() is None and time.monotonic() < deadline:
        readers = _readers_of(child.pid)
        time.sleep(0.05)
    assert readers, (tmp_path / "child.err").read_text()
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    deadline = time.monotonic() + 10
    while any(_alive(r) for r in readers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(r) for r in readers)


NY_DAY = date(2025, 11, 3)  # a Monday


@pytest.fixture
def controlled(ws: Workspace) -> Workspace:
    for spec in CONTROLS:
        if spec.name not in ws.registry:
            ws.registry.register(spec)
    return ws


def test_backfill_of_a_healthy_source_reconciles_as_of_any_past_day(
    controlled: Workspace, clock: FixedClock, tmp_path: Path
) -> None:
    ws = controlled
    register(ws, "mbx.dana")
    clock.current = datetime(2026, 1, 15, 12, tzinfo=UTC)  # the history is imported weeks later
    ingest_folder(ws, write_folder(tmp_path / "dana", daily_mail(NY_DAY, 42, 10, "dana")), "mbx.dana")
    for as_of in ("2025-11-20", "2025-12-01", "2025-12-10"):
        for control in ("comms.capture_completeness", "comms.volume_anomaly"):
            run = ws.controls.run(control, actor="paula", as_of=parse_iso(as_of))
            assert run["outcome"] == "passed", (control, as_of, run)


def test_backfill_with_a_silent_day_is_caught_as_of_the_next_day(
    controlled: Workspace, clock: FixedClock, tmp_path: Path
) -> None:
    ws = controlled
    register(ws, "mbx.dana")
    silent = date(2025, 12, 9)  # a Tuesday
    clock.current = datetime(2026, 1, 15, 12, tzinfo=UTC)
    mails = daily_mail(NY_DAY, 42, 10, "dana", skip={silent})
    ingest_folder(ws, write_folder(tmp_path / "dana", mails), "mbx.dana")
    assert ws.controls.run("comms.volume_anomaly", actor="paula", as_of=parse_iso("2025-12-09"))[
        "outcome"
    ] == "passed"
    run = ws.controls.run("comms.volume_anomaly", actor="paula", as_of=parse_iso("2025-12-10"))
    assert run["outcome"] == "findings" and run["alerts_raised"] == 1
    capture = ws.controls.run("comms.capture_completeness", actor="paula", as_of=parse_iso("2025-12-10"))
    assert capture["outcome"] == "passed"  # what was delivered reconciles; the gap is volume's to catch
