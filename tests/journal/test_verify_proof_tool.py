"""The examiner's standalone verifier, run the way an examiner runs it: as a separate program.

Proof files are produced here with Proctor's own merkle and signing modules and then checked by
tools/verify_proof.py, which shares no code with them; good proofs must pass and every kind of
alteration must fail with exit status 1 (2 when the file cannot be read at all).
"""

from __future__ import annotations

import ast
import base64
import hashlib
import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from proctor.core.canonical import encode
from proctor.journal import merkle, signing

TOOL = Path(__file__).resolve().parents[2] / "tools" / "verify_proof.py"
STAMP = "2026-01-05T14:00:00.000000Z"
LATER = "2026-01-06T09:30:00.000000Z"


def load_tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("verify_proof", TOOL)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


tool = load_tool()


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(TOOL), *map(str, args)], capture_output=True, text=True, check=False, timeout=60
    )


# --- a small journal of captured messages -------------------------------------------------

MESSAGES = [
    b"From: rep@firm.example\nTo: client@example.com\nSubject: Q3 statement\n\nAttached.",
    b"From: client@example.com\nTo: rep@firm.example\nSubject: RE: Q3 statement\n\nThanks.",
    b"From: ops@firm.example\nTo: support@firm.example\nSubject: wire cut-off\n\n4pm ET.",
    b"From: rep@firm.example\nTo: client2@example.com\nSubject: account transfer\n\nForm enclosed.",
    b"From: compliance@firm.example\nTo: all@firm.example\nSubject: lexicon update\n\nv7 live.",
]


def event(seq: int, body: bytes) -> bytes:
    """A journal leaf exactly as the journal writes one: canonical event JSON."""
    return encode(
        {
            "seq": seq,
            "ts": STAMP,
            "actor": "capture.smtp",
            "type": "comms.message.captured",
            "subject": {"kind": "comms.message", "id": f"msg-{seq:04d}"},
            "payload": {"sha256": hashlib.sha256(body).hexdigest(), "mailbox": "support@firm.example"},
        }
    )


class Journal:
    """Leaves, a signing key and the proofs an export would write, built from Proctor's modules."""

    def __init__(self, key: Ed25519PrivateKey, extra: int = 0) -> None:
        self.key = key
        self.leaves = [event(i, body) for i, body in enumerate(MESSAGES)]
        self.leaves += [encode({"seq": len(self.leaves) + i, "type": "alert.opened"}) for i in range(extra)]
        self.hashes = [merkle.leaf_hash(leaf) for leaf in self.leaves]
        self.cache = merkle.SubtreeCache(self.hashes)

    def head(self, size: int, stamp: str = STAMP) -> dict[str, object]:
        return signing.signed_tree_head(self.key, size, self.cache(0, size), stamp)

    def inclusion(self, index: int, size: int | None = None) -> dict[str, Any]:
        size = len(self.leaves) if size is None else size
        return {
            "format": "proctor-inclusion-proof/1",
            "leaf_index": index,
            "leaf_data_b64": base64.b64encode(self.leaves[index]).decode(),
            "leaf_hash": self.hashes[index].hex(),
            "audit_path": [p.hex() for p in merkle.inclusion_path(index, size, self.cache)],
            "tree_head": self.head(size),
        }

    def consistency(self, old: int, new: int) -> dict[str, Any]:
        return {
            "format": "proctor-consistency-proof/1",
            "first": self.head(old),
            "second": self.head(new, LATER),
            "proof": [p.hex() for p in merkle.consistency_path(old, new, self.cache)],
        }


@pytest.fixture
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture
def journal(key: Ed25519PrivateKey) -> Journal:
    return Journal(key, extra=6)


def write(path: Path, doc: dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=2))
    return path


def flip_hex(text: str) -> str:
    return ("1" if text[0] == "0" else "0") + text[1:]


# --- RFC 8032 Ed25519 in pure Python ------------------------------------------------------

