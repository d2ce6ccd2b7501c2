"""What each module has awaiting a second person, read from the module's own listing.

One function per kind of two-person item. Each returns `Pending` rows in the words a principal
decides on (what changes, who proposed it, why); none of them decides anything. The decisions are
in `approvals.KINDS`, which sends each to the module's own approve/reject function.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from proctor.access import incidents, rules
from proctor.comms import disposal, retention_changes
from proctor.core.alerts import AlertStatus
from proctor.core.roles import POLICY_APPROVE, USER_ADMIN
from proctor.platform.alerts import AlertQuery
from proctor.platform.settings import ROLE_PREFIX
from proctor.reserve import governance
from proctor.review import exemptions, store
from proctor.trading import iso_service
from proctor.web.guard import Ctx


@dataclass(frozen=True)
class Pending:
    """One item awaiting a decision, as the inbox lists it."""

    id: str
    title: str
    proposed_by: str | None
    proposed_at: datetime | str | None
    link: str | None
    detail: str
    approved_by: tuple[str, ...] = ()  # for items needing several approvers: who already did
    permission: str | None = None  # when it differs from the kind's (a role change needs an admin)


def alerts(c: Ctx) -> list[Pending]:
    rows, _ = c.ws.alerts.query(
        AlertQuery(status=AlertStatus.PENDING_APPROVAL.value, sort="due", descending=False, page_size=500),
        c.user,
    )
    return [
        Pending(
            a["id"],
            a["title"],
            a["proposed_by"],
            a["updated_at"],
            f"/alerts/{a['id']}",
            f"close as {a['proposed_disposition']}: {a['rationale'] or ''}",
        )
        for a in rows
    ]


def policies(c: Ctx) -> list[Pending]:
    with c.ws.read() as conn:
        versions = [v for v in store.list_versions(conn) if v["status"] == "proposed"]
    return [
        Pending(
            v["id"],
            f"{v['policy_id']} {v['label']}: {v['title']}",
            v["proposed_by"],
            v["proposed_at"],
            f"/review/policies/{v['id']}",
            f"file {v['file_name']}",
        )
        for v in versions
    ]


def formulas(c: Ctx) -> list[Pending]:
    out = []
    for p in governance.list_proposals(c.ws):
        if p["status"] != governance.FORMULA_APPROVAL.open_status:
            continue
        got = [a["user"] for a in p["approvals"]]
        needed = governance.FORMULA_APPROVAL.approvers
        detail = "; ".join(f"{d['what']}: {d['old']} → {d['new']}" for d in p["diff"])
        out.append(
            Pending(
                p["id"],
                f"{p['new_version']} ({p['kind']})",
                p["proposed_by"],
                p["proposed_at"],
                f"/reserve/proposals/{p['id']}",
                f"{detail}. Approvals: {', '.join(got) or 'none yet'} of {needed}",
                tuple(got),
            )
        )
    return out


def retention(c: Ctx) -> list[Pending]:
    return [
        Pending(
            r["version"],
            f"Retention schedule {r['version']}",
            r["proposed_by"],
            r["proposed_at"],
            f"/archive/retention#v-{r['version']}",
            f"effective {r['effective_from']}: {r.get('reason') or ''}",
        )
        for r in retention_changes.list_versions(c.ws)
        if r["status"] == "proposed"
    ]


def coverage_exemptions(c: Ctx) -> list[Pending]:
    with c.ws.read() as conn:
        rows = [e for e in exemptions.list_exemptions(conn) if e["status"] == "proposed"]
    return [
        Pending(
            e["id"],
            f"Exempt {e['target']} until {e['valid_until']}",
            e["proposed_by"],
            e["proposed_at"],
            "/review/policies",
            e["reason"],
        )
        for e in rows
    ]


def disposals(c: Ctx) -> list[Pending]:
    return [
        Pending(
            d["id"],
            f"Dispose of {d['record_count']} records",
            d["proposed_by"],
            d["proposed_at"],
            "/archive/disposals",
            d["reason"],
        )
        for d in disposal.list_disposals(c.ws, "proposed")
    ]


def _rule_words(rule: dict[str, Any]) -> str:
    threshold = f" ≥ {rule['threshold']:g}" if "threshold" in rule else ""
    return f"{rule['name']} ({rule['key']}{threshold}, {'links' if rule['auto_link'] else 'to the queue'})"


def correlation_rules(c: Ctx) -> list[Pending]:
    """Access: a new correlation rule table decides which accounts link to a leaver by themselves."""
    out = []
    for v in rules.list_versions(c.ws):
        if v["status"] != "proposed":
            continue
        words = "; ".join(_rule_words(r) for r in v["document"]["rules"])
        out.append(
            Pending(
                v["id"],
                f"Correlation rules {v['version']}, effective {v['effective_from']}",
                v["proposed_by"],
                v["proposed_at"],
                None,
                f"{v['rationale']}. Rules: {words}",
                tuple(a["user"] for a in v["approvals"] or []),
            )
        )
    return out


def rebuttals(c: Ctx) -> list[Pending]:
    """Access: a rebuttal of the presumption of customer notice (Reg S-P 248.30(a)(4)), which
    spares the firm notifying customers only on an investigation a second person accepts."""
    out = []
    for inc in incidents.list_incidents(c.ws):
        if inc["notice_status"] != "rebuttal_proposed":
            continue
        steps = incidents.steps(c.ws, inc["id"])
        proposal = next(s for s in reversed(steps) if s["kind"] == "rebuttal_proposed")
        out.append(
            Pending(
                inc["id"],
                f"No customer notice for {inc['id']}: {inc['title']}",
                proposal["actor"],
                proposal["recorded_at"],
                f"/access/incidents/{inc['id']}",
                f"Investigation: {proposal['data'].get('summary', '')} "
                f"(notice otherwise due {incidents.deadline(inc):%Y-%m-%d %H:%M} UTC)",
            )
        )
    return out


def tag_rules(c: Ctx) -> list[Pending]:
    """Trading: a pre-route FIX tag rule stops orders once active, so a second person approves it."""
    out = []
    for r in iso_service.list_tag_rules(c.ws, "proposed"):
        rule = r["rule"]
        allowed = f"allowed {', '.join(rule['allowed'])}" if rule.get("allowed") else ""
        denied = f"denied {', '.join(rule['denied'])}" if rule.get("denied") else ""
        values = "; ".join(v for v in (allowed, denied) if v) or "required"
        out.append(
            Pending(
                r["id"],
                f"Tag rule {r['tag']} for venue {r['venue']}",
                r["proposed_by"],
                r["created_at"],
                None,
                f"{values}. {r['reason'] or ''}".strip(),
            )
        )
    return out


def settings(c: Ctx) -> list[Pending]:
    """Platform: supervised settings and users' roles (`proctor settings`, `proctor user set-role`)."""
    out = []
    for ch in c.ws.settings.changes("proposed"):
        role = ch["key"].startswith(ROLE_PREFIX)
        what = f"Role of {ch['key'][len(ROLE_PREFIX) :]}" if role else ch["key"]
        out.append(
            Pending(
                ch["id"],
                f"{what}: {ch['before']} → {ch['value']}",
                ch["proposed_by"],
                ch["proposed_at"],
                "/admin/users" if role else None,
                ch["reason"],
                permission=USER_ADMIN if role else POLICY_APPROVE,
            )
        )
    return out
