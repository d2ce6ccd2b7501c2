"""Formula change control and hindsight re-runs on a workspace.

A proposal records the base version, the changes, the resulting version's digest and a readable
diff. Approval needs two distinct people with approval rights, neither the proposer; the second
approval registers the new version as approved and replays the last 52 computations of record
under both versions. A re-run after a data correction recomputes past dates with the corrected
inputs and the version of record at the time, and routes each hindsight deficiency to notice and
FOCUS-amendment review.
"""

from __future__ import annotations

import functools
from datetime import date
from typing import Any

import sqlalchemy as sa

from proctor.core.errors import InputError, NotFound
from proctor.core.roles import POLICY_CHANGE, require
from proctor.core.workspace import Workspace
from proctor.platform import approvals
from proctor.platform.calendar import FEDERAL_RESERVE
from proctor.reserve import alerting, service
from proctor.reserve.changes import REQUIRED_APPROVERS, ReplayTarget, apply_changes, diff, replay
from proctor.reserve.components import Settings
from proctor.reserve.errors import ReserveError
from proctor.reserve.hindsight import HindsightFinding, findings_for
from proctor.reserve.notification import draft_notice
from proctor.reserve.permissions import RESERVE_WORK
from proctor.reserve.tables import computations, input_sets, proposals, rule_versions

KINDS = ("formula", "parameter", "mapping")
# Six eyes: two approvers with approval rights, neither of them the proposer.
FORMULA_APPROVAL = approvals.ApprovalRule(approvers=REQUIRED_APPROVERS, open_status="open")


def propose(
    ws: Workspace, *, actor: str, kind: str, changes: list[dict[str, Any]], reason: str, new_version: str
) -> dict[str, Any]:
    require(ws.users.get(actor), POLICY_CHANGE)
    if kind not in KINDS:
        raise InputError(f"kind must be one of {', '.join(KINDS)}", field="kind")
    if len(reason.strip()) < 20:
        raise InputError("a proposal needs a reason of at least 20 characters", field="reason")
    base = service.rules_of_record(ws)
    new = apply_changes(base, changes, new_version)
    changed = diff(base, new)
    if not changed:
        raise ReserveError("the proposal changes nothing")
    with ws.transaction(actor) as tx:
        if tx.get(rule_versions, new.digest) is None:
            tx.insert(
                rule_versions,
                {
                    "digest": new.digest,
                    "version": new.version,
                    "status": "proposed",
                    "data": new.to_dict(),
                    "origin": "proposal",
                    "created_at": ws.clock.now(),
                },
                "reserve.rule_version.proposed",
            )
        return dict(
            tx.insert(
                proposals,
                {
                    "id": ws.ids("RCP"),
                    "kind": kind,
                    "reason": reason.strip(),
                    "changes": changes,
                    "diff": changed,
                    "base_digest": base.digest,
                    "new_digest": new.digest,
                    "new_version": new.version,
                    "status": "open",
                    "approvals": [],
                    "replay": None,
                    "proposed_by": actor,
                    "proposed_at": ws.clock.now(),
                    "decided_at": None,
                },
                "reserve.proposal.created",
            )
        )


def get_proposal(ws: Workspace, proposal_id: str) -> dict[str, Any]:
    with ws.read() as conn:
        row = conn.execute(sa.select(proposals).where(proposals.c.id == proposal_id)).one_or_none()
    if row is None:
        raise NotFound(f"formula proposal {proposal_id} does not exist")
    return dict(row._mapping)


def list_proposals(ws: Workspace) -> list[dict[str, Any]]:
    with ws.read() as conn:
        return [
            dict(r._mapping) for r in conn.execute(sa.select(proposals).order_by(proposals.c.proposed_at))
        ]


def replay_targets(ws: Workspace, limit: int = 52) -> list[ReplayTarget]:
    """The last `limit` computations of record (one per as-of date), oldest first."""
    rows = service.history(ws, book="customer", limit=limit * 4)
    seen: set[date] = set()
    targets: list[ReplayTarget] = []
    for row in rows:
        if row["status"] not in service.LIVE or row["as_of"] in seen:
            continue
        seen.add(row["as_of"])
        inputs = service.input_set(ws, row["input_set_id"])
        targets.append(
            ReplayTarget(
                row["id"],
                Settings("customer", row["as_of"], row["method"], row["cadence"]),
                functools.partial(service.book_of, ws, inputs),  # bound now, loaded at replay
            )
        )
        if len(targets) == limit:
            break
    return list(reversed(targets))


def approve(ws: Workspace, proposal_id: str, *, actor: str) -> dict[str, Any]:
    prop = get_proposal(ws, proposal_id)
    decision = approvals.approve(
        ws,
        actor,
        what=f"formula proposal {proposal_id}",
        proposer=prop["proposed_by"],
        status=prop["status"],
        approvals=prop["approvals"],
        rule=FORMULA_APPROVAL,
    )
    approved = decision.complete
    values: dict[str, Any] = {"approvals": decision.records()}
    if approved:
        current = service.rules_of_record(ws)
        if current.digest != prop["base_digest"]:
            raise ReserveError("the formula of record changed since this proposal was made; propose again")
        new, _ = service.rule_version(ws, prop["new_digest"])
        values.update(
            status="approved", decided_at=ws.clock.now(), replay=replay(replay_targets(ws), current, new)
        )
    with ws.transaction(actor) as tx:
        if approved:
            tx.update(
                rule_versions,
                prop["new_digest"],
                {"status": "approved", "created_at": ws.clock.now()},
                "reserve.rule_version.approved",
            )
        return dict(
            tx.update(
                proposals,
                proposal_id,
                values,
                "reserve.proposal.approved" if approved else "reserve.proposal.approval_recorded",
            )
        )


