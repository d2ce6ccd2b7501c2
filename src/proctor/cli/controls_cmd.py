"""`proctor controls`: list, run, status, history."""

from __future__ import annotations

from pathlib import Path

import typer

from proctor.cli.common import (
    ActorOpt,
    AsOfOpt,
    JsonOpt,
    WorkspaceOpt,
    actor_for,
    console,
    open_ws,
    parse_as_of,
    print_json,
    print_table,
    progress_bar,
)
from proctor.core.errors import InputError

app = typer.Typer(help="Scheduled controls and the evidence that they ran.", no_args_is_help=True)


@app.command("list")
def list_(workspace: Path | None = WorkspaceOpt, as_json: bool = JsonOpt) -> None:
    """Every registered control with its cadence and rule."""
    ws = open_ws(workspace)
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
    if as_json:
        print_json(rows)
    else:
        print_table("Controls", ["control", "module", "cadence_hours", "rule", "title"], rows)


@app.command()
def run(
    name: str | None = typer.Argument(None, help="Control name (see `proctor controls list`)."),
    all_: bool = typer.Option(False, "--all", help="Run every registered control."),
    as_of: str | None = AsOfOpt,
    workspace: Path | None = WorkspaceOpt,
    as_: str | None = ActorOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Run one control or all of them, as of now or a given instant."""
    if bool(name) == all_:
        raise InputError("name one control or pass --all")
    ws = open_ws(workspace)
    actor = actor_for(ws, as_)
    moment = parse_as_of(as_of)
    if all_:
        with progress_bar("Running controls", total=len(ws.registry.all())) as advance:
            results = []
            for spec in ws.registry.all():
                advance(0, f"Running {spec.name}")
                results.append(ws.controls.run(spec.name, actor=actor, as_of=moment))
                advance()
    else:
        results = [ws.controls.run(name or "", actor=actor, as_of=moment)]
    if as_json:
        print_json(results)
        return
    print_table(
        "Control runs", ["control", "as_of", "outcome", "input_count", "findings", "alerts_raised"], results
    )
    for r in results:
        if r["error"]:
            console.print(f"[red]{r['control']} failed:[/] {r['error'].splitlines()[0]}")


@app.command()
def status(workspace: Path | None = WorkspaceOpt, as_json: bool = JsonOpt) -> None:
    """Each control's last run, outcome, next due time, and whether it missed its cadence."""
    ws = open_ws(workspace)
    rows = ws.controls.status()
    if as_json:
        print_json(rows)
        return
    for r in rows:
        r["missed"] = "[red]MISSED[/]" if r["missed"] else "ok"
    print_table(
        "Control health",
        ["control", "last_as_of", "last_outcome", "last_input_count", "next_due", "missed"],
        rows,
    )


@app.command()
def history(
    name: str | None = typer.Argument(None),
    limit: int = 50,
    workspace: Path | None = WorkspaceOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Recorded runs, newest first."""
    ws = open_ws(workspace)
    rows = ws.controls.history(name, limit)
    if as_json:
        print_json(rows)
    else:
        print_table(
            "Control runs", ["id", "control", "as_of", "outcome", "input_count", "findings", "actor"], rows
        )
