"""`proctor modules`: which surveillance modules a workspace uses.

Switching a module off stops its controls, which changes what is supervised, so the change is
journaled with who made it and why, and a hand edit of proctor.toml is refused at the next open.
"""

from __future__ import annotations

from typing import Any

import typer

from proctor.cli.command import Run, command
from proctor.cli.common import console, print_table

app = typer.Typer(help="The surveillance modules this workspace uses.", no_args_is_help=True)


@command(app, "list", json=True, actor=False)
def list_(cmd: Run) -> Any:
    """Every module, whether this workspace uses it, and its controls."""
    from proctor.bootstrap import specs

    ws = cmd.ws
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
    if cmd.json:
        return rows
    print_table("Modules", ["module", "enabled", "controls", "requires", "title"], rows)


@command(app, "set")
def set_(
    cmd: Run,
    names: str = typer.Argument(..., help="Comma-separated module names, e.g. comms,review."),
    reason: str = typer.Option(..., "--reason", help="Why the set of supervised modules changes."),
) -> None:
    """Change which modules this workspace uses (admin; journaled)."""
    from proctor.bootstrap import set_modules

    ws = cmd.ws
    chosen = set_modules(
        ws, [n.strip() for n in names.split(",") if n.strip()], actor=cmd.actor, reason=reason
    )
    console.print(f"modules in use: {', '.join(chosen)}")
