"""The communications archive as the platform sees it: its controls, evidence views and demo part."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from proctor.comms import permissions, tables
from proctor.comms.cadence import source_cadence
from proctor.comms.completeness import RULE, capture_completeness
from proctor.comms.evidence import EVIDENCE_RENDERERS
from proctor.comms.search import check_search_index
from proctor.comms.volume import volume_anomaly
from proctor.core.controls import ControlSpec
from proctor.core.modules import ModuleSpec, deferred

__all__ = ["CONTROLS", "EVIDENCE_RENDERERS", "SPEC", "seed_demo"]


# The demo part loads only for the demo: it ingests four weeks of traffic.
seed_demo = deferred("proctor.comms.demo:seed_demo")

CONTROLS: list[ControlSpec] = [
    ControlSpec(
        name="comms.source_cadence",
        title="Every registered communications source is connected and delivering on cadence",
        module="comms",
        cadence=timedelta(hours=24),
        run=source_cadence,
        rule=RULE,
        description="A registered source never connected, disconnected, or silent past its cadence "
        "is an alert.",
    ),
    ControlSpec(
        name="comms.capture_completeness",
        title="Per source and day, reported = accepted = stored = indexed",
        module="comms",
        cadence=timedelta(hours=24),
        run=capture_completeness,
        rule=RULE,
        description="Compares a source's manifest, the importer's counts, stored records and the search "
        "index for each of the last 7 days and every day an import touched; quarantined items alert too.",
    ),
    ControlSpec(
        name="comms.volume_anomaly",
        title="No communications source goes silent or falls far below its baseline",
        module="comms",
        cadence=timedelta(hours=24),
        run=volume_anomaly,
        rule=RULE,
        description="Each day's count against the median of the same weekday in the 4 previous weeks: "
        "zero against a baseline of 3 or more, or under 25% of a baseline of 8 or more, is an alert.",
    ),
]

SPEC = ModuleSpec(
    name="comms",
    title="Communications archive (SEA 17a-4, FINRA 4511)",
    controls=tuple(CONTROLS),
    evidence_renderers=EVIDENCE_RENDERERS,
    tables=tuple(v for v in vars(tables).values() if isinstance(v, sa.Table)),
    migrations=Path(__file__).parent / "migrations",
    permissions=permissions.GRANTS,
    permission_descriptions=permissions.DESCRIPTIONS,
    seed_demo=seed_demo,
    cli="proctor.cli.comms_cmd:app",
    cli_help="Communications archive: sources, ingest, search, retention, holds, production.",
    docs="docs/comms.md",
    alert_role="principal",
    integrity_checks=(check_search_index,),
)
