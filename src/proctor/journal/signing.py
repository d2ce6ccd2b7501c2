"""Ed25519 signed tree heads: the firm's commitment to the journal at a point in time.

A tree head (size, root, time) signed with the firm's key is what an examiner keeps: any later
claim about the journal must be provably consistent with it. The signed message is a fixed,
versioned byte string rather than JSON so that the standalone verifier can rebuild it with no
serialisation rules to agree on.
"""

from __future__ import annotations

import base64
import os
import re
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from proctor.core.errors import InputError

STH_PREFIX = b"proctor-sth/1\n"
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z")


def sth_message(tree_size: int, root_hash: bytes, timestamp: str) -> bytes:
    """The exact bytes signed for a tree head; the timestamp is UTC, microseconds, with 'Z'."""
    if tree_size < 0:
        raise ValueError(f"a tree size cannot be negative, got {tree_size}")
    if len(root_hash) != 32:
        raise ValueError(f"a root hash is 32 bytes, got {len(root_hash)}")
    if not _TIMESTAMP.fullmatch(timestamp):
        raise ValueError(
            f"tree head timestamp {timestamp!r} is not UTC ISO-8601 like 2026-01-05T14:00:00.000000Z"
        )
    return STH_PREFIX + f"{tree_size}\n{root_hash.hex()}\n{timestamp}\n".encode()


def generate_key(path: Path) -> None:
    """Create a new signing key readable only by its owner; never replace an existing one.

    Replacing the key would orphan every tree head already given to examiners, so an existing
    file is an error rather than something to overwrite.
    """
    path = Path(path)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise InputError("a signing key already exists; refusing to overwrite it", file=str(path)) from None
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    os.chmod(path, 0o600)


def load_private_key(path: Path) -> Ed25519PrivateKey:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read signing key: {exc.strerror}", file=str(path)) from None
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise InputError(f"not an unencrypted PEM private key ({exc})", file=str(path)) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise InputError("the signing key is not an Ed25519 key", file=str(path))
    return key


def public_key_hex(private_key: Ed25519PrivateKey) -> str:
    """The raw 32-byte public key in hex: the form published to examiners and put in proofs."""
    raw = private_key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return raw.hex()


def sign(private_key: Ed25519PrivateKey, message: bytes) -> bytes:
    return private_key.sign(message)


def verify(public_hex: str, message: bytes, signature: bytes) -> bool:
    """True only for a valid signature; a malformed key or signature is simply not valid."""
    try:
        public = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_hex))
        public.verify(signature, message)
    except (ValueError, InvalidSignature):
        return False
    return True


def signed_tree_head(
    private_key: Ed25519PrivateKey, tree_size: int, root_hash: bytes, timestamp: str
) -> dict[str, object]:
    """A tree head in the JSON form used inside proof files and production manifests."""
    signature = sign(private_key, sth_message(tree_size, root_hash, timestamp))
    return {
        "tree_size": tree_size,
        "root_hash": root_hash.hex(),
        "timestamp": timestamp,
        "signature": base64.b64encode(signature).decode("ascii"),
        "public_key": public_key_hex(private_key),
    }
