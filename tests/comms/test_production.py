"""Production to regulators: originals, renderings, audit trails and proofs that verify byte by byte."""

from __future__ import annotations

import json
import subprocess
import sys
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
import typer
from typer.testing import CliRunner

from proctor.cli.comms_records_cmd import register as register_commands
from proctor.comms.ingest import ingest
from proctor.comms.model import CommsError
from proctor.comms.production import export_production
from proctor.comms.production_verify import verify_production
from proctor.comms.record_filter import RecordFilter
from proctor.comms.rendering import PdfRenderer
from proctor.comms.tables import messages
from proctor.core.errors import InputError
from proctor.journal import signing
from proctor.store.schema import journal_events
from tests.comms.records_support import desk_traffic, email, ingest_emails, register

REPO = Path(__file__).resolve().parents[2]
VERIFIER = REPO / "tools" / "verify_proof.py"
START = datetime(2025, 11, 3, 14, tzinfo=UTC)

TICKET = {
    "id": "ticket-4471/msg-2",
    "thread_id": "ticket-4471",
    "sent_at": "2025-11-04T10:15:00-05:00",
    "from": "agent.lee@harborstreet.com",
    "from_name": "Robin Lee",
    "to": ["Jane Doe <j.doe@gmail.example>"],
    "subject": "Your wire of 3 November",
    "body": "Your wire of $25,000 to account ****4471 was sent. Ελληνικά: ευχαριστώ.",
    "kind": "chat",
}


def standalone(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(VERIFIER), *args], capture_output=True, text=True, check=False)


def public_key(ws) -> str:
    return signing.public_key_hex(signing.load_private_key(ws.config.key_path))


@pytest.fixture
def archive(ws, tmp_path: Path):
    """A desk mailbox and a customer-service platform."""
    register(ws)
    register(ws, "zendesk-support", "customer_service")
    ingest_emails(ws, tmp_path / "mail", desk_traffic(START, 6))
    tickets = tmp_path / "tickets.jsonl"
    tickets.write_text(json.dumps(TICKET) + "\n", encoding="utf-8")
    ingest(ws, tickets, source="zendesk-support", actor="ada", format="generic_jsonl")
    return ws


def produce(ws, out: Path, **selection) -> dict:
    return export_production(
        ws, "paula", out, RecordFilter(**selection), request="FINRA Rule 8210 request 2026-0142"
    )


def test_a_production_holds_originals_renderings_trails_and_verifies(archive, tmp_path: Path) -> None:
    ws = archive
    out = tmp_path / "production"
    result = produce(ws, out, sources=("desk-mail", "zendesk-support"))
    # 29 listed items (4 per record and the index) plus 15 proofs and the manifest: 45 files written
    counts = (result["records"], result["items"], result["files"], result["produced_by"])
    assert counts == (7, 29, 45, "paula")
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["format"] == "proctor-production/1"
    assert manifest["production"]["request"] == "FINRA Rule 8210 request 2026-0142"
    originals = [i for i in manifest["items"] if i["role"] == "original"]
    assert len(originals) == 7
    for item in originals:
        assert ws.blobs.get(item["record"]) == (out / item["path"]).read_bytes()
    ticket = next(i for i in originals if i["path"].endswith(".json"))
    folder = out / Path(ticket["path"]).parent
    html = (folder / "rendering.html").read_text(encoding="utf-8")
    assert "Your wire of 3 November" in html and "ευχαριστώ" in html and "zendesk-support" in html
    pdf = (folder / "rendering.pdf").read_bytes()
    assert pdf.startswith(b"%PDF-") and b"/FontFile2" in pdf  # Greek needs the embedded Unicode font
    trail = json.loads((folder / "audit-trail.json").read_text())
    assert trail["record"] == ticket["record"]
    assert [e["type"] for e in trail["events"]][:2] == ["blob.stored", "comms.message.stored"]

    report = verify_production(out, public_key(ws))
    assert report.valid, report.failures
    assert (report.files, report.tree_size) == (29, manifest["tree_head"]["tree_size"])
    run = standalone("--manifest", str(out / "manifest.json"), "--public-key", public_key(ws))
    assert run.returncode == 0, run.stdout[-2000:]
    assert run.stdout.strip().endswith("checks passed")


def test_an_email_pdf_shows_its_text_in_the_standard_font(archive, tmp_path: Path) -> None:
    out = tmp_path / "p"
    produce(archive, out, participants=("ops@lakeside-capital.com",))
    manifest = json.loads((out / "manifest.json").read_text())
    pdfs = [out / i["path"] for i in manifest["items"] if i["role"] == "pdf"]
    assert len(pdfs) == 2
    data = pdfs[0].read_bytes()
    assert b"/BaseFont /Courier" in data and b"/FontFile2" not in data
    streams = [
        zlib.decompress(part.split(b"stream\n", 1)[1].split(b"endstream")[0].strip())
        for part in data.split(b"/Filter /FlateDecode")[1:]
    ]
    text = b"".join(streams)
    assert b"Allocation 0 for account 44000" in text
    assert "– Desk".encode("cp1252") in text


def test_producing_is_itself_journaled(archive, tmp_path: Path) -> None:
    ws = archive
    result = produce(ws, tmp_path / "p", sources=("zendesk-support",))
    with ws.read() as conn:
        events = conn.execute(
            sa.select(journal_events.c.event_type, journal_events.c.actor, journal_events.c.payload).where(
                journal_events.c.event_type.in_(["comms.production.created", "comms.message.produced"])
            )
        ).all()
    assert [(e.event_type, e.actor) for e in events] == [
        ("comms.production.created", "paula"),
        ("comms.message.produced", "paula"),
    ]
    assert json.loads(events[0].payload)["production"] == result["production"]