# RFC 8032 section 7.1: TEST 1, TEST 2, TEST 3 and TEST SHA(abc) (secret key, public key, message, signature).
RFC8032_VECTORS = [
    (
        "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        "",
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd2"
        "5bf5f0595bbe24655141438e7a100b",
    ),
    (
        "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
        "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
        "72",
        "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c"
        "387b2eaeb4302aeeb00d291612bb0c00",
    ),
    (
        "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
        "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
        "af82",
        "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc659"
        "4a7c15e9716ed28dc027beceea1ec40a",
    ),
    (
        "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42",
        "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
        "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd"
        "454d4423643ce80e2a9ac94fa54ca49f",
        "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b58909351fc9ac90b3ecfdfbc7c66431e030"
        "3dca179c138ac17ad9bef1177331a704",
    ),
]
ORDER = 2**252 + 27742317777372353535851937790883648493


@pytest.mark.parametrize(("secret", "public", "message", "signature"), RFC8032_VECTORS)
def test_rfc8032_vectors(secret: str, public: str, message: str, signature: str) -> None:
    msg, sig, pub = bytes.fromhex(message), bytes.fromhex(signature), bytes.fromhex(public)
    assert tool.ed25519_verify(pub, msg, sig)
    # The vectors and `cryptography` agree, so the signatures Proctor writes are the RFC's.
    private = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(secret))
    assert signing.public_key_hex(private) == public
    assert private.sign(msg) == sig
    # Any change to message, R, S or key is rejected.
    assert not tool.ed25519_verify(pub, msg + b"\x00", sig)
    assert not tool.ed25519_verify(pub, msg, bytes([sig[0] ^ 1]) + sig[1:])
    assert not tool.ed25519_verify(pub, msg, sig[:40] + bytes([sig[40] ^ 1]) + sig[41:])
    assert not tool.ed25519_verify(bytes([pub[0] ^ 2]) + pub[1:], msg, sig)


def test_ed25519_rejects_malformed_signatures_and_keys() -> None:
    _, public, message, signature = RFC8032_VECTORS[1]
    pub, msg, sig = bytes.fromhex(public), bytes.fromhex(message), bytes.fromhex(signature)
    # S + L is the same residue but not canonical: RFC 8032 5.1.7 requires S < L.
    s = int.from_bytes(sig[32:], "little")
    assert not tool.ed25519_verify(pub, msg, sig[:32] + (s + ORDER).to_bytes(32, "little"))
    # A y coordinate >= p does not decode (RFC 8032 5.1.3 step 1).
    y_too_large = (2**255 - 19 + 1).to_bytes(32, "little")
    assert not tool.ed25519_verify(y_too_large, msg, sig)
    assert not tool.ed25519_verify(pub, msg, y_too_large + sig[32:])
    # x = 0 with the sign bit set does not decode (step 4).
    assert not tool.ed25519_verify((1 | 1 << 255).to_bytes(32, "little"), msg, sig)
    assert not tool.ed25519_verify(pub[:31], msg, sig)
    assert not tool.ed25519_verify(pub, msg, sig[:63])


def test_ed25519_accepts_what_cryptography_signs() -> None:
    for n in range(12):
        private = Ed25519PrivateKey.generate()
        public = bytes.fromhex(signing.public_key_hex(private))
        message = signing.sth_message(n * 37, hashlib.sha256(bytes([n])).digest(), STAMP)
        signature = signing.sign(private, message)
        assert tool.ed25519_verify(public, message, signature)
        assert not tool.ed25519_verify(public, message.replace(b"\n", b" ", 1), signature)


def test_tool_merkle_agrees_with_proctor_merkle() -> None:
    leaves = [merkle.leaf_hash(bytes([i])) for i in range(33)]
    cache = merkle.SubtreeCache(leaves)
    for size in range(1, 34):
        root = cache(0, size)
        for index in range(size):
            path = merkle.inclusion_path(index, size, cache)
            assert tool.verify_inclusion(index, size, leaves[index], path, root)
            assert not tool.verify_inclusion(index, size, leaves[index], path, merkle.EMPTY_ROOT)
        for old in range(0, size + 1):
            proof = merkle.consistency_path(old, size, cache)
            assert tool.verify_consistency(old, size, cache(0, old), root, proof)
            if 0 < old < size:
                assert not tool.verify_consistency(old, size, root, cache(0, old), proof)


def test_tool_imports_only_the_standard_library() -> None:
    tree = ast.parse(TOOL.read_text())
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    imported |= {
        node.module.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module
    }
    assert imported - {"__future__"} <= set(sys.stdlib_module_names)


