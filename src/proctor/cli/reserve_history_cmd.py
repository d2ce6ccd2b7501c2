"""`proctor reserve month-ends`: month-end totals from FOCUS reports filed before Proctor."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from proctor.cli.command import Run, command
from proctor.cli.common import console, print_table
from proctor.reserve import focus_history
from proctor.reserve.money import fmt

month_ends_app = typer.Typer(
    help="Month-end total credits from filed FOCUS reports (for the daily-computation threshold).",
    no_args_is_help=True,
)


@command(month_ends_app, "import", json=True)
def import_(
    cmd: Run,
    path: Path = typer.Argument(
        ..., help="CSV: month_end,customer_total_credits,pab_total_credits,filed_report."
    ),
    attest: str = typer.Option(
        ..., "--attest", help="Statement that the totals are copied from the filed FOCUS reports."
    ),
) -> Any:
    """Import past month-end totals as attested inputs; every row is checked before any is stored."""
    rows = focus_history.import_month_ends(cmd.ws, path, actor=cmd.actor, attestation=attest)
    if not cmd.json:
        console.print(f"{len(rows)} month ends imported from {path.name}, attested by {cmd.actor}")
    return rows


@command(month_ends_app, "list", json=True, actor=False)
def list_(cmd: Run) -> Any:
    """Imported month ends, oldest first."""
    rows = focus_history.list_imported(cmd.ws)
    if not cmd.json:
        print_table(
            "Imported month ends",
            ["as_of", "customer_total_credits", "pab_total_credits", "filed_report", "attested_by"],
            [
                dict(
                    r,
                    customer_total_credits=fmt(r["customer_total_credits"]),
                    pab_total_credits=fmt(r["pab_total_credits"]),
                )
                for r in rows
            ],
        )
    return rows