def test_an_altered_file_fails_naming_the_file(archive, tmp_path: Path) -> None:
    out = tmp_path / "p"
    produce(archive, out, sources=("desk-mail",))
    manifest = json.loads((out / "manifest.json").read_text())
    original = next(i for i in manifest["items"] if i["role"] == "original")
    target = out / original["path"]
    data = bytearray(target.read_bytes())
    data[data.index(b"1,000")] = ord("9")
    target.write_bytes(bytes(data))

    report = verify_production(out)
    assert not report.valid
    assert [f["path"] for f in report.failures] == [original["path"]]
    assert "SHA-256" in report.failures[0]["problem"]
    run = standalone(str(out))
    assert run.returncode == 1
    assert f"FAIL  {original['path']}: content file original.eml has the recorded SHA-256" in run.stdout


def test_a_file_slipped_into_the_folder_or_a_foreign_key_fails(archive, tmp_path: Path) -> None:
    out = tmp_path / "p"
    produce(archive, out, sources=("zendesk-support",))
    (out / "records" / "note.txt").write_text("added later")
    report = verify_production(out, public_key="ab" * 32)
    problems = {(f["path"], f["problem"]) for f in report.failures}
    assert ("records/note.txt", "file is not listed in the manifest") in problems
    assert any(p == "manifest.json" and "not the firm's published key" in why for p, why in problems)


def test_the_production_folder_must_be_new_and_the_selection_must_match(archive, tmp_path: Path) -> None:
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "x").write_text("x")
    with pytest.raises(InputError, match="never overwritten"):
        produce(archive, busy, sources=("desk-mail",))
    with pytest.raises(InputError, match="name a query"):
        produce(archive, tmp_path / "a")
    with pytest.raises(CommsError, match="no record matches"):
        produce(archive, tmp_path / "b", participants=("nobody@nowhere.example",))
    with pytest.raises(InputError, match="no such record"):
        produce(archive, tmp_path / "c", records=("f" * 64,))


def test_without_a_unicode_font_text_outside_windows_1252_is_marked_not_dropped(
    archive, tmp_path: Path
) -> None:
    out = tmp_path / "p"
    export_production(
        archive,
        "paula",
        out,
        RecordFilter(sources=("zendesk-support",)),
        renderer=PdfRenderer(use_system_font=False),
    )
    pdf = next((out / "records").glob("*/rendering.pdf")).read_bytes()
    assert b"/FontFile2" not in pdf
    assert verify_production(out).valid


def test_cli_export_and_verify_export(archive, tmp_path: Path) -> None:
    ws = archive
    app = typer.Typer()
    register_commands(app)
    runner = CliRunner()
    out = tmp_path / "cli-production"
    common = ["--workspace", str(ws.path)]
    result = runner.invoke(
        app,
        [
            "export",
            "--participant",
            "wei@northfund.com",
            "--since",
            "2025-11-03",
            "--out",
            str(out),
            "--request",
            "SEC exam 2026",
            "--as",
            "carl",
            "--json",
            *common,
        ],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["records"] == 4
    ok = runner.invoke(app, ["verify-export", str(out), "--public-key", public_key(ws)])
    assert ok.exit_code == 0, ok.output
    assert "VALID: 17 files" in ok.output
    victim = next((out / "records").glob("*/rendering.html"))
    victim.write_text(victim.read_text() + "<!-- edited -->")
    bad = runner.invoke(app, ["verify-export", str(out), "--json"])
    assert bad.exit_code != 0
    failures = json.loads(bad.stdout[: bad.stdout.rindex("}") + 1])["failures"]
    assert [f["path"] for f in failures] == [str(victim.relative_to(out))]


def test_a_production_of_1000_messages_verifies_and_an_altered_file_fails(sqlite_ws, tmp_path: Path) -> None:
    ws = sqlite_ws
    register(ws)
    traffic = desk_traffic(datetime(2025, 6, 2, 13, tzinfo=UTC), 1000, step=timedelta(minutes=47))
    traffic.append(email("rita@harborstreet.com", "wei@northfund.com", "late", "x", START, 5000))
    ingest_emails(ws, tmp_path / "mail", traffic)
    out = tmp_path / "big"
    result = export_production(
        ws, "ada", out, RecordFilter(sources=("desk-mail",), until=START - timedelta(seconds=1))
    )
    assert result["records"] == 1000
    assert verify_production(out).valid
    run = standalone("--manifest", str(out / "manifest.json"))
    assert run.returncode == 0, run.stdout[-2000:]
    with ws.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(messages)).scalar_one() == 1001

    trail = next((out / "records").glob("*/audit-trail.json"))
    trail.write_bytes(trail.read_bytes().replace(b'"actor": "ada"', b'"actor": "eve"', 1))
    report = verify_production(out)
    assert [f["path"] for f in report.failures] == [str(trail.relative_to(out))]
    run = standalone(str(out))
    assert run.returncode == 1
    assert f"FAIL  {trail.relative_to(out)}:" in run.stdout


def test_a_query_production_selects_by_full_text_and_filters(archive, tmp_path: Path) -> None:
    out = tmp_path / "wire"
    result = produce(archive, out, query="wire", direction="external")
    assert result["records"] == 1
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["production"]["selection"]["query"] == "wire"
    assert verify_production(out).valid
