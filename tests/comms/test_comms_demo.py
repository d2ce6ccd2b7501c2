"""The archive's demo part: real exports through the real ingest, and the failures it stages are caught."""

from __future__ import annotations

import sqlalchemy as sa

from proctor.comms import api
from proctor.comms.plugin import CONTROLS, seed_demo
from proctor.comms.search import SearchQuery, search
from proctor.comms.tables import messages
from proctor.journal.verify import verify_journal
from proctor.platform import Workspace
from proctor.platform.alerts import AlertQuery


def test_demo_traffic_is_captured_and_every_staged_failure_raises_an_alert(sqlite_ws: Workspace) -> None:
    ws = sqlite_ws
    summary = seed_demo(ws, "ada")
    assert summary["messages_stored"] > 800 and summary["quarantined"] == 1
    with ws.read() as conn:
        kinds = {s["name"]: (s["kind"], s["capture_state"]) for s in api.list_sources(conn)}
        linked = conn.execute(sa.select(messages.c.id).where(messages.c.canonical_id.is_not(None))).all()
        flagged = search(conn, SearchQuery(text='"guarantee" OR whatsapp OR complaint', limit=200)).hits
    assert kinds["grp.client-service"] == ("group_mailbox", "connected")
    assert kinds["sms.registered-reps"] == ("sms_mobile", "never_connected")
    assert {k for k, _ in kinds.values()} >= {
        "mailbox",
        "group_mailbox",
        "chat_workspace",
        "customer_service",
    }
    assert len(linked) == 1  # the BCC copy of the escalation links to the group mailbox's record
    assert {h["source"] for h in flagged} >= {"mbx.dana.whitfield", "mbx.lee.park", "zendesk.support"}

    for spec in CONTROLS:
        ws.controls.run(spec.name, actor="ada")
    rows, _ = ws.alerts.query(AlertQuery(module="comms", page_size=100))
    titles = sorted(str(r["title"]) for r in rows)
    assert any(t.startswith("Source grp.client-service delivered nothing on") for t in titles), titles
    assert "Source sms.registered-reps is registered but was never connected for capture" in titles
    assert any(t.startswith("Source mbx.dana.whitfield: 1 item(s) quarantined") for t in titles)
    missing = [r for r in rows if str(r["title"]).startswith("Source zendesk.support on")]
    assert len(missing) == 1
    assert ws.alerts.get(str(missing[0]["id"]))["evidence"]["missing_items"] == [
        summary["missing_from_export"]
    ]
    assert verify_journal(ws.engine, ws.blobs).intact
