"""Legal holds: records that must not be destroyed while a matter is open, whatever their age.

A hold belongs to a matter (an investigation, litigation or regulatory inquiry) and names what it
covers: custodians (participant addresses), a search query, sources and a date range, or an
explicit list of records. Its criteria are stored, and the records they match when it is placed
are listed as journaled hold items. Records that match later (a mailbox imported next month) are
held too: `sweep_holds` adds them, and disposal re-evaluates every active hold's criteria at the
moment of destruction, so a record is never destroyed because a sweep had not run yet.

On an object-locked S3 store each held blob also gets an Object Lock legal hold, which the storage
service itself enforces until the last hold covering it is released.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from proctor.comms import custodians
from proctor.comms.permissions import RECORD_DISPOSE
from proctor.comms.record_filter import query_ids
from proctor.comms.retention_tables import hold_items, holds
from proctor.comms.tables import messages, participants, search_rows
from proctor.core.clock import iso_utc, parse_iso
from proctor.core.errors import InputError, InvalidTransition, NotFound
from proctor.core.roles import require

if TYPE_CHECKING:
    from proctor.platform.transaction import Transaction
    from proctor.platform.workspace import Workspace

ACTIVE = "active"
RELEASED = "released"
MIN_REASON = 10
_IN = 500


@dataclass(frozen=True)
class HoldCriteria:
    """What a hold covers. Given dimensions combine with AND; `records` stands alone."""

    custodians: tuple[str, ...] = ()
    query: str | None = None
    sources: tuple[str, ...] = ()
    since: datetime | None = None
    until: datetime | None = None
    records: tuple[str, ...] = ()

    @property
    def kind(self) -> str:
        if self.records:
            return "records"
        if self.custodians:
            return "custodian"
        if self.query:
            return "query"
        return "source"

    def validate(self) -> None:
        if self.records and (self.custodians or self.query or self.sources or self.since or self.until):
            raise InputError("a hold on listed records takes no other criteria", field="records")
        if not (self.records or self.custodians or self.query or self.sources):
            raise InputError(
                "a hold needs custodians, a query, sources or records; a date range alone would hold "
                "the whole archive",
                field="criteria",
            )
        if self.since and self.until and self.since > self.until:
            raise InputError("the start of the date range is after its end", field="since")

    def to_dict(self) -> dict[str, Any]:
        return {
            "custodians": sorted({c.strip().lower() for c in self.custodians if c.strip()}),
            "query": self.query,
            "sources": sorted(set(self.sources)),
            "since": iso_utc(self.since) if self.since else None,
            "until": iso_utc(self.until) if self.until else None,
            "records": sorted(set(self.records)),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> HoldCriteria:
        return cls(
            custodians=tuple(data.get("custodians") or ()),
            query=data.get("query"),
            sources=tuple(data.get("sources") or ()),
            since=parse_iso(data["since"]) if data.get("since") else None,
            until=parse_iso(data["until"]) if data.get("until") else None,
            records=tuple(data.get("records") or ()),
        )


def matching_ids(conn: sa.Connection, criteria: HoldCriteria, among: Iterable[str] | None = None) -> set[str]:
    """Records the criteria cover now; `among` restricts the answer to those ids (for disposal)."""
    wanted = None if among is None else list(dict.fromkeys(among))
    if criteria.records:
        ids = set(criteria.records)
        if wanted is not None:
            ids &= set(wanted)
        return {i for (i,) in _in_chunks(conn, sa.select(messages.c.id), messages.c.id, sorted(ids))}
    stmt = sa.select(messages.c.id)
    if criteria.sources:
        stmt = stmt.where(messages.c.source.in_(sorted(set(criteria.sources))))
    if criteria.since:
        stmt = stmt.where(messages.c.sent_at >= criteria.since)
    if criteria.until:
        stmt = stmt.where(messages.c.sent_at <= criteria.until)
    if criteria.custodians:
        # a custodian is the person: all his identities and the sources that cover him
        addresses, own_sources = custodians.expand(conn, criteria.custodians)
        took_part = messages.c.id.in_(
            sa.select(search_rows.c.message)
            .join(participants, participants.c.doc == search_rows.c.doc)
            .where(participants.c.address.in_(addresses))
        )
        stmt = stmt.where(sa.or_(took_part, messages.c.source.in_(own_sources)) if own_sources else took_part)
    if wanted is None:
        ids = {i for (i,) in conn.execute(stmt)}
    else:
        ids = {i for (i,) in _in_chunks(conn, stmt, messages.c.id, wanted)}
    if criteria.query:
        ids &= query_ids(conn, criteria.query)
    return ids


def _in_chunks(conn: sa.Connection, stmt: sa.Select[Any], column: Any, keys: list[str]) -> list[Any]:
    rows: list[Any] = []
    for start in range(0, len(keys), _IN):
        rows.extend(conn.execute(stmt.where(column.in_(keys[start : start + _IN]))))
    return rows


def _add_items(tx: Transaction, hold_id: str, record_ids: Iterable[str], now: datetime) -> list[str]:
    ids = sorted(set(record_ids))
    if not ids:
        return []
    keys = [f"{hold_id}:{r}" for r in ids]
    present = {k for (k,) in _in_chunks(tx.conn, sa.select(hold_items.c.id), hold_items.c.id, keys)}
    rows: list[dict[str, Any]] = [
        {"id": key, "hold_id": hold_id, "record_id": rid, "added_at": now, "added_by": tx.actor}
        for key, rid in zip(keys, ids, strict=True)
        if key not in present
    ]
    tx.insert_many(hold_items, rows, "comms.hold.record_added")
    return [str(r["record_id"]) for r in rows]


def _blob_shas(conn: sa.Connection, record_ids: list[str]) -> list[str]:
    shas: list[str] = []
    stmt = sa.select(messages.c.blob_sha256, messages.c.attachments)
    for blob, attachments in _in_chunks(conn, stmt, messages.c.id, record_ids):
        shas.append(blob)
        shas.extend(a["sha256"] for a in attachments or [] if a.get("sha256"))
    return sorted(set(shas))


def _storage_hold(ws: Workspace, conn: sa.Connection, record_ids: list[str], on: bool) -> None:
    setter = getattr(ws.blobs, "set_legal_hold", None)
    if setter is None or not record_ids:
        return
    for sha in _blob_shas(conn, record_ids):
        setter(sha, on)


def place_hold(ws: Workspace, actor: str, matter: str, reason: str, criteria: HoldCriteria) -> dict[str, Any]:
    """Place a hold and list every record it covers now."""
    require(ws.users.get(actor), RECORD_DISPOSE)
    if not matter.strip():
        raise InputError("a hold names its matter", field="matter")
    if len(reason.strip()) < MIN_REASON:
        raise InputError(f"a hold needs a reason of at least {MIN_REASON} characters", field="reason")
    criteria.validate()
    now = ws.clock.now()
    with ws.transaction(actor) as tx:
        if criteria.records:
            found = matching_ids(tx.conn, criteria)
            missing = sorted(set(criteria.records) - found)
            if missing:
                raise InputError(f"no such record(s): {', '.join(missing[:5])}", field="records")
        matched = matching_ids(tx.conn, criteria)
        hold_id = ws.ids("HLD")
        row = tx.insert(
            holds,
            {
                "id": hold_id,
                "matter": matter.strip(),
                "kind": criteria.kind,
                "criteria": criteria.to_dict(),
                "reason": reason.strip(),
                "status": ACTIVE,
                "placed_by": actor,
                "placed_at": now,
                "matched_at_placement": len(matched),
                "released_by": None,
                "released_at": None,
                "release_reason": None,
            },
            "comms.hold.placed",
        )
        _add_items(tx, hold_id, matched, now)
        _storage_hold(ws, tx.conn, sorted(matched), True)
        resolved = [c.as_dict() for c in custodians.resolve(tx.conn, criteria.custodians)]
    return {**row, "records": len(matched), "custodians": resolved}


def sweep_holds(ws: Workspace, actor: str) -> dict[str, int]:
    """Add records that came to match an active hold after it was placed; returns additions per hold."""
    added: dict[str, int] = {}
    now = ws.clock.now()
    with ws.transaction(actor) as tx:
        for hold in tx.conn.execute(
            sa.select(holds).where(holds.c.status == ACTIVE).order_by(holds.c.id)
        ).all():
            matched = matching_ids(tx.conn, HoldCriteria.from_dict(hold.criteria))
            new = _add_items(tx, hold.id, matched, now)
            if new:
                _storage_hold(ws, tx.conn, new, True)
                added[hold.id] = len(new)
    return added


def held_ids(conn: sa.Connection, record_ids: Iterable[str]) -> dict[str, list[str]]:
    """For each of `record_ids` under an active hold, the holds covering it (listed or matching)."""
    ids = list(dict.fromkeys(record_ids))
    covered: dict[str, set[str]] = {}
    active = conn.execute(sa.select(holds.c.id, holds.c.criteria).where(holds.c.status == ACTIVE)).all()
    if not active or not ids:
        return {}
    active_ids = [h.id for h in active]
    stmt = sa.select(hold_items.c.record_id, hold_items.c.hold_id).where(hold_items.c.hold_id.in_(active_ids))
    for rid, hid in _in_chunks(conn, stmt, hold_items.c.record_id, ids):
        covered.setdefault(rid, set()).add(hid)
    for hold in active:
        for rid in matching_ids(conn, HoldCriteria.from_dict(hold.criteria), among=ids):
            covered.setdefault(rid, set()).add(hold.id)
    return {rid: sorted(h) for rid, h in covered.items()}


def release_hold(ws: Workspace, actor: str, hold_id: str, reason: str) -> dict[str, Any]:
    """End a hold; its items stay as the record of what it covered."""
    require(ws.users.get(actor), RECORD_DISPOSE)
    if len(reason.strip()) < MIN_REASON:
        raise InputError(
            f"releasing a hold needs a reason of at least {MIN_REASON} characters", field="reason"
        )
    with ws.transaction(actor) as tx:
        row = tx.get(holds, hold_id)
        if row is None:
            raise NotFound(f"no legal hold {hold_id!r}")
        if row["status"] != ACTIVE:
            raise InvalidTransition(f"legal hold {hold_id} is already {row['status']}")
        updated = tx.update(
            holds,
            hold_id,
            {
                "status": RELEASED,
                "released_by": actor,
                "released_at": ws.clock.now(),
                "release_reason": reason.strip(),
            },
            "comms.hold.released",
        )
        items = [
            r
            for (r,) in tx.conn.execute(
                sa.select(hold_items.c.record_id).where(hold_items.c.hold_id == hold_id)
            )
        ]
        still = held_ids(tx.conn, items)
        _storage_hold(ws, tx.conn, sorted(set(items) - set(still)), False)
    return updated


def list_holds(ws: Workspace, status: str | None = None) -> list[dict[str, Any]]:
    if status not in (None, ACTIVE, RELEASED):
        raise InputError(f"status must be {ACTIVE} or {RELEASED}", field="status")
    with ws.read() as conn:
        counts: dict[str, int] = dict(
            conn.execute(
                sa.select(hold_items.c.hold_id, sa.func.count()).group_by(hold_items.c.hold_id)
            ).all()
        )
        stmt = sa.select(holds).order_by(holds.c.placed_at, holds.c.id)
        if status is not None:
            stmt = stmt.where(holds.c.status == status)
        return [{**dict(r._mapping), "records": int(counts.get(r.id, 0))} for r in conn.execute(stmt)]


def hold_records(ws: Workspace, hold_id: str) -> list[str]:
    with ws.read() as conn:
        if conn.execute(sa.select(holds.c.id).where(holds.c.id == hold_id)).first() is None:
            raise NotFound(f"no legal hold {hold_id!r}")
        return [
            r
            for (r,) in conn.execute(
                sa.select(hold_items.c.record_id)
                .where(hold_items.c.hold_id == hold_id)
                .order_by(hold_items.c.record_id)
            )
        ]
