"""Journal: the latest signed tree head, recent events, and "verify now"."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from proctor.platform.alerts import journal_visible_to
from proctor.store.schema import journal_events
from proctor.web.guard import Ctx, ctx
from proctor.web.render import render
from proctor.web.services import journal as svc
from proctor.web.services.export import csv_response

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api", tags=["journal"])
C = Annotated[Ctx, Depends(ctx)]
EVENT_COLUMNS = ["seq", "ts", "actor", "event_type", "subject_kind", "subject_id"]


@pages.get("/journal")
def journal_page(request: Request, c: C, before: int | None = Query(None, ge=0)) -> Response:
    return render(request, "journal.html", {**svc.overview(c, before), "title": "Journal"})


@pages.post("/journal/verify")
def verify_form(request: Request, c: C) -> Response:
    report = svc.verify(c)
    if request.headers.get("hx-request"):
        return render(request, "_verify.html", {"report": report})
    return render(request, "journal.html", {**svc.overview(c), "report": report, "title": "Journal"})


@pages.get("/journal/export.csv")
def events_csv(c: C) -> Response:
    def rows() -> Iterator[dict[str, Any]]:
        stmt = (
            sa.select(*(journal_events.c[name] for name in EVENT_COLUMNS))
            .where(journal_visible_to(c.user))  # a reviewer exports only what he may read
            .order_by(journal_events.c.seq)
        )
        with c.ws.read() as conn:
            for row in conn.execution_options(yield_per=5000).execute(stmt):
                yield dict(row._mapping)

    return csv_response("journal-events", EVENT_COLUMNS, rows())


@api.get("/journal", summary="Latest signed tree head and the most recent events")
def journal_api(c: C, before: int | None = Query(None, ge=0)) -> dict[str, Any]:
    return svc.overview(c, before)


@api.post("/journal/verify", summary="Recompute every leaf, head, record and blob now")
def verify_api(c: C) -> dict[str, Any]:
    return svc.verify(c)
