"""Case list and case page, and their /api twins."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, Request
from pydantic import BaseModel, Field
from starlette.responses import Response

from proctor.web.guard import Ctx, ctx
from proctor.web.render import redirect, render
from proctor.web.services import cases as svc
from proctor.web.services import cases_pages as investigation
from proctor.web.services.export import csv_response

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api", tags=["cases"])
C = Annotated[Ctx, Depends(ctx)]
Action = Literal["note", "assign", "investigate", "escalate", "close", "reopen"]
CASE_COLUMNS = ["id", "title", "status", "assignee", "created_by", "alert_count", "created_at", "closed_at"]
DONE = {
    "note": "Note added",
    "assign": "Case assigned",
    "investigate": "Investigation started",
    "escalate": "Case escalated",
    "close": "Case closed",
    "reopen": "Case reopened",
}


@pages.get("/cases")
def cases_page(request: Request, c: C, status: str = "") -> Response:
    return render(request, "cases.html", {**svc.list_cases(c, status), "title": "Cases"})


@pages.get("/cases/export.csv")
def cases_csv(c: C, status: str = "") -> Response:
    return csv_response("cases", CASE_COLUMNS, svc.list_cases(c, status)["cases"])


@pages.get("/cases/{case_id}")
def case_page(request: Request, c: C, case_id: str) -> Response:
    data = {**svc.detail(c, case_id), **investigation.page(c, case_id)}
    return render(request, "case.html", {**data, "title": data["case"]["title"]})


@pages.post("/cases/{case_id}/{action}")
def case_form(
    request: Request,
    c: C,
    case_id: str,
    action: Action,
    text: Annotated[str, Form()] = "",
    assignee: Annotated[str, Form()] = "",
) -> Response:
    svc.act(c, case_id, action, text, assignee)
    return redirect(request, f"/cases/{case_id}", DONE[action])


class CaseActionBody(BaseModel):
    text: str = Field("", description="the note, or the reason for escalating, closing or reopening")
    assignee: str = Field("", description="for assign: the user (empty means yourself)")


@api.get("/cases", summary="Cases, newest first")
def cases_api(c: C, status: str = "") -> dict[str, Any]:
    return svc.list_cases(c, status)


@api.get("/cases/{case_id}", summary="One case with its alerts, notes and journal history")
def case_api(c: C, case_id: str) -> dict[str, Any]:
    return svc.detail(c, case_id)


@api.post("/cases/{case_id}/{action}", summary="A workflow step: note, assign, investigate, escalate, close")
def case_action_api(c: C, case_id: str, action: Action, body: CaseActionBody) -> dict[str, Any]:
    return svc.act(c, case_id, action, body.text, body.assignee)
