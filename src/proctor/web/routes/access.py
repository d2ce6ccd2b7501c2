"""Customer-data access pages: people, systems, Reg S-P incidents (with their clocks), and the API.

A person's activity and an incident's affected customers name customer records, so showing them
needs the NPI permission and is journaled as a view (the incident page through
`incidents.show`, which records the view itself). Everything else is read-only for every role.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import polars as pl
import sqlalchemy as sa
from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import Response

from proctor.core.alerts import Subject
from proctor.core.clock import ensure_utc
from proctor.core.errors import NotFound
from proctor.core.roles import NPI_VIEW, READ, require
from proctor.web.guard import Ctx, ctx
from proctor.web.render import redirect, render

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api", tags=["access"])
C = Annotated[Ctx, Depends(ctx)]
ACTIVITY_ROWS = 200


def _rows(c: Ctx, stmt: Any) -> list[dict[str, Any]]:
    with c.ws.read() as conn:
        return [dict(r._mapping) for r in conn.execute(stmt)]


def _left(deadline: datetime | None, now: datetime) -> dict[str, Any] | None:
    """A clock as the page shows it: hours left (negative when overdue) and a plain label."""
    if deadline is None:
        return None
    hours = (ensure_utc(deadline) - now).total_seconds() / 3600
    label = (
        f"overdue by {-hours:.0f} h"
        if hours < 0
        else (f"{hours / 24:.1f} days left" if hours >= 48 else f"{hours:.0f} h left")
    )
    return {
        "deadline": deadline,
        "hours": round(hours, 1),
        "label": label,
        "state": "overdue" if hours < 0 else "due" if hours < 48 else "running",
    }


def people_data(c: Ctx) -> list[dict[str, Any]]:
    from proctor.access.tables import people

    require(c.user, READ)
    return _rows(c, sa.select(people).order_by(people.c.last_name, people.c.first_name))


def person_data(c: Ctx, employee_id: str) -> dict[str, Any]:
    from proctor.access import people
    from proctor.access.activity_store import load_events
    from proctor.access.tables import accounts, tasks

    require(c.user, READ)
    row = people.person(c.ws, employee_id)
    if row is None:
        raise NotFound(f"no person {employee_id!r}")
    hist = people.history(c.ws, employee_id)
    accts = _rows(
        c, sa.select(accounts).where(accounts.c.employee_id == employee_id).order_by(accounts.c.system)
    )
    open_tasks = _rows(
        c, sa.select(tasks).where(tasks.c.employee_id == employee_id).order_by(tasks.c.opened_at)
    )
    activity: list[dict[str, Any]] = []
    shown = c.can(NPI_VIEW)
    if shown and accts:
        events, _ = load_events(c.ws, systems=sorted({a["system"] for a in accts}))
        keys = pl.DataFrame(
            {"system": [a["system"] for a in accts], "_login": [a["login_id"].lower() for a in accts]}
        )
        mine = (
            events.with_columns(pl.col("login_id").str.to_lowercase().alias("_login"))
            .join(keys, on=["system", "_login"], how="inner")
            .sort("ts", descending=True)
        )
        activity = mine.head(ACTIVITY_ROWS).drop("_login").to_dicts()
        with c.ws.transaction(c.user.name) as tx:
            tx.event(
                "npi.viewed",  # the platform's one event for a view of customer NPI
                Subject("access.person", employee_id),
                {"person": employee_id, "viewer": c.user.name, "events_shown": len(activity)},
            )
    return {
        "person": row,
        "spans": list(hist.spans) if hist else [],
        "accounts": accts,
        "tasks": open_tasks,
        "activity": activity,
        "activity_shown": shown,
    }


def systems_data(c: Ctx) -> list[dict[str, Any]]:
    from proctor.access.activity_store import last_arrivals
    from proctor.access.tables import accounts, roster_snapshots, systems, tasks

    require(c.user, READ)
    now = ensure_utc(c.ws.clock.now())
    rosters = dict(
        _rows_pairs(
            c,
            sa.select(roster_snapshots.c.system, sa.func.max(roster_snapshots.c.as_of)).group_by(
                roster_snapshots.c.system
            ),
        )
    )
    orphans = dict(
        _rows_pairs(
            c,
            sa.select(accounts.c.system, sa.func.count())
            .where(accounts.c.situation.in_(["unmatched", "orphan"]), accounts.c.removed_at.is_(None))
            .group_by(accounts.c.system),
        )
    )
    overdue = dict(
        _rows_pairs(
            c,
            sa.select(tasks.c.system, sa.func.count())
            .where(tasks.c.status == "open", tasks.c.due_at < now)
            .group_by(tasks.c.system),
        )
    )
    arrivals = last_arrivals(c.ws, now)
    out = []
    for s in _rows(c, sa.select(systems).order_by(systems.c.name)):
        roster_at = rosters.get(s["name"])
        age = None if roster_at is None else (now - ensure_utc(roster_at)).total_seconds() / 3600
        out.append(
            {
                **s,
                "roster_as_of": roster_at,
                "roster_age_hours": None if age is None else round(age, 1),
                "roster_late": age is None or age > s["roster_cadence_seconds"] / 3600,
                "orphans": int(orphans.get(s["name"], 0)),
                "overdue_tasks": int(overdue.get(s["name"], 0)),
                "last_log": arrivals.get(s["name"]),
            }
        )
    return out


def _rows_pairs(c: Ctx, stmt: Any) -> list[tuple[Any, Any]]:
    with c.ws.read() as conn:
        return [(a, b) for a, b in conn.execute(stmt)]


def incidents_data(c: Ctx) -> list[dict[str, Any]]:
    from proctor.access.incidents import deadline, list_incidents

    require(c.user, READ)
    now = ensure_utc(c.ws.clock.now())
    return [
        {
            **i,
            "customer_clock": _left(deadline(i), now)
            if i["notice_status"] in ("required", "rebuttal_proposed") and i["status"] == "open"
            else None,
            "provider_clock": _left(i["provider_deadline"], now)
            if i["provider_notified_at"] is None and i["status"] == "open"
            else None,
        }
        for i in list_incidents(c.ws)
    ]


def incident_data(c: Ctx, incident_id: str) -> dict[str, Any]:
    from proctor.access import incidents

    require(c.user, READ)
    row = (
        incidents.show(c.ws, incident_id, actor=c.user.name)
        if c.can(NPI_VIEW)
        else {
            **incidents.get(c.ws, incident_id),
            "steps": incidents.steps(c.ws, incident_id),
            "customers": None,
        }
    )
    now = ensure_utc(c.ws.clock.now())
    open_ = row["status"] == "open"
    row["deadline"] = incidents.deadline(row)
    row["customer_clock"] = (
        _left(row["deadline"], now) if open_ and row["notice_status"] in incidents.OPEN_NOTICE else None
    )
    row["provider_clock"] = (
        _left(row["provider_deadline"], now) if open_ and row["provider_notified_at"] is None else None
    )
    return row


@pages.get("/access/people")
def people_page(request: Request, c: C) -> Response:
    return render(request, "access/people.html", {"people": people_data(c), "title": "People"})


@pages.get("/access/people/{employee_id}")
def person_page(request: Request, c: C, employee_id: str) -> Response:
    data = person_data(c, employee_id)
    return render(request, "access/person.html", {**data, "title": employee_id})


@pages.get("/access/systems")
def systems_page(request: Request, c: C) -> Response:
    return render(request, "access/systems.html", {"systems": systems_data(c), "title": "Systems"})


@pages.get("/access/incidents")
def incidents_page(request: Request, c: C) -> Response:
    return render(request, "access/incidents.html", {"incidents": incidents_data(c), "title": "Incidents"})


@pages.get("/access/incidents/{incident_id}")
def incident_page(request: Request, c: C, incident_id: str) -> Response:
    data = incident_data(c, incident_id)
    return render(request, "access/incident.html", {"incident": data, "title": incident_id})


@pages.post("/access/incidents/{incident_id}/note")
def incident_note(request: Request, c: C, incident_id: str, text: Annotated[str, Form()]) -> Response:
    from proctor.access.incidents import note

    note(c.ws, incident_id, text, actor=c.user.name)
    return redirect(request, f"/access/incidents/{incident_id}", "Note added to the incident")


@api.get("/access/systems", summary="Systems with roster age, orphans, overdue tasks and last activity log")
def systems_api(c: C) -> list[dict[str, Any]]:
    return systems_data(c)


@api.get("/access/incidents", summary="Reg S-P incidents with their customer and provider clocks")
def incidents_api(c: C) -> list[dict[str, Any]]:
    return incidents_data(c)


@api.get(
    "/access/incidents/{incident_id}", summary="One incident: clocks, steps, affected customers (NPI view)"
)
def incident_api(c: C, incident_id: str) -> dict[str, Any]:
    return incident_data(c, incident_id)
