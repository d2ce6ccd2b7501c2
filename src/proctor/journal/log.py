"""The append-only journal: every record stored and every state change, as Merkle-tree leaves.

Appends happen inside the caller's database transaction, so rows, their journal leaves and the
signed tree head of the batch commit together or not at all; a crash can lose only what was never
acknowledged. The compact frontier of the tree is kept in `journal_state`, so an append costs
O(log n) hashing whatever the size of the log.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from proctor.core.canonical import dumps
from proctor.core.clock import iso_utc
from proctor.journal import merkle, signing
from proctor.store.schema import journal_events, journal_heads, journal_state


@dataclass(frozen=True)
class EventDraft:
    actor: str
    event_type: str
    subject_kind: str
    subject_id: str
    payload: dict[str, Any]


def leaf_bytes(
    seq: int, ts: str, actor: str, event_type: str, kind: str, subject_id: str, payload_text: str
) -> bytes:
    """The exact bytes hashed into a leaf: canonical JSON of the event (see docs/journal.md).

    Keys in sorted order, no whitespace, UTF-8; `payload_text` is already canonical JSON, so it is
    spliced in as stored rather than parsed and re-encoded (the hot path of every append and verify).
    """
    q = _quote
    return (
        f'{{"actor":{q(actor)},"payload":{payload_text},"seq":{seq},'
        f'"subject":{{"id":{q(subject_id)},"kind":{q(kind)}}},"ts":{q(ts)},"type":{q(event_type)}}}'
    ).encode()


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def row_leaf_bytes(row: Any) -> bytes:
    m = row._mapping
    return leaf_bytes(
        m["seq"], m["ts"], m["actor"], m["event_type"], m["subject_kind"], m["subject_id"], m["payload"]
    )


@dataclass(frozen=True)
class TreeHead:
    tree_size: int
    root_hash: str
    timestamp: str
    signature: str
    public_key: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "tree_size": self.tree_size,
            "root_hash": self.root_hash,
            "timestamp": self.timestamp,
            "signature": self.signature,
            "public_key": self.public_key,
        }

    @classmethod
    def from_row(cls, row: Any) -> TreeHead:
        m = row._mapping
        return cls(m["tree_size"], m["root_hash"], m["ts"], m["signature"], m["public_key"])


class JournalLog:
    """Appends events and signs a tree head per batch with the workspace's Ed25519 key."""

    def __init__(self, private_key: Any) -> None:
        self._key = private_key
        self.public_key = signing.public_key_hex(private_key)

    def append(self, conn: sa.Connection, drafts: Sequence[EventDraft], now: datetime) -> list[int]:
        """Append within the caller's transaction; returns the sequence numbers given."""
        if not drafts:
            return []
        state = conn.execute(
            sa.select(journal_state.c.tree_size, journal_state.c.frontier)
            .where(journal_state.c.id == 1)
            .with_for_update()
        ).one_or_none()
        if state is None:
            frontier = merkle.Frontier()
        else:
            frontier = merkle.Frontier.from_list(state.tree_size, json.loads(state.frontier))
        ts = iso_utc(now)
        start = frontier.size
        rows = []
        for offset, draft in enumerate(drafts):
            seq = start + offset
            payload_text = dumps(draft.payload)
            data = leaf_bytes(
                seq,
                ts,
                draft.actor,
                draft.event_type,
                draft.subject_kind,
                draft.subject_id,
                payload_text,
            )
            digest = merkle.leaf_hash(data)
            frontier.append(digest)
            rows.append(
                {
                    "seq": seq,
                    "ts": ts,
                    "actor": draft.actor,
                    "event_type": draft.event_type,
                    "subject_kind": draft.subject_kind,
                    "subject_id": draft.subject_id,
                    "payload": payload_text,
                    "leaf_hash": digest.hex(),
                }
            )
        conn.execute(journal_events.insert(), rows)
        root = frontier.root()
        signature = signing.sign(self._key, signing.sth_message(frontier.size, root, ts))
        conn.execute(
            journal_heads.insert().values(
                tree_size=frontier.size,
                root_hash=root.hex(),
                ts=ts,
                signature=base64.b64encode(signature).decode(),
                public_key=self.public_key,
            )
        )
        new_state = {"tree_size": frontier.size, "frontier": json.dumps(frontier.to_list())}
        if state is None:
            conn.execute(journal_state.insert().values(id=1, **new_state))
        else:
            conn.execute(journal_state.update().where(journal_state.c.id == 1).values(**new_state))
        return list(range(start, start + len(rows)))


def latest_head(conn: sa.Connection) -> TreeHead | None:
    row = conn.execute(
        sa.select(journal_heads).order_by(journal_heads.c.tree_size.desc()).limit(1)
    ).one_or_none()
    return TreeHead.from_row(row) if row else None


def head_at(conn: sa.Connection, tree_size: int) -> TreeHead | None:
    row = conn.execute(sa.select(journal_heads).where(journal_heads.c.tree_size == tree_size)).one_or_none()
    return TreeHead.from_row(row) if row else None


def leaf_hashes(conn: sa.Connection, upto: int) -> list[bytes]:
    result = conn.execute(
        sa.select(journal_events.c.leaf_hash)
        .where(journal_events.c.seq < upto)
        .order_by(journal_events.c.seq)
    )
    return [bytes.fromhex(h) for (h,) in result]
