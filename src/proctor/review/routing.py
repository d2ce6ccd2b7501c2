"""The supervision hierarchy and the routing of review items to the people who must review them.

FINRA 3110 makes a designated principal responsible for each associated person's supervision;
in practice the principal's delegates do most of the reading. So an item goes to the covered
person's principal's delegates, to the one with the fewest open review items, and never to anyone
who sent or received the message (3110(b)(6)): such a delegate is skipped; if every delegate is
skipped the item stays with the principal, and if the principal took part too it stays
unassigned, with the reason recorded on the item and as a note on the alert.

The hierarchy is imported from a CSV file the firm keeps (``person,principal,delegates``); an
import replaces the structure as a whole, and every row added, changed or removed is journaled.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from proctor.core.alerts import AlertStatus
from proctor.core.errors import InputError, NotFound, ProctorError
from proctor.core.roles import ALERT_ASSIGN, ALERT_WORK, POLICY_CHANGE, User, can, require
from proctor.review.directory import identities, list_entries
from proctor.review.tables import delegates, items, supervision
from proctor.store.schema import alerts

if TYPE_CHECKING:
    from proctor.platform.workspace import Workspace

CONTROL = "review.selection"
CSV_FIELDS = ("person", "principal", "delegates")
ROUTING_PREFIX = "Routing: "


@dataclass
class Hierarchy:
    """Who supervises whom. ``also`` maps an alias or an owned account to the directory entries to
    look up after it (its entry, then the entry's owner), so "m..presto@" finds Kevin Presto's
    principal and a chat account its owner's."""

    principal_of: dict[str, str] = field(default_factory=dict)
    delegates_of: dict[str, list[str]] = field(default_factory=dict)
    also: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def principal_for(self, person: str) -> str | None:
        for key in (person, *self.also.get(person, ())):
            if key in self.principal_of:
                return self.principal_of[key]
        return None


@dataclass(frozen=True)
class Route:
    """Where an item goes and why, in words a principal can check."""

    principal: str | None
    assignee: str | None
    reason: str
    unusual: bool = False


# --- hierarchy --------------------------------------------------------------------------------------


def read_hierarchy_csv(data: bytes, file: str, users: dict[str, User]) -> Hierarchy:
    """Parse and check the whole file: principals must be principals, delegates must review."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", file=file) from None
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in reader.fieldnames or []]
    if "principal" not in header or "person" not in header:
        raise InputError("header needs person, principal and optionally delegates", file=file, row=1)
    unknown = [h for h in header if h not in CSV_FIELDS]
    if unknown:
        raise InputError(f"unknown column(s) {', '.join(unknown)}", file=file, row=1)
    out = Hierarchy()
    for row, raw in enumerate(reader, start=2):
        if None in raw:
            raise InputError("more fields than the header", file=file, row=row)
        cells = {k.strip(): (v or "").strip() for k, v in raw.items() if k}
        principal = cells.get("principal", "")
        user = users.get(principal)
        if user is None:
            raise InputError(f"no user named {principal!r}", file=file, row=row, field="principal")
        if not can(user, ALERT_ASSIGN):
            raise InputError(
                f"{principal} ({user.role}) cannot supervise: a principal assigns and approves reviews",
                file=file,
                row=row,
                field="principal",
            )
        person = cells.get("person", "").lower()
        if person:
            if " " in person or "," in person:
                raise InputError(
                    f"{person!r} is not an address or account id", file=file, row=row, field="person"
                )
            if out.principal_of.get(person, principal) != principal:
                raise InputError(
                    f"{person} already has principal {out.principal_of[person]}",
                    file=file,
                    row=row,
                    field="person",
                )
            out.principal_of[person] = principal
        team = out.delegates_of.setdefault(principal, [])
        for name in (d.strip() for d in cells.get("delegates", "").split(";") if d.strip()):
            delegate = users.get(name)
            if delegate is None:
                raise InputError(f"no user named {name!r}", file=file, row=row, field="delegates")
            if not can(delegate, ALERT_WORK):
                raise InputError(
                    f"{name} ({delegate.role}) does not review items", file=file, row=row, field="delegates"
                )
            if name not in team:
                team.append(name)
    return out


def import_hierarchy(ws: Workspace, path: Path, actor: str) -> dict[str, Any]:
    """Replace the supervision hierarchy with the file's, journaling every change."""
    require(ws.users.get(actor), POLICY_CHANGE)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", file=str(path)) from None
    wanted = read_hierarchy_csv(data, str(path), {u.name: u for u in ws.users.list()})
    now = ws.clock.now()
    counts = Counter[str]()
    reason = f"not in the supervision file {path.name}"
    with ws.transaction(actor) as tx:
        current = {r.person: r.principal for r in tx.conn.execute(sa.select(supervision))}
        for person, principal in sorted(wanted.principal_of.items()):
            values = {"principal": principal, "updated_by": actor, "updated_at": now}
            if person not in current:
                tx.insert(supervision, {"person": person, **values}, "review.supervision.added")
                counts["added"] += 1
            elif current[person] != principal:
                tx.update(supervision, person, values, "review.supervision.changed")
                counts["changed"] += 1
        for person in sorted(set(current) - set(wanted.principal_of)):
            tx.delete(supervision, person, "review.supervision.removed", reason)
            counts["removed"] += 1
        team_rows = {r.id for r in tx.conn.execute(sa.select(delegates.c.id))}
        wanted_rows = {f"{p}>{d}": (p, d) for p, team in wanted.delegates_of.items() for d in team}
        for key in sorted(set(wanted_rows) - team_rows):
            principal, delegate = wanted_rows[key]
            tx.insert(
                delegates,
                {
                    "id": key,
                    "principal": principal,
                    "delegate": delegate,
                    "updated_by": actor,
                    "updated_at": now,
                },
                "review.delegate.added",
            )
            counts["delegates_added"] += 1
        for key in sorted(team_rows - set(wanted_rows)):
            tx.delete(delegates, key, "review.delegate.removed", reason)
            counts["delegates_removed"] += 1
    return {
        "people": len(wanted.principal_of),
        "principals": sorted(set(wanted.principal_of.values()) | set(wanted.delegates_of)),
        **{
            k: counts.get(k, 0)
            for k in ("added", "changed", "removed", "delegates_added", "delegates_removed")
        },
    }


def load_hierarchy(conn: sa.Connection) -> Hierarchy:
    out = Hierarchy()
    for row in conn.execute(sa.select(supervision)):
        out.principal_of[row.person] = row.principal
    for row in conn.execute(sa.select(delegates).order_by(delegates.c.principal, delegates.c.delegate)):
        out.delegates_of.setdefault(row.principal, []).append(row.delegate)
    for entry in list_entries(conn):
        keys = tuple(k for k in (entry["id"], entry["owner"]) if k)
        for ident in identities(entry):
            out.also[ident] = tuple(k for k in keys if k != ident)
    return out


def hierarchy_rows(conn: sa.Connection) -> list[dict[str, Any]]:
    h = load_hierarchy(conn)
    return [
        {"person": person, "principal": principal, "delegates": ", ".join(h.delegates_of.get(principal, []))}
        for person, principal in sorted(h.principal_of.items())
    ]


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