# --- inclusion proofs through the command line --------------------------------------------


def test_good_inclusion_proof_passes(tmp_path: Path, journal: Journal, key: Ed25519PrivateKey) -> None:
    proof = write(tmp_path / "proof.json", journal.inclusion(2))
    result = run(proof, "--public-key", signing.public_key_hex(key))
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert "PASS  leaf hash is SHA-256(0x00 || leaf data)" in lines
    assert any(line.startswith("PASS  audit path leads from leaf 2") for line in lines)
    assert "PASS  tree head: tree head is signed by the expected public key" in lines
    assert any("comms.message.captured on comms.message/msg-0002" in line for line in lines)
    assert lines[-1].startswith("VALID")


def test_every_leaf_of_the_journal_verifies(tmp_path: Path, journal: Journal) -> None:
    for index in range(len(journal.leaves)):
        result = run(write(tmp_path / f"p{index}.json", journal.inclusion(index)))
        assert result.returncode == 0, result.stdout
    # Without a pinned key the examiner is told which key to compare with the published one.
    assert "compare it with the key the firm published" in result.stdout


def tampered_inclusions(journal: Journal, key: Ed25519PrivateKey) -> dict[str, dict[str, Any]]:
    good = journal.inclusion(3)
    altered_leaf = journal.leaves[3].replace(b"support@", b"sales@")
    other_key = Ed25519PrivateKey.generate()
    root = bytes.fromhex(good["tree_head"]["root_hash"])
    return {
        "leaf data altered": {**good, "leaf_data_b64": base64.b64encode(altered_leaf).decode()},
        "leaf data altered and rehashed": {
            **good,
            "leaf_data_b64": base64.b64encode(altered_leaf).decode(),
            "leaf_hash": merkle.leaf_hash(altered_leaf).hex(),
        },
        "audit path altered": {
            **good,
            "audit_path": [flip_hex(good["audit_path"][0]), *good["audit_path"][1:]],
        },
        "audit path shortened": {**good, "audit_path": good["audit_path"][:-1]},
        "wrong leaf index": {**good, "leaf_index": 4},
        "root altered": {**good, "tree_head": {**good["tree_head"], "root_hash": flip_hex(root.hex())}},
        "tree size altered": {**good, "tree_head": {**good["tree_head"], "tree_size": 12}},
        "timestamp altered": {**good, "tree_head": {**good["tree_head"], "timestamp": LATER}},
        "signed by another key": {**good, "tree_head": signing.signed_tree_head(other_key, 11, root, STAMP)},
        "signature of another head": {
            **good,
            "tree_head": {**good["tree_head"], "signature": journal.head(10)["signature"]},
        },
    }


def test_tampered_inclusion_proofs_fail(tmp_path: Path, journal: Journal, key: Ed25519PrivateKey) -> None:
    # The examiner pins the firm's published key: a head re-signed with any other key then fails.
    firm_key = signing.public_key_hex(key)
    for name, doc in tampered_inclusions(journal, key).items():
        result = run(write(tmp_path / "proof.json", doc), "--public-key", firm_key)
        assert result.returncode == 1, f"{name}: {result.stdout}"
        assert "FAIL" in result.stdout, name
        assert result.stdout.splitlines()[-1].startswith("INVALID"), name


def test_pinned_key_must_match(tmp_path: Path, journal: Journal) -> None:
    proof = write(tmp_path / "proof.json", journal.inclusion(0))
    stranger = signing.public_key_hex(Ed25519PrivateKey.generate())
    result = run(proof, "--public-key", stranger)
    assert result.returncode == 1
    assert "FAIL  tree head: tree head is signed by the expected public key" in result.stdout


