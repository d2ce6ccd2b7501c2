"""Supervisory review as the platform sees it: its controls, evidence views and demo part.

Three daily controls keep FINRA 3110(b)(4) review honest: every captured message is evaluated
under every active policy (``review.selection``), selected items are reviewed by their deadline
(``review.sla``), and every person and account is captured and in a policy's scope or exempt
(``review.coverage``).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from proctor.core.controls import ControlSpec
from proctor.core.modules import ModuleSpec, deferred
from proctor.review import tables
from proctor.review.evidence import EVIDENCE_RENDERERS

__all__ = ["CONTROLS", "EVIDENCE_RENDERERS", "SPEC", "seed_demo"]

# Loaded when they run: selection scans messages with the lexicon engine (Hyperscan).
selection_control = deferred("proctor.review.run:selection_control")
route_new = deferred("proctor.review.run:route_new")
sla_control = deferred("proctor.review.sla:sla_control")
coverage_control = deferred("proctor.review.coverage:coverage_control")
seed_demo = deferred("proctor.review.demo:seed_demo")

RULE = "FINRA 3110(b)(4)"

CONTROLS: list[ControlSpec] = [
    ControlSpec(
        name="review.selection",
        title="Every captured message is evaluated under every active review policy",
        module="review",
        cadence=timedelta(days=1),
        run=selection_control,
        after_raise=route_new,
        rule=RULE,
        description="Applies each approved policy version to the messages it has not evaluated (history "
        "included when a version is new), raises a review item per selected message and routes it to "
        "the covered person's principal's delegates. No active policy or no messages is an alert.",
    ),
    ControlSpec(
        name="review.sla",
        title="Selected communications are reviewed within the policy's business days",
        module="review",
        cadence=timedelta(days=1),
        run=sla_control,
        expects_input=False,
        rule=f"{RULE}; 3110.07",
        description="Lists every open review item past its deadline in one alert per day.",
    ),
    ControlSpec(
        name="review.coverage",
        title="Every person and account is captured and in review scope, or exempt",
        module="review",
        cadence=timedelta(days=1),
        run=coverage_control,
        rule=RULE,
        description="Cross-checks the firm directory, the capture sources and the active review policies; "
        "each unmapped person, mailbox, group mailbox, chat or customer-service account is an alert, and "
        "the report is kept as a record.",
    ),
]


SPEC = ModuleSpec(
    name="review",
    title="Supervisory review (FINRA 3110)",
    controls=tuple(CONTROLS),
    evidence_renderers=EVIDENCE_RENDERERS,
    tables=tuple(v for v in vars(tables).values() if isinstance(v, sa.Table)),
    migrations=Path(__file__).parent / "migrations",
    seed_demo=seed_demo,
    cli="proctor.cli.review_cmd:app",
    cli_help="Supervisory review: policies, lexicons, selection, queues, coverage, metrics.",
    docs="docs/review.md",
    alert_role="reviewer",
    requires=("comms",),
)
