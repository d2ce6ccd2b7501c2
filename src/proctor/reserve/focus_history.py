"""Month-end totals from FOCUS reports filed before Proctor, as attested inputs.

The daily-computation threshold (15c3-3(e)(3)(i)(B)(1)) averages total credits over the twelve most
recently filed month-end computations. A firm starting on Proctor has none of its own for a year,
so the control would say "only 0 of 12 on file" when the firm may already be over $500 million.
The FINOP imports the month-end totals from the firm's filed FOCUS reports (Part II, line 11 of the
customer and the PAB computations), with an attestation that they are copied from the filed
reports; each row is a journaled record, the file itself a stored blob.

File: CSV with the header `month_end,customer_total_credits,pab_total_credits,filed_report`
(`filed_report` names the report, e.g. "FOCUS Part II, June 2025, filed 2025-07-24"). Every field
is required; a month end is the last business day of its month; a month end that already has a
computation of record, or an earlier import, is refused. Nothing is written unless every row is
good.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from datetime import date
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from proctor.core.errors import InputError
from proctor.core.roles import require
from proctor.core.workspace import Workspace
from proctor.platform.calendar import FEDERAL_RESERVE
from proctor.reserve.cadence import MonthEnd
from proctor.reserve.hindsight import is_month_end
from proctor.reserve.money import AMOUNT_PATTERN, to_cents
from proctor.reserve.permissions import RESERVE_WORK
from proctor.reserve.tables import computations, focus_history

COLUMNS = ("month_end", "customer_total_credits", "pab_total_credits", "filed_report")
MIN_ATTESTATION = 20


def _parse(path: Path) -> tuple[bytes, list[dict[str, Any]]]:
    raw = path.read_bytes()
    spath = str(path)
    reader = csv.DictReader(io.StringIO(raw.decode("utf-8-sig")))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise InputError("required column is missing", file=spath, field=missing[0])
    rows: list[dict[str, Any]] = []
    seen: set[date] = set()
    for n, row in enumerate(reader, start=1):
        values = {c: (row.get(c) or "").strip() for c in COLUMNS}
        for c in COLUMNS:
            if not values[c]:
                raise InputError("value is missing", file=spath, row=n, field=c)
        try:
            day = date.fromisoformat(values["month_end"])
        except ValueError:
            raise InputError(
                f"{values['month_end']!r} is not a date", file=spath, row=n, field="month_end"
            ) from None
        if not is_month_end(day, FEDERAL_RESERVE):
            raise InputError(
                f"{day.isoformat()} is not the last business day of its month",
                file=spath,
                row=n,
                field="month_end",
            )
        if day in seen:
            raise InputError(f"{day.isoformat()} appears twice", file=spath, row=n, field="month_end")
        seen.add(day)
        amounts = {}
        for c in ("customer_total_credits", "pab_total_credits"):
            if not re.match(AMOUNT_PATTERN, values[c]):
                raise InputError(
                    f"value {values[c]!r} is not an amount to the cent", file=spath, row=n, field=c
                )
            amounts[c] = to_cents(values[c])
        rows.append({"as_of": day, **amounts, "filed_report": values["filed_report"][:200], "row": n})
    if not rows:
        raise InputError("the file has no month ends", file=spath)
    return raw, rows


def import_month_ends(ws: Workspace, path: Path, *, actor: str, attestation: str) -> list[dict[str, Any]]:
    """Validate every row, then store them all (or nothing) as attested month-end inputs."""
    require(ws.users.get(actor), RESERVE_WORK)
    if len(attestation.strip()) < MIN_ATTESTATION:
        raise InputError(
            f"an import needs an attestation of at least {MIN_ATTESTATION} characters", field="--attest"
        )
    raw, rows = _parse(path)
    days = [r["as_of"] for r in rows]
    with ws.read() as conn:
        computed = {
            d
            for (d,) in conn.execute(
                sa.select(computations.c.as_of).where(
                    computations.c.kind == "record", computations.c.as_of.in_(days)
                )
            )
        }
        imported = {
            d
            for (d,) in conn.execute(
                sa.select(focus_history.c.as_of).where(
                    focus_history.c.as_of.in_(days), focus_history.c.status == "current"
                )
            )
        }
    for r in rows:
        if r["as_of"] in computed | imported:
            what = "a computation of record" if r["as_of"] in computed else "an imported month end"
            raise InputError(
                f"{r['as_of'].isoformat()} already has {what}",
                file=str(path),
                row=r["row"],
                field="month_end",
            )
    sha = hashlib.sha256(raw).hexdigest()
    with ws.transaction(actor) as tx:
        tx.put_blob(raw)
        return list(
            tx.insert_many(
                focus_history,
                [
                    {
                        "id": ws.ids("RMH"),
                        "as_of": r["as_of"],
                        "customer_total_credits": r["customer_total_credits"],
                        "pab_total_credits": r["pab_total_credits"],
                        "filed_report": r["filed_report"],
                        "file_sha256": sha,
                        "attestation": attestation.strip(),
                        "attested_by": actor,
                        "attested_at": ws.clock.now(),
                        "status": "current",
                    }
                    for r in rows
                ],
                "reserve.month_end.imported",
            )
        )


def imported_month_ends(ws: Workspace, since: date, until: date) -> list[MonthEnd]:
    with ws.read() as conn:
        rows = conn.execute(
            sa.select(focus_history)
            .where(
                focus_history.c.status == "current",
                focus_history.c.as_of >= since,
                focus_history.c.as_of <= until,
            )
            .order_by(focus_history.c.as_of)
        ).all()
    return [MonthEnd(r.as_of, int(r.customer_total_credits), int(r.pab_total_credits)) for r in rows]


def list_imported(ws: Workspace) -> list[dict[str, Any]]:
    with ws.read() as conn:
        return [
            dict(r._mapping) for r in conn.execute(sa.select(focus_history).order_by(focus_history.c.as_of))
        ]
