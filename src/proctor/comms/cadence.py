"""`comms.source_cadence`: every registered source is connected and delivers within its cadence.

The online-broker case's group mailboxes and customer-service platform were never connected, and
nothing said so. Here a source registered but never connected (or disconnected) is an alert from
the first run, and a connected source with no completed import within its cadence is one too.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from proctor.comms.completeness import registered_sources
from proctor.comms.tables import imports
from proctor.core.alerts import AlertDraft, Severity, Subject
from proctor.core.canonical import digest
from proctor.core.controls import ControlContext, ControlOutcome, hash_inputs

__all__ = ["source_cadence"]


def _last_delivery(conn: sa.Connection, source: str, as_of: datetime) -> dict[str, Any] | None:
    row = conn.execute(
        sa.select(imports.c.id, imports.c.ended_at, imports.c.read_count)
        .where(imports.c.source == source, imports.c.status == "complete", imports.c.ended_at <= as_of)
        .order_by(imports.c.ended_at.desc(), imports.c.id.desc())
        .limit(1)
    ).first()
    return dict(row._mapping) if row is not None else None


def source_cadence(ctx: ControlContext) -> ControlOutcome:
    """Every registered source connected, and delivering at least once per its cadence."""
    ws = ctx.workspace
    findings: list[AlertDraft] = []
    table: list[dict[str, Any]] = []
    with ws.read() as conn:
        for source in registered_sources(ws):
            last = _last_delivery(conn, source["name"], ctx.as_of)
            row = {
                "source": source["name"],
                "kind": source["kind"],
                "owner": source["owner"],
                "capture_state": source["capture_state"],
                "connected_at": source["connected_at"].isoformat() if source["connected_at"] else None,
                "cadence_hours": source["cadence_hours"],
                "last_delivery": last["ended_at"].isoformat() if last else None,
                "last_import": last["id"] if last else None,
            }
            table.append(row)
            draft = _cadence_finding(source, row, last, ctx.as_of)
            if draft is not None:
                findings.append(draft)
    return ControlOutcome(
        input_count=len(table),
        input_hash=hash_inputs([(r["source"], r["capture_state"], r["last_delivery"]) for r in table]),
        findings=findings,
        summary={"sources": len(table), "findings": len(findings)},
    )


def _cadence_finding(
    source: dict[str, Any], row: dict[str, Any], last: dict[str, Any] | None, as_of: datetime
) -> AlertDraft | None:
    name, cadence = source["name"], timedelta(hours=source["cadence_hours"])
    if source["capture_state"] == "never_connected":
        rule, title, key = (
            "comms.cadence.never_connected",
            f"Source {name} is registered but was never connected for capture",
            "never",
        )
    elif source["capture_state"] == "disconnected":
        rule, title, key = (
            "comms.cadence.disconnected",
            f"Source {name} is disconnected from capture",
            f"off:{row['connected_at']}",
        )
    else:
        since = last["ended_at"] if last else source["connected_at"]
        if since is None or as_of - since <= cadence:
            return None
        hours = round((as_of - since).total_seconds() / 3600, 1)
        if last:
            title = f"Source {name} last delivered {hours} h ago; its cadence is {source['cadence_hours']} h"
        else:
            title = (
                f"Source {name} was connected {hours} h ago and has delivered nothing; "
                f"cadence {source['cadence_hours']} h"
            )
        rule, key = "comms.cadence.late", f"late:{row['last_delivery']}:{row['connected_at']}"
    return AlertDraft(
        control="comms.source_cadence",
        rule_id=rule,
        rule_version="1",
        title=title,
        severity=Severity.HIGH,
        subjects=(Subject("comms.source", name),),
        evidence={**row, "as_of": as_of.isoformat()},
        evidence_type="comms.cadence",
        dedupe_key=digest({"c": "comms.cadence", "s": name, "k": key}),
    )
