#!/usr/bin/env python3
"""Check a Proctor journal proof on your own machine, with the Python standard library only.

An examiner should not have to trust the firm's software to check the firm's evidence, so this
file imports nothing from Proctor and nothing outside the standard library. It re-implements,
from the published standards, the two things a proof rests on:

* the Merkle tree of RFC 9162 (Certificate Transparency v2) section 2.1: leaf and node hashing
  and the inclusion and consistency verification algorithms;
* Ed25519 signature verification of RFC 8032 section 5.1.7, using the RFC's own arithmetic on the
  Edwards curve (hashlib supplies SHA-512).

Usage:
    python verify_proof.py PROOF.json [--public-key HEX] [--witness DIR]
    python verify_proof.py --manifest MANIFEST.json [--public-key HEX] [--witness DIR]
    python verify_proof.py PRODUCTION_DIR            (reads PRODUCTION_DIR/manifest.json)

--witness DIR names a folder of tree heads the examiner (or a witness) kept from earlier
("proctor-witnessed-head/1" files, or any proof files holding a tree head): each must be signed by
the pinned key and be consistent with the head the proof is against, through the consistency
proofs the proof file carries in "witness_proofs" (`proctor journal prove --witness`).

Prints one line per check. Exit status: 0 every check passed, 1 some check failed,
2 the input could not be read or is not a Proctor proof.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

if sys.version_info < (3, 9):  # noqa: UP036 - examiners' machines may run an older Python
    print("ERROR verify_proof.py needs Python 3.9 or later", file=sys.stderr)
    sys.exit(2)

INCLUSION_FORMAT = "proctor-inclusion-proof/1"
CONSISTENCY_FORMAT = "proctor-consistency-proof/1"
PRODUCTION_FORMAT = "proctor-production/1"
WITNESS_FORMAT = "proctor-witnessed-head/1"
PRODUCTION_EVENT = "comms.production.created"
# Other signed records that state a folder's contents the same way (an incident's examiner pack).
PRODUCTION_EVENTS = frozenset({PRODUCTION_EVENT, "access.incident.exported"})
STH_PREFIX = b"proctor-sth/1\n"
EMPTY_ROOT = hashlib.sha256(b"").digest()


class Unreadable(Exception):
    """The input is not a readable Proctor proof: exit status 2, not a verdict on the evidence."""


# --------------------------------------------------------------------------------------------
# RFC 9162 section 2.1: Merkle tree hashing and proof verification
# --------------------------------------------------------------------------------------------


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def verify_inclusion(index: int, size: int, leaf: bytes, path: list[bytes], root: bytes) -> bool:
    """RFC 9162 2.1.3.2, step by step."""
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not (fn & 1 or fn == 0):
                    fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, path: list[bytes]
) -> bool:
    """RFC 9162 2.1.4.2, after the trivial cases (same tree; empty old tree)."""
    if not 0 <= old_size <= new_size:
        return False
    if old_size == new_size:
        return not path and old_root == new_root
    if old_size == 0:
        return not path and old_root == EMPTY_ROOT
    if not path:
        return False
    hashes = [old_root, *path] if old_size & (old_size - 1) == 0 else list(path)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = hashes[0]
    for c in hashes[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            if not fn & 1:
                while not (fn & 1 or fn == 0):
                    fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and fr == old_root and sr == new_root


# --------------------------------------------------------------------------------------------
# RFC 8032 section 5.1: Ed25519 verification
# --------------------------------------------------------------------------------------------

_P = 2**255 - 19
_L = 2**252 + 27742317777372353535851937790883648493
_D = -121665 * pow(121666, _P - 2, _P) % _P
_SQRT_M1 = pow(2, (_P - 1) // 4, _P)
Point = tuple[int, int, int, int]  # extended homogeneous coordinates (X, Y, Z, T), x = X/Z, y = Y/Z
_NEUTRAL: Point = (0, 1, 1, 0)


def _point_add(p: Point, q: Point) -> Point:
    """Addition in extended coordinates (RFC 8032 5.1.4); also correct for doubling."""
    x1, y1, z1, t1 = p
    x2, y2, z2, t2 = q
    a = (y1 - x1) * (y2 - x2) % _P
    b = (y1 + x1) * (y2 + x2) % _P
    c = t1 * 2 * _D * t2 % _P
    d = z1 * 2 * z2 % _P
    e, f, g, h = b - a, d - c, d + c, b + a
    return (e * f % _P, g * h % _P, f * g % _P, e * h % _P)


def _point_double(p: Point) -> Point:
    """Dedicated doubling formula of RFC 8032 5.1.4."""
    x1, y1, z1, _ = p
    a = x1 * x1 % _P
    b = y1 * y1 % _P
    c = 2 * z1 * z1 % _P
    h = a + b
    e = h - (x1 + y1) * (x1 + y1)
    g = a - b
    f = c + g
    return (e * f % _P, g * h % _P, f * g % _P, e * h % _P)


def _scalar_mult(s: int, p: Point) -> Point:
    q = _NEUTRAL
    while s > 0:
        if s & 1:
            q = _point_add(q, p)
        p = _point_double(p)
        s >>= 1
    return q


def _point_equal(p: Point, q: Point) -> bool:
    return (p[0] * q[2] - q[0] * p[2]) % _P == 0 and (p[1] * q[2] - q[1] * p[2]) % _P == 0


def _recover_x(y: int, sign: int) -> int | None:
    """Steps 2-4 of RFC 8032 5.1.3: the x with the given sign bit on the curve at y, if any."""
    if y >= _P:
        return None
    u = (y * y - 1) % _P
    v = (_D * y * y + 1) % _P
    x = u * pow(v, 3, _P) * pow(u * pow(v, 7, _P), (_P - 5) // 8, _P) % _P
    vx2 = v * x * x % _P
    if vx2 == u:
        pass
    elif vx2 == (-u) % _P:
        x = x * _SQRT_M1 % _P
    else:
        return None
    if x == 0 and sign == 1:
        return None
    if x & 1 != sign:
        x = _P - x
    return x


def _point_decode(data: bytes) -> Point | None:
    """RFC 8032 5.1.3 decoding; None where the RFC says decoding fails."""
    if len(data) != 32:
        return None
    value = int.from_bytes(data, "little")
    sign = value >> 255
    y = value & ((1 << 255) - 1)
    x = _recover_x(y, sign)
    if x is None:
        return None
    return (x, y, 1, x * y % _P)


def _base_point() -> Point:
    """B of RFC 8032 5.1: y = 4/5 and x positive (even)."""
    y = 4 * pow(5, _P - 2, _P) % _P
    x = _recover_x(y, 0)
    assert x is not None
    return (x, y, 1, x * y % _P)


_BASE = _base_point()


def ed25519_verify(public_key: bytes, message: bytes, signature: bytes) -> bool:
    """RFC 8032 5.1.7: check [8][S]B = [8]R + [8][k]A' for signature (R, S) over message."""
    if len(public_key) != 32 or len(signature) != 64:
        return False
    a = _point_decode(public_key)
    r = _point_decode(signature[:32])
    if a is None or r is None:
        return False
    s = int.from_bytes(signature[32:], "little")
    if s >= _L:
        return False
    k = int.from_bytes(hashlib.sha512(signature[:32] + public_key + message).digest(), "little") % _L
    left = _scalar_mult(s, _BASE)
    right = _point_add(r, _scalar_mult(k, a))
    for _ in range(3):
        left, right = _point_double(left), _point_double(right)
    return _point_equal(left, right)


