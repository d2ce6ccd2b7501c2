"""CSV export of any list, streamed so a 100,000-alert queue never sits in memory as one string.

Cells that a spreadsheet would execute (leading =, +, -, @) are prefixed with a quote: an export
opened by an examiner must not run formulas planted in an alert title.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from fastapi.responses import StreamingResponse

from proctor.core.clock import iso_utc
from proctor.platform.alerts import AlertQuery
from proctor.web.guard import Ctx

ALERT_COLUMNS = [
    "id",
    "created_at",
    "module",
    "control",
    "rule_id",
    "severity",
    "status",
    "disposition",
    "title",
    "subject_text",
    "assignee",
    "due_at",
    "closed_at",
    "case_id",
    "proposed_by",
    "approved_by",
]


def safe_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return iso_utc(value)
    text = value if isinstance(value, str) else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_lines(columns: Sequence[str], rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([safe_cell(row.get(c)) for c in columns])
        if buffer.tell() > 64 * 1024:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def csv_response(name: str, columns: Sequence[str], rows: Iterable[dict[str, Any]]) -> StreamingResponse:
    return StreamingResponse(
        csv_lines(columns, rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


def all_alerts(ctx: Ctx, query: AlertQuery, batch: int = 1000) -> Iterator[dict[str, Any]]:
    """Every alert the filters match and the user may see, fetched a page at a time."""
    page = 1
    while True:
        rows, total = ctx.ws.alerts.query(replace(query, page=page, page_size=batch), ctx.user)
        yield from rows
        if page * batch >= total or not rows:
            return
        page += 1
