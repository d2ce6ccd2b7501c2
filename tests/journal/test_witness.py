"""The journal against the firm itself: witnessed heads and a trusted key outside the workspace.

Each attack below leaves the workspace self-consistent (a plain `journal verify` reports it
intact); only the heads kept outside, and the key the examiner holds, expose it.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from proctor.bootstrap import open_workspace
from proctor.core.alerts import AlertDraft, Severity, Subject
from proctor.journal import merkle, signing, witness
from proctor.journal.log import row_leaf_bytes
from proctor.journal.verify import verify_journal
from proctor.platform.journal_ops import publish_head, rotate_key
from proctor.platform.workspace import PUBLIC_KEY_FILE
from proctor.store.schema import journal_events, journal_heads, journal_state
from tests.conftest import make_workspace

REPO = Path(__file__).resolve().parents[2]
PROCTOR = Path(sys.executable).parent / "proctor"


def raise_alert(ws, source: str) -> str:
    draft = AlertDraft(
        "comms.capture_completeness",
        "comms.count_mismatch",
        "1",
        f"Source {source} short on 2026-01-05",
        Severity.HIGH,
        (Subject("source", source),),
        {"expected": 120, "stored": 97},
    )
    return ws.alerts.raise_alert(draft, actor="paula")


@pytest.fixture
def kept(ws, tmp_path):
    """History, a head witnessed outside the workspace, and the public key the examiner keeps."""
    alert = raise_alert(ws, "sales-desk")
    ws.alerts.assign(alert, "ravi", actor="paula")
    folder = tmp_path / "witness-volume"
    publish_head(ws, str(folder))
    raise_alert(ws, "service-desk")  # more history after the witnessed head
    key_file = tmp_path / "examiner-key.txt"
    shutil.copy(ws.path / PUBLIC_KEY_FILE, key_file)
    with ws.read() as conn:
        size = conn.execute(sa.select(sa.func.max(journal_heads.c.tree_size))).scalar_one()
    return {"folder": folder, "key": key_file, "alert": alert, "size": size}


def check(ws, kept):
    return verify_journal(
        ws.engine,
        ws.blobs,
        trusted_keys=witness.read_trusted_keys(kept["key"]),
        witnessed=witness.load_witnessed(witness.open_witness(kept["folder"])),
    )


def witnessed_size(kept) -> int:
    return witness.load_witnessed(witness.open_witness(kept["folder"]))[0].tree_size


def resign_all(conn, key: Ed25519PrivateKey) -> None:
    """What an insider with the key file does after rewriting: recompute every leaf and re-sign."""
    frontier = merkle.Frontier()
    heads = {r.tree_size: r for r in conn.execute(sa.select(journal_heads))}
    public = signing.public_key_hex(key)
    for row in conn.execute(sa.select(journal_events).order_by(journal_events.c.seq)):
        leaf = merkle.leaf_hash(row_leaf_bytes(row))
        conn.execute(
            journal_events.update().where(journal_events.c.seq == row.seq).values(leaf_hash=leaf.hex())
        )
        frontier.append(leaf)
        head = heads.get(frontier.size)
        if head is not None:
            root = frontier.root()
            sig = signing.sign(key, signing.sth_message(frontier.size, root, head.ts))
            conn.execute(
                journal_heads.update()
                .where(journal_heads.c.tree_size == frontier.size)
                .values(root_hash=root.hex(), signature=base64.b64encode(sig).decode(), public_key=public)
            )
    conn.execute(
        journal_state.update().values(tree_size=frontier.size, frontier=json.dumps(frontier.to_list()))
    )


def truncate_to(conn, size: int) -> None:
    conn.execute(journal_events.delete().where(journal_events.c.seq >= size))
    conn.execute(journal_heads.delete().where(journal_heads.c.tree_size > size))


def test_a_clean_workspace_passes_against_its_witness(ws, kept):
    report = check(ws, kept)
    assert report.intact, report.problems
    assert report.witnessed == 1


def test_rollback_to_an_older_copy_fails_naming_the_witnessed_head(tmp_path, clock, db_url, request):
    """A real older copy of the whole database (a backup restored), not an edited journal."""
    ws = make_workspace(tmp_path / "ws", clock, db_url)
    try:
        ws.users.add("ada", "admin", actor="ada", password="correct horse")
        ws.users.add("paula", "principal", actor="ada", password="correct horse")
        raise_alert(ws, "sales-desk")
        restore = snapshot(ws, request)  # the backup
        raise_alert(ws, "service-desk")
        folder = tmp_path / "witness-volume"
        witnessed = publish_head(ws, str(folder))["tree_size"]
        key = witness.read_trusted_keys(ws.path / PUBLIC_KEY_FILE)
    finally:
        ws.close()
    restore()
    old = open_workspace(tmp_path / "ws")
    try:
        assert verify_journal(old.engine, old.blobs).intact  # the copy is consistent in itself
        report = verify_journal(
            old.engine,
            old.blobs,
            trusted_keys=key,
            witnessed=witness.load_witnessed(witness.open_witness(folder)),
        )
    finally:
        old.close()
    missing = [p for p in report.problems if p.kind == "witnessed_head_missing"]
    assert missing and missing[0].where.startswith(f"witnessed tree head {witnessed} ")


def snapshot(ws, request):
    """Copy the workspace's database now; the returned function puts the copy back in its place."""
    ws.engine.dispose()
    url = str(ws.config.section("storage").get("database_url", ""))
    if not url:
        saved = ws.path / "proctor.db.backup"
        shutil.copy(ws.config.db_path, saved)

        def restore_file() -> None:
            for suffix in ("-wal", "-shm"):
                Path(str(ws.config.db_path) + suffix).unlink(missing_ok=True)
            shutil.copy(saved, ws.config.db_path)

        return restore_file
    from tests.conftest import _pg_connect

    name = url.rsplit("/", 1)[1]
    copy = f"{name}_backup"
    with _pg_connect() as admin:
        admin.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{name}"')

    def drop() -> None:
        with _pg_connect() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')

    request.addfinalizer(drop)

    def restore_database() -> None:
        toml = ws.path / "proctor.toml"
        toml.write_text(toml.read_text(encoding="utf-8").replace(url, url.rsplit("/", 1)[0] + f"/{copy}"))

    return restore_database