def reject(ws: Workspace, proposal_id: str, *, actor: str, reason: str) -> dict[str, Any]:
    prop = get_proposal(ws, proposal_id)
    what = f"formula proposal {proposal_id}"
    approvals.reject(
        ws, actor, what=what, proposer=prop["proposed_by"], status=prop["status"], rule=FORMULA_APPROVAL
    )
    if len(reason.strip()) < 10:
        raise InputError("a rejection needs a reason of at least 10 characters", field="reason")
    with ws.transaction(actor) as tx:
        tx.update(rule_versions, prop["new_digest"], {"status": "rejected"}, "reserve.rule_version.rejected")
        return dict(
            tx.update(
                proposals,
                proposal_id,
                {
                    "status": "rejected",
                    "decided_at": ws.clock.now(),
                    "reason": f"{prop['reason']}\nRejected by {actor}: {reason}",
                },
                "reserve.proposal.rejected",
            )
        )


def rerun_hindsight(ws: Workspace, start: date, end: date, *, actor: str) -> list[dict[str, Any]]:
    """Recompute each past computation of record whose inputs were corrected since."""
    require(ws.users.get(actor), RESERVE_WORK)
    with ws.read() as conn:
        rows = [
            dict(r._mapping)
            for r in conn.execute(
                sa.select(computations)
                .where(
                    computations.c.kind == "record",
                    computations.c.as_of >= start,
                    computations.c.as_of <= end,
                    computations.c.status.in_(service.LIVE),
                )
                .order_by(computations.c.as_of, computations.c.created_at)
            )
        ]
        superseded = {
            r.id for r in conn.execute(sa.select(input_sets.c.id).where(input_sets.c.status == "superseded"))
        }
    latest: dict[tuple[date, str], dict[str, Any]] = {(r["as_of"], r["book"]): r for r in rows}
    findings: list[dict[str, Any]] = []
    calendar = FEDERAL_RESERVE
    for as_of in sorted({k[0] for k in latest}):
        original = latest.get((as_of, "customer"))
        corrected = service.current_input_set(ws, as_of)
        if original is None or original["input_set_id"] not in superseded or corrected is None:
            continue
        outcome = service.compute_of_record(
            ws,
            as_of,
            actor=actor,
            method=original["method"],
            cadence=original["cadence"],
            rules_digest=original["rules_digest"],
            kind="hindsight",
            inputs=corrected,
        )
        if outcome.gates.hold:
            findings.append(
                {"as_of": as_of.isoformat(), "status": "HOLD", "reasons": outcome.gates.reasons()}
            )
            continue
        before = {b: latest[(as_of, b)]["requirement"] for b in ("customer", "pab") if (as_of, b) in latest}
        comps = [outcome.computations["customer"], outcome.computations["pab"]]
        for finding in findings_for(as_of, comps, before, calendar):
            findings.append(_route(ws, finding, outcome.rows[finding.book], actor))
    return findings


def _route(ws: Workspace, finding: HindsightFinding, row: dict[str, Any], actor: str) -> dict[str, Any]:
    """A hindsight finding is raised as a scoped run of `reserve.deposit_deadline` (the control whose
    alerts deficiencies and FOCUS amendment reviews are), so each alert names the run."""
    out = finding.as_dict() | {"computation": row["id"], "status": "COMPUTED"}
    drafts = []
    if finding.hindsight_deficiency > 0:
        notice = draft_notice(
            firm=ws.config.firm_name,
            book=finding.book,
            as_of=finding.as_of,
            requirement=finding.corrected_requirement,
            on_deposit=finding.on_deposit,
            deficiency=finding.hindsight_deficiency,
            deadline=row["deadline"],
            hindsight=True,
            computation_id=row["id"],
        )
        out["notice"] = notice
        drafts.append(("alert", alerting.deficiency_alert(row, notice, hindsight=True)))
    if finding.focus_amendment_review:
        draft = alerting.focus_amendment_alert(
            finding.as_of,
            finding.book,
            finding.original_requirement,
            finding.corrected_requirement,
            row["rules_version"],
        )
        drafts.append(("focus_alert", draft))
    if drafts:
        with ws.transaction(actor) as tx:
            run = ws.controls.record_in(
                tx,
                "reserve.deposit_deadline",
                actor=actor,
                scope=f"hindsight re-run of {finding.book} as of {finding.as_of.isoformat()} ({row['id']})",
                findings=[d for _, d in drafts],
                inputs=[row["id"]],
            )
        out.update({key: alert_id for (key, _), alert_id in zip(drafts, run["alert_ids"], strict=True)})
    return out
