"""`proctor cases`: investigations that group alerts."""

from __future__ import annotations

from typing import Any

import typer

from proctor.cli.command import Run, command
from proctor.cli.common import (
    console,
    print_table,
)

app = typer.Typer(help="Cases: investigations grouping alerts.", no_args_is_help=True)


@command(app, "list", json=True)
def list_(cmd: Run, status: str | None = typer.Option(None, "--status")) -> Any:
    """List cases, newest first."""
    ws = cmd.ws
    rows = ws.cases.list(viewer=cmd.actor, status=status)
    if cmd.json:
        return rows
    print_table("Cases", ["id", "status", "title", "assignee", "created_at"], rows)


@command(app)
def open(
    cmd: Run,
    title: str = typer.Option(..., "--title"),
    alert: list[str] = typer.Option([], "--alert", help="Alert to escalate into the case (repeatable)."),
    rationale: str = typer.Option("", "--rationale", "-r"),
) -> None:
    """Open a case, escalating the named alerts into it."""
    ws = cmd.ws
    case_id = ws.cases.open_case(title, actor=cmd.actor, alert_ids=alert, rationale=rationale)
    console.print(f"opened {case_id}")


@command(app, json=True)
def show(cmd: Run, case_id: str) -> Any:
    """A case with its alerts and notes."""
    ws = cmd.ws
    case = ws.cases.get(case_id, viewer=cmd.actor)
    if cmd.json:
        return case
    console.print(f"[bold]{case['id']}[/] {case['title']} — {case['status']} (assignee {case['assignee']})")
    print_table("Alerts", ["id", "severity", "status", "disposition", "title"], case["alerts"])
    for note in case["notes"]:
        console.print(f"[dim]{note['created_at']:%Y-%m-%d %H:%M} {note['author']}:[/] {note['text']}")


@command(app, "add-alert")
def add_alert(
    cmd: Run, case_id: str, alert_id: str, rationale: str = typer.Option(..., "--rationale", "-r")
) -> None:
    """Escalate another alert into an existing case."""
    ws = cmd.ws
    ws.cases.add_alert(case_id, alert_id, actor=cmd.actor, rationale=rationale)
    console.print(f"{alert_id} added to {case_id}")


@command(app)
def assign(cmd: Run, case_id: str, assignee: str) -> None:
    """Assign a case."""
    ws = cmd.ws
    ws.cases.assign(case_id, assignee, actor=cmd.actor)
    console.print(f"{case_id} assigned to {assignee}")


@command(app)
def note(cmd: Run, case_id: str, text: str) -> None:
    """Add a note to a case."""
    ws = cmd.ws
    ws.cases.note(case_id, text, actor=cmd.actor)
    console.print(f"note added to {case_id}")


@command(app)
def escalate(cmd: Run, case_id: str, reason: str = typer.Option(..., "--reason")) -> None:
    """Escalate a case (e.g. to the CCO or legal)."""
    ws = cmd.ws
    ws.cases.escalate(case_id, reason, actor=cmd.actor)
    console.print(f"{case_id} escalated")


@command(app)
def close(cmd: Run, case_id: str, rationale: str = typer.Option(..., "--rationale", "-r")) -> None:
    """Close a case with a rationale."""
    ws = cmd.ws
    ws.cases.close(case_id, rationale, actor=cmd.actor)
    console.print(f"{case_id} closed")
