"""`proctor user`: people who use Proctor, their roles, passwords, API tokens and lockouts.

Every change here is made by an authenticated user (see cli/common.py); only the very first user
of a new workspace, the first admin, is created without one.
"""

from __future__ import annotations

import os
import sys
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

app = typer.Typer(help="Users and roles.", no_args_is_help=True)
token_app = typer.Typer(help="Per-user API tokens for scripts and CI.", no_args_is_help=True)
app.add_typer(token_app, name="token")
identity_app = typer.Typer(
    help="The addresses and handles under which a user is surveilled (they refuse self-review).",
    no_args_is_help=True,
)
app.add_typer(identity_app, name="identity")


def _password(password_stdin: bool) -> str | None:
    if password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
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
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the new user's password from stdin."
    ),
    workspace: Path | None = WorkspaceOpt,
    as_: str | None = ActorOpt,
) -> None:
    """Add a user (the first user of a new workspace needs no --as and must be an admin)."""
    ws = open_ws(workspace)
    if ws.users.count() == 0:
        if role != "admin":
            raise InputError("the first user of a workspace must be an admin", field="--role")
        actor = name
    else:
        actor = actor_for(ws, as_)
    password = _password(password_stdin)
    user = ws.users.add(
        name, role, actor=actor, password=password, display_name=display_name, identities=identity
    )
    console.print(f"added {user.name} ({user.role}){'' if password else ' — no password: cannot sign in'}")


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
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the new password from stdin."),
    workspace: Path | None = WorkspaceOpt,
    as_: str | None = ActorOpt,
) -> None:
    """Set a user's password: your own (with your current credentials), or anyone's as an admin."""
    ws = open_ws(workspace)
    actor = actor_for(ws, as_, default=name)
    password = _password(password_stdin)
    if not password:
        raise InputError("give the password on stdin with --password-stdin or in PROCTOR_NEW_PASSWORD")
    ws.users.set_password(name, password, actor=actor)
    console.print(f"password set for {name}; their web sessions are signed out")


@app.command()
def deactivate(name: str, workspace: Path | None = WorkspaceOpt, as_: str | None = ActorOpt) -> None:
    """Deactivate a user (kept for the record; can no longer act)."""
    ws = open_ws(workspace)
    ws.users.set_active(name, False, actor=actor_for(ws, as_))
    console.print(f"{name} deactivated")


@app.command()
def unlock(
    name: str = typer.Argument("", help="The user whose sign-in lock to lift."),
    address: str = typer.Option("", "--address", help="Also lift the lock on this client address."),
    workspace: Path | None = WorkspaceOpt,
    as_: str | None = ActorOpt,
) -> None:
    """Lift a lockout after too many wrong passwords (admin; journaled)."""
    ws = open_ws(workspace)
    ws.users.throttle.unlock(name, actor=actor_for(ws, as_), address=address)
    console.print(f"unlocked {name or address}")


@app.command("set-role")
def set_role(
    name: str,
    role: str,
    reason: str = typer.Option(..., "--reason"),
    workspace: Path | None = WorkspaceOpt,
    as_: str | None = ActorOpt,
) -> None:
    """Propose a role change; another admin approves it with `proctor settings approve ID`."""
    ws = open_ws(workspace)
    change = ws.settings.propose(f"role:{name}", role, actor=actor_for(ws, as_), reason=reason)
    console.print(f"proposed {change}: {name} → {role}; another admin must approve it")


@identity_app.command("add")
def identity_add(
    name: str,
    identity: str = typer.Argument(..., help="An e-mail address, chat handle or employee id."),
    workspace: Path | None = WorkspaceOpt,
    as_: str | None = ActorOpt,
) -> None:
    """Add an identity to a user (admin; journaled). One identity belongs to one user."""
    ws = open_ws(workspace)
    user = ws.users.add_identity(name, identity, actor=actor_for(ws, as_))
    console.print(f"{user.name}: {', '.join(sorted(user.identities))}")


@identity_app.command("remove")
def identity_remove(
    name: str,
    identity: str,
    workspace: Path | None = WorkspaceOpt,
    as_: str | None = ActorOpt,
) -> None:
    """Remove an identity from a user (another admin; journaled)."""
    ws = open_ws(workspace)
    user = ws.users.remove_identity(name, identity, actor=actor_for(ws, as_))
    console.print(f"{user.name}: {', '.join(sorted(user.identities)) or 'no identities'}")


@token_app.command("create")
def token_create(
    name: str = typer.Argument("", help="Whose token (default: the acting user)."),
    label: str = typer.Option("", "--label", help="What the token is for, e.g. 'nightly controls'."),
    workspace: Path | None = WorkspaceOpt,
    as_: str | None = ActorOpt,
) -> None:
    """Create an API token; it is shown once. Use it as PROCTOR_TOKEN or `proctor --token`."""
    ws = open_ws(workspace)
    actor = actor_for(ws, as_)
    token = ws.users.tokens.create(name or actor, actor=actor, label=label)
    typer.echo(token)
    console.print(f"[dim]API token for {name or actor}; it is not stored and cannot be shown again[/]")


@token_app.command("list")
def token_list(
    name: str = typer.Argument("", help="Only this user's tokens."),
    workspace: Path | None = WorkspaceOpt,
    as_json: bool = JsonOpt,
) -> None:
    """List API tokens (never their secrets)."""
    ws = open_ws(workspace)
    rows = ws.users.tokens.list(name or None)
    if as_json:
        print_json(rows)
    else:
        print_table("API tokens", ["id", "user", "label", "created_by", "created_at", "revoked_at"], rows)


@token_app.command("revoke")
def token_revoke(token_id: str, workspace: Path | None = WorkspaceOpt, as_: str | None = ActorOpt) -> None:
    """Revoke an API token (its owner or an admin)."""
    ws = open_ws(workspace)
    ws.users.tokens.revoke(token_id, actor=actor_for(ws, as_))
    console.print(f"{token_id} revoked")
