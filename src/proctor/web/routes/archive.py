"""Archive pages (search, message, holds, productions, disposals, retention, sources) and /api twins."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from pydantic import BaseModel, Field
from starlette.responses import Response, StreamingResponse

from proctor.comms.search import SearchQuery
from proctor.web.guard import Ctx, ctx
from proctor.web.render import redirect, render
from proctor.web.services import archive as svc
from proctor.web.services import archive_retention as retention

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api", tags=["archive"])
C = Annotated[Ctx, Depends(ctx)]
Text = Annotated[str, Form()]
Column = Annotated[list[str] | None, Form()]


def query_params(
    q: str = "",
    participant: str = "",
    source: str = "",
    direction: str = "",
    since: str = "",
    until: str = "",
    attachment: str = Query("", pattern="^(|yes|no)$"),
    kind: str = "",
    order: str = "newest",
    offset: int = Query(0, ge=0),
) -> dict[str, Any]:
    return {
        "q": q, "participant": participant, "source": source, "direction": direction, "since": since,
        "until": until, "attachment": attachment, "kind": kind, "order": order, "offset": offset,
    }  # fmt: skip


P = Annotated[dict[str, Any], Depends(query_params)]


def _form_query(
    q: str, participant: str, source: str, since: str, until: str, direction: str = ""
) -> SearchQuery:
    return svc.search_query(q, participant, source, direction, since, until)


@pages.get("/archive")
def search_page(request: Request, c: C, p: P) -> Response:
    data = svc.find(c, svc.search_query(**p))
    return render(request, "archive/search.html", {**data, "p": p, "title": "Archive search"})


@pages.get("/archive/messages/{message_id}")
def message_page(request: Request, c: C, message_id: str) -> Response:
    return render(request, "archive/message.html", {**svc.message(c, message_id), "title": "Message"})


@pages.get("/archive/messages/{message_id}/proof.json")
def proof_download(c: C, message_id: str) -> Response:
    headers = {"content-disposition": f'attachment; filename="{message_id[:16]}.proof.json"'}
    return Response(svc.proof(c, message_id), media_type="application/json", headers=headers)


@pages.get("/archive/holds")
def holds_page(request: Request, c: C) -> Response:
    return render(request, "archive/holds.html", {"holds": svc.hold_list(c), "title": "Legal holds"})


@pages.post("/archive/holds")
def hold_form(
    request: Request, c: C, matter: Text = "", reason: Text = "", q: Text = "", participant: Text = "",
    source: Text = "", since: Text = "", until: Text = "",
) -> Response:  # fmt: skip
    row = svc.place_hold(c, matter, reason, _form_query(q, participant, source, since, until))
    return redirect(
        request, "/archive/holds", f"Legal hold {row['id']} placed: {row['records']} records held"
    )


@pages.post("/archive/holds/sweep")
def sweep_form(request: Request, c: C) -> Response:
    added = svc.sweep(c)
    return redirect(request, "/archive/holds", f"{sum(added.values())} records added to {len(added)} holds")


@pages.post("/archive/holds/{hold_id}/release")
def release_form(request: Request, c: C, hold_id: str, reason: Text = "") -> Response:
    svc.release(c, hold_id, reason)
    return redirect(request, "/archive/holds", f"Legal hold {hold_id} released")


@pages.get("/archive/productions")
def productions_page(request: Request, c: C, verified: str = "") -> Response:
    report = svc.verify(c, verified) if verified else None
    context = {"productions": svc.productions(c), "report": report, "verified": verified}
    return render(request, "archive/productions.html", {**context, "title": "Productions"})


@pages.post("/archive/productions")
def produce_form(
    request: Request, c: C, request_name: Text = "", q: Text = "", participant: Text = "", source: Text = "",
    since: Text = "", until: Text = "", direction: Text = "",
) -> Response:  # fmt: skip
    result = svc.produce(c, request_name, _form_query(q, participant, source, since, until, direction))
    note = f"Production {result['folder']}: {result['records']} records, {result['files']} files"
    return redirect(request, f"/archive/productions?verified={result['folder']}", note)


@pages.get("/archive/productions/{name}.zip")
def production_download(c: C, name: str) -> Response:
    headers = {"content-disposition": f'attachment; filename="{name}.zip"'}
    return StreamingResponse(svc.production_zip(c, name), media_type="application/zip", headers=headers)


@pages.get("/archive/disposals")
def disposals_page(request: Request, c: C) -> Response:
    return render(request, "archive/disposals.html", {"disposals": svc.disposals(c), "title": "Disposals"})


@pages.post("/archive/disposals")
def dispose_form(request: Request, c: C, reason: Text = "", source: Text = "") -> Response:
    row = svc.propose_disposal(c, reason, source)
    return redirect(
        request, "/archive/disposals", f"Disposal {row['id']} proposed; a second person approves it"
    )


@pages.get("/archive/retention")
def retention_page(request: Request, c: C) -> Response:
    return render(request, "archive/retention.html", {**retention.retention(c), "title": "Retention"})


@pages.post("/archive/retention")
def retention_form(
    request: Request, c: C, version: Text = "", effective_from: Text = "", source: Text = "",
    reason: Text = "", kind: Column = None, retain_years: Column = None, accessible_years: Column = None,
    citation: Column = None, note: Column = None,
) -> Response:  # fmt: skip
    rows = [col or [] for col in (kind, retain_years, accessible_years, citation, note)]
    doc = retention.document(version, effective_from, source, *rows)
    row = retention.propose(c, doc, reason)
    note_text = f"Retention schedule {row['version']} proposed; another principal approves it in Approvals"
    return redirect(request, f"/archive/retention#v-{row['version']}", note_text)


@pages.get("/archive/sources")
def sources_page(request: Request, c: C) -> Response:
    return render(request, "archive/sources.html", {**svc.sources(c), "title": "Sources"})


@api.get("/archive/search", summary="Archive search with filters and highlighted hits")
def search_api(c: C, p: P) -> dict[str, Any]:
    data = svc.find(c, svc.search_query(**p))
    return {**data, "hits": [{k: v for k, v in h.items() if k != "runs"} for h in data["hits"]]}


@api.get("/archive/messages/{message_id}", summary="One message (the view is journaled)")
def message_api(c: C, message_id: str) -> dict[str, Any]:
    return svc.message(c, message_id)


@api.get("/archive/holds", summary="Legal holds and how many records each covers")
def holds_api(c: C) -> list[dict[str, Any]]:
    return svc.hold_list(c)


@api.get("/archive/productions", summary="Productions written from this workspace")
def productions_api(c: C) -> list[dict[str, Any]]:
    return svc.productions(c)


@api.post("/archive/productions/{name}/verify", summary="Check a production byte by byte")
def verify_api(c: C, name: str) -> dict[str, Any]:
    return svc.verify(c, name)


class RetentionProposal(BaseModel):
    document: dict[str, Any] = Field(
        description="a schedule: version, effective_from, source, default {retain_years, "
        "accessible_years, citation, note} and rules [{kind, ...}]"
    )
    reason: str = Field(description="why the schedule changes (10+ characters)")


@api.get("/archive/retention", summary="Retention schedule versions and the one in force")
def retention_api(c: C) -> dict[str, Any]:
    data = retention.retention(c)
    return {k: data[k] for k in ("versions", "in_force", "floors", "can_propose")}


@api.post("/archive/retention", summary="Propose a retention schedule version (a second person approves)")
def retention_propose_api(c: C, body: RetentionProposal) -> dict[str, Any]:
    return retention.propose(c, body.document, body.reason)


@api.get("/archive/sources", summary="Source inventory, imports and the quarantine")
def sources_api(c: C) -> dict[str, Any]:
    return svc.sources(c)
