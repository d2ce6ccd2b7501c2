"""The journal's Merkle math against a plain recursive transcription of RFC 9162 section 2.1.

The reference functions below are the RFC's definitions written as literally as possible (slices
and recursion, no cleverness); the fast code in proctor.journal.merkle must agree with them on
every tree an examiner could be handed.
"""

from __future__ import annotations

import hashlib
import stat
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from proctor.core.errors import InputError
from proctor.journal import merkle, signing


def ref_mth(leaves: Sequence[bytes]) -> bytes:
    """MTH(D[n]) of RFC 9162 2.1.1, over leaf hashes."""
    n = len(leaves)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return leaves[0]
    k = 1
    while k * 2 < n:
        k *= 2
    return hashlib.sha256(b"\x01" + ref_mth(leaves[:k]) + ref_mth(leaves[k:])).digest()


def ref_path(m: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PATH(m, D[n]) of RFC 9162 2.1.3.1."""
    n = len(leaves)
    if n == 1:
        return []
    k = merkle.split_point(n)
    if m < k:
        return [*ref_path(m, leaves[:k]), ref_mth(leaves[k:])]
    return [*ref_path(m - k, leaves[k:]), ref_mth(leaves[:k])]


def ref_subproof(m: int, leaves: Sequence[bytes], whole: bool) -> list[bytes]:
    """SUBPROOF(m, D[n], b) of RFC 9162 2.1.4.1."""
    n = len(leaves)
    if m == n:
        return [] if whole else [ref_mth(leaves)]
    k = merkle.split_point(n)
    if m <= k:
        return [*ref_subproof(m, leaves[:k], whole), ref_mth(leaves[k:])]
    return [*ref_subproof(m - k, leaves[k:], False), ref_mth(leaves[:k])]


def events(n: int) -> list[bytes]:
    """Leaf hashes of n small journal events, each different."""
    return [merkle.leaf_hash(f'{{"seq":{i},"type":"comms.message.captured"}}'.encode()) for i in range(n)]


def flip(h: bytes) -> bytes:
    return bytes([h[0] ^ 1]) + h[1:]


leaf_lists = st.lists(st.binary(min_size=0, max_size=12), min_size=0, max_size=300)


# --- hashing ------------------------------------------------------------------------------


def test_hashes_are_domain_separated_sha256() -> None:
    assert merkle.leaf_hash(b"") == hashlib.sha256(b"\x00").digest()
    left, right = b"L" * 32, b"R" * 32
    assert merkle.node_hash(left, right) == hashlib.sha256(b"\x01" + left + right).digest()
    assert merkle.EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    # A two-leaf tree's root cannot be presented as a leaf hash of the same 64 bytes.
    assert merkle.node_hash(left, right) != merkle.leaf_hash(left + right)


def test_root_of_small_trees_by_hand() -> None:
    a, b, c = (merkle.leaf_hash(x) for x in (b"alert.opened", b"alert.assigned", b"alert.closed"))
    assert merkle.root_of([]) == merkle.EMPTY_ROOT
    assert merkle.root_of([a]) == a
    assert merkle.root_of([a, b]) == merkle.node_hash(a, b)
    # Three leaves split at 2: ((a, b), c), not (a, (b, c)).
    assert merkle.root_of([a, b, c]) == merkle.node_hash(merkle.node_hash(a, b), c)


def test_split_point_is_largest_power_of_two_below_n() -> None:
    assert [merkle.split_point(n) for n in (2, 3, 4, 5, 8, 9, 1000)] == [1, 2, 2, 4, 4, 8, 512]
    with pytest.raises(ValueError, match="no split point"):
        merkle.split_point(1)


# --- differential: random trees -----------------------------------------------------------


@settings(max_examples=150, deadline=None, database=None)
@given(leaf_lists)
def test_root_frontier_and_cache_agree_with_reference(data: list[bytes]) -> None:
    leaves = [merkle.leaf_hash(d) for d in data]
    expected = ref_mth(leaves)
    assert merkle.root_of(leaves) == expected

    frontier = merkle.Frontier()
    frontier.extend(leaves)
    assert frontier.size == len(leaves)
    assert frontier.root() == expected
    restored = merkle.Frontier.from_list(frontier.size, frontier.to_list())
    assert restored.root() == expected

    assert merkle.SubtreeCache(leaves)(0, len(leaves)) == expected


@settings(max_examples=150, deadline=None, database=None)
@given(leaf_lists, st.data())
def test_proofs_agree_with_reference(data: list[bytes], draw: st.DataObject) -> None:
    leaves = [merkle.leaf_hash(d) for d in data]
    n = len(leaves)
    cache = merkle.subtree_from_leaves(leaves)
    root = ref_mth(leaves)
    if n:
        m = draw.draw(st.integers(0, n - 1))
        path = merkle.inclusion_path(m, n, cache)
        assert path == ref_path(m, leaves)
        assert merkle.verify_inclusion(m, n, leaves[m], path, root)
    old = draw.draw(st.integers(0, n))
    proof = merkle.consistency_path(old, n, cache)
    if old > 0:
        assert proof == ref_subproof(old, leaves, True)
    assert merkle.verify_consistency(old, n, ref_mth(leaves[:old]), root, proof)


def test_subtree_cache_answers_any_range_and_follows_a_growing_log() -> None:
    leaves = events(45)
    cache = merkle.SubtreeCache(leaves[:30])
    for start in range(31):
        for end in range(start, 31):
            assert cache(start, end) == ref_mth(leaves[start:end])
    cache.extend(leaves[30:])
    assert cache.size == 45
    assert cache(0, 45) == ref_mth(leaves)
    assert cache(32, 45) == ref_mth(leaves[32:])
    with pytest.raises(ValueError, match="outside a tree of 45"):
        cache(40, 46)


# --- exhaustive: every leaf, every pair ---------------------------------------------------


def test_every_inclusion_proof_on_sizes_1_to_64() -> None:
    leaves = events(64)
    cache = merkle.SubtreeCache(leaves)
    for size in range(1, 65):
        root = ref_mth(leaves[:size])
        for index in range(size):
            path = merkle.inclusion_path(index, size, cache)
            assert path == ref_path(index, leaves[:size])
            assert merkle.verify_inclusion(index, size, leaves[index], path, root)
            # The same path does not prove the neighbouring leaf, nor the leaf at another index.
            other = (index + 1) % size
            if other != index:
                assert not merkle.verify_inclusion(index, size, leaves[other], path, root)
                assert not merkle.verify_inclusion(other, size, leaves[index], path, root)


def test_every_consistency_proof_on_sizes_1_to_40() -> None:
    leaves = events(40)
    cache = merkle.SubtreeCache(leaves)
    roots = [ref_mth(leaves[:n]) for n in range(41)]
    for new in range(1, 41):
        for old in range(1, new + 1):
            proof = merkle.consistency_path(old, new, cache)
            assert proof == ref_subproof(old, leaves[:new], True)
            assert merkle.verify_consistency(old, new, roots[old], roots[new], proof)
            if old < new:
                # Swapped roots, and a proof claimed for the wrong old size, must fail.
                assert not merkle.verify_consistency(old, new, roots[new], roots[old], proof)
                if old > 1:
                    assert not merkle.verify_consistency(old - 1, new, roots[old - 1], roots[new], proof)


# --- RFC edge cases -----------------------------------------------------------------------


def test_single_leaf_tree_proves_itself_with_an_empty_path() -> None:
    (only,) = events(1)
    assert merkle.inclusion_path(0, 1, merkle.SubtreeCache([only])) == []
    assert merkle.verify_inclusion(0, 1, only, [], only)
    assert not merkle.verify_inclusion(0, 1, only, [only], only)
    assert not merkle.verify_inclusion(1, 1, only, [], only)


def test_consistency_trivial_cases() -> None:
    leaves = events(8)
    cache = merkle.SubtreeCache(leaves)
    root8, root5 = ref_mth(leaves), ref_mth(leaves[:5])
    # Same size: empty proof and identical roots, nothing else.
    assert merkle.consistency_path(8, 8, cache) == []
    assert merkle.verify_consistency(8, 8, root8, root8, [])
    assert not merkle.verify_consistency(8, 8, root8, root5, [])
    assert not merkle.verify_consistency(8, 8, root8, root8, [root8])
    # The empty tree precedes every tree.
    assert merkle.consistency_path(0, 8, cache) == []
    assert merkle.verify_consistency(0, 8, merkle.EMPTY_ROOT, root8, [])
    assert not merkle.verify_consistency(0, 8, root5, root8, [])
    # A shrinking log is never consistent, and a non-trivial proof is never empty.
    assert not merkle.verify_consistency(8, 5, root8, root5, [])
    assert not merkle.verify_consistency(5, 8, root5, root8, [])
    with pytest.raises(ValueError, match="no consistency proof from 8 to 5"):
        merkle.consistency_path(8, 5, cache)


def test_old_size_power_of_two_omits_the_old_root_from_the_proof() -> None:
    leaves = events(7)
    cache = merkle.SubtreeCache(leaves)
    proof = merkle.consistency_path(4, 7, cache)
    # RFC 9162: when the old tree is a complete subtree, the verifier supplies its root itself.
    assert ref_mth(leaves[:4]) not in proof
    assert proof == [ref_mth(leaves[4:7])]
    assert merkle.verify_consistency(4, 7, ref_mth(leaves[:4]), ref_mth(leaves), proof)


def test_inclusion_path_refuses_a_leaf_outside_the_tree() -> None:
    cache = merkle.SubtreeCache(events(3))
    with pytest.raises(ValueError, match="leaf 3 is not in a tree of 3"):
        merkle.inclusion_path(3, 3, cache)
    assert not merkle.verify_inclusion(-1, 3, events(1)[0], [], merkle.EMPTY_ROOT)


# --- tampering ----------------------------------------------------------------------------


def test_tampered_inclusion_proofs_fail() -> None:
    leaves = events(21)
    cache = merkle.SubtreeCache(leaves)
    root = ref_mth(leaves)
    path = merkle.inclusion_path(13, 21, cache)
    assert merkle.verify_inclusion(13, 21, leaves[13], path, root)
    for i in range(len(path)):
        changed = [*path[:i], flip(path[i]), *path[i + 1 :]]
        assert not merkle.verify_inclusion(13, 21, leaves[13], changed, root)
    assert not merkle.verify_inclusion(13, 21, flip(leaves[13]), path, root)
    assert not merkle.verify_inclusion(13, 21, leaves[13], path, flip(root))
    assert not merkle.verify_inclusion(13, 21, leaves[13], path[:-1], root)
    assert not merkle.verify_inclusion(13, 21, leaves[13], [*path, root], root)
    # A size with a different tree shape does not accept the path. (Sizes with the same shape
    # around the leaf do; that is why the size is part of the signed tree head.)
    assert not merkle.verify_inclusion(13, 16, leaves[13], path, root)


def test_tampered_consistency_proofs_fail() -> None:
    leaves = events(21)
    cache = merkle.SubtreeCache(leaves)
    old_root, new_root = ref_mth(leaves[:6]), ref_mth(leaves)
    proof = merkle.consistency_path(6, 21, cache)
    assert merkle.verify_consistency(6, 21, old_root, new_root, proof)
    for i in range(len(proof)):
        changed = [*proof[:i], flip(proof[i]), *proof[i + 1 :]]
        assert not merkle.verify_consistency(6, 21, old_root, new_root, changed)
    assert not merkle.verify_consistency(6, 21, flip(old_root), new_root, proof)
    assert not merkle.verify_consistency(6, 21, old_root, flip(new_root), proof)
    assert not merkle.verify_consistency(6, 21, old_root, new_root, proof[:-1])
    assert not merkle.verify_consistency(6, 21, old_root, new_root, [*proof, new_root])
    # A log that rewrote leaf 2 after the old head cannot produce a proof linking the heads.
    rewritten = [*leaves[:2], flip(leaves[2]), *leaves[3:]]
    forged = merkle.consistency_path(6, 21, merkle.SubtreeCache(rewritten))
    assert not merkle.verify_consistency(6, 21, old_root, ref_mth(rewritten), forged)


# --- frontier persistence -----------------------------------------------------------------


def test_frontier_persists_one_hash_per_set_bit() -> None:
    frontier = merkle.Frontier()
    frontier.extend(events(11))  # 11 = 0b1011: subtrees of 8, 2 and 1 leaves
    saved = frontier.to_list()
    assert len(saved) == 3
    assert saved[0] == ref_mth(events(8)).hex()
    resumed = merkle.Frontier.from_list(11, saved)
    resumed.append(events(12)[11])
    assert resumed.root() == ref_mth(events(12))
    assert merkle.Frontier().root() == merkle.EMPTY_ROOT
    assert merkle.Frontier.from_list(0, []).root() == merkle.EMPTY_ROOT


def test_frontier_rejects_a_corrupt_persisted_state() -> None:
    saved = merkle.Frontier()
    saved.extend(events(11))
    with pytest.raises(ValueError, match="11 leaves has 3 frontier hashes, got 2"):
        merkle.Frontier.from_list(11, saved.to_list()[:2])
    with pytest.raises(ValueError, match="not 32 bytes"):
        merkle.Frontier.from_list(1, ["abcd"])
    with pytest.raises(ValueError, match="32 bytes"):
        merkle.Frontier().append(b"short")


# --- signed tree heads --------------------------------------------------------------------


def test_sth_message_is_the_documented_byte_string() -> None:
    root = bytes.fromhex("aa" * 32)
    message = signing.sth_message(42, root, "2026-01-05T14:00:00.000000Z")
    assert message == b"proctor-sth/1\n42\n" + b"aa" * 32 + b"\n2026-01-05T14:00:00.000000Z\n"
    with pytest.raises(ValueError, match="not UTC ISO-8601"):
        signing.sth_message(42, root, "2026-01-05T14:00:00+00:00")
    with pytest.raises(ValueError, match="32 bytes"):
        signing.sth_message(42, b"short", "2026-01-05T14:00:00.000000Z")


def test_key_file_is_private_and_never_overwritten(tmp_path: Path) -> None:
    key_path = tmp_path / "keys" / "journal.pem"
    signing.generate_key(key_path)
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    assert key_path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    before = key_path.read_bytes()
    with pytest.raises(InputError, match="refusing to overwrite"):
        signing.generate_key(key_path)
    assert key_path.read_bytes() == before


def test_signed_tree_head_verifies_and_rejects_changes(tmp_path: Path) -> None:
    key_path = tmp_path / "journal.pem"
    signing.generate_key(key_path)
    key = signing.load_private_key(key_path)
    public = signing.public_key_hex(key)
    assert len(bytes.fromhex(public)) == 32
    root = merkle.root_of(events(5))
    message = signing.sth_message(5, root, "2026-01-05T14:00:00.000000Z")
    signature = signing.sign(key, message)
    assert signing.verify(public, message, signature)
    assert not signing.verify(public, signing.sth_message(6, root, "2026-01-05T14:00:00.000000Z"), signature)
    assert not signing.verify(public, message, flip(signature))
    assert not signing.verify("not hex", message, signature)
    head = signing.signed_tree_head(key, 5, root, "2026-01-05T14:00:00.000000Z")
    assert head["public_key"] == public
    assert head["root_hash"] == root.hex()


def test_loading_a_bad_key_names_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "absent.pem"
    with pytest.raises(InputError, match=r"absent\.pem.*cannot read signing key"):
        signing.load_private_key(missing)
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a key")
    with pytest.raises(InputError, match=r"garbage\.pem.*not an unencrypted PEM private key"):
        signing.load_private_key(garbage)
