"""The access module as the platform sees it: controls, evidence, tables, CLI and demo.

Its controls prove, from HR snapshots and every system's rosters (vendor systems included), that
each leaver lost every account within the system's SLA, that every NPI system can be evaluated,
that deprovisioning tasks are not left overdue and that certifications are done.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from proctor.access import activity_controls, activity_tables, permissions, tables, tasks
from proctor.access.coverage import coverage_control
from proctor.access.evidence import EVIDENCE_RENDERERS as OWN_RENDERERS
from proctor.core.controls import ControlContext, ControlOutcome, ControlSpec, hash_inputs
from proctor.core.modules import ModuleSpec, deferred

__all__ = ["CONTROLS", "EVIDENCE_RENDERERS", "SPEC", "seed_demo"]

# Loaded when they run: HR histories, rosters and the matcher read Polars and rapidfuzz.
seed_demo = deferred("proctor.access.demo:seed_demo")
leavers_control = deferred("proctor.access.leavers:leavers_control")
certification_control = deferred("proctor.access.certification:certification_control")
verify_activity_files = deferred("proctor.access.activity_store:verify_files")


def seed_module_demo(ws: Any, actor: str) -> dict[str, Any]:
    """The demo firm, then the case itself replayed on it: leavers using the insurer's system."""
    from proctor.access.activity_demo import seed_activity

    summary: dict[str, Any] = seed_demo(ws, actor)
    summary["activity"] = seed_activity(ws, actor)
    return summary


def tasks_control(ctx: ControlContext) -> ControlOutcome:
    """Open deprovisioning tasks past their SLA are escalated."""
    with ctx.workspace.read() as conn:
        count, findings = tasks.overdue_findings(ctx.workspace, conn, ctx.as_of)
    return ControlOutcome(
        count,
        hash_inputs(sorted(f.key() for f in findings)),
        findings,
        {"tasks": count, "overdue": len(findings)},
    )


CONTROLS: list[ControlSpec] = [
    ControlSpec(
        "access.leavers",
        "Leavers lost every account within the SLA",
        "access",
        timedelta(days=1),
        leavers_control,
        rule="Reg S-P 17 CFR 248.30(a); FINRA 3110",
        description="Every leaver's every linked account is disabled or removed within its system's SLA, as "
        "proven by a later roster; orphans on NPI systems and access outside transitional agreements.",
    ),
    ControlSpec(
        "access.coverage",
        "Every NPI and vendor system has a current roster",
        "access",
        timedelta(days=1),
        coverage_control,
        rule="Reg S-P 17 CFR 248.30(a)",
        description="A system without a roster within its cadence cannot be evaluated: that is an alert.",
    ),
    ControlSpec(
        "access.tasks",
        "Deprovisioning tasks done within the SLA",
        "access",
        timedelta(hours=1),
        tasks_control,
        expects_input=False,
        rule="Reg S-P 17 CFR 248.30(a); firm procedure",
        description="Open tasks past their SLA escalate (critical on NPI systems).",
    ),
    ControlSpec(
        "access.certification",
        "NPI systems' access certified",
        "access",
        timedelta(days=1),
        certification_control,
        expects_input=False,
        rule="Reg S-P 17 CFR 248.30(a); firm procedure",
        description="Campaign reminders, overdue and not-evaluable campaigns, NPI systems left uncertified.",
    ),
    *activity_controls.CONTROLS,
]

EVIDENCE_RENDERERS = {**OWN_RENDERERS, **activity_controls.EVIDENCE_RENDERERS}

SPEC = ModuleSpec(
    name="access",
    title="Customer-data access (Reg S-P)",
    controls=tuple(CONTROLS),
    evidence_renderers=EVIDENCE_RENDERERS,
    tables=tuple(
        v for module in (tables, activity_tables) for v in vars(module).values() if isinstance(v, sa.Table)
    ),
    migrations=Path(__file__).parent / "migrations",
    permissions=permissions.GRANTS,
    permission_descriptions=permissions.DESCRIPTIONS,
    seed_demo=seed_module_demo,
    integrity_checks=(verify_activity_files,),
    cli="proctor.cli.access_cmd:app",
    cli_help="Customer-data access (Reg S-P): HR, systems, accounts, correlation, leavers, certification.",
    docs="docs/access.md",
    alert_role="principal",
)
