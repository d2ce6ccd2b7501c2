"""Proofs exported by the CLI verify with the standalone tool; crashes lose nothing acknowledged."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import sqlalchemy as sa

from proctor.bootstrap import open_workspace
from proctor.core.alerts import AlertDraft, Severity, Subject
from proctor.journal.verify import verify_journal
from proctor.store.schema import alerts

REPO = Path(__file__).resolve().parents[2]
TOOL = REPO / "tools" / "verify_proof.py"
PROCTOR = Path(sys.executable).parent / "proctor"


def cli(*args: str, ws_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(PROCTOR), *args, "--workspace", str(ws_path)], capture_output=True, text=True)


def tool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(TOOL), *args], capture_output=True, text=True)


def raise_some(ws, n: int) -> list[str]:
    return [
        ws.alerts.raise_alert(
            AlertDraft(
                "trading.trade_through",
                "trading.611.trade_through",
                "2",
                f"Trade {i} through NBBO",
                Severity.HIGH,
                (Subject("trade", f"T{i}"),),
                {"price": "10.01", "nbo": "10.00"},
            ),
            actor="paula",
        )
        for i in range(n)
    ]


def test_inclusion_proof_from_cli_verifies_standalone_and_fails_when_altered(ws, tmp_path):
    ids = raise_some(ws, 5)
    out = tmp_path / "proof.json"
    result = cli("journal", "prove", ids[2], "--out", str(out), ws_path=ws.path)
    assert result.returncode == 0, result.stderr
    checked = tool(str(out))
    assert checked.returncode == 0, checked.stdout
    assert "VALID" in checked.stdout
    proof = json.loads(out.read_text())
    proof["leaf_data_b64"] = proof["leaf_data_b64"][:-8] + "AAAAAAA="
    out.write_text(json.dumps(proof))
    assert tool(str(out)).returncode == 1


def test_proof_of_a_record_altered_after_the_fact_does_not_verify(ws, tmp_path):
    ids = raise_some(ws, 3)
    with ws.engine.begin() as conn:
        conn.execute(sa.update(alerts).where(alerts.c.id == ids[0]).values(title="nothing happened"))
    # the journal still holds the original; a proof built from the altered row's content cannot match
    out = tmp_path / "proof.json"
    assert cli("journal", "prove", ids[0], "--out", str(out), ws_path=ws.path).returncode == 0
    proof = json.loads(out.read_text())
    import base64

    leaf = json.loads(base64.b64decode(proof["leaf_data_b64"]))
    assert leaf["payload"]["after"]["title"] == "Trade 0 through NBBO"
    leaf["payload"]["after"]["title"] = "nothing happened"
    proof["leaf_data_b64"] = base64.b64encode(
        json.dumps(leaf, sort_keys=True, separators=(",", ":")).encode()
    ).decode()
    out.write_text(json.dumps(proof))
    assert tool(str(out)).returncode == 1
    assert cli("journal", "verify", ws_path=ws.path).returncode == 1


def test_consistency_proof_between_two_heads(ws, tmp_path):
    raise_some(ws, 2)
    heads = json.loads(cli("journal", "heads", "--json", ws_path=ws.path).stdout)["heads"]
    old = heads[-1]["tree_size"]
    raise_some(ws, 3)
    new = json.loads(cli("journal", "heads", "--json", ws_path=ws.path).stdout)["heads"][0]["tree_size"]
    out = tmp_path / "consistency.json"
    result = cli("journal", "consistency", str(old), str(new), "--out", str(out), ws_path=ws.path)
    assert result.returncode == 0, result.stderr
    assert tool(str(out)).returncode == 0


def test_history_recreates_every_version_with_who_and_when(ws):
    alert_id = raise_some(ws, 1)[0]
    ws.alerts.assign(alert_id, "ravi", actor="paula")
    ws.alerts.close(alert_id, "no_action", "Venue was down; trade routed correctly.", actor="ravi")
    result = cli("journal", "history", alert_id, "--json", ws_path=ws.path)
    versions = json.loads(result.stdout)
    assert [(v["actor"], v["event"]) for v in versions] == [
        ("paula", "alert.raised"),
        ("paula", "alert.assigned"),
        ("ravi", "alert.close_proposed"),
    ]
    assert [v["state"]["status"] for v in versions] == ["new", "assigned", "pending_approval"]


WRITER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from proctor.bootstrap import open_workspace
    from proctor.core.alerts import Subject
    ws = open_workspace(Path(sys.argv[1]))
    for batch in range(100000):
        with ws.transaction("ada") as tx:
            for i in range(50):
                tx.event("load.test", Subject("batch", str(batch)), {"i": i, "pad": "x" * 200})
        print(batch, flush=True)
""")


def test_kill_9_during_batch_appends_loses_nothing_acknowledged(sqlite_ws, tmp_path):
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    proc = subprocess.Popen(
        [sys.executable, str(script), str(sqlite_ws.path)], stdout=subprocess.PIPE, text=True
    )
    acknowledged = -1
    deadline = time.monotonic() + 30
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        acknowledged = int(line)
        if acknowledged >= 40:
            break
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    assert acknowledged >= 40
    reopened = open_workspace(sqlite_ws.path)
    report = verify_journal(reopened.engine, reopened.blobs)
    assert report.intact, report.problems
    with reopened.read() as conn:
        batches = conn.execute(
            sa.text("SELECT COUNT(DISTINCT subject_id) FROM journal_events WHERE event_type = 'load.test'")
        ).scalar_one()
    assert batches >= acknowledged + 1
    # and the workspace keeps working after the crash
    with reopened.transaction("ada") as tx:
        tx.event("load.test", Subject("batch", "after-crash"), {"i": 0})
    assert verify_journal(reopened.engine, reopened.blobs).intact
    reopened.close()
