"""Workspace-level journal operations: publishing heads to a witness, rotating the signing key, and
running the modules' checks of derived data (a search index) alongside `proctor journal verify`.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from proctor.core.alerts import Subject
from proctor.core.clock import iso_utc
from proctor.core.errors import InputError, NotFound
from proctor.core.roles import USER_ADMIN, require
from proctor.journal import signing, witness
from proctor.journal.log import JournalLog, latest_head

if TYPE_CHECKING:
    from proctor.platform.workspace import Workspace


def witness_target(ws: Workspace, given: str | None = None) -> str:
    """Where heads go: the given location, else `[journal] witness` in proctor.toml."""
    target = given or str(ws.config.section("journal").get("witness", "") or "")
    if not target:
        raise InputError(
            "no witness location: pass --to DIR|s3://bucket/prefix or set [journal] witness in proctor.toml",
            field="--to",
        )
    if not target.startswith("s3://"):
        folder = Path(target).resolve()
        if folder.is_relative_to(ws.path.resolve()):
            raise InputError(
                "a witness inside the workspace proves nothing: use another volume or an S3 bucket",
                field="--to",
            )
    return target


def publish_head(ws: Workspace, target: str | None = None, client: Any | None = None) -> dict[str, Any]:
    """Write the latest signed head to the witness (never overwriting); returns what was done."""
    location = witness_target(ws, target)
    with ws.read() as conn:
        head = latest_head(conn)
    if head is None:
        raise NotFound("the journal is empty: no tree head to witness")
    store = witness.open_witness(location, client)
    written = witness.publish(store, head.as_dict(), iso_utc(ws.clock.now()), ws.config.firm_name)
    return {
        "witness": location,
        "tree_size": head.tree_size,
        "root_hash": head.root_hash,
        "name": witness.head_name(head.as_dict()),
        "written": written,
    }


def rotate_key(ws: Workspace, *, actor: str, reason: str) -> dict[str, str]:
    """Replace the signing key; the hand-over is a journal event signed by the old key.

    The event (and its batch's tree head) is signed with the old key, naming the new one, so a
    verifier that trusts the old key learns to trust the new one from the log itself; every later
    head is signed with the new key. The old private key is kept under keys/retired/.
    """
    require(ws.users.get(actor), USER_ADMIN)
    if not reason.strip():
        raise InputError("a reason is required", field="--reason")
    key_path = ws.config.key_path
    old_key = signing.load_private_key(key_path)
    old_pub = signing.public_key_hex(old_key)
    new_key = Ed25519PrivateKey.generate()
    new_pub = signing.public_key_hex(new_key)
    staged = key_path.with_name("journal-ed25519.next.pem")
    pem = new_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    fd = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    signed_at = iso_utc(ws.clock.now())
    statement = signing.sign(old_key, witness.rotation_message(old_pub, new_pub, signed_at))
    with ws.transaction(actor) as tx:
        tx.event(
            witness.KEY_ROTATION_EVENT,
            Subject("journal", "signing-key"),
            {
                "old_key": old_pub,
                "new_key": new_pub,
                "new_fingerprint": witness.fingerprint(new_pub),
                "signed_at": signed_at,
                "signature": base64.b64encode(statement).decode(),
                "reason": reason.strip(),
            },
        )
    retired = key_path.parent / "retired"
    retired.mkdir(exist_ok=True)
    os.replace(key_path, retired / f"journal-ed25519-{old_pub[:16]}.pem")
    os.replace(staged, key_path)
    ws.journal = JournalLog(new_key)
    from proctor.platform.workspace import PUBLIC_KEY_FILE

    (ws.path / PUBLIC_KEY_FILE).write_text(witness.public_key_text(new_pub, ws.config.firm_name), "utf-8")
    return {"old_key": old_pub, "new_key": new_pub, "fingerprint": witness.fingerprint(new_pub)}


def integrity_problems(ws: Workspace) -> list[str]:
    """Problems the modules' derived-data checks find (each module's ModuleSpec.integrity_checks)."""
    problems: list[str] = []
    for check in ws.integrity_checks:
        problems.extend(check(ws))
    return problems
