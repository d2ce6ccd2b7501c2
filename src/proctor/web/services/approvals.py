"""One inbox for everything that needs a second person, whatever the module.

`proctor.platform.approvals` decides, for every module, whether a person may approve a proposal
(never its proposer, never twice); it stores nothing, so the pending items are gathered here from
each module's own listing: alert closings, review policy versions, reserve formula changes,
retention schedule versions, coverage exemptions and record disposals. A decision is sent to that
module's own approve/reject function, the one its CLI command calls, which asks the platform rule.
The page hides the approve button on one's own item; the module refuses it again if sent anyway.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from proctor.comms import disposal, retention_changes
from proctor.comms.permissions import RECORD_DISPOSE
from proctor.core.alerts import AlertStatus
from proctor.core.errors import InputError, NotFound
from proctor.core.roles import ALERT_APPROVE, POLICY_APPROVE, require
from proctor.platform.alerts import AlertQuery
from proctor.reserve import governance
from proctor.review import exemptions, store
from proctor.web.guard import Ctx


@dataclass(frozen=True)
class Kind:
    """One kind of two-person item: who decides, and the module's functions that decide."""

    label: str
    module: str
    permission: str
    approve: Callable[[Ctx, str, str], Any]
    reject: Callable[[Ctx, str, str], Any]


def _alert_approve(c: Ctx, item: str, why: str) -> Any:
    return c.ws.alerts.approve(item, actor=c.user.name, comment=why)


def _alert_reject(c: Ctx, item: str, why: str) -> Any:
    return c.ws.alerts.reject(item, actor=c.user.name, reason=why)


KINDS: dict[str, Kind] = {
    "alert": Kind("Alert closing", "platform", ALERT_APPROVE, _alert_approve, _alert_reject),
    "policy": Kind(
        "Review policy version",
        "review",
        POLICY_APPROVE,
        lambda c, i, w: store.approve_policy(c.ws, i, c.user.name, w),
        lambda c, i, w: store.reject_policy(c.ws, i, c.user.name, w),
    ),
    "formula": Kind(
        "Reserve formula change",
        "reserve",
        POLICY_APPROVE,
        lambda c, i, w: governance.approve(c.ws, i, actor=c.user.name),
        lambda c, i, w: governance.reject(c.ws, i, actor=c.user.name, reason=w),
    ),
    "retention": Kind(
        "Retention schedule version",
        "comms",
        POLICY_APPROVE,
        lambda c, i, w: retention_changes.approve_schedule(c.ws, c.user.name, i),
        lambda c, i, w: retention_changes.reject_schedule(c.ws, c.user.name, i),
    ),
    "exemption": Kind(
        "Coverage exemption",
        "review",
        POLICY_APPROVE,
        lambda c, i, w: exemptions.approve_exemption(c.ws, i, c.user.name),
        lambda c, i, w: exemptions.revoke_exemption(c.ws, i, c.user.name, w),
    ),
    "disposal": Kind(
        "Record disposal",
        "comms",
        RECORD_DISPOSE,
        lambda c, i, w: disposal.approve_disposal(c.ws, c.user.name, i),
        lambda c, i, w: disposal.reject_disposal(c.ws, c.user.name, i, w),
    ),
}


def _item(
    c: Ctx, kind: str, id_: str, title: str, by: str | None, at: Any, link: str, detail: str
) -> dict[str, Any]:
    spec = KINDS[kind]
    mine = by == c.user.name
    allowed = c.can(spec.permission)
    return {
        "kind": kind,
        "label": spec.label,
        "module": spec.module,
        "id": id_,
        "title": title,
        "proposed_by": by,
        "proposed_at": at,
        "link": link,
        "detail": detail,
        "mine": mine,
        "can_approve": allowed and not mine,
        "can_reject": allowed and not mine,
    }


