"""Disposal: destroying records whose retention has ended, under four eyes, with proof left behind.

Only a record past its retain-until date and under no legal hold may go, and only when one person
proposes the disposal and a different person approves it. Everything is checked again at approval
(a hold placed in between wins). Each record's row, its sightings and its stored bytes are removed
through the journaled delete, so the journal keeps the hash of what was removed, who approved it
and why; the record's original "stored" leaf stays in the Merkle log, so an inclusion proof still
shows that the record existed and what its bytes hashed to, and `proctor journal verify` passes.

Rows are deleted in the database transaction first and the bytes after it commits: if the
storage service refuses a delete, the bytes outlive their record (reported in the outcome), which
is recoverable; a committed record without its bytes would not be.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from proctor.comms.holds import held_ids, sweep_holds
from proctor.comms.model import CommsError
from proctor.comms.permissions import RECORD_DISPOSE
from proctor.comms.retention_tables import disposals
from proctor.comms.search import unindex
from proctor.comms.tables import messages, quarantine, sightings
from proctor.core.clock import iso_utc
from proctor.core.errors import InputError, InvalidTransition, NotFound
from proctor.core.roles import require
from proctor.platform.approvals import ApprovalRule, approve
from proctor.store.blobs import BlobError
from proctor.store.schema import blobs

if TYPE_CHECKING:
    from proctor.platform.transaction import Transaction
    from proctor.platform.workspace import Workspace

PROPOSED = "proposed"
EXECUTED = "executed"
REJECTED = "rejected"
MIN_REASON = 10
DISPOSAL_APPROVAL = ApprovalRule(permission=RECORD_DISPOSE, open_status=PROPOSED)
# One proposal lists at most this many records, so a reviewer can read it and its journal entry
# stays a reasonable size; the rest wait for the next proposal (`criteria.eligible` says how many).
MAX_RECORDS = 10_000
_IN = 500


def _chunks(keys: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(keys), _IN):
        yield keys[start : start + _IN]


def _eligible(conn: sa.Connection, cutoff: datetime, sources: tuple[str, ...]) -> list[str]:
    stmt = sa.select(messages.c.id).where(messages.c.retain_until <= cutoff).order_by(messages.c.id)
    if sources:
        stmt = stmt.where(messages.c.source.in_(sorted(set(sources))))
    ids = [i for (i,) in conn.execute(stmt)]
    held = held_ids(conn, ids)
    free = [i for i in ids if i not in held]
    return free


def propose_disposal(
    ws: Workspace,
    actor: str,
    reason: str,
    *,
    sources: tuple[str, ...] = (),
    before: datetime | None = None,
    limit: int = MAX_RECORDS,
) -> dict[str, Any]:
    """List the records past retain-until (by `before`, default now) and under no hold, for approval."""
    require(ws.users.get(actor), RECORD_DISPOSE)
    if len(reason.strip()) < MIN_REASON:
        raise InputError(f"a disposal needs a reason of at least {MIN_REASON} characters", field="reason")
    now = ws.clock.now()
    cutoff = before or now
    if cutoff > now:
        raise InputError("records can only be disposed of once their retention has ended", field="before")
    if not 0 < limit <= MAX_RECORDS:
        raise InputError(f"must be between 1 and {MAX_RECORDS}", field="limit")
    sweep_holds(ws, actor)
    with ws.transaction(actor) as tx:
        eligible = _eligible(tx.conn, cutoff, sources)
        ids = eligible[:limit]
        if not ids:
            raise CommsError("no record is past its retain-until date and free of legal holds")
        return tx.insert(
            disposals,
            {
                "id": ws.ids("DSP"),
                "status": PROPOSED,
                "cutoff": cutoff,
                "criteria": {
                    "sources": sorted(set(sources)),
                    "before": iso_utc(cutoff),
                    "limit": limit,
                    "eligible": len(eligible),
                },
                "record_ids": ids,
                "record_count": len(ids),
                "reason": reason.strip(),
                "proposed_by": actor,
                "proposed_at": now,
                "decided_by": None,
                "decided_at": None,
                "outcome": None,
            },
            "comms.disposal.proposed",
        )


def _locked_in_storage(ws: Workspace, shas: list[str], now: datetime) -> set[str]:
    """Blobs the storage service would refuse to delete now (Object Lock date or legal hold)."""
    retention = getattr(ws.blobs, "retention", None)
    if retention is None:
        return set()
    locked: set[str] = set()
    for sha in shas:
        try:
            _mode, until, legal_hold = retention(sha)
        except BlobError:
            continue
        if legal_hold or (until is not None and until > now):
            locked.add(sha)
    return locked


def _record_shas(row: Any) -> list[str]:
    return [row.blob_sha256, *(a["sha256"] for a in row.attachments or [] if a.get("sha256"))]


def _still_referenced(conn: sa.Connection, shas: set[str], leaving: set[str]) -> set[str]:
    """Blobs another record still needs: a message, attachment or quarantined item staying behind.

    Attachments are content-addressed too (an e-mail forwarded as an attachment has the same bytes
    as the record of the e-mail itself), so every staying message's attachment list is read once.
    """
    keep: set[str] = set()
    for chunk in _chunks(sorted(shas)):
        stmt = sa.select(messages.c.blob_sha256, messages.c.id).where(messages.c.blob_sha256.in_(chunk))
        keep |= {sha for sha, mid in conn.execute(stmt) if mid not in leaving}
        quarantined = sa.select(quarantine.c.blob_sha256).where(quarantine.c.blob_sha256.in_(chunk))
        keep |= {s for (s,) in conn.execute(quarantined)}
    with_attachments = sa.select(messages.c.id, messages.c.attachments).where(messages.c.has_attachments)
    for mid, attachments in conn.execute(with_attachments.execution_options(yield_per=5000)):
        if mid not in leaving:
            keep |= shas.intersection(a.get("sha256") for a in attachments or [])
    return keep


def _remove_record(tx: Transaction, row: Any, why: str) -> None:
    for (sid,) in tx.conn.execute(sa.select(sightings.c.id).where(sightings.c.message == row.id)).all():
        tx.delete(sightings, sid, "comms.sighting.disposed", why)
    tx.delete(messages, row.id, "comms.message.disposed", why)


def approve_disposal(ws: Workspace, actor: str, disposal_id: str) -> dict[str, Any]:
    """The second person approves; every record is re-checked, then removed with its bytes."""
    proposal = _proposal(ws, disposal_id)
    approve(
        ws,
        actor,
        what=f"disposal {disposal_id}",
        proposer=proposal["proposed_by"],
        status=proposal["status"],
        rule=DISPOSAL_APPROVAL,
    )
    sweep_holds(ws, actor)
    now = ws.clock.now()
    skipped: list[dict[str, Any]] = []
    removed: list[str] = []
    doomed_blobs: list[str] = []
    with ws.transaction(actor) as tx:
        current = tx.get(disposals, disposal_id)
        if current is None or current["status"] != PROPOSED:
            raise InvalidTransition(f"disposal {disposal_id} is no longer proposed")
        ids = list(current["record_ids"])
        rows = {
            r.id: r
            for chunk in _chunks(ids)
            for r in tx.conn.execute(sa.select(messages).where(messages.c.id.in_(chunk)))
        }
        held = held_ids(tx.conn, list(rows))
        candidates = []
        for rid in ids:
            row = rows.get(rid)
            if row is None:
                skipped.append({"id": rid, "why": "no longer in the archive"})
            elif row.retain_until > now:
                skipped.append({"id": rid, "why": f"retained until {iso_utc(row.retain_until)}"})
            elif rid in held:
                skipped.append({"id": rid, "why": f"under legal hold {', '.join(held[rid])}"})
            else:
                candidates.append(row)
        locked = _locked_in_storage(ws, sorted({s for r in candidates for s in _record_shas(r)}), now)
        for row in candidates:
            if locked.intersection(_record_shas(row)):
                skipped.append({"id": row.id, "why": "the storage service still locks its bytes"})
                continue
            why = (
                f"disposal {disposal_id}: retention under {row.retention_rule} ended "
                f"{iso_utc(row.retain_until)}; no legal hold; proposed by {current['proposed_by']}, "
                f"approved by {actor}; {current['reason']}"
            )
            _remove_record(tx, row, why)
            removed.append(row.id)
            doomed_blobs.extend(_record_shas(row))
        unindex(tx.conn, removed)
        leaving = set(removed)
        unique = set(doomed_blobs)
        to_delete = sorted(unique - _still_referenced(tx.conn, unique, leaving))
        present = tx.existing_blobs(to_delete)
        for sha in to_delete:
            if sha in present:
                tx.delete(blobs, sha, "blob.disposed", f"disposal {disposal_id}: bytes of disposed record(s)")
        outcome = {"disposed": len(removed), "skipped": skipped, "blobs_removed": len(to_delete)}
        result = tx.update(
            disposals,
            disposal_id,
            {"status": EXECUTED, "decided_by": actor, "decided_at": now, "outcome": outcome},
            "comms.disposal.executed",
        )
    failures = _delete_bytes(ws, to_delete)
    if failures:
        with ws.transaction(actor) as tx:
            result = tx.update(
                disposals,
                disposal_id,
                {"outcome": {**outcome, "storage_refused": failures}},
                "comms.disposal.storage_refused",
            )
    return result


def _delete_bytes(ws: Workspace, shas: list[str]) -> list[dict[str, str]]:
    failures = []
    for sha in shas:
        try:
            ws.blobs.delete(sha)
        except BlobError as exc:
            failures.append({"sha256": sha, "error": str(exc)})
    return failures


def _proposal(ws: Workspace, disposal_id: str) -> dict[str, Any]:
    with ws.read() as conn:
        row = conn.execute(sa.select(disposals).where(disposals.c.id == disposal_id)).first()
    if row is None:
        raise NotFound(f"no disposal {disposal_id!r}")
    data = dict(row._mapping)
    if data["status"] != PROPOSED:
        raise InvalidTransition(f"disposal {disposal_id} is {data['status']}, not proposed")
    return data


def reject_disposal(ws: Workspace, actor: str, disposal_id: str, reason: str) -> dict[str, Any]:
    require(ws.users.get(actor), RECORD_DISPOSE)
    if len(reason.strip()) < MIN_REASON:
        raise InputError(f"a rejection needs a reason of at least {MIN_REASON} characters", field="reason")
    _proposal(ws, disposal_id)
    with ws.transaction(actor) as tx:
        return tx.update(
            disposals,
            disposal_id,
            {
                "status": REJECTED,
                "decided_by": actor,
                "decided_at": ws.clock.now(),
                "outcome": {"rejected_because": reason.strip()},
            },
            "comms.disposal.rejected",
        )


def list_disposals(ws: Workspace, status: str | None = None) -> list[dict[str, Any]]:
    with ws.read() as conn:
        stmt = sa.select(disposals).order_by(disposals.c.proposed_at, disposals.c.id)
        if status is not None:
            stmt = stmt.where(disposals.c.status == status)
        return [dict(r._mapping) for r in conn.execute(stmt)]