def test_tail_truncation_fails_naming_the_witnessed_head(ws, kept):
    with ws.engine.begin() as conn:
        truncate_to(conn, witnessed_size(kept) - 1)
        resign_all(conn, signing.load_private_key(ws.config.key_path))
    report = check(ws, kept)
    assert any(
        p.kind == "witnessed_head_missing" and f"tree head {witnessed_size(kept)}" in p.where
        for p in report.problems
    )


def test_rewrite_and_resign_with_the_workspace_key_fails(ws, kept):
    with ws.engine.begin() as conn:
        first = conn.execute(
            sa.select(journal_events).where(
                journal_events.c.event_type == "user.added", journal_events.c.subject_id == "ravi"
            )
        ).first()
        payload = first.payload.replace("ravi@harborstreet.com", "nobody@harborstreet.com")
        assert payload != first.payload
        conn.execute(journal_events.update().where(journal_events.c.seq == first.seq).values(payload=payload))
        resign_all(conn, signing.load_private_key(ws.config.key_path))
    # the journal agrees with itself: only the witness shows the history changed
    assert not {p.kind for p in verify_journal(ws.engine, ws.blobs).problems} & {
        "event_altered",
        "head_mismatch",
        "bad_signature",
    }
    report = check(ws, kept)
    mismatch = [p for p in report.problems if p.kind == "witnessed_head_mismatch"]
    assert mismatch and mismatch[0].where.startswith(f"witnessed tree head {witnessed_size(kept)} ")


