"""`proctor cases`: investigations that group alerts."""

from __future__ import annotations

from pathlib import Path

import typer

from proctor.cli.common import (
    ActorOpt,
    JsonOpt,
    WorkspaceOpt,
    actor_for,
    console,
    open_ws,
    print_json,
    print_table,
)

app = typer.Typer(help="Cases: investigations grouping alerts.", no_args_is_help=True)


@app.command("list")
def list_(
    status: str | None = typer.Option(None, "--status"),
    workspace: Path | None = WorkspaceOpt,
    as_: str | None = ActorOpt,
    as_json: bool = JsonOpt,
) -> None:
    """List cases, newest first."""
    ws = open_ws(workspace)
    rows = ws.cases.list(viewer=actor_for(ws, as_), status=status)
    if as_json:
        print_json(rows)
    else:
        print_table("Cases", ["id", "status", "title", "assignee", "created_at"], rows)


@app.command()
def open(
    title: str = typer.Option(..., "--title"),
    alert: list[str] = typer.Option([], "--alert", help="Alert to escalate into the case (repeatable)."),
    rationale: str = typer.Option("", "--rationale", "-r"),
    workspace: Path | None = WorkspaceOpt,
    as_: str | None = ActorOpt,
) -> None:
    """Open a case, escalating the named alerts into it."""
    ws = open_ws(workspace)
    case_id = ws.cases.open_case(title, actor=actor_for(ws, as_), alert_ids=alert, rationale=rationale)
    console.print(f"opened {case_id}")


@app.command()
def show(
    case_id: str, workspace: Path | None = WorkspaceOpt, as_: str | None = ActorOpt, as_json: bool = JsonOpt
) -> None:
    """A case with its alerts and notes."""
    ws = open_ws(workspace)
    case = ws.cases.get(case_id, viewer=actor_for(ws, as_))
    if as_json:
        print_json(case)
        return
    console.print(f"[bold]{case['id']}[/] {case['title']} — {case['status']} (assignee {case['assignee']})")
    print_table("Alerts", ["id", "severity", "status", "disposition", "title"], case["alerts"])
    for note in case["notes"]:
        console.print(f"[dim]{note['created_at']:%Y-%m-%d %H:%M} {note['author']}:[/] {note['text']}")


@app.command("add-alert")
def add_alert(
    case_id: str,
    alert_id: str,
    rationale: str = typer.Option(..., "--rationale", "-r"),
    workspace: Path | None = WorkspaceOpt,
    as_: str | None = ActorOpt,
) -> None:
    """Escalate another alert into an existing case."""
    ws = open_ws(workspace)
    ws.cases.add_alert(case_id, alert_id, actor=actor_for(ws, as_), rationale=rationale)
    console.print(f"{alert_id} added to {case_id}")


@app.command()
def assign(
    case_id: str, assignee: str, workspace: Path | None = WorkspaceOpt, as_: str | None = ActorOpt
) -> None:
    """Assign a case."""
    ws = open_ws(workspace)
    ws.cases.assign(case_id, assignee, actor=actor_for(ws, as_))
    console.print(f"{case_id} assigned to {assignee}")


@app.command()
def note(case_id: str, text: str, workspace: Path | None = WorkspaceOpt, as_: str | None = ActorOpt) -> None:
    """Add a note to a case."""
    ws = open_ws(workspace)
    ws.cases.note(case_id, text, actor=actor_for(ws, as_))
    console.print(f"note added to {case_id}")


@app.command()
def escalate(
    case_id: str,
    reason: str = typer.Option(..., "--reason"),
    workspace: Path | None = WorkspaceOpt,
    as_: str | None = ActorOpt,
) -> None:
    """Escalate a case (e.g. to the CCO or legal)."""
    ws = open_ws(workspace)
    ws.cases.escalate(case_id, reason, actor=actor_for(ws, as_))
    console.print(f"{case_id} escalated")


@app.command()
def close(
    case_id: str,
    rationale: str = typer.Option(..., "--rationale", "-r"),
    workspace: Path | None = WorkspaceOpt,
    as_: str | None = ActorOpt,
) -> None:
    """Close a case with a rationale."""
    ws = open_ws(workspace)
    ws.cases.close(case_id, rationale, actor=actor_for(ws, as_))
    console.print(f"{case_id} closed")
