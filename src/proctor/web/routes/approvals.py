"""The approvals inbox: every two-person item of every module, approved or rejected in one place."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from pydantic import BaseModel, Field
from starlette.responses import Response

from proctor.web.guard import Ctx, ctx
from proctor.web.render import redirect, render
from proctor.web.services import approvals as svc

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api", tags=["approvals"])
C = Annotated[Ctx, Depends(ctx)]
Text = Annotated[str, Form()]


@pages.get("/approvals")
def inbox_page(request: Request, c: C) -> Response:
    return render(request, "approvals/inbox.html", {**svc.inbox(c), "title": "Awaiting approval"})


@pages.post("/approvals/{kind}/{item_id}/{verdict}")
def decide_form(
    request: Request, c: C, kind: str, item_id: str, verdict: str, rationale: Text = ""
) -> Response:
    return redirect(request, "/approvals", svc.decide(c, kind, item_id, verdict, rationale))


class DecisionBody(BaseModel):
    rationale: str = Field("", description="why; required (10+ characters) to reject")


@api.get("/approvals", summary="Every item awaiting a second person, across modules")
def inbox_api(c: C) -> dict[str, Any]:
    return svc.inbox(c)


@api.post("/approvals/{kind}/{item_id}/{verdict}", summary="Approve or reject (verdict) one item")
def decide_api(c: C, kind: str, item_id: str, verdict: str, body: DecisionBody) -> dict[str, Any]:
    return {"result": svc.decide(c, kind, item_id, verdict, body.rationale)}
