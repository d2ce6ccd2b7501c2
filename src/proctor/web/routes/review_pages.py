"""Review pages for the supervising principal and their /api twins."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from proctor.web.guard import Ctx, ctx
from proctor.web.render import render
from proctor.web.services import review_pages as svc

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api", tags=["review"])
C = Annotated[Ctx, Depends(ctx)]


@pages.get("/review")
def coverage_page(request: Request, c: C) -> Response:
    return render(request, "review/coverage.html", {"r": svc.register(c), "title": "Review coverage"})


@pages.get("/review/metrics")
def metrics_page(request: Request, c: C) -> Response:
    return render(request, "review/metrics.html", {"mx": svc.review_metrics(c), "title": "Review metrics"})


@pages.get("/review/policies")
def policies_page(request: Request, c: C) -> Response:
    return render(request, "review/policies.html", {**svc.policies(c), "title": "Review policies"})


@pages.get("/review/policies/{version_id}")
def version_page(request: Request, c: C, version_id: str) -> Response:
    return render(request, "review/version.html", {**svc.version(c, version_id), "title": "Policy version"})


@api.get("/review/coverage", summary="The coverage register: covered, gap or exempt, with reasons")
def coverage_api(c: C) -> dict[str, Any]:
    return svc.register(c)


@api.get("/review/metrics", summary="Review timeliness, backlog ageing, lexicon hit and false-positive rates")
def metrics_api(c: C) -> dict[str, Any]:
    return {k: v for k, v in svc.review_metrics(c).items() if k != "charts"}


@api.get("/review/policies", summary="Policy versions and exemptions")
def policies_api(c: C) -> dict[str, Any]:
    return svc.policies(c)


@api.get("/review/policies/{version_id}", summary="A policy version and its diff against the one in force")
def version_api(c: C, version_id: str) -> dict[str, Any]:
    return svc.version(c, version_id)
