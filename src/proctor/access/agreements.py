"""Transitional access after an acquisition: who may keep an account on a system, and until when.

In the case, the deal allowed certain acquired representatives to keep the insurer's system until a
sunset date; others kept access nobody had agreed to, and nobody knew. A system with an agreement
list is checked account by account: an active account of a person not on the list, or past the end
of their sunset date in the firm's time zone, is an alert.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from proctor.access.correlation import links_at
from proctor.access.people import zone_of
from proctor.access.permissions import ACCESS_MANAGE
from proctor.access.tables import accounts, agreements, people, systems
from proctor.core.alerts import AlertDraft, Severity, Subject
from proctor.core.canonical import digest
from proctor.core.errors import InputError
from proctor.core.roles import require
from proctor.platform import intake

COLUMNS = ("employee_id", "name", "email", "system", "sunset_date")


def _day(text: str) -> str | None:
    try:
        date.fromisoformat(text)
    except ValueError:
        return f"not a date (YYYY-MM-DD): {text!r}"
    return None


INTAKE = (
    intake.Column("employee_id"),
    intake.Column("name"),
    intake.Column("email"),
    intake.Column("system", required=True),
    intake.Column("sunset_date", required=True, check=_day),
)


def sunset_end(day: date, zone: Any) -> datetime:
    """Access is allowed through the end of the sunset date where the firm is."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)


def import_agreements(ws: Any, path: Path, *, actor: str) -> dict[str, Any]:
    """Replace the agreement list of each system named in the file; bad rows are quarantined."""
    require(ws.users.get(actor), ACCESS_MANAGE)
    data = intake.read_bytes(path)
    file = str(path)
    table = intake.read_csv(
        data,
        file,
        INTAKE,
        quarantine=True,
        missing_message=lambda m: f"expected columns {','.join(COLUMNS)} (missing {', '.join(m)})",
    )
    if "employee_id" not in table.header and "email" not in table.header:
        raise InputError(f"expected columns {','.join(COLUMNS)}", file=file, row=1, field="employee_id")
    good: list[dict[str, Any]] = []
    with ws.read() as conn:
        known_systems = {r.name for r in conn.execute(sa.select(systems.c.name))}
        ids = {
            r.employee_id: r.work_email
            for r in conn.execute(sa.select(people.c.employee_id, people.c.work_email))
        }
    by_email = {e.lower(): i for i, e in ids.items() if e}
    for row in list(table.rows):
        try:
            if row.get("system") not in known_systems:
                raise row.error("system", f"unknown system {row.get('system')!r}")
            eid = row.get("employee_id")
            if eid and eid not in ids:
                raise row.error("employee_id", f"no person with employee id {eid!r}")
            if not eid:
                eid = by_email.get(row.get("email").lower(), "")
                if not eid:
                    raise row.error("email", f"no person with e-mail {row.get('email')!r}")
            good.append(
                {
                    "system": row.get("system"),
                    "employee_id": eid,
                    "name": row.get("name"),
                    "email": row.get("email").lower(),
                    "sunset_date": date.fromisoformat(row.get("sunset_date")),
                }
            )
        except InputError as exc:
            intake.accept(table, row, exc, quarantine=True)
    errors: list[dict[str, Any]] = sorted(
        ({"file": file, "row": q.row, "field": q.field, "error": q.reason} for q in table.quarantined),
        key=lambda e: int(e["row"] or 0),
    )
    if not good and errors:
        raise InputError(
            f"no usable rows ({len(errors)} quarantined): {errors[0]['error']}",
            file=file,
            row=errors[0]["row"],
            field=errors[0]["field"],
        )
    named = sorted({g["system"] for g in good})
    with ws.transaction(actor) as tx:
        sha = tx.put_blob(data)
        for old in tx.conn.execute(
            sa.select(agreements.c.id).where(agreements.c.system.in_(named), agreements.c.status == "current")
        ).all():
            tx.update(agreements, old.id, {"status": "superseded"}, "access.agreement.superseded")
        now = ws.clock.now()
        tx.insert_many(
            agreements,
            [
                {
                    **g,
                    "id": ws.ids("agr"),
                    "import_sha256": sha,
                    "source": path.name,
                    "status": "current",
                    "imported_by": actor,
                    "imported_at": now,
                }
                for g in good
            ],
            "access.agreement.imported",
        )
        if errors:
            from proctor.core.alerts import Subject as S

            tx.event("access.agreement.quarantined", S("access.agreement_import", sha), {"errors": errors})
    return {"rows": len(good), "systems": named, "quarantined": len(errors), "errors": errors, "sha256": sha}


def findings(ws: Any, conn: sa.Connection, as_of: datetime) -> tuple[int, list[AlertDraft]]:
    zone = zone_of(ws)
    rows = [
        dict(r._mapping)
        for r in conn.execute(
            sa.select(agreements).where(agreements.c.status == "current", agreements.c.imported_at <= as_of)
        )
    ]
    if not rows:
        return 0, []
    allowed: dict[tuple[str, str], date] = {}
    for r in rows:
        key = (r["system"], r["employee_id"])
        allowed[key] = max(allowed.get(key, r["sunset_date"]), r["sunset_date"])
    covered = sorted({r["system"] for r in rows})
    npi = {r.name for r in conn.execute(sa.select(systems.c.name).where(systems.c.npi.is_(True)))}
    known = links_at(conn, as_of)  # whose account it was as the links stood at the run's instant
    accts: list[dict[str, Any]] = []
    for row in conn.execute(
        sa.select(accounts).where(
            accounts.c.system.in_(covered),
            accounts.c.status.in_(("active", "unknown")),
            accounts.c.first_seen <= as_of,
        )
    ):
        situation, eid, _ = known.get((row.system, row.login_id), ("unmatched", None, ""))
        if situation == "linked" and eid is not None:
            accts.append({**dict(row._mapping), "employee_id": eid})
    out = []
    for a in accts:
        sunset = allowed.get((a["system"], a["employee_id"]))
        if sunset is not None and as_of < sunset_end(sunset, zone):
            continue
        kind = "not_agreed" if sunset is None else "past_sunset"
        title = (
            f"Account outside the transitional agreement: {a['login_id']} on {a['system']}"
            if sunset is None
            else f"Account past its sunset ({sunset.isoformat()}): {a['login_id']} on {a['system']}"
        )
        out.append(
            AlertDraft(
                control="access.leavers",
                rule_id=f"access.agreement.{kind}",
                rule_version="1",
                title=title,
                severity=Severity.HIGH if a["system"] in npi else Severity.MEDIUM,
                subjects=(Subject("access.person", a["employee_id"]), Subject("access.account", a["id"])),
                evidence={
                    "finding": kind,
                    "system": a["system"],
                    "login_id": a["login_id"],
                    "employee_id": a["employee_id"],
                    "display_name": a["display_name"],
                    "sunset_date": sunset.isoformat() if sunset else None,
                    "allowed_until": sunset_end(sunset, zone).isoformat() if sunset else None,
                    "timezone": str(zone),
                },
                evidence_type="access.agreement",
                dedupe_key=digest(f"access.agreement:{kind}:{a['id']}"),
            )
        )
    return len(rows), out