def test_content_file_is_checked_against_the_leaf(tmp_path: Path, journal: Journal) -> None:
    body = MESSAGES[1]
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / "msg-0001.eml").write_bytes(body)
    doc = {
        **journal.inclusion(1),
        "content_sha256": hashlib.sha256(body).hexdigest(),
        "content_file": "../files/msg-0001.eml",
    }
    proof = write(tmp_path / "proofs" / "msg-0001.json", doc)
    good = run(proof)
    assert good.returncode == 0, good.stdout
    assert "PASS  content file msg-0001.eml has the recorded SHA-256" in good.stdout
    assert any(
        line.startswith("PASS  journal leaf records content SHA-256") for line in good.stdout.splitlines()
    )

    (tmp_path / "files" / "msg-0001.eml").write_bytes(body.replace(b"Thanks.", b"Sell it all."))
    altered = run(proof)
    assert altered.returncode == 1
    assert "FAIL  content file msg-0001.eml has the recorded SHA-256" in altered.stdout

    (tmp_path / "files" / "msg-0001.eml").unlink()
    missing = run(proof)
    assert missing.returncode == 1
    assert "FAIL  content file msg-0001.eml is present" in missing.stdout

    # A content hash the journal never recorded does not pass, even if the file matches it.
    (tmp_path / "files" / "msg-0001.eml").write_bytes(b"a different message")
    write(proof, {**doc, "content_sha256": hashlib.sha256(b"a different message").hexdigest()})
    unrelated = run(proof)
    assert unrelated.returncode == 1
    assert any(
        line.startswith("FAIL  journal leaf records content SHA-256")
        for line in unrelated.stdout.splitlines()
    )


def test_non_canonical_leaf_data_fails(tmp_path: Path, journal: Journal, key: Ed25519PrivateKey) -> None:
    spaced = json.dumps(json.loads(journal.leaves[0]), indent=1).encode()
    leaves = [spaced]
    hashes = [merkle.leaf_hash(spaced)]
    doc = {
        "format": "proctor-inclusion-proof/1",
        "leaf_index": 0,
        "leaf_data_b64": base64.b64encode(spaced).decode(),
        "leaf_hash": hashes[0].hex(),
        "audit_path": [],
        "tree_head": signing.signed_tree_head(key, len(leaves), hashes[0], STAMP),
    }
    result = run(write(tmp_path / "proof.json", doc))
    assert result.returncode == 1
    assert "FAIL  leaf data is canonical journal event JSON" in result.stdout


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not JSON"),
        ('["a list"]', "expected a JSON object"),
        ('{"format": "proctor-inclusion-proof/9"}', "unknown proof format"),
        ('{"format": "proctor-inclusion-proof/1", "leaf_index": 0}', "missing field 'leaf_data_b64'"),
        (
            '{"format": "proctor-inclusion-proof/1", "leaf_index": "0", "leaf_data_b64": ""}',
            "field 'leaf_index' must be a int",
        ),
    ],
)
def test_unreadable_input_exits_2(tmp_path: Path, content: str, message: str) -> None:
    proof = tmp_path / "proof.json"
    proof.write_text(content)
    result = run(proof)
    assert result.returncode == 2
    assert message in result.stderr
    assert str(proof) in result.stderr


def test_missing_file_and_bad_key_exit_2(tmp_path: Path, journal: Journal) -> None:
    assert run(tmp_path / "absent.json").returncode == 2
    proof = write(tmp_path / "proof.json", journal.inclusion(0))
    result = run(proof, "--public-key", "xyz")
    assert result.returncode == 2
    assert "--public-key" in result.stderr
    doc = journal.inclusion(0)
    doc["audit_path"][0] = "zz"
    result = run(write(tmp_path / "bad.json", doc))
    assert result.returncode == 2
    assert "audit_path[0]" in result.stderr


# --- consistency proofs -------------------------------------------------------------------


def test_consistency_proofs(tmp_path: Path, journal: Journal) -> None:
    for old, new in [(1, 11), (4, 11), (5, 11), (7, 8), (11, 11)]:
        result = run(write(tmp_path / "c.json", journal.consistency(old, new)))
        assert result.returncode == 0, f"{old}->{new}: {result.stdout}"
        assert f"PASS  tree of size {new} is an append-only extension of tree of size {old}" in result.stdout


