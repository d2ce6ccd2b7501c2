"""Review policies in the workspace: every imported file is a journaled version, active only once
a second person has approved it.

A written supervisory procedure that one person can change alone is not a control. So importing a
policy file only *proposes* a version; someone else with approval rights activates it, and the
version it replaces is marked superseded in the same transaction. The file's original bytes are
kept as a blob and its canonical content as the row's document, so an examiner can see both what
was submitted and exactly what the system enforced, and selection can re-create the policy of any
version from the database alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from proctor.core.errors import InputError, NotFound
from proctor.core.roles import POLICY_CHANGE, require
from proctor.platform import approvals
from proctor.review.errors import ReviewError
from proctor.review.policy import ReviewPolicy, load_policy, parse_policy, policy_version_hash
from proctor.review.tables import policy_versions

if TYPE_CHECKING:
    from proctor.platform.workspace import Workspace


@dataclass(frozen=True)
class ActiveVersion:
    """An approved policy version as selection and coverage use it."""

    id: str
    policy: ReviewPolicy
    version_hash: str
    label: str
    title: str
    sla_business_days: int | None
    decided_at: Any


def import_policy(ws: Workspace, path: Path, actor: str) -> dict[str, Any]:
    """Propose a new version from a YAML or JSON file; refuses a version already on record."""
    require(ws.users.get(actor), POLICY_CHANGE)
    policy = load_policy(path)
    try:
        data = path.read_bytes()
    except OSError as exc:  # load_policy read it a moment ago; report the same way if it vanished
        raise InputError(f"cannot read policy file: {exc.strerror or exc}", file=str(path)) from None
    version_hash = policy_version_hash(policy)
    document = policy.canonical()
    if policy_version_hash(parse_policy(document, source=str(path))) != version_hash:
        raise ReviewError(f"{path}: the policy does not survive storing; it cannot be versioned")
    now = ws.clock.now()
    with ws.transaction(actor) as tx:
        existing = tx.conn.execute(
            sa.select(policy_versions.c.id, policy_versions.c.status).where(
                policy_versions.c.policy_id == policy.id,
                policy_versions.c.version_hash == version_hash,
                policy_versions.c.status.in_(("proposed", "active")),
            )
        ).first()
        if existing is not None:
            raise InputError(
                f"this exact content of policy {policy.id!r} is already on record as {existing.id} "
                f"({existing.status}); change the policy to propose a new version",
                file=str(path),
            )
        file_sha = tx.put_blob(data)
        return tx.insert(
            policy_versions,
            {
                "id": ws.ids("RPV"),
                "policy_id": policy.id,
                "label": policy.version,
                "version_hash": version_hash,
                "title": policy.title,
                "document": document,
                "file_name": path.name,
                "file_sha256": file_sha,
                "sla_business_days": policy.sla_business_days,
                "status": "proposed",
                "proposed_by": actor,
                "proposed_at": now,
                "decided_by": None,
                "decided_at": None,
                "comment": None,
                "superseded_by": None,
            },
            "review.policy.proposed",
        )


def _decide(ws: Workspace, version_id: str, actor: str, approve: bool, comment: str) -> dict[str, Any]:
    now = ws.clock.now()
    with ws.transaction(actor) as tx:
        row = tx.get(policy_versions, version_id)
        if row is None:
            raise NotFound(f"no review policy version {version_id!r}; see `proctor review policy list`")
        what, proposer = f"policy version {version_id}", row["proposed_by"]
        if approve:
            approvals.approve(ws, actor, what=what, proposer=proposer, status=row["status"])
        else:
            approvals.reject(ws, actor, what=what, proposer=proposer, status=row["status"])
        decision = {"decided_by": actor, "decided_at": now, "comment": comment.strip() or None}
        if not approve:
            return tx.update(
                policy_versions, version_id, {**decision, "status": "rejected"}, "review.policy.rejected"
            )
        for (old_id,) in tx.conn.execute(
            sa.select(policy_versions.c.id).where(
                policy_versions.c.policy_id == row["policy_id"], policy_versions.c.status == "active"
            )
        ):
            tx.update(
                policy_versions,
                old_id,
                {"status": "superseded", "superseded_by": version_id},
                "review.policy.superseded",
            )
        return tx.update(
            policy_versions, version_id, {**decision, "status": "active"}, "review.policy.approved"
        )


def approve_policy(ws: Workspace, version_id: str, actor: str, comment: str = "") -> dict[str, Any]:
    """Activate a proposed version (a different person from its proposer); supersedes the old one."""
    return _decide(ws, version_id, actor, True, comment)


def reject_policy(ws: Workspace, version_id: str, actor: str, comment: str) -> dict[str, Any]:
    """Turn a proposed version down, saying why; it never becomes active."""
    if len(comment.strip()) < 10:
        raise InputError("say why the version is rejected (at least 10 characters)", field="comment")
    return _decide(ws, version_id, actor, False, comment)


def list_versions(conn: sa.Connection, policy_id: str | None = None) -> list[dict[str, Any]]:
    """Every version on record, newest first, without the (large) documents."""
    columns = [c for c in policy_versions.c if c.name != "document"]
    stmt = sa.select(*columns).order_by(policy_versions.c.proposed_at.desc(), policy_versions.c.id.desc())
    if policy_id:
        stmt = stmt.where(policy_versions.c.policy_id == policy_id)
    return [dict(r._mapping) for r in conn.execute(stmt)]


def get_version(conn: sa.Connection, version_id: str) -> dict[str, Any]:
    row = conn.execute(sa.select(policy_versions).where(policy_versions.c.id == version_id)).first()
    if row is None:
        raise NotFound(f"no review policy version {version_id!r}; see `proctor review policy list`")
    return dict(row._mapping)


def to_active(row: dict[str, Any]) -> ActiveVersion:
    policy = parse_policy(row["document"], source=f"review policy version {row['id']}")
    return ActiveVersion(
        id=row["id"],
        policy=policy,
        version_hash=row["version_hash"],
        label=row["label"],
        title=row["title"],
        sla_business_days=row["sla_business_days"],
        decided_at=row["decided_at"],
    )


def active_versions(conn: sa.Connection) -> list[ActiveVersion]:
    """The approved versions in force, one per policy, ordered by policy id."""
    rows = conn.execute(
        sa.select(policy_versions)
        .where(policy_versions.c.status == "active")
        .order_by(policy_versions.c.policy_id, policy_versions.c.id)
    )
    return [to_active(dict(r._mapping)) for r in rows]
