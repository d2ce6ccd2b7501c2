"""`proctor alerts`: the queue, one alert, and its workflow."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from proctor.cli.command import Run, command
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
from proctor.platform.alerts import AlertQuery

app = typer.Typer(help="Alerts raised by every control, and their review.", no_args_is_help=True)

LIST_COLUMNS = ["id", "severity", "status", "control", "title", "assignee", "due_at"]


@command(app, "list", json=True)
def list_(
    cmd: Run,
    status: str | None = typer.Option(
        None,
        "--status",
        help="new, assigned, in_review, pending_approval, closed, or open (everything not closed).",
    ),
    control: str | None = typer.Option(None, "--control"),
    module: str | None = typer.Option(None, "--module"),
    severity: str | None = typer.Option(None, "--severity"),
    assignee: str | None = typer.Option(None, "--assignee"),
    search: str | None = typer.Option(None, "--search", help="Text in title or subjects."),
    sort: str = typer.Option("created", "--sort", help="created, severity, due, status, control"),
    page: int = typer.Option(1, "--page"),
    page_size: int = typer.Option(50, "--page-size"),
) -> Any:
    """List alerts, newest first; reviewers see their own queue."""
    ws = cmd.ws
    viewer = ws.users.get(cmd.actor)
    query = AlertQuery(
        status=status,
        control=control,
        module=module,
        severity=severity,
        assignee=assignee,
        text=search,
        sort=sort,
        page=page,
        page_size=page_size,
    )
    rows, total = ws.alerts.query(query, viewer)
    if cmd.json:
        return {"total": total, "page": page, "page_size": page_size, "alerts": rows}
    print_table(f"Alerts ({len(rows)} of {total})", LIST_COLUMNS, rows)


@app.command()
def show(
    alert_id: str, workspace: Path | None = WorkspaceOpt, as_: str | None = ActorOpt, as_json: bool = JsonOpt
) -> None:
    """One alert with its evidence and notes."""
    ws = open_ws(workspace)
    alert = ws.alerts.view(alert_id, ws.users.get(actor_for(ws, as_)))
    alert["notes"] = ws.alerts.notes(alert_id)
    if as_json:
        print_json(alert)
        return
    for key in [
        "id",
        "title",
        "control",
        "rule_id",
        "rule_version",
        "severity",
        "status",
        "disposition",
        "assignee",
        "due_at",
        "case_id",
        "proposed_by",
        "approved_by",
        "rationale",
    ]:
        console.print(f"[bold]{key.replace('_', ' ')}[/]: {alert[key] if alert[key] is not None else '—'}")
    console.print("[bold]subjects[/]: " + ", ".join(f"{s['kind']} {s['id']}" for s in alert["subjects"]))
    console.print("[bold]evidence[/]:")
    print_json(alert["evidence"])
    for note in alert["notes"]:
        console.print(f"[dim]{note['created_at']:%Y-%m-%d %H:%M} {note['author']}:[/] {note['text']}")


@command(app)
def assign(cmd: Run, alert_id: str, assignee: str = typer.Argument(..., help="User to assign to.")) -> None:
    """Assign an alert to a reviewer."""
    ws = cmd.ws
    row = ws.alerts.assign(alert_id, assignee, actor=cmd.actor)
    console.print(f"{alert_id} assigned to {row['assignee']} ({row['status']})")


@command(app)
def start(cmd: Run, alert_id: str) -> None:
    """Start reviewing an alert."""
    ws = cmd.ws
    row = ws.alerts.start(alert_id, actor=cmd.actor)
    console.print(f"{alert_id} is {row['status']} by {row['assignee']}")


@command(app)
def close(
    cmd: Run,
    alert_id: str,
    disposition: str = typer.Option(..., "--disposition", "-d", help="no_action, false_positive, duplicate"),
    rationale: str = typer.Option(..., "--rationale", "-r", help="Why: required, kept as review evidence."),
) -> None:
    """Close an alert (or propose closing when four-eyes approval is required)."""
    ws = cmd.ws
    row = ws.alerts.close(alert_id, disposition, rationale, actor=cmd.actor)
    if row["status"] == "pending_approval":
        console.print(f"{alert_id} awaits a second approver (four-eyes)")
    else:
        console.print(f"{alert_id} closed as {row['disposition']}")


@command(app)
def approve(cmd: Run, alert_id: str, comment: str = typer.Option("", "--comment")) -> None:
    """Approve a proposed closing (a second person)."""
    ws = cmd.ws
    row = ws.alerts.approve(alert_id, actor=cmd.actor, comment=comment)
    console.print(f"{alert_id} closed as {row['disposition']}, approved by {row['approved_by']}")


@command(app)
def reject(cmd: Run, alert_id: str, reason: str = typer.Option(..., "--reason")) -> None:
    """Send a proposed closing back for more work."""
    ws = cmd.ws
    ws.alerts.reject(alert_id, reason, actor=cmd.actor)
    console.print(f"{alert_id} returned to review")


@command(app)
def reopen(cmd: Run, alert_id: str, reason: str = typer.Option(..., "--reason")) -> None:
    """Reopen a closed alert."""
    ws = cmd.ws
    ws.alerts.reopen(alert_id, reason, actor=cmd.actor)
    console.print(f"{alert_id} reopened")


@command(app)
def note(cmd: Run, alert_id: str, text: str) -> None:
    """Add a note to an alert."""
    ws = cmd.ws
    ws.alerts.note(alert_id, text, actor=cmd.actor)
    console.print(f"note added to {alert_id}")


@command(app)
def escalate(
    cmd: Run,
    alert_id: str,
    title: str = typer.Option(..., "--title", help="Title of the new case."),
    rationale: str = typer.Option(..., "--rationale", "-r"),
) -> None:
    """Escalate an alert into a new case."""
    ws = cmd.ws
    case_id = ws.cases.open_case(title, actor=cmd.actor, alert_ids=[alert_id], rationale=rationale)
    console.print(f"{alert_id} escalated to {case_id}")
