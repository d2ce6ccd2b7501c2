"""The coverage register: every person and account is captured and in review scope, or exempt.

The online broker's procedures never said how to verify that each mailbox and account was
connected to review selection; ~120 group mailboxes and a customer-service platform were not,
and nobody knew for six years. This is that verification, as a daily control:

1. **captured** — a *connected* capture source lists the entry's address (or the entry names the
   source as its platform);
2. **in review scope** — an active policy version's population covers the entry for a source that
   captures it, decided by the same ``in_scope`` function selection uses, so the register can
   never claim coverage that selection does not apply;
3. otherwise an approved, unexpired **exemption** names it.

Anything else is a gap, and a gap is an alert from the first run that sees it. Sources are checked
too: one whose captured messages were evaluated but none was in any policy's scope is a gap. Each
report is kept as a record: its JSON as a blob and a journaled row pointing at it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from proctor.comms.api import list_sources, message_counts_by_source
from proctor.core.alerts import AlertDraft, Severity, Subject
from proctor.core.canonical import dumps, sha256_hex
from proctor.core.controls import ControlContext, ControlOutcome, RecordWriter, hash_inputs
from proctor.platform.directory import identities, list_entries, person_directory
from proctor.review import coverage_truth
from proctor.review.exemptions import coverage_key, in_force
from proctor.review.selection import ReviewMessage, in_scope
from proctor.review.store import ActiveVersion, active_versions
from proctor.review.tables import coverage_reports, evaluations

if TYPE_CHECKING:
    from proctor.platform.workspace import Workspace

CONTROL = "review.coverage"
KIND_LABELS = {
    "person": "Person",
    "mailbox": "Mailbox",
    "group_mailbox": "Group mailbox",
    "chat_account": "Chat account",
    "customer_service_account": "Customer-service account",
    "source": "Capture source",
}
GAP_TEXT = {
    "not_captured": "no connected capture source captures it",
    "not_in_review_scope": "no active review policy covers it",
    "source_not_in_review_scope": "its messages were evaluated, and none was in any active policy's scope",
    **coverage_truth.GAP_TEXT,
}


def _scope(
    versions: list[ActiveVersion],
    ids: list[str],
    capturing: list[str],
    directory: dict[str, list[str]] | None,
    as_of: datetime,
) -> list[dict[str, Any]]:
    """The active policies (and their populations) that would select from this entry's messages."""
    found: dict[str, dict[str, Any]] = {}
    for version in versions:
        policy = version.policy
        for ident in ids:
            for source in capturing or [""]:
                probe = ReviewMessage(
                    id="coverage-probe",
                    content_hash="coverage-probe",
                    sender=ident,
                    recipients=(),
                    source=source,
                    direction="unknown",
                    sent_at=as_of,
                    text="",
                )
                covered, populations = in_scope(policy, probe, directory)
                heightened = [
                    h.person for h in policy.heightened if h.person == ident and h.active_on(as_of.date())
                ]
                if covered or heightened:
                    entry = found.setdefault(
                        policy.id,
                        {
                            "policy": policy.id,
                            "version_id": version.id,
                            "populations": set(),
                            "sources": set(),
                        },
                    )
                    entry["populations"].update(populations or ["heightened supervision"])
                    if source:
                        entry["sources"].add(source)
    return [
        {**v, "populations": sorted(v["populations"]), "sources": sorted(v["sources"])}
        for _, v in sorted(found.items())
    ]


def _source_stats(conn: sa.Connection, version_ids: list[str]) -> dict[str, dict[str, int]]:
    stats: dict[str, dict[str, int]] = {}
    for source, n in message_counts_by_source(conn).items():
        stats.setdefault(source, {})["messages"] = n
    if version_ids:
        base = sa.select(evaluations.c.source, sa.func.count(sa.distinct(evaluations.c.message_id))).where(
            evaluations.c.version_id.in_(version_ids)
        )
        for source, n in conn.execute(base.group_by(evaluations.c.source)):
            stats.setdefault(source, {})["evaluated"] = int(n)
        for source, n in conn.execute(
            base.where(evaluations.c.in_scope.is_(True)).group_by(evaluations.c.source)
        ):
            stats.setdefault(source, {})["in_scope"] = int(n)
    return stats


