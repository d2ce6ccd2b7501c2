"""Witnessed tree heads: copies of signed heads kept where the firm's own administrator cannot reach.

A signed tree head checked against a key stored in the same database proves nothing against
whoever can write that database: restore an older copy, delete the newest events, or rewrite an
event and re-sign every later head, and the log is still self-consistent. Certificate-transparency
logs (RFC 9162, section 8; Trillian witnesses) answer this by publishing each head to someone else
who keeps it. Proctor does the same: `proctor journal witness publish` writes the latest head to a
folder on another volume or an S3 bucket with Object Lock, never overwriting one already there, and
`proctor journal verify --witness` requires every head found there to be in the log and consistent
with the current head, signed by a public key the examiner holds (not the one in the database).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from proctor.core.errors import InputError
from proctor.journal import signing

WITNESS_FORMAT = "proctor-witnessed-head/1"
KEY_ROTATION_EVENT = "journal.key_rotated"
ROTATION_PREFIX = b"proctor-key-rotation/1\n"
_NAME = re.compile(r"sth-(\d{20})-([0-9a-f]{16})\.json")
_HEX_KEY = re.compile(r"[0-9a-fA-F]{64}")


@dataclass(frozen=True)
class WitnessedHead:
    """One tree head as it was published outside the workspace, and where it was found."""

    tree_size: int
    root_hash: str
    timestamp: str
    signature: str
    public_key: str
    location: str

    @property
    def label(self) -> str:
        return f"witnessed tree head {self.tree_size} (root {self.root_hash[:16]}…, {self.timestamp})"

    def signature_valid(self) -> bool:
        try:
            message = signing.sth_message(self.tree_size, bytes.fromhex(self.root_hash), self.timestamp)
            signature = base64.b64decode(self.signature, validate=True)
        except ValueError:
            return False
        return signing.verify(self.public_key, message, signature)

    def as_dict(self) -> dict[str, Any]:
        return {
            "tree_size": self.tree_size,
            "root_hash": self.root_hash,
            "timestamp": self.timestamp,
            "signature": self.signature,
            "public_key": self.public_key,
        }


def fingerprint(public_hex: str) -> str:
    """A short, comparable name for a public key: SHA-256 of its 32 raw bytes."""
    return "sha256:" + hashlib.sha256(bytes.fromhex(public_hex)).hexdigest()


def public_key_text(public_hex: str, firm: str) -> str:
    """The file `proctor init` writes for the firm to keep (and give examiners) outside the workspace."""
    return (
        f"# Proctor journal signing key of {firm} (Ed25519, raw public key in hex)\n"
        f"# fingerprint {fingerprint(public_hex)}\n"
        "# Keep a copy outside the workspace; pass it to `proctor journal verify --trusted-key FILE`\n"
        "# and to tools/verify_proof.py --public-key.\n"
        f"{public_hex}\n"
    )


def read_trusted_keys(path: Path) -> set[str]:
    """Public keys from a file: 64 hex digits per line (comments with #), or a PEM public key."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the trusted key: {exc}", file=str(path)) from None
    if "BEGIN PUBLIC KEY" in text:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

        try:
            key = serialization.load_pem_public_key(text.encode())
        except ValueError as exc:
            raise InputError(f"not a PEM public key ({exc})", file=str(path)) from None
        if not isinstance(key, Ed25519PublicKey):
            raise InputError("not an Ed25519 public key", file=str(path))
        raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return {raw.hex()}
    keys = set()
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if not _HEX_KEY.fullmatch(line):
            raise InputError("expected a public key of 64 hex digits", file=str(path), row=number)
        keys.add(line.lower())
    if not keys:
        raise InputError("the file holds no public key", file=str(path))
    return keys


def rotation_message(old_key: str, new_key: str, timestamp: str) -> bytes:
    """What the old key signs when it hands over to a new one."""
    return ROTATION_PREFIX + f"{old_key}\n{new_key}\n{timestamp}\n".encode()


def trusted_after_rotation(trusted: set[str], payload: dict[str, Any]) -> str | None:
    """The new key a rotation event introduces, if a key already trusted signed the hand-over."""
    old, new, ts = payload.get("old_key"), payload.get("new_key"), payload.get("signed_at")
    if not all(isinstance(v, str) for v in (old, new, ts)) or old not in trusted:
        return None
    try:
        signature = base64.b64decode(str(payload.get("signature", "")), validate=True)
        message = rotation_message(str(old), str(new), str(ts))
    except ValueError:
        return None
    return str(new) if signing.verify(str(old), message, signature) else None


# --- where witnessed heads live ---------------------------------------------------------------


def head_document(head: dict[str, Any], witnessed_at: str, firm: str) -> bytes:
    doc = {"format": WITNESS_FORMAT, "tree_head": head, "witnessed_at": witnessed_at, "firm": firm}
    return (json.dumps(doc, indent=1, sort_keys=True) + "\n").encode("utf-8")


def head_name(head: dict[str, Any]) -> str:
    return f"sth-{int(head['tree_size']):020d}-{str(head['root_hash'])[:16]}.json"


class WitnessStore:
    """A place outside the workspace that keeps heads: written once per name, never overwritten."""

    location: str

    def put_new(self, name: str, data: bytes) -> bool:  # pragma: no cover - interface
        """Store `data` under `name` unless something is there; True when it was written now."""
        raise NotImplementedError

    def items(self) -> Iterable[tuple[str, bytes]]:  # pragma: no cover - interface
        raise NotImplementedError


class FolderWitness(WitnessStore):
    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.location = str(self.folder)

    def put_new(self, name: str, data: bytes) -> bool:
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self.folder / name
        try:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o444)
        except FileExistsError:
            return False
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        return True

    def items(self) -> Iterable[tuple[str, bytes]]:
        if not self.folder.is_dir():
            raise InputError("the witness folder does not exist", file=str(self.folder))
        for path in sorted(self.folder.glob("sth-*.json")):
            yield path.name, path.read_bytes()


