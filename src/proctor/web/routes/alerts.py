"""Alert queue, alert page and workflow: each page handler and its /api twin call one service."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from pydantic import BaseModel, Field
from starlette.responses import RedirectResponse, Response

from proctor.web.guard import Ctx, ctx
from proctor.web.render import redirect, render
from proctor.web.routes.dashboard import dashboard_page
from proctor.web.services import alerts as svc
from proctor.web.services.export import ALERT_COLUMNS, all_alerts, csv_response

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api", tags=["alerts"])
home = APIRouter(include_in_schema=False)  # included before the dashboard's router: "/" lands by role
C = Annotated[Ctx, Depends(ctx)]


def queue_filters(
    status: str = Query("open", description="a status, 'open' (not closed) or 'any'"),
    module: str = "",
    control: str = "",
    severity: str = "",
    assignee: str = "",
    q: str = Query("", description="text in the title or subjects, or an alert id"),
    sort: str = Query("due", description="due (default), created, severity, status or control"),
    order: str = Query("", pattern="^(|asc|desc)$", description="empty: soonest due / newest / most severe"),
    page: int = Query(1, ge=1),
    page_size: int = Query(50, ge=1, le=500),
) -> svc.QueueFilters:
    return svc.QueueFilters(status, module, control, severity, assignee, q, sort, order, page, page_size)


F = Annotated[svc.QueueFilters, Depends(queue_filters)]


def without_evidence(row: dict[str, Any]) -> dict[str, Any]:
    """Action answers leave evidence out: reading it is a view, and views go through alerts.view."""
    return {k: v for k, v in row.items() if k != "evidence"}


# --- pages -----------------------------------------------------------------------------------
@home.get("/")
def landing_page(request: Request, c: C) -> Response:
    """Each role lands on its own work; principals, auditors and admins on the dashboard."""
    target = svc.landing(c)
    if target is None:
        return dashboard_page(request, c)
    return RedirectResponse(target, status_code=303)


@home.get("/dashboard")
def dashboard_for_everyone(request: Request, c: C) -> Response:
    """The dashboard itself, for the roles that land elsewhere."""
    return dashboard_page(request, c)


@pages.get("/alerts")
def queue_page(request: Request, c: C, filters: F) -> Response:
    data = svc.queue(c, filters)
    partial = request.headers.get("hx-target") == "queue-results"
    context = {**data, "f": filters, "options": svc.queue_options(c), "title": "Alert queue"}
    return render(request, "_queue_results.html" if partial else "queue.html", context)


@pages.get("/alerts/export.csv")
def queue_csv(c: C, filters: F) -> Response:
    return csv_response("alerts", ALERT_COLUMNS, all_alerts(c, filters.to_query()))


@pages.get("/alerts/{alert_id}")
def alert_page(request: Request, c: C, alert_id: str) -> Response:
    data = svc.detail_view(svc.detail(c, alert_id))
    return render(request, "alert.html", {**data, "title": data["alert"]["title"]})


def _back(request: Request, alert_id: str, note: str) -> Response:
    return redirect(request, f"/alerts/{alert_id}", note)


Text = Annotated[str, Form()]


@pages.post("/alerts/{alert_id}/assign")
def assign_form(request: Request, c: C, alert_id: str, assignee: Text = "") -> Response:
    row = svc.assign(c, alert_id, assignee)
    return _back(request, alert_id, f"{alert_id} assigned to {row['assignee']}")


@pages.post("/alerts/{alert_id}/start")
def start_form(request: Request, c: C, alert_id: str) -> Response:
    svc.start(c, alert_id)
    return _back(request, alert_id, f"Review of {alert_id} started")


@pages.post("/alerts/{alert_id}/close")
def close_form(
    request: Request, c: C, alert_id: str, disposition: Text = "", rationale: Text = ""
) -> Response:
    return _back(request, alert_id, svc.outcome_note(svc.close(c, alert_id, disposition, rationale)))


@pages.post("/alerts/{alert_id}/approve")
def approve_form(request: Request, c: C, alert_id: str, comment: Text = "") -> Response:
    return _back(request, alert_id, svc.outcome_note(svc.approve(c, alert_id, comment)))


@pages.post("/alerts/{alert_id}/reject")
def reject_form(request: Request, c: C, alert_id: str, reason: Text = "") -> Response:
    svc.reject(c, alert_id, reason)
    return _back(request, alert_id, f"Closing of {alert_id} sent back for more review")


@pages.post("/alerts/{alert_id}/reopen")
def reopen_form(request: Request, c: C, alert_id: str, reason: Text = "") -> Response:
    svc.reopen(c, alert_id, reason)
    return _back(request, alert_id, f"{alert_id} reopened")


@pages.post("/alerts/{alert_id}/notes")
def note_form(request: Request, c: C, alert_id: str, text: Text = "") -> Response:
    svc.note(c, alert_id, text)
    return _back(request, alert_id, "Note added")


@pages.post("/alerts/{alert_id}/escalate")
def escalate_form(
    request: Request, c: C, alert_id: str, rationale: Text = "", title: Text = "", case_id: Text = ""
) -> Response:
    case = svc.escalate(c, alert_id, rationale, title, case_id)
    return redirect(request, f"/cases/{case}", f"{alert_id} escalated to case {case}")


# --- API -------------------------------------------------------------------------------------
class AssignBody(BaseModel):
    assignee: str = Field("", description="user to assign to; empty means yourself")


class CloseBody(BaseModel):
    disposition: str = Field(description="no_action, false_positive or duplicate")
    rationale: str = Field(description="why; at least 10 characters, kept as review evidence")


class CommentBody(BaseModel):
    comment: str = ""


class ReasonBody(BaseModel):
    reason: str


class NoteBody(BaseModel):
    text: str


class EscalateBody(BaseModel):
    rationale: str
    title: str = Field("", description="title of a new case (when case_id is empty)")
    case_id: str = Field("", description="an open case to add the alert to")


@api.get("/alerts", summary="One page of the alert queue (reviewers: their own queue)")
def queue_api(c: C, filters: F) -> dict[str, Any]:
    return svc.queue(c, filters)


@api.get("/alerts/{alert_id}", summary="One alert with evidence blocks, notes and journal history")
def alert_api(c: C, alert_id: str) -> dict[str, Any]:
    return svc.detail_json(svc.detail(c, alert_id))


@api.post("/alerts/{alert_id}/assign")
def assign_api(c: C, alert_id: str, body: AssignBody) -> dict[str, Any]:
    return without_evidence(svc.assign(c, alert_id, body.assignee))


@api.post("/alerts/{alert_id}/start")
def start_api(c: C, alert_id: str) -> dict[str, Any]:
    return without_evidence(svc.start(c, alert_id))


@api.post("/alerts/{alert_id}/close", summary="Close, or propose closing when four-eyes applies")
def close_api(c: C, alert_id: str, body: CloseBody) -> dict[str, Any]:
    return without_evidence(svc.close(c, alert_id, body.disposition, body.rationale))


@api.post("/alerts/{alert_id}/approve")
def approve_api(c: C, alert_id: str, body: CommentBody) -> dict[str, Any]:
    return without_evidence(svc.approve(c, alert_id, body.comment))


@api.post("/alerts/{alert_id}/reject")
def reject_api(c: C, alert_id: str, body: ReasonBody) -> dict[str, Any]:
    return without_evidence(svc.reject(c, alert_id, body.reason))


@api.post("/alerts/{alert_id}/reopen")
def reopen_api(c: C, alert_id: str, body: ReasonBody) -> dict[str, Any]:
    return without_evidence(svc.reopen(c, alert_id, body.reason))


@api.post("/alerts/{alert_id}/notes")
def note_api(c: C, alert_id: str, body: NoteBody) -> dict[str, Any]:
    return svc.note(c, alert_id, body.text)


@api.post("/alerts/{alert_id}/escalate")
def escalate_api(c: C, alert_id: str, body: EscalateBody) -> dict[str, Any]:
    return {"case_id": svc.escalate(c, alert_id, body.rationale, body.title, body.case_id)}