def coverage_report(ws: Workspace, as_of: datetime) -> dict[str, Any]:
    """The register as of `as_of`: each entry and source with its capture, scope and status."""
    with ws.read() as conn:
        entries = list_entries(conn)
        sources = list_sources(conn)
        versions = active_versions(conn)
        exempt = in_force(conn, as_of.date())
        stats = _source_stats(conn, [v.id for v in versions])
    directory = person_directory(entries)
    connected = {s["name"] for s in sources if s["capture_state"] == "connected"}
    known = {s["name"] for s in sources}
    captures: dict[str, set[str]] = {}
    for source in sources:
        if source["name"] in connected:
            for ident in source["covered"]:
                captures.setdefault(ident.strip().lower(), set()).add(source["name"])
    warnings = []
    rows = []
    for entry in entries:
        ids = identities(entry)
        capturing = set().union(*(captures.get(i, set()) for i in ids))
        if entry["platform"]:
            if entry["platform"] in connected:
                capturing.add(entry["platform"])
            else:
                state = "not registered" if entry["platform"] not in known else "not connected"
                warnings.append(f"{entry['id']} names platform {entry['platform']}, which is {state}")
        scope = _scope(versions, ids, sorted(capturing), directory, as_of)
        gaps = [g for g, bad in (("not_captured", not capturing), ("not_in_review_scope", not scope)) if bad]
        rows.append(
            {
                "target": entry["id"],
                "kind": entry["kind"],
                "display_name": entry["display_name"],
                "owner": entry["owner"],
                "captured_by": sorted(capturing),
                "policies": scope,
                "gaps": gaps,
                **_status(gaps, exempt.get(entry["id"])),
            }
        )
    rows.extend(_source_rows(sources, versions, stats, exempt))
    coverage_truth.settle(rows, exempt, _status)
    for version in versions:
        for population in version.policy.populations:
            for name in sorted(population.sources - known):
                warnings.append(
                    f"policy {version.policy.id} population {population.name} names source {name}, "
                    "which is not registered"
                )
    if directory is None:
        warnings.append("the firm directory is empty: import it with `proctor review directory import`")
    if not versions:
        warnings.append("no review policy is active")
    totals = {
        status: sum(1 for r in rows if r["status"] == status) for status in ("covered", "exempt", "gap")
    }
    return {
        "as_of": as_of.isoformat(),
        "policies": [{"policy": v.policy.id, "version_id": v.id, "label": v.label} for v in versions],
        "entries": rows,
        "warnings": warnings,
        "totals": {**totals, "entries": len(entries), "sources": len(sources)},
    }


def _status(gaps: list[str], exemption: dict[str, Any] | None) -> dict[str, Any]:
    if not gaps:
        return {"status": "covered", "exemption": None}
    if exemption is not None:
        return {
            "status": "exempt",
            "exemption": {
                "id": exemption["id"],
                "until": exemption["valid_until"].isoformat(),
                "approved_by": exemption["approved_by"],
                "reason": exemption["reason"],
            },
        }
    return {"status": "gap", "exemption": None}


def _source_rows(
    sources: list[dict[str, Any]],
    versions: list[ActiveVersion],
    stats: dict[str, dict[str, int]],
    exempt: dict[str, dict[str, Any]],
) -> list[dict[str, Any]]:
    rows = []
    for source in sources:
        counts = stats.get(source["name"], {})
        messages, evaluated, scoped = (counts.get(k, 0) for k in ("messages", "evaluated", "in_scope"))
        gaps = coverage_truth.source_gaps(source, evaluated, scoped)
        rows.append(
            {
                "target": source["name"],
                "kind": "source",
                "display_name": f"{source['kind']} owned by {source['owner']}",
                "owner": None,
                "captured_by": [source["name"]] if source["capture_state"] == "connected" else [],
                "policies": [],
                "messages": messages,
                "evaluated": evaluated,
                "in_scope": scoped,
                "declared_review_connected": source["review_connected"],
                "capture_state": source["capture_state"],
                "gaps": gaps,
                **_status(gaps, exempt.get(source["name"])),
            }
        )
    return rows


