"""Reserve pages for the FINOP (Exhibit A, lineage, variances, sign-off) and their /api twins."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from pydantic import BaseModel
from starlette.responses import Response

from proctor.web.guard import Ctx, ctx
from proctor.web.render import redirect, render
from proctor.web.services import reserve as svc

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api", tags=["reserve"])
C = Annotated[Ctx, Depends(ctx)]
Text = Annotated[str, Form()]


@pages.get("/reserve")
def reserve_page(request: Request, c: C) -> Response:
    return render(request, "reserve/index.html", {**svc.overview(c), "title": "Reserve (15c3-3)"})


@pages.get("/reserve/proposals/{proposal_id}")
def proposal_page(request: Request, c: C, proposal_id: str) -> Response:
    data = svc.proposal(c, proposal_id)
    return render(request, "reserve/proposal.html", {"p": data, "title": f"Formula proposal {proposal_id}"})


@pages.get("/reserve/{computation_id}")
def computation_page(request: Request, c: C, computation_id: str) -> Response:
    data = svc.computation(c, computation_id)
    return render(request, "reserve/computation.html", {**data, "title": f"Reserve {computation_id}"})


@pages.get("/reserve/{computation_id}/lines/{item}")
def explain_page(
    request: Request, c: C, computation_id: str, item: str, account: str = Query("")
) -> Response:
    data = svc.explain(c, computation_id, item, account)
    return render(request, "reserve/explain.html", {**data, "title": f"Exhibit A item {item}"})


@pages.post("/reserve/{computation_id}/variances")
def variance_form(request: Request, c: C, computation_id: str, key: Text = "", text: Text = "") -> Response:
    svc.explain_variance(c, computation_id, key, text)
    return redirect(request, f"/reserve/{computation_id}", f"Variance {key} explained")


@pages.post("/reserve/{computation_id}/signoff")
def signoff_form(request: Request, c: C, computation_id: str, statement: Text = "") -> Response:
    svc.sign_off(c, computation_id, statement)
    return redirect(request, f"/reserve/{computation_id}", f"{computation_id} signed off")


class VarianceBody(BaseModel):
    key: str
    text: str


class SignoffBody(BaseModel):
    statement: str


@api.get("/reserve", summary="Reserve computations of both books, HOLDs, proposals")
def reserve_api(c: C) -> dict[str, Any]:
    return svc.overview(c)


@api.get("/reserve/{computation_id}", summary="One computation: Exhibit A, gates, inputs, variances")
def computation_api(c: C, computation_id: str) -> dict[str, Any]:
    return svc.computation(c, computation_id)


@api.get("/reserve/{computation_id}/lines/{item}", summary="A line's lineage down to accounts (journaled)")
def explain_api(c: C, computation_id: str, item: str, account: str = "") -> dict[str, Any]:
    return dict(svc.explain(c, computation_id, item, account)["result"])


@api.post("/reserve/{computation_id}/variances")
def variance_api(c: C, computation_id: str, body: VarianceBody) -> dict[str, Any]:
    return svc.explain_variance(c, computation_id, body.key, body.text)


@api.post("/reserve/{computation_id}/signoff")
def signoff_api(c: C, computation_id: str, body: SignoffBody) -> dict[str, Any]:
    return svc.sign_off(c, computation_id, body.statement)
