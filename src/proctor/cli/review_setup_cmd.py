"""`proctor review directory|hierarchy|exemption`: what the coverage register and routing rely on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from proctor.cli.command import Run, command
from proctor.cli.common import (
    console,
    print_table,
)
from proctor.platform.dates import parse_day

directory_app = typer.Typer(
    help="The firm directory: people, mailboxes, group mailboxes, chat and help-desk accounts."
)
hierarchy_app = typer.Typer(
    help="The supervision hierarchy: each person's designated principal and delegates."
)
exemption_app = typer.Typer(help="Approved, dated exemptions from the coverage requirement.")


# --- directory -------------------------------------------------------------------------------------
@command(directory_app, "import", json=True)
def directory_import(
    cmd: Run,
    file: Path = typer.Argument(..., help="CSV, or a SCIM 2.0 Users/Groups export (JSON)."),
    fmt: str = typer.Option("auto", "--format", help="auto, csv or scim"),
    deactivate_missing: bool = typer.Option(
        False, "--deactivate-missing", help="Full export: mark entries the file no longer lists inactive."
    ),
) -> Any:
    """Add and update directory entries; shows which new ones are not yet captured or in scope."""
    from proctor.platform.directory import import_directory
    from proctor.review.coverage import coverage_report

    ws = cmd.ws
    result = import_directory(ws, file, cmd.actor, fmt, deactivate_missing)
    new = set(result["added"]) | set(result["changed"])
    gaps = [
        r
        for r in coverage_report(ws, ws.clock.now())["entries"]
        if r["target"] in new and r["status"] == "gap"
    ]
    result["not_covered"] = [{"target": r["target"], "gaps": r["gaps"]} for r in gaps]
    if cmd.json:
        return result
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


@command(directory_app, "list", json=True, actor=False)
def directory_list(
    cmd: Run, inactive: bool = typer.Option(False, "--inactive", help="Include inactive entries.")
) -> Any:
    """Every directory entry."""
    from proctor.platform.directory import list_entries

    ws = cmd.ws
    with ws.read() as conn:
        rows = list_entries(conn, include_inactive=inactive)
    if cmd.json:
        return rows
    shown = [{**r, "roles": ", ".join(r["roles"]), "aliases": ", ".join(r["aliases"])} for r in rows]
    print_table(
        f"Directory ({len(rows)})",
        ["id", "kind", "display_name", "owner", "roles", "platform", "active", "origin"],
        shown,
    )


# --- hierarchy -------------------------------------------------------------------------------------
@command(hierarchy_app, "import", json=True)
def hierarchy_import(
    cmd: Run, file: Path = typer.Argument(..., help="CSV with person, principal, delegates (';'-separated).")
) -> Any:
    """Replace the supervision hierarchy with the file's."""
    from proctor.platform.directory import import_hierarchy

    ws = cmd.ws
    result = import_hierarchy(ws, file, cmd.actor)
    if cmd.json:
        return result
    console.print(
        f"{result['people']} people under {', '.join(result['principals'])}: {result['added']} added, "
        f"{result['changed']} changed, {result['removed']} removed; delegates +{result['delegates_added']} "
        f"-{result['delegates_removed']}. Route waiting items with: proctor review route"
    )


@command(hierarchy_app, "list", json=True, actor=False)
def hierarchy_list(cmd: Run) -> Any:
    """Each covered person, their designated principal and the principal's delegates."""
    from proctor.platform.directory import hierarchy_rows

    ws = cmd.ws
    with ws.read() as conn:
        rows = hierarchy_rows(conn)
    if cmd.json:
        return rows
    print_table(f"Supervision ({len(rows)})", ["person", "principal", "delegates"], rows)


# --- exemptions ------------------------------------------------------------------------------------


@command(exemption_app, "add")
def exemption_add(
    cmd: Run,
    target: str = typer.Argument(..., help="Directory entry (address or account id) or capture source."),
    reason: str = typer.Option(..., "--reason", help="Why it need not be captured or reviewed."),
    until: str = typer.Option(..., "--until", help="Last day the exemption holds (YYYY-MM-DD)."),
) -> None:
    """Propose an exemption; it clears the gap once a second person approves it."""
    from proctor.review.exemptions import propose_exemption

    ws = cmd.ws
    row = propose_exemption(ws, target, reason, parse_day(until, "--until"), cmd.actor)
    console.print(
        f"{row['id']}: exemption of {row['target']} proposed; "
        f"approve with: proctor review exemption approve {row['id']}"
    )


@command(exemption_app, "approve")
def exemption_approve(cmd: Run, exemption_id: str) -> None:
    """Approve a proposed exemption (not its proposer); open coverage alerts on it are closed."""
    from proctor.review.exemptions import approve_exemption

    ws = cmd.ws
    row = approve_exemption(ws, exemption_id, cmd.actor)
    console.print(
        f"{row['id']}: approved until {row['valid_until']}; "
        f"closed {', '.join(row['alerts_closed']) or 'no alerts'}"
    )
    for left in row["alerts_left_open"]:
        console.print(f"[yellow]left open:[/] {left['alert_id']}: {left['why']}", highlight=False)


@command(exemption_app, "revoke")
def exemption_revoke(cmd: Run, exemption_id: str, reason: str = typer.Option(..., "--reason")) -> None:
    """End an exemption early; the next coverage run raises the gap again."""
    from proctor.review.exemptions import revoke_exemption

    ws = cmd.ws
    row = revoke_exemption(ws, exemption_id, cmd.actor, reason)
    console.print(f"{row['id']}: revoked")


@command(exemption_app, "list", json=True, actor=False)
def exemption_list(cmd: Run) -> Any:
    """Every exemption with its status, approver and end date."""
    from proctor.review.exemptions import list_exemptions

    ws = cmd.ws
    with ws.read() as conn:
        rows = list_exemptions(conn)
    if cmd.json:
        return rows
    print_table(
        f"Exemptions ({len(rows)})",
        ["id", "target", "status", "valid_until", "proposed_by", "approved_by", "reason"],
        rows,
    )
