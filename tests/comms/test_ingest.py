"""Ingest: every item read is stored, a duplicate or quarantined; reruns add nothing; records are proven."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
import zstandard

from proctor.comms import api
from proctor.comms.ingest import ingest
from proctor.comms.tables import imports, messages, quarantine, search_rows, sightings, sources
from proctor.core.errors import InputError, NotFound
from proctor.journal.verify import verify_journal
from proctor.platform import Workspace
from proctor.store.schema import blobs
from tests.comms.archive_support import ingest_folder, mail, register, write_folder

MONDAY = [
    mail(
        "alloc-1@harborstreet.com",
        "2024-03-04T09:05:00-05:00",
        "Dana Whitfield <dana@harborstreet.com>",
        "Jane Doe <jane.doe@gmail.example>",
        "Your AAPL order",
        "Hi Jane, your order for 200 AAPL filled at 171.20.",
    ),
    mail(
        "alloc-2@harborstreet.com",
        "2024-03-04T10:30:00-05:00",
        "Dana Whitfield <dana@harborstreet.com>",
        "ops@harborstreet.com",
        "Settlement check",
        "Can you confirm settlement for the 200 AAPL trade?",
    ),
    mail(
        "alloc-3@harborstreet.com",
        "2024-03-04T23:30:00-05:00",
        "Jane Doe <jane.doe@gmail.example>",
        "dana@harborstreet.com",
        "Complaint",
        "I want to file a complaint: the trade was not authorized.",
    ),
]
NO_DATE = (
    b"Message-ID: <nodate@harborstreet.com>\r\nFrom: dana@harborstreet.com\r\nSubject: x\r\n\r\nbody\r\n"
)


def _count(ws: Workspace, table: sa.Table) -> int:
    with ws.read() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def test_an_export_is_stored_counted_indexed_and_proven(ws: Workspace, tmp_path: Path) -> None:
    register(ws, "mbx.dana")
    folder = write_folder(tmp_path / "dana", [*MONDAY, NO_DATE])
    (folder / "Thumbs.db").write_bytes(b"\x00\x01 thumbnail cache")
    report = ingest_folder(ws, folder, "mbx.dana")
    assert (report.read, report.stored, report.duplicates, report.quarantined) == (5, 3, 0, 2)
    assert report.format == "eml" and report.status == "complete" and not report.resumed
    # Days are the source's own (New York): 23:30 EST on the 4th is the 5th in UTC but the 4th here.
    assert report.as_dict()["per_day"] == {"2024-03-04": 3}
    reasons = {Path(q["origin"]).name: q["reason"] for q in report.quarantine}
    assert set(reasons) == {"00004.eml", "Thumbs.db"} and "Date" in reasons["00004.eml"]
    with ws.read() as conn:
        rows = {r.message_id: r for r in conn.execute(sa.select(messages))}
        assert _count(ws, search_rows) == 3
        stray = conn.execute(sa.select(quarantine).where(quarantine.c.origin.like("%Thumbs.db"))).one()
    first = rows["alloc-1@harborstreet.com"]
    assert first.id == first.blob_sha256 == hashlib.sha256(MONDAY[0]).hexdigest()
    assert ws.blobs.get(first.id) == MONDAY[0]
    assert ws.blobs.get(stray.blob_sha256) == b"\x00\x01 thumbnail cache"
    assert first.direction == "external" and rows["alloc-2@harborstreet.com"].direction == "internal"
    assert first.sent_at == datetime(2024, 3, 4, 14, 5, tzinfo=UTC)
    assert first.sent_at_original == "2024-03-04T09:05:00-05:00"
    assert first.retention_rule == "comms-retention-2025.1"
    assert first.retain_until == datetime(2027, 3, 4, 14, 5, tzinfo=UTC)
    assert first.import_id == report.import_id and first.source == "mbx.dana"
    report_check = verify_journal(ws.engine, ws.blobs)
    assert report_check.intact, report_check.problems[:3]
    with ws.read() as conn:
        source = conn.execute(sa.select(sources).where(sources.c.name == "mbx.dana")).one()
    assert source.capture_state == "connected"


def test_rerunning_an_import_adds_nothing(ws: Workspace, tmp_path: Path) -> None:
    register(ws, "mbx.dana")
    folder = write_folder(tmp_path / "dana", [*MONDAY, NO_DATE])
    ingest_folder(ws, folder, "mbx.dana")
    before = {t.name: _count(ws, t) for t in (messages, blobs, quarantine, search_rows, sightings)}
    again = ingest_folder(ws, folder, "mbx.dana")
    assert (again.read, again.stored, again.duplicates, again.quarantined, again.sightings) == (4, 0, 3, 1, 0)
    assert again.quarantine[0]["origin"].endswith("00004.eml")
    assert {t.name: _count(ws, t) for t in (messages, blobs, quarantine, search_rows, sightings)} == before
    assert _count(ws, imports) == 2
    assert verify_journal(ws.engine, ws.blobs).intact


def test_dedup_is_by_content_never_by_message_id_and_journaling_copies_are_linked(
    ws: Workspace, tmp_path: Path
) -> None:
    register(ws, "grp.client-service", kind="group_mailbox")
    register(ws, "mbx.dana")
    args = (
        "escalation-7@harborstreet.com",
        "2024-03-05T10:15:00-05:00",
        "Lee Park <lee@harborstreet.com>",
        "clientservice@harborstreet.com",
        "Client escalation",
        "Walter Grant called again about the unauthorized trade.",
    )
    group_copy = mail(*args)
    bcc_copy = mail(
        *args, extra="Bcc: Dana Whitfield <dana@harborstreet.com>\r\nDelivered-To: dana@harborstreet.com\r\n"
    )
    different = mail(*args[:5], "A different message that reuses the same Message-ID.")
    ingest_folder(ws, write_folder(tmp_path / "group", [group_copy, different]), "grp.client-service")
    report = ingest_folder(ws, write_folder(tmp_path / "dana", [bcc_copy, group_copy]), "mbx.dana")
    # The BCC copy is new bytes (a record); the group copy's bytes are held already: a sighting.
    assert (report.stored, report.duplicates, report.sightings) == (1, 1, 1)
    with ws.read() as conn:
        by_id = {r.id: r for r in conn.execute(sa.select(messages))}
        group_id, bcc_id = hashlib.sha256(group_copy).hexdigest(), hashlib.sha256(bcc_copy).hexdigest()
        assert len(by_id) == 3
        assert by_id[bcc_id].canonical_id == group_id and by_id[group_id].canonical_id is None
        other = next(r for r in by_id.values() if r.id not in (group_id, bcc_id))
        assert other.canonical_id is None and other.message_id == by_id[group_id].message_id
        canonical = api.get_message(conn, group_id)
        seen = conn.execute(sa.select(sightings)).one()
    assert canonical["copies"] == [bcc_id]
    assert ("bcc", "dana@harborstreet.com") in {(p["role"], p["address"]) for p in canonical["participants"]}
    assert ("bcc", "dana@harborstreet.com") not in {
        (p["role"], p["address"]) for p in canonical["participants_own"]
    }
    assert (seen.message, seen.source) == (group_id, "mbx.dana")


def test_times_without_offset_use_the_sources_zone_and_are_quarantined_without_one(
    ws: Workspace, tmp_path: Path
) -> None:
    register(ws, "sms.reps", kind="sms_mobile", timezone="America/Chicago")
    register(ws, "sms.unzoned", kind="sms_mobile", timezone=None)
    csv = tmp_path / "sms.csv"
    csv.write_text(
        "id,sent_at,from,to,body,kind\n"
        "s1,2024-03-04 09:05:00,+19175550142,dana@harborstreet.com,Is my order filled?,sms\n"
    )
    zoned = ingest(ws, csv, source="sms.reps", actor="ada")
    assert zoned.stored == 1
    with ws.read() as conn:
        sent = conn.execute(sa.select(messages.c.sent_at, messages.c.retain_until)).one()
    assert sent.sent_at == datetime(2024, 3, 4, 15, 5, tzinfo=UTC)
    unzoned = ingest(ws, csv, source="sms.unzoned", actor="ada")
    assert (unzoned.stored, unzoned.quarantined) == (0, 1)
    assert "with offset expected" in unzoned.quarantine[0]["reason"]
    overridden = ingest(ws, csv, source="sms.unzoned", actor="ada", timezone="UTC")
    assert overridden.sightings == 1  # same bytes as sms.reps' record: captured from here too


def test_unknown_source_path_format_and_zone_are_refused_before_anything_is_written(
    sqlite_ws: Workspace, tmp_path: Path
) -> None:
    folder = write_folder(tmp_path / "dana", MONDAY)
    with pytest.raises(NotFound, match=r"no source named 'mbx\.nobody'"):
        ingest(sqlite_ws, folder, source="mbx.nobody", actor="ada")
    register(sqlite_ws, "mbx.dana")
    with pytest.raises(InputError, match="no such file"):
        ingest(sqlite_ws, tmp_path / "missing", source="mbx.dana", actor="ada")
    with pytest.raises(InputError, match="unknown format 'lotus'"):
        ingest(sqlite_ws, folder, source="mbx.dana", actor="ada", format="lotus")
    with pytest.raises(Exception, match="unknown time zone 'Atlantis/Capital'"):
        ingest(sqlite_ws, folder, source="mbx.dana", actor="ada", timezone="Atlantis/Capital")
    assert _count(sqlite_ws, imports) == 0


def test_altering_a_stored_byte_or_row_makes_verify_fail_naming_the_record(
    sqlite_ws: Workspace, tmp_path: Path
) -> None:
    register(sqlite_ws, "mbx.dana")
    ingest_folder(sqlite_ws, write_folder(tmp_path / "dana", MONDAY), "mbx.dana")
    victim = hashlib.sha256(MONDAY[1]).hexdigest()
    blob = sqlite_ws.blobs.path_for(victim)  # type: ignore[attr-defined]
    original = blob.read_bytes()
    altered = bytearray(zstandard.ZstdDecompressor().decompress(original))
    altered[altered.index(b"200 AAPL")] = ord("9")
    blob.write_bytes(zstandard.ZstdCompressor().compress(bytes(altered)))
    report = verify_journal(sqlite_ws.engine, sqlite_ws.blobs)
    assert not report.intact
    assert [(p.kind, p.where) for p in report.problems] == [("blob_altered", f"blob {victim}")]
    blob.write_bytes(original)
    with sqlite_ws.engine.begin() as conn:
        conn.execute(messages.update().where(messages.c.id == victim).values(subject="Nothing to see"))
    report = verify_journal(sqlite_ws.engine, sqlite_ws.blobs)
    assert [(p.kind, p.where) for p in report.problems] == [("record_altered", f"comms.message {victim}")]


class _LockedStore:
    """A blob store that may not be shared with a forked process (like the S3 store)."""

    def __init__(self, inner: object) -> None:
        self.inner = inner
        self.puts: list[str | None] = []

    def put(self, data: bytes, retain_until: str | None = None) -> tuple[str, int]:
        self.puts.append(retain_until)
        return self.inner.put(data, retain_until)  # type: ignore[attr-defined,no-any-return]

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)


def test_a_store_that_cannot_follow_a_fork_is_written_from_this_process_with_retain_until(
    sqlite_ws: Workspace, tmp_path: Path
) -> None:
    store = _LockedStore(sqlite_ws.blobs)
    sqlite_ws.blobs = store  # type: ignore[assignment]
    register(sqlite_ws, "mbx.dana")
    report = ingest_folder(sqlite_ws, write_folder(tmp_path / "dana", MONDAY), "mbx.dana")
    assert report.stored == 3
    assert sorted(store.puts) == [
        "2027-03-04T14:05:00.000000Z",
        "2027-03-04T15:30:00.000000Z",
        "2027-03-05T04:30:00.000000Z",
    ]
    assert verify_journal(sqlite_ws.engine, sqlite_ws.blobs).intact
