"""The review module's part of `proctor demo`: policies, a directory, a hierarchy, and a worked queue.

It runs after the archive's demo, over its four weeks of mail, chat and help-desk traffic. It
imports the realistic lexicon and sampling policies (proposed by one principal, approved by
another), a firm directory, and a supervision hierarchy (the representatives under Paula with
Ravi and Rita as delegates, the service desk under Carl with Rita). It then stages the case's gap:
the client-service group mailbox, the help desk's shared login and a trade-support mailbox are in
the directory but in no policy, which `review.coverage` catches when the demo runs every control.

Selection first runs as of the end of the first day of traffic (a catch-up run, so those items
are past their deadline today), then as of now; one item is reviewed, one escalated to a case and
one answered with a request for information.
"""

from __future__ import annotations

import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from proctor.comms.api import first_sent_at
from proctor.core.alerts import AlertStatus
from proctor.platform.directory import import_directory, import_hierarchy
from proctor.review import DEMO_POLICY, DEMO_SAMPLING
from proctor.review.decisions import decide
from proctor.review.exemptions import approve_exemption, propose_exemption
from proctor.review.store import approve_policy, import_policy
from proctor.review.tables import items
from proctor.store.schema import alerts

if TYPE_CHECKING:
    from proctor.platform.workspace import Workspace

DIRECTORY = """\
id,kind,display_name,owner,roles,aliases,platform,active
dana.whitfield@harborstreet.com,person,Dana Whitfield,,registered_representative,,,yes
lee.park@harborstreet.com,person,Lee Park,,registered_representative,,,yes
sam.ortiz@harborstreet.com,person,Sam Ortiz,,customer_service,,,yes
clientservice@harborstreet.com,group_mailbox,Client Service desk,,,,grp.client-service,yes
support@harborstreet.com,customer_service_account,Help desk shared agent login,,,,zendesk.support,yes
tradesupport@harborstreet.com,group_mailbox,Trade Support desk,,,,,yes
noreply@harborstreet.com,group_mailbox,Trade confirmations (send only),,,,,yes
"""

HIERARCHY = """\
person,principal,delegates
dana.whitfield@harborstreet.com,paula,ravi;rita
lee.park@harborstreet.com,paula,ravi;rita
sam.ortiz@harborstreet.com,carl,rita
clientservice@harborstreet.com,carl,rita
"""


def _run_selection(ws: Workspace, as_of: datetime | None) -> list[str]:
    run = ws.controls.run("review.selection", actor="paula", as_of=as_of)
    return list(run["alert_ids"])


def _catch_up(ws: Workspace) -> list[str]:
    """Select as of the end of the first day(s) of traffic until something is selected."""
    with ws.read() as conn:
        first = first_sent_at(conn)
    if first is None:
        return []
    for days in range(1, 8):
        selected = _run_selection(ws, first + timedelta(days=days))
        if selected:
            return selected
    return []


def _open_items(ws: Workspace, exclude: set[str]) -> list[dict[str, Any]]:
    with ws.read() as conn:
        rows = conn.execute(
            sa.select(alerts.c.id, alerts.c.severity, alerts.c.assignee, items.c.kinds)
            .join(items, items.c.alert_id == alerts.c.id)
            .where(alerts.c.status == AlertStatus.ASSIGNED.value)
            .order_by(alerts.c.created_at, alerts.c.id)
        )
        return [dict(r._mapping) for r in rows if r.id not in exclude]


def _work(ws: Workspace, overdue: set[str]) -> dict[str, Any]:
    """Review one item, escalate a must-review one, ask for information on a third."""
    done: dict[str, Any] = {}
    pool = _open_items(ws, overdue)
    easy = [r for r in pool if r["severity"] in ("low", "medium")]
    if easy:
        item = easy[0]
        decide(
            ws,
            item["id"],
            "no_issue",
            "Read in full: routine client service, no promissory or off-channel content.",
            actor=item["assignee"],
        )
        done["reviewed"] = item["id"]
    must = [r for r in _open_items(ws, overdue) if "must_review" in r["kinds"] or "evasion" in r["kinds"]]
    if must:
        item = must[0]
        result = decide(
            ws,
            item["id"],
            "escalate",
            "Customer complaint in writing: log under FINRA 4530 and investigate the trade.",
            actor=item["assignee"],
        )
        done["escalated"] = result.case_id
    rest = _open_items(ws, overdue)
    if rest:
        item = rest[0]
        decide(
            ws,
            item["id"],
            "request_info",
            "Asked the representative for the client's account notes before deciding.",
            actor=item["assignee"],
        )
        done["information_requested"] = item["id"]
    return done


def seed_demo(ws: Workspace, actor: str) -> dict[str, Any]:
    """Policies, directory, hierarchy, two selection runs, a worked queue and an exemption."""
    with tempfile.TemporaryDirectory(prefix="proctor-demo-review-") as tmp:
        root = Path(tmp)
        (root / "directory.csv").write_text(DIRECTORY, encoding="utf-8")
        (root / "supervision.csv").write_text(HIERARCHY, encoding="utf-8")
        directory = import_directory(ws, root / "directory.csv", actor)
        import_hierarchy(ws, root / "supervision.csv", actor)
    versions = [import_policy(ws, path, "paula") for path in (DEMO_POLICY, DEMO_SAMPLING)]
    for version in versions:
        approve_policy(ws, version["id"], "carl", "Reviewed against the written supervisory procedures.")
    overdue = _catch_up(ws)
    current = _run_selection(ws, None)
    worked = _work(ws, set(overdue))
    exemption = propose_exemption(
        ws,
        "noreply@harborstreet.com",
        "Send-only confirmations mailbox; replies bounce and the confirmations are reviewed under the "
        "trade-confirmation procedure.",
        ws.clock.now().date() + timedelta(days=365),
        "paula",
    )
    approve_exemption(ws, exemption["id"], "carl")
    return {
        "policies": [v["policy_id"] for v in versions],
        "directory_entries": len(directory["added"]),
        "items_selected": len(overdue) + len(current),
        "overdue_items": len(overdue),
        **worked,
        "exemption": exemption["id"],
        "unconnected": "clientservice@, support@ (help desk), tradesupport@",
    }
