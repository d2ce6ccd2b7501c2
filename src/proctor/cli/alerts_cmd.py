"""`proctor alerts`: the queue, one alert, and its workflow."""

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
from proctor.platform.alerts import AlertQuery

app = typer.Typer(help="Alerts raised by every control, and their review.", no_args_is_help=True)

LIST_COLUMNS = ["id", "severity", "status", "control", "title", "assignee", "due_at"]


@app.command("list")
def list_(
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
    workspace: Path | None = WorkspaceOpt,
    as_: str | None = ActorOpt,
    as_json: bool = JsonOpt,
) -> None:
    """List alerts, newest first; reviewers see their own queue."""
    ws = open_ws(workspace)
    viewer = ws.users.get(actor_for(ws, as_))
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
    if as_json:
        print_json({"total": total, "page": page, "page_size": page_size, "alerts": rows})
    else:
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


@app.command()
def assign(
    alert_id: str,
    assignee: str = typer.Argument(..., help="User to assign to."),
    workspace: Path | None = WorkspaceOpt,
    as_: str | None = ActorOpt,
) -> None:
    """Assign an alert to a reviewer."""
    ws = open_ws(workspace)
    row = ws.alerts.assign(alert_id, assignee, actor=actor_for(ws, as_))
    console.print(f"{alert_id} assigned to {row['assignee']} ({row['status']})")


@app.command()
def start(alert_id: str, workspace: Path | None = WorkspaceOpt, as_: str | None = ActorOpt) -> None:
    """Start reviewing an alert."""
    ws = open_ws(workspace)
    row = ws.alerts.start(alert_id, actor=actor_for(ws, as_))
    console.print(f"{alert_id} is {row['status']} by {row['assignee']}")


@app.command()
def close(
    alert_id: str,
    disposition: str = typer.Option(..., "--disposition", "-d", help="no_action, false_positive, duplicate"),
    rationale: str = typer.Option(..., "--rationale", "-r", help="Why: required, kept as review evidence."),
    workspace: Path | None = WorkspaceOpt,
    as_: str | None = ActorOpt,
) -> None:
    """Close an alert (or propose closing when four-eyes approval is required)."""
    ws = open_ws(workspace)
    row = ws.alerts.close(alert_id, disposition, rationale, actor=actor_for(ws, as_))
    if row["status"] == "pending_approval":
        console.print(f"{alert_id} awaits a second approver (four-eyes)")
    else:
        console.print(f"{alert_id} closed as {row['disposition']}")


@app.command()
def approve(
    alert_id: str,
    comment: str = typer.Option("", "--comment"),
    workspace: Path | None = WorkspaceOpt,
    as_: str | None = ActorOpt,
) -> None:
    """Approve a proposed closing (a second person)."""
    ws = open_ws(workspace)
    row = ws.alerts.approve(alert_id, actor=actor_for(ws, as_), comment=comment)
    console.print(f"{alert_id} closed as {row['disposition']}, approved by {row['approved_by']}")


@app.command()
def reject(
    alert_id: str,
    reason: str = typer.Option(..., "--reason"),
    workspace: Path | None = WorkspaceOpt,
    as_: str | None = ActorOpt,
) -> None:
    """Send a proposed closing back for more work."""
    ws = open_ws(workspace)
    ws.alerts.reject(alert_id, reason, actor=actor_for(ws, as_))
    console.print(f"{alert_id} returned to review")


@app.command()
def reopen(
    alert_id: str,
    reason: str = typer.Option(..., "--reason"),
    workspace: Path | None = WorkspaceOpt,
    as_: str | None = ActorOpt,
) -> None:
    """Reopen a closed alert."""
    ws = open_ws(workspace)
    ws.alerts.reopen(alert_id, reason, actor=actor_for(ws, as_))
    console.print(f"{alert_id} reopened")


@app.command()
def note(alert_id: str, text: str, workspace: Path | None = WorkspaceOpt, as_: str | None = ActorOpt) -> None:
    """Add a note to an alert."""
    ws = open_ws(workspace)
    ws.alerts.note(alert_id, text, actor=actor_for(ws, as_))
    console.print(f"note added to {alert_id}")


@app.command()
def escalate(
    alert_id: str,
    title: str = typer.Option(..., "--title", help="Title of the new case."),
    rationale: str = typer.Option(..., "--rationale", "-r"),
    workspace: Path | None = WorkspaceOpt,
    as_: str | None = ActorOpt,
) -> None:
    """Escalate an alert into a new case."""
    ws = open_ws(workspace)
    case_id = ws.cases.open_case(title, actor=actor_for(ws, as_), alert_ids=[alert_id], rationale=rationale)
    console.print(f"{alert_id} escalated to {case_id}")
