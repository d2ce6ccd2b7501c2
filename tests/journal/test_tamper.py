"""Every way a record can be altered, removed or reordered is caught and named by verify."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from proctor.core.alerts import AlertDraft, Severity, Subject
from proctor.journal.verify import verify_journal
from proctor.store.schema import alerts, blobs, journal_events, journal_heads


def seed(ws) -> dict[str, str]:
    """A little history: two alerts worked, a stored message blob."""
    drafts = [
        AlertDraft(
            "comms.capture_completeness",
            "comms.count_mismatch",
            "1",
            f"Source {name} short on 2026-01-05",
            Severity.HIGH,
            (Subject("source", name),),
            {"expected": 120, "stored": 97},
        )
        for name in ("sales-desk", "service-desk")
    ]
    a1 = ws.alerts.raise_alert(drafts[0], actor="paula")
    a2 = ws.alerts.raise_alert(drafts[1], actor="paula")
    ws.alerts.assign(a1, "ravi", actor="paula")
    with ws.transaction("ada") as tx:
        sha = tx.put_blob(b"From: jdoe@harborstreet.com\r\nSubject: rates\r\n\r\nCall me about the CD.\r\n")
    return {"a1": a1, "a2": a2, "blob": sha}


def verify(ws):
    return verify_journal(ws.engine, ws.blobs)


def test_untouched_workspace_verifies(ws):
    seed(ws)
    report = verify(ws)
    assert report.intact, report.problems
    assert report.events > 10 and report.records >= 10 and report.blobs == 1


def test_changed_record_row_is_named(ws):
    ids = seed(ws)
    with ws.engine.begin() as conn:
        conn.execute(sa.update(alerts).where(alerts.c.id == ids["a2"]).values(severity="low"))
    report = verify(ws)
    assert not report.intact
    assert report.problems[0].kind == "record_altered"
    assert report.problems[0].where == f"alert {ids['a2']}"


def test_deleted_record_row_is_named(ws):
    ids = seed(ws)
    with ws.engine.begin() as conn:
        conn.execute(sa.delete(alerts).where(alerts.c.id == ids["a1"]))
    report = verify(ws)
    assert [p.kind for p in report.problems] == ["record_removed"]
    assert report.problems[0].where == f"alert {ids['a1']}"


def test_row_inserted_behind_the_journal_is_named(ws):
    ids = seed(ws)
    with ws.engine.begin() as conn:
        row = dict(conn.execute(sa.select(alerts).where(alerts.c.id == ids["a1"])).one()._mapping)
        row["id"] = "ALR-FORGED"
        conn.execute(alerts.insert().values(**row))
    report = verify(ws)
    assert report.problems[0].kind == "record_unjournaled"
    assert report.problems[0].where == "alert ALR-FORGED"


def test_changed_journal_event_is_named_even_if_its_hash_is_fixed_up(ws):
    seed(ws)
    with ws.engine.begin() as conn:
        row = conn.execute(sa.select(journal_events).where(journal_events.c.seq == 3)).one()
        payload = json.loads(row.payload)
        payload["tampered"] = True
        conn.execute(
            sa.update(journal_events)
            .where(journal_events.c.seq == 3)
            .values(payload=json.dumps(payload, sort_keys=True, separators=(",", ":")))
        )
    report = verify(ws)
    assert report.problems[0].kind == "event_altered"
    assert report.problems[0].where.startswith("journal event 3 ")
    # an attacker who also recomputes the leaf hash is still caught by the signed tree heads
    from proctor.journal import merkle
    from proctor.journal.log import row_leaf_bytes

    with ws.engine.begin() as conn:
        row = conn.execute(sa.select(journal_events).where(journal_events.c.seq == 3)).one()
        conn.execute(
            sa.update(journal_events)
            .where(journal_events.c.seq == 3)
            .values(leaf_hash=merkle.leaf_hash(row_leaf_bytes(row)).hex())
        )
    report = verify(ws)
    assert report.problems[0].kind == "head_mismatch"


def test_deleted_journal_event_is_named(ws):
    seed(ws)
    with ws.engine.begin() as conn:
        conn.execute(sa.delete(journal_events).where(journal_events.c.seq == 2))
    report = verify(ws)
    assert report.problems[0].kind == "event_missing"
    assert report.problems[0].where == "journal event 2"


def test_reordered_journal_events_are_caught(ws):
    seed(ws)
    with ws.engine.begin() as conn:
        rows = {
            r.seq: dict(r._mapping)
            for r in conn.execute(sa.select(journal_events).where(journal_events.c.seq.in_([4, 5])))
        }
        conn.execute(sa.delete(journal_events).where(journal_events.c.seq.in_([4, 5])))
        swapped = [{**rows[5], "seq": 4}, {**rows[4], "seq": 5}]
        conn.execute(journal_events.insert(), swapped)
    report = verify(ws)
    assert not report.intact
    assert report.problems[0].where.startswith("journal event 4")


def test_changed_blob_byte_is_named(ws):
    ids = seed(ws)
    path = ws.blobs.path_for(ids["blob"])
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    report = verify(ws)
    assert report.problems[0].kind == "blob_altered"
    assert report.problems[0].where == f"blob {ids['blob']}"


def test_missing_blob_file_is_named(ws):
    ids = seed(ws)
    ws.blobs.path_for(ids["blob"]).unlink()
    report = verify(ws)
    assert report.problems[0].kind == "blob_altered"
    assert "missing" in report.problems[0].detail


def test_blob_row_changed_is_named(ws):
    ids = seed(ws)
    with ws.engine.begin() as conn:
        conn.execute(sa.update(blobs).where(blobs.c.sha256 == ids["blob"]).values(size=1))
    assert verify(ws).problems[0].where == f"blob {ids['blob']}"


def test_forged_tree_head_signature_is_caught(ws):
    seed(ws)
    with ws.engine.begin() as conn:
        head = conn.execute(sa.select(journal_heads).order_by(journal_heads.c.tree_size).limit(1)).one()
        forged = ("A" * 86) + "=="
        conn.execute(
            sa.update(journal_heads)
            .where(journal_heads.c.tree_size == head.tree_size)
            .values(signature=forged)
        )
    report = verify(ws)
    assert report.problems[0].kind == "bad_signature"


@pytest.mark.parametrize("drop", ["last_events"])
def test_truncated_journal_tail_is_caught(ws, drop):
    seed(ws)
    with ws.engine.begin() as conn:
        top = conn.execute(sa.select(sa.func.max(journal_events.c.seq))).scalar_one()
        conn.execute(sa.delete(journal_events).where(journal_events.c.seq == top))
    report = verify(ws)
    assert not report.intact
    assert {p.kind for p in report.problems} & {"head_without_events", "state_mismatch"}
