"""Merkle tree hashing and proofs exactly as RFC 9162 (Certificate Transparency v2), section 2.1.

The journal is only useful to an examiner if a third party can check it with nothing but the
published standard: so every function here follows the RFC's definitions and names, and the
standalone verifier (tools/verify_proof.py) re-implements the verifying half independently.

Hashes are domain separated (a leaf is SHA-256(0x00 || data), an interior node SHA-256(0x01 ||
left || right)) so a leaf can never be passed off as a node and vice versa (second pre-image
resistance, RFC 9162 2.1.1).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()
_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"

Subtree = Callable[[int, int], bytes]
"""`subtree(start, end)` returns MTH of leaves [start, end); the caller reads it from storage."""


def leaf_hash(data: bytes) -> bytes:
    """Hash of one journal leaf (the canonical event bytes)."""
    return hashlib.sha256(_LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Hash of an interior node from its two children."""
    return hashlib.sha256(_NODE_PREFIX + left + right).digest()


def split_point(n: int) -> int:
    """The largest power of two strictly smaller than n (n > 1): where the RFC splits a tree."""
    if n < 2:
        raise ValueError(f"a tree of {n} leaves has no split point")
    return 1 << ((n - 1).bit_length() - 1)


def root_of(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH(D[n]) of RFC 9162 2.1.1, computed level by level instead of recursively.

    Pairing neighbours and carrying an odd last node up unchanged produces exactly the RFC's
    left-heavy tree, in O(n) hashes and without recursion depth limits.
    """
    if not leaf_hashes:
        return EMPTY_ROOT
    level = list(leaf_hashes)
    while len(level) > 1:
        paired = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


class Frontier:
    """The compact range of a growing log: one subtree root per set bit of its size.

    Holding only these O(log n) hashes lets the journal append a leaf and produce the new root
    without reading old leaves back, and the list is small enough to persist with every tree head.
    Hashes are kept largest (leftmost) subtree first.
    """

    __slots__ = ("_hashes", "_root", "size")

    def __init__(self) -> None:
        self.size = 0
        self._hashes: list[bytes] = []
        self._root: bytes | None = EMPTY_ROOT

    def append(self, leaf: bytes) -> None:
        """Add one leaf hash; merges equal-sized subtrees like a binary counter (amortised O(1))."""
        if len(leaf) != HASH_SIZE:
            raise ValueError(f"a leaf hash is {HASH_SIZE} bytes, got {len(leaf)}")
        merged = leaf
        carry = self.size
        hashes = self._hashes
        while carry & 1:
            merged = node_hash(hashes.pop(), merged)
            carry >>= 1
        hashes.append(merged)
        self.size += 1
        self._root = None

    def extend(self, leaves: Iterable[bytes]) -> None:
        for leaf in leaves:
            self.append(leaf)

    def root(self) -> bytes:
        """MTH of every leaf appended so far: fold the subtree roots from the right."""
        if self._root is None:
            hashes = self._hashes
            result = hashes[-1]
            for left in reversed(hashes[:-1]):
                result = node_hash(left, result)
            self._root = result
        return self._root

    def copy(self) -> Frontier:
        return Frontier.from_list(self.size, self.to_list())

    def to_list(self) -> list[str]:
        """Hex subtree roots, largest first: the persisted form (see `from_list`)."""
        return [h.hex() for h in self._hashes]

    @classmethod
    def from_list(cls, size: int, hexes: Sequence[str]) -> Frontier:
        """Rebuild a frontier from its persisted form; the count must match the size's set bits."""
        if size < 0:
            raise ValueError(f"a tree size cannot be negative, got {size}")
        expected = size.bit_count()
        if len(hexes) != expected:
            raise ValueError(f"a tree of {size} leaves has {expected} frontier hashes, got {len(hexes)}")
        frontier = cls()
        hashes = [bytes.fromhex(h) for h in hexes]
        for h in hashes:
            if len(h) != HASH_SIZE:
                raise ValueError(f"frontier hash {h.hex()!r} is not {HASH_SIZE} bytes")
        frontier.size = size
        frontier._hashes = hashes
        frontier._root = EMPTY_ROOT if size == 0 else None
        return frontier

    def __repr__(self) -> str:
        return f"Frontier(size={self.size})"


class SubtreeCache:
    """MTH of any leaf range, memoising every complete aligned power-of-two block.

    Proofs only ever ask for ranges that decompose into aligned blocks (RFC 9162's left-heavy
    split), so after the first proof warms a level, each further proof over a million leaves costs
    O(log n) list lookups. Appending leaves never invalidates a complete block, so a
    cache can follow a growing log with `extend`.
    """

    def __init__(self, leaf_hashes: Iterable[bytes] = ()) -> None:
        self._levels: list[list[bytes]] = [list(leaf_hashes)]

    @property
    def size(self) -> int:
        return len(self._levels[0])

    def extend(self, leaf_hashes: Iterable[bytes]) -> None:
        self._levels[0].extend(leaf_hashes)

    def _level(self, height: int) -> list[bytes]:
        """Blocks of 2**height leaves, built up to the number of complete blocks available."""
        levels = self._levels
        while len(levels) <= height:
            levels.append([])
        for h in range(1, height + 1):
            below, here = levels[h - 1], levels[h]
            complete = len(below) // 2
            if len(here) < complete:
                here.extend(node_hash(below[2 * i], below[2 * i + 1]) for i in range(len(here), complete))
        return levels[height]

    def __call__(self, start: int, end: int) -> bytes:
        if not 0 <= start <= end <= self.size:
            raise ValueError(f"range [{start}, {end}) is outside a tree of {self.size} leaves")
        return self._range(start, end)

    def _range(self, start: int, end: int) -> bytes:
        n = end - start
        if n == 0:
            return EMPTY_ROOT
        height = n.bit_length() - 1
        if n == 1 << height and start % n == 0:
            return self._level(height)[start >> height]
        k = split_point(n)
        return node_hash(self._range(start, start + k), self._range(start + k, end))


def subtree_from_leaves(leaf_hashes: Sequence[bytes]) -> Subtree:
    """A memoising `subtree(start, end)` over leaves held in memory."""
    return SubtreeCache(leaf_hashes)


def inclusion_path(index: int, size: int, subtree: Subtree) -> list[bytes]:
    """PATH(m, D[n]) of RFC 9162 2.1.3.1: the audit path for leaf `index`, leaf level first."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size} leaves")
    path: list[bytes] = []
    start, end = 0, size
    while end - start > 1:
        k = split_point(end - start)
        if index < start + k:
            path.append(subtree(start + k, end))
            end = start + k
        else:
            path.append(subtree(start, start + k))
            start += k
    path.reverse()
    return path


def consistency_path(old_size: int, new_size: int, subtree: Subtree) -> list[bytes]:
    """PROOF(m, D[n]) = SUBPROOF(m, D[n], true) of RFC 9162 2.1.4.1, deepest node first.

    An empty tree and an unchanged tree need no proof, so both give an empty list.
    """
    if not 0 <= old_size <= new_size:
        raise ValueError(f"no consistency proof from {old_size} to {new_size} leaves")
    if old_size in (0, new_size):
        return []
    path: list[bytes] = []
    start, end, m, whole = 0, new_size, old_size, True
    while True:
        n = end - start
        if m == n:
            if not whole:
                path.append(subtree(start, end))
            break
        k = split_point(n)
        if m <= k:
            path.append(subtree(start + k, end))
            end = start + k
        else:
            path.append(subtree(start, start + k))
            start += k
            m -= k
            whole = False
    path.reverse()
    return path


def verify_inclusion(index: int, size: int, leaf: bytes, path: Sequence[bytes], root: bytes) -> bool:
    """RFC 9162 2.1.3.2: does `path` prove `leaf` is leaf number `index` of the tree with `root`?"""
    if not 0 <= index < size:
        return False
    fn, sn = index, size - 1
    r = leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not (fn & 1 or fn == 0):
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, path: Sequence[bytes]
) -> bool:
    """RFC 9162 2.1.4.2: is the tree (`new_size`, `new_root`) an append-only extension of the old?

    The RFC's algorithm covers 0 < old_size < new_size; the trivial cases are decided first the
    way the definition of PROOF implies: an unchanged tree must have the same root and an empty
    path, and the empty tree (root SHA-256 of nothing) precedes every tree with an empty path.
    """
    if not 0 <= old_size <= new_size:
        return False
    if old_size == new_size:
        return not path and old_root == new_root
    if old_size == 0:
        return not path and old_root == EMPTY_ROOT
    if not path:
        return False
    hashes = list(path)
    if old_size & (old_size - 1) == 0:
        hashes.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = hashes[0]
    for c in hashes[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while not (fn & 1 or fn == 0):
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == old_root and sr == new_root
