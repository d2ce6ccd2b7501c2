"""`proctor settings`: supervised settings (four-eyes thresholds, firm domains, role changes).

After `proctor init` these live in the database as journaled records; a change is proposed by one
person and takes effect when a second approves it. Editing proctor.toml changes nothing (a warning
says so), because a threshold lowered by hand would otherwise take effect unseen.
"""

from __future__ import annotations

import json
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
from proctor.platform.config import load_config
from proctor.platform.settings import KNOWN, file_values

app = typer.Typer(
    help="Supervised settings: journaled, changed with a second approver.", no_args_is_help=True
)


@app.command()
def show(workspace: Path | None = WorkspaceOpt, as_json: bool = JsonOpt) -> None:
    """The approved settings, and where proctor.toml disagrees with them."""
    ws = open_ws(workspace)
    stored = ws.settings.values()
    in_file = file_values(load_config(ws.path))
    rows = [
        {
            "key": key,
            "value": json.dumps(stored.get(key)),
            "proctor_toml": json.dumps(in_file.get(key)),
            "meaning": KNOWN[key][1],
        }
        for key in KNOWN
    ]
    if as_json:
        print_json({"settings": stored, "proctor_toml": in_file, "pending": ws.settings.changes("proposed")})
        return
    print_table("Supervised settings", ["key", "value", "proctor_toml", "meaning"], rows)


@app.command()
def propose(
    key: str = typer.Argument(..., help="e.g. alerts.four_eyes_min_severity, firm.domains, role:USER"),
    value: str = typer.Argument(..., help='The new value: JSON (a list as ["a","b"]) or a plain word.'),
    reason: str = typer.Option(..., "--reason"),
    workspace: Path | None = WorkspaceOpt,
    as_: str | None = ActorOpt,
) -> None:
    """Propose a change; it takes effect when someone else approves it."""
    ws = open_ws(workspace)
    try:
        parsed = json.loads(value)
    except ValueError:
        parsed = value
    change = ws.settings.propose(key, parsed, actor=actor_for(ws, as_), reason=reason)
    console.print(f"proposed {change}: {key} = {json.dumps(parsed)}; a second person must approve it")


@app.command()
def approve(change_id: str, workspace: Path | None = WorkspaceOpt, as_: str | None = ActorOpt) -> None:
    """Approve someone else's proposed change (four eyes)."""
    ws = open_ws(workspace)
    row = ws.settings.approve(change_id, actor=actor_for(ws, as_))
    console.print(f"{change_id} approved: {row['key']} = {json.dumps(row['value'])}")


@app.command()
def reject(change_id: str, workspace: Path | None = WorkspaceOpt, as_: str | None = ActorOpt) -> None:
    """Reject someone else's proposed change."""
    ws = open_ws(workspace)
    ws.settings.reject(change_id, actor=actor_for(ws, as_))
    console.print(f"{change_id} rejected")


@app.command()
def changes(
    status: str = typer.Option("", "--status", help="proposed, approved or rejected"),
    workspace: Path | None = WorkspaceOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Every proposed, approved and rejected change, oldest first."""
    ws = open_ws(workspace)
    rows = ws.settings.changes(status or None)
    if as_json:
        print_json(rows)
        return
    for row in rows:
        row["value"] = json.dumps(row["value"])
    print_table(
        "Setting changes", ["id", "key", "value", "status", "proposed_by", "decided_by", "reason"], rows
    )


@app.command()
def adopt(workspace: Path | None = WorkspaceOpt, as_: str | None = ActorOpt) -> None:
    """For a workspace made before settings were kept: record proctor.toml's values as the approved ones."""
    from proctor.core.roles import USER_ADMIN, require

    ws = open_ws(workspace)
    actor = actor_for(ws, as_)
    require(ws.users.get(actor), USER_ADMIN)
    if ws.settings.values():
        console.print("settings are already recorded; change them with `proctor settings propose`")
        return
    ws.settings.record_initial(actor)
    console.print("recorded: " + ", ".join(f"{k} = {json.dumps(v)}" for k, v in ws.settings.values().items()))
