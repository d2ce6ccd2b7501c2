"""Blobs: content-addressed, compressed, atomic, and safe under concurrent writers."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor

import pytest

from proctor.store.blobs import BlobError, FilesystemBlobStore

MESSAGE = b"From: desk@harborstreet.com\r\nTo: client@example.com\r\nSubject: Q3\r\n\r\n" + b"Rates. " * 500


def test_content_addressed_and_compressed(tmp_path):
    store = FilesystemBlobStore(tmp_path / "blobs")
    sha, stored = store.put(MESSAGE)
    assert sha == hashlib.sha256(MESSAGE).hexdigest()
    assert stored < len(MESSAGE) / 5
    assert store.get(sha) == MESSAGE
    assert store.put(MESSAGE) == (sha, stored)
    assert not list((tmp_path / "blobs").rglob(".tmp-*"))


def test_corruption_and_absence_are_errors_not_wrong_bytes(tmp_path):
    store = FilesystemBlobStore(tmp_path / "blobs")
    sha, _ = store.put(MESSAGE)
    path = store.path_for(sha)
    path.write_bytes(path.read_bytes()[:-3])
    with pytest.raises(BlobError, match=r"corrupt|does not match"):
        store.get(sha)
    with pytest.raises(BlobError, match="missing"):
        store.get("0" * 64)
    with pytest.raises(BlobError, match="not a SHA-256"):
        store.path_for("../../etc/passwd")


def test_concurrent_threads_writing_the_same_and_different_blobs(tmp_path):
    store = FilesystemBlobStore(tmp_path / "blobs")
    payloads = [MESSAGE + str(i % 20).encode() for i in range(400)]
    with ThreadPoolExecutor(8) as pool:
        shas = list(pool.map(lambda p: store.put(p)[0], payloads))
    assert len(set(shas)) == 20
    for payload, sha in zip(payloads, shas, strict=True):
        assert store.get(sha) == payload


def test_concurrent_processes_share_one_writer_path(sqlite_ws):
    """Two processes appending at once: both finish, the journal verifies, nothing interleaves."""
    script = textwrap.dedent(f"""
        from pathlib import Path
        from proctor.bootstrap import open_workspace
        from proctor.core.alerts import Subject
        ws = open_workspace(Path({str(sqlite_ws.path)!r}))
        for i in range(60):
            with ws.transaction("ada") as tx:
                tx.put_blob(b"shared message body")
                tx.event("load.test", Subject("writer", str(i)), {{"i": i}})
    """)
    procs = [subprocess.Popen([sys.executable, "-c", script]) for _ in range(2)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    from proctor.journal.verify import verify_journal

    report = verify_journal(sqlite_ws.engine, sqlite_ws.blobs)
    assert report.intact, report.problems
    assert report.blobs == 1