class S3Witness(WitnessStore):
    """Heads as objects in a bucket (ideally with Object Lock); `If-None-Match: *` never overwrites."""

    def __init__(self, url: str, client: Any | None = None) -> None:
        parts = urlsplit(url)
        if parts.scheme != "s3" or not parts.netloc:
            raise InputError(f"not an S3 location (expected s3://bucket/prefix): {url!r}", field="--to")
        query: dict[str, list[str]] = parse_qs(parts.query)
        self.bucket = parts.netloc
        self.prefix = parts.path.strip("/")
        self.location = url
        if client is None:
            import boto3

            client = boto3.client(
                "s3",
                endpoint_url=(query.get("endpoint") or [""])[-1] or None,
                region_name=(query.get("region") or [""])[-1] or None,
            )
        self.client = client

    def _key(self, name: str) -> str:
        return f"{self.prefix}/{name}" if self.prefix else name

    def put_new(self, name: str, data: bytes) -> bool:
        from botocore.exceptions import ClientError

        key = self._key(name)
        try:
            self.client.head_object(Bucket=self.bucket, Key=key)
            return False
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") not in ("404", "NoSuchKey", "NotFound"):
                raise InputError(f"cannot reach the witness bucket: {exc}", field="--to") from None
        try:
            self.client.put_object(Bucket=self.bucket, Key=key, Body=data, IfNoneMatch="*")
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("PreconditionFailed", "412"):
                return False
            raise InputError(f"cannot write to the witness bucket: {exc}", field="--to") from None
        return True

    def items(self) -> Iterable[tuple[str, bytes]]:
        paginator = self.client.get_paginator("list_objects_v2")
        start = f"{self.prefix}/sth-" if self.prefix else "sth-"
        for page in paginator.paginate(Bucket=self.bucket, Prefix=start):
            for obj in page.get("Contents", []):
                body = self.client.get_object(Bucket=self.bucket, Key=obj["Key"])["Body"].read()
                yield obj["Key"].rsplit("/", 1)[-1], body


def open_witness(target: str | Path, client: Any | None = None) -> WitnessStore:
    text = str(target)
    if text.startswith("s3://"):
        return S3Witness(text, client)
    return FolderWitness(Path(text))


def publish(store: WitnessStore, head: dict[str, Any], witnessed_at: str, firm: str) -> bool:
    """Publish one signed head; False when that very head was already witnessed."""
    return store.put_new(head_name(head), head_document(head, witnessed_at, firm))


def load_witnessed(store: WitnessStore) -> list[WitnessedHead]:
    """Every head in the witness, smallest first; an unreadable one is an error naming it."""
    heads = []
    for name, data in store.items():
        where = f"{store.location}/{name}"
        if not _NAME.fullmatch(name):
            continue
        try:
            doc = json.loads(data.decode("utf-8"))
            if doc.get("format") != WITNESS_FORMAT:
                raise ValueError(f"format is {doc.get('format')!r}, expected {WITNESS_FORMAT!r}")
            head = doc["tree_head"]
            heads.append(
                WitnessedHead(
                    tree_size=int(head["tree_size"]),
                    root_hash=str(head["root_hash"]).lower(),
                    timestamp=str(head["timestamp"]),
                    signature=str(head["signature"]),
                    public_key=str(head["public_key"]).lower(),
                    location=where,
                )
            )
        except (UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise InputError(f"not a witnessed tree head: {exc}", file=where) from None
    heads.sort(key=lambda h: (h.tree_size, h.root_hash))
    return heads