def test_key_replacement_fails_against_the_trusted_key(ws, kept):
    with ws.engine.begin() as conn:
        resign_all(conn, Ed25519PrivateKey.generate())
    assert not {p.kind for p in verify_journal(ws.engine, ws.blobs).problems} & {"bad_signature"}
    report = check(ws, kept)
    kinds = {p.kind for p in report.problems}
    assert "untrusted_key" in kinds


def test_a_rebuilt_look_alike_workspace_fails(ws, kept, tmp_path, clock, db_url, request):
    if db_url:  # a second, fresh database: the look-alike cannot share the original's
        from tests.conftest import _pg_connect

        name = db_url.rsplit("/", 1)[1] + "_twin"
        with _pg_connect() as admin:
            admin.execute(f'CREATE DATABASE "{name}"')

        def drop() -> None:
            with _pg_connect() as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

        request.addfinalizer(drop)
        db_url = db_url.rsplit("/", 1)[0] + f"/{name}"
    made = make_workspace(tmp_path / "twin", clock, db_url)
    key_path = made.config.key_path
    made.close()
    key_path.unlink()  # the look-alike has a signing key of its own
    signing.generate_key(key_path)
    twin = open_workspace(tmp_path / "twin", clock=clock)
    try:
        for name, role in (("ada", "admin"), ("paula", "principal"), ("ravi", "reviewer")):
            twin.users.add(name, role, actor="ada", password="correct horse")
        raise_alert(twin, "sales-desk")
        report = check(twin, kept)
        kinds = {p.kind for p in report.problems}
        assert kinds & {"witnessed_head_missing", "witnessed_head_mismatch"}
        named = next(p for p in report.problems if p.kind.startswith("witnessed_head"))
        assert named.where.startswith(f"witnessed tree head {witnessed_size(kept)} ")
        assert "untrusted_key" in kinds  # its own new key is not the one the examiner holds
    finally:
        twin.close()


def test_publishing_never_overwrites_a_head(ws, kept):
    again = publish_head(ws, str(kept["folder"]))
    assert again["written"] is True  # the newer head is a new file
    assert publish_head(ws, str(kept["folder"]))["written"] is False
    names = sorted(p.name for p in kept["folder"].iterdir())
    assert len(names) == 2
    target = kept["folder"] / names[0]
    before = target.read_bytes()
    store = witness.open_witness(kept["folder"])
    assert store.put_new(names[0], b"something else") is False
    assert target.read_bytes() == before


def test_a_witness_inside_the_workspace_is_refused(ws):
    from proctor.core.errors import InputError

    with pytest.raises(InputError, match="inside the workspace"):
        publish_head(ws, str(ws.path / "witness"))


def test_key_rotation_is_journaled_and_signed_by_the_old_key(ws, kept):
    result = rotate_key(ws, actor="ada", reason="annual key rotation")
    raise_alert(ws, "after-rotation")
    publish_head(ws, str(kept["folder"]))
    with ws.read() as conn:
        event = conn.execute(
            sa.select(journal_events).where(journal_events.c.event_type == witness.KEY_ROTATION_EVENT)
        ).one()
        last = conn.execute(sa.select(journal_heads).order_by(journal_heads.c.tree_size.desc())).first()
    payload = json.loads(event.payload)
    assert payload["new_key"] == result["new_key"] and event.actor == "ada"
    assert last.public_key == result["new_key"]
    # the examiner's old key still verifies everything, through the journaled hand-over
    assert check(ws, kept).intact
    # a forged hand-over (signed by a key nobody trusted) is not followed
    with ws.engine.begin() as conn:
        forged = dict(payload, signature=base64.b64encode(b"\0" * 64).decode())
        conn.execute(
            journal_events.update()
            .where(journal_events.c.seq == event.seq)
            .values(payload=json.dumps(forged, sort_keys=True, separators=(",", ":")))
        )
        resign_all(conn, signing.load_private_key(ws.config.key_path))
    kinds = {p.kind for p in check(ws, kept).problems}
    assert "untrusted_rotation" in kinds