# --------------------------------------------------------------------------------------------
# Reading proof files: anything malformed is Unreadable (exit 2), never a silent pass
# --------------------------------------------------------------------------------------------


def _load_json(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise Unreadable(f"{path}: cannot read: {exc}") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise Unreadable(f"{path}: not JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise Unreadable(f"{path}: expected a JSON object at the top level")
    return doc


def _field(doc: Any, key: str, kind: type, where: str) -> Any:
    if not isinstance(doc, dict) or key not in doc:
        raise Unreadable(f"{where}: missing field {key!r}")
    value = doc[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise Unreadable(f"{where}: field {key!r} must be a {kind.__name__}")
    return value


def _hex(text: Any, where: str, size: int | None = 32) -> bytes:
    if not isinstance(text, str):
        raise Unreadable(f"{where}: expected a hex string")
    try:
        value = bytes.fromhex(text)
    except ValueError:
        raise Unreadable(f"{where}: {text!r} is not hex") from None
    if size is not None and len(value) != size:
        raise Unreadable(f"{where}: expected {size} bytes of hex, got {len(value)}")
    return value


def _b64(text: Any, where: str) -> bytes:
    if not isinstance(text, str):
        raise Unreadable(f"{where}: expected a base64 string")
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise Unreadable(f"{where}: not valid base64") from None


class TreeHead:
    """A parsed signed tree head; `message` is the exact byte string the firm signed."""

    def __init__(self, doc: Any, where: str) -> None:
        self.raw = doc
        self.size: int = _field(doc, "tree_size", int, where)
        if self.size < 0:
            raise Unreadable(f"{where}: tree_size cannot be negative")
        self.root = _hex(_field(doc, "root_hash", str, where), f"{where} root_hash")
        self.timestamp: str = _field(doc, "timestamp", str, where)
        self.signature = _b64(_field(doc, "signature", str, where), f"{where} signature")
        self.public_key = _hex(_field(doc, "public_key", str, where), f"{where} public_key")
        self.message = STH_PREFIX + f"{self.size}\n{self.root.hex()}\n{self.timestamp}\n".encode()


class Report:
    """Collects and prints one line per check, so a failure is always named, never implied."""

    def __init__(self) -> None:
        self.passed = 0
        self.failures: list[str] = []

    def check(self, ok: bool, label: str, detail: str = "") -> bool:
        if ok:
            self.passed += 1
            print(f"PASS  {label}")
        else:
            self.failures.append(label)
            print(f"FAIL  {label}" + (f": {detail}" if detail else ""))
        return ok

    def note(self, text: str) -> None:
        print(f"NOTE  {text}")


def check_tree_head(head: TreeHead, label: str, report: Report, pinned: bytes | None) -> None:
    report.check(
        ed25519_verify(head.public_key, head.message, head.signature),
        f"{label}: Ed25519 signature on tree head (size {head.size}, {head.timestamp}) is valid",
    )
    if pinned is not None:
        report.check(
            head.public_key == pinned,
            f"{label}: tree head is signed by the expected public key",
            f"signed by {head.public_key.hex()}",
        )
    else:
        report.note(
            f"{label}: signed by key {head.public_key.hex()}; compare it with the key the firm published"
        )


def _describe_leaf(leaf: Any) -> str:
    subject = leaf.get("subject") if isinstance(leaf.get("subject"), dict) else {}
    return (
        f"seq {leaf.get('seq')}, {leaf.get('type')} on {subject.get('kind')}/{subject.get('id')}"
        f" by {leaf.get('actor')} at {leaf.get('ts')}"
    )


def check_inclusion(
    path: Path,
    report: Report,
    pinned: bytes | None,
    prefix: str = "",
    production: TreeHead | None = None,
    content: tuple[Path, str] | None = None,
) -> None:
    """Every check on one inclusion proof; `production` and `content` come from a manifest."""
    doc = _load_json(path)
    where = str(path)
    if doc.get("format") != INCLUSION_FORMAT:
        raise Unreadable(f"{where}: format is {doc.get('format')!r}, expected {INCLUSION_FORMAT!r}")
    index: int = _field(doc, "leaf_index", int, where)
    data = _b64(_field(doc, "leaf_data_b64", str, where), f"{where} leaf_data_b64")
    claimed = _hex(_field(doc, "leaf_hash", str, where), f"{where} leaf_hash")
    audit = [
        _hex(h, f"{where} audit_path[{i}]") for i, h in enumerate(_field(doc, "audit_path", list, where))
    ]
    head = TreeHead(_field(doc, "tree_head", dict, where), f"{where} tree_head")

    computed = leaf_hash(data)
    report.check(
        computed == claimed, f"{prefix}leaf hash is SHA-256(0x00 || leaf data)", f"got {computed.hex()}"
    )
    try:
        leaf = json.loads(data.decode("utf-8"))
        canonical = json.dumps(leaf, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
            "utf-8"
        )
    except (UnicodeDecodeError, json.JSONDecodeError):
        leaf, canonical = None, b""
    is_canonical = report.check(canonical == data, f"{prefix}leaf data is canonical journal event JSON")
    if is_canonical and isinstance(leaf, dict):
        report.note(f"{prefix}leaf {index}: {_describe_leaf(leaf)}")
    report.check(
        verify_inclusion(index, head.size, computed, audit, head.root),
        f"{prefix}audit path leads from leaf {index} to root {head.root.hex()[:16]}... (size {head.size})",
    )
    if production is not None:
        report.check(
            head.raw == production.raw,
            f"{prefix}proof is against the production's signed tree head",
            f"proof tree size {head.size}, production tree size {production.size}",
        )
    else:
        check_tree_head(head, f"{prefix}tree head", report, pinned)

    _check_content(doc, path, data, report, prefix, content)


def _check_content(
    doc: dict[str, Any],
    path: Path,
    data: bytes,
    report: Report,
    prefix: str,
    content: tuple[Path, str] | None,
) -> None:
    """Tie a preserved file to its journal leaf: the file hashes to the SHA-256 the leaf records."""
    where = str(path)
    content_sha = doc.get("content_sha256")
    if content_sha is not None:
        content_sha = _hex(content_sha, f"{where} content_sha256").hex()
    if content is not None:
        file_path: Path | None = content[0]
        expected: str | None = content[1].lower()
        if content_sha is not None:
            report.check(content_sha == expected, f"{prefix}proof's content_sha256 matches the manifest")
    elif content_sha is not None and doc.get("content_file") is not None:
        file_path = path.parent / _field(doc, "content_file", str, where)
        expected = content_sha
    else:
        file_path, expected = None, content_sha
    if file_path is not None and expected is not None:
        _check_file_hash(file_path, expected, report, prefix)
    if expected is not None:
        report.check(
            expected in data.decode("utf-8", "replace").lower(),
            f"{prefix}journal leaf records content SHA-256 {expected[:16]}...",
        )


def _check_file_hash(file_path: Path, expected: str, report: Report, prefix: str) -> None:
    try:
        actual = hashlib.sha256(file_path.read_bytes()).hexdigest()
    except OSError as exc:
        report.check(False, f"{prefix}content file {file_path.name} is present", str(exc.strerror or exc))
        return
    report.check(
        actual == expected.lower(),
        f"{prefix}content file {file_path.name} has the recorded SHA-256",
        f"got {actual}",
    )


def check_consistency(path: Path, report: Report, pinned: bytes | None) -> None:
    doc = _load_json(path)
    where = str(path)
    first = TreeHead(_field(doc, "first", dict, where), f"{where} first")
    second = TreeHead(_field(doc, "second", dict, where), f"{where} second")
    proof = [_hex(h, f"{where} proof[{i}]") for i, h in enumerate(_field(doc, "proof", list, where))]
    check_tree_head(first, "first tree head", report, pinned)
    check_tree_head(second, "second tree head", report, pinned)
    report.check(
        verify_consistency(first.size, second.size, first.root, second.root, proof),
        f"tree of size {second.size} is an append-only extension of tree of size {first.size}",
    )


def check_manifest(path: Path, report: Report, pinned: bytes | None) -> None:
    doc = _load_json(path)
    where = str(path)
    if doc.get("format") != PRODUCTION_FORMAT:
        raise Unreadable(f"{where}: format is {doc.get('format')!r}, expected {PRODUCTION_FORMAT!r}")
    head = TreeHead(_field(doc, "tree_head", dict, where), f"{where} tree_head")
    items = _field(doc, "items", list, where)
    check_tree_head(head, "production tree head", report, pinned)
    base = path.parent.resolve()
    for number, item in enumerate(items):
        item_where = f"{where} items[{number}]"
        name: str = _field(item, "path", str, item_where)
        expected: str = _field(item, "sha256", str, item_where)
        _hex(expected, f"{item_where} sha256")
        proof_name: str = _field(item, "proof", str, item_where)
        prefix = f"{name}: "
        file_path, proof_path = (base / name).resolve(), (base / proof_name).resolve()
        if not (file_path.is_relative_to(base) and proof_path.is_relative_to(base)):
            report.check(False, f"{prefix}listed paths stay inside the production folder")
            continue
        try:
            check_inclusion(
                proof_path, report, pinned, prefix, production=head, content=(file_path, expected)
            )
        except Unreadable as exc:
            report.check(False, f"{prefix}proof {proof_name} is readable", str(exc))
    if not items:
        report.note("the manifest lists no items")
    listed = {path.resolve()}
    for item in items:
        for key in ("path", "proof"):
            if isinstance(item, dict) and isinstance(item.get(key), str):
                listed.add((base / item[key]).resolve())
    unlisted = sorted(
        str(p.relative_to(base)) for p in base.rglob("*") if p.is_file() and p.resolve() not in listed
    )
    report.check(
        not unlisted,
        "every file in the production folder is listed in the manifest",
        f"not listed: {', '.join(unlisted[:5])}",
    )
    _check_production_record(doc, items, base, report)


def _check_production_record(doc: dict[str, Any], items: list[Any], base: Path, report: Report) -> None:
    """The production's own signed leaf states its records; the manifest must list exactly those."""
    index = [i for i in items if isinstance(i, dict) and i.get("role") == "index"]
    if not index and "production" not in doc:
        report.note(
            "the manifest carries no signed production record: whether records were left out is not checked"
        )
        return
    if not index:
        report.check(False, "the manifest lists the production's index and its signed production record")
        return
    try:
        proof = _load_json((base / str(index[0].get("proof"))).resolve())
        leaf = json.loads(_b64(proof.get("leaf_data_b64"), "index proof leaf_data_b64").decode("utf-8"))
    except (Unreadable, UnicodeDecodeError, ValueError) as exc:
        report.check(False, "the signed production record is readable", str(exc))
        return
    payload = leaf.get("payload") if isinstance(leaf, dict) and isinstance(leaf.get("payload"), dict) else {}
    if not report.check(
        leaf.get("type") in PRODUCTION_EVENTS, "the index is proved by the production's own leaf"
    ):
        return
    expected = dict(payload, produced_by=leaf.get("actor"))
    block = doc.get("production")
    report.check(
        block == expected,
        "the manifest's production block is exactly what the firm signed",
        "the production block was edited",
    )
    signed = payload.get("record_ids")
    if not isinstance(signed, list):
        report.check(False, "the signed production record lists its record ids")
        return
    report.check(
        payload.get("records") == len(signed), f"the signed production record counts {len(signed)} records"
    )
    originals = {str(i.get("record")) for i in items if isinstance(i, dict) and i.get("role") == "original"}
    missing = sorted(set(signed) - originals)
    added = sorted(originals - set(signed))
    report.check(
        not missing,
        f"all {len(signed)} signed records are in the manifest",
        f"{len(missing)} missing, first {missing[0] if missing else ''}",
    )
    report.check(
        not added,
        "no record is listed that the production did not sign",
        f"{added[0] if added else ''} was added",
    )


def load_witness_heads(folder: Path) -> list[TreeHead]:
    """Tree heads kept outside the firm: witnessed-head files, or proof files carrying a head."""
    if not folder.is_dir():
        raise Unreadable(f"{folder}: the witness folder does not exist")
    heads = []
    for path in sorted(folder.glob("*.json")):
        doc = _load_json(path)
        if doc.get("format") == WITNESS_FORMAT:
            heads.append(TreeHead(_field(doc, "tree_head", dict, str(path)), str(path)))
        elif isinstance(doc.get("tree_head"), dict):
            heads.append(TreeHead(doc["tree_head"], str(path)))
    if not heads:
        raise Unreadable(f"{folder}: no witnessed tree heads in the folder")
    return heads


def check_witnessed(
    doc: dict[str, Any], head: TreeHead, witnessed: list[TreeHead], report: Report, pinned: bytes | None
) -> None:
    """Each witnessed head must be the proof's head or provably a prefix of it (RFC 9162 2.1.4.2)."""
    proofs: dict[tuple[int, bytes], list[bytes]] = {}
    for i, entry in enumerate(doc.get("witness_proofs") or []):
        where = f"witness_proofs[{i}]"
        w = TreeHead(_field(entry, "witnessed", dict, where), where)
        proofs[(w.size, w.root)] = [_hex(h, f"{where} proof") for h in _field(entry, "proof", list, where)]
    for w in witnessed:
        label = f"witnessed tree head {w.size} ({w.root.hex()[:16]}...)"
        check_tree_head(w, label, report, pinned)
        if w.size > head.size:
            report.note(f"{label} is newer than the proof's head {head.size}; ask for a newer proof")
            continue
        path = proofs.get((w.size, w.root))
        if w.size != head.size and path is None:
            report.check(
                False,
                f"{label} is consistent with the proof's head {head.size}",
                "the proof carries no consistency proof from this head (`journal prove --witness`)",
            )
            continue
        report.check(
            verify_consistency(w.size, head.size, w.root, head.root, path or []),
            f"{label} is consistent with the proof's head {head.size}",
            "the log the proof is against does not extend the witnessed head: history was rewritten",
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Verify a Proctor journal proof (RFC 9162 / RFC 8032).")
    parser.add_argument(
        "proof", nargs="?", help="inclusion or consistency proof JSON, or a production folder"
    )
    parser.add_argument("--manifest", help="production manifest JSON listing files and their proofs")
    parser.add_argument("--public-key", help="the firm's published Ed25519 public key (64 hex digits)")
    parser.add_argument("--witness", help="folder of tree heads kept outside the firm (witnessed heads)")
    args = parser.parse_args(argv)
    if (args.proof is None) == (args.manifest is None):
        parser.error("give exactly one of PROOF or --manifest")
    report = Report()
    try:
        pinned = _hex(args.public_key, "--public-key") if args.public_key else None
        witnessed = load_witness_heads(Path(args.witness)) if args.witness else None
        if args.manifest is not None or Path(args.proof).is_dir():
            target = Path(args.manifest) if args.manifest is not None else Path(args.proof) / "manifest.json"
            check_manifest(target, report, pinned)
            doc, key = _load_json(target), "tree_head"
        else:
            target = Path(args.proof)
            doc = _load_json(target)
            kind = doc.get("format")
            if kind == CONSISTENCY_FORMAT:
                check_consistency(target, report, pinned)
                key = "second"
            elif kind == INCLUSION_FORMAT:
                check_inclusion(target, report, pinned)
                key = "tree_head"
            else:
                raise Unreadable(f"{target}: unknown proof format {kind!r}")
        if witnessed is not None:
            check_witnessed(
                doc, TreeHead(_field(doc, key, dict, str(target)), str(target)), witnessed, report, pinned
            )
    except Unreadable as exc:
        print(f"ERROR {exc}", file=sys.stderr)
        return 2
    if report.failures:
        print(f"INVALID: {len(report.failures)} of {report.passed + len(report.failures)} checks failed")
        return 1
    if report.passed == 0:
        print("INVALID: nothing was checked")
        return 1
    print(f"VALID: all {report.passed} checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
