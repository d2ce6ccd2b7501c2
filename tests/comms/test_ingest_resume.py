"""A kill -9 in the middle of an import loses nothing acknowledged; the next run completes the batch."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import sqlalchemy as sa

from proctor.comms.tables import imports, messages, search_rows
from proctor.journal.verify import verify_journal
from proctor.platform import Workspace
from tests.comms.archive_support import daily_mail, ingest_folder, register, write_folder

# Runs the real ingest in another process, slowed down after each committed chunk so the test can
# kill it part-way through.
CHILD = """
import sys, time
from pathlib import Path
from proctor.bootstrap import open_workspace
from proctor.comms.ingest import ingest
ws = open_workspace(Path(sys.argv[1]))
ingest(ws, Path(sys.argv[2]), source="mbx.dana", actor="ada", chunk_size=40,
       progress=lambda n: time.sleep(0.1))
"""


def _position(ws: Workspace) -> int:
    with ws.read() as conn:
        value = conn.execute(sa.select(sa.func.max(imports.c.position))).scalar()
    return int(value or 0)


def test_kill_minus_nine_mid_import_then_rerun_completes_without_duplicates(
    sqlite_ws: Workspace, tmp_path: Path
) -> None:
    ws = sqlite_ws
    register(ws, "mbx.dana")
    mails = daily_mail(date(2024, 3, 4), days=30, per_day=20, tag="dana")
    folder = write_folder(tmp_path / "dana", mails)
    errors = tmp_path / "child.err"
    with errors.open("wb") as err:
        child = subprocess.Popen([sys.executable, "-c", CHILD, str(ws.path), str(folder)], stderr=err)
        deadline = time.monotonic() + 60
        while _position(ws) < 200 and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert child.poll() is None, errors.read_text()
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    assert child.returncode == -signal.SIGKILL
    with ws.read() as conn:
        batch = conn.execute(sa.select(imports)).one()
        stored = conn.execute(sa.select(sa.func.count()).select_from(messages)).scalar_one()
    # Everything acknowledged (committed with the batch's position) is there, and nothing else.
    assert batch.status == "running" and batch.position % 40 == 0 and batch.position >= 200
    assert stored == batch.stored == batch.position < len(mails)
    assert verify_journal(ws.engine, ws.blobs).intact

    report = ingest_folder(ws, folder, "mbx.dana")
    assert report.resumed and report.import_id == batch.id and report.status == "complete"
    assert (report.read, report.stored, report.duplicates, report.quarantined) == (600, 600, 0, 0)
    assert sum(day["read"] for day in report.per_day.values()) == 600
    with ws.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(messages)).scalar_one() == 600
        assert conn.execute(sa.select(sa.func.count()).select_from(search_rows)).scalar_one() == 600
        assert conn.execute(sa.select(sa.func.count()).select_from(imports)).scalar_one() == 1
    assert verify_journal(ws.engine, ws.blobs).intact
