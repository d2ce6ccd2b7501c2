"""`proctor review directory|hierarchy|exemption`: what the coverage register and routing rely on."""

from __future__ import annotations

from datetime import date
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
from proctor.core.errors import InputError

directory_app = typer.Typer(
    help="The firm directory: people, mailboxes, group mailboxes, chat and help-desk accounts."
)
hierarchy_app = typer.Typer(
    help="The supervision hierarchy: each person's designated principal and delegates."
)
exemption_app = typer.Typer(help="Approved, dated exemptions from the coverage requirement.")


# --- directory -------------------------------------------------------------------------------------
@directory_app.command("import")
def directory_import(
    file: Path = typer.Argument(..., help="CSV, or a SCIM 2.0 Users/Groups export (JSON)."),
    fmt: str = typer.Option("auto", "--format", help="auto, csv or scim"),
    deactivate_missing: bool = typer.Option(
        False, "--deactivate-missing", help="Full export: mark entries the file no longer lists inactive."
    ),
    workspace: Path | None = WorkspaceOpt,
    as_: str | None = ActorOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Add and update directory entries; shows which new ones are not yet captured or in scope."""
    from proctor.review.coverage import coverage_report
    from proctor.review.directory import import_directory

    ws = open_ws(workspace)
    result = import_directory(ws, file, actor_for(ws, as_), fmt, deactivate_missing)
    new = set(result["added"]) | set(result["changed"])
    gaps = [
        r
        for r in coverage_report(ws, ws.clock.now())["entries"]
        if r["target"] in new and r["status"] == "gap"
    ]
    result["not_covered"] = [{"target": r["target"], "gaps": r["gaps"]} for r in gaps]
    if as_json:
        print_json(result)
        return
    console.print(
        f"{result['format']}: {len(result['added'])} added, {len(result['changed'])} changed, "
        f"{len(result['unchanged'])} unchanged, {len(result['deactivated'])} deactivated"
    )
    for row in gaps:
        console.print(
            f"[yellow]not covered:[/] {row['target']} ({', '.join(row['gaps'])}) — "
            "the next review.coverage run raises an alert",
            highlight=False,
        )


@directory_app.command("list")
def directory_list(
    inactive: bool = typer.Option(False, "--inactive", help="Include inactive entries."),
    workspace: Path | None = WorkspaceOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Every directory entry."""
    from proctor.review.directory import list_entries

    ws = open_ws(workspace)
    with ws.read() as conn:
        rows = list_entries(conn, include_inactive=inactive)
    if as_json:
        print_json(rows)
        return
    shown = [{**r, "roles": ", ".join(r["roles"]), "aliases": ", ".join(r["aliases"])} for r in rows]
    print_table(
        f"Directory ({len(rows)})",
        ["id", "kind", "display_name", "owner", "roles", "platform", "active", "origin"],
        shown,
    )


# --- hierarchy -------------------------------------------------------------------------------------
@hierarchy_app.command("import")
def hierarchy_import(
    file: Path = typer.Argument(..., help="CSV with person, principal, delegates (';'-separated)."),
    workspace: Path | None = WorkspaceOpt,
    as_: str | None = ActorOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Replace the supervision hierarchy with the file's."""
    from proctor.review.routing import import_hierarchy

    ws = open_ws(workspace)
    result = import_hierarchy(ws, file, actor_for(ws, as_))
    if as_json:
        print_json(result)
        return
    console.print(
        f"{result['people']} people under {', '.join(result['principals'])}: {result['added']} added, "
        f"{result['changed']} changed, {result['removed']} removed; delegates +{result['delegates_added']} "
        f"-{result['delegates_removed']}. Route waiting items with: proctor review route"
    )


@hierarchy_app.command("list")
def hierarchy_list(workspace: Path | None = WorkspaceOpt, as_json: bool = JsonOpt) -> None:
    """Each covered person, their designated principal and the principal's delegates."""
    from proctor.review.routing import hierarchy_rows

    ws = open_ws(workspace)
    with ws.read() as conn:
        rows = hierarchy_rows(conn)
    if as_json:
        print_json(rows)
    else:
        print_table(f"Supervision ({len(rows)})", ["person", "principal", "delegates"], rows)


# --- exemptions ------------------------------------------------------------------------------------
def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"not a date (YYYY-MM-DD): {text!r}", field="--until") from None


@exemption_app.command("add")
def exemption_add(
    target: str = typer.Argument(..., help="Directory entry (address or account id) or capture source."),
    reason: str = typer.Option(..., "--reason", help="Why it need not be captured or reviewed."),
    until: str = typer.Option(..., "--until", help="Last day the exemption holds (YYYY-MM-DD)."),
    workspace: Path | None = WorkspaceOpt,
    as_: str | None = ActorOpt,
) -> None:
    """Propose an exemption; it clears the gap once a second person approves it."""
    from proctor.review.exemptions import propose_exemption

    ws = open_ws(workspace)
    row = propose_exemption(ws, target, reason, _day(until), actor_for(ws, as_))
    console.print(
        f"{row['id']}: exemption of {row['target']} proposed; "
        f"approve with: proctor review exemption approve {row['id']}"
    )


@exemption_app.command("approve")
def exemption_approve(
    exemption_id: str, workspace: Path | None = WorkspaceOpt, as_: str | None = ActorOpt
) -> None:
    """Approve a proposed exemption (not its proposer); open coverage alerts on it are closed."""
    from proctor.review.exemptions import approve_exemption

    ws = open_ws(workspace)
    row = approve_exemption(ws, exemption_id, actor_for(ws, as_))
    console.print(
        f"{row['id']}: approved until {row['valid_until']}; "
        f"closed {', '.join(row['alerts_closed']) or 'no alerts'}"
    )
    for left in row["alerts_left_open"]:
        console.print(f"[yellow]left open:[/] {left['alert_id']}: {left['why']}", highlight=False)


@exemption_app.command("revoke")
def exemption_revoke(
    exemption_id: str,
    reason: str = typer.Option(..., "--reason"),
    workspace: Path | None = WorkspaceOpt,
    as_: str | None = ActorOpt,
) -> None:
    """End an exemption early; the next coverage run raises the gap again."""
    from proctor.review.exemptions import revoke_exemption

    ws = open_ws(workspace)
    row = revoke_exemption(ws, exemption_id, actor_for(ws, as_), reason)
    console.print(f"{row['id']}: revoked")


@exemption_app.command("list")
def exemption_list(workspace: Path | None = WorkspaceOpt, as_json: bool = JsonOpt) -> None:
    """Every exemption with its status, approver and end date."""
    from proctor.review.exemptions import list_exemptions

    ws = open_ws(workspace)
    with ws.read() as conn:
        rows = list_exemptions(conn)
    if as_json:
        print_json(rows)
    else:
        print_table(
            f"Exemptions ({len(rows)})",
            ["id", "target", "status", "valid_until", "proposed_by", "approved_by", "reason"],
            rows,
        )
