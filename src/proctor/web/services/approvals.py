"""One inbox for everything that needs a second person, whatever the module.

`proctor.platform.approvals` decides, for every module, whether a person may approve a proposal
(never its proposer, never twice); it stores nothing, so the pending items are gathered here from
each module's own listing (`approval_items`): alert closings, review policy versions, reserve
formula changes, retention schedule versions, coverage exemptions, record disposals, access
correlation rule tables, rebuttals of Reg S-P customer notice, pre-route FIX tag rules, and
supervised settings and role changes. A decision is sent to that module's own approve/reject
function, the one its CLI command calls, which asks the platform rule. The page hides the approve
button on one's own item; the module refuses it again if sent anyway.

Where a module's function keeps no note of the decision, the rationale typed in the inbox is
journaled on the item itself (`approval.rationale_recorded`), so the record's history says why.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from proctor.access import incidents, rules
from proctor.access.activity_tables import incidents as incident_table
from proctor.access.tables import rule_versions
from proctor.comms import disposal, retention_changes
from proctor.comms.permissions import RECORD_DISPOSE
from proctor.comms.retention_tables import disposals, retention_versions
from proctor.core.alerts import Subject
from proctor.core.errors import InputError, NotFound
from proctor.core.roles import ALERT_APPROVE, POLICY_APPROVE, require
from proctor.platform.security_tables import setting_changes
from proctor.reserve import governance
from proctor.reserve.tables import proposals
from proctor.review import exemptions, store
from proctor.review.tables import exemptions as exemption_table
from proctor.review.tables import policy_versions
from proctor.store.schema import JOURNAL_KEY, alerts
from proctor.trading import iso_service
from proctor.trading.iso_tables import tag_rules
from proctor.web.guard import Ctx
from proctor.web.services import approval_items as items
from proctor.web.services.approval_items import Pending

Decide = Callable[[Ctx, str, str], Any]


@dataclass(frozen=True)
class Kind:
    """One kind of two-person item: who decides, what is pending, and the module's functions.

    `keeps` says whether the module's approve and reject functions store the rationale themselves;
    where one does not, the inbox journals it on the item (`table` names the item's journal kind).
    `listed_for` limits who sees the items at all (rebuttals and closings concern customers' data).
    """

    label: str
    module: str
    permission: str
    pending: Callable[[Ctx], list[Pending]]
    approve: Decide
    reject: Decide
    table: sa.Table
    keeps: tuple[bool, bool] = (True, True)
    listed_for: str | None = None


def _alert_approve(c: Ctx, item: str, why: str) -> Any:
    return c.ws.alerts.approve(item, actor=c.user.name, comment=why)


def _alert_reject(c: Ctx, item: str, why: str) -> Any:
    return c.ws.alerts.reject(item, actor=c.user.name, reason=why)


KINDS: dict[str, Kind] = {
    "alert": Kind(
        "Alert closing", "platform", ALERT_APPROVE, items.alerts, _alert_approve, _alert_reject, alerts,
        listed_for=ALERT_APPROVE,
    ),
    "policy": Kind(
        "Review policy version", "review", POLICY_APPROVE, items.policies,
        lambda c, i, w: store.approve_policy(c.ws, i, c.user.name, w),
        lambda c, i, w: store.reject_policy(c.ws, i, c.user.name, w),
        policy_versions,
    ),
    "formula": Kind(
        "Reserve formula change", "reserve", POLICY_APPROVE, items.formulas,
        lambda c, i, w: governance.approve(c.ws, i, actor=c.user.name),
        lambda c, i, w: governance.reject(c.ws, i, actor=c.user.name, reason=w),
        proposals, keeps=(False, True),
    ),
    "retention": Kind(
        "Retention schedule version", "comms", POLICY_APPROVE, items.retention,
        lambda c, i, w: retention_changes.approve_schedule(c.ws, c.user.name, i),
        lambda c, i, w: retention_changes.reject_schedule(c.ws, c.user.name, i),
        retention_versions, keeps=(False, False),
    ),
    "exemption": Kind(
        "Coverage exemption", "review", POLICY_APPROVE, items.coverage_exemptions,
        lambda c, i, w: exemptions.approve_exemption(c.ws, i, c.user.name),
        lambda c, i, w: exemptions.revoke_exemption(c.ws, i, c.user.name, w),
        exemption_table, keeps=(False, True),
    ),
    "disposal": Kind(
        "Record disposal", "comms", RECORD_DISPOSE, items.disposals,
        lambda c, i, w: disposal.approve_disposal(c.ws, c.user.name, i),
        lambda c, i, w: disposal.reject_disposal(c.ws, c.user.name, i, w),
        disposals, keeps=(False, True),
    ),
    "access-rules": Kind(
        "Correlation rule table", "access", POLICY_APPROVE, items.correlation_rules,
        lambda c, i, w: rules.approve(c.ws, i, actor=c.user.name, comment=w),
        lambda c, i, w: rules.reject(c.ws, i, actor=c.user.name, reason=w),
        rule_versions,
    ),
    "rebuttal": Kind(
        "Rebuttal of customer notice", "access", incidents.REBUTTAL_RULE.permission, items.rebuttals,
        lambda c, i, w: incidents.approve_rebuttal(c.ws, i, actor=c.user.name, comment=w),
        lambda c, i, w: incidents.reject_rebuttal(c.ws, i, actor=c.user.name, reason=w),
        incident_table, listed_for=incidents.REBUTTAL_RULE.permission,
    ),
    "tag-rule": Kind(
        "Pre-route tag rule", "trading", POLICY_APPROVE, items.tag_rules,
        lambda c, i, w: iso_service.approve_tag_rule(c.ws, i, actor=c.user.name),
        lambda c, i, w: iso_service.reject_tag_rule(c.ws, i, actor=c.user.name),
        tag_rules, keeps=(False, False),
    ),
    "setting": Kind(
        "Setting or role change", "platform", POLICY_APPROVE, items.settings,
        lambda c, i, w: c.ws.settings.approve(i, actor=c.user.name),
        lambda c, i, w: c.ws.settings.reject(i, actor=c.user.name),
        setting_changes, keeps=(False, False),
    ),
}  # fmt: skip


def _item(c: Ctx, kind: str, p: Pending) -> dict[str, Any]:
    spec = KINDS[kind]
    mine = p.proposed_by == c.user.name
    allowed = c.can(p.permission or spec.permission)
    return {
        "kind": kind,
        "label": spec.label,
        "module": spec.module,
        "id": p.id,
        "title": p.title,
        "proposed_by": p.proposed_by,
        "proposed_at": p.proposed_at,
        "link": p.link,
        "detail": p.detail,
        "mine": mine,
        "can_approve": allowed and not mine and c.user.name not in p.approved_by,
        "can_reject": allowed and not mine,
    }


def inbox(c: Ctx) -> dict[str, Any]:
    """Every pending two-person item this user may see, oldest first, across modules."""
    if not (c.can(POLICY_APPROVE) or c.can(RECORD_DISPOSE)):
        require(c.user, ALERT_APPROVE)  # the platform's refusal for anyone who decides nothing
    found: list[dict[str, Any]] = []
    for kind, spec in KINDS.items():
        if spec.listed_for is None or c.can(spec.listed_for):
            found.extend(_item(c, kind, p) for p in spec.pending(c))
    found.sort(key=lambda i: str(i["proposed_at"] or ""))
    return {"items": found, "kinds": {k: v.label for k, v in KINDS.items()}}


def _journal_rationale(c: Ctx, spec: Kind, kind: str, item_id: str, verdict: str, rationale: str) -> None:
    with c.ws.transaction(c.user.name) as tx:
        tx.event(
            "approval.rationale_recorded",
            Subject(str(spec.table.info[JOURNAL_KEY]), item_id),
            {"kind": kind, "verdict": verdict, "rationale": rationale},
        )


def decide(c: Ctx, kind: str, item_id: str, verdict: str, rationale: str) -> str:
    """Send the decision to the module; its rules and the platform's two-person rule apply."""
    spec = KINDS.get(kind)
    if spec is None:
        raise NotFound(f"no kind of approval {kind!r}; kinds are {', '.join(KINDS)}")
    why = rationale.strip()
    if verdict == "approve":
        spec.approve(c, item_id, why)
        keeps, done = spec.keeps[0], "approved"
    elif verdict == "reject":
        if len(why) < 10:
            raise InputError("say why it is rejected (at least 10 characters)", field="rationale")
        spec.reject(c, item_id, why)
        keeps, done = spec.keeps[1], "rejected"
    else:
        raise InputError("decide approve or reject", field="verdict")
    if why and not keeps:
        _journal_rationale(c, spec, kind, item_id, verdict, why)
    return f"{spec.label} {item_id} {done}"
