"""Dashboard page and its /api twin, and the OpenAPI document (which also needs a session)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from proctor.web.guard import Ctx, ctx
from proctor.web.render import render
from proctor.web.services import dashboard as svc

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api", tags=["dashboard"])
C = Annotated[Ctx, Depends(ctx)]


@pages.get("/")
def dashboard_page(request: Request, c: C) -> Response:
    data = svc.summary(c)
    return render(request, "dashboard.html", {**data, "charts": svc.charts(data), "title": "Dashboard"})


@api.get("/dashboard", summary="Control health, open alerts by module/severity/age, SLA breaches, trends")
def dashboard_api(c: C) -> dict[str, Any]:
    return svc.as_json(svc.summary(c))


@api.get("/openapi.json", include_in_schema=False)
def openapi(request: Request, c: C) -> dict[str, Any]:
    return dict(request.app.openapi())
