"""A case's investigation: the fields form, attachments (upload, download), linked messages; /api twins.

These routes sit in front of `/cases/{id}/{action}` (they are included first), so their own paths
(`investigation`, `attachments`, `messages`) are never read as a workflow action.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from proctor.web.guard import Ctx, ctx
from proctor.web.render import redirect
from proctor.web.services import cases_pages as svc

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api", tags=["cases"])
C = Annotated[Ctx, Depends(ctx)]
Text = Annotated[str | None, Form()]


@pages.post("/cases/{case_id}/investigation")
def investigation_form(
    request: Request, c: C, case_id: str, summary: Text = None, subject_person: Text = None,
    outcome: Text = None, due_date: Text = None, reportable_4530: Text = None,
    rule_4530_paragraph: Text = None, filing_date: Text = None,
) -> Response:  # fmt: skip
    result = svc.record(c, case_id, {
        "summary": summary, "subject_person": subject_person, "outcome": outcome, "due_date": due_date,
        "reportable_4530": reportable_4530, "rule_4530_paragraph": rule_4530_paragraph,
        "filing_date": filing_date,
    })  # fmt: skip
    note = "Investigation updated" if result["changed"] else "Nothing changed"
    return redirect(request, f"/cases/{case_id}#investigation", note)


@pages.post("/cases/{case_id}/attachments")
async def attachment_form(
    request: Request, c: C, case_id: str, file: Annotated[UploadFile, File()]
) -> Response:
    data = await file.read()
    entry = await run_in_threadpool(
        svc.attach, c, case_id, file.filename or "", data, file.content_type or ""
    )
    return redirect(request, f"/cases/{case_id}#attachments", f"Attached {entry['filename']}")


@pages.get("/cases/{case_id}/attachments/{sha256}")
def attachment_download(c: C, case_id: str, sha256: str) -> Response:
    entry, data = svc.attachment(c, case_id, sha256)
    safe = "".join(ch if ch.isalnum() or ch in "._- " else "_" for ch in entry["filename"])
    headers = {"content-disposition": f'attachment; filename="{safe}"'}
    return Response(data, media_type="application/octet-stream", headers=headers)


@pages.post("/cases/{case_id}/messages")
def message_form(
    request: Request, c: C, case_id: str, message_id: Annotated[str, Form()] = "", note: Text = None
) -> Response:
    svc.link_message(c, case_id, message_id, note or "")
    return redirect(request, f"/cases/{case_id}#messages", "Message linked to the case")


class InvestigationBody(BaseModel):
    summary: str | None = Field(None, description="what is being investigated and what was found")
    subject_person: str | None = Field(None, description="the person the case is about (an identity)")
    outcome: str | None = Field(None, description="one of the outcomes listed on the case page")
    due_date: str | None = Field(None, description="YYYY-MM-DD")
    reportable_4530: str | None = Field(None, description="yes, no, or empty for not yet determined")
    rule_4530_paragraph: str | None = Field(None, description="e.g. (a)(1)(B) or (b)")
    filing_date: str | None = Field(None, description="YYYY-MM-DD the 4530 filing was made")


class LinkBody(BaseModel):
    message_id: str
    note: str = ""


@api.get("/cases/{case_id}/investigation", summary="The case's investigation fields, messages, attachments")
def investigation_api(c: C, case_id: str) -> dict[str, Any]:
    return svc.page(c, case_id)


@api.post("/cases/{case_id}/investigation", summary="Change investigation fields (only those sent)")
def investigation_change_api(c: C, case_id: str, body: InvestigationBody) -> dict[str, Any]:
    return svc.record(c, case_id, body.model_dump(exclude_unset=True))


@api.post("/cases/{case_id}/attachments", summary="Attach a file (stored in the blob store, journaled)")
async def attachment_api(c: C, case_id: str, file: Annotated[UploadFile, File()]) -> dict[str, Any]:
    data = await file.read()
    return await run_in_threadpool(svc.attach, c, case_id, file.filename or "", data, file.content_type or "")


@api.post("/cases/{case_id}/messages", summary="Link an archived message to the case")
def message_api(c: C, case_id: str, body: LinkBody) -> dict[str, Any]:
    return svc.link_message(c, case_id, body.message_id, body.note)