def gap_alert(row: dict[str, Any], report_id: str, as_of: datetime) -> AlertDraft:
    label = KIND_LABELS.get(row["kind"], row["kind"])
    reasons = [GAP_TEXT[g] for g in row["gaps"]]
    subjects = [Subject(row["kind"], row["target"])]
    if row.get("owner"):
        subjects.append(Subject("person", row["owner"]))
    return AlertDraft(
        control=CONTROL,
        rule_id=f"review.coverage.{row['gaps'][0]}",
        rule_version="1",
        title=f"{label} {row['target']} is not connected to supervisory review: {' and '.join(reasons)}",
        severity=Severity.MEDIUM,
        subjects=tuple(subjects),
        evidence={
            "target": row["target"],
            "kind": row["kind"],
            "display_name": row["display_name"],
            "gaps": row["gaps"],
            "explanation": reasons,
            "captured_by": row["captured_by"],
            "messages": row.get("messages"),
            "evaluated": row.get("evaluated"),
            "report_id": report_id,
            "as_of": as_of.isoformat(),
            "remedy": "connect it (capture source and a policy population naming it) or record an "
            "exemption: proctor review exemption add TARGET --reason ... --until DATE",
        },
        evidence_type="review.coverage",
        dedupe_key=coverage_key(row["target"]),
    )


def report_writer(ws: Workspace, report: dict[str, Any], report_id: str, actor: str) -> RecordWriter:
    """Keeps the report as a record (its canonical JSON as a blob and a journaled row), written by
    the control runner in the run's transaction."""
    totals = report["totals"]
    data = dumps(report).encode("utf-8")

    def write(tx: Any, _alert_ids: Sequence[str]) -> None:
        tx.insert(
            coverage_reports,
            {
                "id": report_id,
                "as_of": datetime.fromisoformat(report["as_of"]),
                "created_at": ws.clock.now(),
                "actor": actor,
                "entries": totals["entries"],
                "gaps": totals["gap"],
                "exempt": totals["exempt"],
                "report_sha256": tx.put_blob(data),
                "summary": {**totals, "warnings": report["warnings"][:50]},
            },
            "review.coverage.reported",
        )

    return write


def load_report(ws: Workspace, report_id: str | None = None) -> dict[str, Any] | None:
    """A stored report (the latest when no id is given), read back from its blob."""
    stmt = sa.select(coverage_reports).order_by(
        coverage_reports.c.created_at.desc(), coverage_reports.c.id.desc()
    )
    if report_id:
        stmt = stmt.where(coverage_reports.c.id == report_id)
    with ws.read() as conn:
        row = conn.execute(stmt.limit(1)).first()
    if row is None:
        return None
    report: dict[str, Any] = json.loads(ws.blobs.get(row.report_sha256))
    return {**report, "report_id": row.id, "report_sha256": row.report_sha256}


def coverage_control(ctx: ControlContext) -> ControlOutcome:
    """Check the register, keep the report, and raise one alert per gap (deduplicated while open)."""
    ws = ctx.workspace
    report = coverage_report(ws, ctx.as_of)
    report_id = ws.ids("COV")
    findings = [gap_alert(r, report_id, ctx.as_of) for r in report["entries"] if r["status"] == "gap"]
    directory_rows = [r for r in report["entries"] if r["kind"] != "source"]
    return ControlOutcome(
        input_count=len(directory_rows),
        input_hash=hash_inputs((r["target"], r["status"]) for r in report["entries"]),
        findings=findings,
        summary={
            **report["totals"],
            "report_id": report_id,
            "report_sha256": sha256_hex(dumps(report).encode("utf-8")),
            "warnings": report["warnings"][:20],
        },
        write=report_writer(ws, report, report_id, ctx.actor),
    )
