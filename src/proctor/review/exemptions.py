"""Coverage exemptions: an account the firm decided not to capture or review, said so, and dated.

Some accounts legitimately sit outside review (a no-reply mailbox that only sends confirmations
already reviewed under another procedure). Leaving them as permanent gaps trains people to ignore
the coverage register; silently dropping them is how the online-broker case began. So an
exemption is proposed with its reason and an end date, approved by a second person, and only then
clears the gap; the open coverage alert is closed by the approver with the exemption as rationale.
It lapses on its date, and the next coverage run raises the gap again.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from proctor.comms.api import source_names
from proctor.core.alerts import AlertStatus
from proctor.core.canonical import digest
from proctor.core.errors import InputError, NotFound, ProctorError
from proctor.core.roles import POLICY_APPROVE, POLICY_CHANGE, require
from proctor.platform.approvals import approve
from proctor.platform.tables import directory
from proctor.review.errors import ReviewError
from proctor.review.tables import exemptions
from proctor.store.schema import alerts

if TYPE_CHECKING:
    from proctor.platform.workspace import Workspace

COVERAGE_CONTROL = "review.coverage"


def coverage_key(target: str) -> str:
    """The dedupe key of the coverage alert about `target`: one open alert per account or source."""
    return digest({"review.coverage": target})


def propose_exemption(
    ws: Workspace, target: str, reason: str, valid_until: date, actor: str
) -> dict[str, Any]:
    """Propose exempting a directory entry or a capture source from the coverage requirement."""
    require(ws.users.get(actor), POLICY_CHANGE)
    target = target.strip()
    if len(reason.strip()) < 10:
        raise InputError("an exemption needs a reason of at least 10 characters", field="--reason")
    today = ws.clock.now().date()
    if valid_until < today:
        raise InputError(
            f"{valid_until} is already past; an exemption must end in the future", field="--until"
        )
    with ws.read() as conn:
        known = conn.execute(sa.select(directory.c.id).where(directory.c.id == target.lower())).first()
        if known is not None:
            target = target.lower()
        elif target not in source_names(conn):
            raise NotFound(f"{target!r} is neither a directory entry nor a capture source")
    with ws.transaction(actor) as tx:
        return tx.insert(
            exemptions,
            {
                "id": ws.ids("EXM"),
                "target": target,
                "reason": reason.strip(),
                "valid_until": valid_until,
                "status": "proposed",
                "proposed_by": actor,
                "proposed_at": ws.clock.now(),
                "approved_by": None,
                "approved_at": None,
            },
            "review.exemption.proposed",
        )


def approve_exemption(ws: Workspace, exemption_id: str, actor: str) -> dict[str, Any]:
    """A second person approves; open coverage alerts about the target are closed citing it."""
    with ws.transaction(actor) as tx:
        row = tx.get(exemptions, exemption_id)
        if row is None:
            raise NotFound(f"no exemption {exemption_id!r}; see `proctor review exemption list`")
        what = f"exemption {exemption_id}"
        approve(ws, actor, what=what, proposer=row["proposed_by"], status=row["status"])
        approved = tx.update(
            exemptions,
            exemption_id,
            {"status": "approved", "approved_by": actor, "approved_at": ws.clock.now()},
            "review.exemption.approved",
        )
    closed, left_open = [], []
    rationale = (
        f"Covered by exemption {exemption_id} (proposed by {row['proposed_by']}, approved by {actor}, "
        f"until {row['valid_until']}): {row['reason']}"
    )
    for alert_id in open_coverage_alerts(ws, row["target"]):
        try:
            ws.alerts.close(alert_id, "no_action", rationale, actor=actor)
            closed.append(alert_id)
        except ProctorError as exc:
            left_open.append({"alert_id": alert_id, "why": str(exc)})
    return {**approved, "alerts_closed": closed, "alerts_left_open": left_open}


def revoke_exemption(ws: Workspace, exemption_id: str, actor: str, reason: str) -> dict[str, Any]:
    """End an exemption early; the next coverage run raises the gap again."""
    require(ws.users.get(actor), POLICY_APPROVE)
    if len(reason.strip()) < 10:
        raise InputError("say why the exemption ends (at least 10 characters)", field="--reason")
    with ws.transaction(actor) as tx:
        row = tx.get(exemptions, exemption_id)
        if row is None:
            raise NotFound(f"no exemption {exemption_id!r}")
        if row["status"] == "revoked":
            raise ReviewError(f"exemption {exemption_id} is already revoked")
        return tx.update(
            exemptions,
            exemption_id,
            {"status": "revoked", "reason": f"{row['reason']}\n[revoked by {actor}] {reason.strip()}"},
            "review.exemption.revoked",
        )


def open_coverage_alerts(ws: Workspace, target: str) -> list[str]:
    with ws.read() as conn:
        return [
            r[0]
            for r in conn.execute(
                sa.select(alerts.c.id).where(
                    alerts.c.control == COVERAGE_CONTROL,
                    alerts.c.dedupe_key == coverage_key(target),
                    alerts.c.status != AlertStatus.CLOSED.value,
                )
            )
        ]


def list_exemptions(conn: sa.Connection) -> list[dict[str, Any]]:
    stmt = sa.select(exemptions).order_by(exemptions.c.proposed_at.desc(), exemptions.c.id.desc())
    return [dict(r._mapping) for r in conn.execute(stmt)]


def in_force(conn: sa.Connection, day: date) -> dict[str, dict[str, Any]]:
    """Approved exemptions not yet lapsed on `day`, by target."""
    rows = conn.execute(
        sa.select(exemptions).where(exemptions.c.status == "approved", exemptions.c.valid_until >= day)
    )
    return {r.target: dict(r._mapping) for r in rows}