def test_s3_witness_is_append_only(ws, monkeypatch):
    moto = pytest.importorskip("moto")
    import boto3

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with moto.mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket="firm-witness", ObjectLockEnabledForBucket=True)
        raise_alert(ws, "sales-desk")
        first = publish_head(ws, "s3://firm-witness/heads", client=client)
        assert first["written"] and not publish_head(ws, "s3://firm-witness/heads", client=client)["written"]
        heads = witness.load_witnessed(witness.S3Witness("s3://firm-witness/heads", client))
        assert [h.tree_size for h in heads] == [first["tree_size"]]
        assert verify_journal(ws.engine, ws.blobs, witnessed=heads).intact


def test_cli_verify_with_witness_names_the_head_and_standalone_verifier_accepts_heads(ws, kept, tmp_path):
    env_run = {"cwd": tmp_path, "capture_output": True, "text": True}
    ok = subprocess.run(
        [
            str(PROCTOR),
            "journal",
            "verify",
            "-w",
            str(ws.path),
            "--witness",
            str(kept["folder"]),
            "--trusted-key",
            str(kept["key"]),
        ],
        **env_run,
    )
    assert ok.returncode == 0, ok.stderr
    proof = tmp_path / "p.json"
    made = subprocess.run(
        [
            str(PROCTOR),
            "journal",
            "prove",
            kept["alert"],
            "-o",
            str(proof),
            "-w",
            str(ws.path),
            "--witness",
            str(kept["folder"]),
        ],
        **env_run,
    )
    assert made.returncode == 0, made.stderr
    public = witness.read_trusted_keys(kept["key"]).pop()
    tool = [sys.executable, str(REPO / "tools" / "verify_proof.py")]
    good = subprocess.run(
        [*tool, str(proof), "--public-key", public, "--witness", str(kept["folder"])], **env_run
    )
    assert good.returncode == 0, good.stdout
    assert "witnessed tree head" in good.stdout and "is consistent with the proof's head" in good.stdout
    with ws.engine.begin() as conn:
        truncate_to(conn, witnessed_size(kept) - 1)
        resign_all(conn, signing.load_private_key(ws.config.key_path))
    bad = subprocess.run(
        [
            str(PROCTOR),
            "journal",
            "verify",
            "-w",
            str(ws.path),
            "--witness",
            str(kept["folder"]),
            "--trusted-key",
            str(kept["key"]),
        ],
        **env_run,
    )
    assert bad.returncode == 1
    assert f"witnessed tree head {witnessed_size(kept)} " in bad.stderr
    # a proof from the rebuilt log is not consistent with what the examiner kept
    raise_alert(ws, "rebuilt")
    forged = tmp_path / "forged.json"
    subprocess.run(
        [
            str(PROCTOR),
            "journal",
            "prove",
            kept["alert"],
            "-o",
            str(forged),
            "-w",
            str(ws.path),
            "--witness",
            str(kept["folder"]),
        ],
        **env_run,
    )
    refused = subprocess.run(
        [*tool, str(forged), "--public-key", public, "--witness", str(kept["folder"])], **env_run
    )
    assert refused.returncode == 1, refused.stdout


def test_the_witness_control_publishes_daily_and_alerts_without_a_witness(ws, tmp_path):
    from dataclasses import replace

    from proctor.platform.alerts import AlertQuery

    missing = ws.controls.run("platform.journal_witness", actor="paula")
    assert missing["findings"] == 1
    rows, _ = ws.alerts.query(AlertQuery(control="platform.journal_witness"))
    assert "not witnessed" in rows[0]["title"]
    folder = tmp_path / "witness-volume"
    ws.config = replace(ws.config, raw={**ws.config.raw, "journal": {"witness": str(folder)}})
    published = ws.controls.run("platform.journal_witness", actor="paula")
    assert published["findings"] == 0
    assert len(witness.load_witnessed(witness.open_witness(folder))) == 1
