"""The reserve module as the platform sees it: its controls and its part of the demo.

Controls run on a schedule and prove the reserve process ran: the gates saw this week's inputs,
every deficiency is chased to its deposit deadline, unexplained variances are escalated to the CFO
and CCO, and the daily-computation threshold is watched month by month.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from proctor.core.controls import ControlContext, ControlOutcome, ControlSpec, hash_inputs
from proctor.core.modules import ModuleSpec, deferred
from proctor.core.workspace import Workspace
from proctor.platform.calendar import FEDERAL_RESERVE
from proctor.reserve import permissions, tables
from proctor.reserve.tables import computations, input_sets

__all__ = ["CONTROLS", "SPEC", "seed_demo"]

# The controls import the computation (Polars) and the report writers when they run, and the demo
# part loads for the demo: every command that opens a workspace reads this spec.
seed_demo = deferred("proctor.reserve.demo:seed_demo")


def _recent(ws: Workspace, since: date, until: date) -> list[dict[str, Any]]:
    with ws.read() as conn:
        rows = conn.execute(
            sa.select(computations)
            .where(
                computations.c.kind == "record", computations.c.as_of >= since, computations.c.as_of <= until
            )
            .order_by(computations.c.as_of, computations.c.created_at)
        ).all()
    latest: dict[tuple[date, str], dict[str, Any]] = {}
    for r in rows:
        latest[(r._mapping["as_of"], r._mapping["book"])] = dict(r._mapping)
    return list(latest.values())


def computation_gates(ctx: ControlContext) -> ControlOutcome:
    """The week's inputs exist and pass every gate; a failure is a HOLD alert."""
    from proctor.reserve import alerting, service
    from proctor.reserve.gates import run_gates

    ws, today = ctx.workspace, ctx.as_of.date()
    with ws.read() as conn:
        row = conn.execute(
            sa.select(input_sets)
            .where(
                input_sets.c.status == "current",
                input_sets.c.as_of <= today,
                input_sets.c.as_of > today - timedelta(days=7),
            )
            .order_by(input_sets.c.as_of.desc(), input_sets.c.loaded_at.desc())
            .limit(1)
        ).one_or_none()
    if row is None:
        return ControlOutcome(0, hash_inputs([]), [], {"inputs": "none loaded in the last 7 days"})
    inputs = dict(row._mapping)
    rules = service.rules_of_record(ws)
    report = run_gates(service.book_of(ws, inputs), rules)
    findings = (
        [alerting.hold_alert(inputs["as_of"], report.reasons(), inputs["id"], rules.version)]
        if report.hold
        else []
    )
    rows = sum(int(e.get("rows") or 0) for e in inputs["manifest"])
    return ControlOutcome(
        rows,
        hash_inputs(e["sha256"] for e in inputs["manifest"]),
        findings,
        {
            "input_set": inputs["id"],
            "as_of": inputs["as_of"].isoformat(),
            "status": "HOLD" if report.hold else "PASS",
            "failed": len(report.reasons()),
        },
    )


def deposit_deadline(ctx: ControlContext) -> ControlOutcome:
    """Every deficiency of record stays an alert until a later computation shows it cured."""
    from proctor.reserve import alerting, service

    ws, today = ctx.workspace, ctx.as_of.date()
    recent = _recent(ws, today - timedelta(days=21), today)
    findings = []
    for row in recent:
        if not row["deficiency"]:
            continue
        cured = any(
            r["book"] == row["book"]
            and r["as_of"] > row["as_of"]
            and r["deficiency"] == 0
            and r["status"] in service.LIVE
            for r in recent
        )
        if not cured and row["notice"]:
            findings.append(alerting.deficiency_alert(row, row["notice"]))
    return ControlOutcome(
        len(recent),
        hash_inputs(r["id"] for r in recent),
        findings,
        {"computations": len(recent), "open_deficiencies": len(findings)},
    )


def variance_review(ctx: ControlContext) -> ControlOutcome:
    """Variances still unexplained at the deposit deadline go to the CFO and CCO."""
    from proctor.reserve import alerting, service

    ws = ctx.workspace
    recent = _recent(ws, ctx.as_of.date() - timedelta(days=35), ctx.as_of.date())
    findings = []
    for row in recent:
        if row["status"] != "COMPUTED" or row["deadline"] is None or row["deadline"] > ctx.as_of:
            continue
        open_keys = service.open_variances(row)
        if open_keys:
            findings.append(alerting.escalation_alert(row, open_keys))
    return ControlOutcome(
        len(recent),
        hash_inputs(r["id"] for r in recent),
        findings,
        {"computations": len(recent), "escalated": len(findings)},
    )


