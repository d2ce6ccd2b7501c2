"""`proctor user`: people who use Proctor, their roles and passwords."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from proctor.cli.common import ActorOpt, JsonOpt, WorkspaceOpt, console, open_ws, print_json, print_table
from proctor.core.errors import InputError

app = typer.Typer(help="Users and roles.", no_args_is_help=True)


def _password(password_stdin: bool) -> str | None:
    if password_stdin:
        import sys

        return sys.stdin.readline().rstrip("\n")
    return os.environ.get("PROCTOR_NEW_PASSWORD")


@app.command()
def add(
    name: str,
    role: str = typer.Option(..., "--role", help="admin, principal, reviewer, finop or auditor"),
    display_name: str = typer.Option("", "--display-name"),
    identity: list[str] = typer.Option(
        [],
        "--identity",
        help="Address or id under which this person is surveilled (repeatable); used to refuse self-review.",
    ),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from stdin."),
    workspace: Path | None = WorkspaceOpt,
    as_: str | None = ActorOpt,
) -> None:
    """Add a user (the first user of a workspace needs no --as)."""
    ws = open_ws(workspace)
    actor = as_ or os.environ.get("PROCTOR_USER") or ws.config.default_user or name
    password = _password(password_stdin)
    user = ws.users.add(
        name, role, actor=actor, password=password, display_name=display_name, identities=identity
    )
    console.print(
        f"added {user.name} ({user.role}){'' if password else ' — no password: cannot log in to the web app'}"
    )


@app.command("list")
def list_(workspace: Path | None = WorkspaceOpt, as_json: bool = JsonOpt) -> None:
    """List users and roles."""
    ws = open_ws(workspace)
    rows = [
        {
            "name": u.name,
            "role": u.role.value,
            "display_name": u.display_name,
            "active": u.active,
            "identities": ", ".join(sorted(u.identities)),
        }
        for u in ws.users.list()
    ]
    if as_json:
        print_json(rows)
    else:
        print_table("Users", ["name", "role", "display_name", "active", "identities"], rows)


@app.command("set-password")
def set_password(
    name: str,
    password_stdin: bool = typer.Option(False, "--password-stdin"),
    workspace: Path | None = WorkspaceOpt,
    as_: str | None = ActorOpt,
) -> None:
    """Set a user's password (from stdin or PROCTOR_NEW_PASSWORD)."""
    ws = open_ws(workspace)
    password = _password(password_stdin)
    if not password:
        raise InputError("give the password on stdin with --password-stdin or in PROCTOR_NEW_PASSWORD")
    ws.users.set_password(name, password, actor=as_ or name)
    console.print(f"password set for {name}")


@app.command()
def deactivate(name: str, workspace: Path | None = WorkspaceOpt, as_: str | None = ActorOpt) -> None:
    """Deactivate a user (kept for the record; can no longer act)."""
    ws = open_ws(workspace)
    ws.users.set_active(name, False, actor=as_ or ws.config.default_user)
    console.print(f"{name} deactivated")
