"""The real Enron subset in ../shared/data/enron, ingested end to end: counts reconcile, proofs hold."""

from __future__ import annotations

import tarfile
from pathlib import Path

import pytest
import sqlalchemy as sa
import zstandard

from proctor.comms.tables import messages, search_rows
from proctor.journal.verify import verify_journal
from proctor.platform import Workspace
from tests.comms.archive_support import ingest_folder, register

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "enron" / "maildir.tar.gz"
pytestmark = pytest.mark.realdata


@pytest.fixture
def maildir(tmp_path: Path) -> Path:
    if not DATA.exists():
        pytest.skip("Enron maildir not present in ../shared/data/enron")
    with tarfile.open(DATA) as tar:
        tar.extractall(tmp_path / "enron", filter="data")
    return tmp_path / "enron" / "maildir"


def test_every_enron_message_is_stored_reconciled_indexed_and_provable(
    sqlite_ws: Workspace, maildir: Path
) -> None:
    ws = sqlite_ws
    register(ws, "enron.mailboxes", timezone="America/Chicago")
    files = sum(1 for p in maildir.rglob("*") if p.is_file())
    report = ingest_folder(ws, maildir, "enron.mailboxes")
    assert report.format == "cmu_maildir"
    assert (report.read, report.stored, report.duplicates, report.quarantined) == (files, 11_238, 0, 0)
    assert sum(day["read"] for day in report.per_day.values()) == files
    with ws.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(messages)).scalar_one() == 11_238
        assert conn.execute(sa.select(sa.func.count()).select_from(search_rows)).scalar_one() == 11_238
        victim = conn.execute(sa.select(messages.c.id, messages.c.origin).order_by(messages.c.origin)).first()
    assert victim is not None
    run = ws.controls.run("comms.capture_completeness", actor="ada")
    assert run["outcome"] == "passed" and run["input_count"] >= len(report.per_day)  # every day touched
    clean = verify_journal(ws.engine, ws.blobs)
    assert clean.intact and clean.records >= 2 * 11_238

    path = ws.blobs.path_for(victim.id)  # type: ignore[attr-defined]
    data = bytearray(zstandard.ZstdDecompressor().decompress(path.read_bytes()))
    data[-2] ^= 0x01  # one bit of one byte of the original message
    path.write_bytes(zstandard.ZstdCompressor().compress(bytes(data)))
    broken = verify_journal(ws.engine, ws.blobs)
    assert [(p.kind, p.where) for p in broken.problems] == [("blob_altered", f"blob {victim.id}")]
    assert Path(victim.origin).read_bytes() != bytes(data)
