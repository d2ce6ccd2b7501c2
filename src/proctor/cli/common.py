"""What every command shares: finding the workspace, the acting user, JSON output, errors.

Errors a user can fix print as one line and exit 2 (1 for integrity failures), never a traceback.

The acting user is authenticated, never just named: `--as carl` needs carl's password (asked for
on a terminal, read with `proctor --password-stdin ...`, or PROCTOR_PASSWORD for scripts) or one
of carl's API tokens (`proctor --token ...` or PROCTOR_TOKEN; `proctor user token create`). The
only exception is the very first user of a new workspace, who creates the first admin.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from proctor.cli.output import make_console
from proctor.core.errors import InputError, PermissionDenied, ProctorError
from proctor.platform.config import CONFIG_NAME

if TYPE_CHECKING:  # the database layer loads only when a command opens a workspace
    from proctor.platform import Workspace

console = make_console()  # unwrapped when not a terminal: ids and hashes stay whole
err_console = make_console(stderr=True)

DEMO_DIR = "proctor-demo"

WorkspaceOpt = typer.Option(
    None, "--workspace", "-w", envvar="PROCTOR_WORKSPACE", help="Workspace folder (default: ./proctor-demo)."
)
ActorOpt = typer.Option(
    None,
    "--as",
    help="User the action is attributed to (default: the token's user, PROCTOR_USER or the config's "
    "default_user); needs that user's password or API token.",
)
TokenOpt = typer.Option(
    None, "--token", envvar="PROCTOR_TOKEN", help="API token of the acting user (see `user token create`)."
)
PasswordStdinOpt = typer.Option(
    False, "--password-stdin", help="Read the acting user's password from the first line of stdin."
)
JsonOpt = typer.Option(False, "--json", help="Print JSON instead of a table.")
AsOfOpt = typer.Option(None, "--as-of", help="Evaluate as of this instant (ISO-8601; a date means its end).")


def workspace_path(path: Path | None) -> Path:
    if path is not None:
        return path
    cwd = Path.cwd()
    if (cwd / CONFIG_NAME).exists():
        return cwd
    if (cwd / DEMO_DIR / CONFIG_NAME).exists():
        return cwd / DEMO_DIR
    raise InputError(
        "no workspace found: pass --workspace PATH, set PROCTOR_WORKSPACE, or run `proctor demo`"
    )


def open_ws(path: Path | None) -> Workspace:
    from proctor.bootstrap import open_workspace

    ws = open_workspace(workspace_path(path))
    for warning in ws.settings.warnings:
        err_console.print(f"[bold yellow]warning:[/] {warning}", highlight=False, soft_wrap=True)
    return ws


class Credentials:
    """How the acting user proves who they are in this process (set by `proctor --token/--password-stdin`)."""

    token: str | None = None
    password_stdin: bool = False
    _stdin_password: str | None = None


def set_credentials(token: str | None = None, password_stdin: bool = False) -> None:
    Credentials.token = token or None
    Credentials.password_stdin = password_stdin
    Credentials._stdin_password = None


def _password_for(name: str) -> str:
    if Credentials.password_stdin:
        if Credentials._stdin_password is None:
            Credentials._stdin_password = sys.stdin.readline().rstrip("\r\n")
        return Credentials._stdin_password
    from_env = os.environ.get("PROCTOR_PASSWORD")
    if from_env:
        return from_env
    if sys.stdin.isatty():
        import getpass

        return getpass.getpass(f"password for {name}: ")
    raise PermissionDenied(
        f"acting as {name} needs {name}'s credentials: a password (on a terminal, `proctor "
        "--password-stdin ...` or PROCTOR_PASSWORD) or an API token (PROCTOR_TOKEN, `proctor --token ...`)"
    )


def actor_for(ws: Workspace, as_: str | None, *, default: str | None = None) -> str:
    """The authenticated acting user. `default` names the user when nothing else does."""
    token = Credentials.token or os.environ.get("PROCTOR_TOKEN")
    if token:
        user = ws.users.tokens.authenticate(token)
        if as_ and as_ != user.name:
            raise PermissionDenied(f"the API token belongs to {user.name}, not {as_}")
        return user.name
    name = as_ or os.environ.get("PROCTOR_USER") or ws.config.default_user or default
    if not name:
        raise InputError("no acting user: pass --as USER or set cli.default_user in proctor.toml")
    ws.users.get(name)
    if getattr(ws, "_cli_authenticated", None) == name:  # already checked for this command
        return name
    throttle = ws.users.throttle
    if throttle.locked(name, ""):
        raise PermissionDenied(
            f"{name} is locked after too many wrong passwords; an admin can lift it "
            f"with `proctor user unlock {name}`"
        )
    password = _password_for(name)
    try:
        ws.users.authenticate(name, password)
    except PermissionDenied:
        if throttle.failed(name, ""):
            from proctor.core.alerts import Subject

            with ws.transaction("cli.login") as tx:
                tx.event("user.locked_out", Subject("user", name), {"via": "cli"})
        raise PermissionDenied(f"wrong password for {name}") from None
    throttle.succeeded(name)
    ws._cli_authenticated = name  # type: ignore[attr-defined]
    return name


def parse_as_of(text: str | None) -> datetime | None:
    from proctor.platform.dates import parse_instant

    return parse_instant(text, "--as-of")


def _default(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    if isinstance(value, bytes):
        return value.hex()
    if hasattr(value, "as_dict"):
        return value.as_dict()
    return str(value)


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, default=_default, indent=2, sort_keys=True) + "\n")


def cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def print_table(
    title: str, columns: Sequence[str], rows: Sequence[dict[str, Any]], styles: dict[str, str] | None = None
) -> None:
    table = Table(title=title, header_style="bold")
    for col in columns:
        table.add_column(col.replace("_", " "), style=(styles or {}).get(col))
    for row in rows:
        table.add_row(*(cell(row.get(c)) for c in columns))
    console.print(table)


@contextmanager
def progress_bar(description: str, total: int | None = None) -> Iterator[Any]:
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=not err_console.is_terminal,
    ) as progress:
        task = progress.add_task(description, total=total)

        class Advance:
            def __call__(self, n: int = 1, description: str | None = None) -> None:
                progress.update(task, advance=n, description=description or progress.tasks[task].description)

            def total(self, total: int) -> None:
                progress.update(task, total=total)

        yield Advance()


def fail(error: ProctorError) -> None:
    err_console.print(f"[bold red]error:[/] {error}", highlight=False, soft_wrap=True)
    raise SystemExit(error.exit_code)
