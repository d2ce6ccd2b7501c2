"""The trading module as the platform sees it: Rule 611 order-protection surveillance.

Its controls gate the market data and check every trade against every venue's protected quote;
the ISO and routing controls join them from `iso_controls`. Alerts go to a supervising principal.
"""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path

import sqlalchemy as sa

from proctor.core.modules import ModuleSpec, deferred
from proctor.trading import iso_controls, tables
from proctor.trading.controls import CONTROLS
from proctor.trading.evidence import RENDERERS

__all__ = ["SPEC"]


# The demo part loads only for the demo: it writes and reads Parquet.
seed_demo = deferred("proctor.trading.demo:seed_demo")


def _tables() -> tuple[sa.Table, ...]:
    """This module's tables and the ISO monitors' (`iso_tables`, when present)."""
    modules: list[object] = [tables]
    if importlib.util.find_spec("proctor.trading.iso_tables") is not None:
        modules.append(importlib.import_module("proctor.trading.iso_tables"))
    return tuple(t for m in modules for t in vars(m).values() if isinstance(t, sa.Table))


SPEC = ModuleSpec(
    name="trading",
    title="Order protection surveillance (Reg NMS Rule 611)",
    controls=(*CONTROLS, *iso_controls.CONTROLS),
    evidence_renderers={**RENDERERS, **iso_controls.EVIDENCE_RENDERERS},
    tables=_tables(),
    migrations=Path(__file__).parent / "migrations",
    seed_demo=seed_demo,
    cli="proctor.cli.trading_cmd:app",
    cli_help="Order protection (Reg NMS 611): market data and trades in, data-quality gates, "
    "trade-through checks, daily desk report.",
    docs="docs/trading.md",
    alert_role="principal",
)
