"""The S3 Object Lock blob store against a real S3-compatible server (moto) on a loopback port."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest
import sqlalchemy as sa

from proctor.bootstrap import init_workspace, open_workspace
from proctor.comms.disposal import approve_disposal, propose_disposal
from proctor.comms.holds import HoldCriteria, place_hold, release_hold
from proctor.comms.tables import messages
from proctor.core.clock import FixedClock
from proctor.core.ids import SequentialIds
from proctor.journal.verify import verify_journal
from proctor.platform import Workspace
from proctor.store.blobs import BlobError
from proctor.store.s3 import S3BlobStore, S3ConfigError, S3Location
from tests.comms.records_support import desk_traffic, ingest_emails, register

moto_server = pytest.importorskip("moto.server")

LOCKED_BUCKET = "firm-records"
PLAIN_BUCKET = "firm-scratch"


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_env(monkeypatch: pytest.MonkeyPatch, endpoint: str) -> str:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "proctor-test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "proctor-test-secret")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    existing = {b["Name"] for b in client.list_buckets().get("Buckets", [])}
    if LOCKED_BUCKET not in existing:
        client.create_bucket(Bucket=LOCKED_BUCKET, ObjectLockEnabledForBucket=True)
    if PLAIN_BUCKET not in existing:
        client.create_bucket(Bucket=PLAIN_BUCKET)
    return endpoint


def store_url(endpoint: str, bucket: str = LOCKED_BUCKET, prefix: str = "archive") -> str:
    return f"s3://{bucket}/{prefix}?endpoint={endpoint}&region=us-east-1"


def test_url_names_bucket_prefix_endpoint_and_region() -> None:
    loc = S3Location.parse("s3://firm-records/comms/2026?endpoint=http://127.0.0.1:9000&region=us-east-1")
    assert loc == S3Location("firm-records", "comms/2026", "http://127.0.0.1:9000", "us-east-1")


@pytest.mark.parametrize(
    "url",
    ["https://firm-records/x", "s3:///no-bucket", "s3://firm-records/x?endpoint=http://h&secret=abc"],
)
def test_malformed_urls_are_refused(url: str) -> None:
    with pytest.raises(S3ConfigError):
        S3Location.parse(url)


def test_bucket_without_object_lock_is_refused(s3_env: str) -> None:
    with pytest.raises(S3ConfigError, match="does not have Object Lock enabled"):
        S3BlobStore.from_url(store_url(s3_env, PLAIN_BUCKET))


def test_put_sets_compliance_lock_and_retain_until_per_object(s3_env: str) -> None:
    store = S3BlobStore.from_url(store_url(s3_env))
    email = b"From: ana@example-securities.com\r\nSubject: Q3 allocation\r\n\r\nPlease confirm.\r\n"
    until = datetime(2029, 3, 1, tzinfo=UTC)
    sha, stored = store.put(email, until.isoformat())
    assert stored > 0
    assert store.exists(sha)
    assert store.get(sha) == email
    mode, locked_until, legal_hold = store.retention(sha)
    assert (mode, locked_until, legal_hold) == ("COMPLIANCE", until, False)
    head = store.client.head_object(Bucket=LOCKED_BUCKET, Key=f"archive/{sha[:2]}/{sha[2:4]}/{sha}.zst")
    headers = head["ResponseMetadata"]["HTTPHeaders"]
    assert headers["x-amz-object-lock-mode"] == "COMPLIANCE"
    assert headers["x-amz-object-lock-retain-until-date"] == "2029-03-01T00:00:00Z"


def test_storing_the_same_bytes_again_only_extends_the_lock(s3_env: str) -> None:
    store = S3BlobStore.from_url(store_url(s3_env))
    chat = b'{"user":"U042","text":"filled 5,000 XYZ at 10.02","ts":"1767600000.000100"}'
    sha, _ = store.put(chat, "2029-01-05T00:00:00Z")
    store.put(chat, "2031-01-05T00:00:00Z")
    assert store.retention(sha)[1] == datetime(2031, 1, 5, tzinfo=UTC)
    store.put(chat, "2028-01-05T00:00:00Z")
    assert store.retention(sha)[1] == datetime(2031, 1, 5, tzinfo=UTC)


def test_delete_of_a_locked_object_is_refused_and_the_bytes_survive(s3_env: str) -> None:
    store = S3BlobStore.from_url(store_url(s3_env))
    sha, _ = store.put(b"customer complaint ticket #88213", "2030-06-30T00:00:00Z")
    with pytest.raises(BlobError, match="cannot be deleted"):
        store.delete(sha)
    assert store.get(sha) == b"customer complaint ticket #88213"


def test_legal_hold_blocks_deletion_after_retain_until(s3_env: str) -> None:
    store = S3BlobStore.from_url(store_url(s3_env))
    soon = datetime.now(UTC) + timedelta(seconds=1)
    sha, _ = store.put(b"matter 2026-014: desk chat export", soon)
    store.set_legal_hold(sha, True)
    time.sleep(1.5)
    assert store.retention(sha)[2] is True
    with pytest.raises(BlobError, match="cannot be deleted"):
        store.delete(sha)
    store.set_legal_hold(sha, False)
    store.delete(sha)
    assert not store.exists(sha)


def test_an_object_past_its_retain_until_date_can_be_disposed(s3_env: str) -> None:
    store = S3BlobStore.from_url(store_url(s3_env))
    soon = datetime.now(UTC) + timedelta(seconds=1)
    sha, _ = store.put(b"2019 mailbox item, retention ended", soon)
    time.sleep(1.5)
    store.delete(sha)
    assert not store.exists(sha)
    with pytest.raises(BlobError, match="missing"):
        store.get(sha)


def test_naive_retain_until_is_refused(s3_env: str) -> None:
    store = S3BlobStore.from_url(store_url(s3_env))
    with pytest.raises(BlobError, match="no time zone"):
        store.put(b"x", "2030-01-01T00:00:00")


@pytest.fixture
def s3_workspace(s3_env: str, tmp_path: Path, clock: FixedClock) -> Iterator[Workspace]:
    """A workspace whose blob store is the Object Lock bucket, configured by URL in proctor.toml."""
    root = tmp_path / "ws"
    init_workspace(root, firm="Harbor Street Securities LLC", domains=["harborstreet.com"])
    config = root / "proctor.toml"
    url = store_url(s3_env, prefix=f"ws-{tmp_path.name}")
    config.write_text(config.read_text().replace('blob_url = "blobs"', f'blob_url = "{url}"'))
    ws = open_workspace(root, clock=clock, ids=SequentialIds())
    for name, role in (("ada", "admin"), ("paula", "principal"), ("carl", "principal")):
        ws.users.add(name, role, actor="ada", password="correct horse")
    yield ws
    ws.close()


def test_a_workspace_on_s3_locks_each_record_until_its_retain_until(
    s3_workspace: Workspace, tmp_path: Path
) -> None:
    ws = s3_workspace
    assert isinstance(ws.blobs, S3BlobStore)
    register(ws)
    ingest_emails(ws, tmp_path / "mail", desk_traffic(datetime(2025, 11, 3, 14, tzinfo=UTC), 3))
    with ws.read() as conn:
        rows = conn.execute(sa.select(messages.c.id, messages.c.retain_until)).all()
    assert len(rows) == 3
    for record, retain_until in rows:
        assert ws.blobs.retention(record) == ("COMPLIANCE", retain_until, False)
    assert verify_journal(ws.engine, ws.blobs).intact


def test_on_s3_a_hold_is_an_object_legal_hold_and_a_locked_record_survives_disposal(
    s3_workspace: Workspace, tmp_path: Path, clock: FixedClock
) -> None:
    ws = s3_workspace
    register(ws)
    ingest_emails(ws, tmp_path / "mail", desk_traffic(datetime(2025, 11, 3, 14, tzinfo=UTC), 3))
    with ws.read() as conn:
        ids = sorted(i for (i,) in conn.execute(sa.select(messages.c.id)))
    hold = place_hold(
        ws, "paula", "Matter 12", "preservation letter received", HoldCriteria(records=(ids[0],))
    )
    assert ws.blobs.retention(ids[0])[2] is True
    release_hold(ws, "carl", hold["id"], "matter withdrawn by the claimant")
    assert ws.blobs.retention(ids[0])[2] is False

    # The firm's clock says retention has ended; the storage service's clock says it has not.
    clock.advance(timedelta(days=3 * 366))
    proposal = propose_disposal(ws, "paula", "disposal of 2025 desk e-mail")
    done = approve_disposal(ws, "carl", proposal["id"])
    refused = {r["sha256"] for r in done["outcome"]["storage_refused"]}
    assert refused == set(ids)
    assert all(ws.blobs.get(i) for i in ids)
    assert verify_journal(ws.engine, ws.blobs).intact
