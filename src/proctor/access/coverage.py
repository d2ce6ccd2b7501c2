"""Control `access.coverage`: every system that matters has a current roster.

The leaver control can only prove what a roster shows. A system holding NPI with no roster, or a
vendor system whose last roster is older than its agreed cadence, cannot be evaluated — and "not
evaluable" is reported as an alert, never as a pass.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from proctor.access.tables import roster_snapshots, systems
from proctor.core.alerts import AlertDraft, Severity, Subject
from proctor.core.canonical import digest
from proctor.core.controls import ControlContext, ControlOutcome, hash_inputs


def roster_ages(conn: sa.Connection, as_of: Any) -> dict[str, Any]:
    rows = conn.execute(
        sa.select(roster_snapshots.c.system, sa.func.max(roster_snapshots.c.as_of))
        .where(roster_snapshots.c.as_of <= as_of)
        .group_by(roster_snapshots.c.system)
    ).all()
    from proctor.store.types import UTCDateTime

    decode = UTCDateTime().process_result_value
    return {s: (t if getattr(t, "tzinfo", None) else decode(t, None)) for s, t in rows}


def coverage_control(ctx: ControlContext) -> ControlOutcome:
    ws, as_of = ctx.workspace, ctx.as_of
    with ws.read() as conn:
        regs = [
            dict(r._mapping) for r in conn.execute(sa.select(systems).where(systems.c.created_at <= as_of))
        ]
        latest = roster_ages(conn, as_of)
    due = [s for s in regs if s["npi"] or s["kind"] == "vendor"]
    findings = []
    current = 0
    for s in due:
        last = latest.get(s["name"])
        cadence = timedelta(seconds=int(s["roster_cadence_seconds"]))
        if last is not None and as_of - last <= cadence:
            current += 1
            continue
        age = None if last is None else as_of - last
        findings.append(
            AlertDraft(
                control="access.coverage",
                rule_id="access.roster_missing" if last is None else "access.roster_stale",
                rule_version="1",
                title=(
                    f"No roster for {s['name']}: leavers' access cannot be evaluated"
                    if last is None
                    else f"Roster of {s['name']} is {age.days if age else 0} days old (cadence "
                    f"{cadence.days or cadence.total_seconds() / 3600:g}{' days' if cadence.days else ' h'})"
                ),
                severity=Severity.HIGH,
                subjects=(Subject("access.system", s["name"]),),
                evidence={
                    "system": s["name"],
                    "kind": s["kind"],
                    "npi": bool(s["npi"]),
                    "last_roster": last.isoformat() if last else None,
                    "age_hours": round(age.total_seconds() / 3600, 1) if age else None,
                    "cadence_hours": cadence.total_seconds() / 3600,
                    "evaluable": False,
                },
                evidence_type="access.coverage",
                dedupe_key=digest(f"access.coverage:{s['name']}:{last.isoformat() if last else 'never'}"),
            )
        )
    return ControlOutcome(
        len(due),
        hash_inputs(sorted(f"{k}:{v.isoformat()}" for k, v in latest.items())),
        findings,
        {
            "systems": len(regs),
            "must_have_roster": len(due),
            "current": current,
            "not_evaluable": len(findings),
        },
    )
