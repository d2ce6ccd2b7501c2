"""Change control for retention schedules: propose, approve (a second person), apply to records.

A retention period decides when a record may be destroyed, so changing one is a policy change
under four eyes (:mod:`proctor.platform.approvals`): one principal imports a new version with a
reason, a different one approves it, and both steps are journaled. Applying the schedule in force
then recomputes each record's retain-until date; every changed record is a journaled update naming
the version that set it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from proctor.comms.model import CommsError
from proctor.comms.retention import (
    APPROVED,
    PROPOSED,
    REJECTED,
    RetentionSchedule,
    packaged_schedule,
    schedule_from_yaml,
    schedule_in_force,
)
from proctor.comms.retention_tables import retention_versions
from proctor.comms.tables import messages, sources
from proctor.core.errors import InputError, NotFound
from proctor.core.roles import POLICY_CHANGE, require
from proctor.platform.approvals import approve, reject

if TYPE_CHECKING:
    from proctor.platform.workspace import Workspace

MIN_REASON = 10
APPLY_BATCH = 1000


def _check_proposal(ws: Workspace, actor: str, reason: str) -> str:
    require(ws.users.get(actor), POLICY_CHANGE)
    if len(reason.strip()) < MIN_REASON:
        raise InputError(
            f"a retention change needs a reason of at least {MIN_REASON} characters", field="reason"
        )
    return reason.strip()


def propose_schedule(ws: Workspace, actor: str, path: Path, reason: str) -> dict[str, Any]:
    """Record a new schedule version read from a YAML file, awaiting a second person's approval."""
    why = _check_proposal(ws, actor, reason)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read: {exc}", file=str(path)) from None
    schedule = schedule_from_yaml(text, str(path))
    return _insert_version(ws, actor, schedule, origin=f"file:{path.name}", reason=why)


def propose_document(
    ws: Workspace, actor: str, document: dict[str, Any], reason: str, *, origin: str
) -> dict[str, Any]:
    """The same proposal from a schedule document built elsewhere (the web form), not a file.

    The document is checked exactly as a file's is (floors, citations, kinds); `origin` says where
    it came from, e.g. ``web:paula``.
    """
    why = _check_proposal(ws, actor, reason)
    schedule = RetentionSchedule.from_dict(document, file="retention schedule")
    return _insert_version(ws, actor, schedule, origin=origin, reason=why)


def _insert_version(
    ws: Workspace, actor: str, schedule: RetentionSchedule, *, origin: str, reason: str
) -> dict[str, Any]:
    if schedule.version == packaged_schedule().version:
        raise InputError(
            f"version {schedule.version!r} is the packaged baseline; give the new schedule its own version",
            field="version",
        )
    with ws.transaction(actor) as tx:
        if tx.get(retention_versions, schedule.version) is not None:
            raise InputError(f"retention version {schedule.version!r} already exists", field="version")
        return tx.insert(
            retention_versions,
            {
                "version": schedule.version,
                "digest": schedule.digest,
                "status": PROPOSED,
                "effective_from": schedule.effective_from,
                "schedule": schedule.to_dict(),
                "origin": origin,
                "reason": reason,
                "proposed_by": actor,
                "proposed_at": ws.clock.now(),
                "decided_by": None,
                "decided_at": None,
            },
            "comms.retention.proposed",
        )


def _decide(ws: Workspace, actor: str, version: str, status: str, event: str) -> dict[str, Any]:
    with ws.transaction(actor) as tx:
        row = tx.get(retention_versions, version)
        if row is None:
            raise NotFound(f"no retention version {version!r}")
        what, proposer = f"retention version {version}", row["proposed_by"]
        if status == APPROVED:
            approve(ws, actor, what=what, proposer=proposer, status=row["status"])
        else:
            reject(ws, actor, what=what, proposer=proposer, status=row["status"])
        return tx.update(
            retention_versions,
            version,
            {"status": status, "decided_by": actor, "decided_at": ws.clock.now()},
            event,
        )


def approve_schedule(ws: Workspace, actor: str, version: str) -> dict[str, Any]:
    """Second pair of eyes: the version becomes in force from its effective date."""
    return _decide(ws, actor, version, APPROVED, "comms.retention.approved")


def reject_schedule(ws: Workspace, actor: str, version: str) -> dict[str, Any]:
    return _decide(ws, actor, version, REJECTED, "comms.retention.rejected")


def list_versions(ws: Workspace, at: datetime | None = None) -> list[dict[str, Any]]:
    """Every version, the packaged baseline first, with which one is in force now."""
    moment = at or ws.clock.now()
    with ws.read() as conn:
        rows = [
            dict(r._mapping)
            for r in conn.execute(sa.select(retention_versions).order_by(retention_versions.c.proposed_at))
        ]
        current = schedule_in_force(conn, moment).version
    base = packaged_schedule()
    baseline = {
        "version": base.version,
        "digest": base.digest,
        "status": "packaged",
        "effective_from": base.effective_from,
        "schedule": base.to_dict(),
        "origin": "package",
        "reason": "regulatory baseline shipped with Proctor",
        "proposed_by": None,
        "proposed_at": None,
        "decided_by": None,
        "decided_at": None,
    }
    out = [baseline, *rows]
    for row in out:
        row["in_force"] = row["version"] == current
    return out


def apply_schedule(
    ws: Workspace, actor: str, *, progress: Callable[[int], None] | None = None
) -> dict[str, Any]:
    """Recompute every record's retain-until under the schedule in force; journal each change.

    A later date on an object-locked store is pushed to the store too; an earlier date cannot
    shorten a COMPLIANCE lock, so such a record simply stays locked until its original date.
    """
    require(ws.users.get(actor), POLICY_CHANGE)
    now = ws.clock.now()
    with ws.read() as conn:
        schedule = schedule_in_force(conn, now)
    extend = getattr(ws.blobs, "extend_retention", None)
    checked = changed = 0
    after = ""
    while True:
        with ws.transaction(actor) as tx:
            rows = tx.conn.execute(
                sa.select(
                    messages.c.id,
                    messages.c.sent_at,
                    messages.c.retain_until,
                    messages.c.retention_rule,
                    messages.c.attachments,
                    sources.c.kind,
                )
                .select_from(messages.join(sources, sources.c.name == messages.c.source))
                .where(messages.c.id > after)
                .order_by(messages.c.id)
                .limit(APPLY_BATCH)
            ).all()
            if not rows:
                break
            for row in rows:
                terms = schedule.terms(row.kind, row.sent_at)
                if (terms.version, terms.retain_until) == (row.retention_rule, row.retain_until):
                    continue
                tx.update(
                    messages,
                    row.id,
                    {"retain_until": terms.retain_until, "retention_rule": terms.version},
                    "comms.message.retention_changed",
                )
                changed += 1
                if extend is not None and terms.retain_until > row.retain_until:
                    shas = [row.id, *(a["sha256"] for a in row.attachments if a.get("sha256"))]
                    for sha in shas:
                        extend(sha, terms.retain_until)
            checked += len(rows)
            after = rows[-1].id
        if progress is not None:
            progress(len(rows))
    if checked == 0:
        raise CommsError("the archive holds no records to apply a retention schedule to")
    return {"version": schedule.version, "checked": checked, "changed": changed}
