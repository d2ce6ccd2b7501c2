"""Controls every workspace has, whatever modules are installed: watching the controls themselves."""

from __future__ import annotations

from datetime import timedelta

from proctor.core.alerts import AlertDraft, Severity, Subject
from proctor.core.canonical import digest
from proctor.core.controls import ControlContext, ControlOutcome, ControlSpec, hash_inputs, meta_alert
from proctor.journal.query import head_seq
from proctor.journal.verify import verify_journal


def control_health(ctx: ControlContext) -> ControlOutcome:
    """Flags every control that has not run within its cadence as of the run's as-of time."""
    ws = ctx.workspace
    status = ws.controls.status(now=ctx.as_of)
    findings = []
    for row in status:
        if row["control"] == "platform.control_health" or not row["missed"]:
            continue
        spec = ws.registry.get(row["control"])
        findings.append(
            meta_alert(
                spec,
                "missed_cadence",
                {
                    "as_of": ctx.as_of.date().isoformat(),
                    "last_as_of": row["last_as_of"].isoformat() if row["last_as_of"] else None,
                    "next_due": row["next_due"].isoformat(),
                },
            )
        )
    return ControlOutcome(
        input_count=len(status),
        input_hash=hash_inputs((r["control"], str(r["last_as_of"])) for r in status),
        findings=findings,
        summary={"controls": len(status), "missed": len(findings)},
    )


def journal_integrity(ctx: ControlContext) -> ControlOutcome:
    """Runs the full journal verification daily, so tampering is found by a control, not by luck."""
    ws = ctx.workspace
    report = verify_journal(ws.engine, ws.blobs)
    from proctor.platform.journal_ops import integrity_problems

    for problem in integrity_problems(ws):  # derived data such as the search index
        report.add("derived_data_altered", "derived data", problem)
    with ws.read() as conn:
        head = head_seq(conn)
    findings = []
    if not report.intact:
        first = report.problems[0]
        findings.append(
            AlertDraft(
                control="platform.journal_integrity",
                rule_id="platform.journal.tamper",
                rule_version="1",
                title=f"Journal verification failed: {first.where} ({first.kind})",
                severity=Severity.CRITICAL,
                subjects=(Subject("journal", "workspace"),),
                evidence=report.as_dict(),
                evidence_type="journal_verify",
                due_in=timedelta(hours=4),
                dedupe_key=digest({"journal_tamper": [p.as_dict() for p in report.problems[:5]]}),
            )
        )
    return ControlOutcome(
        input_count=report.events,
        input_hash=digest({"events": report.events, "last_seq": head}),
        findings=findings,
        summary={k: v for k, v in report.as_dict().items() if k != "problems"},
    )


def journal_witness(ctx: ControlContext) -> ControlOutcome:
    """Publishes the latest signed head outside the workspace, so the firm cannot quietly rewrite it.

    Without a witness configured the journal proves integrity only against accidents, which is
    itself a finding; a witness that cannot be written is one too.
    """
    from proctor.core.errors import ProctorError
    from proctor.platform.journal_ops import publish_head

    ws = ctx.workspace
    try:
        result = publish_head(ws)
        problem = None
    except ProctorError as exc:
        result, problem = {}, str(getattr(exc, "detail", exc))
    findings = []
    if problem is not None:
        findings.append(
            AlertDraft(
                control="platform.journal_witness",
                rule_id="platform.journal.witness",
                rule_version="1",
                title=f"Journal tree head not witnessed: {problem}"[:400],
                severity=Severity.HIGH,
                subjects=(Subject("journal", "witness"),),
                evidence={"problem": problem},
                evidence_type="journal_witness",
                due_in=timedelta(days=1),
                dedupe_key=digest({"journal_witness": problem}),
            )
        )
    return ControlOutcome(
        input_count=1 if result else 0,
        input_hash=digest({"witnessed": result.get("root_hash")}),
        findings=findings,
        summary=result or {"problem": problem},
    )


CONTROLS = [
    ControlSpec(
        name="platform.journal_witness",
        title="The latest signed tree head is published to a witness outside the workspace",
        module="platform",
        cadence=timedelta(days=1),
        run=journal_witness,
        expects_input=False,  # an unconfigured witness is its own finding, not "no input"
        rule="SEA 17a-4(f)(2)(i)(A)",
        description="Writes the latest signed head to the witness folder or S3 bucket ([journal] witness); "
        "a missing or unwritable witness is an alert.",
    ),
    ControlSpec(
        name="platform.journal_integrity",
        title="Journal and stored records verify against the signed Merkle log",
        module="platform",
        cadence=timedelta(days=1),
        run=journal_integrity,
        rule="SEA 17a-4(f)(2)(i)(A)",
    ),
    ControlSpec(
        name="platform.control_health",
        title="Every control ran within its cadence",
        module="platform",
        cadence=timedelta(days=1),
        run=control_health,
        rule="FINRA 3110(a)",
    ),
]