def test_tampered_consistency_proofs_fail(tmp_path: Path, journal: Journal, key: Ed25519PrivateKey) -> None:
    good = journal.consistency(5, 11)
    # A log rewritten after the first head: leaf 2 replaced, new heads signed with the same key.
    rewritten = Journal(key, extra=6)
    rewritten.leaves[2] = event(2, b"a message that was never sent")
    rewritten.hashes[2] = merkle.leaf_hash(rewritten.leaves[2])
    rewritten.cache = merkle.SubtreeCache(rewritten.hashes)
    forged = {**rewritten.consistency(5, 11), "first": good["first"]}
    cases = {
        "proof altered": {**good, "proof": [flip_hex(good["proof"][0]), *good["proof"][1:]]},
        "heads swapped": {**good, "first": good["second"], "second": good["first"]},
        "first signature broken": {
            **good,
            "first": {**good["first"], "signature": good["second"]["signature"]},
        },
        "history rewritten": forged,
    }
    for name, doc in cases.items():
        result = run(write(tmp_path / "c.json", doc))
        assert result.returncode == 1, f"{name}: {result.stdout}"


# --- productions: a manifest of files with their proofs -----------------------------------


def production(tmp_path: Path, journal: Journal) -> Path:
    """A folder as an export would hand it over: files, one proof per file, a manifest."""
    folder = tmp_path / "production-2026-001"
    items = []
    for index in range(3):
        name = f"messages/msg-{index:04d}.eml"
        (folder / "messages").mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(MESSAGES[index])
        sha = hashlib.sha256(MESSAGES[index]).hexdigest()
        proof_name = f"proofs/msg-{index:04d}.json"
        write(folder / proof_name, {**journal.inclusion(index), "content_sha256": sha})
        items.append({"path": name, "sha256": sha, "proof": proof_name})
    doc = {"format": "proctor-production/1", "tree_head": journal.head(len(journal.leaves)), "items": items}
    write(folder / "manifest.json", doc)
    return folder


def test_good_production_passes_by_manifest_and_by_folder(tmp_path: Path, journal: Journal) -> None:
    folder = production(tmp_path, journal)
    by_manifest = run("--manifest", folder / "manifest.json")
    assert by_manifest.returncode == 0, by_manifest.stdout
    assert (
        "PASS  messages/msg-0001.eml: content file msg-0001.eml has the recorded SHA-256"
        in by_manifest.stdout
    )
    by_folder = run(folder)
    assert by_folder.returncode == 0, by_folder.stdout


def test_production_failures_are_named_by_path(tmp_path: Path, journal: Journal) -> None:
    folder = production(tmp_path, journal)
    (folder / "messages" / "msg-0001.eml").write_bytes(b"altered after production")
    (folder / "proofs" / "msg-0002.json").unlink()
    result = run("--manifest", folder / "manifest.json")
    assert result.returncode == 1
    failures = [line for line in result.stdout.splitlines() if line.startswith("FAIL")]
    assert any(line.startswith("FAIL  messages/msg-0001.eml: content file") for line in failures)
    assert any(
        line.startswith("FAIL  messages/msg-0002.eml: proof proofs/msg-0002.json is readable")
        for line in failures
    )
    assert not any("msg-0000" in line for line in failures)


def test_production_proof_against_another_head_fails(tmp_path: Path, journal: Journal) -> None:
    folder = production(tmp_path, journal)
    older = journal.inclusion(0, size=8)
    write(
        folder / "proofs" / "msg-0000.json",
        {**older, "content_sha256": hashlib.sha256(MESSAGES[0]).hexdigest()},
    )
    result = run(folder)
    assert result.returncode == 1
    assert "FAIL  messages/msg-0000.eml: proof is against the production's signed tree head" in result.stdout


def test_production_paths_may_not_leave_the_folder(tmp_path: Path, journal: Journal) -> None:
    folder = production(tmp_path, journal)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["items"][0]["path"] = "../../etc/passwd"
    write(folder / "manifest.json", manifest)
    result = run(folder)
    assert result.returncode == 1
    assert "FAIL  ../../etc/passwd: listed paths stay inside the production folder" in result.stdout


def test_unreadable_manifest_exits_2(tmp_path: Path, journal: Journal) -> None:
    folder = production(tmp_path, journal)
    manifest = json.loads((folder / "manifest.json").read_text())
    del manifest["items"][1]["sha256"]
    write(folder / "manifest.json", manifest)
    result = run("--manifest", folder / "manifest.json")
    assert result.returncode == 2
    assert "items[1]: missing field 'sha256'" in result.stderr
    assert run(tmp_path / "empty-folder-that-does-not-exist" / "manifest.json").returncode == 2