def daily_threshold(ctx: ControlContext) -> ControlOutcome:
    """Average total credits over 12 month-ends at or over $500M means daily computation."""
    from proctor.reserve import focus_history, service
    from proctor.reserve.cadence import MonthEnd, daily_required
    from proctor.reserve.hindsight import is_month_end

    ws, today = ctx.workspace, ctx.as_of.date()
    calendar = FEDERAL_RESERVE
    rows = [
        r
        for r in _recent(ws, today - timedelta(days=400), today)
        if r["status"] in service.LIVE and is_month_end(r["as_of"], calendar)
    ]
    by_month: dict[date, dict[str, int]] = {}
    for r in rows:
        by_month.setdefault(r["as_of"], {})[r["book"]] = int(r["totals"].get("total_credits", 0))
    for m in focus_history.imported_month_ends(ws, today - timedelta(days=400), today):
        by_month.setdefault(m.month_end, {"customer": m.customer_total_credits, "pab": m.pab_total_credits})
    history = [MonthEnd(d, v.get("customer", 0), v.get("pab", 0)) for d, v in sorted(by_month.items())]
    decision = daily_required(history, today, service.rules_of_record(ws))
    weekly_now = not rows or any(r["cadence"] != "daily" for r in rows[-2:])  # none on file: not daily
    findings = []
    if decision.cadence == "daily" and weekly_now:
        from proctor.core.alerts import AlertDraft, Severity, Subject

        findings.append(
            AlertDraft(
                control="reserve.daily_threshold",
                rule_id="reserve.daily_required",
                rule_version="1",
                title="Average total credits require daily reserve computations (15c3-3(e)(3)(i)(B))",
                severity=Severity.HIGH,
                subjects=(Subject("reserve.firm", "cadence"),),
                evidence={
                    "average_total_credits": str(decision.average_total_credits),
                    "reason": decision.reason,
                },
                dedupe_key=f"reserve-daily-required-{today:%Y-%m}",
            )
        )
    return ControlOutcome(
        len(history),
        hash_inputs(m.month_end.isoformat() for m in history),
        findings,
        {"month_ends": len(history), "cadence": decision.cadence, "reason": decision.reason},
    )


CONTROLS: list[ControlSpec] = [
    ControlSpec(
        "reserve.computation_gates",
        "Reserve inputs present and gated",
        "reserve",
        timedelta(days=7),
        computation_gates,
        rule="SEA 15c3-3(e); 17a-3",
        description="This week's reserve inputs exist and pass control totals, GL tie-outs, stock record "
        "balance, mandatory components and the short-borrow pairing check.",
    ),
    ControlSpec(
        "reserve.deposit_deadline",
        "Reserve deficiencies chased to deposit",
        "reserve",
        timedelta(days=1),
        deposit_deadline,
        rule="SEA 15c3-3(e)(3), (i)",
        description="A deficiency stays open until a later computation shows it cured.",
    ),
    ControlSpec(
        "reserve.variance_review",
        "Reserve variances explained before the deadline",
        "reserve",
        timedelta(days=7),
        variance_review,
        rule="SEA 15c3-3; firm procedure",
        description="Unexplained material changes at the deposit deadline escalate to the CFO and CCO.",
    ),
    ControlSpec(
        "reserve.daily_threshold",
        "Daily computation threshold watched",
        "reserve",
        timedelta(days=30),
        daily_threshold,
        expects_input=False,
        rule="SEA 15c3-3(e)(3)(i)(B)",
        description="Average total credits of the last 12 month-ends against $500 million.",
    ),
]

SPEC = ModuleSpec(
    name="reserve",
    title="Customer reserve (SEA 15c3-3)",
    controls=tuple(CONTROLS),
    tables=tuple(v for v in vars(tables).values() if isinstance(v, sa.Table)),
    migrations=Path(__file__).parent / "migrations",
    permissions=permissions.GRANTS,
    permission_descriptions=permissions.DESCRIPTIONS,
    seed_demo=seed_demo,
    cli="proctor.cli.reserve_cmd:app",
    cli_help="Customer reserve (15c3-3): inputs, computation, variances, sign-off, formula changes.",
    docs="docs/reserve.md",
    alert_role="finop",
    alert_role_sees_all=True,
)
