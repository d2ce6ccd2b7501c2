"""The routing of review items to the people who must review them.

FINRA 3110 makes a designated principal responsible for each associated person's supervision;
in practice the principal's delegates do most of the reading. So an item goes to the covered
person's principal's delegates, to the one with the fewest open review items, and never to anyone
who sent or received the message (3110(b)(6)): such a delegate is skipped; if every delegate is
skipped the item stays with the principal, and if the principal took part too it stays
unassigned, with the reason recorded on the item and as a note on the alert.

The supervision hierarchy itself (who is whose principal, and the principals' delegates) is the
platform's firm directory, :mod:`proctor.platform.directory`, shared with the other modules.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from proctor.core.alerts import AlertStatus
from proctor.core.errors import NotFound, ProctorError
from proctor.core.roles import ALERT_WORK, User, can
from proctor.platform.directory import Hierarchy, load_hierarchy
from proctor.review.tables import items
from proctor.store.schema import alerts

if TYPE_CHECKING:
    from proctor.platform.workspace import Workspace

CONTROL = "review.selection"
ROUTING_PREFIX = "Routing: "


@dataclass(frozen=True)
class Route:
    """Where an item goes and why, in words a principal can check."""

    principal: str | None
    assignee: str | None
    reason: str
    unusual: bool = False


# --- routing ----------------------------------------------------------------------------------------


def open_workload(conn: sa.Connection) -> Counter[str]:
    """Open review items per assignee: what workload balancing evens out."""
    stmt = (
        sa.select(alerts.c.assignee, sa.func.count())
        .where(
            alerts.c.control == CONTROL,
            alerts.c.status != AlertStatus.CLOSED.value,
            alerts.c.assignee.is_not(None),
        )
        .group_by(alerts.c.assignee)
    )
    return Counter({name: int(n) for name, n in conn.execute(stmt)})


def _eligible(user: User | None, participants: set[str]) -> str | None:
    """None when the user may review the item, else why not."""
    if user is None:
        return "is not a user"
    if not user.active or not can(user, ALERT_WORK):
        return "does not review items"
    if user.all_identities() & participants:
        return "sent or received the message"
    return None


def plan_route(
    covered: Sequence[str],
    sender: str,
    participants: Iterable[str],
    hierarchy: Hierarchy,
    users: dict[str, User],
    workload: Counter[str],
) -> Route:
    """Pick the reviewer for one item (pure: the caller applies it)."""
    people = set(p.lower() for p in participants)
    order = ([sender] if sender in covered else []) + sorted(c for c in covered if c != sender)
    principal = next((found for p in order if (found := hierarchy.principal_for(p)) is not None), None)
    if principal is None:
        names = ", ".join(order) or "nobody"
        return Route(None, None, f"no designated principal for {names}; assign it by hand", unusual=True)
    team = sorted(hierarchy.delegates_of.get(principal, []), key=lambda d: (workload[d], d))
    skipped: list[str] = []
    for delegate in team:
        why = _eligible(users.get(delegate), people)
        if why is None:
            note = f"; skipped {', '.join(skipped)}" if skipped else ""
            return Route(
                principal,
                delegate,
                f"delegate of {principal} with the fewest open review items ({workload[delegate]}){note}",
                unusual=bool(skipped),
            )
        skipped.append(f"{delegate} ({why})")
    why_not_principal = _eligible(users.get(principal), people)
    detail = f"delegates skipped: {', '.join(skipped)}" if skipped else f"{principal} has no delegates"
    if why_not_principal is None:
        return Route(
            principal, principal, f"kept with principal {principal}: {detail}", unusual=bool(skipped)
        )
    return Route(
        principal,
        None,
        f"left unassigned: principal {principal} {why_not_principal} and {detail}; "
        "another principal must review it",
        unusual=True,
    )


def route_items(ws: Workspace, alert_ids: Sequence[str], actor: str) -> dict[str, Any]:
    """Assign the given review items (as `actor`) and record where each went and why."""
    if not alert_ids:
        return {"routed": 0, "unassigned": 0}
    users = {u.name: u for u in ws.users.list()}
    with ws.read() as conn:
        hierarchy = load_hierarchy(conn)
        workload = open_workload(conn)
        rows = {
            r.alert_id: dict(r._mapping)
            for r in conn.execute(sa.select(items).where(items.c.alert_id.in_(list(alert_ids))))
        }
    outcomes: dict[str, Route] = {}
    for alert_id in alert_ids:
        item = rows.get(alert_id)
        if item is None:
            raise NotFound(f"{alert_id} is not a review item")
        participants = item["participants"]
        route = plan_route(
            item["covered"], participants[0] if participants else "", participants, hierarchy, users, workload
        )
        if route.assignee is not None:
            try:
                ws.alerts.assign(alert_id, route.assignee, actor=actor)
                workload[route.assignee] += 1
            except ProctorError as exc:
                route = Route(route.principal, None, f"not assigned: {exc}", unusual=True)
        if route.unusual:
            with suppress(ProctorError):  # the reason is kept on the review item either way
                ws.alerts.note(alert_id, ROUTING_PREFIX + route.reason, actor=actor)
        outcomes[alert_id] = route
    with ws.transaction(actor) as tx:
        for alert_id, route in outcomes.items():
            tx.update(
                items,
                alert_id,
                {"principal": route.principal, "routed_to": route.assignee, "routing": route.reason},
                "review.item.routed",
            )
    assigned = sum(1 for r in outcomes.values() if r.assignee)
    return {"routed": assigned, "unassigned": len(outcomes) - assigned}


def pending_items(conn: sa.Connection) -> list[str]:
    """Review items never assigned (e.g. selected before the hierarchy named their principal)."""
    stmt = (
        sa.select(items.c.alert_id)
        .join(alerts, alerts.c.id == items.c.alert_id)
        .where(alerts.c.status == AlertStatus.NEW.value, alerts.c.assignee.is_(None))
        .order_by(items.c.selected_at, items.c.alert_id)
    )
    return [r[0] for r in conn.execute(stmt)]


def route_pending(ws: Workspace, actor: str) -> dict[str, Any]:
    with ws.read() as conn:
        pending = pending_items(conn)
    return route_items(ws, pending, actor)
