"""The one writer path: rows, their journal leaves and a signed tree head commit together.

Modules never write journaled tables directly; they go through a Transaction, which reads each
row back after writing it so the state hashed into the journal is exactly what the database holds
(and what `proctor journal verify` will recompute).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from proctor.core.alerts import Subject
from proctor.core.canonical import digest, plain
from proctor.core.errors import NotFound
from proctor.journal.log import EventDraft
from proctor.store.schema import JOURNAL_KEY, blobs, primary_key, record_state

if TYPE_CHECKING:
    from proctor.platform.workspace import Workspace


class Transaction:
    def __init__(self, ws: Workspace, conn: sa.Connection, actor: str) -> None:
        self.ws = ws
        self.conn = conn
        self.actor = actor
        self.events: list[EventDraft] = []
        self.seqs: list[int] = []

    def _kind(self, table: sa.Table) -> str:
        try:
            return str(table.info[JOURNAL_KEY])
        except KeyError:
            raise TypeError(f"table {table.name} is not journaled") from None

    def _journal_row(
        self, table: sa.Table, state: dict[str, Any], event_type: str, before: dict[str, Any] | None
    ) -> None:
        pk = primary_key(table).name
        payload: dict[str, Any] = {
            "table": table.name,
            "after": plain(state),
            "after_hash": digest(state),
        }
        if before is not None:
            payload["before_hash"] = digest(before)
            payload["changed"] = sorted(k for k in state if plain(state[k]) != plain(before.get(k)))
        self.events.append(EventDraft(self.actor, event_type, self._kind(table), str(state[pk]), payload))

    def get(self, table: sa.Table, key: Any) -> dict[str, Any] | None:
        row = self.conn.execute(sa.select(table).where(primary_key(table) == key)).one_or_none()
        return dict(row._mapping) if row is not None else None

    def insert(self, table: sa.Table, values: dict[str, Any], event_type: str) -> dict[str, Any]:
        return self.insert_many(table, [values], event_type)[0]

    def insert_many(
        self, table: sa.Table, rows: Sequence[dict[str, Any]], event_type: str
    ) -> list[dict[str, Any]]:
        if not rows:
            return []
        pk = primary_key(table)
        self.conn.execute(table.insert(), list(rows))
        keys = [r[pk.name] for r in rows]
        stored: dict[Any, dict[str, Any]] = {}
        for chunk_start in range(0, len(keys), 500):
            chunk = keys[chunk_start : chunk_start + 500]
            for row in self.conn.execute(sa.select(table).where(pk.in_(chunk))):
                stored[row._mapping[pk.name]] = record_state(table, row)
        states = [stored[k] for k in keys]
        for state in states:
            self._journal_row(table, state, event_type, None)
        return states

    def update(self, table: sa.Table, key: Any, values: dict[str, Any], event_type: str) -> dict[str, Any]:
        pk = primary_key(table)
        before_row = self.conn.execute(sa.select(table).where(pk == key)).one_or_none()
        if before_row is None:
            raise NotFound(f"{self._kind(table)} {key} does not exist")
        before = record_state(table, before_row)
        self.conn.execute(table.update().where(pk == key).values(**values))
        after = record_state(table, self.conn.execute(sa.select(table).where(pk == key)).one())
        self._journal_row(table, after, event_type, before)
        return after

    def update_many(
        self, table: sa.Table, changes: Sequence[tuple[Any, dict[str, Any]]], event_type: str
    ) -> list[dict[str, Any]]:
        """`update` for many rows at once, journaled exactly as one `update` per row would be.

        Rows changing the same columns go in one executemany, and the states before and after are
        read 500 keys at a time, so re-correlating thousands of accounts is not thousands of round
        trips. Each key may appear once."""
        if not changes:
            return []
        pk = primary_key(table)
        keys = [k for k, _ in changes]
        if len(set(keys)) != len(keys):
            raise ValueError(f"update_many on {table.name}: a key appears twice")
        before = self._states(table, keys)
        missing = [k for k in keys if k not in before]
        if missing:
            raise NotFound(f"{self._kind(table)} {missing[0]} does not exist")
        groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for key, values in changes:
            cols = tuple(sorted(values))
            groups.setdefault(cols, []).append({"k_pk": key, **{f"v_{c}": values[c] for c in cols}})
        for cols, params in groups.items():
            stmt = (
                table.update()
                .where(pk == sa.bindparam("k_pk"))
                .values({c: sa.bindparam(f"v_{c}") for c in cols})
            )
            self.conn.execute(stmt, params)
        after = self._states(table, keys)
        states = [after[k] for k in keys]
        for key, state in zip(keys, states, strict=True):
            self._journal_row(table, state, event_type, before[key])
        return states

    def _states(self, table: sa.Table, keys: Sequence[Any]) -> dict[Any, dict[str, Any]]:
        pk = primary_key(table)
        out: dict[Any, dict[str, Any]] = {}
        for start in range(0, len(keys), 500):
            for row in self.conn.execute(sa.select(table).where(pk.in_(keys[start : start + 500]))):
                out[row._mapping[pk.name]] = record_state(table, row)
        return out

    def delete(self, table: sa.Table, key: Any, event_type: str, reason: str) -> dict[str, Any]:
        """Remove a row; the journal keeps its last state's hash and why it went."""
        pk = primary_key(table)
        row = self.conn.execute(sa.select(table).where(pk == key)).one_or_none()
        if row is None:
            raise NotFound(f"{self._kind(table)} {key} does not exist")
        before = record_state(table, row)
        self.conn.execute(table.delete().where(pk == key))
        payload = {
            "table": table.name,
            "after": None,
            "after_hash": None,
            "before_hash": digest(before),
            "reason": reason,
        }
        self.events.append(EventDraft(self.actor, event_type, self._kind(table), str(key), payload))
        return before

    def event(self, event_type: str, subject: Subject, payload: dict[str, Any]) -> None:
        """A journal event that is not a row change, e.g. a view of customer NPI."""
        self.events.append(EventDraft(self.actor, event_type, subject.kind, subject.id, payload))

    def put_blob(self, data: bytes, retain_until: str | None = None) -> str:
        """Store bytes and journal their hash once; returns the SHA-256."""
        sha, stored_size = self.ws.blobs.put(data, retain_until)
        if self.conn.execute(sa.select(blobs.c.sha256).where(blobs.c.sha256 == sha)).first() is None:
            self.insert(
                blobs,
                {
                    "sha256": sha,
                    "size": len(data),
                    "stored_size": stored_size,
                    "created_at": self.ws.clock.now(),
                },
                "blob.stored",
            )
        return sha

    def existing_blobs(self, shas: Iterable[str]) -> set[str]:
        wanted = list(shas)
        found: set[str] = set()
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            found.update(
                s for (s,) in self.conn.execute(sa.select(blobs.c.sha256).where(blobs.c.sha256.in_(chunk)))
            )
        return found
