"""`proctor comms verify-export DIR`: check a production byte by byte, naming every file that fails.

The same checks as the standalone tools/verify_proof.py, made with Proctor's own Merkle and
Ed25519 code, plus two a folder-level check needs: every file in the folder is listed (a file
slipped into a production is as wrong as one altered), and every record's original is proved by
the leaf that stored it. The production's own leaf (proved by the index's proof) states the
record count and every record id, and the manifest's production block must be exactly what that
leaf signed, so removing a record with all its entries, or editing the block, fails. Nothing here
reads the workspace: the folder and, optionally, the firm's published public key are all an
examiner has.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from proctor.core.errors import InputError
from proctor.journal import merkle, signing

PRODUCTION_FORMAT = "proctor-production/1"
INCLUSION_FORMAT = "proctor-inclusion-proof/1"
MANIFEST = "manifest.json"


@dataclass
class ExportCheck:
    """The verdict on a production: counts, and each failure with the file it concerns."""

    folder: str
    files: int = 0
    proofs: int = 0
    tree_size: int | None = None
    public_key: str | None = None
    failures: list[dict[str, str]] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.failures and self.files > 0

    def fail(self, path: str, problem: str) -> None:
        self.failures.append({"path": path, "problem": problem})

    def as_dict(self) -> dict[str, Any]:
        return {
            "folder": self.folder,
            "valid": self.valid,
            "files": self.files,
            "proofs": self.proofs,
            "tree_size": self.tree_size,
            "public_key": self.public_key,
            "failures": self.failures,
        }


@dataclass(frozen=True)
class _Proof:
    leaf: bytes
    strings: frozenset[str]
    content_sha256: str | None
    problem: str | None
    event: dict[str, Any] | None = None


PRODUCTION_EVENT = "comms.production.created"


def check_production_record(
    manifest: dict[str, Any], items: list[Any], event: dict[str, Any] | None
) -> list[str]:
    """What the signed production leaf says against what the manifest lists; empty when they agree."""
    if event is None or event.get("type") != PRODUCTION_EVENT:
        return ["the index's proof is not the production's own journal leaf"]
    signed = event.get("payload")
    payload: dict[str, Any] = signed if isinstance(signed, dict) else {}
    problems = []
    block = manifest.get("production")
    expected = {**payload, "produced_by": event.get("actor")}
    if block != expected:
        differing = sorted(
            k
            for k in set(expected) | set(block if isinstance(block, dict) else {})
            if not isinstance(block, dict) or block.get(k) != expected.get(k)
        )
        problems.append(
            f"the manifest's production block differs from the signed record in {', '.join(differing)}"
        )
    signed_ids = payload.get("record_ids")
    if not isinstance(signed_ids, list) or payload.get("records") != len(signed_ids):
        problems.append("the signed production record does not list its record ids")
        return problems
    listed = {str(i.get("record")) for i in items if isinstance(i, dict) and i.get("role") == "original"}
    missing = sorted(set(signed_ids) - listed)
    extra = sorted(listed - set(signed_ids))
    if missing:
        problems.append(
            f"{len(missing)} of the {len(signed_ids)} records the production signed are not in the manifest "
            f"(first: {missing[0]})"
        )
    if extra:
        problems.append(f"record {extra[0]} is listed but not in the signed production record")
    return problems


def _load(path: Path) -> dict[str, Any]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("no manifest.json: not a Proctor production folder", file=str(path)) from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"cannot read: {exc}", file=str(path)) from None
    if not isinstance(doc, dict):
        raise InputError("expected a JSON object", file=str(path))
    return doc


def _strings(value: Any) -> set[str]:
    if isinstance(value, str):
        return {value.lower()}
    if isinstance(value, dict):
        return set().union(*(_strings(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(_strings(v) for v in value)) if value else set()
    return set()


def _check_head(head: Any, pinned: str | None, report: ExportCheck) -> tuple[int, bytes] | None:
    try:
        size = int(head["tree_size"])
        root = bytes.fromhex(head["root_hash"])
        message = signing.sth_message(size, root, head["timestamp"])
        signature = base64.b64decode(head["signature"], validate=True)
        key = str(head["public_key"])
    except (KeyError, TypeError, ValueError, binascii.Error) as exc:
        report.fail(MANIFEST, f"tree head is malformed: {exc}")
        return None
    report.tree_size, report.public_key = size, key
    if not signing.verify(key, message, signature):
        report.fail(MANIFEST, "the signature on the tree head does not verify")
    if pinned is not None and key.lower() != pinned.lower():
        report.fail(MANIFEST, f"tree head is signed by {key}, not the firm's published key {pinned}")
    return size, root


def _check_proof(path: Path, head: dict[str, Any], size: int, root: bytes) -> _Proof:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        if doc.get("format") != INCLUSION_FORMAT:
            return _Proof(b"", frozenset(), None, f"not an inclusion proof ({doc.get('format')!r})")
        leaf = base64.b64decode(doc["leaf_data_b64"], validate=True)
        index = int(doc["leaf_index"])
        audit = [bytes.fromhex(h) for h in doc["audit_path"]]
        claimed = bytes.fromhex(doc["leaf_hash"])
    except FileNotFoundError:
        return _Proof(b"", frozenset(), None, "proof file is missing")
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, binascii.Error) as exc:
        return _Proof(b"", frozenset(), None, f"proof is unreadable: {exc}")
    computed = merkle.leaf_hash(leaf)
    if computed != claimed:
        return _Proof(leaf, frozenset(), None, "leaf hash is not SHA-256(0x00 || leaf data)")
    if doc.get("tree_head") != head:
        return _Proof(leaf, frozenset(), None, "proof is not against the production's signed tree head")
    if not merkle.verify_inclusion(index, size, computed, audit, root):
        return _Proof(
            leaf, frozenset(), None, f"audit path does not lead from leaf {index} to the signed root"
        )
    try:
        event = json.loads(leaf.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return _Proof(leaf, frozenset(), None, "leaf data is not a journal event")
    content = doc.get("content_sha256")
    return _Proof(leaf, frozenset(_strings(event.get("payload"))), content, None, event)


def _inside(base: Path, name: Any) -> Path | None:
    if not isinstance(name, str) or not name:
        return None
    target = (base / name).resolve()
    return target if target.is_relative_to(base) else None


def verify_production(folder: Path, public_key: str | None = None) -> ExportCheck:
    """Every check on the production in `folder`; a failure names the file it concerns."""
    base = folder.resolve()
    report = ExportCheck(folder=str(folder))
    manifest = _load(base / MANIFEST)
    if manifest.get("format") != PRODUCTION_FORMAT:
        raise InputError(
            f"format is {manifest.get('format')!r}, expected {PRODUCTION_FORMAT!r}", file=MANIFEST
        )
    head = manifest.get("tree_head")
    items = manifest.get("items")
    if not isinstance(head, dict) or not isinstance(items, list):
        raise InputError("needs tree_head and items", file=MANIFEST)
    checked_head = _check_head(head, public_key, report)
    listed: set[Path] = {base / MANIFEST}
    proofs: dict[Path, _Proof] = {}
    for number, item in enumerate(items):
        if not isinstance(item, dict):
            report.fail(f"items[{number}]", "manifest entry is not an object")
            continue
        name = str(item.get("path"))
        file_path, proof_path = _inside(base, item.get("path")), _inside(base, item.get("proof"))
        if file_path is None or proof_path is None:
            report.fail(name, "listed path is missing or leaves the production folder")
            continue
        listed.update({file_path, proof_path})
        report.files += 1
        expected = str(item.get("sha256", "")).lower()
        try:
            actual = hashlib.sha256(file_path.read_bytes()).hexdigest()
        except OSError:
            report.fail(name, "file is missing")
            continue
        if actual != expected:
            report.fail(name, f"SHA-256 is {actual}, the manifest records {expected}")
            continue
        if checked_head is None:
            continue
        if proof_path not in proofs:
            proofs[proof_path] = _check_proof(proof_path, head, *checked_head)
            report.proofs += 1
        proof = proofs[proof_path]
        if proof.problem is not None:
            report.fail(name, f"{item.get('proof')}: {proof.problem}")
        elif expected not in proof.strings:
            report.fail(name, f"the journal leaf in {item.get('proof')} does not record this file's SHA-256")
        elif proof.content_sha256 is not None and proof.content_sha256.lower() != expected:
            report.fail(name, f"{item.get('proof')} proves a different file ({proof.content_sha256})")
        elif item.get("role") == "original" and item.get("record") != expected:
            report.fail(name, "an original's SHA-256 must be its record id")
    index_proof = next(
        (
            proofs.get(_inside(base, i.get("proof")) or base)
            for i in items
            if isinstance(i, dict) and i.get("role") == "index"
        ),
        None,
    )
    if checked_head is not None:
        for problem in check_production_record(manifest, items, index_proof.event if index_proof else None):
            report.fail(MANIFEST, problem)
    for extra in sorted(p for p in base.rglob("*") if p.is_file() and p.resolve() not in listed):
        report.fail(str(extra.relative_to(base)), "file is not listed in the manifest")
    if not items:
        report.fail(MANIFEST, "the manifest lists no files")
    return report