def inbox(c: Ctx) -> dict[str, Any]:
    """Every pending two-person item this user may see, oldest first, across modules."""
    if not (c.can(POLICY_APPROVE) or c.can(RECORD_DISPOSE)):
        require(c.user, ALERT_APPROVE)  # the platform's refusal for anyone who decides nothing
    items: list[dict[str, Any]] = []
    if c.can(ALERT_APPROVE):
        rows, _ = c.ws.alerts.query(
            AlertQuery(
                status=AlertStatus.PENDING_APPROVAL.value, sort="due", descending=False, page_size=500
            ),
            c.user,
        )
        for a in rows:
            detail = f"close as {a['proposed_disposition']}: {a['rationale'] or ''}"
            items.append(
                _item(
                    c,
                    "alert",
                    a["id"],
                    a["title"],
                    a["proposed_by"],
                    a["updated_at"],
                    f"/alerts/{a['id']}",
                    detail,
                )
            )
    with c.ws.read() as conn:
        versions = [v for v in store.list_versions(conn) if v["status"] == "proposed"]
        exempt = [e for e in exemptions.list_exemptions(conn) if e["status"] == "proposed"]
    for v in versions:
        items.append(
            _item(
                c,
                "policy",
                v["id"],
                f"{v['policy_id']} {v['label']}: {v['title']}",
                v["proposed_by"],
                v["proposed_at"],
                f"/review/policies/{v['id']}",
                f"file {v['file_name']}",
            )
        )
    for p in governance.list_proposals(c.ws):
        if p["status"] == governance.FORMULA_APPROVAL.open_status:
            got = ", ".join(a["user"] for a in p["approvals"]) or "none yet"
            detail = "; ".join(f"{d['what']}: {d['old']} → {d['new']}" for d in p["diff"])
            items.append(
                _item(
                    c,
                    "formula",
                    p["id"],
                    f"{p['new_version']} ({p['kind']})",
                    p["proposed_by"],
                    p["proposed_at"],
                    f"/reserve/proposals/{p['id']}",
                    f"{detail}. Approvals: {got} of {governance.FORMULA_APPROVAL.approvers}",
                )
            )
            if any(a["user"] == c.user.name for a in p["approvals"]):
                items[-1]["can_approve"] = False
    for r in retention_changes.list_versions(c.ws):
        if r["status"] == "proposed":
            items.append(
                _item(
                    c,
                    "retention",
                    r["version"],
                    f"Retention schedule {r['version']}",
                    r["proposed_by"],
                    r["proposed_at"],
                    "/archive/disposals",
                    f"effective {r['effective_from']}: {r.get('reason') or ''}",
                )
            )
    for e in exempt:
        items.append(
            _item(
                c,
                "exemption",
                e["id"],
                f"Exempt {e['target']} until {e['valid_until']}",
                e["proposed_by"],
                e["proposed_at"],
                "/review/policies",
                e["reason"],
            )
        )
    for d in disposal.list_disposals(c.ws, "proposed"):
        items.append(
            _item(
                c,
                "disposal",
                d["id"],
                f"Dispose of {d['record_count']} records",
                d["proposed_by"],
                d["proposed_at"],
                "/archive/disposals",
                d["reason"],
            )
        )
    items.sort(key=lambda i: str(i["proposed_at"] or ""))
    return {"items": items, "kinds": {k: v.label for k, v in KINDS.items()}}


def decide(c: Ctx, kind: str, item_id: str, verdict: str, rationale: str) -> str:
    """Send the decision to the module; its rules and the platform's two-person rule apply."""
    spec = KINDS.get(kind)
    if spec is None:
        raise NotFound(f"no kind of approval {kind!r}; kinds are {', '.join(KINDS)}")
    if verdict == "approve":
        spec.approve(c, item_id, rationale)
        return f"{spec.label} {item_id} approved"
    if verdict == "reject":
        if len(rationale.strip()) < 10:
            raise InputError("say why it is rejected (at least 10 characters)", field="rationale")
        spec.reject(c, item_id, rationale)
        return f"{spec.label} {item_id} rejected"
    raise InputError("decide approve or reject", field="verdict")
