"""`proctor modules`: which surveillance modules a workspace uses.

Switching a module off stops its controls, which changes what is supervised, so the change is
journaled with who made it and why, and a hand edit of proctor.toml is refused at the next open.
"""

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

app = typer.Typer(help="The surveillance modules this workspace uses.", no_args_is_help=True)


@app.command("list")
def list_(workspace: Path | None = WorkspaceOpt, as_json: bool = JsonOpt) -> None:
    """Every module, whether this workspace uses it, and its controls."""
    from proctor.bootstrap import specs

    ws = open_ws(workspace)
    try:
        rows = [
            {
                "module": s.name,
                "title": s.title,
                "enabled": s.name in ws.modules,
                "controls": len(s.controls),
                "requires": ", ".join(s.requires),
                "docs": s.docs,
            }
            for s in specs()
        ]
    finally:
        ws.close()
    if as_json:
        print_json(rows)
        return
    print_table("Modules", ["module", "enabled", "controls", "requires", "title"], rows)


@app.command("set")
def set_(
    names: str = typer.Argument(..., help="Comma-separated module names, e.g. comms,review."),
    reason: str = typer.Option(..., "--reason", help="Why the set of supervised modules changes."),
    workspace: Path | None = WorkspaceOpt,
    as_: str | None = ActorOpt,
) -> None:
    """Change which modules this workspace uses (admin; journaled)."""
    from proctor.bootstrap import set_modules

    ws = open_ws(workspace)
    try:
        chosen = set_modules(
            ws, [n.strip() for n in names.split(",") if n.strip()], actor=actor_for(ws, as_), reason=reason
        )
    finally:
        ws.close()
    console.print(f"modules in use: {', '.join(chosen)}")
