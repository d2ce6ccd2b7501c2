"""The examiner's read-only view of an 8210 request, its CSV sections, and producing the records."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import Response

from proctor.core.errors import InputError
from proctor.web.guard import Ctx, ctx
from proctor.web.render import redirect, render
from proctor.web.services import examiner as svc
from proctor.web.services.export import csv_response

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api", tags=["examiner"])
C = Annotated[Ctx, Depends(ctx)]
Text = Annotated[str, Form()]


def request_8210(since: str = "", until: str = "", custodian: str = "") -> svc.Request8210 | None:
    if not since and not until:
        return None
    return svc.Request8210(since=since, until=until, custodian=custodian)


R = Annotated[svc.Request8210 | None, Depends(request_8210)]


@pages.get("/examiner")
def examiner_page(request: Request, c: C, r: R, verified: str = "") -> Response:
    data = svc.package(c, r, verified)
    return render(request, "examiner/index.html", {**data, "title": "Examiner"})


@pages.get("/examiner/{section}.csv")
def section_csv(c: C, r: R, section: str) -> Response:
    if section not in svc.SECTIONS or r is None:
        raise InputError("name a section (alerts, reviews, runs, records) and a period", field="section")
    return csv_response(f"8210-{section}", svc.SECTIONS[section], svc.section_rows(c, r, section))


@pages.post("/examiner/productions")
def produce_form(
    request: Request, c: C, request_name: Text = "", since: Text = "", until: Text = "", custodian: Text = ""
) -> Response:
    req = svc.Request8210(since=since, until=until, custodian=custodian)
    result = svc.produce(c, req, request_name)
    query = urlencode({**req.params(), "verified": result["folder"]})
    note = f"Production {result['folder']}: {result['records']} records, {result['files']} files"
    return redirect(request, f"/examiner?{query}#productions", note)


@api.get("/examiner", summary="An 8210 package: records, alerts, reviews, control runs, productions")
def examiner_api(c: C, r: R, verified: str = "") -> dict[str, Any]:
    data = svc.package(c, r, verified)
    if "records" in data:
        rows = [{k: v for k, v in h.items() if k != "highlights"} for h in data["records"]["rows"]]
        data["records"] = {**data["records"], "rows": rows}
    return data
