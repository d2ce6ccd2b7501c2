"""`proctor controls`: list, run, status, history."""

from __future__ import annotations

from typing import Any

import typer

from proctor.cli.command import Run, command
from proctor.cli.common import (
    AsOfOpt,
    console,
    parse_as_of,
    print_table,
    progress_bar,
)
from proctor.core.errors import InputError
from proctor.platform.controls import refuse_future

app = typer.Typer(help="Scheduled controls and the evidence that they ran.", no_args_is_help=True)


@command(app, "list", json=True, actor=False)
def list_(cmd: Run) -> Any:
    """Every registered control with its cadence and rule."""
    ws = cmd.ws
    rows = [
        {
            "control": s.name,
            "module": s.module,
            "cadence_hours": s.cadence.total_seconds() / 3600,
            "rule": s.rule,
            "title": s.title,
        }
        for s in ws.registry.all()
    ]
    if cmd.json:
        return rows
    print_table("Controls", ["control", "module", "cadence_hours", "rule", "title"], rows)


@command(app, json=True)
def run(
    cmd: Run,
    name: str | None = typer.Argument(None, help="Control name (see `proctor controls list`)."),
    all_: bool = typer.Option(False, "--all", help="Run every registered control."),
    as_of: str | None = AsOfOpt,
) -> Any:
    """Run one control or all of them, as of now or a given earlier instant (never a future one)."""
    if bool(name) == all_:
        raise InputError("name one control or pass --all")
    ws = cmd.ws
    actor = cmd.actor
    moment = parse_as_of(as_of)
    refuse_future(ws, moment)
    if all_:
        with progress_bar("Running controls", total=len(ws.registry.all())) as advance:
            results = []
            for spec in ws.registry.all():
                advance(0, f"Running {spec.name}")
                results.append(ws.controls.run(spec.name, actor=actor, as_of=moment))
                advance()
    else:
        results = [ws.controls.run(name or "", actor=actor, as_of=moment)]
    if cmd.json:
        return results
    print_table(
        "Control runs", ["control", "as_of", "outcome", "input_count", "findings", "alerts_raised"], results
    )
    for r in results:
        if r["error"]:
            console.print(f"[red]{r['control']} failed:[/] {r['error'].splitlines()[0]}")


@command(app, json=True, actor=False)
def status(cmd: Run) -> Any:
    """Each control's last run, outcome, next due time, and whether it missed its cadence."""
    ws = cmd.ws
    rows = ws.controls.status()
    if cmd.json:
        return rows
    for r in rows:
        r["missed"] = "[red]MISSED[/]" if r["missed"] else "ok"
    print_table(
        "Control health",
        ["control", "last_as_of", "last_outcome", "last_input_count", "next_due", "missed"],
        rows,
    )


@command(app, json=True, actor=False)
def history(cmd: Run, name: str | None = typer.Argument(None), limit: int = 50) -> Any:
    """Recorded runs, newest first."""
    ws = cmd.ws
    rows = ws.controls.history(name, limit)
    if cmd.json:
        return rows
    print_table(
        "Control runs", ["id", "control", "as_of", "outcome", "input_count", "findings", "actor"], rows
    )
