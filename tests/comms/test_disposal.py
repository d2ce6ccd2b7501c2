"""Disposal: past retain-until, no hold, two people; the journal still proves the record existed."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
import typer
from typer.testing import CliRunner

from proctor.cli.comms_records_cmd import register as register_commands
from proctor.comms.disposal import approve_disposal, list_disposals, propose_disposal, reject_disposal
from proctor.comms.holds import HoldCriteria, place_hold
from proctor.comms.model import CommsError
from proctor.comms.tables import messages, search_rows, sightings
from proctor.core.errors import InputError, InvalidTransition, PermissionDenied
from proctor.journal.proofs import ProofBuilder
from proctor.journal.verify import verify_journal
from proctor.store.schema import blobs, journal_events
from tests.comms.records_support import desk_traffic, ingest_emails, register

REPO = Path(__file__).resolve().parents[2]
OLD = datetime(2022, 6, 1, 14, tzinfo=UTC)  # retention (3 years) ended mid-2025
RECENT = datetime(2025, 12, 1, 14, tzinfo=UTC)  # retained until December 2028


@pytest.fixture
def archive(ws, tmp_path: Path):
    """Four e-mails whose retention has ended and three that must still be kept."""
    register(ws)
    old = desk_traffic(OLD, 4, step=timedelta(days=9))
    recent = [m.replace(b"Allocation", b"Rebalance") for m in desk_traffic(RECENT, 3)]
    ingest_emails(ws, tmp_path / "mail", old + recent)
    return ws


def ids_sent_before(ws, moment: datetime) -> list[str]:
    with ws.read() as conn:
        return sorted(i for (i,) in conn.execute(sa.select(messages.c.id).where(messages.c.sent_at < moment)))


def test_only_records_past_retention_are_proposed(archive) -> None:
    ws = archive
    proposal = propose_disposal(ws, "paula", "annual disposal run for 2022 e-mail")
    assert proposal["status"] == "proposed"
    assert sorted(proposal["record_ids"]) == ids_sent_before(ws, RECENT)
    assert proposal["record_count"] == 4


def test_the_proposer_cannot_approve_and_reviewers_cannot_dispose(archive) -> None:
    ws = archive
    proposal = propose_disposal(ws, "paula", "annual disposal run for 2022 e-mail")
    with pytest.raises(PermissionDenied, match="different person"):
        approve_disposal(ws, "paula", proposal["id"])
    with pytest.raises(PermissionDenied):
        approve_disposal(ws, "ravi", proposal["id"])
    with pytest.raises(PermissionDenied):
        propose_disposal(ws, "ravi", "a reviewer may not propose this")


def test_approved_disposal_removes_rows_and_bytes_and_the_journal_still_verifies(archive) -> None:
    ws = archive
    doomed = ids_sent_before(ws, RECENT)
    proposal = propose_disposal(ws, "paula", "annual disposal run for 2022 e-mail")
    done = approve_disposal(ws, "carl", proposal["id"])
    assert (done["status"], done["decided_by"]) == ("executed", "carl")
    assert done["outcome"] == {"disposed": 4, "skipped": [], "blobs_removed": 4}
    with ws.read() as conn:
        left = {i for (i,) in conn.execute(sa.select(messages.c.id))}
        indexed = {i for (i,) in conn.execute(sa.select(search_rows.c.message))}
        blob_rows = {s for (s,) in conn.execute(sa.select(blobs.c.sha256))}
        removal = conn.execute(
            sa.select(journal_events.c.payload, journal_events.c.actor).where(
                journal_events.c.event_type == "comms.message.disposed",
                journal_events.c.subject_id == doomed[0],
            )
        ).one()
    assert len(left) == 3 and not left & set(doomed)
    assert not indexed & set(doomed)
    assert not blob_rows & set(doomed)
    assert not any(ws.blobs.exists(sha) for sha in doomed)
    payload = json.loads(removal.payload)
    assert removal.actor == "carl"
    assert payload["after"] is None and len(payload["before_hash"]) == 64
    assert "comms-retention-2025.1" in payload["reason"]
    assert "proposed by paula, approved by carl" in payload["reason"]
    report = verify_journal(ws.engine, ws.blobs)
    assert report.intact, report.problems


def test_the_journal_still_proves_a_disposed_record_existed(archive, tmp_path: Path) -> None:
    ws = archive
    doomed = ids_sent_before(ws, RECENT)[0]
    approve_disposal(ws, "carl", propose_disposal(ws, "paula", "annual disposal run for 2022 e-mail")["id"])
    with ws.read() as conn:
        stored_seq = conn.execute(
            sa.select(sa.func.min(journal_events.c.seq)).where(
                journal_events.c.subject_kind == "comms.message", journal_events.c.subject_id == doomed
            )
        ).scalar_one()
        proof = ProofBuilder(conn).inclusion(stored_seq)
    leaf = json.loads(base64.b64decode(proof["leaf_data_b64"]))
    assert leaf["type"] == "comms.message.stored"
    assert leaf["payload"]["after"]["id"] == doomed
    path = tmp_path / "proof.json"
    path.write_text(json.dumps(proof), encoding="utf-8")
    run = subprocess.run(
        [sys.executable, str(REPO / "tools" / "verify_proof.py"), str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_a_hold_placed_after_the_proposal_wins_at_approval(archive) -> None:
    ws = archive
    proposal = propose_disposal(ws, "paula", "annual disposal run for 2022 e-mail")
    kept = sorted(proposal["record_ids"])[0]
    hold = place_hold(
        ws, "paula", "FINRA 8210 2026-0007", "request arrived today", HoldCriteria(records=(kept,))
    )
    done = approve_disposal(ws, "carl", proposal["id"])
    assert done["outcome"]["disposed"] == 3
    assert done["outcome"]["skipped"] == [{"id": kept, "why": f"under legal hold {hold['id']}"}]
    with ws.read() as conn:
        assert conn.execute(sa.select(messages.c.id).where(messages.c.id == kept)).first() is not None
    assert ws.blobs.get(kept)
    assert verify_journal(ws.engine, ws.blobs).intact


def test_held_records_are_never_proposed(archive) -> None:
    ws = archive
    place_hold(
        ws,
        "carl",
        "Arbitration 26-00311",
        "claim names this client",
        HoldCriteria(custodians=("wei@northfund.com",)),
    )
    proposal = propose_disposal(ws, "paula", "annual disposal run for 2022 e-mail")
    with ws.read() as conn:
        proposed = sa.select(messages.c.id, messages.c.participants).where(
            messages.c.id.in_(proposal["record_ids"])
        )
        participants = {mid: parts for mid, parts in conn.execute(proposed)}
    assert proposal["record_count"] == 2
    assert all("wei@northfund.com" not in json.dumps(p) for p in participants.values())


def test_sightings_of_a_disposed_record_go_with_it(archive, tmp_path: Path) -> None:
    ws = archive
    register(ws, "group-ops", "group_mailbox")
    ingest_emails(ws, tmp_path / "group", desk_traffic(OLD, 1), source="group-ops")
    approve_disposal(ws, "carl", propose_disposal(ws, "paula", "annual disposal run for 2022 e-mail")["id"])
    with ws.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(sightings)).scalar_one() == 0
    assert verify_journal(ws.engine, ws.blobs).intact


def test_nothing_to_dispose_and_future_cutoffs_are_refused(ws, tmp_path: Path) -> None:
    register(ws)
    ingest_emails(ws, tmp_path / "mail", desk_traffic(RECENT, 2))
    with pytest.raises(CommsError, match="no record is past"):
        propose_disposal(ws, "paula", "annual disposal run for 2025 e-mail")
    with pytest.raises(InputError, match="retention has ended"):
        propose_disposal(ws, "paula", "disposal run ahead of time", before=ws.clock.now() + timedelta(days=1))
    with pytest.raises(InputError, match="reason"):
        propose_disposal(ws, "paula", "tidy")


def test_a_rejected_disposal_removes_nothing(archive) -> None:
    ws = archive
    proposal = propose_disposal(ws, "paula", "annual disposal run for 2022 e-mail")
    rejected = reject_disposal(ws, "carl", proposal["id"], "legal has a matter pending on these")
    assert rejected["status"] == "rejected"
    with pytest.raises(InvalidTransition):
        approve_disposal(ws, "carl", proposal["id"])
    assert len(ids_sent_before(ws, RECENT)) == 4
    assert [d["status"] for d in list_disposals(ws)] == ["rejected"]


def test_a_proposal_is_capped_and_says_how_many_were_eligible(archive) -> None:
    proposal = propose_disposal(archive, "paula", "first batch of the 2022 e-mail", limit=2)
    assert proposal["record_count"] == 2
    assert proposal["criteria"]["eligible"] == 4
    with pytest.raises(InputError, match="between 1 and 10000"):
        propose_disposal(archive, "paula", "an impossible batch size", limit=0)


def test_cli_hold_and_dispose(archive) -> None:
    ws = archive
    app = typer.Typer()
    register_commands(app)
    runner = CliRunner()
    common = ["--workspace", str(ws.path)]

    def run(*args: str) -> str:
        result = runner.invoke(app, [*args, *common])
        assert result.exit_code == 0, result.output
        return result.output

    hold = json.loads(
        run(
            "hold",
            "add",
            "--matter",
            "Arbitration 26-00311",
            "--custodian",
            "wei@northfund.com",
            "--until",
            "2022-12-31",
            "--reason",
            "claim names this client",
            "--as",
            "paula",
            "--json",
        )
    )
    assert hold["records"] == 2
    assert json.loads(run("hold", "sweep", "--as", "carl", "--json")) == {}
    assert [h["records"] for h in json.loads(run("hold", "list", "--json"))] == [2]
    proposal = json.loads(
        run("dispose", "propose", "--reason", "annual disposal run", "--as", "paula", "--json")
    )
    assert proposal["record_count"] == 2
    refused = runner.invoke(app, ["dispose", "approve", proposal["id"], "--as", "paula", *common])
    assert refused.exit_code != 0
    done = json.loads(run("dispose", "approve", proposal["id"], "--as", "carl", "--json"))
    assert done["outcome"]["disposed"] == 2
    run("hold", "release", hold["id"], "--reason", "arbitration settled on 2026-01-04", "--as", "carl")
    listed = json.loads(run("dispose", "list", "--json"))
    assert [(d["id"], d["status"]) for d in listed] == [(proposal["id"], "executed")]
    assert verify_journal(ws.engine, ws.blobs).intact


def with_attachment(n: int, sent: datetime) -> bytes:
    return (
        "From: rita@harborstreet.com\r\nTo: wei@northfund.com\r\n"
        f"Subject: Term sheet {n}\r\nDate: {sent.strftime('%a, %d %b %Y %H:%M:%S +0000')}\r\n"
        f"Message-ID: <ts{n}@harborstreet.com>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n'
        "--b1\r\nContent-Type: text/plain\r\n\r\nTerm sheet attached.\r\n"
        '--b1\r\nContent-Type: text/plain; name="terms.txt"\r\n'
        'Content-Disposition: attachment; filename="terms.txt"\r\n\r\n'
        "Coupon 5.25%, maturity 2030.\r\n--b1--\r\n"
    ).encode()


def test_an_attachment_shared_with_a_record_that_stays_is_kept(ws, tmp_path: Path) -> None:
    register(ws)
    ingest_emails(
        ws, tmp_path / "mail", [with_attachment(1, OLD), with_attachment(2, OLD + timedelta(days=1))]
    )
    with ws.read() as conn:
        rows = conn.execute(
            sa.select(messages.c.id, messages.c.attachments).order_by(messages.c.sent_at)
        ).all()
    shared = rows[0].attachments[0]["sha256"]
    assert shared == rows[1].attachments[0]["sha256"] and ws.blobs.exists(shared)
    first = propose_disposal(ws, "paula", "first of the two term sheets", limit=1)
    assert approve_disposal(ws, "carl", first["id"])["outcome"]["blobs_removed"] == 1
    assert ws.blobs.exists(shared)
    second = propose_disposal(ws, "paula", "second of the two term sheets")
    assert approve_disposal(ws, "carl", second["id"])["outcome"]["blobs_removed"] == 2
    assert not ws.blobs.exists(shared)
    assert verify_journal(ws.engine, ws.blobs).intact
