"""Controls: health, run history, "run now", and CSV of both."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from proctor.web.guard import Ctx, ctx
from proctor.web.render import redirect, render
from proctor.web.services import controls as svc
from proctor.web.services.export import csv_response

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api", tags=["controls"])
C = Annotated[Ctx, Depends(ctx)]
STATUS_COLUMNS = [
    "control",
    "module",
    "rule",
    "cadence_hours",
    "last_as_of",
    "last_outcome",
    "last_input_count",
    "next_due",
    "missed",
    "title",
]


def _trim(row: dict[str, Any]) -> dict[str, Any]:
    return {
        **row,
        "runs": [{k: r[k] for k in ("id", "as_of", "outcome", "input_count")} for r in row["runs"]],
    }


@pages.get("/controls")
def controls_page(request: Request, c: C) -> Response:
    data = svc.overview(c)
    return render(
        request, "controls.html", {**data, "strips": svc.strips(data["controls"]), "title": "Controls"}
    )


@pages.get("/controls/export.csv")
def controls_csv(c: C) -> Response:
    return csv_response("controls", STATUS_COLUMNS, c.ws.controls.status())


@pages.get("/controls/runs.csv")
def runs_csv(c: C, control: str = "") -> Response:
    rows = c.ws.controls.history(control or None, 100000)
    return csv_response("control-runs", svc.RUN_COLUMNS, rows)


@pages.get("/controls/{name}")
def control_page(request: Request, c: C, name: str) -> Response:
    data = svc.detail(c, name)
    context = {**data, "chart": svc.history_chart(data["runs"]), "title": name}
    return render(request, "control.html", context)


@pages.post("/controls/{name}/run")
def run_form(request: Request, c: C, name: str) -> Response:
    run = svc.run_now(c, name)
    note = f"{name} ran: {run['outcome']}, {run['input_count']:,} inputs, {run['alerts_raised']} new alerts"
    return redirect(request, f"/controls/{name}", note, "ok" if run["outcome"] != "failed" else "error")


@api.get("/controls", summary="Every control's health: last run, outcome, next due, missed")
def controls_api(c: C) -> dict[str, Any]:
    data = svc.overview(c)
    return {**data, "controls": [_trim(r) for r in data["controls"]]}


@api.get("/controls/{name}", summary="One control and its recorded runs, newest first")
def control_api(c: C, name: str, limit: int = Query(100, ge=1, le=10000)) -> dict[str, Any]:
    return svc.detail(c, name, limit)


@api.post("/controls/{name}/run", summary="Run a control now (principals, FINOPs, admins)")
def run_api(c: C, name: str) -> dict[str, Any]:
    return svc.run_now(c, name)
