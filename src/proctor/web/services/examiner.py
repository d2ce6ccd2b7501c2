"""The examiner's view: what a FINRA Rule 8210 request asks for, for one period and custodian.

An 8210 request names a period and usually people; the firm answers with the records, the alerts
its surveillance raised, the reviews done and proof the controls ran. This page gathers them,
read only, from the modules' own services: the archive's search for records, the alerts table
(by the as-of of the run that raised each alert), the review module's evidence of review, the
control runs, and the comms productions with their verification against the journal's key.

A production is made by the archive's production service, which decides who may (it needs
`npi.view`, which auditors hold: a production is a journaled copy, not a change to any record).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from proctor.comms.search import SearchQuery, search
from proctor.core.clock import iso_utc, parse_iso
from proctor.core.errors import InputError
from proctor.core.roles import ALERT_VIEW_ALL, NPI_VIEW, require
from proctor.review.decisions import review_log
from proctor.store.schema import alerts, control_runs
from proctor.web.guard import Ctx
from proctor.web.services import archive

LIMIT = 200  # rows per section in the page and its JSON; the CSV sections go to EXPORT_LIMIT
EXPORT_LIMIT = 100_000
REVIEW_WINDOW = 20_000  # most recently worked review items scanned for evidence of review


def _day(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(f"{field}: not a date (YYYY-MM-DD): {text!r}", field=field) from None


@dataclass(frozen=True)
class Request8210:
    """A period (inclusive days, UTC) and an optional custodian (an address or identity)."""

    since: str
    until: str
    custodian: str = ""

    def bounds(self) -> tuple[datetime, datetime]:
        start, end = _day(self.since, "since"), _day(self.until, "until")
        if start > end:
            raise InputError("the start of the period is after its end", field="since")
        return parse_iso(f"{start.isoformat()}T00:00:00+00:00"), parse_iso(
            f"{(end + timedelta(days=1)).isoformat()}T00:00:00+00:00"
        )

    def params(self) -> dict[str, str]:
        return {k: v for k, v in asdict(self).items() if v}


def _records(ctx: Ctx, req: Request8210, start: datetime, end: datetime, limit: int) -> dict[str, Any]:
    query = SearchQuery(
        participant=req.custodian.strip() or None,
        since=start,
        until=end - timedelta(microseconds=1),
        order="oldest",
        limit=limit,
    )
    with ctx.ws.read() as conn:
        result = search(conn, query)
    return {"rows": result.hits, "more": result.more, "total": result.total}


def _alerts(ctx: Ctx, req: Request8210, start: datetime, end: datetime, limit: int) -> list[dict[str, Any]]:
    """Alerts whose finding falls in the period: the raising run's as-of, else when written."""
    as_of = sa.func.coalesce(control_runs.c.as_of, alerts.c.created_at)
    stmt = (
        sa.select(
            alerts.c.id,
            alerts.c.control,
            alerts.c.title,
            alerts.c.severity,
            alerts.c.status,
            alerts.c.disposition,
            alerts.c.assignee,
            alerts.c.case_id,
            alerts.c.subject_text,
            as_of.label("as_of"),
            alerts.c.closed_at,
        )
        .select_from(alerts.outerjoin(control_runs, control_runs.c.id == alerts.c.run_id))
        .where(as_of >= start, as_of < end)
        .order_by(as_of, alerts.c.id)
        .limit(limit)
    )
    if req.custodian.strip():
        stmt = stmt.where(alerts.c.subject_text.ilike(f"%{req.custodian.strip()}%"))
    with ctx.ws.read() as conn:
        return [dict(r._mapping) for r in conn.execute(stmt)]


def _reviews(
    ctx: Ctx, start: datetime, end: datetime, alert_ids: set[str] | None, limit: int
) -> list[dict[str, Any]]:
    low, high = iso_utc(start), iso_utc(end)
    out = [
        e
        for e in review_log(ctx.ws, REVIEW_WINDOW)
        if low <= str(e["at"]) < high and (alert_ids is None or e["alert_id"] in alert_ids)
    ]
    return out[:limit]


def _runs(ctx: Ctx, start: datetime, end: datetime, limit: int) -> list[dict[str, Any]]:
    c = control_runs.c
    stmt = (
        sa.select(
            c.id,
            c.control,
            c.as_of,
            c.outcome,
            c.input_count,
            c.input_hash,
            c.findings,
            c.alerts_raised,
            c.actor,
        )
        .where(c.as_of >= start, c.as_of < end)
        .order_by(c.as_of, c.control)
        .limit(limit)
    )
    with ctx.ws.read() as conn:
        return [dict(r._mapping) for r in conn.execute(stmt)]


def package(ctx: Ctx, req: Request8210 | None, verified: str = "", limit: int = LIMIT) -> dict[str, Any]:
    """Everything the period and custodian select, plus the productions already made."""
    require(ctx.user, ALERT_VIEW_ALL)
    productions = archive.productions(ctx)
    data: dict[str, Any] = {
        "req": req.params() if req else {},
        "productions": productions,
        "report": archive.verify(ctx, verified) if verified else None,
        "verified": verified,
        "can_produce": ctx.can(NPI_VIEW),
    }
    if req is None:
        return data
    start, end = req.bounds()
    found = _alerts(ctx, req, start, end, limit)
    with_custodian = {a["id"] for a in found} if req.custodian.strip() else None
    return {
        **data,
        "records": _records(ctx, req, start, end, limit),
        "alerts": found,
        "reviews": _reviews(ctx, start, end, with_custodian, limit),
        "runs": _runs(ctx, start, end, limit),
        "limit": limit,
    }


def produce(ctx: Ctx, req: Request8210, request_name: str) -> dict[str, Any]:
    """A production of the period's records for the custodian, through the archive's service."""
    require(ctx.user, ALERT_VIEW_ALL)
    start, end = req.bounds()
    query = SearchQuery(
        participant=req.custodian.strip() or None, since=start, until=end - timedelta(microseconds=1)
    )
    return archive.produce(ctx, request_name, query)


SECTIONS = {
    "alerts": ["id", "control", "title", "severity", "status", "disposition", "assignee", "case_id",
               "subject_text", "as_of", "closed_at"],
    "reviews": ["at", "reviewer", "alert_id", "message_id", "action", "disposition", "rationale",
                "journal_seq"],
    "runs": ["id", "control", "as_of", "outcome", "input_count", "input_hash", "findings",
             "alerts_raised", "actor"],
    "records": ["id", "source", "sent_at", "sender", "subject"],
}  # fmt: skip


def section_rows(ctx: Ctx, req: Request8210, section: str) -> list[dict[str, Any]]:
    """A whole section for the CSV (up to EXPORT_LIMIT rows), not the page's first rows."""
    data = package(ctx, req, limit=EXPORT_LIMIT)
    if section == "records":
        return list(data["records"]["rows"])
    return list(data[section])
