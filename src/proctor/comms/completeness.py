"""Completeness controls: prove every source delivered, and everything delivered was kept and found.

The online-broker case ran six years without anyone noticing that a migration had deleted a copy
feature and that three systems dropped messages. Each control answers one way that happens (this
module holds the first and what the three share; `volume` and `cadence` the other two):

* ``comms.capture_completeness``: per source and day, what the source reported (its manifest),
  what the importer accepted, what is stored and what is indexed must all agree; any difference is
  an alert naming the source, the day and the missing items. Quarantined items are an alert too:
  they are kept, but nobody can search or review them until someone deals with them.
* ``comms.volume_anomaly``: a source delivering nothing, or far below its own baseline, is an
  alert in the first run after the day ends: stopping on day D is caught as of D+1.
* ``comms.source_cadence``: every registered source delivered within its cadence; a source that
  is registered but was never connected (or was disconnected) is an alert from day one.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from proctor.comms.counts import DayFigures, figures_for, importer_days
from proctor.comms.counts import latest_manifests as _manifests
from proctor.comms.days import complete_days, local_day, zone_of
from proctor.comms.tables import imports, quarantine, sources
from proctor.core.alerts import AlertDraft, Severity, Subject
from proctor.core.canonical import digest
from proctor.core.controls import ControlContext, ControlOutcome, hash_inputs

RULE = "SEA 17a-4(b)(4); FINRA 4511"
DEFAULTS: dict[str, Any] = {
    "lookback_days": 7,  # complete days each run re-checks (covers a missed run or two)
    "baseline_weeks": 4,  # the same weekday in this many previous weeks is the baseline
    "low_ratio": 0.25,  # "far below": under a quarter of the baseline ...
    "low_min_expected": 8,  # ... when the baseline is at least this many messages a day
    "silent_min_expected": 3,  # a zero day is silence when the baseline is at least this
    "max_day_alerts": 25,  # per source and run; further days are listed in one more alert
}
_LIST_CAP = 200


def param(ctx: ControlContext, key: str) -> Any:
    return ctx.params.get(key, DEFAULTS[key])


def registered_sources(ws: Any) -> list[dict[str, Any]]:
    with ws.read() as conn:
        return [dict(r._mapping) for r in conn.execute(sa.select(sources).order_by(sources.c.name))]


# --- capture completeness ---------------------------------------------------------------------------


def _day_problem(source: dict[str, Any], f: DayFigures) -> dict[str, Any] | None:
    stored = len(f.stored)
    indexed = f.indexed
    evidence: dict[str, Any] = {
        "source": source["name"],
        "kind": source["kind"],
        "day": f.day.isoformat(),
        "reported_by_source": f.manifest["count"] if f.manifest else None,
        "accepted_by_importer": f.importer,
        "stored": stored,
        "indexed": indexed,
    }
    problems = []
    missing: list[str] = []
    if f.manifest is not None:
        if f.manifest["count"] != stored:
            problems.append(f"source reported {f.manifest['count']}, {stored} stored")
        if f.manifest.get("ids"):
            known = {c.id for c in f.stored} | {c.message_id for c in f.stored if c.message_id}
            missing = [i for i in f.manifest["ids"] if i not in known]
            if missing and f.manifest["count"] == stored:
                problems.append(f"{len(missing)} listed by the source are not stored")
        elif f.manifest["count"] > stored:
            evidence["missing_note"] = "the manifest gives a count only, so the missing items cannot be named"
    if f.importer != stored:
        problems.append(f"importer accepted {f.importer}, {stored} stored")
    if indexed != stored:
        problems.append(f"{stored - indexed} stored but not indexed")
    if not problems:
        return None
    evidence["problems"] = problems
    evidence["missing_items"] = missing[:_LIST_CAP]
    evidence["missing_count"] = len(missing)
    unindexed = [c.id for c in f.stored if not c.indexed]
    evidence["unindexed_items"] = unindexed[:_LIST_CAP]
    evidence["unindexed_count"] = len(unindexed)
    return evidence


def _days_to_check(ctx: ControlContext, conn: sa.Connection, source: dict[str, Any]) -> set[date]:
    lookback = int(param(ctx, "lookback_days"))
    zone = zone_of(source["timezone"])
    days = set(complete_days(ctx.as_of, zone, lookback))
    _, recent = importer_days(conn, source["name"], ctx.as_of, lookback)
    days |= {d for d in recent if d <= local_day(ctx.as_of, zone)}
    window_start = ctx.as_of - timedelta(days=lookback)
    for day, manifest in _manifests(conn, source["name"], ctx.as_of).items():
        if manifest["added_at"] > window_start or day in days:
            days.add(day)
    return days


def _quarantine_findings(
    ctx: ControlContext, conn: sa.Connection, source: dict[str, Any]
) -> list[AlertDraft]:
    since = ctx.as_of - timedelta(days=int(param(ctx, "lookback_days")))
    batches = conn.execute(
        sa.select(imports).where(
            imports.c.source == source["name"],
            imports.c.quarantined > 0,
            imports.c.started_at <= ctx.as_of,
            sa.or_(imports.c.ended_at.is_(None), imports.c.ended_at > since),
        )
    ).all()
    findings = []
    for batch in batches:
        rows = conn.execute(
            sa.select(quarantine.c.origin, quarantine.c.reason, quarantine.c.blob_sha256)
            .where(quarantine.c.import_id == batch.id)
            .order_by(quarantine.c.origin)
            .limit(_LIST_CAP)
        ).all()
        findings.append(
            AlertDraft(
                control="comms.capture_completeness",
                rule_id="comms.capture.quarantined",
                rule_version="1",
                title=f"Source {source['name']}: {batch.quarantined} item(s) quarantined "
                f"in import {batch.id}",
                severity=Severity.MEDIUM,
                subjects=(Subject("comms.source", source["name"]), Subject("comms.import", batch.id)),
                evidence={
                    "source": source["name"],
                    "import_id": batch.id,
                    "path": batch.path,
                    "read": batch.read_count,
                    "quarantined": batch.quarantined,
                    "items": [{"origin": r.origin, "reason": r.reason, "blob": r.blob_sha256} for r in rows],
                },
                evidence_type="comms.quarantine",
                dedupe_key=digest({"c": "comms.quarantine", "import": batch.id, "n": batch.quarantined}),
            )
        )
    return findings


def capture_completeness(ctx: ControlContext) -> ControlOutcome:
    """Reported = accepted = stored = indexed, per source and day."""
    ws = ctx.workspace
    cap = int(param(ctx, "max_day_alerts"))
    findings: list[AlertDraft] = []
    cells: list[tuple[str, str, Any, int, int, int]] = []
    with ws.read() as conn:
        for source in registered_sources(ws):
            days = _days_to_check(ctx, conn, source)
            problems = []
            for f in figures_for(conn, source["name"], source["timezone"], days, ctx.as_of):
                reported = f.manifest["count"] if f.manifest else None
                cells.append(
                    (source["name"], f.day.isoformat(), reported, f.importer, len(f.stored), f.indexed)
                )
                problem = _day_problem(source, f)
                if problem is not None:
                    problems.append(problem)
            for evidence in problems[:cap]:
                findings.append(_day_alert(source, evidence))
            if len(problems) > cap:
                findings.append(_overflow_alert(source, problems[cap:]))
            findings.extend(_quarantine_findings(ctx, conn, source))
    return ControlOutcome(
        input_count=len(cells),
        input_hash=hash_inputs(cells),
        findings=findings,
        summary={
            "sources": len({c[0] for c in cells}),
            "source_days": len(cells),
            "stored": sum(c[4] for c in cells),
            "findings": len(findings),
        },
    )


def _day_alert(source: dict[str, Any], evidence: dict[str, Any]) -> AlertDraft:
    figures = {k: evidence[k] for k in ("reported_by_source", "accepted_by_importer", "stored", "indexed")}
    return AlertDraft(
        control="comms.capture_completeness",
        rule_id="comms.capture.count_mismatch",
        rule_version="1",
        title=f"Source {source['name']} on {evidence['day']}: {'; '.join(evidence['problems'])}",
        severity=Severity.HIGH,
        subjects=(Subject("comms.source", source["name"]), Subject("comms.day", evidence["day"])),
        evidence=evidence,
        evidence_type="comms.capture",
        dedupe_key=digest({"c": "comms.capture", "s": source["name"], "d": evidence["day"], **figures}),
    )


def _overflow_alert(source: dict[str, Any], rest: list[dict[str, Any]]) -> AlertDraft:
    rows = [
        {k: e[k] for k in ("day", "reported_by_source", "accepted_by_importer", "stored", "indexed")}
        for e in rest
    ]
    return AlertDraft(
        control="comms.capture_completeness",
        rule_id="comms.capture.count_mismatch",
        rule_version="1",
        title=f"Source {source['name']}: {len(rest)} more day(s) whose counts do not reconcile",
        severity=Severity.HIGH,
        subjects=(Subject("comms.source", source["name"]),),
        evidence={"source": source["name"], "days": rows[:_LIST_CAP], "day_count": len(rest)},
        evidence_type="table",
        dedupe_key=digest({"c": "comms.capture.more", "s": source["name"], "days": rows}),
    )
