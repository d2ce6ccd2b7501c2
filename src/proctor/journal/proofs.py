"""Inclusion and consistency proofs in the formats the standalone verifier reads.

Proofs are computed against signed tree heads only, so what an examiner checks is exactly what
Proctor committed to at the time.
"""

from __future__ import annotations

import base64
from typing import Any

import sqlalchemy as sa

from proctor.core.errors import NotFound
from proctor.journal import merkle
from proctor.journal.log import head_at, latest_head, leaf_hashes, row_leaf_bytes
from proctor.store.schema import journal_events


class ProofBuilder:
    """Holds the leaf hashes once, so a production of thousands of records is proved quickly."""

    def __init__(self, conn: sa.Connection) -> None:
        head = latest_head(conn)
        if head is None:
            raise NotFound("the journal is empty: nothing to prove")
        self.conn = conn
        self.head = head
        self.cache = merkle.SubtreeCache(leaf_hashes(conn, head.tree_size))

    def inclusion(self, seq: int) -> dict[str, Any]:
        if seq >= self.head.tree_size:
            raise NotFound(f"journal event {seq} is not yet under a signed tree head")
        row = self.conn.execute(sa.select(journal_events).where(journal_events.c.seq == seq)).one_or_none()
        if row is None:
            raise NotFound(f"journal event {seq} does not exist")
        data = row_leaf_bytes(row)
        path = merkle.inclusion_path(seq, self.head.tree_size, self.cache)
        return {
            "format": "proctor-inclusion-proof/1",
            "leaf_index": seq,
            "leaf_data_b64": base64.b64encode(data).decode(),
            "leaf_hash": merkle.leaf_hash(data).hex(),
            "audit_path": [p.hex() for p in path],
            "tree_head": self.head.as_dict(),
        }


def inclusion_proof(conn: sa.Connection, seq: int) -> dict[str, Any]:
    return ProofBuilder(conn).inclusion(seq)


def consistency_proof(conn: sa.Connection, old_size: int, new_size: int) -> dict[str, Any]:
    first, second = head_at(conn, old_size), head_at(conn, new_size)
    if first is None or second is None:
        missing = old_size if first is None else new_size
        raise NotFound(f"no signed tree head of size {missing}; see `proctor journal heads`")
    if old_size > new_size:
        raise NotFound("the first tree head must not be larger than the second")
    cache = merkle.SubtreeCache(leaf_hashes(conn, new_size))
    path = merkle.consistency_path(old_size, new_size, cache)
    return {
        "format": "proctor-consistency-proof/1",
        "first": first.as_dict(),
        "second": second.as_dict(),
        "proof": [p.hex() for p in path],
    }
