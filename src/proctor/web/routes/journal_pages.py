"""The journal searched and exported: `/journal/events` and its CSV, and the /api twin."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from proctor.web.guard import Ctx, ctx
from proctor.web.render import render
from proctor.web.services import journal_pages as svc
from proctor.web.services.export import csv_response

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api", tags=["journal"])
C = Annotated[Ctx, Depends(ctx)]


def filters(
    actor: str = "", event_type: str = "", subject: str = "", since: str = "", until: str = ""
) -> svc.JournalFilters:
    return svc.JournalFilters(actor=actor, event_type=event_type, subject=subject, since=since, until=until)


F = Annotated[svc.JournalFilters, Depends(filters)]


@pages.get("/journal/events")
def events_page(request: Request, c: C, f: F, before: int | None = Query(None, ge=0)) -> Response:
    data = svc.search(c, f, before)
    return render(request, "journal/events.html", {**data, "title": "Journal events"})


@pages.get("/journal/events.csv")
def events_csv(c: C, f: F) -> Response:
    return csv_response("journal-events", svc.COLUMNS, svc.export_rows(c, f))


@api.get("/journal/events", summary="Journal events by user, event type, subject and date, paged by seq")
def events_api(c: C, f: F, before: int | None = Query(None, ge=0)) -> dict[str, Any]:
    return svc.search(c, f, before)
