"""Content-addressed blob store: SHA-256 names, zstd compression, atomic durable writes.

The original bytes of a record are the record. A blob is written to a temporary file, fsynced and
renamed into place, so a crash leaves either the whole blob or nothing, and the same content is
never stored twice. The rename itself is made durable by fsyncing the blob's directory in `sync()`,
which the one writer path calls before committing any row that refers to a blob: one directory
fsync per batch instead of one per blob keeps bulk capture fast without weakening the guarantee.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from pathlib import Path
from typing import Protocol

import zstandard


class BlobError(Exception):
    """A blob is missing or its bytes no longer hash to its name."""


class BlobStore(Protocol):
    def put(self, data: bytes, retain_until: str | None = None) -> tuple[str, int]: ...
    def get(self, sha256: str) -> bytes: ...
    def exists(self, sha256: str) -> bool: ...
    def delete(self, sha256: str) -> None: ...
    def sync(self) -> None: ...


class FilesystemBlobStore:
    """Blobs under ROOT/ab/<sha256>.zst (256 folders: few directory creations on bulk capture)."""

    def __init__(self, root: Path, level: int = 3) -> None:
        self.root = root
        self.level = level
        self._local = threading.local()
        self._dirty: set[Path] = set()
        self._dirty_lock = threading.Lock()

    def _compressor(self) -> zstandard.ZstdCompressor:
        comp = getattr(self._local, "comp", None)
        if comp is None:
            comp = self._local.comp = zstandard.ZstdCompressor(level=self.level)
        return comp

    def path_for(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise BlobError(f"not a SHA-256 name: {sha256!r}")
        return self.root / sha256[:2] / f"{sha256}.zst"

    def put(self, data: bytes, retain_until: str | None = None) -> tuple[str, int]:
        """Store bytes; returns (sha256, stored size). Retention is enforced by the archive's rules."""
        sha = hashlib.sha256(data).hexdigest()
        target = self.path_for(sha)
        if target.exists():
            return sha, target.stat().st_size
        target.parent.mkdir(parents=True, exist_ok=True)
        packed = self._compressor().compress(data)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(packed)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        with self._dirty_lock:
            self._dirty.add(target.parent)
        return sha, len(packed)

    def sync(self) -> None:
        """Make every rename since the last call durable: fsync the directories written to."""
        with self._dirty_lock:
            dirty, self._dirty = self._dirty, set()
        for directory in sorted(dirty):
            dir_fd = os.open(directory, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)

    def get(self, sha256: str) -> bytes:
        path = self.path_for(sha256)
        try:
            packed = path.read_bytes()
        except FileNotFoundError:
            raise BlobError(f"blob {sha256} is missing") from None
        try:
            data = zstandard.ZstdDecompressor().decompress(packed)
        except zstandard.ZstdError as exc:
            raise BlobError(f"blob {sha256} is corrupt: {exc}") from None
        if hashlib.sha256(data).hexdigest() != sha256:
            raise BlobError(f"blob {sha256} content does not match its hash")
        return data

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).exists()

    def delete(self, sha256: str) -> None:
        self.path_for(sha256).unlink(missing_ok=True)
